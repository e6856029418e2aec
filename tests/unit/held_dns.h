/* held_dns.h -- a DNS server for unit tests that holds each query until the test answers it.
 *
 * With it a test decides when a look-up completes: after the entry that
 * started it was removed, say.  Used with common/resolver pointed at
 * 127.0.0.1:PORT. */
#ifndef AGENTCHAIN_TEST_HELD_DNS_H
#define AGENTCHAIN_TEST_HELD_DNS_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "fake_io.h"
#include "resolver.h"

/* The fake clock's start; held_dns_wait restarts it there. */
#define T0_MS	1700000000000LL

/* A DNS server that holds every query until told to answer. */
struct held_dns {
	int		 fd;
	uint16_t	 port;
	uint8_t		 q[8][512];
	size_t		 qlen[8];
	struct sockaddr_storage from[8];
	socklen_t	 fromlen[8];
	size_t		 n;
};

static FAKE_UNUSED void
held_dns_open(struct held_dns *d)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);

	memset(d, 0, sizeof(*d));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(d->fd >= 0);
	assert_int_equal(bind(d->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(d->fd, (struct sockaddr *)&sin, &len), 0);
	d->port = ntohs(sin.sin_port);
}

/* Run S's loop until WANT queries are held (at most 5 s). */
static FAKE_UNUSED void
held_dns_wait(struct stack *s, struct held_dns *d, size_t want)
{
	int64_t end;

	clock_fake_stop();	/* c-ares keeps real time */
	end = clock_mono_ms() + 5000;
	while (d->n < want && clock_mono_ms() < end) {
		ssize_t n;
		event_base_loop(s->base, EVLOOP_NONBLOCK);
		d->fromlen[d->n] = sizeof(d->from[d->n]);
		n = recvfrom(d->fd, d->q[d->n], sizeof(d->q[d->n]), MSG_DONTWAIT,
		    (struct sockaddr *)&d->from[d->n], &d->fromlen[d->n]);
		if (n > 0)
			d->qlen[d->n++] = (size_t)n;
		else
			usleep(1000);
	}
	clock_fake_start(T0_MS);
	assert_int_equal(d->n, want);
}

/* Answer every held query: A with IP, AAAA with nothing. */
static FAKE_UNUSED void
held_dns_answer(struct held_dns *d, const char *ip)
{
	for (size_t i = 0; i < d->n; i++) {
		ldns_pkt *q = NULL, *a = ldns_pkt_new();
		ldns_rr *qrr, *rr = NULL;
		uint8_t *wire;
		size_t wlen;
		char rrs[256], *owner;

		assert_int_equal(ldns_wire2pkt(&q, d->q[i], d->qlen[i]), LDNS_STATUS_OK);
		qrr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
		ldns_pkt_set_id(a, ldns_pkt_id(q));
		ldns_pkt_set_qr(a, true);
		ldns_pkt_set_aa(a, true);
		ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, ldns_rr_clone(qrr));
		if (ldns_rr_get_type(qrr) == LDNS_RR_TYPE_A) {
			owner = ldns_rdf2str(ldns_rr_owner(qrr));
			snprintf(rrs, sizeof(rrs), "%s 60 IN A %s", owner, ip);
			free(owner);
			assert_int_equal(ldns_rr_new_frm_str(&rr, rrs, 0, NULL, NULL), LDNS_STATUS_OK);
			ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
		}
		assert_int_equal(ldns_pkt2wire(&wire, a, &wlen), LDNS_STATUS_OK);
		assert_int_equal(sendto(d->fd, wire, wlen, 0, (struct sockaddr *)&d->from[i],
		    d->fromlen[i]), (ssize_t)wlen);
		free(wire);
		ldns_pkt_free(a);
		ldns_pkt_free(q);
	}
	d->n = 0;
}

/* Run S's loop until the resolver has nothing pending (at most 5 s). */
static FAKE_UNUSED void
loop_until_resolved(struct stack *s, struct resolver *r)
{
	int64_t end;

	clock_fake_stop();
	end = clock_mono_ms() + 5000;
	while (resolver_pending(r) > 0 && clock_mono_ms() < end) {
		event_base_loop(s->base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
	clock_fake_start(T0_MS);
	assert_int_equal(resolver_pending(r), 0);
}

#endif
