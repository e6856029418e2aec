#!/usr/bin/env bash
# seeder_tcp_starvation.sh -- issue 15 item 4: DNS over TCP must not be
# starved by one client.  With the default limits (256 connections, 16 per
# source) on loopback:
#   1. 256 connections from one address trickling a byte every 5 s (before
#      the fix: 0 of 12 fresh TCP queries answered in 24 s): 12 fresh
#      queries, from that address and another, are each answered within 2 s;
#   2. 260 idle connections from 65 addresses (before: a new client waited
#      9.5 s): a new client is answered within 1 s;
#   3. 64 addresses x 4 connections that each send one byte and reconnect
#      when closed, keeping the table full of busy connections: fresh
#      queries are answered within 3 s.
# Every loop is bounded in count and time; the whole script takes < 40 s.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/seeder_lib.bash"

DB=$T/crawl.db
"$SEEDDB" "$DB" mainnet --gen4 30 || fail "seederdb"
start_seeder s1 "$DB"
log "agentseeder on port $SPORT"

python3 - "$SPORT" <<'EOF' || fail "TCP starvation checks failed"
import socket, struct, sys, threading, time

port = int(sys.argv[1])
SRV = ("127.0.0.1", port)
Q = b"\x04seed\x07example\x00\x00\x01\x00\x01"

def conn(src, timeout=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(timeout if timeout is not None else 2)
    s.connect(SRV)
    return s

def fresh_query(src, qid, deadline):
    """One query on a new connection; seconds until the answer, or None."""
    t0 = time.monotonic()
    try:
        s = conn(src, deadline)
        pkt = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + Q
        s.sendall(struct.pack(">H", len(pkt)) + pkt)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
            left = deadline - (time.monotonic() - t0)
            if left <= 0:
                return None
            s.settimeout(left)
            d = s.recv(4096)
            if not d:
                return None
            buf += d
        s.close()
        rid, flags, qd, an = struct.unpack(">HHHH", buf[2:10])
        if rid != qid or not flags & 0x8000 or an == 0:
            return None
        return time.monotonic() - t0
    except OSError:
        return None

def check(tag, results, deadline):
    ok = [r for r in results if r is not None]
    worst = max(ok) if ok else float("nan")
    print(f"{tag}: {len(ok)}/{len(results)} answered, slowest {worst:.2f} s", flush=True)
    assert len(ok) == len(results), f"{tag}: only {len(ok)} of {len(results)} answered within {deadline} s"

# --- 1. One address, 256 trickling connections. --------------------------
slow = []
for i in range(256):
    try:
        s = conn("127.0.0.1")
        s.send(b"\x00")
        slow.append(s)
    except OSError:
        pass
print(f"phase 1: {len(slow)} slow connections from 127.0.0.1", flush=True)
stop = threading.Event()
def trickle():
    # A byte every 5 s on each connection still open; at most 3 rounds.
    for _ in range(3):
        if stop.wait(5):
            return
        for s in slow:
            try:
                s.send(b"\x00")
            except OSError:
                pass
tr = threading.Thread(target=trickle)
tr.start()
results = []
for i in range(12):
    results.append(fresh_query("127.0.0.1" if i % 2 == 0 else "127.0.2.1", 0x100 + i, 2))
    time.sleep(0.5)
stop.set()
tr.join()
check("phase 1 (12 fresh queries, 256 slow connections from one address)", results, 2)
for s in slow:
    s.close()

# --- 2. 260 idle connections from 65 addresses. ---------------------------
idle = []
for a in range(1, 66):
    for k in range(4):
        try:
            idle.append(conn(f"127.0.5.{a}"))
        except OSError:
            pass
time.sleep(0.2)
print(f"phase 2: {len(idle)} idle connections", flush=True)
check("phase 2 (a new client, 260 idle connections)", [fresh_query("127.0.6.1", 0x200, 1)], 1)
for s in idle:
    s.close()

# --- 3. A table full of busy connections that come back when closed. -----
stop = threading.Event()
busy = {}
reconnects = [0]
def attacker():
    srcs = [f"127.0.7.{a}" for a in range(1, 65)]
    for i in range(256):
        try:
            s = conn(srcs[i % 64], 0.5)
            s.send(b"\x00")
            busy[i] = s
        except OSError:
            pass
    end = time.monotonic() + 12
    while not stop.is_set() and time.monotonic() < end:
        for i in range(256):
            s = busy.get(i)
            closed = s is None
            if s is not None:
                try:
                    s.setblocking(False)
                    closed = s.recv(1, socket.MSG_PEEK) == b""
                except BlockingIOError:
                    closed = False
                except OSError:
                    closed = True
            if closed:
                if s is not None:
                    s.close()
                try:
                    s = conn(srcs[i % 64], 0.5)
                    s.send(b"\x00")
                    busy[i] = s
                    reconnects[0] += 1
                except OSError:
                    busy.pop(i, None)
        stop.wait(0.05)
at = threading.Thread(target=attacker)
at.start()
time.sleep(1.5)
results = []
for i in range(6):
    results.append(fresh_query("127.0.8.1", 0x300 + i, 3))
    time.sleep(0.2)
stop.set()
at.join()
print(f"phase 3: the attacker reconnected {reconnects[0]} times", flush=True)
check("phase 3 (6 fresh queries, a table full of busy connections)", results, 3)
for s in busy.values():
    s.close()
print("tcp starvation: all checks passed")
EOF

kill -0 "$SEEDER_PID" || fail "seeder died"
kill -USR1 "$SEEDER_PID"
wait_for 5 "stats line" grep -q "\[stats\].*tcp accepted=" "$T/s1.log"
line=$(grep "\[stats\]" "$T/s1.log" | tail -1)
echo "$line" | grep -Eq "evicted=[1-9]" || fail "no eviction counted: $line"
echo "$line" | grep -Eq "timeouts=[1-9]" || fail "no timeout counted: $line"
echo "$line" | grep -Eq "full=[1-9]" || fail "accepting never paused: $line"
log "$(echo "$line" | grep -o 'tcp accepted.*full=[0-9]*')"
echo "seeder_tcp_starvation: all checks passed"
