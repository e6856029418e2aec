/* test_ui_cockpit.c -- issue 16: delta polling, per-peer history, alerts, the Overview and Bans views, scaled charts, the boxed layout, mouse regions, log filter and action outcomes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "../../tui/alerts.h"
#include "../../tui/chart.h"
#include "../../tui/fmt.h"
#include "../../tui/grid.h"
#include "../../tui/keys.h"
#include "../../tui/source.h"
#include "../../tui/ui_bans.h"
#include "../../tui/ui_frame.h"
#include "../../tui/ui_geo.h"
#include "../../tui/ui_latency.h"
#include "../../tui/ui_log.h"
#include "../../tui/ui_network.h"
#include "../../tui/ui_overview.h"
#include "../../tui/ui_peers.h"
#include "proc.h"
#include "tiny_rpc.h"
#include "ui_fixtures.h"

/* --- helpers --------------------------------------------------------------- */

/* Peer ID with PINGS pings sent, PONGS answered, the node's latency
 * history HIST (N values, the last one the current ping). */
static json_t *
peer_pings(uint64_t id, const double *hist, size_t n, unsigned pings, unsigned pongs)
{
	char addr[32];
	json_t *p, *h = json_array();

	snprintf(addr, sizeof(addr), "10.0.0.%llu:9001", (unsigned long long)id);
	p = peer(id, addr, "inbound", n > 0 ? hist[n - 1] : -1, "/x/", "DE");
	for (size_t i = 0; i < n; i++)
		json_array_append_new(h, json_real(hist[i]));
	json_object_set_new(p, "latency_history_ms", h);
	json_object_set_new(p, "bytes_by_type", json_pack("{s:{s:i, s:i}, s:{s:i, s:i}}",
	    "ping", "sent", (int)pings, "recv", 0, "pong", "sent", 0, "recv", (int)pongs));
	return p;
}

static json_t *
changes(int64_t version, bool full, json_t *peers, json_t *removed)
{
	return json_pack("{s:I, s:b, s:o, s:o}", "version", (json_int_t)version, "full", full,
	    "peers", peers, "removed", removed);
}

/* Apply a round whose peers are PEERS (getpeerinfo or getpeerchanges;
 * stolen) with getnetworkinfo INFO (stolen; NULL: the fixture's) and
 * getblockchaininfo CHAIN (stolen, may be NULL). */
static void
round_with(struct source *s, json_t *peers, json_t *inf, json_t *chain, double now)
{
	struct source_answers a = { .info = inf != NULL ? inf : info(), .peers = peers,
	    .stats = stats(), .bans = json_array(), .chain = chain };
	char err[128];

	if (source_apply_answers(s, &a, now, 1.8e9 + now, err, sizeof(err)) != 0)
		fail_msg("apply: %s", err);
	json_decref(a.info);
	json_decref(a.peers);
	json_decref(a.stats);
	json_decref(a.bans);
	json_decref(a.chain);
}

/* --- getpeerchanges -------------------------------------------------------- */

/*
 * Issue 16 item 7: watching 10,000 peers cost 16-28% of a core, almost
 * all in re-reading the whole getpeerinfo every second.  The console now
 * passes back the version and applies only what changed, in place; an
 * empty delta changes nothing, so nothing is re-sorted or redrawn for it.
 */
static void
test_delta_polling_applies_only_changes(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct events *e = calloc(1, sizeof(*e));
	uint64_t pg, gen;

	(void)state;
	source_set_callbacks(s, NULL, on_event, e);
	round_with(s, changes(10, true, three_peers(), json_array()), NULL, NULL, 1);
	assert_int_equal(s->npeers, 3);
	assert_int_equal(s->peer_version, 10);
	pg = s->peers_gen;

	/* Peer 2 changed, peer 3 left; peer 1 is untouched and stays. */
	e->n = 0;
	round_with(s, changes(12, false, json_pack("[o]", peer(2, "10.0.0.2:9001", "inbound", 50,
	    "/other:2.0/", "JP")), json_pack("[i]", 3)), NULL, NULL, 2);
	assert_int_equal(s->npeers, 2);
	assert_int_equal(s->peer_version, 12);
	assert_true(fabs(source_peer(s, 2)->ping_ms - 50) < 1e-9);
	assert_non_null(source_peer(s, 1));
	assert_null(source_peer(s, 3));
	assert_int_equal(s->changed_last, 2);
	assert_true(s->peers_gen > pg);
	assert_int_equal(count_kind(e, SEV_DISCONNECT), 1);
	assert_non_null(strstr(e->text[0], "#3 10.0.0.3:9001"));

	/* Nothing changed: no new generation, nothing to re-sort. */
	pg = s->peers_gen;
	gen = s->generation;
	e->n = 0;
	round_with(s, changes(12, false, json_array(), json_array()), NULL, NULL, 3);
	assert_int_equal(s->peers_gen, pg);
	assert_int_equal(s->generation, gen);
	assert_int_equal(s->changed_last, 0);
	assert_int_equal(e->n, 0);

	/* A newcomer is a connect. */
	round_with(s, changes(13, false, json_pack("[o]", peer(4, "10.0.0.4:9001", "outbound", 5,
	    "/y/", "US")), json_array()), NULL, NULL, 4);
	assert_int_equal(s->npeers, 3);
	assert_int_equal(count_kind(e, SEV_CONNECT), 1);

	/* A version from the past (the node restarted): nothing applied,
	 * and the next round asks for everything. */
	round_with(s, changes(2, false, json_pack("[o]", peer(9, "10.0.0.9:9001", "inbound", 5,
	    "/z/", "US")), json_array()), NULL, NULL, 5);
	assert_null(source_peer(s, 9));
	assert_int_equal(s->peer_version, 0);

	/* A whole table: whoever is not in it has left. */
	e->n = 0;
	round_with(s, changes(3, true, json_pack("[o]", peer(1, "10.0.0.1:9001", "outbound", 30,
	    "/agentnode:0.1.0/", "DE")), json_array()), NULL, NULL, 6);
	assert_int_equal(s->npeers, 1);
	assert_non_null(source_peer(s, 1));
	assert_int_equal(count_kind(e, SEV_DISCONNECT), 2);
	assert_int_equal(s->peer_version, 3);

	/* A failed round asks for everything next time. */
	source_fail(s, "timeout", 7);
	assert_int_equal(s->peer_version, 0);
	free(e);
	source_free(s);
}

static void
test_delta_rejects_bad_shapes(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct source_answers a = { .info = info(), .stats = stats(), .bans = json_array() };
	json_t *bad[] = {
		json_pack("{s:s, s:[]}", "version", "x", "peers"),
		json_pack("{s:i, s:{}}", "version", 1, "peers"),
		json_pack("{s:i, s:[], s:{}}", "version", 1, "peers", "removed"),
		json_pack("{s:i, s:[]}", "version", -1, "peers"),
		json_string("peers"),
	};
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.peers = bad[i];
		assert_int_equal(source_apply_answers(s, &a, 1, 1, err, sizeof(err)), -1);
		assert_true(strlen(err) > 0);
		assert_false(s->have_data);
		json_decref(bad[i]);
	}
	/* Junk inside a well-formed answer is skipped, not trusted. */
	a.peers = changes(5, false, json_pack("[i, s, {s:I}]", 1, "x", "id", (json_int_t)7),
	    json_pack("[s, i, i]", "3", -4, 99));
	assert_int_equal(source_apply_answers(s, &a, 1, 1, err, sizeof(err)), 0);
	assert_int_equal(s->npeers, 1);
	assert_non_null(source_peer(s, 7));
	json_decref(a.peers);
	json_decref(a.info);
	json_decref(a.stats);
	json_decref(a.bans);
	source_free(s);
}

/*
 * Issue 16 item 3: there was no per-peer latency over time, and with the
 * node's 120 s ping interval the first two minutes had one sample.  The
 * console keeps each peer's samples across polls: seeded with the node's
 * own history when first seen, then one per pong.
 */
static void
test_peer_latency_kept_across_polls(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	static const double h1[] = { 10, 11 }, h2[] = { 10, 11, 12.5 }, h3[] = { 12.5, 13, 14 };
	double v[SOURCE_PEERHIST];
	int64_t t[SOURCE_PEERHIST];
	const struct peer_info *p;
	json_t *q;
	size_t n;

	(void)state;
	round_with(s, changes(2, true, json_pack("[o]", peer_pings(1, h1, 2, 2, 2)), json_array()),
	    NULL, NULL, 1);
	p = source_peer(s, 1);
	assert_int_equal(p->hist_n, 2);			/* the node's history */
	n = source_peer_history(p, v, t, SOURCE_PEERHIST);
	assert_int_equal(n, 2);
	assert_true(v[0] == 10 && v[1] == 11);
	assert_int_equal(t[0], 0);			/* from before the console */
	/* One more pong: one more sample, with its time. */
	round_with(s, changes(3, false, json_pack("[o]", peer_pings(1, h2, 3, 3, 3)), json_array()),
	    NULL, NULL, 2);
	p = source_peer(s, 1);
	n = source_peer_history(p, v, t, SOURCE_PEERHIST);
	assert_int_equal(n, 3);
	assert_true(v[2] == 12.5);
	assert_true(t[2] > 0);
	/* Bytes moved, no pong: no sample. */
	q = peer_pings(1, h2, 3, 4, 3);
	json_object_set_new(q, "bytessent", json_integer(99999));
	round_with(s, changes(4, false, json_pack("[o]", q), json_array()), NULL, NULL, 3);
	assert_int_equal(source_peer(s, 1)->hist_n, 3);
	/* Two pongs: the newest two of the node's history. */
	round_with(s, changes(5, false, json_pack("[o]", peer_pings(1, h3, 3, 6, 5)), json_array()),
	    NULL, NULL, 4);
	p = source_peer(s, 1);
	n = source_peer_history(p, v, NULL, SOURCE_PEERHIST);
	assert_int_equal(n, 5);
	assert_true(v[3] == 13 && v[4] == 14);
	/* Jitter: mean step of 10, 11, 12.5, 13, 14 = (1 + 1.5 + 0.5 + 1) / 4. */
	assert_true(fabs(source_peer_jitter(p) - 1.0) < 1e-9);
	/* Loss: 6 pings, 5 pongs, none waiting. */
	assert_true(fabs(source_peer_loss(p) - 1.0 / 6) < 1e-9);
	/* A bounded ring: old samples go. */
	for (int i = 0; i < 100; i++) {
		double h[1] = { 100.0 + i };

		round_with(s, changes(6 + i, false, json_pack("[o]", peer_pings(1, h, 1,
		    (unsigned)(7 + i), (unsigned)(6 + i))), json_array()), NULL, NULL, 5 + i);
	}
	p = source_peer(s, 1);
	n = source_peer_history(p, v, NULL, SOURCE_PEERHIST);
	assert_int_equal(n, SOURCE_PEERHIST);
	assert_true(v[SOURCE_PEERHIST - 1] == 199);
	assert_true(v[0] == 199 - SOURCE_PEERHIST + 1);
	/* A short request gets the newest. */
	assert_int_equal(source_peer_history(p, v, NULL, 2), 2);
	assert_true(v[0] == 198 && v[1] == 199);
	source_free(s);
}

static void
test_connectivity_and_chain(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct grid *g = grid_new(120, 1, false);
	json_t *inf = info();
	char row[256];

	(void)state;
	json_object_set_new(inf, "connectivityhealth", json_integer(91));
	round_with(s, three_peers(), inf, NULL, 1);
	assert_int_equal(s->info.health, 91);		/* not networkhealth's 77 */
	assert_false(s->info.has_chain);
	ui_frame_header(g, 0, s, 0, 1, false, 1, 0, 2);
	grid_row_text(g, 0, row, sizeof(row));
	assert_non_null(strstr(row, "connectivity 91"));
	assert_null(strstr(row, "health 9"));
	assert_non_null(strstr(row, "height 5 "));
	/* getblockchaininfo, when the node has it, gives the height. */
	round_with(s, three_peers(), NULL, json_pack("{s:i, s:i}", "blocks", 50, "headers", 60), 2);
	assert_int_equal(s->info.health, 77);		/* the older name */
	assert_true(s->info.has_chain);
	assert_int_equal(s->info.height, 50);
	ui_frame_header(g, 0, s, 0, 1, false, 1, 0, 3);
	grid_row_text(g, 0, row, sizeof(row));
	assert_non_null(strstr(row, "height 50/60"));
	grid_free(g);
	source_free(s);
}

/* --- action outcomes ----------------------------------------------------- */

/*
 * Issue 16: "actions say 'done' when the node failed".  addnode answers
 * with the outcome; "failed" is a failure with the node's reason.
 */
static void
test_addnode_failed_is_a_failure_not_done(void **state)
{
	char msg[256];
	json_t *r;

	(void)state;
	r = json_pack("{s:s, s:s, s:s}", "node", "1.2.3.4:9", "result", "failed", "error",
	    "connection refused");
	assert_false(source_addnode_outcome("1.2.3.4:9", r, msg, sizeof(msg)));
	assert_string_equal(msg, "add node 1.2.3.4:9 failed: connection refused");
	json_decref(r);
	r = json_pack("{s:s}", "result", "connected");
	assert_true(source_addnode_outcome("1.2.3.4:9", r, msg, sizeof(msg)));
	assert_string_equal(msg, "add node 1.2.3.4:9: connected");
	json_decref(r);
	r = json_pack("{s:s}", "result", "added");
	assert_true(source_addnode_outcome("1.2.3.4:9", r, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "added, not connected yet"));
	json_decref(r);
	r = json_pack("{s:i}", "result", 5);
	assert_false(source_addnode_outcome("1.2.3.4:9", r, msg, sizeof(msg)));
	json_decref(r);
	r = json_null();
	assert_true(source_addnode_outcome("1.2.3.4:9", r, msg, sizeof(msg)));
	assert_null(strstr(msg, "done"));
	json_decref(r);
}

/* What a node answers METHOD (tiny_rpc.h); ARG true: an older node
 * without getpeerchanges. */
static const char *
tiny_node(struct tiny *t, const char *method, json_t *params)
{
	bool legacy = t->arg != NULL;

	(void)params;
	if (strcmp(method, "getnetworkinfo") == 0 || strcmp(method, "getnetworkstats") == 0)
		return "\"result\":{\"connections\":1}";
	if (strcmp(method, "listbanned") == 0)
		return "\"result\":[]";
	if (strcmp(method, "getpeerchanges") == 0)
		return legacy ? NULL : "\"result\":{\"version\":3,\"full\":true,"
		    "\"peers\":[{\"id\":1,\"addr\":\"10.0.0.1:9001\"}],\"removed\":[]}";
	if (strcmp(method, "getpeerinfo") == 0)
		return "\"result\":[{\"id\":1,\"addr\":\"10.0.0.1:9001\"}]";
	return NULL;
}

struct outcome {
	struct proc	*p;
	bool		 called, ok;
	char		 msg[512];
};

static void
outcome_cb(struct source *s, bool ok, const char *msg, void *arg)
{
	struct outcome *o = arg;

	(void)s;
	o->called = true;
	o->ok = ok;
	snprintf(o->msg, sizeof(o->msg), "%s", msg);
	proc_exit(o->p, 0);
}

/*
 * An RPC error is a failure with the node's message, never "done"; a
 * success says what happened to what.
 */
static void
test_action_rpc_error_is_a_failure_with_its_message(void **state)
{
	struct proc *p = proc_new("test");
	struct tiny t = { .answer = tiny_node };
	struct source *s;
	struct outcome o = { .p = p };

	(void)state;
	s = source_new(p, "n1", "127.0.0.1", tiny_start(p, &t), NULL, 60, 2);
	t.reply = "\"error\":{\"code\":-1,\"message\":\"10.9.0.0/16 was not banned\"}";
	assert_int_equal(source_unban(s, "10.9.0.0/16", outcome_cb, &o), 0);
	proc_exit(p, 10000);		/* a bound, not the expected end */
	assert_int_equal(proc_run(p), 0);
	assert_true(o.called);
	assert_false(o.ok);
	assert_string_equal(o.msg, "lift the ban on 10.9.0.0/16 failed: 10.9.0.0/16 was not banned");
	/* (The poll an action triggers may have reached the server since.) */
	assert_int_equal(tiny_count(&t, "setban"), 1);
	/* A success names what it did. */
	o.called = false;
	t.reply = "\"result\":null";
	assert_int_equal(source_ban(s, "10.9.0.0/16", 7200, outcome_cb, &o), 0);
	proc_exit(p, 10000);
	assert_int_equal(proc_run(p), 0);
	if (!o.called || !o.ok)
		fail_msg("ban: called %d ok %d: %s", o.called, o.ok, o.msg);
	assert_string_equal(o.msg, "10.9.0.0/16 banned for 2h00m");
	/* addnode's outcome "failed" arrives as a result, and is a failure. */
	o.called = false;
	t.reply = "\"result\":{\"node\":\"127.0.0.1:1\",\"result\":\"failed\","
	    "\"error\":\"connection refused\"}";
	assert_int_equal(source_addnode(s, "127.0.0.1:1", outcome_cb, &o), 0);
	proc_exit(p, 10000);
	assert_int_equal(proc_run(p), 0);
	assert_true(o.called);
	assert_false(o.ok);
	assert_string_equal(o.msg, "add node 127.0.0.1:1 failed: connection refused");
	source_free(s);
	evhttp_free(t.http);
	proc_free(p);
}

static void
stop_when_up(struct source *s, void *arg)
{
	if (s->state == SOURCE_UP)
		proc_exit(arg, 0);
}

/*
 * A node given by its data directory that comes back on another address is
 * followed there (its .rpc-endpoint); a node without getblockchaininfo is
 * not down for it, and one without getpeerchanges is asked getpeerinfo.
 */
static void
test_source_follows_endpoint_and_falls_back(void **state)
{
	struct proc *p = proc_new("test");
	struct tiny t = { .answer = tiny_node };
	struct source *s;
	char dir[64], file[96];
	uint16_t port = tiny_start(p, &t);
	FILE *fp;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_ui_cockpit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/.rpc-endpoint", dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fprintf(fp, "127.0.0.1:%u\n", (unsigned)port);
	fclose(fp);
	/* Nothing listens on port 1; the file says where the node is now. */
	s = source_new(p, "n1", "127.0.0.1", 1, NULL, 0.05, 2);
	source_set_datadir(s, dir);
	source_set_callbacks(s, stop_when_up, NULL, p);
	source_start(s);
	proc_exit(p, 10000);		/* a bound, not the expected end */
	assert_int_equal(proc_run(p), 0);
	assert_int_equal(s->state, SOURCE_UP);
	assert_int_equal(s->port, port);
	assert_true(s->rounds_failed >= 1);
	assert_true(s->lacks[SQ_CHAIN]);	/* "Method not found": no chain, not down */
	assert_false(s->no_delta);
	assert_int_equal(s->peer_version, 3);
	assert_non_null(source_peer(s, 1));
	assert_int_equal(tiny_count(&t, "getpeerinfo"), 0);
	source_free(s);

	/* An older node: getpeerchanges is "Method not found". */
	t.arg = &t;		/* legacy */
	s = source_new(p, "n2", "127.0.0.1", port, NULL, 0.05, 2);
	source_set_callbacks(s, stop_when_up, NULL, p);
	source_start(s);
	proc_exit(p, 10000);
	assert_int_equal(proc_run(p), 0);
	assert_int_equal(s->state, SOURCE_UP);
	assert_true(s->no_delta);
	assert_true(tiny_count(&t, "getpeerinfo") > 0);
	assert_non_null(source_peer(s, 1));
	source_free(s);
	evhttp_free(t.http);
	proc_free(p);
	unlink(file);
	rmdir(dir);
}

/* --- alerts -------------------------------------------------------------- */

struct raised {
	int		n;
	char		last[200];
};

static void
on_raise(const struct alert *a, void *arg)
{
	struct raised *r = arg;

	r->n++;
	snprintf(r->last, sizeof(r->last), "%s", a->text);
}

static void
test_alerts_across_nodes(void **state)
{
	struct alert_cfg cfg = { .min_peers = 0, .health = 50, .health_drop = 20,
	    .health_window = 300, .down_after = 5, .stall = 600, .hold = 60 };
	struct alerts *al = alerts_new(&cfg, 2);
	struct source *a = source_new(NULL, "alpha", "127.0.0.1", 1, NULL, 1, 1);
	struct source *b = source_new(NULL, "bravo", "127.0.0.1", 2, NULL, 1, 1);
	struct raised r = { 0 };
	const struct alert *list[16];
	json_t *inf;

	(void)state;
	alerts_set_callback(al, on_raise, &r);
	inf = info();
	json_object_set_new(inf, "min_peers", json_integer(8));
	json_object_set_new(inf, "connections", json_integer(3));
	round_with(a, three_peers(), inf, NULL, 0);
	round_with(b, three_peers(), NULL, json_pack("{s:i, s:i}", "blocks", 9, "headers", 9), 0);
	/* alpha: 1 outbound peer, its min_peers (outbound to keep) 8. */
	assert_true(alerts_check(al, 0, a, 10));
	assert_false(alerts_check(al, 1, b, 10));
	assert_int_equal(r.n, 1);
	assert_string_equal(r.last, "outbound peers 1, fewer than its min_peers 8");
	assert_int_equal(alerts_count(al), 1);
	assert_int_equal(alerts_count_node(al, 0), 1);
	/* A check that finds the same says nothing new. */
	assert_false(alerts_check(al, 0, a, 11));
	assert_int_equal(r.n, 1);

	/* bravo goes down: an alert only after down_after seconds, whatever
	 * node is selected; its data alerts stop meaning anything. */
	source_fail(b, "connection refused", 20);
	alerts_check(al, 1, b, 22);
	assert_int_equal(alerts_count_node(al, 1), 0);
	alerts_check(al, 1, b, 25);
	assert_int_equal(alerts_count_node(al, 1), 1);
	assert_string_equal(r.last, "down 5s: connection refused");
	/* Back: cleared by itself. */
	round_with(b, three_peers(), NULL, json_pack("{s:i, s:i}", "blocks", 9, "headers", 9), 30);
	alerts_check(al, 1, b, 30);
	assert_int_equal(alerts_count_node(al, 1), 0);
	/* The height does not move for stall seconds. */
	alerts_check(al, 1, b, 500);
	assert_int_equal(alerts_count_node(al, 1), 0);
	alerts_check(al, 1, b, 700);
	assert_int_equal(alerts_count_node(al, 1), 1);
	assert_non_null(strstr(r.last, "height stalled at 9"));
	round_with(b, three_peers(), NULL, json_pack("{s:i, s:i}", "blocks", 10, "headers", 10), 701);
	alerts_check(al, 1, b, 701);
	assert_int_equal(alerts_count_node(al, 1), 0);

	/* Health: below the threshold, and a fast fall. */
	inf = info();
	json_object_set_new(inf, "connectivityhealth", json_integer(90));
	round_with(b, three_peers(), inf, NULL, 800);
	alerts_check(al, 1, b, 800);
	inf = info();
	json_object_set_new(inf, "connectivityhealth", json_integer(45));
	round_with(b, three_peers(), inf, NULL, 810);
	alerts_check(al, 1, b, 810);
	assert_int_equal(alerts_count_node(al, 1), 2);
	assert_int_equal(alerts_list(al, list, 16), 3);
	assert_int_equal(list[0]->node, 1);		/* newest first */

	/* Bans and violations: one alert per node and kind, with a count;
	 * they stay hold seconds after the last, or until cleared. */
	assert_true(alerts_event(al, 0, a, SEV_BAN, "ban 10.0.0.9/32", 900));
	assert_true(alerts_event(al, 0, a, SEV_BAN, "ban 10.0.0.8/32", 901));
	assert_false(alerts_event(al, 0, a, SEV_CONNECT, "connect #4", 901));
	assert_int_equal(alerts_count_node(al, 0), 2);
	alerts_list(al, list, 16);
	assert_string_equal(list[0]->text, "2x, last ban 10.0.0.8/32");
	assert_string_equal(list[0]->label, "alpha");
	assert_false(alerts_tick(al, 950));
	assert_true(alerts_tick(al, 962));
	assert_int_equal(alerts_count_node(al, 0), 1);
	alerts_event(al, 0, a, SEV_VIOLATION, "violation #2", 970);
	assert_int_equal(alerts_count_node(al, 0), 2);
	alerts_ack(al);
	assert_int_equal(alerts_count_node(al, 0), 1);
	assert_string_equal(alerts_kind_name(AL_VIOLATION), "violation");
	alerts_free(al);
	/* console.alert_min_peers counts every peer. */
	cfg.min_peers = 4;
	al = alerts_new(&cfg, 2);
	alerts_set_callback(al, on_raise, &r);
	assert_true(alerts_check(al, 0, a, 2000));
	assert_string_equal(r.last, "peers 3, fewer than 4");
	alerts_free(al);
	source_free(a);
	source_free(b);
}

/* --- views ----------------------------------------------------------------- */

/*
 * Issue 16: "a watched node that goes down is visible only while it is
 * the selected node".  The Overview lists every node with its state and
 * the reason, and the alert, whichever node is selected.
 */
static void
test_down_node_shown_in_overview(void **state)
{
	struct alert_cfg cfg = { .health = 50, .hold = 60 };
	struct source *src[2];
	struct alerts *al = alerts_new(&cfg, 2);
	struct ui_log log;
	struct grid *g = grid_new(120, 30, true);
	struct ui_overview_in in = { .src = src, .nsrc = 2, .cur = 0, .alerts = al, .log = &log,
	    .interval = 1, .now = 50 };
	const struct grid_hit *h;
	char row[1024];
	int y = 0;

	(void)state;
	src[0] = source_new(NULL, "alpha", "127.0.0.1", 1, NULL, 1, 1);
	src[1] = source_new(NULL, "bravo", "127.0.0.1", 2, NULL, 1, 1);
	ui_log_init(&log);
	round_with(src[0], three_peers(), NULL, NULL, 1);
	source_fail(src[1], "127.0.0.1:2: connection refused", 20);
	alerts_check(al, 0, src[0], 50);
	alerts_check(al, 1, src[1], 50);
	ui_log_add(&log, 0, SEV_STATE, "bravo", "bravo unreachable: connection refused");
	ui_overview_draw(g, (struct rect){ 0, 0, 120, 30 }, &in);
	assert_true(grid_has(g, "Nodes", NULL));
	assert_true(grid_has(g, "alpha", &y));
	grid_row_text(g, y, row, sizeof(row));
	assert_non_null(strstr(row, "live"));
	assert_true(grid_has(g, "down 30s: 127.0.0.1:2: connection refused", &y));
	grid_row_text(g, y, row, sizeof(row));
	assert_non_null(strstr(row, "bravo"));
	/* The row is a mouse region naming node 2. */
	h = grid_hit_at(g, 5, y);
	assert_non_null(h);
	assert_int_equal(h->kind, HIT_NODE_ROW);
	assert_int_equal(h->value, 1);
	/* The alert and the event are there too. */
	assert_true(grid_has(g, "Alerts", NULL));
	assert_true(grid_has(g, "down      bravo", &y));
	grid_row_text(g, y, row, sizeof(row));
	if (strstr(row, "down 30s: 127.0.0.1") == NULL)
		fail_msg("alert row: %s", row);
	assert_int_equal(grid_hit_at(g, 100, y)->kind, HIT_ALERT);
	assert_int_equal(grid_hit_at(g, 100, y)->value, 1);
	assert_true(grid_has(g, "bravo unreachable", NULL));
	assert_true(grid_has(g, "Trends: alpha", NULL));
	ui_log_free(&log);
	grid_free(g);
	alerts_free(al);
	source_free(src[0]);
	source_free(src[1]);
}

/*
 * Issue 16: "the latency history starts its axis at zero, so 1.22-1.30 ms
 * draws as a solid block".  Charts are scaled to the data they show.
 */
static void
test_latency_axis_scaled_to_data(void **state)
{
	struct grid *g = grid_new(48, 8, false);
	double v[40];
	char row[128];
	int low = 0, high = 0;

	(void)state;
	for (int i = 0; i < 40; i++)
		v[i] = 1.22 + 0.08 * i / 39.0;
	chart_trend(g, (struct rect){ 0, 0, 48, 8 }, GC_BAR, v, 40, 7, fmt_latency, true);
	grid_row_text(g, 0, row, sizeof(row));
	assert_non_null(strstr(row, "1.31ms"));		/* top: just above the data */
	grid_row_text(g, 7, row, sizeof(row));
	assert_non_null(strstr(row, "1.21ms"));		/* bottom: just below, not 0 */
	/* The oldest (lowest) column is short, the newest is full height. */
	for (int y = 0; y < 8; y++) {
		low += grid_at(g, 8, y)->ch != ' ';
		high += grid_at(g, 47, y)->ch != ' ';
	}
	assert_true(low <= 1);
	assert_int_equal(high, 8);
	/* A flat line sits in the middle, not at the top or bottom. */
	for (int i = 0; i < 40; i++)
		v[i] = 1.25;
	grid_clear(g);
	chart_trend(g, (struct rect){ 0, 0, 48, 8 }, GC_BAR, v, 40, 7, fmt_latency, false);
	assert_int_equal(grid_at(g, 47, 0)->ch, ' ');
	assert_int_equal(grid_at(g, 47, 7)->ch, ' ');
	grid_free(g);
}

static void
test_line_chart_spreads_and_joins(void **state)
{
	struct grid *g = grid_new(10, 2, true);
	double v[2] = { 0, 10 };
	int cells = 0;

	(void)state;
	/* Two values over ten cells: a line from the bottom left to the top
	 * right, every column drawn. */
	chart_line(g, (struct rect){ 0, 0, 10, 2 }, GC_BAR, v, 2, 0, 10);
	for (int x = 0; x < 10; x++) {
		bool any = false;

		for (int y = 0; y < 2; y++)
			any |= grid_at(g, x, y)->ch >= 0x2800 && grid_at(g, x, y)->ch <= 0x28ff;
		cells += any;
	}
	assert_int_equal(cells, 10);
	assert_true(grid_at(g, 0, 1)->ch != ' ');	/* starts at the bottom */
	assert_true(grid_at(g, 9, 0)->ch != ' ');	/* ends at the top */
	assert_true(grid_at(g, 0, 0)->ch == ' ');
	grid_free(g);
}

static void
test_views_fill_the_terminal(void **state)
{
	static const int sizes[][2] = { { 80, 24 }, { 160, 45 }, { 250, 70 } };
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct source *src[1] = { s };
	struct alert_cfg cfg = { .health = 50 };
	struct alerts *al = alerts_new(&cfg, 1);
	struct ui_peers v;
	struct ui_bans b;
	struct ui_log log;

	(void)state;
	round_with(s, three_peers(), NULL, NULL, 1);
	ui_log_init(&log);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct grid *g = grid_new(sizes[k][0], sizes[k][1], false);
		struct rect body = { 0, 2, g->w, g->h - 3 };
		struct ui_overview_in in = { .src = src, .nsrc = 1, .alerts = al, .log = &log,
		    .interval = 1, .now = 2 };
		char row[1024];

		ui_frame_header(g, 0, s, 0, 1, false, 1, 2, 2);
		/* The header reaches the right edge: the alert count is there. */
		grid_row_text(g, 0, row, sizeof(row));
		assert_true(strlen(row) >= (size_t)g->w - 1);
		assert_non_null(strstr(row, "! 2 alerts"));
		ui_overview_draw(g, body, &in);
		assert_corners(g, body, "overview");
		grid_clear(g);
		ui_peers_init(&v, 0, false);
		ui_peers_draw(&v, s, g, body, 1);
		assert_corners(g, body, "peers");
		grid_clear(g);
		ui_latency_draw(g, body, s, &v, 1, 1);
		assert_corners(g, body, "latency");
		ui_peers_free(&v);
		grid_clear(g);
		ui_geo_draw(g, body, s, NULL, NULL, false);
		assert_corners(g, body, "geo");
		grid_clear(g);
		ui_network_draw(g, body, NULL);
		assert_corners(g, body, "network");
		grid_clear(g);
		ui_bans_init(&b);
		ui_bans_draw(&b, s, g, body, 0);
		assert_corners(g, body, "bans");
		grid_clear(g);
		ui_log_draw(&log, g, body);
		assert_corners(g, body, "log");
		grid_free(g);
	}
	ui_log_free(&log);
	alerts_free(al);
	source_free(s);
}

/* Issue 16: "GeographicSpread" (a field name) was a title; marks had no
 * count or legend. */
static void
test_geo_titles_legend_and_counts(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct grid *g = grid_new(140, 40, true);
	struct geo_place pl[8];

	(void)state;
	round_with(s, three_peers(), NULL, NULL, 1);
	/* Two peers in Frankfurt, one in Tokyo. */
	for (size_t i = 0; i < 3; i++) {
		struct peer_info *p = &s->peers[i];

		p->has_loc = true;
		p->lat = strcmp(p->country, "JP") == 0 ? 35.7 : 50.1;
		p->lon = strcmp(p->country, "JP") == 0 ? 139.7 : 8.7;
		snprintf(p->city, sizeof(p->city), "%s", strcmp(p->country, "JP") == 0 ? "Tokyo" :
		    "Frankfurt");
	}
	assert_int_equal(ui_geo_places(s, pl, 8), 2);
	assert_string_equal(pl[0].name, "DE Frankfurt");
	assert_int_equal(pl[0].n, 2);
	ui_geo_draw(g, (struct rect){ 0, 0, 140, 40 }, s, NULL, NULL, false);
	assert_false(grid_has(g, "GeographicSpread", NULL));
	assert_true(grid_has(g, "Countries", NULL));
	assert_true(grid_has(g, "Places", NULL));
	assert_true(grid_has(g, "DE Frankfurt", NULL));
	assert_true(grid_has(g, "\xe2\x97\x8f one", NULL));		/* the legend */
	assert_true(grid_has(g, "3 peers in 2 places", NULL));
	assert_true(grid_has(g, "\xe2\x97\x89" "2", NULL));		/* the count beside */
	grid_free(g);
	source_free(s);
}

static void
test_bans_view_selects_by_subnet(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct grid *g = grid_new(100, 12, false);
	struct ui_bans b;
	const struct grid_hit *h;
	int y = 0;

	(void)state;
	ui_bans_init(&b);
	apply(s, three_peers(), json_pack("[{s:s, s:I, s:I, s:s}, {s:s, s:I, s:I, s:s}]",
	    "address", "10.9.0.0/16", "ban_created", (json_int_t)1000, "banned_until",
	    (json_int_t)(1000 + 7200), "reason", "manual", "address", "10.1.2.3/32", "ban_created",
	    (json_int_t)1000, "banned_until", (json_int_t)(1000 + 60), "reason", "misbehaving"), 1);
	assert_string_equal(ui_bans_selected(&b, s)->address, "10.1.2.3/32");	/* sorted */
	ui_bans_action(&b, s, ACT_DOWN);
	assert_string_equal(ui_bans_selected(&b, s)->address, "10.9.0.0/16");
	ui_bans_draw(&b, s, g, (struct rect){ 0, 0, 100, 12 }, 1000);
	assert_true(grid_has(g, "Bans of n1", NULL));
	assert_true(grid_has(g, "2 bans", NULL));
	assert_true(grid_has(g, "10.9.0.0/16", &y));
	assert_true(grid_has(g, "2h00m", NULL));			/* time left */
	assert_true(grid_has(g, "misbehaving", NULL));
	h = grid_hit_at(g, 10, y);
	assert_int_equal(h->kind, HIT_BAN_ROW);
	ui_bans_select_row(&b, s, (long)h->value);
	assert_string_equal(ui_bans_selected(&b, s)->address, "10.9.0.0/16");
	/* The first ban is lifted: the selection stays on its subnet. */
	apply(s, three_peers(), json_pack("[{s:s, s:I, s:I, s:s}]", "address", "10.9.0.0/16",
	    "ban_created", (json_int_t)1000, "banned_until", (json_int_t)8200, "reason", "manual"), 2);
	assert_string_equal(ui_bans_selected(&b, s)->address, "10.9.0.0/16");
	apply(s, three_peers(), json_array(), 3);
	assert_null(ui_bans_selected(&b, s));
	assert_false(ui_bans_action(&b, s, ACT_QUIT));
	grid_free(g);
	source_free(s);
}

/* Issue 16 item 4: the log can be filtered by kind and searched. */
static void
test_log_filter_and_search(void **state)
{
	struct ui_log l;
	struct grid *g = grid_new(100, 12, false);

	(void)state;
	ui_log_init(&l);
	ui_log_add(&l, 0, SEV_CONNECT, "alpha", "connect #1 10.0.0.1:9001");
	ui_log_add(&l, 0, SEV_BAN, "alpha", "ban 10.0.0.9/32 until ...");
	ui_log_add(&l, 0, SEV_CONNECT, "bravo", "connect #2 10.0.0.2:9001");
	ui_log_add(&l, 0, SEV_ALERT, "bravo", "bravo down 5s");
	ui_log_draw(&l, g, (struct rect){ 0, 0, 100, 12 });
	assert_true(grid_has(g, "4 of 4 held", NULL));
	/* Kinds in turn: node, conn, ... */
	ui_log_next_kind(&l);
	ui_log_next_kind(&l);
	assert_int_equal(l.kind, SEV_CONNECT);
	grid_clear(g);
	ui_log_draw(&l, g, (struct rect){ 0, 0, 100, 12 });
	assert_true(grid_has(g, "Log: conn", NULL));
	assert_true(grid_has(g, "2 of 4 held", NULL));
	assert_false(grid_has(g, "ban 10.0.0.9", NULL));
	/* With a search, case-insensitive, over node and text. */
	ui_log_set_search(&l, "BRAVO");
	grid_clear(g);
	ui_log_draw(&l, g, (struct rect){ 0, 0, 100, 12 });
	assert_true(grid_has(g, "1 of 4 held", NULL));
	assert_true(grid_has(g, "connect #2", NULL));
	assert_false(grid_has(g, "connect #1", NULL));
	/* Esc shows everything again. */
	assert_true(ui_log_action(&l, ACT_CANCEL));
	assert_int_equal(l.kind, -1);
	assert_string_equal(l.search, "");
	assert_false(ui_log_action(&l, ACT_CANCEL));
	/* All, then each kind, then all again. */
	for (int i = 0; i < SEV_COUNT + 2; i++)
		ui_log_next_kind(&l);
	assert_int_equal(l.kind, SEV_STATE);
	assert_string_equal(ui_log_kind_name(SEV_ALERT), "alert");
	ui_log_free(&l);
	grid_free(g);
}

/* Issue 16 item 5: tabs are mouse regions naming their view. */
static void
test_tabs_and_columns_are_mouse_regions(void **state)
{
	struct grid *g = grid_new(120, 2, false);
	struct ui_peers v;
	char row[256];
	const struct grid_hit *h;
	int x;

	(void)state;
	ui_frame_tabs(g, 1, VIEW_PEERS, false);
	grid_row_text(g, 1, row, sizeof(row));
	x = (int)(strstr(row, "3 Geo") - row);
	h = grid_hit_at(g, x + 2, 1);
	assert_non_null(h);
	assert_int_equal(h->kind, HIT_TAB);
	assert_int_equal(h->value, VIEW_GEO);
	x = (int)(strstr(row, "6 Bans") - row);
	assert_int_equal(grid_hit_at(g, x, 1)->value, VIEW_BANS);
	assert_null(grid_hit_at(g, 100, 0));
	/* A click on a header sorts by it, a second one reverses. */
	ui_peers_init(&v, 0, false);
	ui_peers_sort_by(&v, ui_peers_column("ping"));
	assert_int_equal(v.sort_col, ui_peers_column("ping"));
	assert_false(v.reverse);
	ui_peers_sort_by(&v, ui_peers_column("ping"));
	assert_true(v.reverse);
	ui_peers_sort_by(&v, 999);
	assert_int_equal(v.sort_col, ui_peers_column("ping"));
	ui_peers_free(&v);
	/* Regions are clipped to the grid and bounded in number. */
	grid_clear(g);
	for (int i = 0; i < GRID_MAXHITS + 10; i++)
		grid_hit(g, (struct rect){ -5, -5, 500, 500 }, HIT_TAB, i);
	assert_int_equal(g->nhits, GRID_MAXHITS);
	assert_int_equal(grid_hit_at(g, 119, 1)->value, GRID_MAXHITS - 1);
	assert_int_equal(g->hits[0].r.w, 120);
	grid_free(g);
}

static void
test_peer_selection_by_click(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct ui_peers v;

	(void)state;
	round_with(s, three_peers(), NULL, NULL, 1);
	ui_peers_init(&v, ui_peers_column("ping"), false);
	assert_true(ui_peers_select_id(&v, s, 1, 1));
	assert_int_equal(v.sel_id, 1);
	assert_true(v.follow);
	assert_false(ui_peers_select_id(&v, s, 77, 1));
	assert_int_equal(ui_peers_selected(&v, s)->id, 1);
	ui_peers_free(&v);
	source_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_polling_applies_only_changes),
		cmocka_unit_test(test_delta_rejects_bad_shapes),
		cmocka_unit_test(test_peer_latency_kept_across_polls),
		cmocka_unit_test(test_connectivity_and_chain),
		cmocka_unit_test(test_addnode_failed_is_a_failure_not_done),
		cmocka_unit_test(test_action_rpc_error_is_a_failure_with_its_message),
		cmocka_unit_test(test_source_follows_endpoint_and_falls_back),
		cmocka_unit_test(test_alerts_across_nodes),
		cmocka_unit_test(test_down_node_shown_in_overview),
		cmocka_unit_test(test_latency_axis_scaled_to_data),
		cmocka_unit_test(test_line_chart_spreads_and_joins),
		cmocka_unit_test(test_views_fill_the_terminal),
		cmocka_unit_test(test_geo_titles_legend_and_counts),
		cmocka_unit_test(test_bans_view_selects_by_subnet),
		cmocka_unit_test(test_log_filter_and_search),
		cmocka_unit_test(test_tabs_and_columns_are_mouse_regions),
		cmocka_unit_test(test_peer_selection_by_click),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
