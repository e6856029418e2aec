/* connman.c -- connection manager: listeners, the peer table, outbound slots, feelers, manual nodes, eviction.
 *
 * Decides who we talk to.  Outbound peers are chosen by us and are the
 * ones an attacker most wants to control, so the rules are strict: one per
 * netgroup, never ourselves, never banned, spread across countries and
 * ASNs when GeoIP is known.  Inbound peers choose us; we bound them per IP
 * and, when full, evict by Bitcoin Core's protections (eviction.c).
 *
 * Peers are freed on the loop turn after their disconnect, never inside
 * a callback (redis freeClientAsync): whoever is up the stack of a
 * disconnect may still look at the peer. */
#include "connman.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/listener.h>

#include "addrman.h"
#include "banman.h"
#include "clock.h"
#include "config.h"
#include "conn.h"
#include "eviction.h"
#include "geoip.h"
#include "hash.h"
#include "listenguard.h"
#include "log.h"
#include "manual.h"
#include "map.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

#define CONNMAN_MAX_LISTEN	8
#define CONNMAN_MAX_SELF	16
/* Candidates drawn from the address book per slot to fill. */
#define CONNMAN_SELECT_TRIES	100
/* Candidates compared for country/ASN spread when GeoIP is known. */
#define CONNMAN_DIVERSITY_SAMPLE 8
/* Departures remembered for change tracking and their reasons. */
#define CONNMAN_GONE_MAX	4096
/* Addresses that met our v2 handshake with v1: dialled in v1 for a day
 * (then v2 is tried again: the node may have been upgraded), at most
 * this many remembered. */
#define CONNMAN_V1_ONLY_MAX	4096
#define CONNMAN_V1_ONLY_SECS	86400

struct connman_gone {
	uint64_t	id;
	uint64_t	version;
	char		reason[64];
};

TAILQ_HEAD(peer_list, peer);

struct connman {
	struct event_base	*base;
	const struct config	*cfg;
	const struct chainparams *params;
	struct addrman		*addrman;
	struct banman		*banman;
	struct geoip		*geoip;
	struct manual		*manual;
	const struct connman_io	*io;
	struct net_events	 ev;

	struct evconnlistener	*listener[CONNMAN_MAX_LISTEN];
	struct listenguard	*guard[CONNMAN_MAX_LISTEN];	/* out of descriptors */
	struct netaddr		 listen_addr[CONNMAN_MAX_LISTEN];
	size_t			 nlisten;
	struct netaddr		 self[CONNMAN_MAX_SELF];
	size_t			 nself;
	struct netaddr		 local;		/* advertised address */
	bool			 has_local;

	struct peer_list	 peers;
	struct peer_list	 dead;		/* disconnected, freed by REAP */
	struct event		*reap;
	uint64_t		 next_peer_id;

	uint64_t		 version;	/* change counter */
	struct connman_gone	*gone;		/* ring of CONNMAN_GONE_MAX */
	size_t			 gone_head, gone_n;

	uint8_t			 evict_key[HASH_SIPHASH_KEYLEN];
	int64_t			 next_feeler;	/* monotonic seconds */
	bool			 ever_connected;
	bool			 stopping;
	struct connman_stats	 stats;
	struct conn_proxy	*proxy;		/* network.proxy, made on first dial */
	char			*proxy_spec;	/* the value it was made from */
	/* struct netaddr -> until when (monotonic s, stored in the pointer):
	 * see CONNMAN_V1_ONLY_SECS. */
	struct map		*v1_only;
};

static void connman_listen_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg);
static const struct conn_cb connman_conn_cb;

/* --- the default transport: common/conn -------------------------------- */

/* v2 as configured, unless ADDR is remembered as v1-only. */
static enum conn_transport
connman_dial_transport(struct connman *cm, const struct netaddr *addr)
{
	enum conn_transport t = (enum conn_transport)cm->cfg->network.transport;
	void *until;

	if (t != CONN_TRANSPORT_V2 ||
	    (until = map_get(cm->v1_only, addr, sizeof(*addr))) == NULL)
		return t;
	if ((uintptr_t)until > (uintptr_t)(clock_mono_ms() / 1000))
		return CONN_TRANSPORT_V1;
	map_remove(cm->v1_only, addr, sizeof(*addr));
	return t;
}

/* P was reached in v1 after our v2 attempt: remember it. */
static void
connman_note_v1_only(struct connman *cm, const struct peer *p)
{
	struct conn_transport_info ti;
	uintptr_t until = (uintptr_t)(clock_mono_ms() / 1000) + CONNMAN_V1_ONLY_SECS;

	if (p->conn == NULL || cm->io->transport == NULL)
		return;
	cm->io->transport(p->conn, &ti);
	if (!ti.fell_back)
		return;
	/* Full: start afresh (the cost is one more v2 attempt per address). */
	if (map_count(cm->v1_only) >= CONNMAN_V1_ONLY_MAX)
		map_clear(cm->v1_only);
	map_put(cm->v1_only, &p->addr, sizeof(p->addr), (void *)until);
}

/* Blocks skip their frame checksum: their proof of work and merkle root
 * prove the bytes (FRAME_DEFER_BLOCK_CHECKSUM; blockrelay checks the
 * checksum of a block that fails). */
static struct conn *
connman_tcp_dial(void *io, const struct netaddr *addr, const struct netaddr *bind_ip,
    const struct conn_cb *cb, void *cbarg, char *err, size_t errlen)
{
	struct connman *cm = io;
	struct conn *c;
	const struct config *cfg = cm->cfg;
	struct conn_dial d = { .addr = addr, .bind_ip = bind_ip,
	    .timeout_ms = CONNMAN_CONNECT_TIMEOUT_MS };
	char host[NETADDR_HOSTLEN];
	struct netaddr num;
	uint16_t port;

	if (cfg->network.proxy != NULL) {
		if (cm->proxy == NULL || strcmp(cm->proxy_spec, cfg->network.proxy) != 0) {
			conn_proxy_free(cm->proxy);
			free(cm->proxy_spec);
			cm->proxy_spec = xstrdup(cfg->network.proxy);
			cm->proxy = conn_proxy_new(cfg->network.proxy, cfg->network.proxy_user,
			    cfg->network.proxy_password, err, errlen);
			if (cm->proxy == NULL)
				return NULL;
		}
		d.proxy = cm->proxy;
		/* A manual node given by name goes to the proxy by name. */
		for (size_t i = 0; i < manual_count(cm->manual); i++) {
			const struct manual_node *mn = manual_at(cm->manual, i);

			if (mn->resolved && netaddr_equal(&mn->addr, addr) &&
			    netaddr_split_hostport(mn->hostport, addr->port, host, &port) == 0 &&
			    netaddr_parse(host, port, &num) != 0) {
				d.host = host;
				d.port = addr->port;
				break;
			}
		}
	}
	c = conn_dial(cm->base, &d, cm->params->magic, cb, cbarg, err, errlen);
	if (c != NULL) {
		conn_defer_block_checksum(c);
		conn_set_transport(c, connman_dial_transport(cm, addr));
	}
	return c;
}

static struct conn *
connman_tcp_accept(void *io, int fd, const struct netaddr *addr, const struct conn_cb *cb,
    void *cbarg)
{
	struct connman *cm = io;
	struct conn *c = conn_accept(cm->base, fd, addr, cm->params->magic, cb, cbarg);

	if (c != NULL) {
		conn_defer_block_checksum(c);
		conn_set_transport(c, (enum conn_transport)cm->cfg->network.transport);
	}
	return c;
}

static const struct connman_io connman_tcp_io = {
	.dial = connman_tcp_dial,
	.accept = connman_tcp_accept,
	.send = conn_send,
	.close = conn_close,
	.stats = conn_stats,
	.sendq = conn_sendq,
	.set_max_payload = conn_set_max_payload,
	.transport = conn_get_transport,
	.end_reason = conn_end_reason,
	.proxy_fault = conn_proxy_fault,
	.local_addr = conn_local_addr,
};

/* --- private networks ----------------------------------------------------- */

int
connman_private_net(const struct netaddr *a)
{
	static const uint8_t v6loop[16] = { [15] = 1 };
	uint32_t v4;

	if (netaddr_is_ipv4(a)) {
		v4 = (uint32_t)a->ip[12] << 24 | (uint32_t)a->ip[13] << 16 |
		    (uint32_t)a->ip[14] << 8 | a->ip[15];
		if ((v4 >> 24) == 10)
			return 1;			/* 10/8 */
		if ((v4 >> 20) == 0xac1)
			return 2;			/* 172.16/12 */
		if ((v4 >> 16) == 0xc0a8)
			return 3;			/* 192.168/16 */
		if ((v4 >> 22) == (0x64400000u >> 22))
			return 4;			/* 100.64/10 (CGNAT) */
		if ((v4 >> 24) == 127)
			return 5;			/* loopback */
		return 0;
	}
	if (memcmp(a->ip, v6loop, 16) == 0)
		return 6;
	if ((a->ip[0] & 0xfe) == 0xfc)
		return 7;				/* fc00::/7 (ULA) */
	return 0;
}

bool
connman_same_private_net(const struct netaddr *a, const struct netaddr *b)
{
	int n = connman_private_net(a);

	return n != 0 && n == connman_private_net(b);
}

/* The netgroup connman uses: the network's policy, except that on mainnet
 * a private or loopback address (a LAN network) is a group of its own
 * host, as on regtest, or a whole LAN would share one outbound slot. */
static void
connman_netgroup(const struct connman *cm, const struct netaddr *a,
    uint8_t out[NETADDR_GROUPLEN])
{
	netaddr_netgroup_policy(a, cm->params->allow_private || connman_private_net(a) != 0, out);
}

/* Is A one we may dial and relay here (bans aside)?  Routable ones on
 * every network; private and loopback ones on regtest, and elsewhere only
 * on a private network we are on (a peer of ours is in it). */
static bool
connman_addr_allowed(const struct connman *cm, const struct netaddr *a)
{
	struct peer *p;

	if (netaddr_is_valid_peer(a, cm->params->allow_private))
		return true;
	if (a->port == 0 || connman_private_net(a) == 0)
		return false;
	TAILQ_FOREACH(p, &cm->peers, entry)
		if (connman_same_private_net(&p->addr, a))
			return true;
	return false;
}

/* --- life cycle -------------------------------------------------------- */

static void
connman_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	connman_reap(arg);
}

struct connman *
connman_new(const struct connman_opts *o)
{
	struct connman *cm = xcalloc(1, sizeof(*cm));

	cm->base = o->base;
	cm->cfg = o->cfg;
	cm->params = o->cfg->params;
	cm->addrman = o->addrman;
	cm->banman = o->banman;
	cm->geoip = o->geoip;
	cm->io = o->io != NULL ? o->io : &connman_tcp_io;
	cm->manual = manual_new(o->resolver, (uint16_t)o->cfg->network.p2p_port);
	TAILQ_INIT(&cm->peers);
	TAILQ_INIT(&cm->dead);
	cm->reap = event_new(cm->base, -1, 0, connman_reap_cb, cm);
	cm->gone = xcalloc(CONNMAN_GONE_MAX, sizeof(*cm->gone));
	cm->v1_only = map_new();
	rnd_bytes(cm->evict_key, sizeof(cm->evict_key));
	cm->next_feeler = clock_mono_ms() / 1000 + CONNMAN_FEELER_INTERVAL;
	return cm;
}

void
connman_set_events(struct connman *cm, const struct net_events *ev)
{
	cm->ev = *ev;
}

void
connman_free(struct connman *cm)
{
	struct peer *p;

	if (cm == NULL)
		return;
	for (size_t i = 0; i < cm->nlisten; i++) {
		listenguard_free(cm->guard[i]);
		evconnlistener_free(cm->listener[i]);
	}
	while ((p = TAILQ_FIRST(&cm->peers)) != NULL) {
		TAILQ_REMOVE(&cm->peers, p, entry);
		if (p->conn != NULL)
			cm->io->close(p->conn, false);
		TAILQ_INSERT_TAIL(&cm->dead, p, entry);
	}
	connman_reap(cm);
	event_free(cm->reap);
	manual_free(cm->manual);
	conn_proxy_free(cm->proxy);
	free(cm->proxy_spec);
	free(cm->gone);
	map_free(cm->v1_only);
	free(cm);
}

void
connman_stop(struct connman *cm)
{
	struct peer *p;

	cm->stopping = true;
	while ((p = TAILQ_FIRST(&cm->peers)) != NULL)
		connman_disconnect(cm, p, "shutting down", true);
}

/* --- the peer table ---------------------------------------------------- */

static struct peer *
connman_peer_new(struct connman *cm, const struct netaddr *addr, enum peer_dir dir,
    enum peer_kind kind)
{
	struct peer *p = xcalloc(1, sizeof(*p));
	struct geoip_info gi;

	p->id = ++cm->next_peer_id;
	p->cm = cm;
	p->addr = *addr;
	connman_netgroup(cm, addr, p->netgroup);
	p->dir = dir;
	p->kind = kind;
	p->connected_ms = clock_wall_ms();
	p->connected_mono_ms = clock_mono_ms();
	p->min_ping_ms = -1;
	p->changed = ++cm->version;
	if (cm->geoip != NULL && geoip_lookup(cm->geoip, addr, &gi) == 0) {
		str_copy(p->country, gi.country, sizeof(p->country));
		p->asn = gi.asn;
	}
	TAILQ_INSERT_TAIL(&cm->peers, p, entry);
	return p;
}

struct peer *
connman_peer_first(const struct connman *cm)
{
	return TAILQ_FIRST(&cm->peers);
}

struct peer *
connman_peer_next(const struct peer *p)
{
	return TAILQ_NEXT(p, entry);
}

struct peer *
connman_peer_find(const struct connman *cm, uint64_t id)
{
	struct peer *p;

	TAILQ_FOREACH(p, &cm->peers, entry)
		if (p->id == id)
			return p;
	return NULL;
}

const struct conn_stats *
connman_peer_stats(const struct connman *cm, const struct peer *p)
{
	static const struct conn_stats none;

	return p->conn != NULL ? cm->io->stats(p->conn) : &none;
}

void
connman_peer_transport(const struct connman *cm, const struct peer *p,
    struct conn_transport_info *out)
{
	memset(out, 0, sizeof(*out));
	if (p->conn != NULL && cm->io->transport != NULL)
		cm->io->transport(p->conn, out);
}

int
connman_peer_local_addr(const struct connman *cm, const struct peer *p, struct netaddr *out)
{
	if (p->conn == NULL || cm->io->local_addr == NULL)
		return -1;
	return cm->io->local_addr(p->conn, out);
}

size_t
connman_peer_sendq(const struct connman *cm, const struct peer *p)
{
	return p->conn != NULL && cm->io->sendq != NULL ? cm->io->sendq(p->conn) : 0;
}

static void
connman_touch(struct connman *cm, struct peer *p)
{
	p->changed = ++cm->version;
}

int
connman_send(struct connman *cm, struct peer *p, const struct msg *m)
{
	if (p->gone || p->conn == NULL)
		return -1;
	connman_touch(cm, p);
	return cm->io->send(p->conn, m);
}

/* Remember that P left, and why, for change tracking and RPC. */
static void
connman_note_gone(struct connman *cm, const struct peer *p, const char *reason)
{
	struct connman_gone *g = &cm->gone[cm->gone_head];

	g->id = p->id;
	g->version = ++cm->version;
	str_copy(g->reason, reason, sizeof(g->reason));
	cm->gone_head = (cm->gone_head + 1) % CONNMAN_GONE_MAX;
	if (cm->gone_n < CONNMAN_GONE_MAX)
		cm->gone_n++;
}

uint64_t
connman_version(const struct connman *cm)
{
	return cm->version;
}

long
connman_removed_since(const struct connman *cm, uint64_t since, uint64_t *out, size_t max)
{
	size_t oldest = (cm->gone_head + CONNMAN_GONE_MAX - cm->gone_n) % CONNMAN_GONE_MAX;
	size_t n = 0;

	/* A full ring may have dropped departures newer than SINCE. */
	if (cm->gone_n == CONNMAN_GONE_MAX && cm->gone[oldest].version > since)
		return -1;
	for (size_t i = 0; i < cm->gone_n; i++) {
		const struct connman_gone *g = &cm->gone[(oldest + i) % CONNMAN_GONE_MAX];
		if (g->version > since && n < max)
			out[n++] = g->id;
	}
	return (long)n;
}

const char *
connman_gone_reason(const struct connman *cm, uint64_t id, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < cm->gone_n; i++)
		if (cm->gone[i].id == id) {
			str_copy(buf, cm->gone[i].reason, len);
			break;
		}
	return buf;
}

void
connman_disconnect(struct connman *cm, struct peer *p, const char *reason, bool flush)
{
	const struct conn_stats *st;
	char who[96];

	if (p->gone)
		return;
	log_info("net", "disconnect %s: %s", peer_str(p, who, sizeof(who)), reason);
	st = cm->io->stats(p->conn);
	cm->stats.bytes_recv_closed += st->bytes_recv;
	cm->stats.bytes_sent_closed += st->bytes_sent;
	/* Out of the table first: whatever the message layer does on hearing
	 * of it (hand its requests to other peers) must not pick P again. */
	p->gone = true;
	TAILQ_REMOVE(&cm->peers, p, entry);
	TAILQ_INSERT_TAIL(&cm->dead, p, entry);
	if (p->active && p->dir == PEER_OUTBOUND)
		addrman_connected(cm->addrman, &p->addr, clock_wall());
	manual_peer_gone(cm->manual, p->id, p->active, clock_mono_ms() / 1000);
	if (cm->ev.peer_gone != NULL)
		cm->ev.peer_gone(cm->ev.arg, p, reason);
	connman_note_gone(cm, p, reason);
	cm->io->close(p->conn, flush);
	p->conn = NULL;
	event_active(cm->reap, EV_TIMEOUT, 0);
}

void
connman_reap(struct connman *cm)
{
	struct peer *p;

	while ((p = TAILQ_FIRST(&cm->dead)) != NULL) {
		TAILQ_REMOVE(&cm->dead, p, entry);
		if (cm->ev.peer_free != NULL)
			cm->ev.peer_free(cm->ev.arg, p);
		free(p);
		/* Its descriptor is (about to be) free: a listener paused for
		 * lack of them may accept again. */
		listenguard_kick_all();
	}
}

void
connman_peer_max_payload(struct connman *cm, struct peer *p, uint32_t max)
{
	if (p->conn != NULL && cm->io->set_max_payload != NULL)
		cm->io->set_max_payload(p->conn, max);
}

/* --- what the connection reports -------------------------------------- */

static void
connman_on_connected(struct conn *c, void *arg)
{
	struct peer *p = arg;
	struct connman *cm = p->cm;

	(void)c;
	p->connected_ms = clock_wall_ms();
	p->connected_mono_ms = clock_mono_ms();
	if (cm->ev.peer_connected != NULL)
		cm->ev.peer_connected(cm->ev.arg, p);
}

static void
connman_on_message(struct conn *c, struct msg *m, void *arg)
{
	struct peer *p = arg;

	(void)c;
	connman_touch(p->cm, p);
	if (p->cm->ev.message != NULL)
		p->cm->ev.message(p->cm->ev.arg, p, m);
}

static void
connman_on_bad_frame(struct conn *c, enum msg_err err, uint8_t type, void *arg)
{
	struct peer *p = arg;

	(void)c;
	if (p->cm->ev.bad_frame != NULL)
		p->cm->ev.bad_frame(p->cm->ev.arg, p, err, type, false);
}

static void
connman_on_drained(struct conn *c, void *arg)
{
	struct peer *p = arg;

	(void)c;
	if (p->cm->ev.peer_drained != NULL && !p->gone)
		p->cm->ev.peer_drained(p->cm->ev.arg, p);
}

static void
connman_on_unknown(struct conn *c, uint8_t type, uint32_t len, void *arg)
{
	struct peer *p = arg;

	(void)c;
	if (p->cm->ev.unknown != NULL)
		p->cm->ev.unknown(p->cm->ev.arg, p, type, len);
}

/* An outbound dial that never reached a peer speaking to us. */
static void
connman_outbound_failed(struct connman *cm, struct peer *p, const char *why)
{
	cm->stats.outbound_failures++;
	manual_peer_failed(cm->manual, p->id, why);
}

static void
connman_on_ended(struct conn *c, enum conn_end why, enum msg_err err, void *arg)
{
	static const char *const reasons[] = {
		[CONN_END_CLOSED] = "peer closed the connection",
		[CONN_END_REFUSED] = "connection refused",
		[CONN_END_TIMEOUT] = "connect timed out",
		[CONN_END_IO] = "socket error",
		[CONN_END_PROTOCOL] = "protocol error",
		[CONN_END_SENDBUF] = "send buffer full",
	};
	struct peer *p = arg;
	struct connman *cm = p->cm;
	const char *said = cm->io->end_reason != NULL ? cm->io->end_reason(c) : NULL;
	const char *reason = why == CONN_END_PROTOCOL ? msg_strerror(err) :
	    said != NULL ? said : reasons[why];

	if (why == CONN_END_REFUSED || why == CONN_END_TIMEOUT ||
	    (why != CONN_END_PROTOCOL && !p->active && p->dir == PEER_OUTBOUND &&
	    cm->io->stats(c)->bytes_recv == 0)) {
		connman_outbound_failed(cm, p, reason);
		/* The address's failure, unless the proxy failed us. */
		if (p->kind != PEER_MANUAL &&
		    (cm->io->proxy_fault == NULL || !cm->io->proxy_fault(c)))
			addrman_attempt(cm->addrman, &p->addr, true, clock_wall());
	}
	if (why == CONN_END_PROTOCOL && cm->ev.bad_frame != NULL)
		cm->ev.bad_frame(cm->ev.arg, p, err, -1, true);
	connman_disconnect(cm, p, reason, false);
}

static const struct conn_cb connman_conn_cb = {
	.connected = connman_on_connected,
	.message = connman_on_message,
	.bad_frame = connman_on_bad_frame,
	.unknown = connman_on_unknown,
	.ended = connman_on_ended,
	.drained = connman_on_drained,
};

/* --- addresses: ours, our listeners', ourselves --------------------------- */

int
connman_listen(struct connman *cm, char *err, size_t errlen)
{
	const struct config_strlist *l = &cm->cfg->node.listen;
	struct sockaddr_storage ss;

	for (size_t i = 0; i < l->n && cm->nlisten < CONNMAN_MAX_LISTEN; i++) {
		struct netaddr a;
		struct evconnlistener *el;
		socklen_t len;

		if (netaddr_parse(l->v[i], cm->cfg->network.p2p_port, &a) == -1) {
			log_error("net", "bad listen address %s", l->v[i]);
			continue;
		}
		len = netaddr_to_sockaddr(&a, &ss);
		el = evconnlistener_new_bind(cm->base, connman_listen_cb, cm,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC |
		    (ss.ss_family == AF_INET6 ? LEV_OPT_BIND_IPV6ONLY : 0), 128,
		    (struct sockaddr *)&ss, (int)len);
		if (el == NULL) {
			log_warn("net", "cannot listen on %s: %s", l->v[i], strerror(errno));
			continue;
		}
		log_info("net", "listening on %s", l->v[i]);
		cm->listen_addr[cm->nlisten] = a;
		cm->guard[cm->nlisten] = listenguard_new(cm->base, el, "p2p");
		cm->listener[cm->nlisten++] = el;
		/* A specific, valid listen address is what we advertise (a
		 * private one only to peers on its network: addrrelay). */
		if (!cm->has_local && !netaddr_is_any(&a) &&
		    (netaddr_is_valid_peer(&a, cm->params->allow_private) ||
		    connman_private_net(&a) != 0))
			connman_set_local_addr(cm, &a);
	}
	if (cm->nlisten == 0 && l->n > 0) {
		snprintf(err, errlen, "could not listen on any configured address");
		return -1;
	}
	return 0;
}

size_t
connman_listeners(const struct connman *cm)
{
	return cm->nlisten;
}

/* The specific listen address of ADDR's family to dial from, or NULL. */
static const struct netaddr *
connman_bind_ip(const struct connman *cm, const struct netaddr *addr)
{
	for (size_t i = 0; i < cm->nlisten; i++)
		if (!netaddr_is_any(&cm->listen_addr[i]) &&
		    netaddr_is_ipv4(&cm->listen_addr[i]) == netaddr_is_ipv4(addr))
			return &cm->listen_addr[i];
	return NULL;
}

static bool
connman_is_self(const struct connman *cm, const struct netaddr *a)
{
	for (size_t i = 0; i < cm->nself; i++)
		if (netaddr_equal(&cm->self[i], a))
			return true;
	for (size_t i = 0; i < cm->nlisten; i++)
		if (netaddr_equal(&cm->listen_addr[i], a))
			return true;
	return cm->has_local && netaddr_equal(&cm->local, a);
}

/* Can we bind A's IP, that is, is it one of this host's addresses? */
static bool
connman_ip_is_local(const struct netaddr *a)
{
	struct sockaddr_storage ss;
	struct netaddr any = *a;
	socklen_t len;
	int fd;
	bool local;

	any.port = 0;
	len = netaddr_to_sockaddr(&any, &ss);
	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	local = bind(fd, (struct sockaddr *)&ss, len) == 0;
	close(fd);
	return local;
}

bool
connman_is_own_addr(const struct connman *cm, const struct netaddr *a)
{
	if (connman_is_self(cm, a))
		return true;
	/* A wildcard listener is reached at any local address on its port. */
	for (size_t i = 0; i < cm->nlisten; i++)
		if (netaddr_is_any(&cm->listen_addr[i]) && cm->listen_addr[i].port == a->port &&
		    netaddr_is_ipv4(&cm->listen_addr[i]) == netaddr_is_ipv4(a) &&
		    connman_ip_is_local(a))
			return true;
	return false;
}

void
connman_note_self(struct connman *cm, const struct netaddr *addr)
{
	if (connman_is_self(cm, addr))
		return;
	if (cm->nself == CONNMAN_MAX_SELF)
		memmove(cm->self, cm->self + 1, sizeof(cm->self[0]) * --cm->nself);
	cm->self[cm->nself++] = *addr;
}

bool
connman_local_addr(const struct connman *cm, struct netaddr *out)
{
	if (cm->has_local && out != NULL)
		*out = cm->local;
	return cm->has_local;
}

void
connman_set_local_addr(struct connman *cm, const struct netaddr *addr)
{
	cm->local = *addr;
	cm->has_local = true;
}

/* Only an outbound peer's view is worth anything: it answered the address
 * we dialled from.  A node that listens on a specific address advertises
 * that one (set at start); otherwise we take the first routable address a
 * peer reports, with our listening port. */
static void
connman_note_local(struct connman *cm, const struct netaddr *seen_as, const struct peer *p)
{
	struct netaddr a = *seen_as;

	if (cm->has_local || p->dir != PEER_OUTBOUND || cm->nlisten == 0)
		return;
	if (connman_bind_ip(cm, &a) != NULL)
		return;
	a.port = cm->listen_addr[0].port;
	/* A peer on our private network sees us at our address there. */
	if (netaddr_is_valid_peer(&a, cm->params->allow_private) ||
	    connman_same_private_net(&a, &p->addr))
		connman_set_local_addr(cm, &a);
}

bool
connman_addr_usable(const struct connman *cm, const struct netaddr *addr)
{
	return connman_addr_allowed(cm, addr) &&
	    !banman_is_banned(cm->banman, addr, clock_wall());
}

static struct peer *
connman_find_addr(const struct connman *cm, const struct netaddr *a)
{
	struct peer *p;

	TAILQ_FOREACH(p, &cm->peers, entry)
		if (netaddr_equal(&p->addr, a) ||
		    (p->dir == PEER_OUTBOUND && netaddr_same_ip(&p->addr, a) &&
		    !cm->params->allow_private))
			return p;
	return NULL;
}

/* --- what the message layer reports ------------------------------------- */

bool
connman_peer_active(struct connman *cm, struct peer *p, uint64_t services,
    const struct netaddr *seen_as)
{
	p->active = true;
	p->active_mono_ms = clock_mono_ms();
	p->services = services;
	connman_touch(cm, p);
	if (p->dir == PEER_OUTBOUND) {
		cm->ever_connected = true;
		addrman_good(cm->addrman, &p->addr, clock_wall());
		addrman_set_services(cm->addrman, &p->addr, services);
		connman_note_v1_only(cm, p);
	}
	if (p->kind == PEER_FEELER) {
		connman_disconnect(cm, p, "feeler done", true);
		return false;
	}
	if (seen_as != NULL)
		connman_note_local(cm, seen_as, p);
	return true;
}

void
connman_peer_ping(struct connman *cm, struct peer *p, double ms)
{
	connman_touch(cm, p);
	if (p->min_ping_ms < 0 || ms < p->min_ping_ms)
		p->min_ping_ms = ms;
}

bool
connman_ever_connected(const struct connman *cm)
{
	return cm->ever_connected;
}

const struct connman_stats *
connman_stats(const struct connman *cm)
{
	return &cm->stats;
}

void
connman_counts(const struct connman *cm, struct connman_counts *out)
{
	const struct config *cfg = cm->cfg;
	struct peer *p;
	int max_in;

	memset(out, 0, sizeof(*out));
	TAILQ_FOREACH(p, &cm->peers, entry) {
		if (p->dir == PEER_INBOUND)
			out->inbound++;
		else if (p->kind == PEER_MANUAL)
			out->manual++;
		else if (p->kind == PEER_FEELER)
			out->feeler++;
		else
			out->outbound++;
	}
	/* Inbound gets what the outbound target and one feeler leave; a seed
	 * exists to be dialled, so it keeps back only what it really uses. */
	if (cfg->node.seed)
		max_in = cfg->network.max_peers - (int)(out->outbound + out->manual + out->feeler);
	else
		max_in = cfg->network.max_peers - cfg->network.min_peers - 1;
	out->max_inbound = max_in > 0 ? (unsigned)max_in : 1;
}

/* --- outbound ----------------------------------------------------------- */

struct peer *
connman_connect(struct connman *cm, const struct netaddr *addr, enum peer_kind kind,
    const char **why)
{
	struct conn *c;
	struct peer *p;
	char err[128], a[NETADDR_STRLEN];
	/* *WHY points here when the dial itself failed: valid until the
	 * next call (one loop thread). */
	static char dial_err[160];

	if (cm->stopping)
		*why = "shutting down";
	else if (connman_is_self(cm, addr))
		*why = "that is our own address";
	else if (connman_find_addr(cm, addr) != NULL)
		*why = "already connected";
	else if (banman_is_banned(cm->banman, addr, clock_wall()))
		*why = "banned";
	else if (kind != PEER_MANUAL && !connman_addr_allowed(cm, addr))
		*why = "not a usable address on this network";
	else
		*why = NULL;
	if (*why != NULL)
		return NULL;
	cm->stats.outbound_attempts++;
	/* Marked tried now; counted as a failure only once the dial has
	 * failed and it was not the proxy's fault (connman_on_ended). */
	addrman_attempt(cm->addrman, addr, false, clock_wall());
	p = connman_peer_new(cm, addr, PEER_OUTBOUND, kind);
	c = cm->io->dial(cm->io->io != NULL ? cm->io->io : cm, addr, connman_bind_ip(cm, addr),
	    &connman_conn_cb, p, err, sizeof(err));
	if (c == NULL) {
		log_warn("net", "cannot dial %s: %s", netaddr_format(addr, a, sizeof(a)), err);
		cm->stats.outbound_failures++;
		TAILQ_REMOVE(&cm->peers, p, entry);
		free(p);
		snprintf(dial_err, sizeof(dial_err), "cannot dial: %s", err);
		*why = dial_err;
		return NULL;
	}
	p->conn = c;
	if (cm->ev.peer_new != NULL)
		cm->ev.peer_new(cm->ev.arg, p);
	log_debug("net", "dialling %s (%s) peer=%llu", netaddr_format(addr, a, sizeof(a)),
	    peer_kind_name(kind), (unsigned long long)p->id);
	return p;
}

static bool
connman_netgroup_taken(const struct connman *cm, const uint8_t group[NETADDR_GROUPLEN])
{
	struct peer *p;

	TAILQ_FOREACH(p, &cm->peers, entry)
		if (p->dir == PEER_OUTBOUND && p->kind != PEER_FEELER &&
		    memcmp(p->netgroup, group, NETADDR_GROUPLEN) == 0)
			return true;
	return false;
}

/* How many outbound peers share CAND's country and ASN: lower is better. */
static unsigned
connman_geo_crowding(const struct connman *cm, const struct netaddr *cand)
{
	struct geoip_info gi;
	struct peer *p;
	unsigned score = 0;

	if (geoip_lookup(cm->geoip, cand, &gi) == -1)
		return 0;
	TAILQ_FOREACH(p, &cm->peers, entry) {
		if (p->dir != PEER_OUTBOUND)
			continue;
		if (gi.country[0] != '\0' && strcmp(p->country, gi.country) == 0)
			score += 2;
		if (gi.asn != 0 && p->asn == gi.asn)
			score += 3;
	}
	return score;
}

/* Draw a candidate for a new outbound connection (design:
 * SelectDiversePeers).  Returns 0, or -1 when nothing fits. */
static int
connman_select(struct connman *cm, bool new_only, struct netaddr *out)
{
	struct addrman_info info;
	struct netaddr sample[CONNMAN_DIVERSITY_SAMPLE];
	size_t ns = 0, want = cm->geoip != NULL ? CONNMAN_DIVERSITY_SAMPLE : 1, best = 0;
	int64_t now = clock_wall();
	uint8_t group[NETADDR_GROUPLEN];

	for (int tries = 0; tries < CONNMAN_SELECT_TRIES && ns < want; tries++) {
		bool dup = false;

		if (addrman_select(cm->addrman, new_only, now, &info) == -1)
			break;
		connman_netgroup(cm, &info.addr, group);
		if (connman_is_self(cm, &info.addr) || connman_find_addr(cm, &info.addr) != NULL ||
		    connman_netgroup_taken(cm, group) || !connman_addr_usable(cm, &info.addr))
			continue;
		/* Back off addresses that failed recently (Core: 10 min, only
		 * for the first 30 tries of a round). */
		if (info.last_try > 0 && now - info.last_try < 60 * (1 + info.attempts) && tries < 30)
			continue;
		for (size_t i = 0; i < ns && !dup; i++)
			dup = netaddr_equal(&sample[i], &info.addr);
		if (!dup)
			sample[ns++] = info.addr;
	}
	if (ns == 0)
		return -1;
	if (cm->geoip != NULL) {
		unsigned best_score = UINT32_MAX;
		for (size_t i = 0; i < ns; i++) {
			unsigned s = connman_geo_crowding(cm, &sample[i]);
			if (s < best_score) {
				best_score = s;
				best = i;
			}
		}
	}
	*out = sample[best];
	return 0;
}

/* --- manual nodes -------------------------------------------------------- */

static uint64_t
connman_manual_dial(void *arg, const struct netaddr *addr, const char **why)
{
	struct connman *cm = arg;
	struct peer *p;

	if ((p = connman_find_addr(cm, addr)) != NULL)
		return p->id;	/* already connected (e.g. inbound) */
	p = connman_connect(cm, addr, PEER_MANUAL, why);
	return p != NULL ? p->id : 0;
}

int
connman_add_manual(struct connman *cm, const char *hostport, char *err, size_t errlen)
{
	return manual_add(cm->manual, hostport, NULL, err, errlen);
}

int
connman_remove_manual(struct connman *cm, const char *hostport)
{
	return manual_remove(cm->manual, hostport);
}

const struct manual *
connman_manual(const struct connman *cm)
{
	return cm->manual;
}

/* --- inbound ---------------------------------------------------------------- */

/* Make room for one more inbound peer.  Returns true if there is room. */
static bool
connman_make_room(struct connman *cm)
{
	struct connman_counts cnt;
	struct eviction_candidate *cand;
	struct peer *p;
	size_t n = 0;
	uint64_t victim;

	connman_counts(cm, &cnt);
	if (cnt.inbound < cnt.max_inbound)
		return true;
	cand = xcalloc(cnt.inbound, sizeof(*cand));
	TAILQ_FOREACH(p, &cm->peers, entry) {
		if (p->dir != PEER_INBOUND || n == cnt.inbound)
			continue;
		cand[n].id = p->id;
		memcpy(cand[n].netgroup, p->netgroup, NETADDR_GROUPLEN);
		cand[n].keyed_netgroup = hash_siphash(cm->evict_key, p->netgroup, NETADDR_GROUPLEN);
		cand[n].min_ping_ms = p->min_ping_ms;
		cand[n].connected_ms = p->connected_mono_ms;
		cand[n].handshaked = p->active;
		cand[n].handshake_ms = p->active_mono_ms;
		n++;
	}
	victim = eviction_select(cand, n, clock_mono_ms());
	free(cand);
	if (victim == 0 || (p = connman_peer_find(cm, victim)) == NULL)
		return false;
	cm->stats.evictions++;
	connman_disconnect(cm, p, "evicted for an incoming connection", false);
	return true;
}

static unsigned
connman_inbound_from(const struct connman *cm, const struct netaddr *a)
{
	struct peer *p;
	unsigned n = 0;

	TAILQ_FOREACH(p, &cm->peers, entry)
		if (p->dir == PEER_INBOUND && netaddr_same_ip(&p->addr, a))
			n++;
	return n;
}

struct peer *
connman_accept(struct connman *cm, int fd, const struct netaddr *a, const char **why)
{
	struct conn *c;
	struct peer *p;
	char as[NETADDR_STRLEN];

	if (cm->stopping)
		*why = "shutting down";
	else if (banman_is_banned(cm->banman, a, clock_wall()))
		*why = "banned";
	else if (connman_inbound_from(cm, a) >= (unsigned)cm->cfg->node.max_inbound_per_ip)
		*why = "too many connections from this address";
	else if (!connman_make_room(cm))
		*why = "inbound slots full";
	else
		*why = NULL;
	if (*why != NULL) {
		cm->stats.inbound_refused++;
		log_debug("net", "refused inbound from %s: %s", netaddr_format(a, as, sizeof(as)),
		    *why);
		if (fd >= 0)
			evutil_closesocket(fd);
		return NULL;
	}
	p = connman_peer_new(cm, a, PEER_INBOUND, PEER_FULL);
	c = cm->io->accept(cm->io->io != NULL ? cm->io->io : cm, fd, a, &connman_conn_cb, p);
	if (c == NULL) {
		TAILQ_REMOVE(&cm->peers, p, entry);
		free(p);
		*why = "cannot set up the connection";
		return NULL;
	}
	p->conn = c;
	cm->stats.inbound_accepted++;
	log_debug("net", "accepted %s peer=%llu", netaddr_format(a, as, sizeof(as)),
	    (unsigned long long)p->id);
	if (cm->ev.peer_new != NULL)
		cm->ev.peer_new(cm->ev.arg, p);
	if (cm->ev.peer_connected != NULL && !p->gone)
		cm->ev.peer_connected(cm->ev.arg, p);
	return p;
}

static void
connman_listen_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct connman *cm = arg;
	struct netaddr a;
	const char *why;

	(void)l;
	(void)salen;
	if (netaddr_from_sockaddr(&a, sa) == -1) {
		cm->stats.inbound_refused++;
		evutil_closesocket(fd);
		return;
	}
	connman_accept(cm, fd, &a, &why);
}

/* --- the tick ------------------------------------------------------------- */

void
connman_tick(struct connman *cm, int64_t now_ms)
{
	struct connman_counts cnt;
	struct netaddr a;
	struct peer *p, **all;
	size_t n = 0;
	int64_t now = clock_mono_ms() / 1000;
	const char *why;
	int dials = 0;

	if (cm->stopping)
		return;
	/* A tick may disconnect any peer, not only its own: walk a snapshot
	 * (gone peers stay allocated until the next loop turn). */
	TAILQ_FOREACH(p, &cm->peers, entry)
		n++;
	all = xcalloc(n + 1, sizeof(*all));
	n = 0;
	TAILQ_FOREACH(p, &cm->peers, entry)
		all[n++] = p;
	for (size_t i = 0; i < n; i++)
		if (!all[i]->gone && cm->ev.peer_tick != NULL)
			cm->ev.peer_tick(cm->ev.arg, all[i], now_ms);
	free(all);
	manual_tick(cm->manual, now, connman_manual_dial, cm);
	connman_counts(cm, &cnt);
	/* At most two new dials a second keeps a restart from stampeding. */
	while (cnt.outbound < (unsigned)cm->cfg->network.min_peers &&
	    cnt.outbound + cnt.inbound + cnt.manual < (unsigned)cm->cfg->network.max_peers &&
	    dials < 2 && connman_select(cm, false, &a) == 0) {
		if (connman_connect(cm, &a, PEER_FULL, &why) != NULL)
			cnt.outbound++;
		dials++;
	}
	/* Feelers test new addresses once the outbound slots are full, so
	 * the tried table keeps filling with known-good entries. */
	if (now >= cm->next_feeler) {
		cm->next_feeler = now + CONNMAN_FEELER_INTERVAL / 2 +
		    rnd_uniform(CONNMAN_FEELER_INTERVAL);
		if (cnt.outbound >= (unsigned)cm->cfg->network.min_peers && cnt.feeler == 0 &&
		    connman_select(cm, true, &a) == 0)
			connman_connect(cm, &a, PEER_FEELER, &why);
	}
}
