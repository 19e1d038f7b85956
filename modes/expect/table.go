package expect

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/vlanraw/vlanraw/modes"
)

// ErrNoTable is matched by the error of For and ForMode for a mode that
// has no table yet.
var ErrNoTable = errors.New("no expectations for this mode")

// Table holds what one mode promises, as rows.
type Table struct {
	// Name is the driver and mode, such as "ipvlan l3" or "macvlan vepa".
	Name string
	// Semantics says in a sentence what the mode does.
	Semantics string
	// Rows hold for a wire that does not send frames back out the port
	// they came in on (a veth peer, a plain switch port).
	Rows []Row
	// Reflected replace the rows with the same step, point and class
	// when the wire reflects frames (a switch port in hairpin mode, as
	// VEPA needs).
	Reflected []Row
}

// Conditions are what the rows depend on beyond the mode.
type Conditions struct {
	// Wire is set when the far side is observed: AtWire rows are added.
	Wire bool
	// Reflecting is set when the wire sends frames back out the port
	// they came in on.
	Reflecting bool
	// VLAN is the parent's VLAN id when the parent is a VLAN link, else 0.
	VLAN uint16
}

// RowsFor returns the table's rows under c: Reflected in place of
// their twins when the wire reflects, then, with a wire, an AtWire row
// for each AtParentOut row (what leaves the parent arrives at the far
// side), which on a VLAN parent counts tagged frames (see OnVLAN).
func (t *Table) RowsFor(c Conditions) []Row {
	rows := make([]Row, 0, 2*len(t.Rows))
	var override map[key]Row
	if c.Reflecting {
		override = make(map[key]Row, len(t.Reflected))
		for _, r := range t.Reflected {
			override[r.key()] = r
		}
	}
	for _, r := range t.Rows {
		if o, ok := override[r.key()]; ok {
			r = o
			delete(override, r.key())
		}
		rows = append(rows, r)
	}
	// Reflected rows with no twin among Rows come after, in their order.
	for _, r := range t.Reflected {
		if _, ok := override[r.key()]; ok {
			rows = append(rows, r)
		}
	}
	// In the order of Steps, each step's rows as the table has them.
	slices.SortStableFunc(rows, func(a, b Row) int { return cmp.Compare(a.Step.index(), b.Step.index()) })
	if !c.Wire {
		return rows
	}
	out := make([]Row, 0, 2*len(rows))
	for _, r := range rows {
		out = append(out, r)
		if r.At != AtParentOut {
			continue
		}
		if w, ok := wireTwin(r, c.VLAN); ok {
			out = append(out, w)
		}
	}
	return out
}

// wireTwin returns the AtWire row of an AtParentOut row: on a plain
// parent the same count of the same class; on a VLAN parent see
// OnVLAN.
func wireTwin(r Row, vlan uint16) (Row, bool) {
	w := r
	w.At = AtWire
	w.Why = "what leaves the parent arrives at the far side"
	if vlan != 0 {
		return OnVLAN(w, vlan)
	}
	return w, true
}

// For returns the table of n's driver and mode.
func For(n *modes.Network) (*Table, error) {
	if n.Driver == modes.IPVlan && n.IPVlanFlag != "" && n.IPVlanFlag != modes.FlagBridge {
		return nil, fmt.Errorf("ipvlan %s %s: only the bridge flag has a table: %w", n.IPVlanMode, n.IPVlanFlag, ErrNoTable)
	}
	mode := n.MACVlanMode
	if n.Driver == modes.IPVlan {
		mode = n.IPVlanMode
	}
	return ForMode(n.Driver, mode)
}

// ForMode returns the table of a driver and mode (for ipvlan with the
// bridge flag), such as modes.IPVlan and modes.ModeL3.
func ForMode(d modes.Driver, mode string) (*Table, error) {
	for _, t := range Tables() {
		if t.Name == string(d)+" "+mode {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%s %s: %w", d, mode, ErrNoTable)
}

// Tables returns every table: adding a mode means adding its table here.
func Tables() []*Table {
	return []*Table{
		ipvlanL2(), ipvlanL3(), ipvlanL3S(),
		macvlanBridge(), macvlanPrivate(), macvlanVEPA(), macvlanPassthru(),
	}
}
