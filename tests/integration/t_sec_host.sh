#!/bin/bash
# What the daemon guards on the host, against our test server (sstpd):
#  - a config holding a password that group or others can read: the daemon
#    refuses to start (exit 1, clear message, no TUN made); --check warns;
#    a SIGHUP with such a file keeps the running configuration;
#  - the running daemon has core size 0 in /proc/PID/limits;
#  - SIGKILL mid-tunnel leaves resolv.conf rewritten; the next start puts
#    the original back byte for byte and removes its backup;
#  - a DNS helper (resolvconf) that hangs: SIGTERM still ends the daemon
#    within 1 s, and the helper and its child are killed too.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_sstpd; need_cmd ip cmp

SNS=sstsh-s$$ CNS=sstsh-c$$
sstpd_start "$SNS" "$CNS" --dns 10.77.0.53

# --- a password others can read
sd_conf "$T_TMP/open.conf"
chmod 644 "$T_TMP/open.conf"
out=$(ip netns exec "$CNS" env SSTPC_RUN_DIR="$T_TMP/run-open" timeout 20 "$SSTPC" -c "$T_TMP/open.conf" 2>&1)
rc=$?
[ $rc = 1 ] && ok "config with an inline password, mode 644: exit 1" || fail "mode 644: exit $rc ($out)"
grep -q "refusing to start: config file $T_TMP/open.conf holds a password and is accessible by group or others (mode 644): chmod 600" <<<"$out" \
    && ok "the refusal names the file, its mode and the fix" || fail "message: $out"
ip -n "$CNS" link show sstpc0 >/dev/null 2>&1 && fail "a TUN was made before the refusal" || ok "nothing made on the host"
out=$("$SSTPC" --check -c "$T_TMP/open.conf" 2>&1 >/dev/null); rc=$?
[ $rc = 0 ] && grep -q "warning: config file .* accessible by group or others" <<<"$out" \
    && ok "--check: exit 0 with a warning" || fail "--check: exit $rc: $out"
printf '%s\n' "$SD_PASSWORD" > "$T_TMP/pw"; chmod 604 "$T_TMP/pw"
sd_conf "$T_TMP/pwf.conf"
sed -i "s|^authentication password .*|authentication password-file $T_TMP/pw|" "$T_TMP/pwf.conf"
chmod 644 "$T_TMP/pwf.conf"
out=$(ip netns exec "$CNS" env SSTPC_RUN_DIR="$T_TMP/run-open" timeout 20 "$SSTPC" -c "$T_TMP/pwf.conf" 2>&1)
rc=$?
[ $rc = 1 ] && grep -q "password file $T_TMP/pw holds a password .* (mode 604)" <<<"$out" \
    && ok "password file readable by others: refused" || fail "password file mode 604: exit $rc: $out"

# --- core dumps off; SIGKILL mid-tunnel, the next start restores resolv.conf
sd_conf "$T_TMP/c.conf"
RESOLV=$T_TMP/resolv-$CNS.conf
printf '# the original\nnameserver 192.0.2.53\n\toptions ndots:3' > "$RESOLV"
cp "$RESOLV" "$T_TMP/orig"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 30 || { cat "$SC_LOG" >&2; die "tunnel not up"; }
wait_for 10 grep -q '^nameserver 10.77.0.53$' "$RESOLV" && ok "DNS installed in resolv.conf" \
    || fail "no nameserver 10.77.0.53 in resolv.conf"
core=$(awk '/^Max core file size/ {print $5, $6}' "/proc/$SC_PID/limits")
[ "$core" = "0 0" ] && ok "/proc/PID/limits: core file size 0 (soft and hard)" || fail "core limits: '$core'"
[ -f "$SC_RUN/sstpc0.resolv-backup" ] && ok "backup of resolv.conf in the run dir while up" \
    || fail "no backup in $SC_RUN"
# SIGHUP with the file opened to others: the running configuration stays.
chmod 640 "$T_TMP/c.conf"
kill -HUP "$SC_PID"
wait_for 10 grep -q "SIGHUP: config file $T_TMP/c.conf holds a password .*(mode 640).*; keeping the running configuration" "$SC_LOG" \
    && ok "SIGHUP refuses a config others can read" || fail "SIGHUP with mode 640: $(grep SIGHUP "$SC_LOG")"
has_addr "$CNS" sstpc0 && ok "tunnel still up after the refused reload" || fail "tunnel went down"
chmod 600 "$T_TMP/c.conf"
kill -KILL "$SC_PID"; wait "$SC_PID" 2>/dev/null
[ -s "$RESOLV" ] || fail "resolv.conf missing or empty after SIGKILL"
cmp -s "$RESOLV" "$T_TMP/orig" && fail "resolv.conf already restored after SIGKILL?" \
    || ok "after SIGKILL resolv.conf still holds our nameserver"
wait_for 10 eval '! ip -n "$CNS" link show sstpc0' || fail "TUN still there after SIGKILL"
# The next start, kept down (`disable`): only its start-up touches the file.
sd_conf "$T_TMP/d.conf" disable
sstpc_start "$CNS" "$T_TMP/d.conf" "$T_TMP/sstpc-next.log"
wait_for 10 cmp -s "$RESOLV" "$T_TMP/orig" && ok "next start restored the original byte for byte" \
    || { od -c "$RESOLV" | head >&2; fail "resolv.conf not restored"; }
# the file is restored first, the backup removed right after: poll
wait_for 5 test ! -e "$SC_RUN/sstpc0.resolv-backup" && ok "backup removed" || fail "backup still there"
grep -q "restored the original" "$T_TMP/sstpc-next.log" && ok "the start logs the restore" || fail "no log line"
stop_client "$SC_PID" "$CNS" sstpc0 "disabled instance"

# --- a DNS helper that hangs, and SIGTERM
cat > "$T_TMP/resolvconf" <<EOS
#!/bin/sh
sleep 1000 &
echo "\$\$ \$!" >> $T_TMP/helper-pids
wait
EOS
chmod 700 "$T_TMP/resolvconf"
SSTPC_RESOLVCONF=$T_TMP/resolvconf
export SSTPC_RESOLVCONF
sstpc_start "$CNS" "$T_TMP/c.conf" "$T_TMP/sstpc-hang.log"
unset SSTPC_RESOLVCONF
wait_for 30 test -s "$T_TMP/helper-pids" || { cat "$T_TMP/sstpc-hang.log" >&2; die "the DNS helper never ran"; }
sleep 0.2 # the daemon is now waiting for the helper
t0=$(date +%s%N)
kill -TERM "$SC_PID"
while kill -0 "$SC_PID" 2>/dev/null && [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ]; do sleep 0.02; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$SC_PID"; rc=$?
[ "$ms" -lt 1000 ] && ok "SIGTERM while the helper hangs: exit after $ms ms (status $rc)" \
    || fail "SIGTERM while the helper hangs: $ms ms (status $rc)"
not_signal "$rc" || fail "killed by a signal: $rc"
left=""
for p in $(cat "$T_TMP/helper-pids"); do
    [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && left="$left $p"
done
[ -z "$left" ] && ok "helpers and their children killed ($(wc -l <"$T_TMP/helper-pids") run(s))" \
    || fail "helper processes left:$left"
grep -q "killed to stop at once" "$T_TMP/sstpc-hang.log" && ok "the log says why the helper was killed" \
    || fail "no log line about the killed helper"
no_leftovers "$CNS" sstpc0 && ok "no TUN or route left" || fail "leftovers after SIGTERM"
finish
