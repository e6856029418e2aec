/* test_node.c -- the whole node in-process: start on loopback, a raw P2P peer, every RPC method, stop.
 *
 * node_run owns the main thread; a second thread plays both the operator
 * (JSON-RPC calls) and a peer (a blocking socket speaking the framed
 * protocol), then asks the node to stop.  Every wait has a deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>
#include <sys/file.h>
#include <fcntl.h>

#include "../../node/node.h"
#include "../../node/rpc_chain.h"
#include "../../node/rpc_methods.h"
#include "block.h"
#include "buf.h"
#include "chainparams.h"
#include "clock.h"
#include "config.h"
#include "frame.h"
#include "hash.h"
#include "log.h"
#include "merkle.h"
#include "msg.h"
#include "pow.h"
#include "rpc_client.h"
#include "u256.h"

struct run {
	char		 dir[64];
	char		 cookie[96];
	uint16_t	 p2p, rpc, metrics;
	const uint8_t	*magic;
	int		 failures;	/* checks failed in the thread */
	char		 failed[256];
};

/* cmocka's asserts long-jump and must stay on the main thread: the
 * thread records its first failure here instead. */
#define CHECK(r, cond) do { if (!(cond) && (r)->failures++ == 0) \
	snprintf((r)->failed, sizeof((r)->failed), "%s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

static uint16_t
free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		abort();
	close(fd);
	return ntohs(sin.sin_port);
}

static json_t *
call(struct run *r, struct event_base *base, const char *method, json_t *params,
    struct rpc_error *err)
{
	return rpc_client_call_sync(base, "127.0.0.1", r->rpc, r->cookie, method,
	    params != NULL ? params : json_array(), 5.0, err);
}

/* Poll until the RPC answers (the node is up), at most 10 s. */
static bool
wait_rpc(struct run *r, struct event_base *base)
{
	int64_t end = clock_mono_ms() + 10000;
	struct rpc_error err;
	json_t *v;

	while (clock_mono_ms() < end) {
		if (access(r->cookie, R_OK) == 0 &&
		    (v = call(r, base, "getnetworkinfo", NULL, &err)) != NULL) {
			json_decref(v);
			return true;
		}
		usleep(20 * 1000);
	}
	return false;
}

static int
peer_connect(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
peer_send(int fd, const uint8_t *magic, const struct msg *m)
{
	struct wbuf w;

	wbuf_init(&w);
	frame_encode(&w, magic, m);
	(void)!write(fd, w.data, w.len);
	wbuf_free(&w);
}

/* Read frames until one of TYPE arrives (into *OUT) or 5 s pass. */
static bool
peer_expect(int fd, const uint8_t *magic, int type, struct msg *out)
{
	static uint8_t buf[1 << 16];
	static size_t have;
	int64_t end = clock_mono_ms() + 5000;

	for (;;) {
		struct frame_result res;
		size_t used;
		enum frame_status st = frame_parse(buf, have, magic, out, &res, &used);

		if (used > 0) {
			memmove(buf, buf + used, have - used);
			have -= used;
		}
		if (st == FRAME_MSG && (int)out->type == type)
			return true;
		if (st == FRAME_MSG) {
			msg_free(out);
			continue;
		}
		if (st != FRAME_NEED_MORE)
			return false;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = end - clock_mono_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return false;
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		if (n <= 0)
			return false;
		have += (size_t)n;
	}
}

static json_t *
array_of(const char *a, const char *b)
{
	json_t *arr = json_array();

	if (a != NULL)
		json_array_append_new(arr, json_string(a));
	if (b != NULL)
		json_array_append_new(arr, json_string(b));
	return arr;
}

/* A peer that completes the handshake with the node; returns its socket. */
static int
peer_handshake(struct run *r)
{
	struct msg m;
	int fd = peer_connect(r->p2p);

	CHECK(r, fd >= 0);
	if (fd < 0)
		return -1;
	msg_init(&m, MSG_VERSION);
	m.u.version.version = PROTO_VERSION;
	m.u.version.services = NODE_NETWORK;
	m.u.version.timestamp = clock_wall();
	m.u.version.nonce = 0x5eed;
	m.u.version.start_height = 3;
	msg_version_set_user_agent(&m.u.version, "/raw:1/", 7);
	peer_send(fd, r->magic, &m);
	CHECK(r, peer_expect(fd, r->magic, MSG_VERACK, &m));
	msg_init(&m, MSG_VERACK);
	peer_send(fd, r->magic, &m);
	CHECK(r, peer_expect(fd, r->magic, MSG_PING, &m));	/* latency, at once */
	msg_pong_init(&m, m.u.nonce);
	peer_send(fd, r->magic, &m);
	return fd;
}

static void
check_rpc_methods(struct run *r, struct event_base *base)
{
	struct rpc_error err;
	json_t *v;

	v = call(r, base, "getpeerinfo", NULL, &err);
	CHECK(r, v != NULL && json_array_size(v) == 1);
	if (v != NULL && json_array_size(v) == 1) {
		json_t *p = json_array_get(v, 0);
		CHECK(r, json_is_true(json_object_get(p, "handshake_complete")));
		CHECK(r, strcmp(json_string_value(json_object_get(p, "subver")), "/raw:1/") == 0);
		CHECK(r, json_integer_value(json_object_get(p, "startingheight")) == 3);
		CHECK(r, strcmp(json_string_value(json_object_get(p, "direction")), "inbound") == 0);
	}
	json_decref(v);
	v = call(r, base, "getnetworkinfo", NULL, &err);
	CHECK(r, v != NULL && json_integer_value(json_object_get(v, "connections_in")) == 1);
	CHECK(r, v != NULL && json_integer_value(json_object_get(v, "connectivityhealth")) ==
	    json_integer_value(json_object_get(v, "networkhealth")));
	/* The peer claimed 3; our own height is our chain's, not its word. */
	CHECK(r, v != NULL && json_integer_value(json_object_get(v, "height")) == 0);
	json_decref(v);
	v = call(r, base, "getnetworkstats", NULL, &err);
	CHECK(r, v != NULL && json_integer_value(json_object_get(v, "ActiveNodes")) == 1);
	json_decref(v);
	v = call(r, base, "getnodeaddresses", json_pack("[i]", 0), &err);
	CHECK(r, json_is_array(v));
	json_decref(v);
	/* manual nodes */
	v = call(r, base, "addnode", array_of("127.0.0.1:1", "add"), &err);
	CHECK(r, v != NULL);
	json_decref(v);
	v = call(r, base, "addnode", array_of("127.0.0.1:1", "add"), &err);
	CHECK(r, v == NULL && strstr(err.message, "already added") != NULL);
	v = call(r, base, "addnode", array_of("127.0.0.1:1", "remove"), &err);
	CHECK(r, v != NULL);
	json_decref(v);
	v = call(r, base, "addnode", array_of("127.0.0.1:1", "remove"), &err);
	CHECK(r, v == NULL && strstr(err.message, "was not added") != NULL);
	v = call(r, base, "addnode", array_of("x.test:1", "onetry"), &err);
	CHECK(r, v == NULL && err.code == RPC_INVALID_ADDRESS);
	v = call(r, base, "addnode", array_of("127.0.0.1:1", "bogus"), &err);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
	/* bans */
	v = call(r, base, "setban", array_of("10.99.0.0/16", "add"), &err);
	CHECK(r, v != NULL);
	json_decref(v);
	v = call(r, base, "listbanned", NULL, &err);
	CHECK(r, v != NULL && json_array_size(v) == 1);
	json_decref(v);
	v = call(r, base, "setban", array_of("10.99.0.0/16", "remove"), &err);
	CHECK(r, v != NULL);
	json_decref(v);
	v = call(r, base, "setban", array_of("10.99.0.0/16", "remove"), &err);
	CHECK(r, v == NULL && strstr(err.message, "was not banned") != NULL);
	v = call(r, base, "setban", array_of("not-an-ip", "add"), &err);
	CHECK(r, v == NULL && err.code == RPC_INVALID_ADDRESS);
	v = call(r, base, "clearbanned", NULL, &err);
	CHECK(r, v != NULL);
	json_decref(v);
	v = call(r, base, "disconnectnode", json_pack("[s]", "127.0.0.9:1"), &err);
	CHECK(r, v == NULL && strstr(err.message, "not found") != NULL);
	v = call(r, base, "disconnectnode", json_pack("[b]", 1), &err);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
}

/* A peer the node dials: accepts one connection and, unless SILENT,
 * completes the handshake; then holds it until the node closes it. */
struct fake_peer {
	int		 lfd;
	uint16_t	 port;
	bool		 silent;
	const uint8_t	*magic;
	pthread_t	 thread;
};

/* As a v1-only peer does: a stream that does not start with the magic
 * (a v2 handshake) is closed, and the dialler comes back speaking v1. */
static void *
fake_peer_thread(void *arg)
{
	struct fake_peer *fp = arg;
	uint8_t buf[1 << 16];
	size_t have = 0;
	int fd = accept(fp->lfd, NULL, NULL);
	int64_t end = clock_mono_ms() + 20000;

	while (fd >= 0 && clock_mono_ms() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct frame_result res;
		struct msg m, out;
		enum frame_status st;
		size_t used;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((n = read(fd, buf + have, sizeof(buf) - have)) <= 0)
			break;
		have += (size_t)n;
		while ((st = frame_parse(buf, have, fp->magic, &m, &res, &used)) == FRAME_MSG) {
			memmove(buf, buf + used, have - used);
			have -= used;
			if (m.type == MSG_VERSION && !fp->silent) {
				msg_init(&out, MSG_VERSION);
				out.u.version.version = PROTO_VERSION;
				out.u.version.services = NODE_NETWORK;
				out.u.version.timestamp = clock_wall();
				out.u.version.nonce = 0xfeed;
				msg_version_set_user_agent(&out.u.version, "/fake:1/", 8);
				peer_send(fd, fp->magic, &out);
				msg_init(&out, MSG_VERACK);
				peer_send(fd, fp->magic, &out);
			}
			msg_free(&m);
		}
		if (st == FRAME_ERROR && res.err == MSG_ERR_BAD_MAGIC) {
			close(fd);
			have = 0;
			fd = accept(fp->lfd, NULL, NULL);
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void
fake_peer_start(struct fake_peer *fp, const uint8_t *magic, bool silent)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);

	memset(fp, 0, sizeof(*fp));
	fp->magic = magic;
	fp->silent = silent;
	fp->lfd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fp->lfd < 0 || bind(fp->lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(fp->lfd, 4) != 0 || getsockname(fp->lfd, (struct sockaddr *)&sin, &len) != 0)
		abort();
	fp->port = ntohs(sin.sin_port);
	pthread_create(&fp->thread, NULL, fake_peer_thread, fp);
}

static void
fake_peer_stop(struct fake_peer *fp)
{
	shutdown(fp->lfd, SHUT_RDWR);
	pthread_join(fp->thread, NULL);
	close(fp->lfd);
}

/* The outcome of one addnode call: "result" and "error" of the answer,
 * or the JSON-RPC error's message (then *CODE is set). */
static void
addnode(struct run *r, struct event_base *base, const char *node, const char *cmd,
    char *result, char *error, int *code)
{
	struct rpc_error err;
	/* add may wait RPC_ADDNODE_WAIT_MS (10 s) before it answers. */
	json_t *v = rpc_client_call_sync(base, "127.0.0.1", r->rpc, r->cookie, "addnode",
	    array_of(node, cmd), 15.0, &err);
	const char *s;

	result[0] = error[0] = '\0';
	*code = 0;
	if (v == NULL) {
		*code = err.code;
		snprintf(error, 160, "%.150s", err.message);
		return;
	}
	CHECK(r, strcmp(json_string_value(json_object_get(v, "node")), node) == 0);
	snprintf(result, 32, "%.20s", json_string_value(json_object_get(v, "result")));
	if ((s = json_string_value(json_object_get(v, "error"))) != NULL)
		snprintf(error, 160, "%.150s", s);
	json_decref(v);
}

/* Issue 15 item 20: addnode of an address that refuses, or of the node's
 * own address, answered "done".  It now answers with the outcome. */
static void
check_addnode_reports_outcome(struct run *r, struct event_base *base)
{
	char node[64], result[32], error[160];
	struct fake_peer fp;
	struct rpc_error err;
	json_t *v;
	int code;

	/* Refused: failed, and why. */
	snprintf(node, sizeof(node), "127.0.0.1:%u", free_port());
	addnode(r, base, node, "add", result, error, &code);
	CHECK(r, strcmp(result, "failed") == 0 && strstr(error, "refused") != NULL);
	addnode(r, base, node, "onetry", result, error, &code);
	CHECK(r, strcmp(result, "failed") == 0 && strstr(error, "refused") != NULL);
	v = call(r, base, "addnode", array_of(node, "remove"), &err);
	CHECK(r, v != NULL && json_is_null(v));
	json_decref(v);
	/* Our own address: refused at once, not added. */
	snprintf(node, sizeof(node), "127.0.0.1:%u", r->p2p);
	addnode(r, base, node, "onetry", result, error, &code);
	CHECK(r, code == RPC_INVALID_PARAMETER && strstr(error, "own address") != NULL);
	addnode(r, base, node, "add", result, error, &code);
	CHECK(r, code == RPC_INVALID_PARAMETER && strstr(error, "own address") != NULL);
	v = call(r, base, "addnode", array_of(node, "remove"), &err);
	CHECK(r, v == NULL);
	/* Banned: refused at once. */
	v = call(r, base, "setban", array_of("127.0.0.3", "add"), &err);
	json_decref(v);
	addnode(r, base, "127.0.0.3:5000", "onetry", result, error, &code);
	CHECK(r, code == RPC_INVALID_PARAMETER && strstr(error, "banned") != NULL);
	v = call(r, base, "clearbanned", NULL, &err);
	json_decref(v);
	/* A peer that completes the handshake: connected. */
	fake_peer_start(&fp, r->magic, false);
	snprintf(node, sizeof(node), "127.0.0.1:%u", fp.port);
	addnode(r, base, node, "onetry", result, error, &code);
	CHECK(r, strcmp(result, "connected") == 0 && error[0] == '\0');
	/* Already connected: known at once. */
	addnode(r, base, node, "onetry", result, error, &code);
	CHECK(r, code == RPC_INVALID_PARAMETER && strstr(error, "already connected") != NULL);
	v = call(r, base, "disconnectnode", json_pack("[s]", node), &err);
	json_decref(v);
	fake_peer_stop(&fp);
	/* One that accepts but never answers: still connecting after the
	 * deadline, so "added" (and kept). */
	fake_peer_start(&fp, r->magic, true);
	snprintf(node, sizeof(node), "127.0.0.1:%u", fp.port);
	addnode(r, base, node, "add", result, error, &code);
	CHECK(r, strcmp(result, "added") == 0);
	v = call(r, base, "addnode", array_of(node, "remove"), &err);
	CHECK(r, v != NULL);
	json_decref(v);
	v = call(r, base, "disconnectnode", json_pack("[s]", node), &err);
	json_decref(v);
	fake_peer_stop(&fp);
}

/* Issue 15 item 21: a ban of 0.0.0.0/0 was accepted silently.  Bans wider
 * than an IPv4 /8 or an IPv6 /32 now need force. */
static void
check_wide_ban_needs_force(struct run *r, struct event_base *base)
{
	struct rpc_error err;
	json_t *v;

	v = call(r, base, "setban", array_of("0.0.0.0/0", "add"), &err);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMETER &&
	    strstr(err.message, "wider than /8") != NULL);
	v = call(r, base, "setban", array_of("2001:db8::/31", "add"), &err);
	CHECK(r, v == NULL && strstr(err.message, "wider than /32") != NULL);
	v = call(r, base, "listbanned", NULL, &err);
	CHECK(r, v != NULL && json_array_size(v) == 0);
	json_decref(v);
	/* A /8 is fine; with force, wider is too. */
	v = call(r, base, "setban", array_of("10.0.0.0/8", "add"), &err);
	CHECK(r, v != NULL);
	json_decref(v);
	v = call(r, base, "setban", json_pack("[s, s, i, b, b]", "11.0.0.0/7", "add", 60, 0, 1),
	    &err);
	CHECK(r, v != NULL);
	json_decref(v);
	v = call(r, base, "listbanned", NULL, &err);
	CHECK(r, v != NULL && json_array_size(v) == 2);
	json_decref(v);
	v = call(r, base, "clearbanned", NULL, &err);
	json_decref(v);
}

/* Disconnect our peer by id, then ban its address (which kicks the next). */
static void
check_disconnect_and_ban(struct run *r, struct event_base *base)
{
	struct rpc_error err;
	json_t *v, *peers;
	struct msg m;
	int fd;

	json_int_t id, version;

	peers = call(r, base, "getpeerchanges", json_pack("[i]", 0), &err);
	CHECK(r, peers != NULL && json_is_true(json_object_get(peers, "full")));
	CHECK(r, json_array_size(json_object_get(peers, "peers")) == 1);
	id = json_integer_value(json_object_get(json_array_get(json_object_get(peers, "peers"), 0),
	    "id"));
	version = json_integer_value(json_object_get(peers, "version"));
	json_decref(peers);
	v = call(r, base, "disconnectnode", json_pack("[I]", id), &err);
	CHECK(r, v != NULL);
	json_decref(v);
	/* Since VERSION: no peer changed, one left. */
	peers = call(r, base, "getpeerchanges", json_pack("[I]", version), &err);
	CHECK(r, peers != NULL && json_is_false(json_object_get(peers, "full")));
	CHECK(r, json_array_size(json_object_get(peers, "peers")) == 0);
	CHECK(r, json_integer_value(json_array_get(json_object_get(peers, "removed"), 0)) == id);
	json_decref(peers);
	fd = peer_handshake(r);
	v = call(r, base, "setban", array_of("127.0.0.1", "add"), &err);
	CHECK(r, v != NULL);
	json_decref(v);
	/* The banned peer is dropped: its socket reads EOF. */
	CHECK(r, !peer_expect(fd, r->magic, MSG_ADDR, &m));
	close(fd);
	v = call(r, base, "clearbanned", NULL, &err);
	json_decref(v);
}

static bool metrics_get(struct run *r, uint16_t port, bool auth, const char *want);

/* GET /metrics with the cookie as HTTP Basic; true when the body names
 * WANT. */
static bool
metrics_has(struct run *r, const char *want)
{
	return metrics_get(r, r->rpc, true, want);
}

static bool
metrics_get(struct run *r, uint16_t port, bool auth, const char *want)
{
	char cookie[128], b64[256], req[512];
	static char resp[1 << 16];
	size_t have = 0;
	FILE *fp = fopen(r->cookie, "r");
	int fd;
	bool ok;

	if (fp == NULL || fgets(cookie, sizeof(cookie), fp) == NULL) {
		if (fp != NULL)
			fclose(fp);
		return false;
	}
	fclose(fp);
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)cookie, strlen(cookie),
	    sodium_base64_VARIANT_ORIGINAL);
	if (auth)
		snprintf(req, sizeof(req), "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: "
		    "Basic %s\r\nConnection: close\r\n\r\n", b64);
	else
		snprintf(req, sizeof(req), "GET /metrics HTTP/1.1\r\nHost: x\r\n"
		    "Connection: close\r\n\r\n");
	if ((fd = peer_connect(port)) < 0)
		return false;
	(void)!write(fd, req, strlen(req));
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		if (poll(&pfd, 1, 5000) <= 0 || have + 1 >= sizeof(resp))
			break;
		if ((n = read(fd, resp + have, sizeof(resp) - 1 - have)) <= 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	resp[have] = '\0';
	ok = strstr(resp, " 200 ") != NULL && strstr(resp, want) != NULL;
	return ok;
}

/* --- the chain's methods ----------------------------------------------------- */

/* METHOD with params packed from FMT (json_pack), e.g. ("getblockhash",
 * "[i]", 3); FMT NULL: none. */
static json_t *
callf(struct run *r, struct event_base *base, struct rpc_error *err, const char *method,
    const char *fmt, ...)
{
	json_t *params = NULL;
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		params = json_vpack_ex(NULL, 0, fmt, ap);
		va_end(ap);
	}
	memset(err, 0, sizeof(*err));
	return call(r, base, method, params, err);
}

/* The string member KEY of O ("" when there is none). */
static const char *
str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static json_int_t
int_of(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

enum flaw { FLAW_NONE, FLAW_MERKLE, FLAW_HIGH_HASH };

/* A block on PREV (a hash as RPC shows it) at TIME with one transaction
 * of TAG, mined, with FLAW; its hash into HASH_HEX.  Returns its hex
 * (caller frees). */
static char *
block_hex(const char *prev, uint32_t time, uint32_t tag, enum flaw flaw, char hash_hex[65])
{
	struct block_header h = { .version = 1, .time = time, .bits = 0x207fffff };
	struct block_txdata tx = { .data = (const uint8_t *)&tag, .len = sizeof(tag) };
	uint8_t (*ids)[32], hash[32];
	struct block b;
	char *hex;

	if (!u256_hash_from_hex(prev, h.prev_hash) || block_build(&b, &h, &tx, 1) != BLOCK_OK)
		abort();
	ids = block_txids(&b);
	if (flaw != FLAW_MERKLE)
		merkle_root((const uint8_t (*)[32])ids, 1, h.merkle_root, NULL);
	free(ids);
	if (!pow_mine(&h, 1000000))
		abort();
	block_header_hash(&h, hash);
	while (flaw == FLAW_HIGH_HASH && pow_check(hash, h.bits, chainparams_get(NET_REGTEST))) {
		h.nonce++;
		block_header_hash(&h, hash);
	}
	block_set_header(&b, &h);
	u256_hash_to_hex(hash, hash_hex);
	hex = malloc(b.len * 2 + 1);
	sodium_bin2hex(hex, b.len * 2 + 1, b.data, b.len);
	block_free(&b);
	return hex;
}

/* submitblock of a block on PREV; returns what it answered ("null" when
 * accepted), in a static buffer. */
static const char *
submit(struct run *r, struct event_base *base, const char *prev, uint32_t time, uint32_t tag,
    enum flaw flaw, char hash_hex[65])
{
	static char answer[320];
	struct rpc_error err;
	char *hex = block_hex(prev, time, tag, flaw, hash_hex);
	json_t *v = callf(r, base, &err, "submitblock", "[s]", hex);

	free(hex);
	if (v == NULL)
		snprintf(answer, sizeof(answer), "error %d: %s", err.code, err.message);
	else if (json_is_null(v))
		snprintf(answer, sizeof(answer), "null");
	else
		snprintf(answer, sizeof(answer), "%s", json_string_value(v));
	json_decref(v);
	return answer;
}

/* getchaintips: the status of the tip with HASH ("" when not a tip), and
 * its branchlen into *BRANCHLEN. */
static const char *
tip_status(struct run *r, struct event_base *base, const char *hash, json_int_t *branchlen)
{
	static char status[32];
	struct rpc_error err;
	json_t *v = callf(r, base, &err, "getchaintips", NULL);
	size_t i;
	json_t *t;

	status[0] = '\0';
	json_array_foreach(v, i, t) {
		if (strcmp(str_of(t, "hash"), hash) == 0) {
			snprintf(status, sizeof(status), "%s", str_of(t, "status"));
			if (branchlen != NULL)
				*branchlen = int_of(t, "branchlen");
		}
	}
	json_decref(v);
	return status;
}

static void
check_chain_info(struct run *r, struct event_base *base, char genesis[65])
{
	struct rpc_error err;
	json_t *v;

	v = callf(r, base, &err, "getblockchaininfo", NULL);
	CHECK(r, v != NULL && strcmp(str_of(v, "chain"), "regtest") == 0);
	CHECK(r, int_of(v, "blocks") == 0 && int_of(v, "headers") == 0);
	CHECK(r, json_real_value(json_object_get(v, "verificationprogress")) == 1.0);
	/* Only genesis: catching up once it is a day old. */
	CHECK(r, json_is_true(json_object_get(v, "initialblockdownload")) ==
	    ((int64_t)chainparams_get(NET_REGTEST)->genesis.time < clock_wall() - 24 * 3600));
	snprintf(genesis, 65, "%s", str_of(v, "bestblockhash"));
	CHECK(r, strlen(genesis) == 64);
	CHECK(r, strlen(str_of(v, "chainwork")) == 64);
	json_decref(v);
	v = callf(r, base, &err, "getblockhash", "[i]", 0);
	CHECK(r, v != NULL && strcmp(json_string_value(v), genesis) == 0);
	json_decref(v);
	v = callf(r, base, &err, "getblockhash", "[i]", 1);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMETER &&
	    strstr(err.message, "out of range") != NULL);
	v = callf(r, base, &err, "getblockhash", "[i]", -1);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
}

/* generate: three blocks, then the queries on them. */
static void
check_generate_and_read(struct run *r, struct event_base *base, const char *genesis,
    char tip[65])
{
	struct rpc_error err;
	json_t *v, *hashes, *hdr;
	char h1[65], h2[65];
	const char *hex;
	uint8_t raw[80], hash[32];
	struct block b;
	size_t len;

	hashes = callf(r, base, &err, "generate", "[i]", 3);
	CHECK(r, json_array_size(hashes) == 3);
	snprintf(h1, sizeof(h1), "%s", json_string_value(json_array_get(hashes, 0)));
	snprintf(h2, sizeof(h2), "%s", json_string_value(json_array_get(hashes, 1)));
	snprintf(tip, 65, "%s", json_string_value(json_array_get(hashes, 2)));
	json_decref(hashes);
	v = callf(r, base, &err, "getblockchaininfo", NULL);
	CHECK(r, int_of(v, "blocks") == 3 && int_of(v, "headers") == 3);
	CHECK(r, strcmp(str_of(v, "bestblockhash"), tip) == 0);
	CHECK(r, json_is_false(json_object_get(v, "initialblockdownload")));
	json_decref(v);
	v = callf(r, base, &err, "getblockhash", "[i]", 2);
	CHECK(r, v != NULL && strcmp(json_string_value(v), h2) == 0);
	json_decref(v);
	/* getblockheader: fields, neighbours, or the 80 bytes. */
	hdr = callf(r, base, &err, "getblockheader", "[s]", h2);
	CHECK(r, hdr != NULL && int_of(hdr, "height") == 2 && int_of(hdr, "confirmations") == 2);
	CHECK(r, strcmp(str_of(hdr, "hash"), h2) == 0);
	CHECK(r, strcmp(str_of(hdr, "previousblockhash"), h1) == 0);
	CHECK(r, strcmp(str_of(hdr, "nextblockhash"), tip) == 0);
	CHECK(r, strcmp(str_of(hdr, "bits"), "207fffff") == 0);
	CHECK(r, json_is_true(json_object_get(hdr, "have_data")));
	CHECK(r, int_of(hdr, "mediantime") > 0 && int_of(hdr, "firstseen_ms") > 0);
	json_decref(hdr);
	v = callf(r, base, &err, "getblockheader", "[s, b]", h2, 0);
	hex = json_string_value(v);
	CHECK(r, hex != NULL && strlen(hex) == 160);
	if (hex != NULL && sodium_hex2bin(raw, sizeof(raw), hex, strlen(hex), NULL, &len, NULL) ==
	    0 && len == 80) {
		struct block_header bh;
		char back[65];
		block_header_decode(raw, &bh);
		block_header_hash(&bh, hash);
		u256_hash_to_hex(hash, back);
		CHECK(r, strcmp(back, h2) == 0);
	}
	json_decref(v);
	v = callf(r, base, &err, "getblockheader", "[s]", genesis);
	CHECK(r, v != NULL && json_object_get(v, "previousblockhash") == NULL);
	CHECK(r, int_of(v, "confirmations") == 4);
	json_decref(v);
	v = callf(r, base, &err, "getblockheader", "[s]", tip);
	CHECK(r, v != NULL && json_object_get(v, "nextblockhash") == NULL);
	json_decref(v);
	/* getblock 0: the bytes, which parse and hash back. */
	v = callf(r, base, &err, "getblock", "[s, i]", h1, 0);
	hex = json_string_value(v);
	CHECK(r, hex != NULL && strlen(hex) % 2 == 0);
	if (hex != NULL) {
		size_t n = strlen(hex) / 2;
		uint8_t *bin = malloc(n);
		char back[65];
		CHECK(r, sodium_hex2bin(bin, n, hex, strlen(hex), NULL, &len, NULL) == 0);
		CHECK(r, block_parse(&b, bin, len) == BLOCK_OK);
		block_header_hash(&b.header, hash);
		u256_hash_to_hex(hash, back);
		CHECK(r, strcmp(back, h1) == 0);
		block_free(&b);
		free(bin);
	}
	json_decref(v);
	/* getblock 1 (the default): header fields, size, txids. */
	v = callf(r, base, &err, "getblock", "[s]", h1);
	CHECK(r, v != NULL && int_of(v, "height") == 1 && int_of(v, "nTx") == 1);
	CHECK(r, int_of(v, "size") > 80);
	CHECK(r, json_array_size(json_object_get(v, "tx")) == 1);
	CHECK(r, json_is_string(json_array_get(json_object_get(v, "tx"), 0)));
	json_decref(v);
	/* getblock 2: each transaction's id, size and bytes. */
	v = callf(r, base, &err, "getblock", "[s, i]", h1, 2);
	{
		json_t *tx = json_array_get(json_object_get(v, "tx"), 0);
		CHECK(r, json_is_object(tx) && strlen(str_of(tx, "txid")) == 64);
		CHECK(r, (json_int_t)strlen(str_of(tx, "hex")) == 2 * int_of(tx, "size"));
		CHECK(r, strncmp(str_of(tx, "hex"), "6167656e74636861696e20626c6f636b2031",
		    36) == 0);	/* "agentchain block 1" */
	}
	json_decref(v);
	/* Refusals. */
	v = callf(r, base, &err, "getblock", "[s, i]", h1, 3);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
	v = callf(r, base, &err, "getblock", "[s]",
	    "00000000000000000000000000000000000000000000000000000000000000aa");
	CHECK(r, v == NULL && err.code == RPC_INVALID_ADDRESS &&
	    strcmp(err.message, "Block not found") == 0);
	v = callf(r, base, &err, "getblock", "[s]", "not-a-hash");
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMETER);
	v = callf(r, base, &err, "getblockheader", "[s]", "zz");
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMETER);
	v = callf(r, base, &err, "getblockheader", "[s, s]", h1, "yes");
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
	/* generate's own limits. */
	v = callf(r, base, &err, "generate", "[i]", 0);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
	v = callf(r, base, &err, "generate", "[i, i]", 1, 5000000);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
}

/* sendrawtransaction into the mempool, then into a block. */
static void
check_mempool(struct run *r, struct event_base *base, char tip[65])
{
	struct rpc_error err;
	json_t *v;
	char txid[65], *big;

	v = callf(r, base, &err, "sendrawtransaction", "[s]", "00ff10");
	CHECK(r, json_is_string(v) && strlen(json_string_value(v)) == 64);
	snprintf(txid, sizeof(txid), "%s", v != NULL ? json_string_value(v) : "");
	json_decref(v);
	/* The same again: accepted (it is there), same id. */
	v = callf(r, base, &err, "sendrawtransaction", "[s]", "00ff10");
	CHECK(r, v != NULL && strcmp(json_string_value(v), txid) == 0);
	json_decref(v);
	v = callf(r, base, &err, "getrawmempool", NULL);
	CHECK(r, json_array_size(v) == 1 &&
	    strcmp(json_string_value(json_array_get(v, 0)), txid) == 0);
	json_decref(v);
	v = callf(r, base, &err, "getmempoolinfo", NULL);
	CHECK(r, v != NULL && int_of(v, "size") == 1 && int_of(v, "bytes") == 3);
	CHECK(r, int_of(v, "maxmempool") > 0 && int_of(v, "maxcount") > 0);
	CHECK(r, int_of(v, "evicted") == 0 && int_of(v, "expired") == 0);
	json_decref(v);
	CHECK(r, metrics_has(r, "agentnode_mempool_transactions 1\n"));
	CHECK(r, metrics_has(r, "agentnode_mempool_bytes 3\n"));
	/* Not hex, odd, empty, too big. */
	v = callf(r, base, &err, "sendrawtransaction", "[s]", "0g");
	CHECK(r, v == NULL && err.code == RPC_DESERIALIZATION_ERROR &&
	    strstr(err.message, "not hex") != NULL);
	v = callf(r, base, &err, "sendrawtransaction", "[s]", "abc");
	CHECK(r, v == NULL && err.code == RPC_DESERIALIZATION_ERROR &&
	    strstr(err.message, "even-length") != NULL);
	v = callf(r, base, &err, "sendrawtransaction", "[s]", "");
	CHECK(r, v == NULL && err.code == RPC_DESERIALIZATION_ERROR);
	v = callf(r, base, &err, "sendrawtransaction", "[i]", 7);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
	big = malloc(2 * (BLOCK_TX_MAX_SIZE + 1) + 1);
	memset(big, 'a', 2 * (BLOCK_TX_MAX_SIZE + 1));
	big[2 * (BLOCK_TX_MAX_SIZE + 1)] = '\0';
	v = callf(r, base, &err, "sendrawtransaction", "[s]", big);
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS &&
	    strstr(err.message, "longer than 200000") != NULL);
	/* The largest transaction is fine. */
	big[2 * BLOCK_TX_MAX_SIZE] = '\0';
	v = callf(r, base, &err, "sendrawtransaction", "[s]", big);
	CHECK(r, json_is_string(v));
	json_decref(v);
	free(big);
	/* A block takes both, oldest first; they leave the mempool. */
	v = callf(r, base, &err, "generate", "[i]", 1);
	CHECK(r, json_array_size(v) == 1);
	snprintf(tip, 65, "%s", json_string_value(json_array_get(v, 0)));
	json_decref(v);
	v = callf(r, base, &err, "getblock", "[s]", tip);
	CHECK(r, int_of(v, "nTx") == 3);
	CHECK(r, strcmp(json_string_value(json_array_get(json_object_get(v, "tx"), 1)), txid) ==
	    0);
	json_decref(v);
	v = callf(r, base, &err, "getmempoolinfo", NULL);
	CHECK(r, v != NULL && int_of(v, "size") == 0 && int_of(v, "bytes") == 0);
	json_decref(v);
	/* Confirmed: not taken again. */
	v = callf(r, base, &err, "sendrawtransaction", "[s]", "00ff10");
	CHECK(r, v == NULL && err.code == RPC_VERIFY_REJECTED);
}

/* submitblock's answers, getchaintips' kinds, invalidate and reconsider. */
static void
check_submit_and_tips(struct run *r, struct event_base *base, const char *genesis,
    const char *tip4)
{
	struct rpc_error err;
	json_t *v, *hdr;
	char h5[65], side[65], bad[65], child[65], orphan[65], junk[65];
	const char *hex;
	uint32_t t;
	json_int_t branchlen = -1;

	hdr = callf(r, base, &err, "getblockheader", "[s]", tip4);
	t = (uint32_t)int_of(hdr, "mediantime") + 1;
	json_decref(hdr);
	/* Accepted, then a duplicate. */
	CHECK(r, strcmp(submit(r, base, tip4, t, 1, FLAW_NONE, h5), "null") == 0);
	v = callf(r, base, &err, "getblock", "[s, i]", h5, 0);
	hex = json_string_value(v);
	if (hex != NULL) {
		json_t *d = callf(r, base, &err, "submitblock", "[s]", hex);
		CHECK(r, d != NULL && strcmp(json_string_value(d), "duplicate") == 0);
		json_decref(d);
	}
	json_decref(v);
	CHECK(r, metrics_has(r, "agentnode_blocks 5\n"));
	CHECK(r, metrics_has(r, "agentnode_headers 5\n"));
	CHECK(r, metrics_has(r, "agentnode_blocks_received_total "));
	CHECK(r, strcmp(tip_status(r, base, h5, &branchlen), "active") == 0 && branchlen == 0);
	/* Undecodable, orphan, high hash. */
	v = callf(r, base, &err, "submitblock", "[s]", "00");
	CHECK(r, v == NULL && err.code == RPC_DESERIALIZATION_ERROR &&
	    strstr(err.message, "Block decode failed") != NULL);
	CHECK(r, strcmp(submit(r, base,
	    "00000000000000000000000000000000000000000000000000000000000000bb", t, 2,
	    FLAW_NONE, orphan), "inconclusive: unknown parent") == 0);
	CHECK(r, strcmp(submit(r, base, h5, t, 3, FLAW_HIGH_HASH, junk), "high-hash") == 0);
	/* Bad merkle root on a new header: the header stays (headers-only). */
	CHECK(r, strcmp(submit(r, base, h5, t, 4, FLAW_MERKLE, bad), "bad-txnmrklroot") == 0);
	CHECK(r, strcmp(tip_status(r, base, bad, &branchlen), "headers-only") == 0);
	CHECK(r, branchlen == 1);
	/* The active tip is listed though a header builds on it (as Core). */
	CHECK(r, strcmp(tip_status(r, base, h5, &branchlen), "active") == 0 && branchlen == 0);
	v = callf(r, base, &err, "getblock", "[s]", bad);
	CHECK(r, v == NULL && err.code == RPC_MISC_ERROR &&
	    strstr(err.message, "not available") != NULL);
	v = callf(r, base, &err, "getblockheader", "[s]", bad);
	CHECK(r, v != NULL && int_of(v, "confirmations") == -1);
	CHECK(r, json_is_false(json_object_get(v, "have_data")));
	json_decref(v);
	/* A side branch off block 4: valid-fork. */
	CHECK(r, strcmp(submit(r, base, tip4, t, 5, FLAW_NONE, side), "null") == 0);
	CHECK(r, strcmp(tip_status(r, base, side, &branchlen), "valid-fork") == 0);
	CHECK(r, branchlen == 1);
	/* Invalidate the active tip: the side branch takes over; what builds
	 * on the invalid block is refused. */
	v = callf(r, base, &err, "invalidateblock", "[s]", h5);
	CHECK(r, v != NULL && json_is_null(v));
	json_decref(v);
	CHECK(r, strcmp(tip_status(r, base, side, NULL), "active") == 0);
	CHECK(r, strcmp(tip_status(r, base, h5, NULL), "") == 0);	/* "bad" builds on it */
	CHECK(r, strcmp(tip_status(r, base, bad, NULL), "invalid") == 0);
	CHECK(r, strcmp(submit(r, base, h5, t + 1, 6, FLAW_NONE, child), "bad-prevblk") == 0);
	/* Reconsidered: equal work, the first seen is active again. */
	v = callf(r, base, &err, "reconsiderblock", "[s]", h5);
	CHECK(r, v != NULL && json_is_null(v));
	json_decref(v);
	v = callf(r, base, &err, "getblockchaininfo", NULL);
	CHECK(r, strcmp(str_of(v, "bestblockhash"), h5) == 0);
	CHECK(r, int_of(v, "headers") == 6);	/* "bad"'s header */
	CHECK(r, json_real_value(json_object_get(v, "verificationprogress")) < 1.0);
	json_decref(v);
	CHECK(r, strcmp(tip_status(r, base, side, NULL), "valid-fork") == 0);
	/* A block whose parent has only its header: stored, waiting. */
	CHECK(r, strcmp(submit(r, base, bad, t + 2, 7, FLAW_NONE, child), "null") == 0);
	CHECK(r, strcmp(tip_status(r, base, child, &branchlen), "valid-headers") == 0);
	CHECK(r, branchlen == 2);
	/* Refusals. */
	v = callf(r, base, &err, "invalidateblock", "[s]", genesis);
	CHECK(r, v == NULL && err.code == RPC_MISC_ERROR && strstr(err.message, "genesis") != NULL);
	v = callf(r, base, &err, "invalidateblock", "[s]",
	    "00000000000000000000000000000000000000000000000000000000000000cc");
	CHECK(r, v == NULL && err.code == RPC_INVALID_ADDRESS);
	v = callf(r, base, &err, "reconsiderblock", "[s]",
	    "00000000000000000000000000000000000000000000000000000000000000cc");
	CHECK(r, v == NULL && err.code == RPC_INVALID_ADDRESS);
	v = callf(r, base, &err, "submitblock", "[s]", "xyz");
	CHECK(r, v == NULL && err.code == RPC_DESERIALIZATION_ERROR);
}

struct waited {
	bool	 done;
	json_t	*result;
};

static void
on_waited(void *arg, json_t *result, const struct rpc_error *err)
{
	struct waited *w = arg;

	(void)err;
	w->done = true;
	w->result = result != NULL ? json_incref(result) : NULL;
}

/* getblockcount, and waitforblockheight: at once when reached, the tip
 * at its timeout, and an answer as soon as a block arrives meanwhile. */
static void
check_wait_for_height(struct run *r, struct event_base *base)
{
	struct rpc_client *c = rpc_client_new(base, "127.0.0.1", r->rpc, r->cookie);
	struct waited w = { 0 };
	struct rpc_error err;
	json_int_t h;
	int64_t t0, end;
	json_t *v;

	v = callf(r, base, &err, "getblockcount", NULL);
	CHECK(r, v != NULL && json_is_integer(v));
	h = json_integer_value(v);
	json_decref(v);
	v = callf(r, base, &err, "getblockchaininfo", NULL);
	CHECK(r, int_of(v, "blocks") == h);
	json_decref(v);
	v = callf(r, base, &err, "waitforblockheight", "[I]", h);
	CHECK(r, int_of(v, "height") == h && strlen(str_of(v, "hash")) == 64);
	json_decref(v);
	t0 = clock_mono_ms();
	v = callf(r, base, &err, "waitforblockheight", "[I, i]", h + 1, 150);
	CHECK(r, int_of(v, "height") == h && clock_mono_ms() - t0 >= 150);
	json_decref(v);
	v = callf(r, base, &err, "waitforblockheight", "[s]", "x");
	CHECK(r, v == NULL && err.code == RPC_INVALID_PARAMS);
	CHECK(r, rpc_client_call(c, "waitforblockheight", json_pack("[I]", h + 1), 5.0,
	    on_waited, &w) == 0);
	v = callf(r, base, &err, "generate", "[i]", 1);
	json_decref(v);
	for (end = clock_mono_ms() + 5000; !w.done && clock_mono_ms() < end; )
		event_base_loop(base, EVLOOP_ONCE);
	CHECK(r, w.done && int_of(w.result, "height") == h + 1);
	json_decref(w.result);
	rpc_client_free(c);
}

static void
check_chain_rpc(struct run *r, struct event_base *base)
{
	char genesis[65] = "", tip[65] = "";

	check_chain_info(r, base, genesis);
	check_generate_and_read(r, base, genesis, tip);
	check_mempool(r, base, tip);
	check_submit_and_tips(r, base, genesis, tip);
	check_wait_for_height(r, base);
}

static void *
operator_thread(void *arg)
{
	struct run *r = arg;
	struct event_base *base = event_base_new();
	struct rpc_error err;
	json_t *v;
	int fd;

	CHECK(r, wait_rpc(r, base));
	if (r->failures == 0) {
		fd = peer_handshake(r);
		check_rpc_methods(r, base);
		check_wide_ban_needs_force(r, base);
		check_addnode_reports_outcome(r, base);
		CHECK(r, metrics_has(r, "agentnode_peers{direction=\"inbound\"} 1"));
		/* metrics_listen_without_cookie (issue 15 item 17) */
		CHECK(r, metrics_get(r, r->metrics, false, "agentnode_peers{direction=\"inbound\"} 1"));
		CHECK(r, !metrics_get(r, r->rpc, false, "agentnode_peers"));
		close(fd);
		/* wait for the node to see it go */
		int64_t end = clock_mono_ms() + 5000;
		while (clock_mono_ms() < end) {
			v = call(r, base, "getpeerinfo", NULL, &err);
			size_t n = json_array_size(v);
			json_decref(v);
			if (n == 0)
				break;
			usleep(20 * 1000);
		}
		fd = peer_handshake(r);
		(void)fd;	/* closed by the node */
		check_disconnect_and_ban(r, base);
		check_chain_rpc(r, base);
	}
	v = call(r, base, "stop", NULL, &err);
	CHECK(r, v != NULL);
	json_decref(v);
	event_base_free(base);
	return NULL;
}

static void
test_node_run_rpc_and_stop(void **state)
{
	struct config cfg;
	struct run r;
	pthread_t t;
	char err[256], val[96];
	struct stat st;

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(r.dir, sizeof(r.dir), "/tmp/agentchain-test-node.XXXXXX");
	assert_non_null(mkdtemp(r.dir));
	snprintf(r.cookie, sizeof(r.cookie), "%s/.cookie", r.dir);
	r.p2p = free_port();
	r.rpc = free_port();
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "network.name", "regtest", err, sizeof(err)), 0);
	assert_int_equal(config_set(&cfg, "node.datadir", r.dir, err, sizeof(err)), 0);
	snprintf(val, sizeof(val), "127.0.0.1:%u", r.p2p);
	assert_int_equal(config_set(&cfg, "node.listen", val, err, sizeof(err)), 0);
	snprintf(val, sizeof(val), "127.0.0.1:%u", r.rpc);
	assert_int_equal(config_set(&cfg, "node.rpc_listen", val, err, sizeof(err)), 0);
	r.metrics = free_port();
	snprintf(val, sizeof(val), "127.0.0.1:%u", r.metrics);
	assert_int_equal(config_set(&cfg, "node.metrics_listen", val, err, sizeof(err)), 0);
	assert_int_equal(config_set(&cfg, "network.dns_seeds", "", err, sizeof(err)), 0);
	assert_int_equal(config_set(&cfg, "network.seeds", "", err, sizeof(err)), 0);
	assert_int_equal(config_finalize(&cfg, err, sizeof(err)), 0);
	r.magic = cfg.params->magic;
	assert_int_equal(pthread_create(&t, NULL, operator_thread, &r), 0);
	assert_int_equal(node_run(&cfg, NULL), 0);
	pthread_join(t, NULL);
	if (r.failures > 0)
		fail_msg("%d checks failed, first: %s", r.failures, r.failed);
	/* state saved on the way out */
	snprintf(val, sizeof(val), "%s/peers.dat", r.dir);
	assert_int_equal(stat(val, &st), 0);
	snprintf(val, sizeof(val), "%s/banlist.json", r.dir);
	assert_int_equal(stat(val, &st), 0);
	config_free(&cfg);
	(void)!system(((void)snprintf(val, sizeof(val), "rm -rf %s", r.dir), val));
}

/* A regtest node on loopback in R->dir, no seeds. */
static void
node_config(struct run *r, struct config *cfg)
{
	char err[256], val[96];

	snprintf(r->cookie, sizeof(r->cookie), "%s/.cookie", r->dir);
	r->p2p = free_port();
	r->rpc = free_port();
	config_init(cfg);
	assert_int_equal(config_set(cfg, "network.name", "regtest", err, sizeof(err)), 0);
	assert_int_equal(config_set(cfg, "node.datadir", r->dir, err, sizeof(err)), 0);
	snprintf(val, sizeof(val), "127.0.0.1:%u", r->p2p);
	assert_int_equal(config_set(cfg, "node.listen", val, err, sizeof(err)), 0);
	snprintf(val, sizeof(val), "127.0.0.1:%u", r->rpc);
	assert_int_equal(config_set(cfg, "node.rpc_listen", val, err, sizeof(err)), 0);
	assert_int_equal(config_set(cfg, "network.dns_seeds", "", err, sizeof(err)), 0);
	assert_int_equal(config_set(cfg, "network.seeds", "", err, sizeof(err)), 0);
	assert_int_equal(config_finalize(cfg, err, sizeof(err)), 0);
	r->magic = cfg->params->magic;
}

/* Wait for the RPC, then stop the node. */
static void *
stopper_thread(void *arg)
{
	struct run *r = arg;
	struct event_base *base = event_base_new();
	struct rpc_error err;
	json_t *v;

	CHECK(r, wait_rpc(r, base));
	v = call(r, base, "stop", NULL, &err);
	CHECK(r, v != NULL);
	json_decref(v);
	event_base_free(base);
	return NULL;
}

/* Start the node on CFG, let it come up, stop it; its exit status. */
static int
run_and_stop(struct run *r, const struct config *cfg)
{
	pthread_t t;
	int rc;

	assert_int_equal(pthread_create(&t, NULL, stopper_thread, r), 0);
	rc = node_run(cfg, NULL);
	pthread_join(t, NULL);
	if (r->failures > 0)
		fail_msg("%d checks failed, first: %s", r->failures, r->failed);
	return rc;
}

static void
write_text(const char *dir, const char *name, const char *text)
{
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static bool
file_is(const char *dir, const char *name, mode_t type)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static char *
read_text(const char *dir, const char *name)
{
	static char buf[8192];
	char path[160];
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Issue 15 items 8, 10 and 21: a FIFO at peers.dat hung start-up; an
 * unusable ban list was overwritten by the next save; interrupted saves
 * left peers.dat.tmp.<pid> for ever; one bad ban threw away the others. */
static void
test_unusable_state_files_moved_aside(void **state)
{
	struct config cfg;
	struct run r;
	char path[160], *text;
	int64_t t0;

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(r.dir, sizeof(r.dir), "/tmp/agentchain-test-node.XXXXXX");
	assert_non_null(mkdtemp(r.dir));
	node_config(&r, &cfg);
	snprintf(path, sizeof(path), "%s/peers.dat", r.dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	write_text(r.dir, "peers.dat.tmp.99999", "half a save");
	write_text(r.dir, "banlist.json.tmp.1", "half a save");
	write_text(r.dir, "banlist.json", "{\"version\":1,\"bans\":[{\"subnet\":\"10.9.0.1/33\","
	    "\"created\":1,\"until\":4000000000},{\"subnet\":\"10.8.0.0/16\",\"created\":1,"
	    "\"until\":4000000000}]}\n");
	t0 = clock_mono_ms();
	assert_int_equal(run_and_stop(&r, &cfg), 0);
	assert_true(clock_mono_ms() - t0 < 20000);
	/* fifo_peers_dat_does_not_hang: moved aside, a real book saved. */
	assert_true(file_is(r.dir, "peers.dat.bad", S_IFIFO));
	assert_true(file_is(r.dir, "peers.dat", S_IFREG));
	/* stale_tmp_files_removed_at_start */
	assert_false(file_is(r.dir, "peers.dat.tmp.99999", S_IFREG));
	assert_false(file_is(r.dir, "banlist.json.tmp.1", S_IFREG));
	/* banlist_bad_entry_keeps_the_rest: the good ban saved, the
	 * original kept for repair. */
	assert_non_null(text = read_text(r.dir, "banlist.json"));
	assert_non_null(strstr(text, "10.8.0.0/16"));
	assert_null(strstr(text, "10.9.0.1"));
	assert_non_null(text = read_text(r.dir, "banlist.json.bad"));
	assert_non_null(strstr(text, "10.9.0.1/33"));

	/* A ban list that is not JSON at all is moved aside, not lost. */
	write_text(r.dir, "banlist.json", "this is not json");
	unlink(path);
	write_text(r.dir, "peers.dat", "ACAM but truncated");
	assert_int_equal(run_and_stop(&r, &cfg), 0);
	assert_non_null(text = read_text(r.dir, "banlist.json.bad"));
	assert_string_equal(text, "this is not json");
	assert_non_null(text = read_text(r.dir, "peers.dat.bad"));
	assert_string_equal(text, "ACAM but truncated");
	assert_true(file_is(r.dir, "banlist.json", S_IFREG));
	config_free(&cfg);
	(void)!system(((void)snprintf(path, sizeof(path), "rm -rf %s", r.dir), path));
}

/* Start-up failures end node_run with status 1 and nothing left behind. */
static void
test_node_start_failures(void **state)
{
	struct config cfg;
	char dir[64], err[256], lock[96];
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/agentchain-test-node.XXXXXX");
	assert_non_null(mkdtemp(dir));
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "network.name", "regtest", err, sizeof(err)), 0);
	assert_int_equal(config_set(&cfg, "node.datadir", dir, err, sizeof(err)), 0);
	assert_int_equal(config_set(&cfg, "node.listen", "192.0.2.1:1", err, sizeof(err)), 0);
	assert_int_equal(config_finalize(&cfg, err, sizeof(err)), 0);
	/* Another process holds the datadir. */
	snprintf(lock, sizeof(lock), "%s/.lock", dir);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	/* (flock locks belong to the open file: ours conflicts with the
	 * node's own open of the same file.) */
	assert_int_equal(node_run(&cfg, NULL), 1);
	close(fd);
	/* No address we can listen on. */
	assert_int_equal(node_run(&cfg, NULL), 1);
	config_free(&cfg);
	/* Unauthenticated /metrics on a non-loopback address: only when asked. */
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "network.name", "regtest", err, sizeof(err)), 0);
	assert_int_equal(config_set(&cfg, "node.datadir", dir, err, sizeof(err)), 0);
	snprintf(lock, sizeof(lock), "127.0.0.1:%u", free_port());
	assert_int_equal(config_set(&cfg, "node.listen", lock, err, sizeof(err)), 0);
	snprintf(lock, sizeof(lock), "127.0.0.1:%u", free_port());
	assert_int_equal(config_set(&cfg, "node.rpc_listen", lock, err, sizeof(err)), 0);
	assert_int_equal(config_set(&cfg, "node.metrics_listen", "0.0.0.0:1", err, sizeof(err)), 0);
	assert_int_equal(config_finalize(&cfg, err, sizeof(err)), 0);
	assert_int_equal(node_run(&cfg, NULL), 1);
	config_free(&cfg);
	(void)!system(((void)snprintf(lock, sizeof(lock), "rm -rf %s", dir), lock));
}

/* generate is regtest's: elsewhere it is refused before touching the chain. */
static void
test_generate_refused_off_regtest(void **state)
{
	struct config cfg;
	struct rpc_node n;
	const struct rpc_method *m = NULL;
	struct rpc_error err;
	char why[256];
	json_t *params = json_array(), *v;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "network.name", "mainnet", why, sizeof(why)), 0);
	assert_int_equal(config_finalize(&cfg, why, sizeof(why)), 0);
	memset(&n, 0, sizeof(n));
	n.cfg = &cfg;
	for (size_t i = 0; i < rpc_chain_count(); i++)
		if (strcmp(rpc_chain_table()[i].name, "generate") == 0)
			m = &rpc_chain_table()[i];
	assert_non_null(m);
	memset(&err, 0, sizeof(err));
	v = m->fn(&n, params, &err);
	assert_null(v);
	assert_int_equal(err.code, RPC_MISC_ERROR);
	assert_non_null(strstr(err.message, "generate is for regtest"));
	assert_non_null(strstr(err.message, "mainnet"));
	json_decref(params);
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_run_rpc_and_stop),
		cmocka_unit_test(test_node_start_failures),
		cmocka_unit_test(test_unusable_state_files_moved_aside),
		cmocka_unit_test(test_generate_refused_off_regtest),
	};

	log_set_level(LOGL_ERROR);
	if (hash_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
