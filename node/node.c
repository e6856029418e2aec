/* node.c -- the running agentnode: start-up, the once-a-second tick, shutdown.
 *
 * One event_base drives everything (tmux proc.c): sockets, the RPC server,
 * DNS look-ups, UPnP results and signals.  Periodic work hangs off a single
 * one-second timer with per-task periods, as redis serverCron does. */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "addrman.h"
#include "addrrelay.h"
#include "banman.h"
#include "bootstrap.h"
#include "connman.h"
#include "geoip.h"
#include "hash.h"
#include "log.h"
#include "peer.h"
#include "repmem.h"
#include "resolver.h"
#include "rnd.h"
#include "rpc_methods.h"
#include "rpc_server.h"
#include "upnp.h"
#include "version.h"
#include "xmalloc.h"

#define NODE_ADDRMAN_SAVE_INTERVAL	(15 * 60)
#define NODE_BANMAN_SAVE_INTERVAL	60
#define NODE_STOP_FLUSH_MS		300

int64_t
node_now_ms(const struct node *n)
{
	struct timeval tv;

	event_base_gettimeofday_cached(n->base, &tv);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int64_t
node_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
node_now(const struct node *n)
{
	return node_now_ms(n) / 1000;
}

char *
node_datadir_path(const struct node *n, const char *file)
{
	return xasprintf("%s/%s", n->datadir, file);
}

bool
node_addr_usable(const struct node *n, const struct netaddr *addr)
{
	return netaddr_is_valid_peer(addr, n->params->allow_private) &&
	    !banman_is_banned(n->banman, addr, node_now(n));
}

static void
node_save_addrman(struct node *n)
{
	char *path = node_datadir_path(n, "peers.dat"), err[256];

	if (addrman_save(n->addrman, path, err, sizeof(err)) == -1)
		log_error("node", "saving the address book: %s", err);
	free(path);
}

static void
node_save_banman(struct node *n)
{
	char *path = node_datadir_path(n, "banlist.json"), err[256];

	if (banman_save(n->banman, path, err, sizeof(err)) == -1)
		log_error("node", "saving the ban list: %s", err);
	free(path);
}

static void
node_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;
	struct peer *p, *next;
	int64_t now_ms = node_now_ms(n), now = now_ms / 1000;

	(void)fd;
	(void)what;
	if (n->stopping)
		return;
	for (p = TAILQ_FIRST(&n->peers); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);	/* p may be freed */
		peer_tick(p, now_ms);
	}
	bootstrap_tick(n, now);
	connman_tick(n->connman, now_ms);
	if (banman_sweep(n->banman, now) > 0 || (banman_is_dirty(n->banman) &&
	    now - n->last_ban_save >= NODE_BANMAN_SAVE_INTERVAL)) {
		node_save_banman(n);
		n->last_ban_save = now;
	}
	if (now - n->last_addrman_save >= NODE_ADDRMAN_SAVE_INTERVAL) {
		node_save_addrman(n);
		n->last_addrman_save = now;
	}
}

static void
node_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	peer_reap(arg);
}

static void
node_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	log_info("node", "signal %d: shutting down", (int)sig);
	node_request_stop(arg);
}

void
node_request_stop(struct node *n)
{
	struct timeval tv = { 0, NODE_STOP_FLUSH_MS * 1000 };
	struct peer *p, *next;

	if (n->stopping)
		return;
	n->stopping = true;
	for (p = TAILQ_FIRST(&n->peers); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		peer_disconnect(p, "shutting down", true);
	}
	/* Give the flushing closes a moment, then leave the loop. */
	event_base_loopexit(n->base, &tv);
}

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
	char *path = node_datadir_path(n, ".lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	free(path);
	if (fd == -1 || flock(fd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errlen, "cannot lock data directory %s: %s (is another agentnode "
		    "running on it?)", n->datadir, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;	/* kept open (and locked) until exit */
}

static void
node_load_state(struct node *n)
{
	char *path, err[256];
	int64_t now = node_now(n);

	path = node_datadir_path(n, "peers.dat");
	n->addrman = addrman_load(path, n->params->allow_private, err, sizeof(err));
	if (n->addrman == NULL) {
		if (access(path, F_OK) == 0)
			log_warn("node", "address book unusable, starting empty: %s", err);
		n->addrman = addrman_new(n->params->allow_private, NULL);
	} else {
		log_info("node", "loaded %zu addresses from %s", addrman_size(n->addrman), path);
	}
	free(path);
	path = node_datadir_path(n, "banlist.json");
	n->banman = banman_new();
	if (banman_load(n->banman, path, now, err, sizeof(err)) == -1)
		log_warn("node", "ban list unusable, starting empty: %s", err);
	else if (banman_count(n->banman) > 0)
		log_info("node", "loaded %zu bans", banman_count(n->banman));
	free(path);
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

	if (st->state == UPNP_MAPPED && st->has_external) {
		n->external = st->external;
		n->external.port = node_listen_port(n);
		n->has_external = true;
	}
}

/* Our own reachable address: a specific, valid listen address. */
static void
node_pick_external(struct node *n)
{
	for (size_t i = 0; i < n->cfg->node.listen.n; i++) {
		struct netaddr a;
		if (netaddr_parse(n->cfg->node.listen.v[i], n->cfg->network.p2p_port, &a) == 0 &&
		    netaddr_is_valid_peer(&a, n->params->allow_private)) {
			n->external = a;
			n->has_external = true;
			return;
		}
	}
}

/* Peers are file descriptors: take the hard limit, and say so when even
 * that cannot hold max_peers plus listeners, RPC and state files. */
static void
node_raise_fd_limit(const struct config *cfg)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)cfg->network.max_peers + 64 > rl.rlim_cur)
		log_warn("node", "max_peers %d needs more file descriptors than the limit %llu; "
		    "raise it (ulimit -n) or connections will be refused", cfg->network.max_peers,
		    (unsigned long long)rl.rlim_cur);
}

static int
node_start(struct node *n, const struct config *cfg, const struct config_strlist *seed_nodes,
    char *err, size_t errlen)
{
	char *cookie;

	n->cfg = cfg;
	n->params = cfg->params;
	node_raise_fd_limit(cfg);
	n->datadir = xstrdup(cfg->node.datadir);
	n->start_time = node_now(n);
	n->last_addrman_save = n->start_time;
	TAILQ_INIT(&n->peers);
	TAILQ_INIT(&n->dead_peers);
	n->reap = event_new(n->base, -1, 0, node_reap_cb, n);
	n->services = NODE_NETWORK | NODE_RELAY | (cfg->node.seed ? NODE_SEED : 0);
	snprintf(n->user_agent, sizeof(n->user_agent), "/agentnode:%s/", AGENTCHAIN_VERSION);

	if (node_mkdir_p(n->datadir, err, errlen) == -1 ||
	    node_lock_datadir(n, err, errlen) == -1)
		return -1;
	node_load_state(n);
	n->repmem = repmem_new();
	rnd_bytes(n->addr_key, sizeof(n->addr_key));
	if (cfg->node.geoip_db != NULL || cfg->node.asn_db != NULL) {
		n->geoip = geoip_open(cfg->node.geoip_db, cfg->node.asn_db, err, errlen);
		if (n->geoip == NULL)
			return -1;
	}
	n->resolver = resolver_new(n->base, cfg->node.dns_server, err, errlen);
	if (n->resolver == NULL)
		log_warn("node", "DNS resolver unavailable: %s", err);
	n->connman = connman_new(n);
	if (connman_listen(n->connman, err, errlen) == -1)
		return -1;
	node_pick_external(n);
	for (size_t i = 0; seed_nodes != NULL && i < seed_nodes->n; i++)
		if (connman_add_manual(n->connman, seed_nodes->v[i], err, errlen) == -1)
			return -1;
	cookie = node_datadir_path(n, ".cookie");
	n->rpc = rpc_server_new(n->base, cfg->node.rpc_listen, cookie, rpc_methods_table(),
	    rpc_methods_count(), n, err, errlen);
	free(cookie);
	if (n->rpc == NULL)
		return -1;
	rpc_server_set_metrics(n->rpc, rpc_methods_metrics, n);
	if (cfg->node.upnp)
		n->upnp = upnp_start(n->base, node_listen_port(n), node_listen_port(n), 3600,
		    NULL, NULL, node_upnp_cb, n);
	return 0;
}

static void
node_stop(struct node *n)
{
	if (n->reap != NULL) {
		peer_reap(n);
		event_free(n->reap);
	}
	if (n->upnp != NULL)
		upnp_stop(n->upnp);
	if (n->addrman != NULL)
		node_save_addrman(n);
	if (n->banman != NULL)
		node_save_banman(n);
	if (n->rpc != NULL)
		rpc_server_free(n->rpc);
	connman_free(n->connman);
	if (n->resolver != NULL)
		resolver_free(n->resolver);
	if (n->geoip != NULL)
		geoip_close(n->geoip);
	repmem_free(n->repmem);
	addrrelay_free(n);
	if (n->addrman != NULL)
		addrman_free(n->addrman);
	if (n->banman != NULL)
		banman_free(n->banman);
	free(n->datadir);
}

int
node_run(const struct config *cfg, const struct config_strlist *seed_nodes)
{
	struct node n;
	struct timeval second = { 1, 0 };
	char err[512];
	int rc = 0;

	memset(&n, 0, sizeof(n));
	signal(SIGPIPE, SIG_IGN);
	if (hash_init() == -1) {
		log_error("node", "libsodium failed to initialise");
		return 1;
	}
	if ((n.base = event_base_new()) == NULL) {
		log_error("node", "cannot create the event loop");
		return 1;
	}
	if (node_start(&n, cfg, seed_nodes, err, sizeof(err)) == -1) {
		log_error("node", "%s", err);
		rc = 1;
		goto out;
	}
	log_info("node", "agentnode %s on %s, data in %s", AGENTCHAIN_VERSION,
	    n.params->name, n.datadir);
	n.tick = event_new(n.base, -1, EV_PERSIST, node_tick_cb, &n);
	event_add(n.tick, &second);
	n.sig_int = evsignal_new(n.base, SIGINT, node_signal_cb, &n);
	n.sig_term = evsignal_new(n.base, SIGTERM, node_signal_cb, &n);
	event_add(n.sig_int, NULL);
	event_add(n.sig_term, NULL);
	event_base_dispatch(n.base);
	log_info("node", "stopped");
	event_free(n.tick);
	event_free(n.sig_int);
	event_free(n.sig_term);
out:
	node_stop(&n);
	event_base_free(n.base);
	return rc;
}
