/* fuzz_headerchain.c -- libFuzzer target: the crawler's header chain fed headers as a hostile node would serve them.
 *
 * Input: records of 1 + 80 bytes.  The first byte steers: bit 7 clear
 * makes the header build on an entry already held (chosen by the low
 * bits) so that linkage, difficulty and time checks are reached, bit 6
 * mines it a little at the parent's bits on regtest, so that proof of
 * work passes often; the 80 bytes are the header (else as given).
 * Invariants of the best chain are checked with abort() after every
 * header. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../crawler/headerchain.h"
#include "block_header.h"
#include "chainparams.h"
#include "hash.h"
#include "locator.h"
#include "pow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HELD	512
#define NOW		1800000000

static int
count_drained(const struct headerchain_entry *e, void *arg)
{
	(void)e;
	(*(size_t *)arg)++;
	return 0;
}

static void
check(const struct headerchain *hc, const struct headerchain_entry *e)
{
	const struct headerchain_entry	*tip = headerchain_tip(hc), *f;
	uint8_t				 loc[LOCATOR_MAX][32];
	size_t				 n;

	if (!headerchain_on_best(hc, tip) || headerchain_at(hc, tip->height + 1) != NULL)
		abort();
	if (headerchain_at(hc, 0) == NULL || headerchain_at(hc, 0)->prev != NULL)
		abort();
	if (u256_cmp(&e->work, &tip->work) > 0)
		abort();	/* the best chain has the most work */
	f = headerchain_fork(hc, e);
	if (!headerchain_on_best(hc, f) || f->height > e->height)
		abort();
	if (e->prev != NULL && e->prev->height + 1 != e->height)
		abort();
	n = headerchain_locator(hc, e, loc, LOCATOR_MAX);
	if (n == 0 || memcmp(loc[0], e->hash, 32) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool				 inited;
	const struct chainparams		*p = chainparams_get(NET_REGTEST);
	const struct headerchain_entry		*held[MAX_HELD], *e;
	struct headerchain			*hc;
	struct block_header			 h;
	size_t					 nheld = 0, added = 0, drained = 0;
	enum headerchain_result			 r;

	if (!inited) {
		if (hash_init() == -1)
			abort();
		inited = true;
	}
	hc = headerchain_new(p);
	held[nheld++] = headerchain_tip(hc);
	for (; size >= 81; data += 81, size -= 81) {
		block_header_decode(data + 1, &h);
		if (!(data[0] & 0x80)) {
			const struct headerchain_entry *parent = held[data[0] % nheld];

			memcpy(h.prev_hash, parent->hash, 32);
			if (data[0] & 0x40) {
				h.bits = parent->header.bits;
				h.time = parent->header.time + 1 + h.time % 7200;
				pow_mine(&h, 8);
			}
		}
		r = headerchain_add(hc, &h, NOW, &e, NULL);
		if ((r == HEADERCHAIN_NEW || r == HEADERCHAIN_DUPLICATE) != (e != NULL))
			abort();
		if (r == HEADERCHAIN_NEW) {
			added++;
			if (nheld < MAX_HELD)
				held[nheld++] = e;
		}
		if (e != NULL)
			check(hc, e);
	}
	if (headerchain_count(hc) != added + 1)
		abort();
	if (headerchain_drain_new(hc, count_drained, &drained) != 0 || drained != added)
		abort();
	headerchain_free(hc);
	return 0;
}
