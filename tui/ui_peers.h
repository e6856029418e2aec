/* ui_peers.h -- the peers view: a column table with sorting, filtering, selection by peer id and a detail pane. */
#ifndef AGENTCHAIN_UI_PEERS_H
#define AGENTCHAIN_UI_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"
#include "keys.h"
#include "source.h"

/* One column: KEY names it on the command line (--sort) and in the man
 * page, TITLE in the table header.  WIDTH is its minimum, FLEX its share
 * of spare width, PRIO the order in which columns are kept when the
 * terminal is narrow (1 first). */
struct ui_peers_column {
	const char	*key;
	const char	*title;
	int		 width;
	int		 flex;
	int		 prio;
	enum grid_align	 align;
	int		(*cmp)(const struct peer_info *, const struct peer_info *);
	void		(*fmt)(const struct peer_info *, char *, size_t);
	/* Colour of a cell (unselected rows); NULL: the row's colour. */
	uint16_t	(*attr)(const struct peer_info *);
	const char	*help;
};

extern const struct ui_peers_column ui_peers_columns[];
extern const size_t ui_peers_ncolumns;

/* The colour of a latency of MS milliseconds (good, warn, bad; dim when
 * unknown). */
uint16_t ui_peers_latency_attr(double ms);

/* Column index of KEY, or -1. */
int ui_peers_column(const char *key);

/* Choose the columns for a table WIDTH cells wide: by priority, then in
 * table order, with spare width spread over the flexible ones.  Writes
 * column indices to COLS and their widths to WIDTHS (both at least
 * ui_peers_ncolumns long); returns how many.  Columns are separated by one
 * blank.  ONLY (may be NULL) is a NULL-terminated list of column keys to
 * choose from instead of all. */
size_t ui_peers_layout(int width, int *cols, int *widths);
size_t ui_peers_layout_only(int width, const char *const *only, int *cols, int *widths);

/* How long re-sorting waits after the last navigation key. */
#define UI_PEERS_SORT_DEFER	3.0

/*
 * The view's state.  Rows are kept as peer ids, in display order, so the
 * selection (also an id) survives new data and re-sorting; while the user
 * is moving through the table new data updates rows in place and new
 * peers are appended, and the re-sort happens once they stop.  Actions
 * take sel_id, never a row.
 */
struct ui_peers {
	int		 sort_col;
	bool		 reverse;
	char		 filter[128];

	uint64_t	*ids;		/* the rows */
	size_t		 nids, cap;
	/* Kept between sorts: a large allocation in a frame can stall it
	 * while malloc consolidates what the last poll's JSON freed. */
	size_t		*scratch;
	size_t		 scratch_cap;
	const struct source *built_src;
	uint64_t	 built_gen;	/* the source's peers_gen sorted */
	bool		 stale_order;	/* rows not sorted (deferred) */
	bool		 rebuild;	/* sort or filter changed */
	double		 defer_until;

	uint64_t	 sel_id;
	bool		 have_sel;
	/* Once the user moves the selection it follows its peer through
	 * re-sorts; until then (and after Home) it stays on the top row. */
	bool		 follow;
	long		 sel;		/* row of sel_id */
	long		 top;		/* first visible row */
	int		 page;		/* rows visible at the last draw */
	bool		 detail;
};

/* An empty view sorted by column SORT_COL (out of range: id), descending
 * with REVERSE.  ui_peers_free releases its rows. */
void ui_peers_init(struct ui_peers *v, int sort_col, bool reverse);
void ui_peers_free(struct ui_peers *v);

/* Bring the rows up to date with SRC (call before drawing and before
 * acting).  Cheap when nothing changed. */
void ui_peers_sync(struct ui_peers *v, const struct source *src, double now);
/* Handle a navigation, sort or detail action.  Returns true if it was
 * one of those. */
bool ui_peers_action(struct ui_peers *v, const struct source *src, enum action act,
    double now);
/* Show only peers matching FILTER (copied; NULL or "" shows all). */
void ui_peers_set_filter(struct ui_peers *v, const char *filter);
/* Does P match FILTER (case-insensitive substring of its id, address,
 * agent, country, direction or connection type; "" matches all)? */
bool ui_peers_match(const struct peer_info *p, const char *filter);
/* The selected peer, or NULL. */
const struct peer_info *ui_peers_selected(const struct ui_peers *v, const struct source *src);
/* Select the peer with ID (a click on its row); false when it is not in
 * the table. */
bool ui_peers_select_id(struct ui_peers *v, const struct source *src, uint64_t id, double now);
/* Sort by column COL, or reverse the order when it already is (a click on
 * its header). */
void ui_peers_sort_by(struct ui_peers *v, int col);
/* Draw the view into R: the table in a box, with the detail pane when
 * open.  Rows and headers are mouse regions (HIT_PEER_ROW, HIT_PEER_COL). */
void ui_peers_draw(struct ui_peers *v, const struct source *src, struct grid *g, struct rect r,
    double now);
/* Draw the table alone into R (no box), with only the columns ONLY
 * (NULL-terminated keys) and a footer when FOOTER. */
void ui_peers_draw_table(struct ui_peers *v, const struct source *src, struct grid *g,
    struct rect r, const char *const *only, bool footer, double now);
/* Draw the selected peer's details into R (no box). */
void ui_peers_draw_detail(const struct ui_peers *v, const struct source *src, struct grid *g,
    struct rect r);

#endif
