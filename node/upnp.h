/* upnp.h -- optional UPnP-IGD port mapping for the p2p port, off by default. */
#ifndef AGENTCHAIN_UPNP_H
#define AGENTCHAIN_UPNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

/*
 * UPnP means SSDP discovery plus HTTP/SOAP/XML from whatever answers on
 * the LAN, parsed by miniupnpc -- the attack surface that made Bitcoin
 * Core turn UPnP off by default and later drop it.  So it is off unless
 * asked for, every miniupnpc call runs on one worker thread per instance
 * (they block for seconds), and everything the router says is checked
 * before it reaches the event loop: the control URL must stay on the
 * router's own host, the external address must be a routable IPv4
 * address, strings are bounded and sanitized before logging.
 */

struct event_base;

#define UPNP_DEFAULT_LEASE	3600	/* seconds; renewed at half */
#define UPNP_MIN_LEASE		2	/* small leases only make sense in tests */
#define UPNP_MAX_LEASE		604800	/* IGDv2's cap: one week */
#define UPNP_DEFAULT_DISCOVER_MS 2000	/* how long upnpDiscover listens */
#define UPNP_MAX_DISCOVER_MS	10000
#define UPNP_DEFAULT_RETRY	300	/* seconds between failed attempts */
#define UPNP_STOP_TIMEOUT_MS	3000	/* upnp_stop waits this long at most */
#define UPNP_URL_MAX		512	/* longest URL accepted from anyone */

enum upnp_state {
	UPNP_SEARCHING = 0,	/* worker started, no answer yet */
	UPNP_NO_IGD,		/* nothing on the LAN offers port mappings */
	UPNP_MAPPED,		/* mapping added or renewed */
	UPNP_FAILED,		/* an IGD exists but refused or misbehaved */
};

/* What the worker reports; a plain value, copied to the loop thread.
 * Strings are always NUL-terminated and printable (sanitized). */
struct upnp_status {
	enum upnp_state	state;
	/* The router's external address and the mapped external port; only
	 * meaningful when HAS_EXTERNAL, which requires a routable address. */
	struct netaddr	external;
	bool		has_external;
	char		igd_url[128];	/* root description URL, sanitized */
	char		error[128];	/* why NO_IGD/FAILED, or a warning */
	int64_t		mapped_at;	/* wall-clock seconds of the last add */
	int		lease;		/* granted lease in seconds, 0 = permanent */
};

/* Everything upnp_start_opts accepts.  Zero means "default" for every
 * numeric field; NULL strings mean "none". */
struct upnp_opts {
	uint16_t	 internal_port;		/* required: the p2p listen port */
	uint16_t	 external_port;		/* 0: same as internal_port */
	int		 lease_seconds;		/* UPNP_MIN_LEASE..UPNP_MAX_LEASE */
	/* 1..UPNP_MAX_DISCOVER_MS; miniupnpc waits at least one second. */
	int		 discover_delay_ms;
	int		 retry_seconds;		/* wait after NO_IGD or FAILED */
	const char	*multicast_if;		/* interface name or IPv4 for SSDP */
	const char	*minissdpd_socket;	/* path of minissdpd's socket */
	/* Skip SSDP and use this root description, "http://IPv4[:port]/..."
	 * (upnp_url_host's rules).  It is configuration, so trusted: its
	 * host need not be a LAN address. */
	const char	*rootdesc_url;
	const char	*description;		/* mapping description, "agentnode" */
	int		 stop_timeout_ms;	/* upnp_stop's wait, 1..10000 */
};

struct upnp;

/* Start mapping OPTS->internal_port in a worker thread.  CB is called on
 * the loop thread of BASE (from an event on BASE) with each state change
 * and each renewal: UPNP_SEARCHING first, then NO_IGD, MAPPED or FAILED;
 * after NO_IGD or FAILED the worker tries again every retry_seconds.
 * The status pointer is valid only during the call.  CB must not call
 * upnp_stop.  The strings in OPTS are copied.  Returns NULL (and logs why)
 * on an invalid option or when the thread cannot be started. */
struct upnp *upnp_start_opts(struct event_base *base, const struct upnp_opts *opts,
    void (*cb)(void *arg, const struct upnp_status *st), void *arg);

/* upnp_start_opts with defaults for everything not named.  LEASE_SECONDS
 * 0 means UPNP_DEFAULT_LEASE; MULTICAST_IF and MINISSDPD_SOCKET may be
 * NULL. */
struct upnp *upnp_start(struct event_base *base, uint16_t internal_port,
    uint16_t external_port, int lease_seconds, const char *multicast_if,
    const char *minissdpd_socket,
    void (*cb)(void *arg, const struct upnp_status *st), void *arg);

/* Stop the worker: it deletes the mapping if it holds one, then exits.
 * Waits at most stop_timeout_ms (default UPNP_STOP_TIMEOUT_MS); a worker
 * stuck on a router that does not answer is then left to finish on its
 * own (it owns its memory, and the mapping lapses with its lease).  No callback runs after this
 * returns.  Call on the loop thread, never from inside CB.  U may be
 * NULL. */
void upnp_stop(struct upnp *u);

/* The most recent status delivered to CB (UPNP_SEARCHING before any).
 * Valid until the next callback or upnp_stop. */
const struct upnp_status *upnp_last_status(const struct upnp *u);

const char *upnp_state_name(enum upnp_state s);

/* Check the external address string a router reported.  S must be a bare
 * dotted-quad IPv4 address, at most 15 characters; it must be routable
 * (netaddr_classify).  On success fills OUT with it and PORT and returns
 * 0; otherwise returns -1 with a reason in ERR (which quotes S sanitized).
 * Pure: no I/O, no state. */
int upnp_validate_external(const char *s, uint16_t port, struct netaddr *out,
    char *err, size_t errlen);

/* Split an "http://a.b.c.d[:port]/path" URL.  Only http with an IPv4
 * literal host is accepted (an IGD is addressed by IP; host names would
 * mean DNS on the router's say-so); port 1..65535, default 80; at most
 * UPNP_URL_MAX-1 characters, all printable ASCII without spaces.  Fills
 * OUT with host and port.  Returns 0 or -1.  Pure. */
int upnp_url_host(const char *url, struct netaddr *out);

/* Check the URLs an IGD description produced before any SOAP request is
 * sent: CONTROL_URL must be on the same host and port as ROOTDESC_URL
 * (a description could otherwise aim our requests at any host), and when
 * the root description came from SSDP (DISCOVERED) its host must be a
 * private or link-local address -- an IGD lives on the LAN.  Returns 0,
 * or -1 with a reason in ERR.  Pure. */
int upnp_validate_urls(const char *rootdesc_url, const char *control_url,
    bool discovered, char *err, size_t errlen);

#endif
