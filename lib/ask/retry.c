/*
 * retry.c - when kc-ask tries a request again, and how long it waits.
 *
 * Retried: 408, 429 and every 5xx status (the server is busy, restarting
 * or failed on its side), and the network failures that say nothing
 * about the request itself (refused or dropped connections, timeouts,
 * truncated or garbled bodies; ask.c decides those).  Not retried: the
 * other 4xx, which would fail again the same way.
 *
 * The wait before retry k is base * 2^(k-1) with "equal jitter": a
 * uniform draw from the upper half of that interval, so that many
 * requests refused together do not come back together, yet each waits at
 * least half its share.  A server's Retry-After (seconds or an HTTP-date)
 * is a floor on the wait: kc-ask waits the longer of the two.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <limits.h>
#include <string.h>

#include "kc.h"
#include "ask/private.h"

int kc_ask_status_retryable(long status)
{
	return status == 408 || status == 429 || (status >= 500 && status < 600);
}

long kc_ask_retry_after(const char *value, time_t now)
{
	const char *p = value, *end;
	char buf[128];
	size_t n;
	time_t t;

	if (!value)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	                   end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (end == p)
		return -1;
	if (isdigit((unsigned char)*p)) {
		long long s = 0;

		for (const char *q = p; q < end; q++) {
			if (!isdigit((unsigned char)*q))
				return -1;
			if (s < KC_ASK_RETRY_AFTER_MAX_MS)
				s = s * 10 + (*q - '0');
		}
		s *= 1000;
		return s > KC_ASK_RETRY_AFTER_MAX_MS ? KC_ASK_RETRY_AFTER_MAX_MS
		                                      : (long)s;
	}
	n = (size_t)(end - p);
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	/* curl_getdate reads the three forms HTTP allows (IMF-fixdate,
	 * RFC 850 and asctime). */
	t = curl_getdate(buf, NULL);
	if (t == (time_t)-1)
		return -1;
	if (t <= now)
		return 0;
	if (t - now > KC_ASK_RETRY_AFTER_MAX_MS / 1000)
		return KC_ASK_RETRY_AFTER_MAX_MS;
	return (long)(t - now) * 1000;
}

long kc_ask_backoff(long base_ms, int attempt, kc_rng *rng)
{
	long cap = base_ms > KC_ASK_BACKOFF_MAX_MS ? base_ms
	                                           : KC_ASK_BACKOFF_MAX_MS;
	long d = base_ms;
	long half;

	if (base_ms <= 0)
		return 0;
	for (int i = 1; i < attempt && d < cap; i++)
		d = d > cap / 2 ? cap : d * 2;
	if (d > cap)
		d = cap;
	half = d / 2;
	return d - half + (long)kc_rng_below(rng, (uint64_t)half + 1);
}
