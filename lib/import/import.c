/*
 * import.c - the published QA datasets into canonical records.
 *
 * Three sources, each read as published (SPEC section 2):
 *
 *   HotpotQA   {_id, question, answer, type, level, supporting_facts
 *               [[title, sent]], context [[title, [sentence, ...]]]}
 *   2Wiki      {_id, type, question, context, supporting_facts,
 *               evidences, answer, ...}
 *   MuSiQue    {id, paragraphs [{idx, title, paragraph_text,
 *               is_supporting}], question, question_decomposition
 *               [{..., paragraph_support_idx}], answer, answer_aliases,
 *               answerable}
 *
 * and canonical records, which are only validated.  A kc_importer puts a
 * file's elements (json/stream.c) through kc_json_parse and the
 * conversion here, one at a time, counting what it returns, leaves out
 * and reports.
 */
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "import/private.h"
#include "json/private.h"

static const char *const formats[] = {
	"hotpotqa", "musique", "2wikimqa", "canonical",
};

int kc_import_format_known(const char *format)
{
	for (size_t i = 0; format && i < sizeof formats / sizeof *formats; i++)
		if (!strcmp(format, formats[i]))
			return 1;
	return 0;
}

const char *kc_import_detect(const json_t *item)
{
	const char *type;

#define HAS(k) (json_object_get(item, k) != NULL)
	if (!json_is_object(item))
		return NULL;
	if (HAS("docs") && HAS("question"))
		return "canonical";
	if (HAS("paragraphs"))
		return "musique";
	if (!HAS("context"))
		return NULL;
	if (HAS("evidences"))
		return "2wikimqa";
	if (HAS("level"))
		return "hotpotqa";
	type = json_string_value(json_object_get(item, "type"));
	if (type && (!strcmp(type, "compositional") ||
	             !strcmp(type, "bridge_comparison") ||
	             !strcmp(type, "inference")))
		return "2wikimqa";
	if (HAS("supporting_facts"))
		return "hotpotqa";
	return NULL;
#undef HAS
}

/* ------------------------------------------------------------------ */
/* Building records. */

static int same_string(const json_t *a, const json_t *b)
{
	return json_string_length(a) == json_string_length(b) &&
	       !memcmp(json_string_value(a), json_string_value(b),
	               json_string_length(a));
}

/* rec[key] = item[key], shared, when the item has it. */
static kc_status copy_extra(json_t *rec, const json_t *item, const char *key)
{
	json_t *v = json_object_get(item, key);

	if (v && json_object_set(rec, key, v))
		return KC_ENOMEM;
	return KC_OK;
}

/* The start of every record: id, source, question, answers ([answer]). */
static kc_status record_head(const json_t *item, const char *idkey,
                             const char *source, json_t **rec,
                             json_t **answers, struct kc_error *err)
{
	json_t *id, *q, *a;
	kc_status st;

	if ((st = kc_get_string(item, idkey, &(const char *){ 0 }, NULL, err)) ||
	    (st = kc_get_string(item, "question", &(const char *){ 0 }, NULL,
	                        err)) ||
	    (st = kc_get_string(item, "answer", &(const char *){ 0 }, NULL, err)))
		return st;
	id = json_object_get(item, idkey);
	q = json_object_get(item, "question");
	a = json_object_get(item, "answer");
	*rec = json_object();
	*answers = json_array();
	if (!*rec || !*answers ||
	    json_object_set(*rec, "id", id) ||
	    json_object_set_new(*rec, "source", json_string(source)) ||
	    json_object_set(*rec, "question", q) ||
	    json_array_append(*answers, a) ||
	    json_object_set(*rec, "answers", *answers)) {
		json_decref(*rec);
		json_decref(*answers);
		return kc_error_nomem(err);
	}
	json_decref(*answers);      /* the record holds it now */
	return KC_OK;
}

static json_t *new_doc(json_t *title, const char *text, size_t len)
{
	json_t *doc = json_object(), *t = json_stringn_nocheck(len ? text : "",
	                                                        len);

	if (!doc || !t || json_object_set(doc, "title", title) ||
	    json_object_set_new(doc, "text", t)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* Sorted indices i with mark[i] set. */
static json_t *index_list(const char *mark, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (mark[i] && json_array_append_new(a, json_integer((json_int_t)i))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* rec.docs = docs (stolen, even on failure), rec.supporting = the
 * marked indices; -1 when out of memory. */
static int attach(json_t *rec, json_t *docs, const char *mark, size_t n)
{
	int bad = json_object_set_new(rec, "docs", docs);

	return bad | json_object_set_new(rec, "supporting", index_list(mark, n));
}

/*
 * HotpotQA and 2Wiki: docs from "context" [[title, [sentences]]], each
 * text the sentences joined with nothing between (they carry their own
 * spaces); supporting from the titles of "supporting_facts".
 */
static kc_status from_context(const json_t *item, const char *source,
                              const char *const *extras, json_t **out,
                              kc_buf *scratch, struct kc_error *err)
{
	json_t *rec = NULL, *answers, *ctx, *facts, *docs = NULL;
	char *mark = NULL;
	size_t n;
	kc_status st;

	if ((st = record_head(item, "_id", source, &rec, &answers, err)))
		return st;
	if ((st = kc_get_array(item, "context", &ctx, err)) ||
	    (st = kc_get_array(item, "supporting_facts", &facts, err)))
		goto fail;
	n = json_array_size(ctx);
	if (!(docs = json_array()) || !(mark = calloc(n + 1, 1)))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		json_t *pair = json_array_get(ctx, i), *title, *sents, *doc;

		title = json_array_get(pair, 0);
		sents = json_array_get(pair, 1);
		if (!json_is_array(pair) || json_array_size(pair) != 2 ||
		    !json_is_string(title) || !json_is_array(sents)) {
			st = kc_error_set(err, KC_EFIELD, "\"context\"[%zu] is not a "
			                  "[title, [sentence, ...]] pair", i);
			goto fail;
		}
		scratch->len = 0;
		for (size_t k = 0; k < json_array_size(sents); k++) {
			json_t *s = json_array_get(sents, k);

			if (!json_is_string(s)) {
				st = kc_error_set(err, KC_EFIELD, "\"context\"[%zu] "
				                  "sentence %zu is not a string", i, k);
				goto fail;
			}
			if (kc_buf_append(scratch, json_string_value(s),
			                  json_string_length(s)))
				goto nomem;
		}
		if (!(doc = new_doc(title, scratch->data, scratch->len)) ||
		    json_array_append_new(docs, doc))
			goto nomem;
	}
	for (size_t k = 0; k < json_array_size(facts); k++) {
		json_t *fact = json_array_get(facts, k);
		json_t *title = json_array_get(fact, 0);
		json_t *sent = json_array_get(fact, 1);
		long long want;
		size_t best = n;

		if (!json_is_array(fact) || json_array_size(fact) != 2 ||
		    !json_is_string(title) || !json_is_integer(sent)) {
			st = kc_error_set(err, KC_EFIELD, "\"supporting_facts\"[%zu] "
			                  "is not a [title, sentence] pair", k);
			goto fail;
		}
		/* Titles are unique but for rare duplicate paragraphs
		 * (2Wiki); then take the first that has the sentence. */
		want = json_integer_value(sent);
		for (size_t i = 0; i < n; i++) {
			json_t *pair = json_array_get(ctx, i);

			if (!same_string(json_array_get(pair, 0), title))
				continue;
			if (best == n)
				best = i;
			if (want >= 0 && (size_t)want <
			    json_array_size(json_array_get(pair, 1))) {
				best = i;
				break;
			}
		}
		if (best == n) {
			st = kc_error_set(err, KC_EFIELD, "\"supporting_facts\"[%zu]: "
			                  "no context paragraph is titled \"%.200s\"",
			                  k, json_string_value(title));
			goto fail;
		}
		mark[best] = 1;
	}
	if (attach(rec, docs, mark, n)) {
		docs = NULL;
		goto nomem;
	}
	for (const char *const *x = extras; *x; x++)
		if (copy_extra(rec, item, *x))
			goto nomem;
	free(mark);
	*out = rec;
	return KC_OK;
nomem:
	st = kc_error_nomem(err);
fail:
	free(mark);
	json_decref(docs);
	json_decref(rec);
	return st;
}

/* A string member of obj, the `i`th element of array `arr`, with messages
 * that say so. */
static kc_status member_string(const json_t *obj, const char *arr, size_t i,
                               const char *key, json_t **out,
                               struct kc_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return kc_error_set(err, KC_EFIELD, "\"%s\"[%zu] has no \"%s\"",
		                    arr, i, key);
	if (!json_is_string(v))
		return kc_error_set(err, KC_EFIELD, "\"%s\"[%zu] \"%s\" is not a "
		                    "string", arr, i, key);
	*out = v;
	return KC_OK;
}

/*
 * MuSiQue: answers are the answer then its aliases; docs the paragraphs
 * in order; supporting the paragraphs marked is_supporting, which must
 * be exactly those the question decomposition points to.
 */
/* The answer aliases after the answer, each once; an empty alias would
 * match any prediction and is left out. */
static kc_status musique_aliases(const json_t *item, json_t *answers,
                                 struct kc_error *err)
{
	json_t *aliases = json_object_get(item, "answer_aliases");

	if (aliases && !json_is_array(aliases))
		return kc_error_set(err, KC_EFIELD, "\"answer_aliases\" is not an "
		                    "array");
	for (size_t i = 0; i < json_array_size(aliases); i++) {
		json_t *a = json_array_get(aliases, i);
		int seen = 0;

		if (!json_is_string(a))
			return kc_error_set(err, KC_EFIELD, "\"answer_aliases\"[%zu] "
			                    "is not a string", i);
		if (json_string_length(a) == 0)
			continue;
		for (size_t k = 0; k < json_array_size(answers) && !seen; k++)
			seen = same_string(a, json_array_get(answers, k));
		if (!seen && json_array_append(answers, a))
			return kc_error_nomem(err);
	}
	return KC_OK;
}

/* The paragraphs as docs; mark[i] says whether paragraph i supports. */
static kc_status musique_docs(const json_t *paras, json_t *docs, char *mark,
                              struct kc_error *err)
{
	for (size_t i = 0; i < json_array_size(paras); i++) {
		json_t *p = json_array_get(paras, i), *title, *text, *is, *doc;
		kc_status st;

		if (!json_is_object(p))
			return kc_error_set(err, KC_EFIELD, "\"paragraphs\"[%zu] is not "
			                    "an object", i);
		if ((st = member_string(p, "paragraphs", i, "title", &title, err)) ||
		    (st = member_string(p, "paragraphs", i, "paragraph_text", &text,
		                        err)))
			return st;
		is = json_object_get(p, "is_supporting");
		if (!json_is_boolean(is))
			return kc_error_set(err, KC_EFIELD, is
			                    ? "\"paragraphs\"[%zu] \"is_supporting\" is "
			                      "not a boolean"
			                    : "\"paragraphs\"[%zu] has no "
			                      "\"is_supporting\"", i);
		mark[i] = json_is_true(is);
		if (!(doc = new_doc(title, json_string_value(text),
		                    json_string_length(text))) ||
		    json_array_append_new(docs, doc))
			return kc_error_nomem(err);
	}
	return KC_OK;
}

/*
 * The supporting paragraphs and the decomposition must agree: each
 * step's paragraph_support_idx (a paragraph's "idx") names a supporting
 * paragraph, and each supporting paragraph is used by a step.
 */
static kc_status musique_support(const json_t *paras, const json_t *steps,
                                 const char *mark, char *used,
                                 struct kc_error *err)
{
	size_t n = json_array_size(paras);

	for (size_t k = 0; k < json_array_size(steps); k++) {
		json_t *step = json_array_get(steps, k), *psi;
		size_t at = n;

		psi = json_object_get(step, "paragraph_support_idx");
		if (!json_is_object(step) || (psi && !json_is_null(psi) &&
		                              !json_is_integer(psi)))
			return kc_error_set(err, KC_EFIELD, "\"question_decomposition\""
			                    "[%zu] has no integer "
			                    "\"paragraph_support_idx\"", k);
		if (!json_is_integer(psi))
			continue;
		for (size_t i = 0; i < n && at == n; i++) {
			json_t *idx = json_object_get(json_array_get(paras, i), "idx");
			if (json_is_integer(idx) ? json_integer_value(idx) ==
			                           json_integer_value(psi)
			                         : (json_int_t)i == json_integer_value(psi))
				at = i;
		}
		if (at == n || !mark[at])
			return kc_error_set(err, KC_EFIELD, "\"question_decomposition\""
			                    "[%zu] \"paragraph_support_idx\" %lld is not "
			                    "%s", k, (long long)json_integer_value(psi),
			                    at == n ? "a paragraph's \"idx\""
			                            : "a supporting paragraph");
		used[at] = 1;
	}
	for (size_t i = 0; i < n; i++)
		if (mark[i] && !used[i])
			return kc_error_set(err, KC_EFIELD, "\"paragraphs\"[%zu] is "
			                    "supporting but no step of "
			                    "\"question_decomposition\" uses it", i);
	return KC_OK;
}

static kc_status from_musique(const json_t *item, json_t **out,
                              struct kc_error *err)
{
	json_t *rec = NULL, *answers, *paras, *steps, *docs = NULL;
	json_t *answerable = json_object_get(item, "answerable");
	char *mark = NULL, *used = NULL;
	size_t n;
	kc_status st;

	if (answerable && !json_is_boolean(answerable))
		return kc_error_set(err, KC_EFIELD, "\"answerable\" is not a "
		                    "boolean");
	if (json_is_false(answerable)) {
		*out = NULL;
		return KC_OK;
	}
	if ((st = record_head(item, "id", "musique", &rec, &answers, err)))
		return st;
	if ((st = musique_aliases(item, answers, err)) ||
	    (st = kc_get_array(item, "paragraphs", &paras, err)) ||
	    (st = kc_get_array(item, "question_decomposition", &steps, err)))
		goto fail;
	n = json_array_size(paras);
	if (!(docs = json_array()) || !(mark = calloc(n + 1, 1)) ||
	    !(used = calloc(n + 1, 1)))
		goto nomem;
	if ((st = musique_docs(paras, docs, mark, err)) ||
	    (st = musique_support(paras, steps, mark, used, err)))
		goto fail;
	if (attach(rec, docs, mark, n)) {
		docs = NULL;
		goto nomem;
	}
	if (copy_extra(rec, item, "question_decomposition"))
		goto nomem;
	free(mark);
	free(used);
	*out = rec;
	return KC_OK;
nomem:
	st = kc_error_nomem(err);
fail:
	free(mark);
	free(used);
	json_decref(docs);
	json_decref(rec);
	return st;
}

static kc_status build(const json_t *item, const char *format, json_t **out,
                       kc_buf *scratch, struct kc_error *err)
{
	static const char *const hotpot_extras[] = { "type", "level", NULL };
	static const char *const wiki_extras[] = { "type", "evidences", NULL };
	kc_status st;

	*out = NULL;
	if (!json_is_object(item))
		return kc_error_set(err, KC_EFIELD, "record is not an object");
	if (!strcmp(format, "canonical")) {
		if ((st = kc_record_validate(item, err)))
			return st;
		*out = json_incref((json_t *)item);
		return KC_OK;
	}
	if (!strcmp(format, "hotpotqa"))
		st = from_context(item, "hotpotqa", hotpot_extras, out, scratch, err);
	else if (!strcmp(format, "2wikimqa"))
		st = from_context(item, "2wikimqa", wiki_extras, out, scratch, err);
	else if (!strcmp(format, "musique"))
		st = from_musique(item, out, err);
	else
		return kc_error_set(err, KC_EINVAL, "unknown format '%s' (hotpotqa, "
		                    "musique or 2wikimqa)", format);
	/* What was built must be what every tool accepts (an empty answer,
	 * say, is refused here rather than later). */
	if (st == KC_OK && *out && (st = kc_record_validate(*out, err))) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}

kc_status kc_import_record(const json_t *item, const char *format,
                           json_t **out, struct kc_error *err)
{
	kc_buf scratch;
	kc_status st;

	kc_buf_init(&scratch, 0);
	st = build(item, format, out, &scratch, err);
	kc_buf_release(&scratch);
	return st;
}

/* ------------------------------------------------------------------ */
/* The importer. */

struct kc_importer {
	kc_jstream *js;
	kc_parquet_reader *pq;  /* a Parquet file instead (the Hub's layout) */
	char *path;
	long row;
	const char *format;     /* static string, NULL until known */
	size_t max;
	kc_buf scratch;
	struct kc_import_stats stats;
	int done;
};

/* A file that starts with Parquet's magic (stdin is JSON). */
static int is_parquet(const char *path)
{
	char magic[4];
	FILE *f;
	int yes;

	if (!path || !strcmp(path, "-") || !(f = fopen(path, "rb")))
		return 0;
	yes = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "PAR1", 4);
	fclose(f);
	return yes;
}

kc_status kc_importer_open(kc_importer **out, const char *path,
                           const char *format, struct kc_error *err)
{
	kc_importer *im;
	kc_status st;

	*out = NULL;
	if (format && !kc_import_format_known(format))
		return kc_error_set(err, KC_EINVAL, "unknown format '%s' (hotpotqa, "
		                    "musique, 2wikimqa or canonical)", format);
	if (!(im = calloc(1, sizeof *im)))
		return kc_error_nomem(err);
	for (size_t i = 0; format && i < sizeof formats / sizeof *formats; i++)
		if (!strcmp(format, formats[i]))
			im->format = formats[i];
	kc_buf_init(&im->scratch, 0);
	im->max = KC_JSTREAM_MAX_DEFAULT;
	if (is_parquet(path)) {
		if (!(im->path = strdup(path))) {
			free(im);
			return kc_error_nomem(err);
		}
		if ((st = kc_parquet_reader_open(&im->pq, path, err))) {
			free(im->path);
			free(im);
			return st;
		}
		*out = im;
		return KC_OK;
	}
	if ((st = kc_jstream_open(&im->js, path, 0, 0, err))) {
		if (err)
			err->source = NULL;
		free(im);
		return st;
	}
	*out = im;
	return KC_OK;
}

void kc_importer_free(kc_importer *im)
{
	if (!im)
		return;
	kc_jstream_free(im->js);
	kc_parquet_reader_free(im->pq);
	free(im->path);
	kc_buf_release(&im->scratch);
	free(im);
}

void kc_importer_set_max(kc_importer *im, size_t max)
{
	im->max = max ? max : KC_JSTREAM_MAX_DEFAULT;
	if (im->js)
		kc_jstream_set_max(im->js, im->max);
}

const char *kc_importer_format(const kc_importer *im)
{
	return im->format;
}

const char *kc_importer_layout(const kc_importer *im)
{
	if (im->pq)
		return "parquet";
	switch (kc_jstream_kind(im->js)) {
	case KC_JSTREAM_ARRAY: return "array";
	case KC_JSTREAM_LINES: return "lines";
	default: return "empty";
	}
}

const char *kc_importer_name(const kc_importer *im)
{
	return im->pq ? im->path : kc_jstream_name(im->js);
}

long kc_importer_line(const kc_importer *im)
{
	return im->pq ? im->row : kc_jstream_line(im->js);
}

const struct kc_import_stats *kc_importer_stats(const kc_importer *im)
{
	if (im->js)
		((kc_importer *)im)->stats.bytes = kc_jstream_bytes(im->js);
	return &im->stats;
}

/*
 * Say which element an error is about: in an array, "element N: " in
 * front, and a parse error's position is within the element.
 */
static void locate_error(kc_importer *im, struct kc_error *err, int parse)
{
	char text[sizeof err->text];
	size_t n;

	if (!err)
		return;
	err->source = kc_importer_name(im);
	err->line = kc_importer_line(im);
	if (im->pq || kc_jstream_kind(im->js) != KC_JSTREAM_ARRAY)
		return;
	/* room for the prefix: the message's end is what gives way */
	n = strlen(err->text);
	if (n > sizeof text - 64)
		n = sizeof text - 64;
	if (parse && n && err->text[n - 1] == ')')
		snprintf(text, sizeof text, "element %ld: %.*s in the element)",
		         kc_jstream_index(im->js), (int)(n - 1), err->text);
	else
		snprintf(text, sizeof text, "element %ld: %.*s",
		         kc_jstream_index(im->js), (int)n, err->text);
	memcpy(err->text, text, sizeof text);
}

kc_status kc_importer_next(kc_importer *im, json_t **record,
                           struct kc_error *err)
{
	const char *text;
	size_t len;
	json_t *item, *rec;
	kc_status st;

	*record = NULL;
	for (;;) {
		if (im->done)
			return KC_EOF;
		if (im->pq) {
			/* a row: the file's rows, the line its number */
			st = kc_parquet_reader_next(im->pq, &item, err);
			if (st) {
				im->done = 1;
				if (err && st != KC_EOF)
					err->source = im->path;
				return st;
			}
			im->row++;
			if ((st = kc_import_from_hub(item, err))) {
				json_decref(item);
				im->stats.bad++;
				locate_error(im, err, 0);
				return st;
			}
			goto have_item;
		}
		st = kc_jstream_next(im->js, &text, &len, err);
		if (st == KC_EOF) {
			im->done = 1;
			return st;
		}
		if (st == KC_ETOOLONG) {
			im->stats.bad++;
			locate_error(im, err, 0);
			return st;
		}
		if (st) {
			/* the file ends here: a broken array, a read error */
			im->done = 1;
			if (err)
				err->source = kc_jstream_name(im->js);
			return st;
		}
		item = kc_json_parse(text, len, err);
		if (!item) {
			im->stats.bad++;
			st = err ? err->status : KC_EJSON;
			locate_error(im, err, 1);
			if (st == KC_ENOMEM)
				im->done = 1;
			return st;
		}
	have_item:
		if (!im->format && json_is_object(item) &&
		    !(im->format = kc_import_detect(item))) {
			char keys[300] = "";
			size_t used = 0;
			const char *k;
			json_t *v;

			json_object_foreach(item, k, v) {
				int w = snprintf(keys + used, sizeof keys - used,
				                 "%s\"%s\"", used ? ", " : "", k);
				if (w < 0 || (size_t)w >= sizeof keys - used)
					break;
				used += (size_t)w;
			}
			json_decref(item);
			im->done = 1;
			kc_error_set(err, KC_EUNSUPPORTED, "cannot tell the dataset "
			             "format from the keys of the first record (%s)",
			             keys);
			locate_error(im, err, 0);
			return KC_EUNSUPPORTED;
		}
		st = build(item, im->format ? im->format : "canonical", &rec,
		           &im->scratch, err);
		json_decref(item);
		if (st) {
			im->stats.bad++;
			locate_error(im, err, 0);
			if (st == KC_ENOMEM)
				im->done = 1;
			return st;
		}
		if (!rec) {
			im->stats.unanswerable++;
			continue;
		}
		im->stats.records++;
		*record = rec;
		return KC_OK;
	}
}
