/* test_ui_chain.c -- issue 11 (console part) and issue 12 item 6: the chain state the console keeps per node, the blocks it asks for, propagation across nodes, the Chain view, and the peers' synced height beside the claimed one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../tui/chainstate.h"
#include "../../tui/grid.h"
#include "../../tui/keys.h"
#include "../../tui/source.h"
#include "../../tui/ui_chain.h"
#include "../../tui/ui_peers.h"
#include "proc.h"
#include "tiny_rpc.h"
#include "ui_fixtures.h"

/* The block timestamps of these tests: unix seconds of height 0. */
#define T0	1796000000LL

/* A 64-digit hash for height H on branch B (0: the main one). */
static const char *
hash_of(int h, int b)
{
	static char buf[8][65];
	static int k;
	char *s = buf[k++ % 8];

	snprintf(s, 65, "%02x%062x", b, h);
	return s;
}

/* getrecentblocks' entry for height H on branch B, first seen DELAY ms
 * after its timestamp (T0 + 10 H), from peer FROM (0: mined here). */
static json_t *
block(int h, int b, int64_t delay, int from)
{
	int64_t t = T0 + 10 * h;

	return json_pack("{s:i, s:s, s:I, s:i, s:I, s:I, s:i, s:s}", "height", h, "hash",
	    hash_of(h, b), "time", (json_int_t)t, "size", 300, "firstseen_ms",
	    (json_int_t)(t * 1000 + delay), "delay_ms", (json_int_t)delay, "from_peer", from,
	    "from", from == 0 ? "local" : "10.0.0.1:9001");
}

/* Blocks HI down to LO on branch B, each first seen DELAY ms late. */
static json_t *
blocks(int hi, int lo, int b, int64_t delay)
{
	json_t *a = json_array();

	for (int h = hi; h >= lo; h--)
		json_array_append_new(a, block(h, b, delay, h % 2));
	return a;
}

static json_t *
chaininfo(int height, int headers, int b)
{
	return json_pack("{s:s, s:i, s:i, s:s, s:s, s:f, s:b, s:I, s:I}", "chain", "regtest",
	    "blocks", height, "headers", headers, "bestblockhash", hash_of(height, b),
	    "chainwork", "0000000000000000000000000000000000000000000000000000000000000c1a",
	    "verificationprogress", headers > 0 ? (double)height / headers : 1.0,
	    "initialblockdownload", 0, "mediantime", (json_int_t)(T0 + 10 * height - 30),
	    "time", (json_int_t)(T0 + 10 * height));
}

static void
apply_recent(struct chainstate *c, json_t *recent)
{
	chainstate_apply(c, NULL, NULL, recent, NULL);
	json_decref(recent);
}

/* --- the recent blocks ----------------------------------------------------- */

/*
 * The console asks only for the blocks that came since the last round, so
 * what it holds is merged: new heights are added, the heights an answer
 * covers replaced (a reorganisation), heights above the answer's tip gone
 * (invalidateblock), older ones kept, at most CHAINSTATE_BLOCKS.
 */
static void
test_recent_blocks_merge_and_reorganise(void **state)
{
	struct chainstate *c = calloc(1, sizeof(*c));
	json_t *a;

	(void)state;
	apply_recent(c, blocks(5, 1, 0, 100));
	assert_true(c->has_recent);
	assert_int_equal(c->nrecent, 5);
	assert_int_equal(c->recent[0].height, 5);
	assert_int_equal(c->recent[4].height, 1);
	assert_string_equal(c->recent[0].hash, hash_of(5, 0));
	assert_int_equal(c->recent[0].seen_ms, (T0 + 50) * 1000 + 100);
	assert_int_equal(c->recent[1].from_peer, 0);		/* height 4: mined here */
	assert_string_equal(c->recent[1].from, "local");
	assert_int_equal(c->recent[0].from_peer, 1);
	assert_string_equal(c->recent[0].from, "10.0.0.1:9001");

	/* Height 6 on another branch that replaced 5: a reorganisation. */
	a = json_pack("[o, o]", block(6, 1, 50, 2), block(5, 1, 60, 2));
	assert_true(chainstate_apply(c, NULL, NULL, a, NULL));
	json_decref(a);
	assert_int_equal(c->nrecent, 6);
	assert_string_equal(c->recent[1].hash, hash_of(5, 1));
	assert_string_equal(c->recent[2].hash, hash_of(4, 0));	/* kept */
	assert_non_null(chainstate_find(c, 5, hash_of(5, 1)));
	assert_null(chainstate_find(c, 5, hash_of(5, 0)));	/* gone with the reorg */
	assert_null(chainstate_find(c, 7, hash_of(7, 0)));

	/* The same answer again changes nothing. */
	a = json_pack("[o, o]", block(6, 1, 50, 2), block(5, 1, 60, 2));
	assert_false(chainstate_apply(c, NULL, NULL, a, NULL));
	json_decref(a);

	/* The tip went back to 4 (invalidateblock): 5 and 6 are gone. */
	apply_recent(c, json_pack("[o]", block(4, 2, 70, 0)));
	assert_int_equal(c->nrecent, 4);
	assert_int_equal(c->recent[0].height, 4);
	assert_string_equal(c->recent[0].hash, hash_of(4, 2));

	/* Bounded: a long answer keeps the newest CHAINSTATE_BLOCKS. */
	apply_recent(c, blocks(400, 1, 0, 10));
	assert_int_equal(c->nrecent, CHAINSTATE_BLOCKS);
	assert_int_equal(c->recent[0].height, 400);
	apply_recent(c, blocks(401, 401, 0, 10));
	assert_int_equal(c->nrecent, CHAINSTATE_BLOCKS);
	assert_int_equal(c->recent[0].height, 401);
	assert_int_equal(c->recent[CHAINSTATE_BLOCKS - 1].height, 401 - CHAINSTATE_BLOCKS + 1);
	free(c);
}

/* What the node says is input: junk entries are skipped, strings made
 * safe, an answer of the wrong shape changes nothing. */
static void
test_recent_blocks_junk_is_skipped(void **state)
{
	struct chainstate *c = calloc(1, sizeof(*c));
	json_t *bad, *a;

	(void)state;
	bad = block(9, 0, 10, 3);
	json_object_set_new(bad, "from", json_string("10.0.0.1:9001\x1b[2J"));
	a = json_pack("[o, o, o, o, o, s, i, o]",
	    json_pack("{s:i, s:s}", "height", 8, "hash", "abc"),		/* short */
	    json_pack("{s:i, s:s}", "height", 7, "hash",			/* not hex */
	    "zz00000000000000000000000000000000000000000000000000000000000000"),
	    json_pack("{s:i, s:s}", "height", -1, "hash", hash_of(1, 0)),	/* negative */
	    json_pack("{s:s}", "hash", hash_of(2, 0)),			/* no height */
	    bad, "block", 5, block(9, 1, 20, 0));				/* a repeat */
	chainstate_apply(c, NULL, NULL, a, NULL);
	json_decref(a);
	assert_int_equal(c->nrecent, 1);
	assert_int_equal(c->recent[0].height, 9);
	assert_null(strchr(c->recent[0].from, '\x1b'));
	assert_non_null(strstr(c->recent[0].from, "\\x1b"));
	/* Not an array, not objects: nothing changes. */
	a = json_pack("[s, [], {}, i]", "x", 3);
	assert_false(chainstate_apply(c, json_array_get(a, 0), json_array_get(a, 1),
	    json_array_get(a, 2), json_array_get(a, 3)));
	json_decref(a);
	assert_int_equal(c->nrecent, 1);
	assert_false(c->has_info);
	assert_false(c->has_mempool);
	assert_false(c->has_tips);
	/* Upper-case hex is a hash, kept in lower case. */
	a = json_pack("[{s:i, s:s, s:I}]", "height", 10, "hash",
	    "ABCDEF0000000000000000000000000000000000000000000000000000000001",
	    "firstseen_ms", (json_int_t)1);
	chainstate_apply(c, NULL, NULL, a, NULL);
	json_decref(a);
	assert_string_equal(c->recent[0].hash,
	    "abcdef0000000000000000000000000000000000000000000000000000000001");
	free(c);
}

static void
test_tip_mempool_and_tips(void **state)
{
	struct chainstate *c = calloc(1, sizeof(*c));
	json_t *info = chaininfo(12, 20, 0), *mp, *tips;

	(void)state;
	mp = json_pack("{s:i, s:i, s:I, s:i, s:i}", "size", 3, "bytes", 900, "maxmempool",
	    (json_int_t)67108864, "evicted", 1, "expired", 2);
	tips = json_pack("[{s:i, s:s, s:i, s:s}, {s:i, s:s, s:i, s:s}, {s:i, s:s, s:i, s:s},"
	    " {s:i, s:s, s:i, s:s}]",
	    "height", 12, "hash", hash_of(12, 0), "branchlen", 0, "status", "active",
	    "height", 10, "hash", hash_of(10, 1), "branchlen", 2, "status", "valid-fork",
	    "height", 9, "hash", hash_of(9, 2), "branchlen", 1, "status", "invalid",
	    "height", 20, "hash", hash_of(20, 0), "branchlen", 8, "status", "headers-only");
	assert_true(chainstate_apply(c, info, mp, NULL, tips));
	assert_true(c->has_info);
	assert_int_equal(c->blocks, 12);
	assert_int_equal(c->headers, 20);
	assert_string_equal(c->best, hash_of(12, 0));
	assert_true(c->progress > 0.59 && c->progress < 0.61);
	assert_int_equal(c->mp_count, 3);
	assert_int_equal(c->mp_bytes, 900);
	assert_int_equal(c->mp_evicted, 1);
	assert_int_equal(c->ntips, 4);
	assert_int_equal(c->nforks, 1);
	assert_int_equal(c->longest_fork, 2);
	assert_int_equal(c->ninvalid, 1);
	assert_int_equal(c->nheaders_only, 1);
	assert_false(c->has_recent);
	/* The same answers again: nothing changed. */
	assert_false(chainstate_apply(c, info, mp, NULL, tips));
	json_decref(info);
	json_decref(mp);
	json_decref(tips);
	free(c);
}

/*
 * A quiet chain costs no getrecentblocks: the console asks for blocks
 * only when getblockchaininfo shows the tip or the headers moved, and
 * then only for those since the newest it holds (and a few more for a
 * reorganisation).
 */
static void
test_blocks_asked_only_when_the_tip_moves(void **state)
{
	struct chainstate *c = calloc(1, sizeof(*c));
	json_t *i10 = chaininfo(10, 10, 0), *i, *recent = blocks(10, 1, 0, 5);

	(void)state;
	assert_int_equal(chainstate_ask_blocks(c, i10), CHAINSTATE_FIRST_ASK);
	chainstate_apply(c, i10, NULL, recent, NULL);
	json_decref(recent);
	assert_int_equal(chainstate_ask_blocks(c, i10), 0);
	i = chaininfo(12, 12, 0);
	assert_int_equal(chainstate_ask_blocks(c, i), 12 - 10 + 1 + 3);
	json_decref(i);
	/* The same height, another block: a reorganisation. */
	i = chaininfo(10, 10, 1);
	assert_int_equal(chainstate_ask_blocks(c, i), 4);
	json_decref(i);
	/* Only the headers moved (blocks still downloading). */
	i = chaininfo(10, 15, 0);
	assert_int_equal(chainstate_ask_blocks(c, i), 4);
	json_decref(i);
	/* A long way ahead: at most what is kept. */
	i = chaininfo(100000, 100000, 0);
	assert_int_equal(chainstate_ask_blocks(c, i), CHAINSTATE_BLOCKS);
	json_decref(i);
	/* Nonsense asks nothing. */
	i = json_pack("{s:s}", "blocks", "ten");
	assert_int_equal(chainstate_ask_blocks(c, i), 0);
	assert_int_equal(chainstate_ask_blocks(c, NULL), 0);
	json_decref(i);
	json_decref(i10);
	free(c);
}

/* --- propagation ------------------------------------------------------------ */

/* Three nodes: block 3 seen by a at +100 ms after its timestamp, b +250,
 * c +180; block 2 by a and b only; block 1 by a only; c synced block 2
 * hours later (not live). */
static void
three_nodes(struct chainstate *cs[3])
{
	for (int i = 0; i < 3; i++)
		cs[i] = calloc(1, sizeof(*cs[i]));
	apply_recent(cs[0], json_pack("[o, o, o]", block(3, 0, 100, 1), block(2, 0, 40, 0),
	    block(1, 0, 30, 0)));
	apply_recent(cs[1], json_pack("[o, o]", block(3, 0, 250, 1), block(2, 0, 90, 1)));
	apply_recent(cs[2], json_pack("[o, o]", block(3, 0, 180, 1), block(2, 0, 7200000, 1)));
}

static void
test_propagation_across_nodes(void **state)
{
	struct chainstate *cs[3];
	const struct chainstate *ccs[3];
	int64_t seen[3], first;
	double v[16];
	size_t n, nb, synced;

	(void)state;
	three_nodes(cs);
	for (int i = 0; i < 3; i++)
		ccs[i] = cs[i];
	first = chainstate_sightings(ccs, 3, 3, hash_of(3, 0), seen);
	assert_int_equal(first, (T0 + 30) * 1000 + 100);
	assert_int_equal(seen[1] - first, 150);
	assert_int_equal(seen[2] - first, 80);
	/* Block 2: c has it, but synced it two hours late. */
	first = chainstate_sightings(ccs, 3, 2, hash_of(2, 0), seen);
	assert_int_equal(seen[1] - first, 50);
	assert_true(seen[2] == CHAINSTATE_NONE);
	/* Another block at the same height is not the same block. */
	assert_true(chainstate_sightings(ccs, 3, 3, hash_of(3, 1), seen) == CHAINSTATE_NONE);

	/* Each block seen live by two or more counts once; each later
	 * node's delay after the first is a sample. */
	n = chainstate_spreads(ccs, 3, v, 16, &nb);
	assert_int_equal(nb, 2);
	assert_int_equal(n, 3);
	{
		double want[3] = { 150, 80, 50 };
		int found = 0;

		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < 3; k++)
				found += v[i] == want[k];
		assert_int_equal(found, 3);
	}
	/* A node that is not there (NULL) is skipped. */
	ccs[1] = NULL;
	assert_int_equal(chainstate_spreads(ccs, 3, v, 16, &nb), 1);
	assert_int_equal(nb, 1);
	/* Bounded by MAX. */
	ccs[1] = cs[1];
	assert_int_equal(chainstate_spreads(ccs, 3, v, 1, NULL), 1);

	/* One node's own delays: live ones only, a timestamp ahead is 0. */
	apply_recent(cs[2], json_pack("[o]", block(4, 0, -300, 0)));
	n = chainstate_delays(cs[2], v, 16, &synced);
	assert_int_equal(synced, 1);
	assert_int_equal(n, 2);
	assert_true(v[0] == 0 && v[1] == 180);
	for (int i = 0; i < 3; i++)
		free(cs[i]);
}

/* --- polling: blocks only when the tip moves --------------------------------- */

struct chain_node {
	int	height;
	bool	no_recent;		/* an agentnode without getrecentblocks */
	int	asked[8];		/* getrecentblocks' counts, in order */
	int	nasked;
	char	buf[64 * 1024];
};

static const char *
chain_answer(struct tiny *t, const char *method, json_t *params)
{
	struct chain_node *cn = t->arg;
	json_t *r = NULL;
	char *enc;

	if (strcmp(method, "getnetworkinfo") == 0 || strcmp(method, "getnetworkstats") == 0)
		return "\"result\":{\"connections\":0}";
	if (strcmp(method, "listbanned") == 0)
		return "\"result\":[]";
	if (strcmp(method, "getpeerchanges") == 0)
		return "\"result\":{\"version\":1,\"full\":true,\"peers\":[],\"removed\":[]}";
	if (strcmp(method, "getmempoolinfo") == 0)
		return "\"result\":{\"size\":2,\"bytes\":500}";
	if (strcmp(method, "getblockchaininfo") == 0)
		r = chaininfo(cn->height, cn->height, 0);
	else if (strcmp(method, "getchaintips") == 0)
		r = json_pack("[{s:i, s:s, s:i, s:s}]", "height", cn->height, "hash",
		    hash_of(cn->height, 0), "branchlen", 0, "status", "active");
	else if (strcmp(method, "getrecentblocks") == 0 && !cn->no_recent) {
		int count = (int)json_integer_value(json_array_get(params, 0));

		if (cn->nasked < 8)
			cn->asked[cn->nasked++] = count;
		r = blocks(cn->height, cn->height - count + 1 > 0 ? cn->height - count + 1 : 0, 0,
		    20);
	}
	if (r == NULL)
		return NULL;
	enc = json_dumps(r, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(cn->buf, sizeof(cn->buf), "\"result\":%s", enc);
	free(enc);
	json_decref(r);
	return cn->buf;
}

struct rounds {
	struct proc	*p;
	unsigned	 want;
};

static void
stop_after(struct source *s, void *arg)
{
	struct rounds *r = arg;

	if (s->rounds_ok >= r->want)
		proc_exit(r->p, 0);
}

/* Run S until it has had WANT good rounds (at most 10 s). */
static void
run_rounds(struct source *s, struct rounds *r, unsigned want)
{
	r->want = want;
	source_start(s);
	proc_exit(r->p, 10000);		/* a bound, not the expected end */
	assert_int_equal(proc_run(r->p), 0);
	assert_true(s->rounds_ok >= want);
}

static void
test_source_asks_blocks_when_the_tip_moves(void **state)
{
	struct proc *p = proc_new("test");
	struct chain_node *cn = calloc(1, sizeof(*cn));
	struct tiny t = { .answer = chain_answer, .arg = cn };
	struct rounds r = { .p = p };
	struct source *s;
	uint16_t port = tiny_start(p, &t);

	(void)state;
	cn->height = 100;
	s = source_new(p, "n1", "127.0.0.1", port, NULL, 0.05, 2);
	source_set_callbacks(s, stop_after, NULL, &r);
	run_rounds(s, &r, 4);
	/* The first round asked for the last 64 blocks, the quiet ones for
	 * none; getblockchaininfo and getmempoolinfo every round. */
	assert_int_equal(cn->nasked, 1);
	assert_int_equal(cn->asked[0], CHAINSTATE_FIRST_ASK);
	assert_int_equal(tiny_count(&t, "getchaintips"), 1);
	assert_true(tiny_count(&t, "getmempoolinfo") >= 4);
	assert_int_equal(s->chain.nrecent, CHAINSTATE_FIRST_ASK);
	assert_int_equal(s->chain.mp_count, 2);
	assert_int_equal(s->chain.ntips, 1);
	/* Two new blocks: asked for them and three more. */
	cn->height = 102;
	run_rounds(s, &r, s->rounds_ok + 2);
	assert_int_equal(cn->nasked, 2);
	assert_int_equal(cn->asked[1], 2 + 1 + 3);
	assert_int_equal(s->chain.recent[0].height, 102);
	assert_int_equal(s->chain.nrecent, CHAINSTATE_FIRST_ASK + 2);
	assert_int_equal(s->state, SOURCE_UP);
	source_free(s);

	/* A node without getrecentblocks: asked once, then not again; it is
	 * not down for it and the rest of its chain is there. */
	cn->no_recent = true;
	cn->nasked = 0;
	s = source_new(p, "n2", "127.0.0.1", port, NULL, 0.05, 2);
	source_set_callbacks(s, stop_after, NULL, &r);
	run_rounds(s, &r, 2);
	cn->height = 110;
	run_rounds(s, &r, s->rounds_ok + 2);
	assert_true(s->lacks[SQ_BLOCKS]);
	assert_false(s->lacks[SQ_CHAIN]);
	assert_int_equal(s->state, SOURCE_UP);
	assert_int_equal(s->chain.blocks, 110);
	assert_false(s->chain.has_recent);
	/* n1's two, and n2's first that got "Method not found". */
	assert_int_equal(tiny_count(&t, "getrecentblocks"), 3);
	source_free(s);
	evhttp_free(t.http);
	proc_free(p);
	free(cn);
}

/* --- the view --------------------------------------------------------------- */

/* A source fed with three peers and the chain of node I of three_nodes. */
static struct source *
chain_source(const char *label, const struct chainstate *c, bool with_info)
{
	struct source *s = source_new(NULL, label, "127.0.0.1", 1, NULL, 1, 1);
	json_t *inf = info(), *st = stats(), *bans = json_array(), *peers = three_peers();
	char err[128];

	assert_int_equal(source_apply(s, inf, peers, st, bans, 1, err, sizeof(err)), 0);
	json_decref(inf);
	json_decref(st);
	json_decref(bans);
	json_decref(peers);
	if (c != NULL)
		s->chain = *c;
	if (with_info) {
		json_t *ci = chaininfo(3, 3, 0);

		chainstate_apply(&s->chain, ci, NULL, NULL, NULL);
		json_decref(ci);
	}
	return s;
}

static void
test_chain_view_shows_blocks_at_every_node(void **state)
{
	struct chainstate *cs[3];
	struct source *src[3];
	struct grid *g = grid_new(160, 45, false);
	struct rect body = { 0, 2, 160, 42 };
	struct ui_chain v;
	struct ui_chain_in in = { .src = src, .nsrc = 3, .cur = 0, .wall = (double)T0 + 40 };
	const struct grid_hit *h;
	char row[512];
	int y = 0;

	(void)state;
	three_nodes(cs);
	src[0] = chain_source("alpha", cs[0], true);
	src[1] = chain_source("bravo", cs[1], true);
	src[2] = chain_source("charlie", cs[2], true);
	ui_chain_init(&v);
	ui_chain_draw(&v, g, body, &in);
	assert_corners(g, body, "chain");
	assert_true(grid_has(g, "Chain of alpha", NULL));
	assert_true(grid_has(g, "height 3  headers 3: in step", NULL));
	assert_true(grid_has(g, "work      0xc1a  chain regtest", NULL));
	assert_true(grid_has(g, "Propagation", NULL));
	assert_true(grid_has(g, "2 blocks  p50 ", NULL));
	assert_true(grid_has(g, "Recent blocks at alpha", NULL));
	/* Block 3: alpha first, bravo 150 ms later, charlie 80 ms. */
	assert_true(grid_has(g, "alpha     bravo   charlie", &y));
	h = grid_hit_at(g, (int)(strstr((grid_row_text(g, y, row, sizeof(row)), row),
	    "charlie") - row), y);
	assert_non_null(h);
	assert_int_equal(h->kind, HIT_CHAIN_NODE);
	assert_int_equal(h->value, 2);
	assert_true(grid_row_has(g, "first    +150ms   +80.0ms", "      3 "));
	/* Its delay at alpha, where it came from and the spread. */
	assert_true(grid_row_has(g, "      3 ", "100ms 10.0.0.1:9001 DE"));
	assert_true(grid_row_has(g, "      3 ", "300B   150ms"));
	/* Block 2: charlie synced it, not live. */
	assert_true(grid_has(g, "first   +50.0ms    synced", NULL));
	/* Block 1: alpha alone, mined there. */
	assert_true(grid_row_has(g, "first         -         -", "mined here"));

	/* Every size from 80x24 to 250x70 is filled, one node or three. */
	for (int k = 0; k < 3; k++) {
		static const int sz[3][2] = { { 80, 24 }, { 120, 40 }, { 250, 70 } };
		struct grid *gg = grid_new(sz[k][0], sz[k][1], false);
		struct rect b = { 0, 2, sz[k][0], sz[k][1] - 3 };

		ui_chain_draw(&v, gg, b, &in);
		assert_corners(gg, b, "chain, three nodes");
		assert_true(grid_has(gg, "Recent blocks at alpha", NULL));
		grid_clear(gg);
		in.nsrc = 1;
		ui_chain_draw(&v, gg, b, &in);
		assert_corners(gg, b, "chain, one node");
		assert_false(grid_has(gg, "Propagation", NULL));
		assert_true(grid_has(gg, "Delay from timestamp", NULL) || sz[k][1] < 30);
		in.nsrc = 3;
		grid_free(gg);
	}
	/* Scrolling stays within the blocks. */
	assert_true(ui_chain_action(&v, ACT_END));
	grid_clear(g);
	ui_chain_draw(&v, g, body, &in);
	assert_int_equal(v.top, 0);			/* three blocks fit */
	assert_true(ui_chain_action(&v, ACT_UP));
	assert_int_equal(v.top, 0);
	assert_false(ui_chain_action(&v, ACT_QUIT));
	for (int i = 0; i < 3; i++) {
		source_free(src[i]);
		free(cs[i]);
	}
	grid_free(g);
}

/* A node without the chain RPCs degrades quietly: the view says so, the
 * others' columns still show. */
static void
test_chain_view_without_chain_rpcs(void **state)
{
	struct source *src[2];
	struct grid *g = grid_new(120, 30, false);
	struct rect body = { 0, 2, 120, 27 };
	struct ui_chain v;
	struct ui_chain_in in = { .src = src, .nsrc = 2, .cur = 1, .wall = (double)T0 };
	struct chainstate *c = calloc(1, sizeof(*c));

	(void)state;
	apply_recent(c, blocks(3, 1, 0, 100));
	src[0] = chain_source("alpha", c, true);
	src[1] = chain_source("older", NULL, false);
	src[1]->lacks[SQ_CHAIN] = src[1]->lacks[SQ_MEMPOOL] = true;
	ui_chain_init(&v);
	ui_chain_draw(&v, g, body, &in);
	assert_corners(g, body, "chain of an older node");
	assert_true(grid_has(g, "no chain RPCs on this node", NULL));
	assert_true(grid_has(g, "Chain of older", NULL));
	/* A node with getblockchaininfo but no getrecentblocks. */
	in.cur = 0;
	src[0]->chain.nrecent = 0;
	src[0]->lacks[SQ_BLOCKS] = src[0]->lacks[SQ_TIPS] = true;
	grid_clear(g);
	ui_chain_draw(&v, g, body, &in);
	assert_true(grid_has(g, "height 3", NULL));
	assert_true(grid_has(g, "no getrecentblocks", NULL));
	assert_true(grid_has(g, "not told (no getchaintips)", NULL));
	source_free(src[0]);
	source_free(src[1]);
	free(c);
	grid_free(g);
}

static void
test_chainwork_shown_short(void **state)
{
	char buf[80];

	(void)state;
	assert_string_equal(ui_chain_work("00000000000000000000000000000000000000000000000000000000"
	    "00000c1a", buf, sizeof(buf)), "0xc1a");
	assert_string_equal(ui_chain_work("0000", buf, sizeof(buf)), "0x0");
	assert_string_equal(ui_chain_work("", buf, sizeof(buf)), "-");
}

/* --- peers: proven beside claimed ---------------------------------------------- */

/*
 * Issue 11: "a node's height is whatever its most boastful peer claims".
 * The Peers view shows what each peer proved (synced blocks, and headers
 * when more) beside what it claimed, each labelled.
 */
static void
test_peers_synced_beside_claimed(void **state)
{
	struct source *s = source_new(NULL, "n1", "127.0.0.1", 1, NULL, 1, 1);
	struct grid *g = grid_new(200, 20, false);
	struct ui_peers v;
	json_t *peers = three_peers();
	int sc = ui_peers_column("synced"), hc = ui_peers_column("height");

	(void)state;
	assert_true(sc >= 0 && hc == sc + 1);			/* side by side */
	assert_string_equal(ui_peers_columns[sc].title, "SYNCED");
	assert_string_equal(ui_peers_columns[hc].title, "CLAIMED");
	json_object_set_new(json_array_get(peers, 0), "startingheight", json_integer(2147483647));
	json_object_set_new(json_array_get(peers, 0), "synced_headers", json_integer(12));
	json_object_set_new(json_array_get(peers, 0), "synced_blocks", json_integer(10));
	json_object_set_new(json_array_get(peers, 1), "synced_headers", json_integer(12));
	json_object_set_new(json_array_get(peers, 1), "synced_blocks", json_integer(12));
	apply(s, peers, json_array(), 1);
	assert_int_equal(source_peer(s, 1)->synced_blocks, 10);
	assert_int_equal(source_peer(s, 3)->synced_blocks, -1);	/* not told */
	ui_peers_init(&v, 0, false);
	ui_peers_draw(&v, s, g, (struct rect){ 0, 0, 200, 20 }, 1);
	assert_true(grid_has(g, "SYNCED    CLAIMED", NULL));
	assert_true(grid_row_has(g, "10.0.0.1:9001", " 10/12 2147483647 "));
	assert_true(grid_row_has(g, "10.0.0.2:9001", "          12          7 "));
	assert_true(grid_row_has(g, "10.0.0.3:9001", "           -          7 "));
	/* The detail pane names both. */
	ui_peers_action(&v, s, ACT_DETAIL, 1);
	grid_clear(g);
	ui_peers_draw(&v, s, g, (struct rect){ 0, 0, 200, 20 }, 1);
	assert_true(grid_has(g, "10/12 proven, 2147483647 claimed (unverified)", NULL));
	/* Sorting by it: the unproven last. */
	ui_peers_sort_by(&v, sc);
	ui_peers_sync(&v, s, 100);
	assert_int_equal(v.ids[0], 3);
	assert_int_equal(v.ids[2], 2);
	ui_peers_free(&v);
	grid_free(g);
	source_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recent_blocks_merge_and_reorganise),
		cmocka_unit_test(test_recent_blocks_junk_is_skipped),
		cmocka_unit_test(test_tip_mempool_and_tips),
		cmocka_unit_test(test_blocks_asked_only_when_the_tip_moves),
		cmocka_unit_test(test_propagation_across_nodes),
		cmocka_unit_test(test_source_asks_blocks_when_the_tip_moves),
		cmocka_unit_test(test_chain_view_shows_blocks_at_every_node),
		cmocka_unit_test(test_chain_view_without_chain_rpcs),
		cmocka_unit_test(test_chainwork_shown_short),
		cmocka_unit_test(test_peers_synced_beside_claimed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
