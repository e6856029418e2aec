/* ui_bans.c -- the bans view: the node's bans with reason and expiry, the one selected by its subnet. */
#include "ui_bans.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "strutil.h"
#include "ui_frame.h"

enum { BC_ADDR, BC_REASON, BC_CREATED, BC_EXPIRES, BC_LEFT, BC_COUNT };

static const struct ui_colspec ban_cols[BC_COUNT] = {
	[BC_ADDR] = { 20, 1, 1 },
	[BC_REASON] = { 12, 1, 2 },
	[BC_CREATED] = { 16, 0, 4 },
	[BC_EXPIRES] = { 16, 0, 3 },
	[BC_LEFT] = { 8, 0, 1 },
};
static const char *const ban_titles[BC_COUNT] = {
	"SUBNET", "REASON", "BANNED AT", "EXPIRES AT", "LEFT",
};

void
ui_bans_init(struct ui_bans *v)
{
	memset(v, 0, sizeof(*v));
	v->page = 10;
}

/* Find the selected subnet's row; keep the row when it is gone. */
static void
ui_bans_sync(struct ui_bans *v, const struct source *src)
{
	if (v->src != src) {
		v->sel[0] = '\0';
		v->row = v->top = 0;
		v->src = src;
	}
	if (src->nbans == 0) {
		v->sel[0] = '\0';
		v->row = 0;
		return;
	}
	for (size_t i = 0; i < src->nbans && v->sel[0] != '\0'; i++)
		if (strcmp(src->bans[i].address, v->sel) == 0) {
			v->row = (long)i;
			return;
		}
	if (v->row >= (long)src->nbans)
		v->row = (long)src->nbans - 1;
	if (v->row < 0)
		v->row = 0;
	str_copy(v->sel, src->bans[v->row].address, sizeof(v->sel));
}

void
ui_bans_select_row(struct ui_bans *v, const struct source *src, long row)
{
	ui_bans_sync(v, src);
	if (src->nbans == 0)
		return;
	if (row >= (long)src->nbans)
		row = (long)src->nbans - 1;
	if (row < 0)
		row = 0;
	v->row = row;
	str_copy(v->sel, src->bans[row].address, sizeof(v->sel));
}

bool
ui_bans_action(struct ui_bans *v, const struct source *src, enum action act)
{
	long page = v->page > 1 ? v->page : 1;

	ui_bans_sync(v, src);
	switch (act) {
	case ACT_UP: ui_bans_select_row(v, src, v->row - 1); return true;
	case ACT_DOWN: ui_bans_select_row(v, src, v->row + 1); return true;
	case ACT_PGUP: ui_bans_select_row(v, src, v->row - page); return true;
	case ACT_PGDN: ui_bans_select_row(v, src, v->row + page); return true;
	case ACT_HOME: ui_bans_select_row(v, src, 0); return true;
	case ACT_END: ui_bans_select_row(v, src, (long)src->nbans - 1); return true;
	default: return false;
	}
}

const struct ban_info *
ui_bans_selected(struct ui_bans *v, const struct source *src)
{
	ui_bans_sync(v, src);
	if (v->sel[0] == '\0')
		return NULL;
	for (size_t i = 0; i < src->nbans; i++)
		if (strcmp(src->bans[i].address, v->sel) == 0)
			return &src->bans[i];
	return NULL;
}

static void
fmt_when(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, len, "-");
}

void
ui_bans_draw(struct ui_bans *v, const struct source *src, struct grid *g, struct rect r,
    int64_t now)
{
	int cols[BC_COUNT], widths[BC_COUNT], x;
	size_t nc;
	struct rect in;
	char title[128], note[64], buf[128];

	if (r.w <= 0 || r.h <= 0)
		return;
	ui_bans_sync(v, src);
	snprintf(title, sizeof(title), "Bans of %s", src->label);
	snprintf(note, sizeof(note), "%zu ban%s", src->nbans, src->nbans == 1 ? "" : "s");
	in = ui_box(g, r, title, note);
	if (in.h < 2 || in.w < 10)
		return;
	nc = ui_layout_columns(in.w, ban_cols, BC_COUNT, 40, cols, widths);
	grid_fill(g, (struct rect){ in.x, in.y, in.w, 1 }, ' ', GC_TITLE | GA_REVERSE);
	x = in.x;
	for (size_t k = 0; k < nc; k++) {
		grid_field(g, x, in.y, widths[k], GC_TITLE | GA_REVERSE,
		    cols[k] == BC_LEFT ? GRID_RIGHT : GRID_LEFT, ban_titles[cols[k]]);
		x += widths[k] + 1;
	}
	v->page = in.h - 1;
	if (v->row < v->top)
		v->top = v->row;
	if (v->row >= v->top + v->page)
		v->top = v->row - v->page + 1;
	if (v->top < 0)
		v->top = 0;
	if (!src->have_data) {
		ui_message(g, (struct rect){ in.x, in.y + 1, in.w, in.h - 1 },
		    src->state == SOURCE_DOWN ? GC_BAD : GC_DIM,
		    src->state == SOURCE_DOWN ? src->error : "waiting for the node...");
		return;
	}
	if (src->nbans == 0) {
		ui_message(g, (struct rect){ in.x, in.y + 1, in.w, in.h - 1 }, GC_DIM,
		    "no bans (b bans an address or a subnet)");
		return;
	}
	for (int row = 0; row < v->page && v->top + row < (long)src->nbans; row++) {
		long i = v->top + row;
		const struct ban_info *b = &src->bans[i];
		bool sel = i == v->row;
		int y = in.y + 1 + row;
		uint16_t at = sel ? GC_SELECTED | GA_REVERSE : GC_NORMAL;

		if (sel)
			grid_fill(g, (struct rect){ in.x, y, in.w, 1 }, ' ', at);
		x = in.x;
		for (size_t k = 0; k < nc; k++) {
			enum grid_align al = GRID_LEFT;

			switch (cols[k]) {
			case BC_ADDR: snprintf(buf, sizeof(buf), "%s", b->address); break;
			case BC_REASON: snprintf(buf, sizeof(buf), "%s", b->reason[0] ? b->reason : "-"); break;
			case BC_CREATED: fmt_when(b->created, buf, sizeof(buf)); break;
			case BC_EXPIRES: fmt_when(b->until, buf, sizeof(buf)); break;
			default:
				fmt_duration(b->until > now ? b->until - now : 0, buf, sizeof(buf));
				al = GRID_RIGHT;
				break;
			}
			grid_field(g, x, y, widths[k], at, al, buf);
			x += widths[k] + 1;
		}
		grid_hit(g, (struct rect){ in.x, y, in.w, 1 }, HIT_BAN_ROW, i);
	}
}
