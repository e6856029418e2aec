/* blockrelay.h -- headers-first sync and block relay: getheaders/headers, block inventory, block downloads.
 *
 * A handler behind peerman's handshake gate, for peers of protocol
 * PROTO_DATA_VERSION or later (older peers get none of these messages).
 * Headers come first (getheaders/headers, 2,000 at a time); blocks are
 * then downloaded in parallel from every peer that has them, at most
 * BLOCKRELAY_MAX_INFLIGHT per peer, within BLOCKRELAY_WINDOW blocks of our
 * tip; a peer that holds the window up is replaced.  A new tip is
 * pushed whole to the peers that asked for it with sendhb (up to
 * BLOCKRELAY_HB_PUSH_MAX bytes; a block we made ourselves to every peer)
 * and announced to every other peer at once, as headers when it knows the
 * parent, else as an inv.  We ask the BLOCKRELAY_HB_PEERS peers that most recently
 * delivered a new tip first to push to us (BIP152's high-bandwidth mode,
 * whole blocks instead of compact ones). */
#ifndef AGENTCHAIN_BLOCKRELAY_H
#define AGENTCHAIN_BLOCKRELAY_H

#include <stdbool.h>
#include <stdint.h>

struct blockrelay;
struct chain;
struct config;
struct connman;
struct peer;
struct peerman;

/* Bitcoin Core's MAX_BLOCKS_IN_TRANSIT_PER_PEER and BLOCK_DOWNLOAD_WINDOW. */
#define BLOCKRELAY_MAX_INFLIGHT		16
#define BLOCKRELAY_WINDOW		1024
/* The block right above our tip, in flight this long while later blocks
 * wait behind it: its peer stalls the download and is replaced. */
#define BLOCKRELAY_STALL_MS		2000
/* Any block in flight this long: the peer is dropped. */
#define BLOCKRELAY_TIMEOUT_MS		60000
/* A getdata names at most this many blocks we serve; the rest get a notfound. */
#define BLOCKRELAY_MAX_SERVE		1024
/* getblocks is answered with at most this many hashes (Core: 500). */
#define BLOCKRELAY_GETBLOCKS_MAX	500
/* Headers announce a new tip when the peer knows all but this many. */
#define BLOCKRELAY_ANNOUNCE_HEADERS	8
/* Unconnecting headers messages in a row before a penalty (Core: 10). */
#define BLOCKRELAY_MAX_UNCONNECTING	10
/* High-bandwidth peers we ask to push new blocks to us (BIP152: 3). */
#define BLOCKRELAY_HB_PEERS		3
/* Blocks larger than this are announced to high-bandwidth peers too, not
 * pushed: a push costs up to two copies more per node (BIP152 pushes
 * compact blocks; we push whole ones).  At 10 MB/s two extra copies of
 * 100 kB take 20 ms, a tenth of the round trip a push saves on an
 * intercontinental hop; two of 1 MB took more than they saved
 * (bench/propagation.sh, docs/BENCHMARKS.md). */
#define BLOCKRELAY_HB_PUSH_MAX		100000
/* A peer we stopped from pushing may still have a push under way: its
 * copies of blocks we have are not held against it for this long. */
#define BLOCKRELAY_HB_GRACE_MS		60000
/* Blocks nobody asked for tolerated per minute. */
#define BLOCKRELAY_UNSOLICITED_PER_MINUTE	10

struct blockrelay_opts {
	const struct config	*cfg;
	struct chain		*chain;
	struct connman		*connman;
	struct peerman		*peerman;
};

/* Creates the relay, registers it with peerman and as a chain listener.
 * NULL when peerman's handler table is full. */
struct blockrelay *blockrelay_new(const struct blockrelay_opts *o);
void blockrelay_free(struct blockrelay *br);

struct blockrelay_peer_stats {
	int32_t		synced_headers;	/* best header it proved to have; -1 none */
	int32_t		synced_blocks;	/* last block we know we share; -1 none */
	unsigned	inflight;
	bool		data;		/* speaks the data messages */
	bool		hb_to;		/* we asked it to push new blocks (sendhb) */
	bool		hb_from;	/* it asked us to push new blocks */
};
void blockrelay_peer_stats(const struct blockrelay *br, const struct peer *p,
    struct blockrelay_peer_stats *out);

/* Upper bounds (seconds) of the first-seen delay histogram: from a block's
 * own timestamp to its arrival here.  The last bucket is +Inf. */
#define BLOCKRELAY_DELAY_BUCKETS	10
extern const double blockrelay_delay_bounds[BLOCKRELAY_DELAY_BUCKETS - 1];

struct blockrelay_stats {
	uint64_t	headers_received;
	uint64_t	blocks_received;	/* new blocks accepted from peers */
	uint64_t	blocks_served;		/* sent on getdata */
	uint64_t	blocks_pushed;		/* sent unasked to high-bandwidth peers */
	uint64_t	blocks_duplicate;	/* received again (a second push) */
	uint64_t	announcements;		/* tips announced (per peer) */
	uint64_t	invalid;		/* blocks or headers that failed a check */
	uint64_t	stallers;		/* peers dropped for stalling */
	/* First-seen delays of blocks received (cumulative buckets, as
	 * Prometheus histograms are), their sum in seconds and count. */
	uint64_t	delay_le[BLOCKRELAY_DELAY_BUCKETS];
	double		delay_sum;
	uint64_t	delay_count;
};
void blockrelay_stats(const struct blockrelay *br, struct blockrelay_stats *out);

#endif
