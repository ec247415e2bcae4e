#!/bin/bash
# IPv4 and IPv6 through the tunnel: sstpd --ipv6 runs IPV6CP (interface ids
# 02:00:00:00 + IPv4), the client puts fe80::<the negotiated id> on sstpc0 and pings
# the server's link-local address through it (%sstpc0), and IPv4 at once.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdv6-s$$ CNS=sdv6-c$$
sstpd_start "$SNS" "$CNS" --ipv6
sd_conf "$T_TMP/c.conf" "reconnect max-fail 1" "log-level info"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 && ok "tunnel up" || { cat "$SC_LOG" >&2; die "no tunnel"; }
wait_for 5 sh -c "ip -n $CNS -6 -o addr show dev sstpc0 scope link | grep -q fe80::" \
    && ok "IPv6 link-local on sstpc0: $(ip -n "$CNS" -6 -o addr show dev sstpc0 scope link | awk '{print $4}')" \
    || { cat "$SC_LOG" >&2; fail "no IPv6 link-local address on sstpc0"; }
SRV6=fe80::200:0:a4d:1
ip netns exec "$CNS" ping -6 -c 3 -i 0.2 -W 2 "$SRV6%sstpc0" >"$T_TMP/p6.log" 2>&1 \
    && ok "ping6 $SRV6%sstpc0" || { cat "$T_TMP/p6.log" >&2; fail "ping6 through the tunnel"; }
ip netns exec "$CNS" ping -6 -c 2 -i 0.2 -s 1300 -W 2 "$SRV6%sstpc0" >/dev/null 2>&1 \
    && ok "ping6 -s 1300" || fail "ping6 -s 1300"
ip netns exec "$CNS" ping -c 3 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
    && ok "ping $SD_LOCAL (IPv4 alongside)" || fail "IPv4 ping"
# TCP over IPv6 through the tunnel, checksummed.
bg "$SNS" "$T_TMP/rx.log" python3 "$SRC/tests/integration/tcpsha.py" listen "::" 5006 recv "$T_TMP/rx.sum"
rx=$BG_PID
ip netns exec "$CNS" python3 "$SRC/tests/integration/tcpsha.py" connect "$SRV6%sstpc0" 5006 send:5000000 "$T_TMP/tx.sum" \
    || fail "IPv6 TCP send"
wait "$rx"
[ -s "$T_TMP/tx.sum" ] && [ "$(cat "$T_TMP/tx.sum")" = "$(cat "$T_TMP/rx.sum" 2>/dev/null)" ] \
    && ok "5 MB over IPv6 TCP intact" || fail "5 MB over IPv6 differ"
sstpc_cli "$CNS" show interfaces sstpc sstpc0 > "$T_TMP/show.txt"
grep -q "fe80::" "$T_TMP/show.txt" && ok "show lists the IPv6 address" || fail "show has no IPv6 address"
stop_client "$SC_PID" "$CNS" sstpc0 ipv6
grep -q "IPv6 up" "$SD_LOG" || grepq -i "ipv6cp.*up\|IPv6" "$SD_LOG" || fail "sstpd log says nothing of IPv6"
stop_pid "$SD_PID" 5
[ "$STOP_RC" = 0 ] && ok "sstpd: exit 0" || fail "sstpd exit status $STOP_RC"
finish
