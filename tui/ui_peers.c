/* ui_peers.c -- the peers view: a column table with sorting, filtering, selection by peer id and a detail pane.
 *
 * Only the visible rows are formatted and drawn; the order is rebuilt
 * only when the data, the sort or the filter changes, so a table of
 * 10,000 peers costs one sort per poll and a screenful of formatting per
 * frame. */
#include "ui_peers.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "clock.h"
#include "fmt.h"
#include "ui_frame.h"
#include "xmalloc.h"

/* --- formatters ---------------------------------------------------------- */

static void
f_id(const struct peer_info *p, char *b, size_t n)
{
	snprintf(b, n, "%" PRIu64, p->id);
}

static void
f_addr(const struct peer_info *p, char *b, size_t n)
{
	snprintf(b, n, "%s", p->addr);
}

static const char *
dir_short(const struct peer_info *p)
{
	if (strcmp(p->conn_type, "manual") == 0)
		return "man";
	if (strcmp(p->conn_type, "feeler") == 0)
		return "feel";
	if (strcmp(p->direction, "inbound") == 0)
		return "in";
	if (strcmp(p->direction, "outbound") == 0)
		return "out";
	return "?";
}

static void
f_dir(const struct peer_info *p, char *b, size_t n)
{
	snprintf(b, n, "%s", dir_short(p));
}

static void
f_cc(const struct peer_info *p, char *b, size_t n)
{
	snprintf(b, n, "%s", p->country[0] ? p->country : "-");
}

static void
f_ping(const struct peer_info *p, char *b, size_t n)
{
	fmt_latency(p->ping_ms, b, n);
}

static void
f_minping(const struct peer_info *p, char *b, size_t n)
{
	fmt_latency(p->minping_ms, b, n);
}

static void
f_pingwait(const struct peer_info *p, char *b, size_t n)
{
	fmt_latency(p->pingwait_ms, b, n);
}

static void
f_version(const struct peer_info *p, char *b, size_t n)
{
	if (p->version > 0)
		snprintf(b, n, "%d", (int)p->version);
	else
		snprintf(b, n, "-");
}

static void
f_agent(const struct peer_info *p, char *b, size_t n)
{
	snprintf(b, n, "%s", p->subver[0] ? p->subver : "-");
}

static void
f_transport(const struct peer_info *p, char *b, size_t n)
{
	snprintf(b, n, "%s", p->transport[0] ? p->transport : "-");
}

static void
f_height(const struct peer_info *p, char *b, size_t n)
{
	if (p->start_height >= 0 && p->handshake_complete)
		snprintf(b, n, "%d", (int)p->start_height);
	else
		snprintf(b, n, "-");
}

/* What the peer proved: blocks we share, and headers when it showed more. */
static void
f_synced(const struct peer_info *p, char *b, size_t n)
{
	if (p->synced_blocks < 0 && p->synced_headers < 0)
		snprintf(b, n, "-");
	else if (p->synced_headers > p->synced_blocks)
		snprintf(b, n, "%d/%d", (int)(p->synced_blocks > 0 ? p->synced_blocks : 0),
		    (int)p->synced_headers);
	else
		snprintf(b, n, "%d", (int)p->synced_blocks);
}

static void
f_sent(const struct peer_info *p, char *b, size_t n)
{
	fmt_bytes(p->bytes_sent, b, n);
}

static void
f_recv(const struct peer_info *p, char *b, size_t n)
{
	fmt_bytes(p->bytes_recv, b, n);
}

static void
f_txrate(const struct peer_info *p, char *b, size_t n)
{
	fmt_rate(p->send_rate, b, n);
}

static void
f_rxrate(const struct peer_info *p, char *b, size_t n)
{
	fmt_rate(p->recv_rate, b, n);
}

static void
f_conntime(const struct peer_info *p, char *b, size_t n)
{
	/* From conntime: the node does not report ages as changes. */
	fmt_duration(source_peer_age(p, clock_wall()), b, n);
}

static void
f_jitter(const struct peer_info *p, char *b, size_t n)
{
	fmt_latency(source_peer_jitter(p), b, n);
}

static void
f_loss(const struct peer_info *p, char *b, size_t n)
{
	double l = source_peer_loss(p);

	if (l < 0)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.0f%%", l * 100);
}

static void
f_rep(const struct peer_info *p, char *b, size_t n)
{
	snprintf(b, n, "%d", p->rep_score);
}

static void
f_quality(const struct peer_info *p, char *b, size_t n)
{
	snprintf(b, n, "%d", p->quality_score);
}

/* --- cell colours ------------------------------------------------------- */

uint16_t
ui_peers_latency_attr(double ms)
{
	if (ms < 0)
		return GC_DIM;
	return ms < 100 ? GC_GOOD : ms < 500 ? GC_WARN : GC_BAD;
}

static uint16_t
a_ping(const struct peer_info *p)
{
	return ui_peers_latency_attr(p->ping_ms);
}

static uint16_t
a_minping(const struct peer_info *p)
{
	return ui_peers_latency_attr(p->minping_ms);
}

static uint16_t
a_loss(const struct peer_info *p)
{
	double l = source_peer_loss(p);

	return l < 0 ? GC_DIM : l == 0 ? GC_GOOD : l < 0.05 ? GC_WARN : GC_BAD;
}

static uint16_t
a_rep(const struct peer_info *p)
{
	return p->rep_score < 0 ? GC_BAD : GC_NORMAL;
}

/* --- comparators (ties are broken by id by the caller) -------------------- */

#define CMP(a, b)	((a) < (b) ? -1 : (a) > (b))

/* Unknown latencies sort after every known one. */
static int
cmp_latency(double a, double b)
{
	if (a < 0 || b < 0)
		return CMP(a < 0, b < 0);
	return CMP(a, b);
}

static int
c_id(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->id, b->id);
}

static int
c_addr(const struct peer_info *a, const struct peer_info *b)
{
	if (a->has_na && b->has_na)
		return netaddr_cmp(&a->na, &b->na);
	return strcmp(a->addr, b->addr);
}

static int
c_dir(const struct peer_info *a, const struct peer_info *b)
{
	return strcmp(dir_short(a), dir_short(b));
}

static int
c_cc(const struct peer_info *a, const struct peer_info *b)
{
	return strcmp(a->country, b->country);
}

static int
c_ping(const struct peer_info *a, const struct peer_info *b)
{
	return cmp_latency(a->ping_ms, b->ping_ms);
}

static int
c_minping(const struct peer_info *a, const struct peer_info *b)
{
	return cmp_latency(a->minping_ms, b->minping_ms);
}

static int
c_pingwait(const struct peer_info *a, const struct peer_info *b)
{
	return cmp_latency(a->pingwait_ms, b->pingwait_ms);
}

static int
c_version(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->version, b->version);
}

static int
c_agent(const struct peer_info *a, const struct peer_info *b)
{
	return strcmp(a->subver, b->subver);
}

static int
c_height(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->start_height, b->start_height);
}

static int
c_synced(const struct peer_info *a, const struct peer_info *b)
{
	if (a->synced_blocks != b->synced_blocks)
		return CMP(a->synced_blocks, b->synced_blocks);
	return CMP(a->synced_headers, b->synced_headers);
}

static int
c_sent(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->bytes_sent, b->bytes_sent);
}

static int
c_recv(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->bytes_recv, b->bytes_recv);
}

static int
c_txrate(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->send_rate, b->send_rate);
}

static int
c_rxrate(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->recv_rate, b->recv_rate);
}

/* Longer connected (earlier conntime) is more. */
static int
c_conntime(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(b->conntime, a->conntime);
}

static int
c_jitter(const struct peer_info *a, const struct peer_info *b)
{
	return cmp_latency(source_peer_jitter(a), source_peer_jitter(b));
}

static int
c_loss(const struct peer_info *a, const struct peer_info *b)
{
	return cmp_latency(source_peer_loss(a), source_peer_loss(b));
}

static int
c_transport(const struct peer_info *a, const struct peer_info *b)
{
	return strcmp(a->transport, b->transport);
}

static int
c_rep(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->rep_score, b->rep_score);
}

static int
c_quality(const struct peer_info *a, const struct peer_info *b)
{
	return CMP(a->quality_score, b->quality_score);
}

const struct ui_peers_column ui_peers_columns[] = {
	{ .key = "id", .title = "ID", .width = 5, .prio = 1, .align = GRID_RIGHT,
	  .cmp = c_id, .fmt = f_id,
	  .help = "peer id (as disconnectnode takes it)" },
	{ .key = "address", .title = "ADDRESS", .width = 21, .flex = 1, .prio = 1, .align = GRID_LEFT,
	  .cmp = c_addr, .fmt = f_addr,
	  .help = "remote address and port" },
	{ .key = "dir", .title = "DIR", .width = 4, .prio = 2, .align = GRID_LEFT,
	  .cmp = c_dir, .fmt = f_dir,
	  .help = "in, out, man (manual) or feel (feeler)" },
	{ .key = "country", .title = "CC", .width = 2, .prio = 4, .align = GRID_LEFT,
	  .cmp = c_cc, .fmt = f_cc,
	  .help = "country (ISO code)" },
	{ .key = "ping", .title = "PING", .width = 7, .prio = 1, .align = GRID_RIGHT,
	  .cmp = c_ping, .fmt = f_ping, .attr = a_ping,
	  .help = "last measured latency" },
	{ .key = "minping", .title = "MIN", .width = 7, .prio = 5, .align = GRID_RIGHT,
	  .cmp = c_minping, .fmt = f_minping, .attr = a_minping,
	  .help = "lowest latency" },
	{ .key = "jitter", .title = "JITTER", .width = 7, .prio = 6, .align = GRID_RIGHT,
	  .cmp = c_jitter, .fmt = f_jitter,
	  .help = "mean change between consecutive pings the console saw" },
	{ .key = "loss", .title = "LOSS", .width = 4, .prio = 6, .align = GRID_RIGHT,
	  .cmp = c_loss, .fmt = f_loss, .attr = a_loss,
	  .help = "share of pings that got no pong" },
	{ .key = "pingwait", .title = "WAIT", .width = 7, .prio = 8, .align = GRID_RIGHT,
	  .cmp = c_pingwait, .fmt = f_pingwait,
	  .help = "how long the unanswered ping has waited" },
	{ .key = "version", .title = "VER", .width = 5, .prio = 8, .align = GRID_RIGHT,
	  .cmp = c_version, .fmt = f_version,
	  .help = "protocol version" },
	{ .key = "transport", .title = "TR", .width = 2, .prio = 5, .align = GRID_LEFT,
	  .cmp = c_transport, .fmt = f_transport,
	  .help = "transport: v2 (encrypted) or v1 (plaintext)" },
	{ .key = "agent", .title = "AGENT", .width = 16, .flex = 2, .prio = 3, .align = GRID_LEFT,
	  .cmp = c_agent, .fmt = f_agent,
	  .help = "user agent" },
	{ .key = "synced", .title = "SYNCED", .width = 11, .prio = 5, .align = GRID_RIGHT,
	  .cmp = c_synced, .fmt = f_synced,
	  .help = "height the peer proved: blocks we share (/ headers it showed, when more)" },
	{ .key = "height", .title = "CLAIMED", .width = 10, .prio = 6, .align = GRID_RIGHT,
	  .cmp = c_height, .fmt = f_height,
	  .help = "start height the peer claimed in its version message (unverified)" },
	{ .key = "sent", .title = "SENT", .width = 6, .prio = 5, .align = GRID_RIGHT,
	  .cmp = c_sent, .fmt = f_sent,
	  .help = "bytes sent" },
	{ .key = "recv", .title = "RECV", .width = 6, .prio = 5, .align = GRID_RIGHT,
	  .cmp = c_recv, .fmt = f_recv,
	  .help = "bytes received" },
	{ .key = "txrate", .title = "TX/S", .width = 7, .prio = 6, .align = GRID_RIGHT,
	  .cmp = c_txrate, .fmt = f_txrate,
	  .help = "send rate" },
	{ .key = "rxrate", .title = "RX/S", .width = 7, .prio = 6, .align = GRID_RIGHT,
	  .cmp = c_rxrate, .fmt = f_rxrate,
	  .help = "receive rate" },
	{ .key = "conntime", .title = "CONN", .width = 6, .prio = 4, .align = GRID_RIGHT,
	  .cmp = c_conntime, .fmt = f_conntime,
	  .help = "time connected" },
	{ .key = "reputation", .title = "REP", .width = 4, .prio = 7, .align = GRID_RIGHT,
	  .cmp = c_rep, .fmt = f_rep, .attr = a_rep,
	  .help = "reputation score" },
	{ .key = "quality", .title = "QUAL", .width = 4, .prio = 4, .align = GRID_RIGHT,
	  .cmp = c_quality, .fmt = f_quality,
	  .help = "quality score" },
};
const size_t ui_peers_ncolumns = sizeof(ui_peers_columns) / sizeof(ui_peers_columns[0]);

int
ui_peers_column(const char *key)
{
	for (size_t i = 0; i < ui_peers_ncolumns; i++)
		if (strcmp(ui_peers_columns[i].key, key) == 0)
			return (int)i;
	return -1;
}

size_t
ui_peers_layout_only(int width, const char *const *only, int *cols, int *widths)
{
	struct ui_colspec spec[64];
	size_t n = ui_peers_ncolumns < 64 ? ui_peers_ncolumns : 64;

	for (size_t i = 0; i < n; i++) {
		const struct ui_peers_column *c = &ui_peers_columns[i];
		bool want = only == NULL;

		for (size_t k = 0; only != NULL && only[k] != NULL && !want; k++)
			want = strcmp(only[k], c->key) == 0;
		spec[i] = (struct ui_colspec){ c->width, c->flex, want ? c->prio : 0 };
	}
	return ui_layout_columns(width, spec, n, 48, cols, widths);
}

size_t
ui_peers_layout(int width, int *cols, int *widths)
{
	return ui_peers_layout_only(width, NULL, cols, widths);
}

/* --- order, filter, selection -------------------------------------------- */

void
ui_peers_init(struct ui_peers *v, int sort_col, bool reverse)
{
	memset(v, 0, sizeof(*v));
	v->sort_col = sort_col >= 0 && (size_t)sort_col < ui_peers_ncolumns ? sort_col : 0;
	v->reverse = reverse;
	v->page = 10;
}

void
ui_peers_free(struct ui_peers *v)
{
	free(v->ids);
	free(v->scratch);
	v->ids = NULL;
	v->scratch = NULL;
	v->nids = v->cap = v->scratch_cap = 0;
}

/* The scratch array, at least N long and zeroed. */
static size_t *
scratch(struct ui_peers *v, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > v->scratch_cap) {
		free(v->scratch);
		v->scratch_cap = n + n / 4;
		v->scratch = xcalloc(v->scratch_cap, sizeof(*v->scratch));
	} else {
		memset(v->scratch, 0, n * sizeof(*v->scratch));
	}
	return v->scratch;
}

bool
ui_peers_match(const struct peer_info *p, const char *filter)
{
	char id[24];

	if (filter == NULL || filter[0] == '\0')
		return true;
	snprintf(id, sizeof(id), "%" PRIu64, p->id);
	return strcmp(id, filter) == 0 || fmt_icontains(p->addr, filter) ||
	    fmt_icontains(p->subver, filter) || fmt_icontains(p->country, filter) ||
	    fmt_icontains(p->direction, filter) || fmt_icontains(p->conn_type, filter) ||
	    fmt_icontains(p->city, filter);
}

struct sort_ctx {
	const struct peer_info	*peers;
	const struct ui_peers_column *col;
	bool			 reverse;
};

static int
sort_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct peer_info *x = &c->peers[*(const size_t *)a];
	const struct peer_info *y = &c->peers[*(const size_t *)b];
	int r = c->col->cmp(x, y);

	if (r == 0)
		r = CMP(x->id, y->id);
	return c->reverse ? -r : r;
}

static void
ids_reserve(struct ui_peers *v, size_t n)
{
	if (n <= v->cap)
		return;
	v->cap = n < 64 ? 64 : n;
	v->ids = xreallocarray(v->ids, v->cap, sizeof(*v->ids));
}

static void
order_sorted(struct ui_peers *v, const struct source *src)
{
	struct sort_ctx ctx = { src->peers, &ui_peers_columns[v->sort_col], v->reverse };
	size_t *idx = scratch(v, src->npeers), n = 0;

	for (size_t i = 0; i < src->npeers; i++)
		if (ui_peers_match(&src->peers[i], v->filter))
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), sort_cmp, &ctx);
	ids_reserve(v, n);
	for (size_t i = 0; i < n; i++)
		v->ids[i] = src->peers[idx[i]].id;
	v->nids = n;
	v->stale_order = false;
}

/* Keep the rows where they are: drop gone peers, append new ones. */
static void
order_kept(struct ui_peers *v, const struct source *src)
{
	size_t *seen = scratch(v, src->npeers), n = 0;

	for (size_t i = 0; i < v->nids; i++) {
		long k = source_peer_index(src, v->ids[i]);

		if (k < 0 || seen[k])
			continue;
		seen[k] = 1;
		v->ids[n++] = v->ids[i];
	}
	ids_reserve(v, src->npeers);
	for (size_t i = 0; i < src->npeers; i++)
		if (!seen[i] && ui_peers_match(&src->peers[i], v->filter))
			v->ids[n++] = src->peers[i].id;
	v->nids = n;
	v->stale_order = true;
}

static void
restore_selection(struct ui_peers *v)
{
	bool found = false;

	if (v->nids == 0) {
		/* Nothing visible is selected: an action must never hit a
		 * peer the user cannot see. */
		v->have_sel = false;
		v->sel = 0;
		v->top = 0;
		return;
	}
	if (v->have_sel && v->follow) {
		for (size_t i = 0; i < v->nids; i++)
			if (v->ids[i] == v->sel_id) {
				v->sel = (long)i;
				found = true;
				break;
			}
	}
	if (!found) {
		/* Not following, or the selected peer left (or is filtered
		 * out): keep the position, take whoever is there now. */
		if (v->sel >= (long)v->nids)
			v->sel = (long)v->nids - 1;
		if (v->sel < 0)
			v->sel = 0;
		v->sel_id = v->ids[v->sel];
		v->have_sel = true;
	}
}

void
ui_peers_sync(struct ui_peers *v, const struct source *src, double now)
{
	bool new_src = v->built_src != src;
	bool changed = new_src || v->built_gen != src->peers_gen;

	if (!changed && !v->rebuild && !(v->stale_order && now >= v->defer_until))
		return;
	if (new_src) {
		v->have_sel = false;
		v->sel = v->top = 0;
		v->nids = 0;
		v->detail = false;
	}
	if (!new_src && !v->rebuild && now < v->defer_until)
		order_kept(v, src);
	else
		order_sorted(v, src);
	v->built_src = src;
	v->built_gen = src->peers_gen;
	v->rebuild = false;
	restore_selection(v);
}

void
ui_peers_set_filter(struct ui_peers *v, const char *filter)
{
	snprintf(v->filter, sizeof(v->filter), "%s", filter != NULL ? filter : "");
	v->rebuild = true;
	v->top = 0;
}

static void
select_row(struct ui_peers *v, long row, double now, bool follow)
{
	v->follow = follow;
	if (v->nids == 0)
		return;
	if (row >= (long)v->nids)
		row = (long)v->nids - 1;
	if (row < 0)
		row = 0;
	v->sel = row;
	v->sel_id = v->ids[row];
	v->have_sel = true;
	v->defer_until = now + UI_PEERS_SORT_DEFER;
}

bool
ui_peers_action(struct ui_peers *v, const struct source *src, enum action act, double now)
{
	long page = v->page > 1 ? v->page : 1;

	ui_peers_sync(v, src, now);
	switch (act) {
	case ACT_UP: select_row(v, v->sel - 1, now, true); return true;
	case ACT_DOWN: select_row(v, v->sel + 1, now, true); return true;
	case ACT_PGUP: select_row(v, v->sel - page, now, true); return true;
	case ACT_PGDN: select_row(v, v->sel + page, now, true); return true;
	case ACT_HOME: select_row(v, 0, now, false); return true;
	case ACT_END: select_row(v, (long)v->nids - 1, now, true); return true;
	case ACT_SORT_NEXT:
	case ACT_SORT_PREV:
		v->sort_col = (v->sort_col + (act == ACT_SORT_NEXT ? 1 : (int)ui_peers_ncolumns - 1)) %
		    (int)ui_peers_ncolumns;
		v->rebuild = true;
		v->defer_until = 0;
		return true;
	case ACT_SORT_REVERSE:
		v->reverse = !v->reverse;
		v->rebuild = true;
		v->defer_until = 0;
		return true;
	case ACT_DETAIL:
		v->detail = !v->detail && v->have_sel;
		return true;
	case ACT_CANCEL:
		if (v->detail) {
			v->detail = false;
			return true;
		}
		if (v->filter[0] != '\0') {
			ui_peers_set_filter(v, "");
			return true;
		}
		return false;
	default:
		return false;
	}
}

const struct peer_info *
ui_peers_selected(const struct ui_peers *v, const struct source *src)
{
	if (!v->have_sel || v->built_src != src)
		return NULL;
	return source_peer(src, v->sel_id);
}

bool
ui_peers_select_id(struct ui_peers *v, const struct source *src, uint64_t id, double now)
{
	ui_peers_sync(v, src, now);
	for (size_t i = 0; i < v->nids; i++)
		if (v->ids[i] == id) {
			select_row(v, (long)i, now, true);
			return true;
		}
	return false;
}

void
ui_peers_sort_by(struct ui_peers *v, int col)
{
	if (col < 0 || (size_t)col >= ui_peers_ncolumns)
		return;
	if (col == v->sort_col)
		v->reverse = !v->reverse;
	else
		v->sort_col = col;
	v->rebuild = true;
	v->defer_until = 0;
}

/* --- drawing ------------------------------------------------------------- */

void
ui_peers_draw_table(struct ui_peers *v, const struct source *src, struct grid *g, struct rect r,
    const char *const *only, bool footer, double now)
{
	int cols[64], widths[64], x, head = r.h >= 3 ? 1 : 0, foot = footer && r.h >= 4 ? 1 : 0;
	size_t ncols;
	struct rect body = { r.x, r.y + head, r.w, r.h - head - foot };
	char buf[128];

	if (r.w <= 0 || r.h <= 0)
		return;
	ui_peers_sync(v, src, now);
	ncols = ui_peers_layout_only(r.w, only, cols, widths);
	if (head) {
		grid_fill(g, (struct rect){ r.x, r.y, r.w, 1 }, ' ', GC_TITLE | GA_REVERSE);
		x = r.x;
		for (size_t k = 0; k < ncols; k++) {
			const struct ui_peers_column *c = &ui_peers_columns[cols[k]];

			if (cols[k] == v->sort_col) {
				snprintf(buf, sizeof(buf), "%s%s", c->title,
				    v->reverse ? g->gl->down : g->gl->up);
				grid_field(g, x, r.y, widths[k], GC_TITLE | GA_REVERSE | GA_BOLD,
				    c->align, buf);
			} else {
				grid_field(g, x, r.y, widths[k], GC_TITLE | GA_REVERSE, c->align,
				    c->title);
			}
			grid_hit(g, (struct rect){ x, r.y, widths[k] + 1, 1 }, HIT_PEER_COL, cols[k]);
			x += widths[k] + 1;
		}
	}
	v->page = body.h > 0 ? body.h : 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + v->page)
		v->top = v->sel - v->page + 1;
	if (v->top > (long)v->nids - v->page)
		v->top = (long)v->nids - v->page;
	if (v->top < 0)
		v->top = 0;

	if (!src->have_data) {
		ui_message(g, body, src->state == SOURCE_DOWN ? GC_BAD : GC_DIM,
		    src->state == SOURCE_DOWN ? src->error : "waiting for the node...");
	} else if (v->nids == 0) {
		ui_message(g, body, GC_DIM, src->npeers == 0 ? "no peers connected" :
		    "no peer matches the filter (Esc clears it)");
	}
	for (int row = 0; row < body.h && v->top + row < (long)v->nids; row++) {
		long i = v->top + row;
		const struct peer_info *p = source_peer(src, v->ids[i]);
		bool sel = i == v->sel && v->have_sel;
		int y = body.y + row;

		if (p == NULL)
			continue;
		if (sel)
			grid_fill(g, (struct rect){ r.x, y, r.w, 1 }, ' ', GC_SELECTED | GA_REVERSE);
		x = r.x;
		for (size_t k = 0; k < ncols; k++) {
			const struct ui_peers_column *c = &ui_peers_columns[cols[k]];
			uint16_t attr = sel ? GC_SELECTED | GA_REVERSE :
			    !p->handshake_complete ? GC_DIM : GC_NORMAL;

			if (!sel && c->attr != NULL)
				attr = c->attr(p);
			c->fmt(p, buf, sizeof(buf));
			grid_field(g, x, y, widths[k], attr, c->align, buf);
			x += widths[k] + 1;
		}
		grid_hit(g, (struct rect){ r.x, y, r.w, 1 }, HIT_PEER_ROW, (long long)p->id);
	}
	if (foot) {
		int y = r.y + r.h - 1, used;

		used = grid_printf(g, r.x, y, r.w, GC_DIM, "%zu/%zu peers", v->nids, src->npeers);
		if (v->filter[0] != '\0')
			used += grid_printf(g, r.x + used, y, r.w - used, GC_WARN, "  filter \"%s\"",
			    v->filter);
		used += grid_printf(g, r.x + used, y, r.w - used, GC_DIM, "  sort %s%s%s",
		    ui_peers_columns[v->sort_col].key, v->reverse ? " desc" : "",
		    v->stale_order ? " (held while you move)" : "");
		/* Which peer the actions (d, b, Enter) will act on, also when
		 * its row is scrolled away. */
		if (v->have_sel)
			grid_printf(g, r.x + used, y, r.w - used, GC_DIM, "  selected #%llu",
			    (unsigned long long)v->sel_id);
	}
}

void
ui_peers_draw_detail(const struct ui_peers *v, const struct source *src, struct grid *g,
    struct rect r)
{
	const struct peer_info *p = ui_peers_selected(v, src);
	char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN], d[FMT_LEN], when[32];
	double hist[SOURCE_PEERHIST], loss;
	size_t nh;
	int y = r.y;

	if (r.w <= 0 || r.h <= 0)
		return;
	if (p == NULL) {
		grid_printf(g, r.x, y, r.w, GC_WARN, "peer #%llu is gone", (unsigned long long)v->sel_id);
		return;
	}
	grid_printf(g, r.x, y++, r.w, GC_TITLE | GA_BOLD, "Peer #%llu  %s",
	    (unsigned long long)p->id, p->addr);
	y = ui_labelled(g, r, y, 13, "direction", GC_NORMAL, "%s (%s)%s", p->direction, p->conn_type,
	    p->handshake_complete ? "" : ", handshaking");
	y = ui_labelled(g, r, y, 13, "user agent", GC_NORMAL, "%s", p->subver[0] ? p->subver : "-");
	y = ui_labelled(g, r, y, 13, "version", GC_NORMAL, "%d  services 0x%llx",
	    (int)p->version, (unsigned long long)p->services);
	if (p->transport[0] != '\0')
		y = ui_labelled(g, r, y, 13, "transport", GC_NORMAL, "%s", p->session_id[0] ?
		    "encrypted (v2)" : strcmp(p->transport, "v1") == 0 ? "plaintext (v1)" :
		    p->transport);
	/* Whole, for comparing with the other side's: halves on two lines
	 * when the pane is narrow. */
	if (p->session_id[0] != '\0' && r.w - 14 >= (int)strlen(p->session_id))
		y = ui_labelled(g, r, y, 13, "session id", GC_NORMAL, "%s", p->session_id);
	else if (p->session_id[0] != '\0') {
		y = ui_labelled(g, r, y, 13, "session id", GC_NORMAL, "%.32s", p->session_id);
		y = ui_labelled(g, r, y, 13, "", GC_NORMAL, "%s", p->session_id +
		    (strlen(p->session_id) > 32 ? 32 : strlen(p->session_id)));
	}
	f_synced(p, a, sizeof(a));
	y = ui_labelled(g, r, y, 13, "height", GC_NORMAL, "%s proven, %d claimed (unverified)", a,
	    (int)p->start_height);
	if (p->has_loc)
		y = ui_labelled(g, r, y, 13, "location", GC_NORMAL, "%s %s (%.2f, %.2f)",
		    p->country[0] ? p->country : "-", p->city, p->lat, p->lon);
	else
		y = ui_labelled(g, r, y, 13, "location", GC_NORMAL, "%s",
		    p->country[0] ? p->country : "unknown");
	if (p->asn != 0)
		y = ui_labelled(g, r, y, 13, "AS", GC_NORMAL, "%u", p->asn);
	when[0] = '\0';
	{
		time_t t = (time_t)p->conntime;
		struct tm tm;

		if (p->conntime > 0 && localtime_r(&t, &tm) != NULL)
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	y = ui_labelled(g, r, y, 13, "connected", GC_NORMAL, "%s (since %s)",
	    fmt_duration(source_peer_age(p, clock_wall()), a, sizeof(a)), when[0] ? when : "?");
	y = ui_labelled(g, r, y, 13, "latency", ui_peers_latency_attr(p->ping_ms),
	    "last %s  min %s  avg %s", fmt_latency(p->ping_ms, a, sizeof(a)),
	    fmt_latency(p->minping_ms, b, sizeof(b)), fmt_latency(p->avgping_ms, c, sizeof(c)));
	loss = source_peer_loss(p);
	if (loss >= 0)
		snprintf(d, sizeof(d), "%.1f%%", loss * 100);
	else
		snprintf(d, sizeof(d), "-");
	y = ui_labelled(g, r, y, 13, "jitter, loss", loss > 0 ? GC_WARN : GC_NORMAL,
	    "%s  loss %s (%llu pings, %llu pongs)", fmt_latency(source_peer_jitter(p), a,
	    sizeof(a)), d, (unsigned long long)p->pings_sent, (unsigned long long)p->pongs_recv);
	y = ui_labelled(g, r, y, 13, "ping wait", GC_NORMAL, "%s",
	    fmt_latency(p->pingwait_ms, a, sizeof(a)));
	y = ui_labelled(g, r, y, 13, "sent", GC_NORMAL, "%s  %s", fmt_bytes(p->bytes_sent, a, sizeof(a)),
	    fmt_rate(p->send_rate, b, sizeof(b)));
	y = ui_labelled(g, r, y, 13, "received", GC_NORMAL, "%s  %s",
	    fmt_bytes(p->bytes_recv, c, sizeof(c)), fmt_rate(p->recv_rate, d, sizeof(d)));
	y = ui_labelled(g, r, y, 13, "reputation", p->rep_score < 0 ? GC_BAD : GC_NORMAL, "%d",
	    p->rep_score);
	y = ui_labelled(g, r, y, 13, "quality", GC_NORMAL, "%d  reliability %.2f", p->quality_score,
	    p->reliability);
	y = ui_labelled(g, r, y, 13, "addresses", GC_NORMAL, "%llu processed, %llu rate-limited",
	    (unsigned long long)p->addr_processed, (unsigned long long)p->addr_rate_limited);
	nh = source_peer_history(p, hist, NULL, SOURCE_PEERHIST);
	if (y < r.y + r.h) {
		grid_printf(g, r.x, y++, r.w, GC_TITLE, "latency, last %zu pings", nh);
		if (nh > 0 && y < r.y + r.h)
			chart_sparkline_values(g, r.x, y++, r.w < 64 ? r.w : 64, GC_BAR, hist, nh);
	}
	if (y < r.y + r.h)
		grid_printf(g, r.x, y++, r.w, p->nviol > 0 ? GC_BAD : GC_TITLE, "violations (%d)",
		    p->nviol);
	for (int i = p->nviol - 1; i >= 0 && y < r.y + r.h; i--) {
		time_t t = (time_t)p->viol[i].time;
		struct tm tm;

		when[0] = '\0';
		if (localtime_r(&t, &tm) != NULL)
			strftime(when, sizeof(when), "%m-%d %H:%M:%S", &tm);
		grid_printf(g, r.x + 1, y++, r.w - 1, GC_BAD, "%s  %s", when, p->viol[i].kind);
	}
}

void
ui_peers_draw(struct ui_peers *v, const struct source *src, struct grid *g, struct rect r,
    double now)
{
	struct rect table = r, det, in;
	char title[160], note[64];

	if (r.w <= 0 || r.h <= 0)
		return;
	ui_peers_sync(v, src, now);
	if (v->detail && ui_peers_selected(v, src) == NULL && !v->have_sel)
		v->detail = false;
	snprintf(title, sizeof(title), "Peers of %s", src->label);
	snprintf(note, sizeof(note), "%zu in, %zu shown", src->npeers, v->nids);
	if (!v->detail) {
		in = ui_box(g, table, title, note);
		ui_peers_draw_table(v, src, g, in, NULL, true, now);
		return;
	}
	if (r.w >= 100) {
		int dw = r.w * 2 / 5 < 48 ? 48 : r.w * 2 / 5 > 66 ? 66 : r.w * 2 / 5;

		table.w = r.w - dw;
		det = (struct rect){ r.x + table.w, r.y, dw, r.h };
		in = ui_box(g, table, title, note);
		ui_peers_draw_table(v, src, g, in, NULL, true, now);
	} else {
		/* Narrow: the detail pane replaces the table; a line of the
		 * table stays so the selection is still visible. */
		det = r;
		if (r.h >= 10) {
			struct rect strip = { r.x, r.y, r.w, 2 };
			int save = v->page;

			ui_peers_draw_table(v, src, g, strip, NULL, false, now);
			v->page = save;
			det.y += 2;
			det.h -= 2;
		}
	}
	snprintf(title, sizeof(title), "Peer #%llu", (unsigned long long)v->sel_id);
	in = ui_box(g, det, title, "Enter closes");
	ui_peers_draw_detail(v, src, g, in);
}
