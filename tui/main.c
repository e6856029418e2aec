/* main.c -- agentconsole entry point: parse the command line from the flag table, then run the console.
 *
 * Flags live in one table that drives getopt_long, --help and (by a test)
 * the man page; keys come from keys.c's table the same way. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "chainparams.h"
#include "keys.h"
#include "netaddr.h"
#include "strutil.h"
#include "ui_peers.h"
#include "version.h"
#include "xmalloc.h"

enum flag_id {
	F_DATADIR = 1, F_RPC, F_COOKIE, F_NETWORK, F_CRAWL_DB, F_GEOIP_DB, F_INTERVAL,
	F_TIMEOUT, F_ONCE, F_SIZE, F_NO_COLOR, F_ASCII, F_SORT, F_VIEW, F_STATS_FILE,
	F_VERSION, F_HELP,
};

struct flag {
	const char	*name;
	int		 has_arg;
	int		 id;
	const char	*arg;
	const char	*help;
};

static const struct flag flags[] = {
	{ "datadir", 1, F_DATADIR, "DIR", "watch the node using DIR: cookie DIR/.cookie, RPC on "
	  "127.0.0.1 at the network's port (repeatable)" },
	{ "rpc", 1, F_RPC, "ADDR:PORT", "watch the node whose RPC listens there (repeatable)" },
	{ "cookie", 1, F_COOKIE, "FILE", "cookie file for the --rpc before it" },
	{ "network", 1, F_NETWORK, "NET", "mainnet, testnet or regtest: default RPC port for "
	  "--datadir, and the crawl DB's network (default: all)" },
	{ "crawl-db", 1, F_CRAWL_DB, "FILE", "agentcrawl database for the Network view and the "
	  "whole-network map" },
	{ "geoip-db", 1, F_GEOIP_DB, "FILE", "MaxMind City database to place peers on the map" },
	{ "interval", 1, F_INTERVAL, "SECONDS", "polling interval, 0.25 to 3600 (default 1)" },
	{ "timeout", 1, F_TIMEOUT, "SECONDS", "give up on an RPC call after (default 5)" },
	{ "once", 0, F_ONCE, NULL, "print one frame of every view as text and exit" },
	{ "size", 1, F_SIZE, "COLSxROWS", "frame size for --once (default $COLUMNS x $LINES, "
	  "else 120x40)" },
	{ "no-color", 0, F_NO_COLOR, NULL, "monochrome (also when NO_COLOR is set)" },
	{ "ascii", 0, F_ASCII, NULL, "ASCII drawing even in a UTF-8 locale" },
	{ "sort", 1, F_SORT, "[-]COLUMN", "initial sort of the peers view; - for descending" },
	{ "view", 1, F_VIEW, "N", "initial view, 1-5 or its name" },
	{ "stats-file", 1, F_STATS_FILE, "FILE", "on exit write frame and poll timings to FILE" },
	{ "version", 0, F_VERSION, NULL, "print the version" },
	{ "help", 0, F_HELP, NULL, "this help" },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: agentconsole [--datadir DIR | --rpc ADDR:PORT [--cookie FILE]]...\n"
	    "                    [--crawl-db FILE] [--geoip-db FILE] [--interval SECONDS]\n"
	    "                    [--once] [--no-color] [options]\n\n"
	    "Watch Agent Chain nodes interactively: peers, geography, latency, the crawled\n"
	    "network and events; disconnect, ban and add peers.  Without a node, watches\n"
	    "127.0.0.1 at the mainnet RPC port.\n\noptions:\n");
	for (size_t i = 0; i < NFLAGS; i++) {
		char left[48];

		snprintf(left, sizeof(left), "--%s%s%s", flags[i].name, flags[i].arg ? " " : "",
		    flags[i].arg ? flags[i].arg : "");
		fprintf(fp, "  %-26s %s\n", left, flags[i].help);
	}
	fprintf(fp, "\npeer table columns (--sort):\n ");
	for (size_t i = 0; i < ui_peers_ncolumns; i++)
		fprintf(fp, " %s", ui_peers_columns[i].key);
	fprintf(fp, "\n\nkeys:\n");
	keys_print(fp);
	fprintf(fp, "\nSee agentconsole(1).\n");
}

struct options {
	struct app_opts	 app;
	const char	*datadirs[64];
	size_t		 ndatadirs;
	size_t		 order_datadir[64];	/* node slot of each --datadir */
};

static struct app_node *
add_node(struct app_opts *o)
{
	o->nodes = xreallocarray(o->nodes, o->nnodes + 1, sizeof(*o->nodes));
	memset(&o->nodes[o->nnodes], 0, sizeof(o->nodes[0]));
	return &o->nodes[o->nnodes++];
}

static int
parse_rpc(struct app_opts *o, const char *arg)
{
	struct app_node *n;
	char host[NETADDR_HOSTLEN];
	uint16_t port;
	struct netaddr na;

	if (netaddr_split_hostport(arg, 0, host, &port) == -1 || port == 0) {
		fprintf(stderr, "agentconsole: --rpc: want ADDR:PORT, got '%s'\n", arg);
		return -1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	/* The RPC client would resolve a name with the blocking resolver; the
	 * console never blocks, so it takes numeric addresses only. */
	if (netaddr_parse(host, 1, &na) == -1) {
		fprintf(stderr, "agentconsole: --rpc: '%s' is not a numeric address\n", host);
		return -1;
	}
	n = add_node(o);
	str_copy(n->host, host, sizeof(n->host));
	n->port = port;
	str_copy(n->label, arg, sizeof(n->label));
	return 0;
}

/* The network a datadir belongs to: --network, else the directory's last
 * component when it names one (~/.agentchain/regtest), else mainnet. */
static const struct chainparams *
datadir_network(const char *dir, const char *network)
{
	const struct chainparams *cp;
	const char *base;
	char tmp[256];
	size_t len;

	if (network != NULL && (cp = chainparams_by_name(network)) != NULL)
		return cp;
	str_copy(tmp, dir, sizeof(tmp));
	len = strlen(tmp);
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = '\0';
	base = strrchr(tmp, '/');
	base = base != NULL ? base + 1 : tmp;
	if ((cp = chainparams_by_name(base)) != NULL)
		return cp;
	return chainparams_by_name("mainnet");
}

static int
parse_size(const char *s, int *w, int *h)
{
	char *x;
	long cw, ch;

	cw = strtol(s, &x, 10);
	if (x == s || (*x != 'x' && *x != 'X'))
		return -1;
	ch = strtol(x + 1, &x, 10);
	if (*x != '\0' || cw < 1 || ch < 1 || cw > 1000 || ch > 1000)
		return -1;
	*w = (int)cw;
	*h = (int)ch;
	return 0;
}

static int
parse_view(const char *s, enum view_id *v)
{
	for (int i = 0; i < VIEW_COUNT; i++) {
		char num[16];

		snprintf(num, sizeof(num), "%d", i + 1);
		if (strcmp(s, num) == 0 || strcasecmp(s, keys_view_name((enum view_id)i)) == 0) {
			*v = (enum view_id)i;
			return 0;
		}
	}
	return -1;
}

static int
parse_seconds(const char *name, const char *s, double min, double max, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= min && v <= max)) {
		fprintf(stderr, "agentconsole: --%s: want %g to %g seconds, got '%s'\n", name, min,
		    max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Returns 0 to run, 1 on error, 2 after --help/--version. */
static int
parse_options(int argc, char **argv, struct options *opt)
{
	struct app_opts *o = &opt->app;
	struct option lo[NFLAGS + 1];
	const char *cols = getenv("COLUMNS"), *lines = getenv("LINES");
	int c, idx;

	memset(lo, 0, sizeof(lo));
	for (size_t i = 0; i < NFLAGS; i++) {
		lo[i].name = flags[i].name;
		lo[i].has_arg = flags[i].has_arg ? required_argument : no_argument;
		lo[i].val = 256 + (int)i;
	}
	o->interval = 1;
	o->timeout = 5;
	o->once_w = 120;
	o->once_h = 40;
	if (cols != NULL && lines != NULL) {
		char sz[32];

		snprintf(sz, sizeof(sz), "%sx%s", cols, lines);
		parse_size(sz, &o->once_w, &o->once_h);
	}
	o->sort_col = ui_peers_column("id");
	o->view = VIEW_PEERS;
	while ((c = getopt_long(argc, argv, "", lo, &idx)) != -1) {
		const struct flag *f;

		if (c < 256) {
			fprintf(stderr, "Try 'agentconsole --help'.\n");
			return 1;
		}
		f = &flags[c - 256];
		switch (f->id) {
		case F_DATADIR:
			if (opt->ndatadirs >= 64) {
				fprintf(stderr, "agentconsole: too many --datadir\n");
				return 1;
			}
			opt->order_datadir[opt->ndatadirs] = o->nnodes;
			opt->datadirs[opt->ndatadirs++] = optarg;
			add_node(o);	/* filled in once --network is known */
			break;
		case F_RPC:
			if (parse_rpc(o, optarg) == -1)
				return 1;
			break;
		case F_COOKIE:
			if (o->nnodes == 0 || o->nodes[o->nnodes - 1].host[0] == '\0' ||
			    o->nodes[o->nnodes - 1].cookie != NULL) {
				fprintf(stderr, "agentconsole: --cookie belongs after its --rpc\n");
				return 1;
			}
			o->nodes[o->nnodes - 1].cookie = xstrdup(optarg);
			break;
		case F_NETWORK:
			if (chainparams_by_name(optarg) == NULL) {
				fprintf(stderr, "agentconsole: --network: mainnet, testnet or regtest\n");
				return 1;
			}
			o->network = optarg;
			break;
		case F_CRAWL_DB: o->crawl_db = optarg; break;
		case F_GEOIP_DB: o->geoip_db = optarg; break;
		case F_INTERVAL:
			if (parse_seconds("interval", optarg, 0.25, 3600, &o->interval) == -1)
				return 1;
			break;
		case F_TIMEOUT:
			if (parse_seconds("timeout", optarg, 0.1, 600, &o->timeout) == -1)
				return 1;
			break;
		case F_ONCE: o->once = true; break;
		case F_SIZE:
			if (parse_size(optarg, &o->once_w, &o->once_h) == -1) {
				fprintf(stderr, "agentconsole: --size: want COLSxROWS, got '%s'\n", optarg);
				return 1;
			}
			break;
		case F_NO_COLOR: o->no_color = true; break;
		case F_ASCII: o->ascii = true; break;
		case F_SORT: {
			const char *k = optarg;
			int col;

			o->sort_reverse = k[0] == '-';
			col = ui_peers_column(k + (k[0] == '-'));
			if (col < 0) {
				fprintf(stderr, "agentconsole: --sort: unknown column '%s' (agentconsole "
				    "--help lists them)\n", k);
				return 1;
			}
			o->sort_col = col;
			break;
		}
		case F_VIEW:
			if (parse_view(optarg, &o->view) == -1) {
				fprintf(stderr, "agentconsole: --view: 1-5 or a view name\n");
				return 1;
			}
			break;
		case F_STATS_FILE: o->stats_file = optarg; break;
		case F_VERSION: printf("agentconsole %s\n", AGENTCHAIN_VERSION); return 2;
		case F_HELP: usage(stdout); return 2;
		default: break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "agentconsole: unexpected argument '%s'\n", argv[optind]);
		return 1;
	}
	for (size_t i = 0; i < opt->ndatadirs; i++) {
		struct app_node *n = &o->nodes[opt->order_datadir[i]];
		const struct chainparams *cp = datadir_network(opt->datadirs[i], o->network);

		str_copy(n->host, "127.0.0.1", sizeof(n->host));
		n->port = cp->rpc_port;
		n->cookie = xasprintf("%s/.cookie", opt->datadirs[i]);
		str_copy(n->label, opt->datadirs[i], sizeof(n->label));
	}
	if (o->nnodes == 0) {
		const struct chainparams *cp = chainparams_by_name(o->network != NULL ? o->network :
		    "mainnet");
		const char *home = getenv("HOME");
		struct app_node *n = add_node(o);

		str_copy(n->host, "127.0.0.1", sizeof(n->host));
		n->port = cp->rpc_port;
		snprintf(n->label, sizeof(n->label), "127.0.0.1:%u", (unsigned)cp->rpc_port);
		if (home != NULL)
			n->cookie = xasprintf("%s/.agentchain/%s/.cookie", home, cp->name);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct options opt;
	int rc;

	setlocale(LC_ALL, "");
	memset(&opt, 0, sizeof(opt));
	rc = parse_options(argc, argv, &opt);
	if (rc == 0)
		rc = app_run(&opt.app);
	else
		rc = rc == 2 ? 0 : 1;
	for (size_t i = 0; i < opt.app.nnodes; i++)
		free(opt.app.nodes[i].cookie);
	free(opt.app.nodes);
	return rc;
}
