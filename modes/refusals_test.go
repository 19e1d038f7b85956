package modes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
)

// Subnets Docker would refuse, or whose addresses no interface can use,
// and subnets overlapping another network's are refused as errdefs.ErrInvalid
// before anything is made: no parent link (none given: a dummy would be
// made; p0.77: an 802.1Q link would be), no record.
func TestNetworkCreateBadSubnets(t *testing.T) {
	e := newEnv(t)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "taken", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "10.99.0.0/24"}, {Subnet: "fd99::/64"}}}); err != nil {
		t.Fatal(err)
	}
	before := e.stateBytes()
	hostLinks := linkNames(t, e.hh)
	const overlap = "invalid pool request: Pool overlaps with other one on this address space: "
	for _, tc := range []struct {
		subnet string
		msg    string
	}{
		{"224.0.0.0/24", "invalid subnet 224.0.0.0/24: it is a multicast range; give a unicast subnet such as 192.168.10.0/24"},
		{"ff02::/16", "invalid subnet ff02::/16: it is a multicast range; give a unicast subnet such as 2001:db8::/64"},
		{"127.0.0.0/8", "invalid subnet 127.0.0.0/8: it is a loopback range"},
		{"::1/128", "invalid subnet ::1/128: it is the loopback address"},
		{"0.0.0.0/0", "invalid subnet 0.0.0.0/0: it is the default route, not a subnet"},
		{"::/0", "invalid subnet ::/0: it is the default route, not a subnet"},
		{"0.0.0.0/8", "invalid subnet 0.0.0.0/8: it holds the unspecified address 0.0.0.0"},
		{"fe80::/64", "invalid subnet fe80::/64: it is an IPv6 link-local range"},
		{"::ffff:0:0/96", "invalid subnet ::ffff:0:0/96: it is an IPv4-mapped IPv6 subnet; write it as an IPv4 subnet"},
		{"::ffff:10.0.0.0/104", "invalid subnet ::ffff:10.0.0.0/104: it is an IPv4-mapped IPv6 subnet"},
		{"10.99.0.0/24", overlap + "subnet 10.99.0.0/24 overlaps subnet 10.99.0.0/24 of network taken; give a subnet that no other network uses, or remove network taken first"},
		{"10.0.0.0/8", overlap + "subnet 10.0.0.0/8 overlaps subnet 10.99.0.0/24 of network taken"},
		{"10.99.0.128/25", overlap + "subnet 10.99.0.128/25 overlaps subnet 10.99.0.0/24 of network taken"},
		{"fd99::/48", overlap + "subnet fd99::/48 overlaps subnet fd99::/64 of network taken"},
	} {
		for _, parent := range []string{"", "p0", "p0.77"} {
			t.Run(tc.subnet+" parent "+parent, func(t *testing.T) {
				opts := map[string]string{}
				if parent != "" {
					opts["parent"] = parent
				}
				_, err := e.m.CreateNetwork(NetworkSpec{Name: "a", Driver: MACVlan, Options: opts,
					Subnets: []SubnetSpec{{Subnet: "172.30.50.0/24"}, {Subnet: tc.subnet}}})
				errContains(t, err, tc.msg)
				if !errors.Is(err, errdefs.ErrInvalid) {
					t.Errorf("%v does not match errdefs.ErrInvalid", err)
				}
				if strings.HasPrefix(tc.msg, overlap) && !errors.Is(err, ErrConflict) {
					t.Errorf("%v does not match ErrConflict", err)
				}
				eqList(t, "host links", linkNames(t, e.hh), hostLinks)
				eq(t, "state file", e.stateBytes(), before)
			})
		}
	}
	if ns, err := e.m.Networks(); err != nil || len(ns) != 1 || ns[0].Name != "taken" {
		t.Errorf("networks after the refusals: %v, %v; want taken alone", ns, err)
	}
	// A subnet next to the other network's is fine.
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "next", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "10.99.1.0/24"}, {Subnet: "fd99:0:0:1::/64"}}}); err != nil {
		t.Fatal(err)
	}
}

// A MAC address given for an endpoint that another endpoint on the same
// parent has is refused while planning, naming that endpoint; one that is
// the parent's, or a link's vlanraw did not make, is refused by the kernel
// when the link comes up, and the message names it too. Nothing is left.
func TestConnectMACInUse(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	if _, err := e.m.CreateNetwork(NetworkSpec{Name: "net2", Driver: MACVlan, Options: map[string]string{"parent": "p0"},
		Subnets: []SubnetSpec{{Subnet: "10.42.0.0/24"}}}); err != nil {
		t.Fatal(err)
	}
	const mac = "02:42:ac:11:00:02"
	_, ns1, _ := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net", NetNS: ns1, MAC: mac}); err != nil {
		t.Fatal(err)
	}
	foreign := "02:42:ac:11:00:99"
	if err := e.hh.Create(&links.MACVlan{Attrs: links.Attrs{Name: "mvx", MAC: mustMAC(t, foreign), Up: true}, Parent: "p0"}); err != nil {
		t.Fatal(err)
	}
	parentMAC := mustGet(t, e.hh, "p0").MAC.String()
	before := e.stateBytes()
	hostLinks := linkNames(t, e.hh)
	for _, tc := range []struct {
		name, network, mac string
		batch              bool
		msg                string
		kernel             bool // the kernel's EADDRINUSE is kept in the chain
	}{
		{"another endpoint's", "net", mac, false,
			"MAC address 02:42:ac:11:00:02 is already in use by the endpoint of " + ns1 + " on network net: give another --mac, or none for a random one", false},
		{"another endpoint's, in capitals", "net", strings.ToUpper(mac), false,
			"MAC address 02:42:ac:11:00:02 is already in use by the endpoint of " + ns1 + " on network net", false},
		{"another network's endpoint on the parent", "net2", mac, false,
			"MAC address 02:42:ac:11:00:02 is already in use by the endpoint of " + ns1 + " on network net", false},
		{"another endpoint's, in a batch", "net2", mac, true,
			"MAC address 02:42:ac:11:00:02 is already in use by the endpoint of " + ns1 + " on network net", false},
		{"the parent's", "net", parentMAC, false,
			"MAC address " + parentMAC + " is already in use: it is the MAC of parent p0; give another --mac, or none for a random one", true},
		{"another link's on the parent", "net2", foreign, false,
			"MAC address 02:42:ac:11:00:99 is already in use on parent p0, by a link vlanraw did not make", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ns, th := e.target()
			spec := ConnectSpec{Network: tc.network, NetNS: ns, MAC: tc.mac}
			var err error
			if tc.batch {
				_, other, _ := e.target()
				_, err = e.m.ConnectAll([]ConnectSpec{{Network: tc.network, NetNS: other}, spec})
			} else {
				_, err = e.m.Connect(spec)
			}
			errContains(t, err, tc.msg)
			if !errors.Is(err, ErrConflict) {
				t.Errorf("%v does not match ErrConflict", err)
			}
			if got := errors.Is(err, unix.EADDRINUSE); got != tc.kernel {
				t.Errorf("%v: matches EADDRINUSE: %v, want %v", err, got, tc.kernel)
			}
			eqList(t, "target links", linkNames(t, th), []string{"lo"})
			eqList(t, "host links", linkNames(t, e.hh), hostLinks)
			eq(t, "state file", e.stateBytes(), before)
		})
	}
	// A free MAC still works, on either network.
	_, ns2, th2 := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "net2", NetNS: ns2, MAC: "02:42:ac:11:00:03"}); err != nil {
		t.Fatal(err)
	}
	eq(t, "MAC", mustGet(t, th2, "eth0").MAC.String(), "02:42:ac:11:00:03")
}

// A path that is not a network namespace is refused before anything is
// made, saying so: a plain file or a directory (nothing mounted there:
// ErrNotFound and os.ErrNotExist, as a namespace deleted under its file),
// or a namespace of another kind (errdefs.ErrInvalid).
func TestConnectNotANetNS(t *testing.T) {
	e := newEnv(t)
	dualStack(t, e, "net", nil)
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before := e.stateBytes()
	hostLinks := linkNames(t, e.hh)
	for _, tc := range []struct {
		path, what string
		kind       error
	}{
		{file, "nothing is mounted there", ErrNotFound},
		{dir, "nothing is mounted there", ErrNotFound},
		{"/proc/self/ns/mnt", "it is a mount namespace", errdefs.ErrInvalid},
		{"/proc/self/ns/uts", "it is a UTS namespace", errdefs.ErrInvalid},
		{"/proc/self/ns/user", "it is a user namespace", errdefs.ErrInvalid},
	} {
		t.Run(tc.path, func(t *testing.T) {
			for _, batch := range []bool{false, true} {
				var err error
				if batch {
					_, other, _ := e.target()
					_, err = e.m.ConnectAll([]ConnectSpec{{Network: "net", NetNS: other}, {Network: "net", NetNS: tc.path}})
				} else {
					_, err = e.m.Connect(ConnectSpec{Network: "net", NetNS: tc.path})
				}
				errContains(t, err, tc.path+" is not a network namespace ("+tc.what+"); give a name under /run/netns, a path such as /proc/PID/ns/net, or a process id")
				if !errors.Is(err, tc.kind) {
					t.Errorf("%v does not match %v", err, tc.kind)
				}
				if got, want := errors.Is(err, os.ErrNotExist), tc.kind == ErrNotFound; got != want {
					t.Errorf("%v matches os.ErrNotExist: %v, want %v", err, got, want)
				}
				eqList(t, "host links", linkNames(t, e.hh), hostLinks)
				eq(t, "state file", e.stateBytes(), before)
			}
		})
	}
}

func mustMAC(t testing.TB, s string) []byte {
	t.Helper()
	m, err := parseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
