#!/usr/bin/env bash
# propagation_wan.sh -- bench/propagation.sh's driver in small: 12 nodes in
# the six cities, 4 outbound each, every byte through tests/tools/wanproxy.
# Asserts behaviour, never timings: every node gets every block (1 kB,
# pushed whole by high-bandwidth peers and by its maker) and every
# transaction, a newcomer's address reaches every address book, and the
# driver stops every process it started.
source "$(dirname "$0")/lib.bash"

[ -x "$TOOLS/wanproxy" ] || fail "no $TOOLS/wanproxy (make $TOOLS/wanproxy)"
mkdir -p "$T/prop"
log "12 nodes on $NET.1-6.x through wanproxy: 4 blocks, 20 transactions, one newcomer"
python3 "$ROOT/tests/tools/propagation.py" --agentnode "$BIN/agentnode" \
    --wanproxy "$TOOLS/wanproxy" --geoip "$ROOT/tests/tools/geoip-demo.tsv" \
    --matrix "$ROOT/tests/tools/wan-matrix.tsv" --dir "$T/prop" --pidfile "$T/prop/pids" \
    --net "$NET" --nodes 12 --outbound 4 --blocks 4 --txs 20 --tx-rate 20 \
    --series 1k,tx,addr --addr-timeout 120 > "$T/out" 2> "$T/prop.log" ||
	{ cat "$T/out"; tail -n 20 "$T/prop.log"; fail "the driver failed"; }
cat "$T/out"
# Its processes, should it have died, go with ours.
while read -r pid; do PIDS+=("$pid"); done < "$T/prop/pids"

val() { awk -v k="$1" '$1 == k { print $2 }' "$T/out"; }
[ "$(val block_1k_missing)" = 0 ] || fail "a node missed a block"
[ "$(val tx_missing)" = 0 ] || fail "a node missed a transaction"
[ "$(val addr_known_pct)" = 100 ] || fail "the newcomer is not in every address book"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)" "$(val block_1k_pushes_per_block)" ||
	fail "no block was pushed"
[ "$(val overlay_links)" -ge 24 ] || fail "the overlay did not form (4 outbound each)"
# The driver stopped what it started.
while read -r pid; do
	kill -0 "$pid" 2>/dev/null && fail "process $pid still runs after the driver"
done < "$T/prop/pids"
log "ok"
