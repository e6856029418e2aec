/* repmem.h -- remembers misbehaving addresses' reputation across reconnects. */
#ifndef AGENTCHAIN_REPMEM_H
#define AGENTCHAIN_REPMEM_H

#include <stdint.h>

#include "netaddr.h"
#include "reputation.h"

struct repmem;

/* A fixed-size table (no growth: a peer cycling through addresses cannot
 * make us allocate); entries older than a day are forgotten. */
struct repmem *repmem_new(void);
void repmem_free(struct repmem *rm);

/* Store REP's score for ADDR's IP (called when a penalised peer leaves). */
void repmem_remember(struct repmem *rm, const struct netaddr *addr, const struct reputation *rep,
    int64_t now);

/* If ADDR's IP misbehaved recently, carry its score over into REP (a fresh
 * reputation), so that reconnecting does not wipe the slate. */
void repmem_restore(const struct repmem *rm, const struct netaddr *addr, struct reputation *rep,
    int64_t now);

#endif
