#!/usr/bin/env bash
# node_kill9_addrbook.sh -- issue 15 item 9 (addrbook_saved_soon_after_change):
# the address book was saved only every 15 minutes, so a node killed with -9
# minutes after meeting its peers restarted knowing nobody (and, with no DNS
# seeds on a private network, stayed isolated).  Now it is saved within
# seconds of the first new address; after kill -9 the node finds its peer
# again from the book alone.
source "$(dirname "$0")/lib.bash"

A="$(ip_of 1):$REGTEST_P2P"
start_node a 1 --min-peers 1 --no-dns-seeds
start_node b 2 --min-peers 1 --no-dns-seeds --seed-node "$A"
t0=$(date +%s)
knows_a() { rpc b getnodeaddresses 0 | json "any(e['address'] == '$A' for e in d)" | grep -q True; }
wait_for 20 "b learns a's address" knows_a
saved() { grep -q "saved [1-9][0-9]* addresses" "$T/b/node.log"; }
wait_for 30 "b saves its address book soon after the change" saved
dt=$(( $(date +%s) - t0 ))
[ "$dt" -le 25 ] || fail "first save took ${dt}s"
log "address book saved ${dt}s after start"

kill9_node b
# No --seed-node this time: only the saved book can lead b back to a.
start_node b 2 --min-peers 1 --no-dns-seeds
grep -q "loaded [1-9][0-9]* addresses" "$T/b/node.log" || fail "b did not reload its book"
back() { [ "$(outbound_count b)" -ge 1 ]; }
wait_for 30 "b reconnects to a from its saved book" back
echo "PASS node_kill9_addrbook"
