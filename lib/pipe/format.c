/*
 * format.c - the rendered record in the format its reader expects.
 *
 * chat and text add the prompt to the record itself, for kc-ask and for
 * scripts; verl, swift and keychain build the record a trainer or the
 * reference's own scripts read (LoongRL's verl preprocessing, ms-swift,
 * KeyChain's field names).
 */
#include <stdio.h>
#include <string.h>

#include "pipe/private.h"

static json_t *user_message(const kc_buf *prompt)
{
	/* The prompt is made of valid UTF-8 cut at character boundaries
	 * only, so jansson's check of its bytes would be wasted. */
	return json_pack("[{s:s,s:o}]", "role", "user", "content",
	                 json_stringn_nocheck(prompt->data, prompt->len));
}

/* The reference's "distract_questions": the questions of the record's
 * "distractors", as strings; a new reference. */
static json_t *distract_questions(const json_t *rec)
{
	json_t *d = json_object_get(rec, "distractors"), *v, *out;
	size_t i;

	if (!json_is_array(d))
		return json_null();
	out = json_array();
	json_array_foreach(d, i, v)
		json_array_append(out, json_is_object(v) ?
		                  json_object_get(v, "question") : v);
	return out;
}

/*
 * Write the rendered record in the asked format.  chat and text add to
 * the record; verl, swift and keychain make the trainer's own record.
 * Takes the reference to `render`.
 */
kc_status kc_format_emit(kc_renderer *r, json_t *rec,
                         const struct kc_plan *plan, json_t *render,
                         json_t **out, struct kc_error *err)
{
	json_t *res = NULL, *answers = json_object_get(rec, "answers");
	json_t *chain = json_object_get(rec, "chain");
	/* The record's strings go on as values, not as C strings: a string
	 * may hold U+0000. */
	json_t *jsource = json_object_get(rec, "source");
	json_t *id = json_object_get(rec, "id");
	json_t *question = json_object_get(rec, "question");
	const char *source = json_string_value(jsource);
	json_int_t tokens = json_integer_value(json_object_get(render, "tokens"));

	switch (r->o.format) {
	case KC_FMT_CHAT:
	case KC_FMT_TEXT:
		if (r->o.format == KC_FMT_CHAT)
			json_object_set_new(rec, "messages", user_message(&r->prompt));
		else
			json_object_set_new(rec, "prompt",
			                    json_stringn(r->prompt.data, r->prompt.len));
		json_object_set_new(rec, "render", render);
		res = json_incref(rec);
		break;
	case KC_FMT_VERL: {
		char ds[256];
		if (r->o.data_source)
			snprintf(ds, sizeof ds, "%s", r->o.data_source);
		else
			snprintf(ds, sizeof ds, "custom_longcontext_needle_qa_%s",
			         source ? source : "kc");
		json_object_set(render, "id", id);
		if (source)
			json_object_set(render, "source", jsource);
		res = json_pack("{s:s,s:o,s:s,s:{s:s,s:O},s:{s:s,s:O,s:O,s:o}}",
		                "data_source", ds,
		                "prompt", user_message(&r->prompt),
		                "ability", "longcontext_qa",
		                "reward_model", "style", "rule", "ground_truth",
		                answers,
		                "extra_info", "split", r->o.split, "index", id,
		                "input_question", question, "kc", render);
		break;
	}
	case KC_FMT_SWIFT: {
		json_t *resp = json_object_get(rec, "responses");
		json_t *row = json_pack("{s:o,s:O,s:O,s:O,s:O?,s:I,s:o}",
		                        "messages", user_message(&r->prompt),
		                        "answers", answers,
		                        "solution", json_array_get(answers, 0) ?
		                        json_array_get(answers, 0) : json_null(),
		                        "id", id, "source", source ? jsource : NULL,
		                        "length", tokens, "kc", render);
		size_t i;
		json_t *v;
		if (!json_is_array(resp) || !row) {
			res = row;
			break;
		}
		/* SFT rows: one per response, the response as the assistant's
		 * turn (as KeyChain's convert_to_swift writes them). */
		res = json_array();
		json_array_foreach(resp, i, v) {
			json_t *copy = json_deep_copy(row);
			if (!json_is_string(v))
				continue;
			json_array_append_new(json_object_get(copy, "messages"),
			                      json_pack("{s:s,s:O}", "role",
			                                "assistant", "content", v));
			json_array_append_new(res, copy);
		}
		json_decref(row);
		break;
	}
	case KC_FMT_KEYCHAIN:
		res = json_pack("{s:O,s:O,s:s%,s:O,s:I,s:o,s:s%,s:s,s:o}",
		                "index", id, "input", question,
		                "context", r->bare.data ? r->bare.data : "",
		                r->bare.len, "answers", answers,
		                "length", tokens + plan->generate,
		                "distract_questions", distract_questions(rec),
		                "distractor_context",
		                r->ctx.data ? r->ctx.data : "", r->ctx.len,
		                "chain_head_with_question",
		                chain ? json_string_value(json_object_get(chain,
		                                                          "head"))
		                      : "",
		                "kc", render);
		break;
	}
	if (!res)
		return kc_error_set(err, KC_ENOMEM, "cannot build the %s record",
		                    "output");
	*out = res;
	return KC_OK;
}

