/* ratelimit.h -- per-source-prefix token buckets for UDP replies (anti-amplification). */
#ifndef AGENTCHAIN_RATELIMIT_H
#define AGENTCHAIN_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Sources are grouped like RRL does: IPv4 by /24, IPv6 by /56, so one
 * spoofed victim network is one bucket.  Buckets live in a fixed table
 * (RATELIMIT_SLOTS, keyed by a SipHash under a random key): memory never
 * grows, and a collision only resets a bucket to full. */
#define RATELIMIT_SLOTS	65536

struct ratelimit;

/* What to do with one reply. */
enum ratelimit_verdict {
	RATELIMIT_PASS = 0,	/* within the limit: send it */
	RATELIMIT_DROP,		/* over the limit: send nothing */
	RATELIMIT_SLIP,		/* over the limit, but this one goes out
				   truncated (TC=1) so a real resolver
				   behind the address retries over TCP */
};

/* RATE replies per second per source prefix, bursts up to BURST (both >
 * 0); of the replies over the limit, every SLIP-th of each source prefix
 * slips (0: none).  Caller frees with ratelimit_free. */
struct ratelimit *ratelimit_new(unsigned rate, unsigned burst, unsigned slip);
void ratelimit_free(struct ratelimit *rl);

/* Take one token for a reply to SRC at NOW_MS (a monotonic clock in
 * milliseconds) and say what to do with the reply.  Slips are counted
 * per bucket, so every limited source gets its share of them.  Sources
 * of an unknown family always pass. */
enum ratelimit_verdict ratelimit_check(struct ratelimit *rl, const struct sockaddr *src,
    uint64_t now_ms);

#endif
