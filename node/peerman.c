/* peerman.c -- the message layer: handshake gate, keepalive pings, reputation, dispatch to handlers.
 *
 * Each peer gets a struct peerstate in P->ev when connman creates it and
 * loses it in peer_free.  Handlers get their own per-peer state only once
 * the handshake completed, so no handler ever sees a peer we have not
 * agreed a version with. */
#include "peerman.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banman.h"
#include "clock.h"
#include "config.h"
#include "conn.h"
#include "connman.h"
#include "log.h"
#include "peer.h"
#include "repmem.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

struct peerstate {
	struct handshake	 hs;
	struct reputation	 rep;
	struct quality		 q;
	int64_t			 last_recv_ms;	/* wall clock, for RPC */
	int64_t			 last_send_ms;
	int64_t			 last_recv_mono_ms;

	/* Keepalive: one ping in flight at a time. */
	uint64_t		 ping_nonce;	/* 0: none outstanding */
	int64_t			 ping_sent_mono_us;
	int64_t			 next_ping_mono_ms;

	uint64_t		 unknown_recent;	/* unknown-type messages since ... */
	int64_t			 unknown_window_ms;	/* ... this (monotonic) time */
	uint64_t		 last_bytes_in, last_bytes_out;

	void			*hstate[PEERMAN_MAX_HANDLERS];
};

struct peerman {
	const struct config	*cfg;
	struct connman		*cm;
	struct banman		*banman;
	struct repmem		*repmem;
	uint64_t		 services;
	char			 user_agent[64];
	int32_t			 height;
	struct peer_handler	 handlers[PEERMAN_MAX_HANDLERS];
	int			 nhandlers;
	uint32_t		 by_type[MSG_TYPE_COUNT];	/* bit per handler slot */
	struct peerman_stats	 stats;
};

static struct peerstate *
ps_of(const struct peer *p)
{
	return p->ev;
}

/* --- sending, misbehaviour ------------------------------------------------ */

int
peerman_send(struct peerman *pm, struct peer *p, const struct msg *m)
{
	struct peerstate *ps = ps_of(p);

	if (ps == NULL || p->gone || connman_send(pm->cm, p, m) == -1)
		return -1;
	if ((unsigned)m->type < MSG_TYPE_COUNT)
		pm->stats.msgs_sent[m->type]++;
	ps->last_send_ms = clock_wall_ms();
	return 0;
}

static void
peerman_send_simple(struct peerman *pm, struct peer *p, enum msg_type t)
{
	struct msg m;

	msg_init(&m, t);
	peerman_send(pm, p, &m);
}

void
peerman_misbehaving(struct peerman *pm, struct peer *p, enum rep_violation kind,
    const char *detail)
{
	struct peerstate *ps = ps_of(p);
	struct ban_subnet sub;
	char who[96], reason[BANMAN_REASON_MAX], err[128];
	int64_t now = clock_wall();

	if (ps == NULL || p->gone)
		return;
	pm->stats.violations[kind]++;
	log_info("net", "misbehaving %s: %s (%s), score %d", peer_str(p, who, sizeof(who)),
	    reputation_violation_name(kind), detail, ps->rep.score -
	    reputation_violation_info(kind)->penalty);
	if (!reputation_violation(&ps->rep, kind, now))
		return;
	if (p->kind != PEER_MANUAL) {
		banman_subnet_from_addr(&sub, &p->addr);
		snprintf(reason, sizeof(reason), "misbehaving: %s", reputation_violation_name(kind));
		if (banman_ban(pm->banman, &sub, now + pm->cfg->node.ban_time, reason, now,
		    err, sizeof(err)) == 0) {
			pm->stats.bans++;
			log_warn("net", "banned %s for %llds: %s", peer_str(p, who, sizeof(who)),
			    (long long)pm->cfg->node.ban_time, reason);
		}
	}
	connman_disconnect(pm->cm, p, reputation_violation_name(kind), false);
}

/* --- the handshake gate ----------------------------------------------------- */

static void
peerman_send_version(struct peerman *pm, struct peer *p)
{
	struct peerstate *ps = ps_of(p);
	struct handshake_local local = {
		.services = pm->services,
		.start_height = pm->height,
		.user_agent = pm->user_agent,
	};
	struct msg m;

	connman_local_addr(pm->cm, &local.addr_from);
	handshake_build_version(&ps->hs, &local, &p->addr, clock_wall(), &m);
	peerman_send(pm, p, &m);
	msg_free(&m);
}

static bool
peerman_is_own_nonce(uint64_t nonce, void *arg)
{
	struct peerman *pm = arg;

	for (struct peer *p = connman_peer_first(pm->cm); p != NULL; p = connman_peer_next(p)) {
		struct peerstate *ps = ps_of(p);
		if (p->dir == PEER_OUTBOUND && !p->active && ps != NULL &&
		    ps->hs.local_nonce == nonce)
			return true;
	}
	return false;
}

/* The handshake just completed. */
static void
peerman_activate(struct peerman *pm, struct peer *p)
{
	struct peerstate *ps = ps_of(p);
	char ua[MSG_MAX_USER_AGENT * 4 + 1], who[96];

	log_info("net", "handshake done %s version=%u services=%llu height=%d ua=%s",
	    peer_str(p, who, sizeof(who)), ps->hs.remote.version,
	    (unsigned long long)ps->hs.remote.services, ps->hs.remote.start_height,
	    str_sanitize(ps->hs.remote.user_agent, ps->hs.remote.user_agent_len, ua, sizeof(ua)));
	connman_peer_max_payload(pm->cm, p, MSG_MAX_PAYLOAD);
	/* A feeler is disconnected here: it has done its job. */
	if (!connman_peer_active(pm->cm, p, ps->hs.remote.services, &ps->hs.remote.addr_recv.addr))
		return;
	for (int i = 0; i < pm->nhandlers; i++)
		if (pm->handlers[i].peer_new != NULL)
			ps->hstate[i] = pm->handlers[i].peer_new(pm->handlers[i].ctx, p);
	for (int i = 0; i < pm->nhandlers && !p->gone; i++)
		if (pm->handlers[i].peer_active != NULL)
			pm->handlers[i].peer_active(pm->handlers[i].ctx, p, ps->hstate[i]);
	ps->next_ping_mono_ms = clock_mono_ms();	/* measure latency right away */
}

/* Feed M to the handshake.  Returns true when M is for the handlers. */
static bool
peerman_handshake(struct peerman *pm, struct peer *p, const struct msg *m)
{
	struct peerstate *ps = ps_of(p);
	struct handshake_action act;
	enum handshake_error e;
	char who[96];

	e = handshake_process(&ps->hs, m, peerman_is_own_nonce, pm, &act);
	switch (e) {
	case HS_OK:
		break;
	case HS_ERR_SELF:
		log_info("net", "connected to self at %s; not dialling it again",
		    peer_str(p, who, sizeof(who)));
		connman_note_self(pm->cm, &p->addr);
		connman_disconnect(pm->cm, p, "connected to self", false);
		return false;
	case HS_ERR_OLD_VERSION:
		connman_disconnect(pm->cm, p, "incompatible protocol version", false);
		return false;
	case HS_ERR_DUPLICATE_VERSION:
		peerman_misbehaving(pm, p, REP_DUPLICATE_VERSION, handshake_strerror(e));
		return false;
	default:
		peerman_misbehaving(pm, p, REP_PRE_HANDSHAKE, handshake_strerror(e));
		/* The handshake state is failed: nothing more can follow. */
		connman_disconnect(pm->cm, p, handshake_strerror(e), false);
		return false;
	}
	if (act.send_version)
		peerman_send_version(pm, p);
	if (act.send_verack)
		peerman_send_simple(pm, p, MSG_VERACK);
	if (act.completed)
		peerman_activate(pm, p);
	return !p->gone && m->type != MSG_VERSION && m->type != MSG_VERACK;
}

/* --- keepalive ---------------------------------------------------------------- */

static void
peerman_on_pong(struct peerman *pm, struct peer *p, uint64_t nonce)
{
	struct peerstate *ps = ps_of(p);
	double ms;

	if (ps->ping_nonce == 0 || nonce != ps->ping_nonce) {
		peerman_misbehaving(pm, p, REP_UNSOLICITED_PONG,
		    ps->ping_nonce == 0 ? "no ping outstanding" : "nonce mismatch");
		return;
	}
	ms = (double)(clock_mono_us() - ps->ping_sent_mono_us) / 1000.0;
	quality_latency_sample(&ps->q, ms);
	quality_exchange(&ps->q, true);
	connman_peer_ping(pm->cm, p, ms);
	reputation_reward(&ps->rep, clock_wall());
	ps->ping_nonce = 0;
}

static void
peerman_ping(struct peerman *pm, struct peer *p, int64_t now_mono_ms)
{
	struct peerstate *ps = ps_of(p);
	struct msg m;

	do {
		ps->ping_nonce = rnd_u64();
	} while (ps->ping_nonce == 0);
	ps->ping_sent_mono_us = clock_mono_us();
	ps->next_ping_mono_ms = now_mono_ms + (int64_t)pm->cfg->node.ping_interval * 1000;
	msg_ping_init(&m, ps->ping_nonce);
	peerman_send(pm, p, &m);
}

/* --- net_events ------------------------------------------------------------------ */

static void
peerman_peer_new(void *arg, struct peer *p)
{
	struct peerman *pm = arg;
	struct peerstate *ps = xcalloc(1, sizeof(*ps));
	int64_t now_ms = clock_wall_ms();

	ps->last_recv_ms = ps->last_send_ms = now_ms;
	ps->last_recv_mono_ms = clock_mono_ms();
	ps->unknown_window_ms = ps->last_recv_mono_ms;
	reputation_init(&ps->rep, now_ms / 1000);
	repmem_restore(pm->repmem, &p->addr, &ps->rep, now_ms / 1000);
	quality_init(&ps->q, clock_mono_ms());
	handshake_start(&ps->hs, p->dir == PEER_OUTBOUND, rnd_u64());
	p->ev = ps;
	connman_peer_max_payload(pm->cm, p, PEERMAN_PRE_HANDSHAKE_PAYLOAD);
}

static void
peerman_peer_connected(void *arg, struct peer *p)
{
	struct peerman *pm = arg;
	struct peerstate *ps = ps_of(p);

	ps->last_recv_ms = clock_wall_ms();
	ps->last_recv_mono_ms = clock_mono_ms();
	if (ps->hs.outbound)
		peerman_send_version(pm, p);
}

static void
peerman_message(void *arg, struct peer *p, const struct msg *m)
{
	struct peerman *pm = arg;
	struct peerstate *ps = ps_of(p);
	struct msg reply;

	ps->last_recv_ms = clock_wall_ms();
	ps->last_recv_mono_ms = clock_mono_ms();
	pm->stats.msgs_recv[m->type]++;
	reputation_note_seen(&ps->rep, ps->last_recv_ms / 1000);
	if (!peerman_handshake(pm, p, m))
		return;
	switch (m->type) {
	case MSG_PING:
		msg_pong_init(&reply, m->u.nonce);
		peerman_send(pm, p, &reply);
		return;
	case MSG_PONG:
		peerman_on_pong(pm, p, m->u.nonce);
		return;
	default:
		break;
	}
	/* A type nobody registered for is counted above and ignored. */
	for (int i = 0; i < pm->nhandlers && !p->gone; i++)
		if ((pm->by_type[m->type] & (1u << i)) && pm->handlers[i].message != NULL)
			pm->handlers[i].message(pm->handlers[i].ctx, p, ps->hstate[i], m);
}

static enum rep_violation
peerman_violation_for(enum msg_err err, int type)
{
	if (err == MSG_ERR_TOO_MANY && (type == MSG_INV || type == MSG_GETDATA ||
	    type == MSG_NOTFOUND || type == MSG_HEADERS))
		return REP_OVERSIZED_INV;
	switch (err) {
	case MSG_ERR_BAD_CHECKSUM: return REP_BAD_CHECKSUM;
	case MSG_ERR_BAD_MAGIC: return REP_BAD_MAGIC;
	case MSG_ERR_OVERSIZED: return REP_OVERSIZED;
	default: return REP_MALFORMED;
	}
}

static void
peerman_bad_frame(void *arg, struct peer *p, enum msg_err err, int type, bool fatal)
{
	struct peerman *pm = arg;
	char detail[96];

	if (type >= 0 && !fatal)
		snprintf(detail, sizeof(detail), "%s message: %s", msg_type_name((uint8_t)type),
		    msg_strerror(err));
	else
		snprintf(detail, sizeof(detail), "%s", msg_strerror(err));
	peerman_misbehaving(pm, p, peerman_violation_for(err, type), detail);
}

static void
peerman_unknown(void *arg, struct peer *p, uint8_t type, uint32_t len)
{
	struct peerman *pm = arg;
	struct peerstate *ps = ps_of(p);
	char detail[96];

	pm->stats.unknown_recv++;
	if (!p->active) {
		snprintf(detail, sizeof(detail), "unknown type %u before handshake", type);
		peerman_misbehaving(pm, p, REP_PRE_HANDSHAKE, detail);
		return;
	}
	if (++ps->unknown_recent == PEERMAN_UNKNOWN_PER_MINUTE + 1) {
		snprintf(detail, sizeof(detail), "over %d unknown messages a minute (last: type %u, "
		    "%u bytes)", PEERMAN_UNKNOWN_PER_MINUTE, type, len);
		peerman_misbehaving(pm, p, REP_UNKNOWN_FLOOD, detail);
	}
}

static void
peerman_peer_tick(void *arg, struct peer *p, int64_t now_ms)
{
	struct peerman *pm = arg;
	struct peerstate *ps = ps_of(p);
	const struct config *cfg = pm->cfg;
	const struct conn_stats *st = connman_peer_stats(pm->cm, p);
	int64_t mono = clock_mono_ms(), idle_ms = (int64_t)cfg->node.inactivity_timeout * 1000;

	(void)now_ms;
	quality_bytes(&ps->q, st->bytes_recv - ps->last_bytes_in, st->bytes_sent - ps->last_bytes_out,
	    mono);
	ps->last_bytes_in = st->bytes_recv;
	ps->last_bytes_out = st->bytes_sent;
	if (mono - ps->unknown_window_ms >= 60000) {
		ps->unknown_recent = 0;
		ps->unknown_window_ms = mono;
	}
	if (!p->active) {
		if (mono - p->connected_mono_ms > (int64_t)cfg->node.handshake_timeout * 1000) {
			if (p->dir == PEER_INBOUND && st->bytes_recv > 0)
				peerman_misbehaving(pm, p, REP_HANDSHAKE_TIMEOUT, "no verack in time");
			connman_disconnect(pm->cm, p, "handshake timeout", false);
		}
		return;
	}
	if (ps->ping_nonce != 0 && (mono * 1000 - ps->ping_sent_mono_us) / 1000 > idle_ms) {
		quality_exchange(&ps->q, false);
		connman_disconnect(pm->cm, p, "ping timeout", false);
		return;
	}
	if (mono - ps->last_recv_mono_ms > idle_ms) {
		connman_disconnect(pm->cm, p, "inactivity timeout", false);
		return;
	}
	if (ps->ping_nonce == 0 && mono >= ps->next_ping_mono_ms)
		peerman_ping(pm, p, mono);
	for (int i = 0; i < pm->nhandlers && !p->gone; i++)
		if (pm->handlers[i].peer_tick != NULL)
			pm->handlers[i].peer_tick(pm->handlers[i].ctx, p, ps->hstate[i], mono);
}

static void
peerman_peer_drained(void *arg, struct peer *p)
{
	struct peerman *pm = arg;
	struct peerstate *ps = ps_of(p);

	if (ps == NULL || !p->active)
		return;
	for (int i = 0; i < pm->nhandlers && !p->gone; i++)
		if (pm->handlers[i].drained != NULL)
			pm->handlers[i].drained(pm->handlers[i].ctx, p, ps->hstate[i]);
}

static void
peerman_peer_gone(void *arg, struct peer *p, const char *reason)
{
	struct peerman *pm = arg;
	struct peerstate *ps = ps_of(p);

	(void)reason;
	if (ps == NULL)
		return;
	if (ps->rep.score < REP_START)
		repmem_remember(pm->repmem, &p->addr, &ps->rep, clock_wall());
	for (int i = 0; i < pm->nhandlers; i++)
		if (ps->hstate[i] != NULL && pm->handlers[i].peer_gone != NULL)
			pm->handlers[i].peer_gone(pm->handlers[i].ctx, p, ps->hstate[i]);
}

static void
peerman_peer_free(void *arg, struct peer *p)
{
	struct peerman *pm = arg;
	struct peerstate *ps = ps_of(p);

	if (ps == NULL)
		return;
	for (int i = 0; i < pm->nhandlers; i++)
		if (ps->hstate[i] != NULL && pm->handlers[i].peer_free != NULL)
			pm->handlers[i].peer_free(pm->handlers[i].ctx, p, ps->hstate[i]);
	free(ps);
	p->ev = NULL;
}

/* --- set-up and queries ---------------------------------------------------- */

struct peerman *
peerman_new(const struct peerman_opts *o)
{
	struct peerman *pm = xcalloc(1, sizeof(*pm));
	struct net_events ev = {
		.arg = pm,
		.peer_new = peerman_peer_new,
		.peer_connected = peerman_peer_connected,
		.message = peerman_message,
		.bad_frame = peerman_bad_frame,
		.unknown = peerman_unknown,
		.peer_tick = peerman_peer_tick,
		.peer_drained = peerman_peer_drained,
		.peer_gone = peerman_peer_gone,
		.peer_free = peerman_peer_free,
	};

	pm->cfg = o->cfg;
	pm->cm = o->connman;
	pm->banman = o->banman;
	pm->repmem = o->repmem;
	pm->services = o->services;
	str_copy(pm->user_agent, o->user_agent, sizeof(pm->user_agent));
	connman_set_events(pm->cm, &ev);
	return pm;
}

void
peerman_free(struct peerman *pm)
{
	free(pm);
}

int
peerman_add_handler(struct peerman *pm, const struct peer_handler *h)
{
	int slot = pm->nhandlers;

	if (slot == PEERMAN_MAX_HANDLERS)
		return -1;
	for (int t = 0; t < MSG_TYPE_COUNT; t++)
		if (h->types & (UINT64_C(1) << t))
			pm->by_type[t] |= 1u << slot;
	pm->handlers[slot] = *h;
	pm->nhandlers++;
	return slot;
}

void *
peerman_state(const struct peerman *pm, const struct peer *p, int slot)
{
	const struct peerstate *ps = ps_of(p);

	if (ps == NULL || p->gone || slot < 0 || slot >= pm->nhandlers)
		return NULL;
	return ps->hstate[slot];
}

bool
peerman_view(const struct peerman *pm, const struct peer *p, struct peerman_view *out)
{
	const struct peerstate *ps = ps_of(p);

	(void)pm;
	if (ps == NULL)
		return false;
	out->remote = &ps->hs.remote;
	out->rep = &ps->rep;
	out->q = &ps->q;
	out->last_recv_ms = ps->last_recv_ms;
	out->last_send_ms = ps->last_send_ms;
	out->ping_wait_ms = ps->ping_nonce != 0 ?
	    (clock_mono_us() - ps->ping_sent_mono_us) / 1000 : -1;
	return true;
}

const struct peerman_stats *
peerman_stats(const struct peerman *pm)
{
	return &pm->stats;
}

uint64_t
peerman_services(const struct peerman *pm)
{
	return pm->services;
}

const char *
peerman_user_agent(const struct peerman *pm)
{
	return pm->user_agent;
}

void
peerman_set_height(struct peerman *pm, int32_t height)
{
	pm->height = height;
}

int32_t
peerman_height(const struct peerman *pm)
{
	return pm->height;
}
