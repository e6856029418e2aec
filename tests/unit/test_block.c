/* test_block.c -- headers, merkle roots, block parse/build/check, genesis blocks: golden bytes and every error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "block_header.h"
#include "buf.h"
#include "chainparams.h"
#include "hash.h"
#include "merkle.h"
#include "pow.h"
#include "u256.h"
#include "unhex.h"

/* --- helpers ------------------------------------------------------------ */

static void
assert_hash(const uint8_t hash[32], const char *display)
{
	char hex[U256_HEX_LEN];

	u256_hash_to_hex(hash, hex);
	assert_string_equal(hex, display);
}

static void
assert_bytes_hex(const uint8_t *p, size_t len, const char *hex)
{
	size_t n;
	uint8_t *want = unhex(hex, &n);

	assert_int_equal(len, n);
	assert_memory_equal(p, want, n);
	free(want);
}

/* "agentchain tx N": the transactions of the Python reference vectors. */
static char txbuf[16][32];

static struct block_txdata
txn(int i)
{
	struct block_txdata t;

	snprintf(txbuf[i], sizeof(txbuf[i]), "agentchain tx %d", i);
	t.data = (const uint8_t *)txbuf[i];
	t.len = strlen(txbuf[i]);
	return t;
}

/* Leaves for merkle tests: the txids of txn(0..n-1). */
static void
txids_of(int n, uint8_t (*ids)[32])
{
	for (int i = 0; i < n; i++) {
		struct block_txdata t = txn(i);

		block_txid(t.data, t.len, ids[i]);
	}
}

static int
setup(void **state)
{
	(void)state;
	return hash_init();
}

/* --- headers ------------------------------------------------------------ */

/* Bitcoin's genesis header, a vector from outside this project. */
static const char btc_genesis_hex[] =
    "01000000" "0000000000000000000000000000000000000000000000000000000000000000"
    "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a"
    "29ab5f49" "ffff001d" "1dac2b7c";

static void
test_header_golden(void **state)
{
	struct block_header h, back;
	uint8_t enc[BLOCK_HEADER_SIZE], hash[32];
	size_t n;
	uint8_t *p = unhex(btc_genesis_hex, &n);

	(void)state;
	assert_int_equal(n, BLOCK_HEADER_SIZE);
	block_header_decode(p, &h);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.time, 1231006505);
	assert_int_equal(h.bits, 0x1d00ffff);
	assert_int_equal(h.nonce, 2083236893);
	assert_hash(h.merkle_root, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
	block_header_encode(&h, enc);
	assert_memory_equal(enc, p, n);
	block_header_hash(&h, hash);
	assert_hash(hash, "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
	free(p);

	/* Negative versions and extreme fields survive the round trip. */
	memset(&h, 0xa5, sizeof(h));
	h.version = INT32_MIN;
	h.time = UINT32_MAX;
	h.bits = 0;
	h.nonce = 0x01020304;
	block_header_encode(&h, enc);
	assert_memory_equal(enc, "\x00\x00\x00\x80", 4);
	assert_memory_equal(enc + 76, "\x04\x03\x02\x01", 4);
	block_header_decode(enc, &back);
	assert_int_equal(back.version, INT32_MIN);
	assert_int_equal(back.time, UINT32_MAX);
	assert_int_equal(back.nonce, 0x01020304);
	assert_memory_equal(back.prev_hash, h.prev_hash, 32);
	assert_memory_equal(back.merkle_root, h.merkle_root, 32);
}

/* --- merkle ------------------------------------------------------------- */

/* Modern Core's ComputeMerkleRoot, written the plain way (a level at a
 * time), to cross-check the O(log n) version. */
static void
naive_merkle(const uint8_t (*leaves)[32], size_t n, uint8_t root[32], bool *mutated)
{
	uint8_t (*h)[32];
	size_t cnt = n;

	*mutated = false;
	if (n == 0) {
		memset(root, 0, 32);
		return;
	}
	h = malloc((n + 1) * 32);
	assert_non_null(h);
	memcpy(h, leaves, n * 32);
	while (cnt > 1) {
		for (size_t i = 0; i + 1 < cnt; i += 2)
			if (memcmp(h[i], h[i + 1], 32) == 0)
				*mutated = true;
		if (cnt & 1) {
			memcpy(h[cnt], h[cnt - 1], 32);
			cnt++;
		}
		for (size_t i = 0; i < cnt / 2; i++)
			hash_sha256d(h[2 * i], 64, h[i]);
		cnt /= 2;
	}
	memcpy(root, h[0], 32);
	free(h);
}

static void
test_merkle_golden(void **state)
{
	/* From the Python reference, leaves = txids of "agentchain tx 0..". */
	static const char *const want[] = {
		NULL,
		"b05db1a26bd9314448f9feec1f88c0d0c1d23c0c5ee53147e63e062f612a7d92",
		"624feadd8095d58ff76a476d471820478b7b379c1a4f1f15869cd96c45dce17b",
		"27ef7a97109d7660dd21220093dadb6efbd38baf02e472381cad6dbbc57522e0",
		"ed75047c485b34509b90e35297b221764e171dab354d658a3ce6b47ebfda7c24",
		"61e69a02014350a8eafcd953e33a683a4a54b563e7b165d2cc124769de63a507",
		"ff01f01ffd87a761dff0ff2b36edd5ae6b3d9a10c7da5ee1a942a9d5a5b4b516",
		"dddc42de68b02bef0f71bcd878e2f56544a81da2e6587e7ecbcda4e6e3d4b224",
	};
	uint8_t ids[8][32], root[32];
	bool mutated = true;

	(void)state;
	txids_of(8, ids);
	/* No leaves: zeros, not mutated. */
	memset(root, 0xaa, sizeof(root));
	merkle_root(NULL, 0, root, &mutated);
	assert_false(mutated);
	assert_hash(root, "0000000000000000000000000000000000000000000000000000000000000000");
	for (size_t n = 1; n <= 7; n++) {
		mutated = true;
		merkle_root((const uint8_t (*)[32])ids, n, root, &mutated);
		assert_hash(root, want[n]);
		assert_false(mutated);
	}
	/* One leaf is its own root (the genesis case). */
	merkle_root((const uint8_t (*)[32])ids, 1, root, NULL);
	assert_memory_equal(root, ids[0], 32);
}

static void
test_merkle_bitcoin_block_100000(void **state)
{
	static const char *const txids[] = {
		"8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
		"fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
		"6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
		"e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
	};
	uint8_t ids[4][32], root[32];
	bool mutated;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_true(u256_hash_from_hex(txids[i], ids[i]));
	merkle_root((const uint8_t (*)[32])ids, 4, root, &mutated);
	assert_hash(root, "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766");
	assert_false(mutated);
}

static void
test_merkle_mutation(void **state)
{
	uint8_t ids[8][32], root[32], root3[32], root6[32];
	bool mutated;

	(void)state;
	txids_of(6, ids);
	/* CVE-2012-2459: [a b c] and [a b c c] share a root; only the
	 * second is mutated. */
	merkle_root((const uint8_t (*)[32])ids, 3, root3, &mutated);
	assert_false(mutated);
	memcpy(ids[3], ids[2], 32);
	merkle_root((const uint8_t (*)[32])ids, 4, root, &mutated);
	assert_memory_equal(root, root3, 32);
	assert_true(mutated);
	assert_hash(root, "27ef7a97109d7660dd21220093dadb6efbd38baf02e472381cad6dbbc57522e0");

	/* A duplicated subtree one level up: [0..5] and [0..5, 4, 5]. */
	txids_of(6, ids);
	merkle_root((const uint8_t (*)[32])ids, 6, root6, &mutated);
	assert_false(mutated);
	memcpy(ids[6], ids[4], 32);
	memcpy(ids[7], ids[5], 32);
	merkle_root((const uint8_t (*)[32])ids, 8, root, &mutated);
	assert_memory_equal(root, root6, 32);
	assert_true(mutated);

	/* A duplicate that is not a sibling changes the root and is not
	 * a mutation (block_check's duplicate rule catches it). */
	txids_of(2, ids);
	memcpy(ids[2], ids[0], 32);
	merkle_root((const uint8_t (*)[32])ids, 3, root, &mutated);
	assert_false(mutated);
	assert_hash(root, "9a764acc045fd841ac83cf628b7eb75e2e01077c78ecd7ee0d3f9eb067adcf0b");
}

static void
test_merkle_matches_naive(void **state)
{
	uint8_t (*ids)[32] = malloc(300 * 32);
	uint8_t r1[32], r2[32];
	bool m1, m2;

	(void)state;
	assert_non_null(ids);
	for (size_t i = 0; i < 300; i++)
		hash_sha256d(&i, sizeof(i), ids[i]);
	for (size_t n = 0; n <= 300; n++) {
		merkle_root((const uint8_t (*)[32])ids, n, r1, &m1);
		naive_merkle((const uint8_t (*)[32])ids, n, r2, &m2);
		assert_memory_equal(r1, r2, 32);
		assert_int_equal(m1, m2);
		assert_false(m1);
	}
	/* Equal neighbours anywhere, at any count: the same verdict. */
	for (size_t n = 2; n <= 40; n++) {
		for (size_t at = 0; at + 1 < n; at++) {
			uint8_t save[32];

			memcpy(save, ids[at + 1], 32);
			memcpy(ids[at + 1], ids[at], 32);
			merkle_root((const uint8_t (*)[32])ids, n, r1, &m1);
			naive_merkle((const uint8_t (*)[32])ids, n, r2, &m2);
			assert_memory_equal(r1, r2, 32);
			assert_int_equal(m1, m2);
			memcpy(ids[at + 1], save, 32);
		}
	}
	free(ids);
}

/* --- genesis ------------------------------------------------------------ */

static const struct {
	enum net_id	 net;
	const char	*hash;
	const char	*merkle;
	const char	*bytes;
} genesis_golden[] = {
	{ NET_MAINNET,
	  "00000fe6dd85df917face5b29b474850b11871d40805efa0a8e95343da5b959d",
	  "5674cbd3d095906507787831cab5585886a3dfe7e618518d87f6e184038afe38",
	  "0100000000000000000000000000000000000000000000000000000000000000000000"
	  "0038fe8a0384e1f6878d5118e6e7dfa3865858b5ca31787807659095d0d3cb745600b9"
	  "5569ffff0f1e48951d00013c6167656e74636861696e206d61696e6e65742067656e65"
	  "73697320323032362d30312d30313a20616e796f6e652063616e2072756e2061206e6f"
	  "6465" },
	{ NET_TESTNET,
	  "0000067262badf2b99d21136b9c2838cdb193d3f8de8fe085e4baca533735784",
	  "b140774c5ad596f28487709866d2839ae1f4ad3f28af3e797183e091c7cf01c4",
	  "0100000000000000000000000000000000000000000000000000000000000000000000"
	  "00c401cfc791e08371793eaf283fadf4e19a83d26698708784f296d55a4c7740b100b9"
	  "5569ffff0f1efd070000013c6167656e74636861696e20746573746e65742067656e65"
	  "73697320323032362d30312d30313a20616e796f6e652063616e2072756e2061206e6f"
	  "6465" },
	{ NET_REGTEST,
	  "6854a32fdc82ef6bb819afa20620f4b76a34610c5eee5c25112f6f536df2a620",
	  "9d25cf513e6b74f0efc503a9a092bf3a3455b407d6fbd21e97c8f51cb68e3a9f",
	  "0100000000000000000000000000000000000000000000000000000000000000000000"
	  "009f3a8eb61cf5c8971ed2fbd607b455343abf92a0a903c5eff0746b3e51cf259d00b9"
	  "5569ffff7f2000000000013c6167656e74636861696e20726567746573742067656e65"
	  "73697320323032362d30312d30313a20616e796f6e652063616e2072756e2061206e6f"
	  "6465" },
};

static void
test_genesis_golden(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		const struct chainparams *p = chainparams_get(genesis_golden[i].net);
		struct block b;
		uint8_t hash[32];
		size_t len;
		const uint8_t *tx;

		block_genesis(&b, p);
		assert_bytes_hex(b.data, b.len, genesis_golden[i].bytes);
		block_header_hash(&b.header, hash);
		assert_hash(hash, genesis_golden[i].hash);
		assert_memory_equal(hash, p->genesis.hash, 32);
		assert_hash(b.header.merkle_root, genesis_golden[i].merkle);
		assert_memory_equal(b.header.merkle_root, p->genesis.merkle_root, 32);
		assert_int_equal(b.header.time, 1767225600);
		assert_int_equal(b.tx_count, 1);
		tx = block_tx_bytes(&b, 0, &len);
		assert_int_equal(len, 60);
		assert_memory_equal(tx, "agentchain ", 11);
		assert_memory_equal(tx + 11, p->name, 7);
		assert_int_equal(block_check(&b, p), BLOCK_OK);
		assert_int_equal(block_check_header(&b.header, p), BLOCK_OK);
		block_free(&b);
	}
	/* The networks' genesis blocks differ. */
	assert_memory_not_equal(chainparams_get(NET_MAINNET)->genesis.hash,
	    chainparams_get(NET_TESTNET)->genesis.hash, 32);
	/* Mainnet and testnet need real work: their hashes start 00000. */
	assert_int_equal(chainparams_get(NET_MAINNET)->genesis.hash[31], 0);
	assert_int_equal(chainparams_get(NET_MAINNET)->genesis.hash[30], 0);
	assert_true(chainparams_get(NET_MAINNET)->genesis.hash[29] < 0x10);
	/* No network needs a minimum chain work yet. */
	for (int n = 0; n < NET_COUNT; n++) {
		assert_true(u256_is_zero(&chainparams_get((enum net_id)n)->min_chain_work));
		assert_int_equal(chainparams_get((enum net_id)n)->max_future_time, 7200);
	}
}

/* --- a golden block ----------------------------------------------------- */

/* Three transactions on top of regtest's genesis (Python reference):
 * "agentchain tx 0" (15 bytes), one zero byte, and bytes 0..255 (length
 * fd 00 01). */
static const char golden_block_hex[] =
    "02000000"
    "20a6f26d536f2f11255cee5e0c61346ab7f42006a2af19b86bef82dc2fa35468"
    "839158ad7717bd50d9fe0aa0ee9221149e056c915a2d501dfff2af22a5f701f0"
    "64b95569" "ffff7f20" "01000000"
    "03"
    "0f" "6167656e74636861696e2074782030"
    "01" "00"
    "fd0001"
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

static uint8_t bytes256[256];
static const uint8_t zero_byte[1];

static void
golden_txs(struct block_txdata t[3])
{
	for (int i = 0; i < 256; i++)
		bytes256[i] = (uint8_t)i;
	t[0] = txn(0);
	t[1].data = zero_byte;
	t[1].len = 1;
	t[2].data = bytes256;
	t[2].len = 256;
}

static void
test_block_golden(void **state)
{
	const struct chainparams *reg = chainparams_get(NET_REGTEST);
	struct block_txdata t[3];
	struct block_header h;
	struct block b, c;
	uint8_t (*ids)[32], root[32], hash[32];
	size_t len;
	const uint8_t *p;

	(void)state;
	golden_txs(t);
	memset(&h, 0, sizeof(h));
	h.version = 2;
	memcpy(h.prev_hash, reg->genesis.hash, 32);
	h.time = 1767225700;
	h.bits = 0x207fffff;
	/* The miner's recipe: build, root from the txids, mine, set. */
	assert_int_equal(block_build(&b, &h, t, 3), BLOCK_OK);
	ids = block_txids(&b);
	merkle_root((const uint8_t (*)[32])ids, b.tx_count, root, NULL);
	free(ids);
	memcpy(h.merkle_root, root, 32);
	assert_true(pow_mine(&h, 1000));
	assert_int_equal(h.nonce, 1);
	block_set_header(&b, &h);
	assert_bytes_hex(b.data, b.len, golden_block_hex);
	assert_int_equal(b.len, 358);
	block_header_hash(&b.header, hash);
	assert_hash(hash, "2db2e3a07f0a4ef3ab29012123eed269bcf6fa950a6586a050356df6487436a0");
	assert_int_equal(block_check(&b, reg), BLOCK_OK);

	/* Parsing the golden bytes gives the same block and its views. */
	p = unhex(golden_block_hex, &len);
	assert_int_equal(block_parse(&c, p, len), BLOCK_OK);
	assert_int_equal(c.len, len);
	assert_memory_equal(c.data, b.data, len);
	assert_ptr_not_equal(c.data, p);
	assert_int_equal(c.header.nonce, 1);
	assert_int_equal(c.tx_count, 3);
	assert_int_equal(c.tx[0].off, 82);
	assert_int_equal(c.tx[0].len, 15);
	assert_int_equal(c.tx[1].off, 98);
	assert_int_equal(c.tx[1].len, 1);
	assert_int_equal(c.tx[2].off, 102);
	assert_int_equal(c.tx[2].len, 256);
	assert_memory_equal(block_tx_bytes(&c, 2, &len), bytes256, 256);
	ids = block_txids(&c);
	assert_hash(ids[0], "b05db1a26bd9314448f9feec1f88c0d0c1d23c0c5ee53147e63e062f612a7d92");
	free(ids);
	free((void *)p);
	/* The same block is no good on mainnet: its target is too easy. */
	assert_int_equal(block_check(&c, chainparams_get(NET_MAINNET)), BLOCK_ERR_BAD_TARGET);
	block_free(&c);
	block_free(&b);
	block_free(&b);
}

/* --- parse errors ------------------------------------------------------- */

static void
expect_parse(const struct wbuf *w, enum block_err want)
{
	struct block b;

	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(block_parse(&b, w->data, w->len), want);
	if (want != BLOCK_OK) {
		assert_null(b.data);
		assert_null(b.tx);
		assert_int_equal(b.len, 0);
		assert_int_equal(b.tx_count, 0);
	}
	block_free(&b);
}

/* A header's 80 bytes (content irrelevant to parsing). */
static void
put_header(struct wbuf *w)
{
	uint8_t h[BLOCK_HEADER_SIZE];

	memset(h, 0x11, sizeof(h));
	wbuf_bytes(w, h, sizeof(h));
}

static void
test_parse_errors(void **state)
{
	size_t len;
	uint8_t *p = unhex(golden_block_hex, &len);
	uint8_t *big;
	struct wbuf w;
	struct block b;

	(void)state;
	wbuf_init(&w);
	/* Every proper prefix of a block is truncated. */
	for (size_t i = 0; i < len; i++) {
		assert_int_equal(block_parse(&b, p, i), BLOCK_ERR_TRUNCATED);
		assert_null(b.data);
	}
	/* One byte too many. */
	wbuf_bytes(&w, p, len);
	wbuf_u8(&w, 0);
	expect_parse(&w, BLOCK_ERR_TRAILING);

	/* Count 3 in three bytes; tx length 15 in three bytes. */
	wbuf_reset(&w);
	wbuf_bytes(&w, p, 80);
	wbuf_bytes(&w, "\xfd\x03\x00", 3);
	wbuf_bytes(&w, p + 81, len - 81);
	expect_parse(&w, BLOCK_ERR_NONCANONICAL);
	wbuf_reset(&w);
	wbuf_bytes(&w, p, 81);
	wbuf_bytes(&w, "\xfd\x0f\x00", 3);
	wbuf_bytes(&w, p + 82, len - 82);
	expect_parse(&w, BLOCK_ERR_NONCANONICAL);

	/* Empty transaction (with a byte behind it: one tx can never take
	 * fewer than 2 bytes, so "01 00" alone is already truncated). */
	wbuf_reset(&w);
	put_header(&w);
	wbuf_bytes(&w, "\x01\x00", 2);
	expect_parse(&w, BLOCK_ERR_TRUNCATED);
	wbuf_u8(&w, 0x61);
	expect_parse(&w, BLOCK_ERR_TX_SIZE);

	/* 100,000 bytes is the largest transaction; 100,001 is refused,
	 * and so is a huge declared length with nothing behind it. */
	big = calloc(1, BLOCK_TX_MAX_SIZE + 1);
	assert_non_null(big);
	wbuf_reset(&w);
	put_header(&w);
	wbuf_compactsize(&w, 1);
	wbuf_compactsize(&w, BLOCK_TX_MAX_SIZE);
	wbuf_bytes(&w, big, BLOCK_TX_MAX_SIZE);
	expect_parse(&w, BLOCK_OK);
	wbuf_reset(&w);
	put_header(&w);
	wbuf_compactsize(&w, 1);
	wbuf_compactsize(&w, BLOCK_TX_MAX_SIZE + 1);
	wbuf_bytes(&w, big, BLOCK_TX_MAX_SIZE + 1);
	expect_parse(&w, BLOCK_ERR_TX_SIZE);
	wbuf_reset(&w);
	put_header(&w);
	wbuf_bytes(&w, "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff", 10);
	expect_parse(&w, BLOCK_ERR_TX_SIZE);
	/* A length within limits but beyond the bytes: truncated. */
	wbuf_reset(&w);
	put_header(&w);
	wbuf_bytes(&w, "\x01\x05" "abcd", 6);
	expect_parse(&w, BLOCK_ERR_TRUNCATED);
	free(big);

	/* Counts: over the limit on the number alone; within it but more
	 * than the bytes can hold (2 bytes a tx): truncated at once. */
	wbuf_reset(&w);
	put_header(&w);
	wbuf_compactsize(&w, BLOCK_MAX_TXS + 1);
	expect_parse(&w, BLOCK_ERR_TOO_MANY_TXS);
	wbuf_reset(&w);
	put_header(&w);
	wbuf_bytes(&w, "\xff\xff\xff\xff\xff\xff\xff\xff\xff", 9);
	expect_parse(&w, BLOCK_ERR_TOO_MANY_TXS);
	wbuf_reset(&w);
	put_header(&w);
	wbuf_compactsize(&w, BLOCK_MAX_TXS);
	wbuf_bytes(&w, "\x01\x61\x01\x62", 4);
	expect_parse(&w, BLOCK_ERR_TRUNCATED);
	wbuf_reset(&w);
	put_header(&w);
	wbuf_compactsize(&w, 3);
	wbuf_bytes(&w, "\x01\x61\x01\x62\x01", 5);	/* 5 < 3 * 2 */
	expect_parse(&w, BLOCK_ERR_TRUNCATED);
	/* Just the header: truncated; header + zero count: a block with no
	 * transaction, which parses (block_check refuses it). */
	wbuf_reset(&w);
	put_header(&w);
	expect_parse(&w, BLOCK_ERR_TRUNCATED);
	wbuf_u8(&w, 0);
	assert_int_equal(block_parse(&b, w.data, w.len), BLOCK_OK);
	assert_int_equal(b.tx_count, 0);
	assert_null(b.tx);
	/* (Its header, 0x11 bytes, fails proof of work before anything.) */
	assert_int_equal(block_check(&b, chainparams_get(NET_REGTEST)), BLOCK_ERR_HIGH_HASH);
	block_free(&b);

	/* Over BLOCK_MAX_SIZE: refused from the length, whatever the bytes. */
	big = calloc(1, BLOCK_MAX_SIZE + 1);
	assert_non_null(big);
	assert_int_equal(block_parse(&b, big, BLOCK_MAX_SIZE + 1), BLOCK_ERR_TOO_LARGE);
	assert_int_equal(block_parse(&b, big, BLOCK_MAX_SIZE), BLOCK_ERR_TRAILING);
	free(big);
	free(p);
	wbuf_free(&w);
	assert_int_equal(BLOCK_MAX_TXS, 1999957);
}

static void
test_parse_take(void **state)
{
	size_t len;
	uint8_t *p = unhex(golden_block_hex, &len);
	struct block b;

	(void)state;
	/* On error the bytes stay the caller's (ASan would see a double
	 * free or a leak otherwise). */
	assert_int_equal(block_parse_take(&b, p, len - 1), BLOCK_ERR_TRUNCATED);
	assert_null(b.data);
	assert_int_equal(block_parse_take(&b, p, len), BLOCK_OK);
	assert_ptr_equal(b.data, p);
	assert_int_equal(b.tx_count, 3);
	block_free(&b);
}

static void
test_max_size_block(void **state)
{
	struct block_txdata t[41];
	struct block_header h;
	uint8_t *big = calloc(1, BLOCK_TX_MAX_SIZE + 1);
	struct block b, c;

	(void)state;
	assert_non_null(big);
	memset(&h, 0, sizeof(h));
	/* 80 + 1 + 39 * (5 + 100,000) + (5 + 99,719) = 4,000,000. */
	for (int i = 0; i < 40; i++) {
		t[i].data = big;
		t[i].len = i < 39 ? BLOCK_TX_MAX_SIZE : 99719;
	}
	assert_int_equal(block_build(&b, &h, t, 40), BLOCK_OK);
	assert_int_equal(b.len, BLOCK_MAX_SIZE);
	assert_int_equal(block_parse(&c, b.data, b.len), BLOCK_OK);
	assert_int_equal(c.tx_count, 40);
	assert_int_equal(c.tx[39].len, 99719);
	assert_int_equal(c.tx[39].off + c.tx[39].len, BLOCK_MAX_SIZE);
	block_free(&c);
	block_free(&b);
	/* One byte more is too large; so is one more transaction. */
	t[39].len++;
	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(block_build(&b, &h, t, 40), BLOCK_ERR_TOO_LARGE);
	assert_null(b.data);
	t[39].len--;
	t[40].data = big;
	t[40].len = 1;
	assert_int_equal(block_build(&b, &h, t, 41), BLOCK_ERR_TOO_LARGE);
	/* A transaction of 0 or 100,001 bytes is never built. */
	t[0].len = 0;
	assert_int_equal(block_build(&b, &h, t, 1), BLOCK_ERR_TX_SIZE);
	t[0].len = BLOCK_TX_MAX_SIZE + 1;
	assert_int_equal(block_build(&b, &h, t, 1), BLOCK_ERR_TX_SIZE);
	/* Counts over the limit are refused before TXS is read. */
	assert_int_equal(block_build(&b, &h, NULL, BLOCK_MAX_TXS + 1), BLOCK_ERR_TOO_MANY_TXS);
	/* An empty block builds (81 bytes) and fails only block_check. */
	assert_int_equal(block_build(&b, &h, NULL, 0), BLOCK_OK);
	assert_int_equal(b.len, 81);
	block_free(&b);
	free(big);
}

/* --- block_check -------------------------------------------------------- */

/* A mined regtest block over TXS, with HEADER's merkle root set to
 * ROOT when not NULL, else to the txids' root. */
static void
mined(struct block *b, const struct block_txdata *txs, size_t n, const uint8_t *root)
{
	const struct chainparams *reg = chainparams_get(NET_REGTEST);
	struct block_header h;
	uint8_t (*ids)[32];

	memset(&h, 0, sizeof(h));
	h.version = 1;
	memcpy(h.prev_hash, reg->genesis.hash, 32);
	h.time = 1767225800;
	h.bits = reg->genesis.bits;
	assert_int_equal(block_build(b, &h, txs, n), BLOCK_OK);
	if (root != NULL) {
		memcpy(h.merkle_root, root, 32);
	} else if (n > 0) {
		ids = block_txids(b);
		merkle_root((const uint8_t (*)[32])ids, n, h.merkle_root, NULL);
		free(ids);
	}
	assert_true(pow_mine(&h, 1000));
	block_set_header(b, &h);
}

static void
test_check_errors(void **state)
{
	const struct chainparams *reg = chainparams_get(NET_REGTEST);
	struct block_txdata t[4];
	struct block_header h;
	uint8_t ids[3][32], root[32];
	struct block b;
	uint8_t hash[32];

	(void)state;
	for (int i = 0; i < 4; i++)
		t[i] = txn(i);
	mined(&b, t, 3, NULL);
	assert_int_equal(block_check(&b, reg), BLOCK_OK);

	/* A nonce whose hash misses the target: high-hash. */
	h = b.header;
	do {
		h.nonce++;
		block_header_hash(&h, hash);
	} while (pow_check(hash, h.bits, reg));
	block_set_header(&b, &h);
	assert_int_equal(block_check_header(&b.header, reg), BLOCK_ERR_HIGH_HASH);
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_HIGH_HASH);
	/* Bad targets come first, whatever the hash. */
	h.bits = 0x1d80ffff;	/* negative */
	block_set_header(&b, &h);
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_BAD_TARGET);
	h.bits = 0;
	block_set_header(&b, &h);
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_BAD_TARGET);
	h.bits = 0x2100ffff;	/* 0xffff << 240: above regtest's limit */
	block_set_header(&b, &h);
	assert_int_equal(block_check_header(&h, reg), BLOCK_ERR_BAD_TARGET);
	block_free(&b);

	/* Merkle root of other transactions. */
	memset(root, 0x42, sizeof(root));
	mined(&b, t, 3, root);
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_BAD_MERKLE);
	block_free(&b);

	/* CVE-2012-2459: [0 1 2 2] under the root of [0 1 2]. */
	txids_of(3, ids);
	merkle_root((const uint8_t (*)[32])ids, 3, root, NULL);
	t[3] = t[2];
	mined(&b, t, 4, root);
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_MUTATED);
	block_free(&b);
	/* ... while [0 1 2] under that root is fine. */
	mined(&b, t, 3, root);
	assert_int_equal(block_check(&b, reg), BLOCK_OK);
	block_free(&b);

	/* The same tx twice, not as siblings: the root matches, the
	 * duplicate rule refuses it. */
	t[2] = t[0];
	mined(&b, t, 3, NULL);
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_DUPLICATE_TX);
	block_free(&b);
	t[2] = txn(2);

	/* No transaction. */
	mined(&b, t, 0, NULL);
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_NO_TX);
	block_free(&b);

	/* Views broken by hand are caught, not followed. */
	mined(&b, t, 2, NULL);
	assert_int_equal(block_check(&b, reg), BLOCK_OK);
	b.tx[1].len = 0;
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_TX_SIZE);
	b.tx[1].len = (uint32_t)b.len;
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_TX_SIZE);
	b.tx[1].len = 1;
	b.tx[1].off = 10;	/* inside the header */
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_TX_SIZE);
	b.tx[1].off = (uint32_t)b.len;
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_TX_SIZE);
	b.len = BLOCK_MAX_SIZE + 1;
	assert_int_equal(block_check(&b, reg), BLOCK_ERR_TOO_LARGE);
	block_free(&b);
}

static void
test_err_names(void **state)
{
	(void)state;
	assert_string_equal(block_err_name(BLOCK_OK), "ok");
	assert_string_equal(block_err_name(BLOCK_ERR_HIGH_HASH), "high-hash");
	assert_string_equal(block_err_name(BLOCK_ERR_BAD_MERKLE), "bad-txnmrklroot");
	assert_string_equal(block_err_name(BLOCK_ERR_TIME_TOO_NEW), "time-too-new");
	assert_string_equal(block_err_name((enum block_err)(BLOCK_ERR_TIME_TOO_NEW + 1)), "unknown");
	assert_string_equal(block_err_name((enum block_err)-1), "unknown");
	for (int i = BLOCK_OK; i <= BLOCK_ERR_TIME_TOO_NEW; i++) {
		assert_non_null(block_err_name((enum block_err)i));
		assert_string_not_equal(block_err_name((enum block_err)i), "unknown");
		for (int j = BLOCK_OK; j < i; j++)
			assert_string_not_equal(block_err_name((enum block_err)i),
			    block_err_name((enum block_err)j));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_golden),
		cmocka_unit_test(test_merkle_golden),
		cmocka_unit_test(test_merkle_bitcoin_block_100000),
		cmocka_unit_test(test_merkle_mutation),
		cmocka_unit_test(test_merkle_matches_naive),
		cmocka_unit_test(test_genesis_golden),
		cmocka_unit_test(test_block_golden),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_take),
		cmocka_unit_test(test_max_size_block),
		cmocka_unit_test(test_check_errors),
		cmocka_unit_test(test_err_names),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
