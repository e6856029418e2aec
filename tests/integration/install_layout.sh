#!/usr/bin/env bash
# install_layout.sh -- issue 15 item 23 (systemd_unit_config_installed): the
# node's systemd unit read /etc/agentchain/mainnet.yaml, which nothing
# installed.  `make install` now installs the units (with the install's
# paths) and that configuration, without overwriting an edited one.
source "$(dirname "$0")/lib.bash"

root="$T/root"
# -o all: install what is built, never rebuild from here.
make -s -C "$ROOT" -o all install DESTDIR="$root" PREFIX=/opt/ac SYSCONFDIR=/etc \
	BIN="$BIN" BUILD="${BUILD:-build}" >"$T/install.log" 2>&1 || fail "make install: $(tail -5 "$T/install.log")"
unit="$root/opt/ac/share/agentchain/systemd/agentnode.service"
[ -f "$unit" ] || fail "no agentnode.service installed"
exec_line=$(grep '^ExecStart=' "$unit")
bin=$(echo "$exec_line" | sed 's/^ExecStart=\([^ ]*\).*/\1/')
conf=$(echo "$exec_line" | sed -n 's/.*--config \([^ ]*\).*/\1/p')
[ "$bin" = /opt/ac/bin/agentnode ] || fail "unit runs $bin"
[ -x "$root$bin" ] || fail "unit's program $bin not installed"
[ -f "$root$conf" ] || fail "unit's config $conf not installed"
# The installed program loads the installed config (--config is read
# before --help-config ends the run).
out=$("$root$bin" start --config "$root$conf" --help-config 2>&1 >/dev/null) ||
	fail "installed config refused: $out"
# A second install keeps an edited config.
echo "# edited" >> "$root$conf"
make -s -C "$ROOT" -o all install DESTDIR="$root" PREFIX=/opt/ac SYSCONFDIR=/etc \
	BIN="$BIN" BUILD="${BUILD:-build}" >"$T/install2.log" 2>&1 || fail "second make install"
tail -1 "$root$conf" | grep -q "# edited" || fail "make install overwrote an edited config"
echo "PASS install_layout"
