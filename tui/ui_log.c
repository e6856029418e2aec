/* ui_log.c -- the event log: a bounded ring of connects, disconnects, bans, violations and actions. */
#include "ui_log.h"

#include <stdio.h>
#include <stdlib.h>

#include "strutil.h"
#include "xmalloc.h"

void
ui_log_init(struct ui_log *l)
{
	l->ring = xcalloc(UI_LOG_MAX, sizeof(*l->ring));
	l->n = l->head = 0;
	l->total = 0;
	l->scroll = 0;
	l->page = 10;
}

void
ui_log_free(struct ui_log *l)
{
	free(l->ring);
	l->ring = NULL;
}

void
ui_log_add(struct ui_log *l, time_t when, enum source_event kind, const char *node,
    const char *text)
{
	struct log_entry *e = &l->ring[l->head];

	e->when = when;
	e->kind = kind;
	str_copy(e->node, node, sizeof(e->node));
	str_copy(e->text, text, sizeof(e->text));
	l->head = (l->head + 1) % UI_LOG_MAX;
	if (l->n < UI_LOG_MAX)
		l->n++;
	l->total++;
	/* A reader scrolled back keeps looking at the same lines. */
	if (l->scroll > 0 && l->scroll < (long)l->n - 1)
		l->scroll++;
}

const struct log_entry *
ui_log_get(const struct ui_log *l, size_t i)
{
	if (i >= l->n)
		return NULL;
	return &l->ring[(l->head + UI_LOG_MAX - l->n + i) % UI_LOG_MAX];
}

const char *
ui_log_kind_name(enum source_event kind)
{
	switch (kind) {
	case SEV_STATE: return "node";
	case SEV_CONNECT: return "conn";
	case SEV_DISCONNECT: return "disc";
	case SEV_BAN: return "ban";
	case SEV_UNBAN: return "unban";
	case SEV_VIOLATION: return "viol";
	case SEV_ACTION: return "you";
	}
	return "?";
}

static uint16_t
kind_attr(enum source_event kind)
{
	switch (kind) {
	case SEV_CONNECT: return GC_GOOD;
	case SEV_DISCONNECT: return GC_WARN;
	case SEV_BAN:
	case SEV_VIOLATION: return GC_BAD;
	case SEV_STATE:
	case SEV_ACTION: return GC_TITLE;
	default: return GC_NORMAL;
	}
}

bool
ui_log_action(struct ui_log *l, enum action act)
{
	long max = (long)l->n - 1, page = l->page > 1 ? l->page : 1;

	switch (act) {
	case ACT_UP: l->scroll++; break;
	case ACT_DOWN: l->scroll--; break;
	case ACT_PGUP: l->scroll += page; break;
	case ACT_PGDN: l->scroll -= page; break;
	case ACT_HOME: l->scroll = max; break;
	case ACT_END: l->scroll = 0; break;
	default: return false;
	}
	if (l->scroll > max)
		l->scroll = max;
	if (l->scroll < 0)
		l->scroll = 0;
	return true;
}

void
ui_log_draw(struct ui_log *l, struct grid *g, struct rect r)
{
	int rows = r.h - 1;
	long last;

	if (r.w <= 0 || r.h <= 0)
		return;
	if (rows < 1)
		rows = r.h;
	else
		grid_printf(g, r.x, r.y + r.h - 1, r.w, GC_DIM, "%zu events held, %llu in all%s",
		    l->n, l->total, l->scroll > 0 ? "  (scrolled back: End returns)" : "");
	l->page = rows;
	if (l->n == 0) {
		grid_field(g, r.x, r.y + rows / 2, r.w, GC_DIM, GRID_CENTER, "no events yet");
		return;
	}
	last = (long)l->n - 1 - l->scroll;
	for (int row = rows - 1; row >= 0 && last >= 0; row--, last--) {
		const struct log_entry *e = ui_log_get(l, (size_t)last);
		struct tm tm;
		char ts[16] = "";
		int x = r.x, y = r.y + row;

		if (localtime_r(&e->when, &tm) != NULL)
			strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
		x += grid_text(g, x, y, r.w, GC_DIM, ts);
		x += grid_text(g, x, y, r.x + r.w - x, GC_NORMAL, " ");
		if (r.w >= 60) {
			grid_field(g, x, y, 16, GC_DIM, GRID_LEFT, e->node);
			x += 17;
		}
		grid_field(g, x, y, 5, kind_attr(e->kind) | GA_BOLD, GRID_LEFT,
		    ui_log_kind_name(e->kind));
		x += 6;
		if (x < r.x + r.w)
			grid_text(g, x, y, r.x + r.w - x, kind_attr(e->kind), e->text);
	}
}
