/* frame.c -- wire framing and the streaming frame reader.
 *
 * frame_parse holds the whole framing logic over a byte array; frame_read
 * only feeds it from an evbuffer, so the two can never disagree.  The
 * header is judged before the payload is waited for: a wrong magic or an
 * absurd length is refused after 13 bytes, so a peer cannot make us
 * buffer megabytes of garbage first. */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

static void
frame_header_put(uint8_t *p, const uint8_t magic[4], uint8_t type, size_t len,
    const uint8_t *payload)
{
	uint32_t n = (uint32_t)len;

	memcpy(p, magic, 4);
	p[4] = type;
	p[5] = (uint8_t)n;
	p[6] = (uint8_t)(n >> 8);
	p[7] = (uint8_t)(n >> 16);
	p[8] = (uint8_t)(n >> 24);
	hash_checksum(payload, len, p + 9);
}

/* Reserve room for the header in OUT, let the payload be appended after
 * it, then fill the header in: the payload is never copied twice. */
void
frame_encode(struct wbuf *out, const uint8_t magic[4], const struct msg *m)
{
	size_t start = out->len, plen;

	wbuf_reserve(out, FRAME_HEADER_LEN);
	out->len += FRAME_HEADER_LEN;
	msg_encode(m, out);
	plen = out->len - start - FRAME_HEADER_LEN;
	frame_header_put(out->data + start, magic, (uint8_t)m->type, plen,
	    out->data + start + FRAME_HEADER_LEN);
}

void
frame_encode_raw(struct wbuf *out, const uint8_t magic[4], uint8_t type,
    const void *payload, size_t len)
{
	size_t start = out->len;

	wbuf_reserve(out, FRAME_HEADER_LEN + len);
	out->len += FRAME_HEADER_LEN;
	wbuf_bytes(out, payload, len);
	frame_header_put(out->data + start, magic, type, len,
	    out->data + start + FRAME_HEADER_LEN);
}

/* An unknown type is skipped, a known one decoded. */
static enum frame_status
frame_classify(uint8_t type, const uint8_t *payload, uint32_t len, struct msg *out,
    struct frame_result *res)
{
	if (type >= MSG_TYPE_COUNT) {
		res->err = MSG_ERR_UNKNOWN_TYPE;
		return FRAME_SKIPPED;
	}
	if ((res->err = msg_decode(type, payload, len, out)) != MSG_OK)
		return FRAME_ERROR;
	return FRAME_MSG;
}

static enum frame_status
frame_parse_max(const uint8_t *buf, size_t len, const uint8_t magic[4], uint32_t max_payload,
    unsigned flags, struct msg *out, struct frame_result *res, size_t *consumed)
{
	struct rbuf r;
	struct frame_header *h = &res->hdr;
	const uint8_t *payload;
	uint8_t sum[4];

	/* *OUT is defined whatever happens, so a caller may msg_free() it
	 * after any status. */
	msg_init(out, MSG_VERSION);
	*consumed = 0;
	memset(res, 0, sizeof(*res));
	rbuf_init(&r, buf, len);
	if (rbuf_remaining(&r) < FRAME_HEADER_LEN)
		return FRAME_NEED_MORE;
	rbuf_bytes(&r, h->magic, 4);
	rbuf_u8(&r, &h->type);
	rbuf_u32le(&r, &h->length);
	rbuf_bytes(&r, h->checksum, 4);

	if (memcmp(h->magic, magic, 4) != 0) {
		res->err = MSG_ERR_BAD_MAGIC;
		return FRAME_ERROR;
	}
	if (h->length > max_payload) {
		res->err = MSG_ERR_OVERSIZED;
		return FRAME_ERROR;
	}
	if ((payload = rbuf_peek(&r, h->length)) == NULL)
		return FRAME_NEED_MORE;

	/* From here on the frame is consumed whatever its fate. */
	*consumed = FRAME_HEADER_LEN + h->length;
	if ((flags & FRAME_DEFER_BLOCK_CHECKSUM) && h->type == MSG_BLOCK) {
		res->checksum_deferred = true;
	} else {
		hash_checksum(payload, h->length, sum);
		if (memcmp(sum, h->checksum, 4) != 0) {
			res->err = MSG_ERR_BAD_CHECKSUM;
			return FRAME_ERROR;
		}
	}
	return frame_classify(h->type, payload, h->length, out, res);
}

enum frame_status
frame_decode(uint8_t type, const uint8_t *payload, uint32_t len, struct msg *out,
    struct frame_result *res)
{
	msg_init(out, MSG_VERSION);
	memset(res, 0, sizeof(*res));
	res->hdr.type = type;
	res->hdr.length = len;
	return frame_classify(type, payload, len, out, res);
}

enum frame_status
frame_parse(const uint8_t *buf, size_t len, const uint8_t magic[4],
    struct msg *out, struct frame_result *res, size_t *consumed)
{
	return frame_parse_max(buf, len, magic, MSG_MAX_PAYLOAD, 0, out, res, consumed);
}

enum frame_status
frame_read(struct evbuffer *in, const uint8_t magic[4], struct msg *out,
    struct frame_result *res)
{
	return frame_read_max(in, magic, MSG_MAX_PAYLOAD, out, res);
}

enum frame_status
frame_read_max(struct evbuffer *in, const uint8_t magic[4], uint32_t max_payload,
    struct msg *out, struct frame_result *res)
{
	return frame_read_opts(in, magic, max_payload, 0, out, res);
}

bool
frame_checksum_ok(const void *payload, size_t len, const uint8_t checksum[4])
{
	uint8_t sum[4];

	hash_checksum(payload, len, sum);
	return memcmp(sum, checksum, 4) == 0;
}

enum frame_status
frame_read_opts(struct evbuffer *in, const uint8_t magic[4], uint32_t max_payload,
    unsigned flags, struct msg *out, struct frame_result *res)
{
	uint8_t hdr[FRAME_HEADER_LEN];
	size_t avail = evbuffer_get_length(in), need, used;
	enum frame_status st;
	const uint8_t *p;

	/* Judge the header from a copy first: pulling up a buffer that
	 * declares 4 MiB before we know it is acceptable would be the very
	 * allocation the size limit exists to prevent. */
	if (avail < sizeof(hdr) ||
	    evbuffer_copyout(in, hdr, sizeof(hdr)) != (ev_ssize_t)sizeof(hdr))
		return frame_parse_max(hdr, 0, magic, max_payload, flags, out, res, &used);
	st = frame_parse_max(hdr, sizeof(hdr), magic, max_payload, flags, out, res, &used);
	if (st == FRAME_NEED_MORE) {
		need = FRAME_HEADER_LEN + (size_t)res->hdr.length;
		if (avail < need)
			return FRAME_NEED_MORE;
		/* Contiguous view of exactly one frame; libevent only fails
		 * here when out of memory, which we treat like xmalloc does. */
		if ((p = evbuffer_pullup(in, (ev_ssize_t)need)) == NULL)
			abort();
		st = frame_parse_max(p, need, magic, max_payload, flags, out, res, &used);
	}
	if (used > 0)
		evbuffer_drain(in, used);
	return st;
}
