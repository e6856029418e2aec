/* dns_server.c -- UDP and TCP DNS listeners on the libevent loop (IPv4 and IPv6).
 *
 * UDP is the hot path: one readiness callback drains the socket with
 * recvmmsg/sendmmsg in batches, so a busy seeder makes two system calls
 * per UDP_BATCH queries instead of two per query, into buffers owned by
 * the server (nothing is allocated per query).  TCP (RFC 7766), with its
 * connection limits and deadlines, is dns_tcp's; this module binds its
 * sockets. */
#include "dns_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "dns_answer.h"
#include "dns_tcp.h"
#include "log.h"
#include "ratelimit.h"
#include "strutil.h"
#include "xmalloc.h"

#define UDP_BATCH	32
/* Queries are small; a larger datagram arrives cut (MSG_TRUNC) and fails
 * to parse, which is the right answer for it. */
#define UDP_RECV_LEN	4096
/* Batches per readiness callback, so TCP clients and timers get a turn. */
#define UDP_ROUNDS	16
#define CTL_LEN		CMSG_SPACE(sizeof(struct in6_pktinfo))
#define UDP_RCVBUF	(4 * 1024 * 1024)

struct dns_server;

struct udp_sock {
	struct dns_server	*srv;
	int			 fd;
	int			 family;
	bool			 pktinfo;	/* bound to a wildcard address */
	struct event		*ev;
	struct netaddr		 addr;		/* as bound (port 0 resolved) */
	char			 name[NETADDR_STRLEN];
};

struct dns_server {
	struct event_base	*base;
	dnsa_handler_fn		 fn;
	void			*arg;
	struct dns_stats	*stats;
	struct dns_server_config cfg;

	struct udp_sock		*udp;
	size_t			 nudp;
	struct dns_tcp		*tcp;

	struct ratelimit	*rl;

	/* UDP batch buffers. */
	struct mmsghdr		 rmsg[UDP_BATCH], smsg[UDP_BATCH];
	struct iovec		 riov[UDP_BATCH], siov[UDP_BATCH];
	struct sockaddr_storage	 from[UDP_BATCH];
	uint8_t			 rctl[UDP_BATCH][CTL_LEN];
	uint8_t			 sctl[UDP_BATCH][CTL_LEN];
	uint8_t			 in[UDP_BATCH][UDP_RECV_LEN];
	uint8_t			 out[UDP_BATCH][DNSA_OUT_MIN];
};

static bool
is_wildcard(const struct netaddr *a)
{
	static const uint8_t any6[16], any4[16] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a->ip, any6, 16) == 0 || memcmp(a->ip, any4, 16) == 0;
}

/* --- UDP ------------------------------------------------------------------ */

/* Copy the query's destination address into the reply's control data, so
 * the reply leaves from the address the client asked. */
static size_t
reply_pktinfo(const struct msghdr *rm, uint8_t *ctl)
{
	struct cmsghdr *c;
	struct msghdr m;

	memset(ctl, 0, CTL_LEN);
	memset(&m, 0, sizeof(m));
	m.msg_control = ctl;
	m.msg_controllen = CTL_LEN;
	for (struct cmsghdr *rc = CMSG_FIRSTHDR(rm); rc != NULL;
	    rc = CMSG_NXTHDR((struct msghdr *)rm, rc)) {
		if (rc->cmsg_level == IPPROTO_IP && rc->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(rc), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (rc->cmsg_level == IPPROTO_IPV6 && rc->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(rc), sizeof(pi));
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

static void
udp_send(struct udp_sock *u, unsigned n)
{
	struct dns_server *s = u->srv;
	unsigned done = 0;

	while (done < n) {
		int r = sendmmsg(u->fd, s->smsg + done, n - done, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* A full socket buffer or an unreachable client:
			 * UDP replies are best effort.  Skip the one that
			 * failed and go on with the rest. */
			s->stats->send_errors++;
			log_debug("dns", "%s: send: %s", u->name, strerror(errno));
			done++;
			continue;
		}
		done += (unsigned)r;
	}
}

static void
udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_sock *u = arg;
	struct dns_server *s = u->srv;
	uint64_t ms = 0;

	(void)what;
	/* One clock read per readiness callback (up to UDP_ROUNDS *
	 * UDP_BATCH queries): CLOCK_MONOTONIC through the vDSO costs about
	 * 23 ns against 3 ns for the coarse clock, nothing per query. */
	if (s->rl != NULL)
		ms = (uint64_t)clock_mono_ms();
	for (int round = 0; round < UDP_ROUNDS; round++) {
		unsigned nout = 0;
		int n;

		for (unsigned i = 0; i < UDP_BATCH; i++) {
			struct msghdr *m = &s->rmsg[i].msg_hdr;

			s->riov[i].iov_base = s->in[i];
			s->riov[i].iov_len = UDP_RECV_LEN;
			m->msg_name = &s->from[i];
			m->msg_namelen = sizeof(s->from[i]);
			m->msg_iov = &s->riov[i];
			m->msg_iovlen = 1;
			m->msg_control = u->pktinfo ? s->rctl[i] : NULL;
			m->msg_controllen = u->pktinfo ? CTL_LEN : 0;
			m->msg_flags = 0;
		}
		n = recvmmsg(fd, s->rmsg, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_debug("dns", "%s: receive: %s", u->name,
				    strerror(errno));
			return;
		}
		for (int i = 0; i < n; i++) {
			struct msghdr *rm = &s->rmsg[i].msg_hdr, *sm;
			unsigned flags = 0;
			size_t len;

			switch (s->rl == NULL ? RATELIMIT_PASS :
			    ratelimit_check(s->rl, (struct sockaddr *)&s->from[i], ms)) {
			case RATELIMIT_PASS:
				break;
			case RATELIMIT_DROP:
				s->stats->ratelimited++;
				continue;
			case RATELIMIT_SLIP:
				s->stats->slipped++;
				flags = DNSA_SLIP;
				break;
			}
			len = s->fn(s->arg, s->in[i], s->rmsg[i].msg_len, flags,
			    s->out[nout], DNSA_OUT_MIN);
			if (len == 0)
				continue;
			sm = &s->smsg[nout].msg_hdr;
			memset(sm, 0, sizeof(*sm));
			s->siov[nout].iov_base = s->out[nout];
			s->siov[nout].iov_len = len;
			sm->msg_iov = &s->siov[nout];
			sm->msg_iovlen = 1;
			sm->msg_name = &s->from[i];
			sm->msg_namelen = rm->msg_namelen;
			if (u->pktinfo) {
				sm->msg_control = s->sctl[nout];
				sm->msg_controllen = reply_pktinfo(rm, s->sctl[nout]);
				if (sm->msg_controllen == 0)
					sm->msg_control = NULL;
			}
			nout++;
		}
		if (nout > 0)
			udp_send(u, nout);
		if (n < UDP_BATCH)
			return;		/* drained */
	}
}

static int
make_socket(const struct netaddr *a, int type, struct sockaddr_storage *ss,
    socklen_t *sl, char *err, size_t errlen)
{
	char name[NETADDR_STRLEN];
	int fd, one = 1;

	*sl = netaddr_to_sockaddr(a, ss);
	netaddr_format(a, name, sizeof(name));
	fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		str_errf(err, errlen, "%s: socket: %s", name, strerror(errno));
		return -1;
	}
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1) {
		str_errf(err, errlen, "%s: IPV6_V6ONLY: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, *sl) == -1) {
		int e = errno;

		str_errf(err, errlen, "%s/%s: bind: %s", name,
		    type == SOCK_STREAM ? "tcp" : "udp", strerror(e));
		close(fd);
		errno = e;	/* the caller may retry on EADDRINUSE */
		return -1;
	}
	return fd;
}

static int
udp_open(struct dns_server *s, const struct netaddr *a, struct udp_sock *u,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, rcv = UDP_RCVBUF;

	memset(u, 0, sizeof(*u));
	u->srv = s;
	u->fd = -1;
	u->addr = *a;
	netaddr_format(a, u->name, sizeof(u->name));
	if ((u->fd = make_socket(a, SOCK_DGRAM, &ss, &sl, err, errlen)) == -1)
		return -1;
	u->family = ss.ss_family;
	/* Port 0 (tests): the kernel's choice, which TCP then shares. */
	sl = sizeof(ss);
	if (a->port == 0 && getsockname(u->fd, (struct sockaddr *)&ss, &sl) == 0) {
		netaddr_from_sockaddr(&u->addr, (struct sockaddr *)&ss);
		netaddr_format(&u->addr, u->name, sizeof(u->name));
	}
	/* A bigger receive buffer rides out bursts; best effort. */
	(void)setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (is_wildcard(a)) {
		int r = u->family == AF_INET ?
		    setsockopt(u->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) :
		    setsockopt(u->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));

		if (r == -1) {
			str_errf(err, errlen, "%s: PKTINFO: %s", u->name, strerror(errno));
			return -1;
		}
		u->pktinfo = true;
	}
	u->ev = event_new(s->base, u->fd, EV_READ | EV_PERSIST, udp_read_cb, u);
	if (u->ev == NULL || event_add(u->ev, NULL) == -1) {
		str_errf(err, errlen, "%s: cannot watch the UDP socket", u->name);
		return -1;
	}
	return 0;
}

/* --- TCP ------------------------------------------------------------------ */

static int
tcp_open(struct dns_server *s, const struct netaddr *a, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	char name[NETADDR_STRLEN];
	socklen_t sl;
	int fd;

	if ((fd = make_socket(a, SOCK_STREAM, &ss, &sl, err, errlen)) == -1)
		return -1;
	return dns_tcp_listen(s->tcp, fd, netaddr_format(a, name, sizeof(name)), err, errlen);
}

/* --- life cycle ------------------------------------------------------------ */

struct dns_server *
dns_server_new(struct event_base *base, const struct dns_server_config *cfg,
    dnsa_handler_fn fn, void *arg, struct dns_stats *stats, char *err,
    size_t errlen)
{
	struct dns_server *s;

	if (cfg->nlisten == 0) {
		str_errf(err, errlen, "no listen address");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->fn = fn;
	s->arg = arg;
	s->stats = stats;
	s->cfg = *cfg;
	s->cfg.listen = NULL;
	s->tcp = dns_tcp_new(base, &(struct dns_tcp_config){
		.clients = cfg->tcp_clients,
		.per_source = cfg->tcp_per_source,
		.idle_ms = cfg->tcp_idle_ms,
		.query_ms = cfg->tcp_query_ms,
		.floor_ms = cfg->tcp_floor_ms,
	    }, fn, arg, stats);
	s->udp = xcalloc(cfg->nlisten, sizeof(*s->udp));
	for (size_t i = 0; i < cfg->nlisten; i++) {
		s->udp[i].fd = -1;
	}
	for (size_t i = 0; i < cfg->nlisten; i++) {
		/* With port 0 the kernel picks a free UDP port that TCP may
		 * not have free: pick again a few times. */
		int tries = cfg->listen[i].port == 0 ? 16 : 1;

		s->nudp = i + 1;
		for (;;) {
			if (udp_open(s, &cfg->listen[i], &s->udp[i], err, errlen) == -1)
				goto fail;
			if (tcp_open(s, &s->udp[i].addr, err, errlen) == 0)
				break;
			if (--tries == 0 || errno != EADDRINUSE)
				goto fail;
			event_free(s->udp[i].ev);
			close(s->udp[i].fd);
			s->udp[i].ev = NULL;
			s->udp[i].fd = -1;
		}
		log_info("dns", "listening on %s (udp, tcp)", s->udp[i].name);
	}
	if (cfg->rate > 0)
		s->rl = ratelimit_new(cfg->rate, cfg->burst > 0 ? cfg->burst : cfg->rate,
		    cfg->slip);
	return s;
fail:
	dns_server_free(s);
	return NULL;
}

void
dns_server_free(struct dns_server *s)
{
	if (s == NULL)
		return;
	dns_tcp_free(s->tcp);
	for (size_t i = 0; i < s->nudp; i++) {
		if (s->udp[i].ev != NULL)
			event_free(s->udp[i].ev);
		if (s->udp[i].fd != -1)
			close(s->udp[i].fd);
	}
	ratelimit_free(s->rl);
	free(s->udp);
	free(s);
}

const struct netaddr *
dns_server_address(const struct dns_server *s, size_t i)
{
	return i < s->nudp ? &s->udp[i].addr : NULL;
}

size_t
dns_server_tcp_clients(const struct dns_server *s)
{
	return dns_tcp_clients(s->tcp);
}
