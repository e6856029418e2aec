/* seederdb.c -- write crawl-database rows for agentseeder tests, through crawldb's own API.
 *
 *   seederdb DB NETWORK [--clear] [--gen4 N] [--gen6 N] [ADDR[/SERVICES[/ASN]]]...
 *
 * Every node written is good under the network's default rule at the time
 * of writing (a newcomer with one successful probe, current version,
 * NODE_NETWORK unless SERVICES says otherwise, default port).  ADDR
 * prefixed with '-' writes a node that is NOT good (never handshaked).
 * --clear deletes every node of NETWORK first.  --gen4/--gen6 add N
 * synthetic routable addresses, each in its own netgroup (no packet is
 * ever sent to them).  Exit 0, or 1 with a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chainparams.h"
#include "crawldb.h"
#include "msg.h"
#include "netaddr.h"
#include "strutil.h"
#include "xmalloc.h"

struct collect {
	struct netaddr	*a;
	size_t		 n;
};

static int
collect_cb(const struct crawldb_node *n, void *arg)
{
	struct collect *c = arg;

	c->a = xreallocarray(c->a, c->n + 1, sizeof(*c->a));
	c->a[c->n++] = n->addr;
	return 0;
}

static int
put(struct crawldb *db, const struct chainparams *p, const struct netaddr *a,
    uint64_t services, uint32_t asn, bool good, int64_t now)
{
	struct crawldb_node n;
	char err[256];

	memset(&n, 0, sizeof(n));
	n.addr = *a;
	n.addr.port = p->p2p_port;
	str_copy(n.network, p->name, sizeof(n.network));
	n.services = services;
	n.version = good ? PROTO_VERSION : 0;
	str_copy(n.user_agent, "/seederdb:1/", sizeof(n.user_agent));
	n.connect_ms = n.handshake_ms = 1;
	n.first_seen = n.last_seen = n.last_try = now;
	n.last_success = good ? now : 0;
	n.attempts = 1;
	n.successes = good ? 1 : 0;
	n.asn = asn;
	if (crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)) == -1) {
		fprintf(stderr, "seederdb: %s\n", err);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const struct chainparams *p;
	struct crawldb *db;
	char err[256];
	int64_t now = time(NULL);
	int rc = 0;

	if (argc < 3 || (p = chainparams_by_name(argv[2])) == NULL) {
		fprintf(stderr, "usage: seederdb DB NETWORK [--clear] [--gen4 N] "
		    "[--gen6 N] [[-]ADDR[/SERVICES[/ASN]]]...\n");
		return 1;
	}
	if ((db = crawldb_open(argv[1], 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "seederdb: %s\n", err);
		return 1;
	}
	if (crawldb_begin(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "seederdb: %s\n", err);
		crawldb_close(db);
		return 1;
	}
	for (int i = 3; i < argc && rc == 0; i++) {
		char buf[128], *slash;
		unsigned long long svc = NODE_NETWORK;
		unsigned long asn = 0;
		bool good = true;
		struct netaddr a;
		long long cnt;

		if (strcmp(argv[i], "--clear") == 0) {
			struct collect c = { NULL, 0 };

			if (crawldb_foreach(db, p->name, 0, now, collect_cb, &c, err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "seederdb: %s\n", err);
				rc = 1;
			}
			for (size_t k = 0; k < c.n && rc == 0; k++)
				if (crawldb_delete(db, p->name, &c.a[k], err, sizeof(err)) == -1)
					rc = 1;
			free(c.a);
			continue;
		}
		if ((strcmp(argv[i], "--gen4") == 0 || strcmp(argv[i], "--gen6") == 0) &&
		    i + 1 < argc && str_to_ll(argv[i + 1], 1, 60000, &cnt) == 0) {
			bool v6 = argv[i][5] == '6';

			for (long long k = 0; k < cnt && rc == 0; k++) {
				memset(&a, 0, sizeof(a));
				if (v6) {
					/* 2a00:KKKK::1, one /32 each. */
					a.ip[0] = 0x2a;
					a.ip[2] = (uint8_t)(k >> 8);
					a.ip[3] = (uint8_t)k;
					a.ip[15] = 1;
				} else
					/* 44.(k mod 256).(k / 256).1: the
					 * first 256 in distinct /16s. */
					netaddr_from_ipv4(&a, (44u << 24) |
					    ((uint32_t)(k & 0xff) << 16) |
					    ((uint32_t)(k >> 8 & 0xff) << 8) | 1, 0);
				rc = put(db, p, &a, NODE_NETWORK, 0, true, now) ? 1 : 0;
			}
			i++;
			continue;
		}
		if (!str_copy(buf, argv[i], sizeof(buf))) {
			fprintf(stderr, "seederdb: '%s' too long\n", argv[i]);
			rc = 1;
			break;
		}
		if (buf[0] == '-') {
			good = false;
			memmove(buf, buf + 1, strlen(buf));
		}
		if ((slash = strchr(buf, '/')) != NULL) {
			char *end, *asn_s;

			*slash = '\0';
			if ((asn_s = strchr(slash + 1, '/')) != NULL) {
				*asn_s++ = '\0';
				asn = strtoul(asn_s, NULL, 10);
			}
			svc = strtoull(slash + 1, &end, 16);
			if (*end != '\0') {
				fprintf(stderr, "seederdb: bad services in '%s'\n", argv[i]);
				rc = 1;
				break;
			}
		}
		if (netaddr_parse(buf, p->p2p_port, &a) == -1) {
			fprintf(stderr, "seederdb: bad address '%s'\n", buf);
			rc = 1;
			break;
		}
		rc = put(db, p, &a, svc, (uint32_t)asn, good, now) ? 1 : 0;
	}
	if (rc == 0 && crawldb_commit(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "seederdb: %s\n", err);
		rc = 1;
	}
	crawldb_close(db);
	return rc;
}
