/* listenguard.h -- keeps an evconnlistener from spinning when accept() fails (out of descriptors).
 *
 * libevent's listener retries a failing accept() on every loop turn and,
 * without an error callback, prints "Error from accept() call" each time:
 * out of file descriptors, a node spun at 0.9 core writing that line
 * millions of times.  A guard pauses the listener instead and retries
 * after a back-off, or at once when the process frees a descriptor.  The
 * owner may also pause it for reasons of its own (a connection cap). */
#ifndef AGENTCHAIN_LISTENGUARD_H
#define AGENTCHAIN_LISTENGUARD_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>

/* First pause after a failed accept(), doubled while failures go on. */
#define LISTENGUARD_BACKOFF_MIN_MS	100
#define LISTENGUARD_BACKOFF_MAX_MS	2000
/* At most this many guards at once (listeners of one process). */
#define LISTENGUARD_MAX			32

struct listenguard;

/* Guard LEV (not owned; it must outlive the guard) on BASE.  TAG names it
 * in log lines ("p2p", "rpc").  Returns NULL when LISTENGUARD_MAX guards
 * exist already (the listener then runs unguarded). */
struct listenguard *listenguard_new(struct event_base *base, struct evconnlistener *lev,
    const char *tag);
/* Before the listener is freed.  NULL is a no-op. */
void listenguard_free(struct listenguard *g);

/* Pause (HOLD true) or resume accepting for the owner's own reason; a
 * pause for lack of descriptors still ends only when they come back. */
void listenguard_hold(struct listenguard *g, bool hold);

/* A descriptor was freed somewhere in the process: every guard paused for
 * lack of them tries again now.  Cheap; call it on every close. */
void listenguard_kick_all(void);

/* Is G's listener accepting?  And how many accept() calls failed. */
bool listenguard_accepting(const struct listenguard *g);
uint64_t listenguard_failures(const struct listenguard *g);

#endif
