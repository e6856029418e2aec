#!/usr/bin/env bash
# console_o0_format_truncation.sh -- regression test for issue 10 item 4:
# `make OPT="-O0 -g"` stopped on -Werror=format-truncation at
# tui/ui_geo.c:126 (a country key copied with snprintf into 8 bytes).  Every
# console object must compile at -O0 with the project's warnings as errors.
source "$(dirname "$0")/lib.bash"

objs=()
for src in "$ROOT"/tui/*.c; do
	objs+=("$T/o0/tui/$(basename "${src%.c}").o")
done
make -C "$ROOT" --no-print-directory BUILD="$T/o0" OPT="-O0 -g" "${objs[@]}" \
	>"$T/make.log" 2>&1 || fail "the console does not build at -O0: $(grep -m3 'error' "$T/make.log")"
[ -s "$T/o0/tui/ui_geo.o" ] || fail "no ui_geo.o"
echo "PASS console_o0_format_truncation (${#objs[@]} objects)"
