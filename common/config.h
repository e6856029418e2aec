/* config.h -- agentchain.yaml(5): the one configuration schema of all four programs. */
#ifndef AGENTCHAIN_CONFIG_H
#define AGENTCHAIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "chainparams.h"
#include "log.h"

/* Room for keys in the per-key bookkeeping below; config.c checks at
 * compile time that the key table fits.  Raise it when the table grows. */
#define CONFIG_KEY_MAX		128
/* Largest configuration file or string accepted, checked before parsing. */
#define CONFIG_FILE_MAX		(1024 * 1024)
/* Longest single value, and most items in one list. */
#define CONFIG_VALUE_MAX	4096
#define CONFIG_LIST_MAX		1024

/* An owned list of owned strings. */
struct config_strlist {
	char	**v;
	size_t	  n;
};

/* Where a key's value came from, for error messages.  NAME is NULL while
 * the key holds its default. */
struct config_origin {
	const char	*name;
	unsigned long	 line;		/* 1-based; 0 for the command line */
};

/* Every field is named after its key: network.max_peers is
 * c->network.max_peers.  Strings and lists are owned by the struct and
 * released by config_free; an unset optional string is NULL.  After
 * config_finalize every field with a network-dependent default is filled,
 * and every address carries its port ("host:port", "[v6]:port"). */
struct config {
	const struct chainparams *params;	/* network.name */

	struct {
		int			 p2p_port;
		int			 rpc_port;
		int			 max_peers;
		int			 min_peers;
		struct config_strlist	 seeds;		/* "host:port" */
		struct config_strlist	 dns_seeds;	/* host names */
	} network;

	struct {
		char			*datadir;
		struct config_strlist	 listen;	/* numeric "addr:port" */
		char			*rpc_listen;	/* numeric "addr:port" */
		bool			 seed;
		bool			 upnp;
		char			*geoip_db;
		char			*asn_db;
		char			*dns_server;	/* numeric "addr:port" */
		int			 ping_interval;
		int			 handshake_timeout;
		int			 inactivity_timeout;
		int			 ban_time;
		int			 max_inbound_per_ip;
	} node;

	struct {
		enum log_level		 level;
		char			*file;
	} log;

	/* agentcrawl(1).  Timeouts left at 0 take the network's default. */
	struct {
		char			*db;
		int			 concurrency;
		int			 connect_timeout;	/* ms */
		int			 handshake_timeout;	/* ms */
		int			 addr_window;		/* ms */
		int			 max_nodes;
		char			*geoip_db;
		char			*asn_db;
		char			*dns_server;	/* numeric "addr:port" */
	} crawler;

	/* agentseeder(8); the database is crawler.db. */
	struct {
		char			*host;		/* zone apex */
		char			*ns;
		char			*mbox;
		struct config_strlist	 listen;	/* numeric "addr[:port]"; empty: *:53 */
		int			 ttl;
		int			 max_answers;
		int			 max_answers6;
		int			 reload;		/* s */
		char			*user;
		int			 stats_interval;	/* s; 0: on SIGUSR1 only */
		int			 rate_limit;	/* replies/s per prefix; 0: off */
		int			 rate_burst;	/* 0: twice rate_limit */
		int			 rate_slip;
		int			 tcp_clients;
		int			 tcp_clients_per_source;
		int			 tcp_timeout;	/* s, idle */
		int			 tcp_query_timeout;	/* s, one query */
	} seeder;

	/* Private to config.c. */
	struct config_origin	 origin[CONFIG_KEY_MAX];
	struct config_strlist	 sources;	/* names of loaded files */
};

/* Fill C with the static defaults (network mainnet, log level info, ...).
 * Network-dependent defaults (ports, seeds, datadir, listen addresses) are
 * filled by config_finalize.  Call before any other config_ function. */
/* Append a copy of S to L; free every item and the array (L becomes empty). */
void config_strlist_add(struct config_strlist *l, const char *s);
void config_strlist_free(struct config_strlist *l);

void config_init(struct config *c);

/* Apply the YAML file at PATH on top of C, in file order.  Files larger
 * than CONFIG_FILE_MAX are refused before parsing.  Returns 0, or -1 with
 * "path:line: key: reason" in ERR.  On error the values before the bad one
 * stay applied, and C is still safe to pass to config_free. */
int config_load_file(struct config *c, const char *path, char *err,
    size_t errlen);

/* As config_load_file, for LEN bytes of TEXT (which need not be
 * NUL-terminated).  NAME labels error messages; NULL means "<string>". */
int config_load_string(struct config *c, const char *text, size_t len,
    const char *name, char *err, size_t errlen);

/* A command-line override: KEY = VALUE, e.g. "network.max_peers", "12".
 * For a list key each call appends one item, and the first call replaces
 * whatever the files set; an empty VALUE makes the list empty.  An empty
 * VALUE for a string key restores its default.  Returns 0, or -1 with
 * "command line: key: reason" in ERR. */
int config_set(struct config *c, const char *key, const char *value,
    char *err, size_t errlen);

/* Fill the defaults that depend on the network, expand a leading "~/" in
 * paths, and check the keys against each other.  Call once, after every
 * load and override.  Returns 0, or -1 with a reason in ERR. */
int config_finalize(struct config *c, char *err, size_t errlen);

/* Release everything C owns; C must be config_init'ed again before reuse. */
void config_free(struct config *c);

/* Was KEY given in a file or on the command line (rather than left at its
 * default)?  False for unknown keys. */
bool config_isset(const struct config *c, const char *key);

/* Describe every key (type, range, default, meaning) to FP, grouped by
 * section, as Markdown that also reads well in a terminal.  This is what
 * --help-config prints and what docs/CONFIG.md carries. */
void config_print_keys(FILE *fp);

#endif
