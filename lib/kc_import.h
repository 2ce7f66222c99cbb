/*
 * kc_import.h - reading the published datasets (kc-import) and canonical
 * records (included by kc.h, which a program includes).
 *
 * The canonical record, one per question, fields in this order:
 *
 *     {"id": "5a8b57f25542995d1e6f1371", "source": "hotpotqa",
 *      "question": "...", "answers": ["..."],
 *      "docs": [{"title": "...", "text": "..."}], "supporting": [0, 3],
 *      ... the source's extras ...}
 *
 * docs are the question's own passages in the source's order; a passage
 * as the pipeline writes it is title + "\n" + text.  supporting holds
 * sorted, distinct indices into docs.  Extras: HotpotQA "type" and
 * "level"; 2WikiMultihopQA "type" and "evidences"; MuSiQue
 * "question_decomposition".  Tools later in the pipeline add fields.
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_IMPORT_H
#define KC_IMPORT_H

/*
 * Check that `rec` is a canonical record: "id", "question" (non-empty
 * strings), "answers" (at least one non-empty string), "docs" (objects
 * with string "title" and "text"), "supporting" (strictly increasing
 * indices into "docs"), and "source" a string when present.  Fields it
 * does not know are allowed.  KC_EFIELD with a message naming the field
 * (`missing "question"`, `"docs"[3] has no "text"`).
 */
kc_status kc_record_validate(const json_t *rec, struct kc_error *err);

/*
 * The dataset formats by name: "hotpotqa", "musique", "2wikimqa" (the
 * files as published) and "canonical" (records as kc-import writes
 * them).  kc_import_detect names the format of one item from its keys,
 * or returns NULL (an importer with no format given asks it of the
 * first item):
 *   "docs" and "question"                           canonical
 *   "paragraphs"                                    musique
 *   "context" and "evidences"                       2wikimqa
 *   "context" and "level"                           hotpotqa
 *   "context" and a type only 2Wiki has             2wikimqa
 *     (compositional, bridge_comparison, inference)
 *   "context" and "supporting_facts"                hotpotqa
 * ("comparison" is a type of both HotpotQA and 2Wiki, so "level" and
 * "evidences" decide first.)
 */
const char *kc_import_detect(const json_t *item);

/* 1 if `format` is one of the names above. */
int kc_import_format_known(const char *format);

/* ------------------------------------------------------------------ */
/* The importer: one file, raw or canonical, record by record. */

typedef struct kc_importer kc_importer;

/* What an importer has seen so far. */
struct kc_import_stats {
	unsigned long records;          /* returned by kc_importer_next */
	unsigned long unanswerable;     /* MuSiQue items left out */
	unsigned long bad;              /* elements or lines reported */
	unsigned long long bytes;       /* bytes read from the file */
};

/*
 * Open `path` ("-" or NULL: stdin): one JSON array (streamed element by
 * element, never whole) or JSON lines, told apart by the first byte that
 * is not white space.  `format` is one of the names above, or NULL to
 * detect it from the first record that parses as an object.  An empty
 * file is not an error: it has no records.
 */
kc_status kc_importer_open(kc_importer **im, const char *path,
                           const char *format, struct kc_error *err);
void kc_importer_free(kc_importer *im);

/* Cap the size of one element or line (default 256 MiB); call it before
 * the first kc_importer_next. */
void kc_importer_set_max(kc_importer *im, size_t max);

/*
 * The next canonical record, in *record (a new reference).  Returns KC_OK,
 * KC_EOF at the end, or an error for one element, after which the next
 * call goes on with the next element: KC_EJSON or KC_EUTF8 (it does not
 * parse), KC_EFIELD (not a sound record of its format), KC_ETOOLONG.  err
 * names the file and the line where the element starts; in an array the
 * message starts with "element N: " (N counted from 0).  These end the
 * file, and later calls return KC_EOF: KC_EJSON for an array broken where
 * no next element can be found, KC_EUNSUPPORTED when the format cannot be
 * detected, KC_EIO, KC_ENOMEM.
 */
kc_status kc_importer_next(kc_importer *im, json_t **record,
                           struct kc_error *err);

/* The format ("hotpotqa", ..., "canonical"): the one given, or the one
 * detected, NULL before it is known. */
const char *kc_importer_format(const kc_importer *im);
/* "array", "lines" or "empty". */
const char *kc_importer_layout(const kc_importer *im);
/* The file's name as given ("-" for stdin). */
const char *kc_importer_name(const kc_importer *im);
/* The 1-based line where the last record read starts. */
long kc_importer_line(const kc_importer *im);
const struct kc_import_stats *kc_importer_stats(const kc_importer *im);

#endif /* KC_IMPORT_H */
