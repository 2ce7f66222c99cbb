/*
 * hub.c - a row of the Parquet files Hugging Face publishes, in the
 * layout of the JSON files the importers read.
 *
 * The Hub's datasets library stores a list of pairs as a struct of lists:
 *
 *     hotpot_qa        id, context {title[], sentences[][]},
 *                      supporting_facts {title[], sent_id[]}, ...
 *     2WikiMultihopQA  _id, context {title[], content[][]},
 *                      supporting_facts {title[], sent_id[]},
 *                      evidences {fact[], relation[], entity[]}, ...
 *     MuSiQue          as its JSON lines (lists of structs)
 *
 * so a row is zipped back into [title, sentences] pairs, [title, sent_id]
 * pairs and [fact, relation, entity] triples, and "id" becomes "_id".
 * A row that is already in the JSON layout is left as it is.
 */
#include <string.h>

#include "core/private.h"
#include "import/private.h"

/* obj[key] = [[a[i], b[i], ...] for i], from the struct of lists obj[key];
 * names[] NULL-terminated, a name of the form "x|y" taking either. */
static kc_status zip(json_t *item, const char *key, const char *const *names,
                     struct kc_error *err)
{
	json_t *s = json_object_get(item, key), *cols[4], *out;
	size_t k = 0, n = 0;

	if (!json_is_object(s))
		return KC_OK;
	for (; names[k]; k++) {
		const char *alt = strchr(names[k], '|');
		char first[32];
		snprintf(first, sizeof first, "%.*s",
		         (int)(alt ? (size_t)(alt - names[k]) : strlen(names[k])),
		         names[k]);
		cols[k] = json_object_get(s, first);
		if (!cols[k] && alt)
			cols[k] = json_object_get(s, alt + 1);
		if (!json_is_array(cols[k]))
			return kc_error_set(err, KC_EFIELD, "\"%s\" has no list "
			                    "\"%s\"", key, first);
		if (k && json_array_size(cols[k]) != n)
			return kc_error_set(err, KC_EFIELD, "\"%s\": lists of "
			                    "different lengths", key);
		n = json_array_size(cols[k]);
	}
	if (!(out = json_array()))
		return kc_error_nomem(err);
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array();
		for (size_t c = 0; t && c < k; c++)
			if (json_array_append(t, json_array_get(cols[c], i))) {
				json_decref(t);
				t = NULL;
			}
		if (!t || json_array_append_new(out, t)) {
			json_decref(out);
			return kc_error_nomem(err);
		}
	}
	if (json_object_set_new(item, key, out))
		return kc_error_nomem(err);
	return KC_OK;
}

kc_status kc_import_from_hub(json_t *item, struct kc_error *err)
{
	static const char *const context[] = { "title", "sentences|content",
	                                       NULL };
	static const char *const facts[] = { "title", "sent_id", NULL };
	static const char *const evidences[] = { "fact", "relation", "entity",
	                                         NULL };
	json_t *id = json_object_get(item, "id");
	kc_status st;

	if (!json_is_object(item))
		return KC_OK;
	if ((st = zip(item, "context", context, err)) ||
	    (st = zip(item, "supporting_facts", facts, err)) ||
	    (st = zip(item, "evidences", evidences, err)))
		return st;
	/* HotpotQA's "_id" is the Hub's "id"; MuSiQue keeps "id" */
	if (id && json_object_get(item, "context") &&
	    !json_object_get(item, "_id") &&
	    json_object_set(item, "_id", id))
		return kc_error_nomem(err);
	return KC_OK;
}
