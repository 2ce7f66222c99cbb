/*
 * kc-verify - prove rendered records sound, independently of the code
 * that made them.
 *
 * Every record read is either passed or reported (one line on stderr
 * naming its file, line and id); the summary goes to stdout, as text or
 * (--json) as one JSON object.  Exit 0 when every record passed, 1 when
 * some record failed or a line did not parse, 2 on a usage or fatal
 * error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-verify [OPTION]... [FILE]...\n"
"Check records written by kc-render (any format) or kc-chain from their\n"
"prompt text alone: the chain from the head reaches exactly the real\n"
"question, keys are unique and nowhere else in the text, pairs sit at\n"
"sentence ends (not in numbers, abbreviations or headers), passages are\n"
"numbered 1..n, own passages are intact, and the exact token count is\n"
"within the budget and what the record claims.\n"
"\n"
"  -t, --tokenizer SPEC   count with SPEC (default: the tokenizer each\n"
"                         record's render names)\n"
"  -m, --max-tokens N     the limit (default: each record's budget); 32k\n"
"                         accepted\n"
"      --min-fill F       fail records under F of the limit (0..1)\n"
"      --template TEXT    the template the prompts were made from, as given\n"
"                         to kc-render (default: the preset each names)\n"
"      --template-file F  the template from a file\n"
"  -q, --quiet            no line per failing record, the summary only\n"
"      --json             the summary as one JSON object\n"
"      --allow-empty      an input without records passes (default: fails)\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"See kc-verify(1) and kc(7).\n";

enum { OPT_MINFILL = 256, OPT_JSON, OPT_TEMPLATE, OPT_TEMPLATE_FILE,
       OPT_ALLOW_EMPTY };

static const struct option longopts[] = {
	{ "allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "max-tokens", required_argument, NULL, 'm' },
	{ "min-fill", required_argument, NULL, OPT_MINFILL },
	{ "quiet", no_argument, NULL, 'q' },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "template-file", required_argument, NULL, OPT_TEMPLATE_FILE },
	{ "tokenizer", required_argument, NULL, 't' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "hm:qt:V", longopts };

struct tally {
	unsigned long records, passed, failed, unreadable, unchecked;
	unsigned long by_reason[KC_VERIFY_REASONS];
	double *use;             /* tokens / budget per counted record */
	size_t nuse, capuse;
	int quiet;
	kc_verifier *v;
};

static void note_use(struct tally *t, const struct kc_verify_result *res)
{
	if (res->tokens < 0 || res->budget <= 0)
		return;
	if (t->nuse == t->capuse) {
		size_t cap = t->capuse ? t->capuse * 2 : 1024;
		double *u = realloc(t->use, cap * sizeof *u);
		if (!u)
			cli_die("out of memory");
		t->use = u;
		t->capuse = cap;
	}
	t->use[t->nuse++] = (double)res->tokens / (double)res->budget;
}

/* "the first problem (and 2 more: key, placement)" */
static void report(const struct kc_error *where, struct kc_error *err,
                   const struct kc_verify_result *res)
{
	struct kc_error e = *err;
	char more[160] = "";

	if (res->problems > 1) {
		size_t o = (size_t)snprintf(more, sizeof more, " (and %zu more "
		                            "problem%s:", res->problems - 1,
		                            res->problems > 2 ? "s" : "");
		const char *sep = " ";
		for (int r = 0; r < KC_VERIFY_REASONS && o < sizeof more; r++)
			if (res->reasons & (1u << r)) {
				o += (size_t)snprintf(more + o, sizeof more - o, "%s%s",
				                      sep, kc_verify_reason_name(r));
				sep = ", ";
			}
		if (o < sizeof more)
			snprintf(more + o, sizeof more - o, ")");
	}
	char line[sizeof res->id + sizeof err->text + sizeof more + 8];
	size_t n;

	snprintf(line, sizeof line, "%s%s%s%s%s", res->id[0] ? "id " : "",
	         res->id, res->id[0] ? ": " : "", err->text, more);
	n = strlen(line);
	if (n >= sizeof e.text)   /* cut: one line is enough */
		n = sizeof e.text - 1;
	memcpy(e.text, line, n);
	e.text[n] = '\0';
	cli_record_error(where, &e);
}

static int verify_one(json_t *rec, const struct kc_error *where, void *data)
{
	struct tally *t = data;
	struct kc_verify_result res;
	struct kc_error err;
	kc_status st;

	kc_error_clear(&err);
	st = kc_verify(t->v, rec, &res, &err);
	if (st != KC_OK && st != KC_EVERIFY) {
		/* Not the record's fault (a tokenizer that cannot be opened,
		 * no memory): stop. */
		err.source = where->source;
		err.line = where->line;
		cli_report(&err);
		return CLI_FATAL;
	}
	t->records++;
	note_use(t, &res);
	if (!res.question_checked)
		t->unchecked++;
	if (st == KC_OK) {
		t->passed++;
		return CLI_OK;
	}
	t->failed++;
	for (int k = 0; k < KC_VERIFY_REASONS; k++)
		if (res.reasons & (1u << k))
			t->by_reason[k]++;
	if (!t->quiet)
		report(where, &err, &res);
	return CLI_DATA;
}

static void unreadable(const struct kc_error *err, void *data)
{
	struct tally *t = data;

	(void)err;
	t->unreadable++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct use { double min, median, mean, max; };

static void use_stats(struct tally *t, struct use *u)
{
	double sum = 0;

	qsort(t->use, t->nuse, sizeof *t->use, cmp_double);
	for (size_t i = 0; i < t->nuse; i++)
		sum += t->use[i];
	u->min = t->use[0];
	u->max = t->use[t->nuse - 1];
	u->mean = sum / (double)t->nuse;
	u->median = t->nuse % 2 ? t->use[t->nuse / 2]
	            : (t->use[t->nuse / 2 - 1] + t->use[t->nuse / 2]) / 2;
}

static void summary_text(struct tally *t)
{
	struct use u;
	const char *sep = "";

	printf("%lu record%s, %lu passed, %lu failed\n", t->records,
	       t->records == 1 ? "" : "s", t->passed, t->failed);
	if (t->failed) {
		printf("failed by reason:");
		for (int r = 0; r < KC_VERIFY_REASONS; r++)
			if (t->by_reason[r]) {
				printf("%s %s %lu", sep, kc_verify_reason_name(r),
				       t->by_reason[r]);
				sep = ",";
			}
		printf("\n");
	}
	if (t->unreadable)
		printf("%lu line%s unreadable\n", t->unreadable,
		       t->unreadable == 1 ? "" : "s");
	if (t->unchecked)
		printf("%lu record%s name%s no real question (the question "
		       "reached was not compared)\n", t->unchecked,
		       t->unchecked == 1 ? "" : "s", t->unchecked == 1 ? "s" : "");
	if (t->nuse) {
		use_stats(t, &u);
		printf("tokens/budget: min %.4f, median %.4f, mean %.4f, max %.4f "
		       "(%zu record%s)\n", u.min, u.median, u.mean, u.max, t->nuse,
		       t->nuse == 1 ? "" : "s");
	}
}

static void summary_json(struct tally *t)
{
	json_t *o = json_object(), *reasons = json_object(), *use = json_null();
	struct use u;

	for (int r = 0; r < KC_VERIFY_REASONS; r++)
		json_object_set_new(reasons, kc_verify_reason_name(r),
		                    json_integer((json_int_t)t->by_reason[r]));
	if (t->nuse) {
		use_stats(t, &u);
		use = json_pack("{s:I,s:f,s:f,s:f,s:f}", "records",
		                (json_int_t)t->nuse, "min", u.min, "median", u.median,
		                "mean", u.mean, "max", u.max);
	}
	json_object_set_new(o, "records", json_integer((json_int_t)t->records));
	json_object_set_new(o, "passed", json_integer((json_int_t)t->passed));
	json_object_set_new(o, "failed", json_integer((json_int_t)t->failed));
	json_object_set_new(o, "unreadable",
	                    json_integer((json_int_t)t->unreadable));
	json_object_set_new(o, "question_unchecked",
	                    json_integer((json_int_t)t->unchecked));
	json_object_set_new(o, "reasons", reasons);
	json_object_set_new(o, "token_use", use);
	cli_write(o);
	json_decref(o);
}

int main(int argc, char **argv)
{
	struct kc_verify_opts o;
	struct kc_error err;
	struct tally t;
	char *template_text = NULL;
	int c, json = 0, allow_empty = 0, rc = CLI_OK;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_verify_opts_init(&o);
	memset(&t, 0, sizeof t);
	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		switch (c) {
		case 'm': o.max_tokens = cli_length("--max-tokens", optarg); break;
		case 'q': t.quiet = 1; break;
		case 't': o.tokenizer = optarg; break;
		case OPT_MINFILL:
			o.min_fill = cli_double("--min-fill", optarg, 0, 1);
			break;
		case OPT_JSON: json = 1; break;
		case OPT_ALLOW_EMPTY: allow_empty = 1; break;
		case OPT_TEMPLATE: o.template = optarg; break;
		case OPT_TEMPLATE_FILE:
			free(template_text);
			o.template = template_text = cli_slurp(optarg);
			break;
		}
	}
	kc_error_clear(&err);
	if (kc_verifier_new(&t.v, &o, &err)) {
		cli_report(&err);
		return CLI_FATAL;
	}
	rc = cli_each_record(argv + optind, argc - optind,
	                     &(struct cli_walk){ .record = verify_one, .ctx = &t,
	                                         .unreadable = unreadable,
	                                         .open_fatal = 1 });
	if (!t.records && !t.unreadable && !allow_empty && rc < CLI_FATAL) {
		/* An empty file at the end of a pipeline: a stage lost it all. */
		cli_warn("no records (--allow-empty to let that pass)");
		rc = rc > CLI_DATA ? rc : CLI_DATA;
	}
	if (json)
		summary_json(&t);
	else
		summary_text(&t);
	cli_close_stdout();
	kc_verifier_free(t.v);
	free(template_text);
	free(t.use);
	return rc;
}
