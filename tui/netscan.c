/* netscan.c -- the whole-network summary read from the crawler's database, off the UI thread.
 *
 * The worker owns its job (a copy of the path, a dup of the socket's
 * sending end) and its result until the send succeeds; if the console has
 * gone meanwhile the send fails with EPIPE (MSG_NOSIGNAL: no SIGPIPE, even
 * where the program has not ignored it) and the worker frees the result
 * itself. */
#include "netscan.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crawldb.h"
#include "goodnode.h"
#include "hash.h"
#include "health.h"
#include "netaddr.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

/* --- counting distinct strings ------------------------------------------ */

struct counter_slot {
	char		*key;
	long long	 n;
};

struct counter {
	struct counter_slot	*slots;
	size_t			 cap, n;
	uint8_t			 k[HASH_SIPHASH_KEYLEN];
};

static void
counter_init(struct counter *c)
{
	c->cap = 64;
	c->n = 0;
	c->slots = xcalloc(c->cap, sizeof(*c->slots));
	rnd_bytes(c->k, sizeof(c->k));
}

static void
counter_free(struct counter *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->slots[i].key);
	free(c->slots);
}

static struct counter_slot *
counter_find(struct counter_slot *slots, size_t cap, const uint8_t *k, const char *key)
{
	size_t h = (size_t)hash_siphash(k, key, strlen(key)) & (cap - 1);

	while (slots[h].key != NULL && strcmp(slots[h].key, key) != 0)
		h = (h + 1) & (cap - 1);
	return &slots[h];
}

static void
counter_add(struct counter *c, const char *key)
{
	struct counter_slot *s;

	if (c->n * 2 >= c->cap) {
		struct counter_slot *old = c->slots;
		size_t oldcap = c->cap;

		c->cap *= 2;
		c->slots = xcalloc(c->cap, sizeof(*c->slots));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key != NULL)
				*counter_find(c->slots, c->cap, c->k, old[i].key) = old[i];
		free(old);
	}
	s = counter_find(c->slots, c->cap, c->k, key);
	if (s->key == NULL) {
		s->key = xstrdup(key);
		c->n++;
	}
	s->n++;
}

static int
cmp_kv(const void *a, const void *b)
{
	const struct netscan_kv *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The NETSCAN_TOP largest counts, largest first; returns how many. */
static size_t
counter_top(const struct counter *c, struct netscan_kv *out, size_t *distinct)
{
	struct netscan_kv *all = xcalloc(c->n > 0 ? c->n : 1, sizeof(*all));
	size_t n = 0, keep;

	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].key != NULL) {
			str_copy(all[n].key, c->slots[i].key, sizeof(all[n].key));
			all[n].n = c->slots[i].n;
			n++;
		}
	qsort(all, n, sizeof(*all), cmp_kv);
	keep = n < NETSCAN_TOP ? n : NETSCAN_TOP;
	memcpy(out, all, keep * sizeof(*all));
	free(all);
	*distinct = n;
	return keep;
}

/* --- one scan ------------------------------------------------------------ */

struct scan_acc {
	struct netscan_sum	*s;
	int64_t		 now;
	struct counter	 versions, heights, countries, asns;
	struct health_net *health;	/* NetworkHealth: health.h's one definition */
	size_t		 pcap;
};

static int
scan_row(const struct crawldb_node *n, void *arg)
{
	struct scan_acc *a = arg;
	struct netscan_sum *s = a->s;
	char key[128];
	bool reachable = goodnode_reachable(n);

	health_net_add(a->health, n);
	s->total++;
	if (n->good)
		s->good++;
	if (n->attempts == 0)
		s->never_tried++;
	if (n->banned_until > a->now)
		s->banned++;
	if (n->version > 0) {
		str_copy(key, n->user_agent[0] ? n->user_agent : "(no agent)", sizeof(key));
		counter_add(&a->versions, key);
	}
	if (reachable) {
		s->reachable++;
		snprintf(key, sizeof(key), "%d", (int)n->height);
		counter_add(&a->heights, key);
		if (n->height > s->max_height)
			s->max_height = n->height;
	}
	counter_add(&a->countries, n->country[0] ? n->country : "??");
	if (n->asn != 0) {
		snprintf(key, sizeof(key), "AS%u %s", n->asn, n->as_org);
		counter_add(&a->asns, key);
	}
	if (n->has_location && isfinite(n->latitude) && isfinite(n->longitude)) {
		s->located++;
		if (s->npoints < NETSCAN_MAX_POINTS) {
			if (s->npoints == a->pcap) {
				a->pcap = a->pcap ? a->pcap * 2 : 1024;
				s->points = xreallocarray(s->points, a->pcap, sizeof(*s->points));
			}
			s->points[s->npoints++] = (struct netscan_point){ (float)n->latitude,
			    (float)n->longitude, n->good };
		}
	}
	return 0;
}

struct netscan_sum *
netscan_read_sum(const char *path, const char *network, int64_t now)
{
	struct netscan_sum *s = xcalloc(1, sizeof(*s));
	struct scan_acc a;
	struct crawldb *db;
	struct health_input hi;
	struct timespec t0, t1;
	char err[256];
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	s->taken = now;
	s->avg_handshake_ms = -1;
	str_copy(s->network, network != NULL ? network : "", sizeof(s->network));
	db = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	if (db == NULL) {
		str_copy(s->err, err, sizeof(s->err));
		return s;
	}
	memset(&a, 0, sizeof(a));
	a.s = s;
	a.now = now;
	counter_init(&a.versions);
	counter_init(&a.heights);
	counter_init(&a.countries);
	counter_init(&a.asns);
	a.health = health_net_new();
	rc = crawldb_foreach(db, network != NULL && network[0] ? network : NULL, 0, now, scan_row,
	    &a, err, sizeof(err));
	crawldb_close(db);
	if (rc == -1) {
		str_errf(s->err, sizeof(s->err), "%s: %s", path, err);
	} else {
		s->ok = true;
		s->nversions = counter_top(&a.versions, s->versions, &s->dversions);
		s->nheights = counter_top(&a.heights, s->heights, &s->dheights);
		s->ncountries = counter_top(&a.countries, s->countries, &s->dcountries);
		s->nasns = counter_top(&a.asns, s->asns, &s->dasns);
		s->health = health_net_score(a.health, &hi);
		s->netgroups = hi.netgroups;
		s->avg_handshake_ms = hi.avg_latency_ms;
		s->reliability_1d = hi.reliability;
	}
	counter_free(&a.versions);
	counter_free(&a.heights);
	counter_free(&a.countries);
	counter_free(&a.asns);
	health_net_free(a.health);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->took_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	return s;
}

void
netscan_sum_free(struct netscan_sum *s)
{
	if (s == NULL)
		return;
	free(s->points);
	free(s);
}

/* --- the worker ---------------------------------------------------------- */

struct netscan {
	struct event_base	*base;
	char			*path;
	char			*network;
	int			 rfd, wfd;
	struct event		*ev;
	bool			 busy;
	struct netscan_sum		*result;
	struct chart_series	 health, reachable;
	netscan_cb		 cb;
	void			*arg;
};

struct netscan_job {
	char	*path;
	char	*network;
	int64_t	 now;
	int	 fd;
};

static void *
netscan_worker(void *arg)
{
	struct netscan_job *j = arg;
	struct netscan_sum *s = netscan_read_sum(j->path, j->network, j->now);
	ssize_t n;

	do {
		n = send(j->fd, &s, sizeof(s), MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(s))
		netscan_sum_free(s);		/* nobody is listening any more */
	close(j->fd);
	free(j->path);
	free(j->network);
	free(j);
	return NULL;
}

static void
netscan_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct netscan *ns = arg;
	struct netscan_sum *s;
	ssize_t n;

	(void)what;
	n = recv(fd, &s, sizeof(s), 0);
	if (n != (ssize_t)sizeof(s))
		return;
	ns->busy = false;
	if (s->ok) {
		chart_series_push(&ns->health, s->health);
		chart_series_push(&ns->reachable, (double)s->reachable);
	}
	netscan_sum_free(ns->result);
	ns->result = s;
	if (ns->cb != NULL)
		ns->cb(ns->arg);
}

struct netscan *
netscan_new(struct event_base *base, const char *path, const char *network, netscan_cb cb,
    void *arg)
{
	struct netscan *ns = xcalloc(1, sizeof(*ns));
	int fds[2];

	ns->base = base;
	ns->path = xstrdup(path);
	ns->network = xstrdup(network != NULL ? network : "");
	ns->cb = cb;
	ns->arg = arg;
	ns->rfd = ns->wfd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0) {
		ns->rfd = fds[0];
		ns->wfd = fds[1];
		ns->ev = event_new(base, ns->rfd, EV_READ | EV_PERSIST, netscan_read_cb, ns);
		event_add(ns->ev, NULL);
	}
	return ns;
}

void
netscan_free(struct netscan *ns)
{
	if (ns == NULL)
		return;
	if (ns->ev != NULL)
		event_free(ns->ev);
	if (ns->rfd != -1)
		close(ns->rfd);
	if (ns->wfd != -1)
		close(ns->wfd);
	netscan_sum_free(ns->result);
	free(ns->path);
	free(ns->network);
	free(ns);
}

int
netscan_start(struct netscan *ns)
{
	struct netscan_job *j;
	pthread_attr_t attr;
	pthread_t t;
	int fd;

	if (ns->busy || ns->wfd == -1)
		return -1;
	if ((fd = fcntl(ns->wfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return -1;
	j = xcalloc(1, sizeof(*j));
	j->path = xstrdup(ns->path);
	j->network = xstrdup(ns->network);
	j->now = (int64_t)time(NULL);
	j->fd = fd;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, netscan_worker, j) != 0) {
		pthread_attr_destroy(&attr);
		close(fd);
		free(j->path);
		free(j->network);
		free(j);
		return -1;
	}
	pthread_attr_destroy(&attr);
	ns->busy = true;
	return 0;
}

bool
netscan_busy(const struct netscan *ns)
{
	return ns->busy;
}

const struct netscan_sum *
netscan_result(const struct netscan *ns)
{
	return ns->result;
}

const char *
netscan_path(const struct netscan *ns)
{
	return ns->path;
}

const struct chart_series *
netscan_health_history(const struct netscan *ns)
{
	return &ns->health;
}

const struct chart_series *
netscan_reachable_history(const struct netscan *ns)
{
	return &ns->reachable;
}
