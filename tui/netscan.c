/* netscan.c -- the whole-network summary read from the crawler's database, off the UI thread.
 *
 * A scan is one job for a worker thread (common/worker): the job owns a
 * copy of the path and the summary the thread makes.  The loop takes the
 * summary when the worker is done; if the console stops waiting first
 * (quitting during a long scan), the thread is asked to stop, and frees
 * the job itself when it was abandoned. */
#include "netscan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainparams.h"
#include "clock.h"
#include "crawldb.h"
#include "goodnode.h"
#include "health.h"
#include "map.h"
#include "netaddr.h"
#include "rewards.h"
#include "rewardsdb.h"
#include "strutil.h"
#include "worker.h"
#include "xmalloc.h"

/* How long netscan_free waits for a scan to notice it should stop. */
#define NETSCAN_STOP_MS		1000
/* Rows between looks at whether the scan should stop. */
#define NETSCAN_STOP_ROWS	1024

/* --- counting distinct strings ------------------------------------------ */

/* Keys are copied into the map; each value is a heap count. */
struct counter {
	struct map	*m;
	size_t		 n;	/* distinct keys */
};

static void
counter_init(struct counter *c)
{
	c->m = map_new();
	c->n = 0;
}

static void
counter_free(struct counter *c)
{
	size_t pos = 0;
	void *v;

	while (map_next(c->m, &pos, NULL, NULL, &v))
		free(v);
	map_free(c->m);
}

static void
counter_add(struct counter *c, const char *key)
{
	long long *n = map_get(c->m, key, strlen(key));

	if (n == NULL) {
		n = xcalloc(1, sizeof(*n));
		map_put(c->m, key, strlen(key), n);
		c->n++;
	}
	(*n)++;
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
	struct netscan_kv *all = xcalloc(c->n + 1, sizeof(*all));
	size_t n = 0, keep, pos = 0, len;
	const void *key;
	void *v;

	while (map_next(c->m, &pos, &key, &len, &v)) {
		snprintf(all[n].key, sizeof(all[n].key), "%.*s", (int)len, (const char *)key);
		all[n].n = *(long long *)v;
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
	struct worker	*w;		/* NULL: run to the end */
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

	if (a->w != NULL && s->total % NETSCAN_STOP_ROWS == 0 && worker_stopping(a->w))
		return 1;
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
	if (reachable)
		s->reachable++;
	/* Heights the crawler verified; -1 (nothing proven) is no height. */
	if (reachable && n->height >= 0) {
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

/* The leaderboard of NETWORK ("" or NULL: the first network that has
 * one) into S. */
static void
scan_board(struct crawldb *db, const char *network, struct netscan_sum *s)
{
	struct rewardsdb_rules		 r;
	struct rewards_ledger		 l;
	const struct chainparams	*cp;
	int64_t				 day;
	char				 err[256];
	size_t				 i;
	int				 id;

	rewardsdb_rules_init(&r);
	for (id = 0; id < NET_COUNT; id++) {
		cp = chainparams_get((enum net_id)id);
		if (network != NULL && network[0] != '\0' && strcmp(network, cp->name) != 0)
			continue;
		if (rewards_leaderboard(db, cp, &r, &l, &day, err, sizeof(err)) == -1)
			continue;
		for (i = 0; i < l.nentries && l.entries[i].rewarded; i++) {
			const struct rewards_entry *e = &l.entries[i];
			struct netscan_board_row *b = &s->board[s->nboard];

			s->board_total++;
			if (s->nboard == NETSCAN_BOARD)
				continue;
			str_copy(b->identity, e->identity, sizeof(b->identity));
			b->uptime = e->uptime_score;
			b->storage = e->storage_score;
			b->relay = e->relay_score;
			b->total = e->total_score;
			s->nboard++;
		}
		rewards_ledger_free(&l);
		if (s->board_total > 0) {
			rewardsdb_format_day(day, s->board_day, sizeof(s->board_day));
			str_copy(s->board_network, cp->name, sizeof(s->board_network));
			return;
		}
	}
}

/* As netscan_read_sum; W (may be NULL) is the worker, whose stop request
 * ends the scan early with ok false. */
static struct netscan_sum *
netscan_scan(const char *path, const char *network, int64_t now, struct worker *w)
{
	struct netscan_sum *s = xcalloc(1, sizeof(*s));
	struct scan_acc a;
	struct crawldb *db;
	struct health_input hi;
	int64_t t0 = clock_mono_us();
	char err[256];
	int rc;

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
	a.w = w;
	a.now = now;
	counter_init(&a.versions);
	counter_init(&a.heights);
	counter_init(&a.countries);
	counter_init(&a.asns);
	a.health = health_net_new();
	rc = crawldb_foreach(db, network != NULL && network[0] ? network : NULL, 0, now, scan_row,
	    &a, err, sizeof(err));
	if (rc == 0)
		scan_board(db, network, s);
	crawldb_close(db);
	if (rc == -1) {
		str_errf(s->err, sizeof(s->err), "%s: %s", path, err);
	} else if (rc != 0) {
		str_errf(s->err, sizeof(s->err), "%s: scan stopped", path);
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
	s->took_ms = (double)(clock_mono_us() - t0) / 1e3;
	return s;
}

struct netscan_sum *
netscan_read_sum(const char *path, const char *network, int64_t now)
{
	return netscan_scan(path, network, now, NULL);
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
	struct worker		*worker;	/* the scan running, or NULL */
	struct netscan_job	*job;		/* its job */
	struct netscan_sum	*result;
	struct chart_series	 health, reachable;
	netscan_cb		 cb;
	void			*arg;
};

/* Everything the thread touches; the loop reads SUM only after the
 * thread is done. */
struct netscan_job {
	struct netscan		*ns;		/* the loop's; never used on the thread */
	char			*path;
	char			*network;
	int64_t			 now;
	struct netscan_sum	*sum;
};

static void
netscan_job_free(struct netscan_job *j)
{
	netscan_sum_free(j->sum);
	free(j->path);
	free(j->network);
	free(j);
}

static void
netscan_work(struct worker *w, void *arg)
{
	struct netscan_job *j = arg;

	j->sum = netscan_scan(j->path, j->network, j->now, w);
}

/* On the loop: the scan is over; take its summary. */
static void
netscan_done(void *arg)
{
	struct netscan_job *j = arg;
	struct netscan *ns = j->ns;
	struct netscan_sum *s = j->sum;

	j->sum = NULL;
	worker_free(ns->worker, 0);
	netscan_job_free(j);
	ns->worker = NULL;
	ns->job = NULL;
	if (s->ok) {
		chart_series_push(&ns->health, s->health);
		chart_series_push(&ns->reachable, (double)s->reachable);
	}
	netscan_sum_free(ns->result);
	ns->result = s;
	if (ns->cb != NULL)
		ns->cb(ns->arg);
}

/* On the thread, after the loop stopped waiting for it. */
static void
netscan_abandon(void *arg)
{
	netscan_job_free(arg);
}

static const struct worker_cb netscan_worker_cb = {
	.work = netscan_work,
	.done = netscan_done,
	.abandon = netscan_abandon,
};

struct netscan *
netscan_new(struct event_base *base, const char *path, const char *network, netscan_cb cb,
    void *arg)
{
	struct netscan *ns = xcalloc(1, sizeof(*ns));

	ns->base = base;
	ns->path = xstrdup(path);
	ns->network = xstrdup(network != NULL ? network : "");
	ns->cb = cb;
	ns->arg = arg;
	return ns;
}

void
netscan_free(struct netscan *ns)
{
	if (ns == NULL)
		return;
	/* Past the wait the thread is abandoned and frees the job itself. */
	if (ns->worker != NULL && worker_free(ns->worker, NETSCAN_STOP_MS))
		netscan_job_free(ns->job);
	netscan_sum_free(ns->result);
	free(ns->path);
	free(ns->network);
	free(ns);
}

int
netscan_start(struct netscan *ns)
{
	struct netscan_job *j;

	if (ns->worker != NULL)
		return -1;
	j = xcalloc(1, sizeof(*j));
	j->ns = ns;
	j->path = xstrdup(ns->path);
	j->network = xstrdup(ns->network);
	j->now = clock_wall();
	if ((ns->worker = worker_start(ns->base, "agentconsole", &netscan_worker_cb, j)) == NULL) {
		netscan_job_free(j);
		return -1;
	}
	ns->job = j;
	return 0;
}

bool
netscan_busy(const struct netscan *ns)
{
	return ns->worker != NULL;
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
