package iproute

import (
	"slices"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// ipvlanKind is ipvlan and ipvtap: iproute2's iplink_ipvlan.c.
var ipvlanKind = &linkKind{
	names: []string{"ipvlan", "ipvtap"},
	add:   addIPVlan,
	set: func(kind string, args []string) (links.Spec, error) {
		v, err := parseIPVlan(kind, args)
		if err != nil {
			return nil, err
		}
		return &links.IPVlan{Tap: kind == "ipvtap", Mode: v.Mode, Flag: v.Flags}, nil
	},
	details: func(data rtnetlink.LinkDriver) []detail {
		switch v := data.(type) {
		case *rtnl.IPVlan:
			return ipvlanDetails(v)
		case *rtnl.IPVtap:
			return ipvlanDetails(&v.IPVlan)
		}
		return nil
	},
	help: `TYPE ipvlan, ipvtap: [mode {l2 | l3 | l3s}] [bridge | private | vepa]
  mode l2|l3|l3s       switch in layer 2, route in layer 3, or layer 3
                       with netfilter (l3s); the kernel's default is l3
  bridge               slaves reach each other through the parent (default)
  private              slaves cannot reach each other
  vepa                 slave-to-slave traffic goes out to the switch
  Mode and flag belong to the parent: every ipvlan on it shares them,
  and the latest add or set wins; set takes these words too.
`,
	words: func() []string { return slices.Concat(keywordNames(ipvlanWords), wordsOf(ipvlanModes)) },
}

// ipvlanWords are iproute2's ipvlan/ipvtap words, in its order.
var ipvlanWords = []cli.Keyword{
	{Name: "mode"},
	{Name: "private"},
	{Name: "vepa"},
	{Name: "bridge"},
	{Name: "help"},
}

// ipvlanModes are the values of "mode", matched exactly.
var ipvlanModes = []wordValue[rtnl.IPVlanMode]{
	{"l2", rtnl.IPVlanModeL2},
	{"l3", rtnl.IPVlanModeL3},
	{"l3s", rtnl.IPVlanModeL3S},
}

// addIPVlan builds an ipvlan or ipvtap spec from the parsed words.
func addIPVlan(a *linkArgs, attrs links.Attrs) (*addRequest, error) {
	s := &links.IPVlan{Attrs: attrs, Parent: a.parent, Tap: a.kind == "ipvtap"}
	if err := checkParent(a, s); err != nil {
		return nil, err
	}
	if a.mac != nil {
		return nil, cli.Usagef("%s links share their parent's MAC address: remove \"address %s\"", a.kind, a.mac)
	}
	v, err := parseIPVlan(a.kind, a.kindWords)
	if err != nil {
		return nil, err
	}
	if v != nil {
		s.Mode, s.Flag = v.Mode, v.Flags
	}
	return &addRequest{spec: s}, nil
}

// parseIPVlan reads ipvlan or ipvtap options into the wire form, as
// iproute2's ipvlan_parse_opt does: MODE when "mode" is given, and FLAGS
// whenever any option is (0, bridge, unless private or vepa is given).
func parseIPVlan(kind string, args []string) (*rtnl.IPVlan, error) {
	if len(args) == 0 {
		return nil, nil
	}
	v := &rtnl.IPVlan{}
	flag := rtnl.IPVlanFlagBridge
	flagWord := ""
	ws := &words{w: args}
	for ws.more() {
		word := ws.next()
		kw, ok := cli.Lookup(ipvlanWords, word)
		if !ok {
			return nil, cli.Usagef("%s: unknown option %q: use mode {l2|l3|l3s} and one of bridge, private or vepa", kind, word)
		}
		switch kw.Name {
		case "mode":
			s, err := ws.value("mode", "l2, l3 or l3s")
			if err != nil {
				return nil, err
			}
			m, ok := lookupWord(ipvlanModes, s)
			if !ok {
				return nil, cli.Usagef("%s: argument of \"mode\" must be \"l2\", \"l3\" or \"l3s\", not %q", kind, s)
			}
			v.Mode = &m
		case "private", "vepa", "bridge":
			if flagWord != "" {
				return nil, cli.Usagef("%s: %q after %q: give only one of bridge, private and vepa", kind, word, flagWord)
			}
			flagWord = word
			switch kw.Name {
			case "private":
				flag = rtnl.IPVlanFlagPrivate
			case "vepa":
				flag = rtnl.IPVlanFlagVEPA
			}
		case "help":
			return nil, &cli.HelpRequested{Topic: "link"}
		}
	}
	v.Flags = &flag
	return v, nil
}

// ipvlanDetails renders an ipvlan's data as iproute2's ipvlan_print_opt.
func ipvlanDetails(v *rtnl.IPVlan) []detail {
	var d []detail
	if v.Mode != nil {
		mode := "unknown"
		if _, ok := lookupWord(ipvlanModes, v.Mode.String()); ok {
			mode = v.Mode.String()
		}
		// The leading space is iproute2's: "    ipvlan  mode l2 bridge ".
		d = append(d, detail{key: "mode", text: " mode " + mode + " ", val: mode})
	}
	if v.Flags != nil {
		f := "bridge"
		switch {
		case *v.Flags&rtnl.IPVlanFlagPrivate != 0:
			f = "private"
		case *v.Flags&rtnl.IPVlanFlagVEPA != 0:
			f = "vepa"
		}
		d = append(d, detail{key: f, text: f + " ", val: true})
	}
	return d
}
