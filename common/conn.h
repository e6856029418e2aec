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

/* Start a non-blocking connect to ADDR for the network with MAGIC;
 * CONNECT_TIMEOUT_MS bounds the TCP connect.  BIND_IP, when not NULL, is
 * the local address to connect from (its port is ignored): a node that
 * listens on one specific address dials from it too, so peers see the
 * address it can be reached at.  Returns NULL (with a reason
 * in ERR) only when no socket could be made; refusals and timeouts arrive
 * as ended().  MAGIC must outlive the connection. */
struct conn *conn_connect(struct event_base *base, const struct netaddr *addr,
    const struct netaddr *bind_ip, const uint8_t *magic, int connect_timeout_ms, const struct conn_cb *cb, void *arg,
    char *err, size_t errlen);

/* Wrap an accepted socket FD (ownership passes to the connection). */
struct conn *conn_accept(struct event_base *base, int fd, const struct netaddr *addr,
    const uint8_t *magic, const struct conn_cb *cb, void *arg);

/* Queue M as one frame.  Returns 0, or -1 if the send buffer is over
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

/* Change the argument passed to C's callbacks (an owner created after the
 * connection, as a peer is). */
void conn_set_arg(struct conn *c, void *arg);

bool conn_is_closing(const struct conn *c);
const struct netaddr *conn_addr(const struct conn *c);
/* Our side of the socket (for "addr_recv as the peer sees us"); 0 or -1. */
int conn_local_addr(const struct conn *c, struct netaddr *out);
const struct conn_stats *conn_stats(const struct conn *c);
/* Bytes waiting in our send buffer. */
size_t conn_sendq(const struct conn *c);

#endif
