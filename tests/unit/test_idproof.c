/* test_idproof.c -- identity proofs: golden getidentity/identity payloads and signature, every malformed class, verification failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chainparams.h"
#include "hash.h"
#include "idproof.h"
#include "msg.h"
#include "unhex.h"

/* The golden vector of docs/PROTOCOL.md: seed a0..bf, nonce 00..1f, the
 * dialled address 127.0.0.1:29001, reward address "agc1example", regtest.
 * The signature was cross-checked with an independent Ed25519 (Python's
 * cryptography package). */
static const char golden_challenge_hex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "00000000000000000000ffff7f000001" "7149";
static const char golden_pubkey_hex[] =
    "4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4";
static const char golden_sig_hex[] =
    "20161cde938a9566c69e93c7f78a825d7ed534dac0ae54b418d84acd24e49f22"
    "3f70082b4fc50d3e6e62bdb643e168a7545fe021037c22bac4496ea241802c0a";
static const char golden_signed_hex[] =
    "6167656e74636861696e2d6964656e746974792d7631" "ac4e7cfa"
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "00000000000000000000ffff7f000001" "7149"
    "4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4"
    "0b" "616763316578616d706c65";

static const uint8_t *
regtest_magic(void)
{
	return chainparams_by_name("regtest")->magic;
}

static void
golden_challenge(struct idproof_challenge *c)
{
	for (int i = 0; i < IDPROOF_NONCE_LEN; i++)
		c->nonce[i] = (uint8_t)i;
	assert_int_equal(netaddr_parse("127.0.0.1:29001", 0, &c->addr), 0);
}

/* The golden answer, signed with the golden key; SECKEY receives it. */
static void
golden_answer(const struct idproof_challenge *c, struct idproof_answer *a,
    uint8_t seckey[IDPROOF_SECKEY_LEN])
{
	uint8_t seed[IDPROOF_SEED_LEN];

	for (int i = 0; i < IDPROOF_SEED_LEN; i++)
		seed[i] = (uint8_t)(0xa0 + i);
	memset(a, 0, sizeof(*a));
	idproof_keypair_from_seed(seed, a->pubkey, seckey);
	strcpy(a->reward, "agc1example");
	a->reward_len = strlen(a->reward);
	idproof_sign(regtest_magic(), c, a, seckey);
}

static void
assert_bytes(const struct wbuf *w, const char *hex)
{
	size_t n;
	uint8_t *want = unhex(hex, &n);

	assert_int_equal(w->len, n);
	assert_memory_equal(w->data, want, n);
	free(want);
}

static enum msg_err
decode_hex(unsigned type, const char *hex, struct msg *m)
{
	size_t n;
	uint8_t *p = unhex(hex, &n);
	enum msg_err e = msg_decode(type, p, n, m);

	free(p);
	return e;
}

/* The whole identity payload of the golden vector. */
static char *
golden_identity_hex(void)
{
	static char hex[1024];

	snprintf(hex, sizeof(hex), "%s0b616763316578616d706c65%s", golden_pubkey_hex,
	    golden_sig_hex);
	return hex;
}

static int
setup(void **state)
{
	(void)state;
	return hash_init();
}

static void
test_golden_getidentity(void **state)
{
	struct idproof_challenge c;
	struct msg m, back;
	struct wbuf w;

	(void)state;
	golden_challenge(&c);
	msg_getidentity_init(&m, &c);
	assert_int_equal(m.type, MSG_GETIDENTITY);
	wbuf_init(&w);
	msg_encode(&m, &w);
	assert_bytes(&w, golden_challenge_hex);
	assert_int_equal(msg_decode(MSG_GETIDENTITY, w.data, w.len, &back), MSG_OK);
	assert_true(msg_equal(&m, &back));
	/* Every shorter payload is truncated; one byte more is trailing. */
	for (size_t n = 0; n < w.len; n++) {
		assert_int_equal(msg_decode(MSG_GETIDENTITY, w.data, n, &back),
		    MSG_ERR_TRUNCATED);
	}
	wbuf_u8(&w, 0);
	assert_int_equal(msg_decode(MSG_GETIDENTITY, w.data, w.len, &back), MSG_ERR_TRAILING);
	wbuf_free(&w);
}

static void
test_golden_identity_and_signature(void **state)
{
	struct idproof_challenge c;
	struct idproof_answer a;
	uint8_t sk[IDPROOF_SECKEY_LEN];
	char pkhex[IDPROOF_PUBKEY_HEXLEN];
	struct msg m, back;
	struct wbuf w;

	(void)state;
	golden_challenge(&c);
	golden_answer(&c, &a, sk);
	assert_string_equal(idproof_pubkey_hex(a.pubkey, pkhex), golden_pubkey_hex);
	wbuf_init(&w);
	idproof_signed_bytes(regtest_magic(), &c, &a, &w);
	assert_bytes(&w, golden_signed_hex);
	wbuf_reset(&w);
	msg_identity_init(&m, &a);
	msg_encode(&m, &w);
	assert_bytes(&w, golden_identity_hex());
	assert_int_equal(msg_decode(MSG_IDENTITY, w.data, w.len, &back), MSG_OK);
	assert_true(msg_equal(&m, &back));
	assert_string_equal(back.u.identity.reward, "agc1example");
	assert_true(idproof_verify(regtest_magic(), &c, &back.u.identity));
	for (size_t n = 0; n < w.len; n++)
		assert_int_equal(msg_decode(MSG_IDENTITY, w.data, n, &back), MSG_ERR_TRUNCATED);
	wbuf_u8(&w, 0);
	assert_int_equal(msg_decode(MSG_IDENTITY, w.data, w.len, &back), MSG_ERR_TRAILING);
	wbuf_free(&w);
}

/* The reward address: empty, 90 bytes, printable only, one encoding. */
static void
test_reward_address_limits(void **state)
{
	struct idproof_answer a;
	struct msg m;
	char hex[1024], r[128];

	(void)state;
	memset(&a, 0, sizeof(a));
	msg_identity_init(&m, &a);
	struct wbuf w;
	wbuf_init(&w);
	msg_encode(&m, &w);
	assert_int_equal(w.len, 32 + 1 + 64);
	assert_int_equal(msg_decode(MSG_IDENTITY, w.data, w.len, &m), MSG_OK);
	assert_int_equal(m.u.identity.reward_len, 0);
	wbuf_free(&w);

	memset(r, 0, sizeof(r));
	for (int len = 90; len <= 91; len++) {
		int o = snprintf(hex, sizeof(hex), "%s%02x", golden_pubkey_hex, len);
		for (int i = 0; i < len; i++)
			o += snprintf(hex + o, sizeof(hex) - (size_t)o, "61");
		snprintf(hex + o, sizeof(hex) - (size_t)o, "%s", golden_sig_hex);
		assert_int_equal(decode_hex(MSG_IDENTITY, hex, &m),
		    len == 90 ? MSG_OK : MSG_ERR_STRING_TOO_LONG);
	}
	/* A control byte, DEL and a high byte are refused. */
	snprintf(hex, sizeof(hex), "%s0261%s%s", golden_pubkey_hex, "0a", golden_sig_hex);
	assert_int_equal(decode_hex(MSG_IDENTITY, hex, &m), MSG_ERR_BAD_STRING);
	snprintf(hex, sizeof(hex), "%s0261%s%s", golden_pubkey_hex, "7f", golden_sig_hex);
	assert_int_equal(decode_hex(MSG_IDENTITY, hex, &m), MSG_ERR_BAD_STRING);
	snprintf(hex, sizeof(hex), "%s0261%s%s", golden_pubkey_hex, "c3", golden_sig_hex);
	assert_int_equal(decode_hex(MSG_IDENTITY, hex, &m), MSG_ERR_BAD_STRING);
	/* The length in three bytes: non-canonical; a huge one: too long
	 * (refused before anything is read with it). */
	snprintf(hex, sizeof(hex), "%sfd0100" "61%s", golden_pubkey_hex, golden_sig_hex);
	assert_int_equal(decode_hex(MSG_IDENTITY, hex, &m), MSG_ERR_NONCANONICAL);
	snprintf(hex, sizeof(hex), "%sffffffffffffffffff%s", golden_pubkey_hex, golden_sig_hex);
	assert_int_equal(decode_hex(MSG_IDENTITY, hex, &m), MSG_ERR_STRING_TOO_LONG);
	/* The validity rule itself. */
	assert_true(idproof_reward_valid("", 0));
	assert_true(idproof_reward_valid(" ~", 2));
	assert_false(idproof_reward_valid("a\tb", 3));
	memset(r, 'x', 91);
	assert_true(idproof_reward_valid(r, 90));
	assert_false(idproof_reward_valid(r, 91));
}

/* Any change to what was signed breaks the proof: another nonce, another
 * dialled address (a relayed challenge), another network, key, reward
 * address or signature. */
static void
test_verify_rejects_every_change(void **state)
{
	struct idproof_challenge c, c2;
	struct idproof_answer a, a2;
	uint8_t sk[IDPROOF_SECKEY_LEN], magic[4];

	(void)state;
	golden_challenge(&c);
	golden_answer(&c, &a, sk);
	assert_true(idproof_verify(regtest_magic(), &c, &a));

	c2 = c;
	c2.nonce[31] ^= 1;
	assert_false(idproof_verify(regtest_magic(), &c2, &a));
	c2 = c;
	c2.addr.port++;
	assert_false(idproof_verify(regtest_magic(), &c2, &a));
	c2 = c;
	c2.addr.ip[15] = 2;
	assert_false(idproof_verify(regtest_magic(), &c2, &a));
	memcpy(magic, regtest_magic(), 4);
	magic[3] ^= 1;
	assert_false(idproof_verify(magic, &c, &a));
	assert_false(idproof_verify(chainparams_by_name("mainnet")->magic, &c, &a));
	a2 = a;
	a2.reward[0] = 'b';
	assert_false(idproof_verify(regtest_magic(), &c, &a2));
	a2 = a;
	a2.reward_len--;
	assert_false(idproof_verify(regtest_magic(), &c, &a2));
	a2 = a;
	a2.pubkey[0] ^= 1;
	assert_false(idproof_verify(regtest_magic(), &c, &a2));
	a2 = a;
	a2.sig[63] ^= 0x80;
	assert_false(idproof_verify(regtest_magic(), &c, &a2));
	/* An in-memory answer whose reward breaks the wire rule never verifies,
	 * even when correctly signed. */
	a2 = a;
	a2.reward[0] = '\n';
	idproof_sign(regtest_magic(), &c, &a2, sk);
	assert_false(idproof_verify(regtest_magic(), &c, &a2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_getidentity),
		cmocka_unit_test(test_golden_identity_and_signature),
		cmocka_unit_test(test_reward_address_limits),
		cmocka_unit_test(test_verify_rejects_every_change),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
