/* buf.c -- bounds-checked cursor over untrusted bytes, and a growable writer.
 *
 * All wire decoding goes through struct rbuf so that the bounds check lives
 * in exactly one place; decoders never index raw payload pointers. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void
rbuf_init(struct rbuf *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
}

size_t
rbuf_remaining(const struct rbuf *r)
{
	return r->len - r->pos;
}

const uint8_t *
rbuf_peek(const struct rbuf *r, size_t n)
{
	if (rbuf_remaining(r) < n)
		return NULL;
	return r->data + r->pos;
}

bool
rbuf_bytes(struct rbuf *r, void *out, size_t n)
{
	const uint8_t *p = rbuf_peek(r, n);

	if (p == NULL)
		return false;
	if (n > 0)
		memcpy(out, p, n);
	r->pos += n;
	return true;
}

bool
rbuf_skip(struct rbuf *r, size_t n)
{
	if (rbuf_remaining(r) < n)
		return false;
	r->pos += n;
	return true;
}

static bool
rbuf_le(struct rbuf *r, size_t n, uint64_t *out)
{
	const uint8_t *p = rbuf_peek(r, n);
	uint64_t v = 0;

	if (p == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	r->pos += n;
	*out = v;
	return true;
}

bool
rbuf_u8(struct rbuf *r, uint8_t *out)
{
	uint64_t v;

	if (!rbuf_le(r, 1, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

bool
rbuf_u16le(struct rbuf *r, uint16_t *out)
{
	uint64_t v;

	if (!rbuf_le(r, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool
rbuf_u16be(struct rbuf *r, uint16_t *out)
{
	const uint8_t *p = rbuf_peek(r, 2);

	if (p == NULL)
		return false;
	*out = (uint16_t)(p[0] << 8 | p[1]);
	r->pos += 2;
	return true;
}

bool
rbuf_u32le(struct rbuf *r, uint32_t *out)
{
	uint64_t v;

	if (!rbuf_le(r, 4, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
rbuf_i32le(struct rbuf *r, int32_t *out)
{
	uint32_t v;

	if (!rbuf_u32le(r, &v))
		return false;
	memcpy(out, &v, sizeof(v));
	return true;
}

bool
rbuf_u64le(struct rbuf *r, uint64_t *out)
{
	return rbuf_le(r, 8, out);
}

bool
rbuf_i64le(struct rbuf *r, int64_t *out)
{
	uint64_t v;

	if (!rbuf_le(r, 8, &v))
		return false;
	memcpy(out, &v, sizeof(v));
	return true;
}

enum rbuf_status
rbuf_compactsize(struct rbuf *r, uint64_t *out)
{
	size_t start = r->pos;
	uint8_t tag;
	uint64_t v, min;
	size_t n;

	if (!rbuf_u8(r, &tag))
		return RBUF_SHORT;
	switch (tag) {
	case 0xfd: n = 2; min = 0xfd; break;
	case 0xfe: n = 4; min = 0x10000; break;
	case 0xff: n = 8; min = 0x100000000ULL; break;
	default:
		*out = tag;
		return RBUF_OK;
	}
	if (!rbuf_le(r, n, &v)) {
		r->pos = start;
		return RBUF_SHORT;
	}
	if (v < min) {
		r->pos = start;
		return RBUF_NONCANONICAL;
	}
	*out = v;
	return RBUF_OK;
}

void
wbuf_init(struct wbuf *w)
{
	w->data = NULL;
	w->len = 0;
	w->cap = 0;
}

void
wbuf_free(struct wbuf *w)
{
	free(w->data);
	wbuf_init(w);
}

void
wbuf_reset(struct wbuf *w)
{
	w->len = 0;
}

void
wbuf_reserve(struct wbuf *w, size_t extra)
{
	size_t need = w->len + extra, cap = w->cap ? w->cap : 64;

	if (need <= w->cap)
		return;
	while (cap < need)
		cap *= 2;
	w->data = xreallocarray(w->data, cap, 1);
	w->cap = cap;
}

void
wbuf_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (n == 0)
		return;
	wbuf_reserve(w, n);
	memcpy(w->data + w->len, p, n);
	w->len += n;
}

static void
wbuf_le(struct wbuf *w, uint64_t v, size_t n)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	wbuf_bytes(w, b, n);
}

void wbuf_u8(struct wbuf *w, uint8_t v) { wbuf_le(w, v, 1); }
void wbuf_u16le(struct wbuf *w, uint16_t v) { wbuf_le(w, v, 2); }
void wbuf_u32le(struct wbuf *w, uint32_t v) { wbuf_le(w, v, 4); }
void wbuf_u64le(struct wbuf *w, uint64_t v) { wbuf_le(w, v, 8); }

void
wbuf_i32le(struct wbuf *w, int32_t v)
{
	uint32_t u;

	memcpy(&u, &v, sizeof(u));
	wbuf_le(w, u, 4);
}

void
wbuf_i64le(struct wbuf *w, int64_t v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	wbuf_le(w, u, 8);
}

void
wbuf_u16be(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wbuf_bytes(w, b, 2);
}

void
wbuf_compactsize(struct wbuf *w, uint64_t v)
{
	if (v < 0xfd) {
		wbuf_u8(w, (uint8_t)v);
	} else if (v <= 0xffff) {
		wbuf_u8(w, 0xfd);
		wbuf_le(w, v, 2);
	} else if (v <= 0xffffffffULL) {
		wbuf_u8(w, 0xfe);
		wbuf_le(w, v, 4);
	} else {
		wbuf_u8(w, 0xff);
		wbuf_le(w, v, 8);
	}
}
