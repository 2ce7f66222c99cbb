/*
 * kc-ask - ask an OpenAI-compatible server for each record's answers.
 *
 * Options, a resume set, one library call (kc_ask_run) whose hooks write
 * the records (cli_write), report the bad ones (cli_report) and show
 * progress while stderr is a terminal.  See kc-ask(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage_text[] =
"Usage: kc-ask [OPTION]... [FILE]...\n"
"Send each record's messages (or prompt) to an OpenAI-compatible\n"
"chat-completions server and add its answers as \"responses\".\n"
"\n"
"      --api-key KEY          bearer token (visible in ps: prefer\n"
"                             $OPENAI_API_KEY)\n"
"      --backoff SECONDS      delay before the first retry (1); doubles\n"
"  -j, --concurrency N        requests in flight (32)\n"
"      --connect-timeout SECONDS  (30)\n"
"      --extra JSON           an object merged into every request body\n"
"  -h, --help                 show this help and exit\n"
"      --max-failures N       stop (exit 2) after N records failed\n"
"      --max-tokens N         max_tokens of each request\n"
"  -m, --model NAME           the model to ask (default: none sent; the\n"
"                             server's own, if it has one)\n"
"  -n, --n N                  answers per record (1)\n"
"      --n-per-request K      at most K answers per request (1: n is\n"
"                             never sent, one request per answer); a\n"
"                             server that refuses n > K gets K anyway\n"
"      --resume FILE          skip records already answered in FILE\n"
"      --retries N            retries of a failed request (5)\n"
"      --seed N               send a seed derived from (N, record id)\n"
"      --stats                print the totals at the end, saying which\n"
"                             figures are the server's and which kc's\n"
"  -t, --tokenizer SPEC       count each answer's tokens with SPEC into\n"
"                             \"response_tokens\" (see kc-tok(1))\n"
"      --temperature T\n"
"      --timeout SECONDS      per request; 0 for none (600)\n"
"      --top-p P\n"
"      --unreachable N        stop when one request failed N times to\n"
"                             reach a server that never answered (3;\n"
"                             0: retry as for any failure)\n"
"  -u, --url URL              base URL, e.g. http://127.0.0.1:8000/v1\n"
"                             (default $OPENAI_BASE_URL)\n"
"  -V, --version              show the version and exit\n"
"\n"
"Exit status: 0 all answered, 1 some records failed or were bad,\n"
"2 usage or fatal error.  See kc-ask(1).\n";

enum {
	OPT_API_KEY = 256, OPT_BACKOFF, OPT_CONNECT_TIMEOUT, OPT_EXTRA,
	OPT_MAX_FAILURES, OPT_MAX_TOKENS, OPT_N_PER_REQUEST, OPT_RESUME, OPT_RETRIES,
	OPT_SEED, OPT_STATS, OPT_TEMPERATURE, OPT_TIMEOUT, OPT_TOP_P,
	OPT_UNREACHABLE,
};

static const struct option longopts[] = {
	{ "api-key", required_argument, NULL, OPT_API_KEY },
	{ "backoff", required_argument, NULL, OPT_BACKOFF },
	{ "concurrency", required_argument, NULL, 'j' },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "extra", required_argument, NULL, OPT_EXTRA },
	{ "help", no_argument, NULL, 'h' },
	{ "max-failures", required_argument, NULL, OPT_MAX_FAILURES },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "model", required_argument, NULL, 'm' },
	{ "n", required_argument, NULL, 'n' },
	{ "n-per-request", required_argument, NULL, OPT_N_PER_REQUEST },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "tokenizer", required_argument, NULL, 't' },
	{ "temperature", required_argument, NULL, OPT_TEMPERATURE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "top-p", required_argument, NULL, OPT_TOP_P },
	{ "unreachable", required_argument, NULL, OPT_UNREACHABLE },
	{ "url", required_argument, NULL, 'u' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_tool tool = { usage_text, "hj:m:n:t:u:V", longopts };

/* What the hooks need: the input's lines, when known; the totals. */
struct run {
	unsigned long total;
	int n;                    /* --n */
	int noted;                /* the n limit was reported */
	unsigned long answers, requests, counted;
	json_int_t prompt, completion, response_tokens;
};

/* A number of an object, or 0. */
static json_int_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static int on_emit(const json_t *rec, void *ctx)
{
	struct run *r = ctx;
	const json_t *u = json_object_get(rec, "usage");
	const json_t *t = json_object_get(rec, "response_tokens"), *v;
	size_t i;

	cli_write(rec);
	r->answers += json_array_size(json_object_get(rec, "responses"));
	r->requests += json_array_size(json_object_get(rec, "request_usage"));
	r->prompt += num(u, "prompt_tokens");
	r->completion += num(u, "completion_tokens");
	json_array_foreach(t, i, v) {
		r->response_tokens += json_integer_value(v);
		r->counted++;
	}
	return 0;
}

/* Say once that the server refused n and requests now ask for less. */
static void note_limit(struct run *r, const struct kc_ask_stats *st, int n)
{
	if (!st->n_limit || r->noted)
		return;
	r->noted = 1;
	cli_progress_end();
	cli_warn("note: the server accepts at most n=%d per request: asking "
	         "the %d answers of each record in requests of at most %d "
	         "(--n-per-request %d says so from the start)", st->n_limit,
	         n, st->n_limit, st->n_limit);
}

static void on_report(const struct kc_error *err, void *ctx)
{
	(void)ctx;
	cli_report(err);
}

static int on_tick(const struct kc_ask_stats *st, void *ctx)
{
	struct run *r = ctx;
	char note[96];
	int n;

	note_limit(r, st, r->n);
	/* Whole records reach the file as they complete, so a killed run
	 * loses only what was in flight (see --resume). */
	if (fflush(stdout))
		cli_die("write error: %s", strerror(errno));
	n = snprintf(note, sizeof note, ", %lu failed, %u in flight",
	             st->failed, st->in_flight);
	if (st->retries && n > 0 && (size_t)n < sizeof note)
		snprintf(note + n, sizeof note - (size_t)n, ", %lu retries",
		         st->retries);
	cli_progress(st->written + st->skipped, r->total, note);
	return 0;
}

/* Lines in the regular files among files[0..n), for the progress line;
 * 0 when any input is not a regular file, or when they are so large
 * that counting would hold up the start (a second per GB or so). */
static unsigned long count_lines(char **files, int n)
{
	static char buf[1 << 16];
	unsigned long lines = 0;
	off_t size = 0;

	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++) {
		struct stat st;

		if (!strcmp(files[i], "-") || stat(files[i], &st) ||
		    !S_ISREG(st.st_mode))
			return 0;
		size += st.st_size;
	}
	if (size > ((off_t)2 << 30))
		return 0;
	for (int i = 0; i < n; i++) {
		ssize_t got;
		int fd;

		fd = open(files[i], O_RDONLY);
		if (fd < 0)
			return 0;
		while ((got = read(fd, buf, sizeof buf)) > 0)
			for (char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))); p++)
				lines++;
		close(fd);
	}
	return lines;
}

/* Merge one --extra object into *extra. */
static void add_extra(json_t **extra, const char *arg)
{
	json_error_t je;
	json_t *v = json_loads(arg, 0, &je);

	if (!json_is_object(v)) {
		int parsed = v != NULL;

		json_decref(v);
		cli_usage_error("invalid --extra '%s' (a JSON object%s%s)", arg,
		                parsed ? "" : ": ", parsed ? "" : je.text);
	}
	if (!*extra)
		*extra = json_object();
	if (!*extra || json_object_update(*extra, v))
		cli_die("out of memory");
	json_decref(v);
}

static long millis(const char *opt, const char *arg)
{
	return lround(cli_double(opt, arg, 0, 86400) * 1000.0);
}

/* Load --resume files and protect the one we may be appending to. */
static kc_idset *load_resume(char **paths, int n)
{
	kc_idset *set;

	if (!n)
		return NULL;
	if (kc_idset_new(&set))
		cli_die("out of memory");
	for (int i = 0; i < n; i++) {
		struct kc_ask_resume info;
		struct kc_error err;
		off_t cut = 0;

		kc_error_clear(&err);
		if (!strcmp(paths[i], "-"))
			cli_usage_error("--resume needs a file, not standard "
			                "input");
		if (kc_ask_resume_load(set, paths[i], &info, &err)) {
			cli_report(&err);
			exit(CLI_FATAL);
		}
		if (info.bad)
			cli_warn("%s:%ld: %lu malformed line%s ignored by "
			         "--resume", paths[i], info.first_bad, info.bad,
			         info.bad == 1 ? "" : "s");
		kc_error_clear(&err);
		if (kc_ask_resume_output(STDOUT_FILENO, paths[i], &info, &cut,
		                         &err)) {
			cli_report(&err);
			exit(CLI_FATAL);
		}
		if (cut)
			cli_warn("%s: removed a partial last line (%lld bytes) "
			         "left by an interrupted run", paths[i],
			         (long long)cut);
	}
	return set;
}

/* --stats: where each figure comes from. */
static void print_totals(const struct run *r, const struct kc_ask_stats *st,
                         kc_tokenizer *tok)
{
	cli_warn("%lu records written (%lu answered), %lu answers from %lu "
	         "requests (%lu attempts)", st->written, st->answered,
	         r->answers, r->requests, st->requests);
	cli_warn("the server's usage, summed as reported: %lld prompt tokens "
	         "(once per request), %lld completion tokens (llama.cpp's "
	         "server counts only the first answer of a request with n > "
	         "1)", (long long)r->prompt, (long long)r->completion);
	if (tok)
		cli_warn("counted by kc with %s: %lld tokens in %lu answers",
		         kc_tokenizer_name(tok), (long long)r->response_tokens,
		         r->counted);
	else
		cli_warn("answers not counted by kc (-t TOKENIZER counts them)");
}

/* What the options say besides the ask options. */
struct args {
	char **resume;
	int nresume;
	json_t *extra;      /* --extra's members */
	char *key;
	const char *tokspec;
	int stats;
};

static void parse_options(int argc, char **argv, struct kc_ask_opts *o,
                          struct args *a)
{
	int c;

	while ((c = cli_getopt(argc, argv, &tool)) != -1) {
		switch (c) {
		case OPT_API_KEY:
			free(a->key);
			a->key = strdup(optarg);
			if (!a->key)
				cli_die("out of memory");
			/* Blank it in our argv so that ps no longer shows
			 * it (it did between exec and here). */
			memset(optarg, '*', strlen(optarg));
			break;
		case OPT_BACKOFF:
			o->backoff_ms = millis("--backoff", optarg);
			break;
		case 'j':
			o->concurrency = (int)cli_long("--concurrency", optarg,
			                               1, 4096);
			break;
		case OPT_CONNECT_TIMEOUT:
			o->connect_timeout_ms = millis("--connect-timeout", optarg);
			break;
		case OPT_EXTRA:
			add_extra(&a->extra, optarg);
			break;
		case OPT_MAX_FAILURES:
			o->max_failures = (unsigned long)cli_long(
				"--max-failures", optarg, 1, LONG_MAX);
			break;
		case OPT_MAX_TOKENS:
			o->max_tokens = cli_long("--max-tokens", optarg, 1,
			                         1L << 30);
			break;
		case 'm':
			o->model = optarg;
			break;
		case 'n':
			o->n = (int)cli_long("--n", optarg, 1, 65536);
			break;
		case OPT_N_PER_REQUEST:
			o->n_per_request = (int)cli_long("--n-per-request",
			                                 optarg, 1, 65536);
			break;
		case OPT_RESUME:
			a->resume[a->nresume++] = optarg;
			break;
		case OPT_RETRIES:
			o->retries = (int)cli_long("--retries", optarg, 0, 100);
			break;
		case OPT_SEED:
			o->seed = cli_u64("--seed", optarg);
			o->has_seed = 1;
			break;
		case OPT_STATS:
			a->stats = 1;
			break;
		case 't':
			a->tokspec = optarg;
			break;
		case OPT_UNREACHABLE:
			o->unreachable = (int)cli_long("--unreachable", optarg,
			                               0, 1000);
			break;
		case OPT_TEMPERATURE:
			o->temperature = cli_double("--temperature", optarg, 0,
			                            100);
			break;
		case OPT_TIMEOUT:
			o->timeout_ms = millis("--timeout", optarg);
			break;
		case OPT_TOP_P:
			o->top_p = cli_double("--top-p", optarg, 0, 1);
			break;
		case 'u':
			o->url = optarg;
			break;
		}
	}
	if (!o->url)
		o->url = getenv("OPENAI_BASE_URL");
	if (!o->url || !*o->url)
		cli_usage_error("no server: give --url or set OPENAI_BASE_URL");
	if (!a->key && getenv("OPENAI_API_KEY"))
		a->key = strdup(getenv("OPENAI_API_KEY"));
	o->api_key = a->key;
	if (a->extra) {
		/* kc-ask owns these: n and seed are per request, and it reads
		 * whole responses, not streams. */
		static const char *const owned[] = { "messages", "n", "stream" };

		for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
			if (json_object_get(a->extra, owned[i]))
				cli_usage_error("--extra may not set \"%s\" (use "
				                "the options)", owned[i]);
		if (o->has_seed && json_object_get(a->extra, "seed"))
			cli_usage_error("--extra may not set \"seed\" together "
			                "with --seed");
	}
	o->extra = a->extra;
	/* A missing input is the caller's mistake, found before asking. */
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") && access(argv[i], R_OK))
			cli_usage_error("%s: %s", argv[i], strerror(errno));
}

int main(int argc, char **argv)
{
	struct kc_ask_opts o;
	struct kc_ask_stats st;
	struct kc_error err;
	struct kc_ask_hooks hooks = { on_emit, on_report, on_tick };
	struct run run = { 0 };
	struct args args = { 0 };
	kc_tokenizer *tok = NULL;
	kc_idset *skip;
	kc_status rs;
	kc_ask *a;

	cli_init(argc, argv);
	kc_ask_opts_init(&o);
	args.resume = calloc((size_t)argc + 1, sizeof *args.resume);
	if (!args.resume)
		cli_die("out of memory");
	parse_options(argc, argv, &o, &args);
	if (args.tokspec) {
		kc_error_clear(&err);
		if (kc_tokenizer_open(&tok, args.tokspec, &err)) {
			cli_report(&err);
			exit(CLI_FATAL);
		}
		o.tokenizer = tok;
	}
	run.n = o.n;
	skip = load_resume(args.resume, args.nresume);
	o.skip = skip;

	kc_error_clear(&err);
	if (kc_ask_new(&a, &o, &err)) {
		if (err.status == KC_EINVAL)
			cli_usage_error("%s", err.text);
		cli_die("%s", err.text);
	}
	if (isatty(STDERR_FILENO))
		run.total = count_lines(argv + optind, argc - optind);
	rs = kc_ask_run(a, argv + optind, argc - optind, &hooks, &run, &err);
	kc_ask_get_stats(a, &st);
	cli_progress_end();
	note_limit(&run, &st, o.n);
	if (rs)
		cli_report(&err);
	if (args.stats)
		print_totals(&run, &st, tok);
	if (st.failed || st.skipped || st.bad)
		cli_warn("%lu record%s: %lu answered, %lu failed, %lu already "
		         "answered (skipped), %lu bad", st.read,
		         st.read == 1 ? "" : "s", st.answered, st.failed,
		         st.skipped, st.bad);
	kc_ask_free(a);
	kc_idset_free(skip);
	kc_tokenizer_free(tok);
	json_decref(args.extra);
	if (args.key)
		memset(args.key, 0, strlen(args.key));
	free(args.key);
	free(args.resume);
	cli_close_stdout();
	if (rs)
		return CLI_FATAL;
	return st.failed || st.bad ? CLI_DATA : CLI_OK;
}
