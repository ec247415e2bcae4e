# lib.sh -- harness for the integration tests (sourced). Every test runs as
# root, makes its own network namespaces, and leaves nothing behind: what it
# creates is registered here and removed on exit, pass or fail.
set -uo pipefail

T_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
SRC=${SSTPC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${SSTPC_BUILD_DIR:-$SRC/build}
SSTPC=$BUILD/sstpc
SSTPD=$BUILD/sstpd
SE_DIR=${SSTPC_SOFTETHER_DIR:-$SRC/../shared/peers/softether}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sstpc-it.XXXXXX")
T_PIDS=()
T_NETNS=()
T_SE_DIRS=()
T_ETCNS=()
T_FAILS=0
# Each test's daemons keep their control sockets to themselves.
export SSTPC_RUN_DIR=$T_TMP/run

log() { echo "[$T_NAME] $*" >&2; }
skip() { log "SKIP: $*"; exit 77; }
fail() { log "FAIL: $*"; T_FAILS=$((T_FAILS + 1)); }
die() { log "FAIL: $*"; exit 1; }
ok() { log "ok: $*"; }

t_cleanup() {
    local rc=$?
    for pid in "${T_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    for d in "${T_SE_DIRS[@]}"; do
        "$SE_DIR/stop" "$d" >/dev/null 2>&1 || true
    done
    for ns in "${T_NETNS[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    for d in "${T_ETCNS[@]}"; do
        rm -rf "$d"
    done
    rm -rf "$T_TMP"
    exit $rc
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (namespaces, TUN)"; }
need_cmd() { for c in "$@"; do command -v "$c" >/dev/null || skip "missing command $c"; done; }
need_sstpc() { [ -x "$SSTPC" ] || die "no sstpc binary at $SSTPC (build first)"; }

# mk_netns NAME: a new namespace with lo up, removed on exit. It gets its own
# resolv.conf (ip netns exec bind-mounts /etc/netns/NAME/resolv.conf), so a
# tunnel that installs DNS never touches the host's file.
mk_netns() {
    ip netns add "$1" || die "ip netns add $1"
    T_NETNS+=("$1")
    ip -n "$1" link set lo up
    if [ ! -e "/etc/netns/$1" ]; then
        mkdir -p "/etc/netns/$1"
        printf '# %s test namespace\nnameserver 127.0.0.1\n' "$1" > "/etc/netns/$1/resolv.conf"
        T_ETCNS+=("/etc/netns/$1")
    fi
}

# veth_pair NS1 IP1 NS2 IP2 (IPs with /prefix)
veth_pair() {
    local a="v${RANDOM}a" b="v${RANDOM}b"
    ip link add "$a" netns "$1" type veth peer name "$b" netns "$3" || die "veth"
    ip -n "$1" addr add "$2" dev "$a"; ip -n "$1" link set "$a" up
    ip -n "$3" addr add "$4" dev "$b"; ip -n "$3" link set "$b" up
}

# bg NS LOGFILE CMD...: starts CMD in NS in the background; sets BG_PID.
bg() {
    local ns=$1 logf=$2; shift 2
    if [ -n "$ns" ]; then
        ip netns exec "$ns" "$@" >"$logf" 2>&1 &
    else
        "$@" >"$logf" 2>&1 &
    fi
    BG_PID=$!
    T_PIDS+=("$BG_PID")
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s; 0 when it succeeded.
wait_for() {
    local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
    while [ $(( $(date +%s%N) / 1000000 )) -lt "$deadline" ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# stop_pid PID [SECONDS]: SIGTERM and wait; the exit status lands in STOP_RC
# (not a subshell: only this shell can wait for its children).
stop_pid() {
    local pid=$1 t=${2:-10}
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq $((t * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
    fi
    wait "$pid"
    STOP_RC=$?
}

# tunnel_addr NS IF: the IPv4 address on IF (empty if none)
tunnel_addr() {
    ip -n "$1" -4 -o addr show dev "$2" 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n1
}
has_addr() { [ -n "$(tunnel_addr "$1" "$2")" ]; }

# softether SERVER_NS CLIENT_NS [start options]: two namespaces joined by a
# veth (10.200.7.1 client, 10.200.7.2 server), SoftEther listening in the
# server one on 10.200.7.2 (its certificate names that address); evaluates
# the SE_* variables. Everything is removed on exit.
softether() {
    [ -x "$SE_DIR/start" ] || skip "SoftEther peer scripts not found at $SE_DIR"
    local sns=$1 cns=$2; shift 2
    mk_netns "$sns"
    [ -e "/run/netns/$cns" ] || mk_netns "$cns"
    veth_pair "$cns" 10.200.7.1/24 "$sns" 10.200.7.2/24
    local out
    out=$(SE_LISTEN_IP=10.200.7.2 "$SE_DIR/start" -n "$sns" "$@" 2>"$T_TMP/se-start.log") \
        || { cat "$T_TMP/se-start.log" >&2; die "SoftEther did not start"; }
    eval "$out"
    T_SE_DIRS+=("$SE_STATE_DIR")
}

# finish: the closing line and exit status.
finish() {
    if [ "$T_FAILS" -gt 0 ]; then
        log "$T_FAILS check(s) failed"
        exit 1
    fi
    log "PASS"
    exit 0
}
