#!/usr/bin/env bash
# bench/console.sh -- agentconsole: CPU time per second while it watches a
# real node with 1,000 peers at a 1 s interval, and frame times with 10,000
# peers served by tests/tools/fakerpc.  The console runs in a private tmux
# server (a real terminal); frame and apply timings come from its
# --stats-file.  Prints one "name value unit" line per measurement.
#
# Environment: BIN (default bin), TOOLS (default build/tests/tools),
# PEERS (1000), BIG (10000), CPU_SECONDS (20), SIZE (160x50).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
PEERS=${PEERS:-1000}; BIG=${BIG:-10000}; CPU_SECONDS=${CPU_SECONDS:-20}; SIZE=${SIZE:-160x50}
for f in "$BIN/agentnode" "$BIN/agentconsole" "$TOOLS/p2pprobe" "$TOOLS/fakerpc"; do
	[ -x "$f" ] || { echo "build first: make all build/tests/tools/p2pprobe build/tests/tools/fakerpc ($f)" >&2; exit 2; }
done
command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
D=$(mktemp -d); PIDS=(); TM=(tmux -L "agentconsole-bench-$$" -f /dev/null)
trap '"${TM[@]}" kill-server 2>/dev/null; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$D"' EXIT
P2P=127.78.0.1:29001; RPC=127.0.0.1:29778; FAKE=127.0.0.1:29779
hz=$(getconf CLK_TCK)

rpc() { "$BIN/agentnode" rpc --network regtest --datadir "$D/node" --rpc-connect "$RPC" "$@"; }
connections() { rpc getnetworkinfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections"])'; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
screen() { "${TM[@]}" capture-pane -p -t "$1"; }
wait_screen() {	# SESSION REGEX SECONDS
	for _ in $(seq $(( $3 * 10 ))); do screen "$1" | grep -Eq "$2" && return 0; sleep 0.1; done
	echo "timed out waiting for '$2' on $1:" >&2; screen "$1" >&2; exit 1
}
console() {	# SESSION STATS ARGS...
	local s=$1 st=$2; shift 2
	"${TM[@]}" new-session -d -s "$s" -x "${SIZE%x*}" -y "${SIZE#*x}" \
		"env LC_ALL=C.UTF-8 $BIN/agentconsole --stats-file $st $*; sleep 600"
}
console_pid() { pgrep -P "$("${TM[@]}" display -p -t "$1" '#{pane_pid}')" agentconsole; }
# cpu_over PID SECONDS: percent of one core used meanwhile.
cpu_over() {
	local t0 t1 s0 s1
	t0=$(cpu_ticks "$1"); s0=$(date +%s.%N)
	sleep "$2"
	t1=$(cpu_ticks "$1"); s1=$(date +%s.%N)
	awk -v t="$((t1 - t0))" -v hz="$hz" -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", 100*t/hz/(b-a) }'
}
stat() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
quit() {	# SESSION STATS: q, then wait for the stats file
	"${TM[@]}" send-keys -t "$1" q
	for _ in $(seq 100); do [ -s "$2" ] && return; sleep 0.1; done
	echo "no stats from $1" >&2; exit 1
}

echo "# agentconsole benchmark on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), terminal $SIZE"; echo

# --- 1. a real node with $PEERS peers, 1 s interval -----------------------
"$BIN/agentnode" start --network regtest --datadir "$D/node" --listen "$P2P" --rpc-listen "$RPC" \
    --min-peers 0 --max-peers $((PEERS + 100)) --no-dns-seeds --set node.max_inbound_per_ip=1000 \
    --log-level warn --log-file "$D/node.log" &
PIDS+=($!)
for _ in $(seq 100); do rpc getnetworkinfo >/dev/null 2>&1 && break; sleep 0.1; done
left=$PEERS; i=10
while [ "$left" -gt 0 ]; do
	n=$(( left > 1000 ? 1000 : left ))
	"$TOOLS/p2pprobe" -b 127.78.0.$i "$P2P" hold "$n" 100 > "$D/hold.$i" 2>&1 &
	PIDS+=($!); left=$((left - n)); i=$((i + 1))
done
for _ in $(seq 600); do [ "$(connections)" -ge "$PEERS" ] && break; sleep 0.1; done
console real "$D/stats.real" --rpc "$RPC" --cookie "$D/node/.cookie" --interval 1
wait_screen real "$PEERS/$PEERS peers" 30
sleep 2	# let the first rounds settle
pid=$(console_pid real)
cpu=$(cpu_over "$pid" "$CPU_SECONDS")
quit real "$D/stats.real"
echo "cpu_watching_${PEERS}_peers $cpu % of one core (= $(awk -v c="$cpu" 'BEGIN{printf "%.1f", c*10}') ms CPU per second, interval 1 s, ${CPU_SECONDS}s)"
echo "frames_real $(stat "$D/stats.real" frames) frames in $(stat "$D/stats.real" seconds) s"
echo "render_real_avg $(stat "$D/stats.real" render_avg_us) us (grid), p99 $(stat "$D/stats.real" render_p99_us) us, output $(stat "$D/stats.real" output_avg_us) us (curses)"
echo "apply_real_avg $(stat "$D/stats.real" apply_avg_us) us per poll of $PEERS peers"

# --- 2. $BIG peers from the fake RPC ---------------------------------------
"$TOOLS/fakerpc" "$FAKE" "$BIG" > "$D/fake.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q listening "$D/fake.out" && break; sleep 0.1; done
console big "$D/stats.big" --rpc "$FAKE" --interval 1
wait_screen big "$BIG/$BIG peers" 30
pid=$(console_pid big)
cpu=$(cpu_over "$pid" "$CPU_SECONDS")
echo "cpu_watching_${BIG}_peers $cpu % of one core (interval 1 s, idle user, ${CPU_SECONDS}s)"
# Navigation, re-sorting and filtering, one key per frame.
t0=$(date +%s.%N)
for k in $(seq 100); do "${TM[@]}" send-keys -t big j; sleep 0.02; done
for k in NPage NPage End Home; do "${TM[@]}" send-keys -t big "$k"; sleep 0.05; done
for k in $(seq 17); do "${TM[@]}" send-keys -t big s; sleep 0.05; done	# every column once
"${TM[@]}" send-keys -t big r; sleep 0.05
"${TM[@]}" send-keys -t big / 1 0 . 0 . 1 Enter; sleep 0.2
"${TM[@]}" send-keys -t big Escape 2; sleep 0.3
"${TM[@]}" send-keys -t big 3; sleep 0.3
"${TM[@]}" send-keys -t big 1 End; sleep 0.2
t1=$(date +%s.%N)
quit big "$D/stats.big"
echo "frames_${BIG} $(stat "$D/stats.big" frames) frames"
echo "render_${BIG}_avg $(stat "$D/stats.big" render_avg_us) us, p50 $(stat "$D/stats.big" render_p50_us), p99 $(stat "$D/stats.big" render_p99_us), max $(stat "$D/stats.big" render_max_us) us (grid: sync/sort + draw)"
echo "output_${BIG}_avg $(stat "$D/stats.big" output_avg_us) us, max $(stat "$D/stats.big" output_max_us) us (curses copy + doupdate)"
echo "apply_${BIG}_avg $(stat "$D/stats.big" apply_avg_us) us per poll (JSON objects -> peer table, index, diff)"
