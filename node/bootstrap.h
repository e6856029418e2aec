/* bootstrap.h -- finding the first peers: saved book, DNS seeds, hard-coded seeds. */
#ifndef AGENTCHAIN_BOOTSTRAP_H
#define AGENTCHAIN_BOOTSTRAP_H

#include <stdbool.h>
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
 * seeds when needed.  Each source is asked at most once per run. */
void bootstrap_tick(struct bootstrap *bs, int64_t now);

#endif
