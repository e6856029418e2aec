/* blockrelay.h -- headers-first sync and block relay: getheaders/headers, block inventory, block downloads.
 *
 * A handler behind peerman's handshake gate, for peers of protocol
 * PROTO_DATA_VERSION or later (older peers get none of these messages).
 * Headers come first (getheaders/headers, 2,000 at a time); blocks are
 * then downloaded in parallel from every peer that has them, at most
 * BLOCKRELAY_MAX_INFLIGHT per peer, within BLOCKRELAY_WINDOW blocks of our
 * tip; a peer that holds the window up is replaced.  A new tip is
 * announced to every peer at once, as headers when it knows the parent,
 * else as an inv. */
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
