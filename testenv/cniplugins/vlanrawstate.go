package cniplugins

import (
	"testing"

	"github.com/vlanraw/vlanraw/modes"
)

// Attachments returns the attachments vlanraw records in stateDir (the
// configuration's "stateDir"), as "NETWORK CONTAINERID IFNAME", and the
// networks it records without any, by name. The reference plugins keep
// no such state: under them both are empty.
func Attachments(tb testing.TB, stateDir string) (attached, empty []string) {
	tb.Helper()
	m, err := modes.NewManager(stateDir)
	if err != nil {
		tb.Fatal(err)
	}
	defer m.Close()
	ns, err := m.Networks()
	if err != nil {
		tb.Fatal(err)
	}
	for _, n := range ns {
		if len(n.Endpoints) == 0 {
			empty = append(empty, n.Name)
		}
		for _, e := range n.Endpoints {
			id := ""
			if e.CNI != nil {
				id = e.CNI.ContainerID
			}
			attached = append(attached, n.Name+" "+id+" "+e.IfName)
		}
	}
	return attached, empty
}
