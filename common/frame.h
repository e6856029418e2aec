/* frame.h -- wire framing: 13-byte header (magic, type, length, checksum) + payload. */
#ifndef AGENTCHAIN_FRAME_H
#define AGENTCHAIN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#include "buf.h"
#include "msg.h"

/* magic[4] type u8 length u32le checksum[4]; see docs/PROTOCOL.md. */
#define FRAME_HEADER_LEN	13

struct frame_header {
	uint8_t		magic[4];
	uint8_t		type;
	uint32_t	length;
	uint8_t		checksum[4];
};

enum frame_status {
	FRAME_NEED_MORE,	/* no whole frame yet; nothing consumed */
	FRAME_MSG,		/* one frame consumed and decoded */
	FRAME_SKIPPED,		/* one frame of unknown type consumed */
	FRAME_ERROR,		/* see frame_result.err */
};

struct frame_result {
	struct frame_header	hdr;	/* valid whenever the header was read */
	enum msg_err		err;
	/* A block frame read with FRAME_DEFER_BLOCK_CHECKSUM: its checksum
	 * was not compared (hdr.checksum has it; see frame_read_opts). */
	bool			checksum_deferred;
};

/* frame_read_opts flags. */
/* Skip the checksum of block frames: a block's proof of work and merkle
 * root already prove its bytes, so hashing them once more only to
 * compare four bytes would double the cost of a sync.  The owner checks
 * the checksum (frame_checksum_ok) only when the block fails its own
 * checks, to tell a corrupted frame from an invalid block.  A corruption
 * can never make an invalid block pass: it would have to keep both. */
#define FRAME_DEFER_BLOCK_CHECKSUM	0x1

/* Append M as a complete frame (header and payload) for the network with
 * MAGIC to OUT. */
void frame_encode(struct wbuf *out, const uint8_t magic[4], const struct msg *m);

/* Append a frame of TYPE around LEN bytes of PAYLOAD, copied as they are
 * (any type, any content), with a correct checksum.  For tests and
 * fuzzers that need invalid messages.  LEN must fit in 32 bits; it may
 * exceed MSG_MAX_PAYLOAD. */
void frame_encode_raw(struct wbuf *out, const uint8_t magic[4], uint8_t type,
    const void *payload, size_t len);

/* Parse at most one frame from the LEN bytes at BUF, which are untrusted
 * and need not hold a whole frame.  Sets *CONSUMED to the bytes the frame
 * took (0 unless a whole frame was there) and *RES as described below.
 * *OUT is always overwritten without being freed first; unless the
 * result is FRAME_MSG it is left zeroed, so msg_free() on it is harmless.
 * Returns:
 *   FRAME_NEED_MORE  header or payload incomplete.
 *   FRAME_MSG        *OUT holds the message; caller msg_free()s it.
 *   FRAME_SKIPPED    type unknown, checksum valid; RES->err is
 *                    MSG_ERR_UNKNOWN_TYPE.  The caller counts it.
 *   FRAME_ERROR      RES->err says why.  BAD_MAGIC and OVERSIZED are
 *                    reported as soon as the header is there and consume
 *                    nothing (the stream cannot be resynchronised; the
 *                    caller disconnects).  BAD_CHECKSUM and decode errors
 *                    consume the bad frame, so a lenient caller could go
 *                    on to the next one.
 * A declared length over MSG_MAX_PAYLOAD is rejected from the header
 * alone, before any allocation and without waiting for the payload. */
enum frame_status frame_parse(const uint8_t *buf, size_t len, const uint8_t magic[4],
    struct msg *out, struct frame_result *res, size_t *consumed);

/* As frame_parse, reading from and draining the evbuffer IN: handles
 * partial headers, partial payloads and several frames per read (call it
 * until it returns FRAME_NEED_MORE or FRAME_ERROR).  *OUT and *RES as for
 * frame_parse; neither may be NULL. */
enum frame_status frame_read(struct evbuffer *in, const uint8_t magic[4],
    struct msg *out, struct frame_result *res);
/* As frame_read, refusing (MSG_ERR_OVERSIZED) any frame that declares
 * more than MAX_PAYLOAD (<= MSG_MAX_PAYLOAD) bytes. */
enum frame_status frame_read_max(struct evbuffer *in, const uint8_t magic[4],
    uint32_t max_payload, struct msg *out, struct frame_result *res);
/* As frame_read_max, with FLAGS (FRAME_DEFER_BLOCK_CHECKSUM). */
enum frame_status frame_read_opts(struct evbuffer *in, const uint8_t magic[4],
    uint32_t max_payload, unsigned flags, struct msg *out, struct frame_result *res);

/* The payload part of frame_parse: a message of TYPE in the LEN bytes at
 * PAYLOAD, whose integrity the caller has already established (the v2
 * transport's tag).  Returns FRAME_MSG (*OUT holds it; msg_free), or
 * FRAME_SKIPPED for an unknown type, or FRAME_ERROR; RES->err as for
 * frame_parse, RES->hdr has TYPE and LEN. */
enum frame_status frame_decode(uint8_t type, const uint8_t *payload, uint32_t len,
    struct msg *out, struct frame_result *res);

/* Does CHECKSUM belong to the LEN bytes of PAYLOAD? */
bool frame_checksum_ok(const void *payload, size_t len, const uint8_t checksum[4]);

#endif
