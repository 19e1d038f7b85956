package bpf_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// helperMemlockEnv selects, in the memlock helper, whether it gives up
// CAP_SYS_RESOURCE ("nocap") before attaching.
const helperMemlockEnv = "VLANRAW_BPF_TEST_MEMLOCK"

// defaultMemlock is RLIMIT_MEMLOCK's default before Linux 5.16: 64 KiB,
// too small for the classifier's maps on a kernel that charges them to
// it.
const defaultMemlock = 64 << 10

// helperMemlock lowers RLIMIT_MEMLOCK to the old default, optionally
// drops CAP_SYS_RESOURCE (which raising it takes), and attaches
// counters to t0's ingress with cls_bpf. It prints "attached", or the
// error after "error: ".
func helperMemlock() int {
	// The capability is dropped on this thread only: Attach's load runs
	// on it, and so does raising the limit.
	runtime.LockOSThread()
	lim := unix.Rlimit{Cur: defaultMemlock, Max: defaultMemlock}
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &lim); err != nil {
		fmt.Printf("error: lower RLIMIT_MEMLOCK: %v\n", err)
		return 1
	}
	if os.Getenv(helperMemlockEnv) == "nocap" {
		if err := dropEffectiveCap(unix.CAP_SYS_RESOURCE); err != nil {
			fmt.Printf("error: drop CAP_SYS_RESOURCE: %v\n", err)
			return 1
		}
	}
	ns, err := netns.Open(os.Getenv(helperNetNS))
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return 1
	}
	h, err := bpf.Attach(bpf.AttachOptions{NetNS: ns, Ifname: "t0", Direction: bpf.Ingress, Mode: bpf.ModeClsBPF})
	if err != nil {
		var le *bpf.LoadError
		fmt.Printf("error: memlock=%t eperm=%t: %v\n", errors.As(err, &le) && le.Memlock != nil, errors.Is(err, unix.EPERM), err)
		return 0
	}
	defer h.Detach()
	fmt.Println("attached")
	return 0
}

// dropEffectiveCap removes a capability from the calling thread's
// effective set.
func dropEffectiveCap(c int) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	data[c/32].Effective &^= 1 << (c % 32)
	return unix.Capset(&hdr, &data[0])
}

// TestAttachUnderLowMemlock attaches counters in a process whose
// RLIMIT_MEMLOCK is the 64 KiB that kernels before 5.11 charge eBPF maps
// against (and that was the default until 5.16). As root, Attach raises
// the limit itself and succeeds on every kernel. Without
// CAP_SYS_RESOURCE it cannot: on a kernel before 5.11 the load fails,
// and the error says that the limit, not a lack of privilege, is why;
// from 5.11 on the limit plays no part and the attach succeeds.
func TestAttachUnderLowMemlock(t *testing.T) {
	testenv.RequireRoot(t)
	charged := !testenv.KernelAtLeast("5.11")
	for _, tt := range []struct {
		name    string
		mode    string
		wantErr bool
	}{
		{"root", "", false},
		{"without CAP_SYS_RESOURCE", "nocap", charged},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=memlock", helperMemlockEnv+"="+tt.mode, helperNetNS+"="+p.aName)
			out, err := cmd.CombinedOutput()
			got := strings.TrimSpace(string(out))
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, got)
			}
			t.Logf("kernel %s (charges eBPF maps to RLIMIT_MEMLOCK: %t): %s", testenv.KernelRelease(), charged, got)
			if !tt.wantErr {
				if got != "attached" {
					t.Errorf("got %q, want the attach to succeed", got)
				}
				return
			}
			if !strings.HasPrefix(got, "error: memlock=true eperm=true: ") || !strings.Contains(got, "RLIMIT_MEMLOCK") {
				t.Errorf("got %q, want a load error that names RLIMIT_MEMLOCK and why it could not be raised", got)
			}
		})
	}
}
