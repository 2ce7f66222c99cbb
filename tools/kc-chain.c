/*
 * kc-chain - hide each record's question behind chains of UUID keys.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-chain [OPTION]... [FILE]...\n"
"Add UUID key chains to filled records: chain 0 leads from the head to the\n"
"record's question, the others to distractor questions of other records;\n"
"every pair goes to its own sentence end of the context.\n"
"\n"
"  -q, --questions FILE   pick the distractor questions anew from FILE\n"
"                         (default: those kc-fill picked); may be repeated\n"
"      --chains N         chains (default: the record's plan, else 4 per 1K)\n"
"      --hops N           UUIDs per chain (4)\n"
"      --uuid FORM        default, default_N (default_8), nano_N\n"
"      --distractors N    distractor questions sampled (16 per 1K)\n"
"      --tree             the real chain is a complete binary tree\n"
"      --decoys N         branches off the real chain that lead nowhere (0)\n"
"      --near-miss N      pairs whose key is a real key with one or two\n"
"                         characters changed, leading nowhere (0)\n"
"  -l, --length N         plan defaults for records kc-fill did not plan\n"
"  -s, --seed N           seed (default: the record's plan, else 42)\n"
"      --system-entropy   UUIDs from the system's entropy (not reproducible)\n"
"      --unbuffered       write each record at once\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"See kc-chain(1) and kc(7).\n";

enum { OPT_ENTROPY = 256, OPT_UNBUF };

static const struct option longopts[] = {
	CLI_PLAN_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ "questions", required_argument, NULL, 'q' },
	{ "system-entropy", no_argument, NULL, OPT_ENTROPY },
	{ "unbuffered", no_argument, NULL, OPT_UNBUF },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "hl:q:s:V", longopts };

static int chain_one(json_t *rec, const struct kc_error *where, void *data)
{
	kc_chainer *ch = data;
	struct kc_error err;
	kc_status st;

	kc_error_clear(&err);
	st = kc_chain(ch, rec, &err);
	if (st == KC_EFIELD || st == KC_EINVAL || st == KC_EBUDGET ||
	    st == KC_EPOOL)
		return cli_record_error(where, &err);
	if (st) {
		cli_report(&err);   /* out of memory */
		return CLI_FATAL;
	}
	cli_write(rec);
	return CLI_OK;
}

int main(int argc, char **argv)
{
	struct kc_chain_opts opts;
	struct kc_error err;
	char **qfiles;
	int nq = 0, c, rc;
	kc_pool *qpool = NULL;
	kc_chainer *chainer = NULL;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_chain_opts_init(&opts);
	qfiles = calloc((size_t)argc + 1, sizeof *qfiles);
	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		if (cli_plan_option(c, optarg, &opts.plan))
			continue;
		switch (c) {
		case 'q': qfiles[nq++] = optarg; break;
		case OPT_ENTROPY: opts.system_entropy = 1; break;
		case OPT_UNBUF: cli_unbuffered(); break;
		}
	}
	if (opts.plan.tree > 0 && opts.plan.decoys > 0)
		cli_usage_error("--decoys branch off a chain, not a --tree");
	kc_error_clear(&err);
	rc = CLI_FATAL;
	if (nq)
		qpool = cli_pool_load(qfiles, nq, KC_POOL_QUESTIONS_ONLY);
	if (kc_chainer_new(&chainer, qpool, &opts, &err))
		goto fail;
	rc = cli_each_record(argv + optind, argc - optind,
	                     &(struct cli_walk){ .record = chain_one,
	                                         .ctx = chainer });
	cli_close_stdout();
	goto done;
fail:
	cli_report(&err);
done:
	kc_chainer_free(chainer);
	kc_pool_free(qpool);
	free(qfiles);
	return rc;
}
