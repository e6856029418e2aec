/* test_msg.c -- message payload codec: golden bytes, round trips, every malformed class. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "buf.h"
#include "chainparams.h"
#include "hash.h"
#include "msg.h"
#include "unhex.h"

/* --- helpers ------------------------------------------------------------ */

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

/* The version message of the golden vector (a 70100 peer's, the example
 * in docs/PROTOCOL.md). */
static void
golden_version(struct msg *m)
{
	struct msg_version *v = &m->u.version;

	msg_init(m, MSG_VERSION);
	v->version = 70100;
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
		struct msg zero;

		memset(&zero, 0, sizeof(zero));
		assert_memory_equal(&m, &zero, sizeof(m));
	}
	msg_free(&m);
	free(p);
}

static void
expect_buf(unsigned type, const struct wbuf *w, enum msg_err err)
{
	struct msg m;

	assert_int_equal(msg_decode(type, w->data, w->len, &m), err);
	if (err != MSG_OK) {
		struct msg zero;

		memset(&zero, 0, sizeof(zero));
		assert_memory_equal(&m, &zero, sizeof(m));
	}
	msg_free(&m);
}

/* Regtest's genesis block, 142 bytes (tests/unit/test_block.c pins it). */
static const char regtest_genesis_hex[] =
    "0100000000000000000000000000000000000000000000000000000000000000000000"
    "009f3a8eb61cf5c8971ed2fbd607b455343abf92a0a903c5eff0746b3e51cf259d00b9"
    "5569ffff7f2000000000013c6167656e74636861696e20726567746573742067656e65"
    "73697320323032362d30312d30313a20616e796f6e652063616e2072756e2061206e6f"
    "6465";
/* Its 80-byte header. */
static const char regtest_header_hex[] =
    "0100000000000000000000000000000000000000000000000000000000000000000000"
    "009f3a8eb61cf5c8971ed2fbd607b455343abf92a0a903c5eff0746b3e51cf259d00b9"
    "5569ffff7f2000000000";

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
	    "getblocks", "block", "tx", "ping", "pong", "inv", "getdata", "notfound",
	    "getheaders", "headers", "sendhb", "getidentity", "identity" };

	(void)state;
	assert_int_equal(MSG_TYPE_COUNT, 17);
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
	for (int i = MSG_OK; i <= MSG_ERR_BAD_STRING; i++) {
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
	assert_int_equal(PROTO_VERSION, 70200);
	assert_int_equal(PROTO_MIN_VERSION, 70000);
	assert_int_equal(PROTO_DATA_VERSION, 70200);
	assert_int_equal(MSG_MAX_PAYLOAD, 4 * 1024 * 1024);
	assert_int_equal(NODE_NETWORK, 1);
	assert_int_equal(NODE_RELAY, 2);
	assert_int_equal(NODE_SEED, 4);
	assert_int_equal(MSG_PONG, 8);
	/* The data messages' numbers are on the wire too. */
	assert_int_equal(MSG_INV, 9);
	assert_int_equal(MSG_GETDATA, 10);
	assert_int_equal(MSG_NOTFOUND, 11);
	assert_int_equal(MSG_GETHEADERS, 12);
	assert_int_equal(MSG_HEADERS, 13);
	assert_int_equal(MSG_SENDHB, 14);
	assert_int_equal(MSG_GETIDENTITY, 15);
	assert_int_equal(MSG_IDENTITY, 16);
	assert_int_equal(NODE_IDENTITY, 16);
	assert_int_equal(MSG_HB_PUSH, 1);
	assert_int_equal(MSG_INV_TX, 1);
	assert_int_equal(MSG_INV_BLOCK, 2);
	assert_int_equal(MSG_MAX_INV, 50000);
	assert_int_equal(MSG_MAX_HEADERS, 2000);
	/* The largest block fits in a frame. */
	assert_true(BLOCK_MAX_SIZE <= MSG_MAX_PAYLOAD);
	/* The error codes of the first protocol keep their numbers. */
	assert_int_equal(MSG_ERR_UNKNOWN_TYPE, 9);
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
	roundtrip(&m, "38120100" "02"
	    "1111111111111111111111111111111111111111111111111111111111111111"
	    "2222222222222222222222222222222222222222222222222222222222222222"
	    "0000000000000000000000000000000000000000000000000000000000000000");
	msg_free(&m);
}

static void
test_golden_tx(void **state)
{
	struct msg m;

	(void)state;
	msg_init(&m, MSG_VERSION);
	assert_int_equal(msg_opaque_set(&m, MSG_TX, "\xde\xad\xbe\xef", 4), 0);
	assert_int_equal(m.type, MSG_TX);
	assert_int_equal(m.u.tx.len, 4);
	roundtrip(&m, "deadbeef");
	assert_int_equal(msg_opaque_set(&m, MSG_TX, "\x00", 1), 0);
	roundtrip(&m, "00");
	msg_free(&m);
}

static void
test_golden_block(void **state)
{
	const struct chainparams *reg = chainparams_get(NET_REGTEST);
	struct block b;
	struct msg m;
	size_t n, len;
	uint8_t *p = unhex(regtest_genesis_hex, &n);

	(void)state;
	/* From bytes: the payload is the serialized block, kept as it is. */
	msg_init(&m, MSG_VERSION);
	assert_int_equal(msg_opaque_set(&m, MSG_BLOCK, p, n), 0);
	assert_int_equal(m.type, MSG_BLOCK);
	assert_int_equal(m.u.block.len, 142);
	assert_int_equal(m.u.block.tx_count, 1);
	assert_int_equal(m.u.block.header.bits, 0x207fffff);
	assert_memory_equal(block_tx_bytes(&m.u.block, 0, &len), "agentchain regtest", 18);
	assert_int_equal(len, 60);
	assert_int_equal(block_check(&m.u.block, reg), BLOCK_OK);
	roundtrip(&m, regtest_genesis_hex);

	/* Moved in without a copy. */
	block_genesis(&b, reg);
	msg_block_take(&m, &b);
	assert_null(b.data);
	assert_int_equal(m.u.block.len, 142);
	roundtrip(&m, regtest_genesis_hex);
	msg_free(&m);
	free(p);
}

static void
test_golden_inv(void **state)
{
	static const enum msg_type types[] = { MSG_INV, MSG_GETDATA, MSG_NOTFOUND };
	struct msg_inv e[2];
	struct msg m;

	(void)state;
	e[0].type = MSG_INV_TX;
	memset(e[0].hash, 0x11, 32);
	e[1].type = MSG_INV_BLOCK;
	memset(e[1].hash, 0x22, 32);
	msg_init(&m, MSG_VERSION);
	/* The three messages share one layout. */
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(msg_inv_set(&m, types[i], e, 2), 0);
		assert_int_equal(m.type, types[i]);
		roundtrip(&m, "02"
		    "01000000" "1111111111111111111111111111111111111111111111111111111111111111"
		    "02000000" "2222222222222222222222222222222222222222222222222222222222222222");
	}
	assert_int_equal(msg_inv_set(&m, MSG_NOTFOUND, NULL, 0), 0);
	roundtrip(&m, "00");
	msg_free(&m);
}

static void
test_golden_getheaders(void **state)
{
	uint8_t h[1][32], stop[32];
	struct msg m;

	(void)state;
	memset(h[0], 0x33, 32);
	memset(stop, 0x44, 32);
	msg_init(&m, MSG_VERSION);
	assert_int_equal(msg_getheaders_set(&m, PROTO_VERSION, h, 1, stop), 0);
	assert_int_equal(m.type, MSG_GETHEADERS);
	roundtrip(&m, "38120100" "01"
	    "3333333333333333333333333333333333333333333333333333333333333333"
	    "4444444444444444444444444444444444444444444444444444444444444444");
	msg_free(&m);
}

static void
test_golden_headers(void **state)
{
	struct block_header h[2];
	struct block b;
	struct msg m;
	char want[2 + 2 * 2 * (160 + 2) + 1];

	(void)state;
	block_genesis(&b, chainparams_get(NET_REGTEST));
	h[0] = h[1] = b.header;
	h[1].nonce = 0x01020304;
	block_free(&b);
	msg_init(&m, MSG_VERSION);
	assert_int_equal(msg_headers_set(&m, h, 1), 0);
	/* Each header is followed by a tx count of 0. */
	snprintf(want, sizeof(want), "01%s00", regtest_header_hex);
	roundtrip(&m, want);
	assert_int_equal(msg_headers_set(&m, h, 2), 0);
	snprintf(want, sizeof(want), "02%s00%.152s0403020100", regtest_header_hex,
	    regtest_header_hex);
	roundtrip(&m, want);
	assert_int_equal(msg_headers_set(&m, NULL, 0), 0);
	roundtrip(&m, "00");
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

/* sendhb: one flags byte; reserved bits travel and are ignored. */
static void
test_golden_sendhb(void **state)
{
	struct msg m;

	(void)state;
	msg_sendhb_init(&m, MSG_HB_PUSH);
	assert_int_equal(m.type, MSG_SENDHB);
	roundtrip(&m, "01");
	msg_sendhb_init(&m, 0);
	roundtrip(&m, "00");
	expect_hex(MSG_SENDHB, "ff", MSG_OK);
	expect_hex(MSG_SENDHB, "", MSG_ERR_TRUNCATED);
	expect_hex(MSG_SENDHB, "0100", MSG_ERR_TRAILING);
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
test_roundtrip_tx_block(void **state)
{
	struct msg m;
	size_t big = BLOCK_TX_MAX_SIZE;
	uint8_t *p = malloc(big);
	struct block_txdata t[3];
	struct block_header h;
	struct block b;

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < big; i++)
		p[i] = (uint8_t)(i * 7);
	msg_init(&m, MSG_TX);
	/* The largest transaction. */
	assert_int_equal(msg_opaque_set(&m, MSG_TX, p, big), 0);
	roundtrip(&m, NULL);
	/* A block of three transactions, one of them the largest. */
	memset(&h, 0x7e, sizeof(h));
	t[0].data = p;
	t[0].len = 1;
	t[1].data = p;
	t[1].len = big;
	t[2].data = p + 5;
	t[2].len = 300;
	assert_int_equal(block_build(&b, &h, t, 3), BLOCK_OK);
	msg_block_take(&m, &b);
	roundtrip(&m, NULL);
	assert_int_equal(m.u.block.tx_count, 3);
	assert_int_equal(m.u.block.tx[1].len, big);
	msg_free(&m);
	free(p);
}

static void
test_roundtrip_data_max(void **state)
{
	struct msg_inv *e = calloc(MSG_MAX_INV, sizeof(*e));
	struct block_header *h = calloc(MSG_MAX_HEADERS, sizeof(*h));
	uint8_t loc[MSG_MAX_LOCATOR][32];
	struct msg m;
	struct wbuf w;

	(void)state;
	assert_non_null(e);
	assert_non_null(h);
	for (size_t i = 0; i < MSG_MAX_INV; i++) {
		e[i].type = i % 3 ? MSG_INV_TX : MSG_INV_BLOCK;
		memcpy(e[i].hash, &i, sizeof(i));
	}
	msg_init(&m, MSG_INV);
	assert_int_equal(msg_inv_set(&m, MSG_GETDATA, e, MSG_MAX_INV), 0);
	roundtrip(&m, NULL);
	wbuf_init(&w);
	msg_encode(&m, &w);
	/* fd 50 c3, then 36 bytes an entry */
	assert_int_equal(w.len, 3 + 36 * MSG_MAX_INV);
	assert_memory_equal(w.data, "\xfd\x50\xc3", 3);

	for (size_t i = 0; i < MSG_MAX_HEADERS; i++) {
		h[i].version = (int32_t)i - 1000;
		h[i].time = (uint32_t)i;
		h[i].nonce = (uint32_t)(i * 2654435761u);
		h[i].prev_hash[i % 32] = (uint8_t)i;
	}
	assert_int_equal(msg_headers_set(&m, h, MSG_MAX_HEADERS), 0);
	roundtrip(&m, NULL);
	wbuf_reset(&w);
	msg_encode(&m, &w);
	/* fd d0 07, then 81 bytes a header */
	assert_int_equal(w.len, 3 + 81 * MSG_MAX_HEADERS);

	for (size_t i = 0; i < MSG_MAX_LOCATOR; i++)
		memset(loc[i], (int)i, 32);
	assert_int_equal(msg_getheaders_set(&m, 1, loc, MSG_MAX_LOCATOR, NULL), 0);
	roundtrip(&m, NULL);
	msg_free(&m);
	wbuf_free(&w);
	free(e);
	free(h);
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
	m.u.version.version = PROTO_VERSION;
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

/* getblocks and getheaders share one layout and one decoder. */
static void
test_locator_malformed(void **state)
{
	static const unsigned types[] = { MSG_GETBLOCKS, MSG_GETHEADERS };
	struct wbuf w;
	uint8_t h[32];

	(void)state;
	memset(h, 0x33, sizeof(h));
	wbuf_init(&w);
	for (size_t t = 0; t < 2; t++) {
		unsigned type = types[t];

		/* 102 complete locators plus stop: over the limit. */
		wbuf_reset(&w);
		wbuf_u32le(&w, PROTO_VERSION);
		wbuf_compactsize(&w, MSG_MAX_LOCATOR + 1);
		for (int i = 0; i < MSG_MAX_LOCATOR + 2; i++)
			wbuf_bytes(&w, h, 32);
		expect_buf(type, &w, MSG_ERR_TOO_MANY);

		/* 101 declared, 40 bytes present. */
		wbuf_reset(&w);
		wbuf_u32le(&w, PROTO_VERSION);
		wbuf_compactsize(&w, MSG_MAX_LOCATOR);
		wbuf_bytes(&w, h, 32);
		wbuf_bytes(&w, h, 8);
		expect_buf(type, &w, MSG_ERR_TRUNCATED);

		/* One locator, stop hash missing or short, then one byte too
		 * many. */
		wbuf_reset(&w);
		wbuf_u32le(&w, PROTO_VERSION);
		wbuf_compactsize(&w, 1);
		wbuf_bytes(&w, h, 32);
		expect_buf(type, &w, MSG_ERR_TRUNCATED);
		wbuf_bytes(&w, h, 31);
		expect_buf(type, &w, MSG_ERR_TRUNCATED);
		wbuf_u8(&w, 0);
		expect_buf(type, &w, MSG_OK);
		wbuf_u8(&w, 0);
		expect_buf(type, &w, MSG_ERR_TRAILING);

		expect_hex(type, "381201", MSG_ERR_TRUNCATED);
		expect_hex(type, "38120100", MSG_ERR_TRUNCATED);
		expect_hex(type, "38120100fd0000", MSG_ERR_NONCANONICAL);
	}
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
test_payload_size_limits(void **state)
{
	size_t n = MSG_MAX_PAYLOAD + 1;
	uint8_t *p = calloc(1, n);
	struct msg m;

	(void)state;
	assert_non_null(p);
	/* Over the frame limit: any type, from the length alone. */
	assert_int_equal(msg_decode(MSG_BLOCK, p, n, &m), MSG_ERR_OVERSIZED);
	assert_int_equal(msg_decode(MSG_TX, p, n, &m), MSG_ERR_OVERSIZED);
	/* A block over BLOCK_MAX_SIZE, within the frame limit. */
	assert_int_equal(msg_decode(MSG_BLOCK, p, MSG_MAX_PAYLOAD, &m), MSG_ERR_BLOCK_SIZE);
	assert_int_equal(msg_decode(MSG_BLOCK, p, BLOCK_MAX_SIZE + 1, &m), MSG_ERR_BLOCK_SIZE);
	assert_null(m.u.block.data);
	/* A transaction is 1 to 100,000 bytes. */
	assert_int_equal(msg_decode(MSG_TX, p, MSG_MAX_PAYLOAD, &m), MSG_ERR_TX_SIZE);
	assert_int_equal(msg_decode(MSG_TX, p, BLOCK_TX_MAX_SIZE + 1, &m), MSG_ERR_TX_SIZE);
	assert_int_equal(msg_decode(MSG_TX, p, 0, &m), MSG_ERR_TX_SIZE);
	assert_int_equal(msg_decode(MSG_TX, NULL, 0, &m), MSG_ERR_TX_SIZE);
	assert_null(m.u.tx.data);
	assert_int_equal(msg_decode(MSG_TX, p, BLOCK_TX_MAX_SIZE, &m), MSG_OK);
	assert_int_equal(m.u.tx.len, BLOCK_TX_MAX_SIZE);
	msg_free(&m);
	assert_int_equal(msg_decode(MSG_TX, p, 1, &m), MSG_OK);
	msg_free(&m);
	/* The constructor refuses what the decoder would. */
	msg_init(&m, MSG_TX);
	assert_int_equal(msg_opaque_set(&m, MSG_TX, p, BLOCK_TX_MAX_SIZE + 1), -1);
	assert_int_equal(msg_opaque_set(&m, MSG_TX, p, 0), -1);
	assert_int_equal(msg_opaque_set(&m, MSG_BLOCK, p, n), -1);
	assert_int_equal(msg_opaque_set(&m, MSG_BLOCK, p, 100), -1);	/* not a block */
	assert_int_equal(m.type, MSG_TX);
	assert_null(m.u.tx.data);
	free(p);
}

static void
test_inv_malformed(void **state)
{
	struct wbuf w;
	uint8_t hash[32];

	(void)state;
	memset(hash, 0x5a, sizeof(hash));
	wbuf_init(&w);
	/* 50,001 complete entries: over the limit. */
	wbuf_compactsize(&w, MSG_MAX_INV + 1);
	for (int i = 0; i < MSG_MAX_INV + 1; i++) {
		wbuf_u32le(&w, MSG_INV_TX);
		wbuf_bytes(&w, hash, 32);
	}
	expect_buf(MSG_INV, &w, MSG_ERR_TOO_MANY);
	/* 50,000 declared, one entry present: truncated before allocating. */
	wbuf_reset(&w);
	wbuf_compactsize(&w, MSG_MAX_INV);
	wbuf_u32le(&w, MSG_INV_TX);
	wbuf_bytes(&w, hash, 32);
	expect_buf(MSG_GETDATA, &w, MSG_ERR_TRUNCATED);
	expect_hex(MSG_NOTFOUND, "feffffffff", MSG_ERR_TOO_MANY);
	expect_hex(MSG_INV, "fd0100", MSG_ERR_NONCANONICAL);
	expect_hex(MSG_INV, "", MSG_ERR_TRUNCATED);
	/* Inventory types other than 1 and 2, wherever they are. */
	for (uint32_t type = 0; type < 5; type++) {
		wbuf_reset(&w);
		wbuf_compactsize(&w, 2);
		wbuf_u32le(&w, MSG_INV_BLOCK);
		wbuf_bytes(&w, hash, 32);
		wbuf_u32le(&w, type);
		wbuf_bytes(&w, hash, 32);
		expect_buf(MSG_INV, &w, type == MSG_INV_TX || type == MSG_INV_BLOCK ?
		    MSG_OK : MSG_ERR_BAD_INV_TYPE);
	}
	wbuf_reset(&w);
	wbuf_compactsize(&w, 1);
	wbuf_u32le(&w, 0x40000001);	/* Bitcoin's MSG_WITNESS_TX: not ours */
	wbuf_bytes(&w, hash, 32);
	expect_buf(MSG_GETDATA, &w, MSG_ERR_BAD_INV_TYPE);
	/* Cut entry, trailing byte. */
	wbuf_reset(&w);
	wbuf_compactsize(&w, 1);
	wbuf_u32le(&w, MSG_INV_TX);
	wbuf_bytes(&w, hash, 31);
	expect_buf(MSG_INV, &w, MSG_ERR_TRUNCATED);
	wbuf_u8(&w, 0);
	expect_buf(MSG_INV, &w, MSG_OK);
	wbuf_u8(&w, 0);
	expect_buf(MSG_INV, &w, MSG_ERR_TRAILING);
	wbuf_free(&w);
}

static void
test_headers_malformed(void **state)
{
	struct wbuf w;
	size_t n;
	uint8_t *hdr = unhex(regtest_header_hex, &n);

	(void)state;
	assert_int_equal(n, BLOCK_HEADER_SIZE);
	wbuf_init(&w);
	/* 2,001 complete entries: over the limit. */
	wbuf_compactsize(&w, MSG_MAX_HEADERS + 1);
	for (int i = 0; i < MSG_MAX_HEADERS + 1; i++) {
		wbuf_bytes(&w, hdr, n);
		wbuf_u8(&w, 0);
	}
	expect_buf(MSG_HEADERS, &w, MSG_ERR_TOO_MANY);
	/* 2,000 declared, 81 bytes present. */
	wbuf_reset(&w);
	wbuf_compactsize(&w, MSG_MAX_HEADERS);
	wbuf_bytes(&w, hdr, n);
	wbuf_u8(&w, 0);
	expect_buf(MSG_HEADERS, &w, MSG_ERR_TRUNCATED);
	/* A header with transactions; with 0 written in three bytes. */
	wbuf_reset(&w);
	wbuf_compactsize(&w, 2);
	wbuf_bytes(&w, hdr, n);
	wbuf_u8(&w, 0);
	wbuf_bytes(&w, hdr, n);
	wbuf_u8(&w, 1);
	expect_buf(MSG_HEADERS, &w, MSG_ERR_HEADER_TXCOUNT);
	wbuf_reset(&w);
	wbuf_compactsize(&w, 1);
	wbuf_bytes(&w, hdr, n);
	wbuf_bytes(&w, "\xfd\x00\x00", 3);
	expect_buf(MSG_HEADERS, &w, MSG_ERR_NONCANONICAL);
	wbuf_reset(&w);
	wbuf_compactsize(&w, 1);
	wbuf_bytes(&w, hdr, n);
	wbuf_bytes(&w, "\xfd\x00\x01", 3);
	expect_buf(MSG_HEADERS, &w, MSG_ERR_HEADER_TXCOUNT);
	/* The count's room is 81 bytes a header: a longer tx count cannot
	 * stretch it, every byte short is truncated. */
	for (size_t cut = 0; cut < 81; cut++) {
		wbuf_reset(&w);
		wbuf_compactsize(&w, 1);
		wbuf_bytes(&w, hdr, cut < 80 ? cut : 80);
		expect_buf(MSG_HEADERS, &w, MSG_ERR_TRUNCATED);
	}
	wbuf_reset(&w);
	wbuf_compactsize(&w, 1);
	wbuf_bytes(&w, hdr, n);
	wbuf_u8(&w, 0);
	wbuf_u8(&w, 0);
	expect_buf(MSG_HEADERS, &w, MSG_ERR_TRAILING);
	expect_hex(MSG_HEADERS, "", MSG_ERR_TRUNCATED);
	expect_hex(MSG_HEADERS, "ffffffffffffffffff", MSG_ERR_TOO_MANY);
	free(hdr);
	wbuf_free(&w);
}

/* Every block_parse error class maps to a distinct message error. */
static void
test_block_malformed(void **state)
{
	struct wbuf w;
	size_t n;
	uint8_t *p = unhex(regtest_genesis_hex, &n);

	(void)state;
	wbuf_init(&w);
	expect_hex(MSG_BLOCK, "", MSG_ERR_TRUNCATED);
	for (size_t cut = 1; cut < n; cut += 7) {
		wbuf_reset(&w);
		wbuf_bytes(&w, p, cut);
		expect_buf(MSG_BLOCK, &w, MSG_ERR_TRUNCATED);
	}
	wbuf_reset(&w);
	wbuf_bytes(&w, p, n);
	wbuf_u8(&w, 0);
	expect_buf(MSG_BLOCK, &w, MSG_ERR_TRAILING);
	/* Count 1 as fd 01 00. */
	wbuf_reset(&w);
	wbuf_bytes(&w, p, 80);
	wbuf_bytes(&w, "\xfd\x01\x00", 3);
	wbuf_bytes(&w, p + 81, n - 81);
	expect_buf(MSG_BLOCK, &w, MSG_ERR_NONCANONICAL);
	/* Count over BLOCK_MAX_TXS. */
	wbuf_reset(&w);
	wbuf_bytes(&w, p, 80);
	wbuf_compactsize(&w, BLOCK_MAX_TXS + 1);
	expect_buf(MSG_BLOCK, &w, MSG_ERR_TOO_MANY);
	/* A 0-byte and a 100,001-byte transaction. */
	wbuf_reset(&w);
	wbuf_bytes(&w, p, 80);
	wbuf_bytes(&w, "\x01\x00\x00", 3);
	expect_buf(MSG_BLOCK, &w, MSG_ERR_TX_SIZE);
	wbuf_reset(&w);
	wbuf_bytes(&w, p, 80);
	wbuf_u8(&w, 1);
	wbuf_compactsize(&w, BLOCK_TX_MAX_SIZE + 1);
	expect_buf(MSG_BLOCK, &w, MSG_ERR_TX_SIZE);
	/* Decoding judges form only: a bad merkle root still decodes. */
	wbuf_reset(&w);
	wbuf_bytes(&w, p, n);
	w.data[40] ^= 1;
	expect_buf(MSG_BLOCK, &w, MSG_OK);
	free(p);
	wbuf_free(&w);
}

/* --- lifetime and constructors ------------------------------------------ */

static void
test_free_idempotent(void **state)
{
	struct msg m;
	uint8_t h[1][32] = { { 0 } };
	struct msg_addr_entry e;
	struct msg_inv inv = { .type = MSG_INV_BLOCK };
	struct block_header hdr;
	struct block b;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
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
	assert_int_equal(msg_getheaders_set(&m, 1, h, 1, NULL), 0);
	assert_int_equal(msg_inv_set(&m, MSG_INV, &inv, 1), 0);
	assert_int_equal(msg_headers_set(&m, &hdr, 1), 0);
	block_genesis(&b, chainparams_get(NET_TESTNET));
	msg_block_take(&m, &b);
	block_genesis(&b, chainparams_get(NET_MAINNET));
	msg_block_take(&m, &b);
	assert_int_equal(m.u.block.header.nonce, 1938760);
	assert_int_equal(msg_opaque_set(&m, MSG_TX, "y", 1), 0);
	msg_free(&m);
	msg_free(&m);
	/* Freeing a block message twice, and a zeroed one. */
	msg_init(&m, MSG_BLOCK);
	msg_free(&m);
	block_genesis(&b, chainparams_get(NET_REGTEST));
	msg_block_take(&m, &b);
	msg_free(&m);
	assert_null(m.u.block.data);
	msg_free(&m);
}

static void
test_constructor_limits(void **state)
{
	struct msg_addr_entry e;
	uint8_t h[MSG_MAX_LOCATOR + 1][32];
	static struct msg_inv inv[MSG_MAX_INV + 1];
	static struct block_header hdr[MSG_MAX_HEADERS + 1];
	struct msg m;

	(void)state;
	memset(&e, 0, sizeof(e));
	memset(h, 0, sizeof(h));
	for (size_t i = 0; i < MSG_MAX_INV + 1; i++)
		inv[i].type = MSG_INV_TX;
	msg_ping_init(&m, 7);
	assert_int_equal(msg_addr_set(&m, &e, MSG_MAX_ADDR + 1), -1);
	assert_int_equal(msg_getblocks_set(&m, 1, h, MSG_MAX_LOCATOR + 1, NULL), -1);
	assert_int_equal(msg_opaque_set(&m, MSG_PING, "x", 1), -1);
	assert_int_equal(msg_opaque_set(&m, MSG_VERSION, "x", 1), -1);
	assert_int_equal(msg_getheaders_set(&m, 1, h, MSG_MAX_LOCATOR + 1, NULL), -1);
	assert_int_equal(msg_inv_set(&m, MSG_INV, inv, MSG_MAX_INV + 1), -1);
	assert_int_equal(msg_inv_set(&m, MSG_TX, inv, 1), -1);
	assert_int_equal(msg_inv_set(&m, MSG_GETBLOCKS, inv, 1), -1);
	inv[1].type = 3;
	assert_int_equal(msg_inv_set(&m, MSG_GETDATA, inv, 2), -1);
	inv[1].type = 0;
	assert_int_equal(msg_inv_set(&m, MSG_NOTFOUND, inv, 2), -1);
	assert_int_equal(msg_headers_set(&m, hdr, MSG_MAX_HEADERS + 1), -1);
	assert_int_equal(msg_opaque_set(&m, MSG_BLOCK, "x", 1), -1);
	/* Refusals leave the message as it was. */
	assert_int_equal(m.type, MSG_PING);
	assert_int_equal(m.u.nonce, 7);
	/* At the limits, accepted. */
	inv[1].type = MSG_INV_TX;
	assert_int_equal(msg_inv_set(&m, MSG_NOTFOUND, inv, 2), 0);
	assert_int_equal(msg_headers_set(&m, hdr, MSG_MAX_HEADERS), 0);
	msg_free(&m);
}

static void
test_msg_equal(void **state)
{
	struct msg a, b;
	uint8_t h[1][32];
	struct msg_inv inv[2];
	struct block_header hdr[2];
	struct block blk;

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
	/* getblocks and getheaders with the same fields differ by type. */
	assert_int_equal(msg_getheaders_set(&b, 1, h, 1, NULL), 0);
	assert_false(msg_equal(&a, &b));
	assert_int_equal(msg_getheaders_set(&a, 1, h, 1, NULL), 0);
	assert_true(msg_equal(&a, &b));

	memset(inv, 0, sizeof(inv));
	inv[0].type = inv[1].type = MSG_INV_TX;
	assert_int_equal(msg_inv_set(&a, MSG_INV, inv, 2), 0);
	assert_int_equal(msg_inv_set(&b, MSG_INV, inv, 2), 0);
	assert_true(msg_equal(&a, &b));
	b.u.inv.entries[1].type = MSG_INV_BLOCK;
	assert_false(msg_equal(&a, &b));
	assert_int_equal(msg_inv_set(&b, MSG_INV, inv, 2), 0);
	b.u.inv.entries[1].hash[31] = 1;
	assert_false(msg_equal(&a, &b));
	assert_int_equal(msg_inv_set(&b, MSG_INV, inv, 1), 0);
	assert_false(msg_equal(&a, &b));
	assert_int_equal(msg_inv_set(&b, MSG_GETDATA, inv, 2), 0);
	assert_false(msg_equal(&a, &b));

	memset(hdr, 0, sizeof(hdr));
	assert_int_equal(msg_headers_set(&a, hdr, 2), 0);
	assert_int_equal(msg_headers_set(&b, hdr, 2), 0);
	assert_true(msg_equal(&a, &b));
	b.u.headers.headers[1].nonce = 1;
	assert_false(msg_equal(&a, &b));
	b.u.headers.headers[1].nonce = 0;
	b.u.headers.headers[1].version = -1;
	assert_false(msg_equal(&a, &b));

	assert_int_equal(msg_opaque_set(&a, MSG_TX, "ab", 2), 0);
	assert_int_equal(msg_opaque_set(&b, MSG_TX, "ab", 2), 0);
	assert_true(msg_equal(&a, &b));
	assert_int_equal(msg_opaque_set(&b, MSG_TX, "ac", 2), 0);
	assert_false(msg_equal(&a, &b));
	assert_int_equal(msg_opaque_set(&b, MSG_TX, "a", 1), 0);
	assert_false(msg_equal(&a, &b));

	block_genesis(&blk, chainparams_get(NET_REGTEST));
	msg_block_take(&a, &blk);
	block_genesis(&blk, chainparams_get(NET_REGTEST));
	msg_block_take(&b, &blk);
	assert_true(msg_equal(&a, &b));
	block_genesis(&blk, chainparams_get(NET_TESTNET));
	msg_block_take(&b, &blk);
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
		cmocka_unit_test(test_golden_tx),
		cmocka_unit_test(test_golden_block),
		cmocka_unit_test(test_golden_inv),
		cmocka_unit_test(test_golden_getheaders),
		cmocka_unit_test(test_golden_headers),
		cmocka_unit_test(test_golden_ping_pong),
		cmocka_unit_test(test_golden_sendhb),
		cmocka_unit_test(test_roundtrip_version_extremes),
		cmocka_unit_test(test_roundtrip_addr_max),
		cmocka_unit_test(test_roundtrip_getblocks_max),
		cmocka_unit_test(test_roundtrip_tx_block),
		cmocka_unit_test(test_roundtrip_data_max),
		cmocka_unit_test(test_version_truncated_every_offset),
		cmocka_unit_test(test_version_extension_rule),
		cmocka_unit_test(test_version_user_agent_limits),
		cmocka_unit_test(test_addr_malformed),
		cmocka_unit_test(test_locator_malformed),
		cmocka_unit_test(test_fixed_size_malformed),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_payload_size_limits),
		cmocka_unit_test(test_inv_malformed),
		cmocka_unit_test(test_headers_malformed),
		cmocka_unit_test(test_block_malformed),
		cmocka_unit_test(test_free_idempotent),
		cmocka_unit_test(test_constructor_limits),
		cmocka_unit_test(test_msg_equal),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
