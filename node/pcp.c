/* pcp.c -- PCP (RFC 6887) and NAT-PMP (RFC 6886) wire codec.
 *
 * Requests are written with fixed offsets (they are ours); replies are
 * read only through the checked cursor of common/buf.h, field after
 * field, each read checked before its value is used.  A reply is believed
 * only when everything that identifies it as the answer to our request
 * matches; the reason for refusing one is a fixed string plus numbers, so
 * nothing the gateway sent reaches a log line unsanitised. */
#include "pcp.h"

#include <string.h>

#include "buf.h"
#include "strutil.h"

#define PCP_HEADER_LEN		24
#define PCP_MAP_LEN		36
#define PCP_OP_MAP		1
#define PCP_RESPONSE_BIT	0x80
#define PCP_OPTION_HEADER_LEN	4
#define NATPMP_HEADER_LEN	8
#define NATPMP_PUBLIC_REPLY_LEN	12
#define NATPMP_MAP_REPLY_LEN	16

static const uint8_t pcp_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static bool
rbuf_u32be(struct rbuf *r, uint32_t *out)
{
	uint16_t hi, lo;

	if (rbuf_remaining(r) < 4)
		return false;
	rbuf_u16be(r, &hi);
	rbuf_u16be(r, &lo);
	*out = (uint32_t)hi << 16 | lo;
	return true;
}

static bool
pcp_is_v4mapped(const uint8_t ip[16])
{
	return memcmp(ip, pcp_v4mapped, sizeof pcp_v4mapped) == 0;
}

const char *
pcp_result_name(unsigned code)
{
	static const char *const names[] = {
		"SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED",
		"MALFORMED_REQUEST", "UNSUPP_OPCODE", "UNSUPP_OPTION",
		"MALFORMED_OPTION", "NETWORK_FAILURE", "NO_RESOURCES",
		"UNSUPP_PROTOCOL", "USER_EX_QUOTA", "CANNOT_PROVIDE_EXTERNAL",
		"ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS",
	};

	return code < sizeof names / sizeof names[0] ? names[code] : "unknown";
}

const char *
natpmp_result_name(unsigned code)
{
	static const char *const names[] = {
		"SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED", "NETWORK_FAILURE",
		"NO_RESOURCES", "UNSUPP_OPCODE",
	};

	return code < sizeof names / sizeof names[0] ? names[code] : "unknown";
}

/* --- PCP ---------------------------------------------------------------------- */

size_t
pcp_encode_map(const struct pcp_map_request *req, uint8_t *out)
{
	uint8_t *m = out + PCP_HEADER_LEN;

	memset(out, 0, PCP_MAP_REQUEST_LEN);
	out[0] = PCP_VERSION;
	out[1] = PCP_OP_MAP;
	put32(out + 4, req->lifetime);
	memcpy(out + 8, req->client_ip, 16);
	memcpy(m, req->nonce, PCP_NONCE_LEN);
	m[12] = PCP_PROTO_TCP;
	put16(m + 16, req->internal_port);
	put16(m + 18, req->external_port);
	memcpy(m + 20, req->external_ip, 16);
	return PCP_MAP_REQUEST_LEN;
}

/* Options follow the MAP data: code, reserved, 16-bit length, the data
 * padded to a multiple of four.  We send none and use none, but a reply
 * whose options do not add up is not a reply we trust. */
static bool
pcp_options_ok(struct rbuf *r)
{
	uint8_t code, reserved;
	uint16_t olen;
	size_t padded;

	while (rbuf_remaining(r) > 0) {
		if (!rbuf_u8(r, &code) || !rbuf_u8(r, &reserved) ||
		    !rbuf_u16be(r, &olen))
			return false;
		padded = ((size_t)olen + 3) & ~(size_t)3;
		if (!rbuf_skip(r, padded))
			return false;
	}
	return true;
}

/* An UNSUPP_VERSION answer from a server older than PCP version 2.
 * NAT-PMP (version 0) writes a 16-bit result code in bytes 2-3 and echoes
 * the opcode with the response bit (some gateways answer opcode 128 for
 * any request); the PCP drafts (version 1) use PCP's layout, where byte 2
 * is reserved.  Either way byte 3 is 1. */
static bool
pcp_old_server(const uint8_t *p, size_t len)
{
	if (len < NATPMP_HEADER_LEN || len > PCP_MAX_PACKET || p[3] != PCP_RESULT_UNSUPP_VERSION)
		return false;
	if (p[0] == NATPMP_VERSION)
		return p[2] == 0 && (p[1] == (PCP_RESPONSE_BIT | PCP_OP_MAP) ||
		    p[1] == PCP_RESPONSE_BIT);
	return p[0] == 1 && p[1] == (PCP_RESPONSE_BIT | PCP_OP_MAP);
}

enum pcp_verdict
pcp_decode_map(const uint8_t *p, size_t len, const struct pcp_map_request *req,
    struct pcp_map_reply *out, char *why, size_t whylen)
{
	struct pcp_map_reply m;
	struct rbuf r;
	uint8_t opcode, reserved, nonce[PCP_NONCE_LEN], proto;
	uint16_t internal_port;
	bool v4 = pcp_is_v4mapped(req->client_ip);

	memset(&m, 0, sizeof m);
	if (len < 4) {
		str_errf(why, whylen, "%zu-byte packet", len);
		return PCP_REPLY_BAD;
	}
	if (p[0] != PCP_VERSION) {
		if (pcp_old_server(p, len)) {
			m.version = p[0];
			m.result = PCP_RESULT_UNSUPP_VERSION;
			*out = m;
			return PCP_REPLY_NATPMP_ONLY;
		}
		str_errf(why, whylen, "version %u reply", p[0]);
		return PCP_REPLY_BAD;
	}
	if (len < PCP_MAP_REQUEST_LEN || len > PCP_MAX_PACKET || len % 4 != 0) {
		str_errf(why, whylen, "%zu-byte reply (a MAP reply has 60 to 1100, "
		    "a multiple of 4)", len);
		return PCP_REPLY_BAD;
	}

	rbuf_init(&r, p, len);
	/* The lengths above make every read of the fixed part succeed; each
	 * is checked all the same, so a change of the constants cannot turn
	 * into an overread. */
	if (!rbuf_u8(&r, &m.version) || !rbuf_u8(&r, &opcode) ||
	    !rbuf_u8(&r, &reserved) || !rbuf_u8(&r, &m.result) ||
	    !rbuf_u32be(&r, &m.lifetime) || !rbuf_u32be(&r, &m.epoch) ||
	    !rbuf_skip(&r, 12) ||
	    !rbuf_bytes(&r, nonce, sizeof nonce) || !rbuf_u8(&r, &proto) ||
	    !rbuf_skip(&r, 3) || !rbuf_u16be(&r, &internal_port) ||
	    !rbuf_u16be(&r, &m.external_port) ||
	    !rbuf_bytes(&r, m.external_ip, sizeof m.external_ip)) {
		str_errf(why, whylen, "truncated reply");
		return PCP_REPLY_BAD;
	}
	if (opcode != (PCP_RESPONSE_BIT | PCP_OP_MAP)) {
		str_errf(why, whylen, "opcode %u is not a MAP response", opcode);
		return PCP_REPLY_BAD;
	}
	if (memcmp(nonce, req->nonce, sizeof nonce) != 0) {
		str_errf(why, whylen, "nonce does not match our request");
		return PCP_REPLY_BAD;
	}
	if (proto != PCP_PROTO_TCP || internal_port != req->internal_port) {
		str_errf(why, whylen, "reply for protocol %u port %u, not TCP "
		    "port %u", proto, internal_port, req->internal_port);
		return PCP_REPLY_BAD;
	}
	if (!pcp_options_ok(&r)) {
		str_errf(why, whylen, "malformed options");
		return PCP_REPLY_BAD;
	}
	if (m.result == PCP_RESULT_SUCCESS && req->lifetime > 0) {
		if (m.lifetime == 0 || m.external_port == 0) {
			str_errf(why, whylen, "success with lifetime %u and external "
			    "port %u", m.lifetime, m.external_port);
			return PCP_REPLY_BAD;
		}
		if (pcp_is_v4mapped(m.external_ip) != v4) {
			str_errf(why, whylen, "external address is not %s",
			    v4 ? "IPv4" : "IPv6");
			return PCP_REPLY_BAD;
		}
	}
	*out = m;
	return PCP_REPLY_OK;
}

/* --- NAT-PMP ---------------------------------------------------------------- */

size_t
natpmp_encode_public(uint8_t *out)
{
	out[0] = NATPMP_VERSION;
	out[1] = NATPMP_OP_PUBLIC;
	return NATPMP_PUBLIC_REQUEST_LEN;
}

size_t
natpmp_encode_map(uint16_t internal_port, uint16_t external_port,
    uint32_t lifetime, uint8_t *out)
{
	memset(out, 0, NATPMP_MAP_REQUEST_LEN);
	out[0] = NATPMP_VERSION;
	out[1] = NATPMP_OP_MAP_TCP;
	put16(out + 4, internal_port);
	put16(out + 6, lifetime == 0 ? 0 : external_port);
	put32(out + 8, lifetime);
	return NATPMP_MAP_REQUEST_LEN;
}

enum pcp_verdict
natpmp_decode(const uint8_t *p, size_t len, uint8_t opcode,
    uint16_t internal_port, uint32_t lifetime, struct natpmp_reply *out,
    char *why, size_t whylen)
{
	struct natpmp_reply n;
	struct rbuf r;
	uint8_t version, op;

	memset(&n, 0, sizeof n);
	if (len < NATPMP_HEADER_LEN || len > PCP_MAX_PACKET) {
		str_errf(why, whylen, "%zu-byte reply", len);
		return PCP_REPLY_BAD;
	}
	rbuf_init(&r, p, len);
	if (!rbuf_u8(&r, &version) || !rbuf_u8(&r, &op) ||
	    !rbuf_u16be(&r, &n.result) || !rbuf_u32be(&r, &n.epoch)) {
		str_errf(why, whylen, "truncated reply");
		return PCP_REPLY_BAD;
	}
	if (version != NATPMP_VERSION) {
		str_errf(why, whylen, "version %u reply", version);
		return PCP_REPLY_BAD;
	}
	if (op != (PCP_RESPONSE_BIT | opcode)) {
		str_errf(why, whylen, "opcode %u does not answer opcode %u", op,
		    opcode);
		return PCP_REPLY_BAD;
	}
	if (n.result != 0) {
		/* Error replies carry the header only (RFC 6886 section 3.5). */
		*out = n;
		return PCP_REPLY_OK;
	}
	if (opcode == NATPMP_OP_PUBLIC) {
		if (!rbuf_bytes(&r, n.public_ip, sizeof n.public_ip)) {
			str_errf(why, whylen, "%zu-byte public address reply", len);
			return PCP_REPLY_BAD;
		}
		*out = n;
		return PCP_REPLY_OK;
	}
	if (!rbuf_u16be(&r, &n.internal_port) || !rbuf_u16be(&r, &n.external_port) ||
	    !rbuf_u32be(&r, &n.lifetime)) {
		str_errf(why, whylen, "%zu-byte mapping reply", len);
		return PCP_REPLY_BAD;
	}
	if (n.internal_port != internal_port) {
		str_errf(why, whylen, "reply for port %u, not %u", n.internal_port,
		    internal_port);
		return PCP_REPLY_BAD;
	}
	if (lifetime > 0 && (n.lifetime == 0 || n.external_port == 0)) {
		str_errf(why, whylen, "success with lifetime %u and external port %u",
		    n.lifetime, n.external_port);
		return PCP_REPLY_BAD;
	}
	*out = n;
	return PCP_REPLY_OK;
}

/* --- epoch ------------------------------------------------------------------------ */

bool
pcp_epoch_update(struct pcp_epoch *e, uint32_t server_epoch, int64_t now_ms)
{
	int64_t client_delta, server_delta;
	bool ok = true;

	if (e->valid) {
		/* Whole seconds on both sides, as the RFC counts them. */
		client_delta = (now_ms - e->client_ms) / 1000;
		server_delta = (int64_t)server_epoch - (int64_t)e->server;
		if (server_delta < -1)
			ok = false;
		else if (client_delta + 2 < server_delta - server_delta / 16 ||
		    server_delta + 2 < client_delta - client_delta / 16)
			ok = false;
	}
	e->valid = true;
	e->server = server_epoch;
	e->client_ms = now_ms;
	return ok;
}
