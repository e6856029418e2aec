/* test_banman.c -- bans by IP or subnet, expiry, caps and banlist.json (node/banman.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../node/banman.h"
#include "hash.h"

#define NOW	1700000000
#define DAY	(24 * 60 * 60)

static char tmpdir[64];

/* A struct netaddr from a literal, built here with inet_pton so these
 * tests do not depend on netaddr.c's parser. */
static struct netaddr
addr(const char *s)
{
	struct netaddr a;

	memset(&a, 0, sizeof(a));
	a.port = 9001;
	if (inet_pton(AF_INET, s, a.ip + 12) == 1) {
		a.ip[10] = a.ip[11] = 0xff;
		return a;
	}
	if (inet_pton(AF_INET6, s, a.ip) != 1)
		fail_msg("bad test address %s", s);
	return a;
}

static struct ban_subnet
subnet(const char *s)
{
	struct ban_subnet sn;

	if (banman_parse_subnet(s, &sn) != 0)
		fail_msg("bad test subnet %s", s);
	return sn;
}

static char *
path_in_tmp(const char *name)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void
test_parse_good(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
		unsigned	 prefix;
	} cases[] = {
		{ "1.2.3.4", "1.2.3.4/32", 128 },
		{ "1.2.3.4/32", "1.2.3.4/32", 128 },
		{ "1.2.3.0/24", "1.2.3.0/24", 120 },
		{ "1.2.3.4/24", "1.2.3.0/24", 120 },	/* host bits cleared */
		{ "1.2.3.255/31", "1.2.3.254/31", 127 },
		{ "10.200.3.4/9", "10.128.0.0/9", 105 },
		{ "1.2.3.4/032", "1.2.3.4/32", 128 },
		{ "0.0.0.0/0", "0.0.0.0/0", 96 },
		{ "2001:db8::/32", "2001:db8::/32", 32 },
		{ "2001:db8::1", "2001:db8::1/128", 128 },
		{ "2001:db8:ffff::1/33", "2001:db8:8000::/33", 33 },
		{ "::/0", "::/0", 0 },
		{ "::ffff:1.2.3.4", "1.2.3.4/32", 128 },
		{ "::ffff:1.2.3.4/120", "1.2.3.0/24", 120 },
	};
	char buf[BANMAN_SUBNET_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ban_subnet sn;

		if (banman_parse_subnet(cases[i].in, &sn) != 0)
			fail_msg("rejected %s", cases[i].in);
		assert_int_equal(sn.prefix, cases[i].prefix);
		assert_string_equal(banman_format_subnet(&sn, buf, sizeof(buf)),
		    cases[i].out);
		/* The formatted form parses back to the same subnet. */
		struct ban_subnet again = subnet(buf);
		assert_memory_equal(&again, &sn, sizeof(sn));
	}
}

static void
test_parse_bad(void **state)
{
	static const char *bad[] = {
		"", "/24", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/100",
		"2001:db8::/129", "2001:db8::/1000", "1.2.3.4/-1", "1.2.3.4/+8",
		"1.2.3.4/ 8", "1.2.3.4/8 ", " 1.2.3.4", "1.2.3", "1.2.3.4.5",
		"256.1.1.1", "01.2.3.4", "abc", "1.2.3.4/24/1", "1.2.3.4/24x",
		"[::1]", "1.2.3.4:80", "gggg::", "2001:db8::/3a",
		"1.2.3.4/255.255.255.0", "example.com",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
	};
	char longstr[300];
	struct ban_subnet sn;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&sn, 0xaa, sizeof(sn));
		if (banman_parse_subnet(bad[i], &sn) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(sn.prefix, 0xaa);	/* OUT untouched */
	}
	memset(longstr, '1', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	assert_int_equal(banman_parse_subnet(longstr, &sn), -1);
	assert_int_equal(banman_parse_subnet(NULL, &sn), -1);
}

static void
test_contains(void **state)
{
	struct ban_subnet v4 = subnet("1.2.3.0/24");
	struct ban_subnet v6 = subnet("2001:db8::/32");
	struct ban_subnet all = subnet("::/0");
	struct ban_subnet allv4 = subnet("0.0.0.0/0");
	struct ban_subnet odd = subnet("10.128.0.0/9");
	struct netaddr a;

	(void)state;
	/* An IPv4 subnet applies to the IPv4-mapped addresses peers have. */
	a = addr("1.2.3.77");
	assert_true(banman_subnet_contains(&v4, &a));
	a = addr("::ffff:1.2.3.200");
	assert_true(banman_subnet_contains(&v4, &a));
	a = addr("1.2.4.1");
	assert_false(banman_subnet_contains(&v4, &a));
	/* The same low 32 bits outside the mapped range are not IPv4. */
	a = addr("::1.2.3.77");
	assert_false(banman_subnet_contains(&v4, &a));
	a = addr("2001:db8:1234::1");
	assert_true(banman_subnet_contains(&v6, &a));
	a = addr("2001:db9::1");
	assert_false(banman_subnet_contains(&v6, &a));
	a = addr("1.2.3.4");
	assert_false(banman_subnet_contains(&v6, &a));
	assert_true(banman_subnet_contains(&all, &a));
	assert_true(banman_subnet_contains(&allv4, &a));
	a = addr("2001:db8::1");
	assert_false(banman_subnet_contains(&allv4, &a));
	/* A prefix that ends inside a byte. */
	a = addr("10.255.0.1");
	assert_true(banman_subnet_contains(&odd, &a));
	a = addr("10.127.255.255");
	assert_false(banman_subnet_contains(&odd, &a));
}

static void
test_ban_host_and_subnet(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet sn;
	struct netaddr a = addr("5.6.7.8"), b = addr("1.2.3.9");
	const struct ban_entry *e;
	char err[128];

	(void)state;
	assert_false(banman_is_dirty(bm));
	assert_false(banman_is_banned(bm, &a, NOW));
	banman_subnet_from_addr(&sn, &a);
	assert_int_equal(banman_ban(bm, &sn, NOW + DAY, "misbehaving: bad-checksum",
	    NOW, err, sizeof(err)), 0);
	assert_true(banman_is_dirty(bm));
	assert_int_equal(banman_ban(bm, &(struct ban_subnet){0}, NOW + DAY, NULL, NOW,
	    err, sizeof(err)), 0);		/* ::/0 subnet, removed below */
	assert_int_equal(banman_unban(bm, &(struct ban_subnet){0}), 0);
	sn = subnet("1.2.3.0/24");
	assert_int_equal(banman_ban(bm, &sn, NOW + 60, NULL, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_count(bm), 2);

	e = banman_find(bm, &a, NOW);
	assert_non_null(e);
	assert_string_equal(e->reason, "misbehaving: bad-checksum");
	assert_int_equal(e->created, NOW);
	assert_int_equal(e->until, NOW + DAY);
	/* The port does not matter. */
	a.port = 1;
	assert_true(banman_is_banned(bm, &a, NOW));
	e = banman_find(bm, &b, NOW);
	assert_non_null(e);
	assert_string_equal(e->reason, "manual");
	b = addr("1.2.4.9");
	assert_false(banman_is_banned(bm, &b, NOW));
	banman_free(bm);
}

static void
test_expiry_and_sweep(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("5.6.7.8"), s = subnet("2001:db8::/32");
	struct netaddr a = addr("5.6.7.8"), b = addr("2001:db8::5");
	char err[128];

	(void)state;
	assert_int_equal(banman_ban(bm, &h, NOW + 100, NULL, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_ban(bm, &s, NOW + 200, NULL, NOW, err, sizeof(err)), 0);
	/* Banned while now < until. */
	assert_true(banman_is_banned(bm, &a, NOW + 99));
	assert_false(banman_is_banned(bm, &a, NOW + 100));
	assert_true(banman_is_banned(bm, &b, NOW + 199));
	assert_false(banman_is_banned(bm, &b, NOW + 200));
	/* Expired entries stay counted until swept. */
	assert_int_equal(banman_count(bm), 2);

	assert_int_equal(banman_save(bm, path_in_tmp("sweep.json"), err, sizeof(err)), 0);
	assert_false(banman_is_dirty(bm));
	assert_int_equal(banman_sweep(bm, NOW + 99), 0);
	assert_false(banman_is_dirty(bm));		/* nothing changed */
	assert_int_equal(banman_sweep(bm, NOW + 100), 1);
	assert_true(banman_is_dirty(bm));
	assert_int_equal(banman_count(bm), 1);
	assert_true(banman_is_banned(bm, &b, NOW + 150));
	assert_int_equal(banman_sweep(bm, NOW + 1000), 1);
	assert_int_equal(banman_count(bm), 0);
	assert_false(banman_is_banned(bm, &b, NOW + 150));
	unlink(path_in_tmp("sweep.json"));
	banman_free(bm);
}

static void
test_ban_rejects_past(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("5.6.7.8"), bad = h;
	char err[128] = "";

	(void)state;
	assert_int_equal(banman_ban(bm, &h, NOW, NULL, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "5.6.7.8/32"));
	assert_non_null(strstr(err, "expired"));
	assert_int_equal(banman_ban(bm, &h, NOW - 1, NULL, NOW, NULL, 0), -1);
	bad.prefix = 129;
	assert_int_equal(banman_ban(bm, &bad, NOW + 1, NULL, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "prefix"));
	assert_int_equal(banman_unban(bm, &bad), -1);
	assert_int_equal(banman_count(bm), 0);
	assert_false(banman_is_dirty(bm));
	banman_free(bm);
}

static void
test_reban_extends_only(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("5.6.7.8"), s = subnet("9.9.0.0/16");
	struct netaddr a = addr("5.6.7.8");
	char err[128];

	(void)state;
	assert_int_equal(banman_ban(bm, &h, NOW + 100, "first", NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_ban(bm, &h, NOW + 50, "shorter", NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_count(bm), 1);
	assert_string_equal(banman_find(bm, &a, NOW)->reason, "first");
	assert_int_equal(banman_find(bm, &a, NOW)->until, NOW + 100);
	assert_int_equal(banman_ban(bm, &h, NOW + 500, "longer", NOW + 10, err,
	    sizeof(err)), 0);
	assert_int_equal(banman_count(bm), 1);
	assert_string_equal(banman_find(bm, &a, NOW)->reason, "longer");
	assert_int_equal(banman_find(bm, &a, NOW)->until, NOW + 500);

	assert_int_equal(banman_ban(bm, &s, NOW + 100, NULL, NOW, err, sizeof(err)), 0);
	/* Host bits do not make a different subnet. */
	s = subnet("9.9.1.2/16");
	assert_int_equal(banman_ban(bm, &s, NOW + 300, NULL, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_count(bm), 2);
	a = addr("9.9.200.1");
	assert_int_equal(banman_find(bm, &a, NOW)->until, NOW + 300);
	banman_free(bm);
}

static void
test_reason_sanitised(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("5.6.7.8");
	struct netaddr a = addr("5.6.7.8");
	char longreason[200];
	const struct ban_entry *e;

	(void)state;
	assert_int_equal(banman_ban(bm, &h, NOW + 1, "bad\n\x01\xffpeer", NOW, NULL, 0), 0);
	assert_string_equal(banman_find(bm, &a, NOW)->reason, "bad???peer");
	memset(longreason, 'r', sizeof(longreason) - 1);
	longreason[sizeof(longreason) - 1] = '\0';
	assert_int_equal(banman_ban(bm, &h, NOW + 2, longreason, NOW, NULL, 0), 0);
	e = banman_find(bm, &a, NOW);
	assert_int_equal(strlen(e->reason), BANMAN_REASON_MAX - 1);
	banman_free(bm);
}

/* Enough host bans for long probe chains; removing half must leave every
 * other one reachable (backward-shift deletion and swap-remove). */
static void
test_unban_many_hosts(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet sn;
	struct netaddr a;
	char err[128];
	const int n = 3000;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.ip[10] = a.ip[11] = 0xff;
	for (int i = 0; i < n; i++) {
		a.ip[14] = (uint8_t)(i >> 8);
		a.ip[15] = (uint8_t)i;
		banman_subnet_from_addr(&sn, &a);
		assert_int_equal(banman_ban(bm, &sn, NOW + 10 + i % 2, NULL, NOW, err,
		    sizeof(err)), 0);
	}
	assert_int_equal(banman_count(bm), n);
	for (int i = 0; i < n; i += 2) {
		a.ip[14] = (uint8_t)(i >> 8);
		a.ip[15] = (uint8_t)i;
		banman_subnet_from_addr(&sn, &a);
		assert_int_equal(banman_unban(bm, &sn), 0);
		assert_int_equal(banman_unban(bm, &sn), -1);
	}
	assert_int_equal(banman_count(bm), n / 2);
	for (int i = 0; i < n; i++) {
		a.ip[14] = (uint8_t)(i >> 8);
		a.ip[15] = (uint8_t)i;
		assert_int_equal(banman_is_banned(bm, &a, NOW), i % 2 == 1);
	}
	/* Sweeping rebuilds the table; lookups must still work. */
	assert_int_equal(banman_sweep(bm, NOW + 11), n / 2);
	assert_int_equal(banman_count(bm), 0);
	banman_free(bm);
}

static void
test_unban_and_clear(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("5.6.7.8"), s = subnet("5.6.0.0/16");
	struct ban_subnet s2 = subnet("2001:db8::/48");
	struct netaddr a = addr("5.6.7.8");
	char err[128];

	(void)state;
	assert_int_equal(banman_unban(bm, &h), -1);
	assert_int_equal(banman_unban(bm, &s), -1);
	assert_int_equal(banman_ban(bm, &h, NOW + 10, NULL, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_ban(bm, &s, NOW + 10, NULL, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_ban(bm, &s2, NOW + 10, NULL, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_save(bm, path_in_tmp("u.json"), err, sizeof(err)), 0);
	/* Unbanning the host leaves the subnet covering it. */
	assert_int_equal(banman_unban(bm, &h), 0);
	assert_true(banman_is_dirty(bm));
	assert_true(banman_is_banned(bm, &a, NOW));
	/* Only the exact subnet is removed, not one merely containing it. */
	struct ban_subnet wider = subnet("5.0.0.0/8");
	assert_int_equal(banman_unban(bm, &wider), -1);
	assert_int_equal(banman_unban(bm, &s), 0);
	assert_false(banman_is_banned(bm, &a, NOW));
	assert_int_equal(banman_count(bm), 1);

	assert_int_equal(banman_save(bm, path_in_tmp("u.json"), err, sizeof(err)), 0);
	banman_clear(bm);
	assert_int_equal(banman_count(bm), 0);
	assert_true(banman_is_dirty(bm));
	assert_int_equal(banman_save(bm, path_in_tmp("u.json"), err, sizeof(err)), 0);
	banman_clear(bm);			/* clearing nothing changes nothing */
	assert_false(banman_is_dirty(bm));
	/* Still usable after clear. */
	assert_int_equal(banman_ban(bm, &h, NOW + 10, NULL, NOW, err, sizeof(err)), 0);
	assert_true(banman_is_banned(bm, &a, NOW));
	unlink(path_in_tmp("u.json"));
	banman_free(bm);
}

static void
test_cap(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet sn;
	struct netaddr a;
	char err[128] = "";

	(void)state;
	/* Subnet bans have their own, smaller cap. */
	for (int i = 0; i < BANMAN_MAX_SUBNET_BANS; i++) {
		char s[32];
		snprintf(s, sizeof(s), "10.%d.%d.0/24", i >> 8, i & 0xff);
		sn = subnet(s);
		assert_int_equal(banman_ban(bm, &sn, NOW + 10, NULL, NOW, err,
		    sizeof(err)), 0);
	}
	sn = subnet("11.0.0.0/24");
	assert_int_equal(banman_ban(bm, &sn, NOW + 10, NULL, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many subnet bans"));
	assert_non_null(strstr(err, "11.0.0.0/24"));

	memset(&a, 0, sizeof(a));
	a.ip[0] = 0x20;
	a.ip[1] = 0x01;
	for (int i = banman_count(bm); i < BANMAN_MAX_BANS; i++) {
		a.ip[13] = (uint8_t)(i >> 16);
		a.ip[14] = (uint8_t)(i >> 8);
		a.ip[15] = (uint8_t)i;
		banman_subnet_from_addr(&sn, &a);
		assert_int_equal(banman_ban(bm, &sn, NOW + 10, NULL, NOW, NULL, 0), 0);
	}
	assert_int_equal(banman_count(bm), BANMAN_MAX_BANS);
	a.ip[12] = 1;
	banman_subnet_from_addr(&sn, &a);
	assert_int_equal(banman_ban(bm, &sn, NOW + 10, NULL, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ban list full"));
	assert_false(banman_is_banned(bm, &a, NOW));
	/* Extending an existing ban needs no new room. */
	a.ip[12] = 0;
	banman_subnet_from_addr(&sn, &a);
	assert_int_equal(banman_ban(bm, &sn, NOW + 20, NULL, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_count(bm), BANMAN_MAX_BANS);
	/* Room again after an unban. */
	assert_int_equal(banman_unban(bm, &sn), 0);
	a.ip[12] = 1;
	banman_subnet_from_addr(&sn, &a);
	assert_int_equal(banman_ban(bm, &sn, NOW + 10, NULL, NOW, err, sizeof(err)), 0);
	banman_free(bm);
}

static int
count_cb(const struct ban_entry *e, void *arg)
{
	int *n = arg;

	(void)e;
	return ++*n == 2 ? 7 : 0;
}

static void
test_list_and_foreach(void **state)
{
	static const char *in[] = {
		"9.9.9.9", "2001:db8::/32", "1.2.3.0/24", "1.2.3.4", "::1",
	};
	static const char *sorted[] = {
		"::1/128", "1.2.3.0/24", "1.2.3.4/32", "9.9.9.9/32", "2001:db8::/32",
	};
	struct banman *bm = banman_new();
	struct ban_entry *v;
	char buf[BANMAN_SUBNET_STRLEN];
	size_t n;
	int calls = 0;

	(void)state;
	assert_null(banman_list(bm, &n));
	assert_int_equal(n, 0);
	assert_int_equal(banman_foreach(bm, count_cb, &calls), 0);
	assert_int_equal(calls, 0);
	for (size_t i = 0; i < 5; i++) {
		struct ban_subnet sn = subnet(in[i]);
		assert_int_equal(banman_ban(bm, &sn, NOW + 1, NULL, NOW, NULL, 0), 0);
	}
	v = banman_list(bm, &n);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(banman_format_subnet(&v[i].subnet, buf, sizeof(buf)),
		    sorted[i]);
	free(v);
	/* A non-zero return stops the walk and is passed back. */
	assert_int_equal(banman_foreach(bm, count_cb, &calls), 7);
	assert_int_equal(calls, 2);
	banman_free(bm);
}

static void
test_save_load_roundtrip(void **state)
{
	static const char *subs[] = {
		"1.2.3.4", "10.0.0.0/8", "2001:db8::/32", "2001:db8::7", "0.0.0.0/0",
	};
	struct banman *bm = banman_new(), *bm2 = banman_new();
	struct ban_entry *v1, *v2;
	const char *path = path_in_tmp("banlist.json");
	struct stat st;
	char err[256] = "";
	size_t n1, n2;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		struct ban_subnet sn = subnet(subs[i]);
		char reason[32];
		snprintf(reason, sizeof(reason), "reason \"%zu\" \\ \t", i);
		assert_int_equal(banman_ban(bm, &sn, NOW + 1000 + (int64_t)i, reason,
		    NOW - (int64_t)i, err, sizeof(err)), 0);
	}
	assert_int_equal(banman_save(bm, path, err, sizeof(err)), 0);
	assert_false(banman_is_dirty(bm));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Whatever BM2 held before is replaced. */
	struct ban_subnet other = subnet("8.8.8.8");
	assert_int_equal(banman_ban(bm2, &other, NOW + 5, NULL, NOW, NULL, 0), 0);
	assert_int_equal(banman_load(bm2, path, NOW, err, sizeof(err)), 0);
	assert_false(banman_is_dirty(bm2));
	v1 = banman_list(bm, &n1);
	v2 = banman_list(bm2, &n2);
	assert_int_equal(n1, 5);
	assert_int_equal(n2, 5);
	for (size_t i = 0; i < n1; i++) {
		assert_memory_equal(&v1[i].subnet, &v2[i].subnet, sizeof(v1[i].subnet));
		assert_int_equal(v1[i].created, v2[i].created);
		assert_int_equal(v1[i].until, v2[i].until);
		assert_string_equal(v1[i].reason, v2[i].reason);
	}
	free(v1);
	free(v2);
	struct netaddr a = addr("10.9.8.7");
	assert_true(banman_is_banned(bm2, &a, NOW));
	a = addr("8.8.8.8");
	assert_true(banman_is_banned(bm2, &a, NOW));	/* via 0.0.0.0/0 */
	struct ban_subnet any4 = subnet("0.0.0.0/0");
	assert_int_equal(banman_unban(bm2, &any4), 0);
	assert_false(banman_is_banned(bm2, &a, NOW));	/* 8.8.8.8 itself gone */
	a = addr("2001:db8::7");
	assert_true(banman_is_banned(bm2, &a, NOW));

	/* An empty list round-trips too. */
	banman_clear(bm);
	assert_int_equal(banman_save(bm, path, err, sizeof(err)), 0);
	assert_int_equal(banman_load(bm2, path, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_count(bm2), 0);
	unlink(path);
	banman_free(bm);
	banman_free(bm2);
}

static void
test_load_drops_expired(void **state)
{
	const char *path = path_in_tmp("expired.json");
	struct banman *bm = banman_new();
	struct netaddr a = addr("1.1.1.1");
	char err[256] = "";

	(void)state;
	write_file(path,
	    "{\"version\":1,\"bans\":["
	    "{\"subnet\":\"1.1.1.1/32\",\"created\":5,\"until\":1700000000,\"reason\":\"a\"},"
	    "{\"subnet\":\"2.2.2.2/32\",\"created\":5,\"until\":1700000001,\"reason\":\"b\"},"
	    "{\"subnet\":\"3.3.0.0/16\",\"created\":5,\"until\":1,\"reason\":\"c\"}]}");
	assert_int_equal(banman_load(bm, path, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_count(bm), 1);
	assert_false(banman_is_banned(bm, &a, NOW));
	a = addr("2.2.2.2");
	assert_int_equal(banman_find(bm, &a, NOW)->created, 5);
	/* Dropping entries makes the file stale. */
	assert_true(banman_is_dirty(bm));

	/* "reason" may be absent. */
	write_file(path, "{\"version\":1,\"bans\":[{\"subnet\":\"2.2.2.2\","
	    "\"created\":1,\"until\":1800000000}]}");
	assert_int_equal(banman_load(bm, path, NOW, err, sizeof(err)), 0);
	assert_string_equal(banman_find(bm, &a, NOW)->reason, "manual");
	assert_false(banman_is_dirty(bm));
	unlink(path);
	banman_free(bm);
}

static void
test_load_missing_file(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("1.1.1.1");
	char err[256] = "";

	(void)state;
	assert_int_equal(banman_ban(bm, &h, NOW + 5, NULL, NOW, NULL, 0), 0);
	assert_int_equal(banman_load(bm, path_in_tmp("nonexistent.json"), NOW, err,
	    sizeof(err)), 0);
	assert_int_equal(banman_count(bm), 0);
	assert_false(banman_is_dirty(bm));
	banman_free(bm);
}

/* Every failed load leaves the existing list exactly as it was. */
static void
expect_load_error(const char *text, const char *want1, const char *want2)
{
	const char *path = path_in_tmp("bad.json");
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("7.7.7.7");
	struct netaddr a = addr("7.7.7.7");
	char err[256] = "";

	assert_int_equal(banman_ban(bm, &h, NOW + 5, "keep", NOW, NULL, 0), 0);
	write_file(path, text);
	assert_int_equal(banman_load(bm, path, NOW, err, sizeof(err)), -1);
	if (strstr(err, path) == NULL)
		fail_msg("error does not name the file: %s", err);
	if (strstr(err, want1) == NULL || (want2 != NULL && strstr(err, want2) == NULL))
		fail_msg("error \"%s\" lacks \"%s\"/\"%s\"", err, want1,
		    want2 != NULL ? want2 : "");
	assert_int_equal(banman_count(bm), 1);
	assert_string_equal(banman_find(bm, &a, NOW)->reason, "keep");
	assert_true(banman_is_dirty(bm));
	unlink(path);
	banman_free(bm);
}

static void
test_load_corrupt_json(void **state)
{
	(void)state;
	/* Line and column come from jansson. */
	expect_load_error("{\n \"version\": 1,\n \"bans\": [ ,\n", "bad.json:3:", NULL);
	expect_load_error("", "bad.json:1:", NULL);
	expect_load_error("{\"version\":1,\"bans\":[]} trailing", ":1:", NULL);
	expect_load_error("{\"version\":1,\"version\":1,\"bans\":[]}", "duplicate", NULL);
}

static void
test_load_bad_structure(void **state)
{
	(void)state;
	expect_load_error("[1,2]", "not a JSON object", NULL);
	expect_load_error("{\"bans\":[]}", "version", NULL);
	expect_load_error("{\"version\":2,\"bans\":[]}", "version", NULL);
	expect_load_error("{\"version\":\"1\",\"bans\":[]}", "version", NULL);
	expect_load_error("{\"version\":1}", "\"bans\"", NULL);
	expect_load_error("{\"version\":1,\"bans\":{}}", "\"bans\"", NULL);
}

#define GOOD "{\"subnet\":\"1.1.1.1\",\"created\":1,\"until\":1800000000,\"reason\":\"x\"}"

/* A bad entry costs that entry only: the good ones are loaded, the reason
 * names the file and the entry, and the list is dirty so that the next
 * save writes the good ones. */
static void
expect_load_skip(const char *text, size_t kept, const char *want1, const char *want2)
{
	const char *path = path_in_tmp("skip.json");
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("7.7.7.7");
	struct netaddr a = addr("7.7.7.7");
	char err[256] = "", why[256] = "";

	assert_int_equal(banman_ban(bm, &h, NOW + 5, "old", NOW, NULL, 0), 0);
	write_file(path, text);
	assert_int_equal(banman_load(bm, path, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_load_skipped(bm, why, sizeof(why)), 1);
	if (strstr(why, path) == NULL)
		fail_msg("reason does not name the file: %s", why);
	if (strstr(why, want1) == NULL || (want2 != NULL && strstr(why, want2) == NULL))
		fail_msg("reason \"%s\" lacks \"%s\"/\"%s\"", why, want1,
		    want2 != NULL ? want2 : "");
	assert_int_equal(banman_count(bm), kept);
	assert_false(banman_is_banned(bm, &a, NOW));	/* replaced by the file */
	assert_true(banman_is_dirty(bm));
	unlink(path);
	banman_free(bm);
}

static void
test_load_bad_entries(void **state)
{
	(void)state;
	expect_load_skip("{\"version\":1,\"bans\":[" GOOD ",7]}", 1, "ban 1", "not an object");
	expect_load_skip("{\"version\":1,\"bans\":[{\"created\":1,\"until\":1800000000}]}",
	    0, "ban 0", "subnet");
	expect_load_skip("{\"version\":1,\"bans\":[{\"subnet\":5,\"created\":1,"
	    "\"until\":1800000000}]}", 0, "ban 0", "subnet");
	expect_load_skip("{\"version\":1,\"bans\":[" GOOD "," GOOD ",{\"subnet\":\"2.2.2.2\","
	    "\"created\":1}]}", 1, "ban 2", "integers");
	expect_load_skip("{\"version\":1,\"bans\":[{\"subnet\":\"2.2.2.2\",\"created\":1.5,"
	    "\"until\":1800000000}]}", 0, "ban 0", "integers");
	expect_load_skip("{\"version\":1,\"bans\":[{\"subnet\":\"2.2.2.2\",\"created\":1,"
	    "\"until\":\"soon\"}]}", 0, "ban 0", "integers");
	expect_load_skip("{\"version\":1,\"bans\":[{\"subnet\":\"2.2.2.2\",\"created\":1,"
	    "\"until\":1800000000,\"reason\":[]}]}", 0, "ban 0", "reason");
	/* Attacker-chosen bytes are sanitised before they reach the message. */
	expect_load_skip("{\"version\":1,\"bans\":[{\"subnet\":\"a\\nb\",\"created\":1,"
	    "\"until\":1800000000}]}", 0, "ban 0", "a\\x0ab");
}

/* Issue 15 item 7: one invalid entry (10.9.0.1/33) threw away every ban,
 * and the next save wrote an empty list. */
static void
test_banlist_bad_entry_keeps_the_rest(void **state)
{
	const char *path = path_in_tmp("banlist.json");
	struct banman *bm = banman_new(), *back = banman_new();
	struct netaddr a = addr("1.1.1.1"), b = addr("10.8.0.9"), c = addr("10.9.0.1");
	char err[256] = "", why[256] = "";

	(void)state;
	write_file(path, "{\"version\":1,\"bans\":[" GOOD ",{\"subnet\":\"10.9.0.1/33\","
	    "\"created\":1,\"until\":1800000000},{\"subnet\":\"10.8.0.0/16\",\"created\":2,"
	    "\"until\":1800000000,\"reason\":\"y\"}]}");
	assert_int_equal(banman_load(bm, path, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_load_skipped(bm, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "bad subnet \"10.9.0.1/33\""));
	assert_int_equal(banman_count(bm), 2);
	assert_true(banman_is_banned(bm, &a, NOW));
	assert_true(banman_is_banned(bm, &b, NOW));
	assert_false(banman_is_banned(bm, &c, NOW));
	/* The next save keeps both good bans. */
	assert_int_equal(banman_save(bm, path, err, sizeof(err)), 0);
	assert_int_equal(banman_load(back, path, NOW, err, sizeof(err)), 0);
	assert_int_equal(banman_load_skipped(back, NULL, 0), 0);
	assert_int_equal(banman_count(back), 2);
	assert_true(banman_is_banned(back, &b, NOW));
	unlink(path);
	banman_free(bm);
	banman_free(back);
}

static void
test_load_over_cap(void **state)
{
	size_t cap = 64 + (size_t)(BANMAN_MAX_SUBNET_BANS + 1) * 100;
	char *text = malloc(cap), *p = text;

	(void)state;
	p += sprintf(p, "{\"version\":1,\"bans\":[");
	for (int i = 0; i <= BANMAN_MAX_SUBNET_BANS; i++)
		p += sprintf(p, "%s{\"subnet\":\"10.%d.%d.0/24\",\"created\":1,"
		    "\"until\":1800000000}", i ? "," : "", i >> 8, i & 0xff);
	sprintf(p, "]}");
	/* The first BANMAN_MAX_SUBNET_BANS are kept, the one over is not. */
	expect_load_skip(text, BANMAN_MAX_SUBNET_BANS, "ban 1024", "too many subnet bans");
	free(text);
}

/* Text over BANMAN_FILE_MAX is refused before parsing, the list kept. */
static void
test_load_json_too_big(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("7.7.7.7");
	size_t len = BANMAN_FILE_MAX + 1;
	char *text = malloc(len), err[256] = "";

	(void)state;
	assert_non_null(text);
	memset(text, ' ', len);
	assert_int_equal(banman_ban(bm, &h, NOW + 5, "keep", NOW, NULL, 0), 0);
	assert_int_equal(banman_load_json(bm, text, len, "big.json", NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "big.json"));
	assert_non_null(strstr(err, "limit"));
	assert_int_equal(banman_count(bm), 1);
	free(text);
	banman_free(bm);
}

static void
test_save_error(void **state)
{
	struct banman *bm = banman_new();
	struct ban_subnet h = subnet("1.1.1.1");
	char err[256] = "";

	(void)state;
	assert_int_equal(banman_ban(bm, &h, NOW + 5, NULL, NOW, NULL, 0), 0);
	assert_int_equal(banman_save(bm, path_in_tmp("no/such/dir/b.json"), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "no/such/dir"));
	assert_true(banman_is_dirty(bm));
	banman_free(bm);
}

static int
setup(void **state)
{
	(void)state;
	if (hash_init() != 0)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_banman.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_ban_host_and_subnet),
		cmocka_unit_test(test_expiry_and_sweep),
		cmocka_unit_test(test_ban_rejects_past),
		cmocka_unit_test(test_reban_extends_only),
		cmocka_unit_test(test_reason_sanitised),
		cmocka_unit_test(test_unban_many_hosts),
		cmocka_unit_test(test_unban_and_clear),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_list_and_foreach),
		cmocka_unit_test(test_save_load_roundtrip),
		cmocka_unit_test(test_load_drops_expired),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_corrupt_json),
		cmocka_unit_test(test_load_bad_structure),
		cmocka_unit_test(test_load_bad_entries),
		cmocka_unit_test(test_banlist_bad_entry_keeps_the_rest),
		cmocka_unit_test(test_load_over_cap),
		cmocka_unit_test(test_load_json_too_big),
		cmocka_unit_test(test_save_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
