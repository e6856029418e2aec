/* manual.c -- the nodes an operator asked us to keep connected (addnode, --seed-node), with stable ids.
 *
 * The bug this layout exists to prevent (addnode_remove_during_lookup):
 * entries used to live in an array that removal compacted, while a DNS
 * look-up held a pointer into it, so a late answer wrote another entry's
 * address.  Now a look-up carries only the id of its entry. */
#include "manual.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "log.h"
#include "resolver.h"
#include "strutil.h"
#include "xmalloc.h"

/* One look-up in flight; owned by the list until its answer arrives. */
struct manual_lookup {
	TAILQ_ENTRY(manual_lookup)	 entry;
	struct manual			*m;
	uint64_t			 id;
};
TAILQ_HEAD(manual_lookup_list, manual_lookup);

struct manual {
	struct resolver			*resolver;
	uint16_t			 default_port;
	struct manual_node		 nodes[MANUAL_MAX];
	size_t				 n;
	uint64_t			 next_id;
	struct manual_lookup_list	 lookups;
};

struct manual *
manual_new(struct resolver *resolver, uint16_t default_port)
{
	struct manual *m = xcalloc(1, sizeof(*m));

	m->resolver = resolver;
	m->default_port = default_port;
	TAILQ_INIT(&m->lookups);
	return m;
}

void
manual_free(struct manual *m)
{
	struct manual_lookup *l;

	if (m == NULL)
		return;
	while ((l = TAILQ_FIRST(&m->lookups)) != NULL) {
		TAILQ_REMOVE(&m->lookups, l, entry);
		free(l);
	}
	free(m);
}

static struct manual_node *
manual_node_by_id(struct manual *m, uint64_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->nodes[i].id == id)
			return &m->nodes[i];
	return NULL;
}

static struct manual_node *
manual_node_by_peer(struct manual *m, uint64_t peer_id)
{
	for (size_t i = 0; i < m->n && peer_id != 0; i++)
		if (m->nodes[i].peer_id == peer_id)
			return &m->nodes[i];
	return NULL;
}

int
manual_add(struct manual *m, const char *hostport, uint64_t *id, char *err, size_t errlen)
{
	struct manual_node *mn;
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	if (strlen(hostport) >= sizeof(mn->hostport) ||
	    netaddr_split_hostport(hostport, m->default_port, host, &port) == -1) {
		snprintf(err, errlen, "malformed address '%s' (want HOST:PORT)", hostport);
		return -1;
	}
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->nodes[i].hostport, hostport) == 0) {
			snprintf(err, errlen, "%s is already added", hostport);
			return -1;
		}
	if (m->n == MANUAL_MAX) {
		snprintf(err, errlen, "at most %d manual nodes", MANUAL_MAX);
		return -1;
	}
	mn = &m->nodes[m->n++];
	memset(mn, 0, sizeof(*mn));
	mn->id = ++m->next_id;
	str_copy(mn->hostport, hostport, sizeof(mn->hostport));
	mn->resolved = netaddr_parse(hostport, m->default_port, &mn->addr) == 0;
	mn->addr.port = port;
	if (id != NULL)
		*id = mn->id;
	return 0;
}

int
manual_remove(struct manual *m, const char *hostport)
{
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->nodes[i].hostport, hostport) != 0)
			continue;
		/* A running look-up keeps only the id, which dies here. */
		memmove(&m->nodes[i], &m->nodes[i + 1], (m->n - i - 1) * sizeof(m->nodes[0]));
		m->n--;
		return 0;
	}
	return -1;
}

size_t
manual_count(const struct manual *m)
{
	return m->n;
}

const struct manual_node *
manual_find(const struct manual *m, uint64_t id)
{
	return manual_node_by_id((struct manual *)m, id);
}

const struct manual_node *
manual_at(const struct manual *m, size_t i)
{
	return i < m->n ? &m->nodes[i] : NULL;
}

static void
manual_resolved(void *arg, const char *name, const struct netaddr *addrs, size_t n,
    const char *error)
{
	struct manual_lookup *l = arg;
	struct manual *m = l->m;
	struct manual_node *mn = manual_node_by_id(m, l->id);

	TAILQ_REMOVE(&m->lookups, l, entry);
	free(l);
	if (mn == NULL) {
		log_debug("net", "look-up of %s answered after its node was removed", name);
		return;
	}
	mn->resolving = false;
	if (error != NULL || n == 0) {
		snprintf(mn->last_error, sizeof(mn->last_error), "cannot resolve %s: %s", name,
		    error != NULL ? error : "no address");
		log_warn("net", "%s", mn->last_error);
		return;
	}
	/* The port was fixed when the node was added. */
	memcpy(mn->addr.ip, addrs[0].ip, sizeof(mn->addr.ip));
	mn->resolved = true;
	mn->next_try = 0;
	mn->last_error[0] = '\0';
}

static void
manual_lookup_start(struct manual *m, struct manual_node *mn, int64_t now)
{
	struct manual_lookup *l;
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	mn->next_try = now + MANUAL_RETRY;
	if (m->resolver == NULL) {
		str_copy(mn->last_error, "no DNS resolver", sizeof(mn->last_error));
		return;
	}
	if (netaddr_split_hostport(mn->hostport, m->default_port, host, &port) == -1)
		return;		/* checked by manual_add */
	l = xcalloc(1, sizeof(*l));
	l->m = m;
	l->id = mn->id;
	TAILQ_INSERT_TAIL(&m->lookups, l, entry);
	mn->resolving = true;
	if (resolver_lookup(m->resolver, host, port, manual_resolved, l) == -1) {
		TAILQ_REMOVE(&m->lookups, l, entry);
		free(l);
		mn->resolving = false;
		str_copy(mn->last_error, "DNS look-up refused (too many pending)",
		    sizeof(mn->last_error));
	}
}

void
manual_tick(struct manual *m, int64_t now, manual_dial_fn dial, void *arg)
{
	for (size_t i = 0; i < m->n; i++) {
		struct manual_node *mn = &m->nodes[i];
		const char *why = NULL;

		if (mn->peer_id != 0 || mn->resolving || now < mn->next_try)
			continue;
		if (!mn->resolved) {
			manual_lookup_start(m, mn, now);
			continue;
		}
		mn->next_try = now + ((int64_t)MANUAL_RETRY << mn->failures);
		mn->peer_id = dial(arg, &mn->addr, &why);
		if (mn->peer_id == 0 && why != NULL)
			str_copy(mn->last_error, why, sizeof(mn->last_error));
	}
}

void
manual_peer_gone(struct manual *m, uint64_t peer_id, bool was_active, int64_t now)
{
	struct manual_node *mn = manual_node_by_peer(m, peer_id);

	if (mn == NULL)
		return;
	mn->peer_id = 0;
	if (was_active)
		mn->failures = 0;
	mn->next_try = now + ((int64_t)MANUAL_RETRY << mn->failures);
}

void
manual_peer_failed(struct manual *m, uint64_t peer_id, const char *why)
{
	struct manual_node *mn = manual_node_by_peer(m, peer_id);

	if (mn == NULL)
		return;
	if (mn->failures < MANUAL_MAX_BACKOFF)
		mn->failures++;
	str_copy(mn->last_error, why, sizeof(mn->last_error));
}
