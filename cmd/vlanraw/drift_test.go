package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
)

// The drift tests change the kernel or the state file behind vlanraw's
// back, as people and other programs do, and check that vlanraw tells a
// namespace, a link and a record by identity (see modes/identity.go and
// modes/nsident.go), never by a name alone. Each says why it failed
// before vlanraw marked its links (commit 571e589).

// nsInode returns the inode of the namespace file at path.
func nsInode(t *testing.T, path string) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// deleteNetNS deletes a namespace's name, as `vlanraw netns del` does.
func deleteNetNS(t *testing.T, name string) {
	t.Helper()
	if code, _, stderr := runCLI("netns", "del", name); code != exitOK {
		t.Fatalf("netns del %s: exit %d: %s", name, code, stderr)
	}
}

// recreateNetNS makes a new namespace under a name that was deleted.
func recreateNetNS(t *testing.T, name string) {
	t.Helper()
	ns, err := netns.Add(name)
	if err != nil {
		t.Fatalf("add netns %s again: %v", name, err)
	}
	ns.Close()
}

// macvlans lists the macvlan links of h's namespace as "name addr,addr".
func macvlans(t *testing.T, h *links.Handle, ns string) []string {
	t.Helper()
	var out []string
	for _, l := range linksOf(t, h, ns) {
		if l.link.Kind != "macvlan" {
			continue
		}
		var as []string
		for _, a := range l.addrs {
			as = append(as, a.Addr().String())
		}
		out = append(out, l.link.Name+" "+strings.Join(as, ","))
	}
	return out
}

// macvlansIn is macvlans of the namespace called ns.
func macvlansIn(t *testing.T, ns string) []string {
	t.Helper()
	h, err := links.OpenName(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	return macvlans(t, h, ns)
}

// wantMacvlans checks the macvlan links of a namespace.
func wantMacvlans(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: macvlan links %q, want %q", what, got, want)
	}
}

// endpointsOf returns the endpoints the state file records on network.
func endpointsOf(w *world, network string) []fileEndpoint {
	for _, n := range w.fileRecords() {
		if n.Name == network {
			return n.Endpoints
		}
	}
	return nil
}

// TestDriftNamespaceDeleted deletes a connected namespace without
// disconnecting it; another namespace then gets its address with --ip.
//
// Before 571e589 the record of the deleted namespace kept the address
// (only restore dropped records of vanished namespaces), so the second
// connect failed with "address 10.72.0.5 is already in use".
func TestDriftNamespaceDeleted(t *testing.T) {
	w := macvlanWorld(t, "dnet", "10.72.0.0/24")
	a, b := newLooseNetNS(t), newNetNS(t)
	w.connect("dnet", a, "--ip", "10.72.0.5")
	deleteNetNS(t, a)
	if ip := w.connect("dnet", b, "--ip", "10.72.0.5"); ip != "10.72.0.5" {
		t.Fatalf("connect --ip 10.72.0.5 got %s", ip)
	}
	wantMacvlans(t, b, macvlansIn(t, b), "eth0 10.72.0.5")
	eps := endpointsOf(w, "dnet")
	if len(eps) != 1 || eps[0].NetNS != b || eps[0].IPv4.Addr().String() != "10.72.0.5" {
		t.Errorf("records %+v, want one endpoint, %s's, with 10.72.0.5", eps, b)
	}
	w.invariant(b).stillConnected(t, "dnet", b)
}

// TestDriftNamespaceRecreated deletes a connected namespace's name and
// makes a new namespace under it, with the old namespace gone or still
// held open (by a file descriptor of this test).
//
// Before 571e589 a record named its namespace by path (and an inode the
// old code compared only to refuse a second connect): a connect of the
// new namespace left the old record beside the new one, two records for
// one name, the stale one holding its address for ever; and a disconnect
// of the name deleted "eth0" by name in whatever namespace the path held
// now, or, finding another namespace there, dropped the record and left
// the link in the old namespace, still held, with its address.
func TestDriftNamespaceRecreated(t *testing.T) {
	t.Run("gone", func(t *testing.T) {
		w := macvlanWorld(t, "dnet", "10.73.0.0/24")
		n := newLooseNetNS(t)
		w.connect("dnet", n)
		deleteNetNS(t, n)
		recreateNetNS(t, n)
		ip := w.connect("dnet", n)
		wantMacvlans(t, "the new "+n, macvlansIn(t, n), "eth0 "+ip)
		eps := endpointsOf(w, "dnet")
		if len(eps) != 1 || eps[0].NetNSInode != nsInode(t, filepath.Join(netns.Dir, n)) {
			t.Errorf("records %+v, want one endpoint, of the new %s", eps, n)
		}
		w.invariant(n).stillConnected(t, "dnet", n)
	})

	// The old namespace lives on, held by this test: disconnecting the
	// name finds the old endpoint (the new namespace is not connected)
	// and deletes its link there.
	t.Run("held", func(t *testing.T) {
		w := macvlanWorld(t, "dnet", "10.74.0.0/24")
		n := newLooseNetNS(t)
		ipOld := w.connect("dnet", n)
		old := openNS(t, n) // held until the test ends
		oldH, err := links.Open(old)
		if err != nil {
			t.Fatal(err)
		}
		defer oldH.Close()
		deleteNetNS(t, n)
		recreateNetNS(t, n)
		wantMacvlans(t, "the old "+n+" (held)", macvlans(t, oldH, "old "+n), "eth0 "+ipOld)

		w.vr("disconnect dnet " + n)
		wantMacvlans(t, "the old "+n+" after disconnect", macvlans(t, oldH, "old "+n))
		if eps := endpointsOf(w, "dnet"); len(eps) != 0 {
			t.Errorf("records after disconnect: %+v, want none", eps)
		}
		ip := w.connect("dnet", n)
		wantMacvlans(t, "the new "+n, macvlansIn(t, n), "eth0 "+ip)
		w.invariant(n).stillConnected(t, "dnet", n)
	})

	// The new namespace is connected while the old one lives on: two
	// namespaces, two endpoints, two addresses; each disconnect of the
	// name takes one, the new namespace's first.
	t.Run("held-reconnected", func(t *testing.T) {
		w := macvlanWorld(t, "dnet", "10.75.0.0/24")
		n := newLooseNetNS(t)
		ipOld := w.connect("dnet", n)
		old := openNS(t, n)
		oldH, err := links.Open(old)
		if err != nil {
			t.Fatal(err)
		}
		defer oldH.Close()
		var st unix.Stat_t
		if err := unix.Fstat(old.FD(), &st); err != nil {
			t.Fatal(err)
		}
		deleteNetNS(t, n)
		recreateNetNS(t, n)

		ipNew := w.connect("dnet", n)
		if ipNew == ipOld {
			t.Errorf("the new %s got %s, which the old one, still alive, holds", n, ipNew)
		}
		wantMacvlans(t, "the old "+n, macvlans(t, oldH, "old "+n), "eth0 "+ipOld)
		wantMacvlans(t, "the new "+n, macvlansIn(t, n), "eth0 "+ipNew)
		eps := endpointsOf(w, "dnet")
		newIno := nsInode(t, filepath.Join(netns.Dir, n))
		var inos []uint64
		for _, e := range eps {
			inos = append(inos, e.NetNSInode)
		}
		slices.Sort(inos)
		if want := []uint64{min(st.Ino, newIno), max(st.Ino, newIno)}; !slices.Equal(inos, want) {
			t.Errorf("records of %s have namespace inodes %v, want one each for the old (%d) and the new (%d)", n, inos, st.Ino, newIno)
		}

		w.vr("disconnect dnet " + n)
		wantMacvlans(t, "the new "+n+" after the first disconnect", macvlansIn(t, n))
		wantMacvlans(t, "the old "+n+" after the first disconnect", macvlans(t, oldH, "old "+n), "eth0 "+ipOld)
		w.vr("disconnect dnet " + n)
		wantMacvlans(t, "the old "+n+" after the second disconnect", macvlans(t, oldH, "old "+n))
		if eps := endpointsOf(w, "dnet"); len(eps) != 0 {
			t.Errorf("records after both disconnects: %+v, want none", eps)
		}
	})
}

// renameLink renames a link in namespace ns, as `ip -n NS link set OLD
// name NEW` does (down, rename, up).
func renameLink(t *testing.T, ns, from, to string) {
	t.Helper()
	h, err := links.OpenName(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	down, up := false, true
	for _, step := range []struct {
		name string
		c    links.Change
	}{{from, links.Change{Up: &down}}, {from, links.Change{Name: to}}, {to, links.Change{Up: &up}}} {
		if err := h.Set(step.name, step.c); err != nil {
			t.Fatalf("rename %s to %s in %s: %v", from, to, ns, err)
		}
	}
}

// TestDriftLinkRenamed renames an endpoint's link by hand: its address is
// not handed out while the link holds it, and disconnect deletes the link
// under its new name; only then does the address go to another namespace.
//
// Before 571e589 disconnect deleted the recorded name, "eth0": not found,
// the link counted as gone, the record was dropped and the renamed link
// stayed, address and all, which the next connect handed out again: two
// namespaces with one address.
func TestDriftLinkRenamed(t *testing.T) {
	w := macvlanWorld(t, "dnet", "10.76.0.0/24")
	a, b, c := newNetNS(t), newNetNS(t), newNetNS(t)
	w.connect("dnet", a, "--ip", "10.76.0.9")
	renameLink(t, a, "eth0", "moved0")

	w.vrFails(exitRuntime, "already in use", "connect --ip 10.76.0.9 dnet "+b)
	if ip := w.connect("dnet", c); ip == "10.76.0.9" {
		t.Errorf("connect %s got 10.76.0.9, held by the renamed link in %s", c, a)
	}
	wantMacvlans(t, b, macvlansIn(t, b))

	w.vr("disconnect dnet " + a)
	wantMacvlans(t, a+" after disconnect", macvlansIn(t, a))
	if ip := w.connect("dnet", b, "--ip", "10.76.0.9"); ip != "10.76.0.9" {
		t.Errorf("connect --ip 10.76.0.9 got %s", ip)
	}
	a2 := w.invariant(a, b, c)
	a2.disconnected(t, "dnet", []string{a})
	a2.stillConnected(t, "dnet", b, c)
}

// gcReport is `vlanraw gc -j`.
type gcReport struct {
	Released, Renamed, Marked, Missing []struct {
		Network, NetNS, IfName string
	}
	Deleted []struct {
		NetNS  string
		IfName string
		Alias  string
	}
}

func (w *world) gc() gcReport {
	w.t.Helper()
	var rep gcReport
	if err := json.Unmarshal([]byte(w.vr("gc -j")), &rep); err != nil {
		w.t.Fatalf("gc -j: %v", err)
	}
	return rep
}

// restoreReport is `vlanraw restore -j`.
type restoreReport struct {
	Restored, Present, Dropped []struct {
		Network, NetNS, IfName string
	}
}

func (w *world) restore() restoreReport {
	w.t.Helper()
	var rep restoreReport
	if err := json.Unmarshal([]byte(w.vr("restore -j")), &rep); err != nil {
		w.t.Fatalf("restore -j: %v", err)
	}
	return rep
}

// TestDriftEndpointDeleted deletes an endpoint's link by hand: gc
// reports it missing and keeps its record, restore makes it again, and
// disconnect deletes it.
//
// Before 571e589 there was no gc to report it (vlanraw gc was a usage
// error), and nothing told a missing link from a namespace not
// connected.
func TestDriftEndpointDeleted(t *testing.T) {
	w := macvlanWorld(t, "dnet", "10.77.0.0/24")
	a, b := newNetNS(t), newNetNS(t)
	ipA := w.connect("dnet", a)
	w.connect("dnet", b)
	vr(t, a, "link", "del", "eth0")

	rep := w.gc()
	if len(rep.Missing) != 1 || rep.Missing[0].NetNS != a || len(rep.Deleted)+len(rep.Released)+len(rep.Renamed) != 0 {
		t.Errorf("gc reported %+v; want %s missing and nothing else", rep, a)
	}
	if eps := endpointsOf(w, "dnet"); len(eps) != 2 {
		t.Errorf("gc left %d records, want 2 (a missing link is restore's to make)", len(eps))
	}
	rr := w.restore()
	if len(rr.Restored) != 1 || rr.Restored[0].NetNS != a || len(rr.Present) != 1 {
		t.Errorf("restore reported %+v; want %s restored and one present", rr, a)
	}
	wantMacvlans(t, a+" after restore", macvlansIn(t, a), "eth0 "+ipA)
	w.invariant(a, b).stillConnected(t, "dnet", a, b)

	w.vr("disconnect dnet " + a)
	wantMacvlans(t, a+" after disconnect", macvlansIn(t, a))
	af := w.invariant(a, b)
	af.disconnected(t, "dnet", []string{a})
	af.stillConnected(t, "dnet", b)
}

// TestDriftParentRecreated deletes the veth parent, which takes every
// endpoint link with it, and makes it again: restore makes the endpoints
// again, they pass traffic, and gc then finds every link in place and
// marked.
//
// Before 571e589 restore made the links again too, but unmarked: gc did
// not exist to find them, and nothing could tell them from links someone
// else made in those namespaces.
func TestDriftParentRecreated(t *testing.T) {
	w := macvlanWorld(t, "dnet", "10.78.0.0/24")
	a, nsA := w.endpoint()
	b, nsB := w.endpoint()
	ipA, ipB := w.connect("dnet", a), w.connect("dnet", b)
	reaches(t, nsA, ipA, ipB)

	vr(t, w.host, "link", "del", "p0")
	wantMacvlans(t, a+" without its parent", macvlansIn(t, a))
	addVeth(t, w.host, "p0")
	rr := w.restore()
	if len(rr.Restored) != 2 || len(rr.Dropped) != 0 {
		t.Errorf("restore reported %+v; want both endpoints restored", rr)
	}
	reaches(t, nsA, ipA, ipB)
	reaches(t, nsB, ipB, ipA)
	if rep := w.gc(); len(rep.Deleted)+len(rep.Missing)+len(rep.Released)+len(rep.Renamed)+len(rep.Marked) != 0 {
		t.Errorf("gc after restore reported %+v; want nothing to do", rep)
	}
	w.invariant(a, b).stillConnected(t, "dnet", a, b)
}

// TestDriftStateFileDeleted deletes the state file while endpoints are
// connected: their links are orphans, which the next gc (listing them)
// or network create deletes, so the addresses handed out again are not
// on two links.
//
// Before 571e589 nothing knew the links as vlanraw's: they stayed, and
// the next connect handed out 10.79.0.1 again, to a second namespace.
func TestDriftStateFileDeleted(t *testing.T) {
	for _, next := range []string{"gc", "connect"} {
		t.Run(next, func(t *testing.T) {
			w := macvlanWorld(t, "dnet", "10.79.0.0/24")
			nss := newNetNSes(t, 3)
			w.vr("connect dnet " + strings.Join(nss, " "))
			if err := os.Remove(filepath.Join(w.state, "networks.json")); err != nil {
				t.Fatal(err)
			}
			if next == "gc" {
				rep := w.gc()
				var got []string
				for _, d := range rep.Deleted {
					got = append(got, d.NetNS)
				}
				slices.Sort(got)
				var want []string
				for _, ns := range nss {
					want = append(want, filepath.Join(netns.Dir, ns))
				}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("gc deleted links in %q, want one in each of %q", got, want)
				}
			}
			w.vr("network create -d macvlan --subnet 10.79.0.0/24 -o parent=p0 dnet")
			d := newNetNS(t)
			if ip := w.connect("dnet", d); ip != "10.79.0.1" {
				t.Errorf("the first connect after the state file was deleted got %s, want 10.79.0.1", ip)
			}
			for _, ns := range nss {
				wantMacvlans(t, ns, macvlansIn(t, ns))
			}
			w.invariant(append(nss, d)...).stillConnected(t, "dnet", d)
		})
	}
}

// TestDriftBadStateFile gives vlanraw state files no vlanraw could have
// written: every command fails naming the file, none panics, and the
// file and the kernel are left as they are.
//
// Before 571e589 records were not validated: a null network made every
// command that looks a network up panic (a nil pointer), a duplicated
// network or an unknown driver was taken as it was (network ls listed
// them, network rm removed one of two). The schema-2 files were refused
// then as written by a newer vlanraw, which named the file too: the
// schema-1 forms of the same files are the ones that failed.
func TestDriftBadStateFile(t *testing.T) {
	network := func(name, id, driver string) string {
		return fmt.Sprintf(`{"name":%q,"id":%q,"driver":%q,"parent":"p0","macvlan_mode":"bridge","internal":false,"ipv6":false,`+
			`"subnets":[{"subnet":"10.81.0.0/24"}],"endpoints":[],"created":"2026-01-01T00:00:00Z"}`, name, id, driver)
	}
	id1 := strings.Repeat("ab", 32)
	id2 := strings.Repeat("cd", 32)
	bodies := map[string]string{
		"null-network":      `{"networks":[null]}`,
		"duplicate-network": `{"networks":[` + network("bad", id1, "macvlan") + `,` + network("bad", id1, "macvlan") + `]}`,
		"duplicate-name":    `{"networks":[` + network("bad", id1, "macvlan") + `,` + network("bad", id2, "macvlan") + `]}`,
		"unknown-driver":    `{"networks":[` + network("bad", id1, "bridge") + `]}`,
	}
	w := newWorld(t)
	addVeth(t, w.host, "p0")
	ns := newNetNS(t)
	exe, env := vlanrawExe(t)
	path := filepath.Join(w.state, "networks.json")
	for _, schema := range []int{1, 2, 3} {
		for name, body := range bodies {
			t.Run(fmt.Sprintf("schema%d-%s", schema, name), func(t *testing.T) {
				content := fmt.Sprintf(`{"schema":%d,"data":%s}`, schema, body)
				if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
				for _, line := range []string{
					"network ls",
					"network inspect bad",
					"network create -d macvlan --subnet 10.82.0.0/24 -o parent=p0 other",
					"network rm bad",
					"network rm -f bad",
					"connect bad " + ns,
					"disconnect bad " + ns,
					"disconnect --all bad",
					"gc",
					"restore",
				} {
					cmd := exec.Command(exe, w.args(strings.Fields(line)...)...)
					cmd.Env = env
					var stdout, stderr strings.Builder
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					err := cmd.Run()
					code := cmd.ProcessState.ExitCode()
					if err != nil && code < 0 {
						t.Fatalf("vlanraw %s: %v", line, err)
					}
					switch {
					case strings.Contains(stderr.String(), "panic") || strings.Contains(stderr.String(), "goroutine "):
						t.Errorf("vlanraw %s panicked (exit %d):\n%s", line, code, stderr.String())
					case code == exitOK || !strings.Contains(stderr.String(), path):
						t.Errorf("vlanraw %s: exit %d, stderr %q; want a failure naming %s", line, code, stderr.String(), path)
					}
				}
				if b, err := os.ReadFile(path); err != nil || string(b) != content {
					t.Errorf("the state file is now %q (%v), want it untouched", b, err)
				}
				if got := linkNames(t, ns); !slices.Equal(got, []string{"lo "}) {
					t.Errorf("links of %s: %q, want lo only", ns, got)
				}
				if got := linkNames(t, w.host); len(got) != 3 {
					t.Errorf("links of the host: %q, want lo, p0 and p0p", got)
				}
			})
		}
	}
}

// TestDriftProcSelfNetNS connects, from inside namespace A, the namespace
// /proc/self/ns/net (A), then runs restore from inside namespace B, where
// that path names B: the endpoint is A's, so restore leaves B alone and,
// when A's link was deleted, makes it again in A.
//
// Before 571e589 restore opened the recorded path, got B, found no eth0
// there and made the endpoint's link in B, with A's MAC and address (the
// first restore here, with A's link in place, failed making it: the
// parent already carries that MAC).
func TestDriftProcSelfNetNS(t *testing.T) {
	w := macvlanWorld(t, "dnet", "10.83.0.0/24")
	a, b := newNetNS(t), newNetNS(t)
	exe, env := vlanrawExe(t)
	in := func(ns string, args ...string) string {
		t.Helper()
		cmd := exec.Command(exe, append([]string{"netns", "exec", ns, exe}, w.args(args...)...)...)
		cmd.Env = env
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("vlanraw netns exec %s vlanraw %s: %v: %s", ns, strings.Join(args, " "), err, stderr.String())
		}
		return stdout.String()
	}
	var ep struct {
		IPv4 netip.Prefix `json:"ipv4"`
	}
	if err := json.Unmarshal([]byte(in(a, "connect", "-j", "dnet", "/proc/self/ns/net")), &ep); err != nil {
		t.Fatal(err)
	}
	ip := ep.IPv4.Addr().String()
	wantMacvlans(t, a, macvlansIn(t, a), "eth0 "+ip)
	eps := endpointsOf(w, "dnet")
	if len(eps) != 1 || eps[0].NetNSPath != "/proc/self/ns/net" || eps[0].NetNSInode != nsInode(t, filepath.Join(netns.Dir, a)) {
		t.Fatalf("records %+v, want one endpoint at /proc/self/ns/net with %s's inode", eps, a)
	}

	in(b, "restore")
	wantMacvlans(t, b+" after a restore run in it", macvlansIn(t, b))
	wantMacvlans(t, a+" after a restore run in "+b, macvlansIn(t, a), "eth0 "+ip)

	vr(t, a, "link", "del", "eth0")
	in(b, "restore")
	wantMacvlans(t, b+" after a restore run in it, A's link missing", macvlansIn(t, b))
	wantMacvlans(t, a+" after a restore run in "+b+", its link missing", macvlansIn(t, a), "eth0 "+ip)
	if eps := endpointsOf(w, "dnet"); len(eps) != 1 {
		t.Errorf("records after restore: %+v, want the one endpoint", eps)
	}
}
