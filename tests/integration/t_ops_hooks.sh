#!/bin/bash
# up-script / down-script against sstpd (IPv4, IPv6, DNS): a script others
# may write is refused by --check and at start with FILE:LINE; the
# up-script sees the documented variables (it writes them to a file read
# here); the down-script runs on `clear interfaces connection` (reason
# reconnect), on `disconnect interface` (disconnect) and on SIGTERM (stop); an up-script that never ends is
# killed at script-timeout while pings flow through the tunnel.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=hook-s$$ CNS=hook-c$$
H=$T_TMP/hooks
mkdir -m 700 "$H"
EV=$T_TMP/events

cat > "$H/up" <<EOF
#!/bin/sh
env | grep '^SSTPC_' | sort > $T_TMP/up.env.tmp
mv $T_TMP/up.env.tmp $T_TMP/up.env
echo "up \$1 \$2" >> $EV
EOF
cat > "$H/down" <<EOF
#!/bin/sh
echo "down \$SSTPC_REASON \$SSTPC_INTERFACE \$SSTPC_LOCAL_IPV4" >> $EV
EOF
cat > "$H/hang" <<EOF
#!/bin/sh
sleep 1000 &
echo \$\$ \$! > $T_TMP/hang.pids
wait
EOF
chmod 755 "$H/up" "$H/down" "$H/hang"

sstpd_start "$SNS" "$CNS" --ipv6 --dns 10.77.0.53

# ---- a script others may write: refused, naming FILE:LINE
cp "$H/up" "$H/open"
chmod 757 "$H/open"
sd_conf "$T_TMP/bad.conf" "up-script $H/open"
out=$(ip netns exec "$CNS" "$SSTPC" --check -c "$T_TMP/bad.conf" 2>&1); rc=$?
want="$T_TMP/bad.conf:9: up-script: '$H/open' must be owned by root and not writable by group or others"
[ $rc = 1 ] && grep -qF "$want" <<<"$out" && ok "--check refuses: ${out#sstpc: }" \
    || fail "--check: rc $rc, '$out' (want '$want')"
sstpc_start "$CNS" "$T_TMP/bad.conf" "$T_TMP/bad.log"
if wait_for 10 sh -c "! kill -0 $SC_PID"; then wait "$SC_PID"; rc=$?; else rc="still running after 10 s"; fi
[ $rc = 1 ] && grep -qF "$want" "$T_TMP/bad.log" && ok "start refused (exit 1) with the same message" \
    || { cat "$T_TMP/bad.log" >&2; fail "start with a world-writable script: exit $rc"; }
ip -n "$CNS" link show sstpc0 >/dev/null 2>&1 && fail "sstpc0 exists after a refused start" \
    || ok "no device left after the refused start"

# ---- up-script environment, down-script on reconnect and on SIGTERM
sd_conf "$T_TMP/c.conf" "up-script $H/up" "down-script $H/down" "script-timeout 10" "log-level info"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 15 && ok "tunnel up" || { cat "$SC_LOG" >&2; die "no tunnel"; }
wait_for 10 test -s "$T_TMP/up.env" && ok "up-script ran" || { cat "$SC_LOG" >&2; fail "no up-script output"; }
L4=$(tunnel_addr "$CNS" sstpc0)
L6=$(ip -n "$CNS" -6 -o addr show dev sstpc0 scope link | awk '{print $4}' | cut -d/ -f1)
check_var() {
    local got
    got=$(grep "^$1=" "$T_TMP/up.env")
    [ "$got" = "$1=$2" ] && ok "up-script: $got" || fail "up-script: '$got', want '$1=$2'"
}
check_var SSTPC_HOOK up
check_var SSTPC_REASON up
check_var SSTPC_INTERFACE sstpc0
check_var SSTPC_LOCAL_IPV4 "$L4"
check_var SSTPC_PEER_IPV4 "$SD_LOCAL"
check_var SSTPC_LOCAL_IPV6 "$L6"
check_var SSTPC_PEER_IPV6 fe80::200:0:a4d:1
check_var SSTPC_DNS 10.77.0.53
check_var SSTPC_SERVER "$SD_HOST"
check_var SSTPC_SERVER_ADDRESS "$SD_HOST"
check_var SSTPC_SERVER_PORT "$SD_PORT"
grep -qx "up sstpc0 up" "$EV" && ok "up-script arguments: sstpc0 up" || fail "up-script arguments: $(cat "$EV")"

sstpc_cli "$CNS" clear interfaces connection sstpc0 >/dev/null || fail "clear interfaces connection"
wait_for 10 grep -q "^down reconnect sstpc0 $L4\$" "$EV" && ok "down-script on reconnect: reason reconnect, address $L4" \
    || { cat "$EV" >&2; fail "no down-script on reconnect"; }
wait_for 15 sh -c "[ \$(grep -c '^up ' '$EV') -ge 2 ]" && ok "up-script again after the reconnect" \
    || { cat "$SC_LOG" >&2; fail "no second up-script"; }
sstpc_cli "$CNS" disconnect interface sstpc0 >/dev/null || fail "disconnect interface"
wait_for 10 grep -q "^down disconnect sstpc0 " "$EV" && ok "down-script on disconnect: reason disconnect" \
    || { cat "$EV" >&2; fail "no down-script on disconnect"; }
sstpc_cli "$CNS" connect interface sstpc0 >/dev/null || fail "connect interface"
wait_for 15 sh -c "[ \$(grep -c '^up ' '$EV') -ge 3 ]" && ok "up-script again after connect" \
    || { cat "$SC_LOG" >&2; fail "no third up-script"; }
stop_client "$SC_PID" "$CNS" sstpc0 "hooks"
grep -q "^down stop sstpc0 " "$EV" && ok "down-script on SIGTERM: reason stop" || { cat "$EV" >&2; fail "no down-script on SIGTERM"; }
[ "$(grep -c '^down ' "$EV")" = 3 ] && ok "three down-scripts for three sessions" || fail "down-scripts: $(grep -c '^down ' "$EV")"

# ---- a script that never ends: killed at the deadline, traffic flows meanwhile
sd_conf "$T_TMP/h.conf" "up-script $H/hang" "script-timeout 8" "log-level info"
sstpc_start "$CNS" "$T_TMP/h.conf"
wait_up "$CNS" sstpc0 15 && ok "tunnel up with a hanging up-script" || { cat "$SC_LOG" >&2; die "no tunnel"; }
wait_for 5 test -s "$T_TMP/hang.pids" || fail "the hanging script did not start"
read -r HP HC < "$T_TMP/hang.pids"
t0=$SECONDS
ip netns exec "$CNS" ping -c 6 -i 0.3 -W 2 "$SD_LOCAL" > "$T_TMP/ping.log" 2>&1 && p=ok || p=fail
alive=no; kill -0 "$HP" 2>/dev/null && alive=yes
[ $p = ok ] && [ $alive = yes ] && ok "6 pings through the tunnel while the up-script hangs" \
    || { cat "$T_TMP/ping.log" >&2; fail "ping during the hang: $p, script alive: $alive"; }
wait_for 20 grep -q "up-script $H/hang: killed past its script-timeout" "$SC_LOG" \
    && ok "killed past script-timeout (8 s) after about $((SECONDS - t0 + 1)) s" \
    || { cat "$SC_LOG" >&2; fail "the hanging script was not killed"; }
wait_for 5 sh -c "! kill -0 $HP 2>/dev/null && ! kill -0 $HC 2>/dev/null" \
    && ok "the script and its child are gone" || fail "script $HP or its child $HC still running"
kill -0 "$SC_PID" 2>/dev/null && has_addr "$CNS" sstpc0 && ok "the tunnel stays up" || fail "the tunnel went down"
ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 && ok "ping after the kill" || fail "ping after the kill"
stop_client "$SC_PID" "$CNS" sstpc0 "hang"
stop_pid "$SD_PID" 5
finish
