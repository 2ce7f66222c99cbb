/*
 * prompt.h - private to lib/: preset definitions and parsed templates.
 */
#ifndef KC_PROMPT_PRIVATE_H
#define KC_PROMPT_PRIVATE_H

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

#endif
