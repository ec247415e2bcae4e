#!/bin/bash
# build-static.sh [BUILD_DIR] -- the release binary: sstpc linked fully
# static against musl (Debian's musl-tools) and a wolfSSL built the same way
# as tools/build-wolfssl.sh builds it, by musl-gcc, into BUILD_DIR/wolfssl;
# stripped, unused sections dropped. Result: BUILD_DIR/sstpc (default
# build-static/sstpc). Needs only what tools/deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-static}
command -v musl-gcc >/dev/null || {
    echo "build-static: musl-gcc not found: run tools/deps.sh (musl-tools)" >&2
    exit 1
}
# musl-gcc searches no glibc header directory, so the kernel's UAPI headers
# (linux-libc-dev: linux/, asm/, asm-generic/) are offered on their own.
KHDR=$BUILD/kernel-headers
mkdir -p "$KHDR"
multiarch=$(gcc -print-multiarch)
for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$KHDR/$d"; done
ln -sfn "/usr/include/$multiarch/asm" "$KHDR/asm"
KHDR=$(cd "$KHDR" && pwd)
# No libcheck (and no tests) against musl: only the daemon is built.
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=musl-gcc \
      -DCMAKE_C_FLAGS="-isystem $KHDR" \
      -DSSTPC_STATIC=ON -DSSTPC_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target sstpc -j"$(nproc)"
size=$(stat -c %s "$BUILD/sstpc")
echo "build-static: $BUILD/sstpc, $size bytes" >&2
