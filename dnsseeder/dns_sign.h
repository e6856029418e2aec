/* dns_sign.h -- the seed zone signed off the loop: pools of signed answers, the NSEC chain, DNSKEY. */
#ifndef AGENTCHAIN_DNS_SIGN_H
#define AGENTCHAIN_DNS_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_keys.h"
#include "goodset.h"

/* Signed answer sets per name and type: seeder.dnssec_pool's range. */
#define DNSS_POOL_MIN		1
#define DNSS_POOL_MAX		1024
#define DNSS_POOL_DEFAULT	64
/* Signature validity: from an hour before signing (validators whose
 * clocks lag, RFC 6781 4.4.2) to a week after, so a seeder whose database
 * or keys cannot be read goes on with valid signatures for days; every
 * reload signs afresh anyway. */
#define DNSS_SKEW		3600
#define DNSS_VALIDITY		(7 * 86400)
/* Service bits a signed zone may filter on: 2^bits - 1 filter names. */
#define DNSS_FILTER_BITS_MAX	8

/* What is signed: the zone's names and records in wire form, as
 * dns_answer keeps them (pointers into the caller's copy). */
struct dnss_zone {
	const uint8_t	*apex;		/* lower case */
	size_t		 apexlen;
	const uint8_t	*soa_rdata;	/* serial included */
	size_t		 soa_rdlen;
	const uint8_t	*ns_rdata;
	size_t		 ns_rdlen;
	uint32_t	 ttl;		/* A/AAAA; the negative TTL is min(ttl, soa_ttl) */
	uint32_t	 soa_ttl, ns_ttl, hinfo_ttl;
	unsigned	 max_a, max_aaaa;
	uint64_t	 services;	/* filter names: x<hex> for each non-empty subset */
};

/*
 * One RRset with its RRSIGs in wire form, as a reply carries it: each
 * record starts with the two-byte owner C0 0C, a pointer to the question's
 * name.  The RRset's records come first (LEN_DATA bytes, NREC - NSIG
 * records), then its RRSIGs.  A reply that needs another owner writes
 * that instead of the first two bytes of each record.
 */
struct dnss_rrset {
	uint8_t		*wire;
	uint32_t	 len, len_data;
	uint16_t	 nrec, nsig;
};

/* A signed zone.  Built on a worker thread, then read by the loop and
 * maybe by the next build at once (both only read); freed when the last
 * reference goes. */
struct dnss;

/*
 * Sign the zone Z at NOW with the keys of KEYS that dnsk_select picks (their
 * inception and expiration are set; KEYS is the caller's and is not kept).
 * The names are the apex and x<hex> for every non-empty subset of Z's
 * service bits, sorted canonically and chained by NSEC records whose
 * bitmaps say what each name holds (A and AAAA only when there are
 * nodes).  For every name and address family, up to K (1..DNSS_POOL_MAX)
 * different random samples are drawn from GS (sealed; its sampling state
 * is used, so GS must not be in use elsewhere) and each is signed; with GS
 * NULL, the samples of PREV (NULL: none) are signed again.  Returns the
 * zone with one reference, or NULL with a reason in ERR.
 */
struct dnss *dnss_build(const struct dnss_zone *z, struct dnsk_set *keys, struct goodset *gs,
    const struct dnss *prev, unsigned k, int64_t now, char *err, size_t errlen);

/* Another reference to S (any thread); S is returned. */
struct dnss *dnss_ref(struct dnss *s);
/* Drop a reference (any thread); the last frees S.  S may be NULL. */
void dnss_unref(struct dnss *s);

/* The name of service mask MASK (0: the apex) as an index for the calls
 * below, or -1 when the zone has no such name. */
int dnss_node(const struct dnss *s, uint64_t mask);

/* One of the signed answers of NODE for FAMILY, at random (RNG), or NULL
 * when the pool is empty (no node of that family and filter). */
const struct dnss_rrset *dnss_pick(const struct dnss *s, int node, enum goodset_family family,
    struct goodset_rng *rng);

/* The RRset of TYPE at NODE: SOA, NS and DNSKEY at the apex, HINFO (RFC
 * 8482's, so ANY has a signed answer) and NSEC at every name; NULL for
 * anything else. */
const struct dnss_rrset *dnss_rrset(const struct dnss *s, int node, uint16_t type);

/* The apex SOA with the negative-caching TTL, for the authority section
 * of NODATA and NXDOMAIN. */
const struct dnss_rrset *dnss_soa_negative(const struct dnss *s);

/*
 * Denial of a name below the apex that the zone does not have.  LABEL is
 * its label just below the apex (length byte first, any letter case) and
 * BELOW tells whether the name has more labels.  *COVER gets the node
 * whose NSEC covers the name, *WILDCARD the one whose NSEC covers the
 * wildcard at the closest encloser (often the same).
 */
void dnss_cover(const struct dnss *s, const uint8_t *label, bool below, int *cover,
    int *wildcard);

/* NODE's label below the apex, length byte first, or NULL for the apex. */
const uint8_t *dnss_label(const struct dnss *s, int node);

/* For logs and tests. */
struct dnss_info {
	uint32_t	 inception, expiration;
	uint16_t	 zsk_tag;
	size_t		 dnskeys;	/* records in the DNSKEY RRset */
	size_t		 names;
	size_t		 sets;		/* signed answer sets in all pools */
	size_t		 signatures;
};
void dnss_get_info(const struct dnss *s, struct dnss_info *i);
/* Answer sets in NODE's pool for FAMILY. */
size_t dnss_pool_size(const struct dnss *s, int node, enum goodset_family family);

#endif
