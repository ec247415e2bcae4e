# opt_lib.sh -- shared by the t_opt_*.sh tests (sourced after lib.sh): a
# SoftEther peer in bridge mode, a tunnel.conf with extra option lines, the
# daemon started in the client namespace with a private control-socket
# directory (other tests run sstpc0 at the same time; /run/sstpc is shared).

OPT_RUN=$T_TMP/run
OPT_PID=

# opt_peer: SERVER_NS and CLIENT_NS must be set; starts SoftEther (bridge).
# mk_netns gives the client namespace its own resolv.conf (removed on exit);
# it gets a known content here for the DNS tests.
opt_peer() {
    mk_netns "$CLIENT_NS"
    printf '# %s\nnameserver 127.0.0.53\n' "$CLIENT_NS" > "/etc/netns/$CLIENT_NS/resolv.conf"
    softether "$SERVER_NS" "$CLIENT_NS" -m bridge -p 443
}

# opt_conf FILE [option lines...]: the tunnel to SoftEther plus the options.
opt_conf() {
    local f=$1; shift
    {
        echo "interface sstpc0"
        echo "server $SE_HOST"
        echo "authentication username $SE_USER"
        echo "authentication password '$SE_PASSWORD'"
        echo "ssl ca-certificate $SE_CA_FILE"
        for l in "$@"; do echo "$l"; done
    } > "$f"
}

# opt_ctl ARGS...: the sstpc CLI in the client namespace, same control dir.
opt_ctl() {
    ip netns exec "$CLIENT_NS" env SSTPC_RUN_DIR="$OPT_RUN" "$SSTPC" "$@"
}

# opt_start CONF LOG [wait]: starts the daemon; with "wait" (default) waits
# for the IPCP address and dies with the log if it never comes.
opt_start() {
    local conf=$1 logf=$2 w=${3:-wait}
    mkdir -p "$OPT_RUN"
    bg "$CLIENT_NS" "$logf" env SSTPC_RUN_DIR="$OPT_RUN" "$SSTPC" -c "$conf"
    OPT_PID=$BG_PID
    if [ "$w" = wait ] && ! wait_for 30 has_addr "$CLIENT_NS" sstpc0; then
        cat "$logf" >&2
        die "tunnel did not come up within 30 s"
    fi
}

# opt_stop: SIGTERM, exit status checked, device gone.
opt_stop() {
    stop_pid "$OPT_PID" 10
    [ "$STOP_RC" = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit status $STOP_RC"
    ip -n "$CLIENT_NS" link show sstpc0 >/dev/null 2>&1 && fail "sstpc0 still exists after SIGTERM"
    OPT_PID=
}

# cl_sysctl KEY: a sysctl's value in the client namespace.
cl_sysctl() { ip netns exec "$CLIENT_NS" sysctl -n "$1" 2>/dev/null; }

# cl_routes FAMILY SELECTOR...: `ip -j route show` in the client namespace.
cl_routes() { local f=$1; shift; ip -n "$CLIENT_NS" "$f" -j route show "$@" 2>/dev/null || echo '[]'; }
