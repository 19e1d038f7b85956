#!/usr/bin/env bash
# Installs the Debian packages vlanraw's tests, benchmarks and demo need,
# when they are missing. Safe to run again; does nothing when all is there.
set -euo pipefail
need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "deps: missing ${need[*]}; run as root (or install them) and try again" >&2
  exit 1
fi
echo "deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
