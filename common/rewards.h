/* rewards.h -- the daily rewards ledger as pure computation: observations in, scores, anti-gaming verdicts and an integer budget split out. */
#ifndef AGENTCHAIN_REWARDS_H
#define AGENTCHAIN_REWARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

/*
 * What the crawler observed (docs/REWARDS.md has the full rules):
 *   - visits: one per re-visit of an address that ever proved an identity;
 *     ok with the pubkey proven then, or failed;
 *   - storage checks: a random deep block asked for, answered 'ok',
 *     'wrong' or 'missing';
 *   - relay probes: a probe tx sent to one node, announced (or not) by
 *     one of the crawler's listeners, with the delay;
 *   - per address: ASN, claimed and verified height, reward address.
 * No SQLite here: rewardsdb.c fills these from the crawl database, the
 * unit tests by hand.
 *
 * Scores are integers in parts per million (ppm, 0..1000000) so that the
 * signed ledger holds no floating point a chain would have to reproduce.
 */

#define REWARDS_PPM		1000000
#define REWARDS_ID_HEXLEN	64
#define REWARDS_ADDR_MAX	90

/* Pool shares of the budget, percent: uptime, storage, relay. */
#define REWARDS_SHARE_UPTIME	50
#define REWARDS_SHARE_STORAGE	30
#define REWARDS_SHARE_RELAY	20

enum rewards_check_result {
	REWARDS_CHECK_OK = 0,
	REWARDS_CHECK_WRONG,
	REWARDS_CHECK_MISSING,
};

struct rewards_visit {
	struct netaddr	addr;
	int64_t		ts;
	bool		ok;
	char		identity[REWARDS_ID_HEXLEN + 1];	/* "" when !ok */
};

struct rewards_check {
	struct netaddr	addr;
	int64_t		ts;
	enum rewards_check_result result;
};

struct rewards_probe {
	struct netaddr	addr;		/* the node the probe tx was sent to */
	int64_t		ts;
	char		identity[REWARDS_ID_HEXLEN + 1];
	bool		announced;
	double		delay_ms;	/* when announced */
};

/* What the crawl database says about one address now. */
struct rewards_addr_info {
	struct netaddr	addr;
	uint32_t	asn;			/* 0: unknown */
	int32_t		claimed_height;
	int32_t		verified_height;	/* -1: unknown */
	char		identity[REWARDS_ID_HEXLEN + 1];
	char		reward_address[REWARDS_ADDR_MAX + 1];
};

struct rewards_input {
	const struct rewards_visit	*visits;	/* every visit, any day (first proofs) */
	size_t				 nvisits;
	const struct rewards_check	*checks;	/* the day's */
	size_t				 nchecks;
	const struct rewards_probe	*probes;	/* the day's */
	size_t				 nprobes;
	const struct rewards_addr_info	*addrs;
	size_t				 naddrs;
};

struct rewards_params {
	int64_t		day_start;	/* [day_start, day_end), unix seconds */
	int64_t		day_end;
	uint64_t	budget;		/* integer units to split; 0: scores only */
	int64_t		probation;	/* seconds from an identity's first proof */
	uint32_t	min_checks;	/* successful visits needed in the day */
	uint32_t	max_per_asn;	/* 0: no cap */
	uint32_t	max_per_net16;	/* 0: no cap */
	int64_t		max_gap;	/* longer gaps between visits are not observed */
	bool		allow_private;	/* regtest: loopback addresses group too */
};

/* Why an identity earns nothing (or no storage); "" when it earns. */
#define REWARDS_WHY_PROBATION	"probation"
#define REWARDS_WHY_MIN_CHECKS	"too few successful checks"
#define REWARDS_WHY_ADDR_TAKEN	"address proven first by another identity"
#define REWARDS_WHY_ASN_CAP	"ASN cap"
#define REWARDS_WHY_NET16_CAP	"/16 cap"

struct rewards_entry {
	char		identity[REWARDS_ID_HEXLEN + 1];
	char		reward_address[REWARDS_ADDR_MAX + 1];
	struct netaddr	addr;		/* where its measurements come from */
	uint32_t	asn;
	char		net16[48];	/* the address's group ("127.0.0.0/16") */
	int64_t		first_seen;	/* its first proof anywhere */
	/* uptime */
	uint32_t	sessions;
	uint32_t	visits_ok, visits_failed;
	int64_t		up_seconds, observed_seconds;
	/* storage */
	uint32_t	checks_ok, checks_wrong, checks_missing;
	int32_t		claimed_height, verified_height;
	bool		height_unserved;	/* claimed > verified: no storage */
	/* relay */
	uint32_t	probes_sent, probes_announced;
	int64_t		median_delay_ms;	/* -1: none announced */
	/* scores, ppm */
	uint32_t	uptime_score, storage_score, relay_score, total_score;
	/* verdict */
	bool		rewarded;
	const char	*excluded;	/* static; "" when rewarded */
	uint64_t	r_uptime, r_storage, r_relay, r_total;
};

struct rewards_ledger {
	struct rewards_entry	*entries;	/* ranked: rewarded first, by total score */
	size_t			 nentries;
	uint64_t		 pool_uptime, pool_storage, pool_relay;
	uint64_t		 distributed;	/* sum of r_total, <= budget */
	int64_t			 observed_seconds;	/* the crawler's coverage of the day */
};

/* Compute the ledger of IN under P into OUT (owned by the caller, freed
 * with rewards_ledger_free).  Deterministic: the same input in any order
 * gives the same ledger.  Returns 0. */
int rewards_compute(const struct rewards_input *in,
    const struct rewards_params *p, struct rewards_ledger *out);

void rewards_ledger_free(struct rewards_ledger *l);

/* Uptime re-visit interval (Nebula's rule): 1.2 times the previous one,
 * held between LO and HI seconds; a first visit (PREV <= 0) waits LO. */
int64_t rewards_revisit_interval(int64_t prev, int64_t lo, int64_t hi);

/* floor(A * B / C) without overflow (C > 0, B <= C). */
uint64_t rewards_muldiv(uint64_t a, uint64_t b, uint64_t c);

#endif
