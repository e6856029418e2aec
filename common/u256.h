/* u256.h -- 256-bit unsigned numbers: targets, chain work, and the hex form of hashes. */
#ifndef AGENTCHAIN_U256_H
#define AGENTCHAIN_U256_H

#include <stdbool.h>
#include <stdint.h>

/* A number in [0, 2^256), as eight 32-bit limbs, least significant first
 * (Bitcoin Core's arith_uint256).  A zeroed struct is 0; a static
 * initialiser lists the limbs from w[0] up.  Plain value type: copy it
 * with =, nothing to free. */
struct u256 {
	uint32_t	w[8];
};

/* Hex digits of a number or hash, plus the NUL. */
#define U256_HEX_LEN	65

/* R = V. */
void u256_set_u64(struct u256 *r, uint64_t v);

/* Hashes are 32 bytes in internal order (as SHA-256 produced them); as a
 * number, such a hash is little-endian (Core's UintToArith256), which is
 * how proof of work compares it with a target. */
void u256_from_le(struct u256 *r, const uint8_t b[32]);
void u256_to_le(const struct u256 *a, uint8_t b[32]);

/* -1, 0 or 1 as A is below, equal to or above B. */
int u256_cmp(const struct u256 *a, const struct u256 *b);
bool u256_is_zero(const struct u256 *a);
/* Position of the highest set bit plus one; 0 for 0. */
unsigned u256_bits(const struct u256 *a);

/* R = A + B, saturating: when the sum does not fit, R becomes 2^256 - 1
 * and the result is true.  Chain work is summed with it, so a total can
 * never wrap round to a small number.  R may alias A or B. */
bool u256_add(struct u256 *r, const struct u256 *a, const struct u256 *b);
/* R = A << N and R = A >> N; bits shifted out are lost, N >= 256 gives 0.
 * R may alias A. */
void u256_shl(struct u256 *r, const struct u256 *a, unsigned n);
void u256_shr(struct u256 *r, const struct u256 *a, unsigned n);
/* Q = A / B, rounded down.  Returns false, Q untouched, when B is 0.
 * Q may alias A or B. */
bool u256_div(struct u256 *q, const struct u256 *a, const struct u256 *b);
/* R = A * MUL / DIV, rounded down, exact: the product is kept in 288 bits
 * so it cannot overflow on the way.  Returns false, R untouched, when DIV
 * is 0 or the quotient needs more than 256 bits.  R may alias A. */
bool u256_muldiv_u32(struct u256 *r, const struct u256 *a, uint32_t mul, uint32_t div);

/* OUT = the 64 lower-case hex digits of A, most significant first (the
 * form of Core's "chainwork"), NUL-terminated. */
void u256_to_hex(const struct u256 *a, char out[U256_HEX_LEN]);
/* Parse 1 to 64 hex digits (either case, nothing else: no "0x", no
 * spaces) into R.  Returns false, R untouched, on anything else. */
bool u256_from_hex(struct u256 *r, const char *hex);

/* A hash shown as Bitcoin shows block hashes and txids: its bytes
 * reversed, in hex (64 lower-case digits).  Same as u256_to_hex of the
 * hash as a number. */
void u256_hash_to_hex(const uint8_t hash[32], char out[U256_HEX_LEN]);
/* The inverse: exactly 64 hex digits into HASH (internal byte order).
 * Returns false, HASH untouched, on anything else.  HEX is untrusted
 * (RPC arguments). */
bool u256_hash_from_hex(const char *hex, uint8_t hash[32]);

#endif
