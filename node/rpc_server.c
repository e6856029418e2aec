/* rpc_server.c -- JSON-RPC 2.0 over HTTP with cookie authentication.
 *
 * evhttp parses HTTP and enforces the body and header caps and the idle
 * timeout; this file authenticates, routes, parses JSON-RPC and dispatches
 * into the caller's method table.  Handlers run synchronously inside the
 * loop: node state is local and every method is quick, so there is no
 * queue and no thread to hand work to.  A method whose outcome takes time
 * (a dial) answers later through a struct rpc_deferred instead.
 *
 * Every connection's bufferevent is made here (evhttp_set_bevcb), with a
 * callback on its input buffer and a close callback on its evhttp
 * connection: that is how the server counts its connections (libevent 2.1
 * has no evhttp_set_max_connections), pauses its listener at the cap, and
 * bounds the time a whole request may take to arrive, which evhttp's idle
 * timeout does not (one byte every few seconds resets it). */
#include "rpc_server.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <sodium.h>
#include <sys/queue.h>

#include "atomicfile.h"
#include "listenguard.h"
#include "log.h"
#include "netaddr.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

#define RPC_NAME_CHARS	"abcdefghijklmnopqrstuvwxyz0123456789_"

/* A method with its params spec parsed once at start-up. */
struct rpc_entry {
	const struct rpc_method	*m;
	bool			 builtin;	/* FN's ctx is the server */
	size_t			 nreq;		/* required params */
	size_t			 nmax;		/* SIZE_MAX: variadic */
	char			**names;
	size_t			 nnames;
};

/* One HTTP connection, as the server counts it. */
struct rpc_conn {
	TAILQ_ENTRY(rpc_conn)	 entry;
	struct rpc_server	*srv;
	struct bufferevent	*bev;		/* evhttp's, made by rpc_conn_new */
	struct evbuffer_cb_entry *in_cb;
	struct event		*setup;		/* finds the evhttp connection */
	struct event		*deadline;	/* the request in progress must be in by then */
	bool			 in_request;	/* bytes of a request seen, not all of it */
	bool			 setup_pending;	/* holds a reference on BEV */
};
TAILQ_HEAD(rpc_conn_list, rpc_conn);

/* A call answered later. */
struct rpc_deferred {
	TAILQ_ENTRY(rpc_deferred) entry;
	struct rpc_server	*srv;
	struct evhttp_request	*req;		/* NULL: nobody waits (notification) */
	json_t			*id;
	struct event		*timer;
	int			 interval_ms;
	void			(*poll)(void *, struct rpc_deferred *);
	void			*poll_arg;
	void			(*cancel)(void *);
	void			*cancel_arg;
	bool			 polling;	/* inside POLL */
	bool			 answered;
};
TAILQ_HEAD(rpc_deferred_list, rpc_deferred);

struct rpc_server {
	struct event_base	*base;
	struct evhttp		*http;		/* NULL: dispatch only (tests, fuzzing) */
	struct evconnlistener	*lev;		/* owned by HTTP */
	struct listenguard	*guard;
	bool			 metrics_only;
	struct rpc_conn_list	 conns;
	size_t			 nconns;
	size_t			 max_conns;
	int			 deadline_ms;
	struct rpc_deferred_list deferred;
	struct rpc_server_stats	 stats;
	uint16_t		 port;
	struct netaddr		 bound;
	char			*cookie_path;
	bool			 cookie_written;
	char			 cookie[RPC_COOKIE_LEN + 1];

	struct rpc_entry	*entries;
	size_t			 nentries;
	void			*ctx;

	void			(*metrics_fn)(void *, struct evbuffer *);
	void			*metrics_ctx;
	bool			 metrics_public;
};

static json_t	*rpc_help(void *, json_t *, struct rpc_error *);

static const struct rpc_method rpc_help_method = {
	.name = "help", .params = "[command]",
	.help = "List all methods, or show the parameters and help of one.",
	.fn = rpc_help,
};

/* --- the method table ---------------------------------------------------- */

static int
rpc_spec_parse(struct rpc_entry *e, const char *spec, char *err, size_t errlen)
{
	const char *p = spec != NULL ? spec : "", *q, *r;
	bool optional = false, variadic;
	char close;
	size_t n;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		if (e->nmax == SIZE_MAX) {
			snprintf(err, errlen, "%s: nothing may follow a variadic parameter",
			    e->m->name);
			return -1;
		}
		close = *p == '<' ? '>' : *p == '[' ? ']' : '\0';
		q = p + 1;
		n = strspn(q, RPC_NAME_CHARS);
		variadic = strncmp(q + n, "...", 3) == 0;
		r = q + n + (variadic ? 3 : 0);
		if (close == '\0' || n == 0 || n > RPC_NAME_MAX || *r != close) {
			snprintf(err, errlen, "%s: bad params spec \"%s\" (want <name> or "
			    "[name] words)", e->m->name, spec);
			return -1;
		}
		if (close == '>') {
			if (optional) {
				snprintf(err, errlen, "%s: required parameter after an "
				    "optional one", e->m->name);
				return -1;
			}
			e->nreq++;
		} else
			optional = true;
		e->names = xreallocarray(e->names, e->nnames + 1, sizeof(*e->names));
		e->names[e->nnames++] = xstrndup(q, n);
		e->nmax = variadic ? SIZE_MAX : e->nmax + 1;
		p = r + 1;
	}
}

static void
rpc_table_free(struct rpc_server *srv)
{
	size_t i, j;

	for (i = 0; i < srv->nentries; i++) {
		for (j = 0; j < srv->entries[i].nnames; j++)
			free(srv->entries[i].names[j]);
		free(srv->entries[i].names);
	}
	free(srv->entries);
	srv->entries = NULL;
	srv->nentries = 0;
}

static const struct rpc_entry *
rpc_table_find(const struct rpc_server *srv, const char *name)
{
	size_t i;

	for (i = 0; i < srv->nentries; i++) {
		if (strcmp(srv->entries[i].m->name, name) == 0)
			return &srv->entries[i];
	}
	return NULL;
}

/* The caller's methods, then the built-in help.  A bad table is a bug in
 * the node, caught at start-up rather than at the first call. */
static int
rpc_table_build(struct rpc_server *srv, const struct rpc_method *methods,
    size_t nmethods, char *err, size_t errlen)
{
	const struct rpc_method *m;
	struct rpc_entry *e;
	size_t i, len;

	srv->entries = xcalloc(nmethods + 1, sizeof(*srv->entries));
	for (i = 0; i <= nmethods; i++) {
		m = i < nmethods ? &methods[i] : &rpc_help_method;
		len = m->name != NULL ? strlen(m->name) : 0;
		if (len == 0 || len > RPC_NAME_MAX ||
		    strspn(m->name, RPC_NAME_CHARS) != len) {
			snprintf(err, errlen, "method %zu: bad name", i);
			return -1;
		}
		if ((m->fn == NULL) == (m->defer == NULL) ||
		    rpc_table_find(srv, m->name) != NULL) {
			snprintf(err, errlen, "method %s: %s", m->name, m->fn == NULL &&
			    m->defer == NULL ? "no function" : m->fn != NULL && m->defer != NULL ?
			    "both fn and defer" : "duplicate (or shadows a built-in)");
			return -1;
		}
		e = &srv->entries[srv->nentries++];
		e->m = m;
		e->builtin = i == nmethods;
		if (rpc_spec_parse(e, m->params, err, errlen) == -1)
			return -1;
	}
	return 0;
}

static void
rpc_help_signature(struct evbuffer *out, const struct rpc_method *m)
{
	evbuffer_add_printf(out, "%s", m->name);
	if (m->params != NULL && *m->params != '\0')
		evbuffer_add_printf(out, " %s", m->params);
}

static json_t *
rpc_help(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_server *srv = ctx;
	const struct rpc_entry *e;
	struct evbuffer *out;
	const char *name;
	json_t *res;
	size_t i;

	if (rpc_param_str(params, 0, "", RPC_NAME_MAX, &name, err) == -1)
		return NULL;
	out = evbuffer_new();
	if (*name != '\0') {
		if ((e = rpc_table_find(srv, name)) == NULL) {
			evbuffer_free(out);
			rpc_error_set(err, RPC_INVALID_PARAMS, "help: unknown command");
			return NULL;
		}
		rpc_help_signature(out, e->m);
		evbuffer_add_printf(out, "\n\n%s", e->m->help != NULL ?
		    e->m->help : "");
	} else {
		for (i = 0; i < srv->nentries; i++) {
			rpc_help_signature(out, srv->entries[i].m);
			evbuffer_add(out, "\n", 1);
		}
	}
	res = json_stringn((const char *)evbuffer_pullup(out, -1),
	    evbuffer_get_length(out));
	evbuffer_free(out);
	if (res == NULL)
		rpc_error_set(err, RPC_INTERNAL_ERROR, "help text is not UTF-8");
	return res;
}

/* --- JSON-RPC ----------------------------------------------------------- */

static const char *
rpc_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
	default:
		return "null";
	}
}

/* A JSON string for MSG; a handler may have cut a UTF-8 sequence in two
 * when its message was truncated, which jansson refuses. */
static json_t *
rpc_json_message(const char *msg)
{
	char safe[RPC_ERROR_MSGLEN];
	json_t *s;

	if ((s = json_string(msg)) != NULL)
		return s;
	str_sanitize(msg, strlen(msg), safe, sizeof(safe));
	return json_string(safe);
}

/* A response object for ID (borrowed; NULL for null) with RESULT (stolen)
 * or, when ERR is not NULL, an error object. */
static json_t *
rpc_response(json_t *id, json_t *result, const struct rpc_error *err)
{
	json_t *r = json_object(), *e;

	json_object_set_new(r, "jsonrpc", json_string("2.0"));
	if (err != NULL) {
		e = json_object();
		json_object_set_new(e, "code", json_integer(err->code));
		json_object_set_new(e, "message", rpc_json_message(err->message));
		json_object_set_new(r, "error", e);
	} else
		json_object_set_new(r, "result", result);
	json_object_set(r, "id", id != NULL ? id : json_null());
	return r;
}

static json_t *
rpc_response_error(json_t *id, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *
rpc_response_verror(json_t *id, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static json_t *
rpc_response_verror(json_t *id, int code, const char *fmt, va_list ap)
{
	struct rpc_error err;

	err.code = code;
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	return rpc_response(id, NULL, &err);
}

static json_t *
rpc_response_error(json_t *id, int code, const char *fmt, ...)
{
	json_t *r;
	va_list ap;

	va_start(ap, fmt);
	r = rpc_response_verror(id, code, fmt, ap);
	va_end(ap);
	return r;
}

/* Named params -> positional array, by the names of the spec.  Returns a
 * new array, or NULL with ERR filled. */
static json_t *
rpc_params_by_name(const struct rpc_entry *e, json_t *obj, struct rpc_error *err)
{
	json_t *arr = json_array(), *v;
	const char *key;
	char safe[RPC_NAME_MAX + 1];
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; i < e->nnames; i++) {
			if (strcmp(e->names[i], key) == 0)
				break;
		}
		if (i == e->nnames) {
			str_sanitize(key, strlen(key), safe, sizeof(safe));
			rpc_error_set(err, RPC_INVALID_PARAMS,
			    "unknown named parameter \"%s\"", safe);
			json_decref(arr);
			return NULL;
		}
		while (json_array_size(arr) <= i)
			json_array_append_new(arr, json_null());
		json_array_set(arr, i, v);
	}
	return arr;
}

/* Where a request came from: its HTTP request (NULL without HTTP) and
 * whether it sits in a batch.  DEFERRED is set when its answer comes
 * later, through a struct rpc_deferred. */
struct rpc_call {
	struct evhttp_request	*req;
	bool			 batch;
	bool			 deferred;
};

static struct rpc_deferred *rpc_deferred_new(struct rpc_server *srv, json_t *id,
    struct evhttp_request *req);
static void rpc_deferred_free(struct rpc_deferred *d);

/* Run the method after checking the param count against its spec.
 * Returns the result (new reference) or NULL with ERR filled; or NULL
 * with CALL->deferred set when a deferred method took the call. */
static json_t *
rpc_invoke(struct rpc_server *srv, const struct rpc_entry *e, json_t *params,
    json_t *id, struct rpc_call *call, struct rpc_error *err)
{
	struct rpc_deferred *d;
	json_t *arr, *res;
	size_t n;

	if (e->m->defer != NULL && call->batch) {
		rpc_error_set(err, RPC_INVALID_REQUEST, "%s answers only once its outcome is "
		    "known and cannot be part of a batch: send it alone", e->m->name);
		return NULL;
	}
	if (params == NULL)
		arr = json_array();
	else if (json_is_object(params)) {
		if ((arr = rpc_params_by_name(e, params, err)) == NULL)
			return NULL;
	} else
		arr = json_incref(params);

	n = json_array_size(arr);
	if (n < e->nreq) {
		rpc_error_set(err, RPC_INVALID_PARAMS,
		    "missing required parameter \"%s\" (%zu given, %zu required)",
		    e->names[n], n, e->nreq);
		json_decref(arr);
		return NULL;
	}
	if (n > e->nmax) {
		rpc_error_set(err, RPC_INVALID_PARAMS,
		    "too many parameters (%zu given, at most %zu)", n, e->nmax);
		json_decref(arr);
		return NULL;
	}
	err->code = 0;
	err->message[0] = '\0';
	if (e->m->defer != NULL) {
		/* A notification's answer goes nowhere: nobody waits. */
		d = rpc_deferred_new(srv, id, id != NULL ? call->req : NULL);
		if (e->m->defer(srv->ctx, arr, d, err) == -1) {
			rpc_deferred_free(d);
			json_decref(arr);
			if (err->code == 0)
				rpc_error_set(err, RPC_INTERNAL_ERROR, "%s failed", e->m->name);
			return NULL;
		}
		json_decref(arr);
		/* Whoever waits (not a notification) gets D's answer. */
		call->deferred = id != NULL;
		return NULL;
	}
	res = e->m->fn(e->builtin ? (void *)srv : srv->ctx, arr, err);
	json_decref(arr);
	if (res == NULL && err->code == 0)
		rpc_error_set(err, RPC_INTERNAL_ERROR, "%s failed", e->m->name);
	return res;
}

/* One request object.  Returns its response, or NULL for a notification
 * (which is answered even when invalid: we cannot tell it was one). */
static json_t *
rpc_handle_one(struct rpc_server *srv, json_t *req, struct rpc_call *call)
{
	const struct rpc_entry *e;
	struct rpc_error err;
	json_t *id, *v, *params, *res;
	const char *method;
	char safe[RPC_NAME_MAX + 1];

	if (!json_is_object(req))
		return rpc_response_error(NULL, RPC_INVALID_REQUEST,
		    "request must be an object, not %s", rpc_json_type(req));
	id = json_object_get(req, "id");
	if (id != NULL && !json_is_string(id) && !json_is_number(id) &&
	    !json_is_null(id))
		return rpc_response_error(NULL, RPC_INVALID_REQUEST,
		    "id must be a string, a number or null");
	v = json_object_get(req, "jsonrpc");
	if (!json_is_string(v) || strcmp(json_string_value(v), "2.0") != 0)
		return rpc_response_error(id, RPC_INVALID_REQUEST,
		    "jsonrpc must be \"2.0\"");
	v = json_object_get(req, "method");
	if (!json_is_string(v))
		return rpc_response_error(id, RPC_INVALID_REQUEST,
		    "method must be a string");
	method = json_string_value(v);
	params = json_object_get(req, "params");
	if (params != NULL && !json_is_array(params) && !json_is_object(params))
		return rpc_response_error(id, RPC_INVALID_REQUEST,
		    "params must be an array or an object");

	str_sanitize(method, json_string_length(v), safe, sizeof(safe));
	if ((e = rpc_table_find(srv, method)) == NULL) {
		log_debug("rpc", "unknown method \"%s\"", safe);
		if (id == NULL)
			return NULL;
		return rpc_response_error(id, RPC_METHOD_NOT_FOUND,
		    "method not found: %s", safe);
	}
	log_debug("rpc", "%s%s", safe, id == NULL ? " (notification)" : "");
	res = rpc_invoke(srv, e, params, id, call, &err);
	if (id == NULL || call->deferred) {
		json_decref(res);
		return NULL;
	}
	return rpc_response(id, res, res == NULL ? &err : NULL);
}

/* The whole body: a request or a batch.  Returns what to send, or NULL
 * when there is nothing to answer (now: CALL->deferred says whether an
 * answer comes later). */
static json_t *
rpc_handle_body(struct rpc_server *srv, const char *data, size_t len, struct rpc_call *call)
{
	json_error_t jerr;
	json_t *doc, *out, *r;
	char safe[sizeof(jerr.text)];
	size_t i, n;

	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (doc == NULL) {
		str_sanitize(jerr.text, strlen(jerr.text), safe, sizeof(safe));
		return rpc_response_error(NULL, RPC_PARSE_ERROR,
		    "parse error at line %d column %d: %s", jerr.line,
		    jerr.column, safe);
	}
	if (!json_is_array(doc)) {
		out = rpc_handle_one(srv, doc, call);
		json_decref(doc);
		return out;
	}
	n = json_array_size(doc);
	if (n == 0 || n > RPC_MAX_BATCH) {
		json_decref(doc);
		return rpc_response_error(NULL, RPC_INVALID_REQUEST,
		    "a batch holds 1 to %d requests, not %zu", RPC_MAX_BATCH, n);
	}
	call->batch = true;
	out = json_array();
	for (i = 0; i < n; i++) {
		if ((r = rpc_handle_one(srv, json_array_get(doc, i), call)) != NULL)
			json_array_append_new(out, r);
	}
	json_decref(doc);
	if (json_array_size(out) == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

char *
rpc_server_handle(struct rpc_server *srv, const char *body, size_t len, size_t *outlen)
{
	struct rpc_call call = { .req = NULL };
	json_t *resp;
	char *text;

	*outlen = 0;
	if (len > RPC_MAX_BODY)
		return NULL;
	if ((resp = rpc_handle_body(srv, body, len, &call)) == NULL)
		return NULL;
	text = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	if (text != NULL)
		*outlen = strlen(text);
	return text;
}

/* --- HTTP --------------------------------------------------------------- */

static int
rpc_dump_cb(const char *buf, size_t size, void *arg)
{
	return evbuffer_add(arg, buf, size);
}

/* evhttp_send_error would drop our headers (WWW-Authenticate, Allow). */
static void
rpc_http_error(struct evhttp_request *req, int code, const char *reason)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; charset=utf-8");
	evbuffer_add_printf(evhttp_request_get_output_buffer(req), "%d %s\n",
	    code, reason);
	evhttp_send_reply(req, code, reason, NULL);
}

/* Send RESP (stolen) as the JSON answer to REQ. */
static void
rpc_http_send_json(struct evhttp_request *req, json_t *resp)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	if (json_dump_callback(resp, rpc_dump_cb, out, JSON_COMPACT) == -1) {
		json_decref(resp);
		evbuffer_drain(out, evbuffer_get_length(out));
		rpc_http_error(req, 500, "Internal Server Error");
		return;
	}
	json_decref(resp);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void
rpc_http_rpc(struct rpc_server *srv, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct rpc_call call = { .req = req };
	size_t len = evbuffer_get_length(in);
	const char *data = "";
	json_t *resp;

	/* evhttp enforces the cap; this keeps the bound visible here. */
	if (len > RPC_MAX_BODY) {
		rpc_http_error(req, 413, "Payload Too Large");
		return;
	}
	if (len > 0)
		data = (const char *)evbuffer_pullup(in, -1);
	resp = rpc_handle_body(srv, data, len, &call);
	if (call.deferred && resp == NULL)
		return;		/* the method answers later */
	if (resp == NULL) {
		evhttp_send_reply(req, 204, "No Content", NULL);
		return;
	}
	rpc_http_send_json(req, resp);
}

static void
rpc_http_metrics(struct rpc_server *srv, struct evhttp_request *req)
{
	srv->metrics_fn(srv->metrics_ctx, evhttp_request_get_output_buffer(req));
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", NULL);
}

/* HTTP Basic with exactly the cookie.  The comparison is constant-time so
 * that response timing does not reveal how much of a guess was right. */
static bool
rpc_http_authorized(const struct rpc_server *srv, struct evhttp_request *req)
{
	const char *h;
	unsigned char dec[RPC_COOKIE_LEN];
	size_t declen, hlen;
	bool ok;

	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return false;
	h += 6;
	while (*h == ' ')
		h++;
	hlen = strlen(h);
	while (hlen > 0 && h[hlen - 1] == ' ')
		hlen--;
	/* Decoding into a buffer of exactly the cookie's size refuses longer
	 * credentials; shorter ones fail the length check. */
	if (sodium_base642bin(dec, sizeof(dec), h, hlen, NULL, &declen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || declen != RPC_COOKIE_LEN)
		return false;
	ok = sodium_memcmp(dec, srv->cookie, RPC_COOKIE_LEN) == 0;
	sodium_memzero(dec, sizeof(dec));
	return ok;
}

static void
rpc_http_method_not_allowed(struct evhttp_request *req, const char *allow)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
	rpc_http_error(req, 405, "Method Not Allowed");
}

static void rpc_conn_request_done(struct rpc_server *srv, struct evhttp_request *req);

static void
rpc_http_cb(struct evhttp_request *req, void *arg)
{
	struct rpc_server *srv = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	bool metrics = path != NULL && strcmp(path, "/metrics") == 0 &&
	    srv->metrics_fn != NULL;
	char *peer = NULL;
	ev_uint16_t port = 0;

	rpc_conn_request_done(srv, req);
	if (metrics && srv->metrics_public && cmd == EVHTTP_REQ_GET) {
		rpc_http_metrics(srv, req);
		return;
	}
	if (srv->metrics_only) {
		/* No cookie, no methods: /metrics (GET) and nothing else. */
		if (metrics)
			rpc_http_method_not_allowed(req, "GET");
		else
			rpc_http_error(req, 404, "Not Found");
		return;
	}
	if (!rpc_http_authorized(srv, req)) {
		evhttp_connection_get_peer(evhttp_request_get_connection(req),
		    &peer, &port);
		log_debug("rpc", "unauthorized request from %s port %u",
		    peer != NULL ? peer : "?", port);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Basic realm=\"jsonrpc\"");
		rpc_http_error(req, 401, "Unauthorized");
		return;
	}
	if (path != NULL && strcmp(path, "/") == 0) {
		if (cmd != EVHTTP_REQ_POST)
			rpc_http_method_not_allowed(req, "POST");
		else
			rpc_http_rpc(srv, req);
	} else if (metrics) {
		if (cmd != EVHTTP_REQ_GET)
			rpc_http_method_not_allowed(req, "GET");
		else
			rpc_http_metrics(srv, req);
	} else
		rpc_http_error(req, 404, "Not Found");
}

/* --- connections ---------------------------------------------------------- */

/* The connection's last request arrived whole: its deadline is off until
 * the first byte of the next. */
static void
rpc_conn_request_done(struct rpc_server *srv, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
	struct rpc_conn *rc;

	TAILQ_FOREACH(rc, &srv->conns, entry)
		if (rc->bev == bev) {
			rc->in_request = false;
			evtimer_del(rc->deadline);
			return;
		}
}

static void
rpc_conn_arm(struct rpc_conn *rc)
{
	struct timeval tv = { rc->srv->deadline_ms / 1000, (rc->srv->deadline_ms % 1000) * 1000 };

	rc->in_request = true;
	evtimer_add(rc->deadline, &tv);
}

/* A request that has not arrived whole in time is a slow client holding a
 * slot (one byte every few seconds keeps evhttp's idle timeout at bay). */
static void
rpc_conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_conn *rc = arg;

	(void)fd;
	(void)what;
	rc->srv->stats.deadline_closed++;
	log_debug("rpc", "closing a connection whose request took over %d ms",
	    rc->srv->deadline_ms);
	/* evhttp treats it as its own timeout and frees the connection,
	 * and with it RC (rpc_conn_freed): touch RC no more. */
	bufferevent_trigger_event(rc->bev, BEV_EVENT_READING | BEV_EVENT_TIMEOUT, 0);
}

/* Bytes arrived: the first of a request starts its deadline. */
static void
rpc_conn_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct rpc_conn *rc = arg;

	(void)buf;
	if (info->n_added > 0 && !rc->in_request)
		rpc_conn_arm(rc);
}

static void
rpc_conn_forget(struct rpc_conn *rc)
{
	struct rpc_server *srv = rc->srv;

	TAILQ_REMOVE(&srv->conns, rc, entry);
	srv->nconns--;
	event_free(rc->deadline);
	event_free(rc->setup);
	free(rc);
	if (srv->nconns < srv->max_conns)
		listenguard_hold(srv->guard, false);
	/* Its descriptor is (about to be) free. */
	listenguard_kick_all();
}

/* evhttp is freeing the connection. */
static void
rpc_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct rpc_conn *rc = arg;

	(void)evcon;
	evbuffer_remove_cb_entry(bufferevent_get_input(rc->bev), rc->in_cb);
	rpc_conn_forget(rc);
}

/* The loop turn after the accept: evhttp has set the connection up and
 * handed it its bufferevent's callbacks, whose argument is the connection.
 * (Nothing can have been read on it yet.) */
static void
rpc_conn_setup_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_conn *rc = arg;
	struct bufferevent *bev = rc->bev;
	void *evcon = NULL;

	(void)fd;
	(void)what;
	rc->setup_pending = false;
	bufferevent_getcb(bev, NULL, NULL, NULL, &evcon);
	if (evcon != NULL) {
		evhttp_connection_set_closecb(evcon, rpc_conn_closed, rc);
	} else {
		/* evhttp dropped it at once (our reference kept BEV valid). */
		evbuffer_remove_cb_entry(bufferevent_get_input(bev), rc->in_cb);
		rpc_conn_forget(rc);
	}
	bufferevent_decref(bev);
}

/* evhttp accepted a connection and wants a bufferevent for it. */
static struct bufferevent *
rpc_conn_new(struct event_base *base, void *arg)
{
	struct rpc_server *srv = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct rpc_conn *rc;

	if (bev == NULL)
		return NULL;
	rc = xcalloc(1, sizeof(*rc));
	rc->srv = srv;
	rc->bev = bev;
	rc->deadline = evtimer_new(base, rpc_conn_deadline_cb, rc);
	rc->setup = event_new(base, -1, 0, rpc_conn_setup_cb, rc);
	rc->in_cb = evbuffer_add_cb(bufferevent_get_input(bev), rpc_conn_input_cb, rc);
	/* Until the setup turn, so that BEV outlives an immediate drop. */
	bufferevent_incref(bev);
	rc->setup_pending = true;
	event_active(rc->setup, EV_TIMEOUT, 0);
	TAILQ_INSERT_TAIL(&srv->conns, rc, entry);
	srv->stats.connections++;
	/* Connecting starts the clock for the first request. */
	rpc_conn_arm(rc);
	if (++srv->nconns >= srv->max_conns) {
		log_debug("rpc", "%zu connections: not accepting more until one closes",
		    srv->nconns);
		listenguard_hold(srv->guard, true);
	}
	return bev;
}

void
rpc_server_set_limits(struct rpc_server *srv, size_t max_conns, int deadline_ms)
{
	srv->max_conns = max_conns > 0 ? max_conns : 1;
	srv->deadline_ms = deadline_ms > 0 ? deadline_ms : 1;
	listenguard_hold(srv->guard, srv->nconns >= srv->max_conns);
}

void
rpc_server_stats(const struct rpc_server *srv, struct rpc_server_stats *out)
{
	struct rpc_deferred *d;

	*out = srv->stats;
	out->open = srv->nconns;
	out->accepting = listenguard_accepting(srv->guard);
	out->accept_failures = listenguard_failures(srv->guard);
	out->deferred_pending = 0;
	TAILQ_FOREACH(d, &srv->deferred, entry)
		out->deferred_pending++;
}

/* --- answers that come later --------------------------------------------- */

/* How often a pending call looks for its client having gone. */
#define RPC_DEFERRED_CHECK_MS	250

static void rpc_deferred_timer_cb(evutil_socket_t, short, void *);

static struct rpc_deferred *
rpc_deferred_new(struct rpc_server *srv, json_t *id, struct evhttp_request *req)
{
	struct rpc_deferred *d = xcalloc(1, sizeof(*d));

	d->srv = srv;
	d->req = req;
	d->id = json_incref(id != NULL ? id : json_null());
	d->interval_ms = RPC_DEFERRED_CHECK_MS;
	d->timer = evtimer_new(srv->base, rpc_deferred_timer_cb, d);
	TAILQ_INSERT_TAIL(&srv->deferred, d, entry);
	srv->stats.deferred++;
	if (req != NULL || d->poll != NULL) {
		struct timeval tv = { 0, RPC_DEFERRED_CHECK_MS * 1000 };
		evtimer_add(d->timer, &tv);
	}
	return d;
}

/* Unlink and free D; its HTTP request is not touched. */
static void
rpc_deferred_free(struct rpc_deferred *d)
{
	if (!d->answered)
		TAILQ_REMOVE(&d->srv->deferred, d, entry);
	event_free(d->timer);
	json_decref(d->id);
	free(d);
}

/* Is the client that waits on REQ gone?  (evhttp reads nothing while a
 * request is being handled, so it would not notice.) */
static bool
rpc_deferred_client_gone(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	evutil_socket_t fd;
	char c;
	ssize_t n;

	if (evcon == NULL || (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (fd = bufferevent_getfd(bev)) < 0)
		return true;
	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* D ends unanswered: tell the method, forget D.  With CLOSE, its client's
 * connection is closed too (and with it the HTTP request). */
static void
rpc_deferred_abandon(struct rpc_deferred *d, bool close)
{
	struct evhttp_connection *evcon = d->req != NULL ?
	    evhttp_request_get_connection(d->req) : NULL;

	if (d->cancel != NULL)
		d->cancel(d->cancel_arg);
	rpc_deferred_free(d);
	if (close && evcon != NULL)
		evhttp_connection_free(evcon);
}

static void
rpc_deferred_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rpc_deferred *d = arg;
	struct timeval tv;

	(void)fd;
	(void)what;
	if (d->req != NULL && rpc_deferred_client_gone(d->req)) {
		log_debug("rpc", "the client of a pending call went away");
		rpc_deferred_abandon(d, true);
		return;
	}
	if (d->poll != NULL) {
		d->polling = true;
		d->poll(d->poll_arg, d);
		d->polling = false;
		if (d->answered) {
			rpc_deferred_free(d);
			return;
		}
	}
	tv.tv_sec = d->interval_ms / 1000;
	tv.tv_usec = (d->interval_ms % 1000) * 1000;
	evtimer_add(d->timer, &tv);
}

void
rpc_deferred_every(struct rpc_deferred *d, int interval_ms,
    void (*fn)(void *arg, struct rpc_deferred *d), void *arg)
{
	struct timeval tv;

	d->poll = fn;
	d->poll_arg = arg;
	d->interval_ms = interval_ms > 0 && interval_ms < RPC_DEFERRED_CHECK_MS ?
	    interval_ms : RPC_DEFERRED_CHECK_MS;
	tv.tv_sec = d->interval_ms / 1000;
	tv.tv_usec = (d->interval_ms % 1000) * 1000;
	if (!d->polling)
		evtimer_add(d->timer, &tv);
}

void
rpc_deferred_on_cancel(struct rpc_deferred *d, void (*fn)(void *arg), void *arg)
{
	d->cancel = fn;
	d->cancel_arg = arg;
}

/* Send RESP (stolen) for D, which is then done. */
static void
rpc_deferred_answer(struct rpc_deferred *d, json_t *resp)
{
	if (d->req != NULL)
		rpc_http_send_json(d->req, resp);
	else
		json_decref(resp);
	TAILQ_REMOVE(&d->srv->deferred, d, entry);
	d->answered = true;
	if (!d->polling)
		rpc_deferred_free(d);
}

void
rpc_deferred_reply(struct rpc_deferred *d, json_t *result)
{
	rpc_deferred_answer(d, rpc_response(d->id, result != NULL ? result : json_null(), NULL));
}

void
rpc_deferred_fail(struct rpc_deferred *d, int code, const char *fmt, ...)
{
	json_t *r;
	va_list ap;

	va_start(ap, fmt);
	r = rpc_response_verror(d->id, code, fmt, ap);
	va_end(ap);
	rpc_deferred_answer(d, r);
}

/* --- set-up ------------------------------------------------------------- */

/* netaddr_parse refuses port 0, which we need for "any free port" (tests,
 * several nodes on one host); peel a ":0" off and parse the rest. */
static int
rpc_listen_parse(const char *s, struct netaddr *out)
{
	size_t len = strlen(s);
	char *copy;
	int rc;

	if (len > 2 && strcmp(s + len - 2, ":0") == 0) {
		copy = xstrndup(s, len - 2);
		/* A bare IPv6 literal's last group is not a port: "::1:0". */
		rc = -1;
		if (copy[len - 3] == ']' || strchr(copy, ':') == NULL)
			rc = netaddr_parse(copy, 1, out);
		free(copy);
		if (rc == 0)
			out->port = 0;
		return rc;
	}
	return netaddr_parse(s, 0, out);
}

static int
rpc_listen(struct rpc_server *srv, const char *listen_addr, char *err,
    size_t errlen)
{
	struct netaddr na;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct evconnlistener *lev;

	if (rpc_listen_parse(listen_addr, &na) == -1) {
		snprintf(err, errlen, "invalid RPC listen address \"%s\" (want "
		    "numeric addr:port)", listen_addr);
		return -1;
	}
	sslen = netaddr_to_sockaddr(&na, &ss);
	lev = evconnlistener_new_bind(srv->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE, -1, (struct sockaddr *)&ss,
	    sslen);
	if (lev == NULL) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen_addr,
		    strerror(errno));
		return -1;
	}
	if (evhttp_bind_listener(srv->http, lev) == NULL) {
		evconnlistener_free(lev);
		snprintf(err, errlen, "cannot serve HTTP on %s", listen_addr);
		return -1;
	}
	srv->lev = lev;
	srv->guard = listenguard_new(srv->base, lev, "rpc");
	sslen = sizeof(ss);
	if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&ss,
	    &sslen) == -1 || netaddr_from_sockaddr(&na, (struct sockaddr *)&ss) == -1) {
		snprintf(err, errlen, "cannot read the bound address: %s",
		    strerror(errno));
		return -1;
	}
	srv->port = na.port;
	srv->bound = na;
	return 0;
}

static int
rpc_cookie_write(struct rpc_server *srv, char *err, size_t errlen)
{
	uint8_t secret[RPC_COOKIE_HEXLEN / 2];
	char hex[RPC_COOKIE_HEXLEN + 1];

	rnd_bytes(secret, sizeof(secret));
	sodium_bin2hex(hex, sizeof(hex), secret, sizeof(secret));
	snprintf(srv->cookie, sizeof(srv->cookie), "%s:%s", RPC_COOKIE_USER, hex);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(hex, sizeof(hex));
	if (atomicfile_write(srv->cookie_path, srv->cookie, RPC_COOKIE_LEN, 0600,
	    err, errlen) == -1)
		return -1;
	srv->cookie_written = true;
	return 0;
}

/* Delete the cookie unless another server has replaced it since. */
static void
rpc_cookie_remove(struct rpc_server *srv)
{
	char err[256];
	char *data;
	size_t len;

	data = atomicfile_read(srv->cookie_path, RPC_COOKIE_FILE_MAX, &len, err,
	    sizeof(err));
	if (data == NULL)
		return;
	if (len == RPC_COOKIE_LEN && memcmp(data, srv->cookie, len) == 0 &&
	    unlink(srv->cookie_path) == -1)
		log_warn("rpc", "cannot remove %s: %s", srv->cookie_path,
		    strerror(errno));
	sodium_memzero(data, len);
	free(data);
}

static struct rpc_server *
rpc_server_alloc(struct event_base *base, void *ctx)
{
	struct rpc_server *srv = xcalloc(1, sizeof(*srv));

	srv->base = base;
	srv->ctx = ctx;
	srv->max_conns = RPC_SERVER_MAX_CONNS;
	srv->deadline_ms = RPC_SERVER_REQUEST_DEADLINE_MS;
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->deferred);
	return srv;
}

/* The HTTP side: limits, our connection filter, the listener. */
static int
rpc_server_http(struct rpc_server *srv, const char *listen_addr, char *err, size_t errlen)
{
	if ((srv->http = evhttp_new(srv->base)) == NULL) {
		snprintf(err, errlen, "cannot create the HTTP server");
		return -1;
	}
	evhttp_set_max_body_size(srv->http, RPC_MAX_BODY);
	evhttp_set_max_headers_size(srv->http, RPC_SERVER_MAX_HEADERS);
	evhttp_set_timeout(srv->http, RPC_SERVER_IDLE_TIMEOUT);
	/* Read and drop the rest of an oversized body before answering 413:
	 * closing at once would reset the connection under a client that is
	 * still sending, and it would see an error instead of the 413. */
	evhttp_set_flags(srv->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_gencb(srv->http, rpc_http_cb, srv);
	evhttp_set_bevcb(srv->http, rpc_conn_new, srv);
	return rpc_listen(srv, listen_addr, err, errlen);
}

struct rpc_server *
rpc_server_new(struct event_base *base, const char *listen_addr,
    const char *cookie_path, const struct rpc_method *methods, size_t nmethods,
    void *ctx, char *err, size_t errlen)
{
	struct rpc_server *srv;
	char str[NETADDR_STRLEN];

	if (cookie_path == NULL || *cookie_path == '\0') {
		snprintf(err, errlen, "no RPC cookie path");
		return NULL;
	}
	srv = rpc_server_alloc(base, ctx);
	srv->cookie_path = xstrdup(cookie_path);
	if (rpc_table_build(srv, methods, nmethods, err, errlen) == -1)
		goto fail;
	if (rpc_server_http(srv, listen_addr, err, errlen) == -1)
		goto fail;
	if (rpc_cookie_write(srv, err, errlen) == -1)
		goto fail;
	netaddr_format(&srv->bound, str, sizeof(str));
	if (netaddr_classify(&srv->bound) != NETADDR_LOOPBACK)
		log_warn("rpc", "listening on %s, which is not loopback: the cookie "
		    "travels in clear", str);
	else
		log_info("rpc", "listening on %s, cookie %s", str, srv->cookie_path);
	return srv;

fail:
	rpc_server_free(srv);
	return NULL;
}

struct rpc_server *
rpc_server_new_metrics(struct event_base *base, const char *listen_addr,
    void (*fn)(void *ctx, struct evbuffer *out), void *ctx, char *err, size_t errlen)
{
	struct rpc_server *srv = rpc_server_alloc(base, NULL);
	char str[NETADDR_STRLEN];

	srv->metrics_only = true;
	srv->metrics_public = true;
	srv->metrics_fn = fn;
	srv->metrics_ctx = ctx;
	if (rpc_server_http(srv, listen_addr, err, errlen) == -1) {
		rpc_server_free(srv);
		return NULL;
	}
	log_info("rpc", "serving /metrics without authentication on %s",
	    netaddr_format(&srv->bound, str, sizeof(str)));
	return srv;
}

struct rpc_server *
rpc_server_new_dispatch(struct event_base *base, const struct rpc_method *methods,
    size_t nmethods, void *ctx, char *err, size_t errlen)
{
	struct rpc_server *srv = rpc_server_alloc(base, ctx);

	if (rpc_table_build(srv, methods, nmethods, err, errlen) == -1) {
		rpc_server_free(srv);
		return NULL;
	}
	return srv;
}

void
rpc_server_free(struct rpc_server *srv)
{
	struct rpc_deferred *d;
	struct rpc_conn *rc;

	if (srv == NULL)
		return;
	/* Pending calls end unanswered: their methods forget them, and
	 * evhttp_free below frees their requests with the connections. */
	while ((d = TAILQ_FIRST(&srv->deferred)) != NULL)
		rpc_deferred_abandon(d, false);
	listenguard_free(srv->guard);
	srv->guard = NULL;
	if (srv->http != NULL)
		evhttp_free(srv->http);
	/* Connections accepted this very loop turn (their close callback
	 * was not set yet). */
	while ((rc = TAILQ_FIRST(&srv->conns)) != NULL) {
		struct bufferevent *bev = rc->bev;
		bool ref = rc->setup_pending;

		evbuffer_remove_cb_entry(bufferevent_get_input(bev), rc->in_cb);
		rpc_conn_forget(rc);
		if (ref)
			bufferevent_decref(bev);
	}
	if (srv->cookie_written)
		rpc_cookie_remove(srv);
	sodium_memzero(srv->cookie, sizeof(srv->cookie));
	rpc_table_free(srv);
	free(srv->cookie_path);
	free(srv);
}

uint16_t
rpc_server_port(const struct rpc_server *srv)
{
	return srv->port;
}

void
rpc_server_set_metrics(struct rpc_server *srv,
    void (*fn)(void *ctx, struct evbuffer *out), void *ctx)
{
	srv->metrics_fn = fn;
	srv->metrics_ctx = ctx;
}

void
rpc_server_set_metrics_public(struct rpc_server *srv, bool public)
{
	srv->metrics_public = public;
}

/* --- parameter helpers -------------------------------------------------- */

/* params[IDX], or NULL when it is absent or null. */
static json_t *
rpc_param_get(const json_t *params, size_t idx)
{
	json_t *v = json_is_array(params) ? json_array_get(params, idx) : NULL;

	return v == NULL || json_is_null(v) ? NULL : v;
}

int
rpc_param_int(const json_t *params, size_t idx, int64_t def, int64_t min,
    int64_t max, int64_t *out, struct rpc_error *err)
{
	json_t *v = rpc_param_get(params, idx);
	json_int_t n;

	if (v == NULL) {
		if (def == RPC_PARAM_REQUIRED) {
			rpc_error_set(err, RPC_INVALID_PARAMS, "parameter %zu is "
			    "required (an integer in [%lld, %lld])", idx + 1,
			    (long long)min, (long long)max);
			return -1;
		}
		*out = def;
		return 0;
	}
	if (!json_is_integer(v)) {
		rpc_error_set(err, RPC_INVALID_PARAMS, "parameter %zu must be an "
		    "integer, not %s", idx + 1, rpc_json_type(v));
		return -1;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		rpc_error_set(err, RPC_INVALID_PARAMS, "parameter %zu is %lld, "
		    "outside [%lld, %lld]", idx + 1, (long long)n, (long long)min,
		    (long long)max);
		return -1;
	}
	*out = n;
	return 0;
}

int
rpc_param_str(const json_t *params, size_t idx, const char *def, size_t maxlen,
    const char **out, struct rpc_error *err)
{
	json_t *v = rpc_param_get(params, idx);

	if (v == NULL) {
		if (def == NULL) {
			rpc_error_set(err, RPC_INVALID_PARAMS, "parameter %zu is "
			    "required (a string)", idx + 1);
			return -1;
		}
		*out = def;
		return 0;
	}
	if (!json_is_string(v)) {
		rpc_error_set(err, RPC_INVALID_PARAMS, "parameter %zu must be a "
		    "string, not %s", idx + 1, rpc_json_type(v));
		return -1;
	}
	if (json_string_length(v) > maxlen) {
		rpc_error_set(err, RPC_INVALID_PARAMS, "parameter %zu is longer "
		    "than %zu bytes", idx + 1, maxlen);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
rpc_param_bool(const json_t *params, size_t idx, int def, bool *out,
    struct rpc_error *err)
{
	json_t *v = rpc_param_get(params, idx);

	if (v == NULL) {
		if (def == RPC_PARAM_REQUIRED_BOOL) {
			rpc_error_set(err, RPC_INVALID_PARAMS, "parameter %zu is "
			    "required (true or false)", idx + 1);
			return -1;
		}
		*out = def != 0;
		return 0;
	}
	if (!json_is_boolean(v)) {
		rpc_error_set(err, RPC_INVALID_PARAMS, "parameter %zu must be true "
		    "or false, not %s", idx + 1, rpc_json_type(v));
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}
