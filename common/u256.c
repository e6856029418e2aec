/* u256.c -- 256-bit unsigned arithmetic, only the operations proof of
 * work and chain work need.
 *
 * Limbs are 32 bits so that every product and every partial division
 * fits in a uint64_t; nothing here depends on compiler extensions such as
 * __int128.  Division is plain shift-and-subtract: at most 256 steps, and
 * only done once per header (block work) or per retarget. */
#include "u256.h"

#include <string.h>

#define LIMBS	8

void
u256_set_u64(struct u256 *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->w[0] = (uint32_t)v;
	r->w[1] = (uint32_t)(v >> 32);
}

void
u256_from_le(struct u256 *r, const uint8_t b[32])
{
	for (int i = 0; i < LIMBS; i++)
		r->w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		    (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
}

void
u256_to_le(const struct u256 *a, uint8_t b[32])
{
	for (int i = 0; i < LIMBS; i++)
		for (int j = 0; j < 4; j++)
			b[4 * i + j] = (uint8_t)(a->w[i] >> (8 * j));
}

int
u256_cmp(const struct u256 *a, const struct u256 *b)
{
	for (int i = LIMBS - 1; i >= 0; i--) {
		if (a->w[i] < b->w[i])
			return -1;
		if (a->w[i] > b->w[i])
			return 1;
	}
	return 0;
}

bool
u256_is_zero(const struct u256 *a)
{
	for (int i = 0; i < LIMBS; i++)
		if (a->w[i] != 0)
			return false;
	return true;
}

unsigned
u256_bits(const struct u256 *a)
{
	for (int i = LIMBS - 1; i >= 0; i--)
		for (int b = 31; b >= 0; b--)
			if (a->w[i] & (UINT32_C(1) << b))
				return (unsigned)(32 * i + b + 1);
	return 0;
}

/* R = A + B modulo 2^256; returns the carry out. */
static bool
add_wrap(struct u256 *r, const struct u256 *a, const struct u256 *b)
{
	uint64_t carry = 0;

	for (int i = 0; i < LIMBS; i++) {
		uint64_t s = (uint64_t)a->w[i] + b->w[i] + carry;

		r->w[i] = (uint32_t)s;
		carry = s >> 32;
	}
	return carry != 0;
}

/* R = A - B modulo 2^256. */
static void
sub_wrap(struct u256 *r, const struct u256 *a, const struct u256 *b)
{
	int64_t borrow = 0;

	for (int i = 0; i < LIMBS; i++) {
		int64_t d = (int64_t)a->w[i] - b->w[i] - borrow;

		borrow = d < 0;
		r->w[i] = (uint32_t)d;	/* modulo 2^32 */
	}
}

bool
u256_add(struct u256 *r, const struct u256 *a, const struct u256 *b)
{
	if (!add_wrap(r, a, b))
		return false;
	memset(r->w, 0xff, sizeof(r->w));
	return true;
}

void
u256_shl(struct u256 *r, const struct u256 *a, unsigned n)
{
	struct u256 t = { { 0 } };
	unsigned limbs = n / 32, bits = n % 32;

	for (unsigned i = 0; i + limbs < LIMBS && n < 256; i++) {
		unsigned d = i + limbs;

		t.w[d] |= a->w[i] << bits;
		if (bits != 0 && d + 1 < LIMBS)
			t.w[d + 1] |= a->w[i] >> (32 - bits);
	}
	*r = t;
}

void
u256_shr(struct u256 *r, const struct u256 *a, unsigned n)
{
	struct u256 t = { { 0 } };
	unsigned limbs = n / 32, bits = n % 32;

	for (unsigned i = limbs; i < LIMBS && n < 256; i++) {
		unsigned d = i - limbs;

		t.w[d] |= a->w[i] >> bits;
		if (bits != 0 && d > 0)
			t.w[d - 1] |= a->w[i] << (32 - bits);
	}
	*r = t;
}

bool
u256_div(struct u256 *q, const struct u256 *a, const struct u256 *b)
{
	struct u256 num = *a, quot = { { 0 } }, rem = { { 0 } };

	if (u256_is_zero(b))
		return false;
	/* rem = (rem << 1) | next bit of A, from the top. */
	for (int i = (int)u256_bits(&num) - 1; i >= 0; i--) {
		u256_shl(&rem, &rem, 1);
		rem.w[0] |= (num.w[i / 32] >> (i % 32)) & 1;
		if (u256_cmp(&rem, b) >= 0) {
			sub_wrap(&rem, &rem, b);
			quot.w[i / 32] |= UINT32_C(1) << (i % 32);
		}
	}
	*q = quot;
	return true;
}

bool
u256_muldiv_u32(struct u256 *r, const struct u256 *a, uint32_t mul, uint32_t div)
{
	uint32_t prod[LIMBS + 1], quot[LIMBS + 1];
	uint64_t carry = 0, rem = 0;

	if (div == 0)
		return false;
	for (int i = 0; i < LIMBS; i++) {
		uint64_t t = (uint64_t)a->w[i] * mul + carry;

		prod[i] = (uint32_t)t;
		carry = t >> 32;
	}
	prod[LIMBS] = (uint32_t)carry;
	for (int i = LIMBS; i >= 0; i--) {
		uint64_t cur = rem << 32 | prod[i];

		quot[i] = (uint32_t)(cur / div);
		rem = cur % div;
	}
	if (quot[LIMBS] != 0)
		return false;
	memcpy(r->w, quot, sizeof(r->w));
	return true;
}

static const char hexdigits[] = "0123456789abcdef";

void
u256_to_hex(const struct u256 *a, char out[U256_HEX_LEN])
{
	for (int i = 0; i < 64; i++) {
		int nib = 63 - i;	/* nibble index from the least significant */

		out[i] = hexdigits[(a->w[nib / 8] >> (4 * (nib % 8))) & 0xf];
	}
	out[64] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
u256_from_hex(struct u256 *r, const char *hex)
{
	struct u256 t = { { 0 } };
	size_t n = 0;

	/* Bounded scan: never read more than 65 characters of HEX. */
	while (n <= 64 && hex[n] != '\0')
		n++;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		int v = hexval(hex[i]);
		size_t nib = n - 1 - i;

		if (v < 0)
			return false;
		t.w[nib / 8] |= (uint32_t)v << (4 * (nib % 8));
	}
	*r = t;
	return true;
}

void
u256_hash_to_hex(const uint8_t hash[32], char out[U256_HEX_LEN])
{
	struct u256 a;

	u256_from_le(&a, hash);
	u256_to_hex(&a, out);
}

bool
u256_hash_from_hex(const char *hex, uint8_t hash[32])
{
	struct u256 a;
	size_t n = 0;

	while (n <= 64 && hex[n] != '\0')
		n++;
	if (n != 64 || !u256_from_hex(&a, hex))
		return false;
	u256_to_le(&a, hash);
	return true;
}
