/* ui_geo.c -- the geography view: world map with a mark per located peer (or crawled node) and per-country bars.
 *
 * Marks are counted per map cell first, so ten thousand peers in one city
 * cost one glyph, and a cell with several peers looks different from a
 * cell with one. */
#include "ui_geo.h"

#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "strutil.h"
#include "worldmap.h"
#include "xmalloc.h"

static int
cmp_cc(const void *a, const void *b)
{
	const struct country_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->cc, y->cc);
}

size_t
ui_geo_countries(const struct source *src, struct country_count *out, size_t max,
    size_t *located)
{
	struct country_count all[SOURCE_MAX_SPREAD];
	size_t n = 0, other = 0;

	*located = 0;
	for (size_t i = 0; i < src->npeers; i++) {
		const struct peer_info *p = &src->peers[i];
		const char *cc = p->country[0] ? p->country : "??";
		size_t k;

		if (p->has_loc)
			(*located)++;
		for (k = 0; k < n; k++)
			if (strcmp(all[k].cc, cc) == 0)
				break;
		if (k == n) {
			if (n == SOURCE_MAX_SPREAD) {
				other++;
				continue;
			}
			snprintf(all[n].cc, sizeof(all[n].cc), "%s", cc);
			all[n++].n = 0;
		}
		all[k].n++;
	}
	(void)other;	/* more than 256 countries cannot happen with ISO codes */
	qsort(all, n, sizeof(all[0]), cmp_cc);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

struct marks {
	unsigned	*count;
	int		 w, h;
};

static void
mark_point(struct marks *m, const struct grid *g, const struct worldmap_proj *p,
    double lat, double lon)
{
	int cx, cy;

	if (worldmap_cell(g, p, lat, lon, &cx, &cy) == 0 && cx >= 0 && cy >= 0 && cx < m->w &&
	    cy < m->h)
		m->count[cy * m->w + cx]++;
}

static void
draw_bars(struct grid *g, struct rect r, const char *title, const struct country_count *cc,
    size_t n, unsigned long long total)
{
	unsigned max = n > 0 ? cc[0].n : 1;
	int y = r.y;

	if (r.w < 12 || r.h < 2)
		return;
	grid_text(g, r.x, y++, r.w, GC_TITLE | GA_BOLD, title);
	for (size_t i = 0; i < n && y < r.y + r.h; i++, y++) {
		char num[32];
		int pct = total > 0 ? (int)(100.0 * cc[i].n / (double)total + 0.5) : 0;

		if (i + 1 < n && y == r.y + r.h - 1) {
			grid_printf(g, r.x, y, r.w, GC_DIM, "+%zu more", n - i);
			break;
		}
		grid_field(g, r.x, y, 3, GC_NORMAL, GRID_LEFT, cc[i].cc);
		snprintf(num, sizeof(num), "%u", cc[i].n);
		grid_field(g, r.x + 3, y, 6, GC_NORMAL, GRID_RIGHT, num);
		snprintf(num, sizeof(num), "%d%%", pct);
		grid_field(g, r.x + 9, y, 5, GC_DIM, GRID_RIGHT, num);
		chart_hbar(g, r.x + 15, y, r.w - 15, GC_BAR, (double)cc[i].n / max);
	}
}

void
ui_geo_draw(struct grid *g, struct rect r, const struct source *src, const struct netscan_sum *net,
    const char *neterr, bool whole_network)
{
	struct country_count cc[64];
	size_t ncc = 0, located = 0, total = 0;
	struct rect body, mapr, barr;
	struct worldmap_proj proj;
	struct marks m;
	int mw, mh, mx, my;

	if (r.w <= 0 || r.h <= 0)
		return;
	if (whole_network) {
		if (net == NULL || !net->ok) {
			grid_printf(g, r.x, r.y, r.w, GC_TITLE, "Whole network (m: this node's peers)");
			grid_field(g, r.x, r.y + r.h / 2, r.w, neterr ? GC_BAD : GC_DIM, GRID_CENTER,
			    neterr ? neterr : net != NULL ? net->err :
			    "no crawl database (start with --crawl-db FILE)");
			return;
		}
		for (size_t i = 0; i < net->ncountries && ncc < 64; i++, ncc++) {
			/* A country code; anything longer is cut (not an error). */
			str_copy(cc[ncc].cc, net->countries[i].key, sizeof(cc[ncc].cc));
			cc[ncc].n = (unsigned)net->countries[i].n;
		}
		located = (size_t)net->located;
		total = (size_t)net->total;
		grid_printf(g, r.x, r.y, r.w, GC_TITLE,
		    "Whole network (crawl DB): %zu of %zu nodes located, %zu countries   m: this node's peers",
		    located, total, net->dcountries);
	} else {
		ncc = ui_geo_countries(src, cc, 64, &located);
		total = src->npeers;
		grid_printf(g, r.x, r.y, r.w, GC_TITLE,
		    "Peers of %s: %zu of %zu located, %zu countries   m: whole network",
		    src->label, located, total, ncc);
	}
	body = (struct rect){ r.x, r.y + 1, r.w, r.h - 1 };
	if (body.h <= 0)
		return;
	if (body.w >= 90) {
		mapr = (struct rect){ body.x, body.y, body.w - 32, body.h };
		barr = (struct rect){ body.x + body.w - 30, body.y, 30, body.h };
	} else {
		/* Bars below the map: the map takes what it can use, the bars
		 * get at least a title and a few countries. */
		int want = (int)ncc + 1 < 4 ? (int)ncc + 1 : 4, bh;

		if (want < 2)
			want = 2;
		worldmap_fit(body.w, body.h - want, &mw, &mh);
		bh = body.h - mh;
		mapr = (struct rect){ body.x, body.y, body.w, body.h - bh };
		barr = (struct rect){ body.x, body.y + body.h - bh, body.w, bh };
	}
	worldmap_fit(mapr.w, mapr.h, &mw, &mh);
	if (mw > 0) {
		mx = mapr.x + (mapr.w - mw) / 2;
		my = mapr.y;
		worldmap_draw(g, mx, my, mw, mh, GC_LAND, &proj);
		m.w = mw;
		m.h = mh;
		m.count = xcalloc((size_t)mw * (size_t)mh, sizeof(*m.count));
		if (whole_network) {
			for (size_t i = 0; i < net->npoints; i++)
				mark_point(&m, g, &proj, net->points[i].lat, net->points[i].lon);
		} else {
			for (size_t i = 0; i < src->npeers; i++)
				if (src->peers[i].has_loc)
					mark_point(&m, g, &proj, src->peers[i].lat, src->peers[i].lon);
		}
		for (int y = 0; y < mh; y++)
			for (int x = 0; x < mw; x++) {
				unsigned c = m.count[y * mw + x];

				if (c == 1)
					grid_text(g, mx + x, my + y, 1, GC_MARK | GA_BOLD, g->gl->mark_one);
				else if (c > 1)
					grid_text(g, mx + x, my + y, 1, GC_MARK_MANY | GA_BOLD,
					    g->gl->mark_many);
			}
		free(m.count);
		if (!whole_network && located == 0 && src->npeers > 0 && mh > 1)
			grid_field(g, mapr.x, my + mh - 1, mapr.w, GC_WARN, GRID_CENTER,
			    "no peer has a location: start with --geoip-db FILE");
	} else if (mapr.h > 0) {
		grid_field(g, mapr.x, mapr.y, mapr.w, GC_DIM, GRID_CENTER, "(too small for the map)");
	}
	draw_bars(g, barr, "GeographicSpread", cc, ncc, total);
}
