package cni

import (
	"bytes"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
)

// TestPrintResult checks printResult against the CNI library's printing
// (GetAsVersion, then PrintTo, which is what types.PrintResult does) on
// 3000 generated results, for every version the plugin supports: the
// same bytes. (Versions before 1.0.0 are printed by the library itself.)
func TestPrintResult(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		r := randomResult(rnd)
		for _, v := range []string{"1.0.0", "1.1.0"} {
			var got bytes.Buffer
			if err := printResult(&got, r, v); err != nil {
				t.Fatal(err)
			}
			conv, err := r.GetAsVersion(v)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := conv.PrintTo(&want); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Fatalf("#%d at %s: got\n%s\nthe CNI library prints\n%s", i, v, got.String(), want.String())
			}
		}
	}
}

// randomResult returns a result with every field of every part set or
// not, at random: strings that need escaping, both families, odd masks,
// nil entries.
func randomResult(rnd *rand.Rand) *current.Result {
	strs := []string{"", "eth0", "net1", "a<b>&c", "é\u2028", "q\"\\", "/run/netns/x", "de:ad:be:ef:00:01"}
	str := func() string { return strs[rnd.IntN(len(strs))] }
	strList := func() []string {
		switch rnd.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		return []string{str(), str()}
	}
	ip := func() net.IP {
		switch rnd.IntN(4) {
		case 0:
			return nil
		case 1:
			return net.IPv4(10, byte(rnd.IntN(256)), 0, 1)
		case 2:
			return net.IP{192, 168, 0, byte(rnd.IntN(256))}
		}
		return net.ParseIP("2001:db8::1")
	}
	ipNet := func() net.IPNet {
		a := ip()
		switch {
		case a == nil:
			return net.IPNet{}
		case a.To4() != nil:
			return net.IPNet{IP: a, Mask: net.CIDRMask(rnd.IntN(33), 32)}
		}
		return net.IPNet{IP: a, Mask: net.CIDRMask(rnd.IntN(129), 128)}
	}
	intPtr := func() *int {
		if rnd.IntN(2) == 0 {
			return nil
		}
		n := rnd.IntN(300) - 10
		return &n
	}
	r := &current.Result{CNIVersion: current.ImplementedSpecVersion} // as result makes it
	for range rnd.IntN(3) {
		if rnd.IntN(8) == 0 {
			r.Interfaces = append(r.Interfaces, nil)
			continue
		}
		r.Interfaces = append(r.Interfaces, &current.Interface{Name: str(), Mac: str(), Mtu: rnd.IntN(3) * 1500, Sandbox: str(), SocketPath: str(), PciID: str()})
	}
	for range rnd.IntN(3) {
		if rnd.IntN(8) == 0 {
			r.IPs = append(r.IPs, nil)
			continue
		}
		r.IPs = append(r.IPs, &current.IPConfig{Interface: intPtr(), Address: ipNet(), Gateway: ip()})
	}
	for range rnd.IntN(3) {
		if rnd.IntN(8) == 0 {
			r.Routes = append(r.Routes, nil)
			continue
		}
		r.Routes = append(r.Routes, &types.Route{Dst: ipNet(), GW: ip(), MTU: rnd.IntN(2) * 1400, AdvMSS: rnd.IntN(2) * 1360, Priority: rnd.IntN(3), Table: intPtr(), Scope: intPtr()})
	}
	r.DNS = types.DNS{Nameservers: strList(), Domain: str(), Search: strList(), Options: strList()}
	return r
}
