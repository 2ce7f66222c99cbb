/*
 * kc-chain - hide each record's question behind chains of UUID keys.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(void)
{
	printf(
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
"  -l, --length N         plan defaults for records kc-fill did not plan\n"
"  -s, --seed N           seed (default: the record's plan, else 42)\n"
"      --system-entropy   UUIDs from the system's entropy (not reproducible)\n"
"      --unbuffered       write each record at once\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"See kc-chain(1) and kc(7).\n");
	exit(0);
}

enum { O_CHAINS = 256, O_HOPS, O_UUID, O_DISTRACTORS, O_TREE, O_ENTROPY,
       O_UNBUF };

static const struct option longopts[] = {
	{ "chains", required_argument, NULL, O_CHAINS },
	{ "distractors", required_argument, NULL, O_DISTRACTORS },
	{ "help", no_argument, NULL, 'h' },
	{ "hops", required_argument, NULL, O_HOPS },
	{ "length", required_argument, NULL, 'l' },
	{ "questions", required_argument, NULL, 'q' },
	{ "seed", required_argument, NULL, 's' },
	{ "system-entropy", no_argument, NULL, O_ENTROPY },
	{ "tree", no_argument, NULL, O_TREE },
	{ "unbuffered", no_argument, NULL, O_UNBUF },
	{ "uuid", required_argument, NULL, O_UUID },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct ctx {
	kc_chainer *chainer;
	unsigned long done;
};

static int chain_one(json_t *rec, const struct kc_error *where, void *data)
{
	struct ctx *c = data;
	struct kc_error err;

	kc_error_clear(&err);
	if (!json_is_array(json_object_get(rec, "passages")))
		kc_error_set(&err, KC_EFIELD, "missing \"passages\" (run kc-fill "
		             "first)");
	else
		kc_chain(c->chainer, rec, &err);
	if (err.status)
		return cli_record_error(where, &err);
	cli_write(rec);
	cli_progress(++c->done, 0);
	return CLI_OK;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	struct kc_chain_opts opts;
	struct kc_error err;
	char **qfiles;
	int nq = 0, c, rc;
	kc_pool *qpool = NULL;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_chain_opts_init(&opts);
	qfiles = calloc((size_t)argc + 1, sizeof *qfiles);
	while ((c = getopt_long(argc, argv, "hl:q:s:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(); break;
		case 'l': opts.plan.length = cli_length("--length", optarg); break;
		case 'q': qfiles[nq++] = optarg; break;
		case 's':
			opts.plan.seed = cli_u64("--seed", optarg);
			opts.plan.seed_set = 1;
			break;
		case 'V': cli_version(); break;
		case O_CHAINS:
			opts.plan.chains = cli_long("--chains", optarg, 0, 1L << 20);
			break;
		case O_HOPS: opts.plan.hops = cli_long("--hops", optarg, 1, 1024); break;
		case O_DISTRACTORS:
			opts.plan.distractors = cli_long("--distractors", optarg, 0,
			                                1L << 24);
			break;
		case O_TREE: opts.plan.tree = 1; break;
		case O_UUID:
			if (kc_uuid_format_parse(optarg, &opts.plan.uuid))
				cli_usage_error("invalid --uuid '%s' (default, default_N, "
				                "nano_N)", optarg);
			break;
		case O_ENTROPY: opts.system_entropy = 1; break;
		case O_UNBUF: cli_unbuffered(); break;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n",
			        cli_progname);
			free(qfiles);
			return CLI_FATAL;
		}
	}
	kc_error_clear(&err);
	if (nq)
		qpool = cli_pool_load(qfiles, nq, KC_POOL_QUESTIONS_ONLY);
	if (kc_chainer_new(&ctx.chainer, qpool, &opts, &err)) {
		cli_report(&err);
		rc = CLI_FATAL;
	} else {
		rc = cli_each_record(argv + optind, argc - optind, chain_one, &ctx);
		cli_progress_end();
		cli_close_stdout();
	}
	kc_chainer_free(ctx.chainer);
	kc_pool_free(qpool);
	free(qfiles);
	return rc;
}
