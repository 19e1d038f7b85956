#!/usr/bin/env bash
# demo.sh: vlanraw without iproute2. In a throwaway network namespace it
# makes veth parents, macvlan and macvtap links in every mode (with flags,
# a source list and a broadcast queue), shows them as text and as JSON,
# deletes them in one batched request and removes the namespace.
#
# Usage: demo.sh [PATH-TO-VLANRAW]   (default: bin/vlanraw). Needs root.
# Whatever fails, the namespace and everything in it is removed on exit.
set -euo pipefail

vlanraw=${1:-bin/vlanraw}
ns="vlanraw-demo-$$"
created=0

cleanup() {
	status=$?
	if [ "$created" = 1 ] && "$vlanraw" netns ls | grep -qx "$ns"; then
		echo "demo: cleaning up: removing namespace $ns and every link in it" >&2
		"$vlanraw" netns del "$ns" || status=1
	fi
	if [ "$status" != 0 ]; then
		echo "demo: FAILED (exit $status)" >&2
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# step prints what comes next; vr prints a vlanraw command, then runs it.
step() { printf '\n== %s\n' "$*"; }
vr() {
	printf '$ vlanraw %s\n' "$*"
	"$vlanraw" "$@"
}

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (it creates a network namespace and links)" >&2
	exit 1
fi
if [ ! -x "$vlanraw" ]; then
	echo "demo: $vlanraw is missing: run \"make build\" first" >&2
	exit 1
fi

step "a throwaway network namespace"
vr netns add "$ns"
created=1
vr netns ls

step "two veth pairs to be parents (passthru needs a parent of its own)"
vr -n "$ns" link add p0 up type veth peer name p1 up
vr -n "$ns" link add q0 up type veth peer name q1 up

step "macvlan links in bridge, private and vepa mode, and a passthru on q0"
vr -n "$ns" link add link p0 name mv-bridge up type macvlan mode bridge
vr -n "$ns" link add link p0 name mv-private type macvlan mode private bcqueuelen 2000
vr -n "$ns" link add link p0 name mv-vepa type macvlan mode vepa
vr -n "$ns" link add link q0 name mv-pass type macvlan mode passthru nopromisc

step "a source-mode macvtap with its source list, edited in place"
vr -n "$ns" link add link p0 name mvt-src type macvtap mode source nodst \
	macaddr set 02:00:00:00:00:01 02:00:00:00:00:02
vr -n "$ns" link set dev mvt-src type macvtap macaddr add 02:00:00:00:00:03
vr -n "$ns" link set dev mvt-src type macvtap macaddr del 02:00:00:00:00:01

step "change a mode: vepa becomes bridge"
vr -n "$ns" link set dev mv-vepa type macvlan mode bridge

step "what the kernel reports, with details"
vr -n "$ns" link show -d

step "the same as JSON (keys as in ip -j -d link show), for the macvtap"
vr -n "$ns" link show -j -d -p dev mvt-src

step "delete the five links in one batched request"
vr -n "$ns" link del mv-bridge mv-private mv-vepa mv-pass mvt-src
vr -n "$ns" link show

step "remove the namespace"
vr netns del "$ns"
created=0
vr netns ls

echo
echo "demo: done; nothing left behind"
