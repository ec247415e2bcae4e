#!/bin/bash
# static.sh -- the static release binary (tools/build-static.sh: musl,
# stripped) against the glibc build, in the same run: the same sstpd, the
# same namespaces, iperf3 up and down through the tunnel, the two clients
# taking turns ROUNDS times, in alternating order, so that the load of a
# shared machine falls on both alike. Prints a markdown table of sizes and
# one of throughput and sstpc's CPU per GB, all and user (medians over the
# rounds). Root only; a benchmark,
# never a pass/fail test.
#
#   tools/bench/static.sh [-t SECONDS] [-r ROUNDS]
#
# Environment: SSTPC_BUILD_DIR (default ./build: sstpc, sstpd),
# SSTPC_STATIC_BUILD_DIR (default BUILD-static; built if missing).
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/../../tests/integration/lib.sh"
. "$BENCH_DIR/../../tests/integration/ship_lib.sh"
SECS=8
ROUNDS=3
while getopts "t:r:" o; do
    case $o in
    t) SECS=$OPTARG ;;
    r) ROUNDS=$OPTARG ;;
    *) sed -n '2,13p' "$0" >&2; exit 2 ;;
    esac
done
need_root; need_sstpc; need_cmd ip iperf3 jq awk size
static_build
HZ=$(getconf CLK_TCK)
cpu() { awk -v hz="$HZ" '{ sub(/^.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"; }
ucpu() { awk -v hz="$HZ" '{ sub(/^.*\) /, ""); print $12 / hz }' "/proc/$1/stat"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| binary | file bytes | text | data + bss |"
echo "| --- | --- | --- | --- |"
strip -o "$T_TMP/sstpc-glibc-stripped" "$SSTPC"
for b in "glibc build (RelWithDebInfo)|$SSTPC" "glibc build, stripped|$T_TMP/sstpc-glibc-stripped" \
         "static musl build (tools/build-static.sh)|$STATIC_SSTPC"; do
    read -r text data bss _ < <(size "${b#*|}" | tail -n1)
    echo "| ${b%%|*} | $(stat -c %s "${b#*|}") | $text | $((data + bss)) |"
done
echo

SNS=bst-s$$ CNS=bst-c$$
sstpd_start "$SNS" "$CNS"
sd_conf "$T_TMP/c.conf"
bg "$SNS" "$T_TMP/iperf-s.log" iperf3 -s -B "$SD_LOCAL" -p 5201
declare -A MBS CPU UCPU
for r in $(seq "$ROUNDS"); do
    # Who goes first alternates, so that neither always follows the other.
    order="glibc static"; [ $((r % 2)) = 0 ] && order="static glibc"
    for kind in $order; do
        bin=$SSTPC; [ $kind = static ] && bin=$STATIC_SSTPC
        SSTPC_UNDER_TEST=$bin sstpc_start "$CNS" "$T_TMP/c.conf" "$T_TMP/sstpc-$kind-$r.log"
        wait_up "$CNS" sstpc0 20 || { cat "$SC_LOG" >&2; die "$kind: no tunnel"; }
        for dir in up down; do
            rev=(); [ $dir = down ] && rev=(-R)
            c0=$(cpu "$SC_PID") u0=$(ucpu "$SC_PID")
            ip netns exec "$CNS" iperf3 -c "$SD_LOCAL" -p 5201 -t "$SECS" -J "${rev[@]}" \
                >"$T_TMP/iperf.json" 2>&1 || { cat "$T_TMP/iperf.json" >&2; die "iperf3 $kind $dir"; }
            c1=$(cpu "$SC_PID") u1=$(ucpu "$SC_PID")
            bytes=$(jq '.end.sum_received.bytes' "$T_TMP/iperf.json")
            bps=$(jq '.end.sum_received.bytes / .end.sum_received.seconds' "$T_TMP/iperf.json")
            MBS[$kind-$dir]+="$(awk "BEGIN { printf \"%.1f\", $bps / 1e6 }") "
            CPU[$kind-$dir]+="$(awk "BEGIN { printf \"%.2f\", ($c1 - $c0) / ($bytes / 1e9) }") "
            UCPU[$kind-$dir]+="$(awk "BEGIN { printf \"%.2f\", ($u1 - $u0) / ($bytes / 1e9) }") "
            log "round $r $kind $dir: ${bps%.*} B/s"
        done
        stop_pid "$SC_PID" 10
        wait_for 5 no_leftovers "$CNS" sstpc0 || die "$kind: sstpc0 left behind"
    done
done
echo "$SECS s per run, $ROUNDS rounds taking turns (glibc first in odd rounds), medians (all runs in brackets);" \
     "load $(cut -d' ' -f1-3 /proc/loadavg) at the end."
echo
echo "| dir | glibc MB/s | static MB/s | static/glibc | glibc CPU s/GB (user) | static CPU s/GB (user) |"
echo "| --- | --- | --- | --- | --- | --- |"
for dir in up down; do
    g=$(tr ' ' '\n' <<<"${MBS[glibc-$dir]}" | grep . | median)
    s=$(tr ' ' '\n' <<<"${MBS[static-$dir]}" | grep . | median)
    gc=$(tr ' ' '\n' <<<"${CPU[glibc-$dir]}" | grep . | median)
    sc=$(tr ' ' '\n' <<<"${CPU[static-$dir]}" | grep . | median)
    gu=$(tr ' ' '\n' <<<"${UCPU[glibc-$dir]}" | grep . | median)
    su=$(tr ' ' '\n' <<<"${UCPU[static-$dir]}" | grep . | median)
    echo "| $dir | $g (${MBS[glibc-$dir]% }) | $s (${MBS[static-$dir]% }) | $(awk "BEGIN { printf \"%.3f\", $s / $g }") | $gc ($gu) | $sc ($su) |"
done
stop_pid "$SD_PID" 5
finish >/dev/null 2>&1
