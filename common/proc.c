/* proc.c -- the process skeleton every program shares: event base, signals, periodic tasks, fd limit.
 *
 * Tasks sit in a list ordered by nothing in particular: there are a
 * handful per program, so a scan per wake-up beats any heap. */
#include "proc.h"

#include <signal.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>

#include "clock.h"
#include "log.h"
#include "xmalloc.h"

#define PROC_MAX_SIGNALS	8

struct proc_task {
	TAILQ_ENTRY(proc_task)	 entry;
	struct proc		*proc;
	const char		*name;
	int64_t			 period_ms;
	int64_t			 due_ms;	/* monotonic */
	proc_task_fn		 fn;
	void			*arg;
};
TAILQ_HEAD(proc_task_list, proc_task);

struct proc_sig {
	struct event	*ev;
	proc_signal_fn	 fn;
	void		*arg;
};

struct proc {
	const char		*name;
	struct event_base	*base;
	struct event		*timer;
	struct proc_task_list	 tasks;
	bool			 running_tasks;
	struct proc_sig		 sigs[PROC_MAX_SIGNALS];
	size_t			 nsigs;
	bool			 exiting;
};

static void proc_arm(struct proc *p);

struct proc *
proc_new(const char *name)
{
	struct proc *p = xcalloc(1, sizeof(*p));

	signal(SIGPIPE, SIG_IGN);
	p->name = name;
	TAILQ_INIT(&p->tasks);
	if ((p->base = event_base_new()) == NULL) {
		log_error(name, "cannot create the event loop");
		free(p);
		return NULL;
	}
	return p;
}

void
proc_free(struct proc *p)
{
	struct proc_task *t;

	if (p == NULL)
		return;
	while ((t = TAILQ_FIRST(&p->tasks)) != NULL) {
		TAILQ_REMOVE(&p->tasks, t, entry);
		free(t);
	}
	if (p->timer != NULL)
		event_free(p->timer);
	for (size_t i = 0; i < p->nsigs; i++)
		event_free(p->sigs[i].ev);
	event_base_free(p->base);
	free(p);
}

struct event_base *
proc_base(const struct proc *p)
{
	return p->base;
}

static void
proc_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct proc_sig *s = arg;

	(void)what;
	s->fn((int)sig, s->arg);
}

int
proc_signal(struct proc *p, int sig, proc_signal_fn fn, void *arg)
{
	struct proc_sig *s;

	if (p->nsigs == PROC_MAX_SIGNALS)
		return -1;
	s = &p->sigs[p->nsigs];
	s->fn = fn;
	s->arg = arg;
	s->ev = evsignal_new(p->base, sig, proc_signal_cb, s);
	if (s->ev == NULL || event_add(s->ev, NULL) == -1) {
		if (s->ev != NULL)
			event_free(s->ev);
		return -1;
	}
	p->nsigs++;
	return 0;
}

/* Run every task that is due, then sleep until the next one is. */
static void
proc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	struct proc_task *t, *next;
	int64_t now = clock_mono_ms();

	(void)fd;
	(void)what;
	p->running_tasks = true;
	for (t = TAILQ_FIRST(&p->tasks); t != NULL; t = next) {
		next = TAILQ_NEXT(t, entry);
		if (t->due_ms > now)
			continue;
		/* Late wake-ups do not pile up runs: the next one is a whole
		 * period from now. */
		t->due_ms = now + t->period_ms;
		t->fn(t->arg, now);
		now = clock_mono_ms();
	}
	p->running_tasks = false;
	proc_arm(p);
}

static void
proc_arm(struct proc *p)
{
	struct proc_task *t;
	int64_t first = INT64_MAX;

	if (p->running_tasks)
		return;		/* the timer callback re-arms at its end */
	TAILQ_FOREACH(t, &p->tasks, entry)
		if (t->due_ms < first)
			first = t->due_ms;
	if (p->timer == NULL)
		p->timer = evtimer_new(p->base, proc_timer_cb, p);
	if (first == INT64_MAX) {
		evtimer_del(p->timer);
		return;
	}
	proc_timer_at(p->timer, first);
}

void
proc_timer_at(struct event *ev, int64_t due_ms)
{
	int64_t wait = due_ms - clock_mono_ms();
	struct timeval tv;

	if (wait < 0)
		wait = 0;
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(ev, &tv);
}

struct proc_task *
proc_task_add(struct proc *p, const char *name, int64_t period_ms, int64_t first_ms,
    proc_task_fn fn, void *arg)
{
	struct proc_task *t = xcalloc(1, sizeof(*t));

	t->proc = p;
	t->name = name;
	t->period_ms = period_ms > 0 ? period_ms : 1;
	t->due_ms = clock_mono_ms() + (first_ms > 0 ? first_ms : 0);
	t->fn = fn;
	t->arg = arg;
	TAILQ_INSERT_TAIL(&p->tasks, t, entry);
	proc_arm(p);
	return t;
}

void
proc_task_remove(struct proc_task *t)
{
	struct proc *p;

	if (t == NULL)
		return;
	p = t->proc;
	TAILQ_REMOVE(&p->tasks, t, entry);
	free(t);
	proc_arm(p);
}

void
proc_task_set_period(struct proc_task *t, int64_t period_ms)
{
	int64_t now = clock_mono_ms();

	t->period_ms = period_ms > 0 ? period_ms : 1;
	if (t->due_ms > now + t->period_ms)
		t->due_ms = now + t->period_ms;
	proc_arm(t->proc);
}

int64_t
proc_task_period(const struct proc_task *t)
{
	return t->period_ms;
}

void
proc_task_run_soon(struct proc_task *t)
{
	t->due_ms = clock_mono_ms();
	proc_arm(t->proc);
}

int
proc_run(struct proc *p)
{
	int rc;

	proc_arm(p);
	rc = event_base_dispatch(p->base);
	/* One more turn for what is already due (deferred frees of closed
	 * connections, say), so nothing scheduled before the exit leaks. */
	event_base_loop(p->base, EVLOOP_NONBLOCK);
	return rc == -1 ? -1 : 0;
}

void
proc_exit(struct proc *p, int64_t after_ms)
{
	struct timeval tv;

	p->exiting = true;
	tv.tv_sec = (time_t)(after_ms / 1000);
	tv.tv_usec = (suseconds_t)(after_ms % 1000) * 1000;
	event_base_loopexit(p->base, after_ms > 0 ? &tv : NULL);
}

bool
proc_exiting(const struct proc *p)
{
	return p->exiting;
}

long
proc_raise_fd_limit(const char *tag, long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 || getrlimit(RLIMIT_NOFILE, &rl) == -1)
			return -1;
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return LONG_MAX;
	if (want > 0 && (rlim_t)want > rl.rlim_cur)
		log_warn(tag, "needs %ld file descriptors but the limit is %llu; raise it "
		    "(ulimit -n) or connections will be refused", want,
		    (unsigned long long)rl.rlim_cur);
	return (long)rl.rlim_cur;
}
