/*
 * kc-judge - extract each response's final answer and score it against
 * the gold answers (em, sub_em, cem, f1, format_em, format_f1); add
 * "judge" to the record.  See kc-judge(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-judge [-hsuV] [-a field] [-e rule] [-m metric] [-r field]\n"
"                [-t threshold] [--reference-compat] [--truncated how]\n"
"                [file ...]\n"
"\n"
"Score each record's responses against its gold answers and add \"judge\".\n"
"\n"
"  -a, --answers-field=FIELD   gold answers (default answers; a dotted\n"
"                              path such as reward_model.ground_truth)\n"
"  -e, --extract=RULE          auto, boxed, think, answer-is, answer-line,\n"
"                              answer-tag or none (default: auto, or none\n"
"                              for a \"prediction\"/\"pred\" record)\n"
"  -m, --metric=NAME           what counts as correct: em, sub_em, cem\n"
"                              (default), f1, format_em, format_f1\n"
"  -r, --response-field=FIELD  the responses (a string or a list of\n"
"                              strings; default responses, prediction, pred)\n"
"  -t, --threshold=T           f1, format_f1: correct when above T (0.75)\n"
"      --truncated=HOW         an answer cut short (finish reason \"length\"):\n"
"                              keep (judge it; default), wrong (count it\n"
"                              as wrong), skip (leave it out of n)\n"
"      --reference-compat      let an answer that normalizes to \"\" match\n"
"                              (the reference's behaviour)\n"
"  -s, --summary               print averages and the histogram of correct\n"
"                              counts to standard error\n"
"  -u, --unbuffered            write each record as soon as it is done\n"
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n";

enum { OPT_COMPAT = 256, OPT_TRUNCATED };

static const struct option longopts[] = {
	{ "answers-field", required_argument, NULL, 'a' },
	{ "extract", required_argument, NULL, 'e' },
	{ "help", no_argument, NULL, 'h' },
	{ "metric", required_argument, NULL, 'm' },
	{ "reference-compat", no_argument, NULL, OPT_COMPAT },
	{ "response-field", required_argument, NULL, 'r' },
	{ "summary", no_argument, NULL, 's' },
	{ "threshold", required_argument, NULL, 't' },
	{ "truncated", required_argument, NULL, OPT_TRUNCATED },
	{ "unbuffered", no_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "a:e:hm:r:st:uV", longopts };

struct ctx {
	kc_judge *judge;
};

static int judge_one(json_t *rec, const struct kc_error *where, void *arg)
{
	struct ctx *c = arg;
	struct kc_error err;

	kc_error_clear(&err);
	if (kc_judge_record(c->judge, rec, &err))
		return cli_record_error(where, &err);
	cli_write(rec);
	return CLI_OK;
}

static void summary(const struct kc_judge_opts *o,
                    const struct kc_judge_totals *t)
{
	double r = t->records ? (double)t->records : 1;
	double n = t->responses ? (double)t->responses : 1;

	fprintf(stderr, "records %lu  responses %lu  answered %lu  metric %s",
	        t->records, t->responses, t->answered,
	        kc_metric_name(o->metric));
	if (kc_metric_graded(o->metric))
		fprintf(stderr, " > %g", o->threshold);
	fprintf(stderr, "  extract %s%s\n",
	        o->extract == KC_EXTRACT_DEFAULT ? "default"
	                                          : kc_extract_name(o->extract),
	        o->reference_compat ? "  reference-compat" : "");
	fprintf(stderr, "pass rate  macro %.4f  micro %.4f  any correct "
	        "%.4f\n", t->pass_rate_sum / r, (double)t->correct / n,
	        (double)t->any_correct / r);
	fprintf(stderr, "mean");
	for (int k = 0; k < KC_METRIC_COUNT; k++)
		fprintf(stderr, "  %s %.4f", kc_metric_name((enum kc_metric)k),
		        t->metric_sum[k] / n);
	fprintf(stderr, "\ncorrect  records\n");
	for (size_t k = 0; k < t->hist_len; k++)
		fprintf(stderr, "%7zu  %7lu\n", k, t->hist[k]);
	if (t->hist_over)
		fprintf(stderr, "%6d+  %7lu\n", KC_JUDGE_HIST_MAX, t->hist_over);
}

int main(int argc, char **argv)
{
	struct kc_judge_opts o;
	struct kc_error err;
	struct ctx c = { 0 };
	int ch, rc, want_summary = 0;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_judge_opts_init(&o);
	while ((ch = cli_getopt(argc, argv, &tool)) != -1) {
		switch (ch) {
		case 'a':
			o.answers_field = optarg;
			break;
		case 'e':
			if (kc_extract_parse(optarg, &o.extract, &err))
				cli_usage_error("%s", err.text);
			break;
		case 'm':
			if (kc_metric_parse(optarg, &o.metric, &err))
				cli_usage_error("%s", err.text);
			break;
		case OPT_COMPAT:
			o.reference_compat = 1;
			break;
		case 'r':
			o.response_field = optarg;
			break;
		case 's':
			want_summary = 1;
			break;
		case 't':
			o.threshold = cli_double("--threshold", optarg, 0, 1);
			break;
		case 'u':
			cli_unbuffered();
			break;
		case OPT_TRUNCATED:
			if (!strcmp(optarg, "keep"))
				o.truncated = KC_TRUNCATED_KEEP;
			else if (!strcmp(optarg, "wrong"))
				o.truncated = KC_TRUNCATED_WRONG;
			else if (!strcmp(optarg, "skip"))
				o.truncated = KC_TRUNCATED_SKIP;
			else
				cli_usage_error("unknown --truncated '%s' (keep, "
				                "wrong or skip)", optarg);
			break;
		}
	}
	if ((o.answers_field && !*o.answers_field) ||
	    (o.response_field && !*o.response_field))
		cli_usage_error("empty field name");
	kc_error_clear(&err);
	if (kc_judge_new(&c.judge, &o, &err))
		cli_die("%s", err.text);
	rc = cli_each_record(argv + optind, argc - optind,
	                     &(struct cli_walk){ .record = judge_one, .ctx = &c });
	cli_close_stdout();
	if (want_summary)
		summary(&o, kc_judge_totals(c.judge));
	kc_judge_free(c.judge);
	return rc;
}
