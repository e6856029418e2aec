/* rnd.h -- unpredictable random numbers from libsodium (call hash_init first). */
#ifndef AGENTCHAIN_RND_H
#define AGENTCHAIN_RND_H

#include <stddef.h>
#include <stdint.h>

void rnd_bytes(void *buf, size_t len);
uint64_t rnd_u64(void);
/* Uniform in [0, UPPER) without modulo bias; UPPER must be > 0. */
uint32_t rnd_uniform(uint32_t upper);
/* Uniform in [0, 1). */
double rnd_double(void);
/* Fisher-Yates shuffle of N elements of SIZE bytes. */
void rnd_shuffle(void *base, size_t n, size_t size);

#endif
