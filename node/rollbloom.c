/* rollbloom.c -- a rolling Bloom filter: "have we seen this hash lately?" in fixed memory.
 *
 * Bit positions come from SipHash under a random per-filter key, so a
 * peer cannot craft hashes that collide in our filter. */
#include "rollbloom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "rnd.h"
#include "xmalloc.h"

struct rollbloom {
	uint8_t		 key[HASH_SIPHASH_KEYLEN];
	uint64_t	*bits[2];	/* generations; [cur] takes inserts */
	size_t		 nbits;		/* per generation, a multiple of 64 */
	unsigned	 k;		/* hash functions */
	unsigned	 cur;
	size_t		 n, count;	/* capacity and inserts into [cur] */
};

struct rollbloom *
rollbloom_new(size_t n, double fp_rate)
{
	struct rollbloom *rb = xcalloc(1, sizeof(*rb));
	/* Optimal sizes for n items: m = -n ln p / (ln 2)^2, k = m/n ln 2. */
	double m = -(double)(n > 0 ? n : 1) * log(fp_rate) / (M_LN2 * M_LN2);

	rb->n = n > 0 ? n : 1;
	rb->nbits = ((size_t)m + 63) / 64 * 64;
	rb->k = (unsigned)lround(m / (double)rb->n * M_LN2);
	if (rb->k < 1)
		rb->k = 1;
	if (rb->k > 30)
		rb->k = 30;
	rb->bits[0] = xcalloc(rb->nbits / 64, sizeof(uint64_t));
	rb->bits[1] = xcalloc(rb->nbits / 64, sizeof(uint64_t));
	rnd_bytes(rb->key, sizeof(rb->key));
	return rb;
}

void
rollbloom_free(struct rollbloom *rb)
{
	if (rb == NULL)
		return;
	free(rb->bits[0]);
	free(rb->bits[1]);
	free(rb);
}

/* Position I of K: double hashing, h1 + i * h2 (Kirsch-Mitzenmacher). */
static size_t
rollbloom_pos(const struct rollbloom *rb, uint64_t h1, uint64_t h2, unsigned i)
{
	return (size_t)((h1 + (uint64_t)i * h2) % rb->nbits);
}

static void
rollbloom_hashes(const struct rollbloom *rb, const uint8_t hash[32], uint64_t *h1, uint64_t *h2)
{
	uint8_t in[33];

	memcpy(in, hash, 32);
	in[32] = 0;
	*h1 = hash_siphash(rb->key, in, sizeof(in));
	in[32] = 1;
	*h2 = hash_siphash(rb->key, in, sizeof(in)) | 1;
}

void
rollbloom_insert(struct rollbloom *rb, const uint8_t hash[32])
{
	uint64_t h1, h2;

	if (rb->count == rb->n) {
		rb->cur ^= 1;
		memset(rb->bits[rb->cur], 0, rb->nbits / 8);
		rb->count = 0;
	}
	rollbloom_hashes(rb, hash, &h1, &h2);
	for (unsigned i = 0; i < rb->k; i++) {
		size_t p = rollbloom_pos(rb, h1, h2, i);
		rb->bits[rb->cur][p / 64] |= UINT64_C(1) << (p % 64);
	}
	rb->count++;
}

bool
rollbloom_contains(const struct rollbloom *rb, const uint8_t hash[32])
{
	uint64_t h1, h2;

	rollbloom_hashes(rb, hash, &h1, &h2);
	for (unsigned g = 0; g < 2; g++) {
		unsigned i;
		for (i = 0; i < rb->k; i++) {
			size_t p = rollbloom_pos(rb, h1, h2, i);
			if (!(rb->bits[g][p / 64] & (UINT64_C(1) << (p % 64))))
				break;
		}
		if (i == rb->k)
			return true;
	}
	return false;
}

void
rollbloom_reset(struct rollbloom *rb)
{
	memset(rb->bits[0], 0, rb->nbits / 8);
	memset(rb->bits[1], 0, rb->nbits / 8);
	rb->count = 0;
}
