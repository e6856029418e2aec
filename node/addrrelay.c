/* addrrelay.c -- address exchange: getaddr answers, addr intake with rate limits, relay.
 *
 * The address book is what an eclipse attacker wants to poison and what a
 * spy wants to read, so both directions are rationed: incoming addresses
 * through a per-peer token bucket (Bitcoin Core's numbers), outgoing ones
 * through a cached sample that changes only every few hours.  Fresh
 * self-announcements are gossiped to two random peers, once per address.
 * Outside regtest, a private or loopback address travels only between
 * peers on that same private network (Bitcoin Core keeps local addresses
 * local), so that a LAN network joined with --seed-node meshes while the
 * Internet never hears of it. */
#include "addrrelay.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addrman.h"
#include "clock.h"
#include "config.h"
#include "connman.h"
#include "hash.h"
#include "log.h"
#include "msg.h"
#include "peer.h"
#include "peerman.h"
#include "rnd.h"
#include "rollbloom.h"
#include "xmalloc.h"

/* What we know of one peer's addresses. */
struct addrpeer {
	bool		 getaddr_sent;
	bool		 getaddr_answered;
	double		 tokens;
	int64_t		 tokens_ms;	/* monotonic */
	int64_t		 next_self_announce;	/* monotonic seconds */
	struct rollbloom *known;
	struct addrrelay_stats stats;
};

struct addrrelay {
	const struct config	*cfg;
	bool			 regtest;	/* private addresses allowed */
	struct addrman		*addrman;
	struct connman		*cm;
	struct peerman		*pm;
	int			 slot;		/* ours in peerman */
	uint8_t			 key[HASH_SIPHASH_KEYLEN];	/* keys the known sets */
	/* The getaddr answer, shared by all askers until it expires. */
	struct msg_addr_entry	*cache;
	size_t			 cache_n;
	bool			 private_logged;
	int64_t			 cache_expires;	/* monotonic seconds */
	size_t			 cache_book;	/* book size when built */
	struct addrrelay_stats	 stats;
};

static int64_t
addrrelay_cache_lifetime(const struct addrrelay *ar)
{
	/* Regtest networks are born in seconds; a seed exists to hand out
	 * addresses; an ordinary node keeps its answer for hours (Core: 21 h
	 * + U(0, 6 h); we refresh more often since our networks are small). */
	if (ar->regtest)
		return 5;
	if (ar->cfg->node.seed)
		return 60;
	return 3 * 3600 + rnd_uniform(3 * 3600);
}

static void
addrrelay_rebuild_cache(struct addrrelay *ar, int64_t now)
{
	/* The 23% cap keeps a peer from scraping the book; a seed's book is
	 * there to be read, and a regtest network of a dozen nodes would hand
	 * a newcomer two addresses, one of them perhaps dead. */
	unsigned pct = ar->cfg->node.seed || ar->regtest ? 100 : ADDRMAN_GETADDR_PCT;
	struct addrman_info *info = xcalloc(ADDRMAN_GETADDR_MAX, sizeof(*info));
	size_t got;

	got = addrman_get_addr(ar->addrman, ADDRMAN_GETADDR_MAX, pct, clock_wall(), info,
	    ADDRMAN_GETADDR_MAX);
	free(ar->cache);
	ar->cache = xcalloc(got + 1, sizeof(*ar->cache));
	for (size_t i = 0; i < got; i++) {
		ar->cache[i].time = (uint32_t)info[i].time;
		ar->cache[i].services = info[i].services;
		ar->cache[i].addr = info[i].addr;
	}
	ar->cache_n = got;
	ar->cache_book = addrman_size(ar->addrman);
	ar->cache_expires = now + addrrelay_cache_lifetime(ar);
	free(info);
}

void
addrrelay_flush_cache(struct addrrelay *ar)
{
	ar->cache_expires = 0;
}

static uint64_t
addrrelay_key(const struct addrrelay *ar, const struct netaddr *a)
{
	return hash_siphash(ar->key, a, sizeof(*a));
}

/* The filter takes 32-byte hashes: the keyed 64-bit hash, zero-padded. */
static void
addrrelay_known_item(uint64_t k, uint8_t item[32])
{
	memset(item, 0, 32);
	memcpy(item, &k, sizeof(k));
}

static bool
addrrelay_known(const struct addrpeer *ap, uint64_t k)
{
	uint8_t item[32];

	addrrelay_known_item(k, item);
	return rollbloom_contains(ap->known, item);
}

static void
addrrelay_mark_known(struct addrpeer *ap, uint64_t k)
{
	uint8_t item[32];

	addrrelay_known_item(k, item);
	if (!rollbloom_contains(ap->known, item))
		rollbloom_insert(ap->known, item);
}

static void
addrrelay_send(struct addrrelay *ar, struct peer *p, struct addrpeer *ap,
    const struct msg_addr_entry *e, size_t count)
{
	struct msg m;

	for (size_t i = 0; i < count && count <= ADDRRELAY_RELAY_MAX_COUNT; i++)
		addrrelay_mark_known(ap, addrrelay_key(ar, &e[i].addr));
	msg_init(&m, MSG_ADDR);
	if (msg_addr_set(&m, e, count) == 0)
		peerman_send(ar->pm, p, &m);
	msg_free(&m);
}

/* May A be told to P, or taken from P?  Private and loopback addresses
 * (outside regtest) only between peers on that private network. */
static bool
addrrelay_scope_ok(const struct addrrelay *ar, const struct netaddr *a, const struct peer *p)
{
	return ar->regtest || connman_private_net(a) == 0 ||
	    connman_same_private_net(a, &p->addr);
}

/* Re-announce our own address to P when due. */
static void
addrrelay_self_announce(struct addrrelay *ar, struct peer *p, struct addrpeer *ap, int64_t now)
{
	int64_t avg = ar->regtest ? ADDRRELAY_SELF_INTERVAL_REGTEST : ADDRRELAY_SELF_INTERVAL;
	struct msg_addr_entry self;

	if (now < ap->next_self_announce || p->kind == PEER_FEELER ||
	    !connman_local_addr(ar->cm, &self.addr) || !addrrelay_scope_ok(ar, &self.addr, p))
		return;
	ap->next_self_announce = now + avg / 2 + rnd_uniform((uint32_t)avg);
	self.time = (uint32_t)clock_wall();
	self.services = peerman_services(ar->pm);
	/* Sent whether or not the peer knows it: the fresh time is the news. */
	addrrelay_send(ar, p, ap, &self, 1);
}

/* --- handler callbacks ------------------------------------------------------ */

static void *
addrrelay_peer_new(void *ctx, struct peer *p)
{
	struct addrpeer *ap = xcalloc(1, sizeof(*ap));

	(void)ctx;
	(void)p;
	ap->known = rollbloom_new(ADDRRELAY_KNOWN, ADDRRELAY_KNOWN_FP);
	ap->tokens = 1.0;	/* room for the peer's self-announcement */
	ap->tokens_ms = clock_mono_ms();
	return ap;
}

static void
addrrelay_peer_free(void *ctx, struct peer *p, void *st)
{
	struct addrpeer *ap = st;

	(void)ctx;
	(void)p;
	rollbloom_free(ap->known);
	free(ap);
}

/* The handshake with P completed: ask outbound peers for addresses
 * (once) and announce our own address if we have one. */
static void
addrrelay_peer_active(void *ctx, struct peer *p, void *st)
{
	struct addrrelay *ar = ctx;
	struct addrpeer *ap = st;
	struct msg m;

	if (p->dir == PEER_OUTBOUND && !ap->getaddr_sent) {
		msg_init(&m, MSG_GETADDR);
		peerman_send(ar->pm, p, &m);
		ap->getaddr_sent = true;
		ap->tokens += ADDRRELAY_TOKENS_MAX;
	}
	ap->next_self_announce = clock_mono_ms() / 1000;
	addrrelay_self_announce(ar, p, ap, ap->next_self_announce);
}

static void
addrrelay_peer_tick(void *ctx, struct peer *p, void *st, int64_t now_ms)
{
	addrrelay_self_announce(ctx, p, st, now_ms / 1000);
}

/* Answer a getaddr: inbound peers only, once per connection, from a cached
 * random sample so that repeated asking cannot scrape the address book. */
static void
addrrelay_on_getaddr(struct addrrelay *ar, struct peer *p, struct addrpeer *ap)
{
	int64_t now = clock_mono_ms() / 1000;
	struct msg_addr_entry *mine;
	size_t n = 0;

	/* Answering outbound peers would let whoever we dial fingerprint us. */
	if (p->dir != PEER_INBOUND || ap->getaddr_answered)
		return;
	ap->getaddr_answered = true;
	/* A seed's answer exists to introduce newcomers: once its book has
	 * changed, the old sample is stale news (and the book of a seed is
	 * meant to be read). */
	if (now >= ar->cache_expires || (ar->cfg->node.seed &&
	    addrman_size(ar->addrman) != ar->cache_book))
		addrrelay_rebuild_cache(ar, now);
	if (ar->regtest) {
		if (ar->cache_n > 0)
			addrrelay_send(ar, p, ap, ar->cache, ar->cache_n);
		return;
	}
	/* The same sample, minus the private addresses of other networks. */
	mine = xcalloc(ar->cache_n + 1, sizeof(*mine));
	for (size_t i = 0; i < ar->cache_n; i++)
		if (addrrelay_scope_ok(ar, &ar->cache[i].addr, p))
			mine[n++] = ar->cache[i];
	if (n > 0)
		addrrelay_send(ar, p, ap, mine, n);
	free(mine);
}

static void
addrrelay_refill(struct addrrelay *ar, struct addrpeer *ap, int64_t now_ms)
{
	double rate = ADDRRELAY_TOKENS_PER_SEC * (ar->regtest ? ADDRRELAY_REGTEST_RATE_FACTOR : 1.0);
	double t = ap->tokens + (double)(now_ms - ap->tokens_ms) / 1000.0 * rate;

	/* The getaddr grant may exceed the cap; never shrink what was granted. */
	if (t > ADDRRELAY_TOKENS_MAX && t > ap->tokens)
		t = ap->tokens > ADDRRELAY_TOKENS_MAX ? ap->tokens : ADDRRELAY_TOKENS_MAX;
	ap->tokens = t;
	ap->tokens_ms = now_ms;
}

/* Gossip one fresh address to a few random active peers other than FROM. */
static void
addrrelay_relay(struct addrrelay *ar, const struct peer *from, const struct msg_addr_entry *e)
{
	struct peer *cand[64];
	struct addrpeer *cst[64];
	size_t nc = 0, order[64];
	uint64_t k = addrrelay_key(ar, &e->addr);

	for (struct peer *p = connman_peer_first(ar->cm); p != NULL; p = connman_peer_next(p)) {
		struct addrpeer *ap = peerman_state(ar->pm, p, ar->slot);

		if (p == from || ap == NULL || p->kind == PEER_FEELER || addrrelay_known(ap, k) ||
		    netaddr_same_ip(&p->addr, &e->addr) || !addrrelay_scope_ok(ar, &e->addr, p))
			continue;
		if (nc < sizeof(cand) / sizeof(cand[0])) {
			cand[nc] = p;
			cst[nc] = ap;
			order[nc] = nc;
			nc++;
		}
	}
	rnd_shuffle(order, nc, sizeof(order[0]));
	for (size_t i = 0; i < nc && i < ADDRRELAY_RELAY_FANOUT; i++)
		if (!cand[order[i]]->gone)
			addrrelay_send(ar, cand[order[i]], cst[order[i]], e, 1);
}

/* A private address from a peer that is not on that network: dropped,
 * counted, and said once (it is what keeps a LAN network from meshing
 * when its nodes reach each other through a public address). */
static void
addrrelay_private_ignored(struct addrrelay *ar, const struct peer *p, const struct netaddr *a)
{
	char as[NETADDR_STRLEN], who[96];

	ar->stats.private_ignored++;
	if (ar->private_logged)
		return;
	ar->private_logged = true;
	log_info("addr", "ignoring %s address %s from %s: outside regtest, private and loopback "
	    "addresses are relayed only between peers on the same private network (further "
	    "ones are counted in getnetworkinfo's addr_private_ignored, not logged)",
	    netaddr_class_name(netaddr_classify(a)), netaddr_format(a, as, sizeof(as)),
	    peer_str(p, who, sizeof(who)));
}

/* Take in an addr message from P: rate-limit, validate, store, relay. */
static void
addrrelay_on_addr(struct addrrelay *ar, struct peer *p, struct addrpeer *ap, const struct msg *m)
{
	int64_t now = clock_wall();
	size_t count = m->u.addr.count, limited = 0;
	bool relay = count <= ADDRRELAY_RELAY_MAX_COUNT;
	struct netaddr self;
	bool has_self = connman_local_addr(ar->cm, &self);

	addrrelay_refill(ar, ap, clock_mono_ms());
	for (size_t i = 0; i < count; i++) {
		struct msg_addr_entry e = m->u.addr.entries[i];
		uint64_t k = addrrelay_key(ar, &e.addr);
		bool known_by_peer;

		if (ap->tokens < 1.0) {
			limited++;
			continue;
		}
		ap->tokens -= 1.0;
		ap->stats.received++;
		known_by_peer = addrrelay_known(ap, k);
		addrrelay_mark_known(ap, k);
		/* A timestamp from the future or the distant past means
		 * "unknown": Core stores it as five days old. */
		if ((int64_t)e.time > now + 600 || (int64_t)e.time < 100000000)
			e.time = (uint32_t)(now - 5 * 24 * 3600);
		if (!addrrelay_scope_ok(ar, &e.addr, p)) {
			addrrelay_private_ignored(ar, p, &e.addr);
			continue;
		}
		if (!connman_addr_usable(ar->cm, &e.addr) ||
		    (has_self && netaddr_equal(&e.addr, &self)))
			continue;
		/* Two hours of penalty for second-hand news (Core). */
		addrman_add(ar->addrman, &e.addr, e.services, e.time, &p->addr,
		    netaddr_same_ip(&e.addr, &p->addr) ? 0 : 2 * 3600, now);
		/* Gossip fresh news on; the per-peer known sets end it. */
		if (relay && !known_by_peer && (int64_t)e.time > now - ADDRRELAY_RELAY_MAX_AGE)
			addrrelay_relay(ar, p, &e);
	}
	ar->stats.received += count - limited;
	ar->stats.rate_limited += limited;
	ap->stats.rate_limited += limited;
	if (limited > 0)
		log_debug("addr", "peer=%llu: %zu of %zu addresses over the rate limit",
		    (unsigned long long)p->id, limited, count);
	if (count >= ADDRRELAY_FLOOD_MIN_COUNT && limited * 2 > count)
		peerman_misbehaving(ar->pm, p, REP_ADDR_FLOOD, "addresses beyond the rate limit");
}

static void
addrrelay_message(void *ctx, struct peer *p, void *st, const struct msg *m)
{
	if (m->type == MSG_GETADDR)
		addrrelay_on_getaddr(ctx, p, st);
	else if (m->type == MSG_ADDR)
		addrrelay_on_addr(ctx, p, st, m);
}

/* --- set-up and queries ---------------------------------------------------- */

struct addrrelay *
addrrelay_new(const struct addrrelay_opts *o)
{
	struct addrrelay *ar = xcalloc(1, sizeof(*ar));
	struct peer_handler h = {
		.name = "addr",
		.ctx = ar,
		.types = (UINT64_C(1) << MSG_GETADDR) | (UINT64_C(1) << MSG_ADDR),
		.peer_new = addrrelay_peer_new,
		.peer_free = addrrelay_peer_free,
		.peer_active = addrrelay_peer_active,
		.peer_tick = addrrelay_peer_tick,
		.message = addrrelay_message,
	};

	ar->cfg = o->cfg;
	ar->regtest = o->cfg->params->allow_private;
	ar->addrman = o->addrman;
	ar->cm = o->connman;
	ar->pm = o->peerman;
	rnd_bytes(ar->key, sizeof(ar->key));
	if ((ar->slot = peerman_add_handler(ar->pm, &h)) == -1) {
		free(ar);
		return NULL;
	}
	return ar;
}

void
addrrelay_free(struct addrrelay *ar)
{
	if (ar == NULL)
		return;
	free(ar->cache);
	free(ar);
}

void
addrrelay_stats(const struct addrrelay *ar, struct addrrelay_stats *out)
{
	*out = ar->stats;
}

void
addrrelay_peer_stats(const struct addrrelay *ar, const struct peer *p,
    struct addrrelay_stats *out)
{
	const struct addrpeer *ap = peerman_state(ar->pm, p, ar->slot);

	if (ap != NULL)
		*out = ap->stats;
	else
		memset(out, 0, sizeof(*out));
}
