package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/vlanraw/vlanraw/netns"
	"github.com/vlanraw/vlanraw/testenv"
)

// TestScenarioParallelConnect starts 8 vlanraw processes that connect 8
// namespaces to one network at once: each gets its own address, the
// links carry them (the first endpoint reaches the seven others), and
// the state file is one valid JSON document with 8 endpoints.
func TestScenarioParallelConnect(t *testing.T) {
	testenv.RequireKind(t, "macvlan")
	const n = 8
	w := newWorld(t)
	w.uplink("p0")
	w.vr("network create -d macvlan --subnet 10.90.0.0/24 -o parent=p0 par")
	nss := make([]string, n)
	handles := make([]*netns.NS, n)
	for i := range nss {
		nss[i], handles[i] = w.endpoint()
	}
	exe, env := vlanrawExe(t)
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	for i, ns := range nss {
		outs[i] = &bytes.Buffer{}
		cmds[i] = exec.Command(exe, w.args("connect", "-j", "par", ns)...)
		cmds[i].Env, cmds[i].Stdout, cmds[i].Stderr = env, outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]string{}
	addrs := make([]string, n)
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("connect %s: %v: %s", nss[i], err, outs[i])
			continue
		}
		var ep struct {
			IPv4 string `json:"ipv4"`
		}
		if err := json.Unmarshal(outs[i].Bytes(), &ep); err != nil || ep.IPv4 == "" {
			t.Errorf("connect %s printed %q (%v)", nss[i], outs[i], err)
			continue
		}
		if other, dup := seen[ep.IPv4]; dup {
			t.Errorf("%s and %s both got %s", other, nss[i], ep.IPv4)
		}
		seen[ep.IPv4] = nss[i]
		addrs[i], _, _ = strings.Cut(ep.IPv4, "/")
	}
	if t.Failed() {
		return
	}
	for i := 1; i < n; i++ {
		reaches(t, handles[0], addrs[0], addrs[i])
	}
	b := stateFile(t, w.state)
	var doc struct {
		Data struct {
			Networks []struct {
				Endpoints []json.RawMessage `json:"endpoints"`
			} `json:"networks"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("state file is not valid JSON: %v\n%s", err, b)
	}
	if len(doc.Data.Networks) != 1 || len(doc.Data.Networks[0].Endpoints) != n {
		t.Errorf("state file holds %d networks, the first with %d endpoints; want 1 with %d:\n%s",
			len(doc.Data.Networks), len(doc.Data.Networks[0].Endpoints), n, b)
	}
}

// TestScenarioRestore deletes every link vlanraw made by hand, then
// `vlanraw restore` makes them again and traffic flows again; a second
// restore finds everything in place.
func TestScenarioRestore(t *testing.T) {
	for _, tt := range []struct {
		name, create string
		kinds        []string
	}{
		// A veth parent, which restore leaves to its owner: runs on the
		// host kernel too.
		{"macvlan", "network create -d macvlan --subnet 10.91.0.0/24 -o parent=p0 net", []string{"macvlan"}},
		// A dummy parent vlanraw made, which restore makes again.
		{"ipvlan-l3-dummy", "network create -d ipvlan --subnet 10.92.0.0/24 --subnet 10.93.0.0/24 -o ipvlan_mode=l3 net", []string{"ipvlan", "dummy"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range tt.kinds {
				testenv.RequireKind(t, k)
			}
			w := newWorld(t)
			w.uplink("p0")
			w.vr(tt.create)
			a, nsA := w.endpoint()
			b, nsB := w.endpoint()
			ipA, ipB := w.connect("net", a), w.connect("net", b)
			reaches(t, nsA, ipA, ipB)

			vr(t, a, "link", "del", "eth0")
			vr(t, b, "link", "del", "eth0")
			dummies := createdLinks(t, w.host, "dummy")
			if len(dummies) > 0 {
				vr(t, w.host, append([]string{"link", "del"}, dummies...)...)
			}
			noReply(t, nsA, "", ipB)

			out := w.vr("restore")
			if strings.Count(out, "restored: its link was missing") != 2 {
				t.Errorf("restore printed %q; want both endpoints restored", out)
			}
			for _, d := range dummies {
				if !strings.Contains(out, "parent "+d+": created again") {
					t.Errorf("restore printed %q; want parent %s created again", out, d)
				}
			}
			reaches(t, nsA, ipA, ipB)
			reaches(t, nsB, ipB, ipA)
			if out := w.vr("restore"); strings.Contains(out, "restored") || strings.Count(out, "present") != 2 {
				t.Errorf("second restore printed %q; want both endpoints present and nothing restored", out)
			}
		})
	}
}
