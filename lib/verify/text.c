/*
 * text.c - the checks kc-verify makes on a prompt's text.
 *
 * Nothing here trusts the code that wrote the prompt: no sentence-end
 * finder, chain or renderer of kc is called.  The pairs are found by
 * their shape alone: '{"', a key of the record's form, '": "', then
 * either another key or a question written raw (it may hold double
 * quotes, so it is not JSON) up to the '"}.' that closes it:
 *
 *   Passage 3:\nTitle\nA sentence. {"3f2a9c01": "Who wrote "X"?"}. Next
 *   |<-- header --------->|<-- body ---------------------------------->
 *
 * Then, in this order:
 *   - the passages are "Passage N:" blocks numbered 1..n, joined by a
 *     blank line;
 *   - each pair sits in a block's body, after a sentence end ('.', '?'
 *     or '!', then any closing quotes or brackets, then one space that
 *     belongs to the pair) or right after a newline; not inside a number
 *     ("3. {...}.5"), not after an abbreviation or an initial ("U.S.",
 *     "Dr.", "J."), not before a lower-case continuation, and not
 *     inside a parenthesis, bracket or double quotation that its
 *     paragraph left open (an ASCII '"' after a digit is an inch mark);
 *   - the keys are unique and occur nowhere outside the pairs, except
 *     the head where the template names it;
 *   - following the pairs from the head reaches exactly one question,
 *     the real one, along the real path;
 *   - each own passage, its pairs taken out, hashes to the FNV-1a the
 *     record claims and equals the record's doc.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kc.h"
#include "verify/private.h"

enum form { F_UUID, F_HEX, F_NANO };

struct keyform {
	enum form kind;
	size_t len;
};

struct vpair {
	size_t start, end;      /* '{' .. just after the closing '.' */
	size_t key;             /* offset of the key */
	size_t vstart, vend;    /* the value */
	int ok;                 /* parsed and closed */
	int value_key;          /* the value has the key form */
	int lead;               /* the space before it belongs to the pair */
	long kid, vid;          /* key table ids; vid -1: a question */
};

struct vblock {
	size_t number;
	size_t start;           /* "Passage N:" */
	size_t title, title_end;
	size_t body, end;
};

struct vkey {
	size_t off;             /* an occurrence in the text */
	int nkey, nval;         /* pairs with it as key, as a value */
	int seen, reported;
	long parent;            /* the pair that reached it from the head */
	size_t child0, nchild;  /* its pairs in the child index */
};

struct state {
	const struct kc_verify_text *in;
	const unsigned char *t;
	size_t len;
	struct keyform form;
	unsigned char cls[256];     /* 1 for the form's key characters */
	char form_name[32];
	struct vpair *pairs;
	size_t np;
	struct vblock *blocks;
	size_t nb;
	struct vkey *keys;
	size_t nk, capk;
	long *slots;            /* key id + 1; 0: empty */
	size_t nslots;
	size_t *child;          /* pair indices grouped by key */
	size_t *dslots;         /* distractor index + 1; 0: empty */
	size_t ndslots;
	kc_buf buf;
	struct kc_verify_result *res;
	struct kc_error *err;
};

#define CLOSE "\"}."

/* ---- key forms ---- */

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int is_nano(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

static int form_char(const struct keyform *f, unsigned char c)
{
	switch (f->kind) {
	case F_UUID: return is_hex(c) || c == '-';
	case F_HEX: return is_hex(c);
	default: return is_nano(c);
	}
}

static int uuid_layout(const unsigned char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-'
		                                             : !is_hex(s[i]))
			return 0;
	return 1;
}

static int is_key(const struct keyform *f, const unsigned char *s, size_t n)
{
	if (n != f->len)
		return 0;
	if (f->kind == F_UUID)
		return uuid_layout(s, n);
	for (size_t i = 0; i < n; i++)
		if (!form_char(f, s[i]))
			return 0;
	return 1;
}

/* "default", "default_N", "nano", "nano_N". */
static int form_parse(const char *name, struct keyform *f)
{
	char *end;
	long n;

	if (!strcmp(name, "default")) {
		f->kind = F_UUID;
		f->len = 36;
		return 1;
	}
	if (!strcmp(name, "nano")) {
		f->kind = F_NANO;
		f->len = 21;
		return 1;
	}
	if (!strncmp(name, "default_", 8)) {
		f->kind = F_HEX;
		name += 8;
	} else if (!strncmp(name, "nano_", 5)) {
		f->kind = F_NANO;
		name += 5;
	} else {
		return 0;
	}
	n = strtol(name, &end, 10);
	if (end == name || *end || n < 1 || n > 64)
		return 0;
	f->len = (size_t)n;
	return 1;
}

/* The form of a head: canonical UUID, else lower-case hex, else nanoid. */
static int form_learn(const unsigned char *h, size_t n, struct keyform *f)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	f->len = n;
	if (uuid_layout(h, n)) {
		f->kind = F_UUID;
		return 1;
	}
	for (i = 0; i < n && is_hex(h[i]); i++)
		;
	if (i == n) {
		f->kind = F_HEX;
		return 1;
	}
	for (i = 0; i < n && is_nano(h[i]); i++)
		;
	f->kind = F_NANO;
	return i == n;
}

static void form_name(const struct keyform *f, char *buf, size_t size)
{
	if (f->kind == F_UUID)
		snprintf(buf, size, "default");
	else
		snprintf(buf, size, "%s_%zu", f->kind == F_HEX ? "default" : "nano",
		         f->len);
}

/* ---- messages ---- */

/* Length of the UTF-8 sequence a lead byte starts (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/*
 * A short printable excerpt of s[0..n) for a message: newlines as "\n",
 * other control bytes as spaces, cut at a character boundary with "...".
 */
static const char *excerpt(char *buf, size_t size, const unsigned char *s,
                           size_t n)
{
	size_t o = 0, i = 0, max = size - 4;

	while (i < n && (s[i] & 0xc0) == 0x80)   /* started mid-character */
		i++;
	for (; i < n && o + 2 <= max; i++) {
		if (s[i] == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = s[i] < 0x20 ? ' ' : (char)s[i];
		}
	}
	if (i < n) {
		size_t k = o;
		while (k > 0 && ((unsigned char)buf[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)buf[k - 1] >= 0xc0 &&
		    k - 1 + utf8_len((unsigned char)buf[k - 1]) > o)
			o = k - 1;
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* The excerpt of the text around [a, b): a few bytes before and after. */
static const char *around(const struct state *s, char *buf, size_t size,
                          size_t a, size_t b)
{
	size_t from = a > 24 ? a - 24 : 0;
	size_t to = b + 16 < s->len ? b + 16 : s->len;

	return excerpt(buf, size, s->t + from, to - from);
}

/* The pair's key, as a C string for messages. */
static const char *keystr(const struct state *s, size_t off, char *buf)
{
	size_t n = s->form.len < 64 ? s->form.len : 64;

	memcpy(buf, s->t + off, n);
	buf[n] = '\0';
	return buf;
}

#define PROBLEM(s, r, ...) kc_verify_problem((s)->res, (s)->err, (r), __VA_ARGS__)

/* ---- the key table ---- */

static uint64_t hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static long key_find(const struct state *s, const unsigned char *k)
{
	size_t mask = s->nslots - 1, i;

	if (!s->nslots)
		return -1;
	for (i = (size_t)hash(k, s->form.len) & mask; s->slots[i];
	     i = (i + 1) & mask) {
		long id = s->slots[i] - 1;
		if (!memcmp(s->t + s->keys[id].off, k, s->form.len))
			return id;
	}
	return -1;
}

static kc_status key_grow(struct state *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 256;
	long *slots = calloc(n, sizeof *slots);

	if (!slots)
		return KC_ENOMEM;
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
	for (size_t id = 0; id < s->nk; id++) {
		size_t i = (size_t)hash(s->t + s->keys[id].off, s->form.len) &
		           (n - 1);
		while (s->slots[i])
			i = (i + 1) & (n - 1);
		s->slots[i] = (long)id + 1;
	}
	return KC_OK;
}

/* The id of the key at text offset off, added when new; -1: no memory. */
static long key_id(struct state *s, size_t off)
{
	long id = key_find(s, s->t + off);
	size_t i;

	if (id >= 0)
		return id;
	if (s->nk == s->capk) {
		size_t cap = s->capk ? s->capk * 2 : 64;
		void *k = realloc(s->keys, cap * sizeof *s->keys);
		if (!k)
			return -1;
		s->keys = k;
		s->capk = cap;
	}
	if ((s->nk + 1) * 2 > s->nslots && key_grow(s))
		return -1;
	memset(&s->keys[s->nk], 0, sizeof *s->keys);
	s->keys[s->nk].off = off;
	s->keys[s->nk].parent = -1;
	for (i = (size_t)hash(s->t + off, s->form.len) & (s->nslots - 1);
	     s->slots[i]; i = (i + 1) & (s->nslots - 1))
		;
	s->slots[i] = (long)s->nk + 1;
	return (long)s->nk++;
}

/* ---- finding the pairs ---- */

/* The offset of the first '"}.' in t[from, to), or to. */
static size_t find_close(const unsigned char *t, size_t from, size_t to)
{
	const unsigned char *c;

	if (to < from + 3)
		return to;
	c = memmem(t + from, to - from, CLOSE, 3);
	return c ? (size_t)(c - t) : to;
}

static kc_status find_pairs(struct state *s)
{
	const unsigned char *t = s->t;
	size_t n = s->len, cap = 0;
	char b1[96];

	for (size_t i = 0; i + 1 < n; i++) {
		const unsigned char *p = memchr(t + i, '{', n - i);
		size_t k, r;

		if (!p)
			break;
		i = (size_t)(p - t);
		if (i + 1 >= n || t[i + 1] != '"')
			continue;
		k = r = i + 2;
		while (r < n && r - k <= 64 && is_nano(t[r]))
			r++;
		if (r == k || r - k > 64 || r + 4 > n || memcmp(t + r, "\": \"", 4))
			continue;
		if (!is_key(&s->form, t + k, r - k)) {
			/* Shaped like a pair, closed like one on the same line:
			 * a key of the wrong form, not a brace in the text. */
			const unsigned char *nl = memchr(t + r, '\n', n - r);
			size_t to = nl ? (size_t)(nl - t) : n;
			size_t c = find_close(t, r + 4, to);
			if (c < to)
				PROBLEM(s, KC_VERIFY_PAIR, "pair with a key not of the "
				        "%s form: \"%s\"", s->form_name,
				        excerpt(b1, sizeof b1, t + i, c + 3 - i));
			continue;
		}
		if (s->np == cap) {
			size_t nc = cap ? cap * 2 : 64;
			void *np = realloc(s->pairs, nc * sizeof *s->pairs);
			if (!np)
				return KC_ENOMEM;
			s->pairs = np;
			cap = nc;
		}
		memset(&s->pairs[s->np], 0, sizeof *s->pairs);
		s->pairs[s->np].start = i;
		s->pairs[s->np].key = k;
		s->pairs[s->np].vstart = r + 4;
		s->pairs[s->np].kid = s->pairs[s->np].vid = -1;
		s->np++;
		i = r + 3;
	}

	/* Each value ends before the next pair begins. */
	for (size_t j = 0; j < s->np; j++) {
		struct vpair *q = &s->pairs[j];
		size_t limit = j + 1 < s->np ? s->pairs[j + 1].start : n;
		size_t L = s->form.len, c;

		if (q->vstart + L + 3 <= limit && is_key(&s->form, t + q->vstart, L) &&
		    !memcmp(t + q->vstart + L, CLOSE, 3)) {
			q->value_key = 1;
			q->vend = q->vstart + L;
		} else if ((c = find_close(t, q->vstart, limit)) < limit) {
			q->vend = c;
		} else {
			PROBLEM(s, KC_VERIFY_PAIR, "pair is not closed with '\"}.': "
			        "\"%s\"", excerpt(b1, sizeof b1, t + q->start,
			                          limit - q->start));
			continue;
		}
		q->end = q->vend + 3;
		q->ok = 1;
		q->lead = q->start > 0 && t[q->start - 1] == ' ';
		if ((q->kid = key_id(s, q->key)) < 0)
			return KC_ENOMEM;
		s->keys[q->kid].nkey++;
		if (q->value_key) {
			if ((q->vid = key_id(s, q->vstart)) < 0)
				return KC_ENOMEM;
			s->keys[q->vid].nval++;
		}
	}
	return KC_OK;
}

/* ---- passages ---- */

/* "Passage N:\n" at t[pos..end): its number and length, or 0. */
static size_t header(const unsigned char *t, size_t pos, size_t end,
                     size_t *number)
{
	size_t i = pos + 8, v = 0;

	if (end - pos < 11 || memcmp(t + pos, "Passage ", 8))
		return 0;
	while (i < end && isdigit(t[i]) && i - pos < 20)
		v = v * 10 + (size_t)(t[i++] - '0');
	if (i == pos + 8 || i + 2 > end || t[i] != ':' || t[i + 1] != '\n')
		return 0;
	*number = v;
	return i + 2 - pos;
}

static kc_status find_blocks(struct state *s)
{
	const unsigned char *t = s->t;
	size_t lo = s->in->ctx_start, hi = s->in->ctx_end, pos = lo, cap = 0;
	int reported = 0;

	if (hi <= lo)
		return KC_OK;
	for (;;) {
		size_t number, h = header(t, pos, hi, &number), next;
		struct vblock *b;

		if (!h) {
			/* Not a header: only the start of the context can be
			 * wrong here; later blocks are found by their header. */
			char b1[64];
			PROBLEM(s, KC_VERIFY_NUMBERING, "the context does not start "
			        "with \"Passage 1:\": \"%s\"",
			        excerpt(b1, sizeof b1, t + pos, hi - pos));
			return KC_OK;
		}
		if (s->nb == cap) {
			size_t nc = cap ? cap * 2 : 32;
			void *nb = realloc(s->blocks, nc * sizeof *s->blocks);
			if (!nb)
				return KC_ENOMEM;
			s->blocks = nb;
			cap = nc;
		}
		b = &s->blocks[s->nb++];
		b->number = number;
		b->start = pos;
		b->title = pos + h;
		if (number != s->nb && !reported) {
			if (s->nb == 1)
				PROBLEM(s, KC_VERIFY_NUMBERING, "the passages start at "
				        "\"Passage %zu:\", not 1", number);
			else
				PROBLEM(s, KC_VERIFY_NUMBERING, "passage %zu follows "
				        "passage %zu", number, s->blocks[s->nb - 2].number);
			reported = 1;
		}
		/* The block ends at the blank line before the next header. */
		next = hi;
		for (size_t f = b->title; f + 2 < hi;) {
			const unsigned char *p = memmem(t + f, hi - f, "\n\nPassage ", 10);
			size_t num;
			if (!p)
				break;
			f = (size_t)(p - t);
			if (header(t, f + 2, hi, &num)) {
				next = f;
				break;
			}
			f += 2;
		}
		b->end = next;
		{
			const unsigned char *nl = memchr(t + b->title, '\n',
			                                 b->end - b->title);
			b->title_end = nl ? (size_t)(nl - t) : b->end;
			b->body = nl ? b->title_end + 1 : b->end;
		}
		if (next == hi)
			break;
		pos = next + 2;
	}
	return KC_OK;
}

/* The block holding text offset at, or -1. */
static long block_of(const struct state *s, size_t at)
{
	size_t lo = 0, hi = s->nb;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->blocks[mid].start <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || at >= s->blocks[lo - 1].end)
		return -1;
	return (long)lo - 1;
}

/* ---- where the pairs sit ---- */

/* Words that end in '.' without ending a sentence, compared without
 * case.  Kept short and unambiguous on purpose: a word that often ends a
 * sentence ("Inc.", "etc.") is not here.  Words with an inner '.'
 * ("U.S.", "e.g.") and single letters are caught by rule. */
static const char *const abbrev[] = {
	"adm", "al", "approx", "apr", "aug", "brig", "ca", "capt", "cf",
	"cmdr", "col", "cpl", "cpt", "dec", "dept", "dr", "feb", "fig", "figs",
	"fr", "ft", "gen", "gov", "hon", "jan", "jr", "jul", "jun", "lt",
	"maj", "messrs", "mlle", "mme", "mr", "mrs", "ms", "mt", "no", "nos",
	"nov", "oct", "op", "pp", "pres", "prof", "pvt", "rep", "rev", "sen",
	"sep", "sept", "sgt", "sr", "st", "stat", "viz", "vol", "vols", "vs",
};

static int abbreviation(const unsigned char *w, size_t n)
{
	if (n > 6)   /* the longest ("messrs") */
		return 0;
	for (size_t i = 0; i < sizeof abbrev / sizeof *abbrev; i++)
		if (strlen(abbrev[i]) == n &&
		    !strncasecmp(abbrev[i], (const char *)w, n))
			return 1;
	return 0;
}

/* Length of a closing quote or bracket ending just before t[j] (ASCII,
 * ’ ” »), not reaching below lo; 0 if none. */
static size_t closer_before(const unsigned char *t, size_t lo, size_t j)
{
	if (j >= lo + 1 && (t[j - 1] == '"' || t[j - 1] == '\'' ||
	                    t[j - 1] == ')' || t[j - 1] == ']'))
		return 1;
	if (j >= lo + 3 && t[j - 3] == 0xe2 && t[j - 2] == 0x80 &&
	    (t[j - 1] == 0x99 || t[j - 1] == 0x9d))
		return 3;
	if (j >= lo + 2 && t[j - 2] == 0xc2 && t[j - 1] == 0xbb)
		return 2;
	return 0;
}

/*
 * Is something open where pair qi sits: a '(' or '[' or a double
 * quotation of its paragraph (from the last newline, at least lo), not
 * closed before the pair?  Brackets count as one kind, as the datasets'
 * stripped transcriptions close "(" with "]" ("Don Quixote ( or ] ,").
 * Other pairs' text is skipped: their values are questions that may hold
 * quotes and brackets.  Returns the opener ('(' or '"') or 0.
 */
static int open_at(const struct state *s, size_t qi, size_t lo)
{
	const unsigned char *t = s->t;
	const struct vpair *ps = s->pairs;
	size_t at = ps[qi].start - (size_t)ps[qi].lead, from = at, k = qi;
	int depth = 0, quote = 0;

	while (from > lo && t[from - 1] != '\n')
		from--;
	while (k > 0 && ps[k - 1].end > from)
		k--;
	for (size_t i = from; i < at; i++) {
		while (k < qi && ps[k].end <= i)
			k++;
		if (k < qi && ps[k].ok && i + (size_t)ps[k].lead >= ps[k].start) {
			i = ps[k].end - 1;
			continue;
		}
		if (t[i] == '(' || t[i] == '[')
			depth++;
		else if ((t[i] == ')' || t[i] == ']') && depth)
			depth--;
		else if (t[i] == '"' && (i == 0 || isspace(t[i - 1]) ||
		                         t[i - 1] == '(' || t[i - 1] == '['))
			quote = 1;    /* opens after a space or a bracket */
		else if (t[i] == '"' && !isdigit(t[i - 1]))
			quote = 0;    /* else closes, but 12" is inches */
		else if (t[i] == 0xe2 && i + 2 < at && t[i + 1] == 0x80 &&
		         (t[i + 2] == 0x9c || t[i + 2] == 0x9d))
			quote = t[i + 2] == 0x9c;
	}
	return depth ? '(' : quote ? '"' : 0;
}

/* The bounds [*lo, *hi) of the text a pair sits in: its passage's body,
 * or the context; 0 when it sits in none (reported). */
static int pair_bounds(struct state *s, const struct vpair *q, size_t *lo,
                       size_t *hi)
{
	long bi = s->in->numbered ? block_of(s, q->start) : -2;
	const struct vblock *b;
	char b1[160], kb[72];

	if (bi == -1 || (bi == -2 && (q->start < s->in->ctx_start ||
	                              q->end > s->in->ctx_end))) {
		PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} is outside the "
		        "passages: \"%s\"", keystr(s, q->key, kb),
		        around(s, b1, sizeof b1, q->start, q->end));
		return 0;
	}
	if (bi == -2) {
		*lo = s->in->ctx_start;
		*hi = s->in->ctx_end;
		return 1;
	}
	b = &s->blocks[bi];
	if (q->start <= b->body) {
		PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} in the header "
		        "of passage %zu: \"%s\"", keystr(s, q->key, kb),
		        b->number, around(s, b1, sizeof b1, b->start, q->end));
		return 0;
	}
	if (q->end > b->end) {
		PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} runs past the "
		        "end of passage %zu", keystr(s, q->key, kb), b->number);
		return 0;
	}
	*lo = b->body;
	*hi = b->end;
	return 1;
}

static void check_place(struct state *s, const struct vpair *q)
{
	const unsigned char *t = s->t;
	size_t lo, hi, j, k, w;
	char b1[160], kb[72];

	if (!pair_bounds(s, q, &lo, &hi))
		return;
	if (q->start > lo && t[q->start - 1] == '\n')
		return;                  /* right after a newline */
	/* " " + pair: before the space, a stop and any closers. */
	j = q->start - 1;
	if (q->lead && j > lo)
		while ((k = closer_before(t, lo, j)))
			j -= k;
	if (!q->lead || j <= lo || (t[j - 1] != '.' && t[j - 1] != '?' &&
	                            t[j - 1] != '!')) {
		PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} does not follow a "
		        "sentence end: \"%s\"", keystr(s, q->key, kb),
		        around(s, b1, sizeof b1, q->start, q->end));
		return;
	}
	if (t[j - 1] == '.') {
		size_t dot = j - 1, letters = 0, inner = 0;
		/* inside a number: digit, '.', pair, digit */
		if (dot == q->start - 2 && dot > lo && isdigit(t[dot - 1]) &&
		    q->end < hi && isdigit(t[q->end])) {
			PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} inside the "
			        "number \"%c.%c\": \"%s\"", keystr(s, q->key, kb),
			        t[dot - 1], t[q->end],
			        around(s, b1, sizeof b1, q->start, q->end));
			return;
		}
		/* The word before the period; the '.' that closes another
		 * pair ("Carol! {...}.Freddie.") is not part of it. */
		for (w = dot; w > lo && (isalnum(t[w - 1]) || t[w - 1] == '.') &&
		     !(t[w - 1] == '.' && w - 1 > lo && t[w - 2] == '}'); w--) {
			if (t[w - 1] == '.')
				inner = 1;
			else if (isalpha(t[w - 1]))
				letters++;
		}
		if (w < dot && (w == lo || !(t[w - 1] & 0x80)) &&
		    ((inner && letters) || (dot - w == 1 && letters == 1) ||
		     (letters == dot - w && abbreviation(t + w, dot - w)))) {
			PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} after the "
			        "%s \"%.*s.\": \"%s\"", keystr(s, q->key, kb),
			        dot - w == 1 ? "initial" : "abbreviation",
			        (int)(dot - w), (const char *)t + w,
			        around(s, b1, sizeof b1, q->start, q->end));
			return;
		}
	}
	/* What follows " " + pair + ".": white space or the passage's end,
	 * or a capitalized word when the text had none between sentences
	 * ("a 1936 film. {...}.It recorded", "pupil.) {...}.Like":
	 * 2WikiMultihopQA's sentences are joined without spaces). */
	if (q->end < hi && t[q->end] != ' ' && t[q->end] != '\t' &&
	    t[q->end] != '\n' &&
	    !(j >= lo + 3 && islower(t[j - 2]) &&
	      isalpha(t[j - 3]) && isupper(t[q->end]) && q->end + 1 < hi &&
	      islower(t[q->end + 1]))) {
		PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} is glued to the "
		        "text after it: \"%s\"", keystr(s, q->key, kb),
		        around(s, b1, sizeof b1, q->start, q->end));
		return;
	}
	for (k = q->end; k < hi && (t[k] == ' ' || t[k] == '\t'); k++)
		;
	if (k < hi && islower(t[k])) {
		PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} before a "
		        "lower-case continuation: \"%s\"", keystr(s, q->key, kb),
		        around(s, b1, sizeof b1, q->start, q->end));
		return;
	}
	if ((k = (size_t)open_at(s, (size_t)(q - s->pairs), lo)))
		PROBLEM(s, KC_VERIFY_PLACE, "pair {\"%s\": ...} inside an open "
		        "%s: \"%s\"", keystr(s, q->key, kb),
		        k == '(' ? "parenthesis or bracket" :
		        "quotation", around(s, b1, sizeof b1, q->start, q->end));
}

/* ---- keys ---- */

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Look for every key in the text outside the pairs and the template's
 * head: every key-length window of every run of key characters. */
static kc_status keys_elsewhere(struct state *s)
{
	size_t nx = s->np + s->in->nhead_at, L = s->form.len, pos = 0, x = 0;
	size_t *ex = malloc((2 * nx + 1) * sizeof *ex);
	char b1[128], kb[72];

	if (!ex)
		return KC_ENOMEM;
	/* Excluded spans as (start, end) pairs, sorted by start. */
	for (size_t i = 0; i < s->np; i++) {
		ex[2 * i] = s->pairs[i].start;
		ex[2 * i + 1] = s->pairs[i].ok ? s->pairs[i].end
		                               : s->pairs[i].vstart;
	}
	for (size_t i = 0; i < s->in->nhead_at; i++) {
		ex[2 * (s->np + i)] = s->in->head_at[i];
		ex[2 * (s->np + i) + 1] = s->in->head_at[i] + s->in->head_len;
	}
	qsort(ex, nx, 2 * sizeof *ex, cmp_size);
	while (pos < s->len) {
		size_t seg_end = x < nx ? ex[2 * x] : s->len, run = 0;
		/* run: key characters so far; each window of L of them that
		 * ends here is looked up.  Branch-free, as most bytes of
		 * text are not in a long run. */
		for (size_t i = pos; i < seg_end; i++) {
			run = (run + 1) & ((size_t)0 - (size_t)s->cls[s->t[i]]);
			if (run >= L) {
				size_t w = i + 1 - L;
				long id = key_find(s, s->t + w);
				if (id >= 0 && !s->keys[id].reported) {
					s->keys[id].reported = 1;
					PROBLEM(s, KC_VERIFY_KEY, "key %s occurs outside the "
					        "pairs: \"%s\"", keystr(s, s->keys[id].off, kb),
					        around(s, b1, sizeof b1, w, w + L));
				}
			}
		}
		if (x >= nx)
			break;
		if (ex[2 * x + 1] > pos)
			pos = ex[2 * x + 1];
		x++;
	}
	free(ex);
	return KC_OK;
}

/* Count the key uses that break uniqueness.  A decoy adds a second
 * pair to a key of the real chain. */
static void check_keys(struct state *s, int tree)
{
	long most = 1 + (s->in->decoys > 0 ? s->in->decoys : 0);
	char kb[72], vb[72];

	for (size_t id = 0; id < s->nk; id++) {
		const struct vkey *k = &s->keys[id];
		if (k->nval > 1)
			PROBLEM(s, KC_VERIFY_KEY, "key %s is the value of %d pairs",
			        keystr(s, k->off, kb), k->nval);
		if (!tree && k->nkey > most)
			PROBLEM(s, KC_VERIFY_KEY, "key %s is the key of %d pairs",
			        keystr(s, k->off, kb), k->nkey);
		if (tree && k->nkey > 2)
			PROBLEM(s, KC_VERIFY_KEY, "key %s has %d children in the tree",
			        keystr(s, k->off, kb), k->nkey);
		if (tree && k->nkey == 2) {
			const struct vpair *a = &s->pairs[s->child[k->child0]];
			const struct vpair *b = &s->pairs[s->child[k->child0 + 1]];
			if (a->vend - a->vstart == b->vend - b->vstart &&
			    !memcmp(s->t + a->vstart, s->t + b->vstart,
			            a->vend - a->vstart))
				PROBLEM(s, KC_VERIFY_KEY, "pair {\"%s\": \"%s\"} occurs "
				        "twice", keystr(s, k->off, kb),
				        excerpt(vb, sizeof vb, s->t + a->vstart,
				                a->vend - a->vstart));
		}
	}
}

/* Group the pairs by key: keys[id].child0 .. + nchild in s->child. */
static kc_status index_children(struct state *s)
{
	size_t at = 0;

	s->child = malloc((s->np + 1) * sizeof *s->child);
	if (!s->child)
		return KC_ENOMEM;
	for (size_t id = 0; id < s->nk; id++) {
		s->keys[id].child0 = at;
		at += (size_t)s->keys[id].nkey;
	}
	for (size_t i = 0; i < s->np; i++)
		if (s->pairs[i].ok) {
			struct vkey *k = &s->keys[s->pairs[i].kid];
			s->child[k->child0 + k->nchild++] = i;
		}
	return KC_OK;
}

/* ---- the chain from the head ---- */

static int same(const unsigned char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && !memcmp(a, b, an);
}

/* Distractor d's question: a string (keychain's "distract_questions"),
 * or an object's "question" (the record's "distractors"); NULL if none. */
static const char *distractor(const struct state *s, size_t d, size_t *n)
{
	const json_t *v = json_array_get(s->in->distractors, d);

	if (json_is_object(v))
		v = json_object_get(v, "question");
	*n = json_string_length(v);
	return json_string_value(v);
}

/* The distractor questions in a hash set: index + 1 per slot. */
static kc_status distractor_set(struct state *s)
{
	size_t n = json_array_size(s->in->distractors), cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	if (!(s->dslots = calloc(cap, sizeof *s->dslots)))
		return KC_ENOMEM;
	s->ndslots = cap;
	for (size_t d = 0; d < n; d++) {
		size_t i, n;
		const char *q = distractor(s, d, &n);
		if (!q)
			continue;
		i = (size_t)hash((const unsigned char *)q, n) & (cap - 1);
		while (s->dslots[i])
			i = (i + 1) & (cap - 1);
		s->dslots[i] = d + 1;
	}
	return KC_OK;
}

static int is_distractor(const struct state *s, const unsigned char *q,
                         size_t n)
{
	size_t mask = s->ndslots - 1, i = (size_t)hash(q, n) & mask;

	for (; s->dslots[i]; i = (i + 1) & mask) {
		size_t dn;
		const char *d = distractor(s, s->dslots[i] - 1, &dn);
		if (same(q, n, d, dn))
			return 1;
	}
	return 0;
}

/* The path from the head to the question is the record's real chain. */
static void check_real(struct state *s, long found)
{
	const struct kc_verify_text *in = s->in;
	size_t depth = 0, nreal = json_array_size(in->real), i;
	long pi = found;
	int differs = 0;

	for (long p = pi; p >= 0; p = s->keys[s->pairs[p].kid].parent)
		depth++;
	if (depth != nreal)
		differs = 1;
	for (i = depth; !differs && pi >= 0;
	     pi = s->keys[s->pairs[pi].kid].parent) {
		const char *r = json_string_value(json_array_get(in->real, --i));
		if (!r || !same(s->t + s->pairs[pi].key, s->form.len, r,
		                strlen(r)))
			differs = 1;
	}
	if (differs)
		PROBLEM(s, KC_VERIFY_CHAIN, "the path from the head to the "
		        "question has %zu keys and is not the record's real "
		        "chain of %zu", depth, nreal);
}

/* The question is hidden once; every other question is a distractor. */
static kc_status check_questions(struct state *s)
{
	const struct kc_verify_text *in = s->in;
	size_t nqvalue = 0;
	char b1[160], kb[72];
	kc_status st;

	if (in->distractors && (st = distractor_set(s)))
		return st;
	for (size_t i = 0; i < s->np; i++) {
		const struct vpair *q = &s->pairs[i];
		size_t vl = q->vend - q->vstart;
		if (!q->ok || q->vid >= 0)
			continue;
		if (in->question && same(s->t + q->vstart, vl, in->question,
		                         in->question_len)) {
			nqvalue++;
			continue;
		}
		if (in->distractors && !is_distractor(s, s->t + q->vstart, vl))
			PROBLEM(s, KC_VERIFY_CHAIN, "pair {\"%s\": ...} ends in a "
			        "question that is neither the record's nor a "
			        "distractor: \"%s\"", keystr(s, q->key, kb),
			        excerpt(b1, sizeof b1, s->t + q->vstart, vl));
	}
	if (nqvalue > 1)
		PROBLEM(s, KC_VERIFY_CHAIN, "the question is the value of %zu "
		        "pairs", nqvalue);
	return KC_OK;
}

static kc_status check_chain(struct state *s, long head, int tree)
{
	const struct kc_verify_text *in = s->in;
	size_t *stack, top = 0, nquestions = 0;
	long found = -1, dead = -1;
	char b1[160], kb[72];

	stack = malloc((s->nk + 1) * sizeof *stack);
	if (!stack)
		return KC_ENOMEM;
	s->keys[head].seen = 1;
	stack[top++] = (size_t)head;
	while (top) {
		struct vkey *k = &s->keys[stack[--top]];
		if (!k->nchild && k != &s->keys[head])
			dead = (long)(k - s->keys);
		for (size_t c = 0; c < k->nchild; c++) {
			size_t pi = s->child[k->child0 + c];
			const struct vpair *q = &s->pairs[pi];
			if (q->vid < 0) {
				if (!nquestions++)
					found = (long)pi;
				continue;
			}
			if (s->keys[q->vid].seen) {
				PROBLEM(s, KC_VERIFY_CHAIN, "the chain from the head loops "
				        "back to %s", keystr(s, s->keys[q->vid].off, kb));
				continue;
			}
			s->keys[q->vid].seen = 1;
			s->keys[q->vid].parent = (long)pi;
			stack[top++] = (size_t)q->vid;
		}
	}
	free(stack);

	if (!s->keys[head].nchild) {
		PROBLEM(s, KC_VERIFY_CHAIN, "the head %s is not the key of any "
		        "pair", keystr(s, s->keys[head].off, kb));
		return KC_OK;
	}
	if (nquestions == 0) {
		if (dead >= 0)
			PROBLEM(s, KC_VERIFY_CHAIN, "the chain from the head reaches "
			        "no question: it ends at %s, which leads nowhere",
			        keystr(s, s->keys[dead].off, kb));
		else
			PROBLEM(s, KC_VERIFY_CHAIN, "the chain from the head reaches "
			        "no question");
		return KC_OK;
	}
	if (nquestions > 1) {
		PROBLEM(s, KC_VERIFY_CHAIN, "the chain from the head reaches %zu "
		        "questions", nquestions);
		return KC_OK;
	}
	{
		const struct vpair *q = &s->pairs[found];
		if (in->question && !same(s->t + q->vstart, q->vend - q->vstart,
		                          in->question, in->question_len)) {
			PROBLEM(s, KC_VERIFY_CHAIN, "the chain from the head reaches "
			        "another question: \"%s\"",
			        excerpt(b1, sizeof b1, s->t + q->vstart,
			                q->vend - q->vstart));
			return KC_OK;
		}
		if (!tree && s->in->decoys <= 0 && dead >= 0)
			PROBLEM(s, KC_VERIFY_CHAIN, "the chain from the head also "
			        "reaches %s, which leads nowhere",
			        keystr(s, s->keys[dead].off, kb));
	}
	if (in->real && json_is_array(in->real))
		check_real(s, found);
	return check_questions(s);
}

/* ---- own passages ---- */

uint64_t kc_verify_fnv1a64(const char *title, size_t title_len,
                           const char *text, size_t text_len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < title_len; i++) {
		h ^= (unsigned char)title[i];
		h *= 0x100000001b3ULL;
	}
	h ^= '\n';
	h *= 0x100000001b3ULL;
	for (size_t i = 0; i < text_len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* t[from, to) with the pairs in it taken out (with the space before a
 * pair that follows a sentence end), into s->buf. */
static kc_status strip(struct state *s, size_t from, size_t to)
{
	size_t lo = 0, hi = s->np, pos = from;

	s->buf.len = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->pairs[mid].start < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < s->np && s->pairs[i].start < to; i++) {
		const struct vpair *q = &s->pairs[i];
		size_t a = q->start - (q->lead && q->start > from), b;
		if (!q->ok)
			continue;
		b = q->end < to ? q->end : to;
		if (a > pos && kc_buf_append(&s->buf, s->t + pos, a - pos))
			return KC_ENOMEM;
		pos = b;
	}
	if (to > pos && kc_buf_append(&s->buf, s->t + pos, to - pos))
		return KC_ENOMEM;
	return kc_buf_append(&s->buf, "", 0);
}

static const struct vblock *block_numbered(const struct state *s, size_t n)
{
	if (n >= 1 && n <= s->nb && s->blocks[n - 1].number == n)
		return &s->blocks[n - 1];
	for (size_t i = 0; i < s->nb; i++)
		if (s->blocks[i].number == n)
			return &s->blocks[i];
	return NULL;
}

static int parse_hex64(const char *h, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; h[i]; i++) {
		int d = h[i] >= '0' && h[i] <= '9' ? h[i] - '0'
		      : h[i] >= 'a' && h[i] <= 'f' ? h[i] - 'a' + 10
		      : h[i] >= 'A' && h[i] <= 'F' ? h[i] - 'A' + 10 : -1;
		if (d < 0 || i >= 16)
			return 0;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return i > 0;
}

/* Where two byte strings first differ. */
static size_t diff_at(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0;

	while (i < an && i < bn && a[i] == b[i])
		i++;
	return i;
}

/*
 * An own passage whose record has its docs: the passage in the prompt
 * (s->buf, stripped of pairs) must be docs[d] byte for byte, and
 * render.own's hash that doc's.  0 after a problem.
 */
static int own_is_doc(struct state *s, const json_t *doc, long d, long p,
                      const char *title, size_t title_len, uint64_t claim,
                      const char *fnv)
{
	char b1[96], b2[96];
	const char *dt = json_string_value(json_object_get(doc, "title"));
	const char *dx = json_string_value(json_object_get(doc, "text"));
	size_t dtl, dxl, at;

	if (!dt || !dx) {
		PROBLEM(s, KC_VERIFY_RECORD, "docs[%ld] needs string "
		        "\"title\" and \"text\"", d);
		return 0;
	}
	dtl = json_string_length(json_object_get(doc, "title"));
	dxl = json_string_length(json_object_get(doc, "text"));
	at = diff_at(s->buf.data, s->buf.len, dt, dtl);
	if (at == dtl && at < s->buf.len && s->buf.data[at] == '\n')
		at = dtl + 1 + diff_at(s->buf.data + dtl + 1,
		                       s->buf.len - dtl - 1, dx, dxl);
	if (at != dtl + 1 + dxl || s->buf.len != at) {
		PROBLEM(s, KC_VERIFY_OWN, "passage %ld is not docs[%ld] "
		        "(\"%s\"): they differ at byte %zu of the %s: "
		        "\"%s\"", p, d,
		        excerpt(b2, sizeof b2, (const unsigned char *)title,
		                title_len), at > dtl ? at - dtl - 1 : at,
		        at > dtl ? "text" : "title",
		        excerpt(b1, sizeof b1,
		                (const unsigned char *)s->buf.data + at,
		                s->buf.len - at));
		return 0;
	}
	if (kc_verify_fnv1a64(dt, dtl, dx, dxl) != claim) {
		PROBLEM(s, KC_VERIFY_OWN, "render.own's fnv1a64 %s for "
		        "docs[%ld] is not the hash of that doc", fnv, d);
		return 0;
	}
	return 1;
}

/* One element of render.own: its doc, its passage, its hash. */
static kc_status own_entry(struct state *s, size_t i, const json_t *e,
                           unsigned char *listed, unsigned char *used)
{
	const struct kc_verify_text *in = s->in;
	size_t ndocs = in->docs ? json_array_size(in->docs) : 0;
	json_t *jd = json_object_get(e, "doc"), *jp = json_object_get(e, "passage");
	const char *title = json_string_value(json_object_get(e, "title"));
	const char *fnv = json_string_value(json_object_get(e, "fnv1a64"));
	const struct vblock *b;
	const json_t *doc = NULL;
	uint64_t claim, got;
	long d, p;
	size_t title_len;
	char b1[96], b2[96];
	kc_status st;

	if (!json_is_integer(jd) || !json_is_integer(jp) || !title || !fnv ||
	    !parse_hex64(fnv, &claim)) {
		PROBLEM(s, KC_VERIFY_RECORD, "render.own[%zu] needs integer "
		        "\"doc\" and \"passage\", string \"title\" and a hex "
		        "\"fnv1a64\"", i);
		return KC_OK;
	}
	d = (long)json_integer_value(jd);
	p = (long)json_integer_value(jp);
	title_len = strlen(title);
	if (in->docs) {
		if (d < 0 || (size_t)d >= ndocs) {
			PROBLEM(s, KC_VERIFY_OWN, "render.own[%zu] names docs[%ld], "
			        "the record has %zu docs", i, d, ndocs);
			return KC_OK;
		}
		if (listed[d]++) {
			PROBLEM(s, KC_VERIFY_OWN, "render.own lists docs[%ld] "
			        "twice", d);
			return KC_OK;
		}
		doc = json_array_get(in->docs, (size_t)d);
	}
	if (p < 1 || !(b = block_numbered(s, (size_t)p))) {
		PROBLEM(s, KC_VERIFY_OWN, "own passage \"%s\" (docs[%ld]) is "
		        "missing: the prompt has no passage %ld",
		        excerpt(b1, sizeof b1, (const unsigned char *)title, title_len),
		        d, p);
		return KC_OK;
	}
	if (used[b - s->blocks]++) {
		PROBLEM(s, KC_VERIFY_OWN, "render.own names passage %ld "
		        "twice", p);
		return KC_OK;
	}
	if ((st = strip(s, b->title, b->end)))
		return st;
	{
		const char *nl = memchr(s->buf.data, '\n', s->buf.len);
		size_t have = nl ? (size_t)(nl - s->buf.data) : s->buf.len;
		if (have != title_len || memcmp(s->buf.data, title, title_len)) {
			PROBLEM(s, KC_VERIFY_OWN, "own passage \"%s\" (docs[%ld]) "
			        "is missing: passage %ld is \"%s\"",
			        excerpt(b1, sizeof b1, (const unsigned char *)title,
			                title_len), d, p,
			        excerpt(b2, sizeof b2,
			                (const unsigned char *)s->buf.data, have));
			return KC_OK;
		}
	}
	got = hash((const unsigned char *)s->buf.data, s->buf.len);
	if (doc && !own_is_doc(s, doc, d, p, title, title_len, claim, fnv))
		return KC_OK;
	if (got != claim)
		PROBLEM(s, KC_VERIFY_OWN, "own passage %ld (\"%s\") was "
		        "altered: its FNV-1a is %016llx, render.own says %s", p,
		        excerpt(b1, sizeof b1, (const unsigned char *)title, title_len),
		        (unsigned long long)got, fnv);
	return KC_OK;
}

/* Every doc kc-fill placed (or, unfilled, every doc) is listed. */
static void own_all_listed(struct state *s, unsigned char *listed,
                           size_t ndocs)
{
	const struct kc_verify_text *in = s->in;
	char b1[96];
	size_t i;
	json_t *v;

	if (in->placed) {
		json_array_foreach(in->placed, i, v) {
			json_t *jd = json_object_get(v, "doc");
			long d;
			if (!json_is_integer(jd))
				continue;
			d = (long)json_integer_value(jd);
			if (d >= 0 && (size_t)d < ndocs && listed[d] == 1) {
				listed[d] = 2;
			} else if (d >= 0 && (size_t)d < ndocs && !listed[d]) {
				const char *t = json_string_value(json_object_get(
				        json_array_get(in->docs, (size_t)d), "title"));
				PROBLEM(s, KC_VERIFY_OWN, "own passage docs[%ld] "
				        "(\"%s\") is not in the prompt", d,
				        t ? excerpt(b1, sizeof b1,
				                    (const unsigned char *)t, strlen(t))
				          : "");
			}
		}
		for (size_t d = 0; d < ndocs; d++)
			if (listed[d] == 1)
				PROBLEM(s, KC_VERIFY_OWN, "render.own lists docs[%zu], "
				        "which kc-fill did not place", d);
	} else {
		for (size_t d = 0; d < ndocs; d++)
			if (!listed[d])
				PROBLEM(s, KC_VERIFY_OWN, "own passage docs[%zu] is "
				        "not in the prompt", d);
	}
}

static kc_status check_own(struct state *s)
{
	const struct kc_verify_text *in = s->in;
	size_t ndocs = in->docs ? json_array_size(in->docs) : 0, i;
	unsigned char *listed = calloc(ndocs + 1, 1);
	unsigned char *used = calloc(s->nb + 1, 1);
	json_t *e;
	kc_status st = KC_OK;

	if (!listed || !used) {
		free(listed);
		free(used);
		return KC_ENOMEM;
	}
	json_array_foreach(in->own, i, e)
		if ((st = own_entry(s, i, e, listed, used)))
			break;
	if (!st && in->docs)
		own_all_listed(s, listed, ndocs);
	free(listed);
	free(used);
	return st;
}

/* The title and text of element p of the record's "passages". */
static int placed_passage(const struct state *s, const json_t *p,
                          const char **t, size_t *title_len, const char **x,
                          size_t *text_len, int *own)
{
	const json_t *d = json_object_get(p, "doc"), *jt, *jx;

	*own = d != NULL;
	if (d)
		p = json_is_integer(d) ? json_array_get(s->in->docs,
		                         (size_t)json_integer_value(d)) : NULL;
	jt = json_object_get(p, "title");
	jx = json_object_get(p, "text");
	if (!json_is_string(jt) || !json_is_string(jx))
		return 0;
	*t = json_string_value(jt);
	*title_len = json_string_length(jt);
	*x = json_string_value(jx);
	*text_len = json_string_length(jx);
	return 1;
}

/*
 * Every passage of the prompt is the record's next kept passage, intact:
 * kc-render only drops fillers, so the prompt's passages are the
 * record's "passages" in order, some fillers left out.
 */
static kc_status check_placed(struct state *s)
{
	size_t np = json_array_size(s->in->placed), cur = 0;
	char b1[96];
	kc_status st;

	for (size_t i = 0; i < s->nb; i++) {
		const struct vblock *b = &s->blocks[i];
		size_t j;

		if ((st = strip(s, b->title, b->end)))
			return st;
		for (j = cur; j < np; j++) {
			const char *t, *x;
			size_t title_len, text_len;
			int own;
			if (!placed_passage(s, json_array_get(s->in->placed, j), &t,
			                    &title_len, &x, &text_len, &own))
				continue;
			if (s->buf.len == title_len + 1 + text_len &&
			    !memcmp(s->buf.data, t, title_len) &&
			    s->buf.data[title_len] == '\n' &&
			    !memcmp(s->buf.data + title_len + 1, x, text_len))
				break;
		}
		if (j == np) {
			const char *nl = memchr(s->buf.data, '\n', s->buf.len);
			PROBLEM(s, KC_VERIFY_CONTEXT, "passage %zu (\"%s\") is not "
			        "the record's passage that follows the one before it",
			        b->number, excerpt(b1, sizeof b1,
			        (const unsigned char *)s->buf.data,
			        nl ? (size_t)(nl - s->buf.data) : s->buf.len));
			return KC_OK;
		}
		cur = j + 1;
	}
	return KC_OK;
}

/* ---- the whole text ---- */

static kc_status run(struct state *s)
{
	const struct kc_verify_text *in = s->in;
	long head = -1;
	int tree = in->tree;
	kc_status st;
	char hb[72];

	if (in->numbered && (st = find_blocks(s)))
		return st;
	if (in->numbered && in->npassages >= 0 &&
	    (size_t)in->npassages != s->nb)
		PROBLEM(s, KC_VERIFY_NUMBERING, "render.passages says %ld, the "
		        "prompt has %zu passages", in->npassages, s->nb);
	s->res->passages = s->nb;

	if (in->head) {
		const unsigned char *h = (const unsigned char *)in->head;
		if (in->uuid && !form_parse(in->uuid, &s->form)) {
			PROBLEM(s, KC_VERIFY_CHAIN, "unknown key form \"%s\" "
			        "(default, default_N or nano_N)", in->uuid);
			goto own;
		}
		if (!in->uuid && !form_learn(h, in->head_len, &s->form)) {
			PROBLEM(s, KC_VERIFY_CHAIN, "the head \"%s\" is not a key",
			        excerpt(hb, sizeof hb, h, in->head_len));
			goto own;
		}
		form_name(&s->form, s->form_name, sizeof s->form_name);
		for (int c = 0; c < 256; c++)
			s->cls[c] = (unsigned char)form_char(&s->form, (unsigned char)c);
		if (!is_key(&s->form, h, in->head_len)) {
			PROBLEM(s, KC_VERIFY_CHAIN, "the head \"%s\" is not a %s key",
			        excerpt(hb, sizeof hb, h, in->head_len), s->form_name);
			goto own;
		}
		if ((st = find_pairs(s)))
			return st;
		for (size_t i = 0; i < s->np; i++)
			s->res->pairs += s->pairs[i].ok != 0;
		if (in->npairs >= 0 && (size_t)in->npairs != s->res->pairs)
			PROBLEM(s, KC_VERIFY_PAIR, "the prompt has %zu pairs, the "
			        "record's chain %ld", s->res->pairs, in->npairs);
		for (size_t i = 0; i < s->np; i++)
			if (s->pairs[i].ok)
				check_place(s, &s->pairs[i]);
		if ((st = index_children(s)))
			return st;
		head = key_find(s, h);
		if (tree < 0)
			tree = head >= 0 && s->keys[head].nkey == 2;
		check_keys(s, tree);
		if ((st = keys_elsewhere(s)))
			return st;
		if (head < 0)
			PROBLEM(s, KC_VERIFY_CHAIN, "the head %s is not the key of "
			        "any pair", excerpt(hb, sizeof hb, h, in->head_len));
		else if ((st = check_chain(s, head, tree)))
			return st;
	}
own:
	if (in->own && json_is_array(in->own) && (st = check_own(s)))
		return st;
	if (in->numbered && in->placed && json_is_array(in->placed) &&
	    in->docs && (st = check_placed(s)))
		return st;
	if (in->bare) {
		size_t at;
		char b1[96];
		if ((st = strip(s, in->ctx_start, in->ctx_end)))
			return st;
		at = diff_at(s->buf.data, s->buf.len, in->bare, in->bare_len);
		if (at != s->buf.len || at != in->bare_len)
			PROBLEM(s, KC_VERIFY_CONTEXT, "the context without its pairs "
			        "differs from the bare context at byte %zu: \"%s\"", at,
			        excerpt(b1, sizeof b1,
			                (const unsigned char *)s->buf.data + at,
			                s->buf.len - at));
	}
	return KC_OK;
}

kc_status kc_verify_text(const struct kc_verify_text *in,
                         struct kc_verify_result *res, struct kc_error *err)
{
	struct state s;
	kc_status st;

	memset(&s, 0, sizeof s);
	s.in = in;
	s.t = (const unsigned char *)in->text;
	s.len = in->len;
	s.res = res;
	s.err = err;
	kc_buf_init(&s.buf, 0);
	st = run(&s);
	kc_buf_release(&s.buf);
	free(s.pairs);
	free(s.blocks);
	free(s.keys);
	free(s.slots);
	free(s.child);
	free(s.dslots);
	if (st)
		return kc_error_set(err, st, "out of memory");
	return KC_OK;
}
