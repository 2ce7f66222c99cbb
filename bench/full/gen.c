/*
 * gen-full - full-size HotpotQA, MuSiQue and 2WikiMultihopQA train files
 * for `make bench-full`, in each dataset's published format, of text that
 * reads like the datasets' (bench/full/model derives the model from the
 * real samples and says how).
 *
 *   gen-full [-s SEED] [-n RECORDS] [-p PASSAGES] MODEL DATASET >FILE
 *
 *   hotpotqa  hotpot_train_v1.1.json: one JSON array, compact, ASCII
 *             (\u escapes), keys in the train file's order; 90,447
 *             questions over 483,696 unique passages (title and text).
 *   2wikimqa  train.json (data_ids_april7): one JSON array, Python's
 *             json.dump spacing, ASCII; 167,454 questions over 369,000
 *             unique passages.
 *   musique   musique_full_v1.0_train.jsonl: JSON lines, UTF-8; 19,938
 *             answerable items, each followed by its unanswerable twin
 *             (same id and question, one supporting paragraph replaced
 *             by a new one): 39,876 items, 797,520 paragraphs.
 *
 * HotpotQA and 2Wiki reuse passages across questions, as the real files
 * do (a distractor serves many questions): slot by slot, a new passage is
 * written with the probability that leaves exactly PASSAGES of them at
 * the end (selection sampling), otherwise one already written is drawn.
 * Titles are unique, so passages are.  The output depends only on the
 * model, the dataset, the counts and the seed.
 *
 * Not part of kc: a benchmark's data generator (no libkc, no cap on the
 * arena beyond the machine's memory; it exits on the first error).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Noreturn static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gen-full: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- random numbers: xoshiro256**, seeded by splitmix64 ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed * 0x100000001b3ULL ^ stream;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n), n > 0 (the bias of a 64-bit modulo is negligible). */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* ---- the model ---- */

struct chain {
	uint32_t nstates;
	char **word;            /* state's word; word[0] = "" (start) */
	uint32_t *wlen;         /* its length */
	uint32_t *total;        /* sum of successor counts */
	uint32_t *nonend;       /* the part of total that is not "end" */
	uint32_t *first, *n;    /* successors: succ[first .. first+n) */
	int32_t *succ;          /* next state, -1 = end of sentence */
	uint32_t *cum;          /* cumulative counts, parallel to succ */
	/* the successors that can end a sentence, for a walk's last word */
	uint32_t *ffirst, *fn;
	int32_t *fsucc;
	uint32_t *fcum;
};

struct hist {
	uint32_t n;
	int64_t *value;
	uint64_t *cum;
};

struct named_hist {
	char name[64];
	struct hist h;
};

static struct chain ch_text, ch_title, ch_question, ch_answer;
static struct named_hist hists[64];
static int nhists;
static char **relations;
static uint32_t nrelations;

static char *next_line(char **p)
{
	char *s = *p, *e;

	if (!*s)
		return NULL;
	e = strchr(s, '\n');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

/* For each state, its successors that can end, with their counts. */
static void chain_finals(struct chain *c, size_t used)
{
	size_t k = 0;

	c->ffirst = xrealloc(NULL, c->nstates * sizeof *c->ffirst);
	c->fn = xrealloc(NULL, c->nstates * sizeof *c->fn);
	c->fsucc = xrealloc(NULL, used * sizeof *c->fsucc);
	c->fcum = xrealloc(NULL, used * sizeof *c->fcum);
	for (uint32_t i = 0; i < c->nstates; i++) {
		uint32_t sum = 0, prev = 0;

		c->ffirst[i] = (uint32_t)k;
		c->fn[i] = 0;
		for (uint32_t j = c->first[i]; j < c->first[i] + c->n[i]; j++) {
			int32_t nx = c->succ[j];
			uint32_t count = c->cum[j] - prev;

			prev = c->cum[j];
			if (nx < 0 || c->nonend[nx] == c->total[nx])
				continue;
			sum += count;
			c->fsucc[k] = nx;
			c->fcum[k++] = sum;
			c->fn[i]++;
		}
	}
}

static void load_chain(struct chain *c, uint32_t nstates, char **p)
{
	size_t cap = 1024, used = 0;

	c->nstates = nstates;
	c->word = xrealloc(NULL, nstates * sizeof *c->word);
	c->wlen = xrealloc(NULL, nstates * sizeof *c->wlen);
	c->total = xrealloc(NULL, nstates * sizeof *c->total);
	c->nonend = xrealloc(NULL, nstates * sizeof *c->nonend);
	c->first = xrealloc(NULL, nstates * sizeof *c->first);
	c->n = xrealloc(NULL, nstates * sizeof *c->n);
	c->succ = xrealloc(NULL, cap * sizeof *c->succ);
	c->cum = xrealloc(NULL, cap * sizeof *c->cum);
	for (uint32_t i = 0; i < nstates; i++) {
		char *line = next_line(p), *tab, *q;

		if (!line || !(tab = strchr(line, '\t')))
			die("model: chain state %u: bad line", i);
		*tab = '\0';
		c->word[i] = line;
		c->wlen[i] = (uint32_t)(tab - line);
		c->total[i] = (uint32_t)strtoul(tab + 1, &q, 10);
		c->first[i] = (uint32_t)used;
		c->n[i] = 0;
		c->nonend[i] = c->total[i];
		while (*q == '\t' || *q == ' ') {
			long nx = strtol(q + 1, &q, 10);
			unsigned long cu = strtoul(q + 1, &q, 10);

			if (used == cap) {
				cap *= 2;
				c->succ = xrealloc(c->succ, cap * sizeof *c->succ);
				c->cum = xrealloc(c->cum, cap * sizeof *c->cum);
			}
			c->succ[used] = (int32_t)nx;
			c->cum[used] = (uint32_t)cu;
			if (nx < 0)   /* "end" is listed last */
				c->nonend[i] = c->n[i] ? c->cum[used - 1] : 0;
			used++;
			c->n[i]++;
		}
		if (!c->n[i] || c->cum[used - 1] != c->total[i])
			die("model: chain state %u: counts do not add up", i);
	}
	chain_finals(c, used);
}

static void load_hist(struct hist *h, char *rest)
{
	char *q = rest;
	uint64_t sum = 0;

	h->n = (uint32_t)strtoul(q, &q, 10);
	h->value = xrealloc(NULL, h->n * sizeof *h->value);
	h->cum = xrealloc(NULL, h->n * sizeof *h->cum);
	for (uint32_t i = 0; i < h->n; i++) {
		h->value[i] = strtoll(q, &q, 10);
		sum += strtoull(q, &q, 10);
		h->cum[i] = sum;
	}
	if (!h->n || !sum)
		die("model: empty histogram");
}

static void load_model(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf, *p, *line;
	long size;

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		die("%s: cannot size", path);
	buf = xrealloc(NULL, (size_t)size + 1);
	if (fread(buf, 1, (size_t)size, f) != (size_t)size)
		die("%s: read error", path);
	buf[size] = '\0';
	fclose(f);
	p = buf;
	line = next_line(&p);
	if (!line || strcmp(line, "kc-bench-model 1"))
		die("%s: not a bench model (bench/full/model)", path);
	while ((line = next_line(&p))) {
		char name[64];
		unsigned n;
		int off;

		if (sscanf(line, "chain %63s %u", name, &n) == 2) {
			struct chain *c = !strcmp(name, "text") ? &ch_text :
				!strcmp(name, "title") ? &ch_title :
				!strcmp(name, "question") ? &ch_question :
				!strcmp(name, "answer") ? &ch_answer : NULL;
			if (!c)
				die("model: unknown chain %s", name);
			load_chain(c, n, &p);
		} else if (sscanf(line, "hist %63s %n", name, &off) == 1) {
			if (nhists == 64)
				die("model: too many histograms");
			strcpy(hists[nhists].name, name);
			load_hist(&hists[nhists++].h, line + off);
		} else if (sscanf(line, "words %63s %u", name, &n) == 2) {
			relations = xrealloc(NULL, n * sizeof *relations);
			nrelations = n;
			for (unsigned i = 0; i < n; i++)
				if (!(relations[i] = next_line(&p)))
					die("model: short word list");
		} else if (*line) {
			die("model: bad line: %.40s", line);
		}
	}
	if (!ch_text.nstates || !ch_title.nstates || !ch_question.nstates ||
	    !ch_answer.nstates || !nrelations)
		die("%s: a chain or the relations are missing", path);
}

static const struct hist *hist_get(const char *ds, const char *what)
{
	static const char *last_ds, *last_what;
	static const struct hist *last;
	char name[64];

	/* the callers pass the same strings again and again */
	if (ds == last_ds && what == last_what)
		return last;
	snprintf(name, sizeof name, "%s.%s", ds, what);
	for (int i = 0; i < nhists; i++)
		if (!strcmp(hists[i].name, name)) {
			last_ds = ds, last_what = what;
			return last = &hists[i].h;
		}
	die("model: no histogram %s", name);
	return NULL;
}

static int64_t hist_draw(const struct hist *h, struct rng *r)
{
	uint64_t x = rng_below(r, h->cum[h->n - 1]);
	uint32_t lo = 0, hi = h->n - 1;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (h->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return h->value[lo];
}

/* ---- text ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* A successor of state s drawn by count; "end" excluded when !may_end. */
static int32_t chain_step(const struct chain *c, uint32_t s, int may_end,
			  struct rng *r)
{
	uint32_t lim = may_end ? c->total[s] : c->nonend[s];
	uint32_t lo = c->first[s], hi = c->first[s] + c->n[s] - 1, x;

	if (!lim)
		return -2;      /* nothing but "end" */
	x = (uint32_t)rng_below(r, lim);
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (c->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return c->succ[lo];
}

/* A successor of s that can end a sentence, drawn by count; -2: none. */
static int32_t chain_final(const struct chain *c, uint32_t s, struct rng *r)
{
	uint32_t lo = c->ffirst[s], hi, x;

	if (!c->fn[s])
		return -2;
	hi = lo + c->fn[s] - 1;
	x = (uint32_t)rng_below(r, c->fcum[hi]);
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (c->fcum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return c->fsucc[lo];
}

/*
 * Walk chain c for `words` words into b: the last one is a word that
 * ended a real sentence when the chain allows, else the walk goes on to
 * the first such word, 8 words later at most.  A dead end before that
 * goes on from the start state (a new clause).
 */
static void chain_walk(const struct chain *c, int64_t words, struct buf *b,
		       struct rng *r)
{
	uint32_t s = 0;
	int64_t i;

	if (words < 1)
		words = 1;
	for (i = 0; i < words + 8; i++) {
		int32_t nx;

		if (i >= words && c->nonend[s] < c->total[s])
			break;          /* a real sentence ended here */
		nx = i >= words - 1 ? chain_final(c, s, r) : -2;
		if (nx == -2)
			nx = chain_step(c, s, i >= words, r);

		if (nx == -1)
			break;
		if (nx == -2)
			nx = chain_step(c, 0, 0, r);
		if (i)
			buf_put(b, " ", 1);
		buf_put(b, c->word[nx], c->wlen[nx]);
		s = (uint32_t)nx;
	}
}

/* A sentence of the text chain, ending in . ! ? or a closing quote. */
static void sentence(const char *ds, struct buf *b, struct rng *r)
{
	size_t start = b->len;
	char last;

	chain_walk(&ch_text, hist_draw(hist_get(ds, "sentence_words"), r), b, r);
	last = b->p[b->len - 1];
	if (b->len > start && !strchr(".!?\"')", last))
		buf_put(b, ".", 1);
}

static void question(const char *ds, struct buf *b, struct rng *r)
{
	chain_walk(&ch_question, hist_draw(hist_get(ds, "question_words"), r),
		   b, r);
	while (b->len && strchr(".,;:!", b->p[b->len - 1]))
		b->p[--b->len] = '\0';
	if (b->p[b->len - 1] != '?')
		buf_put(b, "?", 1);
}

static void answer(const char *ds, struct buf *b, struct rng *r)
{
	chain_walk(&ch_answer, hist_draw(hist_get(ds, "answer_words"), r), b, r);
}

/* ---- titles: unique over the file ---- */

static uint64_t *title_set;
static size_t title_cap, title_used;

static uint64_t hash64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* Add h; 0 if it was there already. */
static int title_add(uint64_t h)
{
	size_t i;

	if (2 * (title_used + 1) > title_cap) {
		uint64_t *old = title_set;
		size_t oldcap = title_cap;

		title_cap = title_cap ? 2 * title_cap : 1 << 20;
		title_set = calloc(title_cap, sizeof *title_set);
		if (!title_set)
			die("out of memory");
		title_used = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i])
				title_add(old[i]);
		free(old);
	}
	for (i = h & (title_cap - 1); title_set[i]; i = (i + 1) & (title_cap - 1))
		if (title_set[i] == h)
			return 0;
	title_set[i] = h;
	title_used++;
	return 1;
}

static void title(const char *ds, struct buf *b, struct rng *r)
{
	size_t start = b->len;
	unsigned tries = 0;

	for (;;) {
		b->len = start;
		chain_walk(&ch_title, hist_draw(hist_get(ds, "title_words"), r),
			   b, r);
		if (++tries > 8) {      /* a disambiguation, as Wikipedia's */
			buf_put(b, " (", 2);
			chain_walk(&ch_answer, 1 + (int64_t)(tries / 16), b, r);
			buf_put(b, ")", 1);
		}
		if (title_add(hash64(b->p + start, b->len - start)))
			return;
	}
}

/* ---- passages: title NUL sentence NUL ... , kept for reuse ---- */

struct passage {
	uint64_t off;
	uint32_t nsent;
};

static struct buf arena;
static struct passage *pass;
static size_t npass, pass_cap;

static uint32_t new_passage(const char *ds, struct rng *r)
{
	struct passage p;
	int64_t ns = hist_draw(hist_get(ds, "sentences"), r);

	if (npass == pass_cap) {
		pass_cap = pass_cap ? 2 * pass_cap : 1 << 16;
		pass = xrealloc(pass, pass_cap * sizeof *pass);
	}
	p.off = arena.len;
	p.nsent = (uint32_t)(ns < 1 ? 1 : ns);
	title(ds, &arena, r);
	arena.len++;                    /* keep the NUL */
	for (uint32_t i = 0; i < p.nsent; i++) {
		sentence(ds, &arena, r);
		arena.len++;
	}
	buf_put(&arena, "", 0);
	pass[npass] = p;
	return (uint32_t)npass++;
}

static const char *passage_title(uint32_t i)
{
	return arena.p + pass[i].off;
}

static const char *passage_sentence(uint32_t i, uint32_t k)
{
	const char *s = passage_title(i);

	for (uint32_t j = 0; j <= k; j++)
		s += strlen(s) + 1;
	return s;
}

/* ---- JSON out ---- */

static struct buf out;
static int ascii;               /* \u-escape non-ASCII, as ensure_ascii */

static void flush_out(int force)
{
	if (out.len < (1u << 20) && !force)
		return;
	if (fwrite(out.p, 1, out.len, stdout) != out.len)
		die("write error: %s", strerror(errno));
	out.len = 0;
}

static void put(const char *s)
{
	buf_puts(&out, s);
}

static void putf(const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_put(&out, tmp, (size_t)n);
}

static void put_u16(unsigned u)
{
	putf("\\u%04x", u);
}

/* A JSON string, escaped as Python's json.dumps escapes it. */
static void put_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	buf_put(&out, "\"", 1);
	while (*p) {
		unsigned c = *p;
		size_t run = 0;

		/* a run that needs no escape goes in one copy */
		while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\' &&
		       (p[run] < 0x80 || !ascii))
			run++;
		if (run) {
			buf_put(&out, (const char *)p, run);
			p += run;
			continue;
		}
		if (c == '"' || c == '\\') {
			buf_put(&out, "\\", 1);
			buf_put(&out, (const char *)p++, 1);
		} else if (c == '\n') {
			put("\\n"), p++;
		} else if (c == '\t') {
			put("\\t"), p++;
		} else if (c == '\r') {
			put("\\r"), p++;
		} else if (c < 0x20) {
			put_u16(c), p++;
		} else {
			unsigned cp, n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;

			cp = c & (0x3f >> n);
			for (unsigned i = 1; i <= n && p[i]; i++)
				cp = (cp << 6) | (p[i] & 0x3f);
			p += n + 1;
			if (cp >= 0x10000) {
				cp -= 0x10000;
				put_u16(0xd800 | (cp >> 10));
				put_u16(0xdc00 | (cp & 0x3ff));
			} else {
				put_u16(cp);
			}
		}
	}
	buf_put(&out, "\"", 1);
}

/* ---- records ---- */

struct gen {
	const char *ds;
	struct rng r;           /* text and choices */
	struct rng plan;        /* passages per record */
	uint64_t records, passages, slots_left, new_left;
	const char *sep, *colon;
	struct buf tmp;
};

/* The passages of one record: new ones or ones already written. */
static void pick_passages(struct gen *g, uint32_t *ids, int n)
{
	for (int k = 0; k < n; k++) {
		int fresh = g->new_left &&
			(rng_below(&g->r, g->slots_left) < g->new_left ||
			 npass < 4 * (size_t)n);
		uint32_t id = 0;

		if (!fresh) {
			for (int tries = 0, dup = 1; dup && tries < 64; tries++) {
				id = (uint32_t)rng_below(&g->r, npass);
				dup = 0;
				for (int j = 0; j < k; j++)
					dup |= ids[j] == id;
			}
			for (int j = 0; j < k; j++)
				fresh |= ids[j] == id;  /* never a duplicate */
		}
		if (fresh) {
			if (!g->new_left)
				die("%s: too few passages for the slots", g->ds);
			id = new_passage(g->ds, &g->r);
			g->new_left--;
		}
		ids[k] = id;
		g->slots_left--;
	}
}

static void put_context(struct gen *g, const uint32_t *ids, int n, int lead)
{
	put("[");
	for (int k = 0; k < n; k++) {
		if (k)
			put(g->sep);
		put("[");
		put_str(passage_title(ids[k]));
		put(g->sep);
		put("[");
		for (uint32_t j = 0; j < pass[ids[k]].nsent; j++) {
			const char *s = passage_sentence(ids[k], j);

			if (j)
				put(g->sep);
			if (lead && j) {
				g->tmp.len = 0;
				buf_put(&g->tmp, " ", 1);
				buf_puts(&g->tmp, s);
				s = g->tmp.p;
			}
			put_str(s);
		}
		put("]]");
	}
	put("]");
}

static void put_key(struct gen *g, const char *k)
{
	put_str(k);
	put(g->colon);
}

static char *text_of(void (*f)(const char *, struct buf *, struct rng *),
		     struct gen *g)
{
	struct buf b = { 0 };

	f(g->ds, &b, &g->r);
	return b.p;
}

static void yes_no_or_answer(struct gen *g, int yesno_type, struct buf *a)
{
	if (yesno_type && hist_draw(hist_get(g->ds, "yesno"), &g->r))
		buf_puts(a, rng_below(&g->r, 2) ? "yes" : "no");
	else
		answer(g->ds, a, &g->r);
}

/* Two or more distinct gold positions among n, and facts on them. */
static void put_facts(struct gen *g, const uint32_t *ids, const int *gold,
		      int ngold, int nfacts)
{
	put("[");
	for (int f = 0; f < nfacts; f++) {
		int k = gold[f < ngold ? f : (int)rng_below(&g->r, ngold)];

		if (f)
			put(g->sep);
		put("[");
		put_str(passage_title(ids[k]));
		putf("%s%u]", g->sep,
		     (unsigned)rng_below(&g->r, pass[ids[k]].nsent));
	}
	put("]");
}

static void choose_gold(struct gen *g, int *gold, int ngold, int n)
{
	for (int i = 0; i < ngold; i++) {
		int dup;

		do {
			gold[i] = (int)rng_below(&g->r, (uint64_t)n);
			dup = 0;
			for (int j = 0; j < i; j++)
				dup |= gold[j] == gold[i];
		} while (dup);
	}
}

static void hotpot_record(struct gen *g, uint64_t i, int n)
{
	static const char *levels[] = { "easy", "medium", "hard" };
	uint32_t ids[64];
	int gold[2], comparison, nfacts, ngold = n < 2 ? n : 2;
	struct buf a = { 0 };
	char *q;

	pick_passages(g, ids, n);
	comparison = (int)hist_draw(hist_get(g->ds, "type"), &g->r);
	choose_gold(g, gold, ngold, n);
	nfacts = (int)hist_draw(hist_get(g->ds, "facts"), &g->r);
	if (nfacts < ngold)
		nfacts = ngold;
	put("{");
	put_key(g, "supporting_facts");
	put_facts(g, ids, gold, ngold, nfacts);
	put(g->sep);
	put_key(g, "level");
	put_str(levels[hist_draw(hist_get(g->ds, "level"), &g->r)]);
	put(g->sep);
	put_key(g, "question");
	put_str(q = text_of(question, g));
	put(g->sep);
	put_key(g, "context");
	put_context(g, ids, n, 1);
	put(g->sep);
	put_key(g, "answer");
	yes_no_or_answer(g, comparison, &a);
	put_str(a.p);
	put(g->sep);
	put_key(g, "_id");
	putf("\"5a%06llx%016llx\"", (unsigned long long)i,
	     (unsigned long long)rng_next(&g->r));
	put(g->sep);
	put_key(g, "type");
	put_str(comparison ? "comparison" : "bridge");
	put("}");
	free(q);
	free(a.p);
}

static void wiki_record(struct gen *g, uint64_t i, int n)
{
	static const char *types[] = { "compositional", "comparison",
				       "inference", "bridge_comparison" };
	uint32_t ids[64], q[4];
	int gold[4], type, ngold;
	struct buf a = { 0 };
	char *qs;

	pick_passages(g, ids, n);
	type = (int)hist_draw(hist_get(g->ds, "type"), &g->r);
	ngold = type == 3 ? 4 : 2;
	if (ngold > n)
		ngold = n;
	choose_gold(g, gold, ngold, n);
	for (int k = 0; k < 4; k++)
		q[k] = 100 + (uint32_t)rng_below(&g->r, 60000000);
	put("{");
	put_key(g, "_id");
	putf("\"%08llx%08llx%016llx\"",
	     (unsigned long long)(rng_next(&g->r) >> 32), (unsigned long long)i,
	     (unsigned long long)rng_next(&g->r));
	put(g->sep);
	put_key(g, "type");
	put_str(types[type]);
	put(g->sep);
	put_key(g, "question");
	put_str(qs = text_of(question, g));
	put(g->sep);
	put_key(g, "context");
	put_context(g, ids, n, 0);
	put(g->sep);
	put_key(g, "entity_ids");
	put("\"");
	for (int k = 0; k < ngold; k++)
		putf("%sQ%u", k ? "_" : "", q[k]);
	put("\"");
	put(g->sep);
	put_key(g, "supporting_facts");
	put_facts(g, ids, gold, ngold, ngold);
	put(g->sep);
	put_key(g, "evidences");
	put("[");
	for (int k = 0; k < ngold; k++) {
		struct buf o = { 0 };

		answer(g->ds, &o, &g->r);
		if (k)
			put(g->sep);
		put("[");
		put_str(passage_title(ids[gold[k]]));
		put(g->sep);
		put_str(relations[rng_below(&g->r, nrelations)]);
		put(g->sep);
		put_str(o.p);
		put("]");
		free(o.p);
	}
	put("]");
	put(g->sep);
	put_key(g, "answer");
	yes_no_or_answer(g, type == 1 || type == 3, &a);
	put_str(a.p);
	put(g->sep);
	put_key(g, "evidences_id");
	put("[");
	if (type == 0 || type == 2)
		for (int k = 0; k < 2; k++) {
			if (k)
				put(g->sep);
			putf("[\"Q%u\"%s", q[k], g->sep);
			put_str(relations[rng_below(&g->r, nrelations)]);
			putf("%s\"Q%u\"]", g->sep, q[(k + 1) % 4]);
		}
	put("]");
	put(g->sep);
	put_key(g, "answer_id");
	putf("\"Q%u\"", q[(int)rng_below(&g->r, (uint64_t)ngold)]);
	put("}");
	free(qs);
	free(a.p);
}

/* MuSiQue's paragraph_text: the sentences joined by a space. */
static void put_paragraph(struct gen *g, uint32_t id, int idx, int supporting)
{
	g->tmp.len = 0;
	for (uint32_t j = 0; j < pass[id].nsent; j++) {
		if (j)
			buf_put(&g->tmp, " ", 1);
		buf_puts(&g->tmp, passage_sentence(id, j));
	}
	putf("{\"idx\": %d, \"title\": ", idx);
	put_str(passage_title(id));
	put(", \"paragraph_text\": ");
	put_str(g->tmp.p);
	putf(", \"is_supporting\": %s}", supporting ? "true" : "false");
}

static void musique_item(struct gen *g, const char *id, const uint32_t *ids,
			 int n, const int *sup, int hops, int gone,
			 const char *q, const char *decomp, const char *ans,
			 const char *aliases)
{
	put("{\"id\": ");
	put_str(id);
	put(", \"paragraphs\": [");
	for (int k = 0; k < n; k++) {
		int s = 0;

		for (int h = 0; h < hops; h++)
			s |= sup[h] == k && h != gone;
		if (k)
			put(", ");
		put_paragraph(g, ids[k], k, s);
	}
	put("], \"question\": ");
	put_str(q);
	put(", \"question_decomposition\": ");
	put(decomp);
	put(", \"answer\": ");
	put_str(ans);
	put(", \"answer_aliases\": ");
	put(aliases);
	putf(", \"answerable\": %s}\n", gone < 0 ? "true" : "false");
}

static void musique_pair(struct gen *g, uint64_t i, int n)
{
	uint32_t ids[64], twin[64], num[4];
	int sup[4], hops, gone;
	char id[96], *q;
	struct buf d = { 0 }, al = { 0 }, last = { 0 };
	size_t saved;

	for (int k = 0; k < n; k++)
		ids[k] = new_passage(g->ds, &g->r);
	hops = (int)hist_draw(hist_get(g->ds, "hops"), &g->r);
	choose_gold(g, sup, hops, n);
	/* ids as MuSiQue's, the first number unique to the item */
	num[0] = (uint32_t)(100000 + i * 41 + rng_below(&g->r, 41));
	for (int h = 1; h < hops; h++)
		num[h] = (uint32_t)(1000 + rng_below(&g->r, 900000));
	snprintf(id, sizeof id, "%dhop%s__%u", hops,
		 hops == 2 ? "" : hops == 3 ? (i & 1 ? "2" : "1") :
		 (const char *[]){ "1", "2", "3" }[i % 3], num[0]);
	for (int h = 1; h < hops; h++)
		snprintf(id + strlen(id), sizeof id - strlen(id), "_%u", num[h]);
	q = text_of(question, g);
	/* the decomposition, as JSON text, and the last hop's answer */
	saved = out.len;
	put("[");
	for (int h = 0; h < hops; h++) {
		struct buf sq = { 0 };
		char ref[16];

		/* "Title >> relation", then "#1 >> relation", as MuSiQue */
		snprintf(ref, sizeof ref, "#%d", h);
		buf_puts(&sq, h ? ref : passage_title(ids[sup[0]]));
		buf_puts(&sq, " >> ");
		buf_puts(&sq, relations[rng_below(&g->r, nrelations)]);
		last.len = 0;
		answer(g->ds, &last, &g->r);
		putf("%s{\"id\": %u, \"question\": ", h ? ", " : "", num[h]);
		put_str(sq.p);
		put(", \"answer\": ");
		put_str(last.p);
		putf(", \"paragraph_support_idx\": %d}", sup[h]);
		free(sq.p);
	}
	put("]");
	buf_put(&d, out.p + saved, out.len - saved);
	out.len = saved;
	put("[");
	for (int a = (int)hist_draw(hist_get(g->ds, "aliases"), &g->r), k = 0;
	     k < a; k++) {
		struct buf s = { 0 };

		answer(g->ds, &s, &g->r);
		if (k)
			put(", ");
		put_str(s.p);
		free(s.p);
	}
	put("]");
	buf_put(&al, out.p + saved, out.len - saved);
	out.len = saved;
	musique_item(g, id, ids, n, sup, hops, -1, q, d.p, last.p, al.p);
	/* the unanswerable twin: one supporting paragraph replaced */
	gone = (int)rng_below(&g->r, (uint64_t)hops);
	memcpy(twin, ids, (size_t)n * sizeof *ids);
	twin[sup[gone]] = new_passage(g->ds, &g->r);
	musique_item(g, id, twin, n, sup, hops, gone, q, d.p, last.p, al.p);
	free(q);
	free(d.p);
	free(al.p);
	free(last.p);
}

_Noreturn static void usage(void)
{
	fputs("Usage: gen-full [-s SEED] [-n RECORDS] [-p PASSAGES] MODEL "
	      "hotpotqa|musique|2wikimqa >FILE\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct gen g = { 0 };
	uint64_t seed = 20261202, n = 0, p = 0;
	unsigned char *per;
	int c;

	while ((c = getopt(argc, argv, "s:n:p:")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'p': p = strtoull(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (argc - optind != 2)
		usage();
	load_model(argv[optind]);
	g.ds = argv[optind + 1];
	if (!strcmp(g.ds, "hotpotqa")) {
		g.records = n ? n : 90447;
		g.passages = p ? p : 483696;
		g.sep = ",", g.colon = ":", ascii = 1;
	} else if (!strcmp(g.ds, "2wikimqa")) {
		g.records = n ? n : 167454;
		g.passages = p ? p : 369000;
		g.sep = ", ", g.colon = ": ", ascii = 1;
	} else if (!strcmp(g.ds, "musique")) {
		g.records = n ? n : 19938;
	} else {
		usage();
	}
	rng_seed(&g.r, seed, 1);
	rng_seed(&g.plan, seed, 2);
	/* how many passages each record has, before any is written */
	per = xrealloc(NULL, g.records);
	for (uint64_t i = 0; i < g.records; i++) {
		int64_t k = hist_draw(hist_get(g.ds, "passages"), &g.plan);

		per[i] = (unsigned char)(k < 1 ? 1 : k > 64 ? 64 : k);
		g.slots_left += per[i];
	}
	g.new_left = g.passages;
	if (g.passages && g.passages > g.slots_left)
		die("%s: %llu passages do not fit %llu slots", g.ds,
		    (unsigned long long)g.passages,
		    (unsigned long long)g.slots_left);
	if (g.passages)
		put("[");
	for (uint64_t i = 0; i < g.records; i++) {
		if (g.passages && i)
			put(g.sep);
		if (!strcmp(g.ds, "hotpotqa"))
			hotpot_record(&g, i, per[i]);
		else if (!strcmp(g.ds, "2wikimqa"))
			wiki_record(&g, i, per[i]);
		else
			musique_pair(&g, i, per[i]);
		flush_out(0);
	}
	if (g.passages)
		put("]");
	flush_out(1);
	if (fflush(stdout) || ferror(stdout))
		die("write error: %s", strerror(errno));
	fprintf(stderr, "gen-full: %s: %llu records, %zu unique passages\n",
		g.ds, (unsigned long long)g.records, npass);
	return 0;
}
