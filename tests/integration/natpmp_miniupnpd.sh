#!/usr/bin/env bash
# natpmp_miniupnpd.sh -- node/natpmp (PCP and NAT-PMP) against Debian's miniupnpd in private network namespaces.
#
# Topology, all of it created here and deleted on every exit path:
#
#   ns CLIENT                            ns ROUTER
#   eth0 192.168.77.2/24      <-veth->   lan0 192.168.77.1/24   miniupnpd
#        2a02:898:77::2/64                    2a02:898:77::1/64, fe80::1
#   default via 192.168.77.1                  (NAT-PMP + PCP, nftables)
#   default via fe80::1 (IPv6)           wan0 81.2.69.160/24 <-veth-> wanpeer
#
# The addresses look public because miniupnpd (rightly) refuses to hand
# out mappings behind a private external address and the node only opens
# pinholes for global IPv6 addresses; they exist only inside ROUTER and
# CLIENT, so no packet reaches any real network.  Duplicate address
# detection and router advertisements are off, so addresses are usable at
# once and nothing but the test's own traffic is sent.
#
# Debian 12's miniupnpd 2.3.1 is built with PCP (RFC 6887) as well as
# NAT-PMP, and answers both on port 5351; the node speaks PCP first, so
# NAT-PMP is driven by build/tests/tools/natpmp_probe --force natpmp.
#
# Checks, each against miniupnpd's own state (its nft rules in ROUTER):
#   1. agentnode (PCP, gateways found in /proc/net/route and ipv6_route):
#      the IPv4 DNAT rule and the IPv6 pinhole appear, the lease (4 s) is
#      renewed, getnetworkinfo shows both mapped and advertises the external
#      address in localaddresses, SIGTERM removes both rules.
#   2. natpmp_probe --force natpmp: the same mapping by NAT-PMP, renewed,
#      removed on SIGTERM.
#   3. miniupnpd gone: the node logs exactly one clear line per address
#      family and schedules the next try a back-off later (60 s); the probe,
#      with a 1 s back-off, retries with growing gaps and still says it once.
#
# Prints "SKIP: ..." and exits 0 only when namespaces cannot be created.
source "$(dirname "$0")/lib.bash"

NS_R=acnat-r-$$
NS_C=acnat-c-$$
PORT=9333
RPCPORT=18555
ns_made=()
mud_pid=

finish() {
	local rc=$? ns i
	# Our processes by PID, the last started first, so that miniupnpd (and
	# with it the router namespace and the link) goes last; lib's cleanup
	# then finds them gone and reports and removes $T.
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -TERM "${PIDS[i]}" 2>/dev/null || continue
		for _ in $(seq 50); do kill -0 "${PIDS[i]}" 2>/dev/null || break; sleep 0.1; done
	done
	for ns in "${ns_made[@]}"; do ip netns delete "$ns" 2>/dev/null; done
	(exit $rc)
	cleanup
}
trap finish EXIT
trap 'echo "FAIL: interrupted" >&2; exit 1' INT TERM HUP

in_r() { ip netns exec "$NS_R" "$@"; }
in_c() { ip netns exec "$NS_C" "$@"; }

# --- can we have namespaces at all? ------------------------------------------
if ! ip netns add "$NS_R" 2>/dev/null; then
	echo "SKIP: cannot create network namespaces here (needs root / CAP_NET_ADMIN)"
	exit 0
fi
ns_made+=("$NS_R")
ip netns add "$NS_C" || fail "ip netns add $NS_C"
ns_made+=("$NS_C")

for t in miniupnpd nft python3; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
		fail "$t not installed (Debian: miniupnpd miniupnpd-nftables nftables python3)"
done
MINIUPNPD=$(command -v miniupnpd || echo /usr/sbin/miniupnpd)
NFT=$(command -v nft || echo /usr/sbin/nft)
PROBE=$TOOLS/natpmp_probe
[ -x "$PROBE" ] || fail "$PROBE not built (make $PROBE)"
[ -x "$BIN/agentnode" ] || fail "$BIN/agentnode not built"

# --- the network -------------------------------------------------------------------
for ns in "$NS_R" "$NS_C"; do
	ip netns exec "$ns" sh -c 'for k in all default; do
	    echo 0 > /proc/sys/net/ipv6/conf/$k/accept_dad;
	    echo 0 > /proc/sys/net/ipv6/conf/$k/accept_ra;
	    echo 0 > /proc/sys/net/ipv6/conf/$k/router_solicitations; done' ||
		fail "cannot set IPv6 sysctls in $ns"
	ip -n "$ns" link set lo up || fail "lo up in $ns"
done
ip -n "$NS_R" link add lan0 type veth peer name eth0 netns "$NS_C" || fail "veth lan0"
ip -n "$NS_R" link add wan0 type veth peer name wanpeer || fail "veth wan0"
ip -n "$NS_R" addr add 192.168.77.1/24 dev lan0 || fail "addr lan0"
ip -n "$NS_R" addr add 2a02:898:77::1/64 dev lan0 nodad || fail "addr6 lan0"
ip -n "$NS_R" addr add fe80::1/64 dev lan0 nodad || fail "link-local lan0"
ip -n "$NS_R" addr add 81.2.69.160/24 dev wan0 || fail "addr wan0"
ip -n "$NS_C" addr add 192.168.77.2/24 dev eth0 || fail "addr eth0"
ip -n "$NS_C" addr add 2a02:898:77::2/64 dev eth0 nodad || fail "addr6 eth0"
for l in lan0 wan0 wanpeer; do ip -n "$NS_R" link set "$l" up || fail "up $l"; done
ip -n "$NS_C" link set eth0 up || fail "up eth0"
ip -n "$NS_C" route add default via 192.168.77.1 || fail "default route"
ip -n "$NS_C" -6 route add default via fe80::1 dev eth0 || fail "IPv6 default route"

# The chains miniupnpd's nftables backend fills (its defaults: table inet
# filter, chains miniupnpd / prerouting_miniupnpd / postrouting_miniupnpd).
in_r "$NFT" -f - <<'EOF' || fail "nft ruleset"
table inet filter {
	chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
	chain miniupnpd { }
	chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
	chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
	chain prerouting_miniupnpd { }
	chain postrouting_miniupnpd { }
}
EOF

# min_lifetime=2: PCP clamps shorter leases up to it (default 120 s),
# and the test wants to see renewals within seconds.
cat > "$T/miniupnpd.conf" <<EOF
ext_ifname=wan0
ext_ifname6=wan0
listening_ip=lan0
http_port=5000
enable_natpmp=yes
enable_upnp=no
secure_mode=yes
system_uptime=yes
min_lifetime=2
lease_file=$T/upnp.leases
uuid=0b7f2c2e-58a1-4c3e-9d31-5d6e1f2a7b44
allow 1024-65535 192.168.77.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF

# ip netns exec execs, so $! is miniupnpd itself.
ip netns exec "$NS_R" "$MINIUPNPD" -d -f "$T/miniupnpd.conf" -P "$T/miniupnpd.pid" \
    >"$T/miniupnpd.log" 2>&1 &
mud_pid=$!
PIDS+=("$mud_pid")
mud_listening() {
	kill -0 "$mud_pid" 2>/dev/null || fail "miniupnpd exited"
	grep -qs "Listening for NAT-PMP/PCP traffic on port 5351" "$T/miniupnpd.log"
}
wait_for 10 "miniupnpd listening" mud_listening

# --- miniupnpd's state -----------------------------------------------------------
dnat_present() {
	in_r "$NFT" list chain inet filter prerouting_miniupnpd |
		grep -q "dport $1 dnat ip to 192.168.77.2:$1"
}
dnat_absent() {
	local out
	out=$(in_r "$NFT" list chain inet filter prerouting_miniupnpd) || return 1
	! grep -q "dport $1 " <<<"$out"
}
# nft 1.0.6 prints the pinhole's match on the IPv6 destination as a raw
# payload expression: 128 bits at offset 192 of the network header.
PINHOLE_DADDR=0x2a020898007700000000000000000002
pinhole_present() {
	in_r "$NFT" list chain inet filter miniupnpd |
		grep -q "th dport $1 @nh,192,128 $PINHOLE_DADDR "
}
pinhole_absent() {
	local out
	out=$(in_r "$NFT" list chain inet filter miniupnpd) || return 1
	! grep -q "$PINHOLE_DADDR" <<<"$out"
}

# --- the node ------------------------------------------------------------------------
# start_client NAME: agentnode in CLIENT, listening on both families.
start_client() {
	local dir=$T/$1
	mkdir -p "$dir"
	ip netns exec "$NS_C" "$BIN/agentnode" start --network regtest --datadir "$dir" \
	    --listen "0.0.0.0:$PORT" --listen "[::]:$PORT" --rpc-listen "127.0.0.1:$RPCPORT" \
	    --no-dns-seeds --set network.seeds= --natpmp --set node.natpmp_lease=4 \
	    --log-file "$dir/node.log" &
	local pid=$!
	PIDS+=("$pid")
	echo "$pid" > "$dir/pid"
	wait_for 10 "$1 RPC up" info "$1"
}
info() {
	in_c "$BIN/agentnode" rpc --network regtest --datadir "$T/$1" \
	    --rpc-connect "127.0.0.1:$RPCPORT" --rpc-timeout 5 getnetworkinfo >"$T/$1.json"
}
# check NAME PYTHON-EXPRESSION: getnetworkinfo as I, its natpmp as N.
check() {
	info "$1" || return 1
	python3 -c 'import json, sys, time
i = json.load(open(sys.argv[1])); n = i["natpmp"]
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$T/$1.json" "$2"
}
# stop_client NAME: SIGTERM, wait for the exit.
stop_client() {
	local pid; pid=$(cat "$T/$1/pid")
	kill -TERM "$pid"
	wait_for 10 "$1 to exit" eval "! kill -0 $pid"
	wait "$pid" || fail "$1: exit status $?"
}

# 1. PCP, both families, through the node.
start_client pcp
wait_for 10 "IPv4 DNAT rule" dnat_present "$PORT"
wait_for 10 "IPv6 pinhole" pinhole_present "$PORT"
wait_for 10 "both mapped by PCP, renewed, external address advertised" check pcp '
    n["enabled"] and
    n["ipv4"]["state"] == "mapped" and n["ipv4"]["protocol"] == "pcp" and
    n["ipv4"]["gateway"] == "192.168.77.1" and
    n["ipv4"]["internal"] == "192.168.77.2:9333" and
    n["ipv4"]["external"] == "81.2.69.160:9333" and n["ipv4"]["advertisable"] and
    n["ipv4"]["lease"] == 4 and n["ipv4"]["renewals"] >= 1 and
    n["ipv4"]["error"] == "" and n["ipv4"]["bad_replies"] == 0 and
    n["ipv6"]["state"] == "mapped" and n["ipv6"]["protocol"] == "pcp" and
    n["ipv6"]["gateway"] == "fe80::1%eth0" and
    n["ipv6"]["external"] == "[2a02:898:77::2]:9333" and
    n["ipv6"]["renewals"] >= 1 and
    i["localaddresses"] == ["81.2.69.160:9333"]'
dnat_present "$PORT" || fail "pcp: DNAT rule gone after renewals"
pinhole_present "$PORT" || fail "pcp: pinhole gone after renewals"
stop_client pcp
dnat_absent "$PORT" || fail "pcp: DNAT rule left behind after SIGTERM"
grep -q "IPv4: removed the mapping of TCP port $PORT at 192.168.77.1" "$T/pcp/node.log" ||
	fail "pcp: no IPv4 removal logged"
# miniupnpd before 2.3.6 (Debian 12 has 2.3.1) loses a pinhole's PCP
# nonce when it renews it (update_pinhole, fixed upstream by commit
# 358f430), and then refuses its owner's deletion as NOT_AUTHORIZED; the
# node says so and the pinhole lapses with its 4 s lease.
if grep -q "IPv6: removed the mapping of TCP port $PORT at fe80::1%eth0" "$T/pcp/node.log"; then
	pinhole_absent "$PORT" || fail "pcp: pinhole left behind after SIGTERM"
else
	grep -q "IPv6: gateway fe80::1%eth0 refused to remove the mapping of TCP port $PORT: NOT_AUTHORIZED (2); it lapses with its lease" \
	    "$T/pcp/node.log" || fail "pcp: IPv6 deletion neither done nor refused"
	grep -q "Unauthorized to remove PCP mapping internal port $PORT" "$T/miniupnpd.log" ||
		fail "pcp: miniupnpd did not see the IPv6 deletion"
	wait_for 10 "the pinhole to lapse" pinhole_absent "$PORT"
fi
grep -q "PCP MAP: added mapping TCP $PORT->192.168.77.2:$PORT" "$T/miniupnpd.log" ||
	fail "pcp: miniupnpd did not log a PCP mapping"
log "ok: pcp (IPv4 mapping and IPv6 pinhole, renewed, advertised, removed)"

# 2. NAT-PMP, forced, through the probe.
probe_renewed() {
	kill -0 "$probe_pid" 2>/dev/null || fail "natpmp_probe exited early"
	[ "$(grep -c "^status family=ipv4 state=mapped proto=natpmp gateway=192.168.77.1 internal=192.168.77.2:$PORT external=81.2.69.160:$PORT advertisable=1 lease=4 " "$T/natpmp.out")" -ge 2 ]
}
ip netns exec "$NS_C" "$PROBE" --force natpmp --port "$PORT" --lease 4 --until mapped \
    --count 2 --hold --timeout-ms 15000 >"$T/natpmp.out" 2>"$T/natpmp.log" &
probe_pid=$!
PIDS+=("$probe_pid")
wait_for 15 "NAT-PMP mapping and renewal" probe_renewed
dnat_present "$PORT" || fail "natpmp: no DNAT rule"
kill -TERM "$probe_pid"
wait_for 5 "natpmp_probe to exit" eval "! kill -0 $probe_pid"
wait "$probe_pid" || fail "natpmp: probe exit status $?"
grep -q "^stopped reached=1" "$T/natpmp.out" || fail "natpmp: no clean stop"
grep -q "IPv4: removed the mapping of TCP port $PORT at 192.168.77.1" "$T/natpmp.log" ||
	fail "natpmp: probe did not report the removal"
dnat_absent "$PORT" || fail "natpmp: DNAT rule left behind"
grep -q "NAT-PMP port mapping request : $PORT->192.168.77.2:$PORT tcp lifetime=4s" \
    "$T/miniupnpd.log" || fail "natpmp: miniupnpd saw no NAT-PMP request"
log "ok: natpmp (forced NAT-PMP, renewed, removed)"

# 3. No gateway: miniupnpd gone; the router answers port unreachable.
kill -TERM "$mud_pid"
wait_for 5 "miniupnpd to exit" eval "! kill -0 $mud_pid"
start_client nogw
wait_for 10 "both families at no-gateway, next try a back-off later" check nogw '
    all(n[f]["state"] == "no-gateway" and "port unreachable" in n[f]["error"] and
        n[f]["next_attempt"] - time.time() > 50 for f in ("ipv4", "ipv6")) and
    i["localaddresses"] == []'
[ "$(grep -c "\[natpmp\]" "$T/nogw/node.log")" -eq 2 ] ||
	fail "nogw: not exactly one natpmp line per family: $(grep "\[natpmp\]" "$T/nogw/node.log")"
grep -q "info  \[natpmp\] IPv4: no PCP or NAT-PMP server at 192.168.77.1 (port unreachable); running without a port mapping (next try in 60 s)" \
    "$T/nogw/node.log" || fail "nogw: unclear IPv4 line"
grep -q "info  \[natpmp\] IPv6: no PCP or NAT-PMP server at fe80::1%eth0 (port unreachable); running without a port mapping (next try in 60 s)" \
    "$T/nogw/node.log" || fail "nogw: unclear IPv6 line"
stop_client nogw
# The probe with a 1 s back-off: three failed rounds, gaps of 1 then 2 s,
# one info line, the rest at debug.
in_c "$PROBE" --port "$PORT" --backoff 1 --until no-gateway --count 3 --debug \
    --timeout-ms 10000 >"$T/backoff.out" 2>"$T/backoff.log" ||
	fail "backoff: probe did not see three failed rounds"
[ "$(grep -c "info  \[natpmp\]" "$T/backoff.log")" -eq 1 ] || fail "backoff: not one info line"
[ "$(grep -c "debug \[natpmp\] IPv4: still no-gateway" "$T/backoff.log")" -eq 2 ] ||
	fail "backoff: retries not at debug level"
python3 - "$T/backoff.log" <<'EOF' || fail "backoff: retries did not back off (1 s, then 2 s)"
import re, sys, datetime
t = [datetime.datetime.strptime(l[:23], "%Y-%m-%dT%H:%M:%S.%f")
     for l in open(sys.argv[1]) if "[natpmp] IPv4:" in l and "port unreachable" in l]
gaps = [(b - a).total_seconds() for a, b in zip(t, t[1:])]
sys.exit(0 if len(gaps) == 2 and 0.9 < gaps[0] < 1.8 and 1.9 < gaps[1] < 2.8 else 1)
EOF
log "ok: no gateway (one line per family, back-off 1 s then 2 s)"

echo "PASS: natpmp_miniupnpd"
