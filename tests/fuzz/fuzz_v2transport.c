/* fuzz_v2transport.c -- libFuzzer target: the v2 transport's decoder on hostile bytes.
 *
 * Keys are fixed, so the fuzzer can reach every state.  The first byte
 * picks what the input is:
 *   0 mod 3  the peer's raw bytes from its first one (v1 detection, key,
 *            garbage and terminator search);
 *   1 mod 3  bytes that follow a valid opening (key, terminator, first
 *            packet): encrypted lengths and packets it cannot forge but
 *            whose lengths and splits it controls;
 *   2 mod 3  a script: packets (type, length, decoy bit) sealed by an
 *            honest initiator, one byte of the stream then flipped, fed in
 *            pieces of sizes the script gives.
 * Invariants: never a byte more consumed than given; NEED_MORE consumes
 * nothing and asks for more than it had; a packet lies inside the input;
 * after an error nothing is delivered; an honest unflipped stream arrives
 * exactly as sent, whatever the split; a flipped one delivers at most the
 * packets before the one that was flipped (a flipped length bit may leave
 * the decoder waiting for bytes that never come, so it need not end in an
 * error). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chainparams.h"
#include "hash.h"
#include "v2transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t priv_i[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const uint8_t priv_r[32] = { 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46,
    47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64 };

/* Feed LEN bytes at BUF (a copy of exactly that size, so overreads are
 * caught) to T once; check the invariants.  Appends messages to GOT. */
static enum v2t_status
step(struct v2t *t, const uint8_t *buf, size_t len, size_t *used, struct wbuf *got)
{
	uint8_t *copy = malloc(len + 1);
	struct v2t_packet pkt;
	struct wbuf out;
	enum v2t_status st;
	size_t need;

	memcpy(copy, buf, len);
	wbuf_init(&out);
	st = v2t_input(t, copy, len, used, &need, &out, &pkt);
	if (*used > len)
		abort();
	if (st == V2T_NEED_MORE && (*used != 0 || need <= len))
		abort();
	if (st == V2T_PACKET) {
		if (pkt.payload < copy || pkt.payload + pkt.len > copy + len)
			abort();
		wbuf_u8(got, pkt.type);
		wbuf_u32le(got, pkt.len);
		wbuf_bytes(got, pkt.payload, pkt.len);
	}
	wbuf_free(&out);
	free(copy);
	return st;
}

/* Run T over all of IN in pieces of at most CHUNK (0: whole) bytes,
 * returning the last status. */
static enum v2t_status
run(struct v2t *t, const uint8_t *in, size_t len, const uint8_t *chunks, size_t nchunks,
    struct wbuf *got)
{
	size_t off = 0, arrived = 0, k = 0, used;
	enum v2t_status st = V2T_NEED_MORE;

	while (off < len) {
		size_t c = nchunks > 0 ? (size_t)chunks[k++ % nchunks] + 1 : len;

		arrived = arrived + c > len ? len : arrived + c;
		if (arrived < off)
			arrived = off;
		do {
			st = step(t, in + off, arrived - off, &used, got);
			off += used;
		} while (st == V2T_PROGRESS || st == V2T_PACKET);
		if (st == V2T_ERROR || st == V2T_V1) {
			size_t before = got->len;

			/* Failed for good: nothing more comes out. */
			if (st == V2T_ERROR && step(t, in + off, len - off, &used, got) != V2T_ERROR)
				abort();
			if (got->len != before)
				abort();
			break;
		}
		if (arrived == len && st == V2T_NEED_MORE)
			break;
	}
	return st;
}

static void
after_opening(const uint8_t *magic, const uint8_t *data, size_t size)
{
	struct v2t *r = v2t_new_with(false, magic, priv_r, false, NULL, 0);
	struct v2t *i = v2t_new_with(true, magic, priv_i, false, NULL, 0);
	struct wbuf in, rout, got;
	struct v2t_packet pkt;
	size_t used, need;

	wbuf_init(&in);
	wbuf_init(&rout);
	wbuf_init(&got);
	v2t_hello(i, &in);
	v2t_input(r, in.data, in.len, &used, &need, &rout, &pkt);	/* detect */
	v2t_input(r, in.data, in.len, &used, &need, &rout, &pkt);	/* key */
	in.len = 0;
	/* The responder's opening gives the initiator its keys and its own
	 * terminator and first packet. */
	v2t_input(i, rout.data, V2T_KEY_LEN, &used, &need, &in, &pkt);
	wbuf_bytes(&in, data, size);
	run(r, in.data, in.len, NULL, 0, &got);
	wbuf_free(&in);
	wbuf_free(&rout);
	wbuf_free(&got);
	v2t_free(r);
	v2t_free(i);
}

/* The script: [nchunks][chunk sizes...][flip pos u16][packets: type, len u16, flags]... */
static void
scripted(const uint8_t *magic, const uint8_t *data, size_t size)
{
	struct v2t *r = v2t_new_with(false, magic, priv_r, false, NULL, 0);
	struct v2t *i = v2t_new_with(true, magic, priv_i, false, NULL, 0);
	struct wbuf stream, rout, want, got, w;
	struct v2t_packet pkt;
	const uint8_t *chunks;
	size_t nchunks, used, need, flip, npk = 0;
	size_t flip_before = 0;	/* want.len before the flipped packet */
	enum v2t_status st;

	if (size < 3)
		goto out_early;
	nchunks = data[0] % 16;
	if (size < 1 + nchunks + 2)
		goto out_early;
	chunks = data + 1;
	flip = (size_t)data[1 + nchunks] | (size_t)data[2 + nchunks] << 8;
	data += 3 + nchunks;
	size -= 3 + nchunks;
	wbuf_init(&stream);
	wbuf_init(&rout);
	wbuf_init(&want);
	wbuf_init(&got);
	wbuf_init(&w);
	v2t_hello(i, &stream);
	v2t_input(r, stream.data, stream.len, &used, &need, &rout, &pkt);
	v2t_input(r, stream.data, stream.len, &used, &need, &rout, &pkt);
	stream.len = 0;
	v2t_input(i, rout.data, V2T_KEY_LEN, &used, &need, &stream, &pkt);
	/* Enough packets to cross a rekey or two, few bytes: executions
	 * stay fast. */
	for (; size >= 4 && npk < 3 * V2T_REKEY_INTERVAL && stream.len < 65536;
	    data += 4, size -= 4, npk++) {
		size_t len = ((size_t)data[1] | (size_t)data[2] << 8) % 3000;
		size_t want_before = want.len;

		w.len = 0;
		v2t_packet_begin(&w, data[0]);
		if (data[3] & 1)
			w.data[V2T_LEN_LEN] = V2T_HDR_DECOY;
		for (size_t k = 0; k < len; k++)
			wbuf_u8(&w, (uint8_t)(k * 7 + data[0]));
		if (!(data[3] & 1)) {
			wbuf_u8(&want, data[0]);
			wbuf_u32le(&want, (uint32_t)len);
			wbuf_bytes(&want, w.data + V2T_PREFIX, len);
		}
		v2t_seal(i, &w);
		if (flip >= stream.len && flip < stream.len + w.len)
			flip_before = want_before;
		wbuf_bytes(&stream, w.data, w.len);
	}
	if (flip < stream.len && (flip & 0x8000) == 0) {
		stream.data[flip] ^= 0x01;
		st = run(r, stream.data, stream.len, chunks, nchunks, &got);
		/* Neither the flipped packet nor any after it comes out:
		 * whatever did is a prefix of what was sent before it.  (A
		 * flip in the opening leaves flip_before at 0.) */
		if (got.len > flip_before ||
		    (got.len > 0 && memcmp(got.data, want.data, got.len) != 0))
			abort();
	} else {
		st = run(r, stream.data, stream.len, chunks, nchunks, &got);
		if (st != V2T_NEED_MORE || got.len != want.len ||
		    (want.len > 0 && memcmp(got.data, want.data, want.len) != 0))
			abort();
	}
	wbuf_free(&stream);
	wbuf_free(&rout);
	wbuf_free(&want);
	wbuf_free(&got);
	wbuf_free(&w);
out_early:
	v2t_free(r);
	v2t_free(i);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	const uint8_t *magic;

	if (!init) {
		if (hash_init() != 0)
			abort();
		init = true;
	}
	if (size < 1)
		return 0;
	magic = chainparams_get(NET_REGTEST)->magic;
	switch (data[0] % 3) {
	case 0: {
		struct v2t *r = v2t_new_with(false, magic, priv_r, false, NULL, 0);
		struct wbuf got;

		wbuf_init(&got);
		run(r, data + 1, size - 1, NULL, 0, &got);
		wbuf_free(&got);
		v2t_free(r);
		break;
	}
	case 1:
		after_opening(magic, data + 1, size - 1);
		break;
	default:
		scripted(magic, data + 1, size - 1);
		break;
	}
	return 0;
}
