package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestBadInput runs bad `link add` commands against a real namespace with
// a veth parent p0 (MTU 1500): each must exit with the right code, say
// what was wrong, and create nothing.
func TestBadInput(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	ns := newNetNS(t)
	addVeth(t, ns, "p0")
	vrLine(t, ns, "link add link p0 name pt0 type macvlan mode passthru")
	addVeth(t, ns, "q0")
	vrLine(t, ns, "link add link q0 name mv0 type macvlan mode bridge")
	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string // all must appear in stderr
	}{
		{"empty name", []string{"link", "add", "link", "q0", "name", "", "type", "macvlan"}, exitUsage, []string{`""`, "1 to 15 bytes"}},
		{"16-byte name", words16("link add link q0 name abcdefghijklmnop type macvlan"), exitUsage, []string{`"abcdefghijklmnop"`, "16 bytes", "at most 15"}},
		{"slash in name", words16("link add link q0 name a/b type macvlan"), exitUsage, []string{`"a/b"`, "'/'"}},
		{"space in name", []string{"link", "add", "link", "q0", "name", "a b", "type", "macvlan"}, exitUsage, []string{`"a b"`, "white space"}},
		{"tab in name", []string{"link", "add", "link", "q0", "name", "a\tb", "type", "macvlan"}, exitUsage, []string{"white space"}},
		{"vlan id 4095", words16("link add link q0 name v0 type vlan id 4095"), exitUsage, []string{"4095", "0-4094", "reserved"}},
		{"vlan id 5000", words16("link add link q0 name v0 type vlan id 5000"), exitUsage, []string{"5000", "0-4094"}},
		{"mtu above parent", words16("link add link q0 name mv1 mtu 9000 type macvlan"), exitUsage, []string{`"9000"`, "q0", "1500"}},
		{"address on ipvlan", words16("link add link q0 name ipv0 address 02:00:00:00:00:01 type ipvlan mode l2"), exitUsage, []string{"address", "parent's MAC"}},
		{"link lo", words16("link add link lo name mv1 type macvlan"), exitUsage, []string{`"lo"`, "loopback"}},
		{"missing parent", words16("link add link nosuch0 name mv1 type macvlan"), exitRuntime, []string{`"nosuch0"`, "does not exist"}},
		{"nopromisc without passthru", words16("link add link q0 name mv1 type macvlan mode bridge nopromisc"), exitUsage, []string{"nopromisc", "passthru"}},
		{"flag nopromisc without mode", words16("link add link q0 name mv1 type macvlan flag nopromisc"), exitUsage, []string{"nopromisc", "passthru"}},
		{"macaddr without source", words16("link add link q0 name mv1 type macvlan mode bridge macaddr add 02:00:00:00:00:01"), exitUsage, []string{"macaddr", "mode source"}},
		{"macaddr without mode", words16("link add link q0 name mv1 type macvlan macaddr set 02:00:00:00:00:01"), exitUsage, []string{"macaddr", "mode source"}},
		{"unknown kind", words16("link add link q0 name mv1 type macvlna"), exitUsage, []string{`"macvlna"`, "macvlan"}},
		{"unknown mode", words16("link add link q0 name mv1 type macvlan mode bridged"), exitUsage, []string{`"bridged"`}},
		{"unknown macvlan word", words16("link add link q0 name mv1 type macvlan mode bridge bcqueue 5 x"), exitUsage, []string{`"x"`}},
		{"unknown ipvlan word", words16("link add link q0 name ipv0 type ipvlan mode l2 privat3"), exitUsage, []string{`"privat3"`}},
		{"unknown vlan word", words16("link add link q0 name v0 type vlan id 5 tagged"), exitUsage, []string{`"tagged"`}},
		{"name taken", words16("link add link q0 name mv0 type macvlan"), exitRuntime, []string{"mv0", "exists"}},
		{"second passthru", words16("link add link p0 name pt1 type macvlan mode passthru"), exitRuntime, []string{"pt1", "invalid argument"}},
		{"macvlan beside passthru", words16("link add link p0 name mv1 type macvlan mode bridge"), exitRuntime, []string{"mv1"}},
		{"change into passthru", words16("link set dev mv0 type macvlan mode passthru"), exitUsage, []string{"passthru", "re-create"}},
		{"change kind", words16("link set dev mv0 type macvtap mode vepa"), exitUsage, []string{"macvtap", "macvlan"}},
		{"set missing link", words16("link set dev nosuch0 up"), exitRuntime, []string{"nosuch0", "no such device"}},
		{"delete missing link", words16("link del nosuch0"), exitRuntime, []string{"nosuch0", "no such device"}},
		{"batched delete with a missing link", words16("link del mv0 nosuch0"), exitRuntime, []string{`"nosuch0"`, "nothing was deleted"}},
		{"netns missing", words16("link add link q0 name mv1 netns nosuchns type macvlan"), exitUsage, []string{`"nosuchns"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := linkNames(t, ns)
			code, stdout, stderr := runCLI(append([]string{"-n", ns}, tt.args...)...)
			t.Logf("vlanraw %q: exit %d: %s", tt.args, code, strings.TrimSpace(stderr))
			if code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, "vlanraw: ") {
				t.Errorf("stderr %q does not start with \"vlanraw: \"", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not mention %q", w)
				}
			}
			if diff := cmp.Diff(before, linkNames(t, ns)); diff != "" {
				t.Errorf("links changed (-before +after):\n%s", diff)
			}
		})
	}
}

// words16 splits a command line into words.
func words16(line string) []string { return strings.Fields(line) }

// TestKernelMessage checks that the kernel's extended-ack text reaches
// the user, with exit code 1 and nothing created.
func TestKernelMessage(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	ns := newNetNS(t)
	addVeth(t, ns, "p0")
	vrLine(t, ns, "link add link p0 name mv0 type macvlan mode bridge")
	for _, tt := range []struct {
		line string
		want []string
	}{
		{"link add link p0 name mv1 mtu 60 type macvlan", []string{"create link mv1", "kernel: mtu less than device minimum"}},
		{"link set dev mv0 mtu 60", []string{"mv0", "kernel: mtu less than device minimum"}},
	} {
		before := linkNames(t, ns)
		code, _, stderr := runCLI(append([]string{"-n", ns}, strings.Fields(tt.line)...)...)
		t.Logf("vlanraw %s: exit %d: %s", tt.line, code, strings.TrimSpace(stderr))
		if code != exitRuntime {
			t.Errorf("vlanraw %s: exit %d, want %d", tt.line, code, exitRuntime)
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("vlanraw %s: stderr does not mention %q", tt.line, w)
			}
		}
		if diff := cmp.Diff(before, linkNames(t, ns)); diff != "" {
			t.Errorf("links changed (-before +after):\n%s", diff)
		}
	}
	if mtu := vrLinkJSON(t, ns, "mv0")["mtu"]; mtu != float64(1500) {
		t.Errorf("mv0 has MTU %v after a refused change, want 1500", mtu)
	}
}
