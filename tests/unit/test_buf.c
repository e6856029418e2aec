/* test_buf.c -- the bounds-checked cursor and writer (common/buf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "buf.h"

static void
test_le_roundtrip(void **state)
{
	struct wbuf w;
	struct rbuf r;
	uint8_t u8; uint16_t u16, b16; uint32_t u32; int32_t i32; uint64_t u64; int64_t i64;

	(void)state;
	wbuf_init(&w);
	wbuf_u8(&w, 0xab);
	wbuf_u16le(&w, 0x1234);
	wbuf_u16be(&w, 0x1234);
	wbuf_u32le(&w, 0xdeadbeef);
	wbuf_i32le(&w, -2);
	wbuf_u64le(&w, 0x0102030405060708ULL);
	wbuf_i64le(&w, INT64_MIN);
	assert_int_equal(w.len, 1 + 2 + 2 + 4 + 4 + 8 + 8);
	/* byte order is part of the wire format: pin it */
	assert_int_equal(w.data[1], 0x34);
	assert_int_equal(w.data[3], 0x12);
	assert_int_equal(w.data[5], 0xef);

	rbuf_init(&r, w.data, w.len);
	assert_true(rbuf_u8(&r, &u8) && u8 == 0xab);
	assert_true(rbuf_u16le(&r, &u16) && u16 == 0x1234);
	assert_true(rbuf_u16be(&r, &b16) && b16 == 0x1234);
	assert_true(rbuf_u32le(&r, &u32) && u32 == 0xdeadbeef);
	assert_true(rbuf_i32le(&r, &i32) && i32 == -2);
	assert_true(rbuf_u64le(&r, &u64) && u64 == 0x0102030405060708ULL);
	assert_true(rbuf_i64le(&r, &i64) && i64 == INT64_MIN);
	assert_int_equal(rbuf_remaining(&r), 0);
	assert_false(rbuf_u8(&r, &u8));
	wbuf_free(&w);
}

static void
test_short_reads_consume_nothing(void **state)
{
	const uint8_t data[3] = { 1, 2, 3 };
	struct rbuf r;
	uint32_t v;
	uint8_t out[4];

	(void)state;
	rbuf_init(&r, data, sizeof(data));
	assert_false(rbuf_u32le(&r, &v));
	assert_int_equal(r.pos, 0);
	assert_false(rbuf_bytes(&r, out, 4));
	assert_false(rbuf_skip(&r, 4));
	assert_null(rbuf_peek(&r, 4));
	assert_true(rbuf_skip(&r, 3));
	assert_int_equal(rbuf_remaining(&r), 0);
}

static void
test_compactsize(void **state)
{
	static const uint64_t values[] = { 0, 1, 0xfc, 0xfd, 0xffff, 0x10000,
	    0xffffffffULL, 0x100000000ULL, UINT64_MAX };
	static const size_t sizes[] = { 1, 1, 1, 3, 3, 5, 5, 9, 9 };
	struct wbuf w;
	struct rbuf r;
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		wbuf_init(&w);
		wbuf_compactsize(&w, values[i]);
		assert_int_equal(w.len, sizes[i]);
		rbuf_init(&r, w.data, w.len);
		assert_int_equal(rbuf_compactsize(&r, &v), RBUF_OK);
		assert_true(v == values[i]);
		/* every strict prefix is short, and consumes nothing */
		for (size_t cut = 0; cut < w.len; cut++) {
			rbuf_init(&r, w.data, cut);
			assert_int_equal(rbuf_compactsize(&r, &v), RBUF_SHORT);
			assert_int_equal(r.pos, 0);
		}
		wbuf_free(&w);
	}
}

static void
test_compactsize_noncanonical(void **state)
{
	const uint8_t a[] = { 0xfd, 0xfc, 0x00 };		/* 252 in 3 bytes */
	const uint8_t b[] = { 0xfe, 0xff, 0xff, 0x00, 0x00 };	/* 65535 in 5 */
	const uint8_t c[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	struct rbuf r;
	uint64_t v;

	(void)state;
	rbuf_init(&r, a, sizeof(a));
	assert_int_equal(rbuf_compactsize(&r, &v), RBUF_NONCANONICAL);
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(rbuf_compactsize(&r, &v), RBUF_NONCANONICAL);
	rbuf_init(&r, c, sizeof(c));
	assert_int_equal(rbuf_compactsize(&r, &v), RBUF_NONCANONICAL);
}

static void
test_wbuf_growth(void **state)
{
	struct wbuf w;
	uint8_t chunk[1000];

	(void)state;
	memset(chunk, 0x5a, sizeof(chunk));
	wbuf_init(&w);
	for (int i = 0; i < 100; i++)
		wbuf_bytes(&w, chunk, sizeof(chunk));
	assert_int_equal(w.len, 100000);
	assert_true(w.cap >= w.len);
	assert_int_equal(w.data[99999], 0x5a);
	wbuf_reset(&w);
	assert_int_equal(w.len, 0);
	wbuf_free(&w);
	assert_null(w.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_le_roundtrip),
		cmocka_unit_test(test_short_reads_consume_nothing),
		cmocka_unit_test(test_compactsize),
		cmocka_unit_test(test_compactsize_noncanonical),
		cmocka_unit_test(test_wbuf_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
