/* addrrelay.h -- address exchange: getaddr answers, addr intake with rate limits, relay.
 *
 * A message handler behind peerman's handshake gate (getaddr and addr). */
#ifndef AGENTCHAIN_ADDRRELAY_H
#define AGENTCHAIN_ADDRRELAY_H

#include <stdint.h>

struct addrman;
struct addrrelay;
struct config;
struct connman;
struct peer;
struct peerman;

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
/* Addresses a peer already has (it sent them, or we did), in a rolling
 * Bloom filter so that gossip stops by itself (Core's m_addr_known: 5000
 * at 0.001).  It must outlast a round of every address in the network: a
 * ring of 64 forgot them within seconds on a 100-node network, and every
 * self-announcement then circled for ever (250 addr messages a second per
 * node, the two cores saturated, bench/propagation.sh). */
#define ADDRRELAY_KNOWN			5000
#define ADDRRELAY_KNOWN_FP		0.001
/* A flood: an addr message most of whose entries the bucket refused. */
#define ADDRRELAY_FLOOD_MIN_COUNT	10

struct addrrelay_opts {
	const struct config	*cfg;
	struct addrman		*addrman;
	struct connman		*connman;
	struct peerman		*peerman;
};

/* Creates the relay and registers it with OPTS->peerman.  Returns NULL
 * when peerman refused the registration. */
struct addrrelay *addrrelay_new(const struct addrrelay_opts *o);
void addrrelay_free(struct addrrelay *ar);

/* Drop the cached getaddr answer; the next getaddr rebuilds it. */
void addrrelay_flush_cache(struct addrrelay *ar);

struct addrrelay_stats {
	uint64_t	received;	/* addresses taken in */
	uint64_t	rate_limited;	/* addresses over a peer's bucket */
	uint64_t	private_ignored;	/* private ones from another network */
};
void addrrelay_stats(const struct addrrelay *ar, struct addrrelay_stats *out);
/* P's share of the same; zero for a peer without a completed handshake. */
void addrrelay_peer_stats(const struct addrrelay *ar, const struct peer *p,
    struct addrrelay_stats *out);

#endif
