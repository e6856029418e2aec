/* ui_log.c -- the event log: a bounded ring of connects, disconnects, bans, violations, actions and alerts, with a kind filter and a text search. */
#include "ui_log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "strutil.h"
#include "ui_frame.h"
#include "xmalloc.h"

void
ui_log_init(struct ui_log *l)
{
	memset(l, 0, sizeof(*l));
	l->ring = xcalloc(UI_LOG_MAX, sizeof(*l->ring));
	l->shown = xcalloc(UI_LOG_MAX, sizeof(*l->shown));
	l->page = 10;
	l->kind = -1;
}

void
ui_log_free(struct ui_log *l)
{
	free(l->ring);
	free(l->shown);
	l->ring = NULL;
	l->shown = NULL;
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
	if (l->scroll > 0 && l->scroll < (long)l->n - 1 && ui_log_match(l, e))
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
	case SEV_ALERT: return "alert";
	case SEV_COUNT: break;
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
	case SEV_VIOLATION:
	case SEV_ALERT: return GC_BAD;
	case SEV_STATE:
	case SEV_ACTION: return GC_TITLE;
	default: return GC_NORMAL;
	}
}

bool
ui_log_match(const struct ui_log *l, const struct log_entry *e)
{
	if (l->kind >= 0 && (int)e->kind != l->kind)
		return false;
	return l->search[0] == '\0' || fmt_icontains(e->text, l->search) ||
	    fmt_icontains(e->node, l->search) || fmt_icontains(ui_log_kind_name(e->kind), l->search);
}

void
ui_log_set_search(struct ui_log *l, const char *text)
{
	str_copy(l->search, text != NULL ? text : "", sizeof(l->search));
	l->scroll = 0;
}

void
ui_log_next_kind(struct ui_log *l)
{
	l->kind = l->kind + 1 >= SEV_COUNT ? -1 : l->kind + 1;
	l->scroll = 0;
}

/* Fill l->shown with the entries that pass; returns how many. */
static size_t
ui_log_filter(struct ui_log *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if (ui_log_match(l, ui_log_get(l, i)))
			l->shown[n++] = i;
	return n;
}

bool
ui_log_action(struct ui_log *l, enum action act)
{
	long max = (long)ui_log_filter(l) - 1, page = l->page > 1 ? l->page : 1;

	switch (act) {
	case ACT_UP: l->scroll++; break;
	case ACT_DOWN: l->scroll--; break;
	case ACT_PGUP: l->scroll += page; break;
	case ACT_PGDN: l->scroll -= page; break;
	case ACT_HOME: l->scroll = max; break;
	case ACT_END: l->scroll = 0; break;
	case ACT_CANCEL:
		if (l->kind < 0 && l->search[0] == '\0')
			return false;
		l->kind = -1;
		l->search[0] = '\0';
		l->scroll = 0;
		return true;
	default: return false;
	}
	if (l->scroll > max)
		l->scroll = max;
	if (l->scroll < 0)
		l->scroll = 0;
	return true;
}

static void
draw_entry(const struct log_entry *e, struct grid *g, int x0, int y, int w, bool node)
{
	struct tm tm;
	char ts[16] = "";
	int x = x0;

	if (localtime_r(&e->when, &tm) != NULL)
		strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	x += grid_text(g, x, y, w, GC_DIM, ts);
	x += grid_text(g, x, y, x0 + w - x, GC_NORMAL, " ");
	if (node && w >= 60) {
		grid_field(g, x, y, 16, GC_DIM, GRID_LEFT, e->node);
		x += 17;
	}
	if (x + 6 > x0 + w)
		return;
	grid_field(g, x, y, 5, kind_attr(e->kind) | GA_BOLD, GRID_LEFT, ui_log_kind_name(e->kind));
	x += 6;
	if (x < x0 + w)
		grid_text(g, x, y, x0 + w - x, kind_attr(e->kind), e->text);
}

void
ui_log_draw(struct ui_log *l, struct grid *g, struct rect r)
{
	char note[200], title[64];
	size_t n;
	struct rect in;
	int rows;
	long last;

	if (r.w <= 0 || r.h <= 0)
		return;
	n = ui_log_filter(l);
	snprintf(title, sizeof(title), "Log%s%s", l->kind >= 0 ? ": " : "",
	    l->kind >= 0 ? ui_log_kind_name((enum source_event)l->kind) : "");
	snprintf(note, sizeof(note), "%s%s%s%zu of %zu held, %llu in all%s",
	    l->search[0] ? "search \"" : "", l->search, l->search[0] ? "\"  " : "", n, l->n,
	    l->total, l->scroll > 0 ? "  (scrolled: End)" : "");
	in = ui_box(g, r, title, note);
	rows = in.h;
	l->page = rows > 0 ? rows : 1;
	if (l->scroll > (long)n - 1)
		l->scroll = n > 0 ? (long)n - 1 : 0;
	if (n == 0) {
		ui_message(g, in, GC_DIM, l->n == 0 ? "no events yet" :
		    "no event matches (f: next kind, /: search, Esc: everything)");
		return;
	}
	last = (long)n - 1 - l->scroll;
	for (int row = rows - 1; row >= 0 && last >= 0; row--, last--)
		draw_entry(ui_log_get(l, l->shown[last]), g, in.x, in.y + row, in.w, true);
}

void
ui_log_draw_recent(const struct ui_log *l, struct grid *g, struct rect r)
{
	if (r.w <= 0 || r.h <= 0)
		return;
	if (l->n == 0) {
		ui_message(g, r, GC_DIM, "no events yet");
		return;
	}
	for (int row = 0; row < r.h && (size_t)row < l->n; row++)
		draw_entry(ui_log_get(l, l->n - 1 - (size_t)row), g, r.x, r.y + row, r.w, true);
}
