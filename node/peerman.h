/* peerman.h -- the message layer: handshake gate, keepalive pings, reputation, dispatch to handlers.
 *
 * peerman is what connman's struct net_events calls (Bitcoin Core's
 * PeerManager).  No message reaches a handler before the version/verack
 * handshake completed; then each message type goes to the one handler
 * that registered for it.  Address relay is such a handler today; block
 * and transaction relay plug in the same way.  Misbehaviour from any
 * handler goes through peerman_misbehaving, the one place that bans. */
#ifndef AGENTCHAIN_PEERMAN_H
#define AGENTCHAIN_PEERMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handshake.h"
#include "msg.h"
#include "quality.h"
#include "reputation.h"

struct banman;
struct config;
struct connman;
struct net_events;
struct peer;
struct peerman;
struct repmem;

#define PEERMAN_MAX_HANDLERS	8
/* Frames before the handshake: a version is under 400 bytes. */
#define PEERMAN_PRE_HANDSHAKE_PAYLOAD	4096
/* More unknown-type messages than this in a minute is a flood. */
#define PEERMAN_UNKNOWN_PER_MINUTE	100

/* A message handler behind the handshake gate.  Every callback gets CTX,
 * the peer and the handler's own per-peer state ST (what peer_new made
 * when the handshake completed; peer_free releases it on the loop turn
 * after the peer left, so ST outlives any disconnect up the stack).
 * TYPES is a bit mask (1 << MSG_...) of the messages it takes; several
 * handlers may take one type (inv carries blocks and transactions), each
 * then sees the message, in registration order.  Times are the monotonic
 * clock. */
struct peer_handler {
	const char	*name;
	void		*ctx;
	uint64_t	 types;
	void		*(*peer_new)(void *ctx, struct peer *p);
	/* P was disconnected: give back what it held (requests in flight);
	 * ST stays valid until peer_free. */
	void		 (*peer_gone)(void *ctx, struct peer *p, void *st);
	void		 (*peer_free)(void *ctx, struct peer *p, void *st);
	/* The handshake with P completed. */
	void		 (*peer_active)(void *ctx, struct peer *p, void *st);
	/* Once a second for each active peer. */
	void		 (*peer_tick)(void *ctx, struct peer *p, void *st, int64_t now_ms);
	void		 (*message)(void *ctx, struct peer *p, void *st, const struct msg *m);
	/* P's send buffer has room again (see conn_cb.drained). */
	void		 (*drained)(void *ctx, struct peer *p, void *st);
};

struct peerman_opts {
	const struct config	*cfg;
	struct connman		*connman;
	struct banman		*banman;
	struct repmem		*repmem;	/* reputation kept across reconnects */
	uint64_t		 services;	/* what we announce */
	const char		*user_agent;
};

/* Creates the message layer and installs it as CONNMAN's events. */
struct peerman *peerman_new(const struct peerman_opts *o);
void peerman_free(struct peerman *pm);

/* Register H (copied).  Returns its slot for peerman_state, or -1 when
 * the table is full.  Only before any peer exists. */
int peerman_add_handler(struct peerman *pm, const struct peer_handler *h);
/* The per-peer state of the handler in SLOT for P (NULL for a peer that
 * has not completed its handshake yet, or is gone). */
void *peerman_state(const struct peerman *pm, const struct peer *p, int slot);

/* Queue M to P (counted).  Returns 0, or -1 when P is disconnecting. */
int peerman_send(struct peerman *pm, struct peer *p, const struct msg *m);
/* Record violation KIND (DETAIL is logged); when P's reputation falls to
 * the minimum, ban its address for node.ban_time and disconnect it. */
void peerman_misbehaving(struct peerman *pm, struct peer *p, enum rep_violation kind,
    const char *detail);

/* What peerman knows of P, for RPC. */
struct peerman_view {
	const struct msg_version	*remote;	/* their version; zeroed before */
	const struct reputation		*rep;
	const struct quality		*q;
	int64_t				 last_recv_ms;	/* wall clock */
	int64_t				 last_send_ms;
	int64_t				 ping_wait_ms;	/* < 0: no ping outstanding */
};
/* Returns false when P has no message-layer state (gone). */
bool peerman_view(const struct peerman *pm, const struct peer *p, struct peerman_view *out);

struct peerman_stats {
	uint64_t	msgs_recv[MSG_TYPE_COUNT];
	uint64_t	msgs_sent[MSG_TYPE_COUNT];
	uint64_t	unknown_recv;
	uint64_t	violations[REP_VIOLATION_COUNT];
	uint64_t	bans;
};
const struct peerman_stats *peerman_stats(const struct peerman *pm);

uint64_t peerman_services(const struct peerman *pm);
const char *peerman_user_agent(const struct peerman *pm);
/* The height we announce in our version messages: our own best validated
 * chain's, which the node keeps up to date. */
void peerman_set_height(struct peerman *pm, int32_t height);
int32_t peerman_height(const struct peerman *pm);

#endif
