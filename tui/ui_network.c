/* ui_network.c -- the network view: the crawler database's totals, versions, heights, countries, ASNs and health. */
#include "ui_network.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "fmt.h"
#include "ui_frame.h"

static void
draw_top(struct grid *g, struct rect r, const char *title, size_t distinct,
    const struct netscan_kv *kv, size_t n)
{
	long long max = n > 0 && kv[0].n > 0 ? kv[0].n : 1;
	char t[96];
	int y;

	snprintf(t, sizeof(t), "%s (%zu)", title, distinct);
	r = ui_box(g, r, t, NULL);
	if (r.h <= 0 || r.w < 10)
		return;
	y = r.y;
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

/* "LABEL" then its sparkline right after it, at most 48 cells. */
static void
labelled_spark(struct grid *g, int x, int y, int w, uint16_t attr, const char *label,
    const struct chart_series *s, double lo, double hi)
{
	int used = grid_text(g, x, y, w, attr, label), sw;

	used += grid_text(g, x + used, y, w - used, GC_NORMAL, " ");
	sw = w - used < 48 ? w - used : 48;
	if (sw > 4)
		chart_sparkline(g, x + used, y, sw, GC_BAR, s, lo, hi);
}

/* The rewards leaderboard: rank, identity, the three scores and the total. */
static void
draw_board(struct grid *g, struct rect r, const struct netscan_sum *s)
{
	char	t[96], n[48];
	int	y;

	snprintf(t, sizeof(t), "Leaderboard %s %s (%zu rewarded)", s->board_network,
	    s->board_day, s->board_total);
	r = ui_box(g, r, t, "docs/REWARDS.md");
	if (r.h <= 0 || r.w < 20)
		return;
	y = r.y;
	grid_printf(g, r.x, y++, r.w, GC_DIM, "%4s  %-16s  %7s  %7s  %7s  %7s", "rank",
	    "identity", "uptime", "storage", "relay", "total");
	for (size_t i = 0; i < s->nboard && y < r.y + r.h; i++, y++) {
		const struct netscan_board_row *b = &s->board[i];

		if (i + 1 < s->board_total && y == r.y + r.h - 1) {
			snprintf(n, sizeof(n), "+%zu more", s->board_total - i);
			grid_text(g, r.x, y, r.w, GC_DIM, n);
			break;
		}
		grid_printf(g, r.x, y, r.w, GC_NORMAL,
		    "%4zu  %-16s  %6.1f%%  %6.1f%%  %6.1f%%  %6.1f%%", i + 1, b->identity,
		    b->uptime / 1e4, b->storage / 1e4, b->relay / 1e4, b->total / 1e4);
	}
}

void
ui_network_draw(struct grid *g, struct rect r, const struct netscan *ns)
{
	const struct netscan_sum *s;
	char when[16] = "?", a[FMT_LEN], b[FMT_LEN], title[256], note[64], lbl[160];
	struct rect in, sum, lists, q[4];
	struct tm tm;
	time_t t;
	int y;

	if (r.w <= 0 || r.h <= 0)
		return;
	if (ns == NULL) {
		in = ui_box(g, r, "Network", NULL);
		ui_message(g, in, GC_DIM, "no crawl database (start agentconsole with --crawl-db FILE)");
		return;
	}
	s = netscan_result(ns);
	snprintf(title, sizeof(title), "Crawl DB %s", netscan_path(ns));
	if (s == NULL) {
		in = ui_box(g, r, title, NULL);
		ui_message(g, in, GC_DIM, "reading the crawl database...");
		return;
	}
	if (!s->ok) {
		in = ui_box(g, r, title, "read again every few seconds");
		ui_message(g, in, GC_BAD, s->err);
		return;
	}
	t = (time_t)s->taken;
	if (localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(note, sizeof(note), "network %s  read %s in %.0f ms",
	    s->network[0] ? s->network : "all", when, s->took_ms);
	ui_split_v(r, 0.0, 6, 4, &sum, &lists);
	in = ui_box(g, sum, title, note);
	y = in.y;
	if (in.h <= 0)
		return;
	grid_printf(g, in.x, y++, in.w, GC_NORMAL,
	    "nodes %lld  reachable %lld  good %lld  never tried %lld  banned %lld  located %lld  max height %d",
	    s->total, s->reachable, s->good, s->never_tried, s->banned, s->located,
	    (int)s->max_height);
	if (y < in.y + in.h) {
		snprintf(lbl, sizeof(lbl), "NetworkHealth %d  (handshake %s, 1-day reliability %.2f, %u netgroups)",
		    s->health, fmt_latency(s->avg_handshake_ms, a, sizeof(a)), s->reliability_1d,
		    s->netgroups);
		labelled_spark(g, in.x, y++, in.w, s->health >= 70 ? GC_GOOD : s->health >= 40 ?
		    GC_WARN : GC_BAD, lbl, netscan_health_history(ns), 0, 100);
	}
	if (y < in.y + in.h) {
		const struct chart_series *rh = netscan_reachable_history(ns);

		snprintf(lbl, sizeof(lbl), "reachable over time (%s..%s)",
		    fmt_count(rh->n ? (uint64_t)chart_series_get(rh, 0) : 0, a, sizeof(a)),
		    fmt_count((uint64_t)s->reachable, b, sizeof(b)));
		labelled_spark(g, in.x, y++, in.w, GC_DIM, lbl, rh, 0, 0);
	}
	if (lists.h <= 0)
		return;
	if (s->nboard > 0 && lists.h >= 12) {
		struct rect board;
		int bh = (int)s->nboard + 3;

		if (bh > lists.h / 2)
			bh = lists.h / 2;
		ui_split_v(lists, 0.0, bh, 6, &board, &lists);
		draw_board(g, board, s);
	}
	if (r.w >= 80) {
		struct rect top, bot;

		ui_split_v(lists, 0.5, 3, 3, &top, &bot);
		ui_split_h(top, 0.5, 20, 20, &q[0], &q[1]);
		ui_split_h(bot, 0.5, 20, 20, &q[2], &q[3]);
	} else {
		int h4 = lists.h / 4;

		for (int i = 0; i < 4; i++)
			q[i] = (struct rect){ lists.x, lists.y + i * h4, lists.w,
			    i == 3 ? lists.h - 3 * h4 : h4 };
	}
	draw_top(g, q[0], "Versions", s->dversions, s->versions, s->nversions);
	draw_top(g, q[1], "Heights of reachable nodes", s->dheights, s->heights, s->nheights);
	draw_top(g, q[2], "Countries", s->dcountries, s->countries, s->ncountries);
	draw_top(g, q[3], "ASNs", s->dasns, s->asns, s->nasns);
}
