/* test_dns_sign.c -- DNSSEC keys and the signed zone (dnsseeder/dns_keys.c, dns_sign.c), checked with ldns.
 *
 * Keys are made by dnsk_keygen in a scratch directory; every signature is
 * verified by ldns against the published DNSKEYs, and the NSEC chain
 * against the canonical order ldns computes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "../../dnsseeder/dns_answer.h"
#include "../../dnsseeder/dns_keys.h"
#include "../../dnsseeder/dns_sign.h"
#include "../../dnsseeder/goodset.h"
#include "hash.h"
#include "msg.h"
#include "netaddr.h"

#define HOST	"seed.example"
#define NOW	((int64_t)time(NULL))

struct fx {
	char		 dir[64];
	struct dnsa_zone z;
	struct dnss_zone in;
	struct goodset	*gs;
};

static void
rmdir_all(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* keygen into F->dir: returns what it printed on stdout; caller frees. */
static char *
keygen(const char *dir, const char *host, uint8_t alg, bool zsk_only, int64_t activate_in,
    int64_t now, int expect)
{
	struct dnsk_keygen k = { dir, host, alg, zsk_only, false, activate_in, 90000, now };
	char *out = NULL, *log = NULL, err[512] = "";
	size_t ol, ll;
	FILE *o = open_memstream(&out, &ol), *l = open_memstream(&log, &ll);
	int rc = dnsk_keygen(&k, o, l, err, sizeof(err));

	fclose(o);
	fclose(l);
	if (rc != expect)
		fail_msg("keygen returned %d (%s), log: %s", rc, err, log);
	free(log);
	return out;
}

static void
add4(struct goodset *gs, uint32_t ip, uint64_t svc)
{
	struct netaddr a;

	netaddr_from_ipv4(&a, ip, 9001);
	assert_int_equal(goodset_add(gs, &a, svc, 0), 0);
}

/* 100 IPv4 nodes in distinct /16s (NETWORK, every fourth also SEED), 10
 * IPv6 (NETWORK). */
static struct goodset *
make_set(void)
{
	struct goodset *gs = goodset_new(false);

	for (uint32_t i = 0; i < 100; i++)
		add4(gs, (44u << 24) | (i << 16) | 1, NODE_NETWORK | (i % 4 == 0 ? NODE_SEED : 0));
	for (uint16_t i = 0; i < 10; i++) {
		struct netaddr a;

		memset(&a, 0, sizeof(a));
		a.ip[0] = 0x2a;
		a.ip[3] = (uint8_t)i;
		a.ip[15] = 1;
		assert_int_equal(goodset_add(gs, &a, NODE_NETWORK, 0), 0);
	}
	goodset_finish(gs);
	return gs;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct dnsa_config c = { HOST, "ns1.example", "hostmaster@example.org", 60, 25, 16,
	    NODE_NETWORK | NODE_RELAY | NODE_SEED };
	char err[256];

	assert_int_equal(hash_init(), 0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_dns_sign.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(dnsa_zone_init(&f->z, &c, err, sizeof(err)), 0);
	dnsa_zone_set_serial(&f->z, 2026120101);
	dnsa_zone_sign_input(&f->z, &f->in);
	f->gs = make_set();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rmdir_all(f->dir);
	goodset_free(f->gs);
	free(f);
	return 0;
}

static struct dnsk_set *
load(const struct fx *f)
{
	char err[512], warn[256];
	struct dnsk_set *s = dnsk_load(f->dir, HOST, warn, sizeof(warn), err, sizeof(err));

	if (s == NULL)
		fail_msg("dnsk_load: %s", err);
	assert_string_equal(warn, "");
	return s;
}

static const struct dnsk_key *
find(const struct dnsk_set *s, uint16_t flags, int nth)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->key[i].flags == flags && nth-- == 0)
			return &s->key[i];
	return NULL;
}

static void
test_keygen_files_and_ds(void **state)
{
	struct fx *f = *state;
	char *ds = keygen(f->dir, HOST, 0, false, 0, NOW, 0), *want, *again;
	struct dnsk_set *s = load(f);
	const struct dnsk_key *ksk = find(s, DNSK_FLAGS_KSK, 0), *zsk = find(s, DNSK_FLAGS_ZSK, 0);
	char path[256];
	struct stat st;

	assert_int_equal(s->n, 2);
	assert_non_null(ksk);
	assert_non_null(zsk);
	assert_int_equal(s->algorithm, DNSK_ECDSAP256);
	assert_true(dnsk_active(ksk, NOW) && dnsk_active(zsk, NOW));
	/* The DS printed is the KSK's, SHA-256, and parses as a record. */
	want = dnsk_ds(ksk);
	assert_string_equal(ds, want);
	{
		ldns_rr *rr = NULL;

		assert_int_equal(ldns_rr_new_frm_str(&rr, ds, 0, NULL, NULL), LDNS_STATUS_OK);
		assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_DS);
		assert_int_equal(ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), ksk->tag);
		assert_int_equal(ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)), 2);
		assert_true(ldns_rr_compare_ds(rr, ksk->dnskey));
		ldns_rr_free(rr);
	}
	/* BIND's names; the private key is the owner's alone. */
	snprintf(path, sizeof(path), "%s/Kseed.example.+013+%05u.private", f->dir, ksk->tag);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/Kseed.example.+013+%05u.key", f->dir, zsk->tag);
	assert_int_equal(stat(path, &st), 0);
	/* A second keygen would replace the KSK under the parent's DS: no. */
	again = keygen(f->dir, HOST, 0, false, 0, NOW, -1);
	free(again);
	/* --ds prints it again and makes nothing. */
	{
		struct dnsk_keygen k = { f->dir, HOST, 0, false, true, 0, 0, NOW };
		char *out = NULL, err[256];
		size_t ol;
		FILE *o = open_memstream(&out, &ol);
		struct dnsk_set *after;

		assert_int_equal(dnsk_keygen(&k, o, stderr, err, sizeof(err)), 0);
		fclose(o);
		assert_string_equal(out, ds);
		free(out);
		after = load(f);
		assert_int_equal(after->n, 2);
		dnsk_free(after);
	}
	free(want);
	free(ds);
	dnsk_free(s);
	/* --zsk-only needs keys to roll. */
	rmdir_all(f->dir);
	free(keygen(f->dir, HOST, 0, true, 0, NOW, -1));
}

static void
test_keygen_ed25519(void **state)
{
	struct fx *f = *state;
	struct dnsk_set *s;

	free(keygen(f->dir, "Seed.Example.", DNSK_ED25519, false, 0, NOW, 0));
	s = load(f);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->algorithm, DNSK_ED25519);
	dnsk_free(s);
	/* A rollover keeps the zone's algorithm; another one is refused. */
	free(keygen(f->dir, HOST, DNSK_ECDSAP256, true, 0, NOW, -1));
	free(keygen(f->dir, HOST, 0, true, 0, NOW, 0));
	s = load(f);
	assert_int_equal(s->n, 3);
	assert_int_equal(s->algorithm, DNSK_ED25519);
	dnsk_free(s);
}

/* Write NAME in F->dir with TEXT. */
static void
put_file(const struct fx *f, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	chmod(path, 0600);
}

static char *
get_file(const struct fx *f, const char *name)
{
	char path[256], *buf = calloc(1, 65536);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_non_null(fp = fopen(path, "r"));
	assert_true(fread(buf, 1, 65535, fp) > 0);
	fclose(fp);
	return buf;
}

static void
expect_load_error(const struct fx *f, const char *host, const char *needle)
{
	char err[512] = "";
	struct dnsk_set *s = dnsk_load(f->dir, host, NULL, 0, err, sizeof(err));

	if (s != NULL)
		fail_msg("loaded, expected an error with '%s'", needle);
	if (strstr(err, needle) == NULL)
		fail_msg("error '%s' lacks '%s'", err, needle);
}

/* Broken key directories: every mistake is named, none is half-loaded. */
static void
test_load_errors(void **state)
{
	struct fx *f = *state;
	struct dnsk_set *s;
	char *ksk_priv, *zsk_priv, kname[64], zname[64], *p;
	const struct dnsk_key *ksk, *zsk;
	char warn[256], err[512];

	expect_load_error(f, HOST, "holds no key");
	free(keygen(f->dir, HOST, 0, false, 0, NOW, 0));
	s = load(f);
	ksk = find(s, DNSK_FLAGS_KSK, 0);
	zsk = find(s, DNSK_FLAGS_ZSK, 0);
	snprintf(kname, sizeof(kname), "%s.private", ksk->base);
	snprintf(zname, sizeof(zname), "%s.private", zsk->base);
	dnsk_free(s);
	ksk_priv = get_file(f, kname);
	zsk_priv = get_file(f, zname);
	/* Keys of another zone are not ours: none left. */
	expect_load_error(f, "other.example", "holds no key");
	/* A .private that is not the .key's. */
	put_file(f, kname, zsk_priv);
	expect_load_error(f, HOST, "does not hold the private key");
	put_file(f, kname, "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\n");
	expect_load_error(f, HOST, kname);
	put_file(f, kname, "\x01\x02");
	expect_load_error(f, HOST, kname);
	/* Timing lines must be times. */
	p = calloc(1, strlen(ksk_priv) + 64);
	sprintf(p, "%sActivate: 2026-01-01\n", ksk_priv);
	put_file(f, kname, p);
	expect_load_error(f, HOST, "Activate: wants YYYYMMDDHHMMSS");
	sprintf(p, "%sDelete: 20260231000000\n", ksk_priv);
	put_file(f, kname, p);
	expect_load_error(f, HOST, "Delete: wants");
	free(p);
	put_file(f, kname, ksk_priv);
	/* World-readable private key: loaded, with a warning. */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", f->dir, kname);
		chmod(path, 0644);
		s = dnsk_load(f->dir, HOST, warn, sizeof(warn), err, sizeof(err));
		assert_non_null(s);
		assert_non_null(strstr(warn, "readable by group or others"));
		dnsk_free(s);
		chmod(path, 0600);
	}
	/* A .key that is no DNSKEY, or one with the REVOKE bit. */
	{
		const char *name = "Kseed.example.+013+00001.key";

		put_file(f, name, "seed.example. 3600 IN A 1.2.3.4\n");
		put_file(f, "Kseed.example.+013+00001.private", ksk_priv);
		expect_load_error(f, HOST, "not a DNSKEY");
		put_file(f, name, "; nothing\n\n");
		expect_load_error(f, HOST, "no DNSKEY record");
		put_file(f, name, "seed.example. 3600 IN DNSKEY 257 3 13 "
		    "xR7qQlzW8FBp+8R+09Z9AC8jwzHPFrC85SGymKvphggIxgmGIl1DDLw82tTBbylEgEJzbahtqKlV"
		    "HA2MeLg4Iw==\nseed.example. 3600 IN A 1.2.3.4\n");
		expect_load_error(f, HOST, "more than one record");
		put_file(f, name, "seed.example. 3600 IN DNSKEY 385 3 13 "
		    "xR7qQlzW8FBp+8R+09Z9AC8jwzHPFrC85SGymKvphggIxgmGIl1DDLw82tTBbylEgEJzbahtqKlV"
		    "HA2MeLg4Iw==\n");
		expect_load_error(f, HOST, "flags 385");
		put_file(f, name, "seed.example. 3600 IN DNSKEY 257 3 8 AwEAAQ==\n");
		expect_load_error(f, HOST, "algorithm 8");
		unlink(strcat(strcpy(err, f->dir), "/Kseed.example.+013+00001.key"));
		unlink(strcat(strcpy(err, f->dir), "/Kseed.example.+013+00001.private"));
	}
	/* Mixed algorithms in one zone. */
	{
		char other[64] = "/tmp/test_dns_sign_ed.XXXXXX", cmd[256];

		assert_non_null(mkdtemp(other));
		free(keygen(other, HOST, DNSK_ED25519, false, 0, NOW, 0));
		snprintf(cmd, sizeof(cmd), "cp %s/K*+015+* %s/", other, f->dir);
		assert_int_equal(system(cmd), 0);
		expect_load_error(f, HOST, "one algorithm per zone");
		rmdir_all(other);
	}
	free(ksk_priv);
	free(zsk_priv);
}

static void
test_parse_time(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(dnsk_parse_time("19700101000000", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(dnsk_parse_time("20261202073620", &t), 0);
	assert_int_equal(t, 1796196980);
	assert_int_equal(dnsk_parse_time("20240229120000", &t), 0);
	assert_int_equal(dnsk_parse_time("20230229120000", &t), -1);
	assert_int_equal(dnsk_parse_time("2026120207362", &t), -1);
	assert_int_equal(dnsk_parse_time("202612020736200", &t), -1);
	assert_int_equal(dnsk_parse_time("20261302073620", &t), -1);
	assert_int_equal(dnsk_parse_time("2026120207362x", &t), -1);
	assert_int_equal(dnsk_parse_time("19691231235959", &t), -1);
	assert_int_equal(dnsk_parse_time("", &t), -1);
}

/* A pre-published ZSK is in the DNSKEY set at once, signs from its
 * Activate time, and the ZSK it replaces leaves at its Delete time. */
static void
test_rollover_timing(void **state)
{
	struct fx *f = *state;
	int64_t t0 = NOW - 10, act;
	struct dnsk_set *s;
	const struct dnsk_key *old, *fresh;
	struct dnsk_use u;
	char err[256];

	free(keygen(f->dir, HOST, 0, false, 0, t0, 0));
	free(keygen(f->dir, HOST, 0, true, 7200, t0, 0));
	act = t0 + 7200;
	s = load(f);
	assert_int_equal(s->n, 3);
	old = find(s, DNSK_FLAGS_ZSK, 0);
	fresh = find(s, DNSK_FLAGS_ZSK, 1);
	if (old->activate > fresh->activate) {
		const struct dnsk_key *t = old;

		old = fresh;
		fresh = t;
	}
	assert_int_equal(fresh->activate, act);
	assert_int_equal(old->remove, act + 90000);
	assert_int_equal(fresh->remove, DNSK_NEVER);
	/* Before the switch: three DNSKEYs, the old ZSK signs. */
	assert_int_equal(dnsk_select(s, t0 + 1, 1, 2, &u, err, sizeof(err)), 0);
	assert_int_equal(ldns_rr_list_rr_count(u.dnskeys), 3);
	assert_ptr_equal(u.zsk_key, old);
	assert_int_equal(ldns_key_list_key_count(u.ksk), 1);
	assert_int_equal(ldns_key_inception(ldns_key_list_key(u.zsk, 0)), 1);
	assert_int_equal(ldns_key_expiration(ldns_key_list_key(u.zsk, 0)), 2);
	dnsk_use_free(&u);
	/* From Activate on: the new one, both still published. */
	assert_int_equal(dnsk_select(s, act, 1, 2, &u, err, sizeof(err)), 0);
	assert_ptr_equal(u.zsk_key, fresh);
	assert_int_equal(ldns_rr_list_rr_count(u.dnskeys), 3);
	dnsk_use_free(&u);
	/* After Delete: the old one is gone. */
	assert_int_equal(dnsk_select(s, act + 90000, 1, 2, &u, err, sizeof(err)), 0);
	assert_ptr_equal(u.zsk_key, fresh);
	assert_int_equal(ldns_rr_list_rr_count(u.dnskeys), 2);
	assert_false(dnsk_published(old, act + 90000));
	dnsk_use_free(&u);
	/* Before any key was published: nothing may sign. */
	assert_int_equal(dnsk_select(s, t0 - 100, 1, 2, &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "may sign"));
	dnsk_free(s);
}

/* --- the signed zone ----------------------------------------------------------- */

/* Records of WIRE (a dnss_rrset, owners C0 0C) as ldns records owned by
 * OWNER: data into DATA, signatures into SIGS. */
static void
unpack(const struct dnss_rrset *rr, const char *owner, ldns_rr_list *data, ldns_rr_list *sigs)
{
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	size_t ol = ldns_rdf_size(o), nd = ldns_rr_list_rr_count(data),
	    ns = ldns_rr_list_rr_count(sigs);

	for (size_t p = 0, i = 0; p < rr->len; i++) {
		size_t rdlen = (size_t)rr->wire[p + 10] << 8 | rr->wire[p + 11], pos = 0;
		uint8_t *w = malloc(ol + 10 + rdlen);
		ldns_rr *r = NULL;

		assert_int_equal(rr->wire[p], 0xc0);
		assert_int_equal(rr->wire[p + 1], 12);
		memcpy(w, ldns_rdf_data(o), ol);
		memcpy(w + ol, rr->wire + p + 2, 10 + rdlen);
		assert_int_equal(ldns_wire2rr(&r, w, ol + 10 + rdlen, &pos, LDNS_SECTION_ANSWER),
		    LDNS_STATUS_OK);
		free(w);
		assert_int_equal(ldns_rr_get_type(r) == LDNS_RR_TYPE_RRSIG, p >= rr->len_data);
		ldns_rr_list_push_rr(ldns_rr_get_type(r) == LDNS_RR_TYPE_RRSIG ? sigs : data, r);
		p += 12 + rdlen;
		assert_true(p <= rr->len);
		assert_true(i < rr->nrec);
	}
	assert_int_equal(ldns_rr_list_rr_count(data) - nd + ldns_rr_list_rr_count(sigs) - ns,
	    rr->nrec);
	assert_int_equal(ldns_rr_list_rr_count(sigs) - ns, rr->nsig);
	ldns_rdf_deep_free(o);
}

/* Verify RR (owned by OWNER) with KEYS at AT. */
static void
verify(const struct dnss_rrset *rr, const char *owner, ldns_rr_list *keys, time_t at)
{
	ldns_rr_list *data = ldns_rr_list_new(), *sigs = ldns_rr_list_new();
	ldns_status st;

	unpack(rr, owner, data, sigs);
	st = ldns_verify_time(data, sigs, keys, at, NULL);
	if (st != LDNS_STATUS_OK)
		fail_msg("%s: %s", owner, ldns_get_errorstr_by_id(st));
	ldns_rr_list_deep_free(data);
	ldns_rr_list_deep_free(sigs);
}

/* The DNSKEY RRset of S, checked with itself (KSK) and returned. */
static ldns_rr_list *
dnskeys_of(const struct dnss *s)
{
	ldns_rr_list *data = ldns_rr_list_new(), *sigs = ldns_rr_list_new();

	unpack(dnss_rrset(s, 0, LDNS_RR_TYPE_DNSKEY), HOST ".", data, sigs);
	assert_int_equal(ldns_verify_time(data, sigs, data, time(NULL), NULL), LDNS_STATUS_OK);
	ldns_rr_list_deep_free(sigs);
	return data;
}

static struct dnss *
build(struct fx *f, struct goodset *gs, const struct dnss *prev, unsigned k, int64_t now)
{
	struct dnsk_set *keys = load(f);
	char err[256];
	struct dnss *s = dnss_build(&f->in, keys, gs, prev, k, now, err, sizeof(err));

	if (s == NULL)
		fail_msg("dnss_build: %s", err);
	dnsk_free(keys);
	return s;
}

static char *
node_owner(const struct dnss *s, int node)
{
	const uint8_t *l = dnss_label(s, node);
	char *o = malloc(80);

	if (l == NULL)
		snprintf(o, 80, "%s.", HOST);
	else
		snprintf(o, 80, "%.*s.%s.", l[0], l + 1, HOST);
	return o;
}

/* K different samples per name and family, each signed, each verifying;
 * small filters get one set, empty ones none. */
static void
test_pools(void **state)
{
	struct fx *f = *state;
	struct dnss *s;
	ldns_rr_list *keys;
	struct dnss_info info;
	int apex, x1, x4, x5, x2;

	free(keygen(f->dir, HOST, 0, false, 0, NOW - 5, 0));
	s = build(f, f->gs, NULL, 16, NOW);
	keys = dnskeys_of(s);
	apex = dnss_node(s, 0);
	x1 = dnss_node(s, NODE_NETWORK);
	x2 = dnss_node(s, NODE_RELAY);
	x4 = dnss_node(s, NODE_SEED);
	x5 = dnss_node(s, NODE_NETWORK | NODE_SEED);
	assert_int_equal(apex, 0);
	assert_true(x1 > 0 && x2 > 0 && x4 > 0 && x5 > 0);
	assert_int_equal(dnss_node(s, 8), -1);
	assert_int_equal(dnss_pool_size(s, apex, GOODSET_V4), 16);
	/* 25 seeds of 100: the one set of 25. */
	assert_int_equal(dnss_pool_size(s, x5, GOODSET_V4), 1);
	assert_int_equal(dnss_pool_size(s, x1, GOODSET_V4), 16);
	assert_int_equal(dnss_pool_size(s, x2, GOODSET_V4), 0);		/* nobody relays */
	assert_int_equal(dnss_pool_size(s, apex, GOODSET_V6), 1);	/* 10 <= 16 */
	assert_int_equal(dnss_pool_size(s, x4, GOODSET_V6), 0);
	dnss_get_info(s, &info);
	assert_int_equal(info.names, 8);
	assert_int_equal(info.dnskeys, 2);
	/* Sets of the apex's pool: 25 distinct good addresses each, every
	 * one signed, no two the same set. */
	{
		const uint8_t *wires[16];
		char seen[16][100];
		size_t n = 0;
		struct goodset_rng rng;

		goodset_rng_seed(&rng);
		memset(seen, 0, sizeof(seen));
		for (int tries = 0; tries < 10000 && n < 16; tries++) {
			const struct dnss_rrset *rr = dnss_pick(s, apex, GOODSET_V4, &rng);
			ldns_rr_list *data, *sigs;
			size_t i;

			for (i = 0; i < n && wires[i] != rr->wire; i++)
				;
			if (i < n)
				continue;
			wires[n] = rr->wire;
			data = ldns_rr_list_new();
			sigs = ldns_rr_list_new();
			unpack(rr, HOST ".", data, sigs);
			assert_int_equal(ldns_rr_list_rr_count(data), 25);
			assert_int_equal(ldns_rr_list_rr_count(sigs), 1);
			assert_int_equal(ldns_verify_time(data, sigs, keys, time(NULL), NULL),
			    LDNS_STATUS_OK);
			for (size_t j = 0; j < 25; j++) {
				uint8_t *ip = ldns_rdf_data(ldns_rr_rdf(ldns_rr_list_rr(data, j), 0));

				assert_int_equal(ip[0], 44);
				assert_int_equal(seen[n][ip[1]], 0);
				seen[n][ip[1]] = 1;
				assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(data, j)), 60);
			}
			for (size_t j = 0; j < n; j++)
				assert_memory_not_equal(seen[j], seen[n], 100);
			n++;
			ldns_rr_list_deep_free(data);
			ldns_rr_list_deep_free(sigs);
		}
		assert_int_equal(n, 16);
	}
	/* The x5 sets hold seeds only (every fourth node). */
	{
		struct goodset_rng rng;
		ldns_rr_list *data = ldns_rr_list_new(), *sigs = ldns_rr_list_new();

		goodset_rng_seed(&rng);
		unpack(dnss_pick(s, x5, GOODSET_V4, &rng), "x5." HOST ".", data, sigs);
		assert_int_equal(ldns_rr_list_rr_count(data), 25);
		for (size_t j = 0; j < 25; j++)
			assert_int_equal(ldns_rdf_data(ldns_rr_rdf(ldns_rr_list_rr(data, j), 0))[1] % 4,
			    0);
		ldns_rr_list_deep_free(data);
		ldns_rr_list_deep_free(sigs);
	}
	/* Every pool of every name. */
	for (size_t n = 0; n < info.names; n++) {
		char *o = node_owner(s, (int)n);
		struct goodset_rng rng;

		goodset_rng_seed(&rng);
		for (int fam = 0; fam < 2; fam++)
			if (dnss_pool_size(s, (int)n, (enum goodset_family)fam) > 0)
				verify(dnss_pick(s, (int)n, (enum goodset_family)fam, &rng), o, keys,
				    time(NULL));
			else
				assert_null(dnss_pick(s, (int)n, (enum goodset_family)fam, &rng));
		verify(dnss_rrset(s, (int)n, LDNS_RR_TYPE_HINFO), o, keys, time(NULL));
		verify(dnss_rrset(s, (int)n, LDNS_RR_TYPE_NSEC), o, keys, time(NULL));
		assert_null(dnss_rrset(s, (int)n, LDNS_RR_TYPE_TXT));
		if (n > 0) {
			assert_null(dnss_rrset(s, (int)n, LDNS_RR_TYPE_SOA));
			assert_null(dnss_rrset(s, (int)n, LDNS_RR_TYPE_DNSKEY));
		}
		free(o);
	}
	verify(dnss_rrset(s, 0, LDNS_RR_TYPE_SOA), HOST ".", keys, time(NULL));
	verify(dnss_rrset(s, 0, LDNS_RR_TYPE_NS), HOST ".", keys, time(NULL));
	verify(dnss_soa_negative(s), HOST ".", keys, time(NULL));
	ldns_rr_list_deep_free(keys);
	dnss_unref(s);
}

/* Over many picks the K sets of a pool are all served, about equally. */
static void
test_pick_spread(void **state)
{
	struct fx *f = *state;
	struct dnss *s;
	struct goodset_rng rng;
	const uint8_t *wires[64];
	unsigned hits[64] = { 0 };
	size_t n = 0;

	free(keygen(f->dir, HOST, 0, false, 0, NOW - 5, 0));
	s = build(f, f->gs, NULL, 64, NOW);
	assert_int_equal(dnss_pool_size(s, 0, GOODSET_V4), 64);
	goodset_rng_seed(&rng);
	for (int q = 0; q < 6400; q++) {
		const uint8_t *w = dnss_pick(s, 0, GOODSET_V4, &rng)->wire;
		size_t i;

		for (i = 0; i < n && wires[i] != w; i++)
			;
		if (i == n) {
			assert_true(n < 64);
			wires[n++] = w;
		}
		hits[i]++;
	}
	assert_int_equal(n, 64);
	for (size_t i = 0; i < n; i++)	/* 100 expected, sd 10 */
		assert_true(hits[i] > 50 && hits[i] < 150);
	dnss_unref(s);
}

/* Inception an hour back (clock skew), expiration a week on, for every
 * signature; the KSK signs DNSKEY, the ZSK the rest. */
static void
test_validity_window(void **state)
{
	struct fx *f = *state;
	int64_t now = 1800000000;
	struct dnss *s;
	struct dnss_info info;
	struct dnsk_set *keys;
	ldns_rr_list *data = ldns_rr_list_new(), *sigs = ldns_rr_list_new(), *dk;
	struct goodset_rng rng;
	uint16_t ksk, zsk;

	free(keygen(f->dir, HOST, 0, false, 0, now - 5, 0));
	keys = load(f);
	ksk = find(keys, DNSK_FLAGS_KSK, 0)->tag;
	zsk = find(keys, DNSK_FLAGS_ZSK, 0)->tag;
	dnsk_free(keys);
	s = build(f, f->gs, NULL, 4, now);
	dnss_get_info(s, &info);
	assert_int_equal(info.inception, now - DNSS_SKEW);
	assert_int_equal(info.expiration, now + DNSS_VALIDITY);
	assert_int_equal(info.zsk_tag, zsk);
	goodset_rng_seed(&rng);
	unpack(dnss_pick(s, 0, GOODSET_V4, &rng), HOST ".", data, sigs);
	unpack(dnss_rrset(s, 0, LDNS_RR_TYPE_SOA), HOST ".", data, sigs);
	unpack(dnss_rrset(s, 1, LDNS_RR_TYPE_NSEC), "x1." HOST ".", data, sigs);
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
		ldns_rr *sig = ldns_rr_list_rr(sigs, i);

		assert_int_equal(ldns_rdf2native_time_t(ldns_rr_rrsig_inception(sig)),
		    now - 3600);
		assert_int_equal(ldns_rdf2native_time_t(ldns_rr_rrsig_expiration(sig)),
		    now + 7 * 86400);
		assert_int_equal(ldns_rdf2native_int16(ldns_rr_rrsig_keytag(sig)), zsk);
	}
	/* Valid from an hour early, for a week; not outside that. */
	dk = ldns_rr_list_new();
	ldns_rr_list_deep_free(sigs);
	sigs = ldns_rr_list_new();
	ldns_rr_list_deep_free(data);
	data = ldns_rr_list_new();
	unpack(dnss_rrset(s, 0, LDNS_RR_TYPE_DNSKEY), HOST ".", dk, sigs);
	assert_int_equal(ldns_rdf2native_int16(ldns_rr_rrsig_keytag(ldns_rr_list_rr(sigs, 0))),
	    ksk);
	assert_int_equal(ldns_verify_time(dk, sigs, dk, now - 3599, NULL), LDNS_STATUS_OK);
	assert_int_equal(ldns_verify_time(dk, sigs, dk, now + 7 * 86400 - 1, NULL),
	    LDNS_STATUS_OK);
	assert_int_equal(ldns_verify_time(dk, sigs, dk, now - 3601, NULL),
	    LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED);
	assert_int_equal(ldns_verify_time(dk, sigs, dk, now + 7 * 86400 + 1, NULL),
	    LDNS_STATUS_CRYPTO_SIG_EXPIRED);
	ldns_rr_list_deep_free(dk);
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_deep_free(data);
	dnss_unref(s);
}

/* The NSEC chain: canonical order, closed, bitmaps true to the zone. */
static void
test_nsec_chain(void **state)
{
	struct fx *f = *state;
	struct dnss *s;
	struct dnss_info info;
	ldns_rdf *prev = NULL;
	char *first = NULL;

	free(keygen(f->dir, HOST, 0, false, 0, NOW - 5, 0));
	s = build(f, f->gs, NULL, 2, NOW);
	dnss_get_info(s, &info);
	for (size_t n = 0; n < info.names; n++) {
		char *o = node_owner(s, (int)n);
		ldns_rr_list *data = ldns_rr_list_new(), *sigs = ldns_rr_list_new();
		ldns_rr *nsec;
		ldns_rdf *owner = ldns_dname_new_frm_str(o), *bitmap;
		uint64_t mask = 0;

		unpack(dnss_rrset(s, (int)n, LDNS_RR_TYPE_NSEC), o, data, sigs);
		nsec = ldns_rr_list_rr(data, 0);
		assert_int_equal(ldns_rr_ttl(nsec), 60);
		if (n == 0)
			first = ldns_rdf2str(owner);
		else
			assert_true(ldns_dname_compare(prev, owner) < 0);
		if (prev != NULL)
			ldns_rdf_deep_free(prev);
		prev = ldns_rdf_clone(owner);
		/* NEXT is the next node's name, the last one's the apex. */
		{
			char *next = ldns_rdf2str(ldns_rr_rdf(nsec, 0)), *want;

			want = n + 1 < info.names ? node_owner(s, (int)n + 1) : strdup(HOST ".");
			assert_string_equal(next, want);
			free(next);
			free(want);
		}
		bitmap = ldns_rr_rdf(nsec, 1);
		if (n > 0)
			mask = strtoull(o + 1, NULL, 16);
		assert_true(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_HINFO));
		assert_true(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_RRSIG));
		assert_true(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_NSEC));
		assert_int_equal(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_SOA), n == 0);
		assert_int_equal(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_NS), n == 0);
		assert_int_equal(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_DNSKEY), n == 0);
		assert_false(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_TXT));
		assert_false(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_DS));
		/* A and AAAA only where there are nodes: every IPv4 node has
		 * NETWORK, a quarter SEED, nobody RELAY; IPv6 only NETWORK. */
		assert_int_equal(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_A),
		    (mask & NODE_RELAY) == 0);
		assert_int_equal(ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_AAAA),
		    (mask & (NODE_RELAY | NODE_SEED)) == 0);
		assert_int_equal(dnss_pool_size(s, (int)n, GOODSET_V4) > 0, (mask & NODE_RELAY) == 0);
		ldns_rdf_deep_free(owner);
		ldns_rr_list_deep_free(data);
		ldns_rr_list_deep_free(sigs);
		free(o);
	}
	assert_string_equal(first, HOST ".");
	free(first);
	ldns_rdf_deep_free(prev);
	dnss_unref(s);
}

/* Which NSEC covers a missing name, and its closest encloser's wildcard:
 * checked against ldns's canonical order. */
static void
test_cover(void **state)
{
	struct fx *f = *state;
	struct dnss *s;
	static const char *const names[] = {
		"a", "x", "x0", "x01", "X1a", "x10", "x1-", "x2\\000", "x7a", "x8", "xg", "y", "zzz",
		"\\000", "*", "X7Z", "x1\\255", "X4x",
	};
	static const char *const below[] = { "x1", "X3", "x7", "foo", "a", "zz" };
	struct dnss_info info;

	free(keygen(f->dir, HOST, 0, false, 0, NOW - 5, 0));
	s = build(f, f->gs, NULL, 1, NOW);
	dnss_get_info(s, &info);
	for (int deep = 0; deep < 2; deep++) {
		size_t nn = deep ? sizeof(below) / sizeof(below[0]) : sizeof(names) / sizeof(names[0]);

		for (size_t i = 0; i < nn; i++) {
			const char *l = deep ? below[i] : names[i];
			char qname[128];
			ldns_rdf *q, *lab;
			int cover, wild;
			char *co, *no;
			ldns_rdf *c, *next;

			snprintf(qname, sizeof(qname), "%s%s.%s.", deep ? "sub." : "", l, HOST);
			q = ldns_dname_new_frm_str(qname);
			lab = ldns_dname_new_frm_str(l);
			dnss_cover(s, ldns_rdf_data(lab), deep == 1, &cover, &wild);
			co = node_owner(s, cover);
			no = cover + 1 < (int)info.names ? node_owner(s, cover + 1) : NULL;
			c = ldns_dname_new_frm_str(co);
			/* owner < name < next (or the last owner < name). */
			assert_true(ldns_dname_compare(c, q) < 0);
			if (no != NULL) {
				next = ldns_dname_new_frm_str(no);
				assert_true(ldns_dname_compare(q, next) < 0);
				ldns_rdf_deep_free(next);
			}
			/* The wildcard at the closest encloser is covered too. */
			{
				char w[128], *wo = node_owner(s, wild), *wn;
				ldns_rdf *wq, *wr;

				if (deep && wild != 0)
					snprintf(w, sizeof(w), "*.%s", wo);
				else
					snprintf(w, sizeof(w), "*.%s.", HOST);
				wq = ldns_dname_new_frm_str(w);
				wr = ldns_dname_new_frm_str(wo);
				assert_true(ldns_dname_compare(wr, wq) < 0);
				wn = wild + 1 < (int)info.names ? node_owner(s, wild + 1) : NULL;
				if (wn != NULL) {
					ldns_rdf *x = ldns_dname_new_frm_str(wn);

					assert_true(ldns_dname_compare(wq, x) < 0);
					ldns_rdf_deep_free(x);
				}
				free(wn);
				free(wo);
				ldns_rdf_deep_free(wq);
				ldns_rdf_deep_free(wr);
			}
			/* Below a filter name, that name is the encloser. */
			if (deep && (strcasecmp(l, "x1") == 0 || strcasecmp(l, "x3") == 0 ||
			    strcasecmp(l, "x7") == 0))
				assert_int_equal(wild, cover);
			ldns_rdf_deep_free(q);
			ldns_rdf_deep_free(lab);
			ldns_rdf_deep_free(c);
			free(co);
			free(no);
		}
	}
	dnss_unref(s);
}

/* A failed database read signs the previous samples again: same sets,
 * fresh signatures; a rebuild with a new set draws new samples. */
static void
test_resign_previous(void **state)
{
	struct fx *f = *state;
	struct dnss *a, *b, *c;
	struct dnss_info ia, ib;
	ldns_rr_list *keys;
	int64_t now = NOW;

	free(keygen(f->dir, HOST, 0, false, 0, now - 100, 0));
	a = build(f, f->gs, NULL, 8, now - 60);
	b = build(f, NULL, a, 8, now);
	dnss_get_info(a, &ia);
	dnss_get_info(b, &ib);
	assert_int_equal(ia.sets, ib.sets);
	assert_int_equal(ib.inception, now - DNSS_SKEW);
	assert_int_equal(ia.inception, now - 60 - DNSS_SKEW);
	keys = dnskeys_of(b);
	for (size_t n = 0; n < ia.names; n++)
		for (int fam = 0; fam < 2; fam++) {
			size_t k = dnss_pool_size(a, (int)n, (enum goodset_family)fam);

			assert_int_equal(dnss_pool_size(b, (int)n, (enum goodset_family)fam), k);
		}
	/* The same addresses in the same sets (the data part is equal);
	 * different signatures. */
	{
		struct goodset_rng r1, r2;
		const struct dnss_rrset *x, *y;

		r1.state = r2.state = 42;
		x = dnss_pick(a, 0, GOODSET_V4, &r1);
		y = dnss_pick(b, 0, GOODSET_V4, &r2);
		assert_int_equal(x->len_data, y->len_data);
		assert_memory_equal(x->wire, y->wire, x->len_data);
		assert_memory_not_equal(x->wire + x->len_data, y->wire + y->len_data,
		    x->len - x->len_data);
		verify(y, HOST ".", keys, time(NULL));
	}
	/* No set and no previous one: empty pools, A and AAAA absent. */
	c = build(f, NULL, NULL, 8, NOW);
	assert_int_equal(dnss_pool_size(c, 0, GOODSET_V4), 0);
	{
		ldns_rr_list *data = ldns_rr_list_new(), *sigs = ldns_rr_list_new();

		unpack(dnss_rrset(c, 0, LDNS_RR_TYPE_NSEC), HOST ".", data, sigs);
		assert_false(ldns_nsec_bitmap_covers_type(ldns_rr_rdf(ldns_rr_list_rr(data, 0), 1),
		    LDNS_RR_TYPE_A));
		ldns_rr_list_deep_free(data);
		ldns_rr_list_deep_free(sigs);
	}
	/* References: B outlives A's last one. */
	dnss_ref(b);
	dnss_unref(a);
	dnss_unref(b);
	verify(dnss_rrset(b, 0, LDNS_RR_TYPE_SOA), HOST ".", keys, time(NULL));
	dnss_unref(b);
	dnss_unref(c);
	ldns_rr_list_deep_free(keys);
}

static void
test_build_errors(void **state)
{
	struct fx *f = *state;
	struct dnsk_set *keys;
	char err[256];
	struct dnss_zone wide = f->in;

	free(keygen(f->dir, HOST, 0, false, 0, NOW, 0));
	keys = load(f);
	assert_null(dnss_build(&f->in, keys, f->gs, NULL, 0, NOW, err, sizeof(err)));
	assert_null(dnss_build(&f->in, keys, f->gs, NULL, DNSS_POOL_MAX + 1, NOW, err,
	    sizeof(err)));
	/* Keys published in the future sign nothing now. */
	assert_null(dnss_build(&f->in, keys, f->gs, NULL, 4, NOW - 86400, err, sizeof(err)));
	assert_non_null(strstr(err, "may sign"));
	/* Too many filter names to sign. */
	wide.services = 0x1ff;
	assert_null(dnss_build(&wide, keys, f->gs, NULL, 4, NOW, err, sizeof(err)));
	assert_non_null(strstr(err, "service bits"));
	dnsk_free(keys);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keygen_files_and_ds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keygen_ed25519, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test_setup_teardown(test_rollover_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pick_spread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validity_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nsec_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resign_previous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
