#!/usr/bin/env bash
# upnp_miniupnpd.sh -- node/upnp against Debian's miniupnpd inside private network namespaces.
#
# Topology, all of it created here and deleted on every exit path:
#
#   ns CLIENT                      ns ROUTER
#   eth0 192.168.77.2/24 <-veth-> lan0 192.168.77.1/24   miniupnpd (nftables)
#                                 wan0 81.2.69.160/24 <-veth-> wanpeer (same ns)
#
# The WAN address looks public because miniupnpd (rightly) refuses to
# hand out mappings behind a private or documentation address; it is only
# ever configured inside ROUTER and both ends of its link live there, so
# no packet reaches any real network.  IPv6 is switched off in both
# namespaces so nothing but the test's own traffic is sent.
#
# Checks, each against miniupnpd's own view (upnpc -L inside CLIENT and
# the nft DNAT rule inside ROUTER):
#   1. rootdesc URL: mapping appears, is renewed (lease 4 s -> renewal at
#      2 s), the external address is reported, SIGTERM removes it.
#   2. SSDP discovery on eth0: the same, found by multicast.
#   3. miniupnpd gone: exactly one clear "no UPnP internet gateway" line.
#
# Prints "SKIP: ..." and exits 0 only when namespaces cannot be created.
# Environment: AGENTCHAIN_TOOLS (directory of upnpc_probe; default
# build/tests/tools).
set -u
cd "$(dirname "$0")/../.."

TOOLS=${AGENTCHAIN_TOOLS:-$PWD/build/tests/tools}
PROBE=$TOOLS/upnpc_probe
NS_R=acupnp-r-$$
NS_C=acupnp-c-$$
URL=http://192.168.77.1:5000/rootDesc.xml
work=
mud_pid=
probe_pid=
ns_made=()

fail() {
	echo "FAIL: $*" >&2
	if [ -n "$work" ]; then
		for f in "$work"/*.log "$work"/*.out; do
			[ -e "$f" ] || continue
			echo "--- $f" >&2
			tail -n 30 "$f" >&2
		done
	fi
	exit 1
}

# Stop PID: SIGTERM, up to 5 s, then SIGKILL.  Only our own children.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	local ns
	stop_pid "$probe_pid"
	stop_pid "$mud_pid"
	for ns in "${ns_made[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	[ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted" >&2; exit 1' INT TERM HUP

# Poll CMD... every 0.1 s for up to SECONDS; 0 when it succeeded.
wait_for() {
	local secs=$1 i; shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

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

# From here on, anything missing is a failure, not a skip.
for t in miniupnpd upnpc nft; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
		fail "$t not installed (Debian: miniupnpd miniupnpd-nftables miniupnpc nftables)"
done
MINIUPNPD=$(command -v miniupnpd || echo /usr/sbin/miniupnpd)
NFT=$(command -v nft || echo /usr/sbin/nft)
[ -x "$PROBE" ] || fail "$PROBE not built (make $PROBE)"
work=$(mktemp -d "${TMPDIR:-/tmp}/upnp_miniupnpd.XXXXXX") || fail "mktemp"

# --- the network -------------------------------------------------------------------
for ns in "$NS_R" "$NS_C"; do
	ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6;
	    echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' ||
		fail "cannot disable IPv6 in $ns"
	ip -n "$ns" link set lo up || fail "lo up in $ns"
done
# Both veth pairs are born inside the namespaces: no names in the host's.
ip -n "$NS_R" link add lan0 type veth peer name eth0 netns "$NS_C" || fail "veth lan0"
ip -n "$NS_R" link add wan0 type veth peer name wanpeer || fail "veth wan0"
ip -n "$NS_R" addr add 192.168.77.1/24 dev lan0 || fail "addr lan0"
ip -n "$NS_R" addr add 81.2.69.160/24 dev wan0 || fail "addr wan0"
ip -n "$NS_C" addr add 192.168.77.2/24 dev eth0 || fail "addr eth0"
for l in lan0 wan0 wanpeer; do ip -n "$NS_R" link set "$l" up || fail "up $l"; done
ip -n "$NS_C" link set eth0 up || fail "up eth0"

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

cat > "$work/miniupnpd.conf" <<EOF
ext_ifname=wan0
listening_ip=lan0
http_port=5000
enable_natpmp=no
enable_upnp=yes
secure_mode=yes
system_uptime=yes
lease_file=$work/upnp.leases
uuid=6f1c51d2-3b0e-4c52-9a57-2f0d8f7f6a11
allow 1024-65535 192.168.77.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF

# Started directly, not through in_r: a backgrounded shell function is a
# subshell, and $! would name it instead of the daemon.  ip netns exec
# execs, so $! is miniupnpd itself.
ip netns exec "$NS_R" "$MINIUPNPD" -d -f "$work/miniupnpd.conf" -P "$work/miniupnpd.pid" \
    >"$work/miniupnpd.log" 2>&1 &
mud_pid=$!
mud_listening() {
	kill -0 "$mud_pid" 2>/dev/null || fail "miniupnpd exited"
	grep -qs "HTTP listening on port" "$work/miniupnpd.log"
}
wait_for 10 mud_listening || fail "miniupnpd did not start listening"

# --- helpers over miniupnpd's own state ---------------------------------------------
mapping_listed() {
	in_c upnpc -u "$URL" -L 2>/dev/null | grep -q "TCP 19333->192.168.77.2:9333"
}
mapping_gone() {
	local out
	out=$(in_c upnpc -u "$URL" -L 2>/dev/null) || return 1
	# upnpc must really have talked to the router, and not see ours.
	grep -q "Found valid IGD" <<<"$out" || return 1
	! grep -q "TCP 19333->" <<<"$out"
}
dnat_present() {
	in_r "$NFT" list chain inet filter prerouting_miniupnpd 2>/dev/null |
		grep -q "dport 19333 dnat ip to 192.168.77.2:9333"
}
dnat_absent() {
	local out
	out=$(in_r "$NFT" list chain inet filter prerouting_miniupnpd 2>/dev/null) ||
		return 1
	! grep -q "dport 19333" <<<"$out"
}
mapped_lines() {
	grep -c "^status state=mapped external=81.2.69.160:19333 has_external=1 " \
	    "$1" 2>/dev/null
}
probe_renewed() {
	kill -0 "$probe_pid" 2>/dev/null || fail "upnpc_probe exited early"
	local n
	n=$(mapped_lines "$1")
	[ "${n:-0}" -ge 2 ]
}

# One full round: map with a 4 s lease, see it in miniupnpd, wait for the
# renewal, SIGTERM the probe, see the mapping gone.
round() {
	local name=$1 rc; shift
	local out=$work/$name.out
	ip netns exec "$NS_C" "$PROBE" --port 9333 --external-port 19333 --lease 4 \
	    --until mapped --count 2 --hold --timeout-ms 15000 "$@" \
	    >"$out" 2>"$work/$name.log" &
	probe_pid=$!
	wait_for 15 probe_renewed "$out" || fail "$name: no mapping and renewal"
	mapping_listed || fail "$name: upnpc -L does not list the mapping"
	dnat_present || fail "$name: no DNAT rule in miniupnpd's chain"
	grep -q "lease=4 igd=$URL error=\$" "$out" || fail "$name: bad status line"
	kill -TERM "$probe_pid"
	wait_for 5 eval '! kill -0 "$probe_pid" 2>/dev/null' ||
		fail "$name: probe did not stop within 5 s"
	wait "$probe_pid"; rc=$?
	probe_pid=
	[ "$rc" -eq 0 ] || fail "$name: probe exit status $rc"
	grep -q "^stopped reached=1" "$out" || fail "$name: no clean stop"
	grep -q "removed the mapping of TCP port 19333" "$work/$name.log" ||
		fail "$name: probe did not report the removal"
	wait_for 5 mapping_gone || fail "$name: mapping still listed after stop"
	wait_for 5 dnat_absent || fail "$name: DNAT rule left behind"
	echo "ok: $name"
}

round rootdesc --rootdesc "$URL"
round ssdp --multicast-if eth0 --discover-ms 1000 --minissdpd "$work/no-minissdpd"

# --- no IGD once miniupnpd is gone -------------------------------------------------------
stop_pid "$mud_pid"
mud_pid=
in_c "$PROBE" --multicast-if eth0 --discover-ms 1000 --minissdpd "$work/no-minissdpd" \
    --until no-igd --timeout-ms 10000 >"$work/noigd.out" 2>"$work/noigd.log" ||
	fail "no-igd: probe did not report no-igd"
grep -q "^status state=no-igd " "$work/noigd.out" || fail "no-igd: no status line"
n=$(grep -c "info  \[upnp\]" "$work/noigd.log")
[ "$n" -eq 1 ] || fail "no-igd: $n info lines instead of 1"
grep -q "no UPnP internet gateway found" "$work/noigd.log" || fail "no-igd: unclear log line"
echo "ok: no-igd"

echo "PASS: upnp_miniupnpd"
exit 0
