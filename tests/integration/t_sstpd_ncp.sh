#!/bin/bash
# IPCP against servers that break RFC 1661 once: the client copes and still
# comes up. drop-first-ipcp (accel-ppp discards our first request when it
# arrives before its network phase): up within 1.5 s of authentication
# thanks to the fast first retransmission. ack-altered (an Ack whose value
# differs from our request) and reject-unsent (a Reject of an option we
# never sent): silently discarded (debug log), then up with the address
# sstpd really assigned.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdnc-s$$ CNS=sdnc-c$$


# ms_of "HH:MM:SS.mmm": milliseconds since midnight
ms_of() { awk -F'[:.]' '{print (($1 * 60 + $2) * 60 + $3) * 1000 + $4}' <<<"$1"; }

# up_with FAULT: tunnel up, ping, the address sstpd assigned; clean stop.
up_with() {
    local fault=$1
    stop_sstpd
    sstpd_start "$SNS" "$CNS" --log-level info --fault "$fault"
    sd_conf "$T_TMP/c.conf" "log-level debug" "reconnect max-fail 1"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    if wait_up "$CNS" sstpc0 15; then
        ok "$fault: tunnel up"
    else
        tail -n 20 "$SC_LOG" >&2; tail -n 20 "$SD_LOG" >&2
        fail "$fault: no tunnel within 15 s"
    fi
    grep -q "fault $fault:" "$SD_LOG" && ok "$fault: sstpd applied the fault" \
        || fail "$fault: sstpd log has no 'fault $fault'"
    local want got
    want=$(sed -n 's/.*IPv4 up: server [0-9.]* client \([0-9.]*\).*/\1/p' "$SD_LOG" | tail -1)
    got=$(tunnel_addr "$CNS" sstpc0)
    [ -n "$want" ] && [ "$got" = "$want" ] && ok "$fault: address $got as sstpd assigned" \
        || fail "$fault: address '$got', sstpd assigned '$want'"
    ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "$fault: ping $SD_LOCAL" || fail "$fault: ping through the tunnel"
    stop_client "$SC_PID" "$CNS" sstpc0 "$fault"
}

up_with drop-first-ipcp
t_auth=$(grep -m1 "authenticated with" "$SC_LOG" | cut -d' ' -f1)
t_up=$(grep -m1 "tunnel up" "$SC_LOG" | cut -d' ' -f1)
if [ -n "$t_auth" ] && [ -n "$t_up" ]; then
    d=$(( $(ms_of "$t_up") - $(ms_of "$t_auth") ))
    [ "$d" -lt 0 ] && d=$((d + 86400000))
    [ "$d" -le 1500 ] && ok "drop-first-ipcp: up $d ms after authentication" \
        || fail "drop-first-ipcp: up $d ms after authentication (want <= 1500)"
else
    fail "drop-first-ipcp: no 'authenticated with' / 'tunnel up' in the client log"
fi

up_with ack-altered
grep -q "IPCP: discarded code 2 .*differ from our Configure-Request" "$SC_LOG" \
    && ok "ack-altered: the altered Ack was discarded" || { grep IPCP "$SC_LOG" >&2; fail "ack-altered: no discard logged"; }

up_with reject-unsent
grep -q "IPCP: discarded code 4 .*did not request" "$SC_LOG" \
    && ok "reject-unsent: the Reject was discarded" || { grep IPCP "$SC_LOG" >&2; fail "reject-unsent: no discard logged"; }
stop_sstpd
finish
