#!/usr/bin/env bash
# bench/console.sh -- agentconsole: CPU time per second while it watches a
# node with 1,000 and with 10,000 peers at a 1 s interval, served by
# tests/tools/fakerpc the way agentnode serves them: getpeerchanges with
# each peer changing once per ping interval (CHANGE_EVERY, default 120 s,
# agentnode's node.ping_interval), spread evenly.  Then the same node
# without getpeerchanges (fakerpc --legacy: the whole getpeerinfo every
# poll), and frame times while the peers view is driven with keys.  Then
# the Chain view: three fakerpc --chain nodes on one synthetic chain with a
# block every BLOCK_EVERY seconds (each node "sees" it 0, 80 and 170 ms
# later), watched together in the Chain view and, for comparison in the
# same run, in the Overview (the same polling, the chain not drawn).  The
# console runs in a private tmux server (a real terminal); frame and apply
# timings come from its --stats-file.  Prints one "name value unit" line
# per measurement.
#
# Environment: BIN (default bin), TOOLS (default build/tests/tools),
# PEERS (1000), BIG (10000), CPU_SECONDS (20), SIZE (160x50),
# CHANGE_EVERY (120), BLOCK_EVERY (2).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
PEERS=${PEERS:-1000}; BIG=${BIG:-10000}; CPU_SECONDS=${CPU_SECONDS:-20}; SIZE=${SIZE:-160x50}
CHANGE_EVERY=${CHANGE_EVERY:-120}; BLOCK_EVERY=${BLOCK_EVERY:-2}
for f in "$BIN/agentconsole" "$TOOLS/fakerpc"; do
	[ -x "$f" ] || { echo "build first: make all build/tests/tools/fakerpc ($f)" >&2; exit 2; }
done
command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 2; }
D=$(mktemp -d); PIDS=(); TM=(tmux -L "agentconsole-bench-$$" -f /dev/null)
trap '"${TM[@]}" kill-server 2>/dev/null; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$D"' EXIT
PORT0=$((29780 + RANDOM % 100))
hz=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
screen() { "${TM[@]}" capture-pane -p -t "$1"; }
wait_screen() {	# SESSION REGEX SECONDS
	local end=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -lt "$end" ]; do screen "$1" | grep -Eq "$2" && return 0; sleep 0.1; done
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
# fake NAME PEERS ARGS...: a fakerpc on its own port; sets $ADDR.
fake() {
	local name=$1 n=$2; shift 2
	ADDR=127.0.0.1:$((PORT0 + ${#PIDS[@]}))
	"$TOOLS/fakerpc" "$ADDR" "$n" --change-every "$CHANGE_EVERY" "$@" > "$D/$name.out" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do grep -q listening "$D/$name.out" && return; sleep 0.1; done
	echo "fakerpc $name did not start" >&2; exit 1
}
# watch NAME PEERS VIEW LABEL: CPU of a console on $ADDR (several:
# blank-separated) in VIEW.
watch() {
	local name=$1 n=$2 view=$3 label=$4 pid cpu a rpcs=()
	for a in $ADDR; do rpcs+=(--rpc "$a"); done
	console "$name" "$D/stats.$name" "${rpcs[@]}" --interval 1 --view "$view"
	wait_screen "$name" "live  (\\[1/[0-9]+\\] )?${ADDR%% *}" 30
	sleep 3	# the first rounds (a whole table) settle
	pid=$(console_pid "$name")
	cpu=$(cpu_over "$pid" "$CPU_SECONDS")
	quit "$name" "$D/stats.$name"
	echo "$label $cpu % of one core (= $(awk -v c="$cpu" 'BEGIN{printf "%.1f", c*10}') ms CPU per second, $n peers, interval 1 s, $view view, ${CPU_SECONDS}s; $(stat "$D/stats.$name" delta), apply $(stat "$D/stats.$name" apply_avg_us) us/poll, $(stat "$D/stats.$name" frames) frames, render $(stat "$D/stats.$name" render_avg_us) us, output $(stat "$D/stats.$name" output_avg_us) us / $(stat "$D/stats.$name" cells_avg) cells)"
}

echo "# agentconsole benchmark on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), terminal $SIZE, each peer changes every ${CHANGE_EVERY}s"; echo

# --- 1. getpeerchanges: what the targets are about -------------------------
fake small "$PEERS"; SMALL=$ADDR
fake big "$BIG"; BIGADDR=$ADDR
ADDR=$SMALL watch small "$PEERS" overview "cpu_watching_${PEERS}_peers"
ADDR=$BIGADDR watch big "$BIG" overview "cpu_watching_${BIG}_peers"
ADDR=$SMALL watch small_peers "$PEERS" peers "cpu_watching_${PEERS}_peers_peers_view"
ADDR=$BIGADDR watch big_peers "$BIG" peers "cpu_watching_${BIG}_peers_peers_view"

# --- 2. a node without getpeerchanges (the whole table every poll) ---------
fake legacy "$BIG" --legacy
watch legacy "$BIG" overview "cpu_watching_${BIG}_peers_getpeerinfo"

# --- 3. frame times with 10,000 peers while the user works ----------------
ADDR=$BIGADDR
console keys "$D/stats.keys" --rpc "$ADDR" --interval 1 --view peers
wait_screen keys "$BIG/$BIG peers" 30
# Navigation, re-sorting and filtering, one key per frame.
for _ in $(seq 100); do "${TM[@]}" send-keys -t keys j; sleep 0.02; done
for k in NPage NPage End Home; do "${TM[@]}" send-keys -t keys "$k"; sleep 0.05; done
for _ in $(seq 20); do "${TM[@]}" send-keys -t keys s; sleep 0.05; done	# every column once
"${TM[@]}" send-keys -t keys r; sleep 0.05
"${TM[@]}" send-keys -t keys / 1 0 . 0 . 1 Enter; sleep 0.2
"${TM[@]}" send-keys -t keys Escape 3; sleep 0.3
"${TM[@]}" send-keys -t keys 4; sleep 0.3
"${TM[@]}" send-keys -t keys 1; sleep 0.3
"${TM[@]}" send-keys -t keys 2 End; sleep 0.2
quit keys "$D/stats.keys"
echo "frames_${BIG} $(stat "$D/stats.keys" frames) frames"
echo "render_${BIG}_avg $(stat "$D/stats.keys" render_avg_us) us, p50 $(stat "$D/stats.keys" render_p50_us), p99 $(stat "$D/stats.keys" render_p99_us), max $(stat "$D/stats.keys" render_max_us) us (grid: sync/sort + draw)"
echo "output_${BIG}_avg $(stat "$D/stats.keys" output_avg_us) us, max $(stat "$D/stats.keys" output_max_us) us, $(stat "$D/stats.keys" cells_avg) cells per frame (changed cells + doupdate)"
echo "apply_${BIG}_avg $(stat "$D/stats.keys" apply_avg_us) us per poll (changed peers -> table, index, events)"

# --- 4. the Chain view: three nodes, a block every BLOCK_EVERY s ----------
epoch=$(( $(date +%s) - 1000 * ${BLOCK_EVERY%.*} ))
chain=()
for off in 0 80 170; do
	fake "chain$off" "$PEERS" --chain --block-every "$BLOCK_EVERY" --epoch "$epoch" --seen-offset "$off"
	chain+=("$ADDR")
done
ADDR="${chain[*]}" watch chain3 "$PEERS" chain "cpu_chain_view_3_nodes"
ADDR="${chain[*]}" watch chain3_overview "$PEERS" overview "cpu_overview_3_nodes_same_chain"
ADDR="${chain[0]}" watch chain1 "$PEERS" chain "cpu_chain_view_1_node"
