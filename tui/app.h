/* app.h -- agentconsole's event loop: sources, views, keys, prompts, redraw; and the --once text mode. */
#ifndef AGENTCHAIN_APP_H
#define AGENTCHAIN_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "config.h"
#include "grid.h"
#include "keys.h"
#include "netaddr.h"

/* One node to watch. */
struct app_node {
	char		 label[80];
	char		 host[NETADDR_HOSTLEN];	/* numeric */
	uint16_t	 port;
	char		*cookie;		/* owned; NULL: no authentication */
	char		*datadir;		/* owned; NULL: given by address */
};

/* Everything the options resolved (tui/options.c).  Strings are borrowed
 * from argv and the configuration, except the nodes' cookies. */
struct app_opts {
	struct app_node	*nodes;
	size_t		 nnodes;
	const char	*crawl_db;
	const char	*geoip_db;
	const char	*network;	/* crawl DB filter; NULL = all */
	double		 interval;	/* seconds between polls */
	double		 timeout;	/* per RPC call */
	bool		 once;
	enum config_theme theme;	/* NO_COLOR in the environment makes it mono */
	bool		 ascii;
	int		 once_w, once_h;
	int		 sort_col;
	bool		 sort_reverse;
	enum view_id	 view;
	const char	*stats_file;
	bool		 mouse;
	bool		 bell;
	struct alert_cfg alerts;
};

/* Refresh intervals +/- step through. */
extern const double app_intervals[];
extern const size_t app_nintervals;
/* The next longer (DIR > 0) or shorter interval than CUR. */
double app_interval_step(double cur, int dir);

/* Run the console (or, with o->once, print every view once).  Returns
 * the process exit status. */
int app_run(const struct app_opts *o);

#endif
