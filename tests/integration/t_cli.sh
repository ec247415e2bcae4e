#!/bin/bash
# The command line without a tunnel: --version, --help, --check on the
# example configs (effective config printed, secrets masked) and on broken
# ones (exit 1 with FILE:LINE: reason).
. "$(dirname "$0")/lib.sh"
need_sstpc
CONFS=$SRC/tests/configs

out=$("$SSTPC" --version) && echo "$out" | grep -q '^sstpc ' && echo "$out" | grep -q 'wolfSSL .*AES-NI' \
    && ok "--version: $(echo "$out" | tr '\n' ' ')" || fail "--version: '$out'"
"$SSTPC" --help | grep -q 'show interfaces sstpc' && ok "--help" || fail "--help"
"$SSTPC" --bogus >/dev/null 2>&1; [ $? = 2 ] && ok "unknown option: exit 2" || fail "unknown option"

for f in example minimal vyos-set; do
    out=$("$SSTPC" --check -c "$CONFS/$f.conf" 2>&1); rc=$?
    [ $rc = 0 ] && echo "$out" | grep -q '^interface sstpc[0-9]' && echo "$out" | grep -q '^mtu ' \
        && ok "--check $f.conf prints the effective config" || { echo "$out" >&2; fail "--check $f.conf (exit $rc)"; }
done
# the password is masked, and the printout is itself a valid config
printf 'interface sstpc4\nserver vpn.example.com\nauthentication username bob\nauthentication password "S3cr3t-xyz"\n' > "$T_TMP/p.conf"
out=$("$SSTPC" --check -c "$T_TMP/p.conf")
echo "$out" | grep -q 'S3cr3t-xyz' && fail "--check printed the password" || ok "--check masks the password"
echo "$out" | grep -q "default-route-distance 210" && ok "defaults are printed" || fail "defaults missing"
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
finish
