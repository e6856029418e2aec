/* fuzz_banlist.c -- libFuzzer target: banlist.json loading never crashes or leaks, and what it keeps is sane. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../node/banman.h"
#include "hash.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW	INT64_C(1700000000)

/* The input is the file's text.  Whatever it holds, a load either fails
 * and leaves the list as it was, or keeps only well-formed, unexpired
 * bans within the caps, in a list that lists, finds and sweeps. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct banman *bm;
	struct ban_entry *v;
	struct ban_subnet keep;
	char err[256], why[256];
	size_t n, before;

	if (!ready) {
		if (hash_init() == -1)
			abort();
		log_set_level(LOGL_ERROR);	/* skipped entries are logged */
		ready = true;
	}
	bm = banman_new();
	if (banman_parse_subnet("7.7.7.0/24", &keep) != 0 ||
	    banman_ban(bm, &keep, NOW + 60, "keep", NOW, err, sizeof(err)) != 0)
		abort();
	before = banman_count(bm);
	if (banman_load_json(bm, (const char *)data, size, "fuzz.json", NOW, err,
	    sizeof(err)) == -1) {
		if (banman_count(bm) != before)
			abort();	/* a failed load changed the list */
	} else {
		(void)banman_load_skipped(bm, why, sizeof(why));
		if (banman_count(bm) > BANMAN_MAX_BANS)
			abort();
		v = banman_list(bm, &n);
		for (size_t i = 0; i < n; i++) {
			struct netaddr a = { .port = 1 };

			if (v[i].until <= NOW || v[i].subnet.prefix > 128)
				abort();
			memcpy(a.ip, v[i].subnet.ip, sizeof(a.ip));
			if (!banman_is_banned(bm, &a, NOW))
				abort();
		}
		free(v);
		(void)banman_sweep(bm, NOW + 1000000000);
	}
	banman_free(bm);
	return 0;
}
