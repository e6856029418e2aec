/* unhex.h -- hex strings to bytes for golden-vector tests (cmocka asserts). */
#ifndef AGENTCHAIN_TEST_UNHEX_H
#define AGENTCHAIN_TEST_UNHEX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decode the hex string HEX into a fresh buffer of *LEN bytes; caller
 * frees.  Fails the test on a malformed string. */
static uint8_t *
unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		p[i] = (uint8_t)v;
	}
	*len = n;
	return p;
}

#endif
