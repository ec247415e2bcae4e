#!/bin/bash
# run.sh -- sstpc benchmarks, as ratios to a raw TLS stream measured in the
# same run on the same machine. Root only: everything happens in network
# namespaces this script makes and removes (a client and a server namespace
# joined by a veth, SoftEther in bridge mode in the server one).
#
#   tools/bench/run.sh [-t SECONDS] [-m MB] [-o FILE.md] [-j FILE.json] [-n]
#
#   -t SECONDS  length of each throughput run (default 10)
#   -m MB       fixed transfer for the syscall and callgrind profiles (default 20)
#   -o FILE     where the markdown summary goes (default $BUILD/bench.md)
#   -j FILE     the headline figures also as JSON (sstpd when built, else
#               SoftEther; keys in docs/benchmarks.md)
#   -n          skip the callgrind profile (the slowest part, ~1-2 min)
#
# Environment as for the integration tests: SSTPC_BUILD_DIR (default
# ./build), SSTPC_SOFTETHER_DIR. The figures and how to read them:
# docs/benchmarks.md. A benchmark, never a pass/fail test: it only fails
# when something could not be measured.
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# lib.sh gives namespaces, veths, SoftEther and a cleanup trap that removes
# all of them (and every process started through bg) on exit.
. "$BENCH_DIR/../../tests/integration/lib.sh"

SECS=10
MB=20
OUT=""
CALLGRIND=1
JSON=""
while getopts "t:m:o:j:n" o; do
    case $o in
    t) SECS=$OPTARG ;;
    m) MB=$OPTARG ;;
    o) OUT=$OPTARG ;;
    j) JSON=$OPTARG ;;
    n) CALLGRIND=0 ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
    esac
done
OUT=${OUT:-$BUILD/bench.md}
TLSBENCH=$BUILD/tlsbench

need_root; need_sstpc; need_cmd ip ping iperf3 openssl jq awk
[ -x "$TLSBENCH" ] || die "no tlsbench at $TLSBENCH (build first)"
[ "$CALLGRIND" = 0 ] || need_cmd valgrind callgrind_control callgrind_annotate
HZ=$(getconf CLK_TCK)

CLIENT_NS=bench-cl$$
SERVER_NS=bench-se$$
VETH_S=10.200.7.2

# ---------------------------------------------------------------- helpers

# cpu PID: utime+stime in seconds, all threads (fields 14+15 of /proc/PID/stat).
cpu() {
    awk -v hz="$HZ" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}
# ucpu PID: utime alone
ucpu() {
    awk -v hz="$HZ" '{ sub(/^.*\) /, ""); print $12 / hz }' "/proc/$1/stat"
}
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# status_kb PID FIELD: VmRSS / VmHWM in kB
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# link_stat NS DEV FIELD: e.g. tx.packets from ip -s -j
link_stat() { ip -n "$1" -s -j link show dev "$2" | jq ".[0].stats64.$3"; }

# ping_stats NS DEST: "avg p99 replies median" in ms of 200 pings 10 ms apart
ping_stats() {
    ip netns exec "$1" ping -c 200 -i 0.01 -W 1 "$2" 2>/dev/null |
        sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n |
        awk '{ v[NR] = $1; s += $1 } END {
            if (NR == 0) { print "- - 0 -"; exit }
            i = int(NR * 0.99 + 0.999); if (i > NR) i = NR
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.3f %.3f %d %.3f\n", s / NR, v[i], NR, m }'
}
# busy_on / busy_off: one nice-19 busy loop per CPU, so that no CPU halts
# between pings. On a VM a halted vCPU takes tens of µs to wake (this one
# has guest halt polling off), and each hop through the tunnel wakes a
# process (sstpc, the server, sstpc again, ping), where a ping over the
# bare veth is answered without sleeping at all. The latency rows with the
# CPUs kept busy show what the tunnel's own work adds.
BUSY_PIDS=()
busy_on() {
    local _
    for _ in $(seq "$(nproc)"); do
        bg "" /dev/null nice -n 19 sh -c 'while :; do :; done'
        BUSY_PIDS+=("$BG_PID")
    done
    sleep 0.2
}
busy_off() {
    local p
    for p in "${BUSY_PIDS[@]}"; do stop_pid "$p" 2; done
    BUSY_PIDS=()
}
# median of the arguments
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# For -j: J[KEY] per peer ("sstpd.up.goodput_mb_s", "sstpd.rss_kb", ...).
declare -A J

# write_conf HOST PORT USER PASSWORD CA ROUTE [EXTRA LINE]: tunnel.conf for
# one peer (a split route to the peer's network, MTU 1400).
write_conf() {
    cat > "$T_TMP/tunnel.conf" <<CONF
interface sstpc0
server $1
port $2
authentication username $3
authentication password '$4'
ssl ca-certificate $5
mtu 1400
no-default-route
no-peer-dns
ip route $6
log-level ${LOG_LEVEL:-info}
${7:-}
CONF
}

# start_sstpc [wrapper...]: starts sstpc (optionally under a wrapper such as
# valgrind) in the client namespace; SSTPC_PID; START_NS (when it was
# started); UP_MS = start to address, to the polling interval (~15 ms: each
# poll forks ip; connect_times measures to the µs).
start_sstpc() {
    local t0 t1 limit=${UP_LIMIT:-30}
    t0=$(date +%s%N)
    START_NS=$t0
    bg "$CLIENT_NS" "$T_TMP/sstpc.log" "$@" "$SSTPC" -c "$T_TMP/tunnel.conf"
    SSTPC_PID=$BG_PID
    while ! has_addr "$CLIENT_NS" sstpc0; do
        if [ $(( ($(date +%s%N) - t0) / 1000000000 )) -ge "$limit" ] || ! kill -0 "$SSTPC_PID" 2>/dev/null; then
            tail -n 20 "$T_TMP/sstpc.log" >&2
            die "tunnel did not come up within $limit s"
        fi
        sleep 0.01
    done
    t1=$(date +%s%N)
    UP_MS=$(( (t1 - t0) / 1000000 ))
}

# iperf3_run DEST [-R] : runs iperf3 for SECS seconds from the client
# namespace; sets IP_BPS (receiver goodput, bytes/s) and IP_BYTES.
iperf3_run() {
    local dest=$1; shift
    ip netns exec "$CLIENT_NS" iperf3 -c "$dest" -p 5201 -t "$SECS" -J "$@" > "$T_TMP/iperf.json" 2>&1 \
        || { cat "$T_TMP/iperf.json" >&2; die "iperf3 to $dest $* failed"; }
    IP_BYTES=$(jq '.end.sum_received.bytes' "$T_TMP/iperf.json")
    IP_BPS=$(jq '.end.sum_received.bytes / .end.sum_received.seconds' "$T_TMP/iperf.json")
}

# iperf3_cpu CLIENT_PID SERVER_PID DEST [ARGS]: iperf3_run with the CPU
# seconds the two processes spent meanwhile: D_CPU and D_USER (the client:
# utime+stime, utime), D_SRV (the server: utime+stime).
iperf3_cpu() {
    local cp=$1 sp=$2 c0 u0 s0
    shift 2
    c0=$(cpu "$cp"); u0=$(ucpu "$cp"); s0=$(cpu "$sp")
    iperf3_run "$@"
    D_CPU=$(calc "$(cpu "$cp") - $c0" 3)
    D_USER=$(calc "$(ucpu "$cp") - $u0" 3)
    D_SRV=$(calc "$(cpu "$sp") - $s0" 3)
}

# iperf3_server DEST LOG: iperf3 -s on DEST:5201 in the server namespace,
# waited for; BG_PID.
iperf3_server() {
    bg "$SERVER_NS" "$2" iperf3 -s -B "$1" -p 5201
    wait_for 5 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'src $1:5201' | grep -q ." \
        || die "iperf3 -s on $1 did not start"
}

# kv LINE KEY: value of key=value in a tlsbench report line
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

ROWS=()      # "| what | dir | MB/s | client CPU s/GB | server CPU s/GB | ratio |"
row() { ROWS+=("| $* |"); log "$*"; }

# --------------------------------------------------------------- topology

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), load $(cut -d' ' -f1-3 /proc/loadavg)"
log "sstpc: $("$SSTPC" --version 2>&1 | head -n1)"
softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 443

# ------------------------------------------------------- 1. raw TLS stream

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$T_TMP/tb-key.pem" -out "$T_TMP/tb-cert.pem" -subj /CN=tlsbench \
    -addext "subjectAltName=IP:$VETH_S" -addext extendedKeyUsage=serverAuth 2>/dev/null \
    || die "openssl could not make the tlsbench certificate"
bg "$SERVER_NS" "$T_TMP/tlsbench-srv.log" "$TLSBENCH" server "$VETH_S" 5443 \
    "$T_TMP/tb-cert.pem" "$T_TMP/tb-key.pem" 3
TB_SRV=$BG_PID
wait_for 5 grep -q listening "$T_TMP/tlsbench-srv.log" || die "tlsbench server did not start"
declare -A BASE_BPS BASE_CPU
# bidir: both ways at once, one thread per side; bytes are both directions.
for dir in up down bidir; do
    line=$(ip netns exec "$CLIENT_NS" "$TLSBENCH" client "$VETH_S" 5443 "$T_TMP/tb-cert.pem" "$dir" "$SECS") \
        || die "tlsbench client $dir failed"
    wait_for 5 grep -q "dir=$dir" "$T_TMP/tlsbench-srv.log"
    sline=$(grep "dir=$dir" "$T_TMP/tlsbench-srv.log")
    BASE_BPS[$dir]=$(calc "$(kv "$line" bytes) / $(kv "$line" seconds)" 0)
    BASE_CPU[$dir]=$(kv "$line" cpu_s_per_gb)
    TLS_CIPHER="$(kv "$line" version) $(kv "$line" cipher)"
    row "raw TLS stream (tlsbench) | $dir | $(calc "${BASE_BPS[$dir]} / 1e6" 1) | $(kv "$line" cpu_s_per_gb) ($(kv "$line" user_s_per_gb) user) | $(kv "$sline" cpu_s_per_gb) (tlsbench) | 1.00"
done
wait "$TB_SRV" 2>/dev/null

# The bare veth with TCP and no TLS, for scale.
iperf3_server "$VETH_S" "$T_TMP/iperf-veth.log"
IPERF_VETH=$BG_PID
for dir in up down; do
    iperf3_run "$VETH_S" $([ $dir = down ] && echo -R)
    row "plain TCP over the veth (iperf3) | $dir | $(calc "$IP_BPS / 1e6" 1) | - | - | $(calc "$IP_BPS / ${BASE_BPS[$dir]}")"
done
stop_pid "$IPERF_VETH" 5

# ------------------------------------------------------------- 2. tunnel
# For each peer: throughput up and down with the client's and the server's
# CPU, latency, memory, connect time. PEER_* describe the peer.

LAT_ROWS=()
OTHER_ROWS=()
declare -A TUN_CIPHER

# peer_conf [EXTRA LINE]
peer_conf() { write_conf "$PEER_HOST" "$PEER_PORT" "$PEER_USER" "$PEER_PASS" "$PEER_CA" "$PEER_ROUTE" "${1:-}"; }

# addr_events: lines of the address monitor saying sstpc0 got an address.
addr_events() { grep -v Deleted "$T_TMP/addrmon.log" | grep -c 'inet .*sstpc0'; }
# connect_times LABEL [EXTRA LINE]: median of 5 starts, start to address.
# The moment the address appears comes from `ip -ts monitor address` in
# the client namespace (the kernel's notification, stamped to the µs), not
# from polling, whose forks and sleeps would add 10-20 ms of their own.
connect_times() {
    local l=() own=() med runs=${CONNECT_RUNS:-5} n0 ts up_ns
    LOG_LEVEL=debug peer_conf "${2:-}"
    if [ -z "${ADDRMON_PID:-}" ]; then # one monitor for every run
        bg "$CLIENT_NS" "$T_TMP/addrmon.log" ip -ts monitor address
        ADDRMON_PID=$BG_PID
        sleep 0.5 # it subscribes before the first start
    fi
    for _ in $(seq "$runs"); do
        n0=$(addr_events)
        start_sstpc
        if ! wait_for 5 test "$(addr_events)" -gt "$n0"; then
            cat "$T_TMP/addrmon.log" >&2
            die "the address monitor saw no new address (had $n0)"
        fi
        ts=$(grep -v Deleted "$T_TMP/addrmon.log" | grep 'inet .*sstpc0' |
            sed -n "$((n0 + 1))s/^\[\([^]]*\)\].*/\1/p")
        up_ns=$(date -d "$ts" +%s%N) || die "cannot read the monitor's time stamp '$ts'"
        l+=("$(calc "($up_ns - $START_NS) / 1e6" 1)")
        # sstpc's own part: its debug timeline, session made to tunnel up
        own+=("$(sed -n 's/.*connect timeline: .*total \([0-9.]*\) ms.*/\1/p' "$T_TMP/sstpc.log" | head -n1)")
        stop_pid "$SSTPC_PID" 10
    done
    log "sstpc's own connect timelines to $PEER_LABEL$1 (ms): ${own[*]}"
    local line
    line=$(grep -m1 'connect timeline' "$T_TMP/sstpc.log" | sed 's/.*connect timeline: //')
    [ -n "${J[$PEER_LABEL.connect_own_ms_median]:-}" ] ||
        J[$PEER_LABEL.connect_own_ms_median]=$(median "${own[@]}")
    OTHER_ROWS+=("| of which sstpc's own work and round trips (debug timeline, session made → up), median | $(median "${own[@]}") ms (last: $line) |")
    med=$(median "${l[@]}")
    [ -n "${J[$PEER_LABEL.connect_ms_median]:-}" ] || J[$PEER_LABEL.connect_ms_median]=$med
    OTHER_ROWS+=("| connect time to $PEER_LABEL$1, start to IPv4 address, median of $runs | $med ms (${l[*]}) |")
    log "connect times to $PEER_LABEL$1 (ms): ${l[*]}; median $med"
}

# ping_idle_busy DEST WHAT KEY: the ping rows through WHAT, idle and with
# the CPUs kept busy; J[KEY.latency_idle_us_median] and
# J[KEY.latency_busy_us_median] are their medians over the bare veth's.
ping_idle_busy() {
    local avg p99 n med
    read -r avg p99 n med <<<"$(ping_stats "$CLIENT_NS" "$1")"
    LAT_ROWS+=("| through $2 | $avg | $p99 | $med |")
    log "ping through $2: avg $avg p99 $p99 median $med ms ($n replies)"
    J[$3.latency_idle_us_median]=$(calc "($med - $lat_veth_med) * 1000" 0)
    busy_on
    read -r avg p99 n med <<<"$(ping_stats "$CLIENT_NS" "$1")"
    busy_off
    LAT_ROWS+=("| through $2, CPUs kept out of halt | $avg | $p99 | $med |")
    log "ping through $2, CPUs busy: avg $avg p99 $p99 median $med ms"
    J[$3.latency_busy_us_median]=$(calc "($med - $lat_busy_veth_med) * 1000" 0)
}

# bench_peer: everything but the connect times; leaves sstpc running.
bench_peer() {
    peer_conf
    start_sstpc
    TUN_CIPHER[$PEER_LABEL]=$(sed -n 's/.*TLS established (\(.*\)).*/\1/p' "$T_TMP/sstpc.log" | head -n1)
    log "sstpc ↔ $PEER_LABEL: ${TUN_CIPHER[$PEER_LABEL]}"
    iperf3_server "$PEER_TARGET" "$T_TMP/iperf-tun.log"
    IPERF_TUN=$BG_PID
    local dir gb
    for dir in up down; do
        iperf3_cpu "$SSTPC_PID" "$PEER_PID" "$PEER_TARGET" $([ $dir = down ] && echo -R)
        gb=$(calc "$IP_BYTES / 1e9" 6)
        J[$PEER_LABEL.$dir.sstpc_cpu_s_per_gb]=$(calc "$D_CPU / $gb" 3)
        J[$PEER_LABEL.$dir.sstpc_user_s_per_gb]=$(calc "$D_USER / $gb" 3)
        J[$PEER_LABEL.$dir.goodput_mb_s]=$(calc "$IP_BPS / 1e6" 1)
        row "sstpc ↔ $PEER_LABEL (iperf3 in the tunnel) | $dir | $(calc "$IP_BPS / 1e6" 1) | $(calc "$D_CPU / $gb") ($(calc "$D_USER / $gb") user) | $(calc "$D_SRV / $gb") ($PEER_PROC, $(calc "$D_SRV / $SECS * 100" 0)% of a core) | $(calc "$IP_BPS / ${BASE_BPS[$dir]}")"
    done
    ping_idle_busy "$PEER_TARGET" "the tunnel to $PEER_LABEL" "$PEER_LABEL"
    local avg p99 n med
    # Under load: pings while iperf3 runs downstream.
    ip netns exec "$CLIENT_NS" iperf3 -c "$PEER_TARGET" -p 5201 -t 5 -R >/dev/null 2>&1 &
    local ipf=$!
    sleep 1
    read -r avg p99 n med <<<"$(ping_stats "$CLIENT_NS" "$PEER_TARGET")"
    wait "$ipf"
    LAT_ROWS+=("| through the tunnel to $PEER_LABEL, iperf3 -R running | $avg | $p99 | $med |")
    log "ping under load to $PEER_LABEL: avg $avg p99 $p99 median $med ms ($n replies)"
    J[$PEER_LABEL.latency_loaded_ms_p99]=$p99
    local rss hwm
    rss=$(status_kb "$SSTPC_PID" VmRSS); hwm=$(status_kb "$SSTPC_PID" VmHWM)
    OTHER_ROWS+=("| sstpc VmRSS / VmHWM while up, after the runs to $PEER_LABEL | $rss kB / $hwm kB |")
    J[$PEER_LABEL.rss_kb]=$rss
    J[$PEER_LABEL.vmhwm_kb]=$hwm
    log "sstpc memory: VmRSS $rss kB, VmHWM $hwm kB"
}

# bench_bidir: iperf3 --bidir through the running tunnel, both directions at
# once for SECS; goodput of both summed, sstpc's CPU per GB of both.
bench_bidir() {
    local gb up down
    iperf3_cpu "$SSTPC_PID" "$PEER_PID" "$PEER_TARGET" --bidir
    # iperf3_run read the forward (up) half; the reverse half is beside it.
    up=$IP_BPS
    down=$(jq '.end.sum_received_bidir_reverse.bytes / .end.sum_received_bidir_reverse.seconds' "$T_TMP/iperf.json")
    IP_BYTES=$(jq '.end.sum_received.bytes + .end.sum_received_bidir_reverse.bytes' "$T_TMP/iperf.json")
    IP_BPS=$(calc "$up + $down" 0)
    gb=$(calc "$IP_BYTES / 1e9" 6)
    J[$PEER_LABEL.bidir.sstpc_cpu_s_per_gb]=$(calc "$D_CPU / $gb" 3)
    J[$PEER_LABEL.bidir.sstpc_user_s_per_gb]=$(calc "$D_USER / $gb" 3)
    J[$PEER_LABEL.bidir.goodput_mb_s]=$(calc "$IP_BPS / 1e6" 1)
    row "sstpc ↔ $PEER_LABEL (iperf3 --bidir in the tunnel) | bidir | $(calc "$IP_BPS / 1e6" 1) ($(calc "$up / 1e6" 1) up + $(calc "$down / 1e6" 1) down) | $(calc "$D_CPU / $gb") ($(calc "$D_USER / $gb") user) | $(calc "$D_SRV / $gb") ($PEER_PROC, $(calc "$D_SRV / $SECS * 100" 0)% of a core) | $(calc "$IP_BPS / ${BASE_BPS[bidir]}")"
}

# -------------------------------------------------------- 3. latency (veth)

read -r lat_veth_avg lat_veth_p99 lat_veth_n lat_veth_med <<<"$(ping_stats "$CLIENT_NS" "$VETH_S")"
LAT_ROWS+=("| over the veth (no tunnel) | $lat_veth_avg | $lat_veth_p99 | $lat_veth_med |")
busy_on
read -r lat_busy_veth_avg lat_busy_veth_p99 _ lat_busy_veth_med <<<"$(ping_stats "$CLIENT_NS" "$VETH_S")"
busy_off
LAT_ROWS+=("| over the veth (no tunnel), CPUs kept out of halt | $lat_busy_veth_avg | $lat_busy_veth_p99 | $lat_busy_veth_med |")
log "ping over the veth: avg $lat_veth_avg p99 $lat_veth_p99 ms ($lat_veth_n replies)"

# ------------------- the floor of a TLS tunnel (docs/benchmarks.md, item 2)
# tlsbench's tunnel mode: whole TUN reads (super-packets of up to 64 KiB,
# with the TUN's offloads) carried through one TLS stream and written to
# the far TUN as they came: the TLS work and a tunnel's kernel work (inner
# TCP, TUN copies, wake-ups) and nothing else, the least any TLS tunnel
# through a TUN spends. SSTP carries one IP packet per frame, so no SSTP
# client can get down to it; the distance is what SSTP and sstpc add.
declare -A FLOOR_CPU
bench_floor() {
    local srv cl ipf dir gb
    bg "$SERVER_NS" "$T_TMP/floor-srv.log" "$TLSBENCH" tunnel-server "$VETH_S" 5444 \
        "$T_TMP/tb-cert.pem" "$T_TMP/tb-key.pem" tbs0
    srv=$BG_PID
    wait_for 5 grep -q listening "$T_TMP/floor-srv.log" \
        || { cat "$T_TMP/floor-srv.log" >&2; die "tlsbench tunnel-server did not start"; }
    bg "$CLIENT_NS" "$T_TMP/floor-cl.log" "$TLSBENCH" tunnel-client "$VETH_S" 5444 "$T_TMP/tb-cert.pem" tbc0
    cl=$BG_PID
    wait_for 5 grep -q "tunnel up" "$T_TMP/floor-cl.log" \
        || { cat "$T_TMP/floor-cl.log" >&2; die "tlsbench tunnel did not come up"; }
    ip -n "$SERVER_NS" link set tbs0 up mtu 1400 && ip -n "$SERVER_NS" addr add 10.201.0.1 peer 10.201.0.2 dev tbs0 &&
        ip -n "$CLIENT_NS" link set tbc0 up mtu 1400 && ip -n "$CLIENT_NS" addr add 10.201.0.2 peer 10.201.0.1 dev tbc0 \
        || die "could not address the floor tunnel"
    iperf3_server 10.201.0.1 "$T_TMP/iperf-floor.log"
    ipf=$BG_PID
    for dir in up down; do
        iperf3_cpu "$cl" "$srv" 10.201.0.1 $([ $dir = down ] && echo -R)
        gb=$(calc "$IP_BYTES / 1e9" 6)
        FLOOR_CPU[$dir]=$(calc "$D_CPU / $gb" 3)
        J[floor.$dir.goodput_mb_s]=$(calc "$IP_BPS / 1e6" 1)
        row "TLS tunnel floor (tlsbench tunnel, iperf3 in it) | $dir | $(calc "$IP_BPS / 1e6" 1) | $(calc "$D_CPU / $gb") ($(calc "$D_USER / $gb") user) | $(calc "$D_SRV / $gb") (tlsbench) | $(calc "$IP_BPS / ${BASE_BPS[$dir]}")"
    done
    ping_idle_busy 10.201.0.1 "the TLS tunnel floor" floor
    stop_pid "$ipf" 5
    stop_pid "$cl" 5
    stop_pid "$srv" 5
}
bench_floor

# ------------------------------------------------- peer 1: SoftEther (bridge)

PEER_LABEL=SoftEther PEER_PROC=vpnserver PEER_PID=$SE_PID PEER_HOST=$SE_HOST PEER_PORT=$SE_PORT
PEER_USER=$SE_USER PEER_PASS=$SE_PASSWORD PEER_CA=$SE_CA_FILE PEER_ROUTE=192.168.30.0/24
PEER_TARGET=$SE_TAP_IP
bench_peer

# ---------------------------------- per-packet cost: syscalls per packet
# perf's syscall tracepoints work here even where the hardware counters
# (instructions) do not; counting costs little next to a syscall.
SYS_ROWS=()
# syscall_counts: per direction over MB megabytes through the running sstpc;
# downstream also the TUN writes (write + writev) per MB received.
syscall_counts() {
    command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1 || return 0
    local evs=syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,raw_syscalls:sys_enter
    local dir f p0 p1 b0 b1 pk PERF
    for dir in up down; do
        f=$([ $dir = up ] && echo tx || echo rx)
        p0=$(link_stat "$CLIENT_NS" sstpc0 "$f.packets"); b0=$(link_stat "$CLIENT_NS" sstpc0 "$f.bytes")
        perf stat -x, -e "$evs" -p "$SSTPC_PID" -o "$T_TMP/perf-$dir.csv" &
        PERF=$!
        sleep 0.2
        ip netns exec "$CLIENT_NS" iperf3 -c "$PEER_TARGET" -p 5201 -n "${MB}M" $([ $dir = down ] && echo -R) >/dev/null 2>&1
        kill -INT "$PERF"; wait "$PERF" 2>/dev/null
        p1=$(link_stat "$CLIENT_NS" sstpc0 "$f.packets"); b1=$(link_stat "$CLIENT_NS" sstpc0 "$f.bytes")
        pk=$((p1 - p0))
        per() { awk -F, -v e="$1" -v p="$pk" '$3 == e { printf "%.2f", $1 / p }' "$T_TMP/perf-$dir.csv"; }
        SYS_ROWS+=("| $PEER_LABEL | $dir | $pk | $(per syscalls:sys_enter_read) | $(per syscalls:sys_enter_write) | $(per syscalls:sys_enter_writev) | $(per syscalls:sys_enter_recvfrom) | $(per syscalls:sys_enter_sendto) | $(per syscalls:sys_enter_epoll_wait) | $(per syscalls:sys_enter_epoll_ctl) | $(per raw_syscalls:sys_enter) |")
        log "syscalls per packet ($dir): ${SYS_ROWS[-1]}"
        [ $dir = down ] && J[$PEER_LABEL.down.tun_writes_per_mb]=$(awk -F, -v mb="$(calc "($b1 - $b0) / 1e6" 6)" \
            '$3 == "syscalls:sys_enter_write" || $3 == "syscalls:sys_enter_writev" { n += $1 } END { printf "%.1f", n / mb }' "$T_TMP/perf-$dir.csv")
    done
}
syscall_counts
stop_pid "$SSTPC_PID" 10

# ----------------------------------------------------- 4. connect time
# Twice: as configured (IPCP and IPV6CP), and with "ipv6 disable", because
# this SoftEther stalls its PPP thread for ~4 s while IPV6CP is negotiated.
connect_times " (IPCP + IPV6CP)"
connect_times " (\`ipv6 disable\`)" "ipv6 disable"

# ------------------------------- per-packet cost: callgrind instructions
# User-space instructions of sstpc per MB and per packet over a fixed
# transfer, counted only while data flows: instrumentation (and with it
# collection) is switched on around each transfer, so the handshake and
# the key exchange are not in the figures.
CG_ROWS=()
CG_TOP=""
if [ "$CALLGRIND" = 1 ]; then
    peer_conf
    UP_LIMIT=120 start_sstpc valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$T_TMP/cg.out" --dump-instr=no
    for dir in up down; do
        f=$([ $dir = up ] && echo tx || echo rx)
        p0=$(link_stat "$CLIENT_NS" sstpc0 "$f.packets"); b0=$(link_stat "$CLIENT_NS" sstpc0 "$f.bytes")
        callgrind_control -i on "$SSTPC_PID" >/dev/null
        ip netns exec "$CLIENT_NS" iperf3 -c "$PEER_TARGET" -p 5201 -n "${MB}M" $([ $dir = down ] && echo -R) \
            >/dev/null 2>&1 || log "callgrind: iperf3 $dir failed"
        callgrind_control -i off "$SSTPC_PID" >/dev/null
        callgrind_control -d "$dir" "$SSTPC_PID" >/dev/null
        p1=$(link_stat "$CLIENT_NS" sstpc0 "$f.packets"); b1=$(link_stat "$CLIENT_NS" sstpc0 "$f.bytes")
        sleep 0.5
        dump=$(ls -t "$T_TMP"/cg.out* 2>/dev/null | head -n1)
        [ -n "$dump" ] || { log "callgrind: no dump for $dir"; continue; }
        mv "$dump" "$T_TMP/cg-$dir.out"
        # Kept next to the summary for callgrind_annotate --tree=calling.
        cp "$T_TMP/cg-$dir.out" "${OUT%.md}.callgrind-$dir"
        ir=$(callgrind_annotate "$T_TMP/cg-$dir.out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
        pk=$((p1 - p0)); by=$((b1 - b0))
        [ -n "$ir" ] && [ "$pk" -gt 0 ] || { log "callgrind: nothing counted for $dir"; continue; }
        CG_ROWS+=("| $dir | $pk | $(calc "$by / 1e6" 1) | $(calc "$ir / ($by / 1e6)" 0) | $(calc "$ir / $pk" 0) |")
        log "callgrind ($dir): ${CG_ROWS[-1]}"
        CG_TOP+=$'\n'"#### $dir: inclusive instructions, top functions"$'\n\n```\n'
        CG_TOP+=$(callgrind_annotate --inclusive=yes "$T_TMP/cg-$dir.out" 2>/dev/null |
            grep -E '^ *[0-9,]+ \([ 0-9.]+%\) ' | grep -v 'PROGRAM TOTALS' | head -n 25)
        CG_TOP+=$'\n```\n'
    done
    stop_pid "$SSTPC_PID" 20
fi

# ------------------------------------------------- peer 2: our own sstpd
# Same namespaces and veth; its TUN (sstps0, 10.77.0.1) is the far end. It
# accepts only the baseline's suite (AES-256-GCM, which SoftEther picks too):
# the ratio then compares the same cipher (AES-128 would cost less per byte).
stop_pid "$IPERF_TUN" 5
if [ -x "$SSTPD" ]; then
    sh "$SRC/tools/sstpd/mkcerts.sh" "$T_TMP/sd" "$VETH_S" >/dev/null 2>&1 || die "sstpd mkcerts.sh failed"
    printf 'bench %s\n' "bench$$" > "$T_TMP/sd-users"
    bg "$SERVER_NS" "$T_TMP/sstpd.log" "$SSTPD" --listen "$VETH_S:8443" --cert "$T_TMP/sd/server.pem" \
        --key "$T_TMP/sd/server.key" --users "$T_TMP/sd-users" --local 10.77.0.1 \
        --ciphers TLS13-AES256-GCM-SHA384
    SSTPD_PID=$BG_PID
    wait_for 10 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'sport = :8443' | grep -q ." \
        || { cat "$T_TMP/sstpd.log" >&2; die "sstpd did not start"; }
    PEER_LABEL=sstpd PEER_PROC=sstpd PEER_PID=$SSTPD_PID PEER_HOST=$VETH_S PEER_PORT=8443
    PEER_USER=bench PEER_PASS=bench$$ PEER_CA=$T_TMP/sd/ca.pem PEER_ROUTE=10.77.0.0/24
    PEER_TARGET=10.77.0.1
    bench_peer
    bench_bidir
    syscall_counts
    stop_pid "$SSTPC_PID" 10
    stop_pid "$IPERF_TUN" 5
    CONNECT_RUNS=10 connect_times ""
    stop_pid "$SSTPD_PID" 10
else
    log "no sstpd at $SSTPD: SoftEther only"
fi

# ------------------------------------------------------------ summary

{
    echo "## sstpc benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)," \
        "kernel $(uname -r), load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end" \
        "(other work on the same cores lowers every figure; compare ratios within one run)."
    echo "sstpc: $("$SSTPC" --version 2>&1 | tr '\n' ' '). Baseline cipher: $TLS_CIPHER;" \
        "tunnel: $(for k in "${!TUN_CIPHER[@]}"; do printf '%s with %s; ' "${TUN_CIPHER[$k]}" "$k"; done)runs of $SECS s, MTU 1400."
    echo
    echo "| what | dir | MB/s | client CPU s/GB | server CPU s/GB | ratio to raw TLS |"
    echo "| --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "MB/s is 10^6 bytes/s of payload: TLS plaintext for tlsbench, TCP goodput for"
    echo "iperf3 (inside the tunnel every 1360-byte TCP segment also carries 40 bytes of"
    echo "IP/TCP header and 8 of SSTP/PPP). CPU s/GB = utime+stime of the process per"
    echo "10^9 payload bytes (utime alone in brackets; the rest is the kernel: TUN,"
    echo "TCP, syscalls). bidir rows: both directions at once; MB/s and GB count the bytes of"
    echo "both (tlsbench: one thread per side; iperf3 --bidir: up + down goodput)."
    echo "The TLS tunnel floor carries whole TUN reads (up to 64 KiB with TSO) through one"
    echo "TLS stream, with no segmenting, checksums or framing: the least a TLS tunnel"
    echo "through a TUN spends here (sstpc's ratio to it is cpu_ratio_to_floor in -j)."
    echo
    echo "| latency (200 pings, 10 ms apart) | avg ms | p99 ms | median ms |"
    echo "| --- | --- | --- | --- |"
    printf '%s\n' "${LAT_ROWS[@]}"
    echo
    echo "| other | value |"
    echo "| --- | --- |"
    printf '%s\n' "${OTHER_ROWS[@]}"
    if [ ${#SYS_ROWS[@]} -gt 0 ]; then
        echo
        echo "Syscalls of sstpc per tunnel packet (perf tracepoints, ${MB} MB by iperf3 -n):"
        echo
        echo "| peer | dir | packets | read | write | writev | recvfrom | sendto | epoll_wait | epoll_ctl | all |"
        echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        printf '%s\n' "${SYS_ROWS[@]}"
    fi
    if [ ${#CG_ROWS[@]} -gt 0 ]; then
        echo
        echo "User-space instructions of sstpc (SoftEther, callgrind, ${MB} MB by iperf3 -n, collected"
        echo "only during the transfer; MB = bytes through the TUN):"
        echo
        echo "| dir | packets | MB | instructions/MB | instructions/packet |"
        echo "| --- | --- | --- | --- | --- |"
        printf '%s\n' "${CG_ROWS[@]}"
        echo "$CG_TOP"
    fi
} > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
# The headline figures as JSON (-j): against sstpd when it ran, else
# SoftEther. A figure that could not be measured is null.
if [ -n "$JSON" ]; then
    JP=$([ -n "${J[sstpd.rss_kb]:-}" ] && echo sstpd || echo SoftEther)
    jn() { [[ ${1:-} =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "$1" || echo null; }
    jdir() {
        local c=${J[$JP.$1.sstpc_cpu_s_per_gb]:-} t=${BASE_CPU[$1]:-} f=${FLOOR_CPU[$1]:-} ratio= fratio= tofloor=
        [ -n "$c" ] && [ -n "$t" ] && ratio=$(calc "$c / $t" 2)
        [ -n "$f" ] && [ -n "$t" ] && fratio=$(calc "$f / $t" 2)
        [ -n "$f" ] && [ -n "$c" ] && tofloor=$(calc "$c / $f" 2)
        printf '{"sstpc_cpu_s_per_gb": %s, "sstpc_user_s_per_gb": %s, "tls_cpu_s_per_gb": %s, "cpu_ratio": %s, "goodput_mb_s": %s, "tls_goodput_mb_s": %s%s%s}' \
            "$(jn "$c")" "$(jn "${J[$JP.$1.sstpc_user_s_per_gb]:-}")" "$(jn "$t")" "$(jn "$ratio")" \
            "$(jn "${J[$JP.$1.goodput_mb_s]:-}")" "$(jn "$(calc "${BASE_BPS[$1]:-0} / 1e6" 1)")" \
            "$([ "$1" = bidir ] || printf ', "floor_cpu_s_per_gb": %s, "floor_ratio": %s, "cpu_ratio_to_floor": %s, "floor_goodput_mb_s": %s' \
                "$(jn "$f")" "$(jn "$fratio")" "$(jn "$tofloor")" "$(jn "${J[floor.$1.goodput_mb_s]:-}")")" \
            "$([ "$1" = down ] && printf ', "tun_writes_per_mb": %s' "$(jn "${J[$JP.down.tun_writes_per_mb]:-}")")"
    }
    printf '{"peer": "%s", "date": "%s", "seconds": %s, "up": %s, "down": %s, "bidir": %s, "connect_ms_median": %s, "connect_own_ms_median": %s, "rss_kb": %s, "vmhwm_kb": %s, "latency_idle_us_median": %s, "latency_busy_us_median": %s, "latency_loaded_ms_p99": %s, "floor_latency_idle_us_median": %s, "floor_latency_busy_us_median": %s}\n' \
        "$JP" "$(date -u +%FT%TZ)" "$SECS" "$(jdir up)" "$(jdir down)" "$(jdir bidir)" "$(jn "${J[$JP.connect_ms_median]:-}")" \
        "$(jn "${J[$JP.connect_own_ms_median]:-}")" \
        "$(jn "${J[$JP.rss_kb]:-}")" "$(jn "${J[$JP.vmhwm_kb]:-}")" "$(jn "${J[$JP.latency_idle_us_median]:-}")" \
        "$(jn "${J[$JP.latency_busy_us_median]:-}")" \
        "$(jn "${J[$JP.latency_loaded_ms_p99]:-}")" "$(jn "${J[floor.latency_idle_us_median]:-}")" \
        "$(jn "${J[floor.latency_busy_us_median]:-}")" | jq . > "$JSON.tmp" && mv "$JSON.tmp" "$JSON" \
        || die "could not write $JSON"
    log "JSON written to $JSON"
fi
echo
cat "$OUT"
log "summary written to $OUT"
finish
