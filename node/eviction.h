/* eviction.h -- which inbound peer to drop when a new one needs the slot. */
#ifndef AGENTCHAIN_EVICTION_H
#define AGENTCHAIN_EVICTION_H

#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

struct eviction_candidate {
	uint64_t	id;
	uint8_t		netgroup[NETADDR_GROUPLEN];
	uint64_t	keyed_netgroup;	/* SipHash of the netgroup under a secret key */
	double		min_ping_ms;	/* < 0: never measured */
	int64_t		connected_ms;	/* monotonic */
	bool		handshaked;	/* version/verack completed */
	int64_t		handshake_ms;	/* monotonic, when it did */
};

/* The few peers that completed their handshake most recently are safe for
 * a short while: a newcomer has no measured ping and no uptime yet, and a
 * connection flood must not push it out the moment it arrives. */
#define EVICT_PROTECT_RECENT	4
#define EVICT_RECENT_MS		10000

/* Choose the peer to evict among N inbound candidates at NOW_MS
 * (monotonic).  A peer that has not completed its handshake goes first
 * (the one that has had longest to do it): it has shown nothing, and a
 * flood of connections that never speak must not cost a peer that did.
 * Otherwise, after protecting the EVICT_PROTECT_RECENT most recent
 * handshakes of the last EVICT_RECENT_MS, as Bitcoin Core's
 * SelectNodeToEvict does (without its relay-based protections, since we
 * relay no transactions or blocks yet):
 *   protect the 4 with the highest keyed netgroup (an attacker cannot
 *   choose to look diverse), the 8 with the lowest minimum ping, and half
 *   of the rest by longest connection; among those left, take the
 *   netgroup with the most peers (ties: the one with the youngest peer)
 *   and evict its youngest peer.
 * Returns the chosen candidate's id, or 0 when every candidate is
 * protected (then the newcomer is refused).  CAND is reordered. */
uint64_t eviction_select(struct eviction_candidate *cand, size_t n, int64_t now_ms);

#endif
