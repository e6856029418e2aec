/* locator.c -- Bitcoin Core's locator shape (chain.cpp LocatorEntries).
 *
 * Ten steps of one, then doubling: a peer that shares our chain up to
 * some fork point finds one of our hashes within a factor of two of it,
 * and the list stays logarithmic in the height. */
#include "locator.h"

size_t
locator_heights(uint32_t tip_height, uint32_t *out, size_t max)
{
	uint64_t step = 1, height = tip_height;
	size_t n = 0;

	while (n < max) {
		out[n++] = (uint32_t)height;
		if (height == 0)
			break;
		height = height > step ? height - step : 0;
		if (n > 10)
			step *= 2;
	}
	return n;
}

size_t
locator_build(uint32_t tip_height, locator_hash_fn hash_at, void *ctx,
    uint8_t (*out)[32], size_t max)
{
	uint32_t heights[LOCATOR_MAX];
	size_t n = locator_heights(tip_height, heights,
	    max < LOCATOR_MAX ? max : LOCATOR_MAX);

	for (size_t i = 0; i < n; i++)
		hash_at(heights[i], out[i], ctx);
	return n;
}
