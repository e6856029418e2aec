/* test_crawldb.c -- the crawl database: schema, migrations, refusals, batches, concurrent readers (common/crawldb.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crawldb.h"
#include "goodnode.h"
#include "msg.h"
#include "netaddr.h"

#define NOW	1800000000

static char	dir[64];
static char	path[128];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_crawldb.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/crawl.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct crawldb_node
sample(const char *ip, uint16_t port)
{
	struct crawldb_node	n;
	int			i;

	memset(&n, 0, sizeof(n));
	assert_int_equal(netaddr_parse(ip, port, &n.addr), 0);
	strcpy(n.network, "regtest");
	n.services = NODE_NETWORK;
	n.version = PROTO_VERSION;
	strcpy(n.user_agent, "/agentnode:0.1.0/");
	n.height = 42;
	n.claimed_height = 45;
	n.best_chain = true;
	n.connect_ms = 1.5;
	n.handshake_ms = 2.25;
	n.first_seen = NOW - 100;
	n.last_seen = NOW - 5;
	n.last_success = NOW - 5;
	n.last_try = NOW - 5;
	n.attempts = 3;
	n.successes = 2;
	for (i = 0; i < CRAWLDB_WINDOWS; i++) {
		n.reliability[i] = 0.1 * (i + 1);
		n.weight[i] = 1.5 * (i + 1);
		n.coverage[i] = 0.05 * (i + 1);
	}
	strcpy(n.last_error, "");
	assert_int_equal(netaddr_parse("127.0.0.1", 29001, &n.source), 0);
	strcpy(n.country, "DE");
	strcpy(n.city, "Frankfurt");
	n.latitude = 50.11;
	n.longitude = 8.68;
	n.has_location = true;
	n.asn = 24940;
	strcpy(n.as_org, "Hetzner Online GmbH");
	n.last_getaddr = NOW - 50;
	n.fail_streak = 0;
	n.banned_until = 0;
	n.misbehaviour = 1;
	n.addrs_learned = 17;
	return n;
}

static void
assert_same_node(const struct crawldb_node *a, const struct crawldb_node *b)
{
	int	i;

	assert_true(netaddr_equal(&a->addr, &b->addr));
	assert_string_equal(a->network, b->network);
	assert_int_equal(a->services, b->services);
	assert_int_equal(a->version, b->version);
	assert_string_equal(a->user_agent, b->user_agent);
	assert_int_equal(a->height, b->height);
	assert_int_equal(a->claimed_height, b->claimed_height);
	assert_int_equal(a->best_chain, b->best_chain);
	assert_true(a->connect_ms == b->connect_ms);
	assert_true(a->handshake_ms == b->handshake_ms);
	assert_int_equal(a->first_seen, b->first_seen);
	assert_int_equal(a->last_seen, b->last_seen);
	assert_int_equal(a->last_success, b->last_success);
	assert_int_equal(a->last_try, b->last_try);
	assert_int_equal(a->attempts, b->attempts);
	assert_int_equal(a->successes, b->successes);
	for (i = 0; i < CRAWLDB_WINDOWS; i++) {
		assert_true(a->reliability[i] == b->reliability[i]);
		assert_true(a->weight[i] == b->weight[i]);
		assert_true(a->coverage[i] == b->coverage[i]);
	}
	assert_string_equal(a->last_error, b->last_error);
	assert_true(netaddr_equal(&a->source, &b->source));
	assert_string_equal(a->country, b->country);
	assert_string_equal(a->city, b->city);
	assert_true(a->latitude == b->latitude);
	assert_true(a->longitude == b->longitude);
	assert_int_equal(a->has_location, b->has_location);
	assert_int_equal(a->asn, b->asn);
	assert_string_equal(a->as_org, b->as_org);
	assert_int_equal(a->last_getaddr, b->last_getaddr);
	assert_int_equal(a->fail_streak, b->fail_streak);
	assert_int_equal(a->banned_until, b->banned_until);
	assert_int_equal(a->misbehaviour, b->misbehaviour);
	assert_int_equal(a->addrs_learned, b->addrs_learned);
}

static void
raw_exec(const char *file, const char *sql)
{
	sqlite3	*s;

	assert_int_equal(sqlite3_open(file, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
}

static void
test_create_and_schema(void **state)
{
	struct crawldb	*db;
	char		 err[256];
	sqlite3		*s;
	sqlite3_stmt	*st;

	(void)state;
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(crawldb_schema_version(db), CRAWLDB_SCHEMA_VERSION);
	assert_int_equal(crawldb_count(db, NULL, err, sizeof(err)), 0);
	crawldb_close(db);

	/* WAL, our application id and the version are in the file. */
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA journal_mode", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA user_version", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), CRAWLDB_SCHEMA_VERSION);
	sqlite3_finalize(st);
	sqlite3_close(s);

	/* Reopening read-write and read-only both work. */
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	crawldb_close(db);
	db = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(crawldb_schema_version(db), CRAWLDB_SCHEMA_VERSION);
	crawldb_close(db);
}

static void
test_put_get_roundtrip(void **state)
{
	struct crawldb		*db;
	struct crawldb_node	 n = sample("127.0.1.5", 29001), m;
	char			 err[256];

	(void)state;
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
	assert_int_equal(crawldb_get(db, "regtest", &n.addr, NOW, &m, err,
	    sizeof(err)), 1);
	assert_same_node(&n, &m);
	/* 3 tries, 2 successes: a newcomer, good on regtest. */
	assert_true(m.good);
	assert_int_equal(crawldb_get(db, "mainnet", &n.addr, NOW, &m, err,
	    sizeof(err)), 0);

	/* Groups are written separately: PEER alone leaves STATS. */
	n.height = 43;
	n.attempts = 99;
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_PEER, err, sizeof(err)), 0);
	assert_int_equal(crawldb_get(db, "regtest", &n.addr, NOW, &m, err,
	    sizeof(err)), 1);
	assert_int_equal(m.height, 43);
	assert_int_equal(m.attempts, 3);
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_STATS, err, sizeof(err)), 0);
	assert_int_equal(crawldb_get(db, "regtest", &n.addr, NOW, &m, err,
	    sizeof(err)), 1);
	assert_int_equal(m.attempts, 99);
	assert_false(m.good);	/* 99 tries, no window good enough */

	/* Unknown network: refused. */
	strcpy(n.network, "moonnet");
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "moonnet"));

	assert_int_equal(crawldb_delete(db, "regtest", &m.addr, err, sizeof(err)), 1);
	assert_int_equal(crawldb_delete(db, "regtest", &m.addr, err, sizeof(err)), 0);
	assert_int_equal(crawldb_count(db, NULL, err, sizeof(err)), 0);
	crawldb_close(db);
}

static void
test_add_address(void **state)
{
	struct crawldb		*db;
	struct crawldb_node	 m;
	struct netaddr		 a, src;
	char			 err[256];

	(void)state;
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	netaddr_parse("127.0.0.7", 29001, &a);
	netaddr_parse("127.0.0.8", 29001, &src);
	assert_int_equal(crawldb_add_address(db, "regtest", &a, &src, NOW, err,
	    sizeof(err)), 1);
	assert_int_equal(crawldb_add_address(db, "regtest", &a, NULL, NOW + 9, err,
	    sizeof(err)), 0);
	assert_int_equal(crawldb_add_address(db, "testnet", &a, NULL, NOW, err,
	    sizeof(err)), 1);
	assert_int_equal(crawldb_get(db, "regtest", &a, NOW, &m, err,
	    sizeof(err)), 1);
	assert_int_equal(m.first_seen, NOW);
	assert_int_equal(m.last_seen, NOW + 9);
	assert_true(netaddr_equal(&m.source, &src));
	assert_int_equal(m.attempts, 0);
	assert_true(m.connect_ms < 0);
	assert_false(m.good);
	assert_int_equal(crawldb_count(db, "regtest", err, sizeof(err)), 1);
	assert_int_equal(crawldb_count(db, NULL, err, sizeof(err)), 2);
	crawldb_close(db);
}

struct collect {
	int	n;
	int	good;
	char	first[NETADDR_STRLEN];
	char	last[NETADDR_STRLEN];
	int	stop_at;
};

static int
collect_cb(const struct crawldb_node *n, void *arg)
{
	struct collect	*c = arg;

	if (c->n == 0)
		netaddr_format(&n->addr, c->first, sizeof(c->first));
	netaddr_format(&n->addr, c->last, sizeof(c->last));
	c->n++;
	if (n->good)
		c->good++;
	return c->stop_at > 0 && c->n == c->stop_at ? 7 : 0;
}

static void
test_foreach_order_filters_meta(void **state)
{
	struct crawldb		*db;
	struct crawldb_node	 n;
	struct collect		 c;
	char			 err[256], val[16];
	int			 i;

	(void)state;
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(crawldb_begin(db, err, sizeof(err)), 0);
	assert_int_equal(crawldb_begin(db, err, sizeof(err)), 0);	/* no-op */
	assert_true(crawldb_in_batch(db));
	for (i = 9; i >= 0; i--) {
		char ip[32];

		snprintf(ip, sizeof(ip), "127.0.%d.1", i);
		n = sample(ip, 29001);
		n.height = 10 * i;
		if (i % 2)
			n.version = 0;	/* never handshaked: not good */
		assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err,
		    sizeof(err)), 0);
	}
	assert_int_equal(crawldb_commit(db, err, sizeof(err)), 0);
	assert_false(crawldb_in_batch(db));
	assert_int_equal(crawldb_commit(db, err, sizeof(err)), 0);	/* no-op */

	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(db, "regtest", 0, NOW, collect_cb, &c,
	    err, sizeof(err)), 0);
	assert_int_equal(c.n, 10);
	assert_int_equal(c.good, 5);
	assert_string_equal(c.first, "127.0.0.1:29001");
	assert_string_equal(c.last, "127.0.9.1:29001");
	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(db, NULL, CRAWLDB_GOOD_ONLY, NOW,
	    collect_cb, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 5);
	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(db, "mainnet", 0, NOW, collect_cb, &c,
	    err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
	/* The callback can stop the walk; its value comes back. */
	memset(&c, 0, sizeof(c));
	c.stop_at = 3;
	assert_int_equal(crawldb_foreach(db, NULL, 0, NOW, collect_cb, &c, err,
	    sizeof(err)), 7);
	assert_int_equal(c.n, 3);

	/* A stored min_height applies to every reader's good flag. */
	assert_int_equal(crawldb_meta_get(db, "min_height.regtest", val,
	    sizeof(val), err, sizeof(err)), 0);
	assert_int_equal(crawldb_meta_set(db, "min_height.regtest", "50", err,
	    sizeof(err)), 0);
	assert_int_equal(crawldb_meta_set(db, "min_height.regtest", "60", err,
	    sizeof(err)), 0);
	assert_int_equal(crawldb_meta_get(db, "min_height.regtest", val,
	    sizeof(val), err, sizeof(err)), 1);
	assert_string_equal(val, "60");
	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(db, NULL, CRAWLDB_GOOD_ONLY, NOW,
	    collect_cb, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 2);	/* heights 60 and 80 */
	crawldb_close(db);
}

struct raw_list {
	uint8_t	raw[4][80];
	size_t	n;
};

static int
collect_header(const uint8_t raw[80], void *arg)
{
	struct raw_list	*l = arg;

	assert_true(l->n < 4);
	memcpy(l->raw[l->n++], raw, 80);
	return 0;
}

/* v4: the crawler's headers come back lowest first, per network; a known
 * hash is kept once; storage checks are rows of their own. */
static void
test_headers_and_storage_checks(void **state)
{
	struct crawldb	*db;
	struct raw_list	 l = { .n = 0 };
	uint8_t		 h1[32], h2[32], r1[80], r2[80];
	struct netaddr	 a;
	char		 err[256], cmd[512];
	FILE		*fp;

	(void)state;
	memset(h1, 1, 32);
	memset(h2, 2, 32);
	memset(r1, 0x11, 80);
	memset(r2, 0x22, 80);
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(crawldb_begin(db, err, sizeof(err)), 0);
	assert_int_equal(crawldb_header_put(db, "regtest", h2, 2, r2, err, sizeof(err)), 0);
	assert_int_equal(crawldb_header_put(db, "regtest", h1, 1, r1, err, sizeof(err)), 0);
	assert_int_equal(crawldb_header_put(db, "regtest", h1, 1, r1, err, sizeof(err)), 0);
	assert_int_equal(crawldb_header_put(db, "mainnet", h1, 1, r2, err, sizeof(err)), 0);
	netaddr_parse("127.0.1.5", 29001, &a);
	assert_int_equal(crawldb_storage_check_add(db, "regtest", &a, NOW, 12, "ok", err,
	    sizeof(err)), 0);
	assert_int_equal(crawldb_storage_check_add(db, "regtest", &a, NOW + 1, 3, "missing",
	    err, sizeof(err)), 0);
	assert_int_equal(crawldb_commit(db, err, sizeof(err)), 0);
	assert_int_equal(crawldb_headers_foreach(db, "regtest", collect_header, &l, err,
	    sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_memory_equal(l.raw[0], r1, 80);
	assert_memory_equal(l.raw[1], r2, 80);
	crawldb_close(db);
	/* Readers see the rows as the contract names them. */
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"SELECT ip, port, ts, height, result"
	    " FROM storage_checks ORDER BY ts\"", path);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	assert_non_null(fgets(err, sizeof(err), fp));
	assert_string_equal(err, "127.0.1.5|29001|1800000000|12|ok\n");
	assert_non_null(fgets(err, sizeof(err), fp));
	assert_string_equal(err, "127.0.1.5|29001|1800000001|3|missing\n");
	pclose(fp);
}

static void
test_migration_from_v1(void **state)
{
	struct crawldb		*db;
	struct crawldb_node	 m;
	struct netaddr		 a;
	char			 err[256];

	(void)state;
	/* What the first release wrote. */
	raw_exec(path,
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
	    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	    "INSERT INTO nodes (network, ip, port, addr, version, services,"
	    " attempts, successes, user_agent, height)"
	    " VALUES ('regtest', x'00000000000000000000ffff7f000105', 29001,"
	    " '127.0.1.5:29001', 70100, 1, 1, 1, '/old:0.0.1/', 7);"
	    "PRAGMA application_id = 1095189330;"
	    "PRAGMA user_version = 1;");

	/* A reader refuses to use it (it may not migrate)... */
	assert_null(crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "older"));
	assert_non_null(strstr(err, path));
	/* ...the writer migrates it, keeping the data. */
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(crawldb_schema_version(db), CRAWLDB_SCHEMA_VERSION);
	netaddr_parse("127.0.1.5", 29001, &a);
	assert_int_equal(crawldb_get(db, "regtest", &a, NOW, &m, err,
	    sizeof(err)), 1);
	assert_string_equal(m.user_agent, "/old:0.0.1/");
	assert_int_equal(m.banned_until, 0);
	assert_int_equal(m.misbehaviour, 0);
	assert_true(m.coverage[0] == 0);
	assert_string_equal(m.transport, "");	/* v3: not known until probed */
	/* v4: the old height was only claimed; nothing is verified yet. */
	assert_int_equal(m.claimed_height, 7);
	assert_int_equal(m.height, -1);
	assert_false(m.best_chain);
	assert_true(m.good);
	/* The v3 column is written with the peer's fields. */
	strcpy(m.transport, "v2");
	assert_int_equal(crawldb_begin(db, err, sizeof(err)), 0);
	assert_int_equal(crawldb_put(db, &m, CRAWLDB_PUT_PEER, err, sizeof(err)), 0);
	assert_int_equal(crawldb_commit(db, err, sizeof(err)), 0);
	assert_int_equal(crawldb_get(db, "regtest", &a, NOW, &m, err, sizeof(err)), 1);
	assert_string_equal(m.transport, "v2");
	crawldb_close(db);
	db = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	assert_non_null(db);
	crawldb_close(db);
}

static void
test_newer_schema_refused(void **state)
{
	struct crawldb	*db;
	char		 err[256];

	(void)state;
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	crawldb_close(db);
	raw_exec(path, "PRAGMA user_version = 99;");
	assert_null(crawldb_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "newer agentcrawl"));
	assert_non_null(strstr(err, "99"));
	assert_non_null(strstr(err, path));
	assert_null(crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "newer agentcrawl"));
}

static void
test_corrupt_and_foreign_files(void **state)
{
	struct crawldb	*db;
	char		 err[256], junk[4096];
	FILE		*fp;
	size_t		 i;

	(void)state;
	/* Not SQLite at all. */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fwrite(junk, 1, sizeof(junk), fp);
	fclose(fp);
	assert_null(crawldb_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "not a database"));
	assert_null(crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "not a database"));
	unlink(path);

	/* A real database, but damaged past its header. */
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	crawldb_close(db);
	fp = fopen(path, "r+");
	assert_non_null(fp);
	fseek(fp, 100, SEEK_SET);
	fwrite(junk, 1, 1000, fp);
	fclose(fp);
	db = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	if (db != NULL) {
		struct collect c;

		memset(&c, 0, sizeof(c));
		assert_int_equal(crawldb_foreach(db, NULL, 0, NOW, collect_cb, &c,
		    err, sizeof(err)), -1);
		assert_non_null(strstr(err, path));
		crawldb_close(db);
	} else
		assert_non_null(strstr(err, path));
	unlink(path);

	/* Some other program's SQLite file. */
	raw_exec(path, "CREATE TABLE recipes (name TEXT);");
	assert_null(crawldb_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "not a crawl database"));
	assert_null(crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "not a crawl database"));
	unlink(path);

	/* Missing: a reader neither creates nor opens it. */
	assert_null(crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(access(path, F_OK), -1);
}

/* Issue 15 item 23: a missing database directory was reported as
 * "crawl.db.lock: No such file or directory".  The error names the
 * directory, for both kinds of open. */
static void
test_open_missing_directory_named(void **state)
{
	char	 missing[192], want[512], notdir[192], err[512];
	FILE	*fp;

	(void)state;
	snprintf(missing, sizeof(missing), "%s/nope/crawl.db", dir);
	snprintf(want, sizeof(want), "%s: database directory %s/nope does not exist",
	    missing, dir);
	assert_null(crawldb_open(missing, 0, err, sizeof(err)));
	assert_string_equal(err, want);
	assert_null(crawldb_open(missing, CRAWLDB_RDONLY, err, sizeof(err)));
	assert_string_equal(err, want);
	assert_int_equal(crawldb_check_dir(missing, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	/* Nothing was created on the way. */
	snprintf(want, sizeof(want), "%s/nope", dir);
	assert_int_equal(access(want, F_OK), -1);
	/* A file where the directory should be. */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(notdir, sizeof(notdir), "%s/x.db", path);
	assert_null(crawldb_open(notdir, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "is not a directory"));
	assert_non_null(strstr(err, path));
	/* The directory exists: fine, with or without a slash. */
	assert_int_equal(crawldb_check_dir(path, err, sizeof(err)), 0);
	assert_int_equal(crawldb_check_dir("crawl.db", err, sizeof(err)), 0);
	assert_int_equal(crawldb_check_dir("/crawl.db", err, sizeof(err)), 0);
}

static void
test_readonly_cannot_write(void **state)
{
	struct crawldb		*db;
	struct crawldb_node	 n = sample("127.0.0.2", 29001);
	struct netaddr		 a;
	char			 err[256];

	(void)state;
	db = crawldb_open(path, 0, err, sizeof(err));
	crawldb_close(db);
	db = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "read-only"));
	assert_int_equal(crawldb_begin(db, err, sizeof(err)), -1);
	netaddr_parse("127.0.0.2", 29001, &a);
	assert_int_equal(crawldb_add_address(db, "regtest", &a, NULL, NOW, err,
	    sizeof(err)), -1);
	assert_int_equal(crawldb_delete(db, "regtest", &a, err, sizeof(err)), -1);
	assert_int_equal(crawldb_meta_set(db, "k", "v", err, sizeof(err)), -1);
	crawldb_close(db);
}

/* A reader sees committed batches only, never half of one, and is never
 * blocked by the writer's open transaction. */
static int
snapshot_cb(const struct crawldb_node *n, void *arg)
{
	struct crawldb		*writer = arg;
	struct crawldb_node	 m = *n;
	char			 err[256];

	/* Commit a new row while the reader is mid-walk. */
	m.addr.port = 1;
	if (crawldb_put(writer, &m, CRAWLDB_PUT_ALL, err, sizeof(err)) == -1)
		return -1;
	return 0;
}

static void
test_reader_during_write_same_process(void **state)
{
	struct crawldb		*w, *r;
	struct crawldb_node	 n;
	struct collect		 c;
	char			 err[256];

	(void)state;
	w = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(w);
	n = sample("127.0.0.3", 29001);
	assert_int_equal(crawldb_put(w, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
	r = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	assert_non_null(r);

	/* An open, uncommitted batch is invisible and does not block. */
	assert_int_equal(crawldb_begin(w, err, sizeof(err)), 0);
	n = sample("127.0.0.4", 29001);
	assert_int_equal(crawldb_put(w, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(r, NULL, 0, NOW, collect_cb, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(crawldb_commit(w, err, sizeof(err)), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(r, NULL, 0, NOW, collect_cb, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.n, 2);

	/* Commits during a walk do not change the walk's snapshot. */
	assert_int_equal(crawldb_foreach(r, NULL, 0, NOW, snapshot_cb, w, err,
	    sizeof(err)), 0);
	assert_int_equal(crawldb_count(w, NULL, err, sizeof(err)), 4);
	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(r, NULL, 0, NOW, collect_cb, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.n, 4);
	crawldb_close(r);
	crawldb_close(w);
}

#define BATCH	50
#define BATCHES	200

/* Child: BATCHES transactions of BATCH rows each, as the crawler does. */
static void
writer_child(int slow)
{
	struct crawldb		*db;
	struct crawldb_node	 n;
	char			 err[256], ip[32];
	int			 b, i;

	db = crawldb_open(path, 0, err, sizeof(err));
	if (db == NULL)
		_exit(2);
	for (b = 0; b < BATCHES; b++) {
		if (crawldb_begin(db, err, sizeof(err)) == -1)
			_exit(3);
		for (i = 0; i < BATCH; i++) {
			snprintf(ip, sizeof(ip), "127.1.%d.%d", b, i + 1);
			n = sample(ip, 29001);
			if (crawldb_put(db, &n, CRAWLDB_PUT_ALL, err,
			    sizeof(err)) == -1)
				_exit(4);
		}
		if (crawldb_commit(db, err, sizeof(err)) == -1)
			_exit(5);
		if (slow)
			usleep(1000);
	}
	crawldb_close(db);
	_exit(0);
}

static void
test_concurrent_reader_other_process(void **state)
{
	struct crawldb	*db, *r;
	struct collect	 c;
	char		 err[256];
	pid_t		 pid;
	int		 status, reads = 0, rc;
	time_t		 deadline = time(NULL) + 20;

	(void)state;
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	crawldb_close(db);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		writer_child(0);
	r = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	assert_non_null(r);
	for (;;) {
		memset(&c, 0, sizeof(c));
		rc = crawldb_foreach(r, NULL, 0, NOW, collect_cb, &c, err,
		    sizeof(err));
		if (rc != 0)
			fail_msg("read during writes: %s", err);
		/* Whole batches only. */
		assert_int_equal(c.n % BATCH, 0);
		reads++;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		assert_true(time(NULL) < deadline);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(r, NULL, 0, NOW, collect_cb, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.n, BATCH * BATCHES);
	assert_true(reads >= 1);
	crawldb_close(r);
}

/* kill -9 while batches are being committed: the file opens, holds whole
 * batches only, and passes SQLite's integrity check. */
static void
test_kill9_mid_write(void **state)
{
	struct crawldb	*db;
	struct collect	 c;
	char		 err[256];
	pid_t		 pid;
	int		 status;
	long long	 n = 0;
	time_t		 deadline = time(NULL) + 20;
	sqlite3		*s;
	sqlite3_stmt	*st;

	(void)state;
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	crawldb_close(db);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		writer_child(1);
	/* Wait until some batches are in, then kill it mid-stream. */
	db = crawldb_open(path, CRAWLDB_RDONLY, err, sizeof(err));
	assert_non_null(db);
	while ((n = crawldb_count(db, NULL, err, sizeof(err))) < 5 * BATCH) {
		assert_true(n >= 0);
		assert_true(time(NULL) < deadline);
		usleep(2000);
	}
	crawldb_close(db);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));

	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	memset(&c, 0, sizeof(c));
	assert_int_equal(crawldb_foreach(db, NULL, 0, NOW, collect_cb, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.n % BATCH, 0);
	assert_true(c.n >= 5 * BATCH);
	crawldb_close(db);
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s, "PRAGMA integrity_check", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_get_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_order_filters_meta, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_headers_and_storage_checks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_and_foreign_files, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_missing_directory_named, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_readonly_cannot_write, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reader_during_write_same_process,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_reader_other_process,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9_mid_write, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
