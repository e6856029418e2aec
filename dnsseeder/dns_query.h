/* dns_query.h -- strict, allocation-free parser for untrusted DNS queries. */
#ifndef AGENTCHAIN_DNS_QUERY_H
#define AGENTCHAIN_DNS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wire constants (RFC 1035, 3596, 4034, 6891, 8482). */
#define DNS_HEADER_LEN		12
#define DNS_MAX_NAME		255	/* wire length of a name, root byte included */
#define DNS_MAX_LABELS		127
#define DNS_UDP_PLAIN		512	/* the limit without EDNS */

#define DNS_FLAG_QR		0x8000
#define DNS_FLAG_AA		0x0400
#define DNS_FLAG_TC		0x0200
#define DNS_FLAG_RD		0x0100
#define DNS_FLAG_RA		0x0080
#define DNS_FLAG_AD		0x0020
#define DNS_FLAG_CD		0x0010
#define DNS_OPCODE(flags)	(((flags) >> 11) & 0xf)

#define DNS_TYPE_A		1
#define DNS_TYPE_NS		2
#define DNS_TYPE_SOA		6
#define DNS_TYPE_HINFO		13
#define DNS_TYPE_AAAA		28
#define DNS_TYPE_OPT		41
#define DNS_TYPE_DS		43
#define DNS_TYPE_RRSIG		46
#define DNS_TYPE_NSEC		47
#define DNS_TYPE_DNSKEY		48
#define DNS_TYPE_TSIG		250
#define DNS_TYPE_IXFR		251
#define DNS_TYPE_AXFR		252
#define DNS_TYPE_MAILB		253
#define DNS_TYPE_MAILA		254
#define DNS_TYPE_ANY		255
#define DNS_CLASS_IN		1
#define DNS_CLASS_ANY		255

#define DNS_RCODE_NOERROR	0
#define DNS_RCODE_FORMERR	1
#define DNS_RCODE_SERVFAIL	2
#define DNS_RCODE_NXDOMAIN	3
#define DNS_RCODE_NOTIMP	4
#define DNS_RCODE_REFUSED	5
#define DNS_RCODE_NOTAUTH	9
#define DNS_RCODE_BADVERS	16	/* extended: needs an OPT record */

#define DNS_EDNS_DO		0x8000	/* "DNSSEC OK" in the OPT TTL field */
#define DNS_TSIG_BADKEY		17	/* TSIG error: unknown key (RFC 8945) */
/* Authority records an RFC 1995 IXFR query may carry (its SOA, maybe
 * signatures); NSD allows as many. */
#define DNS_IXFR_MAX_AUTH	64

/* What to do with a packet. */
enum dnsq_status {
	DNSQ_OK = 0,		/* a well-formed standard query */
	DNSQ_DROP,		/* no reply at all: shorter than a header, or QR=1 */
	DNSQ_FORMERR,		/* malformed */
	DNSQ_NOTIMP,		/* an opcode other than QUERY */
	DNSQ_BADVERS,		/* EDNS version other than 0 */
};

/*
 * A parsed query.  Pointers point into the packet given to dnsq_parse,
 * which must outlive the struct.  The question (name, type, class) is kept
 * as the raw bytes that arrived, so a reply can copy it verbatim: that is
 * how the letter case of the name (0x20) survives.
 */
struct dnsq {
	uint16_t	 id;
	uint16_t	 flags;			/* as received */
	uint16_t	 qdcount;
	/* The first question; QUESTION is NULL when none could be parsed. */
	const uint8_t	*question;		/* name + type + class */
	size_t		 qlen;			/* bytes of QUESTION */
	size_t		 qnamelen;		/* bytes of the name, root included */
	uint16_t	 qtype, qclass;
	/* EDNS0: EDNS is true once an OPT record was seen, even a bad one,
	 * because a FORMERR about it must carry OPT (RFC 6891 7). */
	bool		 edns;
	bool		 edns_do;
	uint8_t		 edns_version;
	uint16_t	 edns_udp;		/* the requestor's payload size */
	/* TSIG (RFC 8945), the last additional record: the parts an error
	 * reply copies.  The algorithm name and time/fudge point into the
	 * packet; the key name is copied out uncompressed into TSIG_KEY. */
	bool		 tsig;
	const uint8_t	*tsig_alg;		/* uncompressed name */
	size_t		 tsig_alglen;
	const uint8_t	*tsig_time;		/* time signed (6) + fudge (2) */
	uint16_t	 tsig_orig_id;
	size_t		 tsig_keylen;
	const char	*why;			/* static reason for a FORMERR/DROP */
	uint8_t		 nlabels;		/* labels before the root */
	uint8_t		 label[DNS_MAX_LABELS];	/* offset of each label in the name */
	uint8_t		 tsig_key[DNS_MAX_NAME];	/* valid when TSIG */
};

/*
 * Parse PKT of LEN bytes (untrusted, any length, any content) into Q.
 * Never reads outside PKT.  Rules: < 12 bytes or QR=1 -> DNSQ_DROP;
 * opcode != QUERY -> DNSQ_NOTIMP; QDCOUNT != 1, a name with a compression
 * pointer or an extended label in the question, a name over 255 bytes, any
 * truncated field, records in the answer section, records in the
 * authority section (except up to DNS_IXFR_MAX_AUTH for an IXFR, RFC 1995
 * 3), a broken or duplicate OPT, a TSIG that is not the last record or is
 * malformed, a compression loop in the additional section, a QTYPE of OPT,
 * or trailing bytes -> DNSQ_FORMERR; EDNS version != 0 -> DNSQ_BADVERS.
 * The first problem found decides the status and WHY, but the sections
 * are read on as far as they parse, so that an error reply to an EDNS
 * query still carries OPT (RFC 6891 6.1.1).  Q is always filled as far as
 * parsing got (ID and flags from 12 bytes on, the question once
 * complete).
 */
enum dnsq_status dnsq_parse(const uint8_t *pkt, size_t len, struct dnsq *q);

/* Lower-case an ASCII byte (DNS names compare case-insensitively, RFC
 * 4343); label length bytes are below 64 and never change. */
static inline uint8_t
dnsq_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

#endif
