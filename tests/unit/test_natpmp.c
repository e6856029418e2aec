/* test_natpmp.c -- the PCP/NAT-PMP client against a fake gateway on loopback UDP. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "clock.h"
#include "config.h"
#include "hash.h"
#include "log.h"
#include "netaddr.h"
#include "rpc_client.h"
#include "../../node/natpmp.h"
#include "../../node/node.h"
#include "../../node/pcp.h"

/* --- a fake gateway ----------------------------------------------------------
 *
 * One thread answering PCP and NAT-PMP on a loopback UDP socket, shaped by
 * the fields below so that each test plays another (mis)behaving gateway.
 * It records what it was asked; natpmp_stop polls its own sockets, so the
 * gateway must not depend on the test's event loop. */

enum gw_mode {
	GW_PCP = 0,		/* PCP v2 and NAT-PMP, both answered */
	GW_NATPMP_ONLY,		/* PCP gets NAT-PMP's UNSUPP_VERSION */
	GW_SILENT,		/* never answers */
	GW_REFUSE,		/* PCP NOT_AUTHORIZED, NAT-PMP refused (2) */
	GW_WRONG_NONCE,		/* PCP answers with someone else's nonce */
};

#define GW_MAX_REQ	64

struct fake_gw {
	int		 fd;
	int		 family;
	uint16_t	 port;
	pthread_t	 thread;
	pthread_mutex_t	 mtx;

	/* behaviour, set before start (EPOCH_BACK may change under mtx) */
	enum gw_mode	 mode;
	const char	*bind_ip;	/* default 127.0.0.1 or ::1 */
	uint16_t	 bind_port;	/* 0: any */
	const char	*ext_ip;	/* IPv4 external address; NULL: 81.2.69.160 */
	uint16_t	 ext_port;	/* 0: the internal port */
	uint32_t	 grant;		/* lifetime granted; 0: as asked */
	int		 drop;		/* ignore this many requests first */
	bool		 ignore_delete;	/* never acknowledge lifetime 0 */
	bool		 epoch_back;	/* next reply's epoch restarts at 0 */

	/* observations, under mtx */
	bool		 stop;
	int		 n_req, n_pcp, n_pcp_delete, n_public, n_map, n_map_delete;
	double		 at[GW_MAX_REQ];	/* monotonic seconds of each request */
	uint8_t		 nonce[PCP_NONCE_LEN];
	bool		 nonce_changed;
	uint8_t		 client_ip[16];
	uint32_t	 last_lifetime;
	uint16_t	 last_suggested_port;
	uint32_t	 epoch;		/* of the reply being written */
	uint32_t	 epoch0;	/* seconds since "start" at T0 */
	double		 t0;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Answer the PCP MAP request Q (60 bytes) into R; returns the length. */
static size_t
gw_pcp(struct fake_gw *g, const uint8_t *q, uint8_t *r)
{
	uint32_t lifetime = get32(q + 4);
	uint8_t result = 0;
	struct in_addr ext;

	if (g->mode == GW_NATPMP_ONLY) {
		memset(r, 0, 8);
		r[1] = 0x80 | q[1];
		r[3] = 1;
		put32(r + 4, g->epoch);
		return 8;
	}
	memcpy(r, q, 60);
	r[1] = 0x81;
	r[2] = 0;
	if (g->mode == GW_REFUSE)
		result = PCP_RESULT_NOT_AUTHORIZED;
	r[3] = result;
	if (result == 0 && lifetime > 0 && g->grant > 0)
		lifetime = g->grant;
	put32(r + 4, result == 0 ? lifetime : 0);
	put32(r + 8, g->epoch);
	memset(r + 12, 0, 12);
	if (g->mode == GW_WRONG_NONCE)
		r[24] ^= 0x5a;
	if (result == 0 && lifetime > 0) {
		put16(r + 42, g->ext_port != 0 ? g->ext_port : (uint16_t)(q[40] << 8 | q[41]));
		if (q[8 + 10] == 0xff && q[8 + 11] == 0xff && q[8] == 0) {
			memset(r + 44, 0, 16);
			r[54] = r[55] = 0xff;
			inet_pton(AF_INET, g->ext_ip != NULL ? g->ext_ip : "81.2.69.160", &ext);
			memcpy(r + 56, &ext, 4);
		} else
			memcpy(r + 44, q + 8, 16);	/* a firewall: ours */
	}
	return 60;
}

/* Answer the NAT-PMP request Q of LEN bytes into R. */
static size_t
gw_natpmp(struct fake_gw *g, const uint8_t *q, size_t len, uint8_t *r)
{
	struct in_addr ext;
	uint32_t lifetime;

	memset(r, 0, 16);
	r[1] = 0x80 | q[1];
	put32(r + 4, g->epoch);
	if (g->mode == GW_REFUSE) {
		r[3] = 2;
		return 8;
	}
	if (q[1] == 0 && len >= 2) {
		g->n_public++;
		inet_pton(AF_INET, g->ext_ip != NULL ? g->ext_ip : "81.2.69.160", &ext);
		memcpy(r + 8, &ext, 4);
		return 12;
	}
	if (q[1] != 2 || len < 12) {
		r[3] = 5;
		return 8;
	}
	lifetime = get32(q + 8);
	g->last_lifetime = lifetime;
	g->last_suggested_port = (uint16_t)(q[6] << 8 | q[7]);
	if (lifetime == 0)
		g->n_map_delete++;
	else
		g->n_map++;
	memcpy(r + 8, q + 4, 2);
	if (lifetime > 0) {
		put16(r + 10, g->ext_port != 0 ? g->ext_port : (uint16_t)(q[4] << 8 | q[5]));
		put32(r + 12, g->grant > 0 ? g->grant : lifetime);
	}
	return 16;
}

static void *
gw_main(void *arg)
{
	struct fake_gw *g = arg;
	struct sockaddr_storage from;
	socklen_t flen;
	uint8_t q[2048], r[128];
	struct pollfd pfd;
	ssize_t n;
	size_t rlen;

	for (;;) {
		pthread_mutex_lock(&g->mtx);
		if (g->stop) {
			pthread_mutex_unlock(&g->mtx);
			return NULL;
		}
		pthread_mutex_unlock(&g->mtx);
		pfd.fd = g->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		flen = sizeof from;
		n = recvfrom(g->fd, q, sizeof q, 0, (struct sockaddr *)&from, &flen);
		if (n < 2)
			continue;
		pthread_mutex_lock(&g->mtx);
		if (g->n_req < GW_MAX_REQ)
			g->at[g->n_req] = now_s();
		g->n_req++;
		/* The epoch runs with the clock, as a real server's does. */
		if (g->epoch_back) {
			g->epoch0 = 0;
			g->t0 = now_s();
			g->epoch_back = false;
		}
		g->epoch = g->epoch0 + (uint32_t)(now_s() - g->t0);
		rlen = 0;
		if (q[0] == 2 && n == 60) {
			if (g->n_pcp + g->n_pcp_delete > 0 &&
			    memcmp(g->nonce, q + 24, PCP_NONCE_LEN) != 0)
				g->nonce_changed = true;
			memcpy(g->nonce, q + 24, PCP_NONCE_LEN);
			memcpy(g->client_ip, q + 8, 16);
			g->last_lifetime = get32(q + 4);
			g->last_suggested_port = (uint16_t)(q[42] << 8 | q[43]);
			if (get32(q + 4) == 0)
				g->n_pcp_delete++;
			else
				g->n_pcp++;
			rlen = gw_pcp(g, q, r);
		} else if (q[0] == 0)
			rlen = gw_natpmp(g, q, (size_t)n, r);
		if (g->drop > 0) {
			g->drop--;
			rlen = 0;
		}
		if (g->mode == GW_SILENT ||
		    (g->ignore_delete && g->last_lifetime == 0 && q[1] != 0))
			rlen = 0;
		pthread_mutex_unlock(&g->mtx);
		if (rlen > 0)
			(void)sendto(g->fd, r, rlen, 0, (struct sockaddr *)&from, flen);
	}
}

static void
gw_start(struct fake_gw *g, int family)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct netaddr a;
	const char *ip = g->bind_ip != NULL ? g->bind_ip :
	    family == AF_INET ? "127.0.0.1" : "::1";

	pthread_mutex_init(&g->mtx, NULL);
	g->family = family;
	g->epoch0 = 1000;
	g->t0 = now_s();
	g->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(g->fd >= 0);
	assert_int_equal(netaddr_parse(ip, 1, &a), 0);
	a.port = g->bind_port;
	len = netaddr_to_sockaddr(&a, &ss);
	assert_int_equal(bind(g->fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(getsockname(g->fd, (struct sockaddr *)&ss, &len), 0);
	assert_int_equal(netaddr_from_sockaddr(&a, (struct sockaddr *)&ss), 0);
	g->port = a.port;
	assert_int_equal(pthread_create(&g->thread, NULL, gw_main, g), 0);
}

static void
gw_stop(struct fake_gw *g)
{
	pthread_mutex_lock(&g->mtx);
	g->stop = true;
	pthread_mutex_unlock(&g->mtx);
	pthread_join(g->thread, NULL);
	close(g->fd);
	pthread_mutex_destroy(&g->mtx);
}

/* G's address for natpmp_opts. */
static struct netaddr
gw_addr(const struct fake_gw *g)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse(g->family == AF_INET ? "127.0.0.1" : "::1",
	    g->port, &a), 0);
	return a;
}

/* --- the loop and the statuses ----------------------------------------------- */

#define MAX_SEEN 32

struct run {
	struct event_base	*base;
	struct event		*deadline;
	struct natpmp_status	 seen[MAX_SEEN];
	int			 nseen;
	enum natpmp_family	 family;	/* wait for FAMILY ... */
	enum natpmp_state	 state;		/* ... to report STATE ... */
	int			 count;		/* ... this many times */
	int			 got;
	bool			 timed_out;
};

static void
on_status(void *arg, const struct natpmp_status *st)
{
	struct run *r = arg;

	if (r->nseen < MAX_SEEN)
		r->seen[r->nseen++] = *st;
	if (st->family == r->family && st->state == r->state && ++r->got >= r->count)
		event_base_loopbreak(r->base);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)fd;
	(void)what;
	r->timed_out = true;
	event_base_loopbreak(r->base);
}

static void
run_init(struct run *r)
{
	memset(r, 0, sizeof *r);
	r->base = event_base_new();
	assert_non_null(r->base);
	r->deadline = evtimer_new(r->base, on_deadline, r);
}

/* Run until FAMILY has reported STATE COUNT more times, at most MS. */
static void
run_until(struct run *r, enum natpmp_family family, enum natpmp_state state,
    int count, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	r->family = family;
	r->state = state;
	r->count = count;
	r->got = 0;
	r->timed_out = false;
	evtimer_add(r->deadline, &tv);
	event_base_dispatch(r->base);
	evtimer_del(r->deadline);
	assert_false(r->timed_out);
}

static void
run_free(struct run *r)
{
	event_free(r->deadline);
	event_base_free(r->base);
}

static const struct natpmp_status *
last_seen(const struct run *r)
{
	assert_true(r->nseen > 0);
	return &r->seen[r->nseen - 1];
}

/* IPv4 only, against G, fast retransmissions and a long back-off. */
static void
opts4(struct natpmp_opts *o, const struct fake_gw *g)
{
	memset(o, 0, sizeof *o);
	o->port = 9333;
	o->ipv4 = true;
	o->gateway4 = gw_addr(g);
	o->has_gateway4 = true;
	o->retry_ms = 20;
	o->tries = 3;
	o->backoff = 60;
	o->stop_timeout_ms = 500;
}

/* The usual scene: G started on IPv4 loopback, R's loop, O aimed at G. */
static void
setup4(struct fake_gw *g, struct run *r, struct natpmp_opts *o)
{
	gw_start(g, AF_INET);
	run_init(r);
	opts4(o, g);
}

static void
teardown(struct natpmp *n, struct fake_gw *g, struct run *r)
{
	natpmp_stop(n);
	gw_stop(g);
	run_free(r);
}

static int
gw_get(struct fake_gw *g, const int *field)
{
	int v;

	pthread_mutex_lock(&g->mtx);
	v = *field;
	pthread_mutex_unlock(&g->mtx);
	return v;
}

/* --- logging ------------------------------------------------------------------------ */

static char logpath[64];

static void
log_to_file(void)
{
	char err[128];
	int fd;

	snprintf(logpath, sizeof logpath, "/tmp/test_natpmp_log.XXXXXX");
	fd = mkstemp(logpath);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(log_open(logpath, err, sizeof err), 0);
}

/* Lines of the log holding both needles; the log is closed first. */
static int
log_count(const char *a, const char *b)
{
	char line[4096];
	FILE *fp;
	int n = 0;

	log_close();
	fp = fopen(logpath, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL)
		if (strstr(line, a) != NULL && strstr(line, b) != NULL)
			n++;
	fclose(fp);
	return n;
}

static void
log_done(void)
{
	log_close();
	unlink(logpath);
}

/* --- tests ----------------------------------------------------------------------------- */

static void
noop(void *arg, const struct natpmp_status *st)
{
	(void)arg;
	(void)st;
}

static void
test_start_rejects_bad_options(void **state)
{
	struct event_base *base = event_base_new();
	struct natpmp_opts o;

	(void)state;
	memset(&o, 0, sizeof o);
	o.ipv4 = true;
	assert_null(natpmp_start(base, &o, noop, NULL));	/* no port */
	o.port = 9333;
	o.ipv4 = false;
	assert_null(natpmp_start(base, &o, noop, NULL));	/* no family */
	o.ipv4 = true;
	assert_null(natpmp_start(NULL, &o, noop, NULL));
	assert_null(natpmp_start(base, &o, NULL, NULL));
	o.lease = 1;
	assert_null(natpmp_start(base, &o, noop, NULL));
	o.lease = NATPMP_MAX_LEASE + 1;
	assert_null(natpmp_start(base, &o, noop, NULL));
	o.lease = 0;
	o.tries = 11;
	assert_null(natpmp_start(base, &o, noop, NULL));
	o.tries = 0;
	o.backoff = 100;
	o.backoff_max = 50;
	assert_null(natpmp_start(base, &o, noop, NULL));
	o.backoff = o.backoff_max = 0;
	o.force = (enum natpmp_proto)7;
	assert_null(natpmp_start(base, &o, noop, NULL));
	o.force = NATPMP_PROTO_NONE;
	assert_int_equal(netaddr_parse("::1", 5351, &o.gateway4), 0);
	o.has_gateway4 = true;
	assert_null(natpmp_start(base, &o, noop, NULL));
	o.has_gateway4 = false;
	assert_int_equal(netaddr_parse("127.0.0.1", 5351, &o.gateway6), 0);
	o.has_gateway6 = true;
	assert_null(natpmp_start(base, &o, noop, NULL));
	natpmp_stop(NULL);
	event_base_free(base);
}

static void
test_pcp_map_renew_delete(void **state)
{
	struct fake_gw g = { .grant = 2 };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;
	struct netaddr want;
	const struct natpmp_status *st;

	(void)state;
	setup4(&g, &r, &o);
	o.lease = 3600;
	n = natpmp_start(r.base, &o, on_status, &r);
	assert_non_null(n);
	assert_int_equal(natpmp_status(n, NATPMP_IPV4)->state, NATPMP_SEARCHING);
	assert_int_equal(natpmp_status(n, NATPMP_IPV6)->state, NATPMP_OFF);
	assert_int_equal(r.nseen, 0);	/* nothing from inside natpmp_start */

	/* Granted 2 s: renewed after 1 s. */
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 2, 4000);
	st = natpmp_status(n, NATPMP_IPV4);
	assert_int_equal(st->state, NATPMP_MAPPED);
	assert_int_equal(st->proto, NATPMP_PROTO_PCP);
	assert_true(st->has_external);
	assert_int_equal(netaddr_parse("81.2.69.160:9333", 1, &want), 0);
	assert_true(netaddr_equal(&st->external, &want));
	assert_int_equal(netaddr_parse("127.0.0.1:9333", 1, &want), 0);
	assert_true(netaddr_equal(&st->internal, &want));
	assert_int_equal(st->lease, 2);
	assert_int_equal(st->renewals, 1);
	assert_int_equal(st->restarts, 0);
	assert_string_equal(st->error, "");
	assert_true(st->mapped_at > 0);
	assert_true(st->next_at >= st->mapped_at + 1);
	assert_int_equal(r.seen[0].state, NATPMP_MAPPED);
	assert_int_equal(r.seen[0].renewals, 0);

	teardown(n, &g, &r);
	assert_int_equal(g.n_pcp, 2);
	assert_int_equal(g.n_pcp_delete, 1);
	assert_false(g.nonce_changed);		/* one nonce: map, renew, delete */
	assert_int_equal(g.last_lifetime, 0);
	assert_int_equal(g.client_ip[10], 0xff);
	assert_int_equal(g.client_ip[12], 127);
	assert_int_equal(g.n_public + g.n_map, 0);
}

static void
test_natpmp_fallback(void **state)
{
	struct fake_gw g = { .mode = GW_NATPMP_ONLY, .grant = 2, .ext_port = 19333 };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;
	struct netaddr want;
	const struct natpmp_status *st;

	(void)state;
	log_to_file();
	setup4(&g, &r, &o);
	n = natpmp_start(r.base, &o, on_status, &r);
	assert_non_null(n);
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 2, 4000);
	st = natpmp_status(n, NATPMP_IPV4);
	assert_int_equal(st->proto, NATPMP_PROTO_NATPMP);
	assert_int_equal(netaddr_parse("81.2.69.160:19333", 1, &want), 0);
	assert_true(netaddr_equal(&st->external, &want));
	assert_true(st->has_external);
	assert_int_equal(st->lease, 2);
	teardown(n, &g, &r);
	/* One PCP try, then NAT-PMP only: public + map, twice; the renewal
	 * suggests the port granted before; then the deletion. */
	assert_int_equal(g.n_pcp, 1);
	assert_int_equal(g.n_public, 2);
	assert_int_equal(g.n_map, 2);
	assert_int_equal(g.n_map_delete, 1);
	assert_int_equal(g.last_suggested_port, 0);
	assert_int_equal(log_count("[natpmp]", "does not speak PCP (version 0); "
	    "using NAT-PMP"), 1);
	assert_int_equal(log_count("[natpmp]", "removed the mapping of TCP port 9333"), 1);
	log_done();
}

static void
test_natpmp_forced(void **state)
{
	struct fake_gw g = { .mode = GW_PCP };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;

	(void)state;
	setup4(&g, &r, &o);
	o.force = NATPMP_PROTO_NATPMP;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 1, 3000);
	assert_int_equal(natpmp_status(n, NATPMP_IPV4)->proto, NATPMP_PROTO_NATPMP);
	assert_int_equal(natpmp_status(n, NATPMP_IPV4)->lease, 3600);
	teardown(n, &g, &r);
	assert_int_equal(g.n_pcp + g.n_pcp_delete, 0);
	assert_int_equal(g.n_map, 1);
	assert_int_equal(g.n_map_delete, 1);
}

/* PCP forced on a NAT-PMP gateway, and NAT-PMP on a refusing one. */
static void
test_refusals(void **state)
{
	struct fake_gw g = { .mode = GW_NATPMP_ONLY }, h = { .mode = GW_REFUSE };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;

	(void)state;
	log_to_file();
	setup4(&g, &r, &o);
	o.force = NATPMP_PROTO_PCP;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_FAILED, 1, 3000);
	assert_non_null(strstr(last_seen(&r)->error, "speaks only NAT-PMP (version 0)"));
	natpmp_stop(n);
	gw_stop(&g);

	gw_start(&h, AF_INET);
	opts4(&o, &h);
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_FAILED, 1, 3000);
	assert_non_null(strstr(last_seen(&r)->error, "refused the mapping: "
	    "NOT_AUTHORIZED (2)"));
	assert_false(last_seen(&r)->has_external);
	assert_true(last_seen(&r)->next_at >= time(NULL) + 59);
	natpmp_stop(n);
	o.force = NATPMP_PROTO_NATPMP;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_FAILED, 1, 3000);
	assert_non_null(strstr(last_seen(&r)->error, "refused the public address "
	    "request: NOT_AUTHORIZED (2)"));
	natpmp_stop(n);
	gw_stop(&h);
	run_free(&r);
	/* Refused, nothing mapped: nothing to delete. */
	assert_int_equal(h.n_pcp_delete + h.n_map_delete, 0);
	assert_int_equal(log_count("warn ", "[natpmp]"), 3);
	log_done();
}

/* Nobody answers: the tries, one info line, then retries that double. */
static void
test_silent_gateway_backoff(void **state)
{
	struct fake_gw g = { .mode = GW_SILENT };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;
	double gap1, gap2;

	(void)state;
	log_to_file();
	log_set_level(LOGL_DEBUG);
	setup4(&g, &r, &o);
	o.backoff = 1;
	o.backoff_max = 2;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_NO_GATEWAY, 3, 8000);
	teardown(n, &g, &r);
	log_set_level(LOGL_INFO);

	assert_non_null(strstr(last_seen(&r)->error, "no PCP or NAT-PMP gateway "
	    "answered at 127.0.0.1:"));
	assert_non_null(strstr(last_seen(&r)->error, "(3 tries)"));
	/* 3 tries per round, three rounds: the third after 2 s, not 1. */
	assert_true(g.n_req >= 9);
	gap1 = g.at[3] - g.at[2];
	gap2 = g.at[6] - g.at[5];
	assert_true(gap1 >= 0.9 && gap1 < 1.8);
	assert_true(gap2 >= 1.9 && gap2 < 3.0);
	/* Retransmissions 20 ms, then 40 ms apart. */
	assert_true(g.at[1] - g.at[0] >= 0.015);
	assert_true(g.at[2] - g.at[1] >= 0.035);
	/* Not mapped, so nothing to delete. */
	assert_int_equal(g.n_pcp_delete, 0);
	assert_int_equal(log_count("info ", "[natpmp]"), 1);
	assert_int_equal(log_count("running without a port mapping (next try in "
	    "1 s)", "no PCP or NAT-PMP gateway answered"), 1);
	assert_int_equal(log_count("debug", "still no-gateway"), 2);
	assert_int_equal(log_count("warn ", "[natpmp]"), 0);
	log_done();
}

/* A port nobody listens on: ICMP port unreachable ends the wait at once. */
static void
test_port_unreachable(void **state)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;
	double t0;
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);

	log_to_file();
	run_init(&r);
	memset(&o, 0, sizeof o);
	o.port = 9333;
	o.ipv4 = true;
	netaddr_from_ipv4(&o.gateway4, INADDR_LOOPBACK, ntohs(sin.sin_port));
	o.has_gateway4 = true;
	o.retry_ms = 1000;
	t0 = now_s();
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_NO_GATEWAY, 1, 3000);
	assert_true(now_s() - t0 < 0.9);
	assert_non_null(strstr(last_seen(&r)->error, "(port unreachable)"));
	assert_int_equal(last_seen(&r)->proto, NATPMP_PROTO_NONE);
	natpmp_stop(n);
	run_free(&r);
	assert_int_equal(log_count("info ", "running without a port mapping"), 1);
	log_done();
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
remove_dir(const char *dir)
{
	static const char *const names[] = { "route", "ipv6_route", "if_inet6" };
	char path[256];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

/* No default routes: IPv4 says so once; IPv6 (often absent) only at debug. */
static void
test_no_default_route(void **state)
{
	char dir[] = "/tmp/test_natpmp_proc.XXXXXX";
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "route", "Iface\tDestination\tGateway\n");
	write_file(dir, "ipv6_route", "");
	log_to_file();
	run_init(&r);
	memset(&o, 0, sizeof o);
	o.port = 9333;
	o.ipv4 = o.ipv6 = true;
	o.proc_net = dir;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV6, NATPMP_NO_GATEWAY, 1, 3000);
	assert_string_equal(natpmp_status(n, NATPMP_IPV4)->error, "no IPv4 default route");
	assert_int_equal(natpmp_status(n, NATPMP_IPV4)->state, NATPMP_NO_GATEWAY);
	assert_string_equal(natpmp_status(n, NATPMP_IPV6)->error, "no IPv6 default route");
	natpmp_stop(n);
	run_free(&r);
	assert_int_equal(log_count("[natpmp]", "default route"), 1);
	assert_int_equal(log_count("info ", "IPv4: no IPv4 default route; running "
	    "without a port mapping (next try in 60 s)"), 1);

	/* A route but no global IPv6 address on its interface. */
	write_file(dir, "ipv6_route", "00000000000000000000000000000000 00 "
	    "00000000000000000000000000000000 00 fe800000000000000000000000000001 "
	    "00000400 00000002 00000000 00000003     eth7\n");
	write_file(dir, "if_inet6", "fd000000000000000000000000000002 04 40 00 82     eth7\n");
	log_to_file();
	run_init(&r);
	o.ipv4 = false;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV6, NATPMP_NO_GATEWAY, 1, 3000);
	assert_string_equal(natpmp_status(n, NATPMP_IPV6)->error,
	    "no global IPv6 address on eth7");
	natpmp_stop(n);
	run_free(&r);
	assert_int_equal(log_count("[natpmp]", "IPv6"), 0);
	log_done();
	remove_dir(dir);
}

/* The gateway and our IPv6 address found in (fake) /proc/net files: the
 * IPv4 gateway 127.77.0.1, the IPv6 one ::1, on port 5351. */
static void
test_discovered_gateways(void **state)
{
	char dir[] = "/tmp/test_natpmp_proc.XXXXXX";
	struct fake_gw g4 = { .bind_ip = "127.77.0.1", .bind_port = PCP_SERVER_PORT };
	struct fake_gw g6 = { .bind_ip = "::1", .bind_port = PCP_SERVER_PORT };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;
	const struct natpmp_status *st;
	json_t *j;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "route", "Iface\tDestination\tGateway\n"
	    "lo\t00000000\t01004D7F\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
	write_file(dir, "ipv6_route", "00000000000000000000000000000000 00 "
	    "00000000000000000000000000000000 00 00000000000000000000000000000001 "
	    "00000400 00000002 00000000 00000003       lo\n");
	/* ::1 passed off as a global address; loopback is fine on regtest. */
	write_file(dir, "if_inet6", "00000000000000000000000000000001 01 80 00 80       lo\n");
	gw_start(&g4, AF_INET);
	gw_start(&g6, AF_INET6);
	run_init(&r);
	memset(&o, 0, sizeof o);
	o.port = 9333;
	o.ipv4 = o.ipv6 = true;
	o.allow_private = true;
	o.proc_net = dir;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV6, NATPMP_MAPPED, 1, 3000);
	if (natpmp_status(n, NATPMP_IPV4)->state != NATPMP_MAPPED)
		run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 1, 3000);

	st = natpmp_status(n, NATPMP_IPV4);
	assert_string_equal(st->gateway, "127.77.0.1");
	assert_int_equal(st->internal.ip[12], 127);
	st = natpmp_status(n, NATPMP_IPV6);
	assert_string_equal(st->gateway, "::1");
	assert_int_equal(st->proto, NATPMP_PROTO_PCP);
	assert_true(st->has_external);		/* a pinhole: our own address */
	assert_int_equal(st->external.ip[15], 1);
	assert_int_equal(st->external.port, 9333);

	j = natpmp_json(n);
	assert_true(json_is_true(json_object_get(j, "enabled")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "ipv6"), "external")), "[::1]:9333");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "ipv4"), "state")), "mapped");
	json_decref(j);

	natpmp_stop(n);
	gw_stop(&g4);
	gw_stop(&g6);
	run_free(&r);
	assert_int_equal(g6.n_pcp, 1);
	assert_int_equal(g6.n_pcp_delete, 1);
	assert_int_equal(g6.client_ip[15], 1);
	assert_int_equal(g6.client_ip[10], 0);
	assert_int_equal(g4.n_pcp_delete, 1);
	remove_dir(dir);
}

/* An IPv6 pinhole through a NAT-PMP-only gateway cannot be had. */
static void
test_ipv6_needs_pcp(void **state)
{
	struct fake_gw g = { .mode = GW_NATPMP_ONLY };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;

	(void)state;
	gw_start(&g, AF_INET6);
	run_init(&r);
	memset(&o, 0, sizeof o);
	o.port = 9333;
	o.ipv6 = true;
	o.gateway6 = gw_addr(&g);
	o.has_gateway6 = true;
	o.allow_private = true;
	o.retry_ms = 20;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV6, NATPMP_FAILED, 1, 3000);
	assert_non_null(strstr(last_seen(&r)->error, "which has no IPv6"));
	teardown(n, &g, &r);
	assert_int_equal(g.n_public + g.n_map, 0);

	/* Without allow_private ::1 is no address to open. */
	gw_start(&g, AF_INET6);
	run_init(&r);
	o.allow_private = false;
	o.gateway6 = gw_addr(&g);
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV6, NATPMP_NO_GATEWAY, 1, 3000);
	assert_string_equal(last_seen(&r)->error, "::1 is not an address peers can reach");
	teardown(n, &g, &r);
}

/* Replies that fail the checks are dropped and counted, never believed. */
static void
test_bad_replies(void **state)
{
	struct fake_gw g = { .mode = GW_WRONG_NONCE };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;
	const struct natpmp_status *st;

	(void)state;
	setup4(&g, &r, &o);
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_FAILED, 1, 3000);
	st = natpmp_status(n, NATPMP_IPV4);
	assert_int_equal(st->bad_replies, 3);
	assert_non_null(strstr(st->error, "sent only replies that fail our checks "
	    "(3; last: nonce does not match our request)"));
	assert_false(st->has_external);
	teardown(n, &g, &r);
	assert_int_equal(g.n_pcp_delete, 0);
}

/* Lost datagrams: the request goes out again, the answer to a later copy
 * counts. */
static void
test_retransmission(void **state)
{
	struct fake_gw g = { .drop = 2 };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;

	(void)state;
	setup4(&g, &r, &o);
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 1, 3000);
	assert_int_equal(gw_get(&g, &g.n_pcp), 3);
	teardown(n, &g, &r);
}

/* A double NAT: mapped, reported, not advertised; on regtest it is. */
static void
test_private_external(void **state)
{
	struct fake_gw g = { .ext_ip = "10.1.2.3" };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;
	const struct natpmp_status *st;
	json_t *j, *f;

	(void)state;
	log_to_file();
	setup4(&g, &r, &o);
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 1, 3000);
	st = natpmp_status(n, NATPMP_IPV4);
	assert_false(st->has_external);
	assert_string_equal(st->error, "gateway reported an external address peers "
	    "cannot reach (10.1.2.3, private); not advertising it");
	j = natpmp_json(n);
	f = json_object_get(j, "ipv4");
	assert_string_equal(json_string_value(json_object_get(f, "external")),
	    "10.1.2.3:9333");
	assert_true(json_is_false(json_object_get(f, "advertisable")));
	assert_string_equal(json_string_value(json_object_get(f, "protocol")), "pcp");
	assert_int_equal(json_integer_value(json_object_get(f, "lease")), 3600);
	assert_true(json_is_null(json_object_get(json_object_get(j, "ipv6"), "gateway")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "ipv6"), "state")), "off");
	json_decref(j);
	natpmp_stop(n);

	o.allow_private = true;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 1, 3000);
	assert_true(natpmp_status(n, NATPMP_IPV4)->has_external);
	teardown(n, &g, &r);
	assert_int_equal(log_count("warn ", "not advertising it"), 1);
	log_done();
}

/* The gateway's epoch starts again: it lost its state; we say so. */
static void
test_gateway_restart(void **state)
{
	struct fake_gw g = { .grant = 2 };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;

	(void)state;
	setup4(&g, &r, &o);
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 1, 3000);
	assert_int_equal(natpmp_status(n, NATPMP_IPV4)->restarts, 0);
	pthread_mutex_lock(&g.mtx);
	g.epoch_back = true;
	pthread_mutex_unlock(&g.mtx);
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 1, 3000);
	assert_int_equal(natpmp_status(n, NATPMP_IPV4)->restarts, 1);
	assert_int_equal(natpmp_status(n, NATPMP_IPV4)->renewals, 1);
	teardown(n, &g, &r);
}

/* A gateway that never acknowledges the deletion holds natpmp_stop up for
 * stop_timeout_ms, no longer. */
static void
test_stop_bounded(void **state)
{
	struct fake_gw g = { .ignore_delete = true };
	struct natpmp_opts o;
	struct natpmp *n;
	struct run r;
	double t0, dt;

	(void)state;
	log_to_file();
	setup4(&g, &r, &o);
	o.stop_timeout_ms = 300;
	n = natpmp_start(r.base, &o, on_status, &r);
	run_until(&r, NATPMP_IPV4, NATPMP_MAPPED, 1, 3000);
	t0 = now_s();
	natpmp_stop(n);
	dt = now_s() - t0;
	gw_stop(&g);
	run_free(&r);
	assert_true(dt >= 0.29 && dt < 0.6);
	/* Sent at 0, 20, 60 and 140 ms; the next would be due at 300, when
	 * time is up (a loaded machine may push the fourth past it too). */
	assert_true(g.n_pcp_delete >= 3 && g.n_pcp_delete <= 4);
	assert_int_equal(log_count("warn ", "did not confirm removing the mapping "
	    "of TCP port 9333 within 300 ms"), 1);
	log_done();
}

static void
test_names_and_disabled_json(void **state)
{
	json_t *j = natpmp_json(NULL);

	(void)state;
	assert_true(json_is_false(json_object_get(j, "enabled")));
	assert_int_equal(json_object_size(j), 1);
	json_decref(j);
	assert_string_equal(natpmp_state_name(NATPMP_OFF), "off");
	assert_string_equal(natpmp_state_name(NATPMP_SEARCHING), "searching");
	assert_string_equal(natpmp_state_name(NATPMP_NO_GATEWAY), "no-gateway");
	assert_string_equal(natpmp_state_name(NATPMP_FAILED), "failed");
	assert_string_equal(natpmp_state_name((enum natpmp_state)99), "unknown");
	assert_string_equal(natpmp_proto_name(NATPMP_PROTO_NONE), "none");
	assert_string_equal(natpmp_proto_name(NATPMP_PROTO_NATPMP), "natpmp");
	assert_string_equal(natpmp_proto_name((enum natpmp_proto)99), "unknown");
}

/* --- the node ------------------------------------------------------------------------ */

static void
test_config_defaults(void **state)
{
	static const struct {
		const char	*net;
		bool		 on;
	} nets[] = { { "mainnet", true }, { "testnet", false }, { "regtest", false } };
	struct config c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
		config_init(&c);
		assert_int_equal(config_set(&c, "network.name", nets[i].net, err,
		    sizeof err), 0);
		assert_int_equal(config_finalize(&c, err, sizeof err), 0);
		assert_int_equal(c.node.natpmp, nets[i].on);
		assert_int_equal(c.node.natpmp_lease, 3600);
		assert_int_equal(c.node.natpmp_gateway.n, 0);
		config_free(&c);
		/* Set, it is what it says on every network. */
		config_init(&c);
		assert_int_equal(config_set(&c, "network.name", nets[i].net, err,
		    sizeof err), 0);
		assert_int_equal(config_set(&c, "node.natpmp", nets[i].on ? "false" :
		    "true", err, sizeof err), 0);
		assert_int_equal(config_finalize(&c, err, sizeof err), 0);
		assert_int_equal(c.node.natpmp, !nets[i].on);
		config_free(&c);
	}
	config_init(&c);
	assert_int_equal(config_set(&c, "node.natpmp_lease", "1", err, sizeof err), -1);
	assert_int_equal(config_set(&c, "node.natpmp_gateway", "gw.example", err,
	    sizeof err), -1);
	config_free(&c);
}

struct node_run {
	char		 dir[64];
	char		 cookie[96];
	uint16_t	 p2p, rpc;
	int		 failures;	/* checks failed in the operator thread */
	char		 failed[256];
};

/* cmocka's asserts must stay on the main thread, which runs the node. */
#define CHECK(r, cond) do { if (!(cond) && (r)->failures++ == 0) \
	snprintf((r)->failed, sizeof((r)->failed), "%s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

static uint16_t
free_tcp_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		abort();
	close(fd);
	return ntohs(sin.sin_port);
}

/* Is getnetworkinfo V's natpmp.ipv4 mapped and renewed, and does the node
 * advertise WANT? */
static bool
node_mapped(json_t *v, const char *want)
{
	json_t *f = json_object_get(json_object_get(v, "natpmp"), "ipv4");
	json_t *local = json_object_get(v, "localaddresses");
	bool listed = false;

	for (size_t i = 0; i < json_array_size(local); i++)
		if (strcmp(json_string_value(json_array_get(local, i)), want) == 0)
			listed = true;
	return listed && json_is_string(json_object_get(f, "state")) &&
	    strcmp(json_string_value(json_object_get(f, "state")), "mapped") == 0 &&
	    json_integer_value(json_object_get(f, "renewals")) >= 1;
}

/* The operator: wait for the mapping and its renewal to show in
 * getnetworkinfo, with the external address advertised, then stop. */
static void *
node_operator(void *arg)
{
	struct node_run *r = arg;
	struct event_base *base = event_base_new();
	int64_t end = clock_mono_ms() + 15000;
	struct rpc_error err;
	char want[32];
	bool ok = false;
	json_t *v;

	snprintf(want, sizeof want, "81.2.69.160:%u", r->p2p);
	while (!ok && clock_mono_ms() < end) {
		v = access(r->cookie, R_OK) != 0 ? NULL :
		    rpc_client_call_sync(base, "127.0.0.1", r->rpc, r->cookie,
		    "getnetworkinfo", json_array(), 5.0, &err);
		if (v != NULL) {
			ok = node_mapped(v, want);
			CHECK(r, json_is_true(json_object_get(json_object_get(v,
			    "natpmp"), "enabled")));
			json_decref(v);
		}
		if (!ok)
			usleep(50 * 1000);
	}
	CHECK(r, ok);
	v = rpc_client_call_sync(base, "127.0.0.1", r->rpc, r->cookie, "stop",
	    json_array(), 5.0, &err);
	CHECK(r, v != NULL);
	json_decref(v);
	event_base_free(base);
	return NULL;
}

/* The whole node on regtest with node.natpmp at a fake gateway: the
 * external address reaches getnetworkinfo's localaddresses, the mapping is
 * renewed, stopping deletes it. */
static void
test_node_maps_and_advertises(void **state)
{
	struct fake_gw g = { .grant = 2 };
	struct node_run r;
	struct config cfg;
	pthread_t t;
	char err[256], val[96];

	(void)state;
	gw_start(&g, AF_INET);
	memset(&r, 0, sizeof r);
	snprintf(r.dir, sizeof r.dir, "/tmp/test_natpmp_node.XXXXXX");
	assert_non_null(mkdtemp(r.dir));
	snprintf(r.cookie, sizeof r.cookie, "%s/.cookie", r.dir);
	r.p2p = free_tcp_port();
	r.rpc = free_tcp_port();
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "network.name", "regtest", err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "node.datadir", r.dir, err, sizeof err), 0);
	snprintf(val, sizeof val, "127.0.0.1:%u", r.p2p);
	assert_int_equal(config_set(&cfg, "node.listen", val, err, sizeof err), 0);
	snprintf(val, sizeof val, "127.0.0.1:%u", r.rpc);
	assert_int_equal(config_set(&cfg, "node.rpc_listen", val, err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "network.dns_seeds", "", err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "network.seeds", "", err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "node.natpmp", "true", err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "node.natpmp_lease", "2", err, sizeof err), 0);
	/* The first of a family counts. */
	snprintf(val, sizeof val, "127.0.0.1:%u", g.port);
	assert_int_equal(config_set(&cfg, "node.natpmp_gateway", val, err, sizeof err), 0);
	assert_int_equal(config_set(&cfg, "node.natpmp_gateway", "127.0.0.2", err,
	    sizeof err), 0);
	assert_int_equal(config_finalize(&cfg, err, sizeof err), 0);

	assert_int_equal(pthread_create(&t, NULL, node_operator, &r), 0);
	assert_int_equal(node_run(&cfg, NULL), 0);
	pthread_join(t, NULL);
	gw_stop(&g);
	if (r.failures > 0)
		fail_msg("%d checks failed, first: %s", r.failures, r.failed);
	assert_true(g.n_pcp >= 2);
	assert_int_equal(g.n_pcp_delete, 1);
	assert_int_equal(g.last_lifetime, 0);
	config_free(&cfg);
	(void)!system(((void)snprintf(val, sizeof val, "rm -rf %s", r.dir), val));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_rejects_bad_options),
		cmocka_unit_test(test_pcp_map_renew_delete),
		cmocka_unit_test(test_natpmp_fallback),
		cmocka_unit_test(test_natpmp_forced),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_silent_gateway_backoff),
		cmocka_unit_test(test_port_unreachable),
		cmocka_unit_test(test_no_default_route),
		cmocka_unit_test(test_discovered_gateways),
		cmocka_unit_test(test_ipv6_needs_pcp),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_private_external),
		cmocka_unit_test(test_gateway_restart),
		cmocka_unit_test(test_stop_bounded),
		cmocka_unit_test(test_names_and_disabled_json),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_node_maps_and_advertises),
	};

	if (hash_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
