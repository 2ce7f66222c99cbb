/*
 * kc_ask.h - the OpenAI-compatible client (kc-ask)
 * (included by kc.h; do not include it directly).
 *
 * kc-ask sends each record's prompt to a chat-completions server (vLLM,
 * SGLang, llama.cpp's server, OpenAI: POST {url}/chat/completions) and
 * adds the answers to the record.  The work is split in four parts:
 *
 *   ask_body.c    the request body of a record and the reading of a
 *                 response (pure functions, unit-tested)
 *   ask_retry.c   which failures are retried, Retry-After, backoff
 *   ask_resume.c  the ids already answered in an earlier output
 *   ask.c         the engine: a reader thread, a bounded reorder window
 *                 and libcurl's multi interface driving many requests
 *                 from one thread
 *
 * Fields kc-ask owns in a record (every other field passes unchanged):
 *
 *   responses       [string, ...]  n answers: the choices' message
 *                                  content, requests in order, choices
 *                                  in index order within a request
 *   finish_reasons  [string|null, ...] parallel to responses
 *   usage           {...}          the server's usage; when a record
 *                                  needs several requests, numbers are
 *                                  summed key by key (nested objects too)
 *   ask_error       {message, status, attempts}  only when the record's
 *                                  request failed for good; then the
 *                                  three fields above are absent
 */
#ifndef KC_ASK_H
#define KC_ASK_H

#include <sys/types.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Ids already answered (ask_resume.c). */

typedef struct kc_idset kc_idset;

/* A new empty set; NULL when out of memory. */
kc_idset *kc_idset_new(void);
void kc_idset_free(kc_idset *s);
/* Add `len` bytes of `id`; KC_OK (also when already there) or KC_ENOMEM. */
kc_status kc_idset_add(kc_idset *s, const char *id, size_t len);
/* 1 when `id` is in the set. */
int kc_idset_has(const kc_idset *s, const char *id, size_t len);
size_t kc_idset_count(const kc_idset *s);

/*
 * The key of a record for --resume and per-record seeds: its "id" as
 * text (a string as is, an integer in decimal).  Returns 0 and sets
 * *key and *len (pointing into `rec` or into `buf`, of `size` bytes), or -1
 * when the record has no usable id.
 */
int kc_ask_record_key(const json_t *rec, char *buf, size_t size,
                      const char **key, size_t *len);

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
	const kc_idset *skip;   /* records whose key is here are skipped */
};

/* Set the defaults: n 1, concurrency 32, timeout 600 s, connect timeout
 * 30 s, retries 5, backoff 1 s, temperature and top_p not sent. */
void kc_ask_opts_init(struct kc_ask_opts *o);

#define KC_ASK_MAX_RESPONSE ((size_t)64 << 20)
#define KC_ASK_BACKOFF_MAX_MS 60000L     /* cap on the computed backoff */
#define KC_ASK_RETRY_AFTER_MAX_MS 600000L /* cap on a server's Retry-After */

/* ------------------------------------------------------------------ */
/* Request bodies and responses (ask_body.c). */

/*
 * Append to `out` the body of a request for `rec` without its closing
 * brace: {"model":..., "messages":[...], sampling options..., extra
 * fields.  The prompt is the record's "messages" (an array of objects
 * with a string "role"), or else its "prompt" string sent as one user
 * message.  KC_EFIELD (with a message) when the record has neither.
 */
kc_status kc_ask_body(const struct kc_ask_opts *o, const json_t *rec,
                      kc_buf *out, struct kc_error *err);

/*
 * The number of requests a record needs, and how many answers request
 * `part` asks for.
 */
int kc_ask_parts(const struct kc_ask_opts *o);
int kc_ask_part_n(const struct kc_ask_opts *o, int part);

/*
 * The seed sent with request `part` of the record whose key is `key`:
 * a function of (seed, key, part) only, so answers do not depend on the
 * order of the records or on sharding.  31 bits, so that every server
 * (some keep it in an int32) takes it.
 */
long kc_ask_seed(uint64_t seed, const char *key, size_t keylen, int part);

/*
 * Read a successful response body.  Appends the `want` answers to
 * `responses` and their finish reasons to `finish`, in choice index
 * order, and adds the response's usage to *usage (creating it).
 * KC_EJSON for a body that is not a JSON object with "choices" (worth
 * retrying: a truncated or garbled body); KC_ESERVER when it is one but
 * says something else (an "error" object, a wrong number of choices);
 * both with a message in err.
 */
kc_status kc_ask_parse_response(const char *body, size_t len, int want,
                                json_t *responses, json_t *finish,
                                json_t **usage, struct kc_error *err);

/*
 * Add the numbers of usage object `u` to `acc`, key by key, recursing
 * into objects; keys `acc` lacks are copied.  KC_ENOMEM or KC_OK.
 */
kc_status kc_ask_usage_add(json_t *acc, const json_t *u);

/*
 * The message of an error response body (OpenAI's {"error":{"message"}},
 * vLLM's {"message"}, or the start of the text), at most `size` - 1
 * bytes, written to `buf`.
 */
void kc_ask_error_text(const char *body, size_t len, char *buf, size_t size);

/* Replace every occurrence of `secret` in `text` with "[REDACTED]"
 * (text is a NUL-terminated buffer of `size` bytes). */
void kc_ask_redact(char *text, size_t size, const char *secret);

/* ------------------------------------------------------------------ */
/* Retries (ask_retry.c). */

/* 1 when an HTTP status is worth retrying: 408, 429 and 5xx. */
int kc_ask_status_retryable(long status);

/*
 * The delay a Retry-After header value asks for, in milliseconds, given
 * the time now: delay-seconds or an HTTP-date.  -1 when the value is
 * neither; a date in the past gives 0; capped at KC_ASK_RETRY_AFTER_MAX_MS.
 */
long kc_ask_retry_after(const char *value, time_t now);

/*
 * The delay before retry number `attempt` (1 for the first retry):
 * base * 2^(attempt-1), capped at KC_ASK_BACKOFF_MAX_MS (or base when
 * larger), with "equal jitter" (a uniform draw from its upper half).
 */
long kc_ask_backoff(long base_ms, int attempt, kc_rng *rng);

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
 * 2 * concurrency + 16 records are held in memory at once.  Returns KC_OK
 * when every input was read to its end (records that failed are counted
 * in the stats, not returned), KC_EIO when reading failed (err says
 * where; the records before were all written), KC_ESERVER when
 * opts.max_failures records failed (the last of them was written; those
 * after it were not, and a resumed run asks them), or KC_EINVAL when a
 * hook stopped the run.  When it stops early, it returns once the
 * reader thread has finished the read under way.  Once per engine.
 */
kc_status kc_ask_run(kc_ask *a, char **files, int nfiles,
                     const struct kc_ask_hooks *hooks, void *ctx,
                     struct kc_error *err);

/* The counters so far. */
void kc_ask_get_stats(const kc_ask *a, struct kc_ask_stats *st);

#endif /* KC_ASK_H */
