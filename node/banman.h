/* banman.h -- bans by IP or subnet, with expiry, persisted to banlist.json. */
#ifndef AGENTCHAIN_BANMAN_H
#define AGENTCHAIN_BANMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

/*
 * Bans are manual (setban) or the result of misbehaviour; both persist.
 * Single addresses live in a SipHash-keyed hash table (a peer cannot
 * choose addresses that collide), subnets in a short array that is
 * scanned.  Both are capped, so memory is bounded whatever the RPC user
 * or the file asks for.
 */

/* Total bans, hosts and subnets together. */
#define BANMAN_MAX_BANS		100000
/* Subnet bans are scanned on every lookup; keep that scan short. */
#define BANMAN_MAX_SUBNET_BANS	1024
/* Reason strings are truncated to this size including the NUL. */
#define BANMAN_REASON_MAX	64
/* "ffff:...:ffff/128" plus NUL (INET6_ADDRSTRLEN 46 + "/128"). */
#define BANMAN_SUBNET_STRLEN	51
/* Refuse to read a ban file larger than this (100,000 entries fit). */
#define BANMAN_FILE_MAX		(32u * 1024 * 1024)
/* Bitcoin Core's DEFAULT_MISBEHAVING_BANTIME. */
#define BANMAN_DEFAULT_BANTIME	(24 * 60 * 60)

/* A ban target.  IPv4 is held IPv4-mapped (::ffff:a.b.c.d) with PREFIX
 * counted over all 128 bits, so "1.2.3.0/24" is ::ffff:1.2.3.0 with
 * prefix 120 and matches the mapped addresses struct netaddr carries.
 * Host bits beyond PREFIX are always zero. */
struct ban_subnet {
	uint8_t		ip[16];
	uint8_t		prefix;		/* 0..128 */
};

struct ban_entry {
	struct ban_subnet	subnet;
	int64_t			created;	/* seconds */
	int64_t			until;		/* banned while now < until */
	char			reason[BANMAN_REASON_MAX];
};

struct banman;

/* Parse "1.2.3.4", "1.2.3.0/24", "2001:db8::1", "2001:db8::/32".  A bare
 * address is a /32 (IPv4) or /128 (IPv6); the prefix is decimal, at most
 * 32 for IPv4 and 128 for IPv6; host bits past the prefix are cleared
 * ("1.2.3.4/24" becomes 1.2.3.0/24).  Returns 0, or -1 (OUT untouched). */
int banman_parse_subnet(const char *s, struct ban_subnet *out);

/* Format as "1.2.3.0/24" or "2001:db8::/32" (always with the prefix) into
 * BUF of at least BANMAN_SUBNET_STRLEN bytes.  An IPv4-mapped network with
 * a prefix of 96 or more prints as IPv4.  Returns BUF. */
char *banman_format_subnet(const struct ban_subnet *s, char *buf, size_t len);

/* Is A inside S?  The port is ignored. */
bool banman_subnet_contains(const struct ban_subnet *s, const struct netaddr *a);

/* A ban covering exactly the IP of A (/32 or /128). */
void banman_subnet_from_addr(struct ban_subnet *s, const struct netaddr *a);

/* An empty ban list; banman_free releases it.  The hash key is random, so
 * hash_init() must have been called. */
struct banman *banman_new(void);
void banman_free(struct banman *bm);

/* Ban SUBNET until the absolute time UNTIL (seconds); REASON (may be NULL,
 * meaning "manual") is copied, truncated to BANMAN_REASON_MAX-1 bytes and
 * non-printable bytes replaced by '?'.  Banning an already-banned subnet
 * keeps a single entry with the later expiry (and that ban's reason); it
 * never shortens a ban -- unban first for that.  Returns 0, or -1 with a
 * reason in ERR (may be NULL) when UNTIL <= NOW or the list is full. */
int banman_ban(struct banman *bm, const struct ban_subnet *subnet, int64_t until,
    const char *reason, int64_t now, char *err, size_t errlen);

/* Remove the ban on exactly SUBNET (not bans that merely contain it).
 * Returns 0, or -1 when there is none. */
int banman_unban(struct banman *bm, const struct ban_subnet *subnet);

/* Remove every ban. */
void banman_clear(struct banman *bm);

/* The unexpired ban covering A at NOW, or NULL.  A single-address ban is
 * found first, else the first matching subnet.  The pointer is valid until
 * the next call that changes BM. */
const struct ban_entry *banman_find(const struct banman *bm, const struct netaddr *a,
    int64_t now);
bool banman_is_banned(const struct banman *bm, const struct netaddr *a, int64_t now);

/* Drop bans that expired at or before NOW.  Returns how many. */
size_t banman_sweep(struct banman *bm, int64_t now);

/* Number of entries, expired ones not yet swept included. */
size_t banman_count(const struct banman *bm);

/* Call CB for every entry (unspecified order) until it returns non-zero,
 * which is returned.  CB must not change BM. */
int banman_foreach(const struct banman *bm,
    int (*cb)(const struct ban_entry *e, void *arg), void *arg);

/* A copy of every entry sorted by subnet, for listbanned and saving.
 * Returns a newly allocated array (caller frees) with its length in *N,
 * or NULL when the list is empty. */
struct ban_entry *banman_list(const struct banman *bm, size_t *n);

/* Changed since the last successful save or load? */
bool banman_is_dirty(const struct banman *bm);

/* Write every entry to PATH (mode 0600, atomically) as
 * {"version":1,"bans":[{"subnet":"1.2.3.4/32","created":N,"until":N,
 * "reason":"..."}]}.  Clears the dirty flag on success.  Returns 0, or -1
 * with a reason in ERR. */
int banman_save(struct banman *bm, const char *path, char *err, size_t errlen);

/* Replace the contents of BM with the bans in PATH.  A missing file gives
 * an empty list.  Entries expired at NOW are dropped (and BM is then
 * dirty, so the file gets rewritten).  A file that is not valid JSON or
 * has an unknown version or no "bans" array is an error naming the file
 * (with line and column); BM is then left exactly as it was.  A bad entry
 * (a malformed subnet, a missing time, one more than the caps allow) is
 * skipped and logged, every good one is kept, and BM is dirty so that the
 * next save writes the good ones (banman_load_skipped counts them).
 * Returns 0, or -1 with a reason in ERR. */
int banman_load(struct banman *bm, const char *path, int64_t now, char *err,
    size_t errlen);
/* The same for LEN bytes of TEXT (untrusted), named PATH in messages. */
int banman_load_json(struct banman *bm, const char *text, size_t len, const char *path,
    int64_t now, char *err, size_t errlen);
/* How many entries the last banman_load skipped as bad, and (into WHY,
 * may be NULL) the first one's reason, naming the file and the entry. */
size_t banman_load_skipped(const struct banman *bm, char *why, size_t whylen);

#endif
