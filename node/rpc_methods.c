/* rpc_methods.c -- agentnode's JSON-RPC methods and Prometheus metrics.
 *
 * The method table is the single source for dispatch, the "help" method,
 * `agentnode --help` and the man page's RPC section.  Handlers only read
 * what the modules show or call the module that owns what they change;
 * they reach the modules through struct rpc_node, never their fields. */
#include "rpc_methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "addrman.h"
#include "addrrelay.h"
#include "banman.h"
#include "blockrelay.h"
#include "bootstrap.h"
#include "clock.h"
#include "config.h"
#include "conn.h"
#include "connman.h"
#include "health.h"
#include "identity.h"
#include "idserve.h"
#include "manual.h"
#include "natpmp.h"
#include "peer.h"
#include "peerman.h"
#include "strutil.h"
#include "version.h"
#include "xmalloc.h"

#define RPC_ADDR_MAX	2500
/* addnode add answers "added" if it has not connected (or failed) by then. */
#define RPC_ADDNODE_WAIT_MS	10000
#define RPC_ADDNODE_POLL_MS	100
/* More departures than this between two getpeerchanges: answer in full. */
#define RPC_REMOVED_MAX	4096

static json_t *
rpc_addr_json(const struct netaddr *a)
{
	char buf[NETADDR_STRLEN];

	return json_string(netaddr_format(a, buf, sizeof(buf)));
}

/* A JSON string for text that may hold bytes from the network (a seed's
 * error, a host name): sanitised, so that it is always valid UTF-8. */
static json_t *
rpc_json_text(const char *text)
{
	char safe[BOOTSTRAP_REASON_MAX * 4];

	str_sanitize(text, strlen(text), safe, sizeof(safe));
	return json_string(safe);
}

static json_t *
rpc_services_json(uint64_t s)
{
	json_t *names = json_array();

	if (s & NODE_NETWORK)
		json_array_append_new(names, json_string("NETWORK"));
	if (s & NODE_RELAY)
		json_array_append_new(names, json_string("RELAY"));
	if (s & NODE_SEED)
		json_array_append_new(names, json_string("SEED"));
	if (s & NODE_P2P_V2)
		json_array_append_new(names, json_string("P2P_V2"));
	if (s & NODE_IDENTITY)
		json_array_append_new(names, json_string("IDENTITY"));
	return names;
}

static void
rpc_health_input(const struct rpc_node *n, struct health_input *in)
{
	uint8_t groups[256][NETADDR_GROUPLEN];
	double lat_sum = 0, rel_sum = 0;
	unsigned lat_n = 0, ng = 0;
	struct peerman_view v;

	memset(in, 0, sizeof(*in));
	in->target = (unsigned)n->cfg->network.min_peers;
	for (struct peer *p = connman_peer_first(n->connman); p != NULL; p = connman_peer_next(p)) {
		bool seen = false;

		if (!p->active || !peerman_view(n->peerman, p, &v))
			continue;
		in->active++;
		rel_sum += quality_reliability(v.q);
		if (quality_latency_count(v.q) > 0) {
			lat_sum += v.q->lat_avg;
			lat_n++;
		}
		for (unsigned i = 0; i < ng && !seen; i++)
			seen = memcmp(groups[i], p->netgroup, NETADDR_GROUPLEN) == 0;
		if (!seen && ng < 256)
			memcpy(groups[ng++], p->netgroup, NETADDR_GROUPLEN);
	}
	in->netgroups = ng;
	in->avg_latency_ms = lat_n > 0 ? lat_sum / lat_n : -1;
	in->reliability = in->active > 0 ? rel_sum / in->active : 0;
}

/* "warnings" (why the node has no peer, or "") and "bootstrap": what a
 * console shows beside a health of 0. */
static void
rpc_bootstrap_json(const struct rpc_node *n, json_t *o)
{
	struct bootstrap_status bs;

	if (n->bootstrap == NULL) {
		json_object_set_new(o, "warnings", json_string(""));
		return;
	}
	bootstrap_status(n->bootstrap, &bs);
	json_object_set_new(o, "warnings", rpc_json_text(bs.reason));
	json_object_set_new(o, "bootstrap", json_pack("{s:b, s:I, s:i, s:o, s:o, s:o, s:i, s:i}",
	    "alone", bs.alone,
	    "alone_seconds", (json_int_t)bs.alone_seconds,
	    "seed_rounds", (int)bs.rounds,
	    "next_retry_in", bs.next_retry_in >= 0 ? json_integer(bs.next_retry_in) : json_null(),
	    "reason", rpc_json_text(bs.reason),
	    "dns_seeds", rpc_json_text(bs.dns_result),
	    "fixed_seeds", (int)bs.fixed_total,
	    "fixed_seeds_usable", (int)bs.fixed_usable));
}

static json_t *
rpc_getnetworkinfo(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const struct connman_stats *cs = connman_stats(n->connman);
	struct connman_counts cnt;
	struct addrman_stats as;
	struct addrrelay_stats ars;
	struct health_input hi;
	uint64_t recv = cs->bytes_recv_closed, sent = cs->bytes_sent_closed;
	uint64_t services = peerman_services(n->peerman);
	json_t *local = json_array(), *o;
	struct netaddr ext;

	(void)params;
	(void)err;
	connman_counts(n->connman, &cnt);
	addrman_get_stats(n->addrman, &as);
	addrrelay_stats(n->addrrelay, &ars);
	for (struct peer *p = connman_peer_first(n->connman); p != NULL; p = connman_peer_next(p)) {
		recv += connman_peer_stats(n->connman, p)->bytes_recv;
		sent += connman_peer_stats(n->connman, p)->bytes_sent;
	}
	if (connman_local_addr(n->connman, &ext))
		json_array_append_new(local, rpc_addr_json(&ext));
	rpc_health_input(n, &hi);
	o = json_pack("{s:s, s:s, s:i, s:s, s:I, s:o, s:b, s:i, s:i, s:i, s:i, s:i, s:i,"
	    " s:o, s:I, s:I, s:I, s:i, s:i, s:i, s:I, s:I, s:i}",
	    "version", AGENTCHAIN_VERSION,
	    "subversion", peerman_user_agent(n->peerman),
	    "protocolversion", PROTO_VERSION,
	    "network", n->cfg->params->name,
	    "localservices", (json_int_t)services,
	    "localservicesnames", rpc_services_json(services),
	    "seed", n->cfg->node.seed,
	    "connections", (int)(cnt.inbound + cnt.outbound + cnt.manual + cnt.feeler),
	    "connections_in", (int)cnt.inbound,
	    "connections_out", (int)(cnt.outbound + cnt.manual + cnt.feeler),
	    "min_peers", n->cfg->network.min_peers,
	    "max_peers", n->cfg->network.max_peers,
	    "height", (int)peerman_height(n->peerman),
	    "localaddresses", local,
	    "totalbytesrecv", (json_int_t)recv,
	    "totalbytessent", (json_int_t)sent,
	    "uptime", (json_int_t)(clock_mono_ms() / 1000 - n->start_mono),
	    "addrman_new", (int)as.n_new,
	    "addrman_tried", (int)as.n_tried,
	    "banned", (int)banman_count(n->banman),
	    "addr_rate_limited", (json_int_t)ars.rate_limited,
	    "unknown_messages", (json_int_t)peerman_stats(n->peerman)->unknown_recv,
	    "networkhealth", health_score(&hi));
	/* The node's own connectivity (health.h); "networkhealth" is the old
	 * name, kept for existing clients. */
	json_object_set_new(o, "connectivityhealth", json_integer(health_score(&hi)));
	json_object_set_new(o, "addr_private_ignored", json_integer((json_int_t)ars.private_ignored));
	rpc_bootstrap_json(n, o);
	json_object_set_new(o, "natpmp", natpmp_json(n->natpmp));
	return o;
}

/* "transport": "v1" or "v2"; "session_id": v2's, in hex, which both
 * sides show alike (an operator compares it with the peer's operator to
 * rule out a man in the middle), or null. */
static void
rpc_transport_json(const struct rpc_node *n, const struct peer *p, json_t *o)
{
	struct conn_transport_info ti;
	char hex[2 * sizeof(ti.session_id) + 1];

	connman_peer_transport(n->connman, p, &ti);
	json_object_set_new(o, "transport", json_string(ti.v2 ? "v2" : "v1"));
	if (ti.v2)
		sodium_bin2hex(hex, sizeof(hex), ti.session_id, sizeof(ti.session_id));
	json_object_set_new(o, "session_id", ti.v2 ? json_string(hex) : json_null());
}

static json_t *
rpc_peer_json(const struct rpc_node *n, const struct peer *p, const struct peerman_view *v,
    int64_t now_ms, int64_t mono_ms)
{
	const struct conn_stats *st = connman_peer_stats(n->connman, p);
	const struct msg_version *rv = v->remote;
	const struct quality *q = v->q;
	char ua[MSG_MAX_USER_AGENT * 4 + 1];
	double hist[QUALITY_LAT_HISTORY];
	size_t nh = quality_latency_history(q, hist, QUALITY_LAT_HISTORY);
	struct rep_event ev[REP_RECENT];
	size_t nev = reputation_recent(v->rep, ev, REP_RECENT);
	struct addrrelay_stats ars;
	struct blockrelay_peer_stats bps;
	json_t *o, *lat = json_array(), *viol = json_array(), *by_type = json_object();
	bool measured = quality_latency_count(q) > 0;

	for (size_t i = 0; i < nh; i++)
		json_array_append_new(lat, json_real(hist[i]));
	for (size_t i = 0; i < nev; i++)
		json_array_append_new(viol, json_pack("{s:s, s:I}",
		    "kind", reputation_violation_name(ev[i].kind), "time", (json_int_t)ev[i].time));
	for (unsigned t = 0; t < MSG_TYPE_COUNT; t++)
		if (st->msgs_recv[t] || st->msgs_sent[t])
			json_object_set_new(by_type, msg_type_name(t), json_pack("{s:I, s:I}",
			    "recv", (json_int_t)st->msgs_recv[t], "sent", (json_int_t)st->msgs_sent[t]));
	str_sanitize(rv->user_agent, rv->user_agent_len, ua, sizeof(ua));
	addrrelay_peer_stats(n->addrrelay, p, &ars);
	o = json_pack("{s:I, s:o, s:s, s:s, s:b, s:I, s:o, s:i, s:s, s:i, s:I, s:I, s:I, s:I,"
	    " s:f, s:f, s:I}",
	    "id", (json_int_t)p->id,
	    "addr", rpc_addr_json(&p->addr),
	    "direction", peer_dir_name(p->dir),
	    "connection_type", peer_kind_name(p->kind),
	    "handshake_complete", p->active,
	    "services", (json_int_t)rv->services,
	    "servicesnames", rpc_services_json(rv->services),
	    "version", (int)rv->version,
	    "subver", ua,
	    "startingheight", (int)rv->start_height,
	    "bytessent", (json_int_t)st->bytes_sent,
	    "bytesrecv", (json_int_t)st->bytes_recv,
	    "conntime", (json_int_t)(p->connected_ms / 1000),
	    "connected_seconds", (json_int_t)((now_ms - p->connected_ms) / 1000),
	    "sendrate", quality_rate_out(q, mono_ms),
	    "recvrate", quality_rate_in(q, mono_ms),
	    "lastrecv", (json_int_t)(v->last_recv_ms / 1000));
	json_object_set_new(o, "lastsend", json_integer(v->last_send_ms / 1000));
	json_object_set_new(o, "addr_local", rpc_addr_json(&rv->addr_recv.addr));
	json_object_set_new(o, "pingtime", measured ? json_real(q->lat_last / 1000.0) : json_null());
	json_object_set_new(o, "minping", measured ? json_real(q->lat_min / 1000.0) : json_null());
	json_object_set_new(o, "avgping", measured ? json_real(q->lat_avg / 1000.0) : json_null());
	json_object_set_new(o, "pingwait", v->ping_wait_ms >= 0 ?
	    json_real((double)v->ping_wait_ms / 1000.0) : json_null());
	json_object_set_new(o, "latency_history_ms", lat);
	json_object_set_new(o, "bytes_by_type", by_type);
	json_object_set_new(o, "quality", json_pack("{s:i, s:f, s:I, s:I, s:I}",
	    "score", quality_score(q, mono_ms),
	    "reliability", quality_reliability(q),
	    "exchanges_ok", (json_int_t)q->ok,
	    "exchanges_failed", (json_int_t)q->failed,
	    "uptime_seconds", (json_int_t)(quality_uptime_ms(q, mono_ms) / 1000)));
	json_object_set_new(o, "reputation", json_pack("{s:i, s:I, s:o}",
	    "score", v->rep->score,
	    "last_seen", (json_int_t)v->rep->last_seen,
	    "violations", viol));
	blockrelay_peer_stats(n->blockrelay, p, &bps);
	/* startingheight is only what the peer claimed; these it proved. */
	json_object_set_new(o, "synced_headers", json_integer(bps.synced_headers));
	json_object_set_new(o, "synced_blocks", json_integer(bps.synced_blocks));
	json_object_set_new(o, "blocks_inflight", json_integer(bps.inflight));
	/* High-bandwidth block relay (sendhb), as Core's bip152_hb_to/from. */
	json_object_set_new(o, "hb_to", json_boolean(bps.hb_to));
	json_object_set_new(o, "hb_from", json_boolean(bps.hb_from));
	json_object_set_new(o, "addr_processed", json_integer((json_int_t)ars.received));
	json_object_set_new(o, "addr_rate_limited", json_integer((json_int_t)ars.rate_limited));
	json_object_set_new(o, "country", p->country[0] ? json_string(p->country) : json_null());
	json_object_set_new(o, "asn", p->asn ? json_integer(p->asn) : json_null());
	rpc_transport_json(n, p, o);
	return o;
}

static json_t *
rpc_getpeerinfo(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	json_t *arr = json_array();
	int64_t now_ms = clock_wall_ms(), mono_ms = clock_mono_ms();
	struct peerman_view v;

	(void)params;
	(void)err;
	for (struct peer *p = connman_peer_first(n->connman); p != NULL; p = connman_peer_next(p))
		if (peerman_view(n->peerman, p, &v))
			json_array_append_new(arr, rpc_peer_json(n, p, &v, now_ms, mono_ms));
	return arr;
}

/* The peers that changed since a version the caller passes back, and the
 * ids of those that left: what a console polling every second needs,
 * without re-reading every peer each time. */
static json_t *
rpc_getpeerchanges(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	int64_t since, now_ms = clock_wall_ms(), mono_ms = clock_mono_ms();
	uint64_t *ids = xcalloc(RPC_REMOVED_MAX, sizeof(*ids));
	long nremoved;
	struct peerman_view v;
	json_t *peers = json_array(), *removed = json_array();
	bool full;

	if (rpc_param_int(params, 0, 0, 0, INT64_MAX, &since, err) == -1) {
		free(ids);
		json_decref(peers);
		json_decref(removed);
		return NULL;
	}
	nremoved = since == 0 ? -1 :
	    connman_removed_since(n->connman, (uint64_t)since, ids, RPC_REMOVED_MAX);
	full = nremoved < 0 || (uint64_t)since > connman_version(n->connman);
	for (long i = 0; !full && i < nremoved; i++)
		json_array_append_new(removed, json_integer((json_int_t)ids[i]));
	free(ids);
	for (struct peer *p = connman_peer_first(n->connman); p != NULL; p = connman_peer_next(p))
		if ((full || p->changed > (uint64_t)since) && peerman_view(n->peerman, p, &v))
			json_array_append_new(peers, rpc_peer_json(n, p, &v, now_ms, mono_ms));
	return json_pack("{s:I, s:b, s:o, s:o}", "version",
	    (json_int_t)connman_version(n->connman), "full", full, "peers", peers, "removed",
	    removed);
}

static json_t *
rpc_getnetworkstats(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	struct health_input hi;
	json_t *spread = json_object(), *o;

	(void)params;
	(void)err;
	for (struct peer *p = connman_peer_first(n->connman); p != NULL; p = connman_peer_next(p)) {
		const char *cc = p->country[0] ? p->country : "unknown";
		json_t *v;

		if (!p->active)
			continue;
		v = json_object_get(spread, cc);
		json_object_set_new(spread, cc, json_integer(v ? json_integer_value(v) + 1 : 1));
	}
	rpc_health_input(n, &hi);
	o = json_pack("{s:I, s:i, s:o, s:o, s:i, s:{s:i, s:i, s:f, s:i, s:f}}",
	    "TotalNodes", (json_int_t)addrman_size(n->addrman),
	    "ActiveNodes", (int)hi.active,
	    "GeographicSpread", spread,
	    "AverageLatency", hi.avg_latency_ms >= 0 ? json_real(hi.avg_latency_ms) : json_null(),
	    "NetworkHealth", health_score(&hi),
	    "inputs", "active", (int)hi.active, "target", (int)hi.target,
	    "reliability", hi.reliability, "netgroups", (int)hi.netgroups,
	    "avg_latency_ms", hi.avg_latency_ms);
	json_object_set_new(o, "ConnectivityHealth", json_integer(health_score(&hi)));
	return o;
}

static json_t *
rpc_getnodeaddresses(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	struct addrman_info *info;
	int64_t count;
	size_t got;
	json_t *arr;

	if (rpc_param_int(params, 0, 1, 0, RPC_ADDR_MAX, &count, err) == -1)
		return NULL;
	if (count == 0)
		count = RPC_ADDR_MAX;
	info = xcalloc((size_t)count, sizeof(*info));
	got = addrman_get_addr(n->addrman, (size_t)count, 100, clock_wall(), info, (size_t)count);
	arr = json_array();
	for (size_t i = 0; i < got; i++)
		json_array_append_new(arr, json_pack("{s:I, s:I, s:o, s:b}",
		    "time", (json_int_t)info[i].time, "services", (json_int_t)info[i].services,
		    "address", rpc_addr_json(&info[i].addr), "tried", info[i].tried));
	free(info);
	return arr;
}

/* An addnode waiting for its outcome. */
struct addnode_wait {
	struct rpc_node	*n;
	char		 node[NETADDR_HOSTLEN + 8];
	bool		 onetry;
	uint64_t	 manual_id;	/* add: the entry */
	uint64_t	 peer_id;	/* the peer dialled for it, once known */
	int64_t		 deadline_ms;	/* add: answer "added" then */
};

static json_t *
rpc_addnode_result(const char *node, const char *result, const char *error)
{
	json_t *o = json_pack("{s:s, s:s}", "node", node, "result", result);

	if (error != NULL && *error != '\0')
		json_object_set_new(o, "error", json_string(error));
	return o;
}

static void
rpc_addnode_answer(struct addnode_wait *w, struct rpc_deferred *d, const char *result,
    const char *error)
{
	rpc_deferred_reply(d, rpc_addnode_result(w->node, result, error));
	free(w);
}

/* Connected, or the attempt ended: look every RPC_ADDNODE_POLL_MS. */
static void
rpc_addnode_poll(void *arg, struct rpc_deferred *d)
{
	struct addnode_wait *w = arg;
	struct connman *cm = w->n->connman;
	const struct manual_node *mn = NULL;
	struct peer *p;
	char why[96];

	if (!w->onetry) {
		if ((mn = manual_find(connman_manual(cm), w->manual_id)) == NULL) {
			rpc_addnode_answer(w, d, "failed", "removed while connecting");
			return;
		}
		if (mn->peer_id != 0)
			w->peer_id = mn->peer_id;
	}
	if (w->peer_id != 0) {
		if ((p = connman_peer_find(cm, w->peer_id)) != NULL) {
			if (p->active)
				rpc_addnode_answer(w, d, "connected", NULL);
			else if (!w->onetry && clock_mono_ms() >= w->deadline_ms)
				rpc_addnode_answer(w, d, "added", "still connecting");
			return;		/* dialling, or in the handshake */
		}
		connman_gone_reason(cm, w->peer_id, why, sizeof(why));
		rpc_addnode_answer(w, d, "failed", why[0] != '\0' ? why : "disconnected");
		return;
	}
	/* add, not dialled yet: resolving, or its dial failed at once. */
	if (mn == NULL)
		return;
	if (mn->last_error[0] != '\0' && !mn->resolving)
		rpc_addnode_answer(w, d, "failed", mn->last_error);
	else if (clock_mono_ms() >= w->deadline_ms)
		rpc_addnode_answer(w, d, "added", mn->last_error);
}

static void
rpc_addnode_cancel(void *arg)
{
	free(arg);
}

/* addnode NODE add|onetry answers once the outcome is known:
 * {"node", "result": "connected"|"added"|"failed", "error"}; refusals
 * known at once (malformed, our own address, banned, already added or
 * connected) are JSON-RPC errors.  remove answers at once (null). */
static int
rpc_addnode(void *ctx, json_t *params, struct rpc_deferred *d, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const char *node, *cmd, *why;
	char e[160];
	struct netaddr a;
	struct addnode_wait *w;
	struct peer *p;
	bool literal;

	if (rpc_param_str(params, 0, NULL, NETADDR_HOSTLEN + 8, &node, err) == -1 ||
	    rpc_param_str(params, 1, "add", 16, &cmd, err) == -1)
		return -1;
	if (strcmp(cmd, "remove") == 0) {
		if (connman_remove_manual(n->connman, node) == -1) {
			rpc_error_set(err, RPC_INVALID_PARAMETER, "node %s was not added", node);
			return -1;
		}
		rpc_deferred_reply(d, NULL);
		return 0;
	}
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "onetry") != 0) {
		rpc_error_set(err, RPC_INVALID_PARAMS, "command must be add, remove or onetry");
		return -1;
	}
	literal = netaddr_parse(node, n->cfg->network.p2p_port, &a) == 0;
	if (strcmp(cmd, "onetry") == 0 && !literal) {
		rpc_error_set(err, RPC_INVALID_ADDRESS, "onetry needs a numeric address");
		return -1;
	}
	if (literal && connman_is_own_addr(n->connman, &a)) {
		rpc_error_set(err, RPC_INVALID_PARAMETER, "%s is this node's own address", node);
		return -1;
	}
	if (literal && banman_is_banned(n->banman, &a, clock_wall())) {
		rpc_error_set(err, RPC_INVALID_PARAMETER, "%s is banned (setban %s remove first)",
		    node, node);
		return -1;
	}
	w = xcalloc(1, sizeof(*w));
	w->n = n;
	str_copy(w->node, node, sizeof(w->node));
	w->deadline_ms = clock_mono_ms() + RPC_ADDNODE_WAIT_MS;
	if (strcmp(cmd, "onetry") == 0) {
		w->onetry = true;
		if ((p = connman_connect(n->connman, &a, PEER_MANUAL, &why)) == NULL) {
			free(w);
			if (strcmp(why, "already connected") == 0 || strcmp(why, "banned") == 0 ||
			    strcmp(why, "that is our own address") == 0) {
				rpc_error_set(err, RPC_INVALID_PARAMETER, "%s: %s", node, why);
				return -1;
			}
			rpc_deferred_reply(d, rpc_addnode_result(node, "failed", why));
			return 0;
		}
		w->peer_id = p->id;
	} else {
		const struct manual *m = connman_manual(n->connman);

		if (connman_add_manual(n->connman, node, e, sizeof(e)) == -1) {
			free(w);
			rpc_error_set(err, RPC_INVALID_PARAMETER, "%s", e);
			return -1;
		}
		for (size_t i = 0; i < manual_count(m); i++)
			if (strcmp(manual_at(m, i)->hostport, node) == 0)
				w->manual_id = manual_at(m, i)->id;
	}
	rpc_deferred_on_cancel(d, rpc_addnode_cancel, w);
	rpc_deferred_every(d, RPC_ADDNODE_POLL_MS, rpc_addnode_poll, w);
	return 0;
}

static json_t *
rpc_disconnectnode(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	json_t *arg = json_array_get(params, 0);
	struct peer *p, *found = NULL;
	struct netaddr a;

	if (json_is_integer(arg)) {
		found = connman_peer_find(n->connman, (uint64_t)json_integer_value(arg));
	} else if (json_is_string(arg)) {
		if (netaddr_parse(json_string_value(arg), n->cfg->network.p2p_port, &a) == -1) {
			rpc_error_set(err, RPC_INVALID_ADDRESS, "not an address: %s",
			    json_string_value(arg));
			return NULL;
		}
		for (p = connman_peer_first(n->connman); p != NULL; p = connman_peer_next(p))
			if (netaddr_equal(&p->addr, &a))
				found = p;
	} else {
		rpc_error_set(err, RPC_INVALID_PARAMS, "expected a peer id or an address");
		return NULL;
	}
	if (found == NULL) {
		rpc_error_set(err, RPC_MISC_ERROR, "node not found in connected nodes");
		return NULL;
	}
	connman_disconnect(n->connman, found, "disconnected by RPC", false);
	return json_null();
}

/* Disconnect every peer inside SUB (after a ban). */
static void
rpc_kick_banned(struct rpc_node *n, const struct ban_subnet *sub)
{
	struct peer *p, *next;

	for (p = connman_peer_first(n->connman); p != NULL; p = next) {
		next = connman_peer_next(p);
		if (banman_subnet_contains(sub, &p->addr))
			connman_disconnect(n->connman, p, "banned by RPC", false);
	}
}

static bool
rpc_ban_is_v4(const struct ban_subnet *sub)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return sub->prefix >= 96 && memcmp(sub->ip, mapped, sizeof(mapped)) == 0;
}

/* A ban wider than an IPv4 /8 or an IPv6 /32 is more likely a slip
 * (0.0.0.0/0, a missing digit) than a wish: it needs force. */
static bool
rpc_ban_too_wide(const struct ban_subnet *sub)
{
	return rpc_ban_is_v4(sub) ? sub->prefix < 96 + 8 : sub->prefix < 32;
}

static json_t *
rpc_setban(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const char *target, *cmd;
	int64_t bantime, now = clock_wall();
	bool absolute, force;
	struct ban_subnet sub;
	char e[160];

	if (rpc_param_str(params, 0, NULL, 64, &target, err) == -1 ||
	    rpc_param_str(params, 1, NULL, 16, &cmd, err) == -1 ||
	    rpc_param_int(params, 2, 0, 0, INT32_MAX * 100LL, &bantime, err) == -1 ||
	    rpc_param_bool(params, 3, 0, &absolute, err) == -1 ||
	    rpc_param_bool(params, 4, 0, &force, err) == -1)
		return NULL;
	if (banman_parse_subnet(target, &sub) == -1) {
		rpc_error_set(err, RPC_INVALID_ADDRESS, "invalid IP or subnet: %s", target);
		return NULL;
	}
	if (strcmp(cmd, "remove") == 0) {
		if (banman_unban(n->banman, &sub) == -1) {
			rpc_error_set(err, RPC_MISC_ERROR, "%s was not banned", target);
			return NULL;
		}
		return json_null();
	}
	if (strcmp(cmd, "add") != 0) {
		rpc_error_set(err, RPC_INVALID_PARAMS, "command must be add or remove");
		return NULL;
	}
	if (!force && rpc_ban_too_wide(&sub)) {
		rpc_error_set(err, RPC_INVALID_PARAMETER, "%s is wider than /%d and would ban "
		    "much of the network; add force true to ban it anyway (setban %s add "
		    "BANTIME ABSOLUTE true)", target, rpc_ban_is_v4(&sub) ? 8 : 32, target);
		return NULL;
	}
	if (bantime == 0)
		bantime = n->cfg->node.ban_time;
	if (banman_ban(n->banman, &sub, absolute ? bantime : now + bantime, "manual", now,
	    e, sizeof(e)) == -1) {
		rpc_error_set(err, RPC_MISC_ERROR, "%s", e);
		return NULL;
	}
	rpc_kick_banned(n, &sub);
	return json_null();
}

static int
rpc_ban_to_json(const struct ban_entry *b, void *arg)
{
	char s[BANMAN_SUBNET_STRLEN];

	json_array_append_new(arg, json_pack("{s:s, s:I, s:I, s:s}",
	    "address", banman_format_subnet(&b->subnet, s, sizeof(s)),
	    "ban_created", (json_int_t)b->created,
	    "banned_until", (json_int_t)b->until,
	    "reason", b->reason));
	return 0;
}

static json_t *
rpc_listbanned(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	json_t *arr = json_array();

	(void)params;
	(void)err;
	banman_sweep(n->banman, clock_wall());
	banman_foreach(n->banman, rpc_ban_to_json, arr);
	return arr;
}

static json_t *
rpc_clearbanned(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;

	(void)params;
	(void)err;
	banman_clear(n->banman);
	return json_null();
}

/* The identity key's public half and what the node signs with it. */
static json_t *
rpc_getnodeidentity(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const char *reward;

	(void)params;
	(void)err;
	if (n->identity == NULL)
		return json_pack("{s:b, s:n, s:n, s:I, s:b}", "enabled", 0, "pubkey",
		    "reward_address", "services_bit", (json_int_t)NODE_IDENTITY,
		    "advertised", 0);
	reward = identity_reward(n->identity);
	return json_pack("{s:b, s:s, s:o, s:I, s:b}", "enabled", 1,
	    "pubkey", identity_pubkey_hex(n->identity),
	    "reward_address", *reward != '\0' ? json_string(reward) : json_null(),
	    "services_bit", (json_int_t)NODE_IDENTITY,
	    "advertised", (peerman_services(n->peerman) & NODE_IDENTITY) != 0);
}

static json_t *
rpc_stop(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;

	(void)params;
	(void)err;
	n->stop(n->stop_arg);
	return json_string("agentnode stopping");
}

static const struct rpc_method rpc_table[] = {
	{ .name = "getnetworkinfo", .params = "", .fn = rpc_getnetworkinfo,
	  .help = "Node identity, connection counts, traffic totals, address book sizes, "
	  "connectivityhealth (networkhealth: the same, its old name); warnings (why the "
	  "node has no peer, \"\" when it has) and bootstrap (seed rounds, retry)." },
	{ .name = "getpeerinfo", .params = "", .fn = rpc_getpeerinfo,
	  .help = "Every connected peer: addresses, direction, services, version, user "
	  "agent, height, bytes, latency, quality, reputation, country, ASN, transport (v1 "
	  "or v2) and the v2 session id (the same at both ends: compare it to rule out a man "
	  "in the middle)." },
	{ .name = "getpeerchanges", .params = "[since]", .fn = rpc_getpeerchanges,
	  .help = "The peers that changed since version SINCE (as getpeerinfo) and the ids "
	  "of those that left; pass the returned version back next time.  SINCE 0, or one "
	  "too old to answer, gives every peer with full true." },
	{ .name = "getnetworkstats", .params = "", .fn = rpc_getnetworkstats,
	  .help = "TotalNodes, ActiveNodes, GeographicSpread, AverageLatency, "
	  "ConnectivityHealth (NetworkHealth: the same; formula in agentnode(1))." },
	{ .name = "getnodeaddresses", .params = "[count]", .fn = rpc_getnodeaddresses,
	  .help = "Up to COUNT (default 1, 0 = up to 2500) known addresses from the "
	  "address book." },
	{ .name = "addnode", .params = "<node> [command]", .defer = rpc_addnode,
	  .help = "NODE is host:port; COMMAND add (default: keep a connection, retrying), "
	  "remove, or onetry (dial once).  add and onetry answer once the outcome is known: "
	  "{node, result: connected|added|failed, error}; added means still resolving or "
	  "connecting after 10 s.  Our own address, a banned one, a malformed or already "
	  "added one are refused at once." },
	{ .name = "disconnectnode", .params = "<address_or_id>", .fn = rpc_disconnectnode,
	  .help = "Disconnect a peer by address or peer id." },
	{ .name = "setban", .params = "<subnet> <command> [bantime] [absolute] [force]",
	  .fn = rpc_setban,
	  .help = "COMMAND add bans an IP or CIDR subnet for BANTIME seconds (default "
	  "node.ban_time; with ABSOLUTE true, until that Unix time); remove lifts it.  "
	  "Banned peers are disconnected.  A subnet wider than an IPv4 /8 or an IPv6 "
	  "/32 needs FORCE true." },
	{ .name = "listbanned", .params = "", .fn = rpc_listbanned,
	  .help = "Every ban with its subnet, creation, expiry and reason." },
	{ .name = "clearbanned", .params = "", .fn = rpc_clearbanned,
	  .help = "Remove every ban." },
	{ .name = "getnodeidentity", .params = "", .fn = rpc_getnodeidentity,
	  .help = "The node's identity: enabled (node.identity), pubkey (64 hex digits of "
	  "the Ed25519 key in <datadir>/identity.key, null when off), reward_address (null "
	  "when unset), services_bit (the IDENTITY bit, 16) and advertised (whether our "
	  "version messages carry it)." },
	{ .name = "stop", .params = "", .fn = rpc_stop,
	  .help = "Disconnect cleanly, save state and exit." },
};

const struct rpc_method *
rpc_methods_table(void)
{
	return rpc_table;
}

size_t
rpc_methods_count(void)
{
	return sizeof(rpc_table) / sizeof(rpc_table[0]);
}

void
rpc_methods_metrics(void *ctx, struct evbuffer *out)
{
	struct rpc_node *n = ctx;
	const struct connman_stats *cs = connman_stats(n->connman);
	const struct peerman_stats *ps = peerman_stats(n->peerman);
	struct connman_counts cnt;
	struct addrman_stats as;
	struct addrrelay_stats ars;
	struct health_input hi;

	addrrelay_stats(n->addrrelay, &ars);
	connman_counts(n->connman, &cnt);
	addrman_get_stats(n->addrman, &as);
	rpc_health_input(n, &hi);
	evbuffer_add_printf(out, "# HELP agentnode_peers Connected peers by direction.\n"
	    "# TYPE agentnode_peers gauge\n"
	    "agentnode_peers{direction=\"inbound\"} %u\n"
	    "agentnode_peers{direction=\"outbound\"} %u\n"
	    "agentnode_peers{direction=\"manual\"} %u\n"
	    "agentnode_peers{direction=\"feeler\"} %u\n",
	    cnt.inbound, cnt.outbound, cnt.manual, cnt.feeler);
	evbuffer_add_printf(out, "# HELP agentnode_addrman_entries Address book entries.\n"
	    "# TYPE agentnode_addrman_entries gauge\n"
	    "agentnode_addrman_entries{table=\"new\"} %zu\n"
	    "agentnode_addrman_entries{table=\"tried\"} %zu\n", as.n_new, as.n_tried);
	evbuffer_add_printf(out, "# HELP agentnode_messages_total P2P messages by type.\n"
	    "# TYPE agentnode_messages_total counter\n");
	for (unsigned t = 0; t < MSG_TYPE_COUNT; t++)
		evbuffer_add_printf(out,
		    "agentnode_messages_total{type=\"%s\",direction=\"recv\"} %llu\n"
		    "agentnode_messages_total{type=\"%s\",direction=\"sent\"} %llu\n",
		    msg_type_name(t), (unsigned long long)ps->msgs_recv[t],
		    msg_type_name(t), (unsigned long long)ps->msgs_sent[t]);
	evbuffer_add_printf(out, "agentnode_messages_total{type=\"unknown\",direction=\"recv\"} %llu\n",
	    (unsigned long long)ps->unknown_recv);
	evbuffer_add_printf(out, "# HELP agentnode_violations_total Protocol violations by kind.\n"
	    "# TYPE agentnode_violations_total counter\n");
	for (int k = 0; k < REP_VIOLATION_COUNT; k++)
		evbuffer_add_printf(out, "agentnode_violations_total{kind=\"%s\"} %llu\n",
		    reputation_violation_name((enum rep_violation)k),
		    (unsigned long long)ps->violations[k]);
	evbuffer_add_printf(out,
	    "# TYPE agentnode_bytes_total counter\n"
	    "agentnode_bytes_total{direction=\"recv\",state=\"closed\"} %llu\n"
	    "agentnode_bytes_total{direction=\"sent\",state=\"closed\"} %llu\n"
	    "# TYPE agentnode_bans gauge\nagentnode_bans %zu\n"
	    "# TYPE agentnode_bans_total counter\nagentnode_bans_total %llu\n"
	    "# TYPE agentnode_addr_rate_limited_total counter\nagentnode_addr_rate_limited_total %llu\n"
	    "# TYPE agentnode_inbound_refused_total counter\nagentnode_inbound_refused_total %llu\n"
	    "# TYPE agentnode_evictions_total counter\nagentnode_evictions_total %llu\n"
	    "# TYPE agentnode_network_health gauge\nagentnode_network_health %d\n"
	    "# HELP agentnode_connectivity_health This node's connectivity health, 0-100 "
	    "(agentnode_network_health: the same, its old name).\n"
	    "# TYPE agentnode_connectivity_health gauge\nagentnode_connectivity_health %d\n",
	    (unsigned long long)cs->bytes_recv_closed, (unsigned long long)cs->bytes_sent_closed,
	    banman_count(n->banman), (unsigned long long)ps->bans,
	    (unsigned long long)ars.rate_limited,
	    (unsigned long long)cs->inbound_refused,
	    (unsigned long long)cs->evictions, health_score(&hi), health_score(&hi));
	if (n->idserve != NULL) {
		struct idserve_stats is;

		idserve_stats(n->idserve, &is);
		evbuffer_add_printf(out, "# HELP agentnode_identity_challenges_total getidentity "
		    "challenges by outcome.\n"
		    "# TYPE agentnode_identity_challenges_total counter\n"
		    "agentnode_identity_challenges_total{result=\"answered\"} %llu\n"
		    "agentnode_identity_challenges_total{result=\"not_ours\"} %llu\n"
		    "agentnode_identity_challenges_total{result=\"rate_limited\"} %llu\n"
		    "agentnode_identity_challenges_total{result=\"old_version\"} %llu\n",
		    (unsigned long long)is.answered, (unsigned long long)is.not_ours,
		    (unsigned long long)is.rate_limited, (unsigned long long)is.old_version);
	}
}
