/* test_ui_netscan.c -- the console's whole-network summary from a crawl database, read synchronously and through the worker. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "../../tui/grid.h"
#include "../../tui/netscan.h"
#include "../../tui/ui_geo.h"
#include "../../tui/ui_network.h"
#include "crawldb.h"
#include "hash.h"

struct fixture {
	char	dir[64];
	char	path[96];
};

static void
put(struct crawldb *db, const char *ip, const char *ua, int height, bool reachable,
    const char *cc, uint32_t asn, int64_t now)
{
	struct crawldb_node n;
	char err[256];

	memset(&n, 0, sizeof(n));
	assert_int_equal(netaddr_parse(ip, 29001, &n.addr), 0);
	snprintf(n.network, sizeof(n.network), "regtest");
	n.services = 1;
	n.version = ua != NULL ? 70100 : 0;
	snprintf(n.user_agent, sizeof(n.user_agent), "%s", ua != NULL ? ua : "");
	n.height = height;
	n.connect_ms = 1;
	n.handshake_ms = reachable ? 40 : -1;
	n.first_seen = now - 100;
	n.last_seen = now - 10;
	n.last_try = now - 5;
	n.last_success = reachable ? now - 5 : 0;
	n.attempts = 2;
	n.successes = reachable ? 2 : 0;
	for (int w = 0; w < CRAWLDB_WINDOWS; w++) {
		n.reliability[w] = reachable ? 1 : 0;
		n.weight[w] = 2;
	}
	if (cc != NULL) {
		snprintf(n.country, sizeof(n.country), "%s", cc);
		n.has_location = true;
		n.latitude = strcmp(cc, "DE") == 0 ? 50.1 : 35.7;
		n.longitude = strcmp(cc, "DE") == 0 ? 8.7 : 139.7;
	}
	n.asn = asn;
	snprintf(n.as_org, sizeof(n.as_org), "Org %u", asn);
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct crawldb *db;
	char err[256];
	int64_t now = (int64_t)time(NULL);

	assert_int_equal(hash_init(), 0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_ui_netscan.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/crawl.db", f->dir);
	db = crawldb_open(f->path, 0, err, sizeof(err));
	if (db == NULL)
		fail_msg("crawldb_open: %s", err);
	put(db, "127.0.1.1", "/agentnode:0.1.0/", 10, true, "DE", 24940, now);
	put(db, "127.0.1.2", "/agentnode:0.1.0/", 10, true, "DE", 24940, now);
	put(db, "127.0.3.1", "/agentnode:0.2.0/", 12, true, "JP", 2516, now);
	put(db, "127.0.9.9", NULL, 0, false, NULL, 0, now);
	crawldb_close(db);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[128];

	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
test_summary(void **state)
{
	struct fixture *f = *state;
	struct netscan_sum *s = netscan_read_sum(f->path, "regtest", (int64_t)time(NULL));

	if (!s->ok)
		fail_msg("netscan_read_sum: %s", s->err);
	assert_int_equal(s->total, 4);
	assert_int_equal(s->reachable, 3);
	assert_int_equal(s->located, 3);
	assert_int_equal(s->npoints, 3);
	assert_int_equal(s->max_height, 12);
	assert_int_equal(s->dversions, 2);
	assert_string_equal(s->versions[0].key, "/agentnode:0.1.0/");
	assert_int_equal(s->versions[0].n, 2);
	assert_string_equal(s->heights[0].key, "10");
	assert_int_equal(s->dcountries, 3);		/* DE, JP and "??" */
	assert_string_equal(s->countries[0].key, "DE");
	assert_string_equal(s->asns[0].key, "AS24940 Org 24940");
	assert_true(s->avg_handshake_ms > 39 && s->avg_handshake_ms < 41);
	assert_true(s->health > 0 && s->health <= 100);
	netscan_sum_free(s);
	/* Another network has nothing; all networks has everything. */
	s = netscan_read_sum(f->path, "mainnet", (int64_t)time(NULL));
	assert_true(s->ok);
	assert_int_equal(s->total, 0);
	assert_int_equal(s->health, 0);
	netscan_sum_free(s);
	s = netscan_read_sum(f->path, NULL, (int64_t)time(NULL));
	assert_int_equal(s->total, 4);
	netscan_sum_free(s);
}

static void
test_missing_and_bogus_files(void **state)
{
	struct fixture *f = *state;
	struct netscan_sum *s;
	char bogus[128];
	FILE *fp;

	s = netscan_read_sum("/nonexistent/crawl.db", NULL, 0);
	assert_false(s->ok);
	assert_non_null(strstr(s->err, "/nonexistent/crawl.db"));
	netscan_sum_free(s);
	snprintf(bogus, sizeof(bogus), "%s/bogus.db", f->dir);
	fp = fopen(bogus, "w");
	assert_non_null(fp);
	fputs("this is not an SQLite database at all, just text\n", fp);
	fclose(fp);
	s = netscan_read_sum(bogus, NULL, 0);
	assert_false(s->ok);
	assert_true(strlen(s->err) > 0);
	netscan_sum_free(s);
	unlink(bogus);
	netscan_sum_free(NULL);
}

static int	cb_calls;

static void
scan_done(void *arg)
{
	cb_calls++;
	event_base_loopbreak(arg);
}

static void
test_worker_and_view(void **state)
{
	struct fixture *f = *state;
	struct event_base *base = event_base_new();
	struct netscan *ns = netscan_new(base, f->path, "regtest", scan_done, base);
	struct grid *g = grid_new(100, 30, true);
	struct timeval tv = { 10, 0 };
	bool found = false;
	char row[512];

	assert_null(netscan_result(ns));
	assert_int_equal(netscan_start(ns), 0);
	assert_true(netscan_busy(ns));
	assert_int_equal(netscan_start(ns), -1);	/* one at a time */
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	assert_int_equal(cb_calls, 1);
	assert_false(netscan_busy(ns));
	assert_non_null(netscan_result(ns));
	assert_int_equal(netscan_result(ns)->total, 4);
	assert_int_equal(netscan_health_history(ns)->n, 1);
	assert_string_equal(netscan_path(ns), f->path);
	ui_network_draw(g, (struct rect){ 0, 0, 100, 30 }, ns);
	for (int y = 0; y < 30; y++) {
		grid_row_text(g, y, row, sizeof(row));
		if (strstr(row, "nodes 4  reachable 3") != NULL)
			found = true;
	}
	assert_true(found);
	ui_geo_draw(g, (struct rect){ 0, 0, 100, 30 }, NULL, netscan_result(ns), NULL, true);
	grid_row_text(g, 0, row, sizeof(row));
	assert_non_null(strstr(row, "3 of 4 nodes located"));
	/* A scan in flight when the console goes away is stopped and joined
	 * (or left to free itself): nothing to wait for, nothing leaked. */
	assert_int_equal(netscan_start(ns), 0);
	netscan_free(ns);
	grid_free(g);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_missing_and_bogus_files),
		cmocka_unit_test(test_worker_and_view),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
