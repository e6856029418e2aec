/* chart.c -- time series, latency histogram bins, sparklines and bars. */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "xmalloc.h"

void
chart_series_push(struct chart_series *s, double v)
{
	s->v[s->head] = v;
	s->head = (s->head + 1) % CHART_SERIES_MAX;
	if (s->n < CHART_SERIES_MAX)
		s->n++;
}

double
chart_series_get(const struct chart_series *s, int i)
{
	if (i < 0 || i >= s->n)
		return NAN;
	return s->v[(s->head - s->n + i + CHART_SERIES_MAX) % CHART_SERIES_MAX];
}

int
chart_series_range(const struct chart_series *s, int n, double *lo, double *hi)
{
	int found = 0;

	if (n > s->n)
		n = s->n;
	for (int i = s->n - n; i < s->n; i++) {
		double v = chart_series_get(s, i);

		if (isnan(v))
			continue;
		if (found == 0 || v < *lo)
			*lo = v;
		if (found == 0 || v > *hi)
			*hi = v;
		found++;
	}
	return found;
}

/* Upper edges of bins 0 .. CHART_HIST_BINS-2; the last bin is open. */
static const double chart_edges[CHART_HIST_BINS - 1] = {
	0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
};

int
chart_hist_bin(double ms)
{
	if (!(ms >= 0))
		return -1;
	for (int i = 0; i < CHART_HIST_BINS - 1; i++)
		if (ms < chart_edges[i])
			return i;
	return CHART_HIST_BINS - 1;
}

double
chart_hist_edge(int bin)
{
	if (bin <= 0)
		return 0;
	if (bin >= CHART_HIST_BINS)
		bin = CHART_HIST_BINS - 1;
	return chart_edges[bin - 1];
}

static void
chart_edge_str(double ms, char *buf, size_t len)
{
	if (ms >= 1000)
		snprintf(buf, len, "%gs", ms / 1000);
	else
		snprintf(buf, len, "%g", ms);
}

void
chart_hist_label(int bin, char *buf, size_t len)
{
	char a[16], b[16];

	if (bin <= 0) {
		snprintf(buf, len, "<%gms", chart_edges[0]);
		return;
	}
	if (bin >= CHART_HIST_BINS - 1) {
		chart_edge_str(chart_edges[CHART_HIST_BINS - 2], a, sizeof(a));
		snprintf(buf, len, ">=%s", a);
		return;
	}
	chart_edge_str(chart_edges[bin - 1], a, sizeof(a));
	chart_edge_str(chart_edges[bin], b, sizeof(b));
	/* The unit once, at the end: "1-2ms", "0.5-1s", "1-2s". */
	if (chart_edges[bin] >= 1000)
		snprintf(buf, len, "%g-%gs", chart_edges[bin - 1] / 1000, chart_edges[bin] / 1000);
	else
		snprintf(buf, len, "%s-%sms", a, b);
}

void
chart_hist_reset(struct chart_hist *h)
{
	for (int i = 0; i < CHART_HIST_BINS; i++)
		h->count[i] = 0;
	h->unknown = h->total = 0;
	h->min = h->max = h->sum = 0;
}

void
chart_hist_add(struct chart_hist *h, double ms)
{
	int b = chart_hist_bin(ms);

	if (b < 0 || isinf(ms)) {
		h->unknown++;
		return;
	}
	h->count[b]++;
	if (h->total == 0 || ms < h->min)
		h->min = ms;
	if (h->total == 0 || ms > h->max)
		h->max = ms;
	h->sum += ms;
	h->total++;
}

void
chart_hist_span(const struct chart_hist *h, int minbins, int *first, int *last)
{
	int f = -1, l = -1;

	for (int i = 0; i < CHART_HIST_BINS; i++)
		if (h->count[i] > 0) {
			if (f < 0)
				f = i;
			l = i;
		}
	if (f < 0) {
		*first = *last = -1;
		return;
	}
	if (minbins > CHART_HIST_BINS)
		minbins = CHART_HIST_BINS;
	while (l - f + 1 < minbins) {
		if (l < CHART_HIST_BINS - 1)
			l++;
		if (l - f + 1 < minbins && f > 0)
			f--;
	}
	*first = f;
	*last = l;
}

bool
chart_hist_draw(struct grid *g, struct rect r, uint16_t attr, const struct chart_hist *h)
{
	unsigned maxc = 1;
	int first, last, y = r.y;

	chart_hist_span(h, 4, &first, &last);
	if (first < 0)
		return false;
	if (last - first + 1 > r.h && r.h > 0) {
		/* Too many bins for the box: the window around the busiest. */
		int mode = first;

		for (int i = first; i <= last; i++)
			if (h->count[i] > h->count[mode])
				mode = i;
		first = mode - r.h / 2 < first ? first : mode - r.h / 2;
		if (first + r.h - 1 < last)
			last = first + r.h - 1;
		else
			first = last - r.h + 1;
	}
	for (int i = first; i <= last; i++)
		if (h->count[i] > maxc)
			maxc = h->count[i];
	for (int i = first; i <= last && y < r.y + r.h; i++, y++) {
		char lbl[32], num[16];

		chart_hist_label(i, lbl, sizeof(lbl));
		grid_field(g, r.x, y, 11, GC_NORMAL, GRID_RIGHT, lbl);
		snprintf(num, sizeof(num), "%u", h->count[i]);
		grid_field(g, r.x + 12, y, 6, GC_NORMAL, GRID_RIGHT, num);
		chart_hbar(g, r.x + 19, y, r.w - 19, attr, (double)h->count[i] / maxc);
	}
	return true;
}

static int
chart_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
chart_quantile(double *v, size_t n, double q)
{
	double pos;
	size_t i;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), chart_cmp_double);
	if (q <= 0)
		return v[0];
	if (q >= 1)
		return v[n - 1];
	pos = q * (double)(n - 1);
	i = (size_t)pos;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (v[i + 1] - v[i]) * (pos - (double)i);
}

/* Level 0..LEVELS of V between LO and HI; values at LO still get the
 * lowest visible level so that a flat line is not invisible. */
static int
chart_level(double v, double lo, double hi, int levels)
{
	double f;
	int l;

	if (hi <= lo)
		return levels / 2 > 0 ? levels / 2 : 1;
	f = (v - lo) / (hi - lo);
	l = (int)lround(f * levels);
	if (l < 1)
		l = 1;
	return l > levels ? levels : l;
}

void
chart_area(struct grid *g, struct rect r, uint16_t attr, const struct chart_series *s,
    double lo, double hi)
{
	int n = s->n < r.w ? s->n : r.w;

	if (r.w <= 0 || r.h <= 0)
		return;
	if (hi <= lo && chart_series_range(s, n, &lo, &hi) == 0)
		return;
	for (int i = 0; i < n; i++) {
		double v = chart_series_get(s, s->n - n + i);
		int x = r.x + r.w - n + i, level;

		if (isnan(v))
			continue;
		level = chart_level(v, lo, hi, r.h * 8);
		for (int row = 0; row < r.h; row++) {
			int part = level - row * 8;

			if (part <= 0)
				break;
			grid_text(g, x, r.y + r.h - 1 - row, 1, attr,
			    part >= 8 ? g->gl->spark[7] : g->gl->spark[part - 1]);
		}
	}
}

void
chart_sparkline(struct grid *g, int x, int y, int w, uint16_t attr,
    const struct chart_series *s, double lo, double hi)
{
	chart_area(g, (struct rect){ x, y, w, 1 }, attr, s, lo, hi);
}

void
chart_sparkline_values(struct grid *g, int x, int y, int w, uint16_t attr, const double *v,
    size_t n)
{
	struct chart_series s = { .n = 0, .head = 0 };

	if (n > CHART_SERIES_MAX) {
		v += n - CHART_SERIES_MAX;
		n = CHART_SERIES_MAX;
	}
	for (size_t i = 0; i < n; i++)
		chart_series_push(&s, v[i]);
	chart_sparkline(g, x, y, w, attr, &s, 0, 0);
}

void
chart_hbar(struct grid *g, int x, int y, int w, uint16_t attr, double frac)
{
	int eighths;

	if (w <= 0)
		return;
	if (!(frac > 0))
		return;
	if (frac > 1)
		frac = 1;
	eighths = (int)lround(frac * w * 8);
	if (eighths == 0)
		eighths = 1;	/* anything above zero shows */
	for (int i = 0; i < w && eighths > 0; i++, eighths -= 8) {
		if (eighths >= 8)
			grid_text(g, x + i, y, 1, attr, g->gl->bar_full);
		else if (g->utf8)
			grid_text(g, x + i, y, 1, attr, g->gl->bar_part[eighths - 1]);
		else if (eighths >= 4)
			grid_text(g, x + i, y, 1, attr, g->gl->bar_full);
		else if (i == 0)
			grid_text(g, x + i, y, 1, attr, ":");
	}
}

size_t
chart_series_tail(const struct chart_series *s, size_t n, double *v)
{
	if (n > (size_t)s->n)
		n = (size_t)s->n;
	for (size_t i = 0; i < n; i++)
		v[i] = chart_series_get(s, s->n - (int)n + (int)i);
	return n;
}

int
chart_scale(const double *v, size_t n, double *lo, double *hi)
{
	double a = 0, b = 0, pad;
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (found == 0 || v[i] < a)
			a = v[i];
		if (found == 0 || v[i] > b)
			b = v[i];
		found++;
	}
	if (found == 0)
		return 0;
	pad = (b - a) * 0.08;
	if (pad <= 0)
		pad = fabs(a) > 0 ? fabs(a) * 0.05 : 1;
	/* Never below zero for what cannot be negative. */
	*lo = a >= 0 && a - pad < 0 ? 0 : a - pad;
	*hi = b + pad;
	return found;
}

/* Set dot X, Y of a W x H cell raster. */
static void
chart_dot(const struct grid *g, uint8_t *dots, int w, int x, int y)
{
	static const uint8_t bits[4][2] = {
		{ 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 },
	};

	if (g->utf8)
		dots[(y / 4) * w + x / 2] |= bits[y % 4][x % 2];
	else
		dots[y * w + x] = 1;
}

void
chart_line(struct grid *g, struct rect r, uint16_t attr, const double *v, size_t n, double lo,
    double hi)
{
	int sx = g->utf8 ? 2 : 1, sy = g->utf8 ? 4 : 1, xd, yd, px = -1, py = -1;
	size_t first;
	uint8_t *dots;

	if (r.w <= 0 || r.h <= 0 || n == 0 || !(hi > lo))
		return;
	xd = r.w * sx;
	yd = r.h * sy;
	first = n > (size_t)xd ? n - (size_t)xd : 0;
	dots = xcalloc((size_t)r.w * (size_t)r.h, 1);
	for (size_t i = first; i < n; i++) {
		/* Fewer values than dots: spread them over the width. */
		int x = n - first > 1 ? (int)((i - first) * (size_t)(xd - 1) / (n - first - 1)) :
		    xd - 1, y;

		if (!isfinite(v[i])) {
			px = -1;
			continue;
		}
		y = (int)lround((hi - v[i]) / (hi - lo) * (yd - 1));
		y = y < 0 ? 0 : y >= yd ? yd - 1 : y;
		if (px < 0) {
			chart_dot(g, dots, r.w, x, y);
		} else {
			/* Join to the previous value: every dot column between
			 * them, each filled vertically to the next. */
			for (int xx = px + 1; xx <= x; xx++) {
				int ya = py + (y - py) * (xx - 1 - px) / (x - px);
				int yb = py + (y - py) * (xx - px) / (x - px);
				int lo_y = ya < yb ? ya : yb, hi_y = ya < yb ? yb : ya;

				if (lo_y != hi_y && ya < yb)
					lo_y++;
				else if (lo_y != hi_y)
					hi_y--;
				for (int yy = lo_y; yy <= hi_y; yy++)
					chart_dot(g, dots, r.w, xx, yy);
			}
		}
		px = x;
		py = y;
	}
	for (int cy = 0; cy < r.h; cy++)
		for (int cx = 0; cx < r.w; cx++) {
			uint8_t d = dots[cy * r.w + cx];

			if (d == 0)
				continue;
			grid_put(g, r.x + cx, r.y + cy, g->utf8 ? 0x2800u + d : '*', attr);
		}
	free(dots);
}

void
chart_trend(struct grid *g, struct rect r, uint16_t attr, const double *v, size_t n,
    int labelw, chart_fmt fmt, bool area)
{
	struct rect plot = { r.x + labelw + 1, r.y, r.w - labelw - 1, r.h };
	size_t cap = plot.w > 0 ? (size_t)plot.w * (area || !g->utf8 ? 1 : 2) : 0;
	double lo, hi;
	char a[32];

	if (plot.w <= 0 || r.h <= 0)
		return;
	if (n > cap) {
		v += n - cap;
		n = cap;
	}
	if (chart_scale(v, n, &lo, &hi) == 0) {
		grid_field(g, plot.x, plot.y + (plot.h - 1) / 2, plot.w, GC_DIM, GRID_CENTER,
		    "no data yet");
		return;
	}
	grid_field(g, r.x, r.y, labelw, GC_DIM, GRID_RIGHT, fmt(hi, a, sizeof(a)));
	if (r.h > 1)
		grid_field(g, r.x, r.y + r.h - 1, labelw, GC_DIM, GRID_RIGHT, fmt(lo, a, sizeof(a)));
	if (r.h > 4)
		grid_field(g, r.x, r.y + (r.h - 1) / 2, labelw, GC_DIM, GRID_RIGHT,
		    fmt((lo + hi) / 2, a, sizeof(a)));
	for (int y = r.y; y < r.y + r.h; y++)
		grid_text(g, r.x + labelw, y, 1, GC_BOX, g->gl->vline);
	if (area) {
		struct chart_series s = { .n = 0, .head = 0 };

		for (size_t i = 0; i < n; i++)
			chart_series_push(&s, v[i]);
		chart_area(g, plot, attr, &s, lo, hi);
	} else {
		chart_line(g, plot, attr, v, n, lo, hi);
	}
}
