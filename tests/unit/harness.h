/*
 * harness.h - a tiny assert harness for the C unit tests.
 *
 *     TEST(parse_length) { CHECK(kc_parse_length("32k", &v) == KC_OK);
 *                          CHECK_EQ_INT(v, 32768); }
 *     int main(void) { RUN(parse_length); return DONE(); }
 *
 * Prints "ok N - name" or "not ok N - name" with the failing check.
 */
#ifndef KC_HARNESS_H
#define KC_HARNESS_H

#include <stdio.h>
#include <string.h>

static int h_count, h_failed, h_cur_failed;

#define TEST(name) static void test_##name(void)
#define RUN(name) do { \
	h_cur_failed = 0; h_count++; test_##name(); \
	if (h_cur_failed) { h_failed++; printf("not ok %d - %s\n", h_count, #name); } \
	else printf("ok %d - %s\n", h_count, #name); \
} while (0)
#define DONE() (printf("# %d passed, %d failed\n", h_count - h_failed, h_failed), h_failed != 0)

#define CHECK(cond) do { if (!(cond)) { h_cur_failed = 1; \
	printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ_INT(a, b) do { long long h_a = (long long)(a), h_b = (long long)(b); \
	if (h_a != h_b) { h_cur_failed = 1; \
	printf("#   %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, h_a, h_b); } } while (0)
#define CHECK_EQ_STR(a, b) do { const char *h_a = (a), *h_b = (b); \
	if (!h_a || !h_b || strcmp(h_a, h_b)) { h_cur_failed = 1; \
	printf("#   %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
	       h_a ? h_a : "(null)", h_b ? h_b : "(null)"); } } while (0)

#endif
