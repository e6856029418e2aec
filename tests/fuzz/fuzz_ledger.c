/* fuzz_ledger.c -- libFuzzer target: verifying a rewards ledger file (agentcrawl verify-ledger) never crashes, leaks or accepts garbage. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "hash.h"
#include "ledger.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The input is a ledger file; with and without an expected signer.  A
 * random input that verifies would be a forged signature: abort. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	init;
	char		err[256];

	if (!init) {
		if (hash_init() == -1)
			abort();
		init = 1;
	}
	(void)ledger_verify((const char *)data, size, NULL, err, sizeof(err));
	(void)ledger_verify((const char *)data, size,
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    err, sizeof(err));
	return 0;
}
