/* dns_keys.c -- the seed zone's DNSSEC keys: BIND-format key files, timing metadata, generation, DS.
 *
 * The files are those of ldns-keygen and BIND's dnssec-keygen, so keys
 * made by either work, and ours work with them (ldns-signzone,
 * ldns-verify-zone, dnssec-settime).  ldns parses and writes the key
 * material; this module adds the checks an operator's mistake should meet
 * (a .key that does not match its .private, mixed algorithms, a key of
 * another zone) and BIND's timing metadata, which is how a ZSK rollover
 * runs without a restart: the seeder re-reads the directory at every
 * reload and lets the times decide which keys are published and which one
 * signs. */
#include "dns_keys.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "strutil.h"
#include "xmalloc.h"

/* Bounds on what is read from the key directory. */
#define KEYFILE_MAX	65536
#define DIR_ENTRIES_MAX	10000
/* Tries at a key whose tag is not yet used in the directory. */
#define TAG_TRIES	16

static const struct {
	const char	*name;
	size_t		 offset;
} timing[] = {
	{ "Publish:", offsetof(struct dnsk_key, publish) },
	{ "Activate:", offsetof(struct dnsk_key, activate) },
	{ "Inactive:", offsetof(struct dnsk_key, inactive) },
	{ "Delete:", offsetof(struct dnsk_key, remove) },
};
#define NTIMING (sizeof(timing) / sizeof(timing[0]))

int
dnsk_parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	int v[6], w[6] = { 4, 2, 2, 2, 2, 2 };
	time_t t;

	for (int i = 0, p = 0; i < 6; i++) {
		v[i] = 0;
		for (int j = 0; j < w[i]; j++, p++) {
			if (s[p] < '0' || s[p] > '9')
				return -1;
			v[i] = v[i] * 10 + (s[p] - '0');
		}
	}
	if (s[14] != '\0' || v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
	    v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != v[2])
		return -1;	/* 31 February rolls over: refuse it */
	*out = (int64_t)t;
	return 0;
}

static void
format_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y%m%d%H%M%S", &tm);
}

/* The timing lines of a .private file's TEXT into K.  Returns 0, or -1
 * with the bad line in ERR. */
static int
parse_timing(const char *text, struct dnsk_key *k, const char *path, char *err,
    size_t errlen)
{
	k->publish = k->activate = DNSK_ALWAYS;
	k->inactive = k->remove = DNSK_NEVER;
	for (const char *line = text; *line != '\0';) {
		size_t len = strcspn(line, "\n");

		for (size_t i = 0; i < NTIMING; i++) {
			size_t nl = strlen(timing[i].name);
			char val[32];
			int64_t t;

			if (len < nl || strncmp(line, timing[i].name, nl) != 0)
				continue;
			snprintf(val, sizeof(val), "%.*s", (int)(len - nl), line + nl);
			val[strcspn(val, "\r")] = '\0';
			if (dnsk_parse_time(val + strspn(val, " \t"), &t) == -1) {
				str_errf(err, errlen, "%s: %s wants YYYYMMDDHHMMSS (UTC)", path,
				    timing[i].name);
				return -1;
			}
			*(int64_t *)((char *)k + timing[i].offset) = t;
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	return 0;
}

/* The DNSKEY record of a .key file: comments and blank lines are skipped,
 * the first record must be it, nothing may follow. */
static ldns_rr *
read_dnskey(const char *path, char *err, size_t errlen)
{
	ldns_rr *rr = NULL, *extra = NULL;
	ldns_status st = LDNS_STATUS_SYNTAX_EMPTY;
	FILE *fp;
	int line = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		str_errf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	for (int i = 0; i < 1000 && !feof(fp) && rr == NULL; i++) {
		st = ldns_rr_new_frm_fp_l(&rr, fp, NULL, NULL, NULL, &line);
		if (st != LDNS_STATUS_OK && st != LDNS_STATUS_SYNTAX_EMPTY)
			break;
	}
	if (rr != NULL) {
		while (!feof(fp)) {
			st = ldns_rr_new_frm_fp_l(&extra, fp, NULL, NULL, NULL, &line);
			if (st == LDNS_STATUS_SYNTAX_EMPTY)
				continue;
			ldns_rr_free(extra);
			if (st == LDNS_STATUS_OK || !feof(fp)) {
				str_errf(err, errlen, "%s: more than one record", path);
				ldns_rr_free(rr);
				fclose(fp);
				return NULL;
			}
		}
	}
	fclose(fp);
	if (rr == NULL) {
		str_errf(err, errlen, "%s: no DNSKEY record (%s)", path,
		    st == LDNS_STATUS_OK || st == LDNS_STATUS_SYNTAX_EMPTY ? "empty" :
		    ldns_get_errorstr_by_id(st));
		return NULL;
	}
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY || ldns_rr_rd_count(rr) != 4) {
		str_errf(err, errlen, "%s: not a DNSKEY record", path);
		ldns_rr_free(rr);
		return NULL;
	}
	return rr;
}

static void
key_clear(struct dnsk_key *k)
{
	if (k->key != NULL)
		ldns_key_deep_free(k->key);
	ldns_rr_free(k->dnskey);
	free(k->base);
	memset(k, 0, sizeof(*k));
}

/* Load the key DIR/BASE.{key,private} into K when it belongs to OWNER.
 * Returns 1 (loaded), 0 (another zone's key), -1 (error in ERR). */
static int
load_key(const char *dir, const char *base, const ldns_rdf *owner, struct dnsk_key *k,
    char *warn, size_t warnlen, char *err, size_t errlen)
{
	char *kpath = xasprintf("%s/%s.key", dir, base);
	char *ppath = xasprintf("%s/%s.private", dir, base);
	ldns_rr *rr = NULL, *derived = NULL;
	ldns_rdf *o = NULL;
	char *text = NULL;
	size_t len;
	FILE *fp = NULL;
	struct stat st;
	int line = 0, rc = -1;
	ldns_status s;

	memset(k, 0, sizeof(*k));
	if ((rr = read_dnskey(kpath, err, errlen)) == NULL)
		goto out;
	o = ldns_rdf_clone(ldns_rr_owner(rr));
	ldns_dname2canonical(o);
	if (ldns_dname_compare(o, owner) != 0) {
		rc = 0;
		goto out;
	}
	k->flags = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
	k->algorithm = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
	if (k->flags != DNSK_FLAGS_KSK && k->flags != DNSK_FLAGS_ZSK) {
		str_errf(err, errlen, "%s: flags %u; want 257 (KSK) or 256 (ZSK)", kpath,
		    k->flags);
		goto out;
	}
	if (k->algorithm != DNSK_ECDSAP256 && k->algorithm != DNSK_ED25519) {
		str_errf(err, errlen, "%s: algorithm %u; want 13 (ECDSAP256SHA256) or 15 "
		    "(ED25519)", kpath, k->algorithm);
		goto out;
	}
	if ((text = atomicfile_read(ppath, KEYFILE_MAX, &len, err, errlen)) == NULL)
		goto out;
	if (memchr(text, '\0', len) != NULL) {
		str_errf(err, errlen, "%s: not a text file", ppath);
		goto out;
	}
	text = xreallocarray(text, len + 1, 1);
	text[len] = '\0';
	if (parse_timing(text, k, ppath, err, errlen) == -1)
		goto out;
	if ((fp = fmemopen(text, len, "r")) == NULL) {
		str_errf(err, errlen, "%s: %s", ppath, strerror(errno));
		goto out;
	}
	s = ldns_key_new_frm_fp_l(&k->key, fp, &line);
	fclose(fp);
	if (s != LDNS_STATUS_OK) {
		k->key = NULL;
		str_errf(err, errlen, "%s: %s", ppath, ldns_get_errorstr_by_id(s));
		goto out;
	}
	if ((uint8_t)ldns_key_algorithm(k->key) != k->algorithm) {
		str_errf(err, errlen, "%s: algorithm %d, but %s says %u", ppath,
		    (int)ldns_key_algorithm(k->key), kpath, k->algorithm);
		goto out;
	}
	ldns_key_set_flags(k->key, k->flags);
	ldns_key_set_pubkey_owner(k->key, ldns_rdf_clone(owner));
	derived = ldns_key2rr(k->key);
	if (derived == NULL || ldns_rdf_compare(ldns_rr_rdf(derived, 3), ldns_rr_rdf(rr, 3)) != 0) {
		str_errf(err, errlen, "%s does not hold the private key of %s", ppath, kpath);
		goto out;
	}
	k->tag = ldns_calc_keytag(rr);
	ldns_key_set_keytag(k->key, k->tag);
	ldns_rr_set_ttl(rr, DNSK_DNSKEY_TTL);
	ldns_rdf_deep_free(ldns_rr_owner(rr));		/* the file's spelling */
	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	k->dnskey = rr;
	rr = NULL;
	k->base = xstrdup(base);
	if (warn != NULL && stat(ppath, &st) == 0 && (st.st_mode & 077) != 0 && warn[0] == '\0')
		str_errf(warn, warnlen, "%s is readable by group or others (chmod 600 it)", ppath);
	rc = 1;
out:
	if (rc != 1)
		key_clear(k);
	ldns_rr_free(derived);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(o);
	free(text);
	free(kpath);
	free(ppath);
	return rc;
}

static ldns_rdf *
host_rdf(const char *host, char *err, size_t errlen)
{
	ldns_rdf *r;

	if (host == NULL || *host == '\0' || (r = ldns_dname_new_frm_str(host)) == NULL) {
		str_errf(err, errlen, "'%s' is not a domain name", host ? host : "");
		return NULL;
	}
	ldns_dname2canonical(r);
	return r;
}

static int
base_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key file names in DIR ("K...key" without ".key"), sorted.  Returns
 * how many, or -1 with a reason in ERR. */
static int
list_keys(const char *dir, char ***out, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, seen = 0;

	*out = NULL;
	if ((d = opendir(dir)) == NULL) {
		str_errf(err, errlen, "cannot open the key directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL && seen++ < DIR_ENTRIES_MAX) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] != 'K' || len < 5 || strcmp(e->d_name + len - 4, ".key") != 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xstrndup(e->d_name, len - 4);
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), base_cmp);
	*out = v;
	return (int)n;
}

static void
free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* As dnsk_load, but an empty set is no error. */
static struct dnsk_set *
load_set(const char *dir, const char *host, char *warn, size_t warnlen, char *err,
    size_t errlen)
{
	struct dnsk_set *s;
	ldns_rdf *owner;
	char **names;
	int n;

	if (warn != NULL && warnlen > 0)
		warn[0] = '\0';
	if ((owner = host_rdf(host, err, errlen)) == NULL)
		return NULL;
	if ((n = list_keys(dir, &names, err, errlen)) == -1) {
		ldns_rdf_deep_free(owner);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	for (int i = 0; i < n; i++) {
		struct dnsk_key k;
		int r = load_key(dir, names[i], owner, &k, warn, warnlen, err, errlen);

		if (r == 0)
			continue;
		if (r == 1 && s->n == DNSK_MAX_KEYS) {
			str_errf(err, errlen, "%s: more than %d keys of %s", dir, DNSK_MAX_KEYS,
			    host);
			key_clear(&k);
			r = -1;
		}
		if (r == 1 && s->n > 0 && k.algorithm != s->algorithm) {
			str_errf(err, errlen, "%s/%s: algorithm %u, but the zone's other keys "
			    "have %u (one algorithm per zone)", dir, names[i], k.algorithm,
			    s->algorithm);
			key_clear(&k);
			r = -1;
		}
		for (size_t j = 0; r == 1 && j < s->n; j++)
			if (s->key[j].tag == k.tag && s->key[j].flags == k.flags) {
				str_errf(err, errlen, "%s/%s and %s: the same key tag %u", dir,
				    names[i], s->key[j].base, k.tag);
				key_clear(&k);
				r = -1;
			}
		if (r == -1) {
			dnsk_free(s);
			s = NULL;
			break;
		}
		s->algorithm = k.algorithm;
		s->key[s->n++] = k;
	}
	free_list(names, n);
	ldns_rdf_deep_free(owner);
	return s;
}

struct dnsk_set *
dnsk_load(const char *dir, const char *host, char *warn, size_t warnlen, char *err,
    size_t errlen)
{
	struct dnsk_set *s = load_set(dir, host, warn, warnlen, err, errlen);

	if (s != NULL && s->n == 0) {
		str_errf(err, errlen, "%s holds no key of %s (agentseeder keygen makes them)",
		    dir, host);
		dnsk_free(s);
		return NULL;
	}
	return s;
}

void
dnsk_free(struct dnsk_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		key_clear(&s->key[i]);
	free(s);
}

bool
dnsk_published(const struct dnsk_key *k, int64_t now)
{
	return k->publish <= now && now < k->remove;
}

bool
dnsk_active(const struct dnsk_key *k, int64_t now)
{
	return dnsk_published(k, now) && k->activate <= now && now < k->inactive;
}

/* Free a key list without its keys, which the set owns. */
static void
key_list_release(ldns_key_list *l)
{
	if (l == NULL)
		return;
	ldns_key_list_set_key_count(l, 0);
	ldns_key_list_free(l);
}

void
dnsk_use_free(struct dnsk_use *u)
{
	key_list_release(u->ksk);
	key_list_release(u->zsk);
	ldns_rr_list_free(u->dnskeys);
	memset(u, 0, sizeof(*u));
}

int
dnsk_select(struct dnsk_set *s, int64_t now, uint32_t inception, uint32_t expiration,
    struct dnsk_use *u, char *err, size_t errlen)
{
	struct dnsk_key *zsk = NULL;

	memset(u, 0, sizeof(*u));
	u->ksk = ldns_key_list_new();
	u->zsk = ldns_key_list_new();
	u->dnskeys = ldns_rr_list_new();
	for (size_t i = 0; i < s->n; i++) {
		struct dnsk_key *k = &s->key[i];

		if (!dnsk_published(k, now))
			continue;
		ldns_rr_list_push_rr(u->dnskeys, k->dnskey);
		if (!dnsk_active(k, now))
			continue;
		ldns_key_set_inception(k->key, inception);
		ldns_key_set_expiration(k->key, expiration);
		if (k->flags == DNSK_FLAGS_KSK)
			ldns_key_list_push_key(u->ksk, k->key);
		else if (zsk == NULL || k->activate > zsk->activate ||
		    (k->activate == zsk->activate && k->tag > zsk->tag))
			zsk = k;
	}
	if (ldns_key_list_key_count(u->ksk) == 0 || zsk == NULL) {
		str_errf(err, errlen, "no %s may sign now (see the keys' Publish, Activate, "
		    "Inactive and Delete times)", zsk == NULL ? "ZSK" : "KSK");
		dnsk_use_free(u);
		return -1;
	}
	ldns_key_list_push_key(u->zsk, zsk->key);
	u->zsk_key = zsk;
	return 0;
}

char *
dnsk_ds(const struct dnsk_key *k)
{
	ldns_rr *ds = ldns_key_rr2ds(k->dnskey, LDNS_SHA256);
	char *s;

	if (ds == NULL)
		return NULL;
	s = ldns_rr2str(ds);
	ldns_rr_free(ds);
	return s;
}

/* --- keygen ------------------------------------------------------------------ */

static bool
tag_used(const struct dnsk_set *s, uint16_t tag)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->key[i].tag == tag)
			return true;
	return false;
}

/* Write DIR/BASE.private (TEXT plus the timing lines) and DIR/BASE.key. */
static int
write_key(const char *dir, const char *base, const char *priv, const char *pub,
    int64_t created, int64_t publish, int64_t activate, char *err, size_t errlen)
{
	char c[16], p[16], a[16];
	char *kpath = xasprintf("%s/%s.key", dir, base);
	char *ppath = xasprintf("%s/%s.private", dir, base);
	char *text;
	int rc = -1;

	format_time(created, c, sizeof(c));
	format_time(publish, p, sizeof(p));
	format_time(activate, a, sizeof(a));
	text = xasprintf("%sCreated: %s\nPublish: %s\nActivate: %s\n", priv, c, p, a);
	if (access(kpath, F_OK) == 0 || access(ppath, F_OK) == 0)
		str_errf(err, errlen, "%s already exists", kpath);
	else if (atomicfile_write(ppath, text, strlen(text), 0600, err, errlen) == 0) {
		if (atomicfile_write(kpath, pub, strlen(pub), 0644, err, errlen) == 0)
			rc = 0;
		else
			unlink(ppath);
	}
	explicit_bzero(text, strlen(text));
	free(text);
	free(kpath);
	free(ppath);
	return rc;
}

/* Make one key and write its files; its tag into *TAG and its file name
 * base into BASE. */
static int
make_key(const struct dnsk_keygen *o, const struct dnsk_set *have, uint8_t alg, bool ksk,
    int64_t activate, uint16_t *tag, char **base, char *err, size_t errlen)
{
	ldns_signing_algorithm a = alg == DNSK_ED25519 ? LDNS_SIGN_ED25519 :
	    LDNS_SIGN_ECDSAP256SHA256;
	ldns_key *k = NULL;
	ldns_rr *rr = NULL;
	char *priv = NULL, *pub = NULL, *rrs = NULL;
	ldns_rdf *owner;
	int rc = -1;

	*base = NULL;
	if ((owner = host_rdf(o->host, err, errlen)) == NULL)
		return -1;
	for (int i = 0; i < TAG_TRIES && rr == NULL; i++) {
		if ((k = ldns_key_new_frm_algorithm(a, 256)) == NULL) {
			str_errf(err, errlen, "cannot make a key of algorithm %u", alg);
			goto out;
		}
		ldns_key_set_flags(k, ksk ? DNSK_FLAGS_KSK : DNSK_FLAGS_ZSK);
		ldns_key_set_pubkey_owner(k, ldns_rdf_clone(owner));
		rr = ldns_key2rr(k);
		if (rr != NULL && !tag_used(have, ldns_calc_keytag(rr)))
			break;
		ldns_rr_free(rr);
		rr = NULL;
		ldns_key_deep_free(k);
		k = NULL;
	}
	if (rr == NULL) {
		str_errf(err, errlen, "no key with an unused tag after %d tries", TAG_TRIES);
		goto out;
	}
	ldns_rr_set_ttl(rr, DNSK_DNSKEY_TTL);
	*tag = ldns_calc_keytag(rr);
	{
		char *name = ldns_rdf2str(owner);

		*base = xasprintf("K%s+%03u+%05u", name, alg, *tag);
		free(name);
	}
	if ((priv = ldns_key2str(k)) == NULL || (rrs = ldns_rr2str(rr)) == NULL) {
		str_errf(err, errlen, "cannot write out the new key");
		goto out;
	}
	pub = xasprintf("; %s-signing key %u of %s, made by agentseeder keygen\n%s",
	    ksk ? "key" : "zone", *tag, o->host, rrs);
	rc = write_key(o->dir, *base, priv, pub, o->now, o->now, activate, err, errlen);
out:
	if (priv != NULL) {
		explicit_bzero(priv, strlen(priv));
		free(priv);
	}
	if (rc == -1) {
		free(*base);
		*base = NULL;
	}
	free(pub);
	free(rrs);
	ldns_rr_free(rr);
	if (k != NULL)
		ldns_key_deep_free(k);
	ldns_rdf_deep_free(owner);
	return rc;
}

/* Give the ZSK BASE in DIR a Delete time: its .private is rewritten with
 * the line replaced or added. */
static int
set_delete(const char *dir, const char *base, int64_t when, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s.private", dir, base);
	char *text, *out, t[16];
	size_t len, w = 0;
	int rc = -1;

	if ((text = atomicfile_read(path, KEYFILE_MAX, &len, err, errlen)) == NULL) {
		free(path);
		return -1;
	}
	format_time(when, t, sizeof(t));
	out = xmalloc(len + 32);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l = nl != NULL ? (size_t)(nl - (text + i)) + 1 : len - i;

		if (!(l >= 7 && memcmp(text + i, "Delete:", 7) == 0)) {
			memcpy(out + w, text + i, l);
			w += l;
		}
		i += l;
	}
	if (w > 0 && out[w - 1] != '\n')
		out[w++] = '\n';
	w += (size_t)snprintf(out + w, 32, "Delete: %s\n", t);
	rc = atomicfile_write(path, out, w, 0600, err, errlen);
	explicit_bzero(text, len);
	explicit_bzero(out, w);
	free(text);
	free(out);
	free(path);
	return rc;
}

static void
print_ds(const struct dnsk_set *s, FILE *out)
{
	for (size_t i = 0; i < s->n; i++) {
		char *ds;

		if (s->key[i].flags != DNSK_FLAGS_KSK || (ds = dnsk_ds(&s->key[i])) == NULL)
			continue;
		fputs(ds, out);
		free(ds);
	}
}

int
dnsk_keygen(const struct dnsk_keygen *o, FILE *out, FILE *log, char *err, size_t errlen)
{
	struct dnsk_set *have = NULL, *after;
	uint8_t alg = o->algorithm;
	int64_t activate = o->now + o->activate_in;
	uint16_t tag;
	char *base = NULL, *ksk = NULL, when[16];
	int rc = -1;

	if (o->ds_only) {
		if ((after = dnsk_load(o->dir, o->host, NULL, 0, err, errlen)) == NULL)
			return -1;
		print_ds(after, out);
		dnsk_free(after);
		return 0;
	}
	if (mkdir(o->dir, 0700) == -1 && errno != EEXIST) {
		str_errf(err, errlen, "cannot make %s: %s", o->dir, strerror(errno));
		return -1;
	}
	if ((have = load_set(o->dir, o->host, NULL, 0, err, errlen)) == NULL)
		return -1;
	if (!o->zsk_only && have->n > 0) {
		str_errf(err, errlen, "%s already holds keys of %s; --zsk-only makes a new ZSK "
		    "for a rollover", o->dir, o->host);
		goto out;
	}
	if (o->zsk_only && have->n == 0) {
		str_errf(err, errlen, "%s holds no keys of %s to roll; run keygen without "
		    "--zsk-only first", o->dir, o->host);
		goto out;
	}
	if (alg == 0)
		alg = have->n > 0 ? have->algorithm : DNSK_ECDSAP256;
	if (have->n > 0 && alg != have->algorithm) {
		str_errf(err, errlen, "the keys of %s in %s have algorithm %u, not %u",
		    o->host, o->dir, have->algorithm, alg);
		goto out;
	}
	if (!o->zsk_only) {
		if (make_key(o, have, alg, true, o->now, &tag, &ksk, err, errlen) == -1)
			goto out;
		fprintf(log, "KSK %u: %s/%s.{key,private}\n", tag, o->dir, ksk);
		/* The ZSK's tag must not be the new KSK's either. */
		dnsk_free(have);
		if ((have = load_set(o->dir, o->host, NULL, 0, err, errlen)) == NULL)
			goto out;
	}
	if (make_key(o, have, alg, false, activate, &tag, &base, err, errlen) == -1)
		goto out;
	format_time(activate, when, sizeof(when));
	fprintf(log, "ZSK %u: %s/%s.{key,private}, published now, signs from %s UTC\n", tag,
	    o->dir, base, when);
	free(base);
	/* The ZSKs the new one replaces leave once nothing they signed can
	 * still be in a cache. */
	for (size_t i = 0; o->zsk_only && i < have->n; i++) {
		const struct dnsk_key *k = &have->key[i];

		if (k->flags != DNSK_FLAGS_ZSK || k->remove != DNSK_NEVER ||
		    k->activate > activate)
			continue;
		if (set_delete(o->dir, k->base, activate + o->retire_after, err, errlen) == -1)
			goto out;
		format_time(activate + o->retire_after, when, sizeof(when));
		fprintf(log, "ZSK %u (%s) leaves the DNSKEY set at %s UTC\n", k->tag, k->base,
		    when);
	}
	/* What the parent zone needs, from the files as written. */
	if ((after = dnsk_load(o->dir, o->host, NULL, 0, err, errlen)) == NULL)
		goto out;
	print_ds(after, out);
	dnsk_free(after);
	rc = 0;
out:
	if (rc == -1 && ksk != NULL) {
		/* Half a key pair is no use: take the new KSK back. */
		char *p = xasprintf("%s/%s.key", o->dir, ksk);

		unlink(p);
		free(p);
		p = xasprintf("%s/%s.private", o->dir, ksk);
		unlink(p);
		free(p);
	}
	free(ksk);
	dnsk_free(have);
	return rc;
}
