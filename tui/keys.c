/* keys.c -- the key table: every binding with its action, scope and help.
 *
 * Dispatch, the `?` screen, --help and the man page's KEYS section all
 * come from keys_table, so a key cannot work without being documented or
 * be documented without working (test_ui_keys checks the table). */
#include "keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define V_PEERS		VMASK(VIEW_PEERS)
#define V_GEO		VMASK(VIEW_GEO)

const struct key_binding keys_table[] = {
	{ '?', "?", VMASK_ALL, ACT_HELP, "show or hide this help" },
	{ KEY_F(1), "F1", VMASK_ALL, ACT_HELP, NULL },
	{ 'q', "q", VMASK_ALL, ACT_QUIT, "quit" },
	{ '1', "1", VMASK_ALL, ACT_VIEW_PEERS, "Peers: the live peer table" },
	{ '2', "2", VMASK_ALL, ACT_VIEW_GEO, "Geo: world map and countries" },
	{ '3', "3", VMASK_ALL, ACT_VIEW_LATENCY, "Latency: histogram and history" },
	{ '4', "4", VMASK_ALL, ACT_VIEW_NETWORK, "Network: the crawler's view (--crawl-db)" },
	{ '5', "5", VMASK_ALL, ACT_VIEW_LOG, "Log: connects, disconnects, bans, violations" },
	{ '\t', "Tab", VMASK_ALL, ACT_NEXT_VIEW, "next view" },
	{ KEY_BTAB, "Shift-Tab", VMASK_ALL, ACT_PREV_VIEW, "previous view" },
	{ 'n', "n", VMASK_ALL, ACT_NEXT_NODE, "next node (with several --rpc/--datadir)" },
	{ 'N', "N", VMASK_ALL, ACT_PREV_NODE, "previous node" },
	{ 'p', "p", VMASK_ALL, ACT_PAUSE, "pause or resume updates" },
	{ '+', "+", VMASK_ALL, ACT_SLOWER, "longer refresh interval" },
	{ '-', "-", VMASK_ALL, ACT_FASTER, "shorter refresh interval" },
	{ 0x0c, "^L", VMASK_ALL, ACT_REDRAW, "redraw the screen" },
	{ KEY_UP, "Up", VMASK_ALL, ACT_UP, "select the previous row, or scroll up" },
	{ 'k', "k", VMASK_ALL, ACT_UP, NULL },
	{ KEY_DOWN, "Down", VMASK_ALL, ACT_DOWN, "select the next row, or scroll down" },
	{ 'j', "j", VMASK_ALL, ACT_DOWN, NULL },
	{ KEY_PPAGE, "PgUp", VMASK_ALL, ACT_PGUP, "one page up" },
	{ KEY_NPAGE, "PgDn", VMASK_ALL, ACT_PGDN, "one page down" },
	{ ' ', "Space", VMASK_ALL, ACT_PGDN, NULL },
	{ KEY_HOME, "Home", VMASK_ALL, ACT_HOME, "first row (the selection then stays on top)" },
	{ 'g', "g", VMASK_ALL, ACT_HOME, NULL },
	{ KEY_END, "End", VMASK_ALL, ACT_END, "last row" },
	{ 'G', "G", VMASK_ALL, ACT_END, NULL },
	{ '\n', "Enter", V_PEERS, ACT_DETAIL, "open or close the selected peer's detail pane" },
	{ '\r', "Enter", V_PEERS, ACT_DETAIL, NULL },
	{ KEY_ENTER, "Enter", V_PEERS, ACT_DETAIL, NULL },
	{ 27, "Esc", VMASK_ALL, ACT_CANCEL, "close help or the detail pane; clear the filter" },
	{ '/', "/", V_PEERS, ACT_FILTER, "filter peers by id, address, agent, country or direction" },
	{ 's', "s", V_PEERS, ACT_SORT_NEXT, "sort by the next column" },
	{ '>', ">", V_PEERS, ACT_SORT_NEXT, NULL },
	{ 'S', "S", V_PEERS, ACT_SORT_PREV, "sort by the previous column" },
	{ '<', "<", V_PEERS, ACT_SORT_PREV, NULL },
	{ 'r', "r", V_PEERS, ACT_SORT_REVERSE, "reverse the sort order" },
	{ 'd', "d", V_PEERS, ACT_DISCONNECT, "disconnect the selected peer (asks first)" },
	{ 'b', "b", V_PEERS, ACT_BAN, "ban the selected peer's address (asks for a duration)" },
	{ 'a', "a", VMASK_ALL, ACT_ADDNODE, "add a node for this node to connect to (asks for host:port)" },
	{ 'm', "m", V_GEO, ACT_MAP_SOURCE, "map this node's peers or the whole network (--crawl-db)" },
};
const size_t keys_count = sizeof(keys_table) / sizeof(keys_table[0]);

static const char *view_names[VIEW_COUNT] = { "Peers", "Geo", "Latency", "Network", "Log" };

const char *
keys_view_name(enum view_id v)
{
	return v < VIEW_COUNT ? view_names[v] : "?";
}

enum action
keys_lookup(int key, enum view_id view)
{
	enum action global = ACT_NONE;

	for (size_t i = 0; i < keys_count; i++) {
		const struct key_binding *b = &keys_table[i];

		if (b->key != key)
			continue;
		if (b->views == VMASK_ALL)
			global = b->action;
		else if (b->views & VMASK(view))
			return b->action;
	}
	return global;
}

static void
keys_scope(unsigned views, char *buf, size_t len)
{
	buf[0] = '\0';
	if (views == VMASK_ALL)
		return;
	for (int v = 0; v < VIEW_COUNT; v++) {
		if (!(views & VMASK(v)))
			continue;
		if (buf[0] != '\0')
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, view_names[v], len - strlen(buf) - 1);
	}
}

size_t
keys_help(struct key_help *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < keys_count; i++) {
		const struct key_binding *b = &keys_table[i];
		size_t j;

		/* Every binding of an action joins the line of its first one. */
		for (j = 0; j < i; j++)
			if (keys_table[j].action == b->action && keys_table[j].views == b->views)
				break;
		if (j < i) {
			for (size_t k = 0; k < n; k++) {
				if (out[k].help != keys_table[j].help)
					continue;
				if (strstr(out[k].keys, b->name) == NULL &&
				    strlen(out[k].keys) + strlen(b->name) + 3 < sizeof(out[k].keys)) {
					strcat(out[k].keys, ", ");
					strcat(out[k].keys, b->name);
				}
				break;
			}
			continue;
		}
		if (n >= max)
			break;
		snprintf(out[n].keys, sizeof(out[n].keys), "%s", b->name);
		keys_scope(b->views, out[n].scope, sizeof(out[n].scope));
		out[n].help = b->help != NULL ? b->help : "";
		n++;
	}
	return n;
}

void
keys_print(FILE *fp)
{
	struct key_help h[64];
	size_t n = keys_help(h, 64);

	for (size_t i = 0; i < n; i++)
		fprintf(fp, "  %-20s %s%s%s%s\n", h[i].keys, h[i].help,
		    h[i].scope[0] ? " [" : "", h[i].scope, h[i].scope[0] ? "]" : "");
}

int
keys_draw_help(struct grid *g, struct rect r, int scroll)
{
	struct key_help h[64];
	size_t n = keys_help(h, 64);
	int lines = (int)n + 2, y = r.y;

	if (scroll > lines - r.h)
		scroll = lines - r.h;
	if (scroll < 0)
		scroll = 0;
	for (int i = scroll; i < lines && y < r.y + r.h; i++, y++) {
		if (i == 0) {
			grid_text(g, r.x, y, r.w, GC_TITLE | GA_BOLD,
			    "Keys (Esc or ? closes; [view] = only there)");
			continue;
		}
		if (i == 1)
			continue;
		grid_field(g, r.x + 1, y, 18, GC_TITLE, GRID_LEFT, h[i - 2].keys);
		if (r.w > 20) {
			int used = grid_text(g, r.x + 20, y, r.w - 20, GC_NORMAL, h[i - 2].help);
			if (h[i - 2].scope[0] != '\0')
				grid_printf(g, r.x + 20 + used, y, r.w - 20 - used, GC_DIM, " [%s]",
				    h[i - 2].scope);
		}
	}
	return lines;
}
