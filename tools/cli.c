/*
 * cli.c - printing, exiting and input walking for the kc tools.
 *
 * Everything that writes to a terminal or ends the process lives here,
 * never in lib/.  Messages follow one form: "kc-fill: file:line: text".
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *cli_progname = "kc";
static char outbuf[1 << 18];

void cli_init(int argc, char **argv)
{
	(void)argc;
	if (argv && argv[0]) {
		const char *slash = strrchr(argv[0], '/');
		cli_progname = slash ? slash + 1 : argv[0];
	}
	/* A closed pipe downstream ends the tool quietly, as for cat. */
	signal(SIGPIPE, SIG_DFL);
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	/* A long-context record is larger than a pipe's default 64 KiB:
	 * with room for several, the tools of a pipeline run side by side
	 * instead of taking turns.  Not being allowed is no harm. */
	for (int fd = 0; fd <= 1; fd++) {
		struct stat st;
		if (!fstat(fd, &st) && S_ISFIFO(st.st_mode))
			(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
	}
}

void cli_unbuffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static void repeat_flush(void);

static void vwarn(const char *fmt, va_list ap)
{
	repeat_flush();
	cli_progress_end();
	fprintf(stderr, "%s: ", cli_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void cli_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(CLI_FATAL);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", cli_progname);
	exit(CLI_FATAL);
}

void cli_help(const char *text)
{
	fputs(text, stdout);
	cli_close_stdout();
	exit(CLI_OK);
}

/* The option getopt stopped at, as the user wrote it. */
static void bad_option(char **argv, int missing)
{
	const char *a = argv[optind - 1];

	if (missing)
		cli_usage_error("option '%s' needs a value", a);
	if (!strncmp(a, "--", 2)) {
		const char *eq = strchr(a, '=');
		if (eq && optopt)
			cli_usage_error("option '%.*s' takes no value",
			                (int)(eq - a), a);
		cli_usage_error("unknown option '%.*s'",
		                (int)(eq ? eq - a : (long)strlen(a)), a);
	}
	cli_usage_error("unknown option '-%c'", optopt);
}

int cli_getopt(int argc, char **argv, const struct cli_tool *tool)
{
	static char shortopts[128];
	int c;

	/* Our messages, in the tool's own name, not getopt's in argv[0]'s
	 * (which may be a path such as build/bin/kc-fill). */
	opterr = 0;
	if (shortopts[0] != ':')
		snprintf(shortopts, sizeof shortopts, ":%s", tool->shortopts);
	c = getopt_long(argc, argv, shortopts, tool->longopts, NULL);
	switch (c) {
	case 'h': cli_help(tool->usage);
	case 'V': cli_version();
	case ':': bad_option(argv, 1); break;
	case '?': bad_option(argv, 0); break;
	}
	return c;
}

void cli_unknown(const char *what, const char *arg, const char *const *names)
{
	char list[512];
	size_t len = 0;

	list[0] = '\0';
	for (size_t i = 0; names[i] && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
		                        i ? (names[i + 1] ? ", " : " or ") : "",
		                        names[i]);
	cli_usage_error("unknown %s '%s' (%s)", what, arg, list);
}

void cli_version(void)
{
	printf("%s (kc) %s\n", cli_progname, KC_VERSION);
	cli_close_stdout();
	exit(CLI_OK);
}

static void print_report(const struct kc_error *err)
{
	cli_progress_end();
	if (err->source && err->line > 0)
		fprintf(stderr, "%s: %s:%ld: %s\n", cli_progname, err->source,
		        err->line, err->text);
	else if (err->source)
		fprintf(stderr, "%s: %s: %s\n", cli_progname, err->source,
		        err->text);
	else
		fprintf(stderr, "%s: %s\n", cli_progname, err->text);
}

/*
 * Reports of the same error in one file: the first REPEAT_SHOWN are
 * shown, the rest counted and summed up by repeat_flush().  "The same"
 * is the same message with its numbers left out ("column 7").
 */
#define REPEAT_SHOWN 3

static struct {
	char text[sizeof ((struct kc_error *)0)->text];
	unsigned long seen;
	char *source;            /* a copy: the reader may be gone */
} repeat;

static int same_message(const char *a, const char *b)
{
	for (;;) {
		while (*a >= '0' && *a <= '9')
			a++;
		while (*b >= '0' && *b <= '9')
			b++;
		if (*a != *b)
			return 0;
		if (!*a)
			return 1;
		a++;
		b++;
	}
}

static void repeat_flush(void)
{
	if (repeat.seen > REPEAT_SHOWN) {
		cli_progress_end();
		fprintf(stderr, "%s: %s: %lu more lines with the same error (%s)\n",
		        cli_progname, repeat.source, repeat.seen - REPEAT_SHOWN,
		        repeat.text);
	}
	repeat.seen = 0;
	repeat.text[0] = '\0';
	free(repeat.source);
	repeat.source = NULL;
}

/* A report about a line is not shown when it is one more of the same. */
void cli_report(const struct kc_error *err)
{
	if (!err->source || err->line <= 0) {
		repeat_flush();
		print_report(err);
		return;
	}
	if (repeat.seen && same_message(repeat.text, err->text) &&
	    !strcmp(repeat.source, err->source)) {
		if (++repeat.seen <= REPEAT_SHOWN)
			print_report(err);
		return;
	}
	repeat_flush();
	print_report(err);
	/* Without memory for the copy, every report is shown. */
	if (!(repeat.source = strdup(err->source)))
		return;
	snprintf(repeat.text, sizeof repeat.text, "%s", err->text);
	repeat.seen = 1;
}

int cli_record_error(const struct kc_error *where, const struct kc_error *err)
{
	struct kc_error e = *err;

	e.source = where->source;
	e.line = where->line;
	cli_report(&e);
	return CLI_DATA;
}

static noreturn void write_failed(int e)
{
	repeat_flush();
	cli_progress_end();
	fprintf(stderr, "%s: write error: %s\n", cli_progname,
	        e ? strerror(e) : "unknown error");
	exit(CLI_FATAL);
}

void cli_close_stdout(void)
{
	int e;

	repeat_flush();
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout)) {
		if (fclose(stdout) == 0)
			return;
	}
	e = errno;
	write_failed(e);
}

void cli_write(const json_t *rec)
{
	struct kc_error err;

	if (kc_json_write_line(stdout, rec, &err))
		write_failed(err.saved_errno);
}

long cli_length(const char *opt, const char *arg)
{
	long v;

	if (kc_parse_length(arg, &v))
		cli_usage_error("invalid %s '%s' (a token count such as 32768 "
		                "or 32k)", opt, arg);
	return v;
}

int cli_plan_option(int c, const char *arg, struct kc_plan_opts *plan)
{
	switch (c) {
	case 'l': plan->length = cli_length("--length", arg); break;
	case 's':
		plan->seed = cli_u64("--seed", arg);
		plan->seed_set = 1;
		break;
	case CLI_OPT_CHAINS:
		plan->chains = cli_long("--chains", arg, 0, 1L << 20);
		break;
	case CLI_OPT_HOPS: plan->hops = cli_long("--hops", arg, 1, 1024); break;
	case CLI_OPT_DISTRACTORS:
		plan->distractors = cli_long("--distractors", arg, 0, 1L << 24);
		break;
	case CLI_OPT_TREE: plan->tree = 1; break;
	case CLI_OPT_DECOYS:
		plan->decoys = cli_long("--decoys", arg, 0, 65536);
		break;
	case CLI_OPT_NEAR_MISS:
		plan->near_miss = cli_long("--near-miss", arg, 0, 65536);
		break;
	case CLI_OPT_UUID:
		if (kc_uuid_format_parse(arg, &plan->uuid))
			cli_usage_error("invalid --uuid '%s' (default, default_N, "
			                "nano_N)", arg);
		break;
	default:
		return 0;
	}
	return 1;
}

long cli_long(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		cli_usage_error("invalid %s '%s' (an integer from %ld to %ld)",
		                opt, arg, min, max);
	return v;
}

double cli_double(const char *opt, const char *arg, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < min || v > max)
		cli_usage_error("invalid %s '%s' (a number from %g to %g)", opt,
		                arg, min, max);
	return v;
}

uint64_t cli_u64(const char *opt, const char *arg)
{
	uint64_t v;

	if (kc_parse_u64(arg, &v))
		cli_usage_error("invalid %s '%s' (a non-negative integer)", opt,
		                arg);
	return v;
}

/* A file whose first line opens a JSON array is a dataset file (or a
 * JSON document), not JSON lines: say so once. */
static int dataset_file(kc_reader *r)
{
	size_t len;
	const char *line = kc_reader_line(r, &len);

	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (!len || *line != '[')
		return 0;
	cli_warn("%s: a JSON array, not JSON lines (one record a line); for "
	         "a dataset file, run kc-import first: kc-import %s "
	         ">records.jsonl",
	         kc_reader_name(r), strcmp(kc_reader_name(r), "-") ?
	         kc_reader_name(r) : "FILE");
	return 1;
}

/* A record that failed and is a dataset item as published (MuSiQue's
 * JSON lines): say once what would read it. */
static void dataset_item(const json_t *rec, const struct kc_error *where)
{
	const char *format = kc_import_detect(rec);

	if (format && strcmp(format, "canonical"))
		cli_warn("%s: the records are %s items as published: run "
		         "kc-import first: kc-import %s >records.jsonl",
		         where->source, format, strcmp(where->source, "-") ?
		         where->source : "FILE");
}

/* The records of one file. */
static int each_in_file(kc_reader *r, const struct cli_walk *w,
                        unsigned long *done)
{
	struct kc_error err;
	kc_status st;
	json_t *rec;
	int worst = CLI_OK, rc, first = 1, hinted = 0;

	kc_error_clear(&err);
	while ((st = kc_reader_next(r, &rec, &err)) != KC_EOF) {
		if (first && st != KC_EIO && dataset_file(r)) {
			json_decref(rec);
			return CLI_FATAL;
		}
		first = 0;
		if (st == KC_EIO) {
			cli_report(&err);
			return CLI_FATAL;
		}
		if (st) {
			cli_report(&err);
			if (w->unreadable)
				w->unreadable(&err, w->ctx);
			worst = worst < CLI_DATA ? CLI_DATA : worst;
			continue;
		}
		rc = w->record(rec, &err, w->ctx);
		if (rc == CLI_DATA && !hinted) {
			dataset_item(rec, &err);
			hinted = 1;
		}
		json_decref(rec);
		if (rc > worst)
			worst = rc;
		if (rc == CLI_FATAL)
			break;
		cli_progress(++*done, 0, NULL);
	}
	return worst;
}

int cli_each_record(char **files, int n, const struct cli_walk *w)
{
	static char *stdin_only[] = { "-" };
	unsigned long done = 0;
	int worst = CLI_OK;

	if (n == 0) {
		files = stdin_only;
		n = 1;
	}
	for (int i = 0; i < n && worst < CLI_FATAL; i++) {
		struct kc_error err;
		kc_reader *r;
		int rc;

		kc_error_clear(&err);
		if (kc_reader_open(&r, files[i], 0, &err)) {
			err.source = files[i];
			cli_report(&err);
			rc = w->open_fatal ? CLI_FATAL : CLI_DATA;
		} else {
			rc = each_in_file(r, w, &done);
			repeat_flush();
			kc_reader_free(r);
		}
		if (rc > worst)
			worst = rc;
	}
	cli_progress_end();
	return worst;
}

static int progress_shown;
static struct timespec progress_t0, progress_last;

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

void cli_progress(unsigned long done, unsigned long total, const char *note)
{
	static int tty = -1;
	double el;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	if (!progress_t0.tv_sec && !progress_t0.tv_nsec) {
		clock_gettime(CLOCK_MONOTONIC, &progress_t0);
		progress_last = progress_t0;
	}
	if (since(&progress_last) < 0.2)
		return;
	clock_gettime(CLOCK_MONOTONIC, &progress_last);
	el = since(&progress_t0);
	fprintf(stderr, "\r\033[K%s: %lu", cli_progname, done);
	if (total)
		fprintf(stderr, "/%lu records (%.0f%%)", total,
		        100.0 * done / total);
	else
		fprintf(stderr, " records");
	fprintf(stderr, ", %.1f/s%s ", el > 0 ? done / el : 0.0,
	        note ? note : "");
	progress_shown = 1;
}

void cli_progress_end(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

char *cli_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	kc_buf b;
	char chunk[8192];
	size_t n;

	if (!f)
		cli_die("%s: %s", path, strerror(errno));
	kc_buf_init(&b, 1 << 24);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (kc_buf_append(&b, chunk, n))
			cli_die("%s: too large", path);
	if (ferror(f))
		cli_die("%s: %s", path, strerror(errno));
	fclose(f);
	if (kc_buf_append(&b, "", 0))
		cli_die("out of memory");
	return b.data;
}

/* "prog: FILE: N records skipped (first: line L: why); --strict refuses
 * them", and the same for what the pool will not use. */
static void pool_warnings(const char *file, const struct kc_pool_stats *now,
                          const struct kc_pool_stats *before)
{
	unsigned long skipped = now->skipped - before->skipped;
	unsigned long pp = now->pairlike_passages - before->pairlike_passages;
	unsigned long pq = now->pairlike_questions - before->pairlike_questions;

	if (skipped) {
		const struct kc_error *e = &now->first_skipped;
		if (before->skipped)
			cli_warn("%s: %lu records skipped, they cannot serve in a "
			         "pool; --strict refuses them", file, skipped);
		else
			cli_warn("%s: %lu record%s skipped (first: line %ld: %s); "
			         "--strict refuses them", file, skipped,
			         skipped == 1 ? "" : "s", e->line, e->text);
	}
	if (pp)
		cli_warn("%s: %lu passage%s with text shaped like a chain pair, "
		         "never used as fillers", file, pp, pp == 1 ? "" : "s");
	if (pq)
		cli_warn("%s: %lu question%s holding '\"}' or '{\"', never used "
		         "as distractors", file, pq, pq == 1 ? "" : "s");
}

kc_pool *cli_pool_load(char **files, int n, unsigned flags)
{
	kc_pool *pool;
	struct kc_error err;
	struct kc_pool_stats before;

	if (kc_pool_new(&pool))
		cli_die("out of memory");
	kc_pool_set_flags(pool, flags);
	for (int i = 0; i < n; i++) {
		before = *kc_pool_stats(pool);
		kc_error_clear(&err);
		if (kc_pool_load(pool, files[i], &err)) {
			cli_report(&err);
			kc_pool_free(pool);
			exit(CLI_FATAL);
		}
		pool_warnings(files[i], kc_pool_stats(pool), &before);
	}
	return pool;
}
