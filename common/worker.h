/* worker.h -- one thread beside the event loop: blocking work off the loop, its results back on it.
 *
 * Some work cannot be made non-blocking: SQLite reads of a large crawl
 * database, miniupnpc's synchronous SOAP calls.  A worker runs such work
 * on a thread of its own with every signal blocked, and the loop hears
 * from it through a socket pair, so nothing but the worker's own state is
 * shared between threads.  The loop never waits on a worker for longer
 * than the timeout it gives worker_free. */
#ifndef AGENTCHAIN_WORKER_H
#define AGENTCHAIN_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

/* Largest message worker_post carries. */
#define WORKER_POST_MAX	1024

struct worker;

struct worker_cb {
	/* On the thread.  Returns when the job is done or worker_stopping. */
	void	(*work)(struct worker *w, void *arg);
	/* On the loop: one message the thread posted (may be NULL). */
	void	(*post)(void *arg, const void *msg, size_t len);
	/* On the loop: WORK returned and the thread was joined (may be NULL).
	 * The owner may worker_free the worker from here. */
	void	(*done)(void *arg);
	/* On the thread, when the owner gave up waiting (worker_free timed
	 * out) and WORK has finally returned: free what WORK made (may be
	 * NULL when WORK makes nothing the loop would have taken). */
	void	(*abandon)(void *arg);
};

/* Start CB->work(w, ARG) on a new thread.  CB must outlive the worker.
 * Returns NULL (logged under TAG) when no thread could be started. */
struct worker *worker_start(struct event_base *base, const char *tag, const struct worker_cb *cb,
    void *arg);

/* The loop side is done with W: ask the thread to stop, wait up to
 * TIMEOUT_MS for WORK to return, then join it; past the timeout the
 * thread is left to finish alone (and runs CB->abandon).  No callback
 * reaches the loop after this.  Returns true when WORK had returned:
 * what it made is then the owner's, even if CB->done never ran.  Safe
 * from inside CB->done. */
bool worker_free(struct worker *w, int64_t timeout_ms);

/* Has WORK returned (and CB->done run)? */
bool worker_finished(const struct worker *w);

/* --- from the thread ---------------------------------------------------- */

/* Hand LEN bytes (at most WORKER_POST_MAX) to CB->post on the loop.
 * Returns 0, or -1 when dropped (the loop is far behind, or stopping):
 * a worker never blocks on the loop. */
int worker_post(struct worker *w, const void *msg, size_t len);
/* Sleep up to MS milliseconds or until stopping.  Returns true when
 * stopping. */
bool worker_sleep(struct worker *w, int64_t ms);
bool worker_stopping(struct worker *w);

#endif
