package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// TestShowEmptyNamespace: every show and list command, run by the built
// binary in a namespace that holds nothing but lo, prints what iproute2
// prints there, byte for byte, and exits 0 with nothing on stderr: lo
// alone, or nothing, and "[]" with -j where nothing is listed. Once with
// lo down and no address (a fresh namespace), once with lo up (127.0.0.1
// and ::1 on it, and their routes in the local table). route shows both
// families: it is compared with `ip route` followed by `ip -6 route`.
// The Docker-grammar and counter commands have no iproute2 twin:
// network ls prints its header alone, as `docker network ls` does, and
// stats show nothing. (Not `-j link show up` with lo down: iproute2 6.1
// prints "[{}]" there, an empty object for no link, where vlanraw
// prints "[]".)
func TestShowEmptyNamespace(t *testing.T) {
	vlanraw := vlanrawBinary(t)
	for _, tt := range []struct {
		vlanraw string
		ip      []string // ip commands whose outputs, joined, vlanraw must print
		want    string   // without ip: what vlanraw must print
	}{
		{vlanraw: "link", ip: []string{"link"}},
		{vlanraw: "link show", ip: []string{"link show"}},
		{vlanraw: "-j link show", ip: []string{"-j link show"}},
		{vlanraw: "link show dev lo", ip: []string{"link show dev lo"}},
		{vlanraw: "link show up", ip: []string{"link show up"}},
		{vlanraw: "link show type macvlan", ip: []string{"link show type macvlan"}},
		{vlanraw: "-j link show type macvlan", ip: []string{"-j link show type macvlan"}},
		{vlanraw: "addr", ip: []string{"addr"}},
		{vlanraw: "addr show", ip: []string{"addr show"}},
		{vlanraw: "-j addr show", ip: []string{"-j addr show"}},
		{vlanraw: "addr show dev lo", ip: []string{"addr show dev lo"}},
		{vlanraw: "-j addr show dev lo", ip: []string{"-j addr show dev lo"}},
		{vlanraw: "route", ip: []string{"route", "-6 route"}},
		{vlanraw: "route show", ip: []string{"route show", "-6 route show"}},
		{vlanraw: "-j route show", ip: []string{"-j route show", "-j -6 route show"}},
		{vlanraw: "route show dev lo", ip: []string{"route show dev lo", "-6 route show dev lo"}},
		{vlanraw: "-j route show dev lo", ip: []string{"-j route show dev lo", "-j -6 route show dev lo"}},
		{vlanraw: "neigh", ip: []string{"neigh"}},
		{vlanraw: "neigh show", ip: []string{"neigh show"}},
		{vlanraw: "-d neigh show", ip: []string{"-d neigh show"}},
		{vlanraw: "-j neigh show", ip: []string{"-j neigh show"}},
		{vlanraw: "neigh show dev lo", ip: []string{"neigh show dev lo"}},
		{vlanraw: "-j neigh show dev lo", ip: []string{"-j neigh show dev lo"}},
		{vlanraw: "network ls", want: "NETWORK ID   NAME   DRIVER   PARENT   MODE   SUBNETS   ENDPOINTS\n"},
		{vlanraw: "-j network ls", want: "[]\n"},
		{vlanraw: "stats show", want: ""},
		{vlanraw: "-j stats show", want: "[]\n"},
	} {
		for _, up := range []bool{false, true} {
			name := tt.vlanraw + ", lo down"
			if up {
				name = tt.vlanraw + ", lo up"
			}
			t.Run(name, func(t *testing.T) {
				ns := newNetNS(t)
				if up {
					ip(t, ns, "link set lo up")
				}
				args := append([]string{"-n", ns, "--state-dir", t.TempDir()}, strings.Fields(tt.vlanraw)...)
				var stdout, stderr bytes.Buffer
				cmd := vlanraw(args...)
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				var ee *exec.ExitError
				if err != nil && !errors.As(err, &ee) {
					t.Fatalf("run vlanraw: %v", err)
				}
				if err != nil || stderr.Len() != 0 {
					t.Errorf("vlanraw %s: %v, stderr %q; want exit 0 and nothing on stderr", tt.vlanraw, err, stderr.String())
				}
				got := stdout.String()
				switch {
				case tt.ip == nil:
					if got != tt.want {
						t.Errorf("vlanraw %s printed %q, want %q", tt.vlanraw, got, tt.want)
					}
				case strings.HasPrefix(tt.vlanraw, "-j") && len(tt.ip) > 1:
					if want := ipJSONList(t, ns, tt.ip); !sameJSONList(t, got, want) {
						t.Errorf("vlanraw %s printed %q, want the objects of ip %s: %q", tt.vlanraw, got, strings.Join(tt.ip, " and ip "), want)
					}
				default:
					var want strings.Builder
					for _, line := range tt.ip {
						// vlanraw leaves out IPv6 routes' "pref medium".
						want.WriteString(strings.ReplaceAll(ip(t, ns, line), " pref medium", ""))
					}
					if got != want.String() {
						t.Errorf("vlanraw %s printed\n%q\nip %s printed\n%q", tt.vlanraw, got, strings.Join(tt.ip, " and ip "), want.String())
					}
				}
			})
		}
	}
}

// ipJSONList runs the ip commands in namespace ns and returns their JSON
// lists as one, encoded, without IPv6 routes' "pref", which vlanraw
// leaves out.
func ipJSONList(t *testing.T, ns string, lines []string) string {
	t.Helper()
	all := []map[string]any{}
	for _, line := range lines {
		var list []map[string]any
		if err := json.Unmarshal([]byte(ip(t, ns, line)), &list); err != nil {
			t.Fatalf("ip %s: %v", line, err)
		}
		for _, o := range list {
			delete(o, "pref")
		}
		all = append(all, list...)
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// sameJSONList reports whether got, as vlanraw printed it, holds the
// objects of want in the same order: an empty list exactly as "[]".
func sameJSONList(t *testing.T, got, want string) bool {
	t.Helper()
	if want == "[]\n" {
		return got == want
	}
	var g, w []map[string]any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(g, w)
}
