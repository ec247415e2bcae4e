#!/bin/bash
# DNS from IPCP into resolv.conf, as the client namespace sees it: `ip netns
# exec` bind-mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf, so the
# daemon's temp-file rename fails (EBUSY) and it must write in place. While
# up: `nameserver 192.168.30.1` first, the other lines kept; after
# disconnect and after SIGTERM: the original bytes (cmp). no-peer-dns: the
# file is never touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/opt_lib.sh"
need_root; need_sstpc; need_cmd ip cmp

CLIENT_NS=sstpo-dc$$
SERVER_NS=sstpo-ds$$
opt_peer
RC=/etc/netns/$CLIENT_NS/resolv.conf
printf '# test resolv.conf for %s\nsearch example.test\nnameserver 9.9.9.9\noptions ndots:2 timeout:1\n' "$CLIENT_NS" > "$RC"
chmod 0640 "$RC"
cp -p "$RC" "$T_TMP/orig"
inode=$(stat -c %i "$RC")
# What the daemon's namespace sees must be our file.
ip netns exec "$CLIENT_NS" cmp -s /etc/resolv.conf "$T_TMP/orig" || die "bind mount of $RC not in effect"

same_as_orig() { cmp -s "$RC" "$T_TMP/orig"; }
ns_view() { ip netns exec "$CLIENT_NS" cat /etc/resolv.conf; }

# The daemon's view holds only while /etc/resolv.conf's dentry lives: when
# another process renames a file over the host's /etc/resolv.conf (another
# tunnel test without a resolv.conf of its own does exactly that), the
# kernel detaches every mount on the old dentry in every namespace, and the
# daemon would then write the host's file. Such a run says nothing about
# sstpc, so it is repeated (up to 3 times) and the interference is logged.
bound() { grep -q ' /etc/resolv.conf ' "/proc/$OPT_PID/mountinfo" 2>/dev/null; }

# --- peer DNS
phase_peer_dns() {
    opt_conf "$T_TMP/a.conf" "no-default-route" "log-level info"
    opt_start "$T_TMP/a.conf" "$T_TMP/a.log"
    bound || log "warning: the daemon's bind mount is gone already"
    wait_for 5 grep -q '^nameserver 192.168.30.1$' "$RC" && ok "resolv.conf has nameserver 192.168.30.1 while up" \
        || { cat "$RC" >&2; fail "no 'nameserver 192.168.30.1' in $RC"; }
    [ "$(head -n1 "$RC")" = "nameserver 192.168.30.1" ] && ok "the peer's server comes first" || fail "first line: $(head -n1 "$RC")"
    grep -q '^nameserver 9.9.9.9$' "$RC" && fail "the old nameserver line is still there" || ok "old nameserver line replaced"
    grep -q '^search example.test$' "$RC" && grep -q '^options ndots:2 timeout:1$' "$RC" && grep -q '^# test resolv.conf' "$RC" \
        && ok "search, options and comment kept" || fail "other lines lost: $(cat "$RC")"
    ns_view | grepq '^nameserver 192.168.30.1$' && ok "the namespace's /etc/resolv.conf shows it" || fail "namespace view differs"
    [ "$(stat -c %a "$RC")" = 640 ] && ok "mode 0640 kept" || fail "mode now $(stat -c %a "$RC")"
    [ ! -e /etc/resolv.conf.sstpc-tmp ] && [ ! -e "$RC.sstpc-tmp" ] && ok "no temp file left" || fail "a .sstpc-tmp file is left"
    # Same inode: written in place through the bind mount (the rename over a
    # mount point fails with EBUSY), not replaced beside it.
    [ "$(stat -c %i "$RC")" = "$inode" ] && ok "written in place (same inode)" || fail "the file was replaced (inode changed)"

    opt_ctl disconnect interface sstpc0 >/dev/null 2>&1 || fail "disconnect interface"
    wait_for 10 same_as_orig && ok "after disconnect: byte-for-byte the original" || { diff "$T_TMP/orig" "$RC" >&2; fail "not restored after disconnect"; }
    opt_ctl connect interface sstpc0 >/dev/null 2>&1 || fail "connect interface"
    wait_for 30 grep -q '^nameserver 192.168.30.1$' "$RC" && ok "after connect: nameserver 192.168.30.1 again" || fail "no DNS after connect"

    stop_pid "$OPT_PID" 10
    [ "$STOP_RC" = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit status $STOP_RC"
    same_as_orig && ok "after SIGTERM: byte-for-byte the original" || { diff "$T_TMP/orig" "$RC" >&2; fail "not restored after SIGTERM"; }
    [ "$(stat -c %a "$RC")" = 640 ] && ok "after SIGTERM: mode 0640" || fail "mode after SIGTERM $(stat -c %a "$RC")"

}
for attempt in 1 2 3; do
    fails0=$T_FAILS
    host_ino=$(stat -c %i /etc/resolv.conf)
    phase_peer_dns
    [ "$(stat -c %i /etc/resolv.conf)" = "$host_ino" ] && break
    log "attempt $attempt: the host's /etc/resolv.conf was replaced by another process meanwhile; repeating"
    T_FAILS=$fails0
    cp -p "$T_TMP/orig" "$RC"
done

# --- no-peer-dns: never touched (same inode, same bytes, same mtime)
before=$(stat -c '%i %Y %s' "$RC")
opt_conf "$T_TMP/b.conf" "no-default-route" "no-peer-dns"
opt_start "$T_TMP/b.conf" "$T_TMP/b.log"
sleep 1
same_as_orig && [ "$(stat -c '%i %Y %s' "$RC")" = "$before" ] && ok "no-peer-dns: untouched while up" \
    || fail "no-peer-dns: the file changed: $(cat "$RC")"
opt_stop
same_as_orig && [ "$(stat -c '%i %Y %s' "$RC")" = "$before" ] && ok "no-peer-dns: untouched after SIGTERM" \
    || fail "no-peer-dns: changed after SIGTERM"
finish
