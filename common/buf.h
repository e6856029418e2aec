/* buf.h -- bounds-checked cursor over untrusted bytes, and a growable byte writer. */
#ifndef AGENTCHAIN_BUF_H
#define AGENTCHAIN_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A read cursor over bytes it does not own (NSD buffer.h).  Every read
 * checks what is left first and returns false, consuming nothing, when the
 * data is short; the cursor never points past LEN. */
struct rbuf {
	const uint8_t	*data;
	size_t		 len;
	size_t		 pos;
};

/* The data is not copied; it must outlive the cursor. */
void rbuf_init(struct rbuf *r, const void *data, size_t len);
size_t rbuf_remaining(const struct rbuf *r);
bool rbuf_u8(struct rbuf *r, uint8_t *out);
bool rbuf_u16le(struct rbuf *r, uint16_t *out);
bool rbuf_u16be(struct rbuf *r, uint16_t *out);
bool rbuf_u32le(struct rbuf *r, uint32_t *out);
bool rbuf_i32le(struct rbuf *r, int32_t *out);
bool rbuf_u64le(struct rbuf *r, uint64_t *out);
bool rbuf_i64le(struct rbuf *r, int64_t *out);
bool rbuf_bytes(struct rbuf *r, void *out, size_t n);
bool rbuf_skip(struct rbuf *r, size_t n);
/* Pointer to the next N bytes without copying them, or NULL if short. */
const uint8_t *rbuf_peek(const struct rbuf *r, size_t n);

/* Bitcoin's CompactSize: 1, 3, 5 or 9 bytes.  Returns RBUF_OK, RBUF_SHORT,
 * or RBUF_NONCANONICAL for a value encoded in more bytes than it needs
 * (accepting those would give one message several encodings). */
enum rbuf_status { RBUF_OK = 0, RBUF_SHORT = -1, RBUF_NONCANONICAL = -2 };
enum rbuf_status rbuf_compactsize(struct rbuf *r, uint64_t *out);

/* A growable output buffer that owns its bytes; wbuf_free releases them. */
struct wbuf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
};

void wbuf_init(struct wbuf *w);
void wbuf_free(struct wbuf *w);
void wbuf_reset(struct wbuf *w);
void wbuf_reserve(struct wbuf *w, size_t extra);
void wbuf_u8(struct wbuf *w, uint8_t v);
void wbuf_u16le(struct wbuf *w, uint16_t v);
void wbuf_u16be(struct wbuf *w, uint16_t v);
void wbuf_u32le(struct wbuf *w, uint32_t v);
void wbuf_i32le(struct wbuf *w, int32_t v);
void wbuf_u64le(struct wbuf *w, uint64_t v);
void wbuf_i64le(struct wbuf *w, int64_t v);
void wbuf_bytes(struct wbuf *w, const void *p, size_t n);
void wbuf_compactsize(struct wbuf *w, uint64_t v);

#endif
