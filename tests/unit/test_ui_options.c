/* test_ui_options.c -- agentconsole's options: the console: section of agentchain.yaml, flags over the file, typed flags in common/cli, themes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tui/grid.h"
#include "../../tui/keys.h"
#include "../../tui/options.h"
#include "../../tui/term.h"
#include "../../tui/ui_peers.h"
#include "cli.h"
#include "config.h"

#define ERRLEN	512

/* A temporary YAML file with TEXT; the caller unlinks PATH. */
static void
write_yaml(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/test_ui_options.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* options_parse over a NULL-terminated list of arguments. */
static int
parse(struct options *o, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"agentconsole";
	va_start(ap, o);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return options_parse(argc, argv, o);
}

static int
setup_home(void **state)
{
	(void)state;
	setenv("HOME", "/home/op", 1);
	unsetenv("COLUMNS");
	unsetenv("LINES");
	return 0;
}

/* --- the console: section ------------------------------------------------ */

static void
test_console_section(void **state)
{
	struct config c;
	struct config_node n;
	char err[ERRLEN];
	static const char yaml[] =
	    "console:\n"
	    "  nodes:\n"
	    "    - name=seed-a rpc=127.0.0.1:28545 cookie=~/a/.cookie\n"
	    "    - \"rpc=[::1]:28546\"\n"
	    "    - name=b datadir=~/.agentchain/regtest\n"
	    "  interval: 0.25\n"
	    "  timeout: 2.5\n"
	    "  view: Latency\n"
	    "  sort: -ping\n"
	    "  theme: light\n"
	    "  ascii: true\n"
	    "  geoip_db: ~/GeoLite2-City.mmdb\n";

	(void)state;
	config_init(&c);
	assert_int_equal(c.console.interval, 1000);	/* the defaults */
	assert_int_equal(c.console.timeout, 5000);
	assert_int_equal(c.console.view, VIEW_OVERVIEW);
	assert_string_equal(c.console.sort, "id");
	assert_int_equal(c.console.theme, CONFIG_THEME_DARK);
	assert_false(c.console.ascii);
	assert_int_equal(c.console.nodes.n, 0);
	if (config_load_string(&c, yaml, strlen(yaml), "x.yaml", err, sizeof(err)) != 0 ||
	    config_finalize(&c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.console.interval, 250);
	assert_int_equal(c.console.timeout, 2500);
	assert_int_equal(c.console.view, VIEW_LATENCY);
	assert_string_equal(c.console.sort, "-ping");
	assert_int_equal(c.console.theme, CONFIG_THEME_LIGHT);
	assert_true(c.console.ascii);
	assert_string_equal(c.console.geoip_db, "/home/op/GeoLite2-City.mmdb");
	assert_int_equal(c.console.nodes.n, 3);
	assert_int_equal(config_node_parse(c.console.nodes.v[0], &n, err, sizeof(err)), 0);
	assert_string_equal(n.name, "seed-a");
	assert_string_equal(n.host, "127.0.0.1");
	assert_int_equal(n.port, 28545);
	assert_string_equal(n.cookie, "/home/op/a/.cookie");
	assert_null(n.datadir);
	config_node_free(&n);
	assert_int_equal(config_node_parse(c.console.nodes.v[1], &n, err, sizeof(err)), 0);
	assert_null(n.name);
	assert_string_equal(n.host, "::1");
	assert_int_equal(n.port, 28546);
	assert_null(n.cookie);
	config_node_free(&n);
	assert_int_equal(config_node_parse(c.console.nodes.v[2], &n, err, sizeof(err)), 0);
	assert_string_equal(n.datadir, "/home/op/.agentchain/regtest");
	assert_int_equal(n.port, 0);
	config_node_free(&n);
	config_free(&c);
}

/* Every bad key or value names the file, the line and the key. */
static void
test_console_errors_name_file_and_line(void **state)
{
	static const struct {
		const char	*yaml;
		const char	*want;
	} cases[] = {
		{ "console:\n  colour: dark\n", "x.yaml:2: unknown key 'console.colour'" },
		{ "console:\n  interval: 0.1\n",
		  "x.yaml:2: console.interval: 0.25..3600 seconds, got 0.1" },
		{ "console:\n  interval: 3601\n",
		  "x.yaml:2: console.interval: 0.25..3600 seconds, got 3601" },
		{ "console:\n\n  timeout: 1.0005\n",
		  "x.yaml:3: console.timeout: expected a number of seconds (at most 3 decimals), "
		  "got '1.0005'" },
		{ "console:\n  interval: 01\n", "x.yaml:2: console.interval: expected a number" },
		{ "console:\n  interval: -1\n", "x.yaml:2: console.interval: expected a number" },
		{ "console:\n  interval: .5\n", "x.yaml:2: console.interval: expected a number" },
		{ "console:\n  view: 9\n",
		  "x.yaml:2: console.view: expected one of "
		  "overview|peers|geo|latency|network|bans|log|chain, got '9'" },
		{ "console:\n  alert_health: 101\n",
		  "x.yaml:2: console.alert_health: " },
		{ "console:\n  bell: loud\n", "x.yaml:2: console.bell: expected true or false" },
		{ "console:\n  theme: solarized\n",
		  "x.yaml:2: console.theme: expected one of dark|light|mono, got 'solarized'" },
		{ "console:\n  ascii: yes\n", "x.yaml:2: console.ascii: expected true or false" },
		{ "console:\n  nodes: rpc=127.0.0.1:1\n", "x.yaml:2: console.nodes: expected a list" },
		{ "console:\n  nodes:\n    - rpc=127.0.0.1:1\n    - rpc=example.com:1\n",
		  "x.yaml:4: console.nodes: 'example.com' is not a numeric address" },
		{ "console:\n  nodes:\n    - rpc=127.0.0.1\n",
		  "x.yaml:3: console.nodes: want ADDR:PORT, got '127.0.0.1'" },
		{ "console:\n  nodes: [name=x]\n",
		  "x.yaml:2: console.nodes: give either rpc=ADDR:PORT or datadir=DIR" },
		{ "console:\n  nodes: ['rpc=127.0.0.1:1 datadir=/d']\n",
		  "x.yaml:2: console.nodes: give either" },
		{ "console:\n  nodes: ['datadir=/d cookie=/c']\n",
		  "x.yaml:2: console.nodes: cookie= goes with rpc=" },
		{ "console:\n  nodes: ['rpc=127.0.0.1:1 port=2']\n",
		  "x.yaml:2: console.nodes: unknown field 'port'" },
		{ "console:\n  nodes: ['name=a name=b datadir=/d']\n",
		  "x.yaml:2: console.nodes: name= given twice" },
		{ "console:\n  nodes: [datadir]\n",
		  "x.yaml:2: console.nodes: 'datadir' is not FIELD=VALUE" },
	};
	char err[ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;

		config_init(&c);
		if (config_load_string(&c, cases[i].yaml, strlen(cases[i].yaml), "x.yaml", err,
		    sizeof(err)) == 0)
			fail_msg("case %zu loaded: %s", i, cases[i].yaml);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err, cases[i].want);
		config_free(&c);
	}
}

/* config.c keeps the console's view names for console.view: they must be
 * the console's own, in its order. */
static void
test_view_names_match_config(void **state)
{
	char err[ERRLEN], num[16];

	(void)state;
	for (int v = 0; v < VIEW_COUNT; v++) {
		struct config c;

		config_init(&c);
		assert_int_equal(config_set(&c, "console.view", keys_view_name((enum view_id)v), err,
		    sizeof(err)), 0);
		assert_int_equal(c.console.view, v);
		snprintf(num, sizeof(num), "%d", v + 1);
		c.console.view = -1;
		assert_int_equal(config_set(&c, "console.view", num, err, sizeof(err)), 0);
		assert_int_equal(c.console.view, v);
		config_free(&c);
	}
}

/* --- options: file, then flags ------------------------------------------ */

static void
test_flags_override_config(void **state)
{
	char path[64], arg[96];
	struct options o;

	(void)state;
	write_yaml(path, sizeof(path),
	    "network: {name: regtest}\n"
	    "console:\n"
	    "  nodes: ['name=alpha rpc=127.0.0.1:28545 cookie=/a/.cookie', 'datadir=/n/b']\n"
	    "  interval: 2\n"
	    "  view: geo\n"
	    "  sort: -ping\n"
	    "  theme: light\n"
	    "crawler: {db: /var/lib/agentcrawl/crawl.db}\n");
	snprintf(arg, sizeof(arg), "--config=%s", path);
	/* The file alone. */
	assert_int_equal(parse(&o, arg, (char *)NULL), 0);
	assert_true(o.app.interval > 1.999 && o.app.interval < 2.001);
	assert_true(o.app.timeout > 4.999 && o.app.timeout < 5.001);
	assert_int_equal(o.app.view, VIEW_GEO);
	assert_int_equal(o.app.sort_col, ui_peers_column("ping"));
	assert_true(o.app.sort_reverse);
	assert_int_equal(o.app.theme, CONFIG_THEME_LIGHT);
	assert_string_equal(o.app.crawl_db, "/var/lib/agentcrawl/crawl.db");
	assert_string_equal(o.app.network, "regtest");
	assert_int_equal(o.app.nnodes, 2);
	assert_string_equal(o.app.nodes[0].label, "alpha");
	assert_string_equal(o.app.nodes[0].host, "127.0.0.1");
	assert_int_equal(o.app.nodes[0].port, 28545);
	assert_string_equal(o.app.nodes[0].cookie, "/a/.cookie");
	assert_string_equal(o.app.nodes[1].label, "/n/b");
	assert_int_equal(o.app.nodes[1].port, 28545);	/* regtest's, from network.name */
	assert_string_equal(o.app.nodes[1].cookie, "/n/b/.cookie");
	options_free(&o);
	/* Flags win, whichever side of --config they stand on; --rpc replaces
	 * the file's nodes. */
	assert_int_equal(parse(&o, "--interval", "0.5", arg, "--view", "4", "--no-color",
	    "--sort", "agent", "--set", "console.timeout=0.1", "--rpc", "127.0.0.1:9",
	    "--cookie", "/c", (char *)NULL), 0);
	assert_true(o.app.interval > 0.499 && o.app.interval < 0.501);
	assert_true(o.app.timeout > 0.099 && o.app.timeout < 0.101);
	assert_int_equal(o.app.view, VIEW_LATENCY);
	assert_int_equal(o.app.sort_col, ui_peers_column("agent"));
	assert_false(o.app.sort_reverse);
	assert_int_equal(o.app.theme, CONFIG_THEME_MONO);
	assert_int_equal(o.app.nnodes, 1);
	assert_string_equal(o.app.nodes[0].label, "127.0.0.1:9");
	assert_int_equal(o.app.nodes[0].port, 9);
	assert_string_equal(o.app.nodes[0].cookie, "/c");
	options_free(&o);
	/* A bad value in the file is refused with its line, flags or not. */
	unlink(path);
	write_yaml(path, sizeof(path), "console:\n  view: peers\n  sort: speed\n");
	snprintf(arg, sizeof(arg), "--config=%s", path);
	assert_int_equal(parse(&o, arg, (char *)NULL), 1);
	options_free(&o);
	assert_int_equal(parse(&o, arg, "--sort", "id", (char *)NULL), 0);
	options_free(&o);
	unlink(path);
	write_yaml(path, sizeof(path), "console:\n  interval: fast\n");
	snprintf(arg, sizeof(arg), "--config=%s", path);
	assert_int_equal(parse(&o, arg, "--interval", "1", (char *)NULL), 1);
	options_free(&o);
	unlink(path);
}

/* Without a node anywhere, the node the configuration describes. */
static void
test_default_node_is_the_configured_one(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse(&o, (char *)NULL), 0);
	assert_int_equal(o.app.nnodes, 1);
	assert_string_equal(o.app.nodes[0].label, "127.0.0.1:8545");
	assert_string_equal(o.app.nodes[0].cookie, "/home/op/.agentchain/mainnet/.cookie");
	assert_null(o.app.network);			/* the crawl DB: all networks */
	assert_int_equal(o.app.once_w, 120);
	assert_int_equal(o.app.once_h, 40);
	options_free(&o);
	assert_int_equal(parse(&o, "--set", "network.name=testnet", "--set",
	    "node.rpc_listen=0.0.0.0:7000", "--set", "node.datadir=/srv/t", (char *)NULL), 0);
	assert_string_equal(o.app.nodes[0].host, "127.0.0.1");	/* every address: loopback */
	assert_int_equal(o.app.nodes[0].port, 7000);
	assert_string_equal(o.app.nodes[0].cookie, "/srv/t/.cookie");
	assert_string_equal(o.app.network, "testnet");
	options_free(&o);
	/* --datadir: the network its name says, unless one is given. */
	assert_int_equal(parse(&o, "--datadir", "/x/regtest/", "--datadir", "/y/z",
	    (char *)NULL), 0);
	assert_int_equal(o.app.nodes[0].port, 28545);
	assert_int_equal(o.app.nodes[1].port, 8545);
	options_free(&o);
	assert_int_equal(parse(&o, "--datadir", "/x/regtest", "--network", "testnet",
	    (char *)NULL), 0);
	assert_int_equal(o.app.nodes[0].port, 18545);
	options_free(&o);
	setenv("COLUMNS", "80", 1);
	setenv("LINES", "24", 1);
	assert_int_equal(parse(&o, (char *)NULL), 0);
	assert_int_equal(o.app.once_w, 80);
	assert_int_equal(o.app.once_h, 24);
	options_free(&o);
	assert_int_equal(parse(&o, "--size", "100x30", (char *)NULL), 0);
	assert_int_equal(o.app.once_w, 100);
	assert_int_equal(o.app.once_h, 30);
	options_free(&o);
	unsetenv("COLUMNS");
	unsetenv("LINES");
}

static void
test_bad_flags(void **state)
{
	static const char *const bad[][3] = {
		{ "--rpc", "nonsense" }, { "--rpc", "127.0.0.1" }, { "--rpc", "example.com:1" },
		{ "--rpc", "127.0.0.1:1 cookie=/x" }, { "--interval", "0" }, { "--interval", "x" },
		{ "--sort", "bogus" }, { "--view", "9" }, { "--size", "0x5" }, { "--size", "5x1001" },
		{ "--size", "5" }, { "--network", "moon" }, { "--cookie", "c" }, { "--theme", "blue" },
		{ "--config", "/nonexistent.yaml" }, { "stray" },
	};
	struct options o;
	char set[OPTIONS_MAX_NODES + 1][64], *argv[OPTIONS_MAX_NODES + 3];

	(void)state;
	/* Not a silent cut: more nodes than the console watches is an error. */
	argv[0] = (char *)"agentconsole";
	for (int i = 0; i <= OPTIONS_MAX_NODES; i++) {
		snprintf(set[i], sizeof(set[i]), "--set=console.nodes=rpc=127.0.0.1:%d", 1000 + i);
		argv[i + 1] = set[i];
	}
	argv[OPTIONS_MAX_NODES + 1] = NULL;
	assert_int_equal(options_parse(OPTIONS_MAX_NODES + 1, argv, &o), 0);
	assert_int_equal(o.app.nnodes, OPTIONS_MAX_NODES);
	options_free(&o);
	argv[OPTIONS_MAX_NODES + 1] = set[OPTIONS_MAX_NODES];
	argv[OPTIONS_MAX_NODES + 2] = NULL;
	assert_int_equal(options_parse(OPTIONS_MAX_NODES + 2, argv, &o), 1);
	options_free(&o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&o, bad[i][0], bad[i][1], (char *)NULL) != 1)
			fail_msg("%s %s was accepted", bad[i][0], bad[i][1] ? bad[i][1] : "");
		options_free(&o);
	}
}

/* --- common/cli: typed flags, and tables of the older form ------------------ */

static int	handled;

static int
count_option(const struct cli_option *f, const char *value, void *arg)
{
	(void)f;
	(void)value;
	(void)arg;
	handled++;
	return 0;
}

static void
test_cli_typed_flag_ranges(void **state)
{
	static const struct cli_option t[] = {
		{ .name = "n", .has_arg = 1, .id = 1, .type = CLI_INT, .min = -3, .max = 10 },
		{ .name = "x", .has_arg = 1, .id = 2, .type = CLI_NUMBER, .min = 0.5, .max = 2 },
		{ .name = "s", .has_arg = 1, .id = 3, .type = CLI_SIZE, .min = 1, .max = 1000,
		  .arg = "COLSxROWS" },
		{ .name = "t", .has_arg = 1, .id = 4 },
	};
	static const struct {
		const char	*flag, *value;
		int		 rc;
	} cases[] = {
		{ "--n", "10", 0 }, { "--n", "-3", 0 }, { "--n", "11", 1 }, { "--n", "1.5", 1 },
		{ "--n", "", 1 }, { "--x", "0.5", 0 }, { "--x", "1.25", 0 }, { "--x", "0.4", 1 },
		{ "--x", "nan", 1 }, { "--x", "2e0", 0 }, { "--s", "1x1000", 0 },
		{ "--s", "1X1", 0 }, { "--s", "0x5", 1 }, { "--s", "5x", 1 }, { "--s", "x5", 1 },
		{ "--s", "5x5x", 1 }, { "--s", "99999999999x1", 1 }, { "--t", "anything", 0 },
	};
	struct config c;
	char flag[16], value[32], *argv[4];
	char out[1024];
	FILE *fp;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(flag, sizeof(flag), "%s", cases[i].flag);
		snprintf(value, sizeof(value), "%s", cases[i].value);
		argv[0] = (char *)"prog";
		argv[1] = flag;
		argv[2] = value;
		argv[3] = NULL;
		handled = 0;
		config_init(&c);
		if (cli_parse_options("prog", 3, argv, t, 4, 0, NULL, &c, count_option, NULL) !=
		    cases[i].rc)
			fail_msg("%s %s: want %d", flag, value, cases[i].rc);
		/* A refused value never reaches the handler. */
		assert_int_equal(handled, cases[i].rc == 0 ? 1 : 0);
		config_free(&c);
	}
	/* --help shows the range from the table. */
	fp = fmemopen(out, sizeof(out), "w");
	cli_usage_options(fp, t, 4, 0, NULL);
	fclose(fp);
	assert_non_null(strstr(out, "(-3..10)"));
	assert_non_null(strstr(out, "(0.5..2)"));
	assert_non_null(strstr(out, "(each 1..1000)"));
}

/* --- themes --------------------------------------------------------------- */

static void
test_themes(void **state)
{
	short fg, bg, dfg, dbg;
	int differ = 0;

	(void)state;
	for (int gc = 0; gc < GC_COUNT; gc++) {
		/* On a light background nothing is drawn yellow, cyan or white on
		 * the terminal's own colour. */
		term_theme_color(CONFIG_THEME_LIGHT, gc, &fg, &bg);
		if (bg == -1)
			assert_true(fg != COLOR_YELLOW && fg != COLOR_CYAN && fg != COLOR_WHITE);
		term_theme_color(CONFIG_THEME_DARK, gc, &dfg, &dbg);
		differ += dfg != fg;
		term_theme_color(CONFIG_THEME_MONO, gc, &fg, &bg);
		assert_int_equal(fg, -1);
		assert_int_equal(bg, -1);
	}
	assert_true(differ > 0);
}

/* The alert thresholds and the mouse and bell settings reach the console;
 * the flags --no-mouse and --bell are those keys. */
static void
test_alert_keys(void **state)
{
	char path[64], arg[96];
	struct options o;

	(void)state;
	assert_int_equal(parse(&o, "--rpc", "127.0.0.1:9", (char *)NULL), 0);
	assert_int_equal(o.app.view, VIEW_OVERVIEW);
	assert_true(o.app.mouse);
	assert_false(o.app.bell);
	assert_int_equal(o.app.alerts.min_peers, 0);
	assert_int_equal(o.app.alerts.health, 50);
	assert_int_equal(o.app.alerts.health_drop, 20);
	assert_true(o.app.alerts.health_window > 299.9 && o.app.alerts.health_window < 300.1);
	assert_true(o.app.alerts.down_after > 4.9 && o.app.alerts.down_after < 5.1);
	assert_true(o.app.alerts.stall > 1799 && o.app.alerts.stall < 1801);
	assert_true(o.app.alerts.hold > 599 && o.app.alerts.hold < 601);
	options_free(&o);
	write_yaml(path, sizeof(path),
	    "console:\n"
	    "  view: bans\n"
	    "  bell: true\n"
	    "  alert_min_peers: 12\n"
	    "  alert_health: 0\n"
	    "  alert_health_drop: 35\n"
	    "  alert_health_window: 60\n"
	    "  alert_down: 0.5\n"
	    "  alert_stall: 0\n"
	    "  alert_hold: 3600\n");
	snprintf(arg, sizeof(arg), "--config=%s", path);
	assert_int_equal(parse(&o, arg, "--no-mouse", "--rpc", "127.0.0.1:9", (char *)NULL), 0);
	assert_int_equal(o.app.view, VIEW_BANS);
	assert_false(o.app.mouse);
	assert_true(o.app.bell);
	assert_int_equal(o.app.alerts.min_peers, 12);
	assert_int_equal(o.app.alerts.health, 0);
	assert_int_equal(o.app.alerts.health_drop, 35);
	assert_true(o.app.alerts.health_window > 59.9 && o.app.alerts.health_window < 60.1);
	assert_true(o.app.alerts.down_after > 0.49 && o.app.alerts.down_after < 0.51);
	assert_true(o.app.alerts.stall == 0);
	assert_true(o.app.alerts.hold > 3599 && o.app.alerts.hold < 3601);
	options_free(&o);
	unlink(path);
}

/* A node given by its data directory is found where its .rpc-endpoint
 * says (agentnode writes it), not only at the network's default port. */
static void
test_datadir_uses_rpc_endpoint(void **state)
{
	char dir[64], file[96];
	struct options o;
	FILE *fp;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_ui_options.d.XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* No file yet: the network's port. */
	assert_int_equal(parse(&o, "--network", "regtest", "--datadir", dir, (char *)NULL), 0);
	assert_string_equal(o.app.nodes[0].host, "127.0.0.1");
	assert_int_equal(o.app.nodes[0].port, 28545);
	assert_string_equal(o.app.nodes[0].datadir, dir);
	options_free(&o);
	snprintf(file, sizeof(file), "%s/.rpc-endpoint", dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fprintf(fp, "127.0.0.7:31337\n");
	fclose(fp);
	assert_int_equal(parse(&o, "--network", "regtest", "--datadir", dir, (char *)NULL), 0);
	assert_string_equal(o.app.nodes[0].host, "127.0.0.7");
	assert_int_equal(o.app.nodes[0].port, 31337);
	assert_string_equal(o.app.nodes[0].label, dir);
	options_free(&o);
	unlink(file);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_console_section, setup_home),
		cmocka_unit_test_setup(test_console_errors_name_file_and_line, setup_home),
		cmocka_unit_test(test_view_names_match_config),
		cmocka_unit_test_setup(test_alert_keys, setup_home),
		cmocka_unit_test_setup(test_datadir_uses_rpc_endpoint, setup_home),
		cmocka_unit_test_setup(test_flags_override_config, setup_home),
		cmocka_unit_test_setup(test_default_node_is_the_configured_one, setup_home),
		cmocka_unit_test_setup(test_bad_flags, setup_home),
		cmocka_unit_test(test_cli_typed_flag_ranges),
		cmocka_unit_test(test_themes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
