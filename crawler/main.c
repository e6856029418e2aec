/* main.c -- agentcrawl entry point: parse the command line, then crawl, export or print stats.
 *
 * Flags live in one table that drives getopt_long, --help and the mapping
 * onto config keys (agentchain.yaml(5) `crawler.*`), so a flag and its key
 * cannot drift apart.  Each flag names the commands that accept it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "atomicfile.h"
#include "cli.h"
#include "config.h"
#include "crawl.h"
#include "crawldb.h"
#include "export.h"
#include "hash.h"
#include "ledger.h"
#include "log.h"
#include "rewardsdb.h"
#include "stats.h"
#include "strutil.h"
#include "version.h"
#include "xmalloc.h"

/* Bit i of a flag's mask is the command cmd_names[i]. */
enum cmd {
	CMD_CRAWL = 0x1,
	CMD_EXPORT = 0x2,
	CMD_STATS = 0x4,
	CMD_REWARDS = 0x8,
	CMD_VERIFY = 0x10,
};
static const char *const cmd_names[] = { "crawl", "export", "stats", "rewards",
	"verify-ledger", NULL };

enum flag_id {
	F_ONCE = 1, F_FORMAT, F_OUTPUT, F_ALL, F_JSON, F_MIN_HEIGHT, F_DIAL_RATE,
	F_FLUSH_MS, F_PROGRESS, F_PROGRESS_INTERVAL, F_NOW, F_HELP, F_NETWORK,
	F_DAY, F_BUDGET, F_KEY, F_PUBKEY,
};

/* Mask 0: every command takes the flag. */
static const struct cli_option flags[] = {
	{ .name = "network", .has_arg = 1, .key = "network.name", .id = F_NETWORK, .arg = "NET",
	  .help = "mainnet, testnet or regtest (export/stats: only that network)" },
	{ .name = "config", .has_arg = 1, .id = CLI_CONFIG, .arg = "FILE",
	  .help = "YAML configuration (agentchain.yaml(5))" },
	{ .name = "db", .has_arg = 1, .key = "crawler.db", .arg = "FILE",
	  .help = "the crawl database (SQLite)" },
	{ .name = "seed", .has_arg = 1, .key = "network.seeds", .mask = CMD_CRAWL,
	  .arg = "HOST:PORT",
	  .help = "start from this node (repeatable)" },
	{ .name = "dns-seed", .has_arg = 1, .key = "network.dns_seeds", .mask = CMD_CRAWL,
	  .arg = "NAME",
	  .help = "start from the A/AAAA records of NAME (repeatable)" },
	{ .name = "dns-server", .has_arg = 1, .key = "crawler.dns_server",
	  .mask = CMD_CRAWL, .arg = "ADDR:PORT",
	  .help = "resolver for --dns-seed and seed host names" },
	{ .name = "proxy", .has_arg = 1, .key = "network.proxy", .mask = CMD_CRAWL,
	  .arg = "ADDR:PORT",
	  .help = "probe through this SOCKS5 proxy; seed names go to it unresolved" },
	{ .name = "transport", .has_arg = 1, .key = "network.transport", .mask = CMD_CRAWL,
	  .arg = "v2|v1|v2-only",
	  .help = "probe in v2 falling back to v1 (default), in v1 only, or in v2 only" },
	{ .name = "once", .id = F_ONCE, .mask = CMD_CRAWL,
	  .help = "probe every known address once, print a summary, exit" },
	{ .name = "concurrency", .has_arg = 1, .key = "crawler.concurrency",
	  .mask = CMD_CRAWL, .arg = "N",
	  .help = "most connections at once (default 256)" },
	{ .name = "connect-timeout", .has_arg = 1, .key = "crawler.connect_timeout",
	  .mask = CMD_CRAWL, .arg = "MS",
	  .help = "TCP connect timeout (default 5000; regtest 2000)" },
	{ .name = "handshake-timeout", .has_arg = 1, .key = "crawler.handshake_timeout",
	  .mask = CMD_CRAWL, .arg = "MS",
	  .help = "version handshake timeout (default 10000; regtest 3000)" },
	{ .name = "addr-window", .has_arg = 1, .key = "crawler.addr_window",
	  .mask = CMD_CRAWL, .arg = "MS",
	  .help = "longest wait for addr answers (default 10000; regtest 2000)" },
	{ .name = "max-nodes", .has_arg = 1, .key = "crawler.max_nodes", .mask = CMD_CRAWL,
	  .arg = "N",
	  .help = "most addresses kept (default 200000)" },
	{ .name = "geoip-db", .has_arg = 1, .key = "crawler.geoip_db", .mask = CMD_CRAWL,
	  .arg = "FILE",
	  .help = "MaxMind City database for locations" },
	{ .name = "asn-db", .has_arg = 1, .key = "crawler.asn_db", .mask = CMD_CRAWL,
	  .arg = "FILE",
	  .help = "MaxMind ASN database for AS numbers" },
	{ .name = "min-height", .has_arg = 1, .id = F_MIN_HEIGHT, .mask = CMD_CRAWL,
	  .arg = "N", .type = CLI_INT, .min = 0, .max = INT32_MAX,
	  .help = "good nodes need at least this verified height (stored in the database)" },
	{ .name = "dial-rate", .has_arg = 1, .id = F_DIAL_RATE, .mask = CMD_CRAWL,
	  .arg = "N", .type = CLI_INT, .min = 0, .max = 1000000,
	  .help = "at most N new connections per second (default: no limit)" },
	{ .name = "flush-interval", .has_arg = 1, .id = F_FLUSH_MS, .mask = CMD_CRAWL,
	  .arg = "MS", .type = CLI_INT, .min = 10, .max = 600000,
	  .help = "commit a batch this often (default 1000)" },
	{ .name = "progress", .has_arg = 1, .id = F_PROGRESS, .mask = CMD_CRAWL, .arg = "WHEN",
	  .help = "auto, tty, log or off (default auto)" },
	{ .name = "progress-interval", .has_arg = 1, .id = F_PROGRESS_INTERVAL,
	  .mask = CMD_CRAWL, .arg = "SEC", .type = CLI_INT, .min = 1, .max = 86400,
	  .help = "seconds between progress log lines (default 10)" },
	{ .name = "format", .has_arg = 1, .id = F_FORMAT, .mask = CMD_EXPORT, .arg = "FMT",
	  .help = "nodes-md, json or csv" },
	{ .name = "output", .has_arg = 1, .id = F_OUTPUT, .mask = CMD_EXPORT | CMD_REWARDS,
	  .short_name = 'o', .arg = "FILE",
	  .help = "write to FILE (atomically) instead of standard output" },
	{ .name = "day", .has_arg = 1, .id = F_DAY, .mask = CMD_REWARDS, .arg = "YYYY-MM-DD",
	  .help = "the UTC day of the ledger" },
	/* 2^53 - 1: every JSON reader holds it exactly. */
	{ .name = "budget", .has_arg = 1, .id = F_BUDGET, .mask = CMD_REWARDS, .arg = "N",
	  .type = CLI_INT, .min = 0, .max = 9007199254740991.0,
	  .help = "integer units to split (default 0: scores only)" },
	{ .name = "key", .has_arg = 1, .id = F_KEY, .mask = CMD_REWARDS, .arg = "FILE",
	  .help = "Ed25519 signing key, made on first use (default: DB.ledger-key)" },
	{ .name = "pubkey", .has_arg = 1, .id = F_PUBKEY, .mask = CMD_VERIFY, .arg = "HEX",
	  .help = "the signer the ledger must name (64 hex digits)" },
	{ .name = "max-per-asn", .has_arg = 1, .key = "crawler.rewards_max_per_asn",
	  .mask = CMD_REWARDS | CMD_EXPORT, .arg = "N",
	  .help = "most rewarded identities per ASN (0: no cap)" },
	{ .name = "max-per-net16", .has_arg = 1, .key = "crawler.rewards_max_per_net16",
	  .mask = CMD_REWARDS | CMD_EXPORT, .arg = "N",
	  .help = "most rewarded identities per /16 (0: no cap)" },
	{ .name = "probation", .has_arg = 1, .key = "crawler.rewards_probation",
	  .mask = CMD_REWARDS | CMD_EXPORT, .arg = "SEC",
	  .help = "seconds before a new identity earns (mainnet; regtest /720)" },
	{ .name = "min-checks", .has_arg = 1, .key = "crawler.rewards_min_checks",
	  .mask = CMD_REWARDS | CMD_EXPORT, .arg = "N",
	  .help = "successful visits an identity needs in the day" },
	{ .name = "all", .id = F_ALL, .mask = CMD_EXPORT,
	  .help = "include nodes that are not good" },
	{ .name = "json", .id = F_JSON, .mask = CMD_STATS | CMD_CRAWL,
	  .help = "JSON output (crawl: the --once summary)" },
	{ .name = "now", .has_arg = 1, .id = F_NOW, .mask = CMD_EXPORT | CMD_STATS,
	  .arg = "UNIX", .type = CLI_INT, .min = 1, .max = 253402300799.0 /* 9999-12-31 */,
	  .help = "snapshot time to report (default: now)" },
	{ .name = "log-level", .has_arg = 1, .key = "log.level", .arg = "LEVEL",
	  .help = "error, warn, info, debug, trace" },
	{ .name = "log-file", .has_arg = 1, .key = "log.file", .arg = "FILE",
	  .help = "log to FILE instead of standard error" },
	{ .name = "set", .has_arg = 1, .id = CLI_SET, .arg = "KEY=VALUE",
	  .help = "set any config key" },
	{ .name = "help-config", .id = CLI_HELP_CONFIG,
	  .help = "describe every config key" },
	{ .name = "version", .id = CLI_VERSION,
	  .help = "print the version" },
	{ .name = "help", .id = F_HELP,
	  .help = "this help" },
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
	const char	*day;
	long long	 budget;
	const char	*key;
	const char	*pubkey;
	const char	*file;		/* verify-ledger's argument */
};

/* The command named NAME, or 0. */
static enum cmd
cmd_of(const char *name)
{
	for (size_t i = 0; cmd_names[i] != NULL; i++)
		if (strcmp(name, cmd_names[i]) == 0)
			return (enum cmd)(1u << i);
	return 0;
}

static const char *
cmd_name(enum cmd c)
{
	for (size_t i = 0; cmd_names[i] != NULL; i++)
		if (c == (enum cmd)(1u << i))
			return cmd_names[i];
	return "stats";
}

/* The flags of command CMDS, or of every command when it is 0. */
static void
usage(FILE *fp, unsigned cmds)
{
	fprintf(fp, "usage: agentcrawl crawl  --db FILE [--seed HOST:PORT]... "
	    "[--dns-seed NAME]... [--once] [options]\n"
	    "       agentcrawl export --db FILE --format nodes-md|json|csv "
	    "[-o FILE] [--all]\n"
	    "       agentcrawl stats  --db FILE [--json]\n"
	    "       agentcrawl rewards --db FILE --day YYYY-MM-DD [--budget N] "
	    "[--key FILE] [-o FILE]\n"
	    "       agentcrawl verify-ledger FILE [--pubkey HEX]\n\n"
	    "Walks the Agent Chain network through getaddr, keeps a crawl "
	    "database, exports the\nNODES.md registry.\n\noptions:\n");
	cli_usage_options(fp, flags, NFLAGS, cmds, cmd_names);
	fprintf(fp, "\nSee agentcrawl(1) and agentchain.yaml(5).\n");
}

/* A CLI_INT flag's value, which cli has checked against its range. */
static long long
number(const char *s)
{
	return strtoll(s, NULL, 10);
}

/* The flags cli_parse leaves to agentcrawl: everything but config keys. */
static int
on_flag(const struct cli_option *f, const char *value, void *arg)
{
	struct options	*o = arg;

	switch (f->id) {
	case F_NETWORK:
		/* Set by the flag rather than a file: export and stats filter. */
		o->network_given = true;
		return 0;
	case F_ONCE:
		o->once = true;
		return 0;
	case F_JSON:
		o->json = true;
		return 0;
	case F_ALL:
		o->all = true;
		return 0;
	case F_FORMAT:
		o->format = value;
		return 0;
	case F_OUTPUT:
		o->output = value;
		return 0;
	case F_MIN_HEIGHT:
		o->min_height = number(value);
		return 0;
	case F_DIAL_RATE:
		o->dial_rate = (double)number(value);
		return 0;
	case F_FLUSH_MS:
		o->flush_ms = number(value);
		return 0;
	case F_PROGRESS:
		o->progress = value;
		return 0;
	case F_PROGRESS_INTERVAL:
		o->progress_interval = (double)number(value);
		return 0;
	case F_NOW:
		o->now = number(value);
		return 0;
	case F_DAY:
		o->day = value;
		return 0;
	case F_BUDGET:
		o->budget = number(value);
		return 0;
	case F_KEY:
		o->key = value;
		return 0;
	case F_PUBKEY:
		o->pubkey = value;
		return 0;
	case F_HELP:
		usage(stdout, o->cmd);
		return 2;
	}
	return 0;
}

/* Parse the flags after the command; the config file is applied before
 * them so that flags win.  Returns 0, 1 (error printed) or 2 (help or
 * version printed). */
static int
parse_options(int argc, char **argv, struct options *o)
{
	char	 prog[32], err[512];
	int	 rc;

	snprintf(prog, sizeof(prog), "agentcrawl %s", cmd_name(o->cmd));
	/* verify-ledger FILE [flags]: the file first reads naturally, and
	 * getopt stops at the first argument that is not a flag. */
	if (o->cmd == CMD_VERIFY && argc >= 2 && argv[1][0] != '-') {
		char *file = argv[1];

		memmove(&argv[1], &argv[2], (size_t)(argc - 2) * sizeof(*argv));
		argv[argc - 1] = file;
	}
	rc = cli_parse_options(prog, argc, argv, flags, NFLAGS, o->cmd, cmd_names, &o->cfg,
	    on_flag, o);
	if (rc != 0)
		return rc;
	if (o->cmd == CMD_VERIFY && optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return 1;
	}
	if (config_finalize(&o->cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		return 1;
	}
	if (o->cmd == CMD_VERIFY) {
		if (o->file == NULL) {
			fprintf(stderr, "%s: which ledger? (agentcrawl verify-ledger "
			    "FILE)\n", prog);
			return 1;
		}
		return 0;
	}
	if (o->cfg.crawler.db == NULL) {
		fprintf(stderr, "%s: which database? (--db FILE)\n", prog);
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
	co.proxy = c->network.proxy;
	co.proxy_user = c->network.proxy_user;
	co.proxy_password = c->network.proxy_password;
	co.transport = c->network.transport;
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
	co.rewards = c->crawler.rewards;
	co.min_height = o->min_height >= 0 ? (int32_t)o->min_height : -1;
	co.dial_rate = o->dial_rate;
	if (o->flush_ms > 0)
		co.flush_ms = (int)o->flush_ms;
	if (o->progress_interval > 0)
		co.progress_interval = o->progress_interval;
	co.summary_json = o->json;
	co.rewards = c->crawler.rewards;
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

/* The leaderboard and ledger rules of the config (crawler.rewards_*). */
static void
rules_of(const struct config *c, struct rewardsdb_rules *r)
{
	rewardsdb_rules_init(r);
	r->max_per_asn = (uint32_t)c->crawler.rewards_max_per_asn;
	r->max_per_net16 = (uint32_t)c->crawler.rewards_max_per_net16;
	r->probation = c->crawler.rewards_probation;
	r->min_checks = (uint32_t)c->crawler.rewards_min_checks;
}

static int
cmd_export(struct options *o)
{
	struct rewardsdb_rules	 rules;
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
	rules_of(&o->cfg, &rules);
	eo.rules = &rules;
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

/* Write LEN bytes of BUF to PATH atomically, or to stdout for NULL/"-". */
static int
write_out(const char *path, const char *buf, size_t len, mode_t mode)
{
	char	err[512];

	if (path != NULL && strcmp(path, "-") != 0) {
		if (atomicfile_write(path, buf, len, mode, err, sizeof(err)) == -1) {
			fprintf(stderr, "agentcrawl: %s\n", err);
			return 1;
		}
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		fprintf(stderr, "agentcrawl: cannot write to standard output\n");
		return 1;
	}
	return 0;
}

/* The day's signed ledger (docs/REWARDS.md). */
static int
cmd_rewards(struct options *o)
{
	const struct config	*c = &o->cfg;
	struct rewardsdb_rules	 rules;
	struct rewardsdb_input	 in;
	struct rewards_params	 p;
	struct rewards_ledger	 l;
	struct ledger_meta	 m;
	struct crawldb		*db;
	unsigned char		 sk[64];
	char			 err[512], *keypath, *buf = NULL;
	int64_t			 day;
	size_t			 len;
	json_t			*obj;
	int			 rc;

	if (o->day == NULL || rewardsdb_parse_day(o->day, &day) == -1) {
		fprintf(stderr, "agentcrawl rewards: --day YYYY-MM-DD (a UTC date)\n");
		return 1;
	}
	rules_of(c, &rules);
	rewardsdb_params(&p, c->params, &rules, day, (uint64_t)o->budget);
	keypath = o->key != NULL ? xstrdup(o->key) :
	    xasprintf("%s.ledger-key", c->crawler.db);
	rc = ledger_load_key(keypath, sk, err, sizeof(err));
	free(keypath);
	if (rc == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		return 1;
	}
	if ((db = open_readonly(o)) == NULL)
		return 1;
	rc = rewardsdb_load(db, c->params->name, p.day_start, p.day_end, &in,
	    err, sizeof(err));
	crawldb_close(db);
	if (rc == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		return 1;
	}
	rewards_compute(&in.in, &p, &l);
	rewardsdb_input_free(&in);
	m.network = c->params->name;
	m.day = o->day;
	m.created = o->now > 0 ? o->now : (int64_t)time(NULL);
	m.params = &p;
	obj = ledger_json(&l, &m);
	rewards_ledger_free(&l);
	rc = obj == NULL || ledger_sign(obj, sk, &buf, &len, err, sizeof(err)) == -1;
	sodium_memzero(sk, sizeof(sk));
	json_decref(obj);
	if (rc) {
		fprintf(stderr, "agentcrawl: %s\n", obj == NULL ?
		    "cannot build the ledger" : err);
		return 1;
	}
	rc = write_out(o->output, buf, len, 0644);
	free(buf);
	return rc;
}

static int
cmd_verify(struct options *o)
{
	char	 err[512], *buf;
	size_t	 len;
	int	 rc;

	if ((buf = atomicfile_read(o->file, LEDGER_MAX_FILE, &len, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "agentcrawl verify-ledger: %s\n", err);
		return 1;
	}
	rc = ledger_verify(buf, len, o->pubkey, err, sizeof(err));
	free(buf);
	if (rc == -1) {
		fprintf(stderr, "agentcrawl verify-ledger: %s: %s\n", o->file, err);
		return 1;
	}
	printf("%s: good signature\n", o->file);
	return 0;
}

/* No command: --help or --version, or a mistake.  Returns the exit code. */
static int
no_command(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout, 0);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("agentcrawl %s\n", AGENTCHAIN_VERSION);
		return 0;
	}
	if (argc >= 2)
		fprintf(stderr, "agentcrawl: unknown command '%s' "
		    "(crawl, export, stats, rewards or verify-ledger)\n", argv[1]);
	usage(stderr, 0);
	return 1;
}

/* Start libsodium and the log, then run the command.  Returns the exit code. */
static int
run(struct options *o)
{
	char	 err[256];
	int	 rc;

	if (hash_init() == -1) {
		fprintf(stderr, "agentcrawl: cannot start libsodium\n");
		return 1;
	}
	log_set_level(o->cfg.log.level);
	if (log_open(o->cfg.log.file, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentcrawl: %s\n", err);
		return 1;
	}
	if (o->cmd == CMD_CRAWL)
		rc = cmd_crawl(o);
	else if (o->cmd == CMD_EXPORT)
		rc = cmd_export(o);
	else if (o->cmd == CMD_REWARDS)
		rc = cmd_rewards(o);
	else if (o->cmd == CMD_VERIFY)
		rc = cmd_verify(o);
	else
		rc = cmd_stats(o);
	log_close();
	return rc;
}

int
main(int argc, char **argv)
{
	struct options	 o;
	int		 rc;

	memset(&o, 0, sizeof(o));
	if (argc < 2 || (o.cmd = cmd_of(argv[1])) == 0)
		return no_command(argc, argv);
	o.min_height = -1;
	config_init(&o.cfg);
	switch (parse_options(argc - 1, argv + 1, &o)) {
	case 0:
		rc = run(&o);
		break;
	case 2:		/* --help, --version */
		rc = 0;
		break;
	default:
		rc = 1;
		break;
	}
	config_free(&o.cfg);
	return rc;
}
