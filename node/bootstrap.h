/* bootstrap.h -- finding the first peers: saved book, DNS seeds, hard-coded seeds. */
#ifndef AGENTCHAIN_BOOTSTRAP_H
#define AGENTCHAIN_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct addrman;
struct bootstrap;
struct config;
struct connman;
struct resolver;

/* An address book smaller than this counts as "nearly empty": the DNS
 * seeds are asked at once instead of after BOOTSTRAP_DNS_DELAY. */
#define BOOTSTRAP_NEARLY_EMPTY	10
/* Bitcoin Core asks DNS seeds after 11 s without an outbound connection. */
#define BOOTSTRAP_DNS_DELAY	11
/* Hard-coded seeds are the last resort, after DNS had its chance. */
#define BOOTSTRAP_FIXED_DELAY	30
/* A node without a single peer asks its seeds again after 60 s, then
 * waits twice as long each round, up to 30 minutes. */
#define BOOTSTRAP_RETRY_MIN	60
#define BOOTSTRAP_RETRY_MAX	(30 * 60)
/* Alone this long, it says why in the log, at most every 5 minutes
 * (sooner when the reason changes). */
#define BOOTSTRAP_LONELY_WARN	60
#define BOOTSTRAP_WARN_INTERVAL	300
#define BOOTSTRAP_REASON_MAX	384

struct bootstrap_opts {
	const struct config	*cfg;
	struct addrman		*addrman;
	struct connman		*connman;	/* usable addresses, "ever connected" */
	struct resolver		*resolver;	/* NULL: DNS seeds cannot be asked */
};

struct bootstrap *bootstrap_new(const struct bootstrap_opts *o);
/* Free the resolver first: its pending look-ups then never call back. */
void bootstrap_free(struct bootstrap *bs);

/* Once a second (NOW: monotonic seconds): ask DNS seeds and hard-coded
 * seeds when needed (see above), again and again while no peer is
 * connected, and log why the node is alone. */
void bootstrap_tick(struct bootstrap *bs, int64_t now);

/* Where finding peers stands, for RPC. */
struct bootstrap_status {
	bool		alone;		/* no peer has completed a handshake */
	int64_t		alone_seconds;
	unsigned	rounds;		/* times the seeds were asked */
	int64_t		next_retry_in;	/* seconds; -1: none planned */
	char		reason[BOOTSTRAP_REASON_MAX];	/* why alone; "" otherwise */
	char		dns_result[128];	/* the last DNS seed answer */
	size_t		fixed_total, fixed_usable;	/* last round of fixed seeds */
};
void bootstrap_status(const struct bootstrap *bs, struct bootstrap_status *out);

#endif
