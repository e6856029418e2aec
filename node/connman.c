/* connman.c -- connection manager: listeners, outbound slots, feelers, manual nodes, eviction.
 *
 * Decides who we talk to.  Outbound peers are chosen by us and are the
 * ones an attacker most wants to control, so the rules are strict: one per
 * netgroup, never ourselves, never banned, spread across countries and
 * ASNs when GeoIP is known.  Inbound peers choose us; we bound them per IP
 * and, when full, evict by Bitcoin Core's protections (eviction.c). */
#include "connman.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/listener.h>

#include "addrman.h"
#include "banman.h"
#include "conn.h"
#include "eviction.h"
#include "geoip.h"
#include "hash.h"
#include "log.h"
#include "node.h"
#include "resolver.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

#define CONNMAN_MAX_LISTEN	8
#define CONNMAN_MAX_SELF	16
/* Candidates drawn from the address book per slot to fill. */
#define CONNMAN_SELECT_TRIES	100
/* Candidates compared for country/ASN spread when GeoIP is known. */
#define CONNMAN_DIVERSITY_SAMPLE 8

struct manual_node {
	char		 hostport[NETADDR_HOSTLEN + 8];
	struct netaddr	 addr;
	bool		 resolved;
	bool		 resolving;
	uint64_t	 peer_id;	/* 0: not connected */
	int64_t		 next_try;
	int		 failures;
};

struct connman {
	struct node		*node;
	struct evconnlistener	*listener[CONNMAN_MAX_LISTEN];
	struct netaddr		 listen_addr[CONNMAN_MAX_LISTEN];
	size_t			 nlisten;
	struct netaddr		 self[CONNMAN_MAX_SELF];
	size_t			 nself;
	struct manual_node	 manual[CONNMAN_MAX_MANUAL];
	size_t			 nmanual;
	uint8_t			 evict_key[HASH_SIPHASH_KEYLEN];
	int64_t			 next_feeler;
	bool			 ever_connected;
};

static void connman_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);

struct connman *
connman_new(struct node *n)
{
	struct connman *cm = xcalloc(1, sizeof(*cm));

	cm->node = n;
	rnd_bytes(cm->evict_key, sizeof(cm->evict_key));
	cm->next_feeler = node_now(n) + CONNMAN_FEELER_INTERVAL;
	return cm;
}

void
connman_free(struct connman *cm)
{
	if (cm == NULL)
		return;
	for (size_t i = 0; i < cm->nlisten; i++)
		evconnlistener_free(cm->listener[i]);
	free(cm);
}

int
connman_listen(struct connman *cm, char *err, size_t errlen)
{
	const struct config_strlist *l = &cm->node->cfg->node.listen;
	struct sockaddr_storage ss;

	for (size_t i = 0; i < l->n && cm->nlisten < CONNMAN_MAX_LISTEN; i++) {
		struct netaddr a;
		struct evconnlistener *el;
		socklen_t len;

		if (netaddr_parse(l->v[i], cm->node->cfg->network.p2p_port, &a) == -1) {
			log_error("net", "bad listen address %s", l->v[i]);
			continue;
		}
		len = netaddr_to_sockaddr(&a, &ss);
		el = evconnlistener_new_bind(cm->node->base, connman_accept_cb, cm,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC |
		    (ss.ss_family == AF_INET6 ? LEV_OPT_BIND_IPV6ONLY : 0), 128,
		    (struct sockaddr *)&ss, (int)len);
		if (el == NULL) {
			log_warn("net", "cannot listen on %s: %s", l->v[i], strerror(errno));
			continue;
		}
		log_info("net", "listening on %s", l->v[i]);
		cm->listen_addr[cm->nlisten] = a;
		cm->listener[cm->nlisten++] = el;
	}
	if (cm->nlisten == 0 && l->n > 0) {
		snprintf(err, errlen, "could not listen on any configured address");
		return -1;
	}
	return 0;
}

size_t
connman_listeners(const struct connman *cm)
{
	return cm->nlisten;
}

static bool
netaddr_is_any(const struct netaddr *a)
{
	static const uint8_t any6[16];
	static const uint8_t any4[16] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a->ip, any6, 16) == 0 || memcmp(a->ip, any4, 16) == 0;
}

/* The specific listen address of ADDR's family to dial from, or NULL. */
static const struct netaddr *
connman_bind_ip(const struct connman *cm, const struct netaddr *addr)
{
	for (size_t i = 0; i < cm->nlisten; i++)
		if (!netaddr_is_any(&cm->listen_addr[i]) &&
		    netaddr_is_ipv4(&cm->listen_addr[i]) == netaddr_is_ipv4(addr))
			return &cm->listen_addr[i];
	return NULL;
}

static bool
connman_is_self(const struct connman *cm, const struct netaddr *a)
{
	for (size_t i = 0; i < cm->nself; i++)
		if (netaddr_equal(&cm->self[i], a))
			return true;
	for (size_t i = 0; i < cm->nlisten; i++)
		if (netaddr_equal(&cm->listen_addr[i], a))
			return true;
	return cm->node->has_external && netaddr_equal(&cm->node->external, a);
}

void
connman_note_self(struct connman *cm, const struct netaddr *addr)
{
	if (connman_is_self(cm, addr))
		return;
	if (cm->nself == CONNMAN_MAX_SELF)
		memmove(cm->self, cm->self + 1, sizeof(cm->self[0]) * --cm->nself);
	cm->self[cm->nself++] = *addr;
}

void
connman_note_local(struct connman *cm, const struct netaddr *seen_as, enum peer_dir dir)
{
	struct node *n = cm->node;
	struct netaddr a = *seen_as;

	/* Only an outbound peer's view is worth anything: it answered the
	 * address we dialled from.  A node that listens on a specific
	 * address advertises that one (set at start); otherwise we take the
	 * first routable address a peer reports, with our listening port. */
	if (n->has_external || dir != PEER_OUTBOUND || cm->nlisten == 0)
		return;
	if (connman_bind_ip(cm, &a) != NULL)
		return;
	a.port = cm->listen_addr[0].port;
	if (!netaddr_is_valid_peer(&a, n->params->allow_private))
		return;
	n->external = a;
	n->has_external = true;
}

static struct peer *
connman_find_addr(const struct connman *cm, const struct netaddr *a)
{
	struct peer *p;

	TAILQ_FOREACH(p, &cm->node->peers, entry)
		if (netaddr_equal(&p->addr, a) ||
		    (p->dir == PEER_OUTBOUND && netaddr_same_ip(&p->addr, a) &&
		    !cm->node->params->allow_private))
			return p;
	return NULL;
}

void
connman_counts(const struct connman *cm, struct connman_counts *out)
{
	const struct config *cfg = cm->node->cfg;
	struct peer *p;
	int max_in;

	memset(out, 0, sizeof(*out));
	TAILQ_FOREACH(p, &cm->node->peers, entry) {
		if (p->dir == PEER_INBOUND)
			out->inbound++;
		else if (p->kind == PEER_MANUAL)
			out->manual++;
		else if (p->kind == PEER_FEELER)
			out->feeler++;
		else
			out->outbound++;
	}
	/* Inbound gets what the outbound target and one feeler leave; a seed
	 * exists to be dialled, so it keeps back only what it really uses. */
	if (cfg->node.seed)
		max_in = cfg->network.max_peers - (int)(out->outbound + out->manual + out->feeler);
	else
		max_in = cfg->network.max_peers - cfg->network.min_peers - 1;
	out->max_inbound = max_in > 0 ? (unsigned)max_in : 1;
}

bool
connman_ever_connected(const struct connman *cm)
{
	return cm->ever_connected;
}

struct peer *
connman_connect(struct connman *cm, const struct netaddr *addr, enum peer_kind kind)
{
	struct node *n = cm->node;
	struct conn *c;
	struct peer *p;
	char err[128], a[NETADDR_STRLEN];

	if (connman_is_self(cm, addr) || connman_find_addr(cm, addr) != NULL ||
	    banman_is_banned(n->banman, addr, node_now(n)))
		return NULL;
	if (kind != PEER_MANUAL && !netaddr_is_valid_peer(addr, n->params->allow_private))
		return NULL;
	n->counters.outbound_attempts++;
	addrman_attempt(n->addrman, addr, kind != PEER_MANUAL, node_now(n));
	c = conn_connect(n->base, addr, connman_bind_ip(cm, addr), n->params->magic,
	    CONNMAN_CONNECT_TIMEOUT_MS, peer_conn_callbacks(), NULL, err, sizeof(err));
	if (c == NULL) {
		log_warn("net", "cannot dial %s: %s", netaddr_format(addr, a, sizeof(a)), err);
		n->counters.outbound_failures++;
		return NULL;
	}
	p = peer_new(n, c, addr, PEER_OUTBOUND, kind);
	conn_set_arg(c, p);
	log_debug("net", "dialling %s (%s) peer=%llu", netaddr_format(addr, a, sizeof(a)),
	    peer_kind_name(kind), (unsigned long long)p->id);
	return p;
}

void
connman_outbound_connected(struct connman *cm, struct peer *p)
{
	(void)p;
	cm->ever_connected = true;
}

void
connman_outbound_failed(struct connman *cm, struct peer *p)
{
	cm->node->counters.outbound_failures++;
	for (size_t i = 0; i < cm->nmanual; i++) {
		struct manual_node *mn = &cm->manual[i];
		if (mn->peer_id == p->id && mn->failures < 6)
			mn->failures++;
	}
}

void
connman_peer_gone(struct connman *cm, struct peer *p)
{
	int64_t now = node_now(cm->node);

	if (p->active && p->dir == PEER_OUTBOUND) {
		addrman_connected(cm->node->addrman, &p->addr, now);
	}
	for (size_t i = 0; i < cm->nmanual; i++) {
		struct manual_node *mn = &cm->manual[i];
		if (mn->peer_id != p->id)
			continue;
		mn->peer_id = 0;
		if (p->active)
			mn->failures = 0;
		/* Back off 10 s, 20 s, ... up to about 10 minutes. */
		mn->next_try = now + (CONNMAN_MANUAL_RETRY << mn->failures);
	}
}

/* --- inbound --------------------------------------------------------------- */

/* Make room for one more inbound peer.  Returns true if there is room. */
static bool
connman_make_room(struct connman *cm)
{
	struct connman_counts cnt;
	struct eviction_candidate *cand;
	struct peer *p;
	size_t n = 0;
	uint64_t victim;

	connman_counts(cm, &cnt);
	if (cnt.inbound < cnt.max_inbound)
		return true;
	cand = xcalloc(cnt.inbound, sizeof(*cand));
	TAILQ_FOREACH(p, &cm->node->peers, entry) {
		if (p->dir != PEER_INBOUND || n == cnt.inbound)
			continue;
		cand[n].id = p->id;
		memcpy(cand[n].netgroup, p->netgroup, NETADDR_GROUPLEN);
		cand[n].keyed_netgroup = hash_siphash(cm->evict_key, p->netgroup, NETADDR_GROUPLEN);
		cand[n].min_ping_ms = quality_latency_count(&p->q) > 0 ? p->q.lat_min : -1;
		cand[n].connected_ms = p->connected_ms;
		n++;
	}
	victim = eviction_select(cand, n);
	free(cand);
	if (victim == 0 || (p = peer_find(cm->node, victim)) == NULL)
		return false;
	cm->node->counters.evictions++;
	peer_disconnect(p, "evicted for an incoming connection", false);
	return true;
}

static unsigned
connman_inbound_from(const struct connman *cm, const struct netaddr *a)
{
	struct peer *p;
	unsigned n = 0;

	TAILQ_FOREACH(p, &cm->node->peers, entry)
		if (p->dir == PEER_INBOUND && netaddr_same_ip(&p->addr, a))
			n++;
	return n;
}

static void
connman_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct connman *cm = arg;
	struct node *n = cm->node;
	struct netaddr a;
	struct conn *c;
	struct peer *p;
	const char *why = NULL;
	char as[NETADDR_STRLEN];

	(void)l;
	(void)salen;
	if (netaddr_from_sockaddr(&a, sa) == -1)
		why = "unknown address family";
	else if (n->stopping)
		why = "shutting down";
	else if (banman_is_banned(n->banman, &a, node_now(n)))
		why = "banned";
	else if (connman_inbound_from(cm, &a) >= (unsigned)n->cfg->node.max_inbound_per_ip)
		why = "too many connections from this address";
	else if (!connman_make_room(cm))
		why = "inbound slots full";
	if (why != NULL) {
		n->counters.inbound_refused++;
		log_debug("net", "refused inbound from %s: %s",
		    netaddr_format(&a, as, sizeof(as)), why);
		evutil_closesocket(fd);
		return;
	}
	c = conn_accept(n->base, fd, &a, n->params->magic, peer_conn_callbacks(), NULL);
	if (c == NULL)
		return;
	n->counters.inbound_accepted++;
	p = peer_new(n, c, &a, PEER_INBOUND, PEER_FULL);
	conn_set_arg(c, p);
	log_debug("net", "accepted %s peer=%llu", netaddr_format(&a, as, sizeof(as)),
	    (unsigned long long)p->id);
}

/* --- outbound -------------------------------------------------------------- */

static bool
connman_netgroup_taken(const struct connman *cm, const uint8_t group[NETADDR_GROUPLEN])
{
	struct peer *p;

	TAILQ_FOREACH(p, &cm->node->peers, entry)
		if (p->dir == PEER_OUTBOUND && p->kind != PEER_FEELER &&
		    memcmp(p->netgroup, group, NETADDR_GROUPLEN) == 0)
			return true;
	return false;
}

/* How many outbound peers share CAND's country and ASN: lower is better. */
static unsigned
connman_geo_crowding(const struct connman *cm, const struct netaddr *cand)
{
	struct geoip_info gi;
	struct peer *p;
	unsigned score = 0;

	if (geoip_lookup(cm->node->geoip, cand, &gi) == -1)
		return 0;
	TAILQ_FOREACH(p, &cm->node->peers, entry) {
		if (p->dir != PEER_OUTBOUND)
			continue;
		if (gi.country[0] != '\0' && strcmp(p->country, gi.country) == 0)
			score += 2;
		if (gi.asn != 0 && p->asn == gi.asn)
			score += 3;
	}
	return score;
}

/* Draw a candidate for a new outbound connection (design:
 * SelectDiversePeers).  Returns 0, or -1 when nothing fits. */
static int
connman_select(struct connman *cm, bool new_only, struct netaddr *out)
{
	struct node *n = cm->node;
	struct addrman_info info;
	struct netaddr sample[CONNMAN_DIVERSITY_SAMPLE];
	size_t ns = 0, want = n->geoip != NULL ? CONNMAN_DIVERSITY_SAMPLE : 1;
	int64_t now = node_now(n);
	uint8_t group[NETADDR_GROUPLEN];

	for (int tries = 0; tries < CONNMAN_SELECT_TRIES && ns < want; tries++) {
		if (addrman_select(n->addrman, new_only, now, &info) == -1)
			break;
		netaddr_netgroup_policy(&info.addr, n->params->allow_private, group);
		if (connman_is_self(cm, &info.addr) || connman_find_addr(cm, &info.addr) != NULL ||
		    connman_netgroup_taken(cm, group) || !node_addr_usable(n, &info.addr))
			continue;
		/* Back off addresses that failed recently (Core: 10 min, only
		 * for the first 30 tries of a round). */
		if (info.last_try > 0 && now - info.last_try < 60 * (1 + info.attempts) && tries < 30)
			continue;
		bool dup = false;
		for (size_t i = 0; i < ns && !dup; i++)
			dup = netaddr_equal(&sample[i], &info.addr);
		if (!dup)
			sample[ns++] = info.addr;
	}
	if (ns == 0)
		return -1;
	size_t best = 0;
	if (n->geoip != NULL) {
		unsigned best_score = UINT32_MAX;
		for (size_t i = 0; i < ns; i++) {
			unsigned s = connman_geo_crowding(cm, &sample[i]);
			if (s < best_score) {
				best_score = s;
				best = i;
			}
		}
	}
	*out = sample[best];
	return 0;
}

static void
connman_manual_resolved(void *arg, const char *name, const struct netaddr *addrs, size_t n,
    const char *error)
{
	struct manual_node *mn = arg;

	mn->resolving = false;
	if (error != NULL || n == 0) {
		log_warn("net", "cannot resolve %s: %s", name, error != NULL ? error : "no address");
		return;
	}
	/* The port was fixed when the node was added. */
	memcpy(mn->addr.ip, addrs[0].ip, sizeof(mn->addr.ip));
	mn->resolved = true;
	mn->next_try = 0;
}

int
connman_add_manual(struct connman *cm, const char *hostport, char *err, size_t errlen)
{
	struct manual_node *mn;
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	if (netaddr_split_hostport(hostport, cm->node->cfg->network.p2p_port, host, &port) == -1) {
		snprintf(err, errlen, "malformed address '%s' (want HOST:PORT)", hostport);
		return -1;
	}
	for (size_t i = 0; i < cm->nmanual; i++)
		if (strcmp(cm->manual[i].hostport, hostport) == 0) {
			snprintf(err, errlen, "%s is already added", hostport);
			return -1;
		}
	if (cm->nmanual == CONNMAN_MAX_MANUAL) {
		snprintf(err, errlen, "at most %d manual nodes", CONNMAN_MAX_MANUAL);
		return -1;
	}
	mn = &cm->manual[cm->nmanual++];
	memset(mn, 0, sizeof(*mn));
	str_copy(mn->hostport, hostport, sizeof(mn->hostport));
	mn->resolved = netaddr_parse(hostport, cm->node->cfg->network.p2p_port, &mn->addr) == 0;
	mn->addr.port = port;
	return 0;
}

int
connman_remove_manual(struct connman *cm, const char *hostport)
{
	for (size_t i = 0; i < cm->nmanual; i++) {
		if (strcmp(cm->manual[i].hostport, hostport) != 0)
			continue;
		if (cm->manual[i].resolving)
			return -1;	/* a look-up holds a pointer to it */
		memmove(&cm->manual[i], &cm->manual[i + 1],
		    (cm->nmanual - i - 1) * sizeof(cm->manual[0]));
		cm->nmanual--;
		return 0;
	}
	return -1;
}

static void
connman_tick_manual(struct connman *cm, int64_t now)
{
	for (size_t i = 0; i < cm->nmanual; i++) {
		struct manual_node *mn = &cm->manual[i];
		struct peer *p;
		char host[NETADDR_HOSTLEN];
		uint16_t port;

		if (mn->peer_id != 0 || mn->resolving || now < mn->next_try)
			continue;
		if (!mn->resolved) {
			if (cm->node->resolver == NULL ||
			    netaddr_split_hostport(mn->hostport, cm->node->cfg->network.p2p_port,
			    host, &port) == -1)
				continue;
			mn->resolving = true;
			mn->next_try = now + CONNMAN_MANUAL_RETRY;
			if (resolver_lookup(cm->node->resolver, host, port,
			    connman_manual_resolved, mn) == -1)
				mn->resolving = false;
			continue;
		}
		mn->next_try = now + (CONNMAN_MANUAL_RETRY << mn->failures);
		if ((p = connman_find_addr(cm, &mn->addr)) != NULL) {
			mn->peer_id = p->id;	/* already connected (e.g. inbound) */
			continue;
		}
		if ((p = connman_connect(cm, &mn->addr, PEER_MANUAL)) != NULL)
			mn->peer_id = p->id;
	}
}

void
connman_tick(struct connman *cm, int64_t now_ms)
{
	struct node *n = cm->node;
	struct connman_counts cnt;
	struct netaddr a;
	int64_t now = now_ms / 1000;
	int dials = 0;

	if (n->stopping)
		return;
	connman_tick_manual(cm, now);
	connman_counts(cm, &cnt);
	/* At most two new dials a second keeps a restart from stampeding. */
	while (cnt.outbound < (unsigned)n->cfg->network.min_peers &&
	    cnt.outbound + cnt.inbound + cnt.manual < (unsigned)n->cfg->network.max_peers &&
	    dials < 2 && connman_select(cm, false, &a) == 0) {
		if (connman_connect(cm, &a, PEER_FULL) != NULL)
			cnt.outbound++;
		dials++;
	}
	/* Feelers test new addresses once the outbound slots are full, so
	 * the tried table keeps filling with known-good entries. */
	if (now >= cm->next_feeler) {
		cm->next_feeler = now + CONNMAN_FEELER_INTERVAL / 2 +
		    rnd_uniform(CONNMAN_FEELER_INTERVAL);
		if (cnt.outbound >= (unsigned)n->cfg->network.min_peers && cnt.feeler == 0 &&
		    connman_select(cm, true, &a) == 0)
			connman_connect(cm, &a, PEER_FEELER);
	}
}
