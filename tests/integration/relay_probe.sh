#!/usr/bin/env bash
# relay_probe.sh -- the rewards observer's relay probe (crawler/relayprobe.c)
# on a regtest mesh: a probe tx sent to a relaying node is announced to a
# listener on another node; sent to a blocks-only node (node.blocks_only,
# which takes no transactions from peers) it is announced by nobody.
source "$(dirname "$0")/lib.bash"

COMMON=(--min-peers 3 --max-peers 20 --ping-interval 2)
start_node n1 1 --seed "${COMMON[@]}"
for i in 2 3 4; do
	start_node "n$i" "$i" --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
done
start_node quiet 5 --seed-node "$(ip_of 1):$REGTEST_P2P" --set node.blocks_only=true "${COMMON[@]}"

meshed() {
	for n in n1 n2 n3 n4 quiet; do
		[ "$(outbound_count "$n")" -ge 3 ] || return 1
	done
}
wait_for 60 "every node has 3 outbound peers" meshed
log "mesh formed"

probe() { "$TOOLS/relayprobe_run" regtest "$@"; }
A=$(ip_of 1):$REGTEST_P2P
L1=$(ip_of 3):$REGTEST_P2P
L2=$(ip_of 4):$REGTEST_P2P

out=$(probe "$A" "$L1" "$L2") || fail "probe of n1 not sent: $out"
log "n1: $out"
echo "$out" | json 'd["announced"] and d["listeners"] == 2 and 0 < d["delay_ms"] < 30000' |
    grep -q True || fail "n1 relays, but no listener announced the probe: $out"
# The probe tx reached the listeners' mempools through n1 alone.
[ "$(rpc n3 getmempoolinfo | json 'd["size"]')" -ge 1 ] || fail "n3's mempool holds no probe tx"

out=$(RELAYPROBE_WINDOW_MS=15000 probe "$(ip_of 5):$REGTEST_P2P" "$L1" "$L2") ||
    fail "probe of the blocks-only node not sent: $out"
log "quiet: $out"
echo "$out" | json 'd["sent"] and not d["announced"]' | grep -q True ||
    fail "a blocks-only node was credited with relaying: $out"

# A sender that is down: nothing measured, nothing recorded.
if out=$(probe "$(ip_of 9):$REGTEST_P2P" "$L1"); then
	fail "a probe of a dead sender counts as sent: $out"
fi
echo "$out" | grep -q '"sent":false' || fail "dead sender: $out"
echo "PASS relay_probe"
