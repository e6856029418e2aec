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
	int64_t		connected_ms;
};

/* Choose the peer to evict among N inbound candidates, as Bitcoin Core's
 * SelectNodeToEvict does (without its relay-based protections, since we
 * relay no transactions or blocks yet):
 *   protect the 4 with the highest keyed netgroup (an attacker cannot
 *   choose to look diverse), the 8 with the lowest minimum ping, and half
 *   of the rest by longest connection; among those left, take the
 *   netgroup with the most peers (ties: the one with the youngest peer)
 *   and evict its youngest peer.
 * Returns the chosen candidate's id, or 0 when every candidate is
 * protected (then the newcomer is refused).  CAND is reordered. */
uint64_t eviction_select(struct eviction_candidate *cand, size_t n);

#endif
