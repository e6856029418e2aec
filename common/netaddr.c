/* netaddr.c -- IP endpoints: strict parsing, formatting, classification, netgroups.
 *
 * Addresses come from peers (addr messages), from the command line and from
 * config files, so parsing accepts exactly one spelling per form and rejects
 * everything else rather than guessing.  The numeric forms are left to
 * inet_pton, which (unlike inet_aton) refuses "1.2.3", "0x7f.1" and octets
 * with leading zeros.
 *
 * The rule for colons: a bracketed literal ("[v6]" or "[v6]:port") is the
 * only way to give an IPv6 address a port.  A string with one colon is
 * "host:port"; a string with two or more colons and no brackets is a bare
 * IPv6 address and never carries a port, so "::1:9001" is the address
 * ::1:9001 on the default port, not ::1 on port 9001.
 *
 * Classification and netgroups follow Bitcoin Core's CNetAddr (IsRoutable,
 * IsRFC1918, ..., GetGroup), with Teredo simplified to plain IPv6. */
#include "netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Longest string worth looking at: a maximal host name plus ":65535".  A
 * bracketed IPv6 literal with a port is shorter. */
#define NETADDR_INPUTMAX	(NETADDR_HOSTLEN - 1 + 6)
#define NETADDR_LABELMAX	63

/* Class bytes of a netgroup key.  Each kind of group has its own, so a key
 * for one family or class can never equal a key for another even when the
 * prefix bytes agree. */
enum netaddr_group {
	NETADDR_GROUP_UNROUTABLE = 0,
	NETADDR_GROUP_LOCAL4,
	NETADDR_GROUP_LOCAL6,
	NETADDR_GROUP_IPV4,		/* /16 of the (embedded) IPv4 address */
	NETADDR_GROUP_IPV6,		/* /32, or /36 inside he.net 2001:470::/32 */
	NETADDR_GROUP_HOST4,		/* policy: the whole IPv4 address */
	NETADDR_GROUP_HOST6,		/* policy: first 5 bytes of the IPv6 address */
};

/* The result of splitting a string, before the host part is judged. */
struct netaddr_hostport {
	const char	*host;		/* points into the input, not terminated */
	size_t		 hostlen;
	bool		 bracketed;
	bool		 has_port;
	uint16_t	 port;
};

static const uint8_t netaddr_mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};
static const uint8_t netaddr_nat64_prefix[12] = {
	0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0
};

/*
 * Parsing.
 */

/* A port is 1 to 5 decimal digits with no sign, space or leading zero, in
 * 1..65535.  Refusing leading zeros keeps one spelling per port. */
static int
netaddr_parse_port(const char *p, size_t n, uint16_t *out)
{
	uint32_t v = 0;

	if (n == 0 || n > 5 || p[0] == '0')
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (uint32_t)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* Separate the host from the port without judging the host. */
static int
netaddr_split_raw(const char *s, struct netaddr_hostport *hp)
{
	const char *close, *colon, *rest;
	size_t len, restlen, colons = 0;

	if (s == NULL)
		return -1;
	len = strnlen(s, NETADDR_INPUTMAX + 1);
	if (len == 0 || len > NETADDR_INPUTMAX)
		return -1;
	memset(hp, 0, sizeof *hp);

	if (s[0] == '[') {
		close = memchr(s, ']', len);
		if (close == NULL)
			return -1;
		hp->host = s + 1;
		hp->hostlen = (size_t)(close - hp->host);
		hp->bracketed = true;
		rest = close + 1;
		restlen = len - (size_t)(rest - s);
		if (restlen == 0)
			return 0;
		if (rest[0] != ':' ||
		    netaddr_parse_port(rest + 1, restlen - 1, &hp->port) != 0)
			return -1;
		hp->has_port = true;
		return 0;
	}

	for (size_t i = 0; i < len; i++) {
		if (s[i] == ':')
			colons++;
	}
	hp->host = s;
	if (colons != 1) {
		/* No port, or a bare IPv6 literal which never has one. */
		hp->hostlen = len;
		return 0;
	}
	colon = memchr(s, ':', len);
	hp->hostlen = (size_t)(colon - s);
	if (netaddr_parse_port(colon + 1, len - hp->hostlen - 1,
	    &hp->port) != 0)
		return -1;
	hp->has_port = true;
	return 0;
}

/* Parse a numeric host into IP.  IPv4 only without brackets, IPv6 only
 * without a zone id (a zone names a local interface and cannot be relayed).
 * inet_pton would refuse '%' anyway; the check states the intent. */
static int
netaddr_parse_ip(const char *h, size_t n, bool bracketed, uint8_t ip[16])
{
	char tmp[INET6_ADDRSTRLEN];
	struct in_addr in4;

	if (n == 0 || n >= sizeof tmp || memchr(h, '%', n) != NULL)
		return -1;
	memcpy(tmp, h, n);
	tmp[n] = '\0';
	if (!bracketed && inet_pton(AF_INET, tmp, &in4) == 1) {
		memcpy(ip, netaddr_mapped_prefix, 12);
		memcpy(ip + 12, &in4.s_addr, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, ip) == 1)
		return 0;
	return -1;
}

static bool
netaddr_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
netaddr_is_hostchar(char c)
{
	return netaddr_is_alpha(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_';
}

/* RFC 1035/1123 host names: at most 253 characters, labels of 1..63
 * letters, digits, '-' or '_' that do not begin or end with '-'.  No
 * trailing root dot.  The last label must begin with a letter: a name like
 * "1.2.3" or "0x7f.1" is not a name at all but a numeric form that
 * getaddrinfo would hand to inet_aton, so it must not slip past the numeric
 * checks by posing as a name. */
static bool
netaddr_valid_hostname(const char *h, size_t n)
{
	size_t start = 0;

	if (n == 0 || n > NETADDR_HOSTLEN - 1)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && h[i] != '.') {
			if (!netaddr_is_hostchar(h[i]))
				return false;
			continue;
		}
		if (i == start || i - start > NETADDR_LABELMAX)
			return false;
		if (h[start] == '-' || h[i - 1] == '-')
			return false;
		if (i == n)
			break;
		start = i + 1;
	}
	return netaddr_is_alpha(h[start]);
}

int
netaddr_parse(const char *s, uint16_t default_port, struct netaddr *out)
{
	struct netaddr_hostport hp;
	uint8_t ip[16];
	uint16_t port;

	if (netaddr_split_raw(s, &hp) != 0)
		return -1;
	if (netaddr_parse_ip(hp.host, hp.hostlen, hp.bracketed, ip) != 0)
		return -1;
	port = hp.has_port ? hp.port : default_port;
	if (port == 0)
		return -1;
	memcpy(out->ip, ip, sizeof out->ip);
	out->port = port;
	return 0;
}

int
netaddr_split_hostport(const char *s, uint16_t default_port,
    char host[NETADDR_HOSTLEN], uint16_t *port)
{
	struct netaddr_hostport hp;
	uint8_t ip[16];

	if (netaddr_split_raw(s, &hp) != 0)
		return -1;
	if (netaddr_parse_ip(hp.host, hp.hostlen, hp.bracketed, ip) != 0) {
		/* Brackets are for IPv6 literals only, never for names. */
		if (hp.bracketed || !netaddr_valid_hostname(hp.host, hp.hostlen))
			return -1;
	}
	memcpy(host, hp.host, hp.hostlen);
	host[hp.hostlen] = '\0';
	*port = hp.has_port ? hp.port : default_port;
	return 0;
}

/*
 * Formatting and comparison.
 */

char *
netaddr_format_ip(const struct netaddr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (len == 0)
		return buf;
	if (netaddr_is_ipv4(a))
		inet_ntop(AF_INET, a->ip + 12, tmp, sizeof tmp);
	else
		inet_ntop(AF_INET6, a->ip, tmp, sizeof tmp);
	snprintf(buf, len, "%s", tmp);
	return buf;
}

char *
netaddr_format(const struct netaddr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (len == 0)
		return buf;
	netaddr_format_ip(a, tmp, sizeof tmp);
	if (netaddr_is_ipv4(a))
		snprintf(buf, len, "%s:%u", tmp, (unsigned)a->port);
	else
		snprintf(buf, len, "[%s]:%u", tmp, (unsigned)a->port);
	return buf;
}

bool
netaddr_is_ipv4(const struct netaddr *a)
{
	return memcmp(a->ip, netaddr_mapped_prefix, 12) == 0;
}

bool
netaddr_is_any(const struct netaddr *a)
{
	static const uint8_t any6[16];

	return memcmp(a->ip, any6, 16) == 0 ||
	    (netaddr_is_ipv4(a) && memcmp(a->ip + 12, any6, 4) == 0);
}

bool
netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	return netaddr_same_ip(a, b) && a->port == b->port;
}

bool
netaddr_same_ip(const struct netaddr *a, const struct netaddr *b)
{
	return memcmp(a->ip, b->ip, sizeof a->ip) == 0;
}

int
netaddr_cmp(const void *va, const void *vb)
{
	const struct netaddr *a = va, *b = vb;
	int c;

	if ((c = memcmp(a->ip, b->ip, sizeof a->ip)) != 0)
		return c < 0 ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

/*
 * Socket addresses.
 */

void
netaddr_from_ipv4(struct netaddr *a, uint32_t ipv4_host_order, uint16_t port)
{
	memcpy(a->ip, netaddr_mapped_prefix, 12);
	a->ip[12] = (uint8_t)(ipv4_host_order >> 24);
	a->ip[13] = (uint8_t)(ipv4_host_order >> 16);
	a->ip[14] = (uint8_t)(ipv4_host_order >> 8);
	a->ip[15] = (uint8_t)ipv4_host_order;
	a->port = port;
}

int
netaddr_from_sockaddr(struct netaddr *a, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		memcpy(a->ip, netaddr_mapped_prefix, 12);
		memcpy(a->ip + 12, &sin->sin_addr.s_addr, 4);
		a->port = ntohs(sin->sin_port);
		return 0;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		memcpy(a->ip, sin6->sin6_addr.s6_addr, 16);
		a->port = ntohs(sin6->sin6_port);
		return 0;
	default:
		return -1;
	}
}

socklen_t
netaddr_to_sockaddr(const struct netaddr *a, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;

	memset(ss, 0, sizeof *ss);
	if (netaddr_is_ipv4(a)) {
		/* An AF_INET socket cannot connect() to a mapped address, and
		 * dual-stack sockets may be disabled (IPV6_V6ONLY). */
		sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr.s_addr, a->ip + 12, 4);
		return sizeof *sin;
	}
	sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(a->port);
	memcpy(sin6->sin6_addr.s6_addr, a->ip, 16);
	return sizeof *sin6;
}

/*
 * Classification.
 */

/* The IPv4 address carried by A, if any: IPv4-mapped, NAT64 64:ff9b::/96
 * or 6to4 2002::/16.  These reach (or claim to reach) an IPv4 host, so
 * they are judged and grouped by that host.  Teredo is left as IPv6. */
static bool
netaddr_embedded_ipv4(const struct netaddr *a, uint32_t *v4)
{
	const uint8_t *p;

	if (memcmp(a->ip, netaddr_mapped_prefix, 12) == 0 ||
	    memcmp(a->ip, netaddr_nat64_prefix, 12) == 0)
		p = a->ip + 12;
	else if (a->ip[0] == 0x20 && a->ip[1] == 0x02)
		p = a->ip + 2;
	else
		return false;
	*v4 = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return true;
}

/* True if V4 lies in NET/BITS (BITS 1..32). */
static bool
netaddr_in4(uint32_t v4, uint32_t net, unsigned bits)
{
	uint32_t mask = 0xffffffffu << (32 - bits);

	return (v4 & mask) == net;
}

static enum netaddr_class
netaddr_classify4(uint32_t v4)
{
	static const struct {
		uint32_t		net;
		unsigned		bits;
		enum netaddr_class	class;
	} table[] = {
		{ 0x00000000, 8,  NETADDR_UNROUTABLE },		/* 0/8 "this network" */
		{ 0x0a000000, 8,  NETADDR_PRIVATE },		/* 10/8 RFC 1918 */
		{ 0x64400000, 10, NETADDR_PRIVATE },		/* 100.64/10 RFC 6598 */
		{ 0x7f000000, 8,  NETADDR_LOOPBACK },		/* 127/8 */
		{ 0xa9fe0000, 16, NETADDR_LINKLOCAL },		/* 169.254/16 */
		{ 0xac100000, 12, NETADDR_PRIVATE },		/* 172.16/12 */
		{ 0xc0000000, 24, NETADDR_UNROUTABLE },		/* 192.0.0/24 IETF */
		{ 0xc0000200, 24, NETADDR_DOCUMENTATION },	/* 192.0.2/24 */
		{ 0xc0a80000, 16, NETADDR_PRIVATE },		/* 192.168/16 */
		{ 0xc6120000, 15, NETADDR_UNROUTABLE },		/* 198.18/15 RFC 2544 */
		{ 0xc6336400, 24, NETADDR_DOCUMENTATION },	/* 198.51.100/24 */
		{ 0xcb007100, 24, NETADDR_DOCUMENTATION },	/* 203.0.113/24 */
		{ 0xe0000000, 4,  NETADDR_UNROUTABLE },		/* 224/4 multicast */
		{ 0xf0000000, 4,  NETADDR_UNROUTABLE },		/* 240/4 + broadcast */
	};

	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (netaddr_in4(v4, table[i].net, table[i].bits))
			return table[i].class;
	}
	return NETADDR_ROUTABLE;
}

enum netaddr_class
netaddr_classify(const struct netaddr *a)
{
	static const uint8_t any[16], loopback[16] = { [15] = 1 };
	const uint8_t *p = a->ip;
	uint32_t v4;

	if (netaddr_embedded_ipv4(a, &v4))
		return netaddr_classify4(v4);
	if (memcmp(p, any, 16) == 0)
		return NETADDR_UNROUTABLE;
	if (memcmp(p, loopback, 16) == 0)
		return NETADDR_LOOPBACK;
	if ((p[0] & 0xfe) == 0xfc)				/* fc00::/7 */
		return NETADDR_PRIVATE;
	if (p[0] == 0xfe && (p[1] & 0xc0) == 0x80)		/* fe80::/10 */
		return NETADDR_LINKLOCAL;
	if (p[0] == 0xff)					/* ff00::/8 */
		return NETADDR_UNROUTABLE;
	if (p[0] == 0x20 && p[1] == 0x01) {
		if (p[2] == 0x0d && p[3] == 0xb8)		/* 2001:db8::/32 */
			return NETADDR_DOCUMENTATION;
		/* 2001:10::/28 ORCHIDv1 and 2001:20::/28 ORCHIDv2. */
		if (p[2] == 0x00 && ((p[3] & 0xf0) == 0x10 ||
		    (p[3] & 0xf0) == 0x20))
			return NETADDR_UNROUTABLE;
	}
	return NETADDR_ROUTABLE;
}

const char *
netaddr_class_name(enum netaddr_class c)
{
	switch (c) {
	case NETADDR_ROUTABLE:
		return "routable";
	case NETADDR_PRIVATE:
		return "private";
	case NETADDR_LOOPBACK:
		return "loopback";
	case NETADDR_LINKLOCAL:
		return "link-local";
	case NETADDR_DOCUMENTATION:
		return "documentation";
	case NETADDR_UNROUTABLE:
		return "unroutable";
	}
	return "unknown";
}

/* Link-local addresses are never valid: they mean nothing without the zone
 * (interface) of the host that saw them. */
bool
netaddr_is_valid_peer(const struct netaddr *a, bool allow_private)
{
	if (a->port == 0)
		return false;
	switch (netaddr_classify(a)) {
	case NETADDR_ROUTABLE:
		return true;
	case NETADDR_LOOPBACK:
	case NETADDR_PRIVATE:
		return allow_private;
	default:
		return false;
	}
}

/*
 * Netgroups.
 */

/* Documentation addresses are grouped by prefix like routable ones: they
 * are never valid peers, so their group cannot sway diversity decisions,
 * and tests and logs that use them stay readable. */
void
netaddr_netgroup_policy(const struct netaddr *a, bool allow_private,
    uint8_t out[NETADDR_GROUPLEN])
{
	enum netaddr_class class = netaddr_classify(a);
	bool is4;
	uint32_t v4;

	memset(out, 0, NETADDR_GROUPLEN);
	is4 = netaddr_embedded_ipv4(a, &v4);
	switch (class) {
	case NETADDR_UNROUTABLE:
		out[0] = NETADDR_GROUP_UNROUTABLE;
		return;
	case NETADDR_LOOPBACK:
	case NETADDR_PRIVATE:
	case NETADDR_LINKLOCAL:
		if (!allow_private) {
			out[0] = is4 ? NETADDR_GROUP_LOCAL4 :
			    NETADDR_GROUP_LOCAL6;
			return;
		}
		if (is4) {
			out[0] = NETADDR_GROUP_HOST4;
			out[1] = (uint8_t)(v4 >> 24);
			out[2] = (uint8_t)(v4 >> 16);
			out[3] = (uint8_t)(v4 >> 8);
			out[4] = (uint8_t)v4;
		} else {
			out[0] = NETADDR_GROUP_HOST6;
			memcpy(out + 1, a->ip, 5);
		}
		return;
	case NETADDR_ROUTABLE:
	case NETADDR_DOCUMENTATION:
		break;
	}
	if (is4) {
		out[0] = NETADDR_GROUP_IPV4;
		out[1] = (uint8_t)(v4 >> 24);
		out[2] = (uint8_t)(v4 >> 16);
		return;
	}
	out[0] = NETADDR_GROUP_IPV6;
	memcpy(out + 1, a->ip, 4);
	/* Hurricane Electric hands out tunnels from one /32; Bitcoin Core
	 * splits it into /36s so all of he.net is not a single group. */
	if (a->ip[0] == 0x20 && a->ip[1] == 0x01 && a->ip[2] == 0x04 &&
	    a->ip[3] == 0x70)
		out[5] = a->ip[4] & 0xf0;
}

void
netaddr_netgroup(const struct netaddr *a, uint8_t out[NETADDR_GROUPLEN])
{
	netaddr_netgroup_policy(a, false, out);
}

char *
netaddr_netgroup_key_str(const uint8_t key[NETADDR_GROUPLEN], char *buf,
    size_t len)
{
	char tmp[INET6_ADDRSTRLEN];
	uint8_t ip[16];
	unsigned bits;

	if (len == 0)
		return buf;
	switch (key[0]) {
	case NETADDR_GROUP_UNROUTABLE:
		snprintf(buf, len, "unroutable");
		return buf;
	case NETADDR_GROUP_LOCAL4:
		snprintf(buf, len, "local-ipv4");
		return buf;
	case NETADDR_GROUP_LOCAL6:
		snprintf(buf, len, "local-ipv6");
		return buf;
	case NETADDR_GROUP_IPV4:
		snprintf(buf, len, "%u.%u.0.0/16", key[1], key[2]);
		return buf;
	case NETADDR_GROUP_HOST4:
		snprintf(buf, len, "%u.%u.%u.%u/32", key[1], key[2], key[3],
		    key[4]);
		return buf;
	case NETADDR_GROUP_IPV6:
	case NETADDR_GROUP_HOST6:
		memset(ip, 0, sizeof ip);
		memcpy(ip, key + 1, 5);
		if (key[0] == NETADDR_GROUP_HOST6)
			bits = 40;
		else if (ip[0] == 0x20 && ip[1] == 0x01 && ip[2] == 0x04 &&
		    ip[3] == 0x70)
			bits = 36;
		else
			bits = 32;
		inet_ntop(AF_INET6, ip, tmp, sizeof tmp);
		snprintf(buf, len, "%s/%u", tmp, bits);
		return buf;
	default:
		snprintf(buf, len, "invalid");
		return buf;
	}
}

char *
netaddr_netgroup_str(const struct netaddr *a, char *buf, size_t len)
{
	uint8_t key[NETADDR_GROUPLEN];

	netaddr_netgroup(a, key);
	return netaddr_netgroup_key_str(key, buf, len);
}
