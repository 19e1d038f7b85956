package modes_test

import (
	"fmt"

	"github.com/vlanraw/vlanraw/modes"
)

// What ipvlan l3 promises for an ARP request for an unknown address sent
// from the wire: the parent sees every one, the endpoints none.
func ExampleExpectationsFor() {
	t, err := modes.ExpectationsFor(modes.IPVlan, modes.ModeL3)
	if err != nil {
		panic(err)
	}
	step := modes.Step{From: modes.FromWire, Probe: modes.ProbeARPUnknown}
	for _, r := range t.RowsFor(modes.Conditions{}) {
		if r.Step == step {
			fmt.Printf("%s: %s: expected %d of 5\n", t.Name, r, r.Want.Count(5, 0))
		}
	}
	// Output:
	// ipvlan l3: ARP request for an unknown address from the wire, ARP request at the parent in: expected 5 of 5
	// ipvlan l3: ARP request for an unknown address from the wire, ARP request at the endpoints: expected 0 of 5
}
