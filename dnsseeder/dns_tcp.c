/* dns_tcp.c -- DNS over TCP (RFC 7766): the connection table, its limits and deadlines.
 *
 * Connections are bufferevents with 2-byte framing, pipelining, a bound
 * on the query size and back-pressure when a client does not read its
 * replies.  Each connection is in one of two lists, both ordered by the
 * time it entered them (or last made progress there):
 *
 *   idle   nothing buffered either way: waiting for the next query;
 *   busy   part of a query has arrived, or replies wait to be read.
 *
 * Progress (a whole query answered, every reply read) moves a connection
 * to the tail of its list with a fresh start time; bytes that trickle in
 * do not.  So each list's head has the earliest deadline, and one timer
 * armed for the earlier of the two heads enforces every timeout, however
 * the shrinking timeouts move as the table fills.  The idle list is also
 * the eviction order: its head has waited longest for nothing.
 *
 * Sources are counted in a common/map keyed by address (an IPv4 address
 * or an IPv6 /64); entries live only while the source has connections,
 * so the map is bounded by the table. */
#include "dns_tcp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "clock.h"
#include "dns_answer.h"
#include "log.h"
#include "map.h"
#include "proc.h"
#include "strutil.h"
#include "xmalloc.h"

#define TCP_BACKLOG		256
#define TCP_QUERY_MS_DEFAULT	3000
/* Out of descriptors: how long accepting pauses unless a connection
 * closes first. */
#define TCP_STARVED_MS		1000
/* A family tag and 16 bytes of address (IPv6: the /64, rest zero). */
#define TCP_SOURCE_KEYLEN	17

enum tcp_state {
	TCP_IDLE = 0,
	TCP_BUSY,
	TCP_DEAD,		/* closed, freed by the reaper */
};

struct tcp_source;

struct tcp_conn {
	struct dns_tcp		*t;
	struct bufferevent	*bev;
	struct tcp_source	*src;
	enum tcp_state		 state;
	int64_t			 since_ms;	/* entered STATE, or last progress */
	bool			 paused;	/* reading stopped: replies unread */
	bool			 closing;	/* EOF seen: flush, then close */
	TAILQ_ENTRY(tcp_conn)	 entry;		/* the list of its state */
	TAILQ_ENTRY(tcp_conn)	 src_entry;	/* its source's, oldest first */
};
TAILQ_HEAD(tcp_list, tcp_conn);

struct tcp_source {
	uint8_t			 key[TCP_SOURCE_KEYLEN];
	unsigned		 n;
	struct tcp_list		 conns;
};

struct dns_tcp {
	struct event_base	*base;
	dnsa_handler_fn		 fn;
	void			*arg;
	struct dns_stats	*stats;
	struct dns_tcp_config	 cfg;

	struct evconnlistener	**listen;
	size_t			 nlisten;
	bool			 accept_paused;
	bool			 starved;	/* out of descriptors */
	struct event		*starved_timer;

	struct tcp_list		 list[3];	/* by enum tcp_state */
	size_t			 nconns;
	struct map		*sources;
	struct event		*reaper;
	struct event		*timer;
	bool			 armed;
	int64_t			 armed_ms;	/* when TIMER fires */
	bool			 freeing;

	uint8_t			 in[DNS_TCP_MAXQUERY];
	uint8_t			 out[2 + DNSA_OUT_MIN];
};

static void tcp_arm(struct dns_tcp *t);

/* --- limits and deadlines --------------------------------------------- */

/* BASE_MS scaled to the table's fill: whole up to half full, then down
 * in a straight line to the floor at full. */
static int64_t
tcp_timeout(const struct dns_tcp *t, int64_t base_ms)
{
	int64_t cap = t->cfg.clients, half = cap / 2, n = (int64_t)t->nconns;
	int64_t lo = base_ms < t->cfg.floor_ms ? base_ms : t->cfg.floor_ms;

	if (n <= half)
		return base_ms;
	if (n >= cap)
		return lo;
	return lo + (base_ms - lo) * (cap - n) / (cap - half);
}

static int64_t
tcp_deadline(const struct tcp_conn *c)
{
	const struct dns_tcp *t = c->t;

	return c->since_ms + tcp_timeout(t, c->state == TCP_IDLE ? t->cfg.idle_ms :
	    t->cfg.query_ms);
}

/* Accept while there is room or something idle to make room with, and
 * descriptors to accept into. */
static void
tcp_accept_update(struct dns_tcp *t)
{
	bool want = !t->starved &&
	    (t->nconns < t->cfg.clients || !TAILQ_EMPTY(&t->list[TCP_IDLE]));

	if (t->freeing || want == !t->accept_paused)
		return;
	for (size_t i = 0; i < t->nlisten; i++) {
		if (want)
			evconnlistener_enable(t->listen[i]);
		else
			evconnlistener_disable(t->listen[i]);
	}
	t->accept_paused = !want;
	if (!want && !t->starved)
		t->stats->tcp_full++;
	log_debug("dns", "tcp: %s accepting (%zu connections%s)", want ? "resumed" : "paused",
	    t->nconns, t->starved ? ", out of descriptors" : want ? "" : ", all busy");
}

static void
source_key(const struct sockaddr *sa, uint8_t key[TCP_SOURCE_KEYLEN])
{
	memset(key, 0, TCP_SOURCE_KEYLEN);
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			key[0] = 4;
			memcpy(key + 1, a->s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a->s6_addr, 8);
		}
	}
}

static void
source_remove(struct tcp_conn *c)
{
	struct tcp_source *src = c->src;

	TAILQ_REMOVE(&src->conns, c, src_entry);
	c->src = NULL;
	if (--src->n == 0) {
		map_remove(c->t->sources, src->key, sizeof(src->key));
		free(src);
	}
}

/* --- connections ------------------------------------------------------ */

/* Freed by the reaper, never inside the connection's own callback. */
static void
tcp_close(struct tcp_conn *c)
{
	struct dns_tcp *t = c->t;

	if (c->state == TCP_DEAD)
		return;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	TAILQ_REMOVE(&t->list[c->state], c, entry);
	source_remove(c);
	c->state = TCP_DEAD;
	TAILQ_INSERT_TAIL(&t->list[TCP_DEAD], c, entry);
	t->nconns--;
	event_active(t->reaper, EV_TIMEOUT, 0);
	t->starved = false;		/* its descriptor is about to be free */
	tcp_accept_update(t);
}

static void
reaper_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_tcp *t = arg;
	struct tcp_conn *c;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&t->list[TCP_DEAD])) != NULL) {
		TAILQ_REMOVE(&t->list[TCP_DEAD], c, entry);
		bufferevent_free(c->bev);
		free(c);
	}
}

/* Put C in the list its buffers call for.  PROGRESS (a query answered,
 * the replies read) restarts its clock even when the state stays. */
static void
tcp_settle(struct tcp_conn *c, bool progress)
{
	struct dns_tcp *t = c->t;
	enum tcp_state st;

	if (c->state == TCP_DEAD)
		return;
	st = c->closing || evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) > 0 ? TCP_BUSY : TCP_IDLE;
	if (st == c->state && !progress)
		return;
	TAILQ_REMOVE(&t->list[c->state], c, entry);
	TAILQ_INSERT_TAIL(&t->list[st], c, entry);
	c->since_ms = clock_mono_ms();
	if (st != c->state) {
		c->state = st;
		tcp_accept_update(t);
	}
	tcp_arm(t);
}

/* Close every connection whose deadline has passed, oldest first. */
static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_tcp *t = arg;
	int64_t now = clock_mono_ms();

	(void)fd;
	(void)what;
	t->armed = false;
	for (;;) {
		struct tcp_conn *i = TAILQ_FIRST(&t->list[TCP_IDLE]);
		struct tcp_conn *b = TAILQ_FIRST(&t->list[TCP_BUSY]);
		struct tcp_conn *c = i == NULL ? b : b == NULL ? i :
		    tcp_deadline(i) <= tcp_deadline(b) ? i : b;

		if (c == NULL || tcp_deadline(c) > now)
			break;
		t->stats->tcp_timeouts++;
		tcp_close(c);
	}
	tcp_arm(t);
}

/* Make the timer fire by the earliest deadline.  Deadlines that move
 * later (progress, a table emptying) leave it early: it then re-arms. */
static void
tcp_arm(struct dns_tcp *t)
{
	int64_t first = INT64_MAX;

	for (int st = TCP_IDLE; st <= TCP_BUSY; st++) {
		struct tcp_conn *c = TAILQ_FIRST(&t->list[st]);

		if (c != NULL && tcp_deadline(c) < first)
			first = tcp_deadline(c);
	}
	if (first == INT64_MAX || (t->armed && t->armed_ms <= first))
		return;
	proc_timer_at(t->timer, first);
	t->armed = true;
	t->armed_ms = first;
}

/* Answer every complete query in the input, until replies pile up.
 * Returns true when at least one was answered. */
static bool
tcp_process(struct tcp_conn *c)
{
	struct dns_tcp *t = c->t;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	bool progress = false;

	while (!c->closing) {
		uint8_t hdr[2];
		size_t qlen, rlen;

		if (evbuffer_get_length(out) >= DNS_TCP_OUTQ) {
			bufferevent_disable(c->bev, EV_READ);
			c->paused = true;
			break;
		}
		if (evbuffer_copyout(in, hdr, 2) != 2)
			break;
		qlen = ((size_t)hdr[0] << 8) | hdr[1];
		if (qlen < DNS_HEADER_LEN || qlen > DNS_TCP_MAXQUERY) {
			/* Not a query we could answer; the stream cannot be
			 * resynchronised either. */
			t->stats->dropped++;
			tcp_close(c);
			return progress;
		}
		if (evbuffer_get_length(in) < 2 + qlen)
			break;
		evbuffer_drain(in, 2);
		evbuffer_remove(in, t->in, qlen);
		progress = true;
		rlen = t->fn(t->arg, t->in, qlen, DNSA_TCP, t->out + 2, DNSA_OUT_MIN);
		if (rlen == 0)
			continue;
		t->out[0] = (uint8_t)(rlen >> 8);
		t->out[1] = (uint8_t)rlen;
		evbuffer_add(out, t->out, rlen + 2);
	}
	return progress;
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;

	(void)bev;
	tcp_settle(c, tcp_process(c));
}

/* The output drained (low watermark 0): the client read every reply. */
static void
tcp_write_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_conn *c = arg;
	bool answered = false;

	if (c->closing) {
		tcp_close(c);
		return;
	}
	if (c->paused) {
		c->paused = false;
		bufferevent_enable(bev, EV_READ);
		answered = tcp_process(c);
	}
	/* Reading the replies is progress, unless a query is half in. */
	tcp_settle(c, answered || evbuffer_get_length(bufferevent_get_input(bev)) == 0);
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_conn *c = arg;

	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		/* Half-closed after its last query: flush the replies. */
		c->closing = true;
		bufferevent_disable(bev, EV_READ);
		tcp_settle(c, false);
		return;
	}
	tcp_close(c);
}

/* The connection to close so that SRC may open another: its oldest idle
 * one, else its oldest. */
static struct tcp_conn *
source_victim(struct tcp_source *src)
{
	struct tcp_conn *c;

	TAILQ_FOREACH(c, &src->conns, src_entry)
		if (c->state == TCP_IDLE)
			return c;
	return TAILQ_FIRST(&src->conns);
}

static void
tcp_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct dns_tcp *t = arg;
	uint8_t key[TCP_SOURCE_KEYLEN];
	struct tcp_source *src;
	struct tcp_conn *c;

	(void)l;
	(void)salen;
	source_key(sa, key);
	if ((src = map_get(t->sources, key, sizeof(key))) != NULL &&
	    src->n >= t->cfg.per_source) {
		t->stats->tcp_evicted++;
		tcp_close(source_victim(src));
	}
	if (t->nconns >= t->cfg.clients) {
		if ((c = TAILQ_FIRST(&t->list[TCP_IDLE])) == NULL) {
			/* Only when several accepts came in one callback:
			 * accepting pauses as soon as all are busy. */
			t->stats->tcp_refused++;
			evutil_closesocket(fd);
			tcp_accept_update(t);
			return;
		}
		t->stats->tcp_evicted++;
		tcp_close(c);
	}
	c = xcalloc(1, sizeof(*c));
	c->t = t;
	c->bev = bufferevent_socket_new(t->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		free(c);
		return;
	}
	if ((src = map_get(t->sources, key, sizeof(key))) == NULL) {
		src = xcalloc(1, sizeof(*src));
		memcpy(src->key, key, sizeof(key));
		TAILQ_INIT(&src->conns);
		map_put(t->sources, key, sizeof(key), src);
	}
	c->src = src;
	src->n++;
	TAILQ_INSERT_TAIL(&src->conns, c, src_entry);
	c->state = TCP_IDLE;
	c->since_ms = clock_mono_ms();
	TAILQ_INSERT_TAIL(&t->list[TCP_IDLE], c, entry);
	t->nconns++;
	t->stats->tcp_accepted++;
	bufferevent_setcb(c->bev, tcp_read_cb, tcp_write_cb, tcp_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	tcp_accept_update(t);
	tcp_arm(t);
}

static void
starved_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_tcp *t = arg;

	(void)fd;
	(void)what;
	t->starved = false;
	tcp_accept_update(t);
}

/* An accept failed.  The connection stays in the kernel's queue, so the
 * listener would be called again at once, forever: out of descriptors
 * (or memory), pause accepting until a connection closes or a second
 * passes, and say so once per pause. */
static void
tcp_error_cb(struct evconnlistener *l, void *arg)
{
	struct dns_tcp *t = arg;
	int e = errno;
	struct timeval tv = { TCP_STARVED_MS / 1000, (TCP_STARVED_MS % 1000) * 1000 };

	(void)l;
	t->stats->tcp_accept_errors++;
	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM) {
		log_debug("dns", "accept: %s", strerror(e));
		return;
	}
	if (!t->starved)
		log_warn("dns", "accept: %s; pausing TCP accepts (%zu connections open)",
		    strerror(e), t->nconns);
	t->starved = true;
	tcp_accept_update(t);
	evtimer_add(t->starved_timer, &tv);
}

/* --- life cycle --------------------------------------------------------- */

struct dns_tcp *
dns_tcp_new(struct event_base *base, const struct dns_tcp_config *cfg, dnsa_handler_fn fn,
    void *arg, struct dns_stats *stats)
{
	struct dns_tcp *t = xcalloc(1, sizeof(*t));

	t->base = base;
	t->fn = fn;
	t->arg = arg;
	t->stats = stats;
	t->cfg = *cfg;
	if (t->cfg.clients == 0)
		t->cfg.clients = 1;
	if (t->cfg.per_source == 0 || t->cfg.per_source > t->cfg.clients)
		t->cfg.per_source = t->cfg.clients;
	if (t->cfg.idle_ms == 0)
		t->cfg.idle_ms = 1;
	if (t->cfg.query_ms == 0)
		t->cfg.query_ms = t->cfg.idle_ms < TCP_QUERY_MS_DEFAULT ? t->cfg.idle_ms :
		    TCP_QUERY_MS_DEFAULT;
	if (t->cfg.floor_ms == 0)
		t->cfg.floor_ms = DNS_TCP_FLOOR_MS;
	for (int i = 0; i < 3; i++)
		TAILQ_INIT(&t->list[i]);
	t->sources = map_new();
	t->reaper = event_new(base, -1, 0, reaper_cb, t);
	t->timer = evtimer_new(base, timer_cb, t);
	t->starved_timer = evtimer_new(base, starved_cb, t);
	return t;
}

int
dns_tcp_listen(struct dns_tcp *t, int fd, const char *name, char *err, size_t errlen)
{
	struct evconnlistener *l;

	l = evconnlistener_new(t->base, tcp_accept_cb, t,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, TCP_BACKLOG, fd);
	if (l == NULL) {
		str_errf(err, errlen, "%s/tcp: listen: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(l, tcp_error_cb);
	if (t->accept_paused)
		evconnlistener_disable(l);
	t->listen = xreallocarray(t->listen, t->nlisten + 1, sizeof(*t->listen));
	t->listen[t->nlisten++] = l;
	return 0;
}

void
dns_tcp_free(struct dns_tcp *t)
{
	struct tcp_conn *c;

	if (t == NULL)
		return;
	t->freeing = true;
	for (int st = TCP_IDLE; st <= TCP_BUSY; st++)
		while ((c = TAILQ_FIRST(&t->list[st])) != NULL)
			tcp_close(c);
	reaper_cb(-1, 0, t);
	for (size_t i = 0; i < t->nlisten; i++)
		evconnlistener_free(t->listen[i]);
	free(t->listen);
	event_free(t->reaper);
	event_free(t->timer);
	event_free(t->starved_timer);
	map_free(t->sources);
	free(t);
}

size_t
dns_tcp_clients(const struct dns_tcp *t)
{
	return t->nconns;
}
