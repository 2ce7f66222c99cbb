/*
 * pipe/private.h - what the pipeline's files share, private to libkc:
 * prompt presets and parsed templates (prompt.c), and the state kc_render
 * works on, shared by render.c (the fit), layout.c (passages, pairs,
 * counting) and format.c (the output records).
 */
#ifndef KC_PIPE_PRIVATE_H
#define KC_PIPE_PRIVATE_H

#include "kc.h"


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

const struct kc_preset_def *kc_preset_find(const char *name);

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
	size_t tl, xl;
	long doc;                 /* index into docs, -1 for a filler */
	int supporting;           /* an own passage the question needs */
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
