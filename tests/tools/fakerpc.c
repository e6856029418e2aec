/* fakerpc.c -- a fake agentnode JSON-RPC endpoint with N synthetic peers, for console tests and benchmarks.
 *
 *   fakerpc ADDR:PORT NPEERS [--change-every SECONDS] [--legacy] [--chain]
 *           [--block-every SECONDS] [--epoch UNIXTIME] [--seen-offset MS]
 *           [--no-recent]
 *
 * Answers the methods the console polls the way agentnode does (no
 * authentication): getnetworkinfo (with connectivityhealth),
 * getpeerinfo, getpeerchanges SINCE, getnetworkstats, listbanned, and with
 * --chain the chain's: getblockchaininfo, getrecentblocks [COUNT],
 * getmempoolinfo and getchaintips.  The chain is synthetic and the same
 * in every fakerpc given the same --epoch: block H has a hash derived from
 * H, the timestamp EPOCH + 10 H (--block-every S: EPOCH + S H), and was
 * first seen 40-940 ms after it (plus --seen-offset, to play a node
 * further away); one block in four was "mined here", the others came from
 * a peer.  --block-every S adds a block every S seconds; --no-recent
 * answers getrecentblocks with "Method not found".  Each peer "changes" (a ping and a pong, a
 * few bytes) once every --change-every seconds (default 120, agentnode's
 * ping interval), the peers spread evenly over that time, so
 * getpeerchanges answers with what a real node of that size would.
 * --legacy answers getpeerchanges and getblockchaininfo with "Method not
 * found", as a node from before them does.
 *
 * Actions: disconnectnode drops a peer (getpeerchanges reports it
 * removed); setban add/remove keep a ban list (remove of an unknown ban
 * and a malformed subnet are errors, as agentnode's); addnode answers with
 * the outcome: "failed" (connection refused) for port 1, a JSON-RPC error
 * for a node already added, else "connected".  fake_set KEY VALUE changes
 * the fake node for tests: health, min_peers, height, violation (VALUE: a
 * peer id that misbehaves), down (VALUE seconds of answering 503).
 *
 * Prints "listening" when ready and runs until SIGINT or SIGTERM.  Peer
 * replies are printed straight into the buffer, so 10,000 peers cost the
 * server little next to the client being measured.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "netaddr.h"

#define FAKE_MAX_BANS	1024
#define FAKE_MAX_ADDED	64

static const char *fake_countries[] = { "DE", "US", "JP", "BR", "AU", "ZA", "FR", "GB", "NL", "SG" };
static const char *fake_agents[] = { "/agentnode:0.1.0/", "/agentnode:0.1.1/", "/agentnode:0.2.0/" };

struct fake_peer {
	bool		gone;
	uint64_t	changes;	/* pings so far */
	int64_t		version;	/* of its last change (or of its removal) */
	int64_t		viol_time;	/* 0: none */
};

struct fake_ban {
	char		subnet[64];
	int64_t		created, until;
	char		reason[32];
};

struct fake {
	unsigned	 npeers;
	struct fake_peer *p;
	double		 change_every;
	bool		 legacy, chain, no_recent;
	double		 start;
	double		 block_every;	/* 0: a block only by fake_set height */
	int64_t		 epoch;		/* the timestamp of block 0 */
	int64_t		 seen_offset;	/* ms added to every first sighting */
	uint64_t	 changes_done;	/* changes handed out since start */
	int64_t		 version;
	int		 health, min_peers;
	long		 height;
	double		 down_until;
	struct fake_ban	 bans[FAKE_MAX_BANS];
	size_t		 nbans;
	char		 added[FAKE_MAX_ADDED][64];
	size_t		 nadded;
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
fake_ping(unsigned i, uint64_t tick)
{
	/* Deterministic wander: spread over 1-400 ms, changing every ping. */
	return (double)((i * 7919u + tick * 104729u) % 400000u) / 1000.0 + 1.0;
}

/* Hand out the changes due by now: peer k of n changes at
 * (k + m n) * change_every / n, so the changes are spread evenly. */
static void
fake_advance(struct fake *f)
{
	double t = mono() - f->start;
	uint64_t due = f->npeers > 0 ? (uint64_t)(t * f->npeers / f->change_every) : 0;

	if (due > f->changes_done + f->npeers)
		f->changes_done = due - f->npeers;	/* everyone changed once: enough */
	for (; f->changes_done < due; f->changes_done++) {
		struct fake_peer *p = &f->p[f->changes_done % f->npeers];

		if (p->gone)
			continue;
		p->changes++;
		p->version = ++f->version;
	}
}

static long fake_tip(const struct fake *f);

static void
fake_peer_json(const struct fake *f, unsigned i, bool first, struct evbuffer *out)
{
	const struct fake_peer *p = &f->p[i];
	uint64_t c = p->changes;
	double ping = fake_ping(i, c) / 1000.0;
	unsigned long sent = 1000ul * (i % 97 + 1) * (c + 1);
	/* Every 50th peer loses every 10th pong. */
	uint64_t pongs = i % 50 == 7 ? c + 1 - (c + 1) / 10 : c + 1;

	evbuffer_add_printf(out, "%s{\"id\":%u,\"addr\":\"10.%u.%u.%u:9001\","
	    "\"direction\":\"%s\",\"connection_type\":\"full\",\"handshake_complete\":true,"
	    "\"services\":3,\"version\":70100,\"subver\":\"%s\",\"startingheight\":%u,"
	    "\"bytessent\":%lu,\"bytesrecv\":%lu,\"conntime\":%lu,\"connected_seconds\":%lu,"
	    "\"sendrate\":%u.5,\"recvrate\":%u.25,\"lastsend\":0,\"lastrecv\":0,"
	    "\"pingtime\":%.6f,\"minping\":%.6f,\"avgping\":%.6f,\"pingwait\":null,"
	    "\"latency_history_ms\":[%.3f,%.3f,%.3f],"
	    "\"bytes_by_type\":{\"ping\":{\"recv\":%llu,\"sent\":%llu},"
	    "\"pong\":{\"recv\":%llu,\"sent\":%llu}},"
	    "\"quality\":{\"score\":%u,\"reliability\":0.9},"
	    "\"reputation\":{\"score\":%d,\"violations\":[",
	    first ? "" : ",", i + 1, (i >> 16) & 255, (i >> 8) & 255, i & 255,
	    i % 3 == 0 ? "outbound" : "inbound", fake_agents[i % 3], 1000u,
	    sent, sent * 2, 1795000000ul + i, 60ul * (i % 1000), i % 5000, i % 7000, ping,
	    ping / 2, ping * 0.8, fake_ping(i, c > 1 ? c - 2 : 0), fake_ping(i, c > 0 ? c - 1 : 0),
	    ping * 1000, (unsigned long long)(c + 1), (unsigned long long)(c + 1),
	    (unsigned long long)pongs, (unsigned long long)(c + 1), 40 + i % 60,
	    p->viol_time != 0 ? -20 : 100 - (int)(i % 7));
	if (p->viol_time != 0)
		evbuffer_add_printf(out, "{\"kind\":\"bad-checksum\",\"time\":%lld}",
		    (long long)p->viol_time);
	evbuffer_add_printf(out, "]},\"country\":\"%s\",\"asn\":%u", fake_countries[i % 10],
	    64500 + i % 50);
	/* What the peer proved: every other one is a block behind. */
	if (f->chain)
		evbuffer_add_printf(out, ",\"synced_headers\":%ld,\"synced_blocks\":%ld",
		    fake_tip(f), fake_tip(f) - (long)(i % 2));
	evbuffer_add(out, "}", 1);
}

static void
fake_peers(struct fake *f, struct evbuffer *out, int64_t since, bool all)
{
	bool first = true;

	evbuffer_add(out, "[", 1);
	for (unsigned i = 0; i < f->npeers; i++) {
		if (f->p[i].gone || (!all && f->p[i].version <= since))
			continue;
		fake_peer_json(f, i, first, out);
		first = false;
	}
	evbuffer_add(out, "]", 1);
}

static void
fake_changes(struct fake *f, struct evbuffer *out, int64_t since)
{
	/* Everything is kept: only 0 (or a version from the future, after a
	 * "restart") asks for the whole table. */
	bool full = since <= 0 || since > f->version;
	bool first = true;

	evbuffer_add_printf(out, "{\"version\":%lld,\"full\":%s,\"peers\":", (long long)f->version,
	    full ? "true" : "false");
	fake_peers(f, out, since, full);
	evbuffer_add_printf(out, ",\"removed\":[");
	for (unsigned i = 0; i < f->npeers && !full; i++) {
		if (!f->p[i].gone || f->p[i].version <= since)
			continue;
		evbuffer_add_printf(out, "%s%u", first ? "" : ",", i + 1);
		first = false;
	}
	evbuffer_add(out, "]}", 2);
}

/* --- the synthetic chain ----------------------------------------------- */

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static long
fake_tip(const struct fake *f)
{
	return f->height + (f->block_every > 0 ? (long)((mono() - f->start) / f->block_every) : 0);
}

static int64_t
fake_spacing(const struct fake *f)
{
	return f->block_every > 0 ? (int64_t)(f->block_every + 0.5) : 10;
}

static void
fake_hash(long h, char out[65])
{
	for (int i = 0; i < 4; i++)
		snprintf(out + 16 * i, 17, "%016llx", (unsigned long long)mix64((uint64_t)h * 4 + i));
}

static int64_t
fake_block_time(const struct fake *f, long h)
{
	return f->epoch + h * fake_spacing(f);
}

static int64_t
fake_delay(long h)
{
	return 40 + (int64_t)(((uint64_t)h * 7919u) % 900u);
}

static void
fake_chaininfo(const struct fake *f, struct evbuffer *out)
{
	long tip = fake_tip(f);
	char hash[65];

	fake_hash(tip, hash);
	evbuffer_add_printf(out, "{\"chain\":\"regtest\",\"blocks\":%ld,\"headers\":%ld,"
	    "\"bestblockhash\":\"%s\",\"chainwork\":\"%064lx\",\"verificationprogress\":1.0,"
	    "\"initialblockdownload\":false,\"mediantime\":%lld,\"time\":%lld}", tip, tip, hash,
	    (unsigned long)(tip * 2 + 2), (long long)fake_block_time(f, tip > 5 ? tip - 5 : 0),
	    (long long)fake_block_time(f, tip));
}

static void
fake_recentblocks(const struct fake *f, json_t *params, struct evbuffer *out)
{
	json_t *c = json_array_get(params, 0);
	long tip = fake_tip(f), count = json_is_integer(c) ? (long)json_integer_value(c) : 20;
	char hash[65];

	if (count < 1 || count > 1000)
		count = 20;
	evbuffer_add(out, "[", 1);
	for (long h = tip; h >= 0 && h > tip - count; h--) {
		int64_t t = fake_block_time(f, h), seen = t * 1000 + fake_delay(h) + f->seen_offset;
		unsigned peer = f->npeers > 0 ? 1 + (unsigned)(h % f->npeers) : 0;

		if (h % 4 == 0)
			peer = 0;
		fake_hash(h, hash);
		evbuffer_add_printf(out, "%s{\"height\":%ld,\"hash\":\"%s\",\"time\":%lld,"
		    "\"size\":%ld,\"firstseen_ms\":%lld,\"delay_ms\":%lld,\"from_peer\":%u,",
		    h == tip ? "" : ",", h, hash, (long long)t, 200 + (h % 50) * 1000,
		    (long long)seen, (long long)(seen - t * 1000), peer);
		if (peer == 0)
			evbuffer_add_printf(out, "\"from\":\"local\"}");
		else
			evbuffer_add_printf(out, "\"from\":\"10.%u.%u.%u:9001\"}", ((peer - 1) >> 16) & 255,
			    ((peer - 1) >> 8) & 255, (peer - 1) & 255);
	}
	evbuffer_add(out, "]", 1);
}

static void
fake_mempoolinfo(const struct fake *f, struct evbuffer *out)
{
	unsigned long n = 100 + (unsigned long)(f->changes_done % 50);

	evbuffer_add_printf(out, "{\"size\":%lu,\"bytes\":%lu,\"maxmempool\":67108864,"
	    "\"maxcount\":50000,\"evicted\":0,\"expired\":%lu}", n, n * 250, n / 10);
}

static void
fake_chaintips(const struct fake *f, struct evbuffer *out)
{
	long tip = fake_tip(f);
	char hash[65];

	fake_hash(tip, hash);
	evbuffer_add_printf(out, "[{\"height\":%ld,\"hash\":\"%s\",\"branchlen\":0,"
	    "\"status\":\"active\"}", tip, hash);
	if (tip > 3) {
		fake_hash(-tip, hash);
		evbuffer_add_printf(out, ",{\"height\":%ld,\"hash\":\"%s\",\"branchlen\":1,"
		    "\"status\":\"valid-fork\"}", tip - 3, hash);
	}
	evbuffer_add(out, "]", 1);
}

static void
fake_send(struct evhttp_request *req, json_int_t id, struct evbuffer *result, int code,
    const char *message)
{
	struct evbuffer *out = evbuffer_new();

	if (message != NULL) {
		json_t *m = json_string(message);
		char *enc = json_dumps(m, JSON_ENCODE_ANY);

		evbuffer_add_printf(out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":{\"code\":%d,"
		    "\"message\":%s}}", (long long)id, code, enc != NULL ? enc : "\"?\"");
		free(enc);
		json_decref(m);
	} else {
		evbuffer_add_printf(out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":", (long long)id);
		evbuffer_add_buffer(out, result);
		evbuffer_add(out, "}", 1);
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

/* A subnet as agentnode takes it: an address, or an address/prefix. */
static bool
fake_subnet_ok(const char *s)
{
	char ip[NETADDR_HOSTLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	struct netaddr na;
	char *end;
	long bits;

	if (n == 0 || n >= sizeof(ip))
		return false;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (netaddr_parse(ip, 1, &na) == -1)
		return false;
	if (slash == NULL)
		return true;
	bits = strtol(slash + 1, &end, 10);
	return *end == '\0' && end != slash + 1 && bits >= 0 && bits <= (strchr(ip, ':') ? 128 : 32);
}

static const char *
fake_setban(struct fake *f, json_t *params, int *code)
{
	const char *sub = json_string_value(json_array_get(params, 0));
	const char *cmd = json_string_value(json_array_get(params, 1));
	json_t *bt = json_array_get(params, 2);
	static char msg[160];

	*code = -1;
	if (sub == NULL || cmd == NULL || !fake_subnet_ok(sub)) {
		*code = -5;
		snprintf(msg, sizeof(msg), "invalid IP or subnet: %s", sub != NULL ? sub : "");
		return msg;
	}
	for (size_t i = 0; i < f->nbans; i++) {
		if (strcmp(f->bans[i].subnet, sub) != 0)
			continue;
		if (strcmp(cmd, "remove") == 0) {
			f->bans[i] = f->bans[--f->nbans];
			return NULL;
		}
		f->bans[i].until = (int64_t)time(NULL) + (json_is_integer(bt) ?
		    json_integer_value(bt) : 86400);
		return NULL;
	}
	if (strcmp(cmd, "remove") == 0) {
		snprintf(msg, sizeof(msg), "%s was not banned", sub);
		return msg;
	}
	if (strcmp(cmd, "add") != 0) {
		*code = -32602;
		return "command must be add or remove";
	}
	if (f->nbans == FAKE_MAX_BANS)
		return "ban list full";
	snprintf(f->bans[f->nbans].subnet, sizeof(f->bans[0].subnet), "%s", sub);
	f->bans[f->nbans].created = (int64_t)time(NULL);
	f->bans[f->nbans].until = f->bans[f->nbans].created + (json_is_integer(bt) ?
	    json_integer_value(bt) : 86400);
	snprintf(f->bans[f->nbans].reason, sizeof(f->bans[0].reason), "manual");
	f->nbans++;
	return NULL;
}

static const char *
fake_addnode(struct fake *f, json_t *params, struct evbuffer *res, int *code)
{
	const char *node = json_string_value(json_array_get(params, 0));
	static char msg[160];
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	*code = -8;
	if (node == NULL || netaddr_split_hostport(node, 0, host, &port) == -1 || port == 0) {
		snprintf(msg, sizeof(msg), "not host:port: %s", node != NULL ? node : "");
		return msg;
	}
	for (size_t i = 0; i < f->nadded; i++)
		if (strcmp(f->added[i], node) == 0) {
			snprintf(msg, sizeof(msg), "node %s already added", node);
			return msg;
		}
	if (port == 1) {
		evbuffer_add_printf(res, "{\"node\":\"%s\",\"result\":\"failed\","
		    "\"error\":\"connection refused\"}", node);
		return NULL;
	}
	if (f->nadded < FAKE_MAX_ADDED)
		snprintf(f->added[f->nadded++], sizeof(f->added[0]), "%s", node);
	evbuffer_add_printf(res, "{\"node\":\"%s\",\"result\":\"connected\"}", node);
	return NULL;
}

static const char *
fake_set(struct fake *f, json_t *params)
{
	const char *k = json_string_value(json_array_get(params, 0));
	json_t *v = json_array_get(params, 1);
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;

	if (k == NULL || !json_is_integer(v))
		return "fake_set KEY INTEGER";
	if (strcmp(k, "health") == 0)
		f->health = (int)n;
	else if (strcmp(k, "min_peers") == 0)
		f->min_peers = (int)n;
	else if (strcmp(k, "height") == 0)
		f->height = (long)n;
	else if (strcmp(k, "down") == 0)
		f->down_until = mono() + (double)n;
	else if (strcmp(k, "violation") == 0 && n >= 1 && n <= (json_int_t)f->npeers &&
	    !f->p[n - 1].gone) {
		f->p[n - 1].viol_time = (int64_t)time(NULL);
		f->p[n - 1].version = ++f->version;
	} else
		return "unknown key or peer";
	return NULL;
}

static void
fake_request(struct evhttp_request *req, void *arg)
{
	struct fake *f = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *res;
	json_t *doc = json_loadb((const char *)evbuffer_pullup(in, -1), evbuffer_get_length(in),
	    0, NULL);
	json_t *idj = json_object_get(doc, "id"), *params = json_object_get(doc, "params");
	const char *m = json_string_value(json_object_get(doc, "method"));
	json_int_t id = json_is_integer(idj) ? json_integer_value(idj) : 0;
	const char *err = NULL;
	int code = -1;
	unsigned live = 0;

	if (m == NULL) {
		evhttp_send_error(req, 400, "bad request");
		json_decref(doc);
		return;
	}
	if (mono() < f->down_until && strcmp(m, "fake_set") != 0) {
		evhttp_send_error(req, 503, "fake outage");
		json_decref(doc);
		return;
	}
	fake_advance(f);
	for (unsigned i = 0; i < f->npeers; i++)
		live += !f->p[i].gone;
	res = evbuffer_new();
	if (strcmp(m, "getpeerinfo") == 0) {
		fake_peers(f, res, 0, true);
	} else if (strcmp(m, "getpeerchanges") == 0 && !f->legacy) {
		json_t *s = json_array_get(params, 0);

		fake_changes(f, res, json_is_integer(s) ? json_integer_value(s) : 0);
	} else if (strcmp(m, "getblockchaininfo") == 0 && f->chain && !f->legacy) {
		fake_chaininfo(f, res);
	} else if (strcmp(m, "getrecentblocks") == 0 && f->chain && !f->legacy && !f->no_recent) {
		fake_recentblocks(f, params, res);
	} else if (strcmp(m, "getmempoolinfo") == 0 && f->chain && !f->legacy) {
		fake_mempoolinfo(f, res);
	} else if (strcmp(m, "getchaintips") == 0 && f->chain && !f->legacy) {
		fake_chaintips(f, res);
	} else if (strcmp(m, "getnetworkinfo") == 0) {
		double up = mono() - f->start;

		evbuffer_add_printf(res, "{\"version\":\"0.1.0\",\"subversion\":\"/fakerpc/\","
		    "\"protocolversion\":70100,\"network\":\"regtest\",\"connections\":%u,"
		    "\"connections_in\":%u,\"connections_out\":%u,\"min_peers\":%d,\"max_peers\":%u,"
		    "\"height\":%ld,\"totalbytesrecv\":%llu,\"totalbytessent\":%llu,\"uptime\":%.0f,"
		    "\"addrman_new\":100,\"addrman_tried\":50,\"banned\":%zu,"
		    "\"connectivityhealth\":%d,\"networkhealth\":%d}",
		    live, live - live / 3, live / 3, f->min_peers, f->npeers + 100, fake_tip(f),
		    (unsigned long long)(f->changes_done * 300), (unsigned long long)(f->changes_done * 250),
		    up, f->nbans, f->health, f->health);
	} else if (strcmp(m, "getnetworkstats") == 0) {
		evbuffer_add_printf(res, "{\"TotalNodes\":%u,\"ActiveNodes\":%u,"
		    "\"GeographicSpread\":{\"DE\":%u,\"US\":%u},\"AverageLatency\":200.5,"
		    "\"NetworkHealth\":%d}", f->npeers * 3, live, live / 2, live - live / 2, f->health);
	} else if (strcmp(m, "listbanned") == 0) {
		evbuffer_add(res, "[", 1);
		for (size_t i = 0; i < f->nbans; i++)
			evbuffer_add_printf(res, "%s{\"address\":\"%s\",\"ban_created\":%lld,"
			    "\"banned_until\":%lld,\"reason\":\"%s\"}", i ? "," : "", f->bans[i].subnet,
			    (long long)f->bans[i].created, (long long)f->bans[i].until,
			    f->bans[i].reason);
		evbuffer_add(res, "]", 1);
	} else if (strcmp(m, "setban") == 0) {
		if ((err = fake_setban(f, params, &code)) == NULL)
			evbuffer_add_printf(res, "null");
	} else if (strcmp(m, "addnode") == 0) {
		err = fake_addnode(f, params, res, &code);
	} else if (strcmp(m, "fake_set") == 0) {
		if ((err = fake_set(f, params)) == NULL)
			evbuffer_add_printf(res, "null");
	} else if (strcmp(m, "disconnectnode") == 0) {
		json_t *a = json_array_get(params, 0);
		json_int_t pid = json_is_integer(a) ? json_integer_value(a) : 0;

		if (pid >= 1 && pid <= (json_int_t)f->npeers && !f->p[pid - 1].gone) {
			f->p[pid - 1].gone = true;
			f->p[pid - 1].version = ++f->version;
			evbuffer_add_printf(res, "null");
		} else {
			err = "node not found in connected nodes";
		}
	} else {
		code = -32601;
		err = "Method not found";
	}
	fake_send(req, id, res, code, err);
	evbuffer_free(res);
	json_decref(doc);
}

static void
fake_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

static int
usage(void)
{
	fprintf(stderr, "usage: fakerpc ADDR:PORT NPEERS [--change-every SECONDS] [--legacy] "
	    "[--chain]\n               [--block-every SECONDS] [--epoch UNIXTIME] "
	    "[--seen-offset MS] [--no-recent]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct event_base *base;
	struct evhttp *http;
	struct event *si, *st;
	struct fake *f;
	char host[NETADDR_HOSTLEN];
	uint16_t port;
	long n;

	if (argc < 3 || netaddr_split_hostport(argv[1], 0, host, &port) == -1 || port == 0 ||
	    (n = strtol(argv[2], NULL, 10)) < 0 || n > 1000000)
		return usage();
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return 1;
	f->change_every = 120;
	f->health = 80;
	f->min_peers = 8;
	f->height = 1000;
	f->version = 1;	/* 0 asks for everything */
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--legacy") == 0)
			f->legacy = true;
		else if (strcmp(argv[i], "--chain") == 0)
			f->chain = true;
		else if (strcmp(argv[i], "--no-recent") == 0)
			f->no_recent = true;
		else if (strcmp(argv[i], "--block-every") == 0 && i + 1 < argc &&
		    (f->block_every = strtod(argv[++i], NULL)) > 0)
			continue;
		else if (strcmp(argv[i], "--epoch") == 0 && i + 1 < argc &&
		    (f->epoch = strtoll(argv[++i], NULL, 10)) > 0)
			continue;
		else if (strcmp(argv[i], "--seen-offset") == 0 && i + 1 < argc)
			f->seen_offset = strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--change-every") == 0 && i + 1 < argc &&
		    (f->change_every = strtod(argv[++i], NULL)) > 0)
			continue;
		else
			return usage();
	}
	signal(SIGPIPE, SIG_IGN);
	f->npeers = (unsigned)n;
	if (f->epoch == 0)	/* the tip now */
		f->epoch = (int64_t)time(NULL) - f->height * fake_spacing(f);
	f->p = calloc(f->npeers + 1, sizeof(*f->p));
	f->start = mono();
	base = event_base_new();
	http = evhttp_new(base);
	evhttp_set_max_body_size(http, 1 << 20);
	evhttp_set_gencb(http, fake_request, f);
	if (f->p == NULL || evhttp_bind_socket(http, host, port) != 0) {
		fprintf(stderr, "fakerpc: cannot listen on %s\n", argv[1]);
		return 1;
	}
	si = evsignal_new(base, SIGINT, fake_signal, base);
	st = evsignal_new(base, SIGTERM, fake_signal, base);
	event_add(si, NULL);
	event_add(st, NULL);
	printf("listening\n");
	fflush(stdout);
	event_base_dispatch(base);
	event_free(si);
	event_free(st);
	evhttp_free(http);
	event_base_free(base);
	free(f->p);
	free(f);
	return 0;
}
