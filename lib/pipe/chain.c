/*
 * chain.c - hide the question behind chains of UUID keys.
 *
 * Chain k is keys u1..uH written as pairs {"u1": "u2"} ... {"uH": Q};
 * chain 0 ends in the record's question, the others in distractor
 * questions of other records.  With a tree, chain 0 is instead a
 * complete binary tree of H levels whose leaves lead to the question
 * (one leaf) or to fresh keys that lead nowhere.  Decoy i branches off
 * chain 0 at its key j = 1 + i mod (H - 1) and goes on with fresh keys
 * to a dead end as deep as the question; a near miss is a pair whose key
 * is a real key with one or two characters changed, leading nowhere.
 * All pairs are shuffled and each goes to its own sentence end
 * (sentence.c) of the passages.
 *
 * What makes the chains sound: keys come from the record's generator,
 * are unique within the record, and are checked absent from every text
 * the prompt will hold (passages, questions, the prompt presets) by a
 * hash set of all key-length runs of key characters in those texts.
 */
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "pipe/private.h"

struct kc_chainer {
	kc_pool *questions;            /* --questions: pick anew; or NULL */
	struct kc_chain_opts opts;
	/* reused per record */
	uint64_t *set;
	size_t setcap;
	size_t setn;
	unsigned char keychars[256];   /* kc_uuid_char of the current form */
	int keychars_for;              /* that form's kind + 1 */
};

void kc_chain_opts_init(struct kc_chain_opts *o)
{
	memset(o, 0, sizeof *o);
	kc_plan_opts_init(&o->plan);
}

/* The key of chain 0 that decoy i branches off. */
static long decoy_branch(long i, long hops)
{
	return 1 + i % (hops - 1);
}

/* Pairs (and fresh keys) of the decoys: hops - branch each. */
static long decoy_pairs(const struct kc_plan *plan)
{
	long n = 0;

	for (long i = 0; i < plan->decoys; i++)
		n += plan->hops - decoy_branch(i, plan->hops);
	return n;
}

void kc_chain_count(const struct kc_plan *plan, long *pairs, long *qpairs)
{
	long c = plan->chains, h = plan->hops;

	if (c <= 0) {
		*pairs = *qpairs = 0;
		return;
	}
	*qpairs = c;
	if (plan->tree)
		/* internal edges + one pair per leaf, then the plain chains */
		*pairs = ((1L << h) - 2) + (1L << (h - 1)) + (c - 1) * h;
	else
		*pairs = c * h;
	*pairs += decoy_pairs(plan) + plan->near_miss;
}

kc_status kc_chainer_new(kc_chainer **out, kc_pool *questions,
                         const struct kc_chain_opts *opts,
                         struct kc_error *err)
{
	kc_chainer *c = calloc(1, sizeof *c);

	*out = NULL;
	if (!c)
		return kc_error_nomem(err);
	c->questions = questions;
	c->opts = *opts;
	*out = c;
	return KC_OK;
}

void kc_chainer_free(kc_chainer *c)
{
	if (!c)
		return;
	free(c->set);
	free(c);
}

/* ---- a set of 64-bit hashes (0 is the empty slot) ---- */

static kc_status set_reset(kc_chainer *c, size_t expect)
{
	size_t cap = 1024;

	while (cap < expect * 2)
		cap *= 2;
	if (cap != c->setcap) {
		free(c->set);
		c->set = calloc(cap, sizeof *c->set);
		if (!c->set) {
			c->setcap = 0;
			return KC_ENOMEM;
		}
		c->setcap = cap;
	} else {
		memset(c->set, 0, cap * sizeof *c->set);
	}
	c->setn = 0;
	return KC_OK;
}

/* Insert h; 1 if it was new, 0 if present, -1 if the set is full. */
static int set_add(kc_chainer *c, uint64_t h)
{
	size_t mask = c->setcap - 1, i;

	h |= 1;  /* never 0 */
	for (i = (size_t)(h >> 7) & mask;; i = (i + 1) & mask) {
		if (c->set[i] == h)
			return 0;
		if (!c->set[i])
			break;
	}
	if ((c->setn + 1) * 4 > c->setcap * 3)
		return -1;
	c->set[i] = h;
	c->setn++;
	return 1;
}

static kc_status set_grow(kc_chainer *c)
{
	uint64_t *old = c->set;
	size_t oldcap = c->setcap;

	c->set = calloc(oldcap * 2, sizeof *c->set);
	if (!c->set) {
		c->set = old;
		return KC_ENOMEM;
	}
	c->setcap = oldcap * 2;
	c->setn = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			set_add(c, old[i]);
	free(old);
	return KC_OK;
}

static kc_status set_insert(kc_chainer *c, uint64_t h, int *added)
{
	int r;

	while ((r = set_add(c, h)) < 0)
		if (set_grow(c))
			return KC_ENOMEM;
	if (added)
		*added = r;
	return KC_OK;
}

/* Add every key-length window of every run of key characters in s. */
static kc_status forbid_text(kc_chainer *c, const struct kc_uuid_format *f,
                             const char *s, size_t n)
{
	size_t L = (size_t)f->len;
	kc_status st;

	if (c->keychars_for != (int)f->kind + 1) {
		for (int ch = 0; ch < 256; ch++)
			c->keychars[ch] = (unsigned char)kc_uuid_char(f,
			                                    (unsigned char)ch);
		c->keychars_for = (int)f->kind + 1;
	}
	/* A run of L or more key characters covers one of the positions
	 * L-1, 2L-1, ...: probe those, and only around a hit look for the
	 * run's ends. */
	for (size_t i = L - 1; i < n; i += L) {
		size_t start = i, end = i + 1;
		if (!c->keychars[(unsigned char)s[i]])
			continue;
		while (start > 0 && c->keychars[(unsigned char)s[start - 1]])
			start--;
		while (end < n && c->keychars[(unsigned char)s[end]])
			end++;
		for (size_t k = start; end - start >= L && k + L <= end; k++)
			if ((st = set_insert(c, kc_hash64(s + k, L, 0), NULL)))
				return st;
		/* the next probe past this run */
		while (i + L < end)
			i += L;
	}
	return KC_OK;
}

/* ---- sentence ends of the record's passages ---- */

struct spot {
	uint32_t passage;
	uint32_t at;
};

static int spot_cmp(const void *a, const void *b)
{
	const struct spot *x = a, *y = b;

	if (x->passage != y->passage)
		return x->passage < y->passage ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

struct pair {
	const char *key;
	const char *value;
	size_t value_len;
	int chain, hop;
	struct spot spot;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = spot_cmp(&x->spot, &y->spot);

	return c ? c : strcmp(x->key, y->key);
}

/* Draw a fresh key into out: unique and absent from the texts. */
static kc_status new_key(kc_chainer *c, kc_rng *rng,
                         const struct kc_uuid_format *f, char *out,
                         struct kc_error *err)
{
	for (int tries = 0; tries < 1000; tries++) {
		int added;
		kc_status st;

		kc_uuid_make(c->opts.system_entropy ? NULL : rng, f, out);
		if ((st = set_insert(c, kc_hash64(out, (size_t)f->len, 0),
		                     &added)))
			return kc_error_set(err, st, "out of memory");
		if (added)
			return KC_OK;
	}
	return kc_error_set(err, KC_EINVAL,
	                    "cannot draw enough distinct %d-character keys",
	                    f->len);
}

/*
 * The pairs as columns, {"key": [...], "value": [...], "passage": [...],
 * "at": [...], "chain": [...], "hop": [...]} (pipe/private.h): as objects
 * of six named fields the names were a fifth of the chained record and
 * every pair a hash table for the next stage to build; columns of one
 * type each also go into Parquet as they are.
 */
static json_t *pairs_json(const struct pair *pairs, size_t n, size_t klen)
{
	static const char *const names[] = { "key", "value", "passage", "at",
	                                     "chain", "hop" };
	json_t *o = json_object(), *col[6];
	int bad = !o;

	for (int f = 0; f < 6 && !bad; f++)
		bad = !(col[f] = json_array()) ||
		      json_object_set_new_nocheck(o, names[f], col[f]);
	for (size_t i = 0; i < n && !bad; i++) {
		const struct pair *p = &pairs[i];

		bad = json_array_append_new(col[0], json_stringn_nocheck(p->key,
		                                                         klen)) ||
		      json_array_append_new(col[1], json_stringn_nocheck(p->value,
		                                                   p->value_len)) ||
		      json_array_append_new(col[2], json_integer(p->spot.passage)) ||
		      json_array_append_new(col[3], json_integer(p->spot.at)) ||
		      json_array_append_new(col[4], json_integer(p->chain)) ||
		      json_array_append_new(col[5], json_integer(p->hop));
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * One record's chains, as a sequence of steps over this state: read the
 * record and its plan, find the sentence ends, pick the distractor
 * questions, forbid every text's key-like runs, draw the keys, make the
 * pairs, give each a sentence end, write "chain".
 */
struct chainrec {
	kc_chainer *c;
	json_t *rec;
	struct kc_error *err;
	struct kc_plan plan;
	kc_rng rng;
	const char *id, *question;
	size_t idlen, qlen;
	json_t *passages;
	long npairs, nqpairs;
	struct spot *spots;       /* every sentence end of the passages */
	size_t nspots, capspots;
	json_t *dist;             /* rec["distractors"] */
	const char **dq;          /* the chain ends' questions, from dist */
	size_t *dqlen;
	char *keys;               /* nkeys keys of klen + 1 bytes */
	size_t klen;
	long nkeys, leaf;         /* leaf: the tree's question leaf, or -1 */
	struct pair *pairs;
	size_t stacked;           /* pairs stacked on a taken sentence end */
	size_t refused;           /* '.', '?', '!' that end no sentence */
};

#define KEY(s, n) ((s)->keys + (size_t)(n) * ((s)->klen + 1))

/* Passage p's title and text (checked by find_spots first). */
static void passage_text(const struct chainrec *s, size_t p,
                         const char **title, size_t *title_len,
                         const char **text, size_t *text_len)
{
	long doc;

	kc_record_passage(s->rec, json_array_get(s->passages, p), title,
	                  title_len, text, text_len, &doc, NULL);
}

static kc_status read_record(struct chainrec *s)
{
	struct kc_error *err = s->err, e;
	kc_status st;

	if ((st = kc_get_string(s->rec, "id", &s->id, &s->idlen, err)) ||
	    (st = kc_get_string(s->rec, "question", &s->question, &s->qlen,
	                        err)))
		return st;
	if (json_object_get(s->rec, "chain"))
		return kc_error_set(err, KC_EINVAL, "record already has \"chain\"");
	if ((st = kc_get_array(s->rec, "passages", &s->passages, &e)))
		return kc_error_set(err, st, "%s (run kc-fill first)", e.text);
	if ((st = kc_plan_resolve(&s->plan, s->rec, &s->c->opts.plan, err)))
		return st;
	if (s->plan.length <= 0)
		return kc_error_set(err, KC_EFIELD, "no \"plan\" in the record (run "
		                    "kc-fill first, or give --length)");
	kc_chain_count(&s->plan, &s->npairs, &s->nqpairs);
	s->klen = (size_t)s->plan.uuid.len;
	kc_rng_seed(&s->rng, s->plan.seed, s->id, s->idlen, "chain");
	return KC_OK;
}

/* The sentence ends of passage p, appended to s->spots. */
static kc_status passage_spots(struct chainrec *s, size_t p,
                               const char *text, size_t len)
{
	uint32_t local[256], *offs = local;
	size_t refused, n = kc_sentence_ends(text, len, local, 256, &refused);

	s->refused += refused;
	if (n > 256) {    /* a passage of many sentences: find them again */
		if (!(offs = malloc(n * sizeof *offs)))
			return kc_error_nomem(s->err);
		kc_sentence_ends(text, len, offs, n, NULL);
	}
	if (s->nspots + n > s->capspots) {
		size_t cap = (s->nspots + n) * 2 + 64;
		void *ns = realloc(s->spots, cap * sizeof *s->spots);
		if (!ns) {
			if (offs != local)
				free(offs);
			return kc_error_nomem(s->err);
		}
		s->spots = ns;
		s->capspots = cap;
	}
	for (size_t k = 0; k < n; k++) {
		s->spots[s->nspots].passage = (uint32_t)p;
		s->spots[s->nspots++].at = offs[k];
	}
	if (offs != local)
		free(offs);
	return KC_OK;
}

static kc_status find_spots(struct chainrec *s)
{
	size_t np = json_array_size(s->passages);
	kc_status st;

	for (size_t p = 0; p < np; p++) {
		const char *title, *text;
		size_t title_len, text_len;
		long doc;

		if ((st = kc_record_passage(s->rec, json_array_get(s->passages, p),
		                            &title, &title_len, &text, &text_len,
		                            &doc, s->err)) ||
		    (st = passage_spots(s, p, text, text_len)))
			return st;
	}
	if (s->nspots == 0)
		return kc_error_set(s->err, KC_EBUDGET, "no sentence end in the "
		                    "context for the %ld chain pairs", s->npairs);
	return KC_OK;
}

/* With --questions: pick the distractor questions anew, into the
 * record's "distractors" as strings, the form kc-chain writes (kc-fill
 * picks them otherwise, as objects). */
static kc_status repick(struct chainrec *s)
{
	kc_pool *pool = s->c->questions;
	long need = s->nqpairs - 1;
	long k = s->plan.distractors > need ? s->plan.distractors : need;
	size_t *idx, n;
	json_t *a = json_array();
	kc_status st;

	if ((st = kc_pool_pick_questions(pool, &s->rng, s->id, s->question,
	                                 s->qlen, (size_t)k, (size_t)need, &idx,
	                                 &n, s->err))) {
		json_decref(a);
		return st;
	}
	for (size_t i = 0; a && i < n; i++) {
		size_t len;
		const char *q = kc_pool_question(pool, idx[i], &len, NULL);
		if (json_array_append_new(a, json_stringn_nocheck(q, len)))
			st = KC_ENOMEM;
	}
	free(idx);
	if (!a || st || json_object_set_new(s->rec, "distractors", a))
		return kc_error_nomem(s->err);
	return KC_OK;
}

/* The questions at the ends of chains 1..: the record's "distractors". */
static kc_status pick_questions(struct chainrec *s)
{
	size_t need = (size_t)(s->nqpairs - 1);
	kc_status st;

	if (s->c->questions && (st = repick(s)))
		return st;
	s->dist = json_object_get(s->rec, "distractors");
	if (!s->dist)
		return kc_error_set(s->err, KC_EFIELD, "no \"distractors\" (a "
		                    "record kc-fill did not pick them for): give "
		                    "--questions FILE");
	if (!json_is_array(s->dist) || json_array_size(s->dist) < need)
		return kc_error_set(s->err, KC_EFIELD, "\"distractors\" has %zu "
		                    "questions, %ld chains need %zu",
		                    json_array_size(s->dist), s->plan.chains, need);
	if (!(s->dq = malloc((need + 1) * sizeof *s->dq)) ||
	    !(s->dqlen = malloc((need + 1) * sizeof *s->dqlen)))
		return kc_error_nomem(s->err);
	for (size_t i = 0; i < need; i++) {
		json_t *d = json_array_get(s->dist, i);
		if (json_is_string(d)) {
			s->dq[i] = json_string_value(d);
			s->dqlen[i] = json_string_length(d);
		} else if (kc_get_string(d, "question", &s->dq[i], &s->dqlen[i],
		                         NULL)) {
			return kc_error_set(s->err, KC_EFIELD, "\"distractors\"[%zu] "
			                    "is neither a question nor an object "
			                    "with a string \"question\"", i);
		}
		if (memmem(s->dq[i], s->dqlen[i], "\"}", 2) ||
		    memmem(s->dq[i], s->dqlen[i], "{\"", 2))
			return kc_error_set(s->err, KC_EFIELD, "\"distractors\"[%zu] "
			                    "holds '\"}' or '{\"': its chain could not "
			                    "be told from the text", i);
	}
	return KC_OK;
}

/* Every text the prompt will hold: no key may occur in one. */
static kc_status forbid_texts(struct chainrec *s)
{
	const struct kc_uuid_format *u = &s->plan.uuid;
	kc_chainer *c = s->c;
	kc_status st = set_reset(c, 4096);

	for (size_t p = 0; p < json_array_size(s->passages) && !st; p++) {
		const char *title, *text;
		size_t title_len, text_len;

		passage_text(s, p, &title, &title_len, &text, &text_len);
		if (!(st = forbid_text(c, u, title, title_len)))
			st = forbid_text(c, u, text, text_len);
	}
	if (!st)
		st = forbid_text(c, u, s->question, s->qlen);
	for (size_t i = 0; i < (size_t)(s->nqpairs - 1) && !st; i++)
		st = forbid_text(c, u, s->dq[i], s->dqlen[i]);
	for (const char *const *n = kc_preset_names(); *n && !st; n++)
		st = forbid_text(c, u, kc_preset(*n), strlen(kc_preset(*n)));
	return st ? kc_error_nomem(s->err) : KC_OK;
}

static struct pair *add_pair(struct chainrec *s, size_t *n, long key,
                             int chain, int hop, const char *value,
                             size_t value_len)
{
	struct pair *p = &s->pairs[(*n)++];

	p->key = KEY(s, key);
	p->chain = chain;
	p->hop = hop;
	p->value = value;
	p->value_len = value_len;
	return p;
}

/*
 * The keys: the chains' (or the tree's and the chains'), the decoys',
 * the near misses' dead ends, all drawn; then one slot per near miss,
 * filled by near_miss_key() once the real path is known.
 */
static kc_status draw_keys(struct chainrec *s)
{
	const struct kc_plan *plan = &s->plan;
	long drawn;
	kc_status st;

	drawn = plan->tree ? ((1L << plan->hops) - 1) +
	                     ((1L << (plan->hops - 1)) - 1) +
	                     (plan->chains - 1) * plan->hops
	                   : plan->chains * plan->hops;
	drawn += decoy_pairs(plan) + plan->near_miss;
	s->nkeys = drawn + plan->near_miss;
	s->keys = malloc((size_t)s->nkeys * (s->klen + 1));
	s->pairs = calloc((size_t)s->npairs, sizeof *s->pairs);
	if (!s->keys || !s->pairs)
		return kc_error_nomem(s->err);
	for (long k = 0; k < drawn; k++)
		if ((st = new_key(s->c, &s->rng, &plan->uuid, KEY(s, k), s->err)))
			return st;
	return KC_OK;
}

/* The key at depth h of the real path: chain 0's, or the tree's from
 * the root to the question's leaf. */
static long real_key(const struct chainrec *s, long h)
{
	long n = s->leaf;

	if (!s->plan.tree)
		return h;
	for (long up = s->plan.hops - 1; up > h; up--)
		n = (n - 1) / 2;
	return n;
}

/* A near miss of key: one or two of its random characters changed (not
 * a UUID's dashes, version or variant digit), a key no text holds. */
static kc_status near_miss_key(struct chainrec *s, const char *key,
                               char *out)
{
	const struct kc_uuid_format *f = &s->plan.uuid;
	const char *alpha = kc_uuid_nano_alphabet + (f->kind == KC_UUID_NANO ?
	                                             0 : 2);
	uint64_t nalpha = f->kind == KC_UUID_NANO ? 64 : 16;

	for (int tries = 0; tries < 1000; tries++) {
		int changes = 1 + (int)kc_rng_below(&s->rng, 2), added;
		memcpy(out, key, s->klen + 1);
		while (changes) {
			size_t at = (size_t)kc_rng_below(&s->rng, s->klen);
			char c = alpha[kc_rng_below(&s->rng, nalpha)];
			if (out[at] == '-' || out[at] == c ||
			    (f->kind == KC_UUID_DEFAULT && (at == 14 || at == 19)))
				continue;
			out[at] = c;
			changes--;
		}
		if (set_insert(s->c, kc_hash64(out, s->klen, 0), &added))
			return kc_error_nomem(s->err);
		if (added)
			return KC_OK;
	}
	return kc_error_set(s->err, KC_EINVAL, "cannot draw a near miss of "
	                    "%s", key);
}

/* The decoys (from key k on) and the near misses after the chains. */
static kc_status side_pairs(struct chainrec *s, size_t *n, long k)
{
	const struct kc_plan *plan = &s->plan;
	long miss = s->nkeys - plan->near_miss;
	kc_status st;

	for (long i = 0; i < plan->decoys; i++) {
		long j = decoy_branch(i, plan->hops), from = j;
		for (; j < plan->hops; j++, k++)
			add_pair(s, n, j == from ? real_key(s, j) : k - 1,
			         (int)(plan->chains + i), (int)j, KEY(s, k),
			         s->klen);
	}
	for (long i = 0; i < plan->near_miss; i++, k++) {
		long h = (long)kc_rng_below(&s->rng, (uint64_t)plan->hops);
		if ((st = near_miss_key(s, KEY(s, real_key(s, h)),
		                        KEY(s, miss + i))))
			return st;
		add_pair(s, n, miss + i, (int)(plan->chains + plan->decoys + i),
		         (int)h, KEY(s, k), s->klen);
	}
	return KC_OK;
}

/*
 * The tree of chain 0: node n's children are 2n + 1 and 2n + 2; one leaf
 * leads to the question, the others to dead-end keys (numbered after
 * the tree's).  Returns the next unused key.
 */
static long tree_pairs(struct chainrec *s, size_t *n)
{
	long hops = s->plan.hops, nodes = (1L << hops) - 1;
	long first_leaf = (1L << (hops - 1)) - 1, extra = nodes;

	s->leaf = first_leaf + (long)kc_rng_below(&s->rng,
	                                          (uint64_t)(nodes - first_leaf));
	for (long k = 0; k < first_leaf; k++)
		for (int side = 1; side <= 2; side++)
			add_pair(s, n, k, 0, (int)(63 - __builtin_clzll(
			         (unsigned long long)k + 1)), KEY(s, 2 * k + side),
			         s->klen);
	for (long k = first_leaf; k < nodes; k++) {
		if (k == s->leaf)
			add_pair(s, n, k, 0, (int)hops - 1, s->question, s->qlen);
		else
			add_pair(s, n, k, 0, (int)hops - 1, KEY(s, extra++), s->klen);
	}
	return extra;
}

/* The pairs: chain 0 (or its tree), then the distractors' chains. */
static kc_status make_pairs(struct chainrec *s)
{
	const struct kc_plan *plan = &s->plan;
	size_t n = 0;
	long k = 0;

	s->leaf = -1;
	if (plan->tree)
		k = tree_pairs(s, &n);
	for (long ch = plan->tree ? 1 : 0; ch < plan->chains; ch++) {
		for (long h = 0; h < plan->hops; h++) {
			const char *v;
			size_t vlen = s->klen;
			if (h + 1 < plan->hops) {
				v = KEY(s, k + h + 1);
			} else if (ch == 0) {
				v = s->question;
				vlen = s->qlen;
			} else {
				v = s->dq[ch - 1];
				vlen = s->dqlen[ch - 1];
			}
			add_pair(s, &n, k + h, (int)ch, (int)h, v, vlen);
		}
		k += plan->hops;
	}
	return side_pairs(s, &n, k);
}

/*
 * Distinct random sentence ends, one per pair.  A context with fewer
 * sentence ends than pairs (dense chains in short passages) gets the
 * rest stacked, where the text goes on with white space: a pair ends in
 * '.', so the next pair right after it is still at a sentence end.
 */
static kc_status assign_spots(struct chainrec *s)
{
	size_t i, nok = 0, npairs = (size_t)s->npairs;

	for (i = 0; i < npairs && i < s->nspots; i++) {
		size_t j = i + (size_t)kc_rng_below(&s->rng, s->nspots - i);
		struct spot t = s->spots[i];
		s->spots[i] = s->spots[j];
		s->spots[j] = t;
		s->pairs[i].spot = s->spots[i];
	}
	if (i < npairs) {
		for (size_t k = 0; k < s->nspots; k++) {
			const char *title, *text;
			size_t title_len, text_len;
			passage_text(s, s->spots[k].passage, &title, &title_len,
			             &text, &text_len);
			if (kc_sentence_stackable(text, text_len, s->spots[k].at))
				s->spots[nok++] = s->spots[k];
		}
		if (!nok)
			return kc_error_set(s->err, KC_EBUDGET, "%zu sentence ends in "
			                    "the context for %ld chain pairs (fewer "
			                    "chains: --chains)", s->nspots, s->npairs);
		for (; i < npairs; i++, s->stacked++)
			s->pairs[i].spot = s->spots[kc_rng_below(&s->rng, nok)];
	}
	qsort(s->pairs, npairs, sizeof *s->pairs, pair_cmp);
	return KC_OK;
}

/* The keys of the real path, head first: the tree's from the root to
 * the question's leaf, else chain 0's. */
static json_t *real_path(const struct chainrec *s)
{
	json_t *real = json_array();
	long path[17], depth = 0;

	if (!s->plan.tree) {
		for (long h = 0; h < s->plan.hops; h++)
			json_array_append_new(real, json_string(KEY(s, h)));
		return real;
	}
	for (long n = s->leaf; ; n = (n - 1) / 2) {
		path[depth++] = n;
		if (n == 0)
			break;
	}
	while (depth--)
		json_array_append_new(real, json_string(KEY(s, path[depth])));
	return real;
}

/* What later stages read of the distractors is their questions
 * (kc-render -f keychain, kc-verify): kc-fill's ids and answers stay
 * behind, a seventh of the record at 32K (repick writes questions). */
static kc_status keep_questions(struct chainrec *s)
{
	json_t *q, *d;
	size_t i;

	if (s->c->questions)
		return KC_OK;
	if (!(q = json_array()))
		return kc_error_nomem(s->err);
	json_array_foreach(s->dist, i, d)
		if (json_array_append(q, json_is_object(d) ?
		                      json_object_get(d, "question") : d)) {
			json_decref(q);
			return kc_error_nomem(s->err);
		}
	if (json_object_set_new(s->rec, "distractors", q))
		return kc_error_nomem(s->err);
	return KC_OK;
}

static kc_status write_chain(struct chainrec *s)
{
	char fmtname[32];
	json_t *chain, *pairs = pairs_json(s->pairs, (size_t)s->npairs,
	                                    s->klen);

	if (!pairs)
		return kc_error_nomem(s->err);
	kc_uuid_format_name(&s->plan.uuid, fmtname, sizeof fmtname);
	chain = json_pack("{s:s,s:s%,s:o,s:I,s:I,s:b,s:I,s:I,s:s,s:I,s:I,s:o}",
	                  "head", KEY(s, 0),
	                  "question", s->question, s->qlen,
	                  "real", real_path(s),
	                  "chains", (json_int_t)s->plan.chains,
	                  "hops", (json_int_t)s->plan.hops,
	                  "tree", s->plan.tree,
	                  "decoys", (json_int_t)s->plan.decoys,
	                  "near_miss", (json_int_t)s->plan.near_miss,
	                  "uuid", fmtname,
	                  "stacked", (json_int_t)s->stacked,
	                  "refused", (json_int_t)s->refused,
	                  "pairs", pairs);
	if (!chain || kc_plan_store(&s->plan, s->rec) ||
	    json_object_set_new(s->rec, "chain", chain))
		return kc_error_nomem(s->err);
	return KC_OK;
}

kc_status kc_chain(kc_chainer *c, json_t *rec, struct kc_error *err)
{
	struct chainrec s = { .c = c, .rec = rec, .err = err };
	kc_status st;

	if ((st = read_record(&s)))
		return st;
	if (s.npairs == 0)
		return kc_plan_store(&s.plan, rec) ? kc_error_nomem(err) : KC_OK;
	if (!(st = find_spots(&s)) && !(st = pick_questions(&s)) &&
	    !(st = forbid_texts(&s)) && !(st = draw_keys(&s)) &&
	    !(st = make_pairs(&s)) && !(st = assign_spots(&s)) &&
	    !(st = write_chain(&s)))
		st = keep_questions(&s);
	free(s.spots);
	free(s.pairs);
	free(s.dq);
	free(s.dqlen);
	free(s.keys);
	return st;
}
