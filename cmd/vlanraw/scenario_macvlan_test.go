package main

import (
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/testenv"
)

// TestScenarioMACVlanModes: endpoints of one macvlan network reach each
// other in bridge mode only. In private mode the parent passes nothing
// between them; in vepa mode their frames go out to the far end of the
// parent's link, a plain veth end that sends nothing back (no hairpin).
// These run on the host kernel too.
func TestScenarioMACVlanModes(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	for _, tt := range []struct {
		mode  string
		reach bool
	}{
		{"bridge", true},
		{"private", false},
		{"vepa", false},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			w := newWorld(t)
			far := w.uplink("p0")
			vr(t, far, "addr", "add", "10.40.0.1/24", "dev", "eth0")
			w.vr("network create -d macvlan --subnet 10.40.0.0/24 --gateway 10.40.0.1 -o parent=p0 -o macvlan_mode=" + tt.mode + " mnet")
			a, nsA := w.endpoint()
			b, nsB := w.endpoint()
			w.connect("mnet", a, "--ip", "10.40.0.10", "--mac", "02:00:00:00:40:10")
			w.connect("mnet", b, "--ip", "10.40.0.11")
			if tt.reach {
				reaches(t, nsA, "10.40.0.10", "10.40.0.11")
				reaches(t, nsB, "10.40.0.11", "10.40.0.10")
				udpReaches(t, nsA, nsB, "10.40.0.11")
			} else {
				blocked(t, nsA, "10.40.0.10", "10.40.0.11", nsB)
				blocked(t, nsB, "10.40.0.11", "10.40.0.10", nsA)
			}
			// In every mode, the far end of the parent's link is reached:
			// the modes differ only between the network's endpoints.
			reaches(t, nsA, "10.40.0.10", "10.40.0.1")
			hasRoute(t, a, "default via 10.40.0.1 dev eth0", true)
			if got := vr(t, a, "-j", "link", "show", "dev", "eth0"); !strings.Contains(got, `"address":"02:00:00:00:40:10"`) {
				t.Errorf("eth0 of %s: %s; want the MAC given with --mac", a, got)
			}
		})
	}
}
