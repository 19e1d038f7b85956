package modes

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// env is a throwaway setup: a "host" namespace holding the parent p0
// (192.168.0.10/24, fd00::10/64), a veth whose peer p1 (192.168.0.1/24,
// fd00::1/64) sits in a "router" namespace, and a Manager with its own
// state directory whose host namespace is the throwaway one.
type env struct {
	t        testing.TB
	m        *Manager
	dir      string
	host     *netns.NS
	hostName string
	hh       *links.Handle
	router   *netns.NS
	// routerName names the router namespace under /run/netns.
	routerName string
	rh         *links.Handle
}

var (
	hostAddr4   = netip.MustParsePrefix("192.168.0.10/24")
	hostAddr6   = netip.MustParsePrefix("fd00::10/64")
	routerAddr4 = netip.MustParsePrefix("192.168.0.1/24")
	routerAddr6 = netip.MustParsePrefix("fd00::1/64")
)

func newEnv(t testing.TB) *env {
	t.Helper()
	testenv.RequireRoot(t)
	e := &env{t: t, dir: t.TempDir()}
	e.host, e.hostName = testenv.NewNetNS(t)
	e.router, e.routerName = testenv.NewNetNS(t)
	e.hh = openHandle(t, e.host)
	e.rh = openHandle(t, e.router)
	err := e.hh.Create(&links.Veth{Attrs: links.Attrs{Name: "p0", Up: true}, Peer: links.Attrs{Name: "p1", Up: true, NetNS: e.router}})
	if err != nil {
		t.Fatalf("create veth parent: %v", err)
	}
	addAddr(t, e.hh, "p0", hostAddr4, hostAddr6)
	addAddr(t, e.rh, "p1", routerAddr4, routerAddr6)
	for _, h := range []*links.Handle{e.hh, e.rh} {
		up := true
		if err := h.Set("lo", links.Change{Up: &up}); err != nil {
			t.Fatal(err)
		}
	}
	e.m = e.manager()
	return e
}

// manager returns a new Manager on the env's state directory.
func (e *env) manager() *Manager {
	e.t.Helper()
	host, err := netns.Open(e.hostName)
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := NewManagerIn(e.dir, host)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { m.Close() })
	return m
}

// target returns a new namespace to connect, with lo up.
func (e *env) target() (*netns.NS, string, *links.Handle) {
	e.t.Helper()
	ns, name := testenv.NewNetNS(e.t)
	h := openHandle(e.t, ns)
	up := true
	if err := h.Set("lo", links.Change{Up: &up}); err != nil {
		e.t.Fatal(err)
	}
	return ns, name, h
}

// stateBytes returns the state file's contents ("" when there is none).
func (e *env) stateBytes() string {
	e.t.Helper()
	b, err := os.ReadFile(e.m.store.Path())
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatal(err)
	}
	return string(b)
}

func openHandle(t testing.TB, ns *netns.NS) *links.Handle {
	t.Helper()
	h, err := links.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func addAddr(t testing.TB, h *links.Handle, name string, ps ...netip.Prefix) {
	t.Helper()
	l := mustGet(t, h, name)
	for _, p := range ps {
		if err := h.AddAddress(l.Index, p, true); err != nil {
			t.Fatalf("add %s to %s: %v", p, name, err)
		}
	}
}

func mustGet(t testing.TB, h *links.Handle, name string) *links.Link {
	t.Helper()
	l, err := h.Get(name)
	if err != nil {
		t.Fatalf("link %s: %v", name, err)
	}
	return l
}

// linkNames returns the names of the links in h's namespace, sorted.
func linkNames(t testing.TB, h *links.Handle) []string {
	t.Helper()
	ls, err := h.List("")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	slices.Sort(out)
	return out
}

// routeTable returns the main table's unicast routes in h's namespace as
// `ip route` prints them ("default via 192.168.0.1 dev eth0",
// "192.168.0.0/24 dev eth0"), sorted, without the kernel's fe80::/64
// routes.
func routeTable(t testing.TB, h *links.Handle) []string {
	t.Helper()
	rs, err := h.Routes(0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[int]string{}
	ls, err := h.List("")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		names[l.Index] = l.Name
	}
	var out []string
	for _, r := range rs {
		if r.Dst == netip.MustParsePrefix("fe80::/64") {
			continue
		}
		s := "default"
		if r.Dst.IsValid() && r.Dst.Bits() > 0 {
			s = r.Dst.String()
		}
		if r.Gateway.IsValid() {
			s += " via " + r.Gateway.String()
		}
		if r.V6 {
			s = "-6 " + s
		}
		out = append(out, s+" dev "+names[r.Index])
	}
	slices.Sort(out)
	return out
}

// addrs returns the addresses on a link, sorted, without link-local ones.
func addrs(t testing.TB, h *links.Handle, name string) []string {
	t.Helper()
	ps, err := h.Addresses(mustGet(t, h, name).Index)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		if !p.Addr().IsLinkLocalUnicast() {
			out = append(out, p.String())
		}
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// sysctlIn reads a /proc/sys value inside ns.
func sysctlIn(t testing.TB, ns *netns.NS, path string) string {
	t.Helper()
	v, err := readSysctl(ns, path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// eq fails the test when got and want differ.
func eq[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

// eqList fails the test when got and want differ.
func eqList(t testing.TB, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, fmtList(got), fmtList(want))
	}
}

func fmtList(s []string) string { return fmt.Sprintf("[%s]", strings.Join(s, "; ")) }

// errContains fails unless err is not nil and holds every piece.
func errContains(t testing.TB, err error, pieces ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", pieces)
	}
	for _, p := range pieces {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// The package's tests check that every update marked endpointsOnly
// leaves the networks as they were (see Manager.update).
func init() { checkEndpointsOnly = true }
