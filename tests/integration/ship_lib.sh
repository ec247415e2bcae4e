# ship_lib.sh -- for the t_ship_* tests (sourced after lib.sh): the static
# release binary. tools/test.sh builds it once and names its tree in
# SSTPC_STATIC_BUILD_DIR; a test run on its own builds it next to the build
# tree (tools/build-static.sh is idempotent: a built tree costs a second).
STATIC_DIR=${SSTPC_STATIC_BUILD_DIR:-$BUILD-static}
STATIC_SSTPC=$STATIC_DIR/sstpc

# static_build: runs tools/build-static.sh into STATIC_DIR; dies on failure.
static_build() {
    need_cmd musl-gcc cmake
    if ! "$SRC/tools/build-static.sh" "$STATIC_DIR" >"$T_TMP/build-static.log" 2>&1; then
        tail -n 30 "$T_TMP/build-static.log" >&2
        die "tools/build-static.sh failed"
    fi
    [ -x "$STATIC_SSTPC" ] || die "tools/build-static.sh made no $STATIC_SSTPC"
}
