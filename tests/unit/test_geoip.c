/* test_geoip.c -- MaxMind DB look-ups on generated databases (common/geoip.c).
 *
 * The group setup builds two databases with tests/tools/mkgeoip.pl: one
 * from a mapping written here (full, partial, IPv6 and hostile records) and
 * one from the shipped tests/tools/geoip-demo.tsv.  Without perl or
 * MaxMind::DB::Writer the setup fails, and with it the whole test: .ci/deps
 * installs them, so a missing module is a broken machine, not a skip.
 * Tests run from the repository root (tests/run-tests.sh does so). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geoip.h"
#include "netaddr.h"

#define MKGEOIP		"tests/tools/mkgeoip.pl"
#define DEMO_TSV	"tests/tools/geoip-demo.tsv"

/* 100 two-byte characters: longer than any field, to check truncation at
 * a character boundary. */
#define E100 \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"

/* CIDR, ISO, country, city, lat, lon, ASN, AS org. */
static const char test_tsv[] =
    "# test mapping\n"
    "\n"
    "127.0.1.0/24\tDE\tGermany\tFrankfurt\t50.11\t8.68\t24940\tHetzner Online GmbH\n"
    "10.20.0.0/16\tFR\tFrance\tParis\t48.86\t2.35\t\t\n"
    "192.0.2.0/24\t\t\t\t\t\t64500\t\n"
    "2001:db8:1::/48\tNL\tNetherlands\tAmsterdam\t52.37\t4.90\t1136\tKPN B.V.\n"
    /* Terminal escapes, BEL, a right-to-left override and an isolate,
     * and a latitude off the globe. */
    "2001:db8:bad::/48\tQQ\tEvil\x1b[31mland\tCity\xe2\x80\xaetxt.exe\t999\t0\t64501\t"
    "AS\x07Org\xe2\x81\xa6!\n"
    /* Markers that the tests overwrite in a copy of the file. */
    "198.51.100.0/24\tXY\tINVALIDUTF8X\tTown\t\t\t\t\n"
    "203.0.113.0/24\tIT\t" E100 "\t" E100 "\t-90\t180\t4294967295\t" E100 "\n";

struct env {
	char		 dir[64];
	char		 db[128];	/* from test_tsv */
	char		 demo[128];	/* from geoip-demo.tsv */
	char		 scratch[128];	/* per-test copies */
};

static struct env env;

/*
 * Helpers.
 */

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Run mkgeoip.pl on TSV_PATH into OUT; stderr goes to ERR_PATH.  Returns
 * the exit status (-1 if it did not run). */
static int
run_mkgeoip(const char *out, const char *tsv_path, const char *err_path)
{
	char cmd[1024];
	int rc;

	if (snprintf(cmd, sizeof cmd, "perl %s '%s' < '%s' 2>'%s'", MKGEOIP,
	    out, tsv_path, err_path) >= (int)sizeof cmd)
		return -1;
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc))
		return -1;
	return WEXITSTATUS(rc);
}

static void
print_file(const char *path)
{
	char line[512];
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return;
	while (fgets(line, sizeof line, fp) != NULL)
		fprintf(stderr, "    | %s", line);
	fclose(fp);
}

/* Copy env.db to env.scratch with the bytes FROM (once, uniquely)
 * replaced by TO of the same length. */
static void
patch_copy(const void *from, const void *to, size_t n)
{
	size_t len, hits = 0, at = 0;
	uint8_t *buf = read_file(env.db, &len);

	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(buf + i, from, n) == 0) {
			hits++;
			at = i;
		}
	}
	assert_int_equal(hits, 1);
	memcpy(buf + at, to, n);
	write_file(env.scratch, buf, len);
	free(buf);
}

static struct geoip *
open_ok(const char *city, const char *asn)
{
	char err[512] = "";
	struct geoip *g = geoip_open(city, asn, err, sizeof err);

	if (g == NULL)
		fail_msg("geoip_open: %s", err);
	return g;
}

/* Open PATH as a city database, expecting failure; returns the message. */
static void
open_fails(const char *city, const char *asn, char *err, size_t errlen)
{
	err[0] = '\0';
	assert_null(geoip_open(city, asn, err, errlen));
	assert_true(err[0] != '\0');
}

static int
lookup(const struct geoip *g, const char *ip, struct geoip_info *gi)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse(ip, 1, &a), 0);
	return geoip_lookup(g, &a, gi);
}

static bool
valid_utf8_printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	/* Only what this file feeds in: ASCII and two-byte sequences. */
	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p < 0xc2 || *p > 0xdf || (p[1] & 0xc0) != 0x80)
			return false;
		p += 2;
	}
	return true;
}

static bool
is_zero(const struct geoip_info *gi)
{
	static const struct geoip_info zero;

	return memcmp(gi, &zero, sizeof zero) == 0;
}

/*
 * Setup: generate the databases.
 */

static int
group_setup(void **state)
{
	char tsv[128], errlog[128];
	int rc;

	(void)state;
	if (access(MKGEOIP, R_OK) != 0) {
		fprintf(stderr, "test_geoip: %s not found (cwd must be the "
		    "repository root)\n", MKGEOIP);
		return -1;
	}
	snprintf(env.dir, sizeof env.dir, "/tmp/test_geoip.XXXXXX");
	if (mkdtemp(env.dir) == NULL) {
		fprintf(stderr, "test_geoip: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	snprintf(env.db, sizeof env.db, "%s/test.mmdb", env.dir);
	snprintf(env.demo, sizeof env.demo, "%s/demo.mmdb", env.dir);
	snprintf(env.scratch, sizeof env.scratch, "%s/scratch.mmdb", env.dir);
	snprintf(tsv, sizeof tsv, "%s/test.tsv", env.dir);
	snprintf(errlog, sizeof errlog, "%s/mkgeoip.err", env.dir);
	write_file(tsv, test_tsv, sizeof test_tsv - 1);

	if ((rc = run_mkgeoip(env.db, tsv, errlog)) != 0 ||
	    (rc = run_mkgeoip(env.demo, DEMO_TSV, errlog)) != 0) {
		fprintf(stderr, "test_geoip: FAILED to build a test database "
		    "(exit %d).  perl and MaxMind::DB::Writer are required "
		    "(Debian: libmaxmind-db-writer-perl, see .ci/deps):\n", rc);
		print_file(errlog);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	char path[384];
	struct dirent *de;
	DIR *d;

	(void)state;
	if (env.dir[0] == '\0' || (d = opendir(env.dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", env.dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	if (rmdir(env.dir) != 0)
		fprintf(stderr, "test_geoip: could not remove %s\n", env.dir);
	return 0;
}

/*
 * Tests.
 */

static void
test_ipv4_full_record(void **state)
{
	struct geoip *g = open_ok(env.db, NULL);
	struct geoip_info gi;

	(void)state;
	assert_int_equal(lookup(g, "127.0.1.77:9333", &gi), 0);
	assert_string_equal(gi.country, "DE");
	assert_string_equal(gi.country_name, "Germany");
	assert_string_equal(gi.city, "Frankfurt");
	assert_true(gi.has_location);
	assert_float_equal(gi.latitude, 50.11, 1e-9);
	assert_float_equal(gi.longitude, 8.68, 1e-9);
	assert_int_equal(gi.asn, 24940);
	assert_string_equal(gi.as_org, "Hetzner Online GmbH");
	/* The same host spelt as an IPv4-mapped IPv6 literal. */
	assert_int_equal(lookup(g, "::ffff:127.0.1.1", &gi), 0);
	assert_string_equal(gi.country, "DE");
	/* Edges of the /24. */
	assert_int_equal(lookup(g, "127.0.1.0", &gi), 0);
	assert_int_equal(lookup(g, "127.0.1.255", &gi), 0);
	assert_int_equal(lookup(g, "127.0.0.255", &gi), -1);
	assert_int_equal(lookup(g, "127.0.2.0", &gi), -1);
	geoip_close(g);
}

static void
test_ipv6_record(void **state)
{
	struct geoip *g = open_ok(env.db, NULL);
	struct geoip_info gi;

	(void)state;
	assert_int_equal(lookup(g, "[2001:db8:1:ffff::5]:1", &gi), 0);
	assert_string_equal(gi.country, "NL");
	assert_string_equal(gi.city, "Amsterdam");
	assert_int_equal(gi.asn, 1136);
	assert_string_equal(gi.as_org, "KPN B.V.");
	assert_int_equal(lookup(g, "2001:db8:2::1", &gi), -1);
	assert_true(is_zero(&gi));
	geoip_close(g);
}

static void
test_not_found(void **state)
{
	struct geoip *g = open_ok(env.db, env.db);
	struct geoip_info gi;
	const char *miss[] = { "8.8.8.8", "10.21.0.1", "127.0.9.1", "::2",
	    "2606:4700::1111", "fe80::1" };

	(void)state;
	for (size_t i = 0; i < sizeof miss / sizeof miss[0]; i++) {
		memset(&gi, 0xa5, sizeof gi);
		if (lookup(g, miss[i], &gi) != -1)
			fail_msg("%s found", miss[i]);
		/* OUT is cleared, never left half-filled. */
		assert_true(is_zero(&gi));
	}
	geoip_close(g);
}

static void
test_partial_records(void **state)
{
	struct geoip *g = open_ok(NULL, env.db);
	struct geoip_info gi;

	(void)state;
	/* Place but no AS. */
	assert_int_equal(lookup(g, "10.20.3.4", &gi), 0);
	assert_string_equal(gi.country, "FR");
	assert_string_equal(gi.city, "Paris");
	assert_int_equal(gi.asn, 0);
	assert_string_equal(gi.as_org, "");
	/* AS but no place. */
	assert_int_equal(lookup(g, "192.0.2.1", &gi), 0);
	assert_string_equal(gi.country, "");
	assert_string_equal(gi.city, "");
	assert_false(gi.has_location);
	assert_int_equal(gi.asn, 64500);
	geoip_close(g);
}

static void
test_hostile_strings_sanitised(void **state)
{
	struct geoip *g = open_ok(env.db, NULL);
	struct geoip_info gi;

	(void)state;
	assert_int_equal(lookup(g, "2001:db8:bad::1", &gi), 0);
	assert_string_equal(gi.country, "QQ");
	assert_string_equal(gi.country_name, "Evil?[31mland");
	assert_string_equal(gi.city, "City?txt.exe");
	assert_string_equal(gi.as_org, "AS?Org?!");
	/* Latitude 999 is off the globe: no location at all. */
	assert_false(gi.has_location);
	assert_int_equal(gi.asn, 64501);
	geoip_close(g);
}

static void
test_long_strings_truncated_whole(void **state)
{
	struct geoip *g = open_ok(env.db, NULL);
	struct geoip_info gi;

	(void)state;
	assert_int_equal(lookup(g, "203.0.113.9", &gi), 0);
	/* Two-byte characters: an odd limit would split one. */
	assert_int_equal(strlen(gi.country_name), sizeof gi.country_name - 2);
	assert_int_equal(strlen(gi.city), sizeof gi.city - 2);
	assert_int_equal(strlen(gi.as_org), sizeof gi.as_org - 2);
	assert_true(valid_utf8_printable(gi.country_name));
	assert_true(valid_utf8_printable(gi.city));
	assert_true(valid_utf8_printable(gi.as_org));
	assert_true(gi.has_location);
	assert_float_equal(gi.latitude, -90.0, 1e-9);
	assert_float_equal(gi.longitude, 180.0, 1e-9);
	assert_int_equal(gi.asn, 4294967295u);
	geoip_close(g);
}

static void
test_invalid_utf8_in_db(void **state)
{
	/* 0xff, overlong C0 AF, surrogate ED A0 80, F4 90 80 80 above
	 * U+10FFFF: ten bytes that are each replaced. */
	static const char bad[] = "\xff\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80ok";
	struct geoip *g;
	struct geoip_info gi;

	(void)state;
	assert_int_equal(sizeof bad - 1, strlen("INVALIDUTF8X"));
	patch_copy("INVALIDUTF8X", bad, sizeof bad - 1);
	g = open_ok(env.scratch, NULL);
	assert_int_equal(lookup(g, "198.51.100.1", &gi), 0);
	assert_string_equal(gi.country_name, "??????????ok");
	assert_string_equal(gi.country, "XY");
	assert_string_equal(gi.city, "Town");
	geoip_close(g);
}

static void
test_bad_iso_code_in_db(void **state)
{
	struct geoip *g;
	struct geoip_info gi;

	(void)state;
	/* 0x42: a UTF-8 string of two bytes in the MaxMind encoding. */
	patch_copy("\x42XY", "\x42x\x1b", 3);
	g = open_ok(env.scratch, NULL);
	assert_int_equal(lookup(g, "198.51.100.1", &gi), 0);
	assert_string_equal(gi.country, "");
	assert_string_equal(gi.country_name, "INVALIDUTF8X");
	geoip_close(g);
}

static void
test_demo_mapping(void **state)
{
	static const struct {
		const char	*ip, *iso, *city;
		uint32_t	 asn;
	} want[] = {
		{ "127.0.1.1", "DE", "Frankfurt", 24940 },
		{ "127.0.2.1", "US", "New York", 0 },
		{ "127.0.3.1", "JP", "Tokyo", 0 },
		{ "127.0.4.1", "BR", "S\xc3\xa3o Paulo", 0 },
		{ "127.0.5.1", "AU", "Sydney", 0 },
		{ "127.0.6.1", "ZA", "Johannesburg", 0 },
	};
	struct geoip *g = open_ok(env.demo, env.demo);
	struct geoip_info gi;

	(void)state;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (lookup(g, want[i].ip, &gi) != 0)
			fail_msg("%s not in the demo database", want[i].ip);
		assert_string_equal(gi.country, want[i].iso);
		assert_string_equal(gi.city, want[i].city);
		assert_true(gi.has_location);
		assert_true(gi.asn != 0);
		assert_true(gi.as_org[0] != '\0');
		if (want[i].asn != 0)
			assert_int_equal(gi.asn, want[i].asn);
	}
	assert_int_equal(lookup(g, "127.0.0.1", &gi), -1);
	geoip_close(g);
}

static void
test_missing_file(void **state)
{
	char err[512], path[160];

	(void)state;
	snprintf(path, sizeof path, "%s/no-such.mmdb", env.dir);
	open_fails(path, NULL, err, sizeof err);
	assert_non_null(strstr(err, "city database"));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file or directory"));
	/* A good city file does not excuse a bad ASN file. */
	open_fails(env.db, path, err, sizeof err);
	assert_non_null(strstr(err, "ASN database"));
	assert_non_null(strstr(err, path));
}

static void
test_corrupt_files(void **state)
{
	char err[512];
	uint8_t junk[4096];
	uint8_t *buf;
	size_t len;
	uint32_t x = 12345;

	(void)state;
	/* Not a MaxMind DB at all. */
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (uint8_t)(x >> 16);
	}
	write_file(env.scratch, junk, sizeof junk);
	open_fails(env.scratch, NULL, err, sizeof err);
	assert_non_null(strstr(err, env.scratch));
	assert_non_null(strstr(err, "invalid metadata"));

	/* A database cut in half loses its metadata. */
	buf = read_file(env.db, &len);
	write_file(env.scratch, buf, len / 2);
	open_fails(NULL, env.scratch, err, sizeof err);
	assert_non_null(strstr(err, "ASN database"));
	assert_non_null(strstr(err, "invalid metadata"));
	free(buf);

	/* Empty file, and a directory. */
	write_file(env.scratch, "", 0);
	open_fails(env.scratch, NULL, err, sizeof err);
	assert_non_null(strstr(err, env.scratch));
	assert_non_null(strstr(err, "empty file"));
	open_fails(env.dir, NULL, err, sizeof err);
	assert_non_null(strstr(err, env.dir));
	assert_non_null(strstr(err, "not a regular file"));
}

static void
test_corrupt_search_tree(void **state)
{
	struct geoip *g;
	struct geoip_info gi;
	char err[512] = "";
	uint8_t *buf;
	size_t len;

	(void)state;
	/* Every record of the first nodes points far past the data. */
	buf = read_file(env.db, &len);
	assert_true(len > 256);
	memset(buf, 0xff, 256);
	write_file(env.scratch, buf, len);
	free(buf);
	g = geoip_open(env.scratch, NULL, err, sizeof err);
	if (g == NULL) {
		/* Refusing it at open is as good as refusing each look-up. */
		assert_non_null(strstr(err, env.scratch));
		return;
	}
	assert_int_equal(lookup(g, "127.0.1.1", &gi), -1);
	assert_int_equal(lookup(g, "2001:db8:1::1", &gi), -1);
	assert_true(is_zero(&gi));
	geoip_close(g);
}

static void
test_no_database(void **state)
{
	struct geoip *g = open_ok(NULL, NULL);
	struct geoip_info gi;
	struct netaddr a;

	(void)state;
	assert_int_equal(lookup(g, "127.0.1.1", &gi), -1);
	geoip_close(g);
	assert_int_equal(netaddr_parse("127.0.1.1", 1, &a), 0);
	assert_int_equal(geoip_lookup(NULL, &a, &gi), -1);
	assert_true(is_zero(&gi));
	geoip_close(NULL);
}

static void
test_mkgeoip_rejects_bad_input(void **state)
{
	static const char *const bad[] = {
		"127.0.0.0/33\tDE\tGermany\t\t\t\t\t\n",
		"127.0.0.0/8\tdeu\tGermany\t\t\t\t\t\n",
		"127.0.0.0/8\tDE\tGermany\t\t50\t\t\t\n",
	};
	static const char *const why[] = { "prefix /33", "ISO code",
	    "go together" };
	char tsv[160], errlog[160], out[160], log[1024];
	size_t len;
	uint8_t *buf;

	(void)state;
	snprintf(tsv, sizeof tsv, "%s/bad.tsv", env.dir);
	snprintf(errlog, sizeof errlog, "%s/bad.err", env.dir);
	snprintf(out, sizeof out, "%s/bad.mmdb", env.dir);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(tsv, bad[i], strlen(bad[i]));
		assert_int_not_equal(run_mkgeoip(out, tsv, errlog), 0);
		buf = read_file(errlog, &len);
		snprintf(log, sizeof log, "%.*s", (int)len, (const char *)buf);
		free(buf);
		if (strstr(log, why[i]) == NULL || strstr(log, "line 1") == NULL)
			fail_msg("unexpected mkgeoip error: %s", log);
		/* Nothing half-written is left behind. */
		assert_int_equal(access(out, F_OK), -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_full_record),
		cmocka_unit_test(test_ipv6_record),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_partial_records),
		cmocka_unit_test(test_hostile_strings_sanitised),
		cmocka_unit_test(test_long_strings_truncated_whole),
		cmocka_unit_test(test_invalid_utf8_in_db),
		cmocka_unit_test(test_bad_iso_code_in_db),
		cmocka_unit_test(test_demo_mapping),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_corrupt_files),
		cmocka_unit_test(test_corrupt_search_tree),
		cmocka_unit_test(test_no_database),
		cmocka_unit_test(test_mkgeoip_rejects_bad_input),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
