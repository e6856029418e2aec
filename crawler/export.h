/* export.h -- the node registry out of the crawl database: NODES.md, JSON and CSV. */
#ifndef AGENTCRAWL_EXPORT_H
#define AGENTCRAWL_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crawldb.h"
#include "rewardsdb.h"

enum export_format {
	EXPORT_NODES_MD = 0,
	EXPORT_JSON,
	EXPORT_CSV,
};

struct export_options {
	enum export_format	 format;
	bool			 all;		/* include nodes that are not good */
	const char		*network;	/* NULL: every network in the file */
	int64_t			 now;		/* snapshot time (unix seconds) */
	const struct rewardsdb_rules *rules;	/* leaderboard rules; NULL: defaults */
};

/* "nodes-md", "json", "csv" -> *OUT.  Returns 0 or -1. */
int export_parse_format(const char *s, enum export_format *out);

/* Write the registry of DB, read in one snapshot, to OUT.
 *   nodes-md: "# NODES.md", a header naming the network, the snapshot
 *     time and the counts, then "## Active Nodes": one table row per good
 *     node (address:port, country/city, user agent, version, height,
 *     1-day uptime, last seen), ordered by address; with ALL also
 *     "## Other Nodes" with why each is not good.
 *     When the rewards observer has scored a day, "## Leaderboard" follows
 *     each network's nodes: rank, identity (first 16 hex digits), uptime,
 *     storage, relay and total score (percent) of the latest day's
 *     rewarded identities (rewards_leaderboard, docs/REWARDS.md).
 *   json: an array with one object per node carrying every field; a node
 *     on the leaderboard also carries "leaderboard": {rank, identity,
 *     uptime, storage, relay, total} (scores in ppm).
 *   csv: a header line and one row per node, the same fields.
 * Returns 0, or -1 with ERR. */
int export_write(struct crawldb *db, const struct export_options *o, FILE *out,
    char *err, size_t errlen);

/* Format unix time T as "2026-01-02T03:04:05Z" into BUF (>= 21 bytes);
 * "never" for 0. */
char *export_time(int64_t t, char *buf, size_t len);

#endif
