/*
 * judge/private.h - what the judge's files share, private to libkc (unit
 * tests include it): Python-exact text functions (text.c), extraction
 * (extract.c), scoring one response (judge.c).
 */
#ifndef KC_JUDGE_PRIVATE_H
#define KC_JUDGE_PRIVATE_H

#include "kc.h"

/* ------------------------------------------------------------------ */
/* Text (text.c) */

/* Properties of one code point as Python 3 sees them. */
#define KC_UNI_WORD           0x01u /* re's \w: letter, number or '_' */
#define KC_UNI_SPACE          0x02u /* str.isspace(), re's \s */
#define KC_UNI_CASED          0x04u /* Cased (for the final-sigma rule) */
#define KC_UNI_CASE_IGNORABLE 0x08u /* Case_Ignorable (final sigma) */
#define KC_UNI_LOONG_PUNCT    0x10u /* blanked by LoongRL's normalize_text */

/*
 * The KC_UNI_* flags of code point `cp` (0 for a value that is not a
 * code point).  Categories and case come from utf8proc; see text.c
 * for the few properties utf8proc does not carry.
 */
unsigned kc_uni_props(int32_t cp);

/*
 * Append Python's str.lower() of the UTF-8 text s[0..n) to `out`: full
 * lower-case mapping (U+0130 becomes "i" U+0307) and the final-sigma
 * rule for U+03A3.  Bytes that are not valid UTF-8 are copied unchanged.
 * KC_ENOMEM or KC_ETOOLONG (out's cap) on failure.
 */
kc_status kc_text_lower(const char *s, size_t n, kc_buf *out);

/*
 * Python's str.strip() with no argument: move *s and shrink *n past
 * leading and trailing white space (str.isspace()).
 */
void kc_text_strip(const char **s, size_t *n);

/* The number of code points in the UTF-8 text s[0..n) (Python's len();
 * a byte that is not valid UTF-8 counts as one). */
size_t kc_text_cplen(const char *s, size_t n);

/* The byte offset of code point k of s[0..n), counted as kc_text_cplen()
 * counts (n when the text is shorter): Python's s[k:]. */
size_t kc_text_cpskip(const char *s, size_t n, size_t k);

/*
 * Append the SQuAD normalization of s[0..n) to `out` (it is not cleared):
 * lower-case (as str.lower()), drop ASCII punctuation (string.punctuation),
 * replace the words a, an, the (re's \b(a|an|the)\b, Unicode \w) by a
 * space, then split on white space and join with single spaces.  The
 * same function as normalize_answer() in the reference.  `tmp` is
 * scratch space the caller keeps between calls (it may be reused).
 */
kc_status kc_text_normalize(const char *s, size_t n, kc_buf *out,
                            kc_buf *tmp);

/*
 * Append LoongRL's normalize_text() of s[0..n) to `out`: lower-case,
 * blank the characters of its punctuation class (KC_UNI_LOONG_PUNCT),
 * blank "import x as y\n" lines, collapse white space, strip.  Used by the
 * format_em reward only.  `tmp` as for kc_text_normalize().
 */
kc_status kc_text_normalize_loong(const char *s, size_t n, kc_buf *out,
                                  kc_buf *tmp);

/* ------------------------------------------------------------------ */
/* Extraction (extract.c) */

/*
 * Find the final answer of the response s[0..n) by rule `how`.  On
 * KC_OK, *ans is NULL when the rule finds no answer, else it points to
 * *len bytes of UTF-8 (possibly 0) that stay valid until the next call
 * with the same `scratch` (the answer may live in it).  `scratch` is a
 * buffer the caller owns and keeps; KC_ENOMEM/KC_ETOOLONG from it.
 */
kc_status kc_extract(enum kc_extract how, const char *s, size_t n,
                     kc_buf *scratch, const char **ans, size_t *len);

/*
 * LoongRL's last_boxed_only_string() then remove_boxed() on t[0..n) as
 * it is (no strip, no '*' removal).  Returns 1 and the answer span (a
 * slice of t), or 0 when there is none.  `fbox`: also take \fbox{X},
 * which the reference cannot (kc's extension; the format rewards keep
 * the reference's rule and pass 0).
 */
int kc_extract_boxed(const char *t, size_t n, int fbox, const char **ans,
                     size_t *len);

/* ------------------------------------------------------------------ */
/* Scores (judge.c) */

/* The score of one response against the current gold answers. */
struct kc_judge_score {
	const char *answer;   /* NULL when no answer was found; borrowed */
	size_t answer_len;
	double m[KC_METRIC_COUNT];
	int correct;          /* under the handle's metric and threshold */
};

/*
 * Set the gold answers that the following kc_judge_score() calls compare
 * with (normalized once here).  The strings are copied.  KC_EINVAL when
 * n is 0.
 */
kc_status kc_judge_set_golds(kc_judge *j, const char *const *golds,
                             const size_t *lens, size_t n,
                             struct kc_error *err);

/*
 * Score the response s[0..n) against the gold answers: extract its
 * answer with rule `how`, compute every metric (the best over the gold
 * answers), and whether it is correct under the handle's metric.  The
 * answer in *out is borrowed until the next call on `j`.
 */
kc_status kc_judge_score(kc_judge *j, enum kc_extract how, const char *s,
                         size_t n, struct kc_judge_score *out,
                         struct kc_error *err);

/*
 * Look up a field by a dotted path ("reward_model.ground_truth") in an
 * object; NULL when a step is missing or not an object.
 */
json_t *kc_judge_lookup(const json_t *obj, const char *path);

#endif
