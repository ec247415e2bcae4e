#!/bin/bash
# Every sstpd fault mode ends with the documented client behaviour: a clear
# error naming the problem (or a working tunnel where the fault is one a
# client must cope with), never a signal, no device or route left after the
# end, reconnect where it applies.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdfa-s$$ CNS=sdfa-c$$
KEEP=("keepalive interval 1" "keepalive failure 3" "keepalive sstp-hello 10")


# single_shot WHAT SECONDS REGEX [conf lines]: the client (max-fail 1) must
# exit by itself within SECONDS with status 1 and REGEX in its log.
single_shot() {
    local what=$1 secs=$2 re=$3; shift 3
    sd_conf "$T_TMP/c.conf" "reconnect max-fail 1" "${KEEP[@]}" "$@"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    local pid=$SC_PID t0=$SECONDS
    if ! wait_for "$secs" sh -c "! kill -0 $pid 2>/dev/null"; then
        fail "$what: still running after $secs s"
        stop_pid "$pid" 5
        tail -n 5 "$SC_LOG" >&2
        return
    fi
    wait "$pid"; local rc=$?
    [ "$rc" = 1 ] && ok "$what: exit 1 after $((SECONDS - t0)) s" || fail "$what: exit status $rc (want 1)"
    not_signal "$rc" || fail "$what: killed by a signal"
    local line
    line=$(grep -E -m1 "error: .*($re)" "$SC_LOG")
    [ -n "$line" ] && ok "$what: ${line#* error: }" || { cat "$SC_LOG" >&2; fail "$what: no error matching '$re'"; }
    no_leftovers "$CNS" sstpc0 && ok "$what: nothing left behind" || fail "$what: sstpc0 or a route left behind"
}

# up_case WHAT [conf lines]: tunnel up, ping, clean SIGTERM.
up_case() {
    local what=$1; shift
    sd_conf "$T_TMP/c.conf" "reconnect max-fail 1" "${KEEP[@]}" "$@"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    if wait_up "$CNS" sstpc0 10; then
        ok "$what: tunnel up"
    else
        tail -n 10 "$SC_LOG" >&2; tail -n 10 "$SD_LOG" >&2
        fail "$what: no tunnel within 10 s"
    fi
    ip netns exec "$CNS" ping -c 3 -i 0.2 -W 2 -s 1200 "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "$what: ping -s 1200" || fail "$what: ping through the tunnel"
    stop_client "$SC_PID" "$CNS" sstpc0 "$what"
}

# nak-first-connect: the client repeats CALL_CONNECT_REQUEST on the same
# connection and gets the ACK; one TCP connection only.
new_sstpd --fault nak-first-connect --log-level debug
up_case nak-first-connect
n=$(grep -c ": accepted" "$SD_LOG")
[ "$n" = 1 ] && ok "nak-first-connect: one TCP connection" || fail "nak-first-connect: $n connections"

# reject-auth: E=691, exit 1 with max-fail 1; the password never in the log.
new_sstpd --fault reject-auth
single_shot "reject-auth (MS-CHAPv2)" 10 "691"
grep -q "$SD_PASSWORD" "$SC_LOG" && fail "reject-auth: the password appears in the log"
single_shot "reject-auth (PAP)" 10 "PAP.*(fail|reject|Nak)|authentication failed" "authentication protocols pap"
single_shot "reject-auth (CHAP)" 10 "CHAP.*(fail|reject)|authentication failed" "authentication protocols chap"

# nak-lcp-forever: LCP gives up well before the connect timeout.
new_sstpd --fault nak-lcp-forever
single_shot nak-lcp-forever 15 "LCP.*(converge|Max-)" "connect-timeout 30"

# rras-lcp: the client Rejects CALLBACK/MRRU/… and comes up.
new_sstpd --fault rras-lcp
up_case rras-lcp

# no-dns vs. DNS: with --dns the client's resolv file gets the server; with
# no-dns the tunnel comes up and the file is not touched.
new_sstpd --dns 10.77.0.53
sd_conf "$T_TMP/c.conf" "reconnect max-fail 1"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 || fail "dns: no tunnel"
# DNS is installed right after the address wait_up saw: poll for it
wait_for 5 grep -q "10.77.0.53" "$SC_RESOLV" && ok "dns: 10.77.0.53 installed" || fail "dns: resolv file: $(cat "$SC_RESOLV")"
stop_client "$SC_PID" "$CNS" sstpc0 dns
[ "$(cat "$SC_RESOLV")" = "nameserver 192.0.2.53" ] && ok "dns: resolv file restored" || fail "dns: not restored: $(cat "$SC_RESOLV")"
new_sstpd --dns 10.77.0.53 --fault no-dns
before=$(md5sum < "$SC_RESOLV")
sd_conf "$T_TMP/c.conf" "reconnect max-fail 1"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 && ok "no-dns: tunnel up" || fail "no-dns: no tunnel"
sleep 0.3
[ "$(md5sum < "$SC_RESOLV")" = "$before" ] && ok "no-dns: resolv file untouched" || fail "no-dns: resolv file changed"
stop_client "$SC_PID" "$CNS" sstpc0 no-dns

# dribble / pack: a working tunnel, data intact (tcpsha through it).
for f in dribble pack; do
    new_sstpd --fault $f
    up_case "$f"
done
for f in dribble pack; do
    new_sstpd --fault $f
    sd_conf "$T_TMP/c.conf" "reconnect max-fail 1"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    wait_up "$CNS" sstpc0 10 || fail "$f: no tunnel"
    bg "$SNS" "$T_TMP/rx.log" python3 "$SRC/tests/integration/tcpsha.py" listen "$SD_LOCAL" 5001 recv "$T_TMP/rx.sum"
    rx=$BG_PID
    ip netns exec "$CNS" python3 "$SRC/tests/integration/tcpsha.py" connect "$SD_LOCAL" 5001 send:2000000 "$T_TMP/tx.sum" \
        || fail "$f: send"
    wait "$rx"
    [ -s "$T_TMP/tx.sum" ] && [ "$(cat "$T_TMP/tx.sum")" = "$(cat "$T_TMP/rx.sum" 2>/dev/null)" ] \
        && ok "$f: 2 MB client→server intact" || fail "$f: 2 MB upload differs"
    bg "$SNS" "$T_TMP/tx2.log" python3 "$SRC/tests/integration/tcpsha.py" listen "$SD_LOCAL" 5002 send:2000000 "$T_TMP/tx2.sum"
    tx=$BG_PID
    ip netns exec "$CNS" python3 "$SRC/tests/integration/tcpsha.py" connect "$SD_LOCAL" 5002 recv "$T_TMP/rx2.sum" \
        || fail "$f: receive"
    wait "$tx"
    [ -s "$T_TMP/rx2.sum" ] && [ "$(cat "$T_TMP/tx2.sum")" = "$(cat "$T_TMP/rx2.sum" 2>/dev/null)" ] \
        && ok "$f: 2 MB server→client intact" || fail "$f: 2 MB download differs"
    rm -f "$T_TMP"/*.sum
    stop_client "$SC_PID" "$CNS" sstpc0 "$f"
done

# len-too-big sets the 4 R bits above the length: MS-SSTP 2.2.1 says they
# are ignored on receipt, so the tunnel works (CONNECT_ACK, and an
# ECHO_REQUEST with them once up, answered).
new_sstpd --fault len-too-big
up_case "len-too-big (CONNECT_ACK)"
new_sstpd --fault len-too-big --fault-after 0.5
sd_conf "$T_TMP/c.conf" "reconnect max-fail 1" "${KEEP[@]}"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 || fail "len-too-big (after 0.5 s): no tunnel"
wait_for 10 grep -q "fault len-too-big: sending" "$SD_LOG" && ok "len-too-big (after 0.5 s): packet sent" \
    || fail "len-too-big (after 0.5 s): the late packet was never sent"
ip netns exec "$CNS" ping -c 3 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
    && ok "len-too-big (after 0.5 s): ping after it" || fail "len-too-big (after 0.5 s): no ping after it"
grep -q "malformed" "$SC_LOG" && fail "len-too-big: the client called R bits malformed" \
    || ok "len-too-big (after 0.5 s): R bits ignored"
stop_client "$SC_PID" "$CNS" sstpc0 "len-too-big (after 0.5 s)"

# Malformed SSTP from the server: in the CALL_CONNECT_ACK and, with
# --fault-after, in an ECHO_REQUEST once the tunnel is up. len-overrun
# claims 4095 bytes and sends 8: the ACK case ends by the connect timeout,
# the late case by the echo keepalive.
for f in bad-version len-zero attr-short; do
    new_sstpd --fault $f
    single_shot "$f (CONNECT_ACK)" 10 "malformed SSTP"
    new_sstpd --fault $f --fault-after 0.5
    single_shot "$f (after 0.5 s)" 10 "malformed SSTP"
done
new_sstpd --fault len-overrun
single_shot "len-overrun (CONNECT_ACK)" 12 "timed out after 5 s" "connect-timeout 5"
new_sstpd --fault len-overrun --fault-after 0.5
single_shot "len-overrun (after 0.5 s)" 12 "LCP Echo|hello|echo"
stop_sstpd
finish
