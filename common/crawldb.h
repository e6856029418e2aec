/* crawldb.h -- the crawl database: SQLite store written by agentcrawl, read by the seeder and console. */
#ifndef AGENTCHAIN_CRAWLDB_H
#define AGENTCHAIN_CRAWLDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crawlrec.h"
#include "netaddr.h"

/*
 * One SQLite file in WAL mode, so any number of readers (agentseeder,
 * agentconsole, `agentcrawl export`) run while one writer (agentcrawl
 * crawl) commits.  The schema version lives in PRAGMA user_version;
 * read-write opens migrate older files forward in one transaction,
 * read-only opens never create or migrate anything.  The writer commits in
 * batches (crawldb_begin/crawldb_commit) with synchronous=NORMAL: a kill -9
 * at any moment loses at most the open batch and never corrupts the file.
 *
 * Rows are keyed by (network, ip, port).  Times are unix seconds, 0 = never.
 */

/* The schema this code writes.  A file with a higher user_version was
 * written by a newer agentcrawl and is refused with a clear error. */
#define CRAWLDB_SCHEMA_VERSION 6

/* Open flags. */
#define CRAWLDB_RDONLY		0x1	/* never create, migrate or write */
/* crawldb_foreach flags. */
#define CRAWLDB_GOOD_ONLY	0x2	/* only rows whose good flag comes out true */

struct crawldb;

/*
 * Open (read-write: create if missing and migrate to
 * CRAWLDB_SCHEMA_VERSION) or open read-only with CRAWLDB_RDONLY.
 * Read-only opens never create or migrate.  Returns NULL with a message
 * naming PATH in ERR when its directory is missing (crawldb_check_dir),
 * the file is missing (read-only), not an SQLite
 * database or corrupt, of a newer schema ("written by a newer agentcrawl"),
 * of an older schema on a read-only open, not a crawl database at all, or
 * locked beyond the busy timeout.  The caller releases the handle with
 * crawldb_close.  A handle is for one thread.
 */
struct crawldb *crawldb_open(const char *path, unsigned flags, char *err,
    size_t errlen);

/* Does the directory that holds (or would hold) PATH exist?  Returns 0,
 * or -1 with a message naming that directory in ERR ("database directory
 * /x does not exist"), so that a missing directory is not reported as a
 * missing file.  crawldb_open checks it first; so should anyone creating
 * a file beside the database (the crawler's lock). */
int crawldb_check_dir(const char *path, char *err, size_t errlen);

/* Close DB (NULL is fine); an open batch is committed first. */
void crawldb_close(struct crawldb *db);

/* The user_version of the open file (== CRAWLDB_SCHEMA_VERSION after a
 * read-write open). */
int crawldb_schema_version(const struct crawldb *db);

/*
 * Call CB for every node of NETWORK (NULL = all networks) in a stable
 * order (network, ip, port), with n->good computed by goodnode_is_good at
 * NOW.  With CRAWLDB_GOOD_ONLY only good ones are passed.  The struct is
 * only valid during the call.  CB returns 0 to go on, non-zero to stop
 * (crawldb_foreach then returns that value).  Runs in one read
 * transaction, so it sees one consistent snapshot.  Returns 0, or -1 with
 * a message in ERR (e.g. SQLITE_BUSY after the bounded busy timeout).
 */
int crawldb_foreach(struct crawldb *db, const char *network, unsigned flags,
    int64_t now, int (*cb)(const struct crawldb_node *n, void *arg), void *arg,
    char *err, size_t errlen);

/* Fetch one node into OUT (good computed at NOW).  Returns 1 if found, 0
 * if not, -1 on error. */
int crawldb_get(struct crawldb *db, const char *network,
    const struct netaddr *addr, int64_t now, struct crawldb_node *out,
    char *err, size_t errlen);

/* Count rows of NETWORK (NULL = all).  Returns the count or -1. */
long long crawldb_count(struct crawldb *db, const char *network, char *err,
    size_t errlen);

/* --- writer side (read-write handles only) ------------------------------- */

/* Start / end a batch.  Writes outside a batch commit one by one (slow but
 * correct).  crawldb_begin inside a batch is a no-op returning 0.
 * Return 0 or -1 with ERR. */
int crawldb_begin(struct crawldb *db, char *err, size_t errlen);
int crawldb_commit(struct crawldb *db, char *err, size_t errlen);
bool crawldb_in_batch(const struct crawldb *db);

/* Record an address learned from SOURCE (NULL = a seed) at NOW: inserts a
 * new row with first_seen = last_seen = NOW, or only raises last_seen of a
 * known one.  Returns 1 if the row is new, 0 if it was known, -1 on
 * error. */
int crawldb_add_address(struct crawldb *db, const char *network,
    const struct netaddr *addr, const struct netaddr *source, int64_t now,
    char *err, size_t errlen);

/* Field groups for crawldb_put. */
#define CRAWLDB_PUT_PEER	0x01	/* services, version, user_agent, heights, best_chain, latencies */
#define CRAWLDB_PUT_STATS	0x02	/* last_try/success/seen, attempts, successes, windows,
					   last_error, fail_streak, banned_until, misbehaviour */
#define CRAWLDB_PUT_GEO		0x04	/* country, city, location, asn, as_org */
#define CRAWLDB_PUT_DISCOVERY	0x08	/* last_getaddr, addrs_learned */
#define CRAWLDB_PUT_IDENTITY	0x10	/* identity, reward_address */
#define CRAWLDB_PUT_ALL		0x1f

/* Write the groups FIELDS of N (keyed by N->network and N->addr); a
 * missing row is inserted first (first_seen, source from N).  N->good is
 * never stored.  Returns 0 or -1 with ERR. */
int crawldb_put(struct crawldb *db, const struct crawldb_node *n,
    unsigned fields, char *err, size_t errlen);

/* Append a visits row: ADDR of NETWORK visited at TS, OK with the
 * IDENTITY (64 hex) it proved then, or not OK (IDENTITY "" or NULL) when
 * the connection, handshake or proof failed.  Only addresses that have
 * ever proven an identity get rows (the caller's rule).  Returns 0 or -1
 * with ERR. */
int crawldb_add_visit(struct crawldb *db, const char *network, const struct netaddr *addr,
    int64_t ts, bool ok, const char *identity, char *err, size_t errlen);

/* Delete one node ("forget").  Returns 1 if a row went, 0 if none, -1. */
int crawldb_delete(struct crawldb *db, const char *network,
    const struct netaddr *addr, char *err, size_t errlen);

/* The crawler's header chain (crawler/headerchain.h), one row per header
 * of NETWORK: HASH, HEIGHT and the 80 wire bytes RAW.  A known hash is
 * left as it is.  Returns 0 or -1 with ERR. */
int crawldb_header_put(struct crawldb *db, const char *network, const uint8_t hash[32],
    int32_t height, const uint8_t raw[80], char *err, size_t errlen);
/* Call CB with the 80 bytes of every stored header of NETWORK, lowest
 * height first (so parents come before children).  CB returns 0 to go on;
 * non-zero stops and is returned.  Returns 0, or -1 with ERR. */
int crawldb_headers_foreach(struct crawldb *db, const char *network,
    int (*cb)(const uint8_t raw[80], void *arg), void *arg, char *err, size_t errlen);

/* One storage challenge (crawler/storagecheck.h): ADDR of NETWORK was
 * asked at TS for the block at HEIGHT, and RESULT is "ok", "wrong" or
 * "missing".  Returns 0 or -1 with ERR. */
int crawldb_storage_check_add(struct crawldb *db, const char *network,
    const struct netaddr *addr, int64_t ts, int32_t height, const char *result,
    char *err, size_t errlen);

/* Small key/value settings shared with readers (e.g. "min_height.mainnet",
 * "crawl.last_pass").  crawldb_meta_get copies into VAL (always
 * NUL-terminated) and returns 1, 0 if absent, -1 on error. */
int crawldb_meta_set(struct crawldb *db, const char *key, const char *val,
    char *err, size_t errlen);
int crawldb_meta_get(struct crawldb *db, const char *key, char *val,
    size_t vallen, char *err, size_t errlen);

#endif
