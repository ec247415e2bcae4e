#!/bin/bash
# The release binary (tools/build-static.sh): fully static (no program
# interpreter, no dynamic section), stripped, at most 2 MiB, and it runs with
# an empty environment, naming musl and the AES-NI code. On x86-64 the
# memcpy it links in place of musl's agrees with a byte loop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ship_lib.sh"
need_cmd file readelf objdump
static_build
B=$STATIC_SSTPC

desc=$(file -b "$B")
grep -q 'statically linked' <<<"$desc" && ok "file: $desc" || fail "file does not say statically linked: $desc"
grep -q ', stripped' <<<"$desc" && ok "stripped" || fail "not stripped: $desc"
hdr=$(readelf -lW "$B" 2>&1)
grep -q 'INTERP' <<<"$hdr" && fail "has a PT_INTERP header" || ok "no PT_INTERP"
grep -q 'DYNAMIC' <<<"$hdr" && fail "has a PT_DYNAMIC header" || ok "no PT_DYNAMIC"

size=$(stat -c %s "$B")
[ "$size" -le $((2 * 1024 * 1024)) ] && ok "size $size bytes ≤ 2 MiB" || fail "size $size bytes > 2 MiB"

# Nothing from the environment, nothing from the filesystem (run from /).
out=$(cd / && env -i "$B" --version 2>&1); rc=$?
[ $rc = 0 ] && ok "--version with an empty environment: $(tr '\n' ' ' <<<"$out")" \
    || fail "--version with an empty environment: exit $rc: $out"
grep -q '^sstpc .*(musl, static)' <<<"$out" && ok "--version names musl" || fail "--version does not name musl, static"
grep -q 'AES-NI on' <<<"$out" && ok "AES-NI code in" || fail "--version does not say AES-NI on"
# The wrong usage still gets its message and status without any environment.
env -i "$B" --bogus >/dev/null 2>&1; [ $? = 2 ] && ok "unknown option: exit 2" || fail "unknown option"

if [ "$(uname -m)" = x86_64 ]; then
    cmake --build "$STATIC_DIR" --target test_static_memcpy >"$T_TMP/memcpy-build.log" 2>&1 \
        || { tail -n 20 "$T_TMP/memcpy-build.log" >&2; die "building test_static_memcpy"; }
    out=$("$STATIC_DIR/test_static_memcpy" 2>&1) && ok "$out" || fail "static memcpy: $out"
    # (its only call is the CPU feature check, core/cpu.c)
    obj=$STATIC_DIR/CMakeFiles/sstpc.dir/src/static/memcpy.c.o
    [ -s "$obj" ] || fail "no $obj to inspect"
    objdump -dr "$obj" | grepq -E 'R_X86_64_\w+\s+(__wrap_)?mem(cpy|move|set)\b' \
        && fail "src/static/memcpy.c calls a mem* function (a loop turned back into memcpy?)" \
        || ok "static memcpy calls no mem* function"
fi
finish
