/* peer.h -- one connected peer as the connection manager sees it: address, direction, slot, timing.
 *
 * A struct peer is created, owned and freed by connman.  Everything the
 * message layer learns about a peer (its version, reputation, latency,
 * what addresses it knows) lives in the message layer's own per-peer
 * state, which connman carries in EV without looking inside.  The few
 * facts connman needs back from the message layer -- that the handshake
 * completed, the best round trip for eviction -- arrive through connman's
 * functions (connman_peer_active, connman_peer_min_ping). */
#ifndef AGENTCHAIN_PEER_H
#define AGENTCHAIN_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "netaddr.h"

struct conn;
struct connman;

enum peer_dir {
	PEER_INBOUND = 0,
	PEER_OUTBOUND,
};

enum peer_kind {
	PEER_FULL = 0,		/* an automatic outbound or any inbound */
	PEER_FEELER,		/* short-lived: tests an address, then leaves */
	PEER_MANUAL,		/* addnode / --seed-node: not counted in the outbound target */
};

struct peer {
	uint64_t		 id;		/* never reused within a run */
	struct netaddr		 addr;
	uint8_t			 netgroup[NETADDR_GROUPLEN];
	enum peer_dir		 dir;
	enum peer_kind		 kind;
	char			 country[3];	/* GeoIP, "" when unknown */
	uint32_t		 asn;		/* GeoIP, 0 when unknown */
	int64_t			 connected_ms;	/* wall clock: reported to operators */
	int64_t			 connected_mono_ms;

	/* Set through connman by the message layer. */
	bool			 active;	/* handshake completed */
	int64_t			 active_mono_ms;
	uint64_t		 services;	/* what the peer announced */
	double			 min_ping_ms;	/* < 0: never measured */

	/* The message layer's per-peer state (connman never looks inside). */
	void			*ev;

	/* connman's own. */
	TAILQ_ENTRY(peer)	 entry;
	struct connman		*cm;
	struct conn		*conn;		/* NULL once disconnected */
	bool			 gone;		/* disconnected, freed on the next loop turn */
	uint64_t		 changed;	/* connman's change version when it last moved */
};

const char *peer_dir_name(enum peer_dir d);
const char *peer_kind_name(enum peer_kind k);

/* "peer=ID ADDR DIR" for log lines; returns BUF. */
const char *peer_str(const struct peer *p, char *buf, size_t len);

#endif
