/* relayprobe_run.c -- run one relay probe (crawler/relayprobe.c) from the command line and print its result as JSON, for tests.
 *
 * usage: relayprobe_run NETWORK SENDER LISTENER...
 * prints {"sent":..,"announced":..,"delay_ms":..,"listeners":..,"error":..}
 * A test helper only; it is not installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "chainparams.h"
#include "conn.h"
#include "hash.h"
#include "netaddr.h"
#include "../../crawler/relayprobe.h"

struct run {
	struct event_base	*base;
	int			 rc;
};

static void
done(struct relayprobe *rp, const struct relayprobe_result *r, void *arg)
{
	struct run	*run = arg;

	(void)rp;
	printf("{\"sent\":%s,\"announced\":%s,\"delay_ms\":%.1f,\"listeners\":%u,"
	    "\"error\":\"%s\"}\n", r->sent ? "true" : "false",
	    r->announced ? "true" : "false", r->delay_ms, r->listeners,
	    r->error != NULL ? r->error : "");
	fflush(stdout);
	run->rc = r->sent ? 0 : 2;
	event_base_loopexit(run->base, NULL);
}

int
main(int argc, char **argv)
{
	const struct chainparams	*params;
	struct relayprobe_config	 cfg;
	struct netaddr			 sender, listeners[RELAYPROBE_MAX_LISTENERS];
	struct relayprobe		*rp;
	struct run			 run = { NULL, 1 };
	char				 err[256];
	int				 i, nl = 0;

	if (argc < 4 || (params = chainparams_by_name(argv[1])) == NULL) {
		fprintf(stderr, "usage: relayprobe_run NETWORK SENDER LISTENER...\n");
		return 1;
	}
	if (hash_init() == -1)
		return 1;
	if (netaddr_parse(argv[2], params->p2p_port, &sender) == -1) {
		fprintf(stderr, "bad address %s\n", argv[2]);
		return 1;
	}
	for (i = 3; i < argc && nl < RELAYPROBE_MAX_LISTENERS; i++)
		if (netaddr_parse(argv[i], params->p2p_port, &listeners[nl++]) == -1) {
			fprintf(stderr, "bad address %s\n", argv[i]);
			return 1;
		}
	memset(&cfg, 0, sizeof(cfg));
	cfg.params = params;
	cfg.user_agent = "/relayprobe_run/";
	cfg.connect_timeout_ms = 2000;
	cfg.handshake_timeout_ms = 3000;
	cfg.window_ms = getenv("RELAYPROBE_WINDOW_MS") != NULL ?
	    atoi(getenv("RELAYPROBE_WINDOW_MS")) : relayprobe_window_ms(params);
	cfg.transport = CONN_TRANSPORT_V1;
	run.base = event_base_new();
	rp = relayprobe_start(run.base, &cfg, &sender, listeners, (size_t)nl, done,
	    &run, err, sizeof(err));
	if (rp == NULL) {
		fprintf(stderr, "relayprobe_run: %s\n", err);
		return 1;
	}
	event_base_dispatch(run.base);
	event_base_free(run.base);
	return run.rc;
}
