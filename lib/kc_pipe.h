/*
 * kc_pipe.h - the pool, long-context filling, chains and rendering
 * (included by kc.h, which a program includes).
 *
 * The record flows kc-fill -> kc-chain -> kc-render; each step adds
 * fields (see kc(7)):
 *
 *   "plan"      written by kc-fill: the length, the generation reserve,
 *               and the chain and prompt parameters the later steps use
 *               by default, so the budget is planned once.
 *   "passages"  written by kc-fill: the long context, still structured:
 *               {"doc": i} for the record's own docs[i], {"title",
 *               "text"} for fillers.
 *   "chain"     written by kc-chain: head, the real chain, every pair
 *               with the passage and byte offset where it goes.
 *   "prompt"... written by kc-render, per output format.
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_PIPE_H
#define KC_PIPE_H

/* ------------------------------------------------------------------ */
/* The pool: unique passages and questions of a dataset (pool.c). */

typedef struct kc_pool kc_pool;

kc_status kc_pool_new(kc_pool **pool);
void kc_pool_free(kc_pool *pool);

/* A pool of questions only, for distractors: docs are not kept. */
#define KC_POOL_QUESTIONS_ONLY 1
/* Refuse a pool with a record that cannot serve, instead of skipping it. */
#define KC_POOL_STRICT 2

/* Set flags (KC_POOL_QUESTIONS_ONLY, KC_POOL_STRICT) before adding
 * records. */
void kc_pool_set_flags(kc_pool *pool, unsigned flags);

/*
 * Add every record of a file: canonical records or a dataset file as
 * published (read through the importer).  A pool is often a raw dataset
 * file: a record that cannot serve (it does not parse, or has no
 * question or id, or docs without title and text) is skipped and
 * counted in kc_pool_stats(), unless the pool is KC_POOL_STRICT: then it
 * is an error naming the file and line.  A file that cannot be read is
 * always an error.
 */
kc_status kc_pool_load(kc_pool *pool, const char *path, struct kc_error *err);

/* What a pool set aside so far. */
struct kc_pool_stats {
	unsigned long skipped;          /* records that could not serve */
	struct kc_error first_skipped;  /* why the first one could not */
	unsigned long pairlike_passages;   /* never fillers */
	unsigned long pairlike_questions;  /* never distractors */
};

const struct kc_pool_stats *kc_pool_stats(const kc_pool *pool);

size_t kc_pool_passages(const kc_pool *pool);

/*
 * Token counts of the pool's passages kept on disk between runs
 * (counts.c), so that each kc-fill of a dataset, each length and each
 * shard does not count the same passages again: one file per tokenizer
 * in `dir`, named by a fingerprint of the tokenizer (the ids it gives a
 * fixed text), holding a count per passage (and distractor question) by
 * a 64-bit hash of its title and text.  kc_pool_counts_load sets the counts it holds for the
 * pool's passages (*found of them; a missing file is no error, 0);
 * kc_pool_counts_save merges the pool's counts into the file (written
 * whole under a new name, then renamed: concurrent runs lose at most
 * each other's additions), *written the entries it now holds, 0 when it
 * had nothing new.  KC_EIO, KC_EFORMAT for a file that is not a count
 * file; a caller may go on without it.
 */
kc_status kc_pool_counts_load(kc_pool *pool, kc_tokenizer *tok,
                              const char *dir, size_t *found,
                              struct kc_error *err);
kc_status kc_pool_counts_save(kc_pool *pool, kc_tokenizer *tok,
                              const char *dir, size_t *written,
                              struct kc_error *err);

/* ------------------------------------------------------------------ */
/* The plan: lengths and the parameters of the later steps (plan.c). */

enum kc_uuid_kind { KC_UUID_DEFAULT, KC_UUID_HEX, KC_UUID_NANO };

struct kc_uuid_format {
	enum kc_uuid_kind kind;
	int len;          /* characters (36 for default) */
};

/* Parse "default", "default_N" (1..32) or "nano_N" / "nano" (21). */
kc_status kc_uuid_format_parse(const char *s, struct kc_uuid_format *fmt);

struct kc_plan {
	long length;          /* whole sequence (max_seq_length) */
	long generate;        /* reserved for the answer (128) */
	long chains;          /* 0: no chains */
	long hops;            /* UUIDs per chain (4) */
	long distractors;     /* distractor questions sampled */
	int tree;             /* the real chain is a binary tree */
	long decoys;          /* branches off the real chain to dead ends */
	long near_miss;       /* pairs whose key is a real key with one or
	                         two characters changed, to dead ends */
	struct kc_uuid_format uuid;
	char preset[32];      /* prompt preset the render step uses */
	char chat[32];        /* chat template counted around the prompt */
	uint64_t seed;
};

/*
 * Settings that override a record's plan, as every stage's options do.
 * A number < 0 (hops: < 1; uuid.len: 0), a NULL name, or seed_set 0
 * leaves the plan's value.  `length` is the length of a record that has
 * no plan (0: none).  kc_plan_opts_init() leaves everything unset.
 */
struct kc_plan_opts {
	long length;
	long generate, chains, hops, distractors, decoys, near_miss;
	int tree;
	struct kc_uuid_format uuid;
	const char *preset;
	const char *chat;
	uint64_t seed;
	int seed_set;
};


/*
 * The plan a stage follows for a record: the defaults of its length (the
 * record's "plan"."length", else o->length), then the record's "plan",
 * then the options that are set.  rec may be NULL (kc-fill plans anew).
 * Without any length, plan->length is 0 and the rest are the defaults of
 * 1K.  KC_EFIELD for a malformed "plan"; KC_EINVAL for a plan that cannot
 * be: a tree of more than 16 levels, decoys on a tree or on one hop,
 * nothing left after "generate".
 */
kc_status kc_plan_resolve(struct kc_plan *plan, const json_t *rec,
                          const struct kc_plan_opts *o, struct kc_error *err);


/* ------------------------------------------------------------------ */
/* Filling the long context (fill.c). */

enum kc_place { KC_PLACE_GAUSSIAN, KC_PLACE_UNIFORM, KC_PLACE_DEPTH };

/* "gaussian" or "uniform" (depth is chosen by giving one); KC_EINVAL
 * for another name, and err lists the names. */
kc_status kc_place_parse(const char *s, enum kc_place *place,
                         struct kc_error *err);

struct kc_fill_opts {
	struct kc_plan_opts plan;   /* plan.length is required */
	enum kc_place place;
	double depth;         /* KC_PLACE_DEPTH: 0 (start) .. 1 (end), or
	                         < 0: drawn uniformly for each record */
	double sigma;         /* gaussian: 0.30 */
	double clamp;         /* gaussian: 0.95 */
	int relevant_only;    /* supporting passages only, no fillers */
	int own_all;          /* the record's other own passages too, while
	                         they fit (the reference); 0: supporting only */
	long entangle;        /* distractor questions whose supporting
	                         passages join the context: -1 all that fit */
	double entangle_share;  /* most of the passages' budget they may take */
	long similar;         /* > 1: of this many candidates per chain end,
	                         the distractor questions most like the
	                         record's question end the chains */
	double overfill;      /* fraction of the budget planned over, for
	                         kc-render to trim exactly (0.01) */
	const char *const *pools;  /* the pool's files, as given: recorded
	                              in "fill"."pools" */
	size_t npools;
};

/*
 * Every setting unset (the plan's defaults for `length`), and kc's own
 * recipe: every distractor question that fits brings its supporting
 * passages, and the record brings only its supporting ones, so that each
 * question at the end of a chain is answerable from the context and
 * only the chain tells the real one.
 */
void kc_fill_opts_init(struct kc_fill_opts *o, long length);

/*
 * Set the recipe's settings: "kc" (the default above) or "keychain"
 * (the reference's: all own passages while they fit, no distractor
 * evidence).  KC_EINVAL, with the valid names in err, for another.
 */
kc_status kc_fill_recipe(struct kc_fill_opts *o, const char *name,
                         struct kc_error *err);

typedef struct kc_filler kc_filler;

/* A filler keeps the pool, the tokenizer and per-run estimates. */
kc_status kc_filler_new(kc_filler **f, kc_pool *pool, kc_tokenizer *tok,
                        const struct kc_fill_opts *opts,
                        struct kc_error *err);
void kc_filler_free(kc_filler *f);

/*
 * Compose the long context of one canonical record: its own passages
 * placed as asked among random fillers from the pool (never its own),
 * as many as the budget holds after reserving room for the chains and
 * the prompt.  Adds "plan", "passages" and "fill" to rec.  KC_EBUDGET
 * when even the supporting passages do not fit; KC_EPOOL when the pool
 * runs out far from the budget.
 */
kc_status kc_fill(kc_filler *f, json_t *rec, struct kc_error *err);

/* ------------------------------------------------------------------ */
/* Chains of UUID keys (chain.c). */

struct kc_chain_opts {
	/* Settings not set come from the record's "plan"; plan.length is
	 * the length of records without one (0: such records fail). */
	struct kc_plan_opts plan;
	int system_entropy;    /* UUIDs from libuuid's entropy: not reproducible */
};

void kc_chain_opts_init(struct kc_chain_opts *o);

typedef struct kc_chainer kc_chainer;

/*
 * `questions` (borrowed; may be NULL): a pool to pick each record's
 * distractor questions from anew, into its "distractors".  NULL: the
 * "distractors" kc-fill picked.  No other pool is read.
 */
kc_status kc_chainer_new(kc_chainer **c, kc_pool *questions,
                         const struct kc_chain_opts *opts,
                         struct kc_error *err);
void kc_chainer_free(kc_chainer *c);

/*
 * Add the chains to a filled record: draw the keys (unique, absent from
 * the record's text), sample the distractor questions, and assign every
 * pair to a distinct sentence end of the passages.  Adds "chain".
 * Options not set explicitly come from the record's "plan".  KC_EFIELD,
 * KC_EINVAL, KC_EBUDGET or KC_EPOOL for a record that cannot be
 * chained; any other status (a question pool that cannot be loaded, with
 * err->source naming it; no memory) is not the record's fault.
 */
kc_status kc_chain(kc_chainer *c, json_t *rec, struct kc_error *err);

/* ------------------------------------------------------------------ */
/* Prompts and output formats (prompt.c, render.c). */

/* The text of a named prompt preset, or NULL. */
const char *kc_preset(const char *name);
/* The names of all presets, NULL-terminated. */
const char *const *kc_preset_names(void);

enum kc_format { KC_FMT_CHAT, KC_FMT_VERL, KC_FMT_SWIFT, KC_FMT_KEYCHAIN,
                 KC_FMT_TEXT };

/* "chat", "verl", ...; KC_EINVAL for another name (err lists them). */
kc_status kc_format_parse(const char *s, enum kc_format *fmt,
                          struct kc_error *err);

struct kc_render_opts {
	/* plan.preset, plan.chat and plan.seed override the record's plan
	 * (the preset: keychain-rl without one; plan.chat "none" counts the
	 * bare prompt); the other settings are not used. */
	struct kc_plan_opts plan;
	const char *template;  /* a template text, or NULL for the preset */
	enum kc_format format;
	long max_tokens;       /* 0: the plan's budget; -1: no limit */
	const char *split;     /* verl extra_info.split ("train") */
	const char *data_source; /* verl data_source; NULL: the record's */
	int recount;           /* count the final prompt again in one piece
	                          and fail on a difference (a self-test) */
};

void kc_render_opts_init(struct kc_render_opts *o);

typedef struct kc_renderer kc_renderer;

kc_status kc_renderer_new(kc_renderer **r, kc_tokenizer *tok,
                          const struct kc_render_opts *opts,
                          struct kc_error *err);
void kc_renderer_free(kc_renderer *r);

/*
 * Render one record: build the prompt from the template, count it
 * exactly (with the chat template's tokens), drop filler passages that
 * carry no pair until it fits, number the passages, and record where
 * every own passage and every pair of the real chain ended up.  Returns
 * the output record in *out (new reference): the input record with
 * fields added (chat, text) or a new record in the chosen format (verl,
 * swift, keychain).  KC_EBUDGET when it cannot be made to fit.
 */
kc_status kc_render(kc_renderer *r, json_t *rec, json_t **out,
                    struct kc_error *err);

#endif /* KC_PIPE_H */
