/* dns_tcp.h -- DNS over TCP (RFC 7766): the connection table, its limits and deadlines. */
#ifndef AGENTCHAIN_DNS_TCP_H
#define AGENTCHAIN_DNS_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "dns_answer.h"
#include "dns_stats.h"

struct event_base;
struct dns_tcp;

/* Bounds on TCP clients (RFC 7766): a query larger than this closes the
 * connection; a client that leaves more than DNS_TCP_OUTQ bytes of
 * replies unread is no longer read from, and closed at the query
 * timeout. */
#define DNS_TCP_MAXQUERY	16384
#define DNS_TCP_OUTQ		65536

/* Both timeouts shrink as the table fills past half, down to this at a
 * full table (RFC 7766 6.2.3); NSD goes to 200 ms past half full. */
#define DNS_TCP_FLOOR_MS	500

struct dns_tcp_config {
	unsigned	clients;	/* connections at once (>= 1) */
	unsigned	per_source;	/* from one IPv4 address or IPv6 /64;
					   0: as many as CLIENTS */
	unsigned	idle_ms;	/* waiting for a query with nothing
					   pending (>= 1) */
	unsigned	query_ms;	/* from a query's first byte to its
					   last, or for unread replies to
					   drain; 0: min(idle_ms, 3000) */
	unsigned	floor_ms;	/* both timeouts at a full table;
					   0: DNS_TCP_FLOOR_MS */
};

/*
 * A TCP server on BASE: FN(ARG) answers each query, STATS (which must
 * outlive the server) counts.  Nothing listens until dns_tcp_listen.
 *
 * Limits, so that no client can starve the others (issue 15 item 4):
 * a source over CFG->per_source loses its own oldest connection (an idle
 * one first); a full table closes its longest-idle connection to make
 * room, and when every connection is busy it stops accepting (newcomers
 * wait in the kernel's backlog) until one closes or goes idle.  A
 * connection is closed when it sits idle longer than the idle timeout,
 * or when a query it started (or the replies it has not read) is not
 * done within the query timeout; bytes that trickle in do not extend
 * either.  Both timeouts shrink linearly from half full to
 * CFG->floor_ms at full.
 */
struct dns_tcp *dns_tcp_new(struct event_base *base, const struct dns_tcp_config *cfg,
    dnsa_handler_fn fn, void *arg, struct dns_stats *stats);

/* Accept on FD, a bound TCP socket that the server takes over (closed by
 * dns_tcp_free, or here on failure).  NAME is for messages.  Returns 0,
 * or -1 with a reason in ERR. */
int dns_tcp_listen(struct dns_tcp *t, int fd, const char *name, char *err, size_t errlen);

/* Close every listener and connection.  T may be NULL. */
void dns_tcp_free(struct dns_tcp *t);

/* Connections open now. */
size_t dns_tcp_clients(const struct dns_tcp *t);

#endif
