/*
 * kc_tok.h - exact token counting (included by kc.h,
 * which a program includes).
 *
 * A kc_tokenizer reproduces a real model tokenizer exactly: Hugging Face
 * byte-level BPE tokenizer.json files (Qwen2/2.5/3, Llama-3, GPT-style)
 * and tiktoken rank files (cl100k_base, o200k_base).  An approximate
 * counter exists only when asked for by name ("approx") and says so
 * through kc_tokenizer_exact().
 *
 * A handle caches per-word results, so it is not shared between threads.
 *
 * Text is bytes.  Invalid UTF-8 is read as Python's bytes.decode("utf-8",
 * errors="replace") and node's TextDecoder read it: each maximal invalid
 * subsequence (a lead byte and the continuation bytes that can follow it,
 * or one byte that cannot start a sequence) counts as one U+FFFD.
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_TOK_H
#define KC_TOK_H

typedef struct kc_tokenizer kc_tokenizer;

/*
 * Open a tokenizer.  `spec` is, in the order tried:
 *   - NULL or "": $KC_TOKENIZER, else "qwen";
 *   - "approx": the approximate counter (no file, no ids);
 *   - a short name of an installed tokenizer: "qwen", "llama3", "cl100k",
 *     "o200k", looked up in $KC_TOKENIZER_DIR, then
 *     ../share/kc/tokenizers beside the running executable, then
 *     KC_DATADIR/tokenizers (qwen/tokenizer.json, llama3/tokenizer.json,
 *     cl100k.tiktoken, o200k.tiktoken);
 *   - a path: a tokenizer.json, a directory holding one, or a .tiktoken
 *     file (cl100k... or o200k..., told apart by name or size);
 *   - a Hugging Face repo id ("Qwen/Qwen2.5-7B-Instruct") looked up in the
 *     local Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else
 *     $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub):
 *     models--Qwen--Qwen2.5-7B-Instruct/snapshots/<refs/main>/.
 * Nothing is downloaded.  KC_ENOTFOUND when there is no such file.  A
 * file kc cannot reproduce exactly (an unsupported model, normalizer or
 * pre-tokenizer, a regex other than the Qwen2, Llama-3/cl100k, o200k and
 * GPT-2 ones) is refused with KC_EUNSUPPORTED and a message naming what
 * is missing; a malformed one with KC_EJSON (or KC_EINVAL for a
 * .tiktoken file).
 */
kc_status kc_tokenizer_open(kc_tokenizer **tok, const char *spec,
                            struct kc_error *err);
void kc_tokenizer_free(kc_tokenizer *tok);

/* A short name for messages and output records ("qwen", or the path). */
const char *kc_tokenizer_name(const kc_tokenizer *tok);
/* 1 when counts are exact, 0 for the approximate counter. */
int kc_tokenizer_exact(const kc_tokenizer *tok);

/* A piece of text, not NUL-terminated. */
struct kc_strref {
	const char *s;
	size_t len;
};

/*
 * Token ids, with the byte offset in the input where each token starts.
 * A token that starts inside text the tokenizer changed (NFC, or invalid
 * UTF-8 replaced by U+FFFD) gets the offset where that change starts.
 */
typedef struct kc_tokens {
	uint32_t *ids;
	uint32_t *offsets;   /* NULL unless asked for */
	size_t n;
	size_t cap;
} kc_tokens;

void kc_tokens_release(kc_tokens *t);

/*
 * Encode `len` bytes of UTF-8 text as Hugging Face's
 * tokenizer.encode(text, add_special_tokens=False) does, or for tiktoken
 * files encode(text, allowed_special="all"): added and special tokens
 * written in the text are matched as such.  Invalid UTF-8 is read as
 * above.  The ids replace out's contents (a zeroed kc_tokens to start
 * with; kc_tokens_release at the end); offsets are filled when
 * `want_offsets` is non-zero.  KC_EUNSUPPORTED for the approximate
 * counter.
 */
kc_status kc_tokenizer_encode(kc_tokenizer *tok, const char *text,
                              size_t len, kc_tokens *out, int want_offsets,
                              struct kc_error *err);

/* The number of tokens kc_tokenizer_encode would give; faster. */
kc_status kc_tokenizer_count(kc_tokenizer *tok, const char *text, size_t len,
                             size_t *count, struct kc_error *err);

/*
 * The exact number of tokens of the concatenation of pieces[0..n), as
 * kc_tokenizer_count would give for the joined text, without the caller
 * joining it.  Pieces seen before (same bytes) are not tokenized again:
 * only the few pre-tokens around each junction are, so counting a 128K
 * prompt made of cached passages costs microseconds per passage.
 */
kc_status kc_tokenizer_count_concat(kc_tokenizer *tok,
                                    const struct kc_strref *pieces, size_t n,
                                    size_t *count, struct kc_error *err);

/*
 * Chat templates, for budgets that count the prompt as the model sees it.
 * A template is what the model's chat template writes around one user
 * message (no system message given, generation prompt added):
 *
 *   "chatml"    Qwen3 and ChatML: "<|im_start|>user\n" CONTENT
 *               "<|im_end|>\n<|im_start|>assistant\n"
 *   "qwen2.5"   Qwen2/2.5, whose template adds a default system message
 *               when none is given: "<|im_start|>system\nYou are Qwen,
 *               created by Alibaba Cloud. You are a helpful
 *               assistant.<|im_end|>\n" then as chatml
 *   "llama3"    Llama-3: "<|begin_of_text|><|start_header_id|>user
 *               <|end_header_id|>\n\n" CONTENT "<|eot_id|><|start_header_id|>
 *               assistant<|end_header_id|>\n\n" (the template also strips
 *               the content's surrounding whitespace)
 *   "llama3.1"  Llama-3.1, whose template adds a system message with the
 *               knowledge and today dates (the template's defaults,
 *               "December 2023" and "26 Jul 2024") before the user's
 *
 * A tokenizer's default template is read from the tokenizer_config.json
 * beside its tokenizer.json when there is one (Qwen2.5's says qwen2.5,
 * Qwen3's chatml), else guessed from its added tokens (chatml for
 * <|im_start|>, llama3 for <|start_header_id|>).
 */

/* The default template's name, or NULL when the tokenizer has none. */
const char *kc_tokenizer_chat_default(const kc_tokenizer *tok);

/*
 * The text template `name` (NULL: the default) writes before and after
 * the message's content; static strings.  KC_EUNSUPPORTED for no
 * default, KC_EINVAL for an unknown name.
 */
kc_status kc_tokenizer_chat_template(const kc_tokenizer *tok,
                                     const char *name, const char **before,
                                     const char **after, struct kc_error *err);

/*
 * The number of tokens the default template adds before and after the
 * message's content, each part counted on its own.  The sum is exact for
 * a content that starts and ends with a letter or digit; for an exact
 * count of any prompt, count_concat(before, content, after).  Returns
 * KC_EUNSUPPORTED when the tokenizer has no known template.
 */
kc_status kc_tokenizer_chat_overhead(kc_tokenizer *tok, size_t *before,
                                     size_t *after, struct kc_error *err);
/* The same for the template `name`. */
kc_status kc_tokenizer_chat_overhead_for(kc_tokenizer *tok, const char *name,
                                         size_t *before, size_t *after,
                                         struct kc_error *err);

/*
 * The bytes of token `id` (for debugging and display), or NULL when no
 * token has that id.  Borrowed from the handle.
 */
const char *kc_tokenizer_token(const kc_tokenizer *tok, uint32_t id,
                               size_t *len);

#endif /* KC_TOK_H */
