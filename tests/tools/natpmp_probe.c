/* natpmp_probe.c -- drive node/natpmp against a real gateway and print each status (test helper). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "hash.h"
#include "log.h"
#include "strutil.h"
#include "../../node/natpmp.h"

/*
 * Used by tests/integration/natpmp_miniupnpd.sh where the node itself
 * cannot be told what to do: force NAT-PMP on a gateway that speaks PCP,
 * shorten the back-off.  Prints one line per status on stdout:
 *   status family=ipv4 state=mapped proto=natpmp gateway=192.168.77.1
 *       internal=192.168.77.2:9333 external=81.2.69.160:9333 advertisable=1
 *       lease=4 renewals=0 restarts=0 bad=0 error=
 * Waits until --until has been reported --count times, then exits -- or
 * with --hold keeps the mapping until SIGTERM/SIGINT.  Leaving always goes
 * through natpmp_stop, which deletes the mapping, and prints "stopped".
 * Exit 0 when the target was reached, 1 when not, 2 on bad usage.
 */

struct probe {
	struct event_base	*base;
	enum natpmp_state	 until;
	int			 count, seen;
	bool			 hold, reached;
};

static void
usage(void)
{
	fprintf(stderr, "usage: natpmp_probe [--gateway ADDR[:PORT]]... [--ipv6]\n"
	    "    [--no-ipv4] [--port N] [--lease S] [--force pcp|natpmp]\n"
	    "    [--backoff S] [--allow-private] [--until mapped|no-gateway|failed]\n"
	    "    [--count N] [--hold] [--timeout-ms MS] [--debug]\n");
	exit(2);
}

static long long
num(const char *s, long long min, long long max)
{
	long long v;

	if (str_to_ll(s, min, max, &v) != 0)
		usage();
	return v;
}

static void
on_status(void *arg, const struct natpmp_status *st)
{
	struct probe *p = arg;
	char in[NETADDR_STRLEN] = "-", ext[NETADDR_STRLEN] = "-";

	if (st->internal.port != 0)
		netaddr_format(&st->internal, in, sizeof in);
	if (st->state == NATPMP_MAPPED)
		netaddr_format(&st->external, ext, sizeof ext);
	printf("status family=%s state=%s proto=%s gateway=%s internal=%s "
	    "external=%s advertisable=%d lease=%u renewals=%u restarts=%u bad=%u "
	    "error=%s\n", st->family == NATPMP_IPV4 ? "ipv4" : "ipv6",
	    natpmp_state_name(st->state), natpmp_proto_name(st->proto),
	    st->gateway[0] != '\0' ? st->gateway : "-", in, ext, st->has_external,
	    st->lease, st->renewals, st->restarts, st->bad_replies, st->error);
	fflush(stdout);
	if (st->state == p->until && ++p->seen >= p->count) {
		p->reached = true;
		if (!p->hold)
			event_base_loopbreak(p->base);
	}
}

static void
on_event(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	if ((what & EV_TIMEOUT) != 0) {
		if (p->reached)		/* --hold: only a signal ends it */
			return;
		fprintf(stderr, "natpmp_probe: deadline passed\n");
	}
	event_base_loopbreak(p->base);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "gateway", required_argument, NULL, 'g' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "no-ipv4", no_argument, NULL, '4' },
		{ "port", required_argument, NULL, 'p' },
		{ "lease", required_argument, NULL, 'l' },
		{ "force", required_argument, NULL, 'f' },
		{ "backoff", required_argument, NULL, 'b' },
		{ "allow-private", no_argument, NULL, 'a' },
		{ "until", required_argument, NULL, 'u' },
		{ "count", required_argument, NULL, 'c' },
		{ "hold", no_argument, NULL, 'H' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "debug", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct natpmp_opts o = { .port = 9333, .ipv4 = true };
	struct probe p = { .until = NATPMP_MAPPED, .count = 1 };
	struct event *ev[3];
	struct natpmp *n;
	struct netaddr a;
	struct timeval tv;
	long long timeout_ms = 15000;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'g':
			if (netaddr_parse(optarg, NATPMP_SERVER_PORT, &a) != 0)
				usage();
			if (netaddr_is_ipv4(&a)) {
				o.gateway4 = a;
				o.has_gateway4 = true;
			} else {
				o.gateway6 = a;
				o.has_gateway6 = true;
			}
			break;
		case '6': o.ipv6 = true; break;
		case '4': o.ipv4 = false; break;
		case 'p': o.port = (uint16_t)num(optarg, 1, 65535); break;
		case 'l': o.lease = (uint32_t)num(optarg, NATPMP_MIN_LEASE, NATPMP_MAX_LEASE); break;
		case 'b': o.backoff = (int)num(optarg, 1, 86400); break;
		case 'a': o.allow_private = true; break;
		case 'c': p.count = (int)num(optarg, 1, 100); break;
		case 'H': p.hold = true; break;
		case 't': timeout_ms = num(optarg, 1, 600000); break;
		case 'D': log_set_level(LOGL_DEBUG); break;
		case 'f':
			if (strcmp(optarg, "pcp") == 0)
				o.force = NATPMP_PROTO_PCP;
			else if (strcmp(optarg, "natpmp") == 0)
				o.force = NATPMP_PROTO_NATPMP;
			else
				usage();
			break;
		case 'u':
			if (strcmp(optarg, "mapped") == 0)
				p.until = NATPMP_MAPPED;
			else if (strcmp(optarg, "no-gateway") == 0)
				p.until = NATPMP_NO_GATEWAY;
			else if (strcmp(optarg, "failed") == 0)
				p.until = NATPMP_FAILED;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || hash_init() != 0 || (p.base = event_base_new()) == NULL)
		usage();
	ev[0] = evsignal_new(p.base, SIGTERM, on_event, &p);
	ev[1] = evsignal_new(p.base, SIGINT, on_event, &p);
	ev[2] = evtimer_new(p.base, on_event, &p);
	tv.tv_sec = (time_t)(timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	if (evsignal_add(ev[0], NULL) != 0 || evsignal_add(ev[1], NULL) != 0 ||
	    evtimer_add(ev[2], &tv) != 0)
		return 1;
	if ((n = natpmp_start(p.base, &o, on_status, &p)) == NULL)
		return 2;
	event_base_dispatch(p.base);
	natpmp_stop(n);
	printf("stopped reached=%d\n", p.reached);
	for (int i = 0; i < 3; i++)
		event_free(ev[i]);
	event_base_free(p.base);
	return p.reached ? 0 : 1;
}
