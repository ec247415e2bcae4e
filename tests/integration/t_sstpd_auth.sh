#!/bin/bash
# Every authentication method the client allows reaches a tunnel with ping
# through it against our own sstpd, and the server's --auth order plays out
# as documented (docs/config.md, authentication choice): sstpd asks its
# first method; the client takes it when it allows it (EAP is Nak'd once
# when MS-CHAPv2 is preferred), else Naks with its own first choice; sstpd
# takes that choice if it lists it, else asks its next method.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip ping

SNS=sdau-s$$ CNS=sdau-c$$

# run_case SERVER_AUTH CLIENT_PROTOCOLS EXPECT(show name) [expect in sstpd log]
run_case() {
    local sauth=$1 cprot=$2 want=$3 what="server $1 / client $2"
    stop_sstpd
    sstpd_start "$SNS" "$CNS" --log-level debug --auth "$sauth"
    sd_conf "$T_TMP/c.conf" "authentication protocols $cprot" "reconnect max-fail 1" "log-level info"
    sstpc_start "$CNS" "$T_TMP/c.conf"
    if ! wait_up "$CNS" sstpc0 10; then
        tail -n 20 "$SC_LOG" >&2; tail -n 20 "$SD_LOG" >&2
        fail "$what: no tunnel within 10 s"
        stop_pid "$SC_PID" 5
        return
    fi
    ip netns exec "$CNS" ping -c 2 -i 0.2 -W 2 "$SD_LOCAL" >/dev/null 2>&1 \
        && ok "$what: ping $SD_LOCAL" || fail "$what: ping through the tunnel"
    local got
    got=$(sstpc_cli "$CNS" show interfaces sstpc sstpc0 | awk '$1 == "auth" {$1=""; print substr($0,2)}')
    [ "$got" = "$want" ] && ok "$what: client reports auth $got" || fail "$what: client reports auth '$got', want '$want'"
    grep -q "user '$SD_USER' authenticated with $want" "$SD_LOG" \
        && ok "$what: sstpd authenticated alice with $want" || fail "$what: sstpd log has no 'authenticated with $want'"
    stop_client "$SC_PID" "$CNS" sstpc0 "$what"
}

# Each method alone on the client, the server asking in its default order.
run_case mschapv2,eap-mschapv2,pap,chap mschapv2 MS-CHAPv2
run_case mschapv2,eap-mschapv2,pap,chap pap PAP
run_case mschapv2,eap-mschapv2,pap,chap chap CHAP-MD5
# The server's first choice, when the client allows it; else the client's
# first choice, when the server lists it.
run_case pap,chap,mschapv2 "chap mschapv2" CHAP-MD5
run_case chap,pap "pap chap" CHAP-MD5
run_case pap,mschapv2 "mschapv2 eap-mschapv2 pap" PAP
# The client's first choice is not on the server's list: the server's next
# method the client allows wins.
run_case pap,chap "mschapv2 chap" CHAP-MD5
run_case eap-mschapv2,mschapv2 eap-mschapv2 EAP-MSCHAPv2
run_case eap-mschapv2,mschapv2 "mschapv2 eap-mschapv2" MS-CHAPv2
# EAP first on both sides: taken at once.
run_case eap-mschapv2,mschapv2 "eap-mschapv2 mschapv2" EAP-MSCHAPv2
stop_sstpd
finish
