/* block.h -- a serialized block: strict parse into header + transaction views, build, context-free checks. */
#ifndef AGENTCHAIN_BLOCK_H
#define AGENTCHAIN_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block_header.h"

struct chainparams;

/* Wire form (docs/PROTOCOL.md "Block"): the 80-byte header, a CompactSize
 * transaction count, then each transaction as a CompactSize length and
 * that many opaque bytes.  txid = SHA-256d(the transaction's bytes). */

/* Largest serialized block, header included (as Bitcoin's
 * MAX_BLOCK_SERIALIZED_SIZE); below MSG_MAX_PAYLOAD, so a largest block
 * always fits in one frame. */
#define BLOCK_MAX_SIZE		4000000
/* A transaction is 1 to 100,000 bytes. */
#define BLOCK_TX_MIN_SIZE	1
#define BLOCK_TX_MAX_SIZE	100000
/* Most transactions that fit in BLOCK_MAX_SIZE: header, a 5-byte count,
 * then 2 bytes (length 1 + 1 byte) each.  1,999,957. */
#define BLOCK_MAX_TXS		((BLOCK_MAX_SIZE - BLOCK_HEADER_SIZE - 5) / 2)

/* Why a block or header was refused: a distinct code per failure, each
 * with a stable name for logs (block_err_name).  The parse errors come
 * from block_parse/block_build; block_check_header, block_check and
 * chaincheck_header (chaincheck.h) return the rest. */
enum block_err {
	BLOCK_OK = 0,
	/* Structure (block_parse, block_build). */
	BLOCK_ERR_TRUNCATED,	/* "truncated": ends inside a field */
	BLOCK_ERR_TRAILING,	/* "trailing-bytes": bytes after the last tx */
	BLOCK_ERR_NONCANONICAL,	/* "noncanonical-size": CompactSize not minimal */
	BLOCK_ERR_TOO_LARGE,	/* "bad-blk-size": over BLOCK_MAX_SIZE */
	BLOCK_ERR_TOO_MANY_TXS,	/* "bad-blk-txcount": count over BLOCK_MAX_TXS */
	BLOCK_ERR_TX_SIZE,	/* "bad-tx-size": a tx of 0 or over 100,000 bytes */
	/* Context-free checks (block_check_header, block_check). */
	BLOCK_ERR_BAD_TARGET,	/* "bad-target": bits negative, 0, overflowing or above pow_limit */
	BLOCK_ERR_HIGH_HASH,	/* "high-hash": hash above the target */
	BLOCK_ERR_BAD_MERKLE,	/* "bad-txnmrklroot": merkle root does not match */
	BLOCK_ERR_MUTATED,	/* "bad-txns-mutated": CVE-2012-2459 duplicate subtree */
	BLOCK_ERR_NO_TX,	/* "bad-blk-empty": no transaction */
	BLOCK_ERR_DUPLICATE_TX,	/* "bad-txns-duplicate": a txid twice */
	/* Chain context (chaincheck_header). */
	BLOCK_ERR_BAD_DIFFBITS,	/* "bad-diffbits": bits not the expected retarget */
	BLOCK_ERR_TIME_TOO_OLD,	/* "time-too-old": not above median time past */
	BLOCK_ERR_TIME_TOO_NEW,	/* "time-too-new": more than 2 h ahead of now */
};

/* Where one transaction lies in struct block's DATA: bytes
 * DATA[OFF .. OFF+LEN), without its length prefix. */
struct block_tx {
	uint32_t	off;
	uint32_t	len;
};

/* A parsed block.  The serialized bytes are kept as they came (so a block
 * is stored and relayed without being re-encoded) and the views point
 * into them; nothing is copied per transaction.  Owns DATA and TX;
 * block_free releases both.  A zeroed struct is an empty block that
 * block_free accepts.  Invariant after a successful parse or build:
 * HEADER is the decoding of DATA's first 80 bytes, and TX lists every
 * transaction in order. */
struct block {
	uint8_t			*data;
	size_t			 len;
	struct block_header	 header;
	size_t			 tx_count;
	struct block_tx		*tx;	/* TX_COUNT entries; NULL when 0 */
};

/* A transaction to put in a block: LEN bytes at DATA (not owned). */
struct block_txdata {
	const uint8_t	*data;
	size_t		 len;
};

/* "truncated", "high-hash", ... as listed above; "ok" for BLOCK_OK,
 * "unknown" for anything else.  Static strings. */
const char *block_err_name(enum block_err err);

/* Parse the LEN untrusted bytes at DATA as one serialized block, strictly:
 * LEN <= BLOCK_MAX_SIZE (judged first, from LEN alone), CompactSizes
 * minimal, the count <= BLOCK_MAX_TXS and no larger than the remaining
 * bytes can hold, every tx 1..BLOCK_TX_MAX_SIZE bytes, nothing after the
 * last one.  The whole structure is validated before anything is
 * allocated.  A count of 0 parses (block_check refuses it).
 * On BLOCK_OK, *B holds a copy of the bytes and the views (block_free it);
 * on error *B is zeroed.  *B is overwritten without being freed first. */
enum block_err block_parse(struct block *b, const uint8_t *data, size_t len);

/* As block_parse, but adopting DATA instead of copying it: on BLOCK_OK *B
 * owns DATA (which must come from malloc); on error DATA stays the
 * caller's and *B is zeroed.  For blocks read from disk. */
enum block_err block_parse_take(struct block *b, uint8_t *data, size_t len);

/* Serialize H and the N transactions TXS into a new block in *B, parsed
 * as block_parse would.  H is used as given (compute the merkle root
 * first, or afterwards with block_txids + merkle_root + block_set_header).
 * Returns BLOCK_ERR_TX_SIZE, BLOCK_ERR_TOO_MANY_TXS or BLOCK_ERR_TOO_LARGE
 * (*B zeroed) instead of building a block no peer would accept.  *B is
 * overwritten without being freed first. */
enum block_err block_build(struct block *b, const struct block_header *h,
    const struct block_txdata *txs, size_t n);

/* Replace B's header (the struct and the first 80 bytes of DATA) with H:
 * after mining, or after filling in the merkle root.  B must hold a
 * parsed or built block. */
void block_set_header(struct block *b, const struct block_header *h);

/* Transaction I (< B->tx_count) of B: its bytes, *LEN of them. */
const uint8_t *block_tx_bytes(const struct block *b, size_t i, size_t *len);

/* OUT = the txid of LEN transaction bytes at TX: SHA-256d(TX).  The same
 * for a tx message's payload and a transaction inside a block. */
void block_txid(const void *tx, size_t len, uint8_t out[32]);

/* The txids of B's transactions in order, a newly allocated array of
 * B->tx_count hashes; caller frees.  NULL when B has no transaction. */
uint8_t (*block_txids(const struct block *b))[32];

/* The checks of a header that need no chain: bits give a valid target on
 * P's network (BLOCK_ERR_BAD_TARGET) and the hash is at most that target
 * (BLOCK_ERR_HIGH_HASH).  For each header of a headers message. */
enum block_err block_check_header(const struct block_header *h, const struct chainparams *p);

/* The checks of a parsed block that need no chain, cheapest first:
 * block_check_header; at least one transaction (NO_TX); size limits
 * (TOO_LARGE, TOO_MANY_TXS, TX_SIZE -- always true of a parsed block,
 * checked again with the views because the struct is public); the merkle
 * root of the txids equals the header's (BAD_MERKLE) and is not mutated
 * (MUTATED); no txid twice (DUPLICATE_TX).
 *
 * BAD_MERKLE and MUTATED condemn these bytes, not the header: a valid
 * block with the same hash may exist (a peer can mutate a valid block
 * without changing its hash).  Punish the peer, but do not mark the block
 * hash invalid for them.  Allocates 32 bytes per transaction for the
 * txids (64 MB at BLOCK_MAX_TXS), after the proof of work has passed. */
enum block_err block_check(const struct block *b, const struct chainparams *p);

/* Build P's genesis block (header fields and one transaction from
 * P->genesis, merkle root computed) into *B; block_free it.  Its hash
 * equals P->genesis.hash (tests pin it).  *B is overwritten without being
 * freed first. */
void block_genesis(struct block *b, const struct chainparams *p);

/* Release what B owns and zero it.  Safe on a zeroed block and twice. */
void block_free(struct block *b);

#endif
