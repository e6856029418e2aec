#!/usr/bin/env bash
# proxy_socks5.sh -- agentnode and agentcrawl with --proxy, through
# tests/tools/wanproxy: a node dials through it (the peer sees its real
# address, pings follow the city matrix, a manual node by name goes to the
# proxy by name), the crawler probes through it (seeds by name resolved by
# the proxy, connect times from the matrix); a proxy that refuses is a
# refused dial with the reply code; a proxy that is down is one warning and
# a back-off, never a hang, and a --once crawl ends; credentials work and a
# wrong password is one warning.
source "$(dirname "$0")/lib.bash"

WP=$TOOLS/wanproxy
[ -x "$WP" ] || fail "no $WP"
P0=$((RPC_BASE + 80))		# proxies: P0 .. P0+5
LPORT=$((RPC_BASE + 90))	# a node on 127.0.0.1, reached by the name localhost
P2P=$REGTEST_P2P

printf '%s/32\tDE\tGermany\tFrankfurt\t0\t0\t1\tA\n' "$(ip_of 1)" > "$T/geo.tsv"
printf '%s/32\tJP\tJapan\tTokyo\t0\t0\t2\tB\n' "$(ip_of 2)" >> "$T/geo.tsv"
printf 'seed.test %s\nlocalhost 127.0.0.1\n' "$(ip_of 1)" > "$T/hosts"

start_wp() {	# NAME PORT ARGS...
	local name=$1 port=$2; shift 2
	"$WP" --listen "127.0.0.1:$port" -v "$@" >"$T/$name.log" 2>&1 &
	PIDS+=($!)
	wait_for 10 "$name listening" grep -q "wanproxy listening" "$T/$name.log"
}
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }
# outbound_to NODE IP: NODE has a finished outbound handshake with IP.
outbound_to() {
	rpc "$1" getpeerinfo | py "sys.exit(0 if any(p['direction'] != 'inbound' and
	    p['handshake_complete'] and p['addr'].startswith('$2:') for p in d) else 1)"
}
count() { grep -c -- "$1" "$2" || true; }

start_wp wan $P0 --geoip "$T/geo.tsv" --matrix "$ROOT/tests/tools/wan-matrix.tsv" \
	--default-city Frankfurt --hosts "$T/hosts"

log "a node in Tokyo dials a node in Frankfurt through the proxy"
start_node fra 1 --seed --ping-interval 1 --no-dns-seeds
"$BIN/agentnode" start --network regtest --datadir "$T/lh" --listen "127.0.0.1:$LPORT" \
	--rpc-listen "127.0.0.1:$((RPC_BASE + 91))" --no-dns-seeds --log-file "$T/lh.log" &
PIDS+=($!)
start_node tyo 2 --proxy 127.0.0.1:$P0 --ping-interval 1 --no-dns-seeds \
	--seed-node "$(ip_of 1):$P2P" --seed-node "localhost:$LPORT"
wait_for 20 "tyo's outbound handshake with fra" outbound_to tyo "$(ip_of 1)"
grep -q "$(ip_of 2):[0-9]* (Tokyo) -> $(ip_of 1):$P2P (Frankfurt): one way 115.0 ms" \
	"$T/wan.log" || fail "the proxy did not place the link Tokyo -> Frankfurt"
# The peer sees the dialler's own address, not the proxy's.
rpc fra getpeerinfo | py "sys.exit(0 if any(p['direction'] == 'inbound' and
    p['addr'].startswith('$(ip_of 2):') for p in d) else 1)" ||
	fail "fra does not see tyo's address: $(rpc fra getpeerinfo | head -c 600)"
# Pings follow the matrix: 230 ms, jitter +-2 ms each way.
# tyo's own dial to fra went through the proxy (fra may dial back, directly).
# Three pings (1 s apart), so that one slow turn of a loaded machine is
# not the measurement.
pinged() {
	rpc tyo getpeerinfo | py "sys.exit(0 if any(p['addr'] == '$(ip_of 1):$P2P' and
	    len(p['latency_history_ms']) >= 3 for p in d) else 1)"
}
wait_for 30 "three ping round trips to fra" pinged
ping=$(rpc tyo getpeerinfo | py "print([p['minping'] for p in d if p['addr'] == '$(ip_of 1):$P2P'][0])")
log "tyo -> fra minimum ping: $ping s"
python3 -c "import sys; sys.exit(0 if 0.224 <= $ping <= 0.240 else 1)" ||
	fail "minimum ping $ping s, want 230 ms +- jitter"
# The manual node given by name reached the proxy by name.
wait_for 20 "localhost:$LPORT through the proxy by name" \
	grep -q "(Tokyo) -> localhost = 127.0.0.1:$LPORT" "$T/wan.log"

log "agentcrawl through the proxy: a seed by name, never looked up by us"
# The resolver points nowhere: a local look-up of seed.test would fail.
"$BIN/agentcrawl" crawl --network regtest --db "$T/crawl.db" --once --progress off \
	--proxy 127.0.0.1:$P0 --seed "seed.test:$P2P" --dns-server 127.0.0.1:1 \
	--log-file "$T/crawl.log" > "$T/summary.txt" || fail "crawl --once through the proxy failed"
cat "$T/summary.txt"
grep -q "seed seed.test via proxy: [1-9][0-9]* addresses" "$T/crawl.log" ||
	fail "the seed by name was not probed through the proxy"
grep -q "(Frankfurt) -> seed.test = $(ip_of 1):$P2P (Frankfurt)" "$T/wan.log" ||
	fail "the proxy did not get seed.test by name"
"$BIN/agentcrawl" export --db "$T/crawl.db" --format json --all -o "$T/nodes.json" || fail "export"
python3 - "$T/nodes.json" "$(ip_of 1)" "$(ip_of 2)" <<'PY' || fail "crawl records are wrong"
import json, sys
nodes = {n["address"]: n for n in json.load(open(sys.argv[1]))}
fra, tyo = nodes[sys.argv[2] + ":29001"], nodes[sys.argv[3] + ":29001"]
# The crawler sits in Frankfurt (--default-city): connect = one round trip
# (2 ms and 230 ms), not two; a loaded machine may add some.
assert fra["reachable"] and 1.5 <= fra["connect_ms"] < 100, fra
assert tyo["reachable"] and 224 <= tyo["connect_ms"] < 400, tyo
print("fra connect %.1f ms, tyo connect %.1f ms" % (fra["connect_ms"], tyo["connect_ms"]))
PY

log "a proxy that refuses: a refused dial with the reply code"
start_wp refuse $((P0 + 1)) --refuse 5
start_node ref 3 --proxy 127.0.0.1:$((P0 + 1)) --no-dns-seeds --seed-node "$(ip_of 1):$P2P"
wait_for 20 "the refusal in ref's log" grep -q \
	"dial $(ip_of 1):$P2P: SOCKS5 proxy 127.0.0.1:$((P0 + 1)): connection refused (SOCKS5 reply 5)" \
	"$T/ref/node.log"
grep -q "disconnect .*$(ip_of 1):$P2P.*connection refused" "$T/ref/node.log" ||
	fail "the refusal is not a refused dial"
[ "$(count 'SOCKS5 proxy .* unreachable' "$T/ref/node.log")" = 0 ] ||
	fail "a refusing proxy was taken for a dead one"
"$BIN/agentcrawl" crawl --network regtest --db "$T/ref.db" --once --progress off --json \
	--proxy 127.0.0.1:$((P0 + 1)) --seed "$(ip_of 1):$P2P" --log-file "$T/ref-crawl.log" \
	> "$T/ref.json" || fail "crawl through a refusing proxy failed"
py 'sys.exit(0 if d["failed"] == 1 and d["errors"]["refused"] == 1 else 1)' < "$T/ref.json" ||
	fail "the crawler did not record the refusal: $(cat "$T/ref.json")"

log "a proxy that is down: one warning, back-off, no hang; then it comes back"
DOWN=$((P0 + 2))
start_node down 4 --proxy 127.0.0.1:$DOWN --no-dns-seeds \
	--seed-node "$(ip_of 1):$P2P" --seed-node "$(ip_of 2):$P2P"
failed_dials() { [ "$(count "dial .*SOCKS5 proxy 127.0.0.1:$DOWN" "$T/down/node.log")" -ge 2 ]; }
wait_for 20 "both manual dials to fail" failed_dials
rpc down getnetworkinfo >/dev/null || fail "the node does not answer while its proxy is down"
warns=$(count "SOCKS5 proxy 127.0.0.1:$DOWN: unreachable" "$T/down/node.log")
[ "$warns" = 1 ] || fail "$warns warnings for a proxy that is down, want 1"
grep -q "outbound connections fail until it answers (next try in 1 s" "$T/down/node.log" ||
	fail "the warning does not say what happens"
# A --once crawl through it ends (status 1) and records nothing against the node.
timeout 60 "$BIN/agentcrawl" crawl --network regtest --db "$T/down.db" --once --progress off \
	--json --proxy 127.0.0.1:$DOWN --seed "$(ip_of 1):$P2P" --log-file "$T/down-crawl.log" \
	> "$T/down.json"
rc=$?
[ $rc = 1 ] || fail "crawl --once through a dead proxy: exit $rc, want 1"
grep -q "SOCKS5 proxy 127.0.0.1:$DOWN failed 5 times in a row; stopping the pass" \
	"$T/down-crawl.log" || fail "no reason for ending the pass"
[ "$(count "SOCKS5 proxy 127.0.0.1:$DOWN: unreachable" "$T/down-crawl.log")" = 1 ] ||
	fail "the crawler warned more than once"
py 'sys.exit(0 if d["probes"] == 0 and d["failed"] == 0 else 1)' < "$T/down.json" ||
	fail "probes that failed at the proxy were recorded: $(cat "$T/down.json")"
# The proxy comes back: the node gets through (manual retry, proxy back-off).
start_wp back $DOWN --delay 0
wait_for 60 "down's outbound through the revived proxy" outbound_to down "$(ip_of 1)"
grep -q "SOCKS5 proxy 127.0.0.1:$DOWN answers again" "$T/down/node.log" ||
	fail "no line saying the proxy is back"

log "user name and password"
start_wp auth $((P0 + 3)) --auth alice:s3cret --delay 0
start_node good 5 --proxy 127.0.0.1:$((P0 + 3)) --no-dns-seeds --seed-node "$(ip_of 1):$P2P" \
	--set network.proxy_user=alice --set network.proxy_password=s3cret
start_node bad 6 --proxy 127.0.0.1:$((P0 + 3)) --no-dns-seeds \
	--seed-node "$(ip_of 1):$P2P" --seed-node "$(ip_of 2):$P2P" \
	--set network.proxy_user=alice --set network.proxy_password=wrong
wait_for 20 "good's outbound through the proxy" outbound_to good "$(ip_of 1)"
wait_for 20 "bad's refusal" grep -q "refused our user name and password" "$T/bad/node.log"
bad_dials() { [ "$(count "dial .*SOCKS5 proxy 127.0.0.1:$((P0 + 3))" "$T/bad/node.log")" -ge 2 ]; }
wait_for 20 "both of bad's dials to fail" bad_dials
[ "$(count "refused our user name and password; outbound" "$T/bad/node.log")" = 1 ] ||
	fail "a wrong password is warned about more than once"
outbound_to bad "$(ip_of 1)" && fail "a wrong password got through"
"$BIN/agentnode" start --network regtest --datadir "$T/x" --proxy 127.0.0.1:1 \
	--set network.proxy_user=alice >"$T/x.log" 2>&1 && fail "a user without a password was taken"
grep -q "network.proxy_user: set without network.proxy_password" "$T/x.log" ||
	fail "no reason for refusing a user without a password: $(cat "$T/x.log")"
"$BIN/agentnode" start --network regtest --datadir "$T/x" --proxy proxy.example:9050 \
	>"$T/x.log" 2>&1 && fail "a proxy by name was taken"
grep -q "network.proxy: expected numeric address" "$T/x.log" || fail "$(cat "$T/x.log")"

echo "PASS proxy_socks5"
