/*
 * kc_verify.h - the independent checker of rendered records (included by
 * kc.h; do not include it directly).
 *
 * kc_verify() proves a record written by kc-render (any --format) or by
 * kc-chain sound from its prompt text alone: it parses the {"key":
 * "value"} pairs out of the prompt, follows the chain from the head,
 * checks where every pair sits, that the passages are numbered without
 * gaps, that every own passage arrived intact, and counts the prompt's
 * tokens exactly.  It shares no code with the steps that made the record
 * (no kc_sentence_ends, kc_chain or kc_render): its value is that it
 * catches their bugs.
 *
 * The checks on the text itself are also available on their own
 * (kc_verify_text), for prompts that did not come from a record.
 */
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

/* The short name of a reason ("chain"), or "?" when out of range. */
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

void kc_verify_result_init(struct kc_verify_result *res);

/*
 * Record one problem: set the reason's bit, count it, and when it is the
 * first, write the printf-style message into err->text (err->status
 * becomes KC_EVERIFY).  Used by the checks; a caller may add its own.
 */
void kc_verify_problem(struct kc_verify_result *res, struct kc_error *err,
                       enum kc_verify_reason reason, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

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

/*
 * The checks on a prompt's text.  The context (the "Passage N:" blocks
 * with the pairs in them) is text[ctx_start, ctx_end); the rest is the
 * template around it.  Every pointer is borrowed; json_t arrays may be
 * NULL when the record does not have them.
 */
struct kc_verify_text {
	const char *text;
	size_t len;
	size_t ctx_start, ctx_end;
	int numbered;            /* the context is "Passage N:" blocks */
	const char *head;        /* the chain's head; NULL: no chain */
	size_t head_len;
	const size_t *head_at;   /* where the template wrote the head: the
	                            only places it may occur outside pairs */
	size_t nhead_at;
	const char *question;    /* the real question; NULL: not known */
	size_t question_len;
	int tree;                /* 1: the real chain is a binary tree; 0:
	                            chains; -1: not known (inferred) */
	const char *uuid;        /* key form, "default", "default_8",
	                            "nano_21"; NULL: learnt from the head */
	const json_t *real;      /* keys of the real path, head first */
	const json_t *distractors; /* the distractor questions */
	const json_t *own;       /* render "own": {doc, passage, title,
	                            fnv1a64} per own passage */
	const json_t *docs;      /* the record's docs */
	const json_t *placed;    /* the record's "passages" ({"doc": i} or
	                            {"title", "text"}): the prompt's passages
	                            are these in order, some fillers left out */
	long npassages;          /* render "passages"; -1: not known */
	long npairs;             /* chain "pairs" of the record; -1: not
	                            known */
	const char *bare;        /* the context without pairs (keychain's
	                            "context"); NULL: not known */
	size_t bare_len;
};

/*
 * Check the text as kc_verify does and add the problems to res and err.
 * Returns KC_OK (whether or not it found problems; res->problems says)
 * or KC_ENOMEM.
 */
kc_status kc_verify_text(const struct kc_verify_text *in,
                         struct kc_verify_result *res, struct kc_error *err);

/* FNV-1a 64 of title + "\n" + text, the hash of render "own". */
uint64_t kc_verify_fnv1a64(const char *title, size_t title_len,
                           const char *text, size_t text_len);

#endif /* KC_VERIFY_H */
