/* listenguard.c -- keeps an evconnlistener from spinning when accept() fails (out of descriptors).
 *
 * libevent hands a listener's error callback only the listener and the
 * user data of its accept callback (evhttp's own, for the RPC server), so
 * guards are found by their listener in a small table.  One loop thread
 * owns every guard. */
#include "listenguard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "strutil.h"
#include "xmalloc.h"

struct listenguard {
	struct evconnlistener	*lev;
	struct event		*retry;
	char			 tag[16];
	bool			 starved;	/* paused after a failed accept() */
	bool			 held;		/* paused by the owner */
	int			 backoff_ms;
	int64_t			 last_failure_ms;
	uint64_t		 failures;
};

static struct listenguard *listenguard_all[LISTENGUARD_MAX];

static void
listenguard_apply(struct listenguard *g)
{
	if (g->starved || g->held)
		evconnlistener_disable(g->lev);
	else
		evconnlistener_enable(g->lev);
}

static void
listenguard_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listenguard *g = arg;

	(void)fd;
	(void)what;
	g->starved = false;
	listenguard_apply(g);
}

static void
listenguard_error_cb(struct evconnlistener *lev, void *arg)
{
	struct listenguard *g = NULL;
	int err = EVUTIL_SOCKET_ERROR();
	int64_t now = clock_mono_ms();
	struct timeval tv;

	(void)arg;
	for (size_t i = 0; i < LISTENGUARD_MAX && g == NULL; i++)
		if (listenguard_all[i] != NULL && listenguard_all[i]->lev == lev)
			g = listenguard_all[i];
	if (g == NULL) {
		/* Not ours (cannot happen): at least do not spin. */
		evconnlistener_disable(lev);
		return;
	}
	g->failures++;
	/* A failure long after the last one starts a new episode. */
	if (now - g->last_failure_ms > 10 * LISTENGUARD_BACKOFF_MAX_MS)
		g->backoff_ms = LISTENGUARD_BACKOFF_MIN_MS;
	else if (g->backoff_ms < LISTENGUARD_BACKOFF_MAX_MS)
		g->backoff_ms = g->backoff_ms * 2 < LISTENGUARD_BACKOFF_MAX_MS ?
		    g->backoff_ms * 2 : LISTENGUARD_BACKOFF_MAX_MS;
	g->last_failure_ms = now;
	log_warn("net", "%s: accept() failed: %s; not accepting for %d ms%s", g->tag,
	    strerror(err), g->backoff_ms, err == EMFILE || err == ENFILE ?
	    " or until a descriptor is freed" : "");
	g->starved = true;
	listenguard_apply(g);
	tv.tv_sec = g->backoff_ms / 1000;
	tv.tv_usec = (g->backoff_ms % 1000) * 1000;
	evtimer_add(g->retry, &tv);
}

struct listenguard *
listenguard_new(struct event_base *base, struct evconnlistener *lev, const char *tag)
{
	struct listenguard *g;
	size_t slot = LISTENGUARD_MAX;

	for (size_t i = 0; i < LISTENGUARD_MAX && slot == LISTENGUARD_MAX; i++)
		if (listenguard_all[i] == NULL)
			slot = i;
	if (slot == LISTENGUARD_MAX) {
		log_error("net", "%s: too many listeners to guard", tag);
		return NULL;
	}
	g = xcalloc(1, sizeof(*g));
	g->lev = lev;
	g->retry = evtimer_new(base, listenguard_retry_cb, g);
	g->backoff_ms = LISTENGUARD_BACKOFF_MIN_MS;
	str_copy(g->tag, tag, sizeof(g->tag));
	listenguard_all[slot] = g;
	evconnlistener_set_error_cb(lev, listenguard_error_cb);
	return g;
}

void
listenguard_free(struct listenguard *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < LISTENGUARD_MAX; i++)
		if (listenguard_all[i] == g)
			listenguard_all[i] = NULL;
	evconnlistener_set_error_cb(g->lev, NULL);
	event_free(g->retry);
	free(g);
}

void
listenguard_hold(struct listenguard *g, bool hold)
{
	if (g == NULL || g->held == hold)
		return;
	g->held = hold;
	listenguard_apply(g);
}

void
listenguard_kick_all(void)
{
	for (size_t i = 0; i < LISTENGUARD_MAX; i++) {
		struct listenguard *g = listenguard_all[i];

		if (g == NULL || !g->starved)
			continue;
		evtimer_del(g->retry);
		g->starved = false;
		listenguard_apply(g);
	}
}

bool
listenguard_accepting(const struct listenguard *g)
{
	return g != NULL && !g->starved && !g->held;
}

uint64_t
listenguard_failures(const struct listenguard *g)
{
	return g != NULL ? g->failures : 0;
}
