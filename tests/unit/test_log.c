/* test_log.c -- common/log.c: the per-kind rate limit and libevent's messages in our log. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "log.h"

struct logfile {
	char	path[64];
};

static void
log_to_temp(struct logfile *lf)
{
	char err[256];
	int fd;

	snprintf(lf->path, sizeof(lf->path), "/tmp/agentchain-test-log.XXXXXX");
	fd = mkstemp(lf->path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(log_open(lf->path, err, sizeof(err)), 0);
}

/* Close the log and count its lines and those holding NEEDLE. */
static size_t
log_finish(struct logfile *lf, const char *needle, size_t *hits, off_t *bytes)
{
	char line[4096];
	size_t n = 0;
	struct stat st;
	FILE *fp;

	log_close();
	assert_int_equal(stat(lf->path, &st), 0);
	if (bytes != NULL)
		*bytes = st.st_size;
	fp = fopen(lf->path, "r");
	assert_non_null(fp);
	*hits = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		n++;
		if (needle != NULL && strstr(line, needle) != NULL)
			(*hits)++;
	}
	fclose(fp);
	unlink(lf->path);
	return n;
}

/* Issue 15 item 2: connect-and-close churn wrote 1.5 million eviction
 * lines (188 MB) in 30 s.  The same flood now writes the first lines of
 * each window and one count per window. */
static void
test_eviction_churn_log_rate_limited(void **state)
{
	struct logfile lf;
	unsigned long long before = log_suppressed_total();
	size_t lines, hits, summaries;
	const size_t flood = 1500000;
	off_t bytes;

	(void)state;
	clock_fake_start(1700000000000);
	log_to_temp(&lf);
	log_set_level(LOGL_INFO);
	for (size_t i = 0; i < flood; i++) {
		/* 30 s of fake time, 20 us a line. */
		if (i % 50 == 0)
			clock_fake_advance(1);
		log_info("net", "disconnect peer=%zu 10.0.%zu.1:9001 in: %s", i, i % 256,
		    "evicted for an incoming connection");
	}
	log_info("net", "something else");
	lines = log_finish(&lf, "evicted for an incoming", &hits, &bytes);
	clock_fake_stop();
	/* Three windows of LOG_RL_BURST lines, a summary each, one other. */
	assert_true(hits >= LOG_RL_BURST);
	assert_true(lines <= 4 * (LOG_RL_BURST + 1) + 1);
	assert_true(bytes < 64 * 1024);
	assert_int_equal(log_suppressed_total() - before, flood - hits);
	/* One count per window. */
	summaries = lines - hits - 1;
	assert_true(summaries >= 3);
}

/* The counts say how many were dropped, and the first line is kept. */
static void
test_log_summary_counts(void **state)
{
	struct logfile lf;
	char line[4096];
	unsigned long total = 0, n;
	bool first = false;
	FILE *fp;
	size_t hits;

	(void)state;
	clock_fake_start(1700000000000);
	log_to_temp(&lf);
	for (int i = 0; i < 1000; i++)
		log_warn("rpc", "slow client %d", i);
	/* No line of that kind for a whole window: the periodic flush
	 * reports the count on its own. */
	clock_fake_advance(LOG_RL_WINDOW_MS);
	log_flush_suppressed();
	/* A fresh window writes lines again. */
	log_warn("rpc", "slow client %d", 5000);
	log_close();
	fp = fopen(lf.path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *s = strstr(line, "] ");
		if (strstr(line, "slow client 0\n") != NULL)
			first = true;
		if (s != NULL && sscanf(s + 2, "%lu similar lines suppressed", &n) == 1)
			total += n;
	}
	fclose(fp);
	assert_true(first);
	assert_int_equal(total, 1000 - LOG_RL_BURST);
	assert_int_equal(log_open(lf.path, line, sizeof(line)), 0);
	assert_int_equal(log_finish(&lf, "slow client 5000", &hits, NULL) >= 1, 1);
	assert_int_equal(hits, 1);
	clock_fake_stop();
}

/* Kinds do not share a budget: formats, components and levels differ,
 * and "%s" lines differ by their first word. */
static void
test_log_kinds_apart(void **state)
{
	struct logfile lf;
	size_t hits, lines;

	(void)state;
	clock_fake_start(1700000000000);
	log_to_temp(&lf);
	for (int i = 0; i < 200; i++) {
		log_info("net", "kind A %d", i);
		log_info("rpc", "kind A %d", i);
		log_warn("net", "kind A %d", i);
		log_info("net", "%s", i % 2 ? "alpha x" : "beta y");
	}
	/* Many kinds at once: the table recycles, counts are not lost. */
	for (int i = 0; i < 300; i++) {
		char comp[16];
		snprintf(comp, sizeof(comp), "c%d", i);
		log_info(comp, "unique");
	}
	log_info("net", "kind B");
	lines = log_finish(&lf, "kind B", &hits, NULL);
	assert_int_equal(hits, 1);
	/* 3 kinds + 2 words, each LOG_RL_BURST, + their counts + 300 + 1. */
	assert_true(lines >= 5 * LOG_RL_BURST + 300 + 1);
	assert_true(lines <= 5 * (LOG_RL_BURST + 1) + 300 + 1);
	clock_fake_stop();
}

/* libevent's own warnings land in our log, tagged and limited. */
static void
test_libevent_messages_routed(void **state)
{
	struct logfile lf;
	struct event_config *cfg;
	struct event_base *base;
	size_t hits;

	(void)state;
	log_to_temp(&lf);
	log_route_libevent();
	for (int i = 0; i < 100; i++) {
		/* Every back-end avoided: libevent warns that none is left. */
		cfg = event_config_new();
		event_config_avoid_method(cfg, "epoll");
		event_config_avoid_method(cfg, "poll");
		event_config_avoid_method(cfg, "select");
		base = event_base_new_with_config(cfg);
		assert_null(base);
		event_config_free(cfg);
	}
	log_finish(&lf, "[libevent]", &hits, NULL);
	assert_true(hits >= 1);
	assert_true(hits <= LOG_RL_BURST + 1);
	event_set_log_callback(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eviction_churn_log_rate_limited),
		cmocka_unit_test(test_log_summary_counts),
		cmocka_unit_test(test_log_kinds_apart),
		cmocka_unit_test(test_libevent_messages_routed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
