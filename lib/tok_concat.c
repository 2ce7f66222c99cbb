/*
 * tok_concat.c - the exact token count of a concatenation of pieces.
 */
#include <stdlib.h>

#include "tok_internal.h"

void kc_tok_memo_free(kc_tokenizer *tok)
{
	kc_buf *b = tok->memo;

	if (b) {
		kc_buf_release(b);
		free(b);
	}
	tok->memo = NULL;
}

kc_status kc_tokenizer_count_concat(kc_tokenizer *tok,
                                    const struct kc_strref *pieces, size_t n,
                                    size_t *count, struct kc_error *err)
{
	kc_buf *b = tok->memo;

	if (!b) {
		if (!(b = malloc(sizeof *b)))
			return kc_error_set(err, KC_ENOMEM, "out of memory");
		kc_buf_init(b, 0);
		tok->memo = b;
	}
	b->len = 0;
	for (size_t i = 0; i < n; i++)
		if (kc_buf_append(b, pieces[i].s, pieces[i].len))
			return kc_error_set(err, KC_ENOMEM, "out of memory");
	return kc_tokenizer_count(tok, b->data ? b->data : "", b->len, count, err);
}
