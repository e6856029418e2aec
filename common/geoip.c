/* geoip.c -- country, city, location and AS of an address from MaxMind DBs.
 *
 * A database file is input like any other: a downloaded or hand-built file
 * may hold strings with terminal escapes or bidi overrides, numbers of the
 * wrong type, coordinates off the globe, or a tree that points nowhere.
 * Every value is therefore checked for its type and range, every string is
 * bounds-checked against the data section and re-encoded as clean UTF-8
 * before it reaches a caller, and any libmaxminddb error at one address
 * just means "unknown" for that address. */
#include "geoip.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "xmalloc.h"

#define GEOIP_NDB	2

struct geoip {
	MMDB_s		 db[GEOIP_NDB];		/* city first, then ASN */
	bool		 open[GEOIP_NDB];
};

static const char *const geoip_path_iso[] = { "country", "iso_code", NULL };
static const char *const geoip_path_country[] =
    { "country", "names", "en", NULL };
static const char *const geoip_path_city[] = { "city", "names", "en", NULL };
static const char *const geoip_path_lat[] = { "location", "latitude", NULL };
static const char *const geoip_path_lon[] = { "location", "longitude", NULL };
static const char *const geoip_path_asn[] =
    { "autonomous_system_number", NULL };
static const char *const geoip_path_asorg[] =
    { "autonomous_system_organization", NULL };

/*
 * Strings.
 */

/* May code point CP be shown?  Not C0/C1 controls or DEL, and not the
 * invisible direction controls that can make a terminal or log line read
 * differently from what it holds (CVE-2021-42574 "Trojan Source"). */
static bool
geoip_printable(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return false;
	if (cp == 0x200e || cp == 0x200f || cp == 0x061c)
		return false;
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return false;
	if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
		return false;
	return true;
}

/* Length of the well-formed UTF-8 sequence at P (at most N bytes) and its
 * code point, or 0 if it is malformed: overlong forms, surrogates and
 * values above U+10FFFF are refused (RFC 3629). */
static size_t
geoip_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		v = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		v = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		v = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (p[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/* Copy SRC (SRCLEN bytes, not terminated) into DST as clean UTF-8: each
 * malformed byte or unprintable character becomes '?', and a character
 * that does not fit whole is dropped with everything after it. */
static void
geoip_copy_string(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const uint8_t *p = (const uint8_t *)src;
	size_t i = 0, o = 0, len;
	uint32_t cp;

	while (i < srclen) {
		len = geoip_utf8_decode(p + i, srclen - i, &cp);
		if (len == 0 || !geoip_printable(cp)) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = '?';
			i += len == 0 ? 1 : len;
			continue;
		}
		if (o + len >= dstlen)
			break;
		memcpy(dst + o, p + i, len);
		o += len;
		i += len;
	}
	dst[o] = '\0';
}

/*
 * Values.
 */

static bool
geoip_get(const MMDB_s *db, MMDB_entry_s *entry, const char *const *path,
    uint32_t type, MMDB_entry_data_s *out)
{
	if (MMDB_aget_value(entry, out, path) != MMDB_SUCCESS || !out->has_data)
		return false;
	if (out->type != type)
		return false;
	if (type == MMDB_DATA_TYPE_UTF8_STRING) {
		/* libmaxminddb checks this too; a string must never lead us
		 * outside the mapped data section whatever the library does. */
		if (out->utf8_string < (const char *)db->data_section ||
		    out->data_size > db->data_section_size ||
		    (size_t)(out->utf8_string -
		    (const char *)db->data_section) >
		    db->data_section_size - out->data_size)
			return false;
	}
	return true;
}

static void
geoip_get_string(const MMDB_s *db, MMDB_entry_s *entry,
    const char *const *path, char *dst, size_t dstlen)
{
	MMDB_entry_data_s d;

	if (dst[0] != '\0')
		return;		/* an earlier database knew it */
	if (geoip_get(db, entry, path, MMDB_DATA_TYPE_UTF8_STRING, &d))
		geoip_copy_string(dst, dstlen, d.utf8_string, d.data_size);
}

static bool
geoip_get_coord(const MMDB_s *db, MMDB_entry_s *entry,
    const char *const *path, double limit, double *out)
{
	MMDB_entry_data_s d;
	double v;

	if (geoip_get(db, entry, path, MMDB_DATA_TYPE_DOUBLE, &d))
		v = d.double_value;
	else if (geoip_get(db, entry, path, MMDB_DATA_TYPE_FLOAT, &d))
		v = d.float_value;
	else
		return false;
	if (!isfinite(v) || v < -limit || v > limit)
		return false;
	*out = v;
	return true;
}

static uint32_t
geoip_get_asn(MMDB_entry_s *entry)
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(entry, &d, geoip_path_asn) != MMDB_SUCCESS ||
	    !d.has_data)
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16:
		return d.uint16;
	case MMDB_DATA_TYPE_UINT32:
		return d.uint32;
	case MMDB_DATA_TYPE_UINT64:
		return d.uint64 <= UINT32_MAX ? (uint32_t)d.uint64 : 0;
	default:
		return 0;
	}
}

static void
geoip_fill(const MMDB_s *db, MMDB_entry_s *entry, struct geoip_info *out)
{
	MMDB_entry_data_s d;
	double lat, lon;

	if (out->country[0] == '\0' &&
	    geoip_get(db, entry, geoip_path_iso, MMDB_DATA_TYPE_UTF8_STRING,
	    &d) && d.data_size == 2 &&
	    d.utf8_string[0] >= 'A' && d.utf8_string[0] <= 'Z' &&
	    d.utf8_string[1] >= 'A' && d.utf8_string[1] <= 'Z') {
		out->country[0] = d.utf8_string[0];
		out->country[1] = d.utf8_string[1];
		out->country[2] = '\0';
	}
	geoip_get_string(db, entry, geoip_path_country, out->country_name,
	    sizeof out->country_name);
	geoip_get_string(db, entry, geoip_path_city, out->city,
	    sizeof out->city);
	if (!out->has_location &&
	    geoip_get_coord(db, entry, geoip_path_lat, 90.0, &lat) &&
	    geoip_get_coord(db, entry, geoip_path_lon, 180.0, &lon)) {
		out->latitude = lat;
		out->longitude = lon;
		out->has_location = true;
	}
	if (out->asn == 0)
		out->asn = geoip_get_asn(entry);
	geoip_get_string(db, entry, geoip_path_asorg, out->as_org,
	    sizeof out->as_org);
}

static bool
geoip_known(const struct geoip_info *gi)
{
	return gi->country[0] != '\0' || gi->country_name[0] != '\0' ||
	    gi->city[0] != '\0' || gi->has_location || gi->asn != 0 ||
	    gi->as_org[0] != '\0';
}

/*
 * Interface.
 */

static int
geoip_open_one(MMDB_s *db, const char *kind, const char *path, char *err,
    size_t errlen)
{
	struct stat st;
	int status, saved;

	memset(db, 0, sizeof *db);
	/* libmaxminddb's words for these two are obscure ("An attempt to
	 * read data ... failed (Invalid argument)"). */
	if (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) ||
	    st.st_size == 0)) {
		snprintf(err, errlen, "geoip: %s database %.200s: %s", kind,
		    path, S_ISREG(st.st_mode) ? "empty file" :
		    "not a regular file");
		return -1;
	}
	errno = 0;
	status = MMDB_open(path, MMDB_MODE_MMAP, db);
	saved = errno;
	if (status == MMDB_SUCCESS)
		return 0;
	if ((status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR) &&
	    saved != 0)
		snprintf(err, errlen, "geoip: %s database %.200s: %s (%s)",
		    kind, path, MMDB_strerror(status), strerror(saved));
	else
		snprintf(err, errlen, "geoip: %s database %.200s: %s", kind,
		    path, MMDB_strerror(status));
	return -1;
}

struct geoip *
geoip_open(const char *city_db, const char *asn_db, char *err, size_t errlen)
{
	struct geoip *g = xcalloc(1, sizeof *g);

	/* One file given twice is opened once; it would answer twice. */
	if (city_db != NULL && asn_db != NULL && strcmp(city_db, asn_db) == 0)
		asn_db = NULL;
	if (city_db != NULL) {
		if (geoip_open_one(&g->db[0], "city", city_db, err,
		    errlen) == -1) {
			free(g);
			return NULL;
		}
		g->open[0] = true;
	}
	if (asn_db != NULL) {
		if (geoip_open_one(&g->db[1], "ASN", asn_db, err,
		    errlen) == -1) {
			geoip_close(g);
			return NULL;
		}
		g->open[1] = true;
	}
	return g;
}

void
geoip_close(struct geoip *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < GEOIP_NDB; i++) {
		if (g->open[i])
			MMDB_close(&g->db[i]);
	}
	free(g);
}

int
geoip_lookup(const struct geoip *g, const struct netaddr *a,
    struct geoip_info *out)
{
	struct sockaddr_storage ss;
	MMDB_lookup_result_s res;
	int mmdb_error;

	memset(out, 0, sizeof *out);
	if (g == NULL || a == NULL)
		return -1;
	/* A sockaddr_in for IPv4-mapped addresses: libmaxminddb then
	 * searches the IPv4 subtree of an IPv6 database. */
	netaddr_to_sockaddr(a, &ss);
	for (size_t i = 0; i < GEOIP_NDB; i++) {
		if (!g->open[i])
			continue;
		mmdb_error = MMDB_SUCCESS;
		res = MMDB_lookup_sockaddr(&g->db[i],
		    (const struct sockaddr *)&ss, &mmdb_error);
		/* An IPv6 address in an IPv4-only database, or a corrupt
		 * tree: unknown here, maybe known in the other file. */
		if (mmdb_error != MMDB_SUCCESS || !res.found_entry)
			continue;
		geoip_fill(&g->db[i], &res.entry, out);
	}
	if (!geoip_known(out)) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}
