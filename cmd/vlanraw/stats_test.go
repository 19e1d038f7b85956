package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestStatsUsage checks that mistakes in stats commands are usage errors
// (exit 2) that name the mistake, before anything reaches the kernel.
func TestStatsUsage(t *testing.T) {
	for _, tt := range []struct {
		line string
		want string
	}{
		{"stats frob", `unknown stats command "frob"`},
		{"stats attach", "stats attach needs an interface"},
		{"stats detach", "stats detach needs an interface"},
		{"stats attach t0 sideways", `unknown direction "sideways"`},
		{"stats attach t0 ingress extra", "takes an interface and a direction, got 3 words"},
		{"stats attach --mode bogus t0", `unknown attach mode "bogus"`},
		{"stats show --interval 0s t0", "--interval must be positive"},
		{"stats show --frob", "unknown flag: --frob"},
		{"stats detach --mode tcx t0", "unknown flag: --mode"},
	} {
		code, stdout, stderr := runCLI(strings.Fields(tt.line)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) || stdout != "" {
			t.Errorf("vlanraw %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.line, code, stdout, stderr, tt.want)
		}
	}
	if code, out, _ := runCLI("stats", "help"); code != exitOK || !strings.Contains(out, "vlanraw stats attach") {
		t.Errorf("stats help: exit %d, %q", code, out)
	}
}

// TestStatsHelpCoversEveryWord checks that the help names every command
// and option.
func TestStatsHelpCoversEveryWord(t *testing.T) {
	var b bytes.Buffer
	statsHelp(&b)
	words := []string{"ingress", "egress", "both", "auto", "tcx", "cls_bpf", "DEV"}
	for _, c := range statsCommands {
		words = append(words, c.kw.name)
	}
	for _, cmd := range []string{"attach", "show", "detach"} {
		statsFlags(&env{}, cmd, &statsOptions{}).VisitAll(func(f *pflag.Flag) {
			words = append(words, "--"+f.Name)
			if f.Shorthand != "" {
				words = append(words, "-"+f.Shorthand)
			}
		})
	}
	for _, c := range bpf.Classes() {
		words = append(words, c.String())
	}
	for _, w := range words {
		if !strings.Contains(b.String(), w) {
			t.Errorf("stats help does not mention %q", w)
		}
	}
}

// statsPair creates a named namespace holding the veth pair t0 and t1,
// both up, and returns its name and an open handle on it.
func statsPair(t *testing.T) (string, *netns.NS) {
	t.Helper()
	name := newNetNS(t)
	vrLine(t, name, "link add t0 up type veth peer name t1 up")
	ns, err := netns.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	return name, ns
}

// sendOnT0 sends n ARP requests and n frames tagged with VLAN 50 out of
// t0 in ns, through an AF_PACKET socket. They come in on t1.
func sendOnT0(t *testing.T, ns *netns.NS, n int) {
	t.Helper()
	arp := append(bytes.Repeat([]byte{0xff}, 6), 2, 0, 0, 0, 0, 1, 0x08, 0x06)
	arp = append(arp, 0, 1, 8, 0, 6, 4, 0, 1)
	arp = append(arp, make([]byte, 20)...)
	tagged := append([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}, 0x81, 0x00)
	tagged = binary.BigEndian.AppendUint16(tagged, 50)
	tagged = append(tagged, 0x88, 0xb5)
	tagged = append(tagged, make([]byte, 46)...)
	err := ns.Do(func() error {
		c, err := rtnl.Dial(nil)
		if err != nil {
			return err
		}
		l, err := c.GetLink("t0")
		c.Close()
		if err != nil {
			return err
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: int(l.Index)}); err != nil {
			return err
		}
		for range n {
			for _, f := range [][]byte{arp, tagged} {
				if _, err := unix.Write(fd, f); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("send on t0: %v", err)
	}
}

// showJSON runs `stats show -j` and decodes it.
func showJSON(t *testing.T, ns string, args ...string) []map[string]any {
	t.Helper()
	out := vr(t, ns, append([]string{"stats", "show", "-j"}, args...)...)
	var v []map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("stats show -j: %v\n%s", err, out)
	}
	return v
}

// packets reads hook.classes[class].packets, or hook.vlans[id].packets.
func packets(hook map[string]any, group, key string) float64 {
	g, _ := hook[group].(map[string]any)
	c, _ := g[key].(map[string]any)
	n, _ := c["packets"].(float64)
	return n
}

// devState is what the kernel says about a device's tc hooks, and what
// vlanraw pinned for its namespace.
type devState struct {
	Qdiscs, Ingress, Egress []rtnl.TCMessage
	Pins                    []string
}

func stateOfDev(t *testing.T, ns *netns.NS, dev string) devState {
	t.Helper()
	c, err := rtnl.Dial(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, err := c.GetLink(dev)
	if err != nil {
		t.Fatal(err)
	}
	var s devState
	if s.Qdiscs, err = c.ListQdiscs(l.Index); err != nil {
		t.Fatal(err)
	}
	if s.Ingress, err = c.ListFilters(l.Index, rtnl.ParentIngress); err != nil {
		t.Fatal(err)
	}
	if s.Egress, err = c.ListFilters(l.Index, rtnl.ParentEgress); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(ns.FD(), &st); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("/sys/fs/bpf/vlanraw", strconv.FormatUint(st.Ino, 10))
	filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			s.Pins = append(s.Pins, p)
		}
		return nil
	})
	return s
}

// TestStatsAttachShowDetach runs the whole cycle with both attach modes:
// attach both hooks of t0 and t1's ingress, send frames, show them as a
// table and as JSON, detach, and find the devices as they were.
func TestStatsAttachShowDetach(t *testing.T) {
	testenv.RequireRoot(t)
	for _, mode := range []string{"auto", "tcx", "cls_bpf"} {
		t.Run(mode, func(t *testing.T) {
			name, ns := statsPair(t)
			want := mode
			if mode == "auto" {
				want = "tcx"
				if !testenv.KernelAtLeast("6.6") {
					want = "cls_bpf"
				}
			}
			if mode == "tcx" && !testenv.KernelAtLeast("6.6") {
				code, _, stderr := runCLI("-n", name, "stats", "attach", "--mode", "tcx", "t0")
				if code != exitRuntime || !strings.Contains(stderr, "has no TCX") {
					t.Errorf("attach --mode tcx on %s: exit %d, %q; want exit 1 saying there is no TCX", testenv.KernelRelease(), code, stderr)
				}
				if !strings.Contains(stderr, "\nvlanraw: the running kernel lacks it") {
					t.Errorf("attach --mode tcx on %s: %q; want the hint for what the kernel lacks", testenv.KernelRelease(), stderr)
				}
				return
			}
			before0, before1 := stateOfDev(t, ns, "t0"), stateOfDev(t, ns, "t1")

			out := vr(t, name, "stats", "attach", "--mode", mode, "t0")
			if wantOut := "t0 ingress: attached with " + want + "\nt0 egress: attached with " + want + "\n"; out != wantOut {
				t.Errorf("attach printed %q, want %q", out, wantOut)
			}
			vr(t, "", "stats", "attach", "--netns", name, "--mode", mode, "t1", "ingress")
			if code, _, stderr := runCLI("-n", name, "stats", "attach", "t0", "egress"); code != exitRuntime || !strings.Contains(stderr, "already attached") {
				t.Errorf("second attach: exit %d, %q; want exit 1 saying they are already attached", code, stderr)
			}

			const n = 7
			sendOnT0(t, ns, n)
			deadline := time.Now().Add(20 * time.Second)
			for {
				hooks := showJSON(t, name, "t1")
				if len(hooks) != 1 || hooks[0]["direction"] != "ingress" || hooks[0]["mode"] != want {
					t.Fatalf("show -j t1: %v", hooks)
				}
				if packets(hooks[0], "classes", "arp-request") >= n && packets(hooks[0], "vlans", "50") >= n {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("t1 ingress never counted %d ARP requests and VLAN 50 frames: %v", n, hooks[0])
				}
				time.Sleep(20 * time.Millisecond)
			}
			all := showJSON(t, name)
			if len(all) != 3 {
				t.Errorf("show -j without a device: %d hooks, want 3", len(all))
			}
			eg := showJSON(t, name, "t0", "egress")
			if packets(eg[0], "classes", "vlan") < n || packets(eg[0], "classes", "arp-request") < n {
				t.Errorf("t0 egress: %v", eg[0])
			}
			table := vr(t, name, "stats", "show", "t0")
			for _, w := range []string{"t0 ingress (" + want + ")", "t0 egress (" + want + ")", "CLASS", "PACKETS", "BYTES", "arp-request", "vlan 50", "total"} {
				if !strings.Contains(table, w) {
					t.Errorf("stats show t0 does not say %q:\n%s", w, table)
				}
			}

			vr(t, name, "stats", "detach", "t0")
			vr(t, name, "stats", "detach", "t1")
			if code, _, stderr := runCLI("-n", name, "stats", "detach", "t1"); code != exitRuntime || !strings.Contains(stderr, "no counters attached") {
				t.Errorf("detach again: exit %d, %q; want exit 1 saying nothing is attached", code, stderr)
			}
			if code, _, stderr := runCLI("-n", name, "stats", "show", "t1"); code != exitRuntime || !strings.Contains(stderr, "no counters attached") {
				t.Errorf("show after detach: exit %d, %q; want exit 1 saying nothing is attached", code, stderr)
			}
			if diff := cmp.Diff(before0, stateOfDev(t, ns, "t0")); diff != "" {
				t.Errorf("t0 after detach (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(before1, stateOfDev(t, ns, "t1")); diff != "" {
				t.Errorf("t1 after detach (-before +after):\n%s", diff)
			}
		})
	}
}

// TestStatsRuntimeErrors checks that what the system refuses exits 1.
func TestStatsRuntimeErrors(t *testing.T) {
	name, _ := statsPair(t)
	for _, tt := range []struct {
		line string
		want string
	}{
		{"stats attach nope0", "no interface nope0"},
		{"stats show t0", "no counters attached to t0 ingress or egress"},
		{"stats detach t0 egress", "no counters attached to t0 egress"},
		{"stats show --netns " + name + "-nosuch t0", "cannot open network namespace"},
	} {
		code, _, stderr := runCLI(append([]string{"-n", name}, strings.Fields(tt.line)...)...)
		if code != exitRuntime || !strings.Contains(stderr, tt.want) {
			t.Errorf("vlanraw -n %s %s: exit %d, %q; want exit 1 and %q", name, tt.line, code, stderr, tt.want)
		}
	}
}

// TestStatsWatch runs `stats show --watch` as a process, waits for two
// redraws (each starts by clearing the terminal), interrupts it with
// SIGINT and expects it to exit 0.
func TestStatsWatch(t *testing.T) {
	name, _ := statsPair(t)
	vr(t, name, "stats", "attach", "t0", "egress")
	t.Cleanup(func() { runCLI("-n", name, "stats", "detach", "t0") })
	cmd := vlanrawBinary(t)("-n", name, "stats", "show", "--watch", "--interval", "100ms", "t0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	redraws := make(chan int, 10)
	var seen bytes.Buffer
	go func() {
		r := bufio.NewReader(out)
		n := 0
		for {
			line, err := r.ReadString('\n')
			seen.WriteString(line)
			if strings.Contains(line, clearScreen) {
				n++
				redraws <- n
			}
			if err != nil {
				close(redraws)
				io.Copy(io.Discard, r)
				return
			}
		}
	}()
	timeout := time.After(60 * time.Second)
	for n := 0; n < 2; {
		select {
		case n = <-redraws:
		case <-timeout:
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no two redraws in time; stderr %q", stderr.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGINT: %v; want exit 0 (stderr %q)", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("still running 30s after SIGINT")
	}
	for range redraws {
	}
	if s := seen.String(); !strings.Contains(s, "Every 100ms") || !strings.Contains(s, "t0 egress (") || !strings.Contains(s, "PACKETS/S") {
		t.Errorf("watch output lacks its header, table or rates:\n%s", s)
	}
}

// TestStatsKilledAttach kills `vlanraw stats attach` (SIGKILL) at
// moments spread over how long an attach takes, then runs `vlanraw stats
// detach` and checks that the device and the BPF file system are as
// before. (package bpf's TestKilledMidAttach stops the attach after each
// of its steps; here the kills land wherever they land.)
func TestStatsKilledAttach(t *testing.T) {
	name, ns := statsPair(t)
	vlanraw := vlanrawBinary(t)
	before := stateOfDev(t, ns, "t0")

	// How long a whole attach of both hooks takes, process start
	// included.
	start := time.Now()
	if out, err := vlanraw("-n", name, "stats", "attach", "--mode", "cls_bpf", "t0").CombinedOutput(); err != nil {
		t.Fatalf("attach: %v\n%s", err, out)
	}
	full := time.Since(start)
	vr(t, name, "stats", "detach", "t0")
	t.Logf("a whole attach takes %v", full)

	const kills = 10
	stopped := 0
	for i := range kills {
		for _, mode := range []string{"cls_bpf", "auto"} {
			cmd := vlanraw("-n", name, "stats", "attach", "--mode", mode, "t0")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(full * time.Duration(i) / kills) // when to kill, not a wait for a condition
			cmd.Process.Kill()
			err := cmd.Wait()
			var ee *exec.ExitError
			if errors.As(err, &ee) && !ee.Exited() {
				stopped++
			}
			code, _, stderr := runCLI("-n", name, "stats", "detach", "t0")
			if code != exitOK && !strings.Contains(stderr, "no counters attached") {
				t.Fatalf("detach after a kill at %d/%d: exit %d: %s", i, kills, code, stderr)
			}
			if diff := cmp.Diff(before, stateOfDev(t, ns, "t0")); diff != "" {
				t.Fatalf("t0 after a kill at %d/%d of an attach (%s) and detach (-before +after):\n%s", i, kills, mode, diff)
			}
		}
	}
	t.Logf("%d of %d attaches were killed before they finished", stopped, 2*kills)
	if stopped == 0 {
		t.Error("no attach was killed before it finished: the test tested nothing")
	}
}
