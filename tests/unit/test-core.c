/* Unit tests of the core helpers: lengths, buffers, rng, reader. */
#include <stdlib.h>
#include "kc.h"
#include "harness.h"

TEST(parse_length)
{
	long v = 0;

	CHECK(kc_parse_length("32768", &v) == KC_OK);
	CHECK_EQ_INT(v, 32768);
	CHECK(kc_parse_length("32k", &v) == KC_OK);
	CHECK_EQ_INT(v, 32768);
	CHECK(kc_parse_length("128K", &v) == KC_OK);
	CHECK_EQ_INT(v, 131072);
	CHECK(kc_parse_length("0", &v) == KC_EINVAL);
	CHECK(kc_parse_length("-4k", &v) == KC_EINVAL);
	CHECK(kc_parse_length("4kb", &v) == KC_EINVAL);
	CHECK(kc_parse_length("", &v) == KC_EINVAL);
}

TEST(buf_cap)
{
	kc_buf b;

	kc_buf_init(&b, 8);
	CHECK(kc_buf_append(&b, "12345678", 8) == KC_OK);
	CHECK(kc_buf_append(&b, "9", 1) == KC_ETOOLONG);
	CHECK_EQ_STR(b.data, "12345678");
	kc_buf_release(&b);
}

TEST(rng_depends_on_seed_id_purpose_only)
{
	kc_rng a, b, c, d;

	kc_rng_seed(&a, 42, "x1", 2, "fill");
	kc_rng_seed(&b, 42, "x1", 2, "fill");
	kc_rng_seed(&c, 42, "x2", 2, "fill");
	kc_rng_seed(&d, 42, "x1", 2, "chain");
	uint64_t va = kc_rng_next(&a);
	CHECK(va == kc_rng_next(&b));
	CHECK(va != kc_rng_next(&c));
	CHECK(va != kc_rng_next(&d));
}

TEST(rng_below_is_uniform_enough)
{
	kc_rng r;
	int hist[7] = { 0 };

	kc_rng_seed(&r, 1, "u", 1, "t");
	for (int i = 0; i < 70000; i++)
		hist[kc_rng_below(&r, 7)]++;
	for (int i = 0; i < 7; i++)
		CHECK(hist[i] > 9500 && hist[i] < 10500);
}

TEST(rng_normal_moments)
{
	kc_rng r;
	double s = 0, s2 = 0;
	int n = 100000;

	kc_rng_seed(&r, 7, "n", 1, "t");
	for (int i = 0; i < n; i++) {
		double x = kc_rng_normal(&r);
		s += x;
		s2 += x * x;
	}
	CHECK(s / n > -0.02 && s / n < 0.02);
	CHECK(s2 / n > 0.97 && s2 / n < 1.03);
}

TEST(utf8_prefix)
{
	CHECK_EQ_INT(kc_utf8_valid_prefix("abc", 3), 3);
	CHECK_EQ_INT(kc_utf8_valid_prefix("a\xc3\xa9", 3), 3);
	CHECK_EQ_INT(kc_utf8_valid_prefix("a\xc3", 2), 1);
	CHECK_EQ_INT(kc_utf8_valid_prefix("a\xed\xa0\x80", 4), 1); /* surrogate */
	CHECK_EQ_INT(kc_utf8_valid_prefix("\xc0\xaf", 2), 0);      /* overlong */
}

TEST(reader_lines_and_errors)
{
	FILE *f = fopen("reader-test.jsonl", "w");
	kc_reader *r;
	struct kc_error err;
	json_t *v;

	fputs("{\"a\":1}\n\n{bad\r\n{\"b\":2}", f);
	fclose(f);
	CHECK(kc_reader_open(&r, "reader-test.jsonl", 0, &err) == KC_OK);
	CHECK(kc_reader_next(r, &v, &err) == KC_OK);
	json_decref(v);
	CHECK(kc_reader_next(r, &v, &err) == KC_EJSON);
	CHECK_EQ_INT(err.line, 3);
	CHECK(kc_reader_next(r, &v, &err) == KC_OK);
	CHECK_EQ_INT(kc_reader_lineno(r), 4);
	json_decref(v);
	CHECK(kc_reader_next(r, &v, &err) == KC_EOF);
	kc_reader_free(r);
	remove("reader-test.jsonl");
}

TEST(reader_long_line_is_skipped)
{
	FILE *f = fopen("reader-long.jsonl", "w");
	kc_reader *r;
	struct kc_error err;
	json_t *v;

	fputs("{\"a\":\"", f);
	for (int i = 0; i < 3000000; i++)
		fputc('x', f);
	fputs("\"}\n{\"b\":2}\n", f);
	fclose(f);
	CHECK(kc_reader_open(&r, "reader-long.jsonl", 1 << 20, &err) == KC_OK);
	CHECK(kc_reader_next(r, &v, &err) == KC_ETOOLONG);
	CHECK_EQ_INT(err.line, 1);
	CHECK(kc_reader_next(r, &v, &err) == KC_OK);
	CHECK(json_object_get(v, "b") != NULL);
	json_decref(v);
	kc_reader_free(r);
	remove("reader-long.jsonl");
}

int main(void)
{
	RUN(parse_length);
	RUN(buf_cap);
	RUN(rng_depends_on_seed_id_purpose_only);
	RUN(rng_below_is_uniform_enough);
	RUN(rng_normal_moments);
	RUN(utf8_prefix);
	RUN(reader_lines_and_errors);
	RUN(reader_long_line_is_skipped);
	return DONE();
}
