#!/bin/bash
# Operating a running tunnel against SoftEther: `show` (detail, table, JSON)
# with counters that match the kernel's, disconnect/connect through the
# control socket (routes and DNS undone, device kept), clear errors for an
# unknown and a disabled interface, and SIGHUP applying a changed
# description and route distance while an invalid file changes nothing.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping nc python3

CLIENT_NS=sstpo-cl$$
SERVER_NS=sstpo-se$$
softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 443
RUN=$T_TMP/run
mkdir -p "$RUN"
printf 'nameserver 203.0.113.53\n' > "$T_TMP/resolv.conf"
cp "$T_TMP/resolv.conf" "$T_TMP/resolv.orig"

conf() { # IF, extra lines
    cat <<CONF
interface $1
server $SE_HOST
authentication username $SE_USER
authentication password '$SE_PASSWORD'
ssl ca-certificate $SE_CA_FILE
mtu 1400
no-default-route
log-level info
$2
CONF
}
conf sstpc0 "description 'Branch uplink'
ip route 192.168.30.0/24" > "$T_TMP/sstpc0.conf"
conf sstpc1 "no-peer-dns
description second" > "$T_TMP/sstpc1.conf"
conf sstpc2 "disable" > "$T_TMP/sstpc2.conf"

cli() { ip netns exec "$CLIENT_NS" env SSTPC_RUN_DIR="$RUN" "$SSTPC" "$@"; }
daemon() { # IF
    bg "$CLIENT_NS" "$T_TMP/$1.log" env SSTPC_RUN_DIR="$RUN" SSTPC_RESOLV_CONF="$T_TMP/resolv.conf" \
        "$SSTPC" -c "$T_TMP/$1.conf"
}
daemon sstpc0; PID0=$BG_PID
daemon sstpc1; PID1=$BG_PID
daemon sstpc2; PID2=$BG_PID
wait_for 30 has_addr "$CLIENT_NS" sstpc0 || { cat "$T_TMP/sstpc0.log" >&2; die "sstpc0 did not come up"; }
wait_for 30 has_addr "$CLIENT_NS" sstpc1 || { cat "$T_TMP/sstpc1.log" >&2; die "sstpc1 did not come up"; }
a0=$(tunnel_addr "$CLIENT_NS" sstpc0); a1=$(tunnel_addr "$CLIENT_NS" sstpc1)
[ "$a0" != "$a1" ] && ok "two tunnels up: sstpc0 $a0, sstpc1 $a1" || fail "same address twice: $a0"

# --- show: detail view
cli show interfaces sstpc sstpc0 > "$T_TMP/show0.txt" 2>&1 || fail "show sstpc0: exit $?"
cat "$T_TMP/show0.txt" >&2
grep -q "^sstpc0: <.*UP.*> mtu 1400" "$T_TMP/show0.txt" && ok "show: flags and MTU" || fail "show: no flags/MTU line"
grep -q "inet $a0 peer" "$T_TMP/show0.txt" && ok "show: address $a0" || fail "show: address missing"
grep -q "state connected" "$T_TMP/show0.txt" && ok "show: state connected" || fail "show: not connected"
grep -q "auth MS-CHAP" "$T_TMP/show0.txt" && ok "show: auth" || fail "show: no auth"

# counters: the kernel's (ip -s -j) and show's, text and JSON
ipstat() { # IF FIELD(rx|tx)
    ip -n "$CLIENT_NS" -s -j link show "$1" | python3 -c \
        "import json,sys; print(json.load(sys.stdin)[0]['stats64']['$2']['bytes'])"
}
showjson() { # IF FIELD
    cli show interfaces sstpc "$1" --json | python3 -c \
        "import json,sys; print(json.load(sys.stdin)['stats']['$2'])"
}
showtext() { # IF rx|tx : the bytes figure under the RX:/TX: heading
    cli show interfaces sstpc "$1" | awk -v k="${2^^}:" '$1 == k {getline; print $1; exit}'
}
cli show interfaces sstpc sstpc0 --json > "$T_TMP/show0.json"
python3 -m json.tool "$T_TMP/show0.json" >/dev/null && ok "show --json parses" || fail "show --json does not parse"
python3 - "$T_TMP/show0.json" <<'PY' && ok "show --json: state, address, tunnel facts" || fail "show --json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interface"] == "sstpc0" and d["mtu"] == 1400 and d["up"] is True
assert d["tunnel"]["state"] == "connected", d["tunnel"]
assert any(a["family"] == "inet" for a in d["addresses"])
PY
tx0=$(showjson sstpc0 tx_bytes); rx0=$(showjson sstpc0 rx_bytes)
head -c 5000000 /dev/urandom > "$T_TMP/blob"
bg "$SERVER_NS" "$T_TMP/nc-srv.log" sh -c "nc -l -s $SE_TAP_IP -p 5001 > /dev/null"
NCPID=$BG_PID
wait_for 5 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'sport = :5001' | grep -q ."
ip netns exec "$CLIENT_NS" nc -N -w 20 "$SE_TAP_IP" 5001 < "$T_TMP/blob" || fail "nc send"
wait "$NCPID" 2>/dev/null
# and 5 MB the other way
bg "$SERVER_NS" "$T_TMP/nc-srv2.log" sh -c "nc -N -l -s $SE_TAP_IP -p 5002 < $T_TMP/blob"
NCPID=$BG_PID
wait_for 5 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'sport = :5002' | grep -q ."
ip netns exec "$CLIENT_NS" nc -w 20 "$SE_TAP_IP" 5002 > "$T_TMP/blob.back" || fail "nc receive"
wait "$NCPID" 2>/dev/null
cmp -s "$T_TMP/blob" "$T_TMP/blob.back" && ok "5 MB received intact" || fail "received blob differs"
sleep 0.5
tx1=$(showjson sstpc0 tx_bytes); rx1=$(showjson sstpc0 rx_bytes)
ktx=$(ipstat sstpc0 tx); krx=$(ipstat sstpc0 rx)
ttx=$(showtext sstpc0 tx); trx=$(showtext sstpc0 rx)
log "counters: show json tx $tx0 -> $tx1, rx $rx0 -> $rx1; ip -s tx $ktx rx $krx; show text tx $ttx rx $trx"
[ $((tx1 - tx0)) -ge 5000000 ] && ok "TX moved by $((tx1 - tx0)) bytes (>= 5 MB sent)" || fail "TX moved by $((tx1 - tx0))"
[ $((rx1 - rx0)) -ge 5000000 ] && ok "RX moved by $((rx1 - rx0)) bytes (>= 5 MB received)" || fail "RX moved by $((rx1 - rx0))"
near() { local d=$(( $1 - $2 )); [ "${d#-}" -le 4000 ]; } # an idle link: a few packets at most
near "$ktx" "$tx1" && near "$krx" "$rx1" && ok "JSON counters = ip -s -j link (tx $tx1/$ktx rx $rx1/$krx)" \
    || fail "JSON counters differ from the kernel's (tx $tx1/$ktx rx $rx1/$krx)"
near "$ttx" "$tx1" && near "$trx" "$rx1" && ok "text counters = JSON counters" \
    || fail "text counters ($ttx/$trx) differ from JSON ($tx1/$rx1)"

# --- show: the table of every tunnel
cli show interfaces sstpc > "$T_TMP/table.txt" 2>&1 || fail "show table: exit $?"
cat "$T_TMP/table.txt" >&2
grep -Eq "^sstpc0 +$a0/32 +u/u +Branch uplink" "$T_TMP/table.txt" && ok "table lists sstpc0" || fail "table: sstpc0 row"
grep -Eq "^sstpc1 +$a1/32 +u/u +second" "$T_TMP/table.txt" && ok "table lists sstpc1" || fail "table: sstpc1 row"
grep -Eq "^sstpc2 +- +A/D" "$T_TMP/table.txt" && ok "table lists disabled sstpc2 as A/D" || fail "table: sstpc2 row"
cli show interfaces sstpc --json > "$T_TMP/table.json"
python3 - "$T_TMP/table.json" <<'PY' && ok "table --json parses, 3 tunnels" || fail "table --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(t["interface"] for t in d) == ["sstpc0", "sstpc1", "sstpc2"], d
PY

# --- disconnect / connect
grep -q "nameserver $SE_GATEWAY" "$T_TMP/resolv.conf" && ok "DNS installed: nameserver $SE_GATEWAY" \
    || fail "DNS from the server not installed"
ip -n "$CLIENT_NS" route show 192.168.30.0/24 | grepq sstpc0 && ok "route 192.168.30.0/24 via sstpc0" \
    || fail "no route before disconnect"
cli disconnect interface sstpc0 > "$T_TMP/disc.txt" 2>&1; rc=$?
[ "$rc" = 0 ] && ok "disconnect: exit 0" || { cat "$T_TMP/disc.txt" >&2; fail "disconnect: exit $rc"; }
wait_for 10 grep -q "CALL_DISCONNECT acknowledged" "$T_TMP/sstpc0.log" && ok "server acknowledged CALL_DISCONNECT" \
    || fail "no CALL_DISCONNECT acknowledged"
wait_for 5 sh -c "! ip -n $CLIENT_NS route show 192.168.30.0/24 | grep -q sstpc0" \
    && ok "route removed" || fail "route left after disconnect"
cmp -s "$T_TMP/resolv.conf" "$T_TMP/resolv.orig" && ok "resolv.conf restored" || fail "resolv.conf not restored"
ip -n "$CLIENT_NS" link show sstpc0 >/dev/null 2>&1 && ok "sstpc0 still exists" || fail "sstpc0 vanished"
has_addr "$CLIENT_NS" sstpc0 && fail "address left on sstpc0" || ok "address removed"
cli show interfaces sstpc sstpc0 | grepq "state disconnected" && ok "show: disconnected" \
    || fail "show does not say disconnected"
sleep 6 # longer than backoff-min: it must stay down
cli show interfaces sstpc sstpc0 | grepq "state disconnected" && ok "stays disconnected" || fail "came back by itself"
cli connect interface sstpc0 > "$T_TMP/conn.txt" 2>&1; rc=$?
[ "$rc" = 0 ] && ok "connect: exit 0" || { cat "$T_TMP/conn.txt" >&2; fail "connect: exit $rc"; }
wait_for 30 has_addr "$CLIENT_NS" sstpc0 && ok "up again: $(tunnel_addr "$CLIENT_NS" sstpc0)" || fail "not up after connect"
wait_for 10 ip netns exec "$CLIENT_NS" ping -c 1 -W 1 "$SE_TAP_IP" && ok "ping after connect" || fail "ping after connect"

for cmd in connect disconnect; do
    out=$(cli $cmd interface sstpc9 2>&1); rc=$?
    [ "$rc" = 1 ] && echo "$out" | grepq "sstpc9" && ok "$cmd unknown: exit 1: $out" || fail "$cmd unknown: exit $rc: $out"
    out=$(cli $cmd interface sstpc2 2>&1); rc=$?
    [ "$rc" = 1 ] && echo "$out" | grepq "disabled" && ok "$cmd disabled: exit 1: $out" || fail "$cmd disabled: exit $rc: $out"
done

# --- SIGHUP
metric() { ip -n "$CLIENT_NS" -j route show 192.168.30.0/24 dev sstpc0 | python3 -c \
    "import json,sys; r=json.load(sys.stdin); print(r[0].get('metric', 0) if r else '')"; }
[ "$(metric)" = 210 ] && ok "route metric 210 (default distance)" || fail "route metric '$(metric)'"
conf sstpc0 "description 'Reloaded uplink'
default-route-distance 150
ip route 192.168.30.0/24" > "$T_TMP/sstpc0.conf"
kill -HUP "$PID0"
wait_for 30 sh -c "ip -n $CLIENT_NS -j route show 192.168.30.0/24 dev sstpc0 | grep -q '\"metric\":150'" \
    && ok "SIGHUP: route metric 150" || fail "SIGHUP: metric '$(metric)'"
alias=$(ip -n "$CLIENT_NS" -j link show sstpc0 | python3 -c "import json,sys; print(json.load(sys.stdin)[0].get('ifalias',''))")
[ "$alias" = "Reloaded uplink" ] && ok "SIGHUP: description '$alias'" || fail "SIGHUP: description '$alias'"
wait_for 10 ip netns exec "$CLIENT_NS" ping -c 1 -W 1 "$SE_TAP_IP" && ok "ping after reload" || fail "ping after reload"
echo "mtu banana" >> "$T_TMP/sstpc0.conf"
kill -HUP "$PID0"
wait_for 5 grep -q "keeping the running configuration" "$T_TMP/sstpc0.log" \
    && ok "invalid file: $(grep -m1 'keeping the running' "$T_TMP/sstpc0.log" | cut -c1-160)" || fail "no error for an invalid file"
sleep 1
kill -0 "$PID0" 2>/dev/null && [ "$(metric)" = 150 ] && ip netns exec "$CLIENT_NS" ping -c 1 -W 2 "$SE_TAP_IP" >/dev/null \
    && ok "invalid file: still running, route kept, ping" || fail "invalid file disturbed the tunnel"

for p in "$PID0" "$PID1" "$PID2"; do
    stop_pid "$p" 10; [ "$STOP_RC" = 0 ] || fail "daemon $p: exit $STOP_RC"
done
ls "$T_TMP"/*.log "$T_TMP"/*.txt "$T_TMP"/*.json >/dev/null || fail "no outputs to search for the password"
cat "$T_TMP"/*.log "$T_TMP"/*.txt "$T_TMP"/*.json | grepq -F "$SE_PASSWORD" && fail "the password appears in an output" \
    || ok "the password appears in no output or log"
for i in sstpc0 sstpc1 sstpc2; do
    ip -n "$CLIENT_NS" link show $i >/dev/null 2>&1 && fail "$i left behind"
done
ls "$RUN"/*.sock >/dev/null 2>&1 && fail "control sockets left behind" || ok "devices and sockets removed"
finish
