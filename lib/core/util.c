/*
 * util.c - small parsers shared by the tools: lengths, integers, UTF-8.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"

kc_status kc_parse_length(const char *s, long *out)
{
	char *end;
	unsigned long long v;
	unsigned long long mult = 1;

	if (!s || !isdigit((unsigned char)*s))
		return KC_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return KC_EINVAL;
	if (*end == 'k' || *end == 'K')
		mult = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1024 * 1024, end++;
	if (*end || v == 0 || v > (1ULL << 30) / mult)
		return KC_EINVAL;
	*out = (long)(v * mult);
	return KC_OK;
}

kc_status kc_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return KC_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return KC_EINVAL;
	*out = v;
	return KC_OK;
}

size_t kc_utf8_valid_prefix(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return i;
		if (len - i <= n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlong, surrogate and out-of-range forms */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

const char *kc_name_of(const char *const *names, size_t n, int value)
{
	return value >= 0 && (size_t)value < n ? names[value] : NULL;
}

kc_status kc_name_parse(const char *const *names, size_t n, const char *what,
                        const char *s, int *value, struct kc_error *err)
{
	char list[256];
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i])) {
			*value = (int)i;
			return KC_OK;
		}
	list[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof list; i++)
		if (names[i])
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
			                        len ? (i + 1 == n ? " or " : ", ") : "",
			                        names[i]);
	return kc_error_set(err, KC_EINVAL, "unknown %s '%s' (%s)", what, s, list);
}

static double length_value(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return 1e300;
	return *end == 'k' ? v * 1024 : v;
}

int kc_length_label_cmp(const char *a, const char *b)
{
	double x = length_value(a), y = length_value(b);

	return x < y ? -1 : x > y ? 1 : strcmp(a, b);
}
