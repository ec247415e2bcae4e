#!/bin/bash
# ab.sh -- two sstpc binaries against one sstpd, in alternating runs: the
# way to tell whether a change to the data path pays. One run of run.sh
# against the next moves by 10-30% on a shared 2-core machine; pairs taken
# back to back see the same load, and the means over several pairs show
# differences of a few percent. Root only: namespaces as in the tests.
#
#   tools/bench/ab.sh [-d down|up] [-n PAIRS] [-t SECONDS] A_SSTPC B_SSTPC
#
#   -d   iperf3's direction in the tunnel: down (-R, the default) or up
#   -n   pairs of runs, A then B (default 4)
#   -t   length of each run (default 6)
#
# Per run: sstpc's CPU (utime + stime of the process, split) per GB that
# iperf3 received, and the goodput; then the mean of each binary and B's
# difference from A. sstpd comes from SSTPC_BUILD_DIR (default ./build).
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/../../tests/integration/lib.sh"

DIR=down PAIRS=4 SECS=6
while getopts "d:n:t:" o; do
    case $o in
    d) DIR=$OPTARG ;;
    n) PAIRS=$OPTARG ;;
    t) SECS=$OPTARG ;;
    *) sed -n '7,11p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# = 2 ] && [ -x "$1" ] && [ -x "$2" ] || { sed -n '7,11p' "$0" >&2; exit 2; }
case $DIR in down) REVERSE=-R ;; up) REVERSE= ;; *) die "-d down or up" ;; esac
BIN_A=$(realpath "$1") BIN_B=$(realpath "$2")
need_root; need_cmd ip iperf3 jq awk
HZ=$(getconf CLK_TCK)

SD_NAME=server.test SD_USER=alice SD_PASSWORD=pw1
CNS=ab-c$$ SNS=ab-s$$
sstpd_start "$SNS" "$CNS" --ciphers TLS13-AES256-GCM-SHA384
sd_conf "$T_TMP/t.conf" "mtu 1400" "no-peer-dns" "log-level info"
bg "$SNS" "$T_TMP/iperf3-s.log" iperf3 -s -B "$SD_LOCAL"

# cpu_ticks PID: "utime stime" in clock ticks (fields 14 and 15)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$1/stat"; }

# one_run LABEL BINARY: prints "LABEL total user kernel MB/s"
one_run() {
    local u0 s0 u1 s1 bytes secs
    SSTPC_UNDER_TEST=$2 sstpc_start "$CNS" "$T_TMP/t.conf" "$T_TMP/sstpc-$1.log"
    wait_up "$CNS" sstpc0 15 || { cat "$SC_LOG" >&2; die "$1: no tunnel"; }
    read -r u0 s0 < <(cpu_ticks "$SC_PID")
    # shellcheck disable=SC2086 # REVERSE is empty or one word
    ip netns exec "$CNS" iperf3 -c "$SD_LOCAL" $REVERSE -t "$SECS" -l 128K -J > "$T_TMP/iperf.json" \
        || { cat "$T_TMP/iperf.json" >&2; die "$1: iperf3 failed"; }
    read -r u1 s1 < <(cpu_ticks "$SC_PID")
    bytes=$(jq '.end.sum_received.bytes' "$T_TMP/iperf.json")
    secs=$(jq '.end.sum_received.seconds' "$T_TMP/iperf.json")
    stop_pid "$SC_PID" 10
    awk -v l="$1" -v b="$bytes" -v t="$secs" -v hz="$HZ" -v u=$((u1 - u0)) -v s=$((s1 - s0)) \
        'BEGIN { g = b / 1e9; printf "%s %.3f %.3f %.3f %.1f\n", l, (u + s) / hz / g, u / hz / g, s / hz / g, b / 1e6 / t }'
}

log "A = $BIN_A, B = $BIN_B; $PAIRS pairs of $SECS s, iperf3 $DIR"
: > "$T_TMP/runs"
for i in $(seq "$PAIRS"); do
    one_run A "$BIN_A" >> "$T_TMP/runs"
    one_run B "$BIN_B" >> "$T_TMP/runs"
done
echo "| run | s/GB | user s/GB | kernel s/GB | MB/s |"
echo "| --- | --- | --- | --- | --- |"
awk '{ n[$1]++; printf "| %s%d | %s | %s | %s | %s |\n", $1, n[$1], $2, $3, $4, $5 }' "$T_TMP/runs"
awk '{ c[$1]++; t[$1] += $2; u[$1] += $3; k[$1] += $4; m[$1] += $5 }
     END {
        split("A B", ab)
        for (i = 1; i <= 2; i++) { x = ab[i]; printf "| mean %s | %.3f | %.3f | %.3f | %.1f |\n", x, t[x] / c[x], u[x] / c[x], k[x] / c[x], m[x] / c[x] }
        printf "\nB against A: CPU per GB %+.1f%% (user %+.1f%%, kernel %+.1f%%), goodput %+.1f%%\n",
            100 * (t["B"] / t["A"] - 1), 100 * (u["B"] / u["A"] - 1), 100 * (k["B"] / k["A"] - 1), 100 * (m["B"] / m["A"] - 1)
     }' "$T_TMP/runs"
