package testenv

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/rtnl"
)

func TestParseKernelVersion(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want [3]int
		ok   bool
	}{
		{"6.12.117+deb12-cloud-amd64", [3]int{6, 12, 117}, true},
		{"6.1.0-42-cloud-amd64", [3]int{6, 1, 0}, true},
		{"6.18.0", [3]int{6, 18, 0}, true},
		{"6.4", [3]int{6, 4, 0}, true},
		{"5", [3]int{5, 0, 0}, true},
		{"4.19.0-rc3", [3]int{4, 19, 0}, true},
		{" 6.6.30\n", [3]int{6, 6, 30}, true},
		{"", [3]int{}, false},
		{"unknown", [3]int{}, false},
		{"v6.1", [3]int{}, false},
	} {
		got, ok := parseKernelVersion(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseKernelVersion(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCompareKernelVersions(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"6.1.0-42-cloud-amd64", "6.4", -1},
		{"6.12.117+deb12-cloud-amd64", "6.4", 1},
		{"6.12.117+deb12-cloud-amd64", "6.12", 1},
		{"6.12.0", "6.12", 0},
		{"6.9", "6.10", -1},
		{"7.0", "6.18.3", 1},
		{"5.15.1", "5.15.2", -1},
	} {
		a, _ := parseKernelVersion(tt.a)
		b, _ := parseKernelVersion(tt.b)
		if got := compareKernelVersions(a, b); got != tt.want {
			t.Errorf("compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestKernelAtLeast(t *testing.T) {
	if !KernelAtLeast("1.0") || KernelAtLeast("999.0") {
		t.Errorf("KernelAtLeast is wrong on kernel %s", KernelRelease())
	}
	have, _ := parseKernelVersion(KernelRelease())
	self := fmt.Sprintf("%d.%d.%d", have[0], have[1], have[2])
	if !KernelAtLeast(self) {
		t.Errorf("KernelAtLeast(%q) on %s is false", self, KernelRelease())
	}
	defer func() {
		if recover() == nil {
			t.Error("an invalid version did not panic")
		}
	}()
	KernelAtLeast("latest")
}

func TestHarnessKinds(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want map[string]bool
	}{
		{"", map[string]bool{}},
		{"ipvlan", map[string]bool{"ipvlan": true}},
		{"bridge,dummy,ipvlan,vlan", map[string]bool{"bridge": true, "dummy": true, "ipvlan": true, "vlan": true}},
		{" macvlan , ,veth,", map[string]bool{"macvlan": true, "veth": true}},
	} {
		if diff := cmp.Diff(tt.want, harnessKinds(tt.in)); diff != "" {
			t.Errorf("harnessKinds(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestKindConfigOptions(t *testing.T) {
	// Every kind that vmtest can report has an option to name in skips.
	for _, kind := range []string{"ipvlan", "ipvtap", "macvlan", "macvtap", "vlan", "dummy", "veth", "bridge"} {
		if rtnl.KindConfig(kind) == "" {
			t.Errorf("no CONFIG option for kind %s", kind)
		}
	}
}

// fakeTB records what a helper did; Skipf and Fatalf end the goroutine, as
// the real ones do.
type fakeTB struct {
	testing.TB
	logs    []string
	skipped string
	failed  string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runHelpers runs fn against a fakeTB in its own goroutine.
func runHelpers(t *testing.T, fn func(tb testing.TB)) *fakeTB {
	t.Helper()
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func TestRequireKernel(t *testing.T) {
	for _, tt := range []struct {
		min      string
		skip     bool
		fatal    bool
		contains string
	}{
		{min: "1.0"},
		{min: "999.1", skip: true, contains: "needs kernel 999.1 or newer"},
		{min: "six", fatal: true, contains: "invalid version"},
	} {
		f := runHelpers(t, func(tb testing.TB) { RequireKernel(tb, tt.min, "the feature") })
		if (f.skipped != "") != tt.skip || (f.failed != "") != tt.fatal {
			t.Errorf("RequireKernel(%q): skipped %q, failed %q", tt.min, f.skipped, f.failed)
		}
		if msg := f.skipped + f.failed; !strings.Contains(msg, tt.contains) {
			t.Errorf("RequireKernel(%q): message %q lacks %q", tt.min, msg, tt.contains)
		}
	}
}

func TestKernelLoggedOnce(t *testing.T) {
	f := runHelpers(t, func(tb testing.TB) {
		RequireKernel(tb, "1.0", "a")
		RequireKernel(tb, "2.0", "b")
	})
	want := []string{"kernel " + KernelRelease()}
	if diff := cmp.Diff(want, f.logs); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
}

func TestRequireRoot(t *testing.T) {
	f := runHelpers(t, RequireRoot)
	if skipped := f.skipped != ""; skipped != (os.Geteuid() != 0) {
		t.Errorf("RequireRoot with euid %d: skipped %q", os.Geteuid(), f.skipped)
	}
}

func TestRequireKind(t *testing.T) {
	RequireRoot(t)
	const bogus = "vrnosuchkind"

	t.Setenv("VLANRAW_TESTENV_KINDS", "")
	f := runHelpers(t, func(tb testing.TB) { RequireKind(tb, bogus) })
	if f.failed != "" || !strings.Contains(f.skipped, "lacks link kind "+bogus) {
		t.Errorf("unknown kind: skipped %q, failed %q; want a skip", f.skipped, f.failed)
	}

	// A kind that the harness promised but the kernel lacks is a failure.
	t.Setenv("VLANRAW_TESTENV_KINDS", "veth,"+bogus)
	f = runHelpers(t, func(tb testing.TB) { RequireKind(tb, bogus) })
	if f.skipped != "" || !strings.Contains(f.failed, "harness says it is available") {
		t.Errorf("promised kind: skipped %q, failed %q; want a failure", f.skipped, f.failed)
	}

	// The host kernel and both guest kernels have veth.
	f = runHelpers(t, func(tb testing.TB) { RequireKind(tb, "veth") })
	if f.skipped != "" || f.failed != "" {
		t.Errorf("veth: skipped %q, failed %q", f.skipped, f.failed)
	}
}

func TestRequireKindPerKind(t *testing.T) {
	RequireRoot(t)
	// Logs what this kernel has; fails only inside vmtest, where each kind
	// the harness promised must be there.
	for _, k := range rtnl.Kinds() {
		kind, option := k.Name, k.Config
		t.Run(kind, func(t *testing.T) {
			ok, err := probeLinkKind(kind)
			t.Logf("%s (%s): available %v, err %v", kind, option, ok, err)
			if err != nil {
				t.Fatal(err)
			}
			if harnessKinds(os.Getenv("VLANRAW_TESTENV_KINDS"))[kind] && !ok {
				t.Errorf("harness promised %s, probe says missing", kind)
			}
		})
	}
}

func TestIsKernelSkip(t *testing.T) {
	for _, tt := range []struct {
		reason string
		want   bool
	}{
		{"bclim needs kernel 6.4 or newer; running 6.1.0-57-cloud-amd64", true},
		{"TCX link needs kernel 6.6 or newer; running 5.10.0-43-cloud-amd64", true},
		{"kernel 5.10.0-43-cloud-amd64 lacks link kind ipvlan (CONFIG_IPVLAN)", true},
		{"kernel 5.10.0-43-cloud-amd64 lacks SO_NETNS_COOKIE (Linux 5.14)", true},
		{"    live_test.go:12: kernel 6.18.44 lacks link kind vlan (CONFIG_VLAN_8021Q)", true},
		{"needs root (euid is 1000)", false},
		{"probing link kind ipvlan needs root (euid is 1000)", false},
		{"link kind vlan: cannot probe: netlink: permission denied", false},
		{"the running kernel has no macvlan", false},
		{"helper process", false},
		{"skipping in short mode", false},
		{"kernel lacks something", false},
	} {
		if got := IsKernelSkip(tt.reason); got != tt.want {
			t.Errorf("IsKernelSkip(%q) = %v, want %v", tt.reason, got, tt.want)
		}
	}
}

func TestRequireSkipsAreKernelSkips(t *testing.T) {
	for _, tt := range []struct {
		name string
		run  func(tb testing.TB)
	}{
		{"RequireKernel", func(tb testing.TB) { RequireKernel(tb, "999.0", "a feature of the future") }},
		{"SkipKernelLacks", func(tb testing.TB) { SkipKernelLacks(tb, "SO_NETNS_COOKIE", "Linux 5.14") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &skipRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				tt.run(r)
			}()
			<-done
			if !r.skipped {
				t.Fatalf("%s did not skip", tt.name)
			}
			if !IsKernelSkip(r.reason) {
				t.Errorf("%s skipped with %q, which IsKernelSkip does not accept", tt.name, r.reason)
			}
		})
	}
}

// skipRecorder records a Skipf instead of skipping, ending the goroutine
// as SkipNow would.
type skipRecorder struct {
	testing.TB
	skipped bool
	reason  string
}

func (r *skipRecorder) Helper()                         {}
func (r *skipRecorder) Logf(format string, args ...any) {}
func (r *skipRecorder) Cleanup(func())                  {}
func (r *skipRecorder) Skipf(format string, args ...any) {
	r.skipped, r.reason = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
