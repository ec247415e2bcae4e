#!/bin/bash
# TLS suites: the ClientHello sstpc sends, captured by a listener in a
# namespace of the test and parsed, offers TLS 1.3's suites and, for TLS
# 1.2, only ECDHE with AES-GCM or ChaCha20-Poly1305: no 3DES, no CBC, no
# DHE, no static RSA key exchange (the library has DES for MS-CHAP only).
. "$(dirname "$0")/lib.sh"
need_root
need_sstpc
need_cmd python3

NS=sstls$$
mk_netns "$NS"
cat > "$T_TMP/c.conf" <<EOC
interface sstpc0
server 127.0.0.1
port 4443
authentication username alice
authentication password 'not-sent'
no-default-route
EOC
HELLO=$T_TMP/hello.txt
bg "$NS" "$T_TMP/listener.log" python3 "$SRC/tests/integration/clienthello.py" 127.0.0.1 4443 "$HELLO"
LPID=$BG_PID
wait_for 5 grep -q listening "$T_TMP/listener.log" || die "ClientHello listener did not start"
sstpc_start "$NS" "$T_TMP/c.conf"
wait_for 20 test -s "$HELLO" || die "no ClientHello within 20 s"
stop_pid "$SC_PID" 10
stop_pid "$LPID" 5

grep -q '^error' "$HELLO" && die "ClientHello: $(cat "$HELLO")"
log "offered: $(tr '\n' ' ' <"$HELLO")"
# Everything a client may offer: TLS 1.3 AEAD suites, ECDHE + GCM/ChaCha20,
# and the renegotiation-info signalling value (RFC 5746).
declare -A allowed=(
    [1301]=TLS_AES_128_GCM_SHA256 [1302]=TLS_AES_256_GCM_SHA384 [1303]=TLS_CHACHA20_POLY1305_SHA256
    [c02b]=ECDHE-ECDSA-AES128-GCM-SHA256 [c02f]=ECDHE-RSA-AES128-GCM-SHA256
    [c02c]=ECDHE-ECDSA-AES256-GCM-SHA384 [c030]=ECDHE-RSA-AES256-GCM-SHA384
    [cca9]=ECDHE-ECDSA-CHACHA20-POLY1305 [cca8]=ECDHE-RSA-CHACHA20-POLY1305
    [00ff]=EMPTY_RENEGOTIATION_INFO_SCSV
)
# The ones the issue saw and names, checked by name for a clear message.
declare -A banned=(
    [c012]=ECDHE-RSA-3DES [c008]=ECDHE-ECDSA-3DES [0016]=DHE-RSA-3DES [000a]=RSA-3DES
    [c013]=ECDHE-RSA-AES128-CBC-SHA [c014]=ECDHE-RSA-AES256-CBC-SHA
    [c009]=ECDHE-ECDSA-AES128-CBC-SHA [c00a]=ECDHE-ECDSA-AES256-CBC-SHA
    [0033]=DHE-RSA-AES128-CBC-SHA [0039]=DHE-RSA-AES256-CBC-SHA
    [009e]=DHE-RSA-AES128-GCM [009f]=DHE-RSA-AES256-GCM [002f]=RSA-AES128-CBC-SHA
    [009c]=RSA-AES128-GCM [009d]=RSA-AES256-GCM
)
while read -r cs; do
    [ -n "${banned[$cs]:-}" ] && fail "offered banned suite $cs (${banned[$cs]})"
    [ -z "${allowed[$cs]:-}" ] && fail "offered suite $cs, which is not ECDHE+AEAD or TLS 1.3"
done <"$HELLO"
for cs in 1301 1302 c02b c02f c02c c030; do
    grep -qx "$cs" "$HELLO" && ok "offers ${allowed[$cs]}" || fail "does not offer $cs (${allowed[$cs]})"
done
if grep -qx 'cca8' "$HELLO"; then ok "offers ChaCha20-Poly1305 (built in)"; fi
[ "$(grep -c . "$HELLO")" -ge 6 ] || fail "too few suites: $(cat "$HELLO")"
finish
