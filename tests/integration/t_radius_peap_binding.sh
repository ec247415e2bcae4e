#!/bin/bash
# PEAP cryptobinding end to end: hostapd's EAP server (behind sstpd
# --radius) sends a Crypto-Binding TLV with its Result, as NPS does; the
# client verifies it and answers, both sides take their keys from the CSK,
# and sstpd verifies the SSTP crypto binding with the MS-MPPE keys hostapd
# sent. A wrong password ends with the inner E=691 and no tunnel.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius_lib.sh"
need_root; need_sstpc; need_cmd ip ping openssl ss; need_hostapd

SNS=sdpb-s$$ CNS=sdpb-c$$
radius_pki
sstpd_start "$SNS" "$CNS" --radius 127.0.0.1:1812 --radius-secret-file "$T_TMP/radius.secret"
hostapd_radius_start "$SNS"

peap_conf() { # FILE PASSWORD
    sd_conf "$1" "authentication protocols peap" "authentication ca-certificate $RADIUS_PKI/ca.pem" \
        "authentication server-name $RADIUS_NAME" "reconnect max-fail 1"
    sed -i "s|^authentication password .*|authentication password '$2'|" "$1"
}

peap_conf "$T_TMP/peap.conf" "$SD_PASSWORD"
sstpc_start "$CNS" "$T_TMP/peap.conf"
if wait_up "$CNS" sstpc0 20; then
    ok "PEAP with cryptobinding: tunnel up"
    ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "ping $SD_LOCAL through the tunnel" || fail "ping through the tunnel"
    grep -q "EAP-PEAP: Valid cryptobinding TLV received" "$RADIUS_LOG" \
        && ok "hostapd: valid cryptobinding TLV received from sstpc" || fail "hostapd did not log a valid cryptobinding"
    grep -q "RADIUS Access-Accept for '$SD_USER' with MS-MPPE-Recv/Send-Key of 32/32 bytes" "$SD_LOG" \
        && ok "hostapd sent 32-byte MPPE keys" || fail "no Access-Accept with 32-byte keys"
    wait_for 5 grep -q "crypto binding verified" "$SD_LOG" \
        && ok "sstpd: SSTP crypto binding verified with the CSK keys from RADIUS" \
        || fail "SSTP crypto binding not verified (client and server keys differ)"
    stop_client "$SC_PID" "$CNS" sstpc0 "PEAP with cryptobinding"
else
    tail -n 20 "$SC_LOG" >&2; tail -n 20 "$SD_LOG" >&2; grep -i "peap\|tlv" "$RADIUS_LOG" | tail -n 30 >&2
    fail "PEAP with cryptobinding: no tunnel within 20 s"
    stop_pid "$SC_PID" 5
fi

peap_conf "$T_TMP/bad.conf" "not-the-password"
sstpc_start "$CNS" "$T_TMP/bad.conf"
if wait_for 25 grep -q "PEAP (inner EAP-MSCHAPv2) authentication failed: E=691" "$SC_LOG"; then
    ok "wrong password: client reports '$(grep -m1 -Eo 'PEAP.*' "$SC_LOG")'"
else
    tail -n 10 "$SC_LOG" >&2
    fail "wrong password: no PEAP failure reason in the client log"
fi
has_addr "$CNS" sstpc0 && fail "wrong password: a tunnel came up"
stop_pid "$SC_PID" 10
no_leftovers "$CNS" sstpc0 && ok "wrong password: nothing left behind" || fail "wrong password: leftovers"
finish
