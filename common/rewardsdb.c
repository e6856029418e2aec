/* rewardsdb.c -- the rewards ledger's inputs read from the crawl database, relay probes written to it, and the leaderboard both export and console show. */
#include "rewardsdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crawldb_sql.h"
#include "goodnode.h"
#include "strutil.h"
#include "xmalloc.h"

#define DAY			86400
#define PROBATION		(3 * DAY)	/* mainnet: three days before earning */
#define MIN_CHECKS		12
#define MAX_PER_ASN		4
#define MAX_PER_NET16		2
#define REVISIT_LO		60		/* Nebula: 1 min .. 15 min */
#define REVISIT_HI		(15 * 60)
#define MAX_GAP			(2 * REVISIT_HI)	/* longer: the crawler was away */
#define MIN_GAP			10	/* a visit's own dial and handshake do not scale */

void
rewardsdb_rules_init(struct rewardsdb_rules *r)
{
	r->max_per_asn = MAX_PER_ASN;
	r->max_per_net16 = MAX_PER_NET16;
	r->probation = PROBATION;
	r->min_checks = MIN_CHECKS;
}

void
rewardsdb_params(struct rewards_params *p, const struct chainparams *params,
    const struct rewardsdb_rules *r, int64_t day_start, uint64_t budget)
{
	struct goodnode_policy	gp;

	goodnode_policy_init(&gp, params);
	memset(p, 0, sizeof(*p));
	p->day_start = day_start;
	p->day_end = day_start + DAY;
	p->budget = budget;
	p->probation = r->probation == 0 ? 0 : goodnode_scale(&gp, r->probation);
	p->min_checks = r->min_checks;
	p->max_per_asn = r->max_per_asn;
	p->max_per_net16 = r->max_per_net16;
	p->max_gap = goodnode_scale(&gp, MAX_GAP);
	if (p->max_gap < MIN_GAP)
		p->max_gap = MIN_GAP;
	p->allow_private = gp.allow_private;
}

void
rewardsdb_revisit_bounds(const struct chainparams *params, int64_t *lo,
    int64_t *hi)
{
	struct goodnode_policy	gp;

	goodnode_policy_init(&gp, params);
	*lo = goodnode_scale(&gp, REVISIT_LO);
	*hi = goodnode_scale(&gp, REVISIT_HI);
}

int
rewardsdb_parse_day(const char *s, int64_t *day_start)
{
	struct tm	tm;
	char		back[16];
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 10 || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
	    *end != '\0')
		return -1;
	*day_start = (int64_t)timegm(&tm);
	/* strptime takes 2026-02-31; the round trip does not. */
	rewardsdb_format_day(*day_start, back, sizeof(back));
	return strcmp(back, s) == 0 ? 0 : -1;
}

char *
rewardsdb_format_day(int64_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
	return buf;
}

/* --- reading ------------------------------------------------------------------ */

static int
sql_err(sqlite3 *s, char *err, size_t errlen, const char *what)
{
	str_errf(err, errlen, "%s: %s", what, sqlite3_errmsg(s));
	return -1;
}

static bool
has_table(sqlite3 *s, const char *table)
{
	sqlite3_stmt	*st;
	bool		 yes = false;

	if (sqlite3_prepare_v2(s, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
	    " AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static bool
has_column(sqlite3 *s, const char *table, const char *column)
{
	sqlite3_stmt	*st;
	bool		 yes = false;

	if (sqlite3_prepare_v2(s, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
	    -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* Columns IPCOL and IPCOL + 1 (port) of ST into A: a 16-byte BLOB or the
 * address as text.  Returns 0, or -1 for a row to skip. */
static int
column_addr(sqlite3_stmt *st, int ipcol, struct netaddr *a)
{
	const unsigned char	*t;
	int			 port = sqlite3_column_int(st, ipcol + 1);

	if (port <= 0 || port > 65535)
		return -1;
	memset(a, 0, sizeof(*a));
	if (sqlite3_column_type(st, ipcol) == SQLITE_BLOB) {
		if (sqlite3_column_bytes(st, ipcol) != (int)sizeof(a->ip))
			return -1;
		memcpy(a->ip, sqlite3_column_blob(st, ipcol), sizeof(a->ip));
		a->port = (uint16_t)port;
		return 0;
	}
	if ((t = sqlite3_column_text(st, ipcol)) == NULL)
		return -1;
	return netaddr_parse((const char *)t, (uint16_t)port, a) == 0 &&
	    a->port == (uint16_t)port ? 0 : -1;
}

/* A hex identity column into OUT; "" when it is not 64 hex digits. */
static void
column_identity(sqlite3_stmt *st, int col, char out[REWARDS_ID_HEXLEN + 1])
{
	const unsigned char	*t = sqlite3_column_text(st, col);
	size_t			 i;

	out[0] = '\0';
	if (t == NULL || strlen((const char *)t) != REWARDS_ID_HEXLEN)
		return;
	for (i = 0; i < REWARDS_ID_HEXLEN; i++)
		if (strchr("0123456789abcdef", t[i]) == NULL || t[i] == '\0')
			return;
	memcpy(out, t, REWARDS_ID_HEXLEN + 1);
}

typedef int (*row_fn)(sqlite3_stmt *st, void *arg);

/* Run SQL with ?1 = NETWORK, ?2 = FROM, ?3 = TO, calling FN per row. */
static int
each_row(sqlite3 *s, const char *sql, const char *network, int64_t from,
    int64_t to, row_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_err(s, err, errlen, "rewards query");
	sqlite3_bind_text(st, 1, network, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(st, arg);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s, err, errlen, "rewards query");
	return 0;
}

static int
visit_row(sqlite3_stmt *st, void *arg)
{
	struct rewardsdb_input	*in = arg;
	struct rewards_visit	 v;

	memset(&v, 0, sizeof(v));
	if (column_addr(st, 0, &v.addr) == -1)
		return 0;
	v.ts = sqlite3_column_int64(st, 2);
	v.ok = sqlite3_column_int(st, 3) != 0;
	column_identity(st, 4, v.identity);
	if (v.ok && v.identity[0] == '\0')
		return 0;	/* an ok visit without a valid key proves nothing */
	in->visits = xreallocarray(in->visits, in->in.nvisits + 1, sizeof(v));
	in->visits[in->in.nvisits++] = v;
	return 0;
}

static int
check_row(sqlite3_stmt *st, void *arg)
{
	struct rewardsdb_input	*in = arg;
	struct rewards_check	 c;
	const unsigned char	*r;

	memset(&c, 0, sizeof(c));
	if (column_addr(st, 0, &c.addr) == -1 ||
	    (r = sqlite3_column_text(st, 3)) == NULL)
		return 0;
	c.ts = sqlite3_column_int64(st, 2);
	if (strcmp((const char *)r, "ok") == 0)
		c.result = REWARDS_CHECK_OK;
	else if (strcmp((const char *)r, "wrong") == 0)
		c.result = REWARDS_CHECK_WRONG;
	else
		c.result = REWARDS_CHECK_MISSING;
	in->checks = xreallocarray(in->checks, in->in.nchecks + 1, sizeof(c));
	in->checks[in->in.nchecks++] = c;
	return 0;
}

static int
probe_row(sqlite3_stmt *st, void *arg)
{
	struct rewardsdb_input	*in = arg;
	struct rewards_probe	 p;

	memset(&p, 0, sizeof(p));
	if (column_addr(st, 0, &p.addr) == -1)
		return 0;
	p.ts = sqlite3_column_int64(st, 2);
	column_identity(st, 3, p.identity);
	p.announced = sqlite3_column_int(st, 4) != 0;
	p.delay_ms = sqlite3_column_double(st, 5);
	in->probes = xreallocarray(in->probes, in->in.nprobes + 1, sizeof(p));
	in->probes[in->in.nprobes++] = p;
	return 0;
}

static int
addr_row(sqlite3_stmt *st, void *arg)
{
	struct rewardsdb_input		*in = arg;
	struct rewards_addr_info	 a;
	const unsigned char		*t;

	memset(&a, 0, sizeof(a));
	if (column_addr(st, 0, &a.addr) == -1)
		return 0;
	a.asn = (uint32_t)sqlite3_column_int64(st, 2);
	a.claimed_height = sqlite3_column_int(st, 3);
	a.verified_height = sqlite3_column_int(st, 4);
	column_identity(st, 5, a.identity);
	if ((t = sqlite3_column_text(st, 6)) != NULL)
		str_sanitize(t, strlen((const char *)t), a.reward_address,
		    sizeof(a.reward_address));
	in->addrs = xreallocarray(in->addrs, in->in.naddrs + 1, sizeof(a));
	in->addrs[in->in.naddrs++] = a;
	return 0;
}

/* nodes columns the other observer parts add, or what stands in for them. */
static char *
nodes_sql(sqlite3 *s)
{
	const char	*claimed = has_column(s, "nodes", "claimed_height") ?
	    "claimed_height" : "height";
	const char	*verified = has_column(s, "nodes", "verified_height") ?
	    "verified_height" : "-1";
	const char	*identity = has_column(s, "nodes", "identity") ?
	    "identity" : "''";
	const char	*raddr = has_column(s, "nodes", "reward_address") ?
	    "reward_address" : "''";

	return xasprintf("SELECT ip, port, asn, %s, %s, %s, %s FROM nodes"
	    " WHERE network = ?1 AND ?2 <= ?3", claimed, verified, identity, raddr);
}

int
rewardsdb_load(struct crawldb *db, const char *network, int64_t day_start,
    int64_t day_end, struct rewardsdb_input *out, char *err, size_t errlen)
{
	sqlite3	*s = crawldb_sqlite(db);
	char	*sql;
	int	 rc = 0;

	memset(out, 0, sizeof(*out));
	if (sqlite3_exec(s, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_err(s, err, errlen, "begin");
	if (has_table(s, "visits")) {
		/* The day's visits; for each address and identity proven in
		 * the day its first proof there (who owns the address); for
		 * each identity its first proof anywhere (probation).  The
		 * last two are index look-ups, not a scan of all history. */
		rc = each_row(s, "SELECT ip, port, ts, ok, identity FROM visits"
		    " WHERE network = ?1 AND ts >= ?2 AND ts < ?3", network,
		    day_start, day_end, visit_row, out, err, errlen);
		if (rc == 0)
			rc = each_row(s, "SELECT * FROM (SELECT d.ip, d.port,"
			    " (SELECT MIN(v.ts) FROM visits v WHERE v.network = ?1"
			    " AND v.ip = d.ip AND v.port = d.port AND v.ok != 0"
			    " AND v.identity = d.identity AND v.ts < ?2) AS first,"
			    " 1, d.identity FROM (SELECT DISTINCT ip, port, identity"
			    " FROM visits WHERE network = ?1 AND ok != 0 AND ts >= ?2"
			    " AND ts < ?3) d) WHERE first IS NOT NULL", network,
			    day_start, day_end, visit_row, out, err, errlen);
		if (rc == 0)
			rc = each_row(s, "SELECT v.ip, v.port, v.ts, 1, v.identity"
			    " FROM (SELECT DISTINCT identity AS id FROM visits"
			    " WHERE network = ?1 AND ok != 0 AND ts >= ?2 AND ts < ?3) d"
			    " JOIN visits v ON v.rowid = (SELECT x.rowid FROM visits x"
			    " WHERE x.identity = d.id AND x.network = ?1 AND x.ok != 0"
			    " AND x.ts < ?2 ORDER BY x.ts LIMIT 1)", network,
			    day_start, day_end, visit_row, out, err, errlen);
	}
	if (rc == 0 && has_table(s, "storage_checks"))
		rc = each_row(s, "SELECT ip, port, ts, result FROM storage_checks"
		    " WHERE network = ?1 AND ts >= ?2 AND ts < ?3", network,
		    day_start, day_end, check_row, out, err, errlen);
	if (rc == 0 && has_table(s, "relay_probes"))
		rc = each_row(s, "SELECT ip, port, ts, identity, announced, delay_ms"
		    " FROM relay_probes WHERE network = ?1 AND ts >= ?2 AND ts < ?3",
		    network, day_start, day_end, probe_row, out, err, errlen);
	if (rc == 0) {
		sql = nodes_sql(s);
		rc = each_row(s, sql, network, day_start, day_end, addr_row, out,
		    err, errlen);
		free(sql);
	}
	sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
	out->in.visits = out->visits;
	out->in.checks = out->checks;
	out->in.probes = out->probes;
	out->in.addrs = out->addrs;
	if (rc == -1)
		rewardsdb_input_free(out);
	return rc;
}

void
rewardsdb_input_free(struct rewardsdb_input *in)
{
	free(in->visits);
	free(in->checks);
	free(in->probes);
	free(in->addrs);
	memset(in, 0, sizeof(*in));
}

int
rewardsdb_latest_day(struct crawldb *db, const char *network,
    int64_t *day_start, char *err, size_t errlen)
{
	sqlite3		*s = crawldb_sqlite(db);
	sqlite3_stmt	*st;
	int		 rc;

	if (!has_table(s, "visits"))
		return 0;
	if (sqlite3_prepare_v2(s, "SELECT MAX(ts) FROM visits WHERE network = ?1"
	    " AND ok != 0", -1, &st, NULL) != SQLITE_OK)
		return sql_err(s, err, errlen, "latest visit");
	sqlite3_bind_text(st, 1, network, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return sql_err(s, err, errlen, "latest visit");
	}
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		sqlite3_finalize(st);
		return 0;
	}
	*day_start = sqlite3_column_int64(st, 0);
	*day_start -= ((*day_start % DAY) + DAY) % DAY;
	sqlite3_finalize(st);
	return 1;
}

int
rewards_leaderboard(struct crawldb *db, const struct chainparams *params,
    const struct rewardsdb_rules *r, struct rewards_ledger *out,
    int64_t *day_start, char *err, size_t errlen)
{
	struct rewardsdb_input	in;
	struct rewards_params	p;
	int			rc;

	memset(out, 0, sizeof(*out));
	*day_start = 0;
	rc = rewardsdb_latest_day(db, params->name, day_start, err, errlen);
	if (rc <= 0)
		return rc;
	rewardsdb_params(&p, params, r, *day_start, 0);
	if (rewardsdb_load(db, params->name, p.day_start, p.day_end, &in, err,
	    errlen) == -1)
		return -1;
	rewards_compute(&in.in, &p, out);
	rewardsdb_input_free(&in);
	return 0;
}

struct idnode_ctx {
	void	(*cb)(const struct netaddr *a, const char *identity, void *arg);
	void	*arg;
};

static int
idnode_row(sqlite3_stmt *st, void *arg)
{
	struct idnode_ctx	*c = arg;
	struct netaddr		 a;
	char			 id[REWARDS_ID_HEXLEN + 1];

	if (column_addr(st, 0, &a) == -1)
		return 0;
	column_identity(st, 2, id);
	if (id[0] != '\0')
		c->cb(&a, id, c->arg);
	return 0;
}

int
rewardsdb_identity_nodes(struct crawldb *db, const char *network,
    int64_t since, void (*cb)(const struct netaddr *a, const char *identity,
    void *arg), void *arg, char *err, size_t errlen)
{
	sqlite3			*s = crawldb_sqlite(db);
	struct idnode_ctx	 c = { cb, arg };

	if (!has_column(s, "nodes", "identity"))
		return 0;
	return each_row(s, "SELECT ip, port, identity FROM nodes WHERE network = ?1"
	    " AND identity != '' AND last_success >= ?2 AND ?2 <= ?3", network,
	    since, INT64_MAX, idnode_row, &c, err, errlen);
}

/* --- writing ------------------------------------------------------------------- */

int
rewardsdb_add_probe(struct crawldb *db, const char *network,
    const struct rewardsdb_probe_row *r, char *err, size_t errlen)
{
	sqlite3		*s = crawldb_sqlite(db);
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s, "INSERT INTO relay_probes (network, ip, port, ts,"
	    " identity, txid, announced, delay_ms, listeners)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st, NULL) != SQLITE_OK)
		return sql_err(s, err, errlen, "relay probe");
	sqlite3_bind_text(st, 1, network, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, r->addr.ip, sizeof(r->addr.ip), SQLITE_STATIC);
	sqlite3_bind_int(st, 3, r->addr.port);
	sqlite3_bind_int64(st, 4, r->ts);
	sqlite3_bind_text(st, 5, r->identity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->txid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->announced ? 1 : 0);
	sqlite3_bind_double(st, 8, r->announced ? r->delay_ms : -1);
	sqlite3_bind_int64(st, 9, r->listeners);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s, err, errlen, "relay probe");
	return 0;
}
