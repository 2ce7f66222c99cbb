/*
 * json-diff.h - hold kc_json_parse and kc_json_dump against jansson, the
 * reference: the differential check shared by the unit test
 * (tests/unit/test-json.c) and the libFuzzer target (fuzz-json.c).
 *
 * For one text: both accept it or both refuse it; when both refuse it,
 * we say KC_EUTF8 exactly when jansson says json_error_invalid_utf8, and
 * our message is jansson's ("malformed JSON: <its text> (column C)", or
 * "invalid UTF-8 (column C)"), with its line and column;
 * when both accept it, the values are equal, and json_dumps of jansson's
 * value, kc_json_dump of jansson's value and kc_json_dump of ours are the
 * same bytes, in the same key order.
 */
#ifndef KC_JSON_DIFF_H
#define KC_JSON_DIFF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kc.h"

#define JSON_DIFF_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY)

/* NULL when kc agrees with jansson on `text`, else what differs. */
static const char *json_diff(const char *text, size_t len)
{
	static char why[1400];
	json_error_t je;
	struct kc_error err;
	json_t *ref, *ours;
	const char *res = NULL;

	kc_error_clear(&err);
	ref = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	ours = kc_json_parse(text, len, &err);
	if (!ref && !ours) {
		int ref_utf8 = json_error_code(&je) == json_error_invalid_utf8;
		char want[400], where[64];

		if (je.line > 1)
			snprintf(where, sizeof where, "(line %d, column %d)",
			         je.line, je.column);
		else
			snprintf(where, sizeof where, "(column %d)", je.column);
		if (ref_utf8)
			snprintf(want, sizeof want, "invalid UTF-8 %s", where);
		else
			snprintf(want, sizeof want, "malformed JSON: %s %s", je.text,
			         where);
		if (ref_utf8 != (err.status == KC_EUTF8) ||
		    (err.status != KC_EUTF8 && err.status != KC_EJSON) ||
		    strcmp(want, err.text) || err.line != je.line ||
		    err.column != je.column) {
			snprintf(why, sizeof why, "error differs: jansson \"%.300s\", "
			         "kc \"%.300s\" (line %ld, column %ld)", want, err.text,
			         err.line, err.column);
			return why;
		}
		return NULL;
	}
	if (!ref || !ours) {
		snprintf(why, sizeof why, "%s: jansson %s, kc %s",
		         ref ? "kc refuses" : "kc accepts",
		         ref ? "accepts" : je.text, ours ? "accepts" : err.text);
		res = why;
	} else if (!json_equal(ref, ours)) {
		res = "values differ";
	} else {
		char *a = json_dumps(ref, JSON_DIFF_FLAGS);
		char *b = json_dumps(ours, JSON_DIFF_FLAGS);
		kc_buf c, d;

		kc_buf_init(&c, 0);
		kc_buf_init(&d, 0);
		if (!a || !b)
			res = "json_dumps failed";
		else if (strcmp(a, b))
			res = "key order differs";
		else if (kc_json_dump(ref, &c) || kc_json_dump(ours, &d))
			res = "kc_json_dump failed";
		else if (c.len != strlen(a) || memcmp(c.data, a, c.len))
			res = "kc_json_dump differs from json_dumps";
		else if (d.len != c.len || memcmp(c.data, d.data, c.len))
			res = "kc_json_dump of the two values differs";
		free(a);
		free(b);
		kc_buf_release(&c);
		kc_buf_release(&d);
	}
	json_decref(ref);
	json_decref(ours);
	return res;
}

/*
 * NULL when kc_json_dump(v) is what json_dumps(v) writes (or both fail),
 * else what differs.
 */
static const char *json_diff_dump(const json_t *v)
{
	char *a = json_dumps(v, JSON_DIFF_FLAGS);
	kc_buf b;
	kc_status st;
	const char *res = NULL;

	kc_buf_init(&b, 0);
	st = kc_json_dump(v, &b);
	if (!a && st == KC_OK)
		res = "kc_json_dump succeeds where json_dumps fails";
	else if (a && st != KC_OK)
		res = "kc_json_dump fails where json_dumps succeeds";
	else if (a && (b.len != strlen(a) || memcmp(a, b.data, b.len)))
		res = "kc_json_dump differs from json_dumps";
	free(a);
	kc_buf_release(&b);
	return res;
}

#endif
