/* block_header.h -- the 80-byte block header: fields, wire form, hash. */
#ifndef AGENTCHAIN_BLOCK_HEADER_H
#define AGENTCHAIN_BLOCK_HEADER_H

#include <stdint.h>

/* Bytes of a serialized header; docs/PROTOCOL.md "Block header". */
#define BLOCK_HEADER_SIZE	80

/* Hashes are kept in internal byte order, as SHA-256 produced them, and
 * shown reversed (u256_hash_to_hex), as Bitcoin does. */
struct block_header {
	int32_t		version;
	uint8_t		prev_hash[32];	/* parent's block hash; zeros for genesis */
	uint8_t		merkle_root[32];	/* merkle root of the txids */
	uint32_t	time;		/* Unix seconds */
	uint32_t	bits;		/* compact target, see pow.h */
	uint32_t	nonce;
};

/* OUT = the 80 wire bytes of H: version i32, prev_hash, merkle_root,
 * time u32, bits u32, nonce u32, integers little-endian. */
void block_header_encode(const struct block_header *h, uint8_t out[BLOCK_HEADER_SIZE]);

/* *H = the header in the 80 bytes at IN.  Every 80 bytes are some
 * header, so this cannot fail; the caller checks that 80 bytes are there. */
void block_header_decode(const uint8_t in[BLOCK_HEADER_SIZE], struct block_header *h);

/* OUT = the block hash: SHA-256(SHA-256(the 80 wire bytes)).
 * hash_init() must have been called. */
void block_header_hash(const struct block_header *h, uint8_t out[32]);

#endif
