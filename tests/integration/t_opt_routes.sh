#!/bin/bash
# Routes as the kernel holds them: the default route via sstpc0 with metric
# 210 (default) or default-route-distance; the server host route through the
# veth, never the tunnel; split routes (`ip route`); nothing with
# no-default-route; everything gone after `disconnect interface` and SIGTERM,
# back after `connect`. A split route that covers the server gets the host
# route too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/opt_lib.sh"
need_root; need_sstpc; need_cmd ip ping jq

CLIENT_NS=sstpo-rc$$
SERVER_NS=sstpo-rs$$
opt_peer

# default_metric FAMILY: metric of the default route via sstpc0 ("" if none).
default_metric() { cl_routes "$1" default dev sstpc0 | jq -r '.[0].metric // empty'; }
# server_route_dev: device of the 10.200.7.2/32 host route ("" if none).
server_route_dev() { cl_routes -4 10.200.7.2/32 | jq -r '.[] | select(.dst=="10.200.7.2") | .dev' | head -n1; }
tunnel_routes() { cl_routes -4 dev sstpc0 | jq -r '.[].dst' | sort | tr '\n' ' '; }
tunnel_routes6() { cl_routes -6 dev sstpc0 | jq -r '.[] | select(.dst | startswith("fe80") | not) | .dst' | sort | tr '\n' ' '; }
veth=$(ip -n "$CLIENT_NS" -j link show type veth | jq -r '.[0].ifname')

# The client namespace starts with only the veth's /24.
[ "$(cl_routes -4 default | jq length)" = 0 ] || die "client namespace has a default route already"

# down_state WHAT: nothing of ours is left in the routing tables.
down_state() {
    [ -z "$(tunnel_routes)" ] && ok "$1: no IPv4 route via sstpc0" || fail "$1: routes via sstpc0 left: $(tunnel_routes)"
    [ -z "$(tunnel_routes6)" ] && ok "$1: no IPv6 route via sstpc0" || fail "$1: IPv6 routes via sstpc0 left: $(tunnel_routes6)"
    [ -z "$(server_route_dev)" ] && ok "$1: server host route removed" || fail "$1: server host route left"
    [ "$(cl_routes -4 default | jq length)" = 0 ] && ok "$1: no default route at all" || fail "$1: a default route is left"
}

# --- 1. defaults: metric 210, server host route, ping via the default route
opt_conf "$T_TMP/a.conf" "log-level info"
opt_start "$T_TMP/a.conf" "$T_TMP/a.log"
m=$(default_metric -4)
[ "$m" = 210 ] && ok "default route via sstpc0, metric 210" || fail "IPv4 default route metric '$m' (want 210)"
d=$(server_route_dev)
[ "$d" = "$veth" ] && ok "server host route 10.200.7.2 via $veth" || fail "server host route dev '$d' (want $veth)"
# IPV6CP: when it came up, the IPv6 default route has the same metric.
if grep -q "IPv6 up" "$T_TMP/a.log"; then
    m6=$(default_metric -6)
    [ "$m6" = 210 ] && ok "IPv6 default route via sstpc0, metric 210" || fail "IPv6 default route metric '$m6'"
fi
# Only the default route leads to 192.168.30.2: the ping proves it is used.
ip netns exec "$CLIENT_NS" ping -c 2 -i 0.2 -W 2 192.168.30.2 >/dev/null 2>&1 \
    && ok "ping 192.168.30.2 through the default route" || fail "ping 192.168.30.2 via the default route"
[ "$(ip -n "$CLIENT_NS" -j route get 192.168.30.2 | jq -r '.[0].dev')" = sstpc0 ] \
    && ok "route get 192.168.30.2 -> sstpc0" || fail "192.168.30.2 not routed via sstpc0"

# disconnect: everything goes, the device stays (down), connect restores it.
opt_ctl disconnect interface sstpc0 >"$T_TMP/disc.out" 2>&1 || fail "disconnect interface: $(cat "$T_TMP/disc.out")"
wait_for 10 sh -c "! ip -n $CLIENT_NS -4 -o addr show dev sstpc0 | grep -q inet" || fail "address still there after disconnect"
down_state "after disconnect"
ip -n "$CLIENT_NS" link show sstpc0 >/dev/null 2>&1 && ok "after disconnect: sstpc0 kept" || fail "sstpc0 vanished on disconnect"
opt_ctl connect interface sstpc0 >/dev/null 2>&1 || fail "connect interface"
wait_for 30 has_addr "$CLIENT_NS" sstpc0 || fail "no address after connect"
wait_for 5 sh -c "[ \"\$(ip -n $CLIENT_NS -j route show default dev sstpc0 | jq -r '.[0].metric // empty')\" = 210 ]" \
    && ok "after connect: default route metric 210 again" || fail "no default route after connect"
[ "$(server_route_dev)" = "$veth" ] && ok "after connect: server host route again" || fail "no server host route after connect"
opt_stop
down_state "after SIGTERM"

# --- 2. default-route-distance 220 and split routes
opt_conf "$T_TMP/b.conf" "default-route-distance 220" "ip route 10.77.0.0/16" "ip route 172.31.5.0/24"
opt_start "$T_TMP/b.conf" "$T_TMP/b.log"
m=$(default_metric -4)
[ "$m" = 220 ] && ok "default-route-distance 220: metric 220" || fail "default route metric '$m' (want 220)"
for r in 10.77.0.0/16 172.31.5.0/24; do
    [ "$(cl_routes -4 "$r" dev sstpc0 | jq length)" = 1 ] && ok "split route $r via sstpc0" || fail "split route $r missing"
done
opt_stop
down_state "220 after SIGTERM"

# --- 3. no-default-route: no default, no host route, split route only;
# a split route that covers the server (10.200.7.0/25, more specific than the veth /24) must not capture the
# tunnel's own connection: the host route keeps it on the veth.
opt_conf "$T_TMP/c.conf" "no-default-route" "ip route 192.168.30.0/24"
opt_start "$T_TMP/c.conf" "$T_TMP/c.log"
[ -z "$(default_metric -4)" ] && [ -z "$(default_metric -6)" ] && ok "no-default-route: no default route via sstpc0" \
    || fail "no-default-route: a default route exists"
[ -z "$(server_route_dev)" ] && ok "no-default-route: no server host route needed" || fail "no-default-route: unexpected host route"
[ "$(cl_routes -4 192.168.30.0/24 dev sstpc0 | jq length)" = 1 ] && ok "split route 192.168.30.0/24" || fail "split route missing"
ip netns exec "$CLIENT_NS" ping -c 2 -i 0.2 -W 2 192.168.30.2 >/dev/null 2>&1 \
    && ok "ping 192.168.30.2 through the split route" || fail "ping through the split route"
opt_stop
down_state "no-default-route after SIGTERM"

opt_conf "$T_TMP/d.conf" "no-default-route" "ip route 10.200.7.0/25" "ip route 192.168.30.0/24"
opt_start "$T_TMP/d.conf" "$T_TMP/d.log"
d=$(server_route_dev)
[ "$d" = "$veth" ] && ok "split route covering the server: host route via $veth" || fail "split route covers the server but host route dev is '$d'"
ip netns exec "$CLIENT_NS" ping -c 3 -i 0.5 -W 2 192.168.30.2 >/dev/null 2>&1 \
    && ok "tunnel still carries traffic with 10.200.7.0/25 via sstpc0" || fail "tunnel broken by a split route over the server"
opt_stop
down_state "covering split route after SIGTERM"
finish
