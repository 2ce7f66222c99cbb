/*
 * parquet/private.h - what the Parquet writer and reader share: the
 * Thrift compact protocol, the RLE/bit-packed hybrid, the codecs and the
 * schema tree.
 *
 * A file, as written and read here:
 *
 *     "PAR1"
 *     row group 0:  column 0: [dictionary page] data page...
 *                   column 1: ...
 *     row group 1:  ...
 *     footer (FileMetaData, Thrift compact)  u32 footer length  "PAR1"
 *
 * Nested values are stored as Dremel does: each leaf column holds one
 * (repetition level, definition level, value) entry per value or per
 * null/empty ancestor; a value is present only where the definition level
 * is the leaf's maximum.
 */
#ifndef KC_PARQUET_PRIVATE_H
#define KC_PARQUET_PRIVATE_H

#include <stdint.h>
#include "kc.h"

/* Parquet's enums, as the format numbers them. */
enum { PQ_BOOLEAN = 0, PQ_INT32, PQ_INT64, PQ_INT96, PQ_FLOAT, PQ_DOUBLE,
       PQ_BYTE_ARRAY, PQ_FIXED };
enum { PQ_REQUIRED = 0, PQ_OPTIONAL, PQ_REPEATED };
enum { PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICT = 2, PQ_ENC_RLE = 3,
       PQ_ENC_BIT_PACKED = 4, PQ_ENC_RLE_DICT = 8 };
enum { PQ_PAGE_DATA = 0, PQ_PAGE_INDEX, PQ_PAGE_DICT, PQ_PAGE_DATA_V2 };
enum { PQ_CT_UTF8 = 0, PQ_CT_MAP = 1, PQ_CT_MAP_KV = 2, PQ_CT_LIST = 3,
       PQ_CT_ENUM = 4, PQ_CT_UINT_8 = 11, PQ_CT_UINT_64 = 14,
       PQ_CT_INT_8 = 15, PQ_CT_INT_64 = 18, PQ_CT_JSON = 19 };

/* Deepest nesting of the schema either way (levels fit a byte). */
#define PQ_MAX_DEPTH 64

/* ---- Thrift compact protocol (thrift.c) ---- */

enum { TC_STOP = 0, TC_TRUE = 1, TC_FALSE = 2, TC_BYTE = 3, TC_I16 = 4,
       TC_I32 = 5, TC_I64 = 6, TC_DOUBLE = 7, TC_BINARY = 8, TC_LIST = 9,
       TC_SET = 10, TC_MAP = 11, TC_STRUCT = 12 };

/* Writing: fields are written in increasing id within a struct. */
struct tw {
	kc_buf *b;
	int16_t last[PQ_MAX_DEPTH];
	int top;
	kc_status st;           /* the first error (KC_ENOMEM) */
};
void tw_init(struct tw *t, kc_buf *b);
void tw_field(struct tw *t, int id, int type);
void tw_i32(struct tw *t, int id, int32_t v);
void tw_i64(struct tw *t, int id, int64_t v);
void tw_bool(struct tw *t, int id, int v);
void tw_binary(struct tw *t, int id, const char *s, size_t len);
/* A list field of n elements of `type`; elements follow (tw_elem_*). */
void tw_list(struct tw *t, int id, int type, size_t n);
void tw_elem_i32(struct tw *t, int32_t v);
void tw_elem_binary(struct tw *t, const char *s, size_t len);
/* A struct: as a field (id > 0) or as a list element (id 0); then its
 * fields, then tw_end. */
void tw_begin(struct tw *t, int id);
void tw_end(struct tw *t);
/* Raw bytes (a struct encoded before, as a list element). */
void tw_raw(struct tw *t, const void *p, size_t len);

/* Reading: any overrun, bad type or depth sets `bad`; values read after
 * it are 0. */
struct tr {
	const uint8_t *p, *end;
	int16_t last[PQ_MAX_DEPTH];
	int top;
	int bad;
};
void tr_init(struct tr *t, const void *p, size_t len);
/* Enter a struct (the outermost too). */
void tr_begin(struct tr *t);
/* The next field: 1 with *id and *type set, 0 at the struct's end (left),
 * or on an error.  A bool field's value is its type (TC_TRUE/TC_FALSE). */
int tr_field(struct tr *t, int *id, int *type);
int64_t tr_int(struct tr *t, int type);          /* i8/i16/i32/i64 */
int tr_bool(struct tr *t, int type);
/* A binary; *len bounded by the input. */
const char *tr_binary(struct tr *t, int type, size_t *len);
/* A list header: the element type and count (bounded by the input). */
size_t tr_list(struct tr *t, int type, int *elem);
/* Skip a value of `type`. */
void tr_skip(struct tr *t, int type);

/* ---- The RLE/bit-packed hybrid (rle.c) ---- */

/* Bits for values up to max. */
int pq_bit_width(unsigned max);
/* Append v[0..n) (each < 2^width) encoded to b. */
kc_status pq_rle_encode(kc_buf *b, const uint32_t *v, size_t n, int width);
/* Decode n values of `width` bits from p[0..len) into out; -1 when the
 * input ends early or a value is over `max`. */
int pq_rle_decode(const uint8_t *p, size_t len, int width, uint32_t *out,
                  size_t n, uint32_t max);

/* ---- Codecs (codec.c) ---- */

kc_status pq_compress(int codec, int level, const void *src, size_t n,
                      kc_buf *out, struct kc_error *err);
/* Decompress into out[0..want); the data must give exactly want bytes. */
kc_status pq_decompress(int codec, const void *src, size_t n, void *out,
                        size_t want, struct kc_error *err);

/* ---- The schema tree (schema.c for the writer, meta.c for files) ---- */

enum pq_kind { PK_UNKNOWN, PK_BOOL, PK_INT, PK_DOUBLE, PK_STRING, PK_LIST,
               PK_STRUCT };

struct pq_node {
	char *name;
	enum pq_kind kind;
	struct pq_node **kids;   /* struct fields, or a list's element */
	size_t nkids, capkids;
	int optional;            /* may be null (reader; writer: always) */
	int def;                 /* definition level where the value is there */
	int rep;                 /* a list: the level of its repetition */
	int leaf;                /* a leaf: its column, first leaf: -1 */
	int first;               /* the first leaf column under the node */
	/* files read: the leaf's physical and converted type */
	int ptype, ctype, unsigned_int, bits;
};

struct pq_node *pq_node_new(const char *name, size_t len, enum pq_kind k);
void pq_node_free(struct pq_node *n);
kc_status pq_node_add(struct pq_node *parent, struct pq_node *kid);
const char *pq_kind_name(enum pq_kind k);

/* Writer: merge the types of record `rec` into the tree `root` (a
 * struct), or KC_EFIELD naming the field that conflicts (root then
 * unchanged). */
kc_status pq_schema_merge(struct pq_node **root, const json_t *rec,
                          struct kc_error *err);
/* Writer: fix the tree (unknown types become strings), set levels and
 * number the leaves; KC_EFIELD for an object that has no fields. */
kc_status pq_schema_freeze(struct pq_node *root, size_t *nleaves,
                           struct kc_error *err);
/* Writer: KC_EFIELD when rec does not fit the fixed tree. */
kc_status pq_schema_check(const struct pq_node *root, const json_t *rec,
                          struct kc_error *err);
/* Writer: the leaves in column order. */
void pq_schema_leaves(struct pq_node *n, struct pq_node **out);

/* A value read or to write. */
struct pq_val {
	union {
		int64_t i;
		double f;
		struct { const char *p; uint32_t len; } s;
	} u;
};

/* A file's footer, as the reader needs it (meta.c). */
struct pq_chunk {
	int64_t start, size, num_values;
	int codec;
};
struct pq_group {
	int64_t rows;
	struct pq_chunk *chunks;   /* one per leaf */
};
struct pq_file {
	struct pq_node *root;
	struct pq_node **leaves;
	size_t nleaves;
	struct pq_group *groups;
	size_t ngroups;
	int64_t rows;
};

/* Parse the footer foot[0..len) of a file of file_size bytes: the schema
 * (KC_EUNSUPPORTED naming a column kc cannot read) and where each column
 * chunk lies (checked to lie in the file). */
kc_status pq_file_parse(struct pq_file *f, const uint8_t *foot, size_t len,
                        uint64_t file_size, struct kc_error *err);
void pq_file_release(struct pq_file *f);

/* Limits of the reader (the fuzz target lowers them). */
extern size_t pq_max_alloc;     /* one page or column chunk, bytes */
extern size_t pq_max_entries;   /* entries of one column in a row group */

#endif
