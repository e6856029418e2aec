/* source.h -- one watched agentnode: asynchronous RPC polling, parsed state, history and event diffing. */
#ifndef AGENTCHAIN_SOURCE_H
#define AGENTCHAIN_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chainstate.h"
#include "chart.h"
#include "netaddr.h"

struct geoip;
struct map;
struct proc;
struct proc_task;

/*
 * A source polls getnetworkinfo, the peers, getnetworkstats and listbanned
 * (and getblockchaininfo and getmempoolinfo while the node knows them)
 * together every interval
 * through the asynchronous RPC client, and applies the answers at once
 * when the last one is in, so the views always see one consistent
 * snapshot.  A round is never started while the previous one is still
 * out: a slow node slows its own updates, never the UI.  Any failed call
 * marks the node down ("disconnected, retrying") with the error, keeps
 * the last data for display, and the next round simply tries again.
 *
 * Peers come from getpeerchanges SINCE: only the peers that changed since
 * the version the console passes back, and the ids that left; the console
 * keeps the table and updates it in place, so watching 10,000 peers costs
 * what changes, not what exists.  A node that answers "Method not found"
 * is asked getpeerinfo (the whole table) from then on.  After a failed
 * round the next one asks for everything again (the node may have
 * restarted).
 *
 * The chain's recent blocks (getrecentblocks) and tips (getchaintips) are
 * asked within the same round, once getblockchaininfo has answered, and
 * only when its tip or headers moved: a quiet chain costs one call a
 * round, a new block two more.  A node without one of the chain methods
 * ("Method not found") is not asked it again and is not down for it; the
 * views show what it has.
 *
 * Everything read from the RPC is input: values are type-checked, strings
 * bounded and sanitised, and the number of peers capped.
 */

#define SOURCE_MAX_PEERS	100000
#define SOURCE_MAX_BANS		10000
#define SOURCE_MAX_SPREAD	256
#define SOURCE_LATHIST		32	/* latency samples the node keeps per peer */
#define SOURCE_PEERHIST		64	/* latency samples the console keeps per peer */
#define SOURCE_VIOLATIONS	8	/* recent violations kept per peer */

enum source_state {
	SOURCE_CONNECTING = 0,	/* no answer yet */
	SOURCE_UP,
	SOURCE_DOWN,		/* last round failed; retrying */
};

struct peer_violation {
	char		kind[24];
	int64_t		time;
};

/* One connected peer as getpeerinfo describes it, plus what the console
 * keeps about it across polls.  Latencies are in milliseconds, < 0 when
 * unknown. */
struct peer_info {
	uint64_t	id;
	char		addr[NETADDR_STRLEN];
	struct netaddr	na;
	bool		has_na;
	char		direction[10];		/* "inbound", "outbound" */
	char		conn_type[10];		/* "full", "manual", "feeler" */
	bool		handshake_complete;
	char		country[3];		/* "" unknown */
	uint32_t	asn;
	double		ping_ms, minping_ms, avgping_ms, pingwait_ms;
	int32_t		version;
	char		subver[96];		/* sanitised */
	int32_t		start_height;		/* claimed in its version message */
	int32_t		synced_headers;		/* proven to us; -1 unknown */
	int32_t		synced_blocks;
	uint64_t	services;
	char		transport[4];		/* "v1", "v2", "" unknown */
	char		session_id[65];		/* v2: hex, as the other side sees it */
	uint64_t	bytes_sent, bytes_recv;
	/* Bytes/s between the console's last two sightings of a change (the
	 * node's own figure until there are two). */
	double		send_rate, recv_rate;
	int64_t		conntime;		/* unix seconds; ages derive from it */
	int		rep_score;
	int		quality_score;
	double		reliability;
	uint64_t	addr_processed, addr_rate_limited;
	/* Pings sent and pongs received (bytes_by_type), for loss. */
	bool		has_pingcount;
	uint64_t	pings_sent, pongs_recv;
	struct peer_violation viol[SOURCE_VIOLATIONS];
	int		nviol;
	/* From --geoip-db, looked up by the console itself. */
	bool		has_loc;
	double		lat, lon;
	char		city[48];

	/* The console's own: latency samples across polls (a ring, seeded
	 * with the node's history when the peer is first seen; time 0 there:
	 * unknown), and when the peer last changed. */
	float		hist_ms[SOURCE_PEERHIST];
	uint32_t	hist_t[SOURCE_PEERHIST];	/* unix seconds */
	uint16_t	hist_n, hist_head;
	double		updated;		/* unix seconds (wall, fractional) */
	uint32_t	seen;			/* round mark for full snapshots */
};

struct node_info {
	char		version[32];
	char		subversion[96];
	char		network[16];
	int		protocol;
	int		connections, conn_in, conn_out;
	int		min_peers, max_peers;
	int32_t		height;
	uint64_t	bytes_recv, bytes_sent;
	int64_t		uptime;
	int		addrman_new, addrman_tried, banned;
	/* The node's connectivity health (connectivityhealth, or the older
	 * name networkhealth); not the crawl DB's NetworkHealth. */
	int		health;
	/* getblockchaininfo, while the node has it. */
	bool		has_chain;
	int64_t		blocks, headers;
};

struct country_count {
	char		cc[8];			/* "DE", "unknown" */
	unsigned	n;
};

struct net_stats {
	long long	total_nodes;
	int		active_nodes;
	double		avg_latency_ms;		/* < 0 unknown */
	int		health;
	struct country_count spread[SOURCE_MAX_SPREAD];
	size_t		nspread;
};

struct ban_info {
	char		address[64];
	int64_t		created, until;
	char		reason[32];
};

/* What the diffing reports to the event log. */
enum source_event {
	SEV_STATE,		/* node up / down */
	SEV_CONNECT,
	SEV_DISCONNECT,
	SEV_BAN,
	SEV_UNBAN,
	SEV_VIOLATION,
	SEV_ACTION,		/* result of an action the user took */
	SEV_ALERT,		/* an alert raised (tui/alerts) */
	SEV_COUNT
};

/* The answers of one round, borrowed.  PEERS is getpeerinfo's array (the
 * whole table) or getpeerchanges' object; CHAIN (getblockchaininfo),
 * MEMPOOL (getmempoolinfo), BLOCKS (getrecentblocks) and TIPS
 * (getchaintips) are NULL when not asked or not known to the node. */
struct source_answers {
	json_t		*info, *peers, *stats, *bans, *chain, *mempool, *blocks, *tips;
};

/* The calls of a round; those from SQ_CHAIN on are the chain's, which a
 * node may not have. */
enum source_query {
	SQ_INFO, SQ_PEERS, SQ_STATS, SQ_BANS, SQ_CHAIN, SQ_MEMPOOL, SQ_BLOCKS, SQ_TIPS, SQ_COUNT
};

struct source;
typedef void (*source_update_cb)(struct source *s, void *arg);
typedef void (*source_event_cb)(struct source *s, enum source_event kind, const char *text,
    void *arg);
/* Result of an action: OK, and a message naming the target and what the
 * node answered. */
typedef void (*source_action_cb)(struct source *s, bool ok, const char *msg, void *arg);

struct source {
	char			 label[80];	/* how the user named it */
	char			 host[NETADDR_HOSTLEN];
	uint16_t		 port;
	char			*cookie;
	char			*datadir;	/* NULL: given by address */

	struct proc		*proc;		/* borrowed; NULL in tests */
	struct rpc_client	*rpc;
	struct proc_task	*poll;		/* every interval, once started */
	double			 interval;
	double			 timeout;
	bool			 paused;
	const struct geoip	*geoip;		/* borrowed, may be NULL */

	enum source_state	 state;
	char			 error[256];	/* why it is down */
	double			 since;		/* monotonic time of the state change */
	double			 last_update;	/* monotonic time of the last good round */
	unsigned		 rounds_ok, rounds_failed;
	uint64_t		 generation;	/* bumped by every round that changed something */
	uint64_t		 peers_gen;	/* bumped when a peer came, went or changed */
	uint64_t		 bans_gen;	/* bumped when the ban list changed */

	/* What the node can do, learnt from "Method not found". */
	bool			 no_delta;	/* no getpeerchanges: getpeerinfo */
	bool			 lacks[SQ_COUNT];	/* chain calls it does not know */
	int64_t			 peer_version;	/* getpeerchanges' version; 0: all */

	/* The round in flight. */
	struct source_slot {
		struct source	*s;
		int		 i;
	}			 slot[SQ_COUNT];
	int			 inflight;
	json_t			*reply[SQ_COUNT];
	int			 ask_blocks;	/* getrecentblocks' count this round */
	bool			 round_failed;
	char			 round_error[256];

	/* The current snapshot. */
	bool			 have_data;
	struct node_info	 info;
	struct peer_info	*peers;		/* in no particular order */
	size_t			 npeers, cap;
	struct map		*idx;		/* id -> index + 1 in peers */
	uint32_t		 mark;		/* round mark (peer_info.seen) */
	struct net_stats	 stats;
	struct ban_info		*bans;		/* sorted by address */
	size_t			 nbans;
	struct chainstate	 chain;		/* tip, mempool, tips, recent blocks */
	uint64_t		 chain_gen;	/* bumped when the chain state changed */
	double			 rate_in, rate_out;	/* node totals, bytes/s */
	size_t			 changed_last;	/* peers changed by the last round */

	/* History, one sample per applied round. */
	struct chart_series	 h_latency;	/* mean of peers' last ping, ms */
	struct chart_series	 h_health;
	struct chart_series	 h_peers;
	struct chart_series	 h_rate_in, h_rate_out;

	double			 parse_us_total;	/* for --stats-file */
	unsigned		 parses;

	source_update_cb	 on_update;
	source_event_cb		 on_event;
	void			*cb_arg;
	bool			 closing;
};

/* A source polling HOST:PORT (numeric) with COOKIE (may be NULL) every
 * INTERVAL seconds, a periodic task of PROC; each call gives up after
 * TIMEOUT seconds.  PROC may be NULL for a source that is only fed by
 * source_apply (tests).  Strings are copied.  Polling starts with
 * source_start.  Caller frees with source_free, before PROC. */
struct source *source_new(struct proc *proc, const char *label, const char *host,
    uint16_t port, const char *cookie, double interval, double timeout);
/* Stop polling and free S; calls in flight are cancelled without calling
 * back.  NULL is fine. */
void source_free(struct source *s);
/* Callbacks for new data and for events; ARG is passed to both. */
void source_set_callbacks(struct source *s, source_update_cb up, source_event_cb ev,
    void *arg);
/* Look peers up in G (borrowed; NULL: none). */
void source_set_geoip(struct source *s, const struct geoip *g);
/* The node was given by its data directory DIR (copied): after a failed
 * round its DIR/.rpc-endpoint is read again, and a node that came back on
 * another address is followed there. */
void source_set_datadir(struct source *s, const char *dir);

/* Poll now and then every interval. */
void source_start(struct source *s);
/* Start a round now unless one is in flight (after an action). */
void source_poll_now(struct source *s);
/* Poll every INTERVAL seconds from now on. */
void source_set_interval(struct source *s, double interval);
/* While paused no round is started. */
void source_set_paused(struct source *s, bool paused);

/* Apply one round's answers (borrowed) as if they had come from the node
 * at monotonic time NOW and unix time WALL.  Returns 0, or -1 with ERR
 * when an answer has the wrong shape (then nothing changes).  Public for
 * tests and the benchmark. */
int source_apply_answers(struct source *s, const struct source_answers *a, double now,
    double wall, char *err, size_t errlen);
/* The same for a round of getpeerinfo (PEERS an array) without
 * getblockchaininfo, at unix time NOW + 1.8e9. */
int source_apply(struct source *s, json_t *info, json_t *peers, json_t *stats, json_t *bans,
    double now, char *err, size_t errlen);
/* Record a failed round (as the poller does). */
void source_fail(struct source *s, const char *why, double now);

/* The peer with ID in the current snapshot, or NULL. */
const struct peer_info *source_peer(const struct source *s, uint64_t id);
/* Index of the peer with ID in s->peers, or -1. */
long source_peer_index(const struct source *s, uint64_t id);

/* P's latency samples, oldest first: at most MAX into MS (and their unix
 * times into T, 0 when unknown; T may be NULL).  Returns how many. */
size_t source_peer_history(const struct peer_info *p, double *ms, int64_t *t, size_t max);
/* Jitter of P: the mean difference between consecutive samples (ms), or
 * -1 with fewer than two. */
double source_peer_jitter(const struct peer_info *p);
/* Share of P's pings that got no pong (0..1; the one in flight does not
 * count), or -1 when the node does not say. */
double source_peer_loss(const struct peer_info *p);
/* Seconds P has been connected at unix time NOW. */
int64_t source_peer_age(const struct peer_info *p, int64_t now);

/* Actions, all asynchronous; CB (may be NULL) reports the outcome with
 * the node's own answer: an RPC error is a failure with its message.  The
 * target is named by value, never by a row.  Return 0 if the call was
 * sent, -1 if not (no RPC, bad argument; CB is then not called). */
int source_disconnect(struct source *s, uint64_t id, const char *what, source_action_cb cb,
    void *arg);
/* Ban SUBNET (an address or CIDR subnet) for SECONDS. */
int source_ban(struct source *s, const char *subnet, int64_t seconds, source_action_cb cb,
    void *arg);
/* Lift the ban on SUBNET (as listbanned names it). */
int source_unban(struct source *s, const char *subnet, source_action_cb cb, void *arg);
/* addnode HOSTPORT add: the node answers once it knows the outcome. */
int source_addnode(struct source *s, const char *hostport, source_action_cb cb, void *arg);
/* The message for the answer RESULT of addnode HOSTPORT into MSG; returns
 * whether it is a success ("connected", "added") or not ("failed").
 * Public for tests. */
bool source_addnode_outcome(const char *hostport, json_t *result, char *msg, size_t len);

/* "disconnected, retrying" etc. for the header. */
const char *source_state_name(enum source_state st);

/* The process's monotonic clock (common/clock) in seconds, the unit of
 * every console timestamp. */
double source_clock(void);
/* Unix time in seconds with fractions (common/clock). */
double source_wall(void);

#endif
