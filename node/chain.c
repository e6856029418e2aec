/* chain.c -- the block tree: every known header, the most-work chain, blocks on disk, reorganisations.
 *
 * Entries live in a map by hash and point at their parent; the active
 * chain is an array by height.  An entry is "linked" when it and all its
 * ancestors have their bytes stored; only linked, valid entries can be
 * the tip.  Blocks that arrive before their parent's (parallel download)
 * wait in UNLINKED until the parent links.  The best linked entry is kept
 * up to date as blocks link, and recomputed by a scan only when blocks
 * are invalidated or reconsidered, which is rare. */
#include "chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockstore.h"
#include "chaincheck.h"
#include "clock.h"
#include "locator.h"
#include "log.h"
#include "map.h"
#include "pow.h"
#include "xmalloc.h"

#define CHAIN_MAX_LISTENERS	8
/* Older than this, the tip means we are still catching up (Core: 24 h). */
#define CHAIN_IBD_AGE		(24 * 3600)

struct chain {
	const struct chainparams *p;
	struct blockstore	*bs;
	struct map		*index;		/* hash -> struct chain_entry *, owned */
	struct chain_entry	**active;	/* by height */
	size_t			 nactive, capactive;
	struct chain_entry	*best_header;
	struct chain_entry	*best_linked;
	struct chain_entry	**unlinked;	/* have data, an ancestor has not */
	size_t			 nunlinked, capunlinked;
	struct chain_listener	 listeners[CHAIN_MAX_LISTENERS];
	size_t			 nlisteners;
	uint64_t		 seq;
};

/* --- persistence ----------------------------------------------------------- */

static void
chain_persist(struct chain *ch, const struct chain_entry *e)
{
	struct blockstore_entry row;
	char err[256];

	memset(&row, 0, sizeof(row));
	memcpy(row.hash, e->hash, 32);
	block_header_encode(&e->header, row.header);
	row.height = e->height;
	row.status = e->status;
	row.file = e->file;
	row.offset = e->offset;
	row.len = e->len;
	row.first_seen_ms = e->first_seen_ms;
	if (blockstore_put(ch->bs, &row, err, sizeof(err)) == -1 ||
	    blockstore_commit(ch->bs, err, sizeof(err)) == -1)
		log_error("chain", "%s", err);
}

void
chain_sync(struct chain *ch)
{
	char err[256];

	if (blockstore_sync(ch->bs, err, sizeof(err)) == -1)
		log_error("chain", "%s", err);
}

/* --- entries ------------------------------------------------------------------ */

static bool
chain_better(const struct chain_entry *a, const struct chain_entry *b)
{
	int c;

	if (b == NULL)
		return true;
	c = u256_cmp(&a->work, &b->work);
	return c > 0 || (c == 0 && a->seq < b->seq);
}

/* Skip lists over the ancestry (Bitcoin Core's pskip): each entry points
 * at one ancestor whose height has its lowest set bits cleared, so any
 * ancestor is O(log n) steps away on every branch. */
static int32_t
clear_lowest_one(int32_t n)
{
	return n & (n - 1);
}

static int32_t
skip_height(int32_t height)
{
	if (height < 2)
		return 0;
	return (height & 1) ? clear_lowest_one(clear_lowest_one(height - 1)) + 1 :
	    clear_lowest_one(height);
}

static struct chain_entry *
entry_ancestor(struct chain_entry *e, int32_t height)
{
	int32_t walk;

	if (height < 0 || e == NULL || height > e->height)
		return NULL;
	walk = e->height;
	while (walk > height) {
		int32_t sk = skip_height(walk), skprev = skip_height(walk - 1);

		if (e->skip != NULL && (sk == height || (sk > height &&
		    !(skprev < sk - 2 && skprev >= height)))) {
			e = e->skip;
			walk = sk;
		} else {
			e = e->prev;
			walk--;
		}
	}
	return e;
}

static struct chain_entry *
chain_entry_new(struct chain *ch, const struct block_header *h, const uint8_t hash[32],
    struct chain_entry *prev)
{
	struct chain_entry *e = xcalloc(1, sizeof(*e));
	struct u256 w;

	memcpy(e->hash, hash, 32);
	e->header = *h;
	e->prev = prev;
	e->height = prev != NULL ? prev->height + 1 : 0;
	e->skip = prev != NULL ? entry_ancestor(prev, skip_height(e->height)) : NULL;
	pow_work(h->bits, &w);
	if (prev != NULL)
		u256_add(&e->work, &prev->work, &w);
	else
		e->work = w;
	e->file = -1;
	e->seq = ++ch->seq;
	map_put(ch->index, e->hash, 32, e);
	return e;
}

const struct chain_entry *
chain_find(const struct chain *ch, const uint8_t hash[32])
{
	return map_get(ch->index, hash, 32);
}

size_t
chain_count(const struct chain *ch)
{
	return map_count(ch->index);
}

size_t
chain_unlinked_count(const struct chain *ch)
{
	return ch->nunlinked;
}

const struct chain_entry *
chain_tip(const struct chain *ch)
{
	return ch->active[ch->nactive - 1];
}

const struct chain_entry *
chain_best_header(const struct chain *ch)
{
	return ch->best_header;
}

const struct chain_entry *
chain_at(const struct chain *ch, int32_t height)
{
	return height >= 0 && (size_t)height < ch->nactive ? ch->active[height] : NULL;
}

bool
chain_is_active(const struct chain *ch, const struct chain_entry *e)
{
	return chain_at(ch, e->height) == e;
}

const struct chain_entry *
chain_ancestor(const struct chain *ch, const struct chain_entry *e, int32_t height)
{
	if (height < 0 || height > e->height)
		return NULL;
	/* On the active chain an index does it; elsewhere the skip list. */
	if (chain_is_active(ch, e))
		return chain_at(ch, height);
	return entry_ancestor((struct chain_entry *)e, height);
}

int64_t
chain_median_time(const struct chain *ch, const struct chain_entry *e)
{
	uint32_t times[CHAINPARAMS_MTP_SPAN];
	size_t n = 0;

	(void)ch;
	for (; e != NULL && n < CHAINPARAMS_MTP_SPAN; e = e->prev)
		times[n++] = e->header.time;
	return chaincheck_median_time(times, n);
}

uint32_t
chain_next_bits(const struct chain *ch, const struct chain_entry *prev)
{
	struct pow_parent pp = {
		.height = (uint32_t)prev->height, .bits = prev->header.bits,
		.time = prev->header.time,
	};
	int64_t first = pow_retarget_first_height(ch->p, (uint32_t)prev->height);

	if (first >= 0)
		pp.first_time = chain_ancestor(ch, prev, (int32_t)first)->header.time;
	return pow_next_bits(ch->p, &pp);
}

bool
chain_is_ibd(const struct chain *ch, int64_t now)
{
	const struct chain_entry *tip = chain_tip(ch);

	return (int64_t)tip->header.time < now - CHAIN_IBD_AGE ||
	    u256_cmp(&tip->work, &ch->p->min_chain_work) < 0;
}

/* --- the active chain ------------------------------------------------------------ */

static void
chain_active_push(struct chain *ch, struct chain_entry *e)
{
	if (ch->nactive == ch->capactive) {
		ch->capactive = ch->capactive ? ch->capactive * 2 : 1024;
		ch->active = xreallocarray(ch->active, ch->capactive, sizeof(*ch->active));
	}
	ch->active[ch->nactive++] = e;
}

static const struct chain_entry *
chain_fork(const struct chain *ch, const struct chain_entry *e)
{
	while (e != NULL && !chain_is_active(ch, e))
		e = e->prev;
	return e;
}

static void
chain_unlinked_add(struct chain *ch, struct chain_entry *e)
{
	if (ch->nunlinked == ch->capunlinked) {
		ch->capunlinked = ch->capunlinked ? ch->capunlinked * 2 : 64;
		ch->unlinked = xreallocarray(ch->unlinked, ch->capunlinked, sizeof(*ch->unlinked));
	}
	ch->unlinked[ch->nunlinked++] = e;
}

static bool chain_descends(const struct chain_entry *x, const struct chain_entry *e);

/* Mark E as lacking its bytes after all (a damaged record): it and what
 * builds on it can no longer be linked; what builds on it with its own
 * bytes waits for E's again, as after a parallel download. */
static void
chain_lost_data(struct chain *ch, struct chain_entry *e)
{
	size_t pos = 0;
	void *v;

	e->status &= ~CHAIN_HAVE_DATA;
	e->file = -1;
	e->linked = false;
	chain_persist(ch, e);
	while (map_next(ch->index, &pos, NULL, NULL, &v)) {
		struct chain_entry *x = v;
		if (x->linked && x->height > e->height && chain_descends(x, e)) {
			x->linked = false;
			chain_unlinked_add(ch, x);
		}
	}
}

/* Step the active chain to TARGET: disconnect down to the fork, connect
 * up to TARGET.  HAVE, when it is TARGET's parsed block, spares a read.
 * Returns false when a stored block could not be read back (the caller
 * then looks for the best chain again). */
static bool
chain_step(struct chain *ch, struct chain_entry *target, const struct block *have,
    const uint8_t (*have_txids)[32])
{
	const struct chain_entry *fork = chain_fork(ch, target);
	struct chain_entry **path;
	size_t npath = 0;
	uint8_t have_hash[32];
	char err[256];
	bool ok = true;

	if (have != NULL)
		block_header_hash(&have->header, have_hash);

	while (chain_tip(ch) != fork) {
		struct chain_entry *old = ch->active[ch->nactive - 1];
		struct block b;

		uint8_t (*ids)[32] = NULL;

		memset(&b, 0, sizeof(b));
		if (chain_read_block(ch, old, &b, err, sizeof(err)) == -1)
			log_warn("chain", "disconnecting height %d without its block: %s",
			    old->height, err);
		else
			ids = block_txids(&b);
		ch->nactive--;
		for (size_t i = 0; i < ch->nlisteners; i++)
			if (ch->listeners[i].disconnected != NULL)
				ch->listeners[i].disconnected(ch->listeners[i].arg, old, &b,
				    (const uint8_t (*)[32])ids);
		free(ids);
		block_free(&b);
	}
	path = xcalloc((size_t)(target->height - fork->height) + 1, sizeof(*path));
	for (struct chain_entry *e = target; e != fork; e = e->prev)
		path[npath++] = e;
	while (npath > 0) {
		struct chain_entry *e = path[--npath];
		struct block b;
		const struct block *use = &b;
		const uint8_t (*ids)[32] = have_txids;
		uint8_t (*own)[32] = NULL;

		memset(&b, 0, sizeof(b));
		if (have != NULL && memcmp(have_hash, e->hash, 32) == 0) {
			use = have;
		} else if (chain_read_block(ch, e, &b, err, sizeof(err)) == -1) {
			log_error("chain", "block at height %d unreadable: %s", e->height, err);
			chain_lost_data(ch, e);
			ok = false;
			break;
		} else {
			ids = (const uint8_t (*)[32])(own = block_txids(&b));
		}
		chain_active_push(ch, e);
		for (size_t i = 0; i < ch->nlisteners; i++)
			if (ch->listeners[i].connected != NULL)
				ch->listeners[i].connected(ch->listeners[i].arg, e, use, ids);
		free(own);
		block_free(&b);
	}
	free(path);
	return ok;
}

static void
chain_find_best(struct chain *ch)
{
	size_t pos = 0;
	void *v;

	ch->best_linked = NULL;
	ch->best_header = NULL;
	while (map_next(ch->index, &pos, NULL, NULL, &v)) {
		struct chain_entry *e = v;
		if (e->status & CHAIN_INVALID_ANY)
			continue;
		if (chain_better(e, ch->best_header))
			ch->best_header = e;
		if (e->linked && chain_better(e, ch->best_linked))
			ch->best_linked = e;
	}
}

static void
chain_notify_tip(struct chain *ch)
{
	for (size_t i = 0; i < ch->nlisteners; i++)
		if (ch->listeners[i].tip != NULL)
			ch->listeners[i].tip(ch->listeners[i].arg, chain_tip(ch));
}

/* Follow the most-work linked chain, if it beats the tip. */
static void
chain_activate(struct chain *ch, const struct block *have, const uint8_t (*have_txids)[32])
{
	const struct chain_entry *before = chain_tip(ch);

	for (int tries = 0; tries < 8; tries++) {
		struct chain_entry *target = ch->best_linked;

		if (target == NULL || target == chain_tip(ch) ||
		    !chain_better(target, chain_tip(ch)))
			break;
		if (chain_step(ch, target, have, have_txids))
			break;
		chain_find_best(ch);	/* a block was lost: look again */
		have = NULL;
		have_txids = NULL;
	}
	if (chain_tip(ch) != before)
		chain_notify_tip(ch);
}

/* E has its data: link it (and whatever waited on it) when its parent is. */
static void
chain_link(struct chain *ch, struct chain_entry *e)
{
	struct chain_entry **stack;
	size_t n = 0, cap = ch->nunlinked + 1;

	if (e->prev != NULL && !e->prev->linked) {
		chain_unlinked_add(ch, e);
		return;
	}
	stack = xcalloc(cap, sizeof(*stack));
	stack[n++] = e;
	while (n > 0) {
		struct chain_entry *x = stack[--n];

		x->linked = true;
		if (!(x->status & CHAIN_INVALID_ANY) && chain_better(x, ch->best_linked))
			ch->best_linked = x;
		for (size_t i = 0; i < ch->nunlinked; ) {
			if (ch->unlinked[i]->prev == x) {
				stack[n++] = ch->unlinked[i];
				ch->unlinked[i] = ch->unlinked[--ch->nunlinked];
			} else {
				i++;
			}
		}
	}
	free(stack);
}

/* --- accepting headers and blocks ------------------------------------------------ */

enum chain_result
chain_accept_header(struct chain *ch, const struct block_header *h, int64_t now,
    uint64_t from_peer, struct chain_entry **out, enum block_err *why)
{
	uint32_t times[CHAINPARAMS_MTP_SPAN];
	struct chaincheck_ctx ctx;
	struct chain_entry *prev, *e;
	uint8_t hash[32];
	size_t n = 0;

	*out = NULL;
	*why = BLOCK_OK;
	block_header_hash(h, hash);
	if ((e = map_get(ch->index, hash, 32)) != NULL) {
		*out = e;
		return (e->status & CHAIN_INVALID_ANY) ? CHAIN_BAD_PREV : CHAIN_DUPLICATE;
	}
	if ((prev = map_get(ch->index, h->prev_hash, 32)) == NULL)
		return CHAIN_ORPHAN;
	if (prev->status & CHAIN_INVALID_ANY)
		return CHAIN_BAD_PREV;
	if ((*why = block_check_header(h, ch->p)) != BLOCK_OK)
		return CHAIN_INVALID;
	for (const struct chain_entry *a = prev; a != NULL && n < CHAINPARAMS_MTP_SPAN; a = a->prev)
		times[n++] = a->header.time;
	ctx = (struct chaincheck_ctx){ .prev_times = times, .n_prev_times = n,
	    .expected_bits = chain_next_bits(ch, prev), .now = now };
	if ((*why = chaincheck_header(h, ch->p, &ctx)) != BLOCK_OK)
		return CHAIN_INVALID;
	/* Beyond the cap a header is stored only if it adds work. */
	if (map_count(ch->index) > (size_t)ch->best_header->height + CHAIN_MAX_SIDE_HEADERS) {
		struct u256 w, total;
		pow_work(h->bits, &w);
		u256_add(&total, &prev->work, &w);
		if (u256_cmp(&total, &ch->best_header->work) <= 0)
			return CHAIN_FULL;
	}
	e = chain_entry_new(ch, h, hash, prev);
	e->first_seen_ms = clock_wall_ms();
	e->from_peer = from_peer;
	chain_persist(ch, e);
	if (chain_better(e, ch->best_header))
		ch->best_header = e;
	*out = e;
	return CHAIN_NEW;
}

/* Store B's bytes for E and link it. */
static enum chain_result
chain_store_block(struct chain *ch, struct chain_entry *e, const struct block *b)
{
	struct blockstore_entry pos;
	char err[256];

	if (blockstore_append(ch->bs, b->data, b->len, &pos, err, sizeof(err)) == -1) {
		log_error("chain", "storing block %d: %s", e->height, err);
		return CHAIN_IO;
	}
	e->file = pos.file;
	e->offset = pos.offset;
	e->len = pos.len;
	e->status |= CHAIN_HAVE_DATA;
	e->received_ms = clock_wall_ms();
	chain_persist(ch, e);
	chain_link(ch, e);
	return CHAIN_NEW;
}

static void chain_mark_failed(struct chain *ch, struct chain_entry *e, uint32_t flag);

enum chain_result
chain_accept_block(struct chain *ch, const struct block *b, int64_t now, uint64_t from_peer,
    struct chain_entry **out, enum block_err *why)
{
	enum chain_result r = chain_accept_header(ch, &b->header, now, from_peer, out, why);
	struct chain_entry *e = *out;
	uint8_t (*txids)[32];

	if (r != CHAIN_NEW && r != CHAIN_DUPLICATE)
		return r;
	if (e->status & CHAIN_HAVE_DATA)
		return CHAIN_DUPLICATE;
	/* The header's proof of work passed: now the hashing is worth it. */
	txids = block_txids(b);
	if ((*why = block_check_txids(b, ch->p, (const uint8_t (*)[32])txids)) != BLOCK_OK) {
		free(txids);
		/* Mutated bytes condemn the copy, not the block. */
		if (*why != BLOCK_ERR_BAD_MERKLE && *why != BLOCK_ERR_MUTATED &&
		    *why != BLOCK_ERR_DUPLICATE_TX) {
			chain_mark_failed(ch, e, CHAIN_FAILED);
			chain_find_best(ch);
		}
		return CHAIN_INVALID;
	}
	if (from_peer != 0 && e->from_peer == 0)
		e->from_peer = from_peer;
	if ((r = chain_store_block(ch, e, b)) == CHAIN_NEW)
		chain_activate(ch, b, (const uint8_t (*)[32])txids);
	free(txids);
	return r;
}

/* --- invalidation ------------------------------------------------------------------- */

static bool
chain_descends(const struct chain_entry *x, const struct chain_entry *e)
{
	return entry_ancestor((struct chain_entry *)x, e->height) == e;
}

/* Mark E with FLAG and everything building on it FAILED_CHILD. */
static void
chain_mark_failed(struct chain *ch, struct chain_entry *e, uint32_t flag)
{
	size_t pos = 0;
	void *v;

	e->status |= flag;
	chain_persist(ch, e);
	while (map_next(ch->index, &pos, NULL, NULL, &v)) {
		struct chain_entry *x = v;
		if (x != e && x->height > e->height && !(x->status & CHAIN_FAILED_CHILD) &&
		    chain_descends(x, e)) {
			x->status |= CHAIN_FAILED_CHILD;
			chain_persist(ch, x);
		}
	}
}

/* Disconnect back to E's parent when E is on the active chain. */
static void
chain_rewind_below(struct chain *ch, const struct chain_entry *e)
{
	struct chain_entry *parent = e->prev;

	if (!chain_is_active(ch, e) || parent == NULL)
		return;
	ch->best_linked = parent;
	chain_step(ch, parent, NULL, NULL);
}

int
chain_invalidate(struct chain *ch, const uint8_t hash[32], char *err, size_t errlen)
{
	struct chain_entry *e = map_get(ch->index, hash, 32);
	const struct chain_entry *before, *rewound;

	if (e == NULL) {
		snprintf(err, errlen, "block not found");
		return -1;
	}
	if (e->prev == NULL) {
		snprintf(err, errlen, "the genesis block cannot be invalidated");
		return -1;
	}
	before = chain_tip(ch);
	chain_rewind_below(ch, e);
	chain_mark_failed(ch, e, CHAIN_FAILED | CHAIN_MANUAL);
	chain_find_best(ch);
	rewound = chain_tip(ch);
	/* Announces the tip if it moves on from REWOUND; a rewind that
	 * stays is announced here, and nothing when E was not active. */
	chain_activate(ch, NULL, NULL);
	if (chain_tip(ch) == rewound && rewound != before)
		chain_notify_tip(ch);
	return 0;
}

int
chain_reconsider(struct chain *ch, const uint8_t hash[32], char *err, size_t errlen)
{
	struct chain_entry *e = map_get(ch->index, hash, 32);
	size_t pos = 0;
	void *v;

	if (e == NULL) {
		snprintf(err, errlen, "block not found");
		return -1;
	}
	while (map_next(ch->index, &pos, NULL, NULL, &v)) {
		struct chain_entry *x = v;
		if ((x->status & (CHAIN_INVALID_ANY | CHAIN_MANUAL)) &&
		    (chain_descends(x, e) || chain_descends(e, x))) {
			x->status &= ~(CHAIN_INVALID_ANY | CHAIN_MANUAL);
			chain_persist(ch, x);
		}
	}
	chain_find_best(ch);
	chain_activate(ch, NULL, NULL);
	return 0;
}

/* --- reading, locators, tips ----------------------------------------------------------- */

int
chain_read_block(struct chain *ch, const struct chain_entry *e, struct block *b, char *err,
    size_t errlen)
{
	struct blockstore_entry pos = { .file = e->file, .offset = e->offset, .len = e->len };
	uint8_t *data, hash[32];
	enum block_err be;

	memset(b, 0, sizeof(*b));
	if (!(e->status & CHAIN_HAVE_DATA) || e->file < 0) {
		snprintf(err, errlen, "block not stored");
		return -1;
	}
	if ((data = blockstore_read(ch->bs, &pos, err, errlen)) == NULL)
		return -1;
	if ((be = block_parse_take(b, data, e->len)) != BLOCK_OK) {
		free(data);
		snprintf(err, errlen, "stored block does not parse: %s", block_err_name(be));
		return -1;
	}
	block_header_hash(&b->header, hash);
	if (memcmp(hash, e->hash, 32) != 0) {
		block_free(b);
		snprintf(err, errlen, "stored block is another block");
		return -1;
	}
	return 0;
}

static void
chain_locator_hash(uint32_t height, uint8_t out[32], void *ctx)
{
	void **c = ctx;
	const struct chain_entry *e = chain_ancestor(c[0], c[1], (int32_t)height);

	memcpy(out, e->hash, 32);
}

size_t
chain_locator(const struct chain *ch, const struct chain_entry *from, uint8_t (*out)[32],
    size_t max)
{
	void *ctx[2] = { (void *)ch, (void *)(from != NULL ? from : chain_tip(ch)) };

	return locator_build((uint32_t)((const struct chain_entry *)ctx[1])->height,
	    chain_locator_hash, ctx, out, max);
}

const struct chain_entry *
chain_fork_point(const struct chain *ch, const uint8_t (*locator)[32], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct chain_entry *e = chain_find(ch, locator[i]);
		if (e != NULL && chain_is_active(ch, e))
			return e;
	}
	return ch->active[0];
}

void
chain_tips(const struct chain *ch, void (*fn)(void *arg, const struct chain_entry *tip), void *arg)
{
	struct map *parents = map_new();
	size_t pos = 0;
	void *v;

	while (map_next(ch->index, &pos, NULL, NULL, &v)) {
		const struct chain_entry *e = v;
		if (e->prev != NULL)
			map_put(parents, e->prev->hash, 32, (void *)e->prev);
	}
	pos = 0;
	while (map_next(ch->index, &pos, NULL, NULL, &v))
		if (map_get(parents, ((const struct chain_entry *)v)->hash, 32) == NULL)
			fn(arg, v);
	map_free(parents);
}

void
chain_add_listener(struct chain *ch, const struct chain_listener *l)
{
	if (ch->nlisteners < CHAIN_MAX_LISTENERS)
		ch->listeners[ch->nlisteners++] = *l;
}

/* --- opening and closing ------------------------------------------------------------- */

static int
chain_load_row(void *arg, const struct blockstore_entry *row)
{
	struct chain *ch = arg;
	struct block_header h;
	struct chain_entry *prev = NULL, *e;

	block_header_decode(row->header, &h);
	if (row->height > 0 && (prev = map_get(ch->index, h.prev_hash, 32)) == NULL)
		return 0;	/* an orphan row: its parent was never stored */
	if (map_get(ch->index, row->hash, 32) != NULL)
		return 0;
	/* Rows of a height come in arrival order: SEQ keeps ties as they were. */
	e = chain_entry_new(ch, &h, row->hash, prev);
	e->status = row->status;
	e->first_seen_ms = row->first_seen_ms;
	e->file = row->file;
	e->offset = row->offset;
	e->len = row->len;
	if (row->file < 0)
		e->status &= ~CHAIN_HAVE_DATA;
	e->linked = (e->status & CHAIN_HAVE_DATA) && (prev == NULL || prev->linked);
	return 0;
}

static int
chain_store_genesis(struct chain *ch, char *err, size_t errlen)
{
	struct block g;
	struct chain_entry *e;
	uint8_t hash[32];

	block_genesis(&g, ch->p);
	block_header_hash(&g.header, hash);
	if (memcmp(hash, ch->p->genesis.hash, 32) != 0) {
		block_free(&g);
		snprintf(err, errlen, "the genesis block does not hash to the network's genesis");
		return -1;
	}
	e = chain_entry_new(ch, &g.header, hash, NULL);
	e->first_seen_ms = clock_wall_ms();
	if (chain_store_block(ch, e, &g) != CHAIN_NEW) {
		block_free(&g);
		snprintf(err, errlen, "cannot store the genesis block");
		return -1;
	}
	block_free(&g);
	return 0;
}

struct chain *
chain_open(const struct chainparams *p, const char *dir, char *err, size_t errlen)
{
	struct chain *ch = xcalloc(1, sizeof(*ch));
	struct chain_entry *genesis, *path;

	ch->p = p;
	ch->index = map_new();
	if ((ch->bs = blockstore_open(dir, err, errlen)) == NULL)
		goto fail;
	if (blockstore_load(ch->bs, chain_load_row, ch, err, errlen) == -1)
		goto fail;
	genesis = map_get(ch->index, p->genesis.hash, 32);
	if (genesis == NULL && map_count(ch->index) > 0) {
		snprintf(err, errlen, "%s holds another network's chain", dir);
		goto fail;
	}
	if (genesis == NULL && chain_store_genesis(ch, err, errlen) == -1)
		goto fail;
	genesis = map_get(ch->index, p->genesis.hash, 32);
	if (!genesis->linked) {
		snprintf(err, errlen, "%s: the genesis block's bytes are missing", dir);
		goto fail;
	}
	/* Entries with data whose parents lack it wait for them. */
	{
		size_t pos = 0;
		void *v;
		while (map_next(ch->index, &pos, NULL, NULL, &v)) {
			struct chain_entry *e = v;
			if ((e->status & CHAIN_HAVE_DATA) && !e->linked)
				chain_link(ch, e);
		}
	}
	chain_find_best(ch);
	/* The active chain: the best linked entry's path, no listeners yet. */
	path = ch->best_linked != NULL ? ch->best_linked : genesis;
	ch->capactive = (size_t)path->height + 1024;
	ch->active = xcalloc(ch->capactive, sizeof(*ch->active));
	ch->nactive = (size_t)path->height + 1;
	for (struct chain_entry *e = path; e != NULL; e = e->prev)
		ch->active[e->height] = e;
	return ch;
fail:
	chain_close(ch);
	return NULL;
}

void
chain_close(struct chain *ch)
{
	size_t pos = 0;
	void *v;

	if (ch == NULL)
		return;
	if (ch->bs != NULL) {
		chain_sync(ch);
		blockstore_close(ch->bs);
	}
	while (map_next(ch->index, &pos, NULL, NULL, &v))
		free(v);
	map_free(ch->index);
	free(ch->active);
	free(ch->unlinked);
	free(ch);
}
