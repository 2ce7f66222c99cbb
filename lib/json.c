/*
 * json.c - JSON lines in and out, and typed access to record fields.
 *
 * Records are jansson values.  Parsing and compact dumping go through the
 * two functions here so the tools share one error format and one place
 * to make them fast.
 */
#include <errno.h>
#include <string.h>

#include "kc.h"

json_t *kc_json_parse(const char *text, size_t len, struct kc_error *err)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &je);

	if (!v) {
		kc_status st = json_error_code(&je) == json_error_invalid_utf8
		                       ? KC_EUTF8 : KC_EJSON;
		if (json_error_code(&je) == json_error_out_of_memory)
			st = KC_ENOMEM;
		kc_error_set(err, st, "%s", st == KC_EUTF8 ? "invalid UTF-8"
		                     : st == KC_EJSON ? je.text : "out of memory");
		if (st == KC_EJSON && err)
			snprintf(err->text, sizeof err->text,
			         "malformed JSON: %s (column %d)", je.text,
			         je.column);
		if (err)
			err->column = je.column;
	}
	return v;
}

static int dump_to_buf(const char *s, size_t n, void *data)
{
	return kc_buf_append(data, s, n) ? -1 : 0;
}

kc_status kc_json_dump(const json_t *v, kc_buf *out)
{
	if (json_dump_callback(v, dump_to_buf, out, JSON_COMPACT | JSON_ENCODE_ANY))
		return KC_ENOMEM;
	return KC_OK;
}

static int dump_to_file(const char *s, size_t n, void *data)
{
	return fwrite(s, 1, n, data) == n ? 0 : -1;
}

kc_status kc_json_write_line(FILE *f, const json_t *v, struct kc_error *err)
{
	if (json_dump_callback(v, dump_to_file, f,
	                       JSON_COMPACT | JSON_ENCODE_ANY) ||
	    putc('\n', f) == EOF) {
		if (err)
			err->saved_errno = errno;
		return kc_error_set(err, KC_EIO, "write error: %s",
		                    strerror(errno));
	}
	return KC_OK;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static kc_status get(const json_t *obj, const char *key, json_type want,
                     json_t **out, struct kc_error *err)
{
	json_t *v;
	static const char *const want_name[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
	};

	if (!json_is_object(obj))
		return kc_error_set(err, KC_EFIELD, "record is not an object");
	v = json_object_get(obj, key);
	if (!v)
		return kc_error_set(err, KC_EFIELD, "missing \"%s\"", key);
	if (json_typeof(v) != want)
		return kc_error_set(err, KC_EFIELD, "\"%s\" is %s, not %s",
		                    key, type_name(v), want_name[want]);
	*out = v;
	return KC_OK;
}

kc_status kc_get_string(const json_t *obj, const char *key, const char **out,
                        size_t *len, struct kc_error *err)
{
	json_t *v;
	kc_status st = get(obj, key, JSON_STRING, &v, err);

	if (st)
		return st;
	*out = json_string_value(v);
	if (len)
		*len = json_string_length(v);
	return KC_OK;
}

kc_status kc_get_array(const json_t *obj, const char *key, json_t **out,
                       struct kc_error *err)
{
	return get(obj, key, JSON_ARRAY, out, err);
}

kc_status kc_get_object(const json_t *obj, const char *key, json_t **out,
                        struct kc_error *err)
{
	return get(obj, key, JSON_OBJECT, out, err);
}

kc_status kc_get_int(const json_t *obj, const char *key, long long *out,
                     struct kc_error *err)
{
	json_t *v;
	kc_status st = get(obj, key, JSON_INTEGER, &v, err);

	if (st)
		return st;
	*out = json_integer_value(v);
	return KC_OK;
}
