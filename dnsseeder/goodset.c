/* goodset.c -- the good nodes the seeder serves: per family and service filter, diverse random samples.
 *
 * A set is built off the event loop (goodset_load in a worker thread),
 * sealed, handed to the loop and from then on used by that one thread.
 * Sampling is a partial Fisher-Yates over a per-(family, filter) array of
 * node indices: the array stays a permutation whatever earlier draws did
 * to it, so every query gets a fresh uniform sample in O(K) without
 * resetting or allocating anything. */
#include "goodset.h"

#include <stdlib.h>
#include <string.h>

#include "crawldb.h"
#include "hash.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

/* Filter views cached per set: the two unfiltered ones plus every service
 * mask asked for since the last reload (dns_answer only lets masks of
 * known service bits through, a handful). */
#define GS_VIEWS	32
/* Open-addressing table of netgroups / ASNs already in the answer being
 * built: at most 2 * GOODSET_MAX_SAMPLE keys, so it stays half empty. */
#define GS_SEEN_BITS	10
#define GS_SEEN		(1u << GS_SEEN_BITS)
/* Draws made looking for diverse candidates before settling for deferred
 * ones: bounds the per-query work when a few groups hold most nodes. */
#define GS_SCAN(k)	(4 * (k) + 16)

struct gs_entry {
	uint8_t		ip[16];		/* V4: first 4 bytes, rest zero */
	uint64_t	services;
	uint64_t	group;		/* packed netgroup key */
	uint32_t	asn;
};

struct gs_family {
	struct gs_entry	*e;
	size_t		 n, cap;
	/* After goodset_finish: the addresses back to back, what the answer
	 * copies (4 or 16 bytes each). */
	uint8_t		*ip;
};

struct gs_view {
	bool		 used;
	uint8_t		 family;
	uint64_t	 mask;
	uint32_t	 n;
	uint32_t	*perm;		/* NULL when N is 0 */
};

struct goodset {
	bool		 allow_private;
	bool		 sealed;
	struct gs_family fam[2];
	struct gs_view	 views[GS_VIEWS];
	unsigned	 evict;
	uint64_t	 digest;
	uint32_t	 epoch;
	uint32_t	 seen_epoch[GS_SEEN];
	uint64_t	 seen_key[GS_SEEN];
};

static const size_t addr_len[2] = { 4, 16 };

/* splitmix64: passes BigCrush, one add and two multiplies per word. */
static inline uint64_t
rng_next(struct goodset_rng *r)
{
	uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
goodset_rng_seed(struct goodset_rng *r)
{
	r->state = rnd_u64();
}

/* Lemire's multiply-shift with rejection: unbiased, rarely divides. */
uint32_t
goodset_rng_below(struct goodset_rng *r, uint32_t n)
{
	uint64_t m = (rng_next(r) >> 32) * (uint64_t)n;
	uint32_t low = (uint32_t)m;

	if (low < n) {
		uint32_t t = (uint32_t)-n % n;

		while (low < t) {
			m = (rng_next(r) >> 32) * (uint64_t)n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

struct goodset *
goodset_new(bool allow_private)
{
	struct goodset *gs = xcalloc(1, sizeof(*gs));

	gs->allow_private = allow_private;
	return gs;
}

void
goodset_free(struct goodset *gs)
{
	if (gs == NULL)
		return;
	for (int f = 0; f < 2; f++) {
		free(gs->fam[f].e);
		free(gs->fam[f].ip);
	}
	for (size_t i = 0; i < GS_VIEWS; i++)
		free(gs->views[i].perm);
	free(gs);
}

int
goodset_add(struct goodset *gs, const struct netaddr *a, uint64_t services,
    uint32_t asn)
{
	int f = netaddr_is_ipv4(a) ? GOODSET_V4 : GOODSET_V6;
	struct gs_family *F = &gs->fam[f];
	struct gs_entry *e;
	uint8_t key[NETADDR_GROUPLEN];

	if (gs->sealed || F->n >= GOODSET_MAX_NODES)
		return -1;
	if (F->n == F->cap) {
		F->cap = F->cap ? F->cap * 2 : 64;
		F->e = xreallocarray(F->e, F->cap, sizeof(*F->e));
	}
	e = &F->e[F->n++];
	memset(e, 0, sizeof(*e));
	if (f == GOODSET_V4)
		memcpy(e->ip, a->ip + 12, 4);
	else
		memcpy(e->ip, a->ip, 16);
	e->services = services;
	e->asn = asn;
	netaddr_netgroup_policy(a, gs->allow_private, key);
	for (size_t i = 0; i < NETADDR_GROUPLEN; i++)
		e->group = (e->group << 8) | key[i];
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	return memcmp(((const struct gs_entry *)a)->ip,
	    ((const struct gs_entry *)b)->ip, 16);
}

/* Build (or rebuild) VIEW for FAMILY and MASK. */
static void
view_build(struct goodset *gs, struct gs_view *v, int family, uint64_t mask)
{
	const struct gs_family *F = &gs->fam[family];
	uint32_t n = 0;

	free(v->perm);
	v->perm = NULL;
	for (size_t i = 0; i < F->n; i++)
		if ((F->e[i].services & mask) == mask)
			n++;
	if (n > 0) {
		v->perm = xreallocarray(NULL, n, sizeof(*v->perm));
		n = 0;
		for (size_t i = 0; i < F->n; i++)
			if ((F->e[i].services & mask) == mask)
				v->perm[n++] = (uint32_t)i;
	}
	v->used = true;
	v->family = (uint8_t)family;
	v->mask = mask;
	v->n = n;
}

void
goodset_finish(struct goodset *gs)
{
	if (gs->sealed)
		return;
	for (int f = 0; f < 2; f++) {
		struct gs_family *F = &gs->fam[f];
		size_t w = 0;

		if (F->n > 1) {
			qsort(F->e, F->n, sizeof(*F->e), entry_cmp);
			for (size_t i = 0; i < F->n; i++)
				if (w == 0 || memcmp(F->e[w - 1].ip, F->e[i].ip, 16) != 0)
					F->e[w++] = F->e[i];
			F->n = w;
		}
		if (F->n > 0) {
			F->ip = xreallocarray(NULL, F->n, addr_len[f]);
			for (size_t i = 0; i < F->n; i++)
				memcpy(F->ip + i * addr_len[f], F->e[i].ip, addr_len[f]);
		}
		view_build(gs, &gs->views[f], f, 0);
	}
	gs->evict = 2;
	/* What the set serves, for telling a changed set from a reloaded
	 * copy of the same one (SipHash chained over the sorted entries; the
	 * key need not be secret). */
	{
		static const uint8_t key[HASH_SIPHASH_KEYLEN];

		for (int f = 0; f < 2; f++)
			for (size_t i = 0; i < gs->fam[f].n; i++) {
				struct {
					uint64_t	prev;
					uint8_t		ip[16];
					uint64_t	services;
					uint32_t	asn;
				} h;

				memset(&h, 0, sizeof(h));
				h.prev = gs->digest ^ (uint64_t)f;
				memcpy(h.ip, gs->fam[f].e[i].ip, 16);
				h.services = gs->fam[f].e[i].services;
				h.asn = gs->fam[f].e[i].asn;
				gs->digest = hash_siphash(key, &h, sizeof(h));
			}
	}
	gs->sealed = true;
}

uint64_t
goodset_digest(const struct goodset *gs)
{
	return gs->digest;
}

size_t
goodset_size(const struct goodset *gs, enum goodset_family family)
{
	return gs->fam[family].n;
}

static struct gs_view *
view_get(struct goodset *gs, int family, uint64_t mask)
{
	struct gs_view *v;

	if (mask == 0)
		return &gs->views[family];
	for (size_t i = 2; i < GS_VIEWS; i++) {
		v = &gs->views[i];
		if (!v->used)
			break;
		if (v->family == family && v->mask == mask)
			return v;
	}
	/* First use of this filter since the reload: one pass over the
	 * family; when the cache is full the oldest entries are recycled. */
	v = &gs->views[gs->evict];
	gs->evict = gs->evict + 1 < GS_VIEWS ? gs->evict + 1 : 2;
	view_build(gs, v, family, mask);
	return v;
}

static inline uint32_t
seen_slot(uint64_t key)
{
	return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - GS_SEEN_BITS));
}

static bool
seen_has(const struct goodset *gs, uint64_t key)
{
	for (uint32_t s = seen_slot(key);; s = (s + 1) & (GS_SEEN - 1)) {
		if (gs->seen_epoch[s] != gs->epoch)
			return false;
		if (gs->seen_key[s] == key)
			return true;
	}
}

static void
seen_put(struct goodset *gs, uint64_t key)
{
	uint32_t s = seen_slot(key);

	while (gs->seen_epoch[s] == gs->epoch) {
		if (gs->seen_key[s] == key)
			return;
		s = (s + 1) & (GS_SEEN - 1);
	}
	gs->seen_epoch[s] = gs->epoch;
	gs->seen_key[s] = key;
}

#define ASN_KEY(asn)	((UINT64_C(1) << 63) | (asn))

size_t
goodset_sample(struct goodset *gs, enum goodset_family family, uint64_t mask,
    size_t k, struct goodset_rng *rng, const uint8_t **out)
{
	const struct gs_family *F = &gs->fam[family];
	uint32_t deferred[GOODSET_MAX_SAMPLE];
	size_t got = 0, ndef = 0, draws, alen = addr_len[family];
	struct gs_view *v;

	if (!gs->sealed || k == 0)
		return 0;
	if (k > GOODSET_MAX_SAMPLE)
		k = GOODSET_MAX_SAMPLE;
	v = view_get(gs, family, mask);
	if (v->n == 0)
		return 0;
	draws = v->n < GS_SCAN(k) ? v->n : GS_SCAN(k);
	if (++gs->epoch == 0) {
		/* Wrapped: stale slots could look current. */
		memset(gs->seen_epoch, 0, sizeof(gs->seen_epoch));
		gs->epoch = 1;
	}
	for (size_t i = 0; i < draws && got < k; i++) {
		uint32_t j = (uint32_t)i + goodset_rng_below(rng, v->n - (uint32_t)i);
		uint32_t idx = v->perm[j];
		const struct gs_entry *e = &F->e[idx];

		v->perm[j] = v->perm[i];
		v->perm[i] = idx;
		if (seen_has(gs, e->group) ||
		    (e->asn != 0 && seen_has(gs, ASN_KEY(e->asn)))) {
			if (ndef < k)
				deferred[ndef++] = idx;
			continue;
		}
		seen_put(gs, e->group);
		if (e->asn != 0)
			seen_put(gs, ASN_KEY(e->asn));
		out[got++] = F->ip + (size_t)idx * alen;
	}
	for (size_t d = 0; d < ndef && got < k; d++)
		out[got++] = F->ip + (size_t)deferred[d] * alen;
	return got;
}

struct load_ctx {
	struct goodset	*gs;
	size_t		 full;
};

static int
load_cb(const struct crawldb_node *n, void *arg)
{
	struct load_ctx *c = arg;

	if (n->good && goodset_add(c->gs, &n->addr, n->services, n->asn) == -1)
		c->full++;
	return 0;
}

struct goodset *
goodset_load(const char *path, const struct chainparams *params, int64_t now,
    char *err, size_t errlen)
{
	struct load_ctx c = { NULL, 0 };
	struct crawldb *db;

	if ((db = crawldb_open(path, CRAWLDB_RDONLY, err, errlen)) == NULL)
		return NULL;
	c.gs = goodset_new(params->allow_private);
	if (crawldb_foreach(db, params->name, CRAWLDB_GOOD_ONLY, now, load_cb, &c,
	    err, errlen) != 0) {
		crawldb_close(db);
		goodset_free(c.gs);
		return NULL;
	}
	crawldb_close(db);
	goodset_finish(c.gs);
	if (c.full > 0)
		str_errf(err, errlen, "%s: %zu good nodes beyond %d per family left out",
		    path, c.full, GOODSET_MAX_NODES);
	else if (errlen > 0)
		err[0] = '\0';
	return c.gs;
}
