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

/* The header on row Y, across the whole width: node IDX of NSRC and its
 * state, network, height (and headers), connections, connectivity health,
 * bandwidth, refresh interval, and NALERTS at the right edge. */
void ui_frame_header(struct grid *g, int y, const struct source *src, size_t idx, size_t nsrc,
    bool paused, double interval, unsigned nalerts, double now);
/* The tab bar on row Y with CUR highlighted; each tab is a mouse region
 * (HIT_TAB). */
void ui_frame_tabs(struct grid *g, int y, enum view_id cur, bool help);

/* A btop-style panel: a box around R (rounded corners in UTF-8) with
 * TITLE in its top edge and NOTE (may be NULL) at the right of it.
 * Returns the inside.  Too small for a border (under 6 x 3), R comes back
 * unchanged and nothing is drawn. */
struct rect ui_box(struct grid *g, struct rect r, const char *title, const char *note);

/* A column for ui_layout_columns: its minimum WIDTH, its share of spare
 * width (FLEX) and its priority (1 is kept first when the width is short). */
struct ui_colspec {
	int	width, flex, prio;
};
/* Choose the columns of the N (at most 64) SPECS that fit WIDTH with one
 * blank between them: by priority, then in table order, spare width
 * spread over the flexible ones up to MAXFLEX cells each.  Writes indices
 * to COLS and widths to WIDTHS (N long at least); returns how many. */
size_t ui_layout_columns(int width, const struct ui_colspec *specs, size_t n, int maxflex,
    int *cols, int *widths);

/* Split R into a left part of about FRAC of its width (at least MINL
 * columns, leaving at least MINR) and the rest, with no gap. */
void ui_split_h(struct rect r, double frac, int minl, int minr, struct rect *l, struct rect *rr);
/* The same vertically: the top part about FRAC of the height. */
void ui_split_v(struct rect r, double frac, int mint, int minb, struct rect *t, struct rect *b);
/* One "label  value" line on row Y of R: LABEL in a column LABELW wide,
 * the formatted value beside it in ATTR.  Returns Y + 1 (also when Y is
 * below R and nothing was drawn), so lines can be stacked. */
int ui_labelled(struct grid *g, struct rect r, int y, int labelw, const char *label,
    uint16_t attr, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* A message centred in R. */
void ui_message(struct grid *g, struct rect r, uint16_t attr, const char *msg);

#endif
