/* headerchain.h -- the crawler's own header chain: every header it checked itself, and the most-work chain among them.
 *
 * The crawler trusts no node's word for a height.  It keeps the headers
 * nodes served it, after checking each one itself (proof of work, linkage,
 * time, expected difficulty: common/block, chaincheck, pow), and follows
 * the branch with the most cumulative work.  A node's verified height is
 * measured against that branch.  Only headers are kept, never blocks:
 * about 200 bytes per header in memory, 80 on disk.
 *
 * Memory is bounded: headers whose parent is unknown are never stored,
 * and beyond HEADERCHAIN_MAX_SIDE headers off the best chain a header is
 * taken only if it makes a branch with more work than the best one.  A
 * branch below the network's minimum chain work never becomes best. */
#ifndef AGENTCRAWL_HEADERCHAIN_H
#define AGENTCRAWL_HEADERCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "block_header.h"
#include "chainparams.h"
#include "u256.h"

/* Headers off the best chain kept at most before a header must add work. */
#define HEADERCHAIN_MAX_SIDE	10000

/* One checked header (read-only outside headerchain.c).  Entries live
 * until headerchain_free, so pointers to them stay valid. */
struct headerchain_entry {
	uint8_t				 hash[32];
	struct block_header		 header;
	const struct headerchain_entry	*prev;	/* NULL for genesis */
	int32_t				 height;
	struct u256			 work;	/* cumulative, this header included */
};

enum headerchain_result {
	HEADERCHAIN_NEW = 0,	/* checked and stored */
	HEADERCHAIN_DUPLICATE,	/* known already */
	HEADERCHAIN_ORPHAN,	/* parent unknown: not stored */
	HEADERCHAIN_INVALID,	/* failed a check (see the block_err) */
	HEADERCHAIN_FULL,	/* side-branch cap reached and it adds no work */
};

struct headerchain;

/* A chain holding P's genesis header only.  Caller frees. */
struct headerchain *headerchain_new(const struct chainparams *p);
void headerchain_free(struct headerchain *hc);

/* Check header H against its parent and store it.  NOW: wall seconds
 * (the time-too-new check).  *OUT (may be NULL) is the entry for NEW and
 * DUPLICATE; *WHY (may be NULL) the failed check for INVALID.
 * BLOCK_ERR_TIME_TOO_NEW may pass later; every other INVALID is a header
 * no honest node serves. */
enum headerchain_result headerchain_add(struct headerchain *hc, const struct block_header *h,
    int64_t now, const struct headerchain_entry **out, enum block_err *why);

/* The tip of the most-work chain (genesis at first). */
const struct headerchain_entry *headerchain_tip(const struct headerchain *hc);
/* The best chain's entry at HEIGHT, or NULL. */
const struct headerchain_entry *headerchain_at(const struct headerchain *hc, int32_t height);
const struct headerchain_entry *headerchain_find(const struct headerchain *hc,
    const uint8_t hash[32]);
bool headerchain_on_best(const struct headerchain *hc, const struct headerchain_entry *e);
/* E's highest ancestor (E itself included) on the best chain: where E's
 * branch leaves it.  Never NULL (genesis is on every branch). */
const struct headerchain_entry *headerchain_fork(const struct headerchain *hc,
    const struct headerchain_entry *e);
/* Headers stored, genesis included. */
size_t headerchain_count(const struct headerchain *hc);

/* The locator (locator.h) of the branch ending at FROM, newest first:
 * at most MAX hashes into OUT; returns how many. */
size_t headerchain_locator(const struct headerchain *hc, const struct headerchain_entry *from,
    uint8_t (*out)[32], size_t max);

/* Persistence: the entries stored since the last call, in the order
 * they came (parents before children), are passed to FN, and forgotten
 * as new only when FN returned 0 for every one (else the call returns -1
 * and they are offered again next time).  FN NULL forgets them (they
 * were just loaded from the store). */
int headerchain_drain_new(struct headerchain *hc,
    int (*fn)(const struct headerchain_entry *e, void *arg), void *arg);

#endif
