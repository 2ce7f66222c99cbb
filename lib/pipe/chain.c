/*
 * chain.c - hide the question behind chains of UUID keys.
 *
 * Chain k is keys u1..uH written as pairs {"u1": "u2"} ... {"uH": Q};
 * chain 0 ends in the record's question, the others in distractor
 * questions of other records.  With a tree, chain 0 is instead a
 * complete binary tree of H levels whose leaves lead to the question
 * (one leaf) or to fresh keys that lead nowhere.  All pairs are shuffled
 * and each goes to its own sentence end (sentence.c) of the passages.
 *
 * What makes the chains sound: keys come from the record's generator,
 * are unique within the record, and are checked absent from every text
 * the prompt will hold (passages, questions, the prompt presets) by a
 * hash set of all key-length runs of key characters in those texts.
 */
#include <stdlib.h>
#include <string.h>

#include "kc.h"

struct kc_chainer {
	kc_pool *questions;
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
	o->chains = o->hops = o->distractors = -1;
	o->tree = -1;
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
}

kc_status kc_chainer_new(kc_chainer **out, kc_pool *questions,
                         const struct kc_chain_opts *opts,
                         struct kc_error *err)
{
	kc_chainer *c = calloc(1, sizeof *c);

	*out = NULL;
	if (!c)
		return kc_error_set(err, KC_ENOMEM, "out of memory");
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

/* ---- the plan for this record ---- */

static kc_status effective_plan(const kc_chainer *c, const json_t *rec,
                                struct kc_plan *plan, struct kc_error *err)
{
	const struct kc_chain_opts *o = &c->opts;
	json_t *jp = json_object_get(rec, "plan");
	long length = o->length;
	kc_status st;

	if (jp && json_is_integer(json_object_get(jp, "length")))
		length = (long)json_integer_value(json_object_get(jp, "length"));
	if (length <= 0)
		return kc_error_set(err, KC_EFIELD,
		                    "no \"plan\" in the record (run kc-fill "
		                    "first, or give --length)");
	kc_plan_defaults(plan, length);
	if ((st = kc_plan_load(plan, rec, err)))
		return st;
	if (o->chains >= 0)
		plan->chains = o->chains;
	if (o->hops > 0)
		plan->hops = o->hops;
	if (o->distractors >= 0)
		plan->distractors = o->distractors;
	if (o->tree >= 0)
		plan->tree = o->tree;
	if (o->uuid_set)
		plan->uuid = o->uuid;
	if (o->seed_set)
		plan->seed = o->seed;
	if (plan->tree && plan->hops > 16)
		return kc_error_set(err, KC_EINVAL,
		                    "a tree of %ld levels is too large", plan->hops);
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

/* Is question i of the pool one the record may not use? */
static int own_question(kc_chainer *c, size_t i, const char *id,
                        const char *q, size_t qlen)
{
	size_t len;
	const char *qid, *qq = kc_pool_question(c->questions, i, &len, &qid);

	return (len == qlen && !memcmp(qq, q, len)) || !strcmp(qid, id);
}

/*
 * Pick k distinct questions of the pool, not the record's own (by id or
 * by text): by rejection when k is small next to the pool, else from a
 * shuffled list of all the others.  At least `need` must exist.
 */
static kc_status pick_distractors(kc_chainer *c, kc_rng *rng,
                                  const char *id, const char *q, size_t qlen,
                                  size_t k, size_t need, size_t **out,
                                  size_t *got, struct kc_error *err)
{
	size_t nq = kc_pool_questions(c->questions), n = 0, tries = 0;
	size_t *res = NULL;

	*out = NULL;
	*got = 0;
	if (k * 4 < nq) {
		if (!(res = malloc((k ? k : 1) * sizeof *res)) || set_reset(c, k))
			goto nomem;
		while (n < k && tries++ < 64 * k) {
			size_t i = (size_t)kc_rng_below(rng, nq);
			int added;
			if (set_insert(c, kc_hash64(&i, sizeof i, 0), &added))
				goto nomem;
			if (added && !own_question(c, i, id, q, qlen))
				res[n++] = i;
		}
	}
	if (n < k) {   /* a pool this small, or this full of the record's
	                  own question, is shuffled whole */
		size_t eligible = 0;
		free(res);
		if (!(res = malloc((nq ? nq : 1) * sizeof *res)))
			goto nomem;
		for (size_t i = 0; i < nq; i++)
			if (!own_question(c, i, id, q, qlen))
				res[eligible++] = i;
		if (eligible < need) {
			free(res);
			return kc_error_set(err, KC_EPOOL,
			                    "%zu distractor questions needed, the "
			                    "question pool has %zu others", need,
			                    eligible);
		}
		if (k > eligible)
			k = eligible;
		for (n = 0; n < k; n++) {
			size_t j = n + (size_t)kc_rng_below(rng, eligible - n);
			size_t t = res[n];
			res[n] = res[j];
			res[j] = t;
		}
	}
	*out = res;
	*got = n;
	return KC_OK;
nomem:
	free(res);
	return kc_error_set(err, KC_ENOMEM, "out of memory");
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

static json_t *pair_json(const struct pair *p)
{
	return json_pack("{s:s,s:s%,s:i,s:i,s:i,s:i}", "key", p->key, "value",
	                 p->value, p->value_len, "passage", (int)p->spot.passage,
	                 "at", (int)p->spot.at, "chain", p->chain, "hop",
	                 p->hop);
}

kc_status kc_chain(kc_chainer *c, json_t *rec, struct kc_error *err)
{
	struct kc_plan plan;
	json_t *passages, *chain = NULL, *arr;
	const char *id, *question;
	size_t idlen, qlen, np, nspots = 0, capspots = 0, ndist = 0;
	struct spot *spots = NULL;
	struct pair *pairs = NULL;
	size_t *dist = NULL;
	char *keys = NULL;
	long npairs, nqpairs;
	kc_rng rng;
	kc_status st;
	size_t klen, i, p, stacked = 0;
	char fmtname[32];

	if ((st = kc_get_string(rec, "id", &id, &idlen, err)) ||
	    (st = kc_get_string(rec, "question", &question, &qlen, err)))
		return st;
	if (json_object_get(rec, "chain"))
		return kc_error_set(err, KC_EINVAL, "record already has \"chain\"");
	if ((st = kc_get_array(rec, "passages", &passages, err)))
		return kc_error_set(err, st, "%s (run kc-fill first)", err->text);
	if ((st = effective_plan(c, rec, &plan, err)))
		return st;
	kc_chain_count(&plan, &npairs, &nqpairs);
	if (npairs == 0)
		return kc_plan_store(&plan, rec) ?
		       kc_error_set(err, KC_ENOMEM, "out of memory") : KC_OK;
	klen = (size_t)plan.uuid.len;
	kc_rng_seed(&rng, plan.seed, id, idlen, "chain");

	/* The sentence ends of every passage. */
	np = json_array_size(passages);
	for (p = 0; p < np; p++) {
		const char *title, *text;
		size_t tl, xl, n;
		long doc;

		if ((st = kc_record_passage(rec, json_array_get(passages, p),
		                            &title, &tl, &text, &xl, &doc, err)))
			goto out;
		n = kc_sentence_ends(text, xl, NULL, 0);
		if (nspots + n > capspots) {
			size_t cap = (nspots + n) * 2 + 64;
			void *ns = realloc(spots, cap * sizeof *spots);
			if (!ns) {
				st = kc_error_set(err, KC_ENOMEM, "out of memory");
				goto out;
			}
			spots = ns;
			capspots = cap;
		}
		{
			uint32_t *offs = malloc((n ? n : 1) * sizeof *offs);
			if (!offs) {
				st = kc_error_set(err, KC_ENOMEM, "out of memory");
				goto out;
			}
			kc_sentence_ends(text, xl, offs, n);
			for (size_t k = 0; k < n; k++) {
				spots[nspots].passage = (uint32_t)p;
				spots[nspots++].at = offs[k];
			}
			free(offs);
		}
	}
	if (nspots == 0) {
		st = kc_error_set(err, KC_EBUDGET,
		                  "no sentence end in the context for the %ld "
		                  "chain pairs", npairs);
		goto out;
	}

	/* Distractor questions, then the texts keys must avoid. */
	if ((st = pick_distractors(c, &rng, id, question, qlen,
	                           (size_t)(plan.distractors > nqpairs - 1 ?
	                                    plan.distractors : nqpairs - 1),
	                           (size_t)(nqpairs - 1), &dist, &ndist, err)))
		goto out;
	if ((st = set_reset(c, 4096))) {
		st = kc_error_set(err, st, "out of memory");
		goto out;
	}
	for (p = 0; p < np && !st; p++) {
		const char *title, *text;
		size_t tl, xl;
		long doc;

		kc_record_passage(rec, json_array_get(passages, p), &title, &tl,
		                  &text, &xl, &doc, NULL);
		st = forbid_text(c, &plan.uuid, title, tl);
		if (!st)
			st = forbid_text(c, &plan.uuid, text, xl);
	}
	if (!st)
		st = forbid_text(c, &plan.uuid, question, qlen);
	for (i = 0; i < (size_t)(nqpairs - 1) && !st; i++) {
		size_t len;
		const char *q = kc_pool_question(c->questions, dist[i], &len, NULL);
		st = forbid_text(c, &plan.uuid, q, len);
	}
	for (const char *const *n = kc_preset_names(); *n && !st; n++)
		st = forbid_text(c, &plan.uuid, kc_preset(*n), strlen(kc_preset(*n)));
	if (st) {
		st = kc_error_set(err, st, "out of memory");
		goto out;
	}

	/* The keys and the pairs. */
	{
		long nkeys = plan.tree ? ((1L << plan.hops) - 1) +
		                         ((1L << (plan.hops - 1)) - 1) +
		                         (plan.chains - 1) * plan.hops
		                       : plan.chains * plan.hops;
		long k = 0, leaf;
		size_t np2 = 0;

		keys = malloc((size_t)nkeys * (klen + 1));
		pairs = calloc((size_t)npairs, sizeof *pairs);
		if (!keys || !pairs) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
		for (k = 0; k < nkeys; k++)
			if ((st = new_key(c, &rng, &plan.uuid,
			                  keys + (size_t)k * (klen + 1), err)))
				goto out;
#define KEY(n) (keys + (size_t)(n) * (klen + 1))
		k = 0;
		if (plan.tree) {
			long nodes = (1L << plan.hops) - 1;
			long first_leaf = (1L << (plan.hops - 1)) - 1;
			long extra = nodes;  /* dead-end keys follow the tree */

			leaf = first_leaf + (long)kc_rng_below(&rng,
			                     (uint64_t)(nodes - first_leaf));
			for (long n = 0; n < first_leaf; n++)
				for (int side = 1; side <= 2; side++) {
					struct pair *pp = &pairs[np2++];
					pp->key = KEY(n);
					pp->value = KEY(2 * n + side);
					pp->value_len = klen;
					pp->chain = 0;
					pp->hop = (int)(63 - __builtin_clzll(
					                (unsigned long long)n + 1));
				}
			for (long n = first_leaf; n < nodes; n++) {
				struct pair *pp = &pairs[np2++];
				pp->key = KEY(n);
				pp->chain = 0;
				pp->hop = (int)plan.hops - 1;
				if (n == leaf) {
					pp->value = question;
					pp->value_len = qlen;
				} else {
					pp->value = KEY(extra);
					pp->value_len = klen;
					extra++;
				}
			}
			k = extra;
		} else {
			leaf = -1;
		}
		for (long ch = plan.tree ? 1 : 0; ch < plan.chains; ch++) {
			for (long h = 0; h < plan.hops; h++) {
				struct pair *pp = &pairs[np2++];
				pp->key = KEY(k + h);
				pp->chain = (int)ch;
				pp->hop = (int)h;
				if (h + 1 < plan.hops) {
					pp->value = KEY(k + h + 1);
					pp->value_len = klen;
				} else if (ch == 0) {
					pp->value = question;
					pp->value_len = qlen;
				} else {
					pp->value = kc_pool_question(c->questions,
					                             dist[ch - 1],
					                             &pp->value_len, NULL);
				}
			}
			k += plan.hops;
		}

		/* Distinct random sentence ends, one per pair.  A context with
		 * fewer sentence ends than pairs (dense chains in short
		 * passages) gets the rest stacked: a pair ends in '.', so the
		 * next pair right after it is still at a sentence end. */
		for (i = 0; i < (size_t)npairs && i < nspots; i++) {
			size_t j = i + (size_t)kc_rng_below(&rng, nspots - i);
			struct spot t = spots[i];
			spots[i] = spots[j];
			spots[j] = t;
			pairs[i].spot = spots[i];
		}
		if (i < (size_t)npairs) {
			/* Stack only where the text goes on with white space. */
			size_t nok = 0;
			for (size_t k = 0; k < nspots; k++) {
				const char *title, *text;
				size_t tl, xl;
				long doc;
				kc_record_passage(rec, json_array_get(passages,
				                  spots[k].passage), &title, &tl, &text,
				                  &xl, &doc, NULL);
				if (kc_sentence_stackable(text, xl, spots[k].at))
					spots[nok++] = spots[k];
			}
			if (!nok) {
				st = kc_error_set(err, KC_EBUDGET,
				                  "%zu sentence ends in the context for "
				                  "%ld chain pairs (fewer chains: "
				                  "--chains)", nspots, npairs);
				goto out;
			}
			for (; i < (size_t)npairs; i++, stacked++)
				pairs[i].spot = spots[kc_rng_below(&rng, nok)];
		}
		qsort(pairs, (size_t)npairs, sizeof *pairs, pair_cmp);

		/* The record. */
		kc_uuid_format_name(&plan.uuid, fmtname, sizeof fmtname);
		chain = json_object();
		arr = json_array();
		json_object_set_new(chain, "head", json_string(KEY(0)));
		json_object_set_new(chain, "question",
		                    json_stringn(question, qlen));
		{
			json_t *real = json_array();
			if (plan.tree) {
				/* the path from the root to the question leaf */
				long path[17], depth = 0;
				for (long n = leaf; ; n = (n - 1) / 2) {
					path[depth++] = n;
					if (n == 0)
						break;
				}
				while (depth--)
					json_array_append_new(real,
					                      json_string(KEY(path[depth])));
			} else {
				for (long h = 0; h < plan.hops; h++)
					json_array_append_new(real, json_string(KEY(h)));
			}
			json_object_set_new(chain, "real", real);
		}
		json_object_set_new(chain, "chains", json_integer(plan.chains));
		json_object_set_new(chain, "hops", json_integer(plan.hops));
		json_object_set_new(chain, "tree", json_boolean(plan.tree));
		json_object_set_new(chain, "uuid", json_string(fmtname));
		json_object_set_new(chain, "stacked", json_integer((json_int_t)stacked));
		{
			json_t *d = json_array();
			for (i = 0; i < ndist; i++) {
				size_t len;
				const char *q = kc_pool_question(c->questions, dist[i],
				                                 &len, NULL);
				json_array_append_new(d, json_stringn(q, len));
			}
			json_object_set_new(chain, "distractors", d);
		}
		for (i = 0; i < (size_t)npairs; i++)
			json_array_append_new(arr, pair_json(&pairs[i]));
		json_object_set_new(chain, "pairs", arr);
#undef KEY
	}
	if (kc_plan_store(&plan, rec) || json_object_set_new(rec, "chain", chain)) {
		chain = NULL;
		st = kc_error_set(err, KC_ENOMEM, "out of memory");
		goto out;
	}
	chain = NULL;
	st = KC_OK;
out:
	json_decref(chain);
	free(spots);
	free(pairs);
	free(dist);
	free(keys);
	return st;
}
