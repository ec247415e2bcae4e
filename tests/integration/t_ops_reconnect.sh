#!/bin/bash
# Losing the server, again and again: SoftEther's end of the connection is
# torn down mid-traffic (its socket aborted with ss -K, and every fifth
# cycle the whole server stopped by its PID and started again), 20 cycles;
# each time the tunnel is back with ping passing within the backoff bound,
# and the daemon's open fds and VmRSS do not grow. Then a blackhole (netem
# 100% loss on the server's veth, or, without netem here, a blackhole route):
# detected by LCP echo within keepalive interval x (failure + 1), and up
# again once the path is back.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping ss tc python3

CYCLES=${OPS_CYCLES:-20}
CLIENT_NS=sstpr-cl$$
SERVER_NS=sstpr-se$$
softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 443
RUN=$T_TMP/run; mkdir -p "$RUN"
# The CA file is read at every connect: a restarted server's new CA is
# appended so that both generations verify.
cat "$SE_CA_FILE" > "$T_TMP/ca.pem"

cat > "$T_TMP/tunnel.conf" <<CONF
interface sstpc0
server $SE_HOST
authentication username $SE_USER
authentication password '$SE_PASSWORD'
ssl ca-certificate $T_TMP/ca.pem
no-default-route
no-peer-dns
ipv6 disable
ip route 192.168.30.0/24
reconnect backoff-min 1
reconnect backoff-max 2
keepalive interval 2
keepalive failure 3
connect-timeout 10
log-level info
CONF
bg "$CLIENT_NS" "$T_TMP/sstpc.log" env SSTPC_RUN_DIR="$RUN" "$SSTPC" -c "$T_TMP/tunnel.conf"
PID=$BG_PID
up() { ip netns exec "$CLIENT_NS" ping -c 1 -W 1 "$SE_TAP_IP" >/dev/null 2>&1; }
wait_for 30 up || { cat "$T_TMP/sstpc.log" >&2; die "tunnel did not come up"; }
ok "tunnel up, ping $SE_TAP_IP"

# Traffic during every cycle: a steady ping through the tunnel.
bg "$CLIENT_NS" "$T_TMP/ping-bg.log" ping -i 0.05 -W 1 "$SE_TAP_IP"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fds() { ls /proc/"$PID"/fd | wc -l; }
rss() { awk '/^VmRSS/ {print $2}' /proc/"$PID"/status; }
restart_server() {
    "$SE_DIR/stop" "$SE_STATE_DIR" >/dev/null 2>&1
    local out
    out=$(SE_LISTEN_IP=10.200.7.2 "$SE_DIR/start" -n "$SERVER_NS" -m bridge -p 443 2>"$T_TMP/se-restart.log") \
        || { cat "$T_TMP/se-restart.log" >&2; die "SoftEther did not start again"; }
    eval "$out"
    T_SE_DIRS+=("$SE_STATE_DIR")
    cat "$SE_CA_FILE" >> "$T_TMP/ca.pem"
}
BOUND_KILL=8000     # backoff <= 1.25 s (first failure), connect ~1 s, slack for 2 shared cores
BOUND_RESTART=12000 # from the server's start: a failed try while it boots costs one more backoff <= 2.5 s
fd_first= rss_first= worst=0
for i in $(seq "$CYCLES"); do
    down0=$(grep -c "tunnel down" "$T_TMP/sstpc.log")
    if [ $((i % 5)) = 0 ]; then
        how="server restarted"
        restart_server
        t0=$(now_ms); bound=$BOUND_RESTART
    else
        how="server socket aborted"
        t0=$(now_ms); bound=$BOUND_KILL
        ip netns exec "$SERVER_NS" ss -K -tn state established "( sport = :443 )" >/dev/null
    fi
    wait_for 10 sh -c "[ \$(grep -c 'tunnel down' '$T_TMP/sstpc.log') -gt $down0 ]" \
        || { fail "cycle $i: the loss was not noticed"; continue; }
    wait_for 30 up || { tail -n 20 "$T_TMP/sstpc.log" >&2; fail "cycle $i: not back within 30 s"; break; }
    t1=$(now_ms); dt=$((t1 - t0))
    [ "$dt" -gt "$worst" ] && worst=$dt
    f=$(fds); r=$(rss)
    [ -z "$fd_first" ] && { fd_first=$f; rss_first=$r; }
    log "cycle $i ($how): back with ping in $dt ms; fds $f, VmRSS $r kB"
    [ "$dt" -le "$bound" ] || fail "cycle $i: $dt ms > bound $bound ms"
done
reconnects=$(grep -c "reconnecting to" "$T_TMP/sstpc.log")
ok "$CYCLES cycles, worst $worst ms, $reconnects reconnect attempts"
[ "$f" -le "$fd_first" ] && ok "open fds: $fd_first after cycle 1, $f after cycle $CYCLES" \
    || fail "fds grew: $fd_first -> $f"
[ $((r - rss_first)) -le 256 ] && ok "VmRSS: $rss_first kB after cycle 1, $r kB after cycle $CYCLES" \
    || fail "VmRSS grew: $rss_first -> $r kB"
# the routes and address are those of one tunnel, not piled up
n=$(ip -n "$CLIENT_NS" route show 192.168.30.0/24 | wc -l)
[ "$n" = 1 ] && ok "one route after $CYCLES cycles" || fail "$n routes for 192.168.30.0/24"

# --- blackhole: the server's packets to the client vanish (netem 100% loss
# where the kernel has it, else a blackhole route in the server namespace);
# the client hears nothing, not even a reset.
dev=$(ip -n "$SERVER_NS" -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1 | head -n1)
if tc -n "$SERVER_NS" qdisc add dev "$dev" root netem loss 100% 2>/dev/null; then
    hole="netem loss 100% on $dev"
    unhole() { tc -n "$SERVER_NS" qdisc del dev "$dev" root; }
else
    ip -n "$SERVER_NS" route add blackhole 10.200.7.1/32 || die "blackhole route"
    hole="blackhole route to the client in the server namespace"
    unhole() { ip -n "$SERVER_NS" route del blackhole 10.200.7.1/32; }
fi
down0=$(grep -c "tunnel down" "$T_TMP/sstpc.log")
t0=$(now_ms)
if wait_for 20 sh -c "[ \$(grep -c 'tunnel down' '$T_TMP/sstpc.log') -gt $down0 ]"; then
    dt=$(( $(now_ms) - t0 ))
    why=$(grep "tunnel down" "$T_TMP/sstpc.log" | tail -n1 | cut -c1-160)
    # interval 2 s x (failure 3 + the first unanswered one) = 8 s, + 1 s of polling
    [ "$dt" -le 9000 ] && ok "$hole: detected in $dt ms (bound 9000): $why" \
        || fail "$hole: detected only after $dt ms: $why"
else
    fail "$hole: not detected within 20 s"
fi
sleep 3 # a reconnect attempt or two into the hole
unhole
t0=$(now_ms)
# a connect attempt into the hole waits for connect-timeout (10 s)
wait_for 40 up && ok "path back: ping again after $(( $(now_ms) - t0 )) ms" || fail "not back after the blackhole"

stop_pid "$PID" 10
[ "$STOP_RC" = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit $STOP_RC"
grep -qF "$SE_PASSWORD" "$T_TMP/sstpc.log" && fail "the password is in the log"
finish
