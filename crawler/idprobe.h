/* idprobe.h -- the identity part of a crawler visit (crawler.rewards): the challenge, its check, the record.
 *
 * After the handshake with a node of protocol PROTO_DATA_VERSION or later
 * that announces NODE_IDENTITY, probe.c sends the challenge made here (a
 * fresh nonce and the address it dialled) and hands the answer back to be
 * verified (common/idproof).  What was proven goes into the node's record
 * and, for every address that has ever proven an identity, one row per
 * visit in the crawl database's visits table. */
#ifndef AGENTCRAWL_IDPROBE_H
#define AGENTCRAWL_IDPROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "idproof.h"
#include "msg.h"

struct crawldb;
struct crawldb_node;

/* One visit's identity exchange. */
struct idprobe {
	struct idproof_challenge	 challenge;
	bool				 asked;		/* the challenge went out */
	bool				 answered;	/* an identity message came */
	bool				 proven;	/* ... and it verified */
	char				 pubkey[IDPROOF_PUBKEY_HEXLEN];	/* when proven */
	char				 reward[IDPROOF_REWARD_MAX + 1];	/* when proven */
};

/* Should a node that completed the handshake with version V be asked? */
bool idprobe_wanted(const struct msg_version *v);

/* Build the challenge for DIALLED into *OUT (a MSG_GETIDENTITY the caller
 * sends and msg_free()s) and remember it in IP. */
void idprobe_challenge(struct idprobe *ip, const struct netaddr *dialled, struct msg *out);

/* Judge answer A on the network of MAGIC.  Only the first answer to a
 * challenge counts.  Returns IP->proven. */
bool idprobe_answer(struct idprobe *ip, const uint8_t magic[4], const struct idproof_answer *a);

/* Record a finished visit of REC at NOW: a proven identity goes into REC
 * (identity, reward_address), and an address that has ever proven one
 * gets a visits row (ok when IP proved one on this visit; IP may be NULL
 * for a visit that never reached the handshake).  Returns the
 * CRAWLDB_PUT_* fields of REC that changed (for the batched write), or
 * -1 when the visits row could not be written (ERR says why). */
int idprobe_record(struct crawldb *db, struct crawldb_node *rec, const struct idprobe *ip,
    int64_t now, char *err, size_t errlen);

#endif
