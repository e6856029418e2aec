/* dns_keys.h -- the seed zone's DNSSEC keys: BIND-format key files, timing metadata, generation, DS. */
#ifndef AGENTCHAIN_DNS_KEYS_H
#define AGENTCHAIN_DNS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ldns/ldns.h>

/* Keys of one zone a directory may hold (a KSK, a ZSK, and the keys of a
 * rollover in progress fit many times over). */
#define DNSK_MAX_KEYS		16
#define DNSK_DNSKEY_TTL		3600
#define DNSK_FLAGS_ZSK		256	/* ZONE */
#define DNSK_FLAGS_KSK		257	/* ZONE | SEP */
#define DNSK_ECDSAP256		13	/* ECDSAP256SHA256, RFC 6605 */
#define DNSK_ED25519		15	/* RFC 8080 */
/* Timing metadata that a key file leaves out. */
#define DNSK_ALWAYS		INT64_MIN	/* Publish, Activate */
#define DNSK_NEVER		INT64_MAX	/* Inactive, Delete */

/*
 * One key as its two files say: K<zone>.+<alg>+<tag>.key holds the DNSKEY
 * record, .private the private key (Private-key-format v1.2/v1.3, as
 * ldns-keygen and BIND's dnssec-keygen write them) and, optionally, BIND's
 * timing metadata lines "Publish:", "Activate:", "Inactive:", "Delete:"
 * (YYYYMMDDHHMMSS, UTC).  A key is in the DNSKEY RRset from Publish until
 * Delete, and may sign from Activate until Inactive.
 */
struct dnsk_key {
	ldns_key	*key;		/* flags, owner and tag set */
	ldns_rr		*dnskey;	/* TTL DNSK_DNSKEY_TTL */
	uint16_t	 tag;
	uint16_t	 flags;		/* DNSK_FLAGS_KSK or DNSK_FLAGS_ZSK */
	uint8_t		 algorithm;
	int64_t		 publish, activate, inactive, remove;	/* wall seconds */
	char		*base;		/* "Kseed.example.+013+12345", for messages */
};

/* The keys of one zone, as loaded from a directory.  Not shared between
 * threads: the seeder hands the set to each reload in turn. */
struct dnsk_set {
	struct dnsk_key	 key[DNSK_MAX_KEYS];
	size_t		 n;
	uint8_t		 algorithm;	/* every key has it */
};

/*
 * Load every key of HOST (a domain name, any letter case) in DIR; files of
 * other zones are skipped.  Each .key must parse as a DNSKEY of HOST with
 * flags 256 or 257 and algorithm 13 or 15, its .private must hold the
 * matching private key (same algorithm, same public key) and well-formed
 * timing lines; all keys must share one algorithm.  A .private readable by
 * group or others is loaded with a warning in WARN (may be NULL).  Returns
 * a new set (caller frees with dnsk_free), or NULL with the reason, naming
 * the file, in ERR (also when DIR holds no key of HOST).
 */
struct dnsk_set *dnsk_load(const char *dir, const char *host, char *warn, size_t warnlen,
    char *err, size_t errlen);
void dnsk_free(struct dnsk_set *s);

/* Is K in the DNSKEY RRset at NOW?  May it sign at NOW? */
bool dnsk_published(const struct dnsk_key *k, int64_t now);
bool dnsk_active(const struct dnsk_key *k, int64_t now);

/*
 * What signs at NOW: every published and active KSK signs the DNSKEY
 * RRset; of the published and active ZSKs, the one activated last signs
 * everything else (so a pre-published ZSK takes over at its Activate time
 * without a restart).  DNSKEYS gets the published keys' records (the set
 * keeps them).  Every key's inception and expiration are set to INCEPTION
 * and EXPIRATION.  Returns 0, or -1 with a reason in ERR when no KSK or no
 * ZSK may sign at NOW.  Free the lists with dnsk_use_free (the keys stay
 * in S).
 */
struct dnsk_use {
	ldns_key_list		*ksk;
	ldns_key_list		*zsk;		/* one key */
	ldns_rr_list		*dnskeys;
	const struct dnsk_key	*zsk_key;
};
int dnsk_select(struct dnsk_set *s, int64_t now, uint32_t inception, uint32_t expiration,
    struct dnsk_use *u, char *err, size_t errlen);
void dnsk_use_free(struct dnsk_use *u);

/* The DS record (SHA-256, RFC 4509) of K in presentation form, one line
 * with its newline.  Caller frees. */
char *dnsk_ds(const struct dnsk_key *k);

/* "YYYYMMDDHHMMSS" (UTC) to seconds.  Returns 0, or -1 when S is not such
 * a time. */
int dnsk_parse_time(const char *s, int64_t *out);

/* What `agentseeder keygen` does. */
struct dnsk_keygen {
	const char	*dir;		/* created (0700) when missing */
	const char	*host;
	uint8_t		 algorithm;	/* 0: the keys' in DIR, else DNSK_ECDSAP256 */
	bool		 zsk_only;	/* a new ZSK for a rollover */
	bool		 ds_only;	/* make nothing, print the DS records */
	int64_t		 activate_in;	/* seconds from now until it signs */
	int64_t		 retire_after;	/* a replaced ZSK leaves the DNSKEY set this
					   long after the new one signs */
	int64_t		 now;		/* wall clock */
};

/*
 * Make keys for O->host in O->dir: a KSK and a ZSK (refused when the
 * directory already holds keys of that zone), or with ZSK_ONLY one ZSK of
 * the zone's algorithm, published now and signing from NOW + ACTIVATE_IN;
 * each ZSK it replaces gets a Delete time of that moment plus
 * RETIRE_AFTER.  Files are written whole (temp file and rename), the
 * .private mode 0600.  What was written goes to LOG as lines for a person;
 * the DS records of the zone's KSKs go to OUT, one per line (with DS_ONLY
 * that is all it does).  Returns 0, or -1 with a reason in ERR (nothing
 * half-written is left behind).
 */
int dnsk_keygen(const struct dnsk_keygen *o, FILE *out, FILE *log, char *err, size_t errlen);

#endif
