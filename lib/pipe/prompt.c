/*
 * prompt.c - prompt presets and the {placeholder} template language.
 *
 * The preset texts are the reference's own strings (KeyChain's filter
 * and reasoning prompts, LoongRL's RL prompt), so data made here reads
 * as data made there.  A template is text with {context}, {question}
 * (alias {input}), {chain_head} and {answer}; "{{" and "}}" stand for
 * literal braces, as in Python's str.format.
 */
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "pipe/private.h"

static const struct kc_preset_def presets[] = {
	{ "keychain-rl", KC_CTX_PASSAGES,
	  "Please read the following text.\n{context}\n\nIn the context "
	  "above, there is one correct question to answer. The correct "
	  "question can only be found by following the correct consecutive "
	  "chain of key:value pairs encoded with UUID strings (e.g., "
	  "f81d4fae-7dec-11d0-a765-00a0c91e6bf6), starting from "
	  "{chain_head}.\nFind the correct question first, then answer it." },
	{ "filter", KC_CTX_OWN,
	  "The following are given passages.\n{context}\n\nAnswer the "
	  "question based on the given passages. Please think step by step "
	  "before answering. After thinking, output the final answer in the "
	  "format of 'The answer is <your answer here>'\n\nQuestion: "
	  "{question}" },
	{ "plain", KC_CTX_PASSAGES,
	  "Answer the question based on the given passages following these "
	  "steps: \n\n Start with a `<think>` and break down the question "
	  "into key elements;\n As you reason, use the marker `wait` to pause "
	  "and reflect on details when necessary;\n Provide a clear, "
	  "step-by-step explanation of your reasoning, ensuring each step is "
	  "backed by the passages;\n End your response with a final line "
	  "starting with `Answer:` followed by your answer.\n Keep your "
	  "reasoning rigorous, precise, and succinct.\n\n The following are "
	  "given passages.\n {context}\n\n Question: {question}" },
	{ "basic", KC_CTX_PASSAGES,
	  "Question: {question}\n\nContext: {context}\n\nAnswer: {answer}\n\n"
	  "Provide a detailed reasoning process to arrive at the answer based "
	  "on the given context." },
	{ "normal", KC_CTX_PASSAGES,
	  "Question: {question}\n\nContext: {context}\n\nAnswer: {answer}\n\n"
	  "Your task:\nPlease produce a clear and logically sound explanation "
	  "that shows how the answer is derived from the context. Finally, "
	  "present your final conclusion after \"Final answer:\"." },
	{ "cot", KC_CTX_PASSAGES,
	  "Question: {question}\n\nContext: {context}\n\nAnswer: {answer}\n\n"
	  "Your task:\nPlease produce a step-by-step reasoning that uncovers "
	  "the path from the context to the final answer. Clearly demonstrate "
	  "each inference or sub-action in your explanation. Finally, present "
	  "your final conclusion after \"Final answer:\"" },
	{ "cot-cite", KC_CTX_PASSAGES,
	  "Question: {question}\n\nContext: {context}\n\nAnswer: {answer}\n\n"
	  "Your task:\nPlease produce a structured, step-by-step reasoning "
	  "that references any relevant parts only (without indicating which "
	  "passages they're from) of the context in quotes (\"\") whenever "
	  "you use them. Finally, present your final conclusion after "
	  "\"Final answer:\"." },
	{ "mcts", KC_CTX_PASSAGES,
	  "Question: {question}\n\nContext: {context}\n\nAnswer: {answer}\n\n"
	  "Your task:\nPlease adopt a multi-phase approach to thoroughly "
	  "examine the given context, refining your ideas at each stage. "
	  "Provide the reasoning details step by step, and don't indicate "
	  "which passages the references are from. Finally, present your "
	  "final conclusion after \"Final answer:\"." },
};

static const char *const names[] = {
	"keychain-rl", "filter", "plain", "basic", "normal", "cot",
	"cot-cite", "mcts", NULL
};

const struct kc_preset_def *kc_preset_find(const char *name,
                                           struct kc_error *err)
{
	int i;

	/* names[] without its NULL: the presets' names, in their order */
	if (kc_name_parse(names, sizeof names / sizeof *names - 1, "preset",
	                  name, &i, err))
		return NULL;
	return &presets[i];
}

const char *kc_preset(const char *name)
{
	const struct kc_preset_def *p = kc_preset_find(name, NULL);

	return p ? p->text : NULL;
}

const char *const *kc_preset_names(void)
{
	return names;
}

static const struct {
	const char *name;
	enum kc_slot slot;
} slots[] = {
	{ "context", KC_SLOT_CONTEXT },
	{ "question", KC_SLOT_QUESTION },
	{ "input", KC_SLOT_QUESTION },
	{ "chain_head", KC_SLOT_HEAD },
	{ "answer", KC_SLOT_ANSWER },
};

kc_status kc_template_parse(const char *t, struct kc_template *out,
                            struct kc_error *err)
{
	const char *p = t;

	memset(out, 0, sizeof *out);
	kc_buf_init(&out->text, 1 << 20);
	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (kc_buf_append(&out->text, p, 1))
				goto nomem;
			p += 2;
			continue;
		}
		if (*p == '}')
			return kc_error_set(err, KC_EINVAL,
			                    "template: single '}' at offset %zu "
			                    "(write '}}' for a brace)",
			                    (size_t)(p - t));
		if (*p == '{') {
			const char *end = strchr(p, '}');
			size_t k, n;

			if (!end)
				return kc_error_set(err, KC_EINVAL,
				                    "template: unclosed '{' at offset %zu",
				                    (size_t)(p - t));
			n = (size_t)(end - p - 1);
			for (k = 0; k < sizeof slots / sizeof *slots; k++)
				if (strlen(slots[k].name) == n &&
				    !memcmp(slots[k].name, p + 1, n))
					break;
			if (k == sizeof slots / sizeof *slots)
				return kc_error_set(err, KC_EINVAL,
				                    "template: unknown placeholder {%.*s} "
				                    "(known: context, question, input, "
				                    "chain_head, answer)", (int)n, p + 1);
			if (out->nparts == KC_TEMPLATE_MAX)
				return kc_error_set(err, KC_EINVAL,
				                    "template: too many placeholders");
			out->parts[out->nparts].lit_end = out->text.len;
			out->parts[out->nparts].slot = slots[k].slot;
			out->uses |= 1u << slots[k].slot;
			out->nparts++;
			p = end + 1;
			continue;
		}
		if (kc_buf_append(&out->text, p, 1))
			goto nomem;
		p++;
	}
	if (!out->text.data && kc_buf_append(&out->text, "", 0))
		goto nomem;
	return KC_OK;
nomem:
	return kc_error_nomem(err);
}

void kc_template_release(struct kc_template *t)
{
	kc_buf_release(&t->text);
}

kc_status kc_template_expand(const struct kc_template *t,
                             const kc_span values[KC_SLOT_MAX], kc_buf *out,
                             size_t *context_at)
{
	size_t from = 0;
	kc_status st;

	for (size_t i = 0; i < t->nparts; i++) {
		const kc_span *v = &values[t->parts[i].slot];
		if ((st = kc_buf_append(out, t->text.data + from,
		                        t->parts[i].lit_end - from)))
			return st;
		if (t->parts[i].slot == KC_SLOT_CONTEXT && context_at)
			*context_at = out->len;
		if ((st = kc_buf_append(out, v->s, v->len)))
			return st;
		from = t->parts[i].lit_end;
	}
	return kc_buf_append(out, t->text.data + from, t->text.len - from);
}
