#!/bin/bash
# sstpc ↔ sstpd ↔ FreeRADIUS: sstpd relays EAP to a real EAP server
# (RFC 3579) and checks the crypto binding with the MPPE keys from its
# Access-Accept. EAP-TLS with a valid client certificate, PEAPv0 with
# EAP-MSCHAPv2 and plain EAP-MSCHAPv2 bring the tunnel up with ping through
# it and "crypto binding verified"; a client certificate of another CA, a
# wrong PEAP password (inner E=691), an EAP server certificate for another
# name (EAP-TLS and PEAP) and a RADIUS server that never answers each end
# without a tunnel and with a clear reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius_lib.sh"
need_root; need_sstpc; need_cmd ip ping openssl ss; need_freeradius

SNS=sdra-s$$ CNS=sdra-c$$
radius_pki
radius_client_cert alice
# a certificate of a CA FreeRADIUS does not trust
mkdir -p "$T_TMP/other"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T_TMP/other/ca.key" 2>/dev/null
openssl req -x509 -new -key "$T_TMP/other/ca.key" -out "$T_TMP/other/ca.pem" -days 2 -subj "/CN=other CA" \
    -addext basicConstraints=critical,CA:TRUE 2>/dev/null || die "openssl: other CA"
radius_client_cert mallory "$T_TMP/other/ca.pem" "$T_TMP/other/ca.key"
# a certificate of our CA, revoked: FreeRADIUS checks the CRL
radius_client_cert revoked
radius_revoke revoked
RADIUS_CA_FILE=$RADIUS_PKI/ca-crl.pem

sstpd_start "$SNS" "$CNS" --radius 127.0.0.1:1812 --radius-secret-file "$T_TMP/radius.secret" --log-level debug
radius_start "$SNS"

eap_tls_conf() { # FILE CERT SERVER_NAME
    sd_conf "$1" "authentication protocols eap-tls" "authentication certificate $2" \
        "authentication ca-certificate $RADIUS_PKI/ca.pem" "authentication server-name $3" \
        "reconnect max-fail 1"
}

# tunnel_case CONF WHAT METHOD KEYLEN
tunnel_case() {
    local conf=$1 what=$2 method=$3 keylen=$4 n
    n=$(grep -c "crypto binding verified" "$SD_LOG")
    sstpc_start "$CNS" "$conf"
    if ! wait_up "$CNS" sstpc0 20; then
        tail -n 20 "$SC_LOG" >&2; tail -n 30 "$SD_LOG" >&2; tail -n 80 "$RADIUS_LOG" >&2
        fail "$what: no tunnel within 20 s"
        stop_pid "$SC_PID" 5
        return
    fi
    ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "$what: ping $SD_LOCAL through the tunnel" || fail "$what: ping through the tunnel"
    grep -q "user '$SD_USER' authenticated with $method" "$SD_LOG" \
        && ok "$what: sstpd: authenticated with $method" || fail "$what: sstpd log lacks 'authenticated with $method'"
    grep -q "RADIUS Access-Accept for '$SD_USER' with MS-MPPE-Recv/Send-Key of $keylen/$keylen bytes" "$SD_LOG" \
        && ok "$what: FreeRADIUS sent $keylen-byte MPPE keys" || fail "$what: no Access-Accept with $keylen-byte keys"
    wait_for 5 test "$(grep -c 'crypto binding verified' "$SD_LOG")" -gt "$n" \
        && ok "$what: crypto binding verified with the keys from RADIUS" || fail "$what: crypto binding not verified"
    local got
    got=$(sstpc_cli "$CNS" show interfaces sstpc sstpc0 | awk '$1 == "auth" {$1=""; print substr($0,2)}')
    [ "$got" = "$method" ] && ok "$what: client reports auth $got" || fail "$what: client reports auth '$got'"
    stop_client "$SC_PID" "$CNS" sstpc0 "$what"
}

# refused_case CONF WHAT PATTERN: no tunnel; the client's log matches PATTERN.
refused_case() {
    local conf=$1 what=$2 pat=$3
    sstpc_start "$CNS" "$conf"
    if wait_for 25 grep -Eq "$pat" "$SC_LOG"; then
        ok "$what: client reports '$(grep -Eo "$pat" "$SC_LOG" | head -n1)'"
    else
        tail -n 10 "$SC_LOG" >&2; tail -n 10 "$SD_LOG" >&2
        fail "$what: client log lacks /$pat/"
    fi
    has_addr "$CNS" sstpc0 && fail "$what: a tunnel came up"
    stop_pid "$SC_PID" 10
    no_leftovers "$CNS" sstpc0 && ok "$what: nothing left behind" || fail "$what: leftovers"
}

eap_tls_conf "$T_TMP/tls.conf" "$RADIUS_PKI/alice.pem" "$RADIUS_NAME"
tunnel_case "$T_TMP/tls.conf" "EAP-TLS" EAP-TLS 32
n=$(grep -c "Peer ACKed our handshake fragment" "$RADIUS_LOG")
[ "$n" -ge 3 ] && ok "EAP-TLS: FreeRADIUS sent its flights in 300-byte fragments, each acknowledged ($n acks)" \
    || fail "EAP-TLS: FreeRADIUS did not fragment (fragment_size 300 not in effect?): $n acks"
sd_conf "$T_TMP/mschap.conf" "authentication protocols eap-mschapv2" "reconnect max-fail 1"
tunnel_case "$T_TMP/mschap.conf" "EAP-MSCHAPv2 via RADIUS" EAP-MSCHAPv2 16

peap_conf() { # FILE PASSWORD SERVER_NAME
    sd_conf "$1" "authentication protocols peap" "authentication ca-certificate $RADIUS_PKI/ca.pem" \
        "authentication server-name $3" "reconnect max-fail 1"
    sed -i "s|^authentication password .*|authentication password '$2'|" "$1"
}
peap_conf "$T_TMP/peap.conf" "$SD_PASSWORD" "$RADIUS_NAME"
tunnel_case "$T_TMP/peap.conf" "PEAP-MSCHAPv2" PEAP 32
peap_conf "$T_TMP/peapbad.conf" "not-the-password" "$RADIUS_NAME"
refused_case "$T_TMP/peapbad.conf" "PEAP with a wrong password" "PEAP \(inner EAP-MSCHAPv2\)[^E]*E=691"
peap_conf "$T_TMP/peapname.conf" "$SD_PASSWORD" other.test
refused_case "$T_TMP/peapname.conf" "PEAP server certificate for another name" \
    "PEAP: certificate name mismatch: wanted 'other.test'"

eap_tls_conf "$T_TMP/other.conf" "$RADIUS_PKI/mallory.pem" "$RADIUS_NAME"
refused_case "$T_TMP/other.conf" "client certificate of another CA" \
    "EAP-TLS: (the peer refused the TLS handshake: alert [0-9]+ \([a-z_]+\)|the EAP server ended the TLS handshake with EAP Failure: it refused our client certificate)"
grep -q "RADIUS Access-Reject for '$SD_USER'" "$SD_LOG" \
    && ok "another CA: FreeRADIUS rejected (Access-Reject)" || fail "another CA: no Access-Reject in the sstpd log"

eap_tls_conf "$T_TMP/revoked.conf" "$RADIUS_PKI/revoked.pem" "$RADIUS_NAME"
refused_case "$T_TMP/revoked.conf" "revoked client certificate" \
    "EAP-TLS: (the peer refused the TLS handshake: alert [0-9]+ \([a-z_]+\)|the EAP server ended the TLS handshake with EAP Failure: it refused our client certificate)"
grep -qi "certificate revoked" "$RADIUS_LOG" \
    && ok "revoked: FreeRADIUS refused it as revoked (CRL)" || fail "revoked: FreeRADIUS did not log 'certificate revoked'"

eap_tls_conf "$T_TMP/name.conf" "$RADIUS_PKI/alice.pem" other.test
refused_case "$T_TMP/name.conf" "EAP server certificate for another name" \
    "EAP-TLS: certificate name mismatch: wanted 'other.test'"

# A RADIUS server that never answers: sstpd's fault drops its replies.
stop_pid "$SD_PID" 5
sstpd_start "$SNS" "$CNS" --radius 127.0.0.1:1812 --radius-secret-file "$T_TMP/radius.secret" \
    --fault radius-drop
refused_case "$T_TMP/tls.conf" "RADIUS server silent" "EAP authentication failed|authentication failed"
wait_for 10 grep -q "RADIUS server did not answer" "$SD_LOG" \
    && ok "silent RADIUS: sstpd reports 'RADIUS server did not answer'" || fail "silent RADIUS: no such line in the sstpd log"
# Keys that do not match the client's: sstpd's binding check must fail.
stop_pid "$SD_PID" 5
sstpd_start "$SNS" "$CNS" --radius 127.0.0.1:1812 --radius-secret-file "$T_TMP/radius.secret" \
    --fault radius-bad-keys
n0=$(grep -c "crypto binding verified" "$SD_LOG")
sstpc_start "$CNS" "$T_TMP/tls.conf"
wait_for 25 grep -q "fault radius-bad-keys: HLAK altered" "$SD_LOG" \
    && ok "bad keys: sstpd altered the HLAK from RADIUS" || fail "bad keys: the fault did not act"
if wait_for 20 grep -q "CALL_CONNECTED compound MAC differs (HLAK from PPP authentication does not match)" "$SD_LOG"; then
    ok "bad keys: sstpd refused the binding: CALL_CONNECTED compound MAC differs"
else
    tail -n 10 "$SD_LOG" >&2
    fail "bad keys: no binding failure in the sstpd log"
fi
[ "$(grep -c "crypto binding verified" "$SD_LOG")" = "$n0" ] || fail "bad keys: a binding verified anyway"
stop_pid "$SC_PID" 10
no_leftovers "$CNS" sstpc0 && ok "bad keys: nothing left behind" || fail "bad keys: leftovers"
finish
