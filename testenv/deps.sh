#!/usr/bin/env bash
# Installs the Debian packages vlanraw's tests, benchmarks and demo need,
# when they are missing. Safe to run again; does nothing when all is there.
#
#   deps.sh            what the tests, benchmarks and demo need
#   deps.sh generate   what rebuilding the eBPF classifier needs (make
#                      generate, make generate-check): clang and llvm-strip
set -euo pipefail
need=()
if [ "${1:-}" = generate ]; then
	command -v clang >/dev/null 2>&1 || need+=(clang)
	command -v llvm-strip >/dev/null 2>&1 || need+=(llvm)
else
	command -v ip >/dev/null 2>&1 || need+=(iproute2)
	command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
	command -v strace >/dev/null 2>&1 || need+=(strace)
	command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
	command -v jq >/dev/null 2>&1 || need+=(jq) # the README's commands (cmd/vlanraw TestREADME)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "deps: missing ${need[*]}; run as root (or install them) and try again" >&2
  exit 1
fi
echo "deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
