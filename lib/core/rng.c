/*
 * rng.c - seeded randomness, one stream per (seed, record, purpose).
 *
 * Determinism across fan-out rests on this file: a record's generator is
 * derived from the user's seed, the record's id and a purpose tag only,
 * never from a global stream, so shards and reorderings give the same
 * records.  xoshiro256** (Blackman and Vigna) seeded through SplitMix64.
 */
#include <math.h>
#include <string.h>

#include "kc.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Eight bytes at a time (little-endian words, so the value is the same
 * on every machine that runs this code), each word mixed with a
 * multiply and a rotation, the tail and the length last, then a
 * SplitMix64 finalizer for avalanche.  Not cryptographic: hash tables
 * and seeds only.
 */
uint64_t kc_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		w = (uint64_t)p[i] | (uint64_t)p[i + 1] << 8 |
		    (uint64_t)p[i + 2] << 16 | (uint64_t)p[i + 3] << 24 |
		    (uint64_t)p[i + 4] << 32 | (uint64_t)p[i + 5] << 40 |
		    (uint64_t)p[i + 6] << 48 | (uint64_t)p[i + 7] << 56;
		h = (h ^ (w * 0x9e3779b97f4a7c15ULL)) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 29;
	}
	w = 0;
	for (size_t k = 0; i + k < len; k++)
		w |= (uint64_t)p[i + k] << (8 * k);
	h = (h ^ (w * 0x9e3779b97f4a7c15ULL) ^ len) * 0xbf58476d1ce4e5b9ULL;
	return splitmix64(&h);
}

void kc_rng_seed(kc_rng *rng, uint64_t seed, const char *id, size_t idlen,
                 const char *purpose)
{
	uint64_t x = splitmix64(&seed);

	x ^= kc_hash64(id, idlen, 0x6b63 /* "kc" */);
	x ^= kc_hash64(purpose, strlen(purpose), 0x7075 /* "pu" */) * 3;
	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t kc_rng_next(kc_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t kc_rng_below(kc_rng *rng, uint64_t n)
{
	/* Rejection sampling: drop the top partial range so every value
	 * in [0, n) is equally likely. */
	uint64_t limit = -n % n, x;

	do
		x = kc_rng_next(rng);
	while (x < limit);
	return x % n;
}

double kc_rng_double(kc_rng *rng)
{
	return (double)(kc_rng_next(rng) >> 11) * 0x1.0p-53;
}

double kc_rng_normal(kc_rng *rng)
{
	/* Box-Muller; the second deviate is dropped to keep the generator
	 * free of hidden state. */
	double u1, u2;

	do
		u1 = kc_rng_double(rng);
	while (u1 <= 0.0);
	u2 = kc_rng_double(rng);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void kc_rng_shuffle(kc_rng *rng, void *base, size_t n, size_t size)
{
	unsigned char *p = base, tmp[64];

	if (n < 2 || size > sizeof tmp)
		return;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)kc_rng_below(rng, i + 1);
		if (j == i)
			continue;
		memcpy(tmp, p + i * size, size);
		memcpy(p + i * size, p + j * size, size);
		memcpy(p + j * size, tmp, size);
	}
}
