/*
 * uuid.c - the chain keys: version-4 UUIDs and their short forms.
 *
 * The reference draws uuid4() from system entropy, so two runs differ.
 * Here the 16 random bytes come from the record's own generator, then
 * get the version-4 and RFC 4122 variant bits; libuuid writes the
 * canonical text.  "default_N" is the first N hex digits of the UUID
 * (as uuid4().hex[:N]); "nano_N" is N characters of nanoid's 64-symbol
 * URL alphabet.  With rng == NULL the bytes come from libuuid's own
 * entropy (not reproducible, on request only).
 */
#include <string.h>
#include <sys/random.h>
#include <uuid/uuid.h>

#include "kc.h"
#include "pipe/private.h"

/* nanoid's URL alphabet; its third to eighteenth are the hex digits */
const char kc_uuid_nano_alphabet[] =
	"_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

void kc_uuid_make(kc_rng *rng, const struct kc_uuid_format *fmt, char *out)
{
	unsigned char b[64];
	static const char hex[] = "0123456789abcdef";

	if (fmt->kind == KC_UUID_NANO) {
		if (rng) {
			for (int i = 0; i < fmt->len; i++)
				b[i] = (unsigned char)kc_rng_below(rng, 64);
		} else {
			uuid_t u;
			for (int i = 0; i < fmt->len; i += 16) {
				uuid_generate_random(u);
				memcpy(b + i, u, 16);
			}
			for (int i = 0; i < fmt->len; i++)
				b[i] &= 63;
		}
		for (int i = 0; i < fmt->len; i++)
			out[i] = kc_uuid_nano_alphabet[b[i]];
		out[fmt->len] = '\0';
		return;
	}
	if (rng) {
		uint64_t x = kc_rng_next(rng), y = kc_rng_next(rng);
		memcpy(b, &x, 8);
		memcpy(b + 8, &y, 8);
		b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
		b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	} else {
		uuid_generate_random(b);
	}
	if (fmt->kind == KC_UUID_DEFAULT) {
		uuid_unparse_lower(b, out);
		return;
	}
	for (int i = 0; i < fmt->len; i++)
		out[i] = hex[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	out[fmt->len] = '\0';
}

int kc_uuid_char(const struct kc_uuid_format *fmt, unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
		return 1;
	if (fmt->kind == KC_UUID_DEFAULT)
		return c == '-';
	if (fmt->kind == KC_UUID_NANO)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		       c == '_' || c == '-';
	return 0;
}
