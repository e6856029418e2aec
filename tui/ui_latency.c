/* ui_latency.c -- the latency view: the selected peer's latency over time with jitter and loss, the average over time, and the histogram.
 *
 * Every chart is scaled to the data it shows (1.22-1.30 ms fills the
 * height instead of being a solid block over zero); the peer's line is
 * the console's own history of that peer, kept across polls. */
#include "ui_latency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "fmt.h"
#include "ui_frame.h"
#include "xmalloc.h"

/* The peer list's columns. */
static const char *const list_cols[] = { "id", "address", "ping", "jitter", "loss", NULL };

void
ui_latency_hist(const struct source *src, struct chart_hist *h)
{
	chart_hist_reset(h);
	for (size_t i = 0; i < src->npeers; i++)
		chart_hist_add(h, src->peers[i].ping_ms);
}

static char *
fmt_ms(double v, char *buf, size_t len)
{
	return fmt_latency(v, buf, len);
}

/* The selected peer's line with its axis and a time row. */
static void
draw_peer(struct grid *g, struct rect r, const struct source *src, const struct peer_info *p)
{
	double v[SOURCE_PEERHIST], loss;
	int64_t t[SOURCE_PEERHIST], now = clock_wall();
	char title[128], note[128], a[FMT_LEN], b[FMT_LEN], c[FMT_LEN];
	size_t n;
	struct rect in;

	if (p == NULL) {
		in = ui_box(g, r, "Latency of a peer", NULL);
		ui_message(g, in, GC_DIM, src->npeers > 0 ? "select a peer (Up/Down or a click)" :
		    "no peers connected");
		return;
	}
	n = source_peer_history(p, v, t, SOURCE_PEERHIST);
	loss = source_peer_loss(p);
	snprintf(title, sizeof(title), "Peer #%llu %s", (unsigned long long)p->id, p->addr);
	if (loss >= 0)
		snprintf(c, sizeof(c), "%.1f%%", loss * 100);
	else
		snprintf(c, sizeof(c), "-");
	snprintf(note, sizeof(note), "last %s  jitter %s  loss %s  %zu pings",
	    fmt_latency(p->ping_ms, a, sizeof(a)), fmt_latency(source_peer_jitter(p), b, sizeof(b)),
	    c, n);
	in = ui_box(g, r, title, note);
	if (in.h <= 0)
		return;
	if (n == 0) {
		ui_message(g, in, GC_DIM, "no latency measured yet for this peer");
		return;
	}
	if (in.h >= 4) {
		int y = in.y + in.h - 1, x = in.x + 9;

		in.h--;
		/* Where the line starts in time, when the console saw it. */
		if (t[0] > 0 && now > t[0])
			grid_printf(g, x, y, in.w - 9, GC_DIM, "-%s", fmt_duration(now - t[0], a,
			    sizeof(a)));
		else
			grid_text(g, x, y, in.w - 9, GC_DIM, "(older samples from the node)");
		grid_field(g, in.x + in.w - 3, y, 3, GC_DIM, GRID_RIGHT, "now");
	}
	chart_trend(g, in, ui_peers_latency_attr(p->ping_ms), v, n, 8, fmt_ms, false);
}

static void
draw_average(struct grid *g, struct rect r, const struct source *src, double interval)
{
	double *v, lo = 0, hi = 0;
	size_t n;
	char note[128], a[FMT_LEN], b[FMT_LEN], c[FMT_LEN];
	struct rect in;

	v = xcalloc(CHART_SERIES_MAX, sizeof(*v));
	n = chart_series_tail(&src->h_latency, CHART_SERIES_MAX, v);
	if (chart_series_range(&src->h_latency, src->h_latency.n, &lo, &hi) > 0)
		snprintf(note, sizeof(note), "now %s  range %s..%s  every %gs",
		    fmt_latency(chart_series_get(&src->h_latency, src->h_latency.n - 1), a, sizeof(a)),
		    fmt_latency(lo, b, sizeof(b)), fmt_latency(hi, c, sizeof(c)), interval);
	else
		snprintf(note, sizeof(note), "every %gs", interval);
	in = ui_box(g, r, "Average of all peers", note);
	chart_trend(g, in, GC_BAR, v, n, 8, fmt_ms, true);
	free(v);
}

static void
draw_histogram(struct grid *g, struct rect r, const struct source *src)
{
	struct chart_hist h;
	char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN], d[FMT_LEN], note[128];
	double *v;
	size_t nv = 0;
	struct rect in;

	ui_latency_hist(src, &h);
	v = xcalloc(src->npeers > 0 ? src->npeers : 1, sizeof(*v));
	for (size_t i = 0; i < src->npeers; i++)
		if (src->peers[i].ping_ms >= 0)
			v[nv++] = src->peers[i].ping_ms;
	snprintf(note, sizeof(note), "%u of %zu measured  p50 %s  p90 %s  max %s  mean %s",
	    h.total, src->npeers, fmt_latency(nv ? chart_quantile(v, nv, 0.5) : -1, a, sizeof(a)),
	    fmt_latency(nv ? chart_quantile(v, nv, 0.9) : -1, b, sizeof(b)),
	    fmt_latency(nv ? h.max : -1, c, sizeof(c)),
	    fmt_latency(h.total ? h.sum / h.total : -1, d, sizeof(d)));
	free(v);
	in = ui_box(g, r, "Last ping per peer", note);
	if (!chart_hist_draw(g, in, GC_BAR, &h))
		ui_message(g, in, GC_DIM, "no latency measured yet");
}

void
ui_latency_draw(struct grid *g, struct rect r, const struct source *src, struct ui_peers *peers,
    double interval, double now)
{
	struct rect list, rest, top, bottom, avg, hist, in;
	char note[64];

	if (r.w <= 0 || r.h <= 0)
		return;
	ui_peers_sync(peers, src, now);
	snprintf(note, sizeof(note), "%zu/%zu", peers->nids, src->npeers);
	if (r.w >= 100) {
		ui_split_h(r, 0.34, 40, 50, &list, &rest);
		ui_split_v(rest, 0.45, 6, 8, &top, &bottom);
		ui_split_v(bottom, 0.5, 4, 4, &avg, &hist);
	} else {
		ui_split_v(r, 0.45, 6, 6, &top, &bottom);
		ui_split_h(bottom, 0.5, 30, 20, &list, &rest);
		ui_split_v(rest, 0.5, 3, 3, &avg, &hist);
		if (r.h < 16)
			hist.h = 0;
		if (r.h < 16)
			avg = rest;
	}
	in = ui_box(g, list, "Peers", note);
	ui_peers_draw_table(peers, src, g, in, list_cols, false, now);
	draw_peer(g, top, src, ui_peers_selected(peers, src));
	if (avg.h > 0)
		draw_average(g, avg, src, interval);
	if (hist.h > 0)
		draw_histogram(g, hist, src);
}
