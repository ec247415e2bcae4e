#!/bin/bash
# Hostile IPCP values from sstpd's fault modes are refused or made harmless:
# - ipcp-loopback (our address 127.0.0.1), ipcp-local-is-peer (ours = the
#   server's IPCP address), ipcp-local-is-server (ours = the address we
#   connect to): refused, the session fails with the reason, no address is
#   added, routes, addresses and resolv.conf are as before;
# - dns-loopback (DNS 127.0.0.1 and 224.0.0.251): the tunnel comes up
#   without them, a warning names them, resolv.conf has no 127.0.0.1 from us;
# - ipcp-peer-public (the server calls itself 8.8.8.8) with a default route
#   in the client's namespace: no route to 8.8.8.8 via the tunnel, `ip route
#   get 8.8.8.8` unchanged;
# - ipcp-peer-is-server (the server's IPCP address = the address we connect
#   to): `ip route get <server>` never via sstpc0, the tunnel carries traffic.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdho-s$$ CNS=sdho-c$$

snapshot() { # NS: addresses and routes, without the tunnel's device
    { ip -n "$1" -o addr show | grep -v sstpc0 | awk '{$1=""; print}'
      ip -n "$1" route show table all | grep -v sstpc0; } | sort
}

# refused FAULT WHAT-IN-LOG
refused() {
    local fault=$1 want=$2
    sstpd_start "$SNS" "$CNS" --fault "$fault"
    local before resolv_before
    before=$(snapshot "$CNS")
    sd_conf "$T_TMP/c-$fault.conf" "reconnect max-fail 1" "log-level info" "ip route 10.77.0.0/16"
    rm -f "$T_TMP/resolv-$CNS.conf"
    sstpc_start "$CNS" "$T_TMP/c-$fault.conf" "$T_TMP/sstpc-$fault.log"
    resolv_before=$(cat "$SC_RESOLV" 2>/dev/null)
    if wait_for 40 sh -c "! kill -0 $SC_PID"; then
        wait "$SC_PID"; local rc=$?
        [ "$rc" = 1 ] && ok "$fault: sstpc gave up (exit 1)" || fail "$fault: exit status $rc, expected 1"
    else
        fail "$fault: sstpc still running after 40 s"; stop_pid "$SC_PID" 5
    fi
    grep -q -- "$want" "$SC_LOG" && ok "$fault: logged '$want'" \
        || { cat "$SC_LOG" >&2; fail "$fault: no '$want' in the log"; }
    ! grep -q "tunnel up" "$SC_LOG" && ok "$fault: the tunnel never came up" || fail "$fault: the tunnel came up"
    ! ip -n "$CNS" addr show 2>/dev/null | grepq "127.0.0.1.*sstpc0\|inet 127.0.0.1/32 .*global" \
        && ok "$fault: no address 127.0.0.1 on sstpc0" || fail "$fault: 127.0.0.1 on sstpc0"
    [ "$(snapshot "$CNS")" = "$before" ] && ok "$fault: addresses and routes as before" \
        || fail "$fault: addresses or routes changed: $(diff <(echo "$before") <(snapshot "$CNS"))"
    [ "$(cat "$SC_RESOLV")" = "$resolv_before" ] && ok "$fault: resolv.conf as before" || fail "$fault: resolv.conf changed"
    stop_pid "$SD_PID" 5
}

refused ipcp-loopback "the server insists on IPv4 address 127.0.0.1 (loopback), refused"
refused ipcp-local-is-peer "the server insists on IPv4 address 10.77.0.1 (the server's own address), refused"
refused ipcp-local-is-server "the server assigned us its own address 10.200.8.2: refused"

# dns-loopback: up without the DNS servers
sstpd_start "$SNS" "$CNS" --fault dns-loopback
sd_conf "$T_TMP/c-dns.conf" "reconnect max-fail 1" "log-level info"
rm -f "$T_TMP/resolv-$CNS.conf"
sstpc_start "$CNS" "$T_TMP/c-dns.conf" "$T_TMP/sstpc-dns.log"
wait_up "$CNS" sstpc0 15 && ok "dns-loopback: tunnel up" || { cat "$SC_LOG" >&2; die "dns-loopback: no tunnel"; }
wait_for 5 grep -q "DNS server 224.0.0.251 from the server ignored (multicast)" "$SC_LOG" \
    && grep -q "DNS server 127.0.0.1 from the server ignored (loopback)" "$SC_LOG" \
    && ok "dns-loopback: both DNS servers ignored with a warning" || { cat "$SC_LOG" >&2; fail "dns-loopback: no warning"; }
[ "$(cat "$SC_RESOLV")" = "nameserver 192.0.2.53" ] && ok "dns-loopback: resolv.conf untouched (no nameserver 127.0.0.1)" \
    || fail "dns-loopback: resolv.conf is now: $(cat "$SC_RESOLV")"
stop_client "$SC_PID" "$CNS" sstpc0 dns-loopback
stop_pid "$SD_PID" 5

# ipcp-peer-public: the client's namespace has a default route (via sstpd's
# side of the veth, which routes nowhere further)
ip -n "$CNS" route add default via 10.200.8.2 || die "default route in $CNS"
GET_BEFORE=$(ip -n "$CNS" route get 8.8.8.8 | head -n1)
sstpd_start "$SNS" "$CNS" --fault ipcp-peer-public
sd_conf "$T_TMP/c-pub.conf" "reconnect max-fail 1" "log-level info" "ip route 10.77.0.0/16"
sstpc_start "$CNS" "$T_TMP/c-pub.conf" "$T_TMP/sstpc-pub.log"
wait_up "$CNS" sstpc0 15 && ok "ipcp-peer-public: tunnel up" || { cat "$SC_LOG" >&2; die "ipcp-peer-public: no tunnel"; }
grep -q "IPv4 up: local 10.77.0.2 peer 8.8.8.8" "$SC_LOG" && ok "ipcp-peer-public: the server's address 8.8.8.8 taken" \
    || fail "ipcp-peer-public: no 'IPv4 up ... peer 8.8.8.8' in the log"
[ -z "$(ip -n "$CNS" route show table all | grep 8.8.8.8)" ] && ok "ipcp-peer-public: no route to 8.8.8.8" \
    || fail "ipcp-peer-public: a route to 8.8.8.8: $(ip -n "$CNS" route show table all | grep 8.8.8.8)"
[ "$(ip -n "$CNS" route get 8.8.8.8 | head -n1)" = "$GET_BEFORE" ] && ok "ipcp-peer-public: ip route get 8.8.8.8 unchanged ($GET_BEFORE)" \
    || fail "ipcp-peer-public: ip route get 8.8.8.8 now $(ip -n "$CNS" route get 8.8.8.8 | head -n1)"
ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 10.77.0.1 >/dev/null 2>&1 && ok "ipcp-peer-public: ping 10.77.0.1 through the tunnel" \
    || fail "ipcp-peer-public: ping 10.77.0.1 through the tunnel"
stop_client "$SC_PID" "$CNS" sstpc0 ipcp-peer-public
stop_pid "$SD_PID" 5

# ipcp-peer-is-server, with a default route via the tunnel too
sstpd_start "$SNS" "$CNS" --fault ipcp-peer-is-server
sd_conf "$T_TMP/c-srv.conf" "reconnect max-fail 1" "log-level info"
sed -i '/^no-default-route$/d' "$T_TMP/c-srv.conf"
sstpc_start "$CNS" "$T_TMP/c-srv.conf" "$T_TMP/sstpc-srv.log"
wait_up "$CNS" sstpc0 15 && ok "ipcp-peer-is-server: tunnel up" || { cat "$SC_LOG" >&2; die "ipcp-peer-is-server: no tunnel"; }
grep -q "IPv4 up: local 10.77.0.2 peer $SD_HOST" "$SC_LOG" && ok "ipcp-peer-is-server: the server's address $SD_HOST taken" \
    || fail "ipcp-peer-is-server: no 'IPv4 up ... peer $SD_HOST' in the log"
ip -n "$CNS" route get "$SD_HOST" | grepq -v sstpc0 && ! ip -n "$CNS" route get "$SD_HOST" | grepq sstpc0 \
    && ok "ipcp-peer-is-server: ip route get $SD_HOST not via sstpc0" \
    || fail "ipcp-peer-is-server: ip route get $SD_HOST: $(ip -n "$CNS" route get "$SD_HOST")"
ip netns exec "$CNS" ping -c 3 -i 0.2 -W 2 10.77.0.1 >/dev/null 2>&1 && ok "ipcp-peer-is-server: ping 10.77.0.1 through the tunnel" \
    || fail "ipcp-peer-is-server: ping 10.77.0.1"
grep -q "tunnel down" "$SC_LOG" && fail "ipcp-peer-is-server: the tunnel went down" || ok "ipcp-peer-is-server: the tunnel stayed up"
stop_client "$SC_PID" "$CNS" sstpc0 ipcp-peer-is-server
stop_pid "$SD_PID" 5
finish
