/* banman.c -- bans by IP or subnet, with expiry, persisted to banlist.json.
 *
 * Host bans sit in a common/map keyed by the 16-byte address (SipHash
 * under a random key, so an attacker picking addresses cannot force long
 * probe chains).  Subnet bans are few (capped) and scanned.  Loading builds a fresh
 * banman and swaps it in only when the file as a whole was good, so an
 * unreadable file never leaves half a list behind; a bad entry inside a
 * good file is skipped (and logged), never a reason to drop the others.
 */
#include "banman.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "atomicfile.h"
#include "log.h"
#include "map.h"
#include "strutil.h"
#include "xmalloc.h"

#define BANMAN_VERSION		1
#define BANMAN_HOST_PREFIX	128

static const uint8_t banman_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

struct banman {
	struct map		*hosts;		/* ip[16] -> struct ban_entry *, owned */

	struct ban_entry	*subnets;
	size_t			 nsubnets;
	size_t			 capsubnets;

	bool			 dirty;
	/* What the last load skipped. */
	size_t			 skipped;
	char			 first_skip[160];
};

/* --- subnets ------------------------------------------------------------ */

static void
banman_mask(uint8_t ip[16], unsigned prefix)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = prefix > 8 * i ? prefix - 8 * i : 0;
		if (bits >= 8)
			continue;
		ip[i] &= (uint8_t)(0xff00u >> bits);
	}
}

int
banman_parse_subnet(const char *s, struct ban_subnet *out)
{
	char host[BANMAN_SUBNET_STRLEN];
	const char *slash;
	struct ban_subnet sn;
	size_t hlen;
	unsigned maxprefix, prefix;
	bool v4;

	if (s == NULL)
		return -1;
	slash = strchr(s, '/');
	hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';

	memset(&sn, 0, sizeof(sn));
	if (inet_pton(AF_INET, host, sn.ip + 12) == 1) {
		memcpy(sn.ip, banman_v4mapped, sizeof(banman_v4mapped));
		v4 = true;
		maxprefix = 32;
	} else if (inet_pton(AF_INET6, host, sn.ip) == 1) {
		v4 = false;
		maxprefix = 128;
	} else
		return -1;

	prefix = maxprefix;
	if (slash != NULL) {
		const char *p = slash + 1;
		size_t n = strlen(p);

		/* Plain decimal only: no sign, no spaces, no netmask form. */
		if (n == 0 || n > 3 || strspn(p, "0123456789") != n)
			return -1;
		prefix = (unsigned)atoi(p);
		if (prefix > maxprefix)
			return -1;
	}
	if (v4)
		prefix += 96;
	sn.prefix = (uint8_t)prefix;
	banman_mask(sn.ip, sn.prefix);
	*out = sn;
	return 0;
}

char *
banman_format_subnet(const struct ban_subnet *s, char *buf, size_t len)
{
	struct netaddr a = { .port = 0 };
	char ip[NETADDR_STRLEN];

	if (len == 0)
		return buf;
	/* Subnets are masked, so a mapped address means a prefix of 96+. */
	memcpy(a.ip, s->ip, sizeof(a.ip));
	snprintf(buf, len, "%s/%u", netaddr_format_ip(&a, ip, sizeof(ip)),
	    (unsigned)s->prefix - (netaddr_is_ipv4(&a) ? 96 : 0));
	return buf;
}

bool
banman_subnet_contains(const struct ban_subnet *s, const struct netaddr *a)
{
	unsigned full = s->prefix / 8, rest = s->prefix % 8;

	if (s->prefix > 128)
		return false;
	if (memcmp(s->ip, a->ip, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a->ip[full] ^ s->ip[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

void
banman_subnet_from_addr(struct ban_subnet *s, const struct netaddr *a)
{
	memcpy(s->ip, a->ip, sizeof(s->ip));
	s->prefix = BANMAN_HOST_PREFIX;
}

static bool
banman_subnet_equal(const struct ban_subnet *a, const struct ban_subnet *b)
{
	return a->prefix == b->prefix && memcmp(a->ip, b->ip, sizeof(a->ip)) == 0;
}

static int
banman_subnet_cmp(const void *va, const void *vb)
{
	const struct ban_entry *a = va, *b = vb;
	int c = memcmp(a->subnet.ip, b->subnet.ip, sizeof(a->subnet.ip));

	if (c != 0)
		return c;
	return (int)a->subnet.prefix - (int)b->subnet.prefix;
}

/* --- the host table ------------------------------------------------------ */

static struct ban_entry *
banman_host_lookup(const struct banman *bm, const uint8_t ip[16])
{
	return map_get(bm->hosts, ip, 16);
}

static void
banman_host_insert(struct banman *bm, const struct ban_entry *e)
{
	struct ban_entry *copy = xmalloc(sizeof(*copy));

	*copy = *e;
	map_put(bm->hosts, copy->subnet.ip, 16, copy);
}

static int
banman_host_remove(struct banman *bm, const uint8_t ip[16])
{
	struct ban_entry *e = map_remove(bm->hosts, ip, 16);

	free(e);
	return e != NULL ? 0 : -1;
}

/* --- the list ------------------------------------------------------------ */

struct banman *
banman_new(void)
{
	struct banman *bm = xcalloc(1, sizeof(*bm));

	bm->hosts = map_new();
	return bm;
}

static void
banman_release(struct banman *bm)
{
	size_t pos = 0;
	void *e;

	while (map_next(bm->hosts, &pos, NULL, NULL, &e))
		free(e);
	map_clear(bm->hosts);
	free(bm->subnets);
	bm->subnets = NULL;
	bm->nsubnets = bm->capsubnets = 0;
}

void
banman_free(struct banman *bm)
{
	if (bm == NULL)
		return;
	banman_release(bm);
	map_free(bm->hosts);
	free(bm);
}

static struct ban_entry *
banman_subnet_lookup(const struct banman *bm, const struct ban_subnet *s)
{
	for (size_t i = 0; i < bm->nsubnets; i++) {
		if (banman_subnet_equal(&bm->subnets[i].subnet, s))
			return &bm->subnets[i];
	}
	return NULL;
}

/* Reasons end up in logs, the console and RPC output; keep them one line
 * of printable ASCII.  Idempotent, so a save/load round trip is exact. */
static void
banman_set_reason(struct ban_entry *e, const char *reason)
{
	size_t i;

	str_copy(e->reason, reason != NULL ? reason : "manual", sizeof(e->reason));
	for (i = 0; e->reason[i] != '\0'; i++) {
		unsigned char c = (unsigned char)e->reason[i];
		if (c < 0x20 || c >= 0x7f)
			e->reason[i] = '?';
	}
}

int
banman_ban(struct banman *bm, const struct ban_subnet *subnet, int64_t until,
    const char *reason, int64_t now, char *err, size_t errlen)
{
	struct ban_entry e, *old;
	char str[BANMAN_SUBNET_STRLEN];
	bool host;

	if (subnet->prefix > 128) {
		str_errf(err, errlen, "invalid prefix /%u", (unsigned)subnet->prefix);
		return -1;
	}
	memset(&e, 0, sizeof(e));
	e.subnet = *subnet;
	banman_mask(e.subnet.ip, e.subnet.prefix);
	banman_format_subnet(&e.subnet, str, sizeof(str));
	if (until <= now) {
		str_errf(err, errlen, "ban on %s would already have expired", str);
		return -1;
	}
	e.created = now;
	e.until = until;
	banman_set_reason(&e, reason);

	host = e.subnet.prefix == BANMAN_HOST_PREFIX;
	old = host ? banman_host_lookup(bm, e.subnet.ip) :
	    banman_subnet_lookup(bm, &e.subnet);
	if (old != NULL) {
		if (old->until < until) {
			*old = e;
			bm->dirty = true;
		}
		return 0;
	}

	if (map_count(bm->hosts) + bm->nsubnets >= BANMAN_MAX_BANS) {
		str_errf(err, errlen, "cannot ban %s: ban list full (%d entries)",
		    str, BANMAN_MAX_BANS);
		return -1;
	}
	if (host)
		banman_host_insert(bm, &e);
	else {
		if (bm->nsubnets >= BANMAN_MAX_SUBNET_BANS) {
			str_errf(err, errlen,
			    "cannot ban %s: too many subnet bans (%d)", str,
			    BANMAN_MAX_SUBNET_BANS);
			return -1;
		}
		if (bm->nsubnets == bm->capsubnets) {
			bm->capsubnets = bm->capsubnets == 0 ? 8 : bm->capsubnets * 2;
			bm->subnets = xreallocarray(bm->subnets, bm->capsubnets,
			    sizeof(*bm->subnets));
		}
		bm->subnets[bm->nsubnets++] = e;
	}
	bm->dirty = true;
	return 0;
}

int
banman_unban(struct banman *bm, const struct ban_subnet *subnet)
{
	struct ban_subnet s = *subnet;

	if (s.prefix > 128)
		return -1;
	banman_mask(s.ip, s.prefix);
	if (s.prefix == BANMAN_HOST_PREFIX) {
		if (banman_host_remove(bm, s.ip) == -1)
			return -1;
	} else {
		struct ban_entry *e = banman_subnet_lookup(bm, &s);
		size_t i;

		if (e == NULL)
			return -1;
		i = (size_t)(e - bm->subnets);
		bm->subnets[i] = bm->subnets[--bm->nsubnets];
	}
	bm->dirty = true;
	return 0;
}

void
banman_clear(struct banman *bm)
{
	if (banman_count(bm) > 0)
		bm->dirty = true;
	banman_release(bm);
}

const struct ban_entry *
banman_find(const struct banman *bm, const struct netaddr *a, int64_t now)
{
	const struct ban_entry *e = banman_host_lookup(bm, a->ip);

	if (e != NULL && now < e->until)
		return e;
	for (size_t i = 0; i < bm->nsubnets; i++) {
		e = &bm->subnets[i];
		if (now < e->until && banman_subnet_contains(&e->subnet, a))
			return e;
	}
	return NULL;
}

bool
banman_is_banned(const struct banman *bm, const struct netaddr *a, int64_t now)
{
	return banman_find(bm, a, now) != NULL;
}

/* Keep the entries of V[0..*N) still in force at NOW, in place. */
static size_t
banman_compact(struct ban_entry *v, size_t *n, int64_t now)
{
	size_t keep = 0, had = *n;

	for (size_t i = 0; i < had; i++) {
		if (now < v[i].until)
			v[keep++] = v[i];
	}
	*n = keep;
	return had - keep;
}

size_t
banman_sweep(struct banman *bm, int64_t now)
{
	size_t dropped = banman_compact(bm->subnets, &bm->nsubnets, now), pos = 0, n = 0;
	const void *ip;
	void *v;
	uint8_t (*expired)[16];

	/* The map must not change during a walk: note, then remove. */
	expired = xcalloc(map_count(bm->hosts) + 1, sizeof(*expired));
	while (map_next(bm->hosts, &pos, &ip, NULL, &v))
		if (((struct ban_entry *)v)->until <= now)
			memcpy(expired[n++], ip, 16);
	for (size_t i = 0; i < n; i++)
		banman_host_remove(bm, expired[i]);
	free(expired);
	dropped += n;
	if (dropped > 0)
		bm->dirty = true;
	return dropped;
}

size_t
banman_count(const struct banman *bm)
{
	return map_count(bm->hosts) + bm->nsubnets;
}

int
banman_foreach(const struct banman *bm,
    int (*cb)(const struct ban_entry *e, void *arg), void *arg)
{
	size_t pos = 0;
	void *v;
	int rc;

	for (size_t i = 0; i < bm->nsubnets; i++) {
		if ((rc = cb(&bm->subnets[i], arg)) != 0)
			return rc;
	}
	while (map_next(bm->hosts, &pos, NULL, NULL, &v))
		if ((rc = cb(v, arg)) != 0)
			return rc;
	return 0;
}

struct ban_entry *
banman_list(const struct banman *bm, size_t *n)
{
	struct ban_entry *v;
	size_t total = banman_count(bm), pos = 0, i = bm->nsubnets;
	void *e;

	*n = total;
	if (total == 0)
		return NULL;
	v = xreallocarray(NULL, total, sizeof(*v));
	if (bm->nsubnets > 0)
		memcpy(v, bm->subnets, bm->nsubnets * sizeof(*v));
	while (map_next(bm->hosts, &pos, NULL, NULL, &e))
		v[i++] = *(struct ban_entry *)e;
	qsort(v, total, sizeof(*v), banman_subnet_cmp);
	return v;
}

bool
banman_is_dirty(const struct banman *bm)
{
	return bm->dirty;
}

/* --- persistence --------------------------------------------------------- */

int
banman_save(struct banman *bm, const char *path, char *err, size_t errlen)
{
	struct ban_entry *v;
	json_t *root, *bans;
	char str[BANMAN_SUBNET_STRLEN], *text, *line;
	size_t n;
	int rc;

	root = json_object();
	bans = json_array();
	json_object_set_new(root, "version", json_integer(BANMAN_VERSION));
	json_object_set_new(root, "bans", bans);
	v = banman_list(bm, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		banman_format_subnet(&v[i].subnet, str, sizeof(str));
		json_object_set_new(o, "subnet", json_string(str));
		json_object_set_new(o, "created", json_integer(v[i].created));
		json_object_set_new(o, "until", json_integer(v[i].until));
		json_object_set_new(o, "reason", json_string(v[i].reason));
		json_array_append_new(bans, o);
	}
	free(v);
	text = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	if (text == NULL) {
		str_errf(err, errlen, "%s: cannot encode the ban list", path);
		return -1;
	}
	/* End with a newline so that line-based tools see a complete last line. */
	line = xasprintf("%s\n", text);
	free(text);
	rc = atomicfile_write(path, line, strlen(line), 0600, err, errlen);
	free(line);
	if (rc == 0)
		bm->dirty = false;
	return rc;
}

static int
banman_load_entry(struct banman *bm, json_t *o, size_t idx, int64_t now,
    const char *path, size_t *expired, char *err, size_t errlen)
{
	json_t *jsub, *jcreated, *juntil, *jreason;
	struct ban_subnet sn;
	struct ban_entry *e;
	const char *s;
	char why[128];

	if (!json_is_object(o)) {
		str_errf(err, errlen, "%s: ban %zu: not an object", path, idx);
		return -1;
	}
	jsub = json_object_get(o, "subnet");
	jcreated = json_object_get(o, "created");
	juntil = json_object_get(o, "until");
	jreason = json_object_get(o, "reason");
	if (!json_is_string(jsub)) {
		str_errf(err, errlen, "%s: ban %zu: \"subnet\" missing or not a string",
		    path, idx);
		return -1;
	}
	s = json_string_value(jsub);
	if (banman_parse_subnet(s, &sn) == -1) {
		char safe[64];
		str_sanitize(s, strlen(s), safe, sizeof(safe));
		str_errf(err, errlen, "%s: ban %zu: bad subnet \"%s\"", path, idx, safe);
		return -1;
	}
	if (!json_is_integer(jcreated) || !json_is_integer(juntil)) {
		str_errf(err, errlen,
		    "%s: ban %zu: \"created\" and \"until\" must be integers", path, idx);
		return -1;
	}
	if (jreason != NULL && !json_is_string(jreason)) {
		str_errf(err, errlen, "%s: ban %zu: \"reason\" is not a string", path, idx);
		return -1;
	}
	if (json_integer_value(juntil) <= now) {
		(*expired)++;
		return 0;
	}
	/* Ban "now" so that until > now holds, then restore the stored
	 * creation time. */
	if (banman_ban(bm, &sn, json_integer_value(juntil),
	    jreason != NULL ? json_string_value(jreason) : NULL, now,
	    why, sizeof(why)) == -1) {
		str_errf(err, errlen, "%s: ban %zu: %s", path, idx, why);
		return -1;
	}
	e = sn.prefix == BANMAN_HOST_PREFIX ? banman_host_lookup(bm, sn.ip) :
	    banman_subnet_lookup(bm, &sn);
	if (e != NULL && e->until == json_integer_value(juntil))
		e->created = json_integer_value(jcreated);
	return 0;
}

int
banman_load(struct banman *bm, const char *path, int64_t now, char *err,
    size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	text = atomicfile_read(path, BANMAN_FILE_MAX, &len, err, errlen);
	if (text == NULL) {
		if (errno != ENOENT)
			return -1;
		banman_release(bm);
		bm->dirty = false;
		bm->skipped = 0;
		bm->first_skip[0] = '\0';
		return 0;
	}
	rc = banman_load_json(bm, text, len, path, now, err, errlen);
	free(text);
	return rc;
}

int
banman_load_json(struct banman *bm, const char *text, size_t len, const char *path,
    int64_t now, char *err, size_t errlen)
{
	struct banman *tmp;
	json_error_t jerr;
	json_t *root, *jver, *bans;
	char why[256];
	size_t expired = 0;
	int rc = -1;

	if (len > BANMAN_FILE_MAX) {
		str_errf(err, errlen, "%s: %zu bytes, over the %u-byte limit", path, len,
		    BANMAN_FILE_MAX);
		return -1;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		str_errf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column,
		    jerr.text);
		return -1;
	}

	tmp = banman_new();
	jver = json_object_get(root, "version");
	bans = json_object_get(root, "bans");
	if (!json_is_object(root))
		str_errf(err, errlen, "%s: not a JSON object", path);
	else if (!json_is_integer(jver) || json_integer_value(jver) != BANMAN_VERSION)
		str_errf(err, errlen, "%s: missing or unsupported \"version\" (want %d)",
		    path, BANMAN_VERSION);
	else if (!json_is_array(bans))
		str_errf(err, errlen, "%s: \"bans\" missing or not an array", path);
	else {
		size_t i;
		json_t *o;

		rc = 0;
		/* One bad entry (a typo, "10.9.0.1/33") costs that entry only. */
		json_array_foreach(bans, i, o) {
			if (banman_load_entry(tmp, o, i, now, path, &expired, why,
			    sizeof(why)) == 0)
				continue;
			if (tmp->skipped++ == 0)
				str_copy(tmp->first_skip, why, sizeof(tmp->first_skip));
			log_warn("ban", "%s: skipped", why);
		}
	}
	json_decref(root);
	if (rc == 0) {
		/* Swap the contents: BM takes TMP's bans, TMP frees BM's old. */
		struct banman keep = *bm;
		*bm = *tmp;
		*tmp = keep;
		bm->dirty = expired > 0 || bm->skipped > 0;
	}
	banman_free(tmp);
	return rc;
}

size_t
banman_load_skipped(const struct banman *bm, char *why, size_t whylen)
{
	if (why != NULL && whylen > 0)
		str_copy(why, bm->first_skip, whylen);
	return bm->skipped;
}
