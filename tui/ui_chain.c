/* ui_chain.c -- the Chain view: the selected node's tip, sync and mempool, its recent blocks with first-seen time, delay and origin, each block's delay at every watched node, and the propagation histograms.
 *
 * Two measures of propagation, and they differ.  A block's delay from its
 * timestamp is what one node can tell alone, but timestamps are whole
 * seconds set by the miner's clock: up to a second of it is rounding.
 * With several nodes watched, the delay of each after the first of them
 * that saw the block is the spread of the block through the network,
 * measured to the millisecond on the nodes' own clocks. */
#include "ui_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "fmt.h"
#include "ui_frame.h"
#include "xmalloc.h"

/* Node columns at most; beyond them only the spread column tells. */
#define UI_CHAIN_NODECOLS	48

enum {
	CC_HEIGHT, CC_HASH, CC_SEEN, CC_DELAY, CC_FROM, CC_SIZE, CC_SPREAD, CC_FIXED
};

static const struct ui_colspec fixed_cols[CC_FIXED] = {
	[CC_HEIGHT] = { 7, 0, 1 },
	[CC_HASH] = { 12, 2, 4 },
	[CC_SEEN] = { 12, 0, 1 },
	[CC_DELAY] = { 7, 0, 1 },
	[CC_FROM] = { 16, 3, 2 },
	[CC_SIZE] = { 6, 0, 5 },
	[CC_SPREAD] = { 7, 0, 2 },
};
static const char *const fixed_titles[CC_FIXED] = {
	"HEIGHT", "HASH", "FIRST SEEN", "DELAY", "FROM", "SIZE", "SPREAD",
};

void
ui_chain_init(struct ui_chain *v)
{
	memset(v, 0, sizeof(*v));
	v->page = 10;
}

bool
ui_chain_action(struct ui_chain *v, enum action act)
{
	long page = v->page > 1 ? v->page : 1;

	switch (act) {
	case ACT_UP: v->top--; break;
	case ACT_DOWN: v->top++; break;
	case ACT_PGUP: v->top -= page; break;
	case ACT_PGDN: v->top += page; break;
	case ACT_HOME: v->top = 0; break;
	case ACT_END: v->top = CHAINSTATE_BLOCKS; break;	/* clamped when drawn */
	default: return false;
	}
	if (v->top < 0)
		v->top = 0;
	return true;
}

char *
ui_chain_work(const char *chainwork, char *buf, size_t len)
{
	const char *p = chainwork;

	while (*p == '0' && p[1] != '\0')
		p++;
	snprintf(buf, len, "%s%s", *p != '\0' ? "0x" : "-", p);
	return buf;
}

/* "HH:MM:SS.mmm" of a wall-clock time in ms, or "-". */
static char *
fmt_ms_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char hms[16];

	if (ms <= 0 || localtime_r(&t, &tm) == NULL || strftime(hms, sizeof(hms), "%H:%M:%S",
	    &tm) == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s.%03d", hms, (int)(ms % 1000));
	return buf;
}

/* "2026-12-01 12:34:56" of unix seconds, or "-". */
static char *
fmt_when(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

/* Why there is nothing to show for S, or NULL when there is. */
static const char *
no_chain_reason(const struct source *s)
{
	if (s->chain.has_info)
		return NULL;
	if (s->lacks[SQ_CHAIN])
		return "no chain RPCs on this node (an agentnode from before the data plane)";
	if (s->state == SOURCE_DOWN)
		return s->error;
	return "waiting for the node...";
}

/* The largest delay after the first sighting, or -1 with fewer than two. */
static double
spread_of(const int64_t *seen, size_t n, int64_t first)
{
	int64_t last = CHAINSTATE_NONE;
	size_t got = 0;

	for (size_t i = 0; i < n; i++) {
		if (seen[i] == CHAINSTATE_NONE)
			continue;
		got++;
		if (seen[i] > last)
			last = seen[i];
	}
	return got >= 2 ? (double)(last - first) : -1;
}

/* --- the tip ---------------------------------------------------------------- */

/* The recent blocks' pace on row Y: mean spacing of their timestamps and
 * how many this node mined.  The genesis block is left out: its
 * timestamp is the network's birthday, not a block interval. */
static void
draw_pace(struct grid *g, struct rect r, int y, const struct chainstate *c)
{
	char a[FMT_LEN];
	size_t here = 0, n = c->nrecent;

	if (n > 0 && c->recent[n - 1].height == 0)
		n--;
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		here += c->recent[i].from_peer == 0;
	(void)ui_labelled(g, r, y, 9, "pace", GC_NORMAL, "a block every %s over the last %zu, "
	    "%zu mined here", fmt_duration((c->recent[0].time - c->recent[n - 1].time) /
	    (int64_t)(n - 1), a, sizeof(a)), n, here);
}

static char *
f_ms(double v, char *buf, size_t len)
{
	return fmt_latency(v, buf, len);
}

/* Below the tip's lines, when rows are left: each recent block's spread
 * across the nodes (or, with one node, its delay), oldest to newest. */
static void
draw_trend(struct grid *g, struct rect r, const struct ui_chain_in *in,
    const struct chainstate *const *cs)
{
	const struct chainstate *c = &in->src[in->cur]->chain;
	double v[CHAINSTATE_BLOCKS];
	int64_t *seen = xcalloc(in->nsrc, sizeof(*seen));
	size_t n = 0;
	bool multi = in->nsrc > 1;

	for (size_t i = c->nrecent; i-- > 0;) {
		const struct chain_block *b = &c->recent[i];
		int64_t first = chainstate_sightings(cs, in->nsrc, b->height, b->hash, seen);
		double sp = multi ? spread_of(seen, in->nsrc, first) : -1;

		if (!multi && chainstate_live(b))
			sp = b->delay_ms > 0 ? (double)b->delay_ms : 0;
		if (sp >= 0)
			v[n++] = sp;
	}
	free(seen);
	if (n < 2 || r.h < 3)
		return;
	grid_text(g, r.x, r.y, r.w, GC_TITLE, multi ? "spread of each block, oldest to newest" :
	    "delay of each block, oldest to newest");
	chart_trend(g, (struct rect){ r.x, r.y + 1, r.w, r.h - 1 }, GC_BAR, v, n, 7, f_ms, false);
}

static void
draw_tip(struct grid *g, struct rect r, const struct source *s, double wall)
{
	const struct chainstate *c = &s->chain;
	char a[FMT_LEN], b[FMT_LEN], w[80], when[32];
	const char *why = no_chain_reason(s);
	int y = r.y, used;

	if (r.h <= 0 || r.w <= 0)
		return;
	if (why != NULL) {
		ui_message(g, r, s->state == SOURCE_DOWN ? GC_BAD : GC_DIM, why);
		return;
	}
	if (c->headers > c->blocks) {
		used = grid_printf(g, r.x, y, r.w, GC_WARN | GA_BOLD, "height %lld of %lld headers ",
		    (long long)c->blocks, (long long)c->headers);
		if (r.w - used > 12) {
			int bw = r.w - used - 7 < 30 ? r.w - used - 7 : 30;

			chart_hbar(g, r.x + used, y, bw, GC_BAR, c->progress);
			grid_printf(g, r.x + used + bw + 1, y, 6, GC_WARN, "%.1f%%",
			    c->progress * 100);
		}
	} else {
		used = grid_printf(g, r.x, y, r.w, GC_GOOD | GA_BOLD, "height %lld",
		    (long long)c->blocks);
		grid_printf(g, r.x + used, y, r.w - used, GC_DIM, "  headers %lld: in step%s",
		    (long long)c->headers, c->ibd ? ", initial download" : "");
	}
	y++;
	y = ui_labelled(g, r, y, 9, "tip", GC_NORMAL, "%s", c->best[0] ? c->best : "-");
	fmt_when(c->time, when, sizeof(when));
	y = ui_labelled(g, r, y, 9, "time", GC_NORMAL, "%s (%s ago)", when,
	    fmt_duration(c->time > 0 && wall > (double)c->time ? (int64_t)wall - c->time : 0, a,
	    sizeof(a)));
	y = ui_labelled(g, r, y, 9, "work", GC_NORMAL, "%s  chain %s",
	    ui_chain_work(c->chainwork, w, sizeof(w)), c->chain[0] ? c->chain : "?");
	if (c->has_mempool)
		y = ui_labelled(g, r, y, 9, "mempool", GC_NORMAL, "%lld tx, %s of %s  evicted %lld  "
		    "expired %lld", (long long)c->mp_count, fmt_bytes((uint64_t)(c->mp_bytes > 0 ?
		    c->mp_bytes : 0), a, sizeof(a)), fmt_bytes((uint64_t)(c->mp_max_bytes > 0 ?
		    c->mp_max_bytes : 0), b, sizeof(b)), (long long)c->mp_evicted,
		    (long long)c->mp_expired);
	else
		y = ui_labelled(g, r, y, 9, "mempool", GC_DIM, "%s", s->lacks[SQ_MEMPOOL] ?
		    "not told (no getmempoolinfo)" : "-");
	if (c->has_tips) {
		char extra[96] = "";

		if (c->ninvalid + c->nheaders_only > 0)
			snprintf(extra, sizeof(extra), ", %d invalid, %d headers only", c->ninvalid,
			    c->nheaders_only);
		y = ui_labelled(g, r, y, 9, "forks", c->nforks + c->ninvalid > 0 ? GC_WARN : GC_NORMAL,
		    "%d beside the active chain (longest %d block%s)%s", c->nforks, c->longest_fork,
		    c->longest_fork == 1 ? "" : "s", extra);
	} else {
		y = ui_labelled(g, r, y, 9, "forks", GC_DIM, "%s", s->lacks[SQ_TIPS] ?
		    "not told (no getchaintips)" : "-");
	}
	draw_pace(g, r, y, c);
}

/* Rows draw_tip uses. */
#define UI_CHAIN_TIPROWS	7

/* --- histograms ------------------------------------------------------------- */

/* A histogram of N values (ms) in a box titled TITLE (NOTE beside it):
 * SUMMARY and the quantiles on the first row, FOOT (may be NULL) on the
 * last, EMPTY instead of bins when there are none. */
static void
draw_hist(struct grid *g, struct rect r, const char *title, const char *note, double *v,
    size_t n, const char *summary, const char *empty, const char *foot)
{
	struct chart_hist h;
	char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN];
	struct rect in;
	int used;

	chart_hist_reset(&h);
	for (size_t i = 0; i < n; i++)
		chart_hist_add(&h, v[i]);
	in = ui_box(g, r, title, note);
	if (in.h <= 0)
		return;
	used = grid_text(g, in.x, in.y, in.w, GC_NORMAL | GA_BOLD, summary);
	if (n > 0)
		grid_printf(g, in.x + used, in.y, in.w - used, GC_NORMAL, "  p50 %s  p90 %s  max %s",
		    fmt_latency(chart_quantile(v, n, 0.5), a, sizeof(a)),
		    fmt_latency(chart_quantile(v, n, 0.9), b, sizeof(b)),
		    fmt_latency(h.max, c, sizeof(c)));
	in.y++;
	in.h--;
	if (foot != NULL && in.h >= 3) {
		grid_text(g, in.x, in.y + in.h - 1, in.w, GC_DIM, foot);
		in.h--;
	}
	if (in.h > 0 && !chart_hist_draw(g, in, GC_BAR, &h))
		ui_message(g, in, GC_DIM, empty);
}

static void
draw_delays(struct grid *g, struct rect r, const struct source *s)
{
	double *v = xcalloc(CHAINSTATE_BLOCKS, sizeof(*v));
	size_t synced, n = chainstate_delays(&s->chain, v, CHAINSTATE_BLOCKS, &synced);
	char title[128], sum[96];

	snprintf(title, sizeof(title), "Delay from timestamp at %s", s->label);
	if (synced > 0)
		snprintf(sum, sizeof(sum), "%zu block%s (+%zu synced)", n, n == 1 ? "" : "s",
		    synced);
	else
		snprintf(sum, sizeof(sum), "%zu block%s", n, n == 1 ? "" : "s");
	draw_hist(g, r, title, NULL, v, n, sum, no_chain_reason(s) != NULL ?
	    no_chain_reason(s) : "no block relayed live yet",
	    "timestamps round down to whole seconds");
	free(v);
}

static void
draw_spread(struct grid *g, struct rect r, const struct ui_chain_in *in,
    const struct chainstate *const *cs)
{
	size_t max = in->nsrc * CHAINSTATE_BLOCKS, nblocks, n, with = 0;
	double *v = xcalloc(max > 0 ? max : 1, sizeof(*v));
	char note[96], sum[96];

	for (size_t i = 0; i < in->nsrc; i++)
		with += in->src[i]->chain.has_recent;
	n = chainstate_spreads(cs, in->nsrc, v, max, &nblocks);
	snprintf(note, sizeof(note), "%zu/%zu nodes", with, in->nsrc);
	snprintf(sum, sizeof(sum), "%zu block%s", nblocks, nblocks == 1 ? "" : "s");
	draw_hist(g, r, "Propagation", note, v, n, sum,
	    "no block seen live by two watched nodes yet",
	    "each node's delay after the first sighting");
	free(v);
}

/* --- the blocks --------------------------------------------------------------- */

/* Where block B at node S came from: "mined here", or the peer with its
 * place when the console knows it. */
static uint16_t
fmt_from(const struct source *s, const struct chain_block *b, char *buf, size_t len)
{
	const struct peer_info *p;

	if (b->from_peer == 0) {
		snprintf(buf, len, "mined here");
		return GC_GOOD;
	}
	p = source_peer(s, b->from_peer);
	if (p != NULL && p->city[0] != '\0')
		snprintf(buf, len, "%s %s", b->from, p->city);
	else if (p != NULL && p->country[0] != '\0')
		snprintf(buf, len, "%s %s", b->from, p->country);
	else
		snprintf(buf, len, "%s", b->from[0] ? b->from : "?");
	return strcmp(b->from, "gone") == 0 ? GC_DIM : GC_NORMAL;
}

/* Node M's sighting of a block as a cell: "first", "+120ms", "synced"
 * (it has it, not live), "-" (it has not). */
static uint16_t
fmt_at_node(const struct chainstate *c, const struct chain_block *b, int64_t seen,
    int64_t first, char *buf, size_t len)
{
	char d[FMT_LEN];

	if (seen == CHAINSTATE_NONE) {
		snprintf(buf, len, "%s", c != NULL && chainstate_find(c, b->height, b->hash) != NULL ?
		    "synced" : "-");
		return GC_DIM;
	}
	if (seen == first) {
		snprintf(buf, len, "first");
		return GC_GOOD;
	}
	snprintf(buf, len, "+%s", fmt_latency((double)(seen - first), d, sizeof(d)));
	return seen - first < 1000 ? GC_NORMAL : GC_WARN;
}

/* The cell of fixed column COL for block B of node S. */
static uint16_t
block_cell(const struct source *s, const struct chain_block *b, int col, double spread,
    char *buf, size_t len)
{
	switch (col) {
	case CC_HEIGHT:
		snprintf(buf, len, "%d", (int)b->height);
		return GC_NORMAL | GA_BOLD;
	case CC_HASH:
		snprintf(buf, len, "%s", b->hash);
		return GC_DIM;
	case CC_SEEN:
		fmt_ms_time(b->seen_ms, buf, len);
		return GC_NORMAL;
	case CC_DELAY:
		if (chainstate_live(b)) {
			fmt_latency(b->delay_ms > 0 ? (double)b->delay_ms : 0, buf, len);
			return GC_NORMAL;
		}
		fmt_duration(b->delay_ms / 1000, buf, len);
		return GC_DIM;
	case CC_FROM:
		return fmt_from(s, b, buf, len);
	case CC_SIZE:
		if (b->size < 0)
			snprintf(buf, len, "-");
		else
			fmt_bytes((uint64_t)b->size, buf, len);
		return GC_NORMAL;
	default:
		fmt_latency(spread, buf, len);
		return spread < 0 ? GC_DIM : spread < 1000 ? GC_GOOD : GC_WARN;
	}
}

/* The table's columns for width W: the fixed ones, then one per node
 * (when there are several).  Returns how many, into COLS (indices: fixed
 * columns first, then CC_FIXED + node) and WIDTHS. */
static size_t
block_layout(int w, size_t nsrc, int *cols, int *widths)
{
	struct ui_colspec spec[CC_FIXED + UI_CHAIN_NODECOLS];
	size_t nn = nsrc > 1 ? (nsrc < UI_CHAIN_NODECOLS ? nsrc : UI_CHAIN_NODECOLS) : 0;

	memcpy(spec, fixed_cols, sizeof(fixed_cols));
	if (nn == 0)
		spec[CC_SPREAD].prio = 0;	/* one node: no spread */
	for (size_t i = 0; i < nn; i++)
		spec[CC_FIXED + i] = (struct ui_colspec){ 9, 0, 3 };
	return ui_layout_columns(w, spec, CC_FIXED + nn, 64, cols, widths);
}

/* A node's label for a column W wide: its end when it is longer (the
 * port of "127.0.0.1:28601" tells nodes apart, not its start). */
static const char *
label_tail(const struct grid *g, const char *label, int w, char *buf, size_t len)
{
	size_t n = strlen(label);

	if (grid_strwidth(g, label) <= w || w < 3)
		return label;
	/* Bytes as columns: a cut inside a UTF-8 name costs one U+FFFD. */
	snprintf(buf, len, "%s%s", g->gl->ellipsis, label + n - (size_t)(w - 1));
	return buf;
}

static enum grid_align
col_align(int col)
{
	return col == CC_HASH || col == CC_FROM ? GRID_LEFT : GRID_RIGHT;
}

static void
draw_header(struct grid *g, struct rect r, const struct ui_chain_in *in, const int *cols,
    const int *widths, size_t nc)
{
	int x = r.x;
	char tail[96];

	grid_fill(g, (struct rect){ r.x, r.y, r.w, 1 }, ' ', GC_TITLE | GA_REVERSE);
	for (size_t k = 0; k < nc; k++) {
		bool node = cols[k] >= CC_FIXED;
		size_t m = node ? (size_t)(cols[k] - CC_FIXED) : 0;
		uint16_t at = GC_TITLE | GA_REVERSE | (node && m == in->cur ? GA_BOLD : 0);

		grid_field(g, x, r.y, widths[k], at, col_align(cols[k]), node ?
		    label_tail(g, in->src[m]->label, widths[k], tail, sizeof(tail)) :
		    fixed_titles[cols[k]]);
		if (node)
			grid_hit(g, (struct rect){ x, r.y, widths[k] + 1, 1 }, HIT_CHAIN_NODE,
			    (long long)m);
		x += widths[k] + 1;
	}
}

static void
draw_blocks(struct ui_chain *v, struct grid *g, struct rect r, const struct ui_chain_in *in,
    const struct chainstate *const *cs)
{
	const struct source *s = in->src[in->cur];
	const struct chainstate *c = &s->chain;
	int cols[CC_FIXED + UI_CHAIN_NODECOLS], widths[CC_FIXED + UI_CHAIN_NODECOLS];
	int64_t *seen = xcalloc(in->nsrc > 0 ? in->nsrc : 1, sizeof(*seen));
	size_t nc = block_layout(r.w, in->nsrc, cols, widths);
	char buf[160];

	draw_header(g, r, in, cols, widths, nc);
	v->page = r.h - 1 > 1 ? r.h - 1 : 1;
	if (v->top > (long)c->nrecent - v->page)
		v->top = (long)c->nrecent - v->page;
	if (v->top < 0)
		v->top = 0;
	if (c->nrecent == 0)
		ui_message(g, (struct rect){ r.x, r.y + 1, r.w, r.h - 1 }, GC_DIM,
		    no_chain_reason(s) != NULL ? no_chain_reason(s) : s->lacks[SQ_BLOCKS] ?
		    "this node does not list its recent blocks (no getrecentblocks)" :
		    "no blocks yet");
	for (int row = 0; row < r.h - 1 && v->top + row < (long)c->nrecent; row++) {
		const struct chain_block *b = &c->recent[v->top + row];
		int64_t first = chainstate_sightings(cs, in->nsrc, b->height, b->hash, seen);
		double spread = spread_of(seen, in->nsrc, first);
		int x = r.x, y = r.y + 1 + row;

		for (size_t k = 0; k < nc; k++) {
			uint16_t at;

			if (cols[k] >= CC_FIXED) {
				size_t m = (size_t)(cols[k] - CC_FIXED);

				at = fmt_at_node(cs[m], b, seen[m], first, buf, sizeof(buf));
				if (m == in->cur)
					at |= GA_BOLD;
			} else {
				at = block_cell(s, b, cols[k], spread, buf, sizeof(buf));
			}
			grid_field(g, x, y, widths[k], at, col_align(cols[k]), buf);
			x += widths[k] + 1;
		}
	}
	free(seen);
}

/* --- the view ----------------------------------------------------------------- */

void
ui_chain_draw(struct ui_chain *v, struct grid *g, struct rect r, const struct ui_chain_in *in)
{
	const struct source *s;
	const struct chainstate **cs;
	struct rect top, table, tip, hists, h1, h2, box;
	char title[128], note[128];
	int toph;
	bool multi;

	if (r.w <= 0 || r.h <= 0 || in->nsrc == 0)
		return;
	s = in->src[in->cur];
	multi = in->nsrc > 1;
	cs = xcalloc(in->nsrc, sizeof(*cs));
	for (size_t i = 0; i < in->nsrc; i++)
		cs[i] = &in->src[i]->chain;
	toph = r.h / 3 < 8 ? 8 : r.h / 3 > 16 ? 16 : r.h / 3;
	if (toph > r.h - 4)
		toph = r.h - 4 < 3 ? r.h : r.h - 4;
	ui_split_v(r, 0.0, toph, 0, &top, &table);

	/* The top row: the tip, and the histograms when there is room. */
	if (r.w >= 76 && r.h >= 16) {
		ui_split_h(top, r.w >= 120 ? 0.42 : 0.5, 38, 36, &tip, &hists);
	} else {
		tip = top;
		hists = (struct rect){ top.x, top.y, 0, 0 };
	}
	snprintf(title, sizeof(title), "Chain of %s", s->label);
	box = ui_box(g, tip, title, s->chain.has_info && s->chain.ibd ? "initial download" : NULL);
	draw_tip(g, box, s, in->wall);
	if (box.h > UI_CHAIN_TIPROWS + 3 && s->chain.has_info)
		draw_trend(g, (struct rect){ box.x, box.y + UI_CHAIN_TIPROWS + 1, box.w,
		    box.h - UI_CHAIN_TIPROWS - 1 }, in, cs);
	if (hists.w > 0) {
		if (multi && r.w >= 120) {
			ui_split_h(hists, 0.5, 30, 30, &h1, &h2);
			draw_spread(g, h1, in, cs);
			draw_delays(g, h2, s);
		} else if (multi) {
			draw_spread(g, hists, in, cs);
		} else {
			draw_delays(g, hists, s);
		}
	}
	if (table.h > 0) {
		snprintf(title, sizeof(title), "Recent blocks at %s", s->label);
		if (multi)
			snprintf(note, sizeof(note), "%zu held  per node: delay after the first "
			    "sighting  click a node", s->chain.nrecent);
		else
			snprintf(note, sizeof(note), "%zu held  delay: from the block's timestamp",
			    s->chain.nrecent);
		box = ui_box(g, table, title, note);
		if (box.h > 0)
			draw_blocks(v, g, box, in, cs);
	}
	free(cs);
}
