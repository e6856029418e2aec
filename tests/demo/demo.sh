#!/usr/bin/env bash
# demo.sh -- the whole system on loopback: a regtest network of agentnode
# processes placed in real cities by a generated GeoIP database, agentcrawl
# crawling it, agentseeder serving it on 127.0.0.1:5353, and agentconsole.
#
#   demo.sh             interactive: opens the console; quitting it stops all
#   demo.sh --headless [SECONDS]
#                       no console: runs SECONDS (default 60), prints
#                       `agentcrawl stats`, writes NODES.md, asks the seeder
#                       with dig, checks what it sees, exits 0 when all is well
#
# Every process is started here, recorded by PID and stopped on exit; the
# state directory (demo-state/) is left for inspection and wiped by the next
# run.  Environment: NODES (24), BIN (bin), STATE (demo-state).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/bin}
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

say "GeoIP database: loopback addresses placed in six cities on five continents"
perl "$ROOT/tests/tools/mkgeoip.pl" "$STATE/geo.mmdb" < "$ROOT/tests/tools/geoip-demo.tsv" ||
	die "cannot build the GeoIP database"

say "starting $NODES agentnode processes (seed: $(node_ip 0))"
for i in $(seq 0 $((NODES - 1))); do
	args=(--network regtest --datadir "$STATE/node$i" --listen "$(node_ip "$i"):$P2P"
	    --rpc-listen "127.0.0.1:$((RPC0 + i))" --min-peers 4 --max-peers 40
	    --geoip-db "$STATE/geo.mmdb" --log-file "$STATE/node$i.log")
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

say "starting agentcrawl (database $STATE/crawl.db)"
run_bg crawl "$STATE/crawl.log" "$BIN/agentcrawl" crawl --network regtest --db "$STATE/crawl.db" \
    --seed "$(node_ip 0):$P2P" --geoip-db "$STATE/geo.mmdb" --asn-db "$STATE/geo.mmdb"
wait_until 30 "the crawl database" test -s "$STATE/crawl.db"

say "starting agentseeder on $DNS for seed.agentchain.io"
run_bg seeder "$STATE/seeder.log" "$BIN/agentseeder" --db "$STATE/crawl.db" \
    --host seed.agentchain.io --ns ns1.agentchain.io --mbox hostmaster.agentchain.io \
    --listen "$DNS" --network regtest --reload 5

if [ "$HEADLESS" = 0 ]; then
	say "opening agentconsole (q quits and stops everything; state stays in $STATE)"
	"$BIN/agentconsole" --rpc "127.0.0.1:$RPC0" --cookie "$STATE/node0/.cookie" \
	    --rpc "127.0.0.1:$((RPC0 + 1))" --cookie "$STATE/node1/.cookie" \
	    --rpc "127.0.0.1:$((RPC0 + 2))" --cookie "$STATE/node2/.cookie" \
	    --crawl-db "$STATE/crawl.db" --geoip-db "$STATE/geo.mmdb"
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
