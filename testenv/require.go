package testenv

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/rtnl"
)

// KernelRelease returns the release of the running kernel, as uname -r
// prints it, or "unknown".
func KernelRelease() string {
	return unameRelease()
}

var unameRelease = sync.OnceValue(func() string {
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(uts.Release[:])
})

// kernelLogged holds the tests that have logged the kernel release.
var kernelLogged sync.Map // testing.TB -> struct{}

// logKernelOnce logs the kernel release once per test, so that the output
// of every test that uses a Require helper names the kernel its result
// came from.
func logKernelOnce(tb testing.TB) {
	tb.Helper()
	if _, done := kernelLogged.LoadOrStore(tb, struct{}{}); done {
		return
	}
	tb.Cleanup(func() { kernelLogged.Delete(tb) })
	tb.Logf("kernel %s", KernelRelease())
}

// RequireRoot skips the test unless it runs with effective user ID 0.
func RequireRoot(tb testing.TB) {
	tb.Helper()
	logKernelOnce(tb)
	if euid := os.Geteuid(); euid != 0 {
		tb.Skipf("needs root (euid is %d)", euid)
	}
}

// RequireKernel skips the test when the running kernel is older than
// minVersion (such as "6.4"), which the feature needs. A release that
// cannot be parsed does not skip.
func RequireKernel(tb testing.TB, minVersion, feature string) {
	tb.Helper()
	logKernelOnce(tb)
	want, ok := parseKernelVersion(minVersion)
	if !ok {
		tb.Fatalf("RequireKernel: invalid version %q", minVersion)
	}
	rel := KernelRelease()
	have, ok := parseKernelVersion(rel)
	if !ok {
		tb.Logf("cannot parse kernel release %q; assuming it has %s", rel, feature)
		return
	}
	if compareKernelVersions(have, want) < 0 {
		tb.Skipf("%s needs kernel %s or newer; running %s", feature, minVersion, rel)
	}
}

// KernelAtLeast reports whether the running kernel is minVersion (such as
// "6.4") or newer. A release that cannot be parsed counts as new enough,
// as in RequireKernel; an invalid minVersion panics.
func KernelAtLeast(minVersion string) bool {
	want, ok := parseKernelVersion(minVersion)
	if !ok {
		panic(fmt.Sprintf("testenv.KernelAtLeast: invalid version %q", minVersion))
	}
	have, ok := parseKernelVersion(KernelRelease())
	return !ok || compareKernelVersions(have, want) >= 0
}

// kernelVersionRE matches the numeric start of a release such as
// "6.12.117+deb12-cloud-amd64" or "6.1.0-42-cloud-amd64".
var kernelVersionRE = regexp.MustCompile(`^(\d+)(?:\.(\d+))?(?:\.(\d+))?`)

// parseKernelVersion returns major, minor and patch of a kernel release;
// missing parts are zero.
func parseKernelVersion(s string) ([3]int, bool) {
	var v [3]int
	m := kernelVersionRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return v, false
	}
	for i, part := range m[1:] {
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

// compareKernelVersions returns -1, 0 or +1 as a is older than, the same
// as or newer than b.
func compareKernelVersions(a, b [3]int) int {
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}

// harnessKinds parses VLANRAW_TESTENV_KINDS, the comma-separated link kinds
// that the test harness (vmtest) loaded the modules for.
func harnessKinds(s string) map[string]bool {
	kinds := make(map[string]bool)
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			kinds[k] = true
		}
	}
	return kinds
}

// RequireKind skips the test when the running kernel cannot create links
// of kind (such as "ipvlan", "vlan" or "dummy"). The probe runs in a
// throwaway network namespace and needs root. Inside vmtest, a kind that
// the harness reported in VLANRAW_TESTENV_KINDS but that the kernel lacks
// fails the test instead: a broken harness must not turn into skips.
func RequireKind(tb testing.TB, kind string) {
	tb.Helper()
	logKernelOnce(tb)
	promised := harnessKinds(os.Getenv("VLANRAW_TESTENV_KINDS"))[kind]
	option := rtnl.KindConfig(kind)
	if option == "" {
		option = "the kernel option for it"
	}
	if euid := os.Geteuid(); euid != 0 {
		if promised {
			tb.Fatalf("link kind %s: harness says it is available, but probing needs root (euid is %d)", kind, euid)
		}
		tb.Skipf("probing link kind %s needs root (euid is %d)", kind, euid)
	}
	ok, err := probeKindCached(kind)
	switch {
	case err != nil && promised:
		tb.Fatalf("link kind %s: harness says it is available, but the probe failed: %v", kind, err)
	case err != nil:
		tb.Skipf("link kind %s: cannot probe: %v", kind, err)
	case !ok && promised:
		tb.Fatalf("link kind %s: harness says it is available (VLANRAW_TESTENV_KINDS=%s), but kernel %s does not know it (%s)",
			kind, os.Getenv("VLANRAW_TESTENV_KINDS"), KernelRelease(), option)
	case !ok:
		tb.Skipf("kernel %s lacks link kind %s (%s)", KernelRelease(), kind, option)
	}
}

// probedKinds caches probe results: what a kernel supports does not change
// while a test binary runs.
var probedKinds sync.Map // kind -> kindProbe

type kindProbe struct {
	ok  bool
	err error
}

func probeKindCached(kind string) (bool, error) {
	if p, found := probedKinds.Load(kind); found {
		return p.(kindProbe).ok, p.(kindProbe).err
	}
	ok, err := probeLinkKind(kind)
	probedKinds.Store(kind, kindProbe{ok, err})
	return ok, err
}

// probeLinkKind asks the kernel to create a link of kind, without a parent,
// in a new network namespace of a thread that exits afterwards. "Unknown
// device type" (EOPNOTSUPP) means the kind is missing; success or any
// other refusal (EINVAL for a missing parent, say) means it is there.
func probeLinkKind(kind string) (bool, error) {
	done := make(chan kindProbe, 1)
	go func() {
		// Never unlocked: the thread, in its own namespace, ends with
		// this goroutine.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			done <- kindProbe{err: fmt.Errorf("unshare network namespace: %w", err)}
			return
		}
		ok, err := probeLinkKindHere(kind)
		done <- kindProbe{ok, err}
	}()
	p := <-done
	return p.ok, p.err
}

// probeLinkKindHere sends the probe in the calling thread's namespace.
func probeLinkKindHere(kind string) (bool, error) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		return false, fmt.Errorf("netlink: %w", err)
	}
	defer c.Close()
	ae := netlink.NewAttributeEncoder()
	ae.String(unix.IFLA_IFNAME, "vrprobe0")
	ae.Nested(unix.IFLA_LINKINFO, func(nae *netlink.AttributeEncoder) error {
		nae.String(unix.IFLA_INFO_KIND, kind)
		return nil
	})
	attrs, err := ae.Encode()
	if err != nil {
		return false, fmt.Errorf("netlink: %w", err)
	}
	ifinfo := make([]byte, unix.SizeofIfInfomsg) // AF_UNSPEC, no index, no flags
	_, err = c.Execute(netlink.Message{
		Header: netlink.Header{
			Type:  unix.RTM_NEWLINK,
			Flags: netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl,
		},
		Data: append(ifinfo, attrs...),
	})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.EOPNOTSUPP):
		return false, nil
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		return false, fmt.Errorf("RTM_NEWLINK %s: %w", kind, err)
	default:
		return true, nil
	}
}
