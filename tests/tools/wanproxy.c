/* wanproxy.c -- a SOCKS5 proxy that spreads a loopback network over the world: every relayed byte stream is delayed by the one-way latency between the cities of its two ends.
 *
 *   wanproxy [options]
 *     --listen ADDR:PORT   accept SOCKS5 clients here (default 127.0.0.1:1080)
 *     --geoip FILE         CIDR -> city, as tests/tools/geoip-demo.tsv (CIDR and
 *                          City columns are used)
 *     --matrix FILE        "CITY<TAB>CITY<TAB>RTT_MS[<TAB>JITTER_MS]" lines, one per
 *                          unordered pair (tests/tools/wan-matrix.tsv)
 *     --default-city CITY  the city of addresses the GeoIP data does not place
 *                          (without it they get no delay)
 *     --delay MS           one-way delay for every pair instead of the matrix
 *     --jitter MS          jitter for matrix lines that give none (default 0)
 *     --bandwidth RATE     cap per link and direction in bytes/s, with an optional
 *                          k or M suffix (default 0: none)
 *     --buffer BYTES       most bytes held per link and direction (default 1 MiB);
 *                          beyond it the sender is not read (back-pressure)
 *     --hosts FILE         "NAME ADDR" lines: what SOCKS5 domain names resolve to
 *                          (numeric names work without it; others: host unreachable)
 *     --auth USER:PASS     require RFC 1929 user/password authentication
 *     --refuse CODE        answer every CONNECT with reply CODE (1-255), for tests
 *     --max-links N        most links at once (default 4096)
 *     -v                   log every link: its ends, their cities and the delay
 *
 * The source of a link is the client's address: every node sits behind this
 * one proxy and dials from its own 127.x.y.z, so the proxy knows who speaks.
 * The proxy connects to the target from that same address (any 127/8
 * address is local), so the target sees the real peer, and its GeoIP and
 * per-IP rules work as without the proxy.
 *
 * The delay line of one direction: bytes read from the sender go into one
 * evbuffer with a mark (release time, length) per read; a timer moves them
 * to the receiver when their mark is due.  Release times never decrease, so
 * jitter cannot reorder bytes; a bandwidth cap spaces them by their
 * serialisation time.  What one direction holds (delay line plus the
 * receiver's unsent output) is capped; above the cap, or with the ring of
 * marks full, the sender is no longer read until half has drained.  With
 * no delay due, bytes go straight through without a timer.  The SOCKS5
 * success reply is released after one round trip, as a TCP connect across
 * the same link would take.  Timers are libevent's precise ones (timerfd).
 *
 * Exit: SIGINT/SIGTERM, status 0; bad options or files, status 2. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "buf.h"
#include "clock.h"
#include "hash.h"
#include "log.h"
#include "netaddr.h"
#include "rnd.h"
#include "socks5.h"
#include "strutil.h"
#include "xmalloc.h"

#define MAX_CITIES	64
#define MAX_NETS	1024
#define MAX_HOSTS	1024
#define MAX_LINE	1024
#define MARKS		1024		/* reads in flight per direction */
#define HANDSHAKE_MS	10000		/* a client has this long to ask */
#define DRAIN_MS	5000		/* to flush the last bytes of a closed link */
#define SLACK_US	100		/* release what is due this soon in one go */
#define READ_CHUNK	(64 * 1024)

/* --- the world: cities, where addresses are, how far apart ------------------ */

struct city_net {
	uint8_t	ip[16];
	int	bits;		/* of the IPv6 (or IPv4-mapped) address */
	int	city;
};

struct host_entry {
	char		*name;
	struct netaddr	 addr;
};

static struct {
	char		*city[MAX_CITIES];
	int		 ncity;
	struct city_net	 net[MAX_NETS];
	int		 nnet;
	int64_t		 rtt_us[MAX_CITIES][MAX_CITIES];
	int64_t		 jitter_us[MAX_CITIES][MAX_CITIES];
	bool		 have[MAX_CITIES][MAX_CITIES];
	int		 default_city;	/* -1: none */
	bool		 fixed;		/* --delay */
	int64_t		 fixed_oneway_us;
	int64_t		 default_jitter_us;
	struct host_entry hosts[MAX_HOSTS];
	int		 nhosts;
} world = { .default_city = -1 };

/* Options. */
static size_t	 opt_buffer = 1024 * 1024;
static double	 opt_bandwidth;		/* bytes/s; 0: none */
static char	*opt_user, *opt_pass;
static int	 opt_refuse;
static int	 opt_max_links = 4096;

static int
city_index(const char *name, bool add)
{
	for (int i = 0; i < world.ncity; i++)
		if (strcmp(world.city[i], name) == 0)
			return i;
	if (!add || world.ncity == MAX_CITIES)
		return -1;
	world.city[world.ncity] = xstrdup(name);
	return world.ncity++;
}

static const char *
city_name(int i)
{
	return i >= 0 ? world.city[i] : "?";
}

static bool
net_match(const struct city_net *n, const struct netaddr *a)
{
	int full = n->bits / 8, rest = n->bits % 8;

	if (memcmp(n->ip, a->ip, (size_t)full) != 0)
		return false;
	return rest == 0 || ((n->ip[full] ^ a->ip[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* The city of A: the longest matching network, else the default. */
static int
city_of(const struct netaddr *a)
{
	int best = -1, bits = -1;

	for (int i = 0; i < world.nnet; i++)
		if (world.net[i].bits > bits && net_match(&world.net[i], a)) {
			best = world.net[i].city;
			bits = world.net[i].bits;
		}
	return best >= 0 ? best : world.default_city;
}

/* One-way delay and jitter from city A to city B (microseconds). */
static void
oneway(int a, int b, int64_t *delay_us, int64_t *jitter_us)
{
	*delay_us = 0;
	*jitter_us = 0;
	if (world.fixed) {
		*delay_us = world.fixed_oneway_us;
		*jitter_us = world.default_jitter_us;
		return;
	}
	if (a < 0 || b < 0 || !world.have[a][b])
		return;
	*delay_us = world.rtt_us[a][b] / 2;
	*jitter_us = world.jitter_us[a][b];
}

/* Split LINE at tabs (or, with ANY_BLANK, runs of blanks) into at most
 * MAX fields.  Returns the count. */
static int
split(char *line, char **f, int max, bool any_blank)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		if (any_blank)
			p += strspn(p, " \t");
		if (*p == '\0')
			break;
		f[n++] = p;
		p += strcspn(p, any_blank ? " \t" : "\t");
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return n;
}

/* A decimal number 0..MAX, with a k or M multiplier when SUFFIX. */
static int
parse_number(const char *s, bool suffix, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !(v >= 0))
		return -1;
	if (suffix && (*end == 'k' || *end == 'K'))
		v *= 1e3, end++;
	else if (suffix && *end == 'M')
		v *= 1e6, end++;
	if (*end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A number of milliseconds (decimals allowed), 0..60000, in microseconds. */
static int
parse_ms(const char *s, int64_t *us)
{
	double v;

	if (parse_number(s, false, 60000, &v) != 0)
		return -1;
	*us = (int64_t)(v * 1000.0 + 0.5);
	return 0;
}

typedef int (*line_fn)(char *line, char *why, size_t whylen);

/* Feed each line of PATH without comments and blank lines to FN. */
static void
read_lines(const char *path, line_fn fn)
{
	char line[MAX_LINE + 2], why[256];
	unsigned long no = 0;
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		fprintf(stderr, "wanproxy: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = strlen(line);

		no++;
		if (n > MAX_LINE) {
			fprintf(stderr, "wanproxy: %s:%lu: line too long\n", path, no);
			exit(2);
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (line[strspn(line, " \t")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		if (fn(line, why, sizeof(why)) != 0) {
			fprintf(stderr, "wanproxy: %s:%lu: %s\n", path, no, why);
			exit(2);
		}
	}
	fclose(fp);
}

static int
geoip_line(char *line, char *why, size_t whylen)
{
	char *f[8], *slash;
	struct city_net *n;
	struct netaddr a;
	long bits;
	int c;

	if (split(line, f, 8, false) < 4 || (slash = strchr(f[0], '/')) == NULL) {
		snprintf(why, whylen, "want CIDR<TAB>ISO<TAB>Country<TAB>City...");
		return -1;
	}
	*slash = '\0';
	bits = strtol(slash + 1, NULL, 10);
	if (netaddr_parse(f[0], 1, &a) != 0 || bits < 0 || bits > (netaddr_is_ipv4(&a) ? 32 : 128)) {
		snprintf(why, whylen, "bad network '%s/%s'", f[0], slash + 1);
		return -1;
	}
	if (world.nnet == MAX_NETS || (c = city_index(f[3], true)) < 0) {
		snprintf(why, whylen, "too many networks or cities");
		return -1;
	}
	n = &world.net[world.nnet++];
	memcpy(n->ip, a.ip, 16);
	n->bits = (int)bits + (netaddr_is_ipv4(&a) ? 96 : 0);
	n->city = c;
	return 0;
}

static int
matrix_line(char *line, char *why, size_t whylen)
{
	char *f[5];
	int nf = split(line, f, 5, false), a, b;
	int64_t rtt, jit = world.default_jitter_us;

	if (nf < 3 || nf > 4) {
		snprintf(why, whylen, "want CITY<TAB>CITY<TAB>RTT_MS[<TAB>JITTER_MS]");
		return -1;
	}
	if (parse_ms(f[2], &rtt) != 0 || (nf == 4 && parse_ms(f[3], &jit) != 0)) {
		snprintf(why, whylen, "bad milliseconds");
		return -1;
	}
	if ((a = city_index(f[0], true)) < 0 || (b = city_index(f[1], true)) < 0) {
		snprintf(why, whylen, "more than %d cities", MAX_CITIES);
		return -1;
	}
	if (world.have[a][b]) {
		snprintf(why, whylen, "%s - %s given twice", f[0], f[1]);
		return -1;
	}
	world.rtt_us[a][b] = world.rtt_us[b][a] = rtt;
	world.jitter_us[a][b] = world.jitter_us[b][a] = jit;
	world.have[a][b] = world.have[b][a] = true;
	return 0;
}

static int
hosts_line(char *line, char *why, size_t whylen)
{
	char *f[3];
	struct netaddr a;

	if (split(line, f, 3, true) != 2 || netaddr_parse(f[1], 1, &a) != 0 ||
	    strlen(f[0]) > SOCKS5_MAX_FIELD) {
		snprintf(why, whylen, "want NAME ADDR");
		return -1;
	}
	if (world.nhosts == MAX_HOSTS) {
		snprintf(why, whylen, "more than %d names", MAX_HOSTS);
		return -1;
	}
	world.hosts[world.nhosts].name = xstrdup(f[0]);
	world.hosts[world.nhosts++].addr = a;
	return 0;
}

/* Resolve a SOCKS5 domain NAME (numeric, or from --hosts); PORT kept. */
static int
resolve(const char *name, uint16_t port, struct netaddr *out)
{
	if (netaddr_parse(name, port, out) == 0) {
		out->port = port;
		return 0;
	}
	for (int i = 0; i < world.nhosts; i++)
		if (strcasecmp(world.hosts[i].name, name) == 0) {
			*out = world.hosts[i].addr;
			out->port = port;
			return 0;
		}
	return -1;
}

/* --- links ------------------------------------------------------------------ */

enum lstate {
	ST_GREETING = 0,
	ST_AUTH,
	ST_REQUEST,
	ST_CONNECTING,
	ST_RELAY,
	ST_CLOSING,	/* flushing the last bytes to one side, then free */
};

struct mark {
	int64_t	release_us;
	size_t	len;
	bool	eof;	/* the sender closed: close the link when released */
};

struct link;

/* One direction of a link. */
struct pipe {
	struct link		*l;
	struct bufferevent	*from, *to;
	struct evbuffer		*line;
	struct mark		 ring[MARKS];
	unsigned		 head, n;
	int64_t			 oneway_us, jitter_us;
	int64_t			 link_free_us, last_release_us;
	struct event		*timer;
	bool			 paused;
	uint64_t		 bytes;
};

struct link {
	TAILQ_ENTRY(link)	 entry;
	struct bufferevent	*cli, *tgt;
	struct netaddr		 src, dst;
	int			 src_city, dst_city;
	enum lstate		 state;
	struct pipe		 up, down;	/* up: client to target */
	struct event		*timer;		/* handshake and drain deadline */
	struct bufferevent	*closing_to;	/* ST_CLOSING: the side being flushed */
	char			 name[SOCKS5_MAX_FIELD + 1];	/* asked for by name */
};
TAILQ_HEAD(link_list, link);

static struct event_base *base;
static struct link_list links = TAILQ_HEAD_INITIALIZER(links);
static int nlinks;
static struct {
	uint64_t	links, refused, bytes_up, bytes_down, backpressure;
	size_t		max_buffered;
} stats;

static void link_free(struct link *l);
static void pipe_read(struct pipe *p);

/* Delays are ours to make: Nagle must not add its own. */
static void
nodelay(evutil_socket_t fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int64_t
now_us(void)
{
	return clock_mono_us();
}

static size_t
pipe_buffered(const struct pipe *p)
{
	return evbuffer_get_length(p->line) + (p->to != NULL ?
	    evbuffer_get_length(bufferevent_get_output(p->to)) : 0);
}

static void
pipe_arm(struct pipe *p)
{
	int64_t d;
	struct timeval tv;

	if (p->n == 0)
		return;
	d = p->ring[p->head].release_us - now_us();
	if (d < 0)
		d = 0;
	tv.tv_sec = (time_t)(d / 1000000);
	tv.tv_usec = (suseconds_t)(d % 1000000);
	evtimer_add(p->timer, &tv);
}

/* Stop reading the sender while the pipe holds too much; resume at half. */
static void
pipe_pressure(struct pipe *p)
{
	size_t b = pipe_buffered(p);

	if (b > stats.max_buffered)
		stats.max_buffered = b;
	if (p->from == NULL || p->l->state != ST_RELAY)
		return;
	if (!p->paused && (b >= opt_buffer || p->n == MARKS)) {
		p->paused = true;
		stats.backpressure++;
		bufferevent_disable(p->from, EV_READ);
	} else if (p->paused && b < opt_buffer / 2 && p->n < MARKS / 2) {
		p->paused = false;
		bufferevent_enable(p->from, EV_READ);
		/* What arrived before the pause is not announced again. */
		if (evbuffer_get_length(bufferevent_get_input(p->from)) > 0)
			pipe_read(p);
	}
}

/* When LEN bytes arriving now, with EXTRA_US more delay, leave the pipe. */
static int64_t
pipe_release_time(struct pipe *p, size_t len, int64_t extra_us)
{
	int64_t t = now_us(), start, rel;

	start = t > p->link_free_us ? t : p->link_free_us;
	if (opt_bandwidth > 0)
		start += (int64_t)((double)len * 1e6 / opt_bandwidth);
	p->link_free_us = start;
	rel = start + p->oneway_us + extra_us;
	if (p->jitter_us > 0)
		rel += (int64_t)((2 * rnd_double() - 1) * (double)p->jitter_us);
	/* Never before the bytes in front: order is kept. */
	if (rel < p->last_release_us)
		rel = p->last_release_us;
	p->last_release_us = rel;
	return rel;
}

/* Queue BUF's LEN bytes (moved out of BUF) or an end of stream. */
static void
pipe_push(struct pipe *p, struct evbuffer *buf, size_t len, bool eof, int64_t extra_us)
{
	int64_t rel = pipe_release_time(p, len, extra_us);
	struct mark *m;

	if (!eof && p->n == 0 && rel <= now_us()) {
		/* Nothing delayed in front and nothing due: straight through. */
		evbuffer_remove_buffer(buf, bufferevent_get_output(p->to), len);
		p->bytes += len;
		return;
	}
	/* The caller keeps n < MARKS: it stops reading at MARKS. */
	m = &p->ring[(p->head + p->n) % MARKS];
	m->release_us = rel;
	m->len = len;
	m->eof = eof;
	if (len > 0)
		evbuffer_remove_buffer(buf, p->line, len);
	if (p->n++ == 0)
		pipe_arm(p);
}

static void
link_close_after_flush(struct link *l, struct bufferevent *to);

static void
pipe_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pipe *p = arg;
	int64_t t = now_us();

	(void)fd;
	(void)what;
	while (p->n > 0 && p->ring[p->head].release_us <= t + SLACK_US) {
		struct mark *m = &p->ring[p->head];

		if (m->len > 0) {
			evbuffer_remove_buffer(p->line, bufferevent_get_output(p->to), m->len);
			p->bytes += m->len;
		}
		p->head = (p->head + 1) % MARKS;
		p->n--;
		if (m->eof) {
			link_close_after_flush(p->l, p->to);
			return;
		}
	}
	pipe_arm(p);
	pipe_pressure(p);
}

/* Move what the sender has into the delay line. */
static void
pipe_read(struct pipe *p)
{
	struct evbuffer *in = bufferevent_get_input(p->from);
	size_t n = evbuffer_get_length(in);

	if (n == 0 || p->paused)
		return;
	if (p->n == MARKS) {
		pipe_pressure(p);
		return;
	}
	pipe_push(p, in, n, false, 0);
	pipe_pressure(p);
}

static void
pipe_init(struct pipe *p, struct link *l, int from_city, int to_city)
{
	p->l = l;
	p->line = evbuffer_new();
	p->timer = evtimer_new(base, pipe_timer_cb, p);
	oneway(from_city, to_city, &p->oneway_us, &p->jitter_us);
}

static void
pipe_free(struct pipe *p)
{
	if (p->line != NULL)
		evbuffer_free(p->line);
	if (p->timer != NULL)
		event_free(p->timer);
}

static void
link_free(struct link *l)
{
	TAILQ_REMOVE(&links, l, entry);
	nlinks--;
	stats.bytes_up += l->up.bytes;
	stats.bytes_down += l->down.bytes;
	if (l->cli != NULL)
		bufferevent_free(l->cli);
	if (l->tgt != NULL)
		bufferevent_free(l->tgt);
	pipe_free(&l->up);
	pipe_free(&l->down);
	event_free(l->timer);
	free(l);
}

static void
link_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct link *l = arg;
	char a[NETADDR_STRLEN];

	(void)fd;
	(void)what;
	if (l->state != ST_CLOSING)
		log_info("wan", "%s: no request within %d ms; closed",
		    netaddr_format(&l->src, a, sizeof(a)), HANDSHAKE_MS);
	link_free(l);
}

static void
link_flushed_cb(struct bufferevent *bev, void *arg)
{
	struct link *l = arg;

	if (bev == l->closing_to && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		link_free(l);
}

static void link_event_cb(struct bufferevent *bev, short what, void *arg);

/* Stop everything but the flush of TO's output, then free (bounded). */
static void
link_close_after_flush(struct link *l, struct bufferevent *to)
{
	struct timeval tv = { DRAIN_MS / 1000, (DRAIN_MS % 1000) * 1000 };

	l->state = ST_CLOSING;
	l->closing_to = to;
	if (l->up.timer != NULL) {
		evtimer_del(l->up.timer);
		evtimer_del(l->down.timer);
	}
	if (l->cli != NULL)
		bufferevent_disable(l->cli, EV_READ);
	if (l->tgt != NULL)
		bufferevent_disable(l->tgt, EV_READ);
	if (to == NULL || evbuffer_get_length(bufferevent_get_output(to)) == 0) {
		link_free(l);
		return;
	}
	bufferevent_setwatermark(to, EV_WRITE, 0, 0);
	bufferevent_setcb(to, NULL, link_flushed_cb, link_event_cb, l);
	evtimer_add(l->timer, &tv);
}

/* Answer the client with REP and close. */
static void
link_refuse(struct link *l, uint8_t rep, const char *why)
{
	char a[NETADDR_STRLEN];
	struct wbuf w;

	stats.refused++;
	log_info("wan", "%s (%s): refused with reply %u: %s", netaddr_format(&l->src, a, sizeof(a)),
	    city_name(l->src_city), rep, why);
	wbuf_init(&w);
	socks5_encode_reply(&w, rep, NULL);
	bufferevent_write(l->cli, w.data, w.len);
	wbuf_free(&w);
	link_close_after_flush(l, l->cli);
}

/* The target took the connection: reply after one round trip, relay. */
static void
link_start_relay(struct link *l)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct netaddr bnd;
	struct evbuffer *reply = evbuffer_new();
	struct wbuf w;
	char a[NETADDR_STRLEN], b[NETADDR_STRLEN];

	l->state = ST_RELAY;
	evtimer_del(l->timer);
	l->up.from = l->cli;
	l->up.to = l->tgt;
	l->down.from = l->tgt;
	l->down.to = l->cli;
	if (getsockname(bufferevent_getfd(l->tgt), (struct sockaddr *)&ss, &sl) != 0 ||
	    netaddr_from_sockaddr(&bnd, (struct sockaddr *)&ss) != 0)
		memset(&bnd, 0, sizeof(bnd));
	wbuf_init(&w);
	socks5_encode_reply(&w, SOCKS5_REP_OK, &bnd);
	evbuffer_add(reply, w.data, w.len);
	/* Down's one way plus the way up: a TCP connect's round trip. */
	pipe_push(&l->down, reply, w.len, false, l->up.oneway_us);
	wbuf_free(&w);
	evbuffer_free(reply);
	log_info("wan", "%s (%s) -> %s%s%s (%s): one way %.1f ms, jitter %.1f ms",
	    netaddr_format(&l->src, a, sizeof(a)), city_name(l->src_city),
	    l->name[0] != '\0' ? l->name : "", l->name[0] != '\0' ? " = " : "",
	    netaddr_format(&l->dst, b, sizeof(b)), city_name(l->dst_city),
	    (double)l->up.oneway_us / 1000.0, (double)l->up.jitter_us / 1000.0);
	bufferevent_enable(l->tgt, EV_READ | EV_WRITE);
	bufferevent_enable(l->cli, EV_READ | EV_WRITE);
	/* Bytes the client sent behind its request. */
	pipe_read(&l->up);
}

/* Connect to the target from the client's own address. */
static void
link_connect(struct link *l)
{
	struct sockaddr_storage ss;
	struct netaddr local = l->src;
	socklen_t sl;
	evutil_socket_t fd;

	local.port = 0;
	sl = netaddr_to_sockaddr(&local, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd != -1 && (netaddr_is_ipv4(&local) != netaddr_is_ipv4(&l->dst) ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0)) {
		/* Not a local address (or another family): any source. */
		close(fd);
		fd = -1;
	}
	if (fd != -1)
		nodelay(fd);
	l->tgt = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(l->tgt, NULL, NULL, link_event_cb, l);
	bufferevent_setwatermark(l->tgt, EV_READ, 0, READ_CHUNK);
	l->state = ST_CONNECTING;
	sl = netaddr_to_sockaddr(&l->dst, &ss);
	if (bufferevent_socket_connect(l->tgt, (struct sockaddr *)&ss, (int)sl) != 0)
		link_refuse(l, SOCKS5_REP_FAILURE, strerror(errno));
}

/* Send a two-byte answer; a refusal then closes the link (false). */
static bool
link_answer(struct link *l, uint8_t v0, uint8_t v1, bool refusal)
{
	uint8_t out[2] = { v0, v1 };

	bufferevent_write(l->cli, out, 2);
	if (!refusal)
		return true;
	stats.refused++;
	link_close_after_flush(l, l->cli);
	return false;
}

/* The client's CONNECT request R. */
static void
link_request(struct link *l, const struct socks5_request *r)
{
	if (r->cmd != SOCKS5_CMD_CONNECT) {
		link_refuse(l, SOCKS5_REP_CMD_UNSUPPORTED, "not CONNECT");
		return;
	}
	if (r->atyp == SOCKS5_ATYP_DOMAIN) {
		str_sanitize(r->host, strlen(r->host), l->name, sizeof(l->name));
		if (resolve(r->host, r->addr.port, &l->dst) != 0) {
			link_refuse(l, SOCKS5_REP_HOST_UNREACH, "unknown name");
			return;
		}
	} else {
		l->dst = r->addr;
	}
	l->dst_city = city_of(&l->dst);
	pipe_init(&l->up, l, l->src_city, l->dst_city);
	pipe_init(&l->down, l, l->dst_city, l->src_city);
	if (opt_refuse != 0) {
		link_refuse(l, (uint8_t)opt_refuse, "--refuse");
		return;
	}
	/* Hold the client's further bytes until the target is up. */
	bufferevent_disable(l->cli, EV_READ);
	link_connect(l);
}

/* The SOCKS5 conversation, from whatever the client has sent. */
static void
link_handshake(struct link *l)
{
	struct evbuffer *in = bufferevent_get_input(l->cli);
	char user[SOCKS5_MAX_FIELD + 1], pass[SOCKS5_MAX_FIELD + 1];
	struct socks5_request r;
	enum socks5_status st;
	size_t len, used;
	const uint8_t *p;
	uint8_t rep = SOCKS5_REP_FAILURE, method;
	bool none, userpass, ok;

	while (l->state <= ST_REQUEST && (len = evbuffer_get_length(in)) > 0) {
		if (len > SOCKS5_MAX_MSG * 2)
			len = SOCKS5_MAX_MSG * 2;	/* any message fits */
		p = evbuffer_pullup(in, (ev_ssize_t)len);
		if (l->state == ST_GREETING)
			st = socks5_parse_greeting(p, len, &used, &none, &userpass);
		else if (l->state == ST_AUTH)
			st = socks5_parse_auth(p, len, &used, user, pass);
		else
			st = socks5_parse_request(p, len, &used, &r, &rep);
		if (st == SOCKS5_MORE)
			return;
		if (st == SOCKS5_FAILED) {
			if (l->state == ST_REQUEST)
				link_refuse(l, rep, "malformed request");
			else
				link_free(l);
			return;
		}
		evbuffer_drain(in, used);
		switch (l->state) {
		case ST_GREETING:
			method = opt_user != NULL ? (userpass ? SOCKS5_METHOD_USERPASS :
			    SOCKS5_METHOD_REFUSED) : none ? SOCKS5_METHOD_NONE : SOCKS5_METHOD_REFUSED;
			if (!link_answer(l, SOCKS5_VERSION, method, method == SOCKS5_METHOD_REFUSED))
				return;
			l->state = opt_user != NULL ? ST_AUTH : ST_REQUEST;
			break;
		case ST_AUTH:
			ok = strcmp(user, opt_user) == 0 && strcmp(pass, opt_pass) == 0;
			if (!link_answer(l, SOCKS5_AUTH_VERSION, ok ? 0 : 1, !ok))
				return;
			l->state = ST_REQUEST;
			break;
		default:
			link_request(l, &r);
			return;
		}
	}
}

static void
link_read_cb(struct bufferevent *bev, void *arg)
{
	struct link *l = arg;

	if (l->state <= ST_REQUEST)
		link_handshake(l);
	else if (l->state == ST_RELAY)
		pipe_read(bev == l->cli ? &l->up : &l->down);
}

/* The receiver of a pipe took some output: maybe resume its sender. */
static void
link_write_cb(struct bufferevent *bev, void *arg)
{
	struct link *l = arg;

	if (l->state == ST_RELAY)
		pipe_pressure(bev == l->cli ? &l->down : &l->up);
}

static void
link_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct link *l = arg;
	int e = EVUTIL_SOCKET_ERROR();

	if (bev == l->tgt && l->state == ST_CONNECTING) {
		if (what & BEV_EVENT_CONNECTED) {
			nodelay(bufferevent_getfd(l->tgt));
			bufferevent_setcb(l->tgt, link_read_cb, link_write_cb, link_event_cb, l);
			bufferevent_setwatermark(l->tgt, EV_WRITE, opt_buffer / 2, 0);
			link_start_relay(l);
			return;
		}
		link_refuse(l, e == ECONNREFUSED ? SOCKS5_REP_REFUSED : e == ENETUNREACH ?
		    SOCKS5_REP_NET_UNREACH : e == EHOSTUNREACH ? SOCKS5_REP_HOST_UNREACH :
		    SOCKS5_REP_FAILURE, strerror(e));
		return;
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if (l->state == ST_RELAY && (what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
		/* The sender closed: what it sent still arrives, then the
		 * close, one way later. */
		struct pipe *p = bev == l->cli ? &l->up : &l->down;

		pipe_read(p);
		if (p->n == MARKS) {
			link_free(l);
			return;
		}
		p->paused = true;
		bufferevent_disable(bev, EV_READ);
		pipe_push(p, p->line, 0, true, 0);
		return;
	}
	link_free(l);
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	struct timeval tv = { HANDSHAKE_MS / 1000, 0 };
	struct link *l;

	(void)lis;
	(void)salen;
	(void)arg;
	if (nlinks >= opt_max_links) {
		log_warn("wan", "%d links: refusing more", nlinks);
		close(fd);
		return;
	}
	l = xcalloc(1, sizeof(*l));
	if (netaddr_from_sockaddr(&l->src, sa) != 0) {
		free(l);
		close(fd);
		return;
	}
	TAILQ_INSERT_TAIL(&links, l, entry);
	nlinks++;
	stats.links++;
	l->src_city = city_of(&l->src);
	l->dst_city = -1;
	l->timer = evtimer_new(base, link_timer_cb, l);
	evtimer_add(l->timer, &tv);
	evutil_make_socket_nonblocking(fd);
	nodelay(fd);
	l->cli = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(l->cli, link_read_cb, link_write_cb, link_event_cb, l);
	bufferevent_setwatermark(l->cli, EV_READ, 0, READ_CHUNK);
	bufferevent_setwatermark(l->cli, EV_WRITE, opt_buffer / 2, 0);
	bufferevent_enable(l->cli, EV_READ | EV_WRITE);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

/* --- options ------------------------------------------------------------------ */

static void
usage(void)
{
	fprintf(stderr, "usage: wanproxy [--listen ADDR:PORT] [--geoip FILE] [--matrix FILE]\n"
	    "       [--default-city CITY] [--delay MS] [--jitter MS] [--bandwidth RATE]\n"
	    "       [--buffer BYTES] [--hosts FILE] [--auth USER:PASS] [--refuse CODE]\n"
	    "       [--max-links N] [-v]\n");
	exit(2);
}

/* "12", "12k", "12M": a count of bytes. */
static int
parse_size(const char *s, double *out)
{
	return parse_number(s, true, 1e12, out);
}

/* Warn about pairs of placed cities the matrix leaves out. */
static void
check_matrix(void)
{
	bool placed[MAX_CITIES] = { false };

	if (world.fixed)
		return;
	for (int i = 0; i < world.nnet; i++)
		placed[world.net[i].city] = true;
	if (world.default_city >= 0)
		placed[world.default_city] = true;
	for (int a = 0; a < world.ncity; a++)
		for (int b = a; b < world.ncity; b++)
			if (placed[a] && placed[b] && !world.have[a][b])
				log_warn("wan", "no RTT for %s - %s: no delay between them",
				    world.city[a], world.city[b]);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", 1, NULL, 'l' }, { "geoip", 1, NULL, 'g' }, { "matrix", 1, NULL, 'm' },
		{ "default-city", 1, NULL, 'c' }, { "delay", 1, NULL, 'd' },
		{ "jitter", 1, NULL, 'j' }, { "bandwidth", 1, NULL, 'b' },
		{ "buffer", 1, NULL, 'B' }, { "hosts", 1, NULL, 'H' }, { "auth", 1, NULL, 'a' },
		{ "refuse", 1, NULL, 'r' }, { "max-links", 1, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_at = "127.0.0.1:1080", *geoip = NULL, *matrix = NULL, *dflt = NULL;
	const char *hosts = NULL;
	struct event_config *ecfg;
	struct evconnlistener *lis;
	struct event *sigint, *sigterm;
	struct sockaddr_storage ss;
	struct netaddr la;
	struct link *l;
	double v;
	long long n;
	char *colon, a[NETADDR_STRLEN];
	int c;

	log_set_level(LOGL_WARN);
	while ((c = getopt_long(argc, argv, "v", lo, NULL)) != -1) {
		switch (c) {
		case 'l': listen_at = optarg; break;
		case 'g': geoip = optarg; break;
		case 'm': matrix = optarg; break;
		case 'c': dflt = optarg; break;
		case 'H': hosts = optarg; break;
		case 'd':
			if (parse_ms(optarg, &world.fixed_oneway_us) != 0)
				usage();
			world.fixed = true;
			break;
		case 'j':
			if (parse_ms(optarg, &world.default_jitter_us) != 0)
				usage();
			break;
		case 'b':
			if (parse_size(optarg, &opt_bandwidth) != 0)
				usage();
			break;
		case 'B':
			if (parse_size(optarg, &v) != 0 || v < 1024 || v > 1e9)
				usage();
			opt_buffer = (size_t)v;
			break;
		case 'a':
			if ((colon = strchr(optarg, ':')) == NULL || colon == optarg ||
			    colon[1] == '\0')
				usage();
			opt_user = xstrndup(optarg, (size_t)(colon - optarg));
			opt_pass = xstrdup(colon + 1);
			break;
		case 'r':
			if (str_to_ll(optarg, 1, 255, &n) != 0)
				usage();
			opt_refuse = (int)n;
			break;
		case 'n':
			if (str_to_ll(optarg, 1, 1000000, &n) != 0)
				usage();
			opt_max_links = (int)n;
			break;
		case 'v': log_set_level(LOGL_INFO); break;
		default: usage();
		}
	}
	if (optind != argc || netaddr_parse(listen_at, 1080, &la) != 0)
		usage();
	if (hash_init() != 0)
		return 2;
	if (geoip != NULL)
		read_lines(geoip, geoip_line);
	if (matrix != NULL)
		read_lines(matrix, matrix_line);
	if (hosts != NULL)
		read_lines(hosts, hosts_line);
	if (dflt != NULL && (world.default_city = city_index(dflt, true)) < 0)
		usage();
	check_matrix();

	ecfg = event_config_new();
	event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (base == NULL)
		return 2;
	c = (int)netaddr_to_sockaddr(&la, &ss);
	lis = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 128, (struct sockaddr *)&ss, c);
	if (lis == NULL) {
		fprintf(stderr, "wanproxy: cannot listen on %s: %s\n", listen_at,
		    strerror(errno));
		return 2;
	}
	sigint = evsignal_new(base, SIGINT, signal_cb, NULL);
	sigterm = evsignal_new(base, SIGTERM, signal_cb, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* The line tests and scripts wait for. */
	printf("wanproxy listening on %s: %d cities, %d networks, %s\n",
	    netaddr_format(&la, a, sizeof(a)), world.ncity, world.nnet,
	    world.fixed ? "fixed delay" : matrix != NULL ? "city matrix" : "no delay");
	fflush(stdout);

	event_base_dispatch(base);

	log_info("wan", "links %llu, refused %llu, bytes up %llu down %llu, most buffered %zu, "
	    "back-pressure %llu", (unsigned long long)stats.links,
	    (unsigned long long)stats.refused, (unsigned long long)stats.bytes_up,
	    (unsigned long long)stats.bytes_down, stats.max_buffered,
	    (unsigned long long)stats.backpressure);
	while ((l = TAILQ_FIRST(&links)) != NULL)
		link_free(l);
	evconnlistener_free(lis);
	event_free(sigint);
	event_free(sigterm);
	event_base_free(base);
	for (int i = 0; i < world.ncity; i++)
		free(world.city[i]);
	for (int i = 0; i < world.nhosts; i++)
		free(world.hosts[i].name);
	free(opt_user);
	free(opt_pass);
	return 0;
}
