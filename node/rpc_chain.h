/* rpc_chain.h -- agentnode's JSON-RPC methods for the chain: blocks, headers, tips, mempool, mining. */
#ifndef AGENTCHAIN_RPC_CHAIN_H
#define AGENTCHAIN_RPC_CHAIN_H

#include <stddef.h>

#include <event2/buffer.h>

#include "rpc_server.h"

/* The static table (context: struct rpc_node *, see rpc_methods.h). */
const struct rpc_method *rpc_chain_table(void);
size_t rpc_chain_count(void);

/* Append the chain's Prometheus metrics to OUT (context: struct rpc_node *). */
void rpc_chain_metrics(void *ctx, struct evbuffer *out);

#endif
