/* chainparams.c -- the per-network constant tables.
 *
 * The magic bytes differ per network so that a testnet node that dials a
 * mainnet address fails on the first header instead of exchanging
 * addresses across networks.  They are documented in docs/PROTOCOL.md.
 *
 * The genesis nonces were found by an independent script (Python
 * hashlib) and its hash and merkle root are golden values: block_genesis()
 * must rebuild exactly these bytes (tests/unit/test_block.c).  Changing
 * any genesis field starts a different chain. */
#include "chainparams.h"

#include <stddef.h>
#include <string.h>

static const char *const mainnet_seeds[] = {
	"seed-a.agentchain.io:9001",
	"seed-b.agentchain.io:9001",
	NULL
};
static const char *const mainnet_dns_seeds[] = {
	"seed.agentchain.io",
	"seed2.agentchain.io",
	NULL
};
static const char *const testnet_seeds[] = {
	"testnet-seed-a.agentchain.io:19001",
	NULL
};
static const char *const testnet_dns_seeds[] = {
	"testnet-seed.agentchain.io",
	NULL
};
static const char *const empty_list[] = { NULL };

/* The genesis transactions: the network's name and a fixed message. */
static const uint8_t mainnet_genesis_tx[] =
    "agentchain mainnet genesis 2026-01-01: anyone can run a node";
static const uint8_t testnet_genesis_tx[] =
    "agentchain testnet genesis 2026-01-01: anyone can run a node";
static const uint8_t regtest_genesis_tx[] =
    "agentchain regtest genesis 2026-01-01: anyone can run a node";
/* The NUL that ends each string literal is not part of the transaction. */
#define GENESIS_TX(a)	.tx = (a), .tx_len = sizeof(a) - 1

/* 2026-01-01T00:00:00Z */
#define GENESIS_TIME	1767225600u

/* 2^236 - 1: 0x00000fff ff..ff, compact 0x1e0fffff.  About 2^20 hashes a
 * block at the easiest difficulty. */
#define POW_LIMIT_MAIN	{ { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, \
    0xffffffff, 0xffffffff, 0xffffffff, 0x00000fff } }
/* 2^255 - 1: 0x7fff..ff, compact 0x207fffff: every other hash wins. */
#define POW_LIMIT_REGTEST	{ { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, \
    0xffffffff, 0xffffffff, 0xffffffff, 0x7fffffff } }

/* Bitcoin's rule: every 2016 blocks, aiming at 10 minutes a block. */
#define RETARGET_BITCOIN	.target_spacing = 600, .retarget_interval = 2016

static const struct chainparams chainparams_table[NET_COUNT] = {
	[NET_MAINNET] = {
		.id = NET_MAINNET, .name = "mainnet",
		.magic = { 0xac, 0x4e, 0x7c, 0x01 },
		.p2p_port = 9001, .rpc_port = 8545,
		.seeds = mainnet_seeds, .dns_seeds = mainnet_dns_seeds,
		.allow_private = false,
		.genesis = {
			.version = 1, .time = GENESIS_TIME, .bits = 0x1e0fffff,
			.nonce = 1938760, GENESIS_TX(mainnet_genesis_tx),
			/* 00000fe6dd85df917face5b29b474850b11871d40805efa0a8e95343da5b959d */
			.hash = { 0x9d, 0x95, 0x5b, 0xda, 0x43, 0x53, 0xe9, 0xa8,
			    0xa0, 0xef, 0x05, 0x08, 0xd4, 0x71, 0x18, 0xb1,
			    0x50, 0x48, 0x47, 0x9b, 0xb2, 0xe5, 0xac, 0x7f,
			    0x91, 0xdf, 0x85, 0xdd, 0xe6, 0x0f, 0x00, 0x00 },
			/* 5674cbd3d095906507787831cab5585886a3dfe7e618518d87f6e184038afe38 */
			.merkle_root = { 0x38, 0xfe, 0x8a, 0x03, 0x84, 0xe1, 0xf6, 0x87,
			    0x8d, 0x51, 0x18, 0xe6, 0xe7, 0xdf, 0xa3, 0x86,
			    0x58, 0x58, 0xb5, 0xca, 0x31, 0x78, 0x78, 0x07,
			    0x65, 0x90, 0x95, 0xd0, 0xd3, 0xcb, 0x74, 0x56 },
		},
		.pow_limit = POW_LIMIT_MAIN,
		RETARGET_BITCOIN,
		.min_chain_work = { { 0 } },
		.max_future_time = 2 * 60 * 60,
	},
	[NET_TESTNET] = {
		.id = NET_TESTNET, .name = "testnet",
		.magic = { 0xac, 0x4e, 0x7c, 0x0b },
		.p2p_port = 19001, .rpc_port = 18545,
		.seeds = testnet_seeds, .dns_seeds = testnet_dns_seeds,
		.allow_private = false,
		.genesis = {
			.version = 1, .time = GENESIS_TIME, .bits = 0x1e0fffff,
			.nonce = 2045, GENESIS_TX(testnet_genesis_tx),
			/* 0000067262badf2b99d21136b9c2838cdb193d3f8de8fe085e4baca533735784 */
			.hash = { 0x84, 0x57, 0x73, 0x33, 0xa5, 0xac, 0x4b, 0x5e,
			    0x08, 0xfe, 0xe8, 0x8d, 0x3f, 0x3d, 0x19, 0xdb,
			    0x8c, 0x83, 0xc2, 0xb9, 0x36, 0x11, 0xd2, 0x99,
			    0x2b, 0xdf, 0xba, 0x62, 0x72, 0x06, 0x00, 0x00 },
			/* b140774c5ad596f28487709866d2839ae1f4ad3f28af3e797183e091c7cf01c4 */
			.merkle_root = { 0xc4, 0x01, 0xcf, 0xc7, 0x91, 0xe0, 0x83, 0x71,
			    0x79, 0x3e, 0xaf, 0x28, 0x3f, 0xad, 0xf4, 0xe1,
			    0x9a, 0x83, 0xd2, 0x66, 0x98, 0x70, 0x87, 0x84,
			    0xf2, 0x96, 0xd5, 0x5a, 0x4c, 0x77, 0x40, 0xb1 },
		},
		.pow_limit = POW_LIMIT_MAIN,
		RETARGET_BITCOIN,
		.min_chain_work = { { 0 } },
		.max_future_time = 2 * 60 * 60,
	},
	[NET_REGTEST] = {
		.id = NET_REGTEST, .name = "regtest",
		.magic = { 0xac, 0x4e, 0x7c, 0xfa },
		.p2p_port = 29001, .rpc_port = 28545,
		.seeds = empty_list, .dns_seeds = empty_list,
		.allow_private = true,
		.genesis = {
			.version = 1, .time = GENESIS_TIME, .bits = 0x207fffff,
			.nonce = 0, GENESIS_TX(regtest_genesis_tx),
			/* 6854a32fdc82ef6bb819afa20620f4b76a34610c5eee5c25112f6f536df2a620 */
			.hash = { 0x20, 0xa6, 0xf2, 0x6d, 0x53, 0x6f, 0x2f, 0x11,
			    0x25, 0x5c, 0xee, 0x5e, 0x0c, 0x61, 0x34, 0x6a,
			    0xb7, 0xf4, 0x20, 0x06, 0xa2, 0xaf, 0x19, 0xb8,
			    0x6b, 0xef, 0x82, 0xdc, 0x2f, 0xa3, 0x54, 0x68 },
			/* 9d25cf513e6b74f0efc503a9a092bf3a3455b407d6fbd21e97c8f51cb68e3a9f */
			.merkle_root = { 0x9f, 0x3a, 0x8e, 0xb6, 0x1c, 0xf5, 0xc8, 0x97,
			    0x1e, 0xd2, 0xfb, 0xd6, 0x07, 0xb4, 0x55, 0x34,
			    0x3a, 0xbf, 0x92, 0xa0, 0xa9, 0x03, 0xc5, 0xef,
			    0xf0, 0x74, 0x6b, 0x3e, 0x51, 0xcf, 0x25, 0x9d },
		},
		.pow_limit = POW_LIMIT_REGTEST,
		/* No retarget: mining stays instant however fast blocks come. */
		.target_spacing = 600, .retarget_interval = 0,
		.min_chain_work = { { 0 } },
		.max_future_time = 2 * 60 * 60,
	},
};

const struct chainparams *
chainparams_get(enum net_id id)
{
	if ((unsigned)id >= NET_COUNT)
		return NULL;
	return &chainparams_table[id];
}

const struct chainparams *
chainparams_by_name(const char *name)
{
	for (int i = 0; i < NET_COUNT; i++)
		if (strcmp(chainparams_table[i].name, name) == 0)
			return &chainparams_table[i];
	return NULL;
}

const struct chainparams *
chainparams_by_magic(const uint8_t magic[4])
{
	for (int i = 0; i < NET_COUNT; i++)
		if (memcmp(chainparams_table[i].magic, magic, 4) == 0)
			return &chainparams_table[i];
	return NULL;
}
