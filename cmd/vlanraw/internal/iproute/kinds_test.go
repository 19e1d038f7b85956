package iproute

import (
	"testing"

	"github.com/vlanraw/vlanraw/rtnl"
)

// TestKindTable checks the CLI's kinds table: each kind once, known to
// rtnl's table, with what `link add` and the help need.
func TestKindTable(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range kindTable {
		if k.add == nil || k.help == "" {
			t.Errorf("kinds %v: add or help missing", k.names)
		}
		for _, n := range k.names {
			if seen[n] {
				t.Errorf("kind %s is in the table twice", n)
			}
			seen[n] = true
			if _, ok := rtnl.LookupKind(n); !ok {
				t.Errorf("kind %s is not in rtnl's table", n)
			}
			if lookupKind(n) != k {
				t.Errorf("lookupKind(%q) finds another entry", n)
			}
		}
	}
	if lookupKind("nosuchkind") != nil {
		t.Error("lookupKind found an unknown kind")
	}
}
