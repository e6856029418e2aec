/* fake_io.h -- a fake transport and a node stack on it, for the node core's unit tests.
 *
 * connman reaches the wire through struct connman_io; here that is a
 * table of in-memory connections.  What connman sends is kept as encoded
 * frames and read back with fake_next_sent; what a peer "says" is handed
 * to the connection's callbacks with fake_deliver.  Nothing touches a
 * socket, and the clock is common/clock's fake, so tests drive time. */
#ifndef AGENTCHAIN_TEST_FAKE_IO_H
#define AGENTCHAIN_TEST_FAKE_IO_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "../../node/addrman.h"
#include "../../node/addrrelay.h"
#include "../../node/banman.h"
#include "../../node/blockrelay.h"
#include "../../node/chain.h"
#include "../../node/connman.h"
#include "../../node/mempool.h"
#include "../../node/peer.h"
#include "../../node/peerman.h"
#include "../../node/repmem.h"
#include "../../node/txrelay.h"
#include "buf.h"
#include "chainparams.h"
#include "clock.h"
#include "config.h"
#include "conn.h"
#include "frame.h"
#include "hash.h"
#include "msg.h"

#define FAKE_UNUSED	__attribute__((unused))

/* The fake's connection.  conn.h leaves struct conn incomplete, so the
 * test may complete it: only the fake transport ever looks inside. */
struct conn {
	const struct conn_cb	*cb;
	void			*arg;
	struct netaddr		 addr;
	bool			 outbound;
	bool			 closed;
	bool			 flushed;	/* closed with FLUSH */
	bool			 ended;
	uint32_t		 max_payload;
	struct conn_stats	 stats;
	struct wbuf		 out;		/* frames sent, encoded */
	size_t			 read_pos;	/* fake_next_sent's cursor */
	bool			 fail_sends;	/* sends fail with a full buffer */
	size_t			 sendq;		/* what connman_peer_sendq reports */
	const char		*end_reason;	/* what conn_end_reason says */
	bool			 proxy_fault;	/* the dial failed at the proxy */
	struct netaddr		 local;		/* our side (conn_local_addr); port 0: unknown */
};

struct fake_io {
	struct connman_io	 ops;
	struct conn		**conns;	/* every connection ever made */
	size_t			 n, cap;
	bool			 refuse_dial;	/* dial() fails at once */
	const uint8_t		*magic;
};

static struct conn *
fake_conn_new(struct fake_io *io, const struct netaddr *addr, const struct conn_cb *cb,
    void *arg, bool outbound)
{
	struct conn *c = calloc(1, sizeof(*c));

	c->cb = cb;
	c->arg = arg;
	c->addr = *addr;
	c->outbound = outbound;
	c->max_payload = MSG_MAX_PAYLOAD;
	wbuf_init(&c->out);
	if (io->n == io->cap) {
		io->cap = io->cap ? io->cap * 2 : 64;
		io->conns = realloc(io->conns, io->cap * sizeof(*io->conns));
		if (io->conns == NULL)
			abort();
	}
	io->conns[io->n++] = c;
	return c;
}

static struct conn *
fake_dial(void *iop, const struct netaddr *addr, const struct netaddr *bind_ip,
    const struct conn_cb *cb, void *cbarg, char *err, size_t errlen)
{
	struct fake_io *io = iop;

	(void)bind_ip;
	if (io->refuse_dial) {
		snprintf(err, errlen, "fake: no socket");
		return NULL;
	}
	return fake_conn_new(io, addr, cb, cbarg, true);
}

static struct conn *
fake_accept(void *iop, int fd, const struct netaddr *addr, const struct conn_cb *cb,
    void *cbarg)
{
	(void)fd;
	return fake_conn_new(iop, addr, cb, cbarg, false);
}

static void
fake_end(struct conn *c, enum conn_end why, enum msg_err err)
{
	if (c->ended || c->closed)
		return;
	c->ended = true;
	c->cb->ended(c, why, err, c->arg);
}

static int
fake_send(struct conn *c, const struct msg *m)
{
	static const uint8_t magic[4] = { 0 };

	if (c->closed || c->ended)
		return -1;
	if (c->fail_sends) {
		fake_end(c, CONN_END_SENDBUF, MSG_OK);
		return -1;
	}
	/* The magic does not matter between the fake's two ends. */
	frame_encode(&c->out, magic, m);
	c->stats.msgs_sent[m->type]++;
	c->stats.bytes_sent = c->out.len;
	return 0;
}

static void
fake_close(struct conn *c, bool flush)
{
	c->closed = true;
	c->flushed = flush;
}

static const struct conn_stats *
fake_stats(const struct conn *c)
{
	return &c->stats;
}

static size_t
fake_sendq(const struct conn *c)
{
	return c->sendq;
}

static void
fake_set_max_payload(struct conn *c, uint32_t max)
{
	c->max_payload = max;
}

static const char *
fake_end_reason(const struct conn *c)
{
	return c->end_reason;
}

static bool
fake_proxy_fault(const struct conn *c)
{
	return c->proxy_fault;
}

static int
fake_local_addr(const struct conn *c, struct netaddr *out)
{
	if (c->local.port == 0)
		return -1;
	*out = c->local;
	return 0;
}

static FAKE_UNUSED void
fake_io_init(struct fake_io *io)
{
	memset(io, 0, sizeof(*io));
	io->ops = (struct connman_io){
		.dial = fake_dial, .accept = fake_accept, .send = fake_send, .close = fake_close,
		.stats = fake_stats, .sendq = fake_sendq, .set_max_payload = fake_set_max_payload,
		.end_reason = fake_end_reason, .proxy_fault = fake_proxy_fault,
		.local_addr = fake_local_addr, .io = io,
	};
}

static FAKE_UNUSED void
fake_io_free(struct fake_io *io)
{
	for (size_t i = 0; i < io->n; i++) {
		wbuf_free(&io->conns[i]->out);
		free(io->conns[i]);
	}
	free(io->conns);
	io->conns = NULL;
	io->n = io->cap = 0;
}

/* The TCP connect of an outbound C completed. */
static FAKE_UNUSED void
fake_connected(struct conn *c)
{
	c->cb->connected(c, c->arg);
}

/* The peer behind C sends M (its frame is checked against the payload
 * limit connman set, as common/conn does). */
static FAKE_UNUSED void
fake_deliver(struct conn *c, const struct msg *m)
{
	struct wbuf w;

	if (c->closed || c->ended)
		return;
	wbuf_init(&w);
	msg_encode(m, &w);
	if (w.len > c->max_payload) {
		wbuf_free(&w);
		fake_end(c, CONN_END_PROTOCOL, MSG_ERR_OVERSIZED);
		return;
	}
	c->stats.bytes_recv += FRAME_HEADER_LEN + w.len;
	c->stats.msgs_recv[m->type]++;
	wbuf_free(&w);
	c->cb->message(c, (struct msg *)m, c->arg);
}

/* C's send buffer drained (conn_cb.drained). */
static FAKE_UNUSED void
fake_drained(struct conn *c)
{
	c->sendq = 0;
	c->cb->drained(c, c->arg);
}

/* The next message connman sent on C, decoded into M (msg_free it).
 * Returns false when none is left. */
static FAKE_UNUSED bool
fake_next_sent(struct conn *c, struct msg *m)
{
	static const uint8_t magic[4] = { 0 };
	struct frame_result res;
	size_t used;

	if (c->read_pos >= c->out.len)
		return false;
	if (frame_parse(c->out.data + c->read_pos, c->out.len - c->read_pos, magic, m, &res,
	    &used) != FRAME_MSG)
		return false;
	c->read_pos += used;
	return true;
}

/* Skip what C sent so far; returns how many messages of TYPE were among it. */
static FAKE_UNUSED int
fake_drain(struct conn *c, int type)
{
	struct msg m;
	int n = 0;

	while (fake_next_sent(c, &m)) {
		n += (int)m.type == type;
		msg_free(&m);
	}
	return n;
}

static FAKE_UNUSED struct conn *
fake_last(struct fake_io *io)
{
	return io->n > 0 ? io->conns[io->n - 1] : NULL;
}

/* A version message as a peer at FROM would send to TO. */
static FAKE_UNUSED void
fake_version(struct msg *m, uint64_t nonce, int32_t height, uint64_t services)
{
	msg_init(m, MSG_VERSION);
	m->u.version.version = PROTO_VERSION;
	m->u.version.services = services;
	m->u.version.timestamp = clock_wall();
	m->u.version.nonce = nonce;
	m->u.version.start_height = height;
	msg_version_set_user_agent(&m->u.version, "/fake:1/", 8);
}

/* --- a node stack on the fake ---------------------------------------------- */

struct stack {
	struct config		 cfg;
	struct event_base	*base;
	struct fake_io		 io;
	struct addrman		*addrman;
	struct banman		*banman;
	struct repmem		*repmem;
	struct connman		*cm;
	struct peerman		*pm;
	struct addrrelay	*ar;
	/* With stack_add_chain: */
	char			 dir[64];
	struct chain		*chain;
	struct mempool		*mp;
	struct blockrelay	*br;
	struct txrelay		*tr;
};

/* Regtest, with SETTINGS ("key=value" strings, NULL-terminated, may be
 * NULL) applied on top.  WITH_RELAY adds the address relay handler. */
static FAKE_UNUSED void
stack_init(struct stack *s, const char *const *settings, bool with_relay)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	config_init(&s->cfg);
	if (config_set(&s->cfg, "network.name", "regtest", err, sizeof(err)) != 0)
		abort();
	for (size_t i = 0; settings != NULL && settings[i] != NULL; i++) {
		char key[64];
		const char *eq = strchr(settings[i], '=');
		snprintf(key, sizeof(key), "%.*s", (int)(eq - settings[i]), settings[i]);
		if (config_set(&s->cfg, key, eq + 1, err, sizeof(err)) != 0) {
			fprintf(stderr, "stack_init: %s\n", err);
			abort();
		}
	}
	if (config_finalize(&s->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "stack_init: %s\n", err);
		abort();
	}
	s->base = event_base_new();
	fake_io_init(&s->io);
	s->addrman = addrman_new(true, NULL);
	s->banman = banman_new();
	s->repmem = repmem_new();
	s->cm = connman_new(&(struct connman_opts){ .base = s->base, .cfg = &s->cfg,
	    .addrman = s->addrman, .banman = s->banman, .io = &s->io.ops });
	s->pm = peerman_new(&(struct peerman_opts){ .cfg = &s->cfg, .connman = s->cm,
	    .banman = s->banman, .repmem = s->repmem, .services = NODE_NETWORK,
	    .user_agent = "/test:1/" });
	if (with_relay)
		s->ar = addrrelay_new(&(struct addrrelay_opts){ .cfg = &s->cfg,
		    .addrman = s->addrman, .connman = s->cm, .peerman = s->pm });
}

/* The data plane on top: a regtest chain in a fresh directory, a mempool,
 * block and transaction relay. */
static FAKE_UNUSED void
stack_add_chain(struct stack *s)
{
	char err[256];

	snprintf(s->dir, sizeof(s->dir), "/tmp/agentchain-test-chain.XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		abort();
	s->chain = chain_open(s->cfg.params, s->dir, err, sizeof(err));
	if (s->chain == NULL) {
		fprintf(stderr, "stack_add_chain: %s\n", err);
		abort();
	}
	s->mp = mempool_new(NULL);
	s->br = blockrelay_new(&(struct blockrelay_opts){ .cfg = &s->cfg, .chain = s->chain,
	    .connman = s->cm, .peerman = s->pm });
	s->tr = txrelay_new(&(struct txrelay_opts){ .cfg = &s->cfg, .chain = s->chain,
	    .mempool = s->mp, .connman = s->cm, .peerman = s->pm });
}

static FAKE_UNUSED void
stack_free(struct stack *s)
{
	char cmd[96];

	connman_free(s->cm);
	txrelay_free(s->tr);
	blockrelay_free(s->br);
	addrrelay_free(s->ar);
	peerman_free(s->pm);
	chain_close(s->chain);
	mempool_free(s->mp);
	if (s->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
		(void)!system(cmd);
	}
	repmem_free(s->repmem);
	banman_free(s->banman);
	addrman_free(s->addrman);
	fake_io_free(&s->io);
	event_base_free(s->base);
	config_free(&s->cfg);
}

static FAKE_UNUSED struct netaddr
addr_of(const char *s)
{
	struct netaddr a;

	if (netaddr_parse(s, 29001, &a) != 0)
		abort();
	return a;
}

/* An inbound peer from ADDR that completes the handshake (our version
 * and verack drained).  Returns its connection. */
static FAKE_UNUSED struct conn *
stack_inbound_active(struct stack *s, const char *addr, struct peer **out)
{
	struct netaddr a = addr_of(addr);
	const char *why;
	struct peer *p = connman_accept(s->cm, -1, &a, &why);
	struct conn *c;
	struct msg m;

	if (p == NULL) {
		fprintf(stderr, "stack_inbound_active: refused: %s\n", why);
		abort();
	}
	c = fake_last(&s->io);
	fake_version(&m, 0x1000 + p->id, 5, NODE_NETWORK);
	fake_deliver(c, &m);
	msg_init(&m, MSG_VERACK);
	fake_deliver(c, &m);
	fake_drain(c, -1);
	if (out != NULL)
		*out = p;
	return c;
}

/* An outbound peer to ADDR (KIND) that completes the handshake. */
static FAKE_UNUSED struct conn *
stack_outbound_active(struct stack *s, const char *addr, enum peer_kind kind, struct peer **out)
{
	struct netaddr a = addr_of(addr);
	const char *why;
	struct peer *p = connman_connect(s->cm, &a, kind, &why);
	struct conn *c;
	struct msg m;

	if (p == NULL) {
		fprintf(stderr, "stack_outbound_active: refused: %s\n", why);
		abort();
	}
	c = fake_last(&s->io);
	fake_connected(c);
	fake_version(&m, 0x2000 + p->id, 7, NODE_NETWORK);
	fake_deliver(c, &m);
	msg_init(&m, MSG_VERACK);
	fake_deliver(c, &m);
	if (out != NULL)
		*out = p;
	return c;
}

#endif
