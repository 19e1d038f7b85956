package rtnl_test

import (
	"encoding/json"
	"errors"
	"os/exec"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// passProgram loads the smallest SCHED_CLS program: return TC_ACT_UNSPEC.
func passProgram(t *testing.T) *ebpf.Program {
	t.Helper()
	// Before Linux 5.11 programs count against RLIMIT_MEMLOCK, whose
	// default there (64 KiB) may be too small.
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Fatal(err)
	}
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.SchedCLS,
		License:      "MIT",
		Instructions: asm.Instructions{asm.Mov.Imm32(asm.R0, -1), asm.Return()},
	})
	if err != nil {
		t.Fatalf("load a SCHED_CLS program: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestLiveTC runs the qdisc and filter operations against the running
// kernel, in a throwaway namespace, and checks every result with rtnl's
// dumps and, where iproute2 is installed, with `tc -j`: add a clsact
// qdisc (twice: EEXIST), a direct-action bpf filter on each hook, one
// with the priority the kernel picks and one with its own, then delete
// them by handle and by priority, and the qdisc.
func TestLiveTC(t *testing.T) {
	ns, nsName := testenv.NewNetNS(t)
	c, p0 := dialWithVeth(t, ns)
	idx := p0.Index
	prog := passProgram(t)
	info, err := prog.Info()
	if err != nil {
		t.Fatal(err)
	}
	progID, _ := info.ID()

	if err := c.AddQdisc(rtnl.NewClsactQdisc(idx)); err != nil {
		t.Fatalf("add clsact: %v", err)
	}
	if err := c.AddQdisc(rtnl.NewClsactQdisc(idx)); !errors.Is(err, unix.EEXIST) {
		t.Errorf("add clsact again: %v; want EEXIST", err)
	}
	qs, err := c.ListQdiscs(idx)
	if err != nil {
		t.Fatal(err)
	}
	if !hasKind(qs, "clsact") {
		t.Errorf("ListQdiscs: %+v; want a clsact", qs)
	}
	tcCheck(t, nsName, []string{"qdisc", "show", "dev", "p0"}, func(v []map[string]any) bool {
		for _, q := range v {
			if q["kind"] == "clsact" && q["handle"] == "ffff:" {
				return true
			}
		}
		return false
	})

	if err := c.AddFilter(rtnl.NewBPFFilter(idx, rtnl.ParentIngress, 0, prog.FD(), "test-ingress")); err != nil {
		t.Fatalf("add ingress filter: %v", err)
	}
	eg := rtnl.NewBPFFilter(idx, rtnl.ParentEgress, 1, prog.FD(), "test-egress")
	eg.Handle = 1
	if err := c.AddFilter(eg); err != nil {
		t.Fatalf("add egress filter: %v", err)
	}
	for _, x := range []struct {
		parent uint32
		dir    string
		name   string
		prio   uint16
	}{{rtnl.ParentIngress, "ingress", "test-ingress", 49152}, {rtnl.ParentEgress, "egress", "test-egress", 1}} {
		fs, err := c.ListFilters(idx, x.parent)
		if err != nil {
			t.Fatal(err)
		}
		// The priority group, then the filter.
		if len(fs) != 2 || fs[1].Attributes.BPF == nil {
			t.Fatalf("%s filters: %+v; want a priority group and one bpf filter", x.dir, fs)
		}
		f := fs[1]
		o := f.Attributes.BPF
		if f.Priority() != x.prio || f.Protocol() != unix.ETH_P_ALL || f.Handle != 1 || o.Name != x.name ||
			o.Flags == nil || *o.Flags != rtnl.BPFFlagActDirect || o.ID == nil || ebpf.ProgramID(*o.ID) != progID || len(o.Tag) != 8 {
			t.Errorf("%s filter: prio %d proto %#x handle %d %+v; want prio %d, all, handle 1, %s, direct-action, program %d",
				x.dir, f.Priority(), f.Protocol(), f.Handle, o, x.prio, x.name, progID)
		}
		tcCheck(t, nsName, []string{"filter", "show", "dev", "p0", x.dir}, func(v []map[string]any) bool {
			for _, e := range v {
				opts, _ := e["options"].(map[string]any)
				pr, _ := opts["prog"].(map[string]any)
				if e["pref"] == float64(x.prio) && opts["bpf_name"] == x.name && opts["direct-action"] == true &&
					pr["id"] == float64(progID) && opts["handle"] == "0x1" {
					return true
				}
			}
			return false
		})
	}

	// Delete one by handle (as vlanraw's Detach does), one by priority.
	del := &rtnl.TCMessage{Ifindex: idx, Handle: 1, Parent: rtnl.ParentIngress, Info: rtnl.FilterInfo(49152, unix.ETH_P_ALL),
		Attributes: rtnl.TCAttributes{Kind: "bpf"}}
	if err := c.DeleteFilter(del); err != nil {
		t.Fatalf("delete the ingress filter: %v", err)
	}
	if err := c.DeleteFilter(&rtnl.TCMessage{Ifindex: idx, Parent: rtnl.ParentEgress, Info: rtnl.FilterInfo(1, 0)}); err != nil {
		t.Fatalf("delete the egress filters of priority 1: %v", err)
	}
	for _, parent := range []uint32{rtnl.ParentIngress, rtnl.ParentEgress} {
		if fs, err := c.ListFilters(idx, parent); err != nil || len(fs) != 0 {
			t.Errorf("filters at %#x after deletes: %+v, %v; want none", parent, fs, err)
		}
	}
	if err := c.DeleteQdisc(rtnl.NewClsactQdisc(idx)); err != nil {
		t.Fatalf("delete clsact: %v", err)
	}
	if err := c.DeleteQdisc(rtnl.NewClsactQdisc(idx)); err == nil {
		t.Error("delete clsact again: no error")
	}
	if qs, err := c.ListQdiscs(idx); err != nil || hasKind(qs, "clsact") {
		t.Errorf("qdiscs after delete: %+v, %v; want no clsact", qs, err)
	}
	if fs, err := c.ListFilters(idx, rtnl.ParentIngress); err != nil || len(fs) != 0 {
		t.Errorf("filters of a device without clsact: %+v, %v; want none", fs, err)
	}
}

func hasKind(ms []rtnl.TCMessage, kind string) bool {
	for _, m := range ms {
		if m.Attributes.Kind == kind {
			return true
		}
	}
	return false
}

// tcCheck runs `tc -n NS -j ARGS` and fails the test unless ok accepts
// what it printed. Without tc it only logs.
func tcCheck(t *testing.T, nsName string, args []string, ok func([]map[string]any) bool) {
	t.Helper()
	tc, err := exec.LookPath("tc")
	if err != nil {
		t.Logf("no tc here: not cross-checking %v", args)
		return
	}
	out, err := exec.Command(tc, append([]string{"-n", nsName, "-j"}, args...)...).Output()
	if err != nil {
		t.Fatalf("tc %v: %v", args, err)
	}
	var v []map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("tc %v: %v\n%s", args, err, out)
	}
	if !ok(v) {
		t.Errorf("tc %v disagrees: %s", args, out)
	}
}
