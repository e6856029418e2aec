/* ui_frame.h -- what surrounds every view: the header line, the view tabs, and segment layout for narrow terminals. */
#ifndef AGENTCHAIN_UI_FRAME_H
#define AGENTCHAIN_UI_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"
#include "keys.h"
#include "source.h"

/* A piece of a status line.  When the line is too narrow the pieces with
 * the highest PRIO number are left out first; the rest keep their order. */
struct ui_frame_segment {
	char		text[160];
	uint16_t	attr;
	int		prio;
};

/* Choose which of the N segments fit in W columns (two blanks between
 * them): sets SHOW[i].  Returns the columns they take. */
int ui_frame_segments_fit(const struct grid *g, int w,
    const struct ui_frame_segment *segs, size_t n, bool *show);
/* Fit and draw at X, Y; returns the columns used. */
int ui_frame_segments_draw(struct grid *g, int x, int y, int w,
    const struct ui_frame_segment *segs, size_t n);

/* The header on row Y: node IDX of NSRC and its state, network, height,
 * connections, NetworkHealth, bandwidth, refresh interval. */
void ui_frame_header(struct grid *g, int y, const struct source *src, size_t idx, size_t nsrc,
    bool paused, double interval, double now);
/* The tab bar on row Y with CUR highlighted. */
void ui_frame_tabs(struct grid *g, int y, enum view_id cur, bool help);

#endif
