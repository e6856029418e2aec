/* nodetable.c -- the known addresses in a keyed map, a binary heap of due times, and the dirty list.
 *
 * The map (common/map) finds a node by address; its hash is keyed, so a
 * peer cannot craft addresses that all collide.  The heap and
 * the dirty list are intrusive (each node carries its heap position and
 * list link), which the generic map cannot be: popping the node due first
 * and writing back only what changed stay O(log n) and O(dirty).  The map
 * costs more memory than the hand-written chained table it replaced (56-byte
 * slots at most half full: 1.6 MB more peak RSS at 10,000 nodes in
 * bench/crawl.sh, about 25 MB more at the 200,000-node cap) -- little
 * beside the 824-byte nodes themselves, for 50 fewer lines of table code. */
#include "nodetable.h"

#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "strutil.h"
#include "xmalloc.h"

TAILQ_HEAD(cnode_list, cnode);

struct nodetable {
	char			  network[16];
	size_t			  max_nodes;
	struct map		 *nodes;	/* address key -> struct cnode (owned) */
	struct cnode		**heap;
	size_t			  nheap, heapcap;
	struct cnode_list	  dirty;
	size_t			  ndirty;
};

/* The map key of an address: its 16 address bytes and the port. */
#define KEYLEN	18

static const uint8_t *
key_of(const struct netaddr *a, uint8_t k[KEYLEN])
{
	memcpy(k, a->ip, 16);
	k[16] = (uint8_t)(a->port >> 8);
	k[17] = (uint8_t)a->port;
	return k;
}

struct nodetable *
nodetable_new(const char *network, size_t max_nodes)
{
	struct nodetable	*t;

	t = xcalloc(1, sizeof(*t));
	str_copy(t->network, network, sizeof(t->network));
	t->max_nodes = max_nodes;
	t->nodes = map_new();
	TAILQ_INIT(&t->dirty);
	return t;
}

void
nodetable_free(struct nodetable *t)
{
	size_t	 pos = 0;
	void	*n;

	if (t == NULL)
		return;
	while (map_next(t->nodes, &pos, NULL, NULL, &n))
		free(n);
	map_free(t->nodes);
	free(t->heap);
	free(t);
}

size_t
nodetable_count(const struct nodetable *t)
{
	return map_count(t->nodes);
}

size_t
nodetable_capacity(const struct nodetable *t)
{
	return t->max_nodes;
}

struct cnode *
nodetable_find(const struct nodetable *t, const struct netaddr *addr)
{
	uint8_t	k[KEYLEN];

	return map_get(t->nodes, key_of(addr, k), KEYLEN);
}

struct cnode *
nodetable_add(struct nodetable *t, const struct netaddr *addr,
    struct cnode **existing)
{
	struct cnode	*n;
	uint8_t		 k[KEYLEN];

	if ((n = nodetable_find(t, addr)) != NULL ||
	    map_count(t->nodes) >= t->max_nodes) {
		if (existing != NULL)
			*existing = n;
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->rec.addr = *addr;
	str_copy(n->rec.network, t->network, sizeof(n->rec.network));
	n->rec.connect_ms = n->rec.handshake_ms = -1;
	n->heap_pos = NODETABLE_NOT_QUEUED;
	map_put(t->nodes, key_of(addr, k), KEYLEN, n);
	nodetable_mark_dirty(t, n, NODETABLE_DIRTY_NEW);
	return n;
}

struct cnode *
nodetable_insert_loaded(struct nodetable *t, const struct crawldb_node *rec)
{
	struct cnode	*n;

	if ((n = nodetable_add(t, &rec->addr, NULL)) == NULL)
		return NULL;
	n->rec = *rec;
	str_copy(n->rec.network, t->network, sizeof(n->rec.network));
	TAILQ_REMOVE(&t->dirty, n, dentry);
	t->ndirty--;
	n->dirty = 0;
	return n;
}

void
nodetable_remove(struct nodetable *t, struct cnode *n)
{
	uint8_t	k[KEYLEN];

	nodetable_unschedule(t, n);
	if (n->dirty != 0) {
		TAILQ_REMOVE(&t->dirty, n, dentry);
		t->ndirty--;
	}
	map_remove(t->nodes, key_of(&n->rec.addr, k), KEYLEN);
	free(n);
}

void
nodetable_foreach(struct nodetable *t, void (*fn)(struct cnode *, void *),
    void *arg)
{
	size_t	 pos = 0;
	void	*n;

	while (map_next(t->nodes, &pos, NULL, NULL, &n))
		fn(n, arg);
}

/* --- heap ------------------------------------------------------------------ */

static bool
before(const struct cnode *a, const struct cnode *b)
{
	if (a->due != b->due)
		return a->due < b->due;
	return netaddr_cmp(&a->rec.addr, &b->rec.addr) < 0;
}

static void
heap_set(struct nodetable *t, size_t i, struct cnode *n)
{
	t->heap[i] = n;
	n->heap_pos = i;
}

static void
sift_up(struct nodetable *t, size_t i)
{
	struct cnode	*n = t->heap[i];
	size_t		 parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!before(n, t->heap[parent]))
			break;
		heap_set(t, i, t->heap[parent]);
		i = parent;
	}
	heap_set(t, i, n);
}

static void
sift_down(struct nodetable *t, size_t i)
{
	struct cnode	*n = t->heap[i];
	size_t		 c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= t->nheap)
			break;
		if (c + 1 < t->nheap && before(t->heap[c + 1], t->heap[c]))
			c++;
		if (!before(t->heap[c], n))
			break;
		heap_set(t, i, t->heap[c]);
		i = c;
	}
	heap_set(t, i, n);
}

void
nodetable_unschedule(struct nodetable *t, struct cnode *n)
{
	size_t		 i = n->heap_pos;
	struct cnode	*last;

	if (i == NODETABLE_NOT_QUEUED)
		return;
	n->heap_pos = NODETABLE_NOT_QUEUED;
	last = t->heap[--t->nheap];
	if (i == t->nheap)
		return;
	heap_set(t, i, last);
	sift_down(t, i);
	sift_up(t, last->heap_pos);
}

void
nodetable_schedule(struct nodetable *t, struct cnode *n, int64_t due)
{
	nodetable_unschedule(t, n);
	n->due = due;
	if (t->nheap == t->heapcap) {
		t->heapcap = t->heapcap == 0 ? 1024 : t->heapcap * 2;
		t->heap = xreallocarray(t->heap, t->heapcap, sizeof(*t->heap));
	}
	heap_set(t, t->nheap++, n);
	sift_up(t, n->heap_pos);
}

struct cnode *
nodetable_peek(const struct nodetable *t)
{
	return t->nheap > 0 ? t->heap[0] : NULL;
}

struct cnode *
nodetable_pop(struct nodetable *t)
{
	struct cnode	*n = nodetable_peek(t);

	if (n != NULL)
		nodetable_unschedule(t, n);
	return n;
}

size_t
nodetable_queued(const struct nodetable *t)
{
	return t->nheap;
}

/* --- dirty list ---------------------------------------------------------- */

void
nodetable_mark_dirty(struct nodetable *t, struct cnode *n, unsigned fields)
{
	if (n->dirty == 0) {
		TAILQ_INSERT_TAIL(&t->dirty, n, dentry);
		t->ndirty++;
	}
	n->dirty |= fields;
}

size_t
nodetable_dirty_count(const struct nodetable *t)
{
	return t->ndirty;
}

long
nodetable_flush(struct nodetable *t, struct crawldb *db, char *err,
    size_t errlen)
{
	struct cnode	*n;
	long		 written = 0;

	if (t->ndirty == 0)
		return 0;
	if (crawldb_begin(db, err, errlen) == -1)
		return -1;
	TAILQ_FOREACH(n, &t->dirty, dentry) {
		if (crawldb_put(db, &n->rec, n->dirty & CRAWLDB_PUT_ALL, err,
		    errlen) == -1) {
			crawldb_commit(db, NULL, 0);
			return -1;
		}
		written++;
	}
	if (crawldb_commit(db, err, errlen) == -1)
		return -1;
	while ((n = TAILQ_FIRST(&t->dirty)) != NULL) {
		TAILQ_REMOVE(&t->dirty, n, dentry);
		n->dirty = 0;
	}
	t->ndirty = 0;
	return written;
}
