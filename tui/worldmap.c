/* worldmap.c -- land mask of the world, equirectangular projection, and the map drawn in braille or ASCII.
 *
 * The mask is rasterised once with an even-odd scanline fill of every
 * polygon in worldmap_data.c; each polygon is filled on its own and then
 * added to (or, for water, cut from) the mask, so overlapping outlines do
 * not cancel each other out. */
#include "worldmap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static uint8_t	worldmap_mask[WORLDMAP_W * WORLDMAP_H / 8];
static bool	worldmap_ready;

static void
worldmap_set(int x, int y, bool land)
{
	size_t i = (size_t)y * WORLDMAP_W + (size_t)x;

	if (land)
		worldmap_mask[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		worldmap_mask[i / 8] &= (uint8_t)~(1u << (i % 8));
}

static int
worldmap_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
worldmap_fill(const struct worldmap_polygon *poly)
{
	double *xs = malloc(poly->n * sizeof(*xs));

	if (xs == NULL)
		return;
	for (int row = 0; row < WORLDMAP_H; row++) {
		double lat = 90.0 - (row + 0.5) / WORLDMAP_RES;
		size_t nx = 0;

		for (size_t i = 0; i < poly->n; i++) {
			size_t j = (i + 1) % poly->n;
			double lon1 = poly->pts[2 * i], lat1 = poly->pts[2 * i + 1];
			double lon2 = poly->pts[2 * j], lat2 = poly->pts[2 * j + 1];

			/* Half-open test so a vertex on the line counts once. */
			if ((lat1 <= lat && lat < lat2) || (lat2 <= lat && lat < lat1))
				xs[nx++] = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1);
		}
		qsort(xs, nx, sizeof(*xs), worldmap_cmp_double);
		for (size_t k = 0; k + 1 < nx; k += 2) {
			int c0 = (int)ceil((xs[k] + 180.0) * WORLDMAP_RES - 0.5);
			int c1 = (int)floor((xs[k + 1] + 180.0) * WORLDMAP_RES - 0.5);

			for (int c = c0 < 0 ? 0 : c0; c <= c1 && c < WORLDMAP_W; c++)
				worldmap_set(c, row, !poly->water);
		}
	}
	free(xs);
}

static void
worldmap_build(void)
{
	memset(worldmap_mask, 0, sizeof(worldmap_mask));
	for (size_t i = 0; i < worldmap_npolygons; i++)
		worldmap_fill(&worldmap_polygons[i]);
	worldmap_ready = true;
}

bool
worldmap_land(double lat, double lon)
{
	int x, y;
	size_t i;

	if (!worldmap_ready)
		worldmap_build();
	if (!isfinite(lat) || !isfinite(lon))
		return false;
	lon = fmod(lon + 180.0, 360.0);
	if (lon < 0)
		lon += 360.0;
	x = (int)(lon * WORLDMAP_RES);
	y = (int)((90.0 - lat) * WORLDMAP_RES);
	x = x < 0 ? 0 : x >= WORLDMAP_W ? WORLDMAP_W - 1 : x;
	y = y < 0 ? 0 : y >= WORLDMAP_H ? WORLDMAP_H - 1 : y;
	i = (size_t)y * WORLDMAP_W + (size_t)x;
	return (worldmap_mask[i / 8] >> (i % 8)) & 1;
}

void
worldmap_proj_init(struct worldmap_proj *p, int xdots, int ydots, double lat_top,
    double lat_bottom)
{
	p->xdots = xdots > 0 ? xdots : 1;
	p->ydots = ydots > 0 ? ydots : 1;
	p->lat_top = lat_top;
	p->lat_bottom = lat_bottom < lat_top ? lat_bottom : lat_top - 1;
}

int
worldmap_project(const struct worldmap_proj *p, double lat, double lon, int *x, int *y)
{
	double fx, fy;

	if (!isfinite(lat) || !isfinite(lon) || lat > p->lat_top || lat < p->lat_bottom)
		return -1;
	lon = fmod(lon + 180.0, 360.0);
	if (lon < 0)
		lon += 360.0;
	fx = lon / 360.0 * p->xdots;
	fy = (p->lat_top - lat) / (p->lat_top - p->lat_bottom) * p->ydots;
	*x = fx >= p->xdots ? p->xdots - 1 : (int)fx;
	*y = fy >= p->ydots ? p->ydots - 1 : (int)fy;
	return 0;
}

void
worldmap_unproject(const struct worldmap_proj *p, int x, int y, double *lat, double *lon)
{
	*lon = -180.0 + (x + 0.5) * 360.0 / p->xdots;
	*lat = p->lat_top - (y + 0.5) * (p->lat_top - p->lat_bottom) / p->ydots;
}

void
worldmap_fit(int avail_w, int avail_h, int *w, int *h)
{
	/* Cells are 1 x 2 in shape, so a cell row spans as many degrees as
	 * two cell columns. */
	double ratio = 360.0 * 2.0 / (WORLDMAP_LAT_TOP - WORLDMAP_LAT_BOTTOM);
	int fw = avail_w, fh = (int)floor(avail_w / ratio);

	if (fh > avail_h) {
		fh = avail_h;
		fw = (int)floor(avail_h * ratio);
	}
	if (fw < 8 || fh < 3)
		fw = fh = 0;
	*w = fw;
	*h = fh;
}

/* The last map rasterised, by size and character set: frames redraw the
 * same map many times, so it is computed once per size. */
static struct {
	int		 w, h;
	bool		 utf8;
	uint32_t	*cells;		/* 0: sea */
} worldmap_cache;

void
worldmap_draw(struct grid *g, int x0, int y0, int w, int h, uint16_t attr,
    struct worldmap_proj *p)
{
	/* Braille dot bits by (column, row) inside a cell. */
	static const uint8_t bits[4][2] = {
		{ 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 },
	};
	int sx = g->utf8 ? 2 : 1, sy = g->utf8 ? 4 : 1;

	worldmap_proj_init(p, w * sx, h * sy, WORLDMAP_LAT_TOP, WORLDMAP_LAT_BOTTOM);
	if (w <= 0 || h <= 0)
		return;
	if (worldmap_cache.cells == NULL || worldmap_cache.w != w || worldmap_cache.h != h ||
	    worldmap_cache.utf8 != g->utf8) {
		free(worldmap_cache.cells);
		worldmap_cache.cells = xcalloc((size_t)w * (size_t)h, sizeof(uint32_t));
		worldmap_cache.w = w;
		worldmap_cache.h = h;
		worldmap_cache.utf8 = g->utf8;
		for (int cy = 0; cy < h; cy++) {
			for (int cx = 0; cx < w; cx++) {
				unsigned dots = 0;
				double lat, lon;

				for (int dy = 0; dy < sy; dy++)
					for (int dx = 0; dx < sx; dx++) {
						worldmap_unproject(p, cx * sx + dx, cy * sy + dy, &lat,
						    &lon);
						if (worldmap_land(lat, lon))
							dots |= g->utf8 ? bits[dy][dx] : 1;
					}
				if (dots != 0)
					worldmap_cache.cells[cy * w + cx] = g->utf8 ? 0x2800 + dots : ':';
			}
		}
	}
	for (int cy = 0; cy < h; cy++)
		for (int cx = 0; cx < w; cx++)
			if (worldmap_cache.cells[cy * w + cx] != 0)
				grid_put(g, x0 + cx, y0 + cy, worldmap_cache.cells[cy * w + cx], attr);
}

int
worldmap_cell(const struct grid *g, const struct worldmap_proj *p, double lat, double lon,
    int *cx, int *cy)
{
	int x, y, sx = g->utf8 ? 2 : 1, sy = g->utf8 ? 4 : 1;

	if (worldmap_project(p, lat, lon, &x, &y) == -1)
		return -1;
	*cx = x / sx;
	*cy = y / sy;
	return 0;
}
