/* v2transport.h -- the encrypted "v2" transport (after BIP324): handshake and packet cipher.
 *
 * A pure state machine over byte arrays: it never touches a socket, so a
 * unit test or a fuzzer drives it exactly as conn.c does.  One struct v2t
 * per connection and side.  The wire format is docs/PROTOCOL.md,
 * "Encrypted transport (v2)":
 *
 *   each side   key(32) garbage(0..4095) terminator(16) packets...
 *   packet      length(3, encrypted) ciphertext(1 + length) tag(16)
 *   plaintext   header(1: bit 7 = decoy) contents(length)
 *   contents    message type(1) payload  (the first packet: empty)
 *
 * X25519 ephemeral keys, HKDF-SHA256 (RFC 5869, built on libsodium's
 * HMAC-SHA256: Debian 12's libsodium 1.0.18 has no HKDF), ChaCha20 for the
 * length, ChaCha20-Poly1305 (RFC 8439) for the rest, both rekeyed every
 * V2T_REKEY_INTERVAL packets. */
#ifndef AGENTCHAIN_V2TRANSPORT_H
#define AGENTCHAIN_V2TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#include "buf.h"
#include "msg.h"

#define V2T_KEY_LEN		32
#define V2T_GARBAGE_MAX		4095
#define V2T_TERM_LEN		16
#define V2T_LEN_LEN		3
#define V2T_TAG_LEN		16
#define V2T_SESSION_ID_LEN	32
/* Packets per key: then both keys of a direction are replaced. */
#define V2T_REKEY_INTERVAL	224
/* Header bit: the packet is a decoy, its contents are dropped unread. */
#define V2T_HDR_DECOY		0x80
/* Bytes in front of a message payload in a packet being built:
 * length(3) header(1) type(1). */
#define V2T_PREFIX		(V2T_LEN_LEN + 2)
/* Wire bytes a message of LEN payload bytes takes. */
#define V2T_WIRE_LEN(len)	(V2T_PREFIX + (size_t)(len) + V2T_TAG_LEN)
/* The first bytes of every v1 frame, in every network: the magics share
 * them.  A responder takes a connection that starts so as v1, and an
 * initiator never sends a key that starts so. */
#define V2T_V1_PREFIX_LEN	3

struct v2t;

/* HKDF-SHA256 (RFC 5869): PRK = HMAC(SALT, IKM); OUT = the first OUTLEN
 * (at most 255 * 32) bytes of the expansion under INFO. */
void v2t_hkdf_extract(const uint8_t *salt, size_t saltlen, const uint8_t *ikm, size_t ikmlen,
    uint8_t prk[32]);
int v2t_hkdf_expand(const uint8_t prk[32], const uint8_t *info, size_t infolen, uint8_t *out,
    size_t outlen);

/* A side of a new connection: the INITIATOR dialled.  MAGIC (4 bytes, it
 * must outlive T) is mixed into the keys, so that networks cannot talk;
 * it never appears on the wire.  A fresh random key and 0..4095 bytes of
 * random garbage. */
struct v2t *v2t_new(bool initiator, const uint8_t *magic);
/* The same with a given private key and garbage (test vectors, fuzzing).
 * The public key's top bit, which X25519 ignores and which would
 * otherwise always be 0, is set to TOPBIT.  GARBAGE is copied; at most
 * V2T_GARBAGE_MAX bytes. */
struct v2t *v2t_new_with(bool initiator, const uint8_t *magic, const uint8_t priv[32],
    bool topbit, const uint8_t *garbage, size_t garbagelen);
/* Wipes the keys. */
void v2t_free(struct v2t *t);

/* An initiator's opening, appended to OUT: its key and garbage, to send
 * as soon as the connection is up.  (A responder answers from inside
 * v2t_input once the initiator's key is in.)  Call it once. */
void v2t_hello(struct v2t *t, struct wbuf *out);

/* Has the key exchange happened (packets can be sealed, the session id
 * is known)?  Stays true after a failure. */
bool v2t_keyed(const struct v2t *t);
/* Has the peer's first packet been read: both directions are proven? */
bool v2t_established(const struct v2t *t);
/* Has anything at all come from the peer? */
bool v2t_heard(const struct v2t *t);

/* Start a packet of message TYPE in W (V2T_PREFIX bytes); append the
 * payload after it, then v2t_seal. */
void v2t_packet_begin(struct wbuf *w, uint8_t type);
/* The packet begun at W's start: when v2t_keyed, encrypt it in place
 * and append the tag (W is then ready for the wire; returns true).
 * Before that it is kept inside T (false) and sealed into the OUT of the
 * v2t_input call that completes the key exchange.  The payload must be
 * at most MSG_MAX_PAYLOAD bytes. */
bool v2t_seal(struct v2t *t, struct wbuf *w);
/* Walk the packets kept before the key exchange (for a connection that
 * falls back to v1 and must send them in v1 frames): *CURSOR starts at 0.
 * Returns false after the last. */
bool v2t_held_next(const struct v2t *t, size_t *cursor, uint8_t *type, const uint8_t **payload,
    uint32_t *len);
/* Bytes kept so (counted against the send buffer). */
size_t v2t_held_len(const struct v2t *t);

/* Accept packets of at most MAX payload bytes (default MSG_MAX_PAYLOAD);
 * a larger encrypted length is an error before anything more is read. */
void v2t_set_max_payload(struct v2t *t, uint32_t max);

enum v2t_status {
	V2T_NEED_MORE,	/* *NEED: how many bytes of the input the next step needs */
	V2T_PROGRESS,	/* a handshake step: *CONSUMED bytes used, maybe output */
	V2T_PACKET,	/* *PKT holds a message (decoys are never reported) */
	V2T_V1,		/* a responder saw a v1 frame: nothing consumed */
	V2T_ERROR,	/* see v2t_error: the connection must end */
};

/* A message read: PAYLOAD points into the input buffer, valid until the
 * caller drains *CONSUMED bytes. */
struct v2t_packet {
	uint8_t		 type;
	const uint8_t	*payload;
	uint32_t	 len;
};

/* Take the LEN untrusted bytes at BUF (the start of what the peer sent
 * and we have not consumed yet; decrypted in place, so BUF is written).
 * Handshake bytes to send go to OUT.  Call again while it returns
 * V2T_PROGRESS or V2T_PACKET, after draining *CONSUMED. */
enum v2t_status v2t_input(struct v2t *t, uint8_t *buf, size_t len, size_t *consumed, size_t *need,
    struct wbuf *out, struct v2t_packet *pkt);

/* As v2t_input, reading from the evbuffer IN.  The caller drains
 * *CONSUMED bytes from IN after using PKT (V2T_PACKET), and nothing
 * otherwise: this does it. */
enum v2t_status v2t_read(struct v2t *t, struct evbuffer *in, struct wbuf *out,
    struct v2t_packet *pkt, size_t *consumed);

/* After V2T_ERROR: the nearest frame error (BAD_MAGIC: not our protocol
 * or network; BAD_CHECKSUM: a packet failed authentication; OVERSIZED;
 * TRUNCATED: a message packet without a type) and a sentence. */
enum msg_err v2t_error(const struct v2t *t, const char **why);

/* The session id: both sides compute the same 32 bytes; two operators who
 * compare it rule out a man in the middle.  Valid once v2t_keyed. */
const uint8_t *v2t_session_id(const struct v2t *t);
/* Our public key as sent (tests). */
const uint8_t *v2t_our_key(const struct v2t *t);

#endif
