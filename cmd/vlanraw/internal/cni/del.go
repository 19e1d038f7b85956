package cni

import (
	"errors"
)

// del is DEL: the endpoint's link and record go, when they exist (the
// namespace may be gone, or the ADD may never have finished), and the
// IPAM plugin releases its addresses in every case.
func (p *plugin) del(in *invocation) error {
	c, _, err := p.load(in)
	if err != nil {
		return err
	}
	m, err := p.manager(c)
	if err != nil {
		return errors.Join(cniError(err), p.ipamDel(in, c))
	}
	defer m.Close()
	_, derr := m.Detach(c.networkName(), ref(in))
	if err := p.ipamDel(in, c); err != nil {
		return err
	}
	if derr != nil {
		return cniError(derr)
	}
	return nil
}
