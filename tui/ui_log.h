/* ui_log.h -- the event log: a bounded ring of connects, disconnects, bans, violations and actions. */
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
	long			 scroll;	/* lines up from the newest */
	int			 page;
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
/* Scroll for a navigation action; returns true if ACT was one. */
bool ui_log_action(struct ui_log *l, enum action act);
/* Draw into R, newest at the bottom. */
void ui_log_draw(struct ui_log *l, struct grid *g, struct rect r);

#endif
