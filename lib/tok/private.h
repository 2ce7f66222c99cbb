/*
 * tok/private.h - what the tokenizer files in lib/tok/ share and nobody
 * else sees: the handle's layout, the character classes, the string and
 * pair hash tables, and the entry points of each stage.
 *
 * The stages of one encode, in order (tok.c drives them):
 *
 *   bytes --sanitize--> valid UTF-8 (tok/norm.c: U+FFFD for bad bytes)
 *         --added tokens, raw--> pieces and added-token ids (tok/added.c)
 *         --NFC (Unicode 9.0)--> normalized pieces (tok/norm.c)
 *         --added tokens, normalized--> smaller pieces (tok/added.c)
 *         --pre-tokenizer--> pre-tokens (tok/pretok.c, hand-written regexes)
 *         --cache or BPE--> ids (tok/bpe.c)
 *
 * Loading: tok/find.c turns a spec into a file, tok/hf.c reads a Hugging
 * Face tokenizer.json, tok/tiktoken.c a .tiktoken rank file.
 */
#ifndef KC_TOK_INTERNAL_H
#define KC_TOK_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include "kc.h"

/* ------------------------------------------------------------------ */
/* Character classes (tok/unicode.c, generated). */

enum {
	TK_L = 0x01,    /* \p{L}, Unicode 16.0 */
	TK_N = 0x02,    /* \p{N} */
	TK_S = 0x04,    /* \s (White_Space) */
	TK_UP = 0x08,   /* Lu or Lt */
	TK_LO = 0x10,   /* Ll */
	TK_M = 0x20,    /* \p{M} */
	TK_NFC = 0x40,  /* assigned in 9.0 and not an inert starter for NFC */
	TK_W = 0x80     /* \w of the Rust regex crate */
};

extern const uint8_t kc_tok_uni_stage1[4352];
extern const uint8_t kc_tok_uni_stage2[];
extern const uint32_t kc_tok_v9_ranges[][2];
extern const size_t kc_tok_v9_nranges;

static inline unsigned tk_class(uint32_t cp)
{
	return kc_tok_uni_stage2[(size_t)kc_tok_uni_stage1[cp >> 8] * 256 +
	                         (cp & 255)];
}

/*
 * Decode one code point of valid UTF-8 at s (n > 0 bytes left); *len gets
 * its length.  Only for text already sanitized.
 */
static inline uint32_t tk_decode(const uint8_t *s, size_t *len)
{
	uint32_t c = s[0];

	if (c < 0x80) {
		*len = 1;
		return c;
	}
	if (c < 0xE0) {
		*len = 2;
		return ((c & 0x1F) << 6) | (s[1] & 0x3F);
	}
	if (c < 0xF0) {
		*len = 3;
		return ((c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
		       (s[2] & 0x3F);
	}
	*len = 4;
	return ((c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
	       ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

/* Length of the UTF-8 sequence that starts with lead byte b. */
static inline size_t tk_u8len(uint8_t b)
{
	return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* ------------------------------------------------------------------ */
/* Hashing. */

static inline uint64_t tk_mix(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

static inline uint64_t tk_hash(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)n * 0xff51afd7ed558ccdULL);
	uint64_t v;

	while (n >= 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	if (n) {
		v = 0;
		memcpy(&v, p, n);
		h = (h ^ v) * 0x94d049bb133111ebULL;
		h ^= h >> 31;
	}
	return tk_mix(h);
}

/* ------------------------------------------------------------------ */
/*
 * A string -> id table: open addressing over the entries themselves (a
 * lookup touches one entry and the string it points to), the strings in
 * one arena.  Iterate with: for (i = 0; i <= t->mask; i++) if
 * (t->ents[i].hash) ...
 */

struct tk_str {
	uint64_t hash;         /* 0: empty slot */
	uint32_t off;
	uint32_t len;
	uint32_t id;
};

struct tk_strtab {
	struct tk_str *ents;
	size_t mask, n;
	char *arena;
	size_t arena_len, arena_cap;
};

void kc_tok_strtab_release(struct tk_strtab *t);
/* Insert s, or give it the new id if it is there (then *existed = 1 when
 * existed is not NULL); KC_ENOMEM, KC_ETOOLONG. */
kc_status kc_tok_strtab_put(struct tk_strtab *t, const char *s, size_t len,
                            uint32_t id, int *existed);
/* The entry for s, or NULL. */
const struct tk_str *kc_tok_strtab_get(const struct tk_strtab *t,
                                       const char *s, size_t len);
static inline const char *tk_str_text(const struct tk_strtab *t,
                                      const struct tk_str *e)
{
	return t->arena + e->off;
}

/* ------------------------------------------------------------------ */
/* Pre-tokenizers: the regexes kc implements by hand. */

enum tk_pretok {
	TK_PRE_QWEN,    /* Qwen2/2.5/3: ...|\p{N}|... */
	TK_PRE_CL100K,  /* Llama-3, cl100k_base: ...|\p{N}{1,3}|... */
	TK_PRE_O200K,   /* o200k_base */
	TK_PRE_GPT2     /* GPT-2 (ByteLevel use_regex, r50k, p50k) */
};

/* The exact pattern strings, to recognize them in a tokenizer.json. */
extern const char *const kc_tok_pattern[4];

/*
 * The end of the pre-token that starts at `pos` (< n) in valid UTF-8
 * s[0..n).  *seen gets how far the match looked: n + 1 when the result
 * depended on the end of the text, so a result with *seen <= n stays the
 * same whatever text follows s[n-1].
 */
size_t kc_tok_pretok_next(int kind, const uint8_t *s, size_t n, size_t pos,
                          size_t *seen);

/* ------------------------------------------------------------------ */
/* Added tokens. */

struct tk_added {
	char *content;        /* what is matched: normalized if `normalized` */
	size_t len;
	uint32_t id;
	unsigned single_word : 1, lstrip : 1, rstrip : 1, normalized : 1,
	         special : 1;
};

struct tk_trie_node {
	uint32_t child;     /* first child, 0 = none */
	uint32_t sibling;   /* next sibling, 0 = none */
	int32_t token;      /* index in tok->added ending here, or -1 */
	uint8_t byte;
};

struct tk_trie {
	struct tk_trie_node *nodes;   /* nodes[0] is the root */
	size_t n, cap;
	uint8_t first[256];           /* bytes that start some token */
	size_t maxlen;
};

/* One piece of input: an added token, or text for the model. */
struct tk_piece {
	size_t start, end;     /* byte range in the text it was cut from */
	int64_t id;            /* the added token's id, or -1 for text */
};

/* ------------------------------------------------------------------ */
/* The handle. */

enum tk_kind { TK_KIND_BPE, TK_KIND_APPROX };

struct tk_idref {
	const char *s;           /* borrowed from the tables above */
	uint32_t len;
};

/*
 * A cached pre-token.  Keys of up to 16 bytes live in the entry itself
 * (k0, k1: see cache_key() in tok/bpe.c), so a hit on a short word reads
 * one 32-byte entry and nothing else; a longer key keeps its first 8
 * bytes in k0 and its offset in the key arena in k1.
 */
struct tk_cache_ent {
	uint64_t hash;          /* 0: empty slot */
	uint64_t k0, k1;
	uint32_t ids_off;       /* or the id itself when n_ids == 1 */
	uint16_t key_len;
	uint16_t n_ids;
};

#define TK_FRONT 8192

struct tk_cache {
	/* a direct-mapped copy of recent hits, small enough to stay in the
	 * CPU's L2 cache: frequent words (most of any text) are found
	 * there without a trip to the big table */
	struct tk_cache_ent *front;
	struct tk_cache_ent *ents;   /* open addressing, hash 0 = empty */
	size_t mask, n;
	uint8_t *keys;
	size_t keys_len, keys_cap;
	uint32_t *ids;
	size_t ids_len, ids_cap;
};

/* A merge: key (left << 32 | right), ~0 = empty; val (rank << 32 | new
 * id).  Key and value side by side: one cache line per probe. */
struct tk_pair {
	uint64_t key, val;
};

struct kc_tokenizer {
	char *name;
	char *path;
	int kind;
	int pretok;              /* enum tk_pretok */
	int nfc;                 /* the normalizer is NFC */
	int ignore_merges;       /* whole pre-token in the vocab: one id */
	int chat;                /* enum tk_chat: the default template */

	/* the model */
	int32_t byte_id[256];    /* id of each single byte, -1 if none */
	struct tk_strtab vocab;  /* token string as in the file -> id */
	struct tk_strtab bytes;  /* token bytes -> id (byte-level decoded) */
	struct tk_idref *idrefs; /* id -> its bytes, for offsets and display */
	uint32_t max_id;         /* largest id, model or added */
	struct tk_pair *pairs;   /* the merges, open addressing */
	size_t pair_mask, n_pairs;

	/* added tokens */
	struct tk_added *added;
	size_t n_added;
	struct tk_trie trie_raw, trie_norm;

	/* per-handle scratch and the per-word cache */
	struct tk_cache cache;
	kc_buf clean, norm, norm2;
	struct tk_piece *pieces, *pieces2;
	size_t pieces_cap, pieces2_cap;
	uint32_t *wbuf;
	size_t wbuf_cap;
	void *bpe_scratch;
	size_t bpe_scratch_cap;
	void *memo;               /* count_concat's per-piece memo */
};

/* tok/hf.c, tok/tiktoken.c */
kc_status kc_tok_load_hf(kc_tokenizer *tok, const char *path,
                         struct kc_error *err);
kc_status kc_tok_load_tiktoken(kc_tokenizer *tok, const char *path,
                               struct kc_error *err);

/* tok/find.c: the file a spec names (malloc'd) and how to read it. */
enum tk_format { TK_FMT_HF, TK_FMT_TIKTOKEN, TK_FMT_APPROX };
kc_status kc_tok_find(const char *spec, char **path, int *format,
                      struct kc_error *err);

/* tok/bpe.c */
kc_status kc_tok_pairs_init(kc_tokenizer *tok, size_t n);
/* Add a merge; a pair seen before gets the new rank (later wins). */
void kc_tok_pair_put(kc_tokenizer *tok, uint32_t a, uint32_t b,
                     uint32_t rank, uint32_t id);
/*
 * The ids of one pre-token (bytes s[0..n)): through the cache, else the
 * merges.  *ids points into the cache or the handle's scratch, valid until
 * the next call.  Returns the count, or -1 when out of memory.
 */
long kc_tok_word(kc_tokenizer *tok, const uint8_t *s, size_t n,
                 const uint32_t **ids);
void kc_tok_cache_release(struct tk_cache *c);

/* tok/concat.c */
void kc_tok_memo_free(kc_tokenizer *tok);

/* tok/added.c */
kc_status kc_tok_trie_add(struct tk_trie *t, const char *s, size_t len,
                          int32_t token);
void kc_tok_trie_release(struct tk_trie *t);
/* 1 when some token of t occurs in s[0..n), or starts in it and runs
 * past its end (text appended to s could complete it). */
int kc_tok_trie_touches(const struct tk_trie *t, const uint8_t *s, size_t n);
/*
 * Cut s[0..n) into pieces at the added tokens of `trie` (leftmost-longest,
 * with each token's single_word, lstrip and rstrip rules, as Hugging
 * Face's AddedVocabulary::find_matches does).  Offsets in the pieces are
 * relative to s plus `base`.  Appends to *out (KC_ENOMEM).
 */
kc_status kc_tok_split_added(const kc_tokenizer *tok, const struct tk_trie *t,
                             const uint8_t *s, size_t n, size_t base,
                             struct tk_piece **out, size_t *n_out,
                             size_t *cap);

/* tok/norm.c */

/*
 * Where a stage changed its text: out[opos, opos+olen) came from
 * in[ipos, ipos+ilen).  Kept only when offsets are wanted, to map a token
 * back to the caller's bytes.
 */
struct tk_edit {
	size_t opos, olen, ipos, ilen;
};

struct tk_edits {
	struct tk_edit *v;
	size_t n, cap;
};

kc_status kc_tok_edits_add(struct tk_edits *e, size_t opos, size_t olen,
                           size_t ipos, size_t ilen);
/* The input position of output position p (the start of a changed span
 * for a position inside one). */
size_t kc_tok_edits_map(const struct tk_edits *e, size_t p);

/*
 * Valid UTF-8 for s[0..n): either s itself (*out = s) or a copy in `buf`
 * where each maximal invalid subsequence is U+FFFD.  `edits` may be NULL.
 */
kc_status kc_tok_sanitize(const uint8_t *s, size_t n, kc_buf *buf,
                          const uint8_t **out, size_t *out_len,
                          struct tk_edits *edits);
/*
 * NFC with Unicode 9.0 data, for valid UTF-8: *out = s when s is already
 * normalized, else the normalized text in `buf` (reset first).  Edits, if
 * wanted, are recorded with input positions plus `base`.
 */
kc_status kc_tok_nfc(const uint8_t *s, size_t n, kc_buf *buf,
                     const uint8_t **out, size_t *out_len,
                     struct tk_edits *edits, size_t base);
/* 1 when s[0..n) starts with a character NFC may join to the text
 * before it (never for an invalid sequence: that becomes U+FFFD). */
int kc_tok_nfc_joins_left(const uint8_t *s, size_t n);

#endif /* KC_TOK_INTERNAL_H */
