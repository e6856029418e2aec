/* gateway.c -- default gateways and a global IPv6 address from /proc/net.
 *
 * The kernel's text tables are read a line at a time into a fixed buffer;
 * an over-long line is skipped whole.  Every field is parsed by hand
 * (fixed-width hex, interface names of at most IF_NAMESIZE-1 characters),
 * so a line in an unexpected shape is passed over rather than half-read. */
#include "gateway.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define GW_LINE_MAX	512
#define GW_MAX_FIELDS	12
#define GW_RTF_UP	0x0001
#define GW_RTF_GATEWAY	0x0002
#define GW_RTF_REJECT	0x0200
/* if_inet6 flags (IFA_F_*) that rule an address out. */
#define GW_IFA_TEMPORARY	0x01
#define GW_IFA_DADFAILED	0x08
#define GW_IFA_DEPRECATED	0x20
#define GW_IFA_TENTATIVE	0x40
#define GW_SCOPE_GLOBAL		0x00

struct gw_line {
	char	 buf[GW_LINE_MAX];
	char	*f[GW_MAX_FIELDS];
	int	 n;
};

/* Read the next whole line of FP and split it at blanks.  Lines longer
 * than the buffer are dropped (with their continuation).  Returns false at
 * the end of the stream. */
static bool
gw_next(FILE *fp, struct gw_line *l)
{
	char *p, *save = NULL;
	size_t len;

	for (;;) {
		if (fgets(l->buf, sizeof l->buf, fp) == NULL)
			return false;
		len = strlen(l->buf);
		if (len == sizeof l->buf - 1 && l->buf[len - 1] != '\n') {
			int c;

			while ((c = fgetc(fp)) != EOF && c != '\n')
				;
			continue;
		}
		l->n = 0;
		for (p = strtok_r(l->buf, " \t\r\n", &save); p != NULL;
		    p = strtok_r(NULL, " \t\r\n", &save)) {
			if (l->n == GW_MAX_FIELDS)
				break;
			l->f[l->n++] = p;
		}
		return true;
	}
}

/* Exactly WIDTH hex digits (WIDTH 0: 1 to 8 of them) into OUT. */
static bool
gw_hex(const char *s, size_t width, unsigned long *out)
{
	size_t n = strlen(s);
	char *end;

	if (n == 0 || n > 8 || (width != 0 && n != width))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	*out = strtoul(s, &end, 16);
	return *end == '\0';
}

/* 32 hex digits into 16 bytes. */
static bool
gw_hex128(const char *s, uint8_t out[16])
{
	char pair[3] = { 0, 0, 0 };
	unsigned long v;

	if (strlen(s) != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		pair[0] = s[2 * i];
		pair[1] = s[2 * i + 1];
		if (!gw_hex(pair, 2, &v))
			return false;
		out[i] = (uint8_t)v;
	}
	return true;
}

static bool
gw_ifname(const char *s, char ifname[IF_NAMESIZE])
{
	size_t n = strlen(s);

	if (n == 0 || n >= IF_NAMESIZE)
		return false;
	memcpy(ifname, s, n + 1);
	return true;
}

int
gateway_parse_route4(FILE *fp, struct netaddr *out, char ifname[IF_NAMESIZE])
{
	struct gw_line l;
	unsigned long dest, gw, flags, metric, mask, best_metric = 0;
	char name[IF_NAMESIZE];
	bool found = false;

	while (gw_next(fp, &l)) {
		/* Iface Destination Gateway Flags RefCnt Use Metric Mask ... */
		if (l.n < 8 || !gw_ifname(l.f[0], name) ||
		    !gw_hex(l.f[1], 8, &dest) || !gw_hex(l.f[2], 8, &gw) ||
		    !gw_hex(l.f[3], 0, &flags) || !gw_hex(l.f[6], 0, &metric) ||
		    !gw_hex(l.f[7], 8, &mask))
			continue;	/* the header line, or junk */
		if (dest != 0 || mask != 0 || gw == 0 ||
		    (flags & (GW_RTF_UP | GW_RTF_GATEWAY)) != (GW_RTF_UP | GW_RTF_GATEWAY))
			continue;
		if (found && metric >= best_metric)
			continue;
		/* The kernel prints the address's network-order bytes as one
		 * host-order word: the word's value is s_addr. */
		netaddr_from_ipv4(out, ntohl((uint32_t)gw), 0);
		memcpy(ifname, name, IF_NAMESIZE);
		best_metric = metric;
		found = true;
	}
	return found ? 0 : -1;
}

int
gateway_parse_route6(FILE *fp, struct netaddr *out, char ifname[IF_NAMESIZE])
{
	static const uint8_t zero[16];
	struct gw_line l;
	uint8_t dest[16], hop[16];
	unsigned long plen, flags, metric, best_metric = 0;
	char name[IF_NAMESIZE];
	bool found = false;

	while (gw_next(fp, &l)) {
		/* dest plen src plen nexthop metric refcnt use flags ifname */
		if (l.n < 10 || !gw_hex128(l.f[0], dest) || !gw_hex(l.f[1], 2, &plen) ||
		    !gw_hex128(l.f[4], hop) || !gw_hex(l.f[5], 8, &metric) ||
		    !gw_hex(l.f[8], 8, &flags) || !gw_ifname(l.f[9], name))
			continue;
		if (plen != 0 || memcmp(dest, zero, 16) != 0 ||
		    memcmp(hop, zero, 16) == 0 || (flags & GW_RTF_REJECT) != 0 ||
		    (flags & (GW_RTF_UP | GW_RTF_GATEWAY)) != (GW_RTF_UP | GW_RTF_GATEWAY))
			continue;
		if (found && metric >= best_metric)
			continue;
		memset(out, 0, sizeof *out);
		memcpy(out->ip, hop, 16);
		memcpy(ifname, name, IF_NAMESIZE);
		best_metric = metric;
		found = true;
	}
	return found ? 0 : -1;
}

int
gateway_parse_if_inet6(FILE *fp, const char *ifname, bool allow_private,
    struct netaddr *out)
{
	struct gw_line l;
	struct netaddr a;
	unsigned long idx, plen, scope, flags;

	while (gw_next(fp, &l)) {
		/* address ifindex prefixlen scope flags ifname */
		if (l.n < 6 || strcmp(l.f[5], ifname) != 0)
			continue;
		memset(&a, 0, sizeof a);
		if (!gw_hex128(l.f[0], a.ip) || !gw_hex(l.f[1], 0, &idx) ||
		    !gw_hex(l.f[2], 2, &plen) || !gw_hex(l.f[3], 2, &scope) ||
		    !gw_hex(l.f[4], 0, &flags))
			continue;
		if (scope != GW_SCOPE_GLOBAL || (flags & (GW_IFA_TEMPORARY |
		    GW_IFA_DADFAILED | GW_IFA_DEPRECATED | GW_IFA_TENTATIVE)) != 0)
			continue;
		a.port = 1;	/* netaddr_is_valid_peer wants one */
		if (netaddr_is_ipv4(&a) || !netaddr_is_valid_peer(&a, allow_private))
			continue;
		a.port = 0;
		*out = a;
		return 0;
	}
	return -1;
}

static FILE *
gw_open(const char *dir, const char *file)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : "/proc/net", file);
	return fopen(path, "re");
}

/* Run PARSE over FILE in DIR. */
static int
gw_route(const char *dir, const char *file,
    int (*parse)(FILE *, struct netaddr *, char *), struct netaddr *out,
    char ifname[IF_NAMESIZE])
{
	FILE *fp = gw_open(dir, file);
	int rc = fp != NULL ? parse(fp, out, ifname) : -1;

	if (fp != NULL)
		fclose(fp);
	return rc;
}

int
gateway_default4(const char *dir, struct netaddr *out, char ifname[IF_NAMESIZE])
{
	return gw_route(dir, "route", gateway_parse_route4, out, ifname);
}

int
gateway_default6(const char *dir, struct netaddr *out, char ifname[IF_NAMESIZE])
{
	return gw_route(dir, "ipv6_route", gateway_parse_route6, out, ifname);
}

int
gateway_global6(const char *dir, const char *ifname, bool allow_private,
    struct netaddr *out)
{
	FILE *fp = gw_open(dir, "if_inet6");
	int rc = fp != NULL ? gateway_parse_if_inet6(fp, ifname, allow_private, out) : -1;

	if (fp != NULL)
		fclose(fp);
	return rc;
}
