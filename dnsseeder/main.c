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

static const struct cli_flag flags[] = {
	{ "db", 1, "crawler.db", NULL, 0, 0, 0, "FILE", "crawl database written by agentcrawl (read-only)" },
	{ "host", 1, "seeder.host", NULL, 0, 0, 0, "NAME", "the seed's domain, e.g. seed.agentchain.io" },
	{ "ns", 1, "seeder.ns", NULL, 0, 0, 0, "NAME", "its name server (SOA MNAME and NS record)" },
	{ "mbox", 1, "seeder.mbox", NULL, 0, 0, 0, "NAME", "SOA contact, hostmaster.example.org or hostmaster@example.org" },
	{ "listen", 1, "seeder.listen", NULL, 0, 0, 0, "ADDR:PORT", "UDP+TCP address, repeatable (default 0.0.0.0:53, [::]:53)" },
	{ "network", 1, "network.name", NULL, 0, 0, 0, "NET", "mainnet, testnet or regtest" },
	{ "ttl", 1, "seeder.ttl", NULL, 0, 0, 0, "SECONDS", "TTL of A/AAAA and negative answers (>= 60)" },
	{ "max-answers", 1, "seeder.max_answers", NULL, 0, 0, 0, "N", "addresses per A answer (25)" },
	{ "max-answers6", 1, "seeder.max_answers6", NULL, 0, 0, 0, "N", "addresses per AAAA answer (16)" },
	{ "reload", 1, "seeder.reload", NULL, 0, 0, 0, "SECONDS", "re-read the database this often (60)" },
	{ "user", 1, "seeder.user", NULL, 0, 0, 0, "NAME", "drop root for this user after binding" },
	{ "stats-interval", 1, "seeder.stats_interval", NULL, 0, 0, 0, "SECONDS", "log statistics this often (300; 0: SIGUSR1 only)" },
	{ "rate-limit", 1, "seeder.rate_limit", NULL, 0, 0, 0, "N", "UDP replies/s per /24 or /56 (0: off)" },
	{ "rate-burst", 1, "seeder.rate_burst", NULL, 0, 0, 0, "N", "burst above the rate (0: twice the rate)" },
	{ "rate-slip", 1, "seeder.rate_slip", NULL, 0, 0, 0, "N", "every Nth limited reply goes out truncated (2)" },
	{ "tcp-clients", 1, "seeder.tcp_clients", NULL, 0, 0, 0, "N", "concurrent TCP connections (256)" },
	{ "tcp-clients-per-source", 1, "seeder.tcp_clients_per_source", NULL, 0, 0, 0, "N", "of them from one address or IPv6 /64 (16)" },
	{ "tcp-timeout", 1, "seeder.tcp_timeout", NULL, 0, 0, 0, "SECONDS", "close idle TCP connections after (10)" },
	{ "tcp-query-timeout", 1, "seeder.tcp_query_timeout", NULL, 0, 0, 0, "SECONDS", "time for one whole TCP query or its replies (3)" },
	{ "log-level", 1, "log.level", NULL, 0, 0, 0, "LEVEL", "error, warn, info, debug, trace" },
	{ "log-file", 1, "log.file", NULL, 0, 0, 0, "FILE", "log to FILE instead of stderr" },
	{ "config", 1, NULL, NULL, CLI_CONFIG, 0, 0, "FILE", "YAML configuration (agentchain.yaml(5))" },
	{ "set", 1, NULL, NULL, CLI_SET, 0, 0, "KEY=VALUE", "set any config key" },
	{ "help-config", 0, NULL, NULL, CLI_HELP_CONFIG, 0, 0, NULL, "describe every config key" },
	{ "version", 0, NULL, NULL, CLI_VERSION, 0, 0, NULL, "print the version" },
	{ "help", 0, NULL, NULL, F_HELP, 0, 'h', NULL, "this help" },
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
	cli_usage(fp, flags, NFLAGS, 0);
	fprintf(fp, "\nSee agentseeder(8) and agentchain.yaml(5).\n");
}

static int
handle_flag(const struct cli_flag *f, const char *value, void *arg)
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
	rc = cli_parse("agentseeder", argc, argv, flags, NFLAGS, 0, &cfg, handle_flag, NULL);
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
