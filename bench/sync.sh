#!/usr/bin/env bash
# bench/sync.sh -- initial sync over loopback: BLOCKS blocks of SIZE bytes
# from 1 peer and from 4 peers, in blocks/s and MB/s, beside the physical
# limit measured in the same run (double-SHA256 of the same bytes and
# writing them to disk, tests/tools/synclimit).  Target: >= 50 % of it.
# Prints one "name value" line per measurement.
#
# Environment: BIN (default bin), TOOLS (default build/tests/tools),
# BLOCKS (10000), SIZE (100000).  Needs about BLOCKS*SIZE*7 bytes of disk.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
BLOCKS=${BLOCKS:-10000}; SIZE=${SIZE:-100000}
[ -x "$BIN/agentnode" ] && [ -x "$TOOLS/synclimit" ] ||
	{ echo "build first: make all build/tests/tools/synclimit" >&2; exit 2; }
NET=127.78; RPC_BASE=29800
source bench/nodes.bash

echo "# initial sync of $BLOCKS blocks of $SIZE bytes on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
node src 1
generate src "$BLOCKS" "$SIZE"
stop src
# Three more sources with the same chain: copies of the first one's blocks.
for i in 2 3 4; do mkdir -p "$D/src$i"; cp -r "$D/src/blocks" "$D/src$i/"; done
"$TOOLS/synclimit" "$D/src/blocks" "$D/limit.out" | tee "$D/limit"
limit_bps=$(awk '/^limit_blocks_per_s/ {print $2}' "$D/limit")

# sync LABEL PEERS...: a fresh node syncing from the given sources.
sync_from() {
	local label=$1 seeds=() t0 t1 i=10; shift
	for s in "$@"; do seeds+=(--seed-node "$NET.0.$s:29001"); done
	node "sync$label" 20 "${seeds[@]}"
	t0=$(now)
	wait_height "sync$label" "$BLOCKS"
	t1=$(now)
	cpu=$(awk '{printf "%.2f", ($14 + $15) / '"$(getconf CLK_TCK)"'}' "/proc/$(cat "$D/sync$label.pid")/stat")
	echo "sync_${label}_node_cpu_seconds $cpu"
	stop "sync$label"
	rm -rf "$D/sync$label"
	python3 - "$label" "$BLOCKS" "$SIZE" "$t0" "$t1" "$limit_bps" <<'PY'
import sys
label, blocks, size, t0, t1, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
dt = t1 - t0
bps = blocks / dt
print("sync_%s_seconds %.2f" % (label, dt))
print("sync_%s_blocks_per_s %.0f" % (label, bps))
print("sync_%s_mb_per_s %.1f" % (label, bps * size / 1e6))
print("sync_%s_share_of_limit %.0f%%" % (label, 100 * bps / limit))
PY
}

node src 1
sync_from 1peer 1
for i in 2 3 4; do node "src$i" "$i"; done
sync_from 4peers 1 2 3 4
