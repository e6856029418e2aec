/* hash.c -- SHA-256d checksums and keyed SipHash on top of libsodium. */
#include "hash.h"

#include <string.h>
#include <sodium.h>

int
hash_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
hash_sha256d(const void *data, size_t len, uint8_t out[32])
{
	uint8_t first[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(first, data, len);
	crypto_hash_sha256(out, first, sizeof(first));
}

void
hash_checksum(const void *data, size_t len, uint8_t out[4])
{
	uint8_t h[32];

	hash_sha256d(data, len, h);
	memcpy(out, h, 4);
}

uint64_t
hash_siphash(const uint8_t key[HASH_SIPHASH_KEYLEN], const void *data, size_t len)
{
	uint8_t out[crypto_shorthash_siphash24_BYTES];
	uint64_t v = 0;

	crypto_shorthash_siphash24(out, data, len, key);
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)out[i] << (8 * i);
	return v;
}
