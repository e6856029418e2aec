/* main.c -- agentseeder entry point: parse the command line, then run the seeder.
 *
 * Every flag is a row of the table below (common/cli.h) and, except the
 * few that only steer the program, sets a key of agentchain.yaml(5): the
 * seeder shares crawler.db, network.name and log.* with agentcrawl, so one
 * configuration file can serve both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "hash.h"
#include "log.h"
#include "netaddr.h"
#include "seeder.h"
#include "version.h"
#include "xmalloc.h"

enum flag_id {
	F_HELP = 1,
};

static const struct cli_option flags[] = {
	{ .name = "db", .has_arg = 1, .key = "crawler.db", .arg = "FILE",
	  .help = "crawl database written by agentcrawl (read-only)" },
	{ .name = "host", .has_arg = 1, .key = "seeder.host", .arg = "NAME",
	  .help = "the seed's domain, e.g. seed.agentchain.io" },
	{ .name = "ns", .has_arg = 1, .key = "seeder.ns", .arg = "NAME",
	  .help = "its name server (SOA MNAME and NS record)" },
	{ .name = "mbox", .has_arg = 1, .key = "seeder.mbox", .arg = "NAME",
	  .help = "SOA contact, hostmaster.example.org or hostmaster@example.org" },
	{ .name = "listen", .has_arg = 1, .key = "seeder.listen", .arg = "ADDR:PORT",
	  .help = "UDP+TCP address, repeatable (default 0.0.0.0:53, [::]:53)" },
	{ .name = "network", .has_arg = 1, .key = "network.name", .arg = "NET",
	  .help = "mainnet, testnet or regtest" },
	{ .name = "ttl", .has_arg = 1, .key = "seeder.ttl", .arg = "SECONDS",
	  .help = "TTL of A/AAAA and negative answers (>= 60)" },
	{ .name = "max-answers", .has_arg = 1, .key = "seeder.max_answers", .arg = "N",
	  .help = "addresses per A answer (25)" },
	{ .name = "max-answers6", .has_arg = 1, .key = "seeder.max_answers6", .arg = "N",
	  .help = "addresses per AAAA answer (16)" },
	{ .name = "reload", .has_arg = 1, .key = "seeder.reload", .arg = "SECONDS",
	  .help = "re-read the database this often (60)" },
	{ .name = "user", .has_arg = 1, .key = "seeder.user", .arg = "NAME",
	  .help = "drop root for this user after binding" },
	{ .name = "stats-interval", .has_arg = 1, .key = "seeder.stats_interval",
	  .arg = "SECONDS",
	  .help = "log statistics this often (300; 0: SIGUSR1 only)" },
	{ .name = "rate-limit", .has_arg = 1, .key = "seeder.rate_limit", .arg = "N",
	  .help = "UDP replies/s per /24 or /56 (0: off)" },
	{ .name = "rate-burst", .has_arg = 1, .key = "seeder.rate_burst", .arg = "N",
	  .help = "burst above the rate (0: twice the rate)" },
	{ .name = "rate-slip", .has_arg = 1, .key = "seeder.rate_slip", .arg = "N",
	  .help = "every Nth limited reply goes out truncated (2)" },
	{ .name = "tcp-clients", .has_arg = 1, .key = "seeder.tcp_clients", .arg = "N",
	  .help = "concurrent TCP connections (256)" },
	{ .name = "tcp-clients-per-source", .has_arg = 1,
	  .key = "seeder.tcp_clients_per_source", .arg = "N",
	  .help = "of them from one address or IPv6 /64 (16)" },
	{ .name = "tcp-timeout", .has_arg = 1, .key = "seeder.tcp_timeout", .arg = "SECONDS",
	  .help = "close idle TCP connections after (10)" },
	{ .name = "tcp-query-timeout", .has_arg = 1, .key = "seeder.tcp_query_timeout",
	  .arg = "SECONDS",
	  .help = "time for one whole TCP query or its replies (3)" },
	{ .name = "log-level", .has_arg = 1, .key = "log.level", .arg = "LEVEL",
	  .help = "error, warn, info, debug, trace" },
	{ .name = "log-file", .has_arg = 1, .key = "log.file", .arg = "FILE",
	  .help = "log to FILE instead of stderr" },
	{ .name = "config", .has_arg = 1, .id = CLI_CONFIG, .arg = "FILE",
	  .help = "YAML configuration (agentchain.yaml(5))" },
	{ .name = "set", .has_arg = 1, .id = CLI_SET, .arg = "KEY=VALUE",
	  .help = "set any config key" },
	{ .name = "help-config", .id = CLI_HELP_CONFIG,
	  .help = "describe every config key" },
	{ .name = "version", .id = CLI_VERSION,
	  .help = "print the version" },
	{ .name = "help", .id = F_HELP, .short_name = 'h',
	  .help = "this help" },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: agentseeder --db FILE --host NAME --ns NAME --mbox NAME [options]\n\n"
	    "An authoritative DNS seed: answers A/AAAA queries for NAME and its\n"
	    "x<hex> service-filter subdomains with random samples of the good nodes\n"
	    "in agentcrawl's database.  Runs in the foreground until SIGINT/SIGTERM;\n"
	    "SIGHUP re-reads the database, SIGUSR1 logs statistics.\n\noptions:\n");
	cli_usage_options(fp, flags, NFLAGS, 0, NULL);
	fprintf(fp, "\nSee agentseeder(8) and agentchain.yaml(5).\n");
}

static int
handle_flag(const struct cli_option *f, const char *value, void *arg)
{
	(void)value;
	(void)arg;
	switch (f->id) {
	case F_HELP:
		usage(stdout);
		return 2;
	default:
		return 0;
	}
}

/* The required keys, and the listen list as addresses (port 53 when
 * absent).  Returns 0, or -1 after printing why. */
static int
check_config(const struct config *c, struct netaddr **listen, size_t *nlisten)
{
	static const struct { const char *flag, *key; } need[] = {
		{ "db", "crawler.db" }, { "host", "seeder.host" },
		{ "ns", "seeder.ns" }, { "mbox", "seeder.mbox" },
	};
	const char *val[] = { c->crawler.db, c->seeder.host, c->seeder.ns, c->seeder.mbox };
	const struct config_strlist *l = &c->seeder.listen;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (val[i] == NULL) {
			fprintf(stderr, "agentseeder: --%s (%s) is required; see agentseeder --help\n",
			    need[i].flag, need[i].key);
			return -1;
		}
	}
	if (l->n == 0) {
		*listen = xreallocarray(NULL, 2, sizeof(**listen));
		(void)netaddr_parse("0.0.0.0", 53, &(*listen)[0]);
		(void)netaddr_parse("::", 53, &(*listen)[1]);
		*nlisten = 2;
		return 0;
	}
	*listen = xreallocarray(NULL, l->n, sizeof(**listen));
	*nlisten = l->n;
	for (size_t i = 0; i < l->n; i++) {
		if (netaddr_parse(l->v[i], 53, &(*listen)[i]) == -1) {
			fprintf(stderr, "agentseeder: --listen: '%s' is not ADDR:PORT "
			    "(e.g. 127.0.0.1:5353 or [::1]:5353)\n", l->v[i]);
			free(*listen);
			*listen = NULL;
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct seeder_config sc;
	struct config cfg;
	struct netaddr *listen = NULL;
	size_t nlisten = 0;
	char err[512];
	int rc;

	config_init(&cfg);
	rc = cli_parse_options("agentseeder", argc, argv, flags, NFLAGS, 0, NULL, &cfg,
	    handle_flag, NULL);
	if (rc != 0) {
		config_free(&cfg);
		return rc == 2 ? SEEDER_EXIT_OK : SEEDER_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "agentseeder: unexpected argument '%s'\n", argv[optind]);
		config_free(&cfg);
		return SEEDER_EXIT_USAGE;
	}
	if (config_finalize(&cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentseeder: %s\n", err);
		config_free(&cfg);
		return SEEDER_EXIT_USAGE;
	}
	if (check_config(&cfg, &listen, &nlisten) == -1) {
		config_free(&cfg);
		return SEEDER_EXIT_USAGE;
	}
	log_set_level(cfg.log.level);
	if (log_open(cfg.log.file, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentseeder: %s\n", err);
		rc = SEEDER_EXIT_STARTUP;
		goto out;
	}
	if (hash_init() == -1) {
		log_error("seeder", "libsodium failed to start");
		rc = SEEDER_EXIT_STARTUP;
		goto out;
	}
	memset(&sc, 0, sizeof(sc));
	sc.db = cfg.crawler.db;
	sc.params = cfg.params;
	sc.host = cfg.seeder.host;
	sc.ns = cfg.seeder.ns;
	sc.mbox = cfg.seeder.mbox;
	sc.listen = listen;
	sc.nlisten = nlisten;
	sc.ttl = (unsigned)cfg.seeder.ttl;
	sc.max_a = (unsigned)cfg.seeder.max_answers;
	sc.max_aaaa = (unsigned)cfg.seeder.max_answers6;
	sc.reload = (unsigned)cfg.seeder.reload;
	sc.user = cfg.seeder.user;
	sc.stats_interval = (unsigned)cfg.seeder.stats_interval;
	sc.rate_limit = (unsigned)cfg.seeder.rate_limit;
	sc.rate_burst = cfg.seeder.rate_burst > 0 ? (unsigned)cfg.seeder.rate_burst :
	    2 * sc.rate_limit;
	sc.rate_slip = (unsigned)cfg.seeder.rate_slip;
	sc.tcp_clients = (unsigned)cfg.seeder.tcp_clients;
	sc.tcp_clients_per_source = (unsigned)cfg.seeder.tcp_clients_per_source;
	sc.tcp_timeout = (unsigned)cfg.seeder.tcp_timeout;
	sc.tcp_query_timeout = (unsigned)cfg.seeder.tcp_query_timeout;
	rc = seeder_run(&sc);
out:
	log_close();
	free(listen);
	config_free(&cfg);
	return rc;
}
