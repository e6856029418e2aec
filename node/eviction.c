/* eviction.c -- which inbound peer to drop when a new one needs the slot.
 *
 * Pure function over a snapshot so that it can be tested exhaustively.  The
 * protections make eviction useless for an attacker who wants to replace
 * our good peers: it would need to beat them on netgroup diversity, on
 * latency and on uptime at the same time. */
#include "eviction.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define EVICT_PROTECT_NETGROUP	4
#define EVICT_PROTECT_PING	8

static int
cmp_keyed_netgroup_desc(const void *a, const void *b)
{
	const struct eviction_candidate *x = a, *y = b;

	return x->keyed_netgroup < y->keyed_netgroup ? 1 :
	    x->keyed_netgroup > y->keyed_netgroup ? -1 : 0;
}

static int
cmp_ping_asc(const void *a, const void *b)
{
	const struct eviction_candidate *x = a, *y = b;
	/* Unmeasured pings sort last: they earn no protection. */
	double px = x->min_ping_ms < 0 ? 1e18 : x->min_ping_ms;
	double py = y->min_ping_ms < 0 ? 1e18 : y->min_ping_ms;

	return px < py ? -1 : px > py ? 1 : 0;
}

static int
cmp_connected_asc(const void *a, const void *b)
{
	const struct eviction_candidate *x = a, *y = b;

	return x->connected_ms < y->connected_ms ? -1 : x->connected_ms > y->connected_ms ? 1 : 0;
}

/* Handshaked peers last, and among them the most recent first. */
static int
cmp_handshake_recent(const void *a, const void *b)
{
	const struct eviction_candidate *x = a, *y = b;

	if (x->handshaked != y->handshaked)
		return x->handshaked ? 1 : -1;
	return x->handshake_ms > y->handshake_ms ? -1 : x->handshake_ms < y->handshake_ms ? 1 : 0;
}

/* Sort CAND[0..*N) by CMP and drop the first K (protected) from the front. */
static struct eviction_candidate *
evict_protect(struct eviction_candidate *cand, size_t *n,
    int (*cmp)(const void *, const void *), size_t k)
{
	qsort(cand, *n, sizeof(*cand), cmp);
	if (k > *n)
		k = *n;
	*n -= k;
	return cand + k;
}

uint64_t
eviction_select(struct eviction_candidate *cand, size_t n, int64_t now_ms)
{
	size_t best_start = 0, best_count = 0, oldest = n, recent = 0;
	int64_t best_youngest = 0;

	for (size_t i = 0; i < n; i++)
		if (!cand[i].handshaked &&
		    (oldest == n || cand[i].connected_ms < cand[oldest].connected_ms))
			oldest = i;
	if (oldest < n)
		return cand[oldest].id;
	/* Everyone is handshaked here; the most recent come first. */
	qsort(cand, n, sizeof(*cand), cmp_handshake_recent);
	while (recent < n && recent < EVICT_PROTECT_RECENT &&
	    now_ms - cand[recent].handshake_ms < EVICT_RECENT_MS)
		recent++;
	cand += recent;
	n -= recent;
	cand = evict_protect(cand, &n, cmp_keyed_netgroup_desc, EVICT_PROTECT_NETGROUP);
	cand = evict_protect(cand, &n, cmp_ping_asc, EVICT_PROTECT_PING);
	cand = evict_protect(cand, &n, cmp_connected_asc, n / 2);
	if (n == 0)
		return 0;
	/* Group by netgroup; within a group, oldest first. */
	qsort(cand, n, sizeof(*cand), cmp_connected_asc);
	for (size_t i = 0; i < n; i++) {
		size_t count = 0;
		int64_t youngest = 0;
		bool seen_before = false;

		for (size_t j = 0; j < i && !seen_before; j++)
			seen_before = memcmp(cand[j].netgroup, cand[i].netgroup, NETADDR_GROUPLEN) == 0;
		if (seen_before)
			continue;
		for (size_t j = i; j < n; j++) {
			if (memcmp(cand[j].netgroup, cand[i].netgroup, NETADDR_GROUPLEN) == 0) {
				count++;
				youngest = cand[j].connected_ms;
			}
		}
		if (count > best_count || (count == best_count && youngest > best_youngest)) {
			best_count = count;
			best_youngest = youngest;
			best_start = i;
		}
	}
	/* The youngest of the chosen group is its last in connection order. */
	for (size_t j = n; j-- > best_start;)
		if (memcmp(cand[j].netgroup, cand[best_start].netgroup, NETADDR_GROUPLEN) == 0)
			return cand[j].id;
	return 0;
}
