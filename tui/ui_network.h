/* ui_network.h -- the network view: the crawler database's totals, versions, heights, countries, ASNs and health. */
#ifndef AGENTCHAIN_UI_NETWORK_H
#define AGENTCHAIN_UI_NETWORK_H

#include "grid.h"
#include "netscan.h"

/* Draw into R from NS (NULL: no --crawl-db). */
void ui_network_draw(struct grid *g, struct rect r, const struct netscan *ns);

#endif
