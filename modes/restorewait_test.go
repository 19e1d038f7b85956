package modes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// waitLong is a wait the tests never expect to run out: they return
// when a link appears, well before.
const waitLong = 30 * time.Second

// restoreWaitResult is what RestoreWait returned.
type restoreWaitResult struct {
	rep RestoreReport
	err error
}

// startRestoreWait runs m.RestoreWait in a goroutine. Each progress call
// arrives on the first channel, the result on the second.
func startRestoreWait(ctx context.Context, m *Manager, wait time.Duration) (<-chan []MissingParent, <-chan restoreWaitResult) {
	progress := make(chan []MissingParent, 16)
	result := make(chan restoreWaitResult, 1)
	go func() {
		rep, err := m.RestoreWait(ctx, wait, func(ps []MissingParent) { progress <- ps })
		result <- restoreWaitResult{rep, err}
	}()
	return progress, result
}

// nextProgress returns the next progress call, failing the test when
// RestoreWait returns instead.
func nextProgress(t *testing.T, progress <-chan []MissingParent, result <-chan restoreWaitResult) []MissingParent {
	t.Helper()
	select {
	case ps := <-progress:
		return ps
	case r := <-result:
		t.Fatalf("RestoreWait returned %+v, %v; want it to wait", r.rep, r.err)
	}
	return nil
}

// checkMissing compares what RestoreWait says it waits for.
func checkMissing(t *testing.T, what string, got []MissingParent, want ...MissingParent) {
	t.Helper()
	if !slices.EqualFunc(got, want, equalMissing) {
		t.Errorf("%s: waiting for %q, want %q", what, DescribeMissing(got), DescribeMissing(want))
	}
}

// addParent creates the veth parent name in the env's host namespace,
// with its peer peer in the router namespace, up or down.
func (e *env) addParent(name, peer string, up bool) {
	e.t.Helper()
	err := e.hh.Create(&links.Veth{Attrs: links.Attrs{Name: name, Up: up}, Peer: links.Attrs{Name: peer, Up: true, NetNS: e.router}})
	if err != nil {
		e.t.Fatalf("create parent %s: %v", name, err)
	}
}

// TestRestoreWait is a boot: the parent p0 and the endpoints' links are
// gone; RestoreWait says it waits for p0, and once p0 is there again
// (up, or down: it counts as present), restores both endpoints and
// returns, long before its wait runs out.
func TestRestoreWait(t *testing.T) {
	for _, up := range []bool{true, false} {
		name := "parent up"
		if !up {
			name = "parent down"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			dualStack(t, e, "net", nil)
			ns1, name1, th1 := e.target()
			ns2, name2, th2 := e.target()
			ep1, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name1})
			if err != nil {
				t.Fatal(err)
			}
			ep2, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name2})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range []*links.Handle{th1, th2} {
				if err := h.Delete("eth0"); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.hh.Delete("p0"); err != nil {
				t.Fatal(err)
			}

			progress, result := startRestoreWait(t.Context(), e.manager(), waitLong)
			checkMissing(t, "before p0 is back", nextProgress(t, progress, result), MissingParent{"p0", []string{"net"}})
			e.addParent("p0", "p1", up)
			r := <-result
			if r.err != nil {
				t.Fatalf("RestoreWait: %v", r.err)
			}
			ref := func(name string) []EndpointRef { return []EndpointRef{{Network: "net", NetNS: name, IfName: "eth0"}} }
			checkReport(t, "RestoreWait", r.rep, RestoreReport{Restored: append(ref(name1), ref(name2)...)})
			if len(progress) != 0 {
				t.Errorf("progress called again with %q after p0 was back", DescribeMissing(<-progress))
			}
			eqList(t, "endpoint 1 addresses", addrs(t, th1, "eth0"), sorted(ep1.IPv4.String(), ep1.IPv6.String()))
			eqList(t, "endpoint 2 addresses", addrs(t, th2, "eth0"), sorted(ep2.IPv4.String(), ep2.IPv6.String()))
			if !up {
				up := true
				if err := e.hh.Set("p0", links.Change{Up: &up}); err != nil {
					t.Fatal(err)
				}
				// Restore again brings the endpoints up now that p0 is.
				if _, err := e.m.Restore(); err != nil {
					t.Fatal(err)
				}
			}
			ping(t, "endpoint 1 to endpoint 2", ns1, ep2.IPv4.Addr().String())
			ping(t, "endpoint 2 to endpoint 1", ns2, ep1.IPv4.Addr().String())
		})
	}
}

// TestRestoreWaitOneByOne: two networks on two missing parents; each is
// restored as its parent appears, and RestoreWait says what it still
// waits for.
func TestRestoreWaitOneByOne(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "a", nil)
	e.addParent("q0", "q1", true)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "b", Driver: MACVlan, Options: map[string]string{"parent": "q0"},
		Subnets: []SubnetSpec{{Subnet: "10.1.0.0/24"}}}); err != nil {
		t.Fatal(err)
	}
	_, nameA, thA := e.target()
	_, nameB, thB := e.target()
	for nw, ns := range map[string]string{"a": nameA, "b": nameB} {
		if _, err := e.m.Connect(ConnectSpec{Network: nw, NetNS: ns}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"p0", "q0"} {
		if err := e.hh.Delete(p); err != nil {
			t.Fatal(err)
		}
	}
	progress, result := startRestoreWait(t.Context(), e.manager(), waitLong)
	checkMissing(t, "at first", nextProgress(t, progress, result),
		MissingParent{"p0", []string{"a"}}, MissingParent{"q0", []string{"b"}})

	e.addParent("p0", "p1", true)
	checkMissing(t, "once p0 is back", nextProgress(t, progress, result), MissingParent{"q0", []string{"b"}})
	if _, err := thA.Get("eth0"); err != nil {
		t.Errorf("network a's endpoint, once p0 is back: %v", err)
	}
	if _, err := thB.Get("eth0"); err == nil {
		t.Error("network b's endpoint is back before its parent q0")
	}

	e.addParent("q0", "q1", true)
	r := <-result
	if r.err != nil {
		t.Fatalf("RestoreWait: %v", r.err)
	}
	checkReport(t, "RestoreWait", r.rep, RestoreReport{
		Present:  []EndpointRef{{Network: "a", NetNS: nameA, IfName: "eth0"}},
		Restored: []EndpointRef{{Network: "b", NetNS: nameB, IfName: "eth0"}},
	})
}

// TestRestoreWaitTimeout: the parent never comes; RestoreWait gives up
// with a *ParentWaitError naming it and its network, and keeps the
// records.
func TestRestoreWaitTimeout(t *testing.T) {
	e := parentLost(t)
	rep, err := e.m.RestoreWait(t.Context(), 100*time.Millisecond, nil)
	var we *ParentWaitError
	if !errors.As(err, &we) {
		t.Fatalf("RestoreWait: %v; want a *ParentWaitError", err)
	}
	checkMissing(t, "error", we.Missing, MissingParent{"p0", []string{"net"}})
	eq(t, "message", err.Error(), "gave up after 100ms waiting for parent link p0 (network net)")
	errContains(t, errors.Unwrap(err), "restore network net", "p0 was not found")
	if len(rep.Failed) != 1 || rep.Failed[0].Network != "net" {
		t.Errorf("report %+v: want network net failed", rep)
	}
	n, err := e.m.Network("net")
	if err != nil || len(n.Endpoints) != 1 {
		t.Errorf("records after the timeout: %+v, %v; want the endpoint kept", n, err)
	}
}

// TestRestoreWaitCanceled: RestoreWait stops waiting when its context is
// done.
func TestRestoreWaitCanceled(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	if err := e.hh.Delete("p0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	progress, result := startRestoreWait(ctx, e.m, waitLong)
	nextProgress(t, progress, result)
	cancel()
	r := <-result
	if !errors.Is(r.err, context.Canceled) {
		t.Errorf("RestoreWait after cancel: %v; want context.Canceled", r.err)
	}
	errContains(t, r.err, "parent link p0 (network net)")
}

// TestRestoreWaitNothingMissing: with every parent there, RestoreWait is
// Restore: it neither waits nor calls progress.
func TestRestoreWaitNothingMissing(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	_, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	if err := th.Delete("eth0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rep, err := e.m.RestoreWait(ctx, time.Hour, func(ps []MissingParent) {
		t.Errorf("progress %q with every parent present", DescribeMissing(ps))
		cancel() // do not wait an hour
	})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "RestoreWait", rep, RestoreReport{Restored: []EndpointRef{{Network: "net", NetNS: name, IfName: "eth0"}}})
}

// TestRestoreWaitVLANBase: the parent p0.50, an 802.1Q link vlanraw made,
// is gone with its base p0. RestoreWait waits for p0, not p0.50, then
// makes p0.50 again and restores the endpoint on it.
func TestRestoreWaitVLANBase(t *testing.T) {
	testenv.RequireKind(t, "vlan")
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "tagged", Driver: MACVlan, Options: map[string]string{"parent": "p0.50"},
		Subnets: []SubnetSpec{{Subnet: "10.50.0.0/24"}}}); err != nil {
		t.Fatal(err)
	}
	_, name, th := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "tagged", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	if err := e.hh.Delete("p0"); err != nil { // and with it p0.50 and the endpoint
		t.Fatal(err)
	}
	progress, result := startRestoreWait(t.Context(), e.manager(), waitLong)
	checkMissing(t, "before p0 is back", nextProgress(t, progress, result), MissingParent{"p0", []string{"tagged"}})
	e.addParent("p0", "p1", true)
	r := <-result
	if r.err != nil {
		t.Fatalf("RestoreWait: %v", r.err)
	}
	checkReport(t, "RestoreWait", r.rep, RestoreReport{
		Parents:  []string{"p0.50"},
		Restored: []EndpointRef{{Network: "tagged", NetNS: name, IfName: "eth0"}},
	})
	if l := mustGet(t, e.hh, "p0.50"); l.Kind != "vlan" {
		t.Errorf("p0.50 is a %s link, want vlan", l.Kind)
	}
	mustGet(t, th, "eth0")
}

// TestWaitedLink checks which link a network with a missing parent
// waits for, by how its parent came to be.
func TestWaitedLink(t *testing.T) {
	testenv.RequireRoot(t)
	ns, _ := testenv.NewNetNS(t)
	h := openHandle(t, ns)
	if err := h.Create(&links.Veth{Attrs: links.Attrs{Name: "eth0"}, Peer: links.Attrs{Name: "eth0p"}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		parent, created, want string
	}{
		{"eth0", "", ""},                // present
		{"eth1", "", "eth1"},            // missing, pre-existing
		{"eth1.10", "", "eth1.10"},      // a sub-interface the user made
		{"eth1.10", ParentVLAN, "eth1"}, // vlanraw makes it, once eth1 is there
		{"eth0.10", ParentVLAN, ""},     // vlanraw makes it on eth0 at once
		{"dm-0123", ParentDummy, ""},    // vlanraw makes it at once
	} {
		got, err := waitedLink(h, &Network{Name: "n", Parent: tt.parent, ParentCreated: tt.created})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "parent "+tt.parent+" created "+tt.created, got, tt.want)
	}
}

// TestWaitForLinks feeds waitForLinks what the notifications say: it
// returns for a missing link's name or an overrun (anything may have
// appeared), waits on past other names, and fails on another error,
// when the wait is over, or when the context is done.
func TestWaitForLinks(t *testing.T) {
	overrun := fmt.Errorf("receive: %w", rtnl.ErrOverrun)
	broken := errors.New("receive: broken")
	missing := []MissingParent{{"eth1", []string{"a"}}, {"bond0", []string{"b", "c"}}}
	for _, tt := range []struct {
		name     string
		wakes    []linkWake
		over     bool // the wait is over after the wakes
		canceled bool // the context is done after the wakes
		want     error
	}{
		{"missing link appears", []linkWake{{names: []string{"lo", "bond0"}}}, false, false, nil},
		{"other links, then it", []linkWake{{names: []string{"eth0"}}, {names: []string{"eth1.10", "eth10"}}, {names: []string{"eth1"}}}, false, false, nil},
		{"overrun", []linkWake{{names: []string{"eth0"}}, {err: overrun}}, false, false, nil},
		{"other links, then the wait is over", []linkWake{{names: []string{"eth0"}}}, true, false, errWaitOver},
		{"other links, then canceled", []linkWake{{names: []string{"eth0"}}}, false, true, context.Canceled},
		{"receive fails", []linkWake{{err: broken}}, false, false, broken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			over := make(chan time.Time)
			wakes := make(chan linkWake)
			errc := make(chan error, 1)
			go func() { errc <- waitForLinks(ctx, over, wakes, missing) }()
			for i, w := range tt.wakes {
				select {
				case wakes <- w: // taken: waitForLinks was still waiting
				case err := <-errc:
					t.Fatalf("returned %v before wake %d", err, i)
				}
			}
			switch {
			case tt.over:
				select {
				case over <- time.Now():
				case err := <-errc:
					t.Fatalf("returned %v before the wait was over", err)
				}
			case tt.canceled:
				cancel()
			}
			err := <-errc
			if !errors.Is(err, tt.want) {
				t.Errorf("waitForLinks: %v, want %v", err, tt.want)
			}
		})
	}
}
