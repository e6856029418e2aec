/* dns_stats.h -- the seeder's counters: queries by type and rcode, answers, drops, good-set size and age. */
#ifndef AGENTCHAIN_DNS_STATS_H
#define AGENTCHAIN_DNS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "dns_answer.h"

enum dns_stats_qtype {
	DNS_STATS_A = 0,
	DNS_STATS_AAAA,
	DNS_STATS_NS,
	DNS_STATS_SOA,
	DNS_STATS_ANY,
	DNS_STATS_OTHER,
	DNS_STATS_NOQUESTION,	/* errors before a question could be read */
	DNS_STATS_NQTYPES
};

enum dns_stats_rcode {
	DNS_STATS_NOERROR = 0,
	DNS_STATS_NODATA,	/* NOERROR without records */
	DNS_STATS_NXDOMAIN,
	DNS_STATS_REFUSED,
	DNS_STATS_FORMERR,
	DNS_STATS_NOTIMP,
	DNS_STATS_BADVERS,
	DNS_STATS_NOTAUTH,	/* signed with a key we do not have */
	DNS_STATS_NRCODES
};

/* Plain counters: the event loop is the only writer and reader. */
struct dns_stats {
	uint64_t	queries_udp, queries_tcp;
	uint64_t	qtype[DNS_STATS_NQTYPES];
	uint64_t	rcode[DNS_STATS_NRCODES];
	uint64_t	answers;	/* address records handed out */
	uint64_t	truncated;	/* replies with TC */
	uint64_t	dnssec;		/* replies with RRSIGs */
	uint64_t	dropped;	/* not answered: QR=1, shorter than a header */
	uint64_t	ratelimited;	/* over the per-source limit, dropped */
	uint64_t	slipped;	/* over the limit, answered TC=1 */
	uint64_t	send_errors;
	uint64_t	tcp_accepted, tcp_refused, tcp_timeouts;
	uint64_t	tcp_evicted;	/* closed to make room for a newcomer */
	uint64_t	tcp_full;	/* times accepting paused: all busy */
	uint64_t	tcp_accept_errors;	/* EMFILE ...: accepting paused */
	uint64_t	reloads, reload_failures;
};

/* Count one handled query (TCP or not) from its result. */
void dns_stats_record(struct dns_stats *s, const struct dnsa_result *r, int tcp);

/* One log line: the counters, the good set's size per family and its age
 * (seconds since it was read, -1 = never).  Writes into BUF (LEN bytes),
 * returns BUF. */
char *dns_stats_format(const struct dns_stats *s, size_t v4, size_t v6,
    long long age, char *buf, size_t len);

#endif
