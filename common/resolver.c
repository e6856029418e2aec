/* resolver.c -- asynchronous A/AAAA look-ups: c-ares driven by libevent.
 *
 * c-ares owns the DNS protocol; this file only plugs its sockets and its
 * timeouts into our one event_base.  c-ares tells us through the socket
 * state callback which descriptors it wants watched for reading or
 * writing, and ares_timeout() says when it next needs to be woken to expire
 * queries, so nothing here ever blocks or polls.
 *
 * Re-entrancy is the delicate part.  User callbacks run from inside
 * ares_process_fd(), and a callback may start a look-up or free the
 * resolver.  Destroying a channel from inside its own ares_process_fd() is a
 * use-after-free in c-ares, so resolver_free() only marks the resolver
 * dying while we are inside c-ares (depth > 0) and the outermost frame
 * finishes the job.  Conversely c-ares answers some look-ups (numeric names,
 * /etc/hosts) synchronously from inside ares_getaddrinfo(); those results
 * are parked and delivered from the loop, so resolver_lookup() never calls
 * the user back before it has returned. */
#include "resolver.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <event2/event.h>

#include "log.h"
#include "xmalloc.h"

/* RFC 1035: 253 characters without the trailing dot, labels up to 63. */
#define RESOLVER_NAMEMAX	253
#define RESOLVER_LABELMAX	63

/* One descriptor c-ares asked us to watch. */
struct resolver_watch {
	LIST_ENTRY(resolver_watch) entry;
	struct resolver		*r;
	ares_socket_t		 fd;
	short			 what;		/* EV_READ and/or EV_WRITE */
	struct event		*ev;
};

/* One look-up from resolver_lookup until its callback has run. */
struct resolver_query {
	TAILQ_ENTRY(resolver_query) entry;
	struct resolver		*r;
	char			*name;
	uint16_t		 port;
	resolver_cb		 cb;
	void			*arg;
	struct netaddr		*addrs;		/* owned; NULL on error */
	size_t			 naddrs;
	const char		*error;		/* static string or NULL */
	struct event		*deliver;	/* deferred delivery, if any */
};

struct resolver {
	struct event_base	*base;
	ares_channel		 channel;
	struct event		*timer;		/* drives ares_timeout() */
	LIST_HEAD(, resolver_watch) watches;
	TAILQ_HEAD(, resolver_query) queries;
	size_t			 npending;
	bool			 has_server;
	struct ares_addr_port_node server;
	int			 timeout_ms;
	int			 tries;
	unsigned int		 depth;		/* frames inside c-ares or a callback */
	bool			 dying;		/* resolver_free called */
	struct resolver_query	*starting;	/* inside ares_getaddrinfo for it */
};

static void	resolver_sock_state(void *, ares_socket_t, int, int);
static void	resolver_query_free(struct resolver_query *);

/* event_new fails only without memory; treat it like xmalloc does. */
static struct event *
resolver_event_new(struct event_base *base, evutil_socket_t fd, short what,
    event_callback_fn cb, void *arg)
{
	struct event *ev;

	ev = event_new(base, fd, what, cb, arg);
	if (ev == NULL) {
		fprintf(stderr, "fatal: resolver: event_new failed\n");
		abort();
	}
	return ev;
}

static const char *
resolver_strerror(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
		return "no such name";
	case ARES_ENODATA:
		return "no A or AAAA records";
	case ARES_ETIMEOUT:
		return "timed out";
	case ARES_ESERVFAIL:
		return "server failure";
	case ARES_EREFUSED:
		return "query refused by server";
	case ARES_ECONNREFUSED:
		/* c-ares' verdict when every server answered SERVFAIL,
		 * REFUSED or NOTIMP, or could not be reached at all. */
		return "server failure or unreachable";
	case ARES_EBADNAME:
		return "malformed name";
	case ARES_EBADRESP:
		return "malformed response";
	default:
		return ares_strerror(status);
	}
}

/*
 * Names.
 */

static bool
resolver_is_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* A host name (letters, digits, '-', '_', dot-separated labels, optional
 * trailing dot), or a numeric IPv6 address which c-ares answers itself.
 * Numeric IPv4 addresses pass as host names. */
static bool
resolver_valid_name(const char *name)
{
	struct in6_addr a6;
	size_t len, i, label = 0;

	if (name == NULL)
		return false;
	len = strnlen(name, RESOLVER_NAMEMAX + 2);
	if (len == 0 || len > RESOLVER_NAMEMAX + 1)
		return false;
	if (inet_pton(AF_INET6, name, &a6) == 1)
		return true;
	if (name[len - 1] == '.')
		len--;
	if (len == 0 || len > RESOLVER_NAMEMAX)
		return false;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!resolver_is_namechar(name[i]) ||
		    ++label > RESOLVER_LABELMAX)
			return false;
	}
	return label > 0;
}

/*
 * Sockets and the timer.
 */

static void
resolver_watch_free(struct resolver_watch *w)
{
	LIST_REMOVE(w, entry);
	event_free(w->ev);
	free(w);
}

static void
resolver_rearm(struct resolver *r)
{
	struct timeval tv, *tvp;

	if (r->channel == NULL)
		return;
	tvp = ares_timeout(r->channel, NULL, &tv);
	if (tvp == NULL)
		evtimer_del(r->timer);
	else
		evtimer_add(r->timer, tvp);
}

static void
resolver_destroy(struct resolver *r)
{
	struct resolver_query *q;
	struct resolver_watch *w;

	/* ares_destroy ends every query with ARES_EDESTRUCTION; with dying
	 * set, resolver_gai_cb frees those without calling the user. */
	r->dying = true;
	r->depth++;
	if (r->channel != NULL)
		ares_destroy(r->channel);
	r->channel = NULL;
	while ((q = TAILQ_FIRST(&r->queries)) != NULL)
		resolver_query_free(q);	/* parked, never handed to c-ares */
	/* c-ares reports every socket closed before closing it; anything
	 * left would be a c-ares bug, but never leave a dangling event. */
	while ((w = LIST_FIRST(&r->watches)) != NULL)
		resolver_watch_free(w);
	event_free(r->timer);
	free(r);
	ares_library_cleanup();
}

/* Finish a resolver_free that was deferred because we were inside c-ares
 * or a callback.  Returns true if R is gone. */
static bool
resolver_settle(struct resolver *r)
{
	if (r->dying && r->depth == 0) {
		resolver_destroy(r);
		return true;
	}
	return false;
}

static void
resolver_process(struct resolver *r, ares_socket_t rfd, ares_socket_t wfd)
{
	r->depth++;
	ares_process_fd(r->channel, rfd, wfd);
	r->depth--;
	if (!resolver_settle(r))
		resolver_rearm(r);
}

static void
resolver_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver_watch *w = arg;
	struct resolver *r = w->r;

	/* W may be freed inside ares_process_fd (socket closed); only R and
	 * FD are used from here on. */
	resolver_process(r, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
}

static void
resolver_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	resolver_process(arg, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* c-ares opened, closed, or changed its interest in a socket.  It calls
 * this with (0, 0) before it closes FD, so the event is always gone before
 * the descriptor number can be reused. */
static void
resolver_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolver *r = data;
	struct resolver_watch *w;
	short what;

	what = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);
	LIST_FOREACH(w, &r->watches, entry) {
		if (w->fd == fd)
			break;
	}
	if (what == 0) {
		if (w != NULL)
			resolver_watch_free(w);
		return;
	}
	if (w != NULL && w->what == what)
		return;
	if (w == NULL) {
		w = xcalloc(1, sizeof *w);
		w->r = r;
		w->fd = fd;
		LIST_INSERT_HEAD(&r->watches, w, entry);
	} else
		event_free(w->ev);
	w->what = what;
	w->ev = resolver_event_new(r->base, fd, what | EV_PERSIST,
	    resolver_sock_cb, w);
	event_add(w->ev, NULL);
}

/*
 * Channels.
 */

static int
resolver_channel_new(struct resolver *r, ares_channel *out, char *err,
    size_t errlen)
{
	struct ares_options o;
	char lookups[] = "b";
	int mask, rc;

	memset(&o, 0, sizeof o);
	o.timeout = r->timeout_ms;
	o.tries = r->tries;
	o.sock_state_cb = resolver_sock_state;
	o.sock_state_cb_data = r;
	/* No search domains: a seed name that does not exist must not be
	 * retried as "name.<local domain>", leaking it to the local network
	 * and multiplying the time to fail. */
	o.domains = NULL;
	o.ndomains = 0;
	mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
	    ARES_OPT_DOMAINS;
	if (r->has_server) {
		/* An explicit server means DNS only, not /etc/hosts. */
		o.lookups = lookups;
		mask |= ARES_OPT_LOOKUPS;
	}
	rc = ares_init_options(out, &o, mask);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "resolver: cannot initialise c-ares: %s",
		    ares_strerror(rc));
		return -1;
	}
	if (r->has_server) {
		rc = ares_set_servers_ports(*out, &r->server);
		if (rc != ARES_SUCCESS) {
			snprintf(err, errlen, "resolver: cannot set server: %s",
			    ares_strerror(rc));
			ares_destroy(*out);
			return -1;
		}
	}
	return 0;
}

static int
resolver_parse_server(struct resolver *r, const char *server, char *err,
    size_t errlen)
{
	struct netaddr a;

	if (netaddr_parse(server, 53, &a) == -1) {
		snprintf(err, errlen, "resolver: bad server address \"%.64s\" "
		    "(want a numeric address, optionally with :port)", server);
		return -1;
	}
	memset(&r->server, 0, sizeof r->server);
	if (netaddr_is_ipv4(&a)) {
		r->server.family = AF_INET;
		memcpy(&r->server.addr.addr4, a.ip + 12, 4);
	} else {
		r->server.family = AF_INET6;
		memcpy(&r->server.addr.addr6, a.ip, 16);
	}
	r->server.udp_port = a.port;
	r->server.tcp_port = a.port;
	r->has_server = true;
	return 0;
}

struct resolver *
resolver_new(struct event_base *base, const char *server, char *err,
    size_t errlen)
{
	struct resolver *r;
	int rc;

	/* c-ares counts init/cleanup pairs itself, so one pair per resolver
	 * is the reference count. */
	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "resolver: cannot initialise c-ares: %s",
		    ares_strerror(rc));
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->base = base;
	r->timeout_ms = RESOLVER_DEFAULT_TIMEOUT_MS;
	r->tries = RESOLVER_DEFAULT_TRIES;
	LIST_INIT(&r->watches);
	TAILQ_INIT(&r->queries);
	if ((server != NULL && resolver_parse_server(r, server, err,
	    errlen) == -1) || resolver_channel_new(r, &r->channel, err,
	    errlen) == -1) {
		free(r);
		ares_library_cleanup();
		return NULL;
	}
	r->timer = resolver_event_new(base, -1, 0, resolver_timer_cb, r);
	return r;
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	r->dying = true;
	resolver_settle(r);
}

int
resolver_set_timeout(struct resolver *r, int timeout_ms, int tries)
{
	ares_channel channel;
	int old_timeout = r->timeout_ms, old_tries = r->tries;
	char err[128];

	if (timeout_ms < 1 || timeout_ms > RESOLVER_MAX_TIMEOUT_MS ||
	    tries < 1 || tries > RESOLVER_MAX_TRIES)
		return -1;
	/* c-ares cannot change these on a live channel, so build a new one;
	 * the old one may be destroyed only when nothing uses it and we are
	 * not inside it. */
	if (r->npending != 0 || r->depth != 0 || r->dying)
		return -1;
	r->timeout_ms = timeout_ms;
	r->tries = tries;
	if (resolver_channel_new(r, &channel, err, sizeof err) == -1) {
		log_warn("resolver", "%s", err);
		r->timeout_ms = old_timeout;
		r->tries = old_tries;
		return -1;
	}
	ares_destroy(r->channel);
	r->channel = channel;
	resolver_rearm(r);
	return 0;
}

size_t
resolver_pending(const struct resolver *r)
{
	return r->npending;
}

/*
 * Look-ups.
 */

static void
resolver_query_free(struct resolver_query *q)
{
	TAILQ_REMOVE(&q->r->queries, q, entry);
	q->r->npending--;
	if (q->deliver != NULL)
		event_free(q->deliver);
	free(q->addrs);
	free(q->name);
	free(q);
}

/* Turn c-ares' answer into Q's result: distinct addresses, at most
 * RESOLVER_MAX_ADDRS, each carrying Q's port. */
static void
resolver_query_result(struct resolver_query *q, int status,
    const struct ares_addrinfo *ai)
{
	const struct ares_addrinfo_node *node;
	struct netaddr a;
	size_t max = 0, i;

	if (status != ARES_SUCCESS) {
		q->error = resolver_strerror(status);
		return;
	}
	for (node = ai != NULL ? ai->nodes : NULL; node != NULL &&
	    max < RESOLVER_MAX_ADDRS; node = node->ai_next)
		max++;
	if (max == 0) {
		q->error = "no addresses";
		return;
	}
	q->addrs = xcalloc(max, sizeof *q->addrs);
	for (node = ai->nodes; node != NULL && q->naddrs < max;
	    node = node->ai_next) {
		if (node->ai_addr == NULL)
			continue;
		if (node->ai_family == AF_INET &&
		    node->ai_addrlen < sizeof(struct sockaddr_in))
			continue;
		if (node->ai_family == AF_INET6 &&
		    node->ai_addrlen < sizeof(struct sockaddr_in6))
			continue;
		if (netaddr_from_sockaddr(&a, node->ai_addr) == -1)
			continue;
		a.port = q->port;
		for (i = 0; i < q->naddrs; i++) {
			if (netaddr_equal(&q->addrs[i], &a))
				break;
		}
		if (i == q->naddrs)
			q->addrs[q->naddrs++] = a;
	}
	if (q->naddrs == 0) {
		free(q->addrs);
		q->addrs = NULL;
		q->error = "no addresses";
	}
}

/* Hand Q's result to its owner and free Q.  The caller settles R. */
static void
resolver_deliver(struct resolver_query *q)
{
	struct resolver *r = q->r;

	TAILQ_REMOVE(&r->queries, q, entry);
	r->npending--;
	log_debug("resolver", "%s: %s", q->name,
	    q->error != NULL ? q->error : "ok");
	r->depth++;
	q->cb(q->arg, q->name, q->error == NULL ? q->addrs : NULL,
	    q->error == NULL ? q->naddrs : 0, q->error);
	r->depth--;
	if (q->deliver != NULL)
		event_free(q->deliver);
	free(q->addrs);
	free(q->name);
	free(q);
}

static void
resolver_deliver_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver_query *q = arg;
	struct resolver *r = q->r;

	(void)fd;
	(void)what;
	resolver_deliver(q);
	resolver_settle(r);
}

/* Deliver Q's result from the loop, as soon as it next runs. */
static void
resolver_park(struct resolver_query *q)
{
	static const struct timeval now = { 0, 0 };

	q->deliver = resolver_event_new(q->r->base, -1, 0, resolver_deliver_cb,
	    q);
	evtimer_add(q->deliver, &now);
}

static void
resolver_gai_cb(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct resolver_query *q = arg;
	struct resolver *r = q->r;

	(void)timeouts;
	if (r->dying || status == ARES_EDESTRUCTION) {
		if (ai != NULL)
			ares_freeaddrinfo(ai);
		resolver_query_free(q);
		return;
	}
	resolver_query_result(q, status, ai);
	if (ai != NULL)
		ares_freeaddrinfo(ai);
	if (r->starting == q) {
		/* Answered before resolver_lookup returned (/etc/hosts,
		 * "localhost"). */
		resolver_park(q);
		return;
	}
	resolver_deliver(q);
}

/* Numeric names are answered here: c-ares 1.18 sends an AF_UNSPEC look-up
 * of an IPv4 literal to the DNS server as well. */
static bool
resolver_numeric(struct resolver_query *q)
{
	struct in_addr a4;
	struct in6_addr a6;
	struct netaddr a;

	if (inet_pton(AF_INET, q->name, &a4) == 1)
		netaddr_from_ipv4(&a, ntohl(a4.s_addr), q->port);
	else if (inet_pton(AF_INET6, q->name, &a6) == 1) {
		memcpy(a.ip, a6.s6_addr, sizeof a.ip);
		a.port = q->port;
	} else
		return false;
	q->addrs = xmalloc(sizeof *q->addrs);
	q->addrs[0] = a;
	q->naddrs = 1;
	resolver_park(q);
	return true;
}

int
resolver_lookup(struct resolver *r, const char *name, uint16_t port,
    resolver_cb cb, void *arg)
{
	struct ares_addrinfo_hints hints;
	struct resolver_query *q, *prev;

	if (r->dying || cb == NULL || !resolver_valid_name(name) ||
	    r->npending >= RESOLVER_MAX_PENDING)
		return -1;
	q = xcalloc(1, sizeof *q);
	q->r = r;
	q->name = xstrdup(name);
	q->port = port;
	q->cb = cb;
	q->arg = arg;
	TAILQ_INSERT_TAIL(&r->queries, q, entry);
	r->npending++;
	if (resolver_numeric(q))
		return 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	/* Sorting (RFC 6724) costs a socket per address and the caller
	 * picks addresses by its own rules anyway. */
	hints.ai_flags = ARES_AI_NOSORT;
	prev = r->starting;
	r->starting = q;
	r->depth++;
	ares_getaddrinfo(r->channel, q->name, NULL, &hints, resolver_gai_cb, q);
	r->depth--;
	r->starting = prev;
	/* Not dying: a free would have come from a user callback, and none
	 * runs inside ares_getaddrinfo. */
	resolver_rearm(r);
	return 0;
}
