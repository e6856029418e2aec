/* stats.h -- NetworkStats over the crawl database: totals, spreads, latency, NetworkHealth. */
#ifndef AGENTCRAWL_STATS_H
#define AGENTCRAWL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crawldb.h"

/* One "key: count" line of a spread, most frequent first. */
struct stats_count {
	char	*key;
	size_t	 count;
};

struct stats_list {
	struct stats_count	*v;
	size_t			 n;
};

/*
 * Definitions (agentcrawl(1)):
 *   TotalNodes      every known address
 *   ActiveNodes     nodes whose latest probe succeeded (reachable now)
 *   GoodNodes       nodes the good rule accepts
 *   ProbedNodes     nodes probed at least once
 *   AverageLatency  mean handshake latency of active nodes, ms (< 0: none)
 *   LastProbe       the newest probe time (how fresh the file is)
 *   NetworkHealth   the network's health as health.h defines it
 *                   (health_net_score): active = ActiveNodes, target =
 *                   TotalNodes, latency = AverageLatency, netgroups =
 *                   distinct netgroups of active nodes, reliability =
 *                   mean 1-day uptime of every probed node
 * The spreads count active nodes only.
 */
struct stats {
	char			network[16];	/* "" for all networks */
	size_t			total, active, good, probed, hostile;
	double			avg_latency_ms;
	double			avg_connect_ms;
	double			reliability;
	unsigned		netgroups;
	int			health;
	int64_t			last_crawl;	/* newest last_try */
	int32_t			height_min, height_max, height_median;
	int32_t			height_consensus;	/* most common */
	struct stats_list	countries, asns, versions, agents, heights, errors;
	long long		max_inflight;	/* from the last crawl; -1 unknown */
};

/* Compute S over the nodes of NETWORK (NULL = all) in DB, in one
 * snapshot.  Returns 0 (release with stats_free) or -1 with ERR. */
int stats_compute(struct crawldb *db, const char *network, int64_t now,
    struct stats *s, char *err, size_t errlen);
void stats_free(struct stats *s);

/* Print S as "Key: value" text or as one JSON object. */
void stats_print_text(const struct stats *s, FILE *fp);
void stats_print_json(const struct stats *s, FILE *fp);

#endif
