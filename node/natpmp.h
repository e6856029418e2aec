/* natpmp.h -- map the p2p port with PCP (RFC 6887), falling back to NAT-PMP (RFC 6886), on the event loop. */
#ifndef AGENTCHAIN_NATPMP_H
#define AGENTCHAIN_NATPMP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "netaddr.h"

/*
 * Two flows, each on its own UDP socket connected to a gateway's port
 * 5351 and driven by libevent (no thread, nothing blocks except
 * natpmp_stop's bounded wait for the deletion acknowledgements):
 *   IPv4: a TCP port mapping on the default gateway; its external address
 *         is what the node advertises.
 *   IPv6: a PCP MAP for our global IPv6 address (a firewall pinhole) on
 *         the IPv6 default gateway, when the host has such an address.
 * Each flow asks by PCP first and switches to NAT-PMP (IPv4 only) when
 * the gateway answers UNSUPP_VERSION; requests are retransmitted with a
 * doubling timeout, mappings renewed at half their granted lifetime,
 * failures retried with a doubling back-off.  Replies are checked by the
 * codec in pcp.h; replies that fail the checks are counted and dropped.
 */

struct event_base;

#define NATPMP_SERVER_PORT	5351	/* both protocols (RFC 6887 section 19.1) */
#define NATPMP_DEFAULT_LEASE	3600	/* seconds; renewed at half */
#define NATPMP_MIN_LEASE	2	/* small leases only make sense in tests */
#define NATPMP_MAX_LEASE	86400	/* also the most we believe a gateway grants */
#define NATPMP_DEFAULT_RETRY_MS	500	/* first retransmission timeout, doubling */
#define NATPMP_DEFAULT_TRIES	4	/* sends per request: 0.5+1+2+4 s */
#define NATPMP_DEFAULT_BACKOFF	60	/* seconds after a failure, doubling ... */
#define NATPMP_MAX_BACKOFF	1800	/* ... up to this */
#define NATPMP_STOP_TIMEOUT_MS	1000	/* natpmp_stop waits this long at most */

enum natpmp_family {
	NATPMP_IPV4 = 0,
	NATPMP_IPV6,
	NATPMP_NFAMILIES,
};

enum natpmp_state {
	NATPMP_OFF = 0,		/* this family was not asked for */
	NATPMP_SEARCHING,	/* a request is out, no answer yet */
	NATPMP_NO_GATEWAY,	/* no route, no usable address, or nobody answered */
	NATPMP_MAPPED,		/* mapping granted or renewed */
	NATPMP_FAILED,		/* a gateway answered, but refused or misbehaved */
};

enum natpmp_proto {
	NATPMP_PROTO_NONE = 0,	/* not known yet; in opts: PCP, then NAT-PMP */
	NATPMP_PROTO_PCP,
	NATPMP_PROTO_NATPMP,
};

/* One flow's state, a plain value.  Strings are NUL-terminated and hold
 * nothing the gateway sent except through the codec's checks. */
struct natpmp_status {
	enum natpmp_family	family;
	enum natpmp_state	state;
	enum natpmp_proto	proto;		/* what the gateway answered */
	char			gateway[NETADDR_STRLEN + IF_NAMESIZE]; /* "" none */
	struct netaddr		internal;	/* our address and port; zero until known */
	/* The external address and port the gateway assigned; only
	 * meaningful when HAS_EXTERNAL, which requires an address peers can
	 * reach (netaddr_is_valid_peer under the allow_private option). */
	struct netaddr		external;
	bool			has_external;
	uint32_t		lease;		/* granted seconds of the last mapping */
	int64_t			mapped_at;	/* wall seconds of the last grant, 0 never */
	int64_t			next_at;	/* wall seconds of the next renewal or retry */
	unsigned		renewals;	/* grants after the first on this gateway */
	unsigned		restarts;	/* times the gateway's epoch showed lost state */
	unsigned		bad_replies;	/* replies dropped by the codec's checks */
	char			error[160];	/* the last problem, "" when none */
};

/* Everything natpmp_start accepts.  Zero means "default" for every
 * numeric field. */
struct natpmp_opts {
	uint16_t	 port;		/* required: internal and suggested external port */
	bool		 ipv4;		/* map IPv4 ... */
	bool		 ipv6;		/* ... and/or open an IPv6 pinhole */
	uint32_t	 lease;		/* requested lifetime, NATPMP_MIN..MAX_LEASE */
	/* Gateways to use instead of the default routes' (port 0: 5351).  An
	 * IPv6 override is reached from whatever source address the kernel
	 * picks for it; without one, the pinhole is for the global address
	 * on the default route's interface. */
	struct netaddr	 gateway4, gateway6;
	bool		 has_gateway4, has_gateway6;
	/* Accept private and loopback addresses as internal IPv6 and as
	 * external addresses worth advertising (regtest, tests). */
	bool		 allow_private;
	enum natpmp_proto force;	/* NONE: PCP, then NAT-PMP on UNSUPP_VERSION */
	int		 retry_ms;	/* first retransmission timeout, 1..60000 */
	int		 tries;		/* sends per request, 1..10 */
	int		 backoff;	/* seconds to the first retry, 1..86400 */
	int		 backoff_max;	/* largest retry interval, backoff..86400 */
	int		 stop_timeout_ms;	/* natpmp_stop's wait, 1..10000 */
	const char	*proc_net;	/* directory of route, ipv6_route, if_inet6 */
};

struct natpmp;

/* Start the flows OPTS asks for on BASE.  CB is called on the loop with
 * a flow's status after each change and each renewal (never from inside
 * natpmp_start, never after natpmp_stop); the pointer is valid only
 * during the call, and CB must not call natpmp_stop.  OPTS is copied.
 * Returns NULL (and logs why) on an invalid option. */
struct natpmp *natpmp_start(struct event_base *base, const struct natpmp_opts *opts,
    void (*cb)(void *arg, const struct natpmp_status *st), void *arg);

/* Delete every mapping held (lifetime 0), waiting at most stop_timeout_ms
 * in all for the gateways' acknowledgements (the loop need not run; this
 * polls the sockets itself), then free everything.  A gateway that does
 * not answer is left to the lease.  N may be NULL. */
void natpmp_stop(struct natpmp *n);

/* The current status of flow FAMILY (state NATPMP_OFF when not asked
 * for).  Valid until the next loop turn. */
const struct natpmp_status *natpmp_status(const struct natpmp *n,
    enum natpmp_family family);

/* What getnetworkinfo shows: {"enabled": false} for N NULL, else
 * "enabled", "ipv4" and "ipv6" objects with state, protocol, gateway,
 * internal, external, lease, mapped_at, next_attempt, renewals,
 * gateway_restarts, bad_replies and error.  Returns a new reference. */
json_t *natpmp_json(const struct natpmp *n);

const char *natpmp_state_name(enum natpmp_state s);
const char *natpmp_proto_name(enum natpmp_proto p);

#endif
