#!/bin/bash
# build-wolfssl.sh PREFIX -- build wolfSSL from Debian's own source package
# with the assembly/AES-NI code that Debian's binary package leaves out, as a
# static library installed under PREFIX. Idempotent: a finished PREFIX (with
# its stamp) is reused. See docs/wolfssl.md for the flags and why.
#
#   WOLFSSL_CC           compiler (default: configure's choice); musl-gcc
#                        for the static binary (tools/build-static.sh)
#   WOLFSSL_EXTRA_CFLAGS appended to the CFLAGS below
#   WOLFSSL_EXTRA_CONFIGURE  appended to the configure options below
set -euo pipefail
PREFIX=${1:?usage: build-wolfssl.sh PREFIX}
FLAGS_VERSION=4   # bump when the flags below change, so old builds are redone
STAMP="$PREFIX/.sstpc-wolfssl-$FLAGS_VERSION"
EXTRA_CC=${WOLFSSL_CC:-}
EXTRA_CFLAGS=${WOLFSSL_EXTRA_CFLAGS:-}
EXTRA_CONFIGURE=${WOLFSSL_EXTRA_CONFIGURE:-}
# The stamp records the environment's part too: a prefix built with other
# extras is rebuilt, not reused.
WANT="cc=$EXTRA_CC cflags=$EXTRA_CFLAGS configure=$EXTRA_CONFIGURE"
if [ -f "$STAMP" ] && [ -f "$PREFIX/lib/libwolfssl.a" ]; then
    have=$(cat "$STAMP")
    [ -n "$have" ] || have="cc= cflags= configure="   # stamps before the extras
    [ "$have" = "$WANT" ] && exit 0
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
# shellcheck disable=SC2086 # the extra options are words
./configure --prefix="$PREFIX" ${EXTRA_CC:+CC="$EXTRA_CC"} \
    --enable-static --disable-shared \
    --enable-aesni --enable-intelasm --enable-sp --enable-sp-asm \
    --enable-tls13 --enable-sni --enable-opensslextra \
    --enable-md4 --enable-des3 --enable-sys-ca-certs \
    --disable-examples --disable-crypttests --disable-benchmark $EXTRA_CONFIGURE \
    CFLAGS="-O2 -fPIC -DWOLFSSL_DES_ECB -DLARGE_STATIC_BUFFERS $EXTRA_CFLAGS" >"$WORK/configure.log" 2>&1 \
    || { tail -n 30 "$WORK/configure.log" >&2; exit 1; }
make -j"$(nproc)" >"$WORK/make.log" 2>&1 || { tail -n 30 "$WORK/make.log" >&2; exit 1; }
make install >/dev/null
cd /
rm -rf "$WORK"
printf '%s\n' "$WANT" >"$STAMP"
