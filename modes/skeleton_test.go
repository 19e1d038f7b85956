package modes

import (
	"bytes"
	"net/netip"
	"testing"
)

// Only an update that changes nothing but endpoints may be saved without
// syncing the state directory: the skeleton must see every other change.
func TestSkeletonSeesAllButEndpoints(t *testing.T) {
	base := func() *records {
		return &records{Networks: []*Network{{
			Name: "n", ID: "0123456789ab", Driver: MACVlan, Parent: "p0",
			Subnets:   []Subnet{{Subnet: netip.MustParsePrefix("10.0.0.0/24")}},
			Endpoints: []Endpoint{{ID: "aaaaaaaaaaaa", IfName: "eth0"}},
		}}}
	}
	for _, tt := range []struct {
		name   string
		change func(r *records)
		same   bool
	}{
		{"endpoint added", func(r *records) {
			r.Networks[0].Endpoints = append(r.Networks[0].Endpoints, Endpoint{ID: "bbbbbbbbbbbb"})
		}, true},
		{"endpoint removed", func(r *records) { r.Networks[0].Endpoints = nil }, true},
		{"endpoint renamed", func(r *records) { r.Networks[0].Endpoints[0].IfName = "eth1" }, true},
		{"network added", func(r *records) { r.Networks = append(r.Networks, &Network{Name: "m"}) }, false},
		{"network removed", func(r *records) { r.Networks = nil }, false},
		{"parent changed", func(r *records) { r.Networks[0].Parent = "p1" }, false},
		{"subnet changed", func(r *records) {
			r.Networks[0].Subnets[0].Subnet = netip.MustParsePrefix("10.0.1.0/24")
		}, false},
		{"swept", func(r *records) { r.Swept = true }, false},
	} {
		r := base()
		before := r.skeleton()
		tt.change(r)
		if got := bytes.Equal(before, r.skeleton()); got != tt.same {
			t.Errorf("%s: skeleton unchanged = %v, want %v", tt.name, got, tt.same)
		}
	}
}
