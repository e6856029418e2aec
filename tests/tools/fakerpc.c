/* fakerpc.c -- a fake agentnode JSON-RPC endpoint with N synthetic peers, for console tests and benchmarks.
 *
 *   fakerpc ADDR:PORT NPEERS
 *
 * Answers getnetworkinfo, getpeerinfo, getnetworkstats and listbanned the
 * way agentnode does (no authentication), with peers whose counters grow
 * and latencies wander between polls; disconnectnode drops a peer, setban
 * and addnode are accepted.  Prints "listening" when ready and runs until
 * SIGINT or SIGTERM.  The reply for getpeerinfo is printed straight into
 * the buffer, so 10,000 peers cost the server little next to the client
 * being measured.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "netaddr.h"

static const char *fake_countries[] = { "DE", "US", "JP", "BR", "AU", "ZA", "FR", "GB", "NL", "SG" };
static const char *fake_agents[] = { "/agentnode:0.1.0/", "/agentnode:0.1.1/", "/agentnode:0.2.0/" };

struct fake {
	unsigned	 npeers;
	bool		*gone;
	unsigned long	 tick;
};

static double
fake_ping(unsigned i, unsigned long tick)
{
	/* Deterministic wander: spread over 1-400 ms, changing every poll. */
	return (double)((i * 7919u + tick * 104729u) % 400000u) / 1000.0 + 1.0;
}

static void
fake_peers(struct fake *f, struct evbuffer *out)
{
	bool first = true;

	evbuffer_add(out, "[", 1);
	for (unsigned i = 0; i < f->npeers; i++) {
		double ping = fake_ping(i, f->tick) / 1000.0;
		unsigned long sent = 1000ul * (i % 97 + 1) * (f->tick + 1);

		if (f->gone[i])
			continue;
		evbuffer_add_printf(out, "%s{\"id\":%u,\"addr\":\"10.%u.%u.%u:9001\","
		    "\"direction\":\"%s\",\"connection_type\":\"full\",\"handshake_complete\":true,"
		    "\"services\":3,\"version\":70100,\"subver\":\"%s\",\"startingheight\":%lu,"
		    "\"bytessent\":%lu,\"bytesrecv\":%lu,\"conntime\":%lu,\"connected_seconds\":%lu,"
		    "\"sendrate\":%u.5,\"recvrate\":%u.25,\"lastsend\":0,\"lastrecv\":0,"
		    "\"pingtime\":%.6f,\"minping\":%.6f,\"avgping\":%.6f,\"pingwait\":null,"
		    "\"latency_history_ms\":[%.3f,%.3f,%.3f],"
		    "\"quality\":{\"score\":%u,\"reliability\":0.9},"
		    "\"reputation\":{\"score\":%d,\"violations\":[]},"
		    "\"country\":\"%s\",\"asn\":%u}",
		    first ? "" : ",", i + 1, (i >> 16) & 255, (i >> 8) & 255, i & 255,
		    i % 3 == 0 ? "outbound" : "inbound", fake_agents[i % 3], 1000 + f->tick,
		    sent, sent * 2, 1795000000ul + i, 60ul * (i % 1000) + f->tick,
		    i % 5000, i % 7000, ping, ping / 2, ping * 0.8, ping * 900, ping * 1000,
		    ping * 1100, 40 + i % 60, 100 - (int)(i % 7), fake_countries[i % 10],
		    64500 + i % 50);
		first = false;
	}
	evbuffer_add(out, "]", 1);
}

static void
fake_reply(struct evhttp_request *req, json_int_t id, struct evbuffer *result)
{
	struct evbuffer *out = evbuffer_new();

	evbuffer_add_printf(out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":", (long long)id);
	evbuffer_add_buffer(out, result);
	evbuffer_add(out, "}", 1);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static void
fake_request(struct evhttp_request *req, void *arg)
{
	struct fake *f = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req), *res;
	json_t *doc = json_loadb((const char *)evbuffer_pullup(in, -1), evbuffer_get_length(in),
	    0, NULL);
	json_t *idj = json_object_get(doc, "id"), *params = json_object_get(doc, "params");
	const char *m = json_string_value(json_object_get(doc, "method"));
	json_int_t id = json_is_integer(idj) ? json_integer_value(idj) : 0;
	unsigned live = 0;

	if (m == NULL) {
		evhttp_send_error(req, 400, "bad request");
		json_decref(doc);
		return;
	}
	for (unsigned i = 0; i < f->npeers; i++)
		live += !f->gone[i];
	res = evbuffer_new();
	if (strcmp(m, "getpeerinfo") == 0) {
		fake_peers(f, res);
		f->tick++;
	} else if (strcmp(m, "getnetworkinfo") == 0) {
		evbuffer_add_printf(res, "{\"version\":\"0.1.0\",\"subversion\":\"/fakerpc/\","
		    "\"protocolversion\":70100,\"network\":\"regtest\",\"connections\":%u,"
		    "\"connections_in\":%u,\"connections_out\":%u,\"min_peers\":8,\"max_peers\":%u,"
		    "\"height\":%lu,\"totalbytesrecv\":%lu,\"totalbytessent\":%lu,\"uptime\":%lu,"
		    "\"addrman_new\":100,\"addrman_tried\":50,\"banned\":0,\"networkhealth\":80}",
		    live, live - live / 3, live / 3, f->npeers + 100, 1000 + f->tick,
		    f->tick * 123456ul, f->tick * 65432ul, f->tick);
	} else if (strcmp(m, "getnetworkstats") == 0) {
		evbuffer_add_printf(res, "{\"TotalNodes\":%u,\"ActiveNodes\":%u,"
		    "\"GeographicSpread\":{\"DE\":%u,\"US\":%u},\"AverageLatency\":200.5,"
		    "\"NetworkHealth\":80}", f->npeers * 3, live, live / 2, live - live / 2);
	} else if (strcmp(m, "listbanned") == 0) {
		evbuffer_add_printf(res, "[]");
	} else if (strcmp(m, "disconnectnode") == 0) {
		json_t *a = json_array_get(params, 0);
		json_int_t pid = json_is_integer(a) ? json_integer_value(a) : 0;

		if (pid >= 1 && pid <= (json_int_t)f->npeers && !f->gone[pid - 1]) {
			f->gone[pid - 1] = true;
			evbuffer_add_printf(res, "null");
		} else {
			evbuffer_free(res);
			res = evbuffer_new();
			evbuffer_add_printf(res, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":{\"code\":-1,"
			    "\"message\":\"node not found in connected nodes\"}}", (long long)id);
			evhttp_send_reply(req, 200, "OK", res);
			evbuffer_free(res);
			json_decref(doc);
			return;
		}
	} else {
		evbuffer_add_printf(res, "null");
	}
	fake_reply(req, id, res);
	evbuffer_free(res);
	json_decref(doc);
}

static void
fake_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct event_base *base;
	struct evhttp *http;
	struct event *si, *st;
	struct fake f;
	char host[NETADDR_HOSTLEN];
	uint16_t port;
	long n;

	if (argc != 3 || netaddr_split_hostport(argv[1], 0, host, &port) == -1 || port == 0 ||
	    (n = strtol(argv[2], NULL, 10)) < 0 || n > 1000000) {
		fprintf(stderr, "usage: fakerpc ADDR:PORT NPEERS\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&f, 0, sizeof(f));
	f.npeers = (unsigned)n;
	f.gone = calloc(f.npeers + 1, sizeof(*f.gone));
	base = event_base_new();
	http = evhttp_new(base);
	evhttp_set_max_body_size(http, 1 << 20);
	evhttp_set_gencb(http, fake_request, &f);
	if (f.gone == NULL || evhttp_bind_socket(http, host, port) != 0) {
		fprintf(stderr, "fakerpc: cannot listen on %s\n", argv[1]);
		return 1;
	}
	si = evsignal_new(base, SIGINT, fake_signal, base);
	st = evsignal_new(base, SIGTERM, fake_signal, base);
	event_add(si, NULL);
	event_add(st, NULL);
	printf("listening\n");
	fflush(stdout);
	event_base_dispatch(base);
	event_free(si);
	event_free(st);
	evhttp_free(http);
	event_base_free(base);
	free(f.gone);
	return 0;
}
