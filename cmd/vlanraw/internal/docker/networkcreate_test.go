package docker

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vlanraw/vlanraw/modes"
)

// TestParseNetworkCreate checks Docker's grammar: repeated flags, and each
// gateway, range and auxiliary address attached to the subnet holding it,
// whatever the order they were given in.
func TestParseNetworkCreate(t *testing.T) {
	for _, tt := range []struct {
		line string
		want modes.NetworkSpec
	}{
		{
			line: "-d ipvlan --subnet 192.168.10.0/24 --subnet 192.168.20.0/24 -o parent=enp0s3 -o ipvlan_mode=l3 ipvlan_net",
			want: modes.NetworkSpec{
				Name: "ipvlan_net", Driver: "ipvlan",
				Subnets: []modes.SubnetSpec{{Subnet: "192.168.10.0/24"}, {Subnet: "192.168.20.0/24"}},
				Options: map[string]string{"parent": "enp0s3", "ipvlan_mode": "l3"},
			},
		},
		{
			// Gateways given in the other order go to their own subnets.
			line: "--driver=macvlan --subnet 10.1.0.0/24 --subnet 10.2.0.0/24 --subnet fd00::/64 " +
				"--gateway 10.2.0.254 --gateway fd00::1 --gateway 10.1.0.254 " +
				"--ip-range 10.1.0.128/25 --aux-address a=10.2.0.5 --aux-address b=fd00::5 --aux-address c=10.2.0.6 " +
				"--ipv6 --internal --opt macvlan_mode=vepa -o mtu=1400 mac",
			want: modes.NetworkSpec{
				Name: "mac", Driver: "macvlan", IPv6: true, Internal: true,
				Subnets: []modes.SubnetSpec{
					{Subnet: "10.1.0.0/24", Gateway: "10.1.0.254", IPRange: "10.1.0.128/25"},
					{Subnet: "10.2.0.0/24", Gateway: "10.2.0.254", Aux: map[string]string{"a": "10.2.0.5", "c": "10.2.0.6"}},
					{Subnet: "fd00::/64", Gateway: "fd00::1", Aux: map[string]string{"b": "fd00::5"}},
				},
				Options: map[string]string{"macvlan_mode": "vepa", "mtu": "1400"},
			},
		},
		{
			// No subnet: the network's addresses come from nowhere yet; a
			// later -o wins, as in Docker.
			line: "-d ipvlan -o parent=a -o parent=b n",
			want: modes.NetworkSpec{Name: "n", Driver: "ipvlan", Subnets: []modes.SubnetSpec{}, Options: map[string]string{"parent": "b"}},
		},
	} {
		got, err := parseNetworkCreate(strings.Fields(tt.line))
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%s: spec (-want +got):\n%s", tt.line, d)
		}
	}
}

// TestNetworkCreateBadWords checks Docker's consolidation errors and other
// mistakes: each is a usage error (exit 2) naming the problem, found
// before any state is opened.
func TestNetworkCreateBadWords(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{"-d ipvlan --gateway 10.0.0.1 n", "every ip-range or gateway must have a corresponding subnet"},
		{"-d ipvlan --subnet 10.0.0.0/24 --gateway 10.0.0.1 --gateway 10.1.0.1 n",
			"every ip-range or gateway must have a corresponding subnet: 1 subnet, 2 gateways and 0 ip-ranges given; give a --subnet that contains each"},
		{"-d ipvlan --subnet 10.0.0.0/24 --ip-range 10.0.0.0/25 --ip-range 10.1.0.0/25 n",
			"every ip-range or gateway must have a corresponding subnet: 1 subnet, 0 gateways and 2 ip-ranges given"},
		{"-d ipvlan --subnet 10.0.0.0/16 --subnet 10.0.1.0/24 n", "multiple overlapping subnet configuration is not supported"},
		{"-d ipvlan --subnet 10.0.0.0/24 --gateway 10.9.0.1 n", "no matching subnet for gateway 10.9.0.1"},
		{"-d ipvlan --subnet 10.0.0.0/24 --subnet 10.1.0.0/24 --gateway 10.0.0.1 --gateway 10.0.0.2 n", "cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/24)"},
		{"-d ipvlan --subnet 10.0.0.0/24 --ip-range 10.9.0.0/25 n", "no matching subnet for range 10.9.0.0/25"},
		{"-d ipvlan --subnet 10.0.0.0/24 --subnet 10.1.0.0/24 --ip-range 10.0.0.0/25 --ip-range 10.0.0.128/25 n", "cannot configure multiple ranges"},
		{"-d ipvlan --subnet 10.0.0.0/24 --aux-address x=10.9.0.1 n", "no matching subnet for aux-address 10.9.0.1"},
		{"-d ipvlan --subnet 10.0.0.0/24 --aux-address 10.0.0.9 n", "--aux-address"},
		{"-d ipvlan --subnet 10.0.0.0 n", "invalid subnet"},
		{"-d ipvlan --subnet 10.0.0.0/24 --gateway nonsense n", "invalid gateway"},
		{"-d ipvlan -o parent n", `"parent"`},
		{"-d ipvlan", "one network name"},
		{"-d ipvlan a b", "one network name"},
		{"n", "-d ipvlan"},
		{"-d ipvlan --frob n", "--frob"},
	} {
		code, _, stderr := runCLI(append([]string{"--state-dir", t.TempDir(), "network", "create"}, strings.Fields(tt.line)...)...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("network create %s: exit %d, stderr %q; want exit 2 and %q", tt.line, code, stderr, tt.want)
		}
	}
}
