/* p2pprobe.c -- a misbehaving or load-generating peer for tests and benchmarks.
 *
 *   p2pprobe [-b BIND_IP] [-n NETWORK] [-t SECONDS] HOST:PORT MODE [COUNT [CONCURRENCY]]
 *
 * Attack modes (blocking socket; exit 0 when the node closed the connection
 * within the time limit, 1 when it did not, 2 on set-up errors):
 *   garbage       4200 bytes that are neither a frame nor a v2 handshake
 *   oversized     a header declaring a 5 MiB payload
 *   badchecksum   handshake, then COUNT (default 3) frames with a bad checksum
 *   malformed     handshake, then COUNT (default 3) undecodable addr payloads
 *   prehandshake  a ping before any version
 *   addrflood     handshake, then COUNT (default 20) addr messages of 1000 entries
 *   idle          connect and say nothing (the handshake timeout must fire)
 *   handshake     complete a handshake and exit 0 (prints the latency)
 * Data-plane attacks (protocol 70200; exit 0 when the node closed):
 *   badpow        a header on the node's tip whose hash misses its target
 *   badmerkle     announce a block on the node's tip, serve it with a wrong
 *                 merkle root when asked
 *   unconnecting  COUNT (default 50) headers messages that connect to nothing
 *   oversizedinv  COUNT (default 2) inv messages of 50,001 entries
 * Data-plane probes (exit 0 when the node did NOT close within -t):
 *   bigheight     claim start height 2147483647 in the version, then stay
 *   maxinv        one legal inv of 50,000 transaction entries, then stay
 * Load modes (libevent; print one result line and exit 0):
 *   handshakes    COUNT handshakes, CONCURRENCY at a time; prints handshakes/s
 *   hold          open COUNT connections, complete their handshakes, print
 *                 "holding N", then keep them (pinging back) until SIGTERM
 * -P: in the load modes, never answer pings (a peer whose round trip has
 * not been measured yet, as on a slow link right after its handshake).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "block.h"
#include "chainparams.h"
#include "conn.h"
#include "frame.h"
#include "handshake.h"
#include "hash.h"
#include "msg.h"
#include "merkle.h"
#include "netaddr.h"
#include "pow.h"
#include "rnd.h"
#include "xmalloc.h"

static const struct chainparams *params;
static int32_t claim_height;	/* start height our version claims */
static struct netaddr target, bind_ip;
static bool have_bind;
static bool no_pong;
static double limit_s = 10;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dial(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	len = netaddr_to_sockaddr(&target, &ss);
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		return -1;
	if (have_bind) {
		struct sockaddr_storage bs;
		struct netaddr b = bind_ip;
		socklen_t blen;

		b.port = 0;
		blen = netaddr_to_sockaddr(&b, &bs);
		if (bind(fd, (struct sockaddr *)&bs, blen) == -1) {
			close(fd);
			return -1;
		}
	}
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
send_msg(int fd, const struct msg *m)
{
	struct wbuf w;
	int rc;

	wbuf_init(&w);
	frame_encode(&w, params->magic, m);
	rc = send_all(fd, w.data, w.len);
	wbuf_free(&w);
	return rc;
}

/* Read frames until one of TYPE arrives (into *OUT when not NULL; the
 * caller msg_frees it).  Returns 0, or -1 on EOF/timeout. */
static int
recv_msg(int fd, enum msg_type type, double deadline, struct msg *out)
{
	static uint8_t buf[1 << 20];
	static size_t have;

	for (;;) {
		struct frame_result res;
		struct msg m;
		size_t used;
		enum frame_status st = frame_parse(buf, have, params->magic, &m, &res, &used);

		if (st == FRAME_MSG || st == FRAME_SKIPPED || (st == FRAME_ERROR && used > 0)) {
			bool hit = st == FRAME_MSG && m.type == type;
			if (hit && out != NULL)
				*out = m;
			else if (st == FRAME_MSG)
				msg_free(&m);
			memmove(buf, buf + used, have - used);
			have -= used;
			if (hit)
				return 0;
			continue;
		}
		if (st == FRAME_ERROR)
			return -1;
		struct pollfd pfd = { fd, POLLIN, 0 };
		int ms = (int)((deadline - now_s()) * 1000);
		if (ms <= 0 || poll(&pfd, 1, ms) <= 0 || have == sizeof(buf))
			return -1;
		ssize_t r = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
}

static int
recv_until(int fd, enum msg_type type, double deadline)
{
	return recv_msg(fd, type, deadline, NULL);
}

static int
do_handshake(int fd)
{
	struct handshake hs;
	struct handshake_local local = { .services = 0, .user_agent = "/p2pprobe:0.1/",
	    .start_height = claim_height };
	struct msg m;
	double deadline = now_s() + limit_s;

	handshake_start(&hs, true, rnd_u64());
	handshake_build_version(&hs, &local, &target, time(NULL), &m);
	if (send_msg(fd, &m) == -1)
		return -1;
	msg_free(&m);
	if (recv_until(fd, MSG_VERSION, deadline) == -1)
		return -1;
	msg_init(&m, MSG_VERACK);
	if (send_msg(fd, &m) == -1)
		return -1;
	return recv_until(fd, MSG_VERACK, deadline);
}

/* Wait for the node to close: EOF or reset within the limit. */
static int
expect_close(int fd)
{
	double deadline = now_s() + limit_s;
	char buf[4096];

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int ms = (int)((deadline - now_s()) * 1000);
		if (ms <= 0 || poll(&pfd, 1, ms) == 0) {
			printf("still open after %.1fs\n", limit_s);
			return 1;
		}
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0) {
			printf("closed\n");
			return 0;
		}
	}
}

static void
fill_addr(struct msg *m, size_t n, uint32_t seed)
{
	struct msg_addr_entry *e = xcalloc(n, sizeof(*e));

	for (size_t i = 0; i < n; i++) {
		/* Routable-looking addresses, distinct per message. */
		netaddr_from_ipv4(&e[i].addr, 0x0b000000u + seed * 1000 + (uint32_t)i, 29001);
		e[i].time = (uint32_t)time(NULL);
		e[i].services = NODE_NETWORK;
	}
	msg_init(m, MSG_ADDR);
	msg_addr_set(m, e, n);
	free(e);
}

/* The node's tip header: ask for headers from genesis (one message is
 * enough for the short chains of tests). */
static int
node_tip(int fd, struct block_header *tip)
{
	struct msg m;
	uint8_t loc[1][32];

	memcpy(loc[0], params->genesis.hash, 32);
	msg_init(&m, MSG_GETHEADERS);
	msg_getheaders_set(&m, PROTO_VERSION, (const uint8_t (*)[32])loc, 1, NULL);
	send_msg(fd, &m);
	msg_free(&m);
	if (recv_msg(fd, MSG_HEADERS, now_s() + limit_s, &m) == -1)
		return -1;
	if (m.u.headers.count == 0) {
		struct block g;
		block_genesis(&g, params);
		*tip = g.header;
		block_free(&g);
	} else {
		*tip = m.u.headers.headers[m.u.headers.count - 1];
	}
	msg_free(&m);
	return 0;
}

/* A block on TIP with one transaction; its merkle root is wrong when BAD. */
static void
block_on(const struct block_header *tip, bool bad, struct block *b)
{
	struct block_header h;
	uint8_t tx[40];
	struct block_txdata td = { .data = tx, .len = sizeof(tx) };
	uint8_t (*txids)[32];

	memset(&h, 0, sizeof(h));
	h.version = 1;
	block_header_hash(tip, h.prev_hash);
	h.time = tip->time + 1;
	h.bits = tip->bits;
	rnd_bytes(tx, sizeof(tx));
	block_build(b, &h, &td, 1);
	txids = block_txids(b);
	merkle_root((const uint8_t (*)[32])txids, 1, h.merkle_root, NULL);
	free(txids);
	if (bad)
		h.merkle_root[0] ^= 0x5a;
	pow_mine(&h, UINT32_MAX);
	block_set_header(b, &h);
}

static int
data_attack(int fd, const char *mode, long count)
{
	struct block_header tip;
	struct wbuf w;
	struct msg m;

	wbuf_init(&w);
	if (strcmp(mode, "badpow") == 0 || strcmp(mode, "badmerkle") == 0) {
		struct block b;
		uint8_t hash[32];

		if (node_tip(fd, &tip) == -1)
			return 2;
		block_on(&tip, strcmp(mode, "badmerkle") == 0, &b);
		if (strcmp(mode, "badpow") == 0) {
			/* A nonce whose hash misses the target. */
			do {
				b.header.nonce++;
				block_header_hash(&b.header, hash);
			} while (pow_check(hash, b.header.bits, params));
		}
		msg_init(&m, MSG_HEADERS);
		msg_headers_set(&m, &b.header, 1);
		send_msg(fd, &m);
		msg_free(&m);
		if (strcmp(mode, "badmerkle") == 0 &&
		    recv_until(fd, MSG_GETDATA, now_s() + limit_s) == 0) {
			msg_init(&m, MSG_BLOCK);
			msg_block_take(&m, &b);
			send_msg(fd, &m);
			msg_free(&m);
		}
		block_free(&b);
	} else if (strcmp(mode, "unconnecting") == 0) {
		for (long i = 0; i < count; i++) {
			struct block_header h;
			memset(&h, 0, sizeof(h));
			rnd_bytes(h.prev_hash, 32);
			h.time = (uint32_t)time(NULL);
			h.bits = params->genesis.bits;
			msg_init(&m, MSG_HEADERS);
			msg_headers_set(&m, &h, 1);
			if (send_msg(fd, &m) == -1)
				break;
			msg_free(&m);
		}
	} else if (strcmp(mode, "oversizedinv") == 0 || strcmp(mode, "maxinv") == 0) {
		size_t n = strcmp(mode, "maxinv") == 0 ? MSG_MAX_INV : MSG_MAX_INV + 1;
		struct wbuf p;

		/* Encoded by hand: the constructor refuses what peers must refuse. */
		wbuf_init(&p);
		wbuf_compactsize(&p, n);
		for (size_t i = 0; i < n; i++) {
			uint8_t h[32];
			wbuf_u32le(&p, MSG_INV_TX);
			rnd_bytes(h, sizeof(h));
			wbuf_bytes(&p, h, 32);
		}
		for (long i = 0; i < (strcmp(mode, "maxinv") == 0 ? 1 : count); i++) {
			wbuf_reset(&w);
			frame_encode_raw(&w, params->magic, MSG_INV, p.data, p.len);
			if (send_all(fd, w.data, w.len) == -1)
				break;
		}
		wbuf_free(&p);
	} else if (strcmp(mode, "bigheight") != 0) {
		fprintf(stderr, "p2pprobe: unknown mode %s\n", mode);
		wbuf_free(&w);
		return 2;
	}
	wbuf_free(&w);
	if (strcmp(mode, "bigheight") == 0 || strcmp(mode, "maxinv") == 0)
		return expect_close(fd) == 1 ? 0 : 1;	/* must stay open */
	return expect_close(fd);
}

static bool
is_data_mode(const char *mode)
{
	static const char *const modes[] = { "badpow", "badmerkle", "unconnecting",
	    "oversizedinv", "bigheight", "maxinv", NULL };

	for (size_t i = 0; modes[i] != NULL; i++)
		if (strcmp(mode, modes[i]) == 0)
			return true;
	return false;
}

static int
attack(const char *mode, long count)
{
	int fd = dial();
	struct wbuf w;
	struct msg m;

	if (fd == -1) {
		fprintf(stderr, "p2pprobe: connect: %s\n", strerror(errno));
		return 2;
	}
	wbuf_init(&w);
	if (strcmp(mode, "garbage") == 0) {
		/* More than a v2 handshake may hold (key, 4095 bytes of
		 * garbage, terminator): a v2 node refuses it as surely as a
		 * v1 node refuses the first header. */
		uint8_t junk[4200];
		rnd_bytes(junk, sizeof(junk));
		junk[0] = 0x00;	/* never a valid magic */
		send_all(fd, junk, sizeof(junk));
	} else if (strcmp(mode, "oversized") == 0) {
		uint8_t hdr[FRAME_HEADER_LEN] = { 0 };
		uint32_t len = 5u * 1024 * 1024;
		memcpy(hdr, params->magic, 4);
		hdr[4] = MSG_BLOCK;
		for (int i = 0; i < 4; i++)
			hdr[5 + i] = (uint8_t)(len >> (8 * i));
		send_all(fd, hdr, sizeof(hdr));
	} else if (strcmp(mode, "prehandshake") == 0) {
		msg_ping_init(&m, 1);
		send_msg(fd, &m);
	} else if (strcmp(mode, "idle") == 0) {
		/* nothing */
	} else {
		if (do_handshake(fd) == -1) {
			fprintf(stderr, "p2pprobe: handshake failed\n");
			close(fd);
			return 2;
		}
		if (strcmp(mode, "handshake") == 0) {
			printf("handshake ok\n");
			close(fd);
			return 0;
		}
		if (is_data_mode(mode)) {
			int rc = data_attack(fd, mode, count);
			wbuf_free(&w);
			close(fd);
			return rc;
		}
		for (long i = 0; i < count; i++) {
			wbuf_reset(&w);
			if (strcmp(mode, "badchecksum") == 0) {
				frame_encode_raw(&w, params->magic, MSG_PING, "12345678", 8);
				w.data[9] ^= 0xff;	/* corrupt the checksum */
			} else if (strcmp(mode, "malformed") == 0) {
				frame_encode_raw(&w, params->magic, MSG_ADDR, "\xfd\x01", 2);
			} else if (strcmp(mode, "addrflood") == 0) {
				fill_addr(&m, MSG_MAX_ADDR, (uint32_t)i);
				frame_encode(&w, params->magic, &m);
				msg_free(&m);
			} else {
				fprintf(stderr, "p2pprobe: unknown mode %s\n", mode);
				close(fd);
				return 2;
			}
			if (send_all(fd, w.data, w.len) == -1)
				break;	/* already disconnected */
		}
	}
	wbuf_free(&w);
	int rc = expect_close(fd);
	close(fd);
	return rc;
}

/* --- load modes on libevent ------------------------------------------------ */

struct load {
	struct event_base	*base;
	long			 total, concurrency, started, done, failed, inflight;
	bool			 hold;
	double			 t0;
};

struct lconn {
	struct load		*ld;
	struct handshake	 hs;
	bool			 finished;
};

static void load_next(struct load *ld);

static void
load_finish(struct lconn *lc, struct conn *c, bool ok)
{
	struct load *ld = lc->ld;

	if (lc->finished)
		return;
	lc->finished = true;
	ld->inflight--;
	if (ok)
		ld->done++;
	else
		ld->failed++;
	if (!ld->hold || !ok) {
		conn_close(c, false);
		free(lc);
	}
	if (ld->done + ld->failed == ld->total) {
		if (ld->hold) {
			printf("holding %ld (failed %ld)\n", ld->done, ld->failed);
			fflush(stdout);
		} else {
			double dt = now_s() - ld->t0;
			printf("handshakes %ld failed %ld seconds %.3f rate %.0f/s\n", ld->done,
			    ld->failed, dt, ld->done / dt);
			event_base_loopexit(ld->base, NULL);
		}
		return;
	}
	load_next(ld);
}

static void
lc_connected(struct conn *c, void *arg)
{
	struct lconn *lc = arg;
	struct handshake_local local = { .user_agent = "/p2pprobe:0.1/" };
	struct msg m;

	handshake_build_version(&lc->hs, &local, &target, time(NULL), &m);
	conn_send(c, &m);
	msg_free(&m);
}

static void
lc_message(struct conn *c, struct msg *m, void *arg)
{
	struct lconn *lc = arg;
	struct handshake_action act;
	struct msg r;

	if (m->type == MSG_PING) {
		if (!no_pong) {
			msg_pong_init(&r, m->u.nonce);
			conn_send(c, &r);
		}
		return;
	}
	if (handshake_process(&lc->hs, m, NULL, NULL, &act) != HS_OK) {
		load_finish(lc, c, false);
		return;
	}
	if (act.send_verack) {
		msg_init(&r, MSG_VERACK);
		conn_send(c, &r);
	}
	if (act.completed)
		load_finish(lc, c, true);
}

static void
lc_ended(struct conn *c, enum conn_end why, enum msg_err err, void *arg)
{
	struct lconn *lc = arg;

	(void)why;
	(void)err;
	if (!lc->finished) {
		load_finish(lc, c, false);
		return;
	}
	conn_close(c, false);	/* a held connection the node dropped */
	free(lc);
}

static const struct conn_cb lc_cb = {
	.connected = lc_connected, .message = lc_message, .ended = lc_ended,
};

static void
load_next(struct load *ld)
{
	char err[128];

	while (ld->started < ld->total && ld->inflight < ld->concurrency) {
		struct lconn *lc = xcalloc(1, sizeof(*lc));
		lc->ld = ld;
		handshake_start(&lc->hs, true, rnd_u64());
		ld->started++;
		ld->inflight++;
		if (conn_connect(ld->base, &target, have_bind ? &bind_ip : NULL, params->magic,
		    5000, &lc_cb, lc, err, sizeof(err)) == NULL) {
			ld->inflight--;
			ld->failed++;
			free(lc);
		}
	}
}

static void
on_term(evutil_socket_t s, short w, void *arg)
{
	(void)s;
	(void)w;
	event_base_loopexit(arg, NULL);
}

static int
load(bool hold, long count, long concurrency)
{
	struct load ld = { .total = count, .concurrency = concurrency, .hold = hold };
	struct rlimit rl;
	struct event *sig;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ld.base = event_base_new();
	ld.t0 = now_s();
	sig = evsignal_new(ld.base, SIGTERM, on_term, ld.base);
	event_add(sig, NULL);
	load_next(&ld);
	event_base_dispatch(ld.base);
	event_free(sig);
	return 0;
}

int
main(int argc, char **argv)
{
	int c;
	long count, conc;

	params = chainparams_get(NET_REGTEST);
	while ((c = getopt(argc, argv, "b:n:t:P")) != -1) {
		switch (c) {
		case 'b':
			if (netaddr_parse(optarg, 1, &bind_ip) == -1)
				return 2;
			have_bind = true;
			break;
		case 'n':
			if ((params = chainparams_by_name(optarg)) == NULL)
				return 2;
			break;
		case 't':
			limit_s = atof(optarg);
			break;
		case 'P':
			no_pong = true;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 2 || hash_init() == -1 ||
	    netaddr_parse(argv[optind], params->p2p_port, &target) == -1) {
		fprintf(stderr, "usage: p2pprobe [-b IP] [-n NET] [-t SECS] [-P] HOST:PORT MODE [COUNT [CONC]]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	count = argc - optind > 2 ? atol(argv[optind + 2]) : -1;
	conc = argc - optind > 3 ? atol(argv[optind + 3]) : 64;
	if (strcmp(argv[optind + 1], "handshakes") == 0)
		return load(false, count > 0 ? count : 1000, conc);
	if (strcmp(argv[optind + 1], "hold") == 0)
		return load(true, count > 0 ? count : 100, conc);
	if (strcmp(argv[optind + 1], "bigheight") == 0)
		claim_height = INT32_MAX;
	if (count < 0)
		count = strcmp(argv[optind + 1], "addrflood") == 0 ? 20 :
		    strcmp(argv[optind + 1], "unconnecting") == 0 ? 50 :
		    strcmp(argv[optind + 1], "oversizedinv") == 0 ? 2 : 3;
	return attack(argv[optind + 1], count);
}
