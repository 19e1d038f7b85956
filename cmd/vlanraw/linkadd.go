package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
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
		return nil, usagef("both \"name\" (%q) and a device name (%q) given: when creating a link, give its name once", a.name, a.dev)
	}
	if a.name == "" {
		return nil, usagef("no name given for the new link: add \"name NAME\"")
	}
	if !a.hasType {
		return nil, usagef("no link type given: add \"type KIND\", with KIND one of %s", kindList())
	}
	attrs := links.Attrs{Name: a.name, MTU: a.mtu, MAC: a.mac, TxQueueLen: a.txqlen, Group: a.group}
	if a.up != nil {
		attrs.Up = *a.up
	}
	k := lookupKind(a.kind)
	if k == nil {
		return nil, usagef("unknown link type %q: use one of %s", a.kind, kindList())
	}
	req, err := k.add(a, attrs)
	if err != nil {
		return nil, err
	}
	req.netns = a.netns
	return req, nil
}

// openNetNSWord resolves a netns word as iproute2 does: a name under
// /run/netns first, then a process id. It sets either attrs.NetNS (and
// returns it, for the caller to close) or attrs.NetNSPID.
func openNetNSWord(word string, attrs *links.Attrs) (*rtnl.NetNS, error) {
	ns, err := rtnl.OpenNetNSName(word)
	if err == nil {
		attrs.NetNS = ns
		return ns, nil
	}
	if pid, perr := strconv.Atoi(word); perr == nil && pid > 0 {
		attrs.NetNSPID = pid
		return nil, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, usagef("invalid \"netns\" value %q: no namespace of that name (see \"vlanraw netns ls\") and not a process id", word)
	}
	return nil, fmt.Errorf("netns %q: %w", word, err)
}

// runLinkAdd creates a link.
func runLinkAdd(e *env, args []string) error {
	req, err := parseLinkAdd(args)
	if err != nil {
		return err
	}
	if req.netns != "" {
		ns, err := openNetNSWord(req.netns, req.spec.Attributes())
		if err != nil {
			return err
		}
		if ns != nil {
			defer ns.Close()
		}
	}
	if req.peerNetNS != "" {
		ns, err := openNetNSWord(req.peerNetNS, req.peer)
		if err != nil {
			return err
		}
		if ns != nil {
			defer ns.Close()
		}
	}
	h, err := e.open()
	if err != nil {
		return err
	}
	defer h.Close()
	return h.Create(req.spec)
}
