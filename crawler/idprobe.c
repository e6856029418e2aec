/* idprobe.c -- the identity part of a crawler visit: challenge, verification, record.
 *
 * The challenge binds the address the crawler dialled, so an answer
 * proves the key of whoever holds that address: a host relaying our
 * challenge to another node gets no signature for its own address (the
 * node signs only for addresses that are its own).  The reward address is
 * checked by the decoder (printable ASCII, at most 90 bytes) and is
 * stored as received. */
#include "idprobe.h"

#include <string.h>

#include "crawldb.h"
#include "rnd.h"
#include "strutil.h"

bool
idprobe_wanted(const struct msg_version *v)
{
	return v->version >= PROTO_DATA_VERSION && (v->services & NODE_IDENTITY) != 0;
}

void
idprobe_challenge(struct idprobe *ip, const struct netaddr *dialled, struct msg *out)
{
	memset(ip, 0, sizeof(*ip));
	rnd_bytes(ip->challenge.nonce, sizeof(ip->challenge.nonce));
	ip->challenge.addr = *dialled;
	ip->asked = true;
	msg_getidentity_init(out, &ip->challenge);
}

bool
idprobe_answer(struct idprobe *ip, const uint8_t magic[4], const struct idproof_answer *a)
{
	if (!ip->asked || ip->answered)
		return ip->proven;
	ip->answered = true;
	if (!idproof_verify(magic, &ip->challenge, a))
		return false;
	ip->proven = true;
	idproof_pubkey_hex(a->pubkey, ip->pubkey);
	str_copy(ip->reward, a->reward, sizeof(ip->reward));
	return true;
}

int
idprobe_record(struct crawldb *db, struct crawldb_node *rec, const struct idprobe *ip,
    int64_t now, char *err, size_t errlen)
{
	bool proven = ip != NULL && ip->proven;
	int fields = 0;

	if (proven && (strcmp(rec->identity, ip->pubkey) != 0 ||
	    strcmp(rec->reward_address, ip->reward) != 0)) {
		str_copy(rec->identity, ip->pubkey, sizeof(rec->identity));
		str_copy(rec->reward_address, ip->reward, sizeof(rec->reward_address));
		fields |= CRAWLDB_PUT_IDENTITY;
	}
	/* Uptime is only ever asked of identities: other addresses' visits
	 * are in the nodes table's counters already. */
	if (rec->identity[0] == '\0')
		return fields;
	if (crawldb_add_visit(db, rec->network, &rec->addr, now, proven,
	    proven ? ip->pubkey : "", err, errlen) == -1)
		return -1;
	return fields;
}
