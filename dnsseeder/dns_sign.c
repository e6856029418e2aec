/* dns_sign.c -- the seed zone signed off the loop: pools of signed answers, the NSEC chain, DNSKEY.
 *
 * Randomness and signatures.  Every unsigned A/AAAA answer is a fresh
 * random sample; signing each one would cost an ECDSA signature per query
 * (about 50k/s per core here, a third of what the unsigned path serves).
 * Instead each reload (on the worker thread) draws K different samples
 * per name and family and signs each once, and a DO query gets one of
 * them at random: K signatures per reload, none per query, and the query
 * path stays a copy of precomputed bytes.  A client sees one of K sets
 * rather than one of all; with K = 64 and a reload a minute a resolver
 * still meets a new set nearly every time it asks.
 *
 * Denial of existence: a fixed NSEC chain over the zone's names, not
 * online "black lies" (RFC 4470, minimal covering NSEC made per query) or
 * NSEC3.  The names are public and few (the apex and the x<hex> filters,
 * 8 with today's three service bits), so zone walking reveals nothing the
 * manual does not; the chain is signed once per reload like everything
 * else, so no query needs a signature; NXDOMAIN stays NXDOMAIN (black lies
 * turn it into NODATA, which hides typos from operators); and validating
 * resolvers can answer whole ranges of random names from one cached NSEC
 * (RFC 8198), which blunts random-subdomain floods.  A name's bitmap lists
 * A or AAAA only while that pool has nodes, so an empty filter is a
 * provable NODATA.  HINFO "RFC8482" is a real record at every name, so
 * that ANY (answered with it, RFC 8482 4.2) has a signed answer that the
 * NSEC bitmaps agree with.
 *
 * ldns makes the records, the signatures (ldns_sign_public) and their
 * rdata in wire form; the owners are written here as compression pointers
 * so dns_answer can copy them straight into a reply. */
#include "dns_sign.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dns_query.h"
#include "hash.h"
#include "strutil.h"
#include "xmalloc.h"

/* Draws per pool before settling for fewer than K distinct sets. */
#define DRAWS(k)	(4 * (size_t)(k) + 16)
/* Room for one RRset with its signatures; ldns grows it when needed. */
#define RRSET_BUF	8192

struct pool {
	struct dnss_rrset *set;
	uint32_t	 n;
	uint8_t		*addrs;		/* set i at i * max * alen, for re-signing */
	uint16_t	*naddr;
};

struct node {
	uint64_t	 mask;
	uint8_t		 label[18];	/* "x<hex>", length first; empty: apex */
	struct pool	 pool[2];
	struct dnss_rrset nsec, hinfo;
};

struct bymask {
	uint64_t	 mask;
	int		 node;
};

struct dnss {
	atomic_uint	 refs;
	struct node	*node;
	size_t		 nnodes;
	struct bymask	*bymask;	/* sorted by mask */
	unsigned	 max[2];
	struct dnss_rrset soa, soa_neg, ns, dnskey;
	struct dnss_info info;
};

static const size_t alen_of[2] = { 4, 16 };
static const uint16_t type_of[2] = { DNS_TYPE_A, DNS_TYPE_AAAA };

/* Canonical order of two labels (RFC 4034 6.1): bytes with ASCII letters
 * lowered, a prefix first. */
static int
label_cmp(const uint8_t *a, const uint8_t *b)
{
	size_t n = a[0] < b[0] ? a[0] : b[0];

	for (size_t i = 1; i <= n; i++) {
		uint8_t x = dnsq_lower(a[i]), y = dnsq_lower(b[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return (a[0] > b[0]) - (a[0] < b[0]);
}

static int
node_cmp(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	if (x->mask == 0 || y->mask == 0)
		return (y->mask == 0) - (x->mask == 0);	/* the apex first */
	return label_cmp(x->label, y->label);
}

static int
bymask_cmp(const void *a, const void *b)
{
	const struct bymask *x = a, *y = b;

	return (x->mask > y->mask) - (x->mask < y->mask);
}

static void
rrset_free(struct dnss_rrset *r)
{
	free(r->wire);
	memset(r, 0, sizeof(*r));
}

static void
dnss_free(struct dnss *s)
{
	for (size_t i = 0; i < s->nnodes; i++) {
		struct node *n = &s->node[i];

		for (int f = 0; f < 2; f++) {
			for (uint32_t j = 0; j < n->pool[f].n; j++)
				rrset_free(&n->pool[f].set[j]);
			free(n->pool[f].set);
			free(n->pool[f].addrs);
			free(n->pool[f].naddr);
		}
		rrset_free(&n->nsec);
		rrset_free(&n->hinfo);
	}
	rrset_free(&s->soa);
	rrset_free(&s->soa_neg);
	rrset_free(&s->ns);
	rrset_free(&s->dnskey);
	free(s->node);
	free(s->bymask);
	free(s);
}

struct dnss *
dnss_ref(struct dnss *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void
dnss_unref(struct dnss *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
		dnss_free(s);
}

/* --- building ------------------------------------------------------------- */

/* State of one build. */
struct build {
	const struct dnss_zone	*z;
	struct dnss		*s;
	struct dnsk_use		 use;
	ldns_buffer		*buf;
	struct goodset_rng	 rng;
	char			*err;
	size_t			 errlen;
};

/* NODE's name as an ldns dname. */
static ldns_rdf *
node_name(const struct build *b, const struct node *n)
{
	uint8_t w[DNS_MAX_NAME + 20];
	size_t l = n->label[0] > 0 ? 1 + (size_t)n->label[0] : 0;

	memcpy(w, n->label, l);
	memcpy(w + l, b->z->apex, b->z->apexlen);
	return ldns_dname_new_frm_data((uint16_t)(l + b->z->apexlen), w);
}

/* A record of OWNER from its rdata in wire form. */
static ldns_rr *
make_rr(const ldns_rdf *owner, uint16_t type, uint32_t ttl, const uint8_t *rdata,
    size_t rdlen)
{
	size_t ol = ldns_rdf_size(owner), len = ol + 10 + rdlen, pos = 0;
	uint8_t *w = xmalloc(len);
	ldns_rr *rr = NULL;

	memcpy(w, ldns_rdf_data(owner), ol);
	w[ol] = (uint8_t)(type >> 8);
	w[ol + 1] = (uint8_t)type;
	w[ol + 2] = 0;
	w[ol + 3] = DNS_CLASS_IN;
	w[ol + 4] = (uint8_t)(ttl >> 24);
	w[ol + 5] = (uint8_t)(ttl >> 16);
	w[ol + 6] = (uint8_t)(ttl >> 8);
	w[ol + 7] = (uint8_t)ttl;
	w[ol + 8] = (uint8_t)(rdlen >> 8);
	w[ol + 9] = (uint8_t)rdlen;
	memcpy(w + ol + 10, rdata, rdlen);
	if (ldns_wire2rr(&rr, w, len, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
		rr = NULL;
	free(w);
	return rr;
}

/* Append RR to B->buf as a reply record: owner C0 0C, TTL. */
static bool
emit(struct build *b, const ldns_rr *rr, uint32_t ttl)
{
	ldns_buffer *o = b->buf;
	size_t at;

	if (!ldns_buffer_reserve(o, 12))
		return false;
	ldns_buffer_write_u16(o, 0xc000 | DNS_HEADER_LEN);
	ldns_buffer_write_u16(o, (uint16_t)ldns_rr_get_type(rr));
	ldns_buffer_write_u16(o, DNS_CLASS_IN);
	ldns_buffer_write_u32(o, ttl);
	at = ldns_buffer_position(o);
	ldns_buffer_write_u16(o, 0);
	if (ldns_rr_rdata2buffer_wire(o, rr) != LDNS_STATUS_OK || !ldns_buffer_status_ok(o))
		return false;
	ldns_buffer_write_u16_at(o, at, (uint16_t)(ldns_buffer_position(o) - at - 2));
	return true;
}

/* Sign the RRset DATA (one owner, type and TTL) with KEYS and keep it and
 * its signatures in OUT, every record with TTL (the original TTL in the
 * signatures stays DATA's). */
static int
sign_rrset(struct build *b, ldns_rr_list *data, ldns_key_list *keys, uint32_t ttl,
    struct dnss_rrset *out)
{
	ldns_rr_list *sigs = ldns_sign_public(data, keys);
	size_t nd = ldns_rr_list_rr_count(data);
	size_t ns = sigs != NULL ? ldns_rr_list_rr_count(sigs) : 0;
	bool ok = ns > 0;

	memset(out, 0, sizeof(*out));
	ldns_buffer_clear(b->buf);
	for (size_t i = 0; ok && i < nd; i++)
		ok = emit(b, ldns_rr_list_rr(data, i), ttl);
	if (ok)
		out->len_data = (uint32_t)ldns_buffer_position(b->buf);
	for (size_t i = 0; ok && i < ns; i++)
		ok = emit(b, ldns_rr_list_rr(sigs, i), ttl);
	if (ok) {
		out->len = (uint32_t)ldns_buffer_position(b->buf);
		out->wire = xmalloc(out->len);
		memcpy(out->wire, ldns_buffer_begin(b->buf), out->len);
		out->nrec = (uint16_t)(nd + ns);
		out->nsig = (uint16_t)ns;
		b->s->info.signatures += ns;
	} else
		str_errf(b->err, b->errlen, "signing failed");
	ldns_rr_list_deep_free(sigs);
	return ok ? 0 : -1;
}

/* Sign the one-record RRset OWNER TYPE RDATA with the ZSK. */
static int
sign_one(struct build *b, const ldns_rdf *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen, struct dnss_rrset *out)
{
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rr *rr = make_rr(owner, type, ttl, rdata, rdlen);
	int rc = -1;

	if (rr == NULL)
		str_errf(b->err, b->errlen, "cannot make a record of type %u", type);
	else {
		ldns_rr_list_push_rr(l, rr);
		rc = sign_rrset(b, l, b->use.zsk, ttl, out);
	}
	ldns_rr_list_deep_free(l);
	return rc;
}

/* An order-free digest of a sample, to tell sets apart. */
static uint64_t
sample_digest(const uint8_t *const *ips, size_t n, size_t alen)
{
	static const uint8_t key[HASH_SIPHASH_KEYLEN];
	uint64_t d = n;

	for (size_t i = 0; i < n; i++)
		d += hash_siphash(key, ips[i], alen);
	return d;
}

/* Draw up to K different samples of FAMILY and MASK from GS into P. */
static void
pool_draw(struct build *b, struct pool *p, struct goodset *gs, int family, uint64_t mask,
    unsigned k)
{
	const uint8_t *ips[GOODSET_MAX_SAMPLE];
	size_t max = b->s->max[family], alen = alen_of[family];
	uint64_t *seen = xcalloc(k, sizeof(*seen));

	p->addrs = xmalloc((size_t)k * max * alen);
	p->naddr = xcalloc(k, sizeof(*p->naddr));
	for (size_t draw = 0; draw < DRAWS(k) && p->n < k; draw++) {
		size_t got = goodset_sample(gs, (enum goodset_family)family, mask, max, &b->rng,
		    ips);
		uint64_t d;
		bool dup = false;

		if (got == 0)
			break;
		d = sample_digest(ips, got, alen);
		for (uint32_t i = 0; i < p->n && !dup; i++)
			dup = seen[i] == d;
		if (!dup) {
			uint8_t *dst = p->addrs + (size_t)p->n * max * alen;

			for (size_t i = 0; i < got; i++)
				memcpy(dst + i * alen, ips[i], alen);
			p->naddr[p->n] = (uint16_t)got;
			seen[p->n++] = d;
		}
		if (got < max)
			break;		/* the whole filter fits one answer */
	}
	free(seen);
}

/* P takes a copy of the samples of FROM. */
static void
pool_copy(struct pool *p, const struct pool *from, size_t max, size_t alen)
{
	if (from->n == 0)
		return;
	p->n = from->n;
	p->addrs = xmalloc((size_t)p->n * max * alen);
	memcpy(p->addrs, from->addrs, (size_t)p->n * max * alen);
	p->naddr = xmalloc(p->n * sizeof(*p->naddr));
	memcpy(p->naddr, from->naddr, p->n * sizeof(*p->naddr));
}

/* Sign every sample of P, owned by OWNER. */
static int
pool_sign(struct build *b, struct pool *p, const ldns_rdf *owner, int family)
{
	size_t max = b->s->max[family], alen = alen_of[family];
	ldns_rdf_type rt = family == GOODSET_V4 ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA;

	p->set = xcalloc(p->n > 0 ? p->n : 1, sizeof(*p->set));
	for (uint32_t i = 0; i < p->n; i++) {
		ldns_rr_list *l = ldns_rr_list_new();
		int rc;

		for (size_t j = 0; j < p->naddr[i]; j++) {
			ldns_rr *rr = ldns_rr_new();

			ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
			ldns_rr_set_type(rr, type_of[family]);
			ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
			ldns_rr_set_ttl(rr, b->z->ttl);
			ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(rt, alen,
			    p->addrs + ((size_t)i * max + j) * alen));
			ldns_rr_list_push_rr(l, rr);
		}
		rc = sign_rrset(b, l, b->use.zsk, b->z->ttl, &p->set[i]);
		ldns_rr_list_deep_free(l);
		if (rc == -1)
			return -1;
		b->s->info.sets++;
	}
	return 0;
}

/* NODE's NSEC: the next name, and a bitmap of what NODE holds. */
static int
sign_nsec(struct build *b, size_t i, const ldns_rdf *owner, uint32_t ttl)
{
	struct dnss *s = b->s;
	struct node *n = &s->node[i];
	ldns_rr_type types[10];
	size_t nt = 0, nl, bl;
	ldns_rdf *next = node_name(b, &s->node[(i + 1) % s->nnodes]), *bitmap;
	uint8_t rd[DNS_MAX_NAME + 64];
	int rc;

	if (n->pool[GOODSET_V4].n > 0)
		types[nt++] = LDNS_RR_TYPE_A;
	if (i == 0) {
		types[nt++] = LDNS_RR_TYPE_NS;
		types[nt++] = LDNS_RR_TYPE_SOA;
	}
	types[nt++] = LDNS_RR_TYPE_HINFO;
	if (n->pool[GOODSET_V6].n > 0)
		types[nt++] = LDNS_RR_TYPE_AAAA;
	types[nt++] = LDNS_RR_TYPE_RRSIG;
	types[nt++] = LDNS_RR_TYPE_NSEC;
	if (i == 0)
		types[nt++] = LDNS_RR_TYPE_DNSKEY;
	bitmap = ldns_dnssec_create_nsec_bitmap(types, nt, LDNS_RR_TYPE_NSEC);
	nl = ldns_rdf_size(next);
	bl = ldns_rdf_size(bitmap);
	memcpy(rd, ldns_rdf_data(next), nl);
	memcpy(rd + nl, ldns_rdf_data(bitmap), bl);
	rc = sign_one(b, owner, DNS_TYPE_NSEC, ttl, rd, nl + bl, &n->nsec);
	ldns_rdf_deep_free(next);
	ldns_rdf_deep_free(bitmap);
	return rc;
}

/* The apex's own RRsets: SOA (twice: its TTL and the negative TTL), NS,
 * DNSKEY. */
static int
sign_apex(struct build *b, const ldns_rdf *apex, uint32_t neg_ttl)
{
	const struct dnss_zone *z = b->z;
	struct dnss *s = b->s;
	ldns_rr_list *l;
	ldns_rr *soa;
	int rc;

	if (sign_one(b, apex, DNS_TYPE_SOA, z->soa_ttl, z->soa_rdata, z->soa_rdlen,
	    &s->soa) == -1 ||
	    sign_one(b, apex, DNS_TYPE_NS, z->ns_ttl, z->ns_rdata, z->ns_rdlen, &s->ns) == -1)
		return -1;
	/* The same signature with the record as negative answers carry it. */
	if ((soa = make_rr(apex, DNS_TYPE_SOA, z->soa_ttl, z->soa_rdata, z->soa_rdlen)) == NULL)
		return -1;
	l = ldns_rr_list_new();
	ldns_rr_list_push_rr(l, soa);
	rc = sign_rrset(b, l, b->use.zsk, neg_ttl, &s->soa_neg);
	ldns_rr_list_deep_free(l);
	if (rc == -1)
		return -1;
	/* DNSKEY: signed by the KSKs. */
	return sign_rrset(b, b->use.dnskeys, b->use.ksk, DNSK_DNSKEY_TTL, &s->dnskey);
}

/* The zone's names: the apex, then x<hex> per non-empty subset of the
 * service bits, in canonical order. */
static int
make_nodes(struct build *b)
{
	struct dnss *s = b->s;
	uint64_t bits[64], svc = b->z->services;
	size_t nb = 0;

	for (int i = 0; i < 64; i++)
		if (svc & (UINT64_C(1) << i))
			bits[nb++] = UINT64_C(1) << i;
	if (nb > DNSS_FILTER_BITS_MAX) {
		str_errf(b->err, b->errlen, "%zu service bits make too many names to sign "
		    "(at most %d)", nb, DNSS_FILTER_BITS_MAX);
		return -1;
	}
	s->nnodes = (size_t)1 << nb;
	s->node = xcalloc(s->nnodes, sizeof(*s->node));
	for (size_t i = 1; i < s->nnodes; i++) {
		struct node *n = &s->node[i];
		char hex[20];
		int l;

		for (size_t j = 0; j < nb; j++)
			if (i & ((size_t)1 << j))
				n->mask |= bits[j];
		l = snprintf(hex, sizeof(hex), "x%llx", (unsigned long long)n->mask);
		n->label[0] = (uint8_t)l;
		memcpy(n->label + 1, hex, (size_t)l);
	}
	qsort(s->node, s->nnodes, sizeof(*s->node), node_cmp);
	s->bymask = xcalloc(s->nnodes, sizeof(*s->bymask));
	for (size_t i = 0; i < s->nnodes; i++) {
		s->bymask[i].mask = s->node[i].mask;
		s->bymask[i].node = (int)i;
	}
	qsort(s->bymask, s->nnodes, sizeof(*s->bymask), bymask_cmp);
	return 0;
}

/* Did PREV sign the same names (it did unless the zone changed)? */
static bool
same_names(const struct dnss *a, const struct dnss *b)
{
	if (a->nnodes != b->nnodes || a->max[0] != b->max[0] || a->max[1] != b->max[1])
		return false;
	for (size_t i = 0; i < a->nnodes; i++)
		if (a->node[i].mask != b->node[i].mask)
			return false;
	return true;
}

static int
build_all(struct build *b, struct goodset *gs, const struct dnss *prev, unsigned k)
{
	const struct dnss_zone *z = b->z;
	struct dnss *s = b->s;
	uint32_t neg_ttl = z->ttl < z->soa_ttl ? z->ttl : z->soa_ttl;
	static const uint8_t hinfo[] = "\7RFC8482";	/* and an empty OS: the NUL */
	ldns_rdf *owner;
	int rc = 0;

	if (make_nodes(b) == -1)
		return -1;
	if (prev != NULL && !same_names(s, prev))
		prev = NULL;
	for (size_t i = 0; i < s->nnodes && rc == 0; i++) {
		struct node *n = &s->node[i];

		for (int f = 0; f < 2; f++) {
			if (gs != NULL)
				pool_draw(b, &n->pool[f], gs, f, n->mask, k);
			else if (prev != NULL)
				pool_copy(&n->pool[f], &prev->node[i].pool[f], s->max[f],
				    alen_of[f]);
		}
	}
	for (size_t i = 0; i < s->nnodes && rc == 0; i++) {
		struct node *n = &s->node[i];

		owner = node_name(b, n);
		rc = pool_sign(b, &n->pool[GOODSET_V4], owner, GOODSET_V4);
		if (rc == 0)
			rc = pool_sign(b, &n->pool[GOODSET_V6], owner, GOODSET_V6);
		if (rc == 0)
			rc = sign_one(b, owner, DNS_TYPE_HINFO, z->hinfo_ttl, hinfo, sizeof(hinfo),
			    &n->hinfo);
		if (rc == 0)
			rc = sign_nsec(b, i, owner, neg_ttl);
		if (rc == 0 && i == 0)
			rc = sign_apex(b, owner, neg_ttl);
		ldns_rdf_deep_free(owner);
	}
	return rc;
}

struct dnss *
dnss_build(const struct dnss_zone *z, struct dnsk_set *keys, struct goodset *gs,
    const struct dnss *prev, unsigned k, int64_t now, char *err, size_t errlen)
{
	struct build b;
	struct dnss *s;
	int rc;

	if (k < DNSS_POOL_MIN || k > DNSS_POOL_MAX) {
		str_errf(err, errlen, "pool size %u is outside %d..%d", k, DNSS_POOL_MIN,
		    DNSS_POOL_MAX);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	atomic_init(&s->refs, 1);
	s->max[GOODSET_V4] = z->max_a;
	s->max[GOODSET_V6] = z->max_aaaa;
	s->info.inception = (uint32_t)(now - DNSS_SKEW);
	s->info.expiration = (uint32_t)(now + DNSS_VALIDITY);
	memset(&b, 0, sizeof(b));
	b.z = z;
	b.s = s;
	b.err = err;
	b.errlen = errlen;
	goodset_rng_seed(&b.rng);
	if (dnsk_select(keys, now, s->info.inception, s->info.expiration, &b.use, err,
	    errlen) == -1) {
		dnss_free(s);
		return NULL;
	}
	s->info.zsk_tag = b.use.zsk_key->tag;
	s->info.dnskeys = ldns_rr_list_rr_count(b.use.dnskeys);
	b.buf = ldns_buffer_new(RRSET_BUF);
	rc = build_all(&b, gs, prev, k);
	ldns_buffer_free(b.buf);
	dnsk_use_free(&b.use);
	if (rc == -1) {
		dnss_free(s);
		return NULL;
	}
	s->info.names = s->nnodes;
	return s;
}

/* --- reading ------------------------------------------------------------ */

int
dnss_node(const struct dnss *s, uint64_t mask)
{
	size_t lo = 0, hi = s->nnodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->bymask[mid].mask == mask)
			return s->bymask[mid].node;
		if (s->bymask[mid].mask < mask)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct dnss_rrset *
dnss_pick(const struct dnss *s, int node, enum goodset_family family,
    struct goodset_rng *rng)
{
	const struct pool *p = &s->node[node].pool[family];

	if (p->n == 0)
		return NULL;
	return &p->set[p->n == 1 ? 0 : goodset_rng_below(rng, p->n)];
}

const struct dnss_rrset *
dnss_rrset(const struct dnss *s, int node, uint16_t type)
{
	switch (type) {
	case DNS_TYPE_SOA:
		return node == 0 ? &s->soa : NULL;
	case DNS_TYPE_NS:
		return node == 0 ? &s->ns : NULL;
	case DNS_TYPE_DNSKEY:
		return node == 0 ? &s->dnskey : NULL;
	case DNS_TYPE_HINFO:
		return &s->node[node].hinfo;
	case DNS_TYPE_NSEC:
		return &s->node[node].nsec;
	default:
		return NULL;
	}
}

const struct dnss_rrset *
dnss_soa_negative(const struct dnss *s)
{
	return &s->soa_neg;
}

void
dnss_cover(const struct dnss *s, const uint8_t *label, bool below, int *cover, int *wildcard)
{
	/* Nodes 1.. are sorted: the last one not after LABEL covers it. */
	size_t lo = 1, hi = s->nnodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (label_cmp(s->node[mid].label, label) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*cover = (int)lo - 1;
	/* A name below an existing one: that one is the closest encloser,
	 * and its wildcard sorts right after it, in the same gap.
	 * Otherwise the apex is, and "*" sorts before every x<hex>. */
	*wildcard = *cover > 0 && below && label_cmp(s->node[*cover].label, label) == 0 ?
	    *cover : 0;
}

const uint8_t *
dnss_label(const struct dnss *s, int node)
{
	return node == 0 ? NULL : s->node[node].label;
}

void
dnss_get_info(const struct dnss *s, struct dnss_info *i)
{
	*i = s->info;
}

size_t
dnss_pool_size(const struct dnss *s, int node, enum goodset_family family)
{
	return s->node[node].pool[family].n;
}
