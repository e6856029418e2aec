/* dns_answer.c -- authoritative replies for the seed zone, built from precomputed wire fragments.
 *
 * The hot path copies the question verbatim and appends fixed 12-byte
 * record heads plus the sampled addresses: no allocation, no name
 * compression table, no ldns (building a 25-record answer with ldns costs
 * about 9 us, more than NSD's whole per-query budget on this machine; see
 * docs/BENCHMARKS.md).  ldns is used where speed does not matter: turning
 * the configured names into wire form at start-up.
 *
 * Owner names are compression pointers into the question, so answers
 * carry the query's letter case (0x20) and the SOA of a negative answer is
 * owned by the apex, not by the query name.
 *
 * A signed zone (dns_sign) answers queries with the DO bit from RRsets
 * signed in advance, written the same way: copied bytes, owners pointing
 * into the question. */
#include "dns_answer.h"

#include <string.h>

#include <ldns/ldns.h>

#include "strutil.h"

/* Room the OPT record takes in a reply. */
#define OPT_LEN		11
/* Room an unsigned TSIG error record takes: owner, 10 bytes of type,
 * class, TTL and rdlength, then the algorithm and 16 bytes of time
 * signed, fudge, MAC size, original ID, error and other length. */
#define TSIG_ERR_LEN(q)	((q)->tsig_keylen + 10 + (q)->tsig_alglen + 16)

/* A bounded writer over the caller's output buffer.  Sizes are computed
 * before writing, so running out of room is a bug; the checks make it a
 * dropped reply rather than an overflow. */
struct out {
	uint8_t	*p;
	size_t	 len, cap;
	bool	 over;
};

static inline void
put_bytes(struct out *o, const void *b, size_t n)
{
	if (o->over || o->cap - o->len < n) {
		o->over = true;
		return;
	}
	memcpy(o->p + o->len, b, n);
	o->len += n;
}

static inline void
put16(struct out *o, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put_bytes(o, b, 2);
}

static inline void
put32(struct out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
	    (uint8_t)v };

	put_bytes(o, b, 4);
}

static inline void
set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* NAME in presentation form to wire form in OUT (>= DNS_MAX_NAME bytes).
 * Returns the length, or 0 when ldns refuses it. */
static size_t
name_to_wire(const char *name, uint8_t *out, uint8_t *labels)
{
	ldns_rdf *rdf;
	size_t n;

	if (name == NULL || *name == '\0' || strcmp(name, ".") == 0)
		return 0;
	if ((rdf = ldns_dname_new_frm_str(name)) == NULL)
		return 0;
	n = ldns_rdf_size(rdf);
	if (n > DNS_MAX_NAME || n < 2) {
		ldns_rdf_deep_free(rdf);
		return 0;
	}
	ldns_dname2canonical(rdf);
	memcpy(out, ldns_rdf_data(rdf), n);
	if (labels != NULL)
		*labels = ldns_dname_label_count(rdf);
	ldns_rdf_deep_free(rdf);
	return n;
}

/* An SOA RNAME: "hostmaster@example.org" becomes hostmaster.example.org
 * with dots in the local part escaped (RFC 1035 8). */
static size_t
mbox_to_wire(const char *mbox, uint8_t *out)
{
	char buf[2 * DNS_MAX_NAME + 2];
	const char *at;
	size_t w = 0;

	if (mbox == NULL || (at = strchr(mbox, '@')) == NULL)
		return name_to_wire(mbox, out, NULL);
	for (const char *p = mbox; p < at; p++) {
		if (w + 3 >= sizeof(buf))
			return 0;
		if (*p == '.')
			buf[w++] = '\\';
		buf[w++] = *p;
	}
	if (w == 0 || strchr(at + 1, '@') != NULL)
		return 0;
	buf[w++] = '.';
	if (!str_copy(buf + w, at + 1, sizeof(buf) - w))
		return 0;
	return name_to_wire(buf, out, NULL);
}

static void
rr_head(uint8_t h[12], uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	h[0] = 0xc0;
	h[1] = DNS_HEADER_LEN;		/* the question's name */
	set16(h + 2, type);
	set16(h + 4, DNS_CLASS_IN);
	h[6] = (uint8_t)(ttl >> 24);
	h[7] = (uint8_t)(ttl >> 16);
	h[8] = (uint8_t)(ttl >> 8);
	h[9] = (uint8_t)ttl;
	set16(h + 10, rdlen);
}

static bool
is_subdomain_or_equal(const uint8_t *name, size_t len, const uint8_t *apex,
    size_t apexlen)
{
	size_t off = 0;

	/* Walk label boundaries until the remaining suffix is apex-sized. */
	while (len - off > apexlen) {
		off += 1 + (size_t)name[off];
		if (off >= len)
			return false;
	}
	return len - off == apexlen && memcmp(name + off, apex, apexlen) == 0;
}

int
dnsa_zone_init(struct dnsa_zone *z, const struct dnsa_config *cfg, char *err,
    size_t errlen)
{
	uint8_t mname[DNS_MAX_NAME], rname[DNS_MAX_NAME];
	size_t ml, rl;
	struct out o;

	memset(z, 0, sizeof(*z));
	if ((z->apexlen = name_to_wire(cfg->host, z->apex, &z->apex_labels)) == 0) {
		str_errf(err, errlen, "--host: '%s' is not a valid domain name",
		    cfg->host ? cfg->host : "");
		return -1;
	}
	if ((ml = name_to_wire(cfg->ns, mname, NULL)) == 0) {
		str_errf(err, errlen, "--ns: '%s' is not a valid domain name",
		    cfg->ns ? cfg->ns : "");
		return -1;
	}
	if ((rl = mbox_to_wire(cfg->mbox, rname)) == 0) {
		str_errf(err, errlen, "--mbox: '%s' is not a valid mailbox name",
		    cfg->mbox ? cfg->mbox : "");
		return -1;
	}
	if (cfg->ttl < DNSA_TTL_MIN || cfg->ttl > DNSA_TTL_MAX) {
		str_errf(err, errlen, "--ttl: %u is outside %d..%d", cfg->ttl,
		    DNSA_TTL_MIN, DNSA_TTL_MAX);
		return -1;
	}
	if (cfg->max_a < 1 || cfg->max_a > GOODSET_MAX_SAMPLE ||
	    cfg->max_aaaa < 1 || cfg->max_aaaa > GOODSET_MAX_SAMPLE) {
		str_errf(err, errlen, "answer counts must be within 1..%d",
		    GOODSET_MAX_SAMPLE);
		return -1;
	}
	z->ns_in_zone = is_subdomain_or_equal(mname, ml, z->apex, z->apexlen);
	z->ttl = cfg->ttl;
	z->max_a = cfg->max_a;
	z->max_aaaa = cfg->max_aaaa;
	z->services = cfg->services;
	memcpy(z->ns_rdata, mname, ml);
	z->ns_rdlen = ml;

	o = (struct out){ z->soa_rdata, 0, sizeof(z->soa_rdata), false };
	put_bytes(&o, mname, ml);
	put_bytes(&o, rname, rl);
	put32(&o, 1);			/* serial, see dnsa_zone_set_serial */
	put32(&o, DNSA_SOA_REFRESH);
	put32(&o, DNSA_SOA_RETRY);
	put32(&o, DNSA_SOA_EXPIRE);
	/* MINIMUM is the negative-caching TTL (RFC 2308): as long as the
	 * positive one, so a node set that was empty is asked again soon. */
	put32(&o, cfg->ttl);
	z->soa_rdlen = o.len;
	z->serial = 1;

	rr_head(z->a_head, DNS_TYPE_A, cfg->ttl, 4);
	rr_head(z->aaaa_head, DNS_TYPE_AAAA, cfg->ttl, 16);
	return 0;
}

void
dnsa_zone_set_signed(struct dnsa_zone *z, const struct dnss *sig)
{
	z->sig = sig;
}

void
dnsa_zone_sign_input(const struct dnsa_zone *z, struct dnss_zone *out)
{
	memset(out, 0, sizeof(*out));
	out->apex = z->apex;
	out->apexlen = z->apexlen;
	out->soa_rdata = z->soa_rdata;
	out->soa_rdlen = z->soa_rdlen;
	out->ns_rdata = z->ns_rdata;
	out->ns_rdlen = z->ns_rdlen;
	out->ttl = z->ttl;
	out->soa_ttl = DNSA_SOA_TTL;
	out->ns_ttl = DNSA_NS_TTL;
	out->hinfo_ttl = DNSA_HINFO_TTL;
	out->max_a = z->max_a;
	out->max_aaaa = z->max_aaaa;
	out->services = z->services;
}

void
dnsa_zone_set_serial(struct dnsa_zone *z, uint32_t serial)
{
	uint8_t *p = z->soa_rdata + z->soa_rdlen - 20;

	z->serial = serial;
	p[0] = (uint8_t)(serial >> 24);
	p[1] = (uint8_t)(serial >> 16);
	p[2] = (uint8_t)(serial >> 8);
	p[3] = (uint8_t)serial;
}

/* Where in the zone the question's name is. */
enum node_kind {
	NODE_OUTSIDE,		/* not in the zone: REFUSED */
	NODE_APEX,
	NODE_FILTER,		/* x<hex>.apex */
	NODE_NONE,		/* in the zone but no such name: NXDOMAIN */
};

/* "x" then 1..16 hex digits, no leading zero (one spelling per filter),
 * only bits in KNOWN.  Either letter case, as resolvers randomise it. */
static bool
parse_filter(const uint8_t *label, size_t len, uint64_t known, uint64_t *mask)
{
	uint64_t v = 0;

	if (len < 2 || len > 17 || (label[0] | 0x20) != 'x' || label[1] == '0')
		return false;
	for (size_t i = 1; i < len; i++) {
		uint8_t c = dnsq_lower(label[i]);
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a') + 10;
		else
			return false;
		v = (v << 4) | d;
	}
	if ((v & ~known) != 0)
		return false;
	*mask = v;
	return true;
}

static enum node_kind
classify(const struct dnsa_zone *z, const struct dnsq *q, uint64_t *mask)
{
	const uint8_t *name = q->question;
	size_t prefix, extra;

	if (q->qnamelen < z->apexlen || q->nlabels < z->apex_labels)
		return NODE_OUTSIDE;
	extra = q->nlabels - z->apex_labels;
	prefix = extra == 0 ? 0 : q->label[extra];
	if (q->qnamelen - prefix != z->apexlen)
		return NODE_OUTSIDE;
	for (size_t i = 0; i < z->apexlen; i++)
		if (dnsq_lower(name[prefix + i]) != z->apex[i])
			return NODE_OUTSIDE;
	*mask = 0;
	if (extra == 0)
		return NODE_APEX;
	if (extra == 1 && parse_filter(name + 1, name[0], z->services, mask))
		return NODE_FILTER;
	return NODE_NONE;
}

/* Header and question; the counts are patched at the end. */
static void
begin(struct out *o, const struct dnsq *q, uint16_t flags)
{
	put16(o, q->id);
	put16(o, flags);
	put16(o, q->question != NULL ? 1 : 0);
	put16(o, 0);
	put16(o, 0);
	put16(o, 0);
	if (q->question != NULL)
		put_bytes(o, q->question, q->qlen);
}

/* OPT (RFC 6891): root owner, our payload size, the upper bits of an
 * extended RCODE, version 0, DO copied from the query (RFC 3225 3). */
static void
put_opt(struct out *o, const struct dnsq *q, uint16_t rcode)
{
	put_bytes(o, "", 1);
	put16(o, DNS_TYPE_OPT);
	put16(o, DNSA_EDNS_MAX);
	put16(o, (uint16_t)((rcode >> 4) << 8));
	put16(o, q->edns_do ? DNS_EDNS_DO : 0);
	put16(o, 0);
}

static uint16_t
reply_flags(const struct dnsq *q, bool aa, uint16_t rcode)
{
	return DNS_FLAG_QR | (q->flags & (0x7800 | DNS_FLAG_RD | DNS_FLAG_CD)) |
	    (aa ? DNS_FLAG_AA : 0) | (rcode & 0xf);
}

/* The TSIG record of an error reply to a signed query: the query's key
 * name, algorithm, time signed, fudge and original ID, no MAC (the reply
 * is unsigned, RFC 8945 5.3.2) and the error BADKEY. */
static void
put_tsig_badkey(struct out *o, const struct dnsq *q)
{
	put_bytes(o, q->tsig_key, q->tsig_keylen);
	put16(o, DNS_TYPE_TSIG);
	put16(o, DNS_CLASS_ANY);
	put32(o, 0);
	put16(o, (uint16_t)(q->tsig_alglen + 16));
	put_bytes(o, q->tsig_alg, q->tsig_alglen);
	put_bytes(o, q->tsig_time, 8);
	put16(o, 0);			/* MAC size */
	put16(o, q->tsig_orig_id);
	put16(o, DNS_TSIG_BADKEY);
	put16(o, 0);			/* other length */
}

/* Finish: the OPT record (and the TSIG of a NOTAUTH) and the section
 * counts. */
static size_t
finish(struct out *o, const struct dnsq *q, uint16_t rcode, uint16_t an,
    uint16_t ns, struct dnsa_result *res)
{
	uint16_t ar = 0;

	if (q->edns) {
		put_opt(o, q, rcode);
		ar = 1;
	}
	if (q->tsig && rcode == DNS_RCODE_NOTAUTH) {
		put_tsig_badkey(o, q);
		ar++;
	}
	if (o->over) {
		res->dropped = true;
		return 0;
	}
	set16(o->p + 6, an);
	set16(o->p + 8, ns);
	set16(o->p + 10, ar);
	res->rcode = rcode;
	res->answers = an;
	res->nodata = rcode == DNS_RCODE_NOERROR && an == 0;
	return o->len;
}

/* A reply with no records: errors, REFUSED, the TC-only slip. */
static size_t
bare(struct out *o, const struct dnsq *q, bool aa, bool tc, uint16_t rcode,
    struct dnsa_result *res)
{
	begin(o, q, reply_flags(q, aa, rcode) | (tc ? DNS_FLAG_TC : 0));
	res->truncated = tc;
	return finish(o, q, rcode, 0, 0, res);
}

/* A signed query.  No key is configured, so every key is unknown: NOTAUTH
 * with an unsigned TSIG saying BADKEY (RFC 8945 5.2.2), as NSD answers.
 * When the question does not fit a plain UDP reply beside the TSIG it is
 * left out; when even that does not fit (names near 255 bytes), TC sends
 * the client to TCP. */
static size_t
tsig_error(struct out *o, const struct dnsq *q, struct dnsa_result *res)
{
	size_t need = DNS_HEADER_LEN + (q->edns ? OPT_LEN : 0) + TSIG_ERR_LEN(q);
	struct dnsq less;

	if (need + q->qlen <= o->cap)
		return bare(o, q, false, false, DNS_RCODE_NOTAUTH, res);
	less = *q;
	if (need <= o->cap)
		less.question = NULL;
	else
		less.tsig = false;
	return bare(o, &less, false, less.tsig == false, DNS_RCODE_NOTAUTH, res);
}

/* The apex SOA record; OWNER is the name's offset in the reply. */
static void
put_soa(struct out *o, const struct dnsa_zone *z, size_t owner, uint32_t ttl)
{
	put16(o, (uint16_t)(0xc000 | owner));
	put16(o, DNS_TYPE_SOA);
	put16(o, DNS_CLASS_IN);
	put32(o, ttl);
	put16(o, (uint16_t)z->soa_rdlen);
	put_bytes(o, z->soa_rdata, z->soa_rdlen);
}

/* NODATA or NXDOMAIN: the zone's SOA in the authority section, with the
 * negative-caching TTL. */
static size_t
negative(struct out *o, const struct dnsa_zone *z, const struct dnsq *q,
    uint16_t rcode, struct dnsa_result *res)
{
	begin(o, q, reply_flags(q, true, rcode));
	put_soa(o, z, DNS_HEADER_LEN + q->qnamelen - z->apexlen, z->ttl);
	return finish(o, q, rcode, 0, 1, res);
}

static size_t
addresses(struct out *o, const struct dnsa_zone *z, struct goodset *gs,
    struct goodset_rng *rng, const struct dnsq *q, uint64_t mask, size_t limit,
    struct dnsa_result *res)
{
	const uint8_t *ips[GOODSET_MAX_SAMPLE];
	bool v4 = q->qtype == DNS_TYPE_A;
	size_t alen = v4 ? 4 : 16, rrlen = 12 + alen, got, fit, room;
	const uint8_t *head = v4 ? z->a_head : z->aaaa_head;
	uint16_t flags = reply_flags(q, true, DNS_RCODE_NOERROR);

	got = gs == NULL ? 0 : goodset_sample(gs, v4 ? GOODSET_V4 : GOODSET_V6,
	    mask, v4 ? z->max_a : z->max_aaaa, rng, ips);
	if (got == 0)
		return negative(o, z, q, DNS_RCODE_NOERROR, res);
	/* Whole records only; what does not fit sets TC (RFC 2181 9) and a
	 * resolver that wants the rest asks again over TCP. */
	room = limit - DNS_HEADER_LEN - q->qlen - (q->edns ? OPT_LEN : 0);
	fit = room / rrlen;
	if (got > fit) {
		got = fit;
		flags |= DNS_FLAG_TC;
		res->truncated = true;
	}
	begin(o, q, flags);
	if (o->cap - o->len < got * rrlen) {
		o->over = true;
		return finish(o, q, DNS_RCODE_NOERROR, 0, 0, res);
	}
	for (size_t i = 0; i < got; i++) {
		uint8_t *p = o->p + o->len;

		memcpy(p, head, 12);
		memcpy(p + 12, ips[i], alen);
		o->len += rrlen;
	}
	return finish(o, q, DNS_RCODE_NOERROR, (uint16_t)got, 0, res);
}

/* --- signed answers ---------------------------------------------------------- */

/* An owner name for a record in a reply: a pointer, maybe after a label. */
struct owner {
	uint8_t	 b[2 + 64];
	size_t	 len;
};

static void
owner_ptr(struct owner *w, size_t off)
{
	w->b[0] = (uint8_t)(0xc0 | (off >> 8));
	w->b[1] = (uint8_t)off;
	w->len = 2;
}

/* NODE's name: its label, then a pointer to the apex inside the question. */
static void
owner_node(struct owner *w, const struct dnsa_zone *z, const struct dnsq *q, int node)
{
	const uint8_t *label = dnss_label(z->sig, node);
	size_t apex = DNS_HEADER_LEN + q->qnamelen - z->apexlen, l = 0;

	if (label != NULL) {
		l = 1 + (size_t)label[0];
		memcpy(w->b, label, l);
	}
	w->b[l] = (uint8_t)(0xc0 | (apex >> 8));
	w->b[l + 1] = (uint8_t)apex;
	w->len = l + 2;
}

/* Bytes RR takes with owner W, with or without its RRSIGs. */
static size_t
rrset_size(const struct dnss_rrset *rr, const struct owner *w, bool sigs)
{
	size_t n = sigs ? rr->nrec : (size_t)(rr->nrec - rr->nsig);

	return (sigs ? rr->len : rr->len_data) + n * (w->len - 2);
}

/* Write RR with owner W; its RRSIGs only when SIGS.  Returns the records
 * written. */
static uint16_t
put_rrset(struct out *o, const struct dnss_rrset *rr, const struct owner *w, bool sigs)
{
	size_t end = sigs ? rr->len : rr->len_data, p = 0;
	uint16_t n = 0;

	if (w->len == 2 && w->b[0] == 0xc0 && w->b[1] == DNS_HEADER_LEN) {
		/* Owned by the question's name, as stored. */
		put_bytes(o, rr->wire, end);
		return (uint16_t)(sigs ? rr->nrec : rr->nrec - rr->nsig);
	}
	while (p + 12 <= end) {
		size_t len = 12 + ((size_t)rr->wire[p + 10] << 8 | rr->wire[p + 11]);

		put_bytes(o, w->b, w->len);
		put_bytes(o, rr->wire + p + 2, len - 2);
		p += len;
		n++;
	}
	return n;
}

/* A positive answer from a signed zone: RR owned by the question's name. */
static size_t
signed_positive(struct out *o, const struct dnsq *q, const struct dnss_rrset *rr, bool sigs,
    size_t limit, struct dnsa_result *res)
{
	struct owner w;
	uint16_t an;

	owner_ptr(&w, DNS_HEADER_LEN);
	if (DNS_HEADER_LEN + q->qlen + rrset_size(rr, &w, sigs) + (q->edns ? OPT_LEN : 0) >
	    limit)
		return bare(o, q, true, true, DNS_RCODE_NOERROR, res);
	begin(o, q, reply_flags(q, true, DNS_RCODE_NOERROR));
	an = put_rrset(o, rr, &w, sigs);
	res->dnssec = sigs;
	if (finish(o, q, DNS_RCODE_NOERROR, an, 0, res) == 0)
		return 0;
	res->answers = (uint16_t)(rr->nrec - rr->nsig);
	return o->len;
}

/* NODATA at NODE (>= 0) or NXDOMAIN (NODE < 0), with the proof: the SOA,
 * the NSEC of NODE, or the NSECs covering the name and the wildcard at
 * its closest encloser, all with their RRSIGs. */
static size_t
signed_negative(struct out *o, const struct dnsa_zone *z, const struct dnsq *q, int node,
    size_t limit, struct dnsa_result *res)
{
	const struct dnss_rrset *soa = dnss_soa_negative(z->sig), *nsec[2] = { NULL, NULL };
	uint16_t rcode = node < 0 ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR, ns;
	struct owner wsoa, w[2];
	size_t need;

	owner_ptr(&wsoa, DNS_HEADER_LEN + q->qnamelen - z->apexlen);
	if (node >= 0) {
		nsec[0] = dnss_rrset(z->sig, node, DNS_TYPE_NSEC);
		owner_ptr(&w[0], DNS_HEADER_LEN);
	} else {
		size_t extra = (size_t)(q->nlabels - z->apex_labels);
		int cover, wild;

		dnss_cover(z->sig, q->question + q->label[extra - 1], extra > 1, &cover, &wild);
		nsec[0] = dnss_rrset(z->sig, cover, DNS_TYPE_NSEC);
		owner_node(&w[0], z, q, cover);
		if (wild != cover) {
			nsec[1] = dnss_rrset(z->sig, wild, DNS_TYPE_NSEC);
			owner_node(&w[1], z, q, wild);
		}
	}
	need = DNS_HEADER_LEN + q->qlen + rrset_size(soa, &wsoa, true) +
	    rrset_size(nsec[0], &w[0], true) + (q->edns ? OPT_LEN : 0);
	if (nsec[1] != NULL)
		need += rrset_size(nsec[1], &w[1], true);
	if (need > limit)
		return bare(o, q, true, true, rcode, res);
	begin(o, q, reply_flags(q, true, rcode));
	ns = put_rrset(o, soa, &wsoa, true);
	ns += put_rrset(o, nsec[0], &w[0], true);
	if (nsec[1] != NULL)
		ns += put_rrset(o, nsec[1], &w[1], true);
	res->dnssec = true;
	return finish(o, q, rcode, 0, ns, res);
}

/* A query with DO to a signed zone, for a name in it. */
static size_t
signed_answer(struct out *o, const struct dnsa_zone *z, struct goodset_rng *rng,
    const struct dnsq *q, enum node_kind kind, uint64_t mask, size_t limit,
    struct dnsa_result *res)
{
	const struct dnss_rrset *rr;
	int node = kind == NODE_NONE ? -1 : dnss_node(z->sig, kind == NODE_APEX ? 0 : mask);

	if (node < 0)
		return signed_negative(o, z, q, -1, limit, res);
	switch (q->qtype) {
	case DNS_TYPE_A:
		rr = dnss_pick(z->sig, node, GOODSET_V4, rng);
		break;
	case DNS_TYPE_AAAA:
		rr = dnss_pick(z->sig, node, GOODSET_V6, rng);
		break;
	case DNS_TYPE_ANY:
		rr = dnss_rrset(z->sig, node, DNS_TYPE_HINFO);
		break;
	default:
		rr = dnss_rrset(z->sig, node, q->qtype);
		break;
	}
	if (rr == NULL)
		return signed_negative(o, z, q, node, limit, res);
	return signed_positive(o, q, rr, true, limit, res);
}

size_t
dnsa_respond(const struct dnsa_zone *z, struct goodset *gs,
    struct goodset_rng *rng, const uint8_t *pkt, size_t len, unsigned flags,
    uint8_t *out, size_t outcap, struct dnsa_result *res)
{
	struct dnsq q;
	struct out o;
	enum dnsq_status st;
	enum node_kind kind;
	uint64_t mask = 0;
	size_t limit;
	bool signed_do;

	memset(res, 0, sizeof(*res));
	st = dnsq_parse(pkt, len, &q);
	res->why = q.why;
	if (st == DNSQ_DROP || outcap < DNSA_OUT_MIN) {
		res->dropped = true;
		return 0;
	}
	res->has_question = q.question != NULL;
	res->qtype = q.question != NULL ? q.qtype : 0;
	res->edns = q.edns;
	if (flags & DNSA_TCP)
		limit = outcap < 65535 ? outcap : 65535;
	else if (q.edns)
		limit = q.edns_udp < DNS_UDP_PLAIN ? DNS_UDP_PLAIN :
		    q.edns_udp > DNSA_EDNS_MAX ? DNSA_EDNS_MAX : q.edns_udp;
	else
		limit = DNS_UDP_PLAIN;
	o = (struct out){ out, 0, limit, false };

	switch (st) {
	case DNSQ_FORMERR:
		return bare(&o, &q, false, false, DNS_RCODE_FORMERR, res);
	case DNSQ_NOTIMP:
		return bare(&o, &q, false, false, DNS_RCODE_NOTIMP, res);
	case DNSQ_BADVERS:
		return bare(&o, &q, false, false, DNS_RCODE_BADVERS, res);
	default:
		break;
	}
	if (q.tsig)
		return tsig_error(&o, &q, res);
	if (q.qclass != DNS_CLASS_IN ||
	    (kind = classify(z, &q, &mask)) == NODE_OUTSIDE)
		return bare(&o, &q, false, false, DNS_RCODE_REFUSED, res);
	switch (q.qtype) {
	case DNS_TYPE_AXFR:
	case DNS_TYPE_IXFR:
		/* No transfers: the zone is a different sample every time. */
		return bare(&o, &q, false, false, DNS_RCODE_REFUSED, res);
	case DNS_TYPE_MAILA:
	case DNS_TYPE_MAILB:
		return bare(&o, &q, false, false, DNS_RCODE_NOTIMP, res);
	default:
		break;
	}
	signed_do = z->sig != NULL && q.edns_do;
	/* A plain NXDOMAIN is small; a signed one is not, and is slipped
	 * like every answer. */
	if (kind == NODE_NONE && !signed_do)
		return negative(&o, z, &q, DNS_RCODE_NXDOMAIN, res);
	if (flags & DNSA_SLIP)
		return bare(&o, &q, true, true, DNS_RCODE_NOERROR, res);
	if (signed_do)
		return signed_answer(&o, z, rng, &q, kind, mask, limit, res);

	switch (q.qtype) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		return addresses(&o, z, gs, rng, &q, mask, limit, res);
	case DNS_TYPE_SOA:
		if (kind != NODE_APEX)
			break;
		begin(&o, &q, reply_flags(&q, true, DNS_RCODE_NOERROR));
		put_soa(&o, z, DNS_HEADER_LEN, DNSA_SOA_TTL);
		return finish(&o, &q, DNS_RCODE_NOERROR, 1, 0, res);
	case DNS_TYPE_NS:
		if (kind != NODE_APEX)
			break;
		begin(&o, &q, reply_flags(&q, true, DNS_RCODE_NOERROR));
		put16(&o, 0xc000 | DNS_HEADER_LEN);
		put16(&o, DNS_TYPE_NS);
		put16(&o, DNS_CLASS_IN);
		put32(&o, DNSA_NS_TTL);
		put16(&o, (uint16_t)z->ns_rdlen);
		put_bytes(&o, z->ns_rdata, z->ns_rdlen);
		return finish(&o, &q, DNS_RCODE_NOERROR, 1, 0, res);
	case DNS_TYPE_ANY:
		/* RFC 8482 4.2: one small synthesised HINFO instead of every
		 * record, so the seeder is no amplifier. */
		begin(&o, &q, reply_flags(&q, true, DNS_RCODE_NOERROR));
		put16(&o, 0xc000 | DNS_HEADER_LEN);
		put16(&o, DNS_TYPE_HINFO);
		put16(&o, DNS_CLASS_IN);
		put32(&o, DNSA_HINFO_TTL);
		put16(&o, 9);
		put_bytes(&o, "\7RFC8482\0", 9);
		return finish(&o, &q, DNS_RCODE_NOERROR, 1, 0, res);
	case DNS_TYPE_DNSKEY:
	case DNS_TYPE_HINFO:
	case DNS_TYPE_NSEC:
		/* Records only a signed zone has, without their RRSIGs. */
		if (z->sig != NULL) {
			int node = dnss_node(z->sig, kind == NODE_APEX ? 0 : mask);
			const struct dnss_rrset *rr = node < 0 ? NULL :
			    dnss_rrset(z->sig, node, q.qtype);

			if (rr != NULL)
				return signed_positive(&o, &q, rr, false, limit, res);
		}
		break;
	default:
		break;
	}
	return negative(&o, z, &q, DNS_RCODE_NOERROR, res);
}
