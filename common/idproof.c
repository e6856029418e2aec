/* idproof.c -- node identity proofs: payload codec, the signed bytes, Ed25519 sign and verify.
 *
 * The codec is strict like msg's: a reward address has one encoding (its
 * length a canonical CompactSize, its bytes printable ASCII), so the bytes
 * a node signed and the bytes an observer verifies cannot differ. */
#include "idproof.h"

#include <string.h>

#include <sodium.h>

_Static_assert(IDPROOF_SEED_LEN == crypto_sign_SEEDBYTES, "seed size");
_Static_assert(IDPROOF_PUBKEY_LEN == crypto_sign_PUBLICKEYBYTES, "public key size");
_Static_assert(IDPROOF_SECKEY_LEN == crypto_sign_SECRETKEYBYTES, "secret key size");
_Static_assert(IDPROOF_SIG_LEN == crypto_sign_BYTES, "signature size");

bool
idproof_reward_valid(const char *s, size_t len)
{
	if (len > IDPROOF_REWARD_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static void
encode_addr(struct wbuf *w, const struct netaddr *a)
{
	wbuf_bytes(w, a->ip, sizeof(a->ip));
	wbuf_u16be(w, a->port);
}

void
idproof_challenge_encode(const struct idproof_challenge *c, struct wbuf *w)
{
	wbuf_bytes(w, c->nonce, sizeof(c->nonce));
	encode_addr(w, &c->addr);
}

enum idproof_err
idproof_challenge_decode(struct rbuf *r, struct idproof_challenge *out)
{
	if (!rbuf_bytes(r, out->nonce, sizeof(out->nonce)) ||
	    !rbuf_bytes(r, out->addr.ip, sizeof(out->addr.ip)) ||
	    !rbuf_u16be(r, &out->addr.port))
		return IDPROOF_TRUNCATED;
	return IDPROOF_OK;
}

static void
encode_reward(struct wbuf *w, const struct idproof_answer *a)
{
	wbuf_compactsize(w, a->reward_len);
	wbuf_bytes(w, a->reward, a->reward_len);
}

void
idproof_answer_encode(const struct idproof_answer *a, struct wbuf *w)
{
	wbuf_bytes(w, a->pubkey, sizeof(a->pubkey));
	encode_reward(w, a);
	wbuf_bytes(w, a->sig, sizeof(a->sig));
}

enum idproof_err
idproof_answer_decode(struct rbuf *r, struct idproof_answer *out)
{
	uint64_t n;

	if (!rbuf_bytes(r, out->pubkey, sizeof(out->pubkey)))
		return IDPROOF_TRUNCATED;
	switch (rbuf_compactsize(r, &n)) {
	case RBUF_OK:
		break;
	case RBUF_NONCANONICAL:
		return IDPROOF_NONCANONICAL;
	default:
		return IDPROOF_TRUNCATED;
	}
	/* The length is checked before anything is read with it. */
	if (n > IDPROOF_REWARD_MAX)
		return IDPROOF_TOO_LONG;
	if (!rbuf_bytes(r, out->reward, (size_t)n))
		return IDPROOF_TRUNCATED;
	out->reward[n] = '\0';
	out->reward_len = (size_t)n;
	if (!idproof_reward_valid(out->reward, out->reward_len))
		return IDPROOF_BAD_CHAR;
	if (!rbuf_bytes(r, out->sig, sizeof(out->sig)))
		return IDPROOF_TRUNCATED;
	return IDPROOF_OK;
}

void
idproof_signed_bytes(const uint8_t magic[4], const struct idproof_challenge *c,
    const struct idproof_answer *a, struct wbuf *w)
{
	wbuf_bytes(w, IDPROOF_TAG, sizeof(IDPROOF_TAG) - 1);
	wbuf_bytes(w, magic, 4);
	idproof_challenge_encode(c, w);
	wbuf_bytes(w, a->pubkey, sizeof(a->pubkey));
	encode_reward(w, a);
}

void
idproof_sign(const uint8_t magic[4], const struct idproof_challenge *c,
    struct idproof_answer *a, const uint8_t seckey[IDPROOF_SECKEY_LEN])
{
	struct wbuf w;

	wbuf_init(&w);
	idproof_signed_bytes(magic, c, a, &w);
	crypto_sign_detached(a->sig, NULL, w.data, w.len, seckey);
	wbuf_free(&w);
}

bool
idproof_verify(const uint8_t magic[4], const struct idproof_challenge *c,
    const struct idproof_answer *a)
{
	struct wbuf w;
	bool ok;

	/* An answer built in memory (not decoded) could break the rule the
	 * decoder enforces; it must not verify either. */
	if (!idproof_reward_valid(a->reward, a->reward_len))
		return false;
	wbuf_init(&w);
	idproof_signed_bytes(magic, c, a, &w);
	ok = crypto_sign_verify_detached(a->sig, w.data, w.len, a->pubkey) == 0;
	wbuf_free(&w);
	return ok;
}

void
idproof_keypair_from_seed(const uint8_t seed[IDPROOF_SEED_LEN],
    uint8_t pubkey[IDPROOF_PUBKEY_LEN], uint8_t seckey[IDPROOF_SECKEY_LEN])
{
	crypto_sign_seed_keypair(pubkey, seckey, seed);
}

char *
idproof_pubkey_hex(const uint8_t pubkey[IDPROOF_PUBKEY_LEN], char out[IDPROOF_PUBKEY_HEXLEN])
{
	sodium_bin2hex(out, IDPROOF_PUBKEY_HEXLEN, pubkey, IDPROOF_PUBKEY_LEN);
	return out;
}
