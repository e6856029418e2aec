/* rpc_methods.h -- agentnode's JSON-RPC method table and Prometheus metrics. */
#ifndef AGENTCHAIN_RPC_METHODS_H
#define AGENTCHAIN_RPC_METHODS_H

#include <stddef.h>

#include <event2/buffer.h>

#include "rpc_server.h"

/* The static method table (context: struct node *). */
const struct rpc_method *rpc_methods_table(void);
size_t rpc_methods_count(void);

/* Append the node's metrics in Prometheus text format to OUT. */
void rpc_methods_metrics(void *node, struct evbuffer *out);

#endif
