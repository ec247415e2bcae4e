#!/bin/bash
# deps.sh -- install (idempotently) the Debian packages that building and
# testing sstpc need. Installs nothing that is already there.
set -euo pipefail
PKGS=(build-essential cmake pkg-config check clang libclang-rt-14-dev
      autoconf automake libtool dpkg-dev ca-certificates
      iproute2 iputils-ping iperf3 tcpdump openssl python3 procps psmisc
      kmod util-linux netcat-openbsd socat man-db iptables
      qemu-system-x86 cpio)   # t_vm_vrf: VRF in a QEMU guest (shared/vm)
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
