package testenv

import (
	"regexp"
	"testing"
)

// Inside vmtest a skipped test is a failure unless its reason names
// something the guest's kernel lacks: the harness boots a known kernel
// with known modules, so any other skip (no root, a missing tool, a
// probe that failed) hides a test that should have run. vmsuite (see
// testenv/cmd/vmsuite) enforces that with IsKernelSkip, on the reasons
// that RequireKernel, RequireKind and SkipKernelLacks give.

// kernelSkipRE matches the skip reasons that name a kernel limitation:
//
//	FEATURE needs kernel 6.4 or newer; running 6.1.0-57-cloud-amd64   (RequireKernel)
//	kernel 5.10.0-43-cloud-amd64 lacks FEATURE (CONFIG_X or Linux N)   (RequireKind, SkipKernelLacks)
var kernelSkipRE = regexp.MustCompile(`(?:^|\s)(?:needs kernel \d+(?:\.\d+)* or newer; running \S+|kernel \S+ lacks \S)`)

// IsKernelSkip reports whether a test's skip reason names a feature that
// the running kernel lacks, in one of the forms RequireKernel,
// RequireKind and SkipKernelLacks give.
func IsKernelSkip(reason string) bool {
	return kernelSkipRE.MatchString(reason)
}

// SkipKernelLacks skips the test because the running kernel lacks
// feature; need says what would provide it, such as "Linux 5.14" or
// "CONFIG_NET_CLS_BPF". The reason reads "kernel RELEASE lacks FEATURE
// (NEED)", which vmsuite accepts inside the VM (see IsKernelSkip). Use it
// when the test found out by probing; RequireKernel gates by version.
func SkipKernelLacks(tb testing.TB, feature, need string) {
	tb.Helper()
	logKernelOnce(tb)
	tb.Skipf("kernel %s lacks %s (%s)", KernelRelease(), feature, need)
}
