/* rnd.c -- unpredictable random numbers from libsodium.
 *
 * Everything a peer could exploit by predicting it (nonces, which addresses
 * we answer getaddr with, which peer we evict) comes from here. */
#include "rnd.h"

#include <string.h>
#include <sodium.h>

void
rnd_bytes(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

uint64_t
rnd_u64(void)
{
	uint64_t v;

	randombytes_buf(&v, sizeof(v));
	return v;
}

uint32_t
rnd_uniform(uint32_t upper)
{
	return upper <= 1 ? 0 : randombytes_uniform(upper);
}

double
rnd_double(void)
{
	return (double)(rnd_u64() >> 11) * (1.0 / 9007199254740992.0);
}

void
rnd_shuffle(void *base, size_t n, size_t size)
{
	unsigned char *a = base, tmp[256];

	if (n < 2 || size > sizeof(tmp))
		return;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd_uniform((uint32_t)(i + 1));
		if (j == i)
			continue;
		memcpy(tmp, a + i * size, size);
		memcpy(a + i * size, a + j * size, size);
		memcpy(a + j * size, tmp, size);
	}
}
