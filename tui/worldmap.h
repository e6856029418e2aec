/* worldmap.h -- land mask of the world, equirectangular projection, and the map drawn in braille or ASCII. */
#ifndef AGENTCHAIN_WORLDMAP_H
#define AGENTCHAIN_WORLDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"

/* A coastline polygon as lon, lat pairs (degrees).  WATER polygons are
 * cut out of the land listed before them. */
struct worldmap_polygon {
	const char	*name;
	const float	*pts;
	size_t		 n;		/* vertices */
	bool		 water;
};
extern const struct worldmap_polygon worldmap_polygons[];
extern const size_t worldmap_npolygons;

/* The mask has WORLDMAP_RES cells per degree. */
#define WORLDMAP_RES	2
#define WORLDMAP_W	(360 * WORLDMAP_RES)
#define WORLDMAP_H	(180 * WORLDMAP_RES)

/* Is there land at LAT, LON?  The mask is rasterised from the polygons on
 * first use (about a millisecond).  Out-of-range latitudes are clamped;
 * longitudes wrap. */
bool worldmap_land(double lat, double lon);

/* The latitudes the console shows: the inhabited world, without the
 * polar caps. */
#define WORLDMAP_LAT_TOP	84.0
#define WORLDMAP_LAT_BOTTOM	-58.0

/* Equirectangular projection of [LAT_TOP, LAT_BOTTOM] x [-180, 180] onto
 * a raster of XDOTS x YDOTS dots. */
struct worldmap_proj {
	int	xdots, ydots;
	double	lat_top, lat_bottom;
};

void worldmap_proj_init(struct worldmap_proj *p, int xdots, int ydots, double lat_top,
    double lat_bottom);
/* Dot of LAT, LON.  Returns 0, or -1 (X, Y untouched) when the latitude
 * is outside the projection or a coordinate is not finite. */
int worldmap_project(const struct worldmap_proj *p, double lat, double lon, int *x, int *y);
/* Centre of dot X, Y. */
void worldmap_unproject(const struct worldmap_proj *p, int x, int y, double *lat, double *lon);

/* The largest map that keeps the world's proportions inside AVAIL_W x
 * AVAIL_H cells (a cell is about twice as tall as wide).  Sets *W, *H
 * (0 when nothing sensible fits). */
void worldmap_fit(int avail_w, int avail_h, int *w, int *h);

/* Draw the land of a W x H cell map at X, Y with ATTR: braille (2 x 4
 * dots a cell) in a UTF-8 grid, ':' for land in an ASCII one.  Fills P
 * with the projection used, for placing marks. */
void worldmap_draw(struct grid *g, int x, int y, int w, int h, uint16_t attr,
    struct worldmap_proj *p);
/* Cell of LAT, LON on a map drawn by worldmap_draw with projection P.  Returns
 * 0 or -1. */
int worldmap_cell(const struct grid *g, const struct worldmap_proj *p, double lat, double lon,
    int *cx, int *cy);

#endif
