/* manual.h -- the nodes an operator asked us to keep connected (addnode, --seed-node), with stable ids.
 *
 * An entry is a HOST:PORT as the operator wrote it.  Names are resolved
 * through the resolver; a look-up refers to its entry by id, never by
 * pointer, so removing an entry while its look-up runs is safe: the
 * answer finds the entry gone and is dropped. */
#ifndef AGENTCHAIN_MANUAL_H
#define AGENTCHAIN_MANUAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

#define MANUAL_MAX		64
/* Unreachable entries are retried after 10 s, 20 s, ... up to ~10 minutes. */
#define MANUAL_RETRY		10
#define MANUAL_MAX_BACKOFF	6

struct manual;
struct resolver;

/* One entry, as RPC and connman read it. */
struct manual_node {
	uint64_t	 id;
	char		 hostport[NETADDR_HOSTLEN + 8];
	struct netaddr	 addr;		/* port always set; IP once resolved */
	bool		 resolved;
	bool		 resolving;
	uint64_t	 peer_id;	/* 0: not connected */
	int64_t		 next_try;	/* monotonic seconds */
	int		 failures;
	char		 last_error[96];	/* why the last try failed, "" if none */
};

/* RESOLVER may be NULL (names then never resolve).  It must be freed
 * before the list: its pending look-ups then never call back. */
struct manual *manual_new(struct resolver *resolver, uint16_t default_port);
void manual_free(struct manual *m);

/* Add HOSTPORT.  Returns 0 and its id in *ID (may be NULL), or -1 with
 * a reason in ERR: malformed, already added, or the list is full. */
int manual_add(struct manual *m, const char *hostport, uint64_t *id, char *err, size_t errlen);
/* Remove HOSTPORT (a running look-up for it is then ignored).  Returns 0,
 * or -1 when it was never added.  A connected peer stays connected. */
int manual_remove(struct manual *m, const char *hostport);

size_t manual_count(const struct manual *m);
const struct manual_node *manual_find(const struct manual *m, uint64_t id);
/* Entries in the order they were added: I from 0 to manual_count - 1. */
const struct manual_node *manual_at(const struct manual *m, size_t i);

/* Dial ADDR for an entry; returns the id of the peer now serving it
 * (dialled, or already connected), or 0 with a reason in WHY. */
typedef uint64_t (*manual_dial_fn)(void *arg, const struct netaddr *addr, const char **why);

/* Once a second (NOW: monotonic seconds): start look-ups for unresolved
 * entries and dial resolved ones that are due and not connected. */
void manual_tick(struct manual *m, int64_t now, manual_dial_fn dial, void *arg);

/* The peer serving an entry left; WAS_ACTIVE if its handshake had
 * completed (which resets the back-off).  Unknown ids are ignored. */
void manual_peer_gone(struct manual *m, uint64_t peer_id, bool was_active, int64_t now);
/* The dial for an entry failed (refused, timed out, no answer). */
void manual_peer_failed(struct manual *m, uint64_t peer_id, const char *why);

#endif
