/* test_dns_query.c -- the strict DNS query parser (dnsseeder/dns_query.c) on good and hostile packets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "../../dnsseeder/dns_query.h"

/* A query: header, "seed.example." A IN, optionally an OPT record. */
static size_t
mkq(uint8_t *b, uint16_t flags, const char *name, uint16_t qtype, int edns)
{
	size_t n = 0;
	const char *p = name;

	b[n++] = 0x12; b[n++] = 0x34;
	b[n++] = (uint8_t)(flags >> 8); b[n++] = (uint8_t)flags;
	b[n++] = 0; b[n++] = 1;		/* QD */
	b[n++] = 0; b[n++] = 0;
	b[n++] = 0; b[n++] = 0;
	b[n++] = 0; b[n++] = edns >= 0 ? 1 : 0;
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		b[n++] = (uint8_t)l;
		memcpy(b + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	b[n++] = 0;
	b[n++] = (uint8_t)(qtype >> 8); b[n++] = (uint8_t)qtype;
	b[n++] = 0; b[n++] = 1;
	if (edns >= 0) {
		b[n++] = 0;
		b[n++] = 0; b[n++] = 41;
		b[n++] = (uint8_t)(edns >> 8); b[n++] = (uint8_t)edns;
		b[n++] = 0; b[n++] = 0; b[n++] = 0x80; b[n++] = 0;	/* DO */
		b[n++] = 0; b[n++] = 0;
	}
	return n;
}

static void
test_plain_query(void **state)
{
	uint8_t b[512];
	struct dnsq q;
	size_t n = mkq(b, 0x0100, "SeEd.example", 1, -1);

	(void)state;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_OK);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(q.flags, 0x0100);
	assert_int_equal(q.qtype, 1);
	assert_int_equal(q.qclass, 1);
	assert_int_equal(q.nlabels, 2);
	assert_int_equal(q.label[0], 0);
	assert_int_equal(q.label[1], 5);
	assert_int_equal(q.qnamelen, 14);
	assert_int_equal(q.qlen, 18);
	assert_ptr_equal(q.question, b + 12);
	assert_memory_equal(q.question + 1, "SeEd", 4);	/* case kept */
	assert_false(q.edns);
}

static void
test_edns(void **state)
{
	uint8_t b[512];
	struct dnsq q;
	size_t n = mkq(b, 0, "seed.example", 28, 4096);

	(void)state;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_OK);
	assert_true(q.edns);
	assert_true(q.edns_do);
	assert_int_equal(q.edns_udp, 4096);
	assert_int_equal(q.edns_version, 0);

	/* An option (a cookie) is skipped; a broken one is FORMERR. */
	{
		uint8_t c[512];
		size_t m = n;

		memcpy(c, b, n);
		c[m - 2] = 0; c[m - 1] = 12;
		memcpy(c + m, "\x00\x0a\x00\x08" "abcdefgh", 12);
		m += 12;
		assert_int_equal(dnsq_parse(c, m, &q), DNSQ_OK);
		c[m - 9] = 9;	/* option length past the rdata */
		assert_int_equal(dnsq_parse(c, m, &q), DNSQ_FORMERR);
		assert_true(q.edns);	/* the FORMERR must carry OPT */
	}
	/* Version 1: BADVERS. */
	b[n - 5] = 1;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_BADVERS);
}

static void
test_drops(void **state)
{
	uint8_t b[512];
	struct dnsq q;
	size_t n = mkq(b, 0x8000, "seed.example", 1, -1);

	(void)state;
	/* A response (QR=1) is never answered: no ping-pong. */
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_DROP);
	for (size_t l = 0; l < DNS_HEADER_LEN; l++)
		assert_int_equal(dnsq_parse(b, l, &q), DNSQ_DROP);
	assert_int_equal(dnsq_parse(NULL, 0, &q), DNSQ_DROP);
}

static void
test_notimp(void **state)
{
	uint8_t b[512];
	struct dnsq q;
	size_t n = mkq(b, 0x2800 /* opcode 5 UPDATE */, "seed.example", 6, -1);

	(void)state;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_NOTIMP);
	assert_non_null(q.question);
	/* NOTIFY with a cut question: NOTIMP, nothing to echo. */
	b[2] = 0x20;
	assert_int_equal(dnsq_parse(b, 15, &q), DNSQ_NOTIMP);
	assert_null(q.question);
}

static void
test_formerr_counts(void **state)
{
	uint8_t b[512];
	struct dnsq q;
	size_t n = mkq(b, 0, "seed.example", 1, -1);

	(void)state;
	b[5] = 0;		/* QDCOUNT 0 */
	assert_int_equal(dnsq_parse(b, 12, &q), DNSQ_FORMERR);
	assert_null(q.question);
	b[5] = 2;		/* two questions, only one there */
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
	assert_non_null(q.question);	/* the first is echoed */
	b[5] = 1;
	b[7] = 1;		/* ANCOUNT 1 */
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
	b[7] = 0;
	b[9] = 1;		/* NSCOUNT 1 */
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
	b[9] = 0;
	b[10] = 0xff; b[11] = 0xff;	/* ARCOUNT 65535, nothing there */
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
	assert_non_null(q.question);
	b[10] = 0; b[11] = 0;
	b[n++] = 0;		/* trailing byte */
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
}

static void
test_formerr_truncated(void **state)
{
	uint8_t b[512];
	struct dnsq q;
	size_t n = mkq(b, 0, "seed.example", 1, 1232);

	(void)state;
	/* Every strict prefix past the header is malformed, never OK. */
	for (size_t l = DNS_HEADER_LEN; l < n; l++)
		assert_int_equal(dnsq_parse(b, l, &q), DNSQ_FORMERR);
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_OK);
}

static void
test_formerr_names(void **state)
{
	uint8_t b[600];
	struct dnsq q;
	size_t n;

	(void)state;
	/* A pointer in the question (to itself: a loop). */
	n = mkq(b, 0, "seed.example", 1, -1);
	b[12] = 0xc0; b[13] = 12;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
	/* Extended label type 0x40 and reserved 0x80. */
	b[12] = 0x41;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
	b[12] = 0x81;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
	/* A label length running past the end. */
	b[12] = 63;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);

	/* A name of 257 bytes is too long. */
	{
		char name[300];
		size_t w = 0;

		for (int i = 0; i < 4; i++) {
			memset(name + w, 'a', 63);
			w += 63;
			name[w++] = '.';
		}
		name[w - 1] = '\0';	/* 4 x 63: 4 * 64 + 1 = 257 bytes */
		n = mkq(b, 0, name, 1, -1);
		assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
	}
	{
		/* Exactly 255: 3 x 63-byte labels + one of 61. */
		char name[300];
		size_t w = 0;

		for (int i = 0; i < 3; i++) {
			memset(name + w, 'c', 63);
			w += 63;
			name[w++] = '.';
		}
		memset(name + w, 'd', 61);
		w += 61;
		name[w] = '\0';
		n = mkq(b, 0, name, 1, -1);
		assert_int_equal(dnsq_parse(b, n, &q), DNSQ_OK);
		assert_int_equal(q.qnamelen, 255);
		assert_int_equal(q.nlabels, 4);
	}
	/* 127 one-letter labels: 255 bytes, the most labels possible. */
	{
		char name[300];
		size_t w = 0;

		for (int i = 0; i < 127; i++) {
			name[w++] = 'x';
			name[w++] = '.';
		}
		name[w - 1] = '\0';
		n = mkq(b, 0, name, 1, -1);
		assert_int_equal(dnsq_parse(b, n, &q), DNSQ_OK);
		assert_int_equal(q.nlabels, 127);
		assert_int_equal(q.label[126], 252);
	}
}

static void
test_additional_compression(void **state)
{
	uint8_t b[512];
	struct dnsq q;
	size_t n = mkq(b, 0, "seed.example", 1, -1);

	(void)state;
	/* An additional record whose owner points back at the question is
	 * legal (ignored type TXT). */
	b[11] = 1;
	memcpy(b + n, "\xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x00\x00\x01\x00", 13);
	assert_int_equal(dnsq_parse(b, n + 13, &q), DNSQ_OK);
	assert_false(q.edns);
	/* Pointing at itself: a loop. */
	b[n + 1] = (uint8_t)n;
	assert_int_equal(dnsq_parse(b, n + 13, &q), DNSQ_FORMERR);
	/* Pointing forward. */
	b[n + 1] = (uint8_t)(n + 5);
	assert_int_equal(dnsq_parse(b, n + 13, &q), DNSQ_FORMERR);
	/* A label then a pointer to that same label: a loop. */
	memcpy(b + n, "\x01z\xc0", 3);
	b[n + 3] = (uint8_t)n;
	memcpy(b + n + 4, "\x00\x10\x00\x01\x00\x00\x00\x00\x00\x00", 10);
	assert_int_equal(dnsq_parse(b, n + 14, &q), DNSQ_FORMERR);
	/* An OPT record whose owner is not the root. */
	memcpy(b + n, "\xc0\x0c\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 12);
	assert_int_equal(dnsq_parse(b, n + 12, &q), DNSQ_FORMERR);
	/* Two OPT records. */
	{
		uint8_t c[512];
		size_t m = mkq(c, 0, "seed.example", 1, 1232);

		memcpy(c + m, c + m - 11, 11);
		c[11] = 2;
		assert_int_equal(dnsq_parse(c, m + 11, &q), DNSQ_FORMERR);
	}
}

static void
test_qtype_opt(void **state)
{
	uint8_t b[512];
	struct dnsq q;
	size_t n = mkq(b, 0, "seed.example", DNS_TYPE_OPT, -1);

	(void)state;
	assert_int_equal(dnsq_parse(b, n, &q), DNSQ_FORMERR);
}

/* ldns builds queries independently of mkq; they must parse. */
static void
test_ldns_queries(void **state)
{
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA,
	    LDNS_RR_TYPE_NS, LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_ANY, LDNS_RR_TYPE_TXT };
	struct dnsq q;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ldns_pkt *p = NULL;
		uint8_t *w;
		size_t wl;

		assert_int_equal(ldns_pkt_query_new_frm_str(&p, "x9.Seed.Example.",
		    types[i], LDNS_RR_CLASS_IN, LDNS_RD), LDNS_STATUS_OK);
		ldns_pkt_set_edns_udp_size(p, 1232);
		ldns_pkt_set_edns_do(p, true);
		assert_int_equal(ldns_pkt2wire(&w, p, &wl), LDNS_STATUS_OK);
		assert_int_equal(dnsq_parse(w, wl, &q), DNSQ_OK);
		assert_int_equal(q.qtype, types[i]);
		assert_true(q.edns);
		assert_int_equal(q.edns_udp, 1232);
		assert_int_equal(q.nlabels, 3);
		free(w);
		ldns_pkt_free(p);
	}
}

/* Random garbage never crashes the parser and never reads out of bounds
 * (run under ASan to mean something). */
static void
test_garbage(void **state)
{
	uint8_t b[300];
	struct dnsq q;
	uint32_t x = 12345;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t n;

		for (size_t k = 0; k < sizeof(b); k++) {
			x = x * 1103515245 + 12345;
			b[k] = (uint8_t)(x >> 16);
		}
		b[2] &= 0x7f;		/* QR=0, so parsing goes past the header */
		b[2] &= 0x87;		/* opcode QUERY */
		b[4] = 0; b[5] = 1;
		n = (x >> 8) % sizeof(b);
		(void)dnsq_parse(b, n, &q);
		/* Whatever the verdict, a kept question lies inside the packet. */
		if (q.question != NULL)
			assert_true(q.question + q.qlen <= b + n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_query),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_notimp),
		cmocka_unit_test(test_formerr_counts),
		cmocka_unit_test(test_formerr_truncated),
		cmocka_unit_test(test_formerr_names),
		cmocka_unit_test(test_additional_compression),
		cmocka_unit_test(test_qtype_opt),
		cmocka_unit_test(test_ldns_queries),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
