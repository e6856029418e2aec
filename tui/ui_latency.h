/* ui_latency.h -- the latency view: histogram of the peers' latencies and the average over time. */
#ifndef AGENTCHAIN_UI_LATENCY_H
#define AGENTCHAIN_UI_LATENCY_H

#include "chart.h"
#include "grid.h"
#include "source.h"

/* The histogram of SRC's peers' last ping. */
void ui_latency_hist(const struct source *src, struct chart_hist *h);
/* Draw into R; INTERVAL labels the history's time axis. */
void ui_latency_draw(struct grid *g, struct rect r, const struct source *src, double interval);

#endif
