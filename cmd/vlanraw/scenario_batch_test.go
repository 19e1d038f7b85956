package main

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestScenarioConnectMany: one connect with three namespaces gives each a
// distinct address, and they reach each other; --ip with several
// namespaces is a usage error that changes nothing.
func TestScenarioConnectMany(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	w.uplink("p0")
	w.vr("network create -d macvlan --subnet 10.41.0.0/24 -o parent=p0 mnet")
	a, nsA := w.endpoint()
	b, nsB := w.endpoint()
	c, _ := w.endpoint()

	before := w.snap(w.host, a, b, c)
	w.vrFails(exitUsage, "give one network namespace with them", "connect --ip 10.41.0.9 mnet "+a+" "+b)
	w.unchanged("connect --ip with two namespaces", before)

	var eps []struct {
		NetNS string       `json:"netns"`
		IPv4  netip.Prefix `json:"ipv4"`
	}
	if err := json.Unmarshal([]byte(w.vr("connect -j mnet "+a+" "+b+" "+c)), &eps); err != nil {
		t.Fatal(err)
	}
	if len(eps) != 3 || eps[0].NetNS != a || eps[1].NetNS != b || eps[2].NetNS != c {
		t.Fatalf("connect printed %+v, want the endpoints of %s, %s and %s in that order", eps, a, b, c)
	}
	seen := map[netip.Addr]bool{}
	for _, ep := range eps {
		if seen[ep.IPv4.Addr()] || !ep.IPv4.IsValid() {
			t.Errorf("endpoints %+v: want three distinct addresses", eps)
		}
		seen[ep.IPv4.Addr()] = true
	}
	reaches(t, nsA, eps[0].IPv4.Addr().String(), eps[1].IPv4.Addr().String())
	udpReaches(t, nsB, nsA, eps[0].IPv4.Addr().String())

	// A namespace already connected fails the whole batch: the new one
	// gets nothing.
	d, _ := w.endpoint()
	before = w.snap(w.host, a, d)
	w.vrFails(exitRuntime, "is already connected to network mnet", "connect mnet "+d+" "+a)
	w.unchanged("a batch with a connected namespace", before)
}
