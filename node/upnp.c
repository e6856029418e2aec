/* upnp.c -- UPnP-IGD port mapping on a worker thread, replies checked.
 *
 * miniupnpc blocks (SSDP listens for the whole discover delay, every SOAP
 * call is a synchronous HTTP exchange), so none of it may run on the event
 * loop.  It runs on a common/worker thread, which does discovery, mapping,
 * renewal and deletion and posts each finished status to the loop as a
 * struct upnp_status by value, so the loop never shares memory with it.
 * upnp_stop waits a bounded time for the thread; if a router stalls past
 * that, the thread is left to finish alone and frees its job itself
 * (upnp_job_abandon).
 *
 * Trust: SSDP answers and every HTTP body come from any host on the LAN.
 * Before a request goes anywhere the URL is checked (http, IPv4 literal,
 * LAN address when discovered, control URL on the description's host);
 * what comes back is bounded, validated and sanitized before it is
 * logged or reported. */
#include "upnp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include "log.h"
#include "strutil.h"
#include "worker.h"
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

/* What the thread needs, written before it starts and only read after;
 * freed by the loop once the thread returned, else by the thread.  OWNER
 * is the loop's alone (posts arrive there), never read on the thread. */
struct upnp_job {
	struct upnp	*owner;
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
	struct worker		*worker;
	struct upnp_job		*job;
	int			 stop_timeout_ms;
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

/* --- the job ----------------------------------------------------------------- */

static void
upnp_job_free(struct upnp_job *job)
{
	free(job->multicast_if);
	free(job->minissdpd_socket);
	free(job->rootdesc_url);
	free(job->description);
	free(job);
}

static void
upnp_job_abandon(void *arg)
{
	upnp_job_free(arg);
}

/* --- worker ------------------------------------------------------------------- */

/* Hand a copy of ST to the loop.  worker_post drops it rather than
 * block when the loop is far behind, or after upnp_stop; both are fine. */
static void
upnp_post(struct worker *w, const struct upnp_status *st)
{
	if (worker_post(w, st, sizeof *st) != 0)
		log_debug(UPNP_LOG, "status %s not delivered", upnp_state_name(st->state));
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
upnp_find_igd(struct worker *w, const struct upnp_job *job, struct upnp_igd *igd, char *err,
    size_t errlen)
{
	struct UPNPDev *devlist, *dev;
	char why[128];
	int error = 0, tried = 0, r, best = -1;

	if (job->rootdesc_url != NULL)
		return upnp_try_igd(job->rootdesc_url, false, igd, err, errlen);

	devlist = upnpDiscoverDevices(upnp_search_types, job->discover_ms,
	    job->multicast_if, job->minissdpd_socket, UPNP_LOCAL_PORT_ANY, 0, 2,
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
		if (worker_stopping(w))
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
upnp_map(const struct upnp_job *job, struct upnp_igd *igd, struct upnp_status *st)
{
	char ext[8], in[8], lease[16], ip[UPNP_IPV4_STRLEN + 8], why[64];
	const char *ctl = igd->urls.controlURL, *stype = igd->data.first.servicetype;
	int r, granted = job->lease;

	snprintf(ext, sizeof ext, "%u", job->external_port);
	snprintf(in, sizeof in, "%u", job->internal_port);
	snprintf(lease, sizeof lease, "%d", job->lease);
	r = UPNP_AddPortMapping(ctl, stype, ext, in, igd->lanaddr,
	    job->description, "TCP", NULL, lease);
	if (r == UPNP_ERR_PERMANENT_ONLY) {
		granted = 0;
		r = UPNP_AddPortMapping(ctl, stype, ext, in, igd->lanaddr,
		    job->description, "TCP", NULL, "0");
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
	} else if (upnp_validate_external(ip, job->external_port, &st->external,
	    st->error, sizeof st->error) == 0)
		st->has_external = true;
	return 0;
}

static void
upnp_unmap(const struct upnp_job *job, struct upnp_igd *igd)
{
	char ext[8], why[64];
	int r;

	snprintf(ext, sizeof ext, "%u", job->external_port);
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
upnp_log_mapped(const struct upnp_job *job, const struct upnp_status *st,
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
		    job->external_port);
		return;
	}
	if (st->lease == 0)
		snprintf(lease, sizeof lease, "permanent");
	else
		snprintf(lease, sizeof lease, "%d s", st->lease);
	log_info(UPNP_LOG, "mapped TCP port %u to %u via %s, lease %s; "
	    "external address %s", job->external_port, job->internal_port,
	    st->igd_url, lease, ext);
	if (st->error[0] != '\0')
		log_warn(UPNP_LOG, "%s; not advertising it", st->error);
}

static void
upnp_work(struct worker *w, void *arg)
{
	const struct upnp_job *job = arg;
	struct upnp_status st, prev;
	struct upnp_igd igd;
	bool have_igd = false, mapped = false;
	int64_t wait_ms;
	int r;

	memset(&st, 0, sizeof st);
	memset(&igd, 0, sizeof igd);
	st.state = UPNP_SEARCHING;
	prev = st;
	upnp_post(w, &st);
	log_debug(UPNP_LOG, "looking for an internet gateway");

	while (!worker_stopping(w)) {
		if (!have_igd) {
			r = upnp_find_igd(w, job, &igd, st.error, sizeof st.error);
			if (r == 0)
				have_igd = true;
			if (worker_stopping(w))
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
				upnp_post(w, &st);
				prev = st;
				if (worker_sleep(w, (int64_t)job->retry * 1000))
					break;
				continue;
			}
			str_copy(st.igd_url, igd.desc_url, sizeof st.igd_url);
		}
		if (upnp_map(job, &igd, &st) == 0) {
			mapped = true;
			upnp_log_mapped(job, &st, &prev);
			wait_ms = (int64_t)job->lease * 500;
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
			wait_ms = (int64_t)job->retry * 1000;
		}
		upnp_post(w, &st);
		prev = st;
		if (worker_sleep(w, wait_ms))
			break;
	}

	if (mapped)
		upnp_unmap(job, &igd);
	if (have_igd)
		upnp_igd_free(&igd);
}

/* --- loop side ---------------------------------------------------------------- */

static void
upnp_posted(void *arg, const void *msg, size_t len)
{
	struct upnp *u = ((struct upnp_job *)arg)->owner;
	struct upnp_status st;

	if (len != sizeof st)
		return;
	memcpy(&st, msg, sizeof st);
	/* Cheap belt and braces: the worker terminates these. */
	st.igd_url[sizeof st.igd_url - 1] = '\0';
	st.error[sizeof st.error - 1] = '\0';
	u->last = st;
	u->cb(u->cb_arg, &u->last);
}

static const struct worker_cb upnp_worker_cb = {
	.work = upnp_work,
	.post = upnp_posted,
	.abandon = upnp_job_abandon,
};

static bool
upnp_opt_range(const char *name, int v, int min, int max)
{
	if (v >= min && v <= max)
		return true;
	log_error(UPNP_LOG, "%s %d out of range %d..%d", name, v, min, max);
	return false;
}

static char *
upnp_strdup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct upnp *
upnp_start_opts(struct event_base *base, const struct upnp_opts *opts,
    void (*cb)(void *arg, const struct upnp_status *st), void *arg)
{
	struct upnp_job *job;
	struct upnp *u;
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

	job = xcalloc(1, sizeof *job);
	job->internal_port = opts->internal_port;
	job->external_port = opts->external_port != 0 ? opts->external_port :
	    opts->internal_port;
	job->lease = lease;
	job->discover_ms = delay;
	job->retry = retry;
	job->multicast_if = upnp_strdup_or_null(opts->multicast_if);
	job->minissdpd_socket = upnp_strdup_or_null(opts->minissdpd_socket);
	job->rootdesc_url = upnp_strdup_or_null(opts->rootdesc_url);
	job->description = xstrdup(opts->description != NULL ?
	    opts->description : "agentnode");

	u = xcalloc(1, sizeof *u);
	u->job = job;
	u->stop_timeout_ms = stop_ms;
	u->cb = cb;
	u->cb_arg = arg;
	u->last.state = UPNP_SEARCHING;
	job->owner = u;
	/* The worker thread takes no signals (a SIGPIPE from a router
	 * closing mid-request must not kill us): common/worker blocks them. */
	if ((u->worker = worker_start(base, UPNP_LOG, &upnp_worker_cb, job)) == NULL) {
		upnp_job_free(job);
		free(u);
		return NULL;
	}
	return u;
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
	if (u == NULL)
		return;
	/* No callback reaches us after worker_free; the worker deletes the
	 * mapping on its way out if the router answers in time. */
	if (worker_free(u->worker, u->stop_timeout_ms))
		upnp_job_free(u->job);
	else
		log_warn(UPNP_LOG, "router did not answer within %d ms; leaving "
		    "any mapping to lapse with its lease", u->stop_timeout_ms);
	free(u);
}

const struct upnp_status *
upnp_last_status(const struct upnp *u)
{
	return &u->last;
}
