package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes/verify"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// netnsForms are the forms of a NETNS word besides a plain name (which
// every other scenario test uses): each turns a namespace, given by its
// name and open, into the word the test gives vlanraw. The pid forms
// start a process living in the namespace, for the test's length.
var netnsForms = []struct {
	name string
	word func(t *testing.T, name string, ns *netns.NS) string
}{
	{"path", func(t *testing.T, name string, _ *netns.NS) string { return "/run/netns/" + name }},
	{"proc", func(t *testing.T, _ string, ns *netns.NS) string {
		return "/proc/" + strconv.Itoa(testenv.StartIn(t, ns)) + "/ns/net"
	}},
	{"pid", func(t *testing.T, _ string, ns *netns.NS) string { return strconv.Itoa(testenv.StartIn(t, ns)) }},
}

// TestScenarioNetNSForms runs the built vlanraw with -n, and with every
// NETNS argument, given as a path (/run/netns/NAME), as /proc/PID/ns/net
// and as a bare pid, for every object: link, addr, route, neigh, network
// (create, ls, rm), connect and disconnect, routes, stats (with -n and
// with --netns), verify (with --wire-netns), gc and netns exec. Each
// command must act in the namespace it was given, which the test checks
// with what the kernel reports there (links, addresses, pinned counters,
// frames counted on the parent), and what vlanraw prints must be that
// namespace's.
func TestScenarioNetNSForms(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	for _, form := range netnsForms {
		t.Run(form.name, func(t *testing.T) {
			fw := newFormWorld(t, form.word)
			fw.links(t)
			fw.docker(t)
			fw.stats(t)
			fw.exec(t)
			fw.teardown(t)
		})
	}
}

// formWorld is a host namespace (holding the parent p0), the far side of
// p0's veth (eth0) and two endpoint namespaces, each open for the test's
// own look at the kernel and named to vlanraw in one form.
type formWorld struct {
	run              func(args ...string) (int, string, string)
	state            string
	host, far        *netns.NS
	e1, e2           *netns.NS
	H, F, E1, E2     string // the words vlanraw is given
	hostName, e1Name string
}

func newFormWorld(t *testing.T, word func(*testing.T, string, *netns.NS) string) *formWorld {
	t.Helper()
	fw := &formWorld{state: t.TempDir()}
	for _, x := range []struct {
		ns   **netns.NS
		word *string
		name *string
	}{{&fw.host, &fw.H, &fw.hostName}, {&fw.far, &fw.F, nil}, {&fw.e1, &fw.E1, &fw.e1Name}, {&fw.e2, &fw.E2, nil}} {
		name := newNetNS(t)
		*x.ns = openNS(t, name)
		*x.word = word(t, name, *x.ns)
		if x.name != nil {
			*x.name = name
		}
	}
	vlanraw := vlanrawBinary(t)
	fw.run = func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		cmd := vlanraw(append([]string{"--state-dir", fw.state}, args...)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("vlanraw %s: %v", strings.Join(args, " "), err)
		}
		return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
	}
	return fw
}

// must runs vlanraw, fails the test unless it exits 0 with nothing on
// stderr, and returns stdout.
func (fw *formWorld) must(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := fw.run(args...)
	if code != exitOK || stderr != "" {
		t.Fatalf("vlanraw %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// linkIn returns what the kernel reports of link name in ns, or nil.
func linkIn(t *testing.T, ns *netns.NS, name string) *links.Link {
	t.Helper()
	h, err := links.Open(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	l, err := h.Get(name)
	if errors.Is(err, unix.ENODEV) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// links runs link, addr, route and neigh in the host namespace.
func (fw *formWorld) links(t *testing.T) {
	H := fw.H
	fw.must(t, "-n", H, "link", "add", "p0", "up", "type", "veth", "peer", "name", "eth0", "netns", fw.F, "up")
	p0, eth0 := linkIn(t, fw.host, "p0"), linkIn(t, fw.far, "eth0")
	if p0 == nil || p0.Kind != "veth" || eth0 == nil || eth0.Kind != "veth" {
		t.Fatalf("link add -n %s ... netns %s: the kernel has p0 %+v there and eth0 %+v in the far side", H, fw.F, p0, eth0)
	}
	fw.must(t, "-n", H, "link", "set", "p0", "mtu", "1400")
	if p0 = linkIn(t, fw.host, "p0"); p0.MTU != 1400 {
		t.Errorf("link set -n %s p0 mtu 1400: the kernel says mtu %d", H, p0.MTU)
	}
	fw.must(t, "-n", H, "addr", "add", "10.61.0.1/24", "dev", "p0")
	h, err := links.Open(fw.host)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	addrs, err := h.Addresses(p0.Index)
	if err != nil || !slices.Contains(addrs, netip.MustParsePrefix("10.61.0.1/24")) {
		t.Errorf("addr add -n %s 10.61.0.1/24 dev p0: the kernel has %v (%v) on p0", H, addrs, err)
	}
	mac, _ := net.ParseMAC("02:00:00:00:00:09")
	if err := h.AddNeigh(links.Neigh{IP: netip.MustParseAddr("10.61.0.9"), MAC: mac, Index: p0.Index}); err != nil {
		t.Fatal(err)
	}
	contains(t, "link show -n "+H, fw.must(t, "-n", H, "link", "show", "dev", "p0"), "p0@", "mtu 1400")
	contains(t, "addr show -n "+H, fw.must(t, "-n", H, "addr", "show", "dev", "p0"), "inet 10.61.0.1/24")
	contains(t, "route show -n "+H, fw.must(t, "-n", H, "route", "show"), "10.61.0.0/24 dev p0 proto kernel scope link src 10.61.0.1")
	contains(t, "neigh show -n "+H, fw.must(t, "-n", H, "neigh", "show"), "10.61.0.9 dev p0 lladdr 02:00:00:00:00:09 PERMANENT")
}

// docker runs network create and ls, connect, routes and verify with
// the host namespace holding the parent.
func (fw *formWorld) docker(t *testing.T) {
	H := fw.H
	fw.must(t, "-n", H, "network", "create", "-d", "macvlan", "--subnet", "10.62.0.0/24", "-o", "parent=p0", "net")
	contains(t, "network ls -n "+H, fw.must(t, "-n", H, "network", "ls"), "net ", "macvlan", "p0", "10.62.0.0/24")
	for _, e := range []struct {
		word string
		ns   *netns.NS
	}{{fw.E1, fw.e1}, {fw.E2, fw.e2}} {
		fw.must(t, "-n", H, "connect", "net", e.word)
		if l := linkIn(t, e.ns, "eth0"); l == nil || l.Kind != "macvlan" {
			t.Fatalf("connect -n %s net %s: the kernel has eth0 %+v there", H, e.word, l)
		}
	}
	contains(t, "network inspect -n "+H, fw.must(t, "-n", H, "network", "inspect", "net"), fw.E1, fw.E2)
	contains(t, "routes -n "+H, fw.must(t, "-n", H, "routes", "net"), "on p0's link")

	// verify counts, on p0 in the host namespace and on the far side,
	// the frames the probes make: the counters are the kernel's word.
	var res verify.Result
	out := fw.must(t, "-n", H, "verify", "net", "--wire-netns", fw.F, "--wire-dev", "eth0", "-j")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("verify -j: %v: %s", err, out)
	}
	if !res.OK() || res.Parent != "p0" || res.Wire != fw.F+"/eth0" || len(res.Endpoints) != 2 {
		t.Errorf("verify -n %s net: ok %v, parent %q, wire %q, endpoints %q; want ok, p0, %s/eth0, two", H, res.OK(), res.Parent, res.Wire, res.Endpoints, fw.F)
	}
	counted := 0
	for _, row := range res.Rows {
		if row.Skipped == "" && slices.ContainsFunc(row.Observed, func(n int) bool { return n > 0 }) {
			counted++
		}
	}
	if counted == 0 {
		t.Errorf("verify -n %s net: no counter saw a frame", H)
	}
}

// stats attaches, shows and detaches counters on p0 (through -n) and on
// the far side's eth0 (through --netns), checking the pins the kernel
// holds, which are kept under the namespace's inode.
func (fw *formWorld) stats(t *testing.T) {
	for _, c := range []struct {
		ns  *netns.NS
		dev string
		opt []string
	}{{fw.host, "p0", []string{"-n", fw.H}}, {fw.far, "eth0", []string{"--netns", fw.F}}} {
		id, err := c.ns.ID()
		if err != nil {
			t.Fatal(err)
		}
		pinned := func() bool {
			ps, err := bpf.ListPinned()
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(ps, func(p bpf.PinnedHook) bool {
				return p.NetNSInode == id.Inode && p.Ifname == c.dev && p.Direction == bpf.Ingress && p.Attached
			})
		}
		stats := func(args ...string) string {
			// -n goes before the object, --netns after the command.
			if c.opt[0] == "-n" {
				return fw.must(t, append(append(slices.Clone(c.opt), "stats"), args...)...)
			}
			return fw.must(t, append(append([]string{"stats", args[0]}, c.opt...), args[1:]...)...)
		}
		stats("attach", c.dev, "ingress")
		if !pinned() {
			t.Errorf("stats attach %s %s ingress: nothing pinned for namespace %v", strings.Join(c.opt, " "), c.dev, id)
		}
		contains(t, "stats show "+strings.Join(c.opt, " "), stats("show", "-j", c.dev, "ingress"), `"ifname":"`+c.dev+`"`)
		stats("detach", c.dev, "ingress")
		if pinned() {
			t.Errorf("stats detach %s %s ingress: still pinned for namespace %v", strings.Join(c.opt, " "), c.dev, id)
		}
	}
}

// exec runs the test binary in the host namespace with netns exec, where
// it lists /sys/class/net: the host namespace's links.
func (fw *formWorld) exec(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := fw.run("netns", "exec", fw.H, self, lsSysArg)
	if names := strings.Fields(out); code != 7 || !slices.Equal(names, []string{"lo", "p0"}) {
		t.Errorf("netns exec %s (list /sys/class/net): exit %d, names %q, stderr %q; want exit 7 and lo p0", fw.H, code, names, stderr)
	}
}

// teardown disconnects, removes the network, collects and deletes p0,
// each checked in the kernel.
func (fw *formWorld) teardown(t *testing.T) {
	H := fw.H
	fw.must(t, "-n", H, "disconnect", "net", fw.E1)
	if l := linkIn(t, fw.e1, "eth0"); l != nil {
		t.Errorf("disconnect -n %s net %s: the kernel still has eth0 there", H, fw.E1)
	}
	fw.must(t, "-n", H, "network", "rm", "-f", "net")
	if l := linkIn(t, fw.e2, "eth0"); l != nil {
		t.Errorf("network rm -n %s -f net: the kernel still has eth0 in %s", H, fw.E2)
	}
	fw.must(t, "-n", H, "gc")
	fw.must(t, "-n", H, "link", "del", "p0")
	if linkIn(t, fw.host, "p0") != nil || linkIn(t, fw.far, "eth0") != nil {
		t.Errorf("link del -n %s p0: the kernel still has p0, or its peer", H)
	}
}

// TestNetNSBadWords gives -n a word of no accepted form, and one naming
// no namespace, to a command of every object: each refuses it before
// anything else, with the same message whatever the object, which says
// what to give (exit 2), or that the namespace cannot be opened and where
// to look (exit 1).
func TestNetNSBadWords(t *testing.T) {
	missing := fmt.Sprintf("vrt-nosuch-%d", os.Getpid())
	const forms = "; give a name under /run/netns, a path such as /proc/PID/ns/net, or a process id\n"
	state := t.TempDir()
	for _, word := range []struct {
		word, stderr string
		code         int
	}{
		{"a/b", `vlanraw: invalid namespace name "a/b": a name has no "/", and a path starts with "/"` + forms, exitUsage},
		{"0", "vlanraw: invalid process id 0: a process id is a whole number from 1" + forms, exitUsage},
		{missing, `vlanraw: cannot open network namespace "` + missing + `" (see "vlanraw netns ls"): /run/netns/` + missing + ": no such file or directory\n", exitRuntime},
	} {
		for _, line := range []string{
			"link show", "link add mv0 type dummy", "addr show", "route show", "neigh show",
			"network ls", "network create -d macvlan --subnet 10.63.0.0/24 -o parent=p0 net",
			"connect net x", "disconnect net x", "routes net", "restore", "gc",
			"stats show", "verify net",
		} {
			args := append([]string{"-n", word.word, "--state-dir", state}, strings.Fields(line)...)
			code, stdout, stderr := runCLI(args...)
			if code != word.code || stdout != "" || stderr != word.stderr {
				t.Errorf("vlanraw %s: exit %d, stdout %q, stderr %q\nwant exit %d, stderr %q",
					strings.Join(args, " "), code, stdout, stderr, word.code, word.stderr)
			}
		}
	}
}
