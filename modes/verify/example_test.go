package verify_test

import (
	"errors"
	"fmt"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes/expect"
	"github.com/vlanraw/vlanraw/modes/verify"
)

// A result whose endpoints got the ARP requests an l3 network must keep
// from them: Err names the row, with its counts.
func ExampleResult_Err() {
	step := expect.Step{From: expect.FromWire, Probe: expect.ProbeARPUnknown}
	res := &verify.Result{
		Network: "l3net",
		Table:   "ipvlan l3",
		Rows: []verify.RowResult{{
			Row:       expect.Row{Step: step, At: expect.AtEndpoints, Class: bpf.ClassARPRequest},
			Endpoints: []string{"web", "db"},
			Expected:  []int{0, 0},
			Observed:  []int{5, 5},
		}},
	}
	err := res.Err()
	fmt.Println(errors.Is(err, verify.ErrMismatch))
	fmt.Println(err)
	// Output:
	// true
	// network l3net is not ipvlan l3: 1 of 1 rows do not match
	//   ipvlan l3: ARP request for an unknown address from the wire, ARP request at the endpoints: expected web=0 db=0, observed web=5 db=5
}
