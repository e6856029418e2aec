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

/* Skip one possibly compressed name in the additional section.  Returns
 * false on anything malformed; on success the cursor is past the name as
 * it sits in the record (a pointer ends it).  *IS_ROOT tells whether the
 * name is the root. */
static bool
skip_name(struct rbuf *r, bool *is_root)
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
		total += 1 + (size_t)len;
		if (total > DNS_MAX_NAME || !rbuf_skip(&walk, len))
			return false;
	}
	if (!jumped)
		r->pos = walk.pos;
	return true;
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

enum dnsq_status
dnsq_parse(const uint8_t *pkt, size_t len, struct dnsq *q)
{
	struct rbuf r;
	uint16_t ancount, nscount, arcount;

	/* Everything but the label offsets, which only count up to
	 * nlabels: clearing 127 bytes per query is work for nothing. */
	memset(q, 0, offsetof(struct dnsq, label));
	q->edns = false;
	q->edns_do = false;
	q->edns_version = 0;
	q->edns_udp = 0;
	q->why = NULL;
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
		/* Echo the question if there is a readable one. */
		if (q->qdcount >= 1 && !parse_question(&r, q))
			q->question = NULL;
		q->why = "opcode";
		return DNSQ_NOTIMP;
	}
	if (q->qdcount == 0)
		return formerr(q, "no question");
	if (!parse_question(&r, q))
		return formerr(q, "bad question");
	if (q->qdcount != 1)
		return formerr(q, "several questions");
	if (ancount != 0 || nscount != 0)
		return formerr(q, "records in answer or authority");

	for (uint16_t i = 0; i < arcount; i++) {
		uint16_t type, class, ttl_hi, ttl_lo, rdlen;
		uint32_t ttl;
		const uint8_t *rdata;
		bool root;

		if (!skip_name(&r, &root))
			return formerr(q, "bad name in additional");
		if (!rbuf_u16be(&r, &type) || !rbuf_u16be(&r, &class) ||
		    !rbuf_u16be(&r, &ttl_hi) || !rbuf_u16be(&r, &ttl_lo) ||
		    !rbuf_u16be(&r, &rdlen))
			return formerr(q, "truncated additional record");
		ttl = ((uint32_t)ttl_hi << 16) | ttl_lo;
		if ((rdata = rbuf_peek(&r, rdlen)) == NULL)
			return formerr(q, "truncated rdata");
		r.pos += rdlen;
		if (type != DNS_TYPE_OPT)
			continue;	/* TSIG, SIG(0) ...: not offered, ignored */
		if (q->edns)
			return formerr(q, "several OPT records");
		q->edns = true;
		q->edns_udp = class;
		q->edns_version = (uint8_t)(ttl >> 16);
		q->edns_do = (ttl & DNS_EDNS_DO) != 0;
		if (!root)
			return formerr(q, "OPT owner not root");
		if (!check_options(rdata, rdlen))
			return formerr(q, "bad EDNS option");
	}
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
