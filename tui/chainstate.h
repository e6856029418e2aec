/* chainstate.h -- a watched node's chain as its RPC tells it: tip, sync, mempool, forks and the recent blocks with when and from whom it first saw each; their spread across nodes. */
#ifndef AGENTCHAIN_CHAINSTATE_H
#define AGENTCHAIN_CHAINSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "netaddr.h"

/*
 * The console keeps, per node, the answers of getblockchaininfo,
 * getmempoolinfo and getchaintips, and the last CHAINSTATE_BLOCKS blocks
 * of getrecentblocks merged across polls: the node is asked only for the
 * blocks that came since (chainstate_ask_blocks), so a quiet chain costs
 * nothing and a busy one what is new.
 *
 * First-seen times are each node's wall clock.  Nodes on one machine (the
 * demo, the tests) share it, so the difference between two nodes'
 * sightings of a block is its propagation between them; across machines
 * it is that plus their clock offset (NTP keeps it to milliseconds).
 * A block whose first sighting came more than CHAINSTATE_LIVE_MS after its
 * timestamp was synced later (start-up, a node that was away), not relayed
 * live, and is left out of every propagation figure.
 *
 * Everything comes from the RPC and is checked: hashes are 64 hex digits,
 * heights non-negative, strings bounded and made safe to draw; an entry
 * that is not so is skipped, an answer of the wrong shape ignored.
 */

#define CHAINSTATE_BLOCKS	256		/* recent blocks kept per node */
#define CHAINSTATE_FIRST_ASK	64		/* blocks asked for at first */
#define CHAINSTATE_LIVE_MS	120000		/* later than this: synced, not live */
#define CHAINSTATE_HASHLEN	65		/* 64 hex digits and the NUL */
#define CHAINSTATE_NONE		INT64_MIN	/* no sighting */

struct chain_block {
	int32_t		height;
	char		hash[CHAINSTATE_HASHLEN];	/* as the RPC shows it */
	int64_t		time;		/* the header's timestamp, unix seconds */
	int64_t		size;		/* bytes; -1 unknown */
	int64_t		seen_ms;	/* first sighting, the node's wall clock */
	int64_t		delay_ms;	/* seen_ms - time * 1000, as the node says */
	uint64_t	from_peer;	/* the peer that brought it; 0: this node */
	char		from[NETADDR_STRLEN];	/* "local", "gone" or the address */
};

struct chainstate {
	/* getblockchaininfo */
	bool		has_info;
	char		chain[16];
	int64_t		blocks, headers;
	char		best[CHAINSTATE_HASHLEN];	/* "" unknown */
	char		chainwork[CHAINSTATE_HASHLEN];
	double		progress;			/* verificationprogress */
	bool		ibd;
	int64_t		time, mediantime;		/* of the tip; 0 unknown */
	/* getmempoolinfo */
	bool		has_mempool;
	int64_t		mp_count, mp_bytes, mp_max_bytes, mp_evicted, mp_expired;
	/* getchaintips */
	bool		has_tips;
	int		ntips, nforks, ninvalid, nheaders_only;
	int		longest_fork;			/* branchlen, blocks */
	/* getrecentblocks, merged: newest first, one per height */
	bool		has_recent;
	struct chain_block recent[CHAINSTATE_BLOCKS];
	size_t		nrecent;
};

/* Forget everything. */
void chainstate_reset(struct chainstate *c);

/* Apply the answers of one round (each borrowed, NULL when not asked or
 * not answered: that part stays as it was).  Returns true when anything
 * changed. */
bool chainstate_apply(struct chainstate *c, json_t *info, json_t *mempool, json_t *recent,
    json_t *tips);

/* Given this round's getblockchaininfo INFO (borrowed), how many blocks
 * to ask getrecentblocks for: 0 when the tip and headers are what C
 * already has, else enough to reach back to the newest block C holds
 * (and a few more, for a reorganisation), at most CHAINSTATE_BLOCKS;
 * CHAINSTATE_FIRST_ASK when C holds none. */
int chainstate_ask_blocks(const struct chainstate *c, json_t *info);

/* C's block at HEIGHT if its hash is HASH, else NULL. */
const struct chain_block *chainstate_find(const struct chainstate *c, int32_t height,
    const char *hash);

/* Was B relayed live (first seen at most CHAINSTATE_LIVE_MS after its
 * timestamp)? */
bool chainstate_live(const struct chain_block *b);

/* When each of the N nodes CS first saw the block HASH at HEIGHT, live:
 * SEEN[i] in ms, or CHAINSTATE_NONE when node i has not got it (or got it
 * by syncing).  Returns the earliest, or CHAINSTATE_NONE.  CS[i] may be
 * NULL. */
int64_t chainstate_sightings(const struct chainstate *const *cs, size_t n, int32_t height,
    const char *hash, int64_t *seen);

/* Propagation across the N nodes CS: for every block at least two of them
 * saw live, each later node's delay after the first sighting (ms), into
 * OUT (at most MAX).  Returns how many; *NBLOCKS (may be NULL) is set to
 * the number of such blocks. */
size_t chainstate_spreads(const struct chainstate *const *cs, size_t n, double *out,
    size_t max, size_t *nblocks);

/* C's live blocks' delays from their timestamps (ms; a timestamp ahead of
 * the sighting counts as 0) into OUT (at most MAX).  Returns how many;
 * *SYNCED (may be NULL) is set to the number of blocks left out because
 * they were synced rather than relayed live. */
size_t chainstate_delays(const struct chainstate *c, double *out, size_t max, size_t *synced);

#endif
