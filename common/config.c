/* config.c -- agentchain.yaml(5): load, override, default and check the configuration.
 *
 * Every key lives in one table (tmux options-table.c): its name, type,
 * range, default and help text, and where its value goes in struct
 * config.  Parsing, validation, the defaults applied by config_init, the
 * --help-config text and docs/CONFIG.md all come from that table, so they
 * cannot drift apart.  Adding a key is a field in struct config and one
 * entry here.
 *
 * The file is read with libyaml's event parser rather than its document
 * loader: events carry the line of every key and value for error messages,
 * and nothing is built that the schema does not need.  Anchors and aliases
 * are refused outright, so an alias bomb costs nothing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "idproof.h"
#include "netaddr.h"
#include "socks5.h"
#include "strutil.h"
#include "xmalloc.h"

enum config_type {
	CONFIG_INT,		/* int field, MIN..MAX */
	CONFIG_SECONDS,		/* int field in ms, written as seconds; MIN..MAX in ms */
	CONFIG_BOOL,		/* bool field, true or false */
	CONFIG_ENUM,		/* any field, written by PARSE */
	CONFIG_STRING,		/* char * field, owned; optional CHECK */
	CONFIG_PATH,		/* as STRING, with "~/" expanded by finalize */
	CONFIG_LIST,		/* struct config_strlist; CHECK on each item */
};

struct config_key {
	const char		*name;
	enum config_type	 type;
	size_t			 offset;
	long long		 min;
	long long		 max;
	/* ENUM: the accepted names, for messages and docs, and the parser
	 * that stores one into the field; returns 0 or -1. */
	const char		*choices;
	int			(*parse)(void *, const char *);
	/* STRING and LIST: accepts a value or list item (0) or not (-1);
	 * WHAT names the expected form in messages and docs. */
	int			(*check)(const char *);
	const char		*what;
	/* As CHECK, saying what is wrong in WHY; for values with parts. */
	int			(*explain)(const char *, char *, size_t);
	/* A static default, applied by config_init through the same parser as
	 * a file's value (so a bad one is caught at start-up), or NULL when
	 * the key is unset or its default depends on the network; DFLT_DOC
	 * then describes it.  Lists take their defaults from finalize only. */
	const char		*dflt;
	const char		*dflt_doc;
	const char		*help;
};

static int	config_parse_network(void *, const char *);
static int	config_parse_loglevel(void *, const char *);
static int	config_check_hostport(const char *);
static int	config_check_hostname(const char *);
static int	config_check_addrport(const char *);
static int	config_check_resolver(const char *);
static int	config_check_proxy(const char *);
static int	config_check_credential(const char *);
static int	config_check_addr_port(const char *);
static int	config_check_reward(const char *);
static int	config_parse_view(void *, const char *);
static int	config_parse_theme(void *, const char *);
static int	config_parse_transport(void *, const char *);
static int	config_explain_node(const char *, char *, size_t);

#define F(f)	offsetof(struct config, f)
#define KEY_INT(k, f, lo, hi) \
	.name = (k), .type = CONFIG_INT, .offset = F(f), .min = (lo), .max = (hi)
#define KEY_SECONDS(k, f, lo_ms, hi_ms) \
	.name = (k), .type = CONFIG_SECONDS, .offset = F(f), .min = (lo_ms), \
	.max = (hi_ms)
#define KEY_BOOL(k, f) \
	.name = (k), .type = CONFIG_BOOL, .offset = F(f)
#define KEY_ENUM(k, f, names, fn) \
	.name = (k), .type = CONFIG_ENUM, .offset = F(f), .choices = (names), \
	.parse = (fn)
#define KEY_STRING(k, f, fn, w) \
	.name = (k), .type = CONFIG_STRING, .offset = F(f), .check = (fn), \
	.what = (w)
#define KEY_PATH(k, f) \
	.name = (k), .type = CONFIG_PATH, .offset = F(f), .what = "path"
#define KEY_LIST(k, f, fn, w) \
	.name = (k), .type = CONFIG_LIST, .offset = F(f), .check = (fn), \
	.what = (w)

/* Keep keys of one section together: config_print_keys groups by runs. */
static const struct config_key config_keys[] = {
	{ KEY_ENUM("network.name", params, "mainnet|testnet|regtest",
	    config_parse_network), .dflt = "mainnet",
	  .help = "The network to join. It selects the message magic and the "
	    "default ports and seeds below." },
	{ KEY_INT("network.p2p_port", network.p2p_port, 1, 65535),
	  .dflt_doc = "the network's P2P port",
	  .help = "TCP port peers are told to dial, and the port of the "
	    "default node.listen addresses." },
	{ KEY_INT("network.rpc_port", network.rpc_port, 1, 65535),
	  .dflt_doc = "the network's RPC port",
	  .help = "TCP port of the control interface used by agentconsole; "
	    "the port of the default node.rpc_listen." },
	{ KEY_INT("network.max_peers", network.max_peers, 1, 100000),
	  .dflt = "50",
	  .help = "Most peer connections at once, inbound and outbound "
	    "together." },
	{ KEY_INT("network.min_peers", network.min_peers, 0, 10000),
	  .dflt = "8",
	  .help = "Outbound connections to keep open; the node dials more "
	    "when it has fewer. At most network.max_peers." },
	{ KEY_LIST("network.seeds", network.seeds, config_check_hostport,
	    "host:port"),
	  .dflt_doc = "the network's seed nodes",
	  .help = "Nodes to dial when the address book is empty. The port "
	    "defaults to network.p2p_port. An empty list ([]) disables them." },
	{ KEY_LIST("network.dns_seeds", network.dns_seeds,
	    config_check_hostname, "host name"),
	  .dflt_doc = "the network's DNS seeds",
	  .help = "Names whose A and AAAA records list nodes to dial when the "
	    "address book is empty. An empty list ([]) disables them." },
	{ KEY_STRING("network.proxy", network.proxy, config_check_proxy,
	    "numeric address[:port] or localhost[:port]"),
	  .dflt_doc = "unset: connect directly",
	  .help = "SOCKS5 proxy (RFC 1928) for agentnode's outbound connections "
	    "and agentcrawl's probes, e.g. Tor's 127.0.0.1:9050; the port "
	    "defaults to 9050. Nodes given by name (--seed-node, addnode; "
	    "agentcrawl's seeds and DNS seeds) are sent to the proxy by name "
	    "for it to resolve. While the proxy is unreachable, dials fail at "
	    "once and it is retried after 1, 2, 4 ... 64 s." },
	{ KEY_STRING("network.proxy_user", network.proxy_user,
	    config_check_credential, "1 to 255 bytes"),
	  .dflt_doc = "unset: no authentication",
	  .help = "User name for the proxy (RFC 1929), together with "
	    "network.proxy_password. Tor isolates streams by it." },
	{ KEY_STRING("network.proxy_password", network.proxy_password,
	    config_check_credential, "1 to 255 bytes"),
	  .dflt_doc = "unset",
	  .help = "Password for network.proxy_user. Keep the file that holds "
	    "it private." },
	{ KEY_ENUM("network.transport", network.transport, "v2|v1|v2-only",
	    config_parse_transport), .dflt = "v2",
	  .help = "Peer connections of agentnode and agentcrawl. v2: the "
	    "encrypted transport (after BIP324; docs/PROTOCOL.md) with every "
	    "peer that speaks it, plaintext v1 with the others -- an outbound "
	    "dial tries v2 and dials again in v1 when the peer closes on it "
	    "(agentnode remembers such an address for a day), an inbound "
	    "connection is told by its first bytes. v1: never offer v2 (inbound "
	    "v2 is refused). v2-only: refuse v1 peers both ways." },

	{ KEY_PATH("node.datadir", node.datadir),
	  .dflt_doc = "`$HOME/.agentchain/<network>`, or "
	    "`./.agentchain/<network>` without HOME",
	  .help = "Directory for the address book, ban list and other state. "
	    "A leading ~/ means $HOME." },
	{ KEY_LIST("node.listen", node.listen, config_check_addrport,
	    "numeric address[:port]"),
	  .dflt_doc = "`0.0.0.0:<p2p_port>`, `[::]:<p2p_port>`",
	  .help = "Addresses to accept peer connections on; the port defaults "
	    "to network.p2p_port. An empty list ([]) accepts none (outbound "
	    "only)." },
	{ KEY_STRING("node.rpc_listen", node.rpc_listen,
	    config_check_addrport, "numeric address[:port]"),
	  .dflt_doc = "`127.0.0.1:<rpc_port>`",
	  .help = "Address of the control interface; the port defaults to "
	    "network.rpc_port. Requests must carry the random cookie in "
	    "<datadir>/.cookie (HTTP Basic auth); still, keep it on loopback." },
	{ KEY_STRING("node.metrics_listen", node.metrics_listen,
	    config_check_addr_port, "numeric address:port"),
	  .dflt_doc = "unset: /metrics only on node.rpc_listen, with the cookie",
	  .help = "Serve Prometheus /metrics, and nothing else, on this address "
	    "without authentication (the RPC cookie changes at every start). "
	    "Loopback only, unless node.metrics_remote is true." },
	{ KEY_BOOL("node.metrics_remote", node.metrics_remote), .dflt = "false",
	  .help = "Allow node.metrics_listen on a non-loopback address (anyone "
	    "who reaches it reads the metrics)." },
	{ KEY_BOOL("node.seed", node.seed), .dflt = "false",
	  .help = "Run as a seed node: answer address requests generously "
	    "and keep the address book fresh for newcomers." },
	{ KEY_BOOL("node.upnp", node.upnp), .dflt = "false",
	  .help = "Ask the router by UPnP IGD to forward network.p2p_port." },
	{ KEY_BOOL("node.natpmp", node.natpmp),
	  .dflt_doc = "`true` on mainnet, `false` on testnet and regtest",
	  .help = "Ask the default gateway by PCP (or NAT-PMP, when that is all "
	    "it speaks) to forward the P2P port and to open it for our global "
	    "IPv6 address; the external address it reports is advertised. "
	    "Renewed at half the lease, removed at exit." },
	{ KEY_LIST("node.natpmp_gateway", node.natpmp_gateway,
	    config_check_addrport, "numeric address[:port]"),
	  .dflt_doc = "unset: the default routes' gateways",
	  .help = "PCP/NAT-PMP gateways to ask instead of the default routes' "
	    "next hops: the first IPv4 and the first IPv6 address count; the "
	    "port defaults to 5351." },
	{ KEY_INT("node.natpmp_lease", node.natpmp_lease, 2, 86400),
	  .dflt = "3600",
	  .help = "Seconds of mapping lifetime to ask the PCP/NAT-PMP gateway "
	    "for; renewed at half of what it grants." },
	{ KEY_PATH("node.geoip_db", node.geoip_db),
	  .dflt_doc = "unset: no locations",
	  .help = "MaxMind GeoLite2/GeoIP2 City database (.mmdb), used to "
	    "show where peers are." },
	{ KEY_PATH("node.asn_db", node.asn_db),
	  .dflt_doc = "unset: no AS numbers",
	  .help = "MaxMind GeoLite2/GeoIP2 ASN database (.mmdb), used to show "
	    "and diversify the networks peers are in." },
	{ KEY_STRING("node.dns_server", node.dns_server,
	    config_check_resolver, "numeric address[:port]"),
	  .dflt_doc = "unset: the system resolver",
	  .help = "Resolver for DNS seed look-ups; the port defaults to 53." },
	{ KEY_INT("node.ping_interval", node.ping_interval, 1, 86400),
	  .dflt = "120",
	  .help = "Seconds between pings to each peer." },
	{ KEY_INT("node.handshake_timeout", node.handshake_timeout, 1, 3600),
	  .dflt = "60",
	  .help = "Seconds a new connection has to finish the version "
	    "handshake." },
	{ KEY_INT("node.inactivity_timeout", node.inactivity_timeout, 10,
	    86400), .dflt = "1200",
	  .help = "Seconds of silence after which a peer is disconnected. "
	    "Must be more than node.ping_interval." },
	{ KEY_INT("node.ban_time", node.ban_time, 1, 31536000),
	  .dflt = "86400",
	  .help = "Seconds a misbehaving peer's address stays banned." },
	{ KEY_INT("node.max_inbound_per_ip", node.max_inbound_per_ip, 1,
	    1000), .dflt = "4",
	  .help = "Most inbound connections from one IP address." },
	{ KEY_BOOL("node.blocks_only", node.blocks_only), .dflt = "false",
	  .help = "Take no transactions from peers and announce none but our "
	    "own (Bitcoin Core's -blocksonly): saves bandwidth, and such a node "
	    "earns no relay reward (docs/REWARDS.md)." },
	{ KEY_BOOL("node.identity", node.identity), .dflt = "true",
	  .help = "Keep an Ed25519 identity key in <datadir>/identity.key "
	    "(created on first start) and prove it to peers that ask "
	    "(getidentity), so that an observer can credit this node with "
	    "uptime, storage and relay. false: no key is created or read, "
	    "getidentity is ignored, the IDENTITY service bit is not "
	    "announced, and the node earns no rewards." },
	{ KEY_STRING("node.reward_address", node.reward_address,
	    config_check_reward, "1 to 90 printable ASCII characters"),
	  .dflt_doc = "unset: none",
	  .help = "Where this node's rewards should go, in the chain's own "
	    "address format; sent, signed, with the identity proof. Not "
	    "checked beyond its form." },

	{ KEY_STRING("chain.block_notify", chain.block_notify, NULL, "command"),
	  .dflt_doc = "unset: run nothing",
	  .help = "Command run (by /bin/sh) whenever the best block changes, with "
	    "%s replaced by the new tip's hash, as Bitcoin Core's -blocknotify: "
	    "where a chain implementation plugs in." },
	{ KEY_INT("chain.mempool_mb", chain.mempool_mb, 1, 65536), .dflt = "64",
	  .help = "Megabytes of transactions the mempool holds; the oldest are "
	    "evicted beyond it." },
	{ KEY_INT("chain.mempool_expiry", chain.mempool_expiry, 1, 8760),
	  .dflt = "336",
	  .help = "Hours a transaction may wait in the mempool." },

	{ KEY_PATH("crawler.db", crawler.db),
	  .dflt_doc = "unset: give --db",
	  .help = "SQLite crawl database written by agentcrawl and read by "
	    "agentseeder and agentconsole." },
	{ KEY_INT("crawler.concurrency", crawler.concurrency, 1, 65536),
	  .dflt = "256",
	  .help = "Most probes (connections) at once; lowered to fit the "
	    "open-file limit." },
	{ KEY_INT("crawler.connect_timeout", crawler.connect_timeout, 0,
	    600000), .dflt = "0",
	  .help = "Milliseconds a TCP connect may take; 0 means 5000, or 2000 "
	    "on regtest." },
	{ KEY_INT("crawler.handshake_timeout", crawler.handshake_timeout, 0,
	    600000), .dflt = "0",
	  .help = "Milliseconds from connect to the end of the version "
	    "handshake; 0 means 10000, or 3000 on regtest." },
	{ KEY_INT("crawler.addr_window", crawler.addr_window, 0, 600000),
	  .dflt = "0",
	  .help = "Milliseconds to read addr messages after getaddr, at "
	    "most; a node's first real answer ends it 500 ms later. 0 means "
	    "10000, or 2000 on regtest." },
	{ KEY_INT("crawler.max_nodes", crawler.max_nodes, 1, 100000000),
	  .dflt = "200000",
	  .help = "Most addresses the crawler keeps; new ones beyond are "
	    "ignored." },
	{ KEY_PATH("crawler.geoip_db", crawler.geoip_db),
	  .dflt_doc = "unset: no locations",
	  .help = "MaxMind City database (.mmdb) for node locations." },
	{ KEY_PATH("crawler.asn_db", crawler.asn_db),
	  .dflt_doc = "unset: no AS numbers",
	  .help = "MaxMind ASN database (.mmdb) for node AS numbers." },
	{ KEY_STRING("crawler.dns_server", crawler.dns_server,
	    config_check_resolver, "numeric address[:port]"),
	  .dflt_doc = "unset: the system resolver",
	  .help = "Resolver for the DNS seeds the crawler starts from." },
	{ KEY_BOOL("crawler.rewards", crawler.rewards), .dflt = "false",
	  .help = "Observe nodes for the daily rewards ledger: ask each node "
	    "to prove its identity key, challenge it for stored blocks, probe "
	    "its transaction relay and re-visit identity nodes densely for "
	    "uptime (see docs/REWARDS.md)." },
	{ KEY_INT("crawler.rewards_max_per_asn", crawler.rewards_max_per_asn, 0,
	    1000000), .dflt = "4",
	  .help = "Most identities rewarded per AS number in a day's ledger; "
	    "the best total scores win, then the older identity. 0: no cap." },
	{ KEY_INT("crawler.rewards_max_per_net16", crawler.rewards_max_per_net16,
	    0, 1000000), .dflt = "2",
	  .help = "Most identities rewarded per IPv4 /16 (IPv6 /32) in a day's "
	    "ledger, chosen as for the ASN cap. 0: no cap." },
	{ KEY_INT("crawler.rewards_probation", crawler.rewards_probation, 0,
	    31536000), .dflt = "259200",
	  .help = "Seconds from an identity's first proof before it earns "
	    "(3 days); regtest divides it by 720 as it does the good-node "
	    "windows." },
	{ KEY_INT("crawler.rewards_min_checks", crawler.rewards_min_checks, 0,
	    1000000), .dflt = "12",
	  .help = "Successful visits (identity proofs) an identity needs in a "
	    "day to earn anything that day." },

	{ KEY_STRING("seeder.host", seeder.host, NULL, "domain name"),
	  .dflt_doc = "unset: agentseeder then needs --host",
	  .help = "The seed's domain, the zone agentseeder answers for "
	    "(e.g. seed.agentchain.io)." },
	{ KEY_STRING("seeder.ns", seeder.ns, NULL, "domain name"),
	  .dflt_doc = "unset: agentseeder then needs --ns",
	  .help = "Name server of the seed zone, for its SOA and NS records." },
	{ KEY_STRING("seeder.mbox", seeder.mbox, NULL, "mailbox"),
	  .dflt_doc = "unset: agentseeder then needs --mbox",
	  .help = "SOA contact: hostmaster.example.org or "
	    "hostmaster@example.org." },
	{ KEY_LIST("seeder.listen", seeder.listen, config_check_addrport,
	    "numeric address[:port]"),
	  .dflt_doc = "`0.0.0.0:53`, `[::]:53`",
	  .help = "UDP and TCP addresses agentseeder answers on (port 53 "
	    "when absent)." },
	{ KEY_INT("seeder.ttl", seeder.ttl, 60, 86400), .dflt = "60",
	  .help = "TTL of A/AAAA answers and of negative answers; never "
	    "below 60 (shorter looks like fast flux)." },
	{ KEY_INT("seeder.max_answers", seeder.max_answers, 1, 256),
	  .dflt = "25",
	  .help = "Addresses in one A answer." },
	{ KEY_INT("seeder.max_answers6", seeder.max_answers6, 1, 256),
	  .dflt = "16",
	  .help = "Addresses in one AAAA answer (16 fit 512 bytes)." },
	{ KEY_INT("seeder.reload", seeder.reload, 1, 86400), .dflt = "60",
	  .help = "Seconds between reads of the crawl database." },
	{ KEY_STRING("seeder.user", seeder.user, NULL, "user name"),
	  .dflt_doc = "unset: keep the starting identity",
	  .help = "Unprivileged user agentseeder switches to after binding "
	    "its ports." },
	{ KEY_INT("seeder.stats_interval", seeder.stats_interval, 0, 86400),
	  .dflt = "300",
	  .help = "Seconds between statistics log lines (0: only on "
	    "SIGUSR1)." },
	{ KEY_INT("seeder.rate_limit", seeder.rate_limit, 0, 1000000),
	  .dflt = "0",
	  .help = "UDP replies per second to one /24 or /56 (0: no limit)." },
	{ KEY_INT("seeder.rate_burst", seeder.rate_burst, 0, 1000000),
	  .dflt = "0", .dflt_doc = "0: twice seeder.rate_limit",
	  .help = "Replies a source may get in a burst above the rate." },
	{ KEY_INT("seeder.rate_slip", seeder.rate_slip, 0, 100), .dflt = "2",
	  .help = "Every Nth reply over the limit to one /24 or /56 is sent "
	    "truncated (TC) so real resolvers retry over TCP; 0 drops them "
	    "all." },
	{ KEY_INT("seeder.tcp_clients", seeder.tcp_clients, 1, 65536),
	  .dflt = "256",
	  .help = "Most TCP connections at once; when all are busy, new ones "
	    "wait until one is done." },
	{ KEY_INT("seeder.tcp_clients_per_source", seeder.tcp_clients_per_source,
	    1, 65536), .dflt = "16",
	  .help = "Most TCP connections from one IPv4 address or IPv6 /64; "
	    "one more closes that source's oldest." },
	{ KEY_INT("seeder.tcp_timeout", seeder.tcp_timeout, 1, 3600),
	  .dflt = "10",
	  .help = "Seconds an idle TCP connection is kept (shorter when over "
	    "half of seeder.tcp_clients are open)." },
	{ KEY_INT("seeder.tcp_query_timeout", seeder.tcp_query_timeout, 1, 3600),
	  .dflt = "3",
	  .help = "Seconds a TCP client has to send a whole query, or to read "
	    "its replies (shorter when over half of seeder.tcp_clients are "
	    "open)." },
	{ KEY_PATH("seeder.dnssec_keys", seeder.dnssec_keys),
	  .dflt_doc = "unset: answers are not signed",
	  .help = "Directory with the zone's DNSSEC keys (agentseeder keygen "
	    "makes them); answers to queries with the DO bit are then signed." },
	{ KEY_INT("seeder.dnssec_pool", seeder.dnssec_pool, 1, 1024),
	  .dflt = "64",
	  .help = "Signed answer sets per name and type, made at every reload; "
	    "a query with the DO bit gets one of them at random." },

	{ KEY_LIST("console.nodes", console.nodes, NULL,
	    "node ([name=NAME] rpc=ADDR:PORT [cookie=FILE], or [name=NAME] "
	    "datadir=DIR)"), .explain = config_explain_node,
	  .dflt_doc = "the node this file configures: node.rpc_listen (on "
	    "loopback when it listens on every address) with "
	    "<node.datadir>/.cookie",
	  .help = "Nodes agentconsole watches, each with an optional name for "
	    "the header; n and N switch between them. rpc= takes a numeric "
	    "address (or localhost) and the port, cookie= the node's cookie "
	    "file; datadir= stands for the cookie in that directory and the "
	    "RPC port of network.name (or of the network the directory is "
	    "named after). A leading ~/ means $HOME; values cannot contain "
	    "blanks. --rpc and --datadir replace the list." },
	{ KEY_SECONDS("console.interval", console.interval, 250, 3600000),
	  .dflt = "1",
	  .help = "Seconds between polls of each node (decimals allowed); + "
	    "and - change it while running." },
	{ KEY_SECONDS("console.timeout", console.timeout, 100, 600000),
	  .dflt = "5",
	  .help = "Seconds an RPC call may take before the node is shown as "
	    "down." },
	{ KEY_ENUM("console.view", console.view,
	    "overview|peers|geo|latency|network|bans|log|chain", config_parse_view),
	  .dflt = "overview",
	  .help = "The view agentconsole starts in; its number 1-8 works too." },
	{ KEY_STRING("console.sort", console.sort, NULL, "[-]column"),
	  .dflt = "id",
	  .help = "Initial sort of the peer table: a column as agentconsole(1) "
	    "lists them (id, address, ping, agent, ...), with a leading - for "
	    "descending." },
	{ KEY_ENUM("console.theme", console.theme, "dark|light|mono",
	    config_parse_theme), .dflt = "dark",
	  .help = "Colours for a dark or a light terminal background, or mono "
	    "(bold, reverse and dim only; also when NO_COLOR is set)." },
	{ KEY_BOOL("console.ascii", console.ascii), .dflt = "false",
	  .help = "Draw with ASCII only, even in a UTF-8 locale." },
	{ KEY_PATH("console.geoip_db", console.geoip_db),
	  .dflt_doc = "unset: locations only from the node",
	  .help = "MaxMind City database (.mmdb) to place peers on the map by "
	    "their address." },
	{ KEY_BOOL("console.mouse", console.mouse), .dflt = "true",
	  .help = "Take mouse clicks (tabs, rows, column headers) and the "
	    "wheel; false leaves the mouse to the terminal (text selection)." },
	{ KEY_BOOL("console.bell", console.bell), .dflt = "false",
	  .help = "Ring the terminal bell when an alert is raised; B toggles "
	    "it while running." },
	{ KEY_INT("console.alert_min_peers", console.alert_min_peers, 0, 100000),
	  .dflt = "0", .dflt_doc = "0: fewer outbound peers than the node's own "
	    "network.min_peers",
	  .help = "Alert when a watched node has fewer peers (in and out) than "
	    "this." },
	{ KEY_INT("console.alert_health", console.alert_health, 0, 100),
	  .dflt = "50",
	  .help = "Alert when a node's connectivity health is below this "
	    "(0: never)." },
	{ KEY_INT("console.alert_health_drop", console.alert_health_drop, 0, 100),
	  .dflt = "20",
	  .help = "Alert when a node's connectivity health falls by this many "
	    "points within console.alert_health_window (0: never)." },
	{ KEY_SECONDS("console.alert_health_window", console.alert_health_window,
	    1000, 86400000), .dflt = "300",
	  .help = "The time over which console.alert_health_drop is measured." },
	{ KEY_SECONDS("console.alert_down", console.alert_down, 0, 3600000),
	  .dflt = "5",
	  .help = "Seconds a node may fail to answer before it is an alert." },
	{ KEY_SECONDS("console.alert_stall", console.alert_stall, 0, 604800000),
	  .dflt = "1800",
	  .help = "Alert when a node's height has not moved for this long "
	    "(only nodes with getblockchaininfo; 0: never)." },
	{ KEY_SECONDS("console.alert_hold", console.alert_hold, 0, 604800000),
	  .dflt = "600",
	  .help = "How long a ban or violation alert stays after the last one "
	    "(0: until cleared with c)." },

	{ KEY_ENUM("log.level", log.level, "error|warn|info|debug|trace",
	    config_parse_loglevel), .dflt = "info",
	  .help = "Least severe messages to log." },
	{ KEY_PATH("log.file", log.file),
	  .dflt_doc = "unset: standard error",
	  .help = "File to append log lines to." },
};
#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

_Static_assert(CONFIG_NKEYS <= CONFIG_KEY_MAX, "raise CONFIG_KEY_MAX");

/* Key paths are short; anything longer is unknown anyway. */
#define CONFIG_PATH_MAX		128
/* How much of a bad value an error message quotes. */
#define CONFIG_QUOTE_MAX	48

static const char config_cli_name[] = "command line";

static int
config_parse_network(void *field, const char *v)
{
	const struct chainparams *p;

	if ((p = chainparams_by_name(v)) == NULL)
		return -1;
	*(const struct chainparams **)field = p;
	return 0;
}

static int
config_parse_loglevel(void *field, const char *v)
{
	enum log_level l;

	if (log_level_parse(v, &l) != 0)
		return -1;
	*(enum log_level *)field = l;
	return 0;
}

/* The port is optional and defaults to the network's, which is not known
 * yet: any non-zero default lets the syntax be checked now. */
static int
config_check_hostport(const char *v)
{
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	return netaddr_split_hostport(v, 1, host, &port);
}

/* A DNS seed is a name to look up: no port, and not a numeric address. */
static int
config_check_hostname(const char *v)
{
	char host[NETADDR_HOSTLEN];
	struct netaddr a;
	uint16_t port = 0;

	if (netaddr_split_hostport(v, 0, host, &port) != 0 || port != 0)
		return -1;
	if (netaddr_parse(host, 1, &a) == 0 || strcmp(host, v) != 0)
		return -1;
	return 0;
}

/* The port is optional here too: finalize fills in the network's. */
static int
config_check_addrport(const char *v)
{
	struct netaddr a;

	return netaddr_parse(v, 1, &a);
}

/* A numeric address with its port: there is no default to fall back on. */
static int
config_check_addr_port(const char *v)
{
	struct netaddr a;

	return netaddr_parse(v, 0, &a) == 0 && a.port != 0 ? 0 : -1;
}

/* What an identity proof can carry (idproof.h); empty is "unset". */
static int
config_check_reward(const char *v)
{
	return idproof_reward_valid(v, strlen(v)) ? 0 : -1;
}

static int
config_check_resolver(const char *v)
{
	struct netaddr a;

	return netaddr_parse(v, 53, &a);
}

static int
config_check_proxy(const char *v)
{
	struct netaddr a;

	return socks5_parse_proxy(v, &a);
}

/* RFC 1929: one length byte, and no empty field. */
static int
config_check_credential(const char *v)
{
	size_t n = strlen(v);

	return n >= 1 && n <= SOCKS5_MAX_FIELD ? 0 : -1;
}

/* The index of V in the NULL-terminated NAMES (any case), or -1. */
static int
config_pick(const char *const *names, const char *v)
{
	for (int i = 0; names[i] != NULL; i++) {
		if (strcasecmp(names[i], v) == 0)
			return i;
	}
	return -1;
}

/* In the order of agentconsole's views (its unit test checks). */
static int
config_parse_view(void *field, const char *v)
{
	static const char *const views[] = { "overview", "peers", "geo",
	    "latency", "network", "bans", "log", "chain", NULL };
	int i = config_pick(views, v);

	if (i < 0 && v[0] >= '1' && v[0] <= '8' && v[1] == '\0')
		i = v[0] - '1';
	if (i < 0)
		return -1;
	*(int *)field = i;
	return 0;
}

/* Store V's index in NAMES (an enum's order) as an int. */
static int
config_set_choice(void *field, const char *v, const char *const *names)
{
	int i = config_pick(names, v);

	if (i < 0)
		return -1;
	*(int *)field = i;
	return 0;
}

static int
config_parse_theme(void *field, const char *v)
{
	static const char *const themes[] = { "dark", "light", "mono", NULL };

	return config_set_choice(field, v, themes);
}

static int
config_parse_transport(void *field, const char *v)
{
	/* enum conn_transport's order. */
	static const char *const names[] = { "v1", "v2", "v2-only", NULL };

	return config_set_choice(field, v, names);
}

static int
config_explain_node(const char *v, char *why, size_t whylen)
{
	struct config_node n;

	if (config_node_parse(v, &n, why, whylen) != 0)
		return -1;
	config_node_free(&n);
	return 0;
}

static void *
config_field(struct config *c, const struct config_key *k)
{
	return (char *)c + k->offset;
}

static int
config_find(const char *name)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* Is PATH a section, that is, a proper prefix of some key up to a dot? */
static bool
config_is_section(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		if (strncmp(config_keys[i].name, path, n) == 0 &&
		    config_keys[i].name[n] == '.')
			return true;
	}
	return false;
}

void
config_strlist_free(struct config_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
config_strlist_add(struct config_strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

/* A bad value, made safe and short for an error message. */
static const char *
config_quote(const char *v, size_t len, char *buf, size_t buflen)
{
	size_t n = len < CONFIG_QUOTE_MAX ? len : CONFIG_QUOTE_MAX;
	size_t o;

	str_sanitize(v, n, buf, buflen);
	if (n < len && (o = strlen(buf)) + 4 <= buflen)
		memcpy(buf + o, "...", 4);
	return buf;
}

/* What a key's value must look like, for "expected X, got Y". */
static const char *
config_expect(const struct config_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case CONFIG_INT:
		return "an integer";
	case CONFIG_SECONDS:
		return "a number of seconds";
	case CONFIG_BOOL:
		return "true or false";
	case CONFIG_ENUM:
		snprintf(buf, len, "one of %s", k->choices);
		return buf;
	case CONFIG_STRING:
	case CONFIG_PATH:
		return k->what != NULL ? k->what : "a string";
	case CONFIG_LIST:
		return "a list";
	}
	return "?";
}

/* Decimal only: YAML 1.1 would read 010 as octal and 0x10 as hex, and a
 * silent change of base is worse than an error. */
static int
config_parse_int(const struct config_key *k, const char *v, int *out,
    char *why, size_t whylen)
{
	char q[CONFIG_QUOTE_MAX * 4 + 4];
	const char *p = v;
	long long n = 0;
	bool big = false;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0')) {
		snprintf(why, whylen, "expected an integer, got '%s'",
		    config_quote(v, strlen(v), q, sizeof q));
		return -1;
	}
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(why, whylen, "expected an integer, got '%s'",
			    config_quote(v, strlen(v), q, sizeof q));
			return -1;
		}
		if (n > (LLONG_MAX - 9) / 10)
			big = true;
		else
			n = n * 10 + (*p - '0');
	}
	if (v[0] == '-')
		n = -n;
	if (big || n < k->min || n > k->max) {
		snprintf(why, whylen, "%lld..%lld, got %s", k->min, k->max,
		    config_quote(v, strlen(v), q, sizeof q));
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* MS milliseconds as seconds, without trailing zeros: "0.25", "3600". */
static const char *
config_ms_str(long long ms, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%lld.%03lld", ms / 1000, ms % 1000);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

/* Seconds with at most three decimals ("5", "0.25", "1.5"), decimal only
 * like the integers, stored in milliseconds. */
static int
config_parse_seconds(const struct config_key *k, const char *v, int *out,
    char *why, size_t whylen)
{
	char q[CONFIG_QUOTE_MAX * 4 + 4], lo[32], hi[32];
	const char *p = v;
	long long ms = 0;
	int decimals = -1;
	bool big = false;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0' && p[1] != '.'))
		goto bad;
	for (; *p != '\0'; p++) {
		if (*p == '.' && decimals < 0 && p[1] != '\0') {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || decimals == 3)
			goto bad;
		if (ms > LLONG_MAX / 10000)
			big = true;
		else
			ms = ms * 10 + (*p - '0');
		if (decimals >= 0)
			decimals++;
	}
	for (int d = decimals < 0 ? 0 : decimals; d < 3; d++)
		ms *= 10;
	if (big || ms < k->min || ms > k->max) {
		snprintf(why, whylen, "%s..%s seconds, got %s",
		    config_ms_str(k->min, lo, sizeof lo),
		    config_ms_str(k->max, hi, sizeof hi),
		    config_quote(v, strlen(v), q, sizeof q));
		return -1;
	}
	*out = (int)ms;
	return 0;
bad:
	snprintf(why, whylen, "expected a number of seconds (at most 3 "
	    "decimals), got '%s'", config_quote(v, strlen(v), q, sizeof q));
	return -1;
}

/* Check one string value or list item against K. */
static int
config_check_value(const struct config_key *k, const char *v, char *why,
    size_t whylen)
{
	char q[CONFIG_QUOTE_MAX * 4 + 4];
	size_t len = strlen(v);

	if (len > CONFIG_VALUE_MAX) {
		snprintf(why, whylen, "value too long (%zu bytes, limit %d)",
		    len, CONFIG_VALUE_MAX);
		return -1;
	}
	if (len == 0 || (k->check != NULL && k->check(v) != 0)) {
		snprintf(why, whylen, "expected %s, got '%s'",
		    k->what != NULL ? k->what : "a string",
		    config_quote(v, len, q, sizeof q));
		return -1;
	}
	if (k->explain != NULL && k->explain(v, why, whylen) != 0)
		return -1;
	return 0;
}

/* Store V, a scalar, into K's field.  Lists are handled by the callers. */
static int
config_apply(struct config *c, const struct config_key *k, const char *v,
    char *why, size_t whylen)
{
	char q[CONFIG_QUOTE_MAX * 4 + 4], e[64];
	void *f = config_field(c, k);
	char **sp;

	switch (k->type) {
	case CONFIG_INT:
		return config_parse_int(k, v, f, why, whylen);
	case CONFIG_SECONDS:
		return config_parse_seconds(k, v, f, why, whylen);
	case CONFIG_BOOL:
		/* Only the YAML 1.2 spellings; yes/no/on/off are refused
		 * rather than guessed at. */
		if (strcmp(v, "true") == 0)
			*(bool *)f = true;
		else if (strcmp(v, "false") == 0)
			*(bool *)f = false;
		else
			break;
		return 0;
	case CONFIG_ENUM:
		if (k->parse(f, v) != 0)
			break;
		return 0;
	case CONFIG_STRING:
	case CONFIG_PATH:
		if (config_check_value(k, v, why, whylen) != 0)
			return -1;
		sp = f;
		free(*sp);
		*sp = xstrdup(v);
		return 0;
	case CONFIG_LIST:
		snprintf(why, whylen, "expected a list");
		return -1;
	}
	snprintf(why, whylen, "expected %s, got '%s'",
	    config_expect(k, e, sizeof e), config_quote(v, strlen(v), q, sizeof q));
	return -1;
}

/* Put key I back to its default and forget where it was set. */
static void
config_reset(struct config *c, size_t i)
{
	const struct config_key *k = &config_keys[i];
	void *f = config_field(c, k);
	char why[256];

	switch (k->type) {
	case CONFIG_INT:
	case CONFIG_SECONDS:
		*(int *)f = 0;
		break;
	case CONFIG_BOOL:
		*(bool *)f = false;
		break;
	case CONFIG_ENUM:
		break;
	case CONFIG_STRING:
	case CONFIG_PATH:
		free(*(char **)f);
		*(char **)f = NULL;
		break;
	case CONFIG_LIST:
		config_strlist_free(f);
		break;
	}
	if (k->dflt != NULL && (k->type == CONFIG_LIST ||
	    config_apply(c, k, k->dflt, why, sizeof why) != 0)) {
		/* A broken table, not bad input. */
		fprintf(stderr, "fatal: config: bad default for %s\n", k->name);
		abort();
	}
	c->origin[i].name = NULL;
	c->origin[i].line = 0;
}

void
config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];

		/* Integer fields are int: a wider range is a broken table. */
		if ((k->type == CONFIG_INT || k->type == CONFIG_SECONDS) &&
		    (k->min < INT_MIN ||
		    k->max > INT_MAX || k->min > k->max)) {
			fprintf(stderr, "fatal: config: bad range for %s\n",
			    k->name);
			abort();
		}
		config_reset(c, i);
	}
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->type == CONFIG_STRING || k->type == CONFIG_PATH)
			free(*(char **)config_field(c, k));
		else if (k->type == CONFIG_LIST)
			config_strlist_free(config_field(c, k));
	}
	config_strlist_free(&c->sources);
	memset(c, 0, sizeof *c);
}

bool
config_isset(const struct config *c, const char *key)
{
	int i;

	if (key == NULL || (i = config_find(key)) < 0)
		return false;
	return c->origin[i].name != NULL;
}

/* --- loading YAML ----------------------------------------------------- */

struct config_load {
	yaml_parser_t		 parser;
	struct config		*c;
	const char		*name;		/* owned by c->sources */
	const char		*text;
	size_t			 len;
	char			*err;
	size_t			 errlen;
	/* Duplicates: a leaf key can only sit at one place in the tree, so
	 * one flag per key per load is the same as one per map. */
	bool			 seen[CONFIG_KEY_MAX];
	struct config_strlist	 sections;
};

static int __attribute__((format(printf, 3, 4)))
load_error(struct config_load *l, size_t line0, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->err == NULL || l->errlen == 0)
		return -1;
	n = snprintf(l->err, l->errlen, "%s:%zu: ", l->name, line0 + 1);
	if (n < 0 || (size_t)n >= l->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
load_syntax_error(struct config_load *l)
{
	yaml_parser_t *p = &l->parser;
	const char *problem = p->problem != NULL ? p->problem : "unknown error";
	size_t line0 = 0;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return load_error(l, p->mark.line, "out of memory");
	case YAML_READER_ERROR:
		/* The reader reports a byte offset, not a mark. */
		for (size_t i = 0; i < p->problem_offset && i < l->len; i++) {
			if (l->text[i] == '\n')
				line0++;
		}
		if (p->problem_value != -1)
			return load_error(l, line0, "%s (byte 0x%02x)", problem,
			    (unsigned)p->problem_value & 0xff);
		return load_error(l, line0, "%s", problem);
	default:
		break;
	}
	if (p->context != NULL)
		return load_error(l, p->problem_mark.line,
		    "syntax error: %s (%s at line %zu)", problem, p->context,
		    p->context_mark.line + 1);
	return load_error(l, p->problem_mark.line, "syntax error: %s", problem);
}

/* The next event.  Anchors, aliases and tags are refused wherever they
 * appear: the schema needs none of them. */
static int
load_next(struct config_load *l, yaml_event_t *ev)
{
	yaml_char_t *anchor = NULL, *tag = NULL;

	if (!yaml_parser_parse(&l->parser, ev))
		return load_syntax_error(l);
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		anchor = ev->data.alias.anchor;
		break;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		break;
	}
	if (anchor != NULL || tag != NULL) {
		load_error(l, ev->start_mark.line, "%s are not supported",
		    anchor != NULL ? "anchors and aliases" : "tags");
		yaml_event_delete(ev);
		return -1;
	}
	return 0;
}

static bool
load_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return *v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static const char *
load_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return "a map";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	default:
		return "a scalar";
	}
}

/* A scalar's text as a C string, or NULL (with the error set) when it
 * holds a NUL byte or is too long. */
static const char *
load_scalar(struct config_load *l, const yaml_event_t *ev, const char *key)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (memchr(v, '\0', n) != NULL) {
		load_error(l, ev->start_mark.line, "%s: value contains a NUL "
		    "byte", key);
		return NULL;
	}
	if (n > CONFIG_VALUE_MAX) {
		load_error(l, ev->start_mark.line, "%s: value too long (%zu "
		    "bytes, limit %d)", key, n, CONFIG_VALUE_MAX);
		return NULL;
	}
	return v;
}

static void
load_mark(struct config_load *l, size_t i, size_t line0)
{
	l->c->origin[i].name = l->name;
	l->c->origin[i].line = line0 + 1;
}

/* A list value: built aside and swapped in whole, so that a bad item
 * leaves the previous list as it was. */
static int
load_list(struct config_load *l, size_t i, size_t line0)
{
	const struct config_key *k = &config_keys[i];
	struct config_strlist tmp = { NULL, 0 };
	yaml_event_t ev;
	const char *v;
	char why[256];

	for (;;) {
		if (load_next(l, &ev) != 0)
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (ev.type != YAML_SCALAR_EVENT) {
			load_error(l, ev.start_mark.line, "%s: expected %s in "
			    "the list, got %s", k->name, k->what, load_kind(&ev));
			goto fail_event;
		}
		if (tmp.n >= CONFIG_LIST_MAX) {
			load_error(l, ev.start_mark.line, "%s: more than %d "
			    "items", k->name, CONFIG_LIST_MAX);
			goto fail_event;
		}
		if ((v = load_scalar(l, &ev, k->name)) == NULL)
			goto fail_event;
		if (config_check_value(k, v, why, sizeof why) != 0) {
			load_error(l, ev.start_mark.line, "%s: %s", k->name, why);
			goto fail_event;
		}
		config_strlist_add(&tmp, v);
		yaml_event_delete(&ev);
	}
	yaml_event_delete(&ev);
	config_strlist_free(config_field(l->c, k));
	*(struct config_strlist *)config_field(l->c, k) = tmp;
	load_mark(l, i, line0);
	return 0;

fail_event:
	yaml_event_delete(&ev);
fail:
	config_strlist_free(&tmp);
	return -1;
}

/* The value of key I, whose name was on line LINE0 (0-based). */
static int
load_value(struct config_load *l, size_t i)
{
	const struct config_key *k = &config_keys[i];
	yaml_event_t ev;
	const char *v;
	char why[256], e[64];
	int rc = -1;

	if (load_next(l, &ev) != 0)
		return -1;
	switch (ev.type) {
	case YAML_SCALAR_EVENT:
		if (load_is_null(&ev)) {
			/* "key:" or "key: ~" means the default, which lets a
			 * template list every key without choosing values. */
			config_reset(l->c, i);
			rc = 0;
		} else if (k->type == CONFIG_LIST) {
			load_error(l, ev.start_mark.line, "%s: expected a list, "
			    "got a scalar", k->name);
		} else if ((v = load_scalar(l, &ev, k->name)) == NULL) {
			/* error set */
		} else if (config_apply(l->c, k, v, why, sizeof why) != 0) {
			load_error(l, ev.start_mark.line, "%s: %s", k->name, why);
		} else {
			load_mark(l, i, ev.start_mark.line);
			rc = 0;
		}
		break;
	case YAML_SEQUENCE_START_EVENT:
		if (k->type == CONFIG_LIST)
			rc = load_list(l, i, ev.start_mark.line);
		else
			load_error(l, ev.start_mark.line, "%s: expected %s, got "
			    "a list", k->name, config_expect(k, e, sizeof e));
		break;
	default:
		load_error(l, ev.start_mark.line, "%s: expected %s, got a map",
		    k->name, config_expect(k, e, sizeof e));
		break;
	}
	yaml_event_delete(&ev);
	return rc;
}

static int	load_map(struct config_load *, const char *);

/* The value of a section key: a map of its keys, or nothing at all (a
 * section whose keys are all commented out). */
static int
load_section(struct config_load *l, const char *path)
{
	yaml_event_t ev;
	int rc = -1;

	if (load_next(l, &ev) != 0)
		return -1;
	if (ev.type == YAML_MAPPING_START_EVENT)
		rc = load_map(l, path);
	else if (ev.type == YAML_SCALAR_EVENT && load_is_null(&ev))
		rc = 0;
	else
		load_error(l, ev.start_mark.line, "%s: expected a map, got %s",
		    path, load_kind(&ev));
	yaml_event_delete(&ev);
	return rc;
}

/* The keys of the map at PATH ("" for the top level), whose start event
 * has been consumed, up to and including its end. */
static int
load_map(struct config_load *l, const char *prefix)
{
	char path[CONFIG_PATH_MAX], q[CONFIG_QUOTE_MAX * 4 + 4];
	yaml_event_t ev;
	const char *key;
	size_t klen, plen = strlen(prefix), line0;
	bool valid;
	int i, rc;

	for (;;) {
		if (load_next(l, &ev) != 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		line0 = ev.start_mark.line;
		if (ev.type != YAML_SCALAR_EVENT) {
			load_error(l, line0, "%s%sexpected a key, got %s",
			    prefix, plen > 0 ? ": " : "", load_kind(&ev));
			yaml_event_delete(&ev);
			return -1;
		}
		key = (const char *)ev.data.scalar.value;
		klen = ev.data.scalar.length;
		/* Dotted keys ("network.p2p_port:" at the top) are not a
		 * second spelling of the nested form: one way to say it. */
		valid = klen > 0 && plen + 1 + klen < sizeof path &&
		    memchr(key, '\0', klen) == NULL && memchr(key, '.', klen) == NULL;
		i = -1;
		if (valid) {
			snprintf(path, sizeof path, "%s%s%s", prefix,
			    plen > 0 ? "." : "", key);
			i = config_find(path);
		}
		if (!valid && klen > 0 && plen == 0 && klen < sizeof path &&
		    memchr(key, '\0', klen) == NULL && config_find(key) >= 0) {
			load_error(l, line0, "'%s': write the key as nested "
			    "maps, not dotted", key);
			yaml_event_delete(&ev);
			return -1;
		}
		if (!valid || (i < 0 && !config_is_section(path))) {
			load_error(l, line0, "unknown key '%s%s%s'", prefix,
			    plen > 0 ? "." : "", config_quote(key, klen, q, sizeof q));
			yaml_event_delete(&ev);
			return -1;
		}
		yaml_event_delete(&ev);

		if (i >= 0) {
			if (l->seen[i])
				return load_error(l, line0, "duplicate key '%s'",
				    path);
			l->seen[i] = true;
			rc = load_value(l, (size_t)i);
		} else {
			for (size_t j = 0; j < l->sections.n; j++) {
				if (strcmp(l->sections.v[j], path) == 0)
					return load_error(l, line0,
					    "duplicate key '%s'", path);
			}
			config_strlist_add(&l->sections, path);
			rc = load_section(l, path);
		}
		if (rc != 0)
			return -1;
	}
}

static int
load_stream(struct config_load *l)
{
	yaml_event_t ev;
	int rc = -1;

	if (load_next(l, &ev) != 0)		/* stream start */
		return -1;
	yaml_event_delete(&ev);
	if (load_next(l, &ev) != 0)
		return -1;
	if (ev.type == YAML_STREAM_END_EVENT) {	/* empty, or comments only */
		yaml_event_delete(&ev);
		return 0;
	}
	yaml_event_delete(&ev);			/* document start */

	if (load_next(l, &ev) != 0)
		return -1;
	if (ev.type == YAML_MAPPING_START_EVENT)
		rc = load_map(l, "");
	else if (ev.type == YAML_SCALAR_EVENT && load_is_null(&ev))
		rc = 0;
	else
		load_error(l, ev.start_mark.line, "expected a map of sections "
		    "at the top level, got %s", load_kind(&ev));
	yaml_event_delete(&ev);
	if (rc != 0)
		return -1;

	if (load_next(l, &ev) != 0)		/* document end */
		return -1;
	yaml_event_delete(&ev);
	if (load_next(l, &ev) != 0)
		return -1;
	if (ev.type != YAML_STREAM_END_EVENT) {
		load_error(l, ev.start_mark.line, "only one YAML document is "
		    "allowed");
		yaml_event_delete(&ev);
		return -1;
	}
	yaml_event_delete(&ev);
	return 0;
}

int
config_load_string(struct config *c, const char *text, size_t len,
    const char *name, char *err, size_t errlen)
{
	struct config_load l;
	int rc;

	if (name == NULL)
		name = "<string>";
	if (len > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: too large (%zu bytes, limit %d)",
		    name, len, CONFIG_FILE_MAX);
		return -1;
	}
	memset(&l, 0, sizeof l);
	config_strlist_add(&c->sources, name);
	l.c = c;
	l.name = c->sources.v[c->sources.n - 1];
	l.text = text != NULL ? text : "";
	l.len = text != NULL ? len : 0;
	l.err = err;
	l.errlen = errlen;
	if (!yaml_parser_initialize(&l.parser)) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)l.text,
	    l.len);
	rc = load_stream(&l);
	yaml_parser_delete(&l.parser);
	config_strlist_free(&l.sections);
	return rc;
}

int
config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Refuse a big regular file before reading it; the read loop below
	 * still bounds pipes and files that grow. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: file too large (%lld bytes, limit %d)",
		    path, (long long)st.st_size, CONFIG_FILE_MAX);
		close(fd);
		return -1;
	}
	buf = xmalloc(CONFIG_FILE_MAX + 1);
	while (len <= CONFIG_FILE_MAX) {
		n = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: file too large (over %d bytes)", path,
		    CONFIG_FILE_MAX);
		free(buf);
		return -1;
	}
	rc = config_load_string(c, buf, len, path, err, errlen);
	free(buf);
	return rc;
}

int
config_set(struct config *c, const char *key, const char *value, char *err,
    size_t errlen)
{
	const struct config_key *k;
	struct config_strlist *l;
	char q[CONFIG_QUOTE_MAX * 4 + 4], why[256];
	int i;

	if (key == NULL || value == NULL) {
		snprintf(err, errlen, "%s: missing key or value",
		    config_cli_name);
		return -1;
	}
	if ((i = config_find(key)) < 0) {
		snprintf(err, errlen, "%s: unknown key '%s'", config_cli_name,
		    config_quote(key, strlen(key), q, sizeof q));
		return -1;
	}
	k = &config_keys[i];

	if (k->type == CONFIG_LIST) {
		/* "[]" is the empty list, as in a file. */
		if (strcmp(value, "[]") == 0)
			value = "";
		if (*value != '\0' &&
		    config_check_value(k, value, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s: %s: %s", config_cli_name,
			    k->name, why);
			return -1;
		}
		l = config_field(c, k);
		/* The first override replaces the files' list; later ones
		 * add to it.  An empty value always empties it. */
		if (c->origin[i].name != config_cli_name || *value == '\0')
			config_strlist_free(l);
		if (*value != '\0') {
			if (l->n >= CONFIG_LIST_MAX) {
				snprintf(err, errlen, "%s: %s: more than %d "
				    "items", config_cli_name, k->name,
				    CONFIG_LIST_MAX);
				return -1;
			}
			config_strlist_add(l, value);
		}
	} else if (*value == '\0' &&
	    (k->type == CONFIG_STRING || k->type == CONFIG_PATH)) {
		config_reset(c, (size_t)i);
		return 0;
	} else if (config_apply(c, k, value, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: %s: %s", config_cli_name, k->name,
		    why);
		return -1;
	}
	c->origin[i].name = config_cli_name;
	c->origin[i].line = 0;
	return 0;
}

/* --- finalize ----------------------------------------------------------- */

/* "file:line: " or "command line: " for key I, or "" for a default. */
static const char *
config_where(const struct config *c, int i, char *buf, size_t len)
{
	const struct config_origin *o = &c->origin[i];

	if (o->name == NULL)
		snprintf(buf, len, "%s", "");
	else if (o->line == 0)
		snprintf(buf, len, "%s: ", o->name);
	else
		snprintf(buf, len, "%s:%lu: ", o->name, o->line);
	return buf;
}

const char *
config_where_key(const struct config *c, const char *key, char *buf, size_t len)
{
	int i = key != NULL ? config_find(key) : -1;

	if (i < 0) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	return config_where(c, i, buf, len);
}

/* Write a numeric endpoint as "1.2.3.4:9001" or "[::1]:9001", with
 * DEFAULT_PORT if it had none, so users of the struct never guess ports. */
static void
config_norm_addr(char **sp, uint16_t default_port)
{
	char buf[NETADDR_STRLEN];
	struct netaddr a;

	if (*sp == NULL || netaddr_parse(*sp, default_port, &a) != 0)
		return;
	netaddr_format(&a, buf, sizeof buf);
	free(*sp);
	*sp = xstrdup(buf);
}

/* The same for "host[:port]", which may be a name. */
static void
config_norm_hostport(char **sp, uint16_t default_port)
{
	char host[NETADDR_HOSTLEN];
	uint16_t port;

	if (netaddr_split_hostport(*sp, default_port, host, &port) != 0)
		return;
	free(*sp);
	if (strchr(host, ':') != NULL)
		*sp = xasprintf("[%s]:%u", host, (unsigned)port);
	else
		*sp = xasprintf("%s:%u", host, (unsigned)port);
}

static void
config_default_list(struct config_strlist *l, const char *const *v)
{
	for (; *v != NULL; v++)
		config_strlist_add(l, *v);
}

static int
config_expand_home(struct config *c, size_t i, char *err, size_t errlen)
{
	const struct config_key *k = &config_keys[i];
	char **sp = config_field(c, k), where[CONFIG_PATH_MAX + 256];
	const char *home = getenv("HOME");
	char *p;

	if (*sp == NULL || !((*sp)[0] == '~' && ((*sp)[1] == '/' ||
	    (*sp)[1] == '\0')))
		return 0;
	if (home == NULL || *home == '\0') {
		snprintf(err, errlen, "%s%s: cannot expand '~' without HOME",
		    config_where(c, (int)i, where, sizeof where), k->name);
		return -1;
	}
	p = xasprintf("%s%s", home, *sp + 1);
	free(*sp);
	*sp = p;
	return 0;
}

int
config_finalize(struct config *c, char *err, size_t errlen)
{
	const struct chainparams *p = c->params;
	const char *home = getenv("HOME");
	char where[CONFIG_PATH_MAX + 256];
	int a, b;

	if (!config_isset(c, "network.p2p_port"))
		c->network.p2p_port = p->p2p_port;
	if (!config_isset(c, "network.rpc_port"))
		c->network.rpc_port = p->rpc_port;
	if (!config_isset(c, "network.seeds"))
		config_default_list(&c->network.seeds, p->seeds);
	if (!config_isset(c, "network.dns_seeds"))
		config_default_list(&c->network.dns_seeds, p->dns_seeds);
	if (c->node.datadir == NULL) {
		if (home != NULL && *home != '\0')
			c->node.datadir = xasprintf("%s/.agentchain/%s", home,
			    p->name);
		else
			c->node.datadir = xasprintf("./.agentchain/%s", p->name);
	}
	if (!config_isset(c, "node.listen")) {
		char *s;

		s = xasprintf("0.0.0.0:%d", c->network.p2p_port);
		config_strlist_add(&c->node.listen, s);
		free(s);
		s = xasprintf("[::]:%d", c->network.p2p_port);
		config_strlist_add(&c->node.listen, s);
		free(s);
	}
	if (c->node.rpc_listen == NULL)
		c->node.rpc_listen = xasprintf("127.0.0.1:%d",
		    c->network.rpc_port);
	/* Like every list, seeder.listen holds its default only when unset:
	 * [] is an empty list. */
	if (!config_isset(c, "seeder.listen") && c->seeder.listen.n == 0) {
		config_strlist_add(&c->seeder.listen, "0.0.0.0:53");
		config_strlist_add(&c->seeder.listen, "[::]:53");
	}
	if (!config_isset(c, "node.natpmp"))
		c->node.natpmp = p->id == NET_MAINNET;	/* as Bitcoin Core v30 */

	for (size_t i = 0; i < c->network.seeds.n; i++)
		config_norm_hostport(&c->network.seeds.v[i],
		    (uint16_t)c->network.p2p_port);
	for (size_t i = 0; i < c->node.listen.n; i++)
		config_norm_addr(&c->node.listen.v[i],
		    (uint16_t)c->network.p2p_port);
	config_norm_addr(&c->node.rpc_listen, (uint16_t)c->network.rpc_port);
	config_norm_addr(&c->node.metrics_listen, 0);
	config_norm_addr(&c->node.dns_server, 53);
	if (c->network.proxy != NULL) {
		struct netaddr pa;
		char buf[NETADDR_STRLEN];

		/* "localhost" and a missing port become the address used. */
		if (socks5_parse_proxy(c->network.proxy, &pa) == 0) {
			free(c->network.proxy);
			c->network.proxy = xstrdup(netaddr_format(&pa, buf, sizeof buf));
		}
	}

	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		if (config_keys[i].type == CONFIG_PATH &&
		    config_expand_home(c, i, err, errlen) != 0)
			return -1;
	}

	/* Blame the key the user set: the later one if both were. */
	if (c->network.min_peers > c->network.max_peers) {
		a = config_find("network.min_peers");
		b = config_find("network.max_peers");
		snprintf(err, errlen, "%snetwork.min_peers: %d is more than "
		    "network.max_peers (%d)", config_where(c,
		    c->origin[a].name != NULL ? a : b, where, sizeof where),
		    c->network.min_peers, c->network.max_peers);
		return -1;
	}
	if ((c->network.proxy_user == NULL) != (c->network.proxy_password == NULL)) {
		a = config_find(c->network.proxy_user != NULL ? "network.proxy_user" :
		    "network.proxy_password");
		snprintf(err, errlen, "%s%s: set without %s", config_where(c, a, where,
		    sizeof where), config_keys[a].name, c->network.proxy_user != NULL ?
		    "network.proxy_password" : "network.proxy_user");
		return -1;
	}
	if (c->network.proxy_user != NULL && c->network.proxy == NULL) {
		a = config_find("network.proxy_user");
		snprintf(err, errlen, "%snetwork.proxy_user: set without network.proxy",
		    config_where(c, a, where, sizeof where));
		return -1;
	}
	if (c->node.inactivity_timeout <= c->node.ping_interval) {
		a = config_find("node.inactivity_timeout");
		b = config_find("node.ping_interval");
		snprintf(err, errlen, "%snode.inactivity_timeout: %d is not "
		    "more than node.ping_interval (%d)", config_where(c,
		    c->origin[a].name != NULL ? a : b, where, sizeof where),
		    c->node.inactivity_timeout, c->node.ping_interval);
		return -1;
	}
	return 0;
}

/* --- documentation ------------------------------------------------------ */

static const char *
config_type_doc(const struct config_key *k, char *buf, size_t len)
{
	char lo[32], hi[32];

	switch (k->type) {
	case CONFIG_INT:
		snprintf(buf, len, "integer %lld..%lld", k->min, k->max);
		break;
	case CONFIG_SECONDS:
		snprintf(buf, len, "seconds %s..%s",
		    config_ms_str(k->min, lo, sizeof lo),
		    config_ms_str(k->max, hi, sizeof hi));
		break;
	case CONFIG_BOOL:
		snprintf(buf, len, "true or false");
		break;
	case CONFIG_ENUM:
		snprintf(buf, len, "one of %s", k->choices);
		break;
	case CONFIG_STRING:
		snprintf(buf, len, "%s", k->what != NULL ? k->what : "string");
		break;
	case CONFIG_PATH:
		snprintf(buf, len, "path");
		break;
	case CONFIG_LIST:
		snprintf(buf, len, "list of %s", k->what);
		break;
	}
	return buf;
}

/* Print TEXT word-wrapped to 76 columns, the first line after FIRST and
 * the others after REST (a Markdown list item and its continuation). */
static void
config_print_wrapped(FILE *fp, const char *first, const char *rest,
    const char *text)
{
	const size_t width = 76;
	size_t col = 0, w;
	const char *p = text;
	bool start = true;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w = strcspn(p, " ");
		if (start) {
			fputs(first, fp);
			col = strlen(first);
			start = false;
		} else if (col + 1 + w > width) {
			fputc('\n', fp);
			fputs(rest, fp);
			col = strlen(rest);
		} else {
			fputc(' ', fp);
			col++;
		}
		fwrite(p, 1, w, fp);
		col += w;
		p += w;
	}
	if (!start)
		fputc('\n', fp);
}

static void
config_print_list(FILE *fp, const char *label, const char *const *v)
{
	fprintf(fp, "  %s:", label);
	if (*v == NULL)
		fprintf(fp, " none");
	for (const char *sep = " "; *v != NULL; v++, sep = ", ")
		fprintf(fp, "%s`%s`", sep, *v);
	fputc('\n', fp);
}

void
config_print_keys(FILE *fp)
{
	char type[96], line[512];
	const struct config_key *k;
	const char *dot, *prev = NULL;
	size_t seclen = 0;

	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		k = &config_keys[i];
		dot = strrchr(k->name, '.');
		if (prev == NULL || (size_t)(dot - k->name) != seclen ||
		    strncmp(prev, k->name, seclen) != 0) {
			seclen = (size_t)(dot - k->name);
			prev = k->name;
			fprintf(fp, "%s## %.*s\n\n", i > 0 ? "\n" : "",
			    (int)seclen, k->name);
		}
		config_type_doc(k, type, sizeof type);
		if (k->dflt != NULL)
			snprintf(line, sizeof line, "`%s`: %s; default `%s`.",
			    k->name, type, k->dflt);
		else
			snprintf(line, sizeof line, "`%s`: %s; default %s.",
			    k->name, type, k->dflt_doc != NULL ? k->dflt_doc :
			    "unset");
		config_print_wrapped(fp, "- ", "  ", line);
		config_print_wrapped(fp, "  ", "  ", k->help);
	}

	fprintf(fp, "\n## Network defaults\n");
	for (int n = 0; n < NET_COUNT; n++) {
		const struct chainparams *p = chainparams_get((enum net_id)n);

		fprintf(fp, "\n- %s: p2p_port `%u`, rpc_port `%u`\n", p->name,
		    (unsigned)p->p2p_port, (unsigned)p->rpc_port);
		config_print_list(fp, "seeds", p->seeds);
		config_print_list(fp, "dns_seeds", p->dns_seeds);
	}
}

/* --- console nodes -------------------------------------------------------- */

/* VALUE with a leading "~/" (or a lone "~") put under $HOME when set. */
static char *
config_node_path(const char *v)
{
	const char *home = getenv("HOME");

	if (home != NULL && *home != '\0' && v[0] == '~' && (v[1] == '/' ||
	    v[1] == '\0'))
		return xasprintf("%s%s", home, v + 1);
	return xstrdup(v);
}

static int
config_node_rpc(struct config_node *n, const char *v, char *why, size_t whylen)
{
	char q[CONFIG_QUOTE_MAX * 4 + 4];
	struct netaddr a;

	if (netaddr_split_hostport(v, 0, n->host, &n->port) != 0 || n->port == 0) {
		str_errf(why, whylen, "want ADDR:PORT, got '%s'",
		    config_quote(v, strlen(v), q, sizeof q));
		return -1;
	}
	if (strcmp(n->host, "localhost") == 0)
		snprintf(n->host, sizeof n->host, "127.0.0.1");
	/* A name would need the blocking resolver; the console never blocks. */
	if (netaddr_parse(n->host, 1, &a) != 0) {
		str_errf(why, whylen, "'%s' is not a numeric address",
		    config_quote(n->host, strlen(n->host), q, sizeof q));
		return -1;
	}
	return 0;
}

int
config_node_parse(const char *item, struct config_node *n, char *why,
    size_t whylen)
{
	char q[CONFIG_QUOTE_MAX * 4 + 4], *copy = xstrdup(item), *word, *save;
	char *eq, *rpc = NULL, **field;
	int rc = -1;

	memset(n, 0, sizeof *n);
	for (word = strtok_r(copy, " \t", &save); word != NULL;
	    word = strtok_r(NULL, " \t", &save)) {
		if ((eq = strchr(word, '=')) == NULL || eq[1] == '\0') {
			str_errf(why, whylen, "'%s' is not FIELD=VALUE",
			    config_quote(word, strlen(word), q, sizeof q));
			goto out;
		}
		*eq = '\0';
		if (strcmp(word, "name") == 0)
			field = &n->name;
		else if (strcmp(word, "rpc") == 0)
			field = &rpc;
		else if (strcmp(word, "cookie") == 0)
			field = &n->cookie;
		else if (strcmp(word, "datadir") == 0)
			field = &n->datadir;
		else {
			str_errf(why, whylen, "unknown field '%s' (name, rpc, "
			    "cookie or datadir)", config_quote(word, strlen(word),
			    q, sizeof q));
			goto out;
		}
		if (*field != NULL) {
			str_errf(why, whylen, "%s= given twice", word);
			goto out;
		}
		*field = field == &n->name || field == &rpc ? xstrdup(eq + 1) :
		    config_node_path(eq + 1);
	}
	if ((rpc == NULL) == (n->datadir == NULL))
		str_errf(why, whylen, "give either rpc=ADDR:PORT or datadir=DIR");
	else if (n->cookie != NULL && n->datadir != NULL)
		str_errf(why, whylen, "cookie= goes with rpc=; a datadir has its "
		    "own cookie");
	else if (rpc == NULL || config_node_rpc(n, rpc, why, whylen) == 0)
		rc = 0;
out:
	free(rpc);
	free(copy);
	if (rc != 0)
		config_node_free(n);
	return rc;
}

void
config_node_free(struct config_node *n)
{
	free(n->name);
	free(n->cookie);
	free(n->datadir);
	memset(n, 0, sizeof *n);
}
