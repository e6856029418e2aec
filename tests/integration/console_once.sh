#!/usr/bin/env bash
# console_once.sh -- `agentconsole --once` prints one text frame of every
# view, against real agentnode processes on loopback, a GeoIP database and a
# crawl database: each view shows what it should, in UTF-8 and in ASCII,
# at 40x12 too; an unreachable node gives "disconnected, retrying" and exit
# status 1; bad flags are refused; --help lists every flag and key.
source "$(dirname "$0")/lib.bash"

[ -x "$BIN/agentconsole" ] || fail "no $BIN/agentconsole"
[ -x "$TOOLS/mkcrawldb" ] || fail "no $TOOLS/mkcrawldb (make build/tests/tools/mkcrawldb)"

# Peers of a: b in Germany, c in Japan.
{
	printf '%s/32\tDE\tGermany\tFrankfurt\t50.11\t8.68\t24940\tHetzner Online GmbH\n' "$(ip_of 2)"
	printf '%s/32\tJP\tJapan\tTokyo\t35.69\t139.69\t2516\tKDDI Corporation\n' "$(ip_of 3)"
} > "$T/geo.tsv"
perl "$ROOT/tests/tools/mkgeoip.pl" "$T/geo.mmdb" < "$T/geo.tsv" || fail "cannot build the GeoIP database"
"$TOOLS/mkcrawldb" "$T/crawl.db" 500 regtest >/dev/null || fail "cannot build the crawl database"

start_node a 1 --min-peers 0
start_node b 2 --seed-node "$(ip_of 1):$REGTEST_P2P" --min-peers 1
start_node c 3 --seed-node "$(ip_of 1):$REGTEST_P2P" --min-peers 1
two_peers() { [ "$(peer_count a)" -ge 2 ]; }
wait_for 30 "a has two peers" two_peers
pinged() { rpc a getpeerinfo | json 'all(p["pingtime"] is not None for p in d)' | grep -q True; }
wait_for 20 "latency measured" pinged
RPC_A="127.0.0.1:$(cat "$T/a/rpcport")"
ONCE=("$BIN/agentconsole" --rpc "$RPC_A" --cookie "$T/a/.cookie" --geoip-db "$T/geo.mmdb"
	--crawl-db "$T/crawl.db" --network regtest --once)

LC_ALL=C.UTF-8 "${ONCE[@]}" --size 120x40 > "$T/utf8.txt" || fail "--once failed: $(tail -3 "$T/utf8.txt")"
# section NAME: the lines of one view's frame.
section() { awk -v h="$1" 'index($0, "=== agentconsole --once") == 1 { on = index($0, h) > 0; next } on' "$T/utf8.txt"; }
for v in "view 1 Overview" "view 2 Peers" "view 3 Geo" "view 3 Geo (whole network)" \
    "view 4 Latency" "view 5 Network" "view 6 Bans" "view 7 Log" "view 8 Chain"; do
	grep -qF -- "$v ===" "$T/utf8.txt" || fail "--once printed no frame for $v"
	[ "$(section "$v ===" | wc -l)" -eq 40 ] || fail "$v is not 40 lines"
done
section "view 1 Overview" | grep -q "live  $RPC_A  regtest" || fail "header missing"
section "view 1 Overview" | grep -Eq "$RPC_A +live " || fail "overview: the node's row"
section "view 1 Overview" | grep -q "Alerts" || fail "overview: no alerts box"
section "view 1 Overview" | grep -q "Trends: $RPC_A" || fail "overview: no trends"
section "view 1 Overview" | grep -q $'\xe2\x97\x8f' || fail "overview: no peer mark on the map"
section "view 2 Peers" | grep -q "$(ip_of 2):" || fail "peers view lacks b"
section "view 2 Peers" | grep -q "$(ip_of 3):" || fail "peers view lacks c"
section "view 2 Peers" | grep -q "2/2 peers" || fail "peers view footer"
section "view 3 Geo ===" | grep -q "2 of 2 located, 2 countries" || fail "geo view title"
section "view 3 Geo ===" | grep -Eq "DE +1 +50%" || fail "geo view: no DE bar"
section "view 3 Geo ===" | grep -Eq "JP +1 +50%" || fail "geo view: no JP bar"
section "view 3 Geo ===" | grep -q "JP Tokyo" || fail "geo view: no places"
section "view 3 Geo ===" | grep -q "2 peers in 2 places" || fail "geo view: no legend"
section "view 3 Geo ===" | grep -q $'\xe2\x97\x8f' || fail "geo view: no peer mark on the map"
section "view 3 Geo ===" | grep -q $'\xe2\xa3\xbf' || fail "geo view: no braille land"
section "view 3 Geo (whole" | grep -q "500 of 500 nodes located" || fail "whole-network map"
section "view 4 Latency" | grep -q "2 of 2 measured" || fail "latency summary"
section "view 4 Latency" | grep -q "Last ping per peer" || fail "latency histogram"
section "view 4 Latency" | grep -q "Average of all peers" || fail "latency history"
section "view 4 Latency" | grep -Eq "Peer #[0-9]+ $NET" || fail "latency of the selected peer"
section "view 5 Network" | grep -q "nodes 500  reachable 400" || fail "network totals"
section "view 5 Network" | grep -q "NetworkHealth" || fail "network health"
section "view 5 Network" | grep -q "Versions (6)" || fail "network versions"
section "view 5 Network" | grep -q "AS24940 Hetzner" || fail "network ASNs"
section "view 6 Bans" | grep -q "no bans" || fail "bans view"
section "view 7 Log" | grep -q "2 peers, 0 bans" || fail "log view"
section "view 8 Chain" | grep -q "Chain of $RPC_A" || fail "chain view title"
section "view 8 Chain" | grep -q "height 0  headers 0: in step" || fail "chain view: the tip"
section "view 8 Chain" | grep -Eq "^│ +0 [0-9a-f]+.* mined here" || fail "chain view: the genesis block"
log "UTF-8 frames of every view are right"

# ASCII in the C locale, and a 40x12 frame that still says something.
LC_ALL=C "${ONCE[@]}" --size 40x12 > "$T/ascii.txt" || fail "--once 40x12 failed"
LC_ALL=C grep -q $'[\x80-\xff]' "$T/ascii.txt" && fail "non-ASCII bytes in the C locale"
grep -q "^\* live" "$T/ascii.txt" || fail "ASCII header"
grep -q "2/2 peers" "$T/ascii.txt" || fail "40x12 peers footer"
grep -q "^+- Nodes" "$T/ascii.txt" || fail "40x12 ASCII boxes"
grep -q ":::" "$T/ascii.txt" || fail "ASCII map land"
LC_ALL=C.UTF-8 "${ONCE[@]}" --ascii --size 80x24 | LC_ALL=C grep -q $'[\x80-\xff]' &&
	fail "--ascii still printed UTF-8"
log "ASCII and 40x12 frames are right"

# Several nodes: one frame set per node.
LC_ALL=C.UTF-8 "$BIN/agentconsole" --rpc "$RPC_A" --cookie "$T/a/.cookie" \
	--rpc "127.0.0.1:$(cat "$T/b/rpcport")" --cookie "$T/b/.cookie" --once --size 100x20 > "$T/two.txt" ||
	fail "two nodes"
grep -q "node 2/2 127.0.0.1:$(cat "$T/b/rpcport"), view 7 Log" "$T/two.txt" || fail "second node's frames"

# An unreachable node: exit 1, and the frame says why.
LC_ALL=C.UTF-8 "$BIN/agentconsole" --rpc 127.0.0.1:1 --once --size 80x20 > "$T/down.txt"
rc=$?
[ $rc -eq 1 ] || fail "unreachable node: exit $rc, want 1"
grep -q "disconnected, retrying" "$T/down.txt" || fail "no disconnected state"
grep -qi "refused" "$T/down.txt" || fail "the reason is not shown"
# Issue 16 item 8: the Overview and Bans frames of a node that is down
# are printed too, the Overview naming it down with the reason.
for v in "view 1 Overview" "view 6 Bans"; do
	grep -q -- "$v ===" "$T/down.txt" || fail "down node: no $v frame"
done
grep -Eq "127.0.0.1:1 +down [0-9]+s: .*refused" "$T/down.txt" || fail "overview does not show the node down"
# A missing crawl database is named in the view, not fatal.
LC_ALL=C.UTF-8 "$BIN/agentconsole" --rpc "$RPC_A" --cookie "$T/a/.cookie" --crawl-db "$T/nope.db" \
	--once --size 100x20 | grep -q "nope.db" || fail "missing crawl DB not named"

# The console: section of a --config file names the nodes, the first view,
# the sort and the theme; flags override it; a bad key or value is refused
# with the file and line, as the other programs do.
cat > "$T/console.yaml" <<EOF
network:
  name: regtest
console:
  nodes:
    - name=alpha rpc=$RPC_A cookie=$T/a/.cookie
    - name=bravo rpc=127.0.0.1:$(cat "$T/b/rpcport") cookie=$T/b/.cookie
  view: latency
  sort: -address
  theme: mono
crawler:
  db: $T/crawl.db
EOF
LC_ALL=C.UTF-8 "$BIN/agentconsole" --config "$T/console.yaml" --once --size 100x20 > "$T/cfg.txt" ||
	fail "--config: $(tail -3 "$T/cfg.txt")"
grep -q "node 1/2 alpha, view 2 Peers" "$T/cfg.txt" || fail "--config: node alpha by name"
grep -q "node 2/2 bravo, view 5 Network" "$T/cfg.txt" || fail "--config: node bravo by name"
grep -q "live  \[1/2\] alpha  regtest" "$T/cfg.txt" || fail "--config: the name in the header"
grep -q "nodes 500  reachable 400" "$T/cfg.txt" || fail "--config: crawler.db not read"
grep -q "sort address desc" "$T/cfg.txt" || fail "--config: console.sort not applied"
LC_ALL=C.UTF-8 "$BIN/agentconsole" --config "$T/console.yaml" --sort ping --rpc "$RPC_A" \
	--cookie "$T/a/.cookie" --once --size 100x20 > "$T/cfg2.txt" || fail "--config with flags"
grep -q "node 1/1 $RPC_A" "$T/cfg2.txt" || fail "--rpc does not replace console.nodes"
grep -q "sort ping" "$T/cfg2.txt" || fail "--sort does not override console.sort"
printf 'console:\n  view: peers\n  colour: dark\n' > "$T/bad1.yaml"
printf 'console:\n  nodes:\n    - rpc=127.0.0.1:1\n    - rpc=example.com:1\n' > "$T/bad2.yaml"
printf 'console:\n\n  sort: speed\n' > "$T/bad3.yaml"
for c in "bad1.yaml:3: unknown key 'console.colour'" \
    "bad2.yaml:4: console.nodes: 'example.com' is not a numeric address" \
    "bad3.yaml:3: console.sort: unknown column 'speed'"; do
	f=${c%%:*}
	out=$("$BIN/agentconsole" --config "$T/$f" --once 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "$f: exit $rc, want 1"
	[ "${out#"agentconsole: $T/$c"}" != "$out" ] || fail "$f: got '$out', want '$T/$c...'"
done
out=$("$BIN/agentconsole" --set console.interval=0.1 2>&1) && fail "--set console.interval=0.1 accepted"
echo "$out" | grep -q "console.interval: 0.25..3600 seconds, got 0.1" || fail "--set: '$out'"
log "--config: the console section, flags over it, file:line errors"

# Bad flags are refused with a message and status 1.
for bad in "--rpc nonsense" "--rpc 127.0.0.1" "--rpc example.com:1" "--interval 0" \
    "--interval x" "--sort bogus" "--view 9" "--size 0x5" "--network moon" "--cookie c" \
    "--geoip-db $T/nope.mmdb --once" "--theme blue" "--size 5" "--config $T/nope.yaml" "stray"; do
	# shellcheck disable=SC2086
	out=$("$BIN/agentconsole" $bad 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "'$bad': exit $rc, want 1"
	[ -n "$out" ] || fail "'$bad': no message"
done

# --help lists every flag of the table and every key.
"$BIN/agentconsole" --help > "$T/help.txt" || fail "--help"
for f in config set datadir rpc cookie network crawl-db geoip-db interval timeout once size \
    theme no-color ascii sort view stats-file help-config version help; do
	grep -q -- "--$f" "$T/help.txt" || fail "--help lacks --$f"
done
for k in "Down, j" "Enter" "Esc" "/" "d " "b " "a " "PgDn, Space"; do
	grep -qF -- "  $k" "$T/help.txt" || fail "--help lacks key '$k'"
done
# The man page carries every key and column of the program's tables.
page="$ROOT/man/agentconsole.1"
sed -n '/^keys:/,/^$/p' "$T/help.txt" | sed '1d;$d' | cut -c24- | sed 's/ \[[A-Za-z, ]*\]$//' |
while IFS= read -r desc; do
	grep -qF -- "$desc" "$page" || fail "agentconsole.1 lacks the key described as '$desc'"
done || exit 1
for c in $(sed -n '/^peer table columns/{n;p}' "$T/help.txt"); do
	grep -q "^\.It Cm $c\$" "$page" || fail "agentconsole.1 lacks column $c"
done
echo "PASS console_once"
