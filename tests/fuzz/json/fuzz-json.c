/*
 * fuzz-json.c - libFuzzer target: kc_json_parse and kc_json_dump against
 * jansson on whatever the fuzzer makes up (see json-diff.h for what must
 * hold).  The input is a JSON text; the same bytes are also dumped as a
 * string made without checks, where both dumpers must refuse invalid
 * UTF-8 and agree on the rest.  Built and run by ./run.
 */
#include <stdint.h>
#include "json-diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = json_diff((const char *)data, size);
	json_t *s;

	if (why) {
		fprintf(stderr, "json-diff: %s\n", why);
		__builtin_trap();
	}
	s = json_stringn_nocheck((const char *)data, size);
	if (s && (why = json_diff_dump(s))) {
		fprintf(stderr, "json-diff: %s\n", why);
		__builtin_trap();
	}
	json_decref(s);
	return 0;
}
