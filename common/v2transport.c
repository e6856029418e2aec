/* v2transport.c -- the encrypted "v2" transport: key exchange, key schedule, packet cipher.
 *
 * Everything the peer sends is untrusted: its key may be a low-order
 * point (refused: the shared secret would be known to all), its garbage
 * may never end (refused after V2T_GARBAGE_MAX bytes), an encrypted length
 * may decrypt to anything (judged before the packet is waited for, so no
 * peer can make us buffer more than one packet of the size we allow), and
 * a packet is used only after its tag was verified.  Once anything fails
 * the state is FAILED for good: the connection ends.
 *
 * Keys are overwritten, never kept: each direction's two keys are
 * replaced by their own keystream every V2T_REKEY_INTERVAL packets
 * (BIP324's forward secrecy within a session). */
#include "v2transport.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "rnd.h"
#include "xmalloc.h"

enum v2t_state {
	V2T_ST_DETECT,		/* responder: v1 or v2? */
	V2T_ST_KEY,		/* waiting for the peer's key */
	V2T_ST_GARBAGE,		/* looking for the peer's terminator */
	V2T_ST_PACKETS,
	V2T_ST_FAILED,
};

/* One direction's cipher state. */
struct v2t_dir {
	uint8_t		lkey[32];	/* length: ChaCha20 */
	uint8_t		pkey[32];	/* packet: ChaCha20-Poly1305 */
	uint32_t	n;		/* packets since the last rekey */
	uint64_t	epoch;		/* rekeys so far */
};

struct v2t {
	const uint8_t	*magic;
	bool		 initiator;
	enum v2t_state	 state;
	uint8_t		 priv[32];
	uint8_t		 our_key[V2T_KEY_LEN];
	uint8_t		 their_key[V2T_KEY_LEN];
	uint8_t		 send_term[V2T_TERM_LEN];
	uint8_t		 recv_term[V2T_TERM_LEN];
	uint8_t		 session_id[V2T_SESSION_ID_LEN];
	struct v2t_dir	 tx, rx;
	bool		 keyed;		/* keys derived: can send */
	bool		 established;	/* the peer's first packet read */
	bool		 heard;
	/* Our garbage until our first packet is sealed over it; the peer's
	 * until its first packet is read. */
	uint8_t		*tx_garbage, *rx_garbage;
	size_t		 tx_garbage_len, rx_garbage_len;
	/* The packet being read: its length, once decrypted. */
	bool		 rx_len_known;
	uint32_t	 rx_len;
	uint32_t	 max_payload;
	/* Packets sealed before the key exchange: [u32 len][packet]... */
	struct wbuf	 held;
	enum msg_err	 err;
	const char	*why;
};

static const char V2T_SALT[] = "agentchain_v2_shared_secret";

/* --- HKDF-SHA256 (RFC 5869) ------------------------------------------------ */

void
v2t_hkdf_extract(const uint8_t *salt, size_t saltlen, const uint8_t *ikm, size_t ikmlen,
    uint8_t prk[32])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, salt, saltlen);
	crypto_auth_hmacsha256_update(&st, ikm, ikmlen);
	crypto_auth_hmacsha256_final(&st, prk);
	sodium_memzero(&st, sizeof(st));
}

int
v2t_hkdf_expand(const uint8_t prk[32], const uint8_t *info, size_t infolen, uint8_t *out,
    size_t outlen)
{
	crypto_auth_hmacsha256_state st;
	uint8_t t[32];
	size_t done = 0;

	if (outlen > 255 * 32)
		return -1;
	/* T(i) = HMAC(PRK, T(i-1) | info | i), T(0) empty. */
	for (uint8_t i = 1; done < outlen; i++) {
		size_t n = outlen - done < 32 ? outlen - done : 32;

		crypto_auth_hmacsha256_init(&st, prk, 32);
		if (i > 1)
			crypto_auth_hmacsha256_update(&st, t, 32);
		crypto_auth_hmacsha256_update(&st, info, infolen);
		crypto_auth_hmacsha256_update(&st, &i, 1);
		crypto_auth_hmacsha256_final(&st, t);
		memcpy(out + done, t, n);
		done += n;
	}
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(t, sizeof(t));
	return 0;
}

/* --- the packet cipher ------------------------------------------------------ */

static void
v2t_nonce(uint8_t nonce[12], uint32_t n, uint64_t epoch)
{
	for (int i = 0; i < 4; i++)
		nonce[i] = (uint8_t)(n >> (8 * i));
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(epoch >> (8 * i));
}

/* XOR the 3 length bytes at P with this packet's length keystream. */
static void
v2t_len_xor(const struct v2t_dir *d, uint8_t *p)
{
	uint8_t nonce[12];

	v2t_nonce(nonce, d->n, d->epoch);
	crypto_stream_chacha20_ietf_xor(p, p, V2T_LEN_LEN, nonce, d->lkey);
}

/* One packet done in direction D: every V2T_REKEY_INTERVAL packets each
 * key becomes the first 32 bytes of its own keystream under a nonce no
 * packet uses (n = 0xffffffff). */
static void
v2t_advance(struct v2t_dir *d)
{
	uint8_t nonce[12];

	if (++d->n < V2T_REKEY_INTERVAL)
		return;
	v2t_nonce(nonce, 0xffffffffu, d->epoch);
	crypto_stream_chacha20_ietf(d->lkey, sizeof(d->lkey), nonce, d->lkey);
	crypto_stream_chacha20_ietf(d->pkey, sizeof(d->pkey), nonce, d->pkey);
	d->n = 0;
	d->epoch++;
}

/* Encrypt the packet that fills W (prefix, contents), append its tag.
 * AAD: the encrypted length, and GARBAGE for a side's first packet. */
static void
v2t_seal_now(struct v2t *t, struct wbuf *w, const uint8_t *garbage, size_t glen)
{
	uint32_t len = (uint32_t)(w->len - V2T_LEN_LEN - 1);
	uint8_t nonce[12], aad[V2T_LEN_LEN + V2T_GARBAGE_MAX];
	unsigned long long taglen;

	w->data[0] = (uint8_t)len;
	w->data[1] = (uint8_t)(len >> 8);
	w->data[2] = (uint8_t)(len >> 16);
	v2t_len_xor(&t->tx, w->data);
	memcpy(aad, w->data, V2T_LEN_LEN);
	if (glen > 0)
		memcpy(aad + V2T_LEN_LEN, garbage, glen);
	v2t_nonce(nonce, t->tx.n, t->tx.epoch);
	wbuf_reserve(w, V2T_TAG_LEN);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(w->data + V2T_LEN_LEN,
	    w->data + w->len, &taglen, w->data + V2T_LEN_LEN, w->len - V2T_LEN_LEN,
	    aad, V2T_LEN_LEN + glen, NULL, nonce, t->tx.pkey);
	w->len += V2T_TAG_LEN;
	v2t_advance(&t->tx);
}

void
v2t_packet_begin(struct wbuf *w, uint8_t type)
{
	static const uint8_t zero[V2T_LEN_LEN + 1];

	wbuf_bytes(w, zero, sizeof(zero));
	wbuf_u8(w, type);
}

/* --- keys ------------------------------------------------------------------- */

static void
v2t_set_key(struct v2t *t, bool topbit)
{
	crypto_scalarmult_curve25519_base(t->our_key, t->priv);
	/* X25519 ignores the top bit; a random one hides that it is 0. */
	if (topbit)
		t->our_key[31] |= 0x80;
}

static struct v2t *
v2t_alloc(bool initiator, const uint8_t *magic)
{
	struct v2t *t = xcalloc(1, sizeof(*t));

	t->magic = magic;
	t->initiator = initiator;
	t->state = initiator ? V2T_ST_KEY : V2T_ST_DETECT;
	t->max_payload = MSG_MAX_PAYLOAD;
	t->tx_garbage = xmalloc(V2T_GARBAGE_MAX);
	t->rx_garbage = xmalloc(V2T_GARBAGE_MAX);
	wbuf_init(&t->held);
	return t;
}

struct v2t *
v2t_new(bool initiator, const uint8_t *magic)
{
	struct v2t *t = v2t_alloc(initiator, magic);
	uint8_t coin;

	/* An initiator's key must not look like a v1 frame to the
	 * responder (a chance of 2^-24). */
	do {
		rnd_bytes(t->priv, sizeof(t->priv));
		rnd_bytes(&coin, 1);
		v2t_set_key(t, coin & 1);
	} while (initiator && memcmp(t->our_key, magic, V2T_V1_PREFIX_LEN) == 0);
	t->tx_garbage_len = rnd_uniform(V2T_GARBAGE_MAX + 1);
	rnd_bytes(t->tx_garbage, t->tx_garbage_len);
	return t;
}

struct v2t *
v2t_new_with(bool initiator, const uint8_t *magic, const uint8_t priv[32], bool topbit,
    const uint8_t *garbage, size_t garbagelen)
{
	struct v2t *t = v2t_alloc(initiator, magic);

	memcpy(t->priv, priv, sizeof(t->priv));
	v2t_set_key(t, topbit);
	if (garbagelen > V2T_GARBAGE_MAX)
		garbagelen = V2T_GARBAGE_MAX;
	if (garbagelen > 0)
		memcpy(t->tx_garbage, garbage, garbagelen);
	t->tx_garbage_len = garbagelen;
	return t;
}

void
v2t_free(struct v2t *t)
{
	if (t == NULL)
		return;
	free(t->tx_garbage);
	free(t->rx_garbage);
	wbuf_free(&t->held);
	sodium_memzero(t, sizeof(*t));
	free(t);
}

static enum v2t_status
v2t_fail(struct v2t *t, enum msg_err err, const char *why)
{
	t->state = V2T_ST_FAILED;
	t->err = err;
	t->why = why;
	return V2T_ERROR;
}

/* The peer's key is in: derive every key (docs/PROTOCOL.md, "Keys"). */
static int
v2t_derive(struct v2t *t)
{
	uint8_t theirs[32], ikm[96], prk[32], terms[2 * V2T_TERM_LEN];
	uint8_t salt[sizeof(V2T_SALT) - 1 + 4];
	const uint8_t *ki = t->initiator ? t->our_key : t->their_key;
	const uint8_t *kr = t->initiator ? t->their_key : t->our_key;
	struct v2t_dir *di = t->initiator ? &t->tx : &t->rx;
	struct v2t_dir *dr = t->initiator ? &t->rx : &t->tx;
	int rc = 0;

	memcpy(theirs, t->their_key, 32);
	theirs[31] &= 0x7f;
	/* Fails for a low-order point: every shared secret would be 0. */
	if (crypto_scalarmult_curve25519(ikm, t->priv, theirs) != 0) {
		rc = -1;
		goto out;
	}
	memcpy(ikm + 32, ki, 32);
	memcpy(ikm + 64, kr, 32);
	memcpy(salt, V2T_SALT, sizeof(V2T_SALT) - 1);
	memcpy(salt + sizeof(V2T_SALT) - 1, t->magic, 4);
	v2t_hkdf_extract(salt, sizeof(salt), ikm, sizeof(ikm), prk);
#define EXPAND(label, out) v2t_hkdf_expand(prk, (const uint8_t *)(label), \
	sizeof(label) - 1, (out), sizeof(out))
	EXPAND("initiator_L", di->lkey);
	EXPAND("initiator_P", di->pkey);
	EXPAND("responder_L", dr->lkey);
	EXPAND("responder_P", dr->pkey);
	EXPAND("garbage_terminators", terms);
	EXPAND("session_id", t->session_id);
#undef EXPAND
	memcpy(t->send_term, terms + (t->initiator ? 0 : V2T_TERM_LEN), V2T_TERM_LEN);
	memcpy(t->recv_term, terms + (t->initiator ? V2T_TERM_LEN : 0), V2T_TERM_LEN);
	t->keyed = true;
out:
	sodium_memzero(ikm, sizeof(ikm));
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t->priv, sizeof(t->priv));
	return rc;
}

/* Keys are there: our terminator, our first packet (empty, over our
 * garbage), and whatever was sealed before now. */
static void
v2t_send_opening(struct v2t *t, struct wbuf *out)
{
	struct wbuf w;
	struct rbuf r;
	uint32_t n;

	wbuf_bytes(out, t->send_term, V2T_TERM_LEN);
	wbuf_init(&w);
	wbuf_reserve(&w, V2T_LEN_LEN + 1);
	memset(w.data, 0, V2T_LEN_LEN + 1);
	w.len = V2T_LEN_LEN + 1;
	v2t_seal_now(t, &w, t->tx_garbage, t->tx_garbage_len);
	wbuf_bytes(out, w.data, w.len);
	free(t->tx_garbage);
	t->tx_garbage = NULL;
	rbuf_init(&r, t->held.data, t->held.len);
	while (rbuf_u32le(&r, &n)) {
		w.len = 0;
		wbuf_bytes(&w, rbuf_peek(&r, n), n);
		rbuf_skip(&r, n);
		v2t_seal_now(t, &w, NULL, 0);
		wbuf_bytes(out, w.data, w.len);
	}
	wbuf_free(&w);
	wbuf_free(&t->held);
	wbuf_init(&t->held);
}

void
v2t_hello(struct v2t *t, struct wbuf *out)
{
	wbuf_bytes(out, t->our_key, V2T_KEY_LEN);
	wbuf_bytes(out, t->tx_garbage, t->tx_garbage_len);
}

bool
v2t_keyed(const struct v2t *t)
{
	return t->keyed;
}

bool
v2t_established(const struct v2t *t)
{
	return t->established;
}

bool
v2t_heard(const struct v2t *t)
{
	return t->heard;
}

bool
v2t_seal(struct v2t *t, struct wbuf *w)
{
	if (t->keyed) {
		v2t_seal_now(t, w, NULL, 0);
		return true;
	}
	wbuf_u32le(&t->held, (uint32_t)w->len);
	wbuf_bytes(&t->held, w->data, w->len);
	return false;
}

bool
v2t_held_next(const struct v2t *t, size_t *cursor, uint8_t *type, const uint8_t **payload,
    uint32_t *len)
{
	struct rbuf r;
	uint32_t n;

	if (*cursor >= t->held.len)
		return false;
	rbuf_init(&r, t->held.data + *cursor, t->held.len - *cursor);
	rbuf_u32le(&r, &n);
	*type = t->held.data[*cursor + 4 + V2T_PREFIX - 1];
	*payload = t->held.data + *cursor + 4 + V2T_PREFIX;
	*len = n - V2T_PREFIX;
	*cursor += 4 + (size_t)n;
	return true;
}

size_t
v2t_held_len(const struct v2t *t)
{
	return t->held.len;
}

void
v2t_set_max_payload(struct v2t *t, uint32_t max)
{
	t->max_payload = max < MSG_MAX_PAYLOAD ? max : MSG_MAX_PAYLOAD;
}

/* --- reading ----------------------------------------------------------------- */

static enum v2t_status
v2t_in_detect(struct v2t *t, const uint8_t *buf, size_t len, size_t *need)
{
	if (len < V2T_V1_PREFIX_LEN) {
		*need = V2T_V1_PREFIX_LEN;
		return V2T_NEED_MORE;
	}
	if (memcmp(buf, t->magic, V2T_V1_PREFIX_LEN) == 0)
		return V2T_V1;
	t->state = V2T_ST_KEY;
	return V2T_PROGRESS;
}

static enum v2t_status
v2t_in_key(struct v2t *t, const uint8_t *buf, size_t len, size_t *consumed, size_t *need,
    struct wbuf *out)
{
	if (len < V2T_KEY_LEN) {
		*need = V2T_KEY_LEN;
		return V2T_NEED_MORE;
	}
	memcpy(t->their_key, buf, V2T_KEY_LEN);
	*consumed = V2T_KEY_LEN;
	if (v2t_derive(t) == -1)
		return v2t_fail(t, MSG_ERR_BAD_MAGIC, "v2: the peer's key is a low-order point");
	if (!t->initiator)
		v2t_hello(t, out);
	v2t_send_opening(t, out);
	t->state = V2T_ST_GARBAGE;
	return V2T_PROGRESS;
}

/* The peer's garbage, up to its terminator.  Bytes that cannot start the
 * terminator are garbage for sure and kept (for the first packet's AAD),
 * so the search never looks at a byte twice more than 16 times. */
static enum v2t_status
v2t_in_garbage(struct v2t *t, const uint8_t *buf, size_t len, size_t *consumed, size_t *need)
{
	size_t i, keep;

	if (len < V2T_TERM_LEN) {
		*need = V2T_TERM_LEN;
		return V2T_NEED_MORE;
	}
	for (i = 0; i + V2T_TERM_LEN <= len; i++)
		if (memcmp(buf + i, t->recv_term, V2T_TERM_LEN) == 0)
			break;
	keep = i + V2T_TERM_LEN <= len ? i : len - (V2T_TERM_LEN - 1);
	if (t->rx_garbage_len + keep > V2T_GARBAGE_MAX)
		return v2t_fail(t, MSG_ERR_BAD_MAGIC,
		    "v2: no garbage terminator (not our protocol or network)");
	memcpy(t->rx_garbage + t->rx_garbage_len, buf, keep);
	t->rx_garbage_len += keep;
	if (i + V2T_TERM_LEN <= len) {
		*consumed = i + V2T_TERM_LEN;
		t->state = V2T_ST_PACKETS;
		return V2T_PROGRESS;
	}
	*consumed = keep;
	if (keep == 0) {
		*need = len + 1;
		return V2T_NEED_MORE;
	}
	return V2T_PROGRESS;
}

static enum v2t_status
v2t_in_packet(struct v2t *t, uint8_t *buf, size_t len, size_t *consumed, size_t *need,
    struct v2t_packet *pkt)
{
	uint8_t nonce[12], aad[V2T_LEN_LEN + V2T_GARBAGE_MAX], lenb[V2T_LEN_LEN];
	size_t total, aadlen = V2T_LEN_LEN;
	uint8_t *plain;

	if (len < V2T_LEN_LEN) {
		*need = V2T_LEN_LEN;
		return V2T_NEED_MORE;
	}
	if (!t->rx_len_known) {
		memcpy(lenb, buf, V2T_LEN_LEN);
		v2t_len_xor(&t->rx, lenb);
		t->rx_len = (uint32_t)lenb[0] | (uint32_t)lenb[1] << 8 | (uint32_t)lenb[2] << 16;
		t->rx_len_known = true;
		/* Judged now, before a byte more is waited for. */
		if (t->rx_len > t->max_payload + 1u)
			return v2t_fail(t, MSG_ERR_OVERSIZED, "v2: packet length over the limit");
	}
	total = V2T_LEN_LEN + 1 + (size_t)t->rx_len + V2T_TAG_LEN;
	if (len < total) {
		*need = total;
		return V2T_NEED_MORE;
	}
	memcpy(aad, buf, V2T_LEN_LEN);
	if (t->rx_garbage != NULL) {
		memcpy(aad + V2T_LEN_LEN, t->rx_garbage, t->rx_garbage_len);
		aadlen += t->rx_garbage_len;
	}
	plain = buf + V2T_LEN_LEN;
	v2t_nonce(nonce, t->rx.n, t->rx.epoch);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(plain, NULL, plain,
	    1 + (size_t)t->rx_len, buf + total - V2T_TAG_LEN, aad, aadlen, nonce, t->rx.pkey) != 0)
		return v2t_fail(t, MSG_ERR_BAD_CHECKSUM, "v2: a packet failed authentication");
	v2t_advance(&t->rx);
	t->rx_len_known = false;
	free(t->rx_garbage);
	t->rx_garbage = NULL;
	*consumed = total;
	if (plain[0] & V2T_HDR_DECOY)
		return V2T_PROGRESS;
	if (!t->established) {
		/* The first real packet: its contents are for later versions. */
		t->established = true;
		return V2T_PROGRESS;
	}
	if (t->rx_len == 0)
		return v2t_fail(t, MSG_ERR_TRUNCATED, "v2: a message packet without a type");
	pkt->type = plain[1];
	pkt->payload = plain + 2;
	pkt->len = t->rx_len - 1;
	return V2T_PACKET;
}

enum v2t_status
v2t_input(struct v2t *t, uint8_t *buf, size_t len, size_t *consumed, size_t *need,
    struct wbuf *out, struct v2t_packet *pkt)
{
	*consumed = 0;
	*need = 0;
	if (len > 0)
		t->heard = true;
	switch (t->state) {
	case V2T_ST_DETECT:
		return v2t_in_detect(t, buf, len, need);
	case V2T_ST_KEY:
		return v2t_in_key(t, buf, len, consumed, need, out);
	case V2T_ST_GARBAGE:
		return v2t_in_garbage(t, buf, len, consumed, need);
	case V2T_ST_PACKETS:
		return v2t_in_packet(t, buf, len, consumed, need, pkt);
	case V2T_ST_FAILED:
		break;
	}
	return V2T_ERROR;
}

/* Bytes the next step can use at most. */
static size_t
v2t_want(const struct v2t *t)
{
	switch (t->state) {
	case V2T_ST_DETECT:
		return V2T_V1_PREFIX_LEN;
	case V2T_ST_KEY:
		return V2T_KEY_LEN;
	case V2T_ST_GARBAGE:
		return V2T_GARBAGE_MAX + V2T_TERM_LEN;
	case V2T_ST_PACKETS:
		return t->rx_len_known ?
		    V2T_LEN_LEN + 1 + (size_t)t->rx_len + V2T_TAG_LEN : V2T_LEN_LEN;
	case V2T_ST_FAILED:
		break;
	}
	return 1;
}

enum v2t_status
v2t_read(struct v2t *t, struct evbuffer *in, struct wbuf *out, struct v2t_packet *pkt,
    size_t *consumed)
{
	size_t avail = evbuffer_get_length(in), want = v2t_want(t), n, need;
	enum v2t_status st;
	uint8_t *p;

	*consumed = 0;
	if (t->state == V2T_ST_FAILED)
		return V2T_ERROR;
	n = avail < want ? avail : want;
	if (n == 0)
		return V2T_NEED_MORE;
	/* Contiguous view; libevent fails only when out of memory, which we
	 * treat as xmalloc does. */
	if ((p = evbuffer_pullup(in, (ev_ssize_t)n)) == NULL)
		abort();
	st = v2t_input(t, p, n, consumed, &need, out, pkt);
	if (st == V2T_NEED_MORE && need > n && avail >= need) {
		n = need;
		if ((p = evbuffer_pullup(in, (ev_ssize_t)n)) == NULL)
			abort();
		st = v2t_input(t, p, n, consumed, &need, out, pkt);
	}
	if (st != V2T_PACKET && *consumed > 0)
		evbuffer_drain(in, *consumed);
	return st;
}

enum msg_err
v2t_error(const struct v2t *t, const char **why)
{
	if (why != NULL)
		*why = t->why != NULL ? t->why : "v2: no error";
	return t->err;
}

const uint8_t *
v2t_session_id(const struct v2t *t)
{
	return t->session_id;
}

const uint8_t *
v2t_our_key(const struct v2t *t)
{
	return t->our_key;
}
