/*
 * cli.h - what the tools share and the library must not do: print, exit,
 * and walk their input files.
 *
 * Exit status of every tool: 0 all went well, 1 some records were bad
 * (each reported, the tool went on), 2 usage error or fatal error.
 */
#ifndef KC_CLI_H
#define KC_CLI_H

#include <getopt.h>
#include <stdnoreturn.h>
#include "kc.h"

enum { CLI_OK = 0, CLI_DATA = 1, CLI_FATAL = 2 };

extern const char *cli_progname;

/* Set the program name, default SIGPIPE, and buffer stdout. */
void cli_init(int argc, char **argv);

/* "prog: message" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * "prog: file:line: message" from a kc_error.  Reports of one file and
 * line after another that say the same (numbers aside) are shown three
 * times; the rest are counted and summed up in one line when the next
 * different message comes, at the end of the file, or at
 * cli_close_stdout().
 */
void cli_report(const struct kc_error *err);
/* "prog: message", exit 2. */
noreturn void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: message" and the --help hint, exit 2. */
noreturn void cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/*
 * A tool's options: its --help text (starting "Usage: kc-x ..."), and
 * getopt's short and long options, which must map -h/--help to 'h' and
 * -V/--version to 'V'.
 */
struct cli_tool {
	const char *usage;
	const char *shortopts;
	const struct option *longopts;
};

/*
 * The next option, as getopt_long returns it, or -1 after the last.  It
 * answers -h (cli_help) and -V (cli_version) itself, and ends the run
 * with a usage error, in the tool's own name, on an unknown option or a
 * missing value: a tool's switch has no default case.
 */
int cli_getopt(int argc, char **argv, const struct cli_tool *tool);
/* The help text on stdout, the write checked: exit 0, or 2 when it
 * could not be written. */
noreturn void cli_help(const char *text);
/* The usage error for a name not among names[] (NULL-terminated):
 * "unknown WHAT 'ARG' (a, b or c)", as the library words it. */
noreturn void cli_unknown(const char *what, const char *arg,
                          const char *const *names);
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
 * The chain plan's options, as kc-fill and kc-chain take them: their
 * option tables list CLI_PLAN_OPTIONS, and cli_plan_option sets plan from
 * an option c they return (with -l and -s); 0 when c is none of them.
 */
enum { CLI_OPT_CHAINS = 1024, CLI_OPT_HOPS, CLI_OPT_UUID,
       CLI_OPT_DISTRACTORS, CLI_OPT_TREE, CLI_OPT_DECOYS, CLI_OPT_NEAR_MISS };
#define CLI_PLAN_OPTIONS \
	{ "chains", required_argument, NULL, CLI_OPT_CHAINS }, \
	{ "decoys", required_argument, NULL, CLI_OPT_DECOYS }, \
	{ "distractors", required_argument, NULL, CLI_OPT_DISTRACTORS }, \
	{ "hops", required_argument, NULL, CLI_OPT_HOPS }, \
	{ "length", required_argument, NULL, 'l' }, \
	{ "near-miss", required_argument, NULL, CLI_OPT_NEAR_MISS }, \
	{ "seed", required_argument, NULL, 's' }, \
	{ "tree", no_argument, NULL, CLI_OPT_TREE }, \
	{ "uuid", required_argument, NULL, CLI_OPT_UUID }
int cli_plan_option(int c, const char *arg, struct kc_plan_opts *plan);

/*
 * Call fn for each record of each file in files[0..n) ("-" or n == 0:
 * stdin).  fn returns CLI_OK, or CLI_DATA after reporting a bad record
 * itself (cli_record_error), or CLI_FATAL to stop.  `where` names the
 * record's file and line for fn's own reports.
 */
typedef int (*cli_record_fn)(json_t *rec, const struct kc_error *where,
                             void *ctx);

struct cli_walk {
	cli_record_fn record;
	void *ctx;
	/* Called after a line that does not parse was reported (NULL:
	 * nothing more to do). */
	void (*unreadable)(const struct kc_error *err, void *ctx);
	/* A file that cannot be opened ends the run (CLI_FATAL); else it
	 * is reported and the next file read (CLI_DATA). */
	int open_fatal;
};

/*
 * Walk the records of the files, as w says; returns the worst status
 * seen.  A line that does not parse is reported and counted; a file that
 * is one JSON array (a dataset file) is reported once, with the advice to
 * run kc-import, and ends the run; after a few reports of the same error
 * in a file, the rest are counted and summed up in one line.  Shows
 * progress on a terminal.
 */
int cli_each_record(char **files, int n, const struct cli_walk *w);

/*
 * Report a record-level error in the standard form, using the file and
 * line of `where` and the message of `err` (as cli_report); returns
 * CLI_DATA.
 */
int cli_record_error(const struct kc_error *where, const struct kc_error *err);

/* The whole of a small file (a template), NUL-terminated, for the caller
 * to free; on an error, "prog: file: message" and exit 2. */
char *cli_slurp(const char *path);

/* Progress on stderr while it is a terminal, at most 5 times a second:
 * records done (of total, when not 0), the rate, and a note (", 3
 * failed"; NULL: none); cli_progress_end() clears the line. */
void cli_progress(unsigned long done, unsigned long total, const char *note);
void cli_progress_end(void);

/*
 * A pool loaded from files[0..n) with `flags` (KC_POOL_*): one warning
 * per file for the records it skipped and the passages and questions
 * it set aside; on a file that cannot be loaded, the error and exit 2.
 */
kc_pool *cli_pool_load(char **files, int n, unsigned flags);

#endif
