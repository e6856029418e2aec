/* rewardsdb.h -- the rewards ledger's inputs read from the crawl database, relay probes written to it, and the leaderboard both export and console show. */
#ifndef AGENTCHAIN_REWARDSDB_H
#define AGENTCHAIN_REWARDSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainparams.h"
#include "crawldb.h"
#include "rewards.h"

/*
 * Tables read (docs/REWARDS.md): visits (uptime), storage_checks,
 * relay_probes and nodes (asn, claimed/verified height, identity, reward
 * address).  A table or column the file does not have yet reads as empty
 * (an older database, or one from before the observer ran): nothing is
 * invented, so nothing is earned from it.  ip columns may be the 16-byte
 * BLOB of nodes or the address as text.
 */

/* The inputs of one day, owned (free with rewardsdb_input_free). */
struct rewardsdb_input {
	struct rewards_input	 in;
	struct rewards_visit	*visits;
	struct rewards_check	*checks;
	struct rewards_probe	*probes;
	struct rewards_addr_info *addrs;
};

/* Tunables from the config (agentchain.yaml(5) crawler.rewards_*). */
struct rewardsdb_rules {
	uint32_t	max_per_asn;
	uint32_t	max_per_net16;
	int64_t		probation;	/* mainnet seconds, scaled per network */
	uint32_t	min_checks;
};

/* Defaults of the rules (docs/REWARDS.md). */
void rewardsdb_rules_init(struct rewardsdb_rules *r);

/* The ledger parameters for the UTC day starting at DAY_START on PARAMS's
 * network: time scaled as the good-node rule scales it. */
void rewardsdb_params(struct rewards_params *p, const struct chainparams *params,
    const struct rewardsdb_rules *r, int64_t day_start, uint64_t budget);

/* Uptime re-visit bounds of PARAMS's network: 1 and 15 minutes, scaled. */
void rewardsdb_revisit_bounds(const struct chainparams *params, int64_t *lo,
    int64_t *hi);

/* Read NETWORK's observations of [DAY_START, DAY_END) (and every
 * identity's first proof before) into OUT.  Returns 0, or -1 with ERR. */
int rewardsdb_load(struct crawldb *db, const char *network, int64_t day_start,
    int64_t day_end, struct rewardsdb_input *out, char *err, size_t errlen);
void rewardsdb_input_free(struct rewardsdb_input *in);

/* The start of the UTC day of NETWORK's latest visit into *DAY_START.
 * Returns 1, 0 when there is none, -1 on error. */
int rewardsdb_latest_day(struct crawldb *db, const char *network,
    int64_t *day_start, char *err, size_t errlen);

/* "YYYY-MM-DD" -> unix seconds of its 00:00 UTC.  Returns 0 or -1. */
int rewardsdb_parse_day(const char *s, int64_t *day_start);
/* Unix seconds -> "YYYY-MM-DD" (UTC) into BUF (>= 11 bytes). */
char *rewardsdb_format_day(int64_t t, char *buf, size_t len);

/* The scores of NETWORK's latest observed day (no budget: rewards 0),
 * ranked, into OUT (free with rewards_ledger_free).  An empty ledger when
 * nothing was observed.  Returns 0, or -1 with ERR. */
int rewards_leaderboard(struct crawldb *db, const struct chainparams *params,
    const struct rewardsdb_rules *r, struct rewards_ledger *out,
    int64_t *day_start, char *err, size_t errlen);

/* Call CB for every NETWORK node that has proven an identity
 * (nodes.identity set) and answered since SINCE.  Returns 0 (none when
 * the column does not exist yet), or -1 with ERR. */
int rewardsdb_identity_nodes(struct crawldb *db, const char *network,
    int64_t since, void (*cb)(const struct netaddr *a, const char *identity,
    void *arg), void *arg, char *err, size_t errlen);

/* One relay probe as recorded by the crawler. */
struct rewardsdb_probe_row {
	struct netaddr	addr;
	int64_t		ts;
	const char	*identity;
	const char	*txid;		/* 64 hex */
	bool		announced;
	double		delay_ms;
	uint32_t	listeners;
};

/* Append R to relay_probes (read-write handles).  Returns 0 or -1. */
int rewardsdb_add_probe(struct crawldb *db, const char *network,
    const struct rewardsdb_probe_row *r, char *err, size_t errlen);

#endif
