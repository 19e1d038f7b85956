package iproute

import (
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/links"
)

// setRequest is a parsed `link set`.
type setRequest struct {
	dev    string
	change links.Change
}

// parseLinkSet reads the words after `link set`.
func parseLinkSet(args []string) (*setRequest, error) {
	a, err := parseLinkArgs(&words{w: args})
	if err != nil {
		return nil, err
	}
	if a.dev == "" {
		return nil, cli.Usagef("no link given: add \"dev NAME\"")
	}
	switch {
	case a.parent != "":
		return nil, cli.Usagef("vlanraw link set cannot change a link's parent (\"link %s\"): delete and re-create the link", a.parent)
	case a.mac != nil:
		return nil, cli.Usagef("vlanraw link set cannot change \"address\" yet")
	case a.txqlen != nil:
		return nil, cli.Usagef("vlanraw link set cannot change \"txqueuelen\" yet")
	case a.group != nil:
		return nil, cli.Usagef("vlanraw link set cannot change \"group\" yet")
	case a.netns != "":
		return nil, cli.Usagef("vlanraw link set cannot move a link to another namespace (\"netns\") yet")
	}
	r := &setRequest{dev: a.dev}
	c := &r.change
	if a.mtu != 0 {
		mtu := a.mtu
		c.MTU = &mtu
	}
	c.Up = a.up
	if a.name != a.dev {
		c.Name = a.name
	}
	if !a.hasType {
		return r, nil
	}
	k := lookupKind(a.kind)
	if k == nil {
		return nil, cli.Usagef("unknown link type %q: use one of %s", a.kind, kindList())
	}
	if len(a.kindWords) == 0 {
		// As iproute2: a type without options sends no kind data.
		return r, nil
	}
	if k.set == nil {
		return nil, cli.Usagef("%s: unknown option %q: %s links have no options to change", a.kind, a.kindWords[0], a.kind)
	}
	if c.Options, err = k.set(a.kind, a.kindWords); err != nil {
		return nil, err
	}
	return r, nil
}

// runLinkSet changes a link.
func runLinkSet(e *cli.Env, args []string) error {
	r, err := parseLinkSet(args)
	if err != nil {
		return err
	}
	h, err := open(e)
	if err != nil {
		return err
	}
	defer h.Close()
	return h.Set(r.dev, r.change)
}
