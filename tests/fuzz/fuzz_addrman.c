/* fuzz_addrman.c -- libFuzzer target: the address book file loader.
 *
 * peers.dat is read back from disk, where anything may have happened to
 * it; the loader must refuse garbage cleanly, and whatever it accepts must
 * be internally consistent and serialise back to a loadable book. */
#include <stdint.h>
#include <stdlib.h>

#include "../../node/addrman.h"
#include "buf.h"
#include "hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct addrman *am, *again;
	struct wbuf w;
	char err[256];

	if (!inited) {
		if (hash_init() == -1)
			abort();
		inited = 1;
	}
	am = addrman_deserialize(data, size, true, err, sizeof(err));
	if (am == NULL)
		return 0;
	if (addrman_check(am, err, sizeof(err)) != 0)
		abort();
	wbuf_init(&w);
	addrman_serialize(am, &w);
	again = addrman_deserialize(w.data, w.len, true, err, sizeof(err));
	if (again == NULL || addrman_size(again) != addrman_size(am))
		abort();
	addrman_free(again);
	wbuf_free(&w);
	addrman_free(am);
	return 0;
}
