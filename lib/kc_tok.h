/*
 * kc_tok.h - exact token counting (included by kc.h; do not include it
 * directly).
 *
 * A kc_tokenizer reproduces a real model tokenizer exactly: Hugging Face
 * byte-level BPE tokenizer.json files (Qwen2/2.5/3, Llama-3, GPT-style)
 * and tiktoken rank files (cl100k_base, o200k_base).  An approximate
 * counter exists only when asked for by name ("approx") and says so
 * through kc_tokenizer_exact().
 *
 * A handle caches per-word results, so it is not shared between threads.
 */
#ifndef KC_TOK_H
#define KC_TOK_H

typedef struct kc_tokenizer kc_tokenizer;

/*
 * Open a tokenizer.  `spec` is, in the order tried:
 *   - NULL or "": $KC_TOKENIZER, else "qwen";
 *   - a short name of an installed tokenizer: "qwen", "llama3", "cl100k",
 *     "o200k", or "approx" (the approximate counter);
 *   - a path: a tokenizer.json, a directory holding one, or a .tiktoken
 *     file;
 *   - a Hugging Face repo id ("Qwen/Qwen2.5-7B-Instruct") looked up in the
 *     local Hugging Face cache ($HF_HUB_CACHE, $HF_HOME/hub,
 *     ~/.cache/huggingface/hub).
 * A file kc cannot reproduce exactly (an unsupported model, normalizer or
 * pre-tokenizer) is refused with KC_EUNSUPPORTED and a message naming
 * what is missing.
 */
kc_status kc_tokenizer_open(kc_tokenizer **tok, const char *spec,
                            struct kc_error *err);
void kc_tokenizer_free(kc_tokenizer *tok);

/* A short name for messages and output records ("qwen", or the path). */
const char *kc_tokenizer_name(const kc_tokenizer *tok);
/* 1 when counts are exact, 0 for the approximate counter. */
int kc_tokenizer_exact(const kc_tokenizer *tok);

/* Token ids, with the byte offset in the input where each token starts. */
typedef struct kc_tokens {
	uint32_t *ids;
	uint32_t *offsets;   /* NULL unless asked for */
	size_t n;
	size_t cap;
} kc_tokens;

void kc_tokens_release(kc_tokens *t);

/*
 * Encode `len` bytes of UTF-8 text as tokenizer.encode(text,
 * add_special_tokens=False) does: added tokens written in the text are
 * matched as such.  Invalid UTF-8 is read as Python's
 * bytes.decode("utf-8", errors="replace") reads it (each bad sequence
 * becomes U+FFFD).  The ids replace out's contents; offsets are filled
 * when `want_offsets` is non-zero.
 */
kc_status kc_tokenizer_encode(kc_tokenizer *tok, const char *text,
                              size_t len, kc_tokens *out, int want_offsets,
                              struct kc_error *err);

/* The number of tokens kc_tokenizer_encode would give; faster. */
kc_status kc_tokenizer_count(kc_tokenizer *tok, const char *text, size_t len,
                             size_t *count, struct kc_error *err);

/*
 * Tokens of the chat template around one user message, for budgets that
 * count the prompt as the model sees it: the number of tokens the
 * template adds before and after the message's content (ChatML for Qwen:
 * "<|im_start|>user\n" ... "<|im_end|>\n<|im_start|>assistant\n").
 * Returns KC_EUNSUPPORTED when the tokenizer has no known template.
 */
kc_status kc_tokenizer_chat_overhead(kc_tokenizer *tok, size_t *before,
                                     size_t *after, struct kc_error *err);

#endif /* KC_TOK_H */
