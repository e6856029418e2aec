/* peer.c -- one connected peer as the connection manager sees it: names for log lines and RPC. */
#include "peer.h"

#include <stdio.h>

const char *
peer_dir_name(enum peer_dir d)
{
	return d == PEER_INBOUND ? "inbound" : "outbound";
}

const char *
peer_kind_name(enum peer_kind k)
{
	switch (k) {
	case PEER_FULL: return "full";
	case PEER_FEELER: return "feeler";
	case PEER_MANUAL: return "manual";
	}
	return "?";
}

const char *
peer_str(const struct peer *p, char *buf, size_t len)
{
	char a[NETADDR_STRLEN];

	snprintf(buf, len, "peer=%llu %s %s", (unsigned long long)p->id,
	    netaddr_format(&p->addr, a, sizeof(a)), peer_dir_name(p->dir));
	return buf;
}
