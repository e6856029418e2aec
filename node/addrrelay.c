/* addrrelay.c -- address exchange: getaddr answers, addr intake with rate limits, relay.
 *
 * The address book is what an eclipse attacker wants to poison and what a
 * spy wants to read, so both directions are rationed: incoming addresses
 * through a per-peer token bucket (Bitcoin Core's numbers), outgoing ones
 * through a cached sample that changes only every few hours.  Fresh
 * self-announcements are gossiped to two random peers, once per address. */
#include "addrrelay.h"

#include <stdlib.h>
#include <string.h>

#include "addrman.h"
#include "conn.h"
#include "hash.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "rnd.h"
#include "xmalloc.h"

/* A flood: an addr message most of whose entries the bucket refused. */
#define ADDRRELAY_FLOOD_MIN_COUNT	10

static int64_t
addrrelay_cache_lifetime(const struct node *n)
{
	/* Regtest networks are born in seconds; a seed exists to hand out
	 * addresses; an ordinary node keeps its answer for hours (Core: 21 h
	 * + U(0, 6 h); we refresh more often since our networks are small). */
	if (n->params->allow_private)
		return 5;
	if (n->cfg->node.seed)
		return 60;
	return 3 * 3600 + rnd_uniform(3 * 3600);
}

static void
addrrelay_rebuild_cache(struct node *n, int64_t now)
{
	unsigned pct = n->cfg->node.seed ? 100 : ADDRMAN_GETADDR_PCT;
	struct addrman_info *info = xcalloc(ADDRMAN_GETADDR_MAX, sizeof(*info));
	size_t got;

	got = addrman_get_addr(n->addrman, ADDRMAN_GETADDR_MAX, pct, now, info, ADDRMAN_GETADDR_MAX);
	free(n->getaddr_cache);
	n->getaddr_cache = xcalloc(got + 1, sizeof(*n->getaddr_cache));
	for (size_t i = 0; i < got; i++) {
		n->getaddr_cache[i].time = (uint32_t)info[i].time;
		n->getaddr_cache[i].services = info[i].services;
		n->getaddr_cache[i].addr = info[i].addr;
	}
	n->getaddr_cache_n = got;
	n->getaddr_cache_book = addrman_size(n->addrman);
	n->getaddr_cache_expires = now + addrrelay_cache_lifetime(n);
	free(info);
}

void
addrrelay_flush_cache(struct node *n)
{
	n->getaddr_cache_expires = 0;
}

void
addrrelay_free(struct node *n)
{
	free(n->getaddr_cache);
	n->getaddr_cache = NULL;
	n->getaddr_cache_n = 0;
}

static uint64_t
addrrelay_key(const struct node *n, const struct netaddr *a)
{
	return hash_siphash(n->addr_key, a, sizeof(*a));
}

static bool
addrrelay_known(const struct peer *p, uint64_t k)
{
	for (unsigned i = 0; i < PEER_ADDR_KNOWN; i++)
		if (p->addr_known[i] == k)
			return true;
	return false;
}

static void
addrrelay_mark_known(struct peer *p, uint64_t k)
{
	if (addrrelay_known(p, k))
		return;
	p->addr_known[p->addr_known_head] = k;
	p->addr_known_head = (p->addr_known_head + 1) % PEER_ADDR_KNOWN;
}

static void
addrrelay_send(struct peer *p, const struct msg_addr_entry *e, size_t count)
{
	struct msg m;

	for (size_t i = 0; i < count && count <= ADDRRELAY_RELAY_MAX_COUNT; i++)
		addrrelay_mark_known(p, addrrelay_key(p->node, &e[i].addr));

	msg_init(&m, MSG_ADDR);
	if (msg_addr_set(&m, e, count) == 0)
		peer_send(p, &m);
	msg_free(&m);
}

void
addrrelay_on_active(struct peer *p)
{
	struct node *n = p->node;
	struct msg m;

	if (p->dir == PEER_OUTBOUND && !p->getaddr_sent) {
		msg_init(&m, MSG_GETADDR);
		peer_send(p, &m);
		p->getaddr_sent = true;
		p->addr_tokens += ADDRRELAY_TOKENS_MAX;
	}
	p->next_self_announce = node_now(n);
	addrrelay_tick(p, node_now(n));
}

void
addrrelay_tick(struct peer *p, int64_t now)
{
	struct node *n = p->node;
	int64_t avg = n->params->allow_private ? ADDRRELAY_SELF_INTERVAL_REGTEST :
	    ADDRRELAY_SELF_INTERVAL;
	struct msg_addr_entry self;

	if (!n->has_external || now < p->next_self_announce || p->kind == PEER_FEELER)
		return;
	p->next_self_announce = now + avg / 2 + rnd_uniform((uint32_t)avg);
	self.time = (uint32_t)now;
	self.services = n->services;
	self.addr = n->external;
	/* Forget that the peer knew it: a re-announcement must go through. */
	for (unsigned i = 0; i < PEER_ADDR_KNOWN; i++)
		if (p->addr_known[i] == addrrelay_key(n, &self.addr))
			p->addr_known[i] = 0;
	addrrelay_send(p, &self, 1);
}

void
addrrelay_on_getaddr(struct peer *p)
{
	struct node *n = p->node;
	int64_t now = node_now(n);

	/* Answering outbound peers would let whoever we dial fingerprint us. */
	if (p->dir != PEER_INBOUND || p->getaddr_answered)
		return;
	p->getaddr_answered = true;
	/* A seed's answer exists to introduce newcomers: once its book has
	 * changed, the old sample is stale news (and the book of a seed is
	 * meant to be read). */
	if (now >= n->getaddr_cache_expires || (n->cfg->node.seed &&
	    addrman_size(n->addrman) != n->getaddr_cache_book))
		addrrelay_rebuild_cache(n, now);
	if (n->getaddr_cache_n > 0)
		addrrelay_send(p, n->getaddr_cache, n->getaddr_cache_n);
}

static void
addrrelay_refill(struct peer *p, int64_t now_ms)
{
	double rate = ADDRRELAY_TOKENS_PER_SEC *
	    (p->node->params->allow_private ? ADDRRELAY_REGTEST_RATE_FACTOR : 1.0);
	double t = p->addr_tokens + (double)(now_ms - p->addr_tokens_ms) / 1000.0 * rate;

	/* The getaddr grant may exceed the cap; never shrink what was granted. */
	if (t > ADDRRELAY_TOKENS_MAX && t > p->addr_tokens)
		t = p->addr_tokens > ADDRRELAY_TOKENS_MAX ? p->addr_tokens : ADDRRELAY_TOKENS_MAX;
	p->addr_tokens = t;
	p->addr_tokens_ms = now_ms;
}

/* Gossip one fresh address to a few random active peers other than FROM. */
static void
addrrelay_relay(struct node *n, const struct peer *from, const struct msg_addr_entry *e)
{
	struct peer *cand[64], *p;
	size_t nc = 0;

	uint64_t k = addrrelay_key(n, &e->addr);

	TAILQ_FOREACH(p, &n->peers, entry) {
		if (p == from || !p->active || p->kind == PEER_FEELER || p->conn == NULL ||
		    addrrelay_known(p, k))
			continue;
		if (netaddr_same_ip(&p->addr, &e->addr))
			continue;
		if (nc < sizeof(cand) / sizeof(cand[0]))
			cand[nc++] = p;
	}
	rnd_shuffle(cand, nc, sizeof(cand[0]));
	for (size_t i = 0; i < nc && i < ADDRRELAY_RELAY_FANOUT; i++)
		addrrelay_send(cand[i], e, 1);
}

void
addrrelay_on_addr(struct peer *p, const struct msg *m)
{
	struct node *n = p->node;
	int64_t now_ms = node_now_ms(n), now = now_ms / 1000;
	size_t count = m->u.addr.count, limited = 0;
	bool relay = count <= ADDRRELAY_RELAY_MAX_COUNT;

	addrrelay_refill(p, now_ms);
	for (size_t i = 0; i < count; i++) {
		struct msg_addr_entry e = m->u.addr.entries[i];
		uint64_t k = addrrelay_key(n, &e.addr);
		bool known_by_peer;

		if (p->addr_tokens < 1.0) {
			limited++;
			continue;
		}
		p->addr_tokens -= 1.0;
		p->addr_processed++;
		known_by_peer = addrrelay_known(p, k);
		addrrelay_mark_known(p, k);
		/* A timestamp from the future or the distant past means
		 * "unknown": Core stores it as five days old. */
		if ((int64_t)e.time > now + 600 || (int64_t)e.time < 100000000)
			e.time = (uint32_t)(now - 5 * 24 * 3600);
		if (!node_addr_usable(n, &e.addr) ||
		    (n->has_external && netaddr_equal(&e.addr, &n->external)))
			continue;
		/* Two hours of penalty for second-hand news (Core). */
		addrman_add(n->addrman, &e.addr, e.services, e.time, &p->addr,
		    netaddr_same_ip(&e.addr, &p->addr) ? 0 : 2 * 3600, now);
		/* Gossip fresh news on; the per-peer known sets end it. */
		if (relay && !known_by_peer && (int64_t)e.time > now - ADDRRELAY_RELAY_MAX_AGE)
			addrrelay_relay(n, p, &e);
	}
	n->counters.addr_received += count - limited;
	n->counters.addr_rate_limited += limited;
	p->addr_rate_limited += limited;
	if (limited > 0)
		log_debug("addr", "peer=%llu: %zu of %zu addresses over the rate limit",
		    (unsigned long long)p->id, limited, count);
	if (count >= ADDRRELAY_FLOOD_MIN_COUNT && limited * 2 > count)
		peer_misbehaving(p, REP_ADDR_FLOOD, "addresses beyond the rate limit");
}
