/* worker.c -- one thread beside the event loop: blocking work off the loop, its results back on it.
 *
 * The thread and the loop share one struct worker_shared under a mutex,
 * reference-counted so that whichever side finishes last frees it: the
 * loop may give up on a thread stuck in a blocking call, and the thread
 * then tidies up alone.  Messages travel as SOCK_SEQPACKET records, one
 * record per post, and a last empty record says WORK returned. */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

struct worker_shared {
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;	/* on CLOCK_MONOTONIC */
	int			 refs;	/* the loop side and the thread */
	bool			 stopping;
	bool			 returned;	/* WORK returned */
	bool			 abandoned;	/* the loop stopped waiting */
	int			 wfd;		/* the thread's end */
};

struct worker {
	struct worker_shared	*sh;
	const struct worker_cb	*cb;
	void			*arg;
	const char		*tag;
	pthread_t		 thread;
	int			 rfd;		/* the loop's end */
	struct event		*ev;
	bool			 finished;
	bool			 in_done;
	bool			 free_after_done;
};

static void
worker_shared_unref_locked(struct worker_shared *sh)
{
	bool last = --sh->refs == 0;

	pthread_mutex_unlock(&sh->mtx);
	if (!last)
		return;
	close(sh->wfd);
	pthread_cond_destroy(&sh->cond);
	pthread_mutex_destroy(&sh->mtx);
	free(sh);
}

/* CLOCK_MONOTONIC MS milliseconds from now. */
static void
worker_deadline(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

bool
worker_stopping(struct worker *w)
{
	bool s;

	pthread_mutex_lock(&w->sh->mtx);
	s = w->sh->stopping;
	pthread_mutex_unlock(&w->sh->mtx);
	return s;
}

bool
worker_sleep(struct worker *w, int64_t ms)
{
	struct worker_shared *sh = w->sh;
	struct timespec ts;
	bool s;

	worker_deadline(&ts, ms);
	pthread_mutex_lock(&sh->mtx);
	while (!sh->stopping)
		if (pthread_cond_timedwait(&sh->cond, &sh->mtx, &ts) == ETIMEDOUT)
			break;
	s = sh->stopping;
	pthread_mutex_unlock(&sh->mtx);
	return s;
}

int
worker_post(struct worker *w, const void *msg, size_t len)
{
	if (len == 0 || len > WORKER_POST_MAX || worker_stopping(w))
		return -1;
	return send(w->sh->wfd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* The thread's body.  WORK may call worker_sleep(W) and friends until it
 * returns, so W outlives it: the loop frees W only when WORK had returned
 * (worker_free saw it, or the done record arrived); when the loop gave
 * up waiting, the thread frees W here instead.  Whichever side sees the
 * other's flag under SH's mutex decides. */
struct worker_start_arg {
	struct worker		*w;
	struct worker_shared	*sh;
	const struct worker_cb	*cb;
	void			*arg;
};

static void *
worker_main(void *p)
{
	struct worker_start_arg sa = *(struct worker_start_arg *)p;
	bool abandoned;

	free(p);
	sa.cb->work(sa.w, sa.arg);
	pthread_mutex_lock(&sa.sh->mtx);
	sa.sh->returned = true;
	abandoned = sa.sh->abandoned;
	pthread_cond_broadcast(&sa.sh->cond);
	if (!abandoned)
		(void)send(sa.sh->wfd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);
	worker_shared_unref_locked(sa.sh);
	if (abandoned) {
		if (sa.cb->abandon != NULL)
			sa.cb->abandon(sa.arg);
		free(sa.w);
	}
	return NULL;
}

static void
worker_readable(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	uint8_t buf[WORKER_POST_MAX];
	ssize_t n;

	(void)what;
	/* A bounded batch per wake-up: the loop has other work too. */
	for (int i = 0; i < 64 && !w->finished; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		if (n > 0) {
			if (w->cb->post != NULL)
				w->cb->post(w->arg, buf, (size_t)n);
			continue;
		}
		/* The empty record: WORK returned. */
		pthread_join(w->thread, NULL);
		w->finished = true;
		event_del(w->ev);
		if (w->cb->done != NULL) {
			w->in_done = true;
			w->cb->done(w->arg);
			w->in_done = false;
			if (w->free_after_done)
				worker_free(w, 0);
		}
		return;
	}
}

struct worker *
worker_start(struct event_base *base, const char *tag, const struct worker_cb *cb, void *arg)
{
	struct worker *w;
	struct worker_shared *sh;
	struct worker_start_arg *sa;
	pthread_condattr_t ca;
	sigset_t all, old;
	int fds[2], r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == -1) {
		log_error(tag, "socketpair: %s", strerror(errno));
		return NULL;
	}
	sh = xcalloc(1, sizeof(*sh));
	pthread_mutex_init(&sh->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sh->cond, &ca);
	pthread_condattr_destroy(&ca);
	sh->refs = 2;
	sh->wfd = fds[1];
	w = xcalloc(1, sizeof(*w));
	w->sh = sh;
	w->cb = cb;
	w->arg = arg;
	w->tag = tag;
	w->rfd = fds[0];
	evutil_make_socket_nonblocking(w->rfd);
	w->ev = event_new(base, w->rfd, EV_READ | EV_PERSIST, worker_readable, w);
	if (w->ev == NULL || event_add(w->ev, NULL) == -1) {
		log_error(tag, "cannot watch the worker's socket");
		goto fail;
	}
	sa = xmalloc(sizeof(*sa));
	*sa = (struct worker_start_arg){ .w = w, .sh = sh, .cb = cb, .arg = arg };
	/* Signals belong to the loop thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->thread, NULL, worker_main, sa);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		log_error(tag, "cannot start a worker thread: %s", strerror(r));
		free(sa);
		goto fail;
	}
	return w;
fail:
	if (w->ev != NULL)
		event_free(w->ev);
	close(w->rfd);
	free(w);
	pthread_mutex_lock(&sh->mtx);
	sh->refs = 1;
	worker_shared_unref_locked(sh);
	return NULL;
}

bool
worker_finished(const struct worker *w)
{
	return w->finished;
}

bool
worker_free(struct worker *w, int64_t timeout_ms)
{
	struct worker_shared *sh;
	struct timespec ts;
	bool returned;

	if (w == NULL)
		return true;
	if (w->in_done) {
		w->free_after_done = true;
		return true;
	}
	sh = w->sh;
	event_free(w->ev);
	close(w->rfd);
	if (w->finished) {
		pthread_mutex_lock(&sh->mtx);
		worker_shared_unref_locked(sh);
		free(w);
		return true;
	}
	worker_deadline(&ts, timeout_ms);
	pthread_mutex_lock(&sh->mtx);
	sh->stopping = true;
	pthread_cond_broadcast(&sh->cond);
	while (!sh->returned)
		if (pthread_cond_timedwait(&sh->cond, &sh->mtx, &ts) == ETIMEDOUT)
			break;
	returned = sh->returned;
	if (!returned)
		sh->abandoned = true;
	worker_shared_unref_locked(sh);
	if (!returned) {
		log_warn(w->tag, "worker still busy after %lld ms; leaving it to finish alone",
		    (long long)timeout_ms);
		/* The thread frees W when WORK returns (worker_main). */
		pthread_detach(w->thread);
		return false;
	}
	pthread_join(w->thread, NULL);
	free(w);
	return true;
}
