#!/bin/bash
# deps.sh -- install (idempotently) the Debian packages that building and
# testing sstpc need. Installs nothing that is already there.
set -euo pipefail
PKGS=(build-essential cmake pkg-config check clang libclang-rt-14-dev clang-format
      autoconf automake libtool dpkg-dev ca-certificates
      iproute2 iputils-ping iperf3 tcpdump openssl python3 procps psmisc
      kmod util-linux netcat-openbsd socat man-db jq iptables
      binutils systemd         # objdump: t_sec_wipes; systemd-analyze: t_ops_service
      python3-tabulate   # t_ops_vyos_show: VyOS's own table code as the oracle
      qemu-system-x86 cpio    # t_vm_vrf: VRF in a QEMU guest (shared/vm)
      musl-tools musl-dev file               # tools/build-static.sh, t_ship_static
      debhelper fakeroot lintian             # t_ship_deb: dpkg-buildpackage
      podman runc                            # t_ship_container
      freeradius hostapd)    # t_radius_*: EAP servers behind sstpd --radius (hostapd: PEAP cryptobinding)
# objdump and readelf (t_sec_wipes, t_ship_static) come from the
# architecture's own binutils package, named after the machine's triplet.
case $(uname -m) in
x86_64) PKGS+=(binutils-x86-64-linux-gnu) ;; # objdump, readelf
*) PKGS+=("binutils-$(uname -m | tr _ -)-linux-gnu") ;;
esac
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps: missing packages (${missing[*]}); run as root" >&2
        exit 1
    fi
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The fast wolfSSL is built from Debian's own source package
# (tools/build-wolfssl.sh), which needs a deb-src entry. When apt has none,
# one is made from the machine's own deb entries (same archive, suites and
# components), never from an address written into this tree.
# (grep without -q: under pipefail an early exit would SIGPIPE apt-cache)
if ! apt-cache showsrc wolfssl 2>/dev/null | grep '^Package: wolfssl' >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps: no deb-src entry for wolfssl; run as root to add one" >&2
        exit 1
    fi
    shopt -s nullglob
    out822=/etc/apt/sources.list.d/sstpc-deb-src.sources
    outlist=/etc/apt/sources.list.d/sstpc-deb-src.list
    # deb822 files: every paragraph whose Types include "deb", as deb-src.
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[^\n]*[[:space:]]deb([[:space:]]|$)/ || /(^|\n)Types: deb(\n|$)/ {
             gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' \
        /etc/apt/sources.list.d/*.sources /dev/null | grep -v '^#' >"$out822.tmp" || true
    # one-line sources.list entries
    sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' /etc/apt/sources.list \
        /etc/apt/sources.list.d/*.list /dev/null 2>/dev/null | grep -v '^deb-src .*sstpc' >"$outlist.tmp" || true
    [ -s "$out822.tmp" ] && mv "$out822.tmp" "$out822" || rm -f "$out822.tmp"
    [ -s "$outlist.tmp" ] && mv "$outlist.tmp" "$outlist" || rm -f "$outlist.tmp"
    if [ ! -e "$out822" ] && [ ! -e "$outlist" ]; then
        echo "deps: apt has no deb entry to derive a deb-src entry from" >&2
        exit 1
    fi
    echo "deps: added deb-src entries derived from the machine's apt sources" >&2
    apt-get update -qq >&2
fi
