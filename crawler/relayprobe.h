/* relayprobe.h -- one relay probe: a unique probe transaction sent to one node, listeners on other nodes waiting for its inv. */
#ifndef AGENTCRAWL_RELAYPROBE_H
#define AGENTCRAWL_RELAYPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "chainparams.h"
#include "netaddr.h"

/*
 * The shape of a private broadcast (docs/REWARDS.md, "Relay"):
 *   1. connect to the sender and to up to RELAYPROBE_MAX_LISTENERS other
 *      nodes, all short-lived, and finish every handshake;
 *   2. send the sender one fresh transaction, RELAYPROBE_TX_LEN opaque
 *      bytes: the tag "agentchain-relay-probe" and 32 random bytes (never
 *      seen before, so only the sender can have passed it on), then a ping;
 *      close the sender's connection on its pong;
 *   3. wait up to window_ms for any listener to announce the txid (inv);
 *      the first announcement ends the probe.
 * The node relays to inbound peers on a shared Poisson timer of mean 5 s
 * and to outbound peers of mean 2 s (node/txrelay.c); the transaction has
 * to cross two hops (sender -> its peer -> our listener), so the window
 * is 60 s on mainnet and 30 s on regtest (Poisson timers are not scaled).
 */

#define RELAYPROBE_MAX_LISTENERS	4
#define RELAYPROBE_TAG			"agentchain-relay-probe"
#define RELAYPROBE_TX_LEN		(sizeof(RELAYPROBE_TAG) - 1 + 32)

struct relayprobe_config {
	const struct chainparams *params;
	const char	*user_agent;
	int		 connect_timeout_ms;
	int		 handshake_timeout_ms;
	int		 window_ms;
	int		 transport;	/* enum conn_transport */
};

/* The window for PARAMS's network (see above). */
int relayprobe_window_ms(const struct chainparams *params);

struct relayprobe_result {
	/* The transaction reached the sender (its pong came, or the window
	 * ran out after sending); false: nothing was measured. */
	bool		 sent;
	const char	*error;		/* why not sent, or NULL */
	bool		 announced;
	double		 delay_ms;	/* send to first inv, when announced */
	uint32_t	 listeners;	/* listeners whose handshake completed */
	uint8_t		 txid[32];	/* internal byte order */
};

struct relayprobe;

/* Called once per started probe, from the event loop, never from inside
 * relayprobe_start; the probe is freed when it returns. */
typedef void (*relayprobe_done_cb)(struct relayprobe *rp,
    const struct relayprobe_result *r, void *arg);

/* Start a probe of SENDER with listeners at LISTENERS[0..NL) (NL at most
 * RELAYPROBE_MAX_LISTENERS; more are ignored).  CFG must outlive it.
 * Returns NULL with ERR when no socket could be made. */
struct relayprobe *relayprobe_start(struct event_base *base,
    const struct relayprobe_config *cfg, const struct netaddr *sender,
    const struct netaddr *listeners, size_t nl, relayprobe_done_cb cb,
    void *arg, char *err, size_t errlen);

/* Abort RP without calling its callback (shutdown). */
void relayprobe_cancel(struct relayprobe *rp);

/* The fresh probe transaction into TX (RELAYPROBE_TX_LEN bytes). */
void relayprobe_make_tx(uint8_t tx[RELAYPROBE_TX_LEN]);

#endif
