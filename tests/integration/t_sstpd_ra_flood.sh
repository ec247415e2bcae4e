#!/bin/bash
# sstpd --fault ra-flood sends 10,000 router advertisements, each with a new
# /64, in 10 s. The client installs at most 16 SLAAC addresses (none with a
# kernel prefix route), warns about the rest, its RSS grows by less than
# 1 MiB, pings through the tunnel keep answering during the flood, and
# SIGTERM leaves nothing behind.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdra-s$$ CNS=sdra-c$$
sstpd_start "$SNS" "$CNS" --ipv6 --ipv6-prefix 2001:db8:79::/64 --fault ra-flood
sd_conf "$T_TMP/c.conf" "reconnect max-fail 1" "log-level info" "ipv6 route 2001:db8:79::/64"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 15 && ok "tunnel up" || { cat "$SC_LOG" >&2; die "no tunnel"; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$SC_PID/status"; }
RSS0=$(rss)
nglobal() { ip -n "$CNS" -6 -o addr show dev sstpc0 scope global | wc -l; }

# pings through the tunnel while the flood runs (about 10 s)
ip netns exec "$CNS" ping -c 40 -i 0.25 -W 2 10.77.0.1 >"$T_TMP/ping4.log" 2>&1 &
P4=$!
ip netns exec "$CNS" ping -6 -c 40 -i 0.25 -W 2 2001:db8:79::1 >"$T_TMP/ping6.log" 2>&1 &
P6=$!
MAXG=0
for _ in $(seq 60); do
    g=$(nglobal); [ "$g" -gt "$MAXG" ] && MAXG=$g
    grep -q "fault ra-flood: 10000 router advertisements" "$SD_LOG" && break
    sleep 0.25
done
grep -q "fault ra-flood: 10000 router advertisements" "$SD_LOG" && ok "sstpd sent 10,000 RAs with new prefixes" \
    || { cat "$SD_LOG" >&2; fail "the flood did not finish within 15 s"; }
wait "$P4"; wait "$P6"
R4=$(awk '/received/ {print $4}' "$T_TMP/ping4.log"); R6=$(awk '/received/ {print $4}' "$T_TMP/ping6.log")
[ "${R4:-0}" -ge 30 ] && ok "ping 10.77.0.1 during the flood: $R4/40 answered" || { cat "$T_TMP/ping4.log" >&2; fail "ping 10.77.0.1 during the flood: ${R4:-0}/40"; }
[ "${R6:-0}" -ge 30 ] && ok "ping6 2001:db8:79::1 during the flood: $R6/40 answered" || { cat "$T_TMP/ping6.log" >&2; fail "ping6 during the flood: ${R6:-0}/40"; }
sleep 1.5 # one more batch interval: whatever was pending is applied
G=$(nglobal); [ "$G" -gt "$MAXG" ] && MAXG=$G
[ "$MAXG" -ge 2 ] && [ "$MAXG" -le 16 ] && ok "at most 16 SLAAC addresses at any time (max seen $MAXG, now $G)" \
    || fail "$MAXG SLAAC addresses seen (expected 2..16)"
# only the configured route: no prefix route of the kernel's for a SLAAC /64
R=$(ip -n "$CNS" -6 route show table main | grep 2001:db8:79)
[ "$R" = "$(ip -n "$CNS" -6 route show table main | grep "2001:db8:79::/64 dev sstpc0 proto static")" ] \
    && [ "$(wc -l <<<"$R")" = 1 ] && ok "no kernel prefix route for any SLAAC /64 (only: $R)" || fail "prefix routes: $R"
grep -q "new prefixes ignored, at most 16 at once" "$SC_LOG" && ok "the client warned about the ignored prefixes" \
    || fail "no warning about ignored prefixes"
[ "$(grep -c "new prefixes ignored" "$SC_LOG")" -le 30 ] && ok "warnings rate-limited ($(grep -c "new prefixes ignored" "$SC_LOG") lines)" \
    || fail "$(grep -c "new prefixes ignored" "$SC_LOG") warning lines"
RSS1=$(rss)
[ $((RSS1 - RSS0)) -lt 1024 ] && ok "RSS grew by $((RSS1 - RSS0)) KiB ($RSS0 -> $RSS1)" \
    || fail "RSS grew by $((RSS1 - RSS0)) KiB ($RSS0 -> $RSS1)"
kill -0 "$SC_PID" && ok "sstpc still running" || fail "sstpc died"
stop_client "$SC_PID" "$CNS" sstpc0 ra-flood
[ -z "$(ip -n "$CNS" -6 addr show 2>/dev/null | grep 2001:db8:79)" ] && ok "no 2001:db8:79 address left" \
    || fail "a 2001:db8:79 address is left"
stop_pid "$SD_PID" 5
finish
