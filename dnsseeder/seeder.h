/* seeder.h -- agentseeder's run loop: DNS server, good-set reloads, statistics, signals. */
#ifndef AGENTCHAIN_SEEDER_H
#define AGENTCHAIN_SEEDER_H

#include <stddef.h>
#include <stdint.h>

#include "chainparams.h"
#include "netaddr.h"

/* Exit codes of agentseeder (documented in agentseeder(8)). */
#define SEEDER_EXIT_OK		0	/* stopped by SIGINT/SIGTERM */
#define SEEDER_EXIT_USAGE	1	/* bad command line */
#define SEEDER_EXIT_STARTUP	2	/* could not bind, drop privileges, ... */

struct seeder_config {
	const char		*db;		/* crawl database (read-only) */
	const struct chainparams *params;	/* --network */
	const char		*host, *ns, *mbox;
	struct netaddr		*listen;
	size_t			 nlisten;
	unsigned		 ttl;
	unsigned		 max_a, max_aaaa;
	unsigned		 reload;	/* seconds between database reads */
	const char		*user;		/* NULL: keep the identity */
	unsigned		 stats_interval;	/* seconds; 0 = only on SIGUSR1 */
	unsigned		 rate_limit;	/* UDP replies/s per source prefix; 0 = off */
	unsigned		 rate_burst;
	unsigned		 rate_slip;
	unsigned		 tcp_clients;
	unsigned		 tcp_clients_per_source;
	unsigned		 tcp_timeout;	/* seconds idle */
	unsigned		 tcp_query_timeout;	/* seconds for one query */
	const char		*dnssec_keys;	/* key directory; NULL: unsigned */
	unsigned		 dnssec_pool;	/* signed answer sets per name and type */
};

/*
 * Run the seeder until SIGINT or SIGTERM: validate the zone, bind, drop
 * privileges, read the good set once, then serve while a worker thread
 * re-reads the database every CFG->reload seconds (and on SIGHUP) and the
 * loop swaps the new set in; a failed read keeps the previous set.  With
 * CFG->dnssec_keys, the same thread re-reads the keys and signs the zone
 * (dns_sign) at every reload, and the loop swaps the signatures in with
 * the set; keys that cannot be read at start-up stop the seeder, later
 * ones leave the previous keys in use.  SIGUSR1 logs the statistics.
 * Returns a SEEDER_EXIT_* code.
 */
int seeder_run(const struct seeder_config *cfg);

#endif
