/* test_dns_server.c -- agentseeder's UDP/TCP listeners (dnsseeder/dns_server.c) on loopback, in one process.
 *
 * The server runs on 127.0.0.1 (or 0.0.0.0) with a kernel-chosen port;
 * the test's client sockets are non-blocking and the loop is pumped until
 * a reply arrives or a deadline passes, so nothing sleeps blindly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "../../dnsseeder/dns_answer.h"
#include "../../dnsseeder/dns_server.h"
#include "../../dnsseeder/dns_stats.h"
#include "../../dnsseeder/goodset.h"
#include "hash.h"
#include "msg.h"
#include "netaddr.h"

struct fx {
	struct event_base	*base;
	struct dns_server	*srv;
	struct dnsa_zone	 z;
	struct goodset		*gs;
	struct goodset_rng	 rng;
	struct dns_stats	 stats;
	struct sockaddr_in	 to;
};

static size_t
handler(void *arg, const uint8_t *pkt, size_t len, unsigned flags, uint8_t *out,
    size_t outcap)
{
	struct fx *f = arg;
	struct dnsa_result r;
	size_t n = dnsa_respond(&f->z, f->gs, &f->rng, pkt, len, flags, out, outcap, &r);

	dns_stats_record(&f->stats, &r, (flags & DNSA_TCP) != 0);
	return n;
}

/* A server on LISTEN (port 0) with the limits of SC (its addresses are
 * filled in here). */
static struct fx *
start_with(const char *listen, struct dns_server_config sc)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct dnsa_config c = { "seed.example", "ns1.example", "hostmaster.example",
	    60, 25, 16, 7 };
	struct netaddr a;
	char err[256];

	assert_int_equal(hash_init(), 0);
	assert_int_equal(dnsa_zone_init(&f->z, &c, err, sizeof(err)), 0);
	f->gs = goodset_new(false);
	for (uint32_t i = 0; i < 40; i++) {
		netaddr_from_ipv4(&a, (44u << 24) | (i << 16) | 1, 9001);
		goodset_add(f->gs, &a, NODE_NETWORK, 0);
	}
	goodset_finish(f->gs);
	goodset_rng_seed(&f->rng);
	f->base = event_base_new();
	assert_int_equal(netaddr_parse(listen, 53, &a), 0);
	a.port = 0;
	sc.listen = &a;
	sc.nlisten = 1;
	f->srv = dns_server_new(f->base, &sc, handler, f, &f->stats, err, sizeof(err));
	if (f->srv == NULL)
		fail_msg("dns_server_new: %s", err);
	assert_null(dns_server_address(f->srv, 1));
	memset(&f->to, 0, sizeof(f->to));
	f->to.sin_family = AF_INET;
	f->to.sin_port = htons(dns_server_address(f->srv, 0)->port);
	assert_true(ntohs(f->to.sin_port) != 0);
	inet_pton(AF_INET, "127.0.0.1", &f->to.sin_addr);
	return f;
}

static struct fx *
start(const char *listen, unsigned tcp_clients, unsigned tcp_timeout, unsigned rate,
    unsigned slip)
{
	struct dns_server_config sc;

	memset(&sc, 0, sizeof(sc));
	sc.tcp_clients = tcp_clients;
	sc.tcp_idle_ms = tcp_timeout * 1000;
	sc.rate = rate;
	sc.burst = rate;
	sc.slip = slip;
	return start_with(listen, sc);
}

static struct fx *
start_tcp(unsigned clients, unsigned per_source, unsigned idle_ms, unsigned query_ms,
    unsigned floor_ms)
{
	struct dns_server_config sc;

	memset(&sc, 0, sizeof(sc));
	sc.tcp_clients = clients;
	sc.tcp_per_source = per_source;
	sc.tcp_idle_ms = idle_ms;
	sc.tcp_query_ms = query_ms;
	sc.tcp_floor_ms = floor_ms;
	return start_with("127.0.0.1", sc);
}

static void
stop(struct fx *f)
{
	dns_server_free(f->srv);
	goodset_free(f->gs);
	event_base_free(f->base);
	free(f);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run the loop until FD has something to read (returns what recv got: >0
 * bytes, 0 for EOF) or SECS pass (-1). */
static ssize_t
pump_recv(struct fx *f, int fd, uint8_t *buf, size_t len, double secs)
{
	double end = now_s() + secs;

	while (now_s() < end) {
		ssize_t n;

		event_base_loop(f->base, EVLOOP_NONBLOCK);
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return 0;	/* reset counts as closed */
		usleep(500);
	}
	return -1;
}

static size_t
mkq(uint8_t *b, uint16_t id, const char *label, uint16_t flags)
{
	size_t n = 0, l = strlen(label);

	b[n++] = (uint8_t)(id >> 8); b[n++] = (uint8_t)id;
	b[n++] = (uint8_t)(flags >> 8); b[n++] = (uint8_t)flags;
	memcpy(b + n, "\0\1\0\0\0\0\0\0", 8);
	n += 8;
	b[n++] = (uint8_t)l;
	memcpy(b + n, label, l);
	n += l;
	memcpy(b + n, "\x07" "example\0\0\1\0\1", 13);
	return n + 13;
}

static int
udp_client(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	return fd;
}

static void
check_udp(const char *listen)
{
	struct fx *f = start(listen, 4, 5, 0, 0);
	uint8_t q[64], r[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	int fd = udp_client();
	size_t n = mkq(q, 7, "seed", 0);
	ssize_t got;

	assert_int_equal(sendto(fd, q, n, 0, (struct sockaddr *)&f->to, sizeof(f->to)),
	    (ssize_t)n);
	got = pump_recv(f, fd, r, sizeof(r), 3);
	assert_int_equal(got, 12 + 18 + 25 * 16);
	assert_int_equal(r[1], 7);
	assert_int_equal(r[7], 25);
	/* The reply came from the address we asked (pktinfo on 0.0.0.0). */
	assert_int_equal(recvfrom(fd, r, sizeof(r), MSG_DONTWAIT,
	    (struct sockaddr *)&from, &fl), -1);
	assert_int_equal(sendto(fd, q, n, 0, (struct sockaddr *)&f->to, sizeof(f->to)),
	    (ssize_t)n);
	for (double end = now_s() + 3; now_s() < end;) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		if ((got = recvfrom(fd, r, sizeof(r), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fl)) > 0)
			break;
		usleep(500);
	}
	assert_true(got > 0);
	assert_int_equal(from.sin_addr.s_addr, f->to.sin_addr.s_addr);
	assert_int_equal(from.sin_port, f->to.sin_port);

	/* A response packet (QR=1) and a runt get silence, and the next
	 * query is still answered. */
	q[2] |= 0x80;
	sendto(fd, q, n, 0, (struct sockaddr *)&f->to, sizeof(f->to));
	sendto(fd, q, 5, 0, (struct sockaddr *)&f->to, sizeof(f->to));
	assert_int_equal(pump_recv(f, fd, r, sizeof(r), 0.2), -1);
	q[2] &= 0x7f;
	q[1] = 8;
	sendto(fd, q, n, 0, (struct sockaddr *)&f->to, sizeof(f->to));
	got = pump_recv(f, fd, r, sizeof(r), 3);
	assert_true(got > 0);
	assert_int_equal(r[1], 8);
	assert_int_equal(f->stats.dropped, 2);

	/* A burst larger than one batch: every query answered once. */
	for (int i = 0; i < 100; i++) {
		q[0] = 1;
		q[1] = (uint8_t)i;
		sendto(fd, q, n, 0, (struct sockaddr *)&f->to, sizeof(f->to));
	}
	{
		bool seen[100] = { false };
		int cnt = 0;

		while (cnt < 100 && (got = pump_recv(f, fd, r, sizeof(r), 3)) > 0) {
			assert_int_equal(r[0], 1);
			assert_false(seen[r[1]]);
			seen[r[1]] = true;
			cnt++;
		}
		assert_int_equal(cnt, 100);
	}
	close(fd);
	stop(f);
}

static void
test_udp(void **state)
{
	(void)state;
	check_udp("127.0.0.1");
}

static void
test_udp_wildcard(void **state)
{
	(void)state;
	check_udp("0.0.0.0");
}

/* A TCP client from SRC (NULL: any loopback address), connected. */
static int
tcp_client_from(struct fx *f, const char *src)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int fl;

	assert_true(fd >= 0);
	if (src != NULL) {
		struct sockaddr_in sa = { .sin_family = AF_INET };

		inet_pton(AF_INET, src, &sa.sin_addr);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&f->to, sizeof(f->to)) == -1)
		assert_int_equal(errno, EINPROGRESS);
	for (int i = 0; i < 50; i++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
	return fd;
}

static int
tcp_client(struct fx *f)
{
	return tcp_client_from(f, NULL);
}

/* Read one framed message from a TCP client, pumping the loop. */
static ssize_t
tcp_read_msg(struct fx *f, int fd, uint8_t *buf, size_t cap)
{
	uint8_t acc[70000];
	size_t have = 0;
	double end = now_s() + 3;

	while (now_s() < end) {
		ssize_t n;

		event_base_loop(f->base, EVLOOP_NONBLOCK);
		/* Peek-free: read at most what completes one message. */
		if (have < 2)
			n = recv(fd, acc + have, 2 - have, MSG_DONTWAIT);
		else {
			size_t want = 2 + (((size_t)acc[0] << 8) | acc[1]);

			if (have == want) {
				assert_true(want - 2 <= cap);
				memcpy(buf, acc + 2, want - 2);
				return (ssize_t)(want - 2);
			}
			n = recv(fd, acc + have, want - have, MSG_DONTWAIT);
		}
		if (n == 0)
			return 0;
		if (n > 0) {
			have += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return 0;
		usleep(500);
	}
	return -1;
}

static void
test_tcp(void **state)
{
	struct fx *f = start("127.0.0.1", 4, 5, 0, 0);
	uint8_t q[64], framed[200], r[9000];
	size_t n = mkq(q, 0x0101, "seed", 0x0100);
	int fd;

	(void)state;
	/* Two pipelined queries in one segment: two replies, in order, full
	 * size (no TC over TCP). */
	fd = tcp_client(f);
	framed[0] = 0;
	framed[1] = (uint8_t)n;
	memcpy(framed + 2, q, n);
	memcpy(framed + 2 + n, framed, n + 2);
	framed[2 + n + 2 + 1] = 0x02;
	assert_int_equal(send(fd, framed, 2 * (n + 2), 0), (ssize_t)(2 * (n + 2)));
	assert_int_equal(tcp_read_msg(f, fd, r, sizeof(r)), 12 + 18 + 25 * 16);
	assert_int_equal(r[1], 1);
	assert_int_equal(tcp_read_msg(f, fd, r, sizeof(r)), 12 + 18 + 25 * 16);
	assert_int_equal(r[1], 2);
	assert_int_equal(r[2] & 0x02, 0);	/* no TC */

	/* One query trickled in byte by byte. */
	for (size_t i = 0; i < n + 2; i++) {
		assert_int_equal(send(fd, framed + i, 1, 0), 1);
		for (int k = 0; k < 5; k++)
			event_base_loop(f->base, EVLOOP_NONBLOCK);
	}
	assert_true(tcp_read_msg(f, fd, r, sizeof(r)) > 0);

	/* A response packet inside the stream is dropped, the connection
	 * stays usable. */
	framed[2 + 2] |= 0x80;
	send(fd, framed, n + 2, 0);
	framed[2 + 2] &= 0x7f;
	framed[3] = 0x33;
	send(fd, framed, n + 2, 0);
	assert_true(tcp_read_msg(f, fd, r, sizeof(r)) > 0);
	assert_int_equal(r[1], 0x33);

	/* A length below a header: the connection is closed. */
	send(fd, "\0\5hello", 7, 0);
	assert_int_equal(tcp_read_msg(f, fd, r, sizeof(r)), 0);
	close(fd);

	/* A query then a half-close: the reply still comes, then EOF. */
	fd = tcp_client(f);
	send(fd, framed, n + 2, 0);
	shutdown(fd, SHUT_WR);
	assert_true(tcp_read_msg(f, fd, r, sizeof(r)) > 0);
	assert_int_equal(tcp_read_msg(f, fd, r, sizeof(r)), 0);
	close(fd);

	/* An oversized length closes too. */
	fd = tcp_client(f);
	send(fd, "\xff\xff", 2, 0);
	assert_int_equal(tcp_read_msg(f, fd, r, sizeof(r)), 0);
	close(fd);
	for (int k = 0; k < 20; k++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(dns_server_tcp_clients(f->srv), 0);
	assert_true(f->stats.queries_tcp >= 5);
	stop(f);
}

/* Send one framed query with ID on FD. */
static void
tcp_send_query(int fd, uint16_t id)
{
	uint8_t q[64], framed[66];
	size_t n = mkq(q, id, "seed", 0);

	framed[0] = 0;
	framed[1] = (uint8_t)n;
	memcpy(framed + 2, q, n);
	assert_int_equal(send(fd, framed, n + 2, 0), (ssize_t)(n + 2));
}

/* Run the loop until FD is closed by the server (true) or SECS pass. */
static bool
pump_closed(struct fx *f, int fd, double secs)
{
	uint8_t r[512];

	return pump_recv(f, fd, r, sizeof(r), secs) == 0;
}

static void
pump_for(struct fx *f, double secs)
{
	for (double end = now_s() + secs; now_s() < end;) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

static void
test_tcp_limits(void **state)
{
	struct fx *f = start("127.0.0.1", 2, 1, 0, 0);
	uint8_t r[512];
	int a, b, c;
	double t0;

	(void)state;
	a = tcp_client(f);
	b = tcp_client(f);
	assert_int_equal(dns_server_tcp_clients(f->srv), 2);
	/* The table is full of idle connections: a third one takes the
	 * place of the one idle the longest (a), which is closed. */
	c = tcp_client(f);
	assert_true(pump_closed(f, a, 2));
	assert_int_equal(f->stats.tcp_evicted, 1);
	assert_int_equal(f->stats.tcp_refused, 0);
	assert_int_equal(dns_server_tcp_clients(f->srv), 2);
	tcp_send_query(c, 0x77);
	assert_true(tcp_read_msg(f, c, r, sizeof(r)) > 0);
	assert_int_equal(r[1], 0x77);
	/* Idle ones are closed after the timeout (1 s here; at a full
	 * table it shrinks, but not below the 500 ms floor). */
	t0 = now_s();
	assert_true(pump_closed(f, b, 4));
	assert_true(pump_closed(f, c, 4));
	assert_true(now_s() - t0 > 0.3);
	assert_true(f->stats.tcp_timeouts >= 2);
	for (int k = 0; k < 20; k++)
		event_base_loop(f->base, EVLOOP_NONBLOCK);
	assert_int_equal(dns_server_tcp_clients(f->srv), 0);
	close(a);
	close(b);
	close(c);
	stop(f);
}

/* True when the server has not closed FD (nothing to read, no EOF). */
static bool
still_open(int fd)
{
	uint8_t b;
	ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT | MSG_PEEK);

	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Issue 15 item 4: 256 connections from one client trickling a byte
 * every 5 s left 0 of 12 fresh TCP queries answered in 24 s.  Here 16
 * such connections from 127.0.0.1 against a table of 16: the source
 * keeps at most its 4, and fresh queries from the same address and from
 * another are all answered at once. */
static void
test_tcp_starved_by_one_client(void **state)
{
	struct fx *f = start_tcp(16, 4, 10000, 3000, 0);
	int slow[16], open = 0;
	uint8_t r[2048];

	(void)state;
	for (int i = 0; i < 16; i++) {
		slow[i] = tcp_client_from(f, "127.0.0.1");
		assert_int_equal(send(slow[i], "\0", 1, 0), 1);
		pump_for(f, 0.005);
	}
	pump_for(f, 0.1);
	for (int i = 0; i < 16; i++)
		open += still_open(slow[i]);
	assert_int_equal(open, 4);
	assert_int_equal(dns_server_tcp_clients(f->srv), 4);
	assert_int_equal(f->stats.tcp_evicted, 12);
	for (int i = 0; i < 12; i++) {
		int fd = tcp_client_from(f, i % 2 ? "127.0.1.1" : "127.0.0.1");
		double t0 = now_s();

		tcp_send_query(fd, (uint16_t)(0x100 + i));
		assert_true(tcp_read_msg(f, fd, r, sizeof(r)) > 0);
		assert_int_equal(r[1], i);
		assert_true(now_s() - t0 < 1.0);
		close(fd);
		/* The slow client keeps trickling. */
		for (int k = 0; k < 16; k++)
			(void)send(slow[k], "\0", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	for (int i = 0; i < 16; i++)
		close(slow[i]);
	stop(f);
}

/* A query trickled in a byte at a time is closed at the query deadline,
 * although every byte comes well inside the idle timeout; one that
 * pauses briefly is answered. */
static void
test_tcp_query_deadline(void **state)
{
	struct fx *f = start_tcp(8, 8, 5000, 600, 0);
	uint8_t q[64], framed[66], r[2048];
	size_t n = mkq(q, 0x4444, "seed", 0);
	int fd = tcp_client(f);
	double t0 = now_s();
	size_t i;

	(void)state;
	framed[0] = 0;
	framed[1] = (uint8_t)n;
	memcpy(framed + 2, q, n);
	for (i = 0; i < n + 2; i++) {
		if (send(fd, framed + i, 1, MSG_NOSIGNAL) != 1 || !still_open(fd))
			break;
		pump_for(f, 0.1);
	}
	assert_true(i < n + 2);			/* cut before the end */
	assert_true(pump_closed(f, fd, 2));
	assert_true(now_s() - t0 >= 0.5 && now_s() - t0 < 2.0);
	assert_int_equal(f->stats.tcp_timeouts, 1);
	assert_int_equal(f->stats.queries_tcp, 0);
	close(fd);
	/* Half, a pause shorter than the deadline, the rest: answered, and
	 * answering restarts the clock for the next query. */
	fd = tcp_client(f);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(send(fd, framed, 10, 0), 10);
		pump_for(f, 0.3);
		assert_int_equal(send(fd, framed + 10, n + 2 - 10, 0), (ssize_t)(n + 2 - 10));
		assert_true(tcp_read_msg(f, fd, r, sizeof(r)) > 0);
		assert_int_equal(r[0], 0x44);
	}
	assert_true(still_open(fd));
	close(fd);
	stop(f);
}

/* One more connection than a source may have closes that source's
 * oldest idle one (a busy one only when none is idle); other sources are
 * not touched. */
static void
test_tcp_per_source_cap(void **state)
{
	struct fx *f = start_tcp(8, 2, 5000, 3000, 0);
	int a1, a2, a3, a4, b1;

	(void)state;
	a1 = tcp_client_from(f, "127.0.0.1");
	a2 = tcp_client_from(f, "127.0.0.1");
	b1 = tcp_client_from(f, "127.0.1.1");
	a3 = tcp_client_from(f, "127.0.0.1");
	assert_true(pump_closed(f, a1, 2));
	assert_int_equal(dns_server_tcp_clients(f->srv), 3);
	/* a2 (older) is busy, a3 idle: a4 replaces a3. */
	assert_int_equal(send(a2, "\0", 1, 0), 1);
	pump_for(f, 0.05);
	a4 = tcp_client_from(f, "127.0.0.1");
	assert_true(pump_closed(f, a3, 2));
	pump_for(f, 0.05);
	assert_true(still_open(a2));
	assert_true(still_open(a4));
	assert_true(still_open(b1));
	assert_int_equal(f->stats.tcp_evicted, 2);
	assert_int_equal(dns_server_tcp_clients(f->srv), 3);
	close(a1);
	close(a2);
	close(a3);
	close(a4);
	close(b1);
	stop(f);
}

/* RFC 7766 6.2.3: idle connections wait the whole timeout while the
 * table is at most half full, and less as it fills: at full, the floor. */
static void
test_tcp_timeouts_shrink_as_table_fills(void **state)
{
	struct fx *f = start_tcp(4, 4, 3000, 3000, 300);
	int fd[4];
	double t0;

	(void)state;
	fd[0] = tcp_client(f);
	fd[1] = tcp_client(f);
	pump_for(f, 1.0);
	assert_true(still_open(fd[0]));
	assert_true(still_open(fd[1]));
	assert_int_equal(f->stats.tcp_timeouts, 0);
	/* Full (4 of 4): the timeout is the 300 ms floor, and the first
	 * one, idle for a second, goes at once.  At 3 of 4 it is 300 + 2700
	 * / 2 = 1650 ms: the second goes 0.65 s later.  At 2 of 4, half
	 * full, the new ones have the whole 3 s again. */
	fd[2] = tcp_client(f);
	fd[3] = tcp_client(f);
	t0 = now_s();
	assert_true(pump_closed(f, fd[0], 2));
	assert_true(now_s() - t0 < 0.3);
	assert_true(pump_closed(f, fd[1], 2));
	assert_true(now_s() - t0 > 0.4 && now_s() - t0 < 1.2);
	assert_int_equal(f->stats.tcp_timeouts, 2);
	pump_for(f, 1.0);
	assert_true(still_open(fd[2]));
	assert_true(still_open(fd[3]));
	for (int i = 0; i < 4; i++)
		close(fd[i]);
	stop(f);
}

/* A table full of busy connections stops accepting: a newcomer waits in
 * the kernel's backlog, is not refused, and is answered as soon as a busy
 * one reaches its deadline. */
static void
test_tcp_all_busy_pauses_accepting(void **state)
{
	struct fx *f = start_tcp(2, 2, 5000, 800, 800);
	uint8_t r[2048];
	int a, b, c;
	double t0;

	(void)state;
	a = tcp_client(f);
	b = tcp_client(f);
	assert_int_equal(send(a, "\0", 1, 0), 1);
	assert_int_equal(send(b, "\0", 1, 0), 1);
	pump_for(f, 0.05);
	assert_int_equal(f->stats.tcp_full, 1);
	t0 = now_s();
	c = tcp_client(f);
	tcp_send_query(c, 0x5151);
	assert_int_equal(pump_recv(f, c, r, sizeof(r), 0.3), -1);	/* waiting */
	assert_int_equal(dns_server_tcp_clients(f->srv), 2);
	assert_true(tcp_read_msg(f, c, r, sizeof(r)) > 0);
	assert_int_equal(r[0], 0x51);
	assert_true(now_s() - t0 < 2.5);
	assert_true(pump_closed(f, a, 1));
	assert_true(pump_closed(f, b, 1));
	assert_int_equal(f->stats.tcp_refused, 0);
	assert_int_equal(f->stats.tcp_timeouts, 2);
	close(a);
	close(b);
	close(c);
	stop(f);
}

/* Out of descriptors, accept fails while the connection stays queued, so
 * libevent called the listener again at once: a busy loop and a log line
 * per try (issue 15 item 1 saw it in agentnode).  Now accepting pauses
 * after the first failure and resumes once a connection closes. */
static void
test_tcp_accept_out_of_fds_does_not_spin(void **state)
{
	struct fx *f = start_tcp(64, 64, 10000, 3000, 0);
	struct rlimit old, low;
	int fd[6], top;
	uint8_t r[2048];

	(void)state;
	/* Six clients connected (the kernel queues them, nobody accepted
	 * yet); then room for two more descriptors only. */
	for (int i = 0; i < 6; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(fd[i], (struct sockaddr *)&f->to, sizeof(f->to)), 0);
	}
	top = dup(0);
	close(top);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)top + 2;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	pump_for(f, 0.3);
	assert_int_equal(dns_server_tcp_clients(f->srv), 2);
	/* One failed accept, not thousands. */
	assert_true(f->stats.tcp_accept_errors >= 1 && f->stats.tcp_accept_errors <= 2);
	/* A connection closes: accepting resumes, and stops again. */
	tcp_send_query(fd[0], 0x6161);
	assert_true(tcp_read_msg(f, fd[0], r, sizeof(r)) > 0);
	close(fd[0]);
	pump_for(f, 0.3);
	assert_true(f->stats.tcp_accept_errors <= 4);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	/* With descriptors again every queued client gets in (at the
	 * latest when the one-second pause ends) and is answered. */
	for (int i = 1; i < 6; i++) {
		tcp_send_query(fd[i], (uint16_t)(0x6200 + i));
		assert_true(tcp_read_msg(f, fd[i], r, sizeof(r)) > 0);
		assert_int_equal(r[1], i);
		close(fd[i]);
	}
	stop(f);
}

/* A client that never reads its replies is paused, then timed out. */
static void
test_tcp_backpressure(void **state)
{
	struct fx *f = start("127.0.0.1", 4, 1, 0, 0);
	uint8_t q[64], framed[66], r[16];
	size_t n = mkq(q, 1, "seed", 0);
	int fd = tcp_client(f), rcv = 4096;

	(void)state;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	framed[0] = 0;
	framed[1] = (uint8_t)n;
	memcpy(framed + 2, q, n);
	/* Up to 20000 queries = 8.7 MB of replies, beyond what the kernel
	 * buffers on both ends take: the server has to stop reading. */
	for (int i = 0; i < 20000; i++) {
		if (send(fd, framed, n + 2, MSG_DONTWAIT) != (ssize_t)(n + 2))
			break;
		event_base_loop(f->base, EVLOOP_NONBLOCK);
	}
	/* The server neither spins nor grows without bound, and gives up. */
	{
		double end = now_s() + 5;

		while (dns_server_tcp_clients(f->srv) > 0 && now_s() < end) {
			event_base_loop(f->base, EVLOOP_NONBLOCK);
			usleep(1000);
		}
	}
	assert_int_equal(dns_server_tcp_clients(f->srv), 0);
	assert_true(f->stats.queries_tcp < 20000);
	(void)r;
	close(fd);
	stop(f);
}

static void
test_rate_limit(void **state)
{
	struct fx *f = start("127.0.0.1", 4, 5, 5, 2);
	uint8_t q[64], r[2048];
	size_t n = mkq(q, 1, "seed", 0);
	int fd = udp_client(), full = 0, tc = 0;
	ssize_t got;

	(void)state;
	for (int i = 0; i < 20; i++)
		sendto(fd, q, n, 0, (struct sockaddr *)&f->to, sizeof(f->to));
	while ((got = pump_recv(f, fd, r, sizeof(r), 0.3)) > 0) {
		if (r[2] & 0x02) {
			tc++;
			assert_int_equal(r[7], 0);	/* no records */
		} else
			full++;
	}
	assert_int_equal(full, 5);
	assert_int_equal(tc, 15 / 2);
	assert_int_equal(f->stats.slipped, 7);
	assert_int_equal(f->stats.ratelimited, 8);
	close(fd);
	stop(f);
}

/* Issue 15 item 5: two limited /24s in alternation, one got every slip
 * (61 vs 0), so a resolver in the other could never fall back to TCP.
 * Two clients on loopback in different /24s (127.0.0.1, 127.0.1.1) now
 * get the same share of truncated replies. */
static void
test_rate_limit_slips_counted_per_source(void **state)
{
	struct fx *f = start("127.0.0.1", 4, 5, 5, 2);
	static const char *const src[2] = { "127.0.0.1", "127.0.1.1" };
	uint8_t q[64], r[2048];
	size_t n = mkq(q, 1, "seed", 0);
	int fd[2], full[2] = { 0, 0 }, tc[2] = { 0, 0 };
	ssize_t got;

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct sockaddr_in sa = { .sin_family = AF_INET };

		fd[k] = udp_client();
		inet_pton(AF_INET, src[k], &sa.sin_addr);
		assert_int_equal(bind(fd[k], (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	for (int i = 0; i < 40; i++)
		sendto(fd[i % 2], q, n, 0, (struct sockaddr *)&f->to, sizeof(f->to));
	for (int k = 0; k < 2; k++) {
		while ((got = pump_recv(f, fd[k], r, sizeof(r), 0.3)) > 0) {
			if (r[2] & 0x02)
				tc[k]++;
			else
				full[k]++;
		}
		close(fd[k]);
	}
	for (int k = 0; k < 2; k++) {
		assert_int_equal(full[k], 5);
		assert_int_equal(tc[k], 15 / 2);
	}
	assert_int_equal(f->stats.slipped, 14);
	assert_int_equal(f->stats.ratelimited, 16);
	stop(f);
}

static void
test_bind_errors(void **state)
{
	struct fx *f = start("127.0.0.1", 4, 5, 0, 0);
	struct dns_server_config sc;
	struct netaddr a;
	char err[256];

	(void)state;
	/* The same port again: a clear error naming the address. */
	a = *dns_server_address(f->srv, 0);
	memset(&sc, 0, sizeof(sc));
	sc.listen = &a;
	sc.nlisten = 1;
	assert_null(dns_server_new(f->base, &sc, handler, f, &f->stats, err, sizeof(err)));
	assert_non_null(strstr(err, "127.0.0.1:"));
	assert_non_null(strstr(err, "bind"));
	sc.nlisten = 0;
	assert_null(dns_server_new(f->base, &sc, handler, f, &f->stats, err, sizeof(err)));
	stop(f);
	dns_server_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_udp_wildcard),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_tcp_limits),
		cmocka_unit_test(test_tcp_backpressure),
		cmocka_unit_test(test_tcp_starved_by_one_client),
		cmocka_unit_test(test_tcp_query_deadline),
		cmocka_unit_test(test_tcp_per_source_cap),
		cmocka_unit_test(test_tcp_timeouts_shrink_as_table_fills),
		cmocka_unit_test(test_tcp_all_busy_pauses_accepting),
		cmocka_unit_test(test_tcp_accept_out_of_fds_does_not_spin),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_rate_limit_slips_counted_per_source),
		cmocka_unit_test(test_bind_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
