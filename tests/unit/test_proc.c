/* test_proc.c -- the process skeleton (proc), the clock and the worker thread helper. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"
#include "worker.h"

/* --- clock ------------------------------------------------------------- */

static void
test_clock_fake(void **state)
{
	int64_t m0;

	(void)state;
	clock_fake_start(1700000000000LL);
	m0 = clock_mono_ms();
	assert_int_equal(clock_wall(), 1700000000);
	clock_fake_advance(2500);
	assert_int_equal(clock_wall_ms(), 1700000002500LL);
	assert_int_equal(clock_mono_ms() - m0, 2500);
	assert_int_equal(clock_mono_us() % 1000, 0);
	clock_fake_stop();
	/* the real clocks: wall after 2020, monotonic never backwards */
	assert_true(clock_wall() > 1577836800);
	m0 = clock_mono_us();
	assert_true(clock_mono_us() >= m0);
}

/* --- tasks -------------------------------------------------------------- */

struct counts {
	struct proc	*p;
	int		 fast, slow, once;
	struct proc_task *once_task;
};

static void
fast_cb(void *arg, int64_t now_ms)
{
	struct counts *c = arg;

	(void)now_ms;
	if (++c->fast == 20)
		proc_exit(c->p, 0);
}

static void
slow_cb(void *arg, int64_t now_ms)
{
	struct counts *c = arg;

	(void)now_ms;
	c->slow++;
}

static void
once_cb(void *arg, int64_t now_ms)
{
	struct counts *c = arg;

	(void)now_ms;
	c->once++;
	proc_task_remove(c->once_task);	/* a task may remove itself */
}

static void
test_proc_tasks_periods(void **state)
{
	struct counts c;
	int64_t t0, took;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.p = proc_new("test");
	assert_non_null(c.p);
	proc_task_add(c.p, "fast", 5, 0, fast_cb, &c);
	proc_task_add(c.p, "slow", 40, 40, slow_cb, &c);
	c.once_task = proc_task_add(c.p, "once", 1, 0, once_cb, &c);
	t0 = clock_mono_ms();
	assert_int_equal(proc_run(c.p), 0);
	took = clock_mono_ms() - t0;
	assert_true(proc_exiting(c.p));
	assert_int_equal(c.fast, 20);
	assert_int_equal(c.once, 1);
	/* 20 runs at 5 ms: at least 95 ms; the slow task ran about 2 times. */
	assert_true(took >= 90);
	assert_true(c.slow >= 1 && c.slow <= (int)(took / 40) + 1);
	proc_free(c.p);
}

static void
soon_cb(void *arg, int64_t now_ms)
{
	struct counts *c = arg;

	(void)now_ms;
	c->fast++;
	proc_exit(c->p, 0);
}

static void
test_proc_run_soon(void **state)
{
	struct counts c;
	struct proc_task *t;
	int64_t t0;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.p = proc_new("test");
	/* an hour away, then pulled in */
	t = proc_task_add(c.p, "late", 3600 * 1000, 3600 * 1000, soon_cb, &c);
	assert_int_equal(proc_task_period(t), 3600 * 1000);
	proc_task_run_soon(t);
	t0 = clock_mono_ms();
	proc_run(c.p);
	assert_int_equal(c.fast, 1);
	assert_true(clock_mono_ms() - t0 < 2000);
	proc_free(c.p);
}

static void
sig_cb(int sig, void *arg)
{
	struct counts *c = arg;

	assert_int_equal(sig, SIGUSR1);
	c->once++;
	proc_exit(c->p, 0);
}

static void
raise_cb(void *arg, int64_t now_ms)
{
	(void)arg;
	(void)now_ms;
	raise(SIGUSR1);
}

static void
test_proc_signal(void **state)
{
	struct counts c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.p = proc_new("test");
	assert_int_equal(proc_signal(c.p, SIGUSR1, sig_cb, &c), 0);
	proc_task_add(c.p, "raise", 10, 0, raise_cb, &c);
	proc_run(c.p);
	assert_int_equal(c.once, 1);
	proc_free(c.p);
}

static void
test_proc_fd_limit(void **state)
{
	long lim;

	(void)state;
	lim = proc_raise_fd_limit("test", 16);
	assert_true(lim >= 16);
}

/* --- worker ------------------------------------------------------------- */

struct job {
	struct proc	*p;
	struct worker	*w;
	int		 posts;
	int		 sum;
	int		 done;
	int		 result;
	bool		 free_in_done;
};

static void
job_work(struct worker *w, void *arg)
{
	struct job *j = arg;

	for (int i = 1; i <= 5; i++)
		while (worker_post(w, &i, sizeof(i)) == -1 && !worker_stopping(w))
			worker_sleep(w, 1);
	j->result = 42;	/* the loop reads it only after done */
}

static void
job_post(void *arg, const void *msg, size_t len)
{
	struct job *j = arg;
	int v;

	assert_int_equal(len, sizeof(int));
	memcpy(&v, msg, sizeof(v));
	j->posts++;
	j->sum += v;
}

static void
job_done(void *arg)
{
	struct job *j = arg;

	j->done++;
	if (j->free_in_done) {
		assert_true(worker_free(j->w, 1000));
		j->w = NULL;
	}
	proc_exit(j->p, 0);
}

static const struct worker_cb job_cb = {
	.work = job_work, .post = job_post, .done = job_done,
};

static void
test_worker_posts_then_done(void **state)
{
	struct job j;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.p = proc_new("test");
	j.free_in_done = true;
	j.w = worker_start(proc_base(j.p), "test", &job_cb, &j);
	assert_non_null(j.w);
	proc_run(j.p);
	assert_int_equal(j.done, 1);
	assert_int_equal(j.posts, 5);
	assert_int_equal(j.sum, 15);
	assert_int_equal(j.result, 42);
	assert_null(j.w);
	proc_free(j.p);
}

static void
sleeper_work(struct worker *w, void *arg)
{
	(void)arg;
	/* until told to stop: at most 10 s */
	worker_sleep(w, 10000);
}

static const struct worker_cb sleeper_cb = { .work = sleeper_work };

static void
test_worker_stop_wakes_sleeper(void **state)
{
	struct proc *p = proc_new("test");
	struct worker *w;
	int64_t t0;

	(void)state;
	w = worker_start(proc_base(p), "test", &sleeper_cb, NULL);
	assert_non_null(w);
	assert_false(worker_finished(w));
	t0 = clock_mono_ms();
	assert_true(worker_free(w, 5000));
	assert_true(clock_mono_ms() - t0 < 4000);
	proc_free(p);
}

static int abandoned;

static void
stuck_work(struct worker *w, void *arg)
{
	(void)arg;
	/* a blocking call that ignores stop requests */
	usleep(300 * 1000);
	/* W is still the thread's to use after the loop gave up on it (under
	 * ASan a freed W fails here); cmocka's asserts are for the main thread */
	if (!worker_stopping(w))
		abort();
	worker_sleep(w, 1);
}

static void
stuck_abandon(void *arg)
{
	(void)arg;
	__atomic_store_n(&abandoned, 1, __ATOMIC_SEQ_CST);
}

static const struct worker_cb stuck_cb = { .work = stuck_work, .abandon = stuck_abandon };

static void
test_worker_abandoned_after_timeout(void **state)
{
	struct proc *p = proc_new("test");
	struct worker *w;
	int64_t t0;

	(void)state;
	w = worker_start(proc_base(p), "test", &stuck_cb, NULL);
	assert_false(worker_free(w, 20));
	/* the thread finishes alone and runs abandon: poll with a deadline */
	t0 = clock_mono_ms();
	while (!__atomic_load_n(&abandoned, __ATOMIC_SEQ_CST) && clock_mono_ms() - t0 < 5000)
		usleep(5000);
	assert_int_equal(abandoned, 1);
	proc_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_fake),
		cmocka_unit_test(test_proc_tasks_periods),
		cmocka_unit_test(test_proc_run_soon),
		cmocka_unit_test(test_proc_signal),
		cmocka_unit_test(test_proc_fd_limit),
		cmocka_unit_test(test_worker_posts_then_done),
		cmocka_unit_test(test_worker_stop_wakes_sleeper),
		cmocka_unit_test(test_worker_abandoned_after_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
