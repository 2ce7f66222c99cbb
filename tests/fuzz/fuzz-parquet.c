/*
 * fuzz-parquet.c - libFuzzer target for the Parquet reader: whatever
 * bytes a file holds, kc_parquet_reader_open_mem and _next read it or say
 * why not (a kc_error with a message), and never crash, leak or read out
 * of bounds.  A row it reads is a JSON object that dumps.  The reader's
 * size limits are lowered so that a lying length cannot ask for more
 * memory than the fuzzer allows.  Seeds: tests/fuzz/run (files written
 * by kc-parquet with each codec, nested and flat).
 */
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "parquet/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kc_parquet_reader *r;
	struct kc_error err;
	json_t *rec;
	kc_buf b;
	kc_status st;

	pq_max_alloc = (size_t)16 << 20;
	pq_max_entries = (size_t)1 << 18;
	if (kc_parquet_reader_open_mem(&r, data, size, &err)) {
		if (!err.text[0])
			abort();           /* an error always says what */
		return 0;
	}
	kc_buf_init(&b, 0);
	if (kc_parquet_reader_schema(r, &b, &err))
		abort();
	for (int n = 0; n < 4096; n++) {
		st = kc_parquet_reader_next(r, &rec, &err);
		if (st == KC_EOF)
			break;
		if (st) {
			if (!err.text[0])
				abort();
			break;
		}
		b.len = 0;
		if (!json_is_object(rec) || kc_json_dump(rec, &b))
			abort();
		json_decref(rec);
	}
	kc_buf_release(&b);
	kc_parquet_reader_free(r);
	return 0;
}
