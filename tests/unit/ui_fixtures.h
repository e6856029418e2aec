/* ui_fixtures.h -- RPC answers as agentnode gives them, and an event recorder, for the console's unit tests.
 *
 * Needs cmocka.h first.  Static inline, for each test file that uses it: peers, getnetworkinfo
 * and getnetworkstats answers to feed source_apply, a callback that keeps
 * the events a source reports, and checks of a drawn grid. */
#ifndef AGENTCHAIN_TEST_UI_FIXTURES_H
#define AGENTCHAIN_TEST_UI_FIXTURES_H

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "../../tui/grid.h"
#include "../../tui/source.h"

static inline json_t *
peer(uint64_t id, const char *addr, const char *dir, double ping_ms, const char *ua,
    const char *cc)
{
	json_t *p = json_pack("{s:I, s:s, s:s, s:s, s:b, s:i, s:s, s:i, s:I, s:I, s:I, s:I}",
	    "id", (json_int_t)id, "addr", addr, "direction", dir, "connection_type", "full",
	    "handshake_complete", 1, "version", 70100, "subver", ua, "startingheight", 7,
	    "bytessent", (json_int_t)(id * 1000), "bytesrecv", (json_int_t)(id * 2000),
	    "conntime", (json_int_t)1795000000, "connected_seconds", (json_int_t)(100 * id));

	json_object_set_new(p, "pingtime", ping_ms < 0 ? json_null() : json_real(ping_ms / 1000));
	json_object_set_new(p, "minping", ping_ms < 0 ? json_null() : json_real(ping_ms / 2000));
	json_object_set_new(p, "country", cc != NULL ? json_string(cc) : json_null());
	json_object_set_new(p, "reputation", json_pack("{s:i, s:[]}", "score", 100,
	    "violations"));
	json_object_set_new(p, "quality", json_pack("{s:i, s:f}", "score", 50,
	    "reliability", 0.9));
	json_object_set_new(p, "latency_history_ms", json_pack("[f, f]", ping_ms, ping_ms));
	return p;
}

static inline json_t *
info(void)
{
	return json_pack("{s:s, s:i, s:i, s:i, s:I, s:I, s:i}", "network", "regtest", "height", 5,
	    "connections_in", 2, "connections_out", 1, "totalbytesrecv", (json_int_t)1000,
	    "totalbytessent", (json_int_t)2000, "networkhealth", 77);
}

static inline json_t *
stats(void)
{
	return json_pack("{s:I, s:i, s:{s:i, s:i}, s:f, s:i}", "TotalNodes", (json_int_t)12,
	    "ActiveNodes", 3, "GeographicSpread", "DE", 2, "JP", 1, "AverageLatency", 12.5,
	    "NetworkHealth", 77);
}

/* Peers 1..3: pings 30, 10, 20 ms. */
static inline json_t *
three_peers(void)
{
	return json_pack("[o, o, o]",
	    peer(1, "10.0.0.1:9001", "outbound", 30, "/agentnode:0.1.0/", "DE"),
	    peer(2, "10.0.0.2:9001", "inbound", 10, "/other:2.0/", "JP"),
	    peer(3, "10.0.0.3:9001", "inbound", 20, "/agentnode:0.1.0/", "DE"));
}

static inline void
apply(struct source *s, json_t *peers, json_t *bans, double now)
{
	json_t *i = info(), *st = stats();
	char err[128];

	assert_int_equal(source_apply(s, i, peers, st, bans, now, err, sizeof(err)), 0);
	json_decref(i);
	json_decref(st);
	json_decref(peers);
	json_decref(bans);
}

struct events {
	int			 n;
	enum source_event	 kind[256];
	char			 text[256][256];
};

static inline void
on_event(struct source *s, enum source_event kind, const char *text, void *arg)
{
	struct events *e = arg;

	(void)s;
	if (e->n < 256) {
		e->kind[e->n] = kind;
		snprintf(e->text[e->n], sizeof(e->text[0]), "%s", text);
		e->n++;
	}
}

static inline int
count_kind(const struct events *e, enum source_event k)
{
	int n = 0;

	for (int i = 0; i < e->n; i++)
		n += e->kind[i] == k;
	return n;
}

/* Does a row of G show TEXT?  Its row into *ROW (may be NULL). */
static inline bool
grid_has(const struct grid *g, const char *text, int *row)
{
	char buf[4096];

	for (int y = 0; y < g->h; y++) {
		grid_row_text(g, y, buf, sizeof(buf));
		if (strstr(buf, text) != NULL) {
			if (row != NULL)
				*row = y;
			return true;
		}
	}
	return false;
}

/* Does a row of G show both A and B? */
static inline bool
grid_row_has(const struct grid *g, const char *a, const char *b)
{
	char buf[4096];

	for (int y = 0; y < g->h; y++) {
		grid_row_text(g, y, buf, sizeof(buf));
		if (strstr(buf, a) != NULL && strstr(buf, b) != NULL)
			return true;
	}
	return false;
}

/* Each view fills the rectangle it is given: its boxes reach every corner
 * of R in an ASCII grid (issue 16: the map used 24 of 43 rows, views left
 * rows blank). */
static inline void
assert_corners(const struct grid *g, struct rect r, const char *what)
{
	const uint32_t c[4] = {
		grid_at(g, r.x, r.y)->ch, grid_at(g, r.x + r.w - 1, r.y)->ch,
		grid_at(g, r.x, r.y + r.h - 1)->ch, grid_at(g, r.x + r.w - 1, r.y + r.h - 1)->ch,
	};

	for (int i = 0; i < 4; i++)
		if (c[i] != '+')
			fail_msg("%s at %dx%d: corner %d is '%c', not a box", what, r.w, r.h, i,
			    (int)c[i]);
}

#endif
