package bpf_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// The helper process: the test binary, started with helperEnv set, runs
// a pinned Attach of t0's egress in the namespace helperNetNS names, with
// helperMode, and stops for good after step helperStop (see attachStep),
// printing "stopped STEP", for the test to kill it there.
const (
	helperEnv   = "VLANRAW_BPF_TEST_HELPER"
	helperStop  = "VLANRAW_BPF_TEST_STOP"
	helperNetNS = "VLANRAW_BPF_TEST_NETNS"
	helperMode  = "VLANRAW_BPF_TEST_MODE"
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "1":
		os.Exit(helperAttach())
	case "mount":
		os.Exit(helperMount())
	case "memlock":
		os.Exit(helperMemlock())
	}
	os.Exit(m.Run())
}

func helperAttach() int {
	stop := os.Getenv(helperStop)
	bpf.SetAttachStep(func(step string) {
		if step == stop {
			fmt.Println("stopped " + step)
			time.Sleep(time.Hour)
		}
	})
	ns, err := netns.Open(os.Getenv(helperNetNS))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	mode, err := bpf.ParseMode(os.Getenv(helperMode))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := bpf.Attach(bpf.AttachOptions{NetNS: ns, Ifname: "t0", Direction: bpf.Egress, Mode: mode, Pin: true}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("stopped attached")
	time.Sleep(time.Hour)
	return 0
}

// TestKilledMidAttach kills (SIGKILL) a process in the middle of a
// pinned Attach, after each of its steps, and checks that OpenPinned and
// Detach afterwards leave the device's qdiscs and filters, and the BPF
// file system, as they were before: the record is written before
// anything is attached, the clsact mark before the qdisc, every pin
// before the next step.
func TestKilledMidAttach(t *testing.T) {
	testenv.RequireRoot(t)
	steps := []struct {
		mode bpf.Mode
		step string
		// attached is whether the kernel shows something attached
		// while the helper is stopped there.
		attached bool
	}{
		{bpf.ModeClsBPF, "nsdir", false},
		{bpf.ModeClsBPF, "temp", false},
		{bpf.ModeClsBPF, "dir", false},
		{bpf.ModeClsBPF, "pinned", false},
		{bpf.ModeClsBPF, "marked", false},
		{bpf.ModeClsBPF, "qdisc", true},
		{bpf.ModeClsBPF, "filter", true},
		{bpf.ModeClsBPF, "attached", true},
	}
	if testenv.KernelAtLeast("6.6") {
		steps = append(steps, []struct {
			mode     bpf.Mode
			step     string
			attached bool
		}{
			{bpf.ModeTCX, "pinned", false},
			{bpf.ModeTCX, "tcx", true}, // the link is not pinned yet: it dies with the process
			{bpf.ModeTCX, "link", true},
			{bpf.ModeTCX, "attached", true},
		}...)
	}
	for _, s := range steps {
		t.Run(s.mode.String()+"/"+s.step, func(t *testing.T) {
			p := newPair(t)
			before := stateOf(t, p.a, p.aName, "t0")

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=1", helperStop+"="+s.step, helperNetNS+"="+p.aName, helperMode+"="+s.mode.String())
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line := make(chan string, 1)
			go func() {
				sc := bufio.NewScanner(out)
				sc.Scan()
				line <- sc.Text()
			}()
			select {
			case l := <-line:
				if l != "stopped "+s.step {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("helper said %q, want %q; stderr: %s", l, "stopped "+s.step, stderr.String())
				}
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper did not reach %s; stderr: %s", s.step, stderr.String())
			}
			mid := stateOf(t, p.a, p.aName, "t0")
			if changed := !cmp.Equal(before, mid); changed != s.attached {
				t.Errorf("stopped after %s: device changed %v, want %v", s.step, changed, s.attached)
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()

			h, err := bpf.OpenPinned(p.a, "t0", bpf.Egress)
			switch {
			case s.step == "nsdir" || s.step == "temp":
				if !errors.Is(err, bpf.ErrNotAttached) {
					t.Errorf("OpenPinned after a kill before the hook's directory existed: %v; want ErrNotAttached", err)
				}
			case err != nil:
				t.Fatalf("OpenPinned after a kill at %s: %v", s.step, err)
			default:
				if err := h.Detach(); err != nil {
					t.Fatalf("Detach after a kill at %s: %v", s.step, err)
				}
			}
			if diff := cmp.Diff(before, stateOf(t, p.a, p.aName, "t0")); diff != "" {
				t.Errorf("device after kill at %s and detach (-before +after):\n%s", s.step, diff)
			}
			if pins := pinsOf(t, p.a); len(pins) != 0 {
				t.Errorf("pins left after kill at %s and detach: %v", s.step, pins)
			}
		})
	}
}
