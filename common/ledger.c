/* ledger.c -- the signed daily rewards ledger: JSON form, canonical bytes, Ed25519 signing key, verification.
 *
 * The ledger carries integers and printable ASCII only, so that another
 * implementation (a chain's verifier) reproduces the canonical bytes with
 * any JSON writer that sorts keys and leaves out whitespace. */
#include "ledger.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "atomicfile.h"
#include "strutil.h"
#include "xmalloc.h"

#define DUMP_FLAGS	(JSON_SORT_KEYS | JSON_COMPACT)
#define MAX_KEYFILE	256

/* Strict lower-case hex of exactly LEN bytes (upper case is refused: one
 * ledger has one spelling). */
static int
unhex(const char *s, unsigned char *out, size_t len)
{
	size_t	i;
	int	hi, lo;

	if (strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		hi = s[2 * i] >= '0' && s[2 * i] <= '9' ? s[2 * i] - '0' :
		    s[2 * i] >= 'a' && s[2 * i] <= 'f' ? s[2 * i] - 'a' + 10 : -1;
		lo = s[2 * i + 1] >= '0' && s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0' :
		    s[2 * i + 1] >= 'a' && s[2 * i + 1] <= 'f' ? s[2 * i + 1] - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static json_t *
entry_json(const struct rewards_entry *e, size_t rank)
{
	char	as[NETADDR_STRLEN];

	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:b, s:s,"
	    " s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I},"
	    " s:{s:{s:I, s:I, s:I, s:I, s:I},"
	    "    s:{s:I, s:I, s:I, s:I, s:I, s:b},"
	    "    s:{s:I, s:I, s:I}}}",
	    "rank", (json_int_t)rank,
	    "identity", e->identity,
	    "reward_address", e->reward_address,
	    "address", netaddr_format(&e->addr, as, sizeof(as)),
	    "asn", (json_int_t)e->asn,
	    "net16", e->net16,
	    "first_seen", (json_int_t)e->first_seen,
	    "rewarded", e->rewarded,
	    "excluded", e->excluded,
	    "scores",
	    "uptime", (json_int_t)e->uptime_score,
	    "storage", (json_int_t)e->storage_score,
	    "relay", (json_int_t)e->relay_score,
	    "total", (json_int_t)e->total_score,
	    "rewards",
	    "uptime", (json_int_t)e->r_uptime,
	    "storage", (json_int_t)e->r_storage,
	    "relay", (json_int_t)e->r_relay,
	    "total", (json_int_t)e->r_total,
	    "measurements",
	    "uptime",
	    "sessions", (json_int_t)e->sessions,
	    "visits_ok", (json_int_t)e->visits_ok,
	    "visits_failed", (json_int_t)e->visits_failed,
	    "up_seconds", (json_int_t)e->up_seconds,
	    "observed_seconds", (json_int_t)e->observed_seconds,
	    "storage",
	    "answered", (json_int_t)e->checks_ok,
	    "wrong", (json_int_t)e->checks_wrong,
	    "missing", (json_int_t)e->checks_missing,
	    "claimed_height", (json_int_t)e->claimed_height,
	    "verified_height", (json_int_t)e->verified_height,
	    "height_unserved", e->height_unserved,
	    "relay",
	    "sent", (json_int_t)e->probes_sent,
	    "announced", (json_int_t)e->probes_announced,
	    "median_delay_ms", (json_int_t)e->median_delay_ms);
}

json_t *
ledger_json(const struct rewards_ledger *l, const struct ledger_meta *m)
{
	const struct rewards_params	*p = m->params;
	json_t				*obj, *ids;
	size_t				 i;

	ids = json_array();
	for (i = 0; i < l->nentries; i++)
		json_array_append_new(ids, entry_json(&l->entries[i], i + 1));
	obj = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I,"
	    " s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I},"
	    " s:{s:I, s:I, s:I}, s:o}",
	    "version", (json_int_t)LEDGER_VERSION,
	    "network", m->network,
	    "day", m->day,
	    "day_start", (json_int_t)p->day_start,
	    "day_end", (json_int_t)p->day_end,
	    "created", (json_int_t)m->created,
	    "budget", (json_int_t)p->budget,
	    "distributed", (json_int_t)l->distributed,
	    "observed_seconds", (json_int_t)l->observed_seconds,
	    "pools",
	    "uptime", (json_int_t)l->pool_uptime,
	    "storage", (json_int_t)l->pool_storage,
	    "relay", (json_int_t)l->pool_relay,
	    "rules",
	    "max_per_asn", (json_int_t)p->max_per_asn,
	    "max_per_net16", (json_int_t)p->max_per_net16,
	    "probation_seconds", (json_int_t)p->probation,
	    "min_checks", (json_int_t)p->min_checks,
	    "max_gap_seconds", (json_int_t)p->max_gap,
	    "score_unit", (json_int_t)REWARDS_PPM,
	    "shares_percent",
	    "uptime", (json_int_t)REWARDS_SHARE_UPTIME,
	    "storage", (json_int_t)REWARDS_SHARE_STORAGE,
	    "relay", (json_int_t)REWARDS_SHARE_RELAY,
	    "identities", ids);
	return obj;
}

int
ledger_load_key(const char *path, unsigned char sk[64], char *err,
    size_t errlen)
{
	unsigned char	 seed[32], pk[32];
	char		 hex[65], line[66];
	struct stat	 sb;
	char		*buf;
	size_t		 len;

	if (stat(path, &sb) == -1) {
		if (errno != ENOENT) {
			str_errf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		randombytes_buf(seed, sizeof(seed));
		sodium_bin2hex(hex, sizeof(hex), seed, sizeof(seed));
		snprintf(line, sizeof(line), "%s\n", hex);
		sodium_memzero(hex, sizeof(hex));
		if (atomicfile_write(path, line, strlen(line), 0600, err,
		    errlen) == -1)
			return -1;
		sodium_memzero(line, sizeof(line));
	} else if ((sb.st_mode & 077) != 0) {
		str_errf(err, errlen, "%s: the signing key is readable by others "
		    "(chmod 600)", path);
		return -1;
	} else {
		if ((buf = atomicfile_read(path, MAX_KEYFILE, &len, err,
		    errlen)) == NULL)
			return -1;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		buf[len] = '\0';
		if (unhex(buf, seed, sizeof(seed)) == -1) {
			sodium_memzero(buf, len);
			free(buf);
			str_errf(err, errlen, "%s: want 64 lower-case hex digits "
			    "(an Ed25519 seed)", path);
			return -1;
		}
		sodium_memzero(buf, len);
		free(buf);
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

/* The signed message of OBJ (without "signature"): tag + canonical dump. */
static char *
signed_bytes(json_t *obj, size_t *len)
{
	json_t	*copy;
	char	*dump, *msg;
	size_t	 tl = strlen(LEDGER_SIG_TAG);

	copy = json_copy(obj);
	json_object_del(copy, "signature");
	dump = json_dumps(copy, DUMP_FLAGS);
	json_decref(copy);
	if (dump == NULL)
		return NULL;
	*len = tl + strlen(dump);
	msg = xmalloc(*len + 1);
	memcpy(msg, LEDGER_SIG_TAG, tl);
	memcpy(msg + tl, dump, strlen(dump) + 1);
	free(dump);
	return msg;
}

/* The file bytes of OBJ: canonical dump plus a newline. */
static char *
file_bytes(json_t *obj, size_t *len)
{
	char	*dump, *out;

	if ((dump = json_dumps(obj, DUMP_FLAGS)) == NULL)
		return NULL;
	out = xasprintf("%s\n", dump);
	free(dump);
	*len = strlen(out);
	return out;
}

int
ledger_sign(json_t *obj, const unsigned char sk[64], char **out,
    size_t *outlen, char *err, size_t errlen)
{
	unsigned char	 sig[crypto_sign_BYTES];
	char		 pkhex[65], sighex[2 * crypto_sign_BYTES + 1];
	char		*msg;
	size_t		 mlen;

	/* libsodium's secret key ends with the public key. */
	sodium_bin2hex(pkhex, sizeof(pkhex), sk + 32, 32);
	json_object_set_new(obj, "signer", json_string(pkhex));
	if ((msg = signed_bytes(obj, &mlen)) == NULL) {
		str_errf(err, errlen, "cannot serialise the ledger");
		return -1;
	}
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, mlen, sk);
	free(msg);
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));
	json_object_set_new(obj, "signature", json_string(sighex));
	if ((*out = file_bytes(obj, outlen)) == NULL) {
		str_errf(err, errlen, "cannot serialise the ledger");
		return -1;
	}
	return 0;
}

/* Verify the parsed OBJ whose file bytes were BUF/LEN. */
static int
verify_obj(json_t *obj, const char *buf, size_t len, const char *pubkey_hex,
    char *err, size_t errlen)
{
	unsigned char	 pk[32], sig[crypto_sign_BYTES];
	const char	*signer, *sighex;
	char		*canon, *msg;
	size_t		 clen, mlen;
	int		 bad;

	signer = json_string_value(json_object_get(obj, "signer"));
	sighex = json_string_value(json_object_get(obj, "signature"));
	if (signer == NULL || sighex == NULL) {
		str_errf(err, errlen, "not a signed ledger (no signer or signature)");
		return -1;
	}
	if (unhex(signer, pk, sizeof(pk)) == -1 ||
	    unhex(sighex, sig, sizeof(sig)) == -1) {
		str_errf(err, errlen, "signer or signature is not lower-case hex "
		    "of the right length");
		return -1;
	}
	if (pubkey_hex != NULL && strcmp(pubkey_hex, signer) != 0) {
		str_errf(err, errlen, "signed by %s, not by the expected key %s",
		    signer, pubkey_hex);
		return -1;
	}
	if ((canon = file_bytes(obj, &clen)) == NULL) {
		str_errf(err, errlen, "cannot serialise the ledger");
		return -1;
	}
	bad = clen != len || memcmp(canon, buf, len) != 0;
	free(canon);
	if (bad) {
		str_errf(err, errlen, "not in canonical form (sorted keys, no "
		    "whitespace, one final newline): changed after signing?");
		return -1;
	}
	if ((msg = signed_bytes(obj, &mlen)) == NULL) {
		str_errf(err, errlen, "cannot serialise the ledger");
		return -1;
	}
	bad = crypto_sign_verify_detached(sig, (const unsigned char *)msg, mlen,
	    pk) != 0;
	free(msg);
	if (bad) {
		str_errf(err, errlen, "BAD signature: the ledger was not signed "
		    "by %s as it is", signer);
		return -1;
	}
	return 0;
}

int
ledger_verify(const char *buf, size_t len, const char *pubkey_hex,
    char *err, size_t errlen)
{
	json_error_t	 je;
	json_t		*obj;
	int		 rc;

	obj = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (obj == NULL || !json_is_object(obj)) {
		str_errf(err, errlen, "not a JSON object: %s (line %d)",
		    obj == NULL ? je.text : "", obj == NULL ? je.line : 0);
		json_decref(obj);
		return -1;
	}
	rc = verify_obj(obj, buf, len, pubkey_hex, err, errlen);
	json_decref(obj);
	return rc;
}
