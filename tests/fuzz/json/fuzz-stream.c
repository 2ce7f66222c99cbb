/*
 * fuzz-stream.c - libFuzzer target for the element scanner
 * (lib/json/stream.c): on any input it must not crash, must find the
 * same elements whatever the size of its reads, and when jansson reads
 * the whole input as one array, the scanner must hand out exactly its
 * elements, each parsing to the same value, then the end.  Built and run
 * by ./run 60 stream.
 */
#include <stdint.h>
#include "json/private.h"
#include "json-diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...) do { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); \
	__builtin_trap(); } while (0)

/* Every element (and error) of the input read with `chunk`, as text. */
static void scan(const uint8_t *data, size_t size, size_t chunk, kc_buf *out,
                 json_t *ref)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	kc_jstream *js;
	struct kc_error err;
	const char *text;
	size_t len, n = 0;
	kc_status st;

	out->len = 0;
	if (!f || !size) {          /* fmemopen refuses size 0 */
		if (f)
			fclose(f);
		return;
	}
	if ((st = kc_jstream_open_stream(&js, f, "fuzz", 1 << 16, chunk, &err))) {
		kc_buf_printf(out, "open %d %s", st, err.text);
		fclose(f);
		if (ref)
			FAIL("jansson reads an array the scanner refuses: %s", err.text);
		return;
	}
	while ((st = kc_jstream_next(js, &text, &len, &err)) != KC_EOF) {
		kc_buf_printf(out, "%d %ld %ld|", st, kc_jstream_line(js),
		              kc_jstream_index(js));
		if (st == KC_OK)
			kc_buf_append(out, text, len);
		if (ref) {
			json_t *v;

			if (st != KC_OK)
				FAIL("error %d on an array jansson reads: %s", st, err.text);
			if (n >= json_array_size(ref))
				FAIL("more elements than jansson");
			v = kc_json_parse(text, len, NULL);
			if (!v || !json_equal(v, json_array_get(ref, n)))
				FAIL("element %zu differs", n);
			json_decref(v);
			n++;
		}
	}
	if (ref && n != json_array_size(ref))
		FAIL("%zu elements, jansson %zu", n, json_array_size(ref));
	kc_jstream_free(js);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = json_loadb((const char *)data, size,
	                       JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	json_t *ref = json_is_array(v) ? v : NULL;
	kc_buf a, b, c;

	/* an array of more than 64K would be cut by the cap */
	if (size > 60000)
		ref = NULL;
	kc_buf_init(&a, 0);
	kc_buf_init(&b, 0);
	kc_buf_init(&c, 0);
	scan(data, size, 0, &a, ref);
	scan(data, size, 1, &b, ref);
	scan(data, size, 7, &c, ref);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) ||
	    a.len != c.len || memcmp(a.data, c.data, a.len))
		FAIL("the elements depend on the read size");
	kc_buf_release(&a);
	kc_buf_release(&b);
	kc_buf_release(&c);
	json_decref(v);
	return 0;
}
