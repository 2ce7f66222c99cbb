/*
 * canonical.c - what a canonical record must hold (kc_record_validate).
 *
 * kc-import writes canonical records and every later tool reads them;
 * this is the one place that says what they must hold, so that a record
 * a tool accepts is one the others can use, and a broken one is refused
 * at the first tool with a message that names the field.
 */
#include "kc.h"

static kc_status nonempty_string(const json_t *rec, const char *key,
                                 struct kc_error *err)
{
	const char *s;
	size_t len;
	kc_status st = kc_get_string(rec, key, &s, &len, err);

	if (st)
		return st;
	if (len == 0)
		return kc_error_set(err, KC_EFIELD, "\"%s\" is empty", key);
	return KC_OK;
}

static kc_status check_answers(const json_t *rec, struct kc_error *err)
{
	json_t *a;
	kc_status st = kc_get_array(rec, "answers", &a, err);

	if (st)
		return st;
	if (json_array_size(a) == 0)
		return kc_error_set(err, KC_EFIELD, "\"answers\" is empty");
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *s = json_array_get(a, i);

		if (!json_is_string(s))
			return kc_error_set(err, KC_EFIELD, "\"answers\"[%zu] is not "
			                    "a string", i);
		/* an empty gold answer would match every prediction */
		if (json_string_length(s) == 0)
			return kc_error_set(err, KC_EFIELD, "\"answers\"[%zu] is "
			                    "empty", i);
	}
	return KC_OK;
}

static kc_status check_docs(const json_t *rec, size_t *ndocs,
                            struct kc_error *err)
{
	static const char *const keys[] = { "title", "text" };
	json_t *docs;
	kc_status st = kc_get_array(rec, "docs", &docs, err);

	if (st)
		return st;
	*ndocs = json_array_size(docs);
	for (size_t i = 0; i < *ndocs; i++) {
		json_t *d = json_array_get(docs, i);

		if (!json_is_object(d))
			return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] is not an "
			                    "object", i);
		for (int k = 0; k < 2; k++) {
			json_t *v = json_object_get(d, keys[k]);

			if (!v)
				return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] has no "
				                    "\"%s\"", i, keys[k]);
			if (!json_is_string(v))
				return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] \"%s\" "
				                    "is not a string", i, keys[k]);
		}
	}
	return KC_OK;
}

static kc_status check_supporting(const json_t *rec, size_t ndocs,
                                  struct kc_error *err)
{
	json_t *sup;
	json_int_t prev = -1;
	kc_status st = kc_get_array(rec, "supporting", &sup, err);

	if (st)
		return st;
	for (size_t i = 0; i < json_array_size(sup); i++) {
		json_t *v = json_array_get(sup, i);
		json_int_t k;

		if (!json_is_integer(v))
			return kc_error_set(err, KC_EFIELD, "\"supporting\"[%zu] is not "
			                    "an integer", i);
		k = json_integer_value(v);
		if (k < 0 || (size_t)k >= ndocs)
			return kc_error_set(err, KC_EFIELD, "\"supporting\"[%zu] (%lld) "
			                    "is not an index into \"docs\" (%zu docs)",
			                    i, (long long)k, ndocs);
		if (k <= prev)
			return kc_error_set(err, KC_EFIELD, "\"supporting\" is not in "
			                    "increasing order at [%zu] (%lld after %lld)",
			                    i, (long long)k, (long long)prev);
		prev = k;
	}
	return KC_OK;
}

kc_status kc_record_validate(const json_t *rec, struct kc_error *err)
{
	json_t *source;
	size_t ndocs;
	kc_status st;

	if (!json_is_object(rec))
		return kc_error_set(err, KC_EFIELD, "record is not an object");
	if ((st = nonempty_string(rec, "id", err)))
		return st;
	source = json_object_get(rec, "source");
	if (source && !json_is_string(source))
		return kc_error_set(err, KC_EFIELD, "\"source\" is not a string");
	if ((st = nonempty_string(rec, "question", err)) ||
	    (st = check_answers(rec, err)) ||
	    (st = check_docs(rec, &ndocs, err)) ||
	    (st = check_supporting(rec, ndocs, err)))
		return st;
	return KC_OK;
}
