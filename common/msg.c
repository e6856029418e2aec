/* msg.c -- P2P message payloads: strict decoder and encoder.
 *
 * Decoding is strict so that each message has exactly one encoding: a
 * peer cannot make two nodes disagree about what it sent, and fuzzing can
 * check encode(decode(x)) == x.  Every read goes through struct rbuf, and
 * every count from the wire is checked against its limit and against the
 * bytes left before anything is allocated, so a 20-byte message can never
 * make us allocate for 1000 entries. */
#include "msg.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* services u64 + ip[16] + port u16 */
#define NETADDR_WIRE_LEN	26
/* time u32 + NETADDR_WIRE_LEN */
#define ADDR_ENTRY_WIRE_LEN	30
/* type u32 + hash */
#define INV_ENTRY_WIRE_LEN	36
/* header + tx count (CompactSize 0, one byte) */
#define HEADERS_ENTRY_WIRE_LEN	(BLOCK_HEADER_SIZE + 1)

static const char *const msg_type_names[MSG_TYPE_COUNT] = {
	[MSG_VERSION] = "version",
	[MSG_VERACK] = "verack",
	[MSG_GETADDR] = "getaddr",
	[MSG_ADDR] = "addr",
	[MSG_GETBLOCKS] = "getblocks",
	[MSG_BLOCK] = "block",
	[MSG_TX] = "tx",
	[MSG_PING] = "ping",
	[MSG_PONG] = "pong",
	[MSG_INV] = "inv",
	[MSG_GETDATA] = "getdata",
	[MSG_NOTFOUND] = "notfound",
	[MSG_GETHEADERS] = "getheaders",
	[MSG_HEADERS] = "headers",
	[MSG_SENDHB] = "sendhb",
	[MSG_GETIDENTITY] = "getidentity",
	[MSG_IDENTITY] = "identity",
};

const char *
msg_type_name(unsigned type)
{
	if (type >= MSG_TYPE_COUNT)
		return "unknown";
	return msg_type_names[type];
}

const char *
msg_strerror(enum msg_err err)
{
	switch (err) {
	case MSG_OK:
		return "ok";
	case MSG_ERR_TRUNCATED:
		return "payload truncated";
	case MSG_ERR_TRAILING:
		return "trailing bytes after message";
	case MSG_ERR_TOO_MANY:
		return "item count over limit";
	case MSG_ERR_STRING_TOO_LONG:
		return "string over length limit";
	case MSG_ERR_NONCANONICAL:
		return "non-canonical CompactSize";
	case MSG_ERR_OVERSIZED:
		return "payload over maximum size";
	case MSG_ERR_BAD_CHECKSUM:
		return "bad checksum";
	case MSG_ERR_BAD_MAGIC:
		return "bad network magic";
	case MSG_ERR_UNKNOWN_TYPE:
		return "unknown message type";
	case MSG_ERR_BAD_INV_TYPE:
		return "unknown inventory type";
	case MSG_ERR_HEADER_TXCOUNT:
		return "headers entry with transactions";
	case MSG_ERR_TX_SIZE:
		return "transaction size out of range";
	case MSG_ERR_BLOCK_SIZE:
		return "block over maximum size";
	case MSG_ERR_BAD_STRING:
		return "string with a forbidden byte";
	}
	return "unknown error";
}

void
msg_init(struct msg *m, enum msg_type type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
}

void
msg_free(struct msg *m)
{
	switch (m->type) {
	case MSG_ADDR:
		free(m->u.addr.entries);
		m->u.addr.entries = NULL;
		m->u.addr.count = 0;
		break;
	case MSG_GETBLOCKS:
	case MSG_GETHEADERS:
		free(m->u.getblocks.hashes);
		m->u.getblocks.hashes = NULL;
		m->u.getblocks.count = 0;
		break;
	case MSG_INV:
	case MSG_GETDATA:
	case MSG_NOTFOUND:
		free(m->u.inv.entries);
		m->u.inv.entries = NULL;
		m->u.inv.count = 0;
		break;
	case MSG_HEADERS:
		free(m->u.headers.headers);
		m->u.headers.headers = NULL;
		m->u.headers.count = 0;
		break;
	case MSG_BLOCK:
		block_free(&m->u.block);
		break;
	case MSG_TX:
		free(m->u.tx.data);
		m->u.tx.data = NULL;
		m->u.tx.len = 0;
		break;
	default:
		break;
	}
}

/* A copy of N items of SIZE bytes at SRC; NULL when N is 0. */
static void *
dup_array(const void *src, size_t n, size_t size)
{
	void *copy;

	if (n == 0)
		return NULL;
	copy = xreallocarray(NULL, n, size);
	memcpy(copy, src, n * size);
	return copy;
}

int
msg_addr_set(struct msg *m, const struct msg_addr_entry *entries, size_t n)
{
	struct msg_addr_entry *copy;

	if (n > MSG_MAX_ADDR)
		return -1;
	copy = dup_array(entries, n, sizeof(*copy));
	msg_free(m);
	msg_init(m, MSG_ADDR);
	m->u.addr.count = n;
	m->u.addr.entries = copy;
	return 0;
}

/* The locator messages differ only in their type. */
static int
locator_set(struct msg *m, enum msg_type type, uint32_t version,
    const uint8_t (*hashes)[32], size_t n, const uint8_t stop[32])
{
	uint8_t (*copy)[32];

	if (n > MSG_MAX_LOCATOR)
		return -1;
	copy = dup_array(hashes, n, sizeof(*copy));
	msg_free(m);
	msg_init(m, type);
	m->u.getblocks.version = version;
	m->u.getblocks.count = n;
	m->u.getblocks.hashes = copy;
	if (stop != NULL)
		memcpy(m->u.getblocks.stop, stop, 32);
	return 0;
}

int
msg_getblocks_set(struct msg *m, uint32_t version, const uint8_t (*hashes)[32],
    size_t n, const uint8_t stop[32])
{
	return locator_set(m, MSG_GETBLOCKS, version, hashes, n, stop);
}

int
msg_getheaders_set(struct msg *m, uint32_t version, const uint8_t (*hashes)[32],
    size_t n, const uint8_t stop[32])
{
	return locator_set(m, MSG_GETHEADERS, version, hashes, n, stop);
}

static bool
inv_type_known(uint32_t type)
{
	return type == MSG_INV_TX || type == MSG_INV_BLOCK;
}

int
msg_inv_set(struct msg *m, enum msg_type type, const struct msg_inv *entries, size_t n)
{
	struct msg_inv *copy;

	if ((type != MSG_INV && type != MSG_GETDATA && type != MSG_NOTFOUND) ||
	    n > MSG_MAX_INV)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!inv_type_known(entries[i].type))
			return -1;
	copy = dup_array(entries, n, sizeof(*copy));
	msg_free(m);
	msg_init(m, type);
	m->u.inv.count = n;
	m->u.inv.entries = copy;
	return 0;
}

int
msg_headers_set(struct msg *m, const struct block_header *headers, size_t n)
{
	struct block_header *copy;

	if (n > MSG_MAX_HEADERS)
		return -1;
	copy = dup_array(headers, n, sizeof(*copy));
	msg_free(m);
	msg_init(m, MSG_HEADERS);
	m->u.headers.count = n;
	m->u.headers.headers = copy;
	return 0;
}

int
msg_opaque_set(struct msg *m, enum msg_type type, const void *data, size_t len)
{
	struct msg tmp;

	if (type != MSG_BLOCK && type != MSG_TX)
		return -1;
	/* The decoder is the one judge of what a block or tx is; it copies. */
	if (msg_decode(type, data, len, &tmp) != MSG_OK)
		return -1;
	msg_free(m);
	*m = tmp;
	return 0;
}

void
msg_block_take(struct msg *m, struct block *b)
{
	msg_free(m);
	msg_init(m, MSG_BLOCK);
	m->u.block = *b;
	memset(b, 0, sizeof(*b));
}

void
msg_ping_init(struct msg *m, uint64_t nonce)
{
	msg_init(m, MSG_PING);
	m->u.nonce = nonce;
}

void
msg_pong_init(struct msg *m, uint64_t nonce)
{
	msg_init(m, MSG_PONG);
	m->u.nonce = nonce;
}

void
msg_sendhb_init(struct msg *m, uint8_t flags)
{
	msg_init(m, MSG_SENDHB);
	m->u.hbflags = flags;
}

void
msg_getidentity_init(struct msg *m, const struct idproof_challenge *c)
{
	msg_init(m, MSG_GETIDENTITY);
	m->u.getidentity = *c;
}

void
msg_identity_init(struct msg *m, const struct idproof_answer *a)
{
	msg_init(m, MSG_IDENTITY);
	m->u.identity = *a;
}

bool
msg_version_set_user_agent(struct msg_version *v, const void *ua, size_t len)
{
	if (len > MSG_MAX_USER_AGENT)
		return false;
	if (len > 0)
		memcpy(v->user_agent, ua, len);
	v->user_agent[len] = '\0';
	v->user_agent_len = len;
	return true;
}

/* --- encoding -------------------------------------------------------- */

static void
encode_addr(struct wbuf *w, const struct netaddr *a)
{
	wbuf_bytes(w, a->ip, sizeof(a->ip));
	wbuf_u16be(w, a->port);
}

static void
encode_version(struct wbuf *w, const struct msg_version *v)
{
	wbuf_u32le(w, v->version);
	wbuf_u64le(w, v->services);
	wbuf_i64le(w, v->timestamp);
	wbuf_u64le(w, v->addr_recv.services);
	encode_addr(w, &v->addr_recv.addr);
	wbuf_u64le(w, v->addr_from.services);
	encode_addr(w, &v->addr_from.addr);
	wbuf_u64le(w, v->nonce);
	wbuf_compactsize(w, v->user_agent_len);
	wbuf_bytes(w, v->user_agent, v->user_agent_len);
	wbuf_i32le(w, v->start_height);
}

void
msg_encode(const struct msg *m, struct wbuf *w)
{
	size_t i;

	switch (m->type) {
	case MSG_VERSION:
		encode_version(w, &m->u.version);
		break;
	case MSG_VERACK:
	case MSG_GETADDR:
		break;
	case MSG_ADDR:
		wbuf_compactsize(w, m->u.addr.count);
		wbuf_reserve(w, m->u.addr.count * ADDR_ENTRY_WIRE_LEN);
		for (i = 0; i < m->u.addr.count; i++) {
			const struct msg_addr_entry *e = &m->u.addr.entries[i];

			wbuf_u32le(w, e->time);
			wbuf_u64le(w, e->services);
			encode_addr(w, &e->addr);
		}
		break;
	case MSG_GETBLOCKS:
	case MSG_GETHEADERS:
		wbuf_u32le(w, m->u.getblocks.version);
		wbuf_compactsize(w, m->u.getblocks.count);
		if (m->u.getblocks.count > 0)
			wbuf_bytes(w, m->u.getblocks.hashes,
			    m->u.getblocks.count * sizeof(*m->u.getblocks.hashes));
		wbuf_bytes(w, m->u.getblocks.stop, sizeof(m->u.getblocks.stop));
		break;
	case MSG_INV:
	case MSG_GETDATA:
	case MSG_NOTFOUND:
		wbuf_compactsize(w, m->u.inv.count);
		wbuf_reserve(w, m->u.inv.count * INV_ENTRY_WIRE_LEN);
		for (i = 0; i < m->u.inv.count; i++) {
			wbuf_u32le(w, m->u.inv.entries[i].type);
			wbuf_bytes(w, m->u.inv.entries[i].hash, 32);
		}
		break;
	case MSG_HEADERS:
		wbuf_compactsize(w, m->u.headers.count);
		wbuf_reserve(w, m->u.headers.count * HEADERS_ENTRY_WIRE_LEN);
		for (i = 0; i < m->u.headers.count; i++) {
			uint8_t h[BLOCK_HEADER_SIZE];

			block_header_encode(&m->u.headers.headers[i], h);
			wbuf_bytes(w, h, sizeof(h));
			wbuf_compactsize(w, 0);
		}
		break;
	case MSG_BLOCK:
		if (m->u.block.len > 0)
			wbuf_bytes(w, m->u.block.data, m->u.block.len);
		break;
	case MSG_TX:
		if (m->u.tx.len > 0)
			wbuf_bytes(w, m->u.tx.data, m->u.tx.len);
		break;
	case MSG_PING:
	case MSG_PONG:
		wbuf_u64le(w, m->u.nonce);
		break;
	case MSG_SENDHB:
		wbuf_u8(w, m->u.hbflags);
		break;
	case MSG_GETIDENTITY:
		idproof_challenge_encode(&m->u.getidentity, w);
		break;
	case MSG_IDENTITY:
		idproof_answer_encode(&m->u.identity, w);
		break;
	default:
		break;
	}
}

/* --- decoding -------------------------------------------------------- */

/* Read a CompactSize count of ITEM_LEN-byte items; OVER is the error for
 * a count above LIMIT.  A count the remaining bytes cannot hold is
 * TRUNCATED at once, before the caller allocates anything for it. */
/* A CompactSize into *N: MSG_OK, NONCANONICAL or TRUNCATED. */
static enum msg_err
decode_compactsize(struct rbuf *r, uint64_t *n)
{
	switch (rbuf_compactsize(r, n)) {
	case RBUF_OK:
		return MSG_OK;
	case RBUF_NONCANONICAL:
		return MSG_ERR_NONCANONICAL;
	default:
		return MSG_ERR_TRUNCATED;
	}
}

static enum msg_err
decode_count(struct rbuf *r, uint64_t limit, enum msg_err over, size_t item_len,
    size_t *out)
{
	enum msg_err err;
	uint64_t n;

	if ((err = decode_compactsize(r, &n)) != MSG_OK)
		return err;
	if (n > limit)
		return over;
	/* N is at most LIMIT here, so the product cannot overflow. */
	if (n * item_len > rbuf_remaining(r))
		return MSG_ERR_TRUNCATED;
	*out = (size_t)n;
	return MSG_OK;
}

static bool
decode_addr(struct rbuf *r, struct netaddr *a)
{
	return rbuf_bytes(r, a->ip, sizeof(a->ip)) && rbuf_u16be(r, &a->port);
}

static bool
decode_msg_netaddr(struct rbuf *r, struct msg_netaddr *na)
{
	return rbuf_u64le(r, &na->services) && decode_addr(r, &na->addr);
}

static enum msg_err
decode_version(struct rbuf *r, struct msg_version *v)
{
	enum msg_err err;
	size_t n;

	if (!rbuf_u32le(r, &v->version) ||
	    !rbuf_u64le(r, &v->services) ||
	    !rbuf_i64le(r, &v->timestamp) ||
	    !decode_msg_netaddr(r, &v->addr_recv) ||
	    !decode_msg_netaddr(r, &v->addr_from) ||
	    !rbuf_u64le(r, &v->nonce))
		return MSG_ERR_TRUNCATED;
	if ((err = decode_count(r, MSG_MAX_USER_AGENT, MSG_ERR_STRING_TOO_LONG, 1,
	    &n)) != MSG_OK)
		return err;
	if (!rbuf_bytes(r, v->user_agent, n))
		return MSG_ERR_TRUNCATED;
	v->user_agent[n] = '\0';
	v->user_agent_len = n;
	if (!rbuf_i32le(r, &v->start_height))
		return MSG_ERR_TRUNCATED;
	/* A newer peer may append fields we do not know yet; from an equal
	 * or older one, extra bytes can only be garbage. */
	if (v->version > PROTO_VERSION)
		rbuf_skip(r, rbuf_remaining(r));
	return MSG_OK;
}

static enum msg_err
decode_addr_msg(struct rbuf *r, struct msg *m)
{
	enum msg_err err;
	size_t n, i;

	if ((err = decode_count(r, MSG_MAX_ADDR, MSG_ERR_TOO_MANY,
	    ADDR_ENTRY_WIRE_LEN, &n)) != MSG_OK)
		return err;
	if (n == 0)
		return MSG_OK;
	m->u.addr.entries = xcalloc(n, sizeof(*m->u.addr.entries));
	m->u.addr.count = n;
	for (i = 0; i < n; i++) {
		struct msg_addr_entry *e = &m->u.addr.entries[i];

		/* Cannot fail: decode_count checked the bytes are there. */
		if (!rbuf_u32le(r, &e->time) || !rbuf_u64le(r, &e->services) ||
		    !decode_addr(r, &e->addr))
			return MSG_ERR_TRUNCATED;
	}
	return MSG_OK;
}

static enum msg_err
decode_locator(struct rbuf *r, struct msg *m)
{
	enum msg_err err;
	size_t n;

	if (!rbuf_u32le(r, &m->u.getblocks.version))
		return MSG_ERR_TRUNCATED;
	if ((err = decode_count(r, MSG_MAX_LOCATOR, MSG_ERR_TOO_MANY, 32,
	    &n)) != MSG_OK)
		return err;
	if (n > 0) {
		m->u.getblocks.hashes = xreallocarray(NULL, n, 32);
		m->u.getblocks.count = n;
		if (!rbuf_bytes(r, m->u.getblocks.hashes, n * 32))
			return MSG_ERR_TRUNCATED;
	}
	if (!rbuf_bytes(r, m->u.getblocks.stop, 32))
		return MSG_ERR_TRUNCATED;
	return MSG_OK;
}

static enum msg_err
decode_inv(struct rbuf *r, struct msg *m)
{
	enum msg_err err;
	size_t n, i;

	if ((err = decode_count(r, MSG_MAX_INV, MSG_ERR_TOO_MANY,
	    INV_ENTRY_WIRE_LEN, &n)) != MSG_OK)
		return err;
	if (n == 0)
		return MSG_OK;
	m->u.inv.entries = xreallocarray(NULL, n, sizeof(*m->u.inv.entries));
	m->u.inv.count = n;
	for (i = 0; i < n; i++) {
		struct msg_inv *e = &m->u.inv.entries[i];

		/* Cannot be short: decode_count checked the bytes are there. */
		if (!rbuf_u32le(r, &e->type) || !rbuf_bytes(r, e->hash, 32))
			return MSG_ERR_TRUNCATED;
		if (!inv_type_known(e->type))
			return MSG_ERR_BAD_INV_TYPE;
	}
	return MSG_OK;
}

static enum msg_err
decode_headers(struct rbuf *r, struct msg *m)
{
	enum msg_err err;
	size_t n, i;
	uint64_t txs;

	/* Each entry takes at least 81 bytes (a longer, non-canonical tx
	 * count is refused below), so the count is bounded by them. */
	if ((err = decode_count(r, MSG_MAX_HEADERS, MSG_ERR_TOO_MANY,
	    HEADERS_ENTRY_WIRE_LEN, &n)) != MSG_OK)
		return err;
	if (n == 0)
		return MSG_OK;
	m->u.headers.headers = xreallocarray(NULL, n, sizeof(*m->u.headers.headers));
	m->u.headers.count = n;
	for (i = 0; i < n; i++) {
		const uint8_t *p = rbuf_peek(r, BLOCK_HEADER_SIZE);

		if (p == NULL)
			return MSG_ERR_TRUNCATED;
		block_header_decode(p, &m->u.headers.headers[i]);
		rbuf_skip(r, BLOCK_HEADER_SIZE);
		if ((err = decode_compactsize(r, &txs)) != MSG_OK)
			return err;
		if (txs != 0)
			return MSG_ERR_HEADER_TXCOUNT;
	}
	return MSG_OK;
}

static enum msg_err
decode_block(struct rbuf *r, struct msg *m)
{
	size_t n = rbuf_remaining(r);

	if (n == 0)	/* no pointer arithmetic on an empty (maybe NULL) payload */
		return MSG_ERR_TRUNCATED;
	switch (block_parse(&m->u.block, rbuf_peek(r, n), n)) {
	case BLOCK_OK:
		rbuf_skip(r, n);
		return MSG_OK;
	case BLOCK_ERR_TRAILING:
		return MSG_ERR_TRAILING;
	case BLOCK_ERR_NONCANONICAL:
		return MSG_ERR_NONCANONICAL;
	case BLOCK_ERR_TOO_LARGE:
		return MSG_ERR_BLOCK_SIZE;
	case BLOCK_ERR_TOO_MANY_TXS:
		return MSG_ERR_TOO_MANY;
	case BLOCK_ERR_TX_SIZE:
		return MSG_ERR_TX_SIZE;
	default:
		return MSG_ERR_TRUNCATED;
	}
}

static enum msg_err
decode_tx(struct rbuf *r, struct msg *m)
{
	size_t n = rbuf_remaining(r);

	/* Judged on the length alone, before the copy. */
	if (n < BLOCK_TX_MIN_SIZE || n > BLOCK_TX_MAX_SIZE)
		return MSG_ERR_TX_SIZE;
	m->u.tx.data = xmalloc(n);
	m->u.tx.len = n;
	rbuf_bytes(r, m->u.tx.data, n);
	return MSG_OK;
}

/* The identity payloads are idproof's; only their errors are ours. */
static enum msg_err
decode_idproof(enum idproof_err e)
{
	switch (e) {
	case IDPROOF_OK:
		return MSG_OK;
	case IDPROOF_NONCANONICAL:
		return MSG_ERR_NONCANONICAL;
	case IDPROOF_TOO_LONG:
		return MSG_ERR_STRING_TOO_LONG;
	case IDPROOF_BAD_CHAR:
		return MSG_ERR_BAD_STRING;
	default:
		return MSG_ERR_TRUNCATED;
	}
}

enum msg_err
msg_decode(unsigned type, const uint8_t *payload, size_t len, struct msg *out)
{
	struct rbuf r;
	enum msg_err err = MSG_OK;

	msg_init(out, MSG_VERSION);
	if (type >= MSG_TYPE_COUNT)
		return MSG_ERR_UNKNOWN_TYPE;
	if (len > MSG_MAX_PAYLOAD)
		return MSG_ERR_OVERSIZED;
	out->type = (enum msg_type)type;
	rbuf_init(&r, payload, len);

	switch (out->type) {
	case MSG_VERSION:
		err = decode_version(&r, &out->u.version);
		break;
	case MSG_VERACK:
	case MSG_GETADDR:
		break;
	case MSG_ADDR:
		err = decode_addr_msg(&r, out);
		break;
	case MSG_GETBLOCKS:
	case MSG_GETHEADERS:
		err = decode_locator(&r, out);
		break;
	case MSG_INV:
	case MSG_GETDATA:
	case MSG_NOTFOUND:
		err = decode_inv(&r, out);
		break;
	case MSG_HEADERS:
		err = decode_headers(&r, out);
		break;
	case MSG_BLOCK:
		err = decode_block(&r, out);
		break;
	case MSG_TX:
		err = decode_tx(&r, out);
		break;
	case MSG_PING:
	case MSG_PONG:
		if (!rbuf_u64le(&r, &out->u.nonce))
			err = MSG_ERR_TRUNCATED;
		break;
	case MSG_SENDHB:
		if (!rbuf_u8(&r, &out->u.hbflags))
			err = MSG_ERR_TRUNCATED;
		break;
	case MSG_GETIDENTITY:
		err = decode_idproof(idproof_challenge_decode(&r, &out->u.getidentity));
		break;
	case MSG_IDENTITY:
		err = decode_idproof(idproof_answer_decode(&r, &out->u.identity));
		break;
	default:
		err = MSG_ERR_UNKNOWN_TYPE;
		break;
	}
	if (err == MSG_OK && rbuf_remaining(&r) != 0)
		err = MSG_ERR_TRAILING;
	if (err != MSG_OK) {
		msg_free(out);
		msg_init(out, MSG_VERSION);
	}
	return err;
}

/* --- comparison ------------------------------------------------------ */

static bool
netaddr_wire_equal(const struct netaddr *a, const struct netaddr *b)
{
	return memcmp(a->ip, b->ip, sizeof(a->ip)) == 0 && a->port == b->port;
}

static bool
msg_netaddr_equal(const struct msg_netaddr *a, const struct msg_netaddr *b)
{
	return a->services == b->services && netaddr_wire_equal(&a->addr, &b->addr);
}

static bool
version_equal(const struct msg_version *a, const struct msg_version *b)
{
	return a->version == b->version &&
	    a->services == b->services &&
	    a->timestamp == b->timestamp &&
	    msg_netaddr_equal(&a->addr_recv, &b->addr_recv) &&
	    msg_netaddr_equal(&a->addr_from, &b->addr_from) &&
	    a->nonce == b->nonce &&
	    a->user_agent_len == b->user_agent_len &&
	    a->user_agent_len <= MSG_MAX_USER_AGENT &&
	    memcmp(a->user_agent, b->user_agent, a->user_agent_len) == 0 &&
	    a->start_height == b->start_height;
}

static bool
header_equal(const struct block_header *a, const struct block_header *b)
{
	uint8_t ea[BLOCK_HEADER_SIZE], eb[BLOCK_HEADER_SIZE];

	block_header_encode(a, ea);
	block_header_encode(b, eb);
	return memcmp(ea, eb, sizeof(ea)) == 0;
}

static bool
bytes_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

bool
msg_equal(const struct msg *a, const struct msg *b)
{
	size_t i;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case MSG_VERSION:
		return version_equal(&a->u.version, &b->u.version);
	case MSG_VERACK:
	case MSG_GETADDR:
		return true;
	case MSG_ADDR:
		if (a->u.addr.count != b->u.addr.count)
			return false;
		for (i = 0; i < a->u.addr.count; i++) {
			const struct msg_addr_entry *ea = &a->u.addr.entries[i];
			const struct msg_addr_entry *eb = &b->u.addr.entries[i];

			if (ea->time != eb->time || ea->services != eb->services ||
			    !netaddr_wire_equal(&ea->addr, &eb->addr))
				return false;
		}
		return true;
	case MSG_GETBLOCKS:
	case MSG_GETHEADERS:
		return a->u.getblocks.version == b->u.getblocks.version &&
		    a->u.getblocks.count == b->u.getblocks.count &&
		    (a->u.getblocks.count == 0 ||
		    memcmp(a->u.getblocks.hashes, b->u.getblocks.hashes,
		    a->u.getblocks.count * 32) == 0) &&
		    memcmp(a->u.getblocks.stop, b->u.getblocks.stop, 32) == 0;
	case MSG_INV:
	case MSG_GETDATA:
	case MSG_NOTFOUND:
		if (a->u.inv.count != b->u.inv.count)
			return false;
		for (i = 0; i < a->u.inv.count; i++)
			if (a->u.inv.entries[i].type != b->u.inv.entries[i].type ||
			    memcmp(a->u.inv.entries[i].hash, b->u.inv.entries[i].hash, 32) != 0)
				return false;
		return true;
	case MSG_HEADERS:
		if (a->u.headers.count != b->u.headers.count)
			return false;
		for (i = 0; i < a->u.headers.count; i++)
			if (!header_equal(&a->u.headers.headers[i], &b->u.headers.headers[i]))
				return false;
		return true;
	case MSG_BLOCK:
		/* The views follow from the bytes. */
		return bytes_equal(a->u.block.data, a->u.block.len,
		    b->u.block.data, b->u.block.len);
	case MSG_TX:
		return bytes_equal(a->u.tx.data, a->u.tx.len, b->u.tx.data, b->u.tx.len);
	case MSG_PING:
	case MSG_PONG:
		return a->u.nonce == b->u.nonce;
	case MSG_SENDHB:
		return a->u.hbflags == b->u.hbflags;
	case MSG_GETIDENTITY:
		return memcmp(a->u.getidentity.nonce, b->u.getidentity.nonce, IDPROOF_NONCE_LEN) == 0 &&
		    netaddr_wire_equal(&a->u.getidentity.addr, &b->u.getidentity.addr);
	case MSG_IDENTITY:
		return memcmp(a->u.identity.pubkey, b->u.identity.pubkey, IDPROOF_PUBKEY_LEN) == 0 &&
		    a->u.identity.reward_len == b->u.identity.reward_len &&
		    a->u.identity.reward_len <= IDPROOF_REWARD_MAX &&
		    memcmp(a->u.identity.reward, b->u.identity.reward, a->u.identity.reward_len) == 0 &&
		    memcmp(a->u.identity.sig, b->u.identity.sig, IDPROOF_SIG_LEN) == 0;
	default:
		return true;
	}
}
