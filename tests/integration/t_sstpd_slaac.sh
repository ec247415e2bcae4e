#!/bin/bash
# SLAAC done by the daemon: sstpd --ipv6 --ipv6-prefix 2001:db8:77::/64 sends a
# router advertisement after IPV6CP; the client puts 2001:db8:77::<its IPV6CP
# id>/64 on sstpc0 with the RA's lifetimes (600/300), the kernel itself acts on
# no RA (accept_ra 0: no "proto ra" route), IPv6 traffic to sstpd's
# 2001:db8:77::1 uses the default route via sstpc0 metric 210, sstpd routes the
# client's global address back to it, and SIGTERM leaves nothing behind.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping python3

SNS=sdsl-s$$ CNS=sdsl-c$$
sstpd_start "$SNS" "$CNS" --ipv6 --ipv6-prefix 2001:db8:77::/64
sd_conf "$T_TMP/c.conf" "reconnect max-fail 1" "log-level info"
sed -i '/^no-default-route$/d' "$T_TMP/c.conf"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 && ok "tunnel up" || { cat "$SC_LOG" >&2; die "no tunnel"; }

# addr6 NS SCOPE: "local prefixlen valid preferred" of each IPv6 address of that scope on sstpc0.
addr6() {
    ip -n "$1" -j -6 addr show dev sstpc0 2>/dev/null | python3 -c '
import json, sys
for l in json.load(sys.stdin):
    for a in l.get("addr_info", []):
        if a.get("scope") == sys.argv[1]:
            print(a["local"], a["prefixlen"], a.get("valid_life_time"), a.get("preferred_life_time"))
' "$2"
}
has_global() { [ -n "$(addr6 "$CNS" global)" ]; }

wait_for 5 sh -c "ip -n $CNS -6 -o addr show dev sstpc0 scope link | grep -q fe80::" \
    || { cat "$SC_LOG" >&2; die "no IPv6 link-local address on sstpc0"; }
LL=$(addr6 "$CNS" link | awk '{print $1; exit}')
WANT=$(python3 -c 'import ipaddress, sys
ll = ipaddress.IPv6Address(sys.argv[1])
print(ipaddress.IPv6Address(int(ipaddress.IPv6Address("2001:db8:77::")) | (int(ll) & (2**64 - 1))))' "$LL")
wait_for 5 has_global && ok "a global address on sstpc0" || { cat "$SC_LOG" >&2; fail "no global address on sstpc0"; }
read -r G GPLEN GVALID GPREF <<<"$(addr6 "$CNS" global | head -n1)"
[ "$G" = "$WANT" ] && [ "$GPLEN" = 64 ] && ok "address $G/64 = prefix + IPV6CP id of $LL" \
    || fail "global address '$G/$GPLEN', expected $WANT/64"
[ "$GVALID" -gt 0 ] 2>/dev/null && [ "$GVALID" -le 600 ] && [ "$GPREF" -le 300 ] \
    && ok "lifetimes from the RA: valid $GVALID s, preferred $GPREF s" \
    || fail "lifetimes valid '$GVALID' preferred '$GPREF' (expected <= 600 / <= 300)"
[ "$(addr6 "$CNS" global | wc -l)" = 1 ] && ok "exactly one global address" || fail "more than one global address"
grep -q "IPv6 address $WANT/64 from router advertisement" "$SC_LOG" \
    && ok "logged: IPv6 address $WANT/64 from router advertisement" || fail "no notice in the client log"
[ "$(ip netns exec "$CNS" sysctl -n net.ipv6.conf.sstpc0.accept_ra)" = 0 ] \
    && ok "accept_ra 0 on sstpc0" || fail "accept_ra is not 0 on sstpc0"

R6=$(ip -n "$CNS" -j -6 route show table all 2>/dev/null)
python3 -c 'import json, sys
r = json.loads(sys.argv[1])
d = [x for x in r if x.get("dst") == "default" and x.get("dev") == "sstpc0"]
sys.exit(0 if len(d) == 1 and d[0].get("metric") == 210 else 1)' "$R6" \
    && ok "IPv6 default route via sstpc0 metric 210" || fail "no IPv6 default route via sstpc0 metric 210: $R6"
python3 -c 'import json, sys
sys.exit(1 if any(x.get("protocol") == "ra" for x in json.loads(sys.argv[1])) else 0)' "$R6" \
    && ok "no route from the kernel's own RA processing" || fail "a proto ra route exists: $R6"

ip netns exec "$CNS" ping -6 -c 3 -i 0.2 -W 2 2001:db8:77::1 >"$T_TMP/p6.log" 2>&1 \
    && ok "ping6 2001:db8:77::1 through the tunnel" || { cat "$T_TMP/p6.log" >&2; fail "ping6 2001:db8:77::1"; }
ip netns exec "$SNS" ping -6 -c 3 -i 0.2 -W 2 "$WANT" >"$T_TMP/p6s.log" 2>&1 \
    && ok "sstpd side pings the client's $WANT" || { cat "$T_TMP/p6s.log" >&2; fail "ping6 $WANT from the server"; }

stop_client "$SC_PID" "$CNS" sstpc0 slaac
[ -z "$(ip -n "$CNS" -6 addr show 2>/dev/null | grep 2001:db8:77)" ] && ok "no 2001:db8:77 address left" \
    || fail "a 2001:db8:77 address is left"
[ -z "$(ip -n "$CNS" -6 route show table all 2>/dev/null | grep -e 2001:db8:77 -e sstpc0)" ] \
    && ok "no IPv6 route left" || fail "an IPv6 route is left"
stop_pid "$SD_PID" 5
[ "$STOP_RC" = 0 ] && ok "sstpd: exit 0" || fail "sstpd exit status $STOP_RC"
finish
