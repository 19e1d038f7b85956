package bpf

import (
	"strings"
	"testing"
)

// TestRecordRoundTrip checks the pinned record's text form.
func TestRecordRoundTrip(t *testing.T) {
	for _, r := range []record{{}, {Attached: true, Mode: ModeTCX, Ifindex: 3}, {Mode: ModeClsBPF, Ifindex: 1 << 30}} {
		got, err := parseRecord(r.String())
		if err != nil || got != r {
			t.Errorf("parseRecord(%q) = %+v, %v; want %+v", r.String(), got, err, r)
		}
	}
	if _, err := parseRecord("something else"); err == nil {
		t.Error("parseRecord accepted a foreign record")
	}
}

// TestHookDirNames checks that interface names with dots (refused by
// the BPF file system) and percent signs survive the directory name.
func TestHookDirNames(t *testing.T) {
	for _, name := range []string{"eth0", "eth0.50", "a-b-c", "x%2E", "v.l.a.n-"} {
		for _, d := range []Direction{Ingress, Egress} {
			base := hookDir(1, name, d)
			base = base[strings.LastIndexByte(base, '/')+1:]
			if strings.Contains(base, ".") {
				t.Errorf("hook directory %q of %q has a dot", base, name)
			}
			got, gd, ok := parseHookDir(base)
			if !ok || got != name || gd != d {
				t.Errorf("parseHookDir(%q) = %q, %v, %v; want %q, %v", base, got, gd, ok, name, d)
			}
		}
	}
	if pid, ok := tempPID("attach-12-34"); !ok || pid != 12 {
		t.Errorf("tempPID(attach-12-34) = %d, %v", pid, ok)
	}
	for _, name := range []string{"attach-12-ingress", "attach-x-1", "eth0-egress"} {
		if _, ok := tempPID(name); ok {
			t.Errorf("tempPID(%q) took it for a temporary directory", name)
		}
	}
}
