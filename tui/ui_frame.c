/* ui_frame.c -- what surrounds every view: the header line, the view tabs, and segment layout for narrow terminals. */
#include "ui_frame.h"

#include <stdarg.h>
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
    bool paused, double interval, unsigned nalerts, double now)
{
	struct ui_frame_segment s[12];
	const struct grid_glyphs *gl = g->gl;
	char a[FMT_LEN], b[FMT_LEN], badge[48];
	size_t n = 0;
	uint16_t hdr = GC_HEADER;
	int bw;

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
		if (src->info.has_chain && src->info.headers != src->info.blocks)
			snprintf(s[n].text, sizeof(s[n].text), "height %lld/%lld",
			    (long long)src->info.blocks, (long long)src->info.headers);
		else
			snprintf(s[n].text, sizeof(s[n].text), "height %d", (int)src->info.height);
		s[n].attr = hdr;
		s[n++].prio = 3;
		snprintf(s[n].text, sizeof(s[n].text), "in %d out %d", src->info.conn_in,
		    src->info.conn_out);
		s[n].attr = hdr;
		s[n++].prio = 2;
		snprintf(s[n].text, sizeof(s[n].text), "connectivity %d", src->info.health);
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
	/* The alert count keeps the right edge, whatever else fits. */
	if (nalerts > 0)
		snprintf(badge, sizeof(badge), " %s %u alert%s ", gl->warn, nalerts,
		    nalerts == 1 ? "" : "s");
	else
		snprintf(badge, sizeof(badge), " no alerts ");
	bw = grid_strwidth(g, badge);
	if (bw + 12 > g->w)
		bw = 0;
	ui_frame_segments_draw(g, 0, y, g->w - bw - (bw > 0 ? 1 : 0), s, n);
	if (bw > 0) {
		grid_text(g, g->w - bw, y, bw, nalerts > 0 ? GC_BAD | GA_BOLD | GA_REVERSE : hdr,
		    badge);
		grid_hit(g, (struct rect){ g->w - bw, y, bw, 1 }, HIT_TAB, VIEW_OVERVIEW);
	}
}

void
ui_frame_tabs(struct grid *g, int y, enum view_id cur, bool help)
{
	int x = 0;
	bool narrow = g->w < 72;

	grid_fill(g, (struct rect){ 0, y, g->w, 1 }, ' ', GC_TAB);
	for (int v = 0; v < VIEW_COUNT && x < g->w; v++) {
		char t[32];
		bool on = v == (int)cur && !help;
		uint16_t at = on ? GC_TAB_ACTIVE | GA_BOLD | GA_REVERSE : GC_TAB;
		int x0 = x;

		if (narrow && !on)
			snprintf(t, sizeof(t), "%d", v + 1);
		else
			snprintf(t, sizeof(t), "%d %s", v + 1, keys_view_name((enum view_id)v));
		x += grid_text(g, x, y, g->w - x, at, " ");
		x += grid_text(g, x, y, g->w - x, at, t);
		x += grid_text(g, x, y, g->w - x, at, " ");
		grid_hit(g, (struct rect){ x0, y, x - x0, 1 }, HIT_TAB, v);
	}
	if (help && x + 8 < g->w)
		x += grid_text(g, x + 1, y, g->w - x - 1, GC_TAB_ACTIVE | GA_BOLD | GA_REVERSE,
		    " Help ") + 1;
	if (g->w - x > 16) {
		grid_field(g, x, y, g->w - x, GC_DIM, GRID_RIGHT, "? help  q quit ");
		grid_hit(g, (struct rect){ g->w - 15, y, 6, 1 }, HIT_HELP, 0);
	}
}

struct rect
ui_box(struct grid *g, struct rect r, const char *title, const char *note)
{
	const struct grid_glyphs *gl = g->gl;
	uint16_t b = GC_BOX, t = GC_TITLE | GA_BOLD;
	int x, room;

	if (r.w < 6 || r.h < 3)
		return r;
	grid_text(g, r.x, r.y, 1, b, gl->tl);
	grid_text(g, r.x + r.w - 1, r.y, 1, b, gl->tr);
	grid_text(g, r.x, r.y + r.h - 1, 1, b, gl->bl);
	grid_text(g, r.x + r.w - 1, r.y + r.h - 1, 1, b, gl->br);
	grid_hline(g, r.x + 1, r.y, r.w - 2, b);
	grid_hline(g, r.x + 1, r.y + r.h - 1, r.w - 2, b);
	for (int y = r.y + 1; y < r.y + r.h - 1; y++) {
		grid_text(g, r.x, y, 1, b, gl->vline);
		grid_text(g, r.x + r.w - 1, y, 1, b, gl->vline);
	}
	x = r.x + 2;
	room = r.w - 4;
	if (title != NULL && title[0] != '\0' && room > 2) {
		int used;

		grid_put(g, x, r.y, ' ', b);
		used = grid_text(g, x + 1, r.y, room - 2, t, title);
		grid_put(g, x + 1 + used, r.y, ' ', b);
		x += used + 2;
		room -= used + 2;
	}
	if (note != NULL && note[0] != '\0' && room > 6) {
		int nw = grid_strwidth(g, note);

		if (nw > room - 3)
			nw = room - 3;
		grid_put(g, r.x + r.w - 3 - nw, r.y, ' ', b);
		grid_text(g, r.x + r.w - 2 - nw, r.y, nw, GC_DIM, note);
		grid_put(g, r.x + r.w - 2, r.y, ' ', b);
	}
	return (struct rect){ r.x + 1, r.y + 1, r.w - 2, r.h - 2 };
}

size_t
ui_layout_columns(int width, const struct ui_colspec *specs, size_t n, int maxflex,
    int *cols, int *widths)
{
	bool use[64] = { false };
	int used = 0, flex = 0, spare, k = 0;

	if (n > 64)
		n = 64;
#define SPEC(i)	(&specs[i])
	for (int prio = 1; prio <= 9; prio++) {
		for (size_t i = 0; i < n; i++) {
			int need = SPEC(i)->width + (used > 0 ? 1 : 0);

			if (SPEC(i)->prio != prio || used + need > width)
				continue;
			use[i] = true;
			used += need;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!use[i])
			continue;
		cols[k] = (int)i;
		widths[k] = SPEC(i)->width;
		flex += SPEC(i)->flex;
		k++;
	}
	spare = width - used;
	/* Flexible columns share the spare width, but not without limit:
	 * an address or agent wider than MAXFLEX cells is wasted space. */
	for (int j = 0; j < k && flex > 0 && spare > 0; j++) {
		int add;

		if (SPEC(cols[j])->flex == 0)
			continue;
		add = spare * SPEC(cols[j])->flex / flex;
		if (widths[j] + add > maxflex)
			add = maxflex - widths[j] > 0 ? maxflex - widths[j] : 0;
		widths[j] += add;
	}
#undef SPEC
	return (size_t)k;
}

/* The first part's length when TOTAL is split at FRAC, at least MINA,
 * leaving at least MINB. */
static int
split_len(int total, double frac, int mina, int minb)
{
	int a = (int)(total * frac + 0.5);

	if (a < mina)
		a = mina;
	if (total - a < minb)
		a = total - minb;
	return a < 0 ? 0 : a > total ? total : a;
}

void
ui_split_h(struct rect r, double frac, int minl, int minr, struct rect *l, struct rect *rr)
{
	int lw = split_len(r.w, frac, minl, minr);

	*l = (struct rect){ r.x, r.y, lw, r.h };
	*rr = (struct rect){ r.x + lw, r.y, r.w - lw, r.h };
}

void
ui_split_v(struct rect r, double frac, int mint, int minb, struct rect *t, struct rect *b)
{
	int th = split_len(r.h, frac, mint, minb);

	*t = (struct rect){ r.x, r.y, r.w, th };
	*b = (struct rect){ r.x, r.y + th, r.w, r.h - th };
}

int
ui_labelled(struct grid *g, struct rect r, int y, int labelw, const char *label, uint16_t attr,
    const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (y < r.y || y >= r.y + r.h)
		return y + 1;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	grid_field(g, r.x, y, labelw < r.w ? labelw : r.w, GC_TITLE, GRID_LEFT, label);
	if (r.w > labelw + 1)
		grid_text(g, r.x + labelw + 1, y, r.w - labelw - 1, attr, buf);
	return y + 1;
}

void
ui_message(struct grid *g, struct rect r, uint16_t attr, const char *msg)
{
	if (r.h <= 0 || r.w <= 0)
		return;
	grid_field(g, r.x, r.y + (r.h - 1) / 2, r.w, attr, GRID_CENTER, msg);
}
