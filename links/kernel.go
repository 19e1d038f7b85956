package links

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"

	"github.com/jsimonetti/rtnetlink/v2"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/rtnl"
)

// KernelError reports a setting that the running kernel does not have. It
// matches errdefs.ErrNotSupported. vlanraw refuses such settings before
// sending anything: the kernels concerned ignore an attribute above their
// IFLA_MACVLAN_MAX without a word, so the request would succeed and the
// setting silently be lost.
type KernelError struct {
	// Setting is what was asked for, as vlanraw's words name it, such
	// as "macvlan bcqueuelen".
	Setting string
	// Attr is the netlink attribute that carries it.
	Attr string
	// Since is the first Linux version that has it, such as "5.11".
	Since string
	// Release is the running kernel's, as uname -r prints it.
	Release string
}

// Error implements error.
func (e *KernelError) Error() string {
	return fmt.Sprintf("kernel %s lacks %s (%s, Linux %s and later), and would ignore it", e.Release, e.Setting, e.Attr, e.Since)
}

// Is reports whether target is errdefs.ErrNotSupported.
func (e *KernelError) Is(target error) bool { return target == errdefs.ErrNotSupported }

// macvlanSettings are the macvlan settings that arrived after Linux 5.10,
// the oldest kernel vlanraw is tested on, which kernels before them
// ignore. (nodst, MACVLAN_FLAG_NODST of 5.13, is not among them: an older
// kernel refuses it with EINVAL, and Debian's 5.10.251 has it.)
var macvlanSettings = []struct {
	setting, attr, since string
	used                 func(d *rtnl.MACVlan) bool
}{
	{"macvlan bcqueuelen", "IFLA_MACVLAN_BC_QUEUE_LEN", "5.11", func(d *rtnl.MACVlan) bool { return d.BCQueueLen != nil }},
	{"macvlan bclim", "IFLA_MACVLAN_BC_CUTOFF", "6.4", func(d *rtnl.MACVlan) bool { return d.BCCutoff != nil }},
}

// CheckKernel refuses s, with a *KernelError, when the running kernel
// would make it without some of its settings, as Create and Set do before
// they send anything: callers that create s later can refuse it now.
func CheckKernel(s Spec) error {
	d, err := s.data()
	if err != nil || d == nil {
		return err
	}
	return checkKernel(d)
}

// checkKernel refuses kind data that the running kernel would ignore.
func checkKernel(d rtnetlink.LinkDriver) error {
	m := macvlanData(d)
	if m == nil {
		return nil
	}
	rel := kernelRelease()
	for _, s := range macvlanSettings {
		if s.used(m) && !kernelAtLeast(rel, s.since) {
			return &KernelError{Setting: s.setting, Attr: s.attr, Since: s.since, Release: rel}
		}
	}
	return nil
}

// kernelRelease returns uname -r; tests replace it.
var kernelRelease = sync.OnceValue(func() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
})

// releaseRE matches the version at the start of a kernel release, such as
// "5.10" in "5.10.0-43-cloud-amd64".
var releaseRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)\.(\d+)`) })

// kernelAtLeast reports whether release is version ("6.4") or newer. A
// release that cannot be parsed counts as new enough: the kernel then
// decides.
func kernelAtLeast(release, version string) bool {
	parse := func(s string) (int, int, bool) {
		m := releaseRE().FindStringSubmatch(s)
		if m == nil {
			return 0, 0, false
		}
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		return major, minor, true
	}
	hm, hn, ok := parse(release)
	if !ok {
		return true
	}
	wm, wn, _ := parse(version)
	return hm > wm || hm == wm && hn >= wn
}
