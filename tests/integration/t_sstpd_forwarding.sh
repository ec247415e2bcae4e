#!/bin/bash
# ip disable-forwarding holds in the data path for IPv4 and IPv6: a LAN
# namespace sits behind the client, which forwards (ip_forward=1,
# ipv6 all.forwarding=1 in its namespace); sstpd sends the LAN's prefixes to
# the client (--client-net). Without disable-forwarding, the server side
# pings the LAN host over v4 and v6 (forwarded); with it, the same pings get
# no answer and `show` counts each dropped packet (forward-dropped, text and
# --json), while the client's own addresses still answer (local delivery).
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping python3

SNS=sdfw-s$$ CNS=sdfw-c$$ LNS=sdfw-l$$
PFX6=2001:db8:78::
sstpd_start "$SNS" "$CNS" --ipv6 --ipv6-prefix ${PFX6}/64 --client-net 192.168.50.0/24 --client-net fd00:50::/64
mk_netns "$LNS"
veth_pair "$CNS" 192.168.50.1/24 "$LNS" 192.168.50.2/24
LAN_IF=$(ip -n "$LNS" -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1)
CL_IF=$(ip -n "$CNS" -o addr show | awk '/192.168.50.1/ {print $2}')
ip -n "$CNS" addr add fd00:50::1/64 dev "$CL_IF" nodad
ip -n "$LNS" addr add fd00:50::2/64 dev "$LAN_IF" nodad
ip -n "$LNS" route add default via 192.168.50.1
ip -n "$LNS" -6 route add default via fd00:50::1
ip netns exec "$CNS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# the server side reaches the LAN through its TUN
ip -n "$SNS" route add 192.168.50.0/24 dev sstps0
ip -n "$SNS" -6 route add fd00:50::/64 dev sstps0

# run_client NAME [extra conf lines]: the tunnel, with routes back to the server side
run_client() {
    local name=$1; shift
    sd_conf "$T_TMP/$name.conf" "reconnect max-fail 1" "log-level info" "ip route 10.77.0.0/16" \
        "ipv6 route ${PFX6}/64" "$@"
    sstpc_start "$CNS" "$T_TMP/$name.conf" "$T_TMP/sstpc-$name.log"
    wait_up "$CNS" sstpc0 15 || { cat "$SC_LOG" >&2; die "$name: no tunnel"; }
    wait_for 10 sh -c "ip -n $CNS -6 -o addr show dev sstpc0 scope global | grep -q 2001:db8:78:" \
        || { cat "$SC_LOG" >&2; die "$name: no SLAAC address"; }
    ok "$name: tunnel up (v4 and v6)"
}
ping4() { ip netns exec "$SNS" ping -c 3 -i 0.2 -W 1 "$1" >/dev/null 2>&1; }
ping6() { ip netns exec "$SNS" ping -6 -c 3 -i 0.2 -W 1 "$1" >/dev/null 2>&1; }
fwd_dropped() { sstpc_cli "$CNS" show interfaces sstpc sstpc0 | awk '/forward-dropped/ {print $2}'; }

run_client forwarding
# (polled: the LAN's neighbour discovery may take the first packets)
wait_for 10 ping4 192.168.50.2 && ok "forwarding: server side pings LAN host 192.168.50.2 (forwarded)" \
    || fail "forwarding: no answer from 192.168.50.2"
T0=$(date +%s%N)
wait_for 10 ping6 fd00:50::2 && ok "forwarding: server side pings LAN host fd00:50::2 (forwarded, after $(( ($(date +%s%N) - T0) / 1000000 )) ms)" \
    || { ip netns exec "$SNS" ping -6 -c 2 -W 1 fd00:50::2 >&2; ip -n "$CNS" -6 route >&2; ip -n "$CNS" -6 neigh >&2; fail "forwarding: no answer from fd00:50::2"; }
[ "$(fwd_dropped)" = 0 ] && ok "forwarding: forward-dropped 0" || fail "forwarding: forward-dropped $(fwd_dropped)"
stop_client "$SC_PID" "$CNS" sstpc0 forwarding

run_client disabled "ip disable-forwarding"
ping4 192.168.50.2 && fail "disable-forwarding: 192.168.50.2 answered through the client" \
    || ok "disable-forwarding: no answer from LAN host 192.168.50.2"
D4=$(fwd_dropped)
[ "${D4:-0}" -ge 3 ] && ok "disable-forwarding: the 3 IPv4 packets counted (forward-dropped $D4)" \
    || fail "disable-forwarding: forward-dropped '$D4' after 3 IPv4 pings"
ping6 fd00:50::2 && fail "disable-forwarding: fd00:50::2 answered through the client" \
    || ok "disable-forwarding: no answer from LAN host fd00:50::2"
D6=$(fwd_dropped)
[ "${D6:-0}" -ge $((D4 + 3)) ] && ok "disable-forwarding: the 3 IPv6 packets counted (forward-dropped $D6)" \
    || fail "disable-forwarding: forward-dropped '$D6' after 3 IPv6 pings (was $D4)"
# local delivery stays: the client's tunnel address, its LAN address, its SLAAC address
ping4 10.77.0.2 && ok "disable-forwarding: the client's 10.77.0.2 answers" || fail "disable-forwarding: 10.77.0.2 silent"
ping4 192.168.50.1 && ok "disable-forwarding: the client's LAN address 192.168.50.1 answers (local)" \
    || fail "disable-forwarding: 192.168.50.1 silent"
G6=$(ip -n "$CNS" -6 -o addr show dev sstpc0 scope global | awk '{print $4}' | cut -d/ -f1 | head -n1)
ping6 "$G6" && ok "disable-forwarding: the client's $G6 answers" || fail "disable-forwarding: $G6 silent"
# an address added while up is learnt from rtnetlink notifications
# (inside --client-net, so sstpd sends it to the client)
ping4 192.168.50.77 && fail "disable-forwarding: 192.168.50.77 answered before it existed"
ip -n "$CNS" addr add 192.168.50.77/32 dev lo
wait_for 5 ping4 192.168.50.77 && ok "disable-forwarding: an address added later (192.168.50.77) answers" \
    || fail "disable-forwarding: 192.168.50.77 (added while up) silent"
sstpc_cli "$CNS" show interfaces sstpc sstpc0 --json > "$T_TMP/show.json"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
def find(o):
    if isinstance(o, dict):
        if "forward_dropped" in o: return o["forward_dropped"]
        for v in o.values():
            r = find(v)
            if r is not None: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None: return r
sys.exit(0 if (find(d) or 0) >= int(sys.argv[2]) else 1)' "$T_TMP/show.json" "$D6" \
    && ok "disable-forwarding: show --json has forward_dropped >= $D6" || fail "disable-forwarding: no forward_dropped in --json: $(cat "$T_TMP/show.json")"
stop_client "$SC_PID" "$CNS" sstpc0 disabled
stop_pid "$SD_PID" 5
finish
