/* dns_answer.h -- authoritative replies for the seed zone, built from precomputed wire fragments. */
#ifndef AGENTCHAIN_DNS_ANSWER_H
#define AGENTCHAIN_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_query.h"
#include "dns_sign.h"
#include "goodset.h"

/* The largest UDP reply, whatever the client offers (DNS flag day 2020). */
#define DNSA_EDNS_MAX		1232
/* An output buffer must have room for the largest reply: a full
 * GOODSET_MAX_SAMPLE AAAA answer over TCP with its RRSIG (12 + 259 +
 * 256 * 28 + 12 + 18 + 255 + 64 + 11). */
#define DNSA_OUT_MIN		8192
#define DNSA_TTL_MIN		60	/* shorter looks like fast flux */
#define DNSA_TTL_MAX		86400

/* TTLs and SOA timers other than the A/AAAA TTL. */
#define DNSA_SOA_TTL		3600
#define DNSA_NS_TTL		86400
#define DNSA_HINFO_TTL		3600	/* RFC 8482 answer to ANY */
#define DNSA_SOA_REFRESH	3600
#define DNSA_SOA_RETRY		600
#define DNSA_SOA_EXPIRE		86400

struct dnsa_config {
	const char	*host;		/* the zone apex, e.g. "seed.agentchain.io" */
	const char	*ns;		/* its name server (SOA MNAME, NS) */
	const char	*mbox;		/* "hostmaster.example.org" or "hostmaster@example.org" */
	uint32_t	 ttl;		/* A/AAAA TTL and negative-caching time */
	unsigned	 max_a;		/* addresses per A answer, 1..GOODSET_MAX_SAMPLE */
	unsigned	 max_aaaa;	/* addresses per AAAA answer */
	uint64_t	 services;	/* service bits an x<hex> label may name */
};

/* The zone in wire form.  Filled by dnsa_zone_init; read-only afterwards
 * except for the serial. */
struct dnsa_zone {
	uint8_t		 apex[DNS_MAX_NAME];	/* lower case */
	size_t		 apexlen;
	uint8_t		 apex_labels;
	bool		 ns_in_zone;
	uint32_t	 ttl;
	unsigned	 max_a, max_aaaa;
	uint64_t	 services;
	uint32_t	 serial;
	uint8_t		 ns_rdata[DNS_MAX_NAME];
	size_t		 ns_rdlen;
	uint8_t		 soa_rdata[2 * DNS_MAX_NAME + 20];
	size_t		 soa_rdlen;
	uint8_t		 a_head[12], aaaa_head[12];	/* an answer RR up to its rdata */
	/* Signatures: NULL while the zone is not signed.  Not owned. */
	const struct dnss *sig;
};

/* Validate CFG (names through ldns_dname_new_frm_str, TTL range, answer
 * counts) and fill Z with serial 1.  Returns 0, or -1 with a reason in
 * ERR. */
int dnsa_zone_init(struct dnsa_zone *z, const struct dnsa_config *cfg,
    char *err, size_t errlen);

/* Set the SOA serial (the seeder uses the time of the last good-set load). */
void dnsa_zone_set_serial(struct dnsa_zone *z, uint32_t serial);

/* Answer queries with the DO bit from SIG (made by dnss_build from this
 * zone with this serial; NULL: unsigned again).  SIG must outlive its use
 * here; the caller keeps it. */
void dnsa_zone_set_signed(struct dnsa_zone *z, const struct dnss *sig);

/* What dnss_build signs for Z: OUT points into Z, which must outlive it. */
void dnsa_zone_sign_input(const struct dnsa_zone *z, struct dnss_zone *out);

/* How a query was answered, for the statistics. */
struct dnsa_result {
	bool		 dropped;	/* no reply */
	bool		 has_question;
	uint16_t	 qtype;
	uint16_t	 rcode;		/* DNS_RCODE_*, BADVERS included */
	bool		 edns;
	bool		 truncated;	/* TC set */
	bool		 nodata;	/* NOERROR without answer records */
	uint16_t	 answers;	/* records in the answer section, RRSIGs not
					   counted */
	bool		 dnssec;	/* with RRSIGs (a DO query to a signed zone) */
	const char	*why;		/* static reason for FORMERR/DROP */
};

/* dnsa_respond flags. */
#define DNSA_TCP	0x1	/* reply may use the whole buffer; never TC */
#define DNSA_SLIP	0x2	/* rate limited: answer TC=1 with no records so
				   a real resolver retries over TCP */

/*
 * What a server calls to answer one query: PKT of LEN bytes (untrusted)
 * into OUT of OUTCAP bytes, FLAGS as dnsa_respond's.  Returns the reply
 * length, 0 for no reply.  Called from the event loop only.
 */
typedef size_t (*dnsa_handler_fn)(void *arg, const uint8_t *pkt, size_t len,
    unsigned flags, uint8_t *out, size_t outcap);

/*
 * Answer the query PKT of LEN bytes (untrusted) into OUT of OUTCAP bytes
 * (>= DNSA_OUT_MIN).  Draws A/AAAA samples from GS (may be NULL: an empty
 * set) with RNG.  Returns the reply's length, or 0 when nothing must be
 * sent (not a query, or too short to be one).  RES says what happened.
 * Every reply has QR set, echoes ID and the question as it arrived (its
 * letter case too), copies RD and CD, never sets RA or AD, and carries an
 * OPT record when the query had one.  In a signed zone a query with DO
 * gets RRSIGs and NSEC proofs for negative answers; a signed RRset never
 * goes out in part: when it does not fit, the reply is TC with no records.
 */
size_t dnsa_respond(const struct dnsa_zone *z, struct goodset *gs,
    struct goodset_rng *rng, const uint8_t *pkt, size_t len, unsigned flags,
    uint8_t *out, size_t outcap, struct dnsa_result *res);

#endif
