#!/usr/bin/env bash
# Installs the Debian packages vlanraw's tests, benchmarks and demo need,
# when they are missing. Safe to run again; does nothing when all is there.
#
#   deps.sh            what the tests, benchmarks and demo need
#   deps.sh generate   what rebuilding the eBPF classifier needs (make
#                      generate, make generate-check): clang and llvm-strip
#   deps.sh runtimes   the container engines the CNI client tests run
#                      (testenv/runtime): podman (CNI backend), containerd,
#                      runc, and busybox-static for their root file
#                      systems. Kept out of the demo's path: measured here
#                      (December 2026), apt-get update and their install
#                      took 10.3 s, 40 MB of packages.
set -euo pipefail
need=()
if [ "${1:-}" = generate ]; then
	command -v clang >/dev/null 2>&1 || need+=(clang)
	command -v llvm-strip >/dev/null 2>&1 || need+=(llvm)
elif [ "${1:-}" = runtimes ]; then
	command -v podman >/dev/null 2>&1 || need+=(podman)
	command -v containerd >/dev/null 2>&1 || need+=(containerd)
	command -v runc >/dev/null 2>&1 || need+=(runc)
	# busybox (dynamic) also installs /bin/busybox: ask for the package.
	dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
else
	command -v ip >/dev/null 2>&1 || need+=(iproute2)
	command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
	command -v strace >/dev/null 2>&1 || need+=(strace)
	command -v dpkg-deb >/dev/null 2>&1 || need+=(dpkg)
	command -v jq >/dev/null 2>&1 || need+=(jq) # the README's commands (cmd/vlanraw TestREADME)
	# The BGP speaker's peers (testenv/bgppeer): BIRD 2 and FRR's bgpd, and
	# gobgpd, the reference speaker of make bench. Measured here (December
	# 2026): apt-get update and their install took 5.6 s.
	command -v bird >/dev/null 2>&1 || need+=(bird2)
	[ -x /usr/lib/frr/bgpd ] || need+=(frr)
	command -v gobgpd >/dev/null 2>&1 || need+=(gobgpd)
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
