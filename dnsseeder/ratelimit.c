/* ratelimit.c -- per-source-prefix token buckets for UDP replies (anti-amplification).
 *
 * Only UDP is limited: a TCP peer has proven its address with the
 * handshake, so it cannot aim our replies at somebody else.
 *
 * Why not common/map: the sources are spoofable, so a flood can name a
 * new /24 in every packet.  A growing map would then allocate a key per
 * packet on the hot path and grow until something evicts; this table is
 * direct-mapped and allocated once (RATELIMIT_SLOTS buckets, 2 MiB),
 * costs one SipHash and no allocation per packet, and a collision only
 * hands a source a fresh bucket, which is how NSD's and BIND's RRL
 * tables behave too. */
#include "ratelimit.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "rnd.h"
#include "xmalloc.h"

/* Tokens are counted in thousandths so a refill of RATE per second is
 * exact per millisecond. */
#define MILLI 1000

struct bucket {
	uint64_t	key;		/* prefix | family tag; 0 = empty */
	uint64_t	last_ms;
	uint64_t	tokens;		/* thousandths */
	uint32_t	limited;	/* replies over the limit, for the slip */
};

struct ratelimit {
	uint64_t	rate;		/* thousandths per millisecond == per second */
	uint64_t	cap;		/* BURST in thousandths */
	unsigned	slip;
	uint8_t		key[HASH_SIPHASH_KEYLEN];
	struct bucket	b[RATELIMIT_SLOTS];
};

struct ratelimit *
ratelimit_new(unsigned rate, unsigned burst, unsigned slip)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));

	rl->rate = rate > 0 ? rate : 1;
	rl->cap = (uint64_t)(burst > 0 ? burst : 1) * MILLI;
	rl->slip = slip;
	rnd_bytes(rl->key, sizeof(rl->key));
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

enum ratelimit_verdict
ratelimit_check(struct ratelimit *rl, const struct sockaddr *src, uint64_t now_ms)
{
	uint64_t key, h, elapsed;
	struct bucket *b;

	if (src->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)src;
		const uint8_t *ip = (const uint8_t *)&s4->sin_addr;

		key = (UINT64_C(4) << 56) | ((uint64_t)ip[0] << 16) |
		    ((uint64_t)ip[1] << 8) | ip[2];
	} else if (src->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)src;
		const uint8_t *ip = s6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			key = (UINT64_C(4) << 56) | ((uint64_t)ip[12] << 16) |
			    ((uint64_t)ip[13] << 8) | ip[14];
		else {
			key = UINT64_C(6) << 56;
			for (int i = 0; i < 7; i++)
				key |= (uint64_t)ip[i] << (8 * (6 - i));
		}
	} else
		return RATELIMIT_PASS;
	h = hash_siphash(rl->key, &key, sizeof(key));
	b = &rl->b[h & (RATELIMIT_SLOTS - 1)];
	if (b->key != key) {
		b->key = key;
		b->last_ms = now_ms;
		b->tokens = rl->cap;
		b->limited = 0;
	} else if (now_ms > b->last_ms) {
		elapsed = now_ms - b->last_ms;
		/* Compare before multiplying: a long-idle bucket must not
		 * overflow. */
		if (elapsed > rl->cap / rl->rate)
			b->tokens = rl->cap;
		else if ((b->tokens += elapsed * rl->rate) > rl->cap)
			b->tokens = rl->cap;
		b->last_ms = now_ms;
	}
	if (b->tokens >= MILLI) {
		b->tokens -= MILLI;
		return RATELIMIT_PASS;
	}
	/* Counted in the source's own bucket: with one global count, two
	 * limited sources taking turns would see every slip go to one of
	 * them (issue 15, item 5). */
	if (rl->slip == 0 || ++b->limited % rl->slip != 0)
		return RATELIMIT_DROP;
	return RATELIMIT_SLIP;
}
