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
#include "buf.h"
#include "chainparams.h"
#include "clock.h"
#include "config.h"
#include "frame.h"
#include "hash.h"
#include "log.h"
#include "msg.h"
#include "rpc_client.h"

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

static void *
fake_peer_thread(void *arg)
{
	struct fake_peer *fp = arg;
	uint8_t buf[1 << 16];
	size_t have = 0;
	int fd = accept(fp->lfd, NULL, NULL);
	int64_t end = clock_mono_ms() + 20000;

	if (fd < 0)
		return NULL;
	while (clock_mono_ms() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct frame_result res;
		struct msg m, out;
		size_t used;
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((n = read(fd, buf + have, sizeof(buf) - have)) <= 0)
			break;
		have += (size_t)n;
		while (frame_parse(buf, have, fp->magic, &m, &res, &used) == FRAME_MSG) {
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
	}
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_run_rpc_and_stop),
		cmocka_unit_test(test_node_start_failures),
		cmocka_unit_test(test_unusable_state_files_moved_aside),
	};

	log_set_level(LOGL_ERROR);
	if (hash_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
