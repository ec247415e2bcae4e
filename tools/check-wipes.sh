#!/bin/bash
# check-wipes.sh BINARY: proves from the disassembly that every function
# which frees or drops a secret still calls explicit_bzero (secure_wipe
# inlined, as at -O2; a call to secure_wipe counts where it is not). A plain memset before free() is a dead store that gcc and
# clang delete at -O2, so reading the source proves nothing; this reads
# the machine code. Exit 0 when every function has at least its count of
# calls, 1 (naming the function) otherwise.
set -uo pipefail
bin=${1:?usage: check-wipes.sh BINARY}
command -v objdump >/dev/null || { echo "check-wipes: objdump not installed" >&2; exit 2; }

# function  minimum calls  what it wipes
expect=(
    "ppp_free 4 password, NT-Response, server challenge packet, server HLAK"
    "sstp_free 1 HLAK"
    "session_free 1 configuration with the password"
    "session_reload 1 the configuration read again"
    "conf_load_lines 2 file bytes and password-file buffer"
    "conf_parse_st 1 split words of a password line"
    "cmd_run 2 passwords in main's copy of the configuration"
    "ppp_auth_success 1 HLAK handed to the session"
    "sstp_build_call_connected 1 CMK"
    "mschap_client_hlak 3 NT hash, hash of the hash, master key"
    "mschap_nt_password_hash 1 UTF-16 password"
    "mschap_nt_response 1 NT hash"
    "mschap_auth_response 2 NT hash, hash of the hash"
    "pap_send 1 PAP request with the password"
    "chap_input 1 HLAK"
    "eap_input 1 HLAK"
    "eaptls_success 1 MSK and EMSK"
    "eaptls_free 2 EAP-TLS reassembly buffer, message being sent"
    "tls_free 1 memory-mode TLS output"
)

dis=$(objdump -d --no-show-raw-insn "$bin") || exit 2
counts=$(awk '/^[0-9a-f]+ <[^>]*>:$/ { fn = $2; gsub(/[<>:]/, "", fn); sub(/\..*/, "", fn) }
              /call.*<(secure_wipe(\.[a-z0-9.]*)?|(__)?explicit_bzero(_chk)?(@plt)?)>/ { n[fn]++ }
              END { for (f in n) print f, n[f] }' <<<"$dis")
bad=0
for e in "${expect[@]}"; do
    read -r fn min what <<<"$e"
    if ! grep -q "^[0-9a-f]* <$fn\(\.[a-z0-9.]*\)\?>:" <<<"$dis"; then
        echo "check-wipes: $fn not in $bin (inlined or renamed: update this list)" >&2
        bad=1
        continue
    fi
    got=$(awk -v f="$fn" '$1 == f { print $2 }' <<<"$counts")
    if [ "${got:-0}" -lt "$min" ]; then
        echo "check-wipes: $fn calls explicit_bzero ${got:-0} times, expected >= $min ($what)" >&2
        bad=1
    else
        echo "check-wipes: $fn: $got wipe call(s) ($what)"
    fi
done
exit $bad
