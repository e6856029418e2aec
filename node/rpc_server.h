/* rpc_server.h -- JSON-RPC 2.0 over HTTP (evhttp) with cookie authentication and /metrics. */
#ifndef AGENTCHAIN_RPC_SERVER_H
#define AGENTCHAIN_RPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "rpc_proto.h"

/*
 * Protocol, as served on POST /:
 *  - HTTP Basic auth with the cookie is required on every request (401 with
 *    WWW-Authenticate otherwise), also on GET /metrics unless it was made
 *    public.  Other paths are 404, other methods on / and /metrics 405.
 *  - The body is one JSON-RPC 2.0 request or a batch (array of 1 to
 *    RPC_MAX_BATCH).  "jsonrpc":"2.0" is required; "id" may be a string, a
 *    number or null and is echoed; a request without "id" is a
 *    notification and gets no response (HTTP 204 when nothing at all is
 *    left to answer).  "params" may be an array, or an object whose keys
 *    are the names in the method's params spec.
 *  - Every JSON-RPC answer, success or error (internal errors included),
 *    travels with HTTP 200: the status says the transport worked, the body
 *    says what happened.  Bodies over RPC_MAX_BODY get HTTP 413; headers
 *    over RPC_SERVER_MAX_HEADERS are refused by evhttp (400 in 2.1).
 *  - At most RPC_SERVER_MAX_CONNS connections at once: at the cap the
 *    listener pauses (new clients wait in the kernel's backlog) until one
 *    closes.  A request must arrive whole (headers and body) within
 *    RPC_SERVER_REQUEST_DEADLINE_MS of its first byte (of connecting, for
 *    the first): a client trickling bytes is closed then.  Out of file
 *    descriptors, the listener pauses too (node/listenguard.h).
 *  - A method may answer later (struct rpc_method's DEFER); it then cannot
 *    be part of a batch (an error response for that element says so).
 */

/* Idle HTTP connections are closed after this (seconds). */
#define RPC_SERVER_IDLE_TIMEOUT	30
/* Connections at once, and the time a whole request may take to arrive. */
#define RPC_SERVER_MAX_CONNS		64
#define RPC_SERVER_REQUEST_DEADLINE_MS	10000
/* Total size of a request's headers. */
#define RPC_SERVER_MAX_HEADERS	8192
/* Longest method and parameter name. */
#define RPC_NAME_MAX		64

/*
 * One method.  PARAMS is the signature shown by "help" and also the rule
 * the server enforces before calling FN: space-separated "<name>"
 * (required) then "[name]" (optional) tokens, names of [a-z0-9_]; the last
 * one may end in "..." to take any number of extra values ("[addr...]").
 * NULL or "" means no parameters.  Names are what a request may use for
 * named (object) params.
 *
 * FN gets CTX from rpc_server_new and the params as an array (borrowed;
 * named params already mapped to their positions, gaps as JSON null).  It
 * returns a new reference to the result (json_null() is a valid result),
 * or NULL after filling ERR (rpc_error_set; an unset ERR becomes
 * RPC_INTERNAL_ERROR).  FN runs inside the event loop and must not block
 * or free the server.
 *
 * A method whose outcome takes time (a dial, a handshake) sets DEFER
 * instead of FN: it starts the work and returns 0, then answers D exactly
 * once, later, with rpc_deferred_reply or rpc_deferred_fail (it may also
 * do so before returning); or it returns -1 with ERR filled for a refusal
 * known at once (D is then gone).  Meanwhile the HTTP client waits.  The
 * server abandons D when its client goes away or the server is freed,
 * calling the function given to rpc_deferred_on_cancel: the method must
 * then forget D.  A deferred method inside a batch gets an error answer
 * (RPC_INVALID_REQUEST) without running.
 */
struct rpc_deferred;

struct rpc_method {
	const char	*name;
	const char	*params;
	const char	*help;
	json_t		*(*fn)(void *ctx, json_t *params, struct rpc_error *err);
	int		 (*defer)(void *ctx, json_t *params, struct rpc_deferred *d,
			    struct rpc_error *err);
};

/* Answer D with RESULT (stolen; NULL means null), or with an error; D is
 * gone afterwards. */
void rpc_deferred_reply(struct rpc_deferred *d, json_t *result);
void rpc_deferred_fail(struct rpc_deferred *d, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Call FN(ARG, D) every INTERVAL_MS (at most 250) until D is answered;
 * FN may answer it. */
void rpc_deferred_every(struct rpc_deferred *d, int interval_ms,
    void (*fn)(void *arg, struct rpc_deferred *d), void *arg);
/* FN(ARG) runs if D is abandoned unanswered (see struct rpc_method). */
void rpc_deferred_on_cancel(struct rpc_deferred *d, void (*fn)(void *arg), void *arg);

struct rpc_server;

/*
 * Listen on LISTEN_ADDR ("127.0.0.1:8545", "[::1]:8545"; port 0 picks a free
 * port, see rpc_server_port) inside BASE, and write a fresh cookie to
 * COOKIE_PATH (mode 0600, atomically).  METHODS (NMETHODS entries) is not
 * copied and must outlive the server; names must be unique [a-z0-9_]
 * words other than the built-in "help", and every params spec must parse.
 * The caller chooses the address; anything but loopback sends the cookie
 * in clear and is logged as a warning.  Needs hash_init() (for rnd_bytes).
 * Returns the server, or NULL with a reason in ERR (nothing left behind).
 */
struct rpc_server *rpc_server_new(struct event_base *base, const char *listen_addr,
    const char *cookie_path, const struct rpc_method *methods, size_t nmethods,
    void *ctx, char *err, size_t errlen);

/* Serve only GET /metrics, by FN(CTX, OUT), without authentication, on
 * LISTEN_ADDR (as rpc_server_new; the caller decides whether a
 * non-loopback address is acceptable).  Every other path is 404.  Same
 * connection cap and deadlines.  Returns NULL with a reason in ERR. */
struct rpc_server *rpc_server_new_metrics(struct event_base *base, const char *listen_addr,
    void (*fn)(void *ctx, struct evbuffer *out), void *ctx, char *err, size_t errlen);

/* A server without HTTP, for rpc_server_handle (tests, fuzzing): the same
 * method table checks and dispatch.  BASE runs deferred methods' timers. */
struct rpc_server *rpc_server_new_dispatch(struct event_base *base,
    const struct rpc_method *methods, size_t nmethods, void *ctx, char *err,
    size_t errlen);

/* Answer the JSON-RPC body BODY (LEN bytes, untrusted) as POST / would,
 * minus HTTP: returns the response text (caller frees; its length in
 * *OUTLEN), or NULL when there is nothing to answer now (notifications
 * only; a deferred method, whose answer is then dropped). */
char *rpc_server_handle(struct rpc_server *srv, const char *body, size_t len, size_t *outlen);

/* Close the listener and every connection (requests in progress get no
 * answer; pending deferred calls are abandoned) and delete the cookie file
 * if it still holds our cookie.  Not from inside a handler or the metrics
 * callback.  NULL is a no-op. */
void rpc_server_free(struct rpc_server *srv);

/* Change the connection cap and the request deadline (tests). */
void rpc_server_set_limits(struct rpc_server *srv, size_t max_conns, int deadline_ms);

struct rpc_server_stats {
	uint64_t	connections;		/* accepted, ever */
	uint64_t	deadline_closed;	/* requests too slow to arrive */
	uint64_t	deferred;		/* deferred calls, ever */
	uint64_t	accept_failures;	/* accept() errors (descriptors) */
	size_t		open;			/* connections now */
	size_t		deferred_pending;
	bool		accepting;		/* the listener is not paused */
};
void rpc_server_stats(const struct rpc_server *srv, struct rpc_server_stats *out);

/* The port actually bound (useful after asking for port 0). */
uint16_t rpc_server_port(const struct rpc_server *srv);

/* Serve GET /metrics by calling FN(CTX, OUT), which appends Prometheus
 * text exposition (version 0.0.4) to OUT.  FN NULL turns /metrics off
 * (404).  FN runs in the loop, like a method. */
void rpc_server_set_metrics(struct rpc_server *srv,
    void (*fn)(void *ctx, struct evbuffer *out), void *ctx);

/* Serve /metrics without the cookie (for a scraper on the same host);
 * off by default. */
void rpc_server_set_metrics_public(struct rpc_server *srv, bool public);

/*
 * Typed access to params[IDX] for handlers.  A missing or null value takes
 * the default; a default of RPC_PARAM_REQUIRED (or NULL for strings)
 * makes it mandatory.  Each returns 0 with *OUT set, or -1 with ERR filled
 * as RPC_INVALID_PARAMS and a message naming the parameter by its 1-based
 * position ("parameter 2 must be an integer, not a string").  PARAMS is the
 * array given to the handler; a returned string is borrowed from it (or
 * is DEF) and lives as long as the handler runs.
 */
#define RPC_PARAM_REQUIRED	INT64_MIN
#define RPC_PARAM_REQUIRED_BOOL	(-1)

/* An integer (not a real, not a string) within [MIN, MAX]. */
int rpc_param_int(const json_t *params, size_t idx, int64_t def, int64_t min,
    int64_t max, int64_t *out, struct rpc_error *err);
/* A string of at most MAXLEN bytes (UTF-8, no NUL bytes: jansson refuses
 * those on input). */
int rpc_param_str(const json_t *params, size_t idx, const char *def,
    size_t maxlen, const char **out, struct rpc_error *err);
/* true or false; DEF is 0, 1 or RPC_PARAM_REQUIRED_BOOL. */
int rpc_param_bool(const json_t *params, size_t idx, int def, bool *out,
    struct rpc_error *err);

#endif
