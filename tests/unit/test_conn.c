/* test_conn.c -- conn dialled through a SOCKS5 proxy: a scripted proxy on loopback in the same loop; connected only after CONNECT, refusals with their reply code, a proxy that is down, silent, garbled or gone; the v2 transport over conn: direct and proxied, the fall-back to v1 (direct and proxied), v2-only, a tampered packet ending the connection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "buf.h"
#include "chainparams.h"
#include "clock.h"
#include "conn.h"
#include "frame.h"
#include "hash.h"
#include "msg.h"
#include "netaddr.h"
#include "socks5.h"
#include "v2transport.h"

/* What the fake proxy does with a client. */
enum script {
	P_RELAY = 0,		/* a real proxy: CONNECT to the target, relay */
	P_REFUSE,		/* answer the CONNECT with reply code `rep` */
	P_SILENT,		/* accept, read, never answer */
	P_GARBAGE,		/* answer the greeting with an HTTP error */
	P_CLOSE_AFTER_METHOD,	/* choose a method, then hang up */
	P_REPLY_AND_FRAME,	/* success and a pong in one write, then relay */
};

static struct event_base *base;
static const uint8_t *magic;

/* --- the fake proxy -------------------------------------------------------- */

struct proxy {
	struct evconnlistener	*lis;
	struct netaddr		 addr;
	enum script		 script;
	uint8_t			 rep;
	const char		*user, *pass;	/* required when set */
	struct netaddr		 target;	/* where names and addresses go */
	/* what it saw */
	int			 accepted;
	struct netaddr		 last_src;
	struct socks5_request	 last_req;
	bool			 got_request;
};

struct pconn {
	struct pconn		*next, **prevp;	/* in all_pconns */
	struct proxy		*px;
	struct bufferevent	*cli, *tgt;
	int			 phase;	/* 0 greeting, 1 auth, 2 request, 3 relay */
};

static struct pconn *all_pconns;

static void
pconn_free(struct pconn *pc)
{
	*pc->prevp = pc->next;
	if (pc->next != NULL)
		pc->next->prevp = pc->prevp;
	if (pc->cli != NULL)
		bufferevent_free(pc->cli);
	if (pc->tgt != NULL)
		bufferevent_free(pc->tgt);
	free(pc);
}

static void
send_reply(struct pconn *pc, uint8_t rep)
{
	struct wbuf w;

	wbuf_init(&w);
	socks5_encode_reply(&w, rep, NULL);
	bufferevent_write(pc->cli, w.data, w.len);
	wbuf_free(&w);
}

static void
relay_cb(struct bufferevent *bev, void *arg)
{
	struct pconn *pc = arg;
	struct bufferevent *other = bev == pc->cli ? pc->tgt : pc->cli;

	if (other != NULL)
		bufferevent_write_buffer(other, bufferevent_get_input(bev));
}

static void
pconn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct pconn *pc = arg;

	if (bev == pc->tgt && (what & BEV_EVENT_CONNECTED)) {
		if (pc->px->script == P_REPLY_AND_FRAME) {
			/* The reply and the peer's first frame in one segment. */
			struct wbuf w;
			struct msg m;
			struct wbuf f;

			wbuf_init(&w);
			wbuf_init(&f);
			socks5_encode_reply(&w, 0, NULL);
			msg_pong_init(&m, 0x1234);
			frame_encode(&f, magic, &m);
			wbuf_bytes(&w, f.data, f.len);
			bufferevent_write(pc->cli, w.data, w.len);
			wbuf_free(&w);
			wbuf_free(&f);
			msg_free(&m);
		} else {
			send_reply(pc, 0);
		}
		pc->phase = 3;
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		pconn_free(pc);
}

static void
proxy_read_cb(struct bufferevent *bev, void *arg)
{
	struct pconn *pc = arg;
	struct proxy *px = pc->px;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in), used;
	const uint8_t *p = evbuffer_pullup(in, -1);
	char user[SOCKS5_MAX_FIELD + 1], pass[SOCKS5_MAX_FIELD + 1];
	bool none, up;
	uint8_t rep, m[2] = { 5, 0 };

	if (pc->phase == 3) {
		relay_cb(bev, arg);
		return;
	}
	if (px->script == P_SILENT) {
		evbuffer_drain(in, len);
		return;
	}
	if (pc->phase == 0) {
		if (socks5_parse_greeting(p, len, &used, &none, &up) != SOCKS5_DONE)
			return;
		evbuffer_drain(in, used);
		if (px->script == P_GARBAGE) {
			bufferevent_write(bev, "HTTP/1.0 400 Bad\r\n\r\n", 20);
			return;
		}
		if (px->user != NULL)
			m[1] = up ? SOCKS5_METHOD_USERPASS : SOCKS5_METHOD_REFUSED;
		bufferevent_write(bev, m, 2);
		if (px->script == P_CLOSE_AFTER_METHOD) {
			/* Let the method choice leave, then hang up. */
			bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
			pc->phase = 9;
			return;
		}
		pc->phase = px->user != NULL ? 1 : 2;
		return;
	}
	if (pc->phase == 1) {
		if (socks5_parse_auth(p, len, &used, user, pass) != SOCKS5_DONE)
			return;
		evbuffer_drain(in, used);
		m[0] = 1;
		m[1] = strcmp(user, px->user) == 0 && strcmp(pass, px->pass) == 0 ? 0 : 1;
		bufferevent_write(bev, m, 2);
		pc->phase = 2;
		return;
	}
	if (pc->phase == 2) {
		struct sockaddr_storage ss;
		socklen_t sl;

		if (socks5_parse_request(p, len, &used, &px->last_req, &rep) != SOCKS5_DONE)
			return;
		evbuffer_drain(in, used);
		px->got_request = true;
		if (px->script == P_REFUSE) {
			send_reply(pc, px->rep);
			return;
		}
		pc->tgt = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(pc->tgt, relay_cb, NULL, pconn_event_cb, pc);
		bufferevent_enable(pc->tgt, EV_READ | EV_WRITE);
		sl = netaddr_to_sockaddr(&px->target, &ss);
		bufferevent_socket_connect(pc->tgt, (struct sockaddr *)&ss, (int)sl);
		pc->phase = 4;	/* waiting for the target */
	}
}

/* P_CLOSE_AFTER_METHOD: the method choice has left. */
static void
proxy_write_cb(struct bufferevent *bev, void *arg)
{
	struct pconn *pc = arg;

	(void)bev;
	if (pc->phase == 9)
		pconn_free(pc);
}

static void
proxy_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	struct proxy *px = arg;
	struct pconn *pc = calloc(1, sizeof(*pc));

	(void)l;
	(void)salen;
	assert_non_null(pc);
	pc->next = all_pconns;
	pc->prevp = &all_pconns;
	if (all_pconns != NULL)
		all_pconns->prevp = &pc->next;
	all_pconns = pc;
	px->accepted++;
	netaddr_from_sockaddr(&px->last_src, sa);
	pc->px = px;
	pc->cli = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(pc->cli, proxy_read_cb, proxy_write_cb, pconn_event_cb, pc);
	bufferevent_enable(pc->cli, EV_READ | EV_WRITE);
}

static struct evconnlistener *
listen_on(const char *ip, uint16_t port, evconnlistener_cb cb, void *arg, struct netaddr *out)
{
	struct netaddr a;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct evconnlistener *l;

	assert_int_equal(netaddr_parse(ip, port == 0 ? 1 : port, &a), 0);
	a.port = port;
	sl = netaddr_to_sockaddr(&a, &ss);
	l = evconnlistener_new_bind(base, cb, arg, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
	    (struct sockaddr *)&ss, (int)sl);
	assert_non_null(l);
	sl = sizeof(ss);
	getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss, &sl);
	netaddr_from_sockaddr(out, (struct sockaddr *)&ss);
	return l;
}

/* --- the target: a peer that answers a ping with a pong -------------------- */

struct target {
	struct evconnlistener	*lis;
	struct netaddr		 addr;
	struct conn		*c;
	int			 pings;
	enum conn_transport	 transport;	/* for accepted connections */
	struct conn_transport_info ti;		/* the last accepted, at its end */
	bool			 ended;
	enum conn_end		 why;
	enum msg_err		 err;
};

static void
target_msg(struct conn *c, struct msg *m, void *arg)
{
	struct target *t = arg;
	struct msg pong;

	if (m->type != MSG_PING)
		return;
	t->pings++;
	msg_pong_init(&pong, m->u.nonce);
	conn_send(c, &pong);
	msg_free(&pong);
}

static void
target_ended(struct conn *c, enum conn_end why, enum msg_err err, void *arg)
{
	struct target *t = arg;

	t->ended = true;
	t->why = why;
	t->err = err;
	conn_get_transport(c, &t->ti);
	conn_close(c, false);
	t->c = NULL;
}

static const struct conn_cb target_cb = {
	.message = target_msg,
	.ended = target_ended,
};

static void
target_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	struct target *t = arg;
	struct netaddr a;

	(void)l;
	(void)salen;
	netaddr_from_sockaddr(&a, sa);
	t->c = conn_accept(base, fd, &a, magic, &target_cb, t);
	conn_set_transport(t->c, t->transport);
}

/* --- the dialling side ----------------------------------------------------- */

struct client {
	int		 connects;
	bool		 connected;
	bool		 ended;
	enum conn_end	 why;
	int		 pongs;
	uint64_t	 last_nonce;
	bool		 pongs_before_connected;
	bool		 drained_before_connected;
	char		 reason[256];
	bool		 fault;
};

static void
client_connected(struct conn *c, void *arg)
{
	struct client *cl = arg;

	(void)c;
	cl->connected = true;
	cl->connects++;
}

static void
client_msg(struct conn *c, struct msg *m, void *arg)
{
	struct client *cl = arg;

	(void)c;
	if (m->type != MSG_PONG)
		return;
	if (!cl->connected)
		cl->pongs_before_connected = true;
	cl->pongs++;
	cl->last_nonce = m->u.nonce;
}

static void
client_drained(struct conn *c, void *arg)
{
	struct client *cl = arg;

	(void)c;
	if (!cl->connected)
		cl->drained_before_connected = true;
}

static void
client_ended(struct conn *c, enum conn_end why, enum msg_err err, void *arg)
{
	struct client *cl = arg;
	const char *r = conn_end_reason(c);

	(void)err;
	cl->ended = true;
	cl->why = why;
	cl->fault = conn_proxy_fault(c);
	snprintf(cl->reason, sizeof(cl->reason), "%s", r != NULL ? r : "");
	conn_close(c, false);
}

static const struct conn_cb client_cb = {
	.connected = client_connected,
	.message = client_msg,
	.ended = client_ended,
	.drained = client_drained,
};

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

/* Run the loop until *FLAG (or *INT_FLAG >= WANT) or MS pass; true when met. */
static bool
run_until(const bool *flag, const int *count, int want, int ms)
{
	bool timed_out = false;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event *t = evtimer_new(base, stop_cb, &timed_out);

	evtimer_add(t, &tv);
	for (int i = 0; i < 100000 && !timed_out; i++) {
		if ((flag != NULL && *flag) || (count != NULL && *count >= want))
			break;
		event_base_loop(base, EVLOOP_ONCE);
	}
	event_free(t);
	return (flag != NULL && *flag) || (count != NULL && *count >= want);
}

/* Let the loop run its zero-delay timers (frees). */
static void
settle(void)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

struct fixture {
	struct proxy	 px;
	struct target	 tg;
	struct conn_proxy *cp;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[128], spec[NETADDR_STRLEN];

	base = event_base_new();
	f->tg.lis = listen_on("127.0.0.1", 0, target_accept_cb, &f->tg, &f->tg.addr);
	f->px.lis = listen_on("127.0.0.1", 0, proxy_accept_cb, &f->px, &f->px.addr);
	f->px.target = f->tg.addr;
	netaddr_format(&f->px.addr, spec, sizeof(spec));
	f->cp = conn_proxy_new(spec, NULL, NULL, err, sizeof(err));
	assert_non_null(f->cp);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->tg.c != NULL)
		conn_close(f->tg.c, false);
	settle();
	while (all_pconns != NULL)
		pconn_free(all_pconns);
	if (f->px.lis != NULL)
		evconnlistener_free(f->px.lis);
	evconnlistener_free(f->tg.lis);
	conn_proxy_free(f->cp);
	event_base_free(base);
	free(f);
	return 0;
}

static struct conn *
dial(struct fixture *f, struct conn_proxy *cp, const char *host, const struct netaddr *bind_ip,
    int timeout_ms, struct client *cl)
{
	struct conn_dial d = {
		.addr = host != NULL ? NULL : &f->tg.addr,
		.host = host,
		.port = f->tg.addr.port,
		.bind_ip = bind_ip,
		.proxy = cp,
		.timeout_ms = timeout_ms,
	};
	char err[128];
	struct conn *c;

	memset(cl, 0, sizeof(*cl));
	c = conn_dial(base, &d, magic, &client_cb, cl, err, sizeof(err));
	assert_non_null(c);
	return c;
}

static void
send_ping(struct conn *c, uint64_t nonce)
{
	struct msg m;

	msg_ping_init(&m, nonce);
	assert_int_equal(conn_send(c, &m), 0);
	msg_free(&m);
}

/* --- tests --------------------------------------------------------------- */

/* Through the proxy by address: a ping sent before `connected` is held
 * back until the CONNECT succeeded, and the pong comes back. */
static void
test_relay_by_address(void **state)
{
	struct fixture *f = *state;
	struct client cl;
	struct conn *c = dial(f, f->cp, NULL, NULL, 2000, &cl);

	send_ping(c, 7);
	assert_true(conn_sendq(c) > 0);
	assert_false(cl.connected);
	assert_true(run_until(NULL, &cl.pongs, 1, 2000));
	assert_true(cl.connected);
	assert_false(cl.pongs_before_connected);
	/* The SOCKS5 greeting and request are conn's, not the owner's. */
	assert_false(cl.drained_before_connected);
	assert_int_equal(cl.last_nonce, 7);
	assert_int_equal(f->tg.pings, 1);
	assert_true(f->px.got_request);
	assert_int_equal(f->px.last_req.atyp, SOCKS5_ATYP_IPV4);
	assert_true(netaddr_equal(&f->px.last_req.addr, &f->tg.addr));
	assert_true(netaddr_equal(conn_addr(c), &f->tg.addr));
	/* Stats count frames only, not the SOCKS bytes. */
	assert_int_equal(conn_stats(c)->bytes_sent, FRAME_HEADER_LEN + 8);
	assert_int_equal(conn_stats(c)->bytes_recv, FRAME_HEADER_LEN + 8);
	/* After connected, frames go straight out. */
	send_ping(c, 8);
	assert_true(run_until(NULL, &cl.pongs, 2, 2000));
	assert_null(conn_end_reason(c));
	conn_close(c, false);
	settle();
}

/* By name: the proxy gets address type 3 and the name, never our DNS. */
static void
test_relay_by_name(void **state)
{
	struct fixture *f = *state;
	struct client cl;
	struct conn *c = dial(f, f->cp, "seed.agentchain.test", NULL, 2000, &cl);
	struct netaddr zero;

	assert_true(run_until(&cl.connected, NULL, 0, 2000));
	assert_int_equal(f->px.last_req.atyp, SOCKS5_ATYP_DOMAIN);
	assert_string_equal(f->px.last_req.host, "seed.agentchain.test");
	assert_int_equal(f->px.last_req.addr.port, f->tg.addr.port);
	/* conn_addr: all zero but the port. */
	memset(&zero, 0, sizeof(zero));
	zero.port = f->tg.addr.port;
	assert_true(netaddr_equal(conn_addr(c), &zero));
	send_ping(c, 9);
	assert_true(run_until(NULL, &cl.pongs, 1, 2000));
	conn_close(c, false);
	settle();
}

static void
test_relay_userpass(void **state)
{
	struct fixture *f = *state;
	struct conn_proxy *cp, *bad;
	struct client cl;
	char err[128];
	struct conn *c;

	f->px.user = "alice";
	f->px.pass = "s3cret";
	cp = conn_proxy_new(conn_proxy_name(f->cp), "alice", "s3cret", err, sizeof(err));
	assert_non_null(cp);
	c = dial(f, cp, NULL, NULL, 2000, &cl);
	send_ping(c, 1);
	assert_true(run_until(NULL, &cl.pongs, 1, 2000));
	conn_close(c, false);
	settle();

	/* Wrong password: a refusal that is the proxy's (every dial would
	 * fail), so it is marked down. */
	bad = conn_proxy_new(conn_proxy_name(f->cp), "alice", "wrong", err, sizeof(err));
	assert_non_null(bad);
	dial(f, bad, NULL, NULL, 2000, &cl);
	assert_true(run_until(&cl.ended, NULL, 0, 2000));
	assert_int_equal(cl.why, CONN_END_REFUSED);
	assert_true(cl.fault);
	assert_non_null(strstr(cl.reason, "refused our user name and password"));
	assert_true(conn_proxy_is_down(bad));
	settle();

	/* No credentials where they are required: no acceptable method. */
	dial(f, f->cp, NULL, NULL, 2000, &cl);
	assert_true(run_until(&cl.ended, NULL, 0, 2000));
	assert_true(cl.fault);
	assert_non_null(strstr(cl.reason, "none of our methods"));
	settle();
	conn_proxy_free(cp);
	conn_proxy_free(bad);
}

/* Every refusal code ends the dial as refused (or timed out for 6) with
 * the code in the reason; the proxy itself is fine. */
static void
test_refusals(void **state)
{
	struct fixture *f = *state;
	static const uint8_t reps[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xf0, 0xf7, 0xff };

	f->px.script = P_REFUSE;
	for (size_t i = 0; i < sizeof(reps); i++) {
		struct client cl;
		char want[48];

		f->px.rep = reps[i];
		dial(f, f->cp, NULL, NULL, 2000, &cl);
		assert_true(run_until(&cl.ended, NULL, 0, 2000));
		assert_false(cl.connected);
		assert_int_equal(cl.why, reps[i] == 6 || reps[i] == 0xf7 ? CONN_END_TIMEOUT :
		    CONN_END_REFUSED);
		snprintf(want, sizeof(want), "(SOCKS5 reply %u)", reps[i]);
		assert_non_null(strstr(cl.reason, want));
		assert_non_null(strstr(cl.reason, conn_proxy_name(f->cp)));
		assert_false(cl.fault);
		assert_false(conn_proxy_is_down(f->cp));
		settle();
	}
	f->px.rep = 5;
	{
		struct client cl;

		dial(f, f->cp, NULL, NULL, 2000, &cl);
		char want[128];

		assert_true(run_until(&cl.ended, NULL, 0, 2000));
		snprintf(want, sizeof(want), "SOCKS5 proxy %s: connection refused (SOCKS5 reply 5)",
		    conn_proxy_name(f->cp));
		assert_string_equal(cl.reason, want);
		settle();
	}
}

/* A proxy that is down: the first dial fails at the proxy, later ones at
 * once (no connection attempt) until the back-off is over; then one dial
 * tries again, and success clears it. */
static void
test_proxy_down_backoff(void **state)
{
	struct fixture *f = *state;
	struct client cl;
	uint16_t port = f->px.addr.port;
	struct conn *c;
	int accepted;

	evconnlistener_free(f->px.lis);
	f->px.lis = NULL;
	clock_fake_start(1700000000000LL);
	dial(f, f->cp, NULL, NULL, 2000, &cl);
	assert_true(run_until(&cl.ended, NULL, 0, 2000));
	assert_int_equal(cl.why, CONN_END_REFUSED);
	assert_true(cl.fault);
	assert_non_null(strstr(cl.reason, "unreachable: Connection refused"));
	assert_true(conn_proxy_is_down(f->cp));
	settle();

	/* The proxy is back, but we are backing off: no attempt. */
	f->px.lis = listen_on("127.0.0.1", port, proxy_accept_cb, &f->px, &f->px.addr);
	accepted = f->px.accepted;
	dial(f, f->cp, NULL, NULL, 2000, &cl);
	assert_true(run_until(&cl.ended, NULL, 0, 2000));
	assert_true(cl.fault);
	assert_int_equal(cl.why, CONN_END_REFUSED);
	assert_non_null(strstr(cl.reason, "is down; next try in 1 s"));
	assert_int_equal(f->px.accepted, accepted);
	settle();

	/* After the back-off one dial goes through and clears it. */
	clock_fake_advance(1001);
	c = dial(f, f->cp, NULL, NULL, 2000, &cl);
	assert_true(run_until(&cl.connected, NULL, 0, 2000));
	assert_false(conn_proxy_is_down(f->cp));
	assert_int_equal(f->px.accepted, accepted + 1);
	clock_fake_stop();
	conn_close(c, false);
	settle();
}

/* Proxies that fail: silent (bounded by the timeout), garbled, or gone
 * mid-handshake.  The first two are the proxy's fault and mark it down;
 * hanging up after the method choice is about this dial only. */
static void
test_proxy_failures(void **state)
{
	static const struct {
		enum script	 script;
		int		 timeout_ms;
		enum conn_end	 why;
		bool		 fault;
		const char	*reason;
	} cases[] = {
		{ P_SILENT, 300, CONN_END_TIMEOUT, true, "no answer to our greeting within 300 ms" },
		{ P_GARBAGE, 2000, CONN_END_REFUSED, true, "not a SOCKS5 proxy (version byte 0x48)" },
		{ P_CLOSE_AFTER_METHOD, 2000, CONN_END_REFUSED, false,
		  "closed the connection before its CONNECT reply" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conn_proxy *cp;
		struct client cl;
		char err[128];
		int64_t t0 = clock_mono_ms();

		cp = conn_proxy_new(conn_proxy_name(f->cp), NULL, NULL, err, sizeof(err));
		assert_non_null(cp);
		f->px.script = cases[i].script;
		dial(f, cp, NULL, NULL, cases[i].timeout_ms, &cl);
		assert_true(run_until(&cl.ended, NULL, 0, 3000));
		assert_false(cl.connected);
		assert_int_equal(cl.why, cases[i].why);
		assert_int_equal(cl.fault, cases[i].fault);
		assert_non_null(strstr(cl.reason, cases[i].reason));
		assert_int_equal(conn_proxy_is_down(cp), cases[i].fault);
		if (cases[i].why == CONN_END_TIMEOUT)
			assert_true(clock_mono_ms() - t0 >= cases[i].timeout_ms - 10);
		settle();
		conn_proxy_free(cp);
	}
}

/* The peer's first frame in the same segment as the CONNECT reply. */
static void
test_reply_and_frame_together(void **state)
{
	struct fixture *f = *state;
	struct client cl;
	struct conn *c;

	f->px.script = P_REPLY_AND_FRAME;
	c = dial(f, f->cp, NULL, NULL, 2000, &cl);
	assert_true(run_until(NULL, &cl.pongs, 1, 2000));
	assert_true(cl.connected);
	assert_false(cl.pongs_before_connected);
	assert_int_equal(cl.last_nonce, 0x1234);
	conn_close(c, false);
	settle();
}

/* The proxy sees the bind address; one of the other family is skipped. */
static void
test_bind_ip(void **state)
{
	struct fixture *f = *state;
	struct netaddr b, v6;
	struct client cl;
	char s[NETADDR_STRLEN];
	struct conn *c;

	assert_int_equal(netaddr_parse("127.0.0.2", 1, &b), 0);
	c = dial(f, f->cp, NULL, &b, 2000, &cl);
	assert_true(run_until(&cl.connected, NULL, 0, 2000));
	assert_string_equal(netaddr_format_ip(&f->px.last_src, s, sizeof(s)), "127.0.0.2");
	conn_close(c, false);
	settle();
	assert_int_equal(netaddr_parse("::1", 1, &v6), 0);
	c = dial(f, f->cp, NULL, &v6, 2000, &cl);
	assert_true(run_until(&cl.connected, NULL, 0, 2000));
	assert_string_equal(netaddr_format_ip(&f->px.last_src, s, sizeof(s)), "127.0.0.1");
	conn_close(c, false);
	settle();
}

/* Closing mid-handshake: no callback afterwards, nothing leaks. */
static void
test_close_mid_handshake(void **state)
{
	struct fixture *f = *state;
	struct client cl;
	struct conn *c;

	f->px.script = P_SILENT;
	c = dial(f, f->cp, NULL, NULL, 100, &cl);
	send_ping(c, 1);
	conn_close(c, true);
	settle();
	{
		bool never = false;

		run_until(&never, NULL, 0, 250);	/* past the deadline */
	}
	assert_false(cl.ended);
	assert_false(cl.connected);
}

static void
test_bad_dials(void **state)
{
	struct fixture *f = *state;
	struct conn_dial d = { .host = "x.test", .port = 1, .timeout_ms = 100 };
	struct client cl;
	char err[128];

	(void)f;
	assert_null(conn_dial(base, &d, magic, &client_cb, &cl, err, sizeof(err)));
	assert_non_null(strstr(err, "only be dialled through a proxy"));
	d.host = NULL;
	assert_null(conn_dial(base, &d, magic, &client_cb, &cl, err, sizeof(err)));
	d.host = "";
	d.proxy = f->cp;
	assert_null(conn_dial(base, &d, magic, &client_cb, &cl, err, sizeof(err)));
	assert_null(conn_proxy_new("proxy.example:9050", NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "numeric"));
	assert_null(conn_proxy_new("127.0.0.1:9050", "u", NULL, err, sizeof(err)));
	assert_null(conn_proxy_new("127.0.0.1:0", NULL, NULL, err, sizeof(err)));
}

/* --- the v2 transport ------------------------------------------------------ */

/* Dial the target with TRANSPORT (through CP when set), ping, get the
 * pong; returns the connection, still open. */
static struct conn *
v2_ping(struct fixture *f, struct conn_proxy *cp, enum conn_transport transport,
    struct client *cl)
{
	struct conn *c = dial(f, cp, NULL, NULL, 2000, cl);

	conn_set_transport(c, transport);
	send_ping(c, 42);
	assert_true(run_until(NULL, &cl->pongs, 1, 3000));
	assert_int_equal(cl->last_nonce, 42);
	assert_int_equal(cl->connects, 1);
	return c;
}

static void
test_v2_both_ways(void **state)
{
	struct fixture *f = *state;
	struct conn_transport_info mine, theirs;
	struct client cl;
	struct conn *c;

	for (int proxied = 0; proxied < 2; proxied++) {
		f->tg.transport = CONN_TRANSPORT_V2;
		c = v2_ping(f, proxied ? f->cp : NULL, CONN_TRANSPORT_V2, &cl);
		conn_get_transport(c, &mine);
		assert_non_null(f->tg.c);
		conn_get_transport(f->tg.c, &theirs);
		assert_true(mine.v2);
		assert_true(theirs.v2);
		assert_false(mine.fell_back);
		assert_memory_equal(mine.session_id, theirs.session_id, sizeof(mine.session_id));
		/* Handshake bytes count too: more than one v2 ping packet. */
		assert_true(conn_stats(c)->bytes_sent > V2T_KEY_LEN + V2T_WIRE_LEN(8));
		conn_close(c, false);
		settle();
	}
}

/* A v1-only peer: the v2 dial is made again in v1, the ping queued before
 * goes out as a v1 frame, `connected` comes once. */
static void
test_v2_falls_back_to_v1(void **state)
{
	struct fixture *f = *state;
	struct conn_transport_info ti;
	struct client cl;
	struct conn *c;

	f->tg.transport = CONN_TRANSPORT_V1;
	for (int proxied = 0; proxied < 2; proxied++) {
		c = v2_ping(f, proxied ? f->cp : NULL, CONN_TRANSPORT_V2, &cl);
		conn_get_transport(c, &ti);
		assert_false(ti.v2);
		assert_true(ti.fell_back);
		/* The v1 peer closed the v2 attempt without blame. */
		assert_true(f->tg.ended);
		assert_int_equal(f->tg.why, CONN_END_CLOSED);
		f->tg.ended = false;
		conn_close(c, false);
		settle();
	}
	assert_true(f->px.accepted >= 2);
	/* v2-only gives up instead. */
	c = dial(f, NULL, NULL, NULL, 2000, &cl);
	conn_set_transport(c, CONN_TRANSPORT_V2_ONLY);
	send_ping(c, 1);
	assert_true(run_until(&cl.ended, NULL, 0, 3000));
	assert_int_equal(cl.pongs, 0);
	assert_non_null(strstr(cl.reason, "v2"));
	settle();
}

/* An inbound v2-only connection refuses a v1 peer; an inbound v2 one
 * serves it. */
static void
test_v2_inbound_serves_v1(void **state)
{
	struct fixture *f = *state;
	struct client cl;
	struct conn *c;

	f->tg.transport = CONN_TRANSPORT_V2;
	c = v2_ping(f, NULL, CONN_TRANSPORT_V1, &cl);
	conn_close(c, false);
	settle();
	f->tg.transport = CONN_TRANSPORT_V2_ONLY;
	c = dial(f, NULL, NULL, NULL, 2000, &cl);
	send_ping(c, 1);
	assert_true(run_until(&cl.ended, NULL, 0, 3000));
	assert_int_equal(cl.pongs, 0);
	assert_int_equal(f->tg.pings, 1);
	settle();
}

/* Read what FD has (non-blocking) into IN, running the loop meanwhile,
 * until DONE(T) or 3 s. */
static void
raw_pump(int fd, struct v2t *t, struct wbuf *in, struct wbuf *out, bool (*done)(const struct v2t *))
{
	int64_t end = clock_mono_ms() + 3000;

	while (!done(t) && clock_mono_ms() < end) {
		uint8_t buf[8192];
		struct v2t_packet pkt;
		size_t used, need;
		ssize_t n;

		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 10);
		if ((n = read(fd, buf, sizeof(buf))) > 0)
			wbuf_bytes(in, buf, (size_t)n);
		while (in->len > 0 && v2t_input(t, in->data, in->len, &used, &need, out,
		    &pkt) == V2T_PROGRESS) {
			memmove(in->data, in->data + used, in->len - used);
			in->len -= used;
		}
		if (out->len > 0) {
			assert_int_equal(write(fd, out->data, out->len), (ssize_t)out->len);
			out->len = 0;
		}
	}
	assert_true(done(t));
}

/* A peer that flips one bit of a packet: the connection ends with an
 * authentication failure, the message is never delivered. */
static void
test_v2_tampered_packet_ends(void **state)
{
	struct fixture *f = *state;
	struct v2t *t = v2t_new(true, magic);
	struct wbuf in, out, p;
	struct netaddr a;
	int sv[2];

	(void)f;
	wbuf_init(&in);
	wbuf_init(&out);
	wbuf_init(&p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	netaddr_parse("127.0.0.9", 29001, &a);
	f->tg.c = conn_accept(base, sv[0], &a, magic, &target_cb, &f->tg);
	conn_set_transport(f->tg.c, CONN_TRANSPORT_V2);
	v2t_hello(t, &out);
	assert_int_equal(write(sv[1], out.data, out.len), (ssize_t)out.len);
	out.len = 0;
	raw_pump(sv[1], t, &in, &out, v2t_established);
	/* One honest ping, answered; then a flipped one. */
	v2t_packet_begin(&p, MSG_PING);
	wbuf_u64le(&p, 5);
	v2t_seal(t, &p);
	assert_int_equal(write(sv[1], p.data, p.len), (ssize_t)p.len);
	assert_true(run_until(NULL, &f->tg.pings, 1, 3000));
	p.len = 0;
	v2t_packet_begin(&p, MSG_PING);
	wbuf_u64le(&p, 6);
	v2t_seal(t, &p);
	p.data[V2T_PREFIX + 3] ^= 0x10;
	assert_int_equal(write(sv[1], p.data, p.len), (ssize_t)p.len);
	assert_true(run_until(&f->tg.ended, NULL, 0, 3000));
	assert_int_equal(f->tg.why, CONN_END_PROTOCOL);
	assert_int_equal(f->tg.err, MSG_ERR_BAD_CHECKSUM);
	assert_true(f->tg.ti.v2);
	assert_int_equal(f->tg.pings, 1);
	close(sv[1]);
	settle();
	wbuf_free(&in);
	wbuf_free(&out);
	wbuf_free(&p);
	v2t_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relay_by_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_userpass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_down_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_and_frame_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_ip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_mid_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_dials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_falls_back_to_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_inbound_serves_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2_tampered_packet_ends, setup, teardown),
	};

	if (hash_init() != 0)
		return 1;
	magic = chainparams_get(NET_REGTEST)->magic;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
