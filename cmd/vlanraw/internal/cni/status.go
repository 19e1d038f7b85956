package cni

import (
	"github.com/containernetworking/cni/pkg/types"

	"github.com/vlanraw/vlanraw/modes"
)

// status is STATUS: code 50 unless the state directory is writable and
// the master exists and is up (or is a NAME.VID vlanraw would make on a
// NAME that is), then the IPAM plugin's STATUS.
func (p *plugin) status(in *invocation) error {
	c, _, err := p.load(in)
	if err != nil {
		return err
	}
	m, err := p.manager(c)
	if err != nil {
		return types.NewError(codeNotReady, "cannot serve ADD: "+err.Error(), "")
	}
	defer m.Close()
	master := c.Master
	switch {
	case c.Network == "" && c.LinkInContainer:
		master = "" // in the containers' namespaces: nothing to check here
	case c.Network == "" && master == "":
		if master, err = modes.DefaultMaster(""); err != nil {
			return types.NewError(codeNotReady, "cannot serve ADD: "+err.Error(), "")
		}
	case c.Network != "":
		n, err := m.Network(c.Network)
		if err != nil {
			return types.NewError(codeNotReady, "cannot serve ADD: "+err.Error(), "")
		}
		master = n.Parent
	}
	if err := m.Ready(master); err != nil {
		return types.NewError(codeNotReady, "cannot serve ADD: "+err.Error(), "")
	}
	return p.ipamDo(in, c, "STATUS")
}
