package iproute

import (
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
)

// vethKind is veth: iproute2's link_veth.c.
var vethKind = &linkKind{
	names: []string{"veth"},
	add: func(a *linkArgs, attrs links.Attrs) (*addRequest, error) {
		if err := checkParent(a, &links.Veth{}); err != nil {
			return nil, err
		}
		s, peerNetNS, err := vethSpec(a.kindWords, attrs)
		if err != nil {
			return nil, err
		}
		return &addRequest{spec: s, peer: &s.Peer, peerNetNS: peerNetNS}, nil
	},
	help: `TYPE veth: peer [name] NAME [mtu MTU] [address LLADDR]
          [netns NETNSNAME|PID] [up | down]
  peer ...             the other end's name and settings (required)
`,
	words: func() []string { return []string{"peer"} },
}

// vethSpec reads `peer [name] NAME [mtu N] [address MAC] ... [netns NS]`.
func vethSpec(args []string, attrs links.Attrs) (*links.Veth, string, error) {
	s := &links.Veth{Attrs: attrs}
	if len(args) == 0 {
		// iproute2 lets the kernel name the peer; links.Veth needs a name.
		return nil, "", cli.Usagef("veth: name the other end: add \"peer name NAME\"")
	}
	if args[0] != "peer" {
		return nil, "", cli.Usagef("veth: unknown option %q: use \"peer name NAME\"", args[0])
	}
	peer, netns, err := peerArgs("veth", args[1:])
	if err != nil {
		return nil, "", err
	}
	s.Peer = peer
	return s, netns, nil
}
