#!/usr/bin/env bash
# docs/screenshots.sh -- regenerate the console screenshots in docs/img/
# (README.md and agentconsole(1) show them): twelve regtest agentnodes on
# loopback addresses that the demo's GeoIP database places in six cities,
# dialling each other through tests/tools/wanproxy with the demo's
# inter-city round trips, pinging every 2 s (node.ping_interval) so latency
# has a history, mining a block every few seconds so the Chain view shows
# propagation, agentcrawl mapping them (directly: its probes through the
# emulator would last long enough to fill the event log), and agentconsole
# watching three of them in a private tmux server at SIZE.  One node asks for more peers than
# it can get and one bans an address while the console watches, so the
# alerts are real.  Each view is captured with its colours (tmux
# capture-pane -e) and drawn as a PNG by docs/ansi2png.py; the text frames
# go beside them (.txt), with an 80x24 --once Overview taken after tokyo
# is stopped, which README.md and agentconsole(1) quote (rewritten here).
#
# Needs: a build (make all), tmux, perl with libmaxmind-db-writer-perl
# (.ci/deps installs both), and python3-pil with fonts-dejavu-core
# (apt-get install python3-pil fonts-dejavu-core).  Not run by CI.
#
# Environment: BIN (default bin), BUILD (build), SIZE (160x45), SETTLE
# (seconds of pings and blocks before the capture, default 50), OUT
# (default docs/img).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-bin}; BUILD=${BUILD:-build}; SIZE=${SIZE:-160x45}; SETTLE=${SETTLE:-50}
OUT=${OUT:-docs/img}
PY=/usr/bin/python3
die() { echo "screenshots: $*" >&2; exit 1; }
for f in agentnode agentcrawl agentconsole; do
	[ -x "$BIN/$f" ] || die "build first (make all): no $BIN/$f"
done
command -v tmux >/dev/null || die "tmux is missing"
"$PY" -c 'import PIL' 2>/dev/null || die "python3-pil is missing (apt-get install python3-pil)"
[ -r /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] ||
	die "DejaVu Sans Mono is missing (apt-get install fonts-dejavu-core)"

D=$(mktemp -d); PIDS=(); NODE_PIDS=(); TM=(tmux -L "agentconsole-shots-$$" -f /dev/null)
trap '"${TM[@]}" kill-server 2>/dev/null; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$D"' EXIT
# A loopback /16 of its own (127.N.0.0), so that a demo or a test running
# meanwhile on 127.0.x.y is left alone; the GeoIP file moves with it.
NODES=12; P2P=29001; RPC0=$((21000 + RANDOM % 2000)); NETO=$((40 + RANDOM % 150))
node_ip() { echo "127.$NETO.$(( $1 % 6 + 1 )).$(( 10 + $1 / 6 ))"; }
rpc() {
	"$BIN/agentnode" rpc --network regtest --datadir "$D/node$1" \
	    --rpc-connect "127.0.0.1:$((RPC0 + $1))" --rpc-timeout 5 "${@:2}"
}
# until SECONDS WHAT COMMAND...: poll with a deadline.
until_ok() {
	local end=$(( $(date +%s) + $1 )) what=$2; shift 2
	while [ "$(date +%s)" -lt "$end" ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
	die "timed out waiting for $what"
}
screen() { "${TM[@]}" capture-pane -p -t shots; }
shows() { screen | grep -Eq -- "$1"; }

sed "s/^127\.0\./127.$NETO./" "$ROOT/tests/tools/geoip-demo.tsv" > "$D/geo.tsv"
perl "$ROOT/tests/tools/mkgeoip.pl" "$D/geo.mmdb" < "$D/geo.tsv" ||
	die "cannot build the GeoIP database"
make --no-print-directory "$BUILD/tests/tools/wanproxy" >/dev/null || die "cannot build wanproxy"
WAN=127.0.0.1:$((RPC0 - 1))
"$BUILD/tests/tools/wanproxy" --listen "$WAN" --geoip "$D/geo.tsv" \
    --matrix "$ROOT/tests/tools/wan-matrix.tsv" --default-city Frankfurt > "$D/wan.log" 2>&1 &
PIDS+=($!)
until_ok 10 "wanproxy" grep -q "wanproxy listening" "$D/wan.log"
for i in $(seq 0 $((NODES - 1))); do
	args=(--network regtest --datadir "$D/node$i" --listen "$(node_ip "$i"):$P2P"
	    --rpc-listen "127.0.0.1:$((RPC0 + i))" --min-peers 4 --max-peers 40
	    --geoip-db "$D/geo.mmdb" --log-level warn --log-file "$D/node$i.log"
	    --set node.ping_interval=2 --proxy "$WAN")
	if [ "$i" = 0 ]; then
		args+=(--seed)
	else
		args+=(--seed-node "$(node_ip 0):$P2P")
	fi
	# Node 2 wants more outbound peers than the network offers: an alert.
	[ "$i" = 2 ] && args+=(--min-peers 14)
	"$BIN/agentnode" start "${args[@]}" &
	PIDS+=($!)
	NODE_PIDS+=($!)
done
until_ok 20 "the seed's RPC" rpc 0 getnetworkinfo
"$BIN/agentcrawl" crawl --network regtest --db "$D/crawl.db" --seed "$(node_ip 0):$P2P" \
    --geoip-db "$D/geo.mmdb" --asn-db "$D/geo.mmdb" > "$D/crawl.log" 2>&1 &
PIDS+=($!)

cat > "$D/console.yaml" <<EOF
network:
  name: regtest
console:
  nodes:
    - name=frankfurt rpc=127.0.0.1:$RPC0 cookie=$D/node0/.cookie
    - name=newyork rpc=127.0.0.1:$((RPC0 + 1)) cookie=$D/node1/.cookie
    - name=tokyo rpc=127.0.0.1:$((RPC0 + 2)) cookie=$D/node2/.cookie
  geoip_db: $D/geo.mmdb
  interval: 1
crawler:
  db: $D/crawl.db
EOF
"${TM[@]}" new-session -d -s shots -x "${SIZE%x*}" -y "${SIZE#*x}" \
	"env LC_ALL=C.UTF-8 TERM=xterm-256color $ROOT/$BIN/agentconsole --config $D/console.yaml; sleep 600"
until_ok 30 "the console" shows "frankfurt +live"
# An operator bans an address on frankfurt while the console watches.
until_ok 30 "peers" shows "frankfurt +live .* [1-9][0-9]*/[0-9]+ "
rpc 0 setban "127.$NETO.6.200/32" add 86400 >/dev/null || die "setban failed"
echo "letting the nodes ping each other and mine for ${SETTLE}s"
end=$(( $(date +%s) + SETTLE ))
while [ "$(date +%s)" -lt "$end" ]; do
	rpc $((RANDOM % NODES)) generate 1 $((RANDOM % 30000)) >/dev/null || die "generate failed"
	rpc $((RANDOM % NODES)) sendrawtransaction \
	    "$(head -c $((60 + RANDOM % 400)) /dev/urandom | od -An -tx1 | tr -d ' \n')" >/dev/null
	sleep 5		# the pace of the blocks, not a wait for anything
done

mkdir -p "$OUT"
capture() {	# NAME KEYS...: show a view, capture it, draw it
	local name=$1; shift
	"${TM[@]}" send-keys -t shots "$@"
	sleep 1.5	# a poll or two with the view open: the frame settles
	"${TM[@]}" capture-pane -e -p -t shots > "$D/$name.ansi"
	screen > "$OUT/console-$name.txt"
	"$PY" "$ROOT/docs/ansi2png.py" "$D/$name.ansi" "$OUT/console-$name.png" "${SIZE%x*}" "${SIZE#*x}" ||
		die "cannot draw $name"
	echo "$OUT/console-$name.png"
}
capture overview 1
capture geo 3
capture latency 4 Down Down Down
capture peers 2
capture bans 6
capture chain 8
"${TM[@]}" send-keys -t shots q
# The text frame of the README: tokyo stopped, --once at 80x24.
kill "${NODE_PIDS[2]}"
until_ok 10 "tokyo to stop" sh -c "! kill -0 ${NODE_PIDS[2]} 2>/dev/null"
overview() {
	awk 'index($0, "=== agentconsole --once: node 1/3 frankfurt, view 1 Overview") == 1 { on = 1; next }
	    index($0, "=== agentconsole --once") == 1 { on = 0 } on'
}
LC_ALL=C.UTF-8 "$BIN/agentconsole" --config "$D/console.yaml" --once --size 80x24 |
	overview > "$OUT/console-once-80x24.txt"
echo "$OUT/console-once-80x24.txt"
# The same in ASCII, for agentconsole(1).
LC_ALL=C.UTF-8 "$BIN/agentconsole" --config "$D/console.yaml" --once --size 80x24 --ascii |
	overview > "$OUT/console-once-80x24-ascii.txt"
echo "$OUT/console-once-80x24-ascii.txt"

# Quote the text frames in README.md and agentconsole(1).
"$PY" - "$OUT" <<'PY'
import sys
out = sys.argv[1]

def replace(path, begin, end, body):
    text = open(path).read()
    pre, rest = text.split(begin, 1)
    post = rest.split(end, 1)[1]
    open(path, "w").write(pre + begin + "\n" + body + "\n" + end + post)

frame = open(out + "/console-once-80x24.txt").read().rstrip("\n")
replace("README.md", "<!-- console:once begin -->", "<!-- console:once end -->",
    "```\n" + frame + "\n```")
lines = []
for line in open(out + "/console-once-80x24-ascii.txt").read().rstrip("\n").split("\n"):
    line = line.replace("\\", "\\e")
    if line.startswith((".", "'")):
        line = "\\&" + line
    lines.append(line)
replace("man/agentconsole.1", '.\\" console:once begin', '.\\" console:once end',
    ".Bd -literal\n" + "\n".join(lines) + "\n.Ed")
PY
echo "README.md and man/agentconsole.1 quote the new frames"
