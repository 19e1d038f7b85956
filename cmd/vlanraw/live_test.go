package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// This file holds the helpers of the tests that need root and a real
// kernel: each test works in a throwaway named namespace, and compares
// with iproute2 where it can.

// newNetNS creates a named network namespace for the test and removes it
// when the test ends, with everything in it.
func newNetNS(t *testing.T) string {
	t.Helper()
	testenv.RequireRoot(t)
	name := fmt.Sprintf("vrt%08x", rand.Uint32())
	ns, err := netns.Add(name)
	if err != nil {
		t.Fatalf("add netns: %v", err)
	}
	ns.Close()
	t.Cleanup(func() {
		if err := netns.Delete(name); err != nil {
			t.Errorf("delete netns %s: %v", name, err)
		}
	})
	return name
}

// vr runs vlanraw in-process in namespace ns and fails the test unless it
// exits 0. It returns stdout.
func vr(t *testing.T, ns string, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCLI(append([]string{"-n", ns}, args...)...)
	if code != exitOK {
		t.Fatalf("vlanraw -n %s %s: exit %d: %s", ns, strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// vrLine is vr with the arguments as one line of words.
func vrLine(t *testing.T, ns, line string) string {
	t.Helper()
	return vr(t, ns, strings.Fields(line)...)
}

// addVeth creates a veth pair, name and name+"peer", both up, to be the
// parent of the links under test.
func addVeth(t *testing.T, ns, name string) {
	t.Helper()
	vrLine(t, ns, fmt.Sprintf("link add %s up type veth peer name %sp up", name, name))
}

var (
	ipOnce sync.Once
	ipBin  string
	ipErr  error
)

// ipPath returns iproute2's ip, installing iproute2 with apt-get when it
// is missing and apt-get is there. In the QEMU harness ip is at
// /usr/sbin/ip or /sbin/ip, which may not be on PATH.
func ipPath(t *testing.T) string {
	t.Helper()
	ipOnce.Do(func() {
		find := func() string {
			if p, err := exec.LookPath("ip"); err == nil {
				return p
			}
			for _, p := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"} {
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
					return p
				}
			}
			return ""
		}
		if ipBin = find(); ipBin != "" {
			return
		}
		if _, err := exec.LookPath("apt-get"); err != nil {
			ipErr = fmt.Errorf("iproute2's ip is not installed and there is no apt-get to install it")
			return
		}
		for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "--no-install-recommends", "iproute2"}} {
			cmd := exec.Command("apt-get", args...)
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			if out, err := cmd.CombinedOutput(); err != nil {
				ipErr = fmt.Errorf("apt-get %s: %v: %s", strings.Join(args, " "), err, out)
				return
			}
		}
		if ipBin = find(); ipBin == "" {
			ipErr = fmt.Errorf("apt-get installed iproute2, but ip is still not found")
		}
	})
	if ipErr != nil {
		t.Fatalf("the cross-check needs iproute2: %v", ipErr)
	}
	return ipBin
}

// ipRun runs ip with args and returns its combined output and error.
func ipRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(ipPath(t), args...).CombinedOutput()
	return string(out), err
}

// ip runs `ip -n ns LINE` and fails the test if it fails.
func ip(t *testing.T, ns, line string) string {
	t.Helper()
	out, err := ipRun(t, append([]string{"-n", ns}, strings.Fields(line)...)...)
	if err != nil {
		t.Fatalf("ip -n %s %s: %v: %s", ns, line, err, out)
	}
	return out
}

// decodeOne decodes a JSON array holding exactly one link object.
func decodeOne(t *testing.T, what string, out string) map[string]any {
	t.Helper()
	var arr []map[string]any
	if err := json.Unmarshal([]byte(out), &arr); err != nil {
		t.Fatalf("%s: bad JSON: %v\n%s", what, err, out)
	}
	if len(arr) != 1 {
		t.Fatalf("%s: %d links, want 1:\n%s", what, len(arr), out)
	}
	return arr[0]
}

// ipLinkJSON returns `ip -n ns -j -d link show dev name`.
func ipLinkJSON(t *testing.T, ns, name string) map[string]any {
	t.Helper()
	return decodeOne(t, "ip -j -d link show "+name, ip(t, ns, "-j -d link show dev "+name))
}

// vrLinkJSON returns `vlanraw -n ns link show -j -d dev name`.
func vrLinkJSON(t *testing.T, ns, name string) map[string]any {
	t.Helper()
	return decodeOne(t, "vlanraw link show -j -d "+name, vr(t, ns, "link", "show", "-j", "-d", "dev", name))
}

// infoData returns linkinfo.info_data of a decoded link, failing the test
// when it is missing.
func infoData(t *testing.T, link map[string]any) map[string]any {
	t.Helper()
	li, ok := link["linkinfo"].(map[string]any)
	if !ok {
		t.Fatalf("link %v has no linkinfo", link["ifname"])
	}
	d, ok := li["info_data"].(map[string]any)
	if !ok {
		t.Fatalf("link %v has no linkinfo.info_data", link["ifname"])
	}
	return d
}

// linkNames lists the links of namespace ns as "name kind", sorted, to
// check that a failed command created nothing.
func linkNames(t *testing.T, ns string) []string {
	t.Helper()
	h, err := links.OpenName(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ls, err := h.List("")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range ls {
		names = append(names, l.Name+" "+l.Kind)
	}
	sort.Strings(names)
	return names
}

// kindLine returns the line of `-d` text output that starts with the
// kind, as "    macvlan mode bridge ...".
func kindLine(out, kind string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "    "+kind+" ") {
			return l
		}
	}
	return ""
}

// compactJSON re-encodes v for messages.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}
