/*
 * kc.h - the public interface of libkc, the library behind the kc tools.
 *
 * kc turns multi-hop QA datasets into verifiable long-context training
 * data (the KeyChain pipeline).  Every tool is a thin front end over the
 * functions declared here and in the headers this file includes; a tool
 * includes <kc.h> and nothing else of the library.
 *
 * Conventions, stated once:
 *
 *  - Ownership (jansson's rule).  A function named *_new, *_open or
 *    *_load returns an object the caller frees with the matching *_free.
 *    Every other pointer a function returns is borrowed: it stays valid
 *    until the next call on the same handle or until the handle is freed.
 *    json_t values passed in are borrowed unless the name ends in _steal.
 *    *_free(NULL) is a no-op.
 *
 *  - Errors.  A function that can fail returns a kc_status and, when the
 *    caller passes a struct kc_error, fills it with a message the library
 *    owns.  The library never prints and never exits; the tools format the
 *    one-line message ("kc-fill: train.jsonl:12: missing \"question\"").
 *
 *  - Threads.  Handles are not shared between threads; use one per thread.
 */
#ifndef KC_H
#define KC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KC_VERSION "0.1.0"

/*
 * Result codes.  Append only: a value, once published, never changes.
 */
typedef enum kc_status {
	KC_OK = 0,
	KC_EOF,          /* end of input (not an error) */
	KC_ENOMEM,       /* out of memory */
	KC_EIO,          /* read or write failed; saved errno says why */
	KC_EJSON,        /* malformed JSON */
	KC_EFIELD,       /* a field is missing or has the wrong type */
	KC_EUTF8,        /* invalid UTF-8 */
	KC_ETOOLONG,     /* a line or value is over its size limit */
	KC_EINVAL,       /* an argument or option value is not valid */
	KC_EUNSUPPORTED, /* a format or feature kc does not implement */
	KC_ENOTFOUND,    /* a file, tokenizer or id could not be found */
	KC_EBUDGET,      /* the item cannot be made to fit its token budget */
	KC_EPOOL,        /* the passage or question pool is too small */
	KC_EVERIFY,      /* a record failed verification */
	KC_ENET,         /* a network request failed */
	KC_ESERVER,      /* a server answered with an error */
	KC_EFORMAT,      /* a malformed binary file (Parquet) */
	KC_ESTATUS_MAX
} kc_status;

/* A short, static description of a status ("malformed JSON"). */
const char *kc_strerror(kc_status status);

/*
 * struct kc_error - what went wrong, filled in by the library.
 *
 * `source` and `line` name the input when the failing function knows it
 * (line is 0 when it does not apply).  `saved_errno` is errno at the time
 * of an I/O error, 0 otherwise.
 */
struct kc_error {
	kc_status status;
	char text[512];
	const char *source;  /* borrowed: file name, "-" for stdin */
	long line;
	long column;
	int saved_errno;
};

/*
 * Record `status` and a printf-style message in `err` (which may be NULL)
 * and return `status`, so that a failing function can end in
 * `return kc_error_set(err, KC_EFIELD, "missing \"%s\"", key);`.
 */
kc_status kc_error_set(struct kc_error *err, kc_status status,
                       const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Clear `err` to KC_OK with an empty message. */
void kc_error_clear(struct kc_error *err);

/* ------------------------------------------------------------------ */
/* Growable byte buffer with a hard cap (curl's rule: every growable
 * buffer has a maximum size). */

typedef struct kc_buf {
	char *data;      /* NUL-terminated when len < cap */
	size_t len;
	size_t cap;
	size_t max;      /* 0 means KC_BUF_MAX */
} kc_buf;

#define KC_BUF_MAX ((size_t)1 << 32)   /* 4 GiB */

void kc_buf_init(kc_buf *b, size_t max);
void kc_buf_release(kc_buf *b);
/* Make room for `extra` more bytes.  KC_ENOMEM or KC_ETOOLONG. */
kc_status kc_buf_reserve(kc_buf *b, size_t extra);
kc_status kc_buf_append(kc_buf *b, const void *data, size_t len);
kc_status kc_buf_puts(kc_buf *b, const char *s);
kc_status kc_buf_printf(kc_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* ------------------------------------------------------------------ */
/* Reading JSON lines.
 *
 * A kc_reader reads one file (or stdin) line by line into one reused
 * buffer and parses each line as one JSON value.  Blank lines are skipped.
 * A line longer than the reader's limit is skipped whole and reported as
 * KC_ETOOLONG; a malformed line is reported as KC_EJSON (or KC_EUTF8); in
 * both cases the next call continues with the following line, so a tool
 * can report the error and go on.
 */

typedef struct kc_reader kc_reader;

#define KC_LINE_MAX_DEFAULT ((size_t)256 << 20)   /* 256 MiB */

/* Open `path` ("-" or NULL for stdin).  `max_line` 0 means the default. */
kc_status kc_reader_open(kc_reader **r, const char *path, size_t max_line,
                         struct kc_error *err);
void kc_reader_free(kc_reader *r);

/*
 * Read the next record into *out (a new reference the caller decrefs).
 * Returns KC_OK, KC_EOF at the end, or an error for this line (err names
 * the source and line); after an error the reader stays usable except
 * after KC_EIO.
 */
kc_status kc_reader_next(kc_reader *r, json_t **out, struct kc_error *err);

/* The raw text of the line last read (without its newline). */
const char *kc_reader_line(const kc_reader *r, size_t *len);
/* The 1-based number of the line last read, and the source's name. */
long kc_reader_lineno(const kc_reader *r);
const char *kc_reader_name(const kc_reader *r);

/* ------------------------------------------------------------------ */
/* JSON helpers (json.c). */

/*
 * Parse `len` bytes of one JSON text into a new value.  Faster than
 * json_loadb on long strings; accepts exactly what jansson accepts with
 * JSON_DECODE_ANY | JSON_ALLOW_NUL ("\u0000" in a string value, not in a
 * key).  On error fills err (column set).
 */
json_t *kc_json_parse(const char *text, size_t len, struct kc_error *err);

/*
 * Append the compact form of `v` to `out`, byte for byte what
 * json_dumps(v, JSON_COMPACT) writes.
 */
kc_status kc_json_dump(const json_t *v, kc_buf *out);

/*
 * Give jansson an allocator of per-thread free lists by size class,
 * much faster for the many small values of a record.  Call once, before
 * any JSON value exists, in a program whose values are freed by the
 * thread that made them.
 */
void kc_json_fast_alloc(void);

/* Write `v` compactly followed by '\n' to `f`.  KC_EIO on a write error. */
kc_status kc_json_write_line(FILE *f, const json_t *v, struct kc_error *err);

/* "an object", "an array", "a string", ... for messages. */
const char *kc_json_type_name(const json_t *v);

/*
 * Typed access to record fields.  Each returns KC_OK or KC_EFIELD with a
 * message naming the field ("missing \"question\"", "\"answers\" is not
 * an array").
 */
kc_status kc_get_string(const json_t *obj, const char *key,
                        const char **out, size_t *len, struct kc_error *err);
kc_status kc_get_array(const json_t *obj, const char *key, json_t **out,
                       struct kc_error *err);
kc_status kc_get_object(const json_t *obj, const char *key, json_t **out,
                        struct kc_error *err);
kc_status kc_get_int(const json_t *obj, const char *key, long long *out,
                     struct kc_error *err);

/* ------------------------------------------------------------------ */
/* Deterministic randomness (rng.c).
 *
 * Every random choice kc makes about a record comes from a generator
 * seeded by (seed, record id, purpose) alone, so the output for a record
 * does not depend on its position in the stream or on sharding.  The
 * generator is xoshiro256** seeded through SplitMix64.
 */

typedef struct kc_rng {
	uint64_t s[4];
} kc_rng;

/* Seed from a user seed, a record id and a purpose tag ("fill", "chain"). */
void kc_rng_seed(kc_rng *rng, uint64_t seed, const char *id, size_t idlen,
                 const char *purpose);
uint64_t kc_rng_next(kc_rng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t kc_rng_below(kc_rng *rng, uint64_t n);
/* Uniform double in [0, 1). */
double kc_rng_double(kc_rng *rng);
/* Standard normal deviate. */
double kc_rng_normal(kc_rng *rng);
/* Shuffle n elements of `size` bytes (Fisher-Yates). */
void kc_rng_shuffle(kc_rng *rng, void *base, size_t n, size_t size);

/* 64-bit hash of bytes (stable across runs and machines). */
uint64_t kc_hash64(const void *data, size_t len, uint64_t seed);

/* ------------------------------------------------------------------ */
/* Small parsers shared by the tools (util.c). */

/*
 * Parse a token length: "32768", "32k" or "32K" (= 32768), "128k" (=
 * 131072), "1m" (= 1048576).  KC_EINVAL for anything else or zero.
 */
kc_status kc_parse_length(const char *s, long *out);

/* Parse an unsigned 64-bit integer (decimal). */
kc_status kc_parse_u64(const char *s, uint64_t *out);

/* Validate UTF-8; returns the offset of the first bad byte or len. */
size_t kc_utf8_valid_prefix(const char *s, size_t len);

#include "kc_tok.h"
#include "kc_import.h"
#include "kc_pipe.h"
#include "kc_judge.h"
#include "kc_ask.h"
#include "kc_verify.h"
#include "kc_audit.h"
#include "kc_parquet.h"
#include "kc_stats.h"

#ifdef __cplusplus
}
#endif

#endif /* KC_H */
