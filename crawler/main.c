/* main.c -- agentcrawl entry point: parse the command line, then crawl, export or print stats.
 *
 * Flags live in one table that drives getopt_long, --help and the mapping
 * onto config keys (agentchain.yaml(5) `crawler.*`), so a flag and its key
 * cannot drift apart.  Each flag names the commands that accept it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomicfile.h"
#include "config.h"
#include "crawl.h"
#include "crawldb.h"
#include "export.h"
#include "hash.h"
#include "log.h"
#include "stats.h"
#include "strutil.h"
#include "version.h"
#include "xmalloc.h"

enum cmd {
	CMD_CRAWL = 0x1,
	CMD_EXPORT = 0x2,
	CMD_STATS = 0x4,
	CMD_ALL = 0x7,
};

enum flag_id {
	F_CONFIG = 1000, F_DB, F_SEED, F_DNS_SEED, F_ONCE, F_FORMAT, F_OUTPUT,
	F_ALL, F_JSON, F_MIN_HEIGHT, F_DIAL_RATE, F_FLUSH_MS, F_PROGRESS,
	F_PROGRESS_INTERVAL, F_NOW, F_SET, F_HELP, F_HELP_CONFIG, F_VERSION,
	F_NETWORK,
};

struct flag {
	const char	*name;
	int		 has_arg;
	unsigned	 cmds;		/* commands that take it */
	const char	*key;		/* config key it sets, or NULL */
	const char	*value;		/* fixed value for flags without argument */
	int		 id;
	const char	*arg;
	const char	*help;
};

static const struct flag flags[] = {
	{ "network", 1, CMD_ALL, "network.name", NULL, F_NETWORK, "NET",
	  "mainnet, testnet or regtest (export/stats: only that network)" },
	{ "config", 1, CMD_ALL, NULL, NULL, F_CONFIG, "FILE",
	  "YAML configuration (agentchain.yaml(5))" },
	{ "db", 1, CMD_ALL, "crawler.db", NULL, F_DB, "FILE",
	  "the crawl database (SQLite)" },
	{ "seed", 1, CMD_CRAWL, "network.seeds", NULL, F_SEED, "HOST:PORT",
	  "start from this node (repeatable)" },
	{ "dns-seed", 1, CMD_CRAWL, "network.dns_seeds", NULL, F_DNS_SEED, "NAME",
	  "start from the A/AAAA records of NAME (repeatable)" },
	{ "dns-server", 1, CMD_CRAWL, "crawler.dns_server", NULL, 0, "ADDR:PORT",
	  "resolver for --dns-seed and seed host names" },
	{ "once", 0, CMD_CRAWL, NULL, NULL, F_ONCE, NULL,
	  "probe every known address once, print a summary, exit" },
	{ "concurrency", 1, CMD_CRAWL, "crawler.concurrency", NULL, 0, "N",
	  "most connections at once (default 256)" },
	{ "connect-timeout", 1, CMD_CRAWL, "crawler.connect_timeout", NULL, 0, "MS",
	  "TCP connect timeout (default 5000; regtest 2000)" },
	{ "handshake-timeout", 1, CMD_CRAWL, "crawler.handshake_timeout", NULL, 0,
	  "MS", "version handshake timeout (default 10000; regtest 3000)" },
	{ "addr-window", 1, CMD_CRAWL, "crawler.addr_window", NULL, 0, "MS",
	  "longest wait for addr answers (default 10000; regtest 2000)" },
	{ "max-nodes", 1, CMD_CRAWL, "crawler.max_nodes", NULL, 0, "N",
	  "most addresses kept (default 200000)" },
	{ "geoip-db", 1, CMD_CRAWL, "crawler.geoip_db", NULL, 0, "FILE",
	  "MaxMind City database for locations" },
	{ "asn-db", 1, CMD_CRAWL, "crawler.asn_db", NULL, 0, "FILE",
	  "MaxMind ASN database for AS numbers" },
	{ "min-height", 1, CMD_CRAWL, NULL, NULL, F_MIN_HEIGHT, "N",
	  "good nodes need at least this start height (stored in the database)" },
	{ "dial-rate", 1, CMD_CRAWL, NULL, NULL, F_DIAL_RATE, "N",
	  "at most N new connections per second (default: no limit)" },
	{ "flush-interval", 1, CMD_CRAWL, NULL, NULL, F_FLUSH_MS, "MS",
	  "commit a batch this often (default 1000)" },
	{ "progress", 1, CMD_CRAWL, NULL, NULL, F_PROGRESS, "WHEN",
	  "auto, tty, log or off (default auto)" },
	{ "progress-interval", 1, CMD_CRAWL, NULL, NULL, F_PROGRESS_INTERVAL, "SEC",
	  "seconds between progress log lines (default 10)" },
	{ "format", 1, CMD_EXPORT, NULL, NULL, F_FORMAT, "FMT",
	  "nodes-md, json or csv" },
	{ "output", 1, CMD_EXPORT, NULL, NULL, F_OUTPUT, "FILE",
	  "write to FILE (atomically) instead of standard output; also -o" },
	{ "all", 0, CMD_EXPORT, NULL, NULL, F_ALL, NULL,
	  "include nodes that are not good" },
	{ "json", 0, CMD_STATS | CMD_CRAWL, NULL, NULL, F_JSON, NULL,
	  "JSON output (crawl: the --once summary)" },
	{ "now", 1, CMD_EXPORT | CMD_STATS, NULL, NULL, F_NOW, "UNIX",
	  "snapshot time to report (default: now)" },
	{ "log-level", 1, CMD_ALL, "log.level", NULL, 0, "LEVEL",
	  "error, warn, info, debug, trace" },
	{ "log-file", 1, CMD_ALL, "log.file", NULL, 0, "FILE",
	  "log to FILE instead of standard error" },
	{ "set", 1, CMD_ALL, NULL, NULL, F_SET, "KEY=VALUE", "set any config key" },
	{ "help-config", 0, CMD_ALL, NULL, NULL, F_HELP_CONFIG, NULL,
	  "describe every config key" },
	{ "version", 0, CMD_ALL, NULL, NULL, F_VERSION, NULL, "print the version" },
	{ "help", 0, CMD_ALL, NULL, NULL, F_HELP, NULL, "this help" },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

struct options {
	struct config	 cfg;
	enum cmd	 cmd;
	bool		 once;
	bool		 json;
	bool		 all;
	bool		 network_given;
	const char	*format;
	const char	*output;
	long long	 min_height;
	double		 dial_rate;
	long long	 flush_ms;
	const char	*progress;
	double		 progress_interval;
	long long	 now;
};

static const char *
cmd_name(unsigned c)
{
	return c == CMD_CRAWL ? "crawl" : c == CMD_EXPORT ? "export" : "stats";
}

static void
usage(FILE *fp, unsigned cmds)
{
	char	left[48];
	size_t	i;

	fprintf(fp, "usage: agentcrawl crawl  --db FILE [--seed HOST:PORT]... "
	    "[--dns-seed NAME]... [--once] [options]\n"
	    "       agentcrawl export --db FILE --format nodes-md|json|csv "
	    "[-o FILE] [--all]\n"
	    "       agentcrawl stats  --db FILE [--json]\n\n"
	    "Walks the Agent Chain network through getaddr, keeps a crawl "
	    "database, exports the\nNODES.md registry.\n\noptions:\n");
	for (i = 0; i < NFLAGS; i++) {
		unsigned c = flags[i].cmds;

		if ((c & cmds) == 0)
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", flags[i].name,
		    flags[i].arg ? " " : "", flags[i].arg ? flags[i].arg : "");
		fprintf(fp, "  %-28s %s", left, flags[i].help);
		if (c != CMD_ALL && cmds == CMD_ALL)
			fprintf(fp, " (%s%s%s%s%s)",
			    c & CMD_CRAWL ? "crawl" : "",
			    (c & CMD_CRAWL) && (c & ~CMD_CRAWL) ? ", " : "",
			    c & CMD_EXPORT ? "export" : "",
			    (c & CMD_EXPORT) && (c & CMD_STATS) ? ", " : "",
			    c & CMD_STATS ? "stats" : "");
		if (flags[i].key != NULL)
			fprintf(fp, " [%s]", flags[i].key);
		fputc('\n', fp);
	}
	fprintf(fp, "\nSee agentcrawl(1) and agentchain.yaml(5).\n");
}

static int
number(const char *flag, const char *s, long long lo, long long hi,
    long long *out)
{
	if (str_to_ll(s, lo, hi, out) == -1) {
		fprintf(stderr, "agentcrawl: --%s: want a whole number from %lld "
		    "to %lld, not '%s'\n", flag, lo, hi, s);
		return -1;
	}
	return 0;
}

/* Parse the flags after the command; the config file is applied before
 * them so that flags win.  Returns 0, 1 (error printed) or 2 (help or
 * version printed). */
static int
parse_options(int argc, char **argv, struct options *o)
{
	struct option	 lo[NFLAGS + 1];
	const char	*config_path = NULL;
	char		 err[512], *eq;
	long long	 v;
	int		 c, idx;
	size_t		 i;

	memset(lo, 0, sizeof(lo));
	for (i = 0; i < NFLAGS; i++) {
		lo[i].name = flags[i].name;
		lo[i].has_arg = flags[i].has_arg ? required_argument : no_argument;
		lo[i].val = 256 + (int)i;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:", lo, &idx)) != -1) {
		if (c >= 256 && flags[c - 256].id == F_CONFIG)
			config_path = optarg;
	}
	if (config_path != NULL &&
	    config_load_file(&o->cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		return 1;
	}
	opterr = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:", lo, &idx)) != -1) {
		const struct flag *f;

		if (c == 'o') {
			if (o->cmd != CMD_EXPORT) {
				fprintf(stderr, "agentcrawl %s: -o is for export\n",
				    cmd_name(o->cmd));
				return 1;
			}
			o->output = optarg;
			continue;
		}
		if (c < 256) {
			fprintf(stderr, "Try 'agentcrawl %s --help'.\n",
			    cmd_name(o->cmd));
			return 1;
		}
		f = &flags[c - 256];
		if ((f->cmds & o->cmd) == 0) {
			fprintf(stderr, "agentcrawl %s: --%s is not an option of "
			    "this command\n", cmd_name(o->cmd), f->name);
			return 1;
		}
		if (f->id == F_NETWORK)
			o->network_given = true;
		if (f->key != NULL) {
			if (config_set(&o->cfg, f->key, f->value ? f->value : optarg,
			    err, sizeof(err)) == -1) {
				fprintf(stderr, "agentcrawl: --%s: %s\n", f->name, err);
				return 1;
			}
			continue;
		}
		switch (f->id) {
		case F_ONCE:
			o->once = true;
			break;
		case F_JSON:
			o->json = true;
			break;
		case F_ALL:
			o->all = true;
			break;
		case F_FORMAT:
			o->format = optarg;
			break;
		case F_OUTPUT:
			o->output = optarg;
			break;
		case F_MIN_HEIGHT:
			if (number(f->name, optarg, 0, INT32_MAX, &o->min_height) == -1)
				return 1;
			break;
		case F_DIAL_RATE:
			if (number(f->name, optarg, 0, 1000000, &v) == -1)
				return 1;
			o->dial_rate = (double)v;
			break;
		case F_FLUSH_MS:
			if (number(f->name, optarg, 10, 600000, &o->flush_ms) == -1)
				return 1;
			break;
		case F_PROGRESS:
			o->progress = optarg;
			break;
		case F_PROGRESS_INTERVAL:
			if (number(f->name, optarg, 1, 86400, &v) == -1)
				return 1;
			o->progress_interval = (double)v;
			break;
		case F_NOW:
			if (number(f->name, optarg, 1, INT64_MAX, &o->now) == -1)
				return 1;
			break;
		case F_SET:
			if ((eq = strchr(optarg, '=')) == NULL) {
				fprintf(stderr, "agentcrawl: --set wants KEY=VALUE\n");
				return 1;
			}
			*eq = '\0';
			if (config_set(&o->cfg, optarg, eq + 1, err,
			    sizeof(err)) == -1) {
				fprintf(stderr, "agentcrawl: --set: %s\n", err);
				return 1;
			}
			break;
		case F_HELP:
			usage(stdout, o->cmd);
			return 2;
		case F_HELP_CONFIG:
			config_print_keys(stdout);
			return 2;
		case F_VERSION:
			printf("agentcrawl %s\n", AGENTCHAIN_VERSION);
			return 2;
		default:
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "agentcrawl %s: unexpected argument '%s'\n",
		    cmd_name(o->cmd), argv[optind]);
		return 1;
	}
	if (config_finalize(&o->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		return 1;
	}
	if (o->cfg.crawler.db == NULL) {
		fprintf(stderr, "agentcrawl %s: which database? (--db FILE)\n",
		    cmd_name(o->cmd));
		return 1;
	}
	return 0;
}

static int
cmd_crawl(struct options *o)
{
	struct crawl_options	 co;
	const struct config	*c = &o->cfg;
	bool			 own_seeds;

	crawl_options_init(&co, c->params);
	co.db_path = c->crawler.db;
	/* Seeds given on the command line or in the file replace the
	 * network's built-in ones; both kinds together are fine. */
	own_seeds = config_isset(c, "network.seeds") ||
	    config_isset(c, "network.dns_seeds");
	if (!own_seeds || config_isset(c, "network.seeds")) {
		co.seeds = c->network.seeds.v;
		co.nseeds = c->network.seeds.n;
	}
	if (!own_seeds || config_isset(c, "network.dns_seeds")) {
		co.dns_seeds = c->network.dns_seeds.v;
		co.ndns_seeds = c->network.dns_seeds.n;
	}
	co.dns_server = c->crawler.dns_server;
	co.once = o->once;
	co.concurrency = c->crawler.concurrency;
	if (c->crawler.connect_timeout > 0)
		co.connect_timeout_ms = c->crawler.connect_timeout;
	if (c->crawler.handshake_timeout > 0)
		co.handshake_timeout_ms = c->crawler.handshake_timeout;
	if (c->crawler.addr_window > 0)
		co.addr_window_ms = c->crawler.addr_window;
	co.max_nodes = (size_t)c->crawler.max_nodes;
	co.geoip_db = c->crawler.geoip_db;
	co.asn_db = c->crawler.asn_db;
	co.min_height = o->min_height >= 0 ? (int32_t)o->min_height : -1;
	co.dial_rate = o->dial_rate;
	if (o->flush_ms > 0)
		co.flush_ms = (int)o->flush_ms;
	if (o->progress_interval > 0)
		co.progress_interval = o->progress_interval;
	co.summary_json = o->json;
	if (o->progress != NULL) {
		if (strcmp(o->progress, "auto") == 0)
			co.progress = PROGRESS_AUTO;
		else if (strcmp(o->progress, "tty") == 0)
			co.progress = PROGRESS_TTY;
		else if (strcmp(o->progress, "log") == 0)
			co.progress = PROGRESS_LOG;
		else if (strcmp(o->progress, "off") == 0)
			co.progress = PROGRESS_OFF;
		else {
			fprintf(stderr, "agentcrawl: --progress: auto, tty, log "
			    "or off, not '%s'\n", o->progress);
			return 1;
		}
	}
	return crawl_run(&co);
}

static struct crawldb *
open_readonly(const struct options *o)
{
	struct crawldb	*db;
	char		 err[512];

	db = crawldb_open(o->cfg.crawler.db, CRAWLDB_RDONLY, err, sizeof(err));
	if (db == NULL)
		fprintf(stderr, "agentcrawl: %s\n", err);
	return db;
}

static int
cmd_export(struct options *o)
{
	struct export_options	 eo;
	struct crawldb		*db;
	char			 err[512], *buf = NULL;
	size_t			 len = 0;
	FILE			*fp;
	int			 rc;

	memset(&eo, 0, sizeof(eo));
	if (o->format == NULL || export_parse_format(o->format, &eo.format) == -1) {
		fprintf(stderr, "agentcrawl export: --format nodes-md, json or "
		    "csv\n");
		return 1;
	}
	eo.all = o->all;
	eo.network = o->network_given ? o->cfg.params->name : NULL;
	eo.now = o->now > 0 ? o->now : (int64_t)time(NULL);
	if ((db = open_readonly(o)) == NULL)
		return 1;
	/* Into memory first: -o replaces its file atomically, and a failed
	 * read never leaves half a registry behind. */
	if ((fp = open_memstream(&buf, &len)) == NULL) {
		crawldb_close(db);
		fprintf(stderr, "agentcrawl: out of memory\n");
		return 1;
	}
	rc = export_write(db, &eo, fp, err, sizeof(err));
	fclose(fp);
	crawldb_close(db);
	if (rc == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		free(buf);
		return 1;
	}
	if (o->output != NULL && strcmp(o->output, "-") != 0) {
		if (atomicfile_write(o->output, buf, len, 0644, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "agentcrawl: %s\n", err);
			free(buf);
			return 1;
		}
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		fprintf(stderr, "agentcrawl: cannot write the export\n");
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}

static int
cmd_stats(struct options *o)
{
	struct crawldb	*db;
	struct stats	 s;
	char		 err[512];
	int64_t		 now = o->now > 0 ? o->now : (int64_t)time(NULL);

	if ((db = open_readonly(o)) == NULL)
		return 1;
	if (stats_compute(db, o->network_given ? o->cfg.params->name : NULL, now,
	    &s, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		crawldb_close(db);
		return 1;
	}
	crawldb_close(db);
	if (o->json)
		stats_print_json(&s, stdout);
	else
		stats_print_text(&s, stdout);
	stats_free(&s);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct options	 o;
	char		 err[256];
	int		 rc;

	memset(&o, 0, sizeof(o));
	o.min_height = -1;
	config_init(&o.cfg);
	if (argc >= 2 && strcmp(argv[1], "crawl") == 0)
		o.cmd = CMD_CRAWL;
	else if (argc >= 2 && strcmp(argv[1], "export") == 0)
		o.cmd = CMD_EXPORT;
	else if (argc >= 2 && strcmp(argv[1], "stats") == 0)
		o.cmd = CMD_STATS;
	else if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		usage(stdout, CMD_ALL);
		rc = 0;
		goto out;
	} else if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("agentcrawl %s\n", AGENTCHAIN_VERSION);
		rc = 0;
		goto out;
	} else {
		if (argc >= 2)
			fprintf(stderr, "agentcrawl: unknown command '%s' "
			    "(crawl, export or stats)\n", argv[1]);
		usage(stderr, CMD_ALL);
		rc = 1;
		goto out;
	}
	rc = parse_options(argc - 1, argv + 1, &o);
	if (rc != 0) {
		rc = rc == 2 ? 0 : 1;
		goto out;
	}
	log_set_level(o.cfg.log.level);
	if (log_open(o.cfg.log.file, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		rc = 1;
		goto out;
	}
	if (hash_init() == -1) {
		fprintf(stderr, "agentcrawl: cannot start libsodium\n");
		rc = 1;
		goto out;
	}
	switch (o.cmd) {
	case CMD_CRAWL:
		rc = cmd_crawl(&o);
		break;
	case CMD_EXPORT:
		rc = cmd_export(&o);
		break;
	default:
		rc = cmd_stats(&o);
		break;
	}
	log_close();
out:
	config_free(&o.cfg);
	return rc;
}
