#!/bin/bash
# A server that brings each tunnel up and drops it at once (sstpd --fault
# up-then-drop): a session shorter than 30 s counts as a failure, so the
# waits between attempts grow to `reconnect backoff-max` instead of staying
# at the minimum, and the host is reconfigured once per attempt at most:
# resolv.conf (watched with inotify) gets the tunnel's nameserver at most
# once per tunnel that came up.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip python3

SNS=sbo-s$$ CNS=sbo-c$$
MAX=8
sstpd_start "$SNS" "$CNS" --fault up-then-drop --dns 10.77.0.53
sd_conf "$T_TMP/c.conf" "reconnect backoff-min 1" "reconnect backoff-max $MAX" "log-level info"
SC_RESOLV=$T_TMP/resolv-$CNS.conf
printf 'nameserver 192.0.2.53\n' > "$SC_RESOLV"
bg "" "$T_TMP/watch.log" python3 "$SRC/tests/integration/resolv_watch.py" "$SC_RESOLV" 10.77.0.53
WATCH_PID=$BG_PID
wait_for 5 grep -q watching "$T_TMP/watch.log" || die "inotify watcher did not start"
sstpc_start "$CNS" "$T_TMP/c.conf"

# 8 attempts: waits of about 1, 2, 4, 8, 8, 8, 8 s.
attempts() { grep -cE "notice: (re)?connecting to" "$SC_LOG"; }
if wait_for 120 sh -c "[ \$(grep -cE 'notice: (re)?connecting to' '$SC_LOG') -ge 8 ]"; then
    ok "8 attempts made"
else
    tail -n 20 "$SC_LOG" >&2; fail "only $(attempts) attempts within 120 s"
fi
stop_client "$SC_PID" "$CNS" sstpc0 "up-then-drop"
kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null

ups=$(grep -c "notice: tunnel up" "$SC_LOG")
n=$(attempts)
[ "$ups" -ge 7 ] && ok "$ups of $n attempts reached up before the server dropped them" \
    || { tail -n 20 "$SC_LOG" >&2; fail "only $ups tunnels came up"; }
grep -q "was up for only 0 s: counted as failure 2 in a row" "$SC_LOG" \
    && ok "a short session is counted as a failure" || fail "no 'counted as failure' notice"

# The announced waits: step k (from 0) is min(2^k, MAX) s, jittered to
# 75-125 % and never above MAX.
k=0 bad=0
while read -r d; do
    step=$(( 1 << (k < 3 ? k : 3) )); [ "$step" -gt "$MAX" ] && step=$MAX
    ok_lo=$(awk -v s="$step" -v d="$d" 'BEGIN { print (d >= s * 0.75 - 0.05 && d <= s * 1.25 + 0.05 && d <= '"$MAX"') ? 1 : 0 }')
    [ "$ok_lo" = 1 ] || { fail "wait $k: $d s, expected about $step s"; bad=1; }
    k=$((k + 1))
done < <(grep -oE "reconnecting in [0-9.]+ s" "$SC_LOG" | awk '{print $3}')
[ "$k" -ge 7 ] && [ "$bad" = 0 ] && ok "announced waits grow to $MAX s: $(grep -oE 'reconnecting in [0-9.]+' "$SC_LOG" | awk '{printf "%s ", $3}')" \
    || fail "announced waits: $k (want ≥ 7), $bad out of bounds"

# The waits as they happened: from "tunnel down" to the next attempt.
gaps=$(awk '/error: tunnel down/ { split($1, t, ":"); down = (t[1] * 3600 + t[2] * 60 + t[3]) }
            /notice: reconnecting to/ && down { split($1, t, ":"); printf "%.1f ", (t[1] * 3600 + t[2] * 60 + t[3]) - down; down = 0 }' "$SC_LOG")
last=$(awk '{ print $NF }' <<<"$gaps")
first=$(awk '{ print $1 }' <<<"$gaps")
awk -v f="$first" -v l="$last" -v m="$MAX" 'BEGIN { exit !(f < 2 && l >= m * 0.75 - 0.2 && l <= m + 1) }' \
    && ok "measured gaps: $gaps s" || fail "measured gaps do not grow to $MAX s: $gaps"

installs=$(grep -c install "$T_TMP/watch.log")
[ "$installs" -ge 1 ] && [ "$installs" -le "$ups" ] \
    && ok "resolv.conf got the tunnel's nameserver $installs times for $ups tunnels" \
    || fail "resolv.conf installs: $installs for $ups tunnels"
[ -s "$SC_RESOLV" ] || fail "resolv.conf missing or empty after stop"
grep -q 10.77.0.53 "$SC_RESOLV" && fail "resolv.conf not restored after stop" \
    || ok "resolv.conf restored: $(cat "$SC_RESOLV")"
stop_pid "$SD_PID" 5
finish
