/* conn.c -- one framed P2P TCP connection on a libevent bufferevent.
 *
 * This is the only place that turns bytes on a socket into messages, for
 * the node, the crawler and the test peers alike.  It knows nothing of the
 * handshake or of reputation: it frames, counts and reports.  Closing is
 * always deferred to a fresh loop iteration (redis freeClientAsync) so an
 * owner can close a connection from inside its own callback. */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "frame.h"
#include "xmalloc.h"

struct conn {
	struct event_base	*base;
	struct bufferevent	*bev;
	struct netaddr		 addr;
	const uint8_t		*magic;
	const struct conn_cb	*cb;
	void			*arg;
	struct conn_stats	 stats;
	uint32_t		 max_payload;
	struct event		*reap;
	bool			 closing;
	bool			 ended;	/* ended() already delivered */
};

/* How long a flushing close may wait for the peer to take our data. */
#define CONN_FLUSH_MS 2000

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);

static void
conn_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	bufferevent_free(c->bev);
	event_free(c->reap);
	free(c);
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
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->cb->ended != NULL)
		c->cb->ended(c, why, err, c->arg);
}

static struct conn *
conn_new(struct event_base *base, struct bufferevent *bev, const struct netaddr *addr,
    const uint8_t *magic, const struct conn_cb *cb, void *arg)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->base = base;
	c->bev = bev;
	c->addr = *addr;
	c->magic = magic;
	c->cb = cb;
	c->arg = arg;
	c->reap = evtimer_new(base, conn_reap_cb, c);
	conn_set_max_payload(c, MSG_MAX_PAYLOAD);
	bufferevent_setwatermark(bev, EV_WRITE, CONN_DRAIN_LOW, 0);
	bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	return c;
}

/* A non-blocking socket of ADDR's family bound to BIND_IP, port 0. */
static evutil_socket_t
conn_bound_socket(const struct netaddr *addr, const struct netaddr *bind_ip,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct netaddr local = *bind_ip;
	socklen_t len;
	evutil_socket_t fd;

	if (netaddr_is_ipv4(addr) != netaddr_is_ipv4(bind_ip)) {
		snprintf(err, errlen, "cannot dial an %s address from an %s one",
		    netaddr_is_ipv4(addr) ? "IPv4" : "IPv6", netaddr_is_ipv4(bind_ip) ? "IPv4" : "IPv6");
		return -1;
	}
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

struct conn *
conn_connect(struct event_base *base, const struct netaddr *addr,
    const struct netaddr *bind_ip, const uint8_t *magic, int connect_timeout_ms,
    const struct conn_cb *cb, void *arg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = netaddr_to_sockaddr(addr, &ss);
	struct bufferevent *bev;
	struct timeval tv = { connect_timeout_ms / 1000, (connect_timeout_ms % 1000) * 1000 };
	struct conn *c;
	evutil_socket_t fd = -1;

	if (bind_ip != NULL) {
		if ((fd = conn_bound_socket(addr, bind_ip, err, errlen)) == -1)
			return NULL;
	}
	bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		snprintf(err, errlen, "cannot create socket: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	c = conn_new(base, bev, addr, magic, cb, arg);
	/* The write timeout bounds the connect; cleared once connected. */
	bufferevent_set_timeouts(bev, NULL, &tv);
	if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, (int)sslen) == -1) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		bufferevent_free(bev);
		event_free(c->reap);
		free(c);
		return NULL;
	}
	return c;
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
	c = conn_new(base, bev, addr, magic, cb, arg);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	return c;
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct frame_result res;
	struct msg m;

	while (!c->closing && !c->ended) {
		enum frame_status st = frame_read_max(in, c->magic, c->max_payload, &m, &res);

		if (st == FRAME_NEED_MORE)
			break;
		if (st == FRAME_ERROR && (c->cb->bad_frame == NULL ||
		    res.err == MSG_ERR_BAD_MAGIC || res.err == MSG_ERR_OVERSIZED)) {
			conn_end(c, CONN_END_PROTOCOL, res.err);
			break;
		}
		c->stats.bytes_recv += FRAME_HEADER_LEN + (uint64_t)res.hdr.length;
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
		c->cb->message(c, &m, c->arg);
		msg_free(&m);
	}
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (!c->closing && !c->ended && c->cb->drained != NULL)
		c->cb->drained(c, c->arg);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		bufferevent_set_timeouts(bev, NULL, NULL);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
		if (c->cb->connected != NULL)
			c->cb->connected(c, c->arg);
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
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct wbuf w;

	if (c->closing || c->ended)
		return -1;
	if (evbuffer_get_length(out) > CONN_MAX_SENDBUF) {
		conn_end(c, CONN_END_SENDBUF, MSG_OK);
		return -1;
	}
	wbuf_init(&w);
	frame_encode(&w, c->magic, m);
	evbuffer_add(out, w.data, w.len);
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
	if (flush && !c->ended && evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
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
	/* Never buffer more than one maximal frame from a peer. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, FRAME_HEADER_LEN + c->max_payload);
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
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}
