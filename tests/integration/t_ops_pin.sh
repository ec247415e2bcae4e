#!/bin/bash
# Public key pinning with no CA: SoftEther keeps its own self-signed
# certificate (SE_CERT=softether); `ssl pin-sha256` with the base64 SHA-256
# of its SubjectPublicKeyInfo connects, a wrong pin is refused clearly.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping openssl base64

CLIENT_NS=sstpp-cl$$
SERVER_NS=sstpp-se$$
SE_CERT=softether softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 443
RUN=$T_TMP/run; mkdir -p "$RUN"
pin=$(openssl x509 -in "$SE_SERVER_CERT" -pubkey -noout | openssl pkey -pubin -outform DER \
    | openssl dgst -sha256 -binary | base64)
wrong=$(printf 'not the key' | openssl dgst -sha256 -binary | base64)
# Its certificate names the host it was made on (CN, no SAN): verify that name.
cn=$(openssl x509 -in "$SE_SERVER_CERT" -noout -subject -nameopt RFC2253 | sed -n 's/^subject=.*CN=\([^,]*\).*/\1/p')
log "server key pin $pin, certificate CN '$cn'"

conf() { # pin
    cat <<CONF
interface sstpc0
server $SE_HOST
authentication username $SE_USER
authentication password '$SE_PASSWORD'
ssl server-name '$cn'
ssl pin-sha256 $1
no-default-route
no-peer-dns
ipv6 disable
ip route 192.168.30.0/24
reconnect max-fail 1
log-level info
CONF
}
conf "$pin" > "$T_TMP/pin.conf"
bg "$CLIENT_NS" "$T_TMP/pin.log" env SSTPC_RUN_DIR="$RUN" "$SSTPC" -c "$T_TMP/pin.conf"
PID=$BG_PID
if wait_for 30 ip netns exec "$CLIENT_NS" ping -c 1 -W 1 "$SE_TAP_IP"; then
    ok "pinned, no CA: tunnel up, ping $SE_TAP_IP"
else
    cat "$T_TMP/pin.log" >&2; fail "pinned connection failed"
fi
stop_pid "$PID" 10; [ "$STOP_RC" = 0 ] || fail "exit $STOP_RC"

conf "$wrong" > "$T_TMP/wrong.conf"
ip netns exec "$CLIENT_NS" env SSTPC_RUN_DIR="$RUN" timeout 30 "$SSTPC" -c "$T_TMP/wrong.conf" > "$T_TMP/wrong.log" 2>&1
rc=$?
[ "$rc" = 1 ] && ok "wrong pin: exit 1" || fail "wrong pin: exit $rc"
grep -qi "pin mismatch" "$T_TMP/wrong.log" && ok "wrong pin: $(grep -i -m1 'pin' "$T_TMP/wrong.log" | cut -c1-160)" \
    || { cat "$T_TMP/wrong.log" >&2; fail "no pin mismatch message"; }
grep -q "SSTP call\|HTTP" "$T_TMP/wrong.log" && fail "SSTP went on after a pin mismatch"
ip -n "$CLIENT_NS" link show sstpc0 >/dev/null 2>&1 && fail "sstpc0 left behind" || ok "no device left"
finish
