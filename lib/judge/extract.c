/*
 * extract.c - finding a response's final answer.
 *
 * Each rule is the one a reference scorer uses, character for character,
 * so a score here means what it means there:
 *
 *   boxed       LoongRL's last_boxed_only_string() + remove_boxed()
 *               (verl/utils/reward_score/longcontext_qa.py), on the
 *               stripped response with asterisks removed as its
 *               parse_model_answer() does (longcontext_qa_llm_judge.py).
 *   think       LoongRL's extract_solution(): only the text after the
 *               last "</think>" (none: no answer), stripped, then boxed.
 *   answer-is   KeyChain's stage-1 extract_answer()
 *               (filter_question/merge_output.py): after the FIRST
 *               "the answer is", case-insensitive, stripped.
 *   answer-tag  R1-Searcher's split("<answer>")[-1].split("</answer>")[0]
 *               (evaluation/eval_search_loacl.py), stripped.
 *   answer-line kc's own: the last line "Answer: X" (also "Final answer:",
 *               markdown bold allowed); X, or the next non-empty line
 *               when X is empty.
 *   auto        kc's own: after the last "</think>" if there is one,
 *               then boxed, answer-tag, answer-line, answer-is, in that
 *               order; the first that finds an answer wins.
 *   none        the whole response.
 *
 * Two departures from the references, both where they crash or cut
 * wrongly: \fbox{X} gives X (LoongRL's remove_boxed() asserts on it,
 * KeyChain's judge_utils cuts 7 characters), and a boxed part that does
 * not start "\boxed{" ("\boxed\n{x}") is no answer (LoongRL asserts).
 * All searches are linear in the length of the response.
 */
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "judge/private.h"

static const char *const extract_names[KC_EXTRACT_COUNT] = {
	[KC_EXTRACT_AUTO] = "auto",
	[KC_EXTRACT_BOXED] = "boxed",
	[KC_EXTRACT_THINK] = "think",
	[KC_EXTRACT_ANSWER_IS] = "answer-is",
	[KC_EXTRACT_ANSWER_LINE] = "answer-line",
	[KC_EXTRACT_ANSWER_TAG] = "answer-tag",
	[KC_EXTRACT_NONE] = "none",
};

const char *kc_extract_name(enum kc_extract how)
{
	return kc_name_of(KC_NAMES(extract_names), (int)how);
}

kc_status kc_extract_parse(const char *name, enum kc_extract *how,
                           struct kc_error *err)
{
	int v;
	kc_status st = kc_name_parse(KC_NAMES(extract_names),
	                             "extraction rule", name, &v, err);

	if (!st)
		*how = (enum kc_extract)v;
	return st;
}

/*
 * The last occurrence of needle in hay, or NULL.  Backwards from the end,
 * comparing only where the first byte matches; the needles here are
 * short, so this stays linear whatever the text.
 */
static const char *last_of(const char *hay, size_t n, const char *needle,
                           size_t m)
{
	const char *p;
	size_t end;

	if (m > n)
		return NULL;
	end = n - m + 1;  /* candidate starts are 0..n-m */
	while (end > 0 && (p = memrchr(hay, needle[0], end))) {
		if (!memcmp(p, needle, m))
			return p;
		end = (size_t)(p - hay);
	}
	return NULL;
}

static const char *first_of(const char *hay, size_t n, const char *needle,
                            size_t m)
{
	return memmem(hay, n, needle, m);
}

#define LIT(s) s, sizeof(s) - 1

int kc_extract_boxed(const char *t, size_t n, int fbox, const char **ans,
                     size_t *len)
{
	const char *p, *end;
	size_t i;
	ptrdiff_t d;

	/* "\boxed x" anywhere wins: the text after the last "\boxed " up to
	 * the next '$' (the reference tests for it before anything else). */
	if ((p = last_of(t, n, LIT("\\boxed ")))) {
		const char *a = p + 7;

		end = memchr(a, '$', (size_t)(t + n - a));
		*ans = a;
		*len = (size_t)((end ? end : t + n) - a);
		return 1;
	}
	p = last_of(t, n, LIT("\\boxed"));
	if (!p && !(p = last_of(t, n, LIT("\\fbox"))))
		return 0;
	/* Brace matching as the reference counts: the first '}' that brings
	 * the count (which may go negative) back to exactly 0. */
	end = NULL;
	d = 0;
	for (i = (size_t)(p - t); i < n; i++) {
		if (t[i] == '{') {
			d++;
		} else if (t[i] == '}') {
			d--;
			if (d == 0) {
				end = t + i + 1;
				break;
			}
		}
	}
	if (!end)
		return 0;
	if ((size_t)(end - p) >= 8 && !memcmp(p, "\\boxed{", 7)) {
		*ans = p + 7;
		*len = (size_t)(end - 1 - *ans);
		return 1;
	}
	if (fbox && (size_t)(end - p) >= 7 && !memcmp(p, "\\fbox{", 6)) {
		*ans = p + 6;
		*len = (size_t)(end - 1 - *ans);
		return 1;
	}
	return 0;
}

/* Copy t[0..n) without '*' into scratch (LoongRL's replace('*', '')). */
static kc_status no_stars(const char *t, size_t n, kc_buf *scratch)
{
	kc_status st;

	scratch->len = 0;
	if ((st = kc_buf_reserve(scratch, n)))
		return st;
	for (size_t i = 0; i < n; i++)
		if (t[i] != '*')
			scratch->data[scratch->len++] = t[i];
	scratch->data[scratch->len] = '\0';
	return KC_OK;
}

/* strip, drop '*', boxed: the body shared by boxed and think. */
static kc_status boxed_rule(const char *t, size_t n, kc_buf *scratch,
                            const char **ans, size_t *len)
{
	kc_status st;

	kc_text_strip(&t, &n);
	if (n == 0)
		return KC_OK;
	if ((st = no_stars(t, n, scratch)))
		return st;
	if (!kc_extract_boxed(scratch->data, scratch->len, 1, ans, len))
		*ans = NULL;
	return KC_OK;
}

/* The text after the last "</think>", or NULL when there is none. */
static const char *after_think(const char *s, size_t n, size_t *rest)
{
	const char *p = last_of(s, n, LIT("</think>"));

	if (!p)
		return NULL;
	p += 8;
	*rest = (size_t)(s + n - p);
	return p;
}

/*
 * KeyChain's stage-1 rule: idx = text.lower().find("the answer is");
 * answer = text[idx + 13:].strip().  The index is counted in the
 * lower-cased text and applied to the original; they differ by one for
 * each U+0130 (which lower-cases to two characters) before the match,
 * and we reproduce that, as the scores must agree.
 */
static kc_status answer_is(const char *s, size_t n, kc_buf *scratch,
                           const char **ans, size_t *len)
{
	const char *p;
	size_t i;
	kc_status st;

	scratch->len = 0;
	if ((st = kc_text_lower(s, n, scratch)))
		return st;
	p = first_of(scratch->data, scratch->len, LIT("the answer is"));
	if (!p)
		return KC_OK;
	i = kc_text_cpskip(s, n, kc_text_cplen(scratch->data,
	                                       (size_t)(p - scratch->data)) + 13);
	*ans = s + i;
	*len = n - i;
	kc_text_strip(ans, len);
	return KC_OK;
}

/* R1-Searcher: after the last "<answer>", up to the next "</answer>" or
 * the end (a server that stops at "</answer>" leaves it out). */
static void answer_tag(const char *s, size_t n, const char **ans,
                       size_t *len)
{
	const char *p = last_of(s, n, LIT("<answer>")), *q;

	if (!p)
		return;
	p += 8;
	q = first_of(p, (size_t)(s + n - p), LIT("</answer>"));
	*ans = p;
	*len = (size_t)((q ? q : s + n) - p);
	kc_text_strip(ans, len);
}

static int ci_prefix(const char *s, size_t n, const char *word)
{
	size_t m = strlen(word);

	if (n < m)
		return 0;
	for (size_t i = 0; i < m; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != word[i])
			return 0;
	}
	return 1;
}

static int blank_or_mark(char c)
{
	return c == ' ' || c == '\t' || c == '*' || c == '_' || c == '\r';
}

/* Trim blanks and markdown emphasis from both ends of a line span. */
static void trim_line(const char **a, size_t *n)
{
	while (*n && blank_or_mark(**a))
		(*a)++, (*n)--;
	while (*n && blank_or_mark((*a)[*n - 1]))
		(*n)--;
}

/*
 * Whether the line l[0..n) is "[#>*\s]*(final\s+)?answer[*_\s]*:" and
 * where the text after the colon starts.
 */
static int answer_line_head(const char *l, size_t n, size_t *rest)
{
	size_t i = 0;

	while (i < n && (blank_or_mark(l[i]) || l[i] == '#' || l[i] == '>'))
		i++;
	if (ci_prefix(l + i, n - i, "final")) {
		size_t j = i + 5;

		if (j >= n || (l[j] != ' ' && l[j] != '\t'))
			return 0;
		while (j < n && (l[j] == ' ' || l[j] == '\t'))
			j++;
		i = j;
	}
	if (!ci_prefix(l + i, n - i, "answer"))
		return 0;
	i += 6;
	while (i < n && blank_or_mark(l[i]))
		i++;
	if (i >= n || l[i] != ':')
		return 0;
	*rest = i + 1;
	return 1;
}

static void answer_line(const char *s, size_t n, const char **ans,
                        size_t *len)
{
	size_t end = n;

	/* lines from the last to the first */
	for (;;) {
		const char *nl = end ? memrchr(s, '\n', end) : NULL;
		size_t start = nl ? (size_t)(nl - s) + 1 : 0, rest;

		if (answer_line_head(s + start, end - start, &rest)) {
			const char *a = s + start + rest;
			size_t m = end - start - rest;

			trim_line(&a, &m);
			if (m == 0) {
				/* "Answer:" alone: the next non-empty line */
				const char *q = s + end;

				while (q < s + n) {
					const char *e = memchr(q, '\n',
					                       (size_t)(s + n - q));
					size_t k = (size_t)((e ? e : s + n) - q);

					a = q;
					m = k;
					trim_line(&a, &m);
					if (m)
						break;
					q = e ? e + 1 : s + n;
				}
			}
			*ans = a;
			*len = m;
			return;
		}
		if (!nl)
			return;
		end = (size_t)(nl - s);
	}
}

kc_status kc_extract(enum kc_extract how, const char *s, size_t n,
                     kc_buf *scratch, const char **ans, size_t *len)
{
	const char *t;
	size_t tn = 0;
	kc_status st;

	*ans = NULL;
	*len = 0;
	switch (how) {
	case KC_EXTRACT_NONE:
		*ans = s;
		*len = n;
		return KC_OK;
	case KC_EXTRACT_BOXED:
		return boxed_rule(s, n, scratch, ans, len);
	case KC_EXTRACT_THINK:
		if (!(t = after_think(s, n, &tn)))
			return KC_OK;
		return boxed_rule(t, tn, scratch, ans, len);
	case KC_EXTRACT_ANSWER_IS:
		return answer_is(s, n, scratch, ans, len);
	case KC_EXTRACT_ANSWER_TAG:
		answer_tag(s, n, ans, len);
		return KC_OK;
	case KC_EXTRACT_ANSWER_LINE:
		answer_line(s, n, ans, len);
		return KC_OK;
	case KC_EXTRACT_AUTO:
		if ((t = after_think(s, n, &tn))) {
			s = t;
			n = tn;
		}
		if ((st = boxed_rule(s, n, scratch, ans, len)) || *ans)
			return st;
		answer_tag(s, n, ans, len);
		if (*ans)
			return KC_OK;
		answer_line(s, n, ans, len);
		if (*ans)
			return KC_OK;
		return answer_is(s, n, scratch, ans, len);
	default:
		return KC_EINVAL;
	}
}
