#!/bin/bash
# Faults after which the client must come back by itself: a silent server
# (dead peer found by LCP echo, keepalive 1 s × 3) and a CALL_ABORT from the
# server. Asserts the reason in the log, a new tunnel within a bound, and a
# clean stop afterwards.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdrc-s$$ CNS=sdrc-c$$

# reconnect_case FAULT REGEX BOUND_S [sstpd options]
reconnect_case() {
    local f=$1 re=$2 bound=$3; shift 3
    [ -n "${SD_PID:-}" ] && { stop_pid "$SD_PID" 5; SD_PID=; }
    sstpd_start "$SNS" "$CNS" --fault "$f" "$@"
    sd_conf "$T_TMP/c.conf" "keepalive interval 1" "keepalive failure 3" "keepalive sstp-hello 10" \
        "reconnect backoff-min 1" "reconnect backoff-max 2"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    wait_up "$CNS" sstpc0 10 && ok "$f: first tunnel up" || { cat "$SC_LOG" >&2; fail "$f: no tunnel"; stop_pid "$SC_PID" 5; return; }
    local t0=$SECONDS
    # The second connection (sstpd counts them) reaching IPv4 up again.
    if wait_for "$bound" sh -c "[ \$(grep -c 'IPv4 up' '$SC_LOG') -ge 2 ]"; then
        ok "$f: reconnected, up again after $((SECONDS - t0)) s (bound $bound s)"
    else
        tail -n 15 "$SC_LOG" >&2
        fail "$f: not up again within $bound s"
    fi
    local line
    line=$(grep -E -m1 "(error|warning|notice): .*($re)" "$SC_LOG")
    [ -n "$line" ] && ok "$f: ${line#* [a-z]*: }" || { cat "$SC_LOG" >&2; fail "$f: no message matching '$re'"; }
    kill -0 "$SC_PID" 2>/dev/null && ok "$f: client still running" || fail "$f: client exited"
    stop_client "$SC_PID" "$CNS" sstpc0 "$f"
    not_signal "$STOP_RC" || fail "$f: killed by a signal"
}

# silent: 3 missed echoes at 1 s, the SSTP disconnect is not answered (up to
# its 5 s), back-off 1 s, then a new tunnel (sstpd is silent per connection
# once it is up, so the new one comes up and goes silent again).
reconnect_case silent "did not answer 3 LCP Echo" 15
# abort-after 1 s: CALL_ABORT reported, new tunnel after the back-off.
reconnect_case abort-after "aborted the call|CALL_ABORT" 8 --fault-after 1
stop_pid "$SD_PID" 5
finish
