# lib.sh -- harness for the integration tests (sourced). Every test runs as
# root, makes its own network namespaces, and leaves nothing behind: what it
# creates is registered here and removed on exit, pass or fail.
set -uo pipefail
# Configs written by tests hold passwords inline; the daemon refuses a
# password file or config that group or others can read.
umask 077

T_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
SRC=${SSTPC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${SSTPC_BUILD_DIR:-$SRC/build}
SSTPC=$BUILD/sstpc
SSTPD=$BUILD/sstpd
SE_DIR=${SSTPC_SOFTETHER_DIR:-$SRC/../shared/peers/softether}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sstpc-it.XXXXXX")
T_PIDS=()
declare -A T_PSTART # PID -> its start time, when bg started it
T_NETNS=()
T_SE_DIRS=()
T_ETCNS=()
T_LINKS=()
T_FAILS=0
# Each test's daemons keep their control sockets to themselves.
export SSTPC_RUN_DIR=$T_TMP/run

log() { echo "[$T_NAME] $*" >&2; }
# grep -q that reads all of its input: under pipefail, grep -q's early exit
# can kill the writer with SIGPIPE and turn a match into "no match".
grepq() { grep "$@" >/dev/null; }
# A skip is a failure of the test command unless its reason lies outside this
# repository (a peer or guest from the shared tree missing, no package
# archive): skip_external says so. Every skip is recorded in
# $SSTPC_SKIP_LOG (when set) as "repo|external NAME: reason"; tools/test.sh
# fails on any "repo" line.
skip_as() {
    local kind=$1; shift
    log "SKIP ($kind): $*"
    [ -n "${SSTPC_SKIP_LOG:-}" ] && echo "$kind $T_NAME: $*" >>"$SSTPC_SKIP_LOG"
    exit 77
}
skip() { skip_as repo "$@"; }
skip_external() { skip_as external "$@"; }
fail() { log "FAIL: $*"; T_FAILS=$((T_FAILS + 1)); }
die() { log "FAIL: $*"; exit 1; }
ok() { log "ok: $*"; }

# pid_start PID: its start time (clock ticks since boot, /proc/PID/stat
# field 22); fails when there is no such process.
pid_start() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) } # past the command name, which may hold spaces
    # shellcheck disable=SC2086 # the fields are words
    set -- $s
    echo "${20}"
}
# own_alive PID: the process bg started is still running, not a later one
# that was given the same PID after ours ended (a test runs for minutes,
# and the kernel hands PIDs out again).
own_alive() {
    local s
    s=$(pid_start "$1") || return 1
    [ -n "$s" ] && [ "$s" = "${T_PSTART[$1]:-}" ]
}

# track_pid PID: a process this test started (not through bg), ended and
# checked for on exit like bg's.
track_pid() {
    T_PIDS+=("$1")
    T_PSTART[$1]=$(pid_start "$1")
}

t_cleanup() {
    local rc=$?
    for pid in "${T_PIDS[@]}"; do
        if own_alive "$pid"; then
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
    # Nothing of this test may outlive it: its namespaces, its processes
    # (every one of them has $T_TMP in its command line or was started by
    # PID), its veth ends (made inside the namespaces, never in ours).
    local left=""
    local nsl
    nsl=$(ip netns list)
    for ns in "${T_NETNS[@]}"; do
        grep -qw "$ns" <<<"$nsl" && left="$left netns:$ns"
    done
    for pid in "${T_PIDS[@]}"; do
        own_alive "$pid" && left="$left pid:$pid"
    done
    local p
    for p in $(pgrep -f "$T_TMP/" 2>/dev/null); do
        [ "$p" != $$ ] && left="$left proc:$p($(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | cut -c1-60))"
    done
    for l in "${T_LINKS[@]}"; do
        ip link show "$l" >/dev/null 2>&1 && left="$left link:$l"
    done
    rm -rf "$T_TMP"
    [ -e "$T_TMP" ] && left="$left dir:$T_TMP"
    if [ -n "$left" ]; then
        log "FAIL: left behind:$left"
        [ "$rc" = 77 ] || rc=1
    fi
    exit $rc
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

need_root() { [ "$(id -u)" = 0 ] || skip_external "needs root (namespaces, TUN)"; }
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
    T_LINKS+=("$a" "$b")
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
    track_pid "$BG_PID"
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
    [ -x "$SE_DIR/start" ] || skip_external "SoftEther peer scripts not found at $SE_DIR"
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

# ---- our own test server (tools/sstpd) -----------------------------------

SD_USER=alice
SD_PASSWORD='sd-Pw.1'
SD_USER2=bob
SD_PASSWORD2='sd-Pw.2'
SD_NAME=server.test

need_sstpd() { [ -x "$SSTPD" ] || die "no sstpd binary at $SSTPD (build first)"; }

# sstpd_start SERVER_NS CLIENT_NS [sstpd options]: both namespaces (the
# client one only if it does not exist yet), a veth 10.200.8.1/24 (client) –
# 10.200.8.2/24 (server), a CA + server certificate (SAN server.test and
# 10.200.8.2), a users file (alice, bob), sstpd in SERVER_NS by PID, waiting
# for its listener. Exports SD_PID SD_LOG SD_HOST SD_PORT SD_CA SD_LOCAL
# (the server's tunnel address) SD_SERVER_NS SD_CLIENT_NS. Removed on exit
# (sstpd removes its TUN on SIGTERM; the namespace goes anyway).
sstpd_start() {
    need_sstpd
    local sns=$1 cns=$2; shift 2
    # Called again with the same names: only a new sstpd (other options).
    if [ ! -e "/run/netns/$sns" ]; then
        mk_netns "$sns"
        [ -e "/run/netns/$cns" ] || mk_netns "$cns"
        veth_pair "$cns" 10.200.8.1/24 "$sns" 10.200.8.2/24
    fi
    if [ ! -f "$T_TMP/pki/ca.pem" ]; then
        "$SRC/tools/sstpd/mkcerts.sh" "$T_TMP/pki" "$SD_NAME" 10.200.8.2 >/dev/null 2>&1 \
            || die "mkcerts.sh failed"
    fi
    printf '%s %s\n%s %s\n' "$SD_USER" "$SD_PASSWORD" "$SD_USER2" "$SD_PASSWORD2" > "$T_TMP/users"
    chmod 600 "$T_TMP/users"
    SD_HOST=10.200.8.2 SD_PORT=443 SD_CA=$T_TMP/pki/ca.pem
    SD_SERVER_NS=$sns SD_CLIENT_NS=$cns
    SD_LOCAL=10.77.0.1
    local a prev=""
    for a in "$@"; do
        case $prev in --local) SD_LOCAL=$a ;; --pool) SD_LOCAL=$(echo "${a%/*}" | awk -F. '{print $1"."$2"."$3"."$4+1}') ;; esac
        prev=$a
    done
    SD_LOG=$T_TMP/sstpd-$sns.log
    bg "$sns" "$SD_LOG" "$SSTPD" --listen "$SD_HOST:$SD_PORT" --cert "$T_TMP/pki/server.pem" \
        --key "$T_TMP/pki/server.key" --users "$T_TMP/users" "$@"
    SD_PID=$BG_PID
    if ! wait_for 5 sd_listening "$sns"; then
        cat "$SD_LOG" >&2
        die "sstpd did not listen within 5 s"
    fi
    export SD_PID SD_LOG SD_HOST SD_PORT SD_CA SD_LOCAL SD_SERVER_NS SD_CLIENT_NS
}
# stop_sstpd: ends the sstpd started last (SD_PID), if any: it must exit 0
# and take its TUN (sstps0) with it. new_sstpd [options]: a fresh sstpd in
# the test's namespaces ($SNS, $CNS) after stopping the last one.
stop_sstpd() {
    [ -n "${SD_PID:-}" ] || return 0
    stop_pid "$SD_PID" 10
    [ "$STOP_RC" = 0 ] || fail "sstpd exit status $STOP_RC"
    ip -n "$SD_SERVER_NS" link show sstps0 >/dev/null 2>&1 && fail "sstpd left sstps0 behind"
    SD_PID=
}
new_sstpd() { stop_sstpd; sstpd_start "$SNS" "$CNS" "$@"; }
sd_listening() { kill -0 "$SD_PID" && [ -n "$(ip netns exec "$1" ss -Hltn "sport = :$SD_PORT")" ]; }

# sd_conf FILE [extra lines...]: a tunnel.conf for sstpd (alice, server-name
# server.test, our CA, no default route); extra lines are appended verbatim.
sd_conf() {
    local f=$1; shift
    {
        echo "interface sstpc0"
        echo "server $SD_HOST"
        echo "port $SD_PORT"
        echo "authentication username $SD_USER"
        echo "authentication password '$SD_PASSWORD'"
        echo "ssl server-name $SD_NAME"
        echo "ssl ca-certificate $SD_CA"
        echo "no-default-route"
        local l
        for l in "$@"; do echo "$l"; done
    } > "$f"
}

# sstpc_start NS CONF [LOG]: the client in NS by PID (SC_PID, SC_LOG). Its
# control socket lives in a run dir of its own (two clients may both call
# their TUN sstpc0 in different namespaces) and DNS goes to a file of the
# test (SC_RESOLV), never to the host's /etc/resolv.conf.
sstpc_start() {
    local ns=$1 conf=$2
    SC_LOG=${3:-$T_TMP/sstpc-$ns.log}
    SC_RUN=$T_TMP/run-$ns
    SC_RESOLV=$T_TMP/resolv-$ns.conf
    mkdir -p "$SC_RUN"
    [ -f "$SC_RESOLV" ] || printf 'nameserver 192.0.2.53\n' > "$SC_RESOLV"
    bg "$ns" "$SC_LOG" env SSTPC_RUN_DIR="$SC_RUN" SSTPC_RESOLV_CONF="$SC_RESOLV" \
        "${SSTPC_UNDER_TEST:-$SSTPC}" -c "$conf"
    SC_PID=$BG_PID
}

# sstpc_cli NS ARGS...: the CLI against the client started in NS.
sstpc_cli() {
    local ns=$1; shift
    ip netns exec "$ns" env SSTPC_RUN_DIR="$T_TMP/run-$ns" "$SSTPC" "$@"
}

# wait_up NS IF SECONDS: 0 once IF has an IPv4 address; gives up early when
# the client started last (SC_PID) has exited.
wait_up() {
    wait_for "$3" up_or_gone "$1" "$2" && has_addr "$1" "$2"
}
up_or_gone() { has_addr "$1" "$2" || ! kill -0 "${SC_PID:-0}" 2>/dev/null; }

# no_leftovers NS IF: the device is gone and no route mentions it.
no_leftovers() {
    local r
    r=$(ip -n "$1" route show table all 2>/dev/null; ip -n "$1" -6 route show table all 2>/dev/null)
    ! ip -n "$1" link show "$2" >/dev/null 2>&1 && ! grep -q "dev $2\b" <<<"$r"
}

# sd_transfer DIRECTION PORT LABEL: SIZE bytes of random data through the
# tunnel to sstpd's address (tcpsha.py: up = the client sends, down = the
# server sends), the SHA-256 taken on both ends; one check that both saw
# all of it with the same digest (with the rate in MB/s).
sd_transfer() {
    local dir=$1 port=$2 label=$3 sroleS sroleC tcpsha=$SRC/tests/integration/tcpsha.py
    if [ "$dir" = up ]; then sroleS=recv; sroleC=send:$SIZE; else sroleS=send:$SIZE; sroleC=recv; fi
    rm -f "$T_TMP/s.sum" "$T_TMP/c.sum"
    bg "$SD_SERVER_NS" "$T_TMP/srv-$label-$dir.log" python3 "$tcpsha" listen "$SD_LOCAL" "$port" "$sroleS" "$T_TMP/s.sum"
    local spid=$BG_PID t0 t1 a b
    t0=$(date +%s%N)
    timeout 120 ip netns exec "$SD_CLIENT_NS" python3 "$tcpsha" connect "$SD_LOCAL" "$port" "$sroleC" "$T_TMP/c.sum" \
        || fail "$label $dir: client side of the transfer failed"
    wait "$spid"
    t1=$(date +%s%N)
    a=$(cat "$T_TMP/c.sum" 2>/dev/null) b=$(cat "$T_TMP/s.sum" 2>/dev/null)
    if [ -n "$a" ] && [ "$a" = "$b" ] && [ "${a%% *}" = "$SIZE" ]; then
        ok "$label $dir: $SIZE bytes, sha256 ${a#* } on both ends ($(( SIZE / ((t1 - t0) / 1000000 + 1) / 1000 )) MB/s)"
    else
        fail "$label $dir: client '$a' vs server '$b'"
    fi
}

# stop_client PID NS IF WHAT: SIGTERM; asserts exit status 0 and no leftovers.
stop_client() {
    stop_pid "$1" 10
    [ "$STOP_RC" = 0 ] && ok "$4: SIGTERM → exit 0" || fail "$4: SIGTERM → exit status $STOP_RC"
    no_leftovers "$2" "$3" && ok "$4: $3 and its routes removed" || fail "$4: $3 or a route left behind"
}

# not_signal RC: the exit status is not 128+N from a signal.
not_signal() { [ "$1" -le 128 ] || [ "$1" -gt 192 ]; }
