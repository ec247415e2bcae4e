#!/bin/bash
# TUN offloads (IFF_VNET_HDR, TSO + checksum) against SoftEther: on by
# default, the kernel really hands sstpc super-packets (the TUN's TX
# counters average more than the MTU per packet), 200 MB up and 50 MB down
# arrive intact (sha256), downstream GRO hands the kernel merged
# super-packets (the TUN's RX counters average more than the MTU), and
# SSTPC_NO_OFFLOAD=1 gives the plain one-packet-per-read-and-write path,
# also intact.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip nc sha256sum jq

CLIENT_NS=sstpo-cl$$
SERVER_NS=sstpo-se$$
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

tx() { ip -n "$CLIENT_NS" -j -s link show sstpc0 | jq -r ".[0].stats64.tx.$1"; }
rx() { ip -n "$CLIENT_NS" -j -s link show sstpc0 | jq -r ".[0].stats64.rx.$1"; }

# send MB: client -> server through the tunnel, checksummed at both ends
send() {
    head -c "$1"000000 /dev/urandom > "$T_TMP/blob"
    local want got
    want=$(sha256sum < "$T_TMP/blob" | cut -d' ' -f1)
    bg "$SERVER_NS" "$T_TMP/nc-srv.log" sh -c "nc -l -s $SE_TAP_IP -p 5001 | sha256sum > $T_TMP/got"
    local ncpid=$BG_PID
    wait_for 5 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'sport = :5001' | grep -q ."
    ip netns exec "$CLIENT_NS" nc -N -w 30 "$SE_TAP_IP" 5001 < "$T_TMP/blob" || fail "nc send"
    wait "$ncpid" 2>/dev/null
    got=$(cut -d' ' -f1 "$T_TMP/got" 2>/dev/null)
    [ "$got" = "$want" ] && ok "$2: $1 MB up arrived intact" || fail "$2: $1 MB up: checksum mismatch"
    rm -f "$T_TMP/got"
}

# recv MB: server -> client
recv() {
    head -c "$1"000000 /dev/urandom > "$T_TMP/blob"
    local want got
    want=$(sha256sum < "$T_TMP/blob" | cut -d' ' -f1)
    bg "$CLIENT_NS" "$T_TMP/nc-cl.log" sh -c "nc -l -s $addr -p 5002 | sha256sum > $T_TMP/got"
    local ncpid=$BG_PID
    wait_for 5 ip netns exec "$CLIENT_NS" sh -c "ss -Hltn 'sport = :5002' | grep -q ."
    ip netns exec "$SERVER_NS" nc -N -w 30 "$addr" 5002 < "$T_TMP/blob" || fail "nc send down"
    wait "$ncpid" 2>/dev/null
    got=$(cut -d' ' -f1 "$T_TMP/got" 2>/dev/null)
    [ "$got" = "$want" ] && ok "$2: $1 MB down arrived intact" || fail "$2: $1 MB down: checksum mismatch"
    rm -f "$T_TMP/got"
}

run() { # label, then env for sstpc
    local label=$1; shift
    bg "$CLIENT_NS" "$T_TMP/sstpc-$label.log" env "$@" "$SSTPC" -c "$T_TMP/tunnel.conf"
    PID=$BG_PID
    if ! wait_for 30 has_addr "$CLIENT_NS" sstpc0; then
        cat "$T_TMP/sstpc-$label.log" >&2
        die "$label: tunnel did not come up within 30 s"
    fi
    addr=$(tunnel_addr "$CLIENT_NS" sstpc0)
}

run offload SSTPC_X=1
grep -q "TUN offloads on" "$T_TMP/sstpc-offload.log" && ok "offloads on by default" \
    || fail "offloads not on: $(grep -i offload "$T_TMP/sstpc-offload.log")"
p0=$(tx packets); b0=$(tx bytes)
send 200 offload
p1=$(tx packets); b1=$(tx bytes)
avg=$(( (b1 - b0) / (p1 - p0 + 1) ))
[ "$avg" -gt 1400 ] && ok "super-packets from the kernel: $(( p1 - p0 )) reads, $avg bytes average (MTU 1400)" \
    || fail "no super-packets: $avg bytes per TUN packet"
p0=$(rx packets); b0=$(rx bytes)
recv 50 offload
p1=$(rx packets); b1=$(rx bytes)
avg=$(( (b1 - b0) / (p1 - p0 + 1) ))
[ "$avg" -gt 1400 ] && ok "GRO: super-packets to the kernel: $(( p1 - p0 )) writes, $avg bytes average (MTU 1400)" \
    || fail "no GRO: $avg bytes per TUN write"
ip netns exec "$CLIENT_NS" ping -c 3 -i 0.2 -W 2 -s 1372 -M do "$SE_TAP_IP" >/dev/null 2>&1 \
    && ok "offload: full-MTU ping both ways" || fail "offload: full-MTU ping"
stop_pid "$PID" 10
[ "$STOP_RC" = 0 ] && ok "offload: SIGTERM exit 0" || fail "offload: exit status $STOP_RC"
wait_for 10 sh -c "! ip -n $CLIENT_NS link show sstpc0 >/dev/null 2>&1"

run plain SSTPC_NO_OFFLOAD=1
grep -q "TUN offloads off" "$T_TMP/sstpc-plain.log" && ok "SSTPC_NO_OFFLOAD=1: offloads off" \
    || fail "SSTPC_NO_OFFLOAD=1 ignored"
p0=$(tx packets); b0=$(tx bytes)
send 20 plain
p1=$(tx packets); b1=$(tx bytes)
avg=$(( (b1 - b0) / (p1 - p0 + 1) ))
[ "$avg" -le 1400 ] && ok "plain: packets no larger than the MTU ($avg bytes average)" \
    || fail "plain: $avg bytes per TUN packet"
p0=$(rx packets); b0=$(rx bytes)
recv 20 plain
p1=$(rx packets); b1=$(rx bytes)
avg=$(( (b1 - b0) / (p1 - p0 + 1) ))
[ "$avg" -le 1400 ] && ok "plain: writes no larger than the MTU ($avg bytes average)" \
    || fail "plain: $avg bytes per TUN write"
stop_pid "$PID" 10
[ "$STOP_RC" = 0 ] && ok "plain: SIGTERM exit 0" || fail "plain: exit status $STOP_RC"
finish
