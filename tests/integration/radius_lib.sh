# radius_lib.sh -- FreeRADIUS as the EAP server behind sstpd --radius
# (sourced after lib.sh). radius_start NS writes a config tree of the test
# from Debian's (raddbdir, no user switch, its own certificates, only the
# test CA trusted for client certificates, one client: 127.0.0.1 with
# RADIUS_SECRET), starts `freeradius -X` in NS by PID and waits for its
# listener on 127.0.0.1:1812.
#   RADIUS_PKI/ca.pem ca.key   the CA of the EAP side (server and clients)
#   RADIUS_PKI/radius.pem .key  the EAP server's certificate: radius.test
#   radius_client_cert CN [CA_PEM CA_KEY]: RADIUS_PKI/CN.pem (cert + key, 600)
RADIUS_SECRET='nas-Secret.7'
RADIUS_NAME=radius.test

need_freeradius() {
    command -v freeradius >/dev/null \
        || skip_external "freeradius not installed (tools/deps.sh installs it where the archive has it)"
    [ -d /etc/freeradius/3.0 ] || skip_external "no /etc/freeradius/3.0 to copy the config from"
}

radius_client_cert() {
    local cn=$1 ca=${2:-$RADIUS_PKI/ca.pem} cakey=${3:-$RADIUS_PKI/ca.key} d=$RADIUS_PKI
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$cn.key" 2>/dev/null
    openssl req -new -key "$d/$cn.key" -out "$d/$cn.csr" -subj "/CN=$cn" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=clientAuth" >"$d/$cn.ext"
    openssl x509 -req -in "$d/$cn.csr" -CA "$ca" -CAkey "$cakey" -CAcreateserial -days 2 \
        -extfile "$d/$cn.ext" -out "$d/$cn.crt" 2>/dev/null || die "openssl: cannot sign $cn"
    cat "$d/$cn.crt" "$d/$cn.key" >"$d/$cn.pem"
    chmod 600 "$d/$cn.pem"
}

# radius_revoke CN: revokes RADIUS_PKI/CN.crt and writes RADIUS_PKI/ca-crl.pem
# (the CA and its CRL), for FreeRADIUS's check_crl: set RADIUS_CA_FILE to it
# before radius_start.
radius_revoke() {
    local d=$RADIUS_PKI
    : >"$d/index.txt"
    echo 01 >"$d/crlnumber"
    printf '[ca]\ndefault_ca = t\n[t]\ndatabase = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = 2\ncertificate = %s\nprivate_key = %s\n' \
        "$d/index.txt" "$d/crlnumber" "$d/ca.pem" "$d/ca.key" >"$d/ca.cnf"
    openssl ca -config "$d/ca.cnf" -revoke "$d/$1.crt" >/dev/null 2>&1 || die "openssl ca -revoke $1"
    openssl ca -config "$d/ca.cnf" -gencrl -out "$d/crl.pem" >/dev/null 2>&1 || die "openssl ca -gencrl"
    cat "$d/ca.pem" "$d/crl.pem" >"$d/ca-crl.pem"
}

radius_pki() {
    RADIUS_PKI=$T_TMP/radpki
    mkdir -p "$RADIUS_PKI"
    local d=$RADIUS_PKI
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$d/ca.key" -out "$d/ca.pem" -days 2 -subj "/CN=EAP test CA" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        2>/dev/null || die "openssl: EAP CA"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/radius.key" 2>/dev/null
    openssl req -new -key "$d/radius.key" -out "$d/radius.csr" -subj "/CN=$RADIUS_NAME" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" "subjectAltName=DNS:$RADIUS_NAME" >"$d/radius.ext"
    openssl x509 -req -in "$d/radius.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 2 -extfile "$d/radius.ext" -out "$d/radius.pem" 2>/dev/null || die "openssl: radius cert"
    printf '%s\n' "$RADIUS_SECRET" >"$T_TMP/radius.secret"
}

radius_start() {
    local ns=$1 r=$T_TMP/raddb
    [ -d "$r" ] || {
        cp -a /etc/freeradius/3.0 "$r" || die "cannot copy /etc/freeradius/3.0"
        mkdir -p "$T_TMP/radlog" "$T_TMP/radrun" "$r/noca"
        # Debian's radiusd.conf names its own tree; the test's runs as root
        # (its files are 600 in a 700 directory).
        sed -i -e "s|^raddbdir = .*|raddbdir = $r|" -e "s|^logdir = .*|logdir = $T_TMP/radlog|" \
            -e "s|^run_dir = .*|run_dir = $T_TMP/radrun|" \
            -e 's|^\(\s*\)user = freerad|\1#user = freerad|' -e 's|^\(\s*\)group = freerad|\1#group = freerad|' \
            "$r/radiusd.conf"
        # Our certificates; only our CA for client certificates (the
        # default trusts every system CA).
        sed -i -e "s|private_key_file = .*|private_key_file = $RADIUS_PKI/radius.key|" \
            -e "s|certificate_file = /etc/ssl/certs/ssl-cert-snakeoil.pem|certificate_file = $RADIUS_PKI/radius.pem|" \
            -e "s|ca_file = /etc/ssl/certs/ca-certificates.crt|ca_file = ${RADIUS_CA_FILE:-$RADIUS_PKI/ca.pem}|" \
            -e "s|ca_path = \${cadir}|ca_path = $r/noca|" \
            -e "s|^\(\s*\)#\?\s*send_error = no|\1send_error = yes|" \
            -e "s|^\(\s*\)#\s*fragment_size = 1024|\1fragment_size = 300|" \
            ${RADIUS_CA_FILE:+-e "s|^\(\s*\)#\s*check_crl = yes|\1check_crl = yes|"} \
            "$r/mods-available/eap"
        # send_error: a wrong password gets MS-CHAPv2 Failure E=691 inside
        # EAP, as NPS sends it (FreeRADIUS's default is a bare EAP Failure).
        # fragment_size 300: its TLS flights arrive in several EAP-TLS
        # fragments (L and M flags), which the client must reassemble.
        printf 'client sstpd {\n\tipaddr = 127.0.0.1\n\tsecret = %s\n}\n' "$RADIUS_SECRET" >"$r/clients.conf"
        { printf '%s Cleartext-Password := "%s"\n' "$SD_USER" "$SD_PASSWORD"
          cat "$r/mods-config/files/authorize"; } >"$r/users.new"
        mv "$r/users.new" "$r/mods-config/files/authorize"
    }
    RADIUS_LOG=$T_TMP/freeradius-$ns.log
    bg "$ns" "$RADIUS_LOG" freeradius -X -d "$r"
    RADIUS_PID=$BG_PID
    if ! wait_for 15 radius_listening "$ns"; then
        tail -n 30 "$RADIUS_LOG" >&2
        die "freeradius did not listen on 1812 within 15 s"
    fi
}
radius_listening() { kill -0 "$RADIUS_PID" && [ -n "$(ip netns exec "$1" ss -Hlun 'sport = :1812')" ]; }

# hostapd_radius_start NS: hostapd (driver none) as a RADIUS server with its
# own EAP server on 127.0.0.1:1812 in NS: PEAP with EAP-MSCHAPv2 for
# $SD_USER and cryptobinding, as NPS does it (FreeRADIUS 3.2 has none).
need_hostapd() {
    command -v hostapd >/dev/null \
        || skip_external "hostapd not installed (tools/deps.sh installs it where the archive has it)"
}
hostapd_radius_start() {
    local ns=$1 d=$T_TMP/hostapd
    mkdir -p "$d"
    printf '"%s"\tPEAP\n"%s"\tMSCHAPV2\t"%s"\t[2]\n' "$SD_USER" "$SD_USER" "$SD_PASSWORD" >"$d/users"
    printf '127.0.0.1/32 %s\n' "$RADIUS_SECRET" >"$d/clients"
    cat >"$d/hostapd.conf" <<EOC
driver=none
interface=hapd$$
logger_stdout=-1
logger_stdout_level=0
eap_server=1
eap_user_file=$d/users
ca_cert=$RADIUS_PKI/ca.pem
server_cert=$RADIUS_PKI/radius.pem
private_key=$RADIUS_PKI/radius.key
radius_server_clients=$d/clients
radius_server_auth_port=1812
EOC
    RADIUS_LOG=$T_TMP/hostapd-$ns.log
    bg "$ns" "$RADIUS_LOG" hostapd -dd "$d/hostapd.conf"
    RADIUS_PID=$BG_PID
    if ! wait_for 15 radius_listening "$ns"; then
        tail -n 30 "$RADIUS_LOG" >&2
        die "hostapd did not listen on 1812 within 15 s"
    fi
}
