/* rpc_methods.h -- agentnode's JSON-RPC method table and Prometheus metrics. */
#ifndef AGENTCHAIN_RPC_METHODS_H
#define AGENTCHAIN_RPC_METHODS_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#include "rpc_server.h"

struct addrman;
struct addrrelay;
struct banman;
struct blockrelay;
struct bootstrap;
struct chain;
struct config;
struct connman;
struct identity;
struct idserve;
struct mempool;
struct natpmp;
struct peerman;
struct txrelay;

/* What the methods reach: the node's modules, owned by node.c. */
struct rpc_node {
	const struct config	*cfg;
	struct addrman		*addrman;
	struct banman		*banman;
	struct connman		*connman;
	struct peerman		*peerman;
	struct addrrelay	*addrrelay;
	struct bootstrap	*bootstrap;	/* NULL: not reported */
	struct chain		*chain;
	struct mempool		*mempool;
	struct blockrelay	*blockrelay;
	struct txrelay		*txrelay;
	struct natpmp		*natpmp;	/* NULL: PCP/NAT-PMP off */
	struct identity		*identity;	/* NULL: node.identity off */
	struct idserve		*idserve;	/* NULL: node.identity off */
	int64_t			 start_mono;	/* monotonic seconds */
	void			 (*stop)(void *arg);	/* the "stop" method */
	void			*stop_arg;
};

/* The static method table (context: struct rpc_node *). */
const struct rpc_method *rpc_methods_table(void);
size_t rpc_methods_count(void);

/* Append the node's metrics in Prometheus text format to OUT (context:
 * struct rpc_node *). */
void rpc_methods_metrics(void *ctx, struct evbuffer *out);

#endif
