/* chainparams.h -- per-network constants: magic, ports, seeds, address policy, genesis and proof-of-work rules. */
#ifndef AGENTCHAIN_CHAINPARAMS_H
#define AGENTCHAIN_CHAINPARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "u256.h"

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

	/* The chain; docs/PROTOCOL.md "The chain" explains every value.
	 * Hashes are in internal byte order (see u256_hash_to_hex). */
	struct chainparams_genesis {
		int32_t		 version;
		uint32_t	 time;
		uint32_t	 bits;
		uint32_t	 nonce;
		/* The genesis block's one transaction (opaque bytes). */
		const uint8_t	*tx;
		size_t		 tx_len;
		/* Golden values, checked by tests/unit/test_block.c:
		 * block_genesis() must reproduce them. */
		uint8_t		 hash[32];
		uint8_t		 merkle_root[32];
	} genesis;
	/* Easiest target a block may have (hash <= target <= pow_limit). */
	struct u256	 pow_limit;
	/* Seconds between blocks the retarget aims at. */
	uint32_t	 target_spacing;
	/* Blocks between retargets; 0 = never retarget (regtest): every
	 * block carries its parent's bits.  See pow_next_bits(). */
	uint32_t	 retarget_interval;
	/* Work below which a headers chain is not worth storing (Core's
	 * nMinimumChainWork).  0 while a network has no history yet. */
	struct u256	 min_chain_work;
	/* A header's time may be at most this far (seconds) ahead of now. */
	int64_t		 max_future_time;
};

/* A header's time must be above the median of the times of this many
 * previous blocks (median time past), on every network. */
#define CHAINPARAMS_MTP_SPAN	11

/* Static tables; never NULL for a valid ID. */
const struct chainparams *chainparams_get(enum net_id id);
/* "mainnet", "testnet", "regtest"; NULL when unknown. */
const struct chainparams *chainparams_by_name(const char *name);
/* The network whose magic is MAGIC, or NULL. */
const struct chainparams *chainparams_by_magic(const uint8_t magic[4]);

#endif
