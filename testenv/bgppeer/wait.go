package bgppeer

import (
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// Deadline is how long WaitRoutes and the other waits poll before they
// fail the test: generous, for TCG guests on a loaded machine.
const Deadline = 60 * time.Second

// pollEvery is the interval between two looks at a router's table.
const pollEvery = 20 * time.Millisecond

// waitFor polls cond until it holds, failing the test with what, and
// cond's last explanation, after Deadline.
func waitFor(tb testing.TB, what string, cond func() (bool, string)) time.Duration {
	tb.Helper()
	start := time.Now()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		ok, why := cond()
		if ok {
			return time.Since(start)
		}
		if time.Since(start) > Deadline {
			tb.Fatalf("waited %s for %s: %s", Deadline, what, why)
		}
		<-tick.C
	}
}

// waitRoutes polls read until it returns want.
func waitRoutes(tb testing.TB, router string, read func() (map[netip.Prefix]netip.Addr, error), want map[netip.Prefix]netip.Addr) time.Duration {
	tb.Helper()
	return waitFor(tb, fmt.Sprintf("%s's BGP routes to be %s", router, Format(want)), func() (bool, string) {
		got, err := read()
		if err != nil {
			return false, err.Error()
		}
		return maps.Equal(got, want), "they are " + Format(got)
	})
}

// Format writes routes as "{P via A, ...}" in prefix order.
func Format(routes map[netip.Prefix]netip.Addr) string {
	keys := slices.SortedFunc(maps.Keys(routes), func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, k.String()+" via "+routes[k].String())
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// need returns the path of the program name; without it, the test is
// skipped on a host (run testenv/deps.sh) and fails in the QEMU guest,
// where the harness must have shipped it.
func need(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("VLANRAW_TESTENV") == "vm" {
		tb.Fatalf("%s is not in the guest: add it to VLANRAW_VMTEST_EXTRA (make vmtest does)", name)
	}
	tb.Skipf("%s is not installed: run testenv/deps.sh (it installs bird2 and frr)", name)
	return ""
}

// Want builds a routing table from pairs of prefix and next hop, such as
// Want("10.1.0.0/24", "192.0.2.2"); Want() is the empty table.
func Want(pairs ...string) map[netip.Prefix]netip.Addr {
	out := map[netip.Prefix]netip.Addr{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out[netip.MustParsePrefix(pairs[i])] = netip.MustParseAddr(pairs[i+1])
	}
	return out
}
