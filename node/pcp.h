/* pcp.h -- PCP (RFC 6887) and NAT-PMP (RFC 6886) wire codec: requests out, every reply checked. */
#ifndef AGENTCHAIN_PCP_H
#define AGENTCHAIN_PCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Both protocols talk to UDP port 5351 of the gateway and share the first
 * byte (the version: 0 for NAT-PMP, 2 for PCP) and the position of the
 * result code, which is how a NAT-PMP-only gateway tells a PCP client to
 * fall back (RFC 6887 section 9).  Everything here is pure: no I/O, no
 * clock of its own, no allocation.  Replies come from the network and are
 * treated as hostile: length, version, opcode, result code, the PCP nonce,
 * protocol and port are all checked before any field is believed.
 */

#define PCP_SERVER_PORT		5351
#define PCP_VERSION		2
#define NATPMP_VERSION		0
#define PCP_MAX_PACKET		1100	/* RFC 6887 section 7 */
#define PCP_NONCE_LEN		12
#define PCP_PROTO_TCP		6
#define PCP_MAP_REQUEST_LEN	60	/* 24-byte header + 36-byte MAP */
#define NATPMP_PUBLIC_REQUEST_LEN 2
#define NATPMP_MAP_REQUEST_LEN	12

/* PCP result codes (RFC 6887 section 7.4); 0..2 mean the same in NAT-PMP. */
enum pcp_result {
	PCP_RESULT_SUCCESS = 0,
	PCP_RESULT_UNSUPP_VERSION = 1,
	PCP_RESULT_NOT_AUTHORIZED = 2,
	PCP_RESULT_MALFORMED_REQUEST = 3,
	PCP_RESULT_UNSUPP_OPCODE = 4,
	PCP_RESULT_UNSUPP_OPTION = 5,
	PCP_RESULT_MALFORMED_OPTION = 6,
	PCP_RESULT_NETWORK_FAILURE = 7,
	PCP_RESULT_NO_RESOURCES = 8,
	PCP_RESULT_UNSUPP_PROTOCOL = 9,
	PCP_RESULT_USER_EX_QUOTA = 10,
	PCP_RESULT_CANNOT_PROVIDE_EXTERNAL = 11,
	PCP_RESULT_ADDRESS_MISMATCH = 12,
	PCP_RESULT_EXCESSIVE_REMOTE_PEERS = 13,
};

/* What a reply turned out to be. */
enum pcp_verdict {
	PCP_REPLY_OK = 0,	/* the answer to our request; its result code may be an error */
	PCP_REPLY_NATPMP_ONLY,	/* UNSUPP_VERSION from a server older than PCP v2: use NAT-PMP */
	PCP_REPLY_BAD,		/* not an answer to our request: drop it, keep waiting */
};

/* A PCP MAP request (RFC 6887 section 11.1), for TCP.  Addresses are in
 * struct netaddr's form: 16 bytes, IPv4 as ::ffff:a.b.c.d. */
struct pcp_map_request {
	uint8_t		nonce[PCP_NONCE_LEN];
	uint32_t	lifetime;		/* 0 deletes the mapping */
	uint8_t		client_ip[16];		/* our address as the gateway sees it */
	uint16_t	internal_port;
	uint16_t	external_port;		/* suggested; 0: no preference */
	uint8_t		external_ip[16];	/* suggested; ::ffff:0.0.0.0 or :: for none */
};

/* The fields of a PCP MAP response that pcp_decode_map checked. */
struct pcp_map_reply {
	uint8_t		version;	/* the server's, for PCP_REPLY_NATPMP_ONLY */
	uint8_t		result;		/* enum pcp_result, or an unknown code */
	uint32_t	lifetime;	/* granted seconds (0 after a deletion) */
	uint32_t	epoch;		/* server's seconds since its state began */
	uint16_t	external_port;	/* assigned */
	uint8_t		external_ip[16];/* assigned, same family as the request's */
};

/* A NAT-PMP reply (RFC 6886 sections 3.2 and 3.3). */
struct natpmp_reply {
	uint16_t	result;		/* 0..5, or an unknown code */
	uint32_t	epoch;
	uint8_t		public_ip[4];	/* public-address reply with result 0 */
	uint16_t	internal_port;	/* mapping reply: echoes ours */
	uint16_t	external_port;	/* mapping reply: assigned (0 after a deletion) */
	uint32_t	lifetime;	/* mapping reply: granted seconds */
};

/* NAT-PMP opcodes we send (RFC 6886 section 3). */
#define NATPMP_OP_PUBLIC	0
#define NATPMP_OP_MAP_TCP	2

/* Write the 60-byte MAP request for REQ into OUT (at least
 * PCP_MAP_REQUEST_LEN bytes).  Returns the length written. */
size_t pcp_encode_map(const struct pcp_map_request *req, uint8_t *out);

/* Check the LEN bytes at P as the reply to REQ.  PCP_REPLY_OK only for a
 * well-formed version-2 MAP response whose nonce, protocol and internal
 * port are REQ's, with well-formed options (ignored), and, when it reports
 * success for a mapping (REQ->lifetime > 0), a non-zero lifetime and
 * external port and an external address of REQ's family.
 * PCP_REPLY_NATPMP_ONLY for an UNSUPP_VERSION answer of version 0 or 1 (a
 * NAT-PMP gateway answers a PCP request that way).  Otherwise
 * PCP_REPLY_BAD with the reason in WHY (no bytes of the reply quoted).
 * OUT is filled for OK and NATPMP_ONLY only. */
enum pcp_verdict pcp_decode_map(const uint8_t *p, size_t len,
    const struct pcp_map_request *req, struct pcp_map_reply *out, char *why,
    size_t whylen);

/* The public address request: writes 2 bytes into OUT, returns 2. */
size_t natpmp_encode_public(uint8_t *out);

/* A TCP mapping request: writes 12 bytes into OUT, returns 12.  LIFETIME
 * 0 deletes (RFC 6886 section 3.4: the suggested port is then sent as 0,
 * whatever EXTERNAL_PORT says). */
size_t natpmp_encode_map(uint16_t internal_port, uint16_t external_port,
    uint32_t lifetime, uint8_t *out);

/* Check the LEN bytes at P as the reply to the NAT-PMP request OPCODE
 * (NATPMP_OP_PUBLIC or NATPMP_OP_MAP_TCP; for the latter INTERNAL_PORT and
 * LIFETIME are the request's).  Version 0, opcode 128+OPCODE, at most
 * PCP_MAX_PACKET bytes; an error result needs only the 8-byte header, a
 * success the whole reply (12 or 16 bytes; more is ignored), a mapping
 * reply must echo INTERNAL_PORT and, when LIFETIME > 0, grant a non-zero
 * lifetime and external port.  Returns PCP_REPLY_OK with OUT filled, or
 * PCP_REPLY_BAD with the reason in WHY. */
enum pcp_verdict natpmp_decode(const uint8_t *p, size_t len, uint8_t opcode,
    uint16_t internal_port, uint32_t lifetime, struct natpmp_reply *out,
    char *why, size_t whylen);

/* "NOT_AUTHORIZED" and the like; "unknown" for codes not in the RFCs. */
const char *pcp_result_name(unsigned code);
const char *natpmp_result_name(unsigned code);

/* The server epoch check of RFC 6887 section 8.5 (RFC 6886 section 3.6
 * asks the same): a server whose epoch went back, or moved much faster or
 * slower than our clock, has lost its state -- rebooted, or is not the
 * server we spoke to before.  Zero-initialise; call for every accepted
 * reply with the server's epoch and our monotonic time in ms.  Returns
 * true when the epoch is consistent (always for the first reply), false
 * when the server lost its state.  Either way E then holds this reply. */
struct pcp_epoch {
	bool		valid;
	uint32_t	server;
	int64_t		client_ms;
};
bool pcp_epoch_update(struct pcp_epoch *e, uint32_t server_epoch, int64_t now_ms);

#endif
