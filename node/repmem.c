/* repmem.c -- remembers misbehaving addresses' reputation across reconnects.
 *
 * Reputation lives with a connection, but a hostile peer can simply
 * reconnect after each penalty.  This table keeps the last score per IP in
 * a direct-mapped array indexed by a keyed hash: collisions overwrite, which
 * at worst forgives someone early, and the memory is fixed.  (Not
 * common/map on purpose: a map grows with every address an attacker
 * cycles through; a forgetful fixed table cannot be made to.) */
#include "repmem.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "rnd.h"
#include "xmalloc.h"

#define REPMEM_SLOTS	4096
#define REPMEM_TTL	(24 * 60 * 60)

struct repmem_slot {
	uint8_t		ip[16];
	int		score;
	int64_t		time;	/* 0: empty */
};

struct repmem {
	uint8_t			key[HASH_SIPHASH_KEYLEN];
	struct repmem_slot	slot[REPMEM_SLOTS];
};

struct repmem *
repmem_new(void)
{
	struct repmem *rm = xcalloc(1, sizeof(*rm));

	rnd_bytes(rm->key, sizeof(rm->key));
	return rm;
}

void
repmem_free(struct repmem *rm)
{
	free(rm);
}

static size_t
repmem_index(const struct repmem *rm, const struct netaddr *addr)
{
	return hash_siphash(rm->key, addr->ip, sizeof(addr->ip)) % REPMEM_SLOTS;
}

void
repmem_remember(struct repmem *rm, const struct netaddr *addr, const struct reputation *rep,
    int64_t now)
{
	struct repmem_slot *s = &rm->slot[repmem_index(rm, addr)];

	memcpy(s->ip, addr->ip, sizeof(s->ip));
	s->score = rep->score;
	s->time = now;
}

void
repmem_restore(const struct repmem *rm, const struct netaddr *addr, struct reputation *rep,
    int64_t now)
{
	const struct repmem_slot *s = &rm->slot[repmem_index(rm, addr)];

	if (s->time == 0 || now - s->time > REPMEM_TTL ||
	    memcmp(s->ip, addr->ip, sizeof(s->ip)) != 0)
		return;
	if (s->score < rep->score)
		rep->score = s->score;
}
