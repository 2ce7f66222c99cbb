/*
 * text.c - the text functions of the rewards, exact to Python.
 *
 * Every reference scorer (KeyChain's filter, LoongRL's reward, the SQuAD
 * and HotpotQA evaluators they copy) normalizes answers with
 *
 *     " ".join(re.sub(r"\b(a|an|the)\b", " ",
 *              "".join(ch for ch in s.lower()
 *                      if ch not in string.punctuation)).split())
 *
 * and the scores only agree with theirs if every step agrees on every
 * character, not just on ASCII.  The Python semantics that matter:
 *
 *   str.lower()   full lower-case mapping: one character, U+0130 'İ',
 *                 becomes two ("i" + U+0307); U+03A3 'Σ' becomes final
 *                 'ς' or 'σ' by the Final_Sigma context (a cased letter
 *                 before it and none after it, looking past
 *                 case-ignorable characters).
 *   \w, \b        Unicode-aware: \w is any letter (L*), number (N*) or
 *                 '_'; combining marks are not \w.
 *   split()       splits on str.isspace(): 29 code points, among them
 *                 U+001C..U+001F and U+0085.
 *
 * Categories and simple case mappings come from utf8proc.  The three
 * properties it does not carry are written out here: Python's white
 * space (the list is short and has not changed since Unicode 4.1),
 * the Other_Lowercase/Other_Uppercase letters that are Cased without a
 * case mapping and are not case-ignorable (so they matter to the final
 * sigma: U+00AA, U+00BA and three blocks of enclosed capitals), and the
 * Word_Break MidLetter/MidNumLet/Single_Quote characters that make a
 * punctuation mark Case_Ignorable.  tests/t3010-judge-unicode.sh checks
 * every code point against the running python3; the only differences
 * are code points that Python 3.11's Unicode 14 leaves unassigned and
 * utf8proc's Unicode 15 assigns.
 *
 * Everything is one pass (or two) over the text: a 10 MB answer costs
 * milliseconds, never time quadratic in its length.
 */
#include <string.h>
#include <utf8proc.h>

#include "kc.h"
#include "judge/private.h"

/* Decode one code point at s[0..n), n > 0.  Returns it and sets *adv to
 * its length; an invalid byte gives -1 and *adv = 1. */
static int32_t decode(const unsigned char *s, size_t n, size_t *adv)
{
	unsigned c = s[0];
	int32_t cp;
	size_t k;

	if (c < 0x80) {
		*adv = 1;
		return (int32_t)c;
	}
	if (c >= 0xc2 && c <= 0xdf)
		k = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, cp = c & 0x07;
	else
		goto bad;
	if (n <= k)
		goto bad;
	for (size_t i = 1; i <= k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		goto bad;
	*adv = k + 1;
	return cp;
bad:
	*adv = 1;
	return -1;
}

/* The start of the code point that ends just before s[i], i > 0. */
static size_t prev_start(const unsigned char *s, size_t i)
{
	size_t j = i - 1;

	while (j > 0 && i - j < 4 && (s[j] & 0xc0) == 0x80)
		j--;
	return j;
}

/* The flags of the ASCII characters, the bulk of every answer: W word,
 * S space, C cased, I case-ignorable (the Word_Break marks ' . : and the
 * modifier symbols ^ `), P LoongRL's class. */
#define W KC_UNI_WORD
#define S KC_UNI_SPACE
#define C KC_UNI_CASED
#define I KC_UNI_CASE_IGNORABLE
#define P KC_UNI_LOONG_PUNCT
static const unsigned char ascii_props[128] = {
	0, 0, 0, 0, 0, 0, 0, 0,
	0, S, S, S, S, S, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, S, S, S, S,
	S, P, P, P, P, P, P, I|P,
	P, P, P, P, P, P, I|P, P,
	W, W, W, W, W, W, W, W,
	W, W, I|P, P, P, P, P, P,
	P, W|C, W|C, W|C, W|C, W|C, W|C, W|C,
	W|C, W|C, W|C, W|C, W|C, W|C, W|C, W|C,
	W|C, W|C, W|C, W|C, W|C, W|C, W|C, W|C,
	W|C, W|C, W|C, P, 0, P, I|P, W,
	I, W|C, W|C, W|C, W|C, W|C, W|C, W|C,
	W|C, W|C, W|C, W|C, W|C, W|C, W|C, W|C,
	W|C, W|C, W|C, W|C, W|C, W|C, W|C, W|C,
	W|C, W|C, W|C, P, P, P, 0, 0,
};
#undef W
#undef S
#undef C
#undef I
#undef P

/* Python's str.isspace(): bidirectional class WS, B or S, or Zs. */
static int py_space(int32_t cp)
{
	switch (cp) {
	case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d:
	case 0x1c: case 0x1d: case 0x1e: case 0x1f: case 0x20:
	case 0x85: case 0xa0: case 0x1680:
	case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200a;
	}
}

/* Word_Break = MidLetter, MidNumLet or Single_Quote: these marks are
 * Case_Ignorable although their category (P*) is not. */
static int word_break_mid(int32_t cp)
{
	switch (cp) {
	case 0x27: case 0x2e: case 0x3a: case 0xb7: case 0x387: case 0x55f:
	case 0x5f4: case 0x2018: case 0x2019: case 0x2024: case 0x2027:
	case 0xfe13: case 0xfe52: case 0xfe55: case 0xff07: case 0xff0e:
	case 0xff1a:
		return 1;
	default:
		return 0;
	}
}

/* Cased letters without a case mapping that are not case-ignorable:
 * ª º (Other_Lowercase) and the squared, circled and negative squared
 * Latin capitals (Other_Uppercase). */
static int other_cased(int32_t cp)
{
	return cp == 0xaa || cp == 0xba ||
	       (cp >= 0x1f130 && cp <= 0x1f149) ||
	       (cp >= 0x1f150 && cp <= 0x1f169) ||
	       (cp >= 0x1f170 && cp <= 0x1f189);
}

/* LoongRL's class [,.:"'\[\]\-=\+\|!@#$%^&*();<>?/！￥…（）—\{\}：”“《》？]
 * as Python reads that (non-raw) string literal: the backslash itself is
 * not in it. */
static int loong_punct(int32_t cp)
{
	if (cp >= 0 && cp < 0x80)
		return ascii_props[cp] & KC_UNI_LOONG_PUNCT;
	switch (cp) {
	case 0x2014: case 0x201c: case 0x201d: case 0x2026: case 0x300a:
	case 0x300b: case 0xff01: case 0xff08: case 0xff09: case 0xff1a:
	case 0xff1f: case 0xffe5:
		return 1;
	default:
		return 0;
	}
}

unsigned kc_uni_props(int32_t cp)
{
	const utf8proc_property_t *p;
	unsigned f = 0;

	if (cp < 0 || cp > 0x10ffff)
		return 0;
	if (cp < 0x80)
		return ascii_props[cp];
	if (py_space(cp))
		f |= KC_UNI_SPACE;
	if (loong_punct(cp))
		f |= KC_UNI_LOONG_PUNCT;
	p = utf8proc_get_property(cp);
	switch (p->category) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
		f |= KC_UNI_WORD | KC_UNI_CASED;
		break;
	case UTF8PROC_CATEGORY_LM:
		f |= KC_UNI_WORD | KC_UNI_CASE_IGNORABLE;
		break;
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		f |= KC_UNI_WORD;
		break;
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_SK:
		f |= KC_UNI_CASE_IGNORABLE;
		break;
	default:
		break;
	}
	if (word_break_mid(cp))
		f |= KC_UNI_CASE_IGNORABLE;
	/* A letter-like symbol with a case mapping (Ⓐ, ⅰ, U+0345) is
	 * Cased; only whether a non-ignorable one is matters. */
	if (p->lowercase_seqindex != UINT16_MAX ||
	    p->uppercase_seqindex != UINT16_MAX ||
	    p->titlecase_seqindex != UINT16_MAX || other_cased(cp))
		f |= KC_UNI_CASED;
	return f;
}

/* Whether the U+03A3 at s[start..end) is in the Final_Sigma context,
 * scanning as CPython's handle_capital_sigma() does.  Each scan stops at
 * the first character that is not case-ignorable, and Σ itself is not,
 * so over a whole string every character is looked at at most twice. */
static int final_sigma(const unsigned char *s, size_t n, size_t start,
                       size_t end)
{
	size_t j = start, adv;
	int32_t c = -1;
	int found = 0;

	while (j > 0) {
		j = prev_start(s, j);
		c = decode(s + j, n - j, &adv);
		if (!(kc_uni_props(c) & KC_UNI_CASE_IGNORABLE)) {
			found = 1;
			break;
		}
	}
	if (!found || !(kc_uni_props(c) & KC_UNI_CASED))
		return 0;
	for (j = end; j < n; j += adv) {
		c = decode(s + j, n - j, &adv);
		if (!(kc_uni_props(c) & KC_UNI_CASE_IGNORABLE))
			return !(kc_uni_props(c) & KC_UNI_CASED);
	}
	return 1;
}

kc_status kc_text_lower(const char *str, size_t n, kc_buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	kc_status st;
	size_t i = 0;

	/* Lower-casing rarely changes the length; reserve for the common
	 * case and grow per character otherwise. */
	if ((st = kc_buf_reserve(out, n)))
		return st;
	while (i < n) {
		size_t adv;
		int32_t cp, lc;
		utf8proc_uint8_t enc[8];
		utf8proc_ssize_t k;

		/* ASCII runs, the bulk of every answer */
		if (s[i] < 0x80) {
			size_t j = i;

			while (j < n && s[j] < 0x80)
				j++;
			if ((st = kc_buf_reserve(out, j - i)))
				return st;
			for (size_t t = i; t < j; t++) {
				unsigned c = s[t];
				out->data[out->len++] =
					(char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
			out->data[out->len] = '\0';
			i = j;
			continue;
		}
		cp = decode(s + i, n - i, &adv);
		if (cp < 0) {
			st = kc_buf_append(out, s + i, 1);
		} else if (cp == 0x130) {
			st = kc_buf_append(out, "i\xcc\x87", 3);
		} else {
			if (cp == 0x3a3)
				lc = final_sigma(s, n, i, i + adv) ? 0x3c2 : 0x3c3;
			else
				lc = utf8proc_tolower(cp);
			k = utf8proc_encode_char(lc, enc);
			st = kc_buf_append(out, enc, (size_t)k);
		}
		if (st)
			return st;
		i += adv;
	}
	return KC_OK;
}

void kc_text_strip(const char **str, size_t *len)
{
	const unsigned char *s = (const unsigned char *)*str;
	size_t n = *len, i = 0, adv;

	while (i < n && py_space(decode(s + i, n - i, &adv)))
		i += adv;
	while (n > i) {
		size_t j = prev_start(s, n);

		if (j < i || !py_space(decode(s + j, n - j, &adv)) ||
		    j + adv != n)
			break;
		n = j;
	}
	*str += i;
	*len = n - i;
}

size_t kc_text_cplen(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t count = 0, i = 0, adv;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
		} else {
			decode(s + i, n - i, &adv);
			i += adv;
		}
		count++;
	}
	return count;
}

size_t kc_text_cpskip(const char *str, size_t n, size_t k)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, adv;

	while (i < n && k > 0) {
		if (s[i] < 0x80) {
			i++;
		} else {
			decode(s + i, n - i, &adv);
			i += adv;
		}
		k--;
	}
	return i;
}

/* string.punctuation: the 32 ASCII punctuation characters. */
static int ascii_punct(unsigned c)
{
	return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
	       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

static int is_article(const char *w, size_t n)
{
	return (n == 1 && w[0] == 'a') ||
	       (n == 2 && w[0] == 'a' && w[1] == 'n') ||
	       (n == 3 && !memcmp(w, "the", 3));
}

kc_status kc_text_normalize(const char *s, size_t n, kc_buf *out,
                            kc_buf *tmp)
{
	const unsigned char *t;
	size_t i = 0, tn, adv, base = out->len;
	size_t run = 0, run_sep = 0;  /* where the current \w run starts */
	int in_run = 0, need_sep = 0;
	kc_status st;

	tmp->len = 0;
	if ((st = kc_text_lower(s, n, tmp)))
		return st;
	/* The result is never longer than the lower-cased text: every
	 * separator written stands for at least one byte dropped. */
	if ((st = kc_buf_reserve(out, tmp->len + 1)))
		return st;
	t = (const unsigned char *)tmp->data;
	tn = tmp->len;
	/*
	 * One pass over the lower-cased text does the other three steps:
	 * punctuation bytes are skipped (so "the-end" is one word, as in
	 * Python, where they are gone before the regex runs); a maximal
	 * run of \w characters that is "a", "an" or "the" is taken back out
	 * and counts as white space; white space only sets a pending
	 * separator, written before the next character that is kept.
	 */
	while (i <= tn) {
		int32_t cp = -1;
		unsigned f = 0;

		if (i < tn) {
			if (t[i] < 0x80) {
				if (ascii_punct(t[i])) {
					i++;
					continue;
				}
				adv = 1;
				f = ascii_props[t[i]];
			} else {
				cp = decode(t + i, tn - i, &adv);
				f = kc_uni_props(cp);
			}
		}
		if (in_run && !(f & KC_UNI_WORD)) {
			in_run = 0;
			if (is_article(out->data + run, out->len - run)) {
				out->len = run_sep;
				need_sep = 1;
			}
		}
		if (i == tn)
			break;
		if (f & KC_UNI_SPACE) {
			need_sep = 1;
		} else {
			size_t before = out->len;

			if (need_sep && out->len > base)
				out->data[out->len++] = ' ';
			need_sep = 0;
			if ((f & KC_UNI_WORD) && !in_run) {
				in_run = 1;
				run = out->len;
				run_sep = before;
			}
			memcpy(out->data + out->len, t + i, adv);
			out->len += adv;
		}
		i += adv;
	}
	out->data[out->len] = '\0';
	return KC_OK;
}

/* At t[i] (just after "import"), match \s[a-z]+\sas\s[a-z]+\n and return
 * the length matched past i, or 0.  After lower-casing and blanking, the
 * class [a-zA-Z\.] can only meet a-z; greedy runs never need to give
 * back, since what must follow them is not a letter. */
static size_t import_tail(const unsigned char *t, size_t n, size_t i)
{
	size_t j = i, adv;

#define SPACE_AT(p) ((p) < n && py_space(decode(t + (p), n - (p), &adv)))
#define LETTERS(p)  do { size_t s0_ = (p); \
		while ((p) < n && t[p] >= 'a' && t[p] <= 'z') (p)++; \
		if ((p) == s0_) return 0; } while (0)
	if (!SPACE_AT(j))
		return 0;
	j += adv;
	LETTERS(j);
	if (!SPACE_AT(j))
		return 0;
	j += adv;
	if (n - j < 2 || t[j] != 'a' || t[j + 1] != 's')
		return 0;
	j += 2;
	if (!SPACE_AT(j))
		return 0;
	j += adv;
	LETTERS(j);
	if (j >= n || t[j] != '\n')
		return 0;
	return j + 1 - i;
#undef SPACE_AT
#undef LETTERS
}

kc_status kc_text_normalize_loong(const char *s, size_t n, kc_buf *out,
                                  kc_buf *tmp)
{
	unsigned char *t;
	size_t i = 0, tn, adv, base = out->len;
	int need_sep = 0;
	kc_status st;

	tmp->len = 0;
	if ((st = kc_text_lower(s, n, tmp)))
		return st;
	t = (unsigned char *)tmp->data;
	tn = tmp->len;
	/* Blank the class in place, each member to exactly one space (the
	 * import pattern below counts single white-space characters). */
	{
		size_t w = 0;

		for (i = 0; i < tn; i += adv) {
			int32_t cp = decode(t + i, tn - i, &adv);

			if (loong_punct(cp)) {
				t[w++] = ' ';
			} else {
				memmove(t + w, t + i, adv);
				w += adv;
			}
		}
		tn = tmp->len = w;
	}
	if ((st = kc_buf_reserve(out, tn + 1)))
		return st;
	for (i = 0; i < tn; ) {
		size_t m;
		int32_t cp;

		if (t[i] == 'i' && tn - i >= 6 && !memcmp(t + i, "import", 6) &&
		    (m = import_tail(t, tn, i + 6))) {
			need_sep = 1;
			i += 6 + m;
			continue;
		}
		cp = decode(t + i, tn - i, &adv);
		if (py_space(cp)) {
			need_sep = 1;
		} else {
			if (need_sep && out->len > base)
				out->data[out->len++] = ' ';
			need_sep = 0;
			memcpy(out->data + out->len, t + i, adv);
			out->len += adv;
		}
		i += adv;
	}
	out->data[out->len] = '\0';
	return KC_OK;
}
