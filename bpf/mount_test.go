package bpf_test

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// helperMount runs in a mount namespace of its own: it hides the BPF
// file system under a tmpfs, attaches pinned counters, and checks that
// Attach mounted a BPF file system on /sys/fs/bpf, then detaches them.
func helperMount() int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
		return 1
	}
	if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		return fail("make / private: %v", err)
	}
	if err := unix.Mount("tmpfs", "/sys/fs/bpf", "tmpfs", 0, ""); err != nil {
		return fail("hide the BPF file system: %v", err)
	}
	ns, err := netns.Open(os.Getenv(helperNetNS))
	if err != nil {
		return fail("%v", err)
	}
	h, err := bpf.Attach(bpf.AttachOptions{NetNS: ns, Ifname: "t0", Direction: bpf.Ingress, Pin: true})
	if err != nil {
		return fail("%v", err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/bpf/vlanraw", &st); err != nil || st.Type != unix.BPF_FS_MAGIC {
		h.Detach()
		return fail("after a pinned Attach, /sys/fs/bpf/vlanraw is on file system %#x (%v), not bpffs", st.Type, err)
	}
	if err := h.Detach(); err != nil {
		return fail("%v", err)
	}
	return 0
}

// TestMountsBPFFS checks that a pinned Attach mounts the BPF file system
// where none is, in a helper process with a mount namespace of its own
// (so the host's mounts stay as they are).
func TestMountsBPFFS(t *testing.T) {
	testenv.RequireRoot(t)
	p := newPair(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=mount", helperNetNS+"="+p.aName)
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
}
