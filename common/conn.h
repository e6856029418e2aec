/* conn.h -- one framed P2P TCP connection on a libevent bufferevent. */
#ifndef AGENTCHAIN_CONN_H
#define AGENTCHAIN_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "msg.h"
#include "netaddr.h"

/* Why a connection ended or was refused; the owner turns protocol errors
 * into reputation penalties. */
enum conn_end {
	CONN_END_CLOSED = 0,	/* the peer closed (EOF) */
	CONN_END_REFUSED,	/* connect() failed */
	CONN_END_TIMEOUT,	/* connect timed out */
	CONN_END_IO,		/* read/write error */
	CONN_END_PROTOCOL,	/* bad frame: see the msg_err */
	CONN_END_SENDBUF,	/* the peer does not read what we send */
};

/* Cap on unsent bytes queued for one peer (Bitcoin Core -maxsendbuffer is
 * 1 MB; one maximum payload must still fit). */
#define CONN_MAX_SENDBUF	(MSG_MAX_PAYLOAD + 1024 * 1024)

struct conn;

/* Callbacks run on the event loop.  The owner may call conn_close() from
 * any of them; the connection then stops delivering messages at once and
 * is freed later by the loop, never under the owner's feet.  MSG is only
 * borrowed for the call. */
struct conn_cb {
	void	(*connected)(struct conn *c, void *arg);
	void	(*message)(struct conn *c, struct msg *m, void *arg);
	/* A frame whose checksum or payload was bad but whose length was
	 * sane, so the stream is still in sync: the frame was skipped and
	 * reading goes on.  When NULL, such a frame ends the connection. */
	void	(*bad_frame)(struct conn *c, enum msg_err err, uint8_t type, void *arg);
	/* A well-formed frame of a type we do not know; skipped. */
	void	(*unknown)(struct conn *c, uint8_t type, uint32_t len, void *arg);
	/* The connection is over; ERR is set for CONN_END_PROTOCOL.  The
	 * owner must then call conn_close(C), and touch C no more. */
	void	(*ended)(struct conn *c, enum conn_end why, enum msg_err err, void *arg);
	/* After a write, the send buffer holds CONN_DRAIN_LOW bytes or fewer:
	 * room to queue more of a large answer (blocks for a getdata) without
	 * ever nearing CONN_MAX_SENDBUF.  May be NULL. */
	void	(*drained)(struct conn *c, void *arg);
};

/* See conn_cb.drained. */
#define CONN_DRAIN_LOW	(256 * 1024)

/* Counters kept for every connection. */
struct conn_stats {
	uint64_t	bytes_sent;
	uint64_t	bytes_recv;
	uint64_t	msgs_sent[MSG_TYPE_COUNT];
	uint64_t	msgs_recv[MSG_TYPE_COUNT];
	uint64_t	unknown_recv;
};

/* A SOCKS5 proxy (RFC 1928) that outbound connections can go through, and
 * what conn has learned of its health.  A dial that fails at the proxy
 * itself (unreachable, silent, not SOCKS5, refusing our credentials) logs
 * one warning; from then on dials through it fail at once, without
 * touching the network, for a back-off of 1, 2, 4 ... 64 s, after which
 * one dial tries it again; the first that gets through logs that it is
 * back.  Refusals of a peer (the proxy's CONNECT reply codes) are the
 * peer's, not the proxy's. */
struct conn_proxy;

/* SPEC is "ADDR[:PORT]": a numeric address or localhost, port 9050 by
 * default.  USER and PASS: both NULL, or both 1..255 bytes (RFC 1929).
 * Returns the proxy, or NULL with the reason in ERR.  It must outlive
 * every connection dialled through it that is not closed yet. */
struct conn_proxy *conn_proxy_new(const char *spec, const char *user, const char *pass,
    char *err, size_t errlen);
void conn_proxy_free(struct conn_proxy *p);
/* "127.0.0.1:9050" */
const char *conn_proxy_name(const struct conn_proxy *p);
/* Is it backing off after failures? */
bool conn_proxy_is_down(const struct conn_proxy *p);

/* An outbound connection to make.  Without PROXY it goes to ADDR
 * directly (HOST must be NULL).  With PROXY the socket goes to the proxy,
 * which is asked to CONNECT to HOST:PORT by name (SOCKS5 address type 3:
 * the proxy resolves it, as Tor does) when HOST is set, else to ADDR;
 * `connected` is reported only once the proxy's CONNECT succeeded, and
 * TIMEOUT_MS bounds the TCP connect and the whole SOCKS5 handshake
 * together.  BIND_IP is the local address to connect from (its port is
 * ignored; through a proxy only when it has the proxy's family): a node
 * that listens on one specific address dials from it too, so that peers
 * -- and a proxy -- see the address it can be reached at. */
struct conn_dial {
	const struct netaddr	*addr;		/* the peer; may be NULL with HOST */
	const char		*host;		/* a name for the proxy, or NULL */
	uint16_t		 port;		/* the peer's port, with HOST */
	const struct netaddr	*bind_ip;	/* NULL: any */
	struct conn_proxy	*proxy;		/* NULL: direct */
	int			 timeout_ms;
};

/* Which transport a connection speaks (docs/PROTOCOL.md, "Encrypted
 * transport (v2)"). */
enum conn_transport {
	CONN_TRANSPORT_V1 = 0,	/* plaintext frames only */
	CONN_TRANSPORT_V2,	/* v2; v1 peers still served (see conn_set_transport) */
	CONN_TRANSPORT_V2_ONLY,	/* v2 or nothing */
};

/* What a connection speaks now (conn_get_transport). */
struct conn_transport_info {
	bool		v2;		/* encrypted */
	bool		fell_back;	/* an outbound v2 attempt met a v1 peer: redialled in v1 */
	uint8_t		session_id[32];	/* v2: the same on both sides; else zeros */
};

/* Start the dial D for the network with MAGIC.  Returns NULL (with a
 * reason in ERR) only when no socket could be made or D is unusable;
 * refusals and timeouts -- the proxy's included -- arrive as ended(),
 * never from inside this call, with conn_end_reason() saying more.
 * conn_addr() is ADDR, or for a dial by name an all-zero address with
 * PORT.  MAGIC must outlive the connection. */
struct conn *conn_dial(struct event_base *base, const struct conn_dial *d, const uint8_t *magic,
    const struct conn_cb *cb, void *arg, char *err, size_t errlen);

/* conn_dial directly to ADDR (no proxy) from BIND_IP (may be NULL), with
 * CONNECT_TIMEOUT_MS bounding the TCP connect. */
struct conn *conn_connect(struct event_base *base, const struct netaddr *addr,
    const struct netaddr *bind_ip, const uint8_t *magic, int connect_timeout_ms, const struct conn_cb *cb, void *arg,
    char *err, size_t errlen);

/* Wrap an accepted socket FD (ownership passes to the connection). */
struct conn *conn_accept(struct event_base *base, int fd, const struct netaddr *addr,
    const uint8_t *magic, const struct conn_cb *cb, void *arg);

/* Speak POLICY on C (the default is CONN_TRANSPORT_V1).  Call it right
 * after conn_dial or conn_accept, before the loop runs.  Inbound, v2
 * serves v1 peers too, told apart by their first bytes (v1 frames start
 * with the network magic); v2-only closes on them.  Outbound, v2 opens
 * with a key exchange; a peer that closes before sending a byte of its
 * own is taken for a v1 peer and the same dial is made again in v1,
 * without `connected` being reported twice (frames already queued are
 * sent in v1); v2-only ends instead.  Frames queued before the key
 * exchange are held and sent once it is done. */
void conn_set_transport(struct conn *c, enum conn_transport policy);
/* What C speaks now: v2 only once the peer's key is in (an inbound
 * connection is v1 until told otherwise). */
void conn_get_transport(const struct conn *c, struct conn_transport_info *out);

/* Queue M as one frame (before `connected` it is held back and sent once
 * the connection is up, the proxy's handshake included).  Returns 0, or -1 if the send buffer is over
 * CONN_MAX_SENDBUF (the owner should disconnect; ended() follows). */
int conn_send(struct conn *c, const struct msg *m);

/* Stop reading and writing now and free C on the next loop iteration.
 * With FLUSH, queued output is written first (bounded by a short timer).
 * Idempotent; safe from inside any callback. */
void conn_close(struct conn *c, bool flush);

/* Accept frames of at most MAX payload bytes from now on (default and
 * ceiling MSG_MAX_PAYLOAD); a larger one ends the connection with
 * MSG_ERR_OVERSIZED.  Peers that have not completed a handshake get a
 * small limit, so that a half-sent frame cannot pin megabytes. */
void conn_set_max_payload(struct conn *c, uint32_t max);

/* Deliver block messages without comparing their frame checksum (see
 * FRAME_DEFER_BLOCK_CHECKSUM): msg.checksum_deferred tells the owner. */
void conn_defer_block_checksum(struct conn *c);

/* Change the argument passed to C's callbacks (an owner created after the
 * connection, as a peer is). */
void conn_set_arg(struct conn *c, void *arg);

/* Why the dial or connection ended, when conn knows more than enum
 * conn_end says ("SOCKS5 proxy 127.0.0.1:9050: connection refused
 * (SOCKS5 reply 5)", "SOCKS5 proxy 127.0.0.1:9050 unreachable: Connection
 * refused"), or NULL.  Valid until the connection is freed. */
const char *conn_end_reason(const struct conn *c);
/* Did the dial fail at the proxy itself rather than at the peer?  Such a
 * failure says nothing about the peer. */
bool conn_proxy_fault(const struct conn *c);

bool conn_is_closing(const struct conn *c);
const struct netaddr *conn_addr(const struct conn *c);
/* Our side of the socket (for "addr_recv as the peer sees us"); 0 or -1. */
int conn_local_addr(const struct conn *c, struct netaddr *out);
const struct conn_stats *conn_stats(const struct conn *c);
/* Bytes waiting in our send buffer. */
size_t conn_sendq(const struct conn *c);

#endif
