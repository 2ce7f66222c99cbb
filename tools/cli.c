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

static void vwarn(const char *fmt, va_list ap)
{
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

void cli_version(void)
{
	printf("%s (kc) %s\n", cli_progname, KC_VERSION);
	cli_close_stdout();
	exit(CLI_OK);
}

void cli_report(const struct kc_error *err)
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
	cli_progress_end();
	fprintf(stderr, "%s: write error: %s\n", cli_progname,
	        e ? strerror(e) : "unknown error");
	exit(CLI_FATAL);
}

void cli_close_stdout(void)
{
	int e;

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

int cli_each_record(char **files, int n, cli_record_fn fn, void *ctx)
{
	static char *stdin_only[] = { "-" };
	int worst = CLI_OK;

	if (n == 0) {
		files = stdin_only;
		n = 1;
	}
	for (int i = 0; i < n; i++) {
		struct kc_error err;
		kc_reader *r;
		kc_status st;
		json_t *rec;

		kc_error_clear(&err);
		if (kc_reader_open(&r, files[i], 0, &err)) {
			err.source = files[i];
			cli_report(&err);
			worst = CLI_DATA > worst ? CLI_DATA : worst;
			continue;
		}
		while ((st = kc_reader_next(r, &rec, &err)) != KC_EOF) {
			int rc;

			if (st == KC_EIO) {
				cli_report(&err);
				worst = CLI_FATAL;
				break;
			}
			if (st) {
				cli_report(&err);
				if (worst < CLI_DATA)
					worst = CLI_DATA;
				continue;
			}
			rc = fn(rec, &err, ctx);
			json_decref(rec);
			if (rc > worst)
				worst = rc;
			if (rc == CLI_FATAL)
				break;
		}
		kc_reader_free(r);
		if (worst == CLI_FATAL)
			break;
	}
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

void cli_progress(unsigned long done, unsigned long total)
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
	if (total)
		fprintf(stderr, "\r%s: %lu/%lu records (%.0f%%), %.1f/s ",
		        cli_progname, done, total, 100.0 * done / total,
		        el > 0 ? done / el : 0.0);
	else
		fprintf(stderr, "\r%s: %lu records, %.1f/s ", cli_progname, done,
		        el > 0 ? done / el : 0.0);
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
