#!/bin/bash
# Interop with SoftEther beyond the basic tunnel: PAP, IPV6CP with the
# link-local address reachable through the tunnel, DNS from IPCP, and
# SoftEther's echo habits (it never answers SSTP echo requests, sends LCP
# echoes with magic 0) over a 65 s idle period without a reconnect.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping tcpdump

CLIENT_NS=sstpt-ci$$
SERVER_NS=sstpt-si$$
softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 443

conf() { # $1 = protocols
    cat <<CONF
interface sstpc5
server $SE_HOST
authentication username $SE_USER
authentication password '$SE_PASSWORD'
authentication protocols $1
ssl ca-certificate $SE_CA_FILE
no-default-route
no-peer-dns
log-level info
CONF
}

# --- PAP (allowed explicitly: it sends the password in the clear inside TLS)
conf pap > "$T_TMP/pap.conf"
bg "$CLIENT_NS" "$T_TMP/pap.log" "$SSTPC" -c "$T_TMP/pap.conf"
PID=$BG_PID
if wait_for 30 has_addr "$CLIENT_NS" sstpc5; then
    grep -q "authenticated with PAP" "$T_TMP/pap.log" && ok "PAP: authenticated" || fail "PAP: not reported"
    ip netns exec "$CLIENT_NS" ping -c 2 -i 0.2 -W 2 "$SE_GATEWAY" >/dev/null 2>&1 \
        && ok "PAP: ping $SE_GATEWAY" || fail "PAP: ping"
else
    cat "$T_TMP/pap.log" >&2; fail "PAP: tunnel did not come up"
fi
stop_pid "$PID" 10; [ "$STOP_RC" = 0 ] || fail "PAP: exit $STOP_RC"

# --- MS-CHAPv2 with IPV6CP, then idle
conf mschapv2 > "$T_TMP/ms.conf"
bg "$CLIENT_NS" "$T_TMP/ms.log" "$SSTPC" -c "$T_TMP/ms.conf"
PID=$BG_PID
wait_for 30 has_addr "$CLIENT_NS" sstpc5 || { cat "$T_TMP/ms.log" >&2; die "MS-CHAPv2: no tunnel"; }
lladdr() { ip -n "$CLIENT_NS" -6 -o addr show dev sstpc5 scope link | awk '{print $4}' | head -n1; }
if wait_for 15 sh -c "ip -n $CLIENT_NS -6 -o addr show dev sstpc5 scope link | grep -q fe80"; then
    ll=$(lladdr)
    ok "IPV6CP up: $ll on sstpc5 (negotiated identifier, no kernel one)"
    [ "$(ip -n "$CLIENT_NS" -6 -o addr show dev sstpc5 | wc -l)" = 1 ] && ok "exactly one IPv6 address" \
        || fail "more than one IPv6 address on sstpc5"
    # Our IPv6 frames reach the server side: SoftEther turns them into
    # Ethernet on its bridge tap, sourced from our negotiated address. (A
    # round trip does not happen: SoftEther 5.01 then sends a Neighbor
    # Solicitation whose target is the solicited-node group itself, which no
    # host answers. The full IPv6 round trip is tested against sstpd.)
    tapll=$(ip -n "$SERVER_NS" -6 -o addr show dev "$SE_TAP_DEV" scope link | awk '{print $4}' | cut -d/ -f1 | head -n1)
    ip netns exec "$SERVER_NS" timeout 5 tcpdump -i "$SE_TAP_DEV" -nn -l ip6 > "$T_TMP/td" 2>/dev/null &
    TD=$!
    track_pid "$TD"
    sleep 1
    ip netns exec "$CLIENT_NS" ping -6 -c 3 -i 0.3 -W 1 "$tapll%sstpc5" >/dev/null 2>&1
    wait "$TD" 2>/dev/null
    mine=${ll%%/*}
    if grep -q "IP6 $mine >" "$T_TMP/td"; then
        ok "IPv6 from $mine arrives on the server side ($(grep -c "IP6 $mine >" "$T_TMP/td") frames)"
    else
        cat "$T_TMP/td" >&2; fail "no IPv6 frame from $mine on the server side"
    fi
else
    fail "IPV6CP did not come up"
fi
log "idle for 65 s (SoftEther's echoes, our SSTP hello unanswered by design)"
sleep ${SSTPC_IDLE_SECONDS:-65}
if has_addr "$CLIENT_NS" sstpc5 && ! grep -q "reconnecting\|tunnel down" "$T_TMP/ms.log"; then
    ok "still up after 65 s idle, no reconnect"
else
    tail -n 20 "$T_TMP/ms.log" >&2; fail "the tunnel dropped while idle"
fi
ip netns exec "$CLIENT_NS" ping -c 2 -i 0.2 -W 2 "$SE_GATEWAY" >/dev/null 2>&1 \
    && ok "ping after idle" || fail "ping after idle"
stop_pid "$PID" 10; [ "$STOP_RC" = 0 ] && ok "clean stop" || fail "exit $STOP_RC"
finish
