/* ui_overview.h -- the Overview view: every watched node in one table, the alerts, the map, trends and the last events. */
#ifndef AGENTCHAIN_UI_OVERVIEW_H
#define AGENTCHAIN_UI_OVERVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "alerts.h"
#include "grid.h"
#include "netscan.h"
#include "source.h"
#include "ui_log.h"

/* What the Overview shows. */
struct ui_overview_in {
	struct source *const	*src;		/* every node */
	size_t			 nsrc, cur;	/* CUR: the selected node */
	const struct alerts	*alerts;
	const struct ui_log	*log;
	const struct netscan_sum *net;		/* NULL: none */
	bool			 whole_network;	/* the map shows the crawl DB */
	double			 interval;
	double			 now;		/* monotonic */
};

/* Draw into R.  Node rows are mouse regions (HIT_NODE_ROW), so are the
 * alerts (HIT_ALERT). */
void ui_overview_draw(struct grid *g, struct rect r, const struct ui_overview_in *in);

#endif
