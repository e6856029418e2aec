/* netaddr.h -- IP endpoints: parse, format, classify, netgroup for diversity. */
#ifndef AGENTCHAIN_NETADDR_H
#define AGENTCHAIN_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* An IP endpoint as it travels on the wire: IPv6, or IPv4 as an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d).  PORT is in host byte order
 * here; the wire carries it big-endian. */
struct netaddr {
	uint8_t		ip[16];
	uint16_t	port;
};

/* "255.255.255.255:65535" and "[ffff:...:ffff]:65535" fit, with NUL. */
#define NETADDR_STRLEN 56
/* Longest host name accepted by netaddr_split_hostport (RFC 1035: 253). */
#define NETADDR_HOSTLEN 254
/* Bytes of a netgroup key; see netaddr_netgroup. */
#define NETADDR_GROUPLEN 6

enum netaddr_class {
	NETADDR_ROUTABLE = 0,
	NETADDR_PRIVATE,	/* RFC 1918, RFC 6598 CGNAT, IPv6 ULA fc00::/7 */
	NETADDR_LOOPBACK,	/* 127.0.0.0/8, ::1 */
	NETADDR_LINKLOCAL,	/* 169.254.0.0/16, fe80::/10 */
	NETADDR_DOCUMENTATION,	/* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32 */
	NETADDR_UNROUTABLE,	/* 0/8, ::, multicast, broadcast, reserved, ... */
};

/* Parse a numeric endpoint: "1.2.3.4:9001", "[2001:db8::1]:9001", or a
 * bare address ("1.2.3.4", "2001:db8::1", "[::1]") which takes
 * DEFAULT_PORT.  A bare IPv6 literal without brackets never carries a
 * port: "::1:9001" is the address ::1:9001 on DEFAULT_PORT.  Rejected:
 * port 0 (also a DEFAULT_PORT of 0 when none is given), ports with a sign,
 * a leading zero or above 65535, junk after the port, brackets around
 * IPv4, zone ids ("fe80::1%eth0"), anything inet_pton refuses ("1.2.3",
 * "01.2.3.4") and host names.  Returns 0, or -1 (OUT untouched). */
int netaddr_parse(const char *s, uint16_t default_port, struct netaddr *out);

/* Split "host:port", "[v6]:port", "host" or "v6" into HOST (no brackets,
 * at most NETADDR_HOSTLEN-1 chars) and PORT (DEFAULT_PORT when absent,
 * even if 0; an explicit port follows netaddr_parse's rules).  Accepts
 * host names (letters, digits, '-', '.', '_'; labels of 1..63 not starting
 * or ending with '-'; no empty labels or trailing dot; the last label
 * starts with a letter so numeric look-alikes such as "1.2.3" are refused)
 * as well as numeric addresses; nothing is resolved.  Returns 0, or -1 on
 * a malformed string (HOST and PORT then untouched). */
int netaddr_split_hostport(const char *s, uint16_t default_port,
    char host[NETADDR_HOSTLEN], uint16_t *port);

/* Format as "1.2.3.4:9001" or "[2001:db8::1]:9001" into BUF (at least
 * NETADDR_STRLEN bytes).  Returns BUF. */
char *netaddr_format(const struct netaddr *a, char *buf, size_t len);
/* The address without the port ("1.2.3.4", "2001:db8::1"). Returns BUF. */
char *netaddr_format_ip(const struct netaddr *a, char *buf, size_t len);

bool netaddr_is_ipv4(const struct netaddr *a);
/* The wildcard address of either family (0.0.0.0 or ::). */
bool netaddr_is_any(const struct netaddr *a);
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);
/* Same IP, ignoring the port. */
bool netaddr_same_ip(const struct netaddr *a, const struct netaddr *b);
/* Order by ip then port, for deterministic sorting (qsort-compatible). */
int netaddr_cmp(const void *a, const void *b);

void netaddr_from_ipv4(struct netaddr *a, uint32_t ipv4_host_order, uint16_t port);
/* Fill from a sockaddr_in or sockaddr_in6; returns 0, or -1 for other families. */
int netaddr_from_sockaddr(struct netaddr *a, const struct sockaddr *sa);
/* Fill SS with a sockaddr_in for IPv4-mapped addresses, sockaddr_in6
 * otherwise; returns the length to pass to connect()/bind(). */
socklen_t netaddr_to_sockaddr(const struct netaddr *a, struct sockaddr_storage *ss);

enum netaddr_class netaddr_classify(const struct netaddr *a);
const char *netaddr_class_name(enum netaddr_class c);

/* May this address be relayed to peers and dialled?  On mainnet and
 * testnet only routable ones (ALLOW_PRIVATE false); regtest also accepts
 * loopback and private addresses.  Port 0 and unroutable are never valid. */
bool netaddr_is_valid_peer(const struct netaddr *a, bool allow_private);

/* The netgroup key used for diversity decisions: IPv4 /16 (also for
 * IPv4-mapped addresses), IPv6 /32; all local (loopback, private,
 * link-local) addresses share one group per family and unroutable ones
 * another; documentation addresses are grouped by prefix like routable
 * ones.  IPv6 in he.net's 2001:470::/32 is grouped by /36.  Addresses that
 * embed an IPv4 address (mapped, 6to4, NAT64) are grouped by that address.
 * Writes NETADDR_GROUPLEN bytes: a class byte then the prefix. */
void netaddr_netgroup(const struct netaddr *a, uint8_t out[NETADDR_GROUPLEN]);
/* As netaddr_netgroup, but when ALLOW_PRIVATE (regtest) each loopback,
 * private or link-local address is its own group (class byte then the IPv4 address or
 * the first 5 bytes of a hash-free IPv6 prefix), so that a test network on
 * 127.0.0.x exercises the same diversity rules as a routable one. */
void netaddr_netgroup_policy(const struct netaddr *a, bool allow_private,
    uint8_t out[NETADDR_GROUPLEN]);
/* Human-readable netgroup of A (without policy), e.g. "1.2.0.0/16",
 * "2001:db8::/32", "2001:470::/36", "local-ipv4", "local-ipv6",
 * "unroutable".  Writes at most LEN bytes (NETADDR_STRLEN is enough) into
 * BUF; returns BUF. */
char *netaddr_netgroup_str(const struct netaddr *a, char *buf, size_t len);
/* The same for a key from netaddr_netgroup or netaddr_netgroup_policy;
 * per-address policy groups print as "127.0.0.1/32" or "fd00:1::/40". */
char *netaddr_netgroup_key_str(const uint8_t key[NETADDR_GROUPLEN], char *buf,
    size_t len);

#endif
