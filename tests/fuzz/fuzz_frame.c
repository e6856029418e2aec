/* fuzz_frame.c -- libFuzzer target: streaming frame reader and msg decode/encode round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "buf.h"
#include "chainparams.h"
#include "frame.h"
#include "hash.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever the reader accepts must come out of it in the same shape:
 * decode(encode(m)) == m, and the encoding is the only one, so encoding
 * again gives the same bytes.  Any difference means the strict decoder
 * accepts two spellings of one message, which abort() reports. */
static void
check_roundtrip(const struct msg *m)
{
	struct wbuf w1, w2;
	struct msg back;

	wbuf_init(&w1);
	wbuf_init(&w2);
	msg_encode(m, &w1);
	if (msg_decode(m->type, w1.data, w1.len, &back) != MSG_OK)
		abort();
	if (!msg_equal(m, &back))
		abort();
	msg_encode(&back, &w2);
	if (w1.len != w2.len || (w1.len > 0 && memcmp(w1.data, w2.data, w1.len) != 0))
		abort();
	msg_free(&back);
	wbuf_free(&w1);
	wbuf_free(&w2);
}

/* The payload bytes P must re-encode to exactly themselves, except for a
 * version from a newer peer whose ignored extension is dropped. */
static void
check_canonical(const struct msg *m, const uint8_t *p, size_t len)
{
	struct wbuf w;

	wbuf_init(&w);
	msg_encode(m, &w);
	if (m->type == MSG_VERSION && m->u.version.version > PROTO_VERSION) {
		if (w.len > len || (w.len > 0 && memcmp(w.data, p, w.len) != 0))
			abort();
	} else if (w.len != len || (len > 0 && memcmp(w.data, p, len) != 0)) {
		abort();
	}
	wbuf_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialised;
	const uint8_t *magic = chainparams_get(NET_REGTEST)->magic;
	struct evbuffer *in;
	struct frame_result res;
	enum frame_status st;
	struct msg m;

	if (!initialised) {
		if (hash_init() != 0)
			abort();
		initialised = 1;
	}

	/* 1. The streaming reader, frame after frame. */
	if ((in = evbuffer_new()) == NULL)
		abort();
	evbuffer_add(in, data, size);
	for (;;) {
		size_t before = evbuffer_get_length(in);

		st = frame_read(in, magic, &m, &res);
		if (st == FRAME_NEED_MORE || st == FRAME_ERROR) {
			/* Zeroed by contract; freeing must be harmless. */
			msg_free(&m);
			break;
		}
		/* Progress is guaranteed: a frame was consumed. */
		if (evbuffer_get_length(in) >= before)
			abort();
		if (st == FRAME_MSG)
			check_roundtrip(&m);
		msg_free(&m);
	}
	evbuffer_free(in);

	/* 2. The payload decoder alone: type byte, then payload. */
	if (size >= 1) {
		if (msg_decode(data[0], data + 1, size - 1, &m) == MSG_OK) {
			check_canonical(&m, data + 1, size - 1);
			check_roundtrip(&m);
		}
		msg_free(&m);
	}
	return 0;
}
