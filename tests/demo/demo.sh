#!/usr/bin/env bash
# demo.sh -- the whole system on loopback: a regtest network of agentnode
# processes placed in real cities by a generated GeoIP database, agentcrawl
# crawling it, agentseeder serving it on 127.0.0.1:5353, and agentconsole.
# Every node and the crawler dial through tests/tools/wanproxy, a SOCKS5
# proxy that delays each connection by the round-trip time between its
# ends' cities (tests/tools/wan-matrix.tsv; the crawler sits in Frankfurt),
# so pings, the Latency view and the map show a world-spread network.  A
# block is mined on a random node every 10-20 s and a transaction sent to
# one every 2-5 s, so the console's Chain view (8) shows blocks crossing the
# world: where each was mined and when each city's node first saw it.
#
#   demo.sh             interactive: opens the console; quitting it stops all
#   demo.sh --headless [SECONDS]
#                       no console: runs SECONDS (default 60), prints
#                       `agentcrawl stats`, writes NODES.md, asks the seeder
#                       with dig, checks what it sees (pings between cities
#                       against the matrix, every node on one tip, how the
#                       blocks spread, the console's Chain view), exits 0
#                       when all is well
#
# Every process is started here, recorded by PID and stopped on exit; the
# state directory (demo-state/) is left for inspection and wiped by the next
# run.  Environment: NODES (24), BIN (bin), BUILD (build), STATE (demo-state).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/bin}
BUILD=${BUILD:-build}
WANPROXY=127.0.0.1:28590
PING_INTERVAL=2	# seconds: the latency history fills in a minute
STATE=${STATE:-$ROOT/demo-state}
NODES=${NODES:-24}
HEADLESS=0
SECONDS_TO_RUN=60
if [ "${1:-}" = "--headless" ]; then
	HEADLESS=1
	SECONDS_TO_RUN=${2:-60}
fi
DNS=127.0.0.1:5353
RPC0=28600
P2P=29001

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

# A previous demo that was killed may have left processes: stop them by PID.
if [ -d "$STATE" ]; then
	for f in "$STATE"/pids/*; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$STATE"
fi
mkdir -p "$STATE/pids"

PIDS=()
stop_all() {
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$STATE/pids"
}
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

run_bg() {	# NAME LOGFILE COMMAND...
	local name=$1 logf=$2; shift 2
	"$@" >"$logf" 2>&1 &
	PIDS+=($!)
	echo $! > "$STATE/pids/$name"
}

# wait_until SECONDS WHAT COMMAND...: poll with a deadline.
wait_until() {
	local end=$(( $(date +%s) + $1 )) what=$2; shift 2
	while [ "$(date +%s)" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	die "timed out waiting for $what"
}

node_ip() { echo "127.0.$(( $1 % 6 + 1 )).$(( 10 + $1 / 6 ))"; }
rpc() {
	"$BIN/agentnode" rpc --network regtest --datadir "$STATE/node$1" \
	    --rpc-connect "127.0.0.1:$((RPC0 + $1))" --rpc-timeout 5 "${@:2}"
}
# Node i's city, as tests/tools/geoip-demo.tsv places 127.0.(i % 6 + 1).0/24.
CITIES=(frankfurt newyork tokyo saopaulo sydney johannesburg)

# chain_activity: a block on a random node every 10-20 s (padded to up to
# 50 kB, so bigger blocks take longer), a transaction (60-460 random bytes)
# to a random node every 2-5 s; one log line each.  The sleeps pace the
# demo; nothing waits on them.  TERM ends it at once.
chain_activity() {
	local pause=0 i fill next tx
	trap 'kill "$pause" 2>/dev/null; exit 0' TERM
	while :; do
		i=$((RANDOM % NODES)) fill=$((RANDOM % 50000))
		next=$(( $(date +%s) + 10 + RANDOM % 11 ))
		echo "$(date +%T) block on node$i ($(node_ip "$i")), $fill bytes:" \
		    "$(rpc "$i" generate 1 "$fill" 2>&1 | tr -d ' \n[]"')"
		while [ "$(date +%s)" -lt "$next" ]; do
			i=$((RANDOM % NODES))
			tx=$(head -c $((60 + RANDOM % 400)) /dev/urandom | od -An -tx1 | tr -d ' \n')
			echo "$(date +%T) transaction to node$i: $(rpc "$i" sendrawtransaction "$tx" 2>&1 |
			    tr -d '"')"
			sleep $((2 + RANDOM % 4)) &
			pause=$!
			wait "$pause"
		done
	done
}

say "GeoIP database: loopback addresses placed in six cities on five continents"
perl "$ROOT/tests/tools/mkgeoip.pl" "$STATE/geo.mmdb" < "$ROOT/tests/tools/geoip-demo.tsv" ||
	die "cannot build the GeoIP database"

say "wanproxy on $WANPROXY: the round-trip times of tests/tools/wan-matrix.tsv between the cities"
make -C "$ROOT" --no-print-directory "$BUILD/tests/tools/wanproxy" >/dev/null ||
	die "cannot build $BUILD/tests/tools/wanproxy"
run_bg wanproxy "$STATE/wanproxy.log" "$ROOT/$BUILD/tests/tools/wanproxy" --listen "$WANPROXY" \
    --geoip "$ROOT/tests/tools/geoip-demo.tsv" --matrix "$ROOT/tests/tools/wan-matrix.tsv" \
    --default-city Frankfurt -v
wait_until 10 "wanproxy" grep -q "wanproxy listening" "$STATE/wanproxy.log"

say "starting $NODES agentnode processes (seed: $(node_ip 0))"
for i in $(seq 0 $((NODES - 1))); do
	args=(--network regtest --datadir "$STATE/node$i" --listen "$(node_ip "$i"):$P2P"
	    --rpc-listen "127.0.0.1:$((RPC0 + i))" --min-peers 4 --max-peers 40
	    --geoip-db "$STATE/geo.mmdb" --log-file "$STATE/node$i.log"
	    --proxy "$WANPROXY" --ping-interval "$PING_INTERVAL")
	if [ "$i" = 0 ]; then
		args+=(--seed)
	else
		args+=(--seed-node "$(node_ip 0):$P2P")
	fi
	run_bg "node$i" /dev/null "$BIN/agentnode" start "${args[@]}"
done
wait_until 20 "the seed's RPC" rpc 0 getnetworkinfo
formed() {
	rpc 0 getnetworkstats | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["TotalNodes"] >= '$((NODES - 2))' else 1)'
}
wait_until 60 "the network to form" formed

say "mining a block every 10-20 s and sending transactions (log: $STATE/chain.log)"
run_bg chain "$STATE/chain.log" chain_activity

say "starting agentcrawl (database $STATE/crawl.db)"
run_bg crawl "$STATE/crawl.log" "$BIN/agentcrawl" crawl --network regtest --db "$STATE/crawl.db" \
    --seed "$(node_ip 0):$P2P" --geoip-db "$STATE/geo.mmdb" --asn-db "$STATE/geo.mmdb" \
    --proxy "$WANPROXY"
wait_until 30 "the crawl database" test -s "$STATE/crawl.db"

say "starting agentseeder on $DNS for seed.agentchain.io"
run_bg seeder "$STATE/seeder.log" "$BIN/agentseeder" --db "$STATE/crawl.db" \
    --host seed.agentchain.io --ns ns1.agentchain.io --mbox hostmaster.agentchain.io \
    --listen "$DNS" --network regtest --reload 5

# The console watches one node in each city, named after it.
{
	echo "network:"
	echo "  name: regtest"
	echo "console:"
	echo "  nodes:"
	for i in $(seq 0 $(( (NODES < 6 ? NODES : 6) - 1 ))); do
		echo "    - name=${CITIES[$i]} rpc=127.0.0.1:$((RPC0 + i)) cookie=$STATE/node$i/.cookie"
	done
	echo "  geoip_db: $STATE/geo.mmdb"
	echo "crawler:"
	echo "  db: $STATE/crawl.db"
} > "$STATE/console.yaml"

if [ "$HEADLESS" = 0 ]; then
	say "opening agentconsole on a node in each city (8: the Chain view; q quits and stops everything; state stays in $STATE)"
	"$BIN/agentconsole" --config "$STATE/console.yaml"
	exit 0
fi

say "running headless for ${SECONDS_TO_RUN}s"
good_nodes() {
	"$BIN/agentcrawl" stats --db "$STATE/crawl.db" --json |
	    python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["GoodNodes"] >= 1 else 1)'
}
end=$(( $(date +%s) + SECONDS_TO_RUN ))
wait_until "$SECONDS_TO_RUN" "seedable nodes in the crawl database" good_nodes
while [ "$(date +%s)" -lt "$end" ]; do sleep 1; done

say "pings between cities (agentnode rpc getpeerinfo) against tests/tools/wan-matrix.tsv"
for i in $(seq 0 $((NODES - 1))); do
	rpc "$i" getpeerinfo > "$STATE/peers$i.json" 2>/dev/null || echo '[]' > "$STATE/peers$i.json"
	echo "$(node_ip "$i")" > "$STATE/peers$i.ip"
done
python3 "$ROOT/tests/demo/pingtable.py" "$ROOT/tests/tools/geoip-demo.tsv" \
    "$ROOT/tests/tools/wan-matrix.tsv" "$STATE"/peers*.json | tee "$STATE/pings.txt" ||
	die "pings do not match the matrix (see $STATE/pings.txt)"

say "blocks: mining stopped; every node on one tip, and how the blocks spread"
kill -TERM "$(cat "$STATE/pids/chain")" 2>/dev/null
echo "$(grep -c "block on" "$STATE/chain.log") blocks mined," \
    "$(grep -c "transaction to" "$STATE/chain.log") transactions sent"
tip_of() { rpc "$1" getblockchaininfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["bestblockhash"])'; }
one_tip() {
	local want; want=$(tip_of 0) || return 1
	for i in $(seq 1 $((NODES - 1))); do [ "$(tip_of "$i")" = "$want" ] || return 1; done
}
wait_until 60 "every node on node0's tip" one_tip
for i in $(seq 0 $((NODES - 1))); do
	rpc "$i" getrecentblocks 50 > "$STATE/blocks$i.json" 2>/dev/null || echo '[]' > "$STATE/blocks$i.json"
	echo "$(node_ip "$i")" > "$STATE/blocks$i.ip"
done
python3 "$ROOT/tests/demo/blocktable.py" "$ROOT/tests/tools/geoip-demo.tsv" \
    "$STATE"/blocks*.json | tee "$STATE/blocks.txt" ||
	die "no block reached every node (see $STATE/blocks.txt)"
say "agentconsole --once: the Chain view of the six cities"
LC_ALL=C.UTF-8 "$BIN/agentconsole" --config "$STATE/console.yaml" --once --size 160x45 \
    > "$STATE/console-once.txt" 2>&1 || die "agentconsole --once failed (see $STATE/console-once.txt)"
awk '/node 1\/[0-9]+ frankfurt, view 8 Chain/ { on = 1; next } /^=== / { on = 0 } on' \
    "$STATE/console-once.txt" > "$STATE/chain-view.txt"
head -n 30 "$STATE/chain-view.txt"
grep -Eq "[0-9]+ blocks?  p50 " "$STATE/chain-view.txt" ||
	die "the Chain view shows no propagation (see $STATE/chain-view.txt)"

say "agentcrawl stats"
"$BIN/agentcrawl" stats --db "$STATE/crawl.db" || die "stats failed"
say "NODES.md"
"$BIN/agentcrawl" export --db "$STATE/crawl.db" --format nodes-md -o "$STATE/NODES.md" ||
	die "export failed"
head -n 20 "$STATE/NODES.md"
say "dig @${DNS%:*} -p ${DNS#*:} seed.agentchain.io A"
# The crawler's good set can be briefly empty while young nodes pass from
# the newcomer rule to the reliability windows: ask until it answers.
seeder_answers() {
	answers=$(dig @"${DNS%:*}" -p "${DNS#*:}" seed.agentchain.io A +short +time=2 +tries=2)
	[ -n "$answers" ]
}
wait_until 60 "addresses from the seeder" seeder_answers
echo "$answers"
say "demo ok: state left in $STATE"
