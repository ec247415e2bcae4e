#!/bin/bash
# The README's run command (tools/demo.sh) works end to end on the build
# under test and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc
if out=$(BUILD_DIR=$BUILD "$SRC/tools/demo.sh" 2>&1); then
    grep -q '^demo: OK' <<<"$out" && ok "tools/demo.sh: OK" || fail "tools/demo.sh: no OK line"
    grep -q 'got  [0-9a-f]\{64\}' <<<"$out" && ok "demo moved its file with a matching checksum" || fail "no checksum line"
else
    echo "$out" | tail -n 30 >&2
    fail "tools/demo.sh failed"
fi
ip netns list | grepq sstpc-demo && fail "a demo namespace is left" || ok "no demo namespace left"
finish
