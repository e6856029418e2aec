/* test_reputation.c -- misbehaviour penalties, ban threshold, recovery and the violation log (node/reputation.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../node/reputation.h"

#define T0	1700000000

static void
test_init(void **state)
{
	struct reputation rep;
	struct rep_event ev[REP_RECENT];

	(void)state;
	memset(&rep, 0x5a, sizeof(rep));
	reputation_init(&rep, T0);
	assert_int_equal(rep.score, REP_START);
	assert_int_equal(rep.min_score, REP_MIN_SCORE);
	assert_false(rep.must_ban);
	assert_int_equal(rep.last_seen, T0);
	assert_int_equal(rep.last_violation, 0);
	assert_int_equal(reputation_recent(&rep, ev, REP_RECENT), 0);
	for (int k = 0; k < REP_VIOLATION_COUNT; k++)
		assert_int_equal(rep.counts[k], 0);
}

static void
test_table(void **state)
{
	enum rep_violation back;

	(void)state;
	for (int k = 0; k < REP_VIOLATION_COUNT; k++) {
		const struct rep_violation_info *info = reputation_violation_info(k);

		assert_non_null(info);
		assert_non_null(info->name);
		assert_non_null(info->description);
		assert_true(info->penalty > 0 && info->penalty <= REP_START);
		assert_string_equal(reputation_violation_name(k), info->name);
		/* Names are unique: each finds its own kind again. */
		assert_int_equal(reputation_violation_by_name(info->name, &back), 0);
		assert_int_equal(back, k);
	}
	assert_string_equal(reputation_violation_name(REP_BAD_CHECKSUM), "bad-checksum");
	assert_null(reputation_violation_info(REP_VIOLATION_COUNT));
	assert_null(reputation_violation_info((enum rep_violation)-1));
	assert_string_equal(reputation_violation_name(REP_VIOLATION_COUNT), "unknown");
	assert_int_equal(reputation_violation_by_name("no-such-thing", &back), -1);
	assert_int_equal(reputation_violation_by_name("", &back), -1);
}

/* The header's table: how many violations of one kind take a fresh peer
 * to the ban.  The (n-1)th must not ban, the nth must. */
static void
test_threshold_exact(void **state)
{
	static const struct {
		enum rep_violation	kind;
		int			penalty;
		int			to_ban;
	} cases[] = {
		{ REP_BAD_MAGIC, 100, 1 },
		{ REP_OVERSIZED, 100, 1 },
		{ REP_MALFORMED, 50, 2 },
		{ REP_BAD_CHECKSUM, 50, 2 },
		{ REP_PRE_HANDSHAKE, 34, 3 },
		{ REP_DUPLICATE_VERSION, 20, 5 },
		{ REP_ADDR_FLOOD, 20, 5 },
		{ REP_UNKNOWN_FLOOD, 20, 5 },
		{ REP_HANDSHAKE_TIMEOUT, 20, 5 },
		{ REP_UNSOLICITED_PONG, 10, 10 },
		{ REP_BAD_POW, 100, 1 },
		{ REP_INVALID_BLOCK, 100, 1 },
		{ REP_OVERSIZED_INV, 50, 2 },
		{ REP_UNCONNECTING_HEADERS, 20, 5 },
		{ REP_UNSOLICITED_BLOCK, 20, 5 },
	};

	(void)state;
	assert_int_equal(sizeof(cases) / sizeof(cases[0]), REP_VIOLATION_COUNT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reputation rep;

		assert_int_equal(reputation_violation_info(cases[i].kind)->penalty,
		    cases[i].penalty);
		reputation_init(&rep, T0);
		for (int n = 1; n < cases[i].to_ban; n++) {
			if (reputation_violation(&rep, cases[i].kind, T0 + n))
				fail_msg("%s banned after %d", reputation_violation_name(
				    cases[i].kind), n);
		}
		if (!reputation_violation(&rep, cases[i].kind, T0 + 100))
			fail_msg("%s not banned after %d", reputation_violation_name(
			    cases[i].kind), cases[i].to_ban);
		assert_true(rep.score <= REP_MIN_SCORE);
		assert_true(rep.must_ban);
		assert_int_equal(rep.counts[cases[i].kind], cases[i].to_ban);
	}
}

static void
test_mixed_and_sticky(void **state)
{
	struct reputation rep;

	(void)state;
	reputation_init(&rep, T0);
	assert_false(reputation_violation(&rep, REP_MALFORMED, T0));
	assert_false(reputation_violation(&rep, REP_DUPLICATE_VERSION, T0));
	assert_false(reputation_violation(&rep, REP_ADDR_FLOOD, T0));
	assert_int_equal(rep.score, 10);
	/* Exactly the minimum bans: "at or below". */
	assert_true(reputation_violation(&rep, REP_UNSOLICITED_PONG, T0));
	assert_int_equal(rep.score, 0);
	/* The verdict sticks: no reward lifts it, and it keeps saying ban. */
	assert_false(reputation_reward(&rep, T0 + 3600));
	assert_int_equal(rep.score, 0);
	assert_true(reputation_violation(&rep, REP_UNSOLICITED_PONG, T0 + 1));
}

static void
test_min_score(void **state)
{
	struct reputation rep;

	(void)state;
	reputation_init(&rep, T0);
	assert_int_equal(reputation_set_min_score(&rep, REP_SCORE_FLOOR - 1), -1);
	assert_int_equal(reputation_set_min_score(&rep, REP_START), -1);
	assert_int_equal(rep.min_score, REP_MIN_SCORE);
	assert_int_equal(reputation_set_min_score(&rep, -50), 0);
	assert_false(reputation_violation(&rep, REP_BAD_CHECKSUM, T0));
	assert_false(reputation_violation(&rep, REP_BAD_CHECKSUM, T0));	/* 0 > -50 */
	assert_true(reputation_violation(&rep, REP_BAD_CHECKSUM, T0));	/* -50 */

	reputation_init(&rep, T0);
	assert_int_equal(reputation_set_min_score(&rep, 99), 0);
	assert_true(reputation_violation(&rep, REP_UNSOLICITED_PONG, T0));
}

static void
test_score_floor(void **state)
{
	struct reputation rep;

	(void)state;
	reputation_init(&rep, T0);
	for (int i = 0; i < 50; i++)
		assert_true(reputation_violation(&rep, REP_BAD_MAGIC, T0 + i));
	assert_int_equal(rep.score, REP_SCORE_FLOOR);
	assert_int_equal(rep.counts[REP_BAD_MAGIC], 50);
}

static void
test_recovery_rate_and_cap(void **state)
{
	struct reputation rep;
	int64_t t = T0;

	(void)state;
	reputation_init(&rep, t);
	/* A healthy peer at the cap gains nothing. */
	assert_false(reputation_reward(&rep, t));
	assert_int_equal(rep.score, REP_START);

	assert_false(reputation_violation(&rep, REP_BAD_CHECKSUM, t));
	assert_int_equal(rep.score, 50);
	/* At most REP_REWARD_PER_MINUTE in one minute, however many exchanges. */
	for (int i = 0; i < REP_REWARD_PER_MINUTE; i++)
		assert_true(reputation_reward(&rep, t + i));
	assert_false(reputation_reward(&rep, t + 30));
	assert_false(reputation_reward(&rep, t + 59));
	assert_int_equal(rep.score, 50 + REP_REWARD_PER_MINUTE);
	/* A new minute, a new allowance. */
	assert_true(reputation_reward(&rep, t + 60));
	assert_int_equal(rep.score, 51 + REP_REWARD_PER_MINUTE);

	/* Keep rewarding for an hour: the score stops at REP_START. */
	for (t = T0 + 120; t < T0 + 3600; t += 10)
		reputation_reward(&rep, t);
	assert_int_equal(rep.score, REP_START);
	assert_false(reputation_reward(&rep, t + 60));

	/* A clock stepping back opens a new window instead of freezing. */
	reputation_init(&rep, T0);
	reputation_violation(&rep, REP_MALFORMED, T0);
	for (int i = 0; i < REP_REWARD_PER_MINUTE; i++)
		assert_true(reputation_reward(&rep, T0 + 10));
	assert_false(reputation_reward(&rep, T0 + 10));
	assert_true(reputation_reward(&rep, T0 - 100));
}

static void
test_ring_wrap(void **state)
{
	struct reputation rep;
	struct rep_event ev[REP_RECENT + 4];
	size_t n;

	(void)state;
	reputation_init(&rep, T0);
	assert_int_equal(reputation_set_min_score(&rep, REP_SCORE_FLOOR), 0);
	for (int i = 1; i <= 20; i++)
		reputation_violation(&rep, i % 3 == 0 ? REP_ADDR_FLOOD :
		    REP_UNSOLICITED_PONG, T0 + i);
	assert_int_equal(rep.counts[REP_ADDR_FLOOD], 6);
	assert_int_equal(rep.counts[REP_UNSOLICITED_PONG], 14);
	assert_int_equal(rep.last_violation, T0 + 20);

	/* Only the newest REP_RECENT survive, newest first. */
	n = reputation_recent(&rep, ev, sizeof(ev) / sizeof(ev[0]));
	assert_int_equal(n, REP_RECENT);
	for (size_t i = 0; i < n; i++) {
		int64_t when = 20 - (int64_t)i;
		assert_int_equal(ev[i].time, T0 + when);
		assert_int_equal(ev[i].kind, when % 3 == 0 ? REP_ADDR_FLOOD :
		    REP_UNSOLICITED_PONG);
	}
	/* A short buffer gets the newest ones. */
	n = reputation_recent(&rep, ev, 3);
	assert_int_equal(n, 3);
	assert_int_equal(ev[0].time, T0 + 20);
	assert_int_equal(ev[2].time, T0 + 18);
	assert_int_equal(reputation_recent(&rep, ev, 0), 0);

	/* Before the ring is full, only what was logged. */
	reputation_init(&rep, T0);
	reputation_violation(&rep, REP_MALFORMED, T0 + 1);
	reputation_violation(&rep, REP_ADDR_FLOOD, T0 + 2);
	n = reputation_recent(&rep, ev, REP_RECENT);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].kind, REP_ADDR_FLOOD);
	assert_int_equal(ev[1].kind, REP_MALFORMED);
}

static void
test_invalid_kind_ignored(void **state)
{
	struct reputation rep;
	struct rep_event ev[1];

	(void)state;
	reputation_init(&rep, T0);
	assert_false(reputation_violation(&rep, REP_VIOLATION_COUNT, T0 + 5));
	assert_false(reputation_violation(&rep, (enum rep_violation)-1, T0 + 5));
	assert_false(reputation_violation(&rep, (enum rep_violation)1000, T0 + 5));
	assert_int_equal(rep.score, REP_START);
	assert_int_equal(reputation_recent(&rep, ev, 1), 0);
	assert_int_equal(rep.last_seen, T0);
	/* ...and reports the verdict already reached. */
	reputation_violation(&rep, REP_BAD_MAGIC, T0);
	assert_true(reputation_violation(&rep, REP_VIOLATION_COUNT, T0));
}

static void
test_last_seen(void **state)
{
	struct reputation rep;

	(void)state;
	reputation_init(&rep, T0);
	reputation_note_seen(&rep, T0 + 10);
	assert_int_equal(rep.last_seen, T0 + 10);
	reputation_note_seen(&rep, T0 + 5);		/* never goes back */
	assert_int_equal(rep.last_seen, T0 + 10);
	reputation_violation(&rep, REP_UNSOLICITED_PONG, T0 + 20);
	assert_int_equal(rep.last_seen, T0 + 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_threshold_exact),
		cmocka_unit_test(test_mixed_and_sticky),
		cmocka_unit_test(test_min_score),
		cmocka_unit_test(test_score_floor),
		cmocka_unit_test(test_recovery_rate_and_cap),
		cmocka_unit_test(test_ring_wrap),
		cmocka_unit_test(test_invalid_kind_ignored),
		cmocka_unit_test(test_last_seen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
