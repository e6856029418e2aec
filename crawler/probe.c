/* probe.c -- one crawler visit to one node: connect, handshake, headers (verified height), optional storage challenge, optional getaddr and addr window, polite disconnect.
 *
 * A probe owns its connection and one timer that bounds whichever phase
 * it is in.  It reports exactly once, through the done callback, and
 * never judges the node: the crawler turns the result into records.
 * Strings from the node are sanitised here, before anyone sees them.
 *
 * The verified height.  After the handshake (protocol 70200 nodes) the
 * probe asks getheaders with the locator of the crawler's best chain; a
 * node answers from where its active chain meets that locator, so a node
 * ahead extends the crawler's chain (full answers are followed for
 * PROBE_HEADER_ROUNDS rounds) and a node on a fork shows its branch.
 * Every header is checked by headerchain_add; one that fails proof of
 * work, difficulty or time ordering, or answers that do not link up,
 * make the node hostile.  A node at or behind the crawler's tip answers
 * nothing new, so it is asked to prove its claim: a locator naming only
 * the crawler's header at S-1 (S = the smaller of its claimed height and
 * the crawler's tip) and S as the stop hash.  A node whose chain holds
 * the crawler's header at S must answer with exactly that header; one
 * whose chain does not hold S-1 answers from genesis, which shows where
 * its chain leaves the crawler's.  The
 * verified height is then the highest header the node itself served that
 * lies on the crawler's most-work chain (where its branch leaves that
 * chain, for a node on a fork); an empty answer proves nothing.  */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn.h"
#include "crawldb.h"
#include "handshake.h"
#include "headerchain.h"
#include "locator.h"
#include "msg.h"
#include "rnd.h"
#include "storagecheck.h"
#include "strutil.h"
#include "xmalloc.h"

enum probe_phase {
	PH_CONNECT = 0,
	PH_HANDSHAKE,
	PH_IDENTITY,	/* getidentity sent, waiting for identity */
	PH_HEADERS,
	PH_STORAGE,
	PH_ADDR,
	PH_DONE,
};

struct probe {
	struct event_base		*base;
	const struct probe_config	*cfg;
	struct netaddr			 addr;
	bool				 discovery;
	probe_done_cb			 cb;
	void				*arg;
	struct conn			*conn;
	struct event			*timer;
	struct event			*finish_ev;
	enum probe_phase		 phase;
	struct handshake		 hs;
	int64_t				 t_start, t_connected;
	bool				 got_answer;	/* an addr with more than one entry */
	struct probe_result		 res;
	struct netaddr			*addrs;
	size_t				 naddrs, addrcap;
	char				 reason[256];
	/* The headers phase. */
	int				 hrounds;	/* getheaders sent */
	int				 unconnected;	/* answers that did not connect */
	bool				 proving;	/* the outstanding ask is the proof */
	const struct headerchain_entry	*served;	/* last header it served (held by us) */
	/* The storage challenge: the block asked for. */
	uint8_t				 want[32];
};

static void headers_start(struct probe *p);
static void storage_start(struct probe *p);
static void probe_on_connected(struct conn *c, void *arg);
static void after_identity(struct probe *p);
static void probe_on_message(struct conn *c, struct msg *m, void *arg);
static void probe_on_bad_frame(struct conn *c, enum msg_err err, uint8_t type,
    void *arg);
static void probe_on_ended(struct conn *c, enum conn_end why, enum msg_err err,
    void *arg);

static const struct conn_cb probe_conn_cb = {
	.connected = probe_on_connected,
	.message = probe_on_message,
	.bad_frame = probe_on_bad_frame,
	.unknown = NULL,
	.ended = probe_on_ended,
};

static void
arm(struct probe *p, int ms)
{
	struct timeval	tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

static void
release(struct probe *p)
{
	if (p->conn != NULL)
		conn_close(p->conn, false);
	event_free(p->timer);
	event_free(p->finish_ev);
	free(p->addrs);
	free(p);
}

/* Sort and deduplicate what was learned, report, free. */
static void
finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe	*p = arg;
	size_t		 i, j;

	(void)fd;
	(void)what;
	if (p->naddrs > 1) {
		qsort(p->addrs, p->naddrs, sizeof(*p->addrs), netaddr_cmp);
		for (i = 1, j = 1; i < p->naddrs; i++) {
			if (!netaddr_equal(&p->addrs[i], &p->addrs[j - 1]))
				p->addrs[j++] = p->addrs[i];
		}
		p->naddrs = j;
	}
	if (p->res.hostile)
		p->naddrs = 0;	/* nothing a liar says is kept */
	p->res.addrs = p->addrs;
	p->res.naddrs = p->naddrs;
	p->cb(p, &p->res, p->arg);
	release(p);
}

/* End the probe: disconnect at once and report a little later.  The
 * report frees the crawler's slot for the next dial, so it waits until
 * conn has really closed the socket (conn frees it from a zero timer and
 * libevent finalizes it right after): a slot is never reused while its
 * old descriptor is still open, and callers never see their callback
 * re-entered. */
static void
finish(struct probe *p, bool success, const char *error, bool hostile)
{
	struct timeval	tv = { 0, 1000 };

	if (p->phase == PH_DONE)
		return;
	p->phase = PH_DONE;
	p->res.success = success;
	p->res.error = error;
	p->res.hostile = hostile;
	if (hostile) {
		/* Nothing a liar served counts. */
		p->res.verified_height = -1;
		p->res.best_chain = false;
	}
	evtimer_del(p->timer);
	if (p->conn != NULL) {
		conn_close(p->conn, false);
		p->conn = NULL;
	}
	evtimer_add(p->finish_ev, &tv);
}

static void headers_done(struct probe *p);
static void storage_done(struct probe *p);
static void headers_measure(struct probe *p);

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe	*p = arg;

	(void)fd;
	(void)what;
	switch (p->phase) {
	case PH_CONNECT:
	case PH_HANDSHAKE:
		finish(p, false, CRAWLDB_ERR_TIMEOUT, false);
		break;
	case PH_IDENTITY:
		/* No proof in time: the visit goes on without one. */
		after_identity(p);
		break;
	case PH_HEADERS:
		/* No (more) answer: what it served so far is what it proved. */
		headers_done(p);
		break;
	case PH_STORAGE:
		/* storage_result is already "missing". */
		storage_done(p);
		break;
	case PH_ADDR:
		/* The window is over: whatever came is all we take. */
		p->res.discovered = true;
		finish(p, true, "", false);
		break;
	case PH_DONE:
		break;
	}
}

/* Start a probe of ADDR, or of HOST:PORT by name through the proxy. */
static struct probe *
probe_begin(struct event_base *base, const struct probe_config *cfg,
    const struct netaddr *addr, const char *host, uint16_t port, bool discovery,
    probe_done_cb cb, void *arg, char *err, size_t errlen)
{
	struct conn_dial d = {
		.addr = addr,
		.host = host,
		.port = port,
		.proxy = cfg->proxy,
		.timeout_ms = cfg->connect_timeout_ms,
	};
	struct probe	*p;

	p = xcalloc(1, sizeof(*p));
	p->base = base;
	p->cfg = cfg;
	if (addr != NULL)
		p->addr = *addr;
	else
		p->addr.port = port;
	p->discovery = discovery;
	p->cb = cb;
	p->arg = arg;
	p->res.error = "";
	p->res.connect_ms = p->res.handshake_ms = -1;
	p->res.verified_height = -1;
	p->timer = evtimer_new(base, timer_cb, p);
	p->finish_ev = event_new(base, -1, 0, finish_cb, p);
	p->t_start = clock_mono_us();
	p->conn = conn_dial(base, &d, cfg->params->magic, &probe_conn_cb, p, err, errlen);
	if (p->conn == NULL) {
		event_free(p->timer);
		event_free(p->finish_ev);
		free(p);
		return NULL;
	}
	/* A v1 node costs a second dial, made inside conn: the record says
	 * which one answered. */
	conn_set_transport(p->conn, (enum conn_transport)cfg->transport);
	/* conn bounds the TCP connect (and a proxy's handshake) itself;
	 * this timer is a backstop. */
	arm(p, cfg->connect_timeout_ms + 1000);
	return p;
}

struct probe *
probe_start(struct event_base *base, const struct probe_config *cfg,
    const struct netaddr *addr, bool discovery, probe_done_cb cb, void *arg,
    char *err, size_t errlen)
{
	return probe_begin(base, cfg, addr, NULL, addr->port, discovery, cb, arg, err, errlen);
}

struct probe *
probe_start_name(struct event_base *base, const struct probe_config *cfg,
    const char *host, uint16_t port, bool discovery, probe_done_cb cb, void *arg,
    char *err, size_t errlen)
{
	if (cfg->proxy == NULL) {
		snprintf(err, errlen, "%s: a name can only be probed through a proxy", host);
		return NULL;
	}
	return probe_begin(base, cfg, NULL, host, port, discovery, cb, arg, err, errlen);
}

void
probe_cancel(struct probe *p)
{
	release(p);
}

const struct netaddr *
probe_addr(const struct probe *p)
{
	return &p->addr;
}

static void
probe_on_connected(struct conn *c, void *arg)
{
	struct probe		*p = arg;
	struct handshake_local	 local = {
		.services = 0,		/* we serve nothing */
		.start_height = 0,
		.user_agent = p->cfg->user_agent,
	};
	struct msg		 m;

	p->t_connected = clock_mono_us();
	p->res.connect_ms = (double)(p->t_connected - p->t_start) / 1000.0;
	p->phase = PH_HANDSHAKE;
	evtimer_del(p->timer);
	arm(p, p->cfg->handshake_timeout_ms);
	handshake_start(&p->hs, true, rnd_u64());
	handshake_build_version(&p->hs, &local, &p->addr, clock_wall(), &m);
	conn_send(c, &m);
	msg_free(&m);
}

static void
send_simple(struct probe *p, enum msg_type t)
{
	struct msg	m;

	msg_init(&m, t);
	conn_send(p->conn, &m);
	msg_free(&m);
}

/* crawler.rewards: challenge a node that can prove an identity, for the
 * address we dialled (a probe by name has none).  Returns false when
 * there is nothing to ask. */
static bool
ask_identity(struct probe *p)
{
	struct msg	m;

	if (!p->cfg->ask_identity || !idprobe_wanted(&p->hs.remote) ||
	    netaddr_is_any(&p->addr))
		return false;
	idprobe_challenge(&p->res.identity, &p->addr, &m);
	conn_send(p->conn, &m);
	msg_free(&m);
	p->phase = PH_IDENTITY;
	evtimer_del(p->timer);
	arm(p, p->cfg->identity_timeout_ms);
	return true;
}

static void
handshake_done(struct probe *p)
{
	const struct msg_version	*v = &p->hs.remote;
	struct conn_transport_info	 ti;

	p->res.handshake_ms = (double)(clock_mono_us() - p->t_connected) / 1000.0;
	p->res.version = v->version;
	p->res.services = v->services;
	p->res.height = v->start_height;
	str_sanitize(v->user_agent, v->user_agent_len, p->res.user_agent,
	    sizeof(p->res.user_agent));
	conn_get_transport(p->conn, &ti);
	p->res.transport = ti.v2 ? "v2" : "v1";
	if (!ask_identity(p))
		after_identity(p);
}

/* The handshake and the identity exchange (if any) are done: the
 * headers phase next. */
static void
after_identity(struct probe *p)
{
	headers_start(p);
}

/* The last phase: addresses (discovery), or the end. */
static void
addr_start(struct probe *p)
{
	if (!p->discovery) {
		finish(p, true, "", false);
		return;
	}
	send_simple(p, MSG_GETADDR);
	p->phase = PH_ADDR;
	evtimer_del(p->timer);
	arm(p, p->cfg->addr_window_ms);
}

/* --- headers: the verified height ------------------------------------------- */

static void
ask_headers(struct probe *p, const uint8_t (*loc)[32], size_t n, const uint8_t *stop)
{
	struct msg	m;

	msg_init(&m, MSG_GETHEADERS);
	if (msg_getheaders_set(&m, PROTO_VERSION, loc, n, stop) == 0)
		conn_send(p->conn, &m);
	msg_free(&m);
	p->hrounds++;
	evtimer_del(p->timer);
	arm(p, p->cfg->headers_timeout_ms);
}

/* Ask for what follows FROM on its branch. */
static void
ask_headers_from(struct probe *p, const struct headerchain_entry *from)
{
	uint8_t	loc[LOCATOR_MAX][32];
	size_t	n;

	n = headerchain_locator(p->cfg->chain, from, loc, LOCATOR_MAX);
	ask_headers(p, (const uint8_t (*)[32])loc, n, NULL);
}

static void
headers_start(struct probe *p)
{
	if (p->cfg->chain == NULL || p->res.version < PROTO_DATA_VERSION) {
		storage_start(p);
		return;
	}
	p->phase = PH_HEADERS;
	ask_headers_from(p, headerchain_tip(p->cfg->chain));
}

/* Its claim, as far as the crawler can check it: the smaller of its
 * claimed height and the crawler's tip. */
static int32_t
claim_to_prove(const struct probe *p)
{
	int32_t	tip = headerchain_tip(p->cfg->chain)->height;

	return p->res.height < tip ? p->res.height : tip;
}

/* Ask it to prove claim_to_prove(), when what it served so far does not.
 * Returns false when there is nothing (more) to ask. */
static bool
ask_proof(struct probe *p)
{
	const struct headerchain	*hc = p->cfg->chain;
	int32_t				 s = claim_to_prove(p);
	uint8_t				 loc[1][32];

	if (p->proving || s <= 0)
		return false;
	if (p->served != NULL && headerchain_fork(hc, p->served)->height >= s)
		return false;
	p->proving = true;
	memcpy(loc[0], headerchain_at(hc, s - 1)->hash, 32);
	ask_headers(p, (const uint8_t (*)[32])loc, 1, headerchain_at(hc, s)->hash);
	return true;
}

/* Fill in verified_height and best_chain from what it served. */
static void
headers_measure(struct probe *p)
{
	const struct headerchain	*hc = p->cfg->chain;

	if (hc == NULL || p->res.version < PROTO_DATA_VERSION)
		return;
	if (p->served != NULL) {
		p->res.verified_height = headerchain_fork(hc, p->served)->height;
		p->res.best_chain = headerchain_on_best(hc, p->served);
	} else if (p->res.height == 0) {
		/* It claims genesis, which every node has. */
		p->res.verified_height = 0;
		p->res.best_chain = true;
	}
}

static void
headers_done(struct probe *p)
{
	headers_measure(p);
	storage_start(p);
}

/* Store the N headers at H, which link up, the first to a header we
 * hold.  Returns false when the node is hostile (finished). */
static bool
take_headers(struct probe *p, const struct block_header *h, size_t n, bool *complete)
{
	const struct headerchain_entry	*e;
	enum headerchain_result		 r;
	enum block_err			 why;
	int64_t				 now = clock_wall();
	size_t				 i;

	*complete = false;
	for (i = 0; i < n; i++) {
		r = headerchain_add(p->cfg->chain, &h[i], now, &e, &why);
		if (r == HEADERCHAIN_NEW || r == HEADERCHAIN_DUPLICATE) {
			p->served = e;
			continue;
		}
		if (r == HEADERCHAIN_INVALID && why != BLOCK_ERR_TIME_TOO_NEW) {
			finish(p, false, CRAWLDB_ERR_BADCHAIN, true);
			return false;
		}
		return true;	/* a clock ahead of ours, or the side-branch cap */
	}
	*complete = true;
	return true;
}

static void
on_headers(struct probe *p, const struct msg *m)
{
	const struct block_header	*h = m->u.headers.headers;
	size_t				 n = m->u.headers.count, i;
	uint8_t				 prev[32];
	bool				 complete;

	/* Outside the phase it is a new-block announcement: not ours. */
	if (p->phase != PH_HEADERS)
		return;
	for (i = 1; i < n; i++) {
		block_header_hash(&h[i - 1], prev);
		if (memcmp(h[i].prev_hash, prev, 32) != 0) {
			finish(p, false, CRAWLDB_ERR_BADCHAIN, true);
			return;
		}
	}
	if (n > 0 && headerchain_find(p->cfg->chain, h[0].prev_hash) == NULL) {
		/* It did not answer our locator.  Nothing of it is kept. */
		if (++p->unconnected >= PROBE_MAX_UNCONNECTED) {
			headers_done(p);
			return;
		}
		ask_headers_from(p, headerchain_tip(p->cfg->chain));
		return;
	}
	if (!take_headers(p, h, n, &complete))
		return;
	if (!p->proving && complete && n == MSG_MAX_HEADERS &&
	    p->hrounds < PROBE_HEADER_ROUNDS) {
		ask_headers_from(p, p->served);
		return;
	}
	if (ask_proof(p))
		return;
	headers_done(p);
}

/* --- the storage challenge ------------------------------------------------------ */

static void
storage_start(struct probe *p)
{
	const struct headerchain_entry	*tip, *e;
	struct msg_inv			 inv;
	struct msg			 m;
	int32_t				 top, h;

	if (!p->cfg->storage || p->cfg->chain == NULL ||
	    p->res.version < PROTO_DATA_VERSION ||
	    !(p->res.services & NODE_NETWORK) || p->res.height <= 0) {
		addr_start(p);
		return;
	}
	/* What it claims to store, as far as we know the chain. */
	tip = headerchain_tip(p->cfg->chain);
	top = p->res.height > p->res.verified_height ? p->res.height : p->res.verified_height;
	if (top > tip->height)
		top = tip->height;
	if ((h = storagecheck_pick(tip->hash, &p->addr, top)) < 0 ||
	    (e = headerchain_at(p->cfg->chain, h)) == NULL) {
		addr_start(p);
		return;
	}
	memcpy(p->want, e->hash, 32);
	inv.type = MSG_INV_BLOCK;
	memcpy(inv.hash, e->hash, 32);
	msg_init(&m, MSG_GETDATA);
	if (msg_inv_set(&m, MSG_GETDATA, &inv, 1) == 0)
		conn_send(p->conn, &m);
	msg_free(&m);
	p->res.storage_checked = true;
	p->res.storage_height = h;
	p->res.storage_result = STORAGECHECK_MISSING;
	p->phase = PH_STORAGE;
	evtimer_del(p->timer);
	arm(p, p->cfg->block_timeout_ms);
}

static void
storage_done(struct probe *p)
{
	addr_start(p);
}

static void
on_block(struct probe *p, const struct msg *m)
{
	if (p->phase != PH_STORAGE)
		return;
	p->res.storage_result = storagecheck_judge(&m->u.block, p->want, p->cfg->params);
	storage_done(p);
}

static void
on_notfound(struct probe *p, const struct msg *m)
{
	size_t	i;

	if (p->phase != PH_STORAGE)
		return;
	for (i = 0; i < m->u.inv.count; i++) {
		if (m->u.inv.entries[i].type == MSG_INV_BLOCK &&
		    memcmp(m->u.inv.entries[i].hash, p->want, 32) == 0) {
			storage_done(p);	/* "missing" */
			return;
		}
	}
}

static void
on_handshake_msg(struct probe *p, const struct msg *m)
{
	struct handshake_action	act;
	enum handshake_error	e;

	e = handshake_process(&p->hs, m, NULL, NULL, &act);
	if (e == HS_ERR_OLD_VERSION) {
		finish(p, false, CRAWLDB_ERR_OLDVERSION, false);
		return;
	}
	if (e != HS_OK) {
		finish(p, false, CRAWLDB_ERR_HANDSHAKE, false);
		return;
	}
	/* Outbound: our version went out on connect. */
	if (act.send_verack)
		send_simple(p, MSG_VERACK);
	if (act.completed)
		handshake_done(p);
}

static void
on_addr(struct probe *p, const struct msg *m)
{
	int64_t				 now = clock_wall(), t;
	const struct msg_addr_entry	*e;
	size_t				 i;

	p->res.addr_msgs++;
	p->res.addr_entries += (uint32_t)m->u.addr.count;
	if (p->res.addr_entries > PROBE_FLOOD_LIMIT) {
		finish(p, false, CRAWLDB_ERR_ADDRFLOOD, true);
		return;
	}
	/* Bounded above by PROBE_FLOOD_LIMIT, checked just before. */
	if (p->naddrs + m->u.addr.count > p->addrcap) {
		while (p->naddrs + m->u.addr.count > p->addrcap)
			p->addrcap = p->addrcap == 0 ? 64 : p->addrcap * 2;
		p->addrs = xreallocarray(p->addrs, p->addrcap, sizeof(*p->addrs));
	}
	for (i = 0; i < m->u.addr.count; i++) {
		e = &m->u.addr.entries[i];
		/* bitcoin-seeder: a time from before 1973 or from the future
		 * is somebody's clock bug, taken as five days old. */
		t = e->time;
		if (t <= 100000000 || t > now + 600)
			t = now - 5 * 86400;
		if (now - t > p->cfg->addr_max_age)
			continue;
		if (!netaddr_is_valid_peer(&e->addr, p->cfg->params->allow_private))
			continue;
		p->addrs[p->naddrs++] = e->addr;
	}
	/* The first answer of more than one entry (one entry is the node's
	 * self-announcement) is the getaddr reply; large answers may come in
	 * several messages, so keep listening a little. */
	if (p->phase == PH_ADDR && m->u.addr.count > 1 && !p->got_answer) {
		p->got_answer = true;
		evtimer_del(p->timer);
		arm(p, p->cfg->addr_grace_ms);
	}
}

static void
probe_on_message(struct conn *c, struct msg *m, void *arg)
{
	struct probe	*p = arg;
	struct msg	 reply;

	if (p->phase == PH_DONE)
		return;
	if (p->hs.state != HS_DONE) {
		/* Core ignores anything but version/verack before the
		 * handshake; so do we (a node may ping early). */
		if (m->type == MSG_VERSION || m->type == MSG_VERACK)
			on_handshake_msg(p, m);
		return;
	}
	switch (m->type) {
	case MSG_PING:
		msg_pong_init(&reply, m->u.nonce);
		conn_send(c, &reply);
		break;
	case MSG_ADDR:
		on_addr(p, m);
		break;
	case MSG_IDENTITY:
		if (p->phase != PH_IDENTITY)
			break;
		idprobe_answer(&p->res.identity, p->cfg->params->magic, &m->u.identity);
		after_identity(p);
		break;
	case MSG_HEADERS:
		on_headers(p, m);
		break;
	case MSG_BLOCK:
		on_block(p, m);
		break;
	case MSG_NOTFOUND:
		on_notfound(p, m);
		break;
	default:
		break;
	}
}

static void
probe_on_bad_frame(struct conn *c, enum msg_err err, uint8_t type, void *arg)
{
	struct probe	*p = arg;

	(void)c;
	(void)err;
	(void)type;
	finish(p, false, CRAWLDB_ERR_PROTOCOL, true);
}

static void
probe_on_ended(struct conn *c, enum conn_end why, enum msg_err err, void *arg)
{
	struct probe	*p = arg;

	(void)err;
	/* conn wants conn_close from us; finish does it.  Its reason
	 * lives as long as the connection: copy it. */
	if (conn_end_reason(c) != NULL) {
		str_copy(p->reason, conn_end_reason(c), sizeof(p->reason));
		p->res.reason = p->reason;
	}
	switch (p->phase) {
	case PH_CONNECT:
		if (conn_proxy_fault(c)) {
			p->res.proxy_failed = true;
			finish(p, false, CRAWLDB_ERR_UNREACH, false);
			break;
		}
		finish(p, false, why == CONN_END_TIMEOUT ? CRAWLDB_ERR_TIMEOUT :
		    why == CONN_END_REFUSED ? CRAWLDB_ERR_REFUSED :
		    CRAWLDB_ERR_UNREACH, false);
		break;
	case PH_HANDSHAKE:
		if (why == CONN_END_PROTOCOL)
			finish(p, false, CRAWLDB_ERR_PROTOCOL, true);
		else if (why == CONN_END_TIMEOUT)
			finish(p, false, CRAWLDB_ERR_TIMEOUT, false);
		else if (!p->hs.version_received)
			/* Accepted, then hung up before saying who it is:
			 * it bans us, or it is full. */
			finish(p, false, CRAWLDB_ERR_BANNED, false);
		else
			finish(p, false, CRAWLDB_ERR_HANDSHAKE, false);
		break;
	case PH_IDENTITY:
	case PH_HEADERS:
	case PH_STORAGE:
	case PH_ADDR:
		if (why == CONN_END_PROTOCOL)
			finish(p, false, CRAWLDB_ERR_PROTOCOL, true);
		else {
			if (p->phase == PH_HEADERS)
				headers_measure(p);
			/* It hung up after the handshake: a success, and
			 * whatever addresses came are kept. */
			p->res.discovered = p->phase == PH_ADDR;
			finish(p, true, "", false);
		}
		break;
	case PH_DONE:
		break;
	}
}
