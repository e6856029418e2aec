/* test_connman.c -- the connection manager on a fake transport and a fake clock: slots, eviction, outbound, manual nodes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_io.h"
#include "../../node/eviction.h"
#include "held_dns.h"
#include "../../node/manual.h"
#include "log.h"
#include "resolver.h"


static int
setup(void **state)
{
	(void)state;
	log_set_level(LOGL_ERROR);
	clock_fake_start(T0_MS);
	return hash_init();
}

static int
teardown(void **state)
{
	(void)state;
	clock_fake_stop();
	return 0;
}

static void
tick(struct stack *s)
{
	connman_tick(s->cm, clock_wall_ms());
}

/* --- slots ------------------------------------------------------------------ */

static void
test_counts_and_inbound_share(void **state)
{
	struct stack s;
	struct connman_counts cnt;

	(void)state;
	stack_init(&s, (const char *const[]){ "network.min_peers=8", "network.max_peers=20", NULL },
	    false);
	stack_inbound_active(&s, "10.1.0.1:5000", NULL);
	stack_outbound_active(&s, "10.1.0.2:29001", PEER_FULL, NULL);
	stack_outbound_active(&s, "10.1.0.3:29001", PEER_MANUAL, NULL);
	connman_counts(s.cm, &cnt);
	assert_int_equal(cnt.inbound, 1);
	assert_int_equal(cnt.outbound, 1);
	assert_int_equal(cnt.manual, 1);
	assert_int_equal(cnt.feeler, 0);
	/* max_peers - min_peers - one feeler */
	assert_int_equal(cnt.max_inbound, 11);
	stack_free(&s);
	/* A seed keeps back only what it really uses. */
	stack_init(&s, (const char *const[]){ "network.min_peers=8", "network.max_peers=20",
	    "node.seed=true", NULL }, false);
	stack_outbound_active(&s, "10.1.0.2:29001", PEER_FULL, NULL);
	connman_counts(s.cm, &cnt);
	assert_int_equal(cnt.max_inbound, 19);
	stack_free(&s);
}

static void
test_per_ip_cap(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.2.0.1:7000");
	const char *why;

	(void)state;
	stack_init(&s, (const char *const[]){ "node.max_inbound_per_ip=2", NULL }, false);
	assert_non_null(connman_accept(s.cm, -1, &a, &why));
	a.port++;
	assert_non_null(connman_accept(s.cm, -1, &a, &why));
	a.port++;
	assert_null(connman_accept(s.cm, -1, &a, &why));
	assert_string_equal(why, "too many connections from this address");
	assert_int_equal(connman_stats(s.cm)->inbound_refused, 1);
	assert_int_equal(connman_stats(s.cm)->inbound_accepted, 2);
	stack_free(&s);
}

static void
test_inbound_full_when_everyone_is_protected(void **state)
{
	struct stack s;
	struct netaddr a;
	const char *why;
	char buf[32];

	(void)state;
	/* 4 inbound slots: all four are protected by netgroup. */
	stack_init(&s, (const char *const[]){ "network.min_peers=1", "network.max_peers=6", NULL },
	    false);
	for (int i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "10.3.0.%d:5000", i + 1);
		stack_inbound_active(&s, buf, NULL);
	}
	a = addr_of("10.3.1.1:5000");
	assert_null(connman_accept(s.cm, -1, &a, &why));
	assert_string_equal(why, "inbound slots full");
	assert_int_equal(connman_stats(s.cm)->evictions, 0);
	stack_free(&s);
}

static void
test_make_room_evicts_from_crowded_netgroup(void **state)
{
	struct stack s;
	struct connman_counts cnt;
	struct netaddr a, crowd = addr_of("10.4.9.9:1");
	struct peer *p;
	const char *why;
	char buf[32];
	unsigned crowded = 0;

	(void)state;
	/* 14 inbound slots: 4 distinct hosts, 10 connections from one host. */
	stack_init(&s, (const char *const[]){ "network.min_peers=1", "network.max_peers=16",
	    "node.max_inbound_per_ip=20", NULL }, false);
	/* The distinct hosts answer pings fast, the crowd slowly: once the
	 * fast ones are protected, only the crowd is left to choose from. */
	for (int i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "10.4.0.%d:5000", i + 1);
		stack_inbound_active(&s, buf, &p);
		connman_peer_ping(s.cm, p, 10);
	}
	for (int i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "10.4.9.9:%d", 6000 + i);
		stack_inbound_active(&s, buf, &p);
		connman_peer_ping(s.cm, p, 500 + i);
		clock_fake_advance(1000);
	}
	/* Past the window that keeps fresh handshakes safe. */
	clock_fake_advance(EVICT_RECENT_MS);
	a = addr_of("10.4.7.7:5000");
	p = connman_accept(s.cm, -1, &a, &why);
	assert_non_null(p);
	assert_int_equal(connman_stats(s.cm)->evictions, 1);
	connman_counts(s.cm, &cnt);
	assert_int_equal(cnt.inbound, 14);
	for (p = connman_peer_first(s.cm); p != NULL; p = connman_peer_next(p))
		crowded += netaddr_same_ip(&p->addr, &crowd);
	assert_int_equal(crowded, 9);	/* the victim came from the crowd */
	stack_free(&s);
}

/* Issue 15 item 6: a newcomer was evicted 50 ms after its handshake while
 * 300 sources reconnected at 20/s.  The flood's silent connections make
 * room for each other; the newcomer and the established peers stay. */
static void
test_newcomer_survives_connection_flood(void **state)
{
	struct stack s;
	struct peer *p, *newcomer;
	const char *why;
	char buf[32];
	unsigned established = 0;

	(void)state;
	stack_init(&s, (const char *const[]){ "network.min_peers=1", "network.max_peers=16",
	    NULL }, false);
	/* 14 inbound slots: 12 established, the newcomer, one free. */
	for (int i = 0; i < 12; i++) {
		snprintf(buf, sizeof(buf), "10.6.%d.1:5000", i);
		stack_inbound_active(&s, buf, &p);
		connman_peer_ping(s.cm, p, 20 + i);
		clock_fake_advance(1000);
	}
	clock_fake_advance(EVICT_RECENT_MS);
	stack_inbound_active(&s, "10.7.0.1:5000", &newcomer);
	for (int i = 0; i < 300; i++) {
		struct netaddr a;

		clock_fake_advance(50);
		snprintf(buf, sizeof(buf), "10.8.%d.%d:%d", i / 250, i % 250 + 1, 7000 + i);
		a = addr_of(buf);
		assert_non_null(connman_accept(s.cm, -1, &a, &why));
		connman_reap(s.cm);
		assert_false(newcomer->gone);
	}
	for (p = connman_peer_first(s.cm); p != NULL; p = connman_peer_next(p))
		established += p->active && p != newcomer;
	assert_int_equal(established, 12);
	assert_int_equal(connman_stats(s.cm)->evictions, 299);
	stack_free(&s);
}

/* --- outbound ---------------------------------------------------------------- */

static void
book_add(struct stack *s, const char *addr)
{
	struct netaddr a = addr_of(addr), src = addr_of("1.1.1.1:29001");

	/* Some land in an occupied bucket position; tests count the book. */
	addrman_add(s->addrman, &a, NODE_NETWORK, clock_wall() - 60, &src, 0, clock_wall());
}

static void
test_outbound_fill_two_per_tick(void **state)
{
	struct stack s;
	struct connman_counts cnt;
	char buf[32];

	(void)state;
	stack_init(&s, (const char *const[]){ "network.min_peers=4", "network.max_peers=20", NULL },
	    false);
	for (int i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "23.%d.0.1:29001", 10 + i);
		book_add(&s, buf);
	}
	assert_true(addrman_size(s.addrman) >= 6);
	tick(&s);
	connman_counts(s.cm, &cnt);
	assert_int_equal(cnt.outbound, 2);
	assert_int_equal(connman_stats(s.cm)->outbound_attempts, 2);
	tick(&s);
	tick(&s);
	connman_counts(s.cm, &cnt);
	assert_int_equal(cnt.outbound, 4);	/* min_peers, no more */
	stack_free(&s);
}

static void
test_outbound_one_per_netgroup(void **state)
{
	struct stack s;
	struct connman_counts cnt;
	char buf[32];

	(void)state;
	stack_init(&s, (const char *const[]){ "network.min_peers=4", NULL }, false);
	for (int i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "23.50.%d.1:29001", i);	/* one /16 */
		book_add(&s, buf);
	}
	assert_true(addrman_size(s.addrman) >= 2);
	for (int i = 0; i < 5; i++)
		tick(&s);
	connman_counts(s.cm, &cnt);
	assert_int_equal(cnt.outbound, 1);
	stack_free(&s);
}

static void
test_feeler_tests_new_address_then_leaves(void **state)
{
	struct stack s;
	struct connman_counts cnt;
	struct addrman_info info;
	struct conn *c;
	struct peer *p;
	struct msg m;

	(void)state;
	stack_init(&s, (const char *const[]){ "network.min_peers=1", NULL }, false);
	stack_outbound_active(&s, "23.60.0.1:29001", PEER_FULL, NULL);
	book_add(&s, "23.61.0.1:29001");
	clock_fake_advance((CONNMAN_FEELER_INTERVAL + 1) * 1000LL);
	tick(&s);
	connman_counts(s.cm, &cnt);
	assert_int_equal(cnt.feeler, 1);
	c = fake_last(&s.io);
	p = c->arg;
	assert_int_equal(p->kind, PEER_FEELER);
	fake_connected(c);
	fake_version(&m, 77, 0, NODE_NETWORK);
	fake_deliver(c, &m);
	msg_init(&m, MSG_VERACK);
	fake_deliver(c, &m);
	assert_true(c->closed);
	assert_true(c->flushed);
	assert_int_equal(addrman_find(s.addrman, &p->addr, &info), 0);
	assert_true(info.tried);
	stack_free(&s);
}

static void
test_connect_refusals(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("23.70.0.1:29001"), me = addr_of("23.70.0.9:29001");
	struct ban_subnet sub;
	const char *why;
	char err[128];

	(void)state;
	stack_init(&s, NULL, false);
	connman_set_local_addr(s.cm, &me);
	assert_null(connman_connect(s.cm, &me, PEER_FULL, &why));
	assert_string_equal(why, "that is our own address");
	assert_non_null(connman_connect(s.cm, &a, PEER_FULL, &why));
	assert_null(connman_connect(s.cm, &a, PEER_FULL, &why));
	assert_string_equal(why, "already connected");
	a = addr_of("23.71.0.1:29001");
	banman_subnet_from_addr(&sub, &a);
	assert_int_equal(banman_ban(s.banman, &sub, clock_wall() + 60, "test", clock_wall(),
	    err, sizeof(err)), 0);
	assert_null(connman_connect(s.cm, &a, PEER_FULL, &why));
	assert_string_equal(why, "banned");
	assert_false(connman_addr_usable(s.cm, &a));
	a = addr_of("0.0.0.0:29001");
	assert_null(connman_connect(s.cm, &a, PEER_FULL, &why));
	assert_string_equal(why, "not a usable address on this network");
	s.io.refuse_dial = true;
	a = addr_of("23.72.0.1:29001");
	assert_null(connman_connect(s.cm, &a, PEER_FULL, &why));
	assert_string_equal(why, "cannot dial: fake: no socket");
	assert_int_equal(connman_stats(s.cm)->outbound_failures, 1);
	stack_free(&s);
}

static void
test_refused_dial_and_outbound_learns_local_address(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("23.80.0.1:29001");
	const char *why;
	struct conn *c;

	(void)state;
	stack_init(&s, NULL, false);
	connman_connect(s.cm, &a, PEER_FULL, &why);
	c = fake_last(&s.io);
	fake_end(c, CONN_END_REFUSED, MSG_OK);
	assert_true(c->closed);
	assert_int_equal(connman_stats(s.cm)->outbound_failures, 1);
	/* Without a listener nothing we hear is worth advertising. */
	stack_outbound_active(&s, "23.81.0.1:29001", PEER_FULL, NULL);
	assert_false(connman_local_addr(s.cm, NULL));
	stack_free(&s);
}

/* A refused dial counts against the address; one that failed at the
 * proxy does not (the proxy was down, not the peer), and the transport's
 * own words name the reason. */
static void
test_proxy_failure_spares_the_address(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("23.90.0.1:29001"), b = addr_of("23.91.0.1:29001");
	struct addrman_info info;
	const char *why;
	char gone[128];
	uint64_t id;
	struct conn *c;

	(void)state;
	stack_init(&s, NULL, false);
	book_add(&s, "23.90.0.1:29001");
	book_add(&s, "23.91.0.1:29001");
	id = connman_connect(s.cm, &a, PEER_FULL, &why)->id;
	c = fake_last(&s.io);
	c->proxy_fault = true;
	c->end_reason = "SOCKS5 proxy 127.0.0.1:9050 unreachable: Connection refused";
	fake_end(c, CONN_END_REFUSED, MSG_OK);
	assert_int_equal(addrman_find(s.addrman, &a, &info), 0);
	assert_int_equal(info.attempts, 0);
	assert_string_equal(connman_gone_reason(s.cm, id, gone, sizeof(gone)),
	    "SOCKS5 proxy 127.0.0.1:9050 unreachable: Connection refused");
	connman_connect(s.cm, &b, PEER_FULL, &why);
	fake_end(fake_last(&s.io), CONN_END_REFUSED, MSG_OK);
	assert_int_equal(addrman_find(s.addrman, &b, &info), 0);
	assert_int_equal(info.attempts, 1);
	assert_int_equal(connman_stats(s.cm)->outbound_failures, 2);
	stack_free(&s);
}

static void
test_stop_disconnects_and_refuses(void **state)
{
	struct stack s;
	struct netaddr a = addr_of("10.9.0.1:5000");
	struct conn *c;
	const char *why;

	(void)state;
	stack_init(&s, NULL, false);
	c = stack_inbound_active(&s, "10.9.0.2:5000", NULL);
	connman_stop(s.cm);
	assert_true(c->closed);
	assert_true(c->flushed);
	assert_null(connman_peer_first(s.cm));
	assert_null(connman_accept(s.cm, -1, &a, &why));
	assert_string_equal(why, "shutting down");
	assert_null(connman_connect(s.cm, &a, PEER_MANUAL, &why));
	assert_string_equal(why, "shutting down");
	stack_free(&s);
}

static void
test_bytes_of_closed_peers_are_kept(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;

	(void)state;
	stack_init(&s, NULL, false);
	c = stack_inbound_active(&s, "10.10.0.1:5000", &p);
	assert_true(c->stats.bytes_recv > 0 && c->stats.bytes_sent > 0);
	connman_disconnect(s.cm, p, "test", false);
	assert_int_equal(connman_stats(s.cm)->bytes_recv_closed, c->stats.bytes_recv);
	assert_int_equal(connman_stats(s.cm)->bytes_sent_closed, c->stats.bytes_sent);
	/* disconnect is idempotent */
	connman_disconnect(s.cm, p, "again", false);
	assert_int_equal(connman_stats(s.cm)->bytes_recv_closed, c->stats.bytes_recv);
	assert_ptr_equal(connman_peer_find(s.cm, p->id), NULL);
	stack_free(&s);
}

static void
test_change_tracking(void **state)
{
	struct stack s;
	struct peer *p, *q;
	struct conn *c;
	uint64_t v, ids[8];
	char reason[64];
	struct msg m;

	(void)state;
	stack_init(&s, NULL, false);
	c = stack_inbound_active(&s, "10.11.0.1:5000", &p);
	stack_inbound_active(&s, "10.11.0.2:5000", &q);
	v = connman_version(s.cm);
	assert_true(p->changed <= v && q->changed <= v);
	/* A message in moves the peer past V; the other stays. */
	msg_ping_init(&m, 5);
	fake_deliver(c, &m);
	assert_true(p->changed > v);
	assert_true(q->changed <= v);
	assert_int_equal(connman_removed_since(s.cm, v, ids, 8), 0);
	connman_disconnect(s.cm, q, "test reason", false);
	assert_int_equal(connman_removed_since(s.cm, v, ids, 8), 1);
	assert_int_equal(ids[0], q->id);
	assert_string_equal(connman_gone_reason(s.cm, q->id, reason, sizeof(reason)), "test reason");
	assert_string_equal(connman_gone_reason(s.cm, 9999, reason, sizeof(reason)), "");
	stack_free(&s);
}

static void
test_change_tracking_forgets_old_departures(void **state)
{
	struct stack s;
	struct peer *p;
	uint64_t v, ids[8];

	(void)state;
	stack_init(&s, NULL, false);
	v = connman_version(s.cm);
	for (int i = 0; i < 4097; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "10.12.0.1:%d", 1000 + i);
		stack_inbound_active(&s, buf, &p);
		connman_disconnect(s.cm, p, "churn", false);
		connman_reap(s.cm);
	}
	/* More departures than remembered: the caller must take a full list. */
	assert_int_equal(connman_removed_since(s.cm, v, ids, 8), -1);
	assert_int_equal(connman_removed_since(s.cm, connman_version(s.cm) - 3, ids, 8), 1);
	stack_free(&s);
}

/* --- manual nodes ---------------------------------------------------------------- */

static void
test_manual_add_remove_and_dial(void **state)
{
	struct stack s;
	const struct manual *m;
	const struct manual_node *mn;
	struct conn *c;
	char err[128];

	(void)state;
	stack_init(&s, NULL, false);
	assert_int_equal(connman_add_manual(s.cm, "23.90.0.1:29005", err, sizeof(err)), 0);
	assert_int_equal(connman_add_manual(s.cm, "23.90.0.1:29005", err, sizeof(err)), -1);
	assert_string_equal(err, "23.90.0.1:29005 is already added");
	assert_int_equal(connman_add_manual(s.cm, "[::1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "malformed"));
	m = connman_manual(s.cm);
	assert_int_equal(manual_count(m), 1);
	mn = manual_at(m, 0);
	assert_true(mn->resolved);
	assert_int_equal(mn->addr.port, 29005);
	/* Dialled on the next tick; refused -> back-off doubles. */
	tick(&s);
	assert_int_not_equal(mn->peer_id, 0);
	c = fake_last(&s.io);
	fake_end(c, CONN_END_REFUSED, MSG_OK);
	assert_int_equal(mn->peer_id, 0);
	assert_int_equal(mn->failures, 1);
	assert_string_equal(mn->last_error, "connection refused");
	assert_int_equal(mn->next_try - clock_mono_ms() / 1000, MANUAL_RETRY << 1);
	/* Not before its time. */
	clock_fake_advance(MANUAL_RETRY * 1000LL);
	tick(&s);
	assert_int_equal(mn->peer_id, 0);
	clock_fake_advance(MANUAL_RETRY * 1000LL + 1000);
	tick(&s);
	assert_int_not_equal(mn->peer_id, 0);
	/* A completed handshake resets the back-off. */
	c = fake_last(&s.io);
	fake_connected(c);
	struct msg v;
	fake_version(&v, 78, 0, 0);
	fake_deliver(c, &v);
	msg_init(&v, MSG_VERACK);
	fake_deliver(c, &v);
	connman_disconnect(s.cm, c->arg, "test", false);
	assert_int_equal(mn->failures, 0);
	assert_int_equal(connman_remove_manual(s.cm, "23.90.0.1:29005"), 0);
	assert_int_equal(connman_remove_manual(s.cm, "23.90.0.1:29005"), -1);
	assert_int_equal(manual_count(m), 0);
	stack_free(&s);
}

static void
test_manual_list_is_bounded(void **state)
{
	struct stack s;
	char buf[32], err[128];

	(void)state;
	stack_init(&s, NULL, false);
	for (int i = 0; i < MANUAL_MAX; i++) {
		snprintf(buf, sizeof(buf), "23.91.0.%d:29001", i + 1);
		assert_int_equal(connman_add_manual(s.cm, buf, err, sizeof(err)), 0);
	}
	assert_int_equal(connman_add_manual(s.cm, "23.91.1.1:29001", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most"));
	stack_free(&s);
}

/* The bug: removing a manual node compacted the array while a look-up for
 * a later entry held a pointer into it, so the late answer landed in
 * another entry (y.test's address dialled with z.test's port) and y.test
 * stayed "resolving" for ever. */
static void
test_addnode_remove_during_lookup(void **state)
{
	struct stack s;
	struct held_dns d;
	struct resolver *r;
	const struct manual *m;
	const struct manual_node *y, *z;
	char server[32], err[128];

	(void)state;
	stack_init(&s, NULL, false);
	held_dns_open(&d);
	snprintf(server, sizeof(server), "127.0.0.1:%u", d.port);
	r = resolver_new(s.base, server, err, sizeof(err));
	assert_non_null(r);
	/* connman with a resolver: rebuild it on the same stack */
	connman_free(s.cm);
	s.cm = connman_new(&(struct connman_opts){ .base = s.base, .cfg = &s.cfg,
	    .addrman = s.addrman, .banman = s.banman, .resolver = r, .io = &s.io.ops });
	peerman_free(s.pm);
	s.pm = peerman_new(&(struct peerman_opts){ .cfg = &s.cfg, .connman = s.cm,
	    .banman = s.banman, .repmem = s.repmem, .user_agent = "/test:1/" });
	m = connman_manual(s.cm);
	assert_int_equal(connman_add_manual(s.cm, "127.0.0.1:1", err, sizeof(err)), 0);
	assert_int_equal(connman_add_manual(s.cm, "y.test:29001", err, sizeof(err)), 0);
	s.io.refuse_dial = true;	/* 127.0.0.1:1 goes nowhere */
	tick(&s);
	y = manual_at(m, 1);
	assert_true(y->resolving);
	held_dns_wait(&s, &d, 2);	/* A and AAAA for y.test, held */
	/* Removal is never refused because of a running look-up. */
	assert_int_equal(connman_remove_manual(s.cm, "127.0.0.1:1"), 0);
	assert_int_equal(connman_add_manual(s.cm, "z.test:29002", err, sizeof(err)), 0);
	assert_int_equal(manual_count(m), 2);
	y = manual_at(m, 0);
	z = manual_at(m, 1);
	assert_string_equal(z->hostport, "z.test:29002");
	/* y.test's late answer lands on y.test, not on z.test. */
	held_dns_answer(&d, "10.77.0.1");
	loop_until_resolved(&s, r);
	assert_false(y->resolving);
	assert_true(y->resolved);
	assert_memory_equal(y->addr.ip, addr_of("10.77.0.1:1").ip, 16);
	assert_int_equal(y->addr.port, 29001);
	assert_false(z->resolved);
	assert_int_equal(z->addr.port, 29002);
	/* A look-up whose entry is removed meanwhile finds it gone. */
	tick(&s);
	assert_true(z->resolving);
	held_dns_wait(&s, &d, 2);
	assert_int_equal(connman_remove_manual(s.cm, "z.test:29002"), 0);
	held_dns_answer(&d, "10.77.0.2");
	loop_until_resolved(&s, r);
	assert_int_equal(manual_count(m), 1);
	assert_string_equal(manual_at(m, 0)->hostport, "y.test:29001");
	resolver_free(r);
	close(d.fd);
	stack_free(&s);
}

static void
test_manual_without_resolver(void **state)
{
	struct stack s;
	const struct manual_node *mn;
	char err[128];

	(void)state;
	stack_init(&s, NULL, false);
	assert_int_equal(connman_add_manual(s.cm, "nowhere.test:29001", err, sizeof(err)), 0);
	tick(&s);
	mn = manual_at(connman_manual(s.cm), 0);
	assert_false(mn->resolved);
	assert_false(mn->resolving);
	assert_string_equal(mn->last_error, "no DNS resolver");
	assert_non_null(manual_find(connman_manual(s.cm), mn->id));
	assert_null(manual_find(connman_manual(s.cm), mn->id + 1));
	stack_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_inbound_share),
		cmocka_unit_test(test_per_ip_cap),
		cmocka_unit_test(test_inbound_full_when_everyone_is_protected),
		cmocka_unit_test(test_make_room_evicts_from_crowded_netgroup),
		cmocka_unit_test(test_newcomer_survives_connection_flood),
		cmocka_unit_test(test_outbound_fill_two_per_tick),
		cmocka_unit_test(test_outbound_one_per_netgroup),
		cmocka_unit_test(test_feeler_tests_new_address_then_leaves),
		cmocka_unit_test(test_connect_refusals),
		cmocka_unit_test(test_refused_dial_and_outbound_learns_local_address),
		cmocka_unit_test(test_stop_disconnects_and_refuses),
		cmocka_unit_test(test_bytes_of_closed_peers_are_kept),
		cmocka_unit_test(test_change_tracking),
		cmocka_unit_test(test_change_tracking_forgets_old_departures),
		cmocka_unit_test(test_manual_add_remove_and_dial),
		cmocka_unit_test(test_manual_list_is_bounded),
		cmocka_unit_test(test_addnode_remove_during_lookup),
		cmocka_unit_test(test_proxy_failure_spares_the_address),
		cmocka_unit_test(test_manual_without_resolver),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
