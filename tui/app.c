/* app.c -- agentconsole's event loop: sources, alerts, views, keys, mouse, prompts, redraw; and the --once text mode.
 *
 * The process skeleton (common/proc) runs everything: a periodic task per
 * node for polling, a read event on stdin for keys and mouse reports,
 * signal events for SIGWINCH, SIGINT, SIGTERM and SIGHUP, a one-second
 * tick (alerts, count-downs), and a task for the crawl database scans
 * (which run on a worker thread).  Nothing draws directly: every change
 * that shows marks the screen dirty, which activates one low-priority
 * event, so a burst of RPC answers and keys ends in a single frame; a
 * round that changed nothing the open view shows draws nothing.  A click
 * acts on the mouse regions the frame on screen recorded (grid_hit). */
#include "app.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>
#include <event2/event.h>

#include "alerts.h"
#include "chainparams.h"
#include "chart.h"
#include "clock.h"
#include "fmt.h"
#include "geoip.h"
#include "hash.h"
#include "netscan.h"
#include "proc.h"
#include "prompt.h"
#include "source.h"
#include "strutil.h"
#include "term.h"
#include "ui_bans.h"
#include "ui_chain.h"
#include "ui_frame.h"
#include "ui_geo.h"
#include "ui_latency.h"
#include "ui_log.h"
#include "ui_network.h"
#include "ui_overview.h"
#include "ui_peers.h"
#include "worldmap.h"
#include "xmalloc.h"

/* Longest ban the prompt accepts: ten years. */
#define APP_BAN_MAX	(10LL * 365 * 86400)
/* How long a status message stays. */
#define APP_STATUS_SECS	6.0
/* Rows one turn of the mouse wheel moves. */
#define APP_WHEEL_ROWS	3

const double app_intervals[] = { 0.25, 0.5, 1, 2, 3, 5, 10, 15, 30, 60 };
const size_t app_nintervals = sizeof(app_intervals) / sizeof(app_intervals[0]);

enum prompt_purpose {
	P_FILTER = 1,
	P_SEARCH,
	P_DISCONNECT,
	P_SUBNET,
	P_BAN_DURATION,
	P_BAN_CONFIRM,
	P_UNBAN_CONFIRM,
	P_ADDNODE,
};

struct app {
	const struct app_opts	*o;
	struct proc		*proc;
	struct source		**src;
	size_t			 nsrc, cur;
	struct geoip		*geoip;
	struct netscan		*netscan;
	struct alerts		*alerts;

	enum view_id		 view;
	bool			 help;
	int			 help_scroll;
	bool			 paused;
	double			 interval;
	bool			 utf8;
	enum config_theme	 theme;
	bool			 geo_network;
	bool			 bell;

	struct grid		*grid;
	struct ui_peers		 peers;
	struct ui_bans		 bans;
	struct ui_chain		 chain;
	struct ui_log		 log;
	struct prompt		 prompt;
	struct source		*prompt_src;	/* the node a pending action is for */
	char			 saved_filter[128];

	char			 status[256];
	uint16_t		 status_attr;
	double			 status_until;
	/* addnode answers once the node knows (up to ~10 s): what is
	 * awaited meanwhile, counted on the status line. */
	unsigned		 pending;
	char			 pending_what[200];
	double			 pending_since;

	bool			 dirty;
	struct event		*redraw_ev, *stdin_ev;

	uint64_t		*seen_gen;	/* each node's generation last seen */

	/* --once */
	size_t			 once_pending;
	bool			*once_done;

	/* --stats-file */
#define APP_FRAME_SAMPLES 4096
	double			 frame_sample[APP_FRAME_SAMPLES];	/* render us, ring */
	unsigned long		 frames;
	double			 render_us, render_max_us, output_us, output_max_us;
	double			 cells;
	double			 started;
};

double
app_interval_step(double cur, int dir)
{
	if (dir > 0) {
		for (size_t i = 0; i < app_nintervals; i++)
			if (app_intervals[i] > cur + 1e-9)
				return app_intervals[i];
		return app_intervals[app_nintervals - 1];
	}
	for (size_t i = app_nintervals; i-- > 0;)
		if (app_intervals[i] < cur - 1e-9)
			return app_intervals[i];
	return app_intervals[0];
}

static struct source *
app_src(struct app *a)
{
	return a->src[a->cur];
}

static void
app_dirty(struct app *a)
{
	if (a->dirty || a->redraw_ev == NULL)
		return;
	a->dirty = true;
	event_active(a->redraw_ev, EV_TIMEOUT, 0);
}

static void
app_status(struct app *a, uint16_t attr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
app_status(struct app *a, uint16_t attr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_attr = attr;
	a->status_until = source_clock() + APP_STATUS_SECS;
	app_dirty(a);
}

/* --- rendering ----------------------------------------------------------- */

/* What the status line offers in each view, before the global keys. */
static const char *const app_hints[VIEW_COUNT] = {
	[VIEW_OVERVIEW] = "Up/Down node  Enter its peers  c clear alerts  m map",
	[VIEW_PEERS] = "Enter details  d disconnect  b ban  / filter  s sort  (or click)",
	[VIEW_GEO] = "m this node / whole network",
	[VIEW_LATENCY] = "Up/Down peer  / filter  s sort  d disconnect  b ban",
	[VIEW_NETWORK] = "",
	[VIEW_BANS] = "b ban an address or subnet  u lift the selected ban",
	[VIEW_LOG] = "f kind  / search  Esc everything  Home/End",
	[VIEW_CHAIN] = "Up/Down scroll  n/N node  click a node's column",
};

static void
app_render_view(struct app *a, struct grid *g, struct rect body, enum view_id view, double now)
{
	struct source *s = app_src(a);
	const struct netscan_sum *ns = a->netscan != NULL ? netscan_result(a->netscan) : NULL;

	switch (view) {
	case VIEW_OVERVIEW: {
		struct ui_overview_in in = {
			.src = a->src, .nsrc = a->nsrc, .cur = a->cur, .alerts = a->alerts,
			.log = &a->log, .net = ns, .whole_network = a->geo_network,
			.interval = a->interval, .now = now,
		};

		ui_overview_draw(g, body, &in);
		break;
	}
	case VIEW_PEERS:
		ui_peers_draw(&a->peers, s, g, body, now);
		break;
	case VIEW_GEO:
		ui_geo_draw(g, body, s, ns, a->netscan == NULL ? NULL : ns == NULL ?
		    "reading the crawl database..." : NULL, a->geo_network);
		break;
	case VIEW_LATENCY:
		ui_latency_draw(g, body, s, &a->peers, a->interval, now);
		break;
	case VIEW_NETWORK:
		ui_network_draw(g, body, a->netscan);
		break;
	case VIEW_BANS:
		ui_bans_draw(&a->bans, s, g, body, clock_wall());
		break;
	case VIEW_LOG:
		ui_log_draw(&a->log, g, body);
		break;
	case VIEW_CHAIN: {
		struct ui_chain_in in = { .src = a->src, .nsrc = a->nsrc, .cur = a->cur,
		    .wall = source_wall() };

		ui_chain_draw(&a->chain, g, body, &in);
		break;
	}
	default:
		break;
	}
}

static void
app_render(struct app *a, struct grid *g, enum view_id view, double now)
{
	struct rect body = { 0, 2, g->w, g->h - 3 };
	int y = g->h - 1;

	grid_clear(g);
	if (g->w < 20 || g->h < 5) {
		/* Degrade instead of drawing garbage: say what is wrong. */
		grid_text(g, 0, 0, g->w, GC_WARN, "agentconsole: terminal too small");
		if (g->h > 1)
			grid_printf(g, 0, 1, g->w, GC_NORMAL, "%s %s", app_src(a)->label,
			    source_state_name(app_src(a)->state));
		return;
	}
	ui_frame_header(g, 0, app_src(a), a->cur, a->nsrc, a->paused, a->interval,
	    alerts_count(a->alerts), now);
	ui_frame_tabs(g, 1, view, a->help);
	if (a->help)
		keys_draw_help(g, body, a->help_scroll);
	else
		app_render_view(a, g, body, view, now);
	if (prompt_active(&a->prompt)) {
		prompt_draw(&a->prompt, g, y);
	} else if (a->status[0] != '\0' && now < a->status_until) {
		grid_text(g, 0, y, g->w, a->status_attr, a->status);
	} else if (a->pending > 0) {
		char d[FMT_LEN];

		grid_printf(g, 0, y, g->w, GC_WARN, "%s... %s (the node answers once it knows)",
		    a->pending_what, fmt_duration((int64_t)(now - a->pending_since), d, sizeof(d)));
	} else {
		int used = 0;

		if (!a->help && app_hints[view][0] != '\0')
			used = grid_printf(g, 0, y, g->w, GC_DIM, "%s   ", app_hints[view]);
		grid_text(g, used, y, g->w - used, GC_DIM,
		    "? help  q quit  1-8/Tab views  n node  p pause  +/- interval  a add node");
	}
}

static void
app_redraw_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app *a = arg;
	double t0, t1, t2;

	(void)fd;
	(void)what;
	a->dirty = false;
	t0 = source_clock();
	app_render(a, a->grid, a->view, t0);
	t1 = source_clock();
	term_draw(a->grid);
	t2 = source_clock();
	a->frame_sample[a->frames % APP_FRAME_SAMPLES] = (t1 - t0) * 1e6;
	a->frames++;
	a->cells += (double)term_last_cells();
	a->render_us += (t1 - t0) * 1e6;
	a->output_us += (t2 - t1) * 1e6;
	if ((t1 - t0) * 1e6 > a->render_max_us)
		a->render_max_us = (t1 - t0) * 1e6;
	if ((t2 - t1) * 1e6 > a->output_max_us)
		a->output_max_us = (t2 - t1) * 1e6;
}

/* --- actions ------------------------------------------------------------- */

static void
app_action_done(struct source *s, bool ok, const char *msg, void *arg)
{
	struct app *a = arg;

	(void)s;
	app_status(a, ok ? GC_GOOD | GA_BOLD : GC_BAD | GA_BOLD, "%s", msg);
}

static void
app_addnode_done(struct source *s, bool ok, const char *msg, void *arg)
{
	struct app *a = arg;

	if (a->pending > 0)
		a->pending--;
	app_action_done(s, ok, msg, arg);
}

static void
app_set_interval(struct app *a, double iv)
{
	a->interval = iv;
	for (size_t i = 0; i < a->nsrc; i++)
		source_set_interval(a->src[i], iv);
	app_status(a, GC_NORMAL, "refreshing every %gs", iv);
}

static void
app_ask_disconnect(struct app *a)
{
	const struct peer_info *p = ui_peers_selected(&a->peers, app_src(a));
	char q[200];

	if (p == NULL) {
		app_status(a, GC_WARN, "no peer selected");
		return;
	}
	str_errf(q, sizeof(q), "Disconnect peer #%llu %s %s from %s?", (unsigned long long)p->id,
	    p->addr, p->subver, app_src(a)->label);
	prompt_open_confirm(&a->prompt, P_DISCONNECT, q);
	a->prompt.peer_id = p->id;
	str_copy(a->prompt.target, p->addr, sizeof(a->prompt.target));
	a->prompt_src = app_src(a);
}

static void
app_ask_ban(struct app *a)
{
	const struct peer_info *p = ui_peers_selected(&a->peers, app_src(a));
	char q[200], ip[NETADDR_STRLEN];

	if (p == NULL) {
		app_status(a, GC_WARN, "no peer selected");
		return;
	}
	if (!p->has_na) {
		app_status(a, GC_BAD, "cannot ban peer #%llu: unparsable address %s",
		    (unsigned long long)p->id, p->addr);
		return;
	}
	netaddr_format_ip(&p->na, ip, sizeof(ip));
	str_errf(q, sizeof(q), "Ban %s (peer #%llu) for how long? (e.g. 30m, 1h, 1d, 1w):", ip,
	    (unsigned long long)p->id);
	prompt_open_text(&a->prompt, P_BAN_DURATION, q, "1d");
	a->prompt.peer_id = p->id;
	str_copy(a->prompt.target, ip, sizeof(a->prompt.target));
	a->prompt_src = app_src(a);
}

static void
app_ask_subnet(struct app *a)
{
	char q[200];

	str_errf(q, sizeof(q), "Ban which address or subnet on %s? (e.g. 10.1.2.3, 10.1.0.0/16):",
	    app_src(a)->label);
	prompt_open_text(&a->prompt, P_SUBNET, q, NULL);
	a->prompt.peer_id = 0;
	a->prompt_src = app_src(a);
}

static void
app_ask_unban(struct app *a)
{
	const struct ban_info *b = ui_bans_selected(&a->bans, app_src(a));
	char q[200];

	if (b == NULL) {
		app_status(a, GC_WARN, "no ban selected");
		return;
	}
	str_errf(q, sizeof(q), "Lift the ban on %s (%s) on %s?", b->address,
	    b->reason[0] ? b->reason : "no reason", app_src(a)->label);
	prompt_open_confirm(&a->prompt, P_UNBAN_CONFIRM, q);
	str_copy(a->prompt.target, b->address, sizeof(a->prompt.target));
	a->prompt_src = app_src(a);
}

/* An address or a CIDR subnet as far as the console can tell; the node
 * judges the rest and its answer is shown. */
static bool
app_subnet_ok(const char *t)
{
	const char *slash = strchr(t, '/');
	char ip[NETADDR_HOSTLEN];
	struct netaddr na;
	size_t n = slash != NULL ? (size_t)(slash - t) : strlen(t);
	long long bits;

	if (n == 0 || n >= sizeof(ip))
		return false;
	memcpy(ip, t, n);
	ip[n] = '\0';
	if (netaddr_parse(ip, 1, &na) == -1)
		return false;
	return slash == NULL || str_to_ll(slash + 1, 0, strchr(ip, ':') != NULL ? 128 : 32,
	    &bits) == 0;
}

static void
app_prompt_accept(struct app *a)
{
	struct prompt *pr = &a->prompt;
	struct source *s = a->prompt_src != NULL ? a->prompt_src : app_src(a);
	char host[NETADDR_HOSTLEN], q[240], d[FMT_LEN], who[48];
	const struct chainparams *cp;
	uint16_t port;
	int64_t secs;

	switch (pr->purpose) {
	case P_FILTER:
	case P_SEARCH:
		prompt_close(pr);
		break;
	case P_DISCONNECT:
		prompt_close(pr);
		if (source_disconnect(s, pr->peer_id, pr->target, app_action_done, a) == -1)
			app_status(a, GC_BAD, "cannot disconnect: no RPC to %s", s->label);
		else
			app_status(a, GC_NORMAL, "disconnecting peer #%llu %s...",
			    (unsigned long long)pr->peer_id, pr->target);
		break;
	case P_SUBNET:
		if (!app_subnet_ok(pr->text)) {
			app_status(a, GC_BAD, "not an address or subnet: \"%s\"", pr->text);
			prompt_close(pr);
			break;
		}
		str_copy(pr->target, pr->text, sizeof(pr->target));
		str_errf(q, sizeof(q), "Ban %s for how long? (e.g. 30m, 1h, 1d, 1w):", pr->target);
		prompt_open_text(pr, P_BAN_DURATION, q, "1d");
		break;
	case P_BAN_DURATION:
		if (fmt_parse_duration(pr->text, APP_BAN_MAX, &secs) == -1) {
			app_status(a, GC_BAD, "not a duration: \"%s\" (try 3600, 30m, 12h, 7d)",
			    pr->text);
			prompt_close(pr);
			break;
		}
		who[0] = '\0';
		if (pr->peer_id != 0)
			snprintf(who, sizeof(who), " (peer #%llu)", (unsigned long long)pr->peer_id);
		str_errf(q, sizeof(q), "Ban %s%s on %s for %s?", pr->target, who, s->label,
		    fmt_duration(secs, d, sizeof(d)));
		prompt_open_confirm(pr, P_BAN_CONFIRM, q);
		pr->value = secs;
		break;
	case P_BAN_CONFIRM:
		prompt_close(pr);
		if (source_ban(s, pr->target, pr->value, app_action_done, a) == -1)
			app_status(a, GC_BAD, "cannot ban %s", pr->target);
		else
			app_status(a, GC_NORMAL, "banning %s...", pr->target);
		break;
	case P_UNBAN_CONFIRM:
		prompt_close(pr);
		if (source_unban(s, pr->target, app_action_done, a) == -1)
			app_status(a, GC_BAD, "cannot lift the ban on %s", pr->target);
		else
			app_status(a, GC_NORMAL, "lifting the ban on %s...", pr->target);
		break;
	case P_ADDNODE:
		prompt_close(pr);
		cp = chainparams_by_name(s->info.network);
		if (netaddr_split_hostport(pr->text, cp != NULL ? cp->p2p_port : 0, host,
		    &port) == -1 || port == 0) {
			app_status(a, GC_BAD, "not host:port: \"%s\"", pr->text);
			break;
		}
		if (strchr(host, ':') != NULL)
			str_errf(q, sizeof(q), "[%s]:%u", host, (unsigned)port);
		else
			str_errf(q, sizeof(q), "%s:%u", host, (unsigned)port);
		if (source_addnode(s, q, app_addnode_done, a) == -1) {
			app_status(a, GC_BAD, "cannot add node %s", q);
			break;
		}
		/* No status message: it would hide the count below. */
		a->pending++;
		a->pending_since = source_clock();
		str_errf(a->pending_what, sizeof(a->pending_what), "%s: adding node %s", s->label,
		    q);
		a->status_until = 0;
		break;
	default:
		prompt_close(pr);
		break;
	}
}

static void
app_prompt_key(struct app *a, int key)
{
	switch (prompt_key(&a->prompt, key)) {
	case PROMPT_CHANGED:
		if (a->prompt.purpose == P_FILTER)
			ui_peers_set_filter(&a->peers, a->prompt.text);
		else if (a->prompt.purpose == P_SEARCH)
			ui_log_set_search(&a->log, a->prompt.text);
		break;
	case PROMPT_ACCEPT:
		app_prompt_accept(a);
		break;
	case PROMPT_CANCEL:
		if (a->prompt.purpose == P_FILTER)
			ui_peers_set_filter(&a->peers, a->saved_filter);
		else if (a->prompt.purpose == P_SEARCH)
			ui_log_set_search(&a->log, a->saved_filter);
		else
			app_status(a, GC_DIM, "cancelled");
		prompt_close(&a->prompt);
		break;
	case PROMPT_CONTINUE:
		break;
	}
	app_dirty(a);
}

/* Select node I (its data shows in every view). */
static void
app_select_node(struct app *a, size_t i)
{
	if (i >= a->nsrc || i == a->cur)
		return;
	a->cur = i;
	app_status(a, GC_NORMAL, "node %zu/%zu: %s", a->cur + 1, a->nsrc, app_src(a)->label);
}

/* Navigation in the current view. */
static void
app_navigate(struct app *a, enum action act, double now)
{
	struct source *s = app_src(a);

	switch (a->view) {
	case VIEW_OVERVIEW:
		if (act == ACT_UP && a->cur > 0)
			app_select_node(a, a->cur - 1);
		else if (act == ACT_DOWN)
			app_select_node(a, a->cur + 1);
		else if (act == ACT_HOME || act == ACT_PGUP)
			app_select_node(a, 0);
		else if (act == ACT_END || act == ACT_PGDN)
			app_select_node(a, a->nsrc - 1);
		break;
	case VIEW_PEERS:
	case VIEW_LATENCY:
		if (act == ACT_DETAIL && a->view == VIEW_LATENCY) {
			a->view = VIEW_PEERS;
			a->peers.detail = false;
		}
		ui_peers_action(&a->peers, s, act, now);
		break;
	case VIEW_BANS:
		ui_bans_action(&a->bans, s, act);
		break;
	case VIEW_LOG:
		ui_log_action(&a->log, act);
		break;
	case VIEW_CHAIN:
		ui_chain_action(&a->chain, act);
		break;
	default:
		break;
	}
}

static void
app_act(struct app *a, enum action act, double now)
{
	struct source *s = app_src(a);

	switch (act) {
	case ACT_NONE:
		return;
	case ACT_QUIT:
		proc_exit(a->proc, 0);
		return;
	case ACT_HELP:
		a->help = !a->help;
		a->help_scroll = 0;
		break;
	case ACT_VIEW_OVERVIEW:
	case ACT_VIEW_PEERS:
	case ACT_VIEW_GEO:
	case ACT_VIEW_LATENCY:
	case ACT_VIEW_NETWORK:
	case ACT_VIEW_BANS:
	case ACT_VIEW_LOG:
	case ACT_VIEW_CHAIN:
		a->view = (enum view_id)(act - ACT_VIEW_OVERVIEW);
		break;
	case ACT_NEXT_VIEW:
		a->view = (enum view_id)((a->view + 1) % VIEW_COUNT);
		break;
	case ACT_PREV_VIEW:
		a->view = (enum view_id)((a->view + VIEW_COUNT - 1) % VIEW_COUNT);
		break;
	case ACT_NEXT_NODE:
	case ACT_PREV_NODE:
		if (a->nsrc < 2) {
			app_status(a, GC_DIM,
			    "only one node (give several --rpc, --datadir or console.nodes)");
			break;
		}
		app_select_node(a, (a->cur + (act == ACT_NEXT_NODE ? 1 : a->nsrc - 1)) % a->nsrc);
		break;
	case ACT_PAUSE:
		a->paused = !a->paused;
		for (size_t i = 0; i < a->nsrc; i++) {
			source_set_paused(a->src[i], a->paused);
			if (!a->paused)
				source_poll_now(a->src[i]);
		}
		app_status(a, a->paused ? GC_WARN : GC_NORMAL, "%s",
		    a->paused ? "updates paused (p resumes)" : "updates resumed");
		break;
	case ACT_SLOWER:
		app_set_interval(a, app_interval_step(a->interval, 1));
		break;
	case ACT_FASTER:
		app_set_interval(a, app_interval_step(a->interval, -1));
		break;
	case ACT_REDRAW:
		term_force_repaint();
		break;
	case ACT_FILTER:
		if (a->view == VIEW_LOG) {
			str_copy(a->saved_filter, a->log.search, sizeof(a->saved_filter));
			prompt_open_text(&a->prompt, P_SEARCH, "search the log:", a->log.search);
		} else {
			str_copy(a->saved_filter, a->peers.filter, sizeof(a->saved_filter));
			prompt_open_text(&a->prompt, P_FILTER, "filter:", a->peers.filter);
		}
		break;
	case ACT_LOG_KIND:
		ui_log_next_kind(&a->log);
		break;
	case ACT_DISCONNECT:
		ui_peers_sync(&a->peers, s, now);
		app_ask_disconnect(a);
		break;
	case ACT_BAN:
		if (a->view == VIEW_BANS) {
			app_ask_subnet(a);
		} else {
			ui_peers_sync(&a->peers, s, now);
			app_ask_ban(a);
		}
		break;
	case ACT_UNBAN:
		app_ask_unban(a);
		break;
	case ACT_ADDNODE: {
		char q[200];

		str_errf(q, sizeof(q), "Add node (host:port) for %s to connect to:", s->label);
		a->prompt_src = s;
		prompt_open_text(&a->prompt, P_ADDNODE, q, NULL);
		break;
	}
	case ACT_MAP_SOURCE:
		a->geo_network = !a->geo_network;
		break;
	case ACT_ACK:
		alerts_ack(a->alerts);
		app_status(a, GC_NORMAL, "ban and violation alerts cleared");
		break;
	case ACT_BELL:
		a->bell = !a->bell;
		app_status(a, GC_NORMAL, "bell on new alerts %s", a->bell ? "on" : "off");
		break;
	default:
		if (a->help) {
			if (act == ACT_UP || act == ACT_PGUP)
				a->help_scroll -= act == ACT_UP ? 1 : 10;
			else if (act == ACT_DOWN || act == ACT_PGDN)
				a->help_scroll += act == ACT_DOWN ? 1 : 10;
			if (a->help_scroll < 0)
				a->help_scroll = 0;
			break;
		}
		app_navigate(a, act, now);
		break;
	}
	app_dirty(a);
}

static void
app_key(struct app *a, int key)
{
	double now = source_clock();
	enum action act;

	if (key == KEY_RESIZE)
		return;		/* SIGWINCH is handled as an event */
	if (prompt_active(&a->prompt)) {
		app_prompt_key(a, key);
		return;
	}
	act = keys_lookup(key, a->view);
	if (a->help && (act == ACT_CANCEL || act == ACT_HELP)) {
		a->help = false;
		app_dirty(a);
		return;
	}
	if (a->help && act >= ACT_UP && act <= ACT_END) {
		app_act(a, act, now);
		return;
	}
	if (a->help && act != ACT_NONE && act != ACT_QUIT)
		a->help = false;
	app_act(a, act, now);
}

/* A click at X, Y acts on what the frame on screen showed there. */
static void
app_click(struct app *a, int x, int y, double now)
{
	const struct grid_hit *h = grid_hit_at(a->grid, x, y);
	struct source *s = app_src(a);

	if (h == NULL)
		return;
	switch (h->kind) {
	case HIT_TAB:
		a->help = false;
		a->view = (enum view_id)(h->value >= 0 && h->value < VIEW_COUNT ? h->value : 0);
		break;
	case HIT_HELP:
		a->help = !a->help;
		a->help_scroll = 0;
		break;
	case HIT_PEER_ROW:
		/* A second click on the selected row opens its details. */
		if (a->view == VIEW_PEERS && a->peers.have_sel &&
		    a->peers.sel_id == (uint64_t)h->value)
			a->peers.detail = !a->peers.detail;
		else
			ui_peers_select_id(&a->peers, s, (uint64_t)h->value, now);
		break;
	case HIT_PEER_COL:
		ui_peers_sort_by(&a->peers, (int)h->value);
		break;
	case HIT_NODE_ROW:
		if ((size_t)h->value == a->cur)
			a->view = VIEW_PEERS;
		else
			app_select_node(a, (size_t)h->value);
		break;
	case HIT_ALERT:
	case HIT_CHAIN_NODE:
		app_select_node(a, (size_t)h->value);
		break;
	case HIT_BAN_ROW:
		ui_bans_select_row(&a->bans, s, (long)h->value);
		break;
	default:
		break;
	}
	app_dirty(a);
}

static void
app_mouse(struct app *a)
{
	double now = source_clock();
	int x, y;
	enum term_mouse_kind k = term_mouse(&x, &y);

	if (k == TM_NONE || prompt_active(&a->prompt))
		return;
	if (k == TM_CLICK) {
		app_click(a, x, y, now);
		return;
	}
	for (int i = 0; i < (a->view == VIEW_OVERVIEW ? 1 : APP_WHEEL_ROWS); i++)
		app_act(a, k == TM_WHEEL_UP ? ACT_UP : ACT_DOWN, now);
}

/* --- events -------------------------------------------------------------- */

static void
app_stdin_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app *a = arg;
	int k, n = 0;

	(void)fd;
	(void)what;
	/* Drain what is there, but bounded: a paste of megabytes must not
	 * starve the RPC answers. */
	while (n++ < 512 && (k = term_getkey()) != -1) {
		if (k == KEY_MOUSE)
			app_mouse(a);
		else
			app_key(a, k);
	}
	/* Woken with no key: the terminal may have hung up without a SIGHUP
	 * reaching us (a window closed under a shell that did not pass it
	 * on).  Nothing can be drawn any more, and the descriptor stays
	 * readable: stop instead of spinning on it. */
	if (n == 1 && term_hungup())
		proc_exit(a->proc, 0);
}

static void
app_resize(struct app *a)
{
	int w, h;

	term_size(&w, &h);
	term_resize(w, h);
	grid_resize(a->grid, w, h);
	app_dirty(a);
}

static void
app_signal_cb(int sig, void *arg)
{
	struct app *a = arg;

	if (sig == SIGWINCH)
		app_resize(a);
	else
		proc_exit(a->proc, 0);
}

static size_t
app_index_of(const struct app *a, const struct source *s)
{
	for (size_t i = 0; i < a->nsrc; i++)
		if (a->src[i] == s)
			return i;
	return a->nsrc;
}

static void
app_alert_raised(const struct alert *al, void *arg)
{
	struct app *a = arg;

	ui_log_add(&a->log, clock_wall(), SEV_ALERT, al->label, al->text);
	if (a->bell)
		term_bell();
}

static void
app_tick_cb(void *arg, int64_t now_ms)
{
	struct app *a = arg;
	double now = (double)now_ms / 1e3;
	bool need = false;

	/* Alerts run whatever view is open. */
	need |= alerts_tick(a->alerts, now);
	for (size_t i = 0; i < a->nsrc; i++)
		need |= alerts_check(a->alerts, i, a->src[i], now);
	/* Redraw only for what changes with time alone. */
	if (a->status[0] != '\0' && now >= a->status_until && now < a->status_until + 1.5)
		need = true;
	if (a->peers.stale_order && now >= a->peers.defer_until)
		need = true;
	if (app_src(a)->state != SOURCE_UP)
		need = true;
	if (a->view == VIEW_BANS && app_src(a)->nbans > 0)
		need = true;	/* the time left counts down */
	if (a->view == VIEW_CHAIN || a->pending > 0)
		need = true;	/* the tip's age, the wait for addnode */
	if (need)
		app_dirty(a);
}

static void
app_netscan_task_cb(void *arg, int64_t now_ms)
{
	struct app *a = arg;

	(void)now_ms;
	netscan_start(a->netscan);
}

static void
app_netscan_cb(void *arg)
{
	struct app *a = arg;

	if (a->o->once && a->once_pending > 0 && --a->once_pending == 0)
		proc_exit(a->proc, 0);
	if (a->view == VIEW_NETWORK || a->view == VIEW_GEO || (a->view == VIEW_OVERVIEW &&
	    a->geo_network))
		app_dirty(a);
}

static void
app_source_update(struct source *s, void *arg)
{
	struct app *a = arg;
	size_t i = app_index_of(a, s);
	bool alert = alerts_check(a->alerts, i, s, source_clock()), changed;

	if (a->o->once) {
		if (i < a->nsrc && !a->once_done[i]) {
			a->once_done[i] = true;
			if (--a->once_pending == 0)
				proc_exit(a->proc, 0);
		}
		return;
	}
	changed = i < a->nsrc && s->generation != a->seen_gen[i];
	if (i < a->nsrc)
		a->seen_gen[i] = s->generation;
	/* Redraw for what changed: the Overview and the Chain view show
	 * every node, the other views the selected one; the charts of the
	 * Overview and the Latency view move with every round of the node
	 * they show. */
	if (alert || (changed && (s == app_src(a) || a->view == VIEW_OVERVIEW ||
	    a->view == VIEW_CHAIN)) ||
	    (s == app_src(a) && (a->view == VIEW_OVERVIEW || a->view == VIEW_LATENCY)))
		app_dirty(a);
}

static void
app_source_event(struct source *s, enum source_event kind, const char *text, void *arg)
{
	struct app *a = arg;

	ui_log_add(&a->log, clock_wall(), kind, s->label, text);
	if (alerts_event(a->alerts, app_index_of(a, s), s, kind, text, source_clock()) ||
	    a->view == VIEW_LOG || a->view == VIEW_OVERVIEW)
		app_dirty(a);
}

/* --- set-up and the two modes -------------------------------------------- */

static int
app_setup(struct app *a, const struct app_opts *o)
{
	char err[512];
	const char *nc = getenv("NO_COLOR");
	const char *cs;

	memset(a, 0, sizeof(*a));
	a->o = o;
	a->view = o->view < VIEW_COUNT ? o->view : VIEW_OVERVIEW;
	a->interval = o->interval;
	a->bell = o->bell;
	cs = nl_langinfo(CODESET);
	a->utf8 = !o->ascii && cs != NULL && strcmp(cs, "UTF-8") == 0;
	a->theme = nc != NULL && nc[0] != '\0' ? CONFIG_THEME_MONO : o->theme;
	a->started = source_clock();
	if (hash_init() == -1) {
		fprintf(stderr, "agentconsole: cannot initialise libsodium\n");
		return -1;
	}
	if (o->geoip_db != NULL) {
		a->geoip = geoip_open(o->geoip_db, NULL, err, sizeof(err));
		if (a->geoip == NULL) {
			fprintf(stderr, "agentconsole: --geoip-db: %s\n", err);
			return -1;
		}
	}
	if ((a->proc = proc_new("agentconsole")) == NULL)
		return -1;
	event_base_priority_init(proc_base(a->proc), 2);
	ui_peers_init(&a->peers, o->sort_col, o->sort_reverse);
	ui_bans_init(&a->bans);
	ui_chain_init(&a->chain);
	ui_log_init(&a->log);
	a->alerts = alerts_new(&o->alerts, o->nnodes);
	alerts_set_callback(a->alerts, app_alert_raised, a);
	a->src = xcalloc(o->nnodes, sizeof(*a->src));
	a->once_done = xcalloc(o->nnodes, sizeof(*a->once_done));
	a->seen_gen = xcalloc(o->nnodes, sizeof(*a->seen_gen));
	for (size_t i = 0; i < o->nnodes; i++) {
		const struct app_node *n = &o->nodes[i];

		a->src[i] = source_new(a->proc, n->label, n->host, n->port, n->cookie, o->interval,
		    o->timeout);
		source_set_callbacks(a->src[i], app_source_update, app_source_event, a);
		source_set_geoip(a->src[i], a->geoip);
		source_set_datadir(a->src[i], n->datadir);
	}
	a->nsrc = o->nnodes;
	if (o->crawl_db != NULL)
		a->netscan = netscan_new(proc_base(a->proc), o->crawl_db, o->network, app_netscan_cb, a);
	(void)worldmap_land(0, 0);	/* rasterise the map now, not in a frame */
	return 0;
}

static void
app_teardown(struct app *a)
{
	for (size_t i = 0; i < a->nsrc; i++)
		source_free(a->src[i]);
	free(a->src);
	free(a->once_done);
	free(a->seen_gen);
	netscan_free(a->netscan);
	if (a->redraw_ev != NULL)
		event_free(a->redraw_ev);
	if (a->stdin_ev != NULL)
		event_free(a->stdin_ev);
	ui_peers_free(&a->peers);
	ui_log_free(&a->log);
	alerts_free(a->alerts);
	grid_free(a->grid);
	geoip_close(a->geoip);
	proc_free(a->proc);	/* its tasks and signal events with it */
}

static void
app_write_stats(struct app *a)
{
	FILE *fp;
	double parse = 0, elapsed = source_clock() - a->started;
	unsigned parses = 0, ok = 0, failed = 0;
	size_t ns = a->frames < APP_FRAME_SAMPLES ? a->frames : APP_FRAME_SAMPLES, changed = 0;
	double *v;

	if (a->o->stats_file == NULL)
		return;
	if ((fp = fopen(a->o->stats_file, "w")) == NULL) {
		fprintf(stderr, "agentconsole: --stats-file %s: cannot write\n", a->o->stats_file);
		return;
	}
	for (size_t i = 0; i < a->nsrc; i++) {
		parse += a->src[i]->parse_us_total;
		parses += a->src[i]->parses;
		ok += a->src[i]->rounds_ok;
		failed += a->src[i]->rounds_failed;
		changed += a->src[i]->changed_last;
	}
	fprintf(fp, "seconds %.1f\nframes %lu\nrender_avg_us %.0f\nrender_max_us %.0f\n"
	    "output_avg_us %.0f\noutput_max_us %.0f\ncells_avg %.0f\npolls_ok %u\n"
	    "polls_failed %u\napply_avg_us %.0f\npeers %zu\ndelta %s\n", elapsed, a->frames,
	    a->frames ? a->render_us / a->frames : 0, a->render_max_us,
	    a->frames ? a->output_us / a->frames : 0, a->output_max_us,
	    a->frames ? a->cells / a->frames : 0, ok, failed,
	    parses ? parse / parses : 0, a->nsrc > 0 ? a->src[0]->npeers : 0,
	    a->nsrc > 0 && !a->src[0]->no_delta ? "getpeerchanges" : "getpeerinfo");
	v = xcalloc(ns > 0 ? ns : 1, sizeof(*v));
	memcpy(v, a->frame_sample, ns * sizeof(*v));
	fprintf(fp, "render_p50_us %.0f\nrender_p99_us %.0f\n",
	    ns ? chart_quantile(v, ns, 0.5) : 0, ns ? chart_quantile(v, ns, 0.99) : 0);
	free(v);
	(void)changed;
	fclose(fp);
}

static void
app_once_frame(struct app *a, size_t i, int v, const char *suffix)
{
	printf("=== agentconsole --once: node %zu/%zu %s, view %d %s%s ===\n", i + 1, a->nsrc,
	    a->src[i]->label, v + 1, keys_view_name((enum view_id)v), suffix);
	app_render(a, a->grid, (enum view_id)v, source_clock());
	grid_write(a->grid, stdout);
}

static int
app_run_once(struct app *a)
{
	int rc = 0;

	a->grid = grid_new(a->o->once_w, a->o->once_h, a->utf8);
	a->once_pending = a->nsrc + (a->netscan != NULL ? 1 : 0);
	for (size_t i = 0; i < a->nsrc; i++)
		source_start(a->src[i]);
	if (a->netscan != NULL)
		netscan_start(a->netscan);
	/* Every call has its own timeout; this only bounds the whole. */
	proc_exit(a->proc, (int64_t)(a->o->timeout * 1000) + 5000);
	if (a->once_pending > 0 && proc_run(a->proc) == -1)
		rc = 1;
	for (size_t i = 0; i < a->nsrc; i++)
		(void)alerts_check(a->alerts, i, a->src[i], source_clock());
	for (size_t i = 0; i < a->nsrc; i++) {
		a->cur = i;
		/* A node that is down is shown as down, and is the exit status. */
		if (a->src[i]->state != SOURCE_UP)
			rc = 1;
		for (int v = 0; v < VIEW_COUNT; v++) {
			/* The geography view shows both sources of marks. */
			a->geo_network = false;
			app_once_frame(a, i, v, "");
			if (v == VIEW_GEO && a->netscan != NULL) {
				a->geo_network = true;
				app_once_frame(a, i, v, " (whole network)");
			}
		}
	}
	fflush(stdout);
	return rc;
}

static int
app_run_tty(struct app *a)
{
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
	char err[256];
	int64_t every;
	int w, h, rc;

	if (term_init(a->theme, a->o->mouse, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentconsole: %s\n", err);
		return 1;
	}
	term_size(&w, &h);
	a->grid = grid_new(w, h, a->utf8);
	a->redraw_ev = event_new(proc_base(a->proc), -1, 0, app_redraw_cb, a);
	event_priority_set(a->redraw_ev, 1);
	a->stdin_ev = event_new(proc_base(a->proc), STDIN_FILENO, EV_READ | EV_PERSIST,
	    app_stdin_cb, a);
	event_add(a->stdin_ev, NULL);
	/* Added after initscr so libevent's handlers replace curses' own. */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (proc_signal(a->proc, sigs[i], app_signal_cb, a) == -1) {
			term_end();
			fprintf(stderr, "agentconsole: cannot watch signal %d\n", sigs[i]);
			return 1;
		}
	proc_task_add(a->proc, "tick", 1000, 1000, app_tick_cb, a);
	if (a->netscan != NULL) {
		/* Seconds, like the scan's own timestamps: no finer. */
		every = (int64_t)(a->interval * 5 > 5 ? a->interval * 5 : 5) * 1000;
		proc_task_add(a->proc, "netscan", every, every, app_netscan_task_cb, a);
		netscan_start(a->netscan);
	}
	for (size_t i = 0; i < a->nsrc; i++)
		source_start(a->src[i]);
	app_dirty(a);
	rc = proc_run(a->proc) == -1 ? 1 : 0;
	term_end();
	return rc;
}

int
app_run(const struct app_opts *o)
{
	struct app a;
	int rc;

	/* proc_new (in app_setup) ignores SIGPIPE: a dead RPC peer must not
	 * kill us. */
	if (app_setup(&a, o) == -1) {
		app_teardown(&a);
		return 1;
	}
	rc = o->once ? app_run_once(&a) : app_run_tty(&a);
	app_write_stats(&a);
	app_teardown(&a);
	return rc;
}
