/*
 * added.c - added tokens (<|im_start|>, <|endoftext|>, <think> ...)
 * found in the text before anything else.
 *
 * Hugging Face's tokenizer matches them in the raw text even with
 * add_special_tokens=False (that flag only concerns the post-processor):
 * an Aho-Corasick automaton finds the leftmost-longest non-overlapping
 * occurrences, then each occurrence is kept or dropped and widened by its
 * token's flags (AddedVocabulary::find_matches):
 *   single_word  dropped unless neither neighbour character is \w;
 *   lstrip       widened over the whitespace before it, but not into the
 *                previous occurrence;
 *   rstrip       widened over the whitespace after it.
 * A dropped occurrence still consumes its bytes: the search goes on after
 * it, as the automaton's iterator does.  The text between occurrences goes
 * on to normalization and the pre-tokenizer.
 *
 * The automaton is a plain byte trie here: added tokens are few and short,
 * and the text is scanned only at bytes that start some token.
 */
#include <stdlib.h>

#include "tok/private.h"

void kc_tok_trie_release(struct tk_trie *t)
{
	free(t->nodes);
	memset(t, 0, sizeof *t);
}

static int32_t new_node(struct tk_trie *t, uint8_t byte)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct tk_trie_node *v = realloc(t->nodes, cap * sizeof *v);

		if (!v)
			return -1;
		t->nodes = v;
		t->cap = cap;
	}
	t->nodes[t->n] = (struct tk_trie_node){ 0, 0, -1, byte };
	return (int32_t)t->n++;
}

kc_status kc_tok_trie_add(struct tk_trie *t, const char *s, size_t len,
                          int32_t token)
{
	uint32_t at = 0;

	if (len == 0)
		return KC_OK;
	if (t->n == 0 && new_node(t, 0) < 0)
		return KC_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = (uint8_t)s[i];
		uint32_t c = t->nodes[at].child, last = 0;
		int32_t k;

		while (c && t->nodes[c].byte != b) {
			last = c;
			c = t->nodes[c].sibling;
		}
		if (!c) {
			if ((k = new_node(t, b)) < 0)
				return KC_ENOMEM;
			c = (uint32_t)k;
			if (last)
				t->nodes[last].sibling = c;
			else
				t->nodes[at].child = c;
		}
		at = c;
	}
	/* the same content twice: the later token wins, as in a map */
	t->nodes[at].token = token;
	t->first[(uint8_t)s[0]] = 1;
	if (len > t->maxlen)
		t->maxlen = len;
	return KC_OK;
}

/* The longest token at s[0..n), its length in *len, or -1. */
static int32_t longest_at(const struct tk_trie *t, const uint8_t *s,
                          size_t n, size_t *len)
{
	uint32_t at = 0;
	int32_t best = -1;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = t->nodes[at].child;

		while (c && t->nodes[c].byte != s[i])
			c = t->nodes[c].sibling;
		if (!c)
			break;
		at = c;
		if (t->nodes[at].token >= 0) {
			best = t->nodes[at].token;
			*len = i + 1;
		}
	}
	return best;
}

int kc_tok_trie_touches(const struct tk_trie *t, const uint8_t *s, size_t n)
{
	if (t->n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t at = 0;
		size_t k;

		if (!t->first[s[i]])
			continue;
		for (k = i; k < n; k++) {
			uint32_t c = t->nodes[at].child;

			while (c && t->nodes[c].byte != s[k])
				c = t->nodes[c].sibling;
			if (!c)
				break;
			at = c;
			if (t->nodes[at].token >= 0)
				return 1;
		}
		if (k == n)
			return 1;   /* a token may go on in the next text */
	}
	return 0;
}

/* Is the character that ends at s[e] (e > 0) a \w? */
static int word_before(const uint8_t *s, size_t e)
{
	size_t b = e - 1, len;

	while (b > 0 && (s[b] & 0xC0) == 0x80)
		b--;
	return (tk_class(tk_decode(s + b, &len)) & TK_W) != 0;
}

static int word_at(const uint8_t *s)
{
	size_t len;

	return (tk_class(tk_decode(s, &len)) & TK_W) != 0;
}

static int space_at(const uint8_t *s, size_t *len)
{
	return (tk_class(tk_decode(s, len)) & TK_S) != 0;
}

static kc_status push(struct tk_piece **out, size_t *n, size_t *cap,
                      size_t start, size_t end, int64_t id)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct tk_piece *v = realloc(*out, c * sizeof *v);

		if (!v)
			return KC_ENOMEM;
		*out = v;
		*cap = c;
	}
	(*out)[(*n)++] = (struct tk_piece){ start, end, id };
	return KC_OK;
}

kc_status kc_tok_split_added(const kc_tokenizer *tok, const struct tk_trie *t,
                             const uint8_t *s, size_t n, size_t base,
                             struct tk_piece **out, size_t *n_out,
                             size_t *cap)
{
	size_t i = 0, done = 0;

	if (t->n == 0 || n == 0)
		return n ? push(out, n_out, cap, base, base + n, -1) : KC_OK;
	while (i < n) {
		const struct tk_added *a;
		size_t len = 0, start, stop, l;
		int32_t k;

		if (!t->first[s[i]] || (k = longest_at(t, s + i, n - i, &len)) < 0) {
			i++;
			continue;
		}
		a = &tok->added[k];
		start = i;
		stop = i + len;
		i = stop;
		if (a->single_word &&
		    ((start > 0 && word_before(s, start)) ||
		     (stop < n && word_at(s + stop))))
			continue;
		if (a->lstrip) {
			size_t ns = start;

			while (ns > 0) {
				size_t b = ns - 1;

				while (b > 0 && (s[b] & 0xC0) == 0x80)
					b--;
				if (!space_at(s + b, &l))
					break;
				ns = b;
			}
			start = ns > done ? ns : done;
		}
		if (a->rstrip)
			while (stop < n && space_at(s + stop, &l))
				stop += l;
		if (done < start && push(out, n_out, cap, base + done,
		                         base + start, -1))
			return KC_ENOMEM;
		if (push(out, n_out, cap, base + start, base + stop, a->id))
			return KC_ENOMEM;
		/* the search goes on from the end of the occurrence itself,
		 * even when rstrip took more (then the next occurrence may
		 * start inside what it took, as in the reference) */
		done = stop;
	}
	if (done < n && push(out, n_out, cap, base + done, base + n, -1))
		return KC_ENOMEM;
	return KC_OK;
}
