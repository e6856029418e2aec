/* main.c -- agentseeder entry point: parse the command line, then serve or make keys.
 *
 * Every flag is a row of the table below (common/cli.h) and, except the
 * few that only steer the program, sets a key of agentchain.yaml(5): the
 * seeder shares crawler.db, network.name and log.* with agentcrawl, so one
 * configuration file can serve both.  `agentseeder keygen` makes the
 * zone's DNSSEC keys (dns_keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "dns_answer.h"
#include "dns_keys.h"
#include "dns_sign.h"
#include "hash.h"
#include "log.h"
#include "netaddr.h"
#include "seeder.h"
#include "version.h"
#include "xmalloc.h"

/* Commands: bits of a flag's mask. */
#define CMD_SERVE	0x1
#define CMD_KEYGEN	0x2
static const char *const cmds[] = { "serve", "keygen", NULL };

/* A new ZSK's wait before signing, by default: the DNSKEY TTL (resolvers
 * that fetched the set before the new key was in it must let it expire),
 * a reload (until the seeder publishes it) and an hour to spare. */
#define KEYGEN_ACTIVATE_MARGIN	3600
#define KEYGEN_ACTIVATE_MAX	864000	/* ten days */

enum flag_id {
	F_HELP = 1, F_ALGORITHM, F_ZSK_ONLY, F_ACTIVATE_IN, F_DS,
};

#define S CMD_SERVE
#define K CMD_KEYGEN
static const struct cli_option flags[] = {
	{ .name = "db", .has_arg = 1, .key = "crawler.db", .mask = S, .arg = "FILE",
	  .help = "crawl database written by agentcrawl (read-only)" },
	{ .name = "host", .has_arg = 1, .key = "seeder.host", .arg = "NAME",
	  .help = "the seed's domain, e.g. seed.agentchain.io" },
	{ .name = "ns", .has_arg = 1, .key = "seeder.ns", .mask = S, .arg = "NAME",
	  .help = "its name server (SOA MNAME and NS record)" },
	{ .name = "mbox", .has_arg = 1, .key = "seeder.mbox", .mask = S, .arg = "NAME",
	  .help = "SOA contact, hostmaster.example.org or hostmaster@example.org" },
	{ .name = "listen", .has_arg = 1, .key = "seeder.listen", .mask = S, .arg = "ADDR:PORT",
	  .help = "UDP+TCP address, repeatable (default 0.0.0.0:53, [::]:53)" },
	{ .name = "network", .has_arg = 1, .key = "network.name", .mask = S, .arg = "NET",
	  .help = "mainnet, testnet or regtest" },
	{ .name = "ttl", .has_arg = 1, .key = "seeder.ttl", .mask = S, .arg = "SECONDS",
	  .help = "TTL of A/AAAA and negative answers (>= 60)" },
	{ .name = "max-answers", .has_arg = 1, .key = "seeder.max_answers", .mask = S,
	  .arg = "N", .help = "addresses per A answer (25)" },
	{ .name = "max-answers6", .has_arg = 1, .key = "seeder.max_answers6", .mask = S,
	  .arg = "N", .help = "addresses per AAAA answer (16)" },
	{ .name = "reload", .has_arg = 1, .key = "seeder.reload", .mask = S, .arg = "SECONDS",
	  .help = "re-read the database (and keys) this often (60)" },
	{ .name = "user", .has_arg = 1, .key = "seeder.user", .mask = S, .arg = "NAME",
	  .help = "drop root for this user after binding" },
	{ .name = "stats-interval", .has_arg = 1, .key = "seeder.stats_interval", .mask = S,
	  .arg = "SECONDS", .help = "log statistics this often (300; 0: SIGUSR1 only)" },
	{ .name = "rate-limit", .has_arg = 1, .key = "seeder.rate_limit", .mask = S, .arg = "N",
	  .help = "UDP replies/s per /24 or /56 (0: off)" },
	{ .name = "rate-burst", .has_arg = 1, .key = "seeder.rate_burst", .mask = S, .arg = "N",
	  .help = "burst above the rate (0: twice the rate)" },
	{ .name = "rate-slip", .has_arg = 1, .key = "seeder.rate_slip", .mask = S, .arg = "N",
	  .help = "every Nth limited reply goes out truncated (2)" },
	{ .name = "tcp-clients", .has_arg = 1, .key = "seeder.tcp_clients", .mask = S,
	  .arg = "N", .help = "concurrent TCP connections (256)" },
	{ .name = "tcp-clients-per-source", .has_arg = 1,
	  .key = "seeder.tcp_clients_per_source", .mask = S, .arg = "N",
	  .help = "of them from one address or IPv6 /64 (16)" },
	{ .name = "tcp-timeout", .has_arg = 1, .key = "seeder.tcp_timeout", .mask = S,
	  .arg = "SECONDS", .help = "close idle TCP connections after (10)" },
	{ .name = "tcp-query-timeout", .has_arg = 1, .key = "seeder.tcp_query_timeout",
	  .mask = S, .arg = "SECONDS", .help = "time for one whole TCP query or its replies (3)" },
	{ .name = "dnssec-keys", .has_arg = 1, .key = "seeder.dnssec_keys", .mask = S,
	  .arg = "DIR", .help = "sign answers with the keys in DIR (agentseeder keygen)" },
	{ .name = "dnssec-pool", .has_arg = 1, .key = "seeder.dnssec_pool", .mask = S,
	  .arg = "N", .help = "signed answer sets per name and type (64)" },
	{ .name = "dir", .has_arg = 1, .key = "seeder.dnssec_keys", .mask = K, .arg = "DIR",
	  .help = "key directory (made when missing)" },
	{ .name = "algorithm", .has_arg = 1, .id = F_ALGORITHM, .mask = K, .arg = "ALG",
	  .help = "ecdsap256sha256 (13, the default) or ed25519 (15)" },
	{ .name = "zsk-only", .id = F_ZSK_ONLY, .mask = K,
	  .help = "a new ZSK, for a rollover" },
	{ .name = "ds", .id = F_DS, .mask = K,
	  .help = "only print the DS record(s) of the keys in DIR" },
	{ .name = "activate-in", .has_arg = 1, .id = F_ACTIVATE_IN, .mask = K,
	  .arg = "SECONDS", .type = CLI_INT, .min = 0, .max = KEYGEN_ACTIVATE_MAX,
	  .help = "the new ZSK signs after this wait (default: DNSKEY TTL + reload + 1 h)" },
	{ .name = "log-level", .has_arg = 1, .key = "log.level", .mask = S, .arg = "LEVEL",
	  .help = "error, warn, info, debug, trace" },
	{ .name = "log-file", .has_arg = 1, .key = "log.file", .mask = S, .arg = "FILE",
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
#undef S
#undef K
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

/* What the command line asked beyond config keys. */
struct options {
	unsigned	 cmd;		/* CMD_SERVE or CMD_KEYGEN */
	uint8_t		 algorithm;	/* 0: the default */
	bool		 zsk_only;
	bool		 ds_only;
	long long	 activate_in;	/* -1: the default */
};

static void
usage(FILE *fp, unsigned cmd)
{
	if (cmd == CMD_KEYGEN)
		fprintf(fp, "usage: agentseeder keygen --dir DIR --host NAME [options]\n\n"
		    "Make the zone's DNSSEC keys: a KSK and a ZSK, or with --zsk-only a new\n"
		    "ZSK that is published now and signs later (a rollover).  Prints the DS\n"
		    "record(s) to give the parent zone (--ds: only that).\n\noptions:\n");
	else
		fprintf(fp, "usage: agentseeder --db FILE --host NAME --ns NAME --mbox NAME "
		    "[options]\n"
		    "       agentseeder keygen --dir DIR --host NAME [options]\n\n"
		    "An authoritative DNS seed: answers A/AAAA queries for NAME and its\n"
		    "x<hex> service-filter subdomains with random samples of the good nodes\n"
		    "in agentcrawl's database, DNSSEC-signed with --dnssec-keys.  Runs in the\n"
		    "foreground until SIGINT/SIGTERM; SIGHUP re-reads the database and the\n"
		    "keys, SIGUSR1 logs statistics.\n\noptions:\n");
	cli_usage_options(fp, flags, NFLAGS, cmd == CMD_KEYGEN ? CMD_KEYGEN : 0, cmds);
	fprintf(fp, "\nSee agentseeder(8) and agentchain.yaml(5).\n");
}

static int
handle_flag(const struct cli_option *f, const char *value, void *arg)
{
	struct options *o = arg;

	switch (f->id) {
	case F_HELP:
		usage(stdout, o->cmd);
		return 2;
	case F_ALGORITHM:
		if (strcasecmp(value, "ecdsap256sha256") == 0 || strcmp(value, "13") == 0)
			o->algorithm = DNSK_ECDSAP256;
		else if (strcasecmp(value, "ed25519") == 0 || strcmp(value, "15") == 0)
			o->algorithm = DNSK_ED25519;
		else {
			fprintf(stderr, "agentseeder keygen: --algorithm: want ecdsap256sha256 "
			    "(13) or ed25519 (15), got '%s'\n", value);
			return 1;
		}
		return 0;
	case F_ZSK_ONLY:
		o->zsk_only = true;
		return 0;
	case F_DS:
		o->ds_only = true;
		return 0;
	case F_ACTIVATE_IN:
		o->activate_in = atoll(value);
		return 0;
	default:
		return 0;
	}
}

/* agentseeder keygen. */
static int
keygen(const struct config *c, const struct options *o)
{
	struct dnsk_keygen k;
	long long fresh = DNSK_DNSKEY_TTL + c->seeder.reload + KEYGEN_ACTIVATE_MARGIN;
	char err[512];

	if (c->seeder.dnssec_keys == NULL || c->seeder.host == NULL) {
		fprintf(stderr, "agentseeder keygen: --%s is required; see agentseeder keygen "
		    "--help\n", c->seeder.dnssec_keys == NULL ? "dir" : "host");
		return SEEDER_EXIT_USAGE;
	}
	if (o->activate_in >= 0 && !o->zsk_only) {
		fprintf(stderr, "agentseeder keygen: --activate-in is for a new ZSK "
		    "(--zsk-only); the first keys sign at once\n");
		return SEEDER_EXIT_USAGE;
	}
	memset(&k, 0, sizeof(k));
	k.dir = c->seeder.dnssec_keys;
	k.host = c->seeder.host;
	k.algorithm = o->algorithm;
	k.zsk_only = o->zsk_only;
	k.ds_only = o->ds_only;
	k.activate_in = o->zsk_only ? (o->activate_in >= 0 ? o->activate_in : fresh) : 0;
	if (o->zsk_only && !o->ds_only && k.activate_in < DNSK_DNSKEY_TTL + c->seeder.reload)
		fprintf(stderr, "agentseeder keygen: warning: the new ZSK signs in %lld s, "
		    "before resolvers holding the DNSKEY set without it (TTL %d s) must ask "
		    "again; they fail to validate until then\n", (long long)k.activate_in,
		    DNSK_DNSKEY_TTL);
	/* A replaced ZSK stays until nothing it signed can be in a cache:
	 * the last reload before the switch, the longest TTL, and a margin. */
	k.retire_after = c->seeder.reload + (c->seeder.ttl > DNSA_NS_TTL ? c->seeder.ttl :
	    DNSA_NS_TTL) + DNSS_SKEW;
	k.now = (int64_t)time(NULL);
	if (dnsk_keygen(&k, stdout, stderr, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentseeder keygen: %s\n", err);
		return SEEDER_EXIT_STARTUP;
	}
	return SEEDER_EXIT_OK;
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
	/* Unset, the list holds its default (config_finalize); empty, it was
	 * emptied on purpose ([]), and a seeder on no address is a mistake. */
	if (l->n == 0) {
		fprintf(stderr, "agentseeder: seeder.listen is empty ([]): no address to "
		    "answer on\n");
		return -1;
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
	struct options o = { .cmd = CMD_SERVE, .activate_in = -1 };
	struct netaddr *listen = NULL;
	size_t nlisten = 0;
	const char *prog = "agentseeder";
	char err[512];
	int rc;

	/* "keygen" (or "serve", the default) before the flags. */
	if (argc > 1 && (strcmp(argv[1], "keygen") == 0 || strcmp(argv[1], "serve") == 0)) {
		if (strcmp(argv[1], "keygen") == 0) {
			o.cmd = CMD_KEYGEN;
			prog = "agentseeder keygen";
		}
		argc--;
		argv++;
	}
	config_init(&cfg);
	rc = cli_parse_options(prog, argc, argv, flags, NFLAGS, o.cmd, cmds, &cfg, handle_flag,
	    &o);
	if (rc != 0) {
		config_free(&cfg);
		return rc == 2 ? SEEDER_EXIT_OK : SEEDER_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		config_free(&cfg);
		return SEEDER_EXIT_USAGE;
	}
	if (config_finalize(&cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", prog, err);
		config_free(&cfg);
		return SEEDER_EXIT_USAGE;
	}
	if (o.cmd == CMD_KEYGEN) {
		rc = keygen(&cfg, &o);
		config_free(&cfg);
		return rc;
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
	sc.dnssec_keys = cfg.seeder.dnssec_keys;
	sc.dnssec_pool = (unsigned)cfg.seeder.dnssec_pool;
	rc = seeder_run(&sc);
out:
	log_close();
	free(listen);
	config_free(&cfg);
	return rc;
}
