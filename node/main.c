/* main.c -- agentnode entry point: parse the command line, then run or call RPC.
 *
 * Flags live in one table that drives getopt_long, --help and the mapping
 * onto config keys, so that a flag is by construction the same thing as
 * its config key. */
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "netaddr.h"
#include "node.h"
#include "rpc_chain.h"
#include "rpc_client.h"
#include "rpc_methods.h"
#include "version.h"
#include "xmalloc.h"

enum flag_id {
	F_SEED_NODE = 1, F_NO_DNS_SEEDS, F_RPC_CONNECT, F_RPC_COOKIE, F_HELP, F_RPC_TIMEOUT,
};

static const struct cli_option flags[] = {
	{ .name = "network", .has_arg = 1, .key = "network.name", .arg = "NET",
	  .help = "mainnet, testnet or regtest" },
	{ .name = "config", .has_arg = 1, .id = CLI_CONFIG, .arg = "FILE",
	  .help = "YAML configuration (agentchain.yaml(5))" },
	{ .name = "datadir", .has_arg = 1, .key = "node.datadir", .arg = "DIR",
	  .help = "state directory" },
	{ .name = "listen", .has_arg = 1, .key = "node.listen", .arg = "ADDR:PORT",
	  .help = "P2P listen address (repeatable)" },
	{ .name = "rpc-listen", .has_arg = 1, .key = "node.rpc_listen", .arg = "ADDR:PORT",
	  .help = "JSON-RPC listen address" },
	{ .name = "metrics-listen", .has_arg = 1, .key = "node.metrics_listen", .arg = "ADDR:PORT",
	  .help = "serve /metrics there without the cookie (loopback)" },
	{ .name = "seed-node", .has_arg = 1, .id = F_SEED_NODE, .arg = "HOST:PORT",
	  .help = "keep a connection to this node (repeatable)" },
	{ .name = "dns-seed", .has_arg = 1, .key = "network.dns_seeds", .arg = "NAME",
	  .help = "DNS seed to bootstrap from (repeatable)" },
	{ .name = "no-dns-seeds", .id = F_NO_DNS_SEEDS, .help = "never ask DNS seeds" },
	{ .name = "dns-server", .has_arg = 1, .key = "node.dns_server", .arg = "ADDR:PORT",
	  .help = "resolver for DNS seed look-ups" },
	{ .name = "proxy", .has_arg = 1, .key = "network.proxy", .arg = "ADDR:PORT",
	  .help = "SOCKS5 proxy for outbound connections (Tor: 127.0.0.1:9050)" },
	{ .name = "transport", .has_arg = 1, .key = "network.transport", .arg = "v2|v1|v2-only",
	  .help = "encrypted v2 transport with v1 fall-back (default), v1 only, or v2 only" },
	{ .name = "seed", .key = "node.seed", .value = "true",
	  .help = "run as a seed node (NODE_SEED, generous getaddr)" },
	{ .name = "upnp", .key = "node.upnp", .value = "true",
	  .help = "map the P2P port with UPnP" },
	{ .name = "natpmp", .key = "node.natpmp", .value = "true",
	  .help = "map the P2P port with PCP/NAT-PMP (default on mainnet)" },
	{ .name = "geoip-db", .has_arg = 1, .key = "node.geoip_db", .arg = "FILE",
	  .help = "MaxMind City database" },
	{ .name = "asn-db", .has_arg = 1, .key = "node.asn_db", .arg = "FILE",
	  .help = "MaxMind ASN database" },
	{ .name = "min-peers", .has_arg = 1, .key = "network.min_peers", .arg = "N",
	  .help = "outbound connections to keep" },
	{ .name = "max-peers", .has_arg = 1, .key = "network.max_peers", .arg = "N",
	  .help = "total connection cap" },
	{ .name = "ping-interval", .has_arg = 1, .key = "node.ping_interval", .arg = "SECONDS",
	  .help = "keepalive ping period" },
	{ .name = "ban-time", .has_arg = 1, .key = "node.ban_time", .arg = "SECONDS",
	  .help = "how long misbehaving peers are banned" },
	{ .name = "block-notify", .has_arg = 1, .key = "chain.block_notify", .arg = "CMD",
	  .help = "run CMD (by /bin/sh; %s = the block hash) at each new tip" },
	{ .name = "log-level", .has_arg = 1, .key = "log.level", .arg = "LEVEL",
	  .help = "error, warn, info, debug, trace" },
	{ .name = "log-file", .has_arg = 1, .key = "log.file", .arg = "FILE",
	  .help = "log to FILE instead of stderr" },
	{ .name = "set", .has_arg = 1, .id = CLI_SET, .arg = "KEY=VALUE",
	  .help = "set any config key" },
	{ .name = "rpc-connect", .has_arg = 1, .id = F_RPC_CONNECT, .arg = "ADDR:PORT",
	  .help = "rpc: node to call" },
	{ .name = "rpc-cookie", .has_arg = 1, .id = F_RPC_COOKIE, .arg = "FILE",
	  .help = "rpc: cookie file (default DATADIR/.cookie)" },
	{ .name = "rpc-timeout", .has_arg = 1, .id = F_RPC_TIMEOUT, .arg = "SECONDS",
	  .type = CLI_NUMBER, .min = 0.001, .max = 86400,
	  .help = "rpc: give up after (default 30)" },
	{ .name = "help-config", .id = CLI_HELP_CONFIG, .help = "describe every config key" },
	{ .name = "version", .id = CLI_VERSION, .help = "print the version" },
	{ .name = "help", .id = F_HELP, .help = "this help" },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

struct options {
	struct config		 cfg;
	struct config_strlist	 seed_nodes;
	const char		*rpc_connect;
	const char		*rpc_cookie;
	double			 rpc_timeout;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: agentnode start [options]\n"
	    "       agentnode rpc [options] METHOD [PARAM...]\n\n"
	    "The Agent Chain peer.  'start' runs in the foreground until SIGINT/SIGTERM;\n"
	    "'rpc' calls a running node's JSON-RPC and prints the result.\n\noptions:\n");
	cli_usage_options(fp, flags, NFLAGS, 0, NULL);
	fprintf(fp, "\nRPC methods:\n");
	for (size_t i = 0; i < rpc_methods_count(); i++) {
		const struct rpc_method *m = &rpc_methods_table()[i];
		fprintf(fp, "  %s %s\n      %s\n", m->name, m->params, m->help);
	}
	for (size_t i = 0; i < rpc_chain_count(); i++) {
		const struct rpc_method *m = &rpc_chain_table()[i];
		fprintf(fp, "  %s %s\n      %s\n", m->name, m->params, m->help);
	}
	fprintf(fp, "\nSee agentnode(1) and agentchain.yaml(5).\n");
}

static int
on_flag(const struct cli_option *f, const char *value, void *arg)
{
	struct options *o = arg;
	char err[256];

	switch (f->id) {
	case F_SEED_NODE:
		config_strlist_add(&o->seed_nodes, value);
		return 0;
	case F_NO_DNS_SEEDS:
		return config_set(&o->cfg, "network.dns_seeds", "", err, sizeof(err)) == 0 ? 0 : 1;
	case F_RPC_CONNECT: o->rpc_connect = value; return 0;
	case F_RPC_COOKIE: o->rpc_cookie = value; return 0;
	case F_RPC_TIMEOUT: o->rpc_timeout = atof(value); return 0;
	case F_HELP: usage(stdout); return 2;
	}
	return 0;
}

/* Returns 0, 1 (error, message printed) or 2 (help/version printed). */
static int
parse_options(int argc, char **argv, struct options *o)
{
	char err[512];
	int rc = cli_parse_options("agentnode", argc, argv, flags, NFLAGS, 0, NULL, &o->cfg,
	    on_flag, o);

	if (rc != 0)
		return rc;
	if (config_finalize(&o->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentnode: %s\n", err);
		return 1;
	}
	return 0;
}

static int
cmd_start(struct options *o)
{
	char err[256];
	int rc;

	log_set_level(o->cfg.log.level);
	if (log_open(o->cfg.log.file, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentnode: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < o->seed_nodes.n; i++) {
		char host[NETADDR_HOSTLEN];
		uint16_t port;
		if (netaddr_split_hostport(o->seed_nodes.v[i], o->cfg.network.p2p_port,
		    host, &port) == -1) {
			fprintf(stderr, "agentnode: --seed-node: malformed '%s' (want HOST:PORT)\n",
			    o->seed_nodes.v[i]);
			return 1;
		}
	}
	rc = node_run(&o->cfg, &o->seed_nodes);
	log_close();
	return rc;
}

/* A parameter is JSON when it parses as JSON (numbers, true, "quoted"),
 * otherwise a plain string: `setban 1.2.3.4 add 3600` just works. */
static json_t *
rpc_params(int argc, char **argv)
{
	json_t *arr = json_array();

	for (int i = 0; i < argc; i++) {
		json_t *v = json_loads(argv[i], JSON_DECODE_ANY, NULL);
		json_array_append_new(arr, v != NULL ? v : json_string(argv[i]));
	}
	return arr;
}

/* Where to call: --rpc-connect, else an rpc_listen given in the config
 * or on the command line, else the endpoint the node running on the
 * datadir recorded, else the network's default. */
static int
rpc_target(struct options *o, char *host, size_t hostlen, uint16_t *port)
{
	const char *target = o->rpc_connect;
	char err[256];

	if (target == NULL && !config_isset(&o->cfg, "node.rpc_listen") &&
	    rpc_endpoint_read(o->cfg.node.datadir, host, hostlen, port, err, sizeof(err)) == 0)
		return 0;
	if (target == NULL)
		target = o->cfg.node.rpc_listen;
	if (netaddr_split_hostport(target, o->cfg.network.rpc_port, host, port) == -1) {
		fprintf(stderr, "agentnode rpc: bad address '%s'\n", target);
		return -1;
	}
	return 0;
}

static int
cmd_rpc(struct options *o, int argc, char **argv)
{
	char host[NETADDR_HOSTLEN], *cookie = NULL, *out;
	uint16_t port;
	struct event_base *base;
	struct rpc_error err;
	json_t *res;
	int rc = 0;

	if (argc < 1) {
		fprintf(stderr, "agentnode rpc: which METHOD? (agentnode --help lists them)\n");
		return 1;
	}
	/* Options go before the method; after it they would be taken for
	 * parameters and silently change nothing. */
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
			fprintf(stderr, "agentnode rpc: option %s after the method: put options "
			    "before %s\n", argv[i], argv[0]);
			return 1;
		}
	if (rpc_target(o, host, sizeof(host), &port) == -1)
		return 1;
	cookie = o->rpc_cookie ? xstrdup(o->rpc_cookie) :
	    xasprintf("%s/.cookie", o->cfg.node.datadir);
	base = event_base_new();
	res = rpc_client_call_sync(base, host, port, cookie, argv[0], rpc_params(argc - 1, argv + 1),
	    o->rpc_timeout > 0 ? o->rpc_timeout : 30.0, &err);
	if (res == NULL) {
		fprintf(stderr, "error %d: %s\n", err.code, err.message);
		rc = err.code == RPC_TRANSPORT_ERROR ? 2 : 1;
	} else {
		out = json_dumps(res, JSON_INDENT(2) | JSON_ENCODE_ANY);
		printf("%s\n", out);
		free(out);
		json_decref(res);
	}
	event_base_free(base);
	free(cookie);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o;
	const char *cmd;
	int rc;

	memset(&o, 0, sizeof(o));
	config_init(&o.cfg);
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	cmd = argv[1];
	if (strcmp(cmd, "start") != 0 && strcmp(cmd, "rpc") != 0) {
		/* Allow `agentnode --help` / `--version` without a command. */
		rc = parse_options(argc, argv, &o);
		if (rc != 2) {
			fprintf(stderr, "agentnode: unknown command '%s' (start or rpc)\n", cmd);
			rc = 1;
		} else {
			rc = 0;
		}
		goto out;
	}
	rc = parse_options(argc - 1, argv + 1, &o);
	if (rc != 0) {
		rc = rc == 2 ? 0 : 1;
		goto out;
	}
	if (strcmp(cmd, "start") == 0)
		rc = cmd_start(&o);
	else
		rc = cmd_rpc(&o, argc - 1 - optind, argv + 1 + optind);
out:
	config_free(&o.cfg);
	config_strlist_free(&o.seed_nodes);
	return rc;
}
