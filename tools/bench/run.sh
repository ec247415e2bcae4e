#!/bin/bash
# run.sh -- sstpc benchmarks, as ratios to a raw TLS stream measured in the
# same run on the same machine. Root only: everything happens in network
# namespaces this script makes and removes (a client and a server namespace
# joined by a veth, SoftEther in bridge mode in the server one).
#
#   tools/bench/run.sh [-t SECONDS] [-m MB] [-o FILE.md] [-n]
#
#   -t SECONDS  length of each throughput run (default 10)
#   -m MB       fixed transfer for the syscall and callgrind profiles (default 20)
#   -o FILE     where the markdown summary goes (default $BUILD/bench.md)
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
while getopts "t:m:o:n" o; do
    case $o in
    t) SECS=$OPTARG ;;
    m) MB=$OPTARG ;;
    o) OUT=$OPTARG ;;
    n) CALLGRIND=0 ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
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
VETH_C=10.200.7.1
VETH_S=10.200.7.2

# ---------------------------------------------------------------- helpers

# cpu PID: utime+stime in seconds, all threads (fields 14+15 of /proc/PID/stat).
cpu() {
    awk -v hz="$HZ" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# status_kb PID FIELD: VmRSS / VmHWM in kB
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# link_stat NS DEV FIELD: e.g. tx.packets from ip -s -j
link_stat() { ip -n "$1" -s -j link show dev "$2" | jq ".[0].stats64.$3"; }

# ping_stats NS DEST: "avg p99" in ms of 200 pings 10 ms apart
ping_stats() {
    ip netns exec "$1" ping -c 200 -i 0.01 -W 1 "$2" 2>/dev/null |
        sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n |
        awk '{ v[NR] = $1; s += $1 } END {
            if (NR == 0) { print "- -"; exit }
            i = int(NR * 0.99 + 0.999); if (i > NR) i = NR
            printf "%.3f %.3f %d\n", s / NR, v[i], NR }'
}

# The tunnel configuration for SoftEther (bridge mode; its tap is 192.168.30.2).
write_conf() {
    cat > "$T_TMP/tunnel.conf" <<CONF
interface sstpc0
server $SE_HOST
authentication username $SE_USER
authentication password '$SE_PASSWORD'
ssl ca-certificate $SE_CA_FILE
mtu 1400
no-default-route
ip route 192.168.30.0/24
log-level info
${1:-}
CONF
}

# start_sstpc [wrapper...]: starts sstpc (optionally under a wrapper such as
# valgrind) in the client namespace; SSTPC_PID; UP_MS = start to address.
start_sstpc() {
    local t0 t1 limit=${UP_LIMIT:-30}
    t0=$(date +%s%N)
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

# kv LINE KEY: value of key=value in a tlsbench report line
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

ROWS=()      # "| what | dir | MB/s | client CPU s/GB | server CPU s/GB | ratio |"
row() { ROWS+=("| $* |"); log "$*"; }

# --------------------------------------------------------------- topology

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1), load $(cut -d' ' -f1-3 /proc/loadavg)"
log "sstpc: $("$SSTPC" --version 2>&1 | head -n1)"
softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 443
SE_BIN_PID=$SE_PID

# ------------------------------------------------------- 1. raw TLS stream

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$T_TMP/tb-key.pem" -out "$T_TMP/tb-cert.pem" -subj /CN=tlsbench \
    -addext "subjectAltName=IP:$VETH_S" -addext extendedKeyUsage=serverAuth 2>/dev/null \
    || die "openssl could not make the tlsbench certificate"
bg "$SERVER_NS" "$T_TMP/tlsbench-srv.log" "$TLSBENCH" server "$VETH_S" 5443 \
    "$T_TMP/tb-cert.pem" "$T_TMP/tb-key.pem" 2
TB_SRV=$BG_PID
wait_for 5 grep -q listening "$T_TMP/tlsbench-srv.log" || die "tlsbench server did not start"
declare -A BASE_BPS
for dir in up down; do
    line=$(ip netns exec "$CLIENT_NS" "$TLSBENCH" client "$VETH_S" 5443 "$T_TMP/tb-cert.pem" "$dir" "$SECS") \
        || die "tlsbench client $dir failed"
    wait_for 5 grep -q "dir=$dir" "$T_TMP/tlsbench-srv.log"
    sline=$(grep "dir=$dir" "$T_TMP/tlsbench-srv.log")
    BASE_BPS[$dir]=$(calc "$(kv "$line" bytes) / $(kv "$line" seconds)" 0)
    TLS_CIPHER="$(kv "$line" version) $(kv "$line" cipher)"
    row "raw TLS stream (tlsbench) | $dir | $(calc "${BASE_BPS[$dir]} / 1e6" 1) | $(kv "$line" cpu_s_per_gb) | $(kv "$sline" cpu_s_per_gb) (tlsbench) | 1.00"
done
wait "$TB_SRV" 2>/dev/null

# The bare veth with TCP and no TLS, for scale.
bg "$SERVER_NS" "$T_TMP/iperf-veth.log" iperf3 -s -B "$VETH_S" -p 5201
IPERF_VETH=$BG_PID
wait_for 5 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'sport = :5201' | grep -q ."
for dir in up down; do
    iperf3_run "$VETH_S" $([ $dir = down ] && echo -R)
    row "plain TCP over the veth (iperf3) | $dir | $(calc "$IP_BPS / 1e6" 1) | - | - | $(calc "$IP_BPS / ${BASE_BPS[$dir]}")"
done
stop_pid "$IPERF_VETH" 5

# ------------------------------------------------------------- 2. tunnel

write_conf
start_sstpc
grep -o 'TLS established.*' "$T_TMP/sstpc.log" | head -n1 | sed 's/^/sstpc: /' | while read -r l; do log "$l"; done
TUN_CIPHER=$(sed -n 's/.*TLS established (\(.*\)).*/\1/p' "$T_TMP/sstpc.log" | head -n1)
bg "$SERVER_NS" "$T_TMP/iperf-tun.log" iperf3 -s -B "$SE_TAP_IP" -p 5201
IPERF_TUN=$BG_PID
wait_for 5 ip netns exec "$SERVER_NS" sh -c "ss -Hltn 'sport = :5201' | grep -q ."
declare -A TUN_BPS
for dir in up down; do
    c0=$(cpu "$SSTPC_PID"); s0=$(cpu "$SE_BIN_PID")
    iperf3_run "$SE_TAP_IP" $([ $dir = down ] && echo -R)
    c1=$(cpu "$SSTPC_PID"); s1=$(cpu "$SE_BIN_PID")
    TUN_BPS[$dir]=$IP_BPS
    gb=$(calc "$IP_BYTES / 1e9" 6)
    row "sstpc ↔ SoftEther (iperf3 in the tunnel) | $dir | $(calc "$IP_BPS / 1e6" 1) | $(calc "($c1 - $c0) / $gb") | $(calc "($s1 - $s0) / $gb") (vpnserver, $(calc "($s1 - $s0) / $SECS * 100" 0)% of a core) | $(calc "$IP_BPS / ${BASE_BPS[$dir]}")"
done

# -------------------------------------------------------- 3. latency

read -r lat_veth_avg lat_veth_p99 lat_veth_n <<<"$(ping_stats "$CLIENT_NS" "$VETH_S")"
read -r lat_tun_avg lat_tun_p99 lat_tun_n <<<"$(ping_stats "$CLIENT_NS" "$SE_TAP_IP")"
log "ping veth: avg $lat_veth_avg p99 $lat_veth_p99 ms ($lat_veth_n replies); tunnel: avg $lat_tun_avg p99 $lat_tun_p99 ms ($lat_tun_n replies)"

# -------------------------------------------------------- 5. memory (up)

RSS=$(status_kb "$SSTPC_PID" VmRSS); HWM=$(status_kb "$SSTPC_PID" VmHWM)
log "sstpc memory: VmRSS $RSS kB, VmHWM $HWM kB"

# ---------------------------------- per-packet cost: syscalls per packet
# perf's syscall tracepoints work here even where the hardware counters
# (instructions) do not; counting costs little next to a syscall.
SYS_ROWS=()
if command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1; then
    evs=syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,raw_syscalls:sys_enter
    for dir in up down; do
        f=$([ $dir = up ] && echo tx || echo rx)
        p0=$(link_stat "$CLIENT_NS" sstpc0 "$f.packets")
        perf stat -x, -e "$evs" -p "$SSTPC_PID" -o "$T_TMP/perf-$dir.csv" &
        PERF=$!
        sleep 0.2
        ip netns exec "$CLIENT_NS" iperf3 -c "$SE_TAP_IP" -p 5201 -n "${MB}M" $([ $dir = down ] && echo -R) >/dev/null 2>&1
        kill -INT "$PERF"; wait "$PERF" 2>/dev/null
        p1=$(link_stat "$CLIENT_NS" sstpc0 "$f.packets")
        pk=$((p1 - p0))
        per() { awk -F, -v e="$1" -v p="$pk" '$3 == e { printf "%.2f", $1 / p }' "$T_TMP/perf-$dir.csv"; }
        SYS_ROWS+=("| $dir | $pk | $(per syscalls:sys_enter_read) | $(per syscalls:sys_enter_write) | $(per syscalls:sys_enter_recvfrom) | $(per syscalls:sys_enter_sendto) | $(per syscalls:sys_enter_epoll_wait) | $(per syscalls:sys_enter_epoll_ctl) | $(per raw_syscalls:sys_enter) |")
        log "syscalls per packet ($dir): ${SYS_ROWS[-1]}"
    done
fi
stop_pid "$SSTPC_PID" 10

# ----------------------------------------------------- 4. connect time

# Twice: as configured (IPCP and IPV6CP), and with "ipv6 disable", because
# this SoftEther stalls its PPP thread for ~4 s while IPV6CP is negotiated.
declare -A UPS UP_MEDIAN
for v6 in on off; do
    write_conf "$([ $v6 = off ] && echo 'ipv6 disable')"
    l=()
    for i in 1 2 3 4 5; do
        start_sstpc
        l+=("$UP_MS")
        stop_pid "$SSTPC_PID" 10
    done
    UPS[$v6]="${l[*]}"
    UP_MEDIAN[$v6]=$(printf '%s\n' "${l[@]}" | sort -n | sed -n 3p)
    log "connect times, IPV6CP $v6 (ms): ${UPS[$v6]}; median ${UP_MEDIAN[$v6]}"
done
write_conf

# ------------------------------- per-packet cost: callgrind instructions
# User-space instructions of sstpc per MB and per packet over a fixed
# transfer, counted only while data flows: instrumentation (and with it
# collection) is switched on around each transfer, so the handshake and
# the key exchange are not in the figures.
CG_ROWS=()
CG_TOP=""
if [ "$CALLGRIND" = 1 ]; then
    UP_LIMIT=120 start_sstpc valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file="$T_TMP/cg.out" --dump-instr=no
    for dir in up down; do
        f=$([ $dir = up ] && echo tx || echo rx)
        p0=$(link_stat "$CLIENT_NS" sstpc0 "$f.packets"); b0=$(link_stat "$CLIENT_NS" sstpc0 "$f.bytes")
        callgrind_control -i on "$SSTPC_PID" >/dev/null
        ip netns exec "$CLIENT_NS" iperf3 -c "$SE_TAP_IP" -p 5201 -n "${MB}M" $([ $dir = down ] && echo -R) \
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

# ------------------------------------------------------------ summary

{
    echo "## sstpc benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)," \
        "kernel $(uname -r), load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end" \
        "(other work on the same cores lowers every figure; compare ratios within one run)."
    echo "sstpc: $("$SSTPC" --version 2>&1 | tr '\n' ' '). Baseline cipher: $TLS_CIPHER;" \
        "tunnel: $TUN_CIPHER. Runs of $SECS s, MTU 1400."
    echo
    echo "| what | dir | MB/s | client CPU s/GB | server CPU s/GB | ratio to raw TLS |"
    echo "| --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "MB/s is 10^6 bytes/s of payload: TLS plaintext for tlsbench, TCP goodput for"
    echo "iperf3 (inside the tunnel every 1360-byte TCP segment also carries 40 bytes of"
    echo "IP/TCP header and 8 of SSTP/PPP). CPU s/GB = utime+stime of the process per"
    echo "10^9 payload bytes."
    echo
    echo "| latency (200 pings, 10 ms apart) | avg ms | p99 ms |"
    echo "| --- | --- | --- |"
    echo "| over the veth | $lat_veth_avg | $lat_veth_p99 |"
    echo "| through the tunnel | $lat_tun_avg | $lat_tun_p99 |"
    echo
    echo "| other | value |"
    echo "| --- | --- |"
    echo "| connect time, start to IPv4 address (median of 5), IPCP + IPV6CP | ${UP_MEDIAN[on]} ms (${UPS[on]}) |"
    echo "| connect time, same with \`ipv6 disable\` | ${UP_MEDIAN[off]} ms (${UPS[off]}) |"
    echo "| sstpc VmRSS / VmHWM while up | $RSS kB / $HWM kB |"
    if [ ${#SYS_ROWS[@]} -gt 0 ]; then
        echo
        echo "Syscalls of sstpc per tunnel packet (perf tracepoints, ${MB} MB by iperf3 -n):"
        echo
        echo "| dir | packets | read | write | recvfrom | sendto | epoll_wait | epoll_ctl | all |"
        echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        printf '%s\n' "${SYS_ROWS[@]}"
    fi
    if [ ${#CG_ROWS[@]} -gt 0 ]; then
        echo
        echo "User-space instructions of sstpc (callgrind, ${MB} MB by iperf3 -n, collected"
        echo "only during the transfer; MB = bytes through the TUN):"
        echo
        echo "| dir | packets | MB | instructions/MB | instructions/packet |"
        echo "| --- | --- | --- | --- | --- |"
        printf '%s\n' "${CG_ROWS[@]}"
        echo "$CG_TOP"
    fi
} > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo
cat "$OUT"
log "summary written to $OUT"
finish
