/* chart.h -- time series, latency histogram bins, sparklines and bars drawn into a grid. */
#ifndef AGENTCHAIN_CHART_H
#define AGENTCHAIN_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"

/* A bounded ring of samples, oldest dropped first.  NaN marks a gap
 * (e.g. no peer with a measured latency at that poll). */
#define CHART_SERIES_MAX	512

struct chart_series {
	double	v[CHART_SERIES_MAX];
	int	n;		/* samples held */
	int	head;		/* index of the next write */
};

/* Append V (NaN for a gap), dropping the oldest sample when full. */
void chart_series_push(struct chart_series *s, double v);
/* Sample I, 0 = oldest of those held; NaN outside. */
double chart_series_get(const struct chart_series *s, int i);
/* Smallest and largest non-NaN of the last N samples; returns the number
 * of such samples (0: LO and HI untouched). */
int chart_series_range(const struct chart_series *s, int n, double *lo, double *hi);

/*
 * Latency histogram with 1-2-5 logarithmic bins, so that loopback
 * (tenths of a millisecond) and intercontinental peers (hundreds) land in
 * readable bins: [0, 0.1), [0.1, 0.2), [0.2, 0.5), ... [2000, 5000),
 * [5000, inf) milliseconds.
 */
#define CHART_HIST_BINS		16

struct chart_hist {
	unsigned	count[CHART_HIST_BINS];
	unsigned	unknown;	/* samples < 0 or NaN */
	unsigned	total;		/* known samples */
	double		min, max, sum;
};

/* Bin of MS, or -1 when unknown (< 0, NaN). */
int chart_hist_bin(double ms);
/* Lower edge of BIN in ms (0 for bin 0). */
double chart_hist_edge(int bin);
/* "<0.1ms", "0.1-0.2ms", "1-2ms", "2-5s", ">=5s". */
void chart_hist_label(int bin, char *buf, size_t len);
/* Empty H; count one sample of MS milliseconds (unknown when < 0, NaN
 * or infinite). */
void chart_hist_reset(struct chart_hist *h);
void chart_hist_add(struct chart_hist *h, double ms);
/* First and last non-empty bins (both -1 when empty), widened so that at
 * least MINBINS are shown. */
void chart_hist_span(const struct chart_hist *h, int minbins, int *first, int *last);

/* Draw H into R, one bin a row: its label, its count and a bar scaled to
 * the busiest bin shown.  When more bins hold samples than R has rows,
 * the window of rows around the busiest bin is shown.  Returns false (and
 * draws nothing) when H is empty. */
bool chart_hist_draw(struct grid *g, struct rect r, uint16_t attr, const struct chart_hist *h);

/* The Q-quantile (0..1) of N values, which are sorted in place.  NaN when
 * N is 0. */
double chart_quantile(double *v, size_t n, double q);

/* A one-row sparkline of the last W samples of S at X, Y, scaled between
 * LO and HI (auto when HI <= LO); gaps are blank.  Right-aligned: the
 * newest sample is in the last column. */
void chart_sparkline(struct grid *g, int x, int y, int w, uint16_t attr,
    const struct chart_series *s, double lo, double hi);
/* The same as an area chart filling R (eight levels per row). */
void chart_area(struct grid *g, struct rect r, uint16_t attr,
    const struct chart_series *s, double lo, double hi);
/* Sparkline of N plain values (oldest first) into W columns at X, Y. */
void chart_sparkline_values(struct grid *g, int x, int y, int w, uint16_t attr,
    const double *v, size_t n);
/* The range to draw the non-NaN values of V (N of them) against: their
 * smallest and largest, widened a little (and around a flat line) so that
 * the data fills the height without touching its edges.  Returns the
 * number of values (0: LO and HI untouched). */
int chart_scale(const double *v, size_t n, double *lo, double *hi);
/* The last N samples of S into V (oldest first); returns how many. */
size_t chart_series_tail(const struct chart_series *s, size_t n, double *v);

/* A line chart of N values (oldest first, NaN a gap) filling R between
 * LO (bottom) and HI (top), newest at the right: braille dots, two values
 * a cell, joined vertically, in a UTF-8 grid; one '*' a cell in ASCII. */
void chart_line(struct grid *g, struct rect r, uint16_t attr, const double *v, size_t n,
    double lo, double hi);

/* A chart with its axis: the range of the data at the left (FMT formats
 * a value; LABELW columns), the area (AREA) or line chart of the last
 * samples at the right of it, scaled to what is visible. */
typedef char *(*chart_fmt)(double v, char *buf, size_t len);
void chart_trend(struct grid *g, struct rect r, uint16_t attr, const double *v, size_t n,
    int labelw, chart_fmt fmt, bool area);

/* A horizontal bar of FRAC (clamped to 0..1) of W columns, with eighths
 * in a UTF-8 grid. */
void chart_hbar(struct grid *g, int x, int y, int w, uint16_t attr, double frac);

#endif
