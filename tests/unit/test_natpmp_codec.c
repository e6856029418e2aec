/* test_natpmp_codec.c -- the PCP/NAT-PMP wire codec and the /proc/net gateway parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netaddr.h"
#include "../../node/gateway.h"
#include "../../node/pcp.h"

/* --- building replies --------------------------------------------------------- */

static void
w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)(v >> 16));
	w16(p + 2, (uint16_t)v);
}

static void
ip_of(const char *s, uint8_t out[16])
{
	struct netaddr a;

	assert_int_equal(netaddr_parse(s, 1, &a), 0);
	memcpy(out, a.ip, 16);
}

static void
v4_request(struct pcp_map_request *req, uint32_t lifetime)
{
	memset(req, 0, sizeof *req);
	for (int i = 0; i < PCP_NONCE_LEN; i++)
		req->nonce[i] = (uint8_t)(0xa0 + i);
	req->lifetime = lifetime;
	ip_of("192.168.77.2", req->client_ip);
	req->internal_port = 9333;
	req->external_port = 9333;
	req->external_ip[10] = req->external_ip[11] = 0xff;
}

/* A MAP response to REQ as a well-behaved server writes it: 60 bytes. */
static size_t
pcp_reply(const struct pcp_map_request *req, uint8_t result, uint32_t lifetime,
    uint32_t epoch, uint16_t ext_port, const char *ext_ip, uint8_t *out)
{
	memset(out, 0, 60);
	out[0] = 2;
	out[1] = 0x81;
	out[3] = result;
	w32(out + 4, lifetime);
	w32(out + 8, epoch);
	memcpy(out + 24, req->nonce, PCP_NONCE_LEN);
	out[36] = 6;
	w16(out + 40, req->internal_port);
	w16(out + 42, ext_port);
	ip_of(ext_ip, out + 44);
	return 60;
}

/* --- PCP ---------------------------------------------------------------------- */

static void
test_pcp_encode_map(void **state)
{
	struct pcp_map_request req;
	uint8_t p[PCP_MAP_REQUEST_LEN], ip[16];

	(void)state;
	v4_request(&req, 3600);
	assert_int_equal(pcp_encode_map(&req, p), 60);
	assert_int_equal(p[0], 2);
	assert_int_equal(p[1], 1);		/* R = 0, MAP */
	assert_int_equal(p[2], 0);
	assert_int_equal(p[3], 0);
	assert_memory_equal(p + 4, "\x00\x00\x0e\x10", 4);
	ip_of("192.168.77.2", ip);
	assert_memory_equal(p + 8, ip, 16);
	assert_memory_equal(p + 24, req.nonce, 12);
	assert_int_equal(p[36], 6);
	assert_memory_equal(p + 37, "\0\0\0", 3);
	assert_memory_equal(p + 40, "\x24\x75\x24\x75", 4);	/* 9333, 9333 */
	assert_memory_equal(p + 44, req.external_ip, 16);
}

static void
test_pcp_decode_success(void **state)
{
	struct pcp_map_request req;
	struct pcp_map_reply m;
	uint8_t p[128], ip[16];
	char why[96] = "";
	size_t n;

	(void)state;
	v4_request(&req, 3600);
	n = pcp_reply(&req, 0, 1800, 77, 19333, "81.2.69.160", p);
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_OK);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.result, 0);
	assert_int_equal(m.lifetime, 1800);
	assert_int_equal(m.epoch, 77);
	assert_int_equal(m.external_port, 19333);
	ip_of("81.2.69.160", ip);
	assert_memory_equal(m.external_ip, ip, 16);

	/* Options are walked and ignored: one with 5 bytes of data, padded. */
	p[n] = 0x80;
	p[n + 1] = 0;
	w16(p + n + 2, 5);
	memset(p + n + 4, 0x55, 8);
	assert_int_equal(pcp_decode_map(p, n + 12, &req, &m, why, sizeof why),
	    PCP_REPLY_OK);
	/* The same option claiming more than is there. */
	w16(p + n + 2, 9);
	assert_int_equal(pcp_decode_map(p, n + 12, &req, &m, why, sizeof why),
	    PCP_REPLY_BAD);
	assert_string_equal(why, "malformed options");

	/* The reserved bytes are not looked at. */
	p[2] = 0xff;
	memset(p + 12, 0xee, 12);
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_OK);
}

static void
test_pcp_decode_lengths(void **state)
{
	struct pcp_map_request req;
	struct pcp_map_reply m;
	uint8_t p[PCP_MAX_PACKET + 8];
	char why[96];
	size_t n;

	(void)state;
	v4_request(&req, 3600);
	memset(p, 0, sizeof p);
	n = pcp_reply(&req, 0, 1800, 1, 9333, "81.2.69.160", p);
	for (size_t len = 0; len < n; len++)
		assert_int_equal(pcp_decode_map(p, len, &req, &m, why, sizeof why),
		    PCP_REPLY_BAD);
	/* Not a multiple of four, even with room for an option header. */
	assert_int_equal(pcp_decode_map(p, 62, &req, &m, why, sizeof why), PCP_REPLY_BAD);
	/* An empty option fills 64 bytes. */
	assert_int_equal(pcp_decode_map(p, 64, &req, &m, why, sizeof why), PCP_REPLY_OK);
	/* Zero-length options up to the maximum are fine, one word more is not. */
	assert_int_equal(pcp_decode_map(p, PCP_MAX_PACKET, &req, &m, why, sizeof why),
	    PCP_REPLY_OK);
	assert_int_equal(pcp_decode_map(p, PCP_MAX_PACKET + 4, &req, &m, why,
	    sizeof why), PCP_REPLY_BAD);
	assert_non_null(strstr(why, "1104-byte reply"));
}

static void
test_pcp_decode_not_ours(void **state)
{
	struct pcp_map_request req, other;
	struct pcp_map_reply m;
	uint8_t p[64];
	char why[96];
	size_t n;

	(void)state;
	v4_request(&req, 3600);
	n = pcp_reply(&req, 0, 1800, 1, 9333, "81.2.69.160", p);
	p[1] = 0x01;		/* a request, not a response */
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);
	assert_non_null(strstr(why, "opcode 1"));
	p[1] = 0x82;		/* PEER */
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);

	other = req;
	other.nonce[11] ^= 1;
	n = pcp_reply(&other, 0, 1800, 1, 9333, "81.2.69.160", p);
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);
	assert_string_equal(why, "nonce does not match our request");

	n = pcp_reply(&req, 0, 1800, 1, 9333, "81.2.69.160", p);
	p[36] = 17;		/* UDP */
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);
	assert_non_null(strstr(why, "protocol 17"));
	p[36] = 6;
	w16(p + 40, 9334);
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);

	p[0] = 3;		/* a future version */
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);
	assert_string_equal(why, "version 3 reply");
}

static void
test_pcp_decode_hollow_success(void **state)
{
	struct pcp_map_request req, req6, del;
	struct pcp_map_reply m;
	uint8_t p[64];
	char why[96];
	size_t n;

	(void)state;
	v4_request(&req, 3600);
	n = pcp_reply(&req, 0, 0, 1, 9333, "81.2.69.160", p);
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);
	n = pcp_reply(&req, 0, 60, 1, 0, "81.2.69.160", p);
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);
	n = pcp_reply(&req, 0, 60, 1, 9333, "2a01:4f8::1", p);
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_BAD);
	assert_string_equal(why, "external address is not IPv4");

	req6 = req;
	ip_of("2a01:4f8::2", req6.client_ip);
	memset(req6.external_ip, 0, 16);
	n = pcp_reply(&req6, 0, 60, 1, 9333, "81.2.69.160", p);
	assert_int_equal(pcp_decode_map(p, n, &req6, &m, why, sizeof why), PCP_REPLY_BAD);
	assert_string_equal(why, "external address is not IPv6");
	n = pcp_reply(&req6, 0, 60, 1, 9333, "2a01:4f8::2", p);
	assert_int_equal(pcp_decode_map(p, n, &req6, &m, why, sizeof why), PCP_REPLY_OK);

	/* An error carries whatever the server echoed: only the result counts. */
	n = pcp_reply(&req, PCP_RESULT_NOT_AUTHORIZED, 0, 1, 0, "::", p);
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_OK);
	assert_int_equal(m.result, PCP_RESULT_NOT_AUTHORIZED);
	p[3] = 200;		/* unknown codes are errors too */
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why), PCP_REPLY_OK);
	assert_int_equal(m.result, 200);

	/* Deleting: success comes back with lifetime 0 and no port. */
	v4_request(&del, 0);
	n = pcp_reply(&del, 0, 0, 1, 0, "0.0.0.0", p);
	assert_int_equal(pcp_decode_map(p, n, &del, &m, why, sizeof why), PCP_REPLY_OK);
	assert_int_equal(m.lifetime, 0);
}

static void
test_pcp_decode_old_servers(void **state)
{
	struct pcp_map_request req;
	struct pcp_map_reply m;
	/* What a NAT-PMP gateway (miniupnpd's natpmp.c) answers to a PCP
	 * request: version 0, opcode 128 + 1, 16-bit result 1, epoch. */
	uint8_t natpmp[8] = { 0, 0x81, 0, 1, 0, 0, 0x10, 0 };
	uint8_t p[64];
	char why[96];
	size_t n;

	(void)state;
	v4_request(&req, 3600);
	assert_int_equal(pcp_decode_map(natpmp, 8, &req, &m, why, sizeof why),
	    PCP_REPLY_NATPMP_ONLY);
	assert_int_equal(m.version, 0);
	assert_int_equal(m.result, PCP_RESULT_UNSUPP_VERSION);
	natpmp[1] = 0x80;	/* RFC 6886's figure: opcode 128 */
	assert_int_equal(pcp_decode_map(natpmp, 8, &req, &m, why, sizeof why),
	    PCP_REPLY_NATPMP_ONLY);
	natpmp[1] = 0x82;
	assert_int_equal(pcp_decode_map(natpmp, 8, &req, &m, why, sizeof why),
	    PCP_REPLY_BAD);
	natpmp[1] = 0x81;
	natpmp[2] = 1;		/* result 257 */
	assert_int_equal(pcp_decode_map(natpmp, 8, &req, &m, why, sizeof why),
	    PCP_REPLY_BAD);
	natpmp[2] = 0;
	natpmp[3] = 2;		/* NOT_AUTHORIZED in NAT-PMP: no fallback */
	assert_int_equal(pcp_decode_map(natpmp, 8, &req, &m, why, sizeof why),
	    PCP_REPLY_BAD);
	assert_string_equal(why, "version 0 reply");
	natpmp[3] = 1;
	assert_int_equal(pcp_decode_map(natpmp, 7, &req, &m, why, sizeof why),
	    PCP_REPLY_BAD);
	assert_int_equal(pcp_decode_map(natpmp, 3, &req, &m, why, sizeof why),
	    PCP_REPLY_BAD);

	/* A PCP draft (version 1) server, echoing our request. */
	n = pcp_reply(&req, PCP_RESULT_UNSUPP_VERSION, 0, 5, 0, "::", p);
	p[0] = 1;
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why),
	    PCP_REPLY_NATPMP_ONLY);
	assert_int_equal(m.version, 1);
	p[3] = 0;
	assert_int_equal(pcp_decode_map(p, n, &req, &m, why, sizeof why),
	    PCP_REPLY_BAD);
}

/* --- NAT-PMP ---------------------------------------------------------------- */

static void
test_natpmp_encode(void **state)
{
	uint8_t p[12];

	(void)state;
	assert_int_equal(natpmp_encode_public(p), 2);
	assert_memory_equal(p, "\0\0", 2);
	assert_int_equal(natpmp_encode_map(9333, 19333, 7200, p), 12);
	assert_memory_equal(p, "\x00\x02\x00\x00\x24\x75\x4b\x85\x00\x00\x1c\x20", 12);
	/* Deleting: the suggested port goes out as 0 (RFC 6886 3.4). */
	assert_int_equal(natpmp_encode_map(9333, 19333, 0, p), 12);
	assert_memory_equal(p, "\x00\x02\x00\x00\x24\x75\x00\x00\x00\x00\x00\x00", 12);
}

static void
test_natpmp_decode(void **state)
{
	uint8_t pub[16] = { 0, 0x80, 0, 0, 0, 0, 0, 9, 81, 2, 69, 160 };
	uint8_t map[20] = { 0, 0x82, 0, 0, 0, 0, 0, 9, 0x24, 0x75, 0x4b, 0x85,
	    0, 0, 0x0e, 0x10 };
	uint8_t big[PCP_MAX_PACKET + 1];
	struct natpmp_reply r;
	char why[96];

	(void)state;
	assert_int_equal(natpmp_decode(pub, 12, NATPMP_OP_PUBLIC, 0, 0, &r, why,
	    sizeof why), PCP_REPLY_OK);
	assert_int_equal(r.result, 0);
	assert_int_equal(r.epoch, 9);
	assert_memory_equal(r.public_ip, "\x51\x02\x45\xa0", 4);
	/* Trailing bytes are ignored; a short success is not. */
	assert_int_equal(natpmp_decode(pub, 16, NATPMP_OP_PUBLIC, 0, 0, &r, why,
	    sizeof why), PCP_REPLY_OK);
	assert_int_equal(natpmp_decode(pub, 11, NATPMP_OP_PUBLIC, 0, 0, &r, why,
	    sizeof why), PCP_REPLY_BAD);
	/* The opcode must answer ours. */
	assert_int_equal(natpmp_decode(pub, 12, NATPMP_OP_MAP_TCP, 9333, 3600, &r,
	    why, sizeof why), PCP_REPLY_BAD);
	assert_non_null(strstr(why, "opcode 128"));

	assert_int_equal(natpmp_decode(map, 16, NATPMP_OP_MAP_TCP, 9333, 3600, &r,
	    why, sizeof why), PCP_REPLY_OK);
	assert_int_equal(r.internal_port, 9333);
	assert_int_equal(r.external_port, 19333);
	assert_int_equal(r.lifetime, 3600);
	assert_int_equal(natpmp_decode(map, 15, NATPMP_OP_MAP_TCP, 9333, 3600, &r,
	    why, sizeof why), PCP_REPLY_BAD);
	assert_int_equal(natpmp_decode(map, 16, NATPMP_OP_MAP_TCP, 9334, 3600, &r,
	    why, sizeof why), PCP_REPLY_BAD);
	assert_string_equal(why, "reply for port 9333, not 9334");
	map[15] = 0;
	map[14] = 0;		/* lifetime 0: a hollow grant ... */
	assert_int_equal(natpmp_decode(map, 16, NATPMP_OP_MAP_TCP, 9333, 3600, &r,
	    why, sizeof why), PCP_REPLY_BAD);
	/* ... but the answer to a deletion. */
	assert_int_equal(natpmp_decode(map, 16, NATPMP_OP_MAP_TCP, 9333, 0, &r,
	    why, sizeof why), PCP_REPLY_OK);
	map[14] = 0x0e;
	map[10] = map[11] = 0;	/* no external port */
	assert_int_equal(natpmp_decode(map, 16, NATPMP_OP_MAP_TCP, 9333, 3600, &r,
	    why, sizeof why), PCP_REPLY_BAD);

	/* Errors need only the header. */
	map[3] = 2;
	assert_int_equal(natpmp_decode(map, 8, NATPMP_OP_MAP_TCP, 9333, 3600, &r,
	    why, sizeof why), PCP_REPLY_OK);
	assert_int_equal(r.result, 2);
	assert_int_equal(natpmp_decode(map, 7, NATPMP_OP_MAP_TCP, 9333, 3600, &r,
	    why, sizeof why), PCP_REPLY_BAD);
	map[0] = 2;
	assert_int_equal(natpmp_decode(map, 16, NATPMP_OP_MAP_TCP, 9333, 3600, &r,
	    why, sizeof why), PCP_REPLY_BAD);
	assert_string_equal(why, "version 2 reply");

	memset(big, 0, sizeof big);
	big[1] = 0x80;
	assert_int_equal(natpmp_decode(big, sizeof big, NATPMP_OP_PUBLIC, 0, 0, &r,
	    why, sizeof why), PCP_REPLY_BAD);
	assert_int_equal(natpmp_decode(big, PCP_MAX_PACKET, NATPMP_OP_PUBLIC, 0, 0,
	    &r, why, sizeof why), PCP_REPLY_OK);
}

static void
test_result_names(void **state)
{
	(void)state;
	assert_string_equal(pcp_result_name(0), "SUCCESS");
	assert_string_equal(pcp_result_name(2), "NOT_AUTHORIZED");
	assert_string_equal(pcp_result_name(13), "EXCESSIVE_REMOTE_PEERS");
	assert_string_equal(pcp_result_name(14), "unknown");
	assert_string_equal(natpmp_result_name(3), "NETWORK_FAILURE");
	assert_string_equal(natpmp_result_name(5), "UNSUPP_OPCODE");
	assert_string_equal(natpmp_result_name(6), "unknown");
	assert_string_equal(natpmp_result_name(65535), "unknown");
}

/* RFC 6887 section 8.5, case by case. */
static void
test_epoch(void **state)
{
	struct pcp_epoch e;

	(void)state;
	memset(&e, 0, sizeof e);
	assert_true(pcp_epoch_update(&e, 1000, 50000));		/* first */
	assert_true(pcp_epoch_update(&e, 1100, 150000));	/* in step */
	assert_true(pcp_epoch_update(&e, 1099, 150500));	/* one second back */
	assert_false(pcp_epoch_update(&e, 1000, 151000));	/* went back: reboot */
	assert_true(pcp_epoch_update(&e, 1030, 181000));
	/* 100 s of ours, 200 of the server's: it is not the same server. */
	assert_false(pcp_epoch_update(&e, 1230, 281000));
	/* 1000 s of ours, 10 of the server's: it restarted in between. */
	assert_false(pcp_epoch_update(&e, 10, 1281000));
	/* Small drift (1/16 plus 2 s) is tolerated both ways. */
	assert_true(pcp_epoch_update(&e, 1010, 2281000));
	assert_true(pcp_epoch_update(&e, 1950, 3281000));
	assert_true(pcp_epoch_update(&e, 3000, 4281000));
	assert_false(pcp_epoch_update(&e, 3920, 5281000));	/* 920 of 1000 */
	assert_false(pcp_epoch_update(&e, 5000, 6281000));	/* 1080 of 1000 */
	assert_int_equal(e.server, 5000);
	assert_int_equal(e.client_ms, 6281000);
}

/* --- /proc/net ---------------------------------------------------------------- */

static FILE *
text(const char *s)
{
	FILE *fp = fmemopen((void *)s, strlen(s), "r");

	assert_non_null(fp);
	return fp;
}

/* Run PARSE (route4 or route6) over TABLE. */
static int
parse_text(int (*parse)(FILE *, struct netaddr *, char *), const char *table,
    struct netaddr *out, char ifname[IF_NAMESIZE])
{
	FILE *fp = text(table);
	int rc = parse(fp, out, ifname);

	fclose(fp);
	return rc;
}

static int
inet6_text(const char *table, const char *ifname, bool allow_private,
    struct netaddr *out)
{
	FILE *fp = text(table);
	int rc = gateway_parse_if_inet6(fp, ifname, allow_private, out);

	fclose(fp);
	return rc;
}

/* A is the address S with port 0. */
static void
assert_ip(const struct netaddr *a, const char *s)
{
	struct netaddr want;

	assert_int_equal(netaddr_parse(s, 1, &want), 0);
	want.port = 0;
	assert_true(netaddr_equal(a, &want));
}

static void
test_route4(void **state)
{
	const char *table =
	    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
	    "eth1\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
	    "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
	    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	    "wg0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0\n"
	    "tun0\t00000000\t0100000A\t0002\t0\t0\t10\t00000000\t0\t0\t0\n"
	    "junk\n";
	struct netaddr gw;
	char ifname[IF_NAMESIZE];

	(void)state;
	assert_int_equal(parse_text(gateway_parse_route4, table, &gw, ifname), 0);
	assert_ip(&gw, "192.0.2.1");
	assert_string_equal(ifname, "eth0");

	assert_int_equal(parse_text(gateway_parse_route4, "Iface\tDestination\tGateway\n"
	    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n",
	    &gw, ifname), -1);
	/* Bad fields are skipped: short hex, a name too long, non-hex. */
	assert_int_equal(parse_text(gateway_parse_route4,
	    "eth0\t0000000\t010200C0\t0003\t0\t0\t0\t00000000\n"
	    "averyveryverylongname\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n"
	    "eth0\t00000000\t0102Z0C0\t0003\t0\t0\t0\t00000000\n"
	    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t0000000G\n", &gw, ifname), -1);
}

static void
test_route4_long_line(void **state)
{
	char table[2048], pad[1201];
	struct netaddr gw;
	char ifname[IF_NAMESIZE];

	(void)state;
	/* An over-long line (a default route padded with blanks) is dropped
	 * whole; the line after it still counts. */
	memset(pad, ' ', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	snprintf(table, sizeof table,
	    "eth5\t00000000\t0302A8C0\t0003\t0\t0\t0\t00000000%s\n"
	    "eth9\t00000000\t0202A8C0\t0003\t0\t0\t0\t00000000\n", pad);
	assert_int_equal(parse_text(gateway_parse_route4, table, &gw, ifname), 0);
	assert_string_equal(ifname, "eth9");
	assert_int_equal(gw.ip[15], 2);
}

/* This machine's own /proc/net/ipv6_route, as read when writing the test. */
static const char ipv6_route[] =
    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fe800000000000000000000000000001 00000200 00000002 00000000 00000003     eth1\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fe800000000000000000000000000009 00000001 00000001 00000000 00200203       lo\n";

static void
test_route6(void **state)
{
	struct netaddr gw;
	char ifname[IF_NAMESIZE];

	(void)state;
	assert_int_equal(parse_text(gateway_parse_route6, ipv6_route, &gw, ifname), 0);
	assert_ip(&gw, "fe80::1");
	assert_string_equal(ifname, "eth1");	/* metric 0x200 beats 0x400 */
	/* Not a default route, however good its next hop. */
	assert_int_equal(parse_text(gateway_parse_route6,
	    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
	    "fd000000000000000000000000000001 00000100 00000001 00000000 00000003     eth0\n",
	    &gw, ifname), -1);
}

static void
test_if_inet6(void **state)
{
	const char *table =
	    "00000000000000000000000000000001 01 80 10 80       lo\n"
	    "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n"
	    "2a0104f8000000000000000000000007 04 40 00 01     eth0\n"	/* temporary */
	    "2a0104f8000000000000000000000008 04 40 00 20     eth0\n"	/* deprecated */
	    "2a0104f8000000000000000000000009 04 40 00 40     eth0\n"	/* tentative */
	    "fd000000000000000000000000000002 04 40 00 82     eth0\n"	/* ULA */
	    "20010db8000000000000000000000003 04 40 00 80     eth0\n"	/* documentation */
	    "2a0104f800000000000000000000000a 05 40 00 80     eth1\n"
	    "2a0104f800000000000000000000000b 04 40 00 80     eth0\n";
	struct netaddr a;

	(void)state;
	assert_int_equal(inet6_text(table, "eth0", false, &a), 0);
	assert_ip(&a, "2a01:4f8::b");
	/* On regtest a ULA will do. */
	assert_int_equal(inet6_text(table, "eth0", true, &a), 0);
	assert_ip(&a, "fd00::2");
	assert_int_equal(inet6_text(table, "eth1", false, &a), 0);
	assert_ip(&a, "2a01:4f8::a");
	assert_int_equal(inet6_text(table, "lo", true, &a), -1);
	assert_int_equal(inet6_text(table, "eth2", true, &a), -1);
}

static void
test_proc_files(void **state)
{
	char dir[] = "/tmp/test_natpmp_codec.XXXXXX", path[64];
	struct netaddr a;
	char ifname[IF_NAMESIZE];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(gateway_default4(dir, &a, ifname), -1);
	assert_int_equal(gateway_default6(dir, &a, ifname), -1);
	assert_int_equal(gateway_global6(dir, "eth0", false, &a), -1);

	snprintf(path, sizeof path, "%s/route", dir);
	fp = fopen(path, "w");
	fputs("Iface\tDestination\tGateway\n"
	    "eth0\t00000000\t014DA8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n", fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/ipv6_route", dir);
	fp = fopen(path, "w");
	fputs(ipv6_route, fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/if_inet6", dir);
	fp = fopen(path, "w");
	fputs("2a0104f8000000000000000000000002 04 40 00 80     eth1\n", fp);
	fclose(fp);

	assert_int_equal(gateway_default4(dir, &a, ifname), 0);
	assert_int_equal(a.ip[12], 192);
	assert_int_equal(a.ip[15], 1);
	assert_string_equal(ifname, "eth0");
	assert_int_equal(gateway_default6(dir, &a, ifname), 0);
	assert_string_equal(ifname, "eth1");
	assert_int_equal(gateway_global6(dir, "eth1", false, &a), 0);
	assert_int_equal(a.ip[15], 2);

	/* The real tables parse (whatever they hold). */
	(void)gateway_default4(NULL, &a, ifname);
	(void)gateway_default6(NULL, &a, ifname);

	unlink(path);
	snprintf(path, sizeof path, "%s/route", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/ipv6_route", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcp_encode_map),
		cmocka_unit_test(test_pcp_decode_success),
		cmocka_unit_test(test_pcp_decode_lengths),
		cmocka_unit_test(test_pcp_decode_not_ours),
		cmocka_unit_test(test_pcp_decode_hollow_success),
		cmocka_unit_test(test_pcp_decode_old_servers),
		cmocka_unit_test(test_natpmp_encode),
		cmocka_unit_test(test_natpmp_decode),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_route4),
		cmocka_unit_test(test_route4_long_line),
		cmocka_unit_test(test_route6),
		cmocka_unit_test(test_if_inet6),
		cmocka_unit_test(test_proc_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
