/* chainparams.c -- the per-network constant tables.
 *
 * The magic bytes differ per network so that a testnet node that dials a
 * mainnet address fails on the first header instead of exchanging
 * addresses across networks.  They are documented in docs/PROTOCOL.md. */
#include "chainparams.h"

#include <stddef.h>
#include <string.h>

/*
 * Hard-coded seeds: names, and IP:port literals that work when DNS does
 * not.  The literals are PLACEHOLDERS: the network has no long-lived public
 * nodes yet, so they are documentation addresses (RFC 5737, RFC 3849),
 * which netaddr_is_valid_peer refuses -- the node skips them and says so
 * once.  Replace them with real seed nodes' addresses before a release.
 */
static const char *const mainnet_seeds[] = {
	"seed-a.agentchain.io:9001",
	"seed-b.agentchain.io:9001",
	"192.0.2.11:9001",		/* placeholder */
	"198.51.100.11:9001",		/* placeholder */
	"[2001:db8::11]:9001",		/* placeholder */
	NULL
};
static const char *const mainnet_dns_seeds[] = {
	"seed.agentchain.io",
	"seed2.agentchain.io",
	NULL
};
static const char *const testnet_seeds[] = {
	"testnet-seed-a.agentchain.io:19001",
	"203.0.113.11:19001",		/* placeholder */
	NULL
};
static const char *const testnet_dns_seeds[] = {
	"testnet-seed.agentchain.io",
	NULL
};
static const char *const empty_list[] = { NULL };

static const struct chainparams chainparams_table[NET_COUNT] = {
	[NET_MAINNET] = {
		.id = NET_MAINNET, .name = "mainnet",
		.magic = { 0xac, 0x4e, 0x7c, 0x01 },
		.p2p_port = 9001, .rpc_port = 8545,
		.seeds = mainnet_seeds, .dns_seeds = mainnet_dns_seeds,
		.allow_private = false,
	},
	[NET_TESTNET] = {
		.id = NET_TESTNET, .name = "testnet",
		.magic = { 0xac, 0x4e, 0x7c, 0x0b },
		.p2p_port = 19001, .rpc_port = 18545,
		.seeds = testnet_seeds, .dns_seeds = testnet_dns_seeds,
		.allow_private = false,
	},
	[NET_REGTEST] = {
		.id = NET_REGTEST, .name = "regtest",
		.magic = { 0xac, 0x4e, 0x7c, 0xfa },
		.p2p_port = 29001, .rpc_port = 28545,
		.seeds = empty_list, .dns_seeds = empty_list,
		.allow_private = true,
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
