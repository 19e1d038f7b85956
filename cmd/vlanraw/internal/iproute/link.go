package iproute

import (
	"strings"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
)

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
var Link = cli.Command{Name: "link", Summary: "create, change, show and delete links", Run: runLink, HelpFunc: linkHelp}

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

// linkHelp returns the help of the link object, with a section per kind
// of kindTable. Every word the link parsers accept appears here; a test
// checks that.
func linkHelp() string {
	var b strings.Builder
	b.WriteString(`Usage: vlanraw [OPTIONS] link add [link DEV] [name] NAME [mtu MTU]
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
	b.WriteString(fill("  type TYPE            ", strings.Repeat(" ", 23), "one of "+strings.Join(kindNames(), ", ")+"; its own words follow", 72))
	b.WriteString(`  help                 print this help
`)
	for _, k := range kindTable {
		b.WriteString("\n" + k.help)
	}
	b.WriteString(`
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
	return b.String()
}
