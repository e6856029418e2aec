/* addrman.h -- address book with new/tried tables (eclipse-resistant). */
#ifndef AGENTCHAIN_ADDRMAN_H
#define AGENTCHAIN_ADDRMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "netaddr.h"

/*
 * The shape is Bitcoin Core's addrman: addresses we have only heard about
 * live in the "new" table, addresses we have connected to in the "tried"
 * table.  Bucket and slot are chosen by SipHash under a secret key, so that
 * one source netgroup can reach at most 64 of the 1024 new buckets and one
 * address netgroup at most 8 of the 256 tried buckets: an attacker with a
 * few /16s cannot fill the book.  Time is always passed in (seconds since
 * the epoch), never read from the clock.  Not thread-safe: one event loop
 * owns it.
 */

#define ADDRMAN_KEYLEN			16
#define ADDRMAN_NEW_BUCKETS		1024
#define ADDRMAN_TRIED_BUCKETS		256
#define ADDRMAN_BUCKET_SIZE		64
#define ADDRMAN_NEW_BUCKETS_PER_SOURCE	64
#define ADDRMAN_TRIED_BUCKETS_PER_GROUP	8
#define ADDRMAN_NEW_BUCKETS_PER_ADDRESS	8
/* The most entries each table can hold (one slot each). */
#define ADDRMAN_NEW_MAX		(ADDRMAN_NEW_BUCKETS * ADDRMAN_BUCKET_SIZE)
#define ADDRMAN_TRIED_MAX	(ADDRMAN_TRIED_BUCKETS * ADDRMAN_BUCKET_SIZE)

/* The getaddr answer: at most 1000 addresses and 23 % of the book. */
#define ADDRMAN_GETADDR_MAX	1000
#define ADDRMAN_GETADDR_PCT	23

/* The on-disk format this build writes; it reads this version only. */
#define ADDRMAN_FORMAT_VERSION	1

struct addrman;

/* A copy of one entry, for RPC, the console and tests. */
struct addrman_info {
	struct netaddr	addr;
	struct netaddr	source;		/* who first told us about it */
	uint64_t	services;
	int64_t		time;		/* last heard of, minus penalty */
	int64_t		last_try;	/* 0 = never */
	int64_t		last_success;	/* 0 = never */
	int		attempts;	/* counted failures since last success */
	bool		tried;
	int		ref_count;	/* new buckets holding it; 0 when tried */
	int		bucket;		/* tried bucket, or its first new bucket */
	int		position;	/* slot in that bucket */
};

struct addrman_stats {
	size_t	n_new;
	size_t	n_tried;
	size_t	new_buckets_used;	/* buckets with at least one entry */
	size_t	tried_buckets_used;
};

/* Create an empty book.  It keeps routable, private and loopback
 * addresses (a LAN network's too; what may be dialled or relayed is the
 * caller's decision); ALLOW_PRIVATE (regtest) gives each private and
 * loopback address its own netgroup instead of one shared group.  KEY is the secret
 * bucketing key (ADDRMAN_KEYLEN bytes, copied); NULL draws a random one.
 * Requires hash_init().  Caller frees with addrman_free. */
struct addrman *addrman_new(bool allow_private, const uint8_t *key);
/* Release AM and everything it holds; NULL is a no-op. */
void addrman_free(struct addrman *am);

/* Learn of ADDR (with SERVICES, last seen at TIME by its announcer) from
 * SOURCE, the peer that relayed it.  TIME_PENALTY seconds are taken off TIME
 * (none when the source announces itself); TIME is clamped to >= 0.
 * Addresses that are neither routable, private nor loopback are ignored.  A known address gets its time refreshed (if more than 1 h newer
 * for an address seen in the last 24 h, else 24 h) and its services ORed,
 * and may gain a further new bucket (up to 8, each one twice as unlikely as
 * the last).  A taken slot is only overwritten if its occupant is terrible.
 * Returns true if ADDR now occupies a new-table slot it did not before. */
bool addrman_add(struct addrman *am, const struct netaddr *addr,
    uint64_t services, int64_t time, const struct netaddr *source,
    int64_t time_penalty, int64_t now);

/* We completed a handshake with ADDR: reset its failure count and move it
 * to the tried table.  If its tried slot is taken, the occupant goes back to
 * the new table -- unless the occupant itself succeeded within the last 4 h,
 * in which case ADDR stays in new.  (Core's test-before-evict with feeler
 * connections, simplified: a recent success is the test's answer.)
 * Returns true if ADDR moved to tried now. */
bool addrman_good(struct addrman *am, const struct netaddr *addr, int64_t now);

/* We tried to connect to ADDR.  With COUNT_FAILURE the attempt counts
 * towards its failures, but at most once per addrman_good on any address,
 * so that a node that lost its network does not condemn its whole book. */
void addrman_attempt(struct addrman *am, const struct netaddr *addr,
    bool count_failure, int64_t now);

/* ADDR is a live connection: refresh its time, at most every 20 minutes so
 * that what we relay does not reveal who we are connected to right now. */
void addrman_connected(struct addrman *am, const struct netaddr *addr,
    int64_t now);

/* Replace the service flags of ADDR (from its version message). */
void addrman_set_services(struct addrman *am, const struct netaddr *addr,
    uint64_t services);

/* Pick an address to dial: 50/50 from tried and new when both hold
 * entries (only new with NEW_ONLY), then a random bucket and slot,
 * preferring addresses with few recent failed attempts.  Fills OUT and
 * returns 0, or -1 when there is nothing to pick. */
int addrman_select(struct addrman *am, bool new_only, int64_t now,
    struct addrman_info *out);

/* A random sample of non-terrible addresses without duplicates, at most
 * MAX_COUNT (0: no limit), at most MAX_PCT percent of the book (0: no
 * limit) and at most OUT_CAP, written to OUT.  Returns how many.  Answering
 * getaddr: ADDRMAN_GETADDR_MAX, ADDRMAN_GETADDR_PCT. */
size_t addrman_get_addr(struct addrman *am, size_t max_count, unsigned max_pct,
    int64_t now, struct addrman_info *out, size_t out_cap);

/* A counter of the changes worth saving soon: an address taking a new
 * slot, one moving to tried.  (Attempts and refreshed times are not
 * counted: they wait for the periodic save.)  Compare two readings. */
uint64_t addrman_changes(const struct addrman *am);

/* Number of addresses in the book (new plus tried). */
size_t addrman_size(const struct addrman *am);
void addrman_get_stats(const struct addrman *am, struct addrman_stats *st);

/* Copy the entry for ADDR (IP and port) into OUT.  Returns 0, or -1 when
 * ADDR is not in the book. */
int addrman_find(const struct addrman *am, const struct netaddr *addr,
    struct addrman_info *out);
/* Call FN once for every entry, in storage order.  FN must not modify AM. */
void addrman_foreach(const struct addrman *am,
    void (*fn)(const struct addrman_info *, void *), void *arg);

/* Would Core's IsTerrible drop ADDR at NOW?  Unknown addresses are not. */
bool addrman_is_terrible(const struct addrman *am, const struct netaddr *addr,
    int64_t now);

/* Verify every internal invariant (tables, counters, index, reference
 * counts); O(size), for tests and debugging.  Returns 0, or -1 with the
 * first broken invariant in ERR. */
int addrman_check(const struct addrman *am, char *err, size_t errlen);

/*
 * Persistence.  The format (little-endian): "ACAM", u32 version, the
 * 16-byte key, u32 new count, u32 tried count, the entries, and SHA-256d of
 * everything before it.  Each entry: ip[16] port u16 services u64 time i64
 * source ip[16] source port u16 last_try i64 last_count_attempt i64
 * last_success i64 attempts i32 flags u8 (1 = tried) nbuckets u8 and
 * nbuckets u16 new-bucket numbers.
 */

/* Append AM's serialised form to W. */
void addrman_serialize(const struct addrman *am, struct wbuf *w);
/* Rebuild a book from LEN bytes at DATA (untrusted; not kept).  Every
 * count, index and timestamp is bounded and the checksum verified; entries
 * that are neither routable, private nor loopback are dropped, as are ones
 * whose slots are taken.  Returns a new book (caller frees), or NULL with a
 * reason in ERR. */
struct addrman *addrman_deserialize(const void *data, size_t len,
    bool allow_private, char *err, size_t errlen);

/* Write AM to PATH atomically (mode 0600), so a crash at any moment leaves
 * the old file or the new one.  Returns 0, or -1 with a reason in ERR. */
int addrman_save(const struct addrman *am, const char *path, char *err,
    size_t errlen);
/* Read a book written by addrman_save.  Returns a new book (caller frees),
 * or NULL with a reason in ERR: errno is then ENOENT when PATH does not
 * exist (a first start), EINVAL when it is corrupt, truncated or of
 * another format, and what the read failed with otherwise (EFBIG for a
 * file too large to be ours).  Either way the caller starts with an empty
 * book. */
struct addrman *addrman_load(const char *path, bool allow_private, char *err,
    size_t errlen);

#endif
