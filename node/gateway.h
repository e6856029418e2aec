/* gateway.h -- the default gateways and our global IPv6 address, read from /proc/net (Linux). */
#ifndef AGENTCHAIN_GATEWAY_H
#define AGENTCHAIN_GATEWAY_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "netaddr.h"

/*
 * What PCP and NAT-PMP need to know about the host before they send
 * anything: whom to ask (the default route's next hop, RFC 6887 section
 * 8.1) and, for an IPv6 pinhole, which of our addresses to open (a stable
 * global one on the interface of that route).  The parsers take a stream
 * in the kernel's format so that tests can hand them any text; lines that
 * do not parse are skipped, never trusted, and no line is kept beyond the
 * one being read.
 */

/* The IPv4 default gateway in a /proc/net/route stream: an up, gateway
 * route to 0.0.0.0/0, the lowest metric winning.  Fills OUT (port 0) and
 * IFNAME.  Returns 0, or -1 when there is none. */
int gateway_parse_route4(FILE *fp, struct netaddr *out, char ifname[IF_NAMESIZE]);

/* The IPv6 default gateway in a /proc/net/ipv6_route stream: an up,
 * gateway route to ::/0 that is not a reject route, the lowest metric
 * winning.  Fills OUT (port 0; usually a link-local address, which is only
 * meaningful with IFNAME's index) and IFNAME.  Returns 0 or -1. */
int gateway_parse_route6(FILE *fp, struct netaddr *out, char ifname[IF_NAMESIZE]);

/* An address of ours on IFNAME in a /proc/net/if_inet6 stream that other
 * hosts can reach: global scope, not temporary, deprecated, tentative or
 * failed duplicate detection, and netaddr_is_valid_peer (routable; with
 * ALLOW_PRIVATE also private, e.g. ULA on regtest).  The first such
 * address wins.  Fills OUT (port 0).  Returns 0 or -1. */
int gateway_parse_if_inet6(FILE *fp, const char *ifname, bool allow_private,
    struct netaddr *out);

/* The same three read from the files route, ipv6_route and if_inet6 in
 * directory DIR (NULL: "/proc/net").  Return -1 also when the file cannot
 * be opened. */
int gateway_default4(const char *dir, struct netaddr *out, char ifname[IF_NAMESIZE]);
int gateway_default6(const char *dir, struct netaddr *out, char ifname[IF_NAMESIZE]);
int gateway_global6(const char *dir, const char *ifname, bool allow_private,
    struct netaddr *out);

#endif
