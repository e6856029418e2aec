/* source.c -- one watched agentnode: asynchronous RPC polling, parsed state, history and event diffing.
 *
 * The answers of a round are applied together, after the last one
 * arrives, so a view never mixes one poll's peers with another's totals.
 * The peer table is kept and updated in place: getpeerchanges brings only
 * what changed, getpeerinfo (older nodes) the whole table, whose missing
 * peers then left.  Views keep peer ids, never pointers or rows, so a
 * moved or removed entry cannot leave them dangling. */
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
#include "jsonval.h"
#include "map.h"
#include "proc.h"
#include "rpc_client.h"
#include "strutil.h"
#include "xmalloc.h"

/* Per round, at most this many connect/disconnect lines; the rest are
 * summed up in one line (a restarted node with 10,000 peers must not
 * flood the log). */
#define SOURCE_EVENTS_PER_ROUND	50
/* addnode answers once the outcome is known: give it this long at least. */
#define SOURCE_ADDNODE_TIMEOUT	30.0

double
source_clock(void)
{
	return (double)clock_mono_us() / 1e6;
}

double
source_wall(void)
{
	return (double)clock_wall_ms() / 1e3;
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

/* The index of the peer with ID, or -1.  The map holds index + 1. */
long
source_peer_index(const struct source *s, uint64_t id)
{
	void *v = s->idx != NULL ? map_get(s->idx, &id, sizeof(id)) : NULL;

	return v != NULL ? (long)((uintptr_t)v - 1) : -1;
}

const struct peer_info *
source_peer(const struct source *s, uint64_t id)
{
	long i = source_peer_index(s, id);

	return i < 0 ? NULL : &s->peers[i];
}

static void
idx_set(struct source *s, size_t i)
{
	map_put(s->idx, &s->peers[i].id, sizeof(s->peers[i].id), (void *)(uintptr_t)(i + 1));
}

/* Remove entry I: the last one moves into its place. */
static void
source_remove_at(struct source *s, size_t i)
{
	size_t last = s->npeers - 1;

	map_remove(s->idx, &s->peers[i].id, sizeof(s->peers[i].id));
	if (i != last) {
		s->peers[i] = s->peers[last];
		idx_set(s, i);
	}
	s->npeers--;
}

/* --- per-peer history ------------------------------------------------------ */

static void
hist_push(struct peer_info *p, double ms, uint32_t t)
{
	if (!(ms >= 0) || !isfinite(ms))
		return;
	p->hist_ms[p->hist_head] = (float)ms;
	p->hist_t[p->hist_head] = t;
	p->hist_head = (uint16_t)((p->hist_head + 1) % SOURCE_PEERHIST);
	if (p->hist_n < SOURCE_PEERHIST)
		p->hist_n++;
}

size_t
source_peer_history(const struct peer_info *p, double *ms, int64_t *t, size_t max)
{
	size_t n = p->hist_n < max ? p->hist_n : max;
	size_t first = (p->hist_head + SOURCE_PEERHIST - p->hist_n) % SOURCE_PEERHIST;

	/* The newest N when MAX is short. */
	first = (first + (p->hist_n - n)) % SOURCE_PEERHIST;
	for (size_t i = 0; i < n; i++) {
		size_t k = (first + i) % SOURCE_PEERHIST;

		ms[i] = p->hist_ms[k];
		if (t != NULL)
			t[i] = p->hist_t[k];
	}
	return n;
}

double
source_peer_jitter(const struct peer_info *p)
{
	double v[SOURCE_PEERHIST], sum = 0;
	size_t n = source_peer_history(p, v, NULL, SOURCE_PEERHIST);

	if (n < 2)
		return -1;
	for (size_t i = 1; i < n; i++)
		sum += fabs(v[i] - v[i - 1]);
	return sum / (double)(n - 1);
}

double
source_peer_loss(const struct peer_info *p)
{
	uint64_t answered, asked;

	if (!p->has_pingcount || p->pings_sent == 0)
		return -1;
	/* The ping still waiting is not lost yet. */
	asked = p->pings_sent - (p->pingwait_ms >= 0 && p->pings_sent > 0 ? 1 : 0);
	answered = p->pongs_recv < asked ? p->pongs_recv : asked;
	return asked > 0 ? (double)(asked - answered) / (double)asked : 0;
}

int64_t
source_peer_age(const struct peer_info *p, int64_t now)
{
	return p->conntime > 0 && now > p->conntime ? now - p->conntime : 0;
}

/* --- parsing ------------------------------------------------------------- */

static double
seconds_to_ms(json_t *o, const char *key)
{
	double v = jv_num(o, key, -1);

	return v < 0 ? -1 : v * 1000.0;
}

/* The node's latency history of a peer, parsed beside it. */
struct lat_scratch {
	double	v[SOURCE_LATHIST];
	int	n;
};

static void
parse_peer(json_t *o, struct peer_info *p, struct lat_scratch *ls)
{
	json_t *q = json_object_get(o, "quality"), *rep = json_object_get(o, "reputation");
	json_t *lat = json_object_get(o, "latency_history_ms"), *viol, *v;
	json_t *bt = json_object_get(o, "bytes_by_type");
	size_t n, i;

	memset(p, 0, sizeof(*p));
	p->id = clamp_u64(jv_int(o, "id", 0));
	jv_str(o, "addr", p->addr, sizeof(p->addr));
	p->has_na = netaddr_parse(p->addr, 1, &p->na) == 0;
	jv_str(o, "direction", p->direction, sizeof(p->direction));
	jv_str(o, "connection_type", p->conn_type, sizeof(p->conn_type));
	p->handshake_complete = jv_bool(o, "handshake_complete");
	jv_str(o, "country", p->country, sizeof(p->country));
	p->asn = (uint32_t)(jv_int(o, "asn", 0) & 0xffffffff);
	p->ping_ms = seconds_to_ms(o, "pingtime");
	p->minping_ms = seconds_to_ms(o, "minping");
	p->avgping_ms = seconds_to_ms(o, "avgping");
	p->pingwait_ms = seconds_to_ms(o, "pingwait");
	p->version = clamp_i32(jv_int(o, "version", 0));
	jv_str(o, "subver", p->subver, sizeof(p->subver));
	p->start_height = clamp_i32(jv_int(o, "startingheight", -1));
	p->synced_headers = clamp_i32(jv_int(o, "synced_headers", -1));
	p->synced_blocks = clamp_i32(jv_int(o, "synced_blocks", -1));
	p->services = clamp_u64(jv_int(o, "services", 0));
	jv_str(o, "transport", p->transport, sizeof(p->transport));
	jv_str(o, "session_id", p->session_id, sizeof(p->session_id));
	p->bytes_sent = clamp_u64(jv_int(o, "bytessent", 0));
	p->bytes_recv = clamp_u64(jv_int(o, "bytesrecv", 0));
	p->send_rate = jv_num(o, "sendrate", 0);
	p->recv_rate = jv_num(o, "recvrate", 0);
	p->conntime = jv_int(o, "conntime", 0);
	p->addr_processed = clamp_u64(jv_int(o, "addr_processed", 0));
	p->addr_rate_limited = clamp_u64(jv_int(o, "addr_rate_limited", 0));
	p->quality_score = clamp_i32(jv_int(q, "score", 0));
	p->reliability = jv_num(q, "reliability", 0);
	p->rep_score = clamp_i32(jv_int(rep, "score", 0));
	if (json_is_object(bt)) {
		json_t *ping = json_object_get(bt, "ping"), *pong = json_object_get(bt, "pong");

		p->has_pingcount = true;
		p->pings_sent = clamp_u64(jv_int(ping, "sent", 0));
		p->pongs_recv = clamp_u64(jv_int(pong, "recv", 0));
	}
	ls->n = 0;
	n = json_is_array(lat) ? json_array_size(lat) : 0;
	for (i = n > SOURCE_LATHIST ? n - SOURCE_LATHIST : 0; i < n; i++) {
		v = json_array_get(lat, i);
		if (json_is_number(v) && isfinite(json_number_value(v)) && json_number_value(v) >= 0)
			ls->v[ls->n++] = json_number_value(v);
	}
	viol = json_object_get(rep, "violations");
	n = json_is_array(viol) ? json_array_size(viol) : 0;
	for (i = n > SOURCE_VIOLATIONS ? n - SOURCE_VIOLATIONS : 0; i < n; i++) {
		struct peer_violation *pv = &p->viol[p->nviol];

		v = json_array_get(viol, i);
		if (!json_is_object(v))
			continue;
		jv_str(v, "kind", pv->kind, sizeof(pv->kind));
		pv->time = jv_int(v, "time", 0);
		p->nviol++;
	}
}

static void
parse_info(json_t *o, json_t *chain, struct node_info *ni)
{
	memset(ni, 0, sizeof(*ni));
	jv_str(o, "version", ni->version, sizeof(ni->version));
	jv_str(o, "subversion", ni->subversion, sizeof(ni->subversion));
	jv_str(o, "network", ni->network, sizeof(ni->network));
	ni->protocol = clamp_i32(jv_int(o, "protocolversion", 0));
	ni->connections = clamp_i32(jv_int(o, "connections", 0));
	ni->conn_in = clamp_i32(jv_int(o, "connections_in", 0));
	ni->conn_out = clamp_i32(jv_int(o, "connections_out", 0));
	ni->min_peers = clamp_i32(jv_int(o, "min_peers", 0));
	ni->max_peers = clamp_i32(jv_int(o, "max_peers", 0));
	ni->height = clamp_i32(jv_int(o, "height", 0));
	ni->bytes_recv = clamp_u64(jv_int(o, "totalbytesrecv", 0));
	ni->bytes_sent = clamp_u64(jv_int(o, "totalbytessent", 0));
	ni->uptime = jv_int(o, "uptime", 0);
	ni->addrman_new = clamp_i32(jv_int(o, "addrman_new", 0));
	ni->addrman_tried = clamp_i32(jv_int(o, "addrman_tried", 0));
	ni->banned = clamp_i32(jv_int(o, "banned", 0));
	ni->health = clamp_i32(jv_int(o, "connectivityhealth", jv_int(o, "networkhealth", 0)));
	if (json_is_object(chain)) {
		ni->has_chain = true;
		ni->blocks = jv_int(chain, "blocks", 0);
		ni->headers = jv_int(chain, "headers", ni->blocks);
		ni->height = clamp_i32(ni->blocks);
	}
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
	st->total_nodes = jv_int(o, "TotalNodes", 0);
	st->active_nodes = clamp_i32(jv_int(o, "ActiveNodes", 0));
	st->avg_latency_ms = jv_num(o, "AverageLatency", -1);
	st->health = clamp_i32(jv_int(o, "NetworkHealth", 0));
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

/* The bans of listbanned, sorted by address; *N set.  Caller frees. */
static struct ban_info *
parse_bans(json_t *bans, size_t *np)
{
	size_t n = json_array_size(bans), k = 0;
	struct ban_info *nb;

	if (n > SOURCE_MAX_BANS)
		n = SOURCE_MAX_BANS;
	nb = xcalloc(n > 0 ? n : 1, sizeof(*nb));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(bans, i);

		if (!json_is_object(o))
			continue;
		jv_str(o, "address", nb[k].address, sizeof(nb[k].address));
		nb[k].created = jv_int(o, "ban_created", 0);
		nb[k].until = jv_int(o, "banned_until", 0);
		jv_str(o, "reason", nb[k].reason, sizeof(nb[k].reason));
		k++;
	}
	qsort(nb, k, sizeof(*nb), cmp_ban);
	*np = k;
	return nb;
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

/* Connects and disconnects of one round, capped. */
struct source_tally {
	unsigned	shown, hidden_c, hidden_d;
	bool		quiet;		/* the first round: one summary line instead */
};

static void
tally_connect(struct source *s, struct source_tally *t, const struct peer_info *p)
{
	if (t->quiet)
		return;
	if (t->shown++ < SOURCE_EVENTS_PER_ROUND)
		source_emit(s, SEV_CONNECT, "connect #%llu %s %s %s", (unsigned long long)p->id,
		    p->addr, p->direction, p->subver[0] ? p->subver : "(no version yet)");
	else
		t->hidden_c++;
}

static void
tally_disconnect(struct source *s, struct source_tally *t, const struct peer_info *p,
    int64_t wall)
{
	char d[FMT_LEN];

	if (t->quiet)
		return;
	if (t->shown++ < SOURCE_EVENTS_PER_ROUND)
		source_emit(s, SEV_DISCONNECT, "disconnect #%llu %s after %s",
		    (unsigned long long)p->id, p->addr,
		    fmt_duration(source_peer_age(p, wall), d, sizeof(d)));
	else
		t->hidden_d++;
}

static void
source_diff_bans(struct source *s, const struct ban_info *oldb, size_t nold, bool *changed)
{
	size_t i = 0, j = 0;

	/* Both lists are sorted by address: one merge pass. */
	while (i < nold || j < s->nbans) {
		int c = i >= nold ? 1 : j >= s->nbans ? -1 :
		    strcmp(oldb[i].address, s->bans[j].address);

		if (c < 0) {
			source_emit(s, SEV_UNBAN, "unban %s", oldb[i].address);
			*changed = true;
			i++;
		} else if (c > 0) {
			char until[32] = "?";
			time_t t = (time_t)s->bans[j].until;
			struct tm tm;

			if (localtime_r(&t, &tm) != NULL)
				strftime(until, sizeof(until), "%Y-%m-%d %H:%M", &tm);
			source_emit(s, SEV_BAN, "ban %s until %s (%s)", s->bans[j].address, until,
			    s->bans[j].reason[0] ? s->bans[j].reason : "no reason");
			*changed = true;
			j++;
		} else {
			if (oldb[i].until != s->bans[j].until ||
			    strcmp(oldb[i].reason, s->bans[j].reason) != 0)
				*changed = true;
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
		if (p->asn == 0)
			p->asn = old->asn;
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

/* Carry the console's own state of OLD over to NP (a freshly parsed
 * entry for the same id), and add the latency samples taken since. */
static void
peer_carry(struct peer_info *np, const struct peer_info *old, const struct lat_scratch *ls,
    double wall)
{
	int newer = 0;

	memcpy(np->hist_ms, old->hist_ms, sizeof(np->hist_ms));
	memcpy(np->hist_t, old->hist_t, sizeof(np->hist_t));
	np->hist_n = old->hist_n;
	np->hist_head = old->hist_head;
	if (np->has_pingcount && old->has_pingcount) {
		/* Each pong is one measurement: the newest of the node's history. */
		if (np->pongs_recv > old->pongs_recv)
			newer = np->pongs_recv - old->pongs_recv > (uint64_t)ls->n ? ls->n :
			    (int)(np->pongs_recv - old->pongs_recv);
		for (int i = ls->n - newer; i < ls->n; i++)
			hist_push(np, ls->v[i], (uint32_t)wall);
		if (newer == 0 && ls->n == 0 && np->ping_ms >= 0 && np->ping_ms != old->ping_ms)
			hist_push(np, np->ping_ms, (uint32_t)wall);
	} else if (np->ping_ms >= 0 && np->ping_ms != old->ping_ms) {
		hist_push(np, np->ping_ms, (uint32_t)wall);
	}
	/* Rates over the span between the last two sightings of a change. */
	if (old->updated > 0 && wall > old->updated + 0.05) {
		double dt = wall - old->updated;

		np->send_rate = np->bytes_sent >= old->bytes_sent ?
		    (double)(np->bytes_sent - old->bytes_sent) / dt : 0;
		np->recv_rate = np->bytes_recv >= old->bytes_recv ?
		    (double)(np->bytes_recv - old->bytes_recv) / dt : 0;
	} else {
		np->send_rate = old->send_rate;
		np->recv_rate = old->recv_rate;
	}
}

/* Insert or update the peer described by O.  Returns 1 when it changed the
 * table, 0 when it was skipped (not an object, table full). */
static int
source_upsert(struct source *s, json_t *o, double wall, struct source_tally *t)
{
	struct peer_info np;
	struct lat_scratch ls;
	long i;

	if (!json_is_object(o))
		return 0;
	parse_peer(o, &np, &ls);
	np.updated = wall;
	np.seen = s->mark;
	i = source_peer_index(s, np.id);
	if (i >= 0) {
		struct peer_info *old = &s->peers[i];
		int64_t newest = INT64_MIN;

		for (int k = 0; k < old->nviol; k++)
			if (old->viol[k].time > newest)
				newest = old->viol[k].time;
		/* Violations newer than any this peer had before are news. */
		for (int k = 0; k < np.nviol; k++)
			if (np.viol[k].time > newest && !t->quiet)
				source_emit(s, SEV_VIOLATION, "violation #%llu %s: %s (reputation %d)",
				    (unsigned long long)np.id, np.addr, np.viol[k].kind, np.rep_score);
		source_locate(s, &np, old);
		peer_carry(&np, old, &ls, wall);
		*old = np;
		return 1;
	}
	if (s->npeers >= SOURCE_MAX_PEERS)
		return 0;
	for (int k = 0; k < ls.n; k++)
		hist_push(&np, ls.v[k], 0);	/* before the console watched: time unknown */
	if (ls.n == 0)
		hist_push(&np, np.ping_ms, (uint32_t)wall);
	source_locate(s, &np, NULL);
	if (s->npeers == s->cap) {
		s->cap = s->cap < 64 ? 64 : s->cap * 2;
		s->peers = xreallocarray(s->peers, s->cap, sizeof(*s->peers));
	}
	s->peers[s->npeers] = np;
	idx_set(s, s->npeers);
	s->npeers++;
	tally_connect(s, t, &np);
	for (int k = 0; k < np.nviol && !t->quiet; k++)
		source_emit(s, SEV_VIOLATION, "violation #%llu %s: %s (reputation %d)",
		    (unsigned long long)np.id, np.addr, np.viol[k].kind, np.rep_score);
	return 1;
}

static int
source_remove_id(struct source *s, uint64_t id, int64_t wall, struct source_tally *t)
{
	long i = source_peer_index(s, id);

	if (i < 0)
		return 0;
	tally_disconnect(s, t, &s->peers[i], wall);
	source_remove_at(s, (size_t)i);
	return 1;
}

/* Apply the peers of getpeerinfo (an array: the whole table) or of
 * getpeerchanges (an object).  Returns the number of peers that came,
 * went or changed, or -1 for a wrong shape (ERR set, nothing changed). */
static long
source_apply_peers(struct source *s, json_t *peers, double wall, struct source_tally *t,
    char *err, size_t errlen)
{
	json_t *list = peers, *removed = NULL;
	bool full = true;
	long changed = 0;
	size_t n;

	if (json_is_object(peers)) {
		json_t *ver = json_object_get(peers, "version");

		list = json_object_get(peers, "peers");
		removed = json_object_get(peers, "removed");
		full = json_is_true(json_object_get(peers, "full"));
		if (!json_is_integer(ver) || json_integer_value(ver) < 0 || !json_is_array(list) ||
		    (removed != NULL && !json_is_array(removed))) {
			str_errf(err, errlen, "getpeerchanges: unexpected answer shape");
			return -1;
		}
		if (!full && json_integer_value(ver) < s->peer_version) {
			/* The node went back in time (restarted?): ask for all
			 * of it next round, change nothing now. */
			s->peer_version = 0;
			return 0;
		}
		s->peer_version = json_integer_value(ver);
	} else if (!json_is_array(peers)) {
		str_errf(err, errlen, "unexpected answer shape (not an agentnode?)");
		return -1;
	}
	s->mark++;
	if (s->idx == NULL)
		s->idx = map_new();
	n = json_array_size(list);
	for (size_t i = 0; i < n; i++)
		changed += source_upsert(s, json_array_get(list, i), wall, t);
	if (full) {
		/* Whoever is not in a whole table has left.  Backwards, as a
		 * removal moves the last entry into the hole. */
		for (size_t i = s->npeers; i-- > 0;) {
			if (s->peers[i].seen == s->mark)
				continue;
			tally_disconnect(s, t, &s->peers[i], (int64_t)wall);
			source_remove_at(s, i);
			changed++;
		}
	} else {
		n = json_array_size(removed);
		for (size_t i = 0; i < n; i++) {
			json_t *v = json_array_get(removed, i);

			if (json_is_integer(v) && json_integer_value(v) >= 0)
				changed += source_remove_id(s, (uint64_t)json_integer_value(v),
				    (int64_t)wall, t);
		}
	}
	return changed;
}

int
source_apply_answers(struct source *s, const struct source_answers *a, double now, double wall,
    char *err, size_t errlen)
{
	struct source_tally tally = { .quiet = !s->have_data };
	struct ban_info *oldb;
	struct node_info old_info = s->info;
	struct net_stats old_stats;
	size_t nold;
	double t0 = source_clock(), lat_sum = 0;
	unsigned lat_n = 0;
	bool first = !s->have_data, changed = false;
	long pc;

	if (!json_is_object(a->info) || !json_is_object(a->stats) || !json_is_array(a->bans) ||
	    (!json_is_array(a->peers) && !json_is_object(a->peers))) {
		str_errf(err, errlen, "unexpected answer shape (not an agentnode?)");
		return -1;
	}
	if ((pc = source_apply_peers(s, a->peers, wall, &tally, err, errlen)) < 0)
		return -1;
	s->changed_last = (size_t)pc;
	if (pc > 0 || first) {
		s->peers_gen++;
		changed = true;
	}
	if (tally.hidden_c + tally.hidden_d > 0)
		source_emit(s, SEV_CONNECT, "... and %u more connects, %u more disconnects",
		    tally.hidden_c, tally.hidden_d);
	for (size_t i = 0; i < s->npeers; i++)
		if (s->peers[i].ping_ms >= 0) {
			lat_sum += s->peers[i].ping_ms;
			lat_n++;
		}

	oldb = s->bans;
	nold = s->nbans;
	s->bans = parse_bans(a->bans, &s->nbans);
	if (first) {
		changed = true;
		s->bans_gen++;
	} else {
		bool bc = false;

		source_diff_bans(s, oldb, nold, &bc);
		if (bc) {
			s->bans_gen++;
			changed = true;
		}
	}
	free(oldb);

	parse_info(a->info, a->chain, &s->info);
	/* The uptime moves with the clock alone; nothing shows it. */
	old_info.uptime = s->info.uptime;
	if (memcmp(&old_info, &s->info, sizeof(old_info)) != 0)
		changed = true;
	old_stats = s->stats;
	parse_stats(a->stats, &s->stats);
	if (memcmp(&old_stats, &s->stats, sizeof(old_stats)) != 0)
		changed = true;
	if (chainstate_apply(&s->chain, a->chain, a->mempool, a->blocks, a->tips)) {
		s->chain_gen++;
		changed = true;
	}

	if (!first && now > s->last_update) {
		double dt = now - s->last_update;

		s->rate_in = s->info.bytes_recv >= old_info.bytes_recv ?
		    (double)(s->info.bytes_recv - old_info.bytes_recv) / dt : 0;
		s->rate_out = s->info.bytes_sent >= old_info.bytes_sent ?
		    (double)(s->info.bytes_sent - old_info.bytes_sent) / dt : 0;
	}
	chart_series_push(&s->h_latency, lat_n > 0 ? lat_sum / lat_n : NAN);
	chart_series_push(&s->h_health, s->info.health);
	chart_series_push(&s->h_peers, (double)s->npeers);
	chart_series_push(&s->h_rate_in, first ? NAN : s->rate_in);
	chart_series_push(&s->h_rate_out, first ? NAN : s->rate_out);

	if (first)
		source_emit(s, SEV_STATE, "%s: %zu peers, %zu bans, height %d", s->label, s->npeers,
		    s->nbans, (int)s->info.height);
	else if (s->state != SOURCE_UP)
		source_emit(s, SEV_STATE, "%s is back: %zu peers", s->label, s->npeers);

	if (s->state != SOURCE_UP) {
		s->since = now;
		changed = true;
	}
	s->state = SOURCE_UP;
	s->error[0] = '\0';
	s->have_data = true;
	s->last_update = now;
	s->rounds_ok++;
	if (changed)
		s->generation++;
	s->parse_us_total += (source_clock() - t0) * 1e6;
	s->parses++;
	return 0;
}

int
source_apply(struct source *s, json_t *info, json_t *peers, json_t *stats, json_t *bans,
    double now, char *err, size_t errlen)
{
	struct source_answers a = { info, peers, stats, bans, NULL, NULL, NULL, NULL };

	if (!json_is_array(peers)) {
		str_errf(err, errlen, "unexpected answer shape (not an agentnode?)");
		return -1;
	}
	return source_apply_answers(s, &a, now, 1.8e9 + now, err, errlen);
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
	/* The node may come back as a new process: ask it for everything. */
	s->peer_version = 0;
}

/* --- polling ------------------------------------------------------------- */

/* After a failed round: a node given by its data directory may have come
 * back elsewhere; follow its .rpc-endpoint. */
static void
source_follow_endpoint(struct source *s)
{
	char host[NETADDR_HOSTLEN], err[256];
	uint16_t port;

	if (s->datadir == NULL || s->proc == NULL || s->closing)
		return;
	if (rpc_endpoint_read(s->datadir, host, sizeof(host), &port, err, sizeof(err)) == -1)
		return;
	if (strcmp(host, s->host) == 0 && port == s->port)
		return;
	str_copy(s->host, host, sizeof(s->host));
	s->port = port;
	rpc_client_free(s->rpc);
	s->rpc = rpc_client_new(proc_base(s->proc), s->host, s->port, s->cookie);
}

static void
source_round_done(struct source *s)
{
	struct source_answers a = { s->reply[SQ_INFO], s->reply[SQ_PEERS], s->reply[SQ_STATS],
	    s->reply[SQ_BANS], s->reply[SQ_CHAIN], s->reply[SQ_MEMPOOL], s->reply[SQ_BLOCKS],
	    s->reply[SQ_TIPS] };
	char err[256];
	double now = source_clock();
	if (s->round_failed) {
		source_fail(s, s->round_error, now);
	} else if (source_apply_answers(s, &a, now, source_wall(), err, sizeof(err)) == -1) {
		source_fail(s, err, now);
	}
	for (int i = 0; i < SQ_COUNT; i++) {
		json_decref(s->reply[i]);
		s->reply[i] = NULL;
	}
	if (s->state == SOURCE_DOWN)
		source_follow_endpoint(s);
	if (s->on_update != NULL)
		s->on_update(s, s->cb_arg);
}

static void source_reply_cb(void *arg, json_t *result, const struct rpc_error *err);

/* Send query I of the round; false when it could not be sent. */
static bool
source_send(struct source *s, int i)
{
	const char *method = NULL;
	json_t *params = NULL;

	switch (i) {
	case SQ_INFO: method = "getnetworkinfo"; break;
	case SQ_PEERS:
		if (s->no_delta) {
			method = "getpeerinfo";
		} else {
			method = "getpeerchanges";
			params = json_pack("[I]", (json_int_t)s->peer_version);
		}
		break;
	case SQ_STATS: method = "getnetworkstats"; break;
	case SQ_BANS: method = "listbanned"; break;
	case SQ_CHAIN: method = "getblockchaininfo"; break;
	case SQ_MEMPOOL: method = "getmempoolinfo"; break;
	case SQ_BLOCKS:
		method = "getrecentblocks";
		params = json_pack("[i]", s->ask_blocks);
		break;
	case SQ_TIPS: method = "getchaintips"; break;
	default: return false;
	}
	s->slot[i].s = s;
	s->slot[i].i = i;
	if (rpc_client_call(s->rpc, method, params, s->timeout, source_reply_cb, &s->slot[i]) == 0) {
		s->inflight++;
		return true;
	}
	s->round_failed = true;
	snprintf(s->round_error, sizeof(s->round_error), "cannot call %s", method);
	return false;
}

/* getblockchaininfo has answered INFO: if the tip or the headers moved,
 * ask for the new blocks and the tips in this same round. */
static void
source_chain_moved(struct source *s, json_t *info)
{
	s->ask_blocks = chainstate_ask_blocks(&s->chain, info);
	if (s->ask_blocks == 0)
		return;
	if (!s->lacks[SQ_BLOCKS])
		source_send(s, SQ_BLOCKS);
	if (!s->lacks[SQ_TIPS])
		source_send(s, SQ_TIPS);
}

static void
source_reply_cb(void *arg, json_t *result, const struct rpc_error *err)
{
	struct source_slot *sl = arg;
	struct source *s = sl->s;

	s->inflight--;
	if (s->closing)
		return;
	if (err != NULL && err->code == RPC_METHOD_NOT_FOUND && sl->i == SQ_PEERS &&
	    !s->no_delta) {
		/* An older node: the whole table, now and from now on. */
		s->no_delta = true;
		source_send(s, SQ_PEERS);
	} else if (err != NULL && err->code == RPC_METHOD_NOT_FOUND && sl->i >= SQ_CHAIN) {
		/* No chain (yet): the views do without, quietly. */
		s->lacks[sl->i] = true;
	} else if (err != NULL) {
		if (!s->round_failed)
			snprintf(s->round_error, sizeof(s->round_error), "%s", err->message);
		s->round_failed = true;
	} else {
		s->reply[sl->i] = json_incref(result);
		if (sl->i == SQ_CHAIN && !s->round_failed)
			source_chain_moved(s, result);
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
	/* The recent blocks and the tips follow getblockchaininfo's answer. */
	for (int i = 0; i < SQ_BLOCKS; i++)
		if (!s->lacks[i] && (i != SQ_MEMPOOL || !s->lacks[SQ_CHAIN]))
			source_send(s, i);
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
	s->idx = map_new();
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
source_set_datadir(struct source *s, const char *dir)
{
	free(s->datadir);
	s->datadir = dir != NULL ? xstrdup(dir) : NULL;
}

void
source_free(struct source *s)
{
	if (s == NULL)
		return;
	s->closing = true;
	proc_task_remove(s->poll);
	rpc_client_free(s->rpc);	/* callbacks see closing and only count down */
	for (int i = 0; i < SQ_COUNT; i++)
		json_decref(s->reply[i]);
	free(s->peers);
	map_free(s->idx);
	free(s->bans);
	free(s->cookie);
	free(s->datadir);
	free(s);
}

/* --- actions ------------------------------------------------------------- */

enum source_action_kind { SA_DISCONNECT, SA_BAN, SA_UNBAN, SA_ADDNODE };

struct source_action {
	struct source		*s;
	enum source_action_kind	 kind;
	source_action_cb	 cb;
	void			*arg;
	char			 target[96];	/* "1.2.3.4:9001", "10.0.0.0/8" */
	char			 what[160];	/* "disconnect peer #12 1.2.3.4:9001" */
	char			 done[160];	/* the message for success */
};

bool
source_addnode_outcome(const char *hostport, json_t *result, char *msg, size_t len)
{
	const char *r = json_string_value(json_object_get(result, "result"));
	json_t *e = json_object_get(result, "error");
	char why[200];

	why[0] = '\0';
	if (json_is_string(e))
		fmt_untrusted(json_string_value(e), json_string_length(e), why, sizeof(why));
	if (json_is_null(result) || result == NULL) {
		/* A node from before addnode waited for the outcome. */
		snprintf(msg, len, "add node %s: the node took it (it reports no outcome)", hostport);
		return true;
	}
	if (r != NULL && strcmp(r, "connected") == 0) {
		snprintf(msg, len, "add node %s: connected", hostport);
		return true;
	}
	if (r != NULL && strcmp(r, "added") == 0) {
		snprintf(msg, len, "add node %s: added, not connected yet%s%s", hostport,
		    why[0] ? ": " : "", why);
		return true;
	}
	if (r != NULL && strcmp(r, "failed") == 0) {
		snprintf(msg, len, "add node %s failed: %s", hostport, why[0] ? why : "no reason given");
		return false;
	}
	snprintf(msg, len, "add node %s: unexpected answer from the node", hostport);
	return false;
}

static void
source_action_reply(void *arg, json_t *result, const struct rpc_error *err)
{
	struct source_action *a = arg;
	struct source *s = a->s;
	char msg[512];
	bool ok = err == NULL;

	if (!s->closing) {
		if (err != NULL)
			snprintf(msg, sizeof(msg), "%s failed: %s", a->what, err->message);
		else if (a->kind == SA_ADDNODE)
			ok = source_addnode_outcome(a->target, result, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "%s", a->done);
		source_emit(s, SEV_ACTION, "%s", msg);
		if (a->cb != NULL)
			a->cb(s, ok, msg, a->arg);
		source_poll_now(s);
	}
	free(a);
}

static int
source_action(struct source *s, struct source_action *a, const char *method, json_t *params,
    double timeout)
{
	if (s->rpc == NULL || s->closing) {
		json_decref(params);
		free(a);
		return -1;
	}
	a->s = s;
	if (rpc_client_call(s->rpc, method, params, timeout, source_action_reply, a) == -1) {
		free(a);
		return -1;
	}
	return 0;
}

static struct source_action *
action_new(enum source_action_kind kind, source_action_cb cb, void *arg, const char *target)
{
	struct source_action *a = xcalloc(1, sizeof(*a));

	a->kind = kind;
	a->cb = cb;
	a->arg = arg;
	str_copy(a->target, target, sizeof(a->target));
	return a;
}

int
source_disconnect(struct source *s, uint64_t id, const char *what, source_action_cb cb,
    void *arg)
{
	struct source_action *a = action_new(SA_DISCONNECT, cb, arg, what != NULL ? what : "");

	snprintf(a->what, sizeof(a->what), "disconnect peer #%llu%s%s", (unsigned long long)id,
	    what != NULL ? " " : "", what != NULL ? what : "");
	snprintf(a->done, sizeof(a->done), "peer #%llu%s%s disconnected", (unsigned long long)id,
	    what != NULL ? " " : "", what != NULL ? what : "");
	return source_action(s, a, "disconnectnode", json_pack("[I]", (json_int_t)id), s->timeout);
}

int
source_ban(struct source *s, const char *subnet, int64_t seconds, source_action_cb cb, void *arg)
{
	struct source_action *a;
	char d[FMT_LEN];

	if (subnet == NULL || *subnet == '\0' || seconds <= 0)
		return -1;
	a = action_new(SA_BAN, cb, arg, subnet);
	fmt_duration(seconds, d, sizeof(d));
	snprintf(a->what, sizeof(a->what), "ban %s for %s", subnet, d);
	snprintf(a->done, sizeof(a->done), "%s banned for %s", subnet, d);
	return source_action(s, a, "setban", json_pack("[s, s, I]", subnet, "add",
	    (json_int_t)seconds), s->timeout);
}

int
source_unban(struct source *s, const char *subnet, source_action_cb cb, void *arg)
{
	struct source_action *a;

	if (subnet == NULL || *subnet == '\0')
		return -1;
	a = action_new(SA_UNBAN, cb, arg, subnet);
	snprintf(a->what, sizeof(a->what), "lift the ban on %s", subnet);
	snprintf(a->done, sizeof(a->done), "ban on %s lifted", subnet);
	return source_action(s, a, "setban", json_pack("[s, s]", subnet, "remove"), s->timeout);
}

int
source_addnode(struct source *s, const char *hostport, source_action_cb cb, void *arg)
{
	struct source_action *a;

	if (hostport == NULL || *hostport == '\0')
		return -1;
	a = action_new(SA_ADDNODE, cb, arg, hostport);
	snprintf(a->what, sizeof(a->what), "add node %s", hostport);
	return source_action(s, a, "addnode", json_pack("[s, s]", hostport, "add"),
	    s->timeout > SOURCE_ADDNODE_TIMEOUT ? s->timeout : SOURCE_ADDNODE_TIMEOUT);
}
