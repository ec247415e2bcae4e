#!/bin/bash
# The default configuration connects to every server that offers a method
# it allows, and says clearly why when there is none (docs/config.md,
# authentication choice): an MS-CHAPv2-only server; an EAP-only server that
# gives up after a Nak of its method (pppd's server behaviour), reached on
# the next attempt; a PAP-only server once pap is allowed — sstpd verifies
# the crypto binding in each. A PAP-only server with pap not allowed: the
# error names both sides' methods and the key, and the back-off is the long
# one. A server that asks for no authentication gets no tunnel unless
# `authentication allow-none`.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdac-s$$ CNS=sdac-c$$

new_sstpd() { stop_sstpd; sstpd_start "$SNS" "$CNS" --log-level info "$@"; }

# connects WHAT METHOD SECONDS [conf lines]: tunnel up with METHOD, ping,
# binding verified by sstpd, clean SIGTERM.
connects() {
    local what=$1 method=$2 secs=$3; shift 3
    sd_conf "$T_TMP/c.conf" "log-level info" "$@"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    if wait_up "$CNS" sstpc0 "$secs"; then
        ok "$what: tunnel up"
    else
        tail -n 20 "$SC_LOG" >&2; tail -n 20 "$SD_LOG" >&2
        fail "$what: no tunnel within $secs s"
    fi
    ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "$what: ping $SD_LOCAL" || fail "$what: ping through the tunnel"
    grep -q "authenticated with $method\$" "$SD_LOG" && ok "$what: sstpd authenticated with $method" \
        || fail "$what: sstpd log has no 'authenticated with $method'"
    wait_for 5 grep -q "crypto binding verified" "$SD_LOG" && ok "$what: sstpd verified the crypto binding" \
        || { tail -n 10 "$SD_LOG" >&2; fail "$what: sstpd did not verify the crypto binding"; }
    stop_client "$SC_PID" "$CNS" sstpc0 "$what"
}

# (a) MS-CHAPv2 only.
new_sstpd --auth mschapv2
connects "MS-CHAPv2-only server" MS-CHAPv2 15

# (b) EAP only, giving up after a Nak: the client Naks EAP once (its
# SoftEther rule), learns that the server insists, and takes EAP on the
# next attempt, which is not counted as a failure (max-fail 1 still
# connects).
new_sstpd --fault eap-only-giveup
connects "EAP-only server that gives up" EAP-MSCHAPv2 20 "reconnect max-fail 1"
grep -q "the client refused EAP-MSCHAPv2, the only method we offer" "$SD_LOG" \
    && ok "sstpd gave up after the Nak (pppd's behaviour)" || fail "sstpd did not give up after a Nak"
grep -q "the server insists on EAP-MSCHAPv2: taking it on the next attempt" "$SC_LOG" \
    && ok "the client remembered EAP-MSCHAPv2 for this server" || { cat "$SC_LOG" >&2; fail "no retry with EAP"; }
n=$(grep -c "TLS established" "$SD_LOG")
[ "$n" = 2 ] && ok "two connections: the Nak, then EAP" || fail "$n connections (want 2)"

# (c) PAP only, pap allowed after the default methods.
new_sstpd --auth pap
connects "PAP-only server, pap allowed" PAP 15 "authentication protocols mschapv2" \
    "authentication protocols eap-mschapv2" "authentication protocols pap"

# (d) PAP only, the default methods: both sides named, the key to change,
# the long back-off.
sd_conf "$T_TMP/c.conf" "log-level info" "reconnect max-fail 2"
sstpc_start "$CNS" "$T_TMP/c.conf"
want="server offers only PAP; authentication protocols allows mschapv2, eap-mschapv2: add pap to 'authentication protocols' to use it"
if wait_for 20 grep -qF "waiting longer" "$SC_LOG"; then
    grep -qF "connection failed: $want" "$SC_LOG" && ok "PAP-only server: '$want'" \
        || { cat "$SC_LOG" >&2; fail "PAP-only server: the error does not name both sides"; }
    d=$(sed -n 's/.*reconnecting in \([0-9]*\)\.[0-9] s (authentication failed: waiting longer).*/\1/p' "$SC_LOG" | head -1)
    [ -n "$d" ] && [ "$d" -ge 30 ] && ok "PAP-only server: long back-off ($d s)" || fail "PAP-only server: back-off '$d' s"
else
    cat "$SC_LOG" >&2; fail "PAP-only server: no authentication failure within 20 s"
fi
has_addr "$CNS" sstpc0 && fail "PAP-only server: the tunnel came up"
stop_pid "$SC_PID" 10
[ "$STOP_RC" = 0 ] && ok "PAP-only server: SIGTERM during the back-off → exit 0" || fail "exit status $STOP_RC"

# (e) No authentication asked: refused, exit per max-fail, no tunnel.
new_sstpd --fault no-auth
sd_conf "$T_TMP/c.conf" "log-level info" "reconnect max-fail 1"
sstpc_start "$CNS" "$T_TMP/c.conf"
pid=$SC_PID
if wait_for 20 sh -c "! kill -0 $pid 2>/dev/null"; then
    wait "$pid"; rc=$?
    [ "$rc" = 1 ] && ok "no-auth: exit 1 (max-fail 1)" || fail "no-auth: exit status $rc"
else
    stop_pid "$pid" 5; fail "no-auth: still running after 20 s"
fi
grep -qF "error: connection failed: server requested no authentication; refused (set 'authentication allow-none' to permit)" "$SC_LOG" \
    && ok "no-auth: clear error" || { cat "$SC_LOG" >&2; fail "no-auth: no clear error"; }
grep -q "tunnel up" "$SC_LOG" && fail "no-auth: the client brought the tunnel up"
grep -q "IPv4 up" "$SD_LOG" && fail "no-auth: sstpd saw IPCP come up" || ok "no-auth: no IPCP"
no_leftovers "$CNS" sstpc0 && ok "no-auth: nothing left behind" || fail "no-auth: sstpc0 or a route left"
# ... unless the configuration says so.
sd_conf "$T_TMP/c.conf" "log-level info" "authentication allow-none"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 15 && ok "no-auth with allow-none: tunnel up" || fail "no-auth with allow-none: no tunnel"
stop_client "$SC_PID" "$CNS" sstpc0 "no-auth with allow-none"
stop_sstpd
finish
