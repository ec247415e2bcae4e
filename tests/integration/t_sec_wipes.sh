#!/bin/bash
# Secrets are wiped with calls the compiler cannot drop: the disassembly of
# the built daemon shows explicit_bzero in every function that frees or
# drops a password, a hash or a key (tools/check-wipes.sh has the list).
. "$(dirname "$0")/lib.sh"
need_sstpc
need_cmd objdump
if out=$("$SRC/tools/check-wipes.sh" "$SSTPC" 2>&1); then
    while read -r l; do ok "${l#check-wipes: }"; done <<<"$out"
else
    log "$out"
    fail "a function that holds a secret lost its wipe"
fi
finish
