/* natpmp.c -- PCP/NAT-PMP client: one UDP flow per address family on the event loop.
 *
 * A flow goes: find the gateway and our address (gateway.h), connect a
 * UDP socket to the gateway's port 5351, send a request and retransmit it
 * with a doubling timeout until a reply passes the codec's checks (pcp.h)
 * or the tries run out.  PCP first: one MAP request gives the mapping and
 * the external address.  A gateway that answers UNSUPP_VERSION in NAT-PMP's
 * format gets NAT-PMP instead: the public address request, then the
 * mapping request.  A grant is renewed at half its lifetime on the same
 * socket; a failure closes nothing but schedules a fresh attempt (gateway
 * looked up again) after a back-off that doubles up to a cap.
 *
 * Trust: the socket is connected, so the kernel delivers only datagrams
 * whose source is the gateway's address and port (RFC 6886 section 3.2 asks
 * the client to check exactly that); a LAN host that spoofs the gateway
 * must still match the PCP nonce, which never leaves this host and the
 * gateway.  What the gateway assigns is checked again here: an external
 * address that peers cannot reach is reported but never advertised, and a
 * granted lifetime is capped before it sets a timer. */
#include "natpmp.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "gateway.h"
#include "log.h"
#include "pcp.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

#define NATPMP_LOG		"natpmp"
_Static_assert(NATPMP_SERVER_PORT == PCP_SERVER_PORT, "one port for both");
#define NATPMP_RECV_BURST	16	/* datagrams read per wake-up, at most */
#define NATPMP_MAX_RTO_MS	60000

enum natpmp_req {
	NATPMP_REQ_NONE = 0,	/* nothing out: idle, renewal or retry pending */
	NATPMP_REQ_PCP_MAP,
	NATPMP_REQ_PUBLIC,	/* NAT-PMP public address */
	NATPMP_REQ_MAP,		/* NAT-PMP TCP mapping */
};

struct natpmp_flow {
	struct natpmp		*np;
	struct natpmp_status	 st;
	int			 fd;		/* -1 when closed */
	struct event		*ev_read;
	struct event		*ev_timer;	/* retransmission, renewal or retry */
	enum natpmp_proto	 proto;		/* being spoken now */
	enum natpmp_req		 req;		/* waiting for its reply */
	uint8_t			 pkt[PCP_MAP_REQUEST_LEN];
	size_t			 pktlen;
	int			 sent;		/* transmissions of PKT */
	int			 rto_ms;
	unsigned		 bad;		/* replies dropped in this exchange */
	char			 bad_why[96];
	struct pcp_map_request	 pcp;		/* its nonce lives as long as the flow */
	uint16_t		 natpmp_port;	/* external port to suggest again */
	struct netaddr		 public4;	/* NAT-PMP's public address */
	struct pcp_epoch	 epoch;
	int			 backoff;	/* seconds to the next retry */
	bool			 mapped;	/* the gateway holds a mapping of ours */
	/* What was last said at info or warn level, so repeats go to debug. */
	enum natpmp_state	 logged_state;
	char			 logged[sizeof(((struct natpmp_status *)0)->error)];
};

struct natpmp {
	struct event_base	*base;
	struct natpmp_opts	 o;
	char			*proc_net;	/* owned copy, or NULL */
	struct natpmp_flow	 flow[NATPMP_NFAMILIES];
	void			(*cb)(void *, const struct natpmp_status *);
	void			*cb_arg;
};

static void	flow_readable(evutil_socket_t, short, void *);

const char *
natpmp_state_name(enum natpmp_state s)
{
	switch (s) {
	case NATPMP_OFF:
		return "off";
	case NATPMP_SEARCHING:
		return "searching";
	case NATPMP_NO_GATEWAY:
		return "no-gateway";
	case NATPMP_MAPPED:
		return "mapped";
	case NATPMP_FAILED:
		return "failed";
	}
	return "unknown";
}

const char *
natpmp_proto_name(enum natpmp_proto p)
{
	switch (p) {
	case NATPMP_PROTO_NONE:
		return "none";
	case NATPMP_PROTO_PCP:
		return "pcp";
	case NATPMP_PROTO_NATPMP:
		return "natpmp";
	}
	return "unknown";
}

static const char *
flow_name(const struct natpmp_flow *f)
{
	return f->st.family == NATPMP_IPV4 ? "IPv4" : "IPv6";
}

static void
flow_report(struct natpmp_flow *f)
{
	f->np->cb(f->np->cb_arg, &f->st);
}

static void
flow_arm(struct natpmp_flow *f, int64_t ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(f->ev_timer, &tv);
}

static void
flow_close(struct natpmp_flow *f)
{
	if (f->ev_read != NULL) {
		event_free(f->ev_read);
		f->ev_read = NULL;
	}
	if (f->fd != -1) {
		close(f->fd);
		f->fd = -1;
	}
}

/* Say ST's error once at LEVEL (info or warn); the same again only at
 * debug level. */
static void
flow_say(struct natpmp_flow *f, enum log_level level, const char *tail)
{
	if (f->logged_state == f->st.state && strcmp(f->logged, f->st.error) == 0) {
		log_debug(NATPMP_LOG, "%s: still %s: %s", flow_name(f),
		    natpmp_state_name(f->st.state), f->st.error);
		return;
	}
	f->logged_state = f->st.state;
	str_copy(f->logged, f->st.error, sizeof f->logged);
	log_write(level, NATPMP_LOG, "%s: %s%s", flow_name(f), f->st.error, tail);
}

/* The exchange failed: report STATE with the reason, and try afresh
 * (gateway looked up again) after the back-off.  QUIET keeps a reason
 * that is a normal state of the host (no IPv6 address) at debug level. */
static void
flow_fail(struct natpmp_flow *f, enum natpmp_state state, bool quiet,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
flow_fail(struct natpmp_flow *f, enum natpmp_state state, bool quiet,
    const char *fmt, ...)
{
	char tail[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->st.error, sizeof f->st.error, fmt, ap);
	va_end(ap);
	f->req = NATPMP_REQ_NONE;
	f->st.state = state;
	f->st.has_external = false;
	f->st.next_at = clock_wall() + f->backoff;
	snprintf(tail, sizeof tail, "; running without a port mapping "
	    "(next try in %d s)", f->backoff);
	if (quiet)
		log_debug(NATPMP_LOG, "%s: %s%s", flow_name(f), f->st.error, tail);
	else
		flow_say(f, state == NATPMP_NO_GATEWAY ? LOGL_INFO : LOGL_WARN, tail);
	flow_arm(f, (int64_t)f->backoff * 1000);
	f->backoff = f->backoff > f->np->o.backoff_max / 2 ?
	    f->np->o.backoff_max : f->backoff * 2;
	flow_report(f);
}

/* --- opening a flow ------------------------------------------------------------ */

static void
flow_format_gw(struct natpmp_flow *f, const struct netaddr *gw,
    const char *ifname, bool link_local)
{
	char ip[NETADDR_STRLEN];

	netaddr_format_ip(gw, ip, sizeof ip);
	if (link_local)
		snprintf(f->st.gateway, sizeof f->st.gateway, "%s%%%s", ip, ifname);
	else if (gw->port != PCP_SERVER_PORT)
		netaddr_format(gw, f->st.gateway, sizeof f->st.gateway);
	else
		str_copy(f->st.gateway, ip, sizeof f->st.gateway);
}

/* Find the gateway and our address, connect the socket.  Returns 0, or
 * -1 with the flow failed (and reported). */
static int
flow_open(struct natpmp_flow *f)
{
	const struct natpmp_opts *o = &f->np->o;
	bool v4 = f->st.family == NATPMP_IPV4, override, link_local = false;
	struct sockaddr_storage ss, local;
	struct netaddr gw, me;
	char ifname[IF_NAMESIZE] = "", ip[NETADDR_STRLEN];
	socklen_t len, llen = sizeof local;
	unsigned scope = 0;

	override = v4 ? o->has_gateway4 : o->has_gateway6;
	f->st.gateway[0] = '\0';
	if (override) {
		gw = v4 ? o->gateway4 : o->gateway6;
		if (gw.port == 0)
			gw.port = PCP_SERVER_PORT;
	} else if ((v4 ? gateway_default4(f->np->proc_net, &gw, ifname) :
	    gateway_default6(f->np->proc_net, &gw, ifname)) != 0) {
		flow_fail(f, NATPMP_NO_GATEWAY, !v4, "no %s default route",
		    flow_name(f));
		return -1;
	} else
		gw.port = PCP_SERVER_PORT;

	if (!v4 && !override) {
		/* The pinhole is for a stable global address on the route's
		 * interface; send from it, as PCP wants the request's source
		 * to be the address mapped. */
		if (gateway_global6(f->np->proc_net, ifname, o->allow_private, &me) != 0) {
			flow_fail(f, NATPMP_NO_GATEWAY, true, "no global IPv6 "
			    "address on %s", ifname);
			return -1;
		}
		link_local = gw.ip[0] == 0xfe && (gw.ip[1] & 0xc0) == 0x80;
		if (link_local && (scope = if_nametoindex(ifname)) == 0) {
			flow_fail(f, NATPMP_NO_GATEWAY, false, "no interface %s",
			    ifname);
			return -1;
		}
	}
	flow_format_gw(f, &gw, ifname, link_local);

	f->fd = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (f->fd == -1) {
		flow_fail(f, NATPMP_FAILED, false, "socket: %s", strerror(errno));
		return -1;
	}
	if (!v4 && !override) {
		me.port = 0;
		len = netaddr_to_sockaddr(&me, &ss);
		if (bind(f->fd, (struct sockaddr *)&ss, len) == -1) {
			netaddr_format_ip(&me, ip, sizeof ip);
			flow_fail(f, NATPMP_NO_GATEWAY, false, "cannot send from "
			    "%s: %s", ip, strerror(errno));
			return -1;
		}
	}
	len = netaddr_to_sockaddr(&gw, &ss);
	if (link_local)
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = scope;
	if (connect(f->fd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(f->fd, (struct sockaddr *)&local, &llen) == -1 ||
	    netaddr_from_sockaddr(&me, (struct sockaddr *)&local) == -1) {
		flow_fail(f, NATPMP_NO_GATEWAY, false, "cannot reach %s: %s",
		    f->st.gateway, strerror(errno));
		return -1;
	}
	me.port = o->port;
	if (netaddr_is_ipv4(&me) != v4 ||
	    (!v4 && !netaddr_is_valid_peer(&me, o->allow_private))) {
		netaddr_format_ip(&me, ip, sizeof ip);
		flow_fail(f, NATPMP_NO_GATEWAY, !v4, "%s is not an address "
		    "peers can reach", ip);
		return -1;
	}
	f->st.internal = me;
	memcpy(f->pcp.client_ip, me.ip, 16);
	f->ev_read = event_new(f->np->base, f->fd, EV_READ | EV_PERSIST,
	    flow_readable, f);
	if (f->ev_read == NULL || event_add(f->ev_read, NULL) != 0) {
		flow_fail(f, NATPMP_FAILED, false, "cannot watch the socket");
		return -1;
	}
	return 0;
}

/* --- requests ------------------------------------------------------------------ */

static void
flow_transmit(struct natpmp_flow *f)
{
	if (send(f->fd, f->pkt, f->pktlen, 0) != (ssize_t)f->pktlen) {
		if (errno == ECONNREFUSED)
			flow_fail(f, NATPMP_NO_GATEWAY, false, "no PCP or NAT-PMP "
			    "server at %s (port unreachable)", f->st.gateway);
		else
			flow_fail(f, NATPMP_NO_GATEWAY, false, "cannot send to "
			    "%s: %s", f->st.gateway, strerror(errno));
		return;
	}
	f->sent++;
	flow_arm(f, f->rto_ms);
	f->rto_ms = f->rto_ms > NATPMP_MAX_RTO_MS / 2 ? NATPMP_MAX_RTO_MS :
	    f->rto_ms * 2;
}

static void
flow_request(struct natpmp_flow *f, enum natpmp_req req)
{
	const struct natpmp_opts *o = &f->np->o;

	f->req = req;
	switch (req) {
	case NATPMP_REQ_PCP_MAP:
		f->pcp.lifetime = o->lease;
		f->pktlen = pcp_encode_map(&f->pcp, f->pkt);
		break;
	case NATPMP_REQ_PUBLIC:
		f->pktlen = natpmp_encode_public(f->pkt);
		break;
	case NATPMP_REQ_MAP:
		f->pktlen = natpmp_encode_map(o->port, f->natpmp_port, o->lease,
		    f->pkt);
		break;
	case NATPMP_REQ_NONE:
		return;
	}
	f->sent = 0;
	f->bad = 0;
	f->rto_ms = o->retry_ms;
	flow_transmit(f);
}

/* A fresh attempt: the gateway is looked up again, PCP is tried first. */
static void
flow_begin(struct natpmp_flow *f)
{
	flow_close(f);
	f->mapped = false;
	f->req = NATPMP_REQ_NONE;
	memset(&f->epoch, 0, sizeof f->epoch);
	if (flow_open(f) != 0)
		return;
	f->proto = f->np->o.force != NATPMP_PROTO_NONE ? f->np->o.force :
	    NATPMP_PROTO_PCP;
	if (f->st.family == NATPMP_IPV6)
		f->proto = NATPMP_PROTO_PCP;
	f->natpmp_port = f->np->o.port;
	flow_request(f, f->proto == NATPMP_PROTO_PCP ? NATPMP_REQ_PCP_MAP :
	    NATPMP_REQ_PUBLIC);
}

/* --- replies -------------------------------------------------------------------- */

static void
flow_epoch(struct natpmp_flow *f, uint32_t epoch)
{
	uint32_t before = f->epoch.server;

	if (!pcp_epoch_update(&f->epoch, epoch, clock_mono_ms())) {
		f->st.restarts++;
		log_info(NATPMP_LOG, "%s: gateway %s lost its state (epoch %u "
		    "after %u); mapping again", flow_name(f), f->st.gateway,
		    epoch, before);
	}
}

/* The gateway granted EXT for LIFETIME seconds. */
static void
flow_granted(struct natpmp_flow *f, const struct netaddr *ext, uint32_t lifetime)
{
	const struct natpmp_opts *o = &f->np->o;
	struct natpmp_status prev = f->st;
	char e[NETADDR_STRLEN], ip[NETADDR_STRLEN];
	uint32_t renew;

	f->req = NATPMP_REQ_NONE;
	f->mapped = true;
	f->backoff = o->backoff;
	f->st.state = NATPMP_MAPPED;
	f->st.proto = f->proto;
	f->st.lease = lifetime < NATPMP_MAX_LEASE ? lifetime : NATPMP_MAX_LEASE;
	f->st.mapped_at = clock_wall();
	f->st.external = *ext;
	f->st.has_external = netaddr_is_valid_peer(ext, o->allow_private);
	f->st.error[0] = '\0';
	if (prev.state == NATPMP_MAPPED)
		f->st.renewals++;
	netaddr_format(ext, e, sizeof e);
	if (!f->st.has_external) {
		netaddr_format_ip(ext, ip, sizeof ip);
		snprintf(f->st.error, sizeof f->st.error, "gateway reported an "
		    "external address peers cannot reach (%s, %s); not "
		    "advertising it", ip, netaddr_class_name(netaddr_classify(ext)));
	}
	renew = f->st.lease / 2 > 0 ? f->st.lease / 2 : 1;
	f->st.next_at = f->st.mapped_at + renew;
	flow_arm(f, (int64_t)renew * 1000);

	if (prev.state == NATPMP_MAPPED && prev.proto == f->st.proto &&
	    netaddr_equal(&prev.external, ext) && strcmp(prev.error, f->st.error) == 0)
		log_debug(NATPMP_LOG, "%s: renewed the mapping of TCP port %u "
		    "(%s, lease %u s)", flow_name(f), o->port, e, f->st.lease);
	else {
		log_info(NATPMP_LOG, "%s: mapped TCP port %u to %s via %s (%s), "
		    "lease %u s", flow_name(f), o->port, e, f->st.gateway,
		    natpmp_proto_name(f->proto), f->st.lease);
		if (f->st.error[0] != '\0')
			log_warn(NATPMP_LOG, "%s: %s", flow_name(f), f->st.error);
	}
	f->logged_state = NATPMP_MAPPED;
	f->logged[0] = '\0';
	flow_report(f);
}

static void
flow_bad(struct natpmp_flow *f, const char *why)
{
	f->bad++;
	f->st.bad_replies++;
	str_copy(f->bad_why, why, sizeof f->bad_why);
	log_debug(NATPMP_LOG, "%s: dropped a reply from %s: %s", flow_name(f),
	    f->st.gateway, why);
}

static void
flow_on_pcp(struct natpmp_flow *f, const uint8_t *p, size_t len)
{
	struct pcp_map_reply m;
	struct netaddr ext;
	char why[96];

	switch (pcp_decode_map(p, len, &f->pcp, &m, why, sizeof why)) {
	case PCP_REPLY_BAD:
		flow_bad(f, why);
		return;
	case PCP_REPLY_NATPMP_ONLY:
		if (f->st.family == NATPMP_IPV6 || f->np->o.force == NATPMP_PROTO_PCP) {
			flow_fail(f, NATPMP_FAILED, false, "gateway %s speaks only "
			    "NAT-PMP (version %u)%s", f->st.gateway, m.version,
			    f->st.family == NATPMP_IPV6 ? ", which has no IPv6" : "");
			return;
		}
		log_info(NATPMP_LOG, "%s: gateway %s does not speak PCP (version "
		    "%u); using NAT-PMP", flow_name(f), f->st.gateway, m.version);
		f->proto = NATPMP_PROTO_NATPMP;
		flow_request(f, NATPMP_REQ_PUBLIC);
		return;
	case PCP_REPLY_OK:
		break;
	}
	flow_epoch(f, m.epoch);
	if (m.result != PCP_RESULT_SUCCESS) {
		flow_fail(f, NATPMP_FAILED, false, "gateway %s refused the mapping: "
		    "%s (%u)", f->st.gateway, pcp_result_name(m.result), m.result);
		return;
	}
	memset(&ext, 0, sizeof ext);
	memcpy(ext.ip, m.external_ip, 16);
	ext.port = m.external_port;
	/* Ask for the same again when renewing (RFC 6887 section 11.3). */
	memcpy(f->pcp.external_ip, m.external_ip, 16);
	f->pcp.external_port = m.external_port;
	flow_granted(f, &ext, m.lifetime);
}

static void
flow_on_natpmp(struct natpmp_flow *f, const uint8_t *p, size_t len)
{
	const struct natpmp_opts *o = &f->np->o;
	bool public = f->req == NATPMP_REQ_PUBLIC;
	struct natpmp_reply r;
	struct netaddr ext;
	char why[96];

	if (natpmp_decode(p, len, public ? NATPMP_OP_PUBLIC : NATPMP_OP_MAP_TCP,
	    o->port, o->lease, &r, why, sizeof why) != PCP_REPLY_OK) {
		flow_bad(f, why);
		return;
	}
	flow_epoch(f, r.epoch);
	if (r.result != 0) {
		flow_fail(f, NATPMP_FAILED, false, "gateway %s refused the %s: %s "
		    "(%u)", f->st.gateway, public ? "public address request" :
		    "mapping", natpmp_result_name(r.result), r.result);
		return;
	}
	if (public) {
		netaddr_from_ipv4(&f->public4, (uint32_t)r.public_ip[0] << 24 |
		    (uint32_t)r.public_ip[1] << 16 | (uint32_t)r.public_ip[2] << 8 |
		    r.public_ip[3], 0);
		flow_request(f, NATPMP_REQ_MAP);
		return;
	}
	ext = f->public4;
	ext.port = r.external_port;
	f->natpmp_port = r.external_port;
	flow_granted(f, &ext, r.lifetime);
}

static void
flow_readable(evutil_socket_t fd, short what, void *arg)
{
	struct natpmp_flow *f = arg;
	uint8_t buf[PCP_MAX_PACKET + 1];
	ssize_t n;

	(void)what;
	for (int i = 0; i < NATPMP_RECV_BURST && f->fd == fd; i++) {
		n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == ECONNREFUSED && f->req != NATPMP_REQ_NONE)
				flow_fail(f, NATPMP_NO_GATEWAY, false, "no PCP or "
				    "NAT-PMP server at %s (port unreachable)",
				    f->st.gateway);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_debug(NATPMP_LOG, "%s: recv: %s", flow_name(f),
				    strerror(errno));
			return;
		}
		switch (f->req) {
		case NATPMP_REQ_PCP_MAP:
			flow_on_pcp(f, buf, (size_t)n);
			break;
		case NATPMP_REQ_PUBLIC:
		case NATPMP_REQ_MAP:
			flow_on_natpmp(f, buf, (size_t)n);
			break;
		case NATPMP_REQ_NONE:
			/* A late duplicate of an answer already taken. */
			log_trace(NATPMP_LOG, "%s: %zd-byte datagram while idle",
			    flow_name(f), n);
			break;
		}
	}
}

static void
flow_timer(evutil_socket_t fd, short what, void *arg)
{
	struct natpmp_flow *f = arg;
	const struct natpmp_opts *o = &f->np->o;

	(void)fd;
	(void)what;
	if (f->req != NATPMP_REQ_NONE) {
		if (f->sent < o->tries) {
			log_debug(NATPMP_LOG, "%s: no answer from %s yet, sending "
			    "again (%d)", flow_name(f), f->st.gateway, f->sent + 1);
			flow_transmit(f);
		} else if (f->bad > 0)
			flow_fail(f, NATPMP_FAILED, false, "gateway %s sent only "
			    "replies that fail our checks (%u; last: %s)",
			    f->st.gateway, f->bad, f->bad_why);
		else
			flow_fail(f, NATPMP_NO_GATEWAY, false, "no PCP or NAT-PMP "
			    "gateway answered at %s (%d tries)", f->st.gateway,
			    f->sent);
		return;
	}
	if (f->st.state == NATPMP_MAPPED && f->fd != -1)
		flow_request(f, f->proto == NATPMP_PROTO_PCP ? NATPMP_REQ_PCP_MAP :
		    NATPMP_REQ_PUBLIC);
	else
		flow_begin(f);
}

/* --- start and stop ---------------------------------------------------------------- */

static bool
natpmp_range(const char *name, long long v, long long min, long long max)
{
	if (v >= min && v <= max)
		return true;
	log_error(NATPMP_LOG, "%s %lld out of range %lld..%lld", name, v, min, max);
	return false;
}

/* Fill the defaults of O; false (logged) when a value is out of range. */
static bool
natpmp_check_opts(struct natpmp_opts *o)
{
	if (o->lease == 0)
		o->lease = NATPMP_DEFAULT_LEASE;
	if (o->retry_ms == 0)
		o->retry_ms = NATPMP_DEFAULT_RETRY_MS;
	if (o->tries == 0)
		o->tries = NATPMP_DEFAULT_TRIES;
	if (o->backoff == 0)
		o->backoff = NATPMP_DEFAULT_BACKOFF;
	if (o->backoff_max == 0)
		o->backoff_max = o->backoff > NATPMP_MAX_BACKOFF ? o->backoff :
		    NATPMP_MAX_BACKOFF;
	if (o->stop_timeout_ms == 0)
		o->stop_timeout_ms = NATPMP_STOP_TIMEOUT_MS;
	if (o->port == 0 || (!o->ipv4 && !o->ipv6)) {
		log_error(NATPMP_LOG, "natpmp_start: no port or no address family");
		return false;
	}
	if ((o->has_gateway4 && !netaddr_is_ipv4(&o->gateway4)) ||
	    (o->has_gateway6 && netaddr_is_ipv4(&o->gateway6))) {
		log_error(NATPMP_LOG, "natpmp_start: a gateway of the wrong family");
		return false;
	}
	return natpmp_range("lease", o->lease, NATPMP_MIN_LEASE, NATPMP_MAX_LEASE) &&
	    natpmp_range("retransmission timeout", o->retry_ms, 1, 60000) &&
	    natpmp_range("tries", o->tries, 1, 10) &&
	    natpmp_range("back-off", o->backoff, 1, 86400) &&
	    natpmp_range("largest back-off", o->backoff_max, o->backoff, 86400) &&
	    natpmp_range("stop timeout", o->stop_timeout_ms, 1, 10000) &&
	    natpmp_range("protocol", o->force, NATPMP_PROTO_NONE, NATPMP_PROTO_NATPMP);
}

struct natpmp *
natpmp_start(struct event_base *base, const struct natpmp_opts *opts,
    void (*cb)(void *arg, const struct natpmp_status *st), void *arg)
{
	struct natpmp *n;
	struct natpmp_opts o = *opts;

	if (base == NULL || cb == NULL) {
		log_error(NATPMP_LOG, "natpmp_start: no event base or callback");
		return NULL;
	}
	if (!natpmp_check_opts(&o))
		return NULL;
	n = xcalloc(1, sizeof *n);
	n->base = base;
	n->o = o;
	if (o.proc_net != NULL)
		n->proc_net = xstrdup(o.proc_net);
	n->o.proc_net = NULL;
	n->cb = cb;
	n->cb_arg = arg;
	for (int i = 0; i < NATPMP_NFAMILIES; i++) {
		struct natpmp_flow *f = &n->flow[i];

		f->np = n;
		f->fd = -1;
		f->st.family = (enum natpmp_family)i;
		if (!(i == NATPMP_IPV4 ? o.ipv4 : o.ipv6))
			continue;
		f->st.state = NATPMP_SEARCHING;
		f->st.next_at = clock_wall();
		f->logged_state = NATPMP_SEARCHING;
		f->backoff = o.backoff;
		rnd_bytes(f->pcp.nonce, sizeof f->pcp.nonce);
		f->pcp.internal_port = o.port;
		f->pcp.external_port = o.port;
		if (i == NATPMP_IPV4)	/* ::ffff:0.0.0.0, no preference */
			f->pcp.external_ip[10] = f->pcp.external_ip[11] = 0xff;
		f->ev_timer = evtimer_new(base, flow_timer, f);
		/* The first attempt on the next loop turn: CB never runs
		 * inside natpmp_start. */
		flow_arm(f, 0);
	}
	return n;
}

/* Deletion (lifetime 0) of F's mapping: the request into F->pkt. */
static void
flow_delete_request(struct natpmp_flow *f)
{
	if (f->proto == NATPMP_PROTO_PCP) {
		f->pcp.lifetime = 0;
		f->pktlen = pcp_encode_map(&f->pcp, f->pkt);
	} else
		f->pktlen = natpmp_encode_map(f->np->o.port, 0, 0, f->pkt);
	f->req = f->proto == NATPMP_PROTO_PCP ? NATPMP_REQ_PCP_MAP : NATPMP_REQ_MAP;
}

/* Is the datagram P an acknowledgement of F's deletion?  Returns 1 for a
 * success, -1 for a refusal (reason logged), 0 for anything else. */
static int
flow_delete_ack(struct natpmp_flow *f, const uint8_t *p, size_t len)
{
	struct pcp_map_reply m;
	struct natpmp_reply r;
	unsigned result;
	char why[96];

	if (f->proto == NATPMP_PROTO_PCP) {
		if (pcp_decode_map(p, len, &f->pcp, &m, why, sizeof why) !=
		    PCP_REPLY_OK || m.lifetime != 0)
			return 0;
		result = m.result;
	} else {
		if (natpmp_decode(p, len, NATPMP_OP_MAP_TCP, f->np->o.port, 0, &r,
		    why, sizeof why) != PCP_REPLY_OK || r.lifetime != 0)
			return 0;
		result = r.result;
	}
	if (result == 0)
		return 1;
	log_warn(NATPMP_LOG, "%s: gateway %s refused to remove the mapping of "
	    "TCP port %u: %s (%u); it lapses with its lease", flow_name(f),
	    f->st.gateway, f->np->o.port, f->proto == NATPMP_PROTO_PCP ?
	    pcp_result_name(result) : natpmp_result_name(result), result);
	return -1;
}

/* Send every deletion, then wait for the acknowledgements, retransmitting
 * with the usual doubling timeout, until all are in or the time is up. */
static void
natpmp_delete_all(struct natpmp *n)
{
	struct natpmp_flow *pending[NATPMP_NFAMILIES];
	int64_t deadline = clock_mono_ms() + n->o.stop_timeout_ms, now, due;
	int64_t next_send[NATPMP_NFAMILIES];
	uint8_t buf[PCP_MAX_PACKET + 1];
	struct pollfd pfd[NATPMP_NFAMILIES];
	int np = 0, wait, r;
	ssize_t len;

	for (int i = 0; i < NATPMP_NFAMILIES; i++) {
		struct natpmp_flow *f = &n->flow[i];

		if (!f->mapped || f->fd == -1)
			continue;
		flow_delete_request(f);
		f->rto_ms = n->o.retry_ms;
		next_send[np] = 0;
		pending[np++] = f;
	}
	while (np > 0 && (now = clock_mono_ms()) < deadline) {
		due = deadline;
		for (int i = 0; i < np; i++) {
			struct natpmp_flow *f = pending[i];

			if (now >= next_send[i]) {
				if (send(f->fd, f->pkt, f->pktlen, MSG_DONTWAIT) < 0)
					log_debug(NATPMP_LOG, "%s: send: %s",
					    flow_name(f), strerror(errno));
				next_send[i] = now + f->rto_ms;
				f->rto_ms *= 2;
			}
			if (next_send[i] < due)
				due = next_send[i];
			pfd[i].fd = f->fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		wait = (int)(due - now);
		if (poll(pfd, (nfds_t)np, wait > 0 ? wait : 0) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < np; i++) {
			struct natpmp_flow *f = pending[i];

			if ((pfd[i].revents & (POLLIN | POLLERR)) == 0)
				continue;
			r = 0;
			for (int k = 0; k < NATPMP_RECV_BURST && r == 0; k++) {
				len = recv(f->fd, buf, sizeof buf, MSG_DONTWAIT);
				if (len < 0 && errno == EINTR)
					continue;
				if (len < 0) {
					if (errno == ECONNREFUSED)
						r = -1;
					break;
				}
				r = flow_delete_ack(f, buf, (size_t)len);
			}
			if (r == 0)
				continue;
			if (r == 1)
				log_info(NATPMP_LOG, "%s: removed the mapping of TCP "
				    "port %u at %s", flow_name(f), n->o.port,
				    f->st.gateway);
			f->mapped = false;
			pending[i] = pending[--np];
			next_send[i] = next_send[np];
			pfd[i] = pfd[np];
			i--;
		}
	}
	for (int i = 0; i < np; i++)
		log_warn(NATPMP_LOG, "%s: gateway %s did not confirm removing the "
		    "mapping of TCP port %u within %d ms; it lapses with its lease",
		    flow_name(pending[i]), pending[i]->st.gateway, n->o.port,
		    n->o.stop_timeout_ms);
}

void
natpmp_stop(struct natpmp *n)
{
	if (n == NULL)
		return;
	natpmp_delete_all(n);
	for (int i = 0; i < NATPMP_NFAMILIES; i++) {
		flow_close(&n->flow[i]);
		if (n->flow[i].ev_timer != NULL)
			event_free(n->flow[i].ev_timer);
	}
	free(n->proc_net);
	free(n);
}

const struct natpmp_status *
natpmp_status(const struct natpmp *n, enum natpmp_family family)
{
	return &n->flow[family].st;
}

static json_t *
natpmp_addr_json(const struct netaddr *a, bool valid)
{
	char buf[NETADDR_STRLEN];

	return valid ? json_string(netaddr_format(a, buf, sizeof buf)) : json_null();
}

static json_t *
natpmp_flow_json(const struct natpmp_status *st)
{
	static const struct netaddr zero;
	bool mapped = st->state == NATPMP_MAPPED;

	return json_pack("{s:s, s:s, s:s?, s:o, s:o, s:o, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:s}",
	    "state", natpmp_state_name(st->state),
	    "protocol", natpmp_proto_name(st->proto),
	    "gateway", st->gateway[0] != '\0' ? st->gateway : NULL,
	    "internal", natpmp_addr_json(&st->internal,
		!netaddr_equal(&st->internal, &zero)),
	    /* What the gateway assigned even when not advertised: the
	     * operator sees the double NAT in "error". */
	    "external", natpmp_addr_json(&st->external, mapped),
	    "advertisable", json_boolean(mapped && st->has_external),
	    "lease", (json_int_t)st->lease,
	    "mapped_at", (json_int_t)st->mapped_at,
	    "next_attempt", (json_int_t)(st->state == NATPMP_OFF ? 0 : st->next_at),
	    "renewals", (json_int_t)st->renewals,
	    "gateway_restarts", (json_int_t)st->restarts,
	    "bad_replies", (json_int_t)st->bad_replies,
	    "error", st->error);
}

json_t *
natpmp_json(const struct natpmp *n)
{
	if (n == NULL)
		return json_pack("{s:b}", "enabled", 0);
	return json_pack("{s:b, s:o, s:o}", "enabled", 1,
	    "ipv4", natpmp_flow_json(&n->flow[NATPMP_IPV4].st),
	    "ipv6", natpmp_flow_json(&n->flow[NATPMP_IPV6].st));
}
