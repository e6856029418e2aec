/* node.h -- the running agentnode: wires the modules together and runs them. */
#ifndef AGENTCHAIN_NODE_H
#define AGENTCHAIN_NODE_H

struct config;
struct config_strlist;

/* Run the node with CFG until SIGINT/SIGTERM or the RPC "stop" method,
 * keeping connections to SEED_NODES ("host:port", may be NULL).  Returns
 * the process exit status. */
int node_run(const struct config *cfg, const struct config_strlist *seed_nodes);

#endif
