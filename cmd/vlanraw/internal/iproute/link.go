package iproute

import "github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"

// linkCommands are the commands of the link object, in iproute2's order
// so that prefixes select the same command ("s" is set, "d" delete).
var linkCommands = []struct {
	kw  cli.Keyword
	run func(e *cli.Env, args []string) error
}{
	{cli.Keyword{Name: "add"}, runLinkAdd},
	{cli.Keyword{Name: "set"}, runLinkSet},
	{cli.Keyword{Name: "change"}, runLinkSet},
	{cli.Keyword{Name: "replace", Unsupported: true}, nil},
	{cli.Keyword{Name: "delete"}, runLinkDel},
	{cli.Keyword{Name: "show"}, runLinkShow},
	{cli.Keyword{Name: "lst"}, runLinkShow},
	{cli.Keyword{Name: "list"}, runLinkShow},
	{cli.Keyword{Name: "help"}, func(*cli.Env, []string) error { return &cli.HelpRequested{Topic: "link"} }},
}

// Link is the link object, iproute2's "ip link": add, set, del and show.
var Link = cli.Command{Name: "link", Summary: "create, change, show and delete links", Run: runLink, Help: linkHelp}

// runLink runs `vlanraw link COMMAND ...`; with no command it lists links.
func runLink(e *cli.Env, args []string) error {
	if len(args) == 0 {
		return runLinkShow(e, nil)
	}
	for _, c := range linkCommands {
		if !c.kw.Matches(args[0]) {
			continue
		}
		if c.kw.Unsupported {
			return cli.Usagef("vlanraw does not support \"link %s\" yet: delete the link and add it again", c.kw.Name)
		}
		return c.run(e, args[1:])
	}
	return cli.Usagef("unknown link command %q: use add, set, del, show or help", args[0])
}

// linkHelp is the help of the link object. Every word the link
// parsers accept appears here; a test checks that.
const linkHelp = `Usage: vlanraw [OPTIONS] link add [link DEV] [name] NAME [mtu MTU]
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
           for ipvlan and macvlan links their mode and options (vlan
           options can only be given to add, for now)
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
  type TYPE            one of ipvlan, ipvtap, macvlan, macvtap, vlan,
                       dummy, veth; its own words follow
  help                 print this help

TYPE ipvlan, ipvtap: [mode {l2 | l3 | l3s}] [bridge | private | vepa]
  mode l2|l3|l3s       switch in layer 2, route in layer 3, or layer 3
                       with netfilter (l3s); the kernel's default is l3
  bridge               slaves reach each other through the parent (default)
  private              slaves cannot reach each other
  vepa                 slave-to-slave traffic goes out to the switch
  Mode and flag belong to the parent: every ipvlan on it shares them,
  and the latest add or set wins.

TYPE macvlan, macvtap: mode MODE [flag FLAG] [nopromisc] [nodst]
          [macaddr {add|del LLADDR | set [LLADDR ...] | flush}]
          [bcqueuelen N] [bclim N]
  mode private         no traffic between macvlans on the same parent
  mode vepa            macvlan-to-macvlan traffic goes out to the switch
                       (the kernel's default)
  mode bridge          macvlans on the same parent reach each other
  mode passthru        one macvlan takes over the parent and its MAC; it
                       must be the parent's first macvlan
  mode source          receive only frames from the source MAC addresses
                       in the link's list (see macaddr)
  flag nopromisc       (or just nopromisc) passthru only: do not put the
                       parent into promiscuous mode
  flag nodst           (or just nodst) source only: do not also receive
                       frames addressed to the link's own MAC
  flag null            clear the flags
  macaddr add LLADDR   add a source MAC (source mode only)
  macaddr del LLADDR   remove a source MAC
  macaddr set LLADDR.. replace the list with these MACs (none: empty it)
  macaddr flush        empty the list
  bcqueuelen N         the broadcast/multicast receive queue length this
                       link asks for (Linux 5.11+, default 1000); the
                       parent uses the largest over its macvlans
                       (usedbcqueuelen)
  bclim N              broadcast cutoff (Linux 6.4+, 32-bit signed): the
                       number of macvlans above which multicast goes
                       through the broadcast queue; shared by the parent.
                       Older kernels would ignore these two: vlanraw
                       refuses them there

TYPE vlan: id VLANID [protocol {802.1Q | 802.1ad}]
          [reorder_hdr {on|off}] [gvrp {on|off}] [mvrp {on|off}]
          [loose_binding {on|off}] [bridge_binding {on|off}]
          [ingress-qos-map FROM:TO ...] [egress-qos-map FROM:TO ...]
  id VLANID            the VLAN id, 0-4094 (required)
  protocol 802.1Q      a customer tag, ethertype 0x8100 (default)
  protocol 802.1ad     a service tag (QinQ), ethertype 0x88a8
  reorder_hdr on|off   hand received frames up untagged (default on)
  gvrp on|off          register the VLAN with GVRP
  mvrp on|off          register the VLAN with MVRP
  loose_binding on|off do not follow the parent's operational state
  bridge_binding on|off follow only the bridge ports in this VLAN
  ingress-qos-map FROM:TO ...  map a received tag's priority code point
                       (FROM, 0-7) to a packet priority (TO)
  egress-qos-map FROM:TO ...   map a packet priority (FROM) to the sent
                       tag's priority code point (TO, 0-7)

TYPE dummy: no words.

TYPE veth: peer [name] NAME [mtu MTU] [address LLADDR]
          [netns NETNSNAME|PID] [up | down]
  peer ...             the other end's name and settings (required)

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
`
