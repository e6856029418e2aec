/* test_msg.c -- message payload codec: golden bytes, round trips, every malformed class. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "msg.h"

/* --- helpers ------------------------------------------------------------ */

/* Decode a hex string into a fresh buffer; caller frees. */
static uint8_t *
unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		p[i] = (uint8_t)v;
	}
	*len = n;
	return p;
}

static void
set_ipv4(struct netaddr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3, uint16_t port)
{
	memset(a->ip, 0, sizeof(a->ip));
	a->ip[10] = 0xff;
	a->ip[11] = 0xff;
	a->ip[12] = b0;
	a->ip[13] = b1;
	a->ip[14] = b2;
	a->ip[15] = b3;
	a->port = port;
}

/* 2001:db8::LAST */
static void
set_ipv6_doc(struct netaddr *a, uint8_t last, uint16_t port)
{
	memset(a->ip, 0, sizeof(a->ip));
	a->ip[0] = 0x20;
	a->ip[1] = 0x01;
	a->ip[2] = 0x0d;
	a->ip[3] = 0xb8;
	a->ip[15] = last;
	a->port = port;
}

/* The version message of the golden vector. */
static void
golden_version(struct msg *m)
{
	struct msg_version *v = &m->u.version;

	msg_init(m, MSG_VERSION);
	v->version = PROTO_VERSION;
	v->services = NODE_NETWORK | NODE_RELAY;
	v->timestamp = 1700000000;
	v->addr_recv.services = NODE_NETWORK;
	set_ipv4(&v->addr_recv.addr, 127, 0, 0, 1, 29001);
	v->addr_from.services = NODE_NETWORK | NODE_RELAY;
	set_ipv6_doc(&v->addr_from.addr, 1, 9001);
	v->nonce = UINT64_C(0x0123456789abcdef);
	assert_true(msg_version_set_user_agent(v, "/agentnode:0.1.0/", 17));
	v->start_height = 42;
}

static const char golden_version_hex[] =
    "d4110100" "0300000000000000" "00f1536500000000"
    "0100000000000000" "00000000000000000000ffff7f000001" "7149"
    "0300000000000000" "20010db8000000000000000000000001" "2329"
    "efcdab8967452301"
    "11" "2f6167656e746e6f64653a302e312e302f"
    "2a000000";

/* Encode M, check the bytes equal HEX (when not NULL), decode them back
 * and check the result equals M. */
static void
roundtrip(const struct msg *m, const char *hex)
{
	struct wbuf w;
	struct msg back;

	wbuf_init(&w);
	msg_encode(m, &w);
	if (hex != NULL) {
		size_t n;
		uint8_t *want = unhex(hex, &n);

		assert_int_equal(w.len, n);
		if (n > 0)
			assert_memory_equal(w.data, want, n);
		free(want);
	}
	assert_int_equal(msg_decode(m->type, w.data, w.len, &back), MSG_OK);
	assert_true(msg_equal(m, &back));
	msg_free(&back);
	wbuf_free(&w);
}

/* Decode HEX as TYPE and expect ERR; on error *out must be zeroed. */
static void
expect_hex(unsigned type, const char *hex, enum msg_err err)
{
	struct msg m;
	size_t n;
	uint8_t *p = unhex(hex, &n);

	assert_int_equal(msg_decode(type, p, n, &m), err);
	if (err != MSG_OK) {
		assert_int_equal(m.type, 0);
		assert_null(m.u.addr.entries);
	}
	msg_free(&m);
	free(p);
}

static void
expect_buf(unsigned type, const struct wbuf *w, enum msg_err err)
{
	struct msg m;

	assert_int_equal(msg_decode(type, w->data, w->len, &m), err);
	msg_free(&m);
}

static int
setup(void **state)
{
	(void)state;
	return hash_init();
}

/* --- names and errors --------------------------------------------------- */

static void
test_type_names(void **state)
{
	static const char *const want[] = { "version", "verack", "getaddr", "addr",
	    "getblocks", "block", "tx", "ping", "pong" };

	(void)state;
	assert_int_equal(MSG_TYPE_COUNT, 9);
	for (unsigned i = 0; i < MSG_TYPE_COUNT; i++)
		assert_string_equal(msg_type_name(i), want[i]);
	assert_string_equal(msg_type_name(MSG_TYPE_COUNT), "unknown");
	assert_string_equal(msg_type_name(255), "unknown");
	assert_string_equal(msg_type_name(~0u), "unknown");
}

static void
test_strerror_distinct(void **state)
{
	(void)state;
	for (int i = MSG_OK; i <= MSG_ERR_UNKNOWN_TYPE; i++) {
		assert_non_null(msg_strerror((enum msg_err)i));
		for (int j = MSG_OK; j < i; j++)
			assert_string_not_equal(msg_strerror((enum msg_err)i),
			    msg_strerror((enum msg_err)j));
	}
}

static void
test_constants(void **state)
{
	(void)state;
	assert_int_equal(PROTO_VERSION, 70100);
	assert_int_equal(PROTO_MIN_VERSION, 70000);
	assert_int_equal(MSG_MAX_PAYLOAD, 4 * 1024 * 1024);
	assert_int_equal(NODE_NETWORK, 1);
	assert_int_equal(NODE_RELAY, 2);
	assert_int_equal(NODE_SEED, 4);
	assert_int_equal(MSG_PONG, 8);
}

/* --- golden vectors ----------------------------------------------------- */

static void
test_golden_version(void **state)
{
	struct msg m;

	(void)state;
	golden_version(&m);
	roundtrip(&m, golden_version_hex);
	msg_free(&m);
}

static void
test_golden_empty(void **state)
{
	struct msg m;

	(void)state;
	msg_init(&m, MSG_VERACK);
	roundtrip(&m, "");
	msg_init(&m, MSG_GETADDR);
	roundtrip(&m, "");
}

static void
test_golden_addr(void **state)
{
	struct msg_addr_entry e[2];
	struct msg m;

	(void)state;
	memset(e, 0, sizeof(e));
	e[0].time = 1700000000;
	e[0].services = NODE_NETWORK;
	set_ipv4(&e[0].addr, 1, 2, 3, 4, 9001);
	e[1].time = 0x01020304;
	e[1].services = NODE_NETWORK | NODE_SEED;
	set_ipv6_doc(&e[1].addr, 2, 19001);
	msg_init(&m, MSG_VERSION);
	assert_int_equal(msg_addr_set(&m, e, 2), 0);
	assert_int_equal(m.type, MSG_ADDR);
	roundtrip(&m, "02"
	    "00f15365" "0100000000000000" "00000000000000000000ffff01020304" "2329"
	    "04030201" "0500000000000000" "20010db8000000000000000000000002" "4a39");
	msg_free(&m);
}

static void
test_golden_getblocks(void **state)
{
	uint8_t h[2][32];
	struct msg m;

	(void)state;
	memset(h[0], 0x11, 32);
	memset(h[1], 0x22, 32);
	msg_init(&m, MSG_VERSION);
	assert_int_equal(msg_getblocks_set(&m, PROTO_VERSION, h, 2, NULL), 0);
	roundtrip(&m, "d4110100" "02"
	    "1111111111111111111111111111111111111111111111111111111111111111"
	    "2222222222222222222222222222222222222222222222222222222222222222"
	    "0000000000000000000000000000000000000000000000000000000000000000");
	msg_free(&m);
}

static void
test_golden_opaque(void **state)
{
	struct msg m;

	(void)state;
	msg_init(&m, MSG_VERSION);
	assert_int_equal(msg_opaque_set(&m, MSG_BLOCK, "\xde\xad\xbe\xef", 4), 0);
	roundtrip(&m, "deadbeef");
	assert_int_equal(msg_opaque_set(&m, MSG_TX, "\x01\x02\x03", 3), 0);
	assert_int_equal(m.type, MSG_TX);
	roundtrip(&m, "010203");
	msg_free(&m);
}

static void
test_golden_ping_pong(void **state)
{
	struct msg m;

	(void)state;
	msg_ping_init(&m, UINT64_C(0x1122334455667788));
	roundtrip(&m, "8877665544332211");
	msg_pong_init(&m, UINT64_C(0x8877665544332211));
	assert_int_equal(m.type, MSG_PONG);
	roundtrip(&m, "1122334455667788");
}

/* --- round trips -------------------------------------------------------- */

static void
test_roundtrip_version_extremes(void **state)
{
	struct msg m;
	uint8_t ua[MSG_MAX_USER_AGENT];

	(void)state;
	golden_version(&m);
	m.u.version.timestamp = INT64_MIN;
	m.u.version.start_height = -1;
	m.u.version.services = UINT64_MAX;
	m.u.version.nonce = 0;
	set_ipv6_doc(&m.u.version.addr_recv.addr, 0xff, 65535);
	set_ipv4(&m.u.version.addr_from.addr, 0, 0, 0, 0, 0);
	/* Any bytes, NUL included, survive as they are. */
	for (size_t i = 0; i < sizeof(ua); i++)
		ua[i] = (uint8_t)i;
	assert_true(msg_version_set_user_agent(&m.u.version, ua, sizeof(ua)));
	assert_int_equal(m.u.version.user_agent[MSG_MAX_USER_AGENT], '\0');
	roundtrip(&m, NULL);

	m.u.version.start_height = INT32_MIN;
	m.u.version.timestamp = -1;
	assert_true(msg_version_set_user_agent(&m.u.version, "", 0));
	roundtrip(&m, NULL);
}

static void
test_roundtrip_addr_max(void **state)
{
	struct msg_addr_entry *e = calloc(MSG_MAX_ADDR, sizeof(*e));
	struct msg m;
	struct wbuf w;

	(void)state;
	assert_non_null(e);
	for (size_t i = 0; i < MSG_MAX_ADDR; i++) {
		e[i].time = (uint32_t)(1700000000 + i);
		e[i].services = i;
		if (i % 2)
			set_ipv4(&e[i].addr, 10, 0, (uint8_t)(i >> 8), (uint8_t)i, (uint16_t)i);
		else
			set_ipv6_doc(&e[i].addr, (uint8_t)i, (uint16_t)(65535 - i));
	}
	msg_init(&m, MSG_ADDR);
	assert_int_equal(msg_addr_set(&m, e, MSG_MAX_ADDR), 0);
	free(e);
	roundtrip(&m, NULL);
	wbuf_init(&w);
	msg_encode(&m, &w);
	/* fd e8 03, then 30 bytes an entry */
	assert_int_equal(w.len, 3 + 30 * MSG_MAX_ADDR);
	assert_memory_equal(w.data, "\xfd\xe8\x03", 3);
	wbuf_free(&w);

	/* Replacing a message with its own entries is safe. */
	assert_int_equal(msg_addr_set(&m, m.u.addr.entries, 5), 0);
	assert_int_equal(m.u.addr.count, 5);
	assert_int_equal(m.u.addr.entries[4].time, 1700000004);
	msg_free(&m);

	assert_int_equal(msg_addr_set(&m, NULL, 0), 0);
	roundtrip(&m, "00");
	msg_free(&m);
}

static void
test_roundtrip_getblocks_max(void **state)
{
	uint8_t h[MSG_MAX_LOCATOR][32], stop[32];
	struct msg m;

	(void)state;
	for (size_t i = 0; i < MSG_MAX_LOCATOR; i++)
		memset(h[i], (int)i, 32);
	memset(stop, 0xee, sizeof(stop));
	msg_init(&m, MSG_GETBLOCKS);
	assert_int_equal(msg_getblocks_set(&m, 1, h, MSG_MAX_LOCATOR, stop), 0);
	roundtrip(&m, NULL);
	assert_int_equal(msg_getblocks_set(&m, 0, NULL, 0, stop), 0);
	roundtrip(&m, "00000000" "00"
	    "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
	msg_free(&m);
}

static void
test_roundtrip_opaque(void **state)
{
	struct msg m;
	size_t big = 100000;
	uint8_t *p = malloc(big);

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < big; i++)
		p[i] = (uint8_t)(i * 7);
	msg_init(&m, MSG_BLOCK);
	roundtrip(&m, "");	/* empty block */
	assert_int_equal(msg_opaque_set(&m, MSG_BLOCK, NULL, 0), 0);
	assert_null(m.u.opaque.data);
	roundtrip(&m, "");
	assert_int_equal(msg_opaque_set(&m, MSG_TX, p, big), 0);
	roundtrip(&m, NULL);
	msg_free(&m);
	free(p);
}

/* --- malformed input ---------------------------------------------------- */

static void
test_version_truncated_every_offset(void **state)
{
	size_t n;
	uint8_t *p = unhex(golden_version_hex, &n);
	struct msg m;

	(void)state;
	assert_int_equal(n, 102);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(msg_decode(MSG_VERSION, p, i, &m), MSG_ERR_TRUNCATED);
		msg_free(&m);
	}
	assert_int_equal(msg_decode(MSG_VERSION, p, n, &m), MSG_OK);
	msg_free(&m);
	free(p);
}

static void
test_version_extension_rule(void **state)
{
	struct msg m, back;
	struct wbuf w;

	(void)state;
	golden_version(&m);
	wbuf_init(&w);

	/* Same version: trailing bytes are garbage. */
	msg_encode(&m, &w);
	wbuf_u8(&w, 0);
	expect_buf(MSG_VERSION, &w, MSG_ERR_TRAILING);

	/* Older version: likewise. */
	m.u.version.version = PROTO_MIN_VERSION;
	wbuf_reset(&w);
	msg_encode(&m, &w);
	wbuf_bytes(&w, "xyz", 3);
	expect_buf(MSG_VERSION, &w, MSG_ERR_TRAILING);

	/* Newer version: appended fields are accepted and ignored. */
	m.u.version.version = PROTO_VERSION + 1;
	wbuf_reset(&w);
	msg_encode(&m, &w);
	wbuf_bytes(&w, "\x01\x02\x03\x04\x05", 5);
	assert_int_equal(msg_decode(MSG_VERSION, w.data, w.len, &back), MSG_OK);
	assert_true(msg_equal(&m, &back));
	msg_free(&back);

	/* ... but a newer version's known fields must still be complete. */
	wbuf_reset(&w);
	msg_encode(&m, &w);
	expect_buf(MSG_VERSION, &w, MSG_OK);
	w.len -= 1;
	expect_buf(MSG_VERSION, &w, MSG_ERR_TRUNCATED);
	wbuf_free(&w);
}

/* A version payload up to (not including) the user agent length. */
static void
version_prefix(struct wbuf *w)
{
	size_t n;
	uint8_t *p = unhex(golden_version_hex, &n);

	wbuf_bytes(w, p, 4 + 8 + 8 + 26 + 26 + 8);
	free(p);
}

static void
test_version_user_agent_limits(void **state)
{
	uint8_t ua[MSG_MAX_USER_AGENT + 1];
	struct wbuf w;
	struct msg_version v;

	(void)state;
	memset(ua, 'a', sizeof(ua));
	wbuf_init(&w);

	/* 256 bytes: accepted. */
	version_prefix(&w);
	wbuf_compactsize(&w, MSG_MAX_USER_AGENT);
	wbuf_bytes(&w, ua, MSG_MAX_USER_AGENT);
	wbuf_i32le(&w, 0);
	expect_buf(MSG_VERSION, &w, MSG_OK);

	/* 257 bytes, all present: too long. */
	wbuf_reset(&w);
	version_prefix(&w);
	wbuf_compactsize(&w, MSG_MAX_USER_AGENT + 1);
	wbuf_bytes(&w, ua, MSG_MAX_USER_AGENT + 1);
	wbuf_i32le(&w, 0);
	expect_buf(MSG_VERSION, &w, MSG_ERR_STRING_TOO_LONG);

	/* A huge declared length is refused on the number alone. */
	wbuf_reset(&w);
	version_prefix(&w);
	wbuf_compactsize(&w, UINT64_C(0xffffffffffffffff));
	expect_buf(MSG_VERSION, &w, MSG_ERR_STRING_TOO_LONG);

	/* Length 5 in three bytes: non-canonical. */
	wbuf_reset(&w);
	version_prefix(&w);
	wbuf_bytes(&w, "\xfd\x05\x00" "abcde", 8);
	wbuf_i32le(&w, 0);
	expect_buf(MSG_VERSION, &w, MSG_ERR_NONCANONICAL);

	/* Declared 10, only 3 there. */
	wbuf_reset(&w);
	version_prefix(&w);
	wbuf_bytes(&w, "\x0a" "abc", 4);
	expect_buf(MSG_VERSION, &w, MSG_ERR_TRUNCATED);
	wbuf_free(&w);

	memset(&v, 0, sizeof(v));
	assert_false(msg_version_set_user_agent(&v, ua, MSG_MAX_USER_AGENT + 1));
	assert_int_equal(v.user_agent_len, 0);
}

static void
test_addr_malformed(void **state)
{
	struct wbuf w;
	uint8_t entry[30];
	struct msg m;

	(void)state;
	memset(entry, 0x5a, sizeof(entry));
	wbuf_init(&w);

	/* 1001 complete entries: over the limit, not a truncation. */
	wbuf_compactsize(&w, MSG_MAX_ADDR + 1);
	for (int i = 0; i < MSG_MAX_ADDR + 1; i++)
		wbuf_bytes(&w, entry, sizeof(entry));
	expect_buf(MSG_ADDR, &w, MSG_ERR_TOO_MANY);

	/* Count 1000 with 10 bytes behind it fails at once as truncated:
	 * nothing is allocated for entries that cannot be there. */
	wbuf_reset(&w);
	wbuf_compactsize(&w, MSG_MAX_ADDR);
	wbuf_bytes(&w, entry, 10);
	expect_buf(MSG_ADDR, &w, MSG_ERR_TRUNCATED);

	/* Huge counts in 5 and 9 bytes. */
	expect_hex(MSG_ADDR, "feffffffff", MSG_ERR_TOO_MANY);
	expect_hex(MSG_ADDR, "ffffffffffffffffff", MSG_ERR_TOO_MANY);

	/* Non-canonical counts: 1 in 3 bytes, 0xfd in 5, 0x10000 in 9. */
	expect_hex(MSG_ADDR, "fd0100", MSG_ERR_NONCANONICAL);
	expect_hex(MSG_ADDR, "fefd000000", MSG_ERR_NONCANONICAL);
	expect_hex(MSG_ADDR, "ff0000010000000000", MSG_ERR_NONCANONICAL);
	/* The smallest canonical multi-byte count is fine as far as it goes. */
	expect_hex(MSG_ADDR, "fdfd00", MSG_ERR_TRUNCATED);

	/* Empty payload, cut count, cut entry, trailing byte. */
	expect_hex(MSG_ADDR, "", MSG_ERR_TRUNCATED);
	expect_hex(MSG_ADDR, "fde8", MSG_ERR_TRUNCATED);
	wbuf_reset(&w);
	wbuf_compactsize(&w, 2);
	wbuf_bytes(&w, entry, sizeof(entry));
	wbuf_bytes(&w, entry, sizeof(entry) - 1);
	expect_buf(MSG_ADDR, &w, MSG_ERR_TRUNCATED);
	wbuf_u8(&w, 0);
	assert_int_equal(msg_decode(MSG_ADDR, w.data, w.len, &m), MSG_OK);
	assert_int_equal(m.u.addr.count, 2);
	assert_int_equal(m.u.addr.entries[1].addr.port, 0x5a00);
	msg_free(&m);
	wbuf_u8(&w, 0);
	expect_buf(MSG_ADDR, &w, MSG_ERR_TRAILING);
	expect_hex(MSG_ADDR, "0000", MSG_ERR_TRAILING);
	wbuf_free(&w);
}

static void
test_getblocks_malformed(void **state)
{
	struct wbuf w;
	uint8_t h[32];

	(void)state;
	memset(h, 0x33, sizeof(h));
	wbuf_init(&w);

	/* 102 complete locators plus stop: over the limit. */
	wbuf_u32le(&w, PROTO_VERSION);
	wbuf_compactsize(&w, MSG_MAX_LOCATOR + 1);
	for (int i = 0; i < MSG_MAX_LOCATOR + 2; i++)
		wbuf_bytes(&w, h, 32);
	expect_buf(MSG_GETBLOCKS, &w, MSG_ERR_TOO_MANY);

	/* 101 declared, 40 bytes present. */
	wbuf_reset(&w);
	wbuf_u32le(&w, PROTO_VERSION);
	wbuf_compactsize(&w, MSG_MAX_LOCATOR);
	wbuf_bytes(&w, h, 32);
	wbuf_bytes(&w, h, 8);
	expect_buf(MSG_GETBLOCKS, &w, MSG_ERR_TRUNCATED);

	/* One locator, stop hash missing or short, then one byte too many. */
	wbuf_reset(&w);
	wbuf_u32le(&w, PROTO_VERSION);
	wbuf_compactsize(&w, 1);
	wbuf_bytes(&w, h, 32);
	expect_buf(MSG_GETBLOCKS, &w, MSG_ERR_TRUNCATED);
	wbuf_bytes(&w, h, 31);
	expect_buf(MSG_GETBLOCKS, &w, MSG_ERR_TRUNCATED);
	wbuf_u8(&w, 0);
	expect_buf(MSG_GETBLOCKS, &w, MSG_OK);
	wbuf_u8(&w, 0);
	expect_buf(MSG_GETBLOCKS, &w, MSG_ERR_TRAILING);

	expect_hex(MSG_GETBLOCKS, "d41101", MSG_ERR_TRUNCATED);
	expect_hex(MSG_GETBLOCKS, "d4110100", MSG_ERR_TRUNCATED);
	expect_hex(MSG_GETBLOCKS, "d4110100fd0000", MSG_ERR_NONCANONICAL);
	wbuf_free(&w);
}

static void
test_fixed_size_malformed(void **state)
{
	(void)state;
	expect_hex(MSG_VERACK, "00", MSG_ERR_TRAILING);
	expect_hex(MSG_GETADDR, "0102", MSG_ERR_TRAILING);
	expect_hex(MSG_PING, "", MSG_ERR_TRUNCATED);
	expect_hex(MSG_PING, "01020304050607", MSG_ERR_TRUNCATED);
	expect_hex(MSG_PONG, "010203040506070809", MSG_ERR_TRAILING);
	expect_hex(MSG_PONG, "0102030405060708", MSG_OK);
}

static void
test_unknown_type(void **state)
{
	(void)state;
	expect_hex(MSG_TYPE_COUNT, "", MSG_ERR_UNKNOWN_TYPE);
	expect_hex(255, "0102030405060708", MSG_ERR_UNKNOWN_TYPE);
	expect_hex(~0u, "", MSG_ERR_UNKNOWN_TYPE);
}

static void
test_opaque_oversized(void **state)
{
	size_t n = MSG_MAX_PAYLOAD + 1;
	uint8_t *p = calloc(1, n);
	struct msg m;

	(void)state;
	assert_non_null(p);
	assert_int_equal(msg_decode(MSG_BLOCK, p, n, &m), MSG_ERR_OVERSIZED);
	assert_null(m.u.opaque.data);
	assert_int_equal(msg_decode(MSG_TX, p, n - 1, &m), MSG_OK);
	assert_int_equal(m.u.opaque.len, MSG_MAX_PAYLOAD);
	msg_free(&m);
	assert_int_equal(msg_opaque_set(&m, MSG_BLOCK, p, n), -1);
	free(p);
}

/* --- lifetime and constructors ------------------------------------------ */

static void
test_free_idempotent(void **state)
{
	struct msg m;
	uint8_t h[1][32] = { { 0 } };
	struct msg_addr_entry e;

	(void)state;
	memset(&m, 0, sizeof(m));
	msg_free(&m);
	msg_free(&m);

	memset(&e, 0, sizeof(e));
	msg_init(&m, MSG_ADDR);
	assert_int_equal(msg_addr_set(&m, &e, 1), 0);
	msg_free(&m);
	assert_null(m.u.addr.entries);
	assert_int_equal(m.u.addr.count, 0);
	msg_free(&m);

	/* Each constructor frees what the message held before (ASan
	 * would report the leak otherwise). */
	assert_int_equal(msg_addr_set(&m, &e, 1), 0);
	assert_int_equal(msg_getblocks_set(&m, 1, h, 1, NULL), 0);
	assert_int_equal(msg_opaque_set(&m, MSG_TX, "x", 1), 0);
	assert_int_equal(msg_addr_set(&m, &e, 1), 0);
	msg_free(&m);
	msg_free(&m);
}

static void
test_constructor_limits(void **state)
{
	struct msg_addr_entry e;
	uint8_t h[MSG_MAX_LOCATOR + 1][32];
	struct msg m;

	(void)state;
	memset(&e, 0, sizeof(e));
	memset(h, 0, sizeof(h));
	msg_ping_init(&m, 7);
	assert_int_equal(msg_addr_set(&m, &e, MSG_MAX_ADDR + 1), -1);
	assert_int_equal(msg_getblocks_set(&m, 1, h, MSG_MAX_LOCATOR + 1, NULL), -1);
	assert_int_equal(msg_opaque_set(&m, MSG_PING, "x", 1), -1);
	assert_int_equal(msg_opaque_set(&m, MSG_VERSION, "x", 1), -1);
	/* Refusals leave the message as it was. */
	assert_int_equal(m.type, MSG_PING);
	assert_int_equal(m.u.nonce, 7);
}

static void
test_msg_equal(void **state)
{
	struct msg a, b;
	uint8_t h[1][32];

	(void)state;
	golden_version(&a);
	golden_version(&b);
	assert_true(msg_equal(&a, &b));
	b.u.version.addr_from.addr.port++;
	assert_false(msg_equal(&a, &b));
	golden_version(&b);
	b.u.version.user_agent[3] ^= 1;
	assert_false(msg_equal(&a, &b));
	golden_version(&b);
	b.u.version.start_height = -42;
	assert_false(msg_equal(&a, &b));

	msg_ping_init(&a, 1);
	msg_pong_init(&b, 1);
	assert_false(msg_equal(&a, &b));
	msg_ping_init(&b, 2);
	assert_false(msg_equal(&a, &b));

	memset(h, 1, sizeof(h));
	msg_init(&a, MSG_GETBLOCKS);
	msg_init(&b, MSG_GETBLOCKS);
	assert_int_equal(msg_getblocks_set(&a, 1, h, 1, NULL), 0);
	assert_int_equal(msg_getblocks_set(&b, 1, h, 1, NULL), 0);
	assert_true(msg_equal(&a, &b));
	b.u.getblocks.stop[31] = 1;
	assert_false(msg_equal(&a, &b));
	msg_free(&a);
	msg_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_strerror_distinct),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_golden_version),
		cmocka_unit_test(test_golden_empty),
		cmocka_unit_test(test_golden_addr),
		cmocka_unit_test(test_golden_getblocks),
		cmocka_unit_test(test_golden_opaque),
		cmocka_unit_test(test_golden_ping_pong),
		cmocka_unit_test(test_roundtrip_version_extremes),
		cmocka_unit_test(test_roundtrip_addr_max),
		cmocka_unit_test(test_roundtrip_getblocks_max),
		cmocka_unit_test(test_roundtrip_opaque),
		cmocka_unit_test(test_version_truncated_every_offset),
		cmocka_unit_test(test_version_extension_rule),
		cmocka_unit_test(test_version_user_agent_limits),
		cmocka_unit_test(test_addr_malformed),
		cmocka_unit_test(test_getblocks_malformed),
		cmocka_unit_test(test_fixed_size_malformed),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_opaque_oversized),
		cmocka_unit_test(test_free_idempotent),
		cmocka_unit_test(test_constructor_limits),
		cmocka_unit_test(test_msg_equal),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
