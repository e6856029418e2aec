/* mkcrawldb.c -- write a synthetic crawl database (for console tests and benchmarks).
 *
 *   mkcrawldb FILE NODES [NETWORK]
 *
 * Creates (or adds to) FILE through common/crawldb.h with NODES nodes on
 * NETWORK (default regtest) at 10.x.y.z: a mix of versions, heights,
 * reachable and unreachable nodes, and locations in ten real cities with
 * their ASNs, so every part of the console's network view has data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crawldb.h"
#include "hash.h"

static const struct {
	const char	*cc, *city;
	double		 lat, lon;
	uint32_t	 asn;
	const char	*org;
} mk_places[] = {
	{ "DE", "Frankfurt", 50.11, 8.68, 24940, "Hetzner Online GmbH" },
	{ "US", "New York", 40.71, -74.01, 14061, "DigitalOcean, LLC" },
	{ "JP", "Tokyo", 35.68, 139.69, 2516, "KDDI Corporation" },
	{ "BR", "Sao Paulo", -23.55, -46.63, 28573, "Claro NXT" },
	{ "AU", "Sydney", -33.87, 151.21, 1221, "Telstra Limited" },
	{ "ZA", "Johannesburg", -26.20, 28.05, 37100, "SEACOM Ltd" },
	{ "US", "San Jose", 37.34, -121.89, 16509, "Amazon.com, Inc." },
	{ "FR", "Paris", 48.86, 2.35, 16276, "OVH SAS" },
	{ "SG", "Singapore", 1.35, 103.82, 14061, "DigitalOcean, LLC" },
	{ "IN", "Mumbai", 19.08, 72.88, 9498, "Bharti Airtel" },
};

int
main(int argc, char **argv)
{
	const char *net = argc > 3 ? argv[3] : "regtest";
	struct crawldb *db = NULL;
	char err[256] = "libsodium";
	long n;
	int64_t now = (int64_t)time(NULL);

	if (argc < 3 || (n = strtol(argv[2], NULL, 10)) < 0 || n > 10000000) {
		fprintf(stderr, "usage: mkcrawldb FILE NODES [NETWORK]\n");
		return 2;
	}
	if (hash_init() == -1 || (db = crawldb_open(argv[1], 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mkcrawldb: %s\n", err);
		return 1;
	}
	if (crawldb_begin(db, err, sizeof(err)) == -1)
		goto fail;
	for (long i = 0; i < n; i++) {
		struct crawldb_node c;
		bool up = i % 5 != 4;
		size_t p = (size_t)i % (sizeof(mk_places) / sizeof(mk_places[0]));

		memset(&c, 0, sizeof(c));
		netaddr_from_ipv4(&c.addr, 0x0a000000u | (uint32_t)(i + 1), 29001);
		snprintf(c.network, sizeof(c.network), "%s", net);
		c.services = 1;
		c.version = i % 7 == 6 ? 0 : 70100;
		snprintf(c.user_agent, sizeof(c.user_agent), "/agentnode:0.%ld.%ld/", i % 3, i % 2);
		c.height = (int32_t)(1000 + i % 4);
		c.connect_ms = 10 + (double)(i % 90);
		c.handshake_ms = up ? 20 + (double)(i % 180) : -1;
		c.first_seen = now - 86400;
		c.last_seen = now - 60;
		c.last_try = now - (i % 600);
		c.last_success = up ? c.last_try : now - 7200;
		c.attempts = 10;
		c.successes = up ? 10 : 3;
		for (int w = 0; w < CRAWLDB_WINDOWS; w++) {
			c.reliability[w] = up ? 0.95 : 0.2;
			c.weight[w] = 10;
			c.coverage[w] = 0.9;
		}
		snprintf(c.country, sizeof(c.country), "%s", mk_places[p].cc);
		snprintf(c.city, sizeof(c.city), "%s", mk_places[p].city);
		/* Spread a little around the city so marks are not one dot. */
		c.latitude = mk_places[p].lat + (double)(i % 11) * 0.3 - 1.5;
		c.longitude = mk_places[p].lon + (double)(i % 13) * 0.3 - 1.8;
		c.has_location = true;
		c.asn = mk_places[p].asn;
		snprintf(c.as_org, sizeof(c.as_org), "%s", mk_places[p].org);
		if (crawldb_put(db, &c, CRAWLDB_PUT_ALL, err, sizeof(err)) == -1)
			goto fail;
	}
	if (crawldb_commit(db, err, sizeof(err)) == -1)
		goto fail;
	crawldb_close(db);
	printf("wrote %ld nodes\n", n);
	return 0;
fail:
	fprintf(stderr, "mkcrawldb: %s\n", err);
	crawldb_close(db);
	return 1;
}
