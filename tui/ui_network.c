/* ui_network.c -- the network view: the crawler database's totals, versions, heights, countries, ASNs and health. */
#include "ui_network.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "fmt.h"

static void
draw_top(struct grid *g, struct rect r, const char *title, size_t distinct,
    const struct netscan_kv *kv, size_t n)
{
	long long max = n > 0 && kv[0].n > 0 ? kv[0].n : 1;
	int y = r.y;

	if (r.h <= 0 || r.w < 10)
		return;
	grid_printf(g, r.x, y++, r.w, GC_TITLE | GA_BOLD, "%s (%zu)", title, distinct);
	for (size_t i = 0; i < n && y < r.y + r.h; i++, y++) {
		char num[FMT_LEN];
		int barw = r.w >= 40 ? 10 : 4;

		if (i + 1 < n && y == r.y + r.h - 1) {
			grid_printf(g, r.x, y, r.w, GC_DIM, "+%zu more", distinct - i);
			break;
		}
		fmt_count((uint64_t)kv[i].n, num, sizeof(num));
		grid_field(g, r.x, y, 6, GC_NORMAL, GRID_RIGHT, num);
		chart_hbar(g, r.x + 7, y, barw, GC_BAR, (double)kv[i].n / (double)max);
		grid_field(g, r.x + 8 + barw, y, r.w - 8 - barw, GC_NORMAL, GRID_LEFT, kv[i].key);
	}
}

void
ui_network_draw(struct grid *g, struct rect r, const struct netscan *ns)
{
	const struct netscan_sum *s;
	char when[16] = "?", a[FMT_LEN], b[FMT_LEN];
	struct tm tm;
	time_t t;
	int y = r.y, used;

	if (r.w <= 0 || r.h <= 0)
		return;
	if (ns == NULL) {
		grid_field(g, r.x, r.y + r.h / 2, r.w, GC_DIM, GRID_CENTER,
		    "no crawl database (start agentconsole with --crawl-db FILE)");
		return;
	}
	s = netscan_result(ns);
	if (s == NULL) {
		grid_field(g, r.x, r.y + r.h / 2, r.w, GC_DIM, GRID_CENTER, "reading the crawl database...");
		return;
	}
	if (!s->ok) {
		grid_printf(g, r.x, y++, r.w, GC_TITLE, "Crawl DB %s", netscan_path(ns));
		grid_field(g, r.x, r.y + r.h / 2, r.w, GC_BAD, GRID_CENTER, s->err);
		if (r.h > 2)
			grid_field(g, r.x, r.y + r.h / 2 + 1, r.w, GC_DIM, GRID_CENTER,
			    "(read again every few seconds)");
		return;
	}
	t = (time_t)s->taken;
	if (localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	grid_printf(g, r.x, y++, r.w, GC_TITLE, "Crawl DB %s  network %s  read %s in %.0f ms",
	    netscan_path(ns), s->network[0] ? s->network : "all", when, s->took_ms);
	if (y >= r.y + r.h)
		return;
	grid_printf(g, r.x, y++, r.w, GC_NORMAL,
	    "nodes %lld  reachable %lld  good %lld  never tried %lld  banned %lld  located %lld  max height %d",
	    s->total, s->reachable, s->good, s->never_tried, s->banned, s->located,
	    (int)s->max_height);
	if (y >= r.y + r.h)
		return;
	used = grid_printf(g, r.x, y, r.w, s->health >= 70 ? GC_GOOD : s->health >= 40 ? GC_WARN :
	    GC_BAD, "NetworkHealth %d", s->health);
	used += grid_printf(g, r.x + used, y, r.w - used, GC_DIM,
	    "  (handshake %s, 1-day reliability %.2f, %u netgroups)  ",
	    fmt_latency(s->avg_handshake_ms, a, sizeof(a)), s->reliability_1d, s->netgroups);
	if (r.w - used > 4)
		chart_sparkline(g, r.x + used, y, r.w - used, GC_BAR, netscan_health_history(ns), 0, 100);
	y++;
	if (y < r.y + r.h) {
		const struct chart_series *rh = netscan_reachable_history(ns);

		used = grid_printf(g, r.x, y, r.w, GC_DIM, "reachable over time (%s..%s)  ",
		    fmt_count(rh->n ? (uint64_t)chart_series_get(rh, 0) : 0, a, sizeof(a)),
		    fmt_count((uint64_t)s->reachable, b, sizeof(b)));
		if (r.w - used > 4)
			chart_sparkline(g, r.x + used, y, r.w - used, GC_BAR, rh, 0, 0);
		y++;
	}
	y++;
	if (y >= r.y + r.h)
		return;
	{
		int rest = r.y + r.h - y;

		if (r.w >= 80) {
			int half = rest / 2, cw = (r.w - 2) / 2;

			draw_top(g, (struct rect){ r.x, y, cw, half }, "Versions", s->dversions,
			    s->versions, s->nversions);
			draw_top(g, (struct rect){ r.x + cw + 2, y, cw, half },
			    "Heights of reachable nodes", s->dheights, s->heights, s->nheights);
			draw_top(g, (struct rect){ r.x, y + half, cw, rest - half }, "Countries",
			    s->dcountries, s->countries, s->ncountries);
			draw_top(g, (struct rect){ r.x + cw + 2, y + half, cw, rest - half }, "ASNs",
			    s->dasns, s->asns, s->nasns);
		} else {
			int q = rest / 4;

			draw_top(g, (struct rect){ r.x, y, r.w, q }, "Versions", s->dversions,
			    s->versions, s->nversions);
			draw_top(g, (struct rect){ r.x, y + q, r.w, q }, "Heights", s->dheights,
			    s->heights, s->nheights);
			draw_top(g, (struct rect){ r.x, y + 2 * q, r.w, q }, "Countries",
			    s->dcountries, s->countries, s->ncountries);
			draw_top(g, (struct rect){ r.x, y + 3 * q, r.w, rest - 3 * q }, "ASNs",
			    s->dasns, s->asns, s->nasns);
		}
	}
}
