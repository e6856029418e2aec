/* seeder.c -- agentseeder's run loop: DNS server, good-set reloads, statistics, signals.
 *
 * The process skeleton is common/proc: one event base, the signals as
 * libevent signal events, and two periodic tasks (reload, statistics).
 * One event loop answers every query.  Reading the crawl database can
 * take as long as SQLite's busy timeout while agentcrawl writes, so each
 * reload runs on a short-lived common/worker thread that builds a
 * complete new good set off the loop; when it is done the loop takes the
 * set and swaps it in between two queries.  The thread touches nothing
 * but its own struct reload_job.
 *
 * A signed zone is signed on the same thread, right after the read: the
 * keys are read again (so a ZSK rollover needs no restart), K random
 * samples per name and family are drawn from the new set and signed, and
 * the loop swaps set and signatures in together.  When the database
 * cannot be read, the previous samples are signed again, so signatures
 * never age past a reload.  The seeder's keys are lent to each job in
 * turn; the signatures being served are shared with the next job (which
 * only reads them) through a reference count. */
#include "seeder.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "dns_answer.h"
#include "dns_keys.h"
#include "dns_server.h"
#include "dns_sign.h"
#include "dns_stats.h"
#include "goodset.h"
#include "log.h"
#include "msg.h"
#include "privdrop.h"
#include "proc.h"
#include "strutil.h"
#include "worker.h"
#include "xmalloc.h"

/* How long shutdown waits for a reload still reading (SQLite's read-only
 * busy timeout is 5 s); past it the thread is left to finish alone. */
#define RELOAD_STOP_MS	2000
/* Descriptors beside the TCP clients: listeners, log, database, worker. */
#define SEEDER_SPARE_FDS	32

struct seeder;

/* One read of the database.  It belongs to the worker thread from
 * worker_start until the loop hears that the work returned (reload_done,
 * or worker_free returning true); if shutdown gives up waiting, the
 * thread frees it (reload_abandon).  The path is a copy, so an abandoned
 * read outlives the configuration safely. */
struct reload_job {
	struct seeder		*s;		/* loop side only */
	char			*db;
	const struct chainparams *params;	/* static tables */
	int64_t			 when;		/* wall clock, seconds */
	struct goodset		*set;		/* NULL: failed, see ERR */
	char			 err[512];
	/* The serial: the old one, or a new one when the set changed. */
	bool			 has_old;
	uint64_t		 old_digest;
	uint32_t		 old_serial, serial;
	/* Signing (KEYDIR set): the keys are the seeder's, lent; PREV is a
	 * reference to the signatures being served. */
	char			*keydir, *host;
	struct dnsk_set		*keys;
	struct dnsa_zone	 zone;
	struct dnss		*prev;
	unsigned		 pool;
	struct dnss		*sig;		/* NULL: failed, see SIGERR */
	bool			 keys_failed;	/* KEYERR says why */
	char			 keywarn[256], keyerr[512], sigerr[512];
};

struct seeder {
	const struct seeder_config *cfg;
	struct proc		*proc;
	struct dns_server	*srv;
	struct dnsa_zone	 zone;
	struct goodset_rng	 rng;
	struct dns_stats	 stats;

	struct goodset		*gs;		/* being served; NULL = none yet */
	struct dnss		*sig;		/* being served; NULL = unsigned */
	struct dnsk_set		*keys;		/* NULL while lent to a reload */
	bool			 keywarned;
	int64_t			 gs_time;	/* when it was read */
	bool			 db_failing;	/* last read failed (log once) */

	struct worker		*loader;	/* a reload is reading */
	struct reload_job	*job;		/* ... into this */
};

static size_t
handle_query(void *arg, const uint8_t *pkt, size_t len, unsigned flags,
    uint8_t *out, size_t outcap)
{
	struct seeder *s = arg;
	struct dnsa_result r;
	size_t n;

	n = dnsa_respond(&s->zone, s->gs, &s->rng, pkt, len, flags, out, outcap, &r);
	dns_stats_record(&s->stats, &r, (flags & DNSA_TCP) != 0);
	if (r.why != NULL)
		log_trace("dns", "query %s: %s", r.dropped ? "dropped" : "answered with an error",
		    r.why);
	return n;
}

static void
log_stats(struct seeder *s)
{
	char line[1024];
	long long age = s->gs != NULL ? (long long)(clock_wall() - s->gs_time) : -1;

	dns_stats_format(&s->stats, s->gs ? goodset_size(s->gs, GOODSET_V4) : 0,
	    s->gs ? goodset_size(s->gs, GOODSET_V6) : 0, age, line, sizeof(line));
	log_info("stats", "%s", line);
}

/* The serial after a read at WHEN: the old one when the set did not
 * change, else the time of the read, moving forward only. */
static uint32_t
next_serial(bool changed, uint32_t old, int64_t when)
{
	if (!changed)
		return old;
	return (uint32_t)when > old ? (uint32_t)when : old + 1;
}

/* Install SET (read at WHEN) as the one served, with SERIAL (the time of
 * the read that last changed the set). */
static void
install(struct seeder *s, struct goodset *set, int64_t when, uint32_t serial)
{
	bool same = serial == s->zone.serial;

	dnsa_zone_set_serial(&s->zone, serial);
	goodset_free(s->gs);
	s->gs = set;
	s->gs_time = when;
	s->stats.reloads++;
	if (s->db_failing)
		log_info("goodset", "%s readable again", s->cfg->db);
	s->db_failing = false;
	if (same)
		log_debug("goodset", "reloaded, unchanged: %zu IPv4 and %zu IPv6 good nodes",
		    goodset_size(set, GOODSET_V4), goodset_size(set, GOODSET_V6));
	else
		log_info("goodset", "serving %zu IPv4 and %zu IPv6 good nodes (serial %u)",
		    goodset_size(set, GOODSET_V4), goodset_size(set, GOODSET_V6),
		    s->zone.serial);
}

/* Serve the signatures SIG (the job's reference becomes the seeder's). */
static void
install_signed(struct seeder *s, struct dnss *sig)
{
	struct dnss_info now, was;
	char until[32];
	time_t t;
	struct tm tm;

	dnss_get_info(sig, &now);
	if (s->sig != NULL)
		dnss_get_info(s->sig, &was);
	t = (time_t)now.expiration;
	gmtime_r(&t, &tm);
	strftime(until, sizeof(until), "%Y-%m-%d %H:%M UTC", &tm);
	if (s->sig == NULL || was.zsk_tag != now.zsk_tag || was.dnskeys != now.dnskeys)
		log_info("dnssec", "signing with ZSK %u, %zu DNSKEY records, %zu answer sets "
		    "for %zu names (%zu signatures), valid until %s", now.zsk_tag, now.dnskeys,
		    now.sets, now.names, now.signatures, until);
	else
		log_debug("dnssec", "signed %zu answer sets (%zu signatures), valid until %s",
		    now.sets, now.signatures, until);
	dnss_unref(s->sig);
	s->sig = sig;
	dnsa_zone_set_signed(&s->zone, sig);
}

static void
load_failed(struct seeder *s, const char *err)
{
	s->stats.reload_failures++;
	if (s->gs != NULL)
		log_warn("goodset", "%s; keeping the previous set (%zu IPv4, %zu IPv6, "
		    "%lld s old)", err, goodset_size(s->gs, GOODSET_V4),
		    goodset_size(s->gs, GOODSET_V6), (long long)(clock_wall() - s->gs_time));
	else
		log_warn("goodset", "%s; no good set yet, A/AAAA answers are empty", err);
	s->db_failing = true;
}

/* The signing half of a finished job: the keys come back, the
 * signatures go in. */
static void
take_signed(struct seeder *s, struct reload_job *job)
{
	dnsk_free(s->keys);
	s->keys = job->keys;
	job->keys = NULL;
	if (job->keywarn[0] != '\0' && !s->keywarned) {
		log_warn("dnssec", "%s", job->keywarn);
		s->keywarned = true;
	}
	if (job->keys_failed && s->keys != NULL)
		log_warn("dnssec", "%s; signing with the keys read before", job->keyerr);
	if (job->sig == NULL) {
		if (s->sig != NULL)
			log_error("dnssec", "%s; answers keep the signatures made before",
			    job->sigerr);
		else
			log_error("dnssec", "%s", job->sigerr);
		return;
	}
	install_signed(s, job->sig);
	job->sig = NULL;
}

/* Take the result of a finished read: install it or keep the old set. */
static void
take_result(struct seeder *s, struct reload_job *job)
{
	if (job->keydir != NULL)
		take_signed(s, job);
	if (job->set == NULL) {
		load_failed(s, job->err);
		/* The serial only moves with a new set. */
		return;
	}
	if (job->err[0] != '\0')
		log_warn("goodset", "%s", job->err);
	install(s, job->set, job->when, job->serial);
	job->set = NULL;
}

static void
reload_job_free(struct reload_job *job)
{
	goodset_free(job->set);
	dnsk_free(job->keys);
	dnss_unref(job->prev);
	dnss_unref(job->sig);
	free(job->keydir);
	free(job->host);
	free(job->db);
	free(job);
}

/* Sign the zone for the set just read (or the previous samples when the
 * read failed).  On the thread, or at start-up on the loop. */
static void
sign_job(struct reload_job *job)
{
	struct dnsk_set *fresh;
	struct dnss_zone in;

	fresh = dnsk_load(job->keydir, job->host, job->keywarn, sizeof(job->keywarn),
	    job->keyerr, sizeof(job->keyerr));
	if (fresh != NULL) {
		dnsk_free(job->keys);
		job->keys = fresh;
	} else
		job->keys_failed = true;
	if (job->keys == NULL) {
		str_errf(job->sigerr, sizeof(job->sigerr), "%s", job->keyerr);
		return;
	}
	dnsa_zone_set_serial(&job->zone, job->serial);
	dnsa_zone_sign_input(&job->zone, &in);
	job->sig = dnss_build(&in, job->keys, job->set, job->prev, job->pool, job->when,
	    job->sigerr, sizeof(job->sigerr));
}

static void
run_job(struct reload_job *job)
{
	job->set = goodset_load(job->db, job->params, job->when, job->err,
	    sizeof(job->err));
	job->serial = next_serial(job->set != NULL && (!job->has_old ||
	    goodset_digest(job->set) != job->old_digest), job->old_serial, job->when);
	if (job->keydir != NULL)
		sign_job(job);
}

/* On the thread. */
static void
reload_work(struct worker *w, void *arg)
{
	(void)w;
	run_job(arg);
}

/* On the loop: the read returned and the thread is joined. */
static void
reload_done(void *arg)
{
	struct reload_job *job = arg;
	struct seeder *s = job->s;

	worker_free(s->loader, 0);
	s->loader = NULL;
	s->job = NULL;
	take_result(s, job);
	reload_job_free(job);
}

/* On the thread, after shutdown stopped waiting for it. */
static void
reload_abandon(void *arg)
{
	reload_job_free(arg);
}

static const struct worker_cb reload_cb = {
	.work = reload_work,
	.done = reload_done,
	.abandon = reload_abandon,
};

/* A read of the database as things stand; the seeder's keys go with it. */
static struct reload_job *
make_job(struct seeder *s)
{
	struct reload_job *job = xcalloc(1, sizeof(*job));

	job->s = s;
	job->db = xstrdup(s->cfg->db);
	job->params = s->cfg->params;
	job->when = clock_wall();
	job->has_old = s->gs != NULL;
	job->old_digest = s->gs != NULL ? goodset_digest(s->gs) : 0;
	job->old_serial = s->zone.serial;
	if (s->cfg->dnssec_keys != NULL) {
		job->keydir = xstrdup(s->cfg->dnssec_keys);
		job->host = xstrdup(s->cfg->host);
		job->keys = s->keys;
		s->keys = NULL;
		job->zone = s->zone;
		job->prev = s->sig != NULL ? dnss_ref(s->sig) : NULL;
		job->pool = s->cfg->dnssec_pool;
	}
	return job;
}

static void
start_reload(struct seeder *s)
{
	struct reload_job *job;

	if (s->loader != NULL)
		return;		/* the last one is still reading */
	job = make_job(s);
	if ((s->loader = worker_start(proc_base(s->proc), "goodset", &reload_cb, job)) == NULL) {
		s->stats.reload_failures++;
		s->keys = job->keys;	/* back to the seeder */
		job->keys = NULL;
		reload_job_free(job);
		return;
	}
	s->job = job;
}

static void
reload_task(void *arg, int64_t now_ms)
{
	(void)now_ms;
	start_reload(arg);
}

static void
stats_task(void *arg, int64_t now_ms)
{
	(void)now_ms;
	log_stats(arg);
}

static void
on_signal(int sig, void *arg)
{
	struct seeder *s = arg;

	switch (sig) {
	case SIGUSR1:
		log_stats(s);
		break;
	case SIGHUP:
		log_info("goodset", "SIGHUP: reloading %s", s->cfg->db);
		start_reload(s);
		break;
	default:
		log_info("seeder", "signal %d: shutting down", sig);
		proc_exit(s->proc, 0);
		break;
	}
}

static int
setup_events(struct seeder *s)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1, SIGHUP };
	const struct seeder_config *c = s->cfg;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (proc_signal(s->proc, sigs[i], on_signal, s) == -1)
			return -1;
	proc_task_add(s->proc, "reload", (int64_t)c->reload * 1000,
	    (int64_t)c->reload * 1000, reload_task, s);
	if (c->stats_interval > 0)
		proc_task_add(s->proc, "stats", (int64_t)c->stats_interval * 1000,
		    (int64_t)c->stats_interval * 1000, stats_task, s);
	return 0;
}

static void
teardown(struct seeder *s)
{
	if (s->loader != NULL) {
		/* Returned: the job is ours again; otherwise the thread
		 * frees it when the read finally ends. */
		if (worker_free(s->loader, RELOAD_STOP_MS))
			reload_job_free(s->job);
		s->loader = NULL;
		s->job = NULL;
	}
	dns_server_free(s->srv);
	dnsa_zone_set_signed(&s->zone, NULL);
	dnss_unref(s->sig);
	dnsk_free(s->keys);
	goodset_free(s->gs);
	proc_free(s->proc);
}

int
seeder_run(const struct seeder_config *cfg)
{
	struct dns_server_config sc;
	struct dnsa_config zc;
	struct seeder s;
	struct reload_job *first;
	char err[512];
	int rc = SEEDER_EXIT_STARTUP;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	memset(&zc, 0, sizeof(zc));
	zc.host = cfg->host;
	zc.ns = cfg->ns;
	zc.mbox = cfg->mbox;
	zc.ttl = cfg->ttl;
	zc.max_a = cfg->max_a;
	zc.max_aaaa = cfg->max_aaaa;
	zc.services = NODE_NETWORK | NODE_RELAY | NODE_SEED;
	if (dnsa_zone_init(&s.zone, &zc, err, sizeof(err)) == -1) {
		log_error("seeder", "%s", err);
		return SEEDER_EXIT_USAGE;
	}
	if (s.zone.ns_in_zone)
		log_warn("seeder", "--ns %s is inside the zone %s; its address is not "
		    "served here, so it needs glue at the parent", cfg->ns, cfg->host);
	goodset_rng_seed(&s.rng);
	if ((s.proc = proc_new("seeder")) == NULL)
		goto out;
	(void)proc_raise_fd_limit("seeder", (long)cfg->tcp_clients + SEEDER_SPARE_FDS);
	memset(&sc, 0, sizeof(sc));
	sc.listen = cfg->listen;
	sc.nlisten = cfg->nlisten;
	sc.tcp_clients = cfg->tcp_clients;
	sc.tcp_per_source = cfg->tcp_clients_per_source;
	sc.tcp_idle_ms = cfg->tcp_timeout * 1000;
	sc.tcp_query_ms = cfg->tcp_query_timeout * 1000;
	sc.rate = cfg->rate_limit;
	sc.burst = cfg->rate_burst;
	sc.slip = cfg->rate_slip;
	if ((s.srv = dns_server_new(proc_base(s.proc), &sc, handle_query, &s, &s.stats, err,
	    sizeof(err))) == NULL) {
		log_error("seeder", "%s", err);
		goto out;
	}
	if (cfg->user != NULL) {
		if (privdrop_user(cfg->user, err, sizeof(err)) == -1) {
			log_error("seeder", "%s", err);
			goto out;
		}
		log_info("seeder", "running as user %s", cfg->user);
	}
	if (setup_events(&s) == -1) {
		log_error("seeder", "cannot set up events");
		goto out;
	}
	/* The first read happens before serving, so the zone starts full
	 * when the database is there; it never blocks queries because none
	 * are read yet (they wait in the socket buffers). */
	first = make_job(&s);
	run_job(first);
	take_result(&s, first);
	reload_job_free(first);
	if (cfg->dnssec_keys != NULL && s.sig == NULL) {
		log_error("seeder", "cannot sign the zone with the keys in %s", cfg->dnssec_keys);
		goto out;
	}
	log_info("seeder", "serving %s (network %s, ttl %u, %u A / %u AAAA per answer, "
	    "reload every %u s%s)", cfg->host, cfg->params->name, cfg->ttl, cfg->max_a,
	    cfg->max_aaaa, cfg->reload, cfg->dnssec_keys != NULL ? ", signed" : "");
	if (proc_run(s.proc) == -1)
		log_error("seeder", "the event loop failed");
	log_stats(&s);
	rc = SEEDER_EXIT_OK;
out:
	teardown(&s);
	return rc;
}
