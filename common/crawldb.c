/* crawldb.c -- the crawl database on SQLite: schema, migrations, batched writes, snapshot reads.
 *
 * WAL mode lets readers (seeder, console, export) run while the crawler
 * writes; synchronous=NORMAL in WAL mode never corrupts the file on a crash
 * and a process kill loses nothing committed.  Every schema change is one
 * step in migrations[], applied inside one IMMEDIATE transaction together
 * with the user_version bump, so a kill -9 during a migration leaves the
 * old version intact. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "chainparams.h"
#include "crawldb.h"
#include "crawldb_sql.h"
#include "goodnode.h"
#include "strutil.h"
#include "xmalloc.h"

/* 'AGCR': tells our files from other SQLite databases. */
#define CRAWLDB_APP_ID		0x41474352
#define BUSY_TIMEOUT_RW_MS	2000
#define BUSY_TIMEOUT_RO_MS	5000

struct crawldb {
	sqlite3		*db;
	char		*path;
	bool		 rdonly;
	bool		 in_batch;
	int		 version;
	sqlite3_stmt	*st_add;
	sqlite3_stmt	*st_touch;
	sqlite3_stmt	*st_insert;
	sqlite3_stmt	*st_peer;
	sqlite3_stmt	*st_stats;
	sqlite3_stmt	*st_geo;
	sqlite3_stmt	*st_disc;
	sqlite3_stmt	*st_ident;
	sqlite3_stmt	*st_visit;
	sqlite3_stmt	*st_header;
	sqlite3_stmt	*st_storage;
};

/* Version 1: the first release.  Version 2 adds the columns for
 * bitcoin-seeder's ban/ignore verdicts and hostile peers, and an index for
 * the crawler's re-check scan. */
static const char schema_v1[] =
    "CREATE TABLE nodes ("
    " network TEXT NOT NULL, ip BLOB NOT NULL, port INTEGER NOT NULL,"
    " addr TEXT NOT NULL,"
    " services INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 0,"
    " user_agent TEXT NOT NULL DEFAULT '', height INTEGER NOT NULL DEFAULT 0,"
    " connect_ms REAL NOT NULL DEFAULT -1, handshake_ms REAL NOT NULL DEFAULT -1,"
    " first_seen INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL DEFAULT 0,"
    " last_success INTEGER NOT NULL DEFAULT 0, last_try INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0, successes INTEGER NOT NULL DEFAULT 0,"
    " rel_2h REAL NOT NULL DEFAULT 0, rel_8h REAL NOT NULL DEFAULT 0,"
    " rel_1d REAL NOT NULL DEFAULT 0, rel_1w REAL NOT NULL DEFAULT 0,"
    " rel_1m REAL NOT NULL DEFAULT 0,"
    " cnt_2h REAL NOT NULL DEFAULT 0, cnt_8h REAL NOT NULL DEFAULT 0,"
    " cnt_1d REAL NOT NULL DEFAULT 0, cnt_1w REAL NOT NULL DEFAULT 0,"
    " cnt_1m REAL NOT NULL DEFAULT 0,"
    " last_error TEXT NOT NULL DEFAULT '',"
    " source_ip BLOB, source_port INTEGER NOT NULL DEFAULT 0,"
    " country TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '',"
    " latitude REAL NOT NULL DEFAULT 0, longitude REAL NOT NULL DEFAULT 0,"
    " has_location INTEGER NOT NULL DEFAULT 0,"
    " asn INTEGER NOT NULL DEFAULT 0, as_org TEXT NOT NULL DEFAULT '',"
    " last_getaddr INTEGER NOT NULL DEFAULT 0,"
    " fail_streak INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (network, ip, port));"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

static const char migrate_v2[] =
    "ALTER TABLE nodes ADD COLUMN cov_2h REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN cov_8h REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN cov_1d REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN cov_1w REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN cov_1m REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN banned_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN misbehaviour INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN addrs_learned INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX nodes_last_try ON nodes (network, last_try);";

/* Version 3: the transport of the last handshake ("v1", "v2"). */
static const char migrate_v3[] =
    "ALTER TABLE nodes ADD COLUMN transport TEXT NOT NULL DEFAULT '';";

/* Version 4: verified heights.  `height` becomes the verified height
 * (-1 = not proven; what it held so far was only claimed, so that moves
 * to claimed_height), verified_height says the same under its own name
 * for the ledger, best_chain whether the node served the crawler's
 * most-work chain.  `headers` persists the crawler's header chain,
 * `storage_checks` one row per storage challenge. */
static const char migrate_v4_height[] =
    "ALTER TABLE nodes ADD COLUMN claimed_height INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN verified_height INTEGER NOT NULL DEFAULT -1;"
    "ALTER TABLE nodes ADD COLUMN best_chain INTEGER NOT NULL DEFAULT 0;"
    "UPDATE nodes SET claimed_height = height, height = -1;"
    "CREATE TABLE headers (network TEXT NOT NULL, hash BLOB NOT NULL,"
    " height INTEGER NOT NULL, raw BLOB NOT NULL, PRIMARY KEY (network, hash));"
    "CREATE INDEX headers_height ON headers (network, height);"
    "CREATE TABLE storage_checks (network TEXT NOT NULL, ip TEXT NOT NULL,"
    " port INTEGER NOT NULL, ts INTEGER NOT NULL, height INTEGER NOT NULL,"
    " result TEXT NOT NULL);"
    "CREATE INDEX storage_checks_node ON storage_checks (network, ip, port, ts);";

/* Version 5: node identities (crawler.rewards): the Ed25519 key each address last
 * proved and the reward address it signed, and one row per visit of an
 * address that has ever proven one -- ok 1 with the key proven on that
 * visit, ok 0 when the connection, handshake or proof failed -- from
 * which uptime sessions are built.  ip is stored as nodes.ip is (the 16
 * wire bytes), so that visits join nodes on (network, ip, port). */
static const char migrate_identity[] =
    "ALTER TABLE nodes ADD COLUMN identity TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE nodes ADD COLUMN reward_address TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE visits ("
    " network TEXT NOT NULL, ip BLOB NOT NULL, port INTEGER NOT NULL,"
    " ts INTEGER NOT NULL, ok INTEGER NOT NULL,"
    " identity TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX visits_addr ON visits (network, ip, port, ts);"
    "CREATE INDEX visits_identity ON visits (identity, ts);";

/* Version 6: relay probes of the rewards observer (crawler/relayprobe.c,
 * read by common/rewardsdb.c; ip is the 16-byte BLOB nodes uses), and
 * visits by time, which is how the ledger reads a day of them. */
static const char migrate_relay_probes[] =
    "CREATE TABLE relay_probes (network TEXT NOT NULL, ip BLOB NOT NULL,"
    " port INTEGER NOT NULL, ts INTEGER NOT NULL, identity TEXT NOT NULL,"
    " txid TEXT NOT NULL, announced INTEGER NOT NULL, delay_ms REAL NOT NULL,"
    " listeners INTEGER NOT NULL);"
    "CREATE INDEX relay_probes_ts ON relay_probes (network, ts);"
    "CREATE INDEX visits_ts ON visits (network, ts);";

/* migrations[i] takes a file from version i to i + 1. */
static const char *const migrations[CRAWLDB_SCHEMA_VERSION] = {
	schema_v1,
	migrate_v2,
	migrate_v3,
	migrate_v4_height,
	migrate_identity,
	migrate_relay_probes,
};

#define NODE_COLUMNS \
    "network, ip, port, services, version, user_agent, height," \
    " connect_ms, handshake_ms, first_seen, last_seen, last_success, last_try," \
    " attempts, successes, rel_2h, rel_8h, rel_1d, rel_1w, rel_1m," \
    " cnt_2h, cnt_8h, cnt_1d, cnt_1w, cnt_1m, cov_2h, cov_8h, cov_1d, cov_1w," \
    " cov_1m, last_error, source_ip, source_port, country, city, latitude," \
    " longitude, has_location, asn, as_org, last_getaddr, fail_streak," \
    " banned_until, misbehaviour, addrs_learned, transport, claimed_height," \
    " best_chain, identity, reward_address"

static void
db_err(const struct crawldb *db, sqlite3 *s, char *err, size_t errlen,
    const char *what)
{
	str_errf(err, errlen, "%s: %s: %s", db->path, what,
	    s != NULL ? sqlite3_errmsg(s) : "out of memory");
}

static int
exec_sql(struct crawldb *db, const char *sql, char *err, size_t errlen)
{
	char	*msg = NULL;
	int	 rc;

	rc = sqlite3_exec(db->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		str_errf(err, errlen, "%s: %s", db->path,
		    msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* One integer from a single-row query, or -1 with ERR. */
static int
query_int(struct crawldb *db, const char *sql, long long *out, char *err,
    size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot read");
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*out = 0;
	else {
		db_err(db, db->db, err, errlen, "cannot read");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static int
prepare(struct crawldb *db, sqlite3_stmt **st, const char *sql, char *err,
    size_t errlen)
{
	if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot prepare statement");
		return -1;
	}
	return 0;
}

static int
prepare_writer(struct crawldb *db, char *err, size_t errlen)
{
	if (prepare(db, &db->st_add,
	    "INSERT INTO nodes (network, ip, port, addr, first_seen, last_seen,"
	    " source_ip, source_port) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)"
	    " ON CONFLICT DO NOTHING", err, errlen) == -1 ||
	    prepare(db, &db->st_touch,
	    "UPDATE nodes SET last_seen = max(last_seen, ?4)"
	    " WHERE network = ?1 AND ip = ?2 AND port = ?3", err, errlen) == -1 ||
	    prepare(db, &db->st_insert,
	    "INSERT INTO nodes (network, ip, port, addr, first_seen, last_seen,"
	    " source_ip, source_port) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT DO NOTHING", err, errlen) == -1 ||
	    prepare(db, &db->st_peer,
	    "UPDATE nodes SET services = ?4, version = ?5, user_agent = ?6,"
	    " height = ?7, connect_ms = ?8, handshake_ms = ?9, transport = ?10,"
	    " claimed_height = ?11, verified_height = ?7, best_chain = ?12"
	    " WHERE network = ?1 AND ip = ?2 AND port = ?3", err, errlen) == -1 ||
	    prepare(db, &db->st_stats,
	    "UPDATE nodes SET last_seen = ?4, last_success = ?5, last_try = ?6,"
	    " attempts = ?7, successes = ?8, rel_2h = ?9, rel_8h = ?10,"
	    " rel_1d = ?11, rel_1w = ?12, rel_1m = ?13, cnt_2h = ?14, cnt_8h = ?15,"
	    " cnt_1d = ?16, cnt_1w = ?17, cnt_1m = ?18, cov_2h = ?19, cov_8h = ?20,"
	    " cov_1d = ?21, cov_1w = ?22, cov_1m = ?23, last_error = ?24,"
	    " fail_streak = ?25, banned_until = ?26, misbehaviour = ?27"
	    " WHERE network = ?1 AND ip = ?2 AND port = ?3", err, errlen) == -1 ||
	    prepare(db, &db->st_geo,
	    "UPDATE nodes SET country = ?4, city = ?5, latitude = ?6,"
	    " longitude = ?7, has_location = ?8, asn = ?9, as_org = ?10"
	    " WHERE network = ?1 AND ip = ?2 AND port = ?3", err, errlen) == -1 ||
	    prepare(db, &db->st_disc,
	    "UPDATE nodes SET last_getaddr = ?4, addrs_learned = ?5"
	    " WHERE network = ?1 AND ip = ?2 AND port = ?3", err, errlen) == -1 ||
	    prepare(db, &db->st_header,
	    "INSERT INTO headers (network, hash, height, raw) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT DO NOTHING", err, errlen) == -1 ||
	    prepare(db, &db->st_storage,
	    "INSERT INTO storage_checks (network, ip, port, ts, height, result)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errlen) == -1 ||
	    prepare(db, &db->st_ident,
	    "UPDATE nodes SET identity = ?4, reward_address = ?5"
	    " WHERE network = ?1 AND ip = ?2 AND port = ?3", err, errlen) == -1 ||
	    prepare(db, &db->st_visit,
	    "INSERT INTO visits (network, ip, port, ts, ok, identity)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err, errlen) == -1)
		return -1;
	return 0;
}

/* Bring a read-write file to CRAWLDB_SCHEMA_VERSION, or refuse it. */
static int
migrate(struct crawldb *db, char *err, size_t errlen)
{
	long long	ver, app, tables;
	char		sql[64];
	int		v;

	if (exec_sql(db, "BEGIN IMMEDIATE", err, errlen) == -1)
		return -1;
	if (query_int(db, "PRAGMA user_version", &ver, err, errlen) == -1 ||
	    query_int(db, "PRAGMA application_id", &app, err, errlen) == -1 ||
	    query_int(db, "SELECT count(*) FROM sqlite_schema", &tables, err,
	    errlen) == -1)
		goto fail;
	if (ver > CRAWLDB_SCHEMA_VERSION) {
		str_errf(err, errlen, "%s: schema version %lld was written by a "
		    "newer agentcrawl (this one reads up to %d); upgrade", db->path,
		    ver, CRAWLDB_SCHEMA_VERSION);
		goto fail;
	}
	if (app != CRAWLDB_APP_ID && (app != 0 || ver != 0 || tables != 0)) {
		str_errf(err, errlen, "%s: not a crawl database", db->path);
		goto fail;
	}
	if (app == 0 && exec_sql(db, "PRAGMA application_id = 1095189330",
	    err, errlen) == -1)
		goto fail;
	for (v = (int)ver; v < CRAWLDB_SCHEMA_VERSION; v++) {
		if (exec_sql(db, migrations[v], err, errlen) == -1)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    CRAWLDB_SCHEMA_VERSION);
	if (exec_sql(db, sql, err, errlen) == -1 ||
	    exec_sql(db, "COMMIT", err, errlen) == -1)
		goto fail;
	db->version = CRAWLDB_SCHEMA_VERSION;
	return 0;
fail:
	sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* A read-only file must already be ours and current. */
static int
check_readonly(struct crawldb *db, char *err, size_t errlen)
{
	long long	ver, app;

	if (query_int(db, "PRAGMA user_version", &ver, err, errlen) == -1 ||
	    query_int(db, "PRAGMA application_id", &app, err, errlen) == -1)
		return -1;
	if (ver > CRAWLDB_SCHEMA_VERSION) {
		str_errf(err, errlen, "%s: schema version %lld was written by a "
		    "newer agentcrawl (this one reads up to %d); upgrade", db->path,
		    ver, CRAWLDB_SCHEMA_VERSION);
		return -1;
	}
	if (app != CRAWLDB_APP_ID) {
		str_errf(err, errlen, "%s: not a crawl database", db->path);
		return -1;
	}
	if (ver < CRAWLDB_SCHEMA_VERSION) {
		str_errf(err, errlen, "%s: schema version %lld is older than %d; "
		    "run agentcrawl crawl on it once to migrate", db->path, ver,
		    CRAWLDB_SCHEMA_VERSION);
		return -1;
	}
	db->version = (int)ver;
	return 0;
}

int
crawldb_check_dir(const char *path, char *err, size_t errlen)
{
	const char	*slash = strrchr(path, '/');
	char		*dir;
	struct stat	 sb;
	int		 rc = 0;

	if (slash == NULL)
		return 0;	/* the working directory */
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	if (stat(dir, &sb) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			str_errf(err, errlen, "%s: database directory %s does not exist",
			    path, dir);
		else
			str_errf(err, errlen, "%s: database directory %s: %s", path,
			    dir, strerror(errno));
		rc = -1;
	} else if (!S_ISDIR(sb.st_mode)) {
		str_errf(err, errlen, "%s: %s is not a directory", path, dir);
		rc = -1;
	}
	free(dir);
	return rc;
}

struct crawldb *
crawldb_open(const char *path, unsigned flags, char *err, size_t errlen)
{
	struct crawldb	*db;
	struct stat	 sb;
	int		 oflags, rc;

	if (crawldb_check_dir(path, err, errlen) == -1)
		return NULL;
	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	db->rdonly = (flags & CRAWLDB_RDONLY) != 0;
	if (db->rdonly && stat(path, &sb) == -1) {
		str_errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	oflags = db->rdonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &db->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->db, 1);
	sqlite3_busy_timeout(db->db,
	    db->rdonly ? BUSY_TIMEOUT_RO_MS : BUSY_TIMEOUT_RW_MS);
	if (db->rdonly) {
		if (check_readonly(db, err, errlen) == -1)
			goto fail;
		return db;
	}
	/* WAL first: it is a property of the file, and every later
	 * transaction (the migration too) should already use it. */
	if (exec_sql(db, "PRAGMA journal_mode = WAL", err, errlen) == -1 ||
	    exec_sql(db, "PRAGMA synchronous = NORMAL", err, errlen) == -1 ||
	    migrate(db, err, errlen) == -1 ||
	    prepare_writer(db, err, errlen) == -1)
		goto fail;
	return db;
fail:
	crawldb_close(db);
	return NULL;
}

sqlite3 *
crawldb_sqlite(struct crawldb *db)
{
	return db->db;
}

void
crawldb_close(struct crawldb *db)
{
	if (db == NULL)
		return;
	if (db->in_batch)
		crawldb_commit(db, NULL, 0);
	sqlite3_finalize(db->st_add);
	sqlite3_finalize(db->st_touch);
	sqlite3_finalize(db->st_insert);
	sqlite3_finalize(db->st_peer);
	sqlite3_finalize(db->st_stats);
	sqlite3_finalize(db->st_geo);
	sqlite3_finalize(db->st_disc);
	sqlite3_finalize(db->st_ident);
	sqlite3_finalize(db->st_visit);
	sqlite3_finalize(db->st_header);
	sqlite3_finalize(db->st_storage);
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

int
crawldb_schema_version(const struct crawldb *db)
{
	return db->version;
}

/* --- reading --------------------------------------------------------------- */

static void
col_text(sqlite3_stmt *st, int col, char *dst, size_t len)
{
	const unsigned char	*s;

	s = sqlite3_column_text(st, col);
	str_copy(dst, s != NULL ? (const char *)s : "", len);
}

static void
col_addr(sqlite3_stmt *st, int ipcol, int portcol, struct netaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (sqlite3_column_bytes(st, ipcol) == (int)sizeof(a->ip) &&
	    sqlite3_column_blob(st, ipcol) != NULL)
		memcpy(a->ip, sqlite3_column_blob(st, ipcol), sizeof(a->ip));
	a->port = (uint16_t)sqlite3_column_int(st, portcol);
}

static void
row_to_node(sqlite3_stmt *st, struct crawldb_node *n)
{
	int	i, c;

	memset(n, 0, sizeof(*n));
	col_text(st, 0, n->network, sizeof(n->network));
	col_addr(st, 1, 2, &n->addr);
	n->services = (uint64_t)sqlite3_column_int64(st, 3);
	n->version = (uint32_t)sqlite3_column_int64(st, 4);
	col_text(st, 5, n->user_agent, sizeof(n->user_agent));
	n->height = (int32_t)sqlite3_column_int64(st, 6);
	n->connect_ms = sqlite3_column_double(st, 7);
	n->handshake_ms = sqlite3_column_double(st, 8);
	n->first_seen = sqlite3_column_int64(st, 9);
	n->last_seen = sqlite3_column_int64(st, 10);
	n->last_success = sqlite3_column_int64(st, 11);
	n->last_try = sqlite3_column_int64(st, 12);
	n->attempts = (uint32_t)sqlite3_column_int64(st, 13);
	n->successes = (uint32_t)sqlite3_column_int64(st, 14);
	c = 15;
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		n->reliability[i] = sqlite3_column_double(st, c++);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		n->weight[i] = sqlite3_column_double(st, c++);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		n->coverage[i] = sqlite3_column_double(st, c++);
	col_text(st, 30, n->last_error, sizeof(n->last_error));
	col_addr(st, 31, 32, &n->source);
	col_text(st, 33, n->country, sizeof(n->country));
	col_text(st, 34, n->city, sizeof(n->city));
	n->latitude = sqlite3_column_double(st, 35);
	n->longitude = sqlite3_column_double(st, 36);
	n->has_location = sqlite3_column_int(st, 37) != 0;
	n->asn = (uint32_t)sqlite3_column_int64(st, 38);
	col_text(st, 39, n->as_org, sizeof(n->as_org));
	n->last_getaddr = sqlite3_column_int64(st, 40);
	n->fail_streak = (uint32_t)sqlite3_column_int64(st, 41);
	n->banned_until = sqlite3_column_int64(st, 42);
	n->misbehaviour = (uint32_t)sqlite3_column_int64(st, 43);
	n->addrs_learned = (uint32_t)sqlite3_column_int64(st, 44);
	col_text(st, 45, n->transport, sizeof(n->transport));
	n->claimed_height = (int32_t)sqlite3_column_int64(st, 46);
	n->best_chain = sqlite3_column_int(st, 47) != 0;
	col_text(st, 48, n->identity, sizeof(n->identity));
	col_text(st, 49, n->reward_address, sizeof(n->reward_address));
}

/* The good-rule policies of every network, with the min_height overrides
 * the crawler stored. */
struct policies {
	struct goodnode_policy	p[NET_COUNT];
};

static int
load_policies(struct crawldb *db, struct policies *pol, char *err,
    size_t errlen)
{
	const struct chainparams	*cp;
	char				 key[64], val[32];
	long long			 h;
	int				 i, rc;

	for (i = 0; i < NET_COUNT; i++) {
		cp = chainparams_get((enum net_id)i);
		goodnode_policy_init(&pol->p[i], cp);
		snprintf(key, sizeof(key), "min_height.%s", cp->name);
		rc = crawldb_meta_get(db, key, val, sizeof(val), err, errlen);
		if (rc == -1)
			return -1;
		if (rc == 1 && str_to_ll(val, 0, INT32_MAX, &h) == 0)
			pol->p[i].min_height = (int32_t)h;
	}
	return 0;
}

static void
set_good(struct crawldb_node *n, const struct policies *pol, int64_t now)
{
	const struct chainparams	*cp;

	cp = chainparams_by_name(n->network);
	n->good = cp != NULL && goodnode_is_good_policy(n, &pol->p[cp->id], now,
	    NULL);
}

int
crawldb_foreach(struct crawldb *db, const char *network, unsigned flags,
    int64_t now, int (*cb)(const struct crawldb_node *n, void *arg), void *arg,
    char *err, size_t errlen)
{
	struct policies		 pol;
	struct crawldb_node	*n;
	sqlite3_stmt		*st = NULL;
	bool			 own_txn = !db->in_batch;
	int			 rc, ret = 0;

	/* One read transaction: the meta look-ups and the scan see the same
	 * snapshot even while the crawler commits. */
	if (own_txn && exec_sql(db, "BEGIN", err, errlen) == -1)
		return -1;
	if (load_policies(db, &pol, err, errlen) == -1) {
		ret = -1;
		goto out;
	}
	if (sqlite3_prepare_v2(db->db, network != NULL ?
	    "SELECT " NODE_COLUMNS " FROM nodes WHERE network = ?1"
	    " ORDER BY network, ip, port" :
	    "SELECT " NODE_COLUMNS " FROM nodes ORDER BY network, ip, port",
	    -1, &st, NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot read");
		ret = -1;
		goto out;
	}
	if (network != NULL)
		sqlite3_bind_text(st, 1, network, -1, SQLITE_STATIC);
	n = xmalloc(sizeof(*n));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_node(st, n);
		set_good(n, &pol, now);
		if ((flags & CRAWLDB_GOOD_ONLY) && !n->good)
			continue;
		if ((ret = cb(n, arg)) != 0)
			break;
	}
	free(n);
	if (ret == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_err(db, db->db, err, errlen, "cannot read");
		ret = -1;
	}
out:
	sqlite3_finalize(st);
	if (own_txn)
		sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	return ret;
}

static void
bind_key(sqlite3_stmt *st, const char *network, const struct netaddr *a)
{
	sqlite3_bind_text(st, 1, network, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, a->ip, sizeof(a->ip), SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, a->port);
}

int
crawldb_get(struct crawldb *db, const char *network, const struct netaddr *addr,
    int64_t now, struct crawldb_node *out, char *err, size_t errlen)
{
	struct policies	 pol;
	sqlite3_stmt	*st;
	int		 rc, ret;

	if (load_policies(db, &pol, err, errlen) == -1)
		return -1;
	if (sqlite3_prepare_v2(db->db, "SELECT " NODE_COLUMNS " FROM nodes"
	    " WHERE network = ?1 AND ip = ?2 AND port = ?3", -1, &st,
	    NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot read");
		return -1;
	}
	bind_key(st, network, addr);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_to_node(st, out);
		set_good(out, &pol, now);
		ret = 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	else {
		db_err(db, db->db, err, errlen, "cannot read");
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

long long
crawldb_count(struct crawldb *db, const char *network, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	if (sqlite3_prepare_v2(db->db, network != NULL ?
	    "SELECT count(*) FROM nodes WHERE network = ?1" :
	    "SELECT count(*) FROM nodes", -1, &st, NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot read");
		return -1;
	}
	if (network != NULL)
		sqlite3_bind_text(st, 1, network, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		db_err(db, db->db, err, errlen, "cannot read");
	sqlite3_finalize(st);
	return n;
}

/* --- writing --------------------------------------------------------------- */

static int
check_writable(struct crawldb *db, char *err, size_t errlen)
{
	if (db->rdonly) {
		str_errf(err, errlen, "%s: opened read-only", db->path);
		return -1;
	}
	return 0;
}

int
crawldb_begin(struct crawldb *db, char *err, size_t errlen)
{
	if (check_writable(db, err, errlen) == -1)
		return -1;
	if (db->in_batch)
		return 0;
	if (exec_sql(db, "BEGIN IMMEDIATE", err, errlen) == -1)
		return -1;
	db->in_batch = true;
	return 0;
}

int
crawldb_commit(struct crawldb *db, char *err, size_t errlen)
{
	if (!db->in_batch)
		return 0;
	if (exec_sql(db, "COMMIT", err, errlen) == -1) {
		/* A failed COMMIT may leave the transaction open; roll it
		 * back so the handle is usable again.  The batch is lost. */
		if (!sqlite3_get_autocommit(db->db))
			sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
		db->in_batch = false;
		return -1;
	}
	db->in_batch = false;
	return 0;
}

bool
crawldb_in_batch(const struct crawldb *db)
{
	return db->in_batch;
}

/* Run a bound write statement once and reset it. */
static int
step_write(struct crawldb *db, sqlite3_stmt *st, char *err, size_t errlen)
{
	int	rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		db_err(db, db->db, err, errlen, "cannot write");
		return -1;
	}
	return 0;
}

int
crawldb_add_address(struct crawldb *db, const char *network,
    const struct netaddr *addr, const struct netaddr *source, int64_t now,
    char *err, size_t errlen)
{
	char	buf[NETADDR_STRLEN];

	if (check_writable(db, err, errlen) == -1)
		return -1;
	bind_key(db->st_add, network, addr);
	sqlite3_bind_text(db->st_add, 4, netaddr_format(addr, buf, sizeof(buf)),
	    -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(db->st_add, 5, now);
	if (source != NULL) {
		sqlite3_bind_blob(db->st_add, 6, source->ip, sizeof(source->ip),
		    SQLITE_TRANSIENT);
		sqlite3_bind_int(db->st_add, 7, source->port);
	} else
		sqlite3_bind_int(db->st_add, 7, 0);
	if (step_write(db, db->st_add, err, errlen) == -1)
		return -1;
	if (sqlite3_changes(db->db) > 0)
		return 1;
	bind_key(db->st_touch, network, addr);
	sqlite3_bind_int64(db->st_touch, 4, now);
	if (step_write(db, db->st_touch, err, errlen) == -1)
		return -1;
	return 0;
}

static bool
addr_is_zero(const struct netaddr *a)
{
	static const uint8_t	zero[16];

	return a->port == 0 && memcmp(a->ip, zero, sizeof(zero)) == 0;
}

int
crawldb_put(struct crawldb *db, const struct crawldb_node *n, unsigned fields,
    char *err, size_t errlen)
{
	char	buf[NETADDR_STRLEN];
	int	i, c;

	if (check_writable(db, err, errlen) == -1)
		return -1;
	if (chainparams_by_name(n->network) == NULL) {
		str_errf(err, errlen, "%s: unknown network \"%s\"", db->path,
		    n->network);
		return -1;
	}
	bind_key(db->st_insert, n->network, &n->addr);
	sqlite3_bind_text(db->st_insert, 4,
	    netaddr_format(&n->addr, buf, sizeof(buf)), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(db->st_insert, 5, n->first_seen);
	sqlite3_bind_int64(db->st_insert, 6, n->last_seen);
	if (!addr_is_zero(&n->source)) {
		sqlite3_bind_blob(db->st_insert, 7, n->source.ip,
		    sizeof(n->source.ip), SQLITE_TRANSIENT);
		sqlite3_bind_int(db->st_insert, 8, n->source.port);
	} else
		sqlite3_bind_int(db->st_insert, 8, 0);
	if (step_write(db, db->st_insert, err, errlen) == -1)
		return -1;

	if (fields & CRAWLDB_PUT_PEER) {
		bind_key(db->st_peer, n->network, &n->addr);
		sqlite3_bind_int64(db->st_peer, 4, (sqlite3_int64)n->services);
		sqlite3_bind_int64(db->st_peer, 5, n->version);
		sqlite3_bind_text(db->st_peer, 6, n->user_agent, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(db->st_peer, 7, n->height);
		sqlite3_bind_double(db->st_peer, 8, n->connect_ms);
		sqlite3_bind_double(db->st_peer, 9, n->handshake_ms);
		sqlite3_bind_text(db->st_peer, 10, n->transport, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(db->st_peer, 11, n->claimed_height);
		sqlite3_bind_int(db->st_peer, 12, n->best_chain);
		if (step_write(db, db->st_peer, err, errlen) == -1)
			return -1;
	}
	if (fields & CRAWLDB_PUT_STATS) {
		bind_key(db->st_stats, n->network, &n->addr);
		sqlite3_bind_int64(db->st_stats, 4, n->last_seen);
		sqlite3_bind_int64(db->st_stats, 5, n->last_success);
		sqlite3_bind_int64(db->st_stats, 6, n->last_try);
		sqlite3_bind_int64(db->st_stats, 7, n->attempts);
		sqlite3_bind_int64(db->st_stats, 8, n->successes);
		c = 9;
		for (i = 0; i < CRAWLDB_WINDOWS; i++)
			sqlite3_bind_double(db->st_stats, c++, n->reliability[i]);
		for (i = 0; i < CRAWLDB_WINDOWS; i++)
			sqlite3_bind_double(db->st_stats, c++, n->weight[i]);
		for (i = 0; i < CRAWLDB_WINDOWS; i++)
			sqlite3_bind_double(db->st_stats, c++, n->coverage[i]);
		sqlite3_bind_text(db->st_stats, 24, n->last_error, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(db->st_stats, 25, n->fail_streak);
		sqlite3_bind_int64(db->st_stats, 26, n->banned_until);
		sqlite3_bind_int64(db->st_stats, 27, n->misbehaviour);
		if (step_write(db, db->st_stats, err, errlen) == -1)
			return -1;
	}
	if (fields & CRAWLDB_PUT_GEO) {
		bind_key(db->st_geo, n->network, &n->addr);
		sqlite3_bind_text(db->st_geo, 4, n->country, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(db->st_geo, 5, n->city, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(db->st_geo, 6, n->latitude);
		sqlite3_bind_double(db->st_geo, 7, n->longitude);
		sqlite3_bind_int(db->st_geo, 8, n->has_location);
		sqlite3_bind_int64(db->st_geo, 9, n->asn);
		sqlite3_bind_text(db->st_geo, 10, n->as_org, -1, SQLITE_TRANSIENT);
		if (step_write(db, db->st_geo, err, errlen) == -1)
			return -1;
	}
	if (fields & CRAWLDB_PUT_DISCOVERY) {
		bind_key(db->st_disc, n->network, &n->addr);
		sqlite3_bind_int64(db->st_disc, 4, n->last_getaddr);
		sqlite3_bind_int64(db->st_disc, 5, n->addrs_learned);
		if (step_write(db, db->st_disc, err, errlen) == -1)
			return -1;
	}
	if (fields & CRAWLDB_PUT_IDENTITY) {
		bind_key(db->st_ident, n->network, &n->addr);
		sqlite3_bind_text(db->st_ident, 4, n->identity, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(db->st_ident, 5, n->reward_address, -1, SQLITE_TRANSIENT);
		if (step_write(db, db->st_ident, err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
crawldb_add_visit(struct crawldb *db, const char *network, const struct netaddr *addr,
    int64_t ts, bool ok, const char *identity, char *err, size_t errlen)
{
	if (check_writable(db, err, errlen) == -1)
		return -1;
	bind_key(db->st_visit, network, addr);
	sqlite3_bind_int64(db->st_visit, 4, ts);
	sqlite3_bind_int(db->st_visit, 5, ok ? 1 : 0);
	sqlite3_bind_text(db->st_visit, 6, identity != NULL ? identity : "", -1,
	    SQLITE_TRANSIENT);
	return step_write(db, db->st_visit, err, errlen);
}

int
crawldb_delete(struct crawldb *db, const char *network,
    const struct netaddr *addr, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (check_writable(db, err, errlen) == -1)
		return -1;
	if (sqlite3_prepare_v2(db->db, "DELETE FROM nodes WHERE network = ?1"
	    " AND ip = ?2 AND port = ?3", -1, &st, NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot delete");
		return -1;
	}
	bind_key(st, network, addr);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_err(db, db->db, err, errlen, "cannot delete");
		return -1;
	}
	return sqlite3_changes(db->db) > 0 ? 1 : 0;
}

int
crawldb_meta_set(struct crawldb *db, const char *key, const char *val,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (check_writable(db, err, errlen) == -1)
		return -1;
	if (sqlite3_prepare_v2(db->db, "INSERT INTO meta (key, value)"
	    " VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
	    -1, &st, NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot write");
		return -1;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_err(db, db->db, err, errlen, "cannot write");
		return -1;
	}
	return 0;
}

int
crawldb_meta_get(struct crawldb *db, const char *key, char *val, size_t vallen,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, ret;

	if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = ?1",
	    -1, &st, NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot read");
		return -1;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_text(st, 0, val, vallen);
		ret = 1;
	} else if (rc == SQLITE_DONE)
		ret = 0;
	else {
		db_err(db, db->db, err, errlen, "cannot read");
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

/* --- the crawler's header chain and storage challenges ------------------------- */

int
crawldb_header_put(struct crawldb *db, const char *network, const uint8_t hash[32],
    int32_t height, const uint8_t raw[80], char *err, size_t errlen)
{
	if (check_writable(db, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(db->st_header, 1, network, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(db->st_header, 2, hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(db->st_header, 3, height);
	sqlite3_bind_blob(db->st_header, 4, raw, 80, SQLITE_TRANSIENT);
	return step_write(db, db->st_header, err, errlen);
}

int
crawldb_headers_foreach(struct crawldb *db, const char *network,
    int (*cb)(const uint8_t raw[80], void *arg), void *arg, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, ret = 0;

	if (sqlite3_prepare_v2(db->db, "SELECT raw FROM headers WHERE network = ?1"
	    " ORDER BY height", -1, &st, NULL) != SQLITE_OK) {
		db_err(db, db->db, err, errlen, "cannot read");
		return -1;
	}
	sqlite3_bind_text(st, 1, network, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* Anything but 80 bytes is not a row we wrote: skip it. */
		if (sqlite3_column_bytes(st, 0) != 80 || sqlite3_column_blob(st, 0) == NULL)
			continue;
		if ((ret = cb(sqlite3_column_blob(st, 0), arg)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		db_err(db, db->db, err, errlen, "cannot read");
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

int
crawldb_storage_check_add(struct crawldb *db, const char *network,
    const struct netaddr *addr, int64_t ts, int32_t height, const char *result,
    char *err, size_t errlen)
{
	char	buf[NETADDR_STRLEN];

	if (check_writable(db, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(db->st_storage, 1, network, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(db->st_storage, 2, netaddr_format_ip(addr, buf, sizeof(buf)), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int(db->st_storage, 3, addr->port);
	sqlite3_bind_int64(db->st_storage, 4, ts);
	sqlite3_bind_int64(db->st_storage, 5, height);
	sqlite3_bind_text(db->st_storage, 6, result, -1, SQLITE_TRANSIENT);
	return step_write(db, db->st_storage, err, errlen);
}
