/* txrelay.h -- transaction relay: announcements on Poisson timers, one-announcer-at-a-time fetching, the mempool.
 *
 * A handler behind peerman's handshake gate for peers of protocol
 * PROTO_DATA_VERSION or later.  New transactions are announced by inv,
 * batched on randomised (Poisson) timers: about every 2 s to each
 * outbound peer, every 5 s to inbound peers on one shared timer (Bitcoin
 * Core's numbers; shared so that inbound spies cannot time us).  An
 * announced transaction is fetched from one announcer at a time; if it
 * has not come within 60 s the next announcer is asked.  A peer may have
 * at most 5,000 announcements tracked and 100 requests in flight. */
#ifndef AGENTCHAIN_TXRELAY_H
#define AGENTCHAIN_TXRELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chain;
struct config;
struct connman;
struct mempool;
struct peer;
struct peerman;
struct txrelay;

#define TXRELAY_OUTBOUND_INTERVAL_MS	2000
#define TXRELAY_INBOUND_INTERVAL_MS	5000
#define TXRELAY_REQUEST_TIMEOUT_MS	60000
#define TXRELAY_MAX_ANNOUNCEMENTS	5000	/* tracked per peer (Core) */
#define TXRELAY_MAX_INFLIGHT		100	/* requests per peer (Core) */
#define TXRELAY_MAX_INV			1000	/* entries per inv we send (Core: INVENTORY_BROADCAST_MAX) */
/* Transactions recently confirmed or refused, not fetched again. */
#define TXRELAY_RECENT			50000

struct txrelay_opts {
	const struct config	*cfg;
	struct chain		*chain;
	struct mempool		*mempool;
	struct connman		*connman;
	struct peerman		*peerman;
};

struct txrelay *txrelay_new(const struct txrelay_opts *o);
void txrelay_free(struct txrelay *tr);

/* Often (every 100 ms): send the announcements that are due, fall back
 * to the next announcer for requests that timed out.  NOW_MS monotonic. */
void txrelay_tick(struct txrelay *tr, int64_t now_ms);

/* A transaction from RPC (sendrawtransaction): into the mempool and out
 * to every peer.  Returns 0 with its id in TXID, or -1 with a reason. */
int txrelay_submit(struct txrelay *tr, const uint8_t *tx, size_t len, uint8_t txid[32],
    char *err, size_t errlen);

struct txrelay_stats {
	uint64_t	received;	/* new transactions taken into the mempool */
	uint64_t	announced;	/* inv entries sent */
	uint64_t	requested;	/* getdata entries sent */
	uint64_t	announce_bytes;	/* bytes of inv messages sent */
};
void txrelay_stats(const struct txrelay *tr, struct txrelay_stats *out);

#endif
