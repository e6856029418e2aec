/* ui_overview.c -- the Overview view: every watched node in one table, the alerts, the map, trends and the last events.
 *
 * The table shows every node whatever its state, so a node that goes
 * down is visible without selecting it; the map, the trends and the
 * events are those of the selected node (n, N, Up/Down or a click). */
#include "ui_overview.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "fmt.h"
#include "ui_frame.h"
#include "ui_geo.h"

enum {
	NC_NAME, NC_STATE, NC_HEIGHT, NC_PEERS, NC_HEALTH, NC_PING, NC_RX, NC_TX, NC_BANS,
	NC_ALERTS, NC_COUNT
};

static const struct ui_colspec node_cols[NC_COUNT] = {
	[NC_NAME] = { 16, 0, 1 },
	[NC_STATE] = { 10, 1, 1 },
	[NC_HEIGHT] = { 8, 0, 3 },
	[NC_PEERS] = { 9, 0, 1 },
	[NC_HEALTH] = { 5, 0, 2 },
	[NC_PING] = { 7, 0, 4 },
	[NC_RX] = { 8, 0, 3 },
	[NC_TX] = { 8, 0, 3 },
	[NC_BANS] = { 4, 0, 5 },
	[NC_ALERTS] = { 6, 0, 2 },
};
static const char *const node_titles[NC_COUNT] = {
	"NODE", "STATE", "HEIGHT", "PEERS I/O", "CONN", "PING", "RX/S", "TX/S", "BANS", "ALERTS",
};

/* A field of W columns and the blank after it; returns W + 1. */
static int
field(struct grid *g, int x, int y, int w, uint16_t attr, enum grid_align al, const char *s)
{
	grid_field(g, x, y, w, attr, al, s);
	return w + 1;
}

static double
mean_ping(const struct source *s)
{
	double v = chart_series_get(&s->h_latency, s->h_latency.n - 1);

	return isnan(v) ? -1 : v;
}

/* The cell C of node S into BUF with its colour. */
static uint16_t
node_cell(const struct source *s, int c, unsigned nalerts, double now, char *buf, size_t len)
{
	char a[FMT_LEN];

	switch (c) {
	case NC_NAME:
		snprintf(buf, len, "%s", s->label);
		return GC_NORMAL | GA_BOLD;
	case NC_STATE:
		if (s->state == SOURCE_UP) {
			snprintf(buf, len, "live");
			return GC_GOOD | GA_BOLD;
		}
		if (s->state == SOURCE_CONNECTING) {
			snprintf(buf, len, "connecting");
			return GC_WARN;
		}
		snprintf(buf, len, "down %s: %.200s", fmt_duration((int64_t)(now - s->since), a,
		    sizeof(a)), s->error);
		return GC_BAD | GA_BOLD;
	default:
		break;
	}
	if (!s->have_data) {
		snprintf(buf, len, "-");
		return GC_DIM;
	}
	switch (c) {
	case NC_HEIGHT:
		if (s->info.has_chain && s->info.headers != s->info.blocks)
			snprintf(buf, len, "%lld/%lld", (long long)s->info.blocks,
			    (long long)s->info.headers);
		else
			snprintf(buf, len, "%d", (int)s->info.height);
		return GC_NORMAL;
	case NC_PEERS:
		snprintf(buf, len, "%d/%d", s->info.conn_in, s->info.conn_out);
		return s->info.conn_out < s->info.min_peers ? GC_WARN : GC_NORMAL;
	case NC_HEALTH:
		snprintf(buf, len, "%d", s->info.health);
		return s->info.health >= 70 ? GC_GOOD : s->info.health >= 40 ? GC_WARN : GC_BAD;
	case NC_PING:
		fmt_latency(mean_ping(s), buf, len);
		return GC_NORMAL;
	case NC_RX:
		fmt_rate(s->rate_in, buf, len);
		return GC_NORMAL;
	case NC_TX:
		fmt_rate(s->rate_out, buf, len);
		return GC_NORMAL;
	case NC_BANS:
		snprintf(buf, len, "%zu", s->nbans);
		return s->nbans > 0 ? GC_WARN : GC_NORMAL;
	default:
		snprintf(buf, len, "%u", nalerts);
		return nalerts > 0 ? GC_BAD | GA_BOLD : GC_DIM;
	}
}

static void
draw_nodes(struct grid *g, struct rect r, const struct ui_overview_in *in)
{
	int cols[NC_COUNT], widths[NC_COUNT], x;
	size_t nc = ui_layout_columns(r.w, node_cols, NC_COUNT, 200, cols, widths);
	long top = 0, rows = r.h - 1;
	char buf[256];

	if (r.h <= 0)
		return;
	grid_fill(g, (struct rect){ r.x, r.y, r.w, 1 }, ' ', GC_TITLE | GA_REVERSE);
	x = r.x;
	for (size_t k = 0; k < nc; k++) {
		grid_field(g, x, r.y, widths[k], GC_TITLE | GA_REVERSE,
		    cols[k] <= NC_STATE ? GRID_LEFT : GRID_RIGHT, node_titles[cols[k]]);
		x += widths[k] + 1;
	}
	if (rows > 0 && (long)in->cur >= rows)
		top = (long)in->cur - rows + 1;
	for (long row = 0; row < rows && top + row < (long)in->nsrc; row++) {
		size_t i = (size_t)(top + row);
		const struct source *s = in->src[i];
		bool sel = i == in->cur;
		int y = r.y + 1 + (int)row;

		if (sel)
			grid_fill(g, (struct rect){ r.x, y, r.w, 1 }, ' ', GC_SELECTED | GA_REVERSE);
		x = r.x;
		for (size_t k = 0; k < nc; k++) {
			uint16_t at = node_cell(s, cols[k], alerts_count_node(in->alerts, i), in->now,
			    buf, sizeof(buf));
			int w = widths[k];

			/* A node that does not answer: its state and the reason
			 * take the rest of the row (the rest is stale). */
			if (cols[k] == NC_STATE && s->state != SOURCE_UP)
				w = r.x + r.w - x;
			grid_field(g, x, y, w, sel ? GC_SELECTED | GA_REVERSE : at,
			    cols[k] <= NC_STATE ? GRID_LEFT : GRID_RIGHT, buf);
			if (w != widths[k])
				break;
			x += widths[k] + 1;
		}
		grid_hit(g, (struct rect){ r.x, y, r.w, 1 }, HIT_NODE_ROW, (long long)i);
	}
}

static void
draw_alerts(struct grid *g, struct rect r, const struct ui_overview_in *in)
{
	const struct alert *list[64];
	size_t n = alerts_list(in->alerts, list, 64);
	char a[FMT_LEN];
	int nodew = r.w / 4 < 16 ? r.w / 4 : 16;

	if (r.h <= 0 || r.w <= 0)
		return;
	if (n == 0) {
		ui_message(g, r, GC_GOOD, "no alerts");
		return;
	}
	for (size_t i = 0; i < n && (int)i < r.h; i++) {
		const struct alert *al = list[i];
		int y = r.y + (int)i, x = r.x;

		if (i + 1 < n && (int)i == r.h - 1) {
			grid_printf(g, x, y, r.w, GC_DIM, "+%zu more", n - i);
			break;
		}
		x += field(g, x, y, 5, GC_DIM, GRID_RIGHT,
		    fmt_duration((int64_t)(in->now - al->since), a, sizeof(a)));
		x += field(g, x, y, 9, GC_BAD | GA_BOLD, GRID_LEFT, alerts_kind_name(al->kind));
		if (in->nsrc > 1)
			x += field(g, x, y, nodew, GC_NORMAL | GA_BOLD, GRID_LEFT, al->label);
		grid_text(g, x, y, r.x + r.w - x, al->kind >= AL_BAN ? GC_WARN : GC_BAD, al->text);
		grid_hit(g, (struct rect){ r.x, y, r.w, 1 }, HIT_ALERT, (long long)al->node);
	}
}

/* One trend: label and value on the first row, the chart below (or
 * beside it, given one row). */
static void
draw_trend(struct grid *g, struct rect r, const char *label, const char *value,
    const struct chart_series *s, chart_fmt fmt)
{
	double v[CHART_SERIES_MAX];
	size_t n = chart_series_tail(s, CHART_SERIES_MAX, v);
	int used;

	if (r.h <= 0 || r.w <= 0)
		return;
	used = grid_text(g, r.x, r.y, r.w, GC_TITLE, label);
	used += grid_text(g, r.x + used, r.y, r.w - used, GC_NORMAL, " ");
	used += grid_text(g, r.x + used, r.y, r.w - used, GC_NORMAL | GA_BOLD, value);
	if (r.h == 1) {
		double lo, hi;
		int x = r.x + (used < 22 ? 22 : used + 1);
		size_t k = n > (size_t)(r.x + r.w - x) ? n - (size_t)(r.x + r.w - x) : 0;

		if (x < r.x + r.w && chart_scale(v + k, n - k, &lo, &hi) > 0) {
			struct chart_series t = { .n = 0, .head = 0 };

			for (size_t i = k; i < n; i++)
				chart_series_push(&t, v[i]);
			chart_sparkline(g, x, r.y, r.x + r.w - x, GC_BAR, &t, lo, hi);
		}
		return;
	}
	chart_trend(g, (struct rect){ r.x, r.y + 1, r.w, r.h - 1 }, GC_BAR, v, n, 7, fmt, true);
}

static char *
f_ms(double v, char *b, size_t n)
{
	return fmt_latency(v, b, n);
}

static char *
f_rate(double v, char *b, size_t n)
{
	return fmt_rate(v, b, n);
}

static char *
f_int(double v, char *b, size_t n)
{
	snprintf(b, n, "%.0f", v);
	return b;
}

static void
draw_trends(struct grid *g, struct rect r, const struct source *s)
{
	char a[FMT_LEN], b[FMT_LEN];
	int each, y = r.y;

	if (r.h <= 0 || r.w <= 0)
		return;
	each = r.h / 4 > 0 ? r.h / 4 : 1;
	fmt_latency(mean_ping(s), a, sizeof(a));
	draw_trend(g, (struct rect){ r.x, y, r.w, each }, "latency", a, &s->h_latency, f_ms);
	y += each;
	if (y < r.y + r.h) {
		fmt_rate(s->rate_in, a, sizeof(a));
		draw_trend(g, (struct rect){ r.x, y, r.w, each }, "traffic in", a, &s->h_rate_in,
		    f_rate);
		y += each;
	}
	if (y < r.y + r.h) {
		fmt_rate(s->rate_out, b, sizeof(b));
		draw_trend(g, (struct rect){ r.x, y, r.w, each }, "traffic out", b, &s->h_rate_out,
		    f_rate);
		y += each;
	}
	if (y < r.y + r.h) {
		snprintf(a, sizeof(a), "%zu", s->npeers);
		draw_trend(g, (struct rect){ r.x, y, r.w, r.y + r.h - y }, "peers", a, &s->h_peers,
		    f_int);
	}
}

void
ui_overview_draw(struct grid *g, struct rect r, const struct ui_overview_in *in)
{
	const struct source *s = in->src[in->cur];
	struct rect nodes, rest, left, right, map, trends, alerts, events, box;
	char title[128], note[96];
	int want;

	if (r.w <= 0 || r.h <= 0 || in->nsrc == 0)
		return;
	want = (int)in->nsrc + 3;
	if (want > r.h / 3 + 3)
		want = r.h / 3 + 3;
	if (want < 4)
		want = 4;
	ui_split_v(r, 0.0, want, 0, &nodes, &rest);
	snprintf(note, sizeof(note), "%zu node%s  n/N or Up/Down selects  Enter: its peers",
	    in->nsrc, in->nsrc == 1 ? "" : "s");
	box = ui_box(g, nodes, "Nodes", note);
	draw_nodes(g, box, in);
	if (rest.h <= 0)
		return;
	ui_split_h(rest, rest.w >= 120 ? 0.58 : 0.5, 30, 30, &left, &right);
	ui_split_v(left, 0.55, 5, 4, &map, &trends);
	ui_split_v(right, 0.45, 4, 4, &alerts, &events);

	snprintf(title, sizeof(title), "Map: %s", in->whole_network ? "whole network" : s->label);
	box = ui_box(g, map, title, in->whole_network ? "m: this node" : "m: whole network");
	if (in->whole_network && (in->net == NULL || !in->net->ok))
		ui_message(g, box, GC_DIM, in->net == NULL ? "no crawl database (--crawl-db)" :
		    in->net->err);
	else
		ui_geo_map(g, box, s, in->net, in->whole_network, false);

	snprintf(title, sizeof(title), "Trends: %s", s->label);
	snprintf(note, sizeof(note), "every %gs", in->interval);
	box = ui_box(g, trends, title, note);
	draw_trends(g, box, s);

	snprintf(note, sizeof(note), "%u active  c clears bans/violations", alerts_count(in->alerts));
	box = ui_box(g, alerts, "Alerts", note);
	draw_alerts(g, box, in);

	box = ui_box(g, events, "Last events", "7: the log");
	ui_log_draw_recent(in->log, g, box);
}
