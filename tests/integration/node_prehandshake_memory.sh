#!/usr/bin/env bash
# node_prehandshake_memory.sh -- issue 15 item 3 (prehandshake_frames_capped):
# 40 peers each sending most of a frame that declares 4 MiB, before any
# handshake, pinned 4 MiB each for the whole handshake timeout (RSS 3.7 ->
# 170 MB).  Frames before the handshake are now capped at 4 KiB: each such
# peer is disconnected as soon as its header arrives and RSS stays flat.
source "$(dirname "$0")/lib.bash"

A="$(ip_of 1):$REGTEST_P2P"
start_node a 1 --min-peers 0 --no-dns-seeds
PID=$(node_pid a)
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
before=$(rss_kb)

cat > "$T/bigframe.py" <<'PY'
import socket, struct, sys, threading, time
net, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
magic = bytes([0xac, 0x4e, 0x7c, 0xfa])		# regtest
declared = 4 * 1024 * 1024
header = magic + bytes([7]) + struct.pack("<I", declared) + b"\0\0\0\0"
chunk = b"\xab" * 65536
took = [None] * n
def peer(i):
	s = socket.socket()
	s.settimeout(10)
	s.bind(("%s.3.%d" % (net, i + 1), 0))
	s.connect((host, port))
	t0 = time.monotonic()
	try:
		s.sendall(header)
		sent = 0
		while sent < declared - 65536:	# most of the frame, never all of it
			sent += s.send(chunk)
		# The node kept reading: wait for it to give up, if it ever does.
		s.recv(1)
	except OSError:
		pass
	took[i] = time.monotonic() - t0
	s.close()
threads = [threading.Thread(target=peer, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join(30)
print("slowest %.2f" % max(x if x is not None else 99 for x in took), flush=True)
PY
python3 "$T/bigframe.py" "$NET" "$(ip_of 1)" "$REGTEST_P2P" 40 > "$T/bigframe.log" 2>&1 ||
	fail "the 4 MiB senders failed: $(cat "$T/bigframe.log")"
after=$(rss_kb)
slowest=$(awk '/^slowest/ { print $2 }' "$T/bigframe.log")
log "40 peers sending 4 MiB frames before a handshake: slowest disconnect ${slowest}s, RSS ${before} -> ${after} kB"
awk -v s="$slowest" 'BEGIN { exit !(s < 3) }' || fail "peers kept for ${slowest}s"
[ $((after - before)) -lt 20000 ] || fail "RSS grew by $((after - before)) kB"
# Each was disconnected for an oversized frame (and banned for it).
[ "$(grep -c "disconnect peer=.*: oversized" "$T/a/node.log")" -ge 1 ] ||
	grep -q "similar lines suppressed" "$T/a/node.log" || fail "no oversized-frame disconnects logged"
# The node still serves an honest peer.
"$TOOLS/p2pprobe" -b "$(ip_of 9)" "$A" handshake >/dev/null || fail "honest peer refused"
echo "PASS node_prehandshake_memory"
