/* crawl.c -- the crawl engine: bounded concurrent probes on one event loop, scheduling, batched storing.
 *
 * Every known address lives in the node table; a heap orders them by the
 * time they are due.  The pump starts probes while fewer than
 * `concurrency` run, each probe reports once, and its result updates the
 * record, the reliability windows and the heap.  Changed records are
 * written in one transaction per flush period, so a kill -9 loses at most
 * that period.  With --once every address gets exactly one probe in this
 * pass; an interrupted pass is resumed where it stopped. */
#include "crawl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "conn.h"
#include "crawldb.h"
#include "geoip.h"
#include "goodnode.h"
#include "idprobe.h"
#include "headerchain.h"
#include "log.h"
#include "nodetable.h"
#include "observer.h"
#include "probe.h"
#include "proc.h"
#include "resolver.h"
#include "rnd.h"
#include "schedule.h"
#include "strutil.h"
#include "version.h"
#include "xmalloc.h"

#define USER_AGENT	"/agentcrawl:" AGENTCHAIN_VERSION "/"
#define TICK_MS		200
#define FLUSH_NOW_DIRTY	4096	/* flush early when this many rows wait */
#define ADDR_GRACE_MS	500
#define ADDR_MAX_AGE	(7 * 86400)	/* bitcoin-seeder keeps entries < 7 d */
#define FD_RESERVE	64	/* descriptors kept for the DB, logs, DNS */
#define PROXY_PAUSE_MS	1000	/* no new probes this long after the proxy failed */
#define PROXY_GIVE_UP	5	/* --once: failed pauses in a row that end the pass */

#define NERRORS		10	/* error_names */

/* Counters of one run, for the summary and the progress line. */
struct crawl_counts {
	uint64_t	probes;
	uint64_t	reachable;
	uint64_t	failed;
	uint64_t	hostile;
	uint64_t	discovered;	/* probes that completed an addr window */
	uint64_t	learned;	/* addresses received (after filtering) */
	uint64_t	new_addrs;	/* of which new to us */
	uint64_t	dropped_full;	/* new ones not kept: table full */
	uint64_t	forgotten;
	uint64_t	local_errors;	/* probes we could not start */
	uint64_t	by_error[NERRORS];
};

static const char *const error_names[NERRORS] = {
	CRAWLDB_ERR_REFUSED, CRAWLDB_ERR_UNREACH, CRAWLDB_ERR_TIMEOUT,
	CRAWLDB_ERR_HANDSHAKE, CRAWLDB_ERR_OLDVERSION, CRAWLDB_ERR_BANNED,
	CRAWLDB_ERR_PROTOCOL, CRAWLDB_ERR_ADDRFLOOD, CRAWLDB_ERR_SELF,
	CRAWLDB_ERR_BADCHAIN,
};

/* A storage challenge's row, waiting for the next flush. */
struct storage_row {
	struct netaddr	addr;
	int64_t		ts;
	int32_t		height;
	const char	*result;	/* static STORAGECHECK_* string */
};

struct active {
	struct crawl		*cr;
	struct cnode		*node;		/* NULL: a seed probed by name */
	char			*seed;		/* that seed's name */
	struct probe		*probe;
	TAILQ_ENTRY(active)	 entry;
};
TAILQ_HEAD(active_list, active);

struct crawl {
	const struct crawl_options	*o;
	struct proc			*proc;
	struct event_base		*base;		/* proc's */
	struct goodnode_policy		 policy;
	struct sched_params		 sched;
	struct probe_config		 pcfg;
	struct crawldb			*db;
	struct headerchain		*chain;
	struct storage_row		*storage;	/* unflushed storage checks */
	size_t				 nstorage, capstorage;
	struct nodetable		*table;
	struct geoip			*geoip;
	struct resolver			*resolver;
	struct conn_proxy		*proxy;
	int64_t				 paused_until;	/* monotonic ms: the proxy failed */
	unsigned			 proxy_failures;	/* in a row */
	struct progress			*progress;
	struct observer			*observer;	/* crawler.rewards, or NULL */
	struct observer_config		 ocfg;
	struct proc_task		*t_tick;	/* pumps; pump_soon pulls it in */
	struct active_list		 active;
	size_t				 inflight, max_inflight, concurrency;
	size_t				 max_inflight_stored;
	size_t				 good;
	struct crawl_counts		 n;
	int64_t				 pass_started;
	double				 t0;
	double				 tokens, tokens_t;
	bool				 stopping;
	bool				 seeds_done;
	bool				 fd_warned;
	int				 rc;
	int				 lockfd;
};

static double
mono_s(void)
{
	return (double)clock_mono_us() / 1e6;
}

void
crawl_options_init(struct crawl_options *o, const struct chainparams *params)
{
	memset(o, 0, sizeof(*o));
	o->params = params;
	o->concurrency = 256;
	if (params->id == NET_REGTEST) {
		/* Loopback networks answer in microseconds. */
		o->connect_timeout_ms = 2000;
		o->handshake_timeout_ms = 3000;
		o->addr_window_ms = 2000;
	} else {
		o->connect_timeout_ms = 5000;	/* bitnodes, bitcoin-seeder */
		o->handshake_timeout_ms = 10000;
		o->addr_window_ms = 10000;
	}
	o->max_nodes = 200000;
	o->min_height = -1;
	o->flush_ms = 1000;
	o->progress = PROGRESS_AUTO;
	o->progress_interval = 10;
}

/* --- storing ------------------------------------------------------------------ */

static int
put_header(const struct headerchain_entry *e, void *arg)
{
	struct crawl	*cr = arg;
	uint8_t		 raw[BLOCK_HEADER_SIZE];
	char		 err[512];

	block_header_encode(&e->header, raw);
	if (crawldb_header_put(cr->db, cr->o->params->name, e->hash, e->height, raw, err,
	    sizeof(err)) == -1) {
		log_error("crawl", "cannot store headers: %s", err);
		return -1;
	}
	return 0;
}

/* The new headers of the crawler's chain and the storage checks, in one
 * transaction. */
static int
flush_chain(struct crawl *cr)
{
	char	err[512];
	size_t	i;

	if (cr->chain == NULL)
		return 0;
	if (crawldb_begin(cr->db, err, sizeof(err)) == -1) {
		log_error("crawl", "cannot store: %s", err);
		return -1;
	}
	if (headerchain_drain_new(cr->chain, put_header, cr) == -1) {
		crawldb_commit(cr->db, NULL, 0);
		return -1;
	}
	for (i = 0; i < cr->nstorage; i++) {
		const struct storage_row *r = &cr->storage[i];

		if (crawldb_storage_check_add(cr->db, cr->o->params->name, &r->addr, r->ts,
		    r->height, r->result, err, sizeof(err)) == -1) {
			log_error("crawl", "cannot store: %s", err);
			crawldb_commit(cr->db, NULL, 0);
			return -1;
		}
	}
	cr->nstorage = 0;
	return 0;
}

static void
storage_push(struct crawl *cr, const struct netaddr *a, int64_t ts, const struct probe_result *r)
{
	if (cr->nstorage == cr->capstorage) {
		cr->capstorage = cr->capstorage ? cr->capstorage * 2 : 64;
		cr->storage = xreallocarray(cr->storage, cr->capstorage, sizeof(*cr->storage));
	}
	cr->storage[cr->nstorage++] = (struct storage_row){ .addr = *a, .ts = ts,
	    .height = r->storage_height, .result = r->storage_result };
}

static int
load_header(const uint8_t raw[BLOCK_HEADER_SIZE], void *arg)
{
	struct crawl		*cr = arg;
	struct block_header	 h;

	block_header_decode(raw, &h);
	/* Checked again like any header: a file is no more trusted than a
	 * node.  One that no longer fits is dropped. */
	headerchain_add(cr->chain, &h, clock_wall(), NULL, NULL);
	return 0;
}

/* The crawler's header chain as stored; what it loaded needs no write. */
static int
load_chain(struct crawl *cr)
{
	char	err[512];
	int	rc;

	cr->chain = headerchain_new(cr->o->params);
	rc = crawldb_headers_foreach(cr->db, cr->o->params->name, load_header, cr, err,
	    sizeof(err));
	if (rc == -1) {
		log_error("crawl", "%s", err);
		return -1;
	}
	headerchain_drain_new(cr->chain, NULL, NULL);
	log_info("crawl", "header chain: %zu headers, best height %" PRId32,
	    headerchain_count(cr->chain), headerchain_tip(cr->chain)->height);
	return 0;
}

static void
flush(struct crawl *cr)
{
	char	err[512], val[32];
	long	w;

	if (flush_chain(cr) == -1)
		return;
	w = nodetable_flush(cr->table, cr->db, err, sizeof(err));
	if (w == -1) {
		log_error("crawl", "cannot store: %s", err);
		return;
	}
	if (cr->max_inflight != cr->max_inflight_stored) {
		snprintf(val, sizeof(val), "%zu", cr->max_inflight);
		if (crawldb_meta_set(cr->db, "crawl.max_inflight", val, err,
		    sizeof(err)) == -1)
			log_error("crawl", "cannot store: %s", err);
		else
			cr->max_inflight_stored = cr->max_inflight;
	}
	if (w > 0)
		log_debug("crawl", "stored %ld rows", w);
}

static void
meta_set_int(struct crawl *cr, const char *key, long long v)
{
	char	k[64], val[32], err[512];

	snprintf(k, sizeof(k), "%s.%s", key, cr->o->params->name);
	snprintf(val, sizeof(val), "%lld", v);
	if (crawldb_meta_set(cr->db, k, val, err, sizeof(err)) == -1)
		log_error("crawl", "cannot store: %s", err);
}

static long long
meta_get_int(struct crawl *cr, const char *key)
{
	char		k[64], val[32], err[512];
	long long	v;

	snprintf(k, sizeof(k), "%s.%s", key, cr->o->params->name);
	if (crawldb_meta_get(cr->db, k, val, sizeof(val), err, sizeof(err)) != 1 ||
	    str_to_ll(val, 0, INT64_MAX, &v) == -1)
		return 0;
	return v;
}

/* --- scheduling and the pump -------------------------------------------------- */

static void
update_good(struct crawl *cr, struct cnode *n, int64_t now)
{
	bool	g;

	g = goodnode_is_good_policy(&n->rec, &cr->policy, now, NULL);
	if (g && !n->rec.good)
		cr->good++;
	else if (!g && n->rec.good)
		cr->good--;
	n->rec.good = g;
}

static void
requeue(struct crawl *cr, struct cnode *n)
{
	int64_t	due;

	if (cr->o->once)
		return;
	/* Identity nodes: the rewards observer's dense uptime re-visits. */
	if (cr->observer != NULL && (due = observer_next_visit(cr->observer,
	    &n->rec.addr, goodnode_reachable(&n->rec), n->rec.last_try)) >= 0) {
		nodetable_schedule(cr->table, n, due > n->rec.banned_until ? due :
		    n->rec.banned_until);
		return;
	}
	nodetable_schedule(cr->table, n, schedule_next_due(&cr->sched,
	    &cr->policy, &n->rec, rnd_double()));
}

/* Pump on the next loop iteration (the tick task pumps). */
static void
pump_soon(struct crawl *cr)
{
	if (!cr->stopping)
		proc_task_run_soon(cr->t_tick);
}

static void finish_run(struct crawl *cr);

static void
print_summary(struct crawl *cr)
{
	double	el = mono_s() - cr->t0;
	size_t	i;

	if (cr->o->summary_json) {
		printf("{\"network\":\"%s\",\"known\":%zu,\"probes\":%" PRIu64
		    ",\"reachable\":%" PRIu64 ",\"failed\":%" PRIu64
		    ",\"hostile\":%" PRIu64 ",\"good\":%zu,\"new_addresses\":%"
		    PRIu64 ",\"forgotten\":%" PRIu64 ",\"max_inflight\":%zu"
		    ",\"concurrency\":%zu,\"elapsed\":%.3f,\"rate\":%.1f",
		    cr->o->params->name, nodetable_count(cr->table), cr->n.probes,
		    cr->n.reachable, cr->n.failed, cr->n.hostile, cr->good,
		    cr->n.new_addrs, cr->n.forgotten, cr->max_inflight,
		    cr->concurrency, el, el > 0 ? (double)cr->n.probes / el : 0.0);
		printf(",\"errors\":{");
		for (i = 0; i < NERRORS; i++)
			printf("%s\"%s\":%" PRIu64, i ? "," : "", error_names[i],
			    cr->n.by_error[i]);
		printf("}}\n");
	} else {
		printf("network %s: known %zu, probed %" PRIu64 ", reachable %"
		    PRIu64 ", failed %" PRIu64 ", hostile %" PRIu64 ", good %zu\n",
		    cr->o->params->name, nodetable_count(cr->table), cr->n.probes,
		    cr->n.reachable, cr->n.failed, cr->n.hostile, cr->good);
		printf("errors:");
		for (i = 0; i < NERRORS; i++)
			if (cr->n.by_error[i] > 0)
				printf(" %s %" PRIu64, error_names[i],
				    cr->n.by_error[i]);
		printf("%s\n", cr->n.failed == 0 ? " none" : "");
		printf("new addresses %" PRIu64 ", forgotten %" PRIu64
		    ", max in flight %zu of %zu\n", cr->n.new_addrs,
		    cr->n.forgotten, cr->max_inflight, cr->concurrency);
		printf("elapsed %.2f s, %.1f probes/s\n", el,
		    el > 0 ? (double)cr->n.probes / el : 0.0);
	}
	fflush(stdout);
}

static bool
take_token(struct crawl *cr)
{
	double	now, cap;

	if (cr->o->dial_rate <= 0)
		return true;
	now = mono_s();
	cap = cr->o->dial_rate < 1 ? 1 : cr->o->dial_rate;
	cr->tokens += (now - cr->tokens_t) * cr->o->dial_rate;
	if (cr->tokens > cap)
		cr->tokens = cap;
	cr->tokens_t = now;
	if (cr->tokens < 1)
		return false;
	cr->tokens -= 1;
	return true;
}

static void on_probe_done(struct probe *p, const struct probe_result *r,
    void *arg);
static void proxy_outcome(struct crawl *cr, bool failed);

static void
forget(struct crawl *cr, struct cnode *n)
{
	char	err[512], as[NETADDR_STRLEN];

	if (crawldb_delete(cr->db, cr->o->params->name, &n->rec.addr, err,
	    sizeof(err)) == -1) {
		log_error("crawl", "cannot forget: %s", err);
		return;
	}
	log_debug("crawl", "forgot %s",
	    netaddr_format(&n->rec.addr, as, sizeof(as)));
	if (n->rec.good)
		cr->good--;
	nodetable_remove(cr->table, n);
	cr->n.forgotten++;
}

static void
pump(struct crawl *cr)
{
	struct active		*a;
	struct cnode		*n;
	struct probe		*p;
	enum sched_kind		 kind;
	int64_t			 now = clock_wall();
	char			 err[256], as[NETADDR_STRLEN];

	/* While the proxy is failing every probe would fail too, and say
	 * nothing about the nodes: wait. */
	if (cr->paused_until > clock_mono_ms())
		goto out;
	while (!cr->stopping && cr->inflight < cr->concurrency) {
		if ((n = nodetable_peek(cr->table)) == NULL)
			break;
		if (!cr->o->once && n->due > now)
			break;
		if (!take_token(cr))
			break;
		nodetable_pop(cr->table);
		if (!cr->o->once &&
		    schedule_should_forget(&cr->sched, &n->rec, now)) {
			forget(cr, n);
			continue;
		}
		kind = cr->o->once ? SCHED_DISCOVERY :
		    schedule_kind(&cr->sched, &n->rec, now);
		a = xcalloc(1, sizeof(*a));
		a->cr = cr;
		a->node = n;
		p = probe_start(cr->base, &cr->pcfg, &n->rec.addr,
		    kind == SCHED_DISCOVERY, on_probe_done, a, err, sizeof(err));
		if (p == NULL) {
			/* Our problem (descriptors), not the node's: try
			 * again shortly without recording anything. */
			free(a);
			cr->n.local_errors++;
			if (!cr->fd_warned) {
				log_warn("crawl", "cannot dial %s: %s; backing off",
				    netaddr_format(&n->rec.addr, as, sizeof(as)), err);
				cr->fd_warned = true;
			}
			nodetable_schedule(cr->table, n, cr->o->once ? 0 : now + 1);
			break;
		}
		a->probe = p;
		n->inflight = true;
		TAILQ_INSERT_TAIL(&cr->active, a, entry);
		cr->inflight++;
		if (cr->inflight > cr->max_inflight)
			cr->max_inflight = cr->inflight;
	}
out:
	if (nodetable_dirty_count(cr->table) >= FLUSH_NOW_DIRTY)
		flush(cr);
	if (cr->o->once && !cr->stopping && cr->seeds_done &&
	    nodetable_queued(cr->table) == 0 && cr->inflight == 0 &&
	    (cr->resolver == NULL || resolver_pending(cr->resolver) == 0))
		finish_run(cr);
}

/* --- learning addresses -------------------------------------------------------- */

/* A new or known address from SOURCE (NULL: a seed). */
static void
learn(struct crawl *cr, const struct netaddr *addr, const struct netaddr *source,
    int64_t now, bool is_seed)
{
	struct cnode	*n, *known;

	n = nodetable_add(cr->table, addr, &known);
	if (n == NULL) {
		if (known == NULL) {
			cr->n.dropped_full++;
			return;
		}
		/* A seed we already know is probed first in this run. */
		if (is_seed && !known->inflight && !known->tried)
			nodetable_schedule(cr->table, known, 0);
		return;
	}
	cr->n.new_addrs++;
	n->rec.first_seen = n->rec.last_seen = now;
	if (source != NULL)
		n->rec.source = *source;
	nodetable_schedule(cr->table, n, is_seed ? 0 : now);
}

static void
lookup_cb(void *arg, const char *name, const struct netaddr *addrs, size_t n,
    const char *error)
{
	struct crawl	*cr = arg;
	int64_t		 now = clock_wall();
	size_t		 i, used = 0;

	if (error != NULL) {
		log_warn("crawl", "seed %s: %s", name, error);
	} else {
		for (i = 0; i < n; i++) {
			if (!netaddr_is_valid_peer(&addrs[i],
			    cr->o->params->allow_private))
				continue;
			learn(cr, &addrs[i], NULL, now, true);
			used++;
		}
		log_info("crawl", "seed %s: %zu addresses", name, used);
	}
	pump_soon(cr);
}

static void on_seed_done(struct crawl *cr, struct active *a, const struct probe_result *r);

/* Probe the seed HOST:PORT by name through the proxy: it resolves the
 * name (Tor-style), and what the seed knows is learned as from a DNS
 * seed; the seed itself has no address of ours to record. */
static void
seed_probe(struct crawl *cr, const char *host, uint16_t port)
{
	struct active	*a = xcalloc(1, sizeof(*a));
	char		 err[256];

	a->cr = cr;
	a->seed = xstrdup(host);
	a->probe = probe_start_name(cr->base, &cr->pcfg, host, port, true, on_probe_done, a,
	    err, sizeof(err));
	if (a->probe == NULL) {
		log_warn("crawl", "seed %s: %s", host, err);
		free(a->seed);
		free(a);
		return;
	}
	TAILQ_INSERT_TAIL(&cr->active, a, entry);
	cr->inflight++;
}

/* Queue the seeds: literals at once, names through the resolver (or,
 * with a proxy, through the proxy). */
static int
add_seeds(struct crawl *cr)
{
	const struct crawl_options	*o = cr->o;
	char				 host[NETADDR_HOSTLEN], err[256];
	struct netaddr			 a;
	uint16_t			 port;
	int64_t				 now = clock_wall();
	size_t				 i;

	for (i = 0; i < o->nseeds + o->ndns_seeds; i++) {
		const char *s = i < o->nseeds ? o->seeds[i] :
		    o->dns_seeds[i - o->nseeds];

		if (netaddr_split_hostport(s, o->params->p2p_port, host,
		    &port) == -1) {
			log_error("crawl", "bad seed \"%s\" (want HOST[:PORT])", s);
			return -1;
		}
		if (netaddr_parse(host, port, &a) == 0) {
			learn(cr, &a, NULL, now, true);
			continue;
		}
		if (cr->proxy != NULL) {
			seed_probe(cr, host, port);
			continue;
		}
		if (cr->resolver == NULL) {
			cr->resolver = resolver_new(cr->base, o->dns_server, err,
			    sizeof(err));
			if (cr->resolver == NULL) {
				log_error("crawl", "resolver: %s", err);
				return -1;
			}
		}
		if (resolver_lookup(cr->resolver, host, port, lookup_cb, cr) == -1)
			log_warn("crawl", "cannot look up seed %s", host);
	}
	return 0;
}

static void
reseed_task(void *arg, int64_t now_ms)
{
	struct crawl	*cr = arg;

	(void)now_ms;
	if (!cr->stopping && add_seeds(cr) == 0)
		pump_soon(cr);
}

/* --- probe results --------------------------------------------------------------- */

static void
count_error(struct crawl *cr, const char *e)
{
	size_t	i;

	for (i = 0; i < NERRORS; i++) {
		if (strcmp(e, error_names[i]) == 0) {
			cr->n.by_error[i]++;
			return;
		}
	}
}

static void
set_geo(struct crawl *cr, struct crawldb_node *rec)
{
	struct geoip_info	g;

	if (geoip_lookup(cr->geoip, &rec->addr, &g) == -1)
		return;
	str_copy(rec->country, g.country, sizeof(rec->country));
	str_copy(rec->city, g.city, sizeof(rec->city));
	rec->has_location = g.has_location;
	rec->latitude = g.has_location ? g.latitude : 0;
	rec->longitude = g.has_location ? g.longitude : 0;
	rec->asn = g.asn;
	str_copy(rec->as_org, g.as_org, sizeof(rec->as_org));
}

/* crawler.rewards: what the visit proved of REC's identity, and its
 * visits row (idprobe.h). */
static void
record_identity(struct crawl *cr, struct crawldb_node *rec, const struct probe_result *r,
    unsigned *fields, int64_t now)
{
	char	err[256];
	int	changed;

	changed = idprobe_record(cr->db, rec, &r->identity, now, err, sizeof(err));
	if (changed == -1)
		log_warn("crawl", "recording a visit: %s", err);
	else
		*fields |= (unsigned)changed;
}

static void
on_probe_done(struct probe *p, const struct probe_result *r, void *arg)
{
	struct active		*a = arg;
	struct crawl		*cr = a->cr;
	struct cnode		*n = a->node;
	struct crawldb_node	*rec;
	int64_t			 now = clock_wall();
	unsigned		 fields = CRAWLDB_PUT_STATS;
	char			 as[NETADDR_STRLEN];
	size_t			 i;

	(void)p;
	TAILQ_REMOVE(&cr->active, a, entry);
	cr->inflight--;
	if (r->proxy_failed || (cr->proxy != NULL && r->success))
		proxy_outcome(cr, r->proxy_failed);
	if (n == NULL) {
		on_seed_done(cr, a, r);
		return;
	}
	free(a);
	n->inflight = false;
	if (r->proxy_failed) {
		/* Not the node's failure: probe it again once the proxy is back. */
		cr->n.local_errors++;
		nodetable_schedule(cr->table, n, cr->o->once ? 0 : now + 1);
		pump(cr);
		return;
	}
	rec = &n->rec;
	n->tried = true;
	cr->n.probes++;

	if (r->success || r->version != 0) {
		/* The handshake completed (a liar's too: its claim and its
		 * verified -1 are worth recording). */
		rec->services = r->services;
		rec->version = r->version;
		rec->claimed_height = r->height;
		rec->height = r->verified_height;
		rec->best_chain = r->best_chain;
		str_copy(rec->user_agent, r->user_agent, sizeof(rec->user_agent));
		str_copy(rec->transport, r->transport, sizeof(rec->transport));
		rec->connect_ms = r->connect_ms;
		rec->handshake_ms = r->handshake_ms;
		fields |= CRAWLDB_PUT_PEER;
		if (cr->geoip != NULL) {
			set_geo(cr, rec);
			fields |= CRAWLDB_PUT_GEO;
		}
	}
	if (r->storage_checked)
		storage_push(cr, &rec->addr, now, r);
	if (r->success) {
		cr->n.reachable++;
	} else {
		cr->n.failed++;
		count_error(cr, r->error);
		if (r->connect_ms >= 0) {
			/* It took the connection: that latency is real. */
			rec->connect_ms = r->connect_ms;
			fields |= CRAWLDB_PUT_PEER;
		}
	}
	goodnode_record_probe(rec, &cr->policy, r->success, now);
	str_copy(rec->last_error, r->error, sizeof(rec->last_error));
	if (r->hostile) {
		cr->n.hostile++;
		if (rec->misbehaviour < UINT32_MAX)
			rec->misbehaviour++;
		rec->banned_until = now + cr->policy.bad_protocol_ban;
		log_debug("crawl", "%s is hostile (%s); ignored for %" PRId64 " s",
		    netaddr_format(&rec->addr, as, sizeof(as)), r->error,
		    cr->policy.bad_protocol_ban);
	}
	if (r->discovered) {
		rec->last_getaddr = now;
		rec->addrs_learned = (uint32_t)r->naddrs;
		fields |= CRAWLDB_PUT_DISCOVERY;
		cr->n.discovered++;
	}
	if (cr->o->rewards)
		record_identity(cr, rec, r, &fields, now);
	nodetable_mark_dirty(cr->table, n, fields);
	update_good(cr, n, now);
	log_debug("crawl", "%s: %s%s, %zu addresses, height %" PRId32 " verified of %" PRId32
	    " claimed%s%s%s", netaddr_format(&rec->addr, as, sizeof(as)),
	    r->success ? "ok" : "failed: ", r->error, r->naddrs, r->verified_height, r->height,
	    r->storage_checked ? ", storage " : "",
	    r->storage_checked ? r->storage_result : "",
	    r->version != 0 && !r->best_chain ? ", off the best chain" : "");

	cr->n.learned += r->naddrs;
	for (i = 0; i < r->naddrs; i++)
		learn(cr, &r->addrs[i], &rec->addr, now, false);
	requeue(cr, n);
	pump(cr);
}

/* A proxied probe got through the proxy (FAILED false) or failed at it:
 * pause the pump while it fails, and end a --once pass when it stays
 * down for PROXY_GIVE_UP pauses in a row (the pass resumes where it
 * stopped). */
static void
proxy_outcome(struct crawl *cr, bool failed)
{
	int64_t	now = clock_mono_ms();

	if (!failed) {
		cr->proxy_failures = 0;
		return;
	}
	/* Probes in flight when it fails all fail together: that is one
	 * failure, not one per probe. */
	if (cr->paused_until > now)
		return;
	cr->proxy_failures++;
	cr->paused_until = now + PROXY_PAUSE_MS;
	if (cr->o->once && cr->proxy_failures >= PROXY_GIVE_UP && !cr->stopping) {
		log_error("crawl", "SOCKS5 proxy %s failed %u times in a row; stopping the pass "
		    "(the next --once resumes it)", conn_proxy_name(cr->proxy), cr->proxy_failures);
		cr->rc = 1;
		finish_run(cr);
	}
}

static void
on_seed_done(struct crawl *cr, struct active *a, const struct probe_result *r)
{
	int64_t	now = clock_wall();
	size_t	i, used = 0;

	if (!r->success) {
		log_warn("crawl", "seed %s via proxy: %s%s%s", a->seed, r->error,
		    r->reason != NULL ? ": " : "", r->reason != NULL ? r->reason : "");
	} else {
		for (i = 0; i < r->naddrs; i++) {
			learn(cr, &r->addrs[i], NULL, now, true);
			used++;
		}
		cr->n.learned += used;
		log_info("crawl", "seed %s via proxy: %zu addresses", a->seed, used);
	}
	free(a->seed);
	free(a);
	pump(cr);
}

/* --- the loop ---------------------------------------------------------------------- */

static void
progress_tick(struct crawl *cr)
{
	struct progress_counts	c;

	c.known = nodetable_count(cr->table);
	c.queued = nodetable_queued(cr->table);
	c.inflight = cr->inflight;
	c.done = cr->n.probes;
	c.good = cr->good;
	c.reachable = cr->n.reachable;
	progress_update(cr->progress, &c, mono_s());
}

static void
tick_task(void *arg, int64_t now_ms)
{
	struct crawl	*cr = arg;

	(void)now_ms;
	pump(cr);
	if (!cr->stopping && cr->observer != NULL)
		observer_tick(cr->observer, cr->table, clock_wall());
	if (!cr->stopping)
		progress_tick(cr);
}

static void
flush_task(void *arg, int64_t now_ms)
{
	(void)now_ms;
	flush(arg);
}

/* Stop: abandon running probes (they record nothing), store, report,
 * and leave the loop once it has run the cleanups.  Closing a probe's
 * connection only schedules its free for the next loop iteration (conn
 * frees from a zero-delay timer), so exiting at the end of this iteration
 * would leave every connection that was in flight allocated: the exit
 * waits 1 ms, and a timer due later fires later, after those frees. */
static void
finish_run(struct crawl *cr)
{
	struct active	*a;

	if (cr->stopping)
		return;
	cr->stopping = true;
	while ((a = TAILQ_FIRST(&cr->active)) != NULL) {
		TAILQ_REMOVE(&cr->active, a, entry);
		if (a->node != NULL)
			a->node->inflight = false;
		probe_cancel(a->probe);
		free(a->seed);
		free(a);
		cr->inflight--;
	}
	if (cr->observer != NULL)
		observer_stop(cr->observer);
	progress_clear(cr->progress);
	flush(cr);
	if (cr->o->once && nodetable_queued(cr->table) == 0)
		meta_set_int(cr, "crawl.pass_finished", (long long)clock_wall());
	print_summary(cr);
	proc_exit(cr->proc, 1);
}

static void
signal_cb(int sig, void *arg)
{
	struct crawl	*cr = arg;

	log_info("crawl", "%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	finish_run(cr);
}

struct load_ctx {
	struct crawl	*cr;
	int64_t		 now;
	bool		 resume;
	size_t		 loaded, skipped;
};

static int
load_cb(const struct crawldb_node *rec, void *arg)
{
	struct load_ctx	*lc = arg;
	struct crawl	*cr = lc->cr;
	struct cnode	*n;

	if ((n = nodetable_insert_loaded(cr->table, rec)) == NULL) {
		lc->skipped++;
		return 0;
	}
	lc->loaded++;
	n->rec.good = false;
	update_good(cr, n, lc->now);
	if (cr->o->once) {
		/* Banned nodes sit the pass out; an interrupted pass skips
		 * what it already did. */
		if (rec->banned_until > lc->now ||
		    (lc->resume && rec->last_try >= cr->pass_started)) {
			n->tried = true;
			return 0;
		}
		nodetable_schedule(cr->table, n, 0);
	} else
		nodetable_schedule(cr->table, n, schedule_next_due(&cr->sched,
		    &cr->policy, rec, rnd_double()));
	return 0;
}

/* Only one crawler per database: two would fight over the windows. */
static int
take_lock(struct crawl *cr)
{
	char	*path, err[512];

	if (crawldb_check_dir(cr->o->db_path, err, sizeof(err)) == -1) {
		log_error("crawl", "%s", err);
		return -1;
	}
	path = xasprintf("%s.lock", cr->o->db_path);
	cr->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (cr->lockfd == -1) {
		log_error("crawl", "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(cr->lockfd, LOCK_EX | LOCK_NB) == -1) {
		log_error("crawl", "%s: another agentcrawl is crawling this "
		    "database", cr->o->db_path);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static int
setup(struct crawl *cr)
{
	const struct crawl_options	*o = cr->o;
	struct load_ctx			 lc;
	char				 err[512], key[64], val[32];
	size_t				 fds;
	long				 lim;
	int64_t				 finished;

	goodnode_policy_init(&cr->policy, o->params);
	schedule_init(&cr->sched, &cr->policy);
	cr->pcfg.params = o->params;
	cr->pcfg.user_agent = USER_AGENT;
	cr->pcfg.connect_timeout_ms = o->connect_timeout_ms;
	cr->pcfg.handshake_timeout_ms = o->handshake_timeout_ms;
	cr->pcfg.addr_window_ms = o->addr_window_ms;
	cr->pcfg.addr_grace_ms = o->addr_window_ms < ADDR_GRACE_MS ?
	    o->addr_window_ms : ADDR_GRACE_MS;
	cr->pcfg.addr_max_age = ADDR_MAX_AGE;
	cr->pcfg.transport = o->transport;
	cr->pcfg.ask_identity = o->rewards;
	cr->pcfg.identity_timeout_ms = o->handshake_timeout_ms;
	cr->pcfg.headers_timeout_ms = o->handshake_timeout_ms;
	cr->pcfg.storage = o->rewards;
	cr->pcfg.block_timeout_ms = 2 * o->handshake_timeout_ms;
	if (o->proxy != NULL) {
		cr->proxy = conn_proxy_new(o->proxy, o->proxy_user, o->proxy_password, err,
		    sizeof(err));
		if (cr->proxy == NULL) {
			log_error("crawl", "proxy %s: %s", o->proxy, err);
			return -1;
		}
		cr->pcfg.proxy = cr->proxy;
		log_info("crawl", "probing through the SOCKS5 proxy %s", conn_proxy_name(cr->proxy));
	}

	/* Use every descriptor we may: each probe takes one.  The warning
	 * below says what a short limit costs, so proc need not. */
	lim = proc_raise_fd_limit("crawl", 0);
	fds = lim < 0 ? 1024 : lim == LONG_MAX ? (size_t)1 << 20 : (size_t)lim;
	cr->concurrency = (size_t)o->concurrency;
	if (cr->concurrency + FD_RESERVE > fds) {
		cr->concurrency = fds > 2 * FD_RESERVE ? fds - FD_RESERVE :
		    fds / 2;
		log_warn("crawl", "only %zu file descriptors: concurrency "
		    "lowered to %zu", fds, cr->concurrency);
	}

	if (take_lock(cr) == -1)
		return -1;
	if ((cr->db = crawldb_open(o->db_path, 0, err, sizeof(err))) == NULL) {
		log_error("crawl", "%s", err);
		return -1;
	}
	if (load_chain(cr) == -1)
		return -1;
	cr->pcfg.chain = cr->chain;
	if (o->min_height >= 0) {
		snprintf(key, sizeof(key), "min_height.%s", o->params->name);
		snprintf(val, sizeof(val), "%d", (int)o->min_height);
		if (crawldb_meta_set(cr->db, key, val, err, sizeof(err)) == -1) {
			log_error("crawl", "%s", err);
			return -1;
		}
		cr->policy.min_height = o->min_height;
	} else {
		cr->policy.min_height = (int32_t)meta_get_int(cr, "min_height");
	}
	if (o->geoip_db != NULL || o->asn_db != NULL) {
		cr->geoip = geoip_open(o->geoip_db, o->asn_db, err, sizeof(err));
		if (cr->geoip == NULL) {
			log_error("crawl", "%s", err);
			return -1;
		}
	}

	if (o->rewards && !o->once) {
		cr->ocfg.params = o->params;
		cr->ocfg.user_agent = USER_AGENT;
		cr->ocfg.connect_timeout_ms = o->connect_timeout_ms;
		cr->ocfg.handshake_timeout_ms = o->handshake_timeout_ms;
		cr->ocfg.transport = o->transport;
		cr->observer = observer_new(cr->base, cr->db, &cr->ocfg);
		log_info("crawl", "rewards observer on: dense uptime re-visits and "
		    "relay probes of identity nodes");
	}
	cr->table = nodetable_new(o->params->name, o->max_nodes);
	memset(&lc, 0, sizeof(lc));
	lc.cr = cr;
	lc.now = clock_wall();
	if (o->once) {
		cr->pass_started = meta_get_int(cr, "crawl.pass_started");
		finished = meta_get_int(cr, "crawl.pass_finished");
		lc.resume = cr->pass_started > 0 && finished < cr->pass_started;
		if (!lc.resume) {
			cr->pass_started = lc.now;
			meta_set_int(cr, "crawl.pass_started", lc.now);
		}
	} else if (meta_get_int(cr, "crawl.pass_finished") <
	    meta_get_int(cr, "crawl.pass_started")) {
		/* A continuous crawl probes everything anew: an interrupted
		 * --once pass is over, and the next one starts afresh. */
		meta_set_int(cr, "crawl.pass_finished", lc.now);
	}
	if (crawldb_foreach(cr->db, o->params->name, 0, lc.now, load_cb, &lc,
	    err, sizeof(err)) == -1) {
		log_error("crawl", "%s", err);
		return -1;
	}
	log_info("crawl", "%s: %zu known addresses loaded%s%s", o->db_path,
	    lc.loaded, lc.skipped ? " (table full: some skipped)" : "",
	    lc.resume ? "; resuming the interrupted pass" : "");

	cr->t_tick = proc_task_add(cr->proc, "tick", TICK_MS, TICK_MS, tick_task, cr);
	proc_task_add(cr->proc, "flush", o->flush_ms, o->flush_ms,
	    flush_task, cr);
	if (proc_signal(cr->proc, SIGINT, signal_cb, cr) == -1 ||
	    proc_signal(cr->proc, SIGTERM, signal_cb, cr) == -1) {
		log_error("crawl", "cannot catch SIGINT and SIGTERM");
		return -1;
	}
	if (!o->once && (o->ndns_seeds > 0 || o->nseeds > 0))
		proc_task_add(cr->proc, "reseed",
		    (int64_t)cr->sched.reseed * 1000,
		    (int64_t)cr->sched.reseed * 1000, reseed_task, cr);
	cr->progress = progress_new(o->progress, stderr, o->progress_interval);

	if (add_seeds(cr) == -1)
		return -1;
	cr->seeds_done = true;
	if (nodetable_count(cr->table) == 0 && cr->inflight == 0 &&
	    (cr->resolver == NULL || resolver_pending(cr->resolver) == 0))
		log_warn("crawl", "nothing to crawl: no seeds and an empty "
		    "database");
	return 0;
}

static void
teardown(struct crawl *cr)
{
	struct active	*a;

	while ((a = TAILQ_FIRST(&cr->active)) != NULL) {
		TAILQ_REMOVE(&cr->active, a, entry);
		probe_cancel(a->probe);
		free(a->seed);
		free(a);
	}
	observer_free(cr->observer);
	resolver_free(cr->resolver);
	conn_proxy_free(cr->proxy);
	if (cr->db != NULL && cr->table != NULL)
		flush(cr);
	crawldb_close(cr->db);
	headerchain_free(cr->chain);
	free(cr->storage);
	nodetable_free(cr->table);
	geoip_close(cr->geoip);
	progress_free(cr->progress);
	if (cr->lockfd > 0)
		close(cr->lockfd);
}

int
crawl_run(const struct crawl_options *o)
{
	struct crawl	cr;
	int		rc = 0;

	memset(&cr, 0, sizeof(cr));
	cr.o = o;
	cr.lockfd = -1;
	TAILQ_INIT(&cr.active);
	cr.t0 = mono_s();
	cr.tokens_t = cr.t0;
	/* proc ignores SIGPIPE: a peer that resets the connection must not
	 * kill us. */
	if ((cr.proc = proc_new("crawl")) == NULL)
		return 1;
	cr.base = proc_base(cr.proc);
	if (setup(&cr) == -1)
		rc = 1;
	else {
		log_info("crawl", "crawling %s with up to %zu connections%s",
		    o->params->name, cr.concurrency, o->once ? ", one pass" : "");
		pump(&cr);
		if (proc_run(cr.proc) == -1) {
			log_error("crawl", "the event loop failed");
			rc = 1;
		}
	}
	teardown(&cr);
	proc_free(cr.proc);
	return rc != 0 ? rc : cr.rc;
}
