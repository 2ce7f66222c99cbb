/*
 * record.c - where each kc-render format keeps what the audit reads.
 *
 *   format    prompt                     real question          answers
 *   verl      prompt[] user content      extra_info.input_question  reward_model.ground_truth
 *   swift     messages[] user content    (none: the head's)     answers, solution
 *   chat      messages[] user content    question               answers
 *   text      prompt                     question               answers
 *   keychain  distractor_context         input                  answers
 *
 * The id, the source and the length only label the record in the
 * summary; they come from the record's own fields or, failing those,
 * from the render's provenance ("kc" or "render": budget, tokens).
 * Nothing here tells a solver which question is the real one.
 */
#include <stdio.h>
#include <string.h>

#include "audit/private.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The content of the last user message of a messages array. */
static const json_t *user_content(const json_t *msgs)
{
	const json_t *found = NULL, *m;
	size_t i;

	json_array_foreach(msgs, i, m) {
		const char *role = str(m, "role");
		const json_t *c = json_object_get(m, "content");
		if (role && !strcmp(role, "user") && json_is_string(c))
			found = c;
	}
	return found;
}

static void copy(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s ? s : "-");
}

/* "8k": the power of two at or above n tokens (up to 2^40). */
static void length_label(char *dst, size_t size, json_int_t n)
{
	unsigned long long p = 1;
	char buf[32];
	size_t len;

	if (n <= 0) {
		copy(dst, size, NULL);
		return;
	}
	while (p < (unsigned long long)n && p < (1ULL << 40))
		p *= 2;
	if (p >= 1024)
		snprintf(buf, sizeof buf, "%lluk", p / 1024);
	else
		snprintf(buf, sizeof buf, "%llu", p);
	len = strlen(buf) < size ? strlen(buf) : size - 1;
	memcpy(dst, buf, len);
	dst[len] = '\0';
}

static void labels(struct kc_audit_result *res, const json_t *rec,
                   const json_t *prov, const char *id, const char *source)
{
	const json_t *b = json_object_get(prov, "budget");

	if (!json_is_integer(b) || json_integer_value(b) <= 0)
		b = json_object_get(prov, "tokens");
	if (!id)
		id = str(rec, "id");
	if (!id)
		id = str(prov, "id");
	snprintf(res->id, sizeof res->id, "%s", id ? id : "");
	if (!source)
		source = str(rec, "source");
	if (!source)
		source = str(prov, "source");
	copy(res->source, sizeof res->source, source);
	length_label(res->length, sizeof res->length,
	             json_is_integer(b) ? json_integer_value(b) : 0);
}

/* verl's data_source is "custom_longcontext_needle_qa_" + source. */
static const char *verl_source(const json_t *rec, const json_t *prov)
{
	const char *s = str(prov, "source"), *ds = str(rec, "data_source");
	static const char prefix[] = "custom_longcontext_needle_qa_";

	if (s || !ds)
		return s;
	return strncmp(ds, prefix, sizeof prefix - 1) ? ds
	                                              : ds + sizeof prefix - 1;
}

kc_status audit_read_record(struct audit_rec *r, const json_t *rec,
                            struct kc_audit_result *res,
                            struct kc_error *err)
{
	const json_t *text = NULL, *prov = NULL, *prompt, *msgs, *q = NULL;
	const char *id = NULL, *source = NULL;

	copy(res->id, sizeof res->id, str(rec, "id"));
	if (!str(rec, "id"))
		res->id[0] = '\0';
	r->answers = NULL;
	r->head = NULL;
	r->head_len = 0;
	prompt = json_object_get(rec, "prompt");
	msgs = json_object_get(rec, "messages");
	if (!json_is_object(rec)) {
		return kc_error_set(err, KC_EFIELD, "not a record (%s)",
		                    kc_json_type_name(rec));
	} else if (json_is_string(json_object_get(rec, "distractor_context"))) {
		res->format = "keychain";
		text = json_object_get(rec, "distractor_context");
		q = json_object_get(rec, "input");
		r->answers = json_object_get(rec, "answers");
		prov = json_object_get(rec, "kc");
		id = str(rec, "index");
		r->head = str(rec, "chain_head_with_question");
		r->head_len = r->head ? strlen(r->head) : 0;
	} else if (json_is_array(prompt)) {
		const json_t *x = json_object_get(rec, "extra_info");
		res->format = "verl";
		text = user_content(prompt);
		q = json_object_get(x, "input_question");
		r->answers = json_object_get(json_object_get(rec, "reward_model"),
		                             "ground_truth");
		prov = json_object_get(x, "kc");
		id = str(x, "index");
		source = verl_source(rec, prov);
	} else if (json_is_string(prompt)) {
		res->format = "text";
		text = prompt;
		q = json_object_get(rec, "question");
		r->answers = json_object_get(rec, "answers");
		prov = json_object_get(rec, "render");
	} else if (json_is_array(msgs)) {
		text = user_content(msgs);
		q = json_object_get(rec, "question");
		res->format = q ? "chat" : "swift";
		r->answers = json_object_get(rec, "answers");
		if (!r->answers)
			r->answers = json_object_get(rec, "solution");
		prov = json_object_get(rec, q ? "render" : "kc");
	} else {
		return kc_error_set(err, KC_EFIELD, "not a rendered record (no "
		                    "\"prompt\", \"messages\" or "
		                    "\"distractor_context\")");
	}
	labels(res, rec, prov, id, source);
	if (!text)
		return kc_error_set(err, KC_EFIELD, "no user message in the %s "
		                    "record", res->format);
	r->text = json_string_value(text);
	r->len = json_string_length(text);
	if (q && !json_is_string(q))
		return kc_error_set(err, KC_EFIELD, "the real question is not a "
		                    "string");
	r->question = q ? json_string_value(q) : NULL;
	r->question_len = q ? json_string_length(q) : 0;
	if (r->answers && !json_is_array(r->answers) &&
	    !json_is_string(r->answers))
		r->answers = NULL;
	res->answers = r->answers && (json_is_string(r->answers) ||
	                              json_array_size(r->answers) > 0);
	return KC_OK;
}
