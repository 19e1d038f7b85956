package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// This file holds the helpers of the kill, signal, drift and migration
// tests: a vlanraw process stopped at a step of its operation (see
// VLANRAW_TEST_STOP in main.go), what the kernel and the records hold,
// and the invariant every interrupted operation must leave behind once
// the next vlanraw command has run.

// stateMark is how the links of one state directory are marked (see
// modes/identity.go): the alias prefix "vlanraw:DIR8:" and the link group.
type stateMark struct {
	dir   string // the first 8 hex digits of the SHA-256 of the absolute path
	group uint32
}

// markOf returns the mark of the links made for state directory dir, as
// modes computes it: dirID and linkGroup.
func markOf(t *testing.T, dir string) stateMark {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(filepath.Clean(abs)))
	return stateMark{
		dir:   hex.EncodeToString(sum[:4]),
		group: 0x76<<24 | binary.BigEndian.Uint32(sum[:4])&0xffffff,
	}
}

// prefix is the start of the alias of every link of the directory.
func (m stateMark) prefix() string { return "vlanraw:" + m.dir + ":" }

// alias is the mark of the link of an endpoint (or, with ep "parent", of
// a parent link) given the full or short IDs.
func (m stateMark) alias(network, ep string) string {
	return m.prefix() + short12(network) + ":" + short12(ep)
}

// has reports whether link l carries the directory's mark: its alias or,
// for a link marked only at creation, its group.
func (m stateMark) has(l links.Link) bool {
	return strings.HasPrefix(l.Alias, m.prefix()) || l.Group == m.group
}

func short12(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// newLooseNetNS is newNetNS for tests that delete the namespace
// themselves and need it gone then: its cleanup does not mind that the
// name is gone, and it is made by a vlanraw process of its own. Made by
// netns.Add in this process, it could stay held by this process's
// main thread: Add unshares on a locked thread that it lets end,
// and Go parks a locked main thread rather than ending it, in whatever
// namespace it is in.
func newLooseNetNS(t *testing.T) string {
	t.Helper()
	testenv.RequireRoot(t)
	name := fmt.Sprintf("vrk%08x", rand.Uint32())
	exe, env := vlanrawExe(t)
	cmd := exec.Command(exe, "netns", "add", name)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("vlanraw netns add %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() {
		if err := netns.Delete(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("delete netns %s: %v", name, err)
		}
	})
	return name
}

// newNetNSes creates n namespaces (see newNetNS).
func newNetNSes(t *testing.T, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = newNetNS(t)
	}
	return out
}

// macvlanWorld is a world with a veth "p0" in its host namespace (both
// ends there, up) and a macvlan bridge network on it: no namespace beyond
// the host is needed for the parent, which keeps the kill tables cheap.
func macvlanWorld(t *testing.T, network, subnet string) *world {
	t.Helper()
	testenv.RequireKind(t, "macvlan")
	w := newWorld(t)
	addVeth(t, w.host, "p0")
	w.vr("network create -d macvlan --subnet " + subnet + " -o parent=p0 " + network)
	return w
}

// stopped is a vlanraw process stopped at a step (VLANRAW_TEST_STOP).
type stopped struct {
	t    *testing.T
	cmd  *exec.Cmd
	line string
	// stderr collects what the process writes on stderr; done is
	// closed once the pipe is drained (the process exited).
	stderr bytes.Buffer
	done   chan struct{}
	guard  *time.Timer
}

// startVR starts the vlanraw binary in w with VLANRAW_TEST_STOP=stop
// (none when stop is "") and returns it with its stderr pipe being read.
func startVR(t *testing.T, w *world, stop string, args ...string) (*stopped, <-chan string) {
	t.Helper()
	exe, env := vlanrawExe(t)
	cmd := exec.Command(exe, w.args(args...)...)
	cmd.Env = slices.Clone(env)
	if stop != "" {
		cmd.Env = append(cmd.Env, testStopEnv+"="+stop)
	}
	return startCmd(t, cmd)
}

// startCmd starts cmd, reading its stderr: the returned channel gets
// the step of the "test stop at" line, if one comes, and is closed when
// stderr ends.
func startCmd(t *testing.T, cmd *exec.Cmd) (*stopped, <-chan string) {
	t.Helper()
	return startCmdWith(t, cmd, cmd.Start)
}

// startCmdWith is startCmd with start in place of cmd.Start, such as a
// start from a thread inside another network namespace.
func startCmdWith(t *testing.T, cmd *exec.Cmd, start func() error) (*stopped, <-chan string) {
	t.Helper()
	s := &stopped{t: t, cmd: cmd, line: strings.Join(cmd.Args[1:], " "), done: make(chan struct{})}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := start(); err != nil {
		t.Fatal(err)
	}
	// A guard against a test that would otherwise hang for go test's
	// whole timeout; it is no synchronisation.
	s.guard = time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	stops := make(chan string, 1)
	go func() {
		defer close(s.done)
		defer close(stops)
		r := bufio.NewReader(pipe)
		for {
			line, err := r.ReadString('\n')
			if step, ok := strings.CutPrefix(strings.TrimSpace(line), "vlanraw: test stop at "); ok {
				stops <- step
			} else {
				s.stderr.WriteString(line)
			}
			if err != nil {
				io.Copy(&s.stderr, r)
				return
			}
		}
	}()
	return s, stops
}

// stopAt starts vlanraw in w stopped at step stop and waits until it is
// there. It fails the test when the process ends first.
func stopAt(t *testing.T, w *world, stop string, args ...string) *stopped {
	t.Helper()
	s, stops := startVR(t, w, stop, args...)
	if _, ok := <-stops; !ok {
		code := s.wait()
		t.Fatalf("vlanraw %s (VLANRAW_TEST_STOP=%s) exited %d without reaching the step: %s", s.line, stop, code, s.stderr.String())
	}
	return s
}

// signal sends sig to the stopped process and returns its exit code (-1
// for a process killed by the signal).
func (s *stopped) signal(sig syscall.Signal) int {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.t.Fatal(err)
	}
	return s.wait()
}

// wait waits for the process and returns its exit code, -1 when a signal
// killed it.
func (s *stopped) wait() int {
	<-s.done
	err := s.cmd.Wait()
	s.guard.Stop()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	s.t.Fatalf("vlanraw %s: %v", s.line, err)
	return 0
}

// kernelLink is a link of a namespace with its IPv4 addresses.
type kernelLink struct {
	ns    string
	link  links.Link
	addrs []netip.Prefix
}

// kernelLinks lists the links, and their IPv4 addresses, of the
// namespaces nss that exist.
func kernelLinks(t *testing.T, nss []string) []kernelLink {
	t.Helper()
	var out []kernelLink
	for _, ns := range nss {
		h, err := links.OpenName(ns)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatalf("namespace %s: %v", ns, err)
		}
		out = append(out, linksOf(t, h, ns)...)
		h.Close()
	}
	return out
}

// linksOf lists the links of h's namespace, called ns in messages.
func linksOf(t *testing.T, h *links.Handle, ns string) []kernelLink {
	t.Helper()
	ls, err := h.List("")
	if err != nil {
		t.Fatalf("namespace %s: list links: %v", ns, err)
	}
	var out []kernelLink
	for _, l := range ls {
		as, err := h.Addresses(l.Index)
		if err != nil {
			t.Fatalf("namespace %s: addresses of %s: %v", ns, l.Name, err)
		}
		var v4 []netip.Prefix
		for _, a := range as {
			if a.Addr().Is4() && !a.Addr().IsLoopback() {
				v4 = append(v4, a)
			}
		}
		out = append(out, kernelLink{ns: ns, link: l, addrs: v4})
	}
	return out
}

// marked returns the links of ls that carry mark m.
func marked(ls []kernelLink, m stateMark) []kernelLink {
	var out []kernelLink
	for _, l := range ls {
		if m.has(l.link) {
			out = append(out, l)
		}
	}
	return out
}

// recNetwork and recEndpoint are the records as `vlanraw network ls -j`
// shows them (Docker's inspect form).
type recNetwork struct {
	Name       string
	ID         string `json:"Id"`
	Options    map[string]string
	Containers map[string]recEndpoint
}

type recEndpoint struct {
	Name        string
	EndpointID  string
	IPv4Address string
}

// find returns the network called name, or nil.
func findNet(nets []recNetwork, name string) *recNetwork {
	for i := range nets {
		if nets[i].Name == name {
			return &nets[i]
		}
	}
	return nil
}

// ls runs `vlanraw network ls -j` in the world, in-process: the next
// vlanraw command after an interrupted one, which must finish or undo
// it. It returns the records.
func (w *world) ls() []recNetwork {
	w.t.Helper()
	var nets []recNetwork
	if err := json.Unmarshal([]byte(w.vr("network ls -j")), &nets); err != nil {
		w.t.Fatalf("network ls -j: %v", err)
	}
	return nets
}

// fileRecords reads the state file directly, without running vlanraw
// (which would recover an interrupted operation): network name to the
// endpoints' namespaces as given, netns to endpoint. A missing file is
// no record.
type fileEndpoint struct {
	ID         string       `json:"id"`
	NetNS      string       `json:"netns"`
	NetNSPath  string       `json:"netns_path"`
	NetNSInode uint64       `json:"netns_inode"`
	IfName     string       `json:"ifname"`
	MAC        string       `json:"mac"`
	IPv4       netip.Prefix `json:"ipv4"`
}

type fileNetwork struct {
	Name      string         `json:"name"`
	ID        string         `json:"id"`
	Parent    string         `json:"parent"`
	Endpoints []fileEndpoint `json:"endpoints"`
}

func (w *world) fileRecords() []fileNetwork {
	w.t.Helper()
	b := stateFile(w.t, w.state)
	if b == nil {
		return nil
	}
	var doc struct {
		Data struct {
			Networks []fileNetwork `json:"networks"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		w.t.Fatalf("state file: %v\n%s", err, b)
	}
	return doc.Data.Networks
}

// snapshot of records and kernel after the next command.
type after struct {
	nets  []recNetwork
	links []kernelLink
	mark  stateMark
}

// connected reports whether namespace ns is recorded on network and its
// link, with the endpoint's mark, is there.
func (a *after) connected(network, ns string) (recorded, linked bool) {
	n := findNet(a.nets, network)
	if n == nil {
		return false, false
	}
	e, ok := n.Containers[ns]
	if !ok {
		return false, false
	}
	want := a.mark.alias(n.ID, e.EndpointID)
	for _, l := range a.links {
		if l.ns == ns && l.link.Alias == want {
			return true, true
		}
	}
	return true, false
}

// markedIn returns the links carrying the mark in namespace ns.
func (a *after) markedIn(ns string) []string {
	var out []string
	for _, l := range marked(a.links, a.mark) {
		if l.ns == ns {
			out = append(out, l.link.Name+" ("+l.link.Alias+")")
		}
	}
	return out
}

// invariant runs the next vlanraw command (network ls) in w and checks
// what every interrupted operation must leave, once that command ran, in
// the namespaces nss (the world's host is added):
//
//	(a) no link with the state directory's mark that no record claims,
//	    in its namespace;
//	(b) no record whose namespace exists but holds no link with its mark;
//	(c) no address recorded twice, and none twice in the kernel;
//
// and returns the records and links for the operation's own check (d).
func (w *world) invariant(nss ...string) *after {
	w.t.Helper()
	t := w.t
	a := &after{nets: w.ls(), mark: markOf(t, w.state)}
	all := append([]string{w.host}, nss...)
	a.links = kernelLinks(t, all)
	exists := map[string]bool{}
	for _, ns := range all {
		if _, err := os.Stat(filepath.Join(netns.Dir, ns)); err == nil {
			exists[ns] = true
		}
	}

	// (a) every marked link is claimed by a record, in its namespace.
	type claim struct{ ns, what string }
	claims := map[string]claim{}
	recAddrs := map[string]string{}
	for _, n := range a.nets {
		claims[a.mark.alias(n.ID, "parent")] = claim{w.host, "network " + n.Name + "'s parent"}
		claims[a.mark.alias(n.ID, "host")] = claim{w.host, "network " + n.Name + "'s host access link"}
		for ns, e := range n.Containers {
			claims[a.mark.alias(n.ID, e.EndpointID)] = claim{ns, "network " + n.Name + "'s endpoint in " + ns}
			if e.IPv4Address == "" {
				continue
			}
			// (c) in the records.
			addr, _, _ := strings.Cut(e.IPv4Address, "/")
			if other, dup := recAddrs[addr]; dup {
				t.Errorf("invariant (c): address %s is recorded for %s and for network %s in %s", addr, other, n.Name, ns)
			}
			recAddrs[addr] = "network " + n.Name + " in " + ns
		}
	}
	for _, l := range marked(a.links, a.mark) {
		c, ok := claims[l.link.Alias]
		switch {
		case !ok:
			t.Errorf("invariant (a): link %s in %s (group %#x, alias %q) carries this state directory's mark but no record claims it",
				l.link.Name, l.ns, l.link.Group, l.link.Alias)
		case c.ns != l.ns:
			t.Errorf("invariant (a): link %s (%s) is in %s, but its record (%s) is in %s", l.link.Name, l.link.Alias, l.ns, c.what, c.ns)
		}
	}

	// (b) every record whose namespace exists has its link.
	for _, n := range a.nets {
		for ns := range n.Containers {
			if !slices.Contains(all, ns) {
				t.Errorf("invariant (b): network %s records namespace %s, which is none of the test's", n.Name, ns)
				continue
			}
			if !exists[ns] {
				continue
			}
			if _, linked := a.connected(n.Name, ns); !linked {
				t.Errorf("invariant (b): network %s records an endpoint in %s, which exists, but it holds no link with its mark (links: %s)",
					n.Name, ns, strings.Join(linkNamesIn(a.links, ns), ", "))
			}
		}
	}

	// (c) in the kernel.
	kernAddrs := map[netip.Addr]string{}
	for _, l := range a.links {
		for _, p := range l.addrs {
			if other, dup := kernAddrs[p.Addr()]; dup {
				t.Errorf("invariant (c): address %s is on %s and on %s in %s", p.Addr(), other, l.link.Name, l.ns)
			}
			kernAddrs[p.Addr()] = l.link.Name + " in " + l.ns
		}
	}
	return a
}

// linkNamesIn lists the links of namespace ns as "name kind alias".
func linkNamesIn(ls []kernelLink, ns string) []string {
	var out []string
	for _, l := range ls {
		if l.ns == ns {
			out = append(out, strings.TrimSpace(l.link.Name+" "+l.link.Kind+" "+l.link.Alias))
		}
	}
	sort.Strings(out)
	return out
}

// allOrNone checks invariant (d) for a connect of nss to network: either
// every namespace is recorded with its link, or none is and none holds a
// link with the mark. It returns how many are connected.
func (a *after) allOrNone(t *testing.T, network string, nss []string) int {
	t.Helper()
	var yes, no []string
	for _, ns := range nss {
		rec, linked := a.connected(network, ns)
		switch {
		case rec && linked:
			yes = append(yes, ns)
		case !rec && len(a.markedIn(ns)) == 0:
			no = append(no, ns)
		default:
			t.Errorf("invariant (d): %s is half connected: recorded %v, marked links %q", ns, rec, a.markedIn(ns))
		}
	}
	if len(yes) > 0 && len(no) > 0 {
		t.Errorf("invariant (d): the connect was neither done nor undone: %d of %d namespaces connected (%s not)", len(yes), len(nss), strings.Join(no, ", "))
	}
	return len(yes)
}

// disconnected checks invariant (d) for a finished disconnect: none of
// nss is recorded on network, and none holds a link with the mark.
func (a *after) disconnected(t *testing.T, network string, nss []string) {
	t.Helper()
	for _, ns := range nss {
		if rec, _ := a.connected(network, ns); rec || len(a.markedIn(ns)) > 0 {
			t.Errorf("invariant (d): the disconnect of %s was not finished: recorded %v, marked links %q", ns, rec, a.markedIn(ns))
		}
	}
}

// stillConnected checks that the endpoints of nss, which the operation
// was not about, are connected as before.
func (a *after) stillConnected(t *testing.T, network string, nss ...string) {
	t.Helper()
	for _, ns := range nss {
		if rec, linked := a.connected(network, ns); !rec || !linked {
			t.Errorf("%s on network %s, which the operation was not about: recorded %v, link %v; want both", ns, network, rec, linked)
		}
	}
}

// hostHas reports whether the host namespace of w has a link called name.
func hostHas(t *testing.T, a *after, host, name string) (links.Link, bool) {
	t.Helper()
	for _, l := range a.links {
		if l.ns == host && l.link.Name == name {
			return l.link, true
		}
	}
	return links.Link{}, false
}

// exitSignal is the exit code of a process killed by a signal, as
// stopped.wait returns it.
const exitSignal = -1
