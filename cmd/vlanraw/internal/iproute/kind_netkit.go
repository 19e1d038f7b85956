package iproute

import (
	"fmt"
	"slices"

	"github.com/jsimonetti/rtnetlink/v2"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// netkitKind is netkit: iproute2's iplink_netkit.c.
var netkitKind = &linkKind{
	names: []string{"netkit"},
	add:   addNetkit,
	set: func(_ string, args []string) (links.Spec, error) {
		o, err := parseNetkit(args)
		if err != nil {
			return nil, err
		}
		if len(o.peerWords) > 0 {
			return nil, cli.Usagef("netkit: the other end cannot change, only its policy: after \"peer\" give forward or blackhole, not %q", o.peerWords[0])
		}
		// links refuses a mode: the kernel cannot change it.
		return &links.Netkit{Mode: o.mode, Policy: o.policy, PeerPolicy: o.peerPolicy}, nil
	},
	details: func(data rtnetlink.LinkDriver) []detail {
		if n, ok := data.(*rtnl.Netkit); ok {
			return netkitDetails(n)
		}
		return nil
	},
	help: `TYPE netkit: [mode {l3 | l2}] [forward | blackhole]
          peer [forward | blackhole] [name] NAME [mtu MTU]
          [address LLADDR] [netns NETNSNAME|PID] [up | down]
  A netkit pair (Linux 6.7+) is like a veth pair whose first end, the
  primary, carries the BPF programs of both ends. Its words are spelled
  out: iproute2 matches them exactly.
  mode l3|l2           l3 (the kernel's default): no MAC addresses and no
                       ARP; l2: Ethernet ends with MAC addresses
  forward              a packet an end sends reaches the other end when
                       no BPF program decides (the default)
  blackhole            such a packet is dropped instead
  peer ...             the other end: its policy, then its name
                       (required) and settings
  set takes the policies, "[forward | blackhole] [peer forward |
  blackhole]", on the primary; the mode cannot change.
`,
	words: func() []string { return slices.Concat(keywordNames(netkitWords), wordsOf(netkitModes)) },
}

// netkitWords are iproute2's netkit words, matched exactly as it does.
var netkitWords = []cli.Keyword{
	{Name: "mode", Exact: true},
	{Name: "forward", Exact: true},
	{Name: "blackhole", Exact: true},
	{Name: "scrub", Exact: true, Unsupported: true},
	{Name: "peer", Exact: true},
	{Name: "help", Exact: true},
}

// netkitModes are the values of "mode".
var netkitModes = []wordValue[rtnl.NetkitMode]{
	{"l2", rtnl.NetkitModeL2},
	{"l3", rtnl.NetkitModeL3},
}

// netkitPolicies are the policy words.
var netkitPolicies = []wordValue[rtnl.NetkitPolicy]{
	{"forward", rtnl.NetkitForward},
	{"blackhole", rtnl.NetkitBlackhole},
}

// netkitOptions are a netkit's words, as iproute2's netkit_parse_opt
// reads them: the mode, a policy before "peer" for this end and one after
// it for the other, then the peer's own words.
type netkitOptions struct {
	mode               *rtnl.NetkitMode
	policy, peerPolicy *rtnl.NetkitPolicy
	// peer says "peer" was given; peerWords are the words after it and
	// its policy, from the first that is not a netkit word.
	peer      bool
	peerWords []string
}

// parseNetkit reads a netkit's words.
func parseNetkit(args []string) (*netkitOptions, error) {
	o := &netkitOptions{}
	ws := &words{w: args}
	for ws.more() {
		word := ws.next()
		kw, ok := cli.Lookup(netkitWords, word)
		switch {
		case !ok && o.peer:
			o.peerWords = append([]string{word}, ws.rest()...)
			return o, nil
		case !ok:
			return nil, cli.Usagef("netkit: unknown option %q: use mode {l3|l2}, forward, blackhole or peer", word)
		case kw.Unsupported:
			return nil, cli.Usagef("vlanraw does not support iproute2's %q option of netkit yet", kw.Name)
		}
		switch kw.Name {
		case "mode":
			if o.mode != nil {
				return nil, cli.Usagef("netkit: \"mode\" is given twice")
			}
			s, err := ws.value("mode", "l3 or l2")
			if err != nil {
				return nil, err
			}
			m, ok := lookupWord(netkitModes, s)
			if !ok {
				return nil, cli.Usagef("netkit: argument of \"mode\" must be \"l3\" or \"l2\", not %q", s)
			}
			o.mode = &m
		case "forward", "blackhole":
			p, _ := lookupWord(netkitPolicies, kw.Name)
			end, dst := "this end", &o.policy
			if o.peer {
				end, dst = "the peer", &o.peerPolicy
			}
			if *dst != nil {
				return nil, cli.Usagef("netkit: %q after %q: give one policy for %s", kw.Name, (*dst).String(), end)
			}
			*dst = &p
		case "peer":
			if o.peer {
				return nil, cli.Usagef("netkit: \"peer\" is given twice")
			}
			o.peer = true
		case "help":
			return nil, &cli.HelpRequested{Topic: "link"}
		}
	}
	return o, nil
}

// addNetkit builds a netkit spec from the parsed words.
func addNetkit(a *linkArgs, attrs links.Attrs) (*addRequest, error) {
	if err := checkParent(a, &links.Netkit{}); err != nil {
		return nil, err
	}
	o, err := parseNetkit(a.kindWords)
	if err != nil {
		return nil, err
	}
	if len(o.peerWords) == 0 {
		// iproute2 lets the kernel name the peer; links.Netkit needs a name.
		return nil, cli.Usagef("netkit: name the other end: add \"peer name NAME\"")
	}
	peer, netns, err := peerArgs("netkit", o.peerWords)
	if err != nil {
		return nil, err
	}
	s := &links.Netkit{Attrs: attrs, Peer: peer, Mode: o.mode, Policy: o.policy, PeerPolicy: o.peerPolicy}
	return &addRequest{spec: s, peer: &s.Peer, peerNetNS: netns}, nil
}

// netkitDetails renders a netkit's data as iproute2's netkit_print_opt
// (6.14 and later, which also prints scrub).
func netkitDetails(n *rtnl.Netkit) []detail {
	var d []detail
	// add prints as iproute2's print_string(PRINT_ANY, key, "WORDS %s ", v).
	add := func(key, words, v string) {
		d = append(d, detail{key: key, text: words + " " + v + " ", val: v})
	}
	// name is v's word, or iproute2's UNKNOWN for a value it has none for.
	name := func(v fmt.Stringer, known bool) string {
		if known {
			return v.String()
		}
		return "UNKNOWN"
	}
	policy := func(p rtnl.NetkitPolicy) string {
		return name(p, p == rtnl.NetkitForward || p == rtnl.NetkitBlackhole)
	}
	scrub := func(s rtnl.NetkitScrub) string {
		return name(s, s == rtnl.NetkitScrubNone || s == rtnl.NetkitScrubDefault)
	}
	if m := n.Mode; m != nil {
		add("mode", "mode", name(*m, *m == rtnl.NetkitModeL2 || *m == rtnl.NetkitModeL3))
	}
	if n.Primary != nil {
		end := "peer"
		if *n.Primary {
			end = "primary"
		}
		add("type", "type", end)
	}
	if n.Policy != nil {
		add("policy", "policy", policy(*n.Policy))
	}
	if n.PeerPolicy != nil {
		add("peer_policy", "peer policy", policy(*n.PeerPolicy))
	}
	if n.Scrub != nil {
		add("scrub", "scrub", scrub(*n.Scrub))
	}
	if n.PeerScrub != nil {
		add("peer_scrub", "peer scrub", scrub(*n.PeerScrub))
	}
	return d
}
