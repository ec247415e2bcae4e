#!/bin/bash
# The command line without a tunnel: --version, --help, --check on the
# example configs (effective config printed, secrets masked) and on broken
# ones (exit 1 with FILE:LINE: reason): missing CA and password files, a
# VyOS pki name, VRF names VyOS refuses, a device that is not a VRF.
. "$(dirname "$0")/lib.sh"
need_sstpc
CONFS=$SRC/tests/configs

out=$("$SSTPC" --version) && echo "$out" | grepq '^sstpc ' && echo "$out" | grepq 'wolfSSL .*AES-NI' \
    && ok "--version: $(echo "$out" | tr '\n' ' ')" || fail "--version: '$out'"
"$SSTPC" --help | grepq 'show interfaces sstpc' && ok "--help" || fail "--help"
"$SSTPC" --bogus >/dev/null 2>&1; [ $? = 2 ] && ok "unknown option: exit 2" || fail "unknown option"

# The examples name CA files of a real host: --check opens them, so the
# copies checked here point at one that exists (the originals must fail
# naming the line).
printf -- '-----BEGIN CERTIFICATE-----\n' > "$T_TMP/ca.pem"
for f in example vyos-set; do
    sed -e "s|ssl ca-certificate [^ ]*|ssl ca-certificate $T_TMP/ca.pem|" \
        -e "s|ssl ca-certificate '[^']*'|ssl ca-certificate '$T_TMP/ca.pem'|" "$CONFS/$f.conf" > "$T_TMP/$f.conf"
    line=$(grep -n "ssl ca-certificate" "$CONFS/$f.conf" | cut -d: -f1)
    err=$("$SSTPC" --check -c "$CONFS/$f.conf" 2>&1 >/dev/null); rc=$?
    [ $rc = 1 ] && [[ $err == *"$CONFS/$f.conf:$line: ssl ca-certificate: cannot open"* ]] \
        && ok "original $f.conf: ${err#sstpc: }" || fail "original $f.conf: exit $rc: $err"
done
cp "$CONFS/minimal.conf" "$T_TMP/minimal.conf"
for f in example minimal vyos-set; do
    out=$("$SSTPC" --check -c "$T_TMP/$f.conf" 2>&1); rc=$?
    [ $rc = 0 ] && echo "$out" | grepq '^interface sstpc[0-9]' && echo "$out" | grepq '^mtu ' \
        && ok "--check $f.conf prints the effective config" || { echo "$out" >&2; fail "--check $f.conf (exit $rc)"; }
done
# the password is masked, and the printout is itself a valid config
printf 'interface sstpc4\nserver vpn.example.com\nauthentication username bob\nauthentication password "S3cr3t-xyz"\n' > "$T_TMP/p.conf"
out=$("$SSTPC" --check -c "$T_TMP/p.conf") || fail "--check p.conf: exit $?"
echo "$out" | grepq '^authentication password ' || fail "--check did not print the (masked) password line"
echo "$out" | grepq 'S3cr3t-xyz' && fail "--check printed the password" || ok "--check masks the password"
echo "$out" | grepq "default-route-distance 210" && ok "defaults are printed" || fail "defaults missing"
echo "$out" > "$T_TMP/round.conf"
"$SSTPC" --check -c "$T_TMP/round.conf" >/dev/null 2>&1 && ok "printed config parses again" || fail "printed config does not parse"

for f in "$CONFS"/bad-*.conf; do
    err=$("$SSTPC" --check -c "$f" 2>&1 >/dev/null); rc=$?
    case $err in
        *"$f:"[0-9]*": "*|*"$f: "*) [ $rc = 1 ] && ok "$(basename "$f"): exit 1: ${err#sstpc: }" || fail "$(basename "$f"): exit $rc" ;;
        *) fail "$(basename "$f"): no FILE:LINE in '$err' (exit $rc)" ;;
    esac
done
"$SSTPC" --check -c "$T_TMP/missing.conf" >/dev/null 2>&1; [ $? = 1 ] && ok "missing file: exit 1" || fail "missing file"

# --check validates what can be validated without connecting; each error
# names FILE:LINE (the line of the key).
base='server vpn.example.com\nauthentication username alice\n'
check_fails() { # NAME EXPECTED-TEXT CONFIG-TEXT
    printf "$3" > "$T_TMP/$1.conf"
    err=$("$SSTPC" --check -c "$T_TMP/$1.conf" 2>&1 >/dev/null); rc=$?
    [ $rc = 1 ] && [[ $err == "sstpc: $T_TMP/$1.conf:$2" ]] && ok "--check $1: ${err#sstpc: }" \
        || fail "--check $1: exit $rc: '$err' (want '$T_TMP/$1.conf:$2')"
}
check_fails ca-missing "4: ssl ca-certificate: cannot open '$T_TMP/none.pem': No such file or directory" \
    "${base}authentication password x\nssl ca-certificate $T_TMP/none.pem\n"
check_fails pki-name "3: ssl ca-certificate: 'MyCA' is neither a file nor a pki ca entry of this configuration (add 'pki ca NAME certificate BASE64', or give the path of a PEM file)" \
    "${base}ssl ca-certificate 'MyCA'\nauthentication password x\n"
check_fails pw-missing "3: authentication password-file: cannot open '$T_TMP/none.pass': No such file or directory" \
    "${base}authentication password-file $T_TMP/none.pass\n"
check_fails vrf-eth0 "4: vrf: 'eth0' is named like a network interface, not a VRF (VyOS refuses it)" \
    "${base}authentication password x\nvrf eth0\n"
check_fails vrf-lo "4: vrf: 'lo' is the loopback interface, not a VRF name" "${base}authentication password x\nvrf lo\n"
check_fails vrf-1abc "4: vrf: a VRF name must start with a letter, got '1abc'" "${base}authentication password x\nvrf 1abc\n"
check_fails vrf-default "4: vrf: 'default' is the main routing table, not a VRF device (leave out \`vrf\` to use it)" \
    "${base}authentication password x\nvrf default\n"
printf "${base}authentication password x\ndescription ''\nset interfaces sstpc sstpc0 description ''\n" > "$T_TMP/desc.conf"
out=$("$SSTPC" --check -c "$T_TMP/desc.conf" 2>&1) && ! grep -q description <<<"$out" \
    && ok "--check: description '' passes (VyOS allows .{0,255})" || fail "description '': $out"
printf "${base}authentication password x\nserver _sstp._tcp.vpn_1.example\n" > "$T_TMP/us.conf"
"$SSTPC" --check -c "$T_TMP/us.conf" >/dev/null 2>&1 && ok "--check: underscores in server pass" || fail "underscores refused"

# A device of the VRF's name that exists now and is not a VRF (in a
# namespace of this test; a veth, since this kernel may lack dummy).
if [ "$(id -u)" = 0 ]; then
    NS=tcli$$
    mk_netns "$NS"
    ip -n "$NS" link add notvrf type veth peer name notvrf2 || die "veth"
    printf "${base}authentication password x\nvrf notvrf\n" > "$T_TMP/novrf.conf"
    err=$(ip netns exec "$NS" "$SSTPC" --check -c "$T_TMP/novrf.conf" 2>&1 >/dev/null); rc=$?
    [ $rc = 1 ] && [ "$err" = "sstpc: $T_TMP/novrf.conf:4: vrf: device 'notvrf' exists but is not a VRF" ] \
        && ok "--check: ${err#sstpc: }" || fail "--check vrf not a VRF: exit $rc: $err"
    ip -n "$NS" link add tenant1 type vrf table 101 2>/dev/null \
        && { printf "${base}authentication password x\nvrf tenant1\n" > "$T_TMP/vrf.conf"
             ip netns exec "$NS" "$SSTPC" --check -c "$T_TMP/vrf.conf" >/dev/null 2>&1 \
                 && ok "--check: an existing VRF passes" || fail "--check refused an existing VRF"; }
fi
finish
