/* test_ui_peers.c -- console model and views: RPC answer parsing and diffing, sort/filter/selection by id, keys, prompt, log, frames as text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../tui/grid.h"
#include "../../tui/keys.h"
#include "../../tui/prompt.h"
#include "../../tui/source.h"
#include "../../tui/ui_geo.h"
#include "../../tui/ui_latency.h"
#include "../../tui/ui_log.h"
#include "../../tui/ui_network.h"
#include "../../tui/ui_peers.h"
#include "clock.h"
#include "proc.h"
#include "ui_fixtures.h"

/* --- parsing ------------------------------------------------------------- */

static void
test_apply_parses(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	const struct peer_info *p;
	json_t *peers = three_peers();

	(void)state;
	json_array_append_new(peers, peer(9, "[2001:db8::1]:9001", "outbound", -1,
	    "/evil\x1b[2J\x07/", NULL));
	apply(s, peers, json_array(), 10.0);
	assert_true(s->have_data);
	assert_int_equal(s->state, SOURCE_UP);
	assert_int_equal(s->npeers, 4);
	assert_int_equal(s->info.height, 5);
	assert_int_equal(s->info.health, 77);
	assert_string_equal(s->info.network, "regtest");
	assert_int_equal(s->stats.nspread, 2);
	assert_string_equal(s->stats.spread[0].cc, "DE");	/* largest first */
	p = source_peer(s, 2);
	assert_non_null(p);
	assert_string_equal(p->addr, "10.0.0.2:9001");
	assert_true(fabs(p->ping_ms - 10) < 1e-9);
	assert_true(fabs(p->minping_ms - 5) < 1e-9);
	assert_true(p->has_na);
	assert_int_equal(p->hist_n, 2);	/* seeded with the node's history */
	p = source_peer(s, 9);
	assert_non_null(p);
	assert_true(p->ping_ms < 0);			/* null = unknown */
	assert_string_equal(p->country, "");
	/* Terminal escapes from a peer never reach the screen. */
	assert_null(strchr(p->subver, '\x1b'));
	assert_null(strchr(p->subver, '\x07'));
	assert_null(source_peer(s, 4));
	assert_int_equal(source_peer_index(s, 12345), -1);
	source_free(s);
}

/*
 * Issue 15 item 14: the console escaped already-escaped text a second time.
 * agentnode sanitises a peer's user agent before answering (an ESC byte
 * becomes the four characters \x1b); the console escaped that backslash
 * again and showed \x5cx1b.  Text is sanitised once: what the node escaped
 * is shown as the node wrote it, and raw control bytes from a source that
 * did not sanitise (another implementation, a hostile RPC server) are still
 * escaped, never drawn.
 */
static void
test_escaped_text_not_escaped_twice_x5cx1b(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct grid *g = grid_new(100, 20, false);
	struct ui_peers v;
	const struct peer_info *p;
	json_t *peers = json_array(), *bans;
	char row[256];
	bool shown = false;

	(void)state;
	/* As agentnode's str_sanitize writes "/evil<ESC>[2J<BEL>/". */
	json_array_append_new(peers, peer(1, "10.0.0.1:9001", "inbound", 5,
	    "/evil\\x1b[2J\\x07/", "DE"));
	/* Raw bytes, as no agentnode would send them. */
	json_array_append_new(peers, peer(2, "10.0.0.2:9001", "inbound", 5,
	    "/raw\x1b[2J\xc2\x9b/", "D\x1b"));
	bans = json_pack("[{s:s, s:I, s:I, s:s}]", "address", "10.9.0.0/16", "ban_created",
	    (json_int_t)1, "banned_until", (json_int_t)2, "reason", "bad \\x00 \x07");
	apply(s, peers, bans, 1);
	p = source_peer(s, 1);
	assert_non_null(p);
	assert_string_equal(p->subver, "/evil\\x1b[2J\\x07/");
	p = source_peer(s, 2);
	assert_string_equal(p->subver, "/raw\\x1b[2J\\xc2\\x9b/");
	assert_string_equal(p->country, "D");	/* cut between whole escapes */
	assert_string_equal(s->bans[0].reason, "bad \\x00 \\x07");
	/* The frame shows the node's text as it wrote it, and nothing raw. */
	ui_peers_init(&v, 0, false);
	ui_peers_action(&v, s, ACT_DETAIL, 1);
	ui_peers_draw(&v, s, g, (struct rect){ 0, 0, 100, 20 }, 1);
	for (int y = 0; y < 20; y++) {
		grid_row_text(g, y, row, sizeof(row));
		assert_null(strstr(row, "x5c"));
		assert_null(strchr(row, '\x1b'));
		if (strstr(row, "/evil\\x1b[2J\\x07/") != NULL)
			shown = true;
	}
	assert_true(shown);
	ui_peers_free(&v);
	grid_free(g);
	source_free(s);
}

static void
test_apply_rejects_bad_shapes(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	json_t *i = info(), *st = stats(), *arr = json_array(), *obj = json_object();
	json_t *junk;
	char err[128];

	(void)state;
	assert_int_equal(source_apply(s, arr, arr, st, arr, 1, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(source_apply(s, i, obj, st, arr, 1, err, sizeof(err)), -1);
	assert_int_equal(source_apply(s, i, arr, arr, arr, 1, err, sizeof(err)), -1);
	assert_int_equal(source_apply(s, i, arr, st, obj, 1, err, sizeof(err)), -1);
	assert_int_equal(source_apply(s, NULL, NULL, NULL, NULL, 1, err, sizeof(err)), -1);
	assert_false(s->have_data);
	assert_int_equal(s->state, SOURCE_CONNECTING);
	/* Wrong element and field types are skipped, not trusted. */
	junk = json_pack("[i, s, n, {s:s, s:s, s:[i], s:s}, {s:I, s:f}]", 5, "x",
	    "id", "seven", "addr", "not an address", "pingtime", 1, "country", "DE",
	    "id", (json_int_t)-4, "pingtime", -3.0);
	assert_int_equal(source_apply(s, i, junk, st, arr, 1, err, sizeof(err)), 0);
	/* Both objects are id 0 (a string id, a negative id clamped): one
	 * peer, the later one. */
	assert_int_equal(s->npeers, 1);
	assert_int_equal(s->peers[0].id, 0);
	assert_false(s->peers[0].has_na);
	assert_true(s->peers[0].ping_ms < 0);
	json_decref(junk);
	json_decref(i);
	json_decref(st);
	json_decref(arr);
	json_decref(obj);
	source_free(s);
}

static void
test_diff_events(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct events *e = calloc(1, sizeof(*e));
	json_t *peers, *p2;

	(void)state;
	source_set_callbacks(s, NULL, on_event, e);
	apply(s, three_peers(), json_array(), 1);
	/* The first round is one summary line, not a flood of connects. */
	assert_int_equal(e->n, 1);
	assert_int_equal(e->kind[0], SEV_STATE);
	assert_non_null(strstr(e->text[0], "3 peers"));

	e->n = 0;
	peers = three_peers();
	json_array_remove(peers, 0);			/* peer 1 leaves */
	json_array_append_new(peers, peer(4, "10.0.0.4:9001", "inbound", 5, "/x/", "US"));
	p2 = json_array_get(peers, 0);			/* peer 2 misbehaves */
	json_object_set_new(p2, "reputation", json_pack("{s:i, s:[{s:s, s:I}]}", "score", -20,
	    "violations", "kind", "bad-checksum", "time", (json_int_t)1795000100));
	apply(s, peers, json_pack("[{s:s, s:I, s:I, s:s}]", "address", "10.0.0.9/32",
	    "ban_created", (json_int_t)1, "banned_until", (json_int_t)2000000000, "reason",
	    "manual"), 2);
	assert_int_equal(count_kind(e, SEV_CONNECT), 1);
	assert_int_equal(count_kind(e, SEV_DISCONNECT), 1);
	assert_int_equal(count_kind(e, SEV_VIOLATION), 1);
	assert_int_equal(count_kind(e, SEV_BAN), 1);
	for (int i = 0; i < e->n; i++) {
		if (e->kind[i] == SEV_CONNECT)
			assert_non_null(strstr(e->text[i], "#4 10.0.0.4:9001"));
		if (e->kind[i] == SEV_DISCONNECT)
			assert_non_null(strstr(e->text[i], "#1 10.0.0.1:9001"));
		if (e->kind[i] == SEV_VIOLATION)
			assert_non_null(strstr(e->text[i], "bad-checksum"));
		if (e->kind[i] == SEV_BAN)
			assert_non_null(strstr(e->text[i], "10.0.0.9/32"));
	}
	/* Nothing changed: nothing to report, the same violation is old. */
	e->n = 0;
	peers = three_peers();
	json_array_remove(peers, 0);
	json_array_append_new(peers, peer(4, "10.0.0.4:9001", "inbound", 5, "/x/", "US"));
	json_object_set_new(json_array_get(peers, 0), "reputation", json_pack(
	    "{s:i, s:[{s:s, s:I}]}", "score", -20, "violations", "kind", "bad-checksum", "time",
	    (json_int_t)1795000100));
	apply(s, peers, json_pack("[{s:s}]", "address", "10.0.0.9/32"), 3);
	assert_int_equal(e->n, 0);
	/* The ban is lifted. */
	peers = json_array();
	apply(s, peers, json_array(), 4);
	assert_int_equal(count_kind(e, SEV_UNBAN), 1);
	assert_int_equal(count_kind(e, SEV_DISCONNECT), 3);
	free(e);
	source_free(s);
}

static void
test_event_flood_is_capped(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct events *e = calloc(1, sizeof(*e));
	json_t *peers = json_array();

	(void)state;
	source_set_callbacks(s, NULL, on_event, e);
	apply(s, json_array(), json_array(), 1);
	for (int i = 1; i <= 1000; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.1.%d.%d:9001", i / 250, i % 250);
		json_array_append_new(peers, peer((uint64_t)i, a, "inbound", 1, "/x/", NULL));
	}
	e->n = 0;
	apply(s, peers, json_array(), 2);
	assert_true(e->n <= 60);
	assert_non_null(strstr(e->text[e->n - 1], "more connects"));
	assert_int_equal(s->npeers, 1000);
	assert_non_null(source_peer(s, 777));
	free(e);
	source_free(s);
}

static void
count_rounds(struct source *s, void *arg)
{
	struct proc *p = arg;

	if (s->rounds_failed + s->rounds_ok == 3)
		proc_exit(p, 0);
}

/* Polling is a periodic task of the process skeleton: it starts at once,
 * repeats every interval, and follows interval changes. */
static void
test_source_polls_as_proc_task(void **state)
{
	struct proc *p = proc_new("test");
	struct source *s = source_new(p, "n1", "127.0.0.1", 1, NULL, 0.05, 1);
	int64_t t0 = clock_mono_ms();

	(void)state;
	assert_non_null(p);
	source_set_callbacks(s, count_rounds, NULL, p);
	source_start(s);
	assert_non_null(s->poll);
	assert_int_equal(proc_task_period(s->poll), 50);
	proc_exit(p, 10000);		/* a bound, not the expected end */
	assert_int_equal(proc_run(p), 0);
	/* Nothing listens on port 1: three failed rounds, 50 ms apart. */
	assert_int_equal(s->rounds_failed, 3);
	assert_int_equal(s->state, SOURCE_DOWN);
	assert_true(strlen(s->error) > 0);
	assert_true(clock_mono_ms() - t0 >= 90 && clock_mono_ms() - t0 < 10000);
	source_set_interval(s, 2.5);
	assert_int_equal(proc_task_period(s->poll), 2500);
	source_free(s);
	proc_free(p);
}

static void
test_fail_and_recover(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct events *e = calloc(1, sizeof(*e));

	(void)state;
	source_set_callbacks(s, NULL, on_event, e);
	apply(s, three_peers(), json_array(), 1);
	e->n = 0;
	source_fail(s, "connection refused", 2);
	source_fail(s, "connection refused", 3);
	assert_int_equal(s->state, SOURCE_DOWN);
	assert_string_equal(s->error, "connection refused");
	assert_int_equal(s->npeers, 3);			/* the last data stays */
	assert_int_equal(e->n, 1);			/* reported once */
	assert_true(s->since == 2);
	apply(s, three_peers(), json_array(), 4);
	assert_int_equal(s->state, SOURCE_UP);
	assert_non_null(strstr(e->text[e->n - 1], "back"));
	assert_string_equal(source_state_name(SOURCE_DOWN), "disconnected, retrying");
	free(e);
	source_free(s);
}

/* --- sort, filter, selection ---------------------------------------------- */

static void
assert_order(const struct ui_peers *v, const uint64_t *want, size_t n)
{
	assert_int_equal(v->nids, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v->ids[i], want[i]);
}

static void
test_sort_and_filter(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct ui_peers v;
	static const uint64_t by_id[] = { 1, 2, 3 }, by_ping[] = { 2, 3, 1 };
	static const uint64_t by_ping_desc[] = { 1, 3, 2 }, de[] = { 1, 3 }, two[] = { 2 };

	(void)state;
	apply(s, three_peers(), json_array(), 1);
	ui_peers_init(&v, ui_peers_column("id"), false);
	ui_peers_sync(&v, s, 1);
	assert_order(&v, by_id, 3);
	ui_peers_free(&v);
	ui_peers_init(&v, ui_peers_column("ping"), false);
	ui_peers_sync(&v, s, 1);
	assert_order(&v, by_ping, 3);
	assert_true(ui_peers_action(&v, s, ACT_SORT_REVERSE, 1));
	ui_peers_sync(&v, s, 1);
	assert_order(&v, by_ping_desc, 3);
	/* Case-insensitive substring over address, agent, country... */
	ui_peers_set_filter(&v, "de");		/* country DE, or agentnode */
	ui_peers_sync(&v, s, 1);
	assert_order(&v, de, 2);
	ui_peers_set_filter(&v, "AGENTNODE");
	ui_peers_sync(&v, s, 1);
	assert_int_equal(v.nids, 2);
	/* ... and the exact id. */
	ui_peers_set_filter(&v, "2");
	ui_peers_sync(&v, s, 1);
	assert_order(&v, two, 1);
	ui_peers_set_filter(&v, "nothing-matches");
	ui_peers_sync(&v, s, 1);
	assert_int_equal(v.nids, 0);
	assert_null(ui_peers_selected(&v, s));
	/* Esc clears the filter. */
	assert_true(ui_peers_action(&v, s, ACT_CANCEL, 1));
	ui_peers_sync(&v, s, 1);
	assert_int_equal(v.nids, 3);
	assert_false(ui_peers_action(&v, s, ACT_CANCEL, 1));
	ui_peers_set_filter(&v, "inbound");
	ui_peers_sync(&v, s, 1);
	assert_int_equal(v.nids, 2);
	ui_peers_set_filter(&v, "");
	ui_peers_sync(&v, s, 1);
	assert_true(ui_peers_match(&s->peers[0], ""));
	assert_true(ui_peers_match(&s->peers[0], NULL));
	ui_peers_free(&v);
	source_free(s);
}

static void
test_selection_follows_id(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct ui_peers v;
	json_t *peers;

	(void)state;
	apply(s, three_peers(), json_array(), 1);
	ui_peers_init(&v, ui_peers_column("ping"), false);
	ui_peers_sync(&v, s, 1);			/* 2, 3, 1 */
	ui_peers_action(&v, s, ACT_DOWN, 1);
	assert_int_equal(v.sel_id, 3);
	assert_int_equal(ui_peers_selected(&v, s)->id, 3);
	/* Peer 3 becomes the slowest; once the deferral is over the table
	 * re-sorts and the selection moves with the peer, not the row. */
	peers = three_peers();
	json_object_set_new(json_array_get(peers, 2), "pingtime", json_real(0.5));
	apply(s, peers, json_array(), 2);
	ui_peers_sync(&v, s, 1 + UI_PEERS_SORT_DEFER + 1);
	assert_int_equal(v.ids[2], 3);
	assert_int_equal(v.sel, 2);
	assert_int_equal(v.sel_id, 3);
	/* Peer 3 leaves: the selection stays on that row, now peer 1's. */
	peers = three_peers();
	json_array_remove(peers, 2);
	apply(s, peers, json_array(), 10);
	ui_peers_sync(&v, s, 20);
	assert_int_equal(v.nids, 2);
	assert_int_equal(v.sel, 1);
	assert_int_equal(v.sel_id, 1);
	/* Home, End, PgUp, PgDn stay inside the table. */
	ui_peers_action(&v, s, ACT_END, 30);
	assert_int_equal(v.sel, 1);
	ui_peers_action(&v, s, ACT_PGDN, 30);
	assert_int_equal(v.sel, 1);
	ui_peers_action(&v, s, ACT_HOME, 30);
	assert_int_equal(v.sel, 0);
	ui_peers_action(&v, s, ACT_UP, 30);
	assert_int_equal(v.sel, 0);
	ui_peers_action(&v, s, ACT_PGUP, 30);
	assert_int_equal(v.sel, 0);
	assert_false(ui_peers_action(&v, s, ACT_QUIT, 30));
	ui_peers_free(&v);
	source_free(s);
}

static void
test_selection_stays_on_top_until_moved(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct ui_peers v;
	json_t *peers;

	(void)state;
	apply(s, three_peers(), json_array(), 1);
	ui_peers_init(&v, ui_peers_column("ping"), false);
	ui_peers_sync(&v, s, 1);			/* 2, 3, 1 */
	assert_int_equal(v.sel_id, 2);
	assert_false(v.follow);
	/* Peer 2 gets slow: nobody chose it, so the top row stays selected. */
	peers = three_peers();
	json_object_set_new(json_array_get(peers, 1), "pingtime", json_real(0.9));
	apply(s, peers, json_array(), 2);
	ui_peers_sync(&v, s, 2);			/* 3, 1, 2 */
	assert_int_equal(v.sel, 0);
	assert_int_equal(v.sel_id, 3);
	/* Chosen: it follows.  Home: back to the top. */
	ui_peers_action(&v, s, ACT_DOWN, 2);
	assert_true(v.follow);
	assert_int_equal(v.sel_id, 1);
	ui_peers_action(&v, s, ACT_HOME, 2);
	assert_false(v.follow);
	assert_int_equal(v.sel_id, 3);
	ui_peers_free(&v);
	source_free(s);
}

static void
test_resort_deferred_while_navigating(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct ui_peers v;
	json_t *peers;
	static const uint64_t kept[] = { 2, 3, 1, 4 }, sorted[] = { 4, 2, 1, 3 };

	(void)state;
	apply(s, three_peers(), json_array(), 1);
	ui_peers_init(&v, ui_peers_column("ping"), false);
	ui_peers_sync(&v, s, 100);			/* 2, 3, 1 */
	ui_peers_action(&v, s, ACT_DOWN, 100);		/* the user is moving */
	peers = three_peers();
	json_object_set_new(json_array_get(peers, 2), "pingtime", json_real(0.5));
	json_array_append_new(peers, peer(4, "10.0.0.4:9001", "inbound", 1, "/x/", "US"));
	apply(s, peers, json_array(), 2);
	/* Rows stay put, the newcomer is appended, the row under the cursor
	 * is still the selected peer. */
	ui_peers_sync(&v, s, 101);
	assert_order(&v, kept, 4);
	assert_true(v.stale_order);
	assert_int_equal(v.ids[v.sel], v.sel_id);
	assert_int_equal(v.sel_id, 3);
	/* Quiet for long enough: sorted, selection still on peer 3. */
	ui_peers_sync(&v, s, 100 + UI_PEERS_SORT_DEFER + 0.1);
	assert_order(&v, sorted, 4);
	assert_false(v.stale_order);
	assert_int_equal(v.ids[v.sel], 3);
	/* Changing the sort is never deferred. */
	ui_peers_action(&v, s, ACT_DOWN, 200);
	ui_peers_action(&v, s, ACT_SORT_PREV, 200);
	ui_peers_sync(&v, s, 200);
	assert_false(v.stale_order);
	assert_int_equal(v.sort_col, ui_peers_column("country"));
	ui_peers_free(&v);
	source_free(s);
}

/* --- keys, prompt, log ---------------------------------------------------- */

static void
test_key_table_unique(void **state)
{
	struct key_help h[64];
	size_t n;

	(void)state;
	for (size_t i = 0; i < keys_count; i++) {
		const struct key_binding *a = &keys_table[i];
		bool first = true;

		assert_non_null(a->name);
		for (size_t j = 0; j < keys_count; j++) {
			const struct key_binding *b = &keys_table[j];

			if (j < i && b->action == a->action)
				first = false;
			if (j == i || a->key != b->key)
				continue;
			/* The same key may only appear twice for disjoint views. */
			assert_true(a->views != VMASK_ALL && b->views != VMASK_ALL &&
			    (a->views & b->views) == 0);
		}
		/* An action's first binding carries its help text. */
		if (first)
			assert_non_null(a->help);
	}
	assert_int_equal(keys_lookup('d', VIEW_PEERS), ACT_DISCONNECT);
	assert_int_equal(keys_lookup('d', VIEW_GEO), ACT_NONE);
	assert_int_equal(keys_lookup('m', VIEW_GEO), ACT_MAP_SOURCE);
	assert_int_equal(keys_lookup('j', VIEW_LOG), ACT_DOWN);
	assert_int_equal(keys_lookup(KEY_DOWN, VIEW_PEERS), ACT_DOWN);
	assert_int_equal(keys_lookup('q', VIEW_NETWORK), ACT_QUIT);
	assert_int_equal(keys_lookup('Z', VIEW_PEERS), ACT_NONE);
	/* The help groups every binding of an action on one line. */
	n = keys_help(h, 64);
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(h[i].help, "select the next row, or scroll down") == 0)
			assert_string_equal(h[i].keys, "Down, j");
		if (strcmp(h[i].keys, "d") == 0)
			assert_string_equal(h[i].scope, "Peers, Latency");
		if (strcmp(h[i].keys, "u, Delete") == 0)
			assert_string_equal(h[i].scope, "Bans");
	}
	assert_int_equal(keys_help(h, 2), 2);
}

static void
test_prompt(void **state)
{
	struct prompt p;
	struct grid *g = grid_new(40, 1, false);
	char row[64];

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_false(prompt_active(&p));
	assert_int_equal(prompt_key(&p, 'x'), PROMPT_CANCEL);
	prompt_open_text(&p, 7, "Add node:", NULL);
	assert_true(prompt_active(&p));
	assert_int_equal(prompt_key(&p, '1'), PROMPT_CHANGED);
	assert_int_equal(prompt_key(&p, '2'), PROMPT_CHANGED);
	assert_int_equal(prompt_key(&p, KEY_BACKSPACE), PROMPT_CHANGED);
	assert_int_equal(prompt_key(&p, 0x1b5), PROMPT_CONTINUE);	/* some KEY_ code */
	assert_int_equal(prompt_key(&p, 0x01), PROMPT_CONTINUE);	/* control char */
	assert_int_equal(prompt_key(&p, 0xe9), PROMPT_CONTINUE);	/* not ASCII */
	assert_string_equal(p.text, "1");
	prompt_draw(&p, g, 0);
	grid_row_text(g, 0, row, sizeof(row));
	assert_string_equal(row, "Add node: 1_");
	assert_int_equal(prompt_key(&p, 0x15), PROMPT_CHANGED);	/* ^U */
	assert_string_equal(p.text, "");
	assert_int_equal(prompt_key(&p, 0x7f), PROMPT_CONTINUE);	/* nothing to delete */
	for (int i = 0; i < 500; i++)
		prompt_key(&p, 'a');
	assert_int_equal(strlen(p.text), PROMPT_TEXTMAX - 1);
	assert_int_equal(prompt_key(&p, '\r'), PROMPT_ACCEPT);
	assert_int_equal(prompt_key(&p, 27), PROMPT_CANCEL);
	prompt_open_confirm(&p, 3, "Disconnect peer #4?");
	assert_int_equal(p.purpose, 3);
	assert_int_equal(prompt_key(&p, 'x'), PROMPT_CONTINUE);
	assert_int_equal(prompt_key(&p, '\n'), PROMPT_CONTINUE);	/* Enter is not yes */
	assert_int_equal(prompt_key(&p, 'n'), PROMPT_CANCEL);
	assert_int_equal(prompt_key(&p, 'y'), PROMPT_ACCEPT);
	prompt_draw(&p, g, 0);
	grid_row_text(g, 0, row, sizeof(row));
	assert_string_equal(row, "Disconnect peer #4? (y/n)");
	prompt_close(&p);
	assert_false(prompt_active(&p));
	grid_free(g);
}

static void
test_log_ring(void **state)
{
	struct ui_log l;
	char t[32];

	(void)state;
	ui_log_init(&l);
	assert_null(ui_log_get(&l, 0));
	for (int i = 0; i < UI_LOG_MAX + 5; i++) {
		snprintf(t, sizeof(t), "event %d", i);
		ui_log_add(&l, 0, SEV_CONNECT, "a-node-label-longer-than-the-field-is", t);
	}
	assert_int_equal(l.n, UI_LOG_MAX);
	assert_int_equal(l.total, UI_LOG_MAX + 5);
	assert_string_equal(ui_log_get(&l, 0)->text, "event 5");
	snprintf(t, sizeof(t), "event %d", UI_LOG_MAX + 4);
	assert_string_equal(ui_log_get(&l, UI_LOG_MAX - 1)->text, t);
	assert_int_equal(strlen(ui_log_get(&l, 0)->node), sizeof(l.ring[0].node) - 1);
	assert_null(ui_log_get(&l, UI_LOG_MAX));
	assert_true(ui_log_action(&l, ACT_UP));
	assert_int_equal(l.scroll, 1);
	ui_log_action(&l, ACT_END);
	assert_int_equal(l.scroll, 0);
	ui_log_action(&l, ACT_DOWN);
	assert_int_equal(l.scroll, 0);
	ui_log_action(&l, ACT_HOME);
	assert_int_equal(l.scroll, UI_LOG_MAX - 1);
	assert_false(ui_log_action(&l, ACT_FILTER));
	assert_string_equal(ui_log_kind_name(SEV_VIOLATION), "viol");
	ui_log_free(&l);
}

/* --- frames as text ------------------------------------------------------- */

static void
test_peers_frame(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct grid *g = grid_new(60, 6, false);
	struct ui_peers v;
	char row[128];

	(void)state;
	apply(s, three_peers(), json_array(), 1);
	ui_peers_init(&v, ui_peers_column("ping"), false);
	ui_peers_draw_table(&v, s, g, (struct rect){ 0, 0, 60, 6 }, NULL, true, 1);
	grid_row_text(g, 0, row, sizeof(row));
	assert_string_equal(row, "   ID ADDRESS               DIR  CC   PING^ AGENT");
	grid_row_text(g, 1, row, sizeof(row));
	assert_string_equal(row, "    2 10.0.0.2:9001         in   JP  10.0ms /other:2.0/");
	grid_row_text(g, 3, row, sizeof(row));
	assert_string_equal(row, "    1 10.0.0.1:9001         out  DE  30.0ms /agentnode:0.1.~");
	grid_row_text(g, 5, row, sizeof(row));
	assert_non_null(strstr(row, "3/3 peers  sort ping"));
	/* Rows and headers are mouse regions: a click names a peer by id
	 * and a column by its index. */
	assert_int_equal(grid_hit_at(g, 30, 3)->kind, HIT_PEER_ROW);
	assert_int_equal(grid_hit_at(g, 30, 3)->value, 1);
	assert_int_equal(grid_hit_at(g, 36, 0)->kind, HIT_PEER_COL);
	assert_int_equal(grid_hit_at(g, 36, 0)->value, ui_peers_column("ping"));
	assert_null(grid_hit_at(g, 30, 5));
	/* The view boxes the table and names the node. */
	grid_clear(g);
	ui_peers_draw(&v, s, g, (struct rect){ 0, 0, 60, 6 }, 1);
	grid_row_text(g, 0, row, sizeof(row));
	assert_non_null(strstr(row, "+- Peers of n1 -"));
	assert_non_null(strstr(row, "3 in, 3 shown +"));
	grid_row_text(g, 1, row, sizeof(row));
	assert_string_equal(row, "|   ID ADDRESS               DIR    PING^ AGENT            |");
	/* Only visible rows are drawn; the selection stays visible. */
	ui_peers_action(&v, s, ACT_END, 1);
	grid_resize(g, 60, 4);
	ui_peers_draw_table(&v, s, g, (struct rect){ 0, 0, 60, 4 }, NULL, true, 1);
	grid_row_text(g, 1, row, sizeof(row));
	assert_non_null(strstr(row, "10.0.0.3"));
	grid_row_text(g, 2, row, sizeof(row));
	assert_non_null(strstr(row, "10.0.0.1"));
	/* The detail pane names the selected peer. */
	ui_peers_action(&v, s, ACT_DETAIL, 1);
	grid_resize(g, 60, 20);
	ui_peers_draw(&v, s, g, (struct rect){ 0, 0, 60, 20 }, 1);
	grid_row_text(g, 3, row, sizeof(row));
	assert_string_equal(row, "|Peer #1  10.0.0.1:9001                                    |");
	ui_peers_free(&v);
	grid_free(g);
	source_free(s);
}

static void
test_views_any_size(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct source *empty = source_new(NULL, "n2", "127.0.0.1", 1, NULL, 1, 1);
	struct ui_peers v;
	struct ui_log l;
	json_t *peers = three_peers();
	static const int sizes[][2] = {
		{ 1, 1 }, { 2, 1 }, { 5, 3 }, { 12, 4 }, { 20, 5 }, { 40, 12 }, { 41, 9 },
		{ 80, 24 }, { 99, 30 }, { 100, 30 }, { 200, 60 },
	};

	(void)state;
	json_object_set_new(json_array_get(peers, 0), "reputation", json_pack(
	    "{s:i, s:[{s:s, s:I}]}", "score", -20, "violations", "kind", "bad-checksum", "time",
	    (json_int_t)1795000100));
	apply(s, peers, json_array(), 1);
	s->peers[0].has_loc = true;
	s->peers[0].lat = 50.1;
	s->peers[0].lon = 8.7;
	ui_log_init(&l);
	ui_log_add(&l, 0, SEV_BAN, "n1", "ban 10.0.0.9/32");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (int utf8 = 0; utf8 < 2; utf8++) {
			struct grid *g = grid_new(sizes[k][0], sizes[k][1], utf8);
			struct rect r = { 0, 0, g->w, g->h };

			ui_peers_init(&v, 0, false);
			ui_peers_draw(&v, s, g, r, 1);
			ui_peers_action(&v, s, ACT_DETAIL, 1);
			ui_peers_draw(&v, s, g, r, 1);
			ui_peers_draw(&v, empty, g, r, 1);
			ui_peers_free(&v);
			ui_geo_draw(g, r, s, NULL, NULL, false);
			ui_geo_draw(g, r, s, NULL, "no crawl database", true);
			ui_peers_init(&v, 0, false);
			ui_latency_draw(g, r, s, &v, 1, 1);
			ui_latency_draw(g, r, empty, &v, 1, 1);
			ui_peers_free(&v);
			ui_network_draw(g, r, NULL);
			ui_log_draw(&l, g, r);
			keys_draw_help(g, r, 0);
			keys_draw_help(g, r, 1000);
			grid_free(g);
		}
	}
	ui_log_free(&l);
	source_free(s);
	source_free(empty);
}

static void
test_geo_and_latency_models(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct country_count cc[8];
	struct chart_hist h;
	size_t located, n;
	json_t *peers = three_peers();

	(void)state;
	json_array_append_new(peers, peer(4, "10.0.0.4:9001", "inbound", -1, "/x/", NULL));
	apply(s, peers, json_array(), 1);
	s->peers[1].has_loc = true;
	n = ui_geo_countries(s, cc, 8, &located);
	assert_int_equal(n, 3);
	assert_string_equal(cc[0].cc, "DE");
	assert_int_equal(cc[0].n, 2);
	assert_int_equal(located, 1);
	assert_int_equal(ui_geo_countries(s, cc, 1, &located), 1);
	ui_latency_hist(s, &h);
	assert_int_equal(h.total, 3);
	assert_int_equal(h.unknown, 1);
	assert_int_equal(h.count[chart_hist_bin(10)], 1);
	assert_int_equal(h.count[chart_hist_bin(20)], 2);
	source_free(s);
}

/* Issue 14: each peer's transport in a column, and a v2 session id in
 * the detail pane for two operators to compare. */
static void
test_transport_and_session_id(void **state)
{
	static const char sid[] =
	    "8f3a1c0e9b7d5a4f2e1d0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2918070605a";
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct grid *g = grid_new(200, 20, false);
	struct ui_peers v;
	json_t *peers = three_peers();
	int tc = ui_peers_column("transport");

	(void)state;
	assert_true(tc >= 0);
	assert_string_equal(ui_peers_columns[tc].title, "TR");
	json_object_set_new(json_array_get(peers, 0), "transport", json_string("v2"));
	json_object_set_new(json_array_get(peers, 0), "session_id", json_string(sid));
	json_object_set_new(json_array_get(peers, 1), "transport", json_string("v1"));
	apply(s, peers, json_array(), 1);
	assert_string_equal(source_peer(s, 1)->transport, "v2");
	assert_string_equal(source_peer(s, 1)->session_id, sid);
	assert_string_equal(source_peer(s, 3)->transport, "");	/* an older node */
	ui_peers_init(&v, 0, false);
	ui_peers_draw(&v, s, g, (struct rect){ 0, 0, 200, 20 }, 1);
	assert_true(grid_has(g, " TR ", NULL));
	assert_true(grid_row_has(g, "10.0.0.1:9001", " v2 "));
	assert_true(grid_row_has(g, "10.0.0.2:9001", " v1 "));
	ui_peers_action(&v, s, ACT_DETAIL, 1);
	grid_clear(g);
	ui_peers_draw(&v, s, g, (struct rect){ 0, 0, 200, 20 }, 1);
	assert_true(grid_has(g, "encrypted (v2)", NULL));
	/* All 64 digits, on one line or in two halves. */
	assert_true(grid_has(g, sid, NULL) ||
	    (grid_has(g, "8f3a1c0e9b7d5a4f2e1d0c9b8a7f6e5d", NULL) &&
	    grid_has(g, "4c3b2a1908f7e6d5c4b3a2918070605a", NULL)));
	ui_peers_free(&v);
	grid_free(g);
	source_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_parses),
		cmocka_unit_test(test_escaped_text_not_escaped_twice_x5cx1b),
		cmocka_unit_test(test_apply_rejects_bad_shapes),
		cmocka_unit_test(test_diff_events),
		cmocka_unit_test(test_event_flood_is_capped),
		cmocka_unit_test(test_source_polls_as_proc_task),
		cmocka_unit_test(test_fail_and_recover),
		cmocka_unit_test(test_sort_and_filter),
		cmocka_unit_test(test_selection_follows_id),
		cmocka_unit_test(test_selection_stays_on_top_until_moved),
		cmocka_unit_test(test_resort_deferred_while_navigating),
		cmocka_unit_test(test_key_table_unique),
		cmocka_unit_test(test_prompt),
		cmocka_unit_test(test_log_ring),
		cmocka_unit_test(test_peers_frame),
		cmocka_unit_test(test_views_any_size),
		cmocka_unit_test(test_geo_and_latency_models),
		cmocka_unit_test(test_transport_and_session_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
