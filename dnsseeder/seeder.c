/* seeder.c -- agentseeder's run loop: DNS server, good-set reloads, statistics, signals.
 *
 * One event loop answers every query.  Reading the crawl database can
 * take as long as SQLite's busy timeout while agentcrawl writes, so each
 * reload runs in a short-lived worker thread that builds a complete new
 * good set off the loop; the thread then writes one byte to a pipe, and the
 * loop joins it and swaps the set in between two queries.  Nothing is
 * shared while the thread runs except the fields it owns until the join. */
#include "seeder.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dns_answer.h"
#include "dns_server.h"
#include "dns_stats.h"
#include "goodset.h"
#include "log.h"
#include "msg.h"
#include "privdrop.h"
#include "xmalloc.h"

struct seeder {
	const struct seeder_config *cfg;
	struct event_base	*base;
	struct dns_server	*srv;
	struct dnsa_zone	 zone;
	struct goodset_rng	 rng;
	struct dns_stats	 stats;

	struct goodset		*gs;		/* being served; NULL = none yet */
	int64_t			 gs_time;	/* when it was read */
	bool			 db_failing;	/* last read failed (log once) */

	/* The reload worker.  NEXT, NEXT_ERR and NEXT_TIME belong to the
	 * thread from pthread_create until pthread_join. */
	bool			 loading;
	pthread_t		 thread;
	int			 pipe[2];
	struct goodset		*next;
	char			 next_err[512];
	int64_t			 next_time;

	struct event		*ev_pipe, *ev_reload, *ev_stats;
	struct event		*ev_sig[4];
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
	long long age = s->gs != NULL ? (long long)(time(NULL) - s->gs_time) : -1;

	dns_stats_format(&s->stats, s->gs ? goodset_size(s->gs, GOODSET_V4) : 0,
	    s->gs ? goodset_size(s->gs, GOODSET_V6) : 0, age, line, sizeof(line));
	log_info("stats", "%s", line);
}

/* Install SET (read at WHEN) as the one served.  The SOA serial is the
 * time of the read that last changed the set, and only moves forward. */
static void
install(struct seeder *s, struct goodset *set, int64_t when)
{
	bool same = s->gs != NULL && goodset_digest(s->gs) == goodset_digest(set);
	uint32_t serial = (uint32_t)when;

	if (!same) {
		if (serial <= s->zone.serial)
			serial = s->zone.serial + 1;
		dnsa_zone_set_serial(&s->zone, serial);
	}
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

static void
load_failed(struct seeder *s, const char *err)
{
	s->stats.reload_failures++;
	if (s->gs != NULL)
		log_warn("goodset", "%s; keeping the previous set (%zu IPv4, %zu IPv6, "
		    "%lld s old)", err, goodset_size(s->gs, GOODSET_V4),
		    goodset_size(s->gs, GOODSET_V6), (long long)(time(NULL) - s->gs_time));
	else
		log_warn("goodset", "%s; no good set yet, A/AAAA answers are empty", err);
	s->db_failing = true;
}

static void *
load_thread(void *arg)
{
	struct seeder *s = arg;
	char byte = 0;

	s->next = goodset_load(s->cfg->db, s->cfg->params, s->next_time,
	    s->next_err, sizeof(s->next_err));
	while (write(s->pipe[1], &byte, 1) == -1 && errno == EINTR)
		;
	return NULL;
}

static void
start_reload(struct seeder *s)
{
	sigset_t all, old;
	int rc;

	if (s->loading)
		return;		/* the last one is still reading */
	s->next = NULL;
	s->next_err[0] = '\0';
	s->next_time = time(NULL);
	/* The worker must not take the process's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, load_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_error("goodset", "cannot start the reload thread: %s", strerror(rc));
		s->stats.reload_failures++;
		return;
	}
	s->loading = true;
}

static void
finish_reload(struct seeder *s)
{
	if (!s->loading)
		return;
	pthread_join(s->thread, NULL);
	s->loading = false;
	if (s->next == NULL) {
		load_failed(s, s->next_err);
		return;
	}
	if (s->next_err[0] != '\0')
		log_warn("goodset", "%s", s->next_err);
	install(s, s->next, s->next_time);
	s->next = NULL;
}

static void
pipe_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[16];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	finish_reload(arg);
}

static void
reload_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start_reload(arg);
}

static void
stats_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	log_stats(arg);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct seeder *s = arg;

	(void)what;
	switch (sig) {
	case SIGUSR1:
		log_stats(s);
		break;
	case SIGHUP:
		log_info("goodset", "SIGHUP: reloading %s", s->cfg->db);
		start_reload(s);
		break;
	default:
		log_info("seeder", "signal %d: shutting down", (int)sig);
		event_base_loopexit(s->base, NULL);
		break;
	}
}

static int
setup_events(struct seeder *s)
{
	static const int sigs[4] = { SIGINT, SIGTERM, SIGUSR1, SIGHUP };
	const struct seeder_config *c = s->cfg;
	struct timeval tv;

	if (pipe2(s->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_error("seeder", "pipe: %s", strerror(errno));
		return -1;
	}
	s->ev_pipe = event_new(s->base, s->pipe[0], EV_READ | EV_PERSIST, pipe_cb, s);
	s->ev_reload = event_new(s->base, -1, EV_PERSIST, reload_cb, s);
	if (s->ev_pipe == NULL || s->ev_reload == NULL)
		return -1;
	event_add(s->ev_pipe, NULL);
	tv = (struct timeval){ (time_t)c->reload, 0 };
	event_add(s->ev_reload, &tv);
	if (c->stats_interval > 0) {
		s->ev_stats = event_new(s->base, -1, EV_PERSIST, stats_cb, s);
		if (s->ev_stats == NULL)
			return -1;
		tv = (struct timeval){ (time_t)c->stats_interval, 0 };
		event_add(s->ev_stats, &tv);
	}
	for (size_t i = 0; i < 4; i++) {
		s->ev_sig[i] = evsignal_new(s->base, sigs[i], signal_cb, s);
		if (s->ev_sig[i] == NULL || event_add(s->ev_sig[i], NULL) == -1)
			return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
teardown(struct seeder *s)
{
	if (s->loading) {
		pthread_join(s->thread, NULL);
		s->loading = false;
		goodset_free(s->next);
	}
	for (size_t i = 0; i < 4; i++)
		if (s->ev_sig[i] != NULL)
			event_free(s->ev_sig[i]);
	if (s->ev_stats != NULL)
		event_free(s->ev_stats);
	if (s->ev_reload != NULL)
		event_free(s->ev_reload);
	if (s->ev_pipe != NULL)
		event_free(s->ev_pipe);
	if (s->pipe[0] != -1)
		close(s->pipe[0]);
	if (s->pipe[1] != -1)
		close(s->pipe[1]);
	dns_server_free(s->srv);
	goodset_free(s->gs);
	if (s->base != NULL)
		event_base_free(s->base);
}

int
seeder_run(const struct seeder_config *cfg)
{
	struct dns_server_config sc;
	struct dnsa_config zc;
	struct seeder s;
	char err[512];
	struct goodset *first;
	int rc = SEEDER_EXIT_STARTUP;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.pipe[0] = s.pipe[1] = -1;
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
	if ((s.base = event_base_new()) == NULL) {
		log_error("seeder", "cannot create the event loop");
		goto out;
	}
	memset(&sc, 0, sizeof(sc));
	sc.listen = cfg->listen;
	sc.nlisten = cfg->nlisten;
	sc.tcp_clients = cfg->tcp_clients;
	sc.tcp_timeout = cfg->tcp_timeout;
	sc.rate = cfg->rate_limit;
	sc.burst = cfg->rate_burst;
	sc.slip = cfg->rate_slip;
	if ((s.srv = dns_server_new(s.base, &sc, handle_query, &s, &s.stats, err,
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
	s.next_time = time(NULL);
	if ((first = goodset_load(cfg->db, cfg->params, s.next_time, err,
	    sizeof(err))) != NULL) {
		if (err[0] != '\0')
			log_warn("goodset", "%s", err);
		install(&s, first, s.next_time);
	} else
		load_failed(&s, err);
	log_info("seeder", "serving %s (network %s, ttl %u, %u A / %u AAAA per answer, "
	    "reload every %u s)", cfg->host, cfg->params->name, cfg->ttl, cfg->max_a,
	    cfg->max_aaaa, cfg->reload);
	event_base_dispatch(s.base);
	log_stats(&s);
	rc = SEEDER_EXIT_OK;
out:
	teardown(&s);
	return rc;
}
