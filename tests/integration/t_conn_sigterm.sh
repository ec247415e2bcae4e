#!/bin/bash
# Nothing blocks the loop while connecting: SIGTERM ends the client within
# 1 s (exit 0, TUN gone) while it connects to an address that drops SYNs
# (iptables DROP in the server's namespace) and while name resolution hangs
# (the namespace's resolv.conf points at a UDP port that reads queries and
# never answers); the connect timeout is one deadline with a specific
# message for each step; a dead first address costs one 250 ms step, not
# the whole timeout (two addresses for one name in the namespace's hosts).
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip iptables socat ss

SNS=cst-s$$ CNS=cst-c$$
sstpd_start "$SNS" "$CNS"
# 10.200.8.3: a second server address whose SYNs are dropped.
ip -n "$SNS" addr add 10.200.8.3/24 dev "$(ip -n "$SNS" -o addr show to 10.200.8.2 | awk '{print $2}')" \
    || die "second server address"
ip netns exec "$SNS" iptables -A INPUT -d 10.200.8.3 -p tcp --dport 443 -j DROP \
    || die "iptables DROP rule"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# term_within_1s WHAT: SIGTERM to SC_PID; exit status 0 within 1000 ms, the
# TUN device and its routes gone.
term_within_1s() {
    local t0 t1 rc
    t0=$(now_ms)
    kill -TERM "$SC_PID"
    while kill -0 "$SC_PID" 2>/dev/null && [ $(( $(now_ms) - t0 )) -lt 5000 ]; do sleep 0.01; done
    t1=$(now_ms)
    if kill -0 "$SC_PID" 2>/dev/null; then
        kill -KILL "$SC_PID"
    fi
    wait "$SC_PID"; rc=$?
    [ $((t1 - t0)) -lt 1000 ] && ok "$1: SIGTERM → gone after $((t1 - t0)) ms" \
        || { tail -n 5 "$SC_LOG" >&2; fail "$1: SIGTERM took $((t1 - t0)) ms (limit 1000)"; }
    [ "$rc" = 0 ] && ok "$1: exit status 0" || fail "$1: exit status $rc"
    no_leftovers "$CNS" sstpc0 && ok "$1: sstpc0 and its routes removed" || fail "$1: sstpc0 left behind"
}

# 0. Start-up: SIGTERM, SIGINT and SIGHUP are blocked before the daemon
# does anything (so before its first log line: the moment sstpd_robust and
# init systems may already signal it), and a SIGTERM then is handled: exit
# 0, nothing left. (Before main() runs — the dynamic loader, a sanitizer's
# runtime — no program can hold signals; a supervisor that must be exact
# there starts it with them blocked, which is inherited across exec.)
early=0
for i in $(seq 20); do
    sd_conf "$T_TMP/c0.conf" "log-level info"
    # A log of its own per run: bg truncates it in the child, so an old
    # one could be seen non-empty before the new process even exists.
    sstpc_start "$CNS" "$T_TMP/c0.conf" "$T_TMP/c0-$i.log"
    wait_for 10 test -s "$T_TMP/c0-$i.log"
    mask=$(awk '/^SigBlk/ { print $2 }' "/proc/$SC_PID/status" 2>/dev/null)
    kill -TERM "$SC_PID"
    wait "$SC_PID"; rc=$?
    # SIGHUP (1), SIGINT (2), SIGTERM (15): bits 0, 1 and 14.
    if [ -z "$mask" ] || [ $(( 0x$mask & 0x4003 )) != $(( 0x4003 )) ]; then
        fail "start-up run $i: first log line with signals not blocked (SigBlk ${mask:-?})"; cat "$T_TMP/c0-$i.log" >&2
    elif [ "$rc" != 0 ]; then
        fail "start-up run $i: SIGTERM after the first log line → exit status $rc"
    else
        early=$((early + 1))
    fi
done
[ "$early" = 20 ] && ok "start-up: 20 of 20 runs had the signals blocked at the first log line and exit 0 on SIGTERM" \
    || fail "start-up: only $early of 20 runs"
no_leftovers "$CNS" sstpc0 && ok "start-up: no sstpc0 left" || fail "start-up: sstpc0 left behind"

syn_sent() { [ -n "$(ip netns exec "$CNS" ss -Htn state syn-sent "dport = :443")" ]; }

# 1. An address that drops SYNs: SIGTERM while the connect is pending.
sd_conf "$T_TMP/c1.conf" "connect-timeout 30" "log-level info"
sed -i "s/^server .*/server 10.200.8.3/" "$T_TMP/c1.conf"
sstpc_start "$CNS" "$T_TMP/c1.conf"
wait_for 10 syn_sent && ok "blackhole: SYN sent, no answer" || fail "blackhole: no pending connect seen"
sleep 1 # well inside the connect, which waits 30 s
term_within_1s "blackhole"

# 2. The same with connect-timeout 5: one deadline, a specific message, and
# the loop goes on (a second attempt starts after the backoff).
sd_conf "$T_TMP/c2.conf" "connect-timeout 5" "reconnect backoff-min 1" "reconnect backoff-max 1"
sed -i "s/^server .*/server 10.200.8.3/" "$T_TMP/c2.conf"
sstpc_start "$CNS" "$T_TMP/c2.conf"
if wait_for 20 grep -q "reconnecting to" "$SC_LOG"; then
    line=$(grep -m1 "connection failed" "$SC_LOG")
    grep -q "connection failed: connect to 10.200.8.3:443: timed out after 5 s" <<<"$line" \
        && ok "timeout: ${line#* error: }" || { cat "$SC_LOG" >&2; fail "timeout: unexpected message '$line'"; }
else
    cat "$SC_LOG" >&2; fail "timeout: no second attempt within 20 s"
fi
term_within_1s "blackhole, second attempt"

# 3a/3b. A server (port 444) that completes the TCP handshake and then says
# nothing: SIGTERM during the TLS handshake, and with it as an HTTP proxy,
# during the CONNECT exchange.
bg "$SNS" "$T_TMP/silent.log" python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.200.8.2", 444)); s.listen(16); print("listening", flush=True); time.sleep(600)'
wait_for 5 grep -q listening "$T_TMP/silent.log" || die "silent listener did not start"
estab_444() { [ -n "$(ip netns exec "$CNS" ss -Htn state established "dport = :444")" ]; }
sd_conf "$T_TMP/c3a.conf" "connect-timeout 30" "log-level info"
sed -i "s/^port .*/port 444/" "$T_TMP/c3a.conf"
sstpc_start "$CNS" "$T_TMP/c3a.conf"
wait_for 10 grep -q "TCP connected to 10.200.8.2:444" "$SC_LOG" && ok "silent TLS: connected, handshake pending" \
    || fail "silent TLS: no TCP connection"
term_within_1s "silent TLS handshake"
sd_conf "$T_TMP/c3b.conf" "connect-timeout 30" "log-level info" "http-proxy 10.200.8.2:444"
sstpc_start "$CNS" "$T_TMP/c3b.conf"
wait_for 10 estab_444 && ok "silent proxy: connected, CONNECT unanswered" || fail "silent proxy: no TCP connection"
term_within_1s "silent proxy"

# 3. Name resolution that hangs: the namespace's resolver asks 127.0.0.1:53,
# where socat reads the queries into a file and answers nothing.
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' > "/etc/netns/$CNS/resolv.conf"
bg "$CNS" "$T_TMP/socat.log" socat -u UDP4-RECV:53,bind=127.0.0.1 "OPEN:$T_TMP/dnsq,creat,append"
wait_for 5 sh -c "ip netns exec '$CNS' ss -Hlun 'sport = :53' | grep -q ." || die "no UDP listener on :53"
sd_conf "$T_TMP/c3.conf" "connect-timeout 5" "reconnect backoff-min 1" "reconnect backoff-max 1"
sed -i "s/^server .*/server vpn.hang.test/" "$T_TMP/c3.conf"
sstpc_start "$CNS" "$T_TMP/c3.conf"
if wait_for 20 grep -q "reconnecting to" "$SC_LOG"; then
    line=$(grep -m1 "connection failed" "$SC_LOG")
    grep -q "connection failed: resolving vpn.hang.test: timed out after 5 s" <<<"$line" \
        && ok "resolver: ${line#* error: }" || { cat "$SC_LOG" >&2; fail "resolver: unexpected message '$line'"; }
else
    cat "$SC_LOG" >&2; fail "resolver: no second attempt within 20 s"
fi
: > "$T_TMP/dnsq"
wait_for 10 test -s "$T_TMP/dnsq" && ok "resolver: the second lookup is waiting on the silent server" \
    || fail "resolver: no query reached the silent server"
term_within_1s "resolver hanging"

# 4. Two addresses for one name, the first dropping SYNs: the client moves
# on to the second after 250 ms and the tunnel comes up well inside the
# connect timeout.
printf '10.200.8.3 vpn.two.test\n10.200.8.2 vpn.two.test\n' > "/etc/netns/$CNS/hosts"
sd_conf "$T_TMP/c4.conf" "connect-timeout 30" "log-level info"
sed -i "s/^server .*/server vpn.two.test/" "$T_TMP/c4.conf"
t0=$(now_ms)
sstpc_start "$CNS" "$T_TMP/c4.conf"
if wait_up "$CNS" sstpc0 20; then
    ok "two addresses: tunnel up after $(( $(now_ms) - t0 )) ms"
    line=$(grep -m1 "TCP connected" "$SC_LOG")
    grep -Eq "TCP connected to 10\.200\.8\.2:443 after (2[5-9][0-9]|[3-9][0-9][0-9]|1[0-9]{3}) ms" <<<"$line" \
        && ok "two addresses: ${line#* info: } (the first one dropped SYNs)" \
        || fail "two addresses: expected 10.200.8.2 after one 250 ms step: '$line'"
    grep -q "connection failed" "$SC_LOG" && fail "two addresses: an attempt failed first"
else
    cat "$SC_LOG" >&2; fail "two addresses: no tunnel"
fi
[ $(( $(now_ms) - t0 )) -lt 15000 ] || fail "two addresses: took as long as a timeout"
stop_client "$SC_PID" "$CNS" sstpc0 "two addresses"

stop_pid "$SD_PID" 5
finish
