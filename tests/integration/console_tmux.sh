#!/usr/bin/env bash
# console_tmux.sh -- drive the real agentconsole in tmux (send-keys,
# capture-pane) against real agentnode processes on loopback: the peers view
# lists the connected peers, sorting and filtering change the visible rows,
# `d` + confirm disconnects a peer (checked over RPC), `b` bans and `a` adds
# a node (checked over RPC), `?` shows the help, resizing never kills it, a
# killed node shows "disconnected, retrying" and recovers when restarted,
# a --config file names the node and picks the first view and the theme,
# and q, SIGTERM and a crash all give the terminal back.  Every wait polls the
# screen with a deadline.
source "$(dirname "$0")/lib.bash"

source "$(dirname "$0")/console_lib.bash"

peer_ips() { screen | grep -oE "$NET\.0\.[0-9]+:[0-9]+" | sed 's/:.*//'; }
peer_id_of() {	# peer_id_of NODE IP: the id NODE gives the peer from IP
	rpc "$1" getpeerinfo | json "[p['id'] for p in d if p['addr'].startswith('$2:')][0]"
}
# console NAME COLSxROWS ARGS...: run agentconsole in a new session; when
# it exits the shell records its status and the terminal's modes.
console() {
	local name=$1 size=$2; shift 2
	"${TM[@]}" new-session -d -s "$name" -x "${size%x*}" -y "${size#*x}" \
		"env LC_ALL=C.UTF-8 $BIN/agentconsole $* ; echo \"exit=\$?\" > $T/$name.exit; stty -a > $T/$name.stty; sleep 600"
}
console_pid() {
	local sh; sh=$("${TM[@]}" display -p -t "$1" '#{pane_pid}')
	pgrep -P "$sh" agentconsole
}
terminal_restored() {	# the shell after the console sees a sane tty
	[ -s "$T/$1.stty" ] && grep -qw icanon "$T/$1.stty" && grep -qw echo "$T/$1.stty" &&
		! grep -qw -- -icanon "$T/$1.stty" && ! grep -qw -- -echo "$T/$1.stty"
}

# The watched node a; b, c, d connect to it; e is left alone for `a`.
start_node a 1 --min-peers 0 --max-peers 20
for i in 2 3 4; do
	start_node "n$i" "$i" --seed-node "$(ip_of 1):$REGTEST_P2P" --min-peers 1
done
start_node e 5 --min-peers 0
three_peers() { [ "$(peer_count a)" -ge 3 ]; }
wait_for 30 "a has three peers" three_peers
RPC_A="127.0.0.1:$(cat "$T/a/rpcport")"
console con 120x30 --rpc "$RPC_A" --cookie "$T/a/.cookie" --interval 0.5

# 1. The Overview comes first and shows the node; 2 opens the peers view,
# which lists the connected peers.
wait_screen 15 "live header" "live  $RPC_A"
wait_screen 5 "the Overview's node table" "$RPC_A +live "
keys 2
for i in 2 3 4; do
	wait_screen 15 "peer $(ip_of "$i")" "$(ip_of "$i"):"
done
wait_screen 5 "peer count" "3/3 peers"
log "peers view lists the three peers"

# 2. Sorting changes the order of the rows.
keys s
wait_screen 5 "sorted by address" "sort address"
want="$(ip_of 2) $(ip_of 3) $(ip_of 4)"
[ "$(peer_ips | xargs)" = "$want" ] || fail "address order: got '$(peer_ips | xargs)', want '$want'"
keys r
wait_screen 5 "sorted by address, descending" "sort address desc"
want="$(ip_of 4) $(ip_of 3) $(ip_of 2)"
ok() { [ "$(peer_ips | xargs)" = "$want" ]; }
wait_for 5 "descending order ($want)" ok
log "sorting reorders the rows"

# 3. Filtering changes the visible rows; Esc brings them back.
keys / "$(ip_of 3)" Enter
wait_screen 5 "filter applied" "1/3 peers  filter"
[ "$(peer_ips | xargs)" = "$(ip_of 3)" ] || fail "filter left rows: $(peer_ips | xargs)"
log "the filter shows only $(ip_of 3)"

# 4. d + confirm disconnects the selected peer, named in the question.
victim=$(peer_id_of a "$(ip_of 3)")
keys d
wait_screen 5 "confirmation naming peer #$victim" "Disconnect peer #$victim $(ip_of 3):"
keys y
wait_screen 10 "disconnect reported" "peer #$victim .* disconnected"
gone() { ! rpc a getpeerinfo | json "[p['id'] for p in d]" | grep -qw "$victim"; }
wait_for 10 "peer #$victim gone from a's getpeerinfo" gone
log "peer #$victim disconnected (verified over RPC)"
keys Escape
wait_screen 5 "filter cleared" "/[0-9] peers  sort"

# 5. b bans the selected peer's address for the duration typed.
keys / "$(ip_of 4)" Enter
wait_screen 5 "filter on $(ip_of 4)" "1/[0-9] peers  filter"
keys b
wait_screen 5 "ban duration prompt" "Ban $(ip_of 4) \(peer #[0-9]+\) for how long"
keys C-u 2h Enter
wait_screen 5 "ban confirmation" "Ban $(ip_of 4) \(peer #[0-9]+\) on .* for 2h00m\? \(y/n\)"
keys y
banned() { rpc a listbanned | grep -q "$(ip_of 4)"; }
wait_for 10 "$(ip_of 4) in a's listbanned" banned
wait_screen 10 "ban reported" "$(ip_of 4) banned for 2h00m"
keys Escape
log "ban of $(ip_of 4) confirmed over RPC"

# 6. a asks the node to add a node.
keys a
wait_screen 5 "add-node prompt" "Add node \(host:port\)"
keys "$(ip_of 5):$REGTEST_P2P" Enter
added() { rpc a getpeerinfo | grep -q "\"$(ip_of 5):$REGTEST_P2P\""; }
wait_for 20 "a connects to e" added
# The node's own answer is shown (the outcome, or that it took the request).
wait_screen 30 "add node reported" "add node $(ip_of 5):$REGTEST_P2P: (connected|added|the node took it)"
log "add node reached $(ip_of 5)"

# 7. ? shows the help generated from the key table; Esc closes it.
keys '?'
wait_screen 5 "help screen" "Keys \(Esc or \? closes"
keys NPage		# longer than the screen: it scrolls
wait_screen 5 "help lists d" "disconnect the selected peer"
keys Escape
wait_screen 5 "help closed" "peers  sort"

# 8. Other views render; p pauses.
for v in 1:"Last events" 3:"Countries" 4:"Last ping per peer" 5:"no crawl database" \
    6:"Bans of $RPC_A" 7:"held, [0-9]+ in all"; do
	keys "${v%%:*}"
	wait_screen 5 "view ${v%%:*}" "${v#*:}"
done
keys 2 p
wait_screen 5 "paused" "PAUSED"
keys p
wait_screen 5 "resumed" "live  $RPC_A"

# 9. Resizing, down to 40x12 and below, never kills it.
for sz in 40x12 200x50 20x6 10x3 80x24 40x12 120x30; do
	"${TM[@]}" resize-window -t con -x "${sz%x*}" -y "${sz#*x}"
	case $sz in
	10x3) wait_screen 5 "too-small notice at $sz" "agentcons" ;;
	20x6) wait_screen 5 "header at $sz" "live" ;;
	*) wait_screen 5 "header at $sz" "live  " ;;
	esac
	[ -n "$(console_pid con)" ] || fail "console died after resizing to $sz"
done
log "survived resizes down to 10x3"

# 10. A killed node shows "disconnected, retrying" and recovers.
kill9_node a
wait_screen 10 "disconnected state" "disconnected, retrying"
start_node a 1 --min-peers 0 --max-peers 20
wait_screen 20 "recovered after restart" "live  $RPC_A"
log "recovered after the node restarted (new cookie read)"

# 11. q quits and gives the terminal back.
keys q
wait_for 10 "console exits on q" test -s "$T/con.exit"
grep -q "exit=0" "$T/con.exit" || fail "exit status: $(cat "$T/con.exit")"
wait_for 5 "stty recorded" test -s "$T/con.stty"
terminal_restored con || fail "terminal not restored after q: $(head -5 "$T/con.stty")"

# 11b. A --config file's console: section names the node and picks the
# first view and the theme: titles are blue on a light background (green
# in the dark default).
cat > "$T/light.yaml" <<EOF
console:
  nodes: ['name=alpha rpc=$RPC_A cookie=$T/a/.cookie']
  view: geo
  theme: light
EOF
console light 100x30 --config "$T/light.yaml"
wait_screen 10 "the Geo view first, the node by its name" "Peers of alpha" light
# The colour codes just before the title (the box border has its own).
title_sgr() { "${TM[@]}" capture-pane -e -p -t "$1" | grep -Eo $'(\e\\[[0-9;]*m)+[^\e]*Peers of alpha' | grep -o $'\e\\[[0-9;]*m'; }
title_sgr light | grep -q '34' || fail "light theme: title not blue: $(title_sgr light | od -c | head -3)"
"${TM[@]}" send-keys -t light q
wait_for 10 "console exits on q" test -s "$T/light.exit"
console dark 100x30 --config "$T/light.yaml" --theme dark
wait_screen 10 "the Geo view, dark" "Peers of alpha" dark
title_sgr dark | grep -q '32' || fail "dark theme: title not green: $(title_sgr dark | od -c | head -3)"
"${TM[@]}" send-keys -t dark q
wait_for 10 "console exits on q" test -s "$T/dark.exit"
log "--config: named node, first view and theme (light, and --theme dark over it)"

# 12. SIGTERM (and a non-UTF-8, monochrome terminal) ends cleanly too.
"${TM[@]}" new-session -d -s mono -x 40 -y 12 \
	"env LC_ALL=C NO_COLOR=1 $BIN/agentconsole --rpc $RPC_A --cookie $T/a/.cookie; echo \"exit=\$?\" > $T/mono.exit; stty -a > $T/mono.stty; sleep 600"
wait_screen 10 "ASCII header" "^\* live" mono
screen mono | LC_ALL=C grep -q $'[\x80-\xff]' && fail "non-ASCII output in the C locale"
pid=$(console_pid mono)
[ -n "$pid" ] || fail "no console pid in session mono"
kill -TERM "$pid"
wait_for 10 "console exits on SIGTERM" test -s "$T/mono.exit"
grep -q "exit=0" "$T/mono.exit" || fail "exit status after SIGTERM: $(cat "$T/mono.exit")"
wait_for 5 "stty recorded" test -s "$T/mono.stty"
terminal_restored mono || fail "terminal not restored after SIGTERM"

# 13. A crash (SIGSEGV) still resets the terminal before the process dies.
console crash 80x24 --rpc "$RPC_A" --cookie "$T/a/.cookie"
wait_screen 10 "console up" "live  $RPC_A" crash
kill -SEGV "$(console_pid crash)"
wait_for 10 "console dies of SIGSEGV" test -s "$T/crash.exit"
grep -q "exit=139" "$T/crash.exit" || fail "crash exit: $(cat "$T/crash.exit")"
wait_for 5 "stty recorded" test -s "$T/crash.stty"
terminal_restored crash || fail "terminal left raw after a crash: $(grep -o -- '-*icanon\|-*echo ' "$T/crash.stty")"
log "q, SIGTERM and SIGSEGV all give the terminal back"
echo "PASS console_tmux"
