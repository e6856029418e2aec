/* fuzz_pcp.c -- libFuzzer target: PCP and NAT-PMP replies, and the /proc/net gateway parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../node/gateway.h"
#include "../../node/pcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The request every PCP reply is checked against: IPv4 when V4, else an
 * IPv6 pinhole; LIFETIME 0 is a deletion. */
static void
request(struct pcp_map_request *req, int v4, uint32_t lifetime)
{
	memset(req, 0, sizeof *req);
	for (int i = 0; i < PCP_NONCE_LEN; i++)
		req->nonce[i] = (uint8_t)(0xa0 + i);
	req->lifetime = lifetime;
	if (v4) {
		req->client_ip[10] = req->client_ip[11] = 0xff;
		req->client_ip[12] = 192;
		req->client_ip[13] = 168;
		req->client_ip[15] = 2;
		req->external_ip[10] = req->external_ip[11] = 0xff;
	} else {
		req->client_ip[0] = 0x2a;
		req->client_ip[15] = 2;
	}
	req->internal_port = 9333;
	req->external_port = 9333;
}

static int
is_v4mapped(const uint8_t ip[16])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(ip, pfx, sizeof pfx) == 0;
}

/* What a PCP_REPLY_OK promises, checked on every accepted input. */
static void
check_pcp(const uint8_t *p, size_t len, const struct pcp_map_request *req)
{
	struct pcp_map_reply m;
	char why[96];

	switch (pcp_decode_map(p, len, req, &m, why, sizeof why)) {
	case PCP_REPLY_OK:
		if (len < PCP_MAP_REQUEST_LEN || len > PCP_MAX_PACKET || len % 4 != 0 ||
		    p[0] != PCP_VERSION || memcmp(p + 24, req->nonce, PCP_NONCE_LEN) != 0)
			abort();
		if (m.result == 0 && req->lifetime > 0 && (m.lifetime == 0 ||
		    m.external_port == 0 ||
		    is_v4mapped(m.external_ip) != is_v4mapped(req->client_ip)))
			abort();
		break;
	case PCP_REPLY_NATPMP_ONLY:
		if (len < 8 || m.result != PCP_RESULT_UNSUPP_VERSION || m.version > 1)
			abort();
		break;
	case PCP_REPLY_BAD:
		if (strnlen(why, sizeof why) == sizeof why)
			abort();
		break;
	}
}

static void
check_natpmp(const uint8_t *p, size_t len, uint8_t op, uint32_t lifetime)
{
	struct natpmp_reply r;
	char why[96];

	if (natpmp_decode(p, len, op, 9333, lifetime, &r, why, sizeof why) != PCP_REPLY_OK)
		return;
	if (len < 8 || len > PCP_MAX_PACKET || p[0] != 0 || p[1] != (0x80 | op))
		abort();
	if (r.result == 0 && op == NATPMP_OP_MAP_TCP && (r.internal_port != 9333 ||
	    (lifetime > 0 && (r.lifetime == 0 || r.external_port == 0))))
		abort();
}

static void
check_proc(const uint8_t *data, size_t size)
{
	struct netaddr a;
	char ifname[IF_NAMESIZE];
	FILE *fp;

	if (size == 0)
		return;
	if ((fp = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	if (gateway_parse_route4(fp, &a, ifname) == 0 &&
	    (strnlen(ifname, IF_NAMESIZE) == IF_NAMESIZE || a.ip[10] != 0xff))
		abort();
	rewind(fp);
	if (gateway_parse_route6(fp, &a, ifname) == 0 &&
	    strnlen(ifname, IF_NAMESIZE) == IF_NAMESIZE)
		abort();
	rewind(fp);
	(void)gateway_parse_if_inet6(fp, "eth0", (size & 1) != 0, &a);
	fclose(fp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcp_map_request req;

	/* Every reply parser sees every input: a datagram is whatever
	 * arrives, whichever request is outstanding. */
	request(&req, 1, 3600);
	check_pcp(data, size, &req);
	request(&req, 0, 3600);
	check_pcp(data, size, &req);
	request(&req, 1, 0);
	check_pcp(data, size, &req);
	check_natpmp(data, size, NATPMP_OP_PUBLIC, 0);
	check_natpmp(data, size, NATPMP_OP_MAP_TCP, 3600);
	check_natpmp(data, size, NATPMP_OP_MAP_TCP, 0);
	check_proc(data, size);
	return 0;
}
