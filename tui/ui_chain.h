/* ui_chain.h -- the Chain view: the selected node's tip, sync and mempool, its recent blocks with first-seen time, delay and origin, each block's delay at every watched node, and the propagation histograms. */
#ifndef AGENTCHAIN_UI_CHAIN_H
#define AGENTCHAIN_UI_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"
#include "keys.h"
#include "source.h"

/* What the view shows. */
struct ui_chain_in {
	struct source *const	*src;		/* every node */
	size_t			 nsrc, cur;	/* CUR: the selected node */
	double			 wall;		/* unix seconds, for ages */
};

/* The view's own state: how far the block table is scrolled (0: the
 * newest block on top). */
struct ui_chain {
	long	top;
	int	page;		/* rows visible at the last draw */
};

void ui_chain_init(struct ui_chain *v);
/* Scroll the block table (Up, Down, PgUp, PgDn, Home, End).  Returns true
 * if ACT was one of those. */
bool ui_chain_action(struct ui_chain *v, enum action act);

/* Draw into R.  With several nodes, the block table has a column per
 * node (its header a mouse region, HIT_CHAIN_NODE) with the block's delay
 * there after its first sighting among them, and the propagation
 * histogram beside the selected node's delays from the timestamps.  A
 * node without the chain RPCs gets a line saying so. */
void ui_chain_draw(struct ui_chain *v, struct grid *g, struct rect r,
    const struct ui_chain_in *in);

/* The tip's chainwork as "0x" and its significant hex digits into BUF. */
char *ui_chain_work(const char *chainwork, char *buf, size_t len);

#endif
