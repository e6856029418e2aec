/* socks5.h -- SOCKS5 (RFC 1928) with user/password (RFC 1929): the client handshake as a state machine over bytes, and the server's parsers.
 *
 * Nothing here touches a socket.  The client machine is fed whatever the
 * proxy sent and says what to send back; common/conn runs it on a
 * connection.  Every reply is parsed as hostile: lengths are bounded
 * before they are used, and a reply is consumed only up to its own end,
 * so bytes the proxy relays from the peer right behind it stay with the
 * caller.  The server side (greeting, user/password and request parsers,
 * the reply encoder) is what tests/tools/wanproxy and the tests' fake
 * proxies use. */
#ifndef AGENTCHAIN_SOCKS5_H
#define AGENTCHAIN_SOCKS5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "netaddr.h"

#define SOCKS5_VERSION		5
#define SOCKS5_AUTH_VERSION	1	/* RFC 1929's sub-negotiation */
#define SOCKS5_METHOD_NONE	0x00
#define SOCKS5_METHOD_USERPASS	0x02
#define SOCKS5_METHOD_REFUSED	0xff
#define SOCKS5_CMD_CONNECT	1
#define SOCKS5_ATYP_IPV4	1
#define SOCKS5_ATYP_DOMAIN	3
#define SOCKS5_ATYP_IPV6	4
/* User names, passwords and domain names: 1..255 bytes (one length byte). */
#define SOCKS5_MAX_FIELD	255
/* The longest message either side parses: a reply or request naming a
 * 255-byte domain (4 + 1 + 255 + 2). */
#define SOCKS5_MAX_MSG		262
/* Tor's port, the default when --proxy names none. */
#define SOCKS5_DEFAULT_PORT	9050

/* RFC 1928 reply codes; Tor adds 0xf0..0xf7 for onion services. */
enum socks5_rep {
	SOCKS5_REP_OK = 0,
	SOCKS5_REP_FAILURE = 1,
	SOCKS5_REP_NOT_ALLOWED = 2,
	SOCKS5_REP_NET_UNREACH = 3,
	SOCKS5_REP_HOST_UNREACH = 4,
	SOCKS5_REP_REFUSED = 5,
	SOCKS5_REP_TTL_EXPIRED = 6,
	SOCKS5_REP_CMD_UNSUPPORTED = 7,
	SOCKS5_REP_ATYP_UNSUPPORTED = 8,
};

enum socks5_status {
	SOCKS5_MORE = 0,	/* give me more bytes */
	SOCKS5_DONE,		/* finished; unconsumed bytes belong to the caller */
	SOCKS5_FAILED,		/* see socks5.error (client) or the caller's reply code (server) */
};

/* Why a client handshake failed. */
enum socks5_error {
	SOCKS5_ERR_NONE = 0,
	SOCKS5_ERR_PROTOCOL,	/* the proxy's bytes are not SOCKS5 */
	SOCKS5_ERR_NO_METHOD,	/* it accepts none of the methods we offered */
	SOCKS5_ERR_AUTH,	/* it refused our user name and password */
	SOCKS5_ERR_REPLY,	/* it refused the CONNECT: see reply */
};

/* One client handshake.  Plain data: copy-free, no allocation, nothing
 * to free.  Fields are private to socks5.c but for the results below. */
struct socks5 {
	int		 state;
	/* the target: a name (ATYP 3) or an address (ATYP 1 or 4) */
	bool		 by_name;
	uint8_t		 hostlen;
	char		 host[SOCKS5_MAX_FIELD + 1];
	struct netaddr	 addr;
	uint16_t	 port;
	/* credentials, when ulen > 0 */
	uint8_t		 ulen, plen;
	char		 user[SOCKS5_MAX_FIELD + 1];
	char		 pass[SOCKS5_MAX_FIELD + 1];
	/* the message being received */
	uint8_t		 msg[SOCKS5_MAX_MSG];
	size_t		 have, need;

	/* Results. */
	enum socks5_error error;
	uint8_t		 reply;		/* the proxy's reply code (with SOCKS5_ERR_REPLY) */
	char		 detail[48];	/* what was wrong (with SOCKS5_ERR_PROTOCOL) */
	bool		 greeted;	/* the proxy answered our greeting (it speaks SOCKS5) */
	bool		 requested;	/* the CONNECT request went out */
};

/* Set S up to CONNECT to HOST:PORT by name when HOST is not NULL (1..255
 * bytes), else to ADDR (its port included), with USER and PASS (both
 * NULL, or both 1..255 bytes) offered for RFC 1929.  Nothing is copied
 * by reference.  Returns 0, or -1 with the reason in ERR. */
int socks5_init(struct socks5 *s, const char *host, const struct netaddr *addr, uint16_t port,
    const char *user, const char *pass, char *err, size_t errlen);

/* Append the greeting (the first bytes to send) to OUT. */
void socks5_start(struct socks5 *s, struct wbuf *out);

/* Feed LEN bytes the proxy sent.  Consumes at most up to the end of the
 * handshake (*USED says how many) and appends what to send next to OUT.
 * Returns SOCKS5_MORE (everything was consumed), SOCKS5_DONE (the CONNECT
 * succeeded: bytes after *USED are the peer's) or SOCKS5_FAILED (see
 * S->error; feed no more).  Any split of the same bytes gives the same
 * result. */
enum socks5_status socks5_input(struct socks5 *s, const uint8_t *data, size_t len, size_t *used,
    struct wbuf *out);

/* "connection refused", "host unreachable", ... for a reply code. */
const char *socks5_rep_str(uint8_t rep);

/* Why S failed, in words for a log line or an RPC reason, e.g.
 * "connection refused (SOCKS5 reply 5)".  Returns BUF. */
char *socks5_strerror(const struct socks5 *s, char *buf, size_t len);

/* Parse a --proxy / network.proxy value: a numeric address or
 * "localhost" (127.0.0.1), with an optional port (default 9050).
 * Returns 0, or -1 (OUT untouched). */
int socks5_parse_proxy(const char *s, struct netaddr *out);

/* --- the server side ------------------------------------------------------ */

/* What a client asks for. */
struct socks5_request {
	uint8_t		 cmd;
	uint8_t		 atyp;
	struct netaddr	 addr;		/* ATYP 1 and 4; port set for all three */
	char		 host[SOCKS5_MAX_FIELD + 1];	/* ATYP 3, NUL-terminated */
};

/* Each parser reads one client message from the LEN bytes at P: SOCKS5_MORE
 * when they end before it does, SOCKS5_DONE with *USED (the message's
 * length) and the fields, or SOCKS5_FAILED when it is malformed; *REP is
 * then the reply code to send before closing (request only). */

/* The greeting: the methods offered; NONE and USERPASS say which of ours. */
enum socks5_status socks5_parse_greeting(const uint8_t *p, size_t len, size_t *used,
    bool *none, bool *userpass);
/* The RFC 1929 request; USER and PASS get NUL-terminated copies (a
 * password may be empty; a field holding a NUL byte is malformed). */
enum socks5_status socks5_parse_auth(const uint8_t *p, size_t len, size_t *used,
    char user[SOCKS5_MAX_FIELD + 1], char pass[SOCKS5_MAX_FIELD + 1]);
/* The request; the command is not judged here (the caller answers 7 to
 * anything but CONNECT). */
enum socks5_status socks5_parse_request(const uint8_t *p, size_t len, size_t *used,
    struct socks5_request *r, uint8_t *rep);

/* Append a reply: REP and the bound address BND (NULL: 0.0.0.0:0). */
void socks5_encode_reply(struct wbuf *w, uint8_t rep, const struct netaddr *bnd);

/* Append the request R as a client sends it (R->host with ATYP 3). */
void socks5_encode_request(struct wbuf *w, const struct socks5_request *r);

#endif
