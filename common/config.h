/* config.h -- agentchain.yaml(5): the one configuration schema of all four programs. */
#ifndef AGENTCHAIN_CONFIG_H
#define AGENTCHAIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "chainparams.h"
#include "log.h"
#include "netaddr.h"

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

/* console.theme */
enum config_theme {
	CONFIG_THEME_DARK = 0,
	CONFIG_THEME_LIGHT,
	CONFIG_THEME_MONO,
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
		char			*proxy;		/* "addr:port" (SOCKS5), or NULL */
		char			*proxy_user;	/* RFC 1929, with proxy_password */
		char			*proxy_password;
		int			 transport;	/* enum conn_transport */
	} network;

	struct {
		char			*datadir;
		struct config_strlist	 listen;	/* numeric "addr:port" */
		char			*rpc_listen;	/* numeric "addr:port" */
		char			*metrics_listen;	/* numeric "addr:port"; NULL: off */
		bool			 metrics_remote;	/* allow a non-loopback one */
		bool			 seed;
		bool			 upnp;
		bool			 natpmp;	/* default: mainnet only */
		struct config_strlist	 natpmp_gateway;	/* numeric "addr[:port]" */
		int			 natpmp_lease;
		char			*geoip_db;
		char			*asn_db;
		char			*dns_server;	/* numeric "addr:port" */
		int			 ping_interval;
		int			 handshake_timeout;
		int			 inactivity_timeout;
		int			 ban_time;
		int			 max_inbound_per_ip;
		bool			 blocks_only;	/* no tx relay with peers */
		bool			 identity;	/* Ed25519 key, answers getidentity */
		char			*reward_address;	/* printable ASCII; NULL: none */
	} node;
	struct {
		char			*block_notify;	/* command; %s = block hash */
		int			 mempool_mb;
		int			 mempool_expiry;	/* hours */
	} chain;

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
		bool			 rewards;	/* run the rewards observer */
		int			 rewards_max_per_asn;	/* 0: no cap */
		int			 rewards_max_per_net16;	/* 0: no cap */
		int			 rewards_probation;	/* mainnet seconds */
		int			 rewards_min_checks;
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
		char			*dnssec_keys;	/* key directory; NULL: unsigned */
		int			 dnssec_pool;	/* signed answer sets per name and type */
	} seeder;

	/* agentconsole(1).  Nodes are items for config_node_parse. */
	struct {
		struct config_strlist	 nodes;
		int			 interval;	/* ms */
		int			 timeout;	/* ms */
		int			 view;		/* 0-based: overview, peers, geo, ... */
		char			*sort;		/* "[-]column"; the console checks the column */
		int			 theme;		/* enum config_theme */
		bool			 ascii;
		char			*geoip_db;
		bool			 mouse;
		bool			 bell;
		int			 alert_min_peers;	/* 0: the node's min_peers */
		int			 alert_health;		/* 0: off */
		int			 alert_health_drop;	/* 0: off */
		int			 alert_health_window;	/* ms */
		int			 alert_down;		/* ms */
		int			 alert_stall;		/* ms; 0: off */
		int			 alert_hold;		/* ms; 0: until cleared */
	} console;

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

/* "FILE:LINE: " or "command line: " where KEY got its value, or "" when
 * it holds its default: the prefix for an error a program finds in a
 * value only it can judge (agentconsole's sort column), so that it reads
 * like the loader's own.  Returns BUF. */
const char *config_where_key(const struct config *c, const char *key, char *buf,
    size_t len);

/* One node agentconsole watches: an item of console.nodes, words of the
 * form FIELD=VALUE separated by blanks:
 *   name=NAME rpc=ADDR:PORT [cookie=FILE]    the node's RPC interface
 *   name=NAME datadir=DIR                    its data directory
 * name= is optional; ADDR is numeric or localhost (taken as 127.0.0.1); a
 * leading ~/ in FILE and DIR is $HOME.  Values cannot contain blanks. */
struct config_node {
	char		*name;		/* NULL when not given */
	char		 host[NETADDR_HOSTLEN];	/* numeric; "" with datadir= */
	uint16_t	 port;		/* 0 with datadir= */
	char		*cookie;	/* NULL: none */
	char		*datadir;	/* NULL with rpc= */
};

/* Parse ITEM into N (strings owned by N; config_node_free releases
 * them).  Returns 0, or -1 with the reason in WHY (N is then empty). */
int config_node_parse(const char *item, struct config_node *n, char *why, size_t whylen);
void config_node_free(struct config_node *n);

/* Describe every key (type, range, default, meaning) to FP, grouped by
 * section, as Markdown that also reads well in a terminal.  This is what
 * --help-config prints and what docs/CONFIG.md carries. */
void config_print_keys(FILE *fp);

#endif
