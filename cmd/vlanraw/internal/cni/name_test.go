package cni

import (
	"testing"

	"github.com/containernetworking/cni/pkg/utils"
)

// TestValidNetworkName checks validNetworkName against libcni's rule.
func TestValidNetworkName(t *testing.T) {
	for _, name := range []string{"", "a", "bench-net", "net_1.2-3", "-net", "_net", ".net", "net/1", "net 1", "é", "net:1", "Net9", "9", "a\n"} {
		if got, want := validNetworkName(name), utils.ValidateNetworkName(name) == nil; got != want {
			t.Errorf("%q: %v, libcni says %v", name, got, want)
		}
	}
}
