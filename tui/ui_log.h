/* ui_log.h -- the event log: a bounded ring of connects, disconnects, bans, violations, actions and alerts, with a kind filter and a text search. */
#ifndef AGENTCHAIN_UI_LOG_H
#define AGENTCHAIN_UI_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "grid.h"
#include "keys.h"
#include "source.h"

#define UI_LOG_MAX	2000	/* oldest entries are dropped */

struct log_entry {
	time_t			when;
	enum source_event	kind;
	char			node[32];
	char			text[240];
};

struct ui_log {
	struct log_entry	*ring;
	size_t			 n, head;
	unsigned long long	 total;		/* ever added */
	long			 scroll;	/* shown lines up from the newest */
	int			 page;
	int			 kind;		/* only this enum source_event; -1: all */
	char			 search[128];	/* only lines containing it; "": all */
	size_t			*shown;		/* scratch: entries that pass, oldest first */
};

/* Allocate the ring (UI_LOG_MAX entries); ui_log_free releases it. */
void ui_log_init(struct ui_log *l);
void ui_log_free(struct ui_log *l);
/* Add an entry; strings are copied (and cut to fit). */
void ui_log_add(struct ui_log *l, time_t when, enum source_event kind, const char *node,
    const char *text);
/* Entry I, 0 = oldest held; NULL outside. */
const struct log_entry *ui_log_get(const struct ui_log *l, size_t i);
/* Short tag of KIND for the log ("conn", "disc", "ban", ...); static. */
const char *ui_log_kind_name(enum source_event kind);
/* Does E pass the kind filter and the search (case-insensitive, in its
 * node, kind and text)? */
bool ui_log_match(const struct ui_log *l, const struct log_entry *e);
/* Show only TEXT (copied; NULL or "": everything). */
void ui_log_set_search(struct ui_log *l, const char *text);
/* The next kind filter: all, conn, disc, ban, unban, viol, node, you,
 * alert, all again. */
void ui_log_next_kind(struct ui_log *l);
/* Scroll for a navigation action; returns true if ACT was one. */
bool ui_log_action(struct ui_log *l, enum action act);
/* Draw the view into R: the matching entries in a box, newest at the
 * bottom. */
void ui_log_draw(struct ui_log *l, struct grid *g, struct rect r);
/* The newest entries into R, newest first, no box, no filter (the
 * Overview). */
void ui_log_draw_recent(const struct ui_log *l, struct grid *g, struct rect r);

#endif
