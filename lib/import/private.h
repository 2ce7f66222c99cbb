/*
 * import/private.h - what the importer's files share, private to libkc
 * (unit tests include it): one dataset item to a canonical record.
 */
#ifndef KC_IMPORT_PRIVATE_H
#define KC_IMPORT_PRIVATE_H

#include "kc.h"

/*
 * Build the canonical record of one dataset item in `format` (not NULL).
 * Returns KC_OK with *out a new record, or KC_OK with *out NULL when the
 * item is left out on purpose (a MuSiQue item with "answerable": false),
 * or KC_EFIELD when the item is not sound (a missing field, a supporting
 * fact whose title no context paragraph has, MuSiQue support indices
 * that disagree).  A canonical item is validated and returned as is (a
 * new reference).
 */
kc_status kc_import_record(const json_t *item, const char *format,
                           json_t **out, struct kc_error *err);

/*
 * A row of a Hub Parquet file (hub.c) into the layout of the published
 * JSON, in place: struct-of-lists "context", "supporting_facts" and
 * "evidences" zipped into lists of pairs and triples, "id" as "_id".
 * KC_EFIELD when the lists do not match.
 */
kc_status kc_import_from_hub(json_t *item, struct kc_error *err);

#endif
