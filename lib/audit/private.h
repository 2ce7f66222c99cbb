/*
 * audit/private.h - what the audit's files share, private to libkc.
 *
 * kc_audit() works in three steps, each in its own file:
 *
 *   record.c   where each format keeps the prompt, the real question,
 *              the answers, the id, source and length;
 *   pairs.c    the pairs in the prompt, the passages, the questions at
 *              the ends of chains (and, for swift, the one the head
 *              reaches);
 *   words.c    the context (the passages, pairs taken out) as words: a
 *              table of content words with their passages, a set of
 *              word n-grams, the candidates' own words;
 *
 * then runs the solvers (lexical.c, entity.c, proximity.c, position.c,
 * answer.c), each of which fills one score per candidate, higher is
 * better, and audit.c turns scores into credits and keeps the totals.
 *
 *   prompt:  Passage 1:\nTitle\nText. {"k1": "k2"}. More text. {"k9": "Who ...?"}.
 *            |<- passage 0 ----------------------------------------------------->|
 *   context: the same bytes with the two pairs skipped
 *   candidate "Who ...?": its pair at offset of '{', in passage 0
 */
#ifndef KC_AUDIT_PRIVATE_H
#define KC_AUDIT_PRIVATE_H

#include "kc.h"

/* A pair {"KEY": "VALUE"}. found in the prompt. */
struct audit_pair {
	size_t start, end;       /* '{' .. just after the closing '.' */
	size_t key, klen;        /* the key, as offsets into the text */
	size_t value, vlen;      /* the value */
	int value_key;           /* the value is the key of another pair */
	uint32_t passage;        /* the passage it sits in */
};

/* A pair found by the hash of its key or value (sorted by hash). */
struct audit_ref {
	uint64_t hash;
	size_t pair;
};

/* A word of a question, as the context index knows words. */
struct audit_qword {
	uint64_t lower;          /* hash of the lower-cased word */
	uint64_t exact;          /* hash of the word as written */
	double idf;              /* of a candidate's word: ln((N + 1) /
	                            (df + 0.5)), N the passages, df those
	                            holding it (0 when none) */
	uint32_t slot;           /* its entry in the context's table + 1;
	                            0: absent from the context */
	unsigned content : 1;    /* not a stop word */
	unsigned capital : 1;    /* starts with an upper-case letter */
	unsigned number : 1;     /* starts with a digit */
	unsigned joined : 1;     /* only spaces, '-' or '.' since the word
	                            before */
	unsigned connector : 1;  /* "of", "the", "de"... inside a name */
	unsigned repeat : 1;     /* a candidate's content word seen before
	                            in it */
};

/* A question at the end of a chain. */
struct audit_cand {
	const char *text;        /* borrowed from the prompt */
	size_t len;
	size_t at;               /* offset of its pair */
	uint32_t passage;        /* the passage its pair sits in */
	size_t word0, nwords;    /* its words in the auditor's qwords */
};

/* A content word of the context. */
struct audit_entry {
	uint64_t lower;          /* 0: empty slot */
	uint32_t df;             /* passages holding it */
	uint32_t last;           /* the last passage it was seen in + 1 */
	uint32_t post;           /* its latest posting + 1 (a list) */
};

struct audit_posting {
	uint32_t passage;
	uint32_t next;           /* the previous posting of the word + 1 */
};

/* A word of the context in order, for the answer search. */
struct audit_cword {
	uint64_t lower;
	uint32_t passage;
};

/*
 * One record as the solvers see it.  Arrays are reused from record to
 * record; each is bounded by the prompt's length (itself bounded by the
 * reader's line limit).
 */
struct audit_rec {
	const char *text;        /* the prompt (borrowed from the record) */
	size_t len;
	size_t ctx_start, ctx_end;   /* the passages' span of the text */
	int numbered;            /* the context is "Passage N:" blocks */

	struct audit_pair *pairs;
	size_t npairs, cappairs;
	size_t keylen;           /* the length of the record's keys */
	struct audit_ref *refs;  /* the pairs by the hash of their key */
	size_t nrefs, caprefs;
	struct audit_ref *qrefs; /* question pairs by the hash of the value */
	size_t capqrefs;

	size_t *pstart;          /* where each passage starts */
	uint32_t npassages;
	size_t cappassages;

	struct audit_cand *cands;
	size_t ncands, capcands;
	long real;               /* index of the real question; -1 */

	const char *question;    /* the real question the record carries */
	size_t question_len;
	const char *head;        /* the chain's head, when the format names
	                            it (keychain) */
	size_t head_len;
	const json_t *answers;   /* array of strings or a string; NULL */
	int answer_found;        /* set by audit_answer() */

	/* the context as words */
	struct audit_entry *table;
	size_t tablecap, tablen; /* tablecap: a power of two */
	struct audit_posting *post;
	size_t npost, cappost;
	uint64_t *grams;         /* word 1..4-gram hashes (exact case); 0:
	                            empty */
	size_t gramcap, gramn;
	struct audit_cword *cwords;
	size_t ncwords, capcwords;
	struct audit_qword *qwords;
	size_t nqwords, capqwords;

	/* per-solver scratch */
	double *pscore;          /* one per passage */
	uint32_t *touched;       /* passages with a nonzero pscore */
	unsigned char *mark;     /* one per passage */
	size_t cappscore;        /* passages the three have room for */
	unsigned want_grams : 1; /* build `grams` (the entity solver runs) */
	unsigned want_cwords : 1;/* keep `cwords` (the answer solver runs) */
};

/* ---- record.c ---- */

/*
 * Find the prompt, the real question, the answers and the record's
 * labels (id, source, length, format) in `rec`.  KC_EFIELD when the
 * record is not one kc-render writes.
 */
kc_status audit_read_record(struct audit_rec *r, const json_t *rec,
                            struct kc_audit_result *res,
                            struct kc_error *err);

/* ---- pairs.c ---- */

/*
 * Find the passages, the pairs and the candidate questions of r->text,
 * then which candidate is the real one (r->question, or for a record
 * that carries none, the question the head reaches).  KC_EFIELD when
 * there are no pairs or the real question is at no chain's end.
 */
kc_status audit_find_pairs(struct audit_rec *r, struct kc_error *err);

/* The passage holding text offset `at`. */
uint32_t audit_passage_at(const struct audit_rec *r, size_t at);

/* ---- words.c ---- */

/* Index the context's words and the candidates' words. */
kc_status audit_index(struct audit_rec *r);

/*
 * Call fn(ctx, w, at) for each word of s[0..n), `at` its offset in s:
 * every field of w is set but slot, idf and repeat (which audit_index
 * sets for the candidates' words).  A word is a run of letters, marks
 * and digits (Unicode categories L, M, N); it is lower-cased code point
 * by code point (utf8proc's simple mapping).  Stops early, returning
 * fn's value, when fn returns nonzero.
 */
typedef int (*audit_word_fn)(void *ctx, const struct audit_qword *w,
                             size_t at);
int audit_words(const char *s, size_t n, audit_word_fn fn, void *ctx);

/* 1 for the words a, an, the (any case). */
int audit_article(const struct audit_qword *w);

/* Grow *arr (of `size`-byte elements, *cap of them) to hold n:
 * doubling, KC_ENOMEM on failure (audit.c). */
kc_status audit_grow(void **arr, size_t *cap, size_t n, size_t size);

/* 1 when h is the audit_gram_hash() of a run of 1 to 4 words of the
 * context that starts with a capital or a digit. */
int audit_gram(const struct audit_rec *r, uint64_t h);
/* The hash of a run of words from their exact hashes. */
uint64_t audit_gram_hash(const uint64_t *exact, size_t n);

/*
 * Per-passage weight of candidate c: r->pscore[p] = sum of the idf of
 * its distinct content words found in passage p, over the passages
 * listed in r->touched[0..*n).  Skip words whose bit is set in `skip`
 * (bit i: the candidate's i-th word, i < 64).
 */
void audit_passage_weights(struct audit_rec *r, const struct audit_cand *c,
                           uint64_t skip, size_t *n);
/* Clear what audit_passage_weights() set. */
void audit_passage_clear(struct audit_rec *r, size_t n);

/* The passage that matches candidate c best (the largest weight, the
 * first of equals) and its weight, or -1 when none holds any of its
 * content words (lexical.c). */
long audit_best_passage(struct audit_rec *r, const struct audit_cand *c,
                        double *weight);

/* ---- the solvers ---- */

/* Fill score[0..r->ncands), higher is better. */
typedef void (*audit_solver_fn)(struct audit_rec *r, double *score);

void audit_lex(struct audit_rec *r, double *score);
void audit_lex_idf(struct audit_rec *r, double *score);
void audit_evidence(struct audit_rec *r, double *score);
void audit_entity(struct audit_rec *r, double *score);
void audit_proximity(struct audit_rec *r, double *score);
void audit_first(struct audit_rec *r, double *score);
void audit_last(struct audit_rec *r, double *score);
void audit_center(struct audit_rec *r, double *score);
/* Also sets r->answer_found. */
void audit_answer(struct audit_rec *r, double *score);

#endif /* KC_AUDIT_PRIVATE_H */
