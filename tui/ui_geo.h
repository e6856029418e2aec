/* ui_geo.h -- the geography view: world map with a mark per located peer (or crawled node) and per-country bars. */
#ifndef AGENTCHAIN_UI_GEO_H
#define AGENTCHAIN_UI_GEO_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"
#include "netscan.h"
#include "source.h"

/* Peers of SRC per country ("??" when unknown), largest first; fills at
 * most MAX entries and returns how many, with the number of located peers
 * (those that have a position) in *LOCATED. */
size_t ui_geo_countries(const struct source *src, struct country_count *out, size_t max,
    size_t *located);

/* Draw into R: SRC's peers, or with WHOLE_NETWORK the crawl database's
 * nodes from NET (may be NULL: no database or not read yet; NETERR says
 * why, may be NULL). */
void ui_geo_draw(struct grid *g, struct rect r, const struct source *src,
    const struct netscan_sum *net, const char *neterr, bool whole_network);

#endif
