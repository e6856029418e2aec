/* geoip.h -- country, city, location and AS of an address (libmaxminddb). */
#ifndef AGENTCHAIN_GEOIP_H
#define AGENTCHAIN_GEOIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

struct geoip;

/* What the databases know about one address.  Every string is
 * NUL-terminated, valid UTF-8 without control or bidi-override characters
 * (the database is input too), possibly truncated at a character boundary,
 * and "" when unknown.  COUNTRY is "" or exactly two letters A-Z. */
struct geoip_info {
	char		 country[3];		/* ISO 3166-1 alpha-2 */
	char		 country_name[64];	/* English name */
	char		 city[64];		/* English name */
	double		 latitude;		/* valid if has_location */
	double		 longitude;
	bool		 has_location;
	uint32_t	 asn;			/* 0 when unknown */
	char		 as_org[96];
};

/* Open the MaxMind databases CITY_DB (a GeoLite2/GeoIP2-City-like file)
 * and ASN_DB (GeoLite2-ASN-like); either may be NULL, and a file holding
 * both kinds of fields may be given as either or both.  Every field is
 * looked for in every open database, the city one first.  Returns a handle
 * the caller releases with geoip_close (with no databases when both are
 * NULL; its look-ups then always fail), or NULL with a reason naming the
 * file in ERR if a file is missing, unreadable or not a MaxMind DB. */
struct geoip *geoip_open(const char *city_db, const char *asn_db, char *err,
    size_t errlen);

/* Release G and unmap its files.  G may be NULL. */
void geoip_close(struct geoip *g);

/* Look A up (IPv4-mapped addresses as IPv4; the port is ignored).  Fills
 * OUT and returns 0 if any field is known; returns -1 with OUT cleared if
 * none is, if the address is in no network of any database, if a database
 * is corrupt at that point, or if G is NULL. */
int geoip_lookup(const struct geoip *g, const struct netaddr *a,
    struct geoip_info *out);

#endif
