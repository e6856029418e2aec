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
		free(m->u.getblocks.hashes);
		m->u.getblocks.hashes = NULL;
		m->u.getblocks.count = 0;
		break;
	case MSG_BLOCK:
	case MSG_TX:
		free(m->u.opaque.data);
		m->u.opaque.data = NULL;
		m->u.opaque.len = 0;
		break;
	default:
		break;
	}
}

int
msg_addr_set(struct msg *m, const struct msg_addr_entry *entries, size_t n)
{
	struct msg_addr_entry *copy = NULL;

	if (n > MSG_MAX_ADDR)
		return -1;
	if (n > 0) {
		copy = xreallocarray(NULL, n, sizeof(*copy));
		memcpy(copy, entries, n * sizeof(*copy));
	}
	msg_free(m);
	msg_init(m, MSG_ADDR);
	m->u.addr.count = n;
	m->u.addr.entries = copy;
	return 0;
}

int
msg_getblocks_set(struct msg *m, uint32_t version, const uint8_t (*hashes)[32],
    size_t n, const uint8_t stop[32])
{
	uint8_t (*copy)[32] = NULL;

	if (n > MSG_MAX_LOCATOR)
		return -1;
	if (n > 0) {
		copy = xreallocarray(NULL, n, sizeof(*copy));
		memcpy(copy, hashes, n * sizeof(*copy));
	}
	msg_free(m);
	msg_init(m, MSG_GETBLOCKS);
	m->u.getblocks.version = version;
	m->u.getblocks.count = n;
	m->u.getblocks.hashes = copy;
	if (stop != NULL)
		memcpy(m->u.getblocks.stop, stop, 32);
	return 0;
}

int
msg_opaque_set(struct msg *m, enum msg_type type, const void *data, size_t len)
{
	uint8_t *copy = NULL;

	if ((type != MSG_BLOCK && type != MSG_TX) || len > MSG_MAX_PAYLOAD)
		return -1;
	if (len > 0) {
		copy = xmalloc(len);
		memcpy(copy, data, len);
	}
	msg_free(m);
	msg_init(m, type);
	m->u.opaque.data = copy;
	m->u.opaque.len = len;
	return 0;
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
		wbuf_u32le(w, m->u.getblocks.version);
		wbuf_compactsize(w, m->u.getblocks.count);
		if (m->u.getblocks.count > 0)
			wbuf_bytes(w, m->u.getblocks.hashes,
			    m->u.getblocks.count * sizeof(*m->u.getblocks.hashes));
		wbuf_bytes(w, m->u.getblocks.stop, sizeof(m->u.getblocks.stop));
		break;
	case MSG_BLOCK:
	case MSG_TX:
		wbuf_bytes(w, m->u.opaque.data, m->u.opaque.len);
		break;
	case MSG_PING:
	case MSG_PONG:
		wbuf_u64le(w, m->u.nonce);
		break;
	default:
		break;
	}
}

/* --- decoding -------------------------------------------------------- */

/* Read a CompactSize count of ITEM_LEN-byte items; OVER is the error for
 * a count above LIMIT.  A count the remaining bytes cannot hold is
 * TRUNCATED at once, before the caller allocates anything for it. */
static enum msg_err
decode_count(struct rbuf *r, uint64_t limit, enum msg_err over, size_t item_len,
    size_t *out)
{
	uint64_t n;

	switch (rbuf_compactsize(r, &n)) {
	case RBUF_OK:
		break;
	case RBUF_NONCANONICAL:
		return MSG_ERR_NONCANONICAL;
	default:
		return MSG_ERR_TRUNCATED;
	}
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
decode_getblocks(struct rbuf *r, struct msg *m)
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
decode_opaque(struct rbuf *r, struct msg *m)
{
	/* msg_decode has already bounded the whole payload. */
	size_t n = rbuf_remaining(r);

	if (n == 0)
		return MSG_OK;
	m->u.opaque.data = xmalloc(n);
	m->u.opaque.len = n;
	rbuf_bytes(r, m->u.opaque.data, n);
	return MSG_OK;
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
		err = decode_getblocks(&r, out);
		break;
	case MSG_BLOCK:
	case MSG_TX:
		err = decode_opaque(&r, out);
		break;
	case MSG_PING:
	case MSG_PONG:
		if (!rbuf_u64le(&r, &out->u.nonce))
			err = MSG_ERR_TRUNCATED;
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
		return a->u.getblocks.version == b->u.getblocks.version &&
		    a->u.getblocks.count == b->u.getblocks.count &&
		    (a->u.getblocks.count == 0 ||
		    memcmp(a->u.getblocks.hashes, b->u.getblocks.hashes,
		    a->u.getblocks.count * 32) == 0) &&
		    memcmp(a->u.getblocks.stop, b->u.getblocks.stop, 32) == 0;
	case MSG_BLOCK:
	case MSG_TX:
		return a->u.opaque.len == b->u.opaque.len &&
		    (a->u.opaque.len == 0 ||
		    memcmp(a->u.opaque.data, b->u.opaque.data, a->u.opaque.len) == 0);
	case MSG_PING:
	case MSG_PONG:
		return a->u.nonce == b->u.nonce;
	default:
		return true;
	}
}
