/* txrelay.c -- transaction relay: announcements on Poisson timers, one-announcer-at-a-time fetching, the mempool.
 *
 * Each peer has a queue of transactions to announce and a rolling filter
 * of what it already knows (it told us, or we told it), so a transaction
 * crosses each link about once.  Requests are one map by txid: who is
 * being asked now, since when, and who else announced it.  Confirmed and
 * refused transactions go into a rolling filter so that nobody makes us
 * fetch them again. */
#include "txrelay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "chain.h"
#include "clock.h"
#include "config.h"
#include "connman.h"
#include "log.h"
#include "map.h"
#include "mempool.h"
#include "msg.h"
#include "peer.h"
#include "peerman.h"
#include "rnd.h"
#include "rollbloom.h"
#include "xmalloc.h"

#define TXRELAY_QUEUE_MAX	10000	/* waiting announcements per peer */
#define TXRELAY_KNOWN		25000	/* per-peer filter generation */
#define TXRELAY_ANNOUNCERS	8	/* remembered per requested transaction */

struct tpeer {
	bool			 data;
	bool			 outbound;
	struct rollbloom	*known;
	uint8_t			(*queue)[32];	/* to announce, FIFO ring */
	size_t			 qhead, qn;
	int64_t			 next_send_ms;	/* outbound peers' own timer */
	unsigned		 tracked;	/* its announcements we track */
	unsigned		 inflight;	/* our requests to it */
};

struct txreq {
	uint8_t		 txid[32];
	uint64_t	 asked;		/* peer id asked now; 0: nobody yet */
	int64_t		 asked_ms;
	uint64_t	 announcers[TXRELAY_ANNOUNCERS];
	unsigned	 n;
};

struct txrelay {
	const struct config	*cfg;
	struct chain		*chain;
	struct mempool		*mp;
	struct connman		*cm;
	struct peerman		*pm;
	int			 slot;
	struct map		*requests;	/* txid -> struct txreq * */
	struct rollbloom	*recent;	/* confirmed or refused */
	int64_t			 next_inbound_ms;	/* the inbound peers' shared timer */
	struct txrelay_stats	 stats;
};

static struct tpeer *
tpeer_of(const struct txrelay *tr, const struct peer *p)
{
	return peerman_state(tr->pm, p, tr->slot);
}

/* An exponentially distributed delay of mean MEAN_MS: announcements at
 * the times of a Poisson process, so their timing tells a spy nothing. */
static int64_t
poisson_ms(int64_t mean_ms)
{
	double u = ((double)rnd_uniform(1u << 30) + 1.0) / (double)(1u << 30);

	return (int64_t)(-log(u) * (double)mean_ms);
}

static bool
txrelay_have(const struct txrelay *tr, const uint8_t txid[32])
{
	return mempool_has(tr->mp, txid) || rollbloom_contains(tr->recent, txid);
}

static void
send_inv(struct txrelay *tr, struct peer *p, enum msg_type type, const struct msg_inv *inv,
    size_t n)
{
	struct msg m;
	struct wbuf w;

	if (n == 0)
		return;
	msg_init(&m, type);
	if (msg_inv_set(&m, type, inv, n) == 0 && peerman_send(tr->pm, p, &m) == 0 &&
	    type == MSG_INV) {
		wbuf_init(&w);
		msg_encode(&m, &w);
		tr->stats.announce_bytes += w.len + 13;	/* payload + frame header */
		wbuf_free(&w);
		tr->stats.announced += n;
	}
	msg_free(&m);
}

/* Queue TXID for announcement to every data peer that does not know it
 * (EXCEPT: the peer it came from, or NULL). */
static void
txrelay_queue_all(struct txrelay *tr, const uint8_t txid[32], const struct peer *except)
{
	for (struct peer *p = connman_peer_first(tr->cm); p != NULL; p = connman_peer_next(p)) {
		struct tpeer *tp = tpeer_of(tr, p);

		if (tp == NULL || !tp->data || p == except || rollbloom_contains(tp->known, txid))
			continue;
		if (tp->qn == TXRELAY_QUEUE_MAX) {	/* the oldest goes */
			tp->qhead = (tp->qhead + 1) % TXRELAY_QUEUE_MAX;
			tp->qn--;
		}
		memcpy(tp->queue[(tp->qhead + tp->qn) % TXRELAY_QUEUE_MAX], txid, 32);
		tp->qn++;
	}
}

/* --- requests ---------------------------------------------------------------- */

static void
txreq_drop(struct txrelay *tr, struct txreq *rq)
{
	struct peer *p;
	struct tpeer *tp;

	for (unsigned i = 0; i < rq->n; i++)
		if ((p = connman_peer_find(tr->cm, rq->announcers[i])) != NULL &&
		    (tp = tpeer_of(tr, p)) != NULL && tp->tracked > 0)
			tp->tracked--;
	if (rq->asked != 0 && (p = connman_peer_find(tr->cm, rq->asked)) != NULL &&
	    (tp = tpeer_of(tr, p)) != NULL && tp->inflight > 0)
		tp->inflight--;
	map_remove(tr->requests, rq->txid, 32);
	free(rq);
}

/* Forget announcer ID (it left, said notfound, or timed out). */
static void
txreq_forget(struct txrelay *tr, struct txreq *rq, uint64_t id)
{
	struct peer *p = connman_peer_find(tr->cm, id);
	struct tpeer *tp = p != NULL ? tpeer_of(tr, p) : NULL;

	for (unsigned i = 0; i < rq->n; i++)
		if (rq->announcers[i] == id) {
			/* Keep the order: announcers are asked first come, first. */
			memmove(&rq->announcers[i], &rq->announcers[i + 1],
			    (rq->n - i - 1) * sizeof(rq->announcers[0]));
			rq->n--;
			if (tp != NULL && tp->tracked > 0)
				tp->tracked--;
			break;
		}
	if (rq->asked == id) {
		rq->asked = 0;
		if (tp != NULL && tp->inflight > 0)
			tp->inflight--;
	}
}

/* Ask the first announcer that has room; the getdata goes out batched. */
static void
txreq_assign(struct txrelay *tr, struct txreq *rq, int64_t now)
{
	for (unsigned i = 0; i < rq->n; i++) {
		struct peer *p = connman_peer_find(tr->cm, rq->announcers[i]);
		struct tpeer *tp = p != NULL ? tpeer_of(tr, p) : NULL;
		struct msg_inv v = { .type = MSG_INV_TX };

		if (tp == NULL || tp->inflight >= TXRELAY_MAX_INFLIGHT)
			continue;
		rq->asked = p->id;
		rq->asked_ms = now;
		tp->inflight++;
		memcpy(v.hash, rq->txid, 32);
		send_inv(tr, p, MSG_GETDATA, &v, 1);
		tr->stats.requested++;
		return;
	}
}

static void
on_inv(struct txrelay *tr, struct peer *p, struct tpeer *tp, const struct msg *m)
{
	int64_t now = clock_mono_ms();

	for (size_t i = 0; i < m->u.inv.count; i++) {
		const struct msg_inv *v = &m->u.inv.entries[i];
		struct txreq *rq;

		if (v->type != MSG_INV_TX)
			continue;
		rollbloom_insert(tp->known, v->hash);
		if (txrelay_have(tr, v->hash) || tp->tracked >= TXRELAY_MAX_ANNOUNCEMENTS)
			continue;
		if ((rq = map_get(tr->requests, v->hash, 32)) == NULL) {
			rq = xcalloc(1, sizeof(*rq));
			memcpy(rq->txid, v->hash, 32);
			map_put(tr->requests, rq->txid, 32, rq);
		}
		if (rq->n == TXRELAY_ANNOUNCERS)
			continue;
		rq->announcers[rq->n++] = p->id;
		tp->tracked++;
		if (rq->asked == 0)
			txreq_assign(tr, rq, now);
	}
}

static void
on_tx(struct txrelay *tr, struct peer *p, struct tpeer *tp, const struct msg *m)
{
	uint8_t txid[32];
	struct txreq *rq;
	enum mempool_result r;

	block_txid(m->u.tx.data, m->u.tx.len, txid);
	rollbloom_insert(tp->known, txid);
	if ((rq = map_get(tr->requests, txid, 32)) != NULL)
		txreq_drop(tr, rq);
	if (txrelay_have(tr, txid))
		return;
	r = mempool_add(tr->mp, m->u.tx.data, m->u.tx.len, clock_wall_ms(), txid);
	if (r == MEMPOOL_ADDED) {
		tr->stats.received++;
		txrelay_queue_all(tr, txid, p);
	} else if (r == MEMPOOL_TOO_LARGE) {
		rollbloom_insert(tr->recent, txid);
	}
}

static void
on_getdata(struct txrelay *tr, struct peer *p, const struct msg *m)
{
	struct msg_inv missing[64];
	size_t nmissing = 0;

	for (size_t i = 0; i < m->u.inv.count && !p->gone; i++) {
		const struct msg_inv *v = &m->u.inv.entries[i];
		const uint8_t *tx;
		size_t len;
		struct msg reply;

		if (v->type != MSG_INV_TX)
			continue;
		if ((tx = mempool_get(tr->mp, v->hash, &len)) == NULL) {
			missing[nmissing++] = *v;
			if (nmissing == sizeof(missing) / sizeof(missing[0])) {
				send_inv(tr, p, MSG_NOTFOUND, missing, nmissing);
				nmissing = 0;
			}
			continue;
		}
		msg_init(&reply, MSG_TX);
		if (msg_opaque_set(&reply, MSG_TX, tx, len) == 0)
			peerman_send(tr->pm, p, &reply);
		msg_free(&reply);
	}
	send_inv(tr, p, MSG_NOTFOUND, missing, nmissing);
}

static void
on_notfound(struct txrelay *tr, struct peer *p, const struct msg *m)
{
	int64_t now = clock_mono_ms();

	for (size_t i = 0; i < m->u.inv.count; i++) {
		struct txreq *rq;

		if (m->u.inv.entries[i].type != MSG_INV_TX ||
		    (rq = map_get(tr->requests, m->u.inv.entries[i].hash, 32)) == NULL)
			continue;
		txreq_forget(tr, rq, p->id);
		if (rq->n == 0)
			txreq_drop(tr, rq);
		else if (rq->asked == 0)
			txreq_assign(tr, rq, now);
	}
}

/* --- announcing ------------------------------------------------------------------ */

static void
announce(struct txrelay *tr, struct peer *p, struct tpeer *tp)
{
	struct msg_inv *inv;
	size_t n = 0;

	if (tp->qn == 0)
		return;
	inv = xcalloc(TXRELAY_MAX_INV, sizeof(*inv));
	while (tp->qn > 0 && n < TXRELAY_MAX_INV) {
		const uint8_t *txid = tp->queue[tp->qhead];

		tp->qhead = (tp->qhead + 1) % TXRELAY_QUEUE_MAX;
		tp->qn--;
		if (rollbloom_contains(tp->known, txid) || !mempool_has(tr->mp, txid))
			continue;
		rollbloom_insert(tp->known, txid);
		inv[n].type = MSG_INV_TX;
		memcpy(inv[n++].hash, txid, 32);
	}
	send_inv(tr, p, MSG_INV, inv, n);
	free(inv);
}

void
txrelay_tick(struct txrelay *tr, int64_t now_ms)
{
	bool inbound_due = now_ms >= tr->next_inbound_ms;
	size_t pos = 0, nstale = 0;
	struct txreq **stale;
	void *v;

	for (struct peer *p = connman_peer_first(tr->cm); p != NULL; p = connman_peer_next(p)) {
		struct tpeer *tp = tpeer_of(tr, p);

		if (tp == NULL || !tp->data)
			continue;
		if (tp->outbound && now_ms >= tp->next_send_ms) {
			announce(tr, p, tp);
			tp->next_send_ms = now_ms + poisson_ms(TXRELAY_OUTBOUND_INTERVAL_MS);
		} else if (!tp->outbound && inbound_due) {
			announce(tr, p, tp);
		}
	}
	if (inbound_due)
		tr->next_inbound_ms = now_ms + poisson_ms(TXRELAY_INBOUND_INTERVAL_MS);
	/* Requests: time out the one asked, try the next announcer. */
	stale = xcalloc(map_count(tr->requests) + 1, sizeof(*stale));
	while (map_next(tr->requests, &pos, NULL, NULL, &v)) {
		struct txreq *rq = v;
		if (rq->asked == 0 || now_ms - rq->asked_ms > TXRELAY_REQUEST_TIMEOUT_MS)
			stale[nstale++] = rq;
	}
	for (size_t i = 0; i < nstale; i++) {
		struct txreq *rq = stale[i];
		if (rq->asked != 0)
			txreq_forget(tr, rq, rq->asked);
		if (rq->n == 0)
			txreq_drop(tr, rq);
		else
			txreq_assign(tr, rq, now_ms);
	}
	free(stale);
}

/* --- handler callbacks -------------------------------------------------------------- */

static void *
tr_peer_new(void *ctx, struct peer *p)
{
	struct txrelay *tr = ctx;
	struct tpeer *tp = xcalloc(1, sizeof(*tp));
	struct peerman_view v;

	tp->data = peerman_view(tr->pm, p, &v) && v.remote->version >= PROTO_DATA_VERSION &&
	    p->kind != PEER_FEELER;
	tp->outbound = p->dir == PEER_OUTBOUND;
	if (tp->data) {
		tp->known = rollbloom_new(TXRELAY_KNOWN, 0.000001);
		tp->queue = xcalloc(TXRELAY_QUEUE_MAX, sizeof(*tp->queue));
		tp->next_send_ms = clock_mono_ms() + poisson_ms(TXRELAY_OUTBOUND_INTERVAL_MS);
	}
	return tp;
}

static void
tr_peer_gone(void *ctx, struct peer *p, void *st)
{
	struct txrelay *tr = ctx;
	size_t pos = 0, nempty = 0;
	struct txreq **empty;
	void *v;

	(void)st;
	empty = xcalloc(map_count(tr->requests) + 1, sizeof(*empty));
	while (map_next(tr->requests, &pos, NULL, NULL, &v)) {
		struct txreq *rq = v;
		txreq_forget(tr, rq, p->id);
		if (rq->n == 0)
			empty[nempty++] = rq;
	}
	for (size_t i = 0; i < nempty; i++)
		txreq_drop(tr, empty[i]);
	free(empty);
}

static void
tr_peer_free(void *ctx, struct peer *p, void *st)
{
	struct tpeer *tp = st;

	(void)ctx;
	(void)p;
	rollbloom_free(tp->known);
	free(tp->queue);
	free(tp);
}

static void
tr_message(void *ctx, struct peer *p, void *st, const struct msg *m)
{
	struct txrelay *tr = ctx;
	struct tpeer *tp = st;

	if (!tp->data)
		return;
	/* Blocks only: peers' transactions are neither fetched nor taken. */
	if (tr->cfg != NULL && tr->cfg->node.blocks_only &&
	    (m->type == MSG_INV || m->type == MSG_TX))
		return;
	switch (m->type) {
	case MSG_INV: on_inv(tr, p, tp, m); break;
	case MSG_TX: on_tx(tr, p, tp, m); break;
	case MSG_GETDATA: on_getdata(tr, p, m); break;
	case MSG_NOTFOUND: on_notfound(tr, p, m); break;
	default: break;
	}
}

/* --- the chain: confirmed transactions leave, disconnected ones return ---------------------- */

static void
tr_block_connected(void *arg, const struct chain_entry *e, const struct block *b,
    const uint8_t (*txids)[32])
{
	struct txrelay *tr = arg;

	(void)e;
	for (size_t i = 0; i < b->tx_count; i++) {
		struct txreq *rq;

		mempool_remove(tr->mp, txids[i]);
		rollbloom_insert(tr->recent, txids[i]);
		if ((rq = map_get(tr->requests, txids[i], 32)) != NULL)
			txreq_drop(tr, rq);
	}
}

static void
tr_block_disconnected(void *arg, const struct chain_entry *e, const struct block *b,
    const uint8_t (*txids)[32])
{
	struct txrelay *tr = arg;
	uint8_t txid[32];

	(void)e;
	(void)txids;
	/* The first transaction is the block's own (its maker's); the rest
	 * wait for the next block again. */
	for (size_t i = 1; i < b->tx_count; i++) {
		size_t len;
		const uint8_t *tx = block_tx_bytes(b, i, &len);
		mempool_add(tr->mp, tx, len, clock_wall_ms(), txid);
	}
	/* They were confirmed a moment ago; the filter cannot forget one
	 * entry, so it forgets all (a few refetches at worst). */
	if (b->tx_count > 1)
		rollbloom_reset(tr->recent);
}

/* --- set-up and queries ---------------------------------------------------------------- */

int
txrelay_submit(struct txrelay *tr, const uint8_t *tx, size_t len, uint8_t txid[32], char *err,
    size_t errlen)
{
	enum mempool_result r;

	if (len < BLOCK_TX_MIN_SIZE || len > BLOCK_TX_MAX_SIZE) {
		snprintf(err, errlen, "a transaction is %d to %d bytes, not %zu", BLOCK_TX_MIN_SIZE,
		    BLOCK_TX_MAX_SIZE, len);
		return -1;
	}
	block_txid(tx, len, txid);
	if (rollbloom_contains(tr->recent, txid) && !mempool_has(tr->mp, txid)) {
		snprintf(err, errlen, "transaction already in a block (or refused) recently");
		return -1;
	}
	r = mempool_add(tr->mp, tx, len, clock_wall_ms(), txid);
	if (r == MEMPOOL_TOO_LARGE) {
		snprintf(err, errlen, "transaction larger than the whole mempool");
		return -1;
	}
	txrelay_queue_all(tr, txid, NULL);
	return 0;
}

struct txrelay *
txrelay_new(const struct txrelay_opts *o)
{
	struct txrelay *tr = xcalloc(1, sizeof(*tr));
	struct peer_handler h = {
		.name = "transactions",
		.ctx = tr,
		.types = (UINT64_C(1) << MSG_INV) | (UINT64_C(1) << MSG_TX) |
		    (UINT64_C(1) << MSG_GETDATA) | (UINT64_C(1) << MSG_NOTFOUND),
		.peer_new = tr_peer_new,
		.peer_gone = tr_peer_gone,
		.peer_free = tr_peer_free,
		.message = tr_message,
	};
	struct chain_listener l = { .arg = tr, .connected = tr_block_connected,
	    .disconnected = tr_block_disconnected };

	tr->cfg = o->cfg;
	tr->chain = o->chain;
	tr->mp = o->mempool;
	tr->cm = o->connman;
	tr->pm = o->peerman;
	tr->requests = map_new();
	tr->recent = rollbloom_new(TXRELAY_RECENT, 0.000001);
	if ((tr->slot = peerman_add_handler(tr->pm, &h)) == -1) {
		txrelay_free(tr);
		return NULL;
	}
	chain_add_listener(tr->chain, &l);
	return tr;
}

void
txrelay_free(struct txrelay *tr)
{
	size_t pos = 0;
	void *v;

	if (tr == NULL)
		return;
	while (map_next(tr->requests, &pos, NULL, NULL, &v))
		free(v);
	map_free(tr->requests);
	rollbloom_free(tr->recent);
	free(tr);
}

void
txrelay_stats(const struct txrelay *tr, struct txrelay_stats *out)
{
	*out = tr->stats;
}
