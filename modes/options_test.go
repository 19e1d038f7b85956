package modes

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vlanraw/vlanraw/errdefs"
)

func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		driver Driver
		opts   map[string]string
		want   options // when err is ""
		err    string  // the whole message
	}{
		{"ipvlan defaults", IPVlan, nil, options{ipvlanMode: "l2", ipvlanFlag: "bridge"}, ""},
		{"macvlan defaults", MACVlan, nil, options{macvlanMode: "bridge"}, ""},
		{"ipvlan l3s private", IPVlan, map[string]string{"ipvlan_mode": "l3s", "ipvlan_flag": "private", "parent": "eth0", "mtu": "1400"},
			options{parent: "eth0", ipvlanMode: "l3s", ipvlanFlag: "private", mtu: 1400}, ""},
		{"macvlan passthru", MACVlan, map[string]string{"macvlan_mode": "passthru"}, options{macvlanMode: "passthru"}, ""},
		{"bad ipvlan mode", IPVlan, map[string]string{"ipvlan_mode": "l4"}, options{},
			"requested ipvlan mode 'l4' is not valid, 'l2' mode is the ipvlan driver default"},
		{"empty ipvlan mode", IPVlan, map[string]string{"ipvlan_mode": ""}, options{},
			"requested ipvlan mode '' is not valid, 'l2' mode is the ipvlan driver default"},
		{"upper-case mode", IPVlan, map[string]string{"ipvlan_mode": "L3"}, options{},
			"requested ipvlan mode 'L3' is not valid, 'l2' mode is the ipvlan driver default"},
		{"bad ipvlan flag", IPVlan, map[string]string{"ipvlan_flag": "passthru"}, options{},
			"requested ipvlan flag 'passthru' is not valid, 'bridge' is the ipvlan driver default"},
		{"bad macvlan mode", MACVlan, map[string]string{"macvlan_mode": "sources"}, options{},
			"requested macvlan mode 'sources' is not valid, 'bridge' mode is the macvlan driver default"},
		{"macvlan source", MACVlan, map[string]string{"macvlan_mode": "source", "macvlan_flag": "nodst", "macvlan_source_macs": "02:00:00:00:00:0A, 02:00:00:00:00:0b,02:00:00:00:00:0a"},
			options{macvlanMode: "source", macvlanFlag: "nodst", sourceMACs: []string{"02:00:00:00:00:0a", "02:00:00:00:00:0b"}}, ""},
		{"macvlan passthru nopromisc", MACVlan, map[string]string{"macvlan_mode": "passthru", "macvlan_flag": "nopromisc"},
			options{macvlanMode: "passthru", macvlanFlag: "nopromisc"}, ""},
		{"macvlan bcqueuelen", MACVlan, map[string]string{"macvlan_bcqueuelen": "4000"}, options{macvlanMode: "bridge", bcQueueLen: 4000}, ""},
		{"source without MACs", MACVlan, map[string]string{"macvlan_mode": "source"}, options{},
			"macvlan_mode=source needs macvlan_source_macs=MAC[,MAC...]: a source-mode link receives only the frames sent from those MACs"},
		{"source MACs without source", MACVlan, map[string]string{"macvlan_source_macs": "02:00:00:00:00:0a"}, options{},
			"macvlan_source_macs needs macvlan_mode=source, not bridge"},
		{"multicast source MAC", MACVlan, map[string]string{"macvlan_mode": "source", "macvlan_source_macs": "01:00:5e:00:00:01"}, options{},
			`invalid source MAC "01:00:5e:00:00:01" in macvlan_source_macs: give unicast six-byte addresses, such as 02:42:ac:11:00:02, separated by commas`},
		{"nodst without source", MACVlan, map[string]string{"macvlan_flag": "nodst"}, options{},
			"macvlan flag nodst needs macvlan_mode=source, not bridge"},
		{"nopromisc without passthru", MACVlan, map[string]string{"macvlan_mode": "vepa", "macvlan_flag": "nopromisc"}, options{},
			"macvlan flag nopromisc needs macvlan_mode=passthru, not vepa"},
		{"bad macvlan flag", MACVlan, map[string]string{"macvlan_flag": "bridge"}, options{},
			"requested macvlan flag 'bridge' is not valid: give nopromisc (with macvlan_mode=passthru) or nodst (with macvlan_mode=source)"},
		{"bcqueuelen zero", MACVlan, map[string]string{"macvlan_bcqueuelen": "0"}, options{},
			`invalid macvlan_bcqueuelen "0": give the broadcast queue length, a number from 1 to 4294967295 (Linux 5.11 and later)`},
		{"ipvlan lo", IPVlan, map[string]string{"parent": "lo"}, options{}, "loopback interface is not a valid ipvlan parent link"},
		{"macvlan lo", MACVlan, map[string]string{"parent": "lo"}, options{}, "loopback interface is not a valid macvlan parent link"},
		{"unknown key", MACVlan, map[string]string{"com.docker.network.bridge.name": "x"}, options{},
			`unknown option "com.docker.network.bridge.name" for the macvlan driver: the macvlan driver takes parent, macvlan_mode, macvlan_flag, macvlan_source_macs, macvlan_bcqueuelen, mtu, host_access, host_access6`},
		{"ipvlan key on macvlan", MACVlan, map[string]string{"ipvlan_mode": "l2"}, options{},
			`unknown option "ipvlan_mode" for the macvlan driver: the macvlan driver takes parent, macvlan_mode, macvlan_flag, macvlan_source_macs, macvlan_bcqueuelen, mtu, host_access, host_access6`},
		{"macvlan key on ipvlan", IPVlan, map[string]string{"macvlan_mode": "bridge"}, options{},
			`unknown option "macvlan_mode" for the ipvlan driver: the ipvlan driver takes parent, ipvlan_mode, ipvlan_flag, mtu, host_access, host_access6`},
		{"mtu word", IPVlan, map[string]string{"mtu": "big"}, options{}, `invalid mtu "big": give a number from 68 to 65535, at most the parent's MTU`},
		{"mtu small", IPVlan, map[string]string{"mtu": "67"}, options{}, `invalid mtu "67": give a number from 68 to 65535, at most the parent's MTU`},
		{"empty parent", IPVlan, map[string]string{"parent": ""}, options{},
			"option parent is empty: name the parent link, or leave the option out to get a dummy parent"},
		{"no driver", "", nil, options{}, "no driver given: use -d ipvlan or -d macvlan"},
		{"bridge driver", "bridge", nil, options{}, `unknown driver "bridge": vlanraw provides the ipvlan and macvlan drivers`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOptions(tc.driver, tc.opts)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				if !errors.Is(err, errdefs.ErrInvalid) {
					t.Errorf("error %v does not match errdefs.ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}

// parseVlan accepts and rejects what Docker's unit tests say.
func TestParseVlan(t *testing.T) {
	exists := func(name string) bool { return name == "lo" || name == "eth0" }
	for _, tc := range []struct {
		in   string
		base string
		vid  int
		err  string
	}{
		{"lo.10", "lo", 10, ""},
		{"eth0.4094", "eth0", 4094, ""},
		{"lo", "", 0, "required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received lo"},
		{"lo:10", "", 0, "required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received lo:10"},
		{"eth0.10.20", "", 0, "required interface name format is: name.vlan_id, ex. eth0.10 for vlan 10, instead received eth0.10.20"},
		{"eth0.x", "", 0, "unable to parse a valid vlan id from: x (ex. eth0.10 for vlan 10)"},
		{"foo123.456", "", 0, "-o parent interface was not found on the host: foo123"},
	} {
		base, vid, err := parseVlan(tc.in, exists)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("parseVlan(%q): error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || base != tc.base || vid != tc.vid {
			t.Errorf("parseVlan(%q) = %q, %d, %v; want %q, %d", tc.in, base, vid, err, tc.base, tc.vid)
		}
	}
}

func TestEndpointRoutes(t *testing.T) {
	gw4, gw6 := "192.168.1.254", "fd01::254"
	subnets := []Subnet{
		{Subnet: mustPrefix("192.168.1.0/24"), Gateway: mustAddr(gw4)},
		{Subnet: mustPrefix("192.168.2.0/24")},
		{Subnet: mustPrefix("fd01::/64"), Gateway: mustAddr(gw6)},
	}
	ep := func(v4, v6 string) *Endpoint {
		e := &Endpoint{IfName: "eth0", IPv4: mustPrefix(v4)}
		if v6 != "" {
			e.IPv6 = mustPrefix(v6)
		}
		return e
	}
	for _, tc := range []struct {
		name string
		n    Network
		e    *Endpoint
		want []string
	}{
		{"l2 with gateways", Network{Driver: IPVlan, IPVlanMode: "l2", Subnets: subnets}, ep("192.168.1.2/24", "fd01::2/64"),
			[]string{"default via 192.168.1.254 dev eth0", "default via fd01::254 dev eth0"}},
		{"macvlan subnet without gateway", Network{Driver: MACVlan, MACVlanMode: "bridge", Subnets: subnets}, ep("192.168.2.2/24", ""),
			nil},
		{"l3 ignores gateways", Network{Driver: IPVlan, IPVlanMode: "l3", Subnets: subnets}, ep("192.168.1.2/24", "fd01::2/64"),
			[]string{"default dev eth0", "default dev eth0"}},
		{"l3s v4 only", Network{Driver: IPVlan, IPVlanMode: "l3s", Subnets: subnets}, ep("192.168.2.2/24", ""),
			[]string{"default dev eth0"}},
		{"internal", Network{Driver: MACVlan, MACVlanMode: "bridge", Internal: true, Subnets: subnets}, ep("192.168.1.2/24", "fd01::2/64"),
			nil},
		{"internal l3: the network's other subnets", Network{Driver: IPVlan, IPVlanMode: "l3", Internal: true, Subnets: subnets}, ep("192.168.1.2/24", "fd01::2/64"),
			[]string{"192.168.2.0/24 dev eth0"}},
		{"internal l3s, second subnet", Network{Driver: IPVlan, IPVlanMode: "l3s", Internal: true, Subnets: subnets}, ep("192.168.2.2/24", ""),
			[]string{"192.168.1.0/24 dev eth0"}},
		{"no parent l3: the dummy isolates", Network{Driver: IPVlan, IPVlanMode: "l3", Internal: true, ParentCreated: ParentDummy, Subnets: subnets},
			ep("192.168.1.2/24", "fd01::2/64"), []string{"default dev eth0", "default dev eth0"}},
		{"no parent l2", Network{Driver: IPVlan, IPVlanMode: "l2", Internal: true, ParentCreated: ParentDummy, Subnets: subnets},
			ep("192.168.1.2/24", ""), nil},
		{"no parent macvlan", Network{Driver: MACVlan, MACVlanMode: "bridge", Internal: true, ParentCreated: ParentDummy, Subnets: subnets},
			ep("192.168.1.2/24", ""), nil},
	} {
		var got []string
		for _, r := range endpointRoutes(&tc.n, tc.e) {
			got = append(got, r.String())
		}
		eqList(t, tc.name, got, tc.want)
	}
}
