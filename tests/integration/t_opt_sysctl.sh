#!/bin/bash
# ip disable-forwarding: net.ipv4/ipv6.conf.sstpc0.forwarding 0 although
# conf.all.forwarding is 1; ip source-validation strict/loose/disable:
# net.ipv4.conf.sstpc0.rp_filter 1/2/0, restored on disconnect. And the
# kernel really filters: a UDP packet with a spoofed source (10.99.99.99)
# sent from the server side through tap_sstp into the tunnel is dropped in
# strict mode (IPReversePathFilter counts it), passes in loose mode when
# 10.99.0.0/16 is routed via the veth, and passes with disable - unless
# conf.all.rp_filter is 1 (the kernel uses the maximum): then the daemon
# warns and the kernel still drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/opt_lib.sh"
need_root; need_sstpc; need_cmd ip python3 sysctl

CLIENT_NS=sstpo-sc$$
SERVER_NS=sstpo-ss$$
opt_peer

cl_set() { ip netns exec "$CLIENT_NS" sysctl -qw "$1=$2" || die "sysctl $1=$2"; }
cl_set net.ipv4.conf.all.forwarding 1
cl_set net.ipv6.conf.all.forwarding 1
cl_set net.ipv4.conf.all.rp_filter 0
cl_set net.ipv4.conf.default.rp_filter 0

cat > "$T_TMP/send.py" <<'PY'
import socket, struct, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = ("from " + src).encode()
udp = struct.pack("!HHHH", 40000, port, 8 + len(data), 0) + data  # UDP checksum 0: none
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                 socket.inet_aton(src), socket.inet_aton(dst))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # implies IP_HDRINCL
for _ in range(3):
    s.sendto(ip + udp, (dst, 0))
PY
cat > "$T_TMP/recv.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(0.2)
end = time.time() + float(sys.argv[2])
out = open(sys.argv[3], "w")
while time.time() < end:
    try:
        d, a = s.recvfrom(2048)
        out.write(a[0] + "\n"); out.flush()
    except socket.timeout:
        pass
PY
rpf_count() { ip netns exec "$CLIENT_NS" awk '/^TcpExt:/ { if (!h) { split($0, k); h = 1 } else { split($0, v); for (i in k) if (k[i] == "IPReversePathFilter") print v[i] } }' /proc/net/netstat; }

# probe: sends 3 spoofed and 3 genuine packets; sets SPOOFED and GENUINE.
probe() {
    local addr port=$((20000 + RANDOM % 10000))
    addr=$(tunnel_addr "$CLIENT_NS" sstpc0)
    rm -f "$T_TMP/got"
    bg "$CLIENT_NS" "$T_TMP/recv.log" python3 "$T_TMP/recv.py" "$port" 3 "$T_TMP/got"
    local rp=$BG_PID
    wait_for 3 sh -c "ip netns exec $CLIENT_NS ss -Hlun 'sport = :$port' | grep -q ."
    ip netns exec "$SERVER_NS" python3 "$T_TMP/send.py" 10.99.99.99 "$addr" "$port"
    ip netns exec "$SERVER_NS" python3 "$T_TMP/send.py" 192.168.30.2 "$addr" "$port"
    wait "$rp"
    SPOOFED=$(grep -c '^10.99.99.99$' "$T_TMP/got" 2>/dev/null)
    GENUINE=$(grep -c '^192.168.30.2$' "$T_TMP/got" 2>/dev/null)
}

run_mode() { # MODE WANT_RPF SPOOF_EXPECT(0|>0)
    local mode=$1 want=$2 expect=$3
    opt_conf "$T_TMP/$mode.conf" "no-default-route" "no-peer-dns" "ip route 192.168.30.0/24" \
        "ip disable-forwarding" "ip source-validation $mode"
    opt_start "$T_TMP/$mode.conf" "$T_TMP/$mode.log"
    local v
    v=$(cl_sysctl net.ipv4.conf.sstpc0.rp_filter)
    [ "$v" = "$want" ] && ok "$mode: net.ipv4.conf.sstpc0.rp_filter = $v" || fail "$mode: rp_filter is '$v' (want $want)"
    v=$(cl_sysctl net.ipv4.conf.sstpc0.forwarding)
    [ "$v" = 0 ] && ok "$mode: net.ipv4.conf.sstpc0.forwarding = 0 (all = 1)" || fail "$mode: ipv4 forwarding '$v'"
    v=$(cl_sysctl net.ipv6.conf.sstpc0.forwarding)
    [ "$v" = 0 ] && ok "$mode: net.ipv6.conf.sstpc0.forwarding = 0" || fail "$mode: ipv6 forwarding '$v'"
    local r0 r1
    r0=$(rpf_count)
    probe
    r1=$(rpf_count)
    [ "$GENUINE" -ge 1 ] && ok "$mode: genuine packets from 192.168.30.2 arrive ($GENUINE)" || fail "$mode: genuine packets lost"
    if [ "$expect" = 0 ]; then
        [ "$SPOOFED" = 0 ] && [ $((r1 - r0)) -ge 1 ] && ok "$mode: spoofed 10.99.99.99 dropped (IPReversePathFilter +$((r1 - r0)))" \
            || fail "$mode: spoofed packets: $SPOOFED arrived, IPReversePathFilter +$((r1 - r0))"
    else
        [ "$SPOOFED" -ge 1 ] && ok "$mode: spoofed 10.99.99.99 delivered ($SPOOFED)" || fail "$mode: spoofed packets did not arrive"
    fi
}

# strict: 10.99.99.99 is not routed back via sstpc0.
run_mode strict 1 0
opt_ctl disconnect interface sstpc0 >/dev/null 2>&1
wait_for 10 sh -c "[ \"\$(ip netns exec $CLIENT_NS sysctl -n net.ipv4.conf.sstpc0.rp_filter)\" = 0 ]" \
    && ok "after disconnect: rp_filter back to 0" || fail "rp_filter not restored: $(cl_sysctl net.ipv4.conf.sstpc0.rp_filter)"
[ "$(cl_sysctl net.ipv4.conf.sstpc0.forwarding)" = 1 ] && [ "$(cl_sysctl net.ipv6.conf.sstpc0.forwarding)" = 1 ] \
    && ok "after disconnect: forwarding back to 1" || fail "forwarding not restored"
opt_stop

# loose: any route back is enough; give 10.99.0.0/16 one via the veth.
ip -n "$CLIENT_NS" route add 10.99.0.0/16 via 10.200.7.2
run_mode loose 2 1
opt_stop
ip -n "$CLIENT_NS" route del 10.99.0.0/16 via 10.200.7.2
run_mode loose 2 0   # no route at all: loose drops too
opt_stop

run_mode disable 0 1
opt_stop

# conf.all.rp_filter = 1 overrides `disable`: the daemon leaves `all` alone
# (it belongs to every interface), says so, and the kernel filters.
cl_set net.ipv4.conf.all.rp_filter 1
run_mode disable 0 0
grep -q "net.ipv4.conf.all.rp_filter is 1" "$T_TMP/disable.log" && ok "warning about conf.all.rp_filter logged" \
    || { cat "$T_TMP/disable.log" >&2; fail "no warning about conf.all.rp_filter"; }
[ "$(cl_sysctl net.ipv4.conf.all.rp_filter)" = 1 ] && ok "conf.all.rp_filter left at 1" || fail "conf.all.rp_filter changed"
opt_stop
finish
