/* node.h -- the running agentnode: its components and what they share. */
#ifndef AGENTCHAIN_NODE_H
#define AGENTCHAIN_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "chainparams.h"
#include "config.h"
#include "handshake.h"
#include "msg.h"
#include "netaddr.h"
#include "reputation.h"

struct addrman;
struct banman;
struct connman;
struct geoip;
struct peer;
struct repmem;
struct resolver;
struct rpc_server;
struct upnp;

/* Node-wide counters for getnetworkinfo and /metrics. */
struct node_counters {
	uint64_t	violations[REP_VIOLATION_COUNT];
	uint64_t	msgs_recv[MSG_TYPE_COUNT];
	uint64_t	msgs_sent[MSG_TYPE_COUNT];
	uint64_t	unknown_recv;
	uint64_t	bytes_recv;	/* of peers already gone */
	uint64_t	bytes_sent;
	uint64_t	addr_received;
	uint64_t	addr_rate_limited;
	uint64_t	bans;
	uint64_t	inbound_accepted;
	uint64_t	inbound_refused;
	uint64_t	outbound_attempts;
	uint64_t	outbound_failures;
	uint64_t	evictions;
};

TAILQ_HEAD(peer_list, peer);

struct node {
	struct event_base		*base;
	const struct config		*cfg;	/* borrowed from main */
	const struct chainparams	*params;
	char				*datadir;	/* owned */
	int64_t				 start_time;

	struct addrman			*addrman;
	struct banman			*banman;
	struct connman			*connman;
	struct repmem			*repmem;
	struct resolver			*resolver;	/* NULL: system resolver unavailable */
	struct geoip			*geoip;		/* NULL: no database configured */
	struct rpc_server		*rpc;
	struct upnp			*upnp;

	struct peer_list		 peers;
	unsigned			 npeers;
	/* Disconnected peers wait here for the next loop iteration, so that
	 * code up the stack of a disconnect can still look at them. */
	struct peer_list		 dead_peers;
	struct event			*reap;
	uint64_t			 next_peer_id;

	/* Who we are on the wire. */
	uint64_t			 services;
	char				 user_agent[64];
	struct netaddr			 external;	/* advertised address */
	bool				 has_external;
	int32_t				 height;

	uint8_t				 addr_key[16];	/* keys peers' known-address sets */
	/* The getaddr answer, shared by all askers until it expires. */
	struct msg_addr_entry		*getaddr_cache;
	size_t				 getaddr_cache_n;
	int64_t				 getaddr_cache_expires;
	size_t				 getaddr_cache_book;	/* book size when built */

	bool				 bootstrap_dns_asked;
	bool				 bootstrap_fixed_asked;

	int64_t				 last_addrman_save;
	int64_t				 last_ban_save;

	struct node_counters		 counters;
	struct event			*tick;
	struct event			*sig_int, *sig_term;
	bool				 stopping;
};

/* Milliseconds and seconds from the loop's cached clock (wall time: peers
 * exchange timestamps). */
int64_t node_now_ms(const struct node *n);
/* A precise monotonic clock in microseconds, read now, for round-trip
 * times: the loop's cached clock ticks in ~4 ms steps (libevent uses
 * CLOCK_MONOTONIC_COARSE) and loopback pings are far shorter. */
int64_t node_mono_us(void);
int64_t node_now(const struct node *n);

/* Run the node with CFG until SIGINT/SIGTERM or the RPC "stop" method,
 * keeping connections to SEED_NODES ("host:port", may be NULL).  Returns
 * the process exit status. */
int node_run(const struct config *cfg, const struct config_strlist *seed_nodes);

/* Ask the loop to stop cleanly (disconnect, save state, exit). */
void node_request_stop(struct node *n);

/* Path of FILE inside the data directory; caller frees. */
char *node_datadir_path(const struct node *n, const char *file);

/* Is ADDR acceptable as a peer on this network (routable, or private on
 * regtest) and not banned? */
bool node_addr_usable(const struct node *n, const struct netaddr *addr);

#endif
