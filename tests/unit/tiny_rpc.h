/* tiny_rpc.h -- a JSON-RPC server in a unit test's own event loop, answering each call as the test says, for the console's source tests.
 *
 * Needs cmocka.h first.  Static inline, for each test file that uses it.
 * Every call gets REPLY when set, else what ANSWER says for its method
 * (the JSON after "id":N, -- a "result" or an "error" member); calls are
 * counted per method. */
#ifndef AGENTCHAIN_TEST_TINY_RPC_H
#define AGENTCHAIN_TEST_TINY_RPC_H

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "proc.h"

#define TINY_METHODS	16
#define TINY_NOTFOUND	"\"error\":{\"code\":-32601,\"message\":\"Method not found\"}"

struct tiny;
/* The answer to METHOD with PARAMS (borrowed); NULL: Method not found.
 * The string must outlive the call (a static buffer is fine). */
typedef const char *(*tiny_answer_fn)(struct tiny *t, const char *method, json_t *params);

struct tiny {
	struct evhttp	*http;
	const char	*reply;		/* every call's answer; NULL: ANSWER's */
	tiny_answer_fn	 answer;
	void		*arg;		/* the test's */
	int		 calls;
	char		 method[64];	/* the last call's */
	char		 seen[TINY_METHODS][64];
	int		 count[TINY_METHODS];
};

/* How many times METHOD was called. */
static inline int
tiny_count(const struct tiny *t, const char *method)
{
	for (int i = 0; i < TINY_METHODS; i++)
		if (strcmp(t->seen[i], method) == 0)
			return t->count[i];
	return 0;
}

static inline void
tiny_note(struct tiny *t, const char *method)
{
	for (int i = 0; i < TINY_METHODS; i++) {
		if (t->seen[i][0] == '\0')
			snprintf(t->seen[i], sizeof(t->seen[i]), "%s", method);
		if (strcmp(t->seen[i], method) == 0) {
			t->count[i]++;
			return;
		}
	}
}

static inline void
tiny_cb(struct evhttp_request *req, void *arg)
{
	struct tiny *t = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *out = evbuffer_new();
	json_t *doc = json_loadb((const char *)evbuffer_pullup(in, -1), evbuffer_get_length(in),
	    0, NULL);
	const char *body;

	t->calls++;
	snprintf(t->method, sizeof(t->method), "%s",
	    json_is_string(json_object_get(doc, "method")) ?
	    json_string_value(json_object_get(doc, "method")) : "");
	tiny_note(t, t->method);
	body = t->reply;
	if (body == NULL && t->answer != NULL)
		body = t->answer(t, t->method, json_object_get(doc, "params"));
	evbuffer_add_printf(out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,%s}",
	    (long long)json_integer_value(json_object_get(doc, "id")),
	    body != NULL ? body : TINY_NOTFOUND);
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
	json_decref(doc);
}

/* Start T in P's loop on 127.0.0.1; returns its port.  evhttp_free(t->http)
 * stops it. */
static inline uint16_t
tiny_start(struct proc *p, struct tiny *t)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	t->http = evhttp_new(proc_base(p));
	evhttp_set_gencb(t->http, tiny_cb, t);
	bs = evhttp_bind_socket_with_handle(t->http, "127.0.0.1", 0);
	assert_non_null(bs);
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin, &sl),
	    0);
	return ntohs(sin.sin_port);
}

#endif
