/*
 * verify/private.h - what the checker's files share, private to libkc
 * (unit tests include it): the record level (verify.c) hands the prompt's
 * text to the text checks (text.c).
 */
#ifndef KC_VERIFY_PRIVATE_H
#define KC_VERIFY_PRIVATE_H

#include "kc.h"

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
	long decoys;             /* branches off the real chain that lead
	                            nowhere */
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

#endif
