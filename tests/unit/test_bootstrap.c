/* test_bootstrap.c -- finding the first peers, on a fake clock and a DNS server the test controls. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_io.h"
#include "held_dns.h"
#include "../../node/bootstrap.h"
#include "log.h"

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

struct fixture {
	struct stack		 s;
	struct held_dns		 d;
	struct resolver		*r;
	struct bootstrap	*bs;
};

static void
fixture_init(struct fixture *f, const char *const *settings, bool with_resolver)
{
	char server[32], err[128];

	stack_init(&f->s, settings, false);
	f->r = NULL;
	f->d.fd = -1;
	if (with_resolver) {
		held_dns_open(&f->d);
		snprintf(server, sizeof(server), "127.0.0.1:%u", f->d.port);
		f->r = resolver_new(f->s.base, server, err, sizeof(err));
		assert_non_null(f->r);
	}
	f->bs = bootstrap_new(&(struct bootstrap_opts){ .cfg = &f->s.cfg,
	    .addrman = f->s.addrman, .connman = f->s.cm, .resolver = f->r });
}

static void
fixture_free(struct fixture *f)
{
	resolver_free(f->r);
	bootstrap_free(f->bs);
	if (f->d.fd >= 0)
		close(f->d.fd);
	stack_free(&f->s);
}

static void
bs_tick(struct fixture *f)
{
	bootstrap_tick(f->bs, clock_mono_ms() / 1000);
}

static void
test_literal_seeds_when_book_empty(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=",
	    "network.seeds=23.5.0.1:29001", "network.seeds=23.6.0.1", NULL }, false);
	bs_tick(&f);
	assert_int_equal(addrman_size(f.s.addrman), 2);
	fixture_free(&f);
}

static void
test_dns_seed_asked_when_book_nearly_empty(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=seed.test", NULL }, true);
	bs_tick(&f);
	held_dns_wait(&f.s, &f.d, 2);
	held_dns_answer(&f.d, "23.7.0.1");
	loop_until_resolved(&f.s, f.r);
	assert_int_equal(addrman_size(f.s.addrman), 1);
	/* asked once: nothing more goes out */
	bs_tick(&f);
	assert_int_equal(resolver_pending(f.r), 0);
	fixture_free(&f);
}

static void
book_fill(struct stack *s, int n)
{
	struct netaddr src = addr_of("1.1.1.1:29001");
	char buf[32];

	for (int i = 0; i < n; i++) {
		struct netaddr a;
		snprintf(buf, sizeof(buf), "23.%d.0.1:29001", 20 + i);
		a = addr_of(buf);
		addrman_add(s->addrman, &a, NODE_NETWORK, clock_wall() - 60, &src, 0, clock_wall());
	}
}

static void
test_dns_seed_after_eleven_seconds_without_outbound(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=seed.test", NULL }, true);
	book_fill(&f.s, 20);
	assert_true(addrman_size(f.s.addrman) >= BOOTSTRAP_NEARLY_EMPTY);
	bs_tick(&f);
	assert_int_equal(resolver_pending(f.r), 0);	/* the book is enough, for now */
	clock_fake_advance(BOOTSTRAP_DNS_DELAY * 1000LL);
	bs_tick(&f);
	assert_int_equal(resolver_pending(f.r), 1);	/* no outbound yet: ask DNS */
	held_dns_wait(&f.s, &f.d, 2);
	held_dns_answer(&f.d, "23.8.0.1");
	loop_until_resolved(&f.s, f.r);
	fixture_free(&f);
}

static void
test_dns_not_asked_once_connected(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=seed.test", NULL }, true);
	book_fill(&f.s, 20);
	stack_outbound_active(&f.s, "23.9.0.1:29001", PEER_FULL, NULL);
	clock_fake_advance(BOOTSTRAP_DNS_DELAY * 2000LL);
	bs_tick(&f);
	assert_int_equal(resolver_pending(f.r), 0);
	fixture_free(&f);
}

static void
test_fixed_seeds_last_resort(void **state)
{
	struct fixture f;

	(void)state;
	/* DNS seeds configured, but no resolver: the fixed seeds follow
	 * once the book is still empty after the delay. */
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=seed.test",
	    "network.seeds=23.10.0.1:29001", NULL }, false);
	bs_tick(&f);
	assert_int_equal(addrman_size(f.s.addrman), 0);
	clock_fake_advance(BOOTSTRAP_FIXED_DELAY * 1000LL);
	bs_tick(&f);
	assert_int_equal(addrman_size(f.s.addrman), 1);
	fixture_free(&f);
}

static void
test_banned_seed_addresses_skipped(void **state)
{
	struct fixture f;
	struct netaddr a = addr_of("23.11.0.1:29001");
	struct ban_subnet sub;
	char err[128];

	(void)state;
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=",
	    "network.seeds=23.11.0.1:29001", NULL }, false);
	banman_subnet_from_addr(&sub, &a);
	banman_ban(f.s.banman, &sub, clock_wall() + 60, "test", clock_wall(), err, sizeof(err));
	bs_tick(&f);
	assert_int_equal(addrman_size(f.s.addrman), 0);
	fixture_free(&f);
}

/* Issue 15 item 18: a node asked its seeds once per process and then
 * stayed silent for ever; with DNS down it waited 30 s for the fixed ones.
 * Now DNS that gives nothing brings the fixed seeds at once, and a node
 * without a peer asks again with back-off and says why it is alone. */
static void
test_no_peers_keeps_asking_seeds(void **state)
{
	struct fixture f;
	struct bootstrap_status st;

	(void)state;
	clock_fake_start(T0_MS);	/* held_dns_wait goes back there */
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=seed.test",
	    "network.seeds=23.30.0.1:29001", NULL }, true);
	bs_tick(&f);
	held_dns_wait(&f.s, &f.d, 2);
	/* The DNS seed answers with nothing usable (as good as down). */
	held_dns_answer(&f.d, "192.0.2.1");
	loop_until_resolved(&f.s, f.r);
	assert_int_equal(addrman_size(f.s.addrman), 1);	/* the fixed seed, at once */
	bs_tick(&f);
	bootstrap_status(f.bs, &st);
	assert_true(st.alone);
	assert_int_equal(st.rounds, 1);
	assert_int_equal(st.fixed_total, 1);
	assert_int_equal(st.fixed_usable, 1);
	assert_non_null(strstr(st.reason, "1 addresses known, none connected"));
	assert_non_null(strstr(st.reason, "seed.test: 1 addresses, 0 usable"));
	assert_non_null(strstr(st.reason, "asking the seeds again in"));
	assert_true(st.next_retry_in > 0 && st.next_retry_in <= BOOTSTRAP_RETRY_MIN);
	/* Still alone a minute later: the seeds again, then twice as late. */
	clock_fake_advance(BOOTSTRAP_RETRY_MIN * 1000LL);
	bs_tick(&f);
	assert_int_equal(resolver_pending(f.r), 1);
	bootstrap_status(f.bs, &st);
	assert_int_equal(st.rounds, 2);
	assert_int_equal(st.next_retry_in, 2 * BOOTSTRAP_RETRY_MIN);
	assert_true(st.alone_seconds >= BOOTSTRAP_RETRY_MIN);
	/* A peer: no longer alone, nothing to explain. */
	stack_outbound_active(&f.s, "23.30.0.1:29001", PEER_FULL, NULL);
	bs_tick(&f);
	bootstrap_status(f.bs, &st);
	assert_false(st.alone);
	assert_string_equal(st.reason, "");
	assert_int_equal(st.next_retry_in, -1);
	fixture_free(&f);
}

static void
test_alone_says_why(void **state)
{
	struct fixture f;
	struct bootstrap_status st;

	(void)state;
	/* Nothing to ask at all. */
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=", "network.seeds=", NULL },
	    false);
	bs_tick(&f);
	clock_fake_advance(BOOTSTRAP_LONELY_WARN * 1000LL);
	bs_tick(&f);
	bootstrap_status(f.bs, &st);
	assert_true(st.alone && st.alone_seconds >= BOOTSTRAP_LONELY_WARN);
	assert_non_null(strstr(st.reason, "no seed to ask"));
	assert_non_null(strstr(st.reason, "--seed-node"));
	fixture_free(&f);
	/* Only placeholder (documentation) fixed seeds: as good as none. */
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=",
	    "network.seeds=192.0.2.11:29001", NULL }, false);
	bs_tick(&f);
	bootstrap_status(f.bs, &st);
	assert_int_equal(st.fixed_usable, 0);
	assert_non_null(strstr(st.reason, "or unusable here"));
	fixture_free(&f);
	/* Not dialling out at all. */
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=", "network.seeds=",
	    "network.min_peers=0", NULL }, false);
	book_fill(&f.s, 3);
	bs_tick(&f);
	bootstrap_status(f.bs, &st);
	assert_non_null(strstr(st.reason, "min_peers is 0"));
	fixture_free(&f);
	/* A manual node that fails is named. */
	fixture_init(&f, (const char *const[]){ "network.dns_seeds=", "network.seeds=", NULL },
	    false);
	assert_int_equal(connman_add_manual(f.s.cm, "23.31.0.1:29001", NULL, 0), 0);
	f.s.io.refuse_dial = true;
	connman_tick(f.s.cm, clock_wall_ms());
	bs_tick(&f);
	bootstrap_status(f.bs, &st);
	assert_non_null(strstr(st.reason, "23.31.0.1:29001: cannot dial"));
	fixture_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_seeds_when_book_empty),
		cmocka_unit_test(test_dns_seed_asked_when_book_nearly_empty),
		cmocka_unit_test(test_dns_seed_after_eleven_seconds_without_outbound),
		cmocka_unit_test(test_dns_not_asked_once_connected),
		cmocka_unit_test(test_fixed_seeds_last_resort),
		cmocka_unit_test(test_banned_seed_addresses_skipped),
		cmocka_unit_test(test_no_peers_keeps_asking_seeds),
		cmocka_unit_test(test_alone_says_why),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
