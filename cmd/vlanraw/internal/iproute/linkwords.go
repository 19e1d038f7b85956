package iproute

import (
	"net"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
)

// linkWords are the words of iproute2's iplink_parse, in its order, so
// that a prefix selects the same word as in iproute2 ("t" is txqueuelen,
// "ty" is type). Words vlanraw does not implement are marked unsupported.
// Anything that is not a keyword is the device name, as in iproute2.
var linkWords = []cli.Keyword{
	{Name: "up", Exact: true},
	{Name: "down", Exact: true},
	{Name: "name", Exact: true},
	{Name: "index", Exact: true, Unsupported: true},
	{Name: "link"},
	{Name: "address"},
	{Name: "broadcast", Unsupported: true},
	{Name: "brd", Exact: true, Unsupported: true},
	{Name: "txqueuelen"},
	{Name: "qlen", Exact: true},
	{Name: "txqlen"},
	{Name: "mtu", Exact: true},
	{Name: "xdpgeneric", Exact: true, Unsupported: true},
	{Name: "xdpdrv", Exact: true, Unsupported: true},
	{Name: "xdpoffload", Exact: true, Unsupported: true},
	{Name: "xdp", Exact: true, Unsupported: true},
	{Name: "netns", Exact: true},
	{Name: "multicast", Exact: true, Unsupported: true},
	{Name: "allmulticast", Exact: true, Unsupported: true},
	{Name: "promisc", Exact: true, Unsupported: true},
	{Name: "trailers", Exact: true, Unsupported: true},
	{Name: "arp", Exact: true, Unsupported: true},
	{Name: "carrier", Exact: true, Unsupported: true},
	{Name: "vf", Exact: true, Unsupported: true},
	{Name: "master", Unsupported: true},
	{Name: "vrf", Exact: true, Unsupported: true},
	{Name: "nomaster", Unsupported: true},
	{Name: "dynamic", Unsupported: true},
	{Name: "type"},
	{Name: "alias", Unsupported: true},
	{Name: "group", Exact: true},
	{Name: "mode", Exact: true, Unsupported: true},
	{Name: "state", Exact: true, Unsupported: true},
	{Name: "numtxqueues", Unsupported: true},
	{Name: "numrxqueues", Unsupported: true},
	{Name: "addrgenmode", Unsupported: true},
	{Name: "link-netns", Unsupported: true},
	{Name: "link-netnsid", Unsupported: true},
	{Name: "protodown", Exact: true, Unsupported: true},
	{Name: "protodown_reason", Exact: true, Unsupported: true},
	{Name: "gso_max_size", Exact: true, Unsupported: true},
	{Name: "gso_max_segs", Exact: true, Unsupported: true},
	{Name: "gro_max_size", Exact: true, Unsupported: true},
	{Name: "parentdev", Exact: true, Unsupported: true},
	{Name: "help"},
	{Name: "dev", Exact: true},
}

// linkArgs are the kind-independent words of `link add` and `link set`.
type linkArgs struct {
	// dev is the device: `dev NAME` or a bare word. For add it is the
	// new link's name; for set, the link to change.
	dev string
	// name is `name NAME`: the new link's name for add, a rename for set.
	name   string
	parent string // link DEV
	mtu    uint32
	mac    net.HardwareAddr
	txqlen *uint32
	group  *uint32
	netns  string
	up     *bool
	// kind is the word after type; kindWords the words after it.
	kind      string
	hasType   bool
	kindWords []string
}

// parseLinkArgs reads iproute2's link words up to and including `type
// KIND`; the kind's own words are left in kindWords.
func parseLinkArgs(ws *words) (*linkArgs, error) {
	a := &linkArgs{}
	devFromName := false
	seen := map[string]bool{}
	once := func(kw string) error {
		if seen[kw] {
			return cli.Usagef("%q is given twice", kw)
		}
		seen[kw] = true
		return nil
	}
	for ws.more() {
		word := ws.next()
		kw, ok := cli.Lookup(linkWords, word)
		if !ok || kw.Name == "dev" {
			if ok {
				v, err := ws.value("dev", "a link name")
				if err != nil {
					return nil, err
				}
				word = v
			}
			if a.dev != "" && !devFromName {
				return nil, cli.Usagef("two link names given, %q and %q: give one, or use \"name NAME\" for the other", a.dev, word)
			}
			if err := links.CheckName(word); err != nil {
				return nil, err
			}
			a.dev, devFromName = word, false
			continue
		}
		if kw.Unsupported {
			return nil, cli.Usagef("vlanraw does not support iproute2's %q option", kw.Name)
		}
		var err error
		switch kw.Name {
		case "up", "down":
			up := kw.Name == "up"
			a.up = &up
		case "name":
			if err = once("name"); err == nil {
				a.name, err = ws.value("name", "a link name")
			}
			if err == nil {
				err = links.CheckName(a.name)
			}
			if err == nil && a.dev == "" {
				a.dev, devFromName = a.name, true
			}
		case "link":
			a.parent, err = ws.value("link", "the parent link's name")
		case "address":
			a.mac, err = ws.macValue("address")
		case "txqueuelen", "qlen", "txqlen":
			if err = once("txqueuelen"); err == nil {
				var n uint64
				n, err = ws.uintValue(kw.Name, 0, 1<<32-1)
				q := uint32(n)
				a.txqlen = &q
			}
		case "mtu":
			if err = once("mtu"); err == nil {
				var n uint64
				n, err = ws.uintValue("mtu", 1, 1<<32-1)
				a.mtu = uint32(n)
			}
		case "netns":
			if err = once("netns"); err == nil {
				a.netns, err = ws.value("netns", "a namespace name or a process id")
			}
		case "group":
			if err = once("group"); err == nil {
				var g uint32
				g, err = groupValue(ws)
				a.group = &g
			}
		case "type":
			a.hasType = true
			if a.kind, err = ws.value("type", "a link kind"); err == nil {
				a.kindWords = ws.rest()
			}
		case "help":
			return nil, &cli.HelpRequested{Topic: "link"}
		}
		if err != nil {
			return nil, err
		}
	}
	if a.name != "" && a.dev != "" && a.dev != a.name {
		// Only link set can tell the device from its new name.
		return a, nil
	}
	if a.name == "" {
		a.name = a.dev
	}
	return a, nil
}

// groupValue reads the group after "group": a number or a name from
// iproute2's group file.
func groupValue(ws *words) (uint32, error) {
	s, err := ws.value("group", "a group number or name")
	if err != nil {
		return 0, err
	}
	if id, ok := groupID(s); ok {
		return id, nil
	}
	n, err := parseUint(s, 32)
	if err != nil {
		return 0, cli.Usagef("invalid \"group\" value %q: use a number, or a name from %s", s, groupFile)
	}
	return uint32(n), nil
}
