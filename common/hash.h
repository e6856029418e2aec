/* hash.h -- SHA-256d checksums and keyed SipHash, from libsodium. */
#ifndef AGENTCHAIN_HASH_H
#define AGENTCHAIN_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SIPHASH_KEYLEN 16

/* Initialise libsodium; call once at start-up before any other hash_ or
 * rnd_ function.  Returns 0, or -1 if the library cannot start. */
int hash_init(void);

/* OUT = SHA-256(SHA-256(DATA)). */
void hash_sha256d(const void *data, size_t len, uint8_t out[32]);

/* The wire checksum: the first four bytes of hash_sha256d(DATA). */
void hash_checksum(const void *data, size_t len, uint8_t out[4]);

/* SipHash-2-4 of DATA under KEY; used wherever a peer must not be able to
 * predict where its input lands (address buckets, nonces, hash tables). */
uint64_t hash_siphash(const uint8_t key[HASH_SIPHASH_KEYLEN], const void *data, size_t len);

#endif
