/* fuzz_rpc.c -- libFuzzer target: JSON-RPC request bodies (single, batch, named params, deferred methods) never crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "../../node/rpc_server.h"
#include "hash.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A method table with every kind of params spec and both kinds of method:
 * the dispatch under test is rpc_server's, not these. */
static json_t *
f_echo(void *ctx, json_t *params, struct rpc_error *err)
{
	(void)ctx;
	(void)err;
	return json_incref(params);
}

static json_t *
f_typed(void *ctx, json_t *params, struct rpc_error *err)
{
	const char *s;
	int64_t i;
	bool b;

	(void)ctx;
	if (rpc_param_str(params, 0, NULL, 64, &s, err) == -1 ||
	    rpc_param_int(params, 1, 5, -10, 10, &i, err) == -1 ||
	    rpc_param_bool(params, 2, 0, &b, err) == -1)
		return NULL;
	return json_pack("{s:s, s:I, s:b}", "s", s, "i", (json_int_t)i, "b", b);
}

static json_t *
f_fail(void *ctx, json_t *params, struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	rpc_error_set(err, RPC_MISC_ERROR, "no");
	return NULL;
}

static void
f_forget(void *arg)
{
	(void)arg;
}

/* Answers at once, fails at once, refuses, or stays pending (abandoned
 * when the server is freed), by its first parameter. */
static int
f_later(void *ctx, json_t *params, struct rpc_deferred *d, struct rpc_error *err)
{
	int64_t how;

	(void)ctx;
	if (rpc_param_int(params, 0, 0, 0, 3, &how, err) == -1)
		return -1;
	switch (how) {
	case 0:
		rpc_deferred_reply(d, json_string("done"));
		return 0;
	case 1:
		rpc_deferred_fail(d, RPC_MISC_ERROR, "failed: %d", 1);
		return 0;
	case 2:
		rpc_error_set(err, RPC_INVALID_PARAMETER, "refused");
		return -1;
	default:
		rpc_deferred_on_cancel(d, f_forget, NULL);
		return 0;
	}
}

static const struct rpc_method methods[] = {
	{ .name = "echo", .params = "[values...]", .help = "", .fn = f_echo },
	{ .name = "typed", .params = "<s> [i] [b]", .help = "", .fn = f_typed },
	{ .name = "fail", .params = "", .help = "", .fn = f_fail },
	{ .name = "later", .params = "[how]", .help = "", .defer = f_later },
};

/* The input is the HTTP body of a POST /.  The answer, when there is one,
 * is a JSON-RPC response (object) or a batch of them (array). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event_base *base;
	struct rpc_server *srv;
	json_t *doc;
	char err[256], *out;
	size_t len;

	if (base == NULL) {
		if (hash_init() == -1 || (base = event_base_new()) == NULL)
			abort();
		log_set_level(LOGL_ERROR);
	}
	srv = rpc_server_new_dispatch(base, methods, sizeof(methods) / sizeof(methods[0]),
	    NULL, err, sizeof(err));
	if (srv == NULL)
		abort();
	out = rpc_server_handle(srv, (const char *)data, size, &len);
	if (out != NULL) {
		doc = json_loadb(out, len, 0, NULL);
		if (doc == NULL || (!json_is_object(doc) && !json_is_array(doc)))
			abort();
		json_decref(doc);
		free(out);
	}
	rpc_server_free(srv);
	return 0;
}
