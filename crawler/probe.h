/* probe.h -- one crawler visit to one node: connect, handshake, headers (verified height), optional storage challenge, optional getaddr and addr window, polite disconnect. */
#ifndef AGENTCRAWL_PROBE_H
#define AGENTCRAWL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "chainparams.h"
#include "idprobe.h"
#include "netaddr.h"

struct conn_proxy;
struct headerchain;

/* Most addresses one probe accepts from its node: an honest getaddr
 * answer holds at most MSG_MAX_ADDR (1000) entries, plus a few
 * self-announcements.  More is an address flood (bitnodes discards any
 * answer of more than 1000). */
#define PROBE_FLOOD_LIMIT	1100

/* getheaders rounds one visit asks at most while a node serves full
 * (2000-header) answers: 10,000 new headers per visit; a longer chain is
 * fetched over several visits (and from several nodes). */
#define PROBE_HEADER_ROUNDS	5
/* Answers whose first header does not connect to the crawler's chain
 * taken per visit before the headers phase ends (they are never stored). */
#define PROBE_MAX_UNCONNECTED	2

struct probe_config {
	const struct chainparams *params;
	const char	*user_agent;		/* our version's user agent */
	int		 connect_timeout_ms;
	int		 handshake_timeout_ms;	/* from connected to verack */
	int		 addr_window_ms;	/* from getaddr to disconnect, at most */
	int		 addr_grace_ms;		/* keep reading this long after the first real answer */
	int64_t		 addr_max_age;		/* drop entries older than this (seconds) */
	struct conn_proxy *proxy;		/* SOCKS5 proxy to dial through, or NULL */
	int		 transport;		/* enum conn_transport */
	/* crawler.rewards: ask nodes that announce NODE_IDENTITY to prove
	 * their key (idprobe.h), waiting at most IDENTITY_TIMEOUT_MS. */
	bool		 ask_identity;
	int		 identity_timeout_ms;
	/* The crawler's header chain, extended and measured against by
	 * every visit; NULL: no headers phase (verified height -1). */
	struct headerchain *chain;
	int		 headers_timeout_ms;	/* per getheaders answer */
	/* Storage challenges (crawler.rewards): ask a deep block of nodes
	 * that claim NODE_NETWORK and a height; wait this long for it. */
	bool		 storage;
	int		 block_timeout_ms;
};

/* What a probe found out.  Valid only during the done callback. */
struct probe_result {
	bool		 success;	/* the handshake completed */
	bool		 hostile;	/* garbage frames or an address flood */
	/* The dial failed at the proxy, not at the node: nothing was
	 * learned about the node (ERROR is CRAWLDB_ERR_UNREACH). */
	bool		 proxy_failed;
	const char	*reason;	/* conn's detail for a failed dial, or NULL */
	const char	*error;		/* "" or a CRAWLDB_ERR_* value */
	/* From the node's version (when success). */
	uint32_t	 version;
	uint64_t	 services;
	int32_t		 height;	/* claimed: its version's start height */
	char		 user_agent[257];	/* sanitised */
	/* The headers phase (probe.c explains the proof): the highest
	 * header it served on the crawler's most-work chain, -1 none, and
	 * whether its own tip is on that chain. */
	int32_t		 verified_height;
	bool		 best_chain;
	/* A storage challenge was made: the height asked for and its
	 * STORAGECHECK_* result. */
	bool		 storage_checked;
	int32_t		 storage_height;
	const char	*storage_result;
	const char	*transport;	/* "v1" or "v2" */
	double		 connect_ms;	/* dial to TCP established; < 0 unknown */
	double		 handshake_ms;	/* established to handshake done; < 0 unknown */
	/* Discovery: the getaddr was sent and its window ran out. */
	bool		 discovered;
	const struct netaddr *addrs;	/* usable learned addresses (deduplicated) */
	size_t		 naddrs;
	uint32_t	 addr_msgs;	/* addr messages received */
	uint32_t	 addr_entries;	/* entries in them, before filtering */
	/* The identity exchange (ask_identity); all zero when not asked. */
	struct idprobe	 identity;
};

struct probe;

/* Called exactly once per started probe, from the event loop, never from
 * inside probe_start.  The probe is freed when the callback returns. */
typedef void (*probe_done_cb)(struct probe *p, const struct probe_result *r,
    void *arg);

/* Start probing ADDR on BASE; with DISCOVERY, ask for addresses after the
 * handshake.  CFG must outlive the probe.  Returns NULL with a reason in
 * ERR only when no socket could be made (a local problem such as too many
 * open files); every outcome of the node itself arrives through CB. */
struct probe *probe_start(struct event_base *base, const struct probe_config *cfg,
    const struct netaddr *addr, bool discovery, probe_done_cb cb, void *arg,
    char *err, size_t errlen);

/* As probe_start, for a node known by name only: HOST:PORT goes to the
 * proxy in CFG (required), which resolves it.  A seed given by name is
 * probed this way when a proxy is set, so that no name is looked up
 * outside it. */
struct probe *probe_start_name(struct event_base *base, const struct probe_config *cfg,
    const char *host, uint16_t port, bool discovery, probe_done_cb cb, void *arg,
    char *err, size_t errlen);

/* Abort P without calling its callback (shutdown). */
void probe_cancel(struct probe *p);

/* The address P dials (for a probe by name: all zero but the port). */
const struct netaddr *probe_addr(const struct probe *p);

#endif
