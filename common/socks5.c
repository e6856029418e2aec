/* socks5.c -- SOCKS5 (RFC 1928) with user/password (RFC 1929): the client handshake as a state machine over bytes, and the server's parsers.
 *
 * The client collects each of the proxy's messages in a fixed buffer of
 * SOCKS5_MAX_MSG bytes.  A message's length is known from its first bytes
 * (2 for the method choice and the user/password status; 4, then 10, 22
 * or 7 + a length byte for the CONNECT reply), so the machine never asks
 * for more than the message holds and never reads past it: what follows
 * the reply is the peer's stream. */
#include "socks5.h"

#include <stdio.h>
#include <string.h>

enum {
	S_START = 0,	/* greeting not sent yet */
	S_METHOD,	/* awaiting the method choice: VER METHOD */
	S_AUTH,		/* awaiting the user/password status: VER STATUS */
	S_REPLY,	/* awaiting the CONNECT reply */
	S_DONE,
	S_FAILED,
};

int
socks5_init(struct socks5 *s, const char *host, const struct netaddr *addr, uint16_t port,
    const char *user, const char *pass, char *err, size_t errlen)
{
	size_t ul = user != NULL ? strlen(user) : 0, pl = pass != NULL ? strlen(pass) : 0;

	memset(s, 0, sizeof(*s));
	if ((user == NULL) != (pass == NULL)) {
		snprintf(err, errlen, "a proxy user name needs a password, and a password a user name");
		return -1;
	}
	if (user != NULL && (ul == 0 || ul > SOCKS5_MAX_FIELD || pl == 0 || pl > SOCKS5_MAX_FIELD)) {
		snprintf(err, errlen, "proxy user name and password must be 1 to %d bytes each",
		    SOCKS5_MAX_FIELD);
		return -1;
	}
	if (host != NULL) {
		size_t hl = strlen(host);

		if (hl == 0 || hl > SOCKS5_MAX_FIELD) {
			snprintf(err, errlen, "a host name for the proxy must be 1 to %d bytes",
			    SOCKS5_MAX_FIELD);
			return -1;
		}
		if (port == 0) {
			snprintf(err, errlen, "port 0");
			return -1;
		}
		s->by_name = true;
		s->hostlen = (uint8_t)hl;
		memcpy(s->host, host, hl);
		s->port = port;
	} else {
		if (addr == NULL || addr->port == 0) {
			snprintf(err, errlen, "no address or port to connect to");
			return -1;
		}
		s->addr = *addr;
		s->port = addr->port;
	}
	if (user != NULL) {
		s->ulen = (uint8_t)ul;
		s->plen = (uint8_t)pl;
		memcpy(s->user, user, ul);
		memcpy(s->pass, pass, pl);
	}
	s->state = S_START;
	return 0;
}

void
socks5_start(struct socks5 *s, struct wbuf *out)
{
	wbuf_u8(out, SOCKS5_VERSION);
	if (s->ulen > 0) {
		wbuf_u8(out, 2);
		wbuf_u8(out, SOCKS5_METHOD_NONE);
		wbuf_u8(out, SOCKS5_METHOD_USERPASS);
	} else {
		wbuf_u8(out, 1);
		wbuf_u8(out, SOCKS5_METHOD_NONE);
	}
	s->state = S_METHOD;
	s->have = 0;
	s->need = 2;
}

/* The IPv4 in an IPv4-mapped netaddr, or NULL for a real IPv6 one. */
static const uint8_t *
socks5_v4(const struct netaddr *a)
{
	return netaddr_is_ipv4(a) ? a->ip + 12 : NULL;
}

void
socks5_encode_request(struct wbuf *w, const struct socks5_request *r)
{
	const uint8_t *v4;

	wbuf_u8(w, SOCKS5_VERSION);
	wbuf_u8(w, r->cmd);
	wbuf_u8(w, 0);
	if (r->atyp == SOCKS5_ATYP_DOMAIN) {
		size_t n = strnlen(r->host, SOCKS5_MAX_FIELD);

		wbuf_u8(w, SOCKS5_ATYP_DOMAIN);
		wbuf_u8(w, (uint8_t)n);
		wbuf_bytes(w, r->host, n);
	} else if ((v4 = socks5_v4(&r->addr)) != NULL) {
		wbuf_u8(w, SOCKS5_ATYP_IPV4);
		wbuf_bytes(w, v4, 4);
	} else {
		wbuf_u8(w, SOCKS5_ATYP_IPV6);
		wbuf_bytes(w, r->addr.ip, 16);
	}
	wbuf_u16be(w, r->addr.port);
}

static void
socks5_send_request(struct socks5 *s, struct wbuf *out)
{
	struct socks5_request r;

	memset(&r, 0, sizeof(r));
	r.cmd = SOCKS5_CMD_CONNECT;
	if (s->by_name) {
		r.atyp = SOCKS5_ATYP_DOMAIN;
		memcpy(r.host, s->host, s->hostlen);
	} else {
		r.atyp = netaddr_is_ipv4(&s->addr) ? SOCKS5_ATYP_IPV4 : SOCKS5_ATYP_IPV6;
		r.addr = s->addr;
	}
	r.addr.port = s->port;
	socks5_encode_request(out, &r);
	s->requested = true;
	s->state = S_REPLY;
	s->have = 0;
	s->need = 4;
}

static enum socks5_status
socks5_fail(struct socks5 *s, enum socks5_error e, const char *detail)
{
	s->state = S_FAILED;
	s->error = e;
	if (detail != NULL)
		snprintf(s->detail, sizeof(s->detail), "%s", detail);
	return SOCKS5_FAILED;
}

/* A complete message sits in s->msg[0..need): act on it. */
static enum socks5_status
socks5_message(struct socks5 *s, struct wbuf *out)
{
	const uint8_t *m = s->msg;
	char d[48];

	switch (s->state) {
	case S_METHOD:
		if (m[0] != SOCKS5_VERSION) {
			snprintf(d, sizeof(d), "not a SOCKS5 proxy (version byte 0x%02x)", m[0]);
			return socks5_fail(s, SOCKS5_ERR_PROTOCOL, d);
		}
		s->greeted = true;
		if (m[1] == SOCKS5_METHOD_REFUSED)
			return socks5_fail(s, SOCKS5_ERR_NO_METHOD, NULL);
		if (m[1] == SOCKS5_METHOD_USERPASS && s->ulen > 0) {
			wbuf_u8(out, SOCKS5_AUTH_VERSION);
			wbuf_u8(out, s->ulen);
			wbuf_bytes(out, s->user, s->ulen);
			wbuf_u8(out, s->plen);
			wbuf_bytes(out, s->pass, s->plen);
			s->state = S_AUTH;
			s->have = 0;
			s->need = 2;
			return SOCKS5_MORE;
		}
		if (m[1] != SOCKS5_METHOD_NONE) {
			snprintf(d, sizeof(d), "chose method 0x%02x, which we did not offer", m[1]);
			return socks5_fail(s, SOCKS5_ERR_PROTOCOL, d);
		}
		socks5_send_request(s, out);
		return SOCKS5_MORE;
	case S_AUTH:
		if (m[0] != SOCKS5_AUTH_VERSION) {
			snprintf(d, sizeof(d), "bad user/password reply version 0x%02x", m[0]);
			return socks5_fail(s, SOCKS5_ERR_PROTOCOL, d);
		}
		if (m[1] != 0)
			return socks5_fail(s, SOCKS5_ERR_AUTH, NULL);
		socks5_send_request(s, out);
		return SOCKS5_MORE;
	case S_REPLY:
		if (s->need == 4) {
			/* The header: VER REP RSV ATYP.  A refusal is final at
			 * once; some proxies close without the address. */
			if (m[0] != SOCKS5_VERSION) {
				snprintf(d, sizeof(d), "bad reply version 0x%02x", m[0]);
				return socks5_fail(s, SOCKS5_ERR_PROTOCOL, d);
			}
			if (m[1] != SOCKS5_REP_OK) {
				s->reply = m[1];
				return socks5_fail(s, SOCKS5_ERR_REPLY, NULL);
			}
			if (m[2] != 0)
				return socks5_fail(s, SOCKS5_ERR_PROTOCOL, "reserved byte not zero");
			switch (m[3]) {
			case SOCKS5_ATYP_IPV4:
				s->need = 4 + 4 + 2;
				return SOCKS5_MORE;
			case SOCKS5_ATYP_IPV6:
				s->need = 4 + 16 + 2;
				return SOCKS5_MORE;
			case SOCKS5_ATYP_DOMAIN:
				s->need = 5;	/* the length byte first */
				return SOCKS5_MORE;
			default:
				snprintf(d, sizeof(d), "bad address type %u in the reply", m[3]);
				return socks5_fail(s, SOCKS5_ERR_PROTOCOL, d);
			}
		}
		if (s->need == 5 && m[3] == SOCKS5_ATYP_DOMAIN) {
			if (m[4] == 0)
				return socks5_fail(s, SOCKS5_ERR_PROTOCOL, "empty bound name in the reply");
			s->need = 5 + (size_t)m[4] + 2;	/* at most SOCKS5_MAX_MSG */
			return SOCKS5_MORE;
		}
		/* The bound address is the proxy's business: not used. */
		s->state = S_DONE;
		return SOCKS5_DONE;
	default:
		return socks5_fail(s, SOCKS5_ERR_PROTOCOL, "input in the wrong state");
	}
}

enum socks5_status
socks5_input(struct socks5 *s, const uint8_t *data, size_t len, size_t *used, struct wbuf *out)
{
	enum socks5_status st = SOCKS5_MORE;
	size_t pos = 0;

	*used = 0;
	if (s->state == S_DONE)
		return SOCKS5_DONE;
	if (s->state == S_FAILED)
		return SOCKS5_FAILED;
	if (s->state == S_START) {
		/* Bytes before our greeting: nobody should speak first. */
		if (len == 0)
			return SOCKS5_MORE;
		return socks5_fail(s, SOCKS5_ERR_PROTOCOL, "the proxy spoke before our greeting");
	}
	while (pos < len) {
		size_t take = s->need - s->have;

		if (take > len - pos)
			take = len - pos;
		/* need never exceeds the buffer: 2, 4, 5, 10, 22, <= 262. */
		memcpy(s->msg + s->have, data + pos, take);
		s->have += take;
		pos += take;
		if (s->have < s->need)
			break;
		st = socks5_message(s, out);
		if (st != SOCKS5_MORE)
			break;
	}
	*used = pos;
	return st;
}

const char *
socks5_rep_str(uint8_t rep)
{
	static const char *const names[] = {
		[SOCKS5_REP_OK] = "succeeded",
		[SOCKS5_REP_FAILURE] = "general SOCKS server failure",
		[SOCKS5_REP_NOT_ALLOWED] = "connection not allowed by ruleset",
		[SOCKS5_REP_NET_UNREACH] = "network unreachable",
		[SOCKS5_REP_HOST_UNREACH] = "host unreachable",
		[SOCKS5_REP_REFUSED] = "connection refused",
		[SOCKS5_REP_TTL_EXPIRED] = "TTL expired",
		[SOCKS5_REP_CMD_UNSUPPORTED] = "command not supported",
		[SOCKS5_REP_ATYP_UNSUPPORTED] = "address type not supported",
	};
	/* Tor's extended errors (torspec socks-extensions). */
	static const char *const tor[] = {
		"onion service descriptor not found",
		"onion service descriptor invalid",
		"onion service introduction failed",
		"onion service rendezvous failed",
		"onion service client authorization missing",
		"onion service client authorization wrong",
		"invalid onion service address",
		"onion service introduction timed out",
	};

	if (rep < sizeof(names) / sizeof(names[0]))
		return names[rep];
	if (rep >= 0xf0 && rep <= 0xf7)
		return tor[rep - 0xf0];
	return "unassigned reply code";
}

char *
socks5_strerror(const struct socks5 *s, char *buf, size_t len)
{
	switch (s->error) {
	case SOCKS5_ERR_NONE:
		snprintf(buf, len, "no error");
		break;
	case SOCKS5_ERR_PROTOCOL:
		snprintf(buf, len, "bad SOCKS5 reply: %s", s->detail);
		break;
	case SOCKS5_ERR_NO_METHOD:
		snprintf(buf, len, "the proxy accepts none of our methods (%s)",
		    s->ulen > 0 ? "none, user/password" : "none; it may want a user name and password");
		break;
	case SOCKS5_ERR_AUTH:
		snprintf(buf, len, "the proxy refused our user name and password");
		break;
	case SOCKS5_ERR_REPLY:
		snprintf(buf, len, "%s (SOCKS5 reply %u)", socks5_rep_str(s->reply), s->reply);
		break;
	}
	return buf;
}

int
socks5_parse_proxy(const char *s, struct netaddr *out)
{
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	if (netaddr_split_hostport(s, SOCKS5_DEFAULT_PORT, host, &port) == -1)
		return -1;
	if (strcmp(host, "localhost") == 0) {
		netaddr_from_ipv4(out, 0x7f000001, port);
		return 0;
	}
	/* Numeric only: resolving the proxy's own name would need the DNS
	 * we are routing around (Bitcoin Core: -proxy=<ip:port>).  HOST has
	 * no brackets and no port left, so PORT is the one to use. */
	return netaddr_parse(host, port, out);
}

/* --- the server side ------------------------------------------------------ */

enum socks5_status
socks5_parse_greeting(const uint8_t *p, size_t len, size_t *used, bool *none, bool *userpass)
{
	size_t n;

	*used = 0;
	if (len >= 1 && p[0] != SOCKS5_VERSION)
		return SOCKS5_FAILED;
	if (len < 2)
		return SOCKS5_MORE;
	n = p[1];
	if (n == 0)
		return SOCKS5_FAILED;
	if (len < 2 + n)
		return SOCKS5_MORE;
	*none = *userpass = false;
	for (size_t i = 0; i < n; i++) {
		if (p[2 + i] == SOCKS5_METHOD_NONE)
			*none = true;
		else if (p[2 + i] == SOCKS5_METHOD_USERPASS)
			*userpass = true;
	}
	*used = 2 + n;
	return SOCKS5_DONE;
}

enum socks5_status
socks5_parse_auth(const uint8_t *p, size_t len, size_t *used, char user[SOCKS5_MAX_FIELD + 1],
    char pass[SOCKS5_MAX_FIELD + 1])
{
	struct rbuf r;
	uint8_t ver, ul, pl;
	const uint8_t *u, *pw;

	*used = 0;
	rbuf_init(&r, p, len);
	if (!rbuf_u8(&r, &ver))
		return SOCKS5_MORE;
	if (ver != SOCKS5_AUTH_VERSION)
		return SOCKS5_FAILED;
	if (!rbuf_u8(&r, &ul))
		return SOCKS5_MORE;
	if (ul == 0)
		return SOCKS5_FAILED;
	if ((u = rbuf_peek(&r, ul)) == NULL)
		return SOCKS5_MORE;
	rbuf_skip(&r, ul);
	if (!rbuf_u8(&r, &pl))
		return SOCKS5_MORE;
	if ((pw = rbuf_peek(&r, pl)) == NULL)
		return SOCKS5_MORE;
	rbuf_skip(&r, pl);
	if (memchr(u, '\0', ul) != NULL || (pl > 0 && memchr(pw, '\0', pl) != NULL))
		return SOCKS5_FAILED;
	memcpy(user, u, ul);
	user[ul] = '\0';
	if (pl > 0)
		memcpy(pass, pw, pl);
	pass[pl] = '\0';
	*used = r.pos;
	return SOCKS5_DONE;
}

enum socks5_status
socks5_parse_request(const uint8_t *p, size_t len, size_t *used, struct socks5_request *req,
    uint8_t *rep)
{
	struct rbuf r;
	uint8_t ver, rsv, n;
	const uint8_t *h;
	uint16_t port;

	*used = 0;
	*rep = SOCKS5_REP_FAILURE;
	memset(req, 0, sizeof(*req));
	rbuf_init(&r, p, len);
	if (!rbuf_u8(&r, &ver))
		return SOCKS5_MORE;
	if (ver != SOCKS5_VERSION)
		return SOCKS5_FAILED;
	if (!rbuf_u8(&r, &req->cmd) || !rbuf_u8(&r, &rsv) || !rbuf_u8(&r, &req->atyp))
		return SOCKS5_MORE;
	if (rsv != 0)
		return SOCKS5_FAILED;
	switch (req->atyp) {
	case SOCKS5_ATYP_IPV4:
		if ((h = rbuf_peek(&r, 4)) == NULL)
			return SOCKS5_MORE;
		netaddr_from_ipv4(&req->addr, (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
		    (uint32_t)h[2] << 8 | h[3], 0);
		rbuf_skip(&r, 4);
		break;
	case SOCKS5_ATYP_IPV6:
		if (!rbuf_bytes(&r, req->addr.ip, 16))
			return SOCKS5_MORE;
		break;
	case SOCKS5_ATYP_DOMAIN:
		if (!rbuf_u8(&r, &n))
			return SOCKS5_MORE;
		if (n == 0)
			return SOCKS5_FAILED;
		if ((h = rbuf_peek(&r, n)) == NULL)
			return SOCKS5_MORE;
		if (memchr(h, '\0', n) != NULL)
			return SOCKS5_FAILED;
		memcpy(req->host, h, n);
		req->host[n] = '\0';
		rbuf_skip(&r, n);
		break;
	default:
		*rep = SOCKS5_REP_ATYP_UNSUPPORTED;
		return SOCKS5_FAILED;
	}
	if (!rbuf_u16be(&r, &port))
		return SOCKS5_MORE;
	req->addr.port = port;
	*used = r.pos;
	return SOCKS5_DONE;
}

void
socks5_encode_reply(struct wbuf *w, uint8_t rep, const struct netaddr *bnd)
{
	const uint8_t *v4;

	wbuf_u8(w, SOCKS5_VERSION);
	wbuf_u8(w, rep);
	wbuf_u8(w, 0);
	if (bnd == NULL) {
		static const uint8_t zero[4];

		wbuf_u8(w, SOCKS5_ATYP_IPV4);
		wbuf_bytes(w, zero, 4);
		wbuf_u16be(w, 0);
		return;
	}
	if ((v4 = socks5_v4(bnd)) != NULL) {
		wbuf_u8(w, SOCKS5_ATYP_IPV4);
		wbuf_bytes(w, v4, 4);
	} else {
		wbuf_u8(w, SOCKS5_ATYP_IPV6);
		wbuf_bytes(w, bnd->ip, 16);
	}
	wbuf_u16be(w, bnd->port);
}
