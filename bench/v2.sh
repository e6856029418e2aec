#!/usr/bin/env bash
# bench/v2.sh -- what the encrypted v2 transport costs: an initial sync of
# BLOCKS blocks of SIZE bytes over loopback, the syncing node speaking v1
# and then v2 to the same source, alternated ROUNDS times in one run (so
# both see the same machine load); and the codec alone (tests/tools/v2bench:
# v2 seal + open against v1 frame encode + parse, the same messages).
# Prints one "name value" line per measurement.
#
# Environment: BIN (default bin), TOOLS (default build/tests/tools),
# BLOCKS (3000), SIZE (100000), ROUNDS (3).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
BLOCKS=${BLOCKS:-3000}; SIZE=${SIZE:-100000}; ROUNDS=${ROUNDS:-3}
[ -x "$BIN/agentnode" ] && [ -x "$TOOLS/v2bench" ] ||
	{ echo "build first: make all build/tests/tools/v2bench" >&2; exit 2; }
NET=127.79; RPC_BASE=29900
source bench/nodes.bash

echo "# v1 vs v2: sync of $BLOCKS blocks of $SIZE bytes, $ROUNDS rounds each, on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
"$TOOLS/v2bench"
node src 1
generate src "$BLOCKS" "$SIZE"

# sync_once TRANSPORT: seconds for a fresh node to sync from src.
sync_once() {
	local t0 t1 tr
	node sync 20 --transport "$1" --seed-node "$NET.0.1:29001"
	t0=$(now)
	wait_height sync "$BLOCKS"
	t1=$(now)
	tr=$(rpc sync getpeerinfo | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["transport"])')
	[ "$tr" = "$1" ] || { echo "sync spoke $tr, not $1" >&2; exit 1; }
	stop sync
	rm -rf "$D/sync"
	echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}'
}

for r in $(seq "$ROUNDS"); do
	echo "$(sync_once v1)" >> "$D/v1"
	echo "$(sync_once v2)" >> "$D/v2"
done
python3 - "$D/v1" "$D/v2" "$BLOCKS" "$SIZE" <<'PY'
import statistics, sys
v1 = [float(x) for x in open(sys.argv[1])]
v2 = [float(x) for x in open(sys.argv[2])]
blocks, size = int(sys.argv[3]), int(sys.argv[4])
for name, runs in (("v1", v1), ("v2", v2)):
    m = statistics.median(runs)
    print("sync_%s_seconds %.2f (median of %s)" % (name, m, " ".join("%.2f" % x for x in runs)))
    print("sync_%s_mb_per_s %.1f" % (name, blocks * size / m / 1e6))
print("sync_v2_over_v1_time %.3f" % (statistics.median(v2) / statistics.median(v1)))
PY
