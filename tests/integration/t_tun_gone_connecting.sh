#!/bin/bash
# The TUN device deleted while the tunnel is not up yet: during PPP
# negotiation with a server that does not answer (sstpd --fault stall-ppp)
# and while the client waits to reconnect (no server, a long backoff). The
# TUN fd is watched in every state (LOOP_WATCH), so the daemon stops on its
# own at once, as it does when the device goes under an up tunnel: exit
# status 1, "sstpc0: the TUN device was deleted",
# no reconnect, and the namespace's addresses, routes and resolv file as
# they were before it started. Without the watch it would go on until the
# attempt timed out (connect-timeout, 30 s) and then reconnect, never
# exiting.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip

SNS=tgc-s$$ CNS=tgc-c$$
sstpd_start "$SNS" "$CNS" --fault stall-ppp --dns 10.77.0.53
client_gone() { ! kill -0 "$SC_PID" 2>/dev/null; }
net_state() {
    ip -n "$CNS" -o addr show; ip -n "$CNS" route show table all; ip -n "$CNS" -6 route show table all
}
has_dev() { ip -n "$CNS" link show sstpc0; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# deleted WHAT [closing]: deletes sstpc0 from outside; the client must stop
# on its own within 10 s (at once while waiting; in negotiation its PPP
# goodbye to a server that does not answer takes the 5 s close grace) and
# leave the host as before. With "closing", the connection's teardown also
# ends with "stopped (REASON)", and a device another program makes under
# the name meanwhile (a persistent TUN here) must outlive the client: the
# name is no longer the client's to delete at exit.
deleted() {
    local t0 took rc n0
    n0=$(wc -l < "$SC_LOG")
    t0=$(now_ms)
    ip -n "$CNS" link del sstpc0 || fail "$1: ip link del sstpc0"
    if [ "${2:-}" = closing ]; then
        ip -n "$CNS" tuntap add dev sstpc0 mode tun || fail "$1: ip tuntap add dev sstpc0"
        client_gone && fail "$1: the client exited before the new sstpc0 was made (test timing)"
    fi
    if wait_for 20 client_gone; then
        took=$(( $(now_ms) - t0 ))
        wait "$SC_PID"; rc=$?
        [ "$rc" = 1 ] && ok "$1: the client stopped on its own after $took ms, exit status 1" \
            || fail "$1: exit status $rc (want 1)"
        [ "$took" -lt 10000 ] || fail "$1: stopping took $took ms (want < 10 s)"
    else
        kill -KILL "$SC_PID"; wait "$SC_PID"
        tail -n 5 "$SC_LOG" >&2; fail "$1: the client went on without its TUN for 20 s"
    fi
    local want="sstpc0: the TUN device was deleted"
    grep -qF "$want: stopping" "$SC_LOG" && ok "$1: '$want'" \
        || { tail -n 5 "$SC_LOG" >&2; fail "$1: no '$want: stopping' in the log"; }
    if [ "${2:-}" = closing ]; then
        grep -qF "stopped ($want)" "$SC_LOG" && ok "$1: the teardown gives the same reason" \
            || { tail -n 3 "$SC_LOG" >&2; fail "$1: no 'stopped ($want)'"; }
        has_dev >/dev/null \
            && ok "$1: the new sstpc0 made meanwhile was left alone" \
            || fail "$1: the client deleted the new sstpc0 made after its own was gone"
        ip -n "$CNS" link del sstpc0 2>/dev/null
    fi
    grepq "tunnel up" "$SC_LOG" && fail "$1: the tunnel came up"
    tail -n +"$((n0 + 1))" "$SC_LOG" | grepq "reconnecting in" && fail "$1: the client meant to reconnect"
    no_leftovers "$CNS" sstpc0 && ok "$1: no sstpc0 or route left" || fail "$1: sstpc0 or a route left behind"
    [ "$(net_state)" = "$BEFORE" ] && ok "$1: addresses and routes as before" \
        || { diff <(echo "$BEFORE") <(net_state) >&2; fail "$1: addresses or routes changed"; }
    [ "$(cat "$SC_RESOLV")" = "nameserver 192.0.2.53" ] && ok "$1: resolv file untouched" \
        || fail "$1: resolv file is now: $(cat "$SC_RESOLV")"
}

# The veth's link-local address settles (DAD) before the snapshots.
settled() { ! ip -n "$CNS" addr show | grep -q tentative; }
wait_for 10 settled || fail "the veth's addresses stayed tentative"

# 1. In PPP negotiation: sstpd discards every control frame of the client.
BEFORE=$(net_state)
sd_conf "$T_TMP/c.conf" "log-level info"
sstpc_start "$CNS" "$T_TMP/c.conf" "$T_TMP/c1.log"
stalled() { has_dev && grepq "fault stall-ppp: discarding" "$SD_LOG"; }
wait_for 20 stalled && ok "negotiating: sstpc0 made, sstpd stalls PPP" \
    || { cat "$SC_LOG" "$SD_LOG" >&2; die "negotiating: never reached PPP"; }
client_gone && die "negotiating: the client exited before the device was deleted"
deleted "negotiating" closing
stop_sstpd

# 2. Waiting to reconnect: nothing listens, the first backoff is 60 s.
BEFORE=$(net_state)
sd_conf "$T_TMP/c2.conf" "log-level info" "reconnect backoff-min 60" "reconnect backoff-max 120"
sstpc_start "$CNS" "$T_TMP/c2.conf" "$T_TMP/c2.log"
backing_off() { has_dev && grepq "reconnecting in" "$SC_LOG"; }
wait_for 20 backing_off && ok "backoff: the first attempt failed, waiting to reconnect" \
    || { cat "$SC_LOG" >&2; die "backoff: never waited to reconnect"; }
deleted "backoff"

finish
