/* ui_latency.c -- the latency view: histogram of the peers' latencies and the average over time. */
#include "ui_latency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmt.h"
#include "xmalloc.h"

void
ui_latency_hist(const struct source *src, struct chart_hist *h)
{
	chart_hist_reset(h);
	for (size_t i = 0; i < src->npeers; i++)
		chart_hist_add(h, src->peers[i].ping_ms);
}

void
ui_latency_draw(struct grid *g, struct rect r, const struct source *src, double interval)
{
	struct chart_hist h;
	char a[FMT_LEN], b[FMT_LEN], c[FMT_LEN], d[FMT_LEN], e[FMT_LEN], lbl[32];
	double *v, lo = 0, hi = 0;
	size_t nv = 0;
	int first, last, y = r.y, area_h, hist_rows, samples;
	unsigned maxc = 1;

	if (r.w <= 0 || r.h <= 0)
		return;
	ui_latency_hist(src, &h);
	v = xcalloc(src->npeers > 0 ? src->npeers : 1, sizeof(*v));
	for (size_t i = 0; i < src->npeers; i++)
		if (src->peers[i].ping_ms >= 0)
			v[nv++] = src->peers[i].ping_ms;
	grid_printf(g, r.x, y++, r.w, GC_TITLE,
	    "%zu peers, %u measured   min %s  p50 %s  p90 %s  max %s  mean %s",
	    src->npeers, h.total, fmt_latency(nv ? h.min : -1, a, sizeof(a)),
	    fmt_latency(nv ? chart_quantile(v, nv, 0.5) : -1, b, sizeof(b)),
	    fmt_latency(nv ? chart_quantile(v, nv, 0.9) : -1, c, sizeof(c)),
	    fmt_latency(nv ? h.max : -1, d, sizeof(d)),
	    fmt_latency(h.total ? h.sum / h.total : -1, e, sizeof(e)));
	free(v);

	/* The history takes a third of the height, at least two rows. */
	area_h = (r.h - 1) / 3;
	if (area_h < 2)
		area_h = r.h - 1 >= 6 ? 2 : 0;
	hist_rows = r.h - 1 - (area_h > 0 ? area_h + 1 : 0) - 1;

	if (hist_rows > 0) {
		grid_text(g, r.x, y++, r.w, GC_TITLE | GA_BOLD, "last ping per peer");
		chart_hist_span(&h, 6, &first, &last);
		if (first < 0) {
			grid_text(g, r.x + 2, y, r.w - 2, GC_DIM, "no latency measured yet");
		} else {
			if (last - first + 1 > hist_rows)
				last = first + hist_rows - 1;
			for (int i = first; i <= last; i++)
				if (h.count[i] > maxc)
					maxc = h.count[i];
			for (int i = first; i <= last; i++, y++) {
				char num[16];

				chart_hist_label(i, lbl, sizeof(lbl));
				grid_field(g, r.x, y, 11, GC_NORMAL, GRID_RIGHT, lbl);
				snprintf(num, sizeof(num), "%u", h.count[i]);
				grid_field(g, r.x + 12, y, 6, GC_NORMAL, GRID_RIGHT, num);
				chart_hbar(g, r.x + 19, y, r.w - 19, GC_BAR, (double)h.count[i] / maxc);
			}
		}
		if (h.unknown > 0 && y < r.y + r.h - (area_h > 0 ? area_h + 1 : 0))
			grid_printf(g, r.x, y, r.w, GC_DIM, "%11s %6u not measured yet", "-", h.unknown);
	}
	if (area_h > 0) {
		struct rect ar = { r.x + 9, r.y + r.h - area_h, r.w - 9, area_h };
		int ay = r.y + r.h - area_h - 1;

		samples = src->h_latency.n < ar.w ? src->h_latency.n : ar.w;
		if (chart_series_range(&src->h_latency, samples, &lo, &hi) == 0) {
			grid_printf(g, r.x, ay, r.w, GC_TITLE | GA_BOLD,
			    "average latency over time: nothing measured yet");
			return;
		}
		grid_printf(g, r.x, ay, r.w, GC_TITLE | GA_BOLD,
		    "average latency, last %d polls (every %gs): now %s, range %s..%s", samples,
		    interval, fmt_latency(chart_series_get(&src->h_latency, src->h_latency.n - 1),
		    a, sizeof(a)), fmt_latency(lo, b, sizeof(b)), fmt_latency(hi, c, sizeof(c)));
		/* Scale from zero so that small wobbles look small. */
		grid_field(g, r.x, ar.y, 8, GC_DIM, GRID_RIGHT, fmt_latency(hi, a, sizeof(a)));
		if (area_h > 1)
			grid_field(g, r.x, ar.y + ar.h - 1, 8, GC_DIM, GRID_RIGHT, "0");
		chart_area(g, ar, GC_BAR, &src->h_latency, 0, hi > 0 ? hi : 1);
	}
}
