/*
 * jsonstream.h - the records of a JSON array or JSON lines file, one at a
 * time, without reading the whole file (private to libkc: used by
 * import.c and the unit tests).
 *
 * The published datasets come either as one JSON array (HotpotQA train is
 * 550 MB on one line) or as JSON lines.  A kc_jstream tells which from
 * the first byte that is not white space, then hands out the raw text of
 * one element (or one line) at a time, with the line where it starts.  It
 * does not parse: it finds where an element ends by following strings,
 * escapes and brackets, so the caller can parse each element on its own
 * and memory stays bounded by the largest element.
 */
#ifndef KC_JSONSTREAM_H
#define KC_JSONSTREAM_H

#include "kc.h"

typedef struct kc_jstream kc_jstream;

enum kc_jstream_kind {
	KC_JSTREAM_EMPTY,       /* nothing but white space */
	KC_JSTREAM_ARRAY,       /* one JSON array: its elements */
	KC_JSTREAM_LINES        /* JSON lines: its non-blank lines */
};

/* Default cap on one element or line. */
#define KC_JSTREAM_MAX_DEFAULT KC_LINE_MAX_DEFAULT

/*
 * Open `path` ("-" or NULL: stdin) and look at its first byte that is
 * not white space: '[' makes an array, '{' JSON lines.  Anything else is
 * KC_EJSON ("not a JSON array or JSON lines").  `max` caps one element
 * (0: the default); `chunk` is how much one read asks for (0: 1 MiB; the
 * tests use tiny ones to cross every boundary).
 */
kc_status kc_jstream_open(kc_jstream **js, const char *path, size_t max,
                          size_t chunk, struct kc_error *err);
void kc_jstream_free(kc_jstream *js);

enum kc_jstream_kind kc_jstream_kind(const kc_jstream *js);

/* Change the cap on one element (0: the default) for what comes next. */
void kc_jstream_set_max(kc_jstream *js, size_t max);

/*
 * The next element: *text and *len (borrowed until the next call; not
 * NUL-terminated).  Returns KC_OK, KC_EOF at the end, or:
 *   KC_ETOOLONG  the element is over the cap; it was skipped and the
 *                next call goes on after it;
 *   KC_EJSON     the array is broken where no element boundary can be
 *                found any more (truncated, no ',' between elements,
 *                data after the closing ']'): every later call returns
 *                KC_EOF;
 *   KC_EIO       a read error (later calls return KC_EOF).
 * err->line is the line where the element (or the problem) starts.
 */
kc_status kc_jstream_next(kc_jstream *js, const char **text, size_t *len,
                          struct kc_error *err);

/* The 1-based line where the last element starts, its 0-based index
 * among the elements (lines: among the non-blank lines), the source's
 * name ("-" for stdin) and the bytes read so far. */
long kc_jstream_line(const kc_jstream *js);
long kc_jstream_index(const kc_jstream *js);
const char *kc_jstream_name(const kc_jstream *js);
unsigned long long kc_jstream_bytes(const kc_jstream *js);

#endif
