#!/usr/bin/env bash
# include_cycles.sh -- no two modules of a program include each other in a
# circle (a cycle means a missing interface; docs/ARCHITECTURE.md).
set -eu
cd "$(dirname "$0")/../.."
python3 tests/lint/include-cycles.py common node crawler dnsseeder tui
