/* observer.c -- the crawler's rewards observer: dense uptime re-visits of identity nodes and the relay probes (crawler.rewards). */
#include "observer.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "goodnode.h"
#include "log.h"
#include "map.h"
#include "msg.h"
#include "nodetable.h"
#include "relayprobe.h"
#include "rewards.h"
#include "rewardsdb.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

#define RELAY_EVERY	60		/* mainnet seconds between probe starts */
#define REFRESH		60		/* mainnet seconds between identity reloads */
#define RECENT		(24 * 3600)	/* identity nodes answered within: candidates */
#define LISTENERS	3
#define CANDIDATES	256		/* listener candidates drawn from */

struct idnode {
	struct netaddr	addr;
	char		identity[REWARDS_ID_HEXLEN + 1];
	int64_t		interval;	/* last uptime re-visit interval, s */
	bool		up;		/* the last visit succeeded */
	int64_t		last_relay;	/* unix s of its last relay probe */
	bool		seen;		/* in the latest reload */
};

struct observer {
	struct event_base		*base;
	struct crawldb			*db;
	const struct observer_config	*cfg;
	struct relayprobe_config	 rcfg;
	struct map			*ids;		/* netaddr -> struct idnode * */
	int64_t				 lo, hi;	/* uptime interval bounds */
	int64_t				 relay_every, refresh;
	int64_t				 next_relay, next_refresh;
	struct relayprobe		*probe;		/* in flight, or NULL */
	struct idnode			*probed;	/* its sender */
	uint64_t			 probes;
};

struct observer *
observer_new(struct event_base *base, struct crawldb *db,
    const struct observer_config *cfg)
{
	struct observer		*ob = xcalloc(1, sizeof(*ob));
	struct goodnode_policy	 gp;

	ob->base = base;
	ob->db = db;
	ob->cfg = cfg;
	ob->ids = map_new();
	goodnode_policy_init(&gp, cfg->params);
	rewardsdb_revisit_bounds(cfg->params, &ob->lo, &ob->hi);
	ob->relay_every = goodnode_scale(&gp, RELAY_EVERY);
	ob->refresh = goodnode_scale(&gp, REFRESH);
	ob->rcfg.params = cfg->params;
	ob->rcfg.user_agent = cfg->user_agent;
	ob->rcfg.connect_timeout_ms = cfg->connect_timeout_ms;
	ob->rcfg.handshake_timeout_ms = cfg->handshake_timeout_ms;
	ob->rcfg.transport = cfg->transport;
	ob->rcfg.window_ms = relayprobe_window_ms(cfg->params);
	return ob;
}

static void
drop_all(struct observer *ob, bool only_unseen)
{
	struct idnode	*n;
	size_t		 pos = 0;
	bool		 again = true;

	/* The map must not change during a walk: one removal per walk. */
	while (again) {
		again = false;
		pos = 0;
		while (map_next(ob->ids, &pos, NULL, NULL, (void **)&n)) {
			if (only_unseen && n->seen)
				continue;
			if (ob->probed == n)
				ob->probed = NULL;
			map_remove(ob->ids, &n->addr, sizeof(n->addr));
			free(n);
			again = true;
			break;
		}
	}
}

void
observer_free(struct observer *ob)
{
	if (ob == NULL)
		return;
	if (ob->probe != NULL)
		relayprobe_cancel(ob->probe);
	drop_all(ob, false);
	map_free(ob->ids);
	free(ob);
}

void
observer_stop(struct observer *ob)
{
	if (ob->probe != NULL)
		relayprobe_cancel(ob->probe);
	ob->probe = NULL;
	ob->next_relay = INT64_MAX;
}

uint64_t
observer_probes(const struct observer *ob)
{
	return ob->probes;
}

/* --- the identity set ---------------------------------------------------------- */

static void
id_cb(const struct netaddr *a, const char *identity, void *arg)
{
	struct observer	*ob = arg;
	struct idnode	*n;

	if ((n = map_get(ob->ids, a, sizeof(*a))) == NULL) {
		n = xcalloc(1, sizeof(*n));
		n->addr = *a;
		n->up = true;
		map_put(ob->ids, &n->addr, sizeof(n->addr), n);
	}
	str_copy(n->identity, identity, sizeof(n->identity));
	n->seen = true;
}

static void
refresh(struct observer *ob, int64_t now)
{
	struct idnode	*n;
	char		 err[256];
	size_t		 pos = 0;

	while (map_next(ob->ids, &pos, NULL, NULL, (void **)&n))
		n->seen = false;
	if (rewardsdb_identity_nodes(ob->db, ob->cfg->params->name, now - RECENT,
	    id_cb, ob, err, sizeof(err)) == -1) {
		log_warn("crawl", "rewards: cannot read identity nodes: %s", err);
		return;
	}
	drop_all(ob, true);
}

int64_t
observer_next_visit(struct observer *ob, const struct netaddr *a, bool success,
    int64_t now)
{
	struct idnode	*n;

	if ((n = map_get(ob->ids, a, sizeof(*a))) == NULL)
		return -1;
	/* A change of state starts the ramp again: it is news. */
	if (success != n->up)
		n->interval = 0;
	n->up = success;
	n->interval = rewards_revisit_interval(n->interval, ob->lo, ob->hi);
	return now + n->interval;
}

/* --- relay probes ------------------------------------------------------------------- */

struct pick {
	const struct netaddr	*sender;
	struct netaddr		 cand[CANDIDATES];
	size_t			 n;
	uint64_t		 seen;
};

/* Reservoir sampling over the reachable data peers but the sender. */
static void
pick_cb(struct cnode *c, void *arg)
{
	struct pick	*pk = arg;
	uint64_t	 j;

	if (!goodnode_reachable(&c->rec) || c->rec.version < PROTO_DATA_VERSION ||
	    netaddr_equal(&c->rec.addr, pk->sender))
		return;
	pk->seen++;
	if (pk->n < CANDIDATES) {
		pk->cand[pk->n++] = c->rec.addr;
		return;
	}
	j = rnd_u64() % pk->seen;
	if (j < CANDIDATES)
		pk->cand[j] = c->rec.addr;
}

static void
probe_done(struct relayprobe *rp, const struct relayprobe_result *r, void *arg)
{
	struct observer			*ob = arg;
	struct rewardsdb_probe_row	 row;
	char				 txid[65], err[256], as[NETADDR_STRLEN];
	size_t				 i;

	(void)rp;
	ob->probe = NULL;
	if (ob->probed == NULL)
		return;		/* its identity went away meanwhile */
	netaddr_format(&ob->probed->addr, as, sizeof(as));
	if (!r->sent) {
		log_debug("crawl", "rewards: relay probe of %s not sent: %s", as,
		    r->error != NULL ? r->error : "?");
		return;
	}
	for (i = 0; i < 32; i++)	/* shown reversed, as txids are */
		snprintf(txid + 2 * i, 3, "%02x", r->txid[31 - i]);
	memset(&row, 0, sizeof(row));
	row.addr = ob->probed->addr;
	row.ts = ob->probed->last_relay;
	row.identity = ob->probed->identity;
	row.txid = txid;
	row.announced = r->announced;
	row.delay_ms = r->delay_ms;
	row.listeners = r->listeners;
	if (rewardsdb_add_probe(ob->db, ob->cfg->params->name, &row, err,
	    sizeof(err)) == -1) {
		log_error("crawl", "rewards: cannot store a relay probe: %s", err);
		return;
	}
	ob->probes++;
	log_debug("crawl", "rewards: relay probe of %s: %s (%.0f ms, %u listeners)",
	    as, r->announced ? "announced" : "not announced", r->delay_ms,
	    r->listeners);
}

static struct idnode *
least_recently_probed(struct observer *ob)
{
	struct idnode	*n, *best = NULL;
	size_t		 pos = 0;

	while (map_next(ob->ids, &pos, NULL, NULL, (void **)&n))
		if (n->up && (best == NULL || n->last_relay < best->last_relay ||
		    (n->last_relay == best->last_relay &&
		    netaddr_cmp(&n->addr, &best->addr) < 0)))
			best = n;
	return best;
}

static void
start_probe(struct observer *ob, struct nodetable *t, int64_t now)
{
	struct pick	*pk;
	struct idnode	*s;
	char		 err[256];

	if ((s = least_recently_probed(ob)) == NULL)
		return;
	pk = xcalloc(1, sizeof(*pk));
	pk->sender = &s->addr;
	nodetable_foreach(t, pick_cb, pk);
	if (pk->n == 0) {
		free(pk);
		return;
	}
	rnd_shuffle(pk->cand, pk->n, sizeof(pk->cand[0]));
	s->last_relay = now;
	ob->probed = s;
	ob->probe = relayprobe_start(ob->base, &ob->rcfg, &s->addr, pk->cand,
	    pk->n < LISTENERS ? pk->n : LISTENERS, probe_done, ob, err, sizeof(err));
	if (ob->probe == NULL)
		log_warn("crawl", "rewards: relay probe: %s", err);
	free(pk);
}

void
observer_tick(struct observer *ob, struct nodetable *t, int64_t now)
{
	if (now >= ob->next_refresh) {
		refresh(ob, now);
		ob->next_refresh = now + ob->refresh;
	}
	if (ob->probe != NULL || now < ob->next_relay)
		return;
	ob->next_relay = now + ob->relay_every;
	start_probe(ob, t, now);
}
