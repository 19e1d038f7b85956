package iproute

import (
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// macvlanKind is macvlan and macvtap: iproute2's iplink_macvlan.c.
var macvlanKind = &linkKind{
	names: []string{"macvlan", "macvtap"},
	add:   addMACVlan,
	set: func(kind string, args []string) (links.Spec, error) {
		v, err := parseMACVlan(kind, args)
		if err != nil {
			return nil, err
		}
		return macvlanSpec(kind, v), nil
	},
	details: func(data rtnetlink.LinkDriver) []detail {
		switch v := data.(type) {
		case *rtnl.MACVlan:
			return macvlanDetails(v)
		case *rtnl.MACVtap:
			return macvlanDetails(&v.MACVlan)
		}
		return nil
	},
	help: `TYPE macvlan, macvtap: mode MODE [flag FLAG] [nopromisc] [nodst]
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
  set takes these words too, but cannot switch a link into or out of
  passthru.
`,
	words: func() []string {
		return slices.Concat(keywordNames(macvlanWords), wordsOf(macvlanModes), wordsOf(macvlanFlagValues), wordsOf(macaddrOps))
	},
}

// addMACVlan builds a macvlan or macvtap spec from the parsed words.
func addMACVlan(a *linkArgs, attrs links.Attrs) (*addRequest, error) {
	if err := checkParent(a, &links.MACVlan{}); err != nil {
		return nil, err
	}
	v, err := parseMACVlan(a.kind, a.kindWords)
	if err != nil {
		return nil, err
	}
	if v.MACAddrMode != nil && (v.Mode == nil || *v.Mode != rtnl.MACVlanModeSource) {
		return nil, cli.Usagef("%s: \"macaddr\" edits the source list of a source-mode link: add \"mode source\"", a.kind)
	}
	s := macvlanSpec(a.kind, v)
	s.Attrs, s.Parent = attrs, a.parent
	return &addRequest{spec: s}, nil
}

// macvlanSpec returns the spec of a macvlan (or, for kind macvtap, a
// macvtap) with the options v.
func macvlanSpec(kind string, v *rtnl.MACVlan) *links.MACVlan {
	s := &links.MACVlan{
		Tap: kind == "macvtap", Mode: v.Mode, Flags: v.Flags, MACAddrMode: v.MACAddrMode,
		BCQueueLen: v.BCQueueLen, BCCutoff: v.BCCutoff,
	}
	switch {
	case v.MACAddr != nil:
		s.MACAddrs = append(s.MACAddrs, v.MACAddr)
	case v.MACAddrData != nil:
		s.MACAddrs = v.MACAddrData
	}
	return s
}

// macvlanWords are iproute2's macvlan/macvtap words, in its order.
var macvlanWords = []cli.Keyword{
	{Name: "mode"},
	{Name: "flag"},
	{Name: "macaddr"},
	{Name: "nopromisc"},
	{Name: "nodst"},
	{Name: "bcqueuelen"},
	{Name: "bclim", Exact: true},
	{Name: "help"},
}

// macvlanModes are the values of "mode", matched exactly.
var macvlanModes = []wordValue[rtnl.MACVlanMode]{
	{"private", rtnl.MACVlanModePrivate},
	{"vepa", rtnl.MACVlanModeVEPA},
	{"bridge", rtnl.MACVlanModeBridge},
	{"passthru", rtnl.MACVlanModePassthru},
	{"source", rtnl.MACVlanModeSource},
}

// macvlanFlagValues are the values of "flag", matched exactly.
var macvlanFlagValues = []wordValue[rtnl.MACVlanFlag]{
	{"nopromisc", rtnl.MACVlanFlagNoPromisc},
	{"nodst", rtnl.MACVlanFlagNoDst},
	{"null", 0},
}

// macaddrOps are the values of "macaddr", matched exactly.
var macaddrOps = []wordValue[rtnl.MACAddrMode]{
	{"add", rtnl.MACAddrAdd},
	{"del", rtnl.MACAddrDel},
	{"set", rtnl.MACAddrSet},
	{"flush", rtnl.MACAddrFlush},
}

// parseMACVlan reads macvlan or macvtap options (kind is which, for
// messages) into the wire form, as iproute2's macvlan_parse_opt does:
// MODE only when "mode" is given, FLAGS only when a flag word is.
func parseMACVlan(kind string, args []string) (*rtnl.MACVlan, error) {
	v := &rtnl.MACVlan{}
	var flags rtnl.MACVlanFlag
	hasFlags := false
	ws := &words{w: args}
	for ws.more() {
		word := ws.next()
		kw, ok := cli.Lookup(macvlanWords, word)
		if !ok {
			return nil, cli.Usagef("%s: unknown option %q: use mode, flag, macaddr, nopromisc, nodst, bcqueuelen or bclim", kind, word)
		}
		switch kw.Name {
		case "mode":
			s, err := ws.value("mode", "private, vepa, bridge, passthru or source")
			if err != nil {
				return nil, err
			}
			m, ok := lookupWord(macvlanModes, s)
			if !ok {
				return nil, cli.Usagef("%s: argument of \"mode\" must be \"private\", \"vepa\", \"bridge\", \"passthru\" or \"source\", not %q", kind, s)
			}
			v.Mode = &m
		case "flag":
			s, err := ws.value("flag", "nopromisc, nodst or null")
			if err != nil {
				return nil, err
			}
			f, ok := lookupWord(macvlanFlagValues, s)
			if !ok {
				return nil, cli.Usagef("%s: argument of \"flag\" must be \"nopromisc\", \"nodst\" or \"null\", not %q", kind, s)
			}
			flags |= f
			hasFlags = true
		case "nopromisc":
			flags |= rtnl.MACVlanFlagNoPromisc
			hasFlags = true
		case "nodst":
			flags |= rtnl.MACVlanFlagNoDst
			hasFlags = true
		case "macaddr":
			if v.MACAddrMode != nil {
				return nil, cli.Usagef("%s: \"macaddr\" is given twice; the kernel would only apply the last: use \"macaddr set MAC MAC...\" for several addresses", kind)
			}
			if err := parseMACAddr(kind, ws, v); err != nil {
				return nil, err
			}
		case "bcqueuelen":
			n, err := ws.uintValue("bcqueuelen", 0, 1<<32-1)
			if err != nil {
				return nil, err
			}
			q := uint32(n)
			v.BCQueueLen = &q
		case "bclim":
			s, err := ws.value("bclim", "a 32-bit integer")
			if err != nil {
				return nil, err
			}
			n, err := parseInt(s, 32)
			if err != nil {
				return nil, cli.Usagef("%s: illegal value for \"bclim\": %q: use a 32-bit integer", kind, s)
			}
			c := int32(n)
			v.BCCutoff = &c
		case "help":
			return nil, &cli.HelpRequested{Topic: "link"}
		}
	}
	if hasFlags {
		if flags&rtnl.MACVlanFlagNoPromisc != 0 && (v.Mode == nil || *v.Mode != rtnl.MACVlanModePassthru) {
			return nil, cli.Usagef("%s: the nopromisc flag is only valid in passthru mode: add \"mode passthru\"", kind)
		}
		v.Flags = &flags
	}
	return v, nil
}

// parseMACAddr reads the words after "macaddr": add|del MAC, set [MAC...]
// or flush. Set takes MAC addresses until a word that is not one.
func parseMACAddr(kind string, ws *words, v *rtnl.MACVlan) error {
	s, err := ws.value("macaddr", "add, del, set or flush")
	if err != nil {
		return err
	}
	op, ok := lookupWord(macaddrOps, s)
	if !ok {
		return cli.Usagef("%s: argument of \"macaddr\" must be \"add\", \"del\", \"set\" or \"flush\", not %q", kind, s)
	}
	v.MACAddrMode = &op
	switch op {
	case rtnl.MACAddrAdd, rtnl.MACAddrDel:
		mac, err := ws.macValue("macaddr " + s)
		if err != nil {
			return err
		}
		v.MACAddr = mac
	case rtnl.MACAddrSet:
		v.MACAddrData = []net.HardwareAddr{}
		for ws.more() {
			mac, ok := parseMAC(ws.peek())
			if !ok {
				break
			}
			ws.next()
			v.MACAddrData = append(v.MACAddrData, mac)
		}
	}
	return nil
}

// macvlanDetails renders a macvlan's data as iproute2's macvlan_print_opt.
func macvlanDetails(v *rtnl.MACVlan) []detail {
	if v.Mode == nil {
		return nil
	}
	mode := "unknown"
	if _, ok := lookupWord(macvlanModes, v.Mode.String()); ok {
		mode = v.Mode.String()
	}
	d := []detail{{key: "mode", text: "mode " + mode + " ", val: mode}}
	var flags rtnl.MACVlanFlag
	if v.Flags != nil {
		flags = *v.Flags
	}
	if flags&rtnl.MACVlanFlagNoPromisc != 0 {
		d = append(d, detail{key: "nopromisc", text: "nopromisc ", val: true})
	}
	if flags&rtnl.MACVlanFlagNoDst != 0 {
		d = append(d, detail{key: "nodst", text: "nodst ", val: true})
	}
	if v.BCQueueLen != nil {
		d = append(d, detail{key: "bcqueuelen", text: fmt.Sprintf("bcqueuelen %d ", *v.BCQueueLen), val: *v.BCQueueLen})
	}
	if v.BCQueueLenUsed != nil {
		d = append(d, detail{key: "usedbcqueuelen", text: fmt.Sprintf("usedbcqueuelen %d ", *v.BCQueueLenUsed), val: *v.BCQueueLenUsed})
	}
	if v.BCCutoff != nil {
		d = append(d, detail{key: "bclim", text: fmt.Sprintf("bclim %d ", *v.BCCutoff), val: *v.BCCutoff})
	}
	if *v.Mode != rtnl.MACVlanModeSource || v.MACAddrCount == nil {
		return d
	}
	// iproute2 prints the count with %d, as a signed int.
	count := int32(*v.MACAddrCount)
	d = append(d, detail{key: "macaddr_count", text: fmt.Sprintf("remotes (%d) ", count), val: count})
	if v.MACAddrData != nil {
		macs := make([]string, 0, len(v.MACAddrData))
		var text strings.Builder
		for _, m := range v.MACAddrData {
			if len(m) < 6 {
				continue
			}
			s := net.HardwareAddr(m[:6]).String()
			macs = append(macs, s)
			text.WriteString(s + " ")
		}
		d = append(d, detail{key: "macaddr_data", text: text.String(), val: macs})
	}
	return d
}
