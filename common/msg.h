/* msg.h -- P2P message types: in-memory form, strict payload decoder, encoder. */
#ifndef AGENTCHAIN_MSG_H
#define AGENTCHAIN_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "block_header.h"
#include "buf.h"
#include "idproof.h"
#include "netaddr.h"

/* The byte layout of every message is specified in docs/PROTOCOL.md; the
 * golden vectors in tests/unit/test_msg.c pin it. */

#define PROTO_VERSION		70200
#define PROTO_MIN_VERSION	70000
/* The first version that speaks the data messages (inv, getdata,
 * notfound, getheaders, headers) and gives getblocks, block and tx their
 * payloads.  Send none of them to a peer below it; such a peer is served
 * only the address messages. */
#define PROTO_DATA_VERSION	70200

/* Largest payload a frame may declare (4 MiB). */
#define MSG_MAX_PAYLOAD		(4u * 1024u * 1024u)
#define MSG_MAX_USER_AGENT	256
#define MSG_MAX_ADDR		1000
#define MSG_MAX_LOCATOR		101
#define MSG_MAX_INV		50000	/* entries in inv, getdata, notfound */
#define MSG_MAX_HEADERS		2000	/* headers in one headers message */

/* Inventory types (struct msg_inv.type); nothing else is accepted. */
#define MSG_INV_TX		1
#define MSG_INV_BLOCK		2

/* Service bits advertised in version and addr messages. */
#define NODE_NETWORK		(UINT64_C(1) << 0)	/* serves chain data */
#define NODE_RELAY		(UINT64_C(1) << 1)	/* relays transactions */
#define NODE_SEED		(UINT64_C(1) << 2)	/* seeder / address source */
#define NODE_P2P_V2		(UINT64_C(1) << 3)	/* speaks the v2 transport */
#define NODE_IDENTITY		(UINT64_C(1) << 4)	/* answers getidentity (node.identity) */

/* The numeric values are the wire's type byte; never renumber. */
enum msg_type {
	MSG_VERSION = 0,
	MSG_VERACK,
	MSG_GETADDR,
	MSG_ADDR,
	MSG_GETBLOCKS,
	MSG_BLOCK,
	MSG_TX,
	MSG_PING,
	MSG_PONG,
	MSG_INV = 9,		/* protocol 70200 on */
	MSG_GETDATA,
	MSG_NOTFOUND,
	MSG_GETHEADERS,
	MSG_HEADERS,
	MSG_SENDHB,		/* 14: ask a peer to push new blocks (high bandwidth) */
	MSG_GETIDENTITY = 15,	/* prove your identity key (idproof.h) */
	MSG_IDENTITY = 16,	/* the proof */
	MSG_TYPE_COUNT
};

/* sendhb flags.  HB_PUSH: send me each new block whole, at once, instead
 * of announcing its header.  The other bits are reserved: sent as 0,
 * ignored when received. */
#define MSG_HB_PUSH		0x01u

enum msg_err {
	MSG_OK = 0,
	MSG_ERR_TRUNCATED,	/* payload ends inside a field */
	MSG_ERR_TRAILING,	/* bytes left after the last field */
	MSG_ERR_TOO_MANY,	/* addr or locator count over its limit */
	MSG_ERR_STRING_TOO_LONG,	/* user agent over MSG_MAX_USER_AGENT */
	MSG_ERR_NONCANONICAL,	/* CompactSize not in its shortest form */
	MSG_ERR_OVERSIZED,	/* payload over MSG_MAX_PAYLOAD */
	MSG_ERR_BAD_CHECKSUM,	/* frame checksum does not match payload */
	MSG_ERR_BAD_MAGIC,	/* frame magic is not this network's */
	MSG_ERR_UNKNOWN_TYPE,	/* type byte >= MSG_TYPE_COUNT */
	MSG_ERR_BAD_INV_TYPE,	/* inventory type not MSG_INV_TX / MSG_INV_BLOCK */
	MSG_ERR_HEADER_TXCOUNT,	/* headers entry with a tx count other than 0 */
	MSG_ERR_TX_SIZE,	/* transaction of 0 or over BLOCK_TX_MAX_SIZE bytes */
	MSG_ERR_BLOCK_SIZE,	/* block payload over BLOCK_MAX_SIZE */
	MSG_ERR_BAD_STRING,	/* a string byte outside what its field allows */
};

/* Services and endpoint of a peer as carried inside a version message. */
struct msg_netaddr {
	uint64_t	services;
	struct netaddr	addr;
};

struct msg_version {
	uint32_t		version;
	uint64_t		services;
	int64_t			timestamp;
	struct msg_netaddr	addr_recv;
	struct msg_netaddr	addr_from;
	uint64_t		nonce;
	/* The raw bytes as received (may contain anything, even NUL),
	 * NUL-terminated for convenience.  Pass them through str_sanitize()
	 * before logging or drawing them. */
	char			user_agent[MSG_MAX_USER_AGENT + 1];
	size_t			user_agent_len;
	int32_t			start_height;
};

struct msg_addr_entry {
	uint32_t	time;
	uint64_t	services;
	struct netaddr	addr;
};

/* One inventory entry: what (MSG_INV_TX or MSG_INV_BLOCK) and its hash
 * (txid or block hash, internal byte order). */
struct msg_inv {
	uint32_t	type;
	uint8_t		hash[32];
};

/* The payload of getblocks and getheaders. */
struct msg_locator {
	uint32_t	 version;
	size_t		 count;
	uint8_t		(*hashes)[32];	/* newest first; NULL when COUNT is 0 */
	uint8_t		 stop[32];	/* all zero: as many as allowed */
};

/* One message.  Arrays (addr entries, locator hashes, inventory,
 * headers, block and tx bytes) are owned by the message and released by
 * msg_free(). */
struct msg {
	enum msg_type	type;
	/* Set by the frame reader when the frame's checksum was not compared
	 * (FRAME_DEFER_BLOCK_CHECKSUM); CHECKSUM is the frame's. */
	bool		checksum_deferred;
	uint8_t		checksum[4];
	union {
		struct msg_version	version;
		struct {
			size_t			 count;
			struct msg_addr_entry	*entries;
		} addr;
		struct msg_locator	getblocks;	/* MSG_GETBLOCKS */
		struct msg_locator	getheaders;	/* MSG_GETHEADERS */
		/* MSG_INV, MSG_GETDATA and MSG_NOTFOUND. */
		struct {
			size_t		 count;
			struct msg_inv	*entries;	/* NULL when COUNT is 0 */
		} inv;
		struct {
			size_t			 count;
			struct block_header	*headers;	/* NULL when COUNT is 0 */
		} headers;
		/* MSG_BLOCK: the payload bytes as received, kept once, with
		 * the header decoded and views of each transaction into them
		 * (block.h); block_check() it, store or relay BLOCK.DATA as it
		 * is.  msg_block_take() moves a block in without a copy. */
		struct block		block;
		/* MSG_TX: the transaction's bytes, the whole payload;
		 * 1..BLOCK_TX_MAX_SIZE of them once decoded. */
		struct {
			uint8_t		*data;
			size_t		 len;
		} tx;
		/* MSG_PING and MSG_PONG. */
		uint64_t	nonce;
		/* MSG_SENDHB: MSG_HB_* bits. */
		uint8_t		hbflags;
		struct idproof_challenge	getidentity;	/* MSG_GETIDENTITY */
		struct idproof_answer		identity;	/* MSG_IDENTITY */
	} u;
};

/* "version", "verack", ... for a known type, "unknown" otherwise. */
const char *msg_type_name(unsigned type);

/* A distinct, static, human-readable message for each code. */
const char *msg_strerror(enum msg_err err);

/* Zero M and set its type.  M is overwritten without being freed first. */
void msg_init(struct msg *m, enum msg_type type);

/* Free the arrays M owns and zero them, keeping the type.  Safe on a
 * zeroed (msg_init) message and on one already freed. */
void msg_free(struct msg *m);

/* Constructors.  M must already be initialised (msg_init or a previous
 * decode): whatever it owns is freed first, then M becomes the new
 * message.  The input arrays are copied; the caller keeps its own. */

/* MSG_ADDR with N entries.  Returns 0, or -1 (M unchanged) when N is over
 * MSG_MAX_ADDR, so that we never build a message a peer must reject. */
int msg_addr_set(struct msg *m, const struct msg_addr_entry *entries, size_t n);
/* MSG_GETBLOCKS with N locator hashes (N <= MSG_MAX_LOCATOR, else -1 and
 * M unchanged); STOP may be NULL for "as many as you have" (all zero). */
int msg_getblocks_set(struct msg *m, uint32_t version, const uint8_t (*hashes)[32],
    size_t n, const uint8_t stop[32]);
/* MSG_GETHEADERS, as msg_getblocks_set. */
int msg_getheaders_set(struct msg *m, uint32_t version, const uint8_t (*hashes)[32],
    size_t n, const uint8_t stop[32]);
/* MSG_INV, MSG_GETDATA or MSG_NOTFOUND (TYPE) with N entries.  Returns -1
 * (M unchanged) for another TYPE, N over MSG_MAX_INV or an entry whose
 * type is not MSG_INV_TX or MSG_INV_BLOCK. */
int msg_inv_set(struct msg *m, enum msg_type type, const struct msg_inv *entries, size_t n);
/* MSG_HEADERS with N headers.  Returns -1 (M unchanged) when N is over
 * MSG_MAX_HEADERS. */
int msg_headers_set(struct msg *m, const struct block_header *headers, size_t n);
/* MSG_BLOCK or MSG_TX (TYPE) from a copy of its LEN payload bytes at
 * DATA, which must decode as msg_decode would accept them (a parsed block;
 * a tx of 1..BLOCK_TX_MAX_SIZE bytes).  Returns -1 (M unchanged) for
 * another TYPE or bytes that would not decode. */
int msg_opaque_set(struct msg *m, enum msg_type type, const void *data, size_t len);
/* MSG_BLOCK holding the parsed block *B, moved in without a copy: M owns
 * B's memory afterwards and *B is zeroed.  Whatever M held is freed. */
void msg_block_take(struct msg *m, struct block *b);
/* MSG_PING / MSG_PONG carrying NONCE; M is overwritten like msg_init. */
void msg_ping_init(struct msg *m, uint64_t nonce);
void msg_pong_init(struct msg *m, uint64_t nonce);
/* MSG_SENDHB carrying FLAGS (MSG_HB_*); M is overwritten like msg_init. */
void msg_sendhb_init(struct msg *m, uint8_t flags);
/* MSG_GETIDENTITY carrying *C, MSG_IDENTITY carrying *A (copied); M is
 * overwritten like msg_init. */
void msg_getidentity_init(struct msg *m, const struct idproof_challenge *c);
void msg_identity_init(struct msg *m, const struct idproof_answer *a);
/* Copy LEN bytes of UA into V's user agent.  Returns false, storing
 * nothing, when LEN is over MSG_MAX_USER_AGENT. */
bool msg_version_set_user_agent(struct msg_version *v, const void *ua, size_t len);

/* Append M's payload (not the frame header) to PAYLOAD.  Encodes what M
 * holds even when it breaks a limit, so that tests can build bad input;
 * the constructors above keep real messages within the limits.  An
 * unknown type appends nothing. */
void msg_encode(const struct msg *m, struct wbuf *payload);

/* Decode LEN bytes of PAYLOAD as a message of TYPE into *OUT, strictly:
 * every field must be present, counts and strings within their limits,
 * CompactSize canonical, inventory types known, headers' tx counts 0,
 * blocks parsed by block_parse, and nothing left over (except the version
 * extension rule in docs/PROTOCOL.md).  PAYLOAD is untrusted; arrays are
 * allocated only after their count has been checked against both its
 * limit and the bytes actually remaining.  Decoding judges form only:
 * proof of work, merkle roots and the like are block_check's.  The types
 * of PROTO_DATA_VERSION decode whatever the peer's version; whether to
 * accept them from an older peer is the caller's policy.  *OUT is overwritten without
 * being freed first.  Returns MSG_OK (caller msg_free()s *OUT), or an
 * error with *OUT zeroed, holding nothing to free. */
enum msg_err msg_decode(unsigned type, const uint8_t *payload, size_t len, struct msg *out);

/* Do A and B hold the same message (same type and field values, arrays
 * compared by content)?  For tests and fuzzers. */
bool msg_equal(const struct msg *a, const struct msg *b);

#endif
