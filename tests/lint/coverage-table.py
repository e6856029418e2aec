#!/usr/bin/env python3
"""coverage-table.py -- line coverage per directory and per file, from gcovr's JSON summary.

usage: coverage-table.py SUMMARY.json [--min-dir DIR=PCT ...]

Prints one table of directories and one of files (sorted by directory,
then name).  Each --min-dir DIR=PCT makes the run fail when DIR's line
coverage is below PCT; --min-file DIR=PCT the same for every file in DIR.
"""
import json
import os
import sys


def pct(covered, total):
    return 100.0 * covered / total if total else 100.0


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0]) as fh:
        summary = json.load(fh)
    min_dir, min_file = {}, {}
    for a in argv[1:]:
        kind, spec = a.split('=', 1)          # --min-dir=node=85
        d, want = spec.rsplit('=', 1)
        if kind not in ('--min-dir', '--min-file'):
            print(f"coverage-table.py: unknown option {kind}", file=sys.stderr)
            return 2
        (min_dir if kind == '--min-dir' else min_file)[d] = float(want)
    files = sorted(summary['files'], key=lambda f: (os.path.dirname(f['filename']), f['filename']))
    dirs = {}
    for f in files:
        d = os.path.dirname(f['filename']) or '.'
        c, t = dirs.get(d, (0, 0))
        dirs[d] = (c + f['line_covered'], t + f['line_total'])
    print(f"{'directory':<28} {'lines':>7} {'covered':>8} {'line %':>7}")
    for d, (c, t) in sorted(dirs.items()):
        print(f"{d + '/':<28} {t:>7} {c:>8} {pct(c, t):>6.1f}%")
    c = sum(v[0] for v in dirs.values())
    t = sum(v[1] for v in dirs.values())
    print(f"{'total':<28} {t:>7} {c:>8} {pct(c, t):>6.1f}%\n")
    print(f"{'file':<28} {'lines':>7} {'covered':>8} {'line %':>7}")
    for f in files:
        print(f"{f['filename']:<28} {f['line_total']:>7} {f['line_covered']:>8} "
              f"{pct(f['line_covered'], f['line_total']):>6.1f}%")
    bad = []
    for d, want in min_dir.items():
        c, t = dirs.get(d, (0, 0))
        if pct(c, t) < want:
            bad.append(f"{d}/ at {pct(c, t):.1f}% (want >= {want:g}%)")
    for d, want in min_file.items():
        for f in files:
            if os.path.dirname(f['filename']) == d and \
                    pct(f['line_covered'], f['line_total']) < want:
                bad.append(f"{f['filename']} at {pct(f['line_covered'], f['line_total']):.1f}% "
                           f"(want >= {want:g}%)")
    for b in bad:
        print(f"coverage below target: {b}")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
