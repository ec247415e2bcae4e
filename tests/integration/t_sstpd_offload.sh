#!/bin/bash
# sstpd's TUN offloads (IFF_VNET_HDR: TSO + checksum, GRO; docs/test-server.md):
# on by default, the server's kernel really hands sstpd TCP super-packets
# (sstps0's TX counters average more than the MTU per packet) that sstpd
# cuts into segments for the client, and sstpd writes GRO super-packets to
# sstps0 (its RX counters average more than the MTU); 50 MB each way arrive
# intact (SHA-256 on both ends). --no-offload and SSTPC_NO_OFFLOAD=1 give
# the plain one-packet-per-read-and-write path, also intact.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip python3 jq

SNS=sdof-s$$ CNS=sdof-c$$
SIZE=${SSTPC_TRANSFER_BYTES:-50000000}
MTU=1500 # sstpd's --mtu default: the TUN's MTU and the MRU it offers

# stat FIELD: sstps0's counters, e.g. tx.bytes (tx: what sstpd read)
stat() { ip -n "$SNS" -j -s link show sstps0 | jq -r ".[0].stats64.$1"; }

# check_way LABEL WANT DIR PORT COUNTERS ON_TEXT OFF_TEXT: one transfer DIR
# (sd_transfer), then the bytes per packet sstps0 counted that way (tx:
# what sstpd read, rx: what it wrote): above the MTU with offloads on, at
# most the MTU without.
check_way() {
    local label=$1 want=$2 dir=$3 port=$4 st=$5 b0 p0 avg
    b0=$(stat "$st.bytes") p0=$(stat "$st.packets")
    sd_transfer "$dir" "$port" "$label"
    avg=$(avg_per_packet "$st" "$b0" "$p0")
    if [ "$want" = on ]; then
        [ "$avg" -gt "$MTU" ] && ok "$label: $6 ($avg bytes per packet, MTU $MTU)" \
            || fail "$label: no $6: $avg bytes per packet"
    else
        [ "$avg" -le "$MTU" ] && ok "$label: $7 ($avg bytes per packet)" \
            || fail "$label: $avg bytes per packet above the MTU, $7 expected"
    fi
}

# avg_per_packet DIR(tx|rx) BYTES0 PACKETS0: bytes per packet since then
avg_per_packet() {
    local b p
    b=$(stat "$1.bytes") p=$(stat "$1.packets")
    echo $(( (b - $2) / (p - $3 + 1) ))
}

# session LABEL WANT(on|off) [sstpd options]: one sstpd, one client, 50 MB
# each way, sstps0's bytes per packet checked against the MTU.
session() {
    local label=$1 want=$2; shift 2
    sstpd_start "$SNS" "$CNS" "$@"
    if [ "$want" = on ]; then
        wait_for 5 grepq "sstps0: TUN offloads on" "$SD_LOG" && ok "$label: offloads on" \
            || fail "$label: offloads not on: $(grep -i offload "$SD_LOG")"
    else
        wait_for 5 grepq "sstps0: TUN offloads off" "$SD_LOG" && ok "$label: offloads off" \
            || fail "$label: offloads not off: $(grep -i offload "$SD_LOG")"
    fi
    sd_conf "$T_TMP/c.conf" "reconnect max-fail 1"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    wait_up "$CNS" sstpc0 15 && ok "$label: tunnel up" || { cat "$SC_LOG" "$SD_LOG" >&2; die "$label: no tunnel"; }

    check_way "$label" "$want" down 5002 tx "TSO super-packets read from sstps0" "plain packets from sstps0"
    check_way "$label" "$want" up 5001 rx "GRO super-packets written to sstps0" "plain writes to sstps0"
    ip netns exec "$CNS" ping -c 3 -i 0.2 -W 2 -s 1372 -M do "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "$label: full-MTU ping" || fail "$label: full-MTU ping"
    kill -0 "$SD_PID" 2>/dev/null && ok "$label: sstpd still running" || fail "$label: sstpd died"
    stop_client "$SC_PID" "$CNS" sstpc0 "$label"
    grepq "packet(s) dropped" "$SD_LOG" && log "$label: note: $(grep "dropped" "$SD_LOG" | head -1)"
    stop_pid "$SD_PID" 5
    [ "$STOP_RC" = 0 ] && ok "$label: sstpd exit 0" || fail "$label: sstpd exit status $STOP_RC"
    # sstpd's own count of what it cut (logged when the client went)
    local cut
    cut=$(sed -n 's/.*TSO: \([0-9]*\) super-packet(s) cut into \([0-9]*\) segments.*/\1 \2/p' "$SD_LOG")
    set -- $cut
    if [ "$want" = on ]; then
        [ "${1:-0}" -gt 0 ] && [ "${2:-0}" -gt "$1" ] \
            && ok "$label: sstpd cut ${1} super-packets into ${2} segments ($(grep -o '[0-9]* waited for TLS' "$SD_LOG"))" \
            || fail "$label: sstpd's TSO count: '${cut}'"
    else
        [ -z "$cut" ] && ok "$label: sstpd cut no super-packets" || fail "$label: TSO count '$cut' without offloads"
    fi
}

session offload on
session no-offload off --no-offload

# The environment's escape hatch, as for sstpc: only the log line here.
SSTPC_NO_OFFLOAD=1 sstpd_start "$SNS" "$CNS"
wait_for 5 grepq "sstps0: TUN offloads off" "$SD_LOG" && ok "SSTPC_NO_OFFLOAD=1: offloads off" \
    || fail "SSTPC_NO_OFFLOAD=1 ignored: $(grep -i offload "$SD_LOG")"
stop_pid "$SD_PID" 5
finish
