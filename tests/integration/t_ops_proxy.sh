#!/bin/bash
# The tunnel through an HTTP CONNECT proxy on loopback in the client's
# namespace (tools/proxy/connect-proxy.py), to SoftEther on port 8443: the
# CONNECT names the configured port, not 443; Basic credentials work; wrong
# ones end with a clear 407 and exit 1 under `reconnect max-fail 1`.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping python3

CLIENT_NS=sstpx-cl$$
SERVER_NS=sstpx-se$$
softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 8443
PROXY=$SRC/tools/proxy/connect-proxy.py
RUN=$T_TMP/run; mkdir -p "$RUN"
PUSER=proxyuser PPASS=Pr0xy-s3cret BADPASS=n0t-the-pr0xy-pass

conf() { # proxy port, extra lines
    cat <<CONF
interface sstpc0
server $SE_HOST
port $SE_PORT
authentication username $SE_USER
authentication password '$SE_PASSWORD'
ssl ca-certificate $SE_CA_FILE
no-default-route
no-peer-dns
ipv6 disable
ip route 192.168.30.0/24
http-proxy 127.0.0.1:$1
reconnect max-fail 1
log-level info
${2:-}
CONF
}
start_proxy() { # port, proxy options
    local port=$1; shift
    bg "$CLIENT_NS" "$T_TMP/proxy-$port.log" python3 "$PROXY" --listen "127.0.0.1:$port" \
        --allow "$SE_HOST:$SE_PORT" "$@"
    wait_for 5 grep -q listening "$T_TMP/proxy-$port.log" || die "proxy on $port did not start"
}
up() { ip netns exec "$CLIENT_NS" ping -c 1 -W 1 "$SE_TAP_IP" >/dev/null 2>&1; }

# 1. no proxy credentials
start_proxy 3128
conf 3128 > "$T_TMP/open.conf"
bg "$CLIENT_NS" "$T_TMP/open.log" env SSTPC_RUN_DIR="$RUN" "$SSTPC" -c "$T_TMP/open.conf"
PID=$BG_PID
wait_for 30 up && ok "tunnel up through the proxy, ping $SE_TAP_IP" \
    || { cat "$T_TMP/open.log" "$T_TMP/proxy-3128.log" >&2; fail "no tunnel through the proxy"; }
grep -q "^CONNECT $SE_HOST:8443 -> 200" "$T_TMP/proxy-3128.log" \
    && ok "proxy saw: $(grep -m1 '^CONNECT' "$T_TMP/proxy-3128.log")" || fail "proxy did not relay to port 8443"
grep -q ":443 " "$T_TMP/proxy-3128.log" && fail "a CONNECT to port 443"
stop_pid "$PID" 10; [ "$STOP_RC" = 0 ] || fail "exit $STOP_RC"

# 2. Basic credentials, right ones
start_proxy 3129 --auth "$PUSER:$PPASS"
conf 3129 "http-proxy username $PUSER
http-proxy password '$PPASS'" > "$T_TMP/auth.conf"
bg "$CLIENT_NS" "$T_TMP/auth.log" env SSTPC_RUN_DIR="$RUN" "$SSTPC" -c "$T_TMP/auth.conf"
PID=$BG_PID
wait_for 30 up && ok "tunnel up through the proxy with Basic credentials" \
    || { cat "$T_TMP/auth.log" "$T_TMP/proxy-3129.log" >&2; fail "no tunnel with proxy credentials"; }
stop_pid "$PID" 10; [ "$STOP_RC" = 0 ] || fail "exit $STOP_RC"

# 3. wrong credentials: 407, exit 1, no retry loop
conf 3129 "http-proxy username $PUSER
http-proxy password '$BADPASS'" > "$T_TMP/bad.conf"
ip netns exec "$CLIENT_NS" env SSTPC_RUN_DIR="$RUN" timeout 30 "$SSTPC" -c "$T_TMP/bad.conf" > "$T_TMP/bad.log" 2>&1
rc=$?
[ "$rc" = 1 ] && ok "wrong proxy credentials: exit 1" || fail "wrong proxy credentials: exit $rc"
grep -q "407" "$T_TMP/bad.log" && ok "wrong proxy credentials: $(grep -m1 407 "$T_TMP/bad.log" | cut -c1-160)" \
    || { cat "$T_TMP/bad.log" >&2; fail "no 407 message"; }
grep -q "CONNECT .* -> 407" "$T_TMP/proxy-3129.log" && ok "proxy answered 407" || fail "proxy saw no 407"
ls "$T_TMP"/*.log >/dev/null || fail "no logs to search for passwords"
cat "$T_TMP"/*.log | grepq -F -e "$PPASS" -e "$BADPASS" -e "$SE_PASSWORD" && fail "a password appears in a log" \
    || ok "no password in any log"
ip -n "$CLIENT_NS" link show sstpc0 >/dev/null 2>&1 && fail "sstpc0 left behind" || ok "no device left"
finish
