/* chainparams.h -- per-network constants: magic, default ports, seeds, address policy. */
#ifndef AGENTCHAIN_CHAINPARAMS_H
#define AGENTCHAIN_CHAINPARAMS_H

#include <stdbool.h>
#include <stdint.h>

enum net_id {
	NET_MAINNET = 0,
	NET_TESTNET,
	NET_REGTEST,
	NET_COUNT
};

struct chainparams {
	enum net_id	 id;
	const char	*name;
	uint8_t		 magic[4];
	uint16_t	 p2p_port;
	uint16_t	 rpc_port;
	/* NULL-terminated "host:port" lists; host may be a name or a literal. */
	const char *const *seeds;
	const char *const *dns_seeds;
	/* Regtest runs whole networks on loopback and private addresses;
	 * mainnet and testnet never relay or dial unroutable ones. */
	bool		 allow_private;
};

/* Static tables; never NULL for a valid ID. */
const struct chainparams *chainparams_get(enum net_id id);
/* "mainnet", "testnet", "regtest"; NULL when unknown. */
const struct chainparams *chainparams_by_name(const char *name);
/* The network whose magic is MAGIC, or NULL. */
const struct chainparams *chainparams_by_magic(const uint8_t magic[4]);

#endif
