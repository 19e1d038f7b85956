package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/bpf"
	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
	"github.com/vlanraw/vlanraw/modes"
	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/rtnl"
)

// Exit codes.
const (
	exitOK      = 0
	exitRuntime = 1 // the kernel, or the system, said no
	exitUsage   = 2 // bad words or invalid values
)

// usageError is a mistake in the command line.
type usageError struct {
	msg string
	// help names the help topic to point at, such as "link".
	help string
}

// Error implements error.
func (e *usageError) Error() string { return e.msg }

// usagef returns a usage error.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// withHelp points a usage error at a help topic.
func withHelp(err error, topic string) error {
	var ue *usageError
	if errors.As(err, &ue) && ue.help == "" {
		ue.help = topic
	}
	return err
}

// exitCode maps an error to the exit status: usage mistakes and
// validation errors are 2, everything else 1.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.Is(err, errdefs.ErrInvalid):
		return exitUsage
	}
	return exitRuntime
}

// message renders err for stderr, with a hint on what to do; topic is the
// object the command was for, or "".
func message(err error, topic string) string {
	s := "vlanraw: " + err.Error()
	if h := hint(err, topic); h != "" {
		s += "\n" + "vlanraw: " + h
	}
	return s
}

// effectiveCaps returns the process's effective capabilities, one bit a
// capability (1<<unix.CAP_NET_ADMIN...); tests replace it.
var effectiveCaps = func() (uint64, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, err
	}
	return uint64(data[0].Effective) | uint64(data[1].Effective)<<32, nil
}

// geteuid is os.Geteuid; tests replace it.
var geteuid = os.Geteuid

// permissionHint suggests what to do about a permission error, from what
// the process lacks: root and CAP_NET_ADMIN, CAP_NET_ADMIN alone, or
// CAP_SYS_ADMIN and CAP_SYS_PTRACE, which entering another network
// namespace and opening another process's take. It never says to run as
// root to root. With all of them, the refusal came from elsewhere and it
// says so.
func permissionHint() string {
	caps, err := effectiveCaps()
	if err != nil {
		if geteuid() != 0 {
			return "run vlanraw as root (it needs CAP_NET_ADMIN)"
		}
		return ""
	}
	has := func(c int) bool { return caps&(1<<c) != 0 }
	switch {
	case !has(unix.CAP_NET_ADMIN) && geteuid() != 0:
		return "run vlanraw as root (it needs CAP_NET_ADMIN)"
	case !has(unix.CAP_NET_ADMIN):
		return "vlanraw runs as root but without CAP_NET_ADMIN, which it needs: give the process that capability"
	}
	var lacks []string
	if !has(unix.CAP_SYS_ADMIN) {
		lacks = append(lacks, "CAP_SYS_ADMIN, which entering another network namespace needs")
	}
	if !has(unix.CAP_SYS_PTRACE) {
		lacks = append(lacks, "CAP_SYS_PTRACE, which opening the namespace of another user's or more privileged process needs")
	}
	if len(lacks) > 0 {
		return "vlanraw has CAP_NET_ADMIN but not " + strings.Join(lacks, ", nor ")
	}
	return "vlanraw has CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_SYS_PTRACE: the refusal comes from elsewhere, such as a security module (SELinux, AppArmor, seccomp) or the file's permissions"
}

// hint suggests what to do about err, a failure of a command for topic
// (or ""), or returns "".
func hint(err error, topic string) string {
	var ue *usageError
	var oe *rtnl.OpError
	var we *modes.ParentWaitError
	var ke *links.KernelError
	var le *bpf.LoadError
	var kn *rtnl.KindNotSupportedError
	switch {
	case errors.As(err, &ue):
		if ue.help != "" {
			return fmt.Sprintf("see \"vlanraw help %s\"", ue.help)
		}
		return `see "vlanraw help"`
	case strings.HasSuffix(err.Error(), netns.Forms):
		// A word that names no namespace: the message says what to give,
		// the same for every command.
		return ""
	case errors.Is(err, errdefs.ErrInvalid) && topic != "":
		return fmt.Sprintf("see \"vlanraw help %s\"", topic)
	case errors.Is(err, errdefs.ErrInvalid):
		return `see "vlanraw help link"`
	case errors.As(err, &we):
		return `check the parent's name with "vlanraw link show", wait longer with --wait-parent, or remove the network`
	case errors.Is(err, modes.ErrNotFound):
		return `see "vlanraw network ls", and "vlanraw network inspect NETWORK" for its endpoints`
	case errors.As(err, &ke):
		return fmt.Sprintf("leave %s out, or use Linux %s or later", strings.TrimPrefix(ke.Setting, "macvlan "), ke.Since)
	case errors.As(err, &le) && le.Memlock != nil:
		// Not a lack of privilege: the limit is too low, and vlanraw
		// could not raise it.
		return "this kernel charges eBPF maps to RLIMIT_MEMLOCK (Linux before 5.11): raise the limit (ulimit -l unlimited, or LimitMEMLOCK=infinity in a systemd unit), or give vlanraw CAP_SYS_RESOURCE so that it raises it itself"
	case errors.As(err, &kn):
		return "use a kernel with that link kind, or another kind"
	case errors.Is(err, errdefs.ErrNotSupported):
		// Such as counters on a kernel without TCX or cls_bpf: the
		// message says what it lacks, and what else to use.
		return "the running kernel lacks it: use a kernel that has it, or what the message suggests instead"
	case errors.Is(err, unix.EPERM), errors.Is(err, os.ErrPermission):
		return permissionHint()
	case errors.Is(err, unix.EEXIST):
		return "choose another name, or delete the existing one first"
	case errors.Is(err, unix.ENODEV):
		return `check the name with "vlanraw link show" (and -n NETNS for another namespace)`
	case errors.As(err, &oe) && oe.Message == "":
		return "the kernel gave no reason; check the parent link, the mode and the values"
	}
	return ""
}
