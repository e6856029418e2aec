/* test_dns_answer.c -- every DNS rule of agentseeder's answers (dnsseeder/dns_answer.c), checked with ldns.
 *
 * Replies are decoded by ldns_wire2pkt, an independent parser, and the
 * header bits are also checked on the raw bytes.  Signed replies (a zone
 * with keys, queries with DO) are verified with ldns against the zone's
 * DNSKEYs, negative ones with ldns's NSEC denial check as well. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "../../dnsseeder/dns_answer.h"
#include "../../dnsseeder/dns_keys.h"
#include "../../dnsseeder/dns_sign.h"
#include "../../dnsseeder/goodset.h"
#include "hash.h"
#include "msg.h"
#include "netaddr.h"

struct fx {
	struct dnsa_zone	 z;
	struct dnss		*sig;		/* signed fixture only */
	ldns_rr_list		*dnskeys;
	char			 dir[64];
	struct goodset		*gs;
	struct goodset_rng	 rng;
	uint8_t			 out[DNSA_OUT_MIN];
	struct dnsa_result	 res;
};

static void
add4(struct goodset *gs, uint32_t ip, uint64_t svc, uint32_t asn)
{
	struct netaddr a;

	netaddr_from_ipv4(&a, ip, 9001);
	assert_int_equal(goodset_add(gs, &a, svc, asn), 0);
}

static void
add6(struct goodset *gs, uint16_t k)
{
	struct netaddr a;

	memset(&a, 0, sizeof(a));
	a.ip[0] = 0x2a;
	a.ip[2] = (uint8_t)(k >> 8);
	a.ip[3] = (uint8_t)k;
	a.ip[15] = 1;
	a.port = 9001;
	assert_int_equal(goodset_add(gs, &a, NODE_NETWORK, 0), 0);
}

/* 100 IPv4 nodes in distinct /16s (services 1, every fourth 5) and 40
 * IPv6 nodes. */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct dnsa_config c = { "seed.example", "ns1.example", "hostmaster@example.org",
	    60, 25, 16, NODE_NETWORK | NODE_RELAY | NODE_SEED };
	char err[256];

	assert_int_equal(hash_init(), 0);
	assert_int_equal(dnsa_zone_init(&f->z, &c, err, sizeof(err)), 0);
	f->gs = goodset_new(false);
	for (uint32_t i = 0; i < 100; i++)
		add4(f->gs, (44u << 24) | (i << 16) | 1,
		    NODE_NETWORK | (i % 4 == 0 ? NODE_SEED : 0), 0);
	for (uint16_t i = 0; i < 40; i++)
		add6(f->gs, i);
	goodset_finish(f->gs);
	goodset_rng_seed(&f->rng);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	goodset_free(f->gs);
	free(f);
	return 0;
}

/* Build a query with ldns: NAME, TYPE, RD, and EDNS with UDP size EDNS
 * (< 0: none). Returns its wire form; caller frees. */
static uint8_t *
query(const char *name, ldns_rr_type type, int edns, bool do_bit, size_t *len)
{
	ldns_pkt *p = NULL;
	uint8_t *w;

	assert_int_equal(ldns_pkt_query_new_frm_str(&p, name, type, LDNS_RR_CLASS_IN,
	    LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_id(p, 0xbeef);
	if (edns >= 0) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
		ldns_pkt_set_edns_do(p, do_bit);
		/* ldns only writes OPT when something marks EDNS as used. */
		ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, 0, ""));
	}
	assert_int_equal(ldns_pkt2wire(&w, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return w;
}

/* Answer WIRE and decode the reply; NULL when there is none. */
static ldns_pkt *
ask_wire(struct fx *f, const uint8_t *w, size_t wl, unsigned flags, size_t *rlen)
{
	ldns_pkt *r = NULL;
	size_t n;

	n = dnsa_respond(&f->z, f->gs, &f->rng, w, wl, flags, f->out, sizeof(f->out),
	    &f->res);
	if (rlen != NULL)
		*rlen = n;
	if (n == 0)
		return NULL;
	assert_int_equal(ldns_wire2pkt(&r, f->out, n), LDNS_STATUS_OK);
	/* Header rules that hold for every reply. */
	assert_true(f->out[2] & 0x80);				/* QR */
	assert_int_equal(f->out[3] & 0x80, 0);			/* RA */
	assert_int_equal(f->out[3] & 0x20, 0);			/* AD */
	assert_int_equal(f->out[3] & 0x40, 0);			/* Z */
	assert_memory_equal(f->out, w, 2);			/* ID */
	if (wl > 12 && ldns_pkt_qdcount(r) == 1) {
		/* The question comes back byte for byte. */
		size_t ql = 0;

		while (w[12 + ql] != 0)
			ql += 1 + w[12 + ql];
		ql += 5;
		assert_memory_equal(f->out + 12, w + 12, ql);
	}
	return r;
}

static ldns_pkt *
ask(struct fx *f, const char *name, ldns_rr_type type, int edns, unsigned flags,
    size_t *rlen)
{
	size_t wl;
	uint8_t *w = query(name, type, edns, false, &wl);
	ldns_pkt *r = ask_wire(f, w, wl, flags, rlen);

	free(w);
	return r;
}

static char *
owner(const ldns_rr *rr)
{
	return ldns_rdf2str(ldns_rr_owner(rr));
}

static void
assert_soa_authority(ldns_pkt *r, const char *expect_owner, uint32_t ttl)
{
	ldns_rr_list *auth = ldns_pkt_authority(r);
	ldns_rr *soa;
	char *o;

	assert_int_equal(ldns_rr_list_rr_count(auth), 1);
	soa = ldns_rr_list_rr(auth, 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_ttl(soa), ttl);
	o = owner(soa);
	assert_string_equal(o, expect_owner);
	free(o);
}

static void
test_a_answer(void **state)
{
	struct fx *f = *state;
	size_t len;
	ldns_pkt *r = ask(f, "SeEd.ExAmPle.", LDNS_RR_TYPE_A, -1, 0, &len);
	ldns_rr_list *an = ldns_pkt_answer(r);
	char seen[100] = { 0 };

	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(r));
	assert_true(ldns_pkt_rd(r));		/* RD copied */
	assert_false(ldns_pkt_tc(r));
	assert_false(ldns_pkt_ra(r));
	assert_false(ldns_pkt_ad(r));
	assert_int_equal(ldns_rr_list_rr_count(an), 25);
	assert_int_equal(ldns_pkt_nscount(r), 0);
	assert_int_equal(ldns_pkt_arcount(r), 0);
	assert_true(len <= 512);
	for (size_t i = 0; i < 25; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		uint8_t *ip = ldns_rdf_data(ldns_rr_rdf(rr, 0));
		char *o = owner(rr);

		assert_string_equal(o, "SeEd.ExAmPle.");	/* 0x20 kept */
		free(o);
		assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
		assert_int_equal(ldns_rr_ttl(rr), 60);
		assert_int_equal(ip[0], 44);
		assert_true(ip[1] < 100);
		assert_int_equal(seen[ip[1]], 0);		/* distinct */
		seen[ip[1]] = 1;
	}
	assert_int_equal(f->res.answers, 25);
	ldns_pkt_free(r);
}

/* Each query draws a fresh sample, and over many queries every node is
 * handed out about equally often. */
static void
test_fresh_uniform_samples(void **state)
{
	struct fx *f = *state;
	unsigned count[100] = { 0 };
	char prev[64] = "";
	int same = 0;

	for (int q = 0; q < 2000; q++) {
		ldns_pkt *r = ask(f, "seed.example.", LDNS_RR_TYPE_A, -1, 0, NULL);
		ldns_rr_list *an = ldns_pkt_answer(r);
		char key[64];

		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++)
			count[ldns_rdf_data(ldns_rr_rdf(ldns_rr_list_rr(an, i), 0))[1]]++;
		snprintf(key, sizeof(key), "%u.%u.%u", f->out[12 + 14 + 4 + 12 + 1],
		    f->out[12 + 14 + 4 + 28 + 1], f->out[12 + 14 + 4 + 44 + 1]);
		same += strcmp(key, prev) == 0;
		memcpy(prev, key, sizeof(key));
		ldns_pkt_free(r);
	}
	assert_true(same < 5);
	/* Expected 500 each (2000 x 25 / 100); binomial sd about 19. */
	for (int i = 0; i < 100; i++) {
		assert_true(count[i] > 400);
		assert_true(count[i] < 600);
	}
}

static void
test_aaaa_and_no_edns_truncation(void **state)
{
	struct fx *f = *state;
	size_t len;
	ldns_pkt *r = ask(f, "seed.example.", LDNS_RR_TYPE_AAAA, -1, 0, &len);

	/* 16 AAAA (the default) fit 512 bytes. */
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(r)), 16);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(r), 0)),
	    LDNS_RR_TYPE_AAAA);
	assert_true(len <= 512);
	ldns_pkt_free(r);

	/* 30 do not: as many whole records as fit, and TC. */
	f->z.max_aaaa = 30;
	r = ask(f, "seed.example.", LDNS_RR_TYPE_AAAA, -1, 0, &len);
	assert_true(ldns_pkt_tc(r));
	assert_true(f->res.truncated);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(r)),
	    (512 - 12 - 18) / 28);
	assert_true(len <= 512);
	ldns_pkt_free(r);

	/* Over TCP: everything, no TC. */
	r = ask(f, "seed.example.", LDNS_RR_TYPE_AAAA, -1, DNSA_TCP, &len);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(r)), 30);
	ldns_pkt_free(r);

	/* With EDNS 1232 it fits over UDP. */
	r = ask(f, "seed.example.", LDNS_RR_TYPE_AAAA, 1232, 0, &len);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(r)), 30);
	ldns_pkt_free(r);
	f->z.max_aaaa = 16;
}

static void
test_edns_sizes(void **state)
{
	struct fx *f = *state;
	static const struct { int offer; size_t limit; } cases[] = {
		{ 0, 512 }, { 100, 512 }, { 512, 512 }, { 800, 800 }, { 1232, 1232 },
		{ 1400, 1232 }, { 4096, 1232 }, { 65535, 1232 },
	};
	size_t len;

	f->z.max_a = 256;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_pkt *r = ask(f, "seed.example.", LDNS_RR_TYPE_A, cases[i].offer, 0,
		    &len);
		size_t want = (cases[i].limit - 12 - 18 - 11) / 16;

		want = want > 100 ? 100 : want;
		assert_true(len <= cases[i].limit);
		assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(r)), want);
		assert_int_equal(ldns_pkt_tc(r), want < 100);
		/* Our OPT: payload 1232, version 0, no extended rcode. */
		assert_int_equal(ldns_pkt_edns_udp_size(r), 1232);
		assert_int_equal(ldns_pkt_edns_version(r), 0);
		assert_int_equal(ldns_pkt_edns_extended_rcode(r), 0);
		assert_false(ldns_pkt_edns_do(r));
		ldns_pkt_free(r);
	}
	/* TCP: all 100. */
	{
		ldns_pkt *r = ask(f, "seed.example.", LDNS_RR_TYPE_A, 1232, DNSA_TCP, &len);

		assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(r)), 100);
		assert_false(ldns_pkt_tc(r));
		ldns_pkt_free(r);
	}
	f->z.max_a = 25;
	/* DO is copied (RFC 3225). */
	{
		size_t wl;
		uint8_t *w = query("seed.example.", LDNS_RR_TYPE_A, 1232, true, &wl);
		ldns_pkt *r = ask_wire(f, w, wl, 0, &len);

		assert_true(ldns_pkt_edns_do(r));
		ldns_pkt_free(r);
		free(w);
	}
}

static void
test_nodata_with_soa(void **state)
{
	struct fx *f = *state;
	struct goodset *full = f->gs;
	ldns_pkt *r;

	/* An empty set: NODATA with the zone's SOA, never an address. */
	f->gs = goodset_new(false);
	goodset_finish(f->gs);
	dnsa_zone_set_serial(&f->z, 1234567);
	r = ask(f, "SEED.example.", LDNS_RR_TYPE_A, -1, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(r));
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_soa_authority(r, "SEED.example.", 60);
	assert_int_equal(ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(
	    ldns_pkt_authority(r), 0), 2)), 1234567);
	assert_true(f->res.nodata);
	ldns_pkt_free(r);
	goodset_free(f->gs);

	/* No set at all yet: the same. */
	f->gs = NULL;
	r = ask(f, "seed.example.", LDNS_RR_TYPE_AAAA, -1, 0, NULL);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_soa_authority(r, "seed.example.", 60);
	ldns_pkt_free(r);
	f->gs = full;

	/* A filter nobody matches: the SOA is the apex's, not the name's. */
	r = ask(f, "x6.Seed.Example.", LDNS_RR_TYPE_A, -1, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_soa_authority(r, "Seed.Example.", 60);
	ldns_pkt_free(r);

	/* Other types at the apex and filters. */
	r = ask(f, "seed.example.", LDNS_RR_TYPE_TXT, 1232, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_soa_authority(r, "seed.example.", 60);
	ldns_pkt_free(r);
	r = ask(f, "x1.seed.example.", LDNS_RR_TYPE_SOA, -1, 0, NULL);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_soa_authority(r, "seed.example.", 60);
	ldns_pkt_free(r);
	r = ask(f, "x1.seed.example.", LDNS_RR_TYPE_NS, -1, 0, NULL);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_soa_authority(r, "seed.example.", 60);
	ldns_pkt_free(r);
}

static void
test_nxdomain(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = {
		"foo.seed.example.", "a.x1.seed.example.", "x0.seed.example.",
		"x8.seed.example.", "x01.seed.example.", "xg.seed.example.",
		"x.seed.example.", "y1.seed.example.", "x10000000000000001.seed.example.",
		"ns1.seed.example.",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ldns_pkt *r = ask(f, names[i], LDNS_RR_TYPE_A, -1, 0, NULL);

		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
		assert_true(ldns_pkt_aa(r));
		assert_int_equal(ldns_pkt_ancount(r), 0);
		assert_soa_authority(r, "seed.example.", 60);
		ldns_pkt_free(r);
	}
}

static void
test_refused(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = {
		"example.com.", "example.", ".", "xseed.example.", "seed.example.com.",
		"eed.example.",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ldns_pkt *r = ask(f, names[i], LDNS_RR_TYPE_A, 1232, 0, NULL);

		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
		assert_false(ldns_pkt_aa(r));
		assert_int_equal(ldns_pkt_qdcount(r), 1);
		assert_int_equal(ldns_pkt_ancount(r), 0);
		assert_int_equal(ldns_pkt_nscount(r), 0);
		assert_int_equal(ldns_pkt_edns_udp_size(r), 1232);
		ldns_pkt_free(r);
	}
	/* No zone transfers. */
	{
		ldns_pkt *r = ask(f, "seed.example.", LDNS_RR_TYPE_AXFR, -1, DNSA_TCP, NULL);

		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
		ldns_pkt_free(r);
		r = ask(f, "seed.example.", LDNS_RR_TYPE_IXFR, -1, 0, NULL);
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
		ldns_pkt_free(r);
		r = ask(f, "seed.example.", LDNS_RR_TYPE_MAILB, -1, 0, NULL);
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOTIMPL);
		ldns_pkt_free(r);
	}
	/* Class CH. */
	{
		ldns_pkt *p = NULL, *r;
		uint8_t *w;
		size_t wl;

		assert_int_equal(ldns_pkt_query_new_frm_str(&p, "seed.example.",
		    LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, 0), LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt2wire(&w, p, &wl), LDNS_STATUS_OK);
		r = ask_wire(f, w, wl, 0, NULL);
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
		ldns_pkt_free(r);
		ldns_pkt_free(p);
		free(w);
	}
}

static void
test_soa_ns_any(void **state)
{
	struct fx *f = *state;
	ldns_rr *rr;
	ldns_pkt *r;
	char *s;

	dnsa_zone_set_serial(&f->z, 42);
	r = ask(f, "seed.EXAMPLE.", LDNS_RR_TYPE_SOA, -1, 0, NULL);
	assert_int_equal(ldns_pkt_ancount(r), 1);
	rr = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rr_ttl(rr), DNSA_SOA_TTL);
	s = ldns_rr2str(rr);
	assert_non_null(strstr(s, "seed.EXAMPLE.\t3600\tIN\tSOA\tns1.example. "
	    "hostmaster.example.org. 42 3600 600 86400 60"));
	free(s);
	ldns_pkt_free(r);

	r = ask(f, "seed.example.", LDNS_RR_TYPE_NS, -1, 0, NULL);
	assert_int_equal(ldns_pkt_ancount(r), 1);
	rr = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_NS);
	s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	assert_string_equal(s, "ns1.example.");
	free(s);
	ldns_pkt_free(r);

	/* ANY: one synthesised HINFO (RFC 8482), over UDP and TCP alike. */
	for (int tcp = 0; tcp < 2; tcp++) {
		size_t len;

		r = ask(f, "x1.seed.example.", LDNS_RR_TYPE_ANY, -1, tcp ? DNSA_TCP : 0,
		    &len);
		assert_int_equal(ldns_pkt_ancount(r), 1);
		rr = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
		assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_HINFO);
		s = ldns_rr2str(rr);
		assert_non_null(strstr(s, "\"RFC8482\" \"\""));
		free(s);
		assert_true(len < 80);		/* no amplification */
		ldns_pkt_free(r);
	}
}

static void
test_filters(void **state)
{
	struct fx *f = *state;

	/* x4 (NODE_SEED): only the 25 nodes with i % 4 == 0; X5 as well,
	 * upper case included. */
	for (int k = 0; k < 2; k++) {
		ldns_pkt *r = ask(f, k ? "X5.seed.example." : "x4.seed.example.",
		    LDNS_RR_TYPE_A, -1, 0, NULL);
		ldns_rr_list *an = ldns_pkt_answer(r);

		assert_int_equal(ldns_rr_list_rr_count(an), 25);
		for (size_t i = 0; i < 25; i++)
			assert_int_equal(ldns_rdf_data(ldns_rr_rdf(
			    ldns_rr_list_rr(an, i), 0))[1] % 4, 0);
		ldns_pkt_free(r);
	}
	/* x1: everyone; AAAA filters work the same way. */
	{
		ldns_pkt *r = ask(f, "x1.seed.example.", LDNS_RR_TYPE_AAAA, -1, 0, NULL);

		assert_int_equal(ldns_pkt_ancount(r), 16);
		ldns_pkt_free(r);
		r = ask(f, "x4.seed.example.", LDNS_RR_TYPE_AAAA, -1, 0, NULL);
		assert_int_equal(ldns_pkt_ancount(r), 0);
		assert_int_equal(ldns_pkt_nscount(r), 1);
		ldns_pkt_free(r);
	}
}

static void
test_errors(void **state)
{
	struct fx *f = *state;
	uint8_t q[64], *w;
	size_t wl, len;
	ldns_pkt *r;

	/* FORMERR: QDCOUNT 0, nothing to echo. */
	memset(q, 0, 12);
	q[0] = 0xab; q[1] = 0xcd;
	r = ask_wire(f, q, 12, 0, &len);
	assert_int_equal(len, 12);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	assert_int_equal(ldns_pkt_qdcount(r), 0);
	assert_false(ldns_pkt_aa(r));
	ldns_pkt_free(r);

	/* FORMERR with the question echoed (ANCOUNT 1). */
	w = query("seed.example.", LDNS_RR_TYPE_A, -1, false, &wl);
	w[7] = 1;
	r = ask_wire(f, w, wl, 0, &len);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	assert_int_equal(ldns_pkt_qdcount(r), 1);
	ldns_pkt_free(r);
	w[7] = 0;

	/* NOTIMP for opcode NOTIFY, RD/CD copied, AD dropped. */
	w[2] = 0x21;		/* opcode 4, RD */
	w[3] = 0x30;		/* AD, CD */
	r = ask_wire(f, w, wl, 0, &len);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOTIMPL);
	assert_int_equal(ldns_pkt_get_opcode(r), LDNS_PACKET_NOTIFY);
	assert_true(ldns_pkt_rd(r));
	assert_true(ldns_pkt_cd(r));
	assert_false(ldns_pkt_ad(r));
	ldns_pkt_free(r);

	/* A normal query with AD set gets an answer without AD. */
	w[2] = 0x01;
	r = ask_wire(f, w, wl, 0, &len);
	assert_int_equal(ldns_pkt_ancount(r), 25);
	assert_false(ldns_pkt_ad(r));
	assert_true(ldns_pkt_cd(r));
	ldns_pkt_free(r);

	/* QR=1: silence. */
	w[2] |= 0x80;
	assert_null(ask_wire(f, w, wl, 0, &len));
	assert_int_equal(len, 0);
	assert_true(f->res.dropped);
	free(w);

	/* Too short for a header: silence. */
	assert_null(ask_wire(f, q, 11, 0, &len));
	assert_int_equal(len, 0);

	/* BADVERS: rcode 16 = header 0 + OPT extended rcode 1, OPT kept. */
	w = query("seed.example.", LDNS_RR_TYPE_A, 1232, false, &wl);
	w[wl - 5] = 1;		/* EDNS version 1 */
	r = ask_wire(f, w, wl, 0, &len);
	assert_int_equal(ldns_pkt_get_rcode(r), 0);
	assert_int_equal(ldns_pkt_edns_extended_rcode(r), 1);
	assert_int_equal(ldns_pkt_edns_version(r), 0);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(f->res.rcode, DNS_RCODE_BADVERS);
	ldns_pkt_free(r);
	free(w);
}

static void
test_slip(void **state)
{
	struct fx *f = *state;
	size_t len;
	ldns_pkt *r = ask(f, "seed.example.", LDNS_RR_TYPE_A, -1, DNSA_SLIP, &len);

	assert_true(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(ldns_pkt_qdcount(r), 1);
	ldns_pkt_free(r);
}

/* Diversity: 10 nodes of one /16 among 30 others, 5 of one ASN: an answer
 * of 25 takes at most one of each when it has the choice. */
static void
test_diversity(void **state)
{
	struct fx *f = *state;
	struct goodset *full = f->gs;

	f->gs = goodset_new(false);
	for (uint32_t i = 0; i < 10; i++)
		add4(f->gs, (45u << 24) | (7u << 16) | (i + 1), NODE_NETWORK, 0);
	for (uint32_t i = 0; i < 30; i++)
		add4(f->gs, (46u << 24) | (i << 16) | 1, NODE_NETWORK, i < 5 ? 64500 : 0);
	goodset_finish(f->gs);
	for (int q = 0; q < 200; q++) {
		ldns_pkt *r = ask(f, "seed.example.", LDNS_RR_TYPE_A, -1, 0, NULL);
		ldns_rr_list *an = ldns_pkt_answer(r);
		int grp = 0, asn = 0;

		assert_int_equal(ldns_rr_list_rr_count(an), 25);
		for (size_t i = 0; i < 25; i++) {
			uint8_t *ip = ldns_rdf_data(ldns_rr_rdf(ldns_rr_list_rr(an, i), 0));

			grp += ip[0] == 45;
			asn += ip[0] == 46 && ip[1] < 5;
		}
		assert_true(grp <= 1);
		assert_true(asn <= 1);
		ldns_pkt_free(r);
	}
	/* Only one group: all of it is still served (diversity is a
	 * preference, not a filter). */
	goodset_free(f->gs);
	f->gs = goodset_new(false);
	for (uint32_t i = 0; i < 10; i++)
		add4(f->gs, (45u << 24) | (7u << 16) | (i + 1), NODE_NETWORK, 0);
	goodset_finish(f->gs);
	{
		ldns_pkt *r = ask(f, "seed.example.", LDNS_RR_TYPE_A, -1, 0, NULL);

		assert_int_equal(ldns_pkt_ancount(r), 10);
		ldns_pkt_free(r);
	}
	goodset_free(f->gs);
	f->gs = full;
}

/* --- issue 15 item 22: DNS details, as NSD answers them ------------------ */

/* The header, then QNAME/QTYPE/class IN. */
static size_t
raw_query(uint8_t *b, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar,
    const char *wname, size_t wnamelen, uint16_t qtype)
{
	size_t n = 0;

	b[n++] = 0xbe; b[n++] = 0xef;
	b[n++] = (uint8_t)(flags >> 8); b[n++] = (uint8_t)flags;
	b[n++] = 0; b[n++] = (uint8_t)qd;
	b[n++] = 0; b[n++] = (uint8_t)an;
	b[n++] = 0; b[n++] = (uint8_t)ns;
	b[n++] = 0; b[n++] = (uint8_t)ar;
	memcpy(b + n, wname, wnamelen);
	n += wnamelen;
	b[n++] = (uint8_t)(qtype >> 8); b[n++] = (uint8_t)qtype;
	b[n++] = 0; b[n++] = 1;
	return n;
}

#define SEED_WIRE	"\4seed\7example", 14
/* An SOA owned by the question's name (a pointer to offset 12). */
#define SOA_RR		"\xc0\x0c\0\6\0\1\0\0\0\0\0\x16\0\0" \
			"\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
#define SOA_RR_LEN	34
/* OPT: root, payload 1200, DO set. */
#define OPT_RR		"\0\0\x29\x04\xb0\0\0\x80\0\0\0"
#define OPT_RR_LEN	11

static uint16_t
arcount_of(const struct fx *f)
{
	return (uint16_t)((f->out[10] << 8) | f->out[11]);
}

/* Issue 15 item 22: an IXFR query in RFC 1995 form (the client's SOA in
 * the authority section) got FORMERR; NSD answers REFUSED, as for any
 * transfer. */
static void
test_ixfr_rfc1995_form_refused(void **state)
{
	struct fx *f = *state;
	uint8_t q[512];
	size_t n;
	ldns_pkt *r;

	for (int tcp = 0; tcp < 2; tcp++) {
		n = raw_query(q, 0, 1, 0, 1, 0, SEED_WIRE, DNS_TYPE_IXFR);
		memcpy(q + n, SOA_RR, SOA_RR_LEN);
		n += SOA_RR_LEN;
		r = ask_wire(f, q, n, tcp ? DNSA_TCP : 0, NULL);
		assert_non_null(r);
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
		assert_int_equal(ldns_pkt_qdcount(r), 1);
		assert_int_equal(ldns_pkt_nscount(r), 0);
		assert_int_equal(arcount_of(f), 0);
		ldns_pkt_free(r);
		/* With EDNS: the OPT comes back. */
		q[11] = 1;
		memcpy(q + n, OPT_RR, OPT_RR_LEN);
		r = ask_wire(f, q, n + OPT_RR_LEN, tcp ? DNSA_TCP : 0, NULL);
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
		assert_int_equal(arcount_of(f), 1);
		assert_int_equal(ldns_pkt_edns_udp_size(r), DNSA_EDNS_MAX);
		ldns_pkt_free(r);
	}
	/* Outside the zone: REFUSED as well. */
	n = raw_query(q, 0, 1, 0, 1, 0, "\3foo\0", 5, DNS_TYPE_IXFR);
	memcpy(q + n, SOA_RR, SOA_RR_LEN);
	r = ask_wire(f, q, n + SOA_RR_LEN, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
	ldns_pkt_free(r);
	/* Only IXFR may carry authority records, and a bounded number. */
	n = raw_query(q, 0, 1, 0, 1, 0, SEED_WIRE, DNS_TYPE_A);
	memcpy(q + n, SOA_RR, SOA_RR_LEN);
	r = ask_wire(f, q, n + SOA_RR_LEN, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	ldns_pkt_free(r);
	n = raw_query(q, 0, 1, 0, DNS_IXFR_MAX_AUTH + 1, 0, SEED_WIRE, DNS_TYPE_IXFR);
	for (int i = 0; i <= DNS_IXFR_MAX_AUTH && n + 11 <= sizeof(q); i++) {
		memcpy(q + n, "\xc0\x0c\0\6\0\1\0\0\0\0\0", 11);	/* empty rdata */
		n += 11;
	}
	r = ask_wire(f, q, n, DNSA_TCP, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	ldns_pkt_free(r);
	/* A truncated SOA in the authority section is FORMERR. */
	n = raw_query(q, 0, 1, 0, 1, 0, SEED_WIRE, DNS_TYPE_IXFR);
	memcpy(q + n, SOA_RR, SOA_RR_LEN);
	r = ask_wire(f, q, n + SOA_RR_LEN - 1, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	ldns_pkt_free(r);
}

/* Check that the reply in F carries an OPT with our size and the query's
 * DO bit, and RCODE. */
static void
assert_error_with_opt(struct fx *f, ldns_pkt *r, ldns_pkt_rcode rcode)
{
	assert_non_null(r);
	assert_int_equal(ldns_pkt_get_rcode(r), rcode);
	assert_int_equal(arcount_of(f), 1);
	assert_int_equal(ldns_pkt_edns_udp_size(r), DNSA_EDNS_MAX);
	assert_true(ldns_pkt_edns_do(r));
	assert_int_equal(ldns_pkt_edns_version(r), 0);
	ldns_pkt_free(r);
}

/* Issue 15 item 22: NOTIMP and FORMERR replies to EDNS queries lacked
 * the OPT record that RFC 6891 6.1.1 asks for: the parser stopped before
 * the additional section. */
static void
test_notimp_and_formerr_to_edns_query_carry_opt(void **state)
{
	struct fx *f = *state;
	uint8_t q[512];
	size_t n;

	/* Opcodes NOTIFY, UPDATE and 15 with OPT: NOTIMP with OPT. */
	for (unsigned op = 1; op < 16; op += 3) {
		n = raw_query(q, (uint16_t)(op << 11), 1, 0, 0, 1, SEED_WIRE, DNS_TYPE_SOA);
		memcpy(q + n, OPT_RR, OPT_RR_LEN);
		assert_error_with_opt(f, ask_wire(f, q, n + OPT_RR_LEN, 0, NULL),
		    LDNS_RCODE_NOTIMPL);
	}
	/* UPDATE with records in its prerequisite and update sections. */
	n = raw_query(q, 5 << 11, 1, 1, 1, 1, SEED_WIRE, DNS_TYPE_SOA);
	memcpy(q + n, SOA_RR, SOA_RR_LEN);
	memcpy(q + n + SOA_RR_LEN, SOA_RR, SOA_RR_LEN);
	memcpy(q + n + 2 * SOA_RR_LEN, OPT_RR, OPT_RR_LEN);
	assert_error_with_opt(f, ask_wire(f, q, n + 2 * SOA_RR_LEN + OPT_RR_LEN, 0, NULL),
	    LDNS_RCODE_NOTIMPL);
	/* Records in the answer section. */
	n = raw_query(q, 0, 1, 1, 0, 1, SEED_WIRE, DNS_TYPE_A);
	memcpy(q + n, SOA_RR, SOA_RR_LEN);
	memcpy(q + n + SOA_RR_LEN, OPT_RR, OPT_RR_LEN);
	assert_error_with_opt(f, ask_wire(f, q, n + SOA_RR_LEN + OPT_RR_LEN, 0, NULL),
	    LDNS_RCODE_FORMERR);
	assert_string_equal(f->res.why, "records in answer or authority");
	/* Two questions. */
	n = raw_query(q, 0, 2, 0, 0, 1, SEED_WIRE, DNS_TYPE_A);
	memcpy(q + n, q + 12, 18);
	memcpy(q + n + 18, OPT_RR, OPT_RR_LEN);
	assert_error_with_opt(f, ask_wire(f, q, n + 18 + OPT_RR_LEN, 0, NULL),
	    LDNS_RCODE_FORMERR);
	assert_string_equal(f->res.why, "several questions");
	/* No question. */
	n = raw_query(q, 0, 0, 0, 0, 1, "", 0, 0) - 4;
	memcpy(q + n, OPT_RR, OPT_RR_LEN);
	assert_error_with_opt(f, ask_wire(f, q, n + OPT_RR_LEN, 0, NULL),
	    LDNS_RCODE_FORMERR);
	/* Without OPT, none comes back. */
	n = raw_query(q, 5 << 11, 1, 0, 0, 0, SEED_WIRE, DNS_TYPE_SOA);
	{
		ldns_pkt *r = ask_wire(f, q, n, 0, NULL);

		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOTIMPL);
		assert_int_equal(arcount_of(f), 0);
		ldns_pkt_free(r);
	}
	/* Too broken to find the sections (a bad question): no OPT, as
	 * before. */
	n = raw_query(q, 0, 1, 0, 0, 1, "\xc0\x0c", 2, DNS_TYPE_A);
	memcpy(q + n, OPT_RR, OPT_RR_LEN);
	{
		ldns_pkt *r = ask_wire(f, q, n + OPT_RR_LEN, 0, NULL);

		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
		assert_int_equal(arcount_of(f), 0);
		ldns_pkt_free(r);
	}
}

/* A query signed with ldns (hmac-sha256 key KEY), EDNS when EDNS >= 0. */
static uint8_t *
signed_query(const char *name, const char *key, int edns, size_t *len)
{
	ldns_pkt *p = NULL;
	uint8_t *w;

	assert_int_equal(ldns_pkt_query_new_frm_str(&p, name, LDNS_RR_TYPE_A,
	    LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
	ldns_pkt_set_id(p, 0xbeef);
	if (edns >= 0) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
		ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, 0, ""));
	}
	assert_int_equal(ldns_pkt_tsig_sign(p, key, "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", 300,
	    "hmac-sha256.", NULL), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt2wire(&w, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return w;
}

static void
assert_badkey(struct fx *f, ldns_pkt *r, const char *key, uint16_t ar)
{
	ldns_rr *t;
	char *s;

	assert_non_null(r);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOTAUTH);
	assert_int_equal(f->res.rcode, DNS_RCODE_NOTAUTH);
	assert_false(ldns_pkt_aa(r));
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(arcount_of(f), ar);
	assert_non_null(t = ldns_pkt_tsig(r));
	s = owner(t);
	assert_string_equal(s, key);
	free(s);
	assert_int_equal(ldns_rr_get_class(t), LDNS_RR_CLASS_ANY);
	assert_int_equal(ldns_rr_ttl(t), 0);
	s = ldns_rdf2str(ldns_rr_rdf(t, 0));
	assert_string_equal(s, "hmac-sha256.");
	free(s);
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(t, 2)), 300);	/* fudge */
	/* ldns keeps the MAC with its size: two bytes of zero. */
	assert_int_equal(ldns_rdf_size(ldns_rr_rdf(t, 3)), 2);
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(t, 3)), 0);
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(t, 4)), 0xbeef);	/* original ID */
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(t, 5)), DNS_TSIG_BADKEY);
	ldns_pkt_free(r);
}

/* Issue 15 item 22: a TSIG-signed query was answered, unsigned, as if it
 * were not signed.  With no keys configured every key is unknown: NOTAUTH
 * with an unsigned TSIG saying BADKEY (RFC 8945 5.2.2, 5.3.2), byte for
 * byte as NSD answers it (the seeder also echoes the question). */
static void
test_tsig_signed_query_notauth_badkey(void **state)
{
	struct fx *f = *state;
	uint8_t *w, q[600];
	size_t wl, n;
	ldns_pkt *r;

	w = signed_query("seed.example.", "testkey.", -1, &wl);
	assert_badkey(f, ask_wire(f, w, wl, 0, NULL), "testkey.", 1);
	/* The time signed is copied from the query. */
	assert_memory_equal(f->out + 12 + 18 + 9 + 10 + 13, w + 12 + 18 + 9 + 10 + 13, 8);
	free(w);
	/* With EDNS: OPT, then TSIG last; outside the zone the same. */
	w = signed_query("seed.example.", "other.key.", 1232, &wl);
	assert_badkey(f, ask_wire(f, w, wl, DNSA_TCP, NULL), "other.key.", 2);
	free(w);
	w = signed_query("example.com.", "k.", 1232, &wl);
	assert_badkey(f, ask_wire(f, w, wl, 0, NULL), "k.", 2);
	free(w);
	/* A rate-limited signed query gets the same (it is small). */
	w = signed_query("seed.example.", "k.", -1, &wl);
	assert_badkey(f, ask_wire(f, w, wl, DNSA_SLIP, NULL), "k.", 1);

	/* TSIG not the last record, or two of them: FORMERR. */
	memcpy(q, w, wl);
	q[11] = 2;
	memcpy(q + wl, OPT_RR, OPT_RR_LEN);
	r = ask_wire(f, q, wl + OPT_RR_LEN, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	assert_string_equal(f->res.why, "TSIG not the last record");
	ldns_pkt_free(r);
	memcpy(q + wl, w + 12 + 18, wl - 12 - 18);
	r = ask_wire(f, q, wl + wl - 12 - 18, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	ldns_pkt_free(r);
	/* A TSIG whose rdata is cut short: FORMERR. */
	memcpy(q, w, wl);
	q[11] = 1;
	q[12 + 18 + 3 + 9] = (uint8_t)(q[12 + 18 + 3 + 9] - 1);	/* rdlength - 1 */
	r = ask_wire(f, q, wl - 1, 0, NULL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	assert_string_equal(f->res.why, "bad TSIG");
	ldns_pkt_free(r);
	free(w);

	/* A key name and a question name of 255 bytes each: without EDNS
	 * the question is left out to make room; the TSIG comes back whole. */
	{
		char key[300];

		for (int i = 0; i < 3; i++)
			memcpy(key + 64 * i, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.", 64);
		strcpy(key + 192, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.");
		w = signed_query(key, key, -1, &wl);
		r = ask_wire(f, w, wl, 0, &n);
		assert_true(n <= DNS_UDP_PLAIN);
		assert_int_equal(ldns_pkt_qdcount(r), 0);
		assert_badkey(f, r, key, 1);
		free(w);
	}
	/* Key and algorithm names of 255 bytes do not fit 512 bytes at all:
	 * TC, no TSIG, and TCP gets the whole reply. */
	{
		static const uint8_t lens[4] = { 61, 63, 63, 63 };
		uint8_t name[255];
		size_t k = 0;

		for (int i = 0; i < 4; i++) {
			name[k++] = lens[i];
			memset(name + k, 'a', lens[i]);
			k += lens[i];
		}
		name[k++] = 0;
		assert_int_equal(k, 255);
		n = raw_query(q, 0, 1, 0, 0, 1, SEED_WIRE, DNS_TYPE_A);
		memcpy(q + n, name, 255);
		n += 255;
		memcpy(q + n, "\0\xfa\0\xff\0\0\0\0\x01\x0f", 10);	/* rdlength 271 */
		n += 10;
		memcpy(q + n, name, 255);
		n += 255;
		memcpy(q + n, "\0\0\x6b\x0f\xc0\x34\x01\x2c\0\0\xbe\xef\0\0\0\0", 16);
		n += 16;
		r = ask_wire(f, q, n, 0, &wl);
		assert_non_null(r);
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOTAUTH);
		assert_true(ldns_pkt_tc(r));
		assert_null(ldns_pkt_tsig(r));
		ldns_pkt_free(r);
		r = ask_wire(f, q, n, DNSA_TCP, &wl);
		assert_false(ldns_pkt_tc(r));
		assert_int_equal(ldns_pkt_qdcount(r), 1);
		assert_non_null(ldns_pkt_tsig(r));
		assert_true(wl > DNS_UDP_PLAIN);
		ldns_pkt_free(r);
	}
}

static void
test_zone_config(void **state)
{
	struct dnsa_zone z;
	struct dnsa_config c = { "seed.example", "ns1.example", "host.master@example.org",
	    60, 25, 16, 7 };
	char err[256];

	(void)state;
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), 0);
	/* host.master@example.org -> host\.master.example.org: 3 labels. */
	assert_memory_equal(z.soa_rdata + 13, "\x0bhost.master\x07" "example\x03org", 24);
	c.ttl = 59;
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--ttl"));
	c.ttl = 60;
	c.host = "bad..name";
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--host"));
	c.host = "";
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), -1);
	c.host = "seed.example.";
	c.ns = NULL;
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--ns"));
	c.ns = "ns.seed.example";
	c.mbox = "a@b@c";
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--mbox"));
	c.mbox = "hostmaster.example.org";
	c.max_a = 0;
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), -1);
	c.max_a = 257;
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), -1);
	c.max_a = 25;
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), 0);
	assert_true(z.ns_in_zone);
	/* The apex is stored lower case. */
	c.host = "SEED.Example";
	assert_int_equal(dnsa_zone_init(&z, &c, err, sizeof(err)), 0);
	assert_memory_equal(z.apex, "\x04seed\x07" "example", 14);
}

/* A tiny output buffer is refused rather than overrun. */
static void
test_small_buffer(void **state)
{
	struct fx *f = *state;
	uint8_t small[100];
	size_t wl;
	uint8_t *w = query("seed.example.", LDNS_RR_TYPE_A, -1, false, &wl);

	assert_int_equal(dnsa_respond(&f->z, f->gs, &f->rng, w, wl, 0, small,
	    sizeof(small), &f->res), 0);
	free(w);
}

/* --- signed zone --------------------------------------------------------------- */

/* The same zone signed with fresh keys, 8 answer sets per name and type. */
static int
setup_signed(void **state)
{
	struct fx *f;
	struct dnsk_keygen k;
	struct dnsk_set *keys;
	struct dnss_zone in;
	char err[512];
	FILE *null = fopen("/dev/null", "w");
	ldns_pkt *r;
	size_t wl;
	uint8_t *w;

	setup(state);
	f = *state;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_dns_answer.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	memset(&k, 0, sizeof(k));
	k.dir = f->dir;
	k.host = "seed.example";
	k.now = time(NULL) - 10;
	assert_int_equal(dnsk_keygen(&k, null, null, err, sizeof(err)), 0);
	fclose(null);
	assert_non_null(keys = dnsk_load(f->dir, "seed.example", NULL, 0, err, sizeof(err)));
	dnsa_zone_set_serial(&f->z, 77);
	dnsa_zone_sign_input(&f->z, &in);
	f->sig = dnss_build(&in, keys, f->gs, NULL, 8, time(NULL), err, sizeof(err));
	assert_non_null(f->sig);
	dnsk_free(keys);
	dnsa_zone_set_signed(&f->z, f->sig);
	/* The DNSKEY RRset as a DO query gets it, checked with itself. */
	w = query("seed.example.", LDNS_RR_TYPE_DNSKEY, 1232, true, &wl);
	r = ask_wire(f, w, wl, 0, NULL);
	free(w);
	f->dnskeys = ldns_pkt_rr_list_by_type(r, LDNS_RR_TYPE_DNSKEY, LDNS_SECTION_ANSWER);
	assert_int_equal(ldns_rr_list_rr_count(f->dnskeys), 2);
	{
		ldns_rr_list *sigs = ldns_pkt_rr_list_by_type(r, LDNS_RR_TYPE_RRSIG,
		    LDNS_SECTION_ANSWER);

		assert_int_equal(ldns_verify(f->dnskeys, sigs, f->dnskeys, NULL), LDNS_STATUS_OK);
		ldns_rr_list_deep_free(sigs);
	}
	ldns_pkt_free(r);
	return 0;
}

static int
teardown_signed(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	dnss_unref(f->sig);
	ldns_rr_list_deep_free(f->dnskeys);
	return teardown(state);
}

static ldns_pkt *
ask_do(struct fx *f, const char *name, ldns_rr_type type, int edns, unsigned flags,
    size_t *rlen)
{
	size_t wl;
	uint8_t *w = query(name, type, edns, true, &wl);
	ldns_pkt *r = ask_wire(f, w, wl, flags, rlen);

	free(w);
	return r;
}

/* Every RRset of SECTION of R verifies with the zone's keys; returns how
 * many RRsets there were. */
static size_t
verify_section(struct fx *f, ldns_pkt *r, ldns_pkt_section section)
{
	ldns_rr_list *all = ldns_pkt_get_section_clone(r, section);
	size_t sets = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *rr = ldns_rr_list_rr(all, i);
		ldns_rr_list *set, *sigs;
		ldns_status st;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG)
			continue;
		/* The first record of each RRset (same owner and type). */
		{
			bool seen = false;

			for (size_t j = 0; j < i && !seen; j++)
				seen = ldns_rr_get_type(ldns_rr_list_rr(all, j)) ==
				    ldns_rr_get_type(rr) && ldns_dname_compare(
				    ldns_rr_owner(ldns_rr_list_rr(all, j)), ldns_rr_owner(rr)) == 0;
			if (seen)
				continue;
		}
		set = ldns_pkt_rr_list_by_name_and_type(r, ldns_rr_owner(rr),
		    ldns_rr_get_type(rr), section);
		sigs = ldns_pkt_rr_list_by_name_and_type(r, ldns_rr_owner(rr),
		    LDNS_RR_TYPE_RRSIG, section);
		assert_non_null(sigs);
		{
			ldns_rr_list *mine = ldns_rr_list_new();

			/* Only the signatures covering this type. */
			for (size_t j = 0; j < ldns_rr_list_rr_count(sigs); j++)
				if (ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(ldns_rr_list_rr(sigs,
				    j))) == ldns_rr_get_type(rr))
					ldns_rr_list_push_rr(mine, ldns_rr_clone(
					    ldns_rr_list_rr(sigs, j)));
			assert_int_equal(ldns_rr_list_rr_count(mine), 1);
			st = ldns_verify(set, mine, f->dnskeys, NULL);
			if (st != LDNS_STATUS_OK)
				fail_msg("RRset of type %d: %s", ldns_rr_get_type(rr),
				    ldns_get_errorstr_by_id(st));
			ldns_rr_list_deep_free(mine);
		}
		ldns_rr_list_deep_free(set);
		ldns_rr_list_deep_free(sigs);
		sets++;
	}
	ldns_rr_list_deep_free(all);
	return sets;
}

/* A, AAAA with DO: one of the signed sets, with its RRSIG; AD never; the
 * query's letter case kept; without DO the per-query sample as before. */
static void
test_signed_addresses(void **state)
{
	struct fx *f = *state;
	uint8_t firsts[20][4];
	size_t distinct = 0;

	for (int q = 0; q < 20; q++) {
		size_t len, i;
		ldns_pkt *r = ask_do(f, "SeEd.example.", LDNS_RR_TYPE_A, 1232, 0, &len);
		ldns_rr_list *an = ldns_pkt_answer(r);
		char *o = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(an, 0)));

		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
		assert_true(ldns_pkt_aa(r));
		assert_false(ldns_pkt_tc(r));
		assert_true(ldns_pkt_edns_do(r));
		assert_int_equal(ldns_rr_list_rr_count(an), 26);
		assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(an, 25)), LDNS_RR_TYPE_RRSIG);
		assert_string_equal(o, "SeEd.example.");
		free(o);
		assert_int_equal(verify_section(f, r, LDNS_SECTION_ANSWER), 1);
		assert_true(f->res.dnssec);
		assert_int_equal(f->res.answers, 25);
		assert_true(len <= 1232);
		/* Which of the 8 sets: its first address. */
		for (i = 0; i < distinct; i++)
			if (memcmp(firsts[i], f->out + 12 + 18 + 12, 4) == 0)
				break;
		if (i == distinct)
			memcpy(firsts[distinct++], f->out + 12 + 18 + 12, 4);
		ldns_pkt_free(r);
	}
	assert_true(distinct >= 4);	/* of 8: P(fewer) is about 1e-6 */
	{
		ldns_pkt *r = ask_do(f, "x1.seed.example.", LDNS_RR_TYPE_AAAA, 1232, 0, NULL);

		assert_int_equal(ldns_pkt_ancount(r), 17);
		assert_int_equal(verify_section(f, r, LDNS_SECTION_ANSWER), 1);
		ldns_pkt_free(r);
		/* No DO: no signatures, the unsigned path. */
		r = ask(f, "seed.example.", LDNS_RR_TYPE_A, 1232, 0, NULL);
		assert_int_equal(ldns_pkt_ancount(r), 25);
		assert_null(ldns_pkt_rr_list_by_type(r, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER));
		assert_false(f->res.dnssec);
		ldns_pkt_free(r);
	}
}

/* Denials with DO: the SOA and NSEC records with their signatures, and
 * ldns agrees they prove what the rcode says. */
static void
test_signed_denials(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char	*name;
		ldns_rr_type	 type;
		ldns_pkt_rcode	 rcode;
		size_t		 nsecs;
	} cases[] = {
		{ "seed.example.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, 1 },
		{ "seed.example.", LDNS_RR_TYPE_DS, LDNS_RCODE_NOERROR, 1 },
		{ "x4.seed.example.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, 1 },
		{ "X2.Seed.Example.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, 1 },
		{ "x1.seed.example.", LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, 1 },
		{ "foo.seed.example.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 1 },
		{ "zzz.seed.example.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 2 },
		{ "a.x1.seed.example.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 1 },
		{ "X3b.seed.example.", LDNS_RR_TYPE_AAAA, LDNS_RCODE_NXDOMAIN, 2 },
		{ "x0.seed.example.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 1 },
		{ "b.a.x7.seed.example.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ldns_pkt *r = ask_do(f, cases[i].name, cases[i].type, 1232, 0, NULL);
		ldns_rr_list *nsecs = ldns_pkt_rr_list_by_type(r, LDNS_RR_TYPE_NSEC,
		    LDNS_SECTION_AUTHORITY);
		ldns_rr_list *sigs = ldns_pkt_rr_list_by_type(r, LDNS_RR_TYPE_RRSIG,
		    LDNS_SECTION_AUTHORITY);
		ldns_rr *qrr = ldns_rr_new();
		ldns_status st;

		assert_int_equal(ldns_pkt_get_rcode(r), cases[i].rcode);
		assert_true(ldns_pkt_aa(r));
		assert_false(ldns_pkt_ad(r));
		assert_int_equal(ldns_pkt_ancount(r), 0);
		assert_non_null(nsecs);
		if (ldns_rr_list_rr_count(nsecs) != cases[i].nsecs)
			fail_msg("%s: %zu NSEC", cases[i].name, ldns_rr_list_rr_count(nsecs));
		/* SOA + NSECs, each signed. */
		assert_int_equal(verify_section(f, r, LDNS_SECTION_AUTHORITY), 1 + cases[i].nsecs);
		assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_authority(r), 0)),
		    LDNS_RR_TYPE_SOA);
		assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_authority(r), 0)), 60);
		ldns_rr_set_owner(qrr, ldns_dname_new_frm_str(cases[i].name));
		ldns_rr_set_type(qrr, cases[i].type);
		st = ldns_dnssec_verify_denial(qrr, nsecs, sigs);
		if (st != LDNS_STATUS_OK)
			fail_msg("%s: %s", cases[i].name, ldns_get_errorstr_by_id(st));
		/* NODATA: the NSEC is the name's own and lacks the type. */
		if (cases[i].rcode == LDNS_RCODE_NOERROR) {
			ldns_rr *n = ldns_rr_list_rr(nsecs, 0);

			assert_int_equal(ldns_dname_compare(ldns_rr_owner(n), ldns_rr_owner(qrr)), 0);
			assert_false(ldns_nsec_bitmap_covers_type(ldns_rr_rdf(n, 1), cases[i].type));
			assert_true(f->res.nodata);
		}
		assert_true(f->res.dnssec);
		ldns_rr_free(qrr);
		ldns_rr_list_deep_free(nsecs);
		ldns_rr_list_deep_free(sigs);
		ldns_pkt_free(r);
	}
}

/* SOA, NS, DNSKEY at the apex, HINFO (and ANY) and NSEC everywhere: with
 * RRSIGs under DO, without them otherwise. */
static void
test_signed_other_types(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char	*name;
		ldns_rr_type	 qtype, rrtype;
	} cases[] = {
		{ "seed.example.", LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_SOA },
		{ "seed.example.", LDNS_RR_TYPE_NS, LDNS_RR_TYPE_NS },
		{ "seed.example.", LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_DNSKEY },
		{ "x5.seed.example.", LDNS_RR_TYPE_HINFO, LDNS_RR_TYPE_HINFO },
		{ "x5.seed.example.", LDNS_RR_TYPE_ANY, LDNS_RR_TYPE_HINFO },
		{ "x5.seed.example.", LDNS_RR_TYPE_NSEC, LDNS_RR_TYPE_NSEC },
		{ "seed.example.", LDNS_RR_TYPE_NSEC, LDNS_RR_TYPE_NSEC },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int with_do = 0; with_do < 2; with_do++) {
			ldns_pkt *r = with_do ? ask_do(f, cases[i].name, cases[i].qtype, 1232, 0, NULL) :
			    ask(f, cases[i].name, cases[i].qtype, 1232, 0, NULL);
			ldns_rr_list *set = ldns_pkt_rr_list_by_type(r, cases[i].rrtype,
			    LDNS_SECTION_ANSWER);
			ldns_rr_list *sigs = ldns_pkt_rr_list_by_type(r, LDNS_RR_TYPE_RRSIG,
			    LDNS_SECTION_ANSWER);

			assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
			assert_non_null(set);
			if (with_do) {
				assert_non_null(sigs);
				assert_int_equal(verify_section(f, r, LDNS_SECTION_ANSWER), 1);
			} else if (cases[i].qtype != LDNS_RR_TYPE_ANY)
				assert_null(sigs);
			ldns_rr_list_deep_free(set);
			ldns_rr_list_deep_free(sigs);
			ldns_pkt_free(r);
		}
	}
}

/* A signed RRset never goes out in part: too big for the UDP size, the
 * reply is TC with no records, and TCP gets all of it. */
static void
test_signed_truncation(void **state)
{
	struct fx *f = *state;
	struct dnss *big;
	struct dnsk_set *keys;
	struct dnss_zone in;
	char err[256];
	size_t len;
	ldns_pkt *r;

	/* 25 A + RRSIG (about 550 bytes) do not fit 512. */
	r = ask_do(f, "seed.example.", LDNS_RR_TYPE_A, 512, 0, &len);
	assert_true(ldns_pkt_tc(r));
	assert_true(f->res.truncated);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(ldns_pkt_nscount(r), 0);
	assert_true(ldns_pkt_edns_do(r));
	assert_true(len <= 512);
	ldns_pkt_free(r);
	r = ask_do(f, "seed.example.", LDNS_RR_TYPE_A, 512, DNSA_TCP, &len);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), 26);
	ldns_pkt_free(r);

	/* 100 A: 1.8 KB signed, over any UDP size. */
	f->z.max_a = 256;
	assert_non_null(keys = dnsk_load(f->dir, "seed.example", NULL, 0, err, sizeof(err)));
	dnsa_zone_sign_input(&f->z, &in);
	big = dnss_build(&in, keys, f->gs, NULL, 2, time(NULL), err, sizeof(err));
	assert_non_null(big);
	dnsk_free(keys);
	dnsa_zone_set_signed(&f->z, big);
	r = ask_do(f, "seed.example.", LDNS_RR_TYPE_A, 4096, 0, &len);
	assert_true(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_true(len <= 1232);
	ldns_pkt_free(r);
	r = ask_do(f, "seed.example.", LDNS_RR_TYPE_A, 4096, DNSA_TCP, &len);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), 101);
	assert_true(len > 1232);
	assert_int_equal(verify_section(f, r, LDNS_SECTION_ANSWER), 1);
	ldns_pkt_free(r);
	/* A denial too big for 512 bytes: TC and the rcode, no records. */
	r = ask_do(f, "zzz.seed.example.", LDNS_RR_TYPE_A, 512, 0, &len);
	if (ldns_pkt_tc(r)) {
		assert_int_equal(ldns_pkt_nscount(r), 0);
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	} else
		assert_int_equal(ldns_pkt_nscount(r), 6);
	assert_true(len <= 512);
	ldns_pkt_free(r);
	dnsa_zone_set_signed(&f->z, f->sig);
	dnss_unref(big);
	f->z.max_a = 25;
}

/* Rate-limited DO queries are slipped like any other, NXDOMAIN too: a
 * signed denial is no small reply. */
static void
test_signed_slip(void **state)
{
	struct fx *f = *state;
	size_t wl, len;
	uint8_t *w = query("nope.seed.example.", LDNS_RR_TYPE_A, 1232, true, &wl);
	ldns_pkt *r = ask_wire(f, w, wl, DNSA_SLIP, &len);

	assert_true(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r) + ldns_pkt_nscount(r), 0);
	assert_true(len < 60);
	ldns_pkt_free(r);
	free(w);
	/* Without DO, as before: the small unsigned NXDOMAIN. */
	w = query("nope.seed.example.", LDNS_RR_TYPE_A, 1232, false, &wl);
	r = ask_wire(f, w, wl, DNSA_SLIP, &len);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_nscount(r), 1);
	ldns_pkt_free(r);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_uniform_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aaaa_and_no_edns_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edns_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodata_with_soa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soa_ns_any, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diversity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ixfr_rfc1995_form_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notimp_and_formerr_to_edns_query_carry_opt,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_tsig_signed_query_notauth_badkey, setup,
		    teardown),
		cmocka_unit_test(test_zone_config),
		cmocka_unit_test_setup_teardown(test_signed_addresses, setup_signed,
		    teardown_signed),
		cmocka_unit_test_setup_teardown(test_signed_denials, setup_signed, teardown_signed),
		cmocka_unit_test_setup_teardown(test_signed_other_types, setup_signed,
		    teardown_signed),
		cmocka_unit_test_setup_teardown(test_signed_truncation, setup_signed,
		    teardown_signed),
		cmocka_unit_test_setup_teardown(test_signed_slip, setup_signed, teardown_signed),
		cmocka_unit_test_setup_teardown(test_small_buffer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
