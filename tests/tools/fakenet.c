/* fakenet.c -- a simulated Agent Chain network for crawler tests: thousands of fake peers in one process.
 *
 * Every fake peer listens on its own loopback address (127.NET.y.z, all
 * of 127/8 is local on Linux) and speaks the real wire protocol through
 * common/frame: version/verack, ping/pong, getaddr answered from the
 * peer's own address book.  Peers come in kinds:
 *   honest   answers at once                          -> reachable, good
 *   slow     answers the version after --slow-ms      -> reachable, high latency
 *   dead     nothing listens                          -> refused
 *   silent   accepts and never says a word            -> timeout
 *   banning  accepts and hangs up at once              -> banned
 *   flood    answers getaddr with thousands of bogus addresses -> addr-flood
 *   garbage  answers getaddr with garbage bytes/frames -> protocol
 *   flap     its listener comes and goes every --flap-ms
 *   liar     claims start height 2147483647 in its version
 *   badpow   answers getheaders with a header whose proof of work fails
 *            -> bad-headers (hostile)
 * Every peer claims a height (1000-1002; the liar more) but stores no
 * block: getheaders gets an empty answer (the badpow peer's aside), and
 * getdata a notfound for everything asked.
 * The address books are built so that every peer is in the book of some
 * honest peer and the honest peers form a ring: a crawler starting at the
 * seed (an honest peer) can find them all.  Bogus addresses handed out by
 * flood peers live in 127.NET+1.x.y, where nothing listens.
 *
 * On start it writes "addr kind" for every peer to --expect FILE, then
 * prints "READY <count> seed=<addr>" on stdout.  It runs until SIGTERM or
 * SIGINT and then prints its counters, among them the most connections it
 * held open at once (an outside view of a crawler's concurrency; a
 * connection counts until its EOF has been read here, so it lags the
 * client's close by a loop iteration).  Deterministic for a given --seed.
 * A test helper only; it is not installed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "block.h"
#include "buf.h"
#include "chainparams.h"
#include "frame.h"
#include "msg.h"
#include "hash.h"
#include "netaddr.h"
#include "pow.h"
#include "strutil.h"
#include "xmalloc.h"

enum kind {
	K_HONEST = 0, K_SLOW, K_DEAD, K_SILENT, K_BANNING, K_FLOOD, K_GARBAGE,
	K_FLAP, K_LIAR, K_BADPOW, K_COUNT
};

static const char *const kind_names[K_COUNT] = {
	"honest", "slow", "dead", "silent", "banning", "flood", "garbage", "flap",
	"liar", "badpow",
};

struct fpeer {
	struct netaddr		 addr;
	enum kind		 kind;
	struct evconnlistener	*lst;
	uint32_t		*book;
	size_t			 nbook, bookcap;
	uint64_t		 accepts;
	bool			 up;		/* flap: listening now */
};

struct fconn {
	struct fpeer		*peer;
	struct bufferevent	*bev;
	struct event		*delay;
	bool			 answered_getaddr;
};

static struct {
	struct event_base		*base;
	const struct chainparams	*params;
	struct fpeer			*peers;
	size_t				 n;
	uint64_t			 rng;
	int				 slow_ms, flap_ms;
	uint64_t			 conns, getaddrs, versions;
	size_t				 open, max_open;	/* connections held */
} fn;

/* xorshift64*: deterministic for a seed, good enough to shuffle peers. */
static uint64_t
prng(void)
{
	fn.rng ^= fn.rng >> 12;
	fn.rng ^= fn.rng << 25;
	fn.rng ^= fn.rng >> 27;
	return fn.rng * UINT64_C(2685821657736338717);
}

static uint32_t
prng_below(uint32_t n)
{
	return (uint32_t)(prng() % n);
}

static void
book_add(struct fpeer *p, uint32_t idx)
{
	if (p->nbook == p->bookcap) {
		p->bookcap = p->bookcap == 0 ? 16 : p->bookcap * 2;
		p->book = xreallocarray(p->book, p->bookcap, sizeof(*p->book));
	}
	p->book[p->nbook++] = idx;
}

/* --- the wire ------------------------------------------------------------------ */

static void
send_msg(struct fconn *fc, const struct msg *m)
{
	struct wbuf	w;

	wbuf_init(&w);
	frame_encode(&w, fn.params->magic, m);
	bufferevent_write(fc->bev, w.data, w.len);
	wbuf_free(&w);
}

static void
fconn_free(struct fconn *fc)
{
	if (fc->delay != NULL)
		event_free(fc->delay);
	bufferevent_free(fc->bev);
	free(fc);
	fn.open--;
}

static void
send_version_verack(struct fconn *fc)
{
	struct fpeer	*p = fc->peer;
	struct msg	 m;
	static const char ua[] = "/fakenet:1.0/";

	msg_init(&m, MSG_VERSION);
	m.u.version.version = PROTO_VERSION;
	m.u.version.services = NODE_NETWORK;
	m.u.version.timestamp = (int64_t)time(NULL);
	m.u.version.addr_from.services = NODE_NETWORK;
	m.u.version.addr_from.addr = p->addr;
	m.u.version.nonce = prng();
	msg_version_set_user_agent(&m.u.version, ua, sizeof(ua) - 1);
	m.u.version.start_height = p->kind == K_LIAR ? INT32_MAX :
	    1000 + (int32_t)(p - fn.peers) % 3;
	send_msg(fc, &m);
	msg_free(&m);
	msg_init(&m, MSG_VERACK);
	send_msg(fc, &m);
	msg_free(&m);
}

static void
delay_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	send_version_verack(arg);
}

static void
answer_getaddr(struct fconn *fc)
{
	struct fpeer		*p = fc->peer;
	struct msg_addr_entry	*e;
	struct msg		 m;
	uint32_t		 now = (uint32_t)time(NULL);
	uint8_t			 junk[256];
	struct wbuf		 w;
	size_t			 i, n, k;

	fn.getaddrs++;
	if (fc->answered_getaddr)
		return;
	fc->answered_getaddr = true;
	switch (p->kind) {
	case K_FLOOD:
		/* Three full messages of addresses nobody listens on. */
		e = xcalloc(MSG_MAX_ADDR, sizeof(*e));
		for (k = 0; k < 3; k++) {
			for (i = 0; i < MSG_MAX_ADDR; i++) {
				e[i].time = now;
				e[i].services = NODE_NETWORK;
				netaddr_from_ipv4(&e[i].addr, (127u << 24) |
				    ((uint32_t)(p->addr.ip[13] + 1) << 16) |
				    prng_below(65536), fn.params->p2p_port);
			}
			msg_init(&m, MSG_ADDR);
			msg_addr_set(&m, e, MSG_MAX_ADDR);
			send_msg(fc, &m);
			msg_free(&m);
		}
		free(e);
		return;
	case K_GARBAGE:
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)prng();
		if ((p - fn.peers) % 2 == 0) {
			/* Bytes that are no frame at all. */
			bufferevent_write(fc->bev, junk, sizeof(junk));
		} else {
			/* A frame with a wrong checksum. */
			wbuf_init(&w);
			frame_encode_raw(&w, fn.params->magic, MSG_ADDR, junk, 40);
			w.data[9] ^= 0xff;
			bufferevent_write(fc->bev, w.data, w.len);
			wbuf_free(&w);
		}
		return;
	default:
		break;
	}
	n = p->nbook < MSG_MAX_ADDR ? p->nbook : MSG_MAX_ADDR;
	if (n == 0)
		return;
	e = xcalloc(n, sizeof(*e));
	for (i = 0; i < n; i++) {
		e[i].time = now - prng_below(3600);
		e[i].services = NODE_NETWORK;
		e[i].addr = fn.peers[p->book[i]].addr;
	}
	msg_init(&m, MSG_ADDR);
	msg_addr_set(&m, e, n);
	send_msg(fc, &m);
	msg_free(&m);
	free(e);
}

static bool
header_meets_target(const struct block_header *h)
{
	uint8_t	hash[32];

	block_header_hash(h, hash);
	return pow_check(hash, h->bits, fn.params);
}

/* No chain here: an empty answer, or for badpow a header on genesis
 * whose hash misses its target. */
static void
answer_getheaders(struct fconn *fc)
{
	struct block_header	h;
	struct block		g;
	struct msg		m;

	msg_init(&m, MSG_HEADERS);
	if (fc->peer->kind == K_BADPOW) {
		block_genesis(&g, fn.params);
		memset(&h, 0, sizeof(h));
		h.version = 1;
		block_header_hash(&g.header, h.prev_hash);
		h.time = g.header.time + 600;
		h.bits = g.header.bits;
		block_free(&g);
		while (header_meets_target(&h) && h.nonce < 1000000)
			h.nonce++;
		msg_headers_set(&m, &h, 1);
	}
	send_msg(fc, &m);
	msg_free(&m);
}

static void
answer_getdata(struct fconn *fc, const struct msg *req)
{
	struct msg	m;

	msg_init(&m, MSG_NOTFOUND);
	if (msg_inv_set(&m, MSG_NOTFOUND, req->u.inv.entries, req->u.inv.count) == 0)
		send_msg(fc, &m);
	msg_free(&m);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct fconn		*fc = arg;
	struct frame_result	 res;
	struct msg		 m, reply;
	struct timeval		 tv;
	enum frame_status	 st;

	for (;;) {
		st = frame_read(bufferevent_get_input(bev), fn.params->magic, &m,
		    &res);
		if (st == FRAME_NEED_MORE)
			return;
		if (st == FRAME_ERROR) {
			fconn_free(fc);
			return;
		}
		if (st == FRAME_SKIPPED)
			continue;
		switch (m.type) {
		case MSG_VERSION:
			fn.versions++;
			if (fc->peer->kind == K_SLOW && fc->delay == NULL) {
				fc->delay = evtimer_new(fn.base, delay_cb, fc);
				tv.tv_sec = fn.slow_ms / 1000;
				tv.tv_usec = (fn.slow_ms % 1000) * 1000;
				evtimer_add(fc->delay, &tv);
			} else
				send_version_verack(fc);
			break;
		case MSG_PING:
			msg_pong_init(&reply, m.u.nonce);
			send_msg(fc, &reply);
			break;
		case MSG_GETADDR:
			answer_getaddr(fc);
			break;
		case MSG_GETHEADERS:
			answer_getheaders(fc);
			break;
		case MSG_GETDATA:
			answer_getdata(fc, &m);
			break;
		default:
			break;
		}
		msg_free(&m);
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		fconn_free(arg);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct fpeer	*p = arg;
	struct fconn	*fc;

	(void)l;
	(void)sa;
	(void)salen;
	p->accepts++;
	fn.conns++;
	if (p->kind == K_BANNING) {
		evutil_closesocket(fd);
		return;
	}
	fc = xcalloc(1, sizeof(*fc));
	fc->peer = p;
	fc->bev = bufferevent_socket_new(fn.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (fc->bev == NULL) {
		evutil_closesocket(fd);
		free(fc);
		return;
	}
	if (p->kind != K_SILENT)
		bufferevent_setcb(fc->bev, read_cb, NULL, event_cb, fc);
	else
		bufferevent_setcb(fc->bev, NULL, NULL, event_cb, fc);
	bufferevent_enable(fc->bev, EV_READ | EV_WRITE);
	if (++fn.open > fn.max_open)
		fn.max_open = fn.open;
}

static int
listen_peer(struct fpeer *p)
{
	struct sockaddr_storage	ss;
	socklen_t		len = netaddr_to_sockaddr(&p->addr, &ss);
	char			as[NETADDR_STRLEN];

	p->lst = evconnlistener_new_bind(fn.base, accept_cb, p,
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&ss, (int)len);
	if (p->lst == NULL) {
		fprintf(stderr, "fakenet: cannot listen on %s: %s\n",
		    netaddr_format(&p->addr, as, sizeof(as)), strerror(errno));
		return -1;
	}
	p->up = true;
	return 0;
}

static void
flap_cb(evutil_socket_t fd, short what, void *arg)
{
	size_t	i;

	(void)fd;
	(void)what;
	(void)arg;
	for (i = 0; i < fn.n; i++) {
		struct fpeer *p = &fn.peers[i];

		if (p->kind != K_FLAP)
			continue;
		if (p->up) {
			evconnlistener_free(p->lst);
			p->lst = NULL;
			p->up = false;
		} else
			listen_peer(p);
	}
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	event_base_loopexit(fn.base, NULL);
}

/* --- building the network --------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "usage: fakenet [--count N] [--net X] [--seed S] [--book K]\n"
	    "  [--dead PCT] [--silent PCT] [--slow PCT] [--slow-ms MS] [--banning PCT]\n"
	    "  [--flood PCT] [--garbage PCT] [--flap PCT] [--flap-ms MS]\n"
	    "  [--liar PCT] [--badpow PCT]\n"
	    "  [--network NET] [--expect FILE]\n"
	    "Peers listen on 127.X.y.z:<network port>; prints READY when up.\n");
	exit(2);
}

static long
num(const char *s, long lo, long hi)
{
	long long	v;

	if (str_to_ll(s, lo, hi, &v) == -1) {
		fprintf(stderr, "fakenet: bad number '%s'\n", s);
		exit(2);
	}
	return (long)v;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "net", required_argument, NULL, 'x' },
		{ "seed", required_argument, NULL, 's' },
		{ "book", required_argument, NULL, 'b' },
		{ "dead", required_argument, NULL, K_DEAD },
		{ "silent", required_argument, NULL, K_SILENT },
		{ "slow", required_argument, NULL, K_SLOW },
		{ "banning", required_argument, NULL, K_BANNING },
		{ "flood", required_argument, NULL, K_FLOOD },
		{ "garbage", required_argument, NULL, K_GARBAGE },
		{ "flap", required_argument, NULL, K_FLAP },
		{ "liar", required_argument, NULL, K_LIAR },
		{ "badpow", required_argument, NULL, K_BADPOW },
		{ "slow-ms", required_argument, NULL, 'w' },
		{ "flap-ms", required_argument, NULL, 'f' },
		{ "network", required_argument, NULL, 'N' },
		{ "expect", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	long		 pct[K_COUNT] = { 0 }, net = 200, book = 8, total_pct = 0;
	const char	*expect = NULL;
	struct rlimit	 rl;
	struct event	*sig1, *sig2, *flap = NULL;
	struct timeval	 tv;
	uint32_t	*honest, nh = 0, j;
	size_t		 i, count = 1000, k, seed_idx = 0;
	char		 as[NETADDR_STRLEN];
	FILE		*fp;
	int		 c;

	fn.rng = 0x9e3779b97f4a7c15ULL;
	fn.slow_ms = 300;
	fn.flap_ms = 700;
	fn.params = chainparams_get(NET_REGTEST);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n': count = (size_t)num(optarg, 1, 60000); break;
		case 'x': net = num(optarg, 1, 253); break;
		case 's': fn.rng = (uint64_t)num(optarg, 0, 1L << 30) * 2654435761u + 1; break;
		case 'b': book = num(optarg, 0, 900); break;
		case 'w': fn.slow_ms = (int)num(optarg, 0, 600000); break;
		case 'f': fn.flap_ms = (int)num(optarg, 10, 600000); break;
		case 'e': expect = optarg; break;
		case 'N':
			if ((fn.params = chainparams_by_name(optarg)) == NULL)
				usage();
			break;
		case K_DEAD: case K_SILENT: case K_SLOW: case K_BANNING:
		case K_FLOOD: case K_GARBAGE: case K_FLAP: case K_LIAR: case K_BADPOW:
			pct[c] = num(optarg, 0, 100);
			break;
		default:
			usage();
		}
	}
	for (k = 1; k < K_COUNT; k++)
		total_pct += pct[k];
	if (total_pct > 90) {
		fprintf(stderr, "fakenet: at least 10%% of peers must be honest\n");
		return 2;
	}

	/* One descriptor per listener and per connection. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if (hash_init() == -1)
		return 1;
	fn.base = event_base_new();
	fn.n = count;
	fn.peers = xcalloc(count, sizeof(*fn.peers));
	honest = xcalloc(count, sizeof(*honest));
	for (i = 0; i < count; i++) {
		struct fpeer	*p = &fn.peers[i];
		uint32_t	 r = prng_below(100), acc = 0;

		/* 127.NET.y.z with z in 1..250. */
		netaddr_from_ipv4(&p->addr, (127u << 24) | ((uint32_t)net << 16) |
		    ((uint32_t)(i / 250) << 8) | (uint32_t)(i % 250 + 1),
		    fn.params->p2p_port);
		p->kind = K_HONEST;
		for (k = 1; k < K_COUNT; k++) {
			acc += (uint32_t)pct[k];
			if (r < acc) {
				p->kind = (enum kind)k;
				break;
			}
		}
		if (i == 0)
			p->kind = K_HONEST;	/* the seed */
		if (p->kind == K_HONEST)
			honest[nh++] = (uint32_t)i;
	}
	/* The honest peers in a shuffled ring, everyone else in some honest
	 * book, then random extra entries. */
	for (j = nh; j > 1; j--) {
		uint32_t x = prng_below(j), t = honest[j - 1];
		honest[j - 1] = honest[x];
		honest[x] = t;
	}
	for (j = 0; j < nh && nh > 1; j++)
		book_add(&fn.peers[honest[j]], honest[(j + 1) % nh]);
	for (i = 0; i < count; i++) {
		if (fn.peers[i].kind == K_HONEST)
			continue;
		for (;;) {
			struct fpeer *h = &fn.peers[honest[prng_below(nh)]];
			if (h->nbook < MSG_MAX_ADDR - (size_t)book) {
				book_add(h, (uint32_t)i);
				break;
			}
		}
	}
	for (i = 0; i < count; i++) {
		struct fpeer *p = &fn.peers[i];

		if (p->kind != K_HONEST && p->kind != K_SLOW && p->kind != K_FLAP)
			continue;
		for (k = 0; k < (size_t)book && count > 1; k++) {
			uint32_t x = prng_below((uint32_t)count);
			if (x != i)
				book_add(p, x);
		}
	}
	seed_idx = 0;

	for (i = 0; i < count; i++) {
		if (fn.peers[i].kind != K_DEAD && listen_peer(&fn.peers[i]) == -1)
			return 1;
	}
	if (pct[K_FLAP] > 0) {
		flap = event_new(fn.base, -1, EV_PERSIST, flap_cb, NULL);
		tv.tv_sec = fn.flap_ms / 1000;
		tv.tv_usec = (fn.flap_ms % 1000) * 1000;
		event_add(flap, &tv);
	}
	if (expect != NULL) {
		if ((fp = fopen(expect, "w")) == NULL) {
			fprintf(stderr, "fakenet: %s: %s\n", expect, strerror(errno));
			return 1;
		}
		for (i = 0; i < count; i++)
			fprintf(fp, "%s %s\n", netaddr_format(&fn.peers[i].addr, as,
			    sizeof(as)), kind_names[fn.peers[i].kind]);
		if (fclose(fp) != 0) {
			fprintf(stderr, "fakenet: %s: %s\n", expect, strerror(errno));
			return 1;
		}
	}
	sig1 = evsignal_new(fn.base, SIGTERM, signal_cb, NULL);
	sig2 = evsignal_new(fn.base, SIGINT, signal_cb, NULL);
	event_add(sig1, NULL);
	event_add(sig2, NULL);
	printf("READY %zu seed=%s\n", count, netaddr_format(&fn.peers[seed_idx].addr,
	    as, sizeof(as)));
	fflush(stdout);
	event_base_dispatch(fn.base);
	printf("fakenet: %llu connections, %llu versions, %llu getaddrs, "
	    "at most %zu open at once, %zu still open\n", (unsigned long long)fn.conns,
	    (unsigned long long)fn.versions, (unsigned long long)fn.getaddrs,
	    fn.max_open, fn.open);
	for (i = 0; i < count; i++) {
		if (fn.peers[i].lst != NULL)
			evconnlistener_free(fn.peers[i].lst);
		free(fn.peers[i].book);
	}
	free(fn.peers);
	free(honest);
	event_free(sig1);
	event_free(sig2);
	if (flap != NULL)
		event_free(flap);
	event_base_free(fn.base);
	return 0;
}
