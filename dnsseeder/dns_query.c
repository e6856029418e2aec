/* dns_query.c -- strict, allocation-free parser for untrusted DNS queries.
 *
 * Hand-rolled rather than ldns_wire2pkt: ldns allocates a packet, every
 * record and every rdf per query (356 ns for a plain A query on the
 * reference machine, docs/BENCHMARKS.md), and it happily accepts what an
 * authoritative server should refuse (pointers in the question, trailing
 * bytes).  Every read goes through struct rbuf, so nothing here indexes
 * the packet without a bounds check. */
#include "dns_query.h"

#include <string.h>

#include "buf.h"

/* A compression pointer must point strictly backwards, which alone rules
 * out loops; the hop cap bounds the work on long backward chains. */
#define MAX_POINTER_HOPS 64

/* Read one possibly compressed name (additional or authority section).
 * Returns false on anything malformed; on success the cursor is past the
 * name as it sits in the record (a pointer ends it).  *IS_ROOT tells
 * whether the name is the root.  OUT, when not NULL, receives the name
 * uncompressed (DNS_MAX_NAME bytes of room) and *OUTLEN its length. */
static bool
read_name(struct rbuf *r, bool *is_root, uint8_t *out, size_t *outlen)
{
	struct rbuf walk = *r;
	size_t total = 1, hops = 0;
	bool jumped = false, first = true;
	uint8_t len, lo;

	*is_root = false;
	for (;;) {
		size_t at = walk.pos;

		if (!rbuf_u8(&walk, &len))
			return false;
		if (len == 0) {
			*is_root = first;
			break;
		}
		first = false;
		if ((len & 0xc0) == 0xc0) {
			size_t target;

			if (!rbuf_u8(&walk, &lo))
				return false;
			target = ((size_t)(len & 0x3f) << 8) | lo;
			if (target >= at || ++hops > MAX_POINTER_HOPS)
				return false;
			if (!jumped)
				r->pos = walk.pos;
			jumped = true;
			walk.pos = target;
			continue;
		}
		if ((len & 0xc0) != 0)
			return false;	/* extended / reserved label types */
		if (total + 1 + (size_t)len > DNS_MAX_NAME || !rbuf_skip(&walk, len))
			return false;
		if (out != NULL)
			memcpy(out + total - 1, walk.data + at, 1 + (size_t)len);
		total += 1 + (size_t)len;
	}
	if (!jumped)
		r->pos = walk.pos;
	if (out != NULL) {
		out[total - 1] = 0;
		*outlen = total;
	}
	return true;
}

/* Skip one whole resource record. */
static bool
skip_rr(struct rbuf *r)
{
	uint16_t rdlen;
	bool root;

	return read_name(r, &root, NULL, NULL) && rbuf_skip(r, 8) &&
	    rbuf_u16be(r, &rdlen) && rbuf_skip(r, rdlen);
}

/* EDNS options: a sequence of (code, length, data) that must fill the
 * rdata exactly.  Unknown options are ignored (RFC 6891 6.1.2). */
static bool
check_options(const uint8_t *p, size_t len)
{
	struct rbuf r;
	uint16_t code, olen;

	rbuf_init(&r, p, len);
	while (rbuf_remaining(&r) > 0) {
		if (!rbuf_u16be(&r, &code) || !rbuf_u16be(&r, &olen) ||
		    !rbuf_skip(&r, olen))
			return false;
	}
	return true;
}

/* TSIG rdata (RFC 8945 4.2): algorithm name (never compressed), time
 * signed, fudge, MAC, original ID, error, other data; nothing after. */
static bool
parse_tsig(const uint8_t *rd, size_t len, struct dnsq *q)
{
	struct rbuf r;
	uint16_t macsize, err, olen;
	uint8_t l;

	rbuf_init(&r, rd, len);
	do {
		if (!rbuf_u8(&r, &l) || (l & 0xc0) != 0 || !rbuf_skip(&r, l))
			return false;
	} while (l != 0);
	if (r.pos > DNS_MAX_NAME || r.pos < 2)
		return false;
	q->tsig_alg = rd;
	q->tsig_alglen = r.pos;
	if ((q->tsig_time = rbuf_peek(&r, 8)) == NULL)
		return false;
	r.pos += 8;
	return rbuf_u16be(&r, &macsize) && rbuf_skip(&r, macsize) &&
	    rbuf_u16be(&r, &q->tsig_orig_id) && rbuf_u16be(&r, &err) &&
	    rbuf_u16be(&r, &olen) && rbuf_skip(&r, olen) && rbuf_remaining(&r) == 0;
}

static enum dnsq_status
formerr(struct dnsq *q, const char *why)
{
	q->why = why;
	return DNSQ_FORMERR;
}

/* The question name at the cursor: plain labels only. */
static bool
parse_qname(struct rbuf *r, struct dnsq *q)
{
	size_t start = r->pos, total = 1;
	uint8_t len;

	q->nlabels = 0;
	for (;;) {
		size_t at = r->pos;

		if (!rbuf_u8(r, &len))
			return false;
		if (len == 0)
			break;
		if ((len & 0xc0) != 0)
			return false;	/* nothing before it to point at */
		total += 1 + (size_t)len;
		if (total > DNS_MAX_NAME || !rbuf_skip(r, len))
			return false;
		/* 255 bytes hold at most 127 labels, so this never overflows. */
		q->label[q->nlabels++] = (uint8_t)(at - start);
	}
	q->qnamelen = r->pos - start;
	return true;
}

static bool
parse_question(struct rbuf *r, struct dnsq *q)
{
	size_t start = r->pos;

	if (!parse_qname(r, q) || !rbuf_u16be(r, &q->qtype) ||
	    !rbuf_u16be(r, &q->qclass))
		return false;
	q->question = r->data + start;
	q->qlen = r->pos - start;
	return true;
}

/* The first problem decides the status; later ones only stop reading. */
#define FIRST_FORMERR(why_) do {						\
		if (st == DNSQ_OK)						\
			st = formerr(q, (why_));				\
	} while (0)

enum dnsq_status
dnsq_parse(const uint8_t *pkt, size_t len, struct dnsq *q)
{
	struct rbuf r;
	enum dnsq_status st = DNSQ_OK;
	uint16_t ancount, nscount, arcount, skipq = 0;

	/* Everything but the label offsets and the TSIG key, which are only
	 * read as far as NLABELS and TSIG say: clearing 380 bytes per
	 * query is work for nothing. */
	memset(q, 0, offsetof(struct dnsq, label));
	rbuf_init(&r, pkt, len);
	if (!rbuf_u16be(&r, &q->id) || !rbuf_u16be(&r, &q->flags) ||
	    !rbuf_u16be(&r, &q->qdcount) || !rbuf_u16be(&r, &ancount) ||
	    !rbuf_u16be(&r, &nscount) || !rbuf_u16be(&r, &arcount)) {
		q->why = "shorter than a header";
		return DNSQ_DROP;
	}
	if (q->flags & DNS_FLAG_QR) {
		q->why = "a response";
		return DNSQ_DROP;
	}
	if (DNS_OPCODE(q->flags) != 0) {
		/* Echo the question if there is a readable one, and look on
		 * for an OPT to answer with. */
		q->why = "opcode";
		st = DNSQ_NOTIMP;
		if (q->qdcount >= 1) {
			if (!parse_question(&r, q)) {
				q->question = NULL;
				return st;
			}
			skipq = q->qdcount - 1;
		}
	} else if (q->qdcount == 0)
		st = formerr(q, "no question");
	else if (!parse_question(&r, q))
		return formerr(q, "bad question");	/* the rest cannot be found */
	else if (q->qdcount != 1) {
		st = formerr(q, "several questions");
		skipq = q->qdcount - 1;
	}
	for (uint16_t i = 0; i < skipq; i++) {
		bool root;

		if (!read_name(&r, &root, NULL, NULL) || !rbuf_skip(&r, 4))
			return st;
	}
	if (ancount != 0)
		FIRST_FORMERR("records in answer or authority");
	if (nscount != 0 && (st != DNSQ_OK || q->qtype != DNS_TYPE_IXFR ||
	    nscount > DNS_IXFR_MAX_AUTH))
		FIRST_FORMERR("records in answer or authority");
	for (uint32_t i = 0; i < (uint32_t)ancount + nscount; i++)
		if (!skip_rr(&r)) {
			FIRST_FORMERR("truncated record");
			return st;
		}

	for (uint16_t i = 0; i < arcount; i++) {
		uint16_t type, class, ttl_hi, ttl_lo, rdlen;
		size_t start = r.pos;
		uint32_t ttl;
		const uint8_t *rdata;
		bool root;

		if (!read_name(&r, &root, NULL, NULL)) {
			FIRST_FORMERR("bad name in additional");
			return st;
		}
		if (!rbuf_u16be(&r, &type) || !rbuf_u16be(&r, &class) ||
		    !rbuf_u16be(&r, &ttl_hi) || !rbuf_u16be(&r, &ttl_lo) ||
		    !rbuf_u16be(&r, &rdlen)) {
			FIRST_FORMERR("truncated additional record");
			return st;
		}
		ttl = ((uint32_t)ttl_hi << 16) | ttl_lo;
		if ((rdata = rbuf_peek(&r, rdlen)) == NULL) {
			FIRST_FORMERR("truncated rdata");
			return st;
		}
		r.pos += rdlen;
		if (type == DNS_TYPE_TSIG) {
			struct rbuf owner = r;

			/* RFC 8945 5.2: the last record, and only one. */
			owner.pos = start;
			if (i + 1 != arcount)
				FIRST_FORMERR("TSIG not the last record");
			else if (class != DNS_CLASS_ANY || !parse_tsig(rdata, rdlen, q) ||
			    !read_name(&owner, &root, q->tsig_key, &q->tsig_keylen))
				FIRST_FORMERR("bad TSIG");
			else
				q->tsig = true;
			continue;
		}
		if (type != DNS_TYPE_OPT)
			continue;	/* SIG(0) ...: not offered, ignored */
		if (q->edns) {
			FIRST_FORMERR("several OPT records");
			continue;
		}
		q->edns = true;
		q->edns_udp = class;
		q->edns_version = (uint8_t)(ttl >> 16);
		q->edns_do = (ttl & DNS_EDNS_DO) != 0;
		if (!root)
			FIRST_FORMERR("OPT owner not root");
		else if (!check_options(rdata, rdlen))
			FIRST_FORMERR("bad EDNS option");
	}
	if (st != DNSQ_OK)
		return st;
	if (rbuf_remaining(&r) != 0)
		return formerr(q, "trailing bytes");
	if (q->qtype == DNS_TYPE_OPT)
		return formerr(q, "QTYPE OPT");
	if (q->edns && q->edns_version != 0) {
		q->why = "EDNS version";
		return DNSQ_BADVERS;
	}
	return DNSQ_OK;
}
