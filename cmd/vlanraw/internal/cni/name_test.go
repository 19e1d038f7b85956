package cni

import (
	"testing"

	"github.com/containernetworking/cni/pkg/utils"

	"github.com/vlanraw/vlanraw/modes"
)

// TestValidNetworkName checks that modes.ValidNetworkName, which the
// plugin checks configurations' names with, is libcni's rule.
func TestValidNetworkName(t *testing.T) {
	for _, name := range []string{"", "a", "bench-net", "net_1.2-3", "-net", "_net", ".net", "net/1", "net 1", "é", "net:1", "Net9", "9", "a\n"} {
		if got, want := modes.ValidNetworkName(name), utils.ValidateNetworkName(name) == nil; got != want {
			t.Errorf("%q: %v, libcni says %v", name, got, want)
		}
	}
}
