#!/bin/bash
# The static binary in an empty root: a directory holding only the binary,
# its config, the CA file and /dev/net/tun, entered with chroot inside the
# client's namespace with an empty environment -- no /etc (so no
# resolv.conf, though the server offers DNS), no /proc (so no sysctl), no
# /dev/urandom, no NSS. The tunnel comes up to sstpd, a ping goes through
# it, SIGTERM removes the device and the exit status is 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ship_lib.sh"
need_root; need_cmd ip ping chroot mknod
static_build

SNS=shch-s$$ CNS=shch-c$$
sstpd_start "$SNS" "$CNS" --dns 10.77.0.53

R=$T_TMP/root
mkdir -p "$R/dev/net"
cp "$STATIC_SSTPC" "$R/sstpc"
cp "$SD_CA" "$R/ca.pem"
mknod -m 600 "$R/dev/net/tun" c 10 200 || die "mknod /dev/net/tun"
# Strict source validation has no stand-in for the kernel's rp_filter:
# without a writable /proc/sys it is a setup error, named at start.
SD_CA=/ca.pem sd_conf "$R/tunnel.conf" "ip source-validation strict"
chmod 600 "$R/tunnel.conf"
out=$(ip netns exec "$CNS" env -i "$(command -v chroot)" "$R" /sstpc -c /tunnel.conf 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q 'ip source-validation strict: cannot write net.ipv4.conf.sstpc0.rp_filter' <<<"$out" \
    && ok "source-validation without /proc/sys: exit 1: $(grep -m1 'source-validation' <<<"$out" | sed 's/^[0-9:.]* //')" \
    || { echo "$out" >&2; fail "source-validation without /proc/sys: exit $rc"; }
ip -n "$CNS" link show sstpc0 >/dev/null 2>&1 && fail "sstpc0 left after the setup error" || ok "no sstpc0 left"
rm -rf "$R/run"

# A sysctl that is only a setting (forwarding off; the data path enforces
# it anyway): with no /proc it cannot be written, which is said and does
# not stop the tunnel.
SD_CA=/ca.pem sd_conf "$R/tunnel.conf" "ip disable-forwarding"
chmod 600 "$R/tunnel.conf"
before=$(cd "$R" && find . | sort)

bg "$CNS" "$T_TMP/chroot.log" env -i "$(command -v chroot)" "$R" /sstpc -c /tunnel.conf
SC_PID=$BG_PID SC_LOG=$T_TMP/chroot.log
if wait_up "$CNS" sstpc0 30; then
    ok "tunnel up from the empty root ($(tunnel_addr "$CNS" sstpc0))"
else
    cat "$SC_LOG" >&2; die "no tunnel from the empty root"
fi
ip netns exec "$CNS" ping -c 3 -W 2 -i 0.3 "$SD_LOCAL" >/dev/null && ok "ping $SD_LOCAL through the tunnel" \
    || fail "ping through the tunnel"

# The offered DNS cannot go anywhere: one notice, no error.
wait_for 5 grep -q 'DNS servers not installed' "$SC_LOG" && ok "missing resolv.conf: $(grep -m1 'DNS servers not installed' "$SC_LOG")" \
    || fail "no notice about the DNS servers not installed"
n=$(grep -c 'DNS servers not installed' "$SC_LOG")
[ "$n" = 1 ] && ok "said once" || fail "said $n times"
grep -q 'warning: sysctl net/ipv[46]/conf/sstpc0/[a-z_]* not set' "$SC_LOG" \
    && ok "no /proc/sys: $(grep -m1 'sysctl .* not set' "$SC_LOG" | sed 's/^[0-9:.]* //')" \
    || fail "no warning about the sysctls that could not be set"
grep -iE '\b(error|fatal|crit)' "$SC_LOG" && fail "error lines in the log" || ok "no error line in the log"

stop_client "$SC_PID" "$CNS" sstpc0 "empty root"
# Only the control socket directory may have been made (and the socket
# removed again).
after=$(cd "$R" && find . | sort | grep -v '^\./run$\|^\./run/sstpc$')
[ "$before" = "$after" ] && ok "the root holds what it held before" \
    || { diff <(echo "$before") <(echo "$after") >&2; fail "the root changed"; }
stop_pid "$SD_PID" 5
finish
