#!/bin/bash
# SSTP on the wire as a strict server expects it (MS-SSTP 2.2, 3.1.1.1):
# (a) a server that sets every reserved field at random on every packet, for
#     a long transfer both ways: no disconnect, sha256 intact;
# (b) a server-initiated disconnect: the client's CALL_DISCONNECT_ACK reaches
#     the server before the connection goes;
# (c) a client-initiated one (SIGTERM): the server acknowledges, the client
#     says the handshake completed, the server sees TLS close_notify;
# (d) a malformed control packet: the client's CALL_ABORT, with its status,
#     reaches the server, which answers with its own;
# (e) --ciphers: the suite the server allows is the one the client gets; a
#     list wolfSSL does not know stops sstpd at start, with the reason.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip python3

SNS=sdwi-s$$ CNS=sdwi-c$$
TCPSHA=$SRC/tests/integration/tcpsha.py
SECS=${SSTPC_WIRE_SECONDS:-60}


# has LOG WHAT REGEX: one check that LOG has a line matching REGEX (waits up
# to 10 s for it: the other end may still be finishing).
has() {
    if wait_for 10 grep -Eq "$3" "$1"; then
        ok "$2: $(grep -E -m1 "$3" "$1" | sed 's/^.*notice: //' | cut -c1-150)"
    else
        tail -n 15 "$1" >&2
        fail "$2: no line matching '$3' in $(basename "$1")"
    fi
}

# client_exits WHAT SECONDS: the client (max-fail 1) ends by itself.
client_exits() {
    if wait_for "$2" sh -c "! kill -0 $SC_PID 2>/dev/null"; then
        wait "$SC_PID"; local rc=$?
        not_signal "$rc" && ok "$1: client exited ($rc)" || fail "$1: client killed by a signal ($rc)"
    else
        fail "$1: client still running after $2 s"
        stop_pid "$SC_PID" 5
    fi
    no_leftovers "$CNS" sstpc0 && ok "$1: nothing left behind" || fail "$1: sstpc0 or a route left"
}

# ---- (a) reserved bits at random on every packet, a long transfer ---------
new_sstpd --fault reserved-bits
sd_conf "$T_TMP/c.conf" "reconnect max-fail 1"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 && ok "reserved-bits: tunnel up" || { cat "$SC_LOG" >&2; die "reserved-bits: no tunnel"; }
bg "$SNS" "$T_TMP/up-srv.log" python3 "$TCPSHA" listen "$SD_LOCAL" 5001 recv "$T_TMP/up-s.sum"
up_srv=$BG_PID
bg "$SNS" "$T_TMP/dn-srv.log" python3 "$TCPSHA" listen "$SD_LOCAL" 5002 "sendfor:$SECS" "$T_TMP/dn-s.sum"
dn_srv=$BG_PID
bg "$CNS" "$T_TMP/up-cli.log" python3 "$TCPSHA" connect "$SD_LOCAL" 5001 "sendfor:$SECS" "$T_TMP/up-c.sum"
up_cli=$BG_PID
bg "$CNS" "$T_TMP/dn-cli.log" python3 "$TCPSHA" connect "$SD_LOCAL" 5002 recv "$T_TMP/dn-c.sum"
dn_cli=$BG_PID
for p in $up_cli $dn_cli $up_srv $dn_srv; do
    if wait_for $((SECS + 60)) sh -c "! kill -0 $p 2>/dev/null"; then wait "$p"; else stop_pid "$p" 2; fi
done
for d in up dn; do
    a=$(cat "$T_TMP/$d-c.sum" 2>/dev/null) b=$(cat "$T_TMP/$d-s.sum" 2>/dev/null)
    if [ -n "$a" ] && [ "$a" = "$b" ] && [ "${a%% *}" -gt 0 ]; then
        ok "reserved-bits: $d ${a%% *} bytes in $SECS s, sha256 equal on both ends"
    else
        cat "$T_TMP/$d-cli.log" "$T_TMP/$d-srv.log" >&2
        fail "reserved-bits: $d client '$a' vs server '$b'"
    fi
done
kill -0 "$SC_PID" 2>/dev/null && ok "reserved-bits: client still running" || fail "reserved-bits: client died"
grep -Eq "tunnel down|reconnecting|malformed" "$SC_LOG" \
    && fail "reserved-bits: the client dropped the tunnel: $(grep -E -m1 "tunnel down|malformed" "$SC_LOG")" \
    || ok "reserved-bits: no disconnect"
n=$(grep -c ": accepted" "$SD_LOG")
[ "$n" = 1 ] && ok "reserved-bits: one TCP connection" || fail "reserved-bits: $n connections"
# sstpd's SIGTERM disconnects the client: it says whether the ACK came.
stop_sstpd
has "$SD_LOG" "reserved-bits: fault active" "fault reserved-bits: [1-9][0-9]{4,} SSTP packet"
has "$SD_LOG" "sstpd SIGTERM: ACK received" "received CALL_DISCONNECT_ACK from the client: CALL_DISCONNECT acknowledged"
has "$SC_LOG" "sstpd SIGTERM: client acknowledged" "received CALL_DISCONNECT from the server .*sent CALL_DISCONNECT_ACK"
client_exits "sstpd SIGTERM" 15

# ---- (b) server-initiated disconnect --------------------------------------
new_sstpd --fault disconnect-after --fault-after 1
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 && ok "disconnect-after: tunnel up" || fail "disconnect-after: no tunnel"
client_exits "disconnect-after" 15
has "$SD_LOG" "disconnect-after: sstpd sent" "fault disconnect-after: sending CALL_DISCONNECT"
has "$SD_LOG" "disconnect-after: sstpd got the ACK" \
    "received CALL_DISCONNECT_ACK from the client: CALL_DISCONNECT acknowledged, disconnect handshake completed"
has "$SC_LOG" "disconnect-after: client acknowledged" \
    "received CALL_DISCONNECT from the server \(status NO_ERROR \(0\).*\); sent CALL_DISCONNECT_ACK"
has "$SC_LOG" "disconnect-after: client saw the close" \
    "the server closed the connection \(TLS close_notify received\) after our CALL_DISCONNECT_ACK: disconnect handshake completed"
has "$SC_LOG" "disconnect-after: the reason" "error: tunnel down: peer disconnected \(CALL_DISCONNECT"

# ---- (c) client-initiated disconnect (SIGTERM) ----------------------------
new_sstpd
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 && ok "SIGTERM: tunnel up" || fail "SIGTERM: no tunnel"
stop_client "$SC_PID" "$CNS" sstpc0 "SIGTERM"
has "$SD_LOG" "SIGTERM: sstpd got CALL_DISCONNECT and acknowledged" \
    "received CALL_DISCONNECT from the client \(status NO_ERROR \(0\).*\); sent CALL_DISCONNECT_ACK"
has "$SC_LOG" "SIGTERM: client handshake" \
    "received CALL_DISCONNECT_ACK from the server: CALL_DISCONNECT acknowledged, disconnect handshake completed"
has "$SD_LOG" "SIGTERM: TLS closed cleanly" \
    "the client closed the connection \(TLS close_notify received\) after our CALL_DISCONNECT_ACK"

# ---- (d) malformed control packet: CALL_ABORT with a status ---------------
for when in "after 1 s" "CONNECT_ACK"; do
    if [ "$when" = "CONNECT_ACK" ]; then new_sstpd --fault attr-short; else new_sstpd --fault attr-short --fault-after 1; fi
    sstpc_start "$CNS" "$T_TMP/c.conf"
    client_exits "attr-short ($when)" 20
    has "$SC_LOG" "attr-short ($when): client aborts" \
        "malformed SSTP control packet: attribute length shorter than its header; sent CALL_ABORT \(status INVALID_FRAME_RECEIVED \(7\)\)"
    has "$SD_LOG" "attr-short ($when): sstpd got the CALL_ABORT" \
        "received CALL_ABORT from the client \(status INVALID_FRAME_RECEIVED \(7\) for attribute 0\); sent CALL_ABORT in reply"
    has "$SC_LOG" "attr-short ($when): abort exchange" \
        "received CALL_ABORT from the server .*abort handshake completed"
done

# ---- (e) --ciphers ----------------------------------------------------------
new_sstpd --ciphers TLS13-AES256-GCM-SHA384
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 20 || fail "--ciphers: no tunnel"
has "$SC_LOG" "--ciphers: the server's only suite" "tunnel up \\(TLSv1.3, TLS13-AES256-GCM-SHA384,"
stop_pid "$SC_PID" 10
stop_sstpd
if ip netns exec "$SNS" "$SSTPD" --listen 10.200.8.2:4443 --cert "$T_TMP/pki/server.pem" \
    --key "$T_TMP/pki/server.key" --users "$T_TMP/users" --ciphers NO-SUCH-SUITE \
    >"$T_TMP/sd-bad.log" 2>&1; then
    fail "--ciphers NO-SUCH-SUITE: sstpd started"
else
    has "$T_TMP/sd-bad.log" "--ciphers NO-SUCH-SUITE: refused at start" \
        "error: --ciphers NO-SUCH-SUITE: no suite of the list is known to wolfSSL"
fi
finish
