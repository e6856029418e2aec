/* ui_latency.h -- the latency view: the selected peer's latency over time with jitter and loss, the average over time, and the histogram. */
#ifndef AGENTCHAIN_UI_LATENCY_H
#define AGENTCHAIN_UI_LATENCY_H

#include "chart.h"
#include "grid.h"
#include "source.h"
#include "ui_peers.h"

/* The histogram of SRC's peers' last ping. */
void ui_latency_hist(const struct source *src, struct chart_hist *h);
/* Draw into R: the peer selected in PEERS (the Peers view's selection;
 * Up/Down here move it) over time, the peer list, the average over time
 * (INTERVAL labels it) and the histogram, each scaled to its data. */
void ui_latency_draw(struct grid *g, struct rect r, const struct source *src,
    struct ui_peers *peers, double interval, double now);

#endif
