/* addrman.c -- address book with new/tried tables (eclipse-resistant).
 *
 * Modelled on Bitcoin Core's addrman (addrman_impl.h, addrman.cpp); the
 * numbers and rules are Core's, the code is ours.  Entries live in one
 * array and are named by index ("id"); the two tables hold ids, a chained
 * hash index maps an address to its id, and a dense array of live ids lets
 * getaddr draw a uniform sample.  Differences from Core, on purpose:
 *
 * - No test-before-evict collision set or feeler-driven resolution.  When
 *   good() finds the tried slot taken, the occupant is moved back to new
 *   at once unless it succeeded within ADDRMAN_REPLACEMENT (4 h), which is
 *   the case where Core's test would have kept it anyway.
 * - Every entry remembers which new buckets hold it, so moving it to tried
 *   costs O(8) rather than a scan of all 1024 buckets.
 * - Each table keeps a list of its non-empty buckets.  Core draws buckets
 *   until it hits a non-empty one; drawing uniformly from the non-empty
 *   ones is the same distribution without the wasted draws.
 * - No asmap: groups are netaddr_netgroup_policy's prefixes.
 */
#include "addrman.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "hash.h"
#include "log.h"
#include "rnd.h"
#include "xmalloc.h"

#define AM_HOUR			3600
#define AM_DAY			(24 * AM_HOUR)
/* Not heard of for this long: terrible. */
#define AM_HORIZON		(30 * AM_DAY)
/* Attempts after which a never-successful address is terrible. */
#define AM_RETRIES		3
/* Failures, with no success in AM_MIN_FAIL, after which it is terrible. */
#define AM_MAX_FAILURES		10
#define AM_MIN_FAIL		(7 * AM_DAY)
/* A tried entry that succeeded this recently is not evicted. */
#define AM_REPLACEMENT		(4 * AM_HOUR)
/* connected() refreshes time at most this often. */
#define AM_CONNECTED_INTERVAL	(20 * 60)
/* Timestamps are kept in [0, AM_TIME_MAX] (year ~36800) so that no
 * difference of two of them can overflow. */
#define AM_TIME_MAX		((int64_t)1 << 40)

#define AM_MAGIC		"ACAM"
#define AM_HDR_LEN		(4 + 4 + ADDRMAN_KEYLEN + 4 + 4)
#define AM_SUM_LEN		32
#define AM_ENTRY_MIN		(16 + 2 + 8 + 8 + 16 + 2 + 8 + 8 + 8 + 4 + 1 + 1)
#define AM_ENTRY_MAX		(AM_ENTRY_MIN + 2 * ADDRMAN_NEW_BUCKETS_PER_ADDRESS)
#define AM_FILE_MAX		(AM_HDR_LEN + AM_SUM_LEN + \
    (size_t)(ADDRMAN_NEW_MAX + ADDRMAN_TRIED_MAX) * AM_ENTRY_MAX)
#define AM_FLAG_TRIED		0x01

struct am_entry {
	struct netaddr	addr;
	struct netaddr	source;
	uint64_t	services;
	int64_t		time;
	int64_t		last_try;
	int64_t		last_count_attempt;
	int64_t		last_success;
	int32_t		attempts;
	int32_t		next;		/* index chain, or the free list */
	int32_t		rnd_pos;	/* place in am->rnd; -1 when free */
	bool		in_tried;
	uint8_t		ref_count;
	uint16_t	buckets[ADDRMAN_NEW_BUCKETS_PER_ADDRESS];
};

/* Buckets of ADDRMAN_BUCKET_SIZE slots, each an id or -1. */
struct am_table {
	int		 nbuckets;
	int32_t		*slot;
	uint8_t		*fill;		/* occupied slots per bucket */
	uint16_t	*used;		/* the non-empty buckets, unordered */
	uint16_t	*used_pos;	/* where each bucket sits in USED */
	int		 n_used;
};

struct addrman {
	uint8_t		 key[ADDRMAN_KEYLEN];
	bool		 allow_private;

	struct am_entry	*ent;
	int32_t		 ent_cap;
	int32_t		 ent_hwm;	/* ids below this have been handed out */
	int32_t		 free_head;

	int32_t		*index;		/* chain heads, index_mask + 1 of them */
	uint32_t	 index_mask;

	int32_t		*rnd;		/* the live ids, dense; ent_cap long */
	int32_t		 n_live;
	int32_t		 n_tried;

	struct am_table	 newt;
	struct am_table	 tried;

	/* Time of the last good(); failures count once per good so that an
	 * offline node does not mark its whole book as failing. */
	int64_t		 last_good;
	uint64_t	 changes;	/* see addrman_changes */
};

/*
 * Hashing.  Every input starts with a distinct tag byte so that no two
 * uses of the key can produce colliding inputs.
 */

static uint64_t
am_hash(const struct addrman *am, const uint8_t *data, size_t len)
{
	return hash_siphash(am->key, data, len);
}

static void
am_addr_bytes(const struct netaddr *a, uint8_t out[18])
{
	memcpy(out, a->ip, 16);
	out[16] = (uint8_t)(a->port >> 8);
	out[17] = (uint8_t)a->port;
}

/* Routable, private and loopback addresses are kept on every network: a
 * LAN network needs its private ones remembered too.  Whether one may be
 * dialled or relayed is for the caller (connman, addrrelay) to decide. */
static bool
am_admissible(const struct netaddr *a)
{
	return netaddr_is_valid_peer(a, true);
}

static void
am_group(const struct addrman *am, const struct netaddr *a,
    uint8_t out[NETADDR_GROUPLEN])
{
	netaddr_netgroup_policy(a, am->allow_private, out);
}

/* H(key, group(addr), H(key, addr) % 8) % 256. */
static int
am_tried_bucket(const struct addrman *am, const struct netaddr *a)
{
	uint8_t b1[1 + 18], b2[1 + NETADDR_GROUPLEN + 1];
	uint64_t h1;

	b1[0] = 'T';
	am_addr_bytes(a, b1 + 1);
	h1 = am_hash(am, b1, sizeof(b1));
	b2[0] = 't';
	am_group(am, a, b2 + 1);
	b2[1 + NETADDR_GROUPLEN] = (uint8_t)(h1 % ADDRMAN_TRIED_BUCKETS_PER_GROUP);
	return (int)(am_hash(am, b2, sizeof(b2)) % ADDRMAN_TRIED_BUCKETS);
}

/* H(key, group(src), H(key, group(addr), group(src)) % 64) % 1024: all
 * that one source group tells us lands in the same 64 buckets. */
static int
am_new_bucket(const struct addrman *am, const struct netaddr *a,
    const struct netaddr *src)
{
	uint8_t b1[1 + 2 * NETADDR_GROUPLEN], b2[1 + NETADDR_GROUPLEN + 1];
	uint64_t h1;

	b1[0] = 'S';
	am_group(am, a, b1 + 1);
	am_group(am, src, b1 + 1 + NETADDR_GROUPLEN);
	h1 = am_hash(am, b1, sizeof(b1));
	b2[0] = 's';
	am_group(am, src, b2 + 1);
	b2[1 + NETADDR_GROUPLEN] = (uint8_t)(h1 % ADDRMAN_NEW_BUCKETS_PER_SOURCE);
	return (int)(am_hash(am, b2, sizeof(b2)) % ADDRMAN_NEW_BUCKETS);
}

/* H(key, 'N' or 'K', bucket, addr) % 64. */
static int
am_bucket_pos(const struct addrman *am, bool is_new, int bucket,
    const struct netaddr *a)
{
	uint8_t b[1 + 2 + 18];

	b[0] = is_new ? 'N' : 'K';
	b[1] = (uint8_t)(bucket >> 8);
	b[2] = (uint8_t)bucket;
	am_addr_bytes(a, b + 3);
	return (int)(am_hash(am, b, sizeof(b)) % ADDRMAN_BUCKET_SIZE);
}

static uint32_t
am_index_slot(const struct addrman *am, const struct netaddr *a)
{
	uint8_t b[1 + 18];

	b[0] = 'I';
	am_addr_bytes(a, b + 1);
	return (uint32_t)am_hash(am, b, sizeof(b)) & am->index_mask;
}

/*
 * Tables.
 */

static void
am_table_init(struct am_table *t, int nbuckets)
{
	size_t n = (size_t)nbuckets * ADDRMAN_BUCKET_SIZE;

	t->nbuckets = nbuckets;
	t->slot = xreallocarray(NULL, n, sizeof(*t->slot));
	for (size_t i = 0; i < n; i++)
		t->slot[i] = -1;
	t->fill = xcalloc((size_t)nbuckets, sizeof(*t->fill));
	t->used = xcalloc((size_t)nbuckets, sizeof(*t->used));
	t->used_pos = xcalloc((size_t)nbuckets, sizeof(*t->used_pos));
	t->n_used = 0;
}

static void
am_table_free(struct am_table *t)
{
	free(t->slot);
	free(t->fill);
	free(t->used);
	free(t->used_pos);
}

static int32_t
am_table_get(const struct am_table *t, int b, int p)
{
	return t->slot[b * ADDRMAN_BUCKET_SIZE + p];
}

/* Slot (B, P) must be empty. */
static void
am_table_put(struct am_table *t, int b, int p, int32_t id)
{
	t->slot[b * ADDRMAN_BUCKET_SIZE + p] = id;
	if (t->fill[b]++ == 0) {
		t->used_pos[b] = (uint16_t)t->n_used;
		t->used[t->n_used++] = (uint16_t)b;
	}
}

/* Slot (B, P) must be occupied. */
static void
am_table_clear(struct am_table *t, int b, int p)
{
	uint16_t pos, last;

	t->slot[b * ADDRMAN_BUCKET_SIZE + p] = -1;
	if (--t->fill[b] == 0) {
		pos = t->used_pos[b];
		last = t->used[--t->n_used];
		t->used[pos] = last;
		t->used_pos[last] = pos;
	}
}

/*
 * Entries and the address index.
 */

static int32_t
am_find_id(const struct addrman *am, const struct netaddr *a)
{
	int32_t id = am->index[am_index_slot(am, a)];

	while (id != -1 && !netaddr_equal(&am->ent[id].addr, a))
		id = am->ent[id].next;
	return id;
}

static void
am_index_link(struct addrman *am, int32_t id)
{
	uint32_t s = am_index_slot(am, &am->ent[id].addr);

	am->ent[id].next = am->index[s];
	am->index[s] = id;
}

/* Keep the load factor at most 1 so lookups stay O(1). */
static void
am_index_grow(struct addrman *am)
{
	uint32_t n = (am->index_mask + 1) * 2;

	free(am->index);
	am->index = xreallocarray(NULL, n, sizeof(*am->index));
	for (uint32_t i = 0; i < n; i++)
		am->index[i] = -1;
	am->index_mask = n - 1;
	for (int32_t i = 0; i < am->n_live; i++)
		am_index_link(am, am->rnd[i]);
}

/* A new entry in neither table (ref_count 0); the caller places it. */
static int32_t
am_create(struct addrman *am, const struct netaddr *addr,
    const struct netaddr *source, uint64_t services, int64_t time)
{
	struct am_entry *e;
	int32_t id;

	if (am->free_head != -1) {
		id = am->free_head;
		am->free_head = am->ent[id].next;
	} else {
		if (am->ent_hwm == am->ent_cap) {
			am->ent_cap *= 2;
			am->ent = xreallocarray(am->ent, (size_t)am->ent_cap,
			    sizeof(*am->ent));
			am->rnd = xreallocarray(am->rnd, (size_t)am->ent_cap,
			    sizeof(*am->rnd));
		}
		id = am->ent_hwm++;
	}
	e = &am->ent[id];
	memset(e, 0, sizeof(*e));
	e->addr = *addr;
	e->source = *source;
	e->services = services;
	e->time = time;
	e->rnd_pos = am->n_live;
	am->rnd[am->n_live++] = id;
	if ((uint32_t)am->n_live > am->index_mask + 1)
		am_index_grow(am);	/* links every live id, ID included */
	else
		am_index_link(am, id);
	return id;
}

/* ID must be in neither table. */
static void
am_delete(struct addrman *am, int32_t id)
{
	struct am_entry *e = &am->ent[id];
	int32_t *pp, last;

	pp = &am->index[am_index_slot(am, &e->addr)];
	while (*pp != id)
		pp = &am->ent[*pp].next;
	*pp = e->next;

	last = am->rnd[--am->n_live];
	am->rnd[e->rnd_pos] = last;
	am->ent[last].rnd_pos = e->rnd_pos;

	e->rnd_pos = -1;
	e->next = am->free_head;
	am->free_head = id;
}

/* New slot (B, P) must be empty and ID must have room for a reference. */
static void
am_new_put(struct addrman *am, int b, int p, int32_t id)
{
	struct am_entry *e = &am->ent[id];

	e->buckets[e->ref_count++] = (uint16_t)b;
	am_table_put(&am->newt, b, p, id);
}

/* Empty new slot (B, P); an occupant that loses its last reference is
 * forgotten. */
static void
am_new_clear(struct addrman *am, int b, int p)
{
	int32_t id = am_table_get(&am->newt, b, p);
	struct am_entry *e;

	if (id == -1)
		return;
	e = &am->ent[id];
	for (int i = 0; i < e->ref_count; i++) {
		if (e->buckets[i] == b) {
			e->buckets[i] = e->buckets[--e->ref_count];
			break;
		}
	}
	am_table_clear(&am->newt, b, p);
	if (e->ref_count == 0)
		am_delete(am, id);
}

/* Move ID from all its new buckets into its tried slot; an occupant of
 * that slot goes back to new, into the bucket its source gives it. */
static void
am_make_tried(struct addrman *am, int32_t id)
{
	struct am_entry *e = &am->ent[id], *o;
	int b, p, tb, tp;
	int32_t occ;

	for (int i = 0; i < e->ref_count; i++) {
		b = e->buckets[i];
		am_table_clear(&am->newt, b, am_bucket_pos(am, true, b, &e->addr));
	}
	e->ref_count = 0;

	tb = am_tried_bucket(am, &e->addr);
	tp = am_bucket_pos(am, false, tb, &e->addr);
	if ((occ = am_table_get(&am->tried, tb, tp)) != -1) {
		o = &am->ent[occ];
		o->in_tried = false;
		am_table_clear(&am->tried, tb, tp);
		am->n_tried--;
		b = am_new_bucket(am, &o->addr, &o->source);
		p = am_bucket_pos(am, true, b, &o->addr);
		am_new_clear(am, b, p);
		am_new_put(am, b, p, occ);
	}
	am_table_put(&am->tried, tb, tp, id);
	am->n_tried++;
	e->in_tried = true;
}

/* Core's IsTerrible: may this entry be overwritten, and is it not worth
 * relaying? */
static bool
am_terrible(const struct am_entry *e, int64_t now)
{
	if (now - e->last_try <= 60)	/* never drop what we just tried */
		return false;
	if (e->time > now + 10 * 60)	/* claims to come from the future */
		return true;
	if (now - e->time > AM_HORIZON)
		return true;
	if (e->last_success == 0 && e->attempts >= AM_RETRIES)
		return true;
	if (now - e->last_success > AM_MIN_FAIL && e->attempts >= AM_MAX_FAILURES)
		return true;
	return false;
}

/* Core's GetChance: recently tried and often failing entries are picked
 * less often, but never never. */
static double
am_chance(const struct am_entry *e, int64_t now)
{
	double c = 1.0;
	int n = e->attempts < 8 ? e->attempts : 8;

	if (now - e->last_try < 10 * 60)
		c *= 0.01;
	while (n-- > 0)
		c *= 0.66;
	return c;
}

static int64_t
am_clamp_time(int64_t t)
{
	if (t < 0)
		return 0;
	return t > AM_TIME_MAX ? AM_TIME_MAX : t;
}

static void
am_info(const struct addrman *am, int32_t id, struct addrman_info *out)
{
	const struct am_entry *e = &am->ent[id];

	memset(out, 0, sizeof(*out));
	out->addr = e->addr;
	out->source = e->source;
	out->services = e->services;
	out->time = e->time;
	out->last_try = e->last_try;
	out->last_success = e->last_success;
	out->attempts = e->attempts;
	out->tried = e->in_tried;
	out->ref_count = e->ref_count;
	if (e->in_tried) {
		out->bucket = am_tried_bucket(am, &e->addr);
		out->position = am_bucket_pos(am, false, out->bucket, &e->addr);
	} else {
		out->bucket = e->buckets[0];
		out->position = am_bucket_pos(am, true, out->bucket, &e->addr);
	}
}

/*
 * Public interface.
 */

struct addrman *
addrman_new(bool allow_private, const uint8_t *key)
{
	struct addrman *am = xcalloc(1, sizeof(*am));

	if (key != NULL)
		memcpy(am->key, key, ADDRMAN_KEYLEN);
	else
		rnd_bytes(am->key, ADDRMAN_KEYLEN);
	am->allow_private = allow_private;
	am->ent_cap = 64;
	am->ent = xreallocarray(NULL, (size_t)am->ent_cap, sizeof(*am->ent));
	am->rnd = xreallocarray(NULL, (size_t)am->ent_cap, sizeof(*am->rnd));
	am->free_head = -1;
	am->index_mask = 63;
	am->index = xreallocarray(NULL, am->index_mask + 1, sizeof(*am->index));
	for (uint32_t i = 0; i <= am->index_mask; i++)
		am->index[i] = -1;
	am_table_init(&am->newt, ADDRMAN_NEW_BUCKETS);
	am_table_init(&am->tried, ADDRMAN_TRIED_BUCKETS);
	am->last_good = 1;	/* so the first counted failure counts */
	return am;
}

void
addrman_free(struct addrman *am)
{
	if (am == NULL)
		return;
	am_table_free(&am->newt);
	am_table_free(&am->tried);
	free(am->ent);
	free(am->rnd);
	free(am->index);
	free(am);
}

bool
addrman_add(struct addrman *am, const struct netaddr *addr, uint64_t services,
    int64_t time, const struct netaddr *source, int64_t time_penalty,
    int64_t now)
{
	struct am_entry *e, *o;
	int64_t interval;
	int32_t id, occ;
	int b, p;
	bool insert;

	if (!am_admissible(addr))
		return false;
	time = am_clamp_time(time);
	/* A peer announcing itself is as fresh as it gets. */
	if (netaddr_equal(addr, source))
		time_penalty = 0;
	time_penalty = am_clamp_time(time_penalty);

	if ((id = am_find_id(am, addr)) != -1) {
		e = &am->ent[id];
		interval = now - time < AM_DAY ? AM_HOUR : AM_DAY;
		if (e->time < time - interval - time_penalty)
			e->time = am_clamp_time(time - time_penalty);
		e->services |= services;
		if (time <= e->time || e->in_tried ||
		    e->ref_count == ADDRMAN_NEW_BUCKETS_PER_ADDRESS)
			return false;
		/* With N references, a further one is 2^N times harder: many
		 * sources can spread an address, but only slowly. */
		if (e->ref_count > 0 && rnd_uniform(1u << e->ref_count) != 0)
			return false;
	} else
		id = am_create(am, addr, source, services,
		    am_clamp_time(time - time_penalty));
	e = &am->ent[id];

	b = am_new_bucket(am, addr, source);
	p = am_bucket_pos(am, true, b, addr);
	occ = am_table_get(&am->newt, b, p);
	if (occ == id)
		return false;
	insert = occ == -1;
	if (!insert) {
		o = &am->ent[occ];
		if (am_terrible(o, now) || (o->ref_count > 1 && e->ref_count == 0))
			insert = true;
	}
	if (insert) {
		am_new_clear(am, b, p);
		am_new_put(am, b, p, id);
		am->changes++;
		return true;
	}
	if (e->ref_count == 0)
		am_delete(am, id);
	return false;
}

bool
addrman_good(struct addrman *am, const struct netaddr *addr, int64_t now)
{
	struct am_entry *e;
	int32_t id, occ;
	int tb, tp;

	am->last_good = now;
	if ((id = am_find_id(am, addr)) == -1)
		return false;
	e = &am->ent[id];
	e->last_success = now;
	e->last_try = now;
	e->attempts = 0;
	/* time is deliberately left alone: relaying it would tell everyone
	 * whom we are connected to. */
	if (e->in_tried || e->ref_count == 0)
		return false;
	tb = am_tried_bucket(am, addr);
	tp = am_bucket_pos(am, false, tb, addr);
	occ = am_table_get(&am->tried, tb, tp);
	if (occ != -1 && now - am->ent[occ].last_success < AM_REPLACEMENT)
		return false;
	am_make_tried(am, id);
	am->changes++;
	return true;
}

void
addrman_attempt(struct addrman *am, const struct netaddr *addr,
    bool count_failure, int64_t now)
{
	struct am_entry *e;
	int32_t id;

	if ((id = am_find_id(am, addr)) == -1)
		return;
	e = &am->ent[id];
	e->last_try = am_clamp_time(now);
	if (count_failure && e->last_count_attempt < am->last_good) {
		e->last_count_attempt = am_clamp_time(now);
		if (e->attempts < INT32_MAX)
			e->attempts++;
	}
}

void
addrman_connected(struct addrman *am, const struct netaddr *addr, int64_t now)
{
	struct am_entry *e;
	int32_t id;

	if ((id = am_find_id(am, addr)) == -1)
		return;
	e = &am->ent[id];
	if (now - e->time > AM_CONNECTED_INTERVAL)
		e->time = am_clamp_time(now);
}

void
addrman_set_services(struct addrman *am, const struct netaddr *addr,
    uint64_t services)
{
	int32_t id;

	if ((id = am_find_id(am, addr)) != -1)
		am->ent[id].services = services;
}

int
addrman_select(struct addrman *am, bool new_only, int64_t now,
    struct addrman_info *out)
{
	int32_t n_new = am->n_live - am->n_tried, id = -1;
	const struct am_table *t;
	double factor = 1.0;
	int b, start;

	if (n_new == 0 && (new_only || am->n_tried == 0))
		return -1;
	if (!new_only && am->n_tried > 0 && (n_new == 0 || rnd_uniform(2) == 0))
		t = &am->tried;
	else
		t = &am->newt;
	if (t->n_used == 0)
		return -1;
	for (;;) {
		b = t->used[rnd_uniform((uint32_t)t->n_used)];
		start = (int)rnd_uniform(ADDRMAN_BUCKET_SIZE);
		for (int i = 0; i < ADDRMAN_BUCKET_SIZE; i++) {
			id = am_table_get(t, b, (start + i) % ADDRMAN_BUCKET_SIZE);
			if (id != -1)
				break;
		}
		/* The chance is never 0 and the factor grows, so this ends. */
		if (rnd_double() < factor * am_chance(&am->ent[id], now))
			break;
		factor *= 1.2;
	}
	am_info(am, id, out);
	return 0;
}

size_t
addrman_get_addr(struct addrman *am, size_t max_count, unsigned max_pct,
    int64_t now, struct addrman_info *out, size_t out_cap)
{
	size_t want = (size_t)am->n_live, got = 0;
	int32_t i, j, id;

	if (max_pct > 0)
		want = want * (max_pct < 100 ? max_pct : 100) / 100;
	if (max_count > 0 && want > max_count)
		want = max_count;
	if (want > out_cap)
		want = out_cap;
	/* A partial Fisher-Yates shuffle of the live ids, in place: their
	 * order carries no meaning. */
	for (i = 0; i < am->n_live && got < want; i++) {
		j = i + (int32_t)rnd_uniform((uint32_t)(am->n_live - i));
		id = am->rnd[j];
		am->rnd[j] = am->rnd[i];
		am->ent[am->rnd[j]].rnd_pos = j;
		am->rnd[i] = id;
		am->ent[id].rnd_pos = i;
		if (am_terrible(&am->ent[id], now))
			continue;
		am_info(am, id, &out[got++]);
	}
	return got;
}

uint64_t
addrman_changes(const struct addrman *am)
{
	return am->changes;
}

size_t
addrman_size(const struct addrman *am)
{
	return (size_t)am->n_live;
}

void
addrman_get_stats(const struct addrman *am, struct addrman_stats *st)
{
	st->n_new = (size_t)(am->n_live - am->n_tried);
	st->n_tried = (size_t)am->n_tried;
	st->new_buckets_used = (size_t)am->newt.n_used;
	st->tried_buckets_used = (size_t)am->tried.n_used;
}

int
addrman_find(const struct addrman *am, const struct netaddr *addr,
    struct addrman_info *out)
{
	int32_t id;

	if ((id = am_find_id(am, addr)) == -1)
		return -1;
	am_info(am, id, out);
	return 0;
}

void
addrman_foreach(const struct addrman *am,
    void (*fn)(const struct addrman_info *, void *), void *arg)
{
	struct addrman_info info;

	for (int32_t id = 0; id < am->ent_hwm; id++) {
		if (am->ent[id].rnd_pos == -1)
			continue;
		am_info(am, id, &info);
		fn(&info, arg);
	}
}

bool
addrman_is_terrible(const struct addrman *am, const struct netaddr *addr,
    int64_t now)
{
	int32_t id = am_find_id(am, addr);

	return id != -1 && am_terrible(&am->ent[id], now);
}

/* Scan one table: every occupant is live, in the right table, and at the
 * slot its address hashes to; fill counts and used lists agree. */
static int
am_check_table(const struct addrman *am, const struct am_table *t, bool is_new,
    long *refs, char *err, size_t errlen)
{
	const struct am_entry *e;
	int32_t id;
	int n_used = 0, fill, k;
	bool listed;

	*refs = 0;
	for (int b = 0; b < t->nbuckets; b++) {
		fill = 0;
		for (int p = 0; p < ADDRMAN_BUCKET_SIZE; p++) {
			if ((id = am_table_get(t, b, p)) == -1)
				continue;
			fill++;
			if (id < 0 || id >= am->ent_hwm ||
			    am->ent[id].rnd_pos == -1) {
				snprintf(err, errlen, "slot %d/%d: dead id %d", b, p, id);
				return -1;
			}
			e = &am->ent[id];
			if (e->in_tried == is_new ||
			    am_bucket_pos(am, is_new, b, &e->addr) != p) {
				snprintf(err, errlen, "slot %d/%d: misplaced id %d", b, p, id);
				return -1;
			}
			if (is_new) {
				for (k = 0, listed = false; k < e->ref_count; k++)
					listed |= e->buckets[k] == b;
				if (!listed) {
					snprintf(err, errlen, "id %d: bucket %d not listed", id, b);
					return -1;
				}
			} else if (am_tried_bucket(am, &e->addr) != b) {
				snprintf(err, errlen, "id %d: wrong tried bucket", id);
				return -1;
			}
		}
		if (fill != t->fill[b]) {
			snprintf(err, errlen, "bucket %d: fill %d, counted %d", b,
			    t->fill[b], fill);
			return -1;
		}
		if (fill > 0) {
			n_used++;
			if (t->used_pos[b] >= t->n_used || t->used[t->used_pos[b]] != b) {
				snprintf(err, errlen, "bucket %d: not in the used list", b);
				return -1;
			}
		}
		*refs += fill;
	}
	if (n_used != t->n_used) {
		snprintf(err, errlen, "used list holds %d, counted %d", t->n_used, n_used);
		return -1;
	}
	return 0;
}

int
addrman_check(const struct addrman *am, char *err, size_t errlen)
{
	const struct am_entry *e;
	int32_t id, n_live = 0, n_tried = 0, n_free = 0, n_indexed = 0;
	long refs = 0, new_slots, tried_slots;

	for (id = 0; id < am->ent_hwm; id++) {
		e = &am->ent[id];
		if (e->rnd_pos == -1)
			continue;
		n_live++;
		if (e->rnd_pos < 0 || e->rnd_pos >= am->n_live ||
		    am->rnd[e->rnd_pos] != id) {
			snprintf(err, errlen, "id %d: bad random position", id);
			return -1;
		}
		if (am_find_id(am, &e->addr) != id) {
			snprintf(err, errlen, "id %d: not found by address", id);
			return -1;
		}
		if (e->in_tried) {
			n_tried++;
			if (e->ref_count != 0) {
				snprintf(err, errlen, "id %d: tried with refs", id);
				return -1;
			}
		} else if (e->ref_count < 1 ||
		    e->ref_count > ADDRMAN_NEW_BUCKETS_PER_ADDRESS) {
			snprintf(err, errlen, "id %d: ref_count %d", id, e->ref_count);
			return -1;
		}
		for (int i = 0; i < e->ref_count; i++) {
			int b = e->buckets[i];
			if (b >= ADDRMAN_NEW_BUCKETS || am_table_get(&am->newt, b,
			    am_bucket_pos(am, true, b, &e->addr)) != id) {
				snprintf(err, errlen, "id %d: not in its bucket %d", id, b);
				return -1;
			}
		}
		refs += e->ref_count;
	}
	for (id = am->free_head; id != -1; id = am->ent[id].next) {
		if (id < 0 || id >= am->ent_hwm || am->ent[id].rnd_pos != -1 ||
		    ++n_free > am->ent_hwm) {
			snprintf(err, errlen, "free list broken at %d", id);
			return -1;
		}
	}
	for (uint32_t s = 0; s <= am->index_mask; s++) {
		for (id = am->index[s]; id != -1; id = am->ent[id].next) {
			if (id < 0 || id >= am->ent_hwm || am->ent[id].rnd_pos == -1 ||
			    am_index_slot(am, &am->ent[id].addr) != s ||
			    ++n_indexed > am->n_live) {
				snprintf(err, errlen, "index chain %u broken", s);
				return -1;
			}
		}
	}
	if (n_live != am->n_live || n_tried != am->n_tried ||
	    n_live + n_free != am->ent_hwm || n_indexed != n_live) {
		snprintf(err, errlen, "counts: live %d/%d tried %d/%d free %d indexed %d",
		    n_live, am->n_live, n_tried, am->n_tried, n_free, n_indexed);
		return -1;
	}
	if (am_check_table(am, &am->newt, true, &new_slots, err, errlen) == -1 ||
	    am_check_table(am, &am->tried, false, &tried_slots, err, errlen) == -1)
		return -1;
	if (new_slots != refs || tried_slots != n_tried) {
		snprintf(err, errlen, "slots: new %ld refs %ld, tried %ld/%d",
		    new_slots, refs, tried_slots, n_tried);
		return -1;
	}
	return 0;
}

/*
 * Persistence.
 */

void
addrman_serialize(const struct addrman *am, struct wbuf *w)
{
	const struct am_entry *e;
	size_t start = w->len;
	uint8_t sum[AM_SUM_LEN];

	wbuf_reserve(w, AM_HDR_LEN + AM_SUM_LEN +
	    (size_t)am->n_live * AM_ENTRY_MAX);
	wbuf_bytes(w, AM_MAGIC, 4);
	wbuf_u32le(w, ADDRMAN_FORMAT_VERSION);
	wbuf_bytes(w, am->key, ADDRMAN_KEYLEN);
	wbuf_u32le(w, (uint32_t)(am->n_live - am->n_tried));
	wbuf_u32le(w, (uint32_t)am->n_tried);
	for (int32_t id = 0; id < am->ent_hwm; id++) {
		e = &am->ent[id];
		if (e->rnd_pos == -1)
			continue;
		wbuf_bytes(w, e->addr.ip, 16);
		wbuf_u16le(w, e->addr.port);
		wbuf_u64le(w, e->services);
		wbuf_i64le(w, e->time);
		wbuf_bytes(w, e->source.ip, 16);
		wbuf_u16le(w, e->source.port);
		wbuf_i64le(w, e->last_try);
		wbuf_i64le(w, e->last_count_attempt);
		wbuf_i64le(w, e->last_success);
		wbuf_i32le(w, e->attempts);
		wbuf_u8(w, e->in_tried ? AM_FLAG_TRIED : 0);
		wbuf_u8(w, e->ref_count);
		for (int i = 0; i < e->ref_count; i++)
			wbuf_u16le(w, e->buckets[i]);
	}
	hash_sha256d(w->data + start, w->len - start, sum);
	wbuf_bytes(w, sum, sizeof(sum));
}

static bool
am_read_time(struct rbuf *r, int64_t *out)
{
	return rbuf_i64le(r, out) && *out >= 0 && *out <= AM_TIME_MAX;
}

/* Read entry N into E (and its new buckets into E->buckets, their number
 * into E->ref_count).  Returns 0, or -1 with a reason in ERR. */
static int
am_read_entry(struct rbuf *r, uint32_t n, struct am_entry *e, char *err,
    size_t errlen)
{
	uint8_t flags, nb;

	memset(e, 0, sizeof(*e));
	if (!rbuf_bytes(r, e->addr.ip, 16) || !rbuf_u16le(r, &e->addr.port) ||
	    !rbuf_u64le(r, &e->services)) {
		snprintf(err, errlen, "entry %u: truncated", n);
		return -1;
	}
	if (!am_read_time(r, &e->time)) {
		snprintf(err, errlen, "entry %u: bad time", n);
		return -1;
	}
	if (!rbuf_bytes(r, e->source.ip, 16) || !rbuf_u16le(r, &e->source.port)) {
		snprintf(err, errlen, "entry %u: truncated", n);
		return -1;
	}
	if (!am_read_time(r, &e->last_try) ||
	    !am_read_time(r, &e->last_count_attempt) ||
	    !am_read_time(r, &e->last_success)) {
		snprintf(err, errlen, "entry %u: bad attempt or success time", n);
		return -1;
	}
	if (!rbuf_i32le(r, &e->attempts) || !rbuf_u8(r, &flags) ||
	    !rbuf_u8(r, &nb)) {
		snprintf(err, errlen, "entry %u: truncated", n);
		return -1;
	}
	if (e->attempts < 0) {
		snprintf(err, errlen, "entry %u: negative attempt count", n);
		return -1;
	}
	if ((flags & ~AM_FLAG_TRIED) != 0) {
		snprintf(err, errlen, "entry %u: unknown flags 0x%02x", n, flags);
		return -1;
	}
	e->in_tried = (flags & AM_FLAG_TRIED) != 0;
	if (e->in_tried ? nb != 0 :
	    (nb == 0 || nb > ADDRMAN_NEW_BUCKETS_PER_ADDRESS)) {
		snprintf(err, errlen, "entry %u: %u new buckets for a %s entry",
		    n, nb, e->in_tried ? "tried" : "new");
		return -1;
	}
	for (int i = 0; i < nb; i++) {
		if (!rbuf_u16le(r, &e->buckets[i])) {
			snprintf(err, errlen, "entry %u: truncated", n);
			return -1;
		}
		if (e->buckets[i] >= ADDRMAN_NEW_BUCKETS) {
			snprintf(err, errlen, "entry %u: bucket %u out of range",
			    n, e->buckets[i]);
			return -1;
		}
		for (int k = 0; k < i; k++) {
			if (e->buckets[k] == e->buckets[i]) {
				snprintf(err, errlen, "entry %u: bucket %u listed twice",
				    n, e->buckets[i]);
				return -1;
			}
		}
	}
	e->ref_count = nb;
	return 0;
}

/* Re-place a loaded entry under the book's key: into its tried slot, or
 * into the new buckets it was saved in.  A slot already taken (possible only
 * if the netgroup rules changed since the save) sends it to the bucket of
 * its source instead; returns false if even that is taken and it is
 * dropped. */
static bool
am_place_loaded(struct addrman *am, const struct am_entry *src)
{
	struct am_entry *e;
	int32_t id;
	int b, p, nb = src->ref_count;

	id = am_create(am, &src->addr, &src->source, src->services, src->time);
	e = &am->ent[id];
	e->last_try = src->last_try;
	e->last_count_attempt = src->last_count_attempt;
	e->last_success = src->last_success;
	e->attempts = src->attempts;
	if (src->in_tried) {
		b = am_tried_bucket(am, &e->addr);
		p = am_bucket_pos(am, false, b, &e->addr);
		if (am_table_get(&am->tried, b, p) == -1) {
			am_table_put(&am->tried, b, p, id);
			am->n_tried++;
			e->in_tried = true;
			return true;
		}
	}
	for (int i = 0; i < nb; i++) {
		b = src->buckets[i];
		p = am_bucket_pos(am, true, b, &e->addr);
		if (am_table_get(&am->newt, b, p) == -1)
			am_new_put(am, b, p, id);
	}
	if (e->ref_count == 0) {
		b = am_new_bucket(am, &e->addr, &e->source);
		p = am_bucket_pos(am, true, b, &e->addr);
		if (am_table_get(&am->newt, b, p) == -1)
			am_new_put(am, b, p, id);
	}
	if (e->ref_count == 0) {
		am_delete(am, id);
		return false;
	}
	return true;
}

static struct addrman *
am_deserialize(const void *data, size_t len, bool allow_private,
    size_t *dropped, size_t *lost, char *err, size_t errlen)
{
	struct addrman *am;
	struct am_entry e;
	struct rbuf r;
	uint8_t magic[4], key[ADDRMAN_KEYLEN], sum[AM_SUM_LEN];
	uint32_t version, n_new, n_tried, seen_tried = 0;

	*dropped = *lost = 0;
	if (len < AM_HDR_LEN + AM_SUM_LEN) {
		snprintf(err, errlen, "truncated: %zu bytes, a header needs %d",
		    len, AM_HDR_LEN + AM_SUM_LEN);
		return NULL;
	}
	rbuf_init(&r, data, len - AM_SUM_LEN);
	(void)rbuf_bytes(&r, magic, sizeof(magic));
	(void)rbuf_u32le(&r, &version);
	if (memcmp(magic, AM_MAGIC, 4) != 0) {
		snprintf(err, errlen, "bad magic: not an address book");
		return NULL;
	}
	if (version != ADDRMAN_FORMAT_VERSION) {
		snprintf(err, errlen, "format version %u is %s than this build's %u",
		    version, version > ADDRMAN_FORMAT_VERSION ? "newer" : "older",
		    ADDRMAN_FORMAT_VERSION);
		return NULL;
	}
	hash_sha256d(data, len - AM_SUM_LEN, sum);
	if (memcmp(sum, (const uint8_t *)data + len - AM_SUM_LEN, AM_SUM_LEN) != 0) {
		snprintf(err, errlen, "checksum mismatch: file truncated or corrupt");
		return NULL;
	}
	(void)rbuf_bytes(&r, key, sizeof(key));
	(void)rbuf_u32le(&r, &n_new);
	(void)rbuf_u32le(&r, &n_tried);
	if (n_new > ADDRMAN_NEW_MAX || n_tried > ADDRMAN_TRIED_MAX) {
		snprintf(err, errlen, "%u new and %u tried entries exceed the tables",
		    n_new, n_tried);
		return NULL;
	}
	if ((uint64_t)(n_new + n_tried) * AM_ENTRY_MIN > rbuf_remaining(&r)) {
		snprintf(err, errlen, "%u entries cannot fit in %zu bytes",
		    n_new + n_tried, rbuf_remaining(&r));
		return NULL;
	}

	am = addrman_new(allow_private, key);
	for (uint32_t n = 0; n < n_new + n_tried; n++) {
		if (am_read_entry(&r, n, &e, err, errlen) == -1)
			goto fail;
		seen_tried += e.in_tried;
		if (!am_admissible(&e.addr)) {
			(*dropped)++;
			continue;
		}
		if (am_find_id(am, &e.addr) != -1) {
			snprintf(err, errlen, "entry %u: duplicate address", n);
			goto fail;
		}
		if (!am_place_loaded(am, &e))
			(*lost)++;
	}
	if (seen_tried != n_tried) {
		snprintf(err, errlen, "header says %u tried entries, found %u",
		    n_tried, seen_tried);
		goto fail;
	}
	if (rbuf_remaining(&r) != 0) {
		snprintf(err, errlen, "%zu bytes of junk after the entries",
		    rbuf_remaining(&r));
		goto fail;
	}
	return am;
fail:
	addrman_free(am);
	return NULL;
}

struct addrman *
addrman_deserialize(const void *data, size_t len, bool allow_private,
    char *err, size_t errlen)
{
	size_t dropped, lost;

	return am_deserialize(data, len, allow_private, &dropped, &lost, err,
	    errlen);
}

int
addrman_save(const struct addrman *am, const char *path, char *err,
    size_t errlen)
{
	struct wbuf w;
	int rc;

	wbuf_init(&w);
	addrman_serialize(am, &w);
	rc = atomicfile_write(path, w.data, w.len, 0600, err, errlen);
	wbuf_free(&w);
	return rc;
}

struct addrman *
addrman_load(const char *path, bool allow_private, char *err, size_t errlen)
{
	struct addrman *am;
	char why[256];
	size_t len, dropped, lost;
	void *data;

	if ((data = atomicfile_read(path, AM_FILE_MAX, &len, err, errlen)) == NULL)
		return NULL;	/* errno from atomicfile_read */
	am = am_deserialize(data, len, allow_private, &dropped, &lost, why,
	    sizeof(why));
	free(data);
	if (am == NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		errno = EINVAL;
		return NULL;
	}
	if (dropped > 0 || lost > 0)
		log_warn("addrman", "%s: dropped %zu addresses invalid on this "
		    "network and %zu without a free slot", path, dropped, lost);
	return am;
}
