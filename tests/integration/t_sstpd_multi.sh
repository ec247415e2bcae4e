#!/bin/bash
# Two clients at once (two namespaces, two users, both calling their TUN
# sstpc0) on one sstpd: each gets its own address, both pass traffic at the
# same time, and one leaving does not disturb the other.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping python3

SNS=sdmu-s$$ CNS=sdmu-a$$ CNS2=sdmu-b$$
TCPSHA=$SRC/tests/integration/tcpsha.py
sstpd_start "$SNS" "$CNS" --listen 0.0.0.0:443
mk_netns "$CNS2"
veth_pair "$CNS2" 10.200.18.1/24 "$SNS" 10.200.18.2/24

sd_conf "$T_TMP/a.conf" "reconnect max-fail 1"
sd_conf "$T_TMP/b.conf" "reconnect max-fail 1"
sed -i -e "s/^server .*/server 10.200.18.2/" -e "s/^authentication username .*/authentication username $SD_USER2/" \
    -e "s/^authentication password .*/authentication password '$SD_PASSWORD2'/" "$T_TMP/b.conf"
sstpc_start "$CNS" "$T_TMP/a.conf"; PA=$SC_PID
sstpc_start "$CNS2" "$T_TMP/b.conf"; PB=$SC_PID
SC_PID=$PA wait_up "$CNS" sstpc0 10 && ok "client A up" || fail "client A: no tunnel"
SC_PID=$PB wait_up "$CNS2" sstpc0 10 && ok "client B up" || fail "client B: no tunnel"
a=$(tunnel_addr "$CNS" sstpc0) b=$(tunnel_addr "$CNS2" sstpc0)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] && ok "own addresses: A $a, B $b" || fail "addresses A '$a' B '$b'"
grep -q "user '$SD_USER' authenticated" "$SD_LOG" && grep -q "user '$SD_USER2' authenticated" "$SD_LOG" \
    && ok "sstpd authenticated alice and bob" || fail "sstpd log lacks one of the users"
for ns in "$CNS" "$CNS2"; do
    ip netns exec "$ns" ping -c 3 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 && ok "$ns: ping $SD_LOCAL" || fail "$ns: ping"
done
# Both at once: 20 MB up from each, checksummed.
bg "$SNS" "$T_TMP/ra.log" python3 "$TCPSHA" listen "$SD_LOCAL" 5001 recv "$T_TMP/ra.sum"; RA=$BG_PID
bg "$SNS" "$T_TMP/rb.log" python3 "$TCPSHA" listen "$SD_LOCAL" 5002 recv "$T_TMP/rb.sum"; RB=$BG_PID
bg "$CNS" "$T_TMP/sa.log" python3 "$TCPSHA" connect "$SD_LOCAL" 5001 send:20000000 "$T_TMP/sa.sum"; SA=$BG_PID
bg "$CNS2" "$T_TMP/sb.log" python3 "$TCPSHA" connect "$SD_LOCAL" 5002 send:20000000 "$T_TMP/sb.sum"; SB=$BG_PID
for p in $SA $SB $RA $RB; do wait "$p"; done
[ -s "$T_TMP/sa.sum" ] && [ "$(cat "$T_TMP/sa.sum")" = "$(cat "$T_TMP/ra.sum")" ] && ok "A: 20 MB intact (concurrent)" || fail "A: transfer differs"
[ -s "$T_TMP/sb.sum" ] && [ "$(cat "$T_TMP/sb.sum")" = "$(cat "$T_TMP/rb.sum")" ] && ok "B: 20 MB intact (concurrent)" || fail "B: transfer differs"
# The server routes one /32 per client on its TUN.
# (output captured first: grep -q under pipefail would fail on SIGPIPE)
routes=$(ip -n "$SNS" route show dev sstps0)
grep -q "^$a " <<<"$routes" && grep -q "^$b " <<<"$routes" \
    && ok "sstpd: a /32 route per client" || fail "sstpd routes: $(tr '\n' ';' <<<"$routes")"
stop_client "$PA" "$CNS" sstpc0 "client A"
ip netns exec "$CNS2" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 && ok "B still passes traffic after A left" || fail "B broken after A left"
routes=$(ip -n "$SNS" route show dev sstps0)
grep -q "^$a " <<<"$routes" && fail "sstpd kept A's route" || ok "sstpd removed A's route"
stop_client "$PB" "$CNS2" sstpc0 "client B"
stop_pid "$SD_PID" 5
[ "$STOP_RC" = 0 ] && ok "sstpd: exit 0" || fail "sstpd exit $STOP_RC"
finish
