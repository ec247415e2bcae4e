#!/bin/bash
# The static binary in a real container: podman builds dist/Containerfile
# (FROM scratch, no registry) and runs it with only CAP_NET_ADMIN and
# /dev/net/tun, the config and CA mounted read-only, in the client's network
# namespace (--network ns:/run/netns/NS). The tunnel comes up, a ping goes
# through it, the server's DNS lands in the container's bind-mounted
# /etc/resolv.conf (read through /proc/PID/root), and podman stop gives a
# clean CALL_DISCONNECT and exit status 0. podman keeps all its state in
# this test's directory (its own storage root, vfs driver); the few host
# directories podman and runc make whatever the options (the blob-info
# cache under /var/lib/containers, runc's /run/runc) are removed again when
# the test made them. Facts of Debian 12's podman 4.3 as root: runc, not
# crun (which refuses the hybrid cgroup layout), cgroupfs, explicit
# RLIMIT_NOFILE/NPROC (the default nofile is not permitted).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ship_lib.sh"
need_root; need_cmd ip ping podman runc
static_build

PD=$T_TMP/podman
P=(podman --root "$PD/storage" --runroot "$PD/run" --tmpdir "$PD/tmp" --storage-driver vfs
   --runtime runc --cgroup-manager cgroupfs --events-backend file)
IMG=localhost/sstpc-test-$$
CTR=sstpc-test-$$
HOST_DIRS=()
for d in /var/lib/containers /run/containers /run/libpod /run/runc; do
    [ -e "$d" ] || HOST_DIRS+=("$d")
done
podman_cleanup() {
    "${P[@]}" rm -f -t 5 "$CTR" >/dev/null 2>&1
    "${P[@]}" rmi -f "$IMG" >/dev/null 2>&1
    local d
    for d in "${HOST_DIRS[@]}"; do rm -rf "$d"; done
}
# lib.sh's t_cleanup reads the exit status from $?: hand it on.
ship_exit() {
    local rc=$?
    podman_cleanup
    (exit "$rc")
    t_cleanup
}
trap ship_exit EXIT
mkdir -p "$PD"
"${P[@]}" info >"$PD/info.log" 2>&1 || { cat "$PD/info.log" >&2; skip_external "podman cannot run on this host (podman info failed)"; }

# The build context the Containerfile expects (repository root layout),
# holding only the static binary.
CTX=$T_TMP/ctx
mkdir -p "$CTX/build-static"
cp "$STATIC_SSTPC" "$CTX/build-static/sstpc"
"${P[@]}" build -q -f "$SRC/dist/Containerfile" -t "$IMG" "$CTX" >"$PD/build.log" 2>&1 \
    && ok "podman build -f dist/Containerfile (FROM scratch)" || { cat "$PD/build.log" >&2; die "podman build"; }

SNS=shct-s$$ CNS=shct-c$$
sstpd_start "$SNS" "$CNS" --dns 10.77.0.53
mkdir -p "$T_TMP/etc"
cp "$SD_CA" "$T_TMP/etc/ca.pem"
SD_CA=/etc/sstpc/ca.pem sd_conf "$T_TMP/etc/tunnel.conf" "log-level info"
chmod 600 "$T_TMP/etc/tunnel.conf"

"${P[@]}" run -d --name "$CTR" --cap-drop ALL --cap-add NET_ADMIN --device /dev/net/tun \
    --network "ns:/run/netns/$CNS" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    -v "$T_TMP/etc/tunnel.conf:/etc/sstpc/tunnel.conf:ro" -v "$T_TMP/etc/ca.pem:/etc/sstpc/ca.pem:ro" \
    "$IMG" >"$PD/run.log" 2>&1 || { cat "$PD/run.log" >&2; die "podman run"; }
ok "podman run --cap-drop ALL --cap-add NET_ADMIN --device /dev/net/tun --network ns:…"
clog() { "${P[@]}" logs "$CTR" 2>&1; }
ctr_running() { [ "$("${P[@]}" inspect -f '{{.State.Running}}' "$CTR" 2>/dev/null)" = true ]; }
up_or_exited() { has_addr "$CNS" sstpc0 || ! ctr_running; }
if wait_for 30 up_or_exited && has_addr "$CNS" sstpc0; then
    ok "tunnel up from the container ($(tunnel_addr "$CNS" sstpc0))"
else
    clog >&2; die "no tunnel from the container"
fi
ip netns exec "$CNS" ping -c 3 -W 2 -i 0.3 "$SD_LOCAL" >/dev/null && ok "ping $SD_LOCAL through the tunnel" \
    || fail "ping through the tunnel"

CPID=$("${P[@]}" inspect -f '{{.State.Pid}}' "$CTR")
RESOLV=/proc/$CPID/root/etc/resolv.conf
if wait_for 10 grep -q '^nameserver 10.77.0.53' "$RESOLV"; then
    ok "DNS installed in the container's /etc/resolv.conf: $(grep -m1 '^nameserver' "$RESOLV")"
else
    cat "$RESOLV" >&2; clog >&2; fail "DNS not in the container's /etc/resolv.conf"
fi

"${P[@]}" stop -t 15 "$CTR" >/dev/null 2>&1 || fail "podman stop"
code=$("${P[@]}" inspect -f '{{.State.ExitCode}}' "$CTR")
[ "$code" = 0 ] && ok "podman stop: exit status 0" || { clog >&2; fail "podman stop: exit status $code"; }
clog | grepq "CALL_DISCONNECT acknowledged" && ok "clean CALL_DISCONNECT, acknowledged by the server" \
    || { clog >&2; fail "no CALL_DISCONNECT acknowledged"; }
wait_for 5 no_leftovers "$CNS" sstpc0 && ok "sstpc0 and its routes removed" || fail "sstpc0 or a route left behind"
wait_for 5 grep -q "disconnected .*peer disconnected (CALL_DISCONNECT" "$SD_LOG" \
    && ok "sstpd: $(grep -m1 -o 'peer disconnected (CALL_DISCONNECT[^)]*)' "$SD_LOG")" \
    || { tail -n 5 "$SD_LOG" >&2; fail "sstpd saw no CALL_DISCONNECT"; }
stop_pid "$SD_PID" 5
finish
