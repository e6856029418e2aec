#!/usr/bin/env python3
"""blocktable.py -- how the demo's blocks spread through the network.

usage: blocktable.py GEOIP.tsv BLOCKS.json...

Each BLOCKS.json is one node's `agentnode rpc getrecentblocks`, next to a
BLOCKS.ip file holding that node's own address (as pingtable.py's PEERS
files).  First-seen times are the nodes' wall clocks, all on this machine,
so for each block the differences between them are its propagation: one
row per block with the city that saw it first, how many nodes have it, and
the delay of the others after that first sighting (p50, p90, the last).
Blocks first seen more than 120 s after their timestamp (synced, not
relayed live: the genesis block, a node that started late) are left out.
Exit status 1 when no block mined during the run reached every node.
"""
import json
import os
import statistics
import sys

from pingtable import city, load_geo

LIVE_MS = 120000


def quantile(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def main():
    nets = load_geo(sys.argv[1])
    seen = {}       # hash -> [(ms, city)], heights
    heights = {}
    nodes = 0
    for path in sys.argv[2:]:
        me = open(os.path.splitext(path)[0] + ".ip").read().strip()
        try:
            blocks = json.load(open(path))
        except ValueError:
            continue
        nodes += 1
        for b in blocks:
            if b["delay_ms"] > LIVE_MS:
                continue
            seen.setdefault(b["hash"], []).append((b["firstseen_ms"], city(nets, me) or me))
            heights[b["hash"]] = b["height"]
    print("%6s %-14s %5s %9s %9s %9s" % ("height", "first seen in", "nodes", "p50 after",
                                         "p90 after", "last after"))
    everywhere = 0
    for h in sorted(seen, key=lambda k: heights[k]):
        s = sorted(seen[h])
        after = [ms - s[0][0] for ms, _ in s[1:]] or [0]
        print("%6d %-14s %5d %6.0f ms %6.0f ms %6.0f ms" % (heights[h], s[0][1], len(s),
              statistics.median(after), quantile(after, 0.9), max(after)))
        everywhere += len(s) == nodes
    print("%d blocks, %d of them at all %d nodes" % (len(seen), everywhere, nodes))
    return 0 if everywhere > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
