/*
 * kc-stats - a dataset at a glance: what the records of any stage hold,
 * as a terminal summary, one JSON object (--json) or an HTML report with
 * charts (--html FILE).
 *
 * One pass over the input; no record is kept (kc_stats_add folds each
 * into running totals).  Exit 0, or 1 when a line did not parse or was
 * not a record (each reported; the rest are still counted), 2 on a usage
 * or fatal error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-stats [OPTION]... [FILE]...\n"
"Summarize records of any stage (canonical, filled, chained, rendered in\n"
"any format, asked, judged, the lines of kc-audit): counts by\n"
"stage, source, type and level, duplicated ids, token lengths and budget\n"
"use, passages (own, entangled, filler), keys and the depth of the own\n"
"passages and of the real chain's links, answers and finish reasons,\n"
"the pass-rate histogram, accuracy by source, type and by context length\n"
"x evidence depth, and each audit solver against chance.\n"
"\n"
"  -b, --by FIELD         also each group of records by FIELD: source,\n"
"                         length or type\n"
"      --json             the numbers as one JSON object\n"
"      --html FILE        also write an HTML report with charts to FILE\n"
"                         (self-contained: no script, nothing fetched)\n"
"      --title TEXT       the report's title (default: the input's names)\n"
"      --recount          count each rendered prompt's tokens again, as\n"
"                         kc-verify does, instead of reading its render\n"
"  -t, --tokenizer SPEC   with --recount: this tokenizer (default: the one\n"
"                         each record names)\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"See kc-stats(1) and kc(7).\n";

enum { OPT_JSON = 256, OPT_HTML, OPT_TITLE, OPT_RECOUNT };

static const struct option longopts[] = {
	{ "by", required_argument, NULL, 'b' },
	{ "help", no_argument, NULL, 'h' },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "recount", no_argument, NULL, OPT_RECOUNT },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "tokenizer", required_argument, NULL, 't' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "b:ht:V", longopts };

struct run {
	kc_stats *stats;
	kc_verifier *recount;     /* --recount: counts as kc-verify's */
};

/* --recount: the record's render "tokens" replaced by kc_verify's exact
 * count of its prompt (chat template included); records with no prompt
 * (not rendered) are left as they are. */
static kc_status recount(kc_verifier *v, json_t *rec, struct kc_error *err)
{
	struct kc_verify_result res;
	json_t *render = json_object_get(rec, "render");
	kc_status st;

	if (!render)
		render = json_object_get(json_object_get(rec, "extra_info"), "kc");
	if (!render)
		render = json_object_get(rec, "kc");
	if (!json_is_object(render))
		return KC_OK;
	st = kc_verify(v, rec, &res, err);
	if (st && st != KC_EVERIFY)
		return st;
	kc_error_clear(err);
	if (res.tokens >= 0 &&
	    json_object_set_new(render, "tokens", json_integer(res.tokens)))
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	return KC_OK;
}

static int add_one(json_t *rec, const struct kc_error *where, void *data)
{
	struct run *run = data;
	struct kc_error err;
	kc_status st;

	kc_error_clear(&err);
	if (run->recount && (st = recount(run->recount, rec, &err))) {
		if (st == KC_ENOMEM || st == KC_EIO || st == KC_EUNSUPPORTED) {
			cli_report(&err);
			return CLI_FATAL;
		}
		return cli_record_error(where, &err);
	}
	st = kc_stats_add(run->stats, rec, &err);
	if (st == KC_EFIELD)
		return cli_record_error(where, &err);
	if (st) {
		cli_report(&err);
		return CLI_FATAL;
	}
	return CLI_OK;
}

static void unreadable(const struct kc_error *err, void *data)
{
	struct run *run = data;

	(void)err;
	kc_stats_unreadable(run->stats);
}

/* "a.jsonl, b.jsonl" or "stdin" */
static void default_title(char *t, size_t size, char **files, int n)
{
	size_t o = 0;

	snprintf(t, size, "%s", n ? "" : "stdin");
	for (int i = 0; i < n && o < size; i++) {
		const char *base = strrchr(files[i], '/');
		o += (size_t)snprintf(t + o, size - o, "%s%s", i ? ", " : "",
		                      base ? base + 1 : files[i]);
	}
}

static void write_html(const json_t *sum, const char *path, const char *title)
{
	kc_buf b;
	FILE *f;

	kc_buf_init(&b, 0);
	if (kc_stats_html(sum, title, &b))
		cli_die("out of memory");
	if (!(f = fopen(path, "w")))
		cli_die("%s: %s", path, strerror(errno));
	if (fwrite(b.data, 1, b.len, f) != b.len || fclose(f))
		cli_die("%s: write error: %s", path, strerror(errno));
	kc_buf_release(&b);
}

int main(int argc, char **argv)
{
	struct kc_stats_opts o;
	struct kc_verify_opts vo;
	struct kc_error err;
	struct run run = { NULL, NULL };
	json_t *sum;
	const char *html = NULL, *title = NULL;
	char deftitle[256];
	int c, json = 0, rc, recounting = 0;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_stats_opts_init(&o);
	kc_verify_opts_init(&vo);
	kc_error_clear(&err);
	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		switch (c) {
		case 'b':
			if (kc_stats_by_parse(optarg, &o.by, &err))
				cli_usage_error("%s", err.text);
			break;
		case OPT_JSON: json = 1; break;
		case OPT_HTML: html = optarg; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_RECOUNT: recounting = 1; break;
		case 't': vo.tokenizer = optarg; break;
		}
	}
	if (vo.tokenizer && !recounting)
		cli_usage_error("--tokenizer is for --recount");
	if (kc_stats_new(&run.stats, &o, &err) ||
	    (recounting && kc_verifier_new(&run.recount, &vo, &err))) {
		cli_report(&err);
		return CLI_FATAL;
	}
	rc = cli_each_record(argv + optind, argc - optind,
	                     &(struct cli_walk){ .record = add_one, .ctx = &run,
	                                         .unreadable = unreadable,
	                                         .open_fatal = 1 });
	kc_verifier_free(run.recount);
	if (rc >= CLI_FATAL) {
		kc_stats_free(run.stats);
		return rc;
	}
	if (!(sum = kc_stats_summary(run.stats)))
		cli_die("out of memory");
	if (html) {
		default_title(deftitle, sizeof deftitle, argv + optind, argc - optind);
		write_html(sum, html, title ? title : deftitle);
	}
	if (json) {
		cli_write(sum);
	} else {
		kc_buf b;
		kc_buf_init(&b, 0);
		if (kc_stats_text(sum, &b))
			cli_die("out of memory");
		fwrite(b.data, 1, b.len, stdout);
		kc_buf_release(&b);
	}
	cli_close_stdout();
	json_decref(sum);
	kc_stats_free(run.stats);
	return rc;
}
