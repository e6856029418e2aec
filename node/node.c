/* node.c -- the running agentnode: wires the modules together and runs them.
 *
 * The layers, from the wire up (docs/ARCHITECTURE.md):
 *   connman   connections, slots, eviction (owns every struct peer)
 *   peerman   handshake gate, pings, reputation; behind connman's events
 *   addrrelay getaddr/addr, a handler behind peerman's gate
 *   blockrelay, txrelay  headers, blocks, transactions: handlers too
 *   bootstrap DNS and hard-coded seeds
 * with the address book, ban list, GeoIP, the chain and the mempool below
 * them and the RPC methods above.  This file creates each with the modules it needs,
 * hangs the periodic work on the process skeleton (common/proc) and takes
 * everything down in the reverse order. */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addrman.h"
#include "addrrelay.h"
#include "atomicfile.h"
#include "banman.h"
#include "blockrelay.h"
#include "bootstrap.h"
#include "chain.h"
#include "clock.h"
#include "conn.h"
#include "config.h"
#include "connman.h"
#include "geoip.h"
#include "hash.h"
#include "identity.h"
#include "idserve.h"
#include "log.h"
#include "mempool.h"
#include "msg.h"
#include "natpmp.h"
#include "peerman.h"
#include "proc.h"
#include "repmem.h"
#include "resolver.h"
#include "rpc_chain.h"
#include "rpc_methods.h"
#include "rpc_proto.h"
#include "rpc_server.h"
#include "strutil.h"
#include "txrelay.h"
#include "u256.h"
#include "upnp.h"
#include "version.h"
#include "xmalloc.h"

/* The address book is saved NODE_ADDRMAN_SAVE_DELAY seconds after it
 * first changes (a new or newly tried address), then at most every
 * NODE_ADDRMAN_SAVE_MIN while it keeps changing, and every
 * NODE_ADDRMAN_SAVE_INTERVAL anyway (attempt counts, times): a kill -9
 * shortly after start must not cost the peers the node just met. */
#define NODE_ADDRMAN_SAVE_DELAY		10
#define NODE_ADDRMAN_SAVE_MIN		60
#define NODE_ADDRMAN_SAVE_INTERVAL	(15 * 60)
#define NODE_BANMAN_SAVE_INTERVAL	60
#define NODE_STOP_FLUSH_MS		300
/* Announcements are due on Poisson timers of about 2 s: check often. */
#define NODE_TXRELAY_TICK_MS		100

struct node {
	struct proc		*proc;
	const struct config	*cfg;
	char			*datadir;	/* owned */
	int			 lock_fd;

	struct addrman		*addrman;
	struct banman		*banman;
	struct repmem		*repmem;
	struct resolver		*resolver;	/* NULL: system resolver unavailable */
	struct geoip		*geoip;		/* NULL: no database configured */
	struct connman		*connman;
	struct peerman		*peerman;
	struct addrrelay	*addrrelay;
	struct bootstrap	*bootstrap;
	struct chain		*chain;
	struct mempool		*mempool;
	struct blockrelay	*blockrelay;
	struct txrelay		*txrelay;
	struct identity		*identity;	/* NULL: node.identity off */
	struct idserve		*idserve;
	struct rpc_server	*rpc;
	struct rpc_server	*metrics;	/* node.metrics_listen; NULL: none */
	struct rpc_method	*methods;	/* the node's and the chain's, owned */
	struct upnp		*upnp;
	struct natpmp		*natpmp;
	struct rpc_node		 rpcctx;

	int64_t			 last_addrman_save;	/* monotonic seconds */
	int64_t			 last_ban_save;
	uint64_t		 addrman_saved;		/* addrman_changes then */
	int64_t			 addrman_dirty_since;	/* 0: clean */
	bool			 addrman_saved_change;	/* a change was saved */
};

static char *
node_path(const struct node *n, const char *file)
{
	return xasprintf("%s/%s", n->datadir, file);
}

static void
node_save_addrman(struct node *n)
{
	char *path = node_path(n, "peers.dat"), err[256];

	if (addrman_save(n->addrman, path, err, sizeof(err)) == -1)
		log_error("node", "saving the address book: %s", err);
	else
		log_debug("node", "saved %zu addresses to %s", addrman_size(n->addrman), path);
	free(path);
}

static void
node_save_banman(struct node *n)
{
	char *path = node_path(n, "banlist.json"), err[256];

	if (banman_save(n->banman, path, err, sizeof(err)) == -1)
		log_error("node", "saving the ban list: %s", err);
	free(path);
}

/* --- periodic work ----------------------------------------------------------- */

static void
node_tick_peers(void *arg, int64_t now_ms)
{
	struct node *n = arg;

	connman_tick(n->connman, now_ms);
	bootstrap_tick(n->bootstrap, now_ms / 1000);
}

static void
node_tick_state(void *arg, int64_t now_ms)
{
	struct node *n = arg;
	int64_t now = now_ms / 1000;

	log_flush_suppressed();
	if (banman_sweep(n->banman, clock_wall()) > 0 || (banman_is_dirty(n->banman) &&
	    now - n->last_ban_save >= NODE_BANMAN_SAVE_INTERVAL)) {
		node_save_banman(n);
		n->last_ban_save = now;
	}
	if (addrman_changes(n->addrman) != n->addrman_saved && n->addrman_dirty_since == 0)
		n->addrman_dirty_since = now;
	if ((n->addrman_dirty_since != 0 && now - n->addrman_dirty_since >= NODE_ADDRMAN_SAVE_DELAY &&
	    (!n->addrman_saved_change || now - n->last_addrman_save >= NODE_ADDRMAN_SAVE_MIN)) ||
	    now - n->last_addrman_save >= NODE_ADDRMAN_SAVE_INTERVAL) {
		n->addrman_saved_change |= n->addrman_dirty_since != 0;
		n->addrman_saved = addrman_changes(n->addrman);
		n->addrman_dirty_since = 0;
		node_save_addrman(n);
		n->last_addrman_save = now;
	}
}

static void
node_tick_txrelay(void *arg, int64_t now_ms)
{
	struct node *n = arg;

	txrelay_tick(n->txrelay, now_ms);
}

static void
node_tick_chain(void *arg, int64_t now_ms)
{
	struct node *n = arg;

	(void)now_ms;
	chain_sync(n->chain);
	mempool_expire(n->mempool, clock_wall_ms());
	/* Reap what --block-notify started. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* --block-notify: run the operator's command with the new tip's hash. */
static void
node_block_notify(void *arg, const struct chain_entry *tip)
{
	struct node *n = arg;
	const char *cmd = n->cfg->chain.block_notify;
	char hex[U256_HEX_LEN], *line;
	pid_t pid;

	if (cmd == NULL || *cmd == '\0')
		return;
	u256_hash_to_hex(tip->hash, hex);
	line = str_replace_all(cmd, "%s", hex);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	if (pid == -1)
		log_warn("chain", "cannot run block-notify: %s", strerror(errno));
	free(line);
}

static void
node_request_stop(void *arg)
{
	struct node *n = arg;

	if (proc_exiting(n->proc))
		return;
	connman_stop(n->connman);
	/* Give the flushing closes a moment, then leave the loop. */
	proc_exit(n->proc, NODE_STOP_FLUSH_MS);
}

static void
node_signal(int sig, void *arg)
{
	log_info("node", "signal %d: shutting down", sig);
	node_request_stop(arg);
}

/* --- start-up ------------------------------------------------------------------ */

static int
node_mkdir_p(const char *path, char *err, size_t errlen)
{
	char *copy = xstrdup(path);
	int rc = 0;

	for (char *s = copy + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(copy, 0700) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", copy, strerror(errno));
			rc = -1;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return rc;
}

/* Hold an exclusive lock on the datadir for the life of the process: two
 * nodes writing one address book would corrupt each other's state. */
static int
node_lock_datadir(struct node *n, char *err, size_t errlen)
{
	char *path = node_path(n, ".lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	free(path);
	if (fd == -1 || flock(fd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errlen, "cannot lock data directory %s: %s (is another agentnode "
		    "running on it?)", n->datadir, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	n->lock_fd = fd;	/* kept open (and locked) until exit */
	return 0;
}

/* An unusable state file is kept for inspection (and for whoever can
 * repair it) rather than overwritten by the next save. */
static void
node_move_aside(const char *path, const char *what, const char *why)
{
	char *bad = xasprintf("%s.bad", path);

	if (rename(path, bad) == 0)
		log_warn("node", "%s unusable, starting empty: %s; the file is kept as %s",
		    what, why, bad);
	else
		log_error("node", "%s unusable, starting empty: %s; cannot move it aside to %s "
		    "(%s), so the next save replaces it", what, why, bad, strerror(errno));
	free(bad);
}

/* A save killed half-way leaves FILE.tmp.<pid> behind; nobody else can be
 * writing here (we hold the datadir lock), so they are garbage (one of
 * the identity key is a secret lying about: gone too). */
static void
node_remove_stale(struct node *n)
{
	static const char *const files[] = {
		"peers.dat", "banlist.json", ".cookie", RPC_ENDPOINT_FILE, IDENTITY_FILE,
	};
	char err[256];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = node_path(n, files[i]);
		int removed = atomicfile_remove_stale(path, err, sizeof(err));

		if (removed > 0)
			log_info("node", "removed %d stale temporary file%s of %s (interrupted "
			    "saves)", removed, removed == 1 ? "" : "s", files[i]);
		else if (removed == -1)
			log_warn("node", "%s", err);
		free(path);
	}
}

static void
node_load_state(struct node *n)
{
	bool allow_private = n->cfg->params->allow_private;
	char *path, err[256];
	size_t skipped;

	node_remove_stale(n);
	path = node_path(n, "peers.dat");
	n->addrman = addrman_load(path, allow_private, err, sizeof(err));
	if (n->addrman == NULL) {
		if (errno != ENOENT)
			node_move_aside(path, "address book", err);
		n->addrman = addrman_new(allow_private, NULL);
	} else {
		log_info("node", "loaded %zu addresses from %s", addrman_size(n->addrman), path);
	}
	free(path);
	path = node_path(n, "banlist.json");
	n->banman = banman_new();
	if (banman_load(n->banman, path, clock_wall(), err, sizeof(err)) == -1) {
		node_move_aside(path, "ban list", err);
	} else if ((skipped = banman_load_skipped(n->banman, NULL, 0)) > 0) {
		/* Keep the original for repair; save the good entries now. */
		char *bad = xasprintf("%s.bad", path);
		unlink(bad);
		if (link(path, bad) == 0)
			log_warn("node", "ban list: %zu bad entr%s skipped, %zu bans kept; the "
			    "original is kept as %s", skipped, skipped == 1 ? "y" : "ies",
			    banman_count(n->banman), bad);
		free(bad);
		node_save_banman(n);
	} else if (banman_count(n->banman) > 0) {
		log_info("node", "loaded %zu bans", banman_count(n->banman));
	}
	free(path);
}

/* The identity key (node.identity): loaded, or made on first start.  A
 * key file that exists but cannot be used stops the start: replacing it
 * would throw away the identity an observer knows this node by. */
static int
node_open_identity(struct node *n, char *err, size_t errlen)
{
	bool created;

	if (!n->cfg->node.identity) {
		log_info("node", "identity off (node.identity: false): no key, no proofs");
		return 0;
	}
	n->identity = identity_open(n->datadir, n->cfg->node.reward_address, &created,
	    err, errlen);
	if (n->identity == NULL)
		return -1;
	log_info("node", "%s identity %s%s%s", created ? "created" : "loaded",
	    identity_pubkey_hex(n->identity), *identity_reward(n->identity) != '\0' ?
	    ", reward address " : "", identity_reward(n->identity));
	return 0;
}

/* The port we accept peers on: the first listen address's. */
static uint16_t
node_listen_port(const struct node *n)
{
	struct netaddr a;

	if (n->cfg->node.listen.n > 0 &&
	    netaddr_parse(n->cfg->node.listen.v[0], n->cfg->network.p2p_port, &a) == 0)
		return a.port;
	return (uint16_t)n->cfg->network.p2p_port;
}

static void
node_upnp_cb(void *arg, const struct upnp_status *st)
{
	struct node *n = arg;
	struct netaddr a;

	if (st->state == UPNP_MAPPED && st->has_external) {
		a = st->external;
		a.port = node_listen_port(n);
		connman_set_local_addr(n->connman, &a);
	}
}

/* Advertise what the gateway assigned; an IPv4 address wins over the
 * address of an IPv6 pinhole. */
static void
node_natpmp_cb(void *arg, const struct natpmp_status *st)
{
	struct node *n = arg;
	struct netaddr cur;

	if (st->state != NATPMP_MAPPED || !st->has_external ||
	    (st->family == NATPMP_IPV6 && connman_local_addr(n->connman, &cur) &&
	    netaddr_is_ipv4(&cur)))
		return;
	connman_set_local_addr(n->connman, &st->external);
}

/* PCP/NAT-PMP for the families we listen on, at the configured gateways
 * (the first of each family) or the default routes'. */
static struct natpmp *
node_natpmp_start(struct node *n)
{
	const struct config *cfg = n->cfg;
	struct natpmp_opts o = { .port = node_listen_port(n),
	    .lease = (uint32_t)cfg->node.natpmp_lease,
	    .allow_private = cfg->params->allow_private };
	struct netaddr a;

	for (size_t i = 0; i < cfg->node.listen.n; i++) {
		if (netaddr_parse(cfg->node.listen.v[i], 1, &a) != 0)
			continue;
		if (netaddr_is_ipv4(&a))
			o.ipv4 = true;
		else
			o.ipv6 = true;
	}
	for (size_t i = 0; i < cfg->node.natpmp_gateway.n; i++) {
		if (netaddr_parse(cfg->node.natpmp_gateway.v[i], NATPMP_SERVER_PORT, &a) != 0)
			continue;
		if (netaddr_is_ipv4(&a) && !o.has_gateway4) {
			o.gateway4 = a;
			o.has_gateway4 = true;
		} else if (!netaddr_is_ipv4(&a) && !o.has_gateway6) {
			o.gateway6 = a;
			o.has_gateway6 = true;
		}
	}
	return o.ipv4 || o.ipv6 ? natpmp_start(proc_base(n->proc), &o, node_natpmp_cb, n) : NULL;
}

/* The message layer and its handlers, on top of connman. */
static int
node_start_layers(struct node *n, char *err, size_t errlen)
{
	const struct config *cfg = n->cfg;
	char user_agent[64];
	struct connman_opts co = {
		.base = proc_base(n->proc), .cfg = cfg, .addrman = n->addrman,
		.banman = n->banman, .geoip = n->geoip, .resolver = n->resolver,
	};
	struct peerman_opts po = {
		.cfg = cfg, .banman = n->banman, .repmem = n->repmem, .user_agent = user_agent,
		/* Both now true: we serve blocks and relay transactions. */
		.services = NODE_NETWORK | NODE_RELAY | (cfg->node.seed ? NODE_SEED : 0) |
		    (cfg->network.transport != CONN_TRANSPORT_V1 ? NODE_P2P_V2 : 0) |
		    (n->identity != NULL ? NODE_IDENTITY : 0),
	};

	snprintf(user_agent, sizeof(user_agent), "/agentnode:%s/", AGENTCHAIN_VERSION);
	n->connman = connman_new(&co);
	po.connman = n->connman;
	n->peerman = peerman_new(&po);
	n->addrrelay = addrrelay_new(&(struct addrrelay_opts){ .cfg = cfg,
	    .addrman = n->addrman, .connman = n->connman, .peerman = n->peerman });
	n->bootstrap = bootstrap_new(&(struct bootstrap_opts){ .cfg = cfg,
	    .addrman = n->addrman, .connman = n->connman, .resolver = n->resolver });
	n->blockrelay = blockrelay_new(&(struct blockrelay_opts){ .cfg = cfg,
	    .chain = n->chain, .connman = n->connman, .peerman = n->peerman });
	n->txrelay = txrelay_new(&(struct txrelay_opts){ .cfg = cfg, .chain = n->chain,
	    .mempool = n->mempool, .connman = n->connman, .peerman = n->peerman });
	if (n->identity != NULL)
		n->idserve = idserve_new(&(struct idserve_opts){ .cfg = cfg,
		    .identity = n->identity, .connman = n->connman, .peerman = n->peerman });
	if (n->addrrelay == NULL || n->blockrelay == NULL || n->txrelay == NULL ||
	    (n->identity != NULL && n->idserve == NULL)) {
		snprintf(err, errlen, "cannot register the message handlers");
		return -1;
	}
	chain_add_listener(n->chain, &(struct chain_listener){ .arg = n,
	    .tip = node_block_notify });
	return connman_listen(n->connman, err, errlen);
}

static void
node_metrics(void *ctx, struct evbuffer *out)
{
	rpc_methods_metrics(ctx, out);
	rpc_chain_metrics(ctx, out);
}

/* Tell clients that know only the datadir where the RPC listens (the
 * address actually bound; a wildcard is reached through loopback). */
static void
node_write_endpoint(struct node *n)
{
	char *path = node_path(n, RPC_ENDPOINT_FILE), line[NETADDR_STRLEN + 2], err[256];
	struct netaddr a;

	if (netaddr_parse(n->cfg->node.rpc_listen, n->cfg->network.rpc_port, &a) == -1)
		netaddr_parse("127.0.0.1", 0, &a);
	if (netaddr_is_any(&a))
		netaddr_parse(netaddr_is_ipv4(&a) ? "127.0.0.1" : "::1", 0, &a);
	a.port = rpc_server_port(n->rpc);
	netaddr_format(&a, line, sizeof(line) - 1);
	strcat(line, "\n");
	if (atomicfile_write(path, line, strlen(line), 0644, err, sizeof(err)) == -1)
		log_warn("rpc", "cannot record the RPC endpoint: %s", err);
	free(path);
}

static void
node_remove_endpoint(struct node *n)
{
	char *path = node_path(n, RPC_ENDPOINT_FILE);

	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("rpc", "cannot remove %s: %s", path, strerror(errno));
	free(path);
}

/* /metrics without the cookie, for a scraper that cannot follow a cookie
 * that changes at every start (node_exporter's model). */
static int
node_start_metrics(struct node *n, char *err, size_t errlen)
{
	const char *addr = n->cfg->node.metrics_listen;
	struct netaddr a;

	if (addr == NULL)
		return 0;
	if (netaddr_parse(addr, 0, &a) == 0 && netaddr_classify(&a) != NETADDR_LOOPBACK &&
	    !n->cfg->node.metrics_remote) {
		snprintf(err, errlen, "node.metrics_listen %s is not a loopback address and "
		    "/metrics there has no authentication; set node.metrics_remote: true to "
		    "serve it anyway", addr);
		return -1;
	}
	n->metrics = rpc_server_new_metrics(proc_base(n->proc), addr, node_metrics,
	    &n->rpcctx, err, errlen);
	return n->metrics != NULL ? 0 : -1;
}

static int
node_start_rpc(struct node *n, char *err, size_t errlen)
{
	char *cookie = node_path(n, ".cookie");

	size_t nm = rpc_methods_count(), nc = rpc_chain_count();

	n->rpcctx = (struct rpc_node){
		.cfg = n->cfg, .addrman = n->addrman, .banman = n->banman,
		.connman = n->connman, .peerman = n->peerman, .addrrelay = n->addrrelay,
		.bootstrap = n->bootstrap,
		.chain = n->chain, .mempool = n->mempool, .blockrelay = n->blockrelay,
		.txrelay = n->txrelay, .identity = n->identity, .idserve = n->idserve,
		.start_mono = clock_mono_ms() / 1000, .stop = node_request_stop, .stop_arg = n,
	};
	n->methods = xcalloc(nm + nc, sizeof(*n->methods));
	memcpy(n->methods, rpc_methods_table(), nm * sizeof(*n->methods));
	memcpy(n->methods + nm, rpc_chain_table(), nc * sizeof(*n->methods));
	n->rpc = rpc_server_new(proc_base(n->proc), n->cfg->node.rpc_listen, cookie,
	    n->methods, nm + nc, &n->rpcctx, err, errlen);
	free(cookie);
	if (n->rpc == NULL)
		return -1;
	rpc_server_set_metrics(n->rpc, node_metrics, &n->rpcctx);
	node_write_endpoint(n);
	return node_start_metrics(n, err, errlen);
}

static int
node_start(struct node *n, const struct config_strlist *seed_nodes, char *err, size_t errlen)
{
	const struct config *cfg = n->cfg;
	char *path;

	/* Peers are file descriptors: max_peers plus listeners, RPC, state. */
	proc_raise_fd_limit("node", (long)cfg->network.max_peers + 64);
	if (node_mkdir_p(n->datadir, err, errlen) == -1 ||
	    node_lock_datadir(n, err, errlen) == -1)
		return -1;
	node_load_state(n);
	if (node_open_identity(n, err, errlen) == -1)
		return -1;
	n->last_addrman_save = n->last_ban_save = clock_mono_ms() / 1000;
	n->repmem = repmem_new();
	n->mempool = mempool_new(&(struct mempool_opts){
	    .max_bytes = (size_t)cfg->chain.mempool_mb * 1024 * 1024,
	    .expiry = (int64_t)cfg->chain.mempool_expiry * 3600 });
	path = node_path(n, "blocks");
	n->chain = chain_open(cfg->params, path, err, errlen);
	free(path);
	if (n->chain == NULL)
		return -1;
	log_info("chain", "tip %d, best header %d", chain_tip(n->chain)->height,
	    chain_best_header(n->chain)->height);
	if (cfg->node.geoip_db != NULL || cfg->node.asn_db != NULL) {
		n->geoip = geoip_open(cfg->node.geoip_db, cfg->node.asn_db, err, errlen);
		if (n->geoip == NULL)
			return -1;
	}
	n->resolver = resolver_new(proc_base(n->proc), cfg->node.dns_server, err, errlen);
	if (n->resolver == NULL)
		log_warn("node", "DNS resolver unavailable: %s", err);
	if (node_start_layers(n, err, errlen) == -1)
		return -1;
	for (size_t i = 0; seed_nodes != NULL && i < seed_nodes->n; i++)
		if (connman_add_manual(n->connman, seed_nodes->v[i], err, errlen) == -1)
			return -1;
	if (node_start_rpc(n, err, errlen) == -1)
		return -1;
	if (cfg->node.upnp)
		n->upnp = upnp_start(proc_base(n->proc), node_listen_port(n), node_listen_port(n),
		    3600, NULL, NULL, node_upnp_cb, n);
	if (cfg->node.natpmp)
		n->rpcctx.natpmp = n->natpmp = node_natpmp_start(n);
	/* The first dials go out at once: a second's wait at start is a second
	 * of sync lost for every restart. */
	proc_task_add(n->proc, "peers", 1000, 0, node_tick_peers, n);
	proc_task_add(n->proc, "state", 1000, 1000, node_tick_state, n);
	proc_task_add(n->proc, "txrelay", NODE_TXRELAY_TICK_MS, NODE_TXRELAY_TICK_MS,
	    node_tick_txrelay, n);
	proc_task_add(n->proc, "chain", 1000, 1000, node_tick_chain, n);
	return 0;
}

/* Take down in the reverse order of node_start.  The resolver goes before
 * the modules whose look-ups it may still hold (manual nodes, bootstrap). */
static void
node_stop(struct node *n)
{
	if (n->upnp != NULL)
		upnp_stop(n->upnp);
	natpmp_stop(n->natpmp);
	if (n->addrman != NULL)
		node_save_addrman(n);
	if (n->banman != NULL)
		node_save_banman(n);
	rpc_server_free(n->metrics);
	if (n->rpc != NULL) {
		rpc_server_free(n->rpc);
		node_remove_endpoint(n);
	}
	resolver_free(n->resolver);
	bootstrap_free(n->bootstrap);
	/* connman hands its peers' state back to peerman and its handlers. */
	connman_free(n->connman);
	idserve_free(n->idserve);
	txrelay_free(n->txrelay);
	blockrelay_free(n->blockrelay);
	addrrelay_free(n->addrrelay);
	peerman_free(n->peerman);
	chain_close(n->chain);
	mempool_free(n->mempool);
	free(n->methods);
	if (n->geoip != NULL)
		geoip_close(n->geoip);
	repmem_free(n->repmem);
	identity_free(n->identity);
	if (n->addrman != NULL)
		addrman_free(n->addrman);
	if (n->banman != NULL)
		banman_free(n->banman);
	if (n->lock_fd >= 0)
		close(n->lock_fd);
	free(n->datadir);
}

int
node_run(const struct config *cfg, const struct config_strlist *seed_nodes)
{
	struct node n;
	char err[512];
	int rc = 0;

	memset(&n, 0, sizeof(n));
	n.cfg = cfg;
	n.datadir = xstrdup(cfg->node.datadir);
	n.lock_fd = -1;
	if (hash_init() == -1) {
		log_error("node", "libsodium failed to initialise");
		free(n.datadir);
		return 1;
	}
	/* libevent's own complaints (accept() failing, say) go through our
	 * log and its rate limit, not straight to stderr. */
	log_route_libevent();
	if ((n.proc = proc_new("node")) == NULL) {
		free(n.datadir);
		return 1;
	}
	if (node_start(&n, seed_nodes, err, sizeof(err)) == -1) {
		log_error("node", "%s", err);
		rc = 1;
	} else {
		log_info("node", "agentnode %s on %s, data in %s", AGENTCHAIN_VERSION,
		    cfg->params->name, n.datadir);
		proc_signal(n.proc, SIGINT, node_signal, &n);
		proc_signal(n.proc, SIGTERM, node_signal, &n);
		proc_run(n.proc);
		log_info("node", "stopped");
	}
	node_stop(&n);
	proc_free(n.proc);
	return rc;
}
