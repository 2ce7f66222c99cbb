/*
 * Unit tests of json.c: kc_json_parse and kc_json_dump against jansson
 * (json_loadb / json_dumps), the reference, on hand-picked edge cases,
 * on generated texts (valid, then mutated byte by byte) and on the real
 * dataset files; plus error positions and writing to files.
 *
 * The comparison itself is tests/fuzz/json/json-diff.h, shared with the
 * libFuzzer target.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kc.h"
#include "harness.h"
#include "../fuzz/json/json-diff.h"

static int t_shown;

/* Compare one text; on a difference show it (the first few only). */
static int t_same(const char *text, size_t len)
{
	const char *why = json_diff(text, len);

	if (!why)
		return 1;
	if (t_shown++ < 10) {
		printf("#   differs on %zu bytes: %s\n#   text: ", len, why);
		for (size_t i = 0; i < len && i < 120; i++) {
			unsigned char c = (unsigned char)text[i];
			if (c >= 0x20 && c < 0x7f)
				putchar(c);
			else
				printf("\\x%02x", c);
		}
		printf("\n");
	}
	return 0;
}

#define SAME(s) CHECK(t_same((s), sizeof(s) - 1))

TEST(edge_cases_agree_with_jansson)
{
	/* accepted */
	SAME("{}"); SAME("[]"); SAME(" \t\r\n[ 1 , 2 ]\n"); SAME("\"\"");
	SAME("0"); SAME("-0"); SAME("1.5"); SAME("-0.0"); SAME("1e5");
	SAME("1E+5"); SAME("1e-5"); SAME("123.456e-7"); SAME("true");
	SAME("false"); SAME("null"); SAME("\"a\\/b\""); SAME("\"\\u00e9\"");
	SAME("\"\\uD83D\\uDE00\""); SAME("\"\\ud83d\\ude00\"");
	SAME("\"\xf0\x9f\x98\x80 \xc3\xa9 \xe2\x82\xac\""); SAME("\"\x7f\"");
	SAME("9223372036854775807"); SAME("-9223372036854775808");
	SAME("1e-400"); SAME("-1e-400"); SAME("4.9e-324");
	SAME("1.7976931348623157e308");
	SAME("{\"a\":1,\"b\":2,\"a\":3}");         /* last wins, first place */
	SAME("{\"b\":1,\"a\":2}");                 /* insertion order */
	SAME("{\"k\\n\\u00e9\":[1,{\"k\\n\\u00e9\":2}]}");
	SAME("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"");
	/* jansson's lost push-back byte: a NUL after a number or a word */
	SAME("1\0"); SAME("[1\0]"); SAME("[true\0,null\0]"); SAME("[1.5\0]");
	SAME("[1\0\0]"); SAME("\"a\"\0"); SAME("[\"a\"\0]");
	/* refused */
	SAME(""); SAME(" "); SAME("["); SAME("]"); SAME("{"); SAME("[1,]");
	SAME("{\"a\":1,}"); SAME("{\"a\"}"); SAME("{\"a\" 1}"); SAME("{1:2}");
	SAME("[1 2]"); SAME("01"); SAME("-"); SAME("-a"); SAME("1."); SAME(".5");
	SAME("1e"); SAME("1e+"); SAME("+1"); SAME("0x10"); SAME("tru");
	SAME("truex"); SAME("True"); SAME("nul"); SAME("nan"); SAME("Infinity");
	SAME("\"abc"); SAME("\"a\nb\""); SAME("\"a\tb\""); SAME("\"\\x\"");
	SAME("\"\\u12\""); SAME("\"\\u12g4\""); SAME("\"\\u0000\"");
	SAME("{\"a\\u0000\":1}"); SAME("\"\\uD800\""); SAME("\"\\uDC00\"");
	SAME("\"\\uD800\\u0041\""); SAME("\"\\uD800\\n\""); SAME("\"\\uD800x\"");
	SAME("9223372036854775808"); SAME("-9223372036854775809");
	SAME("99999999999999999999999"); SAME("1e400"); SAME("-1e400");
	SAME("[1] x"); SAME("{} {}"); SAME("\xef\xbb\xbf{}"); SAME("\x00");
	SAME("[\x01]"); SAME("\"\x01\""); SAME("'a'"); SAME("[1,,2]");
	SAME("\f1"); SAME("\v1"); SAME("/*c*/1");
	/* bad UTF-8, alone and racing a syntax error */
	SAME("\"\xff\""); SAME("\"\xc3\""); SAME("\"\xc3(\""); SAME("\"\xc0\xaf\"");
	SAME("\"\xed\xa0\x80\""); SAME("\"\xf4\x90\x80\x80\"");
	SAME("\"\xe2\x82\""); SAME("\xff"); SAME("[1\xff]"); SAME("[1 \xff]");
	SAME("[1x\xff]"); SAME("[tru\xff]"); SAME("[true\xff]");
	SAME("[1 2\xff]"); SAME("[1 \"a\xff\"]"); SAME("[1e\xff]");
	SAME("[1.\xff]"); SAME("[-\xff]"); SAME("[0\xff]"); SAME("[01\xff]");
	SAME("\"\\uD800\xff\""); SAME("\"\\uD800\\q\xff\"");
	SAME("\"\\u0000\xff\""); SAME("{\"\\u0000\xff\":1}");
	SAME("\"\\\xff\""); SAME("\"\\u\xff\""); SAME("\"\\u1\xff\"");
	SAME("\"\\\xc3\xa9\""); SAME("[\xc3\xa9]"); SAME("[1\xc3\xa9\xff]");
	SAME("9999999999999999999999\xff"); SAME("1e400\xff"); SAME("[1\0\xff]");
	SAME("{\"a\":1 \xff}"); SAME("{\"a\" \xff}"); SAME("{\xff}");
	SAME("\"\\uD800\\uDC0\xff\""); SAME("\"\\uD800\\uD800\xff\"");
}

TEST(nesting_limit_is_janssons)
{
	size_t n = 100000;
	char *s = malloc(2 * n + 8);

	for (size_t depth = 2046; depth <= 2050; depth++) {
		/* depth empty arrays, then depth arrays around a scalar */
		memset(s, '[', depth);
		memset(s + depth, ']', depth);
		CHECK(t_same(s, 2 * depth));
		memset(s, '[', depth);
		s[depth] = '1';
		memset(s + depth + 1, ']', depth);
		CHECK(t_same(s, 2 * depth + 1));
	}
	/* far too deep: refused, without using the stack */
	memset(s, '[', n);
	CHECK(t_same(s, n));
	for (size_t i = 0; i < n; i++)
		memcpy(s + 5 * (i % (n / 5)), "{\"a\":", 5);
	CHECK(t_same(s, n));
	free(s);
}

/* ------------------------------------------------------------------ */
/* Generated texts. */

static void put(kc_buf *b, const char *s) { kc_buf_puts(b, s); }

static void gen_ws(kc_rng *r, kc_buf *b)
{
	static const char *ws[] = { "", "", "", " ", "\n", "\t", "\r\n  " };

	put(b, ws[kc_rng_below(r, 7)]);
}

static void gen_string(kc_rng *r, kc_buf *b)
{
	static const char *pieces[] = {
		"a", "Z", " ", "hello world", "\\\"", "\\\\", "\\/", "\\b",
		"\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9", "\\u20AC",
		"\\uD83D\\uDE00", "\\uffff", "\\u001f", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\x7f", "/", "'", "{", "]", ",", ":",
		"\xef\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80", "\xf4\x8f\xbf\xbf",
	};
	size_t n = kc_rng_below(r, 12);

	put(b, "\"");
	if (kc_rng_below(r, 20) == 0) {
		/* a long plain run, to cross the 16-byte blocks */
		size_t len = kc_rng_below(r, 300);
		for (size_t i = 0; i < len; i++)
			kc_buf_append(b, &"abcdefgh"[i % 8], 1);
	}
	for (size_t i = 0; i < n; i++)
		put(b, pieces[kc_rng_below(r, sizeof pieces / sizeof *pieces)]);
	put(b, "\"");
}

static void gen_number(kc_rng *r, kc_buf *b)
{
	static const char *nums[] = {
		"0", "-0", "1", "-1", "42", "3.14", "-2.5e10", "1e-7", "1E21",
		"6.02214076e23", "9223372036854775807", "-9223372036854775808",
		"0.1", "123456789012345678", "1.7976931348623157e308",
		"2.2250738585072014e-308", "5e-324", "100000000000000000000.0",
	};

	if (kc_rng_below(r, 2))
		put(b, nums[kc_rng_below(r, sizeof nums / sizeof *nums)]);
	else
		kc_buf_printf(b, "%lld", (long long)kc_rng_next(r) >>
		              kc_rng_below(r, 63));
}

static void gen_value(kc_rng *r, kc_buf *b, int depth)
{
	unsigned k = (unsigned)kc_rng_below(r, depth > 4 ? 5 : 8);

	switch (k) {
	case 0: case 1:
		gen_string(r, b);
		break;
	case 2:
		gen_number(r, b);
		break;
	case 3: {
		static const char *w[] = { "true", "false", "null" };
		put(b, w[kc_rng_below(r, 3)]);
		break;
	}
	case 4:
		gen_number(r, b);
		break;
	case 5: case 6: {
		size_t n = kc_rng_below(r, 5);
		put(b, "[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				put(b, ",");
			gen_ws(r, b);
			gen_value(r, b, depth + 1);
			gen_ws(r, b);
		}
		put(b, "]");
		break;
	}
	default: {
		size_t n = kc_rng_below(r, 5);
		put(b, "{");
		for (size_t i = 0; i < n; i++) {
			if (i)
				put(b, ",");
			gen_ws(r, b);
			if (kc_rng_below(r, 4) == 0)
				put(b, "\"k\"");        /* duplicates */
			else
				gen_string(r, b);
			gen_ws(r, b);
			put(b, ":");
			gen_ws(r, b);
			gen_value(r, b, depth + 1);
		}
		put(b, "}");
	}
	}
}

/* Damage the text: what the refusal paths are made of. */
static void mutate(kc_rng *r, kc_buf *b)
{
	static const char bytes[] = "\0\x01\x1f\x7f\x80\xbf\xc0\xc3\xe2\xed"
	                            "\xf0\xf4\xf5\xff\"\\{}[],:ue0-.+ \n";
	size_t n = 1 + kc_rng_below(r, 3);

	for (size_t i = 0; i < n && b->len; i++) {
		size_t at = kc_rng_below(r, b->len);
		char c = bytes[kc_rng_below(r, sizeof bytes - 1)];

		switch (kc_rng_below(r, 4)) {
		case 0:         /* replace */
			b->data[at] = c;
			break;
		case 1:         /* insert */
			if (kc_buf_reserve(b, 1) == KC_OK) {
				memmove(b->data + at + 1, b->data + at, b->len - at);
				b->data[at] = c;
				b->len++;
			}
			break;
		case 2:         /* delete */
			memmove(b->data + at, b->data + at + 1, b->len - at - 1);
			b->len--;
			break;
		default:        /* truncate */
			b->len = at;
		}
	}
}

TEST(generated_texts_agree_with_jansson)
{
	kc_rng r;
	kc_buf b;
	int bad = 0, n = 40000;

	kc_rng_seed(&r, 1, "json", 4, "generate");
	kc_buf_init(&b, 0);
	for (int i = 0; i < n; i++) {
		b.len = 0;
		gen_ws(&r, &b);
		gen_value(&r, &b, 0);
		gen_ws(&r, &b);
		if (!t_same(b.data, b.len))
			bad++;
		mutate(&r, &b);
		if (!t_same(b.data, b.len))
			bad++;
	}
	kc_buf_release(&b);
	CHECK_EQ_INT(bad, 0);
}

/* ------------------------------------------------------------------ */
/* Real files. */

static char *t_data_dir(void)
{
	static char dir[4096];
	const char *env = getenv("KC_DATA");
	char exe[4096];
	ssize_t n;
	struct stat st;

	if (env)
		return strcpy(dir, env);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	/* walk up from the binary to the source tree (it has lib/kc.h) */
	for (char *slash; (slash = strrchr(exe, '/')) && slash != exe;) {
		*slash = '\0';
		snprintf(dir, sizeof dir, "%.4000s/lib/kc.h", exe);
		if (stat(dir, &st) != 0)
			continue;
		snprintf(dir, sizeof dir, "%.4000s/../shared/data/real", exe);
		if (stat(dir, &st) != 0)
			snprintf(dir, sizeof dir, "%.4000s/examples/data", exe);
		return dir;
	}
	return NULL;
}

static char *t_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	kc_buf b;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	kc_buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		kc_buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.data;
}

TEST(real_files_agree_with_jansson)
{
	static const char *files[] = {
		"hotpotqa/hipporag__hotpotqa_train.json",
		"hotpotqa/migres__hotpot.cleaned.json",
		"hotpotqa/rakin061__hotpot_dev_distractor_v1.first53.json",
		"musique/hipporag__musique_train.json",
		"musique/hipporag__musique_train.jsonl",
		"musique/migres__musique.jsonl",
		"musique/cas__musique.json",
		"2wikimqa/migres__wikihop.cleaned.json",
		"2wikimqa/kag__2wiki_qa_sub.json",
	};
	const char *dir = t_data_dir();
	int found = 0, bad = 0, pieces = 0;
	kc_rng r;

	kc_rng_seed(&r, 2, "real", 4, "mutate");
	CHECK(dir != NULL);
	for (size_t i = 0; dir && i < sizeof files / sizeof *files; i++) {
		char path[4600];
		size_t len;
		char *text;

		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		if (!(text = t_slurp(path, &len)))
			continue;
		found++;
		bad += !t_same(text, len);
		/* each line, then damaged copies and cut-off prefixes of it */
		for (char *p = text, *nl; p < text + len; p = nl + 1) {
			kc_buf b;

			nl = memchr(p, '\n', (size_t)(text + len - p));
			if (!nl)
				nl = text + len;
			pieces++;
			bad += !t_same(p, (size_t)(nl - p));
			if (nl - p < 200)
				continue;
			kc_buf_init(&b, 0);
			for (int k = 0; k < 3; k++) {
				b.len = 0;
				kc_buf_append(&b, p, (size_t)(nl - p));
				mutate(&r, &b);
				bad += !t_same(b.data, b.len);
			}
			bad += !t_same(p, kc_rng_below(&r, (size_t)(nl - p)));
			kc_buf_release(&b);
		}
		free(text);
	}
	printf("#   %d real files, %d lines, each also damaged\n", found, pieces);
	CHECK(found >= 5);
	CHECK_EQ_INT(bad, 0);
}

/* ------------------------------------------------------------------ */
/* Dumping values jansson was not given as text. */

TEST(dump_matches_json_dumps)
{
	kc_rng r;
	json_t *v;
	char s[256];
	int bad = 0;

	kc_rng_seed(&r, 3, "dump", 4, "values");
	/* every byte below 0x80, alone and in company */
	for (int c = 0; c < 0x80; c++) {
		s[0] = 'x';
		s[1] = (char)c;
		s[2] = 'y';
		v = json_stringn(s + 1, 1);
		bad += json_diff_dump(v) != NULL;
		json_decref(v);
		v = json_stringn(s, 3);
		bad += json_diff_dump(v) != NULL;
		json_decref(v);
	}
	/* reals: special ones and random bit patterns */
	{
		static const double d[] = { 0.0, -0.0, 1.0, -1.5, 0.1, 1e21, 1e22,
		        1e-7, 1e-5, 123456789012345680000.0, 5e-324, 1e300,
		        1.7976931348623157e308, 2.2250738585072014e-308, 100.0 };
		for (size_t i = 0; i < sizeof d / sizeof *d; i++) {
			v = json_real(d[i]);
			bad += json_diff_dump(v) != NULL;
			json_decref(v);
		}
		for (int i = 0; i < 20000; i++) {
			uint64_t bits = kc_rng_next(&r);
			double x;

			memcpy(&x, &bits, sizeof x);
			if (!(v = json_real(x)))    /* NaN and infinities */
				continue;
			bad += json_diff_dump(v) != NULL;
			json_decref(v);
		}
	}
	/* integers */
	for (int i = 0; i < 2000; i++) {
		v = json_integer((json_int_t)kc_rng_next(&r) >> kc_rng_below(&r, 64));
		bad += json_diff_dump(v) != NULL;
		json_decref(v);
	}
	v = json_integer(LLONG_MIN);
	bad += json_diff_dump(v) != NULL;
	json_decref(v);
	/* random bytes as strings: both refuse the invalid ones */
	for (int i = 0; i < 20000; i++) {
		size_t n = kc_rng_below(&r, 40);
		for (size_t k = 0; k < n; k++) {
			uint64_t x = kc_rng_next(&r);
			s[k] = (char)(x % 4 ? 0x20 + x % 0x5f : x >> 8);
		}
		v = json_stringn_nocheck(s, n);
		bad += json_diff_dump(v) != NULL;
		json_decref(v);
	}
	CHECK_EQ_INT(bad, 0);
}

TEST(dump_refuses_a_cycle)
{
	json_t *a = json_array(), *b = json_array();
	kc_buf buf;

	json_array_append(a, b);
	json_array_append(b, a);
	kc_buf_init(&buf, 0);
	CHECK(json_dumps(a, JSON_DIFF_FLAGS) == NULL);
	CHECK(kc_json_dump(a, &buf) == KC_EINVAL);
	CHECK_EQ_INT(buf.len, 0);
	json_array_clear(b);
	/* shared but not circular: fine */
	json_array_append(b, json_true());
	json_array_append(a, b);
	CHECK(json_diff_dump(a) == NULL);
	kc_buf_release(&buf);
	json_decref(a);
	json_decref(b);
}

TEST(dump_appends_and_respects_the_cap)
{
	kc_buf b;
	json_t *v = json_pack("{s:s, s:[i,i]}", "k", "value", "n", 1, 2);

	kc_buf_init(&b, 0);
	kc_buf_puts(&b, "x");
	CHECK(kc_json_dump(v, &b) == KC_OK);
	CHECK_EQ_STR(b.data, "x{\"k\":\"value\",\"n\":[1,2]}");
	kc_buf_release(&b);
	kc_buf_init(&b, 10);
	CHECK(kc_json_dump(v, &b) == KC_ETOOLONG);
	CHECK_EQ_INT(b.len, 0);
	kc_buf_release(&b);
	json_decref(v);
}

TEST(long_strings_round_trip)
{
	size_t n = 3 << 20;
	kc_buf text;
	json_t *v;
	struct kc_error err;

	kc_buf_init(&text, 0);
	kc_buf_puts(&text, "{\"k\\\"ey\":\"");
	for (size_t i = 0; kc_buf_reserve(&text, 16) == KC_OK && i < n / 8; i++)
		kc_buf_puts(&text, i % 97 ? "abc def " : "\\n\\\"\xc3\xa9\\u0001 ");
	kc_buf_puts(&text, "\"}");
	CHECK(t_same(text.data, text.len));
	v = kc_json_parse(text.data, text.len, &err);
	CHECK(v != NULL);
	CHECK(json_string_length(json_object_get(v, "k\"ey")) > n / 2);
	json_decref(v);
	kc_buf_release(&text);
}

/* ------------------------------------------------------------------ */
/* Errors and writing. */

static void t_error(const char *text, kc_status want, const char *msg)
{
	struct kc_error err;
	json_t *v;

	kc_error_clear(&err);
	CHECK(t_same(text, strlen(text)));      /* and jansson says so too */
	v = kc_json_parse(text, strlen(text), &err);
	CHECK(v == NULL);
	CHECK_EQ_INT(err.status, want);
	CHECK_EQ_STR(err.text, msg);
	json_decref(v);
}

/* jansson's own words (the differential tests check them on every
 * refused text; these show what they look like). */
TEST(errors_say_where)
{
	t_error("{\"a\":1,}", KC_EJSON,
	        "malformed JSON: string or '}' expected near '}' (column 8)");
	t_error("[1,\n 2,\n x]", KC_EJSON,
	        "malformed JSON: invalid token near 'x' (line 3, column 2)");
	t_error("\"\xc3\xa9\xc3\xa9\xff\"", KC_EUTF8, "invalid UTF-8 (column 3)");
	t_error("[1] 2", KC_EJSON,
	        "malformed JSON: end of file expected near '2' (column 5)");
	t_error("", KC_EJSON,
	        "malformed JSON: unexpected token near end of file (column 0)");
	t_error("{\"a\": \"b\"", KC_EJSON,
	        "malformed JSON: '}' expected near end of file (column 9)");
	t_error("{\"\\u0000\": 1}", KC_EJSON, "malformed JSON: NUL byte in "
	        "object key not supported near '\"\\u0000\"' (column 9)");
	t_error("123456789012345678901", KC_EJSON,
	        "malformed JSON: too big integer (column 21)");
	t_error("[\"a very long string, no context\" x]", KC_EJSON,
	        "malformed JSON: ']' expected near 'x' (column 35)");
	t_error("[\"\\uD800 lone\"]", KC_EJSON,
	        "malformed JSON: invalid Unicode '\\uD800' near '\"\\uD800 lone\"' "
	        "(column 14)");
}

TEST(write_line_matches_json_dumps)
{
	json_t *v = json_pack("{s:s, s:f, s:[b,n]}", "t", "caf\xc3\xa9\n\"",
	                      "x", 0.25, "a", 1);
	FILE *f = tmpfile();
	char got[256], *want = json_dumps(v, JSON_DIFF_FLAGS);
	struct kc_error err;
	size_t n;

	CHECK(kc_json_write_line(f, v, &err) == KC_OK);
	rewind(f);
	n = fread(got, 1, sizeof got - 1, f);
	got[n] = '\0';
	CHECK(n == strlen(want) + 1 && got[n - 1] == '\n');
	got[n - 1] = '\0';
	CHECK_EQ_STR(got, want);
	fclose(f);
	free(want);
	json_decref(v);
}

TEST(write_line_reports_a_full_disk)
{
	FILE *f = fopen("/dev/full", "w");
	json_t *v = json_stringn_nocheck("x", 1);
	struct kc_error err;
	kc_status st = KC_OK;

	if (!f)
		return;
	setvbuf(f, NULL, _IONBF, 0);
	kc_error_clear(&err);
	st = kc_json_write_line(f, v, &err);
	CHECK(st == KC_EIO);
	CHECK(err.saved_errno == ENOSPC);
	fclose(f);
	json_decref(v);
}

int main(void)
{
	RUN(edge_cases_agree_with_jansson);
	RUN(nesting_limit_is_janssons);
	RUN(generated_texts_agree_with_jansson);
	RUN(real_files_agree_with_jansson);
	RUN(dump_matches_json_dumps);
	RUN(dump_refuses_a_cycle);
	RUN(dump_appends_and_respects_the_cap);
	RUN(long_strings_round_trip);
	RUN(errors_say_where);
	RUN(write_line_matches_json_dumps);
	RUN(write_line_reports_a_full_disk);
	return DONE();
}
