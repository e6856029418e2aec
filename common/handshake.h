/* handshake.h -- the version/verack exchange as a small state machine. */
#ifndef AGENTCHAIN_HANDSHAKE_H
#define AGENTCHAIN_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

/* What we say about ourselves in our version message. */
struct handshake_local {
	uint64_t	 services;
	int32_t		 start_height;
	const char	*user_agent;	/* e.g. "/agentnode:0.1.0/" */
	struct netaddr	 addr_from;	/* our advertised address, or all zero */
};

enum handshake_state {
	HS_NEW = 0,		/* nothing exchanged yet */
	HS_WAIT_VERSION,	/* outbound: version sent, peer's not yet in */
	HS_WAIT_VERACK,		/* peer's version in, our verack awaited by them / theirs by us */
	HS_DONE,		/* both versions and both veracks exchanged */
	HS_FAILED,
};

enum handshake_error {
	HS_OK = 0,
	HS_ERR_PRE_HANDSHAKE,	/* another message before the handshake completed */
	HS_ERR_DUPLICATE_VERSION,
	HS_ERR_UNEXPECTED_VERACK,	/* verack before their version */
	HS_ERR_OLD_VERSION,	/* below PROTO_MIN_VERSION */
	HS_ERR_SELF,		/* the nonce is one of ours: we dialled ourselves */
};

struct handshake {
	enum handshake_state	state;
	bool			outbound;
	bool			version_sent;
	bool			version_received;
	bool			verack_received;
	uint64_t		local_nonce;
	struct msg_version	remote;
};

/* What the owner must send after handshake_process. */
struct handshake_action {
	bool	send_version;
	bool	send_verack;
	bool	completed;	/* the handshake finished with this message */
};

/* Begin a handshake.  An outbound side sends its version first (returns
 * true: call handshake_build_version and send it); an inbound side waits. */
bool handshake_start(struct handshake *hs, bool outbound, uint64_t local_nonce);

/* Fill M (msg_init'ed by this call) with our version for a peer at REMOTE. */
void handshake_build_version(const struct handshake *hs, const struct handshake_local *local,
    const struct netaddr *remote, int64_t now, struct msg *m);

/* Feed one received message.  IS_OWN_NONCE, when not NULL, tells whether a
 * version nonce is one we sent on another connection (self-connection).
 * Returns HS_OK and fills ACT, or an error (the state becomes HS_FAILED;
 * the owner disconnects and penalises).  Messages other than version and
 * verack before HS_DONE are HS_ERR_PRE_HANDSHAKE. */
enum handshake_error handshake_process(struct handshake *hs, const struct msg *m,
    bool (*is_own_nonce)(uint64_t nonce, void *arg), void *arg,
    struct handshake_action *act);

const char *handshake_strerror(enum handshake_error e);

#endif
