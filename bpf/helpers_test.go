package bpf_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// pair is two throwaway namespaces joined by a veth pair: a holds t0, b
// holds t1. IPv6 is off on both ends, and neither has an IPv4 address,
// so the kernel sends nothing on its own (no router or neighbour
// solicitations, no MLD, no ARP): every frame counted is one the test
// sent.
type pair struct {
	a, b         *netns.NS
	aName, bName string
}

func newPair(t *testing.T) *pair {
	t.Helper()
	a, an := testenv.NewNetNS(t)
	b, bn := testenv.NewNetNS(t)
	testenv.QuietIPv6(t, a)
	testenv.QuietIPv6(t, b)
	h, err := links.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	err = h.Create(&links.Veth{
		Attrs: links.Attrs{Name: "t0", Up: true},
		Peer:  links.Attrs{Name: "t1", Up: true, NetNS: b},
	})
	if err != nil {
		t.Fatalf("create veth: %v", err)
	}
	return &pair{a: a, b: b, aName: an, bName: bn}
}

// expectedMode is the path Attach must take for mode on this kernel. For
// ModeAuto it is judged by version, which Attach itself never looks at.
func expectedMode(mode bpf.Mode) bpf.Mode {
	if mode != bpf.ModeAuto {
		return mode
	}
	if testenv.KernelAtLeast("6.6") {
		return bpf.ModeTCX
	}
	return bpf.ModeClsBPF
}

// attach attaches counters and detaches them when the test ends. On a
// kernel older than 6.6, ModeTCX must fail with errdefs.ErrNotSupported: attach
// checks that and returns nil.
func attach(t *testing.T, o bpf.AttachOptions) *bpf.Hook {
	t.Helper()
	h, err := bpf.Attach(o)
	if o.Mode == bpf.ModeTCX && !testenv.KernelAtLeast("6.6") {
		if !errors.Is(err, errdefs.ErrNotSupported) {
			t.Fatalf("TCX on kernel %s: got %v; want an error matching errdefs.ErrNotSupported", testenv.KernelRelease(), err)
		}
		t.Logf("as expected on %s: %v", testenv.KernelRelease(), err)
		return nil
	}
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() { h.Close() })
	if got, want := h.Mode(), expectedMode(o.Mode); got != want {
		t.Errorf("attached with %s for mode %s on kernel %s; want %s", got, o.Mode, testenv.KernelRelease(), want)
	}
	return h
}

// send writes n copies of each frame, in turn, to ifname in ns through
// an AF_PACKET socket.
func send(t *testing.T, ns *netns.NS, ifname string, frames []frame, n int) {
	t.Helper()
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		ifi, err := netInterfaceIndex(ifname)
		if err != nil {
			return err
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: ifi}); err != nil {
			return err
		}
		for range n {
			for _, f := range frames {
				if _, err := unix.Write(fd, f.b); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("send frames on %s: %v", ifname, err)
	}
}

// netInterfaceIndex returns the ifindex of name in the calling thread's
// namespace.
func netInterfaceIndex(name string) (int, error) {
	c, err := rtnl.Dial(nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	l, err := c.GetLink(name)
	if err != nil {
		return 0, err
	}
	return int(l.Index), nil
}

// sum is what frames, sent n times each, add to counters.
func sum(frames []frame, n uint64) bpf.Counts {
	var c bpf.Counts
	for _, f := range frames {
		w := want(f, n)
		c.Class[f.class] = c.Class[f.class].Add(w.Class[f.class])
		for id, v := range w.VLAN {
			if c.VLAN == nil {
				c.VLAN = map[uint16]bpf.Count{}
			}
			c.VLAN[id] = c.VLAN[id].Add(v)
		}
	}
	return c
}

// waitCounts polls h until what it counted since before is want, or
// fails after a deadline with the difference. Frames reach an ingress
// hook from a softirq, after the send returned.
func waitCounts(t *testing.T, h *bpf.Hook, before, want bpf.Counts) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		now, err := h.Counts()
		if err != nil {
			t.Fatal(err)
		}
		got := now.Sub(before)
		if cmp.Equal(want, got) {
			return
		}
		if time.Now().After(deadline) || got.Total().Packets > want.Total().Packets {
			t.Fatalf("%s %s (%s) counted (-want +got):\n%s", h.Ifname(), h.Direction(), h.Mode(), cmp.Diff(want, got))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// trivialCounter is the simplest tc counter: it adds one to a per-CPU
// array's only slot and returns TC_ACT_UNSPEC. It is the peer of the
// benchmarks and the program that follows vlanraw's in the pass-through
// test.
func trivialCounter(tb testing.TB) (*ebpf.Program, *ebpf.Map) {
	tb.Helper()
	// Before Linux 5.11 the map and program count against
	// RLIMIT_MEMLOCK, as the classifier's do (see Attach).
	if err := rlimit.RemoveMemlock(); err != nil {
		tb.Fatal(err)
	}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.SchedCLS,
		License: "MIT",
		Instructions: asm.Instructions{
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
			asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
			asm.Add.Imm(asm.R1, 1),
			asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord),
			asm.Mov.Imm32(asm.R0, -1).WithSymbol("out"),
			asm.Return(),
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() })
	return p, m
}

// trivialCount reads the trivial counter.
func trivialCount(tb testing.TB, m *ebpf.Map) uint64 {
	tb.Helper()
	var per []uint64
	if err := m.Lookup(uint32(0), &per); err != nil {
		tb.Fatal(err)
	}
	var n uint64
	for _, v := range per {
		n += v
	}
	return n
}

// tcState is what the kernel says about a device's tc hooks: its
// qdiscs and clsact filters through rtnl's dumps and, where iproute2 is
// installed, as `tc -j` prints them; and the programs attached with TCX
// (none before Linux 6.6, where the query fails).
type tcState struct {
	Qdiscs, Ingress, Egress []rtnl.TCMessage
	TC                      map[string]any
	TCX                     map[string][]ebpf.ProgramID
}

func stateOf(t *testing.T, ns *netns.NS, nsName, ifname string) tcState {
	t.Helper()
	c, err := rtnl.Dial(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, err := c.GetLink(ifname)
	if err != nil {
		t.Fatal(err)
	}
	var s tcState
	if s.Qdiscs, err = c.ListQdiscs(l.Index); err != nil {
		t.Fatal(err)
	}
	if s.Ingress, err = c.ListFilters(l.Index, rtnl.ParentIngress); err != nil {
		t.Fatal(err)
	}
	if s.Egress, err = c.ListFilters(l.Index, rtnl.ParentEgress); err != nil {
		t.Fatal(err)
	}
	s.TCX = map[string][]ebpf.ProgramID{}
	for name, at := range map[string]ebpf.AttachType{"ingress": ebpf.AttachTCXIngress, "egress": ebpf.AttachTCXEgress} {
		err := ns.Do(func() error {
			r, err := link.QueryPrograms(link.QueryOptions{Target: int(l.Index), Attach: at})
			if err != nil {
				return err
			}
			for _, p := range r.Programs {
				s.TCX[name] = append(s.TCX[name], p.ID)
			}
			return nil
		})
		if err != nil && testenv.KernelAtLeast("6.6") {
			t.Fatalf("query TCX %s programs: %v", name, err)
		}
	}
	s.TC = map[string]any{
		"qdisc":   tcJSON(t, nsName, "qdisc", "show", "dev", ifname),
		"ingress": tcJSON(t, nsName, "filter", "show", "dev", ifname, "ingress"),
		"egress":  tcJSON(t, nsName, "filter", "show", "dev", ifname, "egress"),
	}
	return s
}

// tcJSON runs `tc -n NS -j ARGS` and decodes what it prints; without tc
// it returns nil (rtnl's dumps still count).
func tcJSON(t *testing.T, nsName string, args ...string) any {
	t.Helper()
	tc, err := exec.LookPath("tc")
	if err != nil {
		logOnce(t, "tc", "no tc here: comparing rtnl's dumps only")
		return nil
	}
	out, err := exec.Command(tc, append([]string{"-n", nsName, "-j"}, args...)...).Output()
	if err != nil {
		t.Fatalf("tc %v: %v", args, err)
	}
	if len(out) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("tc %v: %v\n%s", args, err, out)
	}
	return v
}

var logged = map[string]bool{}

func logOnce(t *testing.T, key, msg string) {
	if !logged[key] {
		logged[key] = true
		t.Log(msg)
	}
}

// filtersNamed returns the filters whose cls_bpf name is name.
func filtersNamed(fs []rtnl.TCMessage, name string) []rtnl.TCMessage {
	var out []rtnl.TCMessage
	for _, f := range fs {
		if f.Attributes.BPF != nil && f.Attributes.BPF.Name == name {
			out = append(out, f)
		}
	}
	return out
}

// hasQdisc reports whether s has a qdisc of kind.
func (s tcState) hasQdisc(kind string) bool {
	for _, q := range s.Qdiscs {
		if q.Attributes.Kind == kind {
			return true
		}
	}
	return false
}

// pinsOf lists what is pinned for the namespace ns, as paths relative to
// the pin root.
func pinsOf(t *testing.T, ns *netns.NS) []string {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(ns.FD(), &st); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(bpf.PinRoot(), strconv.FormatUint(st.Ino, 10))
	var out []string
	filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(bpf.PinRoot(), p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}
