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
	uint16_t	 p2p, rpc;
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

/* GET /metrics with the cookie as HTTP Basic; true when the body names
 * WANT. */
static bool
metrics_has(struct run *r, const char *want)
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
	snprintf(req, sizeof(req), "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\n"
	    "Connection: close\r\n\r\n", b64);
	if ((fd = peer_connect(r->rpc)) < 0)
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
		CHECK(r, metrics_has(r, "agentnode_peers{direction=\"inbound\"} 1"));
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
	(void)!system(((void)snprintf(lock, sizeof(lock), "rm -rf %s", dir), lock));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_run_rpc_and_stop),
		cmocka_unit_test(test_node_start_failures),
	};

	log_set_level(LOGL_ERROR);
	if (hash_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
