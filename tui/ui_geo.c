/* ui_geo.c -- the geography view: world map with a mark per located peer (or crawled node), a legend, per-country bars and the busiest places.
 *
 * Marks are counted per map cell first, so ten thousand peers in one city
 * cost one glyph, a cell with several peers looks different from a cell
 * with one, and the busiest cells carry their count. */
#include "ui_geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "strutil.h"
#include "ui_frame.h"
#include "worldmap.h"
#include "xmalloc.h"

/* Marks whose count is written beside them. */
#define GEO_LABELLED	8

/* A count per name, largest first. */
struct tally {
	char		name[64];
	unsigned	n;
};

static int
cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Count NAME in T (N entries so far, room for SOURCE_MAX_SPREAD); returns
 * the new N.  Past the room a new name is not counted (256 countries or
 * places are more than a screen shows). */
static size_t
tally_add(struct tally *t, size_t n, const char *name)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strcmp(t[k].name, name) == 0)
			break;
	if (k == n) {
		if (n == SOURCE_MAX_SPREAD)
			return n;
		str_copy(t[n].name, name, sizeof(t[n].name));
		t[n++].n = 0;
	}
	t[k].n++;
	return n;
}

size_t
ui_geo_countries(const struct source *src, struct country_count *out, size_t max,
    size_t *located)
{
	struct tally all[SOURCE_MAX_SPREAD];
	size_t n = 0;

	*located = 0;
	for (size_t i = 0; i < src->npeers; i++) {
		const struct peer_info *p = &src->peers[i];

		if (p->has_loc)
			(*located)++;
		n = tally_add(all, n, p->country[0] ? p->country : "??");
	}
	qsort(all, n, sizeof(all[0]), cmp_tally);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		str_copy(out[i].cc, all[i].name, sizeof(out[i].cc));
		out[i].n = all[i].n;
	}
	return n;
}

size_t
ui_geo_places(const struct source *src, struct geo_place *out, size_t max)
{
	struct tally all[SOURCE_MAX_SPREAD];
	size_t n = 0;

	for (size_t i = 0; i < src->npeers; i++) {
		const struct peer_info *p = &src->peers[i];
		char name[64];

		if (!p->has_loc)
			continue;
		snprintf(name, sizeof(name), "%s %s", p->country[0] ? p->country : "??",
		    p->city[0] ? p->city : "(no city)");
		n = tally_add(all, n, name);
	}
	qsort(all, n, sizeof(all[0]), cmp_tally);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		str_copy(out[i].name, all[i].name, sizeof(out[i].name));
		out[i].n = all[i].n;
	}
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

void
ui_geo_map(struct grid *g, struct rect r, const struct source *src,
    const struct netscan_sum *net, bool whole_network, bool legend)
{
	struct worldmap_proj proj;
	struct marks m;
	int mw, mh, mx, my, top[GEO_LABELLED], ntop = 0, cells = 0;
	unsigned total = 0;

	if (r.w <= 0 || r.h <= 0)
		return;
	if (legend && r.h >= 5)
		r.h--;
	else
		legend = false;
	worldmap_fit(r.w, r.h, &mw, &mh);
	if (mw <= 0) {
		ui_message(g, r, GC_DIM, "(too small for the map)");
		return;
	}
	/* Fill the box: a map up to half again as tall as the true shape
	 * reads better than a band of empty rows. */
	if (mw >= r.w - 1 && mh < r.h) {
		int tall = mh + mh / 2;

		mh = tall < r.h ? tall : r.h;
	}
	mx = r.x + (r.w - mw) / 2;
	my = r.y + (r.h - mh) / 2;
	worldmap_draw(g, mx, my, mw, mh, GC_LAND, &proj);
	m.w = mw;
	m.h = mh;
	m.count = xcalloc((size_t)mw * (size_t)mh, sizeof(*m.count));
	if (whole_network && net != NULL && net->ok) {
		for (size_t i = 0; i < net->npoints; i++)
			mark_point(&m, g, &proj, net->points[i].lat, net->points[i].lon);
	} else if (!whole_network) {
		for (size_t i = 0; i < src->npeers; i++)
			if (src->peers[i].has_loc)
				mark_point(&m, g, &proj, src->peers[i].lat, src->peers[i].lon);
	}
	for (int i = 0; i < mw * mh; i++) {
		unsigned c = m.count[i];
		int k;

		if (c == 0)
			continue;
		cells++;
		total += c;
		grid_text(g, mx + i % mw, my + i / mw, 1, (c == 1 ? GC_MARK : GC_MARK_MANY) | GA_BOLD,
		    c == 1 ? g->gl->mark_one : g->gl->mark_many);
		if (c < 2)
			continue;
		/* Keep the GEO_LABELLED busiest cells, busiest first. */
		for (k = ntop; k > 0 && m.count[top[k - 1]] < c; k--)
			if (k < GEO_LABELLED)
				top[k] = top[k - 1];
		if (k < GEO_LABELLED) {
			top[k] = i;
			if (ntop < GEO_LABELLED)
				ntop++;
		}
	}
	for (int k = 0; k < ntop; k++) {
		char num[16];
		int cx = mx + top[k] % mw + 1, cy = my + top[k] / mw, nw;

		nw = snprintf(num, sizeof(num), "%u", m.count[top[k]]);
		if (cx + nw > mx + mw)
			cx = mx + top[k] % mw - nw;
		grid_text(g, cx, cy, nw, GC_MARK_MANY | GA_BOLD, num);
	}
	free(m.count);
	if (!whole_network && total == 0 && src->npeers > 0 && mh > 1)
		grid_field(g, r.x, my + mh - 1, r.w, GC_WARN, GRID_CENTER,
		    "no peer has a location: start with --geoip-db FILE");
	if (legend) {
		int x = r.x, y = r.y + r.h;

		x += grid_text(g, x, y, r.w, GC_MARK | GA_BOLD, g->gl->mark_one);
		x += grid_text(g, x, y, r.x + r.w - x, GC_DIM, " one  ");
		x += grid_text(g, x, y, r.x + r.w - x, GC_MARK_MANY | GA_BOLD, g->gl->mark_many);
		x += grid_text(g, x, y, r.x + r.w - x, GC_DIM, " several (busiest with their count)  ");
		grid_printf(g, x, y, r.x + r.w - x, GC_DIM, "%u %s in %d places", total,
		    whole_network ? "nodes" : "peers", cells);
	}
}

static void
draw_bars(struct grid *g, struct rect r, const struct country_count *cc, size_t n,
    unsigned long long total)
{
	unsigned max = n > 0 ? cc[0].n : 1;
	int y = r.y;

	if (r.w < 12 || r.h < 1)
		return;
	if (n == 0)
		ui_message(g, r, GC_DIM, "none yet");
	for (size_t i = 0; i < n && y < r.y + r.h; i++, y++) {
		char num[32];
		int pct = total > 0 ? (int)(100.0 * cc[i].n / (double)total + 0.5) : 0;

		if (i + 1 < n && y == r.y + r.h - 1 && r.h > 1) {
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

static void
draw_places(struct grid *g, struct rect r, const struct geo_place *pl, size_t n)
{
	if (r.w < 12 || r.h < 1)
		return;
	if (n == 0)
		ui_message(g, r, GC_DIM, "no located peer");
	for (size_t i = 0; i < n && (int)i < r.h; i++) {
		char num[16];

		snprintf(num, sizeof(num), "%u", pl[i].n);
		grid_field(g, r.x, r.y + (int)i, 6, GC_NORMAL, GRID_RIGHT, num);
		grid_field(g, r.x + 7, r.y + (int)i, r.w - 7, GC_NORMAL, GRID_LEFT, pl[i].name);
	}
}

void
ui_geo_draw(struct grid *g, struct rect r, const struct source *src, const struct netscan_sum *net,
    const char *neterr, bool whole_network)
{
	struct country_count cc[64];
	struct geo_place pl[64];
	size_t ncc = 0, npl = 0, located = 0, total = 0;
	struct rect mapr, side, barr, placer, in;
	char title[160], note[96];
	bool have = !whole_network || (net != NULL && net->ok);

	if (r.w <= 0 || r.h <= 0)
		return;
	if (whole_network && have) {
		for (size_t i = 0; i < net->ncountries && ncc < 64; i++, ncc++) {
			/* A country code; anything longer is cut (not an error). */
			str_copy(cc[ncc].cc, net->countries[i].key, sizeof(cc[ncc].cc));
			cc[ncc].n = (unsigned)net->countries[i].n;
		}
		located = (size_t)net->located;
		total = (size_t)net->total;
		snprintf(title, sizeof(title), "Whole network (crawl DB)");
		snprintf(note, sizeof(note), "%zu of %zu nodes located, %zu countries  m: this node",
		    located, total, net->dcountries);
	} else if (!whole_network) {
		ncc = ui_geo_countries(src, cc, 64, &located);
		npl = ui_geo_places(src, pl, 64);
		total = src->npeers;
		snprintf(title, sizeof(title), "Peers of %s", src->label);
		snprintf(note, sizeof(note), "%zu of %zu located, %zu countries  m: whole network",
		    located, total, ncc);
	} else {
		snprintf(title, sizeof(title), "Whole network");
		snprintf(note, sizeof(note), "m: this node's peers");
	}
	if (r.w >= 100) {
		ui_split_h(r, 1.0, 0, 34, &mapr, &side);
		ui_split_v(side, 0.6, 3, 3, &barr, &placer);
		if (whole_network)
			barr = side;
	} else {
		/* Bars below the map: the map takes what it can use, the bars
		 * get at least a title and a few countries. */
		int mw, mh, want = (int)ncc + 2 < 6 ? (int)ncc + 2 : 6;

		if (want < 3)
			want = 3;
		if (want > r.h / 3)
			want = r.h / 3 > 3 ? r.h / 3 : 3;
		worldmap_fit(r.w - 2, r.h - 3 - want, &mw, &mh);
		ui_split_v(r, 1.0, 0, r.h - (mh + 3) > want ? r.h - (mh + 3) : want, &mapr, &side);
		if (side.w >= 70 && !whole_network)
			ui_split_h(side, 0.5, 30, 30, &barr, &placer);
		else {
			barr = side;
			placer = (struct rect){ 0, 0, 0, 0 };
		}
	}
	in = ui_box(g, mapr, title, note);
	if (!have) {
		ui_message(g, in, neterr ? GC_BAD : GC_DIM, neterr ? neterr : net != NULL ? net->err :
		    "no crawl database (start with --crawl-db FILE)");
	} else {
		ui_geo_map(g, in, src, net, whole_network, true);
	}
	in = ui_box(g, barr, "Countries", NULL);
	if (have)
		draw_bars(g, in, cc, ncc, total);
	if (placer.w > 0 && placer.h > 0 && !whole_network) {
		in = ui_box(g, placer, "Places", NULL);
		draw_places(g, in, pl, npl);
	}
}
