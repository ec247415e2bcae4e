#!/bin/bash
# build-wolfssl.sh PREFIX -- build wolfSSL from Debian's own source package
# with the assembly/AES-NI code that Debian's binary package leaves out, as a
# static library installed under PREFIX. Idempotent: a finished PREFIX (with
# its stamp) is reused. See docs/wolfssl.md for the flags and why.
set -euo pipefail
PREFIX=${1:?usage: build-wolfssl.sh PREFIX}
FLAGS_VERSION=3   # bump when the flags below change, so old builds are redone
STAMP="$PREFIX/.sstpc-wolfssl-$FLAGS_VERSION"
if [ -f "$STAMP" ] && [ -f "$PREFIX/lib/libwolfssl.a" ]; then
    exit 0
fi
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
WORK="$PREFIX.src"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

# Debian's own source package (download only; unpacking is dpkg-source's
# job). tools/deps.sh makes sure apt has a deb-src entry for it.
apt-get source --download-only wolfssl >"$WORK/source.log" 2>&1 || {
    tail -n 5 "$WORK/source.log" >&2
    echo "build-wolfssl: 'apt-get source wolfssl' failed: run tools/deps.sh (as root) first" >&2
    exit 1
}
dsc=$(ls wolfssl_*.dsc | head -n1)
dpkg-source --no-check -x "$dsc" src >/dev/null
cd src
./autogen.sh >/dev/null 2>&1
./configure --prefix="$PREFIX" \
    --enable-static --disable-shared \
    --enable-aesni --enable-intelasm --enable-sp --enable-sp-asm \
    --enable-tls13 --enable-sni --enable-opensslextra \
    --enable-md4 --enable-des3 --enable-sys-ca-certs \
    --disable-examples --disable-crypttests --disable-benchmark \
    CFLAGS="-O2 -fPIC -DWOLFSSL_DES_ECB" >"$WORK/configure.log" 2>&1 \
    || { tail -n 30 "$WORK/configure.log" >&2; exit 1; }
make -j"$(nproc)" >"$WORK/make.log" 2>&1 || { tail -n 30 "$WORK/make.log" >&2; exit 1; }
make install >/dev/null
cd /
rm -rf "$WORK"
touch "$STAMP"
