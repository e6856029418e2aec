/* bootstrap.c -- finding the first peers: saved book, DNS seeds, hard-coded seeds.
 *
 * The order follows Bitcoin Core: a node with a saved address book just
 * uses it; DNS seeds are a fallback when the book is nearly empty or no
 * outbound connection succeeded within 11 s; hard-coded seeds come last.
 * No central service is needed once the node has met one peer.  A node
 * that has no peer at all keeps asking its seeds, with back-off, and says
 * why it is alone (in the log, and to RPC through bootstrap_status). */
#include "bootstrap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrman.h"
#include "clock.h"
#include "config.h"
#include "connman.h"
#include "log.h"
#include "manual.h"
#include "resolver.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

struct bootstrap {
	const struct config	*cfg;
	struct addrman		*addrman;
	struct connman		*cm;
	struct resolver		*resolver;
	int64_t			 start;		/* created, monotonic seconds */
	bool			 dns_asked;
	bool			 fixed_asked;
	/* Alone: no peer has completed a handshake. */
	int64_t			 lonely_since;	/* 0: not alone */
	int64_t			 retry_delay;
	int64_t			 next_retry;	/* 0: none planned */
	int64_t			 next_warn;
	unsigned		 rounds;	/* seed rounds asked */
	unsigned		 dns_pending;	/* look-ups of this round in flight */
	size_t			 dns_usable;	/* addresses they gave */
	char			 dns_result[128];	/* the last DNS seed's answer */
	size_t			 fixed_total, fixed_usable;
	bool			 placeholder_logged;
	char			 reason[BOOTSTRAP_REASON_MAX];
	char			 warned[BOOTSTRAP_REASON_MAX];
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
	bs->retry_delay = BOOTSTRAP_RETRY_MIN;
	return bs;
}

void
bootstrap_free(struct bootstrap *bs)
{
	free(bs);
}

/* Addresses from a seed are stored as a few days old: they are hearsay,
 * and fresh ones learnt from peers should win.  Returns how many were
 * usable here. */
static size_t
bootstrap_add(struct bootstrap *bs, const struct netaddr *addrs, size_t count, const char *from)
{
	int64_t now = clock_wall();
	size_t added = 0, usable = 0;

	for (size_t i = 0; i < count; i++) {
		int64_t age = 3 * 86400 + rnd_uniform(4 * 86400);
		if (!connman_addr_usable(bs->cm, &addrs[i]))
			continue;
		usable++;
		if (addrman_add(bs->addrman, &addrs[i], 0, now - age, &addrs[0], 0, now))
			added++;
	}
	log_info("bootstrap", "%s: %zu addresses, %zu new", from, count, added);
	return usable;
}

static void bootstrap_ask_fixed(struct bootstrap *bs);

static void
bootstrap_resolved(void *arg, const char *name, const struct netaddr *addrs, size_t count,
    const char *error)
{
	struct bootstrap *bs = arg;
	size_t usable = 0;

	if (bs->dns_pending > 0)
		bs->dns_pending--;
	if (error != NULL) {
		log_warn("bootstrap", "seed %s: %s", name, error);
		snprintf(bs->dns_result, sizeof(bs->dns_result), "%.60s: %.60s", name, error);
	} else {
		usable = bootstrap_add(bs, addrs, count, name);
		snprintf(bs->dns_result, sizeof(bs->dns_result), "%.80s: %zu addresses, %zu usable",
		    name, count, usable);
	}
	bs->dns_usable += usable;
	/* DNS gave nothing (it is down, say): the fixed seeds now, not at
	 * BOOTSTRAP_FIXED_DELAY. */
	if (bs->dns_pending == 0 && bs->dns_usable == 0 && !bs->fixed_asked &&
	    bs->cfg->network.seeds.n > 0 && addrman_size(bs->addrman) == 0) {
		log_info("bootstrap", "the DNS seeds gave no address: asking the fixed seeds");
		bootstrap_ask_fixed(bs);
	}
}

/* Add "host:port" entries: literals at once, names through the resolver. */
static void
bootstrap_ask(struct bootstrap *bs, const struct config_strlist *list, uint16_t default_port,
    bool fixed)
{
	char a_str[NETADDR_STRLEN];

	for (size_t i = 0; i < list->n; i++) {
		char host[NETADDR_HOSTLEN];
		uint16_t port;
		struct netaddr a;

		if (fixed)
			bs->fixed_total++;
		if (netaddr_parse(list->v[i], default_port, &a) == 0) {
			if (bootstrap_add(bs, &a, 1, list->v[i]) > 0)
				bs->fixed_usable++;
			else if (netaddr_classify(&a) == NETADDR_DOCUMENTATION &&
			    !bs->placeholder_logged) {
				bs->placeholder_logged = true;
				log_warn("bootstrap", "seed %s is a documentation address (a "
				    "placeholder in the seed list), skipped",
				    netaddr_format(&a, a_str, sizeof(a_str)));
			}
			continue;
		}
		if (netaddr_split_hostport(list->v[i], default_port, host, &port) == -1)
			continue;
		if (bs->resolver == NULL) {
			log_warn("bootstrap", "no resolver: cannot look up %s", host);
			snprintf(bs->dns_result, sizeof(bs->dns_result), "no DNS resolver");
			continue;
		}
		log_info("bootstrap", "asking seed %s", host);
		if (resolver_lookup(bs->resolver, host, port, bootstrap_resolved, bs) == -1)
			snprintf(bs->dns_result, sizeof(bs->dns_result), "%.80s: look-up refused",
			    host);
		else
			bs->dns_pending++;
	}
}

static void
bootstrap_ask_dns(struct bootstrap *bs)
{
	bs->dns_asked = true;
	bs->dns_usable = 0;
	bootstrap_ask(bs, &bs->cfg->network.dns_seeds, (uint16_t)bs->cfg->network.p2p_port, false);
}

static void
bootstrap_ask_fixed(struct bootstrap *bs)
{
	bs->fixed_asked = true;
	bs->fixed_total = bs->fixed_usable = 0;
	bootstrap_ask(bs, &bs->cfg->network.seeds, (uint16_t)bs->cfg->network.p2p_port, true);
}

static unsigned
bootstrap_active_peers(const struct bootstrap *bs)
{
	unsigned n = 0;

	for (struct peer *p = connman_peer_first(bs->cm); p != NULL; p = connman_peer_next(p))
		n += p->active;
	return n;
}

/* Why the node has no peer, in one line an operator can act on. */
static void
bootstrap_explain(struct bootstrap *bs, int64_t now)
{
	const struct config *cfg = bs->cfg;
	const struct connman_stats *cs = connman_stats(bs->cm);
	const struct manual *m = connman_manual(bs->cm);
	size_t book = addrman_size(bs->addrman), off = 0;
	char *r = bs->reason;
	const size_t len = sizeof(bs->reason);

#define ADD(...)	do { if (off < len) off += (size_t)snprintf(r + off, len - off, __VA_ARGS__); } while (0)
	if (book == 0 && cfg->network.dns_seeds.n == 0 &&
	    (cfg->network.seeds.n == 0 || (bs->fixed_asked && bs->fixed_usable == 0)) &&
	    manual_count(m) == 0) {
		ADD("the address book is empty and there is no seed to ask (network.dns_seeds "
		    "and network.seeds are empty%s): give --seed-node HOST:PORT or addnode",
		    cfg->network.seeds.n > 0 ? " or unusable here" : "");
	} else if (cfg->network.min_peers == 0 && manual_count(m) == 0) {
		ADD("network.min_peers is 0: not dialling out, waiting for inbound peers");
	} else {
		if (book == 0)
			ADD("the address book is empty");
		else
			ADD("%zu addresses known, none connected (%llu of %llu dials failed)", book,
			    (unsigned long long)cs->outbound_failures,
			    (unsigned long long)cs->outbound_attempts);
		if (cfg->network.dns_seeds.n > 0)
			ADD("; DNS seeds: %s", bs->dns_result[0] != '\0' ? bs->dns_result :
			    bs->dns_asked ? "no answer yet" : "not asked yet");
		if (cfg->network.seeds.n > 0 && bs->fixed_asked)
			ADD("; fixed seeds: %zu of %zu usable", bs->fixed_usable, bs->fixed_total);
		for (size_t i = 0; i < manual_count(m); i++)
			if (manual_at(m, i)->last_error[0] != '\0') {
				ADD("; %s: %s", manual_at(m, i)->hostport, manual_at(m, i)->last_error);
				break;
			}
		if (bs->next_retry > now)
			ADD("; asking the seeds again in %llds", (long long)(bs->next_retry - now));
	}
#undef ADD
}

void
bootstrap_tick(struct bootstrap *bs, int64_t now)
{
	const struct config *cfg = bs->cfg;
	bool nearly_empty = addrman_size(bs->addrman) < BOOTSTRAP_NEARLY_EMPTY;
	int64_t age = now - bs->start;

	if (!bs->dns_asked && cfg->network.dns_seeds.n > 0 &&
	    (nearly_empty || (age >= BOOTSTRAP_DNS_DELAY && !connman_ever_connected(bs->cm))))
		bootstrap_ask_dns(bs);
	if (!bs->fixed_asked && cfg->network.seeds.n > 0 &&
	    ((nearly_empty && cfg->network.dns_seeds.n == 0) ||
	    (age >= BOOTSTRAP_FIXED_DELAY && addrman_size(bs->addrman) == 0)))
		bootstrap_ask_fixed(bs);

	if (bootstrap_active_peers(bs) > 0) {
		bs->lonely_since = bs->next_retry = 0;
		bs->retry_delay = BOOTSTRAP_RETRY_MIN;
		bs->reason[0] = bs->warned[0] = '\0';
		return;
	}
	if (bs->lonely_since == 0) {
		bs->lonely_since = now;
		bs->next_retry = now + bs->retry_delay;
	}
	/* Alone: the seeds again, with back-off (a seed down for a while, a
	 * DNS outage, a network cable plugged in late). */
	if (now >= bs->next_retry && (cfg->network.dns_seeds.n > 0 || cfg->network.seeds.n > 0)) {
		bs->rounds++;
		log_info("bootstrap", "no peers: asking the seeds again (round %u, next in %llds)",
		    bs->rounds + 1, (long long)(bs->retry_delay * 2 < BOOTSTRAP_RETRY_MAX ?
		    bs->retry_delay * 2 : BOOTSTRAP_RETRY_MAX));
		if (cfg->network.dns_seeds.n > 0)
			bootstrap_ask_dns(bs);
		if (cfg->network.seeds.n > 0)
			bootstrap_ask_fixed(bs);
		bs->retry_delay = bs->retry_delay * 2 < BOOTSTRAP_RETRY_MAX ?
		    bs->retry_delay * 2 : BOOTSTRAP_RETRY_MAX;
		bs->next_retry = now + bs->retry_delay;
	}
	bootstrap_explain(bs, now);
	/* Say it now and then, and whenever the story changes (minus the
	 * countdown, which always does). */
	if (now - bs->lonely_since >= BOOTSTRAP_LONELY_WARN &&
	    (now >= bs->next_warn || strncmp(bs->warned, bs->reason, strcspn(bs->reason, ";")) != 0)) {
		log_warn("bootstrap", "no peers for %llds: %s", (long long)(now - bs->lonely_since),
		    bs->reason);
		str_copy(bs->warned, bs->reason, sizeof(bs->warned));
		bs->next_warn = now + BOOTSTRAP_WARN_INTERVAL;
	}
}

void
bootstrap_status(const struct bootstrap *bs, struct bootstrap_status *out)
{
	int64_t now = clock_mono_ms() / 1000;

	memset(out, 0, sizeof(*out));
	/* Live: a peer may have arrived since the last tick. */
	out->alone = bs->lonely_since != 0 && bootstrap_active_peers(bs) == 0;
	out->alone_seconds = out->alone ? now - bs->lonely_since : 0;
	out->rounds = bs->rounds + (bs->dns_asked || bs->fixed_asked ? 1 : 0);
	out->next_retry_in = out->alone && bs->next_retry > now ? bs->next_retry - now : -1;
	str_copy(out->reason, out->alone ? bs->reason : "", sizeof(out->reason));
	str_copy(out->dns_result, bs->dns_result, sizeof(out->dns_result));
	out->fixed_total = bs->fixed_total;
	out->fixed_usable = bs->fixed_usable;
}
