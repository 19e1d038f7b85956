package modes

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSchema2StateLoads loads a state file the previous release wrote
// (testdata/schema2/networks.json: `vlanraw network create` of a macvlan
// network and `vlanraw connect --ip 10.66.0.10` by vlanraw 466e399, the
// parent renamed p0 for this test), whose endpoints are in the file:
// they are read, their address is not handed out again, and the first
// write moves them to the volatile file, leaving networks.json at
// schema 3 without them and the old file as networks.json.schema2.bak.
func TestSchema2StateLoads(t *testing.T) {
	e := newEnv(t)
	old, err := os.ReadFile(filepath.Join("testdata", "schema2", "networks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "networks.json"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	endpoints := func() []string {
		t.Helper()
		n, err := e.m.Network("prevnet")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ep := range n.Endpoints {
			out = append(out, ep.NetNS+" "+ep.IPv4.String())
		}
		return out
	}
	eqList(t, "prevnet's endpoints as read", endpoints(), []string{"prevt 10.66.0.10/24"})

	_, name, h := e.target()
	if _, err := e.m.Connect(ConnectSpec{Network: "prevnet", NetNS: name}); err != nil {
		t.Fatal(err)
	}
	eqList(t, "the new endpoint's addresses", addrs(t, h, "eth0"), []string{"10.66.0.1/24"})
	eqList(t, "prevnet's endpoints after connect", endpoints(), []string{"prevt 10.66.0.10/24", name + " 10.66.0.1/24"})

	var head struct {
		Schema int `json:"schema"`
		Data   struct {
			Networks []map[string]any `json:"networks"`
		} `json:"data"`
	}
	cur, err := os.ReadFile(filepath.Join(e.dir, "networks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(cur, &head); err != nil {
		t.Fatal(err)
	}
	if head.Schema != stateSchema || len(head.Data.Networks) != 1 || head.Data.Networks[0]["endpoints"] != nil {
		t.Errorf("networks.json after the first write:\n%s\nwant schema %d, prevnet without endpoints", cur, stateSchema)
	}
	if bak, err := os.ReadFile(filepath.Join(e.dir, "networks.json.schema2.bak")); err != nil || string(bak) != string(old) {
		t.Errorf("networks.json.schema2.bak: %v; want the schema-2 file as it was", err)
	}
	vol, _ := filepath.Glob(filepath.Join(e.dir, "networks.boot-*.json"))
	if len(vol) != 1 {
		t.Fatalf("volatile files: %v, want one", vol)
	}
	b, err := os.ReadFile(vol[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"10.66.0.10/24"`) || !strings.Contains(string(b), `"10.66.0.1/24"`) {
		t.Errorf("%s holds:\n%s\nwant both endpoints", vol[0], b)
	}
}
