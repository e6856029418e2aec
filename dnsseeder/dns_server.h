/* dns_server.h -- UDP and TCP DNS listeners on the libevent loop (IPv4 and IPv6). */
#ifndef AGENTCHAIN_DNS_SERVER_H
#define AGENTCHAIN_DNS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "dns_stats.h"
#include "netaddr.h"

struct event_base;
struct dns_server;

struct dns_server_config {
	const struct netaddr	*listen;	/* UDP and TCP on each */
	size_t			 nlisten;
	/* TCP limits and deadlines, as struct dns_tcp_config (dns_tcp.h)
	 * describes them. */
	unsigned		 tcp_clients;	/* concurrent TCP connections */
	unsigned		 tcp_per_source;	/* of them from one address; 0: all */
	unsigned		 tcp_idle_ms;	/* idle time before a close */
	unsigned		 tcp_query_ms;	/* for one whole query; 0: default */
	unsigned		 tcp_floor_ms;	/* both at a full table; 0: default */
	unsigned		 rate;		/* UDP replies/s per source prefix; 0 = off */
	unsigned		 burst;
	unsigned		 slip;		/* every SLIP-th limited reply goes out
						   as TC=1; 0 = drop them all */
};

/*
 * Bind every address of CFG for UDP and TCP (IPv6 sockets are v6-only, so
 * "0.0.0.0:53" and "[::]:53" can both be given) and serve on BASE,
 * calling FN with ARG per query and counting into STATS (which must
 * outlive the server).  Wildcard UDP sockets reply from the address the
 * query was sent to (IP_PKTINFO).  Returns NULL with a reason naming the
 * address in ERR when a socket cannot be set up.  Free with
 * dns_server_free.
 */
struct dns_server *dns_server_new(struct event_base *base,
    const struct dns_server_config *cfg, dnsa_handler_fn fn, void *arg,
    struct dns_stats *stats, char *err, size_t errlen);

/* Close every socket and connection.  S may be NULL. */
void dns_server_free(struct dns_server *s);

/* The I-th listen address as bound (a port 0 replaced by the kernel's
 * choice, shared by UDP and TCP), or NULL past the end. */
const struct netaddr *dns_server_address(const struct dns_server *s, size_t i);

/* TCP connections open now. */
size_t dns_server_tcp_clients(const struct dns_server *s);

#endif
