/* upnp.c -- UPnP-IGD port mapping on a worker thread, replies checked.
 *
 * miniupnpc blocks (SSDP listens for the whole discover delay, every SOAP
 * call is a synchronous HTTP exchange), so none of it may run on the event
 * loop.  One worker thread per instance does discovery, mapping, renewal
 * and deletion; it hands each finished status to the loop as one
 * SOCK_SEQPACKET datagram holding a struct upnp_status by value, so the
 * loop never shares memory with the worker and the node's event_base
 * needs no libevent thread support.
 *
 * The worker and upnp_stop share one small refcounted block (mutex,
 * condition variable, stop flag).  upnp_stop waits a bounded time for the
 * worker; if a router stalls past that, the worker is detached and frees
 * the block itself when its blocking call finally returns.
 *
 * Trust: SSDP answers and every HTTP body come from any host on the LAN.
 * Before a request goes anywhere the URL is checked (http, IPv4 literal,
 * LAN address when discovered, control URL on the description's host);
 * what comes back is bounded, validated and sanitized before it is
 * logged or reported. */
#include "upnp.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include "log.h"
#include "strutil.h"
#include "xmalloc.h"

/* Written against API 17 (miniupnpc 2.2.4, Debian 12).  Nothing here uses
 * UPNP_GetValidIGD, whose arguments and return codes changed in API 18;
 * the calls used have kept their signatures since. */
#if !defined(MINIUPNPC_API_VERSION) || MINIUPNPC_API_VERSION < 17
#error "miniupnpc API 17 (2.2) or later is needed"
#endif

#define UPNP_LOG	"upnp"
/* Discovered devices whose descriptions we fetch, at most: each costs an
 * HTTP round trip and a hostile LAN can answer SSDP many times over. */
#define UPNP_MAX_DEVICES 8
/* UPnP error 725: OnlyPermanentLeasesSupported (IGDv1 routers). */
#define UPNP_ERR_PERMANENT_ONLY 725
/* "255.255.255.255" plus NUL; miniupnpc writes at most 16 bytes. */
#define UPNP_IPV4_STRLEN 16

/* State shared by the loop side and the worker; freed by whichever lets
 * go last.  Configuration is written before the thread starts and only
 * read afterwards; STOPPING, DONE and REFS are under MTX. */
struct upnp_shared {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cond;
	bool		 stopping;
	bool		 done;
	int		 refs;

	int		 wfd;		/* worker's end of the socketpair */
	uint16_t	 internal_port;
	uint16_t	 external_port;
	int		 lease;
	int		 discover_ms;
	int		 retry;
	char		*multicast_if;
	char		*minissdpd_socket;
	char		*rootdesc_url;
	char		*description;
};

struct upnp {
	struct event		*ev;
	int			 rfd;
	int			 stop_timeout_ms;
	pthread_t		 thread;
	struct upnp_shared	*sh;
	struct upnp_status	 last;
	void			(*cb)(void *, const struct upnp_status *);
	void			*cb_arg;
};

/* One IGD the worker talks to: the miniupnpc structures it needs. */
struct upnp_igd {
	struct UPNPUrls	urls;
	struct IGDdatas	data;
	char		lanaddr[64];
	char		desc_url[128];	/* sanitized, for messages */
};

const char *
upnp_state_name(enum upnp_state s)
{
	switch (s) {
	case UPNP_SEARCHING:
		return "searching";
	case UPNP_NO_IGD:
		return "no-igd";
	case UPNP_MAPPED:
		return "mapped";
	case UPNP_FAILED:
		return "failed";
	}
	return "unknown";
}

/* --- pure validation ------------------------------------------------------ */

int
upnp_validate_external(const char *s, uint16_t port, struct netaddr *out,
    char *err, size_t errlen)
{
	char safe[64];
	struct netaddr a;
	enum netaddr_class c;
	size_t n;

	if (s == NULL || *s == '\0') {
		str_errf(err, errlen, "router reported no external address");
		return -1;
	}
	n = strnlen(s, UPNP_IPV4_STRLEN);
	str_sanitize(s, n, safe, sizeof safe);
	/* Digits and dots only: netaddr_parse would also take a port or an
	 * IPv6 literal, neither of which GetExternalIPAddress may return. */
	if (n >= UPNP_IPV4_STRLEN || strspn(s, "0123456789.") != n ||
	    port == 0 || netaddr_parse(s, port, &a) != 0) {
		str_errf(err, errlen, "router reported a malformed external "
		    "address \"%s\"", safe);
		return -1;
	}
	c = netaddr_classify(&a);
	if (c != NETADDR_ROUTABLE) {
		str_errf(err, errlen, "router reported a non-routable external "
		    "address (%s, %s)", safe, netaddr_class_name(c));
		return -1;
	}
	*out = a;
	return 0;
}

int
upnp_url_host(const char *url, struct netaddr *out)
{
	char host[UPNP_IPV4_STRLEN];
	const char *p, *q;
	unsigned long port = 80;
	size_t hlen;

	if (url == NULL || strnlen(url, UPNP_URL_MAX) >= UPNP_URL_MAX ||
	    strncasecmp(url, "http://", 7) != 0)
		return -1;
	/* The path ends up in a request line: no spaces, no CR/LF, no
	 * control or 8-bit bytes. */
	for (p = url; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f)
			return -1;
	}
	p = url + 7;
	hlen = strspn(p, "0123456789.");
	if (hlen == 0 || hlen >= sizeof host)
		return -1;
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	q = p + hlen;
	if (*q == ':') {
		size_t dlen = strspn(q + 1, "0123456789");

		/* No sign, no leading zero, at most five digits. */
		if (dlen == 0 || dlen > 5 || q[1] == '0')
			return -1;
		port = strtoul(q + 1, NULL, 10);
		if (port > 65535)
			return -1;
		q += 1 + dlen;
	}
	if (*q != '/' && *q != '\0')
		return -1;
	return netaddr_parse(host, (uint16_t)port, out);
}

int
upnp_validate_urls(const char *rootdesc_url, const char *control_url,
    bool discovered, char *err, size_t errlen)
{
	char s1[96], s2[96];
	struct netaddr root, ctl;
	enum netaddr_class c;

	str_sanitize(rootdesc_url != NULL ? rootdesc_url : "", rootdesc_url != NULL ?
	    strnlen(rootdesc_url, UPNP_URL_MAX) : 0, s1, sizeof s1);
	str_sanitize(control_url != NULL ? control_url : "", control_url != NULL ?
	    strnlen(control_url, UPNP_URL_MAX) : 0, s2, sizeof s2);
	if (upnp_url_host(rootdesc_url, &root) != 0) {
		str_errf(err, errlen, "unusable description URL \"%s\"", s1);
		return -1;
	}
	if (discovered) {
		c = netaddr_classify(&root);
		if (c != NETADDR_PRIVATE && c != NETADDR_LINKLOCAL) {
			str_errf(err, errlen, "device at \"%s\" is not on the "
			    "local network (%s)", s1, netaddr_class_name(c));
			return -1;
		}
	}
	if (upnp_url_host(control_url, &ctl) != 0) {
		str_errf(err, errlen, "unusable control URL \"%s\"", s2);
		return -1;
	}
	if (!netaddr_equal(&root, &ctl)) {
		str_errf(err, errlen, "control URL \"%s\" is not on the "
		    "device's host \"%s\"", s2, s1);
		return -1;
	}
	return 0;
}

/* --- shared block ----------------------------------------------------------- */

static void
upnp_shared_free(struct upnp_shared *sh)
{
	pthread_cond_destroy(&sh->cond);
	pthread_mutex_destroy(&sh->mtx);
	if (sh->wfd != -1)
		close(sh->wfd);
	free(sh->multicast_if);
	free(sh->minissdpd_socket);
	free(sh->rootdesc_url);
	free(sh->description);
	free(sh);
}

/* Drop one reference; the last one frees.  Called with MTX held, returns
 * with it released. */
static void
upnp_shared_unref_locked(struct upnp_shared *sh)
{
	bool last = --sh->refs == 0;

	pthread_mutex_unlock(&sh->mtx);
	if (last)
		upnp_shared_free(sh);
}

static bool
upnp_stopping(struct upnp_shared *sh)
{
	bool s;

	pthread_mutex_lock(&sh->mtx);
	s = sh->stopping;
	pthread_mutex_unlock(&sh->mtx);
	return s;
}

/* The CLOCK_MONOTONIC time MS milliseconds from now, for timed waits on
 * the shared condition variable (which runs on that clock). */
static void
upnp_deadline(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Sleep up to MS milliseconds or until upnp_stop.  Returns true when
 * stopping. */
static bool
upnp_sleep(struct upnp_shared *sh, int64_t ms)
{
	struct timespec ts;
	bool s;

	upnp_deadline(&ts, ms);
	pthread_mutex_lock(&sh->mtx);
	while (!sh->stopping) {
		if (pthread_cond_timedwait(&sh->cond, &sh->mtx, &ts) == ETIMEDOUT)
			break;
	}
	s = sh->stopping;
	pthread_mutex_unlock(&sh->mtx);
	return s;
}

/* --- worker ------------------------------------------------------------------- */

/* Hand a copy of ST to the loop.  A full socket buffer means the loop is
 * far behind; the status is dropped rather than blocking the worker, and
 * after upnp_stop the loop's end is gone, which is fine too. */
static void
upnp_post(struct upnp_shared *sh, const struct upnp_status *st)
{
	if (upnp_stopping(sh))
		return;
	if (send(sh->wfd, st, sizeof *st, MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    (ssize_t)sizeof *st)
		log_debug(UPNP_LOG, "status %s not delivered: %s",
		    upnp_state_name(st->state), strerror(errno));
}

static void
upnp_error_text(int r, char *buf, size_t len)
{
	const char *s = strupnperror(r);

	if (s != NULL)
		snprintf(buf, len, "%d, %s", r, s);
	else
		snprintf(buf, len, "%d", r);
}

static void
upnp_igd_free(struct upnp_igd *igd)
{
	FreeUPNPUrls(&igd->urls);
	memset(igd, 0, sizeof *igd);
}

/* Fetch and check the root description at URL (already vetted when
 * DISCOVERED).  Returns 0 with IGD filled, -1 when nothing usable answered
 * (NO_IGD), -2 when a device answered but failed a check (reason in
 * ERR). */
static int
upnp_try_igd(const char *url, bool discovered, struct upnp_igd *igd, char *err,
    size_t errlen)
{
	struct netaddr lan;
	const char *stype;

	memset(igd, 0, sizeof *igd);
	str_sanitize(url, strnlen(url, UPNP_URL_MAX), igd->desc_url,
	    sizeof igd->desc_url);
	if (UPNP_GetIGDFromUrl(url, &igd->urls, &igd->data, igd->lanaddr,
	    (int)sizeof igd->lanaddr) != 1) {
		str_errf(err, errlen, "no answer from %s", igd->desc_url);
		upnp_igd_free(igd);
		return -1;
	}
	igd->lanaddr[sizeof igd->lanaddr - 1] = '\0';
	stype = igd->data.first.servicetype;
	if (strnlen(stype, MINIUPNPC_URL_MAXSIZE) == MINIUPNPC_URL_MAXSIZE ||
	    (strstr(stype, ":WANIPConnection:") == NULL &&
	    strstr(stype, ":WANPPPConnection:") == NULL) ||
	    igd->urls.controlURL == NULL) {
		str_errf(err, errlen, "%s is not an internet gateway", igd->desc_url);
		upnp_igd_free(igd);
		return -1;
	}
	if (upnp_validate_urls(url, igd->urls.controlURL, discovered, err,
	    errlen) != 0) {
		upnp_igd_free(igd);
		return -2;
	}
	/* Our own address as the router's socket saw it; we send it back as
	 * the mapping's internal client, so it must be a plain IPv4. */
	if (strspn(igd->lanaddr, "0123456789.") != strlen(igd->lanaddr) ||
	    netaddr_parse(igd->lanaddr, 1, &lan) != 0) {
		str_errf(err, errlen, "no usable local address towards %s",
		    igd->desc_url);
		upnp_igd_free(igd);
		return -2;
	}
	if (!UPNPIGD_IsConnected(&igd->urls, &igd->data)) {
		str_errf(err, errlen, "router %s reports its internet link is down",
		    igd->desc_url);
		upnp_igd_free(igd);
		return -2;
	}
	return 0;
}

/* What SSDP searches for.  upnpDiscover would try four types one after
 * the other, each for the whole delay when nobody answers; the UPnP
 * device architecture has every IGD (v2 included) answer a search for
 * InternetGatewayDevice:1, which is all libtorrent asks for too. */
static const char *const upnp_search_types[] = {
	"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
	NULL,
};

/* Find an IGD: the configured URL, or SSDP.  Returns as upnp_try_igd;
 * ERR explains the most telling failure (a misbehaving device over a
 * silent one). */
static int
upnp_find_igd(struct upnp_shared *sh, struct upnp_igd *igd, char *err,
    size_t errlen)
{
	struct UPNPDev *devlist, *dev;
	char why[128];
	int error = 0, tried = 0, r, best = -1;

	if (sh->rootdesc_url != NULL)
		return upnp_try_igd(sh->rootdesc_url, false, igd, err, errlen);

	devlist = upnpDiscoverDevices(upnp_search_types, sh->discover_ms,
	    sh->multicast_if, sh->minissdpd_socket, UPNP_LOCAL_PORT_ANY, 0, 2,
	    &error, 0);
	if (devlist == NULL) {
		if (error != UPNPDISCOVER_SUCCESS)
			log_debug(UPNP_LOG, "discovery error %d", error);
		str_errf(err, errlen, "no UPnP device answered");
		return -1;
	}
	str_errf(err, errlen, "no internet gateway among the UPnP devices");
	for (dev = devlist; dev != NULL && tried < UPNP_MAX_DEVICES;
	    dev = dev->pNext) {
		if (dev->descURL == NULL)
			continue;
		if (upnp_stopping(sh))
			break;
		tried++;
		/* Vet the SSDP LOCATION before fetching anything from it:
		 * an http URL on a LAN address, or nothing. */
		if (upnp_validate_urls(dev->descURL, dev->descURL, true, why,
		    sizeof why) != 0)
			r = -2;
		else
			r = upnp_try_igd(dev->descURL, true, igd, why, sizeof why);
		if (r == 0) {
			best = 0;
			break;
		}
		log_debug(UPNP_LOG, "skipped a device: %s", why);
		if (r == -2 || best == -1)
			str_copy(err, why, errlen);
		if (r == -2)
			best = -2;
	}
	freeUPNPDevlist(devlist);
	return best;
}

/* Add or refresh the mapping and read the external address.  Returns 0
 * with ST filled as MAPPED, or -1 with ST->error set. */
static int
upnp_map(struct upnp_shared *sh, struct upnp_igd *igd, struct upnp_status *st)
{
	char ext[8], in[8], lease[16], ip[UPNP_IPV4_STRLEN + 8], why[64];
	const char *ctl = igd->urls.controlURL, *stype = igd->data.first.servicetype;
	int r, granted = sh->lease;

	snprintf(ext, sizeof ext, "%u", sh->external_port);
	snprintf(in, sizeof in, "%u", sh->internal_port);
	snprintf(lease, sizeof lease, "%d", sh->lease);
	r = UPNP_AddPortMapping(ctl, stype, ext, in, igd->lanaddr,
	    sh->description, "TCP", NULL, lease);
	if (r == UPNP_ERR_PERMANENT_ONLY) {
		granted = 0;
		r = UPNP_AddPortMapping(ctl, stype, ext, in, igd->lanaddr,
		    sh->description, "TCP", NULL, "0");
	}
	if (r != UPNPCOMMAND_SUCCESS) {
		upnp_error_text(r, why, sizeof why);
		str_errf(st->error, sizeof st->error, "router refused to map "
		    "TCP port %s (%s)", ext, why);
		return -1;
	}
	st->state = UPNP_MAPPED;
	st->mapped_at = (int64_t)time(NULL);
	st->lease = granted;
	st->has_external = false;
	st->error[0] = '\0';
	memset(&st->external, 0, sizeof st->external);

	memset(ip, 0, sizeof ip);
	r = UPNP_GetExternalIPAddress(ctl, stype, ip);
	ip[sizeof ip - 1] = '\0';
	if (r != UPNPCOMMAND_SUCCESS) {
		upnp_error_text(r, why, sizeof why);
		str_errf(st->error, sizeof st->error, "router did not report "
		    "its external address (%s)", why);
	} else if (upnp_validate_external(ip, sh->external_port, &st->external,
	    st->error, sizeof st->error) == 0)
		st->has_external = true;
	return 0;
}

static void
upnp_unmap(struct upnp_shared *sh, struct upnp_igd *igd)
{
	char ext[8], why[64];
	int r;

	snprintf(ext, sizeof ext, "%u", sh->external_port);
	r = UPNP_DeletePortMapping(igd->urls.controlURL,
	    igd->data.first.servicetype, ext, "TCP", NULL);
	if (r == UPNPCOMMAND_SUCCESS)
		log_info(UPNP_LOG, "removed the mapping of TCP port %s", ext);
	else {
		upnp_error_text(r, why, sizeof why);
		log_warn(UPNP_LOG, "could not remove the mapping of TCP port "
		    "%s (%s); it lapses with its lease", ext, why);
	}
}

static void
upnp_log_mapped(struct upnp_shared *sh, const struct upnp_status *st,
    const struct upnp_status *prev)
{
	char ext[NETADDR_STRLEN], lease[24];

	if (st->has_external)
		netaddr_format(&st->external, ext, sizeof ext);
	else
		snprintf(ext, sizeof ext, "unknown");
	/* A renewal that changed nothing is routine. */
	if (prev->state == UPNP_MAPPED && prev->has_external == st->has_external &&
	    netaddr_equal(&prev->external, &st->external) &&
	    strcmp(prev->error, st->error) == 0) {
		log_debug(UPNP_LOG, "renewed the mapping of TCP port %u",
		    sh->external_port);
		return;
	}
	if (st->lease == 0)
		snprintf(lease, sizeof lease, "permanent");
	else
		snprintf(lease, sizeof lease, "%d s", st->lease);
	log_info(UPNP_LOG, "mapped TCP port %u to %u via %s, lease %s; "
	    "external address %s", sh->external_port, sh->internal_port,
	    st->igd_url, lease, ext);
	if (st->error[0] != '\0')
		log_warn(UPNP_LOG, "%s; not advertising it", st->error);
}

static void *
upnp_worker(void *arg)
{
	struct upnp_shared *sh = arg;
	struct upnp_status st, prev;
	struct upnp_igd igd;
	bool have_igd = false, mapped = false;
	int64_t wait_ms;
	int r;

	memset(&st, 0, sizeof st);
	memset(&igd, 0, sizeof igd);
	st.state = UPNP_SEARCHING;
	prev = st;
	upnp_post(sh, &st);
	log_debug(UPNP_LOG, "looking for an internet gateway");

	while (!upnp_stopping(sh)) {
		if (!have_igd) {
			r = upnp_find_igd(sh, &igd, st.error, sizeof st.error);
			if (r == 0)
				have_igd = true;
			if (upnp_stopping(sh))
				break;
			if (r != 0) {
				st.state = r == -1 ? UPNP_NO_IGD : UPNP_FAILED;
				st.has_external = false;
				st.igd_url[0] = '\0';
				/* Said once; retries that find nothing again are
				 * only worth a debug line. */
				if (prev.state != st.state ||
				    strcmp(prev.error, st.error) != 0) {
					if (st.state == UPNP_NO_IGD)
						log_info(UPNP_LOG, "no UPnP internet "
						    "gateway found (%s); running "
						    "without a port mapping", st.error);
					else
						log_warn(UPNP_LOG, "%s; running "
						    "without a port mapping", st.error);
				} else
					log_debug(UPNP_LOG, "still %s: %s",
					    upnp_state_name(st.state), st.error);
				upnp_post(sh, &st);
				prev = st;
				if (upnp_sleep(sh, (int64_t)sh->retry * 1000))
					break;
				continue;
			}
			str_copy(st.igd_url, igd.desc_url, sizeof st.igd_url);
		}
		if (upnp_map(sh, &igd, &st) == 0) {
			mapped = true;
			upnp_log_mapped(sh, &st, &prev);
			wait_ms = (int64_t)sh->lease * 500;
		} else {
			/* The router may have rebooted or been replaced:
			 * look it up afresh next time. */
			st.state = UPNP_FAILED;
			st.has_external = false;
			if (prev.state != st.state || strcmp(prev.error, st.error) != 0)
				log_warn(UPNP_LOG, "%s", st.error);
			else
				log_debug(UPNP_LOG, "still failing: %s", st.error);
			upnp_igd_free(&igd);
			have_igd = mapped = false;
			wait_ms = (int64_t)sh->retry * 1000;
		}
		upnp_post(sh, &st);
		prev = st;
		if (upnp_sleep(sh, wait_ms))
			break;
	}

	if (mapped)
		upnp_unmap(sh, &igd);
	if (have_igd)
		upnp_igd_free(&igd);

	pthread_mutex_lock(&sh->mtx);
	sh->done = true;
	pthread_cond_broadcast(&sh->cond);
	upnp_shared_unref_locked(sh);
	return NULL;
}

/* --- loop side ---------------------------------------------------------------- */

static void
upnp_readable(evutil_socket_t fd, short what, void *arg)
{
	struct upnp *u = arg;
	struct upnp_status st;
	ssize_t n;

	(void)what;
	for (;;) {
		n = recv(fd, &st, sizeof st, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0) {
			/* The worker is gone (it only leaves after upnp_stop,
			 * but a level-triggered EOF must never spin). */
			event_del(u->ev);
			break;
		}
		if (n != (ssize_t)sizeof st)
			break;
		/* Cheap belt and braces: the worker terminates these. */
		st.igd_url[sizeof st.igd_url - 1] = '\0';
		st.error[sizeof st.error - 1] = '\0';
		u->last = st;
		u->cb(u->cb_arg, &u->last);
	}
}

static bool
upnp_opt_range(const char *name, int v, int min, int max)
{
	if (v >= min && v <= max)
		return true;
	log_error(UPNP_LOG, "%s %d out of range %d..%d", name, v, min, max);
	return false;
}

struct upnp *
upnp_start_opts(struct event_base *base, const struct upnp_opts *opts,
    void (*cb)(void *arg, const struct upnp_status *st), void *arg)
{
	struct upnp_shared *sh;
	struct upnp *u;
	sigset_t all, old;
	int fds[2], r;
	int lease = opts->lease_seconds != 0 ? opts->lease_seconds : UPNP_DEFAULT_LEASE;
	int delay = opts->discover_delay_ms != 0 ? opts->discover_delay_ms :
	    UPNP_DEFAULT_DISCOVER_MS;
	int retry = opts->retry_seconds != 0 ? opts->retry_seconds : UPNP_DEFAULT_RETRY;
	int stop_ms = opts->stop_timeout_ms != 0 ? opts->stop_timeout_ms :
	    UPNP_STOP_TIMEOUT_MS;

	if (base == NULL || cb == NULL || opts->internal_port == 0) {
		log_error(UPNP_LOG, "upnp_start: no event base, callback or port");
		return NULL;
	}
	if (!upnp_opt_range("lease", lease, UPNP_MIN_LEASE, UPNP_MAX_LEASE) ||
	    !upnp_opt_range("discover delay", delay, 1, UPNP_MAX_DISCOVER_MS) ||
	    !upnp_opt_range("retry interval", retry, 1, 86400) ||
	    !upnp_opt_range("stop timeout", stop_ms, 1, 10000))
		return NULL;
	if (opts->rootdesc_url != NULL) {
		struct netaddr dummy;

		if (upnp_url_host(opts->rootdesc_url, &dummy) != 0) {
			log_error(UPNP_LOG, "root description URL must be "
			    "http://IPv4[:port]/path");
			return NULL;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == -1) {
		log_error(UPNP_LOG, "socketpair: %s", strerror(errno));
		return NULL;
	}

	sh = xcalloc(1, sizeof *sh);
	pthread_mutex_init(&sh->mtx, NULL);
	{
		pthread_condattr_t ca;

		/* Sleeps must not stretch or shrink when the clock is set. */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&sh->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	sh->refs = 2;
	sh->wfd = fds[1];
	sh->internal_port = opts->internal_port;
	sh->external_port = opts->external_port != 0 ? opts->external_port :
	    opts->internal_port;
	sh->lease = lease;
	sh->discover_ms = delay;
	sh->retry = retry;
	if (opts->multicast_if != NULL)
		sh->multicast_if = xstrdup(opts->multicast_if);
	if (opts->minissdpd_socket != NULL)
		sh->minissdpd_socket = xstrdup(opts->minissdpd_socket);
	if (opts->rootdesc_url != NULL)
		sh->rootdesc_url = xstrdup(opts->rootdesc_url);
	sh->description = xstrdup(opts->description != NULL ?
	    opts->description : "agentnode");

	u = xcalloc(1, sizeof *u);
	u->rfd = fds[0];
	u->stop_timeout_ms = stop_ms;
	u->sh = sh;
	u->cb = cb;
	u->cb_arg = arg;
	u->last.state = UPNP_SEARCHING;
	evutil_make_socket_nonblocking(u->rfd);
	u->ev = event_new(base, u->rfd, EV_READ | EV_PERSIST, upnp_readable, u);
	if (u->ev == NULL || event_add(u->ev, NULL) != 0) {
		log_error(UPNP_LOG, "cannot watch the worker's socket");
		goto fail;
	}

	/* The worker takes no signals: they belong to the loop thread, and a
	 * SIGPIPE from a router closing mid-request must not kill us. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&u->thread, NULL, upnp_worker, sh);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		log_error(UPNP_LOG, "cannot start the worker thread: %s",
		    strerror(r));
		goto fail;
	}
	return u;

fail:
	if (u->ev != NULL)
		event_free(u->ev);
	close(u->rfd);
	free(u);
	pthread_mutex_lock(&sh->mtx);
	sh->refs = 1;
	upnp_shared_unref_locked(sh);
	return NULL;
}

struct upnp *
upnp_start(struct event_base *base, uint16_t internal_port, uint16_t external_port,
    int lease_seconds, const char *multicast_if, const char *minissdpd_socket,
    void (*cb)(void *arg, const struct upnp_status *st), void *arg)
{
	struct upnp_opts o;

	memset(&o, 0, sizeof o);
	o.internal_port = internal_port;
	o.external_port = external_port;
	o.lease_seconds = lease_seconds;
	o.multicast_if = multicast_if;
	o.minissdpd_socket = minissdpd_socket;
	return upnp_start_opts(base, &o, cb, arg);
}

void
upnp_stop(struct upnp *u)
{
	struct upnp_shared *sh;
	struct timespec ts;
	bool done;

	if (u == NULL)
		return;
	sh = u->sh;
	upnp_deadline(&ts, u->stop_timeout_ms);
	pthread_mutex_lock(&sh->mtx);
	sh->stopping = true;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->mtx);

	/* From here the worker posts nothing, and no callback can run. */
	event_free(u->ev);
	close(u->rfd);

	pthread_mutex_lock(&sh->mtx);
	while (!sh->done) {
		if (pthread_cond_timedwait(&sh->cond, &sh->mtx, &ts) == ETIMEDOUT)
			break;
	}
	done = sh->done;
	upnp_shared_unref_locked(sh);

	if (done)
		pthread_join(u->thread, NULL);
	else {
		log_warn(UPNP_LOG, "router did not answer within %d ms; leaving "
		    "any mapping to lapse with its lease", u->stop_timeout_ms);
		pthread_detach(u->thread);
	}
	free(u);
}

const struct upnp_status *
upnp_last_status(const struct upnp *u)
{
	return &u->last;
}
