/* idserve.c -- answers getidentity for the node's own addresses, a few times a minute per peer.
 *
 * Signing is cheap, but a peer must not be able to keep us signing in a
 * loop, nor collect signatures for addresses that are not ours: each
 * challenge is checked against the socket's own address and the
 * addresses connman knows for us, then against the peer's allowance. */
#include "idserve.h"

#include <stdbool.h>
#include <stdlib.h>

#include "clock.h"
#include "config.h"
#include "connman.h"
#include "identity.h"
#include "idproof.h"
#include "log.h"
#include "msg.h"
#include "peer.h"
#include "peerman.h"
#include "xmalloc.h"

struct idpeer {
	double		tokens;
	int64_t		tokens_ms;	/* monotonic */
};

struct idserve {
	const struct config	*cfg;
	const struct identity	*id;
	struct connman		*cm;
	struct peerman		*pm;
	struct idserve_stats	 stats;
};

static void *
idserve_peer_new(void *ctx, struct peer *p)
{
	struct idpeer *ip = xcalloc(1, sizeof(*ip));

	(void)ctx;
	(void)p;
	ip->tokens = IDSERVE_BURST;
	ip->tokens_ms = clock_mono_ms();
	return ip;
}

static void
idserve_peer_free(void *ctx, struct peer *p, void *st)
{
	(void)ctx;
	(void)p;
	free(st);
}

/* Take one answer from P's allowance; false when it is spent. */
static bool
idserve_take_token(struct idpeer *ip)
{
	int64_t now = clock_mono_ms();

	ip->tokens += (double)(now - ip->tokens_ms) * IDSERVE_PER_MINUTE / 60000.0;
	if (ip->tokens > IDSERVE_BURST)
		ip->tokens = IDSERVE_BURST;
	ip->tokens_ms = now;
	if (ip->tokens < 1.0)
		return false;
	ip->tokens -= 1.0;
	return true;
}

/* Is A an address of ours as seen on P's connection? */
static bool
idserve_addr_is_ours(const struct idserve *is, const struct peer *p, const struct netaddr *a)
{
	struct netaddr local;

	if (connman_peer_local_addr(is->cm, p, &local) == 0 && netaddr_equal(&local, a))
		return true;
	return connman_is_own_addr(is->cm, a);
}

static void
idserve_on_getidentity(struct idserve *is, struct peer *p, struct idpeer *ip,
    const struct idproof_challenge *c)
{
	struct peerman_view v;
	struct idproof_answer a;
	struct msg reply;
	char who[96], as[NETADDR_STRLEN];

	if (!peerman_view(is->pm, p, &v) || v.remote->version < PROTO_DATA_VERSION) {
		is->stats.old_version++;
		return;
	}
	if (!idserve_addr_is_ours(is, p, &c->addr)) {
		is->stats.not_ours++;
		log_debug("net", "getidentity from %s for %s, not our address: ignored",
		    peer_str(p, who, sizeof(who)), netaddr_format(&c->addr, as, sizeof(as)));
		return;
	}
	if (!idserve_take_token(ip)) {
		is->stats.rate_limited++;
		return;
	}
	identity_answer(is->id, is->cfg->params->magic, c, &a);
	msg_identity_init(&reply, &a);
	if (peerman_send(is->pm, p, &reply) == 0)
		is->stats.answered++;
	msg_free(&reply);
}

static void
idserve_message(void *ctx, struct peer *p, void *st, const struct msg *m)
{
	if (m->type == MSG_GETIDENTITY)
		idserve_on_getidentity(ctx, p, st, &m->u.getidentity);
}

struct idserve *
idserve_new(const struct idserve_opts *o)
{
	struct idserve *is = xcalloc(1, sizeof(*is));

	is->cfg = o->cfg;
	is->id = o->identity;
	is->cm = o->connman;
	is->pm = o->peerman;
	if (peerman_add_handler(is->pm, &(struct peer_handler){
	    .name = "idserve", .ctx = is, .types = UINT64_C(1) << MSG_GETIDENTITY,
	    .peer_new = idserve_peer_new, .peer_free = idserve_peer_free,
	    .message = idserve_message }) < 0) {
		free(is);
		return NULL;
	}
	return is;
}

void
idserve_free(struct idserve *is)
{
	free(is);	/* NULL is fine */
}

void
idserve_stats(const struct idserve *is, struct idserve_stats *out)
{
	*out = is->stats;
}
