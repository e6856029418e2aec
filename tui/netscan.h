/* netscan.h -- the whole-network summary read from the crawler's database, off the UI thread. */
#ifndef AGENTCHAIN_NETSCAN_H
#define AGENTCHAIN_NETSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "chart.h"

/*
 * Reading the crawl database is disk I/O under SQLite's busy timeout, so
 * it never runs in the event loop: each scan is a job for a worker thread
 * (common/worker) that opens the file read-only, folds every row into a
 * struct netscan_sum, closes it, and hands the summary back to the loop.
 * Nothing else is shared with the thread.
 */

#define NETSCAN_TOP		64		/* entries kept per top list */
#define NETSCAN_MAX_POINTS	200000		/* located nodes kept for the map */
#define NETSCAN_BOARD		20		/* leaderboard rows kept */

struct netscan_kv {
	char		key[112];
	long long	n;
};

/* One row of the rewards leaderboard (scores in ppm, rewards.h). */
struct netscan_board_row {
	char		identity[17];		/* the first 16 hex digits */
	uint32_t	uptime, storage, relay, total;
};

struct netscan_point {
	float		lat, lon;
	bool		good;
};

struct netscan_sum {
	bool		ok;
	char		err[256];
	int64_t		taken;			/* unix time of the scan */
	double		took_ms;
	char		network[16];		/* "" = all networks */

	long long	total;			/* rows */
	long long	good;			/* goodnode_is_good */
	long long	reachable;		/* last attempt succeeded */
	long long	never_tried;
	long long	banned;			/* ignored by the crawler as hostile */
	long long	located;
	int32_t		max_height;

	/* NetworkHealth as health.h defines it for the crawler. */
	int		health;
	double		avg_handshake_ms;	/* < 0 unknown */
	double		reliability_1d;
	unsigned	netgroups;

	struct netscan_kv versions[NETSCAN_TOP], heights[NETSCAN_TOP];
	struct netscan_kv countries[NETSCAN_TOP], asns[NETSCAN_TOP];
	size_t		nversions, nheights, ncountries, nasns;
	/* Distinct values seen (the lists above keep the largest). */
	size_t		dversions, dheights, dcountries, dasns;

	struct netscan_point *points;
	size_t		npoints;

	/* The latest scored day's leaderboard (rewards_leaderboard with the
	 * default rules), rewarded identities by rank; nboard 0 without one. */
	struct netscan_board_row board[NETSCAN_BOARD];
	size_t		nboard;
	size_t		board_total;		/* rewarded identities in all */
	char		board_day[16];		/* "YYYY-MM-DD" */
	char		board_network[16];
};

/* Scan PATH synchronously (NETWORK NULL or "" = all) at unix time NOW.
 * Always returns a summary (caller frees with netscan_sum_free); on failure
 * ok is false and err names the file and the reason. */
struct netscan_sum *netscan_read_sum(const char *path, const char *network, int64_t now);
void netscan_sum_free(struct netscan_sum *s);

struct netscan;
typedef void (*netscan_cb)(void *arg);

/* A scanner of PATH inside BASE; CB runs in the loop after every scan.
 * Strings are copied.  Caller frees with netscan_free. */
struct netscan *netscan_new(struct event_base *base, const char *path, const char *network,
    netscan_cb cb, void *arg);
/* A scan in flight is asked to stop and waited for briefly; past that it
 * is abandoned (its thread frees its own result). */
void netscan_free(struct netscan *ns);
/* Start a scan unless one is running.  Returns 0 if started. */
int netscan_start(struct netscan *ns);
/* Is a scan running? */
bool netscan_busy(const struct netscan *ns);
/* The latest summary (NULL before the first scan finished). */
const struct netscan_sum *netscan_result(const struct netscan *ns);
/* The database path (owned by NS). */
const char *netscan_path(const struct netscan *ns);
/* NetworkHealth and reachable nodes, one sample per successful scan. */
const struct chart_series *netscan_health_history(const struct netscan *ns);
const struct chart_series *netscan_reachable_history(const struct netscan *ns);

#endif
