/* alerts.h -- alerts across every watched node: node down, too few peers, connectivity low or dropping, bans, violations, height stalled. */
#ifndef AGENTCHAIN_ALERTS_H
#define AGENTCHAIN_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

/*
 * Two sorts of alert.  A condition (down, peers, health, drop, stalled)
 * is active while it holds and clears by itself.  An event (a ban, a
 * violation) stays active for hold seconds after the last one, or until
 * the operator clears it; several of one kind on one node are one alert
 * with a count, so a ban storm is one line.  There is at most one alert
 * per node and kind, so the table is bounded by the number of nodes.
 *
 * Alerts are checked after every round of a node and on the one-second
 * tick, whatever view is open.
 */

enum alert_kind {
	AL_DOWN = 0,		/* the node does not answer */
	AL_PEERS,		/* fewer peers than the minimum */
	AL_HEALTH,		/* connectivity health below the threshold */
	AL_DROP,		/* connectivity health fell fast */
	AL_STALLED,		/* height unchanged (getblockchaininfo only) */
	AL_BAN,			/* the node banned someone */
	AL_VIOLATION,		/* a peer misbehaved */
	AL_KINDS
};

/* Thresholds (console.alert_* in agentchain.yaml(5)); 0 disables one. */
struct alert_cfg {
	int	min_peers;	/* 0: the node's own min_peers */
	int	health;		/* alert below this */
	int	health_drop;	/* points lost within health_window */
	double	health_window;	/* seconds */
	double	down_after;	/* seconds down before it is an alert */
	double	stall;		/* seconds without a new block */
	double	hold;		/* seconds an event alert stays */
};

struct alert {
	enum alert_kind	 kind;
	size_t		 node;		/* index of the node */
	char		 label[32];	/* its name when raised */
	bool		 active;
	double		 since;		/* monotonic: raised */
	double		 last;		/* monotonic: last seen (events) */
	unsigned	 count;		/* events since raised */
	char		 text[200];	/* what, without the node's name */
};

struct alerts;
/* Called when an alert is raised (not when it only changes). */
typedef void (*alerts_raise_cb)(const struct alert *a, void *arg);

/* Alerts for NNODES nodes with thresholds CFG (copied).  Caller frees. */
struct alerts *alerts_new(const struct alert_cfg *cfg, size_t nnodes);
void alerts_free(struct alerts *al);
void alerts_set_callback(struct alerts *al, alerts_raise_cb cb, void *arg);

/* Check node I (S) at monotonic time NOW.  Returns true if any alert of
 * that node changed. */
bool alerts_check(struct alerts *al, size_t i, const struct source *s, double now);
/* Event KIND with TEXT from node I (S) at NOW: bans and violations become
 * alerts, other kinds are ignored.  Returns true if an alert changed. */
bool alerts_event(struct alerts *al, size_t i, const struct source *s, enum source_event kind,
    const char *text, double now);
/* Expire event alerts older than hold.  Returns true if any did. */
bool alerts_tick(struct alerts *al, double now);
/* Clear every event alert (the operator has seen them). */
void alerts_ack(struct alerts *al);

/* Active alerts, newest first, into OUT (at most MAX); returns how many. */
size_t alerts_list(const struct alerts *al, const struct alert **out, size_t max);
/* Active alerts in all, and of node I. */
unsigned alerts_count(const struct alerts *al);
unsigned alerts_count_node(const struct alerts *al, size_t i);
/* "down", "peers", "health", ... */
const char *alerts_kind_name(enum alert_kind k);

#endif
