/*
 * kc-import - the published QA datasets in, one canonical record per
 * question out.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-import [-q] [--stats] [-f FORMAT] [-n N] [-s NAME]\n"
"                 [--max-record BYTES] [--unbuffered] [FILE]...\n"
"Read HotpotQA, MuSiQue or 2WikiMultihopQA files as published (one JSON\n"
"array, read element by element, JSON lines, or the Parquet files of\n"
"their Hugging Face releases) and write one canonical record per\n"
"question as JSON lines.\n"
"\n"
"  -f, --format FORMAT    hotpotqa, musique, 2wikimqa or canonical\n"
"                         (default: told from the first record's keys)\n"
"  -n, --limit N          stop after writing N records\n"
"  -s, --source NAME      the \"source\" written (default: the format)\n"
"  -q, --quiet            no summary on standard error\n"
"      --stats            a summary line per file, even when nothing\n"
"                         was left out\n"
"      --max-record BYTES refuse an element or line longer than this\n"
"                         (268435456)\n"
"      --unbuffered       write each record at once\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"With no FILE, or when FILE is -, read standard input.  Unanswerable\n"
"MuSiQue items are left out and counted; a bad element is reported and\n"
"the rest go on (exit status 1).  See kc-import(1) and kc(7).\n";

enum { OPT_STATS = 256, OPT_MAX, OPT_UNBUF };

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "limit", required_argument, NULL, 'n' },
	{ "max-record", required_argument, NULL, OPT_MAX },
	{ "quiet", no_argument, NULL, 'q' },
	{ "source", required_argument, NULL, 's' },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "unbuffered", no_argument, NULL, OPT_UNBUF },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "f:hn:qs:V", longopts };

struct opts {
	const char *format, *source;
	long limit;                     /* -1: no limit */
	size_t max;
	int quiet, stats;
};

/* The summary of one file: when asked, when anything was left out, and
 * when it gave no record. */
static void summary(const kc_importer *im, const struct opts *o)
{
	const struct kc_import_stats *s = kc_importer_stats(im);
	const char *format = kc_importer_format(im);

	/* a file that gave nothing is worth a line too */
	if (o->quiet || (!o->stats && !s->unanswerable && !s->bad && s->records))
		return;
	cli_progress_end();
	cli_warn("%s: %s%s%s: %lu record%s, %lu unanswerable left out, %lu bad, "
	         "%llu bytes read", kc_importer_name(im),
	         format ? format : "", format ? " " : "",
	         kc_importer_layout(im), s->records, s->records == 1 ? "" : "s",
	         s->unanswerable, s->bad, s->bytes);
}

/* Import one file; returns the worst exit status it earns. */
static int import_file(const char *path, const struct opts *o,
                       unsigned long *written)
{
	struct kc_error err;
	kc_importer *im;
	json_t *rec;
	kc_status st;
	int worst = CLI_OK;

	kc_error_clear(&err);
	if ((st = kc_importer_open(&im, path, o->format, &err))) {
		err.source = path && strcmp(path, "-") ? path : "-";
		cli_report(&err);
		return st == KC_ENOMEM || st == KC_EIO ? CLI_FATAL : CLI_DATA;
	}
	kc_importer_set_max(im, o->max);
	while (o->limit < 0 || *written < (unsigned long)o->limit) {
		st = kc_importer_next(im, &rec, &err);
		if (st == KC_EOF)
			break;
		if (st == KC_OK) {
			if (o->source && json_object_set_new(rec, "source",
			                                     json_string(o->source)))
				cli_die("out of memory");
			cli_write(rec);
			json_decref(rec);
			cli_progress(++*written, 0, NULL);
			continue;
		}
		if (st == KC_EUNSUPPORTED) {
			size_t n = strlen(err.text);
			snprintf(err.text + n, sizeof err.text - n, "; pass --format "
			         "hotpotqa, musique, 2wikimqa or canonical");
		}
		cli_report(&err);
		if (st == KC_EIO || st == KC_ENOMEM) {
			worst = CLI_FATAL;
			break;
		}
		worst = CLI_DATA;
	}
	summary(im, o);
	kc_importer_free(im);
	return worst;
}

int main(int argc, char **argv)
{
	struct opts o = { .limit = -1 };
	unsigned long written = 0;
	int c, worst = CLI_OK;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		switch (c) {
		case 'f':
			if (!kc_import_format_known(optarg))
				cli_usage_error("invalid --format '%s' (hotpotqa, musique, "
				                "2wikimqa or canonical)", optarg);
			o.format = optarg;
			break;
		case 'n':
			o.limit = cli_long("--limit", optarg, 0, LONG_MAX);
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 's':
			if (!*optarg || kc_utf8_valid_prefix(optarg, strlen(optarg)) !=
			                strlen(optarg))
				cli_usage_error("invalid --source '%s' (a non-empty UTF-8 "
				                "name)", optarg);
			o.source = optarg;
			break;
		case OPT_STATS:
			o.stats = 1;
			break;
		case OPT_MAX:
			o.max = (size_t)cli_long("--max-record", optarg, 1,
			                         (long)(KC_BUF_MAX - 1));
			break;
		case OPT_UNBUF:
			cli_unbuffered();
			break;
		}
	}
	if (optind == argc)
		worst = import_file("-", &o, &written);
	for (int i = optind; i < argc && worst < CLI_FATAL; i++) {
		int rc;

		if (o.limit >= 0 && written >= (unsigned long)o.limit)
			break;
		rc = import_file(argv[i], &o, &written);
		if (rc > worst)
			worst = rc;
	}
	cli_progress_end();
	cli_close_stdout();
	return worst;
}
