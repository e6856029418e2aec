/* reputation.c -- per-peer misbehaviour score and violation log.
 *
 * Pure bookkeeping: the caller decides what a violation is and acts on
 * the verdict (disconnect, banman_ban with the violation's name).
 */
#include "reputation.h"

#include <string.h>

/* Indexed by enum rep_violation; the header documents the same numbers. */
static const struct rep_violation_info reputation_table[REP_VIOLATION_COUNT] = {
	[REP_BAD_CHECKSUM] = { "bad-checksum", 50,
	    "payload checksum does not match the header" },
	[REP_MALFORMED] = { "malformed", 50,
	    "payload does not decode as its message type" },
	[REP_OVERSIZED] = { "oversized", 100,
	    "length field over the message size limit" },
	[REP_BAD_MAGIC] = { "bad-magic", 100,
	    "network magic of another network or protocol" },
	[REP_PRE_HANDSHAKE] = { "pre-handshake", 34,
	    "message other than version/verack before the handshake" },
	[REP_DUPLICATE_VERSION] = { "duplicate-version", 20,
	    "second version message on one connection" },
	[REP_UNSOLICITED_PONG] = { "unsolicited-pong", 10,
	    "pong with no ping outstanding or a wrong nonce" },
	[REP_ADDR_FLOOD] = { "addr-flood", 20,
	    "addresses beyond the relay rate limit" },
	[REP_UNKNOWN_FLOOD] = { "unknown-flood", 20,
	    "too many messages of unknown type" },
	[REP_HANDSHAKE_TIMEOUT] = { "handshake-timeout", 20,
	    "handshake not completed in time" },
	[REP_BAD_POW] = { "bad-pow", 100,
	    "header or block without its proof of work" },
	[REP_INVALID_BLOCK] = { "invalid-block", 100,
	    "block that fails a check: merkle root, sizes, time, linkage" },
	[REP_OVERSIZED_INV] = { "oversized-inv", 50,
	    "inv, getdata, notfound or headers over its count limit" },
	[REP_UNCONNECTING_HEADERS] = { "unconnecting-headers", 20,
	    "headers messages in a row that do not connect to any known block" },
	[REP_UNSOLICITED_BLOCK] = { "unsolicited-block", 20,
	    "blocks nobody asked for, beyond a few a minute" },
};

#define REP_MINUTE 60

void
reputation_init(struct reputation *rep, int64_t now)
{
	memset(rep, 0, sizeof(*rep));
	rep->score = REP_START;
	rep->min_score = REP_MIN_SCORE;
	rep->last_seen = now;
	rep->reward_window = now;
}

int
reputation_set_min_score(struct reputation *rep, int min)
{
	if (min < REP_SCORE_FLOOR || min >= REP_START)
		return -1;
	rep->min_score = min;
	return 0;
}

static bool
reputation_valid(enum rep_violation kind)
{
	return (unsigned)kind < REP_VIOLATION_COUNT;
}

bool
reputation_violation(struct reputation *rep, enum rep_violation kind, int64_t now)
{
	struct rep_event *ev;

	if (!reputation_valid(kind))
		return rep->must_ban;

	rep->score -= reputation_table[kind].penalty;
	if (rep->score < REP_SCORE_FLOOR)
		rep->score = REP_SCORE_FLOOR;
	if (rep->score <= rep->min_score)
		rep->must_ban = true;

	ev = &rep->recent[rep->recent_head];
	ev->kind = kind;
	ev->time = now;
	rep->recent_head = (rep->recent_head + 1) % REP_RECENT;
	if (rep->recent_n < REP_RECENT)
		rep->recent_n++;
	if (rep->counts[kind] < UINT32_MAX)
		rep->counts[kind]++;
	rep->last_violation = now;
	reputation_note_seen(rep, now);
	return rep->must_ban;
}

bool
reputation_reward(struct reputation *rep, int64_t now)
{
	if (rep->must_ban || rep->score >= REP_START)
		return false;
	/* A fixed one-minute window; a clock stepping backwards opens a new
	 * one rather than freezing rewards. */
	if (now - rep->reward_window >= REP_MINUTE || now < rep->reward_window) {
		rep->reward_window = now;
		rep->reward_in_window = 0;
	}
	if (rep->reward_in_window >= REP_REWARD_PER_MINUTE)
		return false;
	rep->reward_in_window++;
	rep->score++;
	return true;
}

void
reputation_note_seen(struct reputation *rep, int64_t now)
{
	if (now > rep->last_seen)
		rep->last_seen = now;
}

size_t
reputation_recent(const struct reputation *rep, struct rep_event *out, size_t max)
{
	size_t n = rep->recent_n < max ? rep->recent_n : max;

	for (size_t i = 0; i < n; i++) {
		unsigned slot = (rep->recent_head + REP_RECENT - 1 - (unsigned)i) %
		    REP_RECENT;
		out[i] = rep->recent[slot];
	}
	return n;
}

const struct rep_violation_info *
reputation_violation_info(enum rep_violation kind)
{
	return reputation_valid(kind) ? &reputation_table[kind] : NULL;
}

const char *
reputation_violation_name(enum rep_violation kind)
{
	return reputation_valid(kind) ? reputation_table[kind].name : "unknown";
}

int
reputation_violation_by_name(const char *name, enum rep_violation *out)
{
	for (int k = 0; k < REP_VIOLATION_COUNT; k++) {
		if (strcmp(reputation_table[k].name, name) == 0) {
			*out = (enum rep_violation)k;
			return 0;
		}
	}
	return -1;
}
