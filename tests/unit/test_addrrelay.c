/* test_addrrelay.c -- address exchange on a fake transport and a fake clock: getaddr, intake, rate limit, relay, self-announcement. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "fake_io.h"
#include "log.h"

#define T0_MS	1700000000000LL

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

/* Send an addr message of N entries 23.200.I.1 (fresh) from C. */
static void
send_addrs(struct conn *c, int first, int n)
{
	struct msg_addr_entry e[MSG_MAX_ADDR];
	struct msg m;
	char buf[32];

	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "23.%d.%d.1:29001", 100 + (first + i) / 250,
		    (first + i) % 250);
		e[i].addr = addr_of(buf);
		e[i].services = NODE_NETWORK;
		e[i].time = (uint32_t)clock_wall();
	}
	msg_init(&m, MSG_ADDR);
	assert_int_equal(msg_addr_set(&m, e, (size_t)n), 0);
	fake_deliver(c, &m);
	msg_free(&m);
}

/* How many addresses C was sent in addr messages since the last call. */
static size_t
addrs_sent(struct conn *c, int *getaddrs)
{
	struct msg m;
	size_t n = 0;

	while (fake_next_sent(c, &m)) {
		if (m.type == MSG_ADDR)
			n += m.u.addr.count;
		if (getaddrs != NULL && m.type == MSG_GETADDR)
			(*getaddrs)++;
		msg_free(&m);
	}
	return n;
}

static void
test_outbound_asked_once_inbound_answered_once(void **state)
{
	struct stack s;
	struct conn *out, *in;
	struct msg m;
	int getaddrs = 0;

	(void)state;
	stack_init(&s, NULL, true);
	out = stack_outbound_active(&s, "23.1.0.1:29001", PEER_FULL, NULL);
	addrs_sent(out, &getaddrs);
	assert_int_equal(getaddrs, 1);
	/* The outbound peer's answer is taken in (its getaddr grant); a
	 * few land on occupied bucket positions. */
	send_addrs(out, 0, 50);
	assert_true(addrman_size(s.addrman) >= 20);
	/* We never answer whoever we dialled. */
	msg_init(&m, MSG_GETADDR);
	fake_deliver(out, &m);
	assert_int_equal(addrs_sent(out, NULL), 0);
	/* An inbound peer gets one answer, once. */
	in = stack_inbound_active(&s, "10.1.0.1:5000", NULL);
	getaddrs = 0;
	fake_deliver(in, &m);
	assert_true(addrs_sent(in, &getaddrs) > 0);
	assert_int_equal(getaddrs, 0);
	fake_deliver(in, &m);
	assert_int_equal(addrs_sent(in, NULL), 0);
	stack_free(&s);
}

static void
test_getaddr_answer_is_cached(void **state)
{
	struct stack s;
	struct conn *out, *a, *b, *c;
	struct msg m;
	size_t na, nb;

	(void)state;
	stack_init(&s, NULL, true);
	out = stack_outbound_active(&s, "23.1.0.1:29001", PEER_FULL, NULL);
	send_addrs(out, 0, 40);
	msg_init(&m, MSG_GETADDR);
	a = stack_inbound_active(&s, "10.2.0.1:5000", NULL);
	fake_deliver(a, &m);
	na = addrs_sent(a, NULL);
	/* The book grows, but the cached answer stands until it expires. */
	send_addrs(out, 100, 40);
	b = stack_inbound_active(&s, "10.2.0.2:5000", NULL);
	fake_deliver(b, &m);
	nb = addrs_sent(b, NULL);
	assert_int_equal(na, nb);
	/* Flushed (or expired) -> rebuilt from the larger book. */
	addrrelay_flush_cache(s.ar);
	c = stack_inbound_active(&s, "10.2.0.3:5000", NULL);
	fake_deliver(c, &m);
	assert_true(addrs_sent(c, NULL) > na);
	stack_free(&s);
}

static void
test_addr_flood_is_rate_limited_and_penalised(void **state)
{
	struct stack s;
	struct peer *p;
	struct conn *c;
	struct addrrelay_stats st;
	struct peerman_view v;

	(void)state;
	stack_init(&s, NULL, true);
	c = stack_inbound_active(&s, "10.3.0.1:5000", &p);
	/* One token banked (room for a self-announcement): 1 of 100 taken. */
	send_addrs(c, 0, 100);
	addrrelay_peer_stats(s.ar, p, &st);
	assert_int_equal(st.received, 1);
	assert_int_equal(st.rate_limited, 99);
	assert_true(peerman_view(s.pm, p, &v));
	assert_int_equal(v.rep->score, REP_START - 20);
	/* The bucket refills (regtest: 10 a second). */
	clock_fake_advance(1000);
	send_addrs(c, 200, 5);
	addrrelay_peer_stats(s.ar, p, &st);
	assert_int_equal(st.received, 6);
	addrrelay_stats(s.ar, &st);
	assert_int_equal(st.received, 6);
	assert_int_equal(st.rate_limited, 99);
	stack_free(&s);
}

/* A node with one outbound peer (returned, drained) and four inbound ones. */
static struct conn *
relay_stack(struct stack *s, struct conn *others[4])
{
	struct conn *from;
	char buf[32];

	stack_init(s, NULL, true);
	from = stack_outbound_active(s, "23.2.0.1:29001", PEER_FULL, NULL);
	for (int i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "10.4.0.%d:5000", i + 1);
		others[i] = stack_inbound_active(s, buf, NULL);
	}
	fake_drain(from, -1);
	return from;
}

/* Addresses the four inbound peers of relay_stack were sent since the last call. */
static size_t
relayed(struct conn *others[4])
{
	size_t total = 0;

	for (int i = 0; i < 4; i++)
		total += addrs_sent(others[i], NULL);
	return total;
}

static void
test_fresh_address_relayed_to_two_others(void **state)
{
	struct stack s;
	struct conn *from, *others[4];

	(void)state;
	from = relay_stack(&s, others);
	send_addrs(from, 0, 1);
	assert_int_equal(relayed(others), ADDRRELAY_RELAY_FANOUT);
	assert_int_equal(addrs_sent(from, NULL), 0);
	/* Big messages (a getaddr answer) are not gossiped. */
	send_addrs(from, 10, ADDRRELAY_RELAY_MAX_COUNT + 1);
	assert_int_equal(relayed(others), 0);
	stack_free(&s);
}

/* Regression (bench/propagation.sh, 100 nodes): the known sets were rings
 * of 64, so on a network of more addresses than that every peer "forgot"
 * an address within seconds and each self-announcement circled for ever
 * (250 addr messages a second per node, both cores busy).  An address a
 * peer told us is still known after a whole network's worth of others. */
static void
test_known_set_outlasts_a_network_of_addresses(void **state)
{
	struct stack s;
	struct conn *from, *others[4];

	(void)state;
	from = relay_stack(&s, others);
	for (int i = 0; i <= 250; i++)
		send_addrs(from, i, 1);
	relayed(others);
	/* The first address again, from the peer that gave it: no news. */
	send_addrs(from, 0, 1);
	assert_int_equal(relayed(others), 0);
	assert_int_equal(addrs_sent(from, NULL), 0);
	stack_free(&s);
}

static void
test_unusable_and_own_addresses_dropped(void **state)
{
	struct stack s;
	struct netaddr me = addr_of("23.3.0.9:29001");
	struct msg_addr_entry e[2];
	struct conn *c;
	struct msg m;

	(void)state;
	stack_init(&s, NULL, true);
	connman_set_local_addr(s.cm, &me);
	c = stack_outbound_active(&s, "23.3.0.1:29001", PEER_FULL, NULL);
	e[0].addr = addr_of("0.0.0.0:29001");
	e[1].addr = me;
	e[0].services = e[1].services = NODE_NETWORK;
	e[0].time = e[1].time = (uint32_t)clock_wall();
	msg_init(&m, MSG_ADDR);
	msg_addr_set(&m, e, 2);
	fake_deliver(c, &m);
	msg_free(&m);
	assert_int_equal(addrman_size(s.addrman), 0);
	stack_free(&s);
}

static void
test_self_announcement(void **state)
{
	struct stack s;
	struct netaddr me = addr_of("23.4.0.9:29001");
	struct conn *c;
	struct msg m;
	bool seen = false;

	(void)state;
	stack_init(&s, NULL, true);
	connman_set_local_addr(s.cm, &me);
	c = stack_inbound_active(&s, "10.5.0.1:5000", NULL);
	/* stack_inbound_active drained the handshake; announce on next tick */
	clock_fake_advance(ADDRRELAY_SELF_INTERVAL_REGTEST * 2 * 1000LL);
	connman_tick(s.cm, clock_wall_ms());
	while (fake_next_sent(c, &m)) {
		if (m.type == MSG_ADDR && m.u.addr.count == 1 &&
		    netaddr_equal(&m.u.addr.entries[0].addr, &me))
			seen = true;
		msg_free(&m);
	}
	assert_true(seen);
	/* Not again at once. */
	connman_tick(s.cm, clock_wall_ms());
	assert_int_equal(addrs_sent(c, NULL), 0);
	stack_free(&s);
}

/* Did C ever get an addr message naming A?  (Reads everything C was sent.) */
static bool
ever_sent_addr(struct conn *c, const char *a)
{
	struct netaddr want = addr_of(a);
	bool found = false;
	struct msg m;

	c->read_pos = 0;
	while (fake_next_sent(c, &m)) {
		for (size_t i = 0; m.type == MSG_ADDR && i < m.u.addr.count; i++)
			found |= netaddr_equal(&m.u.addr.entries[i].addr, &want);
		msg_free(&m);
	}
	return found;
}

static void
send_one(struct conn *c, const char *a)
{
	struct msg_addr_entry e = { .addr = addr_of(a), .services = NODE_NETWORK,
	    .time = (uint32_t)clock_wall() };
	struct msg m;

	msg_init(&m, MSG_ADDR);
	assert_int_equal(msg_addr_set(&m, &e, 1), 0);
	fake_deliver(c, &m);
	msg_free(&m);
}

/* Issue 15 item 19: on mainnet a LAN network joined with --seed-node never
 * meshed: private addresses were dropped silently.  Now they are taken
 * from, kept for and relayed to peers on the same private network only,
 * and one dropped from elsewhere is said once and counted. */
static void
test_lan_private_addresses_stay_local(void **state)
{
	struct stack s;
	struct conn *a, *b, *pub;
	struct netaddr self = addr_of("10.0.0.1:9001"), lan = addr_of("10.0.0.9:9001");
	struct netaddr other = addr_of("10.0.0.7:9001"), far = addr_of("192.168.5.5:9001");
	struct addrman_info info;
	struct addrrelay_stats st;
	struct msg m;

	(void)state;
	stack_init(&s, (const char *const[]){ "network.name=mainnet", NULL }, true);
	connman_set_local_addr(s.cm, &self);
	a = stack_inbound_active(&s, "10.0.0.2:5000", NULL);
	b = stack_inbound_active(&s, "10.0.0.3:5000", NULL);
	pub = stack_inbound_active(&s, "23.1.0.1:5000", NULL);
	/* Our private address goes to the LAN peers only. */
	assert_true(ever_sent_addr(a, "10.0.0.1:9001"));
	assert_false(ever_sent_addr(pub, "10.0.0.1:9001"));
	/* A LAN peer's news: kept, relayed on the LAN, not to the Internet. */
	send_one(a, "10.0.0.9:9001");
	assert_int_equal(addrman_find(s.addrman, &lan, &info), 0);
	assert_true(ever_sent_addr(b, "10.0.0.9:9001"));
	assert_false(ever_sent_addr(pub, "10.0.0.9:9001"));
	assert_true(connman_addr_usable(s.cm, &lan));
	assert_false(connman_addr_usable(s.cm, &far));	/* not a network we are on */
	/* The public peer's private address: dropped and counted. */
	send_one(pub, "10.0.0.7:9001");
	assert_int_equal(addrman_find(s.addrman, &other, &info), -1);
	addrrelay_stats(s.ar, &st);
	assert_int_equal(st.private_ignored, 1);
	/* getaddr: the LAN entries for LAN peers only. */
	msg_init(&m, MSG_GETADDR);
	fake_deliver(pub, &m);
	fake_deliver(b, &m);
	assert_false(ever_sent_addr(pub, "10.0.0.9:9001"));
	stack_free(&s);
}

static void
test_registration_refused_when_table_full(void **state)
{
	struct stack s;
	struct peer_handler h = { .name = "filler" };
	struct addrrelay *late;

	(void)state;
	stack_init(&s, NULL, true);
	while (peerman_add_handler(s.pm, &h) != -1)
		;
	late = addrrelay_new(&(struct addrrelay_opts){ .cfg = &s.cfg, .addrman = s.addrman,
	    .connman = s.cm, .peerman = s.pm });
	assert_null(late);
	stack_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outbound_asked_once_inbound_answered_once),
		cmocka_unit_test(test_getaddr_answer_is_cached),
		cmocka_unit_test(test_addr_flood_is_rate_limited_and_penalised),
		cmocka_unit_test(test_fresh_address_relayed_to_two_others),
		cmocka_unit_test(test_known_set_outlasts_a_network_of_addresses),
		cmocka_unit_test(test_unusable_and_own_addresses_dropped),
		cmocka_unit_test(test_self_announcement),
		cmocka_unit_test(test_lan_private_addresses_stay_local),
		cmocka_unit_test(test_registration_refused_when_table_full),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
