/*
 * kc-filter - keep records by difficulty band (judge.correct or
 * judge.pass_rate, as kc-judge writes them), by id list and by source.
 * See kc-filter(1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-filter [-hsuV] [-c range] [-i file] [-p range] [-P preset]\n"
"                 [-S source] [-x file] [file ...]\n"
"\n"
"Keep the records that pass every filter given; write them unchanged.\n"
"\n"
"  -c, --correct=RANGE      judge.correct in RANGE: A..B, A.., ..B or A;\n"
"                           a bound may be n or n-K (judge.n), e.g. 1..n-1\n"
"  -i, --ids=FILE           only ids listed in FILE (one per line)\n"
"  -p, --pass-rate=RANGE    judge.pass_rate in RANGE, e.g. 0.1..0.9\n"
"  -P, --preset=NAME        stage1 (--correct 1..6), filter-again (0..n-1),\n"
"                           second-chance (1..n-1)\n"
"  -S, --source=NAME        only records whose source is NAME (repeatable)\n"
"  -x, --exclude-ids=FILE   drop ids listed in FILE\n"
"  -s, --stats              print counts kept, dropped by reason, and the\n"
"                           histogram of judge.correct to standard error\n"
"  -u, --unbuffered         write each record as soon as it is read\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n";

static const struct option longopts[] = {
	{ "correct", required_argument, NULL, 'c' },
	{ "exclude-ids", required_argument, NULL, 'x' },
	{ "help", no_argument, NULL, 'h' },
	{ "ids", required_argument, NULL, 'i' },
	{ "pass-rate", required_argument, NULL, 'p' },
	{ "preset", required_argument, NULL, 'P' },
	{ "source", required_argument, NULL, 'S' },
	{ "stats", no_argument, NULL, 's' },
	{ "unbuffered", no_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "c:hi:p:P:sS:ux:V", longopts };

static int filter_one(json_t *rec, const struct kc_error *where, void *arg)
{
	kc_filter *f = arg;
	struct kc_error err;
	enum kc_drop why;

	kc_error_clear(&err);
	if (kc_filter_record(f, rec, &why, &err))
		return cli_record_error(where, &err);
	if (why == KC_DROP_NONE)
		cli_write(rec);
	return CLI_OK;
}

static void stats(const struct kc_filter_stats *s)
{
	unsigned long dropped = 0;

	for (int k = 1; k < KC_DROP_COUNT; k++)
		dropped += s->dropped[k];
	fprintf(stderr, "read %lu  kept %lu  dropped %lu  bad %lu\n", s->read,
	        s->kept, dropped, s->bad);
	fprintf(stderr, "dropped by");
	for (int k = 1; k < KC_DROP_COUNT; k++)
		fprintf(stderr, "  %s %lu", kc_drop_name((enum kc_drop)k),
		        s->dropped[k]);
	fputc('\n', stderr);
	if (!s->judged)
		return;
	fprintf(stderr, "correct     read     kept\n");
	for (size_t k = 0; k < s->hist_len; k++)
		fprintf(stderr, "%7zu  %7lu  %7lu\n", k, s->hist_read[k],
		        s->hist_kept[k]);
	if (s->hist_over)
		fprintf(stderr, "%6d+  %7lu\n", KC_JUDGE_HIST_MAX, s->hist_over);
}

int main(int argc, char **argv)
{
	struct kc_error err;
	kc_filter *f;
	int ch, rc, want_stats = 0;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_error_clear(&err);
	if (kc_filter_new(&f, &err))
		cli_die("%s", err.text);
	while ((ch = cli_getopt(argc, argv, &tool)) != -1) {
		kc_status st = KC_OK;

		switch (ch) {
		case 'c':
			st = kc_filter_set_correct(f, optarg, &err);
			break;
		case 'i':
		case 'x':
			if (kc_filter_load_ids(f, optarg, ch == 'x', &err))
				cli_die("%s", err.text);
			break;
		case 'p':
			st = kc_filter_set_pass_rate(f, optarg, &err);
			break;
		case 'P':
			st = kc_filter_set_preset(f, optarg, &err);
			break;
		case 's':
			want_stats = 1;
			break;
		case 'S':
			st = kc_filter_add_source(f, optarg, &err);
			break;
		case 'u':
			cli_unbuffered();
			break;
		}
		if (st == KC_ENOMEM)
			cli_die("%s", err.text);
		if (st)
			cli_usage_error("%s", err.text);
	}
	rc = cli_each_record(argv + optind, argc - optind,
	                     &(struct cli_walk){ .record = filter_one, .ctx = f });
	cli_close_stdout();
	if (want_stats)
		stats(kc_filter_stats(f));
	kc_filter_free(f);
	return rc;
}
