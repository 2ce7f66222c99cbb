/*
 * pretok.c - the pre-tokenizer regexes, written out by hand.
 *
 * Byte-level BPE tokenizers first cut text into "pre-tokens" with one
 * regex, then run BPE inside each.  The references run that regex with a
 * backtracking engine (Oniguruma in Hugging Face's tokenizers, fancy-regex
 * in tiktoken); kc recognizes the few patterns real tokenizers use by
 * their exact text and matches them with the code below, which does what
 * the backtracking engine does: at each position the alternatives are
 * tried in order and the first that matches wins (not the longest), and
 * each quantifier is greedy and gives back one character at a time.
 * Every function here is linear in the length of what it returns plus
 * one character of look-ahead (or, for whitespace, the run it scans), so
 * a megabyte without a space costs no more than a megabyte of words.
 *
 * Character classes (\p{L}, \p{N}, \s, \p{Lu} ...) are Unicode 16.0, as in
 * both references (measured: tests/fuzz/probe-classes.js).  The
 * case-insensitive contractions (?i:'s|'t|'re|'ve|'m|'ll|'d) follow the
 * engines' case folding: besides ASCII case, 's also matches 'ſ (U+017F
 * LATIN SMALL LETTER LONG S); no other character folds to one of these
 * letters.
 */
#include "tok/private.h"

const char *const kc_tok_pattern[4] = {
	[TK_PRE_QWEN] =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
	" ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	[TK_PRE_CL100K] =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
	"\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|"
	"\\s+",
	[TK_PRE_O200K] =
	"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
	"[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
	"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
	"[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
	"\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|"
	"\\s+(?!\\S)|\\s+",
	[TK_PRE_GPT2] =
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|"
	"\\s+(?!\\S)|\\s+",
};

/* Classes of the ASCII characters, the same bits as tk_class(). */
#define A_UP (TK_L | TK_UP | TK_W)
#define A_LO (TK_L | TK_LO | TK_W)
#define A_N (TK_N | TK_W)
static const uint8_t ascii[128] = {
	['\t'] = TK_S, ['\n'] = TK_S, ['\v'] = TK_S, ['\f'] = TK_S,
	['\r'] = TK_S, [' '] = TK_S,
	['0'] = A_N, ['1'] = A_N, ['2'] = A_N, ['3'] = A_N, ['4'] = A_N,
	['5'] = A_N, ['6'] = A_N, ['7'] = A_N, ['8'] = A_N, ['9'] = A_N,
	['_'] = TK_W,
	['A'] = A_UP, ['B'] = A_UP, ['C'] = A_UP, ['D'] = A_UP, ['E'] = A_UP,
	['F'] = A_UP, ['G'] = A_UP, ['H'] = A_UP, ['I'] = A_UP, ['J'] = A_UP,
	['K'] = A_UP, ['L'] = A_UP, ['M'] = A_UP, ['N'] = A_UP, ['O'] = A_UP,
	['P'] = A_UP, ['Q'] = A_UP, ['R'] = A_UP, ['S'] = A_UP, ['T'] = A_UP,
	['U'] = A_UP, ['V'] = A_UP, ['W'] = A_UP, ['X'] = A_UP, ['Y'] = A_UP,
	['Z'] = A_UP,
	['a'] = A_LO, ['b'] = A_LO, ['c'] = A_LO, ['d'] = A_LO, ['e'] = A_LO,
	['f'] = A_LO, ['g'] = A_LO, ['h'] = A_LO, ['i'] = A_LO, ['j'] = A_LO,
	['k'] = A_LO, ['l'] = A_LO, ['m'] = A_LO, ['n'] = A_LO, ['o'] = A_LO,
	['p'] = A_LO, ['q'] = A_LO, ['r'] = A_LO, ['s'] = A_LO, ['t'] = A_LO,
	['u'] = A_LO, ['v'] = A_LO, ['w'] = A_LO, ['x'] = A_LO, ['y'] = A_LO,
	['z'] = A_LO,
};

/* The class of the character at s[i] (i < n), its length in *len. */
static inline unsigned cls(const uint8_t *s, size_t i, size_t *len)
{
	if (s[i] < 0x80) {
		*len = 1;
		return ascii[s[i]];
	}
	return tk_class(tk_decode(s + i, len));
}

/* The end of the run of characters whose class has a bit of `mask`. */
static inline size_t run(const uint8_t *s, size_t n, size_t i, unsigned mask)
{
	size_t len;

	while (i < n) {
		if (s[i] < 0x80) {
			if (!(ascii[s[i]] & mask))
				break;
			i++;
		} else {
			if (!(tk_class(tk_decode(s + i, &len)) & mask))
				break;
			i += len;
		}
	}
	return i;
}

/* The end of the run of characters whose class has no bit of `mask`. */
static inline size_t run_not(const uint8_t *s, size_t n, size_t i,
                             unsigned mask)
{
	size_t len;

	while (i < n) {
		if (s[i] < 0x80) {
			if (ascii[s[i]] & mask)
				break;
			i++;
		} else {
			if (tk_class(tk_decode(s + i, &len)) & mask)
				break;
			i += len;
		}
	}
	return i;
}

/* How far a match ending at e looked: one character on, or past the end. */
static inline size_t after(const uint8_t *s, size_t n, size_t e)
{
	return e < n ? e + tk_u8len(s[e]) : n + 1;
}

/*
 * The length of the contraction letters at s[j..] (just after an
 * apostrophe): s|t|re|ve|m|ll|d, case-insensitively when `ci` (then 'ſ'
 * counts as 's'), else lower case only.  0 when none.
 */
static size_t contraction(const uint8_t *s, size_t n, size_t j, int ci)
{
	uint8_t c, d;

	if (j >= n)
		return 0;
	c = s[j];
	if (ci && c >= 'A' && c <= 'Z')
		c += 32;
	switch (c) {
	case 's': case 't': case 'm': case 'd':
		return 1;
	case 'r': case 'v': case 'l':
		if (j + 1 >= n)
			return 0;
		d = s[j + 1];
		if (ci && d >= 'A' && d <= 'Z')
			d += 32;
		return d == (c == 'l' ? 'l' : 'e') ? 2 : 0;
	case 0xC5:   /* U+017F LATIN SMALL LETTER LONG S folds to 's' */
		return ci && j + 1 < n && s[j + 1] == 0xBF ? 2 : 0;
	}
	return 0;
}

/*
 * The whitespace alternatives shared by all patterns, at a whitespace
 * character s[i]:  \s*[\r\n]+ (when `newlines`) | \s+(?!\S) | \s+
 */
static size_t spaces(const uint8_t *s, size_t n, size_t i, int newlines,
                     size_t *seen)
{
	size_t e = i, last_nl = (size_t)-1, last = i, len;

	while (e < n) {
		if (s[e] < 0x80) {
			if (!(ascii[s[e]] & TK_S))
				break;
			if (s[e] == '\r' || s[e] == '\n')
				last_nl = e;
			last = e++;
		} else {
			if (!(tk_class(tk_decode(s + e, &len)) & TK_S))
				break;
			last = e;
			e += len;
		}
	}
	*seen = after(s, n, e);
	/* \s*[\r\n]+ : the greedy \s* gives back down to the last newline. */
	if (newlines && last_nl != (size_t)-1)
		return last_nl + 1;
	/* \s+(?!\S): all of it at the end of the text, else all but the
	 * last character, which must then stand alone (\s+). */
	if (e == n || last == i)
		return e;
	return last;
}

/* (?i:'s|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxdig}|
 * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ */
/*
 * The alternatives the cl100k-style and o200k regexes end with, at
 * position i (class c0, length l0): '\p{N}{1,maxdig}', then
 * ' ?[^\s\p{L}\p{N}]+[\r\n]*' (o200k: '[\r\n/]*'), then the spaces.
 */
static size_t digits_punct_spaces(const uint8_t *s, size_t n, size_t i,
                                  unsigned c0, size_t l0, int maxdig,
                                  int slash, size_t *seen)
{
	size_t e, l1;

	if (c0 & TK_N) {
		e = i + l0;
		for (int k = 1; k < maxdig && e < n; k++) {
			if (!(cls(s, e, &l1) & TK_N))
				break;
			e += l1;
		}
		*seen = after(s, n, e);
		return e;
	}
	e = i;
	if (s[i] == ' ' && i + 1 < n &&
	    !(cls(s, i + 1, &l1) & (TK_S | TK_L | TK_N)))
		e = i + 1;
	if (e > i || !(c0 & TK_S)) {
		e = run_not(s, n, e, TK_S | TK_L | TK_N);
		while (e < n && (s[e] == '\r' || s[e] == '\n' ||
		                 (slash && s[e] == '/')))
			e++;
		*seen = after(s, n, e);
		return e;
	}
	return spaces(s, n, i, 1, seen);
}

static size_t next_cl100k(const uint8_t *s, size_t n, size_t i, int maxdig,
                          size_t *seen)
{
	size_t l0, l1, e;
	unsigned c0 = cls(s, i, &l0), c1;

	if (s[i] == '\'') {
		size_t k = contraction(s, n, i + 1, 1);
		if (k) {
			*seen = i + 1 + k;
			return i + 1 + k;
		}
	}
	if (c0 & TK_L) {
		e = run(s, n, i + l0, TK_L);
		*seen = after(s, n, e);
		return e;
	}
	if (!(c0 & TK_N) && s[i] != '\r' && s[i] != '\n' && i + l0 < n) {
		c1 = cls(s, i + l0, &l1);
		if (c1 & TK_L) {
			e = run(s, n, i + l0 + l1, TK_L);
			*seen = after(s, n, e);
			return e;
		}
	}
	return digits_punct_spaces(s, n, i, c0, l0, maxdig, 0, seen);
}

/* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|
 * \s+(?!\S)|\s+ */
static size_t next_gpt2(const uint8_t *s, size_t n, size_t i, size_t *seen)
{
	size_t l0, l1, e, j = i;
	unsigned c0 = cls(s, i, &l0), c;

	if (s[i] == '\'') {
		size_t k = contraction(s, n, i + 1, 0);
		if (k) {
			*seen = i + 1 + k;
			return i + 1 + k;
		}
	}
	c = c0;
	if (s[i] == ' ' && i + 1 < n) {
		c = cls(s, i + 1, &l1);
		j = i + 1;
		if (c & TK_S) {
			c = c0;
			j = i;
		}
	}
	if (c & TK_L)
		e = run(s, n, j, TK_L);
	else if (c & TK_N)
		e = run(s, n, j, TK_N);
	else if (!(c & TK_S))
		e = run_not(s, n, j, TK_S | TK_L | TK_N);
	else
		return spaces(s, n, i, 0, seen);
	*seen = after(s, n, e);
	return e;
}

/* o200k's letter classes: U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}],
 * W = [\p{Ll}\p{Lm}\p{Lo}\p{M}]. */
static inline int is_u(unsigned c)
{
	return (c & TK_M) || ((c & TK_L) && !(c & TK_LO));
}

static inline int is_w(unsigned c)
{
	return (c & TK_M) || ((c & TK_L) && !(c & TK_UP));
}

static size_t run_u(const uint8_t *s, size_t n, size_t i, size_t *last_w)
{
	size_t len;
	unsigned c;

	*last_w = (size_t)-1;
	while (i < n) {
		c = cls(s, i, &len);
		if (!is_u(c))
			break;
		if (is_w(c))
			*last_w = i;
		i += len;
	}
	return i;
}

static size_t run_w(const uint8_t *s, size_t n, size_t i)
{
	size_t len;

	while (i < n && is_w(cls(s, i, &len)))
		i += len;
	return i;
}

/* The optional (?i:'s|'t|'re|'ve|'m|'ll|'d)? after o200k's words. */
static size_t o200k_tail(const uint8_t *s, size_t n, size_t e, size_t *seen)
{
	size_t k;

	if (e < n && s[e] == '\'' && (k = contraction(s, n, e + 1, 1))) {
		*seen = e + 1 + k;
		return e + 1 + k;
	}
	/* looked at the apostrophe and up to two letters after it */
	*seen = e + 4 <= n ? e + 4 : n + 1;
	return e;
}

/* U* W+ from j, or 0 (no match: j is never 0 for a match, see caller). */
static size_t o200k_alt1(const uint8_t *s, size_t n, size_t j, int *ok)
{
	size_t last_w, u_end = run_u(s, n, j, &last_w), len;

	*ok = 1;
	if (u_end < n && is_w(cls(s, u_end, &len)))
		return run_w(s, n, u_end);
	if (last_w != (size_t)-1)
		return last_w + tk_u8len(s[last_w]);
	*ok = 0;
	return 0;
}

/* U+ W* from j. */
static size_t o200k_alt2(const uint8_t *s, size_t n, size_t j, int *ok)
{
	size_t last_w, u_end = run_u(s, n, j, &last_w);

	*ok = u_end > j;
	return *ok ? run_w(s, n, u_end) : 0;
}

static size_t next_o200k(const uint8_t *s, size_t n, size_t i, size_t *seen)
{
	size_t l0, e;
	unsigned c0 = cls(s, i, &l0);
	int prefix = !(c0 & (TK_L | TK_N)) && s[i] != '\r' && s[i] != '\n';
	int ok;

	/* Alternative 1, then 2: with the optional prefix character taken
	 * when it can be, else without (which matters when it is a mark). */
	for (int alt = 1; alt <= 2; alt++) {
		for (int with = prefix; with >= 0; with--) {
			size_t j = with ? i + l0 : i;

			e = alt == 1 ? o200k_alt1(s, n, j, &ok) :
			               o200k_alt2(s, n, j, &ok);
			if (ok) {
				size_t seen1 = after(s, n, e), seen2;

				e = o200k_tail(s, n, e, &seen2);
				*seen = seen1 > seen2 ? seen1 : seen2;
				return e;
			}
		}
	}
	return digits_punct_spaces(s, n, i, c0, l0, 3, 1, seen);
}

size_t kc_tok_pretok_next(int kind, const uint8_t *s, size_t n, size_t pos,
                          size_t *seen)
{
	switch (kind) {
	case TK_PRE_QWEN:
		return next_cl100k(s, n, pos, 1, seen);
	case TK_PRE_CL100K:
		return next_cl100k(s, n, pos, 3, seen);
	case TK_PRE_O200K:
		return next_o200k(s, n, pos, seen);
	default:
		return next_gpt2(s, n, pos, seen);
	}
}
