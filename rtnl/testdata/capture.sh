#!/usr/bin/env bash
# capture.sh regenerates the golden files that rtnl's wire tests compare
# against, from what iproute2 really sends and what the kernel really
# answers. It captures one set of files or more:
#
#   links  (the default) `ip link` of every link kind, for golden_test.go
#          and decode_test.go:
#            golden/NAME.txt     the RTM_NEWLINK request of one
#                                `ip link add|set` command
#            replies/NAME.txt    the RTM_NEWLINK reply to
#                                `ip -d link show dev X`
#   tc     iproute2's tc with the clsact qdisc and the bpf filter, for
#          tc_test.go:
#            tc-golden/NAME.txt  the request of one `tc qdisc|filter`
#                                command
#            tc-replies/NAME.txt one message of the kernel's answer to a
#                                `tc ... show`
#
# Requests are taken with strace from the program's sendmsg, replies from
# its recvmsg. Usage, as root:
#
#   rtnl/testdata/capture.sh                     # links
#   rtnl/testdata/capture.sh tc                  # tc (capture-tc.sh runs this)
#   IP_NEW=/path/to/ip rtnl/testdata/capture.sh  # links, also the bclim entries
#
# It needs strace, ip, and for tc, tc and bpf/counter_bpfel.o (make
# generate). Every golden file needs an entry in its test: goldenTests
# (golden_test.go), TestDecodeKernelReplies (decode_test.go), or the
# tables of tc_test.go.
#
# IP and TC are the iproute2 binaries to capture (default: ip and tc from
# PATH; iproute2 6.1 on Debian 12). `bclim` arrived in iproute2 6.4 and
# netkit in 6.7, so the links entries that use them are captured with
# IP_NEW, an iproute2 >= 6.7 `ip` (for example the `ip` of a newer
# distribution's iproute2 package, such as Debian's bookworm-backports);
# without IP_NEW their files are left as they are.
#
# Every command runs in a fresh throwaway network namespace holding one
# veth pair with fixed addresses, p1 (ifindex 2) and p0 (ifindex 3), so
# IFLA_LINK and ifi_index are the same on every run. The request bytes do
# not depend on the kernel: iproute2 sends them even when the kernel lacks
# the kind (ipvlan, vlan, dummy) and answers with an error, which is
# recorded in the `answer:` line. The tc commands are about p0. Filters
# load bpf/counter_bpfel.o (tc loads it with libbpf and sends the
# program's file descriptor), and every tc command runs from bpf/ so that
# the name tc sends, "counter_bpfel.o:[tc]", does not depend on where the
# repository is. The descriptor's number is whatever tc got; the tests
# take it from the payload.
#
# Each file holds `key: value` lines:
#
#   cmd      the command line (without the `-n NS` prefix)
#   setup    commands of the same program run before it, `;`-separated
#            (may be empty)
#   iproute2 the `-V` version string of the binary used
#   parent   ifindex of p0, the lower device of every add with `link p0`
#   index    ifindex of the device after `dev` in the command, otherwise 0
#   answer   (requests) the program's stderr, or "ok"
#   kernel   (replies) `uname -r` of the kernel that answered
#   show     (replies) what the program printed for the same link or
#            objects (`ip -d -o link show`, `tc ... show`), on one line
#   type     nlmsg_type (0x10 RTM_NEWLINK; for tc see the end)
#   flags    nlmsg_flags
#   payload  hex of the message after its 16-byte nlmsghdr: ifinfomsg or
#            tcmsg and attributes. Sequence numbers and port ids live in
#            the header, so they are not part of it.
set -euo pipefail

IP=${IP:-ip}
IP_NEW=${IP_NEW:-}
TC=${TC:-tc}
here=$(cd "$(dirname "$0")" && pwd)
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(links)
for s in "${sets[@]}"; do
	case $s in
	links | tc) ;;
	*)
		echo "capture.sh: unknown set $s: give links or tc" >&2
		exit 2
		;;
	esac
done

if [ "$(id -u)" != 0 ]; then
	echo "capture.sh: needs root (network namespaces)" >&2
	exit 1
fi

tmp=$(mktemp -d)
ns=
cleanup() {
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# newns creates the namespace $ns with the veth pair p1 (2) and p0 (3).
seq=0
newns() {
	[ -n "$ns" ] && ip netns del "$ns"
	seq=$((seq + 1))
	ns=vlanraw-golden-$$-$seq
	ip netns add "$ns"
	ip -n "$ns" link add p0 address 02:00:00:00:00:10 type veth \
		peer name p1 address 02:00:00:00:00:11
}

ifindex() { ip -n "$ns" -o link show dev "$1" | cut -d: -f1; }

# devindex ARGS... prints the ifindex of the device named after `dev` in
# ARGS, or 0 when there is none.
devindex() {
	while [ $# -gt 1 ]; do
		if [ "$1" = dev ]; then
			ifindex "$2"
			return
		fi
		shift
	done
	echo 0
}

# messages FILE prints "TYPE FLAGS PAYLOADHEX" for every netlink message in
# the data that strace dumped (-e write=all or -e read=all) into FILE, one
# datagram per syscall.
messages() {
	awk '
	function hex(s,    i, n) {
		n = 0
		for (i = 1; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	function u16(o) { return hex(b[o + 1] b[o]) }
	function u32(o) { return hex(b[o + 3] b[o + 2] b[o + 1] b[o]) }
	function flush(    off, len, i, p) {
		off = 0
		while (off + 16 <= nb) {
			len = u32(off)
			if (len < 16 || off + len > nb)
				break
			p = ""
			for (i = off + 16; i < off + len; i++)
				p = p b[i]
			printf "0x%x 0x%x %s\n", u16(off + 4), u16(off + 6), p
			off += len + (4 - len % 4) % 4
		}
		nb = 0
	}
	/^([0-9]+ +)?[a-z_0-9]+\(/ { flush(); next }
	/^ \| [0-9a-f]+  / {
		n = split(substr($0, 11, 49), t, " ")
		for (i = 1; i <= n; i++)
			if (t[i] ~ /^[0-9a-f][0-9a-f]$/)
				b[nb++] = t[i]
	}
	END { flush() }
	' "$1"
}

# The set being captured: the program's name in the cmd key, the
# directories of its requests and replies, the script its files name,
# and how its show output becomes the show key: extra flags, and a
# filter that puts it on one line (ip_line or tc_line).
prog= requests= replies= generator= showflags= oneline=

# ip_line joins what `ip -o` prints (one line, with "\ " where a line
# would break); tc_line joins tc's lines with spaces.
ip_line() { sed 's/\\ */ /g'; }
tc_line() { tr '\n' ' ' | sed 's/ *$//'; }

# write FILE KEY VALUE... writes one golden file.
write() {
	local file=$1
	shift
	{
		echo "# Generated by rtnl/testdata/$generator; do not edit."
		while [ $# -gt 0 ]; do
			printf '%s: %s\n' "$1" "$2"
			shift 2
		done
	} >"$file"
}

# run_setup BIN SETUP runs the ;-separated `BIN -n $ns ...` commands of
# SETUP.
run_setup() {
	local bin=$1 c
	local -a cmds
	IFS=';' read -ra cmds <<<"$2"
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086 # c is a list of words.
		"$bin" -n "$ns" $c
	done
}

# request NAME BIN TYPE SETUP ARGS... captures the one message of
# nlmsg_type TYPE that `BIN ARGS` sends, after running the ;-separated
# commands of SETUP with BIN.
request() {
	local name=$1 bin=$2 type=$3 setup=$4
	shift 4
	newns
	run_setup "$bin" "$setup"
	local index
	index=$(devindex "$@")
	local answer=ok
	if ! strace -f -qq -X raw -e trace=sendmsg -e write=all -xx -s 65535 -o "$tmp/strace" \
		"$bin" -n "$ns" "$@" >/dev/null 2>"$tmp/stderr"; then
		answer=$(tr '\n' ' ' <"$tmp/stderr" | sed 's/ *$//')
	fi
	local msg
	msg=$(messages "$tmp/strace" | awk -v t="$type" '$1 == t')
	if [ "$(printf '%s\n' "$msg" | grep -c .)" != 1 ]; then
		echo "capture.sh: $name: want one message of type $type, got: $msg" >&2
		exit 1
	fi
	write "$here/$requests/$name.txt" \
		cmd "$prog $*" \
		setup "$setup" \
		iproute2 "$("$bin" -V)" \
		parent "$(ifindex p0)" \
		index "$index" \
		answer "$answer" \
		type "${msg%% *}" \
		flags "$(echo "$msg" | cut -d' ' -f2)" \
		payload "${msg##* }"
	echo "$requests/$name.txt: $prog $*" >&2
}

# reply NAME BIN TYPE WANT SETUP ARGS... captures the first message of
# type TYPE in the kernel's answer to `BIN ARGS`, after running SETUP with
# BIN: the first whose payload matches the regular expression WANT, or,
# when WANT is empty, the first about the device after `dev` in ARGS
# (iproute2 asks about a device more than once, and about its parent).
reply() {
	local name=$1 bin=$2 type=$3 want=$4 setup=$5
	shift 5
	newns
	run_setup "$bin" "$setup"
	strace -f -qq -X raw -e trace=recvmsg -e read=all -xx -s 65535 -o "$tmp/strace" \
		"$bin" -n "$ns" "$@" >/dev/null
	local index msg
	index=$(devindex "$@")
	if [ -z "$want" ]; then
		want=$(printf '^........%02x%02x0000' $((index & 255)) $((index >> 8)))
	fi
	msg=$(messages "$tmp/strace" | awk -v t="$type" -v w="$want" '!found && $1 == t && $3 ~ w { print; found = 1 }')
	if [ -z "$msg" ]; then
		echo "capture.sh: $name: no message of type $type matching $want" >&2
		exit 1
	fi
	# shellcheck disable=SC2086 # showflags is a list of words.
	write "$here/$replies/$name.txt" \
		cmd "$prog $*" \
		setup "$setup" \
		iproute2 "$("$bin" -V)" \
		kernel "$(uname -r)" \
		parent "$(ifindex p0)" \
		index "$index" \
		show "$("$bin" -n "$ns" $showflags "$@" | "$oneline")" \
		type "${msg%% *}" \
		flags "$(echo "$msg" | cut -d' ' -f2)" \
		payload "${msg##* }"
	echo "$replies/$name.txt: $prog $* after $setup" >&2
}

# capture_links captures the golden files of `ip link`.
capture_links() {
	prog=ip requests=golden replies=replies generator=capture.sh showflags=-o oneline=ip_line
	for tool in "$IP" strace; do
		command -v "$tool" >/dev/null || { echo "capture.sh: $tool not found" >&2; exit 1; }
	done
	mkdir -p "$here/golden" "$here/replies"

	# add NAME ARGS..., set_ NAME SETUP ARGS... and reply_ NAME SETUP DEV
	# capture with $IP.
	add() { local n=$1; shift; request "$n" "$IP" 0x10 "" link add "$@"; }
	set_() { local n=$1 s=$2; shift 2; request "$n" "$IP" 0x10 "$s" link set "$@"; }
	reply_() { reply "$1" "$IP" 0x10 "" "$2" -d link show dev "$3"; }

	# ipvlan and ipvtap: mode is sent where it appears, flags after the
	# loop, always once any option is given.
	add ipvlan-default link p0 name ipv0 type ipvlan
	add ipvlan-l2 link p0 name ipv0 type ipvlan mode l2
	add ipvlan-l3-private link p0 name ipv0 type ipvlan mode l3 private
	add ipvlan-l3s-vepa link p0 name ipv0 type ipvlan mode l3s vepa
	add ipvlan-bridge link p0 name ipv0 type ipvlan bridge
	add ipvlan-common link p0 name ipv0 mtu 1400 txqueuelen 100 group 7 type ipvlan mode l2 bridge
	add ipvtap-l2-vepa link p0 name ipvt0 type ipvtap mode l2 vepa
	set_ ipvlan-set-l3 "" dev p1 type ipvlan mode l3

	# macvlan: the macaddr, bcqueuelen and bclim attributes are sent where
	# they appear; mode and flags after the loop.
	add macvlan-default link p0 name mv0 type macvlan
	add macvlan-private link p0 name mv0 type macvlan mode private
	add macvlan-vepa-common link p0 name mv0 mtu 1400 address 02:00:00:00:01:01 txqueuelen 500 group 7 type macvlan mode vepa
	add macvlan-bridge-bcqueuelen link p0 name mv0 type macvlan mode bridge bcqueuelen 2000
	add macvlan-bridge-flag-null link p0 name mv0 type macvlan mode bridge flag null
	add macvlan-passthru-nopromisc link p0 name mv0 type macvlan mode passthru nopromisc
	add macvlan-source-nodst link p0 name mv0 type macvlan mode source nodst
	add macvlan-source-macaddr-add link p0 name mv0 type macvlan mode source macaddr add 02:aa:00:00:00:01
	add macvlan-source-macaddr-set link p0 name mv0 type macvlan mode source macaddr set 02:aa:00:00:00:01 02:aa:00:00:00:02 02:aa:00:00:00:03
	add macvlan-up link p0 name mv0 up type macvlan mode bridge
	local src="link add link p0 name mv0 type macvlan mode source macaddr set 02:aa:00:00:00:01 02:aa:00:00:00:02"
	set_ macvlan-set-vepa "link add link p0 name mv0 type macvlan mode bridge" dev mv0 type macvlan mode vepa
	set_ macvlan-set-macaddr-del "$src" dev mv0 type macvlan macaddr del 02:aa:00:00:00:01
	set_ macvlan-set-macaddr-flush "$src" dev mv0 type macvlan macaddr flush
	set_ macvlan-set-macaddr-set "$src" dev mv0 type macvlan macaddr set 02:bb:00:00:00:01 02:bb:00:00:00:02
	set_ macvlan-set-macaddr-set-empty "$src" dev mv0 type macvlan macaddr set
	set_ macvlan-set-source-nodst "$src" dev mv0 type macvlan mode source flag nodst

	# macvtap: the same attributes under another kind.
	add macvtap-private link p0 name mvt0 type macvtap mode private
	add macvtap-passthru link p0 name mvt0 type macvtap mode passthru
	add macvtap-source-bcqueuelen link p0 name mvt0 type macvtap mode source macaddr add 02:aa:00:00:00:01 bcqueuelen 64

	# vlan: id, protocol and the QoS maps where they appear, flags (with
	# their mask) after the loop.
	add vlan-id link p0 name vl0 type vlan id 100
	add vlan-8021ad-flags link p0 name vl0 type vlan id 200 protocol 802.1ad reorder_hdr off gvrp on mvrp on loose_binding on bridge_binding on
	add vlan-8021q-qos link p0 name vl0 type vlan id 300 protocol 802.1Q ingress-qos-map 0:1 1:2 7:7 egress-qos-map 1:2 4:5 6:7
	add vlan-common link p0 name vl0 mtu 1496 address 02:00:00:00:03:01 txqueuelen 0 group 4 type vlan id 4094
	set_ vlan-set-flags "" dev p1 type vlan reorder_hdr on loose_binding off

	# dummy: no IFLA_INFO_DATA and no lower device.
	add dummy name d0 type dummy
	add dummy-common name d0 mtu 9000 address 02:00:00:00:02:01 txqueuelen 0 group 3 type dummy

	# bclim needs iproute2 >= 6.4.
	if [ -n "$IP_NEW" ]; then
		request macvlan-bridge-bclim "$IP_NEW" 0x10 "" link add link p0 name mv0 type macvlan mode bridge bcqueuelen 100 bclim 8
		request macvlan-set-bclim-negative "$IP_NEW" 0x10 "link add link p0 name mv0 type macvlan mode bridge" \
			link set dev mv0 type macvlan bclim -1
	else
		echo "capture.sh: IP_NEW not set: keeping golden/macvlan-*bclim*.txt and replies/macvlan-bclim.txt as they are" >&2
	fi

	# netkit needs iproute2 >= 6.7 (the kernel need not have it: the
	# request is captured whatever the answer). The peer's `up` is left
	# out: iproute2 sends it in the peer's ifinfomsg, which the kernel
	# ignores, and vlanraw brings the peer up after creating the pair.
	if [ -n "$IP_NEW" ]; then
		request netkit-default "$IP_NEW" 0x10 "" link add name nk0 type netkit
		request netkit-peer "$IP_NEW" 0x10 "" link add name nk0 type netkit peer name nk1
		request netkit-l2-blackhole "$IP_NEW" 0x10 "" link add name nk0 type netkit mode l2 blackhole peer forward name nk1
		request netkit-common "$IP_NEW" 0x10 "" link add name nk0 mtu 1400 up type netkit mode l3 forward peer blackhole name nk1 mtu 1300
		request netkit-set-policy "$IP_NEW" 0x10 "" link set dev p1 type netkit blackhole peer forward
	else
		echo "capture.sh: IP_NEW not set: keeping golden/netkit-*.txt as they are" >&2
	fi

	# The kernel's answers about a link of each kind.
	reply_ macvlan-source "link add link p0 name mv0 address 02:00:00:00:01:01 type macvlan mode source nodst macaddr set 02:aa:00:00:00:01 02:aa:00:00:00:02 02:aa:00:00:00:03 bcqueuelen 3000" mv0
	reply_ macvlan-bridge "link add link p0 name mv0 address 02:00:00:00:01:02 mtu 1400 txqueuelen 500 group 7 type macvlan mode bridge" mv0
	reply_ macvlan-two-bcqueuelen "link add link p0 name mv0 address 02:00:00:00:01:03 type macvlan mode private bcqueuelen 100;link add link p0 name mv1 address 02:00:00:00:01:04 type macvlan mode private bcqueuelen 5000" mv0
	reply_ macvtap-passthru "link add link p0 name mvt0 type macvtap mode passthru nopromisc" mvt0
	reply_ macvtap-vepa "link add link p0 name mvt0 address 02:00:00:00:01:05 type macvtap mode vepa" mvt0
	if [ -n "$IP_NEW" ]; then
		reply macvlan-bclim "$IP_NEW" 0x10 "" "link add link p0 name mv0 address 02:00:00:00:01:06 type macvlan mode bridge;link set dev mv0 type macvlan bclim 4" -d link show dev mv0
	fi
}

# capture_tc captures the golden files of tc. RTM_NEWQDISC 0x24, RTM_DELQDISC
# 0x25, RTM_GETQDISC 0x26, RTM_NEWTFILTER 0x2c, RTM_DELTFILTER 0x2d,
# RTM_GETTFILTER 0x2e.
capture_tc() {
	prog=tc requests=tc-golden replies=tc-replies generator=capture-tc.sh showflags= oneline=tc_line
	for tool in "$TC" ip strace; do
		command -v "$tool" >/dev/null || { echo "capture.sh: $tool not found" >&2; exit 1; }
	done
	local bpfdir
	bpfdir=$(cd "$here/../../bpf" && pwd)
	[ -f "$bpfdir/counter_bpfel.o" ] || { echo "capture.sh: no $bpfdir/counter_bpfel.o: run make generate" >&2; exit 1; }
	mkdir -p "$here/tc-golden" "$here/tc-replies"
	cd "$bpfdir"

	local clsact="qdisc add dev p0 clsact"
	local obj="filter add dev p0 ingress bpf da obj counter_bpfel.o sec tc"
	request qdisc-add-clsact "$TC" 0x24 "" qdisc add dev p0 clsact
	request qdisc-del-clsact "$TC" 0x25 "$clsact" qdisc del dev p0 clsact
	request qdisc-show "$TC" 0x26 "" qdisc show dev p0
	request filter-add-ingress "$TC" 0x2c "$clsact" filter add dev p0 ingress bpf da obj counter_bpfel.o sec tc
	request filter-add-egress-pref "$TC" 0x2c "$clsact" filter add dev p0 egress pref 1 handle 1 bpf da obj counter_bpfel.o sec tc
	request filter-add-classid-skip-hw "$TC" 0x2c "$clsact" filter add dev p0 egress pref 7 bpf obj counter_bpfel.o sec tc classid 1:2 da skip_hw
	request filter-del-handle "$TC" 0x2d "$clsact;$obj" filter del dev p0 ingress pref 49152 handle 1 bpf
	request filter-del-pref "$TC" 0x2d "$clsact;$obj" filter del dev p0 ingress pref 49152
	request filter-show-ingress "$TC" 0x2e "$clsact" filter show dev p0 ingress
	request filter-show-egress "$TC" 0x2e "$clsact" filter show dev p0 egress

	# The kernel's answers: the clsact qdisc, a filter's priority group
	# (no handle, no options; first in a dump) and the filter itself.
	reply qdisc-clsact "$TC" 0x24 '^0000000003000000' "$clsact" qdisc show dev p0
	reply filter-group "$TC" 0x2c '^0000000003000000000000' "$clsact;$obj" filter show dev p0 ingress
	reply filter-bpf "$TC" 0x2c '^0000000003000000010000' "$clsact;$obj" filter show dev p0 ingress
}

for s in "${sets[@]}"; do
	"capture_$s"
done
