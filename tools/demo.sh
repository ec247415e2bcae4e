#!/bin/bash
# demo.sh -- the bundled default, end to end, on a fresh Debian 12 machine
# (as root): builds sstpc and its test server, starts the server in one
# network namespace and the client in another (joined by a veth), shows the
# tunnel, pings through it, moves a file through it with a checksum, and
# tears everything down again. It uses the integration tests' harness
# (tests/integration/lib.sh), so it sets up and cleans up exactly as they do.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD_DIR:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, TUN devices)" >&2; exit 1; }

tools/deps.sh
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target sstpc sstpd >/dev/null

export SSTPC_BUILD_DIR=$BUILD SSTPC_SOURCE_DIR=$ROOT
. tests/integration/lib.sh
# lib.sh's harness is written for -u/pipefail without -e (its cleanup tolerates
# failed commands); every step below checks its own result.
set +eu
step() { printf '\n== %s\n' "$*"; }

SRV=sstpc-demo-srv$$ CLI=sstpc-demo-cli$$
step "two network namespaces joined by a veth, a throw-away CA, the SSTP test server"
sstpd_start "$SRV" "$CLI" --dns 10.77.0.53
echo "server $SD_HOST:$SD_PORT in $SRV, client namespace $CLI, server tunnel address $SD_LOCAL"

step "tunnel.conf"
printf '%s\n' "$SD_PASSWORD" > "$T_TMP/password"; chmod 600 "$T_TMP/password"
cat > "$T_TMP/tunnel.conf" <<CONF
interface sstpc0
server $SD_HOST
ssl server-name $SD_NAME
ssl ca-certificate $SD_CA
authentication username $SD_USER
authentication password-file $T_TMP/password
description 'sstpc demo tunnel'
default-route-distance 210
ip adjust-mss clamp-mss-to-pmtu
CONF
cat "$T_TMP/tunnel.conf"
"$SSTPC" --check -c "$T_TMP/tunnel.conf" >/dev/null || die "--check refused the demo config"

step "sstpc -c tunnel.conf (in the client namespace)"
t0=$(date +%s%N)
sstpc_start "$CLI" "$T_TMP/tunnel.conf"
if ! wait_up "$CLI" sstpc0 15; then
    cat "$SC_LOG"; echo "demo: the tunnel did not come up; server log:" >&2; cat "$SD_LOG" >&2
    exit 1
fi
echo "tunnel up in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
cat "$SC_LOG"

step "sstpc show interfaces sstpc sstpc0"
sstpc_cli "$CLI" show interfaces sstpc sstpc0

step "routes in the client namespace"
ip -n "$CLI" route

step "ping through the tunnel"
ip netns exec "$CLI" ping -c 3 -i 0.2 "$SD_LOCAL" || die "no ping through the tunnel"

step "a 20 MB file through the tunnel, checksummed on both ends"
head -c 20000000 /dev/urandom > "$T_TMP/file"
bg "$SRV" "$T_TMP/nc.log" sh -c "nc -l $SD_LOCAL 5001 | sha256sum > $T_TMP/got"
NCP=$BG_PID
wait_for 5 sh -c "ip netns exec $SRV ss -Hltn 'sport = :5001' | grep -q ." || die "no listener"
ip netns exec "$CLI" nc -N "$SD_LOCAL" 5001 < "$T_TMP/file" || die "nc through the tunnel failed"
wait "$NCP" || true
want=$(sha256sum < "$T_TMP/file" | cut -d' ' -f1); got=$(cut -d' ' -f1 "$T_TMP/got")
echo "sent $want"; echo "got  $got"
[ "$want" = "$got" ] || die "checksum mismatch"

step "counters after the transfer"
sstpc_cli "$CLI" show interfaces sstpc sstpc0 | sed -n '/RX:/,/^$/p'

step "SIGTERM: clean disconnect, everything undone"
stop_client "$SC_PID" "$CLI" sstpc0 demo
tail -n 3 "$SC_LOG"
[ "$T_FAILS" = 0 ] || exit 1
echo
echo "demo: OK"
