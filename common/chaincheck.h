/* chaincheck.h -- header checks that need the chain, with the chain's facts passed in: time and expected bits. */
#ifndef AGENTCHAIN_CHAINCHECK_H
#define AGENTCHAIN_CHAINCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "block_header.h"
#include "chainparams.h"

/* The median time past of a new block's parent: the median of the times
 * of the parent and its ancestors, TIMES[0] being the parent's, N of them
 * (CHAINPARAMS_MTP_SPAN = 11, fewer near genesis; entries beyond 11 are
 * ignored).  As Core's GetMedianTimePast: sorted, the element at N/2 (the
 * upper middle for even N).  0 when N is 0.  Pure. */
int64_t chaincheck_median_time(const uint32_t *times, size_t n);

/* What the chain knows about the place a header would go. */
struct chaincheck_ctx {
	/* Times of the parent and its ancestors, parent first, up to
	 * CHAINPARAMS_MTP_SPAN of them (fewer only near genesis). */
	const uint32_t	*prev_times;
	size_t		 n_prev_times;
	/* pow_next_bits() for this parent. */
	uint32_t	 expected_bits;
	/* The node's clock (Unix seconds). */
	int64_t		 now;
};

/* The contextual checks of header H on P's network, as Core's
 * ContextualCheckBlockHeader, in its order: bits equal CTX->expected_bits
 * (BLOCK_ERR_BAD_DIFFBITS), time above the median time past
 * (BLOCK_ERR_TIME_TOO_OLD), time at most CTX->now + P->max_future_time
 * (BLOCK_ERR_TIME_TOO_NEW).  Linkage is the caller's: it found the parent
 * by H->prev_hash.  A header too far in the future may become acceptable
 * later; do not mark it invalid for good.  Pure. */
enum block_err chaincheck_header(const struct block_header *h, const struct chainparams *p,
    const struct chaincheck_ctx *ctx);

#endif
