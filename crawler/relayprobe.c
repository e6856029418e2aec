/* relayprobe.c -- one relay probe: a unique probe transaction sent to one node, listeners on other nodes waiting for its inv.
 *
 * Every connection is a leg with its own handshake; leg 0 is the sender.
 * One timer bounds each phase (set-up, then the window), and the report is
 * deferred to a zero timer as probe.c does, so a callback never re-enters
 * its caller and no connection outlives the probe. */
#include "relayprobe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "clock.h"
#include "conn.h"
#include "handshake.h"
#include "msg.h"
#include "rnd.h"
#include "xmalloc.h"

#define NLEGS		(1 + RELAYPROBE_MAX_LISTENERS)

enum rp_phase {
	RP_SETUP = 0,	/* connecting and shaking hands */
	RP_WINDOW,	/* the tx went out; listening */
	RP_DONE,
};

struct leg {
	struct relayprobe	*rp;
	struct netaddr		 addr;
	struct conn		*conn;
	struct handshake	 hs;
	bool			 ready;		/* handshake done */
	bool			 failed;
};

struct relayprobe {
	struct event_base		*base;
	const struct relayprobe_config	*cfg;
	relayprobe_done_cb		 cb;
	void				*arg;
	struct leg			 legs[NLEGS];
	size_t				 nlegs;
	enum rp_phase			 phase;
	struct event			*timer;
	struct event			*finish_ev;
	uint8_t				 tx[RELAYPROBE_TX_LEN];
	uint64_t			 ping_nonce;
	int64_t				 t_sent;	/* monotonic us */
	struct relayprobe_result	 res;
};

static void leg_on_connected(struct conn *c, void *arg);
static void leg_on_message(struct conn *c, struct msg *m, void *arg);
static void leg_on_ended(struct conn *c, enum conn_end why, enum msg_err err,
    void *arg);

static const struct conn_cb leg_cb = {
	.connected = leg_on_connected,
	.message = leg_on_message,
	.bad_frame = NULL,		/* a bad frame ends the leg */
	.unknown = NULL,
	.ended = leg_on_ended,
};

int
relayprobe_window_ms(const struct chainparams *params)
{
	return params->id == NET_REGTEST ? 30000 : 60000;
}

void
relayprobe_make_tx(uint8_t tx[RELAYPROBE_TX_LEN])
{
	memcpy(tx, RELAYPROBE_TAG, sizeof(RELAYPROBE_TAG) - 1);
	rnd_bytes(tx + sizeof(RELAYPROBE_TAG) - 1, 32);
}

static void
arm(struct relayprobe *rp, int ms)
{
	struct timeval	tv;

	evtimer_del(rp->timer);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(rp->timer, &tv);
}

static void
leg_close(struct leg *l, bool flush)
{
	if (l->conn != NULL) {
		conn_close(l->conn, flush);
		l->conn = NULL;
	}
}

static void
release(struct relayprobe *rp)
{
	size_t	i;

	for (i = 0; i < rp->nlegs; i++)
		leg_close(&rp->legs[i], false);
	event_free(rp->timer);
	event_free(rp->finish_ev);
	free(rp);
}

static void
finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relayprobe	*rp = arg;

	(void)fd;
	(void)what;
	rp->cb(rp, &rp->res, rp->arg);
	release(rp);
}

/* End: close every leg now, report on the next loop iteration. */
static void
finish(struct relayprobe *rp, const char *error)
{
	struct timeval	tv = { 0, 1000 };
	size_t		i;

	if (rp->phase == RP_DONE)
		return;
	rp->phase = RP_DONE;
	rp->res.error = error;
	evtimer_del(rp->timer);
	for (i = 0; i < rp->nlegs; i++)
		leg_close(&rp->legs[i], false);
	evtimer_add(rp->finish_ev, &tv);
}

static void
send_msg(struct leg *l, struct msg *m)
{
	if (l->conn != NULL)
		conn_send(l->conn, m);
	msg_free(m);
}

/* Set-up over when the sender and every listener are ready or failed. */
static void
maybe_send(struct relayprobe *rp, bool deadline)
{
	struct leg	*s = &rp->legs[0];
	struct msg	 m;
	size_t		 i, ready = 0, pending = 0;

	if (rp->phase != RP_SETUP)
		return;
	for (i = 1; i < rp->nlegs; i++) {
		ready += rp->legs[i].ready;
		pending += !rp->legs[i].ready && !rp->legs[i].failed;
	}
	if (s->failed) {
		finish(rp, "sender unreachable");
		return;
	}
	if (!deadline && (!s->ready || pending > 0))
		return;
	if (!s->ready) {
		finish(rp, "sender handshake timed out");
		return;
	}
	if (ready == 0) {
		finish(rp, "no listener reachable");
		return;
	}
	/* Listeners that are still not ready count for nothing. */
	for (i = 1; i < rp->nlegs; i++)
		if (!rp->legs[i].ready)
			leg_close(&rp->legs[i], false);
	rp->res.listeners = (uint32_t)ready;
	msg_init(&m, MSG_TX);
	if (msg_opaque_set(&m, MSG_TX, rp->tx, sizeof(rp->tx)) == -1) {
		msg_free(&m);
		finish(rp, "cannot build the probe transaction");
		return;
	}
	send_msg(s, &m);
	/* The pong says the node has read the tx (it handles messages in
	 * order); then the sender's connection goes. */
	rp->ping_nonce = rnd_u64();
	msg_ping_init(&m, rp->ping_nonce);
	send_msg(s, &m);
	rp->t_sent = clock_mono_us();
	rp->res.sent = true;
	rp->phase = RP_WINDOW;
	arm(rp, rp->cfg->window_ms);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct relayprobe	*rp = arg;

	(void)fd;
	(void)what;
	if (rp->phase == RP_SETUP)
		maybe_send(rp, true);
	else if (rp->phase == RP_WINDOW)
		finish(rp, NULL);	/* nobody announced it in time */
}

struct relayprobe *
relayprobe_start(struct event_base *base, const struct relayprobe_config *cfg,
    const struct netaddr *sender, const struct netaddr *listeners, size_t nl,
    relayprobe_done_cb cb, void *arg, char *err, size_t errlen)
{
	struct relayprobe	*rp;
	struct conn_dial	 d;
	struct leg		*l;
	size_t			 i;

	if (nl > RELAYPROBE_MAX_LISTENERS)
		nl = RELAYPROBE_MAX_LISTENERS;
	rp = xcalloc(1, sizeof(*rp));
	rp->base = base;
	rp->cfg = cfg;
	rp->cb = cb;
	rp->arg = arg;
	rp->res.delay_ms = -1;
	relayprobe_make_tx(rp->tx);
	block_txid(rp->tx, sizeof(rp->tx), rp->res.txid);
	rp->timer = evtimer_new(base, timer_cb, rp);
	rp->finish_ev = event_new(base, -1, 0, finish_cb, rp);
	rp->nlegs = 1 + nl;
	for (i = 0; i < rp->nlegs; i++) {
		l = &rp->legs[i];
		l->rp = rp;
		l->addr = i == 0 ? *sender : listeners[i - 1];
		memset(&d, 0, sizeof(d));
		d.addr = &l->addr;
		d.port = l->addr.port;
		d.timeout_ms = cfg->connect_timeout_ms;
		l->conn = conn_dial(base, &d, cfg->params->magic, &leg_cb, l, err,
		    errlen);
		if (l->conn == NULL) {
			rp->nlegs = i;
			release(rp);
			return NULL;
		}
		conn_set_transport(l->conn, (enum conn_transport)cfg->transport);
	}
	arm(rp, cfg->connect_timeout_ms + cfg->handshake_timeout_ms);
	return rp;
}

void
relayprobe_cancel(struct relayprobe *rp)
{
	release(rp);
}

static void
leg_on_connected(struct conn *c, void *arg)
{
	struct leg		*l = arg;
	struct handshake_local	 local = {
		.services = 0,
		.start_height = 0,
		.user_agent = l->rp->cfg->user_agent,
	};
	struct msg		 m;

	handshake_start(&l->hs, true, rnd_u64());
	handshake_build_version(&l->hs, &local, &l->addr, clock_wall(), &m);
	conn_send(c, &m);
	msg_free(&m);
}

static void
leg_fail(struct leg *l)
{
	l->failed = true;
	leg_close(l, false);
	maybe_send(l->rp, false);
}

static void
leg_handshake(struct leg *l, const struct msg *m)
{
	struct handshake_action	act;
	struct msg		reply;

	if (handshake_process(&l->hs, m, NULL, NULL, &act) != HS_OK ||
	    (l->hs.state == HS_DONE && l->hs.remote.version < PROTO_DATA_VERSION)) {
		leg_fail(l);
		return;
	}
	if (act.send_verack) {
		msg_init(&reply, MSG_VERACK);
		send_msg(l, &reply);
	}
	if (act.completed) {
		l->ready = true;
		maybe_send(l->rp, false);
	}
}

/* A listener's inv: is our txid in it? */
static void
on_inv(struct leg *l, const struct msg *m)
{
	struct relayprobe	*rp = l->rp;
	size_t			 i;

	if (rp->phase != RP_WINDOW || l == &rp->legs[0])
		return;
	for (i = 0; i < m->u.inv.count; i++) {
		if (m->u.inv.entries[i].type != MSG_INV_TX ||
		    memcmp(m->u.inv.entries[i].hash, rp->res.txid, 32) != 0)
			continue;
		rp->res.announced = true;
		rp->res.delay_ms = (double)(clock_mono_us() - rp->t_sent) / 1000.0;
		finish(rp, NULL);
		return;
	}
}

static void
leg_on_message(struct conn *c, struct msg *m, void *arg)
{
	struct leg	*l = arg;
	struct msg	 reply;

	(void)c;
	if (l->rp->phase == RP_DONE || l->conn == NULL)
		return;
	if (l->hs.state != HS_DONE) {
		if (m->type == MSG_VERSION || m->type == MSG_VERACK)
			leg_handshake(l, m);
		return;
	}
	switch (m->type) {
	case MSG_PING:
		msg_pong_init(&reply, m->u.nonce);
		send_msg(l, &reply);
		break;
	case MSG_PONG:
		if (l == &l->rp->legs[0] && m->u.nonce == l->rp->ping_nonce)
			leg_close(l, true);	/* the tx is in: leave */
		break;
	case MSG_INV:
		on_inv(l, m);
		break;
	default:
		break;
	}
}

static void
leg_on_ended(struct conn *c, enum conn_end why, enum msg_err err, void *arg)
{
	struct leg	*l = arg;

	(void)c;
	(void)why;
	(void)err;
	if (l->ready && l != &l->rp->legs[0] && l->rp->phase == RP_WINDOW) {
		/* A listener gone mid-window: the others may still hear it. */
		leg_close(l, false);
		return;
	}
	if (l->ready) {
		leg_close(l, false);
		return;
	}
	leg_fail(l);
}
