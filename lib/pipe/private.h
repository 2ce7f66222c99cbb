/*
 * pipe/private.h - what the pipeline's files share, private to libkc
 * (unit tests include it): the pool's passages and questions (pool.c),
 * the plan (plan.c), keys (uuid.c), sentence ends (sentence.c), the
 * record's passages (record.c), prompt presets and parsed templates
 * (prompt.c), and the state kc_render works on, shared by render.c (the
 * fit), layout.c (passages, pairs, counting) and format.c (the output
 * records).
 */
#ifndef KC_PIPE_PRIVATE_H
#define KC_PIPE_PRIVATE_H

#include "kc.h"

/* ---- the pool (pool.c) ---- */

/*
 * Add a canonical record's docs (deduplicated on title + "\n" + text,
 * the reference's passage identity) and its question.  The pool keeps
 * its own copies.  Passages are numbered in order of first appearance,
 * so a pool built from the same files is the same pool.
 */
kc_status kc_pool_add(kc_pool *pool, const json_t *rec, struct kc_error *err);

/* The number of questions (the pool's passages: kc_pool_passages). */
size_t kc_pool_questions(const kc_pool *pool);

/* Passage i: its title and text (borrowed, valid while the pool lives). */
void kc_pool_passage(const kc_pool *pool, size_t i, const char **title,
                     size_t *title_len, const char **text, size_t *text_len);
/* The index of the passage equal to (title, text), or -1. */
long kc_pool_find(const kc_pool *pool, const char *title, size_t title_len,
                  const char *text, size_t text_len);
/* Question i and the id of its record (borrowed). */
const char *kc_pool_question(const kc_pool *pool, size_t i, size_t *len,
                             const char **id);

/* The token count of question i alone, cached as passages' are. */
kc_status kc_pool_question_tokens(kc_pool *pool, kc_tokenizer *tok, size_t i,
                                  size_t *count, struct kc_error *err);

/* Questions that may end a distractor chain: no '"}' or '{"' in them. */
size_t kc_pool_usable_questions(const kc_pool *pool);

/* The pool indices of question i's own passages (*n of them), the
 * *nsup supporting ones first; none in a questions-only pool. */
const uint32_t *kc_pool_question_passages(const kc_pool *pool, size_t i,
                                          size_t *n, size_t *nsup);

/* Question i's answers as a new JSON array (NULL: out of memory). */
json_t *kc_pool_question_answers(const kc_pool *pool, size_t i);

/* 1 if passage i holds text shaped like a chain pair (never a filler). */
int kc_pool_passage_pairlike(const kc_pool *pool, size_t i);

/*
 * Pick k distinct questions for the record (id, q) from rng: usable
 * ones, never the record's own (by id or by text).  Fewer than k when
 * the pool has fewer, but at least `need`, else KC_EPOOL.  *out (k
 * entries, the caller frees it) gets pool indices.
 */
kc_status kc_pool_pick_questions(const kc_pool *pool, kc_rng *rng,
                                 const char *id, const char *q, size_t qlen,
                                 size_t k, size_t need, size_t **out,
                                 size_t *got, struct kc_error *err);

/* Order the pool questions idx[0..n) by their similarity to q, the most
 * similar first, ties in the order given (similar.c). */
kc_status kc_rank_similar(const kc_pool *pool, const char *q, size_t qlen,
                          size_t *idx, size_t n);

/*
 * The token count of passage i as it appears in a context, followed by
 * the blank line that separates it from the next: title + "\n" + text +
 * "\n\n", counted with `tok` on first use and cached.  A pool counts
 * with one tokenizer only.
 */
kc_status kc_pool_passage_tokens(kc_pool *pool, kc_tokenizer *tok, size_t i,
                                 size_t *count, struct kc_error *err);

/* ---- the plan (plan.c) and keys (uuid.c) ---- */

/* Every setting unset. */
void kc_plan_opts_init(struct kc_plan_opts *o);

/*
 * The reference's defaults for a length: 4 chains and 16 distractor
 * questions per 1K of length, 4 hops, default_8 UUIDs, the keychain-rl
 * prompt and the tokenizer's own chat template ("auto").
 */
void kc_plan_defaults(struct kc_plan *plan, long length);

/*
 * The tokens a chat template adds around the prompt: `chat` is "none"
 * (0), a number of tokens, a template name (see kc_tok.h), or "auto":
 * the tokenizer's own, and for a ChatML or Llama-3 vocabulary the longer
 * of its family's templates (Qwen2.5's, which adds a default system
 * message; Llama-3.1's, which adds its dates), so that a prompt fits
 * every model of the family.  0 when the tokenizer has no template.
 * *name gets the template counted ("none" when none).
 */
kc_status kc_chat_tokens(kc_tokenizer *tok, const char *chat, size_t *n,
                         const char **name, struct kc_error *err);

/* Store the plan in rec["plan"] / read it back (fields absent in the
 * record keep the values already in *plan). */
kc_status kc_plan_store(const struct kc_plan *plan, json_t *rec);
kc_status kc_plan_load(struct kc_plan *plan, const json_t *rec,
                       struct kc_error *err);

/* The tokens the prompt may take: the length less the answer's share. */
long kc_plan_budget(const struct kc_plan *plan);

/* Write the format's name ("default_8") into buf[size]. */
void kc_uuid_format_name(const struct kc_uuid_format *fmt, char *buf,
                         size_t size);

/*
 * Write one key of the format into out (fmt->len + 1 bytes), from the
 * record's generator, or from libuuid's entropy when rng is NULL.
 */
void kc_uuid_make(kc_rng *rng, const struct kc_uuid_format *fmt, char *out);
/* 1 when c can occur in a key of the format. */
int kc_uuid_char(const struct kc_uuid_format *fmt, unsigned char c);
/* nanoid's 64 symbols; from index 2 on, the 16 hex digits first. */
extern const char kc_uuid_nano_alphabet[];

/* Pairs a plan inserts, and how many of them end in a question. */
void kc_chain_count(const struct kc_plan *plan, long *pairs,
                    long *question_pairs);

/* ---- placement and the record's passages (fill.c, record.c) ---- */

/* The name of a placement ("gaussian"), or NULL. */
const char *kc_place_name(enum kc_place place);

/*
 * The check kc-fill stores beside a passage's token count ("tokens",
 * "check"): a hash of the tokenizer's name and of title + "\n" + text,
 * as 16 hex digits, so that kc-render uses the count only for the same
 * text and the same tokenizer.
 */
void kc_passage_check(const kc_tokenizer *tok, const char *title,
                      size_t title_len, const char *text, size_t text_len,
                      char out[17]);
/* The same as a number; kc_pool_passage_check keeps it per passage. */
uint64_t kc_passage_check_hash(const kc_tokenizer *tok, const char *title,
                               size_t title_len, const char *text,
                               size_t text_len);
void kc_pool_passage_check(kc_pool *pool, const kc_tokenizer *tok, size_t i,
                           char out[17]);

/*
 * Resolve one element p of rec["passages"] to its title and text
 * (borrowed from rec).  *doc is the index into rec["docs"] for the
 * record's own passages, -1 for fillers.
 */
kc_status kc_record_passage(const json_t *rec, const json_t *p,
                            const char **title, size_t *title_len,
                            const char **text, size_t *text_len, long *doc,
                            struct kc_error *err);

/*
 * The pairs of a chain, "chain"."pairs": the columns kc-chain writes,
 * {"key": [...], "value": [...], "passage": [...], "at": [...], "chain":
 * [...], "hop": [...]}, or the list of objects {"key": ..., "value": ...,
 * "passage": ..., "at": ..., "chain": ..., "hop": ...} of kc 0.1.
 * kc_pairs_open returns their number, -1 when "pairs" is neither (or its
 * columns differ in length); kc_pair_read reads pair i of them, 0 when a
 * field is not a string or an integer where it belongs ("chain" and
 * "hop" may be missing: 0).  Strings borrowed from the record.
 */
struct kc_pairs {
	const json_t *list;        /* the list of objects, or NULL */
	const json_t *col[6];      /* the columns */
};

struct kc_pair_ref {
	const char *key, *value;
	size_t klen, vlen;
	json_int_t passage, at, chain, hop;
};

long kc_pairs_open(struct kc_pairs *ps, const json_t *pairs);
int kc_pair_read(const struct kc_pairs *ps, size_t i, struct kc_pair_ref *p);

/*
 * What counts.c keeps of a pool: the counts of its items, the passages
 * then the questions (kc_pool_count_items of them).  Item i's key (a
 * passage: the pool's hash of its title and text; a question: a hash of
 * its text), the length counted (a passage: title, "\n", text, "\n\n"),
 * and its count with tok: kc_pool_count_get returns 1 when it is known.
 */
size_t kc_pool_count_items(const kc_pool *pool);
int kc_pool_count_get(kc_pool *pool, const kc_tokenizer *tok, size_t i,
                      uint64_t *key, uint32_t *len, uint32_t *count);
void kc_pool_count_set(kc_pool *pool, const kc_tokenizer *tok, size_t i,
                       uint32_t count);

/* ---- sentence ends (sentence.c) ---- */

/*
 * Find the byte offsets in text[0..len) just after a sentence end where
 * a chain pair may go: after '.', '?' or '!' (and closing quotes or
 * brackets) followed by white space or the end, or after a newline; not
 * inside a number ("3.5"), not after an abbreviation ("U.S.", "Dr.",
 * "e.g.") or an initial ("J. R. R."), not before a lower-case
 * continuation.  Writes at most `max` offsets to out and returns how
 * many there are in all; *refused (unless NULL) is set to the number of
 * '.', '?' and '!' that end no sentence by these rules.
 */
size_t kc_sentence_ends(const char *text, size_t len, uint32_t *out,
                        size_t max, size_t *refused);

/*
 * May more pairs follow a pair at the sentence end `at`?  Only where the
 * text goes on with white space or ends: not after a newline (the next
 * pair would be glued to the first) and not where the next sentence is
 * glued to this one ("film.It").
 */
int kc_sentence_stackable(const char *text, size_t len, size_t at);

/* ---- prompts (prompt.c) ---- */

/* Which context a preset wants. */
enum kc_ctx {
	KC_CTX_PASSAGES,   /* "Passage i:\n" blocks joined by "\n\n" */
	KC_CTX_OWN,        /* the record's own docs, "title\ntext" joined by
	                      "\n" (the filter stage) */
};

struct kc_preset_def {
	const char *name;
	enum kc_ctx ctx;
	const char *text;
};

/* The preset named `name`; NULL, with err listing the names, for none. */
const struct kc_preset_def *kc_preset_find(const char *name,
                                           struct kc_error *err);

enum kc_slot { KC_SLOT_CONTEXT, KC_SLOT_QUESTION, KC_SLOT_HEAD,
               KC_SLOT_ANSWER, KC_SLOT_MAX };

typedef struct kc_span {
	const char *s;
	size_t len;
} kc_span;

#define KC_TEMPLATE_MAX 16

/* A template split at its placeholders: literal text with the offsets
 * where each placeholder goes. */
struct kc_template {
	kc_buf text;             /* literal text, braces unescaped */
	struct {
		size_t lit_end;      /* literal text before this slot ends here */
		enum kc_slot slot;
	} parts[KC_TEMPLATE_MAX];
	size_t nparts;
	unsigned uses;           /* bit per slot used */
};

kc_status kc_template_parse(const char *text, struct kc_template *t,
                            struct kc_error *err);
void kc_template_release(struct kc_template *t);
/* Append the expansion to out; *context_at gets the offset in out where
 * the context starts (when the template has one). */
kc_status kc_template_expand(const struct kc_template *t,
                             const kc_span values[KC_SLOT_MAX], kc_buf *out,
                             size_t *context_at);

/* ---- rendering ---- */

struct rpair {
	const char *key, *value;
	size_t klen, vlen;
	size_t passage, at;       /* passage index, byte offset in its text */
	int chain, hop, real;     /* real: on the path from head to question */
	size_t byte;              /* offset of the pair in the context */
	size_t token;             /* token offset in the prompt */
	size_t cost;              /* tokens of the text inserted, when known */
	int have_cost;
};

struct rpass {
	const char *title, *text;
	size_t title_len, text_len;
	long doc;                 /* index into docs, -1 for a filler */
	int supporting;           /* an own passage the question needs */
	int entangled;            /* a distractor question's evidence */
	size_t first_pair, npairs;
	int keep;
	int pinned;               /* cannot go: its pairs have nowhere to go */
	size_t number;            /* 1.. among the kept ones */
	/* counting */
	int dirty;                /* its pairs moved: cached counts stale */
	size_t base;              /* kc-fill's count of body + "\n\n" without
	                             pairs, when its check holds (have_base) */
	int have_base;
	size_t n_sep, n_suf;      /* tokens of body + "\n\n", body + suffix */
	int have_sep, have_suf;
	size_t tokens;            /* tokens of its unit in the current layout */
	size_t token;             /* token offset of the unit in the prompt */
	size_t start, end;        /* byte offsets of the block in the context */
	uint32_t *ends;           /* its sentence ends, found when first needed */
	size_t nends;
	int have_ends;
};

/* A record laid out: its passages, pairs, and the template around them. */
struct layout {
	struct rpass *ps;
	size_t np;
	struct rpair *qs;
	size_t nq;
	kc_span prefix, suffix;   /* the prompt before and after {context} */
	size_t n_prefix, n_suffix;
	int hard_prefix;
	size_t total;             /* tokens of the prompt (no chat template) */
	struct { uint64_t hash; size_t cost; } *keys;   /* tokens of each key */
	size_t nkeys;
	size_t ctx_first, ctx_last;   /* token span of the context */
};

struct kc_renderer {
	kc_tokenizer *tok;
	struct kc_render_opts o;
	struct kc_template custom;   /* o.template, parsed once */
	int has_custom;
	kc_buf ctx, bare, prompt, scratch, pre, suf;
	kc_tokens toks;
	size_t parts[4];             /* ' {"', '{"', '": "', '"}.' */
	int have_parts;
	uint32_t *headers;           /* tokens of "Passage N:\n" + 1 by N,
	                                0: not yet counted */
	size_t nheaders;
};

/* layout.c */
kc_status kc_layout_load(kc_renderer *r, const json_t *rec,
                         struct layout *l, struct kc_error *err);
void kc_layout_release(struct layout *l);
kc_status kc_layout_count(kc_renderer *r, struct layout *l,
                          struct kc_error *err);
kc_status kc_layout_rehome(struct layout *l, size_t from, kc_rng *rng);
kc_status kc_layout_build(kc_renderer *r, struct layout *l, int bare);
kc_status kc_layout_locate(kc_renderer *r, struct layout *l,
                           struct kc_error *err);
json_t *kc_layout_provenance(const struct layout *l);

/* format.c */
kc_status kc_format_emit(kc_renderer *r, json_t *rec,
                         const struct kc_plan *plan, json_t *render,
                         json_t **out, struct kc_error *err);

#endif
