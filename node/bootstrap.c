/* bootstrap.c -- finding the first peers: saved book, DNS seeds, hard-coded seeds.
 *
 * The order follows Bitcoin Core: a node with a saved address book just
 * uses it; DNS seeds are a fallback when the book is nearly empty or no
 * outbound connection succeeded within 11 s; hard-coded seeds come last.
 * No central service is needed once the node has met one peer. */
#include "bootstrap.h"

#include <stdlib.h>
#include <string.h>

#include "addrman.h"
#include "clock.h"
#include "config.h"
#include "connman.h"
#include "log.h"
#include "resolver.h"
#include "rnd.h"
#include "xmalloc.h"

struct bootstrap {
	const struct config	*cfg;
	struct addrman		*addrman;
	struct connman		*cm;
	struct resolver		*resolver;
	int64_t			 start;		/* created, monotonic seconds */
	bool			 dns_asked;
	bool			 fixed_asked;
};

struct bootstrap *
bootstrap_new(const struct bootstrap_opts *o)
{
	struct bootstrap *bs = xcalloc(1, sizeof(*bs));

	bs->cfg = o->cfg;
	bs->addrman = o->addrman;
	bs->cm = o->connman;
	bs->resolver = o->resolver;
	bs->start = clock_mono_ms() / 1000;
	return bs;
}

void
bootstrap_free(struct bootstrap *bs)
{
	free(bs);
}

/* Addresses from a seed are stored as a few days old: they are hearsay,
 * and fresh ones learnt from peers should win. */
static void
bootstrap_add(struct bootstrap *bs, const struct netaddr *addrs, size_t count, const char *from)
{
	int64_t now = clock_wall();
	size_t added = 0;

	for (size_t i = 0; i < count; i++) {
		int64_t age = 3 * 86400 + rnd_uniform(4 * 86400);
		if (connman_addr_usable(bs->cm, &addrs[i]) &&
		    addrman_add(bs->addrman, &addrs[i], 0, now - age, &addrs[0], 0, now))
			added++;
	}
	log_info("bootstrap", "%s: %zu addresses, %zu new", from, count, added);
}

static void
bootstrap_resolved(void *arg, const char *name, const struct netaddr *addrs, size_t count,
    const char *error)
{
	struct bootstrap *bs = arg;

	if (error != NULL) {
		log_warn("bootstrap", "seed %s: %s", name, error);
		return;
	}
	bootstrap_add(bs, addrs, count, name);
}

/* Add "host:port" entries: literals at once, names through the resolver. */
static void
bootstrap_ask(struct bootstrap *bs, const struct config_strlist *list, uint16_t default_port)
{
	for (size_t i = 0; i < list->n; i++) {
		char host[NETADDR_HOSTLEN];
		uint16_t port;
		struct netaddr a;

		if (netaddr_parse(list->v[i], default_port, &a) == 0) {
			bootstrap_add(bs, &a, 1, list->v[i]);
			continue;
		}
		if (netaddr_split_hostport(list->v[i], default_port, host, &port) == -1)
			continue;
		if (bs->resolver == NULL) {
			log_warn("bootstrap", "no resolver: cannot look up %s", host);
			continue;
		}
		log_info("bootstrap", "asking seed %s", host);
		resolver_lookup(bs->resolver, host, port, bootstrap_resolved, bs);
	}
}

void
bootstrap_tick(struct bootstrap *bs, int64_t now)
{
	const struct config *cfg = bs->cfg;
	bool nearly_empty = addrman_size(bs->addrman) < BOOTSTRAP_NEARLY_EMPTY;
	int64_t age = now - bs->start;

	if (!bs->dns_asked && cfg->network.dns_seeds.n > 0 &&
	    (nearly_empty || (age >= BOOTSTRAP_DNS_DELAY && !connman_ever_connected(bs->cm)))) {
		bs->dns_asked = true;
		bootstrap_ask(bs, &cfg->network.dns_seeds, (uint16_t)cfg->network.p2p_port);
	}
	if (!bs->fixed_asked && cfg->network.seeds.n > 0 &&
	    ((nearly_empty && cfg->network.dns_seeds.n == 0) ||
	    (age >= BOOTSTRAP_FIXED_DELAY && addrman_size(bs->addrman) == 0))) {
		bs->fixed_asked = true;
		bootstrap_ask(bs, &cfg->network.seeds, (uint16_t)cfg->network.p2p_port);
	}
}
