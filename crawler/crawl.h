/* crawl.h -- the crawl engine: bounded concurrent probes on one event loop, scheduling, batched storing. */
#ifndef AGENTCRAWL_CRAWL_H
#define AGENTCRAWL_CRAWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainparams.h"
#include "progress.h"

struct crawl_options {
	const struct chainparams *params;
	const char	 *db_path;
	/* "host:port" (port defaults to the network's) and DNS seed names;
	 * when both are empty the network's defaults are used by the
	 * caller. */
	char		**seeds;
	size_t		  nseeds;
	char		**dns_seeds;
	size_t		  ndns_seeds;
	const char	 *dns_server;		/* NULL: system resolver */
	/* SOCKS5 proxy for every probe ("addr:port"), or NULL; seeds given
	 * by name then go to it by name instead of to the resolver. */
	const char	 *proxy;
	const char	 *proxy_user;		/* with proxy_password, or NULL */
	const char	 *proxy_password;
	int		  transport;		/* enum conn_transport (network.transport) */
	bool		  once;			/* stop after one pass */
	int		  concurrency;		/* probes at once */
	int		  connect_timeout_ms;
	int		  handshake_timeout_ms;
	int		  addr_window_ms;
	const char	 *geoip_db;		/* may be NULL */
	const char	 *asn_db;		/* may be NULL */
	size_t		  max_nodes;		/* cap on known addresses */
	int32_t		  min_height;		/* < 0: leave as stored */
	double		  dial_rate;		/* new connections per second; 0 = no limit */
	int		  flush_ms;		/* batch period */
	enum progress_mode progress;
	double		  progress_interval;	/* seconds between log lines */
	bool		  summary_json;		/* --once summary as JSON */
	bool		  rewards;		/* crawler.rewards: storage challenges */
};

/* Fill O with the defaults for PARAMS (see agentcrawl(1)). */
void crawl_options_init(struct crawl_options *o, const struct chainparams *params);

/* Run the crawl until SIGINT/SIGTERM or, with once, until every known
 * address was probed once.  Prints the summary on stdout.  Returns the
 * process exit code: 0, or 1 when the database or a seed could not be
 * used (the reason is logged). */
int crawl_run(const struct crawl_options *o);

#endif
