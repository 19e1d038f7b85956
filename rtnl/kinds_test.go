package rtnl_test

import (
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/rtnl"
)

// TestKinds checks the kinds table: each name once, a CONFIG option and a
// module for each, and a driver, where there is one, of its own kind that
// LookupKind, KindConfig and NewDriver find by name.
func TestKinds(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range rtnl.Kinds() {
		if seen[k.Name] {
			t.Errorf("kind %s is in the table twice", k.Name)
		}
		seen[k.Name] = true
		if !strings.HasPrefix(k.Config, "CONFIG_") || k.Module == "" {
			t.Errorf("kind %s: config %q, module %q; want a CONFIG_ option and a module", k.Name, k.Config, k.Module)
		}
		if d := k.NewDriver(); d != nil && d.Kind() != k.Name {
			t.Errorf("kind %s has the driver of kind %s", k.Name, d.Kind())
		}
		if got, ok := rtnl.LookupKind(k.Name); !ok || got.Name != k.Name {
			t.Errorf("LookupKind(%q) = %v, %v", k.Name, got, ok)
		}
		if got := rtnl.KindConfig(k.Name); got != k.Config {
			t.Errorf("KindConfig(%q) = %q, want %q", k.Name, got, k.Config)
		}
		if (rtnl.NewDriver(k.Name) == nil) != (k.NewDriver() == nil) {
			t.Errorf("NewDriver(%q) disagrees with the table", k.Name)
		}
	}
	for _, name := range []string{"ipvlan", "ipvtap", "macvlan", "macvtap", "vlan", "dummy", "veth", "bridge"} {
		if !seen[name] {
			t.Errorf("kind %s is missing from the table", name)
		}
	}
	if _, ok := rtnl.LookupKind("nosuchkind"); ok || rtnl.KindConfig("nosuchkind") != "" || rtnl.NewDriver("nosuchkind") != nil {
		t.Error("an unknown kind is found")
	}
}
