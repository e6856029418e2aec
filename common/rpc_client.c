/* rpc_client.c -- asynchronous JSON-RPC 2.0 client over HTTP with cookie auth.
 *
 * A call owns one evhttp connection and one timer.  The timer is both the
 * call's deadline and the hand-off that finishes it: evhttp callbacks only
 * record the outcome and fire the timer at once, and the user's callback
 * runs from there.  So user code never runs inside libevent's HTTP code
 * (where freeing the connection would be unsafe), never inside
 * rpc_client_call (evhttp may report a failed connect synchronously), and
 * cancelling is simply freeing the connection, which drops its request
 * without calling back. */
#include "rpc_client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "atomicfile.h"
#include "netaddr.h"
#include "rpc_proto.h"
#include "strutil.h"
#include "xmalloc.h"

/* Longest accepted timeout: a day is already far beyond any method. */
#define RPC_CLIENT_MAX_TIMEOUT	86400.0
#define RPC_CLIENT_MAX_HEADERS	(64 * 1024)

struct rpc_call {
	TAILQ_ENTRY(rpc_call)	 entry;
	struct rpc_client	*c;
	json_int_t		 id;
	char			*body;
	size_t			 bodylen;
	char			*auth;		/* credentials of this attempt */
	bool			 auth_retried;
	double			 timeout;
	struct timespec		 deadline;	/* CLOCK_MONOTONIC */

	struct evhttp_connection *conn;
	struct event		*ev;
	bool			 finishing;	/* outcome known, ev due now */
	bool			 retry;		/* ... unless this is set */
	int			 http_error;	/* enum evhttp_request_error, -1 */
	int			 http_errno;	/* errno when it was reported */

	bool			 failed;
	json_t			*result;
	struct rpc_error	 err;
	rpc_client_cb		 cb;
	void			*arg;
};

TAILQ_HEAD(rpc_calls, rpc_call);

struct rpc_client {
	struct event_base	*base;
	char			*host;
	uint16_t		 port;
	char			*hostport;	/* "127.0.0.1:8545", "[::1]:8545" */
	char			*cookie_path;	/* NULL: no auth */
	char			*auth;		/* "Basic ...", NULL if unread */
	char			 cookie_err[160];
	bool			 cookie_stale;

	json_int_t		 next_id;
	struct rpc_calls	 calls;
	size_t			 ncalls;
	int			 in_callback;
	bool			 free_pending;
	bool			 closing;
};

static void	rpc_call_evcb(evutil_socket_t, short, void *);

/* --- the cookie --------------------------------------------------------- */

/* (Re)read the cookie into an Authorization header value.  Failure is not
 * an error yet: the call goes out without credentials and, if the server
 * answers 401, the reason recorded here explains why. */
static void
rpc_client_load_cookie(struct rpc_client *c)
{
	char err[sizeof(c->cookie_err)];
	char *data;
	size_t len, b64len;

	if (c->auth != NULL) {
		sodium_memzero(c->auth, strlen(c->auth));
		free(c->auth);
		c->auth = NULL;
	}
	c->cookie_stale = false;
	if (c->cookie_path == NULL)
		return;
	data = atomicfile_read(c->cookie_path, RPC_COOKIE_FILE_MAX, &len, err,
	    sizeof(err));
	if (data == NULL) {
		str_copy(c->cookie_err, err, sizeof(c->cookie_err));
		return;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' ||
	    data[len - 1] == ' '))
		len--;
	if (len == 0 || memchr(data, ':', len) == NULL) {
		snprintf(c->cookie_err, sizeof(c->cookie_err), "%s: not a cookie file",
		    c->cookie_path);
	} else {
		b64len = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
		c->auth = xmalloc(6 + b64len);
		memcpy(c->auth, "Basic ", 6);
		sodium_bin2base64(c->auth + 6, b64len, (const unsigned char *)data,
		    len, sodium_base64_VARIANT_ORIGINAL);
		c->cookie_err[0] = '\0';
	}
	sodium_memzero(data, len);
	free(data);
}

/* --- one call ----------------------------------------------------------- */

static void
rpc_call_fail(struct rpc_call *call, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
rpc_call_fail(struct rpc_call *call, const char *fmt, ...)
{
	va_list ap;

	call->failed = true;
	call->err.code = RPC_TRANSPORT_ERROR;
	va_start(ap, fmt);
	vsnprintf(call->err.message, sizeof(call->err.message), fmt, ap);
	va_end(ap);
}

static void
rpc_call_finish_later(struct rpc_call *call)
{
	static const struct timeval now = { 0, 0 };

	call->finishing = true;
	evtimer_add(call->ev, &now);
}

/* Time left before the deadline, or false when it has passed.  Deadlines
 * read CLOCK_MONOTONIC itself, not common/clock: they arm libevent timers,
 * which run on real time even while a unit test has frozen the process's
 * clock with clock_fake_start. */
static bool
rpc_call_remaining(const struct rpc_call *call, struct timeval *tv)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(call->deadline.tv_sec - now.tv_sec) * 1000000000LL +
	    (call->deadline.tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return false;
	tv->tv_sec = (time_t)(ns / 1000000000LL);
	tv->tv_usec = (suseconds_t)(ns % 1000000000LL / 1000);
	return true;
}

static void
rpc_call_disconnect(struct rpc_call *call)
{
	if (call->conn != NULL) {
		evhttp_connection_free(call->conn);
		call->conn = NULL;
	}
}

static void
rpc_call_free(struct rpc_call *call)
{
	rpc_call_disconnect(call);
	if (call->ev != NULL)
		event_free(call->ev);
	json_decref(call->result);
	free(call->body);
	if (call->auth != NULL) {
		sodium_memzero(call->auth, strlen(call->auth));
		free(call->auth);
	}
	free(call);
}

/* A JSON-RPC reply to our call: a result, the server's error, or a
 * transport error when it is not a reply to this call at all. */
static void
rpc_call_parse(struct rpc_call *call, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	json_t *doc, *id, *e, *code, *msg, *res;
	json_error_t jerr;

	doc = len > 0 ? json_loadb((const char *)evbuffer_pullup(in, -1), len, 0,
	    &jerr) : NULL;
	id = json_object_get(doc, "id");
	if (!json_is_object(doc) || !json_is_integer(id) ||
	    json_integer_value(id) != call->id) {
		rpc_call_fail(call, "invalid reply: %s", !json_is_object(doc) ?
		    "not a JSON object" : "wrong or missing id");
		goto out;
	}
	e = json_object_get(doc, "error");
	if (e != NULL && !json_is_null(e)) {
		code = json_object_get(e, "code");
		msg = json_object_get(e, "message");
		if (!json_is_integer(code) || !json_is_string(msg) ||
		    json_integer_value(code) < -2147483647 ||
		    json_integer_value(code) > 2147483647) {
			rpc_call_fail(call, "invalid reply: malformed error object");
			goto out;
		}
		call->failed = true;
		call->err.code = (int)json_integer_value(code);
		/* Destined for terminals: no control characters. */
		str_sanitize(json_string_value(msg), json_string_length(msg),
		    call->err.message, sizeof(call->err.message));
	} else if ((res = json_object_get(doc, "result")) != NULL)
		call->result = json_incref(res);
	else
		rpc_call_fail(call, "invalid reply: neither result nor error");
out:
	json_decref(doc);
}

static void
rpc_call_unauthorized(struct rpc_call *call)
{
	struct rpc_client *c = call->c;

	rpc_client_load_cookie(c);
	if (!call->auth_retried && c->auth != NULL &&
	    (call->auth == NULL || strcmp(c->auth, call->auth) != 0)) {
		call->auth_retried = true;
		call->retry = true;
		return;
	}
	if (c->cookie_path == NULL)
		rpc_call_fail(call, "HTTP 401 unauthorized (no cookie file given)");
	else if (c->auth == NULL)
		rpc_call_fail(call, "HTTP 401 unauthorized (%s)", c->cookie_err);
	else
		rpc_call_fail(call, "HTTP 401 unauthorized (cookie %s not accepted)",
		    c->cookie_path);
}

static void
rpc_call_conn_failed(struct rpc_call *call)
{
	struct rpc_client *c = call->c;
	const char *why;

	/* The node may have restarted with a new cookie. */
	c->cookie_stale = true;
	switch (call->http_error) {
	case -1:
		/* libevent 2.1 reports a failed connect without the error
		 * callback (and with errno already clobbered by its clean-up).
		 * Its connect timeout never fires first (rpc_call_start), so
		 * this is a refusal. */
		why = "connection refused";
		break;
	case EVREQ_HTTP_TIMEOUT:
		why = "timeout";
		break;
	case EVREQ_HTTP_EOF:
		why = "connection closed before the reply";
		break;
	case EVREQ_HTTP_INVALID_HEADER:
		why = "invalid HTTP reply";
		break;
	case EVREQ_HTTP_DATA_TOO_LONG:
		why = "reply too large";
		break;
	default:
		why = call->http_errno != 0 ? strerror(call->http_errno) :
		    "connection failed";
		break;
	}
	rpc_call_fail(call, "%s: %s", c->hostport, why);
}

static void
rpc_call_error(enum evhttp_request_error error, void *arg)
{
	struct rpc_call *call = arg;

	/* evhttp restores errno for this callback. */
	call->http_errno = errno;
	call->http_error = (int)error;
}

static void
rpc_call_done(struct evhttp_request *req, void *arg)
{
	struct rpc_call *call = arg;
	int code;
	char reason[64];
	const char *line;

	if (call->finishing)
		return;
	code = req != NULL ? evhttp_request_get_response_code(req) : 0;
	if (code == 0)
		rpc_call_conn_failed(call);
	else if (code == 401)
		rpc_call_unauthorized(call);
	else if (code == 200 || code == 500)
		rpc_call_parse(call, req);
	else {
		line = evhttp_request_get_response_code_line(req);
		str_sanitize(line != NULL ? line : "", line != NULL ? strlen(line) : 0,
		    reason, sizeof(reason));
		rpc_call_fail(call, "HTTP %d %s", code, reason);
	}
	rpc_call_finish_later(call);
}

/* Send the request over a new connection.  Every outcome, including a
 * failure right here, arrives through rpc_call_evcb. */
static void
rpc_call_start(struct rpc_call *call)
{
	struct rpc_client *c = call->c;
	struct evhttp_request *req;
	struct evkeyvalq *h;
	struct timeval tv;

	if (c->cookie_path != NULL && (c->auth == NULL || c->cookie_stale))
		rpc_client_load_cookie(c);
	if (call->auth != NULL) {
		sodium_memzero(call->auth, strlen(call->auth));
		free(call->auth);
	}
	call->auth = c->auth != NULL ? xstrdup(c->auth) : NULL;
	call->http_error = -1;
	call->http_errno = 0;
	call->finishing = false;

	if (!rpc_call_remaining(call, &tv)) {
		rpc_call_fail(call, "timeout after %.1f s", call->timeout);
		rpc_call_finish_later(call);
		return;
	}
	evtimer_add(call->ev, &tv);
	call->conn = evhttp_connection_base_new(c->base, NULL, c->host, c->port);
	if (call->conn == NULL ||
	    (req = evhttp_request_new(rpc_call_done, call)) == NULL) {
		rpc_call_fail(call, "%s: cannot create a connection", c->hostport);
		rpc_call_finish_later(call);
		return;
	}
	/* Our timer is the deadline; libevent's own timeouts only back it up
	 * and must not fire first (see rpc_call_conn_failed). */
	tv.tv_sec++;
	evhttp_connection_set_timeout_tv(call->conn, &tv);
	evhttp_connection_set_retries(call->conn, 0);
	evhttp_connection_set_max_body_size(call->conn, RPC_CLIENT_MAX_REPLY);
	evhttp_connection_set_max_headers_size(call->conn, RPC_CLIENT_MAX_HEADERS);
	evhttp_request_set_error_cb(req, rpc_call_error);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", c->hostport);
	evhttp_add_header(h, "Content-Type", "application/json");
	if (call->auth != NULL)
		evhttp_add_header(h, "Authorization", call->auth);
	evbuffer_add(evhttp_request_get_output_buffer(req), call->body,
	    call->bodylen);
	if (evhttp_make_request(call->conn, req, EVHTTP_REQ_POST, "/") == -1) {
		/* libevent 2.1 leaves REQ to us when the socket cannot be
		 * created (it frees it itself only when strdup("/") fails, which
		 * xmalloc-style out-of-memory would have ended anyway). */
		evhttp_request_free(req);
		rpc_call_fail(call, "%s: cannot connect: %s", c->hostport,
		    strerror(errno));
		rpc_call_finish_later(call);
	}
}

/* Run the callback and forget the call. */
static void
rpc_call_complete(struct rpc_call *call)
{
	struct rpc_client *c = call->c;

	rpc_call_disconnect(call);
	evtimer_del(call->ev);
	TAILQ_REMOVE(&c->calls, call, entry);
	c->ncalls--;
	c->in_callback++;
	call->cb(call->arg, call->failed ? NULL : call->result,
	    call->failed ? &call->err : NULL);
	c->in_callback--;
	rpc_call_free(call);
}

static void
rpc_call_evcb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_call *call = arg;
	struct rpc_client *c = call->c;

	(void)fd;
	(void)what;
	if (!call->finishing)
		rpc_call_fail(call, "%s: timeout after %.1f s", c->hostport,
		    call->timeout);
	else if (call->retry) {
		call->retry = false;
		rpc_call_disconnect(call);
		rpc_call_start(call);
		return;
	}
	rpc_call_complete(call);
	if (c->free_pending && c->in_callback == 0)
		rpc_client_free(c);
}

/* --- the client --------------------------------------------------------- */

struct rpc_client *
rpc_client_new(struct event_base *base, const char *host, uint16_t port,
    const char *cookie_path)
{
	struct rpc_client *c = xcalloc(1, sizeof(*c));

	c->base = base;
	c->host = xstrdup(host);
	c->port = port;
	if (strchr(host, ':') != NULL)
		c->hostport = xasprintf("[%s]:%u", host, (unsigned)port);
	else
		c->hostport = xasprintf("%s:%u", host, (unsigned)port);
	c->cookie_path = cookie_path != NULL ? xstrdup(cookie_path) : NULL;
	c->next_id = 1;
	TAILQ_INIT(&c->calls);
	return c;
}

void
rpc_client_free(struct rpc_client *c)
{
	struct rpc_call *call;

	if (c == NULL)
		return;
	if (c->in_callback > 0) {
		c->free_pending = true;
		return;
	}
	c->closing = true;
	while ((call = TAILQ_FIRST(&c->calls)) != NULL) {
		if (!call->finishing || call->retry)
			rpc_call_fail(call, "cancelled");
		rpc_call_complete(call);
	}
	if (c->auth != NULL) {
		sodium_memzero(c->auth, strlen(c->auth));
		free(c->auth);
	}
	free(c->cookie_path);
	free(c->hostport);
	free(c->host);
	free(c);
}

int
rpc_client_call(struct rpc_client *c, const char *method, json_t *params,
    double timeout_s, rpc_client_cb cb, void *arg)
{
	struct rpc_call *call;
	struct timespec now;
	json_t *req, *m;
	char *body;

	if (params == NULL)
		params = json_array();
	if (c->closing || cb == NULL || method == NULL || *method == '\0' ||
	    (!json_is_array(params) && !json_is_object(params)) ||
	    !(timeout_s > 0 && timeout_s <= RPC_CLIENT_MAX_TIMEOUT) ||
	    (m = json_string(method)) == NULL) {
		json_decref(params);
		return -1;
	}
	req = json_object();
	json_object_set_new(req, "jsonrpc", json_string("2.0"));
	json_object_set_new(req, "id", json_integer(c->next_id));
	json_object_set_new(req, "method", m);
	json_object_set_new(req, "params", params);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (body == NULL)
		return -1;

	call = xcalloc(1, sizeof(*call));
	call->c = c;
	call->id = c->next_id++;
	call->body = body;
	call->bodylen = strlen(body);
	call->timeout = timeout_s;
	call->cb = cb;
	call->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	call->deadline.tv_sec = now.tv_sec + (time_t)timeout_s;
	call->deadline.tv_nsec = now.tv_nsec +
	    (long)((timeout_s - (double)(time_t)timeout_s) * 1e9);
	if (call->deadline.tv_nsec >= 1000000000L) {
		call->deadline.tv_sec++;
		call->deadline.tv_nsec -= 1000000000L;
	}
	if ((call->ev = evtimer_new(c->base, rpc_call_evcb, call)) == NULL) {
		rpc_call_free(call);
		return -1;
	}
	TAILQ_INSERT_TAIL(&c->calls, call, entry);
	c->ncalls++;
	if (c->ncalls > RPC_CLIENT_MAX_PENDING) {
		rpc_call_fail(call, "too many calls in flight (limit %d)",
		    RPC_CLIENT_MAX_PENDING);
		rpc_call_finish_later(call);
	} else
		rpc_call_start(call);
	return 0;
}

/* --- blocking wrapper --------------------------------------------------- */

struct rpc_sync {
	bool			 done;
	json_t			*result;
	struct rpc_error	 err;
};

static void
rpc_sync_cb(void *arg, json_t *result, const struct rpc_error *err)
{
	struct rpc_sync *s = arg;

	s->done = true;
	if (err != NULL)
		s->err = *err;
	else
		s->result = json_incref(result);
}

json_t *
rpc_client_call_sync(struct event_base *base, const char *host, uint16_t port,
    const char *cookie_path, const char *method, json_t *params,
    double timeout_s, struct rpc_error *err)
{
	struct event_base *own = NULL;
	struct rpc_client *c;
	struct rpc_sync s;
	int rc;

	memset(&s, 0, sizeof(s));
	if (base == NULL && (base = own = event_base_new()) == NULL) {
		json_decref(params);
		rpc_error_set(err, RPC_TRANSPORT_ERROR, "cannot create an event loop");
		return NULL;
	}
	c = rpc_client_new(base, host, port, cookie_path);
	rc = rpc_client_call(c, method, params, timeout_s, rpc_sync_cb, &s);
	while (rc == 0 && !s.done && event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	/* Should the loop have stopped early, this cancels the call and
	 * fills S through the callback. */
	rpc_client_free(c);
	if (own != NULL)
		event_base_free(own);
	if (rc == -1) {
		rpc_error_set(err, RPC_TRANSPORT_ERROR, "invalid call of \"%s\"",
		    method != NULL ? method : "(null)");
		return NULL;
	}
	if (s.result == NULL)
		*err = s.err;
	return s.result;
}

int
rpc_endpoint_read(const char *datadir, char *host, size_t hostlen, uint16_t *port,
    char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", datadir, RPC_ENDPOINT_FILE), *data, line[RPC_ENDPOINT_FILE_MAX];
	size_t len;
	struct netaddr a;

	data = atomicfile_read(path, RPC_ENDPOINT_FILE_MAX, &len, err, errlen);
	free(path);
	if (data == NULL)
		return -1;
	snprintf(line, sizeof(line), "%.*s", (int)len, data);
	free(data);
	line[strcspn(line, "\r\n")] = '\0';
	if (netaddr_parse(line, 0, &a) == -1 || a.port == 0) {
		snprintf(err, errlen, "%s/%s: not an ADDR:PORT", datadir, RPC_ENDPOINT_FILE);
		return -1;
	}
	netaddr_format_ip(&a, host, hostlen);
	*port = a.port;
	return 0;
}
