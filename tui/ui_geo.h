/* ui_geo.h -- the geography view: world map with a mark per located peer (or crawled node), a legend, per-country bars and the busiest places. */
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

/* One place on the map: a city (or a map cell) and how many are there. */
struct geo_place {
	char		name[64];
	unsigned	n;
};
/* The located peers of SRC per city, largest first; returns how many
 * (at most MAX). */
size_t ui_geo_places(const struct source *src, struct geo_place *out, size_t max);

/* The map alone into R (no box): land, one mark per cell with peers of
 * SRC (or, WHOLE_NETWORK, nodes of NET), the count beside the busiest
 * marks, and with LEGEND a legend on the last row. */
void ui_geo_map(struct grid *g, struct rect r, const struct source *src,
    const struct netscan_sum *net, bool whole_network, bool legend);

/* Draw the view into R: SRC's peers, or with WHOLE_NETWORK the crawl
 * database's nodes from NET (may be NULL: no database or not read yet;
 * NETERR says why, may be NULL). */
void ui_geo_draw(struct grid *g, struct rect r, const struct source *src,
    const struct netscan_sum *net, const char *neterr, bool whole_network);

#endif
