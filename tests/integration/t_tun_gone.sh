#!/bin/bash
# The TUN device deleted under the daemon while the tunnel is up: the data
# path's next read fails (the fd reports an error, delivered as READ|ERROR)
# and the daemon stops on its own with exit status 1 and "the TUN device
# failed", leaving no route behind; SIGTERM is never needed.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip

SNS=tgo-s$$ CNS=tgo-c$$
sstpd_start "$SNS" "$CNS"
client_gone() { ! kill -0 "$SC_PID" 2>/dev/null; }

# deleted WHAT: deletes sstpc0 from outside; the client must stop on its own.
deleted() {
    ip -n "$CNS" link del sstpc0 || fail "$1: ip link del sstpc0"
    if wait_for 20 client_gone; then
        wait "$SC_PID"; local rc=$?
        [ "$rc" = 1 ] && ok "$1: the client stopped, exit status 1" || fail "$1: exit status $rc (want 1)"
    else
        kill -KILL "$SC_PID"; wait "$SC_PID"
        tail -n 5 "$SC_LOG" >&2; fail "$1: the client went on without its TUN for 20 s"
    fi
    grep -q "sstpc0: the TUN device was deleted: stopping" "$SC_LOG" && ok "$1: $(grep -m1 -o 'the TUN device was deleted.*' "$SC_LOG")" \
        || { tail -n 5 "$SC_LOG" >&2; fail "$1: no 'sstpc0: the TUN device was deleted: stopping' in the log"; }
    no_leftovers "$CNS" sstpc0 && ok "$1: no sstpc0 or route left" || fail "$1: sstpc0 or a route left behind"
}

sd_conf "$T_TMP/c.conf" "log-level info"
sstpc_start "$CNS" "$T_TMP/c.conf" "$T_TMP/c.log"
wait_up "$CNS" sstpc0 20 && ok "up: tunnel up" || { cat "$SC_LOG" >&2; die "up: no tunnel"; }
deleted "up"

stop_pid "$SD_PID" 5
finish
