/* identity.h -- the node's identity key: an Ed25519 key in <datadir>/identity.key, and the proofs it signs.
 *
 * Created on first start (mode 0600, written atomically) and never
 * replaced after: a key file that cannot be used (unreadable, corrupt,
 * readable by others) stops the node with the reason, since a silently
 * new key would lose the history an observer has credited to the old one.
 * With node.identity false none of this runs: node.c never opens it. */
#ifndef AGENTCHAIN_IDENTITY_H
#define AGENTCHAIN_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idproof.h"

#define IDENTITY_FILE	"identity.key"

struct identity;

/* Load DATADIR/identity.key, or create it when there is none.  REWARD is
 * the reward address to sign with every proof (NULL: none; must satisfy
 * idproof_reward_valid).  Returns the identity (caller frees with
 * identity_free), or NULL with a reason naming the file in ERR when the
 * file exists but is unusable (not a regular file, readable or writable
 * by group or others, owned by someone else, not a key) or cannot be
 * created. *CREATED says whether it was made now. */
struct identity *identity_open(const char *datadir, const char *reward, bool *created,
    char *err, size_t errlen);
/* Wipe the secret key and free ID (NULL is fine). */
void identity_free(struct identity *id);

const uint8_t *identity_pubkey(const struct identity *id);
/* The public key as 64 hex digits (static to ID). */
const char *identity_pubkey_hex(const struct identity *id);
/* The reward address, "" when none. */
const char *identity_reward(const struct identity *id);

/* Answer challenge C on the network of MAGIC: fill *A with our key,
 * reward address and signature.  Whether C deserves an answer (its
 * address is ours) is the caller's judgement. */
void identity_answer(const struct identity *id, const uint8_t magic[4],
    const struct idproof_challenge *c, struct idproof_answer *a);

#endif
