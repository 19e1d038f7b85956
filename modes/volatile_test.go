package modes

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Endpoints and implicit networks are kept in the volatile part of the
// records, written without a sync, and everything else in the durable
// part: a change of those only must leave the durable part as it was, and
// every other change must show in it. Joining the parts gives back the
// records (the implicit networks last, where they are in base).
func TestSplitRecords(t *testing.T) {
	base := func() *records {
		return &records{Networks: []*Network{{
			Name: "n", ID: "0123456789ab", Driver: MACVlan, Parent: "p0",
			Subnets:   []Subnet{{Subnet: netip.MustParsePrefix("10.0.0.0/24")}},
			Endpoints: []Endpoint{{ID: "aaaaaaaaaaaa", IfName: "eth0"}},
		}, {
			Name: "m", ID: "ba9876543210", Driver: IPVlan, Parent: "p1",
		}, {
			Name: "cni-pods", ID: "fedcba987654", Driver: MACVlan, Parent: "p0", CNI: "pods",
			Endpoints: []Endpoint{{ID: "dddddddddddd", IfName: "eth0"}},
		}}}
	}
	durable := func(r *records) string {
		d, _ := splitRecords(r)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tt := range []struct {
		name   string
		change func(r *records)
		same   bool
	}{
		{"endpoint added", func(r *records) {
			r.Networks[0].Endpoints = append(r.Networks[0].Endpoints, Endpoint{ID: "bbbbbbbbbbbb"})
		}, true},
		{"endpoint added to another network", func(r *records) {
			r.Networks[1].Endpoints = append(r.Networks[1].Endpoints, Endpoint{ID: "cccccccccccc"})
		}, true},
		{"endpoint removed", func(r *records) { r.Networks[0].Endpoints = nil }, true},
		{"endpoint renamed", func(r *records) { r.Networks[0].Endpoints[0].IfName = "eth1" }, true},
		{"network added", func(r *records) { r.Networks = append(r.Networks[:2:2], &Network{Name: "m"}, r.Networks[2]) }, false},
		{"implicit network added", func(r *records) { r.Networks = append(r.Networks, &Network{Name: "cni-x", CNI: "x"}) }, true},
		{"implicit network removed", func(r *records) { r.Networks = r.Networks[:2] }, true},
		{"implicit network's endpoint removed", func(r *records) { r.Networks[2].Endpoints = nil }, true},
		{"network removed", func(r *records) { r.Networks = r.Networks[1:] }, false},
		{"swapped", func(r *records) { r.Networks[0], r.Networks[1] = r.Networks[1], r.Networks[0] }, false},
		{"parent changed", func(r *records) { r.Networks[0].Parent = "p1" }, false},
		{"subnet changed", func(r *records) {
			r.Networks[0].Subnets[0].Subnet = netip.MustParsePrefix("10.0.1.0/24")
		}, false},
		{"swept", func(r *records) { r.Swept = true }, false},
	} {
		r := base()
		before := durable(r)
		tt.change(r)
		if got := before == durable(r); got != tt.same {
			t.Errorf("%s: durable part unchanged = %v, want %v", tt.name, got, tt.same)
		}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		d, eps := splitRecords(r)
		if got, _ := json.Marshal(r); string(got) != string(want) {
			t.Errorf("%s: splitRecords changed the records", tt.name)
		}
		// Through JSON, as the state package keeps them.
		var back records
		var backEps volatileRecords
		for _, x := range []struct{ from, to any }{{d, &back}, {eps, &backEps}} {
			b, err := json.Marshal(x.from)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, x.to); err != nil {
				t.Fatal(err)
			}
		}
		joinRecords(&back, &backEps)
		if got, _ := json.Marshal(&back); string(got) != string(want) {
			t.Errorf("%s: joined records differ:\n%s", tt.name, cmp.Diff(string(want), string(got)))
		}
	}
}

// The endpoints of a network the durable part no longer has (removed,
// and the volatile part not saved yet when vlanraw stopped) are dropped.
func TestJoinRecordsDropsOrphans(t *testing.T) {
	r := &records{Networks: []*Network{{Name: "n", ID: "0123456789ab"}}}
	joinRecords(r, &volatileRecords{Endpoints: map[string][]Endpoint{
		"0123456789ab": {{ID: "aaaaaaaaaaaa"}},
		"ba9876543210": {{ID: "bbbbbbbbbbbb"}},
	}})
	if len(r.Networks) != 1 || len(r.Networks[0].Endpoints) != 1 || r.Networks[0].Endpoints[0].ID != "aaaaaaaaaaaa" {
		t.Errorf("joined records: %+v", r.Networks)
	}
}
