#!/bin/bash
# Clear errors against SoftEther: a wrong password ends with the server's
# 691, an untrusted CA with a certificate error; both exit non-zero and leave
# no device behind.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip openssl

CLIENT_NS=sstpt-ce$$
SERVER_NS=sstpt-se$$
softether "$SERVER_NS" "$CLIENT_NS" -p 443

conf() { # $1 password, $2 CA file
    cat <<CONF
interface sstpc3
server $SE_HOST
authentication username $SE_USER
authentication password '$1'
ssl ca-certificate $2
reconnect max-fail 1
CONF
}

conf wrong-password "$SE_CA_FILE" > "$T_TMP/bad-pw.conf"
ip netns exec "$CLIENT_NS" timeout 40 "$SSTPC" -c "$T_TMP/bad-pw.conf" >"$T_TMP/pw.log" 2>&1
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] && ok "wrong password: exit $rc" || fail "wrong password: exit $rc"
grep -q "691" "$T_TMP/pw.log" && grep -qi "authentication failed" "$T_TMP/pw.log" \
    && ok "wrong password: $(grep -m1 691 "$T_TMP/pw.log" | cut -c1-160)" \
    || { cat "$T_TMP/pw.log" >&2; fail "no 'authentication failed ... 691' message"; }
grep -q "wrong-password" "$T_TMP/pw.log" && fail "the password appears in the log"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/other.key" -out "$T_TMP/other.pem" \
    -days 30 -subj "/CN=Other CA" >/dev/null 2>&1
conf "$SE_PASSWORD" "$T_TMP/other.pem" > "$T_TMP/bad-ca.conf"
ip netns exec "$CLIENT_NS" timeout 40 "$SSTPC" -c "$T_TMP/bad-ca.conf" >"$T_TMP/ca.log" 2>&1
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] && ok "untrusted CA: exit $rc" || fail "untrusted CA: exit $rc"
grep -qi "certificate" "$T_TMP/ca.log" && ok "untrusted CA: $(grep -i -m1 certificate "$T_TMP/ca.log" | cut -c1-160)" \
    || { cat "$T_TMP/ca.log" >&2; fail "no certificate error"; }
grep -qi "HTTP\|SSTP call" "$T_TMP/ca.log" && fail "SSTP went on after a certificate failure"
ip -n "$CLIENT_NS" link show sstpc3 >/dev/null 2>&1 && fail "sstpc3 left behind" || ok "no device left"
finish
