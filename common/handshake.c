/* handshake.c -- the version/verack exchange as a small state machine.
 *
 * Shared by agentnode and agentcrawl so both speak the same handshake.
 * Unlike Bitcoin Core, which ignores early messages, we treat anything but
 * version/verack before completion as a violation: our protocol has no
 * pre-verack feature negotiation, so early traffic is either a bug or a
 * probe. */
#include "handshake.h"

#include <string.h>

bool
handshake_start(struct handshake *hs, bool outbound, uint64_t local_nonce)
{
	memset(hs, 0, sizeof(*hs));
	hs->outbound = outbound;
	hs->local_nonce = local_nonce;
	if (outbound) {
		hs->version_sent = true;
		hs->state = HS_WAIT_VERSION;
	}
	return outbound;
}

void
handshake_build_version(const struct handshake *hs, const struct handshake_local *local,
    const struct netaddr *remote, int64_t now, struct msg *m)
{
	struct msg_version *v;

	msg_init(m, MSG_VERSION);
	v = &m->u.version;
	v->version = PROTO_VERSION;
	v->services = local->services;
	v->timestamp = now;
	v->addr_recv.services = 0;
	v->addr_recv.addr = *remote;
	v->addr_from.services = local->services;
	v->addr_from.addr = local->addr_from;
	v->nonce = hs->local_nonce;
	msg_version_set_user_agent(v, local->user_agent, strlen(local->user_agent));
	v->start_height = local->start_height;
}

static enum handshake_error
handshake_fail(struct handshake *hs, enum handshake_error e)
{
	hs->state = HS_FAILED;
	return e;
}

static enum handshake_error
handshake_on_version(struct handshake *hs, const struct msg_version *v,
    bool (*is_own_nonce)(uint64_t, void *), void *arg, struct handshake_action *act)
{
	if (hs->version_received)
		return handshake_fail(hs, HS_ERR_DUPLICATE_VERSION);
	if (v->nonce == hs->local_nonce ||
	    (is_own_nonce != NULL && v->nonce != 0 && is_own_nonce(v->nonce, arg)))
		return handshake_fail(hs, HS_ERR_SELF);
	if (v->version < PROTO_MIN_VERSION)
		return handshake_fail(hs, HS_ERR_OLD_VERSION);
	hs->remote = *v;
	hs->version_received = true;
	if (!hs->version_sent) {
		act->send_version = true;
		hs->version_sent = true;
	}
	act->send_verack = true;
	/* A verack cannot have come yet: before our version it is an error. */
	hs->state = HS_WAIT_VERACK;
	return HS_OK;
}

enum handshake_error
handshake_process(struct handshake *hs, const struct msg *m,
    bool (*is_own_nonce)(uint64_t nonce, void *arg), void *arg,
    struct handshake_action *act)
{
	memset(act, 0, sizeof(*act));
	if (hs->state == HS_FAILED)
		return HS_ERR_PRE_HANDSHAKE;
	switch (m->type) {
	case MSG_VERSION:
		return handshake_on_version(hs, &m->u.version, is_own_nonce, arg, act);
	case MSG_VERACK:
		if (!hs->version_received)
			return handshake_fail(hs, HS_ERR_UNEXPECTED_VERACK);
		if (hs->verack_received)
			return HS_OK;	/* a repeated verack is harmless */
		hs->verack_received = true;
		if (hs->state != HS_DONE) {
			hs->state = HS_DONE;
			act->completed = true;
		}
		return HS_OK;
	default:
		if (hs->state != HS_DONE)
			return handshake_fail(hs, HS_ERR_PRE_HANDSHAKE);
		return HS_OK;
	}
}

const char *
handshake_strerror(enum handshake_error e)
{
	switch (e) {
	case HS_OK: return "ok";
	case HS_ERR_PRE_HANDSHAKE: return "message before handshake completed";
	case HS_ERR_DUPLICATE_VERSION: return "duplicate version message";
	case HS_ERR_UNEXPECTED_VERACK: return "verack before version";
	case HS_ERR_OLD_VERSION: return "protocol version too old";
	case HS_ERR_SELF: return "connected to self";
	}
	return "unknown handshake error";
}
