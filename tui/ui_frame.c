/* ui_frame.c -- what surrounds every view: the header line, the view tabs, and segment layout for narrow terminals. */
#include "ui_frame.h"

#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "strutil.h"

int
ui_frame_segments_fit(const struct grid *g, int w, const struct ui_frame_segment *segs,
    size_t n, bool *show)
{
	int width[32], used = 0, count = 0;

	if (n > 32)
		n = 32;
	for (size_t i = 0; i < n; i++) {
		width[i] = grid_strwidth(g, segs[i].text);
		show[i] = false;
	}
	/* Admit by priority, lowest number first, table order within one. */
	for (int prio = 0; prio <= 9; prio++)
		for (size_t i = 0; i < n; i++) {
			int need = width[i] + (count > 0 ? 2 : 0);

			if (segs[i].prio != prio || segs[i].text[0] == '\0' || used + need > w)
				continue;
			show[i] = true;
			used += need;
			count++;
		}
	return used;
}

int
ui_frame_segments_draw(struct grid *g, int x, int y, int w,
    const struct ui_frame_segment *segs, size_t n)
{
	bool show[32];
	int cx = x;

	ui_frame_segments_fit(g, w, segs, n, show);
	for (size_t i = 0; i < n && i < 32; i++) {
		if (!show[i])
			continue;
		if (cx > x)
			cx += 2;
		cx += grid_text(g, cx, y, x + w - cx, segs[i].attr, segs[i].text);
	}
	return cx - x;
}

void
ui_frame_header(struct grid *g, int y, const struct source *src, size_t idx, size_t nsrc,
    bool paused, double interval, double now)
{
	struct ui_frame_segment s[12];
	const struct grid_glyphs *gl = g->gl;
	char a[FMT_LEN], b[FMT_LEN];
	size_t n = 0;
	uint16_t hdr = GC_HEADER;

	memset(s, 0, sizeof(s));
	grid_fill(g, (struct rect){ 0, y, g->w, 1 }, ' ', hdr);
	s[n].prio = 0;
	if (paused) {
		snprintf(s[n].text, sizeof(s[n].text), "%s PAUSED", gl->state_pause);
		s[n++].attr = GC_WARN | GA_BOLD | GA_REVERSE;
	} else if (src->state == SOURCE_UP) {
		snprintf(s[n].text, sizeof(s[n].text), "%s live", gl->state_ok);
		s[n++].attr = GC_GOOD | GA_BOLD | GA_REVERSE;
	} else if (src->state == SOURCE_CONNECTING) {
		snprintf(s[n].text, sizeof(s[n].text), "%s connecting", gl->state_wait);
		s[n++].attr = GC_WARN | GA_BOLD | GA_REVERSE;
	} else {
		snprintf(s[n].text, sizeof(s[n].text), "%s disconnected, retrying %s",
		    gl->state_down, fmt_duration((int64_t)(now - src->since), a, sizeof(a)));
		s[n++].attr = GC_BAD | GA_BOLD | GA_REVERSE;
		str_errf(s[n].text, sizeof(s[n].text), "(%s)", src->error);
		s[n].attr = hdr;
		s[n++].prio = 3;
	}
	if (nsrc > 1)
		snprintf(s[n].text, sizeof(s[n].text), "[%zu/%zu] %s", idx + 1, nsrc, src->label);
	else
		snprintf(s[n].text, sizeof(s[n].text), "%s", src->label);
	s[n].attr = hdr | GA_BOLD;
	s[n++].prio = 1;
	if (src->have_data) {
		snprintf(s[n].text, sizeof(s[n].text), "%s", src->info.network);
		s[n].attr = hdr;
		s[n++].prio = 4;
		snprintf(s[n].text, sizeof(s[n].text), "height %d", (int)src->info.height);
		s[n].attr = hdr;
		s[n++].prio = 3;
		snprintf(s[n].text, sizeof(s[n].text), "in %d out %d", src->info.conn_in,
		    src->info.conn_out);
		s[n].attr = hdr;
		s[n++].prio = 2;
		snprintf(s[n].text, sizeof(s[n].text), "health %d", src->info.health);
		s[n].attr = hdr | GA_BOLD;
		s[n++].prio = 2;
		snprintf(s[n].text, sizeof(s[n].text), "%s%s %s%s", gl->down,
		    fmt_rate(src->rate_in, a, sizeof(a)), gl->up, fmt_rate(src->rate_out, b, sizeof(b)));
		s[n].attr = hdr;
		s[n++].prio = 5;
	}
	snprintf(s[n].text, sizeof(s[n].text), "every %gs", interval);
	s[n].attr = hdr;
	s[n++].prio = 6;
	snprintf(s[n].text, sizeof(s[n].text), "agentconsole");
	s[n].attr = hdr | GA_BOLD;
	s[n++].prio = 7;
	ui_frame_segments_draw(g, 0, y, g->w, s, n);
}

void
ui_frame_tabs(struct grid *g, int y, enum view_id cur, bool help)
{
	int x = 0;
	bool narrow = g->w < 56;

	for (int v = 0; v < VIEW_COUNT && x < g->w; v++) {
		char t[32];
		bool on = v == (int)cur && !help;

		if (narrow && !on)
			snprintf(t, sizeof(t), "%d", v + 1);
		else
			snprintf(t, sizeof(t), "%d %s", v + 1, keys_view_name((enum view_id)v));
		x += grid_text(g, x, y, g->w - x, on ? GC_TAB_ACTIVE | GA_BOLD | GA_REVERSE : GC_TAB,
		    " ");
		x += grid_text(g, x, y, g->w - x, on ? GC_TAB_ACTIVE | GA_BOLD | GA_REVERSE : GC_TAB, t);
		x += grid_text(g, x, y, g->w - x, on ? GC_TAB_ACTIVE | GA_BOLD | GA_REVERSE : GC_TAB,
		    " ");
	}
	if (help && x + 8 < g->w)
		x += grid_text(g, x + 1, y, g->w - x - 1, GC_TAB_ACTIVE | GA_BOLD | GA_REVERSE,
		    " Help ") + 1;
	if (g->w - x > 16)
		grid_field(g, x, y, g->w - x, GC_DIM, GRID_RIGHT, "? help  q quit ");
}
