/* peer.c -- one connected peer: handshake, keepalive, per-peer state and accounting.
 *
 * A peer owns one struct conn.  Everything a peer sends us arrives in
 * peer_on_message(); the handshake gate sits in front of every other
 * handler so that no handler ever sees a peer we have not agreed a
 * version with.  Address messages are handed to addrrelay.c.  Misbehaviour
 * goes through peer_misbehaving(), the one place that decides on bans. */
#include "peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "addrman.h"
#include "addrrelay.h"
#include "banman.h"
#include "conn.h"
#include "connman.h"
#include "geoip.h"
#include "log.h"
#include "node.h"
#include "repmem.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

/* More unknown-type messages than this in a minute is a flood. */
#define PEER_UNKNOWN_PER_MINUTE	100

static void peer_on_connected(struct conn *c, void *arg);
static void peer_on_message(struct conn *c, struct msg *m, void *arg);
static void peer_on_bad_frame(struct conn *c, enum msg_err err, uint8_t type, void *arg);
static void peer_on_unknown(struct conn *c, uint8_t type, uint32_t len, void *arg);
static void peer_on_ended(struct conn *c, enum conn_end why, enum msg_err err, void *arg);

static const struct conn_cb peer_conn_cb = {
	.connected = peer_on_connected,
	.message = peer_on_message,
	.bad_frame = peer_on_bad_frame,
	.unknown = peer_on_unknown,
	.ended = peer_on_ended,
};

const struct conn_cb *
peer_conn_callbacks(void)
{
	return &peer_conn_cb;
}

static const char *
peer_str(const struct peer *p, char *buf, size_t len)
{
	char a[NETADDR_STRLEN];

	snprintf(buf, len, "peer=%llu %s %s", (unsigned long long)p->id,
	    netaddr_format(&p->addr, a, sizeof(a)), peer_dir_name(p->dir));
	return buf;
}

struct peer *
peer_new(struct node *n, struct conn *conn, const struct netaddr *addr,
    enum peer_dir dir, enum peer_kind kind)
{
	struct peer *p = xcalloc(1, sizeof(*p));
	int64_t now_ms = node_now_ms(n);
	struct geoip_info gi;

	p->id = ++n->next_peer_id;
	p->node = n;
	p->conn = conn;
	p->addr = *addr;
	netaddr_netgroup_policy(addr, n->params->allow_private, p->netgroup);
	p->dir = dir;
	p->kind = kind;
	p->connected_ms = now_ms;
	p->last_recv_ms = now_ms;
	p->last_send_ms = now_ms;
	p->addr_tokens = 1.0;	/* room for the peer's self-announcement */
	p->addr_tokens_ms = now_ms;
	reputation_init(&p->rep, now_ms / 1000);
	repmem_restore(n->repmem, &p->addr, &p->rep, now_ms / 1000);
	quality_init(&p->q, now_ms);
	handshake_start(&p->hs, dir == PEER_OUTBOUND, rnd_u64());
	if (n->geoip != NULL && geoip_lookup(n->geoip, addr, &gi) == 0) {
		str_copy(p->country, gi.country, sizeof(p->country));
		p->asn = gi.asn;
	}
	TAILQ_INSERT_TAIL(&n->peers, p, entry);
	n->npeers++;
	return p;
}

const char *
peer_dir_name(enum peer_dir d)
{
	return d == PEER_INBOUND ? "inbound" : "outbound";
}

const char *
peer_kind_name(enum peer_kind k)
{
	switch (k) {
	case PEER_FULL: return "full";
	case PEER_FEELER: return "feeler";
	case PEER_MANUAL: return "manual";
	}
	return "?";
}

int
peer_send(struct peer *p, const struct msg *m)
{
	if (p->conn == NULL || conn_is_closing(p->conn))
		return -1;
	if (conn_send(p->conn, m) == -1)
		return -1;
	p->node->counters.msgs_sent[m->type]++;
	p->last_send_ms = node_now_ms(p->node);
	return 0;
}

static void
peer_send_simple(struct peer *p, enum msg_type t)
{
	struct msg m;

	msg_init(&m, t);
	peer_send(p, &m);
}

static void
peer_send_version(struct peer *p)
{
	struct handshake_local local = {
		.services = p->node->services,
		.start_height = p->node->height,
		.user_agent = p->node->user_agent,
	};
	struct msg m;

	if (p->node->has_external)
		local.addr_from = p->node->external;
	handshake_build_version(&p->hs, &local, &p->addr, node_now(p->node), &m);
	peer_send(p, &m);
	msg_free(&m);
}

void
peer_disconnect(struct peer *p, const char *reason, bool flush)
{
	struct node *n = p->node;
	const struct conn_stats *st;
	char who[96];

	if (p->conn == NULL)
		return;
	log_info("net", "disconnect %s: %s", peer_str(p, who, sizeof(who)), reason);
	st = conn_stats(p->conn);
	n->counters.bytes_recv += st->bytes_recv;
	n->counters.bytes_sent += st->bytes_sent;
	if (p->rep.score < REP_START)
		repmem_remember(n->repmem, &p->addr, &p->rep, node_now(n));
	connman_peer_gone(n->connman, p);
	conn_close(p->conn, flush);
	p->conn = NULL;
	TAILQ_REMOVE(&n->peers, p, entry);
	n->npeers--;
	/* Not freed here: our callers up the stack may still read P. */
	TAILQ_INSERT_TAIL(&n->dead_peers, p, entry);
	event_active(n->reap, EV_TIMEOUT, 0);
}

void
peer_reap(struct node *n)
{
	struct peer *p;

	while ((p = TAILQ_FIRST(&n->dead_peers)) != NULL) {
		TAILQ_REMOVE(&n->dead_peers, p, entry);
		free(p);
	}
}

void
peer_misbehaving(struct peer *p, enum rep_violation kind, const char *detail)
{
	struct node *n = p->node;
	struct ban_subnet sub;
	char who[96], reason[BANMAN_REASON_MAX];
	int64_t now = node_now(n);

	if (p->conn == NULL)
		return;
	n->counters.violations[kind]++;
	log_info("net", "misbehaving %s: %s (%s), score %d", peer_str(p, who, sizeof(who)),
	    reputation_violation_name(kind), detail, p->rep.score -
	    reputation_violation_info(kind)->penalty);
	if (!reputation_violation(&p->rep, kind, now))
		return;
	if (p->kind != PEER_MANUAL) {
		banman_subnet_from_addr(&sub, &p->addr);
		snprintf(reason, sizeof(reason), "misbehaving: %s", reputation_violation_name(kind));
		char err[128];
		if (banman_ban(n->banman, &sub, now + n->cfg->node.ban_time, reason, now,
		    err, sizeof(err)) == 0) {
			n->counters.bans++;
			log_warn("net", "banned %s for %llds: %s", peer_str(p, who, sizeof(who)),
			    (long long)n->cfg->node.ban_time, reason);
		}
	}
	peer_disconnect(p, reputation_violation_name(kind), false);
}

/* The handshake just completed. */
static void
peer_activate(struct peer *p)
{
	struct node *n = p->node;
	char ua[MSG_MAX_USER_AGENT * 4 + 1], who[96];
	int64_t now_ms = node_now_ms(n);

	p->active = true;
	p->active_ms = now_ms;
	log_info("net", "handshake done %s version=%u services=%llu height=%d ua=%s",
	    peer_str(p, who, sizeof(who)), p->hs.remote.version,
	    (unsigned long long)p->hs.remote.services, p->hs.remote.start_height,
	    str_sanitize(p->hs.remote.user_agent, p->hs.remote.user_agent_len, ua, sizeof(ua)));
	if (p->hs.remote.start_height > n->height)
		n->height = p->hs.remote.start_height;
	if (p->dir == PEER_OUTBOUND) {
		connman_outbound_connected(n->connman, p);
		addrman_good(n->addrman, &p->addr, now_ms / 1000);
		addrman_set_services(n->addrman, &p->addr, p->hs.remote.services);
	}
	if (p->kind == PEER_FEELER) {
		peer_disconnect(p, "feeler done", true);
		return;
	}
	/* Learn the address our peer sees us at; a candidate for
	 * advertising when nobody told us better (UPnP, --external). */
	connman_note_local(n->connman, &p->hs.remote.addr_recv.addr, p->dir);
	addrrelay_on_active(p);
	p->next_ping_ms = now_ms;	/* measure latency right away */
}

static bool
peer_handshake(struct peer *p, const struct msg *m)
{
	struct handshake_action act;
	enum handshake_error e;
	char who[96];

	e = handshake_process(&p->hs, m, peer_is_own_nonce, p->node, &act);
	switch (e) {
	case HS_OK:
		break;
	case HS_ERR_SELF:
		log_info("net", "connected to self at %s; not dialling it again",
		    peer_str(p, who, sizeof(who)));
		connman_note_self(p->node->connman, &p->addr);
		peer_disconnect(p, "connected to self", false);
		return false;
	case HS_ERR_OLD_VERSION:
		peer_disconnect(p, "incompatible protocol version", false);
		return false;
	case HS_ERR_DUPLICATE_VERSION:
		peer_misbehaving(p, REP_DUPLICATE_VERSION, handshake_strerror(e));
		return false;
	default:
		peer_misbehaving(p, REP_PRE_HANDSHAKE, handshake_strerror(e));
		/* The handshake state is failed: nothing more can follow. */
		peer_disconnect(p, handshake_strerror(e), false);
		return false;
	}
	if (act.send_version)
		peer_send_version(p);
	if (act.send_verack)
		peer_send_simple(p, MSG_VERACK);
	if (act.completed)
		peer_activate(p);
	return p->conn != NULL && m->type != MSG_VERSION && m->type != MSG_VERACK;
}

static void
peer_on_pong(struct peer *p, uint64_t nonce)
{
	int64_t now_ms = node_now_ms(p->node);

	if (p->ping_nonce == 0 || nonce != p->ping_nonce) {
		peer_misbehaving(p, REP_UNSOLICITED_PONG,
		    p->ping_nonce == 0 ? "no ping outstanding" : "nonce mismatch");
		return;
	}
	quality_latency_sample(&p->q, (double)(node_mono_us() - p->ping_sent_mono_us) / 1000.0);
	quality_exchange(&p->q, true);
	reputation_reward(&p->rep, now_ms / 1000);
	p->ping_nonce = 0;
}

static void
peer_on_message(struct conn *c, struct msg *m, void *arg)
{
	struct peer *p = arg;
	struct msg reply;

	(void)c;
	p->last_recv_ms = node_now_ms(p->node);
	p->node->counters.msgs_recv[m->type]++;
	reputation_note_seen(&p->rep, p->last_recv_ms / 1000);
	if (!peer_handshake(p, m))
		return;
	switch (m->type) {
	case MSG_PING:
		msg_pong_init(&reply, m->u.nonce);
		peer_send(p, &reply);
		break;
	case MSG_PONG:
		peer_on_pong(p, m->u.nonce);
		break;
	case MSG_GETADDR:
		addrrelay_on_getaddr(p);
		break;
	case MSG_ADDR:
		addrrelay_on_addr(p, m);
		break;
	default:
		/* getblocks, block and tx carry no chain logic yet: counted
		 * above, otherwise ignored. */
		break;
	}
}

static void
peer_on_connected(struct conn *c, void *arg)
{
	struct peer *p = arg;

	(void)c;
	p->connected_ms = node_now_ms(p->node);
	p->last_recv_ms = p->connected_ms;
	if (p->hs.outbound)
		peer_send_version(p);
}

static enum rep_violation
peer_violation_for(enum msg_err err)
{
	switch (err) {
	case MSG_ERR_BAD_CHECKSUM: return REP_BAD_CHECKSUM;
	case MSG_ERR_BAD_MAGIC: return REP_BAD_MAGIC;
	case MSG_ERR_OVERSIZED: return REP_OVERSIZED;
	default: return REP_MALFORMED;
	}
}

static void
peer_on_bad_frame(struct conn *c, enum msg_err err, uint8_t type, void *arg)
{
	struct peer *p = arg;
	char detail[96];

	(void)c;
	snprintf(detail, sizeof(detail), "%s message: %s", msg_type_name(type), msg_strerror(err));
	peer_misbehaving(p, peer_violation_for(err), detail);
}

static void
peer_on_unknown(struct conn *c, uint8_t type, uint32_t len, void *arg)
{
	struct peer *p = arg;
	char detail[64];

	(void)c;
	p->node->counters.unknown_recv++;
	if (!p->active) {
		snprintf(detail, sizeof(detail), "unknown type %u before handshake", type);
		peer_misbehaving(p, REP_PRE_HANDSHAKE, detail);
		return;
	}
	if (++p->unknown_recent == PEER_UNKNOWN_PER_MINUTE + 1) {
		snprintf(detail, sizeof(detail), "over %d unknown messages a minute (last: type %u, %u bytes)",
		    PEER_UNKNOWN_PER_MINUTE, type, len);
		peer_misbehaving(p, REP_UNKNOWN_FLOOD, detail);
	}
}

static void
peer_on_ended(struct conn *c, enum conn_end why, enum msg_err err, void *arg)
{
	struct peer *p = arg;
	static const char *const reasons[] = {
		[CONN_END_CLOSED] = "peer closed the connection",
		[CONN_END_REFUSED] = "connection refused",
		[CONN_END_TIMEOUT] = "connect timed out",
		[CONN_END_IO] = "socket error",
		[CONN_END_PROTOCOL] = "protocol error",
		[CONN_END_SENDBUF] = "send buffer full",
	};

	(void)c;
	if (why == CONN_END_REFUSED || why == CONN_END_TIMEOUT ||
	    (why != CONN_END_PROTOCOL && !p->active && p->dir == PEER_OUTBOUND &&
	    conn_stats(c)->bytes_recv == 0))
		connman_outbound_failed(p->node->connman, p);
	if (why == CONN_END_PROTOCOL) {
		char detail[96];
		snprintf(detail, sizeof(detail), "%s", msg_strerror(err));
		peer_misbehaving(p, peer_violation_for(err), detail);
		if (p->conn == NULL)
			return;
	}
	peer_disconnect(p, reasons[why], false);
}

static void
peer_ping(struct peer *p, int64_t now_ms)
{
	struct msg m;

	do {
		p->ping_nonce = rnd_u64();
	} while (p->ping_nonce == 0);
	p->ping_sent_ms = now_ms;
	p->ping_sent_mono_us = node_mono_us();
	p->next_ping_ms = now_ms + (int64_t)p->node->cfg->node.ping_interval * 1000;
	msg_ping_init(&m, p->ping_nonce);
	peer_send(p, &m);
}

void
peer_tick(struct peer *p, int64_t now_ms)
{
	const struct config *cfg = p->node->cfg;
	const struct conn_stats *st;
	int64_t idle_ms = (int64_t)cfg->node.inactivity_timeout * 1000;

	if (p->conn == NULL || conn_is_closing(p->conn))
		return;
	st = conn_stats(p->conn);
	quality_bytes(&p->q, st->bytes_recv - p->last_bytes_in, st->bytes_sent - p->last_bytes_out,
	    now_ms);
	p->last_bytes_in = st->bytes_recv;
	p->last_bytes_out = st->bytes_sent;
	if (now_ms - p->unknown_window_ms >= 60000) {
		p->unknown_recent = 0;
		p->unknown_window_ms = now_ms;
	}

	if (!p->active) {
		if (now_ms - p->connected_ms > (int64_t)cfg->node.handshake_timeout * 1000) {
			if (p->dir == PEER_INBOUND && st->bytes_recv > 0)
				peer_misbehaving(p, REP_HANDSHAKE_TIMEOUT, "no verack in time");
			if (p->conn != NULL)
				peer_disconnect(p, "handshake timeout", false);
		}
		return;
	}
	if (p->ping_nonce != 0 && now_ms - p->ping_sent_ms > idle_ms) {
		quality_exchange(&p->q, false);
		peer_disconnect(p, "ping timeout", false);
		return;
	}
	if (now_ms - p->last_recv_ms > idle_ms) {
		peer_disconnect(p, "inactivity timeout", false);
		return;
	}
	if (p->ping_nonce == 0 && now_ms >= p->next_ping_ms)
		peer_ping(p, now_ms);
	addrrelay_tick(p, now_ms / 1000);
}

struct peer *
peer_find(struct node *n, uint64_t id)
{
	struct peer *p;

	TAILQ_FOREACH(p, &n->peers, entry)
		if (p->id == id)
			return p;
	return NULL;
}

bool
peer_is_own_nonce(uint64_t nonce, void *arg)
{
	struct node *n = arg;
	struct peer *p;

	TAILQ_FOREACH(p, &n->peers, entry)
		if (p->dir == PEER_OUTBOUND && !p->active && p->hs.local_nonce == nonce)
			return true;
	return false;
}
