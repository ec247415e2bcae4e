#!/bin/bash
# Mutual TLS on the SSTP connection (`ssl certificate`, MikroTik's
# certificate=): sstpd --require-client-cert accepts a client whose
# certificate chains to its CA, with MS-CHAPv2 and the crypto binding on
# top; a client without a certificate, or with one from another CA, gets a
# clear error and no tunnel; a certificate file others can read is refused
# before any connection. The same certificates given as VyOS pki entries
# inside the config work alike.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping openssl

SNS=sdcc-s$$ CNS=sdcc-c$$

# client_cert DIR CA_PEM CA_KEY CN: DIR/CN.pem holds the certificate
# (clientAuth) and its key, mode 600.
client_cert() {
    local d=$1 ca=$2 cakey=$3 cn=$4
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$cn.key" 2>/dev/null
    openssl req -new -key "$d/$cn.key" -out "$d/$cn.csr" -subj "/CN=$cn" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=clientAuth" >"$d/$cn.ext"
    openssl x509 -req -in "$d/$cn.csr" -CA "$ca" -CAkey "$cakey" -CAcreateserial -days 2 \
        -extfile "$d/$cn.ext" -out "$d/$cn.crt" 2>/dev/null || die "openssl: cannot sign $cn"
    cat "$d/$cn.crt" "$d/$cn.key" >"$d/$cn.pem"
    chmod 600 "$d/$cn.pem"
}

# Our CA (from sstpd_start's mkcerts.sh) signs the good client; a second CA
# of the test signs the stranger.
sstpd_start "$SNS" "$CNS" --auth mschapv2 --require-client-cert "$T_TMP/pki/ca.pem"
mkdir -p "$T_TMP/cc"
client_cert "$T_TMP/cc" "$T_TMP/pki/ca.pem" "$T_TMP/pki/ca.key" alice-laptop
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T_TMP/cc/other-ca.key" 2>/dev/null
openssl req -x509 -new -key "$T_TMP/cc/other-ca.key" -out "$T_TMP/cc/other-ca.pem" -days 2 \
    -subj "/CN=other CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null || die "openssl: other CA"
client_cert "$T_TMP/cc" "$T_TMP/cc/other-ca.pem" "$T_TMP/cc/other-ca.key" mallory

# 1. The right certificate: tunnel, ping, binding.
sd_conf "$T_TMP/good.conf" "ssl certificate $T_TMP/cc/alice-laptop.pem" "authentication protocols mschapv2" \
    "reconnect max-fail 1"
sstpc_start "$CNS" "$T_TMP/good.conf"
if wait_up "$CNS" sstpc0 15; then
    ok "client certificate accepted: tunnel up"
    ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "ping $SD_LOCAL through the tunnel" || fail "ping through the tunnel"
    grep -q "client certificate verified: .*CN=alice-laptop" "$SD_LOG" \
        && ok "sstpd verified CN=alice-laptop" || fail "sstpd log has no 'client certificate verified'"
    wait_for 5 grep -q "crypto binding verified" "$SD_LOG" \
        && ok "crypto binding verified on top of mutual TLS" || fail "no crypto binding verified"
    grep -q "$(tail -c 200 "$T_TMP/cc/alice-laptop.key" | head -c 40)" "$SC_LOG" \
        && fail "the private key appears in the client log"
    sstpc_cli "$CNS" show interfaces sstpc sstpc0 >"$T_TMP/show.txt" 2>&1
    grep -q "BEGIN\|PRIVATE" "$T_TMP/show.txt" && fail "show prints key material"
    stop_client "$SC_PID" "$CNS" sstpc0 "mutual TLS"
else
    tail -n 20 "$SC_LOG" >&2; tail -n 20 "$SD_LOG" >&2
    fail "no tunnel with a valid client certificate"
    stop_pid "$SC_PID" 5
fi

# 1b. The same certificate and CA as VyOS pki entries in the config itself
# (`set pki ...` lines as `show configuration commands` prints them),
# named by ssl ca-certificate / ssl certificate.
b64() { openssl "$@" -outform DER | base64 -w0; }
{
    echo "set pki ca sdca certificate $(b64 x509 -in "$T_TMP/pki/ca.pem")"
    echo "set pki certificate laptop certificate $(b64 x509 -in "$T_TMP/cc/alice-laptop.crt")"
    echo "set pki certificate laptop private key $(b64 pkey -in "$T_TMP/cc/alice-laptop.key")"
    echo "set interfaces sstpc sstpc0 server $SD_HOST"
    echo "set interfaces sstpc sstpc0 authentication username $SD_USER"
    echo "set interfaces sstpc sstpc0 authentication password '$SD_PASSWORD'"
    echo "set interfaces sstpc sstpc0 authentication protocols mschapv2"
    echo "set interfaces sstpc sstpc0 ssl server-name $SD_NAME"
    echo "set interfaces sstpc sstpc0 ssl ca-certificate sdca"
    echo "set interfaces sstpc sstpc0 ssl certificate laptop"
    echo "set interfaces sstpc sstpc0 no-default-route"
    echo "set interfaces sstpc sstpc0 reconnect max-fail 1"
} >"$T_TMP/pki.conf"
out=$("$SSTPC" --check -c "$T_TMP/pki.conf" 2>&1)
grep -q "pki certificate laptop private key '\*\*\*\*\*\*\*\*'" <<<"$out" && ! grep -q "$(b64 pkey -in "$T_TMP/cc/alice-laptop.key" | head -c 40)" <<<"$out" \
    && ok "--check prints the pki entries with the private key masked" || fail "--check pki output: $out"
sstpc_start "$CNS" "$T_TMP/pki.conf"
if wait_up "$CNS" sstpc0 15; then
    ok "pki entries: tunnel up with the CA and client certificate from the config itself"
    ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "pki entries: ping through the tunnel" || fail "pki entries: ping through the tunnel"
    [ "$(grep -c "client certificate verified: .*CN=alice-laptop" "$SD_LOG")" -ge 2 ] \
        && ok "pki entries: sstpd verified CN=alice-laptop again" || fail "pki entries: no second 'client certificate verified'"
    stop_client "$SC_PID" "$CNS" sstpc0 "pki entries"
else
    tail -n 20 "$SC_LOG" >&2
    fail "pki entries: no tunnel"
    stop_pid "$SC_PID" 5
fi

# expect_refused CONF WHAT: no tunnel; the client's log names the refusal.
expect_refused() {
    local conf=$1 what=$2 n
    n=$(grep -c "TLS handshake failed" "$SD_LOG")
    sstpc_start "$CNS" "$conf"
    local re='peer refused the TLS handshake|closed by the server during the TLS handshake'
    if wait_for 15 grep -Eq "$re" "$SC_LOG"; then
        ok "$what: client reports '$(grep -Eo "($re)[^:;]*" "$SC_LOG" | head -n1)'"
    else
        tail -n 10 "$SC_LOG" >&2
        fail "$what: client log does not name the refusal"
    fi
    grep -q "client certificate" "$SC_LOG" && ok "$what: the message points at the client certificate" \
        || fail "$what: the message does not mention the client certificate"
    wait_for 5 test "$(grep -c 'TLS handshake failed' "$SD_LOG")" -gt "$n" \
        && ok "$what: sstpd refused the handshake" || fail "$what: sstpd logged no refused handshake"
    has_addr "$CNS" sstpc0 && fail "$what: tunnel came up"
    stop_pid "$SC_PID" 10
    no_leftovers "$CNS" sstpc0 && ok "$what: nothing left behind" || fail "$what: leftovers"
}

# 2. No certificate at all.
sd_conf "$T_TMP/none.conf" "authentication protocols mschapv2"
expect_refused "$T_TMP/none.conf" "no client certificate"
# 3. A certificate from another CA.
sd_conf "$T_TMP/other.conf" "ssl certificate $T_TMP/cc/mallory.pem" "authentication protocols mschapv2"
expect_refused "$T_TMP/other.conf" "certificate of another CA"

# 4. A key file others can read: refused at start, nothing created.
chmod 644 "$T_TMP/cc/alice-laptop.pem"
out=$(ip netns exec "$CNS" env SSTPC_RUN_DIR="$T_TMP/run-x" "$SSTPC" -c "$T_TMP/good.conf" 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "holds a private key and is accessible by group or others" <<<"$out" \
    && ok "world-readable certificate file refused: $(head -n1 <<<"$out")" \
    || fail "world-readable certificate file: rc $rc, '$out'"
ip -n "$CNS" link show sstpc0 >/dev/null 2>&1 && fail "refused config still created sstpc0"
chmod 600 "$T_TMP/cc/alice-laptop.pem"
# 5. A file with no key in it: a clear error naming it.
cp "$T_TMP/cc/alice-laptop.crt" "$T_TMP/cc/nokey.pem"
sd_conf "$T_TMP/nokey.conf" "ssl certificate $T_TMP/cc/nokey.pem" "reconnect max-fail 1"
sstpc_start "$CNS" "$T_TMP/nokey.conf"
wait_for 15 grep -q "cannot load an unencrypted private key from $T_TMP/cc/nokey.pem" "$SC_LOG" \
    && ok "certificate file without a key: clear error" || { tail -n 5 "$SC_LOG" >&2; fail "no clear error for a file without a key"; }
stop_pid "$SC_PID" 10
finish
