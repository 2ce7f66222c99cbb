/*
 * kc_parquet.h - JSON records to and from Apache Parquet files.
 *
 * Trainers (verl, LoongRL's fork of it) load Parquet; Hugging Face ships
 * the datasets kc imports as Parquet.  The writer infers the schema from
 * the records (strings, integers, floats, booleans, nulls, lists and
 * objects nested to any depth), one row group at a time, so memory stays
 * bounded by the row group.  The reader takes what pyarrow, DuckDB and
 * arrow-rs write by default and rejects everything else with a message.
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_PARQUET_H
#define KC_PARQUET_H

#ifdef __cplusplus
extern "C" {
#endif

/* Compression of the pages. */
enum kc_parquet_codec {
	KC_PARQUET_NONE = 0,
	KC_PARQUET_SNAPPY = 1,
	KC_PARQUET_GZIP = 2,
	KC_PARQUET_ZSTD = 6
};

struct kc_parquet_opts {
	enum kc_parquet_codec codec;   /* default (0 set by _init): ZSTD */
	int level;                     /* zstd or gzip level, 0: default */
	size_t row_group_size;         /* bytes of values; 0: 64 MiB */
	int no_dictionary;             /* never dictionary-encode */
};

/* The defaults: zstd, 64 MiB row groups, dictionaries where they pay. */
void kc_parquet_opts_init(struct kc_parquet_opts *o);

/*
 * The codec named `name` ("zstd", "snappy", "gzip" or "none") into *codec;
 * KC_EINVAL naming the choices for another name.
 */
kc_status kc_parquet_codec_parse(const char *name,
                                 enum kc_parquet_codec *codec,
                                 struct kc_error *err);

typedef struct kc_parquet_writer kc_parquet_writer;

/*
 * Start writing `path` (a regular file; it is written under a temporary
 * name beside it and renamed by kc_parquet_writer_close).
 */
kc_status kc_parquet_writer_open(kc_parquet_writer **w, const char *path,
                                 const struct kc_parquet_opts *o,
                                 struct kc_error *err);

/*
 * Add one record (a JSON object).  The schema is inferred from the
 * records of the first row group and fixed after it.  A record that does
 * not fit it is not written: KC_EFIELD, and err names the field
 * ("field \"prompt[].content\": a number where the schema has a string");
 * the writer stays usable.  Other errors (KC_EIO, KC_ENOMEM) are fatal.
 */
kc_status kc_parquet_writer_add(kc_parquet_writer *w, const json_t *rec,
                                struct kc_error *err);

/*
 * Write the last row group and the footer, put the file in place and
 * free the writer (also on an error).
 */
kc_status kc_parquet_writer_close(kc_parquet_writer *w, struct kc_error *err);

/* Abandon the file (the temporary is removed) and free the writer. */
void kc_parquet_writer_free(kc_parquet_writer *w);

typedef struct kc_parquet_reader kc_parquet_reader;

/* Open a Parquet file and read its footer. */
kc_status kc_parquet_reader_open(kc_parquet_reader **r, const char *path,
                                 struct kc_error *err);

/* The same over `len` bytes at `data`, borrowed until the reader is
 * freed. */
kc_status kc_parquet_reader_open_mem(kc_parquet_reader **r, const void *data,
                                     size_t len, struct kc_error *err);

/*
 * The next row as a new JSON object (the caller decrefs), or KC_EOF
 * after the last.  Any problem in the file is an error (KC_EUNSUPPORTED
 * for what kc does not read, KC_EJSON for a malformed file) and ends the
 * reading.
 */
kc_status kc_parquet_reader_next(kc_parquet_reader *r, json_t **rec,
                                 struct kc_error *err);

/* The number of rows the footer gives. */
long long kc_parquet_reader_rows(const kc_parquet_reader *r);

/*
 * The schema as text, one line per field, indented by depth:
 * "prompt: list<struct>", "  content: string".
 */
kc_status kc_parquet_reader_schema(const kc_parquet_reader *r, kc_buf *out,
                                   struct kc_error *err);

void kc_parquet_reader_free(kc_parquet_reader *r);

#ifdef __cplusplus
}
#endif

#endif
