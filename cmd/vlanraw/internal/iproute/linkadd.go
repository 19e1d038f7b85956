package iproute

import (
	"errors"
	"os"

	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
)

// addRequest is a parsed `link add`: the spec, and the namespaces named
// by netns words, which are opened only when the command runs.
type addRequest struct {
	spec links.Spec
	// netns and peerNetNS are the words after netns, for the link and for
	// its peer (for kinds with one, such as veth): a name under /run/netns
	// or a process id.
	netns     string
	peerNetNS string
	// peer are the peer's attributes, where peerNetNS puts it.
	peer *links.Attrs
}

// parseLinkAdd reads the words after `link add`.
func parseLinkAdd(args []string) (*addRequest, error) {
	a, err := parseLinkArgs(&words{w: args})
	if err != nil {
		return nil, err
	}
	if a.name != a.dev {
		return nil, cli.Usagef("both \"name\" (%q) and a device name (%q) given: when creating a link, give its name once", a.name, a.dev)
	}
	if a.name == "" {
		return nil, cli.Usagef("no name given for the new link: add \"name NAME\"")
	}
	if !a.hasType {
		return nil, cli.Usagef("no link type given: add \"type KIND\", with KIND one of %s", kindList())
	}
	attrs := links.Attrs{Name: a.name, MTU: a.mtu, MAC: a.mac, TxQueueLen: a.txqlen, Group: a.group}
	if a.up != nil {
		attrs.Up = *a.up
	}
	k := lookupKind(a.kind)
	if k == nil {
		return nil, cli.Usagef("unknown link type %q: use one of %s", a.kind, kindList())
	}
	req, err := k.add(a, attrs)
	if err != nil {
		return nil, err
	}
	req.netns = a.netns
	return req, nil
}

// openNetNSWord opens the namespace a "netns" word names (see openNetNS)
// and sets attrs.NetNS to it; the caller closes it. One that does not
// exist is a bad value, as in iproute2.
func openNetNSWord(word string, attrs *links.Attrs) (*netns.NS, error) {
	ns, err := cli.OpenNetNS(word)
	switch {
	case errors.Is(err, os.ErrNotExist), errors.Is(err, errdefs.ErrInvalid):
		return nil, cli.Usagef("invalid \"netns\" value %q: %v", word, err)
	case err != nil:
		return nil, err
	}
	attrs.NetNS = ns
	return ns, nil
}

// runLinkAdd creates a link.
func runLinkAdd(e *cli.Env, args []string) error {
	req, err := parseLinkAdd(args)
	if err != nil {
		return err
	}
	if req.netns != "" {
		ns, err := openNetNSWord(req.netns, req.spec.Attributes())
		if err != nil {
			return err
		}
		defer ns.Close()
	}
	if req.peerNetNS != "" {
		ns, err := openNetNSWord(req.peerNetNS, req.peer)
		if err != nil {
			return err
		}
		defer ns.Close()
	}
	h, err := open(e)
	if err != nil {
		return err
	}
	defer h.Close()
	return h.Create(req.spec)
}
