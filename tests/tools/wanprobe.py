#!/usr/bin/env python3
"""wanprobe.py -- measure and check tests/tools/wanproxy from the outside.

Each command starts its own target server on DST (a loopback address),
connects to it from SRC, through the SOCKS5 proxy at --proxy ADDR:PORT or
directly without it, and prints one JSON object.  Exit status 0, or 1 when
a check fails (the JSON says which).

  rtt      --src IP --dst IP [-n N] [--size B]    echo round trips: connect time,
                                                  min/p50/p90/p99/max in ms
  order    --src IP --dst IP [--bytes N]          a patterned stream, echoed back
                                                  in pieces: must come back intact
  pressure --src IP --dst IP [--limit N]          the target stops reading: how
                                                  much the client can push until
                                                  sending stalls; then all of it
                                                  must arrive once the target reads
  rate     --src IP --dst IP [--bytes N]          one-way throughput in bytes/s
  request  --name NAME|--ip IP --port P [--auth U:P]
                                                  one SOCKS5 CONNECT; prints the
                                                  reply code (no target started)
  source   --src IP --dst IP                      the address the target sees

Every wait has a deadline; nothing sleeps to synchronise.
"""
import argparse
import json
import select
import socket
import struct
import sys
import threading
import time

DEADLINE = 30.0


def fail(**kw):
    kw["ok"] = False
    print(json.dumps(kw))
    sys.exit(1)


def recv_exact(s, n):
    out = b""
    end = time.monotonic() + DEADLINE
    while len(out) < n:
        if time.monotonic() > end:
            raise TimeoutError("recv_exact")
        d = s.recv(n - len(out))
        if not d:
            raise ConnectionError("closed after %d of %d bytes" % (len(out), n))
        out += d
    return out


def socks_handshake(c, dst=None, name=None, port=None, auth=None):
    """Greeting, optional RFC 1929, CONNECT.  Returns the reply code."""
    c.sendall(b"\x05\x01" + (b"\x02" if auth else b"\x00"))
    m = recv_exact(c, 2)
    if m[1] == 0xFF:
        return "no-method"
    if auth:
        u, p = auth.split(":", 1)
        c.sendall(b"\x01" + bytes([len(u)]) + u.encode() + bytes([len(p)]) + p.encode())
        a = recv_exact(c, 2)
        if a[1] != 0:
            return "auth-refused"
    if name is not None:
        req = b"\x05\x01\x00\x03" + bytes([len(name)]) + name.encode() + struct.pack(">H", port)
    else:
        req = b"\x05\x01\x00\x01" + socket.inet_aton(dst[0]) + struct.pack(">H", dst[1])
    c.sendall(req)
    r = recv_exact(c, 4)
    if r[1] != 0:
        return r[1]
    rest = {1: 4 + 2, 4: 16 + 2}.get(r[3])
    if rest is None:
        rest = recv_exact(c, 1)[0] + 2
    recv_exact(c, rest)
    return 0


def dial(args, dst):
    c = socket.socket()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.bind((args.src, 0))
    c.settimeout(DEADLINE)
    t0 = time.perf_counter()
    if args.proxy:
        host, port = args.proxy.rsplit(":", 1)
        c.connect((host, int(port)))
        rep = socks_handshake(c, dst=dst, auth=getattr(args, "auth", None))
        if rep != 0:
            fail(error="SOCKS5 reply %s" % rep)
    else:
        c.connect(dst)
    return c, (time.perf_counter() - t0) * 1000.0


class Target:
    """A server on DST; MODE: echo, sink (count), hold (read only when told)."""

    def __init__(self, ip, mode):
        self.s = socket.socket()
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind((ip, 0))
        self.s.listen(8)
        self.addr = self.s.getsockname()
        self.mode = mode
        self.got = 0
        self.first = self.last = None
        self.peer = None
        self.go = threading.Event()
        self.done = threading.Event()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        c, self.peer = self.s.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.mode == "hold":
            self.go.wait(DEADLINE)
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            now = time.perf_counter()
            if self.first is None:
                self.first = now
            self.last = now
            self.got += len(d)
            if self.mode == "echo":
                c.sendall(d)
        c.close()
        self.done.set()


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def cmd_rtt(args):
    t = Target(args.dst, "echo")
    c, connect_ms = dial(args, t.addr)
    msg = b"p" * args.size
    r = []
    for _ in range(args.n):
        t0 = time.perf_counter()
        c.sendall(msg)
        recv_exact(c, args.size)
        r.append((time.perf_counter() - t0) * 1000.0)
    c.close()
    print(json.dumps({"ok": True, "connect_ms": round(connect_ms, 3), "n": len(r),
                      "min": round(min(r), 3), "p50": round(pct(r, 0.5), 3),
                      "p90": round(pct(r, 0.9), 3), "p99": round(pct(r, 0.99), 3),
                      "max": round(max(r), 3)}))


def cmd_order(args):
    t = Target(args.dst, "echo")
    c, _ = dial(args, t.addr)
    data = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(args.bytes))
    back = bytearray()
    sent = 0
    end = time.monotonic() + DEADLINE
    c.setblocking(False)
    while len(back) < len(data):
        if time.monotonic() > end:
            fail(error="timeout", sent=sent, received=len(back))
        want_w = [c] if sent < len(data) else []
        r, w, _ = select.select([c], want_w, [], 1.0)
        if w:
            # Small, uneven pieces: many reads, many marks, much jitter.
            n = c.send(data[sent:sent + 1 + (sent % 1500)])
            sent += n
        if r:
            d = c.recv(1 << 16)
            if not d:
                fail(error="closed", received=len(back))
            back += d
    c.close()
    if bytes(back) != data:
        first = next(i for i in range(len(data)) if back[i] != data[i])
        fail(error="reordered or corrupted", first_difference=first)
    print(json.dumps({"ok": True, "bytes": len(back)}))


def cmd_pressure(args):
    t = Target(args.dst, "hold")
    c, _ = dial(args, t.addr)
    c.setblocking(False)
    chunk = b"z" * 65536
    sent = 0
    while sent < args.limit:
        # Stalled: no room for a second (the proxy stopped reading us).
        _, w, _ = select.select([], [c], [], 1.0)
        if not w:
            break
        try:
            sent += c.send(chunk)
        except BlockingIOError:
            continue
    stalled = sent < args.limit
    t.go.set()
    c.setblocking(True)
    c.shutdown(socket.SHUT_WR)
    t.done.wait(DEADLINE)
    c.close()
    res = {"ok": stalled and t.got == sent, "stalled": stalled, "sent_before_stall": sent,
           "received": t.got}
    print(json.dumps(res))
    sys.exit(0 if res["ok"] else 1)


def cmd_rate(args):
    t = Target(args.dst, "sink")
    c, _ = dial(args, t.addr)
    c.sendall(b"r" * args.bytes)
    c.shutdown(socket.SHUT_WR)
    t.done.wait(DEADLINE)
    c.close()
    if t.got != args.bytes or t.first is None:
        fail(error="short", received=t.got)
    el = t.last - t.first
    print(json.dumps({"ok": True, "bytes": t.got, "seconds": round(el, 3),
                      "bytes_per_s": round(t.got / el) if el > 0 else None}))


def cmd_request(args):
    host, port = args.proxy.rsplit(":", 1)
    c = socket.create_connection((host, int(port)), timeout=DEADLINE)
    try:
        rep = socks_handshake(c, dst=(args.ip, args.port) if args.ip else None,
                              name=args.name, port=args.port, auth=args.auth)
    except ConnectionError as e:
        rep = "closed: %s" % e
    print(json.dumps({"ok": True, "reply": rep}))


def cmd_source(args):
    t = Target(args.dst, "sink")
    c, _ = dial(args, t.addr)
    end = time.monotonic() + DEADLINE
    while t.peer is None and time.monotonic() < end:
        select.select([], [], [], 0.01)
    c.close()
    print(json.dumps({"ok": True, "source": t.peer[0] if t.peer else None}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["rtt", "order", "pressure", "rate", "request", "source"])
    p.add_argument("--proxy")
    p.add_argument("--src", default="127.0.0.1")
    p.add_argument("--dst", default="127.0.0.1")
    p.add_argument("-n", type=int, default=20)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--bytes", type=int, default=1 << 20)
    p.add_argument("--limit", type=int, default=64 << 20)
    p.add_argument("--name")
    p.add_argument("--ip")
    p.add_argument("--port", type=int)
    p.add_argument("--auth")
    args = p.parse_args()
    globals()["cmd_" + args.cmd](args)


if __name__ == "__main__":
    main()
