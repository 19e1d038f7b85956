package cni

import (
	"github.com/vlanraw/vlanraw/modes"
)

// gc is GC: the links carrying this state directory's mark that no
// record claims are deleted, and every attachment of this
// configuration's network that is not among cni.dev/valid-attachments is
// detached; then the IPAM plugin collects its own.
func (p *plugin) gc(in *invocation) error {
	c, _, err := p.load(in)
	if err != nil {
		return err
	}
	m, err := p.manager(c)
	if err != nil {
		return cniError(err)
	}
	defer m.Close()
	valid := make([]modes.AttachmentRef, len(c.ValidAttachments))
	for i, v := range c.ValidAttachments {
		valid[i] = modes.AttachmentRef{ContainerID: v.ContainerID, IfName: v.IfName}
	}
	if _, err := m.GCAttachments(c.networkName(), valid); err != nil {
		return cniError(err)
	}
	return p.ipamDo(in, c, "GC")
}
