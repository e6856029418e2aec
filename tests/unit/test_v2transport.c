/* test_v2transport.c -- the v2 transport: HKDF (RFC 5869), the documented vectors, the state machine (any split, rekey, decoys, held packets), tampering, truncation, oversized lengths, garbage, v1 detection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "chainparams.h"
#include "hash.h"
#include "rnd.h"
#include "unhex.h"
#include "v2transport.h"

static const uint8_t *magic;

static void
assert_hex(const uint8_t *p, size_t len, const char *hex)
{
	size_t n;
	uint8_t *want = unhex(hex, &n);

	assert_int_equal(len, n);
	assert_memory_equal(p, want, n);
	free(want);
}

/* --- HKDF-SHA256: RFC 5869 appendix A, cases 1-3 ------------------------------ */

static void
hkdf_case(const char *ikm_hex, const char *salt_hex, const char *info_hex, size_t l,
    const char *prk_hex, const char *okm_hex)
{
	size_t ikml, saltl, infol;
	uint8_t *ikm = unhex(ikm_hex, &ikml), *salt = unhex(salt_hex, &saltl);
	uint8_t *info = unhex(info_hex, &infol);
	uint8_t prk[32], okm[128];

	v2t_hkdf_extract(salt, saltl, ikm, ikml, prk);
	assert_hex(prk, 32, prk_hex);
	assert_int_equal(v2t_hkdf_expand(prk, info, infol, okm, l), 0);
	assert_hex(okm, l, okm_hex);
	free(ikm);
	free(salt);
	free(info);
}

static void
test_hkdf_rfc5869(void **state)
{
	uint8_t prk[32] = { 0 }, big[256 * 32];

	(void)state;
	hkdf_case("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
	    "f0f1f2f3f4f5f6f7f8f9", 42,
	    "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	    "34007208d5b887185865");
	hkdf_case("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	    "404142434445464748494a4b4c4d4e4f",
	    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	    "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	    "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 82,
	    "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
	    "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
	    "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
	    "cc30c58179ec3e87c14c01d5c1f3434f1d87");
	hkdf_case("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
	    "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
	    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	    "9d201395faa4b61a96c8");
	assert_int_equal(v2t_hkdf_expand(prk, NULL, 0, big, sizeof(big)), -1);
}

/* --- the vectors of docs/PROTOCOL.md (tests/tools/v2vectors.py) ------------------- */

#define VEC_PRIV_I	"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
#define VEC_PRIV_R	"2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40"
#define VEC_OPEN_I	"07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1cfc" \
			"0001020304"
#define VEC_OPEN_R	"5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b" \
			"3d3b6bc96cd03decaa5f7f22df02ccd4" \
			"d3737be937bc388b64b00bdaa77e1cd4cd374b41"
#define VEC_FIRST_I	"27a2d5e71e49ccb6553c03da00fb4007" \
			"87640fd369c13f904079b1cb652d404823410928"
#define VEC_PING_I	"a332ea0353273b5839de4bd867b986193f5d118158fd0abe37688f5224"
#define VEC_PING_REKEY	"fcec388689ce57570ed4dd8f594e2d52ab16090f7d00c9b4ef24bd6ba3"
#define VEC_DECOY_R	"165995dc988f427e678f1e2e9a01bad270d8319dc98884a5"
#define VEC_SESSION	"7c3c3c4af5c23a1964d97152e11201ca1b7a46bb70913d7218ae48be6af21d24"

static struct v2t *
vec_side(bool initiator)
{
	static const uint8_t garbage_i[5] = { 0, 1, 2, 3, 4 };
	size_t n;
	uint8_t *priv = unhex(initiator ? VEC_PRIV_I : VEC_PRIV_R, &n);
	struct v2t *t = v2t_new_with(initiator, magic, priv, initiator,
	    garbage_i, initiator ? sizeof(garbage_i) : 0);

	free(priv);
	return t;
}

/* A ping packet for NONCE, sealed by T into OUT (reset first). */
static void
seal_ping(struct v2t *t, uint64_t nonce, struct wbuf *out)
{
	out->len = 0;
	v2t_packet_begin(out, MSG_PING);
	wbuf_u64le(out, nonce);
	v2t_seal(t, out);
}

/* Feed IN to T, expecting handshake progress only; returns the bytes
 * consumed (garbage waits for its terminator). */
static size_t
feed_handshake(struct v2t *t, struct wbuf *in, struct wbuf *out)
{
	size_t off = 0, used, need;
	struct v2t_packet pkt;
	enum v2t_status st;

	while (off < in->len) {
		st = v2t_input(t, in->data + off, in->len - off, &used, &need, out, &pkt);
		if (st == V2T_NEED_MORE)
			break;
		assert_int_equal(st, V2T_PROGRESS);
		off += used;
	}
	return off;
}

static void
test_vectors(void **state)
{
	struct v2t *ini = vec_side(true), *res = vec_side(false);
	struct wbuf a, b, p;

	(void)state;
	wbuf_init(&a);
	wbuf_init(&b);
	wbuf_init(&p);
	v2t_hello(ini, &a);
	assert_hex(a.data, a.len, VEC_OPEN_I);
	assert_int_equal(feed_handshake(res, &a, &b), V2T_KEY_LEN);
	assert_hex(b.data, b.len, VEC_OPEN_R);
	assert_int_equal(feed_handshake(ini, &b, &p), b.len);
	assert_true(v2t_established(ini));
	assert_hex(p.data, p.len, VEC_FIRST_I);
	/* The responder still holds the initiator's garbage. */
	memmove(a.data, a.data + V2T_KEY_LEN, a.len - V2T_KEY_LEN);
	a.len -= V2T_KEY_LEN;
	wbuf_bytes(&a, p.data, p.len);
	b.len = 0;
	assert_int_equal(feed_handshake(res, &a, &b), a.len);
	assert_true(v2t_established(res));
	assert_int_equal(b.len, 0);
	assert_hex(v2t_session_id(ini), V2T_SESSION_ID_LEN, VEC_SESSION);
	assert_hex(v2t_session_id(res), V2T_SESSION_ID_LEN, VEC_SESSION);
	seal_ping(ini, 0x0102030405060708ull, &p);
	assert_hex(p.data, p.len, VEC_PING_I);
	for (uint64_t i = 2; i < V2T_REKEY_INTERVAL; i++)
		seal_ping(ini, i, &p);
	seal_ping(ini, V2T_REKEY_INTERVAL, &p);
	assert_hex(p.data, p.len, VEC_PING_REKEY);
	p.len = 0;
	v2t_packet_begin(&p, 0xff);
	p.data[V2T_LEN_LEN] = V2T_HDR_DECOY;
	wbuf_bytes(&p, "\xff\xff\xff", 3);
	v2t_seal(res, &p);
	assert_hex(p.data, p.len, VEC_DECOY_R);
	wbuf_free(&a);
	wbuf_free(&b);
	wbuf_free(&p);
	v2t_free(ini);
	v2t_free(res);
}

/* --- a pair talking, in pieces of any size ------------------------------------- */

struct side {
	struct v2t	*t;
	struct wbuf	 in;	/* what the other side sent */
	size_t		 off;	/* consumed */
	size_t		 arrived;	/* delivered so far, as TCP would */
};

/* Let up to CHUNK more bytes of S's input arrive (0: all of it) and feed
 * what has arrived and is not consumed; collect messages into GOT (type,
 * u32 len, payload).  Returns the last status. */
static enum v2t_status
pump(struct side *s, struct side *peer, size_t chunk, struct wbuf *got)
{
	size_t used, need, have;
	uint8_t *buf;
	struct v2t_packet pkt;
	enum v2t_status st = V2T_NEED_MORE;

	if (s->arrived < s->off)
		s->arrived = s->off;
	s->arrived = chunk == 0 || s->in.len - s->arrived < chunk ? s->in.len : s->arrived + chunk;
	/* The untrusted bytes live in a buffer of exactly their size, so
	 * ASan sees any read past them. */
	have = s->arrived - s->off;
	buf = malloc(have + 1);
	if (have > 0)
		memcpy(buf, s->in.data + s->off, have);
	for (;;) {
		st = v2t_input(s->t, buf, have, &used, &need, &peer->in, &pkt);
		if (st == V2T_PACKET) {
			wbuf_u8(got, pkt.type);
			wbuf_u32le(got, pkt.len);
			wbuf_bytes(got, pkt.payload, pkt.len);
		}
		if (st != V2T_PACKET && st != V2T_PROGRESS)
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
		s->off += used;
	}
	free(buf);
	return st;
}

static void
pair_init(struct side *i, struct side *r)
{
	memset(i, 0, sizeof(*i));
	memset(r, 0, sizeof(*r));
	i->t = v2t_new(true, magic);
	r->t = v2t_new(false, magic);
	wbuf_init(&i->in);
	wbuf_init(&r->in);
	v2t_hello(i->t, &r->in);
}

static void
pair_free(struct side *i, struct side *r)
{
	v2t_free(i->t);
	v2t_free(r->t);
	wbuf_free(&i->in);
	wbuf_free(&r->in);
}

static void
send_msg(struct side *from, struct side *to, uint8_t type, const uint8_t *payload, size_t len)
{
	struct wbuf w;

	wbuf_init(&w);
	v2t_packet_begin(&w, type);
	wbuf_bytes(&w, payload, len);
	if (v2t_seal(from->t, &w))
		wbuf_bytes(&to->in, w.data, w.len);
	wbuf_free(&w);
}

/* Run the pair until neither has input left, in CHUNK-byte pieces. */
static void
run_pair(struct side *i, struct side *r, size_t chunk, struct wbuf *got_i, struct wbuf *got_r)
{
	for (int guard = 0; guard < 1000000; guard++) {
		bool idle = i->off == i->in.len && r->off == r->in.len;

		if (idle)
			return;
		assert_int_not_equal(pump(r, i, chunk, got_r), V2T_ERROR);
		assert_int_not_equal(pump(i, r, chunk, got_i), V2T_ERROR);
	}
	fail_msg("the pair never went quiet");
}

static void
test_pair_any_split(void **state)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 16, 33, 1000, 0 };
	uint8_t payload[3000];

	(void)state;
	rnd_bytes(payload, sizeof(payload));
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct side i, r;
		struct wbuf gi, gr, want;

		pair_init(&i, &r);
		wbuf_init(&gi);
		wbuf_init(&gr);
		wbuf_init(&want);
		/* Sent before the key exchange: held, then sealed in order. */
		send_msg(&i, &r, MSG_VERSION, payload, 85);
		assert_false(v2t_keyed(i.t));
		assert_int_equal(v2t_held_len(i.t), 4 + V2T_PREFIX + 85);
		wbuf_u8(&want, MSG_VERSION);
		wbuf_u32le(&want, 85);
		wbuf_bytes(&want, payload, 85);
		run_pair(&i, &r, chunks[c], &gi, &gr);
		assert_true(v2t_established(i.t));
		assert_true(v2t_established(r.t));
		assert_memory_equal(v2t_session_id(i.t), v2t_session_id(r.t), V2T_SESSION_ID_LEN);
		/* Past two rekeys, sizes 0 .. 2999 (up to 199 in small pieces). */
		for (size_t k = 0; k < 2 * V2T_REKEY_INTERVAL + 5; k++) {
			size_t len = (k * 131) % (chunks[c] != 0 && chunks[c] < 100 ? 200 :
			    sizeof(payload));

			send_msg(&i, &r, (uint8_t)(k % 20), payload, len);
			wbuf_u8(&want, (uint8_t)(k % 20));
			wbuf_u32le(&want, (uint32_t)len);
			wbuf_bytes(&want, payload, len);
			send_msg(&r, &i, MSG_PING, payload, 8);
		}
		run_pair(&i, &r, chunks[c], &gi, &gr);
		assert_int_equal(gr.len, want.len);
		assert_memory_equal(gr.data, want.data, want.len);
		assert_int_equal(gi.len, (2 * V2T_REKEY_INTERVAL + 5) * (1 + 4 + 8));
		wbuf_free(&gi);
		wbuf_free(&gr);
		wbuf_free(&want);
		pair_free(&i, &r);
	}
}

/* A pair past its handshake, R's input empty. */
static void
pair_ready(struct side *i, struct side *r)
{
	struct wbuf gi, gr;

	pair_init(i, r);
	wbuf_init(&gi);
	wbuf_init(&gr);
	run_pair(i, r, 0, &gi, &gr);
	assert_int_equal(gi.len + gr.len, 0);
	wbuf_free(&gi);
	wbuf_free(&gr);
}

static void
test_decoy_dropped(void **state)
{
	struct side i, r;
	struct wbuf w, got;

	(void)state;
	pair_ready(&i, &r);
	wbuf_init(&w);
	wbuf_init(&got);
	v2t_packet_begin(&w, MSG_PING);
	w.data[V2T_LEN_LEN] = V2T_HDR_DECOY;
	wbuf_bytes(&w, "decoy!!!", 8);
	assert_true(v2t_seal(i.t, &w));
	wbuf_bytes(&r.in, w.data, w.len);
	send_msg(&i, &r, MSG_VERACK, NULL, 0);
	assert_int_equal(pump(&r, &i, 0, &got), V2T_NEED_MORE);
	assert_int_equal(got.len, 5);
	assert_int_equal(got.data[0], MSG_VERACK);
	wbuf_free(&w);
	wbuf_free(&got);
	pair_free(&i, &r);
}

/* Every bit of a packet, flipped: the packet is refused, never
 * delivered, and the state fails for good. */
static void
test_tampering(void **state)
{
	struct side i, r;
	size_t start, n, used, need;

	(void)state;
	for (size_t bit = 0; bit < (V2T_WIRE_LEN(8)) * 8; bit++) {
		struct v2t_packet pkt;
		enum v2t_status st;
		uint8_t *buf;

		pair_ready(&i, &r);
		start = r.in.len;
		send_msg(&i, &r, MSG_PING, (const uint8_t *)"12345678", 8);
		n = r.in.len - start;
		buf = malloc(n);
		memcpy(buf, r.in.data + start, n);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		/* A flipped length may ask for more (up to 4 MiB): give it. */
		while ((st = v2t_input(r.t, buf, n, &used, &need, &i.in, &pkt)) == V2T_NEED_MORE) {
			assert_true(need > n);
			assert_true(need <= V2T_WIRE_LEN(MSG_MAX_PAYLOAD));
			buf = realloc(buf, need);
			memset(buf + n, 0, need - n);
			n = need;
		}
		assert_int_equal(st, V2T_ERROR);
		assert_int_not_equal(v2t_error(r.t, NULL), MSG_OK);
		assert_int_equal(v2t_input(r.t, buf, n, &used, &need, &i.in, &pkt), V2T_ERROR);
		free(buf);
		pair_free(&i, &r);
	}
}

static void
test_truncated(void **state)
{
	struct side i, r;
	struct wbuf got;
	size_t start;

	(void)state;
	pair_ready(&i, &r);
	wbuf_init(&got);
	start = r.in.len;
	send_msg(&i, &r, MSG_PING, (const uint8_t *)"12345678", 8);
	/* Every prefix of the packet: waits, delivers nothing, asks for the
	 * right amount. */
	for (size_t n = 0; n < V2T_WIRE_LEN(8); n++) {
		size_t used, need;
		struct v2t_packet pkt;
		uint8_t *copy = malloc(n + 1);

		memcpy(copy, r.in.data + start, n);
		assert_int_equal(v2t_input(r.t, copy, n, &used, &need, &i.in, &pkt),
		    V2T_NEED_MORE);
		assert_int_equal(used, 0);
		assert_true(need > n);
		assert_true(need <= V2T_WIRE_LEN(8));
		free(copy);
	}
	assert_int_equal(pump(&r, &i, 0, &got), V2T_NEED_MORE);
	assert_int_equal(got.len, 1 + 4 + 8);
	wbuf_free(&got);
	pair_free(&i, &r);
}

/* A length over the limit ends it after three bytes, before the rest is
 * waited for or anything allocated. */
static void
test_oversized_length(void **state)
{
	struct side i, r;
	uint8_t *big = calloc(1, 5000);
	size_t start, used, need;
	struct v2t_packet pkt;
	const char *why;

	(void)state;
	pair_ready(&i, &r);
	v2t_set_max_payload(r.t, 4000);
	start = r.in.len;
	send_msg(&i, &r, MSG_TX, big, 4000);	/* at the limit: fine */
	send_msg(&i, &r, MSG_TX, big, 4001);
	assert_int_equal(v2t_input(r.t, r.in.data + start, r.in.len - start, &used, &need,
	    &i.in, &pkt), V2T_PACKET);
	assert_int_equal(pkt.len, 4000);
	start += used;
	assert_int_equal(v2t_input(r.t, r.in.data + start, V2T_LEN_LEN, &used, &need,
	    &i.in, &pkt), V2T_ERROR);
	assert_int_equal(v2t_error(r.t, &why), MSG_ERR_OVERSIZED);
	free(big);
	pair_free(&i, &r);
}

static void
test_no_terminator(void **state)
{
	struct v2t *r = v2t_new(false, magic);
	struct v2t *i = v2t_new(true, magic);
	uint8_t buf[V2T_KEY_LEN + V2T_GARBAGE_MAX + V2T_TERM_LEN + 100];
	size_t off = 0, used, need;
	struct v2t_packet pkt;
	struct wbuf out;
	enum v2t_status st;

	(void)state;
	wbuf_init(&out);
	memcpy(buf, v2t_our_key(i), V2T_KEY_LEN);
	rnd_bytes(buf + V2T_KEY_LEN, sizeof(buf) - V2T_KEY_LEN);
	do {
		st = v2t_input(r, buf + off, sizeof(buf) - off, &used, &need, &out, &pkt);
		off += used;
	} while (st == V2T_PROGRESS);
	assert_int_equal(st, V2T_ERROR);
	assert_int_equal(v2t_error(r, NULL), MSG_ERR_BAD_MAGIC);
	/* Refused once the garbage allowance was spent, not later. */
	assert_true(off <= V2T_KEY_LEN + V2T_GARBAGE_MAX);
	wbuf_free(&out);
	v2t_free(r);
	v2t_free(i);
}

/* Another network's v2 node: the keys differ, the terminator is never
 * found. */
static void
test_other_network(void **state)
{
	struct side i, r;
	struct wbuf gi, gr;

	(void)state;
	pair_init(&i, &r);
	v2t_free(i.t);
	i.t = v2t_new(true, chainparams_get(NET_TESTNET)->magic);
	r.in.len = 0;
	v2t_hello(i.t, &r.in);
	/* Pad past any garbage allowance. */
	for (size_t n = 0; n < V2T_GARBAGE_MAX + V2T_TERM_LEN; n++)
		wbuf_u8(&r.in, 0x55);
	wbuf_init(&gi);
	wbuf_init(&gr);
	assert_int_equal(pump(&i, &r, 0, &gi), V2T_NEED_MORE);
	assert_int_equal(pump(&r, &i, 0, &gr), V2T_ERROR);
	for (size_t n = 0; n < V2T_GARBAGE_MAX + V2T_TERM_LEN; n++)
		wbuf_u8(&i.in, 0x55);
	assert_int_equal(pump(&i, &r, 0, &gi), V2T_ERROR);
	assert_int_equal(gi.len + gr.len, 0);
	wbuf_free(&gi);
	wbuf_free(&gr);
	pair_free(&i, &r);
}

static void
test_v1_detected(void **state)
{
	struct v2t *r = v2t_new(false, magic);
	uint8_t frame[13];
	size_t used, need;
	struct v2t_packet pkt;
	struct wbuf out;

	(void)state;
	wbuf_init(&out);
	memcpy(frame, magic, 4);
	memset(frame + 4, 0, 9);
	assert_int_equal(v2t_input(r, frame, 2, &used, &need, &out, &pkt), V2T_NEED_MORE);
	assert_int_equal(need, V2T_V1_PREFIX_LEN);
	assert_int_equal(v2t_input(r, frame, sizeof(frame), &used, &need, &out, &pkt), V2T_V1);
	assert_int_equal(used, 0);
	assert_int_equal(out.len, 0);
	/* An initiator never opens with those bytes. */
	for (int k = 0; k < 200; k++) {
		struct v2t *i = v2t_new(true, magic);

		assert_memory_not_equal(v2t_our_key(i), magic, V2T_V1_PREFIX_LEN);
		v2t_free(i);
	}
	wbuf_free(&out);
	v2t_free(r);
}

/* A low-order point as the key would make the shared secret public. */
static void
test_low_order_key(void **state)
{
	uint8_t key[V2T_KEY_LEN + 16] = { 0 };	/* the point 0: order 1 */
	struct v2t *r = v2t_new(false, magic);
	size_t used, need;
	struct v2t_packet pkt;
	struct wbuf out;

	(void)state;
	wbuf_init(&out);
	assert_int_equal(v2t_input(r, key, sizeof(key), &used, &need, &out, &pkt), V2T_PROGRESS);
	assert_int_equal(v2t_input(r, key, sizeof(key), &used, &need, &out, &pkt), V2T_ERROR);
	assert_int_equal(out.len, 0);
	wbuf_free(&out);
	v2t_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hkdf_rfc5869),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_pair_any_split),
		cmocka_unit_test(test_decoy_dropped),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_oversized_length),
		cmocka_unit_test(test_no_terminator),
		cmocka_unit_test(test_other_network),
		cmocka_unit_test(test_v1_detected),
		cmocka_unit_test(test_low_order_key),
	};

	if (hash_init() != 0)
		return 1;
	magic = chainparams_get(NET_REGTEST)->magic;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
