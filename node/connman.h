/* connman.h -- connection manager: listeners, the peer table, outbound slots, feelers, manual nodes, eviction.
 *
 * connman owns every connection and every struct peer: it dials, accepts,
 * counts slots, evicts and closes.  It never interprets a payload: what a
 * peer says goes to the message layer through struct net_events (Bitcoin
 * Core's NetEventsInterface between CConnman and PeerManager), and the
 * message layer answers through connman_send and connman_disconnect. */
#ifndef AGENTCHAIN_CONNMAN_H
#define AGENTCHAIN_CONNMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "msg.h"
#include "netaddr.h"
#include "peer.h"

struct addrman;
struct banman;
struct config;
struct conn;
struct conn_cb;
struct conn_stats;
struct conn_transport_info;
struct connman;
struct geoip;
struct manual;
struct resolver;

/* TCP connect timeout for outbound dials (Core: 5 s). */
#define CONNMAN_CONNECT_TIMEOUT_MS	5000
/* Feeler connections: one every two minutes on average (Core). */
#define CONNMAN_FEELER_INTERVAL		120

/* What connman tells the message layer.  Every callback runs on the loop;
 * P stays valid for the whole call, even if the callee disconnects it. */
struct net_events {
	void	*arg;
	/* P was just created (a dial started, or an inbound accepted): set
	 * up the per-peer state in P->ev. */
	void	(*peer_new)(void *arg, struct peer *p);
	/* P's TCP connection is up (for inbound: right after peer_new). */
	void	(*peer_connected)(void *arg, struct peer *p);
	/* One decoded message; M is borrowed for the call. */
	void	(*message)(void *arg, struct peer *p, const struct msg *m);
	/* A frame that failed to decode (TYPE: its type byte, or -1 when the
	 * header itself was bad).  When FATAL the stream is out of sync and
	 * connman disconnects P after the call. */
	void	(*bad_frame)(void *arg, struct peer *p, enum msg_err err, int type, bool fatal);
	/* A well-formed frame of a type we do not know. */
	void	(*unknown)(void *arg, struct peer *p, uint8_t type, uint32_t len);
	/* Once a second for every peer that is not gone. */
	void	(*peer_tick)(void *arg, struct peer *p, int64_t now_ms);
	/* P's send buffer has room again (conn_cb.drained). */
	void	(*peer_drained)(void *arg, struct peer *p);
	/* P was disconnected (REASON): no more events reach it. */
	void	(*peer_gone)(void *arg, struct peer *p, const char *reason);
	/* P is about to be freed, on the loop turn after peer_gone: free
	 * P->ev.  (Deferred so that code up the stack of a disconnect --
	 * a send that found the buffer full, say -- may still use it.) */
	void	(*peer_free)(void *arg, struct peer *p);
};

/* How connman reaches the wire: common/conn's framed TCP unless a test
 * passes a fake.  The functions mirror conn.h. */
struct connman_io {
	struct conn	*(*dial)(void *io, const struct netaddr *addr, const struct netaddr *bind_ip,
			    const struct conn_cb *cb, void *cbarg, char *err, size_t errlen);
	struct conn	*(*accept)(void *io, int fd, const struct netaddr *addr,
			    const struct conn_cb *cb, void *cbarg);
	int		 (*send)(struct conn *c, const struct msg *m);
	void		 (*close)(struct conn *c, bool flush);
	const struct conn_stats *(*stats)(const struct conn *c);
	size_t		 (*sendq)(const struct conn *c);
	void		 (*set_max_payload)(struct conn *c, uint32_t max);
	/* May be NULL: every connection is v1. */
	void		 (*transport)(const struct conn *c, struct conn_transport_info *out);
	/* May be NULL.  Why C ended, in words, or NULL; and whether a dial
	 * failed at the proxy rather than at the peer (no fault of the
	 * address, which must not lose standing for it). */
	const char	*(*end_reason)(const struct conn *c);
	bool		 (*proxy_fault)(const struct conn *c);
	/* May be NULL.  Our side of C's socket (conn_local_addr): 0 or -1. */
	int		 (*local_addr)(const struct conn *c, struct netaddr *out);
	void		*io;
};

struct connman_opts {
	struct event_base	*base;
	const struct config	*cfg;
	struct addrman		*addrman;
	struct banman		*banman;
	struct geoip		*geoip;		/* NULL: no GeoIP database */
	struct resolver		*resolver;	/* NULL: manual nodes by name never resolve */
	const struct connman_io	*io;		/* NULL: TCP */
};

struct connman *connman_new(const struct connman_opts *o);
/* Frees every peer without telling the message layer: call connman_stop
 * and let the loop run first. */
void connman_free(struct connman *cm);
/* The message layer; set once, before any peer exists. */
void connman_set_events(struct connman *cm, const struct net_events *ev);

/* Bind every configured listen address.  Returns 0, or -1 with a reason
 * in ERR when none could be bound (some failing is logged, not fatal). */
int connman_listen(struct connman *cm, char *err, size_t errlen);
size_t connman_listeners(const struct connman *cm);

/* Once a second: peers' ticks, manual nodes, outbound slots, feelers. */
void connman_tick(struct connman *cm, int64_t now_ms);

/* Disconnect everyone (flushing) and accept and dial no more. */
void connman_stop(struct connman *cm);

/* Take an accepted socket FD from ADDR (the listener calls this; tests
 * call it with their fake transport).  Returns the peer, or NULL when
 * refused (banned, per-IP cap, slots full) with the reason in *WHY. */
struct peer *connman_accept(struct connman *cm, int fd, const struct netaddr *addr,
    const char **why);

/* Open an outbound connection of KIND to ADDR now.  Returns the peer, or
 * NULL with the reason in *WHY (already connected, banned, ourselves, not
 * a usable address, no socket). */
struct peer *connman_connect(struct connman *cm, const struct netaddr *addr, enum peer_kind kind,
    const char **why);

/* Queue M to P.  Returns 0, or -1 when P is disconnecting or its send
 * buffer is full (connman then disconnects it). */
int connman_send(struct connman *cm, struct peer *p, const struct msg *m);
/* Close P (flushing what is queued when FLUSH); the message layer hears
 * peer_gone at once, P is freed on the next loop turn.  Idempotent. */
void connman_disconnect(struct connman *cm, struct peer *p, const char *reason, bool flush);
/* Free the peers disconnected since the last call (normally done by the
 * loop; exposed for tests). */
void connman_reap(struct connman *cm);

/* The message layer reports: P completed its handshake, announcing
 * SERVICES.  Outbound addresses are marked good; a feeler has done its job
 * and is disconnected (returns false then).  SEEN_AS is our address as P
 * sees it, a candidate for advertising. */
bool connman_peer_active(struct connman *cm, struct peer *p, uint64_t services,
    const struct netaddr *seen_as);
/* The message layer measured a round trip of MS to P (eviction input). */
void connman_peer_ping(struct connman *cm, struct peer *p, double ms);
/* Is ADDR this node: a listen address (a wildcard one at any of this
 * host's addresses), the advertised one, or one found to be us? */
bool connman_is_own_addr(const struct connman *cm, const struct netaddr *addr);
/* P's nonce showed we dialled ourselves: never dial ADDR again. */
void connman_note_self(struct connman *cm, const struct netaddr *addr);
/* Let frames of up to MAX bytes through from P (small before the handshake). */
void connman_peer_max_payload(struct connman *cm, struct peer *p, uint32_t max);

const struct conn_stats *connman_peer_stats(const struct connman *cm, const struct peer *p);
/* What P's connection speaks (v1, zeros, once gone). */
void connman_peer_transport(const struct connman *cm, const struct peer *p,
    struct conn_transport_info *out);
/* Our address on P's socket (getsockname): 0, or -1 when unknown or gone. */
int connman_peer_local_addr(const struct connman *cm, const struct peer *p,
    struct netaddr *out);
/* Bytes queued to P and not yet written (0 once gone). */
size_t connman_peer_sendq(const struct connman *cm, const struct peer *p);

/* The peer table, in connection order; gone peers are not listed. */
struct peer *connman_peer_first(const struct connman *cm);
struct peer *connman_peer_next(const struct peer *p);
struct peer *connman_peer_find(const struct connman *cm, uint64_t id);

/* Is ADDR a usable peer address here and not banned?  Routable ones
 * always; private and loopback ones on regtest, and on other networks only
 * when one of our peers is on the same private network (a LAN network,
 * Bitcoin Core's "local addresses stay local"). */
bool connman_addr_usable(const struct connman *cm, const struct netaddr *addr);

/* Which private network A is in: 0 for none, else one number per block
 * (10/8, 172.16/12, 192.168/16, 100.64/10, 127/8, ::1, fc00::/7). */
int connman_private_net(const struct netaddr *a);
/* Are A and B both in the same private network? */
bool connman_same_private_net(const struct netaddr *a, const struct netaddr *b);

/* Our advertised address: set from a listen address, UPnP or what
 * outbound peers report.  Returns false when we have none. */
bool connman_local_addr(const struct connman *cm, struct netaddr *out);
void connman_set_local_addr(struct connman *cm, const struct netaddr *addr);

/* Manual nodes (addnode, --seed-node). */
int connman_add_manual(struct connman *cm, const char *hostport, char *err, size_t errlen);
int connman_remove_manual(struct connman *cm, const char *hostport);
const struct manual *connman_manual(const struct connman *cm);

struct connman_counts {
	unsigned	inbound;
	unsigned	outbound;	/* automatic full-relay, incl. connecting */
	unsigned	manual;
	unsigned	feeler;
	unsigned	max_inbound;
};
void connman_counts(const struct connman *cm, struct connman_counts *out);

struct connman_stats {
	uint64_t	inbound_accepted;
	uint64_t	inbound_refused;
	uint64_t	outbound_attempts;
	uint64_t	outbound_failures;
	uint64_t	evictions;
	uint64_t	bytes_recv_closed;	/* of peers already gone */
	uint64_t	bytes_sent_closed;
};
const struct connman_stats *connman_stats(const struct connman *cm);

/* Change tracking, so that a watcher can ask for what moved since its
 * last look instead of everything (getpeerchanges).  Every message in or
 * out, completed handshake, ping or arrival bumps the version and stamps
 * the peer with it; departures are remembered (bounded) with theirs. */
uint64_t connman_version(const struct connman *cm);
/* The peers that left after version SINCE: their ids into OUT (at most
 * MAX).  Returns how many, or -1 when SINCE is older than what is
 * remembered (the caller must then take a full list). */
long connman_removed_since(const struct connman *cm, uint64_t since, uint64_t *out, size_t max);
/* Why peer ID left, if it left recently ("" otherwise; BUF returned). */
const char *connman_gone_reason(const struct connman *cm, uint64_t id, char *buf, size_t len);

/* Has an outbound connection ever completed a handshake? (bootstrap) */
bool connman_ever_connected(const struct connman *cm);

#endif
