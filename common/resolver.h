/* resolver.h -- asynchronous A/AAAA look-ups (c-ares on the libevent loop). */
#ifndef AGENTCHAIN_RESOLVER_H
#define AGENTCHAIN_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

struct event_base;
struct resolver;

/* At most this many addresses are handed to a callback; the rest of an
 * over-long answer is dropped (a seed that returns more is misbehaving). */
#define RESOLVER_MAX_ADDRS		256
/* At most this many look-ups may be outstanding on one resolver. */
#define RESOLVER_MAX_PENDING		256
#define RESOLVER_DEFAULT_TIMEOUT_MS	5000
#define RESOLVER_DEFAULT_TRIES		2
#define RESOLVER_MAX_TIMEOUT_MS		60000
#define RESOLVER_MAX_TRIES		10

/* Called exactly once per successful resolver_lookup, always from the event
 * loop (never from inside resolver_lookup itself).  NAME is the name that
 * was asked for.  On success ERROR is NULL and ADDRS holds N >= 1 distinct
 * addresses (IPv4 as IPv4-mapped), each with the port given to
 * resolver_lookup.  On failure ERROR is a short human-readable reason
 * ("timed out", "no such name", ...), ADDRS is NULL and N is 0.  NAME,
 * ADDRS and ERROR are only valid during the call; copy what you keep.  The
 * callback may start new look-ups and may call resolver_free. */
typedef void (*resolver_cb)(void *arg, const char *name,
    const struct netaddr *addrs, size_t n, const char *error);

/* Create a resolver whose sockets and timers live on BASE (which must
 * outlive it).  SERVER is NULL to use the system configuration
 * (/etc/resolv.conf and /etc/hosts), or one numeric server, "127.0.0.1",
 * "127.0.0.1:5353" or "[::1]:5353" (port 53 when absent), which is then the
 * only one asked and /etc/hosts is ignored.  Either way names are looked up
 * as given: resolv.conf search domains are never appended, since seed names
 * are fully qualified.  Timeout RESOLVER_DEFAULT_TIMEOUT_MS per try,
 * RESOLVER_DEFAULT_TRIES tries.  Returns a resolver the caller frees with
 * resolver_free, or NULL with a reason in ERR. */
struct resolver *resolver_new(struct event_base *base, const char *server,
    char *err, size_t errlen);

/* Cancel every outstanding look-up and release R.  Callbacks of cancelled
 * look-ups are NOT called, neither now nor later, so their ARG may be freed
 * straight after this returns.  Safe to call from inside a resolver
 * callback (the release then completes once that callback returns).  R may
 * be NULL. */
void resolver_free(struct resolver *r);

/* Change the per-try timeout (1..RESOLVER_MAX_TIMEOUT_MS) and the number of
 * tries (1..RESOLVER_MAX_TRIES) for later look-ups.  c-ares doubles the
 * timeout on each round through the servers, so with one server the
 * defaults give up after 5 + 10 s; one try of T ms fails after about T ms.
 * Only allowed while no look-up is outstanding and not from inside a
 * resolver callback.  Returns 0, or -1 if out of range or busy. */
int resolver_set_timeout(struct resolver *r, int timeout_ms, int tries);

/* Start resolving NAME (a host name of at most 253 characters, optionally
 * with a trailing dot, or a numeric IPv4/IPv6 address) to both A and AAAA
 * records.  Returns 0 when started, in which case CB is called exactly once
 * later with ARG (unless resolver_free comes first); or -1, without ever
 * calling CB, if NAME is malformed, RESOLVER_MAX_PENDING look-ups are
 * already outstanding, or R is being freed.  NAME is copied. */
int resolver_lookup(struct resolver *r, const char *name, uint16_t port,
    resolver_cb cb, void *arg);

/* Number of look-ups started whose callbacks have not run yet. */
size_t resolver_pending(const struct resolver *r);

#endif
