package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
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
