/* addrrelay.h -- address exchange: getaddr answers, addr intake with rate limits, relay. */
#ifndef AGENTCHAIN_ADDRRELAY_H
#define AGENTCHAIN_ADDRRELAY_H

#include "msg.h"

struct node;
struct peer;

/* Bitcoin Core's token bucket (bitcoin/bitcoin#22387): 0.1 address/s,
 * at most 1000 banked; +1000 after we ask a peer with getaddr. */
#define ADDRRELAY_TOKENS_PER_SEC	0.1
/* Regtest networks of a dozen loopback nodes form within seconds, and every
 * self-announcement is gossiped at once; there the refill is 100 times
 * faster (10/s), still far below what an addr flood sends. */
#define ADDRRELAY_REGTEST_RATE_FACTOR	100.0
#define ADDRRELAY_TOKENS_MAX		1000.0
/* An addr message is relayed only when small and fresh (a self-announcement
 * or a relay of one, not a getaddr answer). */
#define ADDRRELAY_RELAY_MAX_COUNT	10
#define ADDRRELAY_RELAY_MAX_AGE		(10 * 60)
#define ADDRRELAY_RELAY_FANOUT		2
/* Re-announce our own address to each peer about this often (Core: 24 h
 * on average); regtest every 10-20 s so test networks converge fast. */
#define ADDRRELAY_SELF_INTERVAL		(24 * 3600)
#define ADDRRELAY_SELF_INTERVAL_REGTEST	15

/* The handshake with P just completed: ask outbound peers for addresses
 * (once) and announce our own address if we have one. */
void addrrelay_on_active(struct peer *p);

/* Once a second per active peer: re-announce our address when due. */
void addrrelay_tick(struct peer *p, int64_t now);

/* Answer a getaddr: inbound peers only, once per connection, from a cached
 * random sample so that repeated asking cannot scrape the address book. */
void addrrelay_on_getaddr(struct peer *p);

/* Take in an addr message from P: rate-limit, validate, store, relay. */
void addrrelay_on_addr(struct peer *p, const struct msg *m);

/* Drop the cached getaddr answer (e.g. after the address book changed a
 * lot in a test network); the next getaddr rebuilds it. */
void addrrelay_flush_cache(struct node *n);
void addrrelay_free(struct node *n);

#endif
