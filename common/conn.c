/* conn.c -- one framed P2P TCP connection on a libevent bufferevent.
 *
 * This is the only place that turns bytes on a socket into messages, for
 * the node, the crawler and the test peers alike.  It knows nothing of the
 * handshake or of reputation: it frames, counts and reports.  Closing is
 * always deferred to a fresh loop iteration (redis freeClientAsync) so an
 * owner can close a connection from inside its own callback.
 *
 * A dial through a SOCKS5 proxy runs common/socks5's state machine on the
 * socket before any frame: the proxy's bytes go to the machine (which
 * consumes nothing past its reply), frames the owner sends meanwhile wait
 * in a holding buffer, and `connected` is reported only when the proxy's
 * CONNECT succeeded.  One deadline bounds the TCP connect and the whole
 * handshake.
 *
 * The v2 transport (common/v2transport) sits between the socket and the
 * message codec: frames become encrypted packets, and an outbound v2
 * attempt that meets a v1 peer is dialled again in v1 (the dial's
 * parameters are kept for it) with the owner none the wiser. */
#include "conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "clock.h"
#include "frame.h"
#include "log.h"
#include "socks5.h"
#include "v2transport.h"
#include "xmalloc.h"

/* Back-off after proxy failures: 1 s, doubling up to 64 s. */
#define CONN_PROXY_BACKOFF_MS		1000
#define CONN_PROXY_BACKOFF_MAX_MS	64000

struct conn_proxy {
	struct netaddr	 addr;
	char		 name[NETADDR_STRLEN];
	char		*user, *pass;
	bool		 down;
	unsigned	 failures;	/* in a row */
	int64_t		 retry_at;	/* monotonic ms; dials before it fail at once */
};

struct conn {
	struct event_base	*base;
	struct bufferevent	*bev;
	struct netaddr		 addr;
	const uint8_t		*magic;
	const struct conn_cb	*cb;
	void			*arg;
	struct conn_stats	 stats;
	uint32_t		 max_payload;
	unsigned		 frame_flags;
	struct event		*reap;
	struct event		*more;		/* the read callback, again, next turn */
	bool			 closing;
	bool			 ended;	/* ended() already delivered */
	/* Dialling through a proxy: all NULL/false once the handshake is over. */
	struct conn_proxy	*proxy;
	struct socks5		*socks;
	struct evbuffer		*held;		/* frames sent before `connected` */
	struct event		*deadline;	/* bounds connect + handshake */
	int			 timeout_ms;
	bool			 tcp_up;	/* the proxy took the TCP connection */
	bool			 fast_fail;	/* the proxy is backing off: end at once */
	bool			 proxy_fault;
	char			 reason[256];
	/* Transport: v2 state while speaking (or trying) v2, else NULL. */
	struct v2t		*v2;
	enum conn_transport	 policy;
	bool			 outbound;
	bool			 link_up;	/* TCP up, the proxy's CONNECT done */
	bool			 reported;	/* `connected` delivered */
	bool			 fell_back;	/* redialled in v1 */
	/* Outbound: the dial, kept for a v1 redial (pointers into the fields
	 * below, or the caller's proxy). */
	struct conn_dial	 dial;
	struct netaddr		 dial_addr, dial_bind;
	char			*dial_host;
};

/* How long a flushing close may wait for the peer to take our data. */
#define CONN_FLUSH_MS 2000
/* Bytes of frames handled per read callback before the loop gets a turn:
 * answers queued meanwhile (a getdata for the next blocks) go out before
 * the rest of a large backlog is worked through, and one busy peer cannot
 * hold up the others. */
#define CONN_READ_BUDGET (256 * 1024)
/* Bytes one read or write event may move. */
#define CONN_IO_CHUNK (256 * 1024)

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_more_cb(evutil_socket_t fd, short what, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);

static void
conn_free(struct conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	event_free(c->reap);
	event_free(c->more);
	if (c->deadline != NULL)
		event_free(c->deadline);
	if (c->held != NULL)
		evbuffer_free(c->held);
	free(c->socks);
	v2t_free(c->v2);
	free(c->dial_host);
	free(c);
}

static void
conn_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_free(arg);
}

/* Messages are small and latency is measured (pings): no Nagle delay,
 * as Bitcoin Core does on every P2P socket. */
static void
conn_nodelay(struct bufferevent *bev)
{
	int one = 1;
	evutil_socket_t fd = bufferevent_getfd(bev);

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
conn_schedule_reap(struct conn *c, int delay_ms)
{
	struct timeval tv = { delay_ms / 1000, (delay_ms % 1000) * 1000 };

	event_add(c->reap, &tv);
}

static void
conn_end(struct conn *c, enum conn_end why, enum msg_err err)
{
	if (c->ended || c->closing)
		return;
	c->ended = true;
	if (c->bev != NULL)
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->deadline != NULL)
		event_del(c->deadline);
	if (c->reason[0] != '\0' && c->socks != NULL) {
		char a[NETADDR_STRLEN];

		log_debug("proxy", "dial %s: %s", c->socks->by_name ? c->socks->host :
		    netaddr_format(&c->addr, a, sizeof(a)), c->reason);
	}
	if (c->cb->ended != NULL)
		c->cb->ended(c, why, err, c->arg);
}

static struct conn *
conn_new(struct event_base *base, const struct netaddr *addr, const uint8_t *magic,
    const struct conn_cb *cb, void *arg)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->base = base;
	c->addr = *addr;
	c->magic = magic;
	c->cb = cb;
	c->arg = arg;
	c->reap = evtimer_new(base, conn_reap_cb, c);
	c->more = event_new(base, -1, 0, conn_more_cb, c);
	c->max_payload = MSG_MAX_PAYLOAD;
	return c;
}

/* Make BEV C's socket (a dial made again in v1 gets a new one). */
static void
conn_attach(struct conn *c, struct bufferevent *bev)
{
	c->bev = bev;
	conn_set_max_payload(c, c->max_payload);
	bufferevent_setwatermark(bev, EV_WRITE, CONN_DRAIN_LOW, 0);
	/* libevent moves at most 16 KiB per read or write event by default:
	 * a 100 kB block would take seven trips round the loop. */
	bufferevent_set_max_single_read(bev, CONN_IO_CHUNK);
	bufferevent_set_max_single_write(bev, CONN_IO_CHUNK);
	bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
}

/* --- proxies ------------------------------------------------------------ */

struct conn_proxy *
conn_proxy_new(const char *spec, const char *user, const char *pass, char *err, size_t errlen)
{
	struct conn_proxy *p;
	struct socks5 probe;
	struct netaddr a;

	if (socks5_parse_proxy(spec, &a) == -1) {
		snprintf(err, errlen, "bad proxy address (want a numeric ADDR[:PORT] or localhost)");
		return NULL;
	}
	/* The credentials' rules are the handshake's. */
	if (socks5_init(&probe, NULL, &a, a.port, user, pass, err, errlen) == -1)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->addr = a;
	netaddr_format(&a, p->name, sizeof(p->name));
	if (user != NULL) {
		p->user = xstrdup(user);
		p->pass = xstrdup(pass);
	}
	return p;
}

void
conn_proxy_free(struct conn_proxy *p)
{
	if (p == NULL)
		return;
	free(p->user);
	if (p->pass != NULL) {
		explicit_bzero(p->pass, strlen(p->pass));
		free(p->pass);
	}
	free(p);
}

const char *
conn_proxy_name(const struct conn_proxy *p)
{
	return p->name;
}

bool
conn_proxy_is_down(const struct conn_proxy *p)
{
	return p->down;
}

/* The proxy failed us (WHY): warn once, then back off. */
static int64_t
conn_proxy_failed(struct conn_proxy *p, const char *why)
{
	int64_t backoff = CONN_PROXY_BACKOFF_MS;

	for (unsigned i = 0; i < p->failures && backoff < CONN_PROXY_BACKOFF_MAX_MS; i++)
		backoff *= 2;
	if (backoff > CONN_PROXY_BACKOFF_MAX_MS)
		backoff = CONN_PROXY_BACKOFF_MAX_MS;
	p->failures++;
	p->retry_at = clock_mono_ms() + backoff;
	if (!p->down)
		log_warn("proxy", "SOCKS5 proxy %s: %s; outbound connections fail until it "
		    "answers (next try in %lld s, then backing off up to %d s)", p->name, why,
		    (long long)backoff / 1000, CONN_PROXY_BACKOFF_MAX_MS / 1000);
	else
		log_debug("proxy", "SOCKS5 proxy %s still failing: %s; next try in %lld s",
		    p->name, why, (long long)backoff / 1000);
	p->down = true;
	return backoff;
}

static void
conn_proxy_ok(struct conn_proxy *p)
{
	if (p->down)
		log_info("proxy", "SOCKS5 proxy %s answers again", p->name);
	p->down = false;
	p->failures = 0;
	p->retry_at = 0;
}

/* --- dialling ------------------------------------------------------------ */

/* A non-blocking socket of BIND_IP's family bound to BIND_IP, port 0. */
static evutil_socket_t
conn_bound_socket(const struct netaddr *bind_ip, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct netaddr local = *bind_ip;
	socklen_t len;
	evutil_socket_t fd;

	local.port = 0;
	len = netaddr_to_sockaddr(&local, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&ss, len) == -1) {
		snprintf(err, errlen, "cannot bind outgoing socket: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static void
conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->fast_fail) {
		conn_end(c, CONN_END_REFUSED, MSG_OK);
		return;
	}
	if (!c->tcp_up || !c->socks->greeted) {
		c->proxy_fault = true;
		snprintf(c->reason, sizeof(c->reason), "SOCKS5 proxy %s: %s within %d ms",
		    c->proxy->name, c->tcp_up ? "no answer to our greeting" : "no connection",
		    c->timeout_ms);
		conn_proxy_failed(c->proxy, c->tcp_up ? "no answer to our greeting" : "connect timed out");
	} else {
		snprintf(c->reason, sizeof(c->reason), "SOCKS5 proxy %s: no CONNECT reply within %d ms",
		    c->proxy->name, c->timeout_ms);
	}
	conn_end(c, CONN_END_TIMEOUT, MSG_OK);
}

/* The proxied part of conn_dial: C is made, its socket not connected. */
static int
conn_dial_proxy(struct conn *c, const struct conn_dial *d, char *err, size_t errlen)
{
	struct conn_proxy *p = d->proxy;
	struct sockaddr_storage ss;
	socklen_t sslen = netaddr_to_sockaddr(&p->addr, &ss);
	struct timeval tv = { d->timeout_ms / 1000, (d->timeout_ms % 1000) * 1000 };
	int64_t now = clock_mono_ms();

	c->proxy = p;
	c->timeout_ms = d->timeout_ms;
	c->tcp_up = false;
	if (c->held == NULL)
		c->held = evbuffer_new();
	if (c->deadline == NULL)
		c->deadline = evtimer_new(c->base, conn_deadline_cb, c);
	if (p->down && now < p->retry_at) {
		/* Backing off: fail without touching the network. */
		c->fast_fail = true;
		c->proxy_fault = true;
		snprintf(c->reason, sizeof(c->reason), "SOCKS5 proxy %s is down; next try in %lld s",
		    p->name, (long long)(p->retry_at - now + 999) / 1000);
		tv.tv_sec = 0;
		tv.tv_usec = 0;
		evtimer_add(c->deadline, &tv);
		return 0;
	}
	if (p->down) {
		/* This dial is the retry; others wait for its outcome. */
		p->retry_at = now + CONN_PROXY_BACKOFF_MS;
	}
	evtimer_add(c->deadline, &tv);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&ss, (int)sslen) == -1) {
		snprintf(err, errlen, "connect to proxy %s: %s", p->name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Keep D in C for a v1 redial: its pointers then point into C. */
static void
conn_keep_dial(struct conn *c, const struct conn_dial *d)
{
	c->outbound = true;
	c->dial = *d;
	if (d->addr != NULL) {
		c->dial_addr = *d->addr;
		c->dial.addr = &c->dial_addr;
	}
	if (d->bind_ip != NULL) {
		c->dial_bind = *d->bind_ip;
		c->dial.bind_ip = &c->dial_bind;
	}
	if (d->host != NULL) {
		c->dial_host = xstrdup(d->host);
		c->dial.host = c->dial_host;
	}
}

/* Make C's socket for its dial and start connecting.  On failure (the
 * reason in ERR) C still has a bufferevent, without a socket. */
static int
conn_dial_start(struct conn *c, char *err, size_t errlen)
{
	const struct conn_dial *d = &c->dial;
	const struct netaddr *dest = d->proxy != NULL ? &d->proxy->addr : d->addr;
	struct sockaddr_storage ss;
	struct bufferevent *bev;
	struct socks5 *s = NULL;
	evutil_socket_t fd = -1;

	if (d->proxy != NULL) {
		s = xcalloc(1, sizeof(*s));
		if (socks5_init(s, d->host, d->addr, d->port, d->proxy->user, d->proxy->pass,
		    err, errlen) == -1)
			goto fail;
	}
	if (d->bind_ip != NULL) {
		if (netaddr_is_ipv4(dest) != netaddr_is_ipv4(d->bind_ip)) {
			if (d->proxy == NULL) {
				snprintf(err, errlen, "cannot dial an %s address from an %s one",
				    netaddr_is_ipv4(dest) ? "IPv4" : "IPv6",
				    netaddr_is_ipv4(d->bind_ip) ? "IPv4" : "IPv6");
				goto fail;
			}
			/* The proxy is of the other family: no binding. */
		} else if ((fd = conn_bound_socket(d->bind_ip, err, errlen)) == -1) {
			goto fail;
		}
	}
	if ((bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		snprintf(err, errlen, "cannot create socket: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		goto fail;
	}
	conn_attach(c, bev);
	if (s != NULL) {
		c->socks = s;
		return conn_dial_proxy(c, d, err, errlen);
	}
	/* The write timeout bounds the connect; cleared once connected. */
	{
		struct timeval tv = { d->timeout_ms / 1000, (d->timeout_ms % 1000) * 1000 };
		socklen_t sslen = netaddr_to_sockaddr(dest, &ss);

		bufferevent_set_timeouts(bev, NULL, &tv);
		if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, (int)sslen) == -1) {
			snprintf(err, errlen, "connect: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
fail:
	free(s);
	if ((bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE)) == NULL)
		abort();
	conn_attach(c, bev);
	return -1;
}

struct conn *
conn_dial(struct event_base *base, const struct conn_dial *d, const uint8_t *magic,
    const struct conn_cb *cb, void *arg, char *err, size_t errlen)
{
	struct netaddr peer;
	struct conn *c;

	if (d->proxy == NULL && (d->addr == NULL || d->host != NULL)) {
		snprintf(err, errlen, d->host != NULL ?
		    "a host name can only be dialled through a proxy" : "no address to dial");
		return NULL;
	}
	if (d->addr != NULL) {
		peer = *d->addr;
	} else {
		memset(&peer, 0, sizeof(peer));
		peer.port = d->port;
	}
	c = conn_new(base, &peer, magic, cb, arg);
	conn_keep_dial(c, d);
	if (conn_dial_start(c, err, errlen) == -1) {
		conn_free(c);
		return NULL;
	}
	return c;
}

struct conn *
conn_connect(struct event_base *base, const struct netaddr *addr,
    const struct netaddr *bind_ip, const uint8_t *magic, int connect_timeout_ms,
    const struct conn_cb *cb, void *arg, char *err, size_t errlen)
{
	struct conn_dial d = {
		.addr = addr,
		.bind_ip = bind_ip,
		.timeout_ms = connect_timeout_ms,
	};

	return conn_dial(base, &d, magic, cb, arg, err, errlen);
}

struct conn *
conn_accept(struct event_base *base, int fd, const struct netaddr *addr,
    const uint8_t *magic, const struct conn_cb *cb, void *arg)
{
	struct bufferevent *bev;
	struct conn *c;

	evutil_make_socket_nonblocking(fd);
	bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return NULL;
	}
	c = conn_new(base, addr, magic, cb, arg);
	conn_attach(c, bev);
	c->link_up = true;
	c->reported = true;
	conn_nodelay(bev);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	return c;
}

/* The way to the peer is open (TCP, and the proxy's CONNECT): send what
 * was held, open the v2 handshake, tell the owner -- once, even when a
 * v2 attempt is dialled again in v1. */
static void
conn_link_up(struct conn *c)
{
	struct wbuf w;

	c->link_up = true;
	if (c->held != NULL)
		evbuffer_add_buffer(bufferevent_get_output(c->bev), c->held);
	if (c->v2 != NULL) {
		wbuf_init(&w);
		v2t_hello(c->v2, &w);
		bufferevent_write(c->bev, w.data, w.len);
		c->stats.bytes_sent += w.len;
		wbuf_free(&w);
	}
	if (!c->reported) {
		c->reported = true;
		if (c->cb->connected != NULL)
			c->cb->connected(c, c->arg);
	}
}

/* The proxy's handshake is over: forget it, carry on. */
static void
conn_proxy_done(struct conn *c)
{
	free(c->socks);
	c->socks = NULL;
	event_del(c->deadline);
	conn_link_up(c);
}

/* --- the v2 transport ------------------------------------------------------- */

void
conn_set_transport(struct conn *c, enum conn_transport policy)
{
	c->policy = policy;
	v2t_free(c->v2);
	c->v2 = NULL;
	if (policy != CONN_TRANSPORT_V1) {
		c->v2 = v2t_new(c->outbound, c->magic);
		v2t_set_max_payload(c->v2, c->max_payload);
	}
}

void
conn_get_transport(const struct conn *c, struct conn_transport_info *out)
{
	memset(out, 0, sizeof(*out));
	out->fell_back = c->fell_back;
	if (c->v2 != NULL && v2t_keyed(c->v2)) {
		out->v2 = true;
		memcpy(out->session_id, v2t_session_id(c->v2), sizeof(out->session_id));
	}
}

/* An outbound v2 attempt whose peer closed without a byte of its own: a
 * v1 peer that took our key for a frame with a bad magic. */
static bool
conn_v2_refused(const struct conn *c)
{
	return c->v2 != NULL && c->outbound && c->link_up && !v2t_heard(c->v2) &&
	    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0;
}

/* Dial the peer again in v1, holding what the owner queued as v1 frames. */
static void
conn_v2_fall_back(struct conn *c)
{
	char a[NETADDR_STRLEN], err[128];
	const uint8_t *payload;
	size_t cursor = 0;
	uint32_t len;
	uint8_t type;
	struct wbuf w;

	if (c->policy == CONN_TRANSPORT_V2_ONLY) {
		snprintf(c->reason, sizeof(c->reason), "the peer does not speak v2 (v2 required)");
		conn_end(c, CONN_END_CLOSED, MSG_OK);
		return;
	}
	log_debug("net", "%s closed on our v2 handshake: dialling again in v1",
	    netaddr_format(&c->addr, a, sizeof(a)));
	if (c->held == NULL)
		c->held = evbuffer_new();
	wbuf_init(&w);
	while (v2t_held_next(c->v2, &cursor, &type, &payload, &len))
		frame_encode_raw(&w, c->magic, type, payload, len);
	evbuffer_add(c->held, w.data, w.len);
	wbuf_free(&w);
	v2t_free(c->v2);
	c->v2 = NULL;
	c->fell_back = true;
	c->link_up = false;
	bufferevent_free(c->bev);
	c->bev = NULL;
	if (conn_dial_start(c, err, sizeof(err)) == -1) {
		snprintf(c->reason, sizeof(c->reason), "v1 redial: %s", err);
		conn_end(c, CONN_END_REFUSED, MSG_OK);
	}
}

/* The next message from IN in v2, handshake steps done on the way.  A
 * transport error ends C; a v1 peer found on an inbound connection drops
 * v2 (C->v2 is NULL on return) unless v2 is required. */
static enum frame_status
conn_v2_next(struct conn *c, struct evbuffer *in, struct msg *m, struct frame_result *res,
    size_t *wire)
{
	enum frame_status fst = FRAME_NEED_MORE;
	struct v2t_packet pkt;
	enum v2t_status st;
	struct wbuf out;
	const char *why;
	size_t used;

	wbuf_init(&out);
	while ((st = v2t_read(c->v2, in, &out, &pkt, &used)) == V2T_PROGRESS)
		c->stats.bytes_recv += used;
	if (out.len > 0) {
		bufferevent_write(c->bev, out.data, out.len);
		c->stats.bytes_sent += out.len;
	}
	wbuf_free(&out);
	switch (st) {
	case V2T_PACKET:
		fst = frame_decode(pkt.type, pkt.payload, pkt.len, m, res);
		evbuffer_drain(in, used);
		*wire = used;
		break;
	case V2T_V1:
		if (c->policy == CONN_TRANSPORT_V2_ONLY) {
			snprintf(c->reason, sizeof(c->reason), "a v1 peer (v2 required)");
			conn_end(c, CONN_END_CLOSED, MSG_OK);
			break;
		}
		v2t_free(c->v2);
		c->v2 = NULL;
		break;
	case V2T_ERROR:
		res->err = v2t_error(c->v2, &why);
		snprintf(c->reason, sizeof(c->reason), "%s", why);
		conn_end(c, CONN_END_PROTOCOL, res->err);
		break;
	default:
		break;
	}
	return fst;
}

/* The next frame from IN in whichever transport C speaks; *WIRE: the
 * bytes it took on the wire. */
static enum frame_status
conn_next_frame(struct conn *c, struct evbuffer *in, struct msg *m, struct frame_result *res,
    size_t *wire)
{
	enum frame_status st;

	if (c->v2 != NULL) {
		st = conn_v2_next(c, in, m, res, wire);
		if (c->v2 != NULL || c->ended)
			return st;
	}
	st = frame_read_opts(in, c->magic, c->max_payload, c->frame_flags, m, res);
	*wire = FRAME_HEADER_LEN + (size_t)res->hdr.length;
	if (st == FRAME_ERROR && res->err == MSG_ERR_BAD_MAGIC && !c->outbound &&
	    c->stats.bytes_recv == 0 &&
	    memcmp(res->hdr.magic, c->magic, V2T_V1_PREFIX_LEN) != 0) {
		/* No network's magic at all: a v2 initiator, and v2 is off
		 * here.  Close without blame, so that it dials again in v1. */
		snprintf(c->reason, sizeof(c->reason), "a v2 handshake (v2 is off)");
		conn_end(c, CONN_END_CLOSED, MSG_OK);
		return FRAME_NEED_MORE;
	}
	return st;
}

/* The SOCKS5 handshake S failed: whose fault, and why. */
static void
conn_socks_failed(struct conn *c)
{
	const struct socks5 *s = c->socks;
	char why[128];

	socks5_strerror(s, why, sizeof(why));
	snprintf(c->reason, sizeof(c->reason), "SOCKS5 proxy %s: %s", c->proxy->name, why);
	if (s->error == SOCKS5_ERR_REPLY) {
		/* The proxy works; the peer is what it could not reach. */
		conn_proxy_ok(c->proxy);
		conn_end(c, s->reply == SOCKS5_REP_TTL_EXPIRED || s->reply == 0xf7 ?
		    CONN_END_TIMEOUT : CONN_END_REFUSED, MSG_OK);
		return;
	}
	if (s->error != SOCKS5_ERR_PROTOCOL || !s->requested) {
		/* Not SOCKS5, or it refuses our credentials: every dial
		 * would fail the same way. */
		c->proxy_fault = true;
		conn_proxy_failed(c->proxy, why);
	}
	conn_end(c, CONN_END_REFUSED, MSG_OK);
}

/* Run the proxy's bytes through the handshake.  Returns true when frames
 * may follow (the handshake is done and C still open). */
static bool
conn_socks_read(struct conn *c, struct evbuffer *in)
{
	enum socks5_status st = SOCKS5_MORE;
	struct wbuf out;
	size_t len, used;

	wbuf_init(&out);
	while ((len = evbuffer_get_length(in)) > 0) {
		/* Never more than one message's worth at a time. */
		size_t n = len < SOCKS5_MAX_MSG ? len : SOCKS5_MAX_MSG;
		const uint8_t *p = evbuffer_pullup(in, (ev_ssize_t)n);

		st = socks5_input(c->socks, p, n, &used, &out);
		evbuffer_drain(in, used);
		if (st != SOCKS5_MORE)
			break;
	}
	if (c->socks->greeted && st != SOCKS5_FAILED)
		conn_proxy_ok(c->proxy);
	if (out.len > 0 && st != SOCKS5_FAILED)
		bufferevent_write(c->bev, out.data, out.len);
	wbuf_free(&out);
	if (st == SOCKS5_FAILED) {
		conn_socks_failed(c);
		return false;
	}
	if (st == SOCKS5_DONE) {
		conn_proxy_done(c);
		return !c->closing && !c->ended;
	}
	return false;
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct frame_result res;
	struct msg m;
	size_t budget = CONN_READ_BUDGET, wire;

	if (c->socks != NULL && !conn_socks_read(c, in))
		return;
	while (!c->closing && !c->ended) {
		enum frame_status st;

		if (budget == 0) {
			/* More may wait in IN: come back after the loop's turn. */
			event_active(c->more, EV_TIMEOUT, 0);
			break;
		}
		st = conn_next_frame(c, in, &m, &res, &wire);
		if (st == FRAME_NEED_MORE)
			break;
		budget -= wire > budget ? budget : wire;
		if (st == FRAME_ERROR && (c->cb->bad_frame == NULL ||
		    res.err == MSG_ERR_BAD_MAGIC || res.err == MSG_ERR_OVERSIZED)) {
			conn_end(c, CONN_END_PROTOCOL, res.err);
			break;
		}
		c->stats.bytes_recv += wire;
		if (st == FRAME_ERROR) {
			c->cb->bad_frame(c, res.err, res.hdr.type, c->arg);
			continue;
		}
		if (st == FRAME_SKIPPED) {
			c->stats.unknown_recv++;
			if (c->cb->unknown != NULL)
				c->cb->unknown(c, res.hdr.type, res.hdr.length, c->arg);
			continue;
		}
		c->stats.msgs_recv[m.type]++;
		if (res.checksum_deferred) {
			m.checksum_deferred = true;
			memcpy(m.checksum, res.hdr.checksum, 4);
		}
		c->cb->message(c, &m, c->arg);
		msg_free(&m);
	}
}

/* Socket events while the proxy's handshake runs. */
static void
conn_socks_event(struct conn *c, short what)
{
	struct wbuf out;
	int e;

	if (what & BEV_EVENT_CONNECTED) {
		c->tcp_up = true;
		conn_nodelay(c->bev);
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
		wbuf_init(&out);
		socks5_start(c->socks, &out);
		bufferevent_write(c->bev, out.data, out.len);
		wbuf_free(&out);
		return;
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	e = (what & BEV_EVENT_ERROR) ? EVUTIL_SOCKET_ERROR() : 0;
	if (!c->tcp_up || !c->socks->greeted) {
		char why[96];

		if (!c->tcp_up)
			snprintf(why, sizeof(why), "unreachable: %s", e != 0 ? strerror(e) : "closed");
		else
			snprintf(why, sizeof(why), "closed the connection before answering our greeting");
		c->proxy_fault = true;
		snprintf(c->reason, sizeof(c->reason), "SOCKS5 proxy %s %s", c->proxy->name, why);
		conn_proxy_failed(c->proxy, why);
	} else {
		snprintf(c->reason, sizeof(c->reason), "SOCKS5 proxy %s closed the connection %s",
		    c->proxy->name, c->socks->requested ? "before its CONNECT reply" :
		    "during authentication");
	}
	conn_end(c, CONN_END_REFUSED, MSG_OK);
}

static void
conn_more_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (!c->closing && !c->ended)
		conn_read_cb(c->bev, c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	/* Not for the proxy's handshake: the owner's frames are held then. */
	if (!c->closing && !c->ended && c->socks == NULL && c->cb->drained != NULL)
		c->cb->drained(c, c->arg);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (c->socks != NULL) {
		conn_socks_event(c, what);
		return;
	}
	if (what & BEV_EVENT_CONNECTED) {
		conn_nodelay(bev);
		bufferevent_set_timeouts(bev, NULL, NULL);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
		conn_link_up(c);
		return;
	}
	if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) && conn_v2_refused(c)) {
		conn_v2_fall_back(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		conn_end(c, CONN_END_TIMEOUT, MSG_OK);
	else if (what & BEV_EVENT_EOF)
		conn_end(c, CONN_END_CLOSED, MSG_OK);
	else if (what & BEV_EVENT_ERROR) {
		/* An error before CONNECTED is a refused or unreachable dial. */
		int e = EVUTIL_SOCKET_ERROR();
		conn_end(c, (e == ECONNREFUSED || e == ENETUNREACH || e == EHOSTUNREACH) &&
		    c->stats.bytes_recv == 0 && c->stats.bytes_sent == 0 ?
		    CONN_END_REFUSED : CONN_END_IO, MSG_OK);
	}
}

int
conn_send(struct conn *c, const struct msg *m)
{
	struct evbuffer *out = !c->link_up && c->held != NULL ? c->held :
	    bufferevent_get_output(c->bev);
	struct wbuf w;

	if (c->closing || c->ended)
		return -1;
	if (conn_sendq(c) > CONN_MAX_SENDBUF) {
		conn_end(c, CONN_END_SENDBUF, MSG_OK);
		return -1;
	}
	wbuf_init(&w);
	if (c->v2 != NULL) {
		/* Held inside v2t until the key exchange is done. */
		v2t_packet_begin(&w, (uint8_t)m->type);
		msg_encode(m, &w);
		if (v2t_seal(c->v2, &w))
			evbuffer_add(out, w.data, w.len);
		else
			w.len += V2T_TAG_LEN;
	} else {
		frame_encode(&w, c->magic, m);
		evbuffer_add(out, w.data, w.len);
	}
	c->stats.bytes_sent += w.len;
	if ((unsigned)m->type < MSG_TYPE_COUNT)
		c->stats.msgs_sent[m->type]++;
	wbuf_free(&w);
	return 0;
}

static void
conn_flushed_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	event_del(c->reap);
	conn_schedule_reap(c, 0);
}

void
conn_close(struct conn *c, bool flush)
{
	if (c->closing)
		return;
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	if (c->deadline != NULL)
		event_del(c->deadline);
	/* Mid-handshake there is nothing of ours to flush yet. */
	if (flush && !c->ended && c->socks == NULL && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
		/* Let the last message (e.g. a final addr) leave, but never
		 * wait on a peer that does not read. */
		bufferevent_setcb(c->bev, NULL, conn_flushed_cb, NULL, c);
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
		conn_schedule_reap(c, CONN_FLUSH_MS);
		return;
	}
	bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	bufferevent_disable(c->bev, EV_WRITE);
	conn_schedule_reap(c, 0);
}

void
conn_set_max_payload(struct conn *c, uint32_t max)
{
	c->max_payload = max < MSG_MAX_PAYLOAD ? max : MSG_MAX_PAYLOAD;
	if (c->v2 != NULL)
		v2t_set_max_payload(c->v2, c->max_payload);
	/* Never buffer more than one maximal frame (or v2 packet, a few
	 * bytes longer) from a peer. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, V2T_WIRE_LEN(c->max_payload));
}

void
conn_defer_block_checksum(struct conn *c)
{
	c->frame_flags |= FRAME_DEFER_BLOCK_CHECKSUM;
}

void
conn_set_arg(struct conn *c, void *arg)
{
	c->arg = arg;
}

bool
conn_is_closing(const struct conn *c)
{
	return c->closing || c->ended;
}

const struct netaddr *
conn_addr(const struct conn *c)
{
	return &c->addr;
}

int
conn_local_addr(const struct conn *c, struct netaddr *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	return netaddr_from_sockaddr(out, (struct sockaddr *)&ss);
}

const struct conn_stats *
conn_stats(const struct conn *c)
{
	return &c->stats;
}

size_t
conn_sendq(const struct conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev)) +
	    (c->held != NULL ? evbuffer_get_length(c->held) : 0) +
	    (c->v2 != NULL ? v2t_held_len(c->v2) : 0);
}

const char *
conn_end_reason(const struct conn *c)
{
	return c->reason[0] != '\0' ? c->reason : NULL;
}

bool
conn_proxy_fault(const struct conn *c)
{
	return c->proxy_fault;
}
