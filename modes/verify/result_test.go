package verify

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/modes/expect"
)

// sampleResult returns a result with one matching row, one mismatch and
// one skipped row.
func sampleResult() *Result {
	arp := expect.Step{From: expect.FromWire, Probe: expect.ProbeARPUnknown}
	return &Result{
		Network: "l3net", Table: "ipvlan l3", Semantics: "a router", Parent: "p0",
		Kernel: "6.1.0-56-cloud-amd64", Counters: "cls_bpf", Copies: 5, Endpoints: []string{"a", "b"},
		Rows: []RowResult{
			{Row: expect.Row{Step: arp, At: expect.AtParentIn, Class: bpf.ClassARPRequest, Want: expect.Want{Share: expect.ShareAll}},
				Expected: []int{5}, Observed: []int{5}, Match: true},
			{Row: expect.Row{Step: arp, At: expect.AtEndpoints, Class: bpf.ClassARPRequest},
				Endpoints: []string{"a", "b"}, Expected: []int{0, 0}, Observed: []int{5, 5}},
			{Row: expect.Row{Step: expect.Step{From: expect.FromEndpoint, Probe: expect.ProbeUnicast}, At: expect.AtSockets, Class: bpf.ClassIPv4Unicast},
				Match: true, Skipped: "needs a second endpoint to send to"},
		},
	}
}

// TestResultErr checks the verdict and the error naming the mismatch.
func TestResultErr(t *testing.T) {
	r := sampleResult()
	if r.OK() || r.Checked() != 2 || len(r.Mismatches()) != 1 {
		t.Fatalf("OK %v, checked %d, mismatches %d; want false, 2, 1", r.OK(), r.Checked(), len(r.Mismatches()))
	}
	err := r.Err()
	var me *MismatchError
	if !errors.Is(err, ErrMismatch) || !errors.As(err, &me) || len(me.Rows) != 1 {
		t.Fatalf("Err() = %v", err)
	}
	want := "ipvlan l3: ARP request for an unknown address from the wire, ARP request at the endpoints: expected a=0 b=0, observed a=5 b=5"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
	r.Rows[1].Observed, r.Rows[1].Match = []int{0, 0}, true
	if !r.OK() || r.Err() != nil {
		t.Errorf("all match, yet %v", r.Err())
	}
	if _, ok := r.Row(r.Rows[0].Step, expect.AtParentIn, bpf.ClassARPRequest); !ok {
		t.Error("Row does not find the first row")
	}
	if _, ok := r.Row(r.Rows[0].Step, expect.AtWire, bpf.ClassARPRequest); ok {
		t.Error("Row finds a row that is not there")
	}
}

// TestResultText checks the printed table.
func TestResultText(t *testing.T) {
	var b strings.Builder
	if err := sampleResult().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"ipvlan l3: a router",
		"network l3net, parent p0, no far side; kernel 6.1.0-56-cloud-amd64, counters cls_bpf, 5 copies",
		"ARP request for an unknown address from the wire\n",
		"parent in", "expected 5", "observed 5", "ok",
		"expected a=0 b=0", "observed a=5 b=5", "MISMATCH",
		"not run: needs a second endpoint",
		"1 of 2 rows do not match",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

// TestResultJSON checks that a result goes to JSON with words and comes
// back the same.
func TestResultJSON(t *testing.T) {
	r := sampleResult()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"at":"endpoints"`, `"probe":"arp-unknown"`, `"observed":[5,5]`, `"match":false`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Err() == nil || back.Rows[1].At != expect.AtEndpoints {
		t.Errorf("JSON round trip lost the mismatch: %+v", back.Rows[1])
	}
}
