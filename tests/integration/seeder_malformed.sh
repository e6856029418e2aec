#!/usr/bin/env bash
# seeder_malformed.sh -- hostile packets from raw UDP and TCP sockets:
# truncated packets, bad label lengths, compression loops, huge counts,
# responses, other opcodes, EDNS versions, random garbage.  Each gets the
# right rcode (with QR set and the ID echoed) or silence, and the seeder
# answers the next real query every time.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/seeder_lib.bash"

DB=$T/crawl.db
"$SEEDDB" "$DB" mainnet --gen4 30 || fail "seederdb"
start_seeder s1 "$DB"
log "agentseeder on port $SPORT"

python3 - "$SPORT" <<'EOF' || fail "malformed-packet checks failed"
import os, random, socket, struct, sys

port = int(sys.argv[1])
srv = ("127.0.0.1", port)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
QNAME = b"\x04seed\x07example\x00"

def hdr(id=0x4242, flags=0, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", id, flags, qd, an, ns, ar)

def query(id=0x4242, qtype=1):
    return hdr(id) + QNAME + struct.pack(">HH", qtype, 1)

def ask(pkt, timeout=1.0):
    u.settimeout(timeout)
    u.sendto(pkt, srv)
    try:
        return u.recv(65535)
    except socket.timeout:
        return None

def alive(tag):
    # The next real query is answered with addresses.
    r = ask(query(0x1111), 2.0)
    assert r is not None, f"{tag}: no answer to the next real query"
    id, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", r[:12])
    assert id == 0x1111 and flags & 0x8000 and an > 0, f"{tag}: bad answer after"

def expect(tag, pkt, rcode, echoed_q=None):
    r = ask(pkt)
    assert r is not None, f"{tag}: no reply"
    id, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", r[:12])
    assert flags & 0x8000, f"{tag}: QR not set"
    assert id == struct.unpack(">H", pkt[:2])[0], f"{tag}: ID not echoed"
    assert flags & 0xf == rcode, f"{tag}: rcode {flags & 0xf}, want {rcode}"
    assert not flags & 0x0020, f"{tag}: AD set"
    assert an == 0, f"{tag}: answers in an error"
    if echoed_q is not None:
        assert qd == (1 if echoed_q else 0), f"{tag}: QDCOUNT {qd}"
        if echoed_q:
            assert r[12:12 + len(QNAME) + 4] == pkt[12:12 + len(QNAME) + 4], f"{tag}: question changed"
    alive(tag)

def silence(tag, pkt):
    r = ask(pkt, 0.3)
    assert r is None, f"{tag}: got a reply {r!r}"
    alive(tag)

FORMERR, NOTIMP, REFUSED = 1, 4, 5

# Truncated packets.
silence("empty datagram", b"")
silence("5-byte runt", hdr()[:5])
silence("11-byte runt", hdr()[:11])
expect("header only", hdr(), FORMERR, echoed_q=False)
for cut in range(13, len(query())):
    expect(f"query cut at {cut}", query()[:cut], FORMERR, echoed_q=False)

# Bad label lengths and label types.
expect("label past the end", hdr() + b"\x3fseed\x00" + b"\x00\x01\x00\x01", FORMERR)
expect("label type 0x40", hdr() + b"\x44seed\x00\x00\x01\x00\x01", FORMERR, echoed_q=False)
expect("label type 0x80", hdr() + b"\x84seed\x00\x00\x01\x00\x01", FORMERR, echoed_q=False)
long_name = b"".join(b"\x3f" + b"a" * 63 for _ in range(4)) + b"\x00"
expect("name of 257 bytes", hdr() + long_name + b"\x00\x01\x00\x01", FORMERR)
# Compression: a pointer in the question (a loop to itself), a loop in
# the additional section, a forward pointer.
expect("pointer loop in question", hdr() + b"\xc0\x0c\x00\x01\x00\x01", FORMERR, echoed_q=False)
q = query()
opt_loop = struct.pack(">H", 0xc000 | len(q)) + b"\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"
expect("pointer loop in additional", hdr(ar=1) + q[12:] + opt_loop, FORMERR, echoed_q=True)
two_hop = b"\x01z" + struct.pack(">H", 0xc000 | len(q)) + b"\x00\x10\x00\x01\x00\x00\x00\x00\x00\x00"
expect("two-label loop in additional", hdr(ar=1) + q[12:] + two_hop, FORMERR, echoed_q=True)
fwd = struct.pack(">H", 0xc000 | (len(q) + 4)) + b"\x00\x10\x00\x01\x00\x00\x00\x00\x00\x00"
expect("forward pointer", hdr(ar=1) + q[12:] + fwd, FORMERR, echoed_q=True)

# Huge counts.
expect("QDCOUNT 65535", hdr(qd=65535) + q[12:], FORMERR, echoed_q=True)
expect("ANCOUNT 65535", hdr(an=65535) + q[12:], FORMERR, echoed_q=True)
expect("NSCOUNT 65535", hdr(ns=65535) + q[12:], FORMERR, echoed_q=True)
expect("ARCOUNT 65535", hdr(ar=65535) + q[12:], FORMERR, echoed_q=True)
expect("rdlength past the end", hdr(ar=1) + q[12:] + b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\xff\xff",
       FORMERR, echoed_q=True)
expect("trailing garbage", q + b"\x00" * 7, FORMERR, echoed_q=True)
expect("two OPT records", hdr(ar=2) + q[12:] + (b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00" * 2),
       FORMERR, echoed_q=True)

# Responses are never answered (no ping-pong between servers).
silence("QR=1", hdr(flags=0x8000) + q[12:])
silence("QR=1 header only", hdr(flags=0x8000, qd=0))
# Other opcodes: NOTIMP.
expect("opcode NOTIFY", hdr(flags=4 << 11) + q[12:], NOTIMP, echoed_q=True)
expect("opcode UPDATE", hdr(flags=5 << 11) + q[12:], NOTIMP, echoed_q=True)
expect("opcode 15", hdr(flags=15 << 11, qd=0), NOTIMP, echoed_q=False)
# EDNS version 1: BADVERS = rcode 0 + extended rcode 1 in our OPT.
r = ask(hdr(ar=1) + q[12:] + b"\x00\x00\x29\x04\xd0\x00\x01\x00\x00\x00\x00")
assert r is not None and struct.unpack(">H", r[2:4])[0] & 0xf == 0 and r[-6] == 1, "BADVERS"
alive("BADVERS")
# Class CH, AXFR over UDP: REFUSED.
expect("class CH", hdr() + QNAME + b"\x00\x10\x00\x03", REFUSED, echoed_q=True)
expect("AXFR", hdr() + QNAME + b"\x00\xfc\x00\x01", REFUSED, echoed_q=True)
# An oversized datagram.
expect("9000-byte datagram", q + b"\xff" * 9000, FORMERR)

# Random garbage: anything goes back or nothing, never a crash or stall.
rnd = random.Random(5)
u.setblocking(False)
for i in range(3000):
    n = rnd.randrange(0, 600)
    pkt = bytearray(rnd.getrandbits(8) for _ in range(n))
    if n >= 12 and i % 2:
        pkt[2] &= 0x07   # QR=0, opcode QUERY: reaches the deeper parser
        pkt[4:6] = b"\x00\x01"
    u.sendto(bytes(pkt), srv)
    if i % 50 == 0:
        try:
            while True:
                u.recv(65535)
        except BlockingIOError:
            pass
u.setblocking(True)
import time; time.sleep(0.3)
try:
    u.setblocking(False)
    while True:
        r = u.recv(65535)
        # Every reply to garbage is a response with QR set.
        assert len(r) >= 12 and r[2] & 0x80, "a reply without QR"
except BlockingIOError:
    pass
u.setblocking(True)
alive("3000 random packets")

# TCP: garbage lengths close the connection, the server lives on.
for junk in (b"\x00\x05hello", b"\xff\xff" + b"x" * 100, b"\x00"):
    t = socket.create_connection(srv, timeout=2)
    t.sendall(junk)
    t.shutdown(socket.SHUT_WR)
    try:
        data = t.recv(100)
    except (ConnectionResetError, socket.timeout):
        data = b""
    assert data == b"", f"TCP {junk[:4]!r}: got {data!r}"
    t.close()
t = socket.create_connection(srv, timeout=2)
t.sendall(struct.pack(">H", len(q)) + q)
ln = struct.unpack(">H", t.recv(2))[0]
assert ln > 12, "TCP answer after junk"
t.close()
alive("TCP junk")
print("malformed: all checks passed")
EOF

kill -0 "$SEEDER_PID" || fail "seeder died"
kill -USR1 "$SEEDER_PID"
wait_for 5 "stats line" grep -q "\[stats\].*formerr=[1-9]" "$T/s1.log"
grep "\[stats\]" "$T/s1.log" | tail -1 | grep -Eq "dropped=[1-9]" || fail "drops not counted"
log "$(grep '\[stats\]' "$T/s1.log" | tail -1 | cut -c40-300)"
echo "seeder_malformed: all checks passed"
