/* chaincheck.c -- contextual header checks as pure functions.
 *
 * The node owns the chain; these functions only judge the numbers it
 * hands over, so every rule can be tested without building a chain. */
#include "chaincheck.h"

#include <string.h>

int64_t
chaincheck_median_time(const uint32_t *times, size_t n)
{
	uint32_t s[CHAINPARAMS_MTP_SPAN];

	if (n > CHAINPARAMS_MTP_SPAN)
		n = CHAINPARAMS_MTP_SPAN;
	if (n == 0)
		return 0;
	memcpy(s, times, n * sizeof(*s));
	/* Insertion sort: at most 11 elements. */
	for (size_t i = 1; i < n; i++) {
		uint32_t v = s[i];
		size_t j = i;

		for (; j > 0 && s[j - 1] > v; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
	return s[n / 2];
}

enum block_err
chaincheck_header(const struct block_header *h, const struct chainparams *p,
    const struct chaincheck_ctx *ctx)
{
	if (h->bits != ctx->expected_bits)
		return BLOCK_ERR_BAD_DIFFBITS;
	if ((int64_t)h->time <= chaincheck_median_time(ctx->prev_times, ctx->n_prev_times))
		return BLOCK_ERR_TIME_TOO_OLD;
	if ((int64_t)h->time > ctx->now + p->max_future_time)
		return BLOCK_ERR_TIME_TOO_NEW;
	return BLOCK_OK;
}
