/*
 * Unit tests of answer extraction and the rewards (lib/judge*.c).
 *
 * The expected values are worked out by hand from the Python definitions
 * quoted beside each test; the wide comparisons against the running
 * Python are tests/t3010 (every code point) and t3020 (the test set).
 *
 *   test-judge --dump-unicode   print one line per code point, "CP FLAGS
 *                               LOWER", for tests/judge/unicode.py
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "kc.h"
#include "judge/private.h"
#include "harness.h"

static char *norm(const char *s)
{
	static kc_buf out, tmp;

	out.len = 0;
	if (kc_text_normalize(s, strlen(s), &out, &tmp))
		return NULL;
	return out.data;
}

static char *lower(const char *s)
{
	static kc_buf out;

	out.len = 0;
	if (kc_text_lower(s, strlen(s), &out))
		return NULL;
	return out.data;
}

static char *loong(const char *s)
{
	static kc_buf out, tmp;

	out.len = 0;
	if (kc_text_normalize_loong(s, strlen(s), &out, &tmp))
		return NULL;
	return out.data;
}

TEST(normalize_ascii)
{
	CHECK_EQ_STR(norm("The Cat!"), "cat");
	CHECK_EQ_STR(norm("  a  b\tc\n"), "b c");
	CHECK_EQ_STR(norm("Arthur's Magazine"), "arthurs magazine");
	/* articles inside words stay */
	CHECK_EQ_STR(norm("theatre another Anna"), "theatre another anna");
	/* punctuation goes first: "the-end" is one word */
	CHECK_EQ_STR(norm("the-end"), "theend");
	CHECK_EQ_STR(norm("the_end"), "theend");
	CHECK_EQ_STR(norm("A.B."), "ab");
	CHECK_EQ_STR(norm("a an the"), "");
	CHECK_EQ_STR(norm("..."), "");
	CHECK_EQ_STR(norm(""), "");
	CHECK_EQ_STR(norm("The The"), "");
	CHECK_EQ_STR(norm("the1 the"), "the1");
}

TEST(normalize_unicode)
{
	/* Python: 'İ'.lower() == 'i\u0307' */
	CHECK_EQ_STR(lower("\xc4\xb0"), "i\xcc\x87");
	/* final sigma: 'ΟΔΟΣ'.lower() == 'οδος', 'ΣΑ'.lower() == 'σα' */
	CHECK_EQ_STR(lower("\xce\x9f\xce\x94\xce\x9f\xce\xa3"),
	             "\xce\xbf\xce\xb4\xce\xbf\xcf\x82");
	CHECK_EQ_STR(lower("\xce\xa3\xce\x91"), "\xcf\x83\xce\xb1");
	/* 'Σ' alone is not final: no cased letter before it */
	CHECK_EQ_STR(lower("\xce\xa3"), "\xcf\x83");
	/* "ΑΣ'" - the apostrophe is case-ignorable: still final */
	CHECK_EQ_STR(lower("\xce\x91\xce\xa3'"), "\xce\xb1\xcf\x82'");
	/* "ΑΣ'Β" - a cased letter after it: not final */
	CHECK_EQ_STR(lower("\xce\x91\xce\xa3'\xce\x92"),
	             "\xce\xb1\xcf\x83'\xce\xb2");
	/* Kelvin sign K lower-cases to ASCII k */
	CHECK_EQ_STR(lower("\xe2\x84\xaa"), "k");
	/* \b is Unicode-aware: "théâtre" has no article; "the" before a
	 * combining acute is a whole word (U+0301 is not \w) */
	CHECK_EQ_STR(norm("th\xc3\xa9\xc3\xa2tre"), "th\xc3\xa9\xc3\xa2tre");
	CHECK_EQ_STR(norm("the\xcc\x81 x"), "\xcc\x81 x");
	/* "theα": α is \w, so no word boundary */
	CHECK_EQ_STR(norm("the\xce\xb1"), "the\xce\xb1");
	/* U+00A0 and U+3000 split, U+200B (Cf) does not */
	CHECK_EQ_STR(norm("x\xc2\xa0y\xe3\x80\x80z"), "x y z");
	CHECK_EQ_STR(norm("x\xe2\x80\x8by"), "x\xe2\x80\x8by");
	/* Unicode punctuation is not string.punctuation */
	CHECK_EQ_STR(norm("\xe2\x80\x9cx\xe2\x80\x9d"), "\xe2\x80\x9cx\xe2\x80\x9d");
}

TEST(normalize_loong)
{
	CHECK_EQ_STR(loong("  Hello, World!  "), "hello world");
	/* backslash and underscore are not in LoongRL's class */
	CHECK_EQ_STR(loong("a\\b_c"), "a\\b_c");
	CHECK_EQ_STR(loong("x \xe2\x80\x94 y\xe3\x80\x8a"), "x y");
	CHECK_EQ_STR(loong("x import numpy as np\ny"), "x y");
	CHECK_EQ_STR(loong("import numpy as np"), "import numpy as np");
	/* '—' is one blank, so the pattern's single \s still matches */
	CHECK_EQ_STR(loong("import\xe2\x80\x94np as x\n"), "");
}

TEST(strip_and_len)
{
	const char *s = "\xe3\x80\x80 x y\xc2\x85\n";
	size_t n = strlen(s);

	kc_text_strip(&s, &n);
	CHECK_EQ_INT(n, 3);
	CHECK(!memcmp(s, "x y", 3));
	CHECK_EQ_INT(kc_text_cplen("\xc4\xb0x\xf0\x9f\x98\x80", 7), 3);
}

static char *ex(enum kc_extract how, const char *s)
{
	static kc_buf scratch;
	static char out[256];
	const char *a;
	size_t n;

	if (kc_extract(how, s, strlen(s), &scratch, &a, &n))
		return "(error)";
	if (!a)
		return "(none)";
	snprintf(out, sizeof out, "%.*s", (int)n, a);
	return out;
}

TEST(extract_boxed)
{
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "so \\boxed{Paris}."), "Paris");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "\\boxed{a} then \\boxed{b}"), "b");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "\\boxed{\\text{N{Y}C}}"),
	             "\\text{N{Y}C}");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "**\\boxed{yes}**"), "yes");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "\\boxed{open"), "(none)");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "$\\boxed 42$ done"), "42");
	/* "\boxed " anywhere wins over a later \boxed{} */
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "\\boxed x \\boxed{y}"),
	             "x \\boxed{y}");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "\\fbox{Rome}"), "Rome");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "\\boxedx{Rome}"), "(none)");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "no box"), "(none)");
	CHECK_EQ_STR(ex(KC_EXTRACT_BOXED, "\\boxed{}"), "");
}

TEST(extract_think)
{
	CHECK_EQ_STR(ex(KC_EXTRACT_THINK, "\\boxed{a}</think>\\boxed{b}"), "b");
	CHECK_EQ_STR(ex(KC_EXTRACT_THINK, "\\boxed{a}"), "(none)");
	CHECK_EQ_STR(ex(KC_EXTRACT_THINK, "x</think>  "), "(none)");
	CHECK_EQ_STR(ex(KC_EXTRACT_THINK, "<think>\\boxed{a}</think>b"),
	             "(none)");
}

TEST(extract_answer_is)
{
	/* the FIRST "the answer is", case-insensitive, stripped */
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_IS,
	                "So THE ANSWER IS Paris. The answer is Rome."),
	             "Paris. The answer is Rome.");
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_IS, "The answer is   "), "");
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_IS, "no"), "(none)");
	/* the index is taken in the lower-cased text: one U+0130 before
	 * the match shifts the cut one character right */
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_IS, "\xc4\xb0 the answer isxyz"),
	             "yz");
}

TEST(extract_tag_and_line)
{
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_TAG,
	                "<answer>a</answer> <answer> b </answer>"), "b");
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_TAG, "<answer> open"), "open");
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_LINE,
	                "Answer: no\nmore\n**Final Answer:** Paris **\nbye"),
	             "Paris");
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_LINE, "Answer:\n\n  Rome\n"), "Rome");
	CHECK_EQ_STR(ex(KC_EXTRACT_ANSWER_LINE, "The answer: x"), "(none)");
}

TEST(extract_auto)
{
	CHECK_EQ_STR(ex(KC_EXTRACT_AUTO, "\\boxed{a}</think>The answer is b"),
	             "b");
	CHECK_EQ_STR(ex(KC_EXTRACT_AUTO, "<answer>x</answer> \\boxed{y}"), "y");
	CHECK_EQ_STR(ex(KC_EXTRACT_AUTO, "<answer>x</answer>\nAnswer: z"), "x");
	CHECK_EQ_STR(ex(KC_EXTRACT_AUTO, "Answer: z\nthe answer is w"), "z");
	CHECK_EQ_STR(ex(KC_EXTRACT_AUTO, "nothing"), "(none)");
}

static struct kc_judge_score score(kc_judge *j, enum kc_extract how,
                                   const char *resp, const char *g1,
                                   const char *g2)
{
	struct kc_judge_score sc;
	const char *golds[2] = { g1, g2 };
	size_t lens[2] = { strlen(g1), g2 ? strlen(g2) : 0 };

	memset(&sc, 0, sizeof sc);
	if (kc_judge_set_golds(j, golds, lens, g2 ? 2 : 1, NULL) ||
	    kc_judge_score(j, how, resp, strlen(resp), &sc, NULL))
		sc.m[0] = -1;
	return sc;
}

TEST(metrics)
{
	kc_judge *j;
	struct kc_judge_score sc;

	CHECK(kc_judge_new(&j, NULL, NULL) == KC_OK);
	sc = score(j, KC_EXTRACT_NONE, "the Paris", "Paris", NULL);
	CHECK(sc.m[KC_METRIC_EM] == 1 && sc.m[KC_METRIC_CEM] == 1);
	sc = score(j, KC_EXTRACT_NONE, "Paris France", "Paris", NULL);
	CHECK(sc.m[KC_METRIC_EM] == 0 && sc.m[KC_METRIC_SUB_EM] == 1);
	CHECK(sc.m[KC_METRIC_CEM] == 0);
	/* f1: 1 common of 2 and 1 tokens: p 0.5, r 1, f1 2/3 */
	CHECK(sc.m[KC_METRIC_F1] == (2 * 0.5 * 1.0) / (0.5 + 1.0));
	/* yes/no only match themselves under f1 */
	sc = score(j, KC_EXTRACT_NONE, "yes", "yes it is", NULL);
	CHECK(sc.m[KC_METRIC_F1] == 0 && sc.m[KC_METRIC_SUB_EM] == 1);
	/* best over gold answers */
	sc = score(j, KC_EXTRACT_NONE, "NYC", "New York", "nyc");
	CHECK(sc.m[KC_METRIC_EM] == 1);
	CHECK(sc.correct);
	/* no answer: 0 */
	sc = score(j, KC_EXTRACT_BOXED, "I think Paris", "Paris", NULL);
	CHECK(!sc.answer && sc.m[KC_METRIC_SUB_EM] == 0 && !sc.correct);
	kc_judge_free(j);
}

TEST(empty_normalized_hole_closed)
{
	struct kc_judge_opts o;
	kc_judge *j, *c;
	struct kc_judge_score sc;

	kc_judge_opts_init(&o);
	CHECK(kc_judge_new(&j, &o, NULL) == KC_OK);
	o.reference_compat = 1;
	CHECK(kc_judge_new(&c, &o, NULL) == KC_OK);
	sc = score(j, KC_EXTRACT_BOXED, "\\boxed{the}", "Paris", NULL);
	CHECK(sc.answer && sc.m[KC_METRIC_SUB_EM] == 0 &&
	      sc.m[KC_METRIC_CEM] == 0 && !sc.correct);
	sc = score(c, KC_EXTRACT_BOXED, "\\boxed{the}", "Paris", NULL);
	CHECK(sc.m[KC_METRIC_SUB_EM] == 1 && sc.m[KC_METRIC_CEM] == 1);
	CHECK(sc.correct);
	sc = score(j, KC_EXTRACT_BOXED, "\\boxed{.}", "Paris", NULL);
	CHECK(sc.m[KC_METRIC_CEM] == 0);
	/* a gold that normalizes to "": matched by anything in compat only */
	sc = score(j, KC_EXTRACT_NONE, "Pink Floyd", "The The", NULL);
	CHECK(sc.m[KC_METRIC_SUB_EM] == 0);
	sc = score(c, KC_EXTRACT_NONE, "Pink Floyd", "The The", NULL);
	CHECK(sc.m[KC_METRIC_SUB_EM] == 1);
	/* empty before normalization: 0 even in compat (all references) */
	sc = score(c, KC_EXTRACT_ANSWER_IS, "The answer is ", "Paris", NULL);
	CHECK(sc.answer && sc.answer_len == 0 && sc.m[KC_METRIC_CEM] == 0);
	kc_judge_free(j);
	kc_judge_free(c);
}

TEST(format_rewards)
{
	kc_judge *j;
	struct kc_judge_score sc;

	CHECK(kc_judge_new(&j, NULL, NULL) == KC_OK);
	sc = score(j, KC_EXTRACT_BOXED, "so \\boxed{Paris}", "Paris", NULL);
	CHECK(sc.m[KC_METRIC_FORMAT_EM] == 1 && sc.m[KC_METRIC_FORMAT_F1] == 1);
	/* two \boxed: 0 */
	sc = score(j, KC_EXTRACT_BOXED, "\\boxed{x} \\boxed{Paris}", "Paris",
	           NULL);
	CHECK(sc.m[KC_METRIC_FORMAT_EM] == 0 && sc.m[KC_METRIC_SUB_EM] == 1);
	/* nested braces: two '{' in the answer */
	sc = score(j, KC_EXTRACT_BOXED, "\\boxed{{Paris}}", "Paris", NULL);
	CHECK(sc.m[KC_METRIC_FORMAT_EM] == 1);
	sc = score(j, KC_EXTRACT_BOXED, "\\boxed{\\text{a}\\text{Paris}}",
	           "Paris", NULL);
	CHECK(sc.m[KC_METRIC_FORMAT_EM] == 0);
	/* more than 32 characters after the answer */
	sc = score(j, KC_EXTRACT_BOXED,
	           "\\boxed{Paris} and then a long tail of more text.",
	           "Paris", NULL);
	CHECK(sc.m[KC_METRIC_FORMAT_EM] == 0 && sc.m[KC_METRIC_CEM] == 1);
	kc_judge_free(j);
}

/* A 10 MB response of braces, backslashes, sigmas and articles goes
 * through every rule (bench/judge.sh measures that the cost is linear;
 * tests never time). */
TEST(big_response)
{
	static const char pat[] = "{\\boxe{d}\xce\xa3 the \xce\xa3'a";
	size_t n = (size_t)10 << 20;
	char *s = malloc(n + 20);
	const char *gold = "\xce\xa3";
	size_t gl = strlen(gold);
	struct kc_judge_score sc;
	kc_judge *j;

	CHECK(s != NULL && kc_judge_new(&j, NULL, NULL) == KC_OK);
	for (size_t i = 0; i < n; i++)
		s[i] = pat[i % (sizeof pat - 1)];
	memcpy(s + n, "\\boxed{\xce\xa3}", 10);
	n += 10;
	CHECK(kc_judge_set_golds(j, &gold, &gl, 1, NULL) == KC_OK);
	for (int e = 0; e < KC_EXTRACT_COUNT; e++)
		CHECK(kc_judge_score(j, (enum kc_extract)e, s, n, &sc,
		                     NULL) == KC_OK);
	CHECK(kc_judge_score(j, KC_EXTRACT_BOXED, s, n, &sc, NULL) == KC_OK);
	CHECK(sc.answer && sc.answer_len == 2 && sc.m[KC_METRIC_CEM] == 1);
	CHECK(sc.m[KC_METRIC_FORMAT_EM] == 1);
	free(s);
	kc_judge_free(j);
}

static void dump_unicode(void)
{
	kc_buf out;
	char enc[8];

	kc_buf_init(&out, 0);
	for (int32_t cp = 0; cp <= 0x10ffff; cp++) {
		size_t n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)enc);
		out.len = 0;
		kc_text_lower(enc, n, &out);
		printf("%X %u", (unsigned)cp, kc_uni_props(cp));
		for (size_t i = 0; i < out.len; ) {
			size_t adv;
			int32_t c;

			adv = (size_t)utf8proc_iterate(
				(const utf8proc_uint8_t *)out.data + i,
				(utf8proc_ssize_t)(out.len - i), &c);
			printf(" %X", (unsigned)c);
			i += adv;
		}
		putchar('\n');
	}
	kc_buf_release(&out);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--dump-unicode")) {
		dump_unicode();
		return 0;
	}
	RUN(normalize_ascii);
	RUN(normalize_unicode);
	RUN(normalize_loong);
	RUN(strip_and_len);
	RUN(extract_boxed);
	RUN(extract_think);
	RUN(extract_answer_is);
	RUN(extract_tag_and_line);
	RUN(extract_auto);
	RUN(metrics);
	RUN(empty_normalized_hole_closed);
	RUN(format_rewards);
	RUN(big_response);
	return DONE();
}
