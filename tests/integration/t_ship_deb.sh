#!/bin/bash
# The Debian package: dpkg-buildpackage -us -uc -b on a copy of the tree
# builds sstpc_*.deb with the binary, the man pages, the systemd unit, the
# example in /etc/sstpc and the docs; lintian reports no error or warning;
# unpacked into a throw-away root its sstpc runs, and systemd-analyze
# verify accepts its unit (with the packaged binary at /usr/sbin/sstpc in a
# private mount namespace, so the host is not touched).
. "$(dirname "$0")/lib.sh"
need_root; need_cmd dpkg-buildpackage dh dpkg-deb lintian systemd-analyze unshare tar

# The fast wolfSSL the build tree already has is reused (building it again
# is what tools/build-wolfssl.sh does by default, a minute more).
WPREFIX=$(sed -n 's/^SSTPC_WOLFSSL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)
[ -n "$WPREFIX" ] || WPREFIX=$BUILD/wolfssl
[ -f "$WPREFIX/lib/libwolfssl.a" ] || die "no built wolfSSL at $WPREFIX (build first)"

mkdir -p "$T_TMP/pkg/src"
tar -C "$SRC" --exclude='./build*' --exclude=./.git --exclude='./obj-*' -cf - . | tar -C "$T_TMP/pkg/src" -xf - \
    || die "copying the tree"
# nocheck: the unit suites run in their own ctest entries.
if (cd "$T_TMP/pkg/src" && SSTPC_WOLFSSL_PREFIX=$WPREFIX DEB_BUILD_OPTIONS="nocheck noddebs parallel=$(nproc)" \
        dpkg-buildpackage -us -uc -b >"$T_TMP/pkg/build.log" 2>&1); then
    ok "dpkg-buildpackage -us -uc -b"
else
    tail -n 40 "$T_TMP/pkg/build.log" >&2; die "dpkg-buildpackage failed"
fi
DEB=$(ls "$T_TMP"/pkg/sstpc_*_*.deb 2>/dev/null | head -n1)
[ -f "$DEB" ] && ok "built $(basename "$DEB")" || die "no sstpc_*.deb"

list=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in ./usr/sbin/sstpc ./usr/share/man/man8/sstpc.8.gz ./usr/share/man/man5/sstpc.conf.5.gz \
         ./lib/systemd/system/sstpc@.service ./etc/sstpc/sstpc0.conf.example \
         ./usr/share/doc/sstpc/copyright; do
    grep -qxF "$f" <<<"$list" && ok "contains $f" || fail "missing $f"
done
# dh_compress gzips docs over 4 KiB
grep -qE '^\./usr/share/doc/sstpc/README\.md(\.gz)?$' <<<"$list" && ok "contains the README" || fail "missing the README"
grep -qE '^\./usr/share/doc/sstpc/packaging\.md(\.gz)?$' <<<"$list" && ok "contains docs/packaging.md" || fail "missing docs/packaging.md"
grep -q '^/etc/sstpc/sstpc0.conf.example$' <(dpkg-deb -I "$DEB" conffiles) \
    && ok "the example is a conffile" || fail "the example is not a conffile"
dep=$(dpkg-deb -f "$DEB" Depends)
grep -q 'libc6' <<<"$dep" && ok "Depends: $dep" || fail "Depends: '$dep' does not name libc6"

tags=$(lintian --allow-root --pedantic -I "$DEB" 2>&1 | grep -v '^N:')
if grep -q '^[EW]:' <<<"$tags"; then
    echo "$tags" >&2; fail "lintian errors or warnings"
else
    ok "lintian: no error or warning${tags:+ (info: $(echo "$tags" | tr '\n' ' '))}"
fi

R=$T_TMP/pkg/root
mkdir -p "$R"
dpkg-deb -x "$DEB" "$R" || die "dpkg-deb -x"
out=$("$R/usr/sbin/sstpc" --version 2>&1) && grep -q '^sstpc .*(glibc' <<<"$out" \
    && ok "unpacked sstpc --version: $(tr '\n' ' ' <<<"$out")" || fail "unpacked sstpc --version: $out"
mkdir -p "$T_TMP/pkg/unit"
cp "$R/lib/systemd/system/sstpc@.service" "$T_TMP/pkg/unit/sstpc@sstpc0.service"
if out=$(unshare -m --propagation private sh -c \
        "mount --bind '$R/usr/sbin' /usr/sbin && systemd-analyze verify --man=no '$T_TMP/pkg/unit/sstpc@sstpc0.service'" 2>&1); then
    ok "systemd-analyze verify accepts the packaged unit${out:+ ($out)}"
else
    echo "$out" >&2; fail "systemd-analyze verify rejects the packaged unit"
fi
# The rule of the shared tree: nothing written outside the copy.
[ ! -e "$SRC/debian/sstpc" ] && [ ! -e "$SRC/debian/.debhelper" ] && ok "the source tree is untouched" \
    || fail "the build wrote into the source tree's debian/"
finish
