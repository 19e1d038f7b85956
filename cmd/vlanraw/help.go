package main

import (
	"fmt"
	"io"
	"strings"
)

// runHelp runs `vlanraw help [OBJECT]`.
func runHelp(e *env, args []string) error {
	switch len(args) {
	case 0:
		mainHelp(e.stdout)
		return nil
	case 1:
		o, ok := findObject(args[0])
		if !ok {
			return usagef("no help for %q: use one of %s", args[0], objectNames())
		}
		o.help(e.stdout)
		return nil
	}
	return usagef("help takes one object, got %d words", len(args))
}

// runHelpTopic prints the help a "help" word asked for, on stdout.
func runHelpTopic(e *env, topic string) int {
	if o, ok := findObject(topic); ok && topic != "" {
		o.help(e.stdout)
	} else {
		mainHelp(e.stdout)
	}
	return exitOK
}

// mainHelp writes the top-level help.
func mainHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [OPTIONS] OBJECT COMMAND [ARGS...]

vlanraw does what Docker's ipvlan and macvlan network drivers do, for
plain network namespaces, and what "ip link" does for ipvlan, macvlan and
vlan links, over raw rtnetlink, on hosts without Docker or iproute2. The
link object takes iproute2's words, so "ip link ..." commands can be
pasted after "vlanraw"; network, connect and disconnect take Docker's.

OPTIONS (before OBJECT; for show and ls also after the command):
  -n, --netns NETNS    run in network namespace NETNS: a name under
                       /run/netns, a path such as /proc/PID/ns/net, or a
                       process id, for every object. For network,
                       connect, disconnect, routes and restore, NETNS is
                       the host namespace: the one that holds the parent
                       links. Use one state directory per host namespace
  -j, --json           print JSON (with the keys of "ip -j" for link, addr,
                       route, neigh, netns)
  -d, --details        print details: the kind and its mode, flags, queues
  -p, --pretty         indent JSON
  --state-dir DIR      record networks and endpoints in DIR; default
                       $VLANRAW_STATE_DIR, else /var/lib/vlanraw
  -h, --help           show this help
  iproute2's one-dash spellings (-details, -json, -netns NETNS) work too.

OBJECTS:
`)
	for _, o := range objects() {
		fmt.Fprintf(w, "  %-11s %s\n", o.name, o.summary)
	}
	fmt.Fprint(w, `
Run "vlanraw help OBJECT" for an object's commands. Objects may be
abbreviated to any prefix; the first in the list above wins.

Exit status: 0 on success; 1 when the kernel or the system refused (the
message carries the kernel's own reason when it gave one); 2 for a
mistake in the command line or an invalid value.
`)
}

// linkHelp writes the help of the link object. Every word the link
// parsers accept appears here; a test checks that.
func linkHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw [OPTIONS] link add [link DEV] [name] NAME [mtu MTU]
                 [address LLADDR] [txqueuelen PACKETS] [group GROUP]
                 [netns {NETNSNAME | PID}] [up | down]
                 type TYPE [ARGS]

       vlanraw [OPTIONS] link set [dev] DEV [up | down] [mtu MTU]
                 [name NEWNAME] [type TYPE [ARGS]]

       vlanraw [OPTIONS] link del [dev] DEV [DEV ...]

       vlanraw [OPTIONS] link show [[dev] DEV] [type TYPE] [up] [group GROUP]

       vlanraw link help

COMMANDS (any prefix works, as in iproute2; "change" is set, "delete",
"list" and "lst" are del and show):
  add      create a link; nothing is printed on success
  set      change a link: bring it up or down, its MTU, its name, and
           the options of its TYPE where the TYPE says so below
  del      delete links; several names are deleted in one batched request
  show     list links; -d adds the kind's details, -j prints JSON with
           the keys of "ip -j -d link show"

WORDS (where iproute2 takes a prefix of a keyword, vlanraw does too: link,
address, txqueuelen, type, and the kind words below but bclim; name, dev,
mtu, group, netns, up, down, peer, bclim and every value are spelled out):
  link DEV             the parent link (lower device) of an ipvlan,
                       macvlan or vlan link
  name NAME            the link's name: 1-15 bytes, no '/', ':' or
                       whitespace. "name" may be left out: a word that is
                       not a keyword is the name, as is "dev NAME"
  dev NAME             the link, for set, del and show
  mtu MTU              the MTU; it cannot exceed the parent's
  address LLADDR       the MAC address, such as 02:00:00:00:00:01
                       (not for ipvlan: it shares the parent's)
  txqueuelen PACKETS   the transmit queue length (also txqlen, qlen)
  group GROUP          the link group: a number, or a name from
                       /etc/iproute2/group such as default
  netns NETNSNAME|PID  create the link directly in that namespace: a name
                       from "vlanraw netns ls", a path such as
                       /proc/PID/ns/net, or a process id
  up, down             bring the link up or down
`)
	fmt.Fprint(w, fill("  type TYPE            ", strings.Repeat(" ", 23), "one of "+strings.Join(kinds, ", ")+"; its own words follow", 72))
	fmt.Fprint(w, `  help                 print this help
`)
	for _, k := range kindTable {
		fmt.Fprint(w, "\n"+k.help)
	}
	fmt.Fprint(w, `
EXAMPLES:
  vlanraw link add link eth0 name mv0 type macvlan mode bridge
  vlanraw link add link eth0 mv1 up type macvtap mode source nodst \
      macaddr set 02:00:00:00:00:01 02:00:00:00:00:02
  vlanraw link set mv1 type macvtap macaddr add 02:00:00:00:00:03
  vlanraw link add link eth0 name ipv0 type ipvlan mode l2 private
  vlanraw link add link eth0 name eth0.100 type vlan id 100 protocol 802.1Q
  vlanraw -n blue link add veth0 type veth peer name veth1 netns red
  vlanraw -d -j -p link show type macvlan
  vlanraw link del mv0 mv1 ipv0
`)
}

// netnsHelp writes the help of the netns object.
func netnsHelp(w io.Writer) {
	fmt.Fprint(w, `Usage: vlanraw netns add NAME
       vlanraw netns del NAME
       vlanraw netns ls
       vlanraw netns exec NETNS COMMAND [ARGS...]

  add NAME   create a network namespace and pin it at /run/netns/NAME,
             as "ip netns add" does, so both tools see it
  del NAME   unpin it; the namespace goes away with its last user
  ls         list the pinned namespaces (also list, lst, show; -j for JSON)
  exec NETNS COMMAND [ARGS...]
             run COMMAND (looked up in $PATH) in namespace NETNS (a name,
             a path such as /proc/PID/ns/net, or a process id), as "ip
             netns exec" does: vlanraw enters the namespace on one thread,
             gives that thread a mount namespace of its own in which /sys
             is mounted afresh (so /sys/class/net lists NETNS's links)
             and, for a namespace NAME under /run/netns, each file under
             /etc/netns/NAME is bind-mounted over its namesake in /etc,
             then replaces itself with COMMAND, which keeps the
             environment and the exit status is COMMAND's
  help       print this help

Any prefix of add, delete, exec, list and show works, as in iproute2.
`)
}
