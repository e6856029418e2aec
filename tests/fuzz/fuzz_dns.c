/* fuzz_dns.c -- libFuzzer target: agentseeder's query parser and answer builder.
 *
 * Every byte of a DNS query comes from anyone on the Internet.  The parser
 * must never read out of bounds, and every reply the builder produces for
 * any input must fit its buffer and, when not silently dropped, echo the
 * query's ID with QR set.  Each input is also answered by the same zone
 * signed (keys made once, in a scratch directory), so the DO paths --
 * pre-signed pools, NSEC proofs with owners built from the query's
 * labels, all-or-nothing truncation -- see the same inputs; a signed
 * reply must never set AD. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../dnsseeder/dns_answer.h"
#include "../../dnsseeder/dns_keys.h"
#include "../../dnsseeder/dns_query.h"
#include "../../dnsseeder/dns_sign.h"
#include "../../dnsseeder/goodset.h"
#include "hash.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dnsa_zone zone, signed_zone;
static struct goodset *gs;
static struct goodset_rng rng;

/* SIGNED_ZONE: ZONE with keys made in a scratch directory (removed
 * again) and 4 signed sets per name and type.  The signatures live until
 * the process ends. */
static void
sign_setup(void)
{
	char dir[] = "/tmp/fuzz_dns.XXXXXX", err[512], cmd[64];
	struct dnsk_keygen k = { 0 };
	struct dnsk_set *keys;
	struct dnss_zone in;
	struct dnss *sig;
	FILE *null = fopen("/dev/null", "w");

	if (mkdtemp(dir) == NULL || null == NULL)
		abort();
	k.dir = dir;
	k.host = "seed.example";
	k.now = (int64_t)time(NULL) - 10;
	if (dnsk_keygen(&k, null, null, err, sizeof(err)) == -1 ||
	    (keys = dnsk_load(dir, "seed.example", NULL, 0, err, sizeof(err))) == NULL)
		abort();
	fclose(null);
	signed_zone = zone;
	dnsa_zone_sign_input(&signed_zone, &in);
	if ((sig = dnss_build(&in, keys, gs, NULL, 4, time(NULL), err, sizeof(err))) == NULL)
		abort();
	dnsa_zone_set_signed(&signed_zone, sig);
	dnsk_free(keys);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		abort();
}

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
	sign_setup();
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
	for (unsigned flags = 0; flags <= (DNSA_TCP | DNSA_SLIP); flags++) {
		for (int z = 0; z < 2; z++) {
			n = dnsa_respond(z ? &signed_zone : &zone, gs, &rng, data, size, flags,
			    out, sizeof(out), &res);
			if (n > sizeof(out) ||
			    (!(flags & DNSA_TCP) && n > DNSA_EDNS_MAX && n > 512))
				abort();
			if (n >= 12 && size >= 2 && (memcmp(out, data, 2) != 0 ||
			    !(out[2] & 0x80) || (out[3] & DNS_FLAG_AD) != 0))
				abort();
			if (res.dnssec && z == 0)
				abort();
		}
	}
	return 0;
}
