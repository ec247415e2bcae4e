#!/bin/bash
# Several servers: `server 10.200.8.3` (nothing listens: the connect is
# refused) before `server 10.200.8.2` (sstpd). The client moves on at once
# and is up within one connect-timeout; show (text and --json) names the
# server in use. A second sstpd then answers on 10.200.8.3: the tunnel on
# the second server stays (no flap). A SIGHUP that only reorders the list
# keeps the session; one that removes the server in use reconnects to the
# one left. With both servers gone, a whole round counts as one failure:
# `reconnect max-fail 2` gives up after two rounds, four attempts.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping python3

SNS=fo-s$$ CNS=fo-c$$
A=10.200.8.3 B=10.200.8.2
sstpd_start "$SNS" "$CNS"
dev=$(ip -n "$SNS" -o -4 addr show | awk -v a="$B/24" '$4 == a {print $2}')
ip -n "$SNS" addr add "$A/24" dev "$dev" || die "second server address"

TIMEOUT=10
conf() { # conf FILE SERVER... : sd_conf with this server list
    local f=$1; shift
    sd_conf "$f" "connect-timeout $TIMEOUT" "reconnect backoff-min 1" "reconnect backoff-max 2" "log-level info"
    local list="" s
    for s in "$@"; do list+="server $s\n"; done
    sed -i -e "/^server /d" -e "1a $(printf '%s' "$list" | sed 's/\\n$//')" "$f"
}
conf "$T_TMP/c.conf" "$A" "$B"
grep -c '^server ' "$T_TMP/c.conf" | grepq -x 2 || die "config: $(cat "$T_TMP/c.conf")"

t0=$(date +%s%N)
sstpc_start "$CNS" "$T_TMP/c.conf"
if wait_up "$CNS" sstpc0 "$TIMEOUT"; then
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    ok "up through the second server after $ms ms (connect-timeout $TIMEOUT s)"
else
    cat "$SC_LOG" >&2; die "not up within $TIMEOUT s"
fi
grep -q "connection to $A failed: .*refused" "$SC_LOG" && ok "log: $(grep -m1 "connection to $A failed" "$SC_LOG" | sed 's/^.*error: //')" \
    || { cat "$SC_LOG" >&2; fail "no 'connection to $A failed' line"; }
grep -q "trying the next server, $B" "$SC_LOG" && ok "log: trying the next server, $B" || fail "no 'trying the next server' line"
grep -q "reconnecting in" "$SC_LOG" && fail "a backoff between two servers of one round" || ok "no backoff inside the round"

show() { sstpc_cli "$CNS" show interfaces sstpc sstpc0 "$@"; }
show > "$T_TMP/show.txt"
grep -qx "    server $B ($B) port 443" "$T_TMP/show.txt" && ok "show: server $B in use" \
    || { cat "$T_TMP/show.txt" >&2; fail "show: server line"; }
grep -qx "    servers $A $B" "$T_TMP/show.txt" && ok "show: servers $A $B" || fail "show: servers line"
show --json > "$T_TMP/show.json"
python3 - "$T_TMP/show.json" "$A" "$B" <<'EOF' && ok "show --json: server $B, server_index 1, servers [$A, $B]" || fail "show --json: $(cat "$T_TMP/show.json")"
import json, sys
t = json.load(open(sys.argv[1]))["tunnel"]
assert t["server"] == sys.argv[3] and t["server_index"] == 1 and t["servers"] == sys.argv[2:4], t
EOF

# The first server comes back: the working tunnel stays.
bg "$SNS" "$T_TMP/sstpd-a.log" "$SSTPD" --listen "$A:443" --cert "$T_TMP/pki/server.pem" \
    --key "$T_TMP/pki/server.key" --users "$T_TMP/users" --tun sstps1 --pool 10.78.0.0/24
SDA=$BG_PID
wait_for 5 sh -c "ip netns exec $SNS ss -Hltn 'sport = :443' | grep -q '$A:443'" && ok "second sstpd listens on $A" \
    || { cat "$T_TMP/sstpd-a.log" >&2; die "second sstpd"; }
L4=$(tunnel_addr "$CNS" sstpc0)
# No flap: for 6 s the tunnel keeps its address and passes traffic, and
# the client makes no new attempt.
for i in 1 2 3; do
    ip netns exec "$CNS" ping -c 4 -i 0.5 -W 2 "$SD_LOCAL" >/dev/null 2>&1 || fail "ping $i to $SD_LOCAL"
done
[ "$(tunnel_addr "$CNS" sstpc0)" = "$L4" ] && [ "$(grep -c 'tunnel up' "$SC_LOG")" = 1 ] \
    && ! grep -q "user .* authenticated" "$T_TMP/sstpd-a.log" \
    && ok "no flap: one tunnel, address $L4 kept, the first server never asked" \
    || { cat "$SC_LOG" >&2; fail "the tunnel moved"; }

# SIGHUP with the list reordered: the server in use is still listed.
conf "$T_TMP/c.conf" "$B" "$A"
kill -HUP "$SC_PID"
wait_for 5 grep -q "the server in use, $B, is still in the list: session kept" "$SC_LOG" \
    && ok "SIGHUP reordering the list: session kept" || { cat "$SC_LOG" >&2; fail "no 'session kept'"; }
sleep 1 # the reload is done once it is logged; a reconnect would show at once
[ "$(grep -c 'tunnel up' "$SC_LOG")" = 1 ] && [ "$(tunnel_addr "$CNS" sstpc0)" = "$L4" ] \
    && ok "still the first tunnel" || fail "the tunnel was rebuilt"
show --json | grepq '"server_index":0' && ok "show --json: server_index 0 after the reorder" || fail "server_index after reorder"

# SIGHUP removing the server in use: reconnect to the one left.
conf "$T_TMP/c.conf" "$A"
kill -HUP "$SC_PID"
wait_for 15 sh -c "[ \$(grep -c 'tunnel up' '$SC_LOG') -ge 2 ]" && ok "SIGHUP removing $B: a new tunnel" \
    || { cat "$SC_LOG" >&2; fail "no new tunnel after removing $B"; }
wait_for 5 sh -c "grep -q \"user '$SD_USER' authenticated\" '$T_TMP/sstpd-a.log'" && ok "now through the sstpd on $A" \
    || fail "the sstpd on $A saw no login"
show | grepq -x "    server $A ($A) port 443" && ok "show: server $A in use" || fail "show after the switch"
stop_client "$SC_PID" "$CNS" sstpc0 failover
stop_pid "$SDA" 5
stop_pid "$SD_PID" 5

conf "$T_TMP/c.conf" "$A" "$B"
echo "reconnect max-fail 2" >> "$T_TMP/c.conf"
sstpc_start "$CNS" "$T_TMP/c.conf" "$T_TMP/gone.log"
wait_for 30 sh -c "! kill -0 $SC_PID 2>/dev/null" || fail "still trying after 30 s"
wait "$SC_PID"; rc=$?
n=$(grep -c "onnect.* to 10.200.8.[23] port 443" "$T_TMP/gone.log")
[ $rc = 1 ] && grep -q "giving up after 2 failed attempts" "$T_TMP/gone.log" && [ "$n" = 4 ] \
    && ok "both servers gone: 2 rounds of 2 attempts, then 'giving up after 2 failed attempts'" \
    || { cat "$T_TMP/gone.log" >&2; fail "both gone: exit $rc, $n attempts"; }
finish
