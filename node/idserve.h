/* idserve.h -- answers getidentity: proves the node's identity key, only for its own address, rationed per peer.
 *
 * A message handler behind peerman's handshake gate, registered only
 * when node.identity is on (node.c).  A challenge is signed only when the
 * address in it is ours: the local address of the very socket it came on,
 * or an address the node knows for itself (connman_is_own_addr: a listen
 * address, the advertised one from UPnP/NAT-PMP/PCP or a peer's report).
 * So a host that relays a crawler's challenge for its own address to us
 * gets nothing it could pass off as its own proof. */
#ifndef AGENTCHAIN_IDSERVE_H
#define AGENTCHAIN_IDSERVE_H

#include <stdint.h>

struct config;
struct connman;
struct identity;
struct idserve;
struct peer;
struct peerman;

/* Answers per peer: a bucket of IDSERVE_BURST, refilled at
 * IDSERVE_PER_MINUTE.  An observer asks once per visit; more is ignored. */
#define IDSERVE_BURST		3
#define IDSERVE_PER_MINUTE	3

struct idserve_opts {
	const struct config	*cfg;
	const struct identity	*identity;	/* outlives the handler */
	struct connman		*connman;
	struct peerman		*peerman;
};

/* Creates the handler and registers it with O->peerman.  Returns NULL
 * when peerman refused the registration. */
struct idserve *idserve_new(const struct idserve_opts *o);
void idserve_free(struct idserve *is);

struct idserve_stats {
	uint64_t	answered;	/* proofs signed and sent */
	uint64_t	not_ours;	/* challenges for an address that is not ours */
	uint64_t	rate_limited;	/* over a peer's allowance */
	uint64_t	old_version;	/* from a peer below PROTO_DATA_VERSION */
};
void idserve_stats(const struct idserve *is, struct idserve_stats *out);

#endif
