/*
 * kc_ask.h - the OpenAI-compatible client (kc-ask)
 * (included by kc.h, which a program includes).
 *
 * kc-ask sends each record's prompt to a chat-completions server (vLLM,
 * SGLang, llama.cpp's server, OpenAI: POST {url}/chat/completions) and
 * adds the answers to the record (lib/ask/: body.c the request bodies
 * and responses, retry.c the retries, resume.c the ids already answered,
 * ask.c the engine; lib/ask/private.h what they share).
 *
 * Fields kc-ask owns in a record (every other field passes unchanged):
 *
 *   responses       [string, ...]  n answers: the choices' message
 *                                  content, requests in order, choices
 *                                  in index order within a request
 *   finish_reasons  [string|null, ...] parallel to responses
 *   usage           {...}          the server's usage, as it reports it;
 *                                  when a record needs several requests,
 *                                  numbers are summed key by key (nested
 *                                  objects too).  Servers differ in what
 *                                  they count: llama.cpp's counts only
 *                                  the first choice's completion tokens
 *                                  when n > 1.
 *   request_usage   [{...}|null, ...]  each request's usage as the
 *                                  server sent it, in request order (the
 *                                  prompt is counted once per request)
 *   response_tokens [int, ...]     parallel to responses: each answer's
 *                                  tokens counted by kc with
 *                                  opts.tokenizer (only when one is set)
 *   ask_error       {message, status, attempts}  only when the record's
 *                                  request failed for good; then the
 *                                  three fields above are absent
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_ASK_H
#define KC_ASK_H

#include <sys/types.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Ids already answered (resume.c). */

typedef struct kc_idset kc_idset;

/* A new empty set in *out; KC_ENOMEM (*out NULL). */
kc_status kc_idset_new(kc_idset **out);
void kc_idset_free(kc_idset *s);

/* What kc_ask_resume_load found in an earlier output file. */
struct kc_ask_resume {
	unsigned long lines;     /* non-blank lines read */
	unsigned long answered;  /* records with responses and no ask_error */
	unsigned long failed;    /* records with ask_error (asked again) */
	unsigned long bad;       /* malformed lines before the last one */
	long first_bad;          /* line number of the first of them, or 0 */
	int partial;             /* the file ends in a line with no newline */
	off_t complete;          /* bytes up to the last newline */
};

/*
 * Read the JSON lines of `path` and add to `set` the key of every record
 * that is answered (has "responses" and no "ask_error").  A last line
 * without a newline (left by a run that was killed mid-write) is not
 * counted and is reported in info->partial; malformed lines elsewhere are
 * counted in info->bad and skipped.  A file that does not exist is an
 * error (KC_ENOTFOUND).
 */
kc_status kc_ask_resume_load(kc_idset *set, const char *path,
                             struct kc_ask_resume *info,
                             struct kc_error *err);

/*
 * Make it safe to append to the resume file: when `fd` (standard output)
 * is the file `path` itself, it must be open for appending (`>>`):
 * KC_EINVAL otherwise, because the shell has then already emptied it or
 * would overwrite it.  When it is, a partial last line is cut off (the
 * record it held is asked again) so that the next record starts on a
 * line of its own; *cut is the number of bytes removed.  When `fd` is
 * another file, nothing is done.
 */
kc_status kc_ask_resume_output(int fd, const char *path,
                               const struct kc_ask_resume *info, off_t *cut,
                               struct kc_error *err);

/* ------------------------------------------------------------------ */
/* Options (filled in by the tool). */

struct kc_ask_opts {
	const char *url;        /* base URL (".../v1"); required */
	const char *model;      /* NULL: not sent */
	const char *api_key;    /* NULL: no Authorization header */
	int n;                  /* answers per record, >= 1 */
	int n_per_request;      /* at most this many per request (0: n);
	                           1 means one request per answer, and then
	                           "n" is not sent at all */
	double temperature;     /* NAN: not sent */
	double top_p;           /* NAN: not sent */
	long max_tokens;        /* 0: not sent */
	int has_seed;           /* send a per-request seed derived from: */
	uint64_t seed;
	const json_t *extra;    /* an object merged into every body, or NULL */
	int concurrency;        /* requests in flight, >= 1 */
	long timeout_ms;        /* per attempt; 0: none */
	long connect_timeout_ms;/* 0: libcurl's default */
	int retries;            /* attempts after the first, >= 0 */
	long backoff_ms;        /* delay before the first retry */
	size_t max_response;    /* cap on a response body; 0: 64 MiB */
	unsigned long max_failures; /* stop after this many failed records
	                           (0: never); see kc_ask_run */
	int unreachable;        /* stop when one request failed this many
	                           times to reach a server that has never
	                           answered (0: never); see kc_ask_run */
	kc_tokenizer *tokenizer;/* count each answer's tokens with it into
	                           "response_tokens" (NULL: not counted) */
	const kc_idset *skip;   /* records whose key is here are skipped */
};

/* Set the defaults: n 1, concurrency 32, timeout 600 s, connect timeout
 * 30 s, retries 5, backoff 1 s, unreachable 3, temperature and top_p not
 * sent. */
void kc_ask_opts_init(struct kc_ask_opts *o);

#define KC_ASK_MAX_RESPONSE ((size_t)64 << 20)

/* ------------------------------------------------------------------ */
/* The engine (ask.c). */

typedef struct kc_ask kc_ask;

struct kc_ask_stats {
	unsigned long read;      /* records read */
	unsigned long written;   /* records handed to emit */
	unsigned long answered;  /* ... with their answers */
	unsigned long failed;    /* ... with an ask_error */
	unsigned long skipped;   /* already answered (opts.skip) */
	unsigned long bad;       /* lines or records that could not be asked */
	unsigned long requests;  /* attempts started */
	unsigned long retries;   /* ... of which were retries */
	unsigned in_flight;      /* requests in flight now */
	unsigned peak_in_flight;
	unsigned held;           /* records in memory now */
	int n_limit;             /* the server refused n above this (HTTP
	                            400, llama.cpp's server: its slots), so
	                            requests now ask at most this many; 0 */
};

struct kc_ask_hooks {
	/* A record, in input order, answered or with its ask_error.
	 * Return 0 to go on, nonzero to stop the run. */
	int (*emit)(const json_t *rec, void *ctx);
	/* A problem with one input line or record, in input order: a line
	 * that does not parse, a record without a prompt, a request that
	 * failed for good (err->source and err->line name it). */
	void (*report)(const struct kc_error *err, void *ctx);
	/* Called after each batch of emits and at least every 200 ms: a
	 * chance to flush the output and show progress.  Nonzero stops. */
	int (*tick)(const struct kc_ask_stats *st, void *ctx);
};

/*
 * A new engine for `opts` (copied; the strings, extra and skip it points
 * to are borrowed and must outlive the engine).  KC_EINVAL for bad
 * options, KC_ENOMEM, or KC_ENET when libcurl cannot be set up.
 */
kc_status kc_ask_new(kc_ask **out, const struct kc_ask_opts *opts,
                     struct kc_error *err);
void kc_ask_free(kc_ask *a);

/*
 * Ask every record of the files files[0..nfiles) ("-" or nfiles == 0:
 * standard input), calling the hooks as records complete.  At most
 * 2 * concurrency + 16 records are held in memory at once.  A server
 * that refuses n above some k (HTTP 400 naming the field "n" and "<= k")
 * gets the record's answers in requests of at most k, from then on for
 * every record (stats.n_limit says so).  Returns KC_OK
 * when every input was read to its end (records that failed are counted
 * in the stats, not returned), KC_EIO when reading failed (err says
 * where; the records before were all written), KC_ESERVER when
 * opts.max_failures records failed (the last of them was written; those
 * after it were not, and a resumed run asks them), KC_ENET when the
 * server was never reached (no response at all, opts.unreachable
 * attempts of one request refused, unresolved or timed out while
 * connecting; nothing after the records already written was written), or
 * KC_EINVAL when a hook stopped the run.  When it stops early, it returns once the
 * reader thread has finished the read under way.  Once per engine.
 */
kc_status kc_ask_run(kc_ask *a, char **files, int nfiles,
                     const struct kc_ask_hooks *hooks, void *ctx,
                     struct kc_error *err);

/* The counters so far. */
void kc_ask_get_stats(const kc_ask *a, struct kc_ask_stats *st);

#endif /* KC_ASK_H */
