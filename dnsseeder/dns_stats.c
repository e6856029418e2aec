/* dns_stats.c -- the seeder's counters: queries by type and rcode, answers, drops, good-set size and age. */
#include "dns_stats.h"

#include <inttypes.h>
#include <stdio.h>

static enum dns_stats_qtype
qtype_slot(const struct dnsa_result *r)
{
	if (!r->has_question)
		return DNS_STATS_NOQUESTION;
	switch (r->qtype) {
	case DNS_TYPE_A:	return DNS_STATS_A;
	case DNS_TYPE_AAAA:	return DNS_STATS_AAAA;
	case DNS_TYPE_NS:	return DNS_STATS_NS;
	case DNS_TYPE_SOA:	return DNS_STATS_SOA;
	case DNS_TYPE_ANY:	return DNS_STATS_ANY;
	default:		return DNS_STATS_OTHER;
	}
}

void
dns_stats_record(struct dns_stats *s, const struct dnsa_result *r, int tcp)
{
	if (tcp)
		s->queries_tcp++;
	else
		s->queries_udp++;
	if (r->dropped) {
		s->dropped++;
		return;
	}
	s->qtype[qtype_slot(r)]++;
	switch (r->rcode) {
	case DNS_RCODE_NOERROR:
		s->rcode[r->nodata ? DNS_STATS_NODATA : DNS_STATS_NOERROR]++;
		break;
	case DNS_RCODE_NXDOMAIN:	s->rcode[DNS_STATS_NXDOMAIN]++; break;
	case DNS_RCODE_REFUSED:		s->rcode[DNS_STATS_REFUSED]++; break;
	case DNS_RCODE_FORMERR:		s->rcode[DNS_STATS_FORMERR]++; break;
	case DNS_RCODE_NOTIMP:		s->rcode[DNS_STATS_NOTIMP]++; break;
	case DNS_RCODE_BADVERS:		s->rcode[DNS_STATS_BADVERS]++; break;
	case DNS_RCODE_NOTAUTH:		s->rcode[DNS_STATS_NOTAUTH]++; break;
	default:			break;
	}
	if (r->qtype == DNS_TYPE_A || r->qtype == DNS_TYPE_AAAA)
		s->answers += r->answers;
	if (r->truncated)
		s->truncated++;
	if (r->dnssec)
		s->dnssec++;
}

char *
dns_stats_format(const struct dns_stats *s, size_t v4, size_t v6,
    long long age, char *buf, size_t len)
{
	snprintf(buf, len,
	    "queries udp=%" PRIu64 " tcp=%" PRIu64
	    " | A=%" PRIu64 " AAAA=%" PRIu64 " NS=%" PRIu64 " SOA=%" PRIu64
	    " ANY=%" PRIu64 " other=%" PRIu64 " noquestion=%" PRIu64
	    " | noerror=%" PRIu64 " nodata=%" PRIu64 " nxdomain=%" PRIu64
	    " refused=%" PRIu64 " formerr=%" PRIu64 " notimp=%" PRIu64
	    " badvers=%" PRIu64 " notauth=%" PRIu64
	    " | addresses=%" PRIu64 " truncated=%" PRIu64 " signed=%" PRIu64
	    " dropped=%" PRIu64
	    " ratelimited=%" PRIu64 " slipped=%" PRIu64 " senderr=%" PRIu64
	    " | tcp accepted=%" PRIu64 " refused=%" PRIu64 " timeouts=%" PRIu64
	    " evicted=%" PRIu64 " full=%" PRIu64 " accepterr=%" PRIu64
	    " | good ipv4=%zu ipv6=%zu age=%llds reloads=%" PRIu64 " failed=%" PRIu64,
	    s->queries_udp, s->queries_tcp,
	    s->qtype[DNS_STATS_A], s->qtype[DNS_STATS_AAAA], s->qtype[DNS_STATS_NS],
	    s->qtype[DNS_STATS_SOA], s->qtype[DNS_STATS_ANY], s->qtype[DNS_STATS_OTHER],
	    s->qtype[DNS_STATS_NOQUESTION],
	    s->rcode[DNS_STATS_NOERROR], s->rcode[DNS_STATS_NODATA],
	    s->rcode[DNS_STATS_NXDOMAIN], s->rcode[DNS_STATS_REFUSED],
	    s->rcode[DNS_STATS_FORMERR], s->rcode[DNS_STATS_NOTIMP],
	    s->rcode[DNS_STATS_BADVERS], s->rcode[DNS_STATS_NOTAUTH],
	    s->answers, s->truncated, s->dnssec, s->dropped, s->ratelimited, s->slipped,
	    s->send_errors, s->tcp_accepted, s->tcp_refused, s->tcp_timeouts,
	    s->tcp_evicted, s->tcp_full, s->tcp_accept_errors,
	    v4, v6, age, s->reloads, s->reload_failures);
	return buf;
}
