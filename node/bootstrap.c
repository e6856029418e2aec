/* bootstrap.c -- finding the first peers: saved book, DNS seeds, hard-coded seeds.
 *
 * The order follows Bitcoin Core: a node with a saved address book just
 * uses it; DNS seeds are a fallback when the book is nearly empty or no
 * outbound connection succeeded within 11 s; hard-coded seeds come last.
 * No central service is needed once the node has met one peer. */
#include "bootstrap.h"

#include <string.h>

#include "addrman.h"
#include "connman.h"
#include "log.h"
#include "node.h"
#include "resolver.h"
#include "rnd.h"

/* Addresses from a seed are stored as a few days old: they are hearsay,
 * and fresh ones learnt from peers should win. */
static void
bootstrap_add(struct node *n, const struct netaddr *addrs, size_t count, const char *from)
{
	int64_t now = node_now(n);
	size_t added = 0;

	for (size_t i = 0; i < count; i++) {
		int64_t age = 3 * 86400 + rnd_uniform(4 * 86400);
		if (node_addr_usable(n, &addrs[i]) &&
		    addrman_add(n->addrman, &addrs[i], 0, now - age, &addrs[0], 0, now))
			added++;
	}
	log_info("bootstrap", "%s: %zu addresses, %zu new", from, count, added);
}

static void
bootstrap_resolved(void *arg, const char *name, const struct netaddr *addrs, size_t count,
    const char *error)
{
	struct node *n = arg;

	if (error != NULL) {
		log_warn("bootstrap", "seed %s: %s", name, error);
		return;
	}
	bootstrap_add(n, addrs, count, name);
}

/* Add "host:port" entries: literals at once, names through the resolver. */
static void
bootstrap_ask(struct node *n, const struct config_strlist *list, uint16_t default_port)
{
	for (size_t i = 0; i < list->n; i++) {
		char host[NETADDR_HOSTLEN];
		uint16_t port;
		struct netaddr a;

		if (netaddr_parse(list->v[i], default_port, &a) == 0) {
			bootstrap_add(n, &a, 1, list->v[i]);
			continue;
		}
		if (netaddr_split_hostport(list->v[i], default_port, host, &port) == -1)
			continue;
		if (n->resolver == NULL) {
			log_warn("bootstrap", "no resolver: cannot look up %s", host);
			continue;
		}
		log_info("bootstrap", "asking seed %s", host);
		resolver_lookup(n->resolver, host, port, bootstrap_resolved, n);
	}
}

void
bootstrap_tick(struct node *n, int64_t now)
{
	int64_t age = now - n->start_time;
	bool nearly_empty = addrman_size(n->addrman) < BOOTSTRAP_NEARLY_EMPTY;

	if (!n->bootstrap_dns_asked && n->cfg->network.dns_seeds.n > 0 &&
	    (nearly_empty || (age >= BOOTSTRAP_DNS_DELAY && !connman_ever_connected(n->connman)))) {
		n->bootstrap_dns_asked = true;
		bootstrap_ask(n, &n->cfg->network.dns_seeds, n->cfg->network.p2p_port);
	}
	if (!n->bootstrap_fixed_asked && n->cfg->network.seeds.n > 0 &&
	    ((nearly_empty && n->cfg->network.dns_seeds.n == 0) ||
	    (age >= BOOTSTRAP_FIXED_DELAY && addrman_size(n->addrman) == 0))) {
		n->bootstrap_fixed_asked = true;
		bootstrap_ask(n, &n->cfg->network.seeds, n->cfg->network.p2p_port);
	}
}
