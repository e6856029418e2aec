/* v2bench.c -- the codec cost of the v2 transport beside v1's, in one run.
 *
 *   v2bench [SECONDS_PER_CASE]
 *
 * For a 100,000-byte block payload and an 8-byte ping: v1 = frame_encode
 * + frame_parse (double-SHA256 checksum both ways, block checksum not
 * deferred), v2 = v2t_seal + v2t_input (ChaCha20 length, ChaCha20-Poly1305
 * packet) between a connected pair.  Prints "name value" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chainparams.h"
#include "clock.h"
#include "frame.h"
#include "hash.h"
#include "msg.h"
#include "v2transport.h"

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
	return (double)clock_mono_us() / 1e6;
}

/* A connected pair: I seals, R opens. */
static void
pair(const uint8_t *magic, struct v2t **i, struct v2t **r)
{
	struct wbuf a, b, junk;
	struct v2t_packet pkt;
	size_t used, need, off = 0;

	*i = v2t_new(true, magic);
	*r = v2t_new(false, magic);
	wbuf_init(&a);
	wbuf_init(&b);
	wbuf_init(&junk);
	v2t_hello(*i, &a);
	v2t_input(*r, a.data, a.len, &used, &need, &b, &pkt);
	v2t_input(*r, a.data, a.len, &used, &need, &b, &pkt);
	off = used;
	while (v2t_input(*i, b.data, b.len, &used, &need, &a, &pkt) == V2T_PROGRESS)
		memmove(b.data, b.data + used, b.len -= used);
	while (v2t_input(*r, a.data + off, a.len - off, &used, &need, &junk, &pkt) == V2T_PROGRESS)
		off += used;
	if (!v2t_established(*i) || !v2t_established(*r))
		abort();
	wbuf_free(&a);
	wbuf_free(&b);
	wbuf_free(&junk);
}

static void
bench_v1(const char *name, const uint8_t *magic, const struct msg *m, size_t plen, double secs)
{
	struct wbuf w;
	struct msg out;
	struct frame_result res;
	size_t used, n = 0;
	double t0 = now_s(), dt;

	wbuf_init(&w);
	do {
		for (int k = 0; k < 64; k++, n++) {
			w.len = 0;
			frame_encode(&w, magic, m);
			if (frame_parse(w.data, w.len, magic, &out, &res, &used) != FRAME_MSG)
				abort();
			msg_free(&out);
		}
	} while ((dt = now_s() - t0) < secs);
	printf("codec_v1_%s_msgs_per_s %.0f\n", name, (double)n / dt);
	printf("codec_v1_%s_mb_per_s %.1f\n", name, (double)n * (double)plen / dt / 1e6);
	wbuf_free(&w);
}

static void
bench_v2(const char *name, const uint8_t *magic, const struct msg *m, size_t plen, double secs)
{
	struct v2t *i, *r;
	struct wbuf w, junk;
	struct msg out;
	struct frame_result res;
	struct v2t_packet pkt;
	size_t used, need, n = 0;
	double t0, dt;

	pair(magic, &i, &r);
	wbuf_init(&w);
	wbuf_init(&junk);
	t0 = now_s();
	do {
		for (int k = 0; k < 64; k++, n++) {
			w.len = 0;
			v2t_packet_begin(&w, (uint8_t)m->type);
			msg_encode(m, &w);
			v2t_seal(i, &w);
			if (v2t_input(r, w.data, w.len, &used, &need, &junk, &pkt) != V2T_PACKET ||
			    frame_decode(pkt.type, pkt.payload, pkt.len, &out, &res) != FRAME_MSG)
				abort();
			msg_free(&out);
		}
	} while ((dt = now_s() - t0) < secs);
	printf("codec_v2_%s_msgs_per_s %.0f\n", name, (double)n / dt);
	printf("codec_v2_%s_mb_per_s %.1f\n", name, (double)n * (double)plen / dt / 1e6);
	wbuf_free(&w);
	wbuf_free(&junk);
	v2t_free(i);
	v2t_free(r);
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	const uint8_t *magic;
	uint8_t *tx = malloc(100000);
	struct msg ping, txm;

	if (hash_init() != 0 || tx == NULL)
		return 1;
	magic = chainparams_get(NET_REGTEST)->magic;
	memset(tx, 0x5a, 100000);
	msg_ping_init(&ping, 0x0102030405060708ull);
	/* A 100 kB tx message: the same bytes as a block's, without a
	 * block's parse, so that only the transport's cost differs. */
	msg_init(&txm, MSG_TX);
	txm.u.tx.data = tx;
	txm.u.tx.len = 100000;
	bench_v1("100k", magic, &txm, 100000, secs);
	bench_v2("100k", magic, &txm, 100000, secs);
	bench_v1("ping", magic, &ping, 8, secs);
	bench_v2("ping", magic, &ping, 8, secs);
	free(tx);
	return 0;
}
