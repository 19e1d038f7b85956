package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// lines returns the non-empty lines of s, trailing blanks trimmed, that
// keep reports true for.
func lines(s string, keep func(string) bool) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " "); l != "" && keep(l) {
			out = append(out, l)
		}
	}
	return out
}

// TestShowMatchesIPRoute2 cross-checks `vlanraw addr`, `route` and
// `neigh` against iproute2 in a namespace with IPv4 and IPv6 addresses, a
// gateway route, a connected default route and neighbour entries, all
// made with vlanraw.
func TestShowMatchesIPRoute2(t *testing.T) {
	ns := newNetNS(t)
	vr(t, ns, "link", "add", "s0", "up", "type", "veth", "peer", "name", "s1", "up")
	vr(t, ns, "addr", "add", "10.7.0.1/24", "dev", "s0")
	vr(t, ns, "addr", "add", "10.7.1.1", "dev", "s1")
	vr(t, ns, "addr", "add", "fd07::1/64", "dev", "s0", "nodad")
	ip(t, ns, "route add default via 10.7.0.254")
	ip(t, ns, "route add 10.8.0.0/16 dev s1")
	ip(t, ns, "neigh add 10.7.0.9 lladdr 02:00:00:00:07:09 dev s0")
	ip(t, ns, "-6 neigh add fd07::9 lladdr 02:00:00:00:07:19 dev s0")

	all := func(string) bool { return true }
	v4 := func(l string) bool { return !strings.Contains(l, ":") }
	addrLines := func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "inet") }
	// A link-local address is tentative until DAD ends, which may happen
	// between the two dumps: that flag is compared by neither.
	untentative := func(s string) string { return strings.ReplaceAll(s, " tentative", "") }
	for _, c := range []struct {
		vlanraw, ip []string
		keep        func(string) bool
	}{
		{[]string{"route", "show"}, []string{"route", "show"}, v4},
		{[]string{"route", "show", "dev", "s1"}, []string{"route", "show", "dev", "s1"}, v4},
		{[]string{"neigh", "show"}, []string{"neigh", "show"}, all},
		{[]string{"neigh", "show", "dev", "s0"}, []string{"neigh", "show", "dev", "s0"}, all},
		{[]string{"addr", "show", "dev", "s0"}, []string{"addr", "show", "dev", "s0"}, addrLines},
		{[]string{"addr"}, []string{"addr"}, addrLines},
	} {
		got := lines(untentative(vr(t, ns, c.vlanraw...)), c.keep)
		want := lines(untentative(ip(t, ns, strings.Join(c.ip, " "))), c.keep)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("vlanraw %s:\n%s\nip %s:\n%s", strings.Join(c.vlanraw, " "), strings.Join(got, "\n"),
				strings.Join(c.ip, " "), strings.Join(want, "\n"))
		}
	}
	// IPv6 routes, as `ip -6 route` prints them but for "pref medium",
	// which vlanraw leaves out.
	v6 := func(l string) bool { return strings.Contains(l, ":") }
	got := lines(vr(t, ns, "route"), v6)
	want := lines(strings.ReplaceAll(ip(t, ns, "-6 route show"), " pref medium", ""), all)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("vlanraw route, IPv6 lines:\n%s\nip -6 route:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// JSON: the keys of ip -j.
	var routes []map[string]any
	if err := json.Unmarshal([]byte(vr(t, ns, "-j", "route", "show")), &routes); err != nil {
		t.Fatal(err)
	}
	if len(routes) == 0 || routes[0]["dst"] != "default" || routes[0]["gateway"] != "10.7.0.254" || routes[0]["dev"] != "s0" {
		t.Errorf("route show -j: first route %v; want default via 10.7.0.254 dev s0", routes)
	}
	var addrs []struct {
		IfName   string `json:"ifname"`
		AddrInfo []struct {
			Family    string `json:"family"`
			Local     string `json:"local"`
			PrefixLen int    `json:"prefixlen"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal([]byte(vr(t, ns, "-j", "addr", "show", "s1")), &addrs); err != nil {
		t.Fatal(err)
	}
	if len(addrs) != 1 || addrs[0].IfName != "s1" || len(addrs[0].AddrInfo) == 0 ||
		addrs[0].AddrInfo[0].Local != "10.7.1.1" || addrs[0].AddrInfo[0].PrefixLen != 32 {
		t.Errorf("addr show -j s1: %+v; want 10.7.1.1/32 first", addrs)
	}

	// del undoes add.
	vr(t, ns, "addr", "del", "10.7.1.1/32", "dev", "s1")
	if out := vr(t, ns, "addr", "show", "s1"); strings.Contains(out, "10.7.1.1") {
		t.Errorf("after addr del, addr show s1 still has 10.7.1.1:\n%s", out)
	}
}
