/* connman.h -- connection manager: listeners, outbound slots, feelers, manual nodes, eviction. */
#ifndef AGENTCHAIN_CONNMAN_H
#define AGENTCHAIN_CONNMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"
#include "peer.h"

struct connman;
struct node;

/* TCP connect timeout for outbound dials (Core: 5 s). */
#define CONNMAN_CONNECT_TIMEOUT_MS	5000
/* Feeler connections: one every two minutes on average (Core). */
#define CONNMAN_FEELER_INTERVAL		120
/* Manual nodes are retried this often while unreachable. */
#define CONNMAN_MANUAL_RETRY		10
#define CONNMAN_MAX_MANUAL		64

struct connman *connman_new(struct node *n);
void connman_free(struct connman *cm);

/* Bind every configured listen address.  Returns 0, or -1 with a reason
 * in ERR when none could be bound (some failing is logged, not fatal). */
int connman_listen(struct connman *cm, char *err, size_t errlen);
/* Number of sockets listening, and the first one's address (for tests). */
size_t connman_listeners(const struct connman *cm);

/* Keep a persistent connection to HOST:PORT (--seed-node, addnode).
 * Returns 0, or -1 when malformed or the list is full. */
int connman_add_manual(struct connman *cm, const char *hostport, char *err, size_t errlen);
int connman_remove_manual(struct connman *cm, const char *hostport);

/* Once a second: fill outbound slots from the address book, run feelers
 * and retry manual nodes. */
void connman_tick(struct connman *cm, int64_t now_ms);

/* Open an outbound connection of KIND to ADDR now.  Returns the peer, or
 * NULL when refused (already connected, banned, our own address ...). */
struct peer *connman_connect(struct connman *cm, const struct netaddr *addr, enum peer_kind kind);

/* Callbacks from peer.c ("connected": the outbound handshake completed). */
void connman_outbound_connected(struct connman *cm, struct peer *p);
void connman_outbound_failed(struct connman *cm, struct peer *p);
void connman_peer_gone(struct connman *cm, struct peer *p);
void connman_note_self(struct connman *cm, const struct netaddr *addr);
void connman_note_local(struct connman *cm, const struct netaddr *seen_as, enum peer_dir dir);

/* Current counts. */
struct connman_counts {
	unsigned	inbound;
	unsigned	outbound;	/* automatic full-relay, incl. connecting */
	unsigned	manual;
	unsigned	feeler;
	unsigned	max_inbound;
};
void connman_counts(const struct connman *cm, struct connman_counts *out);

/* Has an outbound connection ever completed a handshake? (bootstrap) */
bool connman_ever_connected(const struct connman *cm);

#endif
