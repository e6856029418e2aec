/* fuzz_dns.c -- libFuzzer target: agentseeder's query parser and answer builder.
 *
 * Every byte of a DNS query comes from anyone on the Internet.  The parser
 * must never read out of bounds, and every reply the builder produces for
 * any input must fit its buffer and, when not silently dropped, echo the
 * query's ID with QR set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../dnsseeder/dns_answer.h"
#include "../../dnsseeder/dns_query.h"
#include "../../dnsseeder/goodset.h"
#include "hash.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dnsa_zone zone;
static struct goodset *gs;
static struct goodset_rng rng;

static void
setup(void)
{
	struct dnsa_config c = { "seed.example", "ns1.example", "hostmaster@example.org",
	    60, 25, 16, NODE_NETWORK | NODE_RELAY | NODE_SEED };
	char err[256];

	if (hash_init() == -1 || dnsa_zone_init(&zone, &c, err, sizeof(err)) == -1)
		abort();
	gs = goodset_new(false);
	for (uint32_t i = 0; i < 60; i++) {
		struct netaddr a;

		netaddr_from_ipv4(&a, 0x0b000001u + (i << 16), 9001);
		goodset_add(gs, &a, i % 3 ? NODE_NETWORK : NODE_NETWORK | NODE_SEED, i % 7);
		memset(&a, 0, sizeof(a));
		a.ip[0] = 0x2a;
		a.ip[3] = (uint8_t)i;
		a.ip[15] = 1;
		a.port = 9001;
		goodset_add(gs, &a, NODE_NETWORK, 0);
	}
	goodset_finish(gs);
	goodset_rng_seed(&rng);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536];
	struct dnsa_result res;
	struct dnsq q;
	size_t n;

	if (gs == NULL)
		setup();
	(void)dnsq_parse(data, size, &q);
	for (unsigned flags = 0; flags <= DNSA_TCP; flags++) {
		n = dnsa_respond(&zone, gs, &rng, data, size, flags, out, sizeof(out), &res);
		if (n > sizeof(out) || (!(flags & DNSA_TCP) && n > DNSA_EDNS_MAX && n > 512))
			abort();
		if (n >= 12 && size >= 2 && (memcmp(out, data, 2) != 0 || !(out[2] & 0x80)))
			abort();
	}
	return 0;
}
