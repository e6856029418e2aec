/* test_frame.c -- framing: golden frames, header checks, streaming reader over evbuffer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "block.h"
#include "buf.h"
#include "chainparams.h"
#include "frame.h"
#include "hash.h"
#include "msg.h"
#include "unhex.h"

static const uint8_t *mainnet, *testnet, *regtest;

/* --- helpers ------------------------------------------------------------ */

static void
assert_hex(const struct wbuf *w, const char *hex)
{
	size_t n;
	uint8_t *want = unhex(hex, &n);

	assert_int_equal(w->len, n);
	assert_memory_equal(w->data, want, n);
	free(want);
}

static void
sample_version(struct msg *m)
{
	struct msg_version *v = &m->u.version;

	msg_init(m, MSG_VERSION);
	v->version = 70100;	/* the golden frame below is a 70100 peer's */
	v->services = NODE_NETWORK | NODE_RELAY;
	v->timestamp = 1700000000;
	v->addr_recv.services = NODE_NETWORK;
	v->addr_recv.addr.ip[10] = v->addr_recv.addr.ip[11] = 0xff;
	v->addr_recv.addr.ip[12] = 127;
	v->addr_recv.addr.ip[15] = 1;
	v->addr_recv.addr.port = 29001;
	v->addr_from.services = NODE_NETWORK | NODE_RELAY;
	v->addr_from.addr.ip[0] = 0x20;
	v->addr_from.addr.ip[1] = 0x01;
	v->addr_from.addr.ip[2] = 0x0d;
	v->addr_from.addr.ip[3] = 0xb8;
	v->addr_from.addr.ip[15] = 1;
	v->addr_from.addr.port = 9001;
	v->nonce = UINT64_C(0x0123456789abcdef);
	assert_true(msg_version_set_user_agent(v, "/agentnode:0.1.0/", 17));
	v->start_height = 42;
}

/* One message of every type, built with the public constructors. */
static void
sample(struct msg *m, enum msg_type t)
{
	struct msg_addr_entry e[3];
	uint8_t h[2][32];
	struct msg_inv inv[2] = { { .type = MSG_INV_TX }, { .type = MSG_INV_BLOCK } };
	struct block b;

	memset(e, 0, sizeof(e));
	memset(h, 0x44, sizeof(h));
	for (int i = 0; i < 3; i++) {
		e[i].time = 1700000000u + (uint32_t)i;
		e[i].services = NODE_NETWORK;
		e[i].addr.ip[10] = e[i].addr.ip[11] = 0xff;
		e[i].addr.ip[12] = 10;
		e[i].addr.ip[15] = (uint8_t)(i + 1);
		e[i].addr.port = 29001;
	}
	msg_init(m, t);
	switch (t) {
	case MSG_VERSION:
		sample_version(m);
		break;
	case MSG_ADDR:
		assert_int_equal(msg_addr_set(m, e, 3), 0);
		break;
	case MSG_GETBLOCKS:
		assert_int_equal(msg_getblocks_set(m, PROTO_VERSION, h, 2, NULL), 0);
		break;
	case MSG_GETHEADERS:
		assert_int_equal(msg_getheaders_set(m, PROTO_VERSION, h, 2, h[1]), 0);
		break;
	case MSG_BLOCK:
		block_genesis(&b, chainparams_get(NET_TESTNET));
		msg_block_take(m, &b);
		break;
	case MSG_TX:
		assert_int_equal(msg_opaque_set(m, t, "opaque bytes", 12), 0);
		break;
	case MSG_INV:
	case MSG_GETDATA:
	case MSG_NOTFOUND:
		assert_int_equal(msg_inv_set(m, t, inv, 2), 0);
		break;
	case MSG_HEADERS:
		block_genesis(&b, chainparams_get(NET_MAINNET));
		assert_int_equal(msg_headers_set(m, &b.header, 1), 0);
		block_free(&b);
		break;
	case MSG_PING:
	case MSG_PONG:
		m->u.nonce = UINT64_C(0xfeedfacecafebeef);
		break;
	default:
		break;
	}
}

/* Read one frame from IN and expect a message equal to WANT. */
static void
expect_msg(struct evbuffer *in, const uint8_t *magic, const struct msg *want)
{
	struct msg got;
	struct frame_result res;

	assert_int_equal(frame_read(in, magic, &got, &res), FRAME_MSG);
	assert_int_equal(res.err, MSG_OK);
	assert_int_equal(res.hdr.type, want->type);
	assert_true(msg_equal(&got, want));
	msg_free(&got);
}

static int
setup(void **state)
{
	(void)state;
	mainnet = chainparams_get(NET_MAINNET)->magic;
	testnet = chainparams_get(NET_TESTNET)->magic;
	regtest = chainparams_get(NET_REGTEST)->magic;
	return hash_init();
}

/* --- golden frames ------------------------------------------------------ */

static void
test_golden_ping_frame(void **state)
{
	struct wbuf w;
	struct msg m;

	(void)state;
	wbuf_init(&w);
	msg_ping_init(&m, UINT64_C(0x1122334455667788));
	frame_encode(&w, mainnet, &m);
	assert_hex(&w, "ac4e7c01" "07" "08000000" "8d9a66f2" "8877665544332211");
	wbuf_free(&w);
}

static void
test_golden_verack_frame(void **state)
{
	struct wbuf w;
	struct msg m;

	(void)state;
	wbuf_init(&w);
	msg_init(&m, MSG_VERACK);
	frame_encode(&w, regtest, &m);
	/* 5df6e0e2: the checksum of the empty payload. */
	assert_hex(&w, "ac4e7cfa" "01" "00000000" "5df6e0e2");
	wbuf_reset(&w);
	frame_encode_raw(&w, regtest, MSG_VERACK, NULL, 0);
	assert_hex(&w, "ac4e7cfa" "01" "00000000" "5df6e0e2");
	wbuf_free(&w);
}

static void
test_golden_version_frame(void **state)
{
	struct wbuf w;
	struct msg m;

	(void)state;
	wbuf_init(&w);
	/* Frames append: whatever was in the buffer stays in front. */
	wbuf_bytes(&w, "\xaa", 1);
	sample_version(&m);
	frame_encode(&w, mainnet, &m);
	assert_hex(&w, "aa"
	    "ac4e7c01" "00" "66000000" "f3adef1f"
	    "d4110100030000000000000000f1536500000000010000000000000000000000"
	    "000000000000ffff7f0000017149030000000000000020010db8000000000000"
	    "0000000000012329efcdab8967452301112f6167656e746e6f64653a302e312e"
	    "302f2a000000");
	wbuf_free(&w);
}

/* --- frame_parse -------------------------------------------------------- */

static void
test_parse_every_type(void **state)
{
	struct wbuf w;
	struct msg m, got;
	struct frame_result res;
	size_t used;

	(void)state;
	wbuf_init(&w);
	for (int t = 0; t < MSG_TYPE_COUNT; t++) {
		sample(&m, (enum msg_type)t);
		wbuf_reset(&w);
		frame_encode(&w, testnet, &m);
		assert_int_equal(frame_parse(w.data, w.len, testnet, &got, &res, &used),
		    FRAME_MSG);
		assert_int_equal(used, w.len);
		assert_int_equal(res.hdr.type, t);
		assert_int_equal(res.hdr.length, w.len - FRAME_HEADER_LEN);
		assert_memory_equal(res.hdr.magic, testnet, 4);
		assert_true(msg_equal(&m, &got));
		msg_free(&got);

		/* Every proper prefix is incomplete and consumes nothing. */
		for (size_t i = 0; i < w.len; i++) {
			assert_int_equal(frame_parse(w.data, i, testnet, &got, &res,
			    &used), FRAME_NEED_MORE);
			assert_int_equal(used, 0);
		}
		msg_free(&m);
	}
	wbuf_free(&w);
}

static void
test_parse_wrong_network(void **state)
{
	struct wbuf w;
	struct msg m, got;
	struct frame_result res;
	size_t used;

	(void)state;
	wbuf_init(&w);
	msg_ping_init(&m, 1);
	frame_encode(&w, testnet, &m);
	assert_int_equal(frame_parse(w.data, w.len, mainnet, &got, &res, &used),
	    FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_BAD_MAGIC);
	assert_int_equal(used, 0);
	assert_memory_equal(res.hdr.magic, testnet, 4);
	assert_int_equal(res.hdr.type, MSG_PING);
	/* Reported from the header alone. */
	assert_int_equal(frame_parse(w.data, FRAME_HEADER_LEN, regtest, &got, &res,
	    &used), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_BAD_MAGIC);
	wbuf_free(&w);
}

/* --- streaming over evbuffer -------------------------------------------- */

static void
test_read_bad_magic_header_only(void **state)
{
	struct evbuffer *in = evbuffer_new();
	struct wbuf w;
	struct msg m, got;
	struct frame_result res;

	(void)state;
	wbuf_init(&w);
	msg_pong_init(&m, 2);
	frame_encode(&w, mainnet, &m);
	evbuffer_add(in, w.data, FRAME_HEADER_LEN - 1);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
	evbuffer_add(in, w.data + FRAME_HEADER_LEN - 1, 1);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_BAD_MAGIC);
	assert_memory_equal(res.hdr.magic, mainnet, 4);
	assert_int_equal(evbuffer_get_length(in), FRAME_HEADER_LEN);
	evbuffer_free(in);
	wbuf_free(&w);
}

static void
test_read_oversized_header_only(void **state)
{
	struct evbuffer *in = evbuffer_new();
	uint8_t hdr[FRAME_HEADER_LEN];
	struct msg got;
	struct frame_result res;
	uint32_t n = MSG_MAX_PAYLOAD + 1;

	(void)state;
	memcpy(hdr, regtest, 4);
	hdr[4] = MSG_BLOCK;
	hdr[5] = (uint8_t)n;
	hdr[6] = (uint8_t)(n >> 8);
	hdr[7] = (uint8_t)(n >> 16);
	hdr[8] = (uint8_t)(n >> 24);
	memset(hdr + 9, 0, 4);
	evbuffer_add(in, hdr, sizeof(hdr));
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_OVERSIZED);
	assert_int_equal(res.hdr.length, n);
	assert_int_equal(evbuffer_get_length(in), FRAME_HEADER_LEN);

	/* The largest length is legal: we wait for it. */
	evbuffer_drain(in, sizeof(hdr));
	n = MSG_MAX_PAYLOAD;
	hdr[5] = (uint8_t)n;
	hdr[6] = (uint8_t)(n >> 8);
	hdr[7] = (uint8_t)(n >> 16);
	hdr[8] = (uint8_t)(n >> 24);
	evbuffer_add(in, hdr, sizeof(hdr));
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
	assert_int_equal(evbuffer_get_length(in), FRAME_HEADER_LEN);

	/* 0xffffffff as well, unknown type or not. */
	evbuffer_drain(in, sizeof(hdr));
	hdr[4] = 200;
	memset(hdr + 5, 0xff, 4);
	evbuffer_add(in, hdr, sizeof(hdr));
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_OVERSIZED);
	evbuffer_free(in);
}

static void
test_read_max_payload(void **state)
{
	struct evbuffer *in = evbuffer_new();
	uint8_t *p = malloc(MSG_MAX_PAYLOAD);
	struct block_txdata t[40];
	struct block_header h;
	struct block b;
	struct frame_result res;
	struct wbuf w;
	struct msg m, got;

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < MSG_MAX_PAYLOAD; i++)
		p[i] = (uint8_t)(i >> 10);
	wbuf_init(&w);
	/* A frame of exactly MSG_MAX_PAYLOAD bytes, arriving in two pieces
	 * so the reader must join chains; its type is one we do not know,
	 * since no message we know is that large. */
	frame_encode_raw(&w, regtest, 200, p, MSG_MAX_PAYLOAD);
	evbuffer_add(in, w.data, w.len / 2);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
	evbuffer_add(in, w.data + w.len / 2, w.len - w.len / 2);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_SKIPPED);
	assert_int_equal(res.hdr.length, MSG_MAX_PAYLOAD);
	assert_int_equal(evbuffer_get_length(in), 0);

	/* The largest block: 80 + 1 + 39 * (5 + 100,000) + (5 + 99,719). */
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 40; i++) {
		t[i].data = p;
		t[i].len = i < 39 ? BLOCK_TX_MAX_SIZE : 99719;
	}
	assert_int_equal(block_build(&b, &h, t, 40), BLOCK_OK);
	assert_int_equal(b.len, BLOCK_MAX_SIZE);
	free(p);
	msg_init(&m, MSG_BLOCK);
	msg_block_take(&m, &b);
	wbuf_reset(&w);
	frame_encode(&w, regtest, &m);
	evbuffer_add(in, w.data, w.len / 2);
	evbuffer_add(in, w.data + w.len / 2, w.len - w.len / 2);
	expect_msg(in, regtest, &m);
	assert_int_equal(evbuffer_get_length(in), 0);
	msg_free(&m);
	wbuf_free(&w);
	evbuffer_free(in);
}

static void
test_read_bad_checksum(void **state)
{
	struct evbuffer *in = evbuffer_new();
	struct wbuf w;
	struct msg m, got;
	struct frame_result res;

	(void)state;
	wbuf_init(&w);
	msg_ping_init(&m, 99);
	frame_encode(&w, regtest, &m);
	w.data[FRAME_HEADER_LEN] ^= 0x01;	/* corrupt the payload */
	msg_pong_init(&m, 100);
	frame_encode(&w, regtest, &m);
	evbuffer_add(in, w.data, w.len);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_BAD_CHECKSUM);
	assert_int_equal(res.hdr.type, MSG_PING);
	/* The bad frame is gone; a lenient caller reads the next one. */
	assert_int_equal(evbuffer_get_length(in), FRAME_HEADER_LEN + 8);
	expect_msg(in, regtest, &m);
	evbuffer_free(in);
	wbuf_free(&w);
}

static void
test_read_decode_error(void **state)
{
	struct evbuffer *in = evbuffer_new();
	struct wbuf w;
	struct msg got;
	struct frame_result res;

	(void)state;
	wbuf_init(&w);
	/* A 7-byte ping with a valid checksum, then a verack with a payload. */
	frame_encode_raw(&w, regtest, MSG_PING, "1234567", 7);
	frame_encode_raw(&w, regtest, MSG_VERACK, "x", 1);
	frame_encode_raw(&w, regtest, MSG_ADDR, "\xfd\x01\x00", 3);
	evbuffer_add(in, w.data, w.len);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_TRUNCATED);
	assert_int_equal(res.hdr.length, 7);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_TRAILING);
	assert_int_equal(res.hdr.type, MSG_VERACK);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_NONCANONICAL);
	/* Nothing to free after an error, by contract. */
	assert_int_equal(got.type, 0);
	msg_free(&got);
	assert_int_equal(evbuffer_get_length(in), 0);
	got.type = MSG_ADDR;
	got.u.addr.entries = (void *)&got;	/* garbage the reader must clear */
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
	assert_null(got.u.addr.entries);
	msg_free(&got);
	evbuffer_free(in);
	wbuf_free(&w);
}

static void
test_read_unknown_type_skipped(void **state)
{
	struct evbuffer *in = evbuffer_new();
	struct wbuf w;
	struct msg m, got;
	struct frame_result res;

	(void)state;
	wbuf_init(&w);
	frame_encode_raw(&w, regtest, MSG_TYPE_COUNT, "future", 6);
	frame_encode_raw(&w, regtest, 255, NULL, 0);
	/* An unknown type with a bad checksum is a checksum error. */
	frame_encode_raw(&w, regtest, 42, "abc", 3);
	w.data[w.len - 1] ^= 0xff;
	msg_ping_init(&m, 5);
	frame_encode(&w, regtest, &m);
	evbuffer_add(in, w.data, w.len);

	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_SKIPPED);
	assert_int_equal(res.err, MSG_ERR_UNKNOWN_TYPE);
	assert_int_equal(res.hdr.type, MSG_TYPE_COUNT);
	assert_int_equal(res.hdr.length, 6);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_SKIPPED);
	assert_int_equal(res.hdr.type, 255);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_ERROR);
	assert_int_equal(res.err, MSG_ERR_BAD_CHECKSUM);
	expect_msg(in, regtest, &m);
	assert_int_equal(evbuffer_get_length(in), 0);
	evbuffer_free(in);
	wbuf_free(&w);
}

static void
test_read_byte_at_a_time(void **state)
{
	struct evbuffer *in = evbuffer_new();
	struct wbuf w;
	struct msg m, got;
	struct frame_result res;

	(void)state;
	wbuf_init(&w);
	sample(&m, MSG_VERSION);
	frame_encode(&w, regtest, &m);
	for (size_t i = 0; i + 1 < w.len; i++) {
		evbuffer_add(in, w.data + i, 1);
		assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
		assert_int_equal(evbuffer_get_length(in), i + 1);
	}
	evbuffer_add(in, w.data + w.len - 1, 1);
	expect_msg(in, regtest, &m);
	assert_int_equal(evbuffer_get_length(in), 0);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
	msg_free(&m);
	evbuffer_free(in);
	wbuf_free(&w);
}

static void
test_read_three_frames_one_buffer(void **state)
{
	struct evbuffer *in = evbuffer_new();
	struct wbuf w;
	struct msg m[3];

	(void)state;
	wbuf_init(&w);
	sample(&m[0], MSG_VERSION);
	msg_init(&m[1], MSG_VERACK);
	sample(&m[2], MSG_ADDR);
	for (int i = 0; i < 3; i++)
		frame_encode(&w, regtest, &m[i]);
	/* Plus the first byte of a fourth frame. */
	wbuf_u8(&w, regtest[0]);
	evbuffer_add(in, w.data, w.len);
	for (int i = 0; i < 3; i++)
		expect_msg(in, regtest, &m[i]);
	assert_int_equal(evbuffer_get_length(in), 1);
	for (int i = 0; i < 3; i++)
		msg_free(&m[i]);
	evbuffer_free(in);
	wbuf_free(&w);
}

static void
test_read_split_header_payload(void **state)
{
	struct evbuffer *in = evbuffer_new();
	struct wbuf w;
	struct msg m, got;
	struct frame_result res;

	(void)state;
	wbuf_init(&w);
	sample(&m, MSG_GETBLOCKS);
	frame_encode(&w, regtest, &m);
	/* Part of the header ... */
	evbuffer_add(in, w.data, 7);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
	/* ... exactly the header ... */
	evbuffer_add(in, w.data + 7, FRAME_HEADER_LEN - 7);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
	assert_int_equal(evbuffer_get_length(in), FRAME_HEADER_LEN);
	/* ... part of the payload ... */
	evbuffer_add(in, w.data + FRAME_HEADER_LEN, 20);
	assert_int_equal(frame_read(in, regtest, &got, &res), FRAME_NEED_MORE);
	assert_int_equal(evbuffer_get_length(in), FRAME_HEADER_LEN + 20);
	/* ... the rest. */
	evbuffer_add(in, w.data + FRAME_HEADER_LEN + 20, w.len - FRAME_HEADER_LEN - 20);
	expect_msg(in, regtest, &m);
	assert_int_equal(evbuffer_get_length(in), 0);
	msg_free(&m);
	evbuffer_free(in);
	wbuf_free(&w);
}

static void
test_read_empty_payload_exact_header(void **state)
{
	struct evbuffer *in = evbuffer_new();
	struct wbuf w;
	struct msg m;

	(void)state;
	wbuf_init(&w);
	msg_init(&m, MSG_GETADDR);
	frame_encode(&w, mainnet, &m);
	assert_int_equal(w.len, FRAME_HEADER_LEN);
	evbuffer_add(in, w.data, w.len);
	expect_msg(in, mainnet, &m);
	assert_int_equal(evbuffer_get_length(in), 0);
	evbuffer_free(in);
	wbuf_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_ping_frame),
		cmocka_unit_test(test_golden_verack_frame),
		cmocka_unit_test(test_golden_version_frame),
		cmocka_unit_test(test_parse_every_type),
		cmocka_unit_test(test_parse_wrong_network),
		cmocka_unit_test(test_read_bad_magic_header_only),
		cmocka_unit_test(test_read_oversized_header_only),
		cmocka_unit_test(test_read_max_payload),
		cmocka_unit_test(test_read_bad_checksum),
		cmocka_unit_test(test_read_decode_error),
		cmocka_unit_test(test_read_unknown_type_skipped),
		cmocka_unit_test(test_read_byte_at_a_time),
		cmocka_unit_test(test_read_three_frames_one_buffer),
		cmocka_unit_test(test_read_split_header_payload),
		cmocka_unit_test(test_read_empty_payload_exact_header),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
