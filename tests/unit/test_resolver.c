/* test_resolver.c -- c-ares on libevent against an in-test DNS server (common/resolver.c).
 *
 * A tiny authoritative UDP responder built with ldns runs on 127.0.0.1 in
 * the same event_base as the resolver, so every test is one process, one
 * loop, no network and no sleeps.  A second bound socket that is never read
 * plays the server that does not answer.  Each test arms a watchdog timer;
 * if it fires the test fails instead of hanging. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <ldns/ldns.h>

#include "netaddr.h"
#include "resolver.h"

#define TEST_PORT	9333
#define WATCHDOG_SEC	3
#define MANY_A		160
#define MANY_AAAA	100

/* The zone: "seed.test." has 3 A and 2 AAAA, "empty.test." exists with no
 * addresses, "servfail.test." fails, "dup.test." repeats one A record,
 * "many.test." has more addresses than RESOLVER_MAX_ADDRS; everything else
 * is NXDOMAIN. */
static const char *const zone[] = {
	"seed.test. 60 IN A 192.0.2.1",
	"seed.test. 60 IN A 192.0.2.2",
	"seed.test. 60 IN A 198.51.100.3",
	"seed.test. 60 IN AAAA 2001:db8::1",
	"seed.test. 60 IN AAAA 2001:db8:1::2",
	"dup.test. 60 IN A 192.0.2.9",
	"dup.test. 60 IN A 192.0.2.9",
};

#define DNSD_MAXCONN	8

struct dnsd {
	int		 fd;
	uint16_t	 port;
	struct event	*ev;		/* NULL: the server never answers */
	struct evconnlistener *listener;
	struct bufferevent *conns[DNSD_MAXCONN];
	int		 queries;
	int		 tcp_queries;
	char		 last_qname[256];
};

struct result {
	int		 calls;
	struct netaddr	 addrs[RESOLVER_MAX_ADDRS];
	size_t		 n;
	char		 name[256];
	char		 error[128];
	bool		 has_error;
	/* Behaviour inside the callback. */
	struct resolver	*free_in_cb;
	int		 set_timeout_rc;
	struct resolver	*set_timeout_in_cb;
};

struct fixture {
	struct event_base *base;
	struct dnsd	 good;
	struct dnsd	 silent;
	struct event	*watchdog;
	bool		 fired;
	char		 good_server[64];
	char		 silent_server[64];
};

/*
 * The DNS server.
 */

static void
dnsd_push(ldns_pkt *a, const char *rrstr)
{
	ldns_rr *rr = NULL;

	assert_int_equal(ldns_rr_new_frm_str(&rr, rrstr, 0, NULL, NULL),
	    LDNS_STATUS_OK);
	ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
}

static void
dnsd_fill(ldns_pkt *a, const char *qname, ldns_rr_type qtype)
{
	char rr[128], owner[128];
	bool exists = false;
	size_t i;
	int k;

	if (strcasecmp(qname, "servfail.test.") == 0) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_SERVFAIL);
		return;
	}
	if (strcasecmp(qname, "empty.test.") == 0)
		return;
	if (strcasecmp(qname, "many.test.") == 0) {
		for (k = 0; qtype == LDNS_RR_TYPE_A && k < MANY_A; k++) {
			snprintf(rr, sizeof rr, "many.test. 60 IN A 10.1.%d.%d",
			    k / 200, k % 200 + 1);
			dnsd_push(a, rr);
		}
		for (k = 0; qtype == LDNS_RR_TYPE_AAAA && k < MANY_AAAA; k++) {
			snprintf(rr, sizeof rr,
			    "many.test. 60 IN AAAA 2001:db8:99::%x", k + 1);
			dnsd_push(a, rr);
		}
		return;
	}
	for (i = 0; i < sizeof zone / sizeof zone[0]; i++) {
		snprintf(owner, sizeof owner, "%s", zone[i]);
		*strchr(owner, ' ') = '\0';
		if (strcasecmp(owner, qname) != 0)
			continue;
		exists = true;
		if ((qtype == LDNS_RR_TYPE_A && strstr(zone[i], " A ")) ||
		    (qtype == LDNS_RR_TYPE_AAAA && strstr(zone[i], " AAAA ")))
			dnsd_push(a, zone[i]);
	}
	if (!exists)
		ldns_pkt_set_rcode(a, LDNS_RCODE_NXDOMAIN);
}

/* The answer to the query in BUF as wire data in *WIRE (caller frees).
 * Over UDP an answer longer than 512 bytes is replaced by an empty one
 * with TC set, as RFC 1035 says, and the client retries over TCP. */
static bool
dnsd_answer(struct dnsd *d, const uint8_t *buf, size_t n, bool udp,
    uint8_t **wire, size_t *wirelen)
{
	ldns_pkt *q = NULL, *a;
	ldns_rr *qrr;
	char *qname;

	if (ldns_wire2pkt(&q, buf, n) != LDNS_STATUS_OK)
		return false;
	d->queries++;
	if (!udp)
		d->tcp_queries++;
	a = ldns_pkt_new();
	ldns_pkt_set_id(a, ldns_pkt_id(q));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_aa(a, true);
	ldns_pkt_set_rd(a, ldns_pkt_rd(q));
	qrr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	if (qrr == NULL)
		ldns_pkt_set_rcode(a, LDNS_RCODE_FORMERR);
	else {
		ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, ldns_rr_clone(qrr));
		qname = ldns_rdf2str(ldns_rr_owner(qrr));
		snprintf(d->last_qname, sizeof d->last_qname, "%s", qname);
		dnsd_fill(a, qname, ldns_rr_get_type(qrr));
		free(qname);
	}
	assert_int_equal(ldns_pkt2wire(wire, a, wirelen), LDNS_STATUS_OK);
	if (udp && *wirelen > 512) {
		free(*wire);
		ldns_pkt_free(a);
		a = ldns_pkt_new();
		ldns_pkt_set_id(a, ldns_pkt_id(q));
		ldns_pkt_set_qr(a, true);
		ldns_pkt_set_tc(a, true);
		ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, ldns_rr_clone(qrr));
		assert_int_equal(ldns_pkt2wire(wire, a, wirelen), LDNS_STATUS_OK);
	}
	assert_true(*wirelen <= 65535);
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	return true;
}

static void
dnsd_read(evutil_socket_t fd, short what, void *arg)
{
	struct dnsd *d = arg;
	uint8_t buf[4096], *wire = NULL;
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof from;
	size_t wirelen;
	ssize_t n;

	(void)what;
	n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
	if (n <= 0 || !dnsd_answer(d, buf, (size_t)n, true, &wire, &wirelen))
		return;
	sendto(fd, wire, wirelen, 0, (struct sockaddr *)&from, fromlen);
	free(wire);
}

static void
dnsd_tcp_forget(struct dnsd *d, struct bufferevent *bev)
{
	for (size_t i = 0; i < DNSD_MAXCONN; i++) {
		if (d->conns[i] == bev)
			d->conns[i] = NULL;
	}
	bufferevent_free(bev);
}

/* DNS over TCP: each message is preceded by its length (RFC 1035 4.2.2). */
static void
dnsd_tcp_read(struct bufferevent *bev, void *arg)
{
	struct dnsd *d = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdr[2], msg[65535], *wire = NULL;
	size_t len, wirelen;

	while (evbuffer_copyout(in, hdr, 2) == 2) {
		len = (size_t)hdr[0] << 8 | hdr[1];
		if (evbuffer_get_length(in) < 2 + len)
			return;
		evbuffer_drain(in, 2);
		evbuffer_remove(in, msg, len);
		if (!dnsd_answer(d, msg, len, false, &wire, &wirelen)) {
			dnsd_tcp_forget(d, bev);
			return;
		}
		hdr[0] = (uint8_t)(wirelen >> 8);
		hdr[1] = (uint8_t)wirelen;
		bufferevent_write(bev, hdr, 2);
		bufferevent_write(bev, wire, wirelen);
		free(wire);
	}
}

static void
dnsd_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		dnsd_tcp_forget(arg, bev);
}

static void
dnsd_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct dnsd *d = arg;
	struct bufferevent *bev;
	size_t i;

	(void)sa;
	(void)salen;
	for (i = 0; i < DNSD_MAXCONN && d->conns[i] != NULL; i++)
		;
	if (i == DNSD_MAXCONN) {
		close(fd);
		return;
	}
	bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	assert_non_null(bev);
	bufferevent_setcb(bev, dnsd_tcp_read, NULL, dnsd_tcp_event, d);
	bufferevent_enable(bev, EV_READ);
	d->conns[i] = bev;
}

/* A UDP socket on an ephemeral port of 127.0.0.1 and, when ANSWER, a TCP
 * listener on the same port number (c-ares retries truncated answers over
 * TCP to the same port).  Returns false if that TCP port is taken. */
static bool
dnsd_try_start(struct dnsd *d, struct event_base *base, bool answer)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	memset(d, 0, sizeof *d);
	d->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(d->fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(d->fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(d->fd, (struct sockaddr *)&sin, &len), 0);
	d->port = ntohs(sin.sin_port);
	assert_int_equal(evutil_make_socket_nonblocking(d->fd), 0);
	if (!answer)
		return true;
	d->listener = evconnlistener_new_bind(base, dnsd_accept, d,
	    LEV_OPT_CLOSE_ON_FREE, 8, (struct sockaddr *)&sin, sizeof sin);
	if (d->listener == NULL) {
		close(d->fd);
		return false;
	}
	d->ev = event_new(base, d->fd, EV_READ | EV_PERSIST, dnsd_read, d);
	assert_non_null(d->ev);
	event_add(d->ev, NULL);
	return true;
}

static void
dnsd_start(struct dnsd *d, struct event_base *base, bool answer)
{
	for (int i = 0; i < 20; i++) {
		if (dnsd_try_start(d, base, answer))
			return;
	}
	fail_msg("no UDP port whose TCP twin is free");
}

static void
dnsd_stop(struct dnsd *d)
{
	for (size_t i = 0; i < DNSD_MAXCONN; i++) {
		if (d->conns[i] != NULL)
			bufferevent_free(d->conns[i]);
	}
	if (d->listener != NULL)
		evconnlistener_free(d->listener);
	if (d->ev != NULL)
		event_free(d->ev);
	close(d->fd);
}

/*
 * Fixture, watchdog, loop.
 */

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fixture *f = arg;

	(void)fd;
	(void)what;
	f->fired = true;
	event_base_loopbreak(f->base);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct timeval tv = { WATCHDOG_SEC, 0 };

	assert_non_null(f);
	f->base = event_base_new();
	assert_non_null(f->base);
	dnsd_start(&f->good, f->base, true);
	dnsd_start(&f->silent, f->base, false);
	snprintf(f->good_server, sizeof f->good_server, "127.0.0.1:%u",
	    f->good.port);
	snprintf(f->silent_server, sizeof f->silent_server, "127.0.0.1:%u",
	    f->silent.port);
	f->watchdog = evtimer_new(f->base, watchdog_cb, f);
	evtimer_add(f->watchdog, &tv);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	event_free(f->watchdog);
	dnsd_stop(&f->good);
	dnsd_stop(&f->silent);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* Run the loop until *CALLS reaches WANT; fail if the watchdog fires. */
static void
run_until(struct fixture *f, const int *calls, int want)
{
	while (*calls < want && !f->fired)
		event_base_loop(f->base, EVLOOP_ONCE);
	assert_false(f->fired);
}

/* Give anything already queued a chance to run, without blocking. */
static void
run_pending(struct fixture *f)
{
	for (int i = 0; i < 5; i++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
}

static struct resolver *
new_resolver(struct fixture *f, const char *server)
{
	char err[256] = "";
	struct resolver *r;

	r = resolver_new(f->base, server, err, sizeof err);
	if (r == NULL)
		fail_msg("resolver_new(%s): %s", server ? server : "NULL", err);
	return r;
}

static void
record_cb(void *arg, const char *name, const struct netaddr *addrs, size_t n,
    const char *error)
{
	struct result *res = arg;

	res->calls++;
	snprintf(res->name, sizeof res->name, "%s", name);
	assert_true(n <= RESOLVER_MAX_ADDRS);
	if (n > 0) {
		assert_non_null(addrs);
		memcpy(res->addrs, addrs, n * sizeof *addrs);
	}
	res->n = n;
	res->has_error = error != NULL;
	if (error != NULL) {
		/* The contract: an error never comes with addresses. */
		assert_null(addrs);
		assert_int_equal(n, 0);
		snprintf(res->error, sizeof res->error, "%s", error);
	}
	if (res->set_timeout_in_cb != NULL)
		res->set_timeout_rc = resolver_set_timeout(res->set_timeout_in_cb,
		    100, 1);
	if (res->free_in_cb != NULL) {
		resolver_free(res->free_in_cb);
		res->free_in_cb = NULL;
	}
}

static bool
has_addr(const struct result *res, const char *ipport)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse(ipport, 1, &a), 0);
	for (size_t i = 0; i < res->n; i++) {
		if (netaddr_equal(&res->addrs[i], &a))
			return true;
	}
	return false;
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Tests.
 */

static void
test_seed_all_addresses(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);
	size_t v4 = 0;

	assert_int_equal(resolver_lookup(r, "seed.test", TEST_PORT, record_cb,
	    &res), 0);
	assert_int_equal(resolver_pending(r), 1);
	run_until(f, &res.calls, 1);
	assert_int_equal(res.calls, 1);
	assert_false(res.has_error);
	assert_string_equal(res.name, "seed.test");
	assert_int_equal(res.n, 5);
	assert_true(has_addr(&res, "192.0.2.1:9333"));
	assert_true(has_addr(&res, "192.0.2.2:9333"));
	assert_true(has_addr(&res, "198.51.100.3:9333"));
	assert_true(has_addr(&res, "[2001:db8::1]:9333"));
	assert_true(has_addr(&res, "[2001:db8:1::2]:9333"));
	for (size_t i = 0; i < res.n; i++) {
		assert_int_equal(res.addrs[i].port, TEST_PORT);
		if (netaddr_is_ipv4(&res.addrs[i]))
			v4++;
	}
	assert_int_equal(v4, 3);
	/* One A and one AAAA question, nothing else. */
	assert_int_equal(f->good.queries, 2);
	assert_int_equal(resolver_pending(r), 0);
	resolver_free(r);
}

static void
test_trailing_dot_and_case(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);

	assert_int_equal(resolver_lookup(r, "SEED.Test.", 1, record_cb, &res), 0);
	run_until(f, &res.calls, 1);
	assert_false(res.has_error);
	assert_int_equal(res.n, 5);
	assert_string_equal(res.name, "SEED.Test.");
	resolver_free(r);
}

static void
test_nxdomain(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);

	assert_int_equal(resolver_lookup(r, "nx.test", TEST_PORT, record_cb,
	    &res), 0);
	run_until(f, &res.calls, 1);
	assert_int_equal(res.calls, 1);
	assert_true(res.has_error);
	assert_string_equal(res.error, "no such name");
	/* No search domain appended after NXDOMAIN: exactly A + AAAA. */
	assert_int_equal(f->good.queries, 2);
	assert_string_equal(f->good.last_qname, "nx.test.");
	resolver_free(r);
}

static void
test_nodata_and_servfail(void **state)
{
	struct fixture *f = *state;
	struct result empty = { 0 }, sf = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);

	assert_int_equal(resolver_lookup(r, "empty.test", 1, record_cb,
	    &empty), 0);
	assert_int_equal(resolver_lookup(r, "servfail.test", 1, record_cb,
	    &sf), 0);
	assert_int_equal(resolver_pending(r), 2);
	run_until(f, &empty.calls, 1);
	run_until(f, &sf.calls, 1);
	assert_true(empty.has_error);
	assert_string_equal(empty.error, "no A or AAAA records");
	assert_true(sf.has_error);
	assert_string_equal(sf.error, "server failure or unreachable");
	resolver_free(r);
}

static void
test_timeout(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r = new_resolver(f, f->silent_server);
	double t0, dt;

	assert_int_equal(resolver_set_timeout(r, 200, 1), 0);
	t0 = now_sec();
	assert_int_equal(resolver_lookup(r, "seed.test", 1, record_cb, &res), 0);
	run_until(f, &res.calls, 1);
	dt = now_sec() - t0;
	assert_int_equal(res.calls, 1);
	assert_true(res.has_error);
	assert_string_equal(res.error, "timed out");
	/* One try of 200 ms: not before it, and well before the watchdog. */
	assert_true(dt >= 0.19);
	assert_true(dt < 1.0);
	resolver_free(r);
}

static void
test_dedup_and_cap(void **state)
{
	struct fixture *f = *state;
	struct result dup = { 0 }, many = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);
	size_t i, j;

	assert_int_equal(resolver_lookup(r, "dup.test", 7, record_cb, &dup), 0);
	assert_int_equal(resolver_lookup(r, "many.test", 7, record_cb, &many), 0);
	run_until(f, &dup.calls, 1);
	run_until(f, &many.calls, 1);
	assert_false(dup.has_error);
	assert_int_equal(dup.n, 1);
	assert_true(has_addr(&dup, "192.0.2.9:7"));
	if (many.has_error)
		fail_msg("many.test: %s", many.error);
	/* Too big for UDP: truncated, then fetched again over TCP. */
	assert_true(f->good.tcp_queries >= 2);
	assert_true(MANY_A + MANY_AAAA > RESOLVER_MAX_ADDRS);
	assert_int_equal(many.n, RESOLVER_MAX_ADDRS);
	for (i = 0; i < many.n; i++) {
		assert_int_equal(many.addrs[i].port, 7);
		for (j = i + 1; j < many.n; j++)
			assert_false(netaddr_equal(&many.addrs[i], &many.addrs[j]));
	}
	resolver_free(r);
}

static void
test_numeric_is_deferred(void **state)
{
	struct fixture *f = *state;
	struct result v4 = { 0 }, v6 = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);

	/* c-ares answers these synchronously; we must not call back before
	 * resolver_lookup has returned. */
	assert_int_equal(resolver_lookup(r, "192.0.2.7", 8, record_cb, &v4), 0);
	assert_int_equal(resolver_lookup(r, "2001:db8::7", 8, record_cb, &v6), 0);
	assert_int_equal(v4.calls, 0);
	assert_int_equal(v6.calls, 0);
	assert_int_equal(resolver_pending(r), 2);
	run_until(f, &v4.calls, 1);
	run_until(f, &v6.calls, 1);
	assert_int_equal(v4.n, 1);
	assert_true(has_addr(&v4, "192.0.2.7:8"));
	assert_true(netaddr_is_ipv4(&v4.addrs[0]));
	assert_int_equal(v6.n, 1);
	assert_true(has_addr(&v6, "[2001:db8::7]:8"));
	assert_int_equal(f->good.queries, 0);
	resolver_free(r);
}

static void
test_system_config_localhost(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r = new_resolver(f, NULL);

	/* RFC 6761: localhost is answered locally, never sent to a server,
	 * so this exercises the system-configuration path offline. */
	assert_int_equal(resolver_lookup(r, "localhost", 9, record_cb, &res), 0);
	assert_int_equal(res.calls, 0);
	run_until(f, &res.calls, 1);
	assert_false(res.has_error);
	assert_true(res.n >= 1);
	assert_true(has_addr(&res, "127.0.0.1:9") || has_addr(&res, "[::1]:9"));
	resolver_free(r);
}

static void
test_bad_names(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);
	char longname[300], longlabel[80];
	const char *bad[] = {
		"", ".", "a..b", ".a", "bad name", "a/b", "seed.test..",
		"fe80::1%eth0", "x\n.test", "[::1]",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (resolver_lookup(r, bad[i], 1, record_cb, &res) != -1)
			fail_msg("accepted bad name \"%s\"", bad[i]);
	}
	assert_int_equal(resolver_lookup(r, NULL, 1, record_cb, &res), -1);
	assert_int_equal(resolver_lookup(r, "seed.test", 1, NULL, &res), -1);
	/* 254 characters is one too many; 253 is fine. */
	memset(longname, 'a', sizeof longname);
	for (int i = 60; i < 254; i += 60)
		longname[i] = '.';
	longname[254] = '\0';
	assert_int_equal(resolver_lookup(r, longname, 1, record_cb, &res), -1);
	longname[253] = '\0';
	assert_int_equal(resolver_lookup(r, longname, 1, record_cb, &res), 0);
	/* A 64-character label is one too many. */
	memset(longlabel, 'b', 64);
	snprintf(longlabel + 64, sizeof longlabel - 64, ".test");
	assert_int_equal(resolver_lookup(r, longlabel, 1, record_cb, &res), -1);
	snprintf(longlabel + 63, sizeof longlabel - 63, ".test");
	assert_int_equal(resolver_lookup(r, longlabel, 1, record_cb, &res), 0);
	run_until(f, &res.calls, 2);
	assert_int_equal(res.calls, 2);
	assert_true(res.has_error);
	resolver_free(r);
}

static void
test_bad_servers(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {
		"", "dns.example", "1.2.3.4:0", "1.2.3.4:65536", "[1.2.3.4]:53",
		"1.2.3.4:53x", "::1:53x", "[::1]:", "1.2.3",
	};
	const char *good[] = { "127.0.0.1", "127.0.0.1:5353", "[::1]:5353",
	    "::1" };
	char err[256];
	struct resolver *r;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		r = resolver_new(f->base, bad[i], err, sizeof err);
		if (r != NULL)
			fail_msg("accepted bad server \"%s\"", bad[i]);
		assert_non_null(strstr(err, "bad server address"));
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		resolver_free(new_resolver(f, good[i]));
	resolver_free(NULL);
}

static void
test_set_timeout_rules(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);

	assert_int_equal(resolver_set_timeout(r, 0, 1), -1);
	assert_int_equal(resolver_set_timeout(r, RESOLVER_MAX_TIMEOUT_MS + 1, 1), -1);
	assert_int_equal(resolver_set_timeout(r, 100, 0), -1);
	assert_int_equal(resolver_set_timeout(r, 100, RESOLVER_MAX_TRIES + 1), -1);
	assert_int_equal(resolver_set_timeout(r, 1000, 2), 0);
	/* Busy: a look-up is outstanding, then: inside a callback. */
	assert_int_equal(resolver_lookup(r, "seed.test", 1, record_cb, &res), 0);
	assert_int_equal(resolver_set_timeout(r, 100, 1), -1);
	res.set_timeout_in_cb = r;
	res.set_timeout_rc = 99;
	run_until(f, &res.calls, 1);
	assert_int_equal(res.set_timeout_rc, -1);
	assert_int_equal(res.n, 5);
	/* Idle again: allowed, and the resolver still works afterwards. */
	assert_int_equal(resolver_set_timeout(r, 100, 1), 0);
	res.set_timeout_in_cb = NULL;
	assert_int_equal(resolver_lookup(r, "seed.test", 1, record_cb, &res), 0);
	run_until(f, &res.calls, 2);
	assert_int_equal(res.n, 5);
	resolver_free(r);
}

static void
test_free_cancels_without_callbacks(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r;
	int before;

	before = event_base_get_num_events(f->base, EVENT_BASE_COUNT_ADDED);
	r = new_resolver(f, f->silent_server);
	assert_int_equal(resolver_lookup(r, "seed.test", 1, record_cb, &res), 0);
	assert_int_equal(resolver_lookup(r, "192.0.2.1", 1, record_cb, &res), 0);
	run_pending(f);
	/* The numeric one has been delivered, the other is on the wire. */
	assert_int_equal(res.calls, 1);
	assert_int_equal(resolver_lookup(r, "192.0.2.2", 1, record_cb, &res), 0);
	assert_true(event_base_get_num_events(f->base, EVENT_BASE_COUNT_ADDED) >
	    before);
	resolver_free(r);
	run_pending(f);
	assert_int_equal(res.calls, 1);
	/* Every socket watcher, the timer and the parked delivery are gone. */
	assert_int_equal(event_base_get_num_events(f->base,
	    EVENT_BASE_COUNT_ADDED), before);
}

static void
test_free_inside_callback(void **state)
{
	struct fixture *f = *state;
	struct result first = { 0 }, second = { 0 };
	struct resolver *r;
	int before;

	before = event_base_get_num_events(f->base, EVENT_BASE_COUNT_ADDED);
	r = new_resolver(f, f->good_server);
	/* Whichever of the two answers comes first frees the resolver; the
	 * other look-up must then stay silent. */
	first.free_in_cb = r;
	second.free_in_cb = r;
	assert_int_equal(resolver_lookup(r, "seed.test", 1, record_cb, &first), 0);
	assert_int_equal(resolver_lookup(r, "dup.test", 1, record_cb, &second), 0);
	while (first.calls + second.calls == 0 && !f->fired)
		event_base_loop(f->base, EVLOOP_ONCE);
	assert_false(f->fired);
	assert_int_equal(first.calls + second.calls, 1);
	run_pending(f);
	assert_int_equal(first.calls + second.calls, 1);
	assert_int_equal(event_base_get_num_events(f->base,
	    EVENT_BASE_COUNT_ADDED), before);
}

static void
test_free_inside_deferred_callback(void **state)
{
	struct fixture *f = *state;
	struct result a = { 0 }, b = { 0 };
	struct resolver *r = new_resolver(f, f->good_server);

	a.free_in_cb = r;
	assert_int_equal(resolver_lookup(r, "192.0.2.1", 1, record_cb, &a), 0);
	assert_int_equal(resolver_lookup(r, "192.0.2.2", 1, record_cb, &b), 0);
	run_until(f, &a.calls, 1);
	run_pending(f);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
}

static void
test_pending_limit(void **state)
{
	struct fixture *f = *state;
	struct result res = { 0 };
	struct resolver *r = new_resolver(f, f->silent_server);
	char name[64];

	for (int i = 0; i < RESOLVER_MAX_PENDING; i++) {
		snprintf(name, sizeof name, "h%d.test", i);
		assert_int_equal(resolver_lookup(r, name, 1, record_cb, &res), 0);
	}
	assert_int_equal(resolver_pending(r), RESOLVER_MAX_PENDING);
	assert_int_equal(resolver_lookup(r, "one-more.test", 1, record_cb,
	    &res), -1);
	resolver_free(r);
	run_pending(f);
	assert_int_equal(res.calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seed_all_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailing_dot_and_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodata_and_servfail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dedup_and_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_is_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_config_localhost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_timeout_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_cancels_without_callbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_inside_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_inside_deferred_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_limit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
