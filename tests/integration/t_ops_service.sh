#!/bin/bash
# Packaging: the unit passes systemd-analyze verify (where systemd is
# installed), both man pages render without a warning, and cmake --install
# puts sstpc, the man pages and the unit under a DESTDIR.
. "$(dirname "$0")/lib.sh"
need_cmd cmake man

if command -v systemd-analyze >/dev/null; then
    # The installed path does not exist on a build host: verify a copy that
    # runs the built binary; man page references are checked below instead.
    mkdir -p "$T_TMP/unit"
    sed "s#/usr/sbin/sstpc#$SSTPC#" "$SRC/dist/sstpc@.service" > "$T_TMP/unit/sstpc@.service"
    cp "$T_TMP/unit/sstpc@.service" "$T_TMP/unit/sstpc@sstpc0.service"
    if out=$(systemd-analyze verify --man=no "$T_TMP/unit/sstpc@sstpc0.service" 2>&1); then
        ok "systemd-analyze verify: clean${out:+ ($out)}"
    else
        log "$out"; fail "systemd-analyze verify"
    fi
    # The hardening holds: exposure at most 3.0 of 10 (docs/security.md
    # quotes the figure), core dumps off, only CAP_NET_ADMIN.
    if out=$(systemd-analyze security --offline=yes --threshold=30 "$T_TMP/unit/sstpc@sstpc0.service" 2>&1); then
        ok "systemd-analyze security: $(grep -o 'exposure level.*' <<<"$out")"
    else
        log "$(tail -n 3 <<<"$out")"; fail "systemd-analyze security: exposure above 3.0"
    fi
    for k in LimitCORE=0 NoNewPrivileges=yes ProtectSystem=strict CapabilityBoundingSet=CAP_NET_ADMIN; do
        grep -qx "$k" "$SRC/dist/sstpc@.service" && ok "unit has $k" || fail "unit lacks $k"
    done
else
    log "systemd-analyze not installed: unit not verified"
fi

for page in sstpc.8 sstpc.conf.5; do
    w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$SRC/docs/$page" 2>&1 >/dev/null)
    [ -z "$w" ] && ok "man $page renders without warnings" || { log "$w"; fail "man $page warns"; }
    lines=$(MANWIDTH=80 man -l "$SRC/docs/$page" 2>/dev/null | wc -l)
    [ "$lines" -gt 20 ] || fail "man $page rendered only $lines lines"
done

DEST=$T_TMP/dest
DESTDIR=$DEST cmake --install "$BUILD" --prefix /usr >"$T_TMP/install.log" 2>&1 || { cat "$T_TMP/install.log" >&2; die "cmake --install"; }
for f in usr/sbin/sstpc usr/share/man/man8/sstpc.8 usr/share/man/man5/sstpc.conf.5 usr/lib/systemd/system/sstpc@.service; do
    [ -e "$DEST/$f" ] && ok "installed /$f" || fail "missing /$f under DESTDIR"
done
[ -x "$DEST/usr/sbin/sstpc" ] && "$DEST/usr/sbin/sstpc" --version >/dev/null && ok "installed sstpc runs" \
    || fail "installed sstpc does not run"
finish
