#!/usr/bin/env bash
# bench/node.sh -- agentnode on loopback: connections held, resident memory
# per connected peer, handshakes per second, CPU at rest with idle peers.
# Prints one "name value unit (target)" line per measurement.
#
# Environment: BIN (default bin), TOOLS (default build/tests/tools),
# CONNS (5000), IDLE (1000), IDLE_SECONDS (30), HANDSHAKES (20000).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
CONNS=${CONNS:-5000}; IDLE=${IDLE:-1000}; IDLE_SECONDS=${IDLE_SECONDS:-30}
HANDSHAKES=${HANDSHAKES:-20000}
[ -x "$BIN/agentnode" ] && [ -x "$TOOLS/p2pprobe" ] || { echo "build first: make all build/tests/tools/p2pprobe" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
D=$(mktemp -d); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$D"' EXIT
P2P=127.77.0.1:29001; RPC=127.0.0.1:29777

start_node() {
	"$BIN/agentnode" start --network regtest --datadir "$D/node" --listen "$P2P" \
	    --rpc-listen "$RPC" --min-peers 0 --max-peers $((CONNS + 100)) --no-dns-seeds \
	    --set node.max_inbound_per_ip=1000 --log-level warn --log-file "$D/node.log" &
	NODE=$!; PIDS+=("$NODE")
	for _ in $(seq 100); do rpc getnetworkinfo >/dev/null 2>&1 && return; sleep 0.1; done
	echo "node did not start" >&2; exit 1
}
stop_node() { kill "$NODE"; wait "$NODE" 2>/dev/null; }
rpc() { "$BIN/agentnode" rpc --network regtest --datadir "$D/node" --rpc-connect "$RPC" "$@"; }
rss_kb() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
connections() { rpc getnetworkinfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections"])'; }
# hold N: start a holder of N connections, wait for them to be up.
# Each source address holds at most 1000 (node.max_inbound_per_ip's cap).
hold() {
	local left=$1 i=10 n
	HOLDERS=()
	rm -f "$D"/hold.*.out
	while [ "$left" -gt 0 ]; do
		n=$(( left > 1000 ? 1000 : left ))
		"$TOOLS/p2pprobe" -b 127.77.0.$i "$P2P" hold "$n" 100 > "$D/hold.$i.out" 2>&1 &
		HOLDERS+=($!); PIDS+=($!)
		left=$((left - n)); i=$((i + 1))
	done
	for _ in $(seq 900); do
		[ "$(cat "$D"/hold.*.out | grep -c holding)" -ge ${#HOLDERS[@]} ] && break; sleep 0.1
	done
	for _ in $(seq 100); do [ "$(connections)" -ge "$1" ] && return; sleep 0.1; done
}
unhold() { kill "${HOLDERS[@]}" 2>/dev/null; wait "${HOLDERS[@]}" 2>/dev/null; }

echo "# agentnode benchmark on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"; echo
start_node
base_rss=$(rss_kb "$NODE")
hold "$CONNS"
held=$(connections)
sleep 2	# let per-peer buffers settle after the first pings
rss=$(rss_kb "$NODE")
echo "connections_held $held peers (target $CONNS)"
echo "rss_base $base_rss KiB"
echo "rss_with_peers $rss KiB"
awk -v a="$rss" -v b="$base_rss" -v n="$held" 'BEGIN { printf "memory_per_peer %.1f KiB (target < 16)\n", (a-b)/n }'
unhold
stop_node

start_node
hold "$IDLE"
t0=$(cpu_ticks "$NODE"); s0=$(date +%s.%N)
sleep "$IDLE_SECONDS"
t1=$(cpu_ticks "$NODE"); s1=$(date +%s.%N)
hz=$(getconf CLK_TCK)
awk -v t="$((t1 - t0))" -v hz="$hz" -v a="$s0" -v b="$s1" -v n="$(connections)" \
    'BEGIN { printf "cpu_at_rest %.2f %% of one core with %d idle peers over %.0fs\n", 100*t/hz/(b-a), n, b-a }'
unhold

# Handshakes from five source addresses in turn: one address dialling tens
# of thousands of times runs out of ephemeral ports (TIME_WAIT) and would
# measure the kernel, not the node.
per=$((HANDSHAKES / 5)); total=0; failed=0; secs=0
for i in 1 2 3 4 5; do
	set -- $("$TOOLS/p2pprobe" -b 127.77.1.$i "$P2P" handshakes "$per" 256)
	total=$((total + $2)); failed=$((failed + $4)); secs=$(awk -v a="$secs" -v b="$6" 'BEGIN{print a+b}')
done
awk -v n="$total" -v f="$failed" -v s="$secs" \
    'BEGIN { printf "handshakes_per_second %.0f (%d handshakes, %d failed, %.1fs; 256 in flight)\n", n/s, n, f, s }'
stop_node
