/*
 * kc-fill - compose a long context around each record's own passages.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-fill --pool FILE --length N [OPTION]... [FILE]...\n"
"Compose a long context for each canonical record: its own passages placed\n"
"among random filler passages from the pool, as many as the token budget\n"
"holds once the chains and the prompt are planned for.\n"
"\n"
"  -p, --pool FILE        passages and questions to draw from (canonical\n"
"                         records or a dataset file); may be repeated\n"
"      --strict           refuse a pool with records that cannot serve\n"
"                         (default: skip them, counted, with a warning)\n"
"  -l, --length N         the whole sequence in tokens: 32768, 32k, 128k\n"
"  -g, --generate N       tokens kept for the answer (128)\n"
"  -t, --tokenizer SPEC   qwen (default), llama3, a path, a HF repo id\n"
"  -s, --seed N           seed of every random choice (42)\n"
"      --place WHERE      gaussian (default), uniform\n"
"      --depth D          put the supporting passages at depth D (0..1),\n"
"                         or at a depth drawn for each record: uniform\n"
"      --relevant-only    the supporting passages only, no fillers\n"
"      --recipe NAME      kc (default): every distractor question that fits\n"
"                         brings its supporting passages, the record only\n"
"                         its supporting ones; keychain: the reference's\n"
"                         (all own passages, no distractor evidence)\n"
"      --entangle N       distractor questions that bring their evidence\n"
"                         (all: as many as fit; 0: none)\n"
"      --entangle-share F at most F of the passages' budget for it (0.95)\n"
"      --own WHICH        the record's own passages: supporting, or all\n"
"                         while they fit\n"
"      --similar N        the chain ends' questions: of N candidates each,\n"
"                         those most like the record's (1: at random)\n"
"      --chains N         chains planned for (4 per 1K of length)\n"
"      --hops N           UUIDs per chain (4)\n"
"      --uuid FORM        default, default_N (default_8), nano_N\n"
"      --distractors N    distractor questions (16 per 1K of length)\n"
"      --tree             the real chain is a binary tree\n"
"      --decoys N         branches off the real chain that lead nowhere (0)\n"
"      --near-miss N      pairs whose key is a real key with one or two\n"
"                         characters changed, leading nowhere (0)\n"
"      --no-chains        plan no chains\n"
"      --preset NAME      the prompt kc-render will use (keychain-rl)\n"
"      --chat NAME        chat template counted: auto, none, or N tokens\n"
"      --overfill F       plan F over the budget for kc-render to trim (0.01)\n"
"      --no-count-cache   count every passage anew (default: keep the\n"
"                         counts in $KC_COUNTS_DIR, ~/.cache/kc/counts)\n"
"      --unbuffered       write each record at once\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Lengths take a k suffix (32k = 32768).  See kc-fill(1) and kc(7).\n";

enum { OPT_PLACE = 256, OPT_DEPTH, OPT_RELEVANT, OPT_NOCHAINS, OPT_PRESET,
       OPT_CHAT, OPT_OVERFILL, OPT_UNBUF, OPT_STRICT, OPT_RECIPE,
       OPT_ENTANGLE, OPT_SHARE, OPT_OWN, OPT_SIMILAR, OPT_NO_CACHE };

static const struct option longopts[] = {
	CLI_PLAN_OPTIONS,
	{ "chat", required_argument, NULL, OPT_CHAT },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "entangle", required_argument, NULL, OPT_ENTANGLE },
	{ "entangle-share", required_argument, NULL, OPT_SHARE },
	{ "generate", required_argument, NULL, 'g' },
	{ "help", no_argument, NULL, 'h' },
	{ "no-chains", no_argument, NULL, OPT_NOCHAINS },
	{ "no-count-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "overfill", required_argument, NULL, OPT_OVERFILL },
	{ "own", required_argument, NULL, OPT_OWN },
	{ "place", required_argument, NULL, OPT_PLACE },
	{ "pool", required_argument, NULL, 'p' },
	{ "preset", required_argument, NULL, OPT_PRESET },
	{ "recipe", required_argument, NULL, OPT_RECIPE },
	{ "relevant-only", no_argument, NULL, OPT_RELEVANT },
	{ "similar", required_argument, NULL, OPT_SIMILAR },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "tokenizer", required_argument, NULL, 't' },
	{ "unbuffered", no_argument, NULL, OPT_UNBUF },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli_tool tool = { usage_text, "g:hl:p:s:t:V", longopts };

struct ctx {
	kc_filler *filler;
};

static int fill_one(json_t *rec, const struct kc_error *where, void *data)
{
	struct ctx *c = data;
	struct kc_error err;

	kc_error_clear(&err);
	if (kc_record_validate(rec, &err) || kc_fill(c->filler, rec, &err))
		return cli_record_error(where, &err);
	cli_write(rec);
	return CLI_OK;
}

/* What the options say besides the fill options. */
struct args {
	const char *tokspec;
	char **pools;
	int npools;
	unsigned pool_flags;
	int no_cache;
};

static void parse_options(int argc, char **argv, struct kc_fill_opts *o,
                          struct args *a)
{
	const char *recipe = "kc", *own = NULL;
	long entangle = -2;
	double share = -1;
	struct kc_plan plan;
	struct kc_error err;
	int c;

	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		if (cli_plan_option(c, optarg, &o->plan))
			continue;
		switch (c) {
		case 'g':
			o->plan.generate = cli_long("--generate", optarg, 0, 1L << 30);
			break;
		case 'p': a->pools[a->npools++] = optarg; break;
		case 't': a->tokspec = optarg; break;
		case OPT_PLACE:
			if (kc_place_parse(optarg, &o->place, &err))
				cli_usage_error("%s", err.text);
			break;
		case OPT_DEPTH:
			o->place = KC_PLACE_DEPTH;
			o->depth = strcmp(optarg, "uniform") ? cli_double("--depth",
			                                   optarg, 0, 1) : -1;
			break;
		case OPT_RELEVANT: o->relevant_only = 1; break;
		case OPT_NOCHAINS: o->plan.chains = 0; break;
		case OPT_PRESET:
			if (!kc_preset(optarg))
				cli_unknown("preset", optarg, kc_preset_names());
			o->plan.preset = optarg;
			break;
		case OPT_CHAT: o->plan.chat = optarg; break;
		case OPT_OVERFILL:
			o->overfill = cli_double("--overfill", optarg, 0, 0.5);
			break;
		case OPT_UNBUF: cli_unbuffered(); break;
		case OPT_NO_CACHE: a->no_cache = 1; break;
		case OPT_STRICT: a->pool_flags |= KC_POOL_STRICT; break;
		case OPT_RECIPE: recipe = optarg; break;
		case OPT_ENTANGLE:
			entangle = strcmp(optarg, "all") ? cli_long("--entangle",
			                                            optarg, 0, 1L << 20)
			                                 : -1;
			break;
		case OPT_SHARE:
			share = cli_double("--entangle-share", optarg, 0, 1);
			break;
		case OPT_OWN: own = optarg; break;
		case OPT_SIMILAR:
			o->similar = cli_long("--similar", optarg, 1, 1024);
			break;
		}
	}
	/* The recipe first, then what is set one by one. */
	if (kc_fill_recipe(o, recipe, &err))
		cli_usage_error("%s", err.text);
	if (entangle != -2)
		o->entangle = entangle;
	if (share >= 0)
		o->entangle_share = share;
	if (own && strcmp(own, "all") && strcmp(own, "supporting"))
		cli_unknown("--own", own, (const char *const[]){ "supporting",
		            "all", NULL });
	if (own)
		o->own_all = !strcmp(own, "all");
	if (!o->plan.length)
		cli_usage_error("missing --length (the sequence length, e.g. "
		                "--length 32k)");
	if (!a->npools)
		cli_usage_error("missing --pool (the dataset to draw fillers from)");
	if (kc_plan_resolve(&plan, NULL, &o->plan, &err))
		cli_usage_error("%s", err.text);
	o->pools = (const char *const *)a->pools;
	o->npools = (size_t)a->npools;
}

/*
 * Where passage counts are kept between runs: $KC_COUNTS_DIR, else
 * counts/ in $KC_CACHE_HOME, $XDG_CACHE_HOME/kc or ~/.cache/kc; NULL for
 * none (KC_COUNTS_DIR set empty, or no home).
 */
static const char *counts_dir(char *buf, size_t size)
{
	const char *d = getenv("KC_COUNTS_DIR"), *base;
	const char *sub = "kc/counts";

	if (d)
		return *d ? d : NULL;
	if ((base = getenv("KC_CACHE_HOME")) && *base) {
		sub = "counts";
	} else if (!(base = getenv("XDG_CACHE_HOME")) || !*base) {
		if (!(base = getenv("HOME")) || !*base)
			return NULL;
		sub = ".cache/kc/counts";
	}
	return (size_t)snprintf(buf, size, "%s/%s", base, sub) < size ? buf
	                                                             : NULL;
}

/* The counts kept by earlier runs: a cache that cannot be read is only
 * a warning. */
static void counts_load(kc_pool *pool, kc_tokenizer *tok, const char *dir)
{
	struct kc_error err;
	size_t found;

	kc_error_clear(&err);
	if (dir && kc_pool_counts_load(pool, tok, dir, &found, &err))
		cli_warn("%s (counting the passages anew)", err.text);
}

static void counts_save(kc_pool *pool, kc_tokenizer *tok, const char *dir)
{
	struct kc_error err;
	size_t written;

	kc_error_clear(&err);
	if (dir && kc_pool_counts_save(pool, tok, dir, &written, &err))
		cli_warn("%s (the counts of this run are not kept)", err.text);
}

int main(int argc, char **argv)
{
	struct kc_fill_opts o;
	struct args a = { 0 };
	struct kc_error err;
	kc_tokenizer *tok = NULL;
	kc_pool *pool = NULL;
	struct ctx ctx = { 0 };
	int rc = CLI_FATAL;
	char dirbuf[4096];
	const char *dir;

	cli_init(argc, argv);
	kc_json_fast_alloc();
	kc_fill_opts_init(&o, 0);
	a.pools = calloc((size_t)argc + 1, sizeof *a.pools);
	parse_options(argc, argv, &o, &a);
	dir = a.no_cache ? NULL : counts_dir(dirbuf, sizeof dirbuf);

	kc_error_clear(&err);
	if (kc_tokenizer_open(&tok, a.tokspec, &err))
		goto fail;
	pool = cli_pool_load(a.pools, a.npools, a.pool_flags);
	if (!kc_pool_passages(pool)) {
		kc_error_set(&err, KC_EPOOL, "no passages in the pool");
		err.source = a.pools[0];
		goto fail;
	}
	if (kc_filler_new(&ctx.filler, pool, tok, &o, &err))
		goto fail;
	counts_load(pool, tok, dir);
	rc = cli_each_record(argv + optind, argc - optind,
	                     &(struct cli_walk){ .record = fill_one, .ctx = &ctx });
	counts_save(pool, tok, dir);
	cli_close_stdout();
	goto done;
fail:
	cli_report(&err);
done:
	kc_filler_free(ctx.filler);
	kc_pool_free(pool);
	kc_tokenizer_free(tok);
	free(a.pools);
	return rc;
}
