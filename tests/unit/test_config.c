/* test_config.c -- agentchain.yaml loading, overrides, defaults and errors (common/config.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainparams.h"
#include "config.h"
#include "xmalloc.h"

#define ERRLEN 512

static int
load(struct config *c, const char *text, char *err)
{
	return config_load_string(c, text, strlen(text), "t.yaml", err, ERRLEN);
}

/* Loading TEXT fails with exactly MSG, and the struct can still be freed. */
static void
expect_load_error(const char *text, const char *msg)
{
	struct config c;
	char err[ERRLEN] = "";

	config_init(&c);
	if (load(&c, text, err) != -1)
		fail_msg("accepted: %s", text);
	assert_string_equal(err, msg);
	config_free(&c);
}

/* Loading TEXT works, and finalizing then fails with exactly MSG. */
static void
expect_finalize_error(const char *text, const char *msg)
{
	struct config c;
	char err[ERRLEN] = "";

	config_init(&c);
	assert_int_equal(load(&c, text, err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), -1);
	assert_string_equal(err, msg);
	config_free(&c);
}

static void
assert_list(const struct config_strlist *l, const char *const *want)
{
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		assert_true(n < l->n);
		assert_string_equal(l->v[n], want[n]);
	}
	assert_int_equal(l->n, n);
}

static int
setup_home(void **state)
{
	(void)state;
	setenv("HOME", "/home/tester", 1);
	return 0;
}

static void
test_defaults_mainnet(void **state)
{
	static const char *const listen[] = { "0.0.0.0:9001", "[::]:9001", NULL };
	const struct chainparams *p = chainparams_get(NET_MAINNET);
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_ptr_equal(c.params, p);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_int_equal(c.network.p2p_port, 9001);
	assert_int_equal(c.network.rpc_port, 8545);
	assert_int_equal(c.network.max_peers, 50);
	assert_int_equal(c.network.min_peers, 8);
	assert_list(&c.network.seeds, p->seeds);
	assert_list(&c.network.dns_seeds, p->dns_seeds);
	assert_string_equal(c.node.datadir, "/home/tester/.agentchain/mainnet");
	assert_list(&c.node.listen, listen);
	assert_string_equal(c.node.rpc_listen, "127.0.0.1:8545");
	assert_false(c.node.seed);
	assert_false(c.node.upnp);
	assert_null(c.node.geoip_db);
	assert_null(c.node.asn_db);
	assert_null(c.node.dns_server);
	assert_int_equal(c.node.ping_interval, 120);
	assert_int_equal(c.node.handshake_timeout, 60);
	assert_int_equal(c.node.inactivity_timeout, 1200);
	assert_int_equal(c.node.ban_time, 86400);
	assert_int_equal(c.node.max_inbound_per_ip, 4);
	assert_int_equal(c.log.level, LOGL_INFO);
	assert_null(c.log.file);
	assert_false(config_isset(&c, "network.p2p_port"));
	assert_false(config_isset(&c, "network.name"));
	config_free(&c);
}

static void
test_defaults_per_network(void **state)
{
	static const char *const tl[] = { "0.0.0.0:19001", "[::]:19001", NULL };
	static const char *const rl[] = { "0.0.0.0:29001", "[::]:29001", NULL };
	static const char *const none[] = { NULL };
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c, "network:\n  name: testnet\n", err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_int_equal(c.params->id, NET_TESTNET);
	assert_int_equal(c.network.p2p_port, 19001);
	assert_int_equal(c.network.rpc_port, 18545);
	assert_list(&c.network.seeds, chainparams_get(NET_TESTNET)->seeds);
	assert_list(&c.network.dns_seeds, chainparams_get(NET_TESTNET)->dns_seeds);
	assert_string_equal(c.node.datadir, "/home/tester/.agentchain/testnet");
	assert_list(&c.node.listen, tl);
	assert_string_equal(c.node.rpc_listen, "127.0.0.1:18545");
	assert_true(config_isset(&c, "network.name"));
	config_free(&c);

	config_init(&c);
	assert_int_equal(config_set(&c, "network.name", "regtest", err,
	    sizeof err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_int_equal(c.network.p2p_port, 29001);
	assert_int_equal(c.network.rpc_port, 28545);
	assert_list(&c.network.seeds, none);
	assert_list(&c.network.dns_seeds, none);
	assert_string_equal(c.node.datadir, "/home/tester/.agentchain/regtest");
	assert_list(&c.node.listen, rl);
	assert_string_equal(c.node.rpc_listen, "127.0.0.1:28545");
	config_free(&c);
}

/* Network-dependent defaults follow the final network, wherever in the
 * file network.name is, and follow an explicit port. */
static void
test_network_defaults_follow_ports(void **state)
{
	static const char *const listen[] = { "0.0.0.0:1234", "[::]:1234", NULL };
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c, "network:\n  p2p_port: 1234\n  name: regtest\n",
	    err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_int_equal(c.network.p2p_port, 1234);
	assert_int_equal(c.network.rpc_port, 28545);
	assert_list(&c.node.listen, listen);
	config_free(&c);
}

static void
test_datadir_without_home(void **state)
{
	struct config c;
	char err[ERRLEN];

	(void)state;
	unsetenv("HOME");
	config_init(&c);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_string_equal(c.node.datadir, "./.agentchain/mainnet");
	config_free(&c);

	setenv("HOME", "", 1);
	config_init(&c);
	assert_int_equal(load(&c, "network: {name: testnet}\n", err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_string_equal(c.node.datadir, "./.agentchain/testnet");
	config_free(&c);

	/* "~/" needs a HOME to mean anything. */
	expect_finalize_error("node:\n  datadir: ~/state\n",
	    "t.yaml:2: node.datadir: cannot expand '~' without HOME");
	setenv("HOME", "/home/tester", 1);
}

static void
test_home_expansion(void **state)
{
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c, "node:\n  datadir: ~/state\n"
	    "  geoip_db: ~/GeoLite2-City.mmdb\n  asn_db: /db/~/asn.mmdb\n"
	    "log:\n  file: '~'\n", err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_string_equal(c.node.datadir, "/home/tester/state");
	assert_string_equal(c.node.geoip_db, "/home/tester/GeoLite2-City.mmdb");
	assert_string_equal(c.node.asn_db, "/db/~/asn.mmdb");
	assert_string_equal(c.log.file, "/home/tester");
	config_free(&c);
}

static void
test_shipped_configs(void **state)
{
	static const struct {
		const char	*path;
		enum net_id	 id;
	} files[] = {
		{ "configs/mainnet.yaml", NET_MAINNET },
		{ "configs/testnet.yaml", NET_TESTNET },
		{ "configs/regtest.yaml", NET_REGTEST },
	};
	static const char *const rl[] = { "127.0.0.1:29001", NULL };
	struct config c;
	char err[ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const struct chainparams *p = chainparams_get(files[i].id);

		config_init(&c);
		if (config_load_file(&c, files[i].path, err, sizeof err) != 0 ||
		    config_finalize(&c, err, sizeof err) != 0)
			fail_msg("%s", err);
		assert_ptr_equal(c.params, p);
		assert_int_equal(c.network.p2p_port, p->p2p_port);
		assert_int_equal(c.network.rpc_port, p->rpc_port);
		assert_list(&c.network.seeds, p->seeds);
		assert_list(&c.network.dns_seeds, p->dns_seeds);
		if (files[i].id == NET_REGTEST) {
			assert_int_equal(c.network.min_peers, 2);
			assert_int_equal(c.log.level, LOGL_DEBUG);
			assert_list(&c.node.listen, rl);
		} else {
			assert_int_equal(c.network.min_peers, 8);
			assert_int_equal(c.log.level, LOGL_INFO);
			assert_int_equal(c.node.listen.n, 2);
		}
		config_free(&c);
	}
}

/* Every key set in one file, the nested flow form included. */
static void
test_all_keys(void **state)
{
	static const char *const seeds[] = { "a.example:1", "[2001:db8::1]:2",
	    "b.example:9001", "10.0.0.1:9001", NULL };
	static const char *const dns[] = { "seed.example.org", NULL };
	static const char *const listen[] = { "127.0.0.1:7000", "[::1]:9001",
	    NULL };
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c,
	    "network:\n"
	    "  name: mainnet\n"
	    "  p2p_port: 9001\n"
	    "  rpc_port: 65535\n"
	    "  max_peers: 100000\n"
	    "  min_peers: 0\n"
	    "  seeds: [a.example:1, '[2001:db8::1]:2', b.example, 10.0.0.1]\n"
	    "  dns_seeds:\n"
	    "    - seed.example.org\n"
	    "node: {datadir: /var/lib/ac, listen: [127.0.0.1:7000, '[::1]'],\n"
	    "  rpc_listen: '[::1]:1', seed: true, upnp: true,\n"
	    "  geoip_db: /g.mmdb, asn_db: /a.mmdb, dns_server: '2001:db8::53',\n"
	    "  ping_interval: 1, handshake_timeout: 3600,\n"
	    "  inactivity_timeout: 86400, ban_time: 31536000,\n"
	    "  max_inbound_per_ip: 1000}\n"
	    "log:\n"
	    "  level: trace\n"
	    "  file: \"/var/log/ac.log\"\n", err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_int_equal(c.network.rpc_port, 65535);
	assert_int_equal(c.network.max_peers, 100000);
	assert_int_equal(c.network.min_peers, 0);
	assert_list(&c.network.seeds, seeds);
	assert_list(&c.network.dns_seeds, dns);
	assert_string_equal(c.node.datadir, "/var/lib/ac");
	assert_list(&c.node.listen, listen);
	assert_string_equal(c.node.rpc_listen, "[::1]:1");
	assert_true(c.node.seed);
	assert_true(c.node.upnp);
	assert_string_equal(c.node.geoip_db, "/g.mmdb");
	assert_string_equal(c.node.asn_db, "/a.mmdb");
	assert_string_equal(c.node.dns_server, "[2001:db8::53]:53");
	assert_int_equal(c.node.ping_interval, 1);
	assert_int_equal(c.node.handshake_timeout, 3600);
	assert_int_equal(c.node.inactivity_timeout, 86400);
	assert_int_equal(c.node.ban_time, 31536000);
	assert_int_equal(c.node.max_inbound_per_ip, 1000);
	assert_int_equal(c.log.level, LOGL_TRACE);
	assert_string_equal(c.log.file, "/var/log/ac.log");
	assert_true(config_isset(&c, "node.upnp"));
	assert_false(config_isset(&c, "node.nope"));
	config_free(&c);
}

static void
test_empty_and_null_documents(void **state)
{
	static const char *const ok[] = {
		"", "\n", "# only a comment\n", "---\n", "---\n...\n", "~\n",
		"{}\n", "network:\n", "network: {}\nnode:\nlog: ~\n",
		"\xef\xbb\xbfnetwork:\n  max_peers: 50\n",	/* UTF-8 BOM */
	};
	struct config c;
	char err[ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		config_init(&c);
		if (load(&c, ok[i], err) != 0)
			fail_msg("'%s': %s", ok[i], err);
		assert_int_equal(config_finalize(&c, err, sizeof err), 0);
		assert_int_equal(c.network.max_peers, 50);
		config_free(&c);
	}
	/* NULL text with no length is an empty file too. */
	config_init(&c);
	assert_int_equal(config_load_string(&c, NULL, 0, NULL, err, sizeof err),
	    0);
	config_free(&c);
}

/* A null value restores the default, even over an earlier file. */
static void
test_null_value_means_default(void **state)
{
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c, "network:\n  max_peers: 20\n  seeds: [x.example:1]\n"
	    "log:\n  file: /tmp/x.log\n  level: debug\n", err), 0);
	assert_true(config_isset(&c, "network.max_peers"));
	assert_int_equal(load(&c, "network:\n  max_peers: ~\n  seeds:\n"
	    "log:\n  file: null\n  level:\n", err), 0);
	assert_false(config_isset(&c, "network.max_peers"));
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_int_equal(c.network.max_peers, 50);
	assert_list(&c.network.seeds, chainparams_get(NET_MAINNET)->seeds);
	assert_null(c.log.file);
	assert_int_equal(c.log.level, LOGL_INFO);
	config_free(&c);
}

/* node.identity and node.reward_address: defaults, and the reward
 * address's form checked at load with the file and line. */
static void
test_identity_keys(void **state)
{
	struct config c;
	char err[ERRLEN] = "";

	(void)state;
	config_init(&c);
	assert_true(c.node.identity);
	assert_null(c.node.reward_address);
	assert_int_equal(load(&c, "node:\n  identity: false\n"
	    "  reward_address: agc1 q~x\n", err), 0);
	assert_false(c.node.identity);
	assert_string_equal(c.node.reward_address, "agc1 q~x");
	config_free(&c);
	expect_load_error("node:\n\n  reward_address: \"a\\tb\"\n",
	    "t.yaml:3: node.reward_address: expected 1 to 90 printable ASCII characters, "
	    "got 'a\\x09b'");
	expect_load_error("node:\n  reward_address: "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	    "t.yaml:2: node.reward_address: expected 1 to 90 printable ASCII characters, "
	    "got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
	expect_load_error("node:\n  reward_address: \"\"\n",
	    "t.yaml:2: node.reward_address: expected 1 to 90 printable ASCII characters, got ''");
}

static void
test_int_errors(void **state)
{
	(void)state;
	expect_load_error("network:\n  name: mainnet\n\n# peers\n\n\n"
	    "  max_peers: lots\n",
	    "t.yaml:7: network.max_peers: expected an integer, got 'lots'");
	expect_load_error("network:\n  max_peers: 12abc\n",
	    "t.yaml:2: network.max_peers: expected an integer, got '12abc'");
	expect_load_error("network:\n  max_peers: 0x10\n",
	    "t.yaml:2: network.max_peers: expected an integer, got '0x10'");
	/* YAML 1.1 would read this as octal: refuse rather than guess. */
	expect_load_error("network:\n  max_peers: 010\n",
	    "t.yaml:2: network.max_peers: expected an integer, got '010'");
	expect_load_error("network:\n  max_peers: 1.5\n",
	    "t.yaml:2: network.max_peers: expected an integer, got '1.5'");
	expect_load_error("network:\n  max_peers: +5\n",
	    "t.yaml:2: network.max_peers: expected an integer, got '+5'");
	expect_load_error("network:\n  max_peers: ''\n",
	    "t.yaml:2: network.max_peers: expected an integer, got ''");
	expect_load_error("network:\n  max_peers: '-'\n",
	    "t.yaml:2: network.max_peers: expected an integer, got '-'");
	expect_load_error("network:\n  max_peers: 1 000\n",
	    "t.yaml:2: network.max_peers: expected an integer, got '1 000'");
	expect_load_error("network:\n  max_peers: -5\n",
	    "t.yaml:2: network.max_peers: 1..100000, got -5");
	expect_load_error("network:\n  max_peers: 0\n",
	    "t.yaml:2: network.max_peers: 1..100000, got 0");
	expect_load_error("network:\n  max_peers: 100001\n",
	    "t.yaml:2: network.max_peers: 1..100000, got 100001");
	expect_load_error("network:\n  max_peers: 4294967297\n",
	    "t.yaml:2: network.max_peers: 1..100000, got 4294967297");
	expect_load_error("network:\n  max_peers: 99999999999999999999999999\n",
	    "t.yaml:2: network.max_peers: 1..100000, got 99999999999999999999999999");
	expect_load_error("network:\n  max_peers: -9223372036854775809\n",
	    "t.yaml:2: network.max_peers: 1..100000, got -9223372036854775809");
	expect_load_error("node:\n\n\n\n\n\n\n\n  ping_interval: 1\n"
	    "network:\n  min_peers: 20000\n",
	    "t.yaml:11: network.min_peers: 0..10000, got 20000");
	expect_load_error("network:\n  p2p_port: 65536\n",
	    "t.yaml:2: network.p2p_port: 1..65535, got 65536");
	expect_load_error("node:\n  inactivity_timeout: 9\n",
	    "t.yaml:2: node.inactivity_timeout: 10..86400, got 9");
}

static void
test_bool_and_enum_errors(void **state)
{
	struct config c;
	char err[ERRLEN];

	(void)state;
	expect_load_error("node:\n  upnp: yes\n",
	    "t.yaml:2: node.upnp: expected true or false, got 'yes'");
	expect_load_error("node:\n  seed: True\n",
	    "t.yaml:2: node.seed: expected true or false, got 'True'");
	expect_load_error("node:\n  seed: 1\n",
	    "t.yaml:2: node.seed: expected true or false, got '1'");
	expect_load_error("network:\n  name: mainet\n",
	    "t.yaml:2: network.name: expected one of mainnet|testnet|regtest, "
	    "got 'mainet'");
	expect_load_error("log:\n  level: loud\n",
	    "t.yaml:2: log.level: expected one of error|warn|info|debug|trace, "
	    "got 'loud'");

	config_init(&c);
	assert_int_equal(load(&c, "node:\n  seed: true\n  upnp: false\n"
	    "log: {level: warn}\n", err), 0);
	assert_true(c.node.seed);
	assert_false(c.node.upnp);
	assert_int_equal(c.log.level, LOGL_WARN);
	/* Quoted scalars are read by the key's type too. */
	assert_int_equal(load(&c, "node:\n  seed: \"false\"\n"
	    "network: {max_peers: '77'}\n", err), 0);
	assert_false(c.node.seed);
	assert_int_equal(c.network.max_peers, 77);
	config_free(&c);
}

static void
test_unknown_keys(void **state)
{
	(void)state;
	expect_load_error("network:\n  name: mainnet\n  maxpeers: 4\n",
	    "t.yaml:3: unknown key 'network.maxpeers'");
	expect_load_error("# top\nnetwrk:\n  max_peers: 4\n",
	    "t.yaml:2: unknown key 'netwrk'");
	expect_load_error("node:\n  seed:\n    deeper: 1\n",
	    "t.yaml:3: node.seed: expected true or false, got a map");
	expect_load_error("network.max_peers: 4\n",
	    "t.yaml:1: 'network.max_peers': write the key as nested maps, "
	    "not dotted");
	expect_load_error("network:\n  max.peers: 4\n",
	    "t.yaml:2: unknown key 'network.max.peers'");
	expect_load_error("network:\n  '': 4\n",
	    "t.yaml:2: unknown key 'network.'");
	expect_load_error("network:\n  \"max_peers\\0x\": 4\n",
	    "t.yaml:2: unknown key 'network.max_peers\\x00x'");
	expect_load_error("\"\\e[31mred\": 1\n",
	    "t.yaml:1: unknown key '\\x1b[31mred'");
	expect_load_error("? [a, b]\n: 1\n",
	    "t.yaml:1: expected a key, got a list");
	expect_load_error("network:\n  ? {a: b}\n  : 1\n",
	    "t.yaml:2: network: expected a key, got a map");
}

static void
test_duplicate_keys(void **state)
{
	(void)state;
	expect_load_error("network:\n  p2p_port: 1\n  max_peers: 5\n"
	    "  p2p_port: 2\n",
	    "t.yaml:4: duplicate key 'network.p2p_port'");
	expect_load_error("network:\n  max_peers: 5\nlog:\n  level: info\n"
	    "network:\n  min_peers: 1\n",
	    "t.yaml:5: duplicate key 'network'");
	/* A null value counts as given. */
	expect_load_error("log:\n  file:\n  file: /x\n",
	    "t.yaml:3: duplicate key 'log.file'");
}

static void
test_structure_errors(void **state)
{
	(void)state;
	expect_load_error("network: mainnet\n",
	    "t.yaml:1: network: expected a map, got a scalar");
	expect_load_error("network:\n  - name\n",
	    "t.yaml:2: network: expected a map, got a list");
	expect_load_error("network:\n  seeds:\n    host: a.example\n",
	    "t.yaml:3: network.seeds: expected a list, got a map");
	expect_load_error("network:\n  seeds: a.example:9001\n",
	    "t.yaml:2: network.seeds: expected a list, got a scalar");
	expect_load_error("network:\n  max_peers: [1]\n",
	    "t.yaml:2: network.max_peers: expected an integer, got a list");
	expect_load_error("network:\n  name: {a: 1}\n",
	    "t.yaml:2: network.name: expected one of mainnet|testnet|regtest, "
	    "got a map");
	expect_load_error("node:\n  datadir: [a]\n",
	    "t.yaml:2: node.datadir: expected path, got a list");
	expect_load_error("network:\n  seeds:\n    - a.example\n    - [b.example]\n",
	    "t.yaml:4: network.seeds: expected host:port in the list, got a list");
	expect_load_error("node:\n  listen:\n    - {a: 1}\n",
	    "t.yaml:3: node.listen: expected numeric address[:port] in the list, "
	    "got a map");
	/* The top level must be a map. */
	expect_load_error("- network\n- node\n",
	    "t.yaml:1: expected a map of sections at the top level, got a list");
	expect_load_error("\n\nhello\n",
	    "t.yaml:3: expected a map of sections at the top level, got a scalar");
	expect_load_error("network: {}\n---\nnode: {}\n",
	    "t.yaml:2: only one YAML document is allowed");
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	expect_load_error("network:\n  max_peers: 5\n  seeds: [a.example:1\n",
	    "t.yaml:4: syntax error: did not find expected ',' or ']' "
	    "(while parsing a flow sequence at line 3)");
	expect_load_error("network:\n  max_peers: 5\n  seeds: [a.example:1, }\n",
	    "t.yaml:3: syntax error: did not find expected node content "
	    "(while parsing a flow node at line 3)");
	expect_load_error("network:\n  max_peers: 5\n bad: 1\n",
	    "t.yaml:3: syntax error: did not find expected key "
	    "(while parsing a block mapping at line 1)");
	expect_load_error("network:\n  name: \"mainnet\n",
	    "t.yaml:3: syntax error: found unexpected end of stream "
	    "(while scanning a quoted scalar at line 2)");
	expect_load_error("network:\n\tname: mainnet\n",
	    "t.yaml:2: syntax error: found character that cannot start any "
	    "token (while scanning for the next token at line 2)");
	expect_load_error("network:\n  name: mainnet: b\n",
	    "t.yaml:2: syntax error: mapping values are not allowed in this "
	    "context");
	/* A reader error gives a byte offset; the line is counted from it. */
	expect_load_error("network:\n  name: mainnet\n  # \xff\n",
	    "t.yaml:3: invalid leading UTF-8 octet (byte 0xff)");
	expect_load_error("network:\n  name: \"main\\0net\"\n",
	    "t.yaml:2: network.name: value contains a NUL byte");
}

/* Anchors and aliases are refused however they are used, so an alias
 * bomb ("billion laughs") never expands. */
static void
test_anchors_aliases_tags(void **state)
{
	(void)state;
	expect_load_error(
	    "network:\n"
	    "  seeds: &a [x, x, x, x, x, x, x, x, x]\n"
	    "  dns_seeds: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "node:\n"
	    "  listen: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
	    "t.yaml:2: anchors and aliases are not supported");
	expect_load_error("network:\n  seeds: *a\n",
	    "t.yaml:2: anchors and aliases are not supported");
	expect_load_error(
	    "network:\n  seeds: &s [a.example]\n",
	    "t.yaml:2: anchors and aliases are not supported");
	expect_load_error(
	    "network:\n  seeds: [a.example]\n  dns_seeds: *s\n",
	    "t.yaml:3: anchors and aliases are not supported");
	expect_load_error("&top\nnetwork: {}\n",
	    "t.yaml:1: anchors and aliases are not supported");
	expect_load_error("network:\n  max_peers: !!str 5\n",
	    "t.yaml:2: tags are not supported");
	expect_load_error("network: !!map\n  max_peers: 5\n",
	    "t.yaml:1: tags are not supported");
}

static void
test_list_items(void **state)
{
	(void)state;
	expect_load_error("network:\n  seeds:\n    - a.example:9001\n"
	    "    - a.example:99999\n",
	    "t.yaml:4: network.seeds: expected host:port, got 'a.example:99999'");
	expect_load_error("network:\n  seeds: [a.example:0]\n",
	    "t.yaml:2: network.seeds: expected host:port, got 'a.example:0'");
	expect_load_error("network:\n  seeds: ['bad host']\n",
	    "t.yaml:2: network.seeds: expected host:port, got 'bad host'");
	expect_load_error("network:\n  seeds:\n    -\n",
	    "t.yaml:3: network.seeds: expected host:port, got ''");
	expect_load_error("network:\n  dns_seeds: [1.2.3.4]\n",
	    "t.yaml:2: network.dns_seeds: expected host name, got '1.2.3.4'");
	expect_load_error("network:\n  dns_seeds: [seed.example:53]\n",
	    "t.yaml:2: network.dns_seeds: expected host name, got "
	    "'seed.example:53'");
	expect_load_error("network:\n  dns_seeds: ['[seed.example]']\n",
	    "t.yaml:2: network.dns_seeds: expected host name, got "
	    "'[seed.example]'");
	expect_load_error("node:\n  listen: [example.com:9001]\n",
	    "t.yaml:2: node.listen: expected numeric address[:port], got "
	    "'example.com:9001'");
	expect_load_error("node:\n  rpc_listen: localhost:8545\n",
	    "t.yaml:2: node.rpc_listen: expected numeric address[:port], got "
	    "'localhost:8545'");
	expect_load_error("node:\n  dns_server: dns.example\n",
	    "t.yaml:2: node.dns_server: expected numeric address[:port], got "
	    "'dns.example'");
	expect_load_error("node:\n  datadir: ''\n",
	    "t.yaml:2: node.datadir: expected path, got ''");
}

static void
test_list_and_value_limits(void **state)
{
	struct config c;
	char err[ERRLEN], msg[128];
	size_t cap = 64 + (size_t)(CONFIG_LIST_MAX + 1) * 4, n;
	char *text = xmalloc(cap), *big;

	(void)state;
	n = (size_t)snprintf(text, cap, "network:\n  dns_seeds: [");
	for (int i = 0; i <= CONFIG_LIST_MAX; i++)
		n += (size_t)snprintf(text + n, cap - n, "%sa", i ? ", " : "");
	snprintf(text + n, cap - n, "]\n");
	config_init(&c);
	assert_int_equal(load(&c, text, err), -1);
	snprintf(msg, sizeof msg, "t.yaml:2: network.dns_seeds: more than %d items",
	    CONFIG_LIST_MAX);
	assert_string_equal(err, msg);
	/* The failed list left the default in place. */
	assert_int_equal(c.network.dns_seeds.n, 0);
	assert_false(config_isset(&c, "network.dns_seeds"));
	config_free(&c);
	free(text);

	big = xmalloc(CONFIG_VALUE_MAX + 64);
	n = (size_t)snprintf(big, 64, "log:\n  file: /");
	memset(big + n, 'x', CONFIG_VALUE_MAX);
	big[n + CONFIG_VALUE_MAX] = '\0';
	config_init(&c);
	assert_int_equal(load(&c, big, err), -1);
	snprintf(msg, sizeof msg, "t.yaml:2: log.file: value too long (%d "
	    "bytes, limit %d)", CONFIG_VALUE_MAX + 1, CONFIG_VALUE_MAX);
	assert_string_equal(err, msg);
	config_free(&c);
	free(big);
}

static void
test_file_errors(void **state)
{
	char path[] = "/tmp/test_config.XXXXXX", err[ERRLEN], msg[256];
	struct config c;
	char *big;
	FILE *fp;
	int fd;

	(void)state;
	config_init(&c);
	assert_int_equal(config_load_file(&c, "configs/no-such-file.yaml", err,
	    sizeof err), -1);
	assert_string_equal(err, "configs/no-such-file.yaml: No such file or "
	    "directory");
	assert_int_equal(config_load_file(&c, "configs", err, sizeof err), -1);
	assert_string_equal(err, "configs: Is a directory");

	/* One byte over the limit is refused before any parsing: the
	 * content is not even YAML. */
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(fp = fdopen(fd, "w"));
	big = xmalloc(CONFIG_FILE_MAX + 1);
	memset(big, '[', CONFIG_FILE_MAX + 1);
	assert_int_equal(fwrite(big, 1, CONFIG_FILE_MAX + 1, fp),
	    CONFIG_FILE_MAX + 1);
	fclose(fp);
	assert_int_equal(config_load_file(&c, path, err, sizeof err), -1);
	snprintf(msg, sizeof msg, "%s: file too large (%d bytes, limit %d)",
	    path, CONFIG_FILE_MAX + 1, CONFIG_FILE_MAX);
	assert_string_equal(err, msg);
	assert_int_equal(config_load_string(&c, big, CONFIG_FILE_MAX + 1, "s",
	    err, sizeof err), -1);
	snprintf(msg, sizeof msg, "s: too large (%d bytes, limit %d)",
	    CONFIG_FILE_MAX + 1, CONFIG_FILE_MAX);
	assert_string_equal(err, msg);

	/* A file within the limit loads, with its name in messages. */
	assert_non_null(fp = fopen(path, "w"));
	fputs("network:\n  max_peers: 9\n  min_peers: x\n", fp);
	fclose(fp);
	assert_int_equal(config_load_file(&c, path, err, sizeof err), -1);
	snprintf(msg, sizeof msg, "%s:3: network.min_peers: expected an "
	    "integer, got 'x'", path);
	assert_string_equal(err, msg);
	/* Values before the bad one were applied. */
	assert_int_equal(c.network.max_peers, 9);
	unlink(path);
	free(big);
	config_free(&c);
}

static void
test_cli_override_order(void **state)
{
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c, "network:\n  max_peers: 20\n  name: testnet\n",
	    err), 0);
	assert_int_equal(config_set(&c, "network.max_peers", "30", err,
	    sizeof err), 0);
	assert_int_equal(c.network.max_peers, 30);
	assert_int_equal(config_set(&c, "network.max_peers", "31", err,
	    sizeof err), 0);
	assert_int_equal(c.network.max_peers, 31);
	/* A bad override changes nothing. */
	assert_int_equal(config_set(&c, "network.max_peers", "lots", err,
	    sizeof err), -1);
	assert_string_equal(err, "command line: network.max_peers: expected an "
	    "integer, got 'lots'");
	assert_int_equal(c.network.max_peers, 31);
	assert_int_equal(config_set(&c, "network.max_peers", "0", err,
	    sizeof err), -1);
	assert_string_equal(err, "command line: network.max_peers: 1..100000, "
	    "got 0");
	assert_int_equal(config_set(&c, "network.maxpeers", "3", err,
	    sizeof err), -1);
	assert_string_equal(err, "command line: unknown key 'network.maxpeers'");
	assert_int_equal(config_set(&c, "network", "3", err, sizeof err), -1);
	assert_string_equal(err, "command line: unknown key 'network'");
	assert_int_equal(config_set(&c, "node.seed", "yes", err, sizeof err),
	    -1);
	assert_string_equal(err, "command line: node.seed: expected true or "
	    "false, got 'yes'");
	assert_int_equal(config_set(&c, "node.seed", "", err, sizeof err), -1);
	assert_int_equal(config_set(&c, NULL, "x", err, sizeof err), -1);
	assert_int_equal(config_set(&c, "node.seed", NULL, err, sizeof err), -1);
	assert_int_equal(config_set(&c, "network.name", "regtest", err,
	    sizeof err), 0);
	assert_int_equal(config_set(&c, "log.level", "DEBUG", err, sizeof err),
	    0);
	assert_int_equal(c.log.level, LOGL_DEBUG);

	/* An empty string value restores a string key's default. */
	assert_int_equal(config_set(&c, "node.rpc_listen", "127.0.0.2:1", err,
	    sizeof err), 0);
	assert_int_equal(config_set(&c, "node.rpc_listen", "", err, sizeof err),
	    0);
	assert_false(config_isset(&c, "node.rpc_listen"));
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_int_equal(c.params->id, NET_REGTEST);
	assert_int_equal(c.network.p2p_port, 29001);
	assert_string_equal(c.node.rpc_listen, "127.0.0.1:28545");
	config_free(&c);
}

static void
test_list_replace_semantics(void **state)
{
	static const char *const file[] = { "a.example:1", "b.example:2", NULL };
	static const char *const cli[] = { "c.example:3", "d.example:4", NULL };
	static const char *const again[] = { "e.example:5", NULL };
	static const char *const none[] = { NULL };
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c, "network:\n  seeds: [a.example:1, b.example:2]\n",
	    err), 0);
	assert_list(&c.network.seeds, file);
	/* A bad first item is refused without touching the file's list. */
	assert_int_equal(config_set(&c, "network.seeds", "bad host", err,
	    sizeof err), -1);
	assert_string_equal(err, "command line: network.seeds: expected "
	    "host:port, got 'bad host'");
	assert_list(&c.network.seeds, file);
	/* The first override replaces the file's list, the next appends. */
	assert_int_equal(config_set(&c, "network.seeds", "c.example:3", err,
	    sizeof err), 0);
	assert_int_equal(config_set(&c, "network.seeds", "d.example:4", err,
	    sizeof err), 0);
	assert_list(&c.network.seeds, cli);
	/* Loading again applies in order: the file replaces it... */
	assert_int_equal(load(&c, "network:\n  seeds: [e.example:5]\n", err), 0);
	assert_list(&c.network.seeds, again);
	/* ...and the next override replaces the file's list again. */
	assert_int_equal(config_set(&c, "network.seeds", "c.example:3", err,
	    sizeof err), 0);
	assert_int_equal(config_set(&c, "network.seeds", "d.example:4", err,
	    sizeof err), 0);
	assert_list(&c.network.seeds, cli);
	/* An empty value empties the list, and finalize keeps it empty. */
	assert_int_equal(config_set(&c, "network.seeds", "", err, sizeof err), 0);
	assert_list(&c.network.seeds, none);
	assert_true(config_isset(&c, "network.seeds"));
	assert_int_equal(config_set(&c, "network.dns_seeds", "", err,
	    sizeof err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_list(&c.network.seeds, none);
	assert_list(&c.network.dns_seeds, none);
	config_free(&c);

	/* Issue 15 item 23 (set_brackets_empties_list): --set KEY=[] was
	 * refused; it empties the list, as [] does in a file. */
	config_init(&c);
	assert_int_equal(config_set(&c, "network.seeds", "[]", err, sizeof err), 0);
	assert_int_equal(config_set(&c, "seeder.listen", "[]", err, sizeof err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_list(&c.network.seeds, none);
	assert_list(&c.seeder.listen, none);
	config_free(&c);
	/* Unset, seeder.listen holds its default like node.listen. */
	config_init(&c);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_int_equal(c.seeder.listen.n, 2);
	assert_string_equal(c.seeder.listen.v[0], "0.0.0.0:53");
	config_free(&c);

	/* [] in a file is an empty list, not the default. */
	config_init(&c);
	assert_int_equal(load(&c, "network:\n  seeds: []\nnode:\n  listen: []\n",
	    err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_list(&c.network.seeds, none);
	assert_list(&c.node.listen, none);
	assert_list(&c.network.dns_seeds, chainparams_get(NET_MAINNET)->dns_seeds);
	config_free(&c);
}

/* Finalize writes every address with its port. */
static void
test_address_normalisation(void **state)
{
	static const char *const seeds[] = { "seed.example:29001",
	    "[2001:db8::2]:29001", "[2001:db8::3]:29001", "10.1.1.1:5", NULL };
	static const char *const listen[] = { "127.0.0.1:29001",
	    "[::1]:29001", "127.0.0.2:7", NULL };
	struct config c;
	char err[ERRLEN];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c, "network:\n  name: regtest\n"
	    "  seeds: [seed.example, '[2001:db8::2]', '2001:db8::3', 10.1.1.1:5]\n"
	    "node:\n  listen: [127.0.0.1, '::1', '127.0.0.2:7']\n"
	    "  rpc_listen: 127.0.0.1\n  dns_server: 9.9.9.9\n", err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_list(&c.network.seeds, seeds);
	assert_list(&c.node.listen, listen);
	assert_string_equal(c.node.rpc_listen, "127.0.0.1:28545");
	assert_string_equal(c.node.dns_server, "9.9.9.9:53");
	config_free(&c);

	/* node.metrics_listen has no default port: it must be given. */
	config_init(&c);
	assert_int_equal(config_set(&c, "node.metrics_listen", "127.0.0.1", err, sizeof err), -1);
	assert_non_null(strstr(err, "numeric address:port"));
	assert_int_equal(config_set(&c, "node.metrics_listen", "localhost:9464", err,
	    sizeof err), -1);
	assert_int_equal(config_set(&c, "node.metrics_listen", "[::1]:9464", err, sizeof err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	assert_string_equal(c.node.metrics_listen, "[::1]:9464");
	assert_false(c.node.metrics_remote);
	config_free(&c);
}

static void
test_finalize_cross_checks(void **state)
{
	struct config c;
	char err[ERRLEN];

	(void)state;
	expect_finalize_error("network:\n  max_peers: 10\n\n  min_peers: 20\n",
	    "t.yaml:4: network.min_peers: 20 is more than network.max_peers (10)");
	/* Only max_peers was given: it is the one to blame. */
	expect_finalize_error("network:\n  max_peers: 5\n",
	    "t.yaml:2: network.min_peers: 8 is more than network.max_peers (5)");
	expect_finalize_error("node:\n  ping_interval: 1200\n",
	    "t.yaml:2: node.inactivity_timeout: 1200 is not more than "
	    "node.ping_interval (1200)");
	expect_finalize_error("node:\n  inactivity_timeout: 100\n"
	    "  ping_interval: 100\n",
	    "t.yaml:2: node.inactivity_timeout: 100 is not more than "
	    "node.ping_interval (100)");
	/* Equal counts are fine. */
	config_init(&c);
	assert_int_equal(load(&c, "network: {max_peers: 8, min_peers: 8}\n", err),
	    0);
	assert_int_equal(config_finalize(&c, err, sizeof err), 0);
	config_free(&c);
	/* An override from the command line is named as such. */
	config_init(&c);
	assert_int_equal(config_set(&c, "network.min_peers", "60", err,
	    sizeof err), 0);
	assert_int_equal(config_finalize(&c, err, sizeof err), -1);
	assert_string_equal(err, "command line: network.min_peers: 60 is more "
	    "than network.max_peers (50)");
	config_free(&c);
}

static void
test_small_error_buffer(void **state)
{
	struct config c;
	char err[8];

	(void)state;
	config_init(&c);
	memset(err, 'z', sizeof err);
	assert_int_equal(config_load_string(&c, "x: 1\n", 5, "t.yaml", err,
	    sizeof err), -1);
	assert_string_equal(err, "t.yaml:");
	assert_int_equal(config_load_string(&c, "x: 1\n", 5, "t.yaml", NULL, 0),
	    -1);
	assert_int_equal(config_set(&c, "x", "1", NULL, 0), -1);
	assert_int_equal(config_load_file(&c, "/nonexistent/x", NULL, 0), -1);
	config_free(&c);
}

static char *
print_keys(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	config_print_keys(fp);
	fclose(fp);
	return buf;
}

static void
test_print_keys(void **state)
{
	static const char *const keys[] = { "network.name", "network.p2p_port",
	    "network.rpc_port", "network.max_peers", "network.min_peers",
	    "network.seeds", "network.dns_seeds", "node.datadir", "node.listen",
	    "node.rpc_listen", "node.seed", "node.upnp", "node.geoip_db",
	    "node.asn_db", "node.dns_server", "node.ping_interval",
	    "node.handshake_timeout", "node.inactivity_timeout", "node.ban_time",
	    "node.max_inbound_per_ip", "log.level", "log.file", NULL };
	char *out = print_keys(), want[128];

	(void)state;
	for (size_t i = 0; keys[i] != NULL; i++) {
		snprintf(want, sizeof want, "- `%s`: ", keys[i]);
		if (strstr(out, want) == NULL)
			fail_msg("%s missing from config_print_keys", keys[i]);
	}
	assert_non_null(strstr(out, "- `network.max_peers`: integer 1..100000; "
	    "default `50`.\n"));
	assert_non_null(strstr(out, "## node\n"));
	assert_non_null(strstr(out, "- testnet: p2p_port `19001`, rpc_port "
	    "`18545`\n"));
	free(out);
}

/* docs/CONFIG.md carries config_print_keys' output verbatim: regenerate it
 * when the table changes. */
static void
test_docs_match_table(void **state)
{
	char *out = print_keys(), *doc;
	FILE *fp = fopen("docs/CONFIG.md", "r");
	size_t n;

	(void)state;
	assert_non_null(fp);
	doc = xmalloc(256 * 1024);
	n = fread(doc, 1, 256 * 1024 - 1, fp);
	doc[n] = '\0';
	fclose(fp);
	if (strstr(doc, out) == NULL)
		fail_msg("docs/CONFIG.md is out of date with the key table; "
		    "paste config_print_keys() output into it");
	free(doc);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults_mainnet, setup_home),
		cmocka_unit_test_setup(test_defaults_per_network, setup_home),
		cmocka_unit_test_setup(test_network_defaults_follow_ports, setup_home),
		cmocka_unit_test_setup(test_datadir_without_home, setup_home),
		cmocka_unit_test_setup(test_home_expansion, setup_home),
		cmocka_unit_test_setup(test_shipped_configs, setup_home),
		cmocka_unit_test_setup(test_all_keys, setup_home),
		cmocka_unit_test_setup(test_empty_and_null_documents, setup_home),
		cmocka_unit_test_setup(test_null_value_means_default, setup_home),
		cmocka_unit_test(test_int_errors),
		cmocka_unit_test(test_identity_keys),
		cmocka_unit_test(test_bool_and_enum_errors),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_anchors_aliases_tags),
		cmocka_unit_test(test_list_items),
		cmocka_unit_test(test_list_and_value_limits),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test_setup(test_cli_override_order, setup_home),
		cmocka_unit_test_setup(test_list_replace_semantics, setup_home),
		cmocka_unit_test_setup(test_address_normalisation, setup_home),
		cmocka_unit_test_setup(test_finalize_cross_checks, setup_home),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_print_keys),
		cmocka_unit_test(test_docs_match_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
