/* test_block_wire.c -- the data messages' example frames of docs/PROTOCOL.md, byte for byte, both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "block.h"
#include "buf.h"
#include "chainparams.h"
#include "frame.h"
#include "hash.h"
#include "msg.h"
#include "unhex.h"

static const uint8_t *regtest;

static int
setup(void **state)
{
	(void)state;
	regtest = chainparams_get(NET_REGTEST)->magic;
	return hash_init();
}

/* Encode M as a regtest frame, compare with HEX, parse HEX back and
 * compare with M. */
static void
frame_golden(const struct msg *m, const char *hex)
{
	struct wbuf w;
	struct msg got;
	struct frame_result res;
	size_t n, used;
	uint8_t *want = unhex(hex, &n);

	wbuf_init(&w);
	frame_encode(&w, regtest, m);
	assert_int_equal(w.len, n);
	assert_memory_equal(w.data, want, n);
	assert_int_equal(frame_parse(want, n, regtest, &got, &res, &used), FRAME_MSG);
	assert_int_equal(used, n);
	assert_true(msg_equal(&got, m));
	msg_free(&got);
	wbuf_free(&w);
	free(want);
}

/* docs/PROTOCOL.md "Examples": regtest's genesis block in a block frame. */
static void
test_doc_block_frame(void **state)
{
	struct block b;
	struct msg m;

	(void)state;
	block_genesis(&b, chainparams_get(NET_REGTEST));
	msg_init(&m, MSG_BLOCK);
	msg_block_take(&m, &b);
	frame_golden(&m,
	    "ac4e7cfa" "05" "8e000000" "a406fe16"
	    "01000000"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "9f3a8eb61cf5c8971ed2fbd607b455343abf92a0a903c5eff0746b3e51cf259d"
	    "00b95569" "ffff7f20" "00000000"
	    "01" "3c"
	    "6167656e74636861696e20726567746573742067656e6573697320323032362d"
	    "30312d30313a20616e796f6e652063616e2072756e2061206e6f6465");
	msg_free(&m);
}

/* Its header alone, in a headers message. */
static void
test_doc_headers_frame(void **state)
{
	struct block b;
	struct msg m;

	(void)state;
	block_genesis(&b, chainparams_get(NET_REGTEST));
	msg_init(&m, MSG_HEADERS);
	assert_int_equal(msg_headers_set(&m, &b.header, 1), 0);
	block_free(&b);
	frame_golden(&m,
	    "ac4e7cfa" "0d" "52000000" "ebfba91b"
	    "01"
	    "01000000"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "9f3a8eb61cf5c8971ed2fbd607b455343abf92a0a903c5eff0746b3e51cf259d"
	    "00b95569" "ffff7f20" "00000000"
	    "00");
	msg_free(&m);
}

/* An inv announcing it, and a getheaders whose locator is just it. */
static void
test_doc_inv_getheaders_frames(void **state)
{
	const struct chainparams *p = chainparams_get(NET_REGTEST);
	struct msg_inv e = { .type = MSG_INV_BLOCK };
	uint8_t loc[1][32];
	struct msg m;

	(void)state;
	memcpy(e.hash, p->genesis.hash, 32);
	msg_init(&m, MSG_INV);
	assert_int_equal(msg_inv_set(&m, MSG_INV, &e, 1), 0);
	frame_golden(&m,
	    "ac4e7cfa" "09" "25000000" "cd726bb1"
	    "01" "02000000"
	    "20a6f26d536f2f11255cee5e0c61346ab7f42006a2af19b86bef82dc2fa35468");
	memcpy(loc[0], p->genesis.hash, 32);
	assert_int_equal(msg_getheaders_set(&m, PROTO_VERSION, loc, 1, NULL), 0);
	frame_golden(&m,
	    "ac4e7cfa" "0c" "45000000" "af75d886"
	    "38120100" "01"
	    "20a6f26d536f2f11255cee5e0c61346ab7f42006a2af19b86bef82dc2fa35468"
	    "0000000000000000000000000000000000000000000000000000000000000000");
	msg_free(&m);
}

/* docs/PROTOCOL.md "Examples": sendhb asking for pushes. */
static void
test_doc_sendhb_frame(void **state)
{
	struct msg m;

	(void)state;
	msg_sendhb_init(&m, MSG_HB_PUSH);
	frame_golden(&m, "ac4e7cfa0e010000009c12cfdc01");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_block_frame),
		cmocka_unit_test(test_doc_headers_frame),
		cmocka_unit_test(test_doc_inv_getheaders_frames),
		cmocka_unit_test(test_doc_sendhb_frame),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
