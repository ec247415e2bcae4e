#!/bin/bash
# tlsbench's tunnel mode, the floor tools/bench/run.sh measures sstpc
# against: a TLS stream between two namespaces carries whole TUN reads.
# 8 MB each way arrive intact (sha256 on both ends), the TUN reads went
# through whole (the far TUN's RX counters, one per write, average more
# than its MTU: the relay wrote TSO super-packets, not segments), and when
# one end stops the other sees the stream end and exits 0 on its own.
. "$(dirname "$0")/lib.sh"
need_root; need_cmd ip openssl python3 jq
TLSBENCH=$BUILD/tlsbench
[ -x "$TLSBENCH" ] || die "no tlsbench at $TLSBENCH (build first)"

CNS=tbf-c$$ SNS=tbf-s$$
mk_netns "$CNS"; mk_netns "$SNS"
veth_pair "$CNS" 10.200.9.1/24 "$SNS" 10.200.9.2/24
sh "$SRC/tools/sstpd/mkcerts.sh" "$T_TMP/pki" 10.200.9.2 >/dev/null 2>&1 || die "mkcerts.sh failed"

bg "$SNS" "$T_TMP/srv.log" "$TLSBENCH" tunnel-server 10.200.9.2 5444 "$T_TMP/pki/server.pem" "$T_TMP/pki/server.key" tbs0
SRV=$BG_PID
wait_for 5 grep -q listening "$T_TMP/srv.log" || { cat "$T_TMP/srv.log" >&2; die "tunnel-server did not start"; }
bg "$CNS" "$T_TMP/cl.log" "$TLSBENCH" tunnel-client 10.200.9.2 5444 "$T_TMP/pki/ca.pem" tbc0
CL=$BG_PID
wait_for 5 grep -q "tunnel up" "$T_TMP/cl.log" || { cat "$T_TMP/cl.log" >&2; die "tunnel-client did not come up"; }
ip -n "$SNS" link set tbs0 up mtu 1400 && ip -n "$SNS" addr add 10.201.0.1 peer 10.201.0.2 dev tbs0 &&
    ip -n "$CNS" link set tbc0 up mtu 1400 && ip -n "$CNS" addr add 10.201.0.2 peer 10.201.0.1 dev tbc0 \
    || die "could not address the tunnel"
ip netns exec "$CNS" ping -c 3 -i 0.2 -W 2 10.201.0.1 >/dev/null && ok "ping through the tunnel" \
    || fail "no ping through the tunnel"

rx() { ip -n "$SNS" -j -s link show tbs0 | jq -r ".[0].stats64.rx.$1"; }
p0=$(rx packets) b0=$(rx bytes)
SIZE=8000000 SD_SERVER_NS=$SNS SD_CLIENT_NS=$CNS SD_LOCAL=10.201.0.1
sd_transfer up 5001 floor
p1=$(rx packets) b1=$(rx bytes)
avg=$(( (b1 - b0) / (p1 - p0 + 1) ))
[ "$avg" -gt 1400 ] && ok "super-packets went through whole: $avg bytes per write to the far TUN" \
    || fail "$avg bytes per write to the far TUN: the super-packets did not come through whole"
sd_transfer down 5002 floor

stop_pid "$CL" 5
if wait_for 10 sh -c "! kill -0 $SRV 2>/dev/null"; then
    wait "$SRV"; rc=$?
    [ "$rc" = 0 ] && grep -q "tunnel ended (0 TUN writes refused)" "$T_TMP/srv.log" &&
        ok "the server saw the stream end and exited 0" || fail "server exit $rc: $(cat "$T_TMP/srv.log")"
else
    fail "the server did not notice the client had gone"
fi
finish
