#!/bin/bash
# The kept TLS context follows a reload: the client starts trusting the
# wrong CA (another test PKI), so every attempt fails verifying sstpd's
# certificate; a SIGHUP naming the right CA brings the tunnel up (the
# context made at start would still refuse); a SIGHUP back to the wrong CA
# reconnects and fails again (the context of the working connection is not
# reused).
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_sstpd; need_cmd ip

SNS=rt-s$$ CNS=rt-c$$
sstpd_start "$SNS" "$CNS"
"$SRC/tools/sstpd/mkcerts.sh" "$T_TMP/other" "$SD_NAME" 10.200.8.2 >/dev/null 2>&1 \
    || die "mkcerts.sh (the other PKI) failed"

conf() { # conf CA
    sd_conf "$T_TMP/c.conf" "reconnect backoff-min 1" "reconnect backoff-max 2" "log-level info"
    sed -i "s|^ssl ca-certificate .*|ssl ca-certificate $1|" "$T_TMP/c.conf"
}
failures() { grep -c "TLS handshake with .* failed" "$SC_LOG"; }

conf "$T_TMP/other/ca.pem"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_for 30 sh -c "[ \$(grep -c 'TLS handshake with .* failed' '$SC_LOG') -ge 2 ]" \
    && ok "wrong CA: attempts fail verifying ($(grep -m1 'TLS handshake with' "$SC_LOG" | cut -c1-140))" \
    || { cat "$SC_LOG" >&2; die "wrong CA: no verification failure within 30 s"; }
has_addr "$CNS" sstpc0 && fail "wrong CA: the tunnel came up"

conf "$SD_CA"
kill -HUP "$SC_PID"
if wait_up "$CNS" sstpc0 30; then
    ok "SIGHUP with the right CA: tunnel up"
else
    cat "$SC_LOG" >&2; fail "SIGHUP with the right CA: no tunnel within 30 s"
fi

n=$(failures)
conf "$T_TMP/other/ca.pem"
kill -HUP "$SC_PID"
wait_for 30 sh -c "[ \$(grep -c 'TLS handshake with .* failed' '$SC_LOG') -gt $n ]" \
    && ok "SIGHUP back to the wrong CA: the reconnect fails verifying" \
    || { cat "$SC_LOG" >&2; fail "SIGHUP back to the wrong CA: no verification failure within 30 s"; }
wait_for 10 sh -c "! ip -n $CNS -4 addr show dev sstpc0 | grep -q inet" \
    && ok "and the tunnel stays down" || fail "tunnel still has its address"
stop_pid "$SC_PID" 10
[ "$STOP_RC" = 0 ] && ok "SIGTERM: exit 0" || fail "exit status $STOP_RC"
finish
