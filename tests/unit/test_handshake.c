/* test_handshake.c -- the version/verack state machine and the NetworkHealth formula. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "handshake.h"
#include "health.h"

static const struct handshake_local local = {
	.services = NODE_NETWORK, .start_height = 42, .user_agent = "/test:1/",
};

static void
version_of(const struct handshake *from, struct msg *m)
{
	struct netaddr to;

	netaddr_from_ipv4(&to, 0x7f000001, 29001);
	handshake_build_version(from, &local, &to, 1700000000, m);
}

static void
test_both_sides_complete(void **state)
{
	struct handshake out, in;
	struct handshake_action act;
	struct msg v_out, v_in, verack;

	(void)state;
	assert_true(handshake_start(&out, true, 111));
	assert_false(handshake_start(&in, false, 222));
	version_of(&out, &v_out);
	assert_int_equal(v_out.u.version.nonce, 111);
	assert_int_equal(v_out.u.version.version, PROTO_VERSION);
	assert_int_equal(v_out.u.version.start_height, 42);
	assert_string_equal(v_out.u.version.user_agent, "/test:1/");

	/* inbound receives version: answers version + verack */
	assert_int_equal(handshake_process(&in, &v_out, NULL, NULL, &act), HS_OK);
	assert_true(act.send_version && act.send_verack && !act.completed);
	version_of(&in, &v_in);
	/* outbound receives version: answers verack only */
	assert_int_equal(handshake_process(&out, &v_in, NULL, NULL, &act), HS_OK);
	assert_true(!act.send_version && act.send_verack && !act.completed);
	msg_init(&verack, MSG_VERACK);
	assert_int_equal(handshake_process(&out, &verack, NULL, NULL, &act), HS_OK);
	assert_true(act.completed);
	assert_int_equal(out.state, HS_DONE);
	assert_int_equal(handshake_process(&in, &verack, NULL, NULL, &act), HS_OK);
	assert_true(act.completed);
	assert_int_equal(in.remote.nonce, 111);
	/* After completion other messages pass; a second version does not. */
	struct msg ping;
	msg_ping_init(&ping, 5);
	assert_int_equal(handshake_process(&in, &ping, NULL, NULL, &act), HS_OK);
	assert_int_equal(handshake_process(&in, &v_out, NULL, NULL, &act), HS_ERR_DUPLICATE_VERSION);
	msg_free(&v_out);
	msg_free(&v_in);
}

static bool
is_own(uint64_t nonce, void *arg)
{
	return nonce == *(uint64_t *)arg;
}

static void
test_errors(void **state)
{
	struct handshake hs, other;
	struct handshake_action act;
	struct msg m, v;
	uint64_t mine = 777;

	(void)state;
	handshake_start(&hs, false, 1);
	msg_ping_init(&m, 9);
	assert_int_equal(handshake_process(&hs, &m, NULL, NULL, &act), HS_ERR_PRE_HANDSHAKE);
	assert_int_equal(hs.state, HS_FAILED);

	handshake_start(&hs, false, 1);
	msg_init(&m, MSG_VERACK);
	assert_int_equal(handshake_process(&hs, &m, NULL, NULL, &act), HS_ERR_UNEXPECTED_VERACK);

	/* Self-connection: the nonce is one of our outbound handshakes. */
	handshake_start(&other, true, mine);
	version_of(&other, &v);
	handshake_start(&hs, false, 2);
	assert_int_equal(handshake_process(&hs, &v, is_own, &mine, &act), HS_ERR_SELF);
	/* ...or our own on this very connection. */
	handshake_start(&hs, false, mine);
	assert_int_equal(handshake_process(&hs, &v, NULL, NULL, &act), HS_ERR_SELF);

	handshake_start(&hs, false, 2);
	v.u.version.version = PROTO_MIN_VERSION - 1;
	assert_int_equal(handshake_process(&hs, &v, NULL, NULL, &act), HS_ERR_OLD_VERSION);
	msg_free(&v);
	assert_string_equal(handshake_strerror(HS_ERR_SELF), "connected to self");
}

static void
test_health_formula(void **state)
{
	struct health_input in = { .active = 8, .target = 8, .avg_latency_ms = 50,
	    .netgroups = 8, .reliability = 1.0 };

	(void)state;
	assert_int_equal(health_score(&in), 100);
	in.active = 0;
	assert_int_equal(health_score(&in), 0);
	in = (struct health_input){ .active = 4, .target = 8, .avg_latency_ms = 1050,
	    .netgroups = 2, .reliability = 0.5 };
	/* 100 * (0.4*0.5 + 0.25*0.5 + 0.2*0.5 + 0.15*0.5) = 50 */
	assert_int_equal(health_score(&in), 50);
	in.avg_latency_ms = -1;		/* unknown latency counts half */
	assert_int_equal(health_score(&in), 50);
	in.avg_latency_ms = 5000;
	assert_int_equal(health_score(&in), 38);
	in = (struct health_input){ .active = 3, .target = 0, .avg_latency_ms = 100,
	    .netgroups = 9, .reliability = 2 };
	assert_int_equal(health_score(&in), 100);	/* clamped */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_sides_complete),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_health_formula),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
