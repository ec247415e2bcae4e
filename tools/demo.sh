#!/bin/bash
# demo.sh -- the bundled default, end to end, on a fresh Debian 12 machine
# (as root): builds sstpc and its test server, starts the server in one
# network namespace and the client in another (joined by a veth), shows the
# tunnel, pings through it, moves a file through it with a checksum, and
# tears everything down again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD_DIR:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, TUN devices)" >&2; exit 1; }

tools/deps.sh
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target sstpc sstpd >/dev/null
SSTPC=$BUILD/sstpc
SSTPD=$BUILD/sstpd

SRV=sstpc-demo-srv$$ CLI=sstpc-demo-cli$$
TMP=$(mktemp -d /tmp/sstpc-demo.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    ip netns del "$CLI" 2>/dev/null || true
    ip netns del "$SRV" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "two network namespaces joined by a veth: server 10.200.9.2, client 10.200.9.1"
ip netns add "$SRV"; ip netns add "$CLI"
ip -n "$SRV" link set lo up; ip -n "$CLI" link set lo up
ip link add demo$$a netns "$CLI" type veth peer name demo$$b netns "$SRV"
ip -n "$CLI" addr add 10.200.9.1/24 dev demo$$a; ip -n "$CLI" link set demo$$a up
ip -n "$SRV" addr add 10.200.9.2/24 dev demo$$b; ip -n "$SRV" link set demo$$b up

step "a throw-away CA and server certificate, a user, the SSTP test server"
tools/sstpd/mkcerts.sh "$TMP/pki" server.test 10.200.9.2 >/dev/null 2>&1
echo "demo demo-password" > "$TMP/users"
chmod 600 "$TMP/users"
ip netns exec "$SRV" "$SSTPD" --listen 10.200.9.2:443 --cert "$TMP/pki/server.pem" \
    --key "$TMP/pki/server.key" --users "$TMP/users" --local 10.77.0.1 --pool 10.77.0.0/24 \
    --dns 10.77.0.53 > "$TMP/sstpd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do ip netns exec "$SRV" ss -Hltn 'sport = :443' | grep -q . && break; sleep 0.1; done

step "tunnel.conf"
cat > "$TMP/tunnel.conf" <<CONF
interface sstpc0
server 10.200.9.2
ssl server-name server.test
ssl ca-certificate $TMP/pki/ca.pem
authentication username demo
authentication password-file $TMP/password
description 'sstpc demo tunnel'
default-route-distance 210
ip adjust-mss clamp-mss-to-pmtu
CONF
printf 'demo-password\n' > "$TMP/password"; chmod 600 "$TMP/password"
cat "$TMP/tunnel.conf"
"$SSTPC" --check -c "$TMP/tunnel.conf" >/dev/null

step "sstpc -c tunnel.conf (in the client namespace)"
t0=$(date +%s%N)
ip netns exec "$CLI" "$SSTPC" -c "$TMP/tunnel.conf" > "$TMP/sstpc.log" 2>&1 &
PIDS+=($!)
up=0
for _ in $(seq 150); do
    if ip -n "$CLI" -4 -o addr show dev sstpc0 2>/dev/null | grep -q inet; then up=1; break; fi
    sleep 0.1
done
cat "$TMP/sstpc.log"
[ $up = 1 ] || { echo "demo: the tunnel did not come up; server log:" >&2; cat "$TMP/sstpd.log" >&2; exit 1; }
echo "tunnel up in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

step "sstpc show interfaces sstpc sstpc0"
ip netns exec "$CLI" "$SSTPC" show interfaces sstpc sstpc0

step "routes in the client namespace"
ip -n "$CLI" route

step "ping through the tunnel"
ip netns exec "$CLI" ping -c 3 -i 0.2 10.77.0.1

step "a 20 MB file through the tunnel, checksummed on both ends"
head -c 20000000 /dev/urandom > "$TMP/file"
ip netns exec "$SRV" sh -c "nc -l 10.77.0.1 5001 | sha256sum > $TMP/got" &
NCP=$!
PIDS+=($NCP)
for _ in $(seq 50); do ip netns exec "$SRV" ss -Hltn 'sport = :5001' | grep -q . && break; sleep 0.1; done
ip netns exec "$CLI" nc -N 10.77.0.1 5001 < "$TMP/file"
wait "$NCP" || true
want=$(sha256sum < "$TMP/file" | cut -d' ' -f1); got=$(cut -d' ' -f1 "$TMP/got")
echo "sent $want"; echo "got  $got"
[ "$want" = "$got" ] || { echo "demo: checksum mismatch" >&2; exit 1; }

step "counters after the transfer"
ip netns exec "$CLI" "$SSTPC" show interfaces sstpc sstpc0 | sed -n '/RX:/,/^$/p'

step "SIGTERM: clean disconnect, everything undone"
kill -TERM "${PIDS[1]}"; wait "${PIDS[1]}" || true
tail -n 3 "$TMP/sstpc.log"
ip -n "$CLI" link show sstpc0 >/dev/null 2>&1 && echo "sstpc0 still there?!" || echo "sstpc0 removed"
echo
echo "demo: OK"
