/* source.c -- one watched agentnode: asynchronous RPC polling, parsed state, history and event diffing.
 *
 * The four answers of a round are applied together, after the last one
 * arrives, so a view never mixes one poll's peers with another's totals.
 * The snapshot is replaced wholesale; views keep peer ids, never pointers
 * or rows, so a replaced array cannot leave them dangling. */
#include "source.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "fmt.h"
#include "geoip.h"
#include "map.h"
#include "proc.h"
#include "rpc_client.h"
#include "strutil.h"
#include "xmalloc.h"

/* Per round, at most this many connect/disconnect lines; the rest are
 * summed up in one line (a restarted node with 10,000 peers must not
 * flood the log). */
#define SOURCE_EVENTS_PER_ROUND	50

static const char *source_methods[4] = {
	"getnetworkinfo", "getpeerinfo", "getnetworkstats", "listbanned",
};

double
source_clock(void)
{
	return (double)clock_mono_us() / 1e6;
}

const char *
source_state_name(enum source_state st)
{
	switch (st) {
	case SOURCE_CONNECTING: return "connecting";
	case SOURCE_UP: return "live";
	case SOURCE_DOWN: return "disconnected, retrying";
	}
	return "?";
}

/* --- JSON access: every value is checked for its type ---------------- */

static int64_t
j_int(json_t *o, const char *key, int64_t def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v) && isfinite(json_real_value(v)) &&
	    fabs(json_real_value(v)) < 9e18)
		return (int64_t)json_real_value(v);
	return def;
}

static double
j_num(json_t *o, const char *key, double def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v) && isfinite(json_number_value(v)))
		return json_number_value(v);
	return def;
}

static bool
j_bool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* Copy a string value, made safe for display; "" when absent.  The node
 * sanitises what peers say before it answers, so this must not escape that
 * again (fmt_untrusted keeps its backslashes). */
static void
j_str(json_t *o, const char *key, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		out[0] = '\0';
		return;
	}
	fmt_untrusted(json_string_value(v), json_string_length(v), out, outlen);
}

static int32_t
clamp_i32(int64_t v)
{
	return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static uint64_t
clamp_u64(int64_t v)
{
	return v < 0 ? 0 : (uint64_t)v;
}

/* --- the id index ------------------------------------------------------ */

/* The peer with ID in the snapshot IDX indexes (NULL: none), or NULL. */
static const struct peer_info *
idx_lookup(const struct map *idx, uint64_t id)
{
	return idx != NULL ? map_get(idx, &id, sizeof(id)) : NULL;
}

/* Index s->peers by id in s->idx; a duplicate id keeps the later entry. */
static void
source_index(struct source *s)
{
	if (s->idx == NULL)
		s->idx = map_new();
	map_clear(s->idx);
	for (size_t i = 0; i < s->npeers; i++)
		map_put(s->idx, &s->peers[i].id, sizeof(s->peers[i].id), &s->peers[i]);
}

long
source_peer_index(const struct source *s, uint64_t id)
{
	const struct peer_info *p = idx_lookup(s->idx, id);

	return p != NULL ? (long)(p - s->peers) : -1;
}

const struct peer_info *
source_peer(const struct source *s, uint64_t id)
{
	long i = source_peer_index(s, id);

	return i < 0 ? NULL : &s->peers[i];
}

/* --- parsing ------------------------------------------------------------- */

static double
seconds_to_ms(json_t *o, const char *key)
{
	double v = j_num(o, key, -1);

	return v < 0 ? -1 : v * 1000.0;
}

static void
parse_peer(json_t *o, struct peer_info *p)
{
	json_t *q = json_object_get(o, "quality"), *rep = json_object_get(o, "reputation");
	json_t *lat = json_object_get(o, "latency_history_ms"), *viol, *v;
	size_t n, i;

	memset(p, 0, sizeof(*p));
	p->id = clamp_u64(j_int(o, "id", 0));
	j_str(o, "addr", p->addr, sizeof(p->addr));
	p->has_na = netaddr_parse(p->addr, 1, &p->na) == 0;
	j_str(o, "direction", p->direction, sizeof(p->direction));
	j_str(o, "connection_type", p->conn_type, sizeof(p->conn_type));
	p->handshake_complete = j_bool(o, "handshake_complete");
	j_str(o, "country", p->country, sizeof(p->country));
	p->asn = (uint32_t)(j_int(o, "asn", 0) & 0xffffffff);
	p->ping_ms = seconds_to_ms(o, "pingtime");
	p->minping_ms = seconds_to_ms(o, "minping");
	p->avgping_ms = seconds_to_ms(o, "avgping");
	p->pingwait_ms = seconds_to_ms(o, "pingwait");
	p->version = clamp_i32(j_int(o, "version", 0));
	j_str(o, "subver", p->subver, sizeof(p->subver));
	p->start_height = clamp_i32(j_int(o, "startingheight", -1));
	p->services = clamp_u64(j_int(o, "services", 0));
	p->bytes_sent = clamp_u64(j_int(o, "bytessent", 0));
	p->bytes_recv = clamp_u64(j_int(o, "bytesrecv", 0));
	p->send_rate = j_num(o, "sendrate", 0);
	p->recv_rate = j_num(o, "recvrate", 0);
	p->conntime = j_int(o, "conntime", 0);
	p->connected_secs = j_int(o, "connected_seconds", 0);
	p->lastsend = j_int(o, "lastsend", 0);
	p->lastrecv = j_int(o, "lastrecv", 0);
	p->addr_processed = clamp_u64(j_int(o, "addr_processed", 0));
	p->addr_rate_limited = clamp_u64(j_int(o, "addr_rate_limited", 0));
	p->quality_score = clamp_i32(j_int(q, "score", 0));
	p->reliability = j_num(q, "reliability", 0);
	p->rep_score = clamp_i32(j_int(rep, "score", 0));
	n = json_is_array(lat) ? json_array_size(lat) : 0;
	for (i = n > SOURCE_LATHIST ? n - SOURCE_LATHIST : 0; i < n; i++) {
		v = json_array_get(lat, i);
		if (json_is_number(v) && isfinite(json_number_value(v)))
			p->lathist[p->nlathist++] = json_number_value(v);
	}
	viol = json_object_get(rep, "violations");
	n = json_is_array(viol) ? json_array_size(viol) : 0;
	for (i = n > SOURCE_VIOLATIONS ? n - SOURCE_VIOLATIONS : 0; i < n; i++) {
		struct peer_violation *pv = &p->viol[p->nviol];

		v = json_array_get(viol, i);
		if (!json_is_object(v))
			continue;
		j_str(v, "kind", pv->kind, sizeof(pv->kind));
		pv->time = j_int(v, "time", 0);
		p->nviol++;
	}
}

static void
parse_info(json_t *o, struct node_info *ni)
{
	memset(ni, 0, sizeof(*ni));
	j_str(o, "version", ni->version, sizeof(ni->version));
	j_str(o, "subversion", ni->subversion, sizeof(ni->subversion));
	j_str(o, "network", ni->network, sizeof(ni->network));
	ni->protocol = clamp_i32(j_int(o, "protocolversion", 0));
	ni->connections = clamp_i32(j_int(o, "connections", 0));
	ni->conn_in = clamp_i32(j_int(o, "connections_in", 0));
	ni->conn_out = clamp_i32(j_int(o, "connections_out", 0));
	ni->min_peers = clamp_i32(j_int(o, "min_peers", 0));
	ni->max_peers = clamp_i32(j_int(o, "max_peers", 0));
	ni->height = clamp_i32(j_int(o, "height", 0));
	ni->bytes_recv = clamp_u64(j_int(o, "totalbytesrecv", 0));
	ni->bytes_sent = clamp_u64(j_int(o, "totalbytessent", 0));
	ni->uptime = j_int(o, "uptime", 0);
	ni->addrman_new = clamp_i32(j_int(o, "addrman_new", 0));
	ni->addrman_tried = clamp_i32(j_int(o, "addrman_tried", 0));
	ni->banned = clamp_i32(j_int(o, "banned", 0));
	ni->health = clamp_i32(j_int(o, "networkhealth", 0));
}

static int
cmp_spread(const void *a, const void *b)
{
	const struct country_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->cc, y->cc);
}

static void
parse_stats(json_t *o, struct net_stats *st)
{
	json_t *spread = json_object_get(o, "GeographicSpread"), *v;
	const char *key;

	memset(st, 0, sizeof(*st));
	st->total_nodes = j_int(o, "TotalNodes", 0);
	st->active_nodes = clamp_i32(j_int(o, "ActiveNodes", 0));
	st->avg_latency_ms = j_num(o, "AverageLatency", -1);
	st->health = clamp_i32(j_int(o, "NetworkHealth", 0));
	if (json_is_object(spread)) {
		json_object_foreach(spread, key, v) {
			struct country_count *c;

			if (st->nspread >= SOURCE_MAX_SPREAD || !json_is_integer(v))
				continue;
			c = &st->spread[st->nspread++];
			fmt_untrusted(key, strlen(key), c->cc, sizeof(c->cc));
			c->n = (unsigned)(json_integer_value(v) < 0 ? 0 :
			    json_integer_value(v) > UINT32_MAX ? UINT32_MAX : json_integer_value(v));
		}
		qsort(st->spread, st->nspread, sizeof(st->spread[0]), cmp_spread);
	}
}

static int
cmp_ban(const void *a, const void *b)
{
	return strcmp(((const struct ban_info *)a)->address, ((const struct ban_info *)b)->address);
}

/* --- events -------------------------------------------------------------- */

static void
source_emit(struct source *s, enum source_event kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
source_emit(struct source *s, enum source_event kind, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (s->on_event == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->on_event(s, kind, buf, s->cb_arg);
}

/* The snapshot being replaced, kept for diffing. */
struct source_old {
	struct peer_info	*peers;
	size_t			 npeers;
	struct map		*idx;
	struct ban_info		*bans;
	size_t			 nbans;
	struct node_info	 info;
};

static void
source_diff_peers(struct source *s, const struct source_old *old)
{
	const struct peer_info *oldp = old->peers;
	size_t nold = old->npeers;
	unsigned shown = 0, hidden_c = 0, hidden_d = 0;
	char d[FMT_LEN];

	for (size_t i = 0; i < s->npeers; i++) {
		const struct peer_info *p = &s->peers[i];
		const struct peer_info *op = idx_lookup(old->idx, p->id);
		int64_t newest = INT64_MIN;

		if (op == NULL) {
			if (shown++ < SOURCE_EVENTS_PER_ROUND)
				source_emit(s, SEV_CONNECT, "connect #%llu %s %s %s",
				    (unsigned long long)p->id, p->addr, p->direction,
				    p->subver[0] ? p->subver : "(no version yet)");
			else
				hidden_c++;
		} else {
			for (int k = 0; k < op->nviol; k++)
				if (op->viol[k].time > newest)
					newest = op->viol[k].time;
		}
		/* Violations newer than any this peer had before (all of a
		 * newcomer's) are news. */
		for (int k = 0; k < p->nviol; k++)
			if (p->viol[k].time > newest)
				source_emit(s, SEV_VIOLATION, "violation #%llu %s: %s (reputation %d)",
				    (unsigned long long)p->id, p->addr, p->viol[k].kind, p->rep_score);
	}
	for (size_t i = 0; i < nold; i++) {
		if (source_peer_index(s, oldp[i].id) >= 0)
			continue;
		if (shown++ < SOURCE_EVENTS_PER_ROUND)
			source_emit(s, SEV_DISCONNECT, "disconnect #%llu %s after %s",
			    (unsigned long long)oldp[i].id, oldp[i].addr,
			    fmt_duration(oldp[i].connected_secs, d, sizeof(d)));
		else
			hidden_d++;
	}
	if (hidden_c + hidden_d > 0)
		source_emit(s, SEV_CONNECT, "... and %u more connects, %u more disconnects",
		    hidden_c, hidden_d);
}

static void
source_diff_bans(struct source *s, const struct ban_info *oldb, size_t nold)
{
	size_t i = 0, j = 0;

	/* Both lists are sorted by address: one merge pass. */
	while (i < nold || j < s->nbans) {
		int c = i >= nold ? 1 : j >= s->nbans ? -1 :
		    strcmp(oldb[i].address, s->bans[j].address);

		if (c < 0) {
			source_emit(s, SEV_UNBAN, "unban %s", oldb[i].address);
			i++;
		} else if (c > 0) {
			char until[32] = "?";
			time_t t = (time_t)s->bans[j].until;
			struct tm tm;

			if (localtime_r(&t, &tm) != NULL)
				strftime(until, sizeof(until), "%Y-%m-%d %H:%M", &tm);
			source_emit(s, SEV_BAN, "ban %s until %s (%s)", s->bans[j].address, until,
			    s->bans[j].reason[0] ? s->bans[j].reason : "no reason");
			j++;
		} else {
			i++;
			j++;
		}
	}
}

/* --- applying a round ---------------------------------------------------- */

static void
source_locate(struct source *s, struct peer_info *p, const struct peer_info *old)
{
	struct geoip_info gi;

	if (old != NULL && old->has_na && p->has_na && netaddr_equal(&old->na, &p->na)) {
		p->has_loc = old->has_loc;
		p->lat = old->lat;
		p->lon = old->lon;
		memcpy(p->city, old->city, sizeof(p->city));
		if (p->country[0] == '\0')
			memcpy(p->country, old->country, sizeof(p->country));
		return;
	}
	if (s->geoip == NULL || !p->has_na || geoip_lookup(s->geoip, &p->na, &gi) == -1)
		return;
	if (gi.has_location) {
		p->has_loc = true;
		p->lat = gi.latitude;
		p->lon = gi.longitude;
	}
	str_copy(p->city, gi.city, sizeof(p->city));
	if (p->country[0] == '\0' && gi.country[0] != '\0')
		str_copy(p->country, gi.country, sizeof(p->country));
	if (p->asn == 0)
		p->asn = gi.asn;
}

int
source_apply(struct source *s, json_t *info, json_t *peers, json_t *stats, json_t *bans,
    double now, char *err, size_t errlen)
{
	struct source_old old;
	struct peer_info *np;
	struct ban_info *nb;
	size_t n, nbans, k;
	double t0 = source_clock(), lat_sum = 0;
	unsigned lat_n = 0;
	bool first = !s->have_data;

	if (!json_is_object(info) || !json_is_array(peers) || !json_is_object(stats) ||
	    !json_is_array(bans)) {
		str_errf(err, errlen, "unexpected answer shape (not an agentnode?)");
		return -1;
	}
	n = json_array_size(peers);
	if (n > SOURCE_MAX_PEERS)
		n = SOURCE_MAX_PEERS;
	np = xcalloc(n > 0 ? n : 1, sizeof(*np));
	k = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(peers, i);

		if (json_is_object(o))
			parse_peer(o, &np[k++]);
	}
	n = k;
	nbans = json_array_size(bans);
	if (nbans > SOURCE_MAX_BANS)
		nbans = SOURCE_MAX_BANS;
	nb = xcalloc(nbans > 0 ? nbans : 1, sizeof(*nb));
	k = 0;
	for (size_t i = 0; i < nbans; i++) {
		json_t *o = json_array_get(bans, i);

		if (!json_is_object(o))
			continue;
		j_str(o, "address", nb[k].address, sizeof(nb[k].address));
		nb[k].created = j_int(o, "ban_created", 0);
		nb[k].until = j_int(o, "banned_until", 0);
		j_str(o, "reason", nb[k].reason, sizeof(nb[k].reason));
		k++;
	}
	nbans = k;
	qsort(nb, nbans, sizeof(*nb), cmp_ban);

	/* Keep the old snapshot (and its index) for diffing. */
	old.peers = s->peers;
	old.npeers = s->npeers;
	old.idx = s->idx;
	old.bans = s->bans;
	old.nbans = s->nbans;
	old.info = s->info;
	s->peers = np;
	s->npeers = n;
	s->idx = s->idx_spare;		/* the index before last, reused */
	source_index(s);
	for (size_t i = 0; i < n; i++) {
		source_locate(s, &np[i], idx_lookup(old.idx, np[i].id));
		if (np[i].ping_ms >= 0) {
			lat_sum += np[i].ping_ms;
			lat_n++;
		}
	}
	s->bans = nb;
	s->nbans = nbans;
	parse_info(info, &s->info);
	parse_stats(stats, &s->stats);

	if (!first && now > s->last_update) {
		double dt = now - s->last_update;

		s->rate_in = s->info.bytes_recv >= old.info.bytes_recv ?
		    (double)(s->info.bytes_recv - old.info.bytes_recv) / dt : 0;
		s->rate_out = s->info.bytes_sent >= old.info.bytes_sent ?
		    (double)(s->info.bytes_sent - old.info.bytes_sent) / dt : 0;
	}
	chart_series_push(&s->h_latency, lat_n > 0 ? lat_sum / lat_n : NAN);
	chart_series_push(&s->h_health, s->info.health);
	chart_series_push(&s->h_peers, (double)n);
	chart_series_push(&s->h_rate_in, first ? NAN : s->rate_in);
	chart_series_push(&s->h_rate_out, first ? NAN : s->rate_out);

	if (first) {
		source_emit(s, SEV_STATE, "%s: %zu peers, %zu bans, height %d", s->label, n, nbans,
		    (int)s->info.height);
	} else {
		if (s->state != SOURCE_UP)
			source_emit(s, SEV_STATE, "%s is back: %zu peers", s->label, n);
		source_diff_peers(s, &old);
		source_diff_bans(s, old.bans, old.nbans);
	}
	free(old.peers);
	s->idx_spare = old.idx;
	free(old.bans);

	if (s->state != SOURCE_UP)
		s->since = now;
	s->state = SOURCE_UP;
	s->error[0] = '\0';
	s->have_data = true;
	s->last_update = now;
	s->rounds_ok++;
	s->generation++;
	s->parse_us_total += (source_clock() - t0) * 1e6;
	s->parses++;
	return 0;
}

void
source_fail(struct source *s, const char *why, double now)
{
	if (s->state != SOURCE_DOWN) {
		source_emit(s, SEV_STATE, "%s unreachable: %s", s->label, why);
		s->since = now;
	}
	s->state = SOURCE_DOWN;
	str_copy(s->error, why, sizeof(s->error));
	s->rounds_failed++;
	s->generation++;
}

/* --- polling ------------------------------------------------------------- */

static void
source_round_done(struct source *s)
{
	char err[256];
	double now = source_clock();

	if (s->round_failed) {
		source_fail(s, s->round_error, now);
	} else if (source_apply(s, s->reply[0], s->reply[1], s->reply[2], s->reply[3], now,
	    err, sizeof(err)) == -1) {
		source_fail(s, err, now);
	}
	for (int i = 0; i < 4; i++) {
		json_decref(s->reply[i]);
		s->reply[i] = NULL;
	}
	if (s->on_update != NULL)
		s->on_update(s, s->cb_arg);
}

static void
source_reply_cb(void *arg, json_t *result, const struct rpc_error *err)
{
	struct source_slot *sl = arg;
	struct source *s = sl->s;

	s->inflight--;
	if (s->closing)
		return;
	if (err != NULL) {
		if (!s->round_failed)
			snprintf(s->round_error, sizeof(s->round_error), "%s", err->message);
		s->round_failed = true;
	} else {
		s->reply[sl->i] = json_incref(result);
	}
	if (s->inflight == 0)
		source_round_done(s);
}

void
source_poll_now(struct source *s)
{
	if (s->rpc == NULL || s->inflight > 0 || s->paused || s->closing)
		return;
	s->round_failed = false;
	s->round_error[0] = '\0';
	for (int i = 0; i < 4; i++) {
		s->slot[i].s = s;
		s->slot[i].i = i;
		if (rpc_client_call(s->rpc, source_methods[i], NULL, s->timeout, source_reply_cb,
		    &s->slot[i]) == 0) {
			s->inflight++;
		} else {
			s->round_failed = true;
			snprintf(s->round_error, sizeof(s->round_error), "cannot call %s",
			    source_methods[i]);
		}
	}
	if (s->inflight == 0)
		source_round_done(s);
}

static void
source_poll_cb(void *arg, int64_t now_ms)
{
	(void)now_ms;
	source_poll_now(arg);
}

static int64_t
source_period_ms(const struct source *s)
{
	return (int64_t)(s->interval * 1000 + 0.5);
}

void
source_start(struct source *s)
{
	if (s->proc == NULL || s->poll != NULL)
		return;
	source_poll_now(s);
	s->poll = proc_task_add(s->proc, s->label, source_period_ms(s), source_period_ms(s),
	    source_poll_cb, s);
}

void
source_set_interval(struct source *s, double interval)
{
	s->interval = interval;
	if (s->poll != NULL)
		proc_task_set_period(s->poll, source_period_ms(s));
}

void
source_set_paused(struct source *s, bool paused)
{
	s->paused = paused;
}

struct source *
source_new(struct proc *proc, const char *label, const char *host, uint16_t port,
    const char *cookie, double interval, double timeout)
{
	struct source *s = xcalloc(1, sizeof(*s));

	str_copy(s->label, label, sizeof(s->label));
	str_copy(s->host, host, sizeof(s->host));
	s->port = port;
	s->cookie = cookie != NULL ? xstrdup(cookie) : NULL;
	s->proc = proc;
	s->interval = interval > 0 ? interval : 1;
	s->timeout = timeout > 0 ? timeout : 5;
	s->since = source_clock();
	if (proc != NULL)
		s->rpc = rpc_client_new(proc_base(proc), host, port, cookie);
	return s;
}

void
source_set_callbacks(struct source *s, source_update_cb up, source_event_cb ev, void *arg)
{
	s->on_update = up;
	s->on_event = ev;
	s->cb_arg = arg;
}

void
source_set_geoip(struct source *s, const struct geoip *g)
{
	s->geoip = g;
}

void
source_free(struct source *s)
{
	if (s == NULL)
		return;
	s->closing = true;
	proc_task_remove(s->poll);
	rpc_client_free(s->rpc);	/* callbacks see closing and only count down */
	for (int i = 0; i < 4; i++)
		json_decref(s->reply[i]);
	free(s->peers);
	map_free(s->idx);
	map_free(s->idx_spare);
	free(s->bans);
	free(s->cookie);
	free(s);
}

/* --- actions ------------------------------------------------------------- */

struct source_action {
	struct source		*s;
	source_action_cb	 cb;
	void			*arg;
	char			 what[160];	/* "disconnect peer #12 (1.2.3.4:9001)" */
};

static void
source_action_reply(void *arg, json_t *result, const struct rpc_error *err)
{
	struct source_action *a = arg;
	struct source *s = a->s;
	char msg[512];

	(void)result;
	if (!s->closing) {
		if (err == NULL)
			snprintf(msg, sizeof(msg), "%s: done", a->what);
		else
			snprintf(msg, sizeof(msg), "%s failed: %s", a->what, err->message);
		source_emit(s, SEV_ACTION, "%s", msg);
		if (a->cb != NULL)
			a->cb(s, err == NULL, msg, a->arg);
		source_poll_now(s);
	}
	free(a);
}

static int
source_action(struct source *s, const char *method, json_t *params, const char *what,
    source_action_cb cb, void *arg)
{
	struct source_action *a;

	if (s->rpc == NULL || s->closing) {
		json_decref(params);
		return -1;
	}
	a = xcalloc(1, sizeof(*a));
	a->s = s;
	a->cb = cb;
	a->arg = arg;
	str_copy(a->what, what, sizeof(a->what));
	if (rpc_client_call(s->rpc, method, params, s->timeout, source_action_reply, a) == -1) {
		free(a);
		return -1;
	}
	return 0;
}

int
source_disconnect(struct source *s, uint64_t id, const char *what, source_action_cb cb,
    void *arg)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "disconnect peer #%llu%s%s", (unsigned long long)id,
	    what != NULL ? " " : "", what != NULL ? what : "");
	return source_action(s, "disconnectnode", json_pack("[I]", (json_int_t)id), buf, cb,
	    arg);
}

int
source_ban(struct source *s, const char *ip, int64_t seconds, source_action_cb cb, void *arg)
{
	char buf[160], d[FMT_LEN];

	if (ip == NULL || *ip == '\0' || seconds <= 0)
		return -1;
	snprintf(buf, sizeof(buf), "ban %s for %s", ip, fmt_duration(seconds, d, sizeof(d)));
	return source_action(s, "setban", json_pack("[s, s, I]", ip, "add", (json_int_t)seconds),
	    buf, cb, arg);
}

int
source_addnode(struct source *s, const char *hostport, source_action_cb cb, void *arg)
{
	char buf[160];

	if (hostport == NULL || *hostport == '\0')
		return -1;
	snprintf(buf, sizeof(buf), "add node %s", hostport);
	return source_action(s, "addnode", json_pack("[s, s]", hostport, "add"), buf, cb, arg);
}
