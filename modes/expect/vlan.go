package expect

import (
	"fmt"

	"github.com/vlanraw/vlanraw/bpf"
)

// A VLAN parent (a network with -o parent=eth0.50) changes no row of a
// mode's table: the ipvlan or macvlan links sit on the VLAN link, whose
// receive and transmit paths are the ones the rows describe, and the
// AtParentIn and AtParentOut counters sit on the VLAN link itself, where
// frames are untagged. What changes is the wire: the VLAN link's
// transmit path (vlan_dev_hard_start_xmit) tags every frame with the id
// before the lower device sends it, and frames from the wire must carry
// the tag for the lower device's receive path to hand them to the VLAN
// link (vlan_do_receive). So the far side sees every frame as tagged,
// and its counter can tell the tag, not the class of what is inside.

// OnVLAN returns the AtWire twin of an AtParentOut row on a parent that
// is a VLAN link with id vlan: frames carrying that tag (class
// bpf.ClassVLAN, read as the count of that VLAN id), at least as
// many as the row expects, since the VLAN link sends its own (IPv6
// neighbour discovery and MLD) under the same tag. A row that expects
// none has no twin: the tag says nothing of the class, so the AtParentOut
// row is the one that shows nothing left.
func OnVLAN(r Row, vlan uint16) (Row, bool) {
	if r.Want.Share == ShareNone {
		return Row{}, false
	}
	r.At = AtWire
	r.Class = bpf.ClassVLAN
	r.Want.AtLeast = true
	r.Why = fmt.Sprintf("what leaves the parent arrives at the far side tagged with VLAN %d", vlan)
	return r, true
}
