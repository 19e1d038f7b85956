package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/rtnl"
)

// TestPermissionHint: the hint after a permission error follows what the
// process lacks, and never tells root to run as root.
func TestPermissionHint(t *testing.T) {
	all := uint64(1)<<(unix.CAP_LAST_CAP+1) - 1
	without := func(caps ...int) uint64 {
		c := all
		for _, x := range caps {
			c &^= 1 << x
		}
		return c
	}
	for _, tt := range []struct {
		name    string
		euid    int
		caps    uint64
		capsErr error
		want    string // "" for no hint
	}{
		{"user without capabilities", 1000, 0, nil, "run vlanraw as root (it needs CAP_NET_ADMIN)"},
		{"user, capget failing", 1000, 0, unix.EINVAL, "run vlanraw as root (it needs CAP_NET_ADMIN)"},
		{"root without CAP_NET_ADMIN", 0, without(unix.CAP_NET_ADMIN), nil,
			"vlanraw runs as root but without CAP_NET_ADMIN, which it needs: give the process that capability"},
		{"root without CAP_SYS_ADMIN", 0, without(unix.CAP_SYS_ADMIN), nil,
			"vlanraw has CAP_NET_ADMIN but not CAP_SYS_ADMIN, which entering another network namespace needs"},
		{"root without CAP_SYS_PTRACE", 0, without(unix.CAP_SYS_PTRACE), nil,
			"vlanraw has CAP_NET_ADMIN but not CAP_SYS_PTRACE, which opening the namespace of another user's or more privileged process needs"},
		{"root without either", 0, without(unix.CAP_SYS_ADMIN, unix.CAP_SYS_PTRACE), nil,
			"vlanraw has CAP_NET_ADMIN but not CAP_SYS_ADMIN, which entering another network namespace needs, nor CAP_SYS_PTRACE, which opening the namespace of another user's or more privileged process needs"},
		{"user with CAP_NET_ADMIN and no more", 1000, 1 << unix.CAP_NET_ADMIN, nil,
			"vlanraw has CAP_NET_ADMIN but not CAP_SYS_ADMIN"},
		{"root with everything", 0, all, nil,
			"vlanraw has CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_SYS_PTRACE: the refusal comes from elsewhere, such as a security module (SELinux, AppArmor, seccomp) or the file's permissions"},
		{"root, capget failing", 0, 0, unix.EINVAL, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			oldCaps, oldEuid := effectiveCaps, geteuid
			defer func() { effectiveCaps, geteuid = oldCaps, oldEuid }()
			effectiveCaps = func() (uint64, error) { return tt.caps, tt.capsErr }
			geteuid = func() int { return tt.euid }
			for _, err := range []error{
				fmt.Errorf("dial rtnetlink: setns: %w", unix.EPERM),
				fmt.Errorf("open: %w", unix.EACCES),
				&os.PathError{Op: "open", Path: "/proc/1/ns/net", Err: unix.EACCES},
			} {
				msg := message(err, "")
				if tt.want == "" {
					if msg != "vlanraw: "+err.Error() {
						t.Errorf("message(%v) = %q, want no hint", err, msg)
					}
					continue
				}
				if !strings.HasPrefix(msg, "vlanraw: "+err.Error()+"\nvlanraw: "+tt.want) {
					t.Errorf("message(%v) =\n%s\nwant the hint %q", err, msg, tt.want)
				}
				if tt.euid == 0 && strings.Contains(msg, "run vlanraw as root") {
					t.Errorf("message(%v) tells root to run as root: %q", err, msg)
				}
			}
		})
	}
}

// TestPermissionHintReal: the process's own capabilities are read; as
// root with CAP_NET_ADMIN (as the tests run), no hint says to run as root.
func TestPermissionHintReal(t *testing.T) {
	caps, err := effectiveCaps()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 || caps&(1<<unix.CAP_NET_ADMIN) == 0 {
		t.Skip("needs root with CAP_NET_ADMIN")
	}
	if msg := message(fmt.Errorf("x: %w", unix.EPERM), ""); strings.Contains(msg, "run vlanraw as root") {
		t.Errorf("root with CAP_NET_ADMIN is told %q", msg)
	}
}

// TestKernelLimitHints: a setting the kernel lacks, and an eBPF load
// refused because RLIMIT_MEMLOCK could not be raised, get hints about
// the kernel, not about privileges, whoever runs vlanraw.
func TestKernelLimitHints(t *testing.T) {
	memlock := &bpf.HookError{Op: "attach counters to", Ifname: "eth0", Direction: bpf.Ingress, Err: &bpf.LoadError{
		Err:     fmt.Errorf("map vlans: map create: %w (MEMLOCK may be too low, consider rlimit.RemoveMemlock)", unix.EPERM),
		Memlock: errors.New("failed to set memlock rlimit: operation not permitted"),
	}}
	denied := &bpf.HookError{Op: "attach counters to", Ifname: "eth0", Direction: bpf.Ingress, Err: &bpf.LoadError{
		Err: fmt.Errorf("map vlans: map create: %w", unix.EPERM),
	}}
	kernel := &links.KernelError{Setting: "macvlan bcqueuelen", Attr: "IFLA_MACVLAN_BC_QUEUE_LEN", Since: "5.11", Release: "5.10.0-43-cloud-amd64"}
	// As bpf.Attach reports ModeTCX before Linux 6.6, and rtnl a link
	// kind the kernel was built without.
	noTCX := &bpf.HookError{Op: "attach counters to", Ifname: "eth0", Direction: bpf.Ingress, Err: &bpf.NotSupportedError{
		Lacks: "no TCX, the bpf_link tc attach of Linux 6.6 and later", Hint: "use mode cls_bpf or auto", Err: unix.EINVAL,
	}}
	noKind := fmt.Errorf("create ipvlan: %w", &rtnl.KindNotSupportedError{Kind: "ipvlan", Config: "CONFIG_IPVLAN",
		Err: &rtnl.OpError{Op: "create link", Name: "v0", Err: unix.EOPNOTSUPP, Message: "Unknown device type"}})
	for _, tt := range []struct {
		name     string
		err      error
		euid     int
		want     string
		wantCode int
	}{
		{"bcqueuelen on 5.10", kernel, 0, "leave bcqueuelen out, or use Linux 5.11 or later", exitRuntime},
		{"memlock as root", memlock, 0, "this kernel charges eBPF maps to RLIMIT_MEMLOCK (Linux before 5.11): raise the limit", exitRuntime},
		{"memlock as a user", memlock, 1000, "this kernel charges eBPF maps to RLIMIT_MEMLOCK (Linux before 5.11): raise the limit", exitRuntime},
		{"denied as a user", denied, 1000, "run vlanraw as root (it needs CAP_NET_ADMIN)", exitRuntime},
		{"no TCX", noTCX, 0, "the running kernel lacks it: use a kernel that has it", exitRuntime},
		{"no TCX as a user", noTCX, 1000, "the running kernel lacks it: use a kernel that has it", exitRuntime},
		{"no ipvlan", noKind, 0, "use a kernel with that link kind, or another kind", exitRuntime},
	} {
		t.Run(tt.name, func(t *testing.T) {
			oldCaps, oldEuid := effectiveCaps, geteuid
			defer func() { effectiveCaps, geteuid = oldCaps, oldEuid }()
			effectiveCaps = func() (uint64, error) {
				if tt.euid == 0 {
					return 1<<(unix.CAP_LAST_CAP+1) - 1, nil
				}
				return 0, nil
			}
			geteuid = func() int { return tt.euid }
			msg := message(tt.err, "")
			if !strings.Contains(msg, "\nvlanraw: "+tt.want) {
				t.Errorf("message:\n%s\nwant the hint %q", msg, tt.want)
			}
			if tt.want != "run vlanraw as root (it needs CAP_NET_ADMIN)" && strings.Contains(msg, "as root") {
				t.Errorf("message blames privileges:\n%s", msg)
			}
			if got := exitCode(tt.err); got != tt.wantCode {
				t.Errorf("exit code %d, want %d", got, tt.wantCode)
			}
		})
	}
}
