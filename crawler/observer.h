/* observer.h -- the crawler's rewards observer: dense uptime re-visits of identity nodes and the relay probes (crawler.rewards). */
#ifndef AGENTCRAWL_OBSERVER_H
#define AGENTCRAWL_OBSERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include "chainparams.h"
#include "crawldb.h"
#include "netaddr.h"

struct nodetable;

/*
 * Which addresses proved an identity comes from the crawl database
 * (nodes.identity, written by the identity visits, of nodes that answered
 * within the last day), reloaded every minute (regtest: second).  For
 * those addresses:
 *   - uptime: the next visit is due 1.2 times the previous interval after
 *     this one, held between 1 and 15 minutes (Nebula's rule; regtest
 *     scales both by 1/720 as the good-node rule does, never below 1 s);
 *     the interval starts again at 1 minute whenever the node goes from
 *     up to down or back, so a change is seen soon.
 *   - relay: one probe at a time, a new one at most every RELAY_EVERY
 *     (60 s, regtest 1 s), the sender the identity node probed least
 *     recently, up to three reachable listeners drawn at random among the
 *     other nodes (relayprobe.h).  Each probe that reached its sender is
 *     one relay_probes row.
 */

struct observer_config {
	const struct chainparams *params;
	const char	*user_agent;
	int		 connect_timeout_ms;
	int		 handshake_timeout_ms;
	int		 transport;
};

struct observer;

/* DB and CFG must outlive the observer. */
struct observer *observer_new(struct event_base *base, struct crawldb *db,
    const struct observer_config *cfg);
void observer_free(struct observer *ob);

/* For a visit of A that just ended (SUCCESS) at NOW: when A proved an
 * identity, the unix time of its next visit; -1 otherwise (the ordinary
 * schedule applies). */
int64_t observer_next_visit(struct observer *ob, const struct netaddr *a,
    bool success, int64_t now);

/* Periodic work at NOW: reload the identity set when due, start a relay
 * probe when due, with listeners drawn from the reachable nodes of T. */
void observer_tick(struct observer *ob, struct nodetable *t, int64_t now);

/* Abandon the probe in flight and start no more (shutdown). */
void observer_stop(struct observer *ob);

/* Relay probes recorded so far (for logs and tests). */
uint64_t observer_probes(const struct observer *ob);

#endif
