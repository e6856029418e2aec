/* keys.c -- the key table: every binding with its action, scope and help.
 *
 * Dispatch, the `?` screen, --help and the man page's KEYS section all
 * come from keys_table, so a key cannot work without being documented or
 * be documented without working (test_ui_keys checks the table). */
#include "keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define V_OVERVIEW	VMASK(VIEW_OVERVIEW)
#define V_PEERS		VMASK(VIEW_PEERS)
#define V_GEO		VMASK(VIEW_GEO)
#define V_LATENCY	VMASK(VIEW_LATENCY)
#define V_BANS		VMASK(VIEW_BANS)
#define V_LOG		VMASK(VIEW_LOG)
#define V_CHAIN		VMASK(VIEW_CHAIN)

const struct key_binding keys_table[] = {
	{ .key = '?', .name = "?", .views = VMASK_ALL, .action = ACT_HELP,
	  .help = "show or hide this help" },
	{ .key = KEY_F(1), .name = "F1", .views = VMASK_ALL, .action = ACT_HELP },
	{ .key = 'q', .name = "q", .views = VMASK_ALL, .action = ACT_QUIT, .help = "quit" },
	{ .key = '1', .name = "1", .views = VMASK_ALL, .action = ACT_VIEW_OVERVIEW,
	  .help = "Overview: every node, alerts, map, trends, events" },
	{ .key = '2', .name = "2", .views = VMASK_ALL, .action = ACT_VIEW_PEERS,
	  .help = "Peers: the live peer table" },
	{ .key = '3', .name = "3", .views = VMASK_ALL, .action = ACT_VIEW_GEO,
	  .help = "Geo: world map, countries and places" },
	{ .key = '4', .name = "4", .views = VMASK_ALL, .action = ACT_VIEW_LATENCY,
	  .help = "Latency: the selected peer over time, jitter, loss, histogram" },
	{ .key = '5', .name = "5", .views = VMASK_ALL, .action = ACT_VIEW_NETWORK,
	  .help = "Network: the crawler's view (--crawl-db)" },
	{ .key = '6', .name = "6", .views = VMASK_ALL, .action = ACT_VIEW_BANS,
	  .help = "Bans: the node's bans; lift one, ban a subnet" },
	{ .key = '7', .name = "7", .views = VMASK_ALL, .action = ACT_VIEW_LOG,
	  .help = "Log: connects, disconnects, bans, violations, alerts" },
	{ .key = '8', .name = "8", .views = VMASK_ALL, .action = ACT_VIEW_CHAIN,
	  .help = "Chain: tip, sync, mempool, recent blocks, propagation at every node" },
	{ .key = '\t', .name = "Tab", .views = VMASK_ALL, .action = ACT_NEXT_VIEW,
	  .help = "next view" },
	{ .key = KEY_BTAB, .name = "Shift-Tab", .views = VMASK_ALL, .action = ACT_PREV_VIEW,
	  .help = "previous view" },
	{ .key = 'n', .name = "n", .views = VMASK_ALL, .action = ACT_NEXT_NODE,
	  .help = "next node (with several --rpc/--datadir)" },
	{ .key = 'N', .name = "N", .views = VMASK_ALL, .action = ACT_PREV_NODE,
	  .help = "previous node" },
	{ .key = 'p', .name = "p", .views = VMASK_ALL, .action = ACT_PAUSE,
	  .help = "pause or resume updates" },
	{ .key = '+', .name = "+", .views = VMASK_ALL, .action = ACT_SLOWER,
	  .help = "longer refresh interval" },
	{ .key = '-', .name = "-", .views = VMASK_ALL, .action = ACT_FASTER,
	  .help = "shorter refresh interval" },
	{ .key = 0x0c, .name = "^L", .views = VMASK_ALL, .action = ACT_REDRAW,
	  .help = "redraw the screen" },
	{ .key = KEY_UP, .name = "Up", .views = VMASK_ALL, .action = ACT_UP,
	  .help = "select the previous row, or scroll up" },
	{ .key = 'k', .name = "k", .views = VMASK_ALL, .action = ACT_UP },
	{ .key = KEY_DOWN, .name = "Down", .views = VMASK_ALL, .action = ACT_DOWN,
	  .help = "select the next row, or scroll down" },
	{ .key = 'j', .name = "j", .views = VMASK_ALL, .action = ACT_DOWN },
	{ .key = KEY_PPAGE, .name = "PgUp", .views = VMASK_ALL, .action = ACT_PGUP,
	  .help = "one page up" },
	{ .key = KEY_NPAGE, .name = "PgDn", .views = VMASK_ALL, .action = ACT_PGDN,
	  .help = "one page down" },
	{ .key = ' ', .name = "Space", .views = VMASK_ALL, .action = ACT_PGDN },
	{ .key = KEY_HOME, .name = "Home", .views = VMASK_ALL, .action = ACT_HOME,
	  .help = "first row (the selection then stays on top)" },
	{ .key = 'g', .name = "g", .views = VMASK_ALL, .action = ACT_HOME },
	{ .key = KEY_END, .name = "End", .views = VMASK_ALL, .action = ACT_END,
	  .help = "last row" },
	{ .key = 'G', .name = "G", .views = VMASK_ALL, .action = ACT_END },
	{ .key = '\n', .name = "Enter", .views = V_PEERS | V_LATENCY, .action = ACT_DETAIL,
	  .help = "open or close the selected peer's detail pane" },
	{ .key = '\r', .name = "Enter", .views = V_PEERS | V_LATENCY, .action = ACT_DETAIL },
	{ .key = KEY_ENTER, .name = "Enter", .views = V_PEERS | V_LATENCY, .action = ACT_DETAIL },
	{ .key = '\n', .name = "Enter", .views = V_OVERVIEW, .action = ACT_VIEW_PEERS,
	  .help = "the selected node's peers" },
	{ .key = '\r', .name = "Enter", .views = V_OVERVIEW, .action = ACT_VIEW_PEERS },
	{ .key = KEY_ENTER, .name = "Enter", .views = V_OVERVIEW, .action = ACT_VIEW_PEERS },
	{ .key = 27, .name = "Esc", .views = VMASK_ALL, .action = ACT_CANCEL,
	  .help = "close help or the detail pane; clear the filter" },
	{ .key = '/', .name = "/", .views = V_PEERS | V_LATENCY, .action = ACT_FILTER,
	  .help = "filter peers by id, address, agent, country or direction" },
	{ .key = '/', .name = "/", .views = V_LOG, .action = ACT_FILTER,
	  .help = "search the log: show only lines containing the text" },
	{ .key = 'f', .name = "f", .views = V_LOG, .action = ACT_LOG_KIND,
	  .help = "show one kind of event: node, conn, disc, ban, unban, viol, you, alert, all" },
	{ .key = 's', .name = "s", .views = V_PEERS | V_LATENCY, .action = ACT_SORT_NEXT,
	  .help = "sort by the next column" },
	{ .key = '>', .name = ">", .views = V_PEERS | V_LATENCY, .action = ACT_SORT_NEXT },
	{ .key = 'S', .name = "S", .views = V_PEERS | V_LATENCY, .action = ACT_SORT_PREV,
	  .help = "sort by the previous column" },
	{ .key = '<', .name = "<", .views = V_PEERS | V_LATENCY, .action = ACT_SORT_PREV },
	{ .key = 'r', .name = "r", .views = V_PEERS | V_LATENCY, .action = ACT_SORT_REVERSE,
	  .help = "reverse the sort order" },
	{ .key = 'd', .name = "d", .views = V_PEERS | V_LATENCY, .action = ACT_DISCONNECT,
	  .help = "disconnect the selected peer (asks first)" },
	{ .key = 'b', .name = "b", .views = V_PEERS | V_LATENCY, .action = ACT_BAN,
	  .help = "ban the selected peer's address (asks for a duration)" },
	{ .key = 'b', .name = "b", .views = V_BANS, .action = ACT_BAN,
	  .help = "ban an address or subnet (asks for it and a duration)" },
	{ .key = 'u', .name = "u", .views = V_BANS, .action = ACT_UNBAN,
	  .help = "lift the selected ban (asks first)" },
	{ .key = KEY_DC, .name = "Delete", .views = V_BANS, .action = ACT_UNBAN },
	{ .key = 'a', .name = "a", .views = VMASK_ALL, .action = ACT_ADDNODE,
	  .help = "add a node for this node to connect to (asks for host:port)" },
	{ .key = 'm', .name = "m", .views = V_GEO | V_OVERVIEW, .action = ACT_MAP_SOURCE,
	  .help = "map this node's peers or the whole network (--crawl-db)" },
	{ .key = 'c', .name = "c", .views = V_OVERVIEW, .action = ACT_ACK,
	  .help = "clear the ban and violation alerts seen so far" },
	{ .key = 'B', .name = "B", .views = VMASK_ALL, .action = ACT_BELL,
	  .help = "bell on new alerts on or off (console.bell)" },
};
const size_t keys_count = sizeof(keys_table) / sizeof(keys_table[0]);

static const char *view_names[VIEW_COUNT] = {
	"Overview", "Peers", "Geo", "Latency", "Network", "Bans", "Log", "Chain",
};

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
