#!/bin/bash
# description -> ifalias; mtu 1400 on the device and as the MRU in our LCP
# Configure-Request (01 04 05 78); disable -> device DOWN, `show` says so,
# and no TCP connection to the server is ever made.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/opt_lib.sh"
need_root; need_sstpc; need_cmd ip jq ss

CLIENT_NS=sstpo-lc$$
SERVER_NS=sstpo-ls$$
opt_peer

link() { ip -n "$CLIENT_NS" -j -d link show sstpc0 2>/dev/null; }

# --- description and mtu, up
opt_conf "$T_TMP/a.conf" "no-default-route" "no-peer-dns" "description 'Branch uplink \"HQ\"'" "mtu 1400" "log-level debug"
opt_start "$T_TMP/a.conf" "$T_TMP/a.log"
alias=$(link | jq -r '.[0].ifalias // empty')
[ "$alias" = 'Branch uplink "HQ"' ] && ok "ifalias '$alias'" || fail "ifalias is '$alias'"
mtu=$(link | jq -r '.[0].mtu')
[ "$mtu" = 1400 ] && ok "device MTU 1400" || fail "device MTU $mtu"
# LCP Configure-Request from us (ppp > c021 01 ...) carrying MRU 0x0578.
req=$(grep -m1 'ppp > c02101' "$T_TMP/a.log" | awk '{print $NF}')
case $req in c02101????????0104057[8]*|c02101*01040578*) ok "LCP Configure-Request offers MRU 1400: $req" ;;
    *) fail "no MRU 1400 in our LCP request: '$req'" ;; esac
opt_ctl show interfaces sstpc sstpc0 > "$T_TMP/show.txt" 2>&1
grep -Eq "^sstpc0: <.*,UP,LOWER_UP> mtu 1400 .*state UNKNOWN" "$T_TMP/show.txt" && grep -q "state connected" "$T_TMP/show.txt" \
    && ok "show: UP, connected" || { cat "$T_TMP/show.txt" >&2; fail "show output"; }
opt_stop

# --- disable: device exists, DOWN, no connection at all
opt_conf "$T_TMP/b.conf" "disable" "description parked"
opt_start "$T_TMP/b.conf" "$T_TMP/b.log" nowait
wait_for 5 ip -n "$CLIENT_NS" link show sstpc0 || { cat "$T_TMP/b.log" >&2; die "no sstpc0 with disable"; }
wait_for 5 sh -c "test -S $OPT_RUN/sstpc0.*.sock" || fail "no control socket with disable"
sleep 3
flags=$(link | jq -r '.[0].flags | join(",")')
case ",$flags," in *,UP,*) fail "disable: sstpc0 is UP ($flags)" ;; *) ok "disable: sstpc0 is DOWN ($flags)" ;; esac
[ "$(link | jq -r '.[0].ifalias // empty')" = parked ] && ok "disable: alias set anyway" || fail "disable: no alias"
opt_ctl show interfaces sstpc > "$T_TMP/all.txt" 2>&1
grep -E '^sstpc0 .* A/D ' "$T_TMP/all.txt" >/dev/null && ok "show table: A/D" || { cat "$T_TMP/all.txt" >&2; fail "show table not A/D"; }
opt_ctl show interfaces sstpc sstpc0 > "$T_TMP/one.txt" 2>&1
grep -q "state DOWN" "$T_TMP/one.txt" && grep -q "state disconnected" "$T_TMP/one.txt" \
    && ok "show sstpc0: DOWN, disconnected" || { cat "$T_TMP/one.txt" >&2; fail "show sstpc0"; }
# Only sockets that a connection attempt from this daemon could make (the
# first run's connection may linger in TIME-WAIT; the listener is SoftEther's).
cstates="state syn-sent state syn-recv state established"
n=$(ip netns exec "$SERVER_NS" ss -Htn $cstates "( sport = :443 )" | wc -l)
[ "$n" = 0 ] && ok "disable: no TCP connection on the server's port 443" || fail "disable: $n TCP connection(s) to the server"
n=$(ip netns exec "$CLIENT_NS" ss -Htn $cstates "( dport = :443 )" | wc -l)
[ "$n" = 0 ] && ok "disable: no TCP socket in the client namespace" || fail "disable: $n client socket(s)"
grep -q "connecting to" "$T_TMP/b.log" && fail "disable: the log says it connects" || ok "disable: never connecting"
opt_stop
finish
