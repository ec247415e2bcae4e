#!/bin/bash
# A real tunnel to a real SSTP server someone else wrote (SoftEther, bridge
# mode, own namespace): address and MTU on sstpc0, ping, 50 MB with a
# checksum, iperf3, clean SIGTERM (CALL_DISCONNECT acknowledged, device gone).
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping iperf3 nc sha256sum

CLIENT_NS=sstpt-cl$$
SERVER_NS=sstpt-se$$
softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 443

cat > "$T_TMP/tunnel.conf" <<CONF
interface sstpc0
server $SE_HOST
authentication username $SE_USER
authentication password '$SE_PASSWORD'
ssl ca-certificate $SE_CA_FILE
mtu 1400
no-default-route
ip route 192.168.30.0/24
log-level info
CONF
t0=$(date +%s%N)
bg "$CLIENT_NS" "$T_TMP/sstpc.log" "$SSTPC" -c "$T_TMP/tunnel.conf"
PID=$BG_PID
if ! wait_for 30 has_addr "$CLIENT_NS" sstpc0; then
    cat "$T_TMP/sstpc.log" >&2
    die "tunnel did not come up within 30 s"
fi
t1=$(date +%s%N)
log "tunnel up in $(( (t1 - t0) / 1000000 )) ms (start to address)"
addr=$(tunnel_addr "$CLIENT_NS" sstpc0)
case $addr in 192.168.30.*) ok "IPCP address $addr" ;; *) fail "unexpected address '$addr'" ;; esac
mtu=$(ip -n "$CLIENT_NS" -o link show sstpc0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
[ "$mtu" = 1400 ] && ok "MTU 1400" || fail "MTU is '$mtu'"
ip -n "$CLIENT_NS" -o link show sstpc0 | grepq ',UP' && ok "sstpc0 is UP" || fail "sstpc0 not UP"

ip netns exec "$CLIENT_NS" ping -c 3 -i 0.2 -W 2 "$SE_TAP_IP" >"$T_TMP/ping.log" 2>&1 \
    && ok "ping $SE_TAP_IP through the tunnel" || { cat "$T_TMP/ping.log" >&2; fail "ping through the tunnel"; }
ip netns exec "$CLIENT_NS" ping -c 2 -i 0.2 -W 2 "$SE_GATEWAY" >/dev/null 2>&1 \
    && ok "ping $SE_GATEWAY (SecureNAT)" || fail "ping $SE_GATEWAY"

# 50 MB with a checksum on both ends.
head -c 50000000 /dev/urandom > "$T_TMP/blob"
want=$(sha256sum < "$T_TMP/blob" | cut -d' ' -f1)
bg "$SERVER_NS" "$T_TMP/nc-srv.log" sh -c "nc -l -s $SE_TAP_IP -p 5001 | sha256sum > $T_TMP/got"
NCPID=$BG_PID
wait_for 5 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'sport = :5001' | grep -q ."
s0=$(date +%s%N)
ip netns exec "$CLIENT_NS" nc -N -w 30 "$SE_TAP_IP" 5001 < "$T_TMP/blob" || fail "nc send"
wait "$NCPID" 2>/dev/null
s1=$(date +%s%N)
got=$(cut -d' ' -f1 "$T_TMP/got" 2>/dev/null)
[ "$got" = "$want" ] && ok "50 MB arrived intact ($(( 50000 / ((s1 - s0) / 1000000 + 1) )) MB/s)" \
    || fail "checksum mismatch after 50 MB ($got vs $want)"

bg "$SERVER_NS" "$T_TMP/iperf-srv.log" iperf3 -s -1 -B "$SE_TAP_IP" -p 5201
wait_for 5 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'sport = :5201' | grep -q ."
if ip netns exec "$CLIENT_NS" iperf3 -c "$SE_TAP_IP" -p 5201 -t 3 -f m >"$T_TMP/iperf.log" 2>&1; then
    ok "iperf3 up: $(grep receiver "$T_TMP/iperf.log" | awk '{print $7, $8}')"
else
    cat "$T_TMP/iperf.log" >&2; fail "iperf3"
fi

stop_pid "$PID" 10; rc=$STOP_RC
[ "$rc" = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit status $rc"
grep -qi "disconnect acknowledged" "$T_TMP/sstpc.log" && ok "CALL_DISCONNECT acknowledged" \
    || { tail -n 20 "$T_TMP/sstpc.log" >&2; fail "no acknowledged disconnect in the log"; }
ip -n "$CLIENT_NS" link show sstpc0 >/dev/null 2>&1 && fail "sstpc0 still exists" || ok "sstpc0 removed"
finish
