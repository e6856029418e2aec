/* block_header.c -- the 80-byte block header's wire form and hash. */
#include "block_header.h"

#include <string.h>

#include "buf.h"
#include "hash.h"

static uint8_t *
put_u32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

void
block_header_encode(const struct block_header *h, uint8_t out[BLOCK_HEADER_SIZE])
{
	uint32_t version;
	uint8_t *p = out;

	memcpy(&version, &h->version, sizeof(version));	/* two's complement */
	p = put_u32le(p, version);
	memcpy(p, h->prev_hash, 32);
	memcpy(p + 32, h->merkle_root, 32);
	p = put_u32le(p + 64, h->time);
	p = put_u32le(p, h->bits);
	put_u32le(p, h->nonce);
}

void
block_header_decode(const uint8_t in[BLOCK_HEADER_SIZE], struct block_header *h)
{
	struct rbuf r;

	/* Cannot fail: exactly the 80 bytes the fields take. */
	rbuf_init(&r, in, BLOCK_HEADER_SIZE);
	rbuf_i32le(&r, &h->version);
	rbuf_bytes(&r, h->prev_hash, 32);
	rbuf_bytes(&r, h->merkle_root, 32);
	rbuf_u32le(&r, &h->time);
	rbuf_u32le(&r, &h->bits);
	rbuf_u32le(&r, &h->nonce);
}

void
block_header_hash(const struct block_header *h, uint8_t out[32])
{
	uint8_t b[BLOCK_HEADER_SIZE];

	block_header_encode(h, b);
	hash_sha256d(b, sizeof(b), out);
}
