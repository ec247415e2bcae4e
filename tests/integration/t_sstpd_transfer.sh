#!/bin/bash
# 200 MB of random bytes each way through the tunnel (TCP), a SHA-256 taken
# on both ends and compared; the client's counters must account for it.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip python3

SNS=sdtx-s$$ CNS=sdtx-c$$
SIZE=${SSTPC_TRANSFER_BYTES:-200000000}
sstpd_start "$SNS" "$CNS"
sd_conf "$T_TMP/c.conf" "reconnect max-fail 1" "ip adjust-mss clamp-mss-to-pmtu"
sstpc_start "$CNS" "$T_TMP/c.conf"
wait_up "$CNS" sstpc0 10 && ok "tunnel up" || { cat "$SC_LOG" >&2; die "no tunnel"; }

sd_transfer up 5001 transfer
sd_transfer down 5002 transfer
kill -0 "$SC_PID" 2>/dev/null && ok "client still running" || fail "client died"
rx=$(ip -n "$CNS" -j -s link show sstpc0 | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]["stats64"]; print(d["rx"]["bytes"], d["tx"]["bytes"])')
set -- $rx
[ "$1" -ge "$SIZE" ] && [ "$2" -ge "$SIZE" ] && ok "kernel counters: rx $1 tx $2 bytes" || fail "counters rx $1 tx $2 below $SIZE"
stop_client "$SC_PID" "$CNS" sstpc0 transfer
grep -q "packet(s) dropped" "$SD_LOG" && log "note: $(grep "dropped" "$SD_LOG" | head -1)"
stop_pid "$SD_PID" 5
finish
