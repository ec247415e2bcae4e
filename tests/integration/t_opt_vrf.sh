#!/bin/bash
# `vrf red` without such a device: exit 1, a message naming the VRF, and
# nothing left behind (no sstpc0, no control socket). Needs no server.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip

NS=sstpo-vrf$$
mk_netns "$NS"
RUN=$T_TMP/run
mkdir -p "$RUN"
cat > "$T_TMP/vrf.conf" <<CONF
interface sstpc0
server 10.200.9.2
authentication username u
authentication password 'p'
vrf red
CONF
links0=$(ip -n "$NS" -o link | wc -l)
ip netns exec "$NS" env SSTPC_RUN_DIR="$RUN" timeout 20 "$SSTPC" -c "$T_TMP/vrf.conf" >"$T_TMP/out" 2>&1
rc=$?
[ "$rc" = 1 ] && ok "exit status 1" || fail "exit status $rc"
grep -q "vrf red: no such VRF device" "$T_TMP/out" && ok "message: $(head -n1 "$T_TMP/out" | cut -c1-120)" \
    || { cat "$T_TMP/out" >&2; fail "no clear message"; }
ip -n "$NS" link show sstpc0 >/dev/null 2>&1 && fail "sstpc0 left behind" || ok "no sstpc0 device"
[ "$(ip -n "$NS" -o link | wc -l)" = "$links0" ] && ok "links unchanged" || fail "links changed"
ls "$RUN"/sstpc0.*.sock >/dev/null 2>&1 && fail "control socket left behind" || ok "no control socket"
grep -qi "connecting" "$T_TMP/out" && fail "it tried to connect" || ok "no connection attempt"

# A device named red that is not a VRF is refused the same way (a veth:
# this kernel may have no dummy driver).
ip -n "$NS" link add red type veth peer name red-p || die "cannot make a veth named red"
ip netns exec "$NS" env SSTPC_RUN_DIR="$RUN" timeout 20 "$SSTPC" -c "$T_TMP/vrf.conf" >"$T_TMP/out2" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "no such VRF" "$T_TMP/out2" && ok "a dummy named red is not a VRF: exit 1" || fail "dummy red: exit $rc $(cat "$T_TMP/out2")"
ip -n "$NS" link show sstpc0 >/dev/null 2>&1 && fail "sstpc0 left behind (dummy)" || ok "no sstpc0 (dummy)"
finish
