package main

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv/traffic"
)

// This file holds the helpers of the scenario tests: each builds a host
// namespace (holding the parents), endpoint namespaces and sometimes a
// router or a "switch" on the far side of a veth, all with vlanraw's CLI,
// and proves with real packets (testenv/traffic) what reaches what.

// Timeouts of the probes: a probe that must succeed gets long, one that
// must fail is given short and takes that long.
const (
	reachTimeout   = 5 * time.Second
	noReachTimeout = 1 * time.Second
)

// world is one scenario: a host namespace and a state directory of its
// own, so that the real host and /var/lib/vlanraw are never touched.
type world struct {
	t     *testing.T
	host  string // the host namespace's name
	state string // the state directory
}

// newWorld creates the scenario's host namespace and state directory.
func newWorld(t *testing.T) *world {
	t.Helper()
	return &world{t: t, host: newNetNS(t), state: t.TempDir()}
}

// args prefixes a command line with the world's host namespace and state
// directory.
func (w *world) args(args ...string) []string {
	return append([]string{"-n", w.host, "--state-dir", w.state}, args...)
}

// vr runs vlanraw in-process in the world, fails the test unless it exits
// 0, and returns stdout.
func (w *world) vr(line string) string {
	w.t.Helper()
	args := w.args(strings.Fields(line)...)
	code, stdout, stderr := runCLI(args...)
	if code != exitOK {
		w.t.Fatalf("vlanraw %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// vrFails runs vlanraw in the world, checks that it exits with code and
// that stderr has want, and returns stderr.
func (w *world) vrFails(code int, want, line string) string {
	w.t.Helper()
	args := w.args(strings.Fields(line)...)
	got, stdout, stderr := runCLI(args...)
	if got != code || !strings.Contains(stderr, want) || stdout != "" {
		w.t.Errorf("vlanraw %s: exit %d, stdout %q, stderr %q; want exit %d and %q on stderr only",
			strings.Join(args, " "), got, stdout, stderr, code, want)
	}
	return stderr
}

// endpoint creates a namespace for an endpoint and returns its name and an
// open handle.
func (w *world) endpoint() (string, *netns.NS) {
	w.t.Helper()
	name := newNetNS(w.t)
	return name, openNS(w.t, name)
}

// openNS opens a named namespace for the test.
func openNS(t *testing.T, name string) *netns.NS {
	t.Helper()
	ns, err := netns.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	return ns
}

// uplink creates veth parent in the host, up, whose peer "eth0" is up in
// a new namespace (a router or a switch port), and returns that namespace.
func (w *world) uplink(parent string) string {
	w.t.Helper()
	far := newNetNS(w.t)
	vr(w.t, w.host, "link", "add", parent, "up", "type", "veth", "peer", "name", "eth0", "netns", far, "up")
	return far
}

// reaches checks that an ICMP echo from ns (from src) to dst gets a reply.
func reaches(t *testing.T, ns *netns.NS, src, dst string) {
	t.Helper()
	if err := traffic.Ping(ns, netip.MustParseAddr(src), netip.MustParseAddr(dst), reachTimeout); err != nil {
		t.Errorf("%s must reach %s: %v", src, dst, err)
	}
}

// blocked checks that an ICMP echo from ns (from src) to dst gets no reply,
// and that UDP datagrams to dst, received in namespace to, do not arrive
// (to may be nil for a destination without a namespace of the test's).
func blocked(t *testing.T, ns *netns.NS, src, dst string, to *netns.NS) {
	t.Helper()
	err := traffic.Ping(ns, netip.MustParseAddr(src), netip.MustParseAddr(dst), noReachTimeout)
	if !errors.Is(err, traffic.ErrNoReply) {
		t.Errorf("%s must not reach %s: ping says %v", src, dst, err)
	}
	if to == nil {
		return
	}
	got, err := traffic.UDPWithin(ns, to, netip.AddrPortFrom(netip.MustParseAddr(dst), 0), 5, noReachTimeout/2)
	if err != nil || got != 0 {
		t.Errorf("%s must not reach %s: %d of 5 UDP datagrams arrived (err %v)", src, dst, got, err)
	}
}

// udpReaches checks that all of 20 UDP datagrams from ns to dst in
// namespace to arrive.
func udpReaches(t *testing.T, from, to *netns.NS, dst string) {
	t.Helper()
	got, err := traffic.UDP(from, to, netip.AddrPortFrom(netip.MustParseAddr(dst), 0), 20)
	if err != nil || got != 20 {
		t.Errorf("UDP to %s: %d of 20 arrived (err %v)", dst, got, err)
	}
}

// routes returns the lines of `vlanraw route show` in namespace ns,
// trimmed.
func routes(t *testing.T, ns string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(vr(t, ns, "route", "show"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// hasRoute checks that namespace ns has a route line starting with want
// (such as "default via 10.0.0.1 dev eth0"), and none other starting with
// "default" when only is set.
func hasRoute(t *testing.T, ns, want string, only bool) {
	t.Helper()
	rs := routes(t, ns)
	found := false
	for _, r := range rs {
		switch {
		case strings.HasPrefix(r, want):
			found = true
		case only && strings.HasPrefix(r, "default"):
			t.Errorf("namespace %s: route %q besides %q", ns, r, want)
		}
	}
	if !found {
		t.Errorf("namespace %s: no route %q in %q", ns, want, rs)
	}
}

// snapshot is what an error must leave unchanged: the state directory's
// files and the links of some namespaces.
type snapshot struct {
	files map[string]string
	links map[string][]string
	// pending is whether the intent file holds an intent.
	pending bool
}

// snap takes a snapshot of the world's state directory and the links of
// the namespaces nss.
func (w *world) snap(nss ...string) snapshot {
	w.t.Helper()
	s := snapshot{files: map[string]string{}, links: map[string][]string{}}
	ents, err := os.ReadDir(w.state)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(w.state, e.Name()))
		if err != nil {
			w.t.Fatal(err)
		}
		if e.Name() == "networks.intent" {
			// Written in place and never removed: what counts is
			// whether it holds an intent (a header with a length).
			s.pending = len(b) >= 8 && string(b[:4]) == "vlri" && binary.LittleEndian.Uint32(b[4:8]) != 0
			continue
		}
		s.files[e.Name()] = string(b)
	}
	for _, ns := range nss {
		s.links[ns] = linkNames(w.t, ns)
	}
	return s
}

// unchanged checks that nothing in before changed.
func (w *world) unchanged(what string, before snapshot) {
	w.t.Helper()
	nss := make([]string, 0, len(before.links))
	for ns := range before.links {
		nss = append(nss, ns)
	}
	after := w.snap(nss...)
	for name, b := range before.files {
		if name != "networks.lock" && after.files[name] != b {
			w.t.Errorf("%s changed state file %s:\nbefore %s\nafter  %s", what, name, b, after.files[name])
		}
	}
	for name := range after.files {
		if _, ok := before.files[name]; !ok && !strings.HasSuffix(name, ".lock") {
			w.t.Errorf("%s left a new file %s in the state directory", what, name)
		}
	}
	if after.pending != before.pending {
		w.t.Errorf("%s left an intent pending: %v, then %v", what, before.pending, after.pending)
	}
	for ns, b := range before.links {
		if !slices.Equal(b, after.links[ns]) {
			w.t.Errorf("%s changed the links of %s: %q, then %q", what, ns, b, after.links[ns])
		}
	}
}

// connect connects namespace ns to network with the extra connect flags,
// and returns the endpoint's IPv4 address, without its prefix length.
func (w *world) connect(network, ns string, flags ...string) string {
	w.t.Helper()
	return w.attach(network, ns, flags...).IPv4
}

// noReply checks that an ICMP echo from ns (from src, or any address when
// src is "") to dst gets no reply, where a one-way probe (UDP) would prove
// nothing.
func noReply(t *testing.T, ns *netns.NS, src, dst string) {
	t.Helper()
	var from netip.Addr
	if src != "" {
		from = netip.MustParseAddr(src)
	}
	err := traffic.Ping(ns, from, netip.MustParseAddr(dst), noReachTimeout)
	if !errors.Is(err, traffic.ErrNoReply) {
		t.Errorf("%s must get no reply from %s: ping says %v", src, dst, err)
	}
}
