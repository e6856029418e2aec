#!/usr/bin/env bash
# bench/sync.sh -- initial sync over loopback: BLOCKS blocks of SIZE bytes
# from 1 peer and from 4 peers, in blocks/s and MB/s, beside the physical
# limit measured in the same run (double-SHA256 of the same bytes and
# writing them to disk, tests/tools/synclimit).  Target: >= 50 % of it.
# The machine is shared and its speed drifts, so each of ROUNDS rounds
# measures the limit, then both syncs; the medians are printed, the share
# of the limit as the median of each round's own ratio.  Prints one
# "name value" line per figure.
#
# Environment: BIN (default bin), TOOLS (default build/tests/tools),
# BLOCKS (10000), SIZE (100000), ROUNDS (3).  Needs about BLOCKS*SIZE*7
# bytes of disk.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
BLOCKS=${BLOCKS:-10000}; SIZE=${SIZE:-100000}; ROUNDS=${ROUNDS:-3}
[ -x "$BIN/agentnode" ] && [ -x "$TOOLS/synclimit" ] ||
	{ echo "build first: make all build/tests/tools/synclimit" >&2; exit 2; }
NET=127.78; RPC_BASE=29800
source bench/nodes.bash

echo "# initial sync of $BLOCKS blocks of $SIZE bytes, $ROUNDS rounds, on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
node src 1
generate src "$BLOCKS" "$SIZE"
stop src
# Three more sources with the same chain: copies of the first one's blocks.
for i in 2 3 4; do mkdir -p "$D/src$i"; cp -r "$D/src/blocks" "$D/src$i/"; done
for i in 1 2 3 4; do node "$([ $i = 1 ] && echo src || echo "src$i")" "$i"; done

# sync_from LABEL PEERS...: seconds for a fresh node to sync from the
# given sources; its CPU seconds go to $D/LABEL.cpu.
sync_from() {
	local label=$1 seeds=() t0 t1; shift
	for s in "$@"; do seeds+=(--seed-node "$NET.0.$s:29001"); done
	node "sync$label" 20 "${seeds[@]}"
	t0=$(now)
	wait_height "sync$label" "$BLOCKS"
	t1=$(now)
	awk '{printf "%.2f\n", ($14 + $15) / '"$(getconf CLK_TCK)"'}' \
	    "/proc/$(cat "$D/sync$label.pid")/stat" >> "$D/$label.cpu"
	stop "sync$label"
	rm -rf "$D/sync$label"
	echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}'
}

for r in $(seq "$ROUNDS"); do
	"$TOOLS/synclimit" "$D/src/blocks" "$D/limit.out" > "$D/limit.$r"
	awk '/^limit_seconds/ {print $2}' "$D/limit.$r" >> "$D/limit"
	sync_from 1peer 1 >> "$D/1peer"
	sync_from 4peers 1 2 3 4 >> "$D/4peers"
done
grep -v '^limit_seconds\|^limit_blocks_per_s\|^limit_mb_per_s' "$D/limit.1"
python3 - "$D" "$BLOCKS" "$SIZE" <<'PY'
import statistics as st, sys
d, blocks, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
col = lambda name: [float(x) for x in open(f"{d}/{name}").read().split()]
limit = col("limit")
def figures(label, secs):
    dt = st.median(secs)
    print(f"{label}_seconds {dt:.2f}")
    print(f"{label}_blocks_per_s {blocks / dt:.0f}")
    print(f"{label}_mb_per_s {blocks * size / dt / 1e6:.1f}")
figures("limit", limit)
for label in ("1peer", "4peers"):
    secs = col(label)
    figures(f"sync_{label}", secs)
    print(f"sync_{label}_node_cpu_seconds {st.median(col(label + '.cpu')):.2f}")
    shares = [l / s for l, s in zip(limit, secs)]
    print(f"sync_{label}_share_of_limit {100 * st.median(shares):.0f}%")
    print(f"sync_{label}_share_range {100 * min(shares):.0f}-{100 * max(shares):.0f}%")
PY
