/* storagecheck.c -- storage challenges: which deep block to ask a node for, and how to judge what it sent.
 *
 * The pick is a hash of a recent block and the node's address, so a node
 * cannot know in advance which old block it will be asked for (and keep
 * only that one), and two nodes are asked for different blocks. */
#include "storagecheck.h"

#include <string.h>

#include "hash.h"

int32_t
storagecheck_pick(const uint8_t recent[32], const struct netaddr *addr, int32_t top)
{
	uint8_t		buf[32 + 16 + 2], h[32];
	uint64_t	v = 0;
	int		i;

	if (top - STORAGECHECK_DEPTH < 1)
		return -1;
	memcpy(buf, recent, 32);
	memcpy(buf + 32, addr->ip, 16);
	buf[48] = (uint8_t)(addr->port >> 8);
	buf[49] = (uint8_t)addr->port;
	hash_sha256d(buf, sizeof(buf), h);
	for (i = 7; i >= 0; i--)
		v = v << 8 | h[i];
	return 1 + (int32_t)(v % (uint64_t)(top - STORAGECHECK_DEPTH));
}

const char *
storagecheck_judge(const struct block *b, const uint8_t want[32], const struct chainparams *p)
{
	uint8_t	hash[32];

	block_header_hash(&b->header, hash);
	if (memcmp(hash, want, 32) != 0)
		return STORAGECHECK_WRONG;
	return block_check(b, p) == BLOCK_OK ? STORAGECHECK_OK : STORAGECHECK_WRONG;
}
