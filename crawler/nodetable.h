/* nodetable.h -- the crawler's in-memory view of every known address: lookup, due-time heap, dirty list. */
#ifndef AGENTCRAWL_NODETABLE_H
#define AGENTCRAWL_NODETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "crawldb.h"
#include "netaddr.h"

/* One known address.  The table owns it; the pointer stays valid until
 * nodetable_remove, so a probe may hold it while it runs. */
struct cnode {
	struct crawldb_node	 rec;		/* what is (to be) stored */
	int64_t			 due;		/* next probe, unix seconds */
	size_t			 heap_pos;	/* NODETABLE_NOT_QUEUED when not queued */
	unsigned		 dirty;		/* CRAWLDB_PUT_* groups to write */
	bool			 inflight;	/* a probe runs right now */
	bool			 tried;		/* probed in this pass (--once) */
	TAILQ_ENTRY(cnode)	 dentry;	/* on the dirty list when dirty != 0 */
};

#define NODETABLE_NOT_QUEUED	((size_t)-1)
/* A dirty bit for a row that exists only in memory yet. */
#define NODETABLE_DIRTY_NEW	0x100

struct nodetable;

/* A table of at most MAX_NODES addresses of NETWORK (copied).  Caller
 * frees with nodetable_free. */
struct nodetable *nodetable_new(const char *network, size_t max_nodes);
/* Free T and every node in it. */
void nodetable_free(struct nodetable *t);

size_t nodetable_count(const struct nodetable *t);
size_t nodetable_capacity(const struct nodetable *t);

/* The node for ADDR, or NULL. */
struct cnode *nodetable_find(const struct nodetable *t, const struct netaddr *addr);

/* Add ADDR (rec zeroed but for addr and network) and mark it
 * NODETABLE_DIRTY_NEW.  Returns the new node, or NULL when ADDR is known
 * already (*EXISTING then points to it, if EXISTING is not NULL) or the
 * table is full (*EXISTING NULL). */
struct cnode *nodetable_add(struct nodetable *t, const struct netaddr *addr,
    struct cnode **existing);

/* Insert a row read back from the database (clean, not queued).  Returns
 * NULL when its address is known already or the table is full. */
struct cnode *nodetable_insert_loaded(struct nodetable *t,
    const struct crawldb_node *rec);

/* Drop N (not inflight) from the table, the heap and the dirty list, and
 * free it. */
void nodetable_remove(struct nodetable *t, struct cnode *n);

/* Call FN for every node, in no particular order; FN must not add or
 * remove nodes. */
void nodetable_foreach(struct nodetable *t, void (*fn)(struct cnode *, void *),
    void *arg);

/* --- the due-time heap ------------------------------------------------------ */

/* Queue N for a probe at DUE (re-queue if queued already). */
void nodetable_schedule(struct nodetable *t, struct cnode *n, int64_t due);
/* Take N off the heap if it is on it. */
void nodetable_unschedule(struct nodetable *t, struct cnode *n);
/* The node due first, or NULL when nothing is queued. */
struct cnode *nodetable_peek(const struct nodetable *t);
/* Remove and return the node due first, or NULL. */
struct cnode *nodetable_pop(struct nodetable *t);
size_t nodetable_queued(const struct nodetable *t);

/* --- writing back ------------------------------------------------------------ */

/* Note that the groups FIELDS of N must be written. */
void nodetable_mark_dirty(struct nodetable *t, struct cnode *n, unsigned fields);
size_t nodetable_dirty_count(const struct nodetable *t);

/* Write every dirty node to DB in one transaction.  On success the dirty
 * list is empty and the count written is returned; on failure -1 with
 * ERR and every node stays dirty (the next flush retries). */
long nodetable_flush(struct nodetable *t, struct crawldb *db, char *err,
    size_t errlen);

#endif
