/* blockrelay.c -- headers-first sync and block relay: getheaders/headers, block inventory, block downloads.
 *
 * Per peer we remember the best header it has shown us (BEST_KNOWN), the
 * last block we share with it (LAST_COMMON, where the next download
 * search starts) and what we announced to it (BEST_SENT).  Which block is
 * being fetched from whom is one map, so each block is asked of one peer
 * at a time; a peer that leaves gives its requests back at once.
 * Getdata answers are served as the peer's send buffer drains, never
 * more than about a megabyte queued, so a request for many large blocks
 * cannot fill the send cap and get the peer dropped.
 *
 * High-bandwidth peers (BIP152's idea, with whole blocks for compact
 * ones): announcing by headers costs every hop a round trip more
 * (headers, getdata, block: three one-way trips instead of one), so we
 * ask the three peers that most recently delivered a new tip first to
 * push new blocks to us at once (sendhb), and push to whoever asked us.
 * The fastest paths are then one trip per hop; the price is up to three
 * copies of a block per node, the first of which counts. */
#include "blockrelay.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "clock.h"
#include "config.h"
#include "conn.h"
#include "connman.h"
#include "frame.h"
#include "log.h"
#include "map.h"
#include "msg.h"
#include "peer.h"
#include "peerman.h"
#include "u256.h"
#include "xmalloc.h"

const double blockrelay_delay_bounds[BLOCKRELAY_DELAY_BUCKETS - 1] = {
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};

/* Keep serving getdata while less than this is queued to the peer. */
#define BLOCKRELAY_SERVE_SENDQ	(1024 * 1024)

struct inflight {
	const struct chain_entry	*e;
	int64_t				 since_ms;	/* monotonic */
};

struct bpeer {
	bool			 data;
	const struct chain_entry *best_known;
	const struct chain_entry *last_common;
	const struct chain_entry *best_sent;
	int64_t			 getheaders_ms;	/* outstanding since; 0: none */
	unsigned		 unconnecting;
	struct inflight		 inflight[BLOCKRELAY_MAX_INFLIGHT];
	unsigned		 ninflight;
	uint8_t			(*serve)[32];	/* block hashes asked for, FIFO */
	size_t			 serve_head, serve_n;
	unsigned		 unsolicited;
	int64_t			 unsolicited_window_ms;
	bool			 hb_to;		/* we asked it to push blocks */
	bool			 hb_from;	/* it asked us to push blocks */
	int64_t			 hb_dropped_ms;	/* we stopped it pushing (monotonic) */
};

struct blockrelay {
	const struct config	*cfg;
	struct chain		*chain;
	struct connman		*cm;
	struct peerman		*pm;
	int			 slot;
	struct map		*inflight;	/* block hash -> peer id (as a pointer) */
	uint64_t		 hb[BLOCKRELAY_HB_PEERS];	/* ids we asked, oldest first */
	size_t			 nhb;
	struct blockrelay_stats	 stats;
};

/* --- helpers ------------------------------------------------------------------ */

static struct bpeer *
bpeer_of(const struct blockrelay *br, const struct peer *p)
{
	return peerman_state(br->pm, p, br->slot);
}

static bool
better(const struct chain_entry *a, const struct chain_entry *b)
{
	return b == NULL || u256_cmp(&a->work, &b->work) > 0;
}

/* Does the peer have E: is E an ancestor of (or equal to) what it showed? */
static bool
peer_has(const struct blockrelay *br, const struct bpeer *bp, const struct chain_entry *e)
{
	const struct chain_entry *k[2] = { bp->best_known, bp->best_sent };

	if (e->height == 0)
		return true;	/* every peer of the network has its genesis */
	for (int i = 0; i < 2; i++)
		if (k[i] != NULL && k[i]->height >= e->height &&
		    chain_ancestor(br->chain, k[i], e->height) == e)
			return true;
	return false;
}

static void
note_known(struct bpeer *bp, const struct chain_entry *e)
{
	if (better(e, bp->best_known))
		bp->best_known = e;
}

static void
send_getheaders(struct blockrelay *br, struct peer *p, struct bpeer *bp,
    const struct chain_entry *from, const uint8_t *stop)
{
	uint8_t loc[MSG_MAX_LOCATOR][32];
	size_t n = chain_locator(br->chain, from, loc, MSG_MAX_LOCATOR);
	struct msg m;

	msg_init(&m, MSG_GETHEADERS);
	if (msg_getheaders_set(&m, PROTO_VERSION, (const uint8_t (*)[32])loc, n, stop) == 0 &&
	    peerman_send(br->pm, p, &m) == 0)
		bp->getheaders_ms = clock_mono_ms();
	msg_free(&m);
}

static void
send_inv(struct blockrelay *br, struct peer *p, enum msg_type type, const struct msg_inv *inv,
    size_t n)
{
	struct msg m;

	if (n == 0)
		return;
	msg_init(&m, type);
	if (msg_inv_set(&m, type, inv, n) == 0)
		peerman_send(br->pm, p, &m);
	msg_free(&m);
}

/* The violation a failed block or header check stands for; false for a
 * failure that is no fault of the sender (a clock ahead of ours). */
static bool
violation_for(enum block_err why, enum rep_violation *kind)
{
	switch (why) {
	case BLOCK_ERR_TIME_TOO_NEW:
		return false;
	case BLOCK_ERR_BAD_TARGET:
	case BLOCK_ERR_HIGH_HASH:
		*kind = REP_BAD_POW;
		return true;
	default:
		*kind = REP_INVALID_BLOCK;
		return true;
	}
}

static void
punish(struct blockrelay *br, struct peer *p, enum chain_result r, enum block_err why,
    const char *what)
{
	enum rep_violation kind = REP_INVALID_BLOCK;
	char detail[96];

	br->stats.invalid++;
	if (r == CHAIN_BAD_PREV)
		snprintf(detail, sizeof(detail), "%s builds on an invalid block", what);
	else if (!violation_for(why, &kind))
		return;
	else
		snprintf(detail, sizeof(detail), "%s: %s", what, block_err_name(why));
	peerman_misbehaving(br->pm, p, kind, detail);
}

/* --- downloads ------------------------------------------------------------------ */

static void
inflight_drop(struct blockrelay *br, struct bpeer *bp, unsigned i)
{
	map_remove(br->inflight, bp->inflight[i].e->hash, 32);
	bp->inflight[i] = bp->inflight[--bp->ninflight];
}

/* Forget that P was asked for HASH; true if it was. */
static bool
inflight_take(struct blockrelay *br, struct bpeer *bp, const uint8_t hash[32])
{
	for (unsigned i = 0; i < bp->ninflight; i++)
		if (memcmp(bp->inflight[i].e->hash, hash, 32) == 0) {
			inflight_drop(br, bp, i);
			return true;
		}
	return false;
}

/* The last block on BEST_KNOWN's branch that we have linked and share. */
static void
update_last_common(struct blockrelay *br, struct bpeer *bp)
{
	const struct chain_entry *lc = bp->last_common, *tip = chain_tip(br->chain);
	int32_t h = bp->best_known->height < tip->height ? bp->best_known->height : tip->height;

	if (lc == NULL || lc->height > bp->best_known->height ||
	    chain_ancestor(br->chain, bp->best_known, lc->height) != lc) {
		/* Start from where the peer's branch meets ours. */
		lc = chain_ancestor(br->chain, bp->best_known, h);
		while (lc != NULL && chain_ancestor(br->chain, tip, lc->height) != lc)
			lc = lc->prev;
	}
	bp->last_common = lc;
}

/* Ask P for the next blocks on its best chain that nobody is fetching. */
static void
schedule(struct blockrelay *br, struct peer *p, struct bpeer *bp)
{
	const struct chain_entry *tip = chain_tip(br->chain);
	struct msg_inv req[BLOCKRELAY_MAX_INFLIGHT];
	size_t nreq = 0;
	int32_t end;
	bool contiguous = true;

	if (p->gone || !bp->data || bp->best_known == NULL)
		return;
	update_last_common(br, bp);
	if (bp->last_common == NULL || bp->ninflight >= BLOCKRELAY_MAX_INFLIGHT ||
	    u256_cmp(&bp->best_known->work, &tip->work) <= 0 ||
	    (bp->best_known->status & CHAIN_INVALID_ANY))
		return;
	end = tip->height + BLOCKRELAY_WINDOW;
	if (end > bp->best_known->height)
		end = bp->best_known->height;
	for (int32_t h = bp->last_common->height + 1; h <= end &&
	    bp->ninflight < BLOCKRELAY_MAX_INFLIGHT; h++) {
		const struct chain_entry *e = chain_ancestor(br->chain, bp->best_known, h);

		if (e->linked) {
			if (contiguous)
				bp->last_common = e;
			continue;
		}
		contiguous = false;
		if ((e->status & CHAIN_HAVE_DATA) || map_get(br->inflight, e->hash, 32) != NULL)
			continue;
		map_put(br->inflight, e->hash, 32, (void *)(uintptr_t)p->id);
		bp->inflight[bp->ninflight++] = (struct inflight){ e, clock_mono_ms() };
		req[nreq].type = MSG_INV_BLOCK;
		memcpy(req[nreq].hash, e->hash, 32);
		nreq++;
	}
	send_inv(br, p, MSG_GETDATA, req, nreq);
}

static void
schedule_all(struct blockrelay *br)
{
	for (struct peer *p = connman_peer_first(br->cm); p != NULL; p = connman_peer_next(p)) {
		struct bpeer *bp = bpeer_of(br, p);
		if (bp != NULL)
			schedule(br, p, bp);
	}
}

/* --- serving ---------------------------------------------------------------------- */

static void
serve(struct blockrelay *br, struct peer *p, struct bpeer *bp)
{
	struct msg_inv missing[64];
	size_t nmissing = 0;
	char err[256];

	while (bp->serve_n > 0 && !p->gone &&
	    connman_peer_sendq(br->cm, p) < BLOCKRELAY_SERVE_SENDQ) {
		const struct chain_entry *e = chain_find(br->chain, bp->serve[bp->serve_head]);
		struct block b;
		struct msg m;

		if (e != NULL && chain_read_block(br->chain, e, &b, err, sizeof(err)) == 0) {
			msg_init(&m, MSG_BLOCK);
			msg_block_take(&m, &b);
			if (peerman_send(br->pm, p, &m) == 0)
				br->stats.blocks_served++;
			msg_free(&m);
		} else {
			missing[nmissing].type = MSG_INV_BLOCK;
			memcpy(missing[nmissing].hash, bp->serve[bp->serve_head], 32);
			if (++nmissing == sizeof(missing) / sizeof(missing[0])) {
				send_inv(br, p, MSG_NOTFOUND, missing, nmissing);
				nmissing = 0;
			}
		}
		bp->serve_head = (bp->serve_head + 1) % BLOCKRELAY_MAX_SERVE;
		bp->serve_n--;
	}
	send_inv(br, p, MSG_NOTFOUND, missing, nmissing);
}

/* --- high-bandwidth peers -------------------------------------------------------------- */

static void
hb_send(struct blockrelay *br, struct peer *p, bool push)
{
	struct msg m;

	msg_sendhb_init(&m, push ? MSG_HB_PUSH : 0);
	peerman_send(br->pm, p, &m);
	msg_free(&m);
}

static void
hb_forget(struct blockrelay *br, size_t i)
{
	memmove(&br->hb[i], &br->hb[i + 1], (br->nhb - i - 1) * sizeof(br->hb[0]));
	br->nhb--;
}

/* P delivered a new tip first: make it one of our high-bandwidth peers.
 * BIP152's rule: the BLOCKRELAY_HB_PEERS that did so most recently, the
 * oldest making way, except that an inbound newcomer never displaces the
 * only outbound one (inbound peers alone must not hold every slot). */
static void
hb_select(struct blockrelay *br, struct peer *p, struct bpeer *bp)
{
	size_t victim = 0, nout = 0;
	struct peer *old;
	struct bpeer *ob;

	for (size_t i = 0; i < br->nhb; i++)
		if (br->hb[i] == p->id) {
			hb_forget(br, i);	/* to the young end */
			br->hb[br->nhb++] = p->id;
			return;
		}
	if (br->nhb == BLOCKRELAY_HB_PEERS) {
		for (size_t i = 0; i < br->nhb; i++) {
			old = connman_peer_find(br->cm, br->hb[i]);
			nout += old != NULL && old->dir == PEER_OUTBOUND;
		}
		old = connman_peer_find(br->cm, br->hb[0]);
		if (p->dir == PEER_INBOUND && nout == 1 && old != NULL &&
		    old->dir == PEER_OUTBOUND)
			victim = 1;
		if ((old = connman_peer_find(br->cm, br->hb[victim])) != NULL &&
		    (ob = bpeer_of(br, old)) != NULL) {
			ob->hb_to = false;
			ob->hb_dropped_ms = clock_mono_ms();
			if (!old->gone)
				hb_send(br, old, false);
		}
		hb_forget(br, victim);
	}
	br->hb[br->nhb++] = p->id;
	bp->hb_to = true;
	hb_send(br, p, true);
}

/* Does P push blocks to us, or did it until a moment ago (its last push
 * may have crossed our sendhb)? */
static bool
hb_pushes(const struct bpeer *bp, int64_t now_ms)
{
	return bp->hb_to || (bp->hb_dropped_ms != 0 &&
	    now_ms - bp->hb_dropped_ms < BLOCKRELAY_HB_GRACE_MS);
}

/* Push TIP whole to the peers that know its parent and asked for pushes
 * (while it is small enough for the extra copies to cost less than the
 * round trip they save), or to every such peer when we made TIP (generate,
 * submitblock): nobody else has it yet, so each of them would fetch it
 * from us anyway.  They are then counted as knowing TIP: no header follows. */
static void
hb_push(struct blockrelay *br, const struct chain_entry *tip)
{
	bool ours = tip->from_peer == 0 && tip->received_ms != 0;
	struct msg m;
	struct block b;
	bool have = false;
	char err[256];

	if (tip->prev == NULL || (!ours && tip->len > BLOCKRELAY_HB_PUSH_MAX))
		return;
	for (struct peer *p = connman_peer_first(br->cm); p != NULL; p = connman_peer_next(p)) {
		struct bpeer *bp = bpeer_of(br, p);

		if (bp == NULL || !bp->data || (!bp->hb_from && !ours) || p->gone ||
		    peer_has(br, bp, tip) || !peer_has(br, bp, tip->prev))
			continue;
		if (!have) {
			if (chain_read_block(br->chain, tip, &b, err, sizeof(err)) != 0) {
				log_warn("blocks", "cannot push block %d: %s", tip->height, err);
				return;
			}
			msg_init(&m, MSG_BLOCK);
			msg_block_take(&m, &b);
			have = true;
		}
		if (peerman_send(br->pm, p, &m) == 0) {
			br->stats.blocks_pushed++;
			bp->best_sent = tip;
		}
	}
	if (have)
		msg_free(&m);
}

/* --- messages ------------------------------------------------------------------------ */

static void
on_getheaders(struct blockrelay *br, struct peer *p, struct bpeer *bp, const struct msg *m)
{
	const struct msg_locator *l = &m->u.getheaders;
	const struct chain_entry *e = chain_fork_point(br->chain,
	    (const uint8_t (*)[32])l->hashes, l->count);
	static const uint8_t zero[32];
	struct block_header *h = xcalloc(MSG_MAX_HEADERS, sizeof(*h));
	const struct chain_entry *last = NULL;
	size_t n = 0;
	struct msg reply;

	for (e = chain_at(br->chain, e->height + 1); e != NULL && n < MSG_MAX_HEADERS;
	    e = chain_at(br->chain, e->height + 1)) {
		h[n++] = e->header;
		last = e;
		if (memcmp(l->stop, zero, 32) != 0 && memcmp(e->hash, l->stop, 32) == 0)
			break;
	}
	msg_init(&reply, MSG_HEADERS);
	if (msg_headers_set(&reply, h, n) == 0 && peerman_send(br->pm, p, &reply) == 0 &&
	    last != NULL && better(last, bp->best_sent))
		bp->best_sent = last;
	msg_free(&reply);
	free(h);
}

static void
on_getblocks(struct blockrelay *br, struct peer *p, const struct msg *m)
{
	const struct msg_locator *l = &m->u.getblocks;
	const struct chain_entry *e = chain_fork_point(br->chain,
	    (const uint8_t (*)[32])l->hashes, l->count);
	struct msg_inv inv[BLOCKRELAY_GETBLOCKS_MAX];
	size_t n = 0;

	for (e = chain_at(br->chain, e->height + 1); e != NULL && n < BLOCKRELAY_GETBLOCKS_MAX;
	    e = chain_at(br->chain, e->height + 1)) {
		inv[n].type = MSG_INV_BLOCK;
		memcpy(inv[n++].hash, e->hash, 32);
		if (memcmp(e->hash, l->stop, 32) == 0)
			break;
	}
	send_inv(br, p, MSG_INV, inv, n);
}

static void
on_headers(struct blockrelay *br, struct peer *p, struct bpeer *bp, const struct msg *m)
{
	const struct block_header *h = m->u.headers.headers;
	size_t n = m->u.headers.count;
	const struct chain_entry *last = NULL;
	struct chain_entry *e;
	enum chain_result r;
	enum block_err why;
	uint8_t prev[32];
	int64_t now = clock_wall();

	bp->getheaders_ms = 0;
	if (n == 0)
		return;
	for (size_t i = 1; i < n; i++) {
		block_header_hash(&h[i - 1], prev);
		if (memcmp(h[i].prev_hash, prev, 32) != 0) {
			peerman_misbehaving(br->pm, p, REP_UNCONNECTING_HEADERS,
			    "non-continuous headers sequence");
			return;
		}
	}
	if (chain_find(br->chain, h[0].prev_hash) == NULL) {
		/* A gap: ask from our best header; too many in a row is abuse. */
		if (++bp->unconnecting % BLOCKRELAY_MAX_UNCONNECTING == 0)
			peerman_misbehaving(br->pm, p, REP_UNCONNECTING_HEADERS,
			    "headers that do not connect");
		if (!p->gone)
			send_getheaders(br, p, bp, chain_best_header(br->chain), NULL);
		return;
	}
	bp->unconnecting = 0;
	for (size_t i = 0; i < n; i++) {
		r = chain_accept_header(br->chain, &h[i], now, p->id, &e, &why);
		if (r == CHAIN_NEW || r == CHAIN_DUPLICATE) {
			br->stats.headers_received += r == CHAIN_NEW;
			last = e;
			continue;
		}
		if (r == CHAIN_INVALID || r == CHAIN_BAD_PREV)
			punish(br, p, r, why, "header");
		break;
	}
	if (p->gone || last == NULL)
		return;
	note_known(bp, last);
	/* A full message means there is more. */
	if (n == MSG_MAX_HEADERS)
		send_getheaders(br, p, bp, last, NULL);
	schedule_all(br);
}

static void
on_inv(struct blockrelay *br, struct peer *p, struct bpeer *bp, const struct msg *m)
{
	const uint8_t *unknown = NULL;

	for (size_t i = 0; i < m->u.inv.count; i++) {
		const struct msg_inv *v = &m->u.inv.entries[i];
		const struct chain_entry *e;

		if (v->type != MSG_INV_BLOCK)
			continue;
		if ((e = chain_find(br->chain, v->hash)) != NULL)
			note_known(bp, e);
		else
			unknown = v->hash;
	}
	/* Learn the headers up to the newest block we lack (Core does the same). */
	if (unknown != NULL)
		send_getheaders(br, p, bp, chain_best_header(br->chain), unknown);
	else
		schedule(br, p, bp);
}

static void
on_getdata(struct blockrelay *br, struct peer *p, struct bpeer *bp, const struct msg *m)
{
	struct msg_inv refused[64];
	size_t nrefused = 0;

	for (size_t i = 0; i < m->u.inv.count; i++) {
		const struct msg_inv *v = &m->u.inv.entries[i];

		if (v->type != MSG_INV_BLOCK)
			continue;
		if (bp->serve_n == BLOCKRELAY_MAX_SERVE) {
			refused[nrefused++] = *v;
			if (nrefused == sizeof(refused) / sizeof(refused[0])) {
				send_inv(br, p, MSG_NOTFOUND, refused, nrefused);
				nrefused = 0;
			}
			continue;
		}
		memcpy(bp->serve[(bp->serve_head + bp->serve_n) % BLOCKRELAY_MAX_SERVE], v->hash, 32);
		bp->serve_n++;
	}
	send_inv(br, p, MSG_NOTFOUND, refused, nrefused);
	serve(br, p, bp);
}

/* The peer lacks a block it led us to expect: stop asking it for that
 * branch (its best known falls back below the block), let others serve. */
static void
on_notfound(struct blockrelay *br, struct peer *p, struct bpeer *bp, const struct msg *m)
{
	bool freed = false;

	(void)p;
	for (size_t i = 0; i < m->u.inv.count; i++) {
		const struct chain_entry *e;

		if (m->u.inv.entries[i].type != MSG_INV_BLOCK ||
		    !inflight_take(br, bp, m->u.inv.entries[i].hash))
			continue;
		freed = true;
		e = chain_find(br->chain, m->u.inv.entries[i].hash);
		if (e != NULL && bp->best_known != NULL && bp->best_known->height >= e->height &&
		    chain_ancestor(br->chain, bp->best_known, e->height) == e)
			bp->best_known = e->prev;
	}
	if (freed)
		schedule_all(br);
}

static void
note_delay(struct blockrelay *br, const struct block *b)
{
	double d = (double)(clock_wall_ms() - (int64_t)b->header.time * 1000) / 1000.0;

	if (d < 0)
		d = 0;	/* its maker's clock runs ahead of ours */
	for (int i = 0; i < BLOCKRELAY_DELAY_BUCKETS; i++)
		if (i == BLOCKRELAY_DELAY_BUCKETS - 1 || d <= blockrelay_delay_bounds[i])
			br->stats.delay_le[i]++;
	br->stats.delay_sum += d;
	br->stats.delay_count++;
}

/* A block nobody asked for is welcome as a new tip (a push, or a block its
 * maker sends everyone): even in initial block download, since one that
 * extends our tip ends it, and each costs its sender the proof of work.
 * Any other one counts, and beyond a few a minute it is a flood. */
static bool
unsolicited_ok(struct blockrelay *br, struct peer *p, struct bpeer *bp, const struct block *b)
{
	int64_t now = clock_mono_ms();

	if (memcmp(b->header.prev_hash, chain_tip(br->chain)->hash, 32) == 0)
		return true;
	if (now - bp->unsolicited_window_ms > 60000) {
		bp->unsolicited_window_ms = now;
		bp->unsolicited = 0;
	}
	if (++bp->unsolicited == BLOCKRELAY_UNSOLICITED_PER_MINUTE + 1)
		peerman_misbehaving(br->pm, p, REP_UNSOLICITED_BLOCK,
		    "blocks nobody asked for");
	return false;
}

static void
on_block(struct blockrelay *br, struct peer *p, struct bpeer *bp, const struct msg *m)
{
	const struct block *b = &m->u.block;
	struct chain_entry *e;
	enum chain_result r;
	enum block_err why;
	uint8_t hash[32];

	block_header_hash(&b->header, hash);
	if (!inflight_take(br, bp, hash)) {
		const struct chain_entry *k = chain_find(br->chain, hash);

		/* A high-bandwidth peer's copy of a block another brought first. */
		if (hb_pushes(bp, clock_mono_ms()) && k != NULL && (k->status & CHAIN_HAVE_DATA)) {
			br->stats.blocks_duplicate++;
			note_known(bp, k);
			return;
		}
		if (!unsolicited_ok(br, p, bp, b))
			return;
	}
	r = chain_accept_block(br->chain, b, clock_wall(), p->id, &e, &why);
	switch (r) {
	case CHAIN_NEW:
		br->stats.blocks_received++;
		note_delay(br, b);
		note_known(bp, e);
		if (e == chain_tip(br->chain) && !chain_is_ibd(br->chain, clock_wall()))
			hb_select(br, p, bp);
		break;
	case CHAIN_DUPLICATE:
		br->stats.blocks_duplicate++;
		note_known(bp, e);
		break;
	case CHAIN_ORPHAN:
		send_getheaders(br, p, bp, chain_best_header(br->chain), hash);
		break;
	case CHAIN_INVALID:
	case CHAIN_BAD_PREV:
		/* Its frame checksum was skipped: a corrupted frame is a bad
		 * checksum, not an invalid block. */
		if (m->checksum_deferred && !frame_checksum_ok(b->data, b->len, m->checksum))
			peerman_misbehaving(br->pm, p, REP_BAD_CHECKSUM, "block frame checksum");
		else
			punish(br, p, r, why, "block");
		break;
	default:
		break;
	}
	schedule_all(br);
}

/* --- handler callbacks ------------------------------------------------------------------ */

static void *
br_peer_new(void *ctx, struct peer *p)
{
	struct blockrelay *br = ctx;
	struct bpeer *bp = xcalloc(1, sizeof(*bp));
	struct peerman_view v;

	bp->data = peerman_view(br->pm, p, &v) && v.remote->version >= PROTO_DATA_VERSION;
	if (bp->data)
		bp->serve = xcalloc(BLOCKRELAY_MAX_SERVE, sizeof(*bp->serve));
	return bp;
}

static void
br_peer_gone(void *ctx, struct peer *p, void *st)
{
	struct blockrelay *br = ctx;
	struct bpeer *bp = st;

	while (bp->ninflight > 0)
		inflight_drop(br, bp, 0);
	for (size_t i = 0; i < br->nhb; i++)
		if (br->hb[i] == p->id) {
			hb_forget(br, i);
			break;
		}
	schedule_all(br);
}

static void
br_peer_free(void *ctx, struct peer *p, void *st)
{
	struct bpeer *bp = st;

	(void)ctx;
	(void)p;
	free(bp->serve);
	free(bp);
}

static void
br_peer_active(void *ctx, struct peer *p, void *st)
{
	struct blockrelay *br = ctx;
	struct bpeer *bp = st;

	if (!bp->data)
		return;
	/* Headers first, from whoever we meet: an empty answer costs little. */
	send_getheaders(br, p, bp, chain_best_header(br->chain), NULL);
}

static void
br_peer_tick(void *ctx, struct peer *p, void *st, int64_t now_ms)
{
	struct blockrelay *br = ctx;
	struct bpeer *bp = st;
	int32_t next = chain_tip(br->chain)->height + 1;
	char why[96];

	if (!bp->data)
		return;
	for (unsigned i = 0; i < bp->ninflight; i++) {
		int64_t age = now_ms - bp->inflight[i].since_ms;
		bool stalls = bp->inflight[i].e->height == next &&
		    chain_unlinked_count(br->chain) > 0 && age > BLOCKRELAY_STALL_MS;

		if (stalls || age > BLOCKRELAY_TIMEOUT_MS) {
			snprintf(why, sizeof(why), "%s block %d for %lld ms",
			    stalls ? "stalling the download at" : "did not deliver",
			    bp->inflight[i].e->height, (long long)age);
			br->stats.stallers += stalls;
			connman_disconnect(br->cm, p, why, false);
			return;
		}
	}
	if (bp->getheaders_ms != 0 && now_ms - bp->getheaders_ms > BLOCKRELAY_TIMEOUT_MS)
		bp->getheaders_ms = 0;
	schedule(br, p, bp);
}

static void
br_message(void *ctx, struct peer *p, void *st, const struct msg *m)
{
	struct blockrelay *br = ctx;
	struct bpeer *bp = st;

	if (!bp->data)
		return;		/* an older peer sent what it does not speak */
	switch (m->type) {
	case MSG_GETHEADERS: on_getheaders(br, p, bp, m); break;
	case MSG_HEADERS: on_headers(br, p, bp, m); break;
	case MSG_GETBLOCKS: on_getblocks(br, p, m); break;
	case MSG_INV: on_inv(br, p, bp, m); break;
	case MSG_GETDATA: on_getdata(br, p, bp, m); break;
	case MSG_NOTFOUND: on_notfound(br, p, bp, m); break;
	case MSG_BLOCK: on_block(br, p, bp, m); break;
	case MSG_SENDHB: bp->hb_from = (m->u.hbflags & MSG_HB_PUSH) != 0; break;
	default: break;
	}
}

static void
br_drained(void *ctx, struct peer *p, void *st)
{
	struct bpeer *bp = st;

	if (bp->data && bp->serve_n > 0)
		serve(ctx, p, bp);
}

/* --- announcing a new tip ----------------------------------------------------------------- */

static void
announce(struct blockrelay *br, struct peer *p, struct bpeer *bp, const struct chain_entry *tip)
{
	struct block_header h[BLOCKRELAY_ANNOUNCE_HEADERS];
	const struct chain_entry *e = tip;
	size_t n = 0;
	struct msg m;

	if (peer_has(br, bp, tip))
		return;
	while (e != NULL && n < BLOCKRELAY_ANNOUNCE_HEADERS && !peer_has(br, bp, e))
		e = e->prev, n++;
	br->stats.announcements++;
	if (e != NULL && peer_has(br, bp, e)) {
		/* It knows the parent of the first: the headers connect. */
		const struct chain_entry *x = tip;
		for (size_t i = n; i > 0; i--, x = x->prev)
			h[i - 1] = x->header;
		msg_init(&m, MSG_HEADERS);
		if (msg_headers_set(&m, h, n) == 0)
			peerman_send(br->pm, p, &m);
		msg_free(&m);
	} else {
		struct msg_inv v = { .type = MSG_INV_BLOCK };
		memcpy(v.hash, tip->hash, 32);
		send_inv(br, p, MSG_INV, &v, 1);
	}
	bp->best_sent = tip;
}

static void
br_tip(void *arg, const struct chain_entry *tip)
{
	struct blockrelay *br = arg;

	peerman_set_height(br->pm, tip->height);
	hb_push(br, tip);	/* first: it is what the fastest paths wait for */
	for (struct peer *p = connman_peer_first(br->cm); p != NULL; p = connman_peer_next(p)) {
		struct bpeer *bp = bpeer_of(br, p);
		if (bp != NULL && bp->data && !p->gone)
			announce(br, p, bp, tip);
	}
}

/* --- set-up and queries -------------------------------------------------------------------- */

struct blockrelay *
blockrelay_new(const struct blockrelay_opts *o)
{
	struct blockrelay *br = xcalloc(1, sizeof(*br));
	struct peer_handler h = {
		.name = "blocks",
		.ctx = br,
		.types = (UINT64_C(1) << MSG_GETHEADERS) | (UINT64_C(1) << MSG_HEADERS) |
		    (UINT64_C(1) << MSG_GETBLOCKS) | (UINT64_C(1) << MSG_INV) |
		    (UINT64_C(1) << MSG_GETDATA) | (UINT64_C(1) << MSG_NOTFOUND) |
		    (UINT64_C(1) << MSG_BLOCK) | (UINT64_C(1) << MSG_SENDHB),
		.peer_new = br_peer_new,
		.peer_gone = br_peer_gone,
		.peer_free = br_peer_free,
		.peer_active = br_peer_active,
		.peer_tick = br_peer_tick,
		.message = br_message,
		.drained = br_drained,
	};
	struct chain_listener l = { .arg = br, .tip = br_tip };

	br->cfg = o->cfg;
	br->chain = o->chain;
	br->cm = o->connman;
	br->pm = o->peerman;
	br->inflight = map_new();
	if ((br->slot = peerman_add_handler(br->pm, &h)) == -1) {
		map_free(br->inflight);
		free(br);
		return NULL;
	}
	chain_add_listener(br->chain, &l);
	peerman_set_height(br->pm, chain_tip(br->chain)->height);
	return br;
}

void
blockrelay_free(struct blockrelay *br)
{
	if (br == NULL)
		return;
	map_free(br->inflight);
	free(br);
}

void
blockrelay_peer_stats(const struct blockrelay *br, const struct peer *p,
    struct blockrelay_peer_stats *out)
{
	const struct bpeer *bp = bpeer_of(br, p);

	memset(out, 0, sizeof(*out));
	out->synced_headers = out->synced_blocks = -1;
	if (bp == NULL)
		return;
	out->data = bp->data;
	out->inflight = bp->ninflight;
	out->hb_to = bp->hb_to;
	out->hb_from = bp->hb_from;
	if (bp->best_known != NULL) {
		const struct chain_entry *tip = chain_tip(br->chain), *lc;
		int32_t h = bp->best_known->height < tip->height ? bp->best_known->height :
		    tip->height;

		out->synced_headers = bp->best_known->height;
		/* Where the peer's best chain meets our active one, worked out
		 * now: last_common only moves while blocks are fetched from this
		 * peer, so a peer that relays nothing new stayed a block behind. */
		lc = chain_ancestor(br->chain, bp->best_known, h);
		while (lc != NULL && chain_ancestor(br->chain, tip, lc->height) != lc)
			lc = lc->prev;
		if (lc != NULL)
			out->synced_blocks = lc->height;
	}
}

void
blockrelay_stats(const struct blockrelay *br, struct blockrelay_stats *out)
{
	*out = br->stats;
}
