/*
 * kc_verify.h - the independent checker of rendered records (included
 * by kc.h, which a program includes).
 *
 * kc_verify() proves a record written by kc-render (any --format) or by
 * kc-chain sound from its prompt text alone: it parses the {"key":
 * "value"} pairs out of the prompt, follows the chain from the head,
 * checks where every pair sits, that the passages are numbered without
 * gaps, that every own passage arrived intact, and counts the prompt's
 * tokens exactly.  It shares no code with the steps that made the record
 * (no kc_sentence_ends, kc_chain or kc_render): its value is that it
 * catches their bugs.
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_VERIFY_H
#define KC_VERIFY_H

/*
 * Why a record failed.  A record may fail for several reasons; each has
 * a short stable name (kc_verify_reason_name) used in summaries.
 * Append only.
 */
enum kc_verify_reason {
	KC_VERIFY_RECORD,     /* "record": not a rendered or chained record */
	KC_VERIFY_TEMPLATE,   /* "template": the prompt is not its template */
	KC_VERIFY_PAIR,       /* "pair": a pair that does not parse */
	KC_VERIFY_KEY,        /* "key": a key repeated or found outside pairs */
	KC_VERIFY_CHAIN,      /* "chain": the head does not lead to the question */
	KC_VERIFY_PLACE,      /* "placement": a pair in a number, after an
	                         abbreviation, in a header, not after a
	                         sentence end */
	KC_VERIFY_NUMBERING,  /* "numbering": passages not numbered 1..n */
	KC_VERIFY_OWN,        /* "own": an own passage missing or altered */
	KC_VERIFY_CONTEXT,    /* "context": the context without its pairs is
	                         not the record's bare context */
	KC_VERIFY_TOKENS,     /* "tokens": over the budget, or not the count
	                         the record claims */
	KC_VERIFY_FILL,       /* "fill": under the --min-fill share */
	KC_VERIFY_REASONS
};

/* The short name of a reason ("chain"), or NULL when out of range. */
const char *kc_verify_reason_name(enum kc_verify_reason r);

/*
 * What kc_verify learnt about one record.  Filled in whether the record
 * passes or not; kc_verify_result_init() clears it.
 */
struct kc_verify_result {
	unsigned reasons;        /* bit (1u << reason) per reason found */
	size_t problems;         /* problems found in all (the first is in
	                            the struct kc_error) */
	char id[128];            /* the record's id ("" if it has none) */
	const char *format;      /* "chat", "text", "verl", "swift",
	                            "keychain", "chained" (static) */
	long tokens;             /* exact tokens, chat template included;
	                            -1 when not counted (chained records) */
	long budget;             /* the limit checked; -1 when none */
	size_t pairs;            /* pairs found in the prompt */
	size_t passages;         /* passages found in the prompt */
	int question_checked;    /* 0 when the record does not say which
	                            question is the real one (swift); 1
	                            otherwise, and before it is known */
};

struct kc_verify_opts {
	const char *tokenizer;   /* spec for every record; NULL: the one each
	                            record's render names ("tokenizer") */
	long max_tokens;         /* > 0: the limit; 0: the record's budget */
	double min_fill;         /* > 0: tokens must be at least this share
	                            of the limit */
	const char *template;    /* the template the prompts were made from
	                            (as kc-render --template); NULL: the
	                            preset each render names */
};

void kc_verify_opts_init(struct kc_verify_opts *o);

typedef struct kc_verifier kc_verifier;

/* A verifier keeps the tokenizers it opened (one per name) and scratch
 * buffers; it is not shared between threads. */
kc_status kc_verifier_new(kc_verifier **v, const struct kc_verify_opts *opts,
                          struct kc_error *err);
void kc_verifier_free(kc_verifier *v);

/*
 * Verify one record: a kc-render record of any format (chat, text, verl,
 * swift, keychain) or a kc-chain record not yet rendered (its context is
 * then built from "passages" and "chain" by the reference's insertion
 * rule).  Returns KC_OK when the record is sound; KC_EVERIFY when it is
 * not (err->text says the first problem, res->reasons all of them);
 * another status, with err filled, when the record cannot be checked for
 * a reason that is not the record's (out of memory, a tokenizer that
 * cannot be opened).
 */
kc_status kc_verify(kc_verifier *v, const json_t *rec,
                    struct kc_verify_result *res, struct kc_error *err);


#endif /* KC_VERIFY_H */
