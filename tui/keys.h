/* keys.h -- the key table: every binding with its action, scope and help; the `?` screen is drawn from it. */
#ifndef AGENTCHAIN_KEYS_H
#define AGENTCHAIN_KEYS_H

#include <stddef.h>
#include <stdio.h>

#include "grid.h"

/* In Tab order; the numbers 1-8 choose them (console.view too). */
enum view_id {
	VIEW_OVERVIEW = 0,
	VIEW_PEERS,
	VIEW_GEO,
	VIEW_LATENCY,
	VIEW_NETWORK,
	VIEW_BANS,
	VIEW_LOG,
	VIEW_CHAIN,
	VIEW_COUNT
};
#define VMASK(v)	(1u << (v))
#define VMASK_ALL	0u

enum action {
	ACT_NONE = 0,
	ACT_QUIT,
	ACT_HELP,
	ACT_VIEW_OVERVIEW,	/* ACT_VIEW_OVERVIEW + view chooses view */
	ACT_VIEW_PEERS,
	ACT_VIEW_GEO,
	ACT_VIEW_LATENCY,
	ACT_VIEW_NETWORK,
	ACT_VIEW_BANS,
	ACT_VIEW_LOG,
	ACT_VIEW_CHAIN,
	ACT_NEXT_VIEW,
	ACT_PREV_VIEW,
	ACT_NEXT_NODE,
	ACT_PREV_NODE,
	ACT_PAUSE,
	ACT_SLOWER,
	ACT_FASTER,
	ACT_REDRAW,
	ACT_UP,
	ACT_DOWN,
	ACT_PGUP,
	ACT_PGDN,
	ACT_HOME,
	ACT_END,
	ACT_DETAIL,
	ACT_CANCEL,
	ACT_FILTER,
	ACT_SORT_NEXT,
	ACT_SORT_PREV,
	ACT_SORT_REVERSE,
	ACT_DISCONNECT,
	ACT_BAN,
	ACT_ADDNODE,
	ACT_MAP_SOURCE,
	ACT_UNBAN,
	ACT_LOG_KIND,
	ACT_ACK,
	ACT_BELL,
};

/* What a mouse click on a region of the frame (grid_hit) selects. */
enum hit_kind {
	HIT_TAB = 1,		/* value: the view */
	HIT_PEER_ROW,		/* value: the peer id */
	HIT_PEER_COL,		/* value: the column (ui_peers_columns) */
	HIT_NODE_ROW,		/* value: the node's index */
	HIT_BAN_ROW,		/* value: the row in the bans table */
	HIT_LOG_KIND,		/* value: the kind filter */
	HIT_ALERT,		/* value: the node's index */
	HIT_HELP,
	HIT_CHAIN_NODE,		/* value: the node's index (a column of the Chain view) */
};

/* One binding.  KEY is a character or a curses KEY_* code; NAME is how
 * the help and the man page spell it; VIEWS is a mask of VMASK(view), or
 * VMASK_ALL for a global key. */
struct key_binding {
	int		 key;
	const char	*name;
	unsigned	 views;
	enum action	 action;
	const char	*help;
};

extern const struct key_binding keys_table[];
extern const size_t keys_count;

/* The action KEY has in VIEW, ACT_NONE if none.  A view's own binding wins
 * over a global one. */
enum action keys_lookup(int key, enum view_id view);

/* Short names of the views for tabs and help: "Peers", "Geo", ... */
const char *keys_view_name(enum view_id v);

/* Help lines, one per action in table order: key names joined by ", ",
 * the scope ("" for global, else the view names) and the help text.
 * Returns the number of lines; fills at most MAX. */
struct key_help {
	char		 keys[48];
	char		 scope[48];
	const char	*help;
};
size_t keys_help(struct key_help *out, size_t max);

/* The key list for --help. */
void keys_print(FILE *fp);
/* Draw the help screen into R, from line SCROLL; returns the line count. */
int keys_draw_help(struct grid *g, struct rect r, int scroll);

#endif
