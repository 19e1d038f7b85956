package testenv

import (
	"errors"
	"os"
	"testing"

	"github.com/vlanraw/vlanraw/netns"
)

// QuietIPv6 turns IPv6 off in ns (disable_ipv6 of conf/all and
// conf/default) for the links created there from now on, so that they
// send no router or neighbour solicitations and no MLD reports: tests
// that count frames exactly then see only the frames they sent. A kernel
// without IPv6 has nothing to turn off.
func QuietIPv6(tb testing.TB, ns *netns.NS) {
	tb.Helper()
	err := ns.Do(func() error {
		for _, p := range []string{"all", "default"} {
			err := os.WriteFile("/proc/sys/net/ipv6/conf/"+p+"/disable_ipv6", []byte("1"), 0o644)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("turn IPv6 off in %s: %v", ns.Path(), err)
	}
}
