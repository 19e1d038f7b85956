package modes

import (
	"testing"

	"github.com/vlanraw/vlanraw/netns"
)

func TestRestore(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	_, name1, th1 := e.target()
	_, name2, th2 := e.target()
	ns3, err := netns.Add("vrtest-restore-" + e.hostName[7:])
	if err != nil {
		t.Fatal(err)
	}
	// Closed at once: a namespace held open by a file descriptor is not
	// gone when its name is deleted (see nsHolders), and name3's must be.
	ns3.Close()
	name3 := "vrtest-restore-" + e.hostName[7:]
	t.Cleanup(func() { netns.Delete(name3) })
	eps := map[string]*Endpoint{}
	for _, name := range []string{name1, name2, name3} {
		ep, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name})
		if err != nil {
			t.Fatal(err)
		}
		eps[name] = ep
	}
	routes1, addrs1 := routeTable(t, th1), addrs(t, th1, "eth0")
	if err := th1.Delete("eth0"); err != nil {
		t.Fatal(err)
	}
	if err := netns.Delete(name3); err != nil {
		t.Fatal(err)
	}

	rep, err := e.manager().Restore()
	if err != nil {
		t.Fatal(err)
	}
	ref := func(name string) []EndpointRef { return []EndpointRef{{Network: "net", NetNS: name, IfName: "eth0"}} }
	checkReport(t, "first restore", rep, RestoreReport{Restored: ref(name1), Present: ref(name2), Dropped: ref(name3)})
	l := mustGet(t, th1, "eth0")
	eq(t, "restored MAC", l.MAC.String(), eps[name1].MAC)
	eqList(t, "restored addresses", addrs(t, th1, "eth0"), addrs1)
	eqList(t, "restored routes", routeTable(t, th1), routes1)
	checkNoTentative(t, th1, l.Index)
	eqList(t, "untouched endpoint", addrs(t, th2, "eth0"), []string{eps[name2].IPv4.String(), eps[name2].IPv6.String()})

	rep, err = e.m.Restore()
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "second restore", rep, RestoreReport{Present: append(ref(name1), ref(name2)...)})
	n, err := e.m.Network("net")
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Endpoints) != 2 {
		t.Errorf("%d endpoints recorded, want 2", len(n.Endpoints))
	}
	// The dropped endpoint's address is free again.
	_, name4, _ := e.target()
	ep4, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name4})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "address after the drop", ep4.IPv4, eps[name3].IPv4)
}

// A parent that existed before the network is not created again: the
// network's endpoints are reported as failed and kept.
func TestRestoreMissingParent(t *testing.T) {
	e := parentLost(t)
	rep, err := e.m.Restore()
	errContains(t, err, "restore network net", "the requested parent interface p0 was not found on the host")
	if len(rep.Failed) != 1 || rep.Failed[0].Network != "net" || rep.Failed[0].NetNS != "" {
		t.Errorf("report %+v: want one failure", rep)
	}
	n, _ := e.m.Network("net")
	if len(n.Endpoints) != 1 {
		t.Errorf("endpoint records: %d, want 1 kept", len(n.Endpoints))
	}
}

// parentLost returns an env with network net on p0, one endpoint
// connected, and p0 deleted since (which took the endpoint's link).
func parentLost(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	_, name, _ := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	if err := e.hh.Delete("p0"); err != nil {
		t.Fatal(err)
	}
	return e
}

func checkReport(t *testing.T, what string, got, want RestoreReport) {
	t.Helper()
	str := func(r []EndpointRef) []string {
		var s []string
		for _, x := range r {
			s = append(s, x.Network+"/"+x.NetNS+"/"+x.IfName)
		}
		return sorted(s...)
	}
	eqList(t, what+": parents", sorted(got.Parents...), sorted(want.Parents...))
	eqList(t, what+": restored", str(got.Restored), str(want.Restored))
	eqList(t, what+": present", str(got.Present), str(want.Present))
	eqList(t, what+": dropped", str(got.Dropped), str(want.Dropped))
	if len(got.Failed) != len(want.Failed) {
		t.Errorf("%s: failed %+v, want %+v", what, got.Failed, want.Failed)
	}
}
