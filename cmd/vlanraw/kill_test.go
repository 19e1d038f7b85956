package main

import (
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/testenv"
)

// The kill tests stop a vlanraw process at a step of its operation
// (VLANRAW_TEST_STOP, see main.go), kill it there with SIGKILL, run the
// next vlanraw command (network ls, a read-only one, which must finish or
// undo what the killed one left, see modes/intent.go) and check the
// invariant (see world.invariant) and that the interrupted operation is
// either done or undone, never half.

// connectSteps are the steps of a connect, in order.
var connectSteps = []string{"intent", "created", "sysctls", "addresses", "up", "configured"}

// leftBehind checks, right after a kill at step and before any other
// vlanraw command runs, that the kill left a link with the state
// directory's mark in one of nss when the step comes after the link was
// made: the next command has something to undo, or the test proves
// nothing.
func leftBehind(t *testing.T, w *world, step string, nss []string) {
	t.Helper()
	if strings.HasPrefix(step, "intent") {
		return
	}
	if len(marked(kernelLinks(t, nss), markOf(t, w.state))) == 0 {
		t.Errorf("killed at %s: no link with the mark left behind in %d namespaces, so the test exercises no recovery", step, len(nss))
	}
}

// TestKillConnect kills `vlanraw connect knet NS` at each step: the next
// command undoes it (no link, no record), and another endpoint of the
// network is untouched; the namespace can then be connected with the
// address the killed connect had taken.
func TestKillConnect(t *testing.T) {
	for _, step := range connectSteps {
		t.Run(step, func(t *testing.T) {
			w := macvlanWorld(t, "knet", "10.60.0.0/24")
			by := newNetNS(t)
			w.connect("knet", by)
			ns := newNetNS(t)
			s := stopAt(t, w, step, "connect", "knet", ns)
			if code := s.signal(syscall.SIGKILL); code != exitSignal {
				t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
			}
			leftBehind(t, w, step, []string{ns})
			a := w.invariant(by, ns)
			if a.allOrNone(t, "knet", []string{ns}) != 0 {
				t.Errorf("killed at %s, the connect was recorded", step)
			}
			a.stillConnected(t, "knet", by)
			if ip := w.connect("knet", ns); ip != "10.60.0.2" {
				t.Errorf("connect after the recovery got %s, want 10.60.0.2 (the address the killed connect had taken)", ip)
			}
			w.invariant(by, ns).stillConnected(t, "knet", by, ns)
		})
	}
}

// TestKillConnectBatch kills a connect of 20 namespaces at each step,
// in the middle of the batch where a step runs once per endpoint: all 20
// are undone.
func TestKillConnectBatch(t *testing.T) {
	for _, step := range []string{"intent", "created:10", "sysctls:20", "addresses:10", "up:10", "configured:20"} {
		t.Run(strings.ReplaceAll(step, ":", "-"), func(t *testing.T) {
			w := macvlanWorld(t, "knet", "10.61.0.0/24")
			by := newNetNS(t)
			w.connect("knet", by)
			nss := newNetNSes(t, 20)
			s := stopAt(t, w, step, append([]string{"connect", "knet"}, nss...)...)
			if code := s.signal(syscall.SIGKILL); code != exitSignal {
				t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
			}
			leftBehind(t, w, step, nss)
			a := w.invariant(append(nss, by)...)
			if a.allOrNone(t, "knet", nss) != 0 {
				t.Errorf("killed at %s, the connect was recorded", step)
			}
			a.stillConnected(t, "knet", by)
		})
	}
}

// TestKillConnectBatch200 kills a connect of 200 namespaces when the
// 100th link is made: the other links of the batch were being made at the
// same time, and all of them are undone.
func TestKillConnectBatch200(t *testing.T) {
	w := macvlanWorld(t, "knet", "10.62.0.0/16")
	nss := newNetNSes(t, 200)
	s := stopAt(t, w, "created:100", append([]string{"connect", "knet"}, nss...)...)
	if code := s.signal(syscall.SIGKILL); code != exitSignal {
		t.Fatalf("SIGKILL: exit %d; stderr %q", code, s.stderr.String())
	}
	if n := len(marked(kernelLinks(t, nss), markOf(t, w.state))); n < 100 {
		t.Errorf("killed at the 100th link: %d links left behind, want at least 100", n)
	}
	a := w.invariant(nss...)
	if a.allOrNone(t, "knet", nss) != 0 {
		t.Error("the killed connect was recorded")
	}
}

// TestKillDisconnect kills `vlanraw disconnect knet NS` at each step: the
// next command finishes it, and another endpoint is untouched.
func TestKillDisconnect(t *testing.T) {
	for _, step := range []string{"intent", "deleted"} {
		t.Run(step, func(t *testing.T) {
			w := macvlanWorld(t, "knet", "10.63.0.0/24")
			by, ns := newNetNS(t), newNetNS(t)
			w.connect("knet", by)
			w.connect("knet", ns)
			s := stopAt(t, w, step, "disconnect", "knet", ns)
			if code := s.signal(syscall.SIGKILL); code != exitSignal {
				t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
			}
			a := w.invariant(by, ns)
			a.disconnected(t, "knet", []string{ns})
			a.stillConnected(t, "knet", by)
		})
	}
}

// TestKillDisconnectAll kills `vlanraw disconnect --all knet` at each
// step: the next command finishes it; the endpoint of another network on
// the same parent is untouched.
func TestKillDisconnectAll(t *testing.T) {
	for _, step := range []string{"intent", "deleted"} {
		t.Run(step, func(t *testing.T) {
			w := macvlanWorld(t, "knet", "10.64.0.0/24")
			w.vr("network create -d macvlan --subnet 10.65.0.0/24 -o parent=p0 other")
			by := newNetNS(t)
			w.connect("other", by)
			nss := newNetNSes(t, 5)
			w.vr("connect knet " + strings.Join(nss, " "))
			s := stopAt(t, w, step, "disconnect", "--all", "knet")
			if code := s.signal(syscall.SIGKILL); code != exitSignal {
				t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
			}
			a := w.invariant(append(nss, by)...)
			a.disconnected(t, "knet", nss)
			a.stillConnected(t, "other", by)
		})
	}
}

// TestKillNetworkCreate kills `vlanraw network create` at each step: the
// network is recorded with its parent, or neither exists. A parent that
// existed before (p0) stays either way.
func TestKillNetworkCreate(t *testing.T) {
	for _, tt := range []struct {
		name, opts string
		kinds      []string
		steps      []string
		// parent is the parent's name, "" for the dummy vlanraw names
		// after the network's ID; made says vlanraw makes it.
		parent string
		made   bool
	}{
		// No parent step: the parent exists.
		{"existing-parent", "-o parent=p0", []string{"macvlan"}, []string{"intent", "network"}, "p0", false},
		{"dummy-parent", "", []string{"macvlan", "dummy"}, []string{"intent", "parent", "network"}, "", true},
		{"vlan-parent", "-o parent=p0.42", []string{"macvlan", "vlan"}, []string{"intent", "parent", "network"}, "p0.42", true},
		// The host access link: gone with the unrecorded network, there
		// and marked with the recorded one.
		{"host-access", "-o parent=p0 -o host_access=10.66.0.5", []string{"macvlan"}, []string{"intent", "host-link", "host-configured", "network"}, "p0", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range tt.kinds {
				testenv.RequireKind(t, k)
			}
			for _, step := range tt.steps {
				t.Run(step, func(t *testing.T) {
					w := newWorld(t)
					addVeth(t, w.host, "p0")
					args := append([]string{"network", "create", "-d", "macvlan", "--subnet", "10.66.0.0/24"}, strings.Fields(tt.opts)...)
					s := stopAt(t, w, step, append(args, "cnet")...)
					if code := s.signal(syscall.SIGKILL); code != exitSignal {
						t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
					}
					if step == "network" && tt.made || tt.name == "host-access" && strings.HasPrefix(step, "host-configured") {
						leftBehind(t, w, step, []string{w.host})
					}
					a := w.invariant()
					n := findNet(a.nets, "cnet")
					parent := tt.parent
					if parent == "" && n != nil {
						parent = "dm-" + short12(n.ID)
					}
					if _, ok := hostHas(t, a, w.host, "p0"); !ok {
						t.Errorf("killed at %s: the parent p0, which existed before, is gone", step)
					}
					if strings.Contains(tt.opts, "host_access") {
						checkHostLink(t, a, w.host, step, n)
					}
					switch {
					case n == nil && tt.made:
						if ls := a.markedIn(w.host); len(ls) > 0 {
							t.Errorf("invariant (d): killed at %s, network cnet is not recorded but the host has %q", step, ls)
						}
						if parent != "" {
							if _, ok := hostHas(t, a, w.host, parent); ok {
								t.Errorf("invariant (d): killed at %s, network cnet is not recorded but its parent %s exists", step, parent)
							}
						}
					case n != nil:
						l, ok := hostHas(t, a, w.host, parent)
						if !ok {
							t.Errorf("invariant (d): killed at %s, network cnet is recorded but its parent %s does not exist", step, parent)
						} else if tt.made && l.Alias != a.mark.alias(n.ID, "parent") {
							t.Errorf("killed at %s: parent %s has alias %q, want %q", step, parent, l.Alias, a.mark.alias(n.ID, "parent"))
						}
						// A network that is recorded works.
						ns := newNetNS(t)
						w.connect("cnet", ns)
						w.invariant(ns).stillConnected(t, "cnet", ns)
					}
				})
			}
		})
	}
}

// TestKillNetworkRemove kills `vlanraw network rm -f` of a network with
// three endpoints at each step: the next command finishes it (no record,
// no endpoint link), and a parent that existed before stays.
func TestKillNetworkRemove(t *testing.T) {
	for _, tt := range []struct {
		name, opts string
		kinds      []string
		steps      []string
	}{
		{"existing-parent", "-o parent=p0", []string{"macvlan"}, []string{"intent", "deleted", "endpoints-deleted"}},
		// The dummy goes first, and the kernel takes the endpoint links
		// with it: there is no "deleted" step.
		{"dummy-parent", "", []string{"macvlan", "dummy"}, []string{"intent", "endpoints-deleted"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range tt.kinds {
				testenv.RequireKind(t, k)
			}
			for _, step := range tt.steps {
				t.Run(step, func(t *testing.T) {
					w := newWorld(t)
					addVeth(t, w.host, "p0")
					w.vr("network create -d macvlan --subnet 10.67.0.0/24 " + tt.opts + " rnet")
					nss := newNetNSes(t, 3)
					w.vr("connect rnet " + strings.Join(nss, " "))
					s := stopAt(t, w, step, "network", "rm", "-f", "rnet")
					if code := s.signal(syscall.SIGKILL); code != exitSignal {
						t.Fatalf("SIGKILL at %s: exit %d; stderr %q", step, code, s.stderr.String())
					}
					a := w.invariant(nss...)
					if findNet(a.nets, "rnet") != nil {
						t.Errorf("invariant (d): killed at %s, network rnet is still recorded after the next command", step)
					}
					a.disconnected(t, "rnet", nss)
					if ls := a.markedIn(w.host); len(ls) > 0 {
						t.Errorf("invariant (d): killed at %s, the host still has %q", step, ls)
					}
					if _, ok := hostHas(t, a, w.host, "p0"); !ok {
						t.Errorf("killed at %s: the parent p0, which existed before, is gone", step)
					}
				})
			}
		})
	}
}

// TestSignalRollsBack stops vlanraw at a step and sends it SIGTERM or
// SIGINT: it rolls back before it exits, with 128 plus the signal's
// number, so that right after it exits (before any other vlanraw command
// could recover anything) the kernel holds no link with the mark and the
// state file records nothing new. A signal at the last step of a connect
// comes when there is nothing left to stop: the connect is done, and
// vlanraw says so with exit 0.
func TestSignalRollsBack(t *testing.T) {
	type op struct {
		name  string
		batch int // namespaces to connect; 0 for the network create
		steps []string
	}
	ops := []op{
		{"connect", 1, []string{"intent", "created", "addresses", "up", "configured"}},
		{"connect-batch", 5, []string{"intent", "created:3", "addresses:3", "up:3"}},
		{"network-create", 0, []string{"intent"}},
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(signalName(sig), func(t *testing.T) {
			for _, o := range ops {
				for _, step := range o.steps {
					t.Run(o.name+"-"+strings.ReplaceAll(step, ":", "-"), func(t *testing.T) {
						w := macvlanWorld(t, "snet", "10.68.0.0/24")
						by := newNetNS(t)
						w.connect("snet", by)
						nss := newNetNSes(t, o.batch)
						args := append([]string{"connect", "snet"}, nss...)
						if o.batch == 0 {
							args = []string{"network", "create", "-d", "macvlan", "--subnet", "10.69.0.0/24", "-o", "parent=p0", "cnet"}
						}
						s := stopAt(t, w, step, args...)
						code := s.signal(sig)
						done := step == "configured"
						want := 128 + int(sig)
						if done {
							want = exitOK
						}
						if code != want {
							t.Errorf("%s at %s: exit %d, want %d; stderr %q", signalName(sig), step, code, want, s.stderr.String())
						}
						if !done && !strings.Contains(s.stderr.String(), "interrupted by "+signalName(sig)) {
							t.Errorf("%s at %s: stderr %q does not say it was interrupted", signalName(sig), step, s.stderr.String())
						}
						// Before any other vlanraw command: the kernel and
						// the file as the signalled process left them.
						m := markOf(t, w.state)
						nets := w.fileRecords()
						for _, l := range marked(kernelLinks(t, append(nss, w.host)), m) {
							if !done {
								t.Errorf("%s at %s: right after exit, %s in %s carries the mark (%q): not rolled back", signalName(sig), step, l.link.Name, l.ns, l.link.Alias)
							}
						}
						recorded := 0
						for _, n := range nets {
							if n.Name == "cnet" {
								recorded++
							}
							for _, e := range n.Endpoints {
								if slices.Contains(nss, e.NetNS) {
									recorded++
								}
							}
						}
						switch {
						case !done && recorded > 0:
							t.Errorf("%s at %s: right after exit, the state file records %d of what was rolled back", signalName(sig), step, recorded)
						case done && recorded != len(nss):
							t.Errorf("%s at %s (done, exit 0): %d of %d endpoints recorded", signalName(sig), step, recorded, len(nss))
						}
						a := w.invariant(append(nss, by)...)
						if o.batch > 0 {
							n := a.allOrNone(t, "snet", nss)
							if done != (n == len(nss)) {
								t.Errorf("%s at %s: %d of %d namespaces connected after the next command", signalName(sig), step, n, len(nss))
							}
						}
						a.stillConnected(t, "snet", by)
					})
				}
			}
		})
	}
}

// randomTrials is how many times the random-time kill tests kill.
func randomTrials() int {
	if testing.Short() || os.Getenv("VLANRAW_TESTENV_KINDS") != "" {
		return 10 // under the QEMU harness the CPU is emulated: the 50 run on the host
	}
	return 50
}

// killAtRandom runs vlanraw args in w once to measure how long it takes,
// then, for each trial, prepares it (setup), starts it and kills it with
// SIGKILL after a random part of that time (the scenario, not a
// synchronisation: the process may be anywhere, or done), and calls check
// with whether the process was killed. check runs the next command and
// the invariant.
func killAtRandom(t *testing.T, w *world, args []string, setup func(), check func(killed bool, delay time.Duration)) {
	t.Helper()
	vlanrawExe(t) // built once per run: not part of the time measured
	setup()
	start := time.Now()
	s, _ := startVR(t, w, "", args...)
	if code := s.wait(); code != exitOK {
		t.Fatalf("vlanraw %s: exit %d: %s", strings.Join(args, " "), code, s.stderr.String())
	}
	took := time.Since(start)
	check(false, took)
	killed := 0
	for i := range randomTrials() {
		setup()
		delay := rand.N(took)
		s, _ := startVR(t, w, "", args...)
		time.Sleep(delay)
		code := s.signal(syscall.SIGKILL)
		if code == exitSignal {
			killed++
		}
		check(code == exitSignal, delay)
		if t.Failed() {
			t.Fatalf("trial %d: killed after %v of the %v an unkilled run takes; exit %d, stderr %q", i, delay, took, code, s.stderr.String())
		}
	}
	t.Logf("%d trials over %v (the time of an unkilled run): %d killed before they ended", randomTrials(), took, killed)
}

// TestKillRandomConnect kills a connect of 30 namespaces at random
// times: after the next command, all 30 are connected or none.
func TestKillRandomConnect(t *testing.T) {
	w := macvlanWorld(t, "rnet", "10.70.0.0/24")
	nss := newNetNSes(t, 30)
	var done, undone int
	killAtRandom(t, w, append([]string{"connect", "rnet"}, nss...), func() {}, func(killed bool, delay time.Duration) {
		a := w.invariant(nss...)
		n := a.allOrNone(t, "rnet", nss)
		if !killed && n != len(nss) {
			t.Errorf("an unkilled connect connected %d of %d", n, len(nss))
		}
		if n > 0 {
			done++
			w.vr("disconnect --all rnet")
			if ls := marked(kernelLinks(t, nss), a.mark); len(ls) > 0 {
				t.Fatalf("disconnect --all left %d links", len(ls))
			}
		} else {
			undone++
		}
	})
	t.Logf("connects done: %d, undone: %d", done, undone)
}

// TestKillRandomDisconnectAll kills `disconnect --all` of 30 endpoints
// at random times: after the next command, all are disconnected (the
// intent was recorded, and the next command finished the work), or all
// are connected (killed before).
func TestKillRandomDisconnectAll(t *testing.T) {
	w := macvlanWorld(t, "rnet", "10.71.0.0/24")
	nss := newNetNSes(t, 30)
	var done, undone int
	setup := func() { w.vr("connect rnet " + strings.Join(nss, " ")) }
	killAtRandom(t, w, []string{"disconnect", "--all", "rnet"}, setup, func(killed bool, delay time.Duration) {
		a := w.invariant(nss...)
		n := a.allOrNone(t, "rnet", nss)
		if n == 0 {
			done++
			return
		}
		if !killed {
			t.Errorf("an unkilled disconnect --all left %d of %d connected", n, len(nss))
		}
		undone++
		w.vr("disconnect --all rnet")
	})
	t.Logf("disconnects finished: %d, not started: %d", done, undone)
}

// TestKillRandomConnectOne kills a connect of one namespace at random
// times: after the next command, it is connected, with its link, or not
// at all.
func TestKillRandomConnectOne(t *testing.T) {
	w := macvlanWorld(t, "rnet", "10.74.0.0/24")
	ns := newNetNS(t)
	killAtRandom(t, w, []string{"connect", "rnet", ns}, func() {}, func(killed bool, delay time.Duration) {
		a := w.invariant(ns)
		switch rec, linked := a.connected("rnet", ns); {
		case rec != linked:
			t.Errorf("recorded %v, link %v: want both or neither", rec, linked)
		case rec:
			w.vr("disconnect rnet " + ns)
		case !killed:
			t.Error("an unkilled connect did not connect")
		}
	})
}

// TestKillRandomDisconnect kills a disconnect of one namespace at random
// times: after the next command, it is disconnected (its intent was
// recorded) or still connected with its link (killed before).
func TestKillRandomDisconnect(t *testing.T) {
	w := macvlanWorld(t, "rnet", "10.75.0.0/24")
	ns := newNetNS(t)
	killAtRandom(t, w, []string{"disconnect", "rnet", ns}, func() { w.vr("connect rnet " + ns) }, func(killed bool, delay time.Duration) {
		a := w.invariant(ns)
		switch rec, linked := a.connected("rnet", ns); {
		case rec != linked:
			t.Errorf("recorded %v, link %v: want both or neither", rec, linked)
		case rec && !killed:
			t.Error("an unkilled disconnect left the endpoint")
		case rec:
			w.vr("disconnect rnet " + ns)
		}
	})
}

// TestKillRandomNetworkCreate kills a network create on an existing
// parent at random times: after the next command, the network is recorded
// or not, and the parent is there either way.
func TestKillRandomNetworkCreate(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	addVeth(t, w.host, "p0")
	killAtRandom(t, w, strings.Fields("network create -d macvlan --subnet 10.76.0.0/24 -o parent=p0 cnet"), func() {}, func(killed bool, delay time.Duration) {
		a := w.invariant()
		if _, ok := hostHas(t, a, w.host, "p0"); !ok {
			t.Fatal("parent p0 is gone")
		}
		switch n := findNet(a.nets, "cnet"); {
		case n != nil:
			w.vr("network rm cnet")
		case !killed:
			t.Error("an unkilled network create recorded no network")
		}
	})
}

// TestKillRandomNetworkRemove kills `network rm -f` of a network with five
// endpoints at random times: after the next command, the network and its
// links are gone (its intent was recorded), or it is there with all five.
func TestKillRandomNetworkRemove(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	addVeth(t, w.host, "p0")
	nss := newNetNSes(t, 5)
	setup := func() {
		w.vr("network create -d macvlan --subnet 10.77.0.0/24 -o parent=p0 rmnet")
		w.vr("connect rmnet " + strings.Join(nss, " "))
	}
	killAtRandom(t, w, strings.Fields("network rm -f rmnet"), setup, func(killed bool, delay time.Duration) {
		a := w.invariant(nss...)
		n := findNet(a.nets, "rmnet")
		if n == nil {
			if ls := marked(a.links, a.mark); len(ls) > 0 {
				t.Errorf("network removed, %d links with its mark left", len(ls))
			}
			return
		}
		if !killed {
			t.Error("an unkilled network rm -f left the network")
		}
		if got := a.allOrNone(t, "rmnet", nss); got != len(nss) {
			t.Errorf("network kept with %d of %d endpoints: want all, or the network gone", got, len(nss))
		}
		w.vr("network rm -f rmnet")
	})
}

// checkHostLink checks, after a network create with host access was
// killed at step, that the host has a vh- link exactly when the network
// n is recorded (nil: not), and that it then carries the network's host
// mark.
func checkHostLink(t *testing.T, a *after, host, step string, n *recNetwork) {
	t.Helper()
	var found []string
	for _, l := range a.links {
		if l.ns == host && strings.HasPrefix(l.link.Name, "vh-") {
			found = append(found, l.link.Name)
			if n != nil && (l.link.Name != "vh-"+short12(n.ID) || l.link.Alias != a.mark.alias(n.ID, "host")) {
				t.Errorf("killed at %s: host link %s with alias %q, want vh-%s with %q", step, l.link.Name, l.link.Alias, short12(n.ID), a.mark.alias(n.ID, "host"))
			}
		}
	}
	switch {
	case n == nil && len(found) > 0:
		t.Errorf("killed at %s, network cnet is not recorded but the host has its host link %q", step, found)
	case n != nil && len(found) != 1:
		t.Errorf("killed at %s, network cnet is recorded with host access but the host has host links %q", step, found)
	}
}
