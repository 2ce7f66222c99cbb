/*
 * kc_audit.h - shortcut solvers: can the real question be found without
 * following the chain?  (included by kc.h, which a program includes)
 *
 * A KeyChain record hides its question at the end of one chain of keys
 * among many chains that end in other questions.  A model is meant to
 * follow the chain; kc_audit() tries to find the question without it,
 * with small solvers that read the prompt text the way a lazy model
 * might (which question's words are in the context, where its pair
 * sits, ...), and scores each against chance.  Like kc_verify() it reads
 * the prompt afresh, from any kc-render format, and shares no code with
 * the steps that made the record.
 *
 * What a solver sees, from the prompt text alone: the context (the
 * passages with every pair taken out, so a question never matches
 * itself), the candidate questions (the values at the ends of chains: a
 * pair's value that is no key) and where each one's pair sits.  What it
 * is scored against: the real question the record carries (verl's
 * extra_info.input_question, keychain's input, chat's and text's
 * question; swift rows carry none, so the question the head's chain
 * reaches is taken).  Only the answer solver reads the gold answers.
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_AUDIT_H
#define KC_AUDIT_H

/*
 * The solvers, in the order they are reported.  Each scores every
 * candidate question and guesses the best; see lib/audit/ and
 * kc-audit(1) for what each one reads.  Append only.
 */
enum kc_audit_solver {
	KC_AUDIT_LEX,        /* "lex": share of its content words in the
	                        context */
	KC_AUDIT_LEX_IDF,    /* "lex-idf": the same, rare words weigh more */
	KC_AUDIT_EVIDENCE,   /* "evidence": share covered by its two best
	                        matching passages */
	KC_AUDIT_ENTITY,     /* "entity": share of its names and numbers in
	                        the context */
	KC_AUDIT_PROXIMITY,  /* "proximity": its pair nearest its best
	                        matching passage */
	KC_AUDIT_FIRST,      /* "first": the first question pair */
	KC_AUDIT_LAST,       /* "last": the last question pair */
	KC_AUDIT_CENTER,     /* "center": the pair nearest the middle */
	KC_AUDIT_ANSWER,     /* "answer": the question that best matches the
	                        passages holding the gold answer (an
	                        oracle: it reads the answer) */
	KC_AUDIT_SOLVERS
};

/* The solver's name ("lex-idf"), or NULL when out of range. */
const char *kc_audit_solver_name(int solver);
/* One line on what the solver does, for --help. */
const char *kc_audit_solver_doc(int solver);
/* The solver named `name`, or -1. */
int kc_audit_solver_find(const char *name);
/* 1 when the solver reads what a model never sees (the gold answer). */
int kc_audit_solver_oracle(int solver);

struct kc_audit_opts {
	unsigned solvers;        /* bit (1u << solver) per solver to run;
	                            0: all */
};

void kc_audit_opts_init(struct kc_audit_opts *o);

/* One solver's outcome on one record. */
struct kc_audit_score {
	int scored;              /* 0: the solver did not run on it (not
	                            chosen, or answer without answers) */
	double credit;           /* 1/tied when the real question is among
	                            the best, else 0 */
	size_t rank;             /* 1 + candidates scored strictly higher */
	size_t tied;             /* candidates scored as the real one, itself
	                            included */
};

/* What kc_audit() learnt about one record. */
struct kc_audit_result {
	char id[128];            /* "" when the record has none */
	char source[64];         /* the record's source, "-" when unknown */
	char length[16];         /* "8k": the power of two at or above the
	                            budget (or tokens); "-" when unknown */
	const char *format;      /* "verl", "swift", "chat", "text",
	                            "keychain" (static) */
	size_t questions;        /* distinct questions at chain ends */
	size_t pairs;            /* pairs found in the prompt */
	size_t passages;         /* passages of the context */
	int answers;             /* the record carries gold answers */
	int answer_found;        /* one of them occurs in the context */
	struct kc_audit_score solver[KC_AUDIT_SOLVERS];
};

typedef struct kc_auditor kc_auditor;

/* An auditor keeps scratch space between records and the running totals
 * of the summary; it is not shared between threads. */
kc_status kc_auditor_new(kc_auditor **a, const struct kc_audit_opts *opts,
                         struct kc_error *err);
void kc_auditor_free(kc_auditor *a);

/*
 * Audit one rendered record (any kc-render format) and add it to the
 * totals.  Returns KC_OK; KC_EFIELD when the record cannot be audited
 * (not a rendered record, no pairs, no real question, the real question
 * at no chain's end: err says which; the record is counted as
 * unaudited); KC_ENOMEM.  res is filled in either case as far as known.
 */
kc_status kc_audit(kc_auditor *a, const json_t *rec,
                   struct kc_audit_result *res, struct kc_error *err);

/* The per-record line of kc-audit --per-record (a new reference). */
json_t *kc_audit_result_json(const struct kc_audit_result *res);

/*
 * The totals so far (a new reference): "records" audited, "unaudited",
 * "questions" (mean per record), "chance" (mean of 1/questions),
 * "solvers" (an object per solver run: "records", "accuracy", "chance",
 * "ratio" = accuracy / chance, "oracle"), and "by_source", "by_length"
 * (objects of such summaries without their own groups).  Groups beyond
 * the 256th are counted under "other".
 */
json_t *kc_audit_summary(const kc_auditor *a);

#endif /* KC_AUDIT_H */
