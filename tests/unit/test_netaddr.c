/* test_netaddr.c -- unit tests for netaddr: parsing, formatting, classes, netgroups. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "netaddr.h"

#define DEFPORT 9001

/* Parse S or fail the test. */
static struct netaddr
must_parse(const char *s)
{
	struct netaddr a;

	if (netaddr_parse(s, DEFPORT, &a) != 0)
		fail_msg("could not parse \"%s\"", s);
	return a;
}

/*
 * netaddr_parse
 */

struct parse_row {
	const char	*in;
	int		 ok;
	const char	*canon;		/* netaddr_format of the result */
};

static const struct parse_row parse_rows[] = {
	/* Good. */
	{ "1.2.3.4:9002", 1, "1.2.3.4:9002" },
	{ "1.2.3.4", 1, "1.2.3.4:9001" },
	{ "0.0.0.0:1", 1, "0.0.0.0:1" },
	{ "255.255.255.255:65535", 1, "255.255.255.255:65535" },
	{ "10.0.0.1:80", 1, "10.0.0.1:80" },
	{ "[2001:db8::1]:9002", 1, "[2001:db8::1]:9002" },
	{ "[2001:db8::1]", 1, "[2001:db8::1]:9001" },
	{ "2001:db8::1", 1, "[2001:db8::1]:9001" },
	{ "[::1]", 1, "[::1]:9001" },
	{ "[::1]:1", 1, "[::1]:1" },
	{ "::1", 1, "[::1]:9001" },
	{ "::", 1, "[::]:9001" },
	/* A bare IPv6 literal never carries a port.  (glibc's inet_ntop
	 * prints ::/96 addresses in the old IPv4-compatible style.) */
	{ "::1:9001", 1, "[::0.1.144.1]:9001" },
	{ "2001:db8::1:9001", 1, "[2001:db8::1:9001]:9001" },
	{ "2001:DB8:0:0::1", 1, "[2001:db8::1]:9001" },
	{ "[::ffff:1.2.3.4]:80", 1, "1.2.3.4:80" },
	{ "::ffff:1.2.3.4", 1, "1.2.3.4:9001" },
	{ "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", 1,
	  "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535" },
	{ "[fe80::1]:9001", 1, "[fe80::1]:9001" },
	{ "64:ff9b::1.2.3.4", 1, "[64:ff9b::102:304]:9001" },
	/* Bad: empty and malformed ports. */
	{ "", 0, NULL },
	{ ":", 0, NULL },
	{ ":9001", 0, NULL },
	{ "1.2.3.4:", 0, NULL },
	{ "1.2.3.4:0", 0, NULL },
	{ "1.2.3.4:65536", 0, NULL },
	{ "1.2.3.4:99999", 0, NULL },
	{ "1.2.3.4:123456", 0, NULL },
	{ "1.2.3.4:09001", 0, NULL },
	{ "1.2.3.4:+80", 0, NULL },
	{ "1.2.3.4:-80", 0, NULL },
	{ "1.2.3.4:8a", 0, NULL },
	{ "1.2.3.4:80 ", 0, NULL },
	{ "1.2.3.4: 80", 0, NULL },
	{ "1.2.3.4:80x", 0, NULL },
	{ "[::1]:", 0, NULL },
	{ "[::1]:0", 0, NULL },
	{ "[::1]:65536", 0, NULL },
	{ "[::1]x", 0, NULL },
	{ "[::1]:80:80", 0, NULL },
	{ "[::1]]:80", 0, NULL },
	/* Bad: numeric forms inet_pton refuses. */
	{ "1.2.3", 0, NULL },
	{ "1.2.3.4.5", 0, NULL },
	{ "256.1.1.1", 0, NULL },
	{ "01.2.3.4", 0, NULL },
	{ "1.2.3.010", 0, NULL },
	{ "0x7f.0.0.1", 0, NULL },
	{ "2130706433", 0, NULL },
	{ " 1.2.3.4", 0, NULL },
	{ "1.2.3.4 ", 0, NULL },
	{ "1.2.3.4/24", 0, NULL },
	{ "2001:db8::1::2", 0, NULL },
	{ "12345::1", 0, NULL },
	{ "1:2:3:4:5:6:7:8:9", 0, NULL },
	/* Bad: brackets. */
	{ "[1.2.3.4]:80", 0, NULL },
	{ "[1.2.3.4]", 0, NULL },
	{ "[]", 0, NULL },
	{ "[]:80", 0, NULL },
	{ "[::1", 0, NULL },
	{ "::1]", 0, NULL },
	{ "[[::1]]", 0, NULL },
	{ "[localhost]:80", 0, NULL },
	/* Bad: zone ids. */
	{ "fe80::1%eth0", 0, NULL },
	{ "[fe80::1%eth0]:9001", 0, NULL },
	{ "[fe80::1%1]", 0, NULL },
	/* Bad: host names are not numeric addresses. */
	{ "localhost", 0, NULL },
	{ "localhost:9001", 0, NULL },
	{ "example.com:80", 0, NULL },
};

static void
test_parse_table(void **state)
{
	char buf[NETADDR_STRLEN];
	struct netaddr a;

	(void)state;
	assert_true(sizeof parse_rows / sizeof parse_rows[0] >= 40);
	for (size_t i = 0; i < sizeof parse_rows / sizeof parse_rows[0]; i++) {
		const struct parse_row *r = &parse_rows[i];
		int rc;

		memset(&a, 0xaa, sizeof a);
		rc = netaddr_parse(r->in, DEFPORT, &a);
		if (r->ok) {
			if (rc != 0)
				fail_msg("row %zu \"%s\": rejected", i, r->in);
			netaddr_format(&a, buf, sizeof buf);
			if (strcmp(buf, r->canon) != 0)
				fail_msg("row %zu \"%s\": got \"%s\" want \"%s\"",
				    i, r->in, buf, r->canon);
		} else {
			struct netaddr untouched;

			if (rc != -1)
				fail_msg("row %zu \"%s\": accepted", i, r->in);
			memset(&untouched, 0xaa, sizeof untouched);
			assert_memory_equal(&a, &untouched, sizeof a);
		}
	}
}

static void
test_parse_null_and_long(void **state)
{
	char big[600];
	struct netaddr a;

	(void)state;
	assert_int_equal(netaddr_parse(NULL, DEFPORT, &a), -1);
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(netaddr_parse(big, DEFPORT, &a), -1);
	/* A bracket pair that is too long for any IPv6 literal. */
	memset(big, '1', sizeof big);
	big[0] = '[';
	big[60] = ']';
	big[61] = '\0';
	assert_int_equal(netaddr_parse(big, DEFPORT, &a), -1);
}

static void
test_parse_default_port(void **state)
{
	struct netaddr a;

	(void)state;
	assert_int_equal(netaddr_parse("1.2.3.4", 0, &a), -1);
	assert_int_equal(netaddr_parse("[::1]", 0, &a), -1);
	assert_int_equal(netaddr_parse("1.2.3.4:5", 0, &a), 0);
	assert_int_equal(a.port, 5);
	assert_int_equal(netaddr_parse("1.2.3.4", 65535, &a), 0);
	assert_int_equal(a.port, 65535);
}

static void
test_parse_representation(void **state)
{
	static const uint8_t want[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4
	};
	static const uint8_t v6[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x90, 0x01
	};
	struct netaddr a, b;

	(void)state;
	a = must_parse("1.2.3.4:258");
	assert_memory_equal(a.ip, want, 16);
	assert_int_equal(a.port, 258);
	assert_true(netaddr_is_ipv4(&a));
	netaddr_from_ipv4(&b, 0x01020304, 258);
	assert_true(netaddr_equal(&a, &b));
	b = must_parse("[::ffff:1.2.3.4]:258");
	assert_true(netaddr_equal(&a, &b));
	b = must_parse("::1");
	assert_false(netaddr_is_ipv4(&b));
	b = must_parse("::1.2.3.4");	/* IPv4-compatible, not mapped */
	assert_false(netaddr_is_ipv4(&b));

	/* "::1:9001" is one IPv6 address on the default port. */
	b = must_parse("::1:9001");
	assert_memory_equal(b.ip, v6, 16);
	assert_int_equal(b.port, DEFPORT);
}

/*
 * Formatting, comparison
 */

static void
test_format_roundtrip(void **state)
{
	static const char *const canon[] = {
		"1.2.3.4:9001",
		"0.0.0.0:1",
		"255.255.255.255:65535",
		"[::]:1",
		"[::1]:9001",
		"[2001:db8::1]:80",
		"[2001:db8:1:2:3:4:5:6]:443",
		"[fe80::1]:9001",
		"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
		"[::0.1.144.1]:9001",
		"[2001:db8::1:9001]:9001",
	};
	char buf[NETADDR_STRLEN];
	struct netaddr a, b;

	(void)state;
	for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
		a = must_parse(canon[i]);
		assert_string_equal(netaddr_format(&a, buf, sizeof buf), canon[i]);
		b = must_parse(buf);
		assert_true(netaddr_equal(&a, &b));
	}
	/* The longest form fits NETADDR_STRLEN. */
	assert_true(strlen(canon[8]) < NETADDR_STRLEN);
}

static void
test_format_ip(void **state)
{
	char buf[NETADDR_STRLEN], small[8];
	struct netaddr a;

	(void)state;
	a = must_parse("1.2.3.4:80");
	assert_string_equal(netaddr_format_ip(&a, buf, sizeof buf), "1.2.3.4");
	a = must_parse("[2001:db8::1]:80");
	assert_string_equal(netaddr_format_ip(&a, buf, sizeof buf), "2001:db8::1");
	/* A short buffer truncates but stays terminated. */
	assert_string_equal(netaddr_format(&a, small, sizeof small), "[2001:d");
	assert_string_equal(netaddr_format_ip(&a, small, sizeof small), "2001:db");
	small[0] = 'x';
	assert_ptr_equal(netaddr_format(&a, small, 0), small);
	assert_int_equal(small[0], 'x');
}

static void
test_equal_cmp(void **state)
{
	char buf[NETADDR_STRLEN];
	struct netaddr v[5], a, b;

	(void)state;
	a = must_parse("1.2.3.4:80");
	b = must_parse("1.2.3.4:81");
	assert_true(netaddr_same_ip(&a, &b));
	assert_false(netaddr_equal(&a, &b));
	assert_int_equal(netaddr_cmp(&a, &b), -1);
	assert_int_equal(netaddr_cmp(&b, &a), 1);
	assert_int_equal(netaddr_cmp(&a, &a), 0);

	v[0] = must_parse("[2001:db8::1]:1");
	v[1] = must_parse("1.2.3.4:81");
	v[2] = must_parse("::1");
	v[3] = must_parse("1.2.3.4:80");
	v[4] = must_parse("1.2.3.3:65535");
	qsort(v, 5, sizeof v[0], netaddr_cmp);
	assert_string_equal(netaddr_format(&v[0], buf, sizeof buf), "[::1]:9001");
	assert_string_equal(netaddr_format(&v[1], buf, sizeof buf), "1.2.3.3:65535");
	assert_string_equal(netaddr_format(&v[2], buf, sizeof buf), "1.2.3.4:80");
	assert_string_equal(netaddr_format(&v[3], buf, sizeof buf), "1.2.3.4:81");
	assert_string_equal(netaddr_format(&v[4], buf, sizeof buf), "[2001:db8::1]:1");
}

/*
 * netaddr_split_hostport
 */

struct split_row {
	const char	*in;
	int		 ok;
	const char	*host;
	uint16_t	 port;
};

static const struct split_row split_rows[] = {
	{ "localhost", 1, "localhost", DEFPORT },
	{ "localhost:80", 1, "localhost", 80 },
	{ "seed.agentchain.io:9001", 1, "seed.agentchain.io", 9001 },
	{ "Seed-A.AgentChain.io", 1, "Seed-A.AgentChain.io", DEFPORT },
	{ "_srv.example.org", 1, "_srv.example.org", DEFPORT },
	{ "a", 1, "a", DEFPORT },
	{ "a1.b2.c3", 1, "a1.b2.c3", DEFPORT },
	{ "123.example.com:1", 1, "123.example.com", 1 },
	{ "xn--bcher-kva.example", 1, "xn--bcher-kva.example", DEFPORT },
	{ "1.2.3.4:80", 1, "1.2.3.4", 80 },
	{ "1.2.3.4", 1, "1.2.3.4", DEFPORT },
	{ "[2001:db8::1]:80", 1, "2001:db8::1", 80 },
	{ "[::1]", 1, "::1", DEFPORT },
	{ "2001:db8::1", 1, "2001:db8::1", DEFPORT },
	{ "::1:9001", 1, "::1:9001", DEFPORT },
	{ "", 0, NULL, 0 },
	{ ":80", 0, NULL, 0 },
	{ "host:", 0, NULL, 0 },
	{ "host:0", 0, NULL, 0 },
	{ "host:65536", 0, NULL, 0 },
	{ "host:8o", 0, NULL, 0 },
	{ "host:80:80", 0, NULL, 0 },
	{ "-host.example", 0, NULL, 0 },
	{ "host-.example", 0, NULL, 0 },
	{ "host.-example", 0, NULL, 0 },
	{ "host.example-", 0, NULL, 0 },
	{ "host..example", 0, NULL, 0 },
	{ ".host.example", 0, NULL, 0 },
	{ "host.example.", 0, NULL, 0 },
	{ ".", 0, NULL, 0 },
	{ "ho st", 0, NULL, 0 },
	{ "host!", 0, NULL, 0 },
	{ "h\xc3\xa9.example", 0, NULL, 0 },
	{ "host/path", 0, NULL, 0 },
	{ "1.2.3", 0, NULL, 0 },
	{ "01.2.3.4", 0, NULL, 0 },
	{ "256.1.1.1:80", 0, NULL, 0 },
	{ "0x7f000001", 0, NULL, 0 },
	{ "2130706433", 0, NULL, 0 },
	{ "example.123", 0, NULL, 0 },
	{ "[localhost]:80", 0, NULL, 0 },
	{ "[1.2.3.4]:80", 0, NULL, 0 },
	{ "[fe80::1%eth0]:80", 0, NULL, 0 },
	{ "fe80::1%eth0", 0, NULL, 0 },
	{ "host:port:extra:more", 0, NULL, 0 },
	{ "[::1", 0, NULL, 0 },
};

static void
test_split_table(void **state)
{
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	(void)state;
	for (size_t i = 0; i < sizeof split_rows / sizeof split_rows[0]; i++) {
		const struct split_row *r = &split_rows[i];
		int rc;

		strcpy(host, "untouched");
		port = 7;
		rc = netaddr_split_hostport(r->in, DEFPORT, host, &port);
		if (r->ok) {
			if (rc != 0)
				fail_msg("row %zu \"%s\": rejected", i, r->in);
			assert_string_equal(host, r->host);
			assert_int_equal(port, r->port);
		} else {
			if (rc != -1)
				fail_msg("row %zu \"%s\": accepted", i, r->in);
			assert_string_equal(host, "untouched");
			assert_int_equal(port, 7);
		}
	}
}

/* Fill BUF with NLABELS labels of LABELLEN 'a's joined by dots, then
 * append SUFFIX. */
static void
make_name(char *buf, size_t nlabels, size_t labellen, const char *suffix)
{
	size_t o = 0;

	for (size_t i = 0; i < nlabels; i++) {
		if (i > 0)
			buf[o++] = '.';
		memset(buf + o, 'a', labellen);
		o += labellen;
	}
	strcpy(buf + o, suffix);
}

static void
test_split_lengths(void **state)
{
	char name[600], in[700], host[NETADDR_HOSTLEN];
	uint16_t port;

	(void)state;
	/* A 63-character label is fine, 64 is not. */
	make_name(name, 1, 63, "");
	assert_int_equal(netaddr_split_hostport(name, DEFPORT, host, &port), 0);
	assert_string_equal(host, name);
	make_name(name, 1, 64, "");
	assert_int_equal(netaddr_split_hostport(name, DEFPORT, host, &port), -1);
	/* The same for an inner label. */
	make_name(name, 1, 10, ".");
	memset(name + 11, 'b', 63);
	strcpy(name + 74, ".com");
	assert_int_equal(netaddr_split_hostport(name, DEFPORT, host, &port), 0);
	memset(name + 11, 'b', 64);
	strcpy(name + 75, ".com");
	assert_int_equal(netaddr_split_hostport(name, DEFPORT, host, &port), -1);

	/* 253 characters: three 63-char labels and one of 61. */
	make_name(name, 3, 63, ".");
	memset(name + 192, 'c', 61);
	name[253] = '\0';
	assert_int_equal(strlen(name), 253);
	assert_int_equal(netaddr_split_hostport(name, DEFPORT, host, &port), 0);
	assert_string_equal(host, name);
	assert_int_equal(port, DEFPORT);
	snprintf(in, sizeof in, "%s:65535", name);
	assert_int_equal(netaddr_split_hostport(in, DEFPORT, host, &port), 0);
	assert_string_equal(host, name);
	assert_int_equal(port, 65535);

	/* 254 characters is one too many, with or without a port. */
	memset(name + 192, 'c', 62);
	name[254] = '\0';
	assert_int_equal(netaddr_split_hostport(name, DEFPORT, host, &port), -1);
	snprintf(in, sizeof in, "%s:80", name);
	assert_int_equal(netaddr_split_hostport(in, DEFPORT, host, &port), -1);

	/* Far too long. */
	memset(in, 'a', sizeof in - 1);
	in[sizeof in - 1] = '\0';
	assert_int_equal(netaddr_split_hostport(in, DEFPORT, host, &port), -1);
	assert_int_equal(netaddr_split_hostport(NULL, DEFPORT, host, &port), -1);
}

static void
test_split_default_port_zero(void **state)
{
	char host[NETADDR_HOSTLEN];
	uint16_t port = 1;

	(void)state;
	/* A default of 0 passes through, so callers can tell "no port". */
	assert_int_equal(netaddr_split_hostport("example.org", 0, host, &port), 0);
	assert_int_equal(port, 0);
	assert_int_equal(netaddr_split_hostport("example.org:0", 0, host, &port), -1);
}

/*
 * Classification
 */

struct class_row {
	const char		*ip;
	enum netaddr_class	 class;
};

#define R NETADDR_ROUTABLE
#define P NETADDR_PRIVATE
#define L NETADDR_LOOPBACK
#define K NETADDR_LINKLOCAL
#define D NETADDR_DOCUMENTATION
#define U NETADDR_UNROUTABLE

/* First and last address of each range, and the neighbours just outside. */
static const struct class_row class_rows[] = {
	/* 0/8 */
	{ "0.0.0.0", U }, { "0.255.255.255", U }, { "1.0.0.0", R },
	/* 10/8 */
	{ "9.255.255.255", R }, { "10.0.0.0", P }, { "10.255.255.255", P },
	{ "11.0.0.0", R },
	/* 100.64/10 */
	{ "100.63.255.255", R }, { "100.64.0.0", P }, { "100.127.255.255", P },
	{ "100.128.0.0", R },
	/* 127/8 */
	{ "126.255.255.255", R }, { "127.0.0.0", L }, { "127.0.0.1", L },
	{ "127.255.255.255", L }, { "128.0.0.0", R },
	/* 169.254/16 */
	{ "169.253.255.255", R }, { "169.254.0.0", K }, { "169.254.255.255", K },
	{ "169.255.0.0", R },
	/* 172.16/12 */
	{ "172.15.255.255", R }, { "172.16.0.0", P }, { "172.31.255.255", P },
	{ "172.32.0.0", R },
	/* 192.0.0/24, 192.0.2/24 */
	{ "191.255.255.255", R }, { "192.0.0.0", U }, { "192.0.0.255", U },
	{ "192.0.1.0", R }, { "192.0.1.255", R }, { "192.0.2.0", D },
	{ "192.0.2.255", D }, { "192.0.3.0", R },
	/* 192.168/16 */
	{ "192.167.255.255", R }, { "192.168.0.0", P }, { "192.168.255.255", P },
	{ "192.169.0.0", R },
	/* 198.18/15 */
	{ "198.17.255.255", R }, { "198.18.0.0", U }, { "198.19.255.255", U },
	{ "198.20.0.0", R },
	/* 198.51.100/24 */
	{ "198.51.99.255", R }, { "198.51.100.0", D }, { "198.51.100.255", D },
	{ "198.51.101.0", R },
	/* 203.0.113/24 */
	{ "203.0.112.255", R }, { "203.0.113.0", D }, { "203.0.113.255", D },
	{ "203.0.114.0", R },
	/* 224/4, 240/4, broadcast */
	{ "223.255.255.255", R }, { "224.0.0.0", U }, { "239.255.255.255", U },
	{ "240.0.0.0", U }, { "255.255.255.254", U }, { "255.255.255.255", U },
	/* Ordinary routable IPv4. */
	{ "1.2.3.4", R }, { "8.8.8.8", R },
	/* IPv4-mapped follows the IPv4 rules. */
	{ "::ffff:10.0.0.1", P }, { "::ffff:127.0.0.1", L },
	{ "::ffff:1.2.3.4", R }, { "::fffe:a00:1", R }, { "::1:ffff:a00:1", R },

	/* :: and ::1 */
	{ "::", U }, { "::1", L }, { "::2", R },
	/* fc00::/7 */
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", R }, { "fc00::", P },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P }, { "fe00::", R },
	/* fe80::/10 */
	{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", R }, { "fe80::", K },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", K }, { "fec0::", R },
	/* ff00::/8 */
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", R }, { "ff00::", U },
	{ "ff02::1", U }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", U },
	/* 2001:db8::/32 */
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", R }, { "2001:db8::", D },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", D }, { "2001:db9::", R },
	/* 2001:10::/28 and 2001:20::/28 */
	{ "2001:f:ffff:ffff:ffff:ffff:ffff:ffff", R }, { "2001:10::", U },
	{ "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", U }, { "2001:20::", U },
	{ "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", U }, { "2001:30::", R },
	/* Teredo 2001::/32 is plain routable IPv6, whatever it embeds. */
	{ "2001::", R }, { "2001::f5ff:fffe", R },
	{ "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", R },
	/* NAT64 64:ff9b::/96 follows the embedded IPv4. */
	{ "64:ff9b::1.2.3.4", R }, { "64:ff9b::10.0.0.1", P },
	{ "64:ff9b::127.0.0.1", L }, { "64:ff9b::169.254.1.1", K },
	{ "64:ff9b::192.0.2.1", D }, { "64:ff9b::0.0.0.0", U },
	{ "64:ff9b::255.255.255.255", U },
	{ "64:ff9b:0:0:0:1:a00:1", R }, { "64:ff9a:ffff:ffff:ffff:ffff:a00:1", R },
	{ "64:ff9c::a00:1", R },
	/* 6to4 2002::/16 follows the embedded IPv4. */
	{ "2002:102:304::", R }, { "2002:a00:1::", P }, { "2002:7f00:1::", L },
	{ "2002:c000:201::", D }, { "2002::", U }, { "2002:e000:1::1", U },
	{ "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", R }, { "2003::a00:1", R },
	/* Ordinary routable IPv6. */
	{ "2a01:4f8::1", R }, { "2001:470::1", R },
};

static void
test_classify_table(void **state)
{
	struct netaddr a;

	(void)state;
	for (size_t i = 0; i < sizeof class_rows / sizeof class_rows[0]; i++) {
		enum netaddr_class c;

		a = must_parse(class_rows[i].ip);
		c = netaddr_classify(&a);
		if (c != class_rows[i].class)
			fail_msg("%s: got %s want %s", class_rows[i].ip,
			    netaddr_class_name(c),
			    netaddr_class_name(class_rows[i].class));
	}
}

static void
test_class_name(void **state)
{
	(void)state;
	assert_string_equal(netaddr_class_name(NETADDR_ROUTABLE), "routable");
	assert_string_equal(netaddr_class_name(NETADDR_PRIVATE), "private");
	assert_string_equal(netaddr_class_name(NETADDR_LOOPBACK), "loopback");
	assert_string_equal(netaddr_class_name(NETADDR_LINKLOCAL), "link-local");
	assert_string_equal(netaddr_class_name(NETADDR_DOCUMENTATION),
	    "documentation");
	assert_string_equal(netaddr_class_name(NETADDR_UNROUTABLE), "unroutable");
	assert_string_equal(netaddr_class_name((enum netaddr_class)42), "unknown");
}

static void
test_valid_peer(void **state)
{
	static const struct {
		const char	*in;
		bool		 strict;	/* allow_private false */
		bool		 regtest;	/* allow_private true */
	} rows[] = {
		{ "1.2.3.4:9001", true, true },
		{ "[2a01:4f8::1]:9001", true, true },
		{ "127.0.0.1:9001", false, true },
		{ "[::1]:9001", false, true },
		{ "10.1.2.3:9001", false, true },
		{ "100.64.0.1:9001", false, true },
		{ "[fd00::1]:9001", false, true },
		{ "169.254.1.1:9001", false, false },
		{ "[fe80::1]:9001", false, false },
		{ "192.0.2.1:9001", false, false },
		{ "[2001:db8::1]:9001", false, false },
		{ "0.0.0.0:9001", false, false },
		{ "[::]:9001", false, false },
		{ "224.0.0.1:9001", false, false },
		{ "255.255.255.255:9001", false, false },
		{ "[ff02::1]:9001", false, false },
	};
	struct netaddr a;

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		a = must_parse(rows[i].in);
		if (netaddr_is_valid_peer(&a, false) != rows[i].strict ||
		    netaddr_is_valid_peer(&a, true) != rows[i].regtest)
			fail_msg("%s: wrong validity", rows[i].in);
	}
	/* Port 0 cannot come from netaddr_parse but can from the wire. */
	a = must_parse("1.2.3.4:9001");
	a.port = 0;
	assert_false(netaddr_is_valid_peer(&a, false));
	assert_false(netaddr_is_valid_peer(&a, true));
	a = must_parse("127.0.0.1");
	a.port = 0;
	assert_false(netaddr_is_valid_peer(&a, true));
}

/*
 * Netgroups
 */

static void
group_of(const char *s, bool allow_private, uint8_t out[NETADDR_GROUPLEN])
{
	struct netaddr a = must_parse(s);

	netaddr_netgroup_policy(&a, allow_private, out);
}

static bool
same_group(const char *x, const char *y, bool allow_private)
{
	uint8_t gx[NETADDR_GROUPLEN], gy[NETADDR_GROUPLEN];

	group_of(x, allow_private, gx);
	group_of(y, allow_private, gy);
	return memcmp(gx, gy, NETADDR_GROUPLEN) == 0;
}

static void
test_netgroup_routable(void **state)
{
	(void)state;
	/* Same /16 equal, different /16 differ. */
	assert_true(same_group("1.2.3.4", "1.2.200.1", false));
	assert_true(same_group("1.2.0.0", "1.2.255.255:80", false));
	assert_false(same_group("1.2.3.4", "1.3.3.4", false));
	assert_false(same_group("1.2.3.4", "2.2.3.4", false));
	/* Mapped, 6to4 and NAT64 forms group with the IPv4 address. */
	assert_true(same_group("1.2.3.4", "::ffff:1.2.3.4", false));
	assert_true(same_group("1.2.3.4", "2002:102:909::1", false));
	assert_true(same_group("1.2.3.4", "64:ff9b::1.2.99.99", false));
	assert_false(same_group("1.2.3.4", "2002:103:304::", false));
	/* IPv6 /32. */
	assert_true(same_group("2a01:4f8::1", "2a01:4f8:ffff:ffff::1", false));
	assert_false(same_group("2a01:4f8::1", "2a01:4f9::1", false));
	/* he.net is split into /36s. */
	assert_true(same_group("2001:470::1", "2001:470:fff:ffff::1", false));
	assert_false(same_group("2001:470::1", "2001:470:1000::1", false));
	assert_true(same_group("2001:470:f000::", "2001:470:ffff::", false));
	assert_false(same_group("2001:470:e000::", "2001:470:f000::", false));
	/* Outside he.net, the fifth byte does not matter. */
	assert_true(same_group("2001:471::1", "2001:471:f000::1", false));
	/* Equal prefix bytes in different families never collide:
	 * 32.1.x.x vs 2001::/32, 0.0.x.x vs unroutable. */
	assert_false(same_group("32.1.4.112", "2001:470::", false));
	assert_false(same_group("32.1.0.0", "2001::", false));
	/* Documentation addresses group by prefix like routable ones. */
	assert_true(same_group("2001:db8::1", "2001:db8:1::1", false));
	assert_false(same_group("192.0.2.1", "198.51.100.1", false));
	/* Policy does not touch routable groups. */
	assert_true(same_group("1.2.3.4", "1.2.9.9", true));
	assert_true(same_group("2001:470::1", "2001:470:fff::1", true));
}

static void
test_netgroup_local(void **state)
{
	static const char *const local4[] = {
		"127.0.0.1", "127.0.0.2", "10.0.0.1", "10.9.0.1", "172.16.1.1",
		"192.168.1.1", "100.64.0.1", "169.254.1.1", "::ffff:127.0.0.1",
		"2002:a00:1::", "64:ff9b::192.168.0.1",
	};
	static const char *const local6[] = {
		"::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1",
	};
	static const char *const unroutable[] = {
		"0.0.0.0", "0.1.2.3", "224.0.0.1", "240.0.0.1",
		"255.255.255.255", "192.0.0.1", "198.18.0.1", "::", "ff02::1",
		"2001:10::1", "2001:20::1", "2002::1",
	};
	uint8_t g4[NETADDR_GROUPLEN], g6[NETADDR_GROUPLEN],
	    gu[NETADDR_GROUPLEN], g[NETADDR_GROUPLEN], gr[NETADDR_GROUPLEN];
	struct netaddr a;

	(void)state;
	group_of(local4[0], false, g4);
	group_of(local6[0], false, g6);
	group_of(unroutable[0], false, gu);
	group_of("1.2.3.4", false, gr);
	for (size_t i = 0; i < sizeof local4 / sizeof local4[0]; i++) {
		group_of(local4[i], false, g);
		assert_memory_equal(g, g4, NETADDR_GROUPLEN);
	}
	for (size_t i = 0; i < sizeof local6 / sizeof local6[0]; i++) {
		group_of(local6[i], false, g);
		assert_memory_equal(g, g6, NETADDR_GROUPLEN);
	}
	for (size_t i = 0; i < sizeof unroutable / sizeof unroutable[0]; i++) {
		group_of(unroutable[i], false, g);
		assert_memory_equal(g, gu, NETADDR_GROUPLEN);
		/* Policy changes nothing for unroutable addresses. */
		group_of(unroutable[i], true, g);
		assert_memory_equal(g, gu, NETADDR_GROUPLEN);
	}
	/* The four kinds of group differ in their class byte. */
	assert_int_not_equal(g4[0], g6[0]);
	assert_int_not_equal(g4[0], gu[0]);
	assert_int_not_equal(g6[0], gu[0]);
	assert_int_not_equal(gr[0], g4[0]);
	assert_int_not_equal(gr[0], g6[0]);
	assert_int_not_equal(gr[0], gu[0]);

	/* netaddr_netgroup is the policy-free form. */
	a = must_parse("127.0.0.1");
	netaddr_netgroup(&a, g);
	assert_memory_equal(g, g4, NETADDR_GROUPLEN);
}

static void
test_netgroup_policy(void **state)
{
	uint8_t g1[NETADDR_GROUPLEN], g2[NETADDR_GROUPLEN];

	(void)state;
	/* With the policy, each local address is its own group. */
	assert_false(same_group("127.0.0.1", "127.0.0.2", true));
	assert_false(same_group("10.0.0.1", "10.0.0.2", true));
	assert_false(same_group("169.254.0.1", "169.254.0.2", true));
	assert_true(same_group("127.0.0.1:1", "127.0.0.1:2", true));
	assert_true(same_group("127.0.0.1", "::ffff:127.0.0.1", true));
	/* IPv6: the first 5 bytes. */
	assert_true(same_group("fd00:1:2::1", "fd00:1:2:ffff::1", true));
	assert_false(same_group("fd00:1:2::1", "fd00:1:100::1", true));
	assert_false(same_group("::1", "fd00::1", true));
	/* A per-address group never equals a routable /16 with the same
	 * bytes, nor the shared local group. */
	group_of("10.0.0.1", true, g1);
	group_of("10.0.0.1", false, g2);
	assert_int_not_equal(g1[0], g2[0]);
	group_of("11.0.0.1", true, g2);
	assert_int_not_equal(g1[0], g2[0]);
	group_of("fd00::1", true, g2);
	assert_int_not_equal(g1[0], g2[0]);
	group_of("2a01:4f8::1", true, g1);
	assert_int_not_equal(g1[0], g2[0]);
}

static void
test_netgroup_str(void **state)
{
	static const struct {
		const char	*in;
		const char	*group;
		const char	*policy;	/* with allow_private */
	} rows[] = {
		{ "1.2.3.4", "1.2.0.0/16", "1.2.0.0/16" },
		{ "::ffff:1.2.3.4", "1.2.0.0/16", "1.2.0.0/16" },
		{ "2002:102:304::", "1.2.0.0/16", "1.2.0.0/16" },
		{ "255.254.3.4", "unroutable", "unroutable" },
		{ "2001:db8::1", "2001:db8::/32", "2001:db8::/32" },
		{ "2a01:4f8:1:2::1", "2a01:4f8::/32", "2a01:4f8::/32" },
		{ "2001:470::1", "2001:470::/36", "2001:470::/36" },
		{ "2001:470:1234::1", "2001:470:1000::/36", "2001:470:1000::/36" },
		{ "127.0.0.1", "local-ipv4", "127.0.0.1/32" },
		{ "192.168.7.9", "local-ipv4", "192.168.7.9/32" },
		{ "::1", "local-ipv6", "::/40" },
		{ "fd00:1:2::1", "local-ipv6", "fd00:1::/40" },
		{ "::", "unroutable", "unroutable" },
	};
	char buf[NETADDR_STRLEN], small[5];
	uint8_t key[NETADDR_GROUPLEN] = { 0 };
	struct netaddr a;

	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		a = must_parse(rows[i].in);
		assert_string_equal(netaddr_netgroup_str(&a, buf, sizeof buf),
		    rows[i].group);
		netaddr_netgroup_policy(&a, true, key);
		assert_string_equal(netaddr_netgroup_key_str(key, buf,
		    sizeof buf), rows[i].policy);
	}
	a = must_parse("1.2.3.4");
	assert_string_equal(netaddr_netgroup_str(&a, small, sizeof small), "1.2.");
	key[0] = 200;
	assert_string_equal(netaddr_netgroup_key_str(key, buf, sizeof buf),
	    "invalid");
}

/*
 * sockaddr conversions
 */

static void
test_sockaddr_ipv4(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct netaddr a, b;

	(void)state;
	a = must_parse("1.2.3.4:9002");
	assert_int_equal(netaddr_to_sockaddr(&a, &ss), sizeof(struct sockaddr_in));
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(sin->sin_port, htons(9002));
	assert_int_equal(sin->sin_addr.s_addr, htonl(0x01020304));
	memset(&b, 0, sizeof b);
	assert_int_equal(netaddr_from_sockaddr(&b, (struct sockaddr *)&ss), 0);
	assert_true(netaddr_equal(&a, &b));
	assert_true(netaddr_is_ipv4(&b));

	netaddr_from_ipv4(&b, 0x7f000001, 65535);
	a = must_parse("127.0.0.1:65535");
	assert_true(netaddr_equal(&a, &b));
}

static void
test_sockaddr_ipv6(void **state)
{
	static const uint8_t want[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct netaddr a, b;

	(void)state;
	a = must_parse("[2001:db8::1]:443");
	assert_int_equal(netaddr_to_sockaddr(&a, &ss), sizeof(struct sockaddr_in6));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(sin6->sin6_port, htons(443));
	assert_memory_equal(sin6->sin6_addr.s6_addr, want, 16);
	assert_int_equal(sin6->sin6_scope_id, 0);
	assert_int_equal(sin6->sin6_flowinfo, 0);
	memset(&b, 0, sizeof b);
	assert_int_equal(netaddr_from_sockaddr(&b, (struct sockaddr *)&ss), 0);
	assert_true(netaddr_equal(&a, &b));

	/* A mapped address arriving on a dual-stack socket stays mapped,
	 * and goes back out as a sockaddr_in. */
	memset(&ss, 0, sizeof ss);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(80);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:1.2.3.4",
	    &sin6->sin6_addr), 1);
	assert_int_equal(netaddr_from_sockaddr(&b, (struct sockaddr *)&ss), 0);
	a = must_parse("1.2.3.4:80");
	assert_true(netaddr_equal(&a, &b));
	assert_int_equal(netaddr_to_sockaddr(&b, &ss), sizeof(struct sockaddr_in));
	assert_int_equal(ss.ss_family, AF_INET);
}

static void
test_sockaddr_bad_family(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	struct netaddr a, untouched;

	(void)state;
	memset(&ss, 0, sizeof ss);
	sun->sun_family = AF_UNIX;
	memset(&a, 0x55, sizeof a);
	untouched = a;
	assert_int_equal(netaddr_from_sockaddr(&a, (struct sockaddr *)&ss), -1);
	assert_memory_equal(&a, &untouched, sizeof a);
	ss.ss_family = AF_UNSPEC;
	assert_int_equal(netaddr_from_sockaddr(&a, (struct sockaddr *)&ss), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_null_and_long),
		cmocka_unit_test(test_parse_default_port),
		cmocka_unit_test(test_parse_representation),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_format_ip),
		cmocka_unit_test(test_equal_cmp),
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_split_lengths),
		cmocka_unit_test(test_split_default_port_zero),
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_class_name),
		cmocka_unit_test(test_valid_peer),
		cmocka_unit_test(test_netgroup_routable),
		cmocka_unit_test(test_netgroup_local),
		cmocka_unit_test(test_netgroup_policy),
		cmocka_unit_test(test_netgroup_str),
		cmocka_unit_test(test_sockaddr_ipv4),
		cmocka_unit_test(test_sockaddr_ipv6),
		cmocka_unit_test(test_sockaddr_bad_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
