/* idproof.h -- node identity proofs: the getidentity/identity payloads, what is signed, Ed25519 sign and verify.
 *
 * An asker (the crawler) sends a challenge: a fresh random nonce and the
 * address it dialled.  The node answers with its public key, its reward
 * address and an Ed25519 signature over a tag, the network magic, the
 * challenge and its answer (docs/PROTOCOL.md, "Node identity").  Binding
 * the dialled address into the signed bytes is what keeps a key from being
 * claimed at another host's address: a node signs only for an address of
 * its own, so a challenge relayed by another host gets no answer.  Used by
 * msg (the codec) and by node and crawler; it includes no msg header. */
#ifndef AGENTCHAIN_IDPROOF_H
#define AGENTCHAIN_IDPROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "netaddr.h"

#define IDPROOF_NONCE_LEN	32
#define IDPROOF_PUBKEY_LEN	32
#define IDPROOF_SIG_LEN		64
/* The secret key as libsodium keeps it (seed then public key). */
#define IDPROOF_SECKEY_LEN	64
#define IDPROOF_SEED_LEN	32
/* Longest reward address (bytes, printable ASCII 0x20-0x7e). */
#define IDPROOF_REWARD_MAX	90
/* A public key in hex, with its NUL. */
#define IDPROOF_PUBKEY_HEXLEN	(2 * IDPROOF_PUBKEY_LEN + 1)
/* The domain-separation tag at the start of the signed bytes. */
#define IDPROOF_TAG		"agentchain-identity-v1"

/* getidentity: prove your key for the address I dialled. */
struct idproof_challenge {
	uint8_t		nonce[IDPROOF_NONCE_LEN];
	struct netaddr	addr;		/* the address the asker dialled */
};

/* identity: the answer. */
struct idproof_answer {
	uint8_t		pubkey[IDPROOF_PUBKEY_LEN];
	char		reward[IDPROOF_REWARD_MAX + 1];	/* NUL-terminated */
	size_t		reward_len;
	uint8_t		sig[IDPROOF_SIG_LEN];
};

enum idproof_err {
	IDPROOF_OK = 0,
	IDPROOF_TRUNCATED,	/* ends inside a field */
	IDPROOF_NONCANONICAL,	/* reward length not a canonical CompactSize */
	IDPROOF_TOO_LONG,	/* reward address over IDPROOF_REWARD_MAX */
	IDPROOF_BAD_CHAR,	/* reward address byte outside 0x20-0x7e */
};

/* Is S (LEN bytes) a valid reward address: at most IDPROOF_REWARD_MAX
 * bytes, each printable ASCII (0x20-0x7e)?  The empty string is valid. */
bool idproof_reward_valid(const char *s, size_t len);

/* Payload codecs.  Decoders read from R, which holds untrusted bytes; they
 * check each length before reading and leave trailing bytes for the
 * caller to judge.  On error *OUT is unspecified. */
void idproof_challenge_encode(const struct idproof_challenge *c, struct wbuf *w);
enum idproof_err idproof_challenge_decode(struct rbuf *r, struct idproof_challenge *out);
void idproof_answer_encode(const struct idproof_answer *a, struct wbuf *w);
enum idproof_err idproof_answer_decode(struct rbuf *r, struct idproof_answer *out);

/* Append the bytes that are signed: IDPROOF_TAG, MAGIC, the challenge and
 * A's public key and reward address (CompactSize length, then bytes). */
void idproof_signed_bytes(const uint8_t magic[4], const struct idproof_challenge *c,
    const struct idproof_answer *a, struct wbuf *w);

/* Fill A->sig for challenge C on the network of MAGIC, with SECKEY (whose
 * public half must be A->pubkey).  A->reward must be valid. */
void idproof_sign(const uint8_t magic[4], const struct idproof_challenge *c,
    struct idproof_answer *a, const uint8_t seckey[IDPROOF_SECKEY_LEN]);
/* Does A prove its key for C on MAGIC's network? */
bool idproof_verify(const uint8_t magic[4], const struct idproof_challenge *c,
    const struct idproof_answer *a);

/* The key pair of a 32-byte SEED (libsodium's crypto_sign_seed_keypair). */
void idproof_keypair_from_seed(const uint8_t seed[IDPROOF_SEED_LEN],
    uint8_t pubkey[IDPROOF_PUBKEY_LEN], uint8_t seckey[IDPROOF_SECKEY_LEN]);

/* PUBKEY as 64 lower-case hex digits into OUT.  Returns OUT. */
char *idproof_pubkey_hex(const uint8_t pubkey[IDPROOF_PUBKEY_LEN],
    char out[IDPROOF_PUBKEY_HEXLEN]);

#endif
