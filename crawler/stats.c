/* stats.c -- NetworkStats over the crawl database: totals, spreads, latency, NetworkHealth. */
#include "stats.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "export.h"
#include "goodnode.h"
#include "health.h"
#include "strutil.h"
#include "xmalloc.h"

/* Raw values collected in the pass, counted afterwards. */
struct bag {
	char	**v;
	size_t	  n, cap;
};

struct stats_ctx {
	struct stats		*s;
	struct bag		 countries, asns, versions, agents, heights, errors;
	struct health_net	*health;
	int32_t			*hv;
	size_t			 nhv, hvcap;
	double			 conn_sum;
	size_t			 conn_n;
};

static void
bag_add(struct bag *b, char *s)
{
	if (b->n == b->cap) {
		b->cap = b->cap == 0 ? 64 : b->cap * 2;
		b->v = xreallocarray(b->v, b->cap, sizeof(*b->v));
	}
	b->v[b->n++] = s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_count(const void *a, const void *b)
{
	const struct stats_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Turn a bag into a list of distinct keys with counts, most frequent
 * first (ties by key, so the output is deterministic).  Frees the bag. */
static void
bag_count(struct bag *b, struct stats_list *out)
{
	size_t	i;

	memset(out, 0, sizeof(*out));
	if (b->n == 0)
		return;
	qsort(b->v, b->n, sizeof(*b->v), cmp_str);
	out->v = xcalloc(b->n, sizeof(*out->v));
	for (i = 0; i < b->n; i++) {
		if (out->n > 0 && strcmp(out->v[out->n - 1].key, b->v[i]) == 0) {
			out->v[out->n - 1].count++;
			free(b->v[i]);
			continue;
		}
		out->v[out->n].key = b->v[i];
		out->v[out->n++].count = 1;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_count);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static int
cmp_i32(const void *a, const void *b)
{
	int32_t	x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

static int
stats_row(const struct crawldb_node *n, void *arg)
{
	struct stats_ctx	*c = arg;
	struct stats		*s = c->s;

	health_net_add(c->health, n);
	s->total++;
	if (n->good)
		s->good++;
	if (n->misbehaviour > 0)
		s->hostile++;
	if (n->last_try > s->last_crawl)
		s->last_crawl = n->last_try;
	if (n->attempts > 0)
		s->probed++;
	if (!goodnode_reachable(n)) {
		if (n->attempts > 0 && n->last_error[0] != '\0')
			bag_add(&c->errors, xstrdup(n->last_error));
		return 0;
	}
	s->active++;
	if (n->connect_ms >= 0) {
		c->conn_sum += n->connect_ms;
		c->conn_n++;
	}
	bag_add(&c->countries, xstrdup(n->country[0] != '\0' ? n->country :
	    "unknown"));
	bag_add(&c->asns, n->asn != 0 ? xasprintf("AS%" PRIu32 "%s%s", n->asn,
	    n->as_org[0] != '\0' ? " " : "", n->as_org) : xstrdup("unknown"));
	bag_add(&c->versions, xasprintf("%" PRIu32, n->version));
	bag_add(&c->agents, xstrdup(n->user_agent));
	/* Verified heights only: a claim is no evidence. */
	if (n->height < 0)
		return 0;
	bag_add(&c->heights, xasprintf("%" PRId32, n->height));
	if (c->nhv == c->hvcap) {
		c->hvcap = c->hvcap == 0 ? 256 : c->hvcap * 2;
		c->hv = xreallocarray(c->hv, c->hvcap, sizeof(*c->hv));
	}
	c->hv[c->nhv++] = n->height;
	return 0;
}

int
stats_compute(struct crawldb *db, const char *network, int64_t now,
    struct stats *s, char *err, size_t errlen)
{
	struct stats_ctx	c;
	struct health_input	hi;
	char			val[32];
	long long		v;

	memset(s, 0, sizeof(*s));
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.health = health_net_new();
	str_copy(s->network, network != NULL ? network : "", sizeof(s->network));
	s->max_inflight = -1;
	if (crawldb_foreach(db, network, 0, now, stats_row, &c, err,
	    errlen) == -1) {
		bag_count(&c.countries, &s->countries);
		bag_count(&c.asns, &s->asns);
		bag_count(&c.versions, &s->versions);
		bag_count(&c.agents, &s->agents);
		bag_count(&c.heights, &s->heights);
		bag_count(&c.errors, &s->errors);
		free(c.hv);
		health_net_free(c.health);
		stats_free(s);
		return -1;
	}
	bag_count(&c.countries, &s->countries);
	bag_count(&c.asns, &s->asns);
	bag_count(&c.versions, &s->versions);
	bag_count(&c.agents, &s->agents);
	bag_count(&c.heights, &s->heights);
	bag_count(&c.errors, &s->errors);
	s->avg_connect_ms = c.conn_n > 0 ? c.conn_sum / (double)c.conn_n : -1;
	if (c.nhv > 0) {
		qsort(c.hv, c.nhv, sizeof(*c.hv), cmp_i32);
		s->height_min = c.hv[0];
		s->height_max = c.hv[c.nhv - 1];
		s->height_median = c.hv[c.nhv / 2];
		s->height_consensus = (int32_t)strtol(s->heights.v[0].key, NULL, 10);
	}
	free(c.hv);
	/* NetworkHealth and the inputs shown beside it: health.h's one
	 * definition, which the console's Network view uses too. */
	s->health = health_net_score(c.health, &hi);
	health_net_free(c.health);
	s->avg_latency_ms = hi.avg_latency_ms;
	s->reliability = hi.reliability;
	s->netgroups = hi.netgroups;
	if (crawldb_meta_get(db, "crawl.max_inflight", val, sizeof(val), NULL,
	    0) == 1 && str_to_ll(val, 0, INT32_MAX, &v) == 0)
		s->max_inflight = v;
	return 0;
}

static void
list_free(struct stats_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].key);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
stats_free(struct stats *s)
{
	list_free(&s->countries);
	list_free(&s->asns);
	list_free(&s->versions);
	list_free(&s->agents);
	list_free(&s->heights);
	list_free(&s->errors);
}

static void
print_list(FILE *fp, const char *title, const struct stats_list *l)
{
	size_t	i;

	fprintf(fp, "%s:%s\n", title, l->n == 0 ? " none" : "");
	for (i = 0; i < l->n; i++)
		fprintf(fp, "  %-40s %zu\n", l->v[i].key, l->v[i].count);
}

void
stats_print_text(const struct stats *s, FILE *fp)
{
	char	ts[32];

	fprintf(fp, "Network: %s\n", s->network[0] != '\0' ? s->network : "all");
	fprintf(fp, "TotalNodes: %zu\n", s->total);
	fprintf(fp, "ActiveNodes: %zu\n", s->active);
	fprintf(fp, "GoodNodes: %zu\n", s->good);
	fprintf(fp, "ProbedNodes: %zu\n", s->probed);
	fprintf(fp, "HostileNodes: %zu\n", s->hostile);
	if (s->avg_latency_ms >= 0)
		fprintf(fp, "AverageLatency: %.2f ms\n", s->avg_latency_ms);
	else
		fprintf(fp, "AverageLatency: unknown\n");
	if (s->avg_connect_ms >= 0)
		fprintf(fp, "AverageConnectLatency: %.2f ms\n", s->avg_connect_ms);
	fprintf(fp, "Netgroups: %u\n", s->netgroups);
	fprintf(fp, "Reliability1d: %.3f\n", s->reliability);
	fprintf(fp, "NetworkHealth: %d\n", s->health);
	if (s->max_inflight >= 0)
		fprintf(fp, "MaxInFlight: %lld\n", s->max_inflight);
	fprintf(fp, "LastProbe: %s\n", export_time(s->last_crawl, ts, sizeof(ts)));
	print_list(fp, "GeographicSpread", &s->countries);
	print_list(fp, "ASNSpread", &s->asns);
	print_list(fp, "Versions", &s->versions);
	print_list(fp, "UserAgents", &s->agents);
	if (s->heights.n > 0)	/* verified heights */
		fprintf(fp, "Heights: min %" PRId32 ", median %" PRId32 ", max %"
		    PRId32 ", consensus %" PRId32 "\n", s->height_min,
		    s->height_median, s->height_max, s->height_consensus);
	print_list(fp, "HeightDistribution", &s->heights);
	print_list(fp, "UnreachableBecause", &s->errors);
}

static json_t *
list_json(const struct stats_list *l)
{
	json_t	*o = json_object();
	size_t	 i;

	for (i = 0; i < l->n; i++)
		json_object_set_new(o, l->v[i].key, json_integer((json_int_t)l->v[i].count));
	return o;
}

void
stats_print_json(const struct stats *s, FILE *fp)
{
	json_t	*o, *h;

	o = json_object();
	json_object_set_new(o, "network", json_string(s->network[0] != '\0' ?
	    s->network : "all"));
	json_object_set_new(o, "TotalNodes", json_integer((json_int_t)s->total));
	json_object_set_new(o, "ActiveNodes", json_integer((json_int_t)s->active));
	json_object_set_new(o, "GoodNodes", json_integer((json_int_t)s->good));
	json_object_set_new(o, "ProbedNodes", json_integer((json_int_t)s->probed));
	json_object_set_new(o, "HostileNodes", json_integer((json_int_t)s->hostile));
	json_object_set_new(o, "AverageLatency", s->avg_latency_ms >= 0 ?
	    json_real(s->avg_latency_ms) : json_null());
	json_object_set_new(o, "AverageConnectLatency", s->avg_connect_ms >= 0 ?
	    json_real(s->avg_connect_ms) : json_null());
	json_object_set_new(o, "Netgroups", json_integer(s->netgroups));
	json_object_set_new(o, "Reliability1d", json_real(s->reliability));
	json_object_set_new(o, "NetworkHealth", json_integer(s->health));
	json_object_set_new(o, "MaxInFlight", s->max_inflight >= 0 ?
	    json_integer(s->max_inflight) : json_null());
	json_object_set_new(o, "LastProbe", json_integer(s->last_crawl));
	json_object_set_new(o, "GeographicSpread", list_json(&s->countries));
	json_object_set_new(o, "ASNSpread", list_json(&s->asns));
	json_object_set_new(o, "Versions", list_json(&s->versions));
	json_object_set_new(o, "UserAgents", list_json(&s->agents));
	h = json_object();
	if (s->heights.n > 0) {
		json_object_set_new(h, "min", json_integer(s->height_min));
		json_object_set_new(h, "median", json_integer(s->height_median));
		json_object_set_new(h, "max", json_integer(s->height_max));
		json_object_set_new(h, "consensus", json_integer(s->height_consensus));
	}
	json_object_set_new(h, "counts", list_json(&s->heights));
	json_object_set_new(o, "Heights", h);
	json_object_set_new(o, "UnreachableBecause", list_json(&s->errors));
	json_dumpf(o, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', fp);
	json_decref(o);
}
