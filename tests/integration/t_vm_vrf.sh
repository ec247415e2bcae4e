#!/bin/bash
# `vrf red` for real: this machine's kernel has no VRF, so the client runs in
# a QEMU guest with Debian bookworm's own kernel (vrf and tun modules; see
# shared/vm/README.md). sstpd runs in a namespace of this test on that
# namespace's loopback, qemu runs in the same namespace, so the guest reaches
# it as 10.0.2.2 (slirp) and nothing listens outside the namespace.
# The guest script prints facts as "VM: ..." lines on the serial console;
# this side parses them and asserts: sstpc0 enslaved to red (master red),
# connected, configured and default routes in table 10 and none in main, a
# ping -I red through the tunnel, `sstpc show`, SIGTERM → exit 0 and sstpc0
# gone, and a missing `vrf blue` → exit 1 with the clear message.
# SSTPC_VM_GUEST=DIR reuses a guest built by build-guest.sh (else built here);
# SSTPC_VM_CONSOLE=FILE keeps the guest's console output.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_sstpd
VM_DIR=${SSTPC_VM_DIR:-$SRC/../shared/vm}
[ -x "$VM_DIR/run-guest.sh" ] && [ -x "$VM_DIR/build-guest.sh" ] \
    || skip_external "no QEMU guest scripts at $VM_DIR (shared/vm)"
need_cmd ip ss openssl

# qemu, cpio (guest initramfs), depmod (kmod): installed only when missing.
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v cpio >/dev/null || missing+=(cpio)
command -v depmod >/dev/null || missing+=(kmod)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
             apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; } >"$T_TMP/apt.log" 2>&1 \
        || { tail -n 5 "$T_TMP/apt.log" >&2; skip_external "cannot install ${missing[*]}"; }
fi

t_start=$(date +%s%N)
G=${SSTPC_VM_GUEST:-}
if [ -z "$G" ]; then
    G=$T_TMP/guest
    # build-guest.sh fetches bookworm packages with apt-get download: no
    # mirror, no guest; that is the environment, not the client.
    "$VM_DIR/build-guest.sh" "$G" >"$T_TMP/build.log" 2>&1 \
        || { tail -n 5 "$T_TMP/build.log" >&2; skip_external "cannot build the guest (build-guest.sh failed)"; }
fi
[ -f "$G/vmlinuz" ] && [ -f "$G/initrd.img" ] || die "no guest in $G"
log "guest ready in $(( ($(date +%s%N) - t_start) / 1000000 )) ms"

# ---- the server: sstpd on the loopback of a namespace of ours -------------
NS=sstpvm$$
mk_netns "$NS"
"$SRC/tools/sstpd/mkcerts.sh" "$T_TMP/pki" "$SD_NAME" 127.0.0.1 >/dev/null 2>&1 || die "mkcerts.sh failed"
printf '%s %s\n' "$SD_USER" "$SD_PASSWORD" > "$T_TMP/users"
chmod 600 "$T_TMP/users"
bg "$NS" "$T_TMP/sstpd.log" "$SSTPD" --listen 127.0.0.1:443 --cert "$T_TMP/pki/server.pem" \
    --key "$T_TMP/pki/server.key" --users "$T_TMP/users" --local 10.77.0.1 --pool 10.77.0.0/24
SD_PID=$BG_PID
wait_for 5 ip netns exec "$NS" sh -c "ss -Hltn 'sport = :443' | grep -q ." \
    || { cat "$T_TMP/sstpd.log" >&2; die "sstpd did not listen"; }

# ---- what goes into the guest (files land in / by basename) ---------------
mkdir -p "$T_TMP/files"
F=$T_TMP/files
cp "$SSTPC" "$F/sstpc"
cp "$T_TMP/pki/ca.pem" "$F/ca.pem"
conf() { # conf FILE VRF: the tunnel to sstpd as the guest sees it
    cat > "$1" <<CONF
interface sstpc0
server 10.0.2.2
port 443
authentication username $SD_USER
authentication password '$SD_PASSWORD'
ssl server-name $SD_NAME
ssl ca-certificate /ca.pem
vrf $2
ip route 10.99.0.0/24
CONF
}
conf "$F/red.conf" red
conf "$F/blue.conf" blue
cat > "$F/guest.sh" <<'GUEST'
#!/bin/sh
# busybox sh; /sbin/ip is iproute2 (busybox ip cannot make a VRF).
IP=/sbin/ip
p() { sed "s/^/VM: $1: /"; }
export SSTPC_RESOLV_CONF=/tmp/resolv.conf SSTPC_RUN_DIR=/run/sstpc-test
mkdir -p /run/sstpc-test
/sstpc --version 2>&1 | p version
$IP link add red type vrf table 10 && $IP link set red up && echo "VM: vrf red made"
# `vrf blue` does not exist: refused before anything is made.
/sstpc -c /blue.conf >/tmp/blue.out 2>&1
echo "VM: blue rc=$?"
p blue-out </tmp/blue.out
$IP link show sstpc0 >/dev/null 2>&1 && echo "VM: blue left sstpc0" || echo "VM: blue no sstpc0"

$IP route show table main 2>&1 | p main-route-before
t0=$(cut -d' ' -f1 /proc/uptime)
/sstpc -c /red.conf >/tmp/sstpc.log 2>&1 &
PID=$!
i=0
while [ $i -lt 300 ]; do
    $IP -4 addr show dev sstpc0 2>/dev/null | grep -q inet && break
    kill -0 $PID 2>/dev/null || break
    sleep 0.1; i=$((i + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
echo "VM: up from $t0 to $t1"
$IP -4 addr show dev sstpc0 2>&1 | p addr
$IP -d link show sstpc0 2>&1 | p link
$IP route show vrf red 2>&1 | p vrf-route
$IP route show table main 2>&1 | p main-route
$IP route get vrf red 10.77.0.1 2>&1 | head -n1 | p get-vrf
$IP route get 10.77.0.1 2>&1 | head -n1 | p get-main
ping -c 3 -W 3 -I red 10.77.0.1 2>&1 | p ping
/sstpc show interfaces sstpc sstpc0 2>&1 | p show
kill -TERM $PID
wait $PID
echo "VM: term rc=$?"
$IP link show sstpc0 >/dev/null 2>&1 && echo "VM: sstpc0 still there" || echo "VM: sstpc0 gone"
$IP route show vrf red 2>&1 | p vrf-route-after
$IP route show table main 2>&1 | p main-route-after
p log </tmp/sstpc.log
GUEST

# ---- boot it ----------------------------------------------------------------
t_boot=$(date +%s%N)
bg "" "$T_TMP/console.log" env QEMU_NETNS="$NS" QEMU_PIDFILE="$T_TMP/qemu.pid" QEMU_TIMEOUT=170 \
    "$VM_DIR/run-guest.sh" "$G" "$F/guest.sh" "$F/sstpc" "$F/ca.pem" "$F/red.conf" "$F/blue.conf"
RUN_PID=$BG_PID
# qemu itself by PID too (run-guest.sh runs it under timeout)
wait_for 30 test -s "$T_TMP/qemu.pid" && track_pid "$(cat "$T_TMP/qemu.pid")"
wait_for 180 sh -c "! kill -0 $RUN_PID" || fail "the guest did not finish within 180 s"
wait "$RUN_PID" 2>/dev/null
log "guest boot + script + poweroff: $(( ($(date +%s%N) - t_boot) / 1000000 )) ms"

C=$T_TMP/console.log
# SSTPC_VM_CONSOLE=FILE keeps a copy of the guest's console for a report.
[ -n "${SSTPC_VM_CONSOLE:-}" ] && cp "$C" "$SSTPC_VM_CONSOLE"
vm() { sed -n "s/^[0-9.]* VM: $1: //p" "$C"; }
vm1() { sed -n "s/^[0-9.]* VM: $1//p" "$C" | head -n1; }
grep -q "GUEST-READY" "$C" || { cat "$C" >&2; die "the guest did not boot"; }
log "guest: $(grep -o 'GUEST-READY.*' "$C" | tr -d '\r')"
vm version | grepq '^sstpc ' && ok "our sstpc runs in the guest: $(vm version | tr '\n' ' ')" \
    || { cat "$C" >&2; die "sstpc does not run in the guest"; }
grep -q "VM: vrf red made" "$C" && ok "guest made vrf red (table 10)" \
    || fail "guest could not make vrf red"

# missing VRF
[ "$(vm1 'blue rc=')" = 1 ] && ok "vrf blue missing: exit 1" || fail "vrf blue: exit '$(vm1 'blue rc=')'"
vm blue-out | grepq "vrf blue: no such VRF device" && ok "vrf blue: $(vm blue-out | head -n1 | cut -c1-110)" \
    || fail "vrf blue: no clear message: $(vm blue-out | tr '\n' ' ')"
grep -q "VM: blue no sstpc0" "$C" && ok "vrf blue: no sstpc0 made" || fail "vrf blue left sstpc0"

# the tunnel in red
log "$(grep -o 'VM: up from.*' "$C")"
addr=$(vm addr | awk '$1 == "inet" {print $2, $3, $4}')
case $addr in "10.77.0."*" peer 10.77.0.1/32") ok "sstpc0 address: $addr" ;; *) fail "sstpc0 address '$addr'" ;; esac
vm link | head -n1 | grepq "master red" && ok "ip -d link: $(vm link | head -n1 | grep -o 'sstpc0:.*master red')" \
    || fail "sstpc0 not enslaved: $(vm link | head -n1)"
vm link | grepq "vrf_slave table 10" && ok "ip -d link: vrf_slave table 10" || fail "no vrf_slave table 10"
# The address carries IFA_F_NOPREFIXROUTE; the host route to the peer is
# ours, in the VRF's table (docs/tun.md).
vm vrf-route | grepq "^10.77.0.1 dev sstpc0 proto static" && ok "vrf red: host route to the peer in table 10" \
    || fail "vrf red: no peer route: $(vm vrf-route | tr '\n' '|')"
vm vrf-route | grepq "^10.99.0.0/24 dev sstpc0" && ok "vrf red: configured route 10.99.0.0/24" \
    || fail "vrf red: configured route missing: $(vm vrf-route | tr '\n' '|')"
vm vrf-route | grepq "^default dev sstpc0" && ok "vrf red: default route through the tunnel" \
    || fail "vrf red: no default route: $(vm vrf-route | tr '\n' '|')"
vm main-route | grepq "sstpc0" && fail "main table has tunnel routes: $(vm main-route | grep sstpc0 | tr '\n' '|')" \
    || ok "main table: nothing through sstpc0"
[ "$(vm main-route | grep -c '^default')" = 1 ] && vm main-route | grepq "^default via 10.0.2.2 dev eth0" \
    && ok "main table: default still via eth0 only" || fail "main default changed: $(vm main-route | tr '\n' '|')"
vm get-vrf | grepq "dev sstpc0 table 10" && ok "route get vrf red 10.77.0.1: $(vm get-vrf)" \
    || fail "route get vrf red: $(vm get-vrf)"
vm get-main | grepq "dev sstpc0" && fail "main lookup goes through sstpc0: $(vm get-main)" \
    || ok "route get 10.77.0.1 outside the VRF: $(vm get-main)"
vm ping | grepq "3 packets transmitted, 3 packets received" \
    && ok "ping -I red 10.77.0.1: $(vm ping | grep round-trip)" || fail "ping -I red: $(vm ping | tr '\n' '|')"
vm show | grepq "state connected" && vm show | grepq "ipv4 10.77.0.* peer 10.77.0.1" \
    && ok "sstpc show interfaces sstpc sstpc0: connected, $(vm show | grep -o 'tls .*')" \
    || fail "sstpc show: $(vm show | tr '\n' '|')"
rxp=$(vm show | awk '/RX:/ {getline; print $2; exit}')
[ "${rxp:-0}" -ge 3 ] && ok "sstpc0 counted $rxp packets in (the replies came through the tunnel)" \
    || fail "sstpc0 RX packets '$rxp'"

# teardown in the guest
[ "$(vm1 'term rc=')" = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit '$(vm1 'term rc=')'"
grep -q "VM: sstpc0 gone" "$C" && ok "sstpc0 gone after SIGTERM" || fail "sstpc0 still there"
vm vrf-route-after | grepq "sstpc0" && fail "routes left in vrf red: $(vm vrf-route-after | tr '\n' '|')" \
    || ok "vrf red table empty of tunnel routes"
[ "$(vm main-route-after)" = "$(vm main-route-before)" ] && ok "main table back as before" \
    || fail "main table changed: $(vm main-route-after | tr '\n' '|')"
grep -q "GUEST-DONE rc=0" "$C" && ok "guest script completed" || fail "guest script did not complete"
if [ "$T_FAILS" -gt 0 ]; then
    log "guest console:"; grep "VM: " "$C" >&2
fi

stop_pid "$SD_PID" 10
log "total $(( ($(date +%s%N) - t_start) / 1000000 )) ms"
finish
