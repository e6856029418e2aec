#!/usr/bin/env bash
# node_seeds_without_dns.sh -- issue 15 item 18 (fixed_ip_seeds_without_dns,
# no_peers_says_why): hard-coded seeds were host names, so a node with DNS
# down got no peer in 35 s, and a node without peers said nothing more.
# Now IP:port seeds are asked as soon as DNS gives nothing, and a node that
# is alone says why, in getnetworkinfo's "warnings" and "bootstrap".
source "$(dirname "$0")/lib.bash"

A="$(ip_of 1):$REGTEST_P2P"
start_node a 1 --min-peers 0 --no-dns-seeds
# A resolver nobody answers on: DNS is down.
DEAD_DNS="127.0.0.1:$((RPC_BASE + 98))"
t0=$(date +%s)
start_node b 2 --min-peers 1 --dns-seed seed.example.invalid --dns-server "$DEAD_DNS" \
	--set "network.seeds=$A"
b_connected() { [ "$(outbound_count b)" -ge 1 ]; }
wait_for 25 "b reaches a through its IP seed with DNS down" b_connected
dt=$(( $(date +%s) - t0 ))
log "b connected ${dt}s after start, DNS down"
[ "$dt" -lt 30 ] || fail "took ${dt}s (the fixed seeds waited for their 30 s delay)"
[ "$(rpc b getnetworkinfo | json 'd["warnings"]')" = "" ] || fail "b connected but warns"

# Alone, with nothing to ask: the node says so, and why.
start_node c 3 --min-peers 1 --no-dns-seeds --set network.seeds=
says_why() {
	rpc c getnetworkinfo | json 'd["bootstrap"]["alone"] and "no seed to ask" in d["warnings"]' |
		grep -q True
}
wait_for 5 "c says why it has no peers" says_why
echo "PASS node_seeds_without_dns"
