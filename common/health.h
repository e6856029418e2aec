/* health.h -- the 0..100 health score, and the network's health over a crawl database. */
#ifndef AGENTCHAIN_HEALTH_H
#define AGENTCHAIN_HEALTH_H

/*
 * One formula, two figures.  With
 *   C = min(1, active / target)                      connectivity
 *   L = 1 at <= 100 ms average latency, 0 at >= 2000 ms, linear between;
 *       0.5 when no latency is known yet              latency
 *   D = min(1, distinct netgroups / active)          diversity (0 if none)
 *   R = reliability in [0, 1]                        reliability
 * score = round(100 * (0.40 C + 0.25 L + 0.20 D + 0.15 R)), and 0 when
 * nothing is active.
 *
 * The figures differ in what they measure, and so in their inputs:
 *
 * NetworkHealth -- the health of the network as crawled: health_net_*
 *   below, over the crawl database; `agentcrawl stats` and the console's
 *   Network view show it.  active = nodes whose latest probe succeeded,
 *   target = every known node, latency = mean handshake latency of the
 *   active nodes, netgroups = distinct netgroups of the active nodes (the
 *   network's diversity policy: on regtest each local address its own),
 *   R = mean 1-day uptime (goodnode_uptime) of every probed node.
 *
 * Connectivity health -- how well one node is connected: agentnode fills
 *   the inputs from its peers (active = connected peers, target =
 *   min_peers, latency = mean of the peers' average ping, R = mean of the
 *   peers' reliability) and reports it over RPC; the console's header
 *   shows it.  It says nothing about the rest of the network.
 */

#include <stdint.h>

struct crawldb_node;

struct health_input {
	unsigned	active;
	unsigned	target;
	double		avg_latency_ms;	/* < 0: unknown */
	unsigned	netgroups;	/* distinct netgroups among ACTIVE */
	double		reliability;	/* 0..1 */
};

/* The score of IN (the formula above). */
int health_score(const struct health_input *in);

/* --- NetworkHealth over a crawl database -------------------------------- */

struct health_net;

/* An empty tally; free with health_net_free. */
struct health_net *health_net_new(void);
void health_net_free(struct health_net *h);

/* Count row N of the crawl database (any network: each row is judged by
 * its own network's rules).  Callers walking the rows for other reasons
 * feed each one here, so that every program gets the same figure. */
void health_net_add(struct health_net *h, const struct crawldb_node *n);

/* NetworkHealth of the rows counted so far; fills IN (may be NULL) with
 * the inputs, for showing them beside the score. */
int health_net_score(const struct health_net *h, struct health_input *in);

#endif
