package expect_test

import (
	"fmt"

	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/modes/expect"
)

// What ipvlan l3 promises for an ARP request for an unknown address sent
// from the wire: the parent sees every one, the endpoints none.
func ExampleForMode() {
	t, err := expect.ForMode(modes.IPVlan, modes.ModeL3)
	if err != nil {
		panic(err)
	}
	step := expect.Step{From: expect.FromWire, Probe: expect.ProbeARPUnknown}
	for _, r := range t.RowsFor(expect.Conditions{}) {
		if r.Step == step {
			fmt.Printf("%s: %s: expected %d of 5\n", t.Name, r, r.Want.Count(5, 0))
		}
	}
	// Output:
	// ipvlan l3: ARP request for an unknown address from the wire, ARP request at the parent in: expected 5 of 5
	// ipvlan l3: ARP request for an unknown address from the wire, ARP request at the endpoints: expected 0 of 5
}
