/* crawlrec.h -- one crawled node's record: what the crawl database stores and the good-node rule judges.
 *
 * A header of its own so that the database (crawldb) and the rule that
 * reads the record (goodnode) can both use it without including each
 * other.  Rows are keyed by (network, ip, port); times are unix seconds,
 * 0 = never. */
#ifndef AGENTCHAIN_CRAWLREC_H
#define AGENTCHAIN_CRAWLREC_H

#include <stdbool.h>
#include <stdint.h>

#include "netaddr.h"

/* Reliability windows, bitcoin-seeder's: 2 h, 8 h, 1 day, 1 week, 1 month
 * (their time constants per network are in goodnode.h). */
#define CRAWLDB_WINDOWS 5
enum crawldb_window {
	CRAWLDB_W2H = 0,
	CRAWLDB_W8H,
	CRAWLDB_W1D,
	CRAWLDB_W1W,
	CRAWLDB_W1M,
};

/* Values of last_error ("" after a success).  Kept as text in the file so
 * that readers need not share an enum with the writer. */
#define CRAWLDB_ERR_REFUSED	"refused"	/* TCP RST: nothing listens */
#define CRAWLDB_ERR_UNREACH	"unreachable"	/* no route, host down, other connect errors */
#define CRAWLDB_ERR_TIMEOUT	"timeout"	/* connect or handshake took too long */
#define CRAWLDB_ERR_HANDSHAKE	"handshake"	/* protocol error during version/verack */
#define CRAWLDB_ERR_OLDVERSION	"old-version"	/* version below PROTO_MIN_VERSION */
#define CRAWLDB_ERR_BANNED	"banned"	/* accepted TCP, then closed before its version: it bans us or is full */
#define CRAWLDB_ERR_PROTOCOL	"protocol"	/* garbage frames, wrong magic, bad checksum */
#define CRAWLDB_ERR_ADDRFLOOD	"addr-flood"	/* more addresses than any honest node sends */
#define CRAWLDB_ERR_SELF	"self"		/* we dialled ourselves */
#define CRAWLDB_ERR_BADCHAIN	"bad-headers"	/* served headers with bad proof of work, linkage or time */

/* Everything recorded about one node.  Strings are NUL-terminated and
 * already sanitised for display (str_sanitize) by the writer. */
struct crawldb_node {
	struct netaddr	addr;			/* ip + port */
	char		network[16];		/* "mainnet" | "testnet" | "regtest" */
	uint64_t	services;
	uint32_t	version;		/* protocol version; 0 = never handshaked */
	char		user_agent[257];
	/* The verified height: the highest header the node served on the
	 * crawler's most-work chain, checked by the crawler itself
	 * (crawler/headerchain.h); -1 = not proven.  Every height shown and
	 * the good rule's minimum use this one. */
	int32_t		height;
	int32_t		claimed_height;		/* start height from its version (its word only) */
	bool		best_chain;		/* it served headers on the crawler's most-work chain */
	double		connect_ms, handshake_ms;	/* last measured; < 0 unknown */
	int64_t		first_seen, last_seen, last_success, last_try;
	uint32_t	attempts, successes;
	/* Decayed success rate per window, 0..1 (bitcoin-seeder's
	 * "reliability"). */
	double		reliability[CRAWLDB_WINDOWS];
	/* Decayed number of tries per window (bitcoin-seeder's "count"): the
	 * "> 2 tries" etc. of the good rule. */
	double		weight[CRAWLDB_WINDOWS];
	/* Decayed share of the window covered by tries (bitcoin-seeder's
	 * "weight"), 0..1: reliability - coverage + 1 is the optimistic rate
	 * used by its ban/ignore thresholds. */
	double		coverage[CRAWLDB_WINDOWS];
	char		last_error[32];		/* "" or a CRAWLDB_ERR_* value */
	struct netaddr	source;			/* who told us about it; all zero = a seed */
	char		country[3], city[64];
	double		latitude, longitude;
	bool		has_location;
	uint32_t	asn;			/* 0 = unknown */
	char		as_org[96];
	bool		good;			/* goodnode_is_good() at the time of reading */

	/* Scheduling state of the crawler (others may display it). */
	int64_t		last_getaddr;		/* last address-discovery pass that got an answer */
	uint32_t	fail_streak;		/* failures since the last success */
	int64_t		banned_until;		/* we ignore it until then (hostile); 0 = not banned */
	uint32_t	misbehaviour;		/* protocol violations seen, ever */
	uint32_t	addrs_learned;		/* addresses in its last getaddr answer */
	char		transport[4];		/* "v1", "v2" (last handshake), "" unknown */

	/* crawler.rewards: the identity key this address last proved (64
	 * hex digits, "" never) and the reward address it signed with it. */
	char		identity[65];
	char		reward_address[91];
};

#endif
