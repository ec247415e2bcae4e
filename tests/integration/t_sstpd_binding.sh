#!/bin/bash
# Crypto binding against the strict sstpd (it checks the client's
# CALL_CONNECTED: nonce, certificate hash, Compound MAC over the HLAK): with
# SHA-1 only (--hash sha1, --fault sha1-only), SHA-256 only and both offered,
# for MS-CHAPv2 (keys from the HLAK) and PAP (zero HLAK), EAP-MSCHAPv2 once
# sstpd has EAP. sstpd logs "crypto binding verified (H)", the client logs
# and shows the same hash.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdbi-s$$ CNS=sdbi-c$$


# run_case "SSTPD OPTIONS" CLIENT_PROTOCOL WANT(SHA-1|SHA-256)
run_case() {
    local sopts=$1 prot=$2 want=$3 what="sstpd $1 / $2"
    stop_sstpd
    # shellcheck disable=SC2086
    sstpd_start "$SNS" "$CNS" --log-level debug $sopts
    sd_conf "$T_TMP/c.conf" "authentication protocols $prot" "reconnect max-fail 1" "log-level info"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    if ! wait_up "$CNS" sstpc0 10; then
        tail -n 20 "$SC_LOG" >&2; tail -n 20 "$SD_LOG" >&2
        fail "$what: no tunnel within 10 s"; stop_pid "$SC_PID" 5; return
    fi
    grep -q "crypto binding verified ($want)" "$SD_LOG" \
        && ok "$what: sstpd verified the binding ($want)" \
        || { grep -i "binding\|disconnected" "$SD_LOG" >&2; fail "$what: sstpd did not log 'crypto binding verified ($want)'"; }
    grep -q "SSTP call connected (crypto binding $want)" "$SC_LOG" \
        && ok "$what: client bound with $want" || fail "$what: client log has no binding $want"
    local got
    got=$(sstpc_cli "$CNS" show interfaces sstpc sstpc0 | awk '$1 == "crypto-binding" {print $2}')
    [ "$got" = "$want" ] && ok "$what: show reports crypto-binding $got" || fail "$what: show reports '$got'"
    ip netns exec "$CNS" ping -c 1 -W 2 "$SD_LOCAL" >/dev/null 2>&1 || fail "$what: ping"
    stop_client "$SC_PID" "$CNS" sstpc0 "$what"
}

for prot in mschapv2 pap eap-mschapv2; do
    auth=$prot; [ "$prot" = pap ] && auth=pap,mschapv2
    run_case "--auth $auth --hash sha1" "$prot" SHA-1
    run_case "--auth $auth --fault sha1-only" "$prot" SHA-1
    run_case "--auth $auth --hash sha256" "$prot" SHA-256
    run_case "--auth $auth --hash both" "$prot" SHA-256
done
stop_sstpd
finish
