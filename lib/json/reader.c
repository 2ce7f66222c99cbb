/*
 * reader.c - JSON lines in, one record at a time.
 *
 * The reader owns one input chunk and one line buffer, both reused, so
 * memory stays bounded by the longest line (itself capped).  A line over
 * the cap is skipped to its newline and reported; the caller may go on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"

#define CHUNK (1 << 20)

struct kc_reader {
	FILE *f;
	int close;          /* we opened f */
	char *name;
	char *chunk;
	size_t chunk_len, chunk_pos;
	int at_eof;
	kc_buf line;
	size_t max_line;
	long lineno;
};

kc_status kc_reader_open(kc_reader **out, const char *path, size_t max_line,
                         struct kc_error *err)
{
	kc_reader *r;

	*out = NULL;
	r = calloc(1, sizeof *r);
	if (!r)
		return kc_error_nomem(err);
	r->max_line = max_line ? max_line : KC_LINE_MAX_DEFAULT;
	kc_buf_init(&r->line, r->max_line);
	r->chunk = malloc(CHUNK);
	r->name = strdup(path && strcmp(path, "-") ? path : "-");
	if (!r->chunk || !r->name) {
		kc_reader_free(r);
		return kc_error_nomem(err);
	}
	if (!path || !strcmp(path, "-")) {
		r->f = stdin;
	} else {
		r->f = fopen(path, "rb");
		if (!r->f) {
			int e = errno;
			kc_reader_free(r);
			if (err)
				err->saved_errno = e;
			return kc_error_set(err, e == ENOENT ? KC_ENOTFOUND : KC_EIO,
			                    "%s", strerror(e));
		}
		r->close = 1;
	}
	*out = r;
	return KC_OK;
}

void kc_reader_free(kc_reader *r)
{
	if (!r)
		return;
	if (r->close && r->f)
		fclose(r->f);
	kc_buf_release(&r->line);
	free(r->chunk);
	free(r->name);
	free(r);
}

static kc_status fill(kc_reader *r, struct kc_error *err)
{
	r->chunk_len = fread(r->chunk, 1, CHUNK, r->f);
	r->chunk_pos = 0;
	if (r->chunk_len == 0) {
		if (ferror(r->f)) {
			if (err)
				err->saved_errno = errno;
			return kc_error_set(err, KC_EIO, "read error: %s",
			                    strerror(errno));
		}
		r->at_eof = 1;
	}
	return KC_OK;
}

/*
 * Read one line into r->line.  KC_ETOOLONG when it was over the cap (the
 * line is consumed all the same), KC_EOF when there is none.
 */
static kc_status read_line(kc_reader *r, struct kc_error *err)
{
	int toolong = 0, any = 0;
	kc_status st;

	r->line.len = 0;
	for (;;) {
		char *start, *nl;
		size_t n;

		if (r->chunk_pos == r->chunk_len) {
			if (r->at_eof)
				break;
			if ((st = fill(r, err)))
				return st;
			if (r->at_eof)
				break;
		}
		any = 1;
		start = r->chunk + r->chunk_pos;
		n = r->chunk_len - r->chunk_pos;
		nl = memchr(start, '\n', n);
		if (nl)
			n = (size_t)(nl - start);
		if (!toolong) {
			st = kc_buf_append(&r->line, start, n);
			if (st == KC_ETOOLONG) {
				toolong = 1;
				kc_buf_release(&r->line);
			} else if (st) {
				return kc_error_set(err, st, "out of memory");
			}
		}
		r->chunk_pos += n + (nl != NULL);
		if (nl)
			break;
	}
	if (!any)
		return KC_EOF;
	r->lineno++;
	if (toolong) {
		kc_buf_init(&r->line, r->max_line);
		return kc_error_set(err, KC_ETOOLONG,
		                    "line longer than %zu bytes", r->max_line);
	}
	if (r->line.len && r->line.data[r->line.len - 1] == '\r')
		r->line.data[--r->line.len] = '\0';
	return KC_OK;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

kc_status kc_reader_next(kc_reader *r, json_t **out, struct kc_error *err)
{
	kc_status st;

	*out = NULL;
	for (;;) {
		st = read_line(r, err);
		if (err) {
			err->source = r->name;
			err->line = r->lineno;
		}
		if (st)
			return st;
		if (!blank(r->line.data, r->line.len))
			break;
	}
	*out = kc_json_parse(r->line.data, r->line.len, err);
	if (err) {
		err->source = r->name;
		err->line = r->lineno;
	}
	return *out ? KC_OK : err ? err->status : KC_EJSON;
}

const char *kc_reader_line(const kc_reader *r, size_t *len)
{
	if (len)
		*len = r->line.len;
	return r->line.data ? r->line.data : "";
}

long kc_reader_lineno(const kc_reader *r)
{
	return r->lineno;
}

const char *kc_reader_name(const kc_reader *r)
{
	return r->name;
}
