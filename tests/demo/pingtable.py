#!/usr/bin/env python3
"""pingtable.py -- the demo's pings between cities against the WAN matrix.

usage: pingtable.py GEOIP.tsv MATRIX.tsv PEERS.json...

Each PEERS.json is one node's `agentnode rpc getpeerinfo`, next to a
PEERS.ip file holding that node's own address.  Cities come from the GeoIP
TSV (CIDR -> City), round-trip times and jitter from the matrix
(tests/tools/wan-matrix.tsv).  Prints one row per city pair: the matrix RTT,
how many peer links were measured, the lowest and median minimum ping and
the median last ping.  Exit status 1 when a link's minimum ping is off the
matrix by more than twice the jitter (each direction varies by +-jitter)
plus 5 ms for the work of the nodes and the proxy on a loaded machine, or
when nothing was measured.
"""
import ipaddress
import json
import os
import statistics
import sys

TOLERANCE_MS = 5.0


def load_geo(path):
    nets = []
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        nets.append((ipaddress.ip_network(f[0], strict=False), f[3]))
    return nets


def load_matrix(path):
    m = {}
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        rtt, jit = float(f[2]), float(f[3]) if len(f) > 3 else 0.0
        m[(f[0], f[1])] = m[(f[1], f[0])] = (rtt, jit)
    return m


def city(nets, ip):
    a = ipaddress.ip_address(ip)
    best = None
    for n, c in nets:
        if a in n and (best is None or n.prefixlen > best[0].prefixlen):
            best = (n, c)
    return best[1] if best else None


def host_of(addr):
    return addr.rsplit(":", 1)[0].strip("[]")


def main():
    nets, matrix = load_geo(sys.argv[1]), load_matrix(sys.argv[2])
    pairs, bad = {}, []
    for path in sys.argv[3:]:
        me = open(os.path.splitext(path)[0] + ".ip").read().strip()
        mine = city(nets, me)
        for p in json.load(open(path)):
            if p.get("minping") is None or not p.get("handshake_complete"):
                continue
            theirs = city(nets, host_of(p["addr"]))
            if mine is None or theirs is None:
                continue
            rtt, jit = matrix[(mine, theirs)]
            lo, last = p["minping"] * 1000.0, p["pingtime"] * 1000.0
            key = tuple(sorted((mine, theirs)))
            pairs.setdefault(key, []).append((lo, last))
            if abs(lo - rtt) > 2 * jit + TOLERANCE_MS:
                bad.append("%s -> %s (%s): min ping %.1f ms, matrix %.0f +- %.1f ms"
                           % (me, p["addr"], " - ".join(key), lo, rtt, 2 * jit))
    print("%-28s %8s %6s %10s %10s %10s" % ("city pair", "matrix", "links", "min ping",
                                          "p50 min", "p50 last"))
    for key in sorted(pairs, key=lambda k: matrix[k][0]):
        v = pairs[key]
        print("%-28s %6.0f ms %6d %7.1f ms %7.1f ms %7.1f ms"
              % (" - ".join(key), matrix[key][0], len(v), min(x[0] for x in v),
                 statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)))
    for b in bad:
        print("OFF THE MATRIX: " + b)
    if not pairs:
        print("no pings measured")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
