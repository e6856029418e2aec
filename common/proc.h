/* proc.h -- the process skeleton every program shares: event base, signals, periodic tasks, fd limit.
 *
 * Modelled on tmux's proc.c: a program creates one proc, hangs its signal
 * handlers and periodic work on it, and runs the loop.  Periodic work is a
 * list of tasks with periods of their own, driven by one timer that is
 * re-armed for the earliest task due (redis serverCron with per-task
 * periods), so an idle process wakes only when something is due. */
#ifndef AGENTCHAIN_PROC_H
#define AGENTCHAIN_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

struct proc;
struct proc_task;

/* NOW_MS is the monotonic clock (clock_mono_ms) when the task runs. */
typedef void (*proc_task_fn)(void *arg, int64_t now_ms);
typedef void (*proc_signal_fn)(int sig, void *arg);

/* A new skeleton: its own event base; SIGPIPE is ignored from here on
 * (a peer closing mid-write must be an error return, not a death).
 * NAME tags log lines.  Returns NULL (logged) when libevent cannot start. */
struct proc *proc_new(const char *name);
/* Frees the tasks and signal events, then the base.  Everything else
 * created on the base must be freed before. */
void proc_free(struct proc *p);

struct event_base *proc_base(const struct proc *p);

/* Call FN on the loop when SIG arrives (a libevent signal event: nothing
 * runs in signal context).  Returns 0 or -1. */
int proc_signal(struct proc *p, int sig, proc_signal_fn fn, void *arg);

/* Run FN every PERIOD_MS (> 0), first after FIRST_MS (0: on the next loop
 * iteration).  The task belongs to P; remove it with proc_task_remove or
 * let proc_free go with it. */
struct proc_task *proc_task_add(struct proc *p, const char *name, int64_t period_ms,
    int64_t first_ms, proc_task_fn fn, void *arg);
/* From inside a task, only that task itself may be removed. */
void proc_task_remove(struct proc_task *t);
void proc_task_set_period(struct proc_task *t, int64_t period_ms);
int64_t proc_task_period(const struct proc_task *t);
/* Run T on the next loop iteration (and PERIOD_MS after that). */
void proc_task_run_soon(struct proc_task *t);

/* Arm the timer EV (evtimer_new) to fire when the monotonic clock
 * (clock_mono_ms) reaches DUE_MS; a time already past fires on the next
 * loop iteration. */
void proc_timer_at(struct event *ev, int64_t due_ms);

/* Run the loop until proc_exit.  Returns 0, or -1 when libevent failed. */
int proc_run(struct proc *p);
/* Leave the loop AFTER_MS from now (0: at the end of this iteration);
 * later calls only bring the exit closer. */
void proc_exit(struct proc *p, int64_t after_ms);
bool proc_exiting(const struct proc *p);

/* Raise the soft limit on open files to the hard limit (file descriptors
 * are peers, probes and DNS clients).  Returns the limit now in force, or
 * -1 when unknown; logs a warning under TAG when it is below WANT. */
long proc_raise_fd_limit(const char *tag, long want);

#endif
