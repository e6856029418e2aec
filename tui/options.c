/* options.c -- agentconsole's command line and the console: section of agentchain.yaml, resolved into what the console runs with.
 *
 * The flags are one common/cli table: a flag that stands for a config key
 * (--interval is console.interval) sets that key, so the file, --set and
 * the flag are one value with one range and one error format; the rest go
 * to the handler below.  After parsing, the configuration is finalised and
 * turned into struct app_opts: the nodes to watch come from --rpc and
 * --datadir when given, else from console.nodes, else the node the
 * configuration describes. */
#include "options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "chainparams.h"
#include "cli.h"
#include "rpc_client.h"
#include "keys.h"
#include "strutil.h"
#include "ui_peers.h"
#include "xmalloc.h"

/* Largest --size either way. */
#define OPTIONS_SIZE_MAX	1000

enum flag_id {
	F_DATADIR = 1, F_RPC, F_COOKIE, F_ONCE, F_SIZE, F_STATS_FILE, F_HELP,
};

static const struct cli_option flags[] = {
	{ .name = "config", .has_arg = 1, .id = CLI_CONFIG, .arg = "FILE",
	  .help = "YAML configuration (agentchain.yaml(5), section console:)" },
	{ .name = "datadir", .has_arg = 1, .id = F_DATADIR, .arg = "DIR",
	  .help = "watch the node using DIR: cookie DIR/.cookie, RPC where DIR/.rpc-endpoint "
	    "says, else on 127.0.0.1 at the network's port (repeatable)" },
	{ .name = "rpc", .has_arg = 1, .id = F_RPC, .arg = "ADDR:PORT",
	  .help = "watch the node whose RPC listens there (repeatable)" },
	{ .name = "cookie", .has_arg = 1, .id = F_COOKIE, .arg = "FILE",
	  .help = "cookie file for the --rpc before it" },
	{ .name = "network", .has_arg = 1, .key = "network.name", .arg = "NET",
	  .help = "mainnet, testnet or regtest: default RPC port for --datadir, and the "
	    "crawl DB's network (default: all)" },
	{ .name = "crawl-db", .has_arg = 1, .key = "crawler.db", .arg = "FILE",
	  .help = "agentcrawl database for the Network view and the whole-network map" },
	{ .name = "geoip-db", .has_arg = 1, .key = "console.geoip_db", .arg = "FILE",
	  .help = "MaxMind City database to place peers on the map" },
	{ .name = "interval", .has_arg = 1, .key = "console.interval", .arg = "SECONDS",
	  .help = "seconds between polls (decimals allowed)" },
	{ .name = "timeout", .has_arg = 1, .key = "console.timeout", .arg = "SECONDS",
	  .help = "seconds an RPC call may take" },
	{ .name = "once", .id = F_ONCE,
	  .help = "print one frame of every view as text and exit" },
	{ .name = "size", .has_arg = 1, .id = F_SIZE, .arg = "COLSxROWS", .type = CLI_SIZE,
	  .min = 1, .max = OPTIONS_SIZE_MAX,
	  .help = "frame size for --once (default $COLUMNS x $LINES, else 120x40)" },
	{ .name = "theme", .has_arg = 1, .key = "console.theme", .arg = "NAME",
	  .help = "colours for a dark or light background, or mono" },
	{ .name = "no-color", .key = "console.theme", .value = "mono",
	  .help = "monochrome, the same as --theme mono (also when NO_COLOR is set)" },
	{ .name = "ascii", .key = "console.ascii", .value = "true",
	  .help = "ASCII drawing even in a UTF-8 locale" },
	{ .name = "sort", .has_arg = 1, .key = "console.sort", .arg = "[-]COLUMN",
	  .help = "initial sort of the peers view; - for descending" },
	{ .name = "view", .has_arg = 1, .key = "console.view", .arg = "N",
	  .help = "initial view, 1-8 or its name" },
	{ .name = "no-mouse", .key = "console.mouse", .value = "false",
	  .help = "leave the mouse to the terminal" },
	{ .name = "bell", .key = "console.bell", .value = "true",
	  .help = "ring the bell when an alert is raised" },
	{ .name = "stats-file", .has_arg = 1, .id = F_STATS_FILE, .arg = "FILE",
	  .help = "on exit write frame and poll timings to FILE" },
	{ .name = "set", .has_arg = 1, .id = CLI_SET, .arg = "KEY=VALUE",
	  .help = "set any config key, e.g. console.theme=light" },
	{ .name = "help-config", .id = CLI_HELP_CONFIG,
	  .help = "describe every config key" },
	{ .name = "version", .id = CLI_VERSION, .help = "print the version" },
	{ .name = "help", .id = F_HELP, .help = "this help" },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

void
options_usage(FILE *fp)
{
	fprintf(fp, "usage: agentconsole [--datadir DIR | --rpc ADDR:PORT [--cookie FILE]]...\n"
	    "                    [--config FILE] [--crawl-db FILE] [--geoip-db FILE]\n"
	    "                    [--interval SECONDS] [--once] [--theme NAME] [options]\n\n"
	    "Watch Agent Chain nodes interactively: peers, geography, latency, the crawled\n"
	    "network and events; disconnect, ban and add peers.  Without a node (here or in\n"
	    "console.nodes), watches the node the configuration describes: by default\n"
	    "127.0.0.1 at the mainnet RPC port.\n\noptions:\n");
	cli_usage_options(fp, flags, NFLAGS, 0, NULL);
	fprintf(fp, "\npeer table columns (--sort):\n ");
	for (size_t i = 0; i < ui_peers_ncolumns; i++)
		fprintf(fp, " %s", ui_peers_columns[i].key);
	fprintf(fp, "\n\nkeys:\n");
	keys_print(fp);
	fprintf(fp, "\nSee agentconsole(1) and agentchain.yaml(5).\n");
}

/* --- the nodes ------------------------------------------------------------ */

/* What the command line said about nodes, resolved once the network is
 * known. */
struct cmdline {
	struct options	*o;
	const char	*datadir[OPTIONS_MAX_NODES];	/* by node slot; NULL: --rpc */
};

static struct app_node *
options_add_node(struct app_opts *a)
{
	a->nodes = xreallocarray(a->nodes, a->nnodes + 1, sizeof(*a->nodes));
	memset(&a->nodes[a->nnodes], 0, sizeof(a->nodes[0]));
	return &a->nodes[a->nnodes++];
}

/* The RPC port of the node in DIR: network.rpc_port or network.name when
 * given, else that of the network DIR is named after (~/.agentchain/regtest),
 * else mainnet's. */
static uint16_t
options_datadir_port(const struct config *c, const char *dir)
{
	const struct chainparams *cp;
	const char *base;
	char tmp[256];
	size_t len;

	if (config_isset(c, "network.rpc_port"))
		return (uint16_t)c->network.rpc_port;
	if (config_isset(c, "network.name"))
		return c->params->rpc_port;
	str_copy(tmp, dir, sizeof(tmp));
	len = strlen(tmp);
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = '\0';
	base = strrchr(tmp, '/');
	base = base != NULL ? base + 1 : tmp;
	if ((cp = chainparams_by_name(base)) == NULL)
		cp = chainparams_by_name("mainnet");
	return cp->rpc_port;
}

/* "1.2.3.4:8545" or "[::1]:8545" for a node known by its numeric address. */
static void
options_label(struct app_node *n)
{
	char buf[NETADDR_STRLEN];
	struct netaddr na;

	if (netaddr_parse(n->host, n->port, &na) == 0)
		str_copy(n->label, netaddr_format(&na, buf, sizeof(buf)), sizeof(n->label));
	else
		str_copy(n->label, n->host, sizeof(n->label));
}

/* The node in DIR: where its .rpc-endpoint says it listens, else on
 * 127.0.0.1 at the port of the network; the console follows the file
 * when the node moves. */
static void
options_datadir_node(struct options *o, struct app_node *n, const char *dir, const char *name)
{
	char err[256];

	if (rpc_endpoint_read(dir, n->host, sizeof(n->host), &n->port, err, sizeof(err)) == -1) {
		str_copy(n->host, "127.0.0.1", sizeof(n->host));
		n->port = options_datadir_port(&o->cfg, dir);
	}
	n->cookie = xasprintf("%s/.cookie", dir);
	n->datadir = xstrdup(dir);
	str_copy(n->label, name != NULL ? name : dir, sizeof(n->label));
}

/* The nodes of console.nodes. */
static int
options_config_nodes(struct options *o)
{
	const struct config_strlist *l = &o->cfg.console.nodes;
	char why[256], where[512];

	if (l->n > OPTIONS_MAX_NODES) {
		fprintf(stderr, "agentconsole: %sconsole.nodes: %zu nodes, at most %d\n",
		    config_where_key(&o->cfg, "console.nodes", where, sizeof(where)), l->n,
		    OPTIONS_MAX_NODES);
		return -1;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct config_node cn;
		struct app_node *n;

		/* Checked when loaded; a failure here is a broken invariant. */
		if (config_node_parse(l->v[i], &cn, why, sizeof(why)) != 0) {
			fprintf(stderr, "agentconsole: console.nodes: %s\n", why);
			return -1;
		}
		n = options_add_node(&o->app);
		if (cn.datadir != NULL) {
			options_datadir_node(o, n, cn.datadir, cn.name);
		} else {
			str_copy(n->host, cn.host, sizeof(n->host));
			n->port = cn.port;
			n->cookie = cn.cookie != NULL ? xstrdup(cn.cookie) : NULL;
			if (cn.name != NULL)
				str_copy(n->label, cn.name, sizeof(n->label));
			else
				options_label(n);
		}
		config_node_free(&cn);
	}
	return 0;
}

/* No node named anywhere: the one this configuration describes, on
 * loopback when it listens on every address. */
static void
options_default_node(struct options *o)
{
	struct app_node *n = options_add_node(&o->app);
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	if (netaddr_split_hostport(o->cfg.node.rpc_listen, o->cfg.params->rpc_port, host,
	    &port) != 0) {
		str_copy(host, "127.0.0.1", sizeof(host));
		port = o->cfg.params->rpc_port;
	}
	if (strcmp(host, "0.0.0.0") == 0)
		str_copy(host, "127.0.0.1", sizeof(host));
	else if (strcmp(host, "::") == 0)
		str_copy(host, "::1", sizeof(host));
	str_copy(n->host, host, sizeof(n->host));
	n->port = port;
	n->cookie = xasprintf("%s/.cookie", o->cfg.node.datadir);
	options_label(n);
}

/* --- flags ---------------------------------------------------------------- */

static int
options_rpc(struct app_opts *a, const char *arg)
{
	struct config_node cn;
	struct app_node *n;
	char item[512], why[256];

	/* One word: the rest of an item ("cookie=...") is not an address. */
	if (strpbrk(arg, " \t") != NULL || snprintf(item, sizeof(item), "rpc=%s", arg) >=
	    (int)sizeof(item)) {
		fprintf(stderr, "agentconsole: --rpc: want ADDR:PORT, got '%s'\n", arg);
		return 1;
	}
	if (config_node_parse(item, &cn, why, sizeof(why)) != 0) {
		fprintf(stderr, "agentconsole: --rpc: %s\n", why);
		return 1;
	}
	n = options_add_node(a);
	str_copy(n->host, cn.host, sizeof(n->host));
	n->port = cn.port;
	str_copy(n->label, arg, sizeof(n->label));
	config_node_free(&cn);
	return 0;
}

static int
options_flag(const struct cli_option *f, const char *value, void *arg)
{
	struct cmdline *cl = arg;
	struct app_opts *a = &cl->o->app;
	struct app_node *last = a->nnodes > 0 ? &a->nodes[a->nnodes - 1] : NULL;

	if ((f->id == F_DATADIR || f->id == F_RPC) && a->nnodes >= OPTIONS_MAX_NODES) {
		fprintf(stderr, "agentconsole: more than %d nodes\n", OPTIONS_MAX_NODES);
		return 1;
	}
	switch (f->id) {
	case F_DATADIR:
		cl->datadir[a->nnodes] = value;
		options_add_node(a);	/* filled in once the network is known */
		return 0;
	case F_RPC:
		return options_rpc(a, value);
	case F_COOKIE:
		if (last == NULL || cl->datadir[a->nnodes - 1] != NULL || last->cookie != NULL) {
			fprintf(stderr, "agentconsole: --cookie belongs after its --rpc\n");
			return 1;
		}
		last->cookie = xstrdup(value);
		return 0;
	case F_ONCE:
		a->once = true;
		return 0;
	case F_SIZE:
		(void)cli_size(value, &a->once_w, &a->once_h);	/* checked against the table */
		return 0;
	case F_STATS_FILE:
		a->stats_file = value;
		return 0;
	case F_HELP:
		options_usage(stdout);
		return 2;
	}
	return 0;
}

/* --- the rest of the configuration ----------------------------------------- */

/* console.sort: a column of the peers table, with a leading - for
 * descending; an unknown one is named with where it was set. */
static int
options_sort(struct options *o)
{
	const char *k = o->cfg.console.sort;
	char where[512];
	int col;

	o->app.sort_reverse = k[0] == '-';
	if ((col = ui_peers_column(k + (k[0] == '-'))) < 0) {
		fprintf(stderr, "agentconsole: %sconsole.sort: unknown column '%s' (agentconsole "
		    "--help lists them)\n", config_where_key(&o->cfg, "console.sort", where,
		    sizeof(where)), k);
		return -1;
	}
	o->app.sort_col = col;
	return 0;
}

/* --once's frame size from the environment, when both are usable. */
static void
options_env_size(struct app_opts *a)
{
	const char *cols = getenv("COLUMNS"), *lines = getenv("LINES");
	char sz[64];
	int w, h;

	a->once_w = 120;
	a->once_h = 40;
	if (cols == NULL || lines == NULL)
		return;
	snprintf(sz, sizeof(sz), "%.20sx%.20s", cols, lines);
	if (cli_size(sz, &w, &h) == 0 && w >= 1 && h >= 1 && w <= OPTIONS_SIZE_MAX &&
	    h <= OPTIONS_SIZE_MAX) {
		a->once_w = w;
		a->once_h = h;
	}
}

int
options_parse(int argc, char **argv, struct options *o)
{
	struct cmdline cl;
	struct app_opts *a = &o->app;
	char err[512];
	int rc;

	memset(o, 0, sizeof(*o));
	memset(&cl, 0, sizeof(cl));
	cl.o = o;
	config_init(&o->cfg);
	options_env_size(a);
	rc = cli_parse_options("agentconsole", argc, argv, flags, NFLAGS, 0, NULL, &o->cfg,
	    options_flag, &cl);
	if (rc != 0)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "agentconsole: unexpected argument '%s'\n", argv[optind]);
		return 1;
	}
	if (config_finalize(&o->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "agentconsole: %s\n", err);
		return 1;
	}
	if (options_sort(o) != 0)
		return 1;
	for (size_t i = 0; i < a->nnodes; i++)
		if (cl.datadir[i] != NULL)
			options_datadir_node(o, &a->nodes[i], cl.datadir[i], NULL);
	if (a->nnodes == 0 && options_config_nodes(o) != 0)
		return 1;
	if (a->nnodes == 0)
		options_default_node(o);
	a->crawl_db = o->cfg.crawler.db;
	a->geoip_db = o->cfg.console.geoip_db;
	a->network = config_isset(&o->cfg, "network.name") ? o->cfg.params->name : NULL;
	a->interval = o->cfg.console.interval / 1000.0;
	a->timeout = o->cfg.console.timeout / 1000.0;
	a->view = (enum view_id)o->cfg.console.view;
	a->theme = (enum config_theme)o->cfg.console.theme;
	a->ascii = o->cfg.console.ascii;
	a->mouse = o->cfg.console.mouse;
	a->bell = o->cfg.console.bell;
	a->alerts.min_peers = o->cfg.console.alert_min_peers;
	a->alerts.health = o->cfg.console.alert_health;
	a->alerts.health_drop = o->cfg.console.alert_health_drop;
	a->alerts.health_window = o->cfg.console.alert_health_window / 1000.0;
	a->alerts.down_after = o->cfg.console.alert_down / 1000.0;
	a->alerts.stall = o->cfg.console.alert_stall / 1000.0;
	a->alerts.hold = o->cfg.console.alert_hold / 1000.0;
	return 0;
}

void
options_free(struct options *o)
{
	for (size_t i = 0; i < o->app.nnodes; i++) {
		free(o->app.nodes[i].cookie);
		free(o->app.nodes[i].datadir);
	}
	free(o->app.nodes);
	config_free(&o->cfg);
	memset(o, 0, sizeof(*o));
}
