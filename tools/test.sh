#!/bin/bash
# test.sh -- build sstpc and pass every test, on a fresh Debian 12 machine
# (run as root: it installs what it needs, and the integration tests make
# network namespaces, TUN devices and servers).
#
#   BUILD_DIR   build tree (default: build)
#   SSTPC_FUZZ_SMOKE=0   skip the libFuzzer/ASan build that replays the seed corpora
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD_DIR:-build}
t0=$(date +%s)

tools/deps.sh
# The real SSTP server for interop tests, when the shared peer scripts exist.
SE_DIR=${SSTPC_SOFTETHER_DIR:-$ROOT/../shared/peers/softether}
if [ -x "$SE_DIR/install" ] && [ "$(id -u)" = 0 ]; then
    "$SE_DIR/install"
fi

# The C sources are formatted as .clang-format says (Debian's clang-format;
# tools/format.sh rewrites them): a diff fails the run.
# (xargs exits 123 when clang-format finds a difference: the list below is
# what matters, so that status must not end the script silently here.)
unformatted=$(find src tools tests -name '*.[ch]' -print0 | { xargs -0 clang-format --dry-run --Werror 2>&1 || true; } \
              | sed -n 's/^\([^:]*\.[ch]\):[0-9]*:[0-9]*: error:.*/\1/p' | sort -u)
if [ -n "$unformatted" ]; then
    echo "test.sh: not formatted as .clang-format says (run tools/format.sh):" >&2
    echo "$unformatted" | sed 's/^/  /' >&2
    exit 1
fi

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)"

if [ "${SSTPC_FUZZ_SMOKE:-1}" = 1 ]; then
    # Every parser's fuzz target, built with clang + ASan/UBSan, replays its
    # seed corpus once (the same static wolfSSL is reused).
    cmake -S . -B "$BUILD-fuzz" -DCMAKE_C_COMPILER=clang -DSSTPC_FUZZ=ON \
          -DSSTPC_WOLFSSL_PREFIX="$(cd "$BUILD" && pwd)/wolfssl" >/dev/null
    cmake --build "$BUILD-fuzz" -j"$(nproc)"
    ctest --test-dir "$BUILD-fuzz" --output-on-failure
fi

# The unit suites again, and the client for the robustness runs against
# sstpd's malformed-input modes (integration.sstpd_robust), built with
# ASan+UBSan.
cmake -S . -B "$BUILD-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSTPC_SANITIZE=ON \
      -DSSTPC_WOLFSSL_PREFIX="$(cd "$BUILD" && pwd)/wolfssl" >/dev/null
cmake --build "$BUILD-asan" -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir "$BUILD-asan" -L unit --output-on-failure

# The release binary (musl, static) for the t_ship_* tests.
tools/build-static.sh "$BUILD-static"

# A skip counts as a failure unless its reason lies outside this repository
# (lib.sh's skip_external); every skip is listed.
SKIP_LOG=$(mktemp "${TMPDIR:-/tmp}/sstpc-skips.XXXXXX")
trap 'rm -f "$SKIP_LOG"' EXIT
SSTPC_SKIP_LOG=$SKIP_LOG SSTPC_SOFTETHER_DIR=$SE_DIR SSTPC_ASAN_BUILD_DIR="$(cd "$BUILD-asan" && pwd)" \
    SSTPC_STATIC_BUILD_DIR="$(cd "$BUILD-static" && pwd)" \
    ctest --test-dir "$BUILD" --output-on-failure
if [ -s "$SKIP_LOG" ]; then
    echo "test.sh: skipped tests:" >&2
    sed 's/^/  /' "$SKIP_LOG" >&2
    if grep -q '^repo ' "$SKIP_LOG"; then
        echo "test.sh: FAILED: a test skipped for a reason this repository controls" >&2
        exit 1
    fi
fi
echo "test.sh: all tests passed in $(( $(date +%s) - t0 )) s"
