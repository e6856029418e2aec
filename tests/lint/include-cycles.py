#!/usr/bin/env python3
"""include-cycles.py -- fail when the modules of a directory include each other in a circle.

A module is a .c/.h pair (node/peerman.c + node/peerman.h); module A
depends on module B when A's .c or .h includes "B.h" from the same
directory.  A cycle among modules means a missing interface
(docs/ARCHITECTURE.md), so each directory's graph must be acyclic.

usage: include-cycles.py DIR...   (prints the cycles, exits 1 if any)
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def graph(d):
    mods = {os.path.splitext(f)[0] for f in os.listdir(d) if f.endswith(('.c', '.h'))}
    edges = {m: set() for m in mods}
    for f in os.listdir(d):
        if not f.endswith(('.c', '.h')):
            continue
        m = os.path.splitext(f)[0]
        with open(os.path.join(d, f), encoding='utf-8', errors='replace') as fh:
            for inc in INCLUDE.findall(fh.read()):
                dep = os.path.splitext(os.path.basename(inc))[0]
                if dep in mods and dep != m and os.path.dirname(inc) in ('', '.'):
                    edges[m].add(dep)
    return edges


def cycles(edges):
    """Every elementary cycle found by DFS, each reported once (by its set of members)."""
    found, seen = [], set()
    state = {}

    def dfs(m, stack):
        state[m] = 1
        stack.append(m)
        for n in sorted(edges[m]):
            if state.get(n) == 1:
                cyc = stack[stack.index(n):] + [n]
                key = frozenset(cyc)
                if key not in seen:
                    seen.add(key)
                    found.append(cyc)
            elif n not in state:
                dfs(n, stack)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            dfs(m, [])
    return found


def main(dirs):
    bad = 0
    for d in dirs:
        for cyc in cycles(graph(d)):
            print(f"{d}: include cycle: {' -> '.join(cyc)}")
            bad += 1
    if bad == 0:
        print(f"no include cycles in {' '.join(dirs)}")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:] or ['common', 'node', 'crawler', 'dnsseeder', 'tui']))
