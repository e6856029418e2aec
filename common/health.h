/* health.h -- the NetworkHealth score shared by agentnode and agentcrawl. */
#ifndef AGENTCHAIN_HEALTH_H
#define AGENTCHAIN_HEALTH_H

/*
 * NetworkHealth is a 0..100 summary of how well connected a view of the
 * network is.  With
 *   C = min(1, active / target)                      connectivity
 *   L = 1 at <= 100 ms average latency, 0 at >= 2000 ms, linear between;
 *       0.5 when no latency is known yet              latency
 *   D = min(1, distinct netgroups / active)          diversity (0 if none)
 *   R = reliability in [0, 1]                        reliability
 * NetworkHealth = round(100 * (0.40 C + 0.25 L + 0.20 D + 0.15 R)), and 0
 * when nothing is active.
 *
 * agentnode: active = connected peers, target = min_peers, latency = mean
 * of peers' average ping, R = mean of peers' reliability.
 * agentcrawl: active = nodes reachable in the last pass, target = all known
 * nodes, latency = mean handshake latency, R = mean 1-day success rate.
 */

struct health_input {
	unsigned	active;
	unsigned	target;
	double		avg_latency_ms;	/* < 0: unknown */
	unsigned	netgroups;	/* distinct netgroups among ACTIVE */
	double		reliability;	/* 0..1 */
};

int health_score(const struct health_input *in);

#endif
