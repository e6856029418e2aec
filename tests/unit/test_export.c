/* test_export.c -- NODES.md, JSON and CSV exports, NetworkStats, NetworkHealth and the progress line (crawler/export.c, stats.c, progress.c, common/health.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "crawldb.h"
#include "goodnode.h"
#include "hash.h"
#include "health.h"
#include "msg.h"
#include "netaddr.h"
#include "../../crawler/export.h"
#include "../../crawler/progress.h"
#include "../../crawler/stats.h"
#include "../../tui/netscan.h"

#define NOW	1767225600	/* 2026-01-01T00:00:00Z */

static char		dir[64], path[128];
static struct crawldb	*db;

static void
put(const struct crawldb_node *n)
{
	char	err[256];

	assert_int_equal(crawldb_put(db, n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
}

/* N as a good node (fresh, 1 of 1), with location when CITY is given. */
static void
fill_good(struct crawldb_node *np, const char *ip, const char *ua, int32_t height,
    const char *cc, const char *city, uint32_t asn, double handshake_ms)
{
	struct crawldb_node	n;
	int			w;

	memset(&n, 0, sizeof(n));
	assert_int_equal(netaddr_parse(ip, 29001, &n.addr), 0);
	strcpy(n.network, "regtest");
	n.services = NODE_NETWORK;
	/* A fixed sample, not the current PROTO_VERSION: the golden
	 * exports below spell the number out. */
	n.version = 70100;
	strcpy(n.user_agent, ua);
	/* HEIGHT is what the crawler verified; 99 is a liar that claims
	 * 2^31-1 (and is shown with its verified 99). */
	n.height = height;
	n.claimed_height = height == 99 ? INT32_MAX : height;
	n.best_chain = true;
	n.connect_ms = 0.5;
	n.handshake_ms = handshake_ms;
	n.first_seen = NOW - 60;
	n.last_seen = n.last_success = n.last_try = NOW - 30;
	n.attempts = n.successes = 1;
	for (w = 0; w < CRAWLDB_WINDOWS; w++)
		n.reliability[w] = n.coverage[w] = 0.1;
	n.weight[0] = 1;
	if (cc != NULL) {
		strcpy(n.country, cc);
		strcpy(n.city, city);
		n.has_location = true;
		n.latitude = 50.11;
		n.longitude = 8.68;
		n.asn = asn;
		strcpy(n.as_org, "Some, \"Org\"");
		/* Transports of both kinds; none known without a city. */
		strcpy(n.transport, strcmp(cc, "DE") == 0 ? "v2" : "v1");
	}
	*np = n;
}

static void
put_good(const char *ip, const char *ua, int32_t height, const char *cc,
    const char *city, uint32_t asn, double handshake_ms)
{
	struct crawldb_node	n;

	fill_good(&n, ip, ua, height, cc, city, asn, handshake_ms);
	put(&n);
}

static void
put_dead(const char *ip, const char *error, uint32_t attempts)
{
	struct crawldb_node	n;

	memset(&n, 0, sizeof(n));
	assert_int_equal(netaddr_parse(ip, 29001, &n.addr), 0);
	strcpy(n.network, "regtest");
	n.connect_ms = n.handshake_ms = -1;
	n.height = -1;		/* never proved a height */
	n.first_seen = n.last_seen = NOW - 60;
	n.last_try = attempts > 0 ? NOW - 20 : 0;
	n.attempts = attempts;
	n.fail_streak = attempts;
	strcpy(n.last_error, error);
	put(&n);
}

static int
setup(void **state)
{
	char	err[256];

	(void)state;
	strcpy(dir, "/tmp/test_export.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/crawl.db", dir);
	if ((db = crawldb_open(path, 0, err, sizeof(err))) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[160];

	(void)state;
	crawldb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
run_export(enum export_format f, bool all, const char *network)
{
	struct export_options	 o;
	char			*buf = NULL, err[256];
	size_t			 len = 0;
	FILE			*fp;

	memset(&o, 0, sizeof(o));
	o.format = f;
	o.all = all;
	o.network = network;
	o.now = NOW;
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(export_write(db, &o, fp, err, sizeof(err)), 0);
	fclose(fp);
	return buf;
}

static void
sample_network(void)
{
	put_good("127.0.2.1", "/agentnode:0.1.0/", 100, "US", "New York", 14061,
	    2.0);
	put_good("127.0.1.1", "/agentnode:0.1.0/", 100, "DE", "Frankfurt", 24940,
	    4.0);
	put_good("127.0.9.1", "/evil|ua*_`x`/", 99, NULL, NULL, 0, 6.0);
	put_dead("127.0.3.1", "refused", 2);
	put_dead("127.0.4.1", "", 0);
}

static void
test_parse_format(void **state)
{
	enum export_format	f;

	(void)state;
	assert_int_equal(export_parse_format("nodes-md", &f), 0);
	assert_int_equal(f, EXPORT_NODES_MD);
	assert_int_equal(export_parse_format("json", &f), 0);
	assert_int_equal(f, EXPORT_JSON);
	assert_int_equal(export_parse_format("csv", &f), 0);
	assert_int_equal(f, EXPORT_CSV);
	assert_int_equal(export_parse_format("xml", &f), -1);
	assert_int_equal(export_parse_format("", &f), -1);
}

static const char expected_md[] =
    "# NODES.md\n"
    "\n"
    "Registry of reachable Agent Chain nodes, exported by agentcrawl 0.1.0.\n"
    "User agents are what each node says of itself: untrusted text, shown literally.\n"
    "\n"
    "- Network: regtest\n"
    "- Snapshot: 2026-01-01T00:00:00Z\n"
    "- Nodes: 5 known, 3 reachable, 3 good\n"
    "\n"
    "## Active Nodes\n"
    "\n"
    "| Address | Location | User agent (untrusted) | Version | Height | Claimed height | Uptime (1d) | Last seen | Transport |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    "| 127.0.1.1:29001 | DE, Frankfurt | `/agentnode:0.1.0/` | 70100 | 100 | 100 | 100.0% | 2025-12-31T23:59:30Z | v2 |\n"
    "| 127.0.2.1:29001 | US, New York | `/agentnode:0.1.0/` | 70100 | 100 | 100 | 100.0% | 2025-12-31T23:59:30Z | v1 |\n"
    "| 127.0.9.1:29001 | — | ``/evil\\|ua*_`x`/`` | 70100 | 99 | 2147483647 | 100.0% | 2025-12-31T23:59:30Z | — |\n";

static void
test_nodes_md(void **state)
{
	char	*out;

	(void)state;
	sample_network();
	out = run_export(EXPORT_NODES_MD, false, NULL);
	assert_string_equal(out, expected_md);
	free(out);
	/* The same for the network named. */
	out = run_export(EXPORT_NODES_MD, false, "regtest");
	assert_string_equal(out, expected_md);
	free(out);
	/* With --all the rest follow, with why they are not good. */
	out = run_export(EXPORT_NODES_MD, true, NULL);
	assert_non_null(strstr(out, expected_md + 0));
	assert_non_null(strstr(out, "\n## Other Nodes\n\n"
	    "| Address | Not good because | Successes/attempts | Last success |\n"
	    "| --- | --- | --- | --- |\n"
	    "| 127.0.3.1:29001 | refused | 0/2 | never |\n"
	    "| 127.0.4.1:29001 | untested | 0/0 | never |\n"));
	free(out);
	/* Another network: an empty registry, still well-formed. */
	out = run_export(EXPORT_NODES_MD, false, "mainnet");
	assert_non_null(strstr(out, "- Network: mainnet\n"));
	assert_non_null(strstr(out, "- Nodes: 0 known, 0 reachable, 0 good\n"));
	assert_non_null(strstr(out, "## Active Nodes\n"));
	free(out);
}

static void
test_json(void **state)
{
	json_t		*arr, *o;
	json_error_t	 jerr;
	char		*out;

	(void)state;
	sample_network();
	out = run_export(EXPORT_JSON, false, NULL);
	arr = json_loads(out, 0, &jerr);
	assert_non_null(arr);
	assert_int_equal(json_array_size(arr), 3);
	o = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(o, "address")),
	    "127.0.1.1:29001");
	assert_string_equal(json_string_value(json_object_get(o, "ip")), "127.0.1.1");
	assert_int_equal(json_integer_value(json_object_get(o, "port")), 29001);
	assert_true(json_is_true(json_object_get(o, "good")));
	assert_true(json_is_true(json_object_get(o, "reachable")));
	assert_int_equal(json_integer_value(json_object_get(o, "version")), 70100);
	assert_string_equal(json_string_value(json_object_get(o, "city")),
	    "Frankfurt");
	assert_string_equal(json_string_value(json_object_get(o, "as_org")),
	    "Some, \"Org\"");
	assert_int_equal(json_integer_value(json_object_get(o, "asn")), 24940);
	assert_true(json_real_value(json_object_get(o, "handshake_ms")) == 4.0);
	assert_true(json_is_null(json_object_get(o, "source")));
	assert_true(json_real_value(json_object_get(json_object_get(o, "uptime"),
	    "1d")) == 1.0);
	assert_non_null(json_object_get(json_object_get(o, "reliability"), "1m"));
	assert_non_null(json_object_get(json_object_get(o, "weight"), "2h"));
	assert_non_null(json_object_get(o, "banned_until"));
	assert_true(json_is_null(json_object_get(json_array_get(arr, 2),
	    "latitude")));
	assert_string_equal(json_string_value(json_object_get(o, "transport")), "v2");
	/* The verified height is "height"; the claim has its own field. */
	assert_int_equal(json_integer_value(json_object_get(o, "height")), 100);
	assert_int_equal(json_integer_value(json_object_get(o, "claimed_height")), 100);
	assert_true(json_is_true(json_object_get(o, "best_chain")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 2),
	    "height")), 99);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 2),
	    "claimed_height")), INT32_MAX);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 1),
	    "transport")), "v1");
	assert_true(json_is_null(json_object_get(json_array_get(arr, 2), "transport")));
	json_decref(arr);
	free(out);

	out = run_export(EXPORT_JSON, true, NULL);
	arr = json_loads(out, 0, &jerr);
	assert_non_null(arr);
	assert_int_equal(json_array_size(arr), 5);
	o = json_array_get(arr, 2);
	assert_string_equal(json_string_value(json_object_get(o, "last_error")),
	    "refused");
	assert_true(json_is_false(json_object_get(o, "good")));
	assert_true(json_is_null(json_object_get(o, "connect_ms")));
	assert_true(json_is_null(json_object_get(o, "height")));	/* not proven */
	assert_true(json_is_false(json_object_get(o, "best_chain")));
	json_decref(arr);
	free(out);

	/* An empty export is still valid JSON. */
	out = run_export(EXPORT_JSON, false, "testnet");
	assert_string_equal(out, "[]\n");
	free(out);
}

static void
test_csv(void **state)
{
	char	*out, *line, *save = NULL;
	int	 lines = 0, commas_header = 0;
	char	*p;

	(void)state;
	sample_network();
	out = run_export(EXPORT_CSV, true, NULL);
	for (p = out; *p != '\n'; p++)
		if (*p == ',')
			commas_header++;
	assert_true(strncmp(out, "address,ip,port,network,good,", 29) == 0);
	assert_non_null(strstr(out, ",height,claimed_height,best_chain,connect_ms,"));
	assert_non_null(strstr(out, ",reliability_2h,"));
	assert_non_null(strstr(out, ",uptime_1m,"));
	assert_non_null(strstr(out, ",misbehaviour,transport\n"));
	assert_non_null(strstr(out, ",\"v2\"\n"));
	/* Quotes doubled, commas kept inside quotes. */
	assert_non_null(strstr(out, "\"Some, \"\"Org\"\"\""));
	assert_non_null(strstr(out, "\"127.0.1.1:29001\",\"127.0.1.1\",29001,"
	    "\"regtest\",1,1,1,70100,\"/agentnode:0.1.0/\",100,100,1,0.500,4.000,"));
	assert_non_null(strstr(out, ",\"/evil|ua*_`x`/\",99,2147483647,1,"));
	assert_non_null(strstr(out, "\"127.0.3.1:29001\",\"127.0.3.1\",29001,"
	    "\"regtest\",0,0,0,0,\"\",,0,0,,,"));
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		lines++;
	assert_int_equal(lines, 6);
	assert_true(commas_header > 40);
	free(out);
	out = run_export(EXPORT_CSV, false, NULL);
	lines = 0;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		lines++;
	assert_int_equal(lines, 4);
	free(out);
}

/* The cell after the third '|' of the table row that starts with ROW. */
static char *
md_agent_cell(const char *md, const char *row)
{
	const char	*p = strstr(md, row), *end;
	int		 bars = 0;

	assert_non_null(p);
	/* an escaped \| is no cell border */
	for (; bars < 3; p++)
		if (*p == '|' && p[-1] != '\\')
			bars++;
	p++;
	for (end = p; !(*end == '|' && end[-1] != '\\'); end++)
		assert_true(*end != '\n');
	return strndup(p, (size_t)(end - p - 1));
}

/* Issue 15 item 12: a user agent is text in NODES.md, never a link, an
 * image, HTML or other markup.  It is one code span (inside which
 * Markdown and HTML mean nothing) whose fence no backtick run inside can
 * close, '|' escaped for the table, control bytes as visible \xNN; the
 * column says the text is untrusted.  (Rendered with cmark-gfm and
 * GitHub's extensions, every one of these is a single <code> element.) */
static void
test_nodes_md_user_agent_markup_escaped(void **state)
{
	static const char *const hostile[] = {
		"[docs](https://evil.example/x)",
		"<img src=x onerror=alert(1)>",
		"<script>alert(1)</script>",
		"see www.evil.example or mail a@evil.example",
		"![i](https://evil.example/i.png) ~~s~~ $x$ &amp; # h <!-- c -->",
		"a\nb\x1b[31m|red",
		"`code` ``two`` |",
		"`",
		" spaced ",
		"*_{}+-.!=^'\"\\:",
	};
	/* What each cell must hold between its fences, unescaped. */
	static const char *const shown[] = {
		NULL, NULL, NULL, NULL, NULL,
		"a\\x0ab\\x1b[31m|red",
		NULL, NULL, NULL, NULL,
	};
	char	 ip[32], row[48], *out, *cell;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(ip, sizeof(ip), "127.0.5.%zu", i + 1);
		put_good(ip, hostile[i], 100, NULL, NULL, 0, 1.0);
	}
	out = run_export(EXPORT_NODES_MD, false, NULL);
	/* Marked as untrusted where it is shown. */
	assert_non_null(strstr(out, "| User agent (untrusted) |"));
	assert_non_null(strstr(out, "User agents are what each node says of "
	    "itself: untrusted text"));
	cell = md_agent_cell(out, "| 127.0.5.1:29001 |");
	assert_string_equal(cell, "`[docs](https://evil.example/x)`");
	free(cell);
	cell = md_agent_cell(out, "| 127.0.5.7:29001 |");
	assert_string_equal(cell, "``` `code` ``two`` \\| ```");
	free(cell);
	cell = md_agent_cell(out, "| 127.0.5.8:29001 |");
	assert_string_equal(cell, "`` ` ``");
	free(cell);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const char	*want = shown[i] != NULL ? shown[i] : hostile[i];
		size_t		 fence = 0, len, run = 0, k;
		char		 content[512];
		const char	*c, *end;

		snprintf(row, sizeof(row), "| 127.0.5.%zu:29001 |", i + 1);
		cell = md_agent_cell(out, row);
		len = strlen(cell);
		/* one code span: a fence, the content, the same fence */
		while (cell[fence] == '`')
			fence++;
		assert_true(fence > 0 && len > 2 * fence);
		for (k = 0; k < fence; k++)
			assert_int_equal(cell[len - 1 - k], '`');
		assert_true(cell[len - 1 - fence] != '`');
		c = cell + fence;
		end = cell + len - fence;
		/* CommonMark strips one space each side when both are there */
		if (c[0] == ' ' && end[-1] == ' ' && end - c > 2) {
			c++;
			end--;
		}
		for (k = 0; c < end; c++) {
			assert_true((unsigned char)*c >= 0x20);	/* no raw control */
			run = *c == '`' ? run + 1 : 0;
			assert_true(run < fence);	/* cannot close the span */
			if (*c == '\\' && c[1] == '|')
				c++;			/* the table's escaped pipe */
			else
				assert_true(*c != '|');
			content[k++] = *c;
		}
		content[k] = '\0';
		assert_string_equal(content, want);
		free(cell);
	}
	free(out);
}

/* Issue 15 item 13: a user agent "=HYPERLINK(...)" must not reach a
 * spreadsheet as a formula.  Text cells starting with = + - @ (or a tab
 * or CR) get a leading ', and only those. */
static void
test_csv_formula_injection_neutralised(void **state)
{
	struct crawldb_node	 n;
	char			*out;

	(void)state;
	put_good("127.0.6.1", "=HYPERLINK(\"https://evil.example/x\",\"docs\")", 1,
	    NULL, NULL, 0, 1.0);
	put_good("127.0.6.2", "+1+cmd|' /C calc'!A0", 1, NULL, NULL, 0, 1.0);
	put_good("127.0.6.3", "-2+3", 1, NULL, NULL, 0, 1.0);
	put_good("127.0.6.4", "@SUM(1+1)", 1, NULL, NULL, 0, 1.0);
	put_good("127.0.6.5", "\t=1+1", 1, NULL, NULL, 0, 1.0);
	put_good("127.0.6.6", "/agentnode:0.1.0/ =1", 1, NULL, NULL, 0, 1.0);
	/* The rule holds for every text cell, not just the user agent. */
	fill_good(&n, "127.0.6.7", "/ok/", 1, "DE", "-Berlin", 1, 1.0);
	strcpy(n.as_org, "=cmd");
	put(&n);
	out = run_export(EXPORT_CSV, false, NULL);
	assert_non_null(strstr(out, ",\"'=HYPERLINK(\"\"https://evil.example/x\"\","
	    "\"\"docs\"\")\","));
	assert_non_null(strstr(out, ",\"'+1+cmd|' /C calc'!A0\","));
	assert_non_null(strstr(out, ",\"'-2+3\","));
	assert_non_null(strstr(out, ",\"'@SUM(1+1)\","));
	assert_non_null(strstr(out, ",\"'\t=1+1\","));
	assert_non_null(strstr(out, ",\"/agentnode:0.1.0/ =1\","));	/* untouched */
	assert_non_null(strstr(out, ",\"'-Berlin\","));
	assert_non_null(strstr(out, ",\"'=cmd\","));
	/* No text cell starts with a formula character any more. */
	assert_null(strstr(out, ",\"="));
	assert_null(strstr(out, ",\"+"));
	assert_null(strstr(out, ",\"-"));
	assert_null(strstr(out, ",\"@"));
	free(out);
}

/* Issue 15 item 13: services is one unsigned 64-bit number in both
 * formats; JSON showed -1 where CSV showed 18446744073709551615. */
static void
test_json_csv_services_unsigned(void **state)
{
	struct crawldb_node	 n;
	json_t			*arr;
	json_error_t		 jerr;
	char			*out;

	(void)state;
	fill_good(&n, "127.0.7.1", "/big/", 1, NULL, NULL, 0, 1.0);
	n.services = UINT64_MAX;
	put(&n);
	fill_good(&n, "127.0.7.2", "/high/", 1, NULL, NULL, 0, 1.0);
	n.services = UINT64_C(1) << 63 | 1;
	put(&n);
	out = run_export(EXPORT_JSON, false, NULL);
	assert_non_null(strstr(out, "\"reachable\":true,\"services\":18446744073709551615,"
	    "\"version\":70100,"));
	assert_non_null(strstr(out, "\"services\":9223372036854775809,"));
	assert_null(strstr(out, "\"services\":-"));
	/* Still one valid JSON array (jansson reads past-int64 numbers as reals). */
	arr = json_loads(out, JSON_DECODE_INT_AS_REAL, &jerr);
	assert_non_null(arr);
	assert_int_equal(json_array_size(arr), 2);
	assert_true(json_real_value(json_object_get(json_array_get(arr, 0), "services")) ==
	    18446744073709551615.0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 1),
	    "user_agent")), "/high/");
	json_decref(arr);
	free(out);
	out = run_export(EXPORT_CSV, false, NULL);
	assert_non_null(strstr(out, ",1,1,18446744073709551615,70100,\"/big/\","));
	assert_non_null(strstr(out, ",1,1,9223372036854775809,70100,\"/high/\","));
	free(out);
}

static void
test_stats(void **state)
{
	struct stats		s;
	struct health_input	hi;
	char			err[256], *buf = NULL;
	size_t			len = 0;
	FILE			*fp;

	(void)state;
	sample_network();
	assert_int_equal(crawldb_meta_set(db, "crawl.max_inflight", "17", err,
	    sizeof(err)), 0);
	assert_int_equal(stats_compute(db, "regtest", NOW, &s, err, sizeof(err)), 0);
	assert_int_equal(s.total, 5);
	assert_int_equal(s.active, 3);
	assert_int_equal(s.good, 3);
	assert_int_equal(s.probed, 4);
	assert_true(s.avg_latency_ms == 4.0);
	assert_int_equal(s.netgroups, 3);	/* regtest: each address its own */
	assert_int_equal(s.max_inflight, 17);
	assert_int_equal(s.height_min, 99);
	assert_int_equal(s.height_max, 100);
	assert_int_equal(s.height_consensus, 100);
	assert_int_equal(s.countries.n, 3);
	assert_string_equal(s.countries.v[0].key, "DE");	/* ties by key */
	assert_int_equal(s.errors.n, 1);
	assert_string_equal(s.errors.v[0].key, "refused");
	assert_int_equal(s.agents.n, 2);
	assert_string_equal(s.agents.v[0].key, "/agentnode:0.1.0/");
	assert_int_equal(s.agents.v[0].count, 2);
	/* NetworkHealth is health.h's formula, not a copy of it. */
	hi.active = 3;
	hi.target = 5;
	hi.avg_latency_ms = 4.0;
	hi.netgroups = 3;
	hi.reliability = 3.0 / 4.0;	/* three at 100 %, one at 0 */
	assert_int_equal(s.health, health_score(&hi));

	fp = open_memstream(&buf, &len);
	stats_print_text(&s, fp);
	fclose(fp);
	assert_non_null(strstr(buf, "TotalNodes: 5\n"));
	assert_non_null(strstr(buf, "ActiveNodes: 3\n"));
	assert_non_null(strstr(buf, "AverageLatency: 4.00 ms\n"));
	assert_non_null(strstr(buf, "MaxInFlight: 17\n"));
	assert_non_null(strstr(buf, "GeographicSpread:\n  DE "));
	free(buf);
	buf = NULL;
	fp = open_memstream(&buf, &len);
	stats_print_json(&s, fp);
	fclose(fp);
	{
		json_error_t	jerr;
		json_t		*o = json_loads(buf, 0, &jerr);

		assert_non_null(o);
		assert_int_equal(json_integer_value(json_object_get(o,
		    "TotalNodes")), 5);
		assert_int_equal(json_integer_value(json_object_get(o,
		    "NetworkHealth")), s.health);
		assert_int_equal(json_integer_value(json_object_get(
		    json_object_get(o, "GeographicSpread"), "US")), 1);
		json_decref(o);
	}
	free(buf);
	stats_free(&s);

	/* An empty network: zeros, no latency, health 0. */
	assert_int_equal(stats_compute(db, "mainnet", NOW, &s, err, sizeof(err)), 0);
	assert_int_equal(s.total, 0);
	assert_true(s.avg_latency_ms < 0);
	assert_int_equal(s.health, 0);
	stats_free(&s);
}

/* --- NetworkHealth: one definition for agentcrawl stats and the console --- */

/* A row of NETWORK at IP: reachable or not (probed ATTEMPTS times), the
 * 1-day window at RELIABILITY over COVERAGE, handshake HS_MS (< 0 none). */
static void
put_row(const char *network, const char *ip, bool reachable, uint32_t attempts,
    double reliability, double coverage, double hs_ms)
{
	struct crawldb_node	n;
	char			err[256];

	memset(&n, 0, sizeof(n));
	assert_int_equal(netaddr_parse(ip, 29001, &n.addr), 0);
	strcpy(n.network, network);
	n.first_seen = n.last_seen = NOW - 600;
	n.attempts = attempts;
	n.last_try = attempts > 0 ? NOW - 60 : 0;
	n.last_success = reachable ? n.last_try : attempts > 0 ? NOW - 300 : 0;
	n.successes = reachable ? attempts : 0;
	n.reliability[CRAWLDB_W1D] = reliability;
	n.coverage[CRAWLDB_W1D] = coverage;
	n.handshake_ms = hs_ms;
	n.connect_ms = hs_ms >= 0 ? 1 : -1;
	assert_int_equal(crawldb_put(db, &n, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
}

/*
 * Four regtest nodes reachable on four loopback addresses, two probed and
 * failing, one never probed.  The figures the programs used to disagree
 * on come apart here: every loopback address shares one netgroup without
 * regtest's policy, and the raw 1-day reliability is half the uptime.
 */
static void
sample(void)
{
	put_row("regtest", "127.0.1.1", true, 2, 0.4, 0.5, 100);	/* uptime 0.8 */
	put_row("regtest", "127.0.2.1", true, 2, 0.5, 0.5, 300);	/* 1.0 */
	put_row("regtest", "127.0.3.1", true, 2, 0.3, 0.5, -1);	/* 0.6, no latency */
	put_row("regtest", "127.0.4.1", true, 2, 0.5, 0.5, 200);	/* 1.0 */
	put_row("regtest", "127.0.5.1", false, 3, 0.0, 0.5, -1);	/* 0.0 */
	put_row("regtest", "127.0.6.1", false, 3, 0.1, 0.5, -1);	/* 0.2 */
	put_row("regtest", "127.0.7.1", false, 0, 0.0, 0.0, -1);	/* never probed */
}

static int
add_row(const struct crawldb_node *n, void *arg)
{
	health_net_add(arg, n);
	return 0;
}

/* health.h's definition, by hand. */
static void
test_network_health_formula(void **state)
{
	struct health_net	*h = health_net_new();
	struct health_input	 in;
	char			 err[256];

	(void)state;
	sample();
	assert_int_equal(crawldb_foreach(db, "regtest", 0, NOW, add_row, h, err,
	    sizeof(err)), 0);
	/* C = 4/7, L = (2000 - 200) / 1900, D = 4/4, R = 3.6/6:
	 * 100 (0.40 * 0.5714 + 0.25 * 0.9474 + 0.20 + 0.15 * 0.6) = 75.5 */
	assert_int_equal(health_net_score(h, &in), 76);
	assert_int_equal(in.active, 4);
	assert_int_equal(in.target, 7);
	assert_true(fabs(in.avg_latency_ms - 200.0) < 1e-9);
	assert_int_equal(in.netgroups, 4);
	assert_true(fabs(in.reliability - 0.6) < 1e-9);
	health_net_free(h);

	/* Nothing counted: no health, unknown latency. */
	h = health_net_new();
	assert_int_equal(health_net_score(h, &in), 0);
	assert_true(in.avg_latency_ms < 0);
	assert_int_equal(in.netgroups, 0);
	health_net_free(h);
}

/*
 * Issue 15 item 15: on the same database `agentcrawl stats` said 100 and
 * the console's Network view 72 (another case: 89 and 60), because each
 * computed NetworkHealth its own way (netgroups with and without the
 * network's policy, uptime against raw reliability).  Now both take it
 * from health_net_score, and so do the inputs they show beside it.
 */
static void
test_network_health_same_in_stats_and_console(void **state)
{
	struct stats		 st;
	struct netscan_sum	*sum;
	struct health_input	 old;
	char			 err[256];

	(void)state;
	sample();
	/* A mainnet network in the same file: routable /16 groups. */
	put_row("mainnet", "1.2.3.4", true, 1, 1.0, 1.0, 50);
	put_row("mainnet", "1.2.9.9", true, 1, 1.0, 1.0, 70);
	put_row("mainnet", "5.6.7.8", true, 1, 0.5, 1.0, 90);

	assert_int_equal(stats_compute(db, "regtest", NOW, &st, err, sizeof(err)), 0);
	sum = netscan_read_sum(path, "regtest", NOW);
	assert_true(sum->ok);
	assert_int_equal(st.health, 76);
	assert_int_equal(sum->health, st.health);
	assert_int_equal(sum->netgroups, st.netgroups);
	assert_int_equal(sum->reachable, (long long)st.active);
	assert_true(sum->avg_handshake_ms == st.avg_latency_ms);
	assert_true(sum->reliability_1d == st.reliability);
	/* What the console computed before, for the record: one netgroup for
	 * every loopback address and the raw reliability gave 56. */
	old.active = 4;
	old.target = 7;
	old.avg_latency_ms = 200;
	old.netgroups = 1;
	old.reliability = 0.3;
	assert_int_equal(health_score(&old), 56);
	stats_free(&st);
	netscan_sum_free(sum);

	/* mainnet: 1.2.x.x is one /16 group, 5.6.x.x another. */
	assert_int_equal(stats_compute(db, "mainnet", NOW, &st, err, sizeof(err)), 0);
	sum = netscan_read_sum(path, "mainnet", NOW);
	assert_int_equal(st.netgroups, 2);
	assert_int_equal(sum->netgroups, 2);
	assert_int_equal(sum->health, st.health);
	stats_free(&st);
	netscan_sum_free(sum);

	/* Every network at once: each row by its own network's rules. */
	assert_int_equal(stats_compute(db, NULL, NOW, &st, err, sizeof(err)), 0);
	sum = netscan_read_sum(path, NULL, NOW);
	assert_int_equal(st.total, 10);
	assert_int_equal(st.netgroups, 6);
	assert_int_equal(sum->netgroups, 6);
	assert_int_equal(sum->health, st.health);
	stats_free(&st);
	netscan_sum_free(sum);
}

static void
test_progress_line(void **state)
{
	struct progress_counts	 c = { 10, 3, 2, 40, 5, 30 };
	struct progress		*p;
	char			 buf[256], *out = NULL;
	size_t			 len = 0;
	FILE			*fp;

	(void)state;
	assert_string_equal(progress_format(&c, 12.34, buf, sizeof(buf)),
	    "known 10  queued 3  in flight 2  done 40  reachable 30  good 5  "
	    "rate 12.3/s");
	/* TTY mode redraws in place and clears at the end. */
	fp = open_memstream(&out, &len);
	p = progress_new(PROGRESS_TTY, fp, 10);
	progress_update(p, &c, 100.0);		/* first call: baseline */
	c.done = 50;
	progress_update(p, &c, 101.0);
	progress_update(p, &c, 101.1);		/* too soon: nothing */
	progress_free(p);
	fclose(fp);
	assert_non_null(strstr(out, "\r\033[Kknown 10"));
	assert_non_null(strstr(out, "rate 10.0/s"));
	assert_int_equal(strstr(strstr(out, "rate") + 1, "rate"), NULL);
	assert_true(len >= 4 && strcmp(out + len - 4, "\r\033[K") == 0);
	free(out);
	/* OFF writes nothing. */
	out = NULL;
	fp = open_memstream(&out, &len);
	p = progress_new(PROGRESS_OFF, fp, 10);
	progress_update(p, &c, 1.0);
	progress_update(p, &c, 100.0);
	progress_free(p);
	fclose(fp);
	assert_int_equal(len, 0);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test_setup_teardown(test_nodes_md, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodes_md_user_agent_markup_escaped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_formula_injection_neutralised,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_csv_services_unsigned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_health_formula, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_network_health_same_in_stats_and_console,
		    setup, teardown),
		cmocka_unit_test(test_progress_line),
	};

	if (hash_init() == -1)	/* health_net's map keys its hash */
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
