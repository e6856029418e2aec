/* reputation.h -- per-peer misbehaviour score and violation log (PeerReputation). */
#ifndef AGENTCHAIN_REPUTATION_H
#define AGENTCHAIN_REPUTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A peer starts at REP_START and loses the penalty of each violation; at
 * or below its minimum score (REP_MIN_SCORE unless changed) it must be
 * disconnected and banned, and stays so: the verdict is sticky, rewards
 * no longer apply.  Bitcoin Core now treats every violation as fatal
 * (bitcoin/bitcoin#29575); we keep a score so that a peer on a slightly
 * different version survives an isolated oddity, but anything that shows
 * the peer is not speaking our protocol at all costs the full 100.
 *
 *   violation            penalty  violations from 100 to a ban (<= 0)
 *   bad-magic              100    1   wrong network or not our protocol
 *   oversized              100    1   length field over the message limit
 *   malformed               50    2   payload does not decode
 *   bad-checksum            50    2   payload checksum mismatch
 *   pre-handshake           34    3   message before version/verack
 *   duplicate-version       20    5   second version message
 *   addr-flood              20    5   addresses beyond the rate limit
 *   unknown-flood           20    5   too many unknown-type messages
 *   handshake-timeout       20    5   handshake not completed in time
 *   unsolicited-pong        10   10   pong with no ping outstanding
 *   bad-pow                100    1   header or block without its proof of work
 *   invalid-block          100    1   block fails a check (merkle, sizes, time ...)
 *   oversized-inv           50    2   inv/getdata/notfound/headers over its count limit
 *   unconnecting-headers    20    5   10 headers messages in a row that do not connect
 *   unsolicited-block       20    5   blocks nobody asked for, beyond a few a minute
 *
 * Good behaviour recovers slowly: +1 per successful exchange, at most
 * REP_REWARD_PER_MINUTE per minute, never above REP_START.
 */

#define REP_START		100
#define REP_MIN_SCORE		0
/* Lowest allowed minimum score; also the floor the score is clamped at. */
#define REP_SCORE_FLOOR		(-1000)
#define REP_REWARD_PER_MINUTE	5
#define REP_RECENT		16

enum rep_violation {
	REP_BAD_CHECKSUM = 0,
	REP_MALFORMED,
	REP_OVERSIZED,
	REP_BAD_MAGIC,
	REP_PRE_HANDSHAKE,
	REP_DUPLICATE_VERSION,
	REP_UNSOLICITED_PONG,
	REP_ADDR_FLOOD,
	REP_UNKNOWN_FLOOD,
	REP_HANDSHAKE_TIMEOUT,
	REP_BAD_POW,
	REP_INVALID_BLOCK,
	REP_OVERSIZED_INV,
	REP_UNCONNECTING_HEADERS,
	REP_UNSOLICITED_BLOCK,
	REP_VIOLATION_COUNT
};

/* One row of the violation table. */
struct rep_violation_info {
	const char	*name;		/* "bad-checksum"; used in ban reasons */
	int		 penalty;
	const char	*description;
};

struct rep_event {
	enum rep_violation	kind;
	int64_t			time;	/* seconds */
};

struct reputation {
	int			score;
	int			min_score;
	bool			must_ban;	/* sticky once set */
	/* The last REP_RECENT violations; HEAD is the next slot written. */
	struct rep_event	recent[REP_RECENT];
	unsigned		recent_head;
	unsigned		recent_n;
	uint32_t		counts[REP_VIOLATION_COUNT];	/* saturating */
	int64_t			last_seen;
	int64_t			last_violation;	/* 0: none */
	/* Reward rate limit: rewards given in the minute starting at
	 * REWARD_WINDOW. */
	int64_t			reward_window;
	int			reward_in_window;
};

/* Reset REP for a peer first seen at NOW: score REP_START, minimum
 * REP_MIN_SCORE, empty log. */
void reputation_init(struct reputation *rep, int64_t now);

/* Change the threshold (the MinReputationScore option).  MIN must lie in
 * [REP_SCORE_FLOOR, REP_START - 1].  Returns 0, or -1 (unchanged).  Does
 * not itself trigger a ban; the next violation re-evaluates. */
int reputation_set_min_score(struct reputation *rep, int min);

/* Record violation KIND at NOW: subtract its penalty, log it, count it and
 * update last_seen.  Returns true when the peer must now be disconnected
 * and banned (score <= minimum, now or earlier).  An out-of-range KIND is
 * ignored and returns the current verdict. */
bool reputation_violation(struct reputation *rep, enum rep_violation kind, int64_t now);

/* One successful exchange at NOW: +1, capped at REP_START and at
 * REP_REWARD_PER_MINUTE per minute; nothing once the peer must be banned.
 * Returns true if the score rose. */
bool reputation_reward(struct reputation *rep, int64_t now);

/* The peer sent us something well-formed at NOW. */
void reputation_note_seen(struct reputation *rep, int64_t now);

/* Copy up to MAX of the recent violations into OUT, newest first.
 * Returns how many were copied. */
size_t reputation_recent(const struct reputation *rep, struct rep_event *out, size_t max);

/* Static table rows; NULL / "unknown" for an out-of-range KIND. */
const struct rep_violation_info *reputation_violation_info(enum rep_violation kind);
const char *reputation_violation_name(enum rep_violation kind);
/* Look a violation up by its name.  Returns 0, or -1 if unknown. */
int reputation_violation_by_name(const char *name, enum rep_violation *out);

#endif
