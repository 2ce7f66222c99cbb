/*
 * cli.h - what the tools share and the library must not do: print, exit,
 * and walk their input files.
 *
 * Exit status of every tool: 0 all went well, 1 some records were bad
 * (each reported, the tool went on), 2 usage error or fatal error.
 */
#ifndef KC_CLI_H
#define KC_CLI_H

#include <stdnoreturn.h>
#include "kc.h"

enum { CLI_OK = 0, CLI_DATA = 1, CLI_FATAL = 2 };

extern const char *cli_progname;

/* Set the program name, default SIGPIPE, and buffer stdout. */
void cli_init(int argc, char **argv);

/* "prog: message" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: file:line: message" from a kc_error. */
void cli_report(const struct kc_error *err);
/* "prog: message", exit 2. */
noreturn void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: message" and the --help hint, exit 2. */
noreturn void cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Print "prog (kc) VERSION" and exit 0. */
noreturn void cli_version(void);
/* Line-buffer stdout (--unbuffered). */
void cli_unbuffered(void);

/* Flush and close stdout; on a write error report it and exit 2. */
void cli_close_stdout(void);
/* Write a record as a JSON line to stdout; on error, as cli_close_stdout. */
void cli_write(const json_t *rec);

/*
 * Parse option values; on a bad value print a usage error and exit 2.
 */
long cli_length(const char *opt, const char *arg);
long cli_long(const char *opt, const char *arg, long min, long max);
double cli_double(const char *opt, const char *arg, double min, double max);
uint64_t cli_u64(const char *opt, const char *arg);

/*
 * Call fn for each record of each file in files[0..n) ("-" or n == 0:
 * stdin).  A line that does not parse is reported and counted; fn returns
 * CLI_OK, or CLI_DATA after reporting a bad record itself, or CLI_FATAL
 * to stop.  Returns the worst status seen.  `where` names the record's
 * file and line for fn's own reports.
 */
typedef int (*cli_record_fn)(json_t *rec, const struct kc_error *where,
                             void *ctx);
int cli_each_record(char **files, int n, cli_record_fn fn, void *ctx);

/*
 * Report a record-level error in the standard form, using the file and
 * line of `where` and the message of `err`; returns CLI_DATA.
 */
int cli_record_error(const struct kc_error *where, const struct kc_error *err);

/* The whole of a small file (a template), NUL-terminated, for the caller
 * to free; on an error, "prog: file: message" and exit 2. */
char *cli_slurp(const char *path);

/* Progress on stderr while it is a terminal: call with each record done;
 * cli_progress_end() clears the line. */
void cli_progress(unsigned long done, unsigned long total);
void cli_progress_end(void);

/*
 * A pool loaded from files[0..n) with `flags` (KC_POOL_*): one warning
 * per file for the records it skipped and the passages and questions
 * it set aside; on a file that cannot be loaded, the error and exit 2.
 */
kc_pool *cli_pool_load(char **files, int n, unsigned flags);

#endif
