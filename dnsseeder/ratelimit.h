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

/* RATE replies per second per source prefix, bursts up to BURST (both >
 * 0).  Caller frees with ratelimit_free. */
struct ratelimit *ratelimit_new(unsigned rate, unsigned burst);
void ratelimit_free(struct ratelimit *rl);

/* Take one token for a reply to SRC at NOW_MS (a monotonic clock in
 * milliseconds).  Returns true if the reply may go out.  Sources of an
 * unknown family are always allowed. */
bool ratelimit_allow(struct ratelimit *rl, const struct sockaddr *src,
    uint64_t now_ms);

#endif
