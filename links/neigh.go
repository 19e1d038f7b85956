package links

import (
	"net"
	"net/netip"

	"github.com/vlanraw/vlanraw/rtnl"
	"golang.org/x/sys/unix"
)

// Neigh is a neighbour entry.
type Neigh struct {
	IP    netip.Addr
	MAC   net.HardwareAddr
	Index int
	// State is the NUD_* state, such as unix.NUD_PERMANENT.
	State uint16
}

// AddNeigh adds a permanent neighbour entry, as `ip neigh add IP lladdr
// MAC dev X nud permanent` does.
func (h *Handle) AddNeigh(n Neigh) error {
	return h.c.AddNeigh(rtnl.NewPermanentNeigh(uint32(n.Index), n.IP.AsSlice(), n.MAC))
}

// ReplaceNeigh adds a permanent neighbour entry, or turns the kernel's
// entry for n.IP on n.Index into it, as `ip neigh replace IP lladdr MAC
// dev X nud permanent` does.
func (h *Handle) ReplaceNeigh(n Neigh) error {
	return h.c.ReplaceNeigh(rtnl.NewPermanentNeigh(uint32(n.Index), n.IP.AsSlice(), n.MAC))
}

// DeleteNeigh removes the neighbour entry for n.IP on n.Index.
func (h *Handle) DeleteNeigh(n Neigh) error {
	return h.c.DeleteNeigh(rtnl.NewPermanentNeigh(uint32(n.Index), n.IP.AsSlice(), n.MAC))
}

// Neighs returns the neighbour entries on the link with index, or on all
// links when index is 0.
func (h *Handle) Neighs(index int) ([]Neigh, error) {
	ms, err := h.c.ListNeighs(unix.AF_UNSPEC, uint32(index))
	if err != nil {
		return nil, err
	}
	out := make([]Neigh, 0, len(ms))
	for _, m := range ms {
		if m.Attributes == nil {
			continue
		}
		a, ok := netip.AddrFromSlice(m.Attributes.Address)
		if !ok {
			continue
		}
		out = append(out, Neigh{IP: a.Unmap(), MAC: m.Attributes.LLAddress, Index: int(m.Index), State: m.State})
	}
	return out, nil
}
