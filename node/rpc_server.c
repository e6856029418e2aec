/* rpc_server.c -- JSON-RPC 2.0 over HTTP with cookie authentication.
 *
 * evhttp parses HTTP and enforces the body and header caps and the idle
 * timeout; this file authenticates, routes, parses JSON-RPC and dispatches
 * into the caller's method table.  Handlers run synchronously inside the
 * loop: node state is local and every method is quick, so there is no
 * queue and no thread to hand work to. */
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
#include <event2/http.h>
#include <event2/listener.h>
#include <sodium.h>

#include "atomicfile.h"
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

struct rpc_server {
	struct event_base	*base;
	struct evhttp		*http;
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
	"help", "[command]",
	"List all methods, or show the parameters and help of one.",
	rpc_help
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
		if (m->fn == NULL || rpc_table_find(srv, m->name) != NULL) {
			snprintf(err, errlen, "method %s: %s", m->name, m->fn == NULL ?
			    "no function" : "duplicate (or shadows a built-in)");
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
rpc_response_error(json_t *id, int code, const char *fmt, ...)
{
	struct rpc_error err;
	va_list ap;

	err.code = code;
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	return rpc_response(id, NULL, &err);
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

/* Run the method after checking the param count against its spec.
 * Returns the result (new reference) or NULL with ERR filled. */
static json_t *
rpc_invoke(struct rpc_server *srv, const struct rpc_entry *e, json_t *params,
    struct rpc_error *err)
{
	json_t *arr, *res;
	size_t n;

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
	res = e->m->fn(e->builtin ? (void *)srv : srv->ctx, arr, err);
	json_decref(arr);
	if (res == NULL && err->code == 0)
		rpc_error_set(err, RPC_INTERNAL_ERROR, "%s failed", e->m->name);
	return res;
}

/* One request object.  Returns its response, or NULL for a notification
 * (which is answered even when invalid: we cannot tell it was one). */
static json_t *
rpc_handle_one(struct rpc_server *srv, json_t *req)
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
	res = rpc_invoke(srv, e, params, &err);
	if (id == NULL) {
		json_decref(res);
		return NULL;
	}
	return rpc_response(id, res, res == NULL ? &err : NULL);
}

/* The whole body: a request or a batch.  Returns what to send, or NULL
 * when there is nothing to answer. */
static json_t *
rpc_handle_body(struct rpc_server *srv, const char *data, size_t len)
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
		out = rpc_handle_one(srv, doc);
		json_decref(doc);
		return out;
	}
	n = json_array_size(doc);
	if (n == 0 || n > RPC_MAX_BATCH) {
		json_decref(doc);
		return rpc_response_error(NULL, RPC_INVALID_REQUEST,
		    "a batch holds 1 to %d requests, not %zu", RPC_MAX_BATCH, n);
	}
	out = json_array();
	for (i = 0; i < n; i++) {
		if ((r = rpc_handle_one(srv, json_array_get(doc, i))) != NULL)
			json_array_append_new(out, r);
	}
	json_decref(doc);
	if (json_array_size(out) == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
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

static void
rpc_http_rpc(struct rpc_server *srv, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
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
	if ((resp = rpc_handle_body(srv, data, len)) == NULL) {
		evhttp_send_reply(req, 204, "No Content", NULL);
		return;
	}
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

	if (metrics && srv->metrics_public && cmd == EVHTTP_REQ_GET) {
		rpc_http_metrics(srv, req);
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
	srv = xcalloc(1, sizeof(*srv));
	srv->base = base;
	srv->ctx = ctx;
	srv->cookie_path = xstrdup(cookie_path);
	if (rpc_table_build(srv, methods, nmethods, err, errlen) == -1)
		goto fail;
	if ((srv->http = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "cannot create the HTTP server");
		goto fail;
	}
	evhttp_set_max_body_size(srv->http, RPC_MAX_BODY);
	evhttp_set_max_headers_size(srv->http, RPC_SERVER_MAX_HEADERS);
	evhttp_set_timeout(srv->http, RPC_SERVER_IDLE_TIMEOUT);
	/* Read and drop the rest of an oversized body before answering 413:
	 * closing at once would reset the connection under a client that is
	 * still sending, and it would see an error instead of the 413. */
	evhttp_set_flags(srv->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_gencb(srv->http, rpc_http_cb, srv);
	if (rpc_listen(srv, listen_addr, err, errlen) == -1)
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

void
rpc_server_free(struct rpc_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->http != NULL)
		evhttp_free(srv->http);
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
