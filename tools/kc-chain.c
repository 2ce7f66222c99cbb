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
"  -q, --questions FILE   where distractor questions come from (default:\n"
"                         the pool kc-fill used); may be repeated\n"
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

/* Question pools by the name they were loaded from: kc-fill records the
 * pool it drew from, and that is the default here. */
struct loaded {
	char *name;
	kc_pool *pool;
	kc_chainer *chainer;
};

struct ctx {
	struct kc_chain_opts opts;
	kc_chainer *fixed;          /* --questions given */
	struct loaded *loaded;
	size_t nloaded;
	unsigned long done;
};

static kc_chainer *chainer_for(struct ctx *c, const json_t *rec,
                               struct kc_error *err)
{
	const char *name;
	kc_pool *pool;
	struct loaded *l;

	if (c->fixed)
		return c->fixed;
	name = json_string_value(json_object_get(json_object_get(rec, "fill"),
	                                         "pool"));
	if (!name) {
		kc_error_set(err, KC_EFIELD, "no question pool: give --questions "
		             "(the record has no \"fill\".\"pool\")");
		return NULL;
	}
	for (size_t i = 0; i < c->nloaded; i++)
		if (!strcmp(c->loaded[i].name, name))
			return c->loaded[i].chainer;
	if (kc_pool_new(&pool))
		cli_die("out of memory");
	kc_pool_set_flags(pool, KC_POOL_QUESTIONS_ONLY);
	if (kc_pool_load(pool, name, err)) {
		/* Not a record's fault: the pool itself is unusable. */
		cli_report(err);
		exit(CLI_FATAL);
	}
	l = realloc(c->loaded, (c->nloaded + 1) * sizeof *l);
	if (!l)
		cli_die("out of memory");
	c->loaded = l;
	l = &c->loaded[c->nloaded++];
	l->name = strdup(name);
	l->pool = pool;
	if (!l->name || kc_chainer_new(&l->chainer, pool, &c->opts, err))
		cli_die("out of memory");
	return l->chainer;
}

static int chain_one(json_t *rec, const struct kc_error *where, void *data)
{
	struct ctx *c = data;
	struct kc_error err;
	kc_chainer *ch;

	kc_error_clear(&err);
	if (!json_is_array(json_object_get(rec, "passages")))
		kc_error_set(&err, KC_EFIELD, "missing \"passages\" (run kc-fill "
		             "first)");
	else if ((ch = chainer_for(c, rec, &err)))
		kc_chain(ch, rec, &err);
	if (err.status)
		return cli_record_error(where, &err);
	cli_write(rec);
	cli_progress(++c->done, 0);
	return CLI_OK;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	struct kc_error err;
	const char **qfiles;
	int nq = 0, c, rc;
	kc_pool *qpool = NULL;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_chain_opts_init(&ctx.opts);
	qfiles = calloc((size_t)argc + 1, sizeof *qfiles);
	while ((c = getopt_long(argc, argv, "hl:q:s:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(); break;
		case 'l': ctx.opts.plan.length = cli_length("--length", optarg); break;
		case 'q': qfiles[nq++] = optarg; break;
		case 's':
			ctx.opts.plan.seed = cli_u64("--seed", optarg);
			ctx.opts.plan.seed_set = 1;
			break;
		case 'V': cli_version(); break;
		case O_CHAINS:
			ctx.opts.plan.chains = cli_long("--chains", optarg, 0, 1L << 20);
			break;
		case O_HOPS: ctx.opts.plan.hops = cli_long("--hops", optarg, 1, 1024); break;
		case O_DISTRACTORS:
			ctx.opts.plan.distractors = cli_long("--distractors", optarg, 0,
			                                1L << 24);
			break;
		case O_TREE: ctx.opts.plan.tree = 1; break;
		case O_UUID:
			if (kc_uuid_format_parse(optarg, &ctx.opts.plan.uuid))
				cli_usage_error("invalid --uuid '%s' (default, default_N, "
				                "nano_N)", optarg);
			break;
		case O_ENTROPY: ctx.opts.system_entropy = 1; break;
		case O_UNBUF: cli_unbuffered(); break;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n",
			        cli_progname);
			free(qfiles);
			return CLI_FATAL;
		}
	}
	kc_error_clear(&err);
	rc = CLI_FATAL;
	if (nq) {
		if (kc_pool_new(&qpool)) {
			kc_error_set(&err, KC_ENOMEM, "out of memory");
			goto fail;
		}
		kc_pool_set_flags(qpool, KC_POOL_QUESTIONS_ONLY);
		for (int i = 0; i < nq; i++)
			if (kc_pool_load(qpool, qfiles[i], &err))
				goto fail;
		if (kc_chainer_new(&ctx.fixed, qpool, &ctx.opts, &err))
			goto fail;
	}
	rc = cli_each_record(argv + optind, argc - optind, chain_one, &ctx);
	cli_progress_end();
	cli_close_stdout();
	goto done;
fail:
	cli_report(&err);
done:
	kc_chainer_free(ctx.fixed);
	kc_pool_free(qpool);
	for (size_t i = 0; i < ctx.nloaded; i++) {
		kc_chainer_free(ctx.loaded[i].chainer);
		kc_pool_free(ctx.loaded[i].pool);
		free(ctx.loaded[i].name);
	}
	free(ctx.loaded);
	free(qfiles);
	return rc;
}
