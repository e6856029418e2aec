/* rpc_client.h -- asynchronous JSON-RPC 2.0 client over HTTP (evhttp) with cookie auth. */
#ifndef AGENTCHAIN_RPC_CLIENT_H
#define AGENTCHAIN_RPC_CLIENT_H

#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "rpc_proto.h"

/*
 * Shared by `agentnode rpc` and the console.  Each call uses its own HTTP
 * connection, so calls run concurrently, time out independently and a
 * stuck one cannot delay the others.  Errors that are not the server's
 * JSON-RPC errors come back as RPC_TRANSPORT_ERROR with a message such as
 * "127.0.0.1:8545: connection refused", "timeout after 5.0 s" or
 * "HTTP 401 unauthorized".
 *
 * The cookie is read lazily and again after a 401 or a failed connection,
 * because a restarted node writes a new one; a call refused with 401 is
 * retried once when the re-read cookie differs from the one it sent.
 */

/* Calls in flight per client; more fail at once with a transport error. */
#define RPC_CLIENT_MAX_PENDING	64
/* Largest reply body accepted. */
#define RPC_CLIENT_MAX_REPLY	(64 * 1024 * 1024)

/* RESULT is borrowed for the duration of the callback (take a reference
 * to keep it) and NULL on error; ERR is NULL on success. */
typedef void (*rpc_client_cb)(void *arg, json_t *result,
    const struct rpc_error *err);

struct rpc_client;

/* A client for HOST (numeric, "127.0.0.1" or "::1"; a name would be
 * resolved with the blocking system resolver) and PORT inside BASE.
 * COOKIE_PATH may be NULL for no authentication.  Strings are copied.
 * Never fails. */
struct rpc_client *rpc_client_new(struct event_base *base, const char *host,
    uint16_t port, const char *cookie_path);

/* Cancel every call in flight: each callback runs now with a "cancelled"
 * transport error (or with its real outcome if that had already arrived),
 * so arguments can be released there; those callbacks must not start new
 * calls.  May be called from inside a callback: the client then goes away
 * when the callback returns.  NULL is a no-op. */
void rpc_client_free(struct rpc_client *c);

/* Call METHOD with PARAMS (an array or object; stolen, NULL means []),
 * giving up after TIMEOUT_S seconds (> 0).  Never blocks: returns 0 and CB
 * runs exactly once later from the event loop, never from inside this
 * function.  Returns -1, CB never run (PARAMS still released), for a
 * programming error: empty or non-UTF-8 METHOD, PARAMS of another type, a
 * bad timeout, or a client being freed. */
int rpc_client_call(struct rpc_client *c, const char *method, json_t *params,
    double timeout_s, rpc_client_cb cb, void *arg);

/* Blocking convenience for command-line tools: one call, running BASE
 * (NULL: a private one) until it completes.  Returns the result (new
 * reference, caller decrefs) or NULL with ERR filled.  Other events in
 * BASE run meanwhile. */
/* Read DATADIR's RPC_ENDPOINT_FILE into HOST (HOSTLEN bytes) and *PORT.
 * Returns 0, or -1 with a reason in ERR (no node has written one: the
 * caller falls back to the configured address). */
int rpc_endpoint_read(const char *datadir, char *host, size_t hostlen, uint16_t *port,
    char *err, size_t errlen);

json_t *rpc_client_call_sync(struct event_base *base, const char *host,
    uint16_t port, const char *cookie_path, const char *method, json_t *params,
    double timeout_s, struct rpc_error *err);

#endif
