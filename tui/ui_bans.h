/* ui_bans.h -- the bans view: the node's bans with reason and expiry, the one selected by its subnet. */
#ifndef AGENTCHAIN_UI_BANS_H
#define AGENTCHAIN_UI_BANS_H

#include <stdbool.h>
#include <stdint.h>

#include "grid.h"
#include "keys.h"
#include "source.h"

/* The selection is the banned subnet, not a row: an action takes what the
 * operator saw selected even when the list changes under it. */
struct ui_bans {
	char			 sel[64];	/* "" none */
	long			 row;		/* its row at the last sync */
	long			 top;
	int			 page;
	const struct source	*src;
};

void ui_bans_init(struct ui_bans *v);
/* Handle a navigation action; true if it was one. */
bool ui_bans_action(struct ui_bans *v, const struct source *src, enum action act);
/* Select the ban in ROW (a click). */
void ui_bans_select_row(struct ui_bans *v, const struct source *src, long row);
/* The selected ban, or NULL. */
const struct ban_info *ui_bans_selected(struct ui_bans *v, const struct source *src);
/* Draw the view into R at unix time NOW (expiries count down from it);
 * rows are mouse regions (HIT_BAN_ROW). */
void ui_bans_draw(struct ui_bans *v, const struct source *src, struct grid *g, struct rect r,
    int64_t now);

#endif
