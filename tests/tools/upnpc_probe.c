/* upnpc_probe.c -- drive node/upnp against a real IGD and print each status (test helper). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "strutil.h"
#include "../../node/upnp.h"

/*
 * Used by tests/integration/upnp_miniupnpd.sh.  Prints one line per status
 * on stdout:
 *   status state=mapped external=81.2.69.160:19333 has_external=1 lease=4
 *       igd=http://... error=...
 * Waits until the status named by --until has been reported --count times
 * (renewals count), then exits -- or with --hold keeps the mapping until
 * SIGTERM/SIGINT.  Leaving always goes through upnp_stop, which deletes
 * the mapping, and prints "stopped".  Exit 0 when the target was reached,
 * 1 when it was not (deadline, or interrupted first), 2 on bad usage.
 */

struct probe {
	struct event_base	*base;
	struct upnp		*upnp;
	enum upnp_state		 until;
	int			 count;
	int			 seen;
	bool			 hold;
	bool			 reached;
};

static void
usage(void)
{
	fprintf(stderr, "usage: upnpc_probe [--rootdesc URL] [--multicast-if IF]\n"
	    "    [--minissdpd PATH] [--port N] [--external-port N] [--lease S]\n"
	    "    [--discover-ms MS] [--retry S] [--until mapped|no-igd|failed]\n"
	    "    [--count N] [--hold] [--timeout-ms MS] [--debug]\n");
	exit(2);
}

static long long
num_arg(const char *s, long long min, long long max)
{
	long long v;

	if (str_to_ll(s, min, max, &v) != 0) {
		fprintf(stderr, "upnpc_probe: bad number \"%s\"\n", s);
		usage();
	}
	return v;
}

static void
on_status(void *arg, const struct upnp_status *st)
{
	struct probe *p = arg;
	char ext[NETADDR_STRLEN] = "-";

	if (st->has_external)
		netaddr_format(&st->external, ext, sizeof ext);
	printf("status state=%s external=%s has_external=%d lease=%d igd=%s "
	    "error=%s\n", upnp_state_name(st->state), ext, st->has_external,
	    st->lease, st->igd_url[0] != '\0' ? st->igd_url : "-", st->error);
	fflush(stdout);
	if (st->state == p->until && ++p->seen >= p->count) {
		p->reached = true;
		if (!p->hold)
			event_base_loopbreak(p->base);
	}
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct probe *p = arg;

	(void)sig;
	(void)what;
	event_base_loopbreak(p->base);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	(void)what;
	if (!p->reached) {
		fprintf(stderr, "upnpc_probe: deadline passed before %d x %s\n",
		    p->count, upnp_state_name(p->until));
		event_base_loopbreak(p->base);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rootdesc", required_argument, NULL, 'r' },
		{ "multicast-if", required_argument, NULL, 'm' },
		{ "minissdpd", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "external-port", required_argument, NULL, 'e' },
		{ "lease", required_argument, NULL, 'l' },
		{ "discover-ms", required_argument, NULL, 'd' },
		{ "retry", required_argument, NULL, 'R' },
		{ "until", required_argument, NULL, 'u' },
		{ "count", required_argument, NULL, 'c' },
		{ "hold", no_argument, NULL, 'H' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "debug", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct upnp_opts o;
	struct probe p;
	struct event *sigterm, *sigint, *deadline;
	struct timeval tv;
	long long timeout_ms = 15000;
	int ch;

	memset(&o, 0, sizeof o);
	memset(&p, 0, sizeof p);
	o.internal_port = 9333;
	o.retry_seconds = 1;
	p.until = UPNP_MAPPED;
	p.count = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			o.rootdesc_url = optarg;
			break;
		case 'm':
			o.multicast_if = optarg;
			break;
		case 's':
			o.minissdpd_socket = optarg;
			break;
		case 'p':
			o.internal_port = (uint16_t)num_arg(optarg, 1, 65535);
			break;
		case 'e':
			o.external_port = (uint16_t)num_arg(optarg, 1, 65535);
			break;
		case 'l':
			o.lease_seconds = (int)num_arg(optarg, UPNP_MIN_LEASE,
			    UPNP_MAX_LEASE);
			break;
		case 'd':
			o.discover_delay_ms = (int)num_arg(optarg, 1,
			    UPNP_MAX_DISCOVER_MS);
			break;
		case 'R':
			o.retry_seconds = (int)num_arg(optarg, 1, 86400);
			break;
		case 'u':
			if (strcmp(optarg, "mapped") == 0)
				p.until = UPNP_MAPPED;
			else if (strcmp(optarg, "no-igd") == 0)
				p.until = UPNP_NO_IGD;
			else if (strcmp(optarg, "failed") == 0)
				p.until = UPNP_FAILED;
			else
				usage();
			break;
		case 'c':
			p.count = (int)num_arg(optarg, 1, 100);
			break;
		case 'H':
			p.hold = true;
			break;
		case 't':
			timeout_ms = num_arg(optarg, 1, 600000);
			break;
		case 'D':
			log_set_level(LOGL_DEBUG);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	/* The node ignores SIGPIPE; so does its stand-in. */
	signal(SIGPIPE, SIG_IGN);
	if ((p.base = event_base_new()) == NULL) {
		fprintf(stderr, "upnpc_probe: event_base_new failed\n");
		return 1;
	}
	sigterm = evsignal_new(p.base, SIGTERM, on_signal, &p);
	sigint = evsignal_new(p.base, SIGINT, on_signal, &p);
	deadline = evtimer_new(p.base, on_deadline, &p);
	if (sigterm == NULL || sigint == NULL || deadline == NULL ||
	    evsignal_add(sigterm, NULL) != 0 || evsignal_add(sigint, NULL) != 0) {
		fprintf(stderr, "upnpc_probe: cannot set up events\n");
		return 1;
	}
	tv.tv_sec = (time_t)(timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	evtimer_add(deadline, &tv);

	if ((p.upnp = upnp_start_opts(p.base, &o, on_status, &p)) == NULL)
		return 2;
	event_base_dispatch(p.base);
	upnp_stop(p.upnp);
	printf("stopped reached=%d\n", p.reached);
	fflush(stdout);

	event_free(deadline);
	event_free(sigint);
	event_free(sigterm);
	event_base_free(p.base);
	return p.reached ? 0 : 1;
}
