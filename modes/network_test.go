package modes

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/rtnl"
)

func TestNetworkCreateMACVlanModes(t *testing.T) {
	e := newEnv(t)
	for _, mode := range []string{"bridge", "private", "vepa", "passthru"} {
		t.Run(mode, func(t *testing.T) {
			n, err := e.m.CreateNetwork(NetworkSpec{Name: "mv-" + mode, Driver: MACVlan,
				Subnets: []SubnetSpec{{Subnet: "192.168.0.0/24", Gateway: "192.168.0.1"}},
				Options: map[string]string{"parent": "p0", "macvlan_mode": mode}})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "recorded mode", n.MACVlanMode, mode)
			_, name, th := e.target()
			if _, err := e.m.Connect(ConnectSpec{Network: n.Name, NetNS: name}); err != nil {
				t.Fatal(err)
			}
			l := mustGet(t, th, "eth0")
			d, ok := l.Data.(*rtnl.MACVlan)
			if l.Kind != "macvlan" || !ok || d.Mode == nil || d.Mode.String() != mode {
				t.Errorf("kernel reports kind %q data %+v, want macvlan mode %s", l.Kind, l.Data, mode)
			}
			if mode == "passthru" {
				eq(t, "passthru MAC", l.MAC.String(), mustGet(t, e.hh, "p0").MAC.String())
				_, other, _ := e.target()
				_, err := e.m.Connect(ConnectSpec{Network: n.Name, NetNS: other})
				errContains(t, err, "macvlan network mv-passthru is in mode passthru and has an endpoint already")
				if !errors.Is(err, ErrConflict) {
					t.Errorf("%v does not match ErrConflict", err)
				}
			}
			if err := e.m.ForceRemoveNetwork(n.Name); err != nil {
				t.Fatal(err)
			}
			if _, err := th.Get("eth0"); err == nil {
				t.Error("eth0 is still there after the network was removed")
			}
			if _, err := e.m.Network(n.Name); !errors.Is(err, ErrNotFound) {
				t.Errorf("network after removal: %v, want ErrNotFound", err)
			}
		})
	}
	eqList(t, "host links after all removals", linkNames(t, e.hh), []string{"lo", "p0"})
}

func TestNetworkCreateErrors(t *testing.T) {
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "taken", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "10.99.0.0/24"}, {Subnet: "fd99::/64"}}}); err != nil {
		t.Fatal(err)
	}
	before := e.stateBytes()
	hostLinks := linkNames(t, e.hh)
	for _, tc := range []struct {
		name string
		spec NetworkSpec
		kind error
		msg  string
	}{
		{"duplicate name", NetworkSpec{Name: "taken", Driver: MACVlan, Options: map[string]string{"parent": "p0"}},
			ErrConflict, "network with name taken already exists"},
		{"bad name", NetworkSpec{Name: "-x", Driver: MACVlan}, errdefs.ErrInvalid, `invalid network name "-x"`},
		{"unknown option", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "p0", "foo": "1"}},
			errdefs.ErrInvalid, `unknown option "foo" for the macvlan driver`},
		{"lo", NetworkSpec{Name: "a", Driver: IPVlan, Options: map[string]string{"parent": "lo"}},
			errdefs.ErrInvalid, "loopback interface is not a valid ipvlan parent link"},
		{"undotted missing parent", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "nope0"}},
			errdefs.ErrInvalid, "parent nope0 does not exist: create it first, give an existing link as -o parent, or omit -o parent for a dummy parent"},
		{"two dots", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "p0.1.2"}},
			errdefs.ErrInvalid, "required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received p0.1.2"},
		{"missing base", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "nope0.10"}},
			errdefs.ErrInvalid, "-o parent interface was not found on the host: nope0"},
		{"vid 0", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "p0.0"}},
			errdefs.ErrInvalid, "vlan id must be between 1-4094, received: 0"},
		{"vid 4095", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "p0.4095"}},
			errdefs.ErrInvalid, "vlan id must be between 1-4094, received: 4095"},
		{"mtu above parent", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "p0", "mtu": "9000"}},
			errdefs.ErrInvalid, "invalid mtu 9000: it is above the MTU of parent p0 (1500)"},
		{"bad subnet", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
			Subnets: []SubnetSpec{{Subnet: "10.10.10.0/8"}}}, errdefs.ErrInvalid, "invalid subnet 10.10.10.0/8: it should be 10.0.0.0/8"},
		{"gateway outside", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
			Subnets: []SubnetSpec{{Subnet: "10.1.0.0/16", Gateway: "10.2.0.1"}}}, errdefs.ErrInvalid,
			"invalid gateway 10.2.0.1: parent subnet 10.1.0.0/16 doesn't contain this address"},
		{"ipvlan on a macvlan parent", NetworkSpec{Name: "a", Driver: IPVlan, Options: map[string]string{"parent": "p0"}},
			ErrConflict, "macvlan network taken is already using parent interface p0"},
		{"overlap within the network", NetworkSpec{Name: "a", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
			Subnets: []SubnetSpec{{Subnet: "10.1.0.0/16"}, {Subnet: "10.1.5.0/24"}}}, errdefs.ErrInvalid,
			"invalid subnet 10.1.5.0/24: it overlaps subnet 10.1.0.0/16 of the same network"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.m.CreateNetwork(tc.spec)
			errContains(t, err, tc.msg)
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %v does not match %v", err, tc.kind)
			}
		})
	}
	eq(t, "state file after refusals", e.stateBytes(), before)
	eqList(t, "host links after refusals", linkNames(t, e.hh), hostLinks)
}

// macvlan networks share a parent, except in passthru mode (Docker 27).
func TestMACVlanParentSharing(t *testing.T) {
	e := newEnv(t)
	create := func(name, mode string) error {
		_, err := e.m.CreateNetwork(NetworkSpec{Name: name, Driver: MACVlan,
			Options: map[string]string{"parent": "p0", "macvlan_mode": mode}})
		return err
	}
	if err := create("b1", "bridge"); err != nil {
		t.Fatal(err)
	}
	if err := create("b2", "vepa"); err != nil {
		t.Fatalf("second macvlan network on p0: %v", err)
	}
	err := create("pt", "passthru")
	errContains(t, err, "cannot use mode passthru, macvlan network b1 is already using parent interface p0")
	if !errors.Is(err, ErrConflict) {
		t.Errorf("%v does not match ErrConflict", err)
	}
	for _, n := range []string{"b1", "b2"} {
		if err := e.m.RemoveNetwork(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := create("pt", "passthru"); err != nil {
		t.Fatal(err)
	}
	errContains(t, create("b3", "bridge"), "macvlan network pt is already using parent interface p0 in mode passthru")
	eqList(t, "host links: p0 is never deleted", linkNames(t, e.hh), []string{"lo", "p0"})
	if err := e.m.RemoveNetwork("pt"); err != nil {
		t.Fatal(err)
	}
	eqList(t, "host links after the last removal", linkNames(t, e.hh), []string{"lo", "p0"})
}

// Networks persist: a new Manager on the same directory sees them, and
// Inspect marshals like docker network inspect.
func TestNetworkPersistenceAndInspect(t *testing.T) {
	e := newEnv(t)
	_, err := e.m.CreateNetwork(NetworkSpec{Name: "net1", Driver: MACVlan, IPv6: true,
		Subnets: []SubnetSpec{
			{Subnet: "192.168.0.0/24", Gateway: "192.168.0.1", IPRange: "192.168.0.128/25", Aux: map[string]string{"router2": "192.168.0.2"}},
			{Subnet: "fd00::/64", Gateway: "fd00::1"},
		},
		Options: map[string]string{"parent": "p0"}})
	if err != nil {
		t.Fatal(err)
	}
	_, name, _ := e.target()
	ep, err := e.m.Connect(ConnectSpec{Network: "net1", NetNS: name})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "allocated IPv4 (first of the ip-range)", ep.IPv4.String(), "192.168.0.128/24")
	eq(t, "allocated IPv6 (after the anycast address and the gateway)", ep.IPv6.String(), "fd00::2/64")

	n, err := e.manager().Network("net1")
	if err != nil {
		t.Fatalf("a new Manager does not see the network: %v", err)
	}
	if len(n.Endpoints) != 1 || n.Endpoints[0].IPv4 != ep.IPv4 || n.Endpoints[0].MAC != ep.MAC {
		t.Errorf("a new Manager sees endpoints %+v, want %+v", n.Endpoints, ep)
	}
	if _, err := e.manager().Network(n.ID[:12]); err != nil {
		t.Errorf("lookup by short ID: %v", err)
	}
	b, err := json.Marshal(n.Inspect())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"Name": "net1", "Id": n.ID, "Scope": "local", "Driver": "macvlan", "EnableIPv6": true, "Internal": false,
	} {
		if got[k] != want {
			t.Errorf("inspect %s = %v, want %v", k, got[k], want)
		}
	}
	ipamJSON, _ := json.Marshal(got["IPAM"])
	eq(t, "inspect IPAM", string(ipamJSON),
		`{"Config":[{"AuxiliaryAddresses":{"router2":"192.168.0.2"},"Gateway":"192.168.0.1","IPRange":"192.168.0.128/25","Subnet":"192.168.0.0/24"},`+
			`{"Gateway":"fd00::1","Subnet":"fd00::/64"}],"Driver":"default","Options":{}}`)
	cont, _ := json.Marshal(got["Containers"])
	want := `{"` + name + `":{"EndpointID":"` + ep.ID + `","IPv4Address":"192.168.0.128/24","IPv6Address":"fd00::2/64","MacAddress":"` + ep.MAC + `","Name":"` + name + `"}}`
	eq(t, "inspect Containers", string(cont), want)
	if !strings.Contains(string(b), `"Options":{"parent":"p0"}`) {
		t.Errorf("inspect Options: %s", b)
	}
}

// Without a subnet, a network gets the first default pool that overlaps
// no other network and no route of the host; with --ipv6 and no IPv6
// subnet, a unique local /64.
func TestDefaultSubnets(t *testing.T) {
	e := newEnv(t)
	h := e.hh
	// A route of the host over 172.17.0.0/16 pushes the first pick on.
	addAddr(t, h, "p0", mustPrefix("172.17.0.1/16"))
	n1, err := e.m.CreateNetwork(NetworkSpec{Name: "d1", Driver: MACVlan, Options: map[string]string{"parent": "p0"}, IPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	n2, err := e.m.CreateNetwork(NetworkSpec{Name: "d2", Driver: MACVlan, Options: map[string]string{"parent": "p0"}})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "d1's IPv4 subnet", n1.Subnets[0].Subnet.String(), "172.18.0.0/16")
	eq(t, "d2's IPv4 subnet", n2.Subnets[0].Subnet.String(), "172.19.0.0/16")
	if len(n1.Subnets) != 2 || !n1.Subnets[1].Subnet.Addr().Is6() || n1.Subnets[1].Subnet.Bits() != 64 ||
		n1.Subnets[1].Subnet.Addr().As16()[0] != 0xfd || !n1.IPv6 {
		t.Errorf("d1's subnets %v: want a unique local /64 after the IPv4 one", n1.Subnets)
	}
	if len(n2.Subnets) != 1 || n2.IPv6 {
		t.Errorf("d2: subnets %v, IPv6 %v: want one IPv4 subnet, no IPv6", n2.Subnets, n2.IPv6)
	}
	// An IPv6 subnet alone turns IPv6 on (Docker 28).
	n3, err := e.m.CreateNetwork(NetworkSpec{Name: "d3", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "fd33::/64"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !n3.IPv6 {
		t.Error("an IPv6 subnet did not turn IPv6 on")
	}
}
