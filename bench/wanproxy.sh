#!/usr/bin/env bash
# bench/wanproxy.sh -- what tests/tools/wanproxy costs and how true its
# delays are: echo round trips direct and through the proxy with no delay
# (one link, and ten links at once), the matrix's Frankfurt-Tokyo against
# its 230 ms, throughput with no cap, agentnode's own ping direct and
# through the proxy, and the demo's ping table between cities (a headless
# demo run).  Prints one "name value unit" line per measurement, then the
# table.
#
# Environment: BIN (bin), TOOLS (build/tests/tools), SAMPLES (2000),
# DEMO_SECONDS (60; 0 skips the demo).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
SAMPLES=${SAMPLES:-2000}; DEMO_SECONDS=${DEMO_SECONDS:-60}
[ -x "$TOOLS/wanproxy" ] && [ -x "$BIN/agentnode" ] ||
	{ echo "build first: make all $TOOLS/wanproxy" >&2; exit 2; }
D=$(mktemp -d); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$D"' EXIT
PROBE="python3 tests/tools/wanprobe.py"
WP=127.0.0.1:28580
A=127.78.1.10; B=127.78.3.10	# Frankfurt and Tokyo below

start_wp() {
	"$TOOLS/wanproxy" --listen $WP "$@" > "$D/wp.log" 2>&1 &
	WPID=$!; PIDS+=("$WPID")
	for _ in $(seq 50); do grep -qs "wanproxy listening" "$D/wp.log" && return; sleep 0.1; done
	echo "wanproxy did not start" >&2; exit 1
}
stop_wp() { kill "$WPID"; wait "$WPID" 2>/dev/null; }
get() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$1'])" "$2"; }

echo "# wanproxy benchmark on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo

# 1. Echo round trips of 64 bytes, one link.
direct=$($PROBE rtt --src $A --dst $B -n "$SAMPLES")
start_wp --delay 0
proxied=$($PROBE rtt --proxy $WP --src $A --dst $B -n "$SAMPLES")
echo "rtt_direct_p50 $(get p50 "$direct") ms (p99 $(get p99 "$direct"))"
echo "rtt_proxy0_p50 $(get p50 "$proxied") ms (p99 $(get p99 "$proxied"); --delay 0, one link)"
python3 -c "import json,sys; d,p=(json.loads(a) for a in sys.argv[1:]); \
print('proxy_overhead_p50 %.3f ms (p99 %.3f; target < 1)' % (p['p50']-d['p50'], p['p99']-d['p99']))" \
	"$direct" "$proxied"

# 2. Ten links at once, each its own process (the clients share the two
# cores with the proxy): direct, then through the proxy.
par() {	# NAME PROBE-ARGS...: ten echo loops at once; one line
	local name=$1 pids=() i; shift
	for i in $(seq 10); do
		$PROBE rtt "$@" --src 127.78.1.$((10 + i)) --dst $B -n "$((SAMPLES / 4))" > "$D/par.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	python3 - "$name" "$D"/par.* <<'PY'
import json, sys
r = [json.load(open(f)) for f in sys.argv[2:]]
print("%s %.3f ms (median of the links' p50; worst link p99 %.3f)" % (sys.argv[1],
    sorted(x["p50"] for x in r)[len(r) // 2], max(x["p99"] for x in r)))
PY
}
par rtt_direct_10links_p50
par rtt_proxy0_10links_p50 --proxy $WP

# 3. Throughput, no cap.
rate_d=$($PROBE rate --src $A --dst $B --bytes 100000000)
rate_p=$($PROBE rate --proxy $WP --src $A --dst $B --bytes 100000000)
echo "throughput_direct $(python3 -c "print(round($(get bytes_per_s "$rate_d") / 1e6))") MB/s"
echo "throughput_proxy0 $(python3 -c "print(round($(get bytes_per_s "$rate_p") / 1e6))") MB/s (100 MB, one link)"
stop_wp

# 4. The matrix: Frankfurt -> Tokyo is 230 ms +- 2 ms each way.
printf '%s/32\tDE\tGermany\tFrankfurt\t0\t0\t1\tA\n%s/32\tJP\tJapan\tTokyo\t0\t0\t2\tB\n' \
	$A $B > "$D/geo.tsv"
start_wp --geoip "$D/geo.tsv" --matrix tests/tools/wan-matrix.tsv
m=$($PROBE rtt --proxy $WP --src $A --dst $B -n 50)
echo "rtt_frankfurt_tokyo_p50 $(get p50 "$m") ms (min $(get min "$m"), max $(get max "$m"); matrix 230 +- 4)"
echo "connect_frankfurt_tokyo $(get connect_ms "$m") ms (one round trip)"

# 5. agentnode's own ping (ping_interval 1 s, 15 pings) direct and through the proxy.
node() {	# NAME IP RPCPORT ARGS...
	local n=$1 ip=$2 port=$3; shift 3
	"$BIN/agentnode" start --network regtest --datadir "$D/$n" --listen "$ip:29001" \
	    --rpc-listen "127.0.0.1:$port" --no-dns-seeds --ping-interval 1 --log-level warn \
	    --log-file "$D/$n.log" "$@" &
	PIDS+=($!)
}
rpcp() { "$BIN/agentnode" rpc --network regtest --datadir "$D/$1" --rpc-connect "127.0.0.1:$2" getpeerinfo; }
stop_wp
start_wp --delay 0
node fra $A 28581 --seed
node tyo $B 28582 --seed-node $A:29001
node tyo2 127.78.3.11 28583 --seed-node $A:29001 --proxy $WP
for _ in $(seq 200); do
	n=$(rpcp fra 28581 2>/dev/null | python3 -c "import json,sys; print(sum(1 for p in json.load(sys.stdin) if p['pingtime'] is not None))" 2>/dev/null)
	[ "${n:-0}" -ge 2 ] && break; sleep 0.1
done
# Let 15 pings pass (ping interval 1 s): a measurement window, not a wait for an event.
sleep 15
rpcp fra 28581 | python3 -c "
import json, sys
for p in json.load(sys.stdin):
    # tyo2 dials fra through the proxy; every other link is direct.
    how = 'proxied' if p['addr'].startswith('127.78.3.11:') and p['direction'] == 'inbound' else 'direct'
    print('node_minping_%s %.3f ms (last %.3f; fra %s %s; agentnode ping/pong, --delay 0)' % (
        how, p['minping'] * 1000, p['pingtime'] * 1000, p['direction'], p['addr']))
" | sort
stop_wp

# 6. The demo's pings between cities.
if [ "$DEMO_SECONDS" -gt 0 ]; then
	echo
	echo "demo ($DEMO_SECONDS s headless, 24 nodes, ping interval 2 s): minimum ping per link"
	STATE="$D/demo" bash tests/demo/demo.sh --headless "$DEMO_SECONDS" > "$D/demo.log" 2>&1 ||
		echo "(demo failed: $(tail -n 3 "$D/demo.log"))"
	[ -f "$D/demo/pings.txt" ] && cat "$D/demo/pings.txt"
fi
