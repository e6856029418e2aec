/* chain.h -- the block tree: every known header, the most-work chain, blocks on disk, reorganisations.
 *
 * What the network layer validates, and nothing more: proof of work,
 * linkage, time (above the median of the last 11, at most 2 h ahead),
 * difficulty retargeting, merkle root and sizes (common/block,
 * common/chaincheck).  What a transaction means is the chain
 * implementation's business; it hears of every block through
 * chain_listener and can veto one with chain_invalidate.
 *
 * The active chain is the one with the most cumulative work among those
 * whose blocks are all stored and none invalid; ties go to the one seen
 * first.  Headers are stored as they come (headers-first sync), blocks as
 * they are downloaded, in node/blockstore. */
#ifndef AGENTCHAIN_CHAIN_H
#define AGENTCHAIN_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "block_header.h"
#include "chainparams.h"
#include "u256.h"

/* Status bits, stored with each header. */
#define CHAIN_HAVE_DATA		0x01u	/* the block's bytes are stored */
#define CHAIN_FAILED		0x02u	/* invalid itself */
#define CHAIN_FAILED_CHILD	0x04u	/* an ancestor is invalid */
#define CHAIN_MANUAL		0x08u	/* FAILED by invalidateblock */
#define CHAIN_INVALID_ANY	(CHAIN_FAILED | CHAIN_FAILED_CHILD)

/* Headers off the best header chain kept at most (beyond that, a header
 * must add work to be stored): a flood of cheap side-branch headers
 * cannot exhaust memory. */
#define CHAIN_MAX_SIDE_HEADERS	50000

struct chain;

/* One known header (read-only outside chain.c). */
struct chain_entry {
	uint8_t			 hash[32];
	struct block_header	 header;
	struct chain_entry	*prev;		/* NULL for genesis */
	int32_t			 height;
	struct u256		 work;		/* chain work up to and including it */
	uint32_t		 status;
	int64_t			 first_seen_ms;	/* wall clock, header or block arrival */
	int64_t			 received_ms;	/* wall clock, its bytes stored (0: before this run) */
	uint64_t		 from_peer;	/* peer id that brought it (0: local) */
	/* chain.c's own */
	struct chain_entry	*skip;		/* a farther ancestor, for O(log n) look-ups */
	int32_t			 file;		/* block bytes, see blockstore */
	uint32_t		 offset, len;
	uint64_t		 seq;		/* arrival order: ties go to the first */
	bool			 linked;	/* it and every ancestor have data */
};

enum chain_result {
	CHAIN_NEW = 0,		/* stored (and, for a block, on disk) */
	CHAIN_DUPLICATE,	/* known already */
	CHAIN_ORPHAN,		/* parent unknown */
	CHAIN_INVALID,		/* failed a check: see the block_err */
	CHAIN_BAD_PREV,		/* builds on an invalid block */
	CHAIN_FULL,		/* side-branch header cap, adds no work */
	CHAIN_IO,		/* the store failed (logged) */
};

/* Told about the active chain as it changes.  B is the parsed block and
 * TXIDS its transactions' ids in order (both borrowed for the call; the
 * ids are computed once, for every listener).  Disconnects come tip
 * first, connects in height order; TIP once after each change. */
struct chain_listener {
	void	*arg;
	void	(*connected)(void *arg, const struct chain_entry *e, const struct block *b,
		    const uint8_t (*txids)[32]);
	void	(*disconnected)(void *arg, const struct chain_entry *e, const struct block *b,
		    const uint8_t (*txids)[32]);
	void	(*tip)(void *arg, const struct chain_entry *tip);
};

/* Open the chain of P's network stored in DIR (created; the genesis block
 * is written on first use).  Returns NULL with a reason in ERR. */
struct chain *chain_open(const struct chainparams *p, const char *dir, char *err, size_t errlen);
void chain_close(struct chain *ch);
/* At most 8 listeners; L is copied. */
void chain_add_listener(struct chain *ch, const struct chain_listener *l);

/* A header (from a headers message, or a block's).  NOW: wall seconds.
 * *OUT is the entry (new or known) when there is one; *WHY the failed
 * check for CHAIN_INVALID. */
enum chain_result chain_accept_header(struct chain *ch, const struct block_header *h, int64_t now,
    uint64_t from_peer, struct chain_entry **out, enum block_err *why);
/* A whole block: its header, the context-free block checks, then stored
 * and the most-work chain activated (which may reorganise).  A block
 * whose bytes fail the merkle check condemns only those bytes (a peer can
 * mutate a valid block without changing its hash): the header stays
 * valid and the block can still be downloaded from someone else. */
enum chain_result chain_accept_block(struct chain *ch, const struct block *b, int64_t now,
    uint64_t from_peer, struct chain_entry **out, enum block_err *why);

const struct chain_entry *chain_tip(const struct chain *ch);
/* The most-work header we know that is not invalid (may lack data). */
const struct chain_entry *chain_best_header(const struct chain *ch);
/* The active chain's block at HEIGHT, or NULL. */
const struct chain_entry *chain_at(const struct chain *ch, int32_t height);
const struct chain_entry *chain_find(const struct chain *ch, const uint8_t hash[32]);
bool chain_is_active(const struct chain *ch, const struct chain_entry *e);
/* E's ancestor at HEIGHT (<= E's), on E's own branch. */
const struct chain_entry *chain_ancestor(const struct chain *ch, const struct chain_entry *e,
    int32_t height);
size_t chain_count(const struct chain *ch);
/* Blocks stored whose parent's bytes are still missing: a download that
 * waits on an earlier block. */
size_t chain_unlinked_count(const struct chain *ch);

/* The locator of the chain ending at FROM (NULL: the tip), newest first;
 * returns how many hashes (at most MAX). */
size_t chain_locator(const struct chain *ch, const struct chain_entry *from, uint8_t (*out)[32],
    size_t max);
/* The last common block of the active chain and a peer's LOCATOR (N
 * hashes): the first one we have on the active chain, else genesis. */
const struct chain_entry *chain_fork_point(const struct chain *ch, const uint8_t (*locator)[32],
    size_t n);

/* The stored bytes of E's block, parsed into *B (block_free it).
 * Returns 0, or -1 with a reason in ERR. */
int chain_read_block(struct chain *ch, const struct chain_entry *e, struct block *b, char *err,
    size_t errlen);

/* The bits a block on top of PREV must carry. */
uint32_t chain_next_bits(const struct chain *ch, const struct chain_entry *prev);
/* Median time past of E and its 10 ancestors. */
int64_t chain_median_time(const struct chain *ch, const struct chain_entry *e);
/* Initial block download: the tip is over a day old (by NOW, wall
 * seconds) or below the network's minimum chain work. */
bool chain_is_ibd(const struct chain *ch, int64_t now);

/* invalidateblock / reconsiderblock: mark HASH (and what builds on it)
 * invalid, or clear that from it, its ancestors and descendants; then
 * follow the most-work chain.  Return 0, or -1 with a reason in ERR. */
int chain_invalidate(struct chain *ch, const uint8_t hash[32], char *err, size_t errlen);
int chain_reconsider(struct chain *ch, const uint8_t hash[32], char *err, size_t errlen);

/* The tips of every branch (entries nothing builds on), for
 * getchaintips: FN is called for each. */
void chain_tips(const struct chain *ch, void (*fn)(void *arg, const struct chain_entry *tip),
    void *arg);

/* Make the store durable (periodically and at exit). */
void chain_sync(struct chain *ch);

#endif
