/* peer.h -- one connected peer: handshake, keepalive, per-peer state and accounting. */
#ifndef AGENTCHAIN_PEER_H
#define AGENTCHAIN_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "handshake.h"
#include "netaddr.h"
#include "quality.h"
#include "reputation.h"

struct conn;
struct conn_cb;
struct node;

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
	TAILQ_ENTRY(peer)	 entry;
	uint64_t		 id;
	struct node		*node;
	struct conn		*conn;		/* NULL once the peer is gone */
	struct netaddr		 addr;
	uint8_t			 netgroup[NETADDR_GROUPLEN];
	enum peer_dir		 dir;
	enum peer_kind		 kind;

	struct handshake	 hs;
	bool			 active;	/* handshake completed */
	int64_t			 connected_ms;
	int64_t			 active_ms;
	int64_t			 last_recv_ms;
	int64_t			 last_send_ms;

	/* Keepalive: one ping in flight at a time. */
	uint64_t		 ping_nonce;	/* 0: none outstanding */
	int64_t			 ping_sent_ms;	/* wall clock, for timeouts */
	int64_t			 ping_sent_mono_us;	/* for the round-trip time */
	int64_t			 next_ping_ms;

	/* Address exchange. */
	bool			 getaddr_sent;
	bool			 getaddr_answered;
	double			 addr_tokens;
	int64_t			 addr_tokens_ms;
	uint64_t		 addr_processed;
	uint64_t		 addr_rate_limited;
	uint64_t		 unknown_recent;	/* unknown-type messages since ... */
	int64_t			 unknown_window_ms;	/* ... this time */
	int64_t			 next_self_announce;	/* seconds */
	/* Addresses this peer already has (it sent them, or we did): the
	 * last PEER_ADDR_KNOWN as keyed hashes, so gossip stops by itself. */
#define PEER_ADDR_KNOWN 64
	uint64_t		 addr_known[PEER_ADDR_KNOWN];
	unsigned		 addr_known_head;

	struct reputation	 rep;
	struct quality		 q;
	uint64_t		 last_bytes_in, last_bytes_out;

	/* GeoIP, when a database is configured. */
	char			 country[3];
	uint32_t		 asn;
};

/* Take over CONN (a new inbound or outbound connection to ADDR) as a peer
 * of N; the peer is linked into N's list.  Outbound peers send their
 * version as soon as the TCP connection is up. */
struct peer *peer_new(struct node *n, struct conn *conn, const struct netaddr *addr,
    enum peer_dir dir, enum peer_kind kind);

/* Close the connection (flushing what is queued when FLUSH) and unlink and
 * free the peer on the next loop iteration.  REASON is logged.  Safe from
 * inside the peer's own callbacks; idempotent. */
void peer_disconnect(struct peer *p, const char *reason, bool flush);

/* Record violation KIND; when the peer's reputation falls to the minimum,
 * ban its address for the configured ban time and disconnect it. */
void peer_misbehaving(struct peer *p, enum rep_violation kind, const char *detail);

/* The connection callbacks through which a conn reports to its peer
 * (pass with conn_connect/conn_accept, then conn_set_arg to the peer). */
const struct conn_cb *peer_conn_callbacks(void);

/* Free every peer disconnected since the last call (the node's reap
 * event calls this once per loop iteration that had disconnects). */
void peer_reap(struct node *n);

/* Queue M to P (counted).  Returns 0 or -1 (P is being disconnected). */
int peer_send(struct peer *p, const struct msg *m);

/* Periodic per-peer work: pings, handshake and inactivity timeouts,
 * bandwidth sampling.  Called once a second by the node. */
void peer_tick(struct peer *p, int64_t now_ms);

/* Find a connected peer by id, or NULL. */
struct peer *peer_find(struct node *n, uint64_t id);

/* Is NONCE the version nonce of one of our own outbound handshakes? */
bool peer_is_own_nonce(uint64_t nonce, void *node);

const char *peer_dir_name(enum peer_dir d);
const char *peer_kind_name(enum peer_kind k);

#endif
