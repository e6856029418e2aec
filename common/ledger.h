/* ledger.h -- the signed daily rewards ledger: JSON form, canonical bytes, Ed25519 signing key, verification. */
#ifndef AGENTCHAIN_LEDGER_H
#define AGENTCHAIN_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rewards.h"

/*
 * Canonical bytes (what is signed, docs/REWARDS.md): the ledger object
 * without its "signature" member, dumped by jansson with
 * JSON_SORT_KEYS | JSON_COMPACT (keys in byte order, no whitespace, every
 * number an integer, strings printable ASCII), prefixed by the ASCII tag
 * LEDGER_SIG_TAG.  The file is the whole object dumped the same way plus
 * one newline, so any changed byte either breaks the signature or the
 * canonical form.
 */
#define LEDGER_SIG_TAG		"agentchain-ledger-v1"
#define LEDGER_VERSION		1
#define LEDGER_MAX_FILE		(256u << 20)	/* verify-ledger reads at most this */

struct ledger_meta {
	const char	*network;
	const char	*day;		/* "YYYY-MM-DD" */
	int64_t		 created;	/* unix seconds */
	const struct rewards_params *params;
};

/* The unsigned ledger object of L (new reference). */
json_t *ledger_json(const struct rewards_ledger *l, const struct ledger_meta *m);

/* Load the Ed25519 secret key (a 32-byte seed, 64 hex digits) from PATH,
 * creating it (mode 0600) when absent; a key readable by group or others
 * is refused.  SK gets libsodium's 64-byte secret key.  Returns 0 or -1
 * with ERR. */
int ledger_load_key(const char *path, unsigned char sk[64], char *err,
    size_t errlen);

/* Add "signer" and "signature" to OBJ with SK and write the file bytes
 * into *OUT (malloc'd, caller frees).  Returns 0 or -1 with ERR. */
int ledger_sign(json_t *obj, const unsigned char sk[64], char **out,
    size_t *outlen, char *err, size_t errlen);

/* Verify the ledger file bytes BUF: canonical form, signature by its
 * "signer", and that signer equal to PUBKEY_HEX when not NULL.  Returns 0
 * or -1 with the reason in ERR. */
int ledger_verify(const char *buf, size_t len, const char *pubkey_hex,
    char *err, size_t errlen);

#endif
